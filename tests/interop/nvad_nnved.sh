#!/bin/bash
# nvad_nnved.sh - two nnveds as clients of nvad (their nva block), each
# with a hypervisor (tnved) behind it, and a live migration between them:
#
#   ns hv1: tnved -- up1 ==== swp1 -- nnved (ns nve1, 203.0.113.11) --\
#                                                                     br0 -- ns nva: nvad
#   ns hv2: tnved -- up2 ==== swp1 -- nnved (ns nve2, 203.0.113.12) --/      (203.0.113.1:4790,
#                                                                             LMDB in $LAB/db)
#   ns sub: nvadiag as nve3 (203.0.113.13), subscribed to VN 5001, on br0 too
#
# VMs (tenant addresses 198.51.100.0/24):
#   vm1 VN 5001 198.51.100.10 on hv1, migrated live to hv2
#   vm2 VN 5001 198.51.100.20 on hv2
#   vm3 VN 5001 198.51.100.30 on hv1 (keeps nve1 in VN 5001 after vm1 leaves)
#   vm4 VN 5002 198.51.100.40 on hv2 (nve1 has no TSI in 5002: it must ask)
#
# Checks, through nvectl --json on nvad and both nnveds and the JSON lines
# of the subscriber nvadiag:
#   1. both nnveds register (nvad: connected, underlay); nva show: up
#   2. vm1 started on hv1: nvad maps its MAC and IP at nve1, activated,
#      seq 0, and nve1's local copy has them; vm2 on hv2 in the same VN:
#      each nnved learns the other's addresses (push)
#   3. live migration hv1 -> hv2: the mapping moves to nve2 with seq 1,
#      nve1 gets the moved notice and its copy points at nve2, no
#      duplicate alert (the move was announced as a migration)
#   4. fib lookup on nve1 in a VN it has no TSI in: answered by the NVA,
#      found for a known address, not found for an unknown one
#   5. nvad killed with -9 and restarted: both nnveds reconnect on their
#      own, resync from their revision, their copies unchanged
#   6. vm1 shut down: withdrawn in nvad, gone from both copies
#   7. authorisation: nve1 reloaded with "authorize yes" (nvad's nve
#      block lets nve1 attach VNs 5001 and 5003 only; nve1's station rule
#      lists 5001 and 5002):
#        vm5 VN 5003 on hv1: allowed by the NVA although the station rule
#          does not list 5003 (verdict_allow, authorized "nva")
#        vm6 VN 5004 on hv1: refused by the NVA (define fails with code
#          5, verdict_refuse, refused_nva, nothing mapped)
#        nvad stopped: vm7 VN 5001 on hv1 is admitted by the station rule
#          (authorize_fallback, "fallback"); with "authorize-fallback
#          refuse" vm8 is refused with code 3 (refused_no_nva)
. "${SN_SOURCE:-$(dirname "$0")/../..}/lab/lib.sh"
B=${SN_BUILD:-build/dev}
SRC=${SN_SOURCE:-.}
NVAD=$B/daemons/nvad
TNVED=$B/daemons/tnved
NNVED=$B/daemons/nnved
NVECTL=$B/tools/nvectl
DIAG=$B/tools/nvadiag
lab_init nvad_nnved

PKI=$LAB/pki
"$SRC/scripts/nva-certs" "$PKI" ca >/dev/null
"$SRC/scripts/nva-certs" "$PKI" issue nva1 nve1 nve2 nve3 >/dev/null

lab_ns nva
lab_bridge nva br0
ip -n "$(ns nva)" addr add 203.0.113.1/24 dev br0
for i in 1 2; do
	lab_ns nve$i
	lab_ns hv$i
	lab_veth nve$i eth0 nva v$i
	ip -n "$(ns nva)" link set v$i master br0
	ip -n "$(ns nve$i)" addr add 203.0.113.1$i/24 dev eth0
	lab_veth hv$i up$i nve$i swp1 02:00:00:00:0$i:01 02:00:00:00:0$i:02
