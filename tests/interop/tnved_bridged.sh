#!/bin/bash
# tnved_bridged.sh - three hypervisors reach one nnved port through a plain
# Linux bridge (RFC 8394 Req-1, Req-2), each with its own ECP session, all
# authenticating with the HMAC extension (Req-11), one with the wrong key.
#
#   ns hv1: tnved (key 1) ------- p1 \
#   ns hv2: tnved (key 1) ------- p2 -- br0 (ns sw) -- pn == nve0: nnved
#   ns hv3: tnved (wrong key 1) - p3 /
#
# Checks: one ECP session per hypervisor on the one port, unicast both ways
# (the ECP destination extension: nnved announces its MAC, each tnved gets
# its own PDUs only), both good ones activated in VN 5001 with the same tag; the wrong key is refused and
# counted at nnved, and its define fails with a clear error at tnved;
# tnved refuses a replayed and a forged NVE PDU (injected on hv1's link)
# and counts both, while its TSI stays activated.
. "${SN_SOURCE:-$(dirname "$0")/../..}/lab/lib.sh"
B=${SN_BUILD:-build/dev}
TNVED=$B/daemons/tnved
NNVED=$B/daemons/nnved
NVECTL=$B/tools/nvectl
ETHINJECT=$B/tools/ethinject
lab_init tnved_bridged
lab_ns hv1; lab_ns hv2; lab_ns hv3; lab_ns sw; lab_ns nve
lab_bridge sw br0
ip -n "$(ns sw)" link set br0 type bridge group_fwd_mask 0x4000
lab_veth hv1 up1 sw p1 02:00:00:00:01:01 02:00:00:00:01:02
lab_veth hv2 up2 sw p2 02:00:00:00:02:01 02:00:00:00:02:02
lab_veth hv3 up3 sw p3 02:00:00:00:03:01 02:00:00:00:03:02
lab_veth nve nve0 sw pn 02:00:00:00:00:02 02:00:00:00:00:03
for p in p1 p2 p3 pn; do ip -n "$(ns sw)" link set "$p" master br0; done
for p in p1 p2 p3; do ip netns exec "$(ns sw)" bridge link set dev "$p" isolated on; done

KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
BADKEY=ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
cat >"$LAB/nnved.conf" <<EOF
control "$LAB/nnved.sock"
evb retries 3 rte 8 rwd 14 rka 14
vids 300-399
key 1 "$KEY"
port nve0 {
	ecp-destination unicast
}
station any {
	key 1
	vn 5001
}
EOF
lab_bg hv1 "$LAB/tshark.log" tshark -i up1 -w "$LAB/cap.pcapng"
wait_for 20 "tshark capturing" grep -q Capturing "$LAB/tshark.log"
lab_bg nve "$LAB/nnved.log" "$NNVED" -d -f "$LAB/nnved.conf"
wait_for 10 "nnved up" grep -q "nve0: VDP bridge port up" "$LAB/nnved.log"
for i in 1 2 3; do
	k=$KEY; [ $i = 3 ] && k=$BADKEY
	cat >"$LAB/tnved$i.conf" <<EOF
control "$LAB/tnved$i.sock"
state-dir "$LAB/state$i"
state-sync no
op-timeout 4000
key 1 "$k"
nve tor {
	interface up$i
	key 1
}
EOF
	lab_bg hv$i "$LAB/tnved$i.log" "$TNVED" -d -f "$LAB/tnved$i.conf"
	wait_for 10 "tnved $i socket" test -S "$LAB/tnved$i.sock"
done
t() { i=$1; shift; "$NVECTL" -s "$LAB/tnved$i.sock" "$@"; }
n() { "$NVECTL" -s "$LAB/nnved.sock" "$@"; }
for i in 1 2 3; do
	wait_for 20 "tnved $i hears nnved" sh -c \
		"'$NVECTL' -s '$LAB/tnved$i.sock' --json nve show | jq -e '.[0].health == \"up\"'"
done

for i in 1 2; do
	t $i vm define "vm$i" port vnet0 mac "52:54:00:00:0$i:01" vn 5001 >/dev/null ||
		fail "define on hv$i: $(tail -3 "$LAB/tnved$i.log")"
	t $i vm start "vm$i" >/dev/null || fail "start on hv$i"
done
n --json station show | jq -e '[.[] | select(.port == "nve0")] | length == 2' >/dev/null ||
	fail "nnved does not show two stations: $(n --json station show)"
