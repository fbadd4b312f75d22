#!/bin/bash
# nnved_lldpad.sh - nnved (the External NVE) as the VDP bridge, Debian's
# lldpad/vdptool as the station (RFC 8394 hypervisor side).
#
#   ns st                                   ns nve
#   vdptool -> lldpad -- st0 ===== nve0 -- nnved (VIDs 100-199)
#                                       \       <- nvectl --json
#                                        \-- tshark capture
#
# Checks, each against nvectl's view of nnved's tables:
#   1. VID 0 in VN 5000 answered with a tag from 100-199 that vdptool
#      prints; the TSI is Activated; a second TSI of VN 5000 gets the same
#      tag (one VAP per VN, implicit VN_Connect);
#   2. Pre-Associate -> Associated, Pre-Associate-RR with the M-bit ->
#      Associated with hint M, Associate -> Activated, De-Associate -> gone;
#      the last TSI of a VN gone, its tag is reclaimed;
#   3. filter formats 1-4 (1 and 2 through the port's VLAN map);
#   4. policy: a VN the station may not attach, an address outside the
#      VN's prefixes, a MAC held by another TSI: each an error in vdptool,
#      a counter in nnved, nothing associated;
#   5. bad frames (truncated ECP, bad version, wrong-length VSI TLV) are
#      counted, the bad TLV is answered with code 1, and nnved keeps serving;
#   6. keep-alives hold the associations; the operator's de-associate
#      (nvectl tsi deassociate) sends a De-Associate and frees the TSI;
#   7. lldpad killed: nnved de-associates every TSI after the keep-alive
#      timeout and the VAPs disconnect;
#   8. the response bytes on the wire (tshark).
. "${SN_SOURCE:-$(dirname "$0")/../..}/lab/lib.sh"
B=${SN_BUILD:-build/dev}
NNVED=$B/daemons/nnved
NVECTL=$B/tools/nvectl
INJECT=$B/tools/ethinject
lab_init nnved_lldpad
lab_ns st; lab_ns nve
lab_veth st st0 nve nve0 02:00:00:00:00:01 02:00:00:00:00:02
SOCK="$LAB/nnved.sock"
cat >"$LAB/nnved.conf" <<EOF
control "$SOCK"
evb retries 3 rte 8 rwd 20 rka 14
vids 100-199
port nve0 {
	default-vn 7000
	vlan 401 vn 401
}
station 02:00:00:00:00:01 {
	vn 5000 6000 7000 401
}
vn 5000 {
	allow mac 52:54:00:00:00:00/24 198.51.100.0/24
}
EOF
"$NNVED" -n -f "$LAB/nnved.conf" || fail "nnved -n refuses the lab config"
lab_bg nve "$LAB/tshark.log" tshark -i nve0 -w "$LAB/cap.pcapng"
wait_for 20 "tshark capturing" grep -q Capturing "$LAB/tshark.log"
lab_bg nve "$LAB/nnved.log" "$NNVED" -d -f "$LAB/nnved.conf"
NNVED_PID=$LAST_PID
wait_for 10 "nnved port up" grep -q "nve0: VDP bridge port up" "$LAB/nnved.log"
LLDPAD_RKA=14 lab_lldpad st station st0
S="ip netns exec $(ns st)"
MGR="-c mgrid2=mgr1 -c typeid=5 -c typeidver=4"

ctl() { "$NVECTL" -s "$SOCK" "$@"; }
# tsi_field UUID FIELD: one field of the TSI with that VSI ID ("" if none)
tsi_field() {
	ctl --json tsi show | jq -r --arg id "$1" --arg f "$2" \
		'.[] | select(.vsiid == $id) | .[$f] | if type == "array" then join(",") else tostring end'
}
counter() { ctl --json counters show | jq -r ".[0].$1"; }
vdp() {	# vdp MODE UUID FILTER [HINTS] -> vdptool output in $LAB/out
	$S vdptool -i st0 -T -W -V "$1" -c mode="$1" $MGR -c uuid="$2" \
		-c hints="${4:-none}" -c filter="$3" >"$LAB/out" 2>&1
}

# lldpad accepts VDP requests only once its EVB module has our TLV.
wait_for 40 "lldpad station accepts VDP" sh -c "
	$S vdptool -i st0 -T -W -V assoc -c mode=assoc $MGR \
	  -c uuid=a1a1a1a1-0000-0000-0000-0000000000a1 -c hints=none \
	  -c filter=0-52:54:00:00:00:a1-5000 2>&1 | grep -q 'mode = assoc'"