done
lab_ns sub
lab_veth sub eth0 nva v3
ip -n "$(ns nva)" link set v3 master br0
ip -n "$(ns sub)" addr add 203.0.113.13/24 dev eth0

SOCK=$LAB/nvad.sock
cat >"$LAB/nvad.conf" <<EOF
nva-name nva1
listen 203.0.113.1 port 4790
tls {
	cert "$PKI/nva1.pem"
	key "$PKI/nva1.key"
	ca "$PKI/ca.pem"
}
control "$SOCK"
store lmdb {
	path "$LAB/db"
}
keepalive 1000
nve nve1 {
	vn 5001 5003
}
EOF
start_nvad() {
	lab_bg nva "$LAB/nvad-$1.log" "$NVAD" -d -f "$LAB/nvad.conf"
	NVAD_PID=$LAST_PID
	wait_for 10 "nvad serving" grep -q "serving" "$LAB/nvad-$1.log"
}
start_nvad 1

# nnved_conf I [NVA-STATEMENT...]: nnved I's configuration; nve1's
# resource wait delay (rwd 17: 1.3 s) leaves room for authorize-timeout
nnved_conf() {
	i=$1
	shift
	cat >"$LAB/nnved$i.conf" <<EOF
control "$LAB/nnved$i.sock"
evb retries 3 rte 8 rwd $([ "$i" = 1 ] && echo 17 || echo 14) rka 17
vids $((i * 100))-$((i * 100 + 99))
port swp1 {
}
station any {
	vn 5001 5002
}
vn 5001 {
	allow 198.51.100.0/24
}
vn 5002 {
	allow 198.51.100.0/24
}
nva {
	server 203.0.113.1
	server-name nva1
	tls {
		cert "$PKI/nve$i.pem"
		key "$PKI/nve$i.key"
		ca "$PKI/ca.pem"
	}
	underlay 203.0.113.1$i
	retry 100 1000
	authorize-timeout 300
$(printf '\t%s\n' "$@")
}
EOF
}
for i in 1 2; do
	nnved_conf $i
	"$NNVED" -n -f "$LAB/nnved$i.conf" 2>"$LAB/check$i.log" ||
		fail "nnved -n refuses the lab config: $(cat "$LAB/check$i.log")"
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
	lab_bg hv$i "$LAB/tnved$i.log" "$TNVED" -d -f "$LAB/tnved$i.conf"
	wait_for 10 "tnved $i control socket" test -S "$LAB/tnved$i.sock"
	wait_for 15 "tnved $i sees nve$i" sh -c \
		"'$NVECTL' -s '$LAB/tnved$i.sock' --json nve show | jq -e '.[0].health == \"up\"'"
done

ctl() { "$NVECTL" -d nvad -s "$SOCK" "$@"; }
t() { i=$1; shift; "$NVECTL" -d tnved -s "$LAB/tnved$i.sock" "$@"; }
n() { i=$1; shift; "$NVECTL" -d nnved -s "$LAB/nnved$i.sock" "$@"; }
# nva NVE JQ: true when nnved NVE's nva show matches
nva() { n "$1" --json nva show | jq -e "$2" >/dev/null; }
# map VN ADDR FIELD: a field of nvad's mapping ("" when there is none)
map() { ctl --json map show "$1" "$2" | jq -r ".[0].$3 | if . == null then empty else tostring end"; }
# VN ADDR FIELD VALUE, for wait_for: looks again on every try
map_is() { [ "$(map "$1" "$2" "$3")" = "$4" ]; }
# fib NVE VN ADDR JQ: true when NVE's copy has VN ADDR matching JQ
fib() {
	n "$1" --json fib show "$2" |
		jq -e --arg a "$3" "any(.[]; .addr == \$a and ($4))" >/dev/null
}
nofib() {	# nofib NVE VN ADDR: NVE answers, without VN ADDR
	j=$(n "$1" --json fib show "$2") || return 1
	! echo "$j" | jq -e --arg a "$3" 'any(.[]; .addr == $a)' >/dev/null
}
# vm NAME VN MAC IP: a one-TSI VM spec in $LAB/NAME.json
vm() {
	cat >"$LAB/$1.json" <<EOF
{"name": "$1", "tsis": [{"port": "vnet-$1", "mac": "$3", "vn": $2,
 "ips": ["$4"]}]}
EOF
}
M1=52:54:00:00:00:01 M2=52:54:00:00:00:02 M3=52:54:00:00:00:03 M4=52:54:00:00:00:04
vm vm1 5001 $M1 198.51.100.10
vm vm2 5001 $M2 198.51.100.20
vm vm3 5001 $M3 198.51.100.30
vm vm4 5002 $M4 198.51.100.40

