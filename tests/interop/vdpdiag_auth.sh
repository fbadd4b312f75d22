#!/bin/bash
# vdpdiag_auth.sh - our HMAC authentication extension end to end: the
# splitnve library on both sides (vdpdiag bridge and vdpdiag station),
# each with --key, over one veth.
#
#   ns st                                  ns br
#   vdpdiag station --key -- st0 ==== br0 -- vdpdiag bridge --key
#   02:00:00:00:00:01                 02:00:00:00:00:02
#                                      \-- tshark capture
#
# Checks (docs/nvo3-vdp-extensions.md sections 7.4 and 8):
#  1. same key at both ends: Pre-Associate, Associate, De-Associate are
#     confirmed, and both sides count verified ULPDUs and no failure;
#  2. different keys: the bridge refuses every request (bad MAC), so ECP
#     never acknowledges them, the station gives up, and the bridge holds
#     no VSI;
#  3. the capture: every VDP ULPDU on the wire ends with our auth Org TLV
#     (type 127, length 31, CID ac:de:48, subtype 4), only an End TLV and
#     padding after it;
#  4. --key on one side only: the station with a key refuses to start, the
#     bridge with a key refuses the keyless station's requests.
. "${SN_SOURCE:-$(dirname "$0")/../..}/lab/lib.sh"
VDPDIAG=${SN_BUILD:-build/dev}/tools/vdpdiag
lab_init vdpdiag_auth
lab_ns st; lab_ns br
lab_veth st st0 br br0 02:00:00:00:00:01 02:00:00:00:00:02
lab_bg br "$LAB/tshark.log" tshark -i br0 -w "$LAB/cap.pcapng"
TSHARK_PID=$LAST_PID
wait_for 20 "tshark capturing" grep -q Capturing "$LAB/tshark.log"
S="ip netns exec $(ns st)"
# Test secrets only (32 octets each); never a real key.
K1=1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
K2=1:ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
U1=0aa0b0c0-1111-4222-8333-944455556666

# Starts the bridge with key $1; its table goes to $LAB/$2.out.
bridge_start() {
	lab_bg br "$LAB/$2.log" "$VDPDIAG" bridge -i br0 --key "$1" --rka 14
	BR_PID=$LAST_PID
	wait_for 10 "bridge $2 running" grep -q 'bridge on br0' "$LAB/$2.log"
}

# Stops the bridge (SIGTERM: it prints its tables) and waits for it.
bridge_stop() {
	kill -TERM "$BR_PID"
	wait_for 10 "bridge $1 stopped" sh -c "! kill -0 $BR_PID"
	# lab_bg sends stdout and stderr to one log; the tables are stdout
	cp "$LAB/$1.log" "$LAB/$1.out"
}

# Field NAME=N of the "auth total" line in file $1.
auth_field() {
	sed -n "s/^auth total.* $2=\([0-9]*\).*/\1/p" "$1" | tail -1
}

# 1. Same key at both ends.
bridge_start "$K1" br1
$S timeout 60 "$VDPDIAG" station -i st0 --key "$K1" --rka 14 \
	--uuid $U1 --filter 0-52:54:00:11:22:33-10000 \
	preassoc assoc deassoc >"$LAB/st1.out" 2>"$LAB/st1.log" ||
	fail "station with the right key exited $?: $(cat "$LAB/st1.out")"
bridge_stop br1
grep -q '^result preassoc note=preassociated reason=ok' "$LAB/st1.out" || fail "no pre-associate"
grep -q '^result assoc note=associated reason=ok' "$LAB/st1.out" || fail "no associate"
grep -q '^result deassoc note=deassociated reason=ok' "$LAB/st1.out" || fail "no de-associate"
for side in st1 br1; do
	ok=$(auth_field "$LAB/$side.out" ok)
	bad=$(auth_field "$LAB/$side.out" failed)
	[ "${ok:-0}" -gt 0 ] || fail "$side verified no ULPDU (auth ok=${ok:-none})"
	[ "${bad:-x}" = 0 ] || fail "$side counted ${bad:-no} auth failures"
done
grep -Eq '^02:00:00:00:00:01 +[1-9]' "$LAB/br1.out" ||
	fail "bridge table has no auth row for the station"
pass "same key: pre-associate, associate, de-associate; both sides verified, no failure"

# 2. Different keys: nothing the station sends is acknowledged.
bridge_start "$K1" br2
set +e
$S timeout 60 "$VDPDIAG" station -i st0 --key "$K2" --rka 14 \
	--uuid $U1 --filter 0-52:54:00:11:22:33-10000 \
	assoc >"$LAB/st2.out" 2>"$LAB/st2.log"
rc=$?
set -e
bridge_stop br2
[ $rc -eq 1 ] || fail "station with the wrong key exited $rc, expected 1"
grep -q '^result assoc .*reason=tx-error' "$LAB/st2.out" ||
	fail "station did not give up for lack of ECP ACKs: $(cat "$LAB/st2.out")"