# 1. VID 0 in VN 5000: a tag from 100-199, printed by vdptool.
U1=00112233-4455-6677-8899-aabbccddeeff
vdp assoc $U1 0-52:54:00:11:22:33-5000
grep -q 'mode = assoc' "$LAB/out" || fail "associate: $(cat "$LAB/out")"
vid=$(sed -n 's/.*filter = \([0-9]*\)-52:54:00:11:22:33.*/\1/p' "$LAB/out")
[ -n "$vid" ] && [ "$vid" -ge 100 ] && [ "$vid" -le 199 ] ||
	fail "assigned VID '$vid' not in 100-199: $(cat "$LAB/out")"
[ "$(tsi_field $U1 state)" = ACTIVATED ] ||
	fail "nvectl: TSI $U1 is '$(tsi_field $U1 state)', not ACTIVATED"
[ "$(tsi_field $U1 vid)" = "$vid" ] && [ "$(tsi_field $U1 vn)" = 5000 ] ||
	fail "nvectl: TSI $U1 vid/vn $(tsi_field $U1 vid)/$(tsi_field $U1 vn)"
first=$(tsi_field a1a1a1a1-0000-0000-0000-0000000000a1 vid)
[ "$first" = "$vid" ] || fail "two TSIs of VN 5000 got tags $first and $vid"
ctl vn show | grep -Eq "nve0 +5000 .*CONNECTED" || fail "VN 5000 not connected: $(ctl vn show)"
pass "VID 0 answered with tag $vid (vdptool, nvectl); VN 5000 shares one tag"

# 2. The TSI lifecycle.
U2=11111111-2222-3333-4444-555555555555
vdp preassoc $U2 0-52:54:00:aa:bb:cc-5000
grep -q 'mode = preassoc' "$LAB/out" || fail "pre-associate: $(cat "$LAB/out")"
[ "$(tsi_field $U2 state)" = ASSOCIATED ] || fail "pre-associate: TSI is '$(tsi_field $U2 state)'"
U3=33333333-2222-3333-4444-555555555555
vdp preassoc-rr $U3 0-52:54:00:33:33:33-5000 to
grep -q 'mode = preassoc-rr' "$LAB/out" || fail "pre-associate-rr: $(cat "$LAB/out")"
[ "$(tsi_field $U3 migration)" = M ] || fail "M-bit not shown by nvectl: '$(tsi_field $U3 migration)'"
# lldpad keeps the assigned VID: the follow-up request names it
vdp assoc $U2 $vid-52:54:00:aa:bb:cc-5000 || fail "activate: $(cat "$LAB/out")"
[ "$(tsi_field $U2 state)" = ACTIVATED ] || fail "activate: TSI is '$(tsi_field $U2 state)'"
vdp deassoc $U2 $vid-52:54:00:aa:bb:cc-5000 || fail "de-associate: $(cat "$LAB/out")"
grep -q 'mode = deassoc' "$LAB/out" || fail "de-associate: $(cat "$LAB/out")"
[ -z "$(tsi_field $U2 state)" ] || fail "de-associated TSI still listed"
vdp deassoc $U3 $vid-52:54:00:33:33:33-5000 || fail "de-associate: $(cat "$LAB/out")"
pass "Associate, Activate (M-bit shown), De-Associate reach the TSI machine"

# 3. Filter formats 1-4 (format 1: default-vn 7000; format 2: vlan 401).
n=0
for f in 0 401-52:54:00:00:04:01 0--6000 0-52:54:00:00:04:04-5000; do
	n=$((n + 1))
	vdp assoc 4444444$n-0000-0000-0000-00000000000$n "$f"
	grep -q 'mode = assoc' "$LAB/out" || fail "format $n ($f): $(cat "$LAB/out")"
done
[ "$(tsi_field 44444441-0000-0000-0000-000000000001 vn)" = 7000 ] || fail "format 1 not in default-vn 7000"
[ "$(tsi_field 44444442-0000-0000-0000-000000000002 vid)" = 401 ] || fail "format 2 did not keep VID 401"
[ "$(tsi_field 44444443-0000-0000-0000-000000000003 vn)" = 6000 ] || fail "format 3 not in VN 6000"
pass "filter formats 1-4 associated (VN from GroupID, VLAN map, default-vn)"