# The subscriber: nvadiag as nve3, following VN 5001.  sub NAME starts
# one (another after nvad's restart); say/seen talk to the newest.
sub() {
	D=$1
	mkfifo "$LAB/$D.in"
	exec {fd}<>"$LAB/$D.in"
	# not lab_bg: a background job's stdin would be /dev/null
	ip netns exec "$(ns sub)" "$DIAG" -c "$PKI/nve3.pem" -k "$PKI/nve3.key" \
		-a "$PKI/ca.pem" 203.0.113.1 4790 <"$LAB/$D.in" >"$LAB/$D.out" 2>&1 &
	LAB_PIDS="$LAB_PIDS $!"
	DFD=$fd
	say "hello nve3 203.0.113.13"
	wait_for 10 "nvadiag $D welcomed" seen '.body == "welcome"'
	say "subscribe 5001"
	wait_for 5 "nvadiag $D synced" seen '.body == "sync_done"'
}
say() { echo "$1" >&"$DFD"; }
seen() { grep '^{' "$LAB/$D.out" | jq -e -s "any(.[]; $1)" >/dev/null; }
sub d1

# 1. registration
for i in 1 2; do
	wait_for 15 "nnved $i session up" nva $i '.state == "UP"'
	wait_for 5 "nvad sees nve$i connected" sh -c "'$NVECTL' -d nvad -s '$SOCK' --json nve show |
		jq -e 'any(.[]; .name == \"nve$i\" and .connected and (.underlay | index(\"203.0.113.1$i\")))'"
done
nva 1 '.nve == "nve1" and .nva == "nva1" and .sessions == 1' ||
	fail "nve1 nva show: $(n 1 --json nva show)"
pass "both nnveds registered with nvad (connected, underlay), session up"

# 2. reports and pushes
t 1 vm define "$LAB/vm1.json" >/dev/null || fail "vm1 define"
t 1 vm start vm1 >/dev/null || fail "vm1 start"
wait_for 5 "vm1's IP activated at nve1" map_is 5001 198.51.100.10 state activated
[ "$(map 5001 198.51.100.10 nve)" = nve1 ] || fail "198.51.100.10 not at nve1"
[ "$(map 5001 198.51.100.10 seq)" = 0 ] || fail "198.51.100.10 seq not 0"
[ "$(map 5001 198.51.100.10 mac)" = $M1 ] || fail "198.51.100.10 has no MAC $M1"
[ "$(map 5001 $M1 nve)" = nve1 ] || fail "MAC $M1 not at nve1: $(ctl --json map show 5001)"
[ "$(map 5001 $M1 state)" = activated ] || fail "MAC $M1 not activated"
wait_for 5 "nve1's copy has vm1's IP" fib 1 5001 198.51.100.10 '.nve == "nve1" and .state == "activated" and .seq == 0'
fib 1 5001 $M1 '.nve == "nve1"' || fail "nve1's copy lacks $M1"
wait_for 5 "subscriber pushed vm1" seen \
	'.body == "update" and any(.update.mappings[]; .addr == "198.51.100.10" and .nve == "nve1" and .seq == 0)'
