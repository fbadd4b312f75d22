# tests/lib/etcd.sh - real etcd v3 members for labs and benchmarks.
# shellcheck shell=bash
# Sourced after lab/lib.sh (it needs lab_init's $LAB and $LAB_PIDS,
# wait_for, fail and ns).
#
#   etcd_have                 true when etcd and etcdctl are installed
#                             (Debian etcd-server, etcd-client)
#   etcd_start_one NAME NS DIR    one single-member cluster called NAME,
#                             data in DIR (under $LAB), run in lab
#                             namespace NS ("-": this namespace, for
#                             benchmarks on the host's loopback)
#   etcd_start_cluster NS [PFX]   three members PFX1..PFX3 (default
#                             etcd1..etcd3) forming one cluster, all in
#                             NS, data in $LAB/PFXi
#   etcd_wait [SECS]          until every member not killed answers
#                             /health with true (it has a leader and a
#                             quorum read went through); default 20 s
#   etcd_kill NAME            kill -9 a member and wait until it is gone
#   etcd_stop NAME            the same with TERM (a clean stop)
#   etcd_url NAME             its client URL
#   etcd_endpoints            client URLs of the living members, commas
#   etcd_conf_endpoints       "endpoint URL" lines for nvad.conf: the
#                             members not killed or stopped
#   etcd_ctl ARGS...          etcdctl (API 3) against the living members,
#                             bounded by dial and command timeouts
#
# Every member listens on 127.0.0.1 only: client port ETCD_CLIENT_BASE+i,
# peer port ETCD_PEER_BASE+i (defaults 23790 and 23800, i counting the
# members this run started), so that members of one namespace never
# collide and a benchmark on the host's loopback stays off etcd's usual
# 2379/2380.  Members run with --max-txn-ops ETCD_MAX_TXN_OPS, 128 by
# default, which is etcd's own default and what nvad writes per
# transaction by default (nvad.conf "max-txn-ops"); a lab that raises
# nvad's must raise this too.  History is never compacted (no
# --auto-compaction-retention), so a resync from an old revision works.
# Heartbeat 50 ms and election timeout 500 ms: on loopback a killed
# leader is replaced within about a second.
#
# Clean-up is the lab's own: every member's pid goes to $LAB_PIDS
# (lab_cleanup sends TERM, then KILL), its data to $LAB (removed), its
# namespace to the lab's list (deleted).

ETCD_CLIENT_BASE=${ETCD_CLIENT_BASE:-23790}
ETCD_PEER_BASE=${ETCD_PEER_BASE:-23800}
ETCD_MAX_TXN_OPS=${ETCD_MAX_TXN_OPS:-128}
ETCD_MEMBERS=""
ETCD_NEXT=0
declare -A ETCD_PID ETCD_CPORT ETCD_PPORT ETCD_NSOF ETCD_DEAD
exec {ETCD_ERR}>&2

etcd_have() {
	command -v etcd >/dev/null 2>&1 && command -v etcdctl >/dev/null 2>&1
}

# _etcd_in NS CMD...: CMD in lab namespace NS, or here for "-".
_etcd_in() {
	local n=$1

	shift
	if [ "$n" = - ]; then
		"$@"
	else
		ip netns exec "$(ns "$n")" "$@"
	fi
}

# _etcd_ports NAME NS: gives NAME the next pair of ports.
_etcd_ports() {
	ETCD_CPORT[$1]=$((ETCD_CLIENT_BASE + ETCD_NEXT))
	ETCD_PPORT[$1]=$((ETCD_PEER_BASE + ETCD_NEXT))
	ETCD_NSOF[$1]=$2
	ETCD_DEAD[$1]=0
	ETCD_NEXT=$((ETCD_NEXT + 1))
	ETCD_MEMBERS="$ETCD_MEMBERS $1"
}