# 4. Policy refusals reach vdptool; nnved counts them.  A refused request
# comes back as mode deassoc (vdptool prints a text for codes 1-4 only).
refused() { grep -q 'mode = deassoc' "$LAB/out"; }
vdp assoc 99999999-0000-0000-0000-000000000001 0-52:54:00:99:99:99-9999
refused || fail "VN 9999 not refused: $(cat "$LAB/out")"
vdp assoc 99999999-0000-0000-0000-000000000002 0-02:aa:00:00:00:01-5000
refused || fail "MAC outside VN 5000 not refused: $(cat "$LAB/out")"
vdp assoc 99999999-0000-0000-0000-000000000003 0-52:54:00:11:22:33-5000
refused || fail "MAC of another TSI not refused: $(cat "$LAB/out")"
[ "$(counter refused_policy_station)" -ge 1 ] && [ "$(counter refused_policy_addr)" -ge 1 ] &&
	[ "$(counter refused_addr_taken)" -ge 1 ] || fail "refusal counters: $(ctl --json counters show)"
[ -z "$(tsi_field 99999999-0000-0000-0000-000000000003 state)" ] || fail "refused TSI listed"
pass "VN not allowed, address outside the VN, address of another TSI: refused and counted"

# 5. Bad frames: counted, answered where VDP defines an answer, nnved serves on.
P=$(ip netns exec "$(ns st)" cat /sys/class/net/st0/address | tr -d :)
E="0180c2000000${P}8940"
ip netns exec "$(ns st)" "$INJECT" -i st0 \
	"${E}10" \
	"${E}f0010001" \
	"${E}1001fff0""0a106d677231000000000000000000000000""061e000000050405""$(printf '%032x' 0x5151)""0400010000138852""0000" ||
	fail "ethinject"
wait_for 5 "bad frames counted" sh -c "[ \$($NVECTL -s $SOCK --json port show | jq '.[0].rx_bad') -ge 2 ]"
wait_for 5 "bad TLV answered" grep -q "invalid VSI TLV" "$LAB/nnved.log"
vdp assoc 55555555-0000-0000-0000-000000000005 0-52:54:00:00:05:05-5000
grep -q 'mode = assoc' "$LAB/out" || fail "nnved stopped serving after bad frames: $(cat "$LAB/out")"
kill -0 $NNVED_PID || fail "nnved died"
pass "truncated/bad-version ECP frames counted, wrong-length TLV answered, service continues"

# 6. Keep-alives hold; the operator de-associates one TSI.
wait_for 30 "keep-alives arrive" sh -c "[ \$($NVECTL -s $SOCK --json tsi show | jq '[.[] | select(.vsiid == \"$U1\") | .keepalives][0]') -ge 5 ]"
[ "$(tsi_field $U1 state)" = ACTIVATED ] || fail "kept-alive TSI lost"
ctl tsi deassociate 55555555-0000-0000-0000-000000000005 >/dev/null || fail "nvectl tsi deassociate"
[ -z "$(tsi_field 55555555-0000-0000-0000-000000000005 state)" ] || fail "operator de-associate left the TSI"
[ "$(counter operator_deassoc)" -ge 1 ] || fail "operator_deassoc not counted"
pass "keep-alives hold the TSIs; operator de-associate frees one"

# 7. lldpad killed: every TSI de-associated after the keep-alive timeout.
kill -KILL "$LLDPAD_PID"
wait_for 20 "TSIs time out" sh -c "[ \$($NVECTL -s $SOCK --json tsi show | jq length) -eq 0 ]"
[ "$(counter ka_timeouts)" -ge 1 ] || fail "ka_timeouts not counted"
[ "$(ctl --json vn show | jq length)" -eq 0 ] || fail "VNs still connected: $(ctl vn show)"
pass "silent station: TSIs de-associated after the keep-alive timeout, VNs disconnected"

# 8. Wire bytes: our Associate response to the VID 0 request of U1.
kill -TERM "$NNVED_PID"
wait_for 10 "nnved exits" sh -c "! kill -0 $NNVED_PID"
grep -q "ERROR: AddressSanitizer\|runtime error" "$LAB/nnved.log" && fail "sanitizer report in nnved.log"
kill -INT "$(pgrep -f "tshark -i nve0 -w $LAB/cap.pcapng" | head -1)" 2>/dev/null || true
wait_for 10 "capture readable" sh -c "tshark -r '$LAB/cap.pcapng' -c 1 >/dev/null 2>&1"
pcap_hex "$LAB/cap.pcapng" 'ecp.op == 0 && eth.src == 02:00:00:00:00:02' >"$LAB/rsp.hex"
hexvid=$(printf '%04x' "$vid")
want="0180c2000000020000000002894010[0-9a-f]{6}0a106d6772310{24}"
want="${want}062540000005040500112233445566778899aabbccddeeff04000100001388525400112233${hexvid}"
grep -Eq "^${want}" "$LAB/rsp.hex" ||
	fail "no Associate response with VID $vid on the wire; saw: $(head -3 "$LAB/rsp.hex")"
pass "capture: response 0x40 with GroupID 5000 and VID $vid on the wire"