t 2 vm define "$LAB/vm2.json" >/dev/null || fail "vm2 define"
t 2 vm start vm2 >/dev/null || fail "vm2 start"
wait_for 5 "nve1 learns vm2 at nve2" fib 1 5001 198.51.100.20 \
	'.nve == "nve2" and .state == "activated" and (.underlay | index("203.0.113.12"))'
fib 1 5001 $M2 '.nve == "nve2"' || fail "nve1's copy lacks $M2 at nve2"
wait_for 5 "nve2 learns vm1 at nve1" fib 2 5001 198.51.100.10 \
	'.nve == "nve1" and (.underlay | index("203.0.113.11"))'
fib 2 5001 $M1 '.nve == "nve1"' || fail "nve2's copy lacks $M1 at nve1"
pass "vm1 at nve1 (activated, seq 0); the nnveds learn each other's VMs by push"

# 3. live migration hv1 -> hv2 (vm3 keeps nve1 in VN 5001)
t 1 vm define "$LAB/vm3.json" >/dev/null || fail "vm3 define"
t 1 vm start vm3 >/dev/null || fail "vm3 start"
wait_for 5 "vm3 at nve1" map_is 5001 198.51.100.30 nve nve1
t 2 vm incoming "$LAB/vm1.json" >/dev/null || fail "incoming on hv2"
t 1 vm migrate vm1 >/dev/null || fail "migrate on hv1"
t 2 vm start vm1 >/dev/null || fail "start on hv2"
t 1 vm migrate-done vm1 >/dev/null || fail "migrate-done on hv1"
wait_for 5 "vm1's IP at nve2" map_is 5001 198.51.100.10 nve nve2
[ "$(map 5001 198.51.100.10 seq)" = 1 ] || fail "seq after the move: $(map 5001 198.51.100.10 seq), want 1"
[ "$(map 5001 198.51.100.10 state)" = activated ] || fail "moved IP not activated"
wait_for 5 "vm1's MAC at nve2" map_is 5001 $M1 nve nve2
[ "$(map 5001 $M1 seq)" = 1 ] || fail "MAC seq after the move not 1"
wait_for 5 "nve1 counts the moved notice" nva 1 '.moved >= 1'
grep -q "address 198.51.100.10 of VN 5001 moved to NVE nve2 (underlay 203.0.113.12)" "$LAB/nnved1.log" ||
	fail "nve1 did not log the move"
wait_for 5 "nve1's copy: vm1 at nve2" fib 1 5001 198.51.100.10 '.nve == "nve2" and .seq == 1'
wait_for 5 "nve2's copy: vm1 at nve2" fib 2 5001 198.51.100.10 '.nve == "nve2" and .seq == 1'
wait_for 5 "subscriber pushed the move" seen \
	'.body == "update" and any(.update.mappings[]; .addr == "198.51.100.10" and .nve == "nve2" and .seq == 1)'
[ "$(ctl --json alert show | jq length)" = 0 ] || fail "alerts after a migration: $(ctl --json alert show)"
ctl --json counters show | jq -e '.[0].migrations >= 2' >/dev/null ||
	fail "nvad did not take the move as a migration: $(ctl --json counters show)"
pass "live migration: seq 1 at nve2, moved notice at nve1, copies follow, no alert"

# 4. pull: nve1 has no TSI in VN 5002
t 2 vm define "$LAB/vm4.json" >/dev/null || fail "vm4 define"
t 2 vm start vm4 >/dev/null || fail "vm4 start"
wait_for 5 "vm4 at nve2" map_is 5002 198.51.100.40 nve nve2
nofib 1 5002 198.51.100.40 || fail "nve1 was pushed VN 5002 it has no TSI in"
R=$(n 1 --json fib lookup 5002 198.51.100.40) || fail "fib lookup failed"
echo "$R" | jq -e '.found and .source == "nva" and .nve == "nve2" and .seq == 0 and .vn == 5002 and
	(.underlay | index("203.0.113.12"))' >/dev/null || fail "lookup of vm4: $R"
