#!/bin/bash
# tnved_lldpad.sh - lldpad (Debian) as the VDP bridge, tnved as the
# station: a standard peer with none of our extensions.
#
#   ns hv: tnved -- up0 ==== br0 -- lldpad (evbmode bridge), tshark
#
# Checks: define (Pre-Associate) and start (Associate) confirmed by
# lldpad with the VID it assigned; keep-alives hold the association;
# shutdown (De-Associate); a bridge-initiated De-Associate (lldpad times
# the VSI out while tnved is stopped) is reported by tnved, the TSI
# marked down and counted; tnved sent no extension TLV to lldpad.
. "${SN_SOURCE:-$(dirname "$0")/../..}/lab/lib.sh"
B=${SN_BUILD:-build/dev}
TNVED=$B/daemons/tnved
NVECTL=$B/tools/nvectl
lab_init tnved_lldpad
lab_ns hv; lab_ns br
lab_veth hv up0 br br0 02:00:00:00:00:01 02:00:00:00:00:02
lab_bg br "$LAB/tshark.log" tshark -i br0 -w "$LAB/cap.pcapng"
wait_for 20 "tshark capturing" grep -q Capturing "$LAB/tshark.log"
LLDPAD_RKA=14 lab_lldpad br bridge br0
cat >"$LAB/tnved.conf" <<EOF
control "$LAB/tnved.sock"
state-dir "$LAB/state"
state-sync no
manager-id 192.0.2.1
vsi-type 5 4
op-timeout 10000
nve tor {
	interface up0
}
EOF
lab_bg hv "$LAB/tnved.log" "$TNVED" -d -f "$LAB/tnved.conf"
TN_PID=$LAST_PID
t() { "$NVECTL" -s "$LAB/tnved.sock" "$@"; }
wait_for 20 "tnved hears lldpad's EVB TLV" sh -c \
	"'$NVECTL' -s '$LAB/tnved.sock' --json nve show | jq -e '.[0].health == \"up\"'"
t --json nve show | jq -e '.[0].caps == "none"' >/dev/null ||
	fail "extensions agreed with lldpad: $(t --json nve show | jq -c '.[0].caps')"
tsi() { t -d tnved --json tsi show | jq -r --arg f "$1" '.[0][$f] | tostring'; }
vm() { t --json vm show | jq -r --arg f "$1" '.[0][$f] | tostring'; }
V1=11111111-2222-3333-4444-555555555555
cat >"$LAB/vm.json" <<EOF
{"name": "web1", "tsis": [{"port": "vnet0", "mac": "52:54:00:11:22:33",
 "vn": 5001, "vsiid": "$V1", "ips": ["198.51.100.20"]}]}
EOF

# 1. define: Pre-Associate with VID 0 (the bridge's choice).
t vm define "$LAB/vm.json" >/dev/null || fail "define: $(tail -5 "$LAB/tnved.log")"
[ "$(vm state)" = shutdown ] && [ "$(tsi mode)" = preassoc ] ||
	fail "after define: vm $(vm state), TSI $(tsi mode)"
pass "define: pre-associated by lldpad (VID $(tsi vid))"

# 2. start: Associate naming the assigned VID.
t vm start web1 >/dev/null || fail "start: $(tail -5 "$LAB/tnved.log")"
[ "$(vm state)" = running ] && [ "$(tsi mode)" = assoc ] ||
	fail "after start: vm $(vm state), TSI $(tsi mode)"
pass "start: associated by lldpad (VID $(tsi vid))"

# 3. keep-alives hold the association (lldpad times out in ~0.3 s).
k0=$(tsi keepalives)
sleep 2
[ "$(tsi status)" = ok ] && [ "$(tsi mode)" = assoc ] || fail "association lost during the hold: $(tsi status)"
[ "$(tsi keepalives)" -ge $((k0 + 4)) ] || fail "too few keep-alives: $k0 -> $(tsi keepalives)"
pass "keep-alives hold the association ($(tsi keepalives) sent)"

# 4. shutdown: De-Associate confirmed.
t vm shutdown web1 >/dev/null || fail "shutdown: $(tail -5 "$LAB/tnved.log")"
[ "$(vm state)" = shutdown ] && [ "$(tsi mode)" = none ] || fail "after shutdown: $(tsi mode)"
pass "shutdown: de-associated"

# 5. bridge-initiated De-Associate: lldpad times the VSI out while
#    tnved is stopped; tnved reports it and marks the TSI down.
t vm start web1 >/dev/null || fail "second start"
kill -STOP "$TN_PID"
wait_for 20 "lldpad de-associates the silent VSI" \
	grep -q 'vdp22br_deassoc\|DEASSOC' "$LAB/lldpad-br.log"
sleep 0.5
kill -CONT "$TN_PID"
wait_for 10 "tnved marks the TSI down" sh -c \
	"[ \"\$('$NVECTL' -s '$LAB/tnved.sock' -d tnved --json tsi show | jq -r '.[0].status')\" = down ]"
[ "$(vm state)" = running ] || fail "VM state changed by the NVE's de-associate"
t -d tnved --json counters show | jq -e '.[0].tsi_nve_deassoc >= 1' >/dev/null ||
	fail "the NVE's de-associate was not counted"
grep -q "de-associated by NVE tor" "$LAB/tnved.log" || fail "not logged"
pass "bridge-initiated de-associate reported, TSI down, counted"

# 6. The wire: no Org TLV of ours went to lldpad, which offered none.
sleep 0.3
kill -INT "$(pgrep -f "tshark -i br0 -w $LAB/cap.pcapng" | head -1)" 2>/dev/null || true
wait_for 10 "capture closed" sh -c "tshark -r '$LAB/cap.pcapng' -c 1 >/dev/null 2>&1"
pcap_hex "$LAB/cap.pcapng" 'ecp.op == 0 && eth.src == 02:00:00:00:00:01' >"$LAB/req.hex"
[ -s "$LAB/req.hex" ] || fail "no ECP request from tnved in the capture"
grep -Eq 'f[ef][0-9a-f]{2}acde48' "$LAB/req.hex" && fail "tnved sent an extension TLV to lldpad"
pass "capture: $(wc -l <"$LAB/req.hex") VDP requests, none with an extension TLV"
