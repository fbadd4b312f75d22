#!/bin/bash
# nnved_bridged.sh - three end devices reach one nnved port through a plain
# Linux bridge (RFC 8394 Req-1, Req-2), one of them authenticating with the
# HMAC extension (Req-11), one with the wrong key.
#
#   ns hv1: lldpad/vdptool ---- p1 \
#   ns hv2: vdpdiag --key 1  -- p2 -- br0 (ns sw, plain bridge) -- nve0: nnved
#   ns hv3: vdpdiag --key 1' -- p3 /       (hv ports isolated)     tshark
#
# The hypervisor-facing ports are isolated from each other (a blade switch
# would do the same) and the bridge passes LLDP (group_fwd_mask 0x4000);
# ECP's 01-80-C2-00-00-00 crosses a bridge without STP.  Every station
# still hears nnved's group-addressed PDUs to the others, which is why
# nnved numbers ECP PDUs per port.
#
# Checks: one ECP session per station MAC on the one port (nvectl station
# show); lldpad's and the authenticated vdpdiag's TSIs both associated in
# VN 5000 with the one tag of the port; the wrong key gets no TSI and is
# counted as an authentication failure; nnved's PDUs to the authenticated
# station carry the auth TLV last (tshark).
. "${SN_SOURCE:-$(dirname "$0")/../..}/lab/lib.sh"
B=${SN_BUILD:-build/dev}
NNVED=$B/daemons/nnved
NVECTL=$B/tools/nvectl
VDPDIAG=$B/tools/vdpdiag
lab_init nnved_bridged
lab_ns hv1; lab_ns hv2; lab_ns hv3; lab_ns sw; lab_ns nve
lab_bridge sw br0
ip -n "$(ns sw)" link set br0 type bridge group_fwd_mask 0x4000
lab_veth hv1 st1 sw p1 02:00:00:00:01:01 02:00:00:00:01:02
lab_veth hv2 st2 sw p2 02:00:00:00:02:01 02:00:00:00:02:02
lab_veth hv3 st3 sw p3 02:00:00:00:03:01 02:00:00:00:03:02
lab_veth nve nve0 sw pn 02:00:00:00:00:02 02:00:00:00:00:03
for p in p1 p2 p3 pn; do ip -n "$(ns sw)" link set "$p" master br0; done
for p in p1 p2 p3; do ip netns exec "$(ns sw)" bridge link set dev "$p" isolated on; done

KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
BADKEY=ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
SOCK="$LAB/nnved.sock"
cat >"$LAB/nnved.conf" <<EOF
control "$SOCK"
evb retries 3 rte 8 rwd 20 rka 14
vids 300-399
key 1 "$KEY"
port nve0 {
}
station 02:00:00:00:01:01 {
	vn 5000
}
station 02:00:00:00:02:01 {
	key 1
	vn 5000
}
station 02:00:00:00:03:01 {
	key 1
	vn 5000
}
EOF
lab_bg nve "$LAB/tshark.log" tshark -i nve0 -w "$LAB/cap.pcapng"
wait_for 20 "tshark capturing" grep -q Capturing "$LAB/tshark.log"
lab_bg nve "$LAB/nnved.log" "$NNVED" -d -f "$LAB/nnved.conf"
NNVED_PID=$LAST_PID
wait_for 10 "nnved port up" grep -q "nve0: VDP bridge port up" "$LAB/nnved.log"
ctl() { "$NVECTL" -s "$SOCK" "$@"; }
tsi_field() {
	ctl --json tsi show | jq -r --arg id "$1" --arg f "$2" \
		'.[] | select(.vsiid == $id) | .[$f] | tostring'
}
st_field() {
	ctl --json station show | jq -r --arg m "$1" --arg f "$2" \
		'.[] | select(.mac == $m) | .[$f] | tostring'
}

# hv1: lldpad, standard VDP, no key.
LLDPAD_RKA=14 lab_lldpad hv1 station st1
S1="ip netns exec $(ns hv1)"
MGR="-c mgrid2=mgr1 -c typeid=5 -c typeidver=4"
U1=a1a1a1a1-1111-0000-0000-0000000000a1
wait_for 40 "lldpad (hv1) associates through the bridge" sh -c "
	$S1 vdptool -i st1 -T -W -V assoc -c mode=assoc $MGR -c uuid=$U1 \
	  -c hints=none -c filter=0-52:54:00:00:01:01-5000 2>&1 | grep -q 'mode = assoc'"
