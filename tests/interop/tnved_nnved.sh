#!/bin/bash
# tnved_nnved.sh - tnved (the hypervisor side) against nnved (the NVE side):
# the whole VM lifecycle of RFC 8394 section 2, bad input, a restart of
# tnved, address changes, and live, aborted and cold migrations between a
# hypervisor behind one NVE and a hypervisor behind another.
#
#   ns hv1: tnved A -- up1 ==== swp1 -- nnved 1 (ns nve1)
#   ns hv2: tnved B -- up2 ==== swp1 -- nnved 2 (ns nve2)
#
# At every step both sides are read back through nvectl --json: the VM's
# RFC 7666 state in tnved, the TSI's state (ASSOCIATED / ACTIVATED), M/S
# hint and reason in each nnved.  nnved's RKA 17 (keep-alive every 1.3 s,
# timeout 2 s) leaves room for the restart of tnved in step 7.
. "${SN_SOURCE:-$(dirname "$0")/../..}/lab/lib.sh"
B=${SN_BUILD:-build/dev}
TNVED=$B/daemons/tnved
NNVED=$B/daemons/nnved
NVECTL=$B/tools/nvectl
lab_init tnved_nnved
lab_ns hv1; lab_ns hv2; lab_ns nve1; lab_ns nve2
lab_veth hv1 up1 nve1 swp1 02:00:00:00:01:01 02:00:00:00:01:02
lab_veth hv2 up2 nve2 swp1 02:00:00:00:02:01 02:00:00:00:02:02

for i in 1 2; do
	cat >"$LAB/nnved$i.conf" <<EOF
control "$LAB/nnved$i.sock"
evb retries 3 rte 8 rwd 14 rka 17
vids $((i * 100))-$((i * 100 + 99))
port swp1 {
}
station any {
	vn 5001 5002
}
vn 5001 {
	allow 198.51.100.0/24
	allow 2001:db8:100::/64
}
EOF
	lab_bg nve$i "$LAB/nnved$i.log" "$NNVED" -d -f "$LAB/nnved$i.conf"
	wait_for 10 "nnved $i up" grep -q "swp1: VDP bridge port up" "$LAB/nnved$i.log"
	cat >"$LAB/tnved$i.conf" <<EOF
control "$LAB/tnved$i.sock"
state-dir "$LAB/state$i"
state-sync no
op-timeout 5000
nve nve$i {
	interface up$i
}
EOF
done
start_tnved() {
	lab_bg hv$1 "$LAB/tnved$1.log" "$TNVED" -d -f "$LAB/tnved$1.conf"
	eval "TN$1_PID=$LAST_PID"
	wait_for 10 "tnved $1 control socket" test -S "$LAB/tnved$1.sock"
	wait_for 15 "tnved $1 sees nve$1" sh -c \
		"'$NVECTL' -s '$LAB/tnved$1.sock' --json nve show | jq -e '.[0].health == \"up\"'"
}
start_tnved 1
start_tnved 2

