#!/bin/bash
# nnved_assoc.sh [N] - how many VSI associations per second nnved completes,
# its answer latency and its resident memory per associated TSI, beside
# what Debian's lldpad completes for vdptool in the same run.
#
#   Part 1: our station at full speed against nnved
#     ns st                                  ns nve
#     bench_vdpsta -- st0 ================ nve0 -- nnved (VIDs 100-199)
#                                          nve1 --'     <- nvectl --json
#   Part 3: vdptool against nnved (the same nnved, port nve1)   |
#     ns vs                                                      |
#     vdptool -> lldpad station -- vs0 ========================= nve1
#   Part 2: vdptool against lldpad as the bridge
#     ns ls                                  ns lb
#     vdptool -> lldpad station -- ls0 ===== lb0 -- lldpad bridge
#
# N (default 100000; 5000 with BENCH_QUICK=1) VSIs for
# Part 1, M=200 (BENCH_M) vdptool associations one after another for
# Parts 2 and 3 (0 skips them), each timed from the first request to the
# last answer.
# Root only.  Benchmarks print figures and never judge them: this script
# fails only when something does not work (nnved dies, no answers).
# SN_BUILD names the build folder (daemons/nnved, tools/nvectl,
# bench/bench_vdpsta); BENCH_ARGS adds options to bench_vdpsta (--single,
# --window W); BENCH_RKA the EVB RKA exponent of nnved (default
# 20: bench_vdpsta sends no keep-alives, so Part 1 must end within
# nnved's keep-alive timeout of about 16 s; raise it for slow builds).
. "${SN_SOURCE:-$(dirname "$0")/..}/lab/lib.sh"
B=${SN_BUILD:-build/dev}
NNVED=$B/daemons/nnved
NVECTL=$B/tools/nvectl
BENCH=$B/bench/bench_vdpsta
if [ -n "${BENCH_QUICK:-}" ]; then N=${1:-5000}; else N=${1:-100000}; fi
M=${BENCH_M:-200}
RKA=${BENCH_RKA:-20}
HOLD_MS=3000
for f in "$NNVED" "$NVECTL" "$BENCH"; do
	[ -x "$f" ] || { echo "nnved_assoc: $f not built" >&2; exit 2; }
done
lab_init nnved_assoc
lab_ns st; lab_ns nve; lab_ns vs; lab_ns ls; lab_ns lb
lab_veth st st0 nve nve0 02:00:00:00:00:01 02:00:00:00:00:02
lab_veth vs vs0 nve nve1 02:00:00:00:00:05 02:00:00:00:00:06
lab_veth ls ls0 lb lb0 02:00:00:00:00:03 02:00:00:00:00:04

SOCK="$LAB/nnved.sock"
cat >"$LAB/nnved.conf" <<EOF
control "$SOCK"
log-level warn
evb retries 3 rte 8 rwd 20 rka $RKA
vids 100-199
max-vsi $((N + M + 64))
port nve0 {
}
port nve1 {
}
station 02:00:00:00:00:01 {
	vn any
}
station 02:00:00:00:00:05 {
	vn any
}
EOF
"$NNVED" -n -f "$LAB/nnved.conf" || fail "nnved -n refuses the bench config"
lab_bg nve "$LAB/nnved.log" "$NNVED" -f "$LAB/nnved.conf" -l warn
NNVED_PID=$LAST_PID
ctl() { "$NVECTL" -s "$SOCK" "$@"; }
wait_for 10 "nnved ports open" sh -c \
	"$NVECTL -s $SOCK --json port show | jq -e 'length == 2 and all(.[]; .open)'"