# _etcd_launch NAME DIR CLUSTER TOKEN: starts the member in the
# background (ip netns exec execs etcd: the pid is etcd's own).
_etcd_launch() {
	local name=$1 dir=$2 cluster=$3 token=$4 c p pre=()

	c=http://127.0.0.1:${ETCD_CPORT[$name]}
	p=http://127.0.0.1:${ETCD_PPORT[$name]}
	mkdir -p "$dir"
	chmod 700 "$dir"
	# not through _etcd_in: $! would be a subshell's pid, not etcd's
	[ "${ETCD_NSOF[$name]}" = - ] ||
		pre=(ip netns exec "$(ns "${ETCD_NSOF[$name]}")")
	"${pre[@]}" etcd --name "$name" --data-dir "$dir" \
		--listen-client-urls "$c" --advertise-client-urls "$c" \
		--listen-peer-urls "$p" --initial-advertise-peer-urls "$p" \
		--initial-cluster "$cluster" --initial-cluster-token "$token" \
		--initial-cluster-state new \
		--max-txn-ops "$ETCD_MAX_TXN_OPS" \
		--heartbeat-interval 50 --election-timeout 500 \
		--logger zap --log-outputs stderr --log-level warn \
		>"$LAB/etcd-$name.log" 2>&1 &
	ETCD_PID[$name]=$!
	LAB_PIDS="$LAB_PIDS $!"
	disown $!	# no "Killed" line from the shell after etcd_kill
}

etcd_start_one() {
	[ $# -eq 3 ] || fail "etcd_start_one NAME NS DIR"
	_etcd_ports "$1" "$2"
	_etcd_launch "$1" "$3" "$1=http://127.0.0.1:${ETCD_PPORT[$1]}" \
		"${RUN:-sn}-$1"
}

etcd_start_cluster() {
	local nsn=$1 pfx=${2:-etcd} cluster="" i

	for i in 1 2 3; do
		_etcd_ports "$pfx$i" "$nsn"
		cluster="$cluster${cluster:+,}$pfx$i=http://127.0.0.1:${ETCD_PPORT[$pfx$i]}"
	done
	for i in 1 2 3; do
		_etcd_launch "$pfx$i" "$LAB/$pfx$i" "$cluster" "${RUN:-sn}-$pfx"
	done
}

etcd_url() { echo "http://127.0.0.1:${ETCD_CPORT[$1]}"; }

etcd_endpoints() {
	local out="" m

	for m in $ETCD_MEMBERS; do
		[ "${ETCD_DEAD[$m]}" = 0 ] && out="$out${out:+,}$(etcd_url "$m")"
	done
	echo "$out"
}

etcd_conf_endpoints() {
	local m

	for m in $ETCD_MEMBERS; do
		[ "${ETCD_DEAD[$m]}" = 0 ] || continue
		echo "	endpoint $(etcd_url "$m")"
	done
}

# _etcd_healthy NAME: the member answers /health with true.
_etcd_healthy() {
	# wait_for silences its command: fail says why on the lab's stderr
	kill -0 "${ETCD_PID[$1]}" 2>/dev/null ||
		fail "etcd member $1 died: $(tail -n 5 "$LAB/etcd-$1.log")" \
		2>&"$ETCD_ERR"
	_etcd_in "${ETCD_NSOF[$1]}" curl -sf --max-time 2 \
		"$(etcd_url "$1")/health" | grep -q '"health":"true"'
}

etcd_wait() {
	local m

	for m in $ETCD_MEMBERS; do
		[ "${ETCD_DEAD[$m]}" = 0 ] || continue
		wait_for "${1:-20}" "etcd member $m healthy" _etcd_healthy "$m"
	done
}

# _etcd_signal NAME SIG SECS
_etcd_signal() {
	local pid=${ETCD_PID[$1]:-}

	[ -n "$pid" ] || fail "etcd: no member $1"
	kill "-$2" "$pid" 2>/dev/null || true
	wait_for "$3" "etcd member $1 gone" sh -c "! kill -0 $pid 2>/dev/null"
	ETCD_DEAD[$1]=1
}

etcd_kill() { _etcd_signal "$1" KILL 5; }
etcd_stop() { _etcd_signal "$1" TERM 10; }

etcd_ctl() {
	local m

	for m in $ETCD_MEMBERS; do
		[ "${ETCD_DEAD[$m]}" = 0 ] || continue
		_etcd_in "${ETCD_NSOF[$m]}" env ETCDCTL_API=3 etcdctl \
			--endpoints "$(etcd_endpoints)" --dial-timeout 2s \
			--command-timeout 5s "$@"
		return
	done
	fail "etcd_ctl: no living member"
}
