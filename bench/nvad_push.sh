#!/bin/bash
# nvad_push.sh - nvad's fan-out: mapping reports taken in per second and
# push events per second out to S subscribed NVE sessions, report-to-push
# latency, memory and LMDB octets per mapping at M mappings; then the
# same fan-out through a second nvad whose store is etcd ("etcd mode"),
# and on raw etcd (puts plus S watchers through its v3 JSON gateway), in
# the same run, and the ratios.  Issue 5 item 6.
#
#   bench_nvad_push --- nveR (reporter, W reports in flight) ----.
#     (one libuv loop) - nveS1..nveS<S> (subscribed to VN 5001) -+- nvad 127.0.0.1:$PORT
#                                                                     LMDB in $LAB/db
#                    then the same sessions, EN reports ---------- nvad 127.0.0.1:$PORT+1
#                                                                     store etcd, prefix
#                                                                     /snbench-nvad/ --.
#   bench_nvad_push --- W puts in flight, S watch streams --- etcd 127.0.0.1:23790 <--'
#     (libcurl multi)    on /snbench/                            data in $LAB/etcd
#
# The etcd-mode nvad and raw etcd do the same work: EN reports (puts) of
# one mapping each, every one delivered to S subscribers (watchers).
# The last line gives "etcd mode / raw etcd" in push events per second;
# issue 5 aims at raw etcd being at most 1.5x faster (a ratio of 0.67 or
# more).  etcd comes from tests/lib/etcd.sh (one member, its defaults).
#
# Everything on loopback, no namespaces.  The PKI (one CA, nva1, nveR,
# nveS1..nveS<S>) is made by scripts/nva-certs.  nvad runs with the LMDB
# store and "sync yes" (its default: an acknowledged report is on disk);
# etcd fsyncs its WAL as always.  Both share the machine's cores with the
# bench program: the figures say how many.
#
# Environment: SN_BUILD the build folder (default build/dev; a Release
# build is recommended: cmake -DCMAKE_BUILD_TYPE=Release); BENCH_S
# subscribers (100), BENCH_N reports (100000), BENCH_W window (256),
# BENCH_M mappings for the memory figure (1000000; 0 skips), BENCH_ETCD_N
# etcd puts (5000: etcd delivers tens of thousands of events a second to
# 100 watchers, so N would take minutes; also the reports through nvad in
# etcd mode; 0 skips both), BENCH_ETCD_MODE=0 skips nvad in etcd mode,
# BENCH_PORT nvad's port (47900; the etcd-mode nvad takes the next one),
# BENCH_DEADLINE seconds per phase (120), BENCH_SYNC=0 runs
# nvad with "sync no", BENCH_PERF=1 records nvad with perf during the run
# and prints its top symbols, LAB_KEEP=1 keeps the scratch folder.
#
# Root only (lab/lib.sh).  Benchmarks print figures and never judge them:
# the script fails only when something does not work (a daemon does not
# start or dies, a session fails, counts are wrong, a deadline passes).
. "${SN_SOURCE:-$(dirname "$0")/..}/lab/lib.sh"
. "${SN_SOURCE:-$(dirname "$0")/..}/tests/lib/etcd.sh"
SRC=${SN_SOURCE:-$(dirname "$0")/..}
B=${SN_BUILD:-build/dev}
NVAD=$B/daemons/nvad
BENCH=$B/bench/bench_nvad_push
S=${BENCH_S:-100}
N=${BENCH_N:-100000}
W=${BENCH_W:-256}
M=${BENCH_M:-1000000}
EN=${BENCH_ETCD_N:-5000}
PORT=${BENCH_PORT:-47900}
DL=${BENCH_DEADLINE:-120}
SYNC=yes
[ "${BENCH_SYNC:-1}" = 0 ] && SYNC=no
for f in "$NVAD" "$BENCH"; do
	[ -x "$f" ] || { echo "nvad_push: $f not built" >&2; exit 2; }
done
EM=${BENCH_ETCD_MODE:-1}
for v in "$S" "$N" "$W" "$M" "$EN" "$PORT" "$DL" "$EM"; do
	case $v in
	''|*[!0-9]*) echo "nvad_push: BENCH_* values must be numbers" >&2; exit 2 ;;
	esac
done
lab_init nvad_push

# ---- PKI, config, nvad ----------------------------------------------------
PKI=$LAB/pki
names="nva1 nveR"
for i in $(seq 1 "$S"); do names="$names nveS$i"; done
echo "-- PKI: CA and $((S + 2)) certificates (scripts/nva-certs)"
"$SRC/scripts/nva-certs" "$PKI" ca >/dev/null || fail "nva-certs ca"
# shellcheck disable=SC2086
"$SRC/scripts/nva-certs" "$PKI" issue $names >/dev/null || fail "nva-certs issue"

