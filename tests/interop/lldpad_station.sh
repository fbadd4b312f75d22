#!/bin/bash
# lldpad_station.sh - lldpad (Debian) as the VDP station driven by vdptool,
# the splitnve library as the bridge (vdpdiag bridge).
#
#   ns st                              ns br
#   vdptool -> lldpad -- st0 ==== br0 -- vdpdiag bridge (VIDs 100-199,
#                                     \      refuses type ID 77)
#                                      \-- tshark capture
#
# Checks: Associate with VID 0 answered with an assigned VID that vdptool
# prints; Pre-Associate, Pre-Associate-RR (M-bit), De-Associate; filter
# formats 1-4; a refused VSI type reaches vdptool as a bridge error;
# keep-alives hold the association; a killed lldpad leads our bridge to
# de-associate after the keep-alive timeout; the response bytes on the wire.
. "${SN_SOURCE:-$(dirname "$0")/../..}/lab/lib.sh"
VDPDIAG=${SN_BUILD:-build/dev}/tools/vdpdiag
lab_init lldpad_station
lab_ns st; lab_ns br
lab_veth st st0 br br0 02:00:00:00:00:01 02:00:00:00:00:02
lab_bg br "$LAB/tshark.log" tshark -i br0 -w "$LAB/cap.pcapng"
wait_for 20 "tshark capturing" grep -q Capturing "$LAB/tshark.log"
lab_bg br "$LAB/bridge.log" "$VDPDIAG" bridge -i br0 -v --rka 14 \
	--vids 100-199 --reject-typeid 77 --reject-code 2
BR_PID=$LAST_PID
wait_for 10 "vdpdiag bridge up" grep -q "bridge on br0" "$LAB/bridge.log"
LLDPAD_RKA=14 lab_lldpad st station st0
S="ip netns exec $(ns st)"
MGR="-c mgrid2=mgr1 -c typeid=5 -c typeidver=4"

vdp() {	# vdp MODE UUID FILTER [HINTS] -> vdptool output in $LAB/out
	$S vdptool -i st0 -T -W -V "$1" -c mode="$1" $MGR -c uuid="$2" \
		-c hints="${4:-none}" -c filter="$3" >"$LAB/out" 2>&1
}

# lldpad accepts VDP requests only once its EVB module has our TLV.  (Its
# UUID check looks at the first 8 octets only, sizeof a pointer: a UUID
# starting with 8 zero octets is refused as "Invalid parameters".)
wait_for 40 "lldpad station accepts VDP" sh -c "
	$S vdptool -i st0 -T -W -V assoc -c mode=assoc $MGR \
	  -c uuid=a1a1a1a1-0000-0000-0000-0000000000a1 -c hints=none \
	  -c filter=0-52:54:00:00:00:a1 2>&1 | grep -q 'mode = assoc'"

# 1. VID 0: the bridge assigns one from 100-199 and vdptool prints it.
vdp assoc 00112233-4455-6677-8899-aabbccddeeff 0-52:54:00:11:22:33
grep -q 'mode = assoc' "$LAB/out" || fail "associate: $(cat "$LAB/out")"
vid=$(sed -n 's/.*filter = \([0-9]*\)-52:54:00:11:22:33.*/\1/p' "$LAB/out")
[ -n "$vid" ] && [ "$vid" -ge 100 ] && [ "$vid" -le 199 ] ||
	fail "assigned VID '$vid' not in 100-199: $(cat "$LAB/out")"
pass "VID 0 answered with assigned VID $vid, printed by vdptool"