grep -q 'no ACK after' "$LAB/st2.log" || fail "no ECP give-up in the station's log"
bad=$(auth_field "$LAB/br2.out" bad_mac)
ok=$(auth_field "$LAB/br2.out" ok)
[ "${bad:-0}" -gt 0 ] || fail "bridge counted no bad MAC"
[ "${ok:-x}" = 0 ] || fail "bridge verified $ok ULPDUs signed with the wrong key"
grep -q 'refused: bad MAC' "$LAB/br2.log" || fail "bridge did not log the refusal"
# The VSI table (header "STATION ...") must be empty.
awk '/^STATION /{t=1; next} /^AUTH-PEER /{t=0} t && NF {exit 1}' "$LAB/br2.out" ||
	fail "bridge holds a VSI after wrong-key requests: $(cat "$LAB/br2.out")"
pass "different keys: $bad requests refused (bad MAC), none ACKed, no VSI held"

# 4. A key on one side only (run before the capture closes; its requests
#    are the unsigned ones and are left out of check 3).
lab_bg br "$LAB/br4.log" "$VDPDIAG" bridge -i br0 --rka 14
BR_PID=$LAST_PID
wait_for 10 "keyless bridge running" grep -q 'bridge on br0' "$LAB/br4.log"
set +e
$S timeout 30 "$VDPDIAG" station -i st0 --key "$K1" --uuid $U1 \
	--filter 0-52:54:00:11:22:33-10000 assoc >"$LAB/st4.out" 2>"$LAB/st4.log"
rc=$?
set -e
bridge_stop br4
[ $rc -eq 1 ] && grep -q 'did not agree authentication' "$LAB/st4.log" ||
	fail "station with a key against a keyless bridge: exit $rc"
grep -q '^result' "$LAB/st4.out" && fail "station sent requests without agreement"
bridge_start "$K1" br5
set +e
$S timeout 60 "$VDPDIAG" station -i st0 --mgrid nokey --uuid $U1 \
	--filter 0-52:54:00:11:22:33-10000 assoc >"$LAB/st5.out" 2>"$LAB/st5.log"
rc=$?
set -e
bridge_stop br5
[ $rc -eq 1 ] || fail "keyless station against a bridge with a key exited $rc"
na=$(auth_field "$LAB/br5.out" not_agreed)
[ "${na:-0}" -gt 0 ] || fail "bridge did not count refusals without agreement"
pass "key on one side only: station refuses to start; bridge refused $na unauthenticated requests"

# 3. The capture: the auth TLV is the last TLV of every VDP ULPDU.
kill -INT "$TSHARK_PID" 2>/dev/null || true
wait_for 10 "capture closed" sh -c "! kill -0 $TSHARK_PID"
# ("nokey" is run 4's keyless station: 6e 6f 6b 65 79 in its Manager ID)
pcap_hex "$LAB/cap.pcapng" 'eth.type == 0x8940 && ecp.op == 0' |
	grep -v '0a106e6f6b6579' >"$LAB/req.hex" || true
n=$(grep -c . "$LAB/req.hex" || true)
[ "${n:-0}" -ge 6 ] || fail "expected ECP requests from both runs in the capture, saw ${n:-0}"
# Walk the TLVs of each ULPDU (after 14 octets of Ethernet and 4 of ECP):
# print the last TLV before the End TLV as "type len first-4-value-octets",
# or "bad" when a TLV runs past the frame or non-zero octets follow End.
awk '
function hx(s,   v, i) {
	v = 0
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
{
	o = 18; last = "none"; bad = 0; n = length($0) / 2
	while (o + 2 <= n) {
		h = hx(substr($0, 2 * o + 1, 4)); t = int(h / 512); l = h % 512
		if (t == 0) {
			if (substr($0, 2 * o + 1) !~ /^0*$/) bad = 1
			break
		}
		if (o + 2 + l > n) { bad = 1; break }
		last = t " " l " " substr($0, 2 * (o + 2) + 1, 8)
		o += 2 + l
	}
	print (bad ? "bad" : last)
}' "$LAB/req.hex" >"$LAB/last.txt"
if grep -qv '^127 31 acde4804$' "$LAB/last.txt"; then
	fail "a ULPDU does not end with the auth TLV: $(grep -v '^127 31 acde4804$' "$LAB/last.txt" | head -3)"
fi
tshark -r "$LAB/cap.pcapng" -Y 'ecp.op == 1 && eth.src == 02:00:00:00:00:02' \
	2>/dev/null | grep -q . || fail "no ECP ACK from the bridge in the capture"
pass "capture: all $n VDP ULPDUs end with the auth Org TLV (CID ac:de:48, subtype 4)"