cat >"$LAB/nvad.conf" <<EOF
nva-name nva1
listen 127.0.0.1 port $PORT
tls {
	cert "$PKI/nva1.pem"
	key "$PKI/nva1.key"
	ca "$PKI/ca.pem"
}
control "$LAB/nvad.sock"
store lmdb {
	path "$LAB/db"
	sync $SYNC
}
keepalive 3000
max-sessions $((S + 64))
EOF
"$NVAD" -n -f "$LAB/nvad.conf" 2>"$LAB/check.log" ||
	fail "nvad -n refuses the bench config: $(cat "$LAB/check.log")"
"$NVAD" -f "$LAB/nvad.conf" -l info >"$LAB/nvad.log" 2>&1 &
NVAD_PID=$!
LAB_PIDS="$LAB_PIDS $NVAD_PID"
wait_for 10 "nvad serving" grep -q "serving" "$LAB/nvad.log"

# ---- etcd (tests/lib/etcd.sh: one member, client 127.0.0.1:23790) ---------
ETCD_ARGS=()
EPID=
if [ "$EN" -gt 0 ]; then
	if etcd_have; then
		etcd_start_one snbench - "$LAB/etcd"
		EPID=${ETCD_PID[snbench]}
		etcd_wait 20
		ETCD_ARGS=(--etcd "$(etcd_url snbench)" --etcd-n "$EN"
			--etcd-pid "$EPID")
		EV=$(etcd --version | sed -n 's/^etcd Version: //p')
	else
		echo "note: no etcd (Debian etcd-server): the etcd parts are skipped"
	fi
fi

# ---- nvad in etcd mode: the same PKI and name, the next port --------------
EMPID=
if [ -n "$EPID" ] && [ "$EM" != 0 ]; then
	cat >"$LAB/nvad-etcd.conf" <<EOF
nva-name nva1
listen 127.0.0.1 port $((PORT + 1))
tls {
	cert "$PKI/nva1.pem"
	key "$PKI/nva1.key"
	ca "$PKI/ca.pem"
}
control "$LAB/nvad-etcd.sock"
store etcd {
$(etcd_conf_endpoints)
	prefix "/snbench-nvad/"
}
keepalive 3000
max-sessions $((S + 64))
EOF
	"$NVAD" -n -f "$LAB/nvad-etcd.conf" 2>"$LAB/check-etcd.log" ||
		fail "nvad -n refuses the etcd-mode config: $(cat "$LAB/check-etcd.log")"
	"$NVAD" -f "$LAB/nvad-etcd.conf" -l info >"$LAB/nvad-etcd.log" 2>&1 &
	EMPID=$!
	LAB_PIDS="$LAB_PIDS $EMPID"
	wait_for 20 "nvad in etcd mode serving" grep -q "serving" "$LAB/nvad-etcd.log"
	ETCD_ARGS+=(--etcd-mode-port $((PORT + 1)) --etcd-mode-pid "$EMPID")
fi

PERF_PID=
if [ -n "${BENCH_PERF:-}" ] && [ "$BENCH_PERF" != 0 ] && command -v perf >/dev/null; then
	perf record -g -o "$LAB/perf.data" -p "$NVAD_PID" >"$LAB/perf.log" 2>&1 &
	PERF_PID=$!
	LAB_PIDS="$LAB_PIDS $PERF_PID"
fi

echo "== nvad push: S=$S subscribers, N=$N reports, window $W, M=$M; nvad store lmdb sync $SYNC"
[ -n "$EMPID" ] && echo "   then nvad with store etcd and raw etcd: $EN reports / puts each"
echo "   $(nproc) cores shared by nvad, etcd${EV:+ $EV} and the bench program; build $B"
rc=0
timeout $((DL * 5 + 60)) "$BENCH" --pki "$PKI" --port "$PORT" --pid "$NVAD_PID" \
	--db "$LAB/db" -s "$S" -n "$N" -w "$W" -m "$M" --deadline "$DL" \
	"${ETCD_ARGS[@]}" || rc=$?
kill -0 "$NVAD_PID" 2>/dev/null || fail "nvad died: $(tail -n 5 "$LAB/nvad.log")"
if [ -n "$EMPID" ]; then
	kill -0 "$EMPID" 2>/dev/null || fail "nvad in etcd mode died: $(tail -n 5 "$LAB/nvad-etcd.log")"
fi
if [ -n "$EPID" ]; then
	kill -0 "$EPID" 2>/dev/null || fail "etcd died: $(tail -n 5 "$LAB/etcd-snbench.log")"
fi
if [ -n "$PERF_PID" ]; then
	kill -INT "$PERF_PID" 2>/dev/null
	i=0
	while kill -0 "$PERF_PID" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	echo "-- perf: nvad's top symbols over the whole run (self)"
	perf report -i "$LAB/perf.data" --no-children --stdio -g none --percent-limit 1 --sort dso,symbol 2>/dev/null |
		grep -E "^ +[0-9]" | head -n 20
fi
[ "$rc" = 0 ] || fail "bench_nvad_push exit $rc (1: something did not work; 124: killed by timeout)"