R=$(n 1 --json fib lookup 5002 198.51.100.99) || fail "fib lookup of an unknown address failed"
echo "$R" | jq -e '.found == false and .source == "nva" and .vn == 5002 and .addr == "198.51.100.99"' \
	>/dev/null || fail "lookup of an unknown address: $R"
R=$(n 1 --json fib lookup 5001 198.51.100.20) || fail "local lookup failed"
echo "$R" | jq -e '.found and .source == "local" and .nve == "nve2"' >/dev/null || fail "local lookup: $R"
nva 1 '.queries >= 2 and .answers >= 2' || fail "nve1 query counters: $(n 1 --json nva show)"
pass "fib lookup: the local copy first, else the NVA (found / not found)"

# 5. kill -9 and restart of nvad
snap() { n "$1" --json fib show | jq -c 'sort_by(.vn, .addr) | map({vn, addr, nve, seq, state})'; }
F1=$(snap 1) F2=$(snap 2)
kill -9 "$NVAD_PID"
wait "$NVAD_PID" 2>/dev/null || true	# reaped: bash prints no "Killed"
wait_for 5 "nvad gone" sh -c "! kill -0 $NVAD_PID 2>/dev/null"
wait_for 10 "nve1 notices" nva 1 '.state != "UP"'
start_nvad 2
for i in 1 2; do
	wait_for 15 "nnved $i back up" nva $i '.state == "UP" and .sessions == 2'
	wait_for 10 "nnved $i resynced" nva $i '.resyncs_delta >= 1 and all(.vns[]; .synced)'
done
[ "$(snap 1)" = "$F1" ] || fail "nve1's copy changed across the restart: before $F1 after $(snap 1)"
[ "$(snap 2)" = "$F2" ] || fail "nve2's copy changed across the restart: before $F2 after $(snap 2)"
[ "$(map 5001 198.51.100.10 seq)" = 1 ] || fail "seq lost across kill -9"
sub d2
seen '.body == "update" and any(.update.mappings[]; .addr == "198.51.100.10" and .nve == "nve2" and .seq == 1)' ||
	fail "a new subscriber's full sync lacks vm1 at nve2"
pass "nvad kill -9: both nnveds reconnect and resync by delta, copies unchanged"

# 6. shutdown: withdrawn everywhere
t 2 vm shutdown vm1 >/dev/null || fail "vm1 shutdown"
# dir.c keeps a withdrawn entry (and its seq) for the next move
wait_for 5 "vm1's IP withdrawn in nvad" map_is 5001 198.51.100.10 state withdrawn
[ "$(map 5001 198.51.100.10 seq)" = 1 ] || fail "withdrawal changed the seq"
wait_for 5 "vm1's MAC withdrawn in nvad" map_is 5001 $M1 state withdrawn
[ "$(map 5001 198.51.100.20 state)" = activated ] || fail "vm2 touched by vm1's shutdown"
wait_for 5 "subscriber pushed the withdrawal" seen \
	'.body == "update" and any(.update.mappings[]; .addr == "198.51.100.10" and .state == "WITHDRAWN")'
wait_for 5 "gone from nve1's copy" nofib 1 5001 198.51.100.10
wait_for 5 "gone from nve2's copy" nofib 2 5001 198.51.100.10
nofib 1 5001 $M1 || fail "vm1's MAC left in nve1's copy"
fib 1 5001 198.51.100.20 '.nve == "nve2"' || fail "vm2 lost from nve1's copy"
pass "shutdown: vm1 withdrawn in nvad and gone from both copies"

