#!/bin/bash
# tnved_lifecycle.sh [N] - VM lifecycle operations per second through
# tnved to nnved: define+start of N VMs (issue 4's figure), then shutdown
# and destroy of all of them, from one pipelining client; beside it the
# same define+start done the naive way, one nvectl process per operation.
#
#   ns hv                                        ns nve
#   tnved_client.py --(ctl socket, W in flight)--.
#   nvectl vm ... (naive, one per operation) ---tnved -- up0 ==== swp0 -- nnved
#                                                                          ^
#                                    nvectl --json tsi show (the check) ---'
#
# N VMs (default 10000; 1000 with BENCH_QUICK=1), each with one TSI: port
# vnetI, MAC 52:54:00:xx:xx:xx from I, VN 5001 + I % 10, one IPv6 address
# from 2001:db8:100::/64 (the IPv4 tenant range is too small for 10,000).
# nnved assigns tags per VN, so 10 VNs use 10 tags of 100-4000.
#
# Phases, each timed from the first request to the last answer:
#   define+start of N (pipelined, BENCH_W in flight, default 64); then the
#   check that nnved holds N TSIs ACTIVATED (exit 1 if not); then shutdown
#   and destroy of N; then define+start of M (BENCH_M, default 200; 0
#   skips) with one "nvectl vm define|start" process per operation, as a
#   naive orchestrator or the libvirt hook does, and the ratio.
# Between the two, the N VMs run for BENCH_HOLD seconds (default 12, just
# over one RKA 20 period; 0 skips): the keep-alives nnved sees then and
# the CPU both daemons spend on them are printed.
# Also printed: tnved's VmRSS per VM (before and after define+start of N),
# the state directory's size per VM, the keep-alives nnved saw.
#
# nnved offers RKA BENCH_RKA (default 20: a keep-alive per VSI about every
# 10.5 s, the standard default, so 10,000 running VMs send ~950
# keep-alives/s), RWD 20 and RTE BENCH_RTE
# (default 8, the standard 2.56 ms ECP acknowledgement timer).
# tnved runs with "state-sync no" (state files written, not fsync'ed);
# BENCH_SYNC=1 uses "state-sync yes" (an fsync per VM file per change)
# and labels the figures so.  The state directory is in the scratch
# folder under /tmp; its file system type is printed.
#
# Root only.  Benchmarks print figures and never judge them: this script
# fails only when something does not work (a daemon dies, a request is
# refused or not answered, nnved does not hold the TSIs).  Every wait has
# a deadline; the client gives up when tnved answers nothing for
# BENCH_TIMEOUT seconds (default 60).  SN_BUILD names the build folder;
# BENCH_LOG the daemons' log level (default warn; LAB_KEEP=1 keeps logs).
. "${SN_SOURCE:-$(dirname "$0")/..}/lab/lib.sh"
B=${SN_BUILD:-build/dev}
TNVED=$B/daemons/tnved
NNVED=$B/daemons/nnved
NVECTL=$B/tools/nvectl
CLIENT=${SN_SOURCE:-$(dirname "$0")/..}/bench/tnved_client.py
if [ -n "${BENCH_QUICK:-}" ]; then N=${1:-1000}; else N=${1:-10000}; fi
M=${BENCH_M:-200}
W=${BENCH_W:-64}
RKA=${BENCH_RKA:-20}
RTE=${BENCH_RTE:-8}
TMO=${BENCH_TIMEOUT:-60}
HOLD=${BENCH_HOLD:-12}
if [ -n "${BENCH_SYNC:-}" ] && [ "$BENCH_SYNC" != 0 ]; then
	SYNC=yes
else
	SYNC=no
fi
LABEL="state-sync $SYNC"
for f in "$TNVED" "$NNVED" "$NVECTL"; do
	[ -x "$f" ] || { echo "tnved_lifecycle: $f not built" >&2; exit 2; }
