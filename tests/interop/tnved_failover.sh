#!/bin/bash
# tnved_failover.sh - one hypervisor, two External NVEs (RFC 8394 Req-3,
# Req-4): VN 5001 active-standby, VN 5002 active-active.
#
#   ns hv: tnved -- upa ==== swp1 -- nnved A (ns nvea)
#                -- upb ==== swp1 -- nnved B (ns nveb)
#
# Checks: active-standby TSIs sit on A only, active-active ones on both;
# when A dies (kill -9), tnved notices (ECP retries exhausted on the next
# keep-alive) and moves every active-standby TSI to B, activated there.
# The failover time, from the kill to the last TSI ACTIVATED at B as
# nnved B reports it, is measured and printed (never a pass/fail bound).
. "${SN_SOURCE:-$(dirname "$0")/../..}/lab/lib.sh"
B=${SN_BUILD:-build/dev}
TNVED=$B/daemons/tnved
NNVED=$B/daemons/nnved
NVECTL=$B/tools/nvectl
lab_init tnved_failover
lab_ns hv; lab_ns nvea; lab_ns nveb
lab_veth hv upa nvea swp1 02:00:00:00:0a:01 02:00:00:00:0a:02
lab_veth hv upb nveb swp1 02:00:00:00:0b:01 02:00:00:00:0b:02
for x in a b; do
	cat >"$LAB/nnved$x.conf" <<EOF
control "$LAB/nnved$x.sock"
evb retries 3 rte 8 rwd 14 rka 14
port swp1 {
}
station any {
	vn any
}
EOF
	lab_bg nve$x "$LAB/nnved$x.log" "$NNVED" -d -f "$LAB/nnved$x.conf"
	eval "NN${x}_PID=$LAST_PID"
	wait_for 10 "nnved $x up" grep -q "swp1: VDP bridge port up" "$LAB/nnved$x.log"
done
cat >"$LAB/tnved.conf" <<EOF
control "$LAB/tnved.sock"
state-dir "$LAB/state"
state-sync no
op-timeout 5000
nve nvea {
	interface upa
}
nve nveb {
	interface upb
}
vn 5001 {
	nve nvea nveb
	mode active-standby
}
vn 5002 {
	nve nvea nveb
	mode active-active
}
EOF
lab_bg hv "$LAB/tnved.log" "$TNVED" -d -f "$LAB/tnved.conf"
t() { "$NVECTL" -s "$LAB/tnved.sock" "$@"; }
n() { x=$1; shift; "$NVECTL" -s "$LAB/nnved$x.sock" "$@"; }
wait_for 20 "both NVEs up" sh -c \
	"'$NVECTL' -s '$LAB/tnved.sock' --json nve show | jq -e 'all(.health == \"up\")'"
nact() {	# TSIs of VN $2 ACTIVATED at nnved $1
	n "$1" --json tsi show | jq --argjson vn "$2" \
		'[.[] | select(.vn == $vn and .state == "ACTIVATED")] | length'
}

N=4
for i in $(seq 1 $N); do
	t vm define "vm$i" port "vnet$i" mac "52:54:00:00:01:0$i" vn 5001 >/dev/null ||
		fail "define vm$i"
	t vm start "vm$i" >/dev/null || fail "start vm$i"
done
t vm define aa1 port vnet9 mac 52:54:00:00:02:01 vn 5002 >/dev/null || fail "define aa1"
t vm start aa1 >/dev/null || fail "start aa1"
[ "$(nact a 5001)" = $N ] && [ "$(nact b 5001)" = 0 ] ||
	fail "active-standby: A has $(nact a 5001), B $(nact b 5001) of $N"
[ "$(nact a 5002)" = 1 ] && [ "$(nact b 5002)" = 1 ] ||
	fail "active-active: A has $(nact a 5002), B $(nact b 5002)"
[ "$(t -d tnved --json tsi show | jq '[.[] | select(.vm == "aa1")] | length')" = 2 ] ||
	fail "tnved does not show aa1 bound to both NVEs"
pass "active-standby on A only; active-active on A and B"

# Kill A; time until B has every active-standby TSI activated.
t0=$(date +%s%N)
kill -KILL "$NNa_PID"
wait_for 30 "all TSIs moved to B" sh -c "[ \"\$('$NVECTL' -s '$LAB/nnvedb.sock' --json tsi show | jq '[.[] | select(.vn == 5001 and .state == \"ACTIVATED\")] | length')\" = $N ]"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
t --json nve show | jq -e '.[] | select(.name == "nvea") | .health == "down"' >/dev/null ||
	fail "tnved does not show nvea down"
why=$(t --json nve show | jq -r '.[] | select(.name == "nvea") | .why')
c=$(t -d tnved --json counters show)
echo "$c" | jq -e --argjson n $N '.[0].failovers >= $n' >/dev/null ||
	fail "failovers not counted: $c"
for i in $(seq 1 $N); do
	[ "$(t --json vm show | jq -r --arg v vm$i '.[] | select(.name == $v) | .state')" = running ] ||
		fail "vm$i no longer running after the failover"
done
[ "$(nact b 5002)" = 1 ] || fail "active-active TSI lost at B"
[ "$(t -d tnved --json tsi show | jq -r '.[] | select(.vm == "aa1" and .nve == "nvea") | .status')" = down ] ||
	fail "active-active binding at the dead NVE not marked down"
echo "FAILOVER: $N TSIs nvea -> nveb in $ms ms from kill -9 to ACTIVATED at nveb" \
	"(detected: $why; tnved measured $(echo "$c" | jq '.[0].failover_ms') ms from detection)"
pass "active-standby failover: every TSI activated at the standby, VMs kept running"