alive() { kill -0 "$NNVED_PID" 2>/dev/null || fail "nnved died"; }
rss() { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$NNVED_PID/status"; }
vsis() { ctl --json counters show | jq -r '.[0].vsis'; }

# ---- Part 1: our station, N associations at full speed -------------------
echo "== Part 1: bench_vdpsta -> nnved, N=$N"
rss0=$(rss)
ip netns exec "$(ns st)" "$BENCH" -i st0 -n "$N" --hold "$HOLD_MS" --json ${BENCH_ARGS:-} \
	>"$LAB/bench.out" 2>"$LAB/bench.err" &
BPID=$!
LAB_PIDS="$LAB_PIDS $BPID"
wait_for 90 "bench_vdpsta associate phase" sh -c \
	"grep -q '^associated' '$LAB/bench.out' || ! kill -0 $BPID"
alive
grep -q '^associated' "$LAB/bench.out" ||
	fail "bench_vdpsta stopped before associating: $(cat "$LAB/bench.err")"
okn=$(sed -n 's/^associated \([0-9]*\)$/\1/p' "$LAB/bench.out")
# the last answers may still be entering nnved's table: poll briefly
end=$(( $(date +%s) + 2 ))
while [ "$(vsis)" != "$okn" ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.05; done
held=$(vsis)
rss1=$(rss)
wait "$BPID" || fail "bench_vdpsta exited $?: $(cat "$LAB/bench.err")"
alive
J=$(tail -n 1 "$LAB/bench.out")
echo "$J" | jq -e .associate >/dev/null || fail "bench_vdpsta printed no figures: $J"
jf() { echo "$J" | jq -r "$1"; }
[ "$(jf .associate.answered)" -gt 0 ] || fail "nnved answered no association"
left=$(vsis)
printf '%-12s %8s %8s %8s %8s %6s %10s %9s %9s %9s %9s %9s\n' phase N answered \
	ok failed cut elapsed_s per_s p50_us p90_us p99_us tlv/pdu
for p in associate deassociate; do
	printf '%-12s %8s %8s %8s %8s %6s %10.3f %9.0f %9.1f %9.1f %9.1f %4.1f/%4.1f\n' \
		$p "$(jf .$p.n)" "$(jf .$p.answered)" "$(jf .$p.ok)" \
		"$(jf .$p.failed)" "$(jf .$p.cut)" "$(jf .$p.elapsed_s)" \
		"$(jf .$p.per_s)" "$(jf .$p.p50_us)" "$(jf .$p.p90_us)" \
		"$(jf .$p.p99_us)" "$(jf .$p.tlv_per_ulpdu_tx)" \
		"$(jf .$p.tlv_per_ulpdu_rx)"
done
echo "ECPDUs associate: tx $(jf .associate.ecpdu_tx) (retrans $(jf .associate.ecpdu_retrans)) rx $(jf .associate.ecpdu_rx); multi-TLV agreed: $(jf .multi_tlv)"
echo "nnved VmRSS: before $rss0 B, with $held TSIs $rss1 B, after de-associate: $left TSIs left"
[ "$left" = 0 ] || echo "note: nnved still holds $left TSIs after the de-associate phase"
if [ "${held:-0}" -gt 0 ]; then
	bpt=$(( (rss1 - rss0) / held ))
else
	bpt=n/a
fi

# ---- vdptool loops (Parts 2 and 3) ---------------------------------------
# Runs inside the station's namespace: M associations one after another,
# then prints "OK FIRST_NS LAST_NS".
cat >"$LAB/vdploop.sh" <<'EOF'
ifn=$1 m=$2 tag=$3 out=$4
ok=0
t0=$(date +%s%N)
for i in $(seq 1 "$m"); do
	u=$(printf '%s000000-0000-4000-8000-%012x' "$tag" "$i")
	mac=$(printf '52:54:00:%s:%02x:%02x' "$tag" $((i >> 8)) $((i & 255)))
	vdptool -i "$ifn" -T -W -V assoc -c mode=assoc -c mgrid2=mgr1 \
		-c typeid=5 -c typeidver=4 -c uuid="$u" -c hints=none \
		-c filter="0-$mac-5000" >"$out" 2>&1
	grep -q 'mode = assoc' "$out" && ok=$((ok + 1))
done
echo "$ok $t0 $(date +%s%N)"
EOF
MGR="-c mgrid2=mgr1 -c typeid=5 -c typeidver=4"
# vdptool_run NS IF TAG -> sets VOK, VMS (elapsed ms)
vdptool_run() {
	S="ip netns exec $(ns "$1")"
	wait_for 40 "lldpad station in $1 accepts VDP" sh -c "
		$S vdptool -i $2 -T -W -V assoc -c mode=assoc $MGR \
		  -c uuid=a1a1a1a1-0000-0000-0000-0000000000$3 -c hints=none \
		  -c filter=0-52:54:00:00:00:$3-5000 2>&1 | grep -q 'mode = assoc'"
	set -- $($S bash "$LAB/vdploop.sh" "$2" "$M" "$3" "$LAB/vdp-$1.out")
	VOK=$1
	VMS=$(( ($3 - $2) / 1000000 ))
}
# (parentheses: a bare ">" after printf is awk's output redirection)
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.1f", (ms > 0 ? n * 1000 / ms : 0) }'; }
mean() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.2f", (n > 0 ? ms / n : 0) }'; }

L_OK=0 L_MS=0 N_OK=0 N_MS=0
if [ "$M" -gt 0 ]; then
	echo "== Part 2: vdptool -> lldpad station -> lldpad bridge, M=$M"
	lab_lldpad lb bridge lb0
	lab_lldpad ls station ls0
	vdptool_run ls ls0 b2
	[ "$VOK" -gt 0 ] || fail "lldpad bridge answered none of $M: $(cat "$LAB/vdp-ls.out")"
	L_OK=$VOK L_MS=$VMS
	echo "answered ok $L_OK of $M in $L_MS ms: $(rate $L_OK $L_MS)/s, $(mean $L_OK $L_MS) ms each"

	echo "== Part 3: vdptool -> lldpad station -> nnved, M=$M"
	lab_lldpad vs station vs0
	vdptool_run vs vs0 b3
	alive
	[ "$VOK" -gt 0 ] || fail "nnved answered none of vdptool's $M: $(cat "$LAB/vdp-vs.out")"
	N_OK=$VOK N_MS=$VMS
	echo "answered ok $N_OK of $M in $N_MS ms: $(rate $N_OK $N_MS)/s, $(mean $N_OK $N_MS) ms each"
	alive
else
	echo "== Parts 2 and 3 skipped (BENCH_M=0)"
fi
ours=$(jf .associate.per_s)
l_rate=$(rate $L_OK $L_MS)
n_rate=$(rate $N_OK $N_MS)
echo
echo "==== summary (N=$N, M=$M; figures, not verdicts)"
printf 'bench_vdpsta -> nnved      %12.0f assoc/s (%s of %s ok%s)\n' "$ours" \
	"$(jf .associate.ok)" "$N" "$([ "$(jf .associate.cut)" = true ] && echo ', CUT SHORT')"
printf 'vdptool -> lldpad bridge   %12s assoc/s (%s ms each)\n' "$l_rate" "$(mean $L_OK $L_MS)"
printf 'vdptool -> nnved           %12s assoc/s (%s ms each)\n' "$n_rate" "$(mean $N_OK $N_MS)"
awk -v a="$ours" -v b="$l_rate" -v c="$n_rate" 'BEGIN {
	printf "ratio nnved/lldpad-bridge   %11.1fx (our station vs vdptool)\n", (b > 0 ? a / b : 0)
	printf "ratio same client (vdptool) %11.2fx (nnved vs lldpad bridge)\n", (b > 0 ? c / b : 0) }'
printf 'answer latency p50/p99      %s / %s us\n' "$(jf .associate.p50_us)" "$(jf .associate.p99_us)"
printf 'nnved RSS per TSI           %s bytes (%s TSIs)\n' "$bpt" "$held"
alive