done
[ -r "$CLIENT" ] || { echo "tnved_lifecycle: no $CLIENT" >&2; exit 2; }
command -v python3 >/dev/null || { echo "tnved_lifecycle: needs python3" >&2; exit 2; }
case $N in
''|*[!0-9]*) echo "tnved_lifecycle: N must be a number" >&2; exit 2 ;;
esac
if [ "$N" -lt 1 ] || [ "$N" -gt 1000000 ]; then
	echo "tnved_lifecycle: N in 1..1000000" >&2; exit 2
fi
lab_init tnved_lifecycle
lab_ns hv; lab_ns nve
lab_veth hv up0 nve swp0 02:00:00:00:04:01 02:00:00:00:04:02
STATE=$LAB/state
mkdir -p "$STATE"
LOGL=${BENCH_LOG:-warn}
NSOCK=$LAB/nnved.sock
TSOCK=$LAB/tnved.sock

{
	cat <<EOF
control "$NSOCK"
evb retries 3 rte $RTE rwd 20 rka $RKA
vids 100-4000
max-vsi $((N + M + 64))
port swp0 {
}
station any {
	vn any
}
EOF
	for v in $(seq 5001 5010); do
		printf 'vn %d {\n\tallow 2001:db8:100::/64\n}\n' "$v"
	done
} >"$LAB/nnved.conf"
cat >"$LAB/tnved.conf" <<EOF
control "$TSOCK"
state-dir "$STATE"
state-sync $SYNC
max-vms $((N + M + 64))
nve nve0 {
	interface up0
}
EOF
"$NNVED" -n -f "$LAB/nnved.conf" || fail "nnved -n refuses the bench config"
"$TNVED" -n -f "$LAB/tnved.conf" || fail "tnved -n refuses the bench config"
lab_bg nve "$LAB/nnved.log" "$NNVED" -f "$LAB/nnved.conf" -l "$LOGL"
NNVED_PID=$LAST_PID
wait_for 10 "nnved port open" sh -c \
	"'$NVECTL' -s '$NSOCK' --json port show | jq -e 'length == 1 and .[0].open'"
lab_bg hv "$LAB/tnved.log" "$TNVED" -f "$LAB/tnved.conf" -l "$LOGL"
TNVED_PID=$LAST_PID
wait_for 10 "tnved control socket" test -S "$TSOCK"
wait_for 20 "tnved sees its NVE up" sh -c \
	"'$NVECTL' -s '$TSOCK' --json nve show | jq -e '.[0].health == \"up\"'"

alive() {
	kill -0 "$NNVED_PID" 2>/dev/null || fail "nnved died"
	kill -0 "$TNVED_PID" 2>/dev/null || fail "tnved died"
}
trss() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$TNVED_PID/status"; }
n_activated() {
	"$NVECTL" -s "$NSOCK" -t 30 --json tsi show |
		jq '[.[] | select(.state == "ACTIVATED")] | length'
}
n_tsis() { "$NVECTL" -s "$NSOCK" -t 30 --json tsi show | jq length; }
t_ctr() { "$NVECTL" -s "$TSOCK" -d tnved -t 30 --json counters show | jq -r ".[0].$1"; }
n_st() { "$NVECTL" -s "$NSOCK" -t 30 --json station show | jq -r ".[0].$1"; }
# client PHASES PREFIX MACBYTE N -> figures on stdout, JSON in $LAB/fig.json
client() {
	timeout $((TMO * 4 + $4 / 20)) python3 "$CLIENT" -s "$TSOCK" -n "$4" \
		-w "$W" --phases "$1" --prefix "$2" --mac-byte "$3" \
		--timeout "$TMO" --label "$LABEL" --json "$LAB/fig.json"
}
jfig() {	# jfig PHASE FIELD
	jq -r --arg p "$1" "select(.phase == \$p) | .$2" "$LAB/fig.json" | tail -n 1
}