t() { i=$1; shift; "$NVECTL" -s "$LAB/tnved$i.sock" "$@"; }
n() { i=$1; shift; "$NVECTL" -s "$LAB/nnved$i.sock" "$@"; }
vmf() {	# vmf HV VM FIELD
	t "$1" --json vm show | jq -r --arg v "$2" --arg f "$3" \
		'.[] | select(.name == $v) | .[$f] | tostring'
}
tsif() {	# tsif HV VM FIELD (tnved's TSI 0)
	t "$1" -d tnved --json tsi show | jq -r --arg v "$2" --arg f "$3" \
		'.[] | select(.vm == $v and .tsi == 0) | .[$f] | tostring'
}
nvef() {	# nvef NVE VSIID FIELD ("" when the NVE has no such TSI)
	n "$1" --json tsi show | jq -r --arg id "$2" --arg f "$3" \
		'.[] | select(.vsiid == $id) | .[$f] | tostring'
}
expect() {	# expect WHAT GOT WANT
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

U1=7c9e6679-7425-40de-944b-e07fc1f90ae7
V1=5f0c2a9e-7b31-4d2a-9c4e-1d2b3c4d5e6f
cat >"$LAB/vm1.json" <<EOF
{"name": "vm1", "uuid": "$U1", "tsis": [{"port": "vnet0",
 "mac": "52:54:00:00:00:01", "vn": 5001, "vsiid": "$V1",
 "ips": ["198.51.100.10", "2001:db8:100::10"]}]}
EOF

# 1. create: Pre-Associate while the VM is shut down.
t 1 vm define "$LAB/vm1.json" >/dev/null || fail "vm define failed"
expect "tnved state after define" "$(vmf 1 vm1 state)" shutdown
expect "tnved hold after define" "$(vmf 1 vm1 hold)" associated
expect "nnved1 TSI after define" "$(nvef 1 $V1 state)" ASSOCIATED
expect "nnved1 reason after define" "$(nvef 1 $V1 reason)" 1
vid=$(nvef 1 $V1 vid)
[ "$vid" -ge 100 ] && [ "$vid" -le 199 ] || fail "nnved1 tag $vid not from 100-199"
expect "tag known to tnved" "$(tsif 1 vm1 vid)" "$vid"
n 1 --json tsi show | jq -e --arg id $V1 '.[] | select(.vsiid == $id) |
	.addresses | index("198.51.100.10@52:54:00:00:00:01") != null' >/dev/null ||
	fail "nnved1 did not get the TSI's IPv4 address: $(n 1 --json tsi show)"
pass "define: pre-associated (VID $vid, reason create, IP list at the NVE)"

# 2. start: Associate before the VM is reported running.
t 1 vm start vm1 >/dev/null || fail "vm start failed"
expect "state after start" "$(vmf 1 vm1 state)" running
expect "nnved1 after start" "$(nvef 1 $V1 state)" ACTIVATED
pass "start: activated, then running"

# 3. pause: nothing at the NVE; resume from paused: nothing either.
t 1 vm pause vm1 >/dev/null || fail "vm pause"
expect "state after pause" "$(vmf 1 vm1 state)" paused
expect "nnved1 after pause" "$(nvef 1 $V1 state)" ACTIVATED
t 1 vm resume vm1 >/dev/null || fail "vm resume (paused)"
expect "state after resume" "$(vmf 1 vm1 state)" running
pass "pause/resume: no change at the NVE"

# 4. suspend: deactivate; resume: activate.
t 1 vm suspend vm1 >/dev/null || fail "vm suspend"
expect "state after suspend" "$(vmf 1 vm1 state)" suspended
expect "nnved1 after suspend" "$(nvef 1 $V1 state)" ASSOCIATED
t 1 vm resume vm1 >/dev/null || fail "vm resume (suspended)"
expect "state after resume" "$(vmf 1 vm1 state)" running
expect "nnved1 after resume" "$(nvef 1 $V1 state)" ACTIVATED
pass "suspend deactivates (Associated), resume activates"

# 5. Bad input: clear errors, exit 1, nothing changes.
out=$(t 1 vm resume vm1 2>&1) && fail "resume of a running VM succeeded"
echo "$out" | grep -q "running" || fail "unclear error for resume-running: $out"
out=$(t 1 vm start nosuchvm 2>&1) && fail "start of an unknown VM succeeded"
echo "$out" | grep -q "no VM named" || fail "unclear error for an unknown VM: $out"
cat >"$LAB/dup.json" <<EOF
{"name": "dup", "tsis": [{"port": "vnet9", "mac": "52:54:00:00:00:09",
 "vn": 5001, "ips": ["198.51.100.10"]}]}
EOF
out=$(t 1 vm define "$LAB/dup.json" 2>&1) && fail "a second TSI claiming 198.51.100.10 was accepted"
echo "$out" | grep -q "held by VM vm1" || fail "unclear error for a taken address: $out"
[ -z "$(vmf 1 dup state)" ] || fail "the refused VM was defined anyway"
cat >"$LAB/vm6.json" <<EOF
{"name": "vm6", "tsis": [{"port": "vnet6", "mac": "52:54:00:00:00:06", "vn": 6000}]}
EOF
out=$(t 1 vm define "$LAB/vm6.json" 2>&1) && fail "define in a VN the NVE refuses succeeded"
echo "$out" | grep -q "code 5" || fail "define refusal does not name the NVE's code: $out"
expect "refused VM state" "$(vmf 1 vm6 state)" shutdown
expect "refused VM hold" "$(vmf 1 vm6 hold)" none
out=$(t 1 vm start vm6 2>&1) && fail "start after a failed association succeeded"
echo "$out" | grep -q "refused" || fail "unclear start refusal: $out"
expect "vm6 after refused start" "$(vmf 1 vm6 state)" shutdown
expect "vm1 untouched" "$(vmf 1 vm1 state)" running
expect "nnved1 vm1 untouched" "$(nvef 1 $V1 state)" ACTIVATED
t 1 vm destroy vm6 >/dev/null || fail "destroy vm6"
pass "bad input: invalid transition, unknown VM, taken address, refused VN: errors, nothing changed"

# 6. Req-10: an address added to and removed from the running TSI.
t 1 tsi addr add vm1 0 198.51.100.11 >/dev/null || fail "addr add"
n 1 --json tsi show | jq -e --arg id $V1 '.[] | select(.vsiid == $id) |
	(.addresses | index("198.51.100.11@52:54:00:00:00:01") != null) and .state == "ACTIVATED"' \
	>/dev/null || fail "nnved1 did not take the added address without a state change"
t 1 tsi addr del vm1 0 198.51.100.11 >/dev/null || fail "addr del"
n 1 --json tsi show | jq -e --arg id $V1 '.[] | select(.vsiid == $id) |
	(.addresses | index("198.51.100.11@52:54:00:00:00:01") == null) and .state == "ACTIVATED"' \
	>/dev/null || fail "nnved1 kept the removed address"
pass "address add/remove on a running TSI reflected at the NVE, still ACTIVATED"

# 7. Restart of tnved: every VSI re-announced, no VM notices.
ka=$(nvef 1 $V1 keepalives)
kill -TERM "$TN1_PID"; wait "$TN1_PID" 2>/dev/null || true
start_tnved 1
wait_for 15 "vm1 re-announced" sh -c "[ \"\$('$NVECTL' -s '$LAB/tnved1.sock' -d tnved --json tsi show | jq -r '.[0].status')\" = ok ]"
expect "state after restart" "$(vmf 1 vm1 state)" running
expect "nnved1 after restart" "$(nvef 1 $V1 state)" ACTIVATED
expect "tag after restart" "$(nvef 1 $V1 vid)" "$vid"
[ "$(nvef 1 $V1 keepalives)" -gt "$ka" ] || fail "nnved1 saw no keep-alive after the restart"
grep -q "de-assoc" "$LAB/nnved1.log" && fail "nnved1 de-associated something across the restart"
pass "restart: state kept, TSI re-announced as a keep-alive (same tag)"

# 8. Live migration hv1 (nve1) -> hv2 (nve2).
t 2 vm incoming "$LAB/vm1.json" >/dev/null || fail "incoming on hv2"
expect "hv2 state (incoming)" "$(vmf 2 vm1 state)" migrating
expect "hv2 direction" "$(vmf 2 vm1 migration)" in
expect "nnved2 TSI prepared" "$(nvef 2 $V1 state)" ASSOCIATED
expect "nnved2 M-bit" "$(nvef 2 $V1 migration)" M
expect "nnved2 reason mig-in-prepare" "$(nvef 2 $V1 reason)" 2
t 1 vm migrate vm1 >/dev/null || fail "migrate on hv1"
expect "hv1 state (migrating out)" "$(vmf 1 vm1 state)" migrating
expect "nnved1 still active" "$(nvef 1 $V1 state)" ACTIVATED
t 2 vm start vm1 >/dev/null || fail "start on hv2"
expect "hv2 running" "$(vmf 2 vm1 state)" running
expect "nnved2 activated" "$(nvef 2 $V1 state)" ACTIVATED
expect "nnved2 reason mig-in-activate" "$(nvef 2 $V1 reason)" 3
expect "hv1 not running while hv2 runs" "$(vmf 1 vm1 state)" migrating
t 1 vm migrate-done vm1 >/dev/null || fail "migrate-done on hv1"
[ -z "$(vmf 1 vm1 state)" ] || fail "hv1 still has vm1"
wait_for 5 "nnved1 drops the TSI" sh -c "[ -z \"\$('$NVECTL' -s '$LAB/nnved1.sock' --json tsi show | jq -r '.[].vsiid')\" ]"
grep -q "deassoc request for $V1 (S" "$LAB/nnved1.log" || fail "nnved1 was not asked to de-associate with the S-bit"
grep -q "preassoc request for $V1 (M" "$LAB/nnved2.log" || fail "nnved2 was not asked to pre-associate with the M-bit"
pass "live migration: destination pre-associated with M, activated when running there; source de-associated with S afterwards"

# 9. Aborted migration hv2 -> hv1: both sides roll back.
t 1 vm incoming "$LAB/vm1.json" >/dev/null || fail "incoming on hv1"
expect "nnved1 prepared" "$(nvef 1 $V1 state)" ASSOCIATED
t 2 vm migrate vm1 >/dev/null || fail "migrate on hv2"
t 1 vm migrate-abort vm1 >/dev/null || fail "abort on hv1 (destination)"
t 2 vm migrate-abort vm1 >/dev/null || fail "abort on hv2 (source)"
[ -z "$(vmf 1 vm1 state)" ] || fail "hv1 kept the aborted VM"
wait_for 5 "nnved1 drops the aborted TSI" sh -c "[ -z \"\$('$NVECTL' -s '$LAB/nnved1.sock' --json tsi show | jq -r '.[].vsiid')\" ]"
expect "hv2 back to running" "$(vmf 2 vm1 state)" running
expect "nnved2 still active" "$(nvef 2 $V1 state)" ACTIVATED
pass "aborted migration rolled back on both sides"

# 10. Cold migration hv2 -> hv1.
t 2 vm shutdown vm1 >/dev/null || fail "shutdown on hv2"
expect "nnved2 after shutdown" "$(nvef 2 $V1 state)" ""
t 2 vm cold-out vm1 >/dev/null || fail "cold-out on hv2"
[ -z "$(vmf 2 vm1 state)" ] || fail "hv2 kept vm1 after cold-out"
t 1 vm cold-in "$LAB/vm1.json" >/dev/null || fail "cold-in on hv1"
expect "hv1 after cold-in" "$(vmf 1 vm1 state)" shutdown
expect "nnved1 cold-in M" "$(nvef 1 $V1 migration)" M
expect "nnved1 cold-in reason" "$(nvef 1 $V1 reason)" 2
t 1 vm start vm1 >/dev/null || fail "start after cold-in"
expect "nnved1 cold-in activate reason" "$(nvef 1 $V1 reason)" 3
expect "hv1 running" "$(vmf 1 vm1 state)" running
pass "cold migration: shut down there, created and started here as a move"

# 11. NVE-initiated de-associate: reported, the TSI marked down.
n 1 tsi deassociate "$V1" >/dev/null || fail "nnved1 operator de-associate"
wait_for 5 "tnved marks the TSI down" sh -c "[ \"\$('$NVECTL' -s '$LAB/tnved1.sock' -d tnved --json tsi show | jq -r '.[0].status')\" = down ]"
expect "VM state kept" "$(vmf 1 vm1 state)" running
t 1 -d tnved --json counters show | jq -e '.[0].tsi_nve_deassoc == 1' >/dev/null ||
	fail "tnved did not count the NVE's de-associate"
grep -q "de-associated by NVE nve1" "$LAB/tnved1.log" || fail "tnved did not log the NVE's de-associate"
pass "NVE-initiated de-associate reported and counted; TSI down"

# 12. shutdown and destroy.
t 1 vm shutdown vm1 >/dev/null || fail "shutdown"
expect "state after shutdown" "$(vmf 1 vm1 state)" shutdown
t 1 vm destroy vm1 >/dev/null || fail "destroy"
[ -z "$(vmf 1 vm1 state)" ] || fail "destroy left the VM"
[ ! -e "$LAB/state1/vm1.json" ] || fail "destroy left the state file"
pass "shutdown and destroy"