# 7. authorisation by the NVA
ctr() { n 1 --json counters show | jq -e ".[0] | $1" >/dev/null; }
nnved_conf 1 "authorize yes"
"$NNVED" -n -f "$LAB/nnved1.conf" 2>"$LAB/check1.log" ||
	fail "nnved -n refuses authorize yes: $(cat "$LAB/check1.log")"
n 1 daemon reload >/dev/null || fail "nnved1 reload"
M5=52:54:00:00:00:05 M6=52:54:00:00:00:06 M7=52:54:00:00:00:07 M8=52:54:00:00:00:08
vm vm5 5003 $M5 198.51.100.50
vm vm6 5004 $M6 198.51.100.60
vm vm7 5001 $M7 198.51.100.70
vm vm8 5001 $M8 198.51.100.80
t 1 vm define "$LAB/vm5.json" >/dev/null || fail "vm5 (VN 5003, the NVA allows it) refused"
n 1 --json tsi show | jq -e --arg m $M5 'any(.[]; .vn == 5003 and .authorized == "nva" and
	(.addresses | index($m)))' >/dev/null || fail "vm5 not admitted by the NVA: $(n 1 --json tsi show)"
ctr '.authorize_sent >= 1 and .verdict_allow >= 1 and .verdict_refuse == 0' ||
	fail "counters after an allow: $(n 1 --json counters show)"
wait_for 5 "vm5 mapped at nve1" map_is 5003 $M5 nve nve1
out=$(t 1 vm define "$LAB/vm6.json" 2>&1) && fail "vm6 (VN 5004, not nve1's) was admitted"
echo "$out" | grep -q "code 5" || fail "vm6's refusal does not name code 5: $out"
ctr '.verdict_refuse >= 1 and .refused_nva >= 1' ||
	fail "counters after a refusal: $(n 1 --json counters show)"
grep -q "the NVA refuses VN 5004: vn-refused" "$LAB/nnved1.log" ||
	fail "nnved1 did not log the NVA's reason"
[ -z "$(map 5004 $M6 nve)" ] || fail "vm6 mapped in nvad"
n 1 --json tsi show | jq -e 'all(.[]; .vn != 5004)' >/dev/null || fail "nnved1 kept a TSI in VN 5004"
t 1 vm destroy vm6 >/dev/null || fail "destroy vm6"
pass "authorize yes: the NVA admits VN 5003 (not in the station rule) and refuses VN 5004"

kill "$NVAD_PID"
wait "$NVAD_PID" 2>/dev/null || true
wait_for 10 "nve1 notices nvad gone" nva 1 '.state != "UP"'
F=$(n 1 --json counters show | jq '.[0].authorize_fallback')
t 1 vm define "$LAB/vm7.json" >/dev/null || fail "vm7 refused with fallback local"
n 1 --json tsi show | jq -e --arg m $M7 'any(.[]; .vn == 5001 and .authorized == "fallback" and
	(.addresses | index($m)))' >/dev/null || fail "vm7 not admitted by the fallback: $(n 1 --json tsi show)"
ctr ".authorize_fallback > $F" || fail "fallback not counted: $(n 1 --json counters show)"
nnved_conf 1 "authorize yes" "authorize-fallback refuse"
n 1 daemon reload >/dev/null || fail "nnved1 reload (fallback refuse)"
out=$(t 1 vm define "$LAB/vm8.json" 2>&1) && fail "vm8 admitted with authorize-fallback refuse"
echo "$out" | grep -q "code 3" || fail "vm8's refusal does not name code 3: $out"
ctr '.refused_no_nva >= 1' || fail "refused_no_nva not counted: $(n 1 --json counters show)"
t 1 vm destroy vm8 >/dev/null || fail "destroy vm8"
pass "nvad stopped: fallback local admits by the station rule, fallback refuse answers code 3"

grep -E "ERROR|AddressSanitizer|runtime error" "$LAB"/*.log && fail "errors in a log"
echo "nvad_nnved: all checks passed"