echo "== tnved lifecycle: N=$N, window $W, nnved RTE $RTE RKA $RKA, $LABEL"
echo "   build $B; state directory $STATE ($(stat -f -c %T "$STATE"))"
echo "   per VM: 1 TSI, 1 MAC, 1 IPv6 address (2001:db8:100::/64), VN 5001..5010"

# ---- pipelined: define+start of N ----------------------------------------
rss0=$(trss)
echo "-- define+start of $N, pipelined"
rc=0
client define,start bench 0 "$N" || rc=$?
alive
[ "$rc" = 0 ] || fail "client exit $rc during define+start (1: refusals, 3: no answer, 124: time-out)"
rss1=$(trss)
tvms=$(t_ctr vms)
[ "$tvms" = "$N" ] || fail "tnved holds $tvms VMs, not $N"
# every start was answered only after the NVE's Associate answer, so
# nnved holds them all now; poll briefly anyway (the check is the point)
end=$(( $(date +%s) + 10 ))
while act=$(n_activated) && [ "$act" != "$N" ] && [ "$(date +%s)" -lt "$end" ]; do
	sleep 0.2
done
[ "$act" = "$N" ] || fail "nnved holds $act TSIs ACTIVATED, not $N"
echo "check: nnved holds $act TSIs ACTIVATED; tnved $tvms VMs"
sdir=$(du -sb "$STATE" | cut -f1)
nfiles=$(find "$STATE" -maxdepth 1 -name '*.json' | wc -l)
[ "$nfiles" = "$N" ] || fail "state directory holds $nfiles VM files, not $N"