tags=$(n --json tsi show | jq -r '[.[] | select(.state == "ACTIVATED") | .vid] | unique | length')
[ "$tags" = 1 ] || fail "the two hypervisors' TSIs do not share one tag"
[ "$(n --json tsi show | jq '[.[] | select(.state == "ACTIVATED")] | length')" = 2 ] ||
	fail "not both TSIs activated"
pass "two hypervisors behind one bridge: two ECP sessions, both TSIs activated, one tag"

# The wrong key: nnved refuses (not ACKed), tnved's define fails clearly.
out=$(t 3 vm define vm3 port vnet0 mac 52:54:00:00:03:01 vn 5001 2>&1) &&
	fail "define with the wrong key succeeded"
echo "$out" | grep -Eq "NVE tor|down|answer" || fail "unclear error with the wrong key: $out"
n --json station show | jq -e '[.[] | .auth_fail] | add >= 1' >/dev/null ||
	fail "nnved did not count the failed authentication: $(n --json station show)"
grep -q "auth" "$LAB/nnved.log" || fail "nnved did not log the failed authentication"
[ "$(n --json tsi show | jq '[.[] | select(.station == "02:00:00:00:03:01")] | length')" = 0 ] ||
	fail "the wrong key got a TSI"
pass "wrong key: refused and counted at nnved; define failed at tnved ($out)"

# tnved verifies the NVE: a replayed and a forged nnved PDU on hv1's link.
sleep 1
kill -INT "$(pgrep -f "tshark -i up1 -w $LAB/cap.pcapng" | head -1)" 2>/dev/null || true
wait_for 10 "capture closed" sh -c "tshark -r '$LAB/cap.pcapng' -c 1 >/dev/null 2>&1"
pcap_hex "$LAB/cap.pcapng" 'ecp.op == 0 && eth.src == 02:00:00:00:00:02' >"$LAB/nve.hex"
[ "$(wc -l <"$LAB/nve.hex")" -ge 3 ] || fail "too few nnved PDUs captured on hv1's link"
tshark -r "$LAB/cap.pcapng" -Y 'eth.type == 0x8940 && eth.dst[0] & 1' 2>/dev/null | grep -q . &&
	fail "group-addressed ECP on hv1's link despite the unicast destination"
tshark -r "$LAB/cap.pcapng" -Y 'eth.type == 0x8940 && eth.src == 02:00:00:00:01:01 && eth.dst == 02:00:00:00:00:02' \
	2>/dev/null | grep -q . || fail "hv1 did not send ECP unicast to nnved"
pass "ECP unicast both ways on hv1's link; no other hypervisor's PDUs seen"
old=$(head -1 "$LAB/nve.hex")
# forged: the newest PDU with a new ECP sequence and one octet of its
# HMAC flipped (auth TLV: fe 1f ac de 48 04, key-id, alg, counter, MAC)
new=$(tail -1 "$LAB/nve.hex")
seqhex=$(printf %04x $(( (0x${new:32:4} + 100) % 65536 )))
forged="${new:0:32}${seqhex}${new:36}"
pre=${forged%%fe1facde4804*}
[ "$pre" != "$forged" ] || fail "no auth TLV in nnved's PDU: $new"
at=$(( ${#pre} + 34 ))
forged="${forged:0:$at}$(printf %02x $(( 0x${forged:$at:2} ^ 1 )))${forged:$((at + 2))}"
c0=$(t 1 --json nve show | jq '.[0].auth_replay + .[0].auth_fail')
ip netns exec "$(ns sw)" "$ETHINJECT" -i p1 "$old" "$forged" ||
	fail "ethinject failed"
wait_for 5 "tnved counts the replay and the forgery" sh -c \
	"[ \$('$NVECTL' -s '$LAB/tnved1.sock' --json nve show | jq '.[0].auth_replay + .[0].auth_fail') -ge $((c0 + 2)) ]"
t 1 --json nve show | jq -e '.[0].auth_replay >= 1 and .[0].auth_fail >= 1' >/dev/null ||
	fail "replay/forgery not told apart: $(t 1 --json nve show | jq -c '.[0] | {auth_ok, auth_fail, auth_replay}')"
[ "$(t 1 -d tnved --json tsi show | jq -r '.[0].status')" = ok ] || fail "hv1's TSI suffered"
pass "tnved refused a replayed and a forged NVE PDU, counted both, TSI still activated"