[ "$(tsi_field $U1 state)" = ACTIVATED ] || fail "hv1 TSI: '$(tsi_field $U1 state)'"
tag=$(tsi_field $U1 vid)
pass "lldpad behind the bridge associated (tag $tag)"

# hv2: our station with the right key, held associated for a while.
U2=b2b2b2b2-2222-0000-0000-0000000000b2
lab_bg hv2 "$LAB/hv2.log" "$VDPDIAG" station -i st2 --rka 14 --uuid $U2 \
	--filter 0-52:54:00:00:02:01-5000 --key "1:$KEY" assoc hold=4000 deassoc
HV2_PID=$LAST_PID
wait_for 20 "hv2 TSI activated" sh -c "[ \"\$($NVECTL -s $SOCK --json tsi show | jq -r '.[] | select(.vsiid == \"$U2\") | .state')\" = ACTIVATED ]"
[ "$(tsi_field $U2 vid)" = "$tag" ] || fail "hv2 got tag $(tsi_field $U2 vid), VN 5000 has $tag on this port"
[ "$(st_field 02:00:00:00:02:01 auth)" = "key 1" ] || fail "hv2 station auth: $(st_field 02:00:00:00:02:01 auth)"
[ "$(st_field 02:00:00:00:02:01 auth_ok)" -ge 1 ] || fail "hv2: no authenticated PDU counted"
[ "$(ctl --json station show | jq '[.[] | select(.port == "nve0")] | length')" -ge 2 ] ||
	fail "one session per station expected: $(ctl station show)"
pass "authenticated station behind the bridge: own ECP session, same VN tag $tag, auth_ok counted"

# hv3: wrong key -> refused before ECP acknowledges, counted, no TSI.
U3=c3c3c3c3-3333-0000-0000-0000000000c3
if ip netns exec "$(ns hv3)" "$VDPDIAG" station -i st3 --rka 14 --uuid $U3 \
	--filter 0-52:54:00:00:03:01-5000 --key "1:$BADKEY" --for 8000 assoc \
	>"$LAB/hv3.log" 2>&1; then
	fail "station with the wrong key succeeded: $(tail -3 "$LAB/hv3.log")"
fi
[ -z "$(tsi_field $U3 state)" ] || fail "wrong-key station got a TSI"
[ "$(st_field 02:00:00:00:03:01 auth_fail)" -ge 1 ] || fail "wrong key not counted: $(ctl station show)"
grep -q "02:00:00:00:03:01: authentication failed" "$LAB/nnved.log" || fail "wrong key not logged"
pass "wrong key: no ECP ACK, no TSI, counted and logged"

wait_for 20 "hv2 done" sh -c "! kill -0 $HV2_PID"
wait "$HV2_PID" || fail "hv2 station failed: $(tail -5 "$LAB/hv2.log")"
[ -z "$(tsi_field $U2 state)" ] || fail "hv2 TSI left after its de-associate"
[ "$(tsi_field $U1 state)" = ACTIVATED ] || fail "hv1 TSI lost meanwhile"
pass "hv2 de-associated; lldpad's TSI undisturbed"

# nnved's VDP PDUs to hv2 end with the auth TLV (fe 1f ac de 48 04 ...).
kill -TERM "$NNVED_PID"
wait_for 10 "nnved exits" sh -c "! kill -0 $NNVED_PID"
grep -q "ERROR: AddressSanitizer\|runtime error" "$LAB/nnved.log" && fail "sanitizer report in nnved.log"
kill -INT "$(pgrep -f "tshark -i nve0 -w $LAB/cap.pcapng" | head -1)" 2>/dev/null || true
wait_for 10 "capture readable" sh -c "tshark -r '$LAB/cap.pcapng' -c 1 >/dev/null 2>&1"
pcap_hex "$LAB/cap.pcapng" 'ecp.op == 0 && eth.src == 02:00:00:00:00:02' >"$LAB/tx.hex"
grep -q "b2b2b2b22222000000000000000000b2" "$LAB/tx.hex" || fail "no PDU to hv2 in the capture"
signed=$(grep "b2b2b2b22222000000000000000000b2" "$LAB/tx.hex" | grep -c "fe1facde4804")
total=$(grep -c "b2b2b2b22222000000000000000000b2" "$LAB/tx.hex")
[ "$signed" -eq "$total" ] || fail "$signed of $total PDUs to hv2 signed"
grep "a1a1a1a11111000000000000000000a1" "$LAB/tx.hex" | grep -q "fe1facde4804" &&
	fail "a PDU to lldpad carries our auth TLV"
pass "capture: all $total PDUs to hv2 signed (auth TLV last), none to lldpad"
