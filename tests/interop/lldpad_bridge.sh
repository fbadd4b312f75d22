#!/bin/bash
# lldpad_bridge.sh - lldpad (Debian) as the VDP bridge, the splitnve
# library as the station (vdpdiag station).
#
#   ns st                         ns br
#   vdpdiag station -- st0 ==== br0 -- lldpad (evbmode bridge)
#                                  \-- tshark capture
#
# Checks: Pre-Associate, Associate, keep-alives hold the association
# (lldpad's keep-alive timeout is ~0.27 s at RKA 14; we hold for 2 s),
# Pre-Associate-RR with the M-bit, De-Associate; every filter format;
# the bytes on the wire (tshark); bridge-initiated De-Associate when our
# keep-alives stop (station killed) reaches lldpad's log.
. "${SN_SOURCE:-$(dirname "$0")/../..}/lab/lib.sh"
VDPDIAG=${SN_BUILD:-build/dev}/tools/vdpdiag
lab_init lldpad_bridge
lab_ns st; lab_ns br
lab_veth st st0 br br0 02:00:00:00:00:01 02:00:00:00:00:02
lab_bg br "$LAB/tshark.log" tshark -i br0 -w "$LAB/cap.pcapng"
wait_for 20 "tshark capturing" grep -q Capturing "$LAB/tshark.log"
LLDPAD_RKA=14 lab_lldpad br bridge br0
S="ip netns exec $(ns st)"
U1=00112233-4455-6677-8899-aabbccddeeff
U2=11111111-2222-3333-4444-555555555555

# 1. Full lifecycle with keep-alives.
$S timeout 60 "$VDPDIAG" station -i st0 --rka 14 --typeid 5 --typeidver 4 \
	--uuid $U1 --filter 100-52:54:00:11:22:33 \
	preassoc assoc hold=2000 deassoc >"$LAB/run1.out" 2>"$LAB/run1.log" ||
	fail "station run 1 exited $?: $(cat "$LAB/run1.out")"
grep -q '^result preassoc note=preassociated reason=ok' "$LAB/run1.out" || fail "no pre-associate"
grep -q '^result assoc note=associated reason=ok' "$LAB/run1.out" || fail "no associate"
grep -q '^result deassoc note=deassociated reason=ok' "$LAB/run1.out" || fail "no de-associate"
pass "pre-associate, associate, de-associate confirmed by lldpad"

# 2. Pre-Associate-RR with the M-bit, then every filter format.
$S timeout 60 "$VDPDIAG" station -i st0 --rka 14 --uuid $U2 \
	--filter 200-52:54:00:aa:bb:cc preassoc-rr:to assoc deassoc:from \
	>"$LAB/run2.out" 2>"$LAB/run2.log" || fail "station run 2: $(cat "$LAB/run2.out")"
pass "pre-associate-rr (M) and de-associate (S)"
n=0
for f in 300 301-52:54:00:00:00:01 302--6000 303-52:54:00:00:00:03-5000; do
	n=$((n + 1))
	$S timeout 60 "$VDPDIAG" station -i st0 --rka 14 \
		--uuid 3333333$n-0000-0000-0000-00000000000$n --filter "$f" \
		assoc deassoc >"$LAB/fmt$n.out" 2>"$LAB/fmt$n.log" ||
		fail "filter $f: $(cat "$LAB/fmt$n.out")"
done
pass "filter formats 1-4 accepted by lldpad"

# 3. Keep-alives: the station kept re-sending Associate during the hold.
tx=$(sed -n 's/.*ECP counters: tx \([0-9]*\) .*/\1/p' "$LAB/run1.log")
[ "${tx:-0}" -ge 6 ] || fail "expected keep-alives during the 2 s hold, ECP tx count ${tx:-none}"
pass "keep-alives sent ($tx ECPDUs in run 1)"

# 4. Bridge-initiated De-Associate: kill the station while associated.
$S "$VDPDIAG" station -i st0 --rka 14 --uuid 44444444-0000-0000-0000-000000000004 \
	--filter 400-52:54:00:44:44:44 assoc hold=60000 >"$LAB/run4.out" 2>"$LAB/run4.log" &
st_pid=$!
wait_for 30 "association confirmed" grep -q '^result assoc note=associated' "$LAB/run4.out"
kill -KILL $st_pid
wait $st_pid 2>/dev/null || true
wait_for 20 "lldpad de-associates after the keep-alive timeout" \
	grep -q 'vdp22br_deassoc\|DEASSOC' "$LAB/lldpad-br.log"
pass "lldpad de-associated the VSI after our keep-alives stopped"

# 5. The bytes on the wire: our Associate request for run 1, exactly.
sleep 0.5
kill -INT "$(pgrep -f "tshark -i br0 -w $LAB/cap.pcapng" | head -1)" 2>/dev/null || true
wait_for 10 "capture closed" sh -c "tshark -r '$LAB/cap.pcapng' -c 1 >/dev/null 2>&1"
pcap_hex "$LAB/cap.pcapng" 'ecp.op == 0 && eth.src == 02:00:00:00:00:01' \
	>"$LAB/req.hex"
[ -s "$LAB/req.hex" ] || fail "tshark saw no ECP request from the station"
# Run 1's Pre-Associate, byte for byte but the ECP sequence number:
# group dst, our MAC, 0x8940, ECP 0x1001, Manager ID "mgr1", TLV type 1
# length 33, status 0, type 5 v4, UUID, MAC/VID 52:54:00:11:22:33 VID
# 100, End TLV.
want="0180c2000000020000000001894010[0-9a-f]{6}0a106d6772310{24}"
want="${want}022100000005040500112233445566778899aabbccddeeff0200015254001122330064"
grep -Eq "^${want}0000$" "$LAB/req.hex" ||
	fail "our Pre-Associate is not the expected bytes; frames seen: $(head -3 "$LAB/req.hex")"
tshark -r "$LAB/cap.pcapng" -Y 'ecp.op == 0 && eth.src == 02:00:00:00:00:02 && vdp21.assoc.flags.req_rsp == 1' \
	2>/dev/null | grep -q . || fail "no VDP response from lldpad in the capture"
tshark -r "$LAB/cap.pcapng" -Y 'ecp.op == 1 && eth.src == 02:00:00:00:00:01' \
	2>/dev/null | grep -q . || fail "no ECP ACK from our station in the capture"
pass "capture: our ECPDUs, our ACKs and lldpad's responses on the wire"