# 2. Pre-Associate, Pre-Associate-RR with the M-bit (new VSI), De-Associate.
U=11111111-2222-3333-4444-555555555555
vdp preassoc $U 200-52:54:00:aa:bb:cc
grep -q 'mode = preassoc' "$LAB/out" || fail "pre-associate: $(cat "$LAB/out")"
U3=33333333-2222-3333-4444-555555555555
vdp preassoc-rr $U3 300-52:54:00:33:33:33 to
grep -q 'mode = preassoc-rr' "$LAB/out" || fail "pre-associate-rr: $(cat "$LAB/out")"
wait_for 5 "bridge saw the M-bit" grep -q "M: migrating in" "$LAB/bridge.log"
vdp deassoc $U 200-52:54:00:aa:bb:cc
grep -q 'mode = deassoc' "$LAB/out" || fail "de-associate: $(cat "$LAB/out")"
grep -q 'Error' "$LAB/out" && fail "de-associate got an error: $(cat "$LAB/out")"
pass "pre-associate, pre-associate-rr (M-bit seen by the bridge), de-associate"

# 3. Filter formats 1-4 (3 and 4 carry the GroupID = VNI).
n=0
for f in 0 401-52:54:00:00:04:01 0--6000 0-52:54:00:00:04:04-5000; do
	n=$((n + 1))
	vdp assoc 4444444$n-0000-0000-0000-00000000000$n "$f"
	grep -q 'mode = assoc' "$LAB/out" || fail "format $n ($f): $(cat "$LAB/out")"
done
pass "filter formats 1-4 associated"

# 4. Policy refusal reaches vdptool as an error from the bridge.
$S vdptool -i st0 -T -W -V assoc -c mode=assoc -c mgrid2=mgr1 -c typeid=77 \
	-c typeidver=1 -c uuid=77777777-0000-0000-0000-000000000077 -c hints=none \
	-c filter=0-52:54:00:77:77:77 >"$LAB/out" 2>&1
grep -q 'Error returned by Bridge: Insufficient resources' "$LAB/out" ||
	fail "refusal not reported by vdptool: $(cat "$LAB/out")"
pass "refused VSI type reached vdptool as 'Insufficient resources'"

# 5. Keep-alives hold the associations (RKA 14: one every ~0.16 s).
wait_for 10 "keep-alives arrive" sh -c "[ \$(grep -c 'keep-alive' '$LAB/bridge.log') -ge 10 ]"
grep -q "timer: .*vsiid=00112233-4455-6677-8899-aabbccddeeff" "$LAB/bridge.log" &&
	fail "bridge timed out a VSI that was kept alive"
pass "keep-alives hold the association"

# 6. lldpad killed: our bridge de-associates every VSI after the timeout.
kill -KILL "$LLDPAD_PID"
wait_for 20 "bridge de-associates after keep-alive timeout" \
	grep -q "timer: .*vsiid=00112233-4455-6677-8899-aabbccddeeff.*(state END)" "$LAB/bridge.log"
pass "bridge de-associated after the station went silent"

# 7. Wire bytes: our Associate response to the VID 0 request.
kill -TERM "$BR_PID"
wait_for 10 "bridge exits" sh -c "! kill -0 $BR_PID"
kill -INT "$(pgrep -f "tshark -i br0 -w $LAB/cap.pcapng" | head -1)" 2>/dev/null || true
wait_for 10 "capture readable" sh -c "tshark -r '$LAB/cap.pcapng' -c 1 >/dev/null 2>&1"
pcap_hex "$LAB/cap.pcapng" 'ecp.op == 0 && eth.src == 02:00:00:00:00:02' \
	>"$LAB/rsp.hex"
hexvid=$(printf '%04x' "$vid")
want="0180c2000000020000000002894010[0-9a-f]{6}0a106d6772310{24}"
want="${want}062140000005040500112233445566778899aabbccddeeff020001525400112233${hexvid}"
grep -Eq "^${want}0000$" "$LAB/rsp.hex" ||
	fail "no Associate response with VID $vid on the wire; saw: $(head -2 "$LAB/rsp.hex")"
tshark -r "$LAB/cap.pcapng" -Y 'ecp.op == 1 && eth.src == 02:00:00:00:00:02' \
	2>/dev/null | grep -q . || fail "no ECP ACK from our bridge in the capture"
pass "capture: response 0x40 with VID $vid and our ACKs on the wire"