# ---- N VMs running: keep-alives ------------------------------------------
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }	# clock ticks
ka0=$(n_st keepalives) tc0=$(cpu "$TNVED_PID") nc0=$(cpu "$NNVED_PID")
h0=$(date +%s%N)
if [ "$HOLD" -gt 0 ]; then
	echo "-- $N VMs running for ${HOLD}s (keep-alives)"
	end=$(( h0 / 1000000 + HOLD * 1000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do alive; sleep 0.2; done
fi
ka1=$(n_st keepalives) tc1=$(cpu "$TNVED_PID") nc1=$(cpu "$NNVED_PID")
h1=$(date +%s%N)
[ "$(n_activated)" = "$N" ] || fail "nnved lost TSIs while the VMs ran: $(n_activated) of $N left"

# ---- pipelined: shutdown and destroy of N --------------------------------
echo "-- shutdown+destroy of $N, pipelined"
rc=0
client shutdown,destroy bench 0 "$N" || rc=$?
alive
[ "$rc" = 0 ] || fail "client exit $rc during shutdown+destroy"
end=$(( $(date +%s) + 10 ))
while left=$(n_tsis) && [ "$left" != 0 ] && [ "$(date +%s)" -lt "$end" ]; do
	sleep 0.2
done
[ "$left" = 0 ] || fail "nnved still holds $left TSIs after destroy"
[ "$(t_ctr vms)" = 0 ] || fail "tnved still holds $(t_ctr vms) VMs after destroy"
nfiles=$(find "$STATE" -maxdepth 1 -name '*.json' | wc -l)
[ "$nfiles" = 0 ] || fail "destroy left $nfiles state files"

# ---- naive: one nvectl process per operation, M VMs ----------------------
naive_ok=0 naive_ms=0 nd_ms=0 ns_ms=0
if [ "$M" -gt 0 ]; then
	echo "-- define+start of $M, one nvectl process per operation (naive)"
	nv() { timeout 40 "$NVECTL" -s "$TSOCK" -t 35 "$@" >/dev/null 2>>"$LAB/naive.err"; }
	t0=$(date +%s%N)
	for i in $(seq 0 $((M - 1))); do
		nv vm define "naive-$i" port "nv$i" \
			mac "$(printf '52:54:01:%02x:%02x:%02x' $((i >> 16 & 255)) $((i >> 8 & 255)) $((i & 255)))" \
			vn $((5001 + i % 10)) ip "$(printf '2001:db8:100::1:%x' "$i")" &&
			naive_ok=$((naive_ok + 1))
	done
	t1=$(date +%s%N)
	for i in $(seq 0 $((M - 1))); do
		nv vm start "naive-$i" && naive_ok=$((naive_ok + 1))
	done
	t2=$(date +%s%N)
	alive
	[ "$naive_ok" = $((2 * M)) ] ||
		fail "naive: $naive_ok of $((2 * M)) operations ok: $(head -n 3 "$LAB/naive.err")"
	nd_ms=$(( (t1 - t0) / 1000000 )) ns_ms=$(( (t2 - t1) / 1000000 ))
	naive_ms=$(( (t2 - t0) / 1000000 ))
	act=$(n_activated)
	[ "$act" = "$M" ] || fail "nnved holds $act TSIs ACTIVATED after the naive run, not $M"
fi

# ---- summary --------------------------------------------------------------
per_s() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.1f", (ms > 0 ? n * 1000 / ms : 0) }'; }
ds_ops=$(jfig define+start per_s)
ds_el=$(jfig define+start elapsed_s)
naive_rate=$(per_s $((2 * M)) "$naive_ms")
echo
echo "==== summary (N=$N, window $W, $LABEL; figures, not verdicts)"
printf '%-34s %10s ops/s  (%s VMs/s; %d ops in %s s)\n' "define+start, pipelined" \
	"$ds_ops" "$(awk -v n="$N" -v s="$ds_el" 'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }')" \
	$((2 * N)) "$ds_el"
for p in define start shutdown destroy; do
	printf '  %-32s %10s ops/s  p50 %.0f / p90 %.0f / p99 %.0f us\n' "$p" \
		"$(jfig $p per_s)" "$(jfig $p p50_us)" "$(jfig $p p90_us)" "$(jfig $p p99_us)"
done
if [ "$M" -gt 0 ]; then
	printf '%-34s %10s ops/s  (define %s, start %s ops/s; M=%d)\n' \
		"define+start, nvectl per op" "$naive_rate" \
		"$(per_s "$M" "$nd_ms")" "$(per_s "$M" "$ns_ms")" "$M"
	awk -v a="$ds_ops" -v b="$naive_rate" 'BEGIN {
		printf "%-34s %10.1fx\n", "ratio pipelined/naive", (b > 0 ? a / b : 0) }'
fi
printf '%-34s %10d bytes  (VmRSS %d -> %d B)\n' "tnved RSS per VM" \
	$(( (rss1 - rss0) / N )) "$rss0" "$rss1"
printf '%-34s %10d bytes  (%d B for %d VM files, %s)\n' "state directory per VM" \
	$((sdir / N)) "$sdir" "$N" "$(stat -f -c %T "$STATE")"
if [ "$HOLD" -gt 0 ]; then
	hold_ms=$(( (h1 - h0) / 1000000 ))
	tck=$(getconf CLK_TCK)
	printf '%-34s %10s /s     (%d in %d ms with %d VMs running; RKA %d)\n' \
		"keep-alives nnved saw" "$(per_s $((ka1 - ka0)) "$hold_ms")" \
		$((ka1 - ka0)) "$hold_ms" "$N" "$RKA"
	awk -v t=$((tc1 - tc0)) -v n=$((nc1 - nc0)) -v hz="$tck" -v ms="$hold_ms" 'BEGIN {
		if (ms > 0) printf "%-34s %9.1f%% tnved, %.1f%% nnved (of one core)\n",
		    "CPU meanwhile", t * 100000 / hz / ms, n * 100000 / hz / ms }'
fi
printf '%-34s %10s        (ops_ok %s, ops_failed %s, ops_timeout %s)\n' \
	"tnved store writes" "$(t_ctr store_writes)" "$(t_ctr ops_ok)" \
	"$(t_ctr ops_failed)" "$(t_ctr ops_timeout)"
printf '%-34s %10s        (ECP retransmissions %s)\n' "nnved requests from the station" \
	"$(n_st requests)" "$(n_st ecp_retrans)"
alive
