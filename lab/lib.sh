# lab/lib.sh - network-namespace lab library, sourced by lab/demo and by
# every test under tests/interop/ and tests/lab/.
#
# What it gives a lab script:
#   lab_init NAME        unique run id, scratch folder $LAB, EXIT trap that
#                        tears everything down (also on failure)
#   lab_ns NS            create namespace "${RUN}-NS" (loopback up, IPv6 DAD
#                        off); its full name is printed by ns NS
#   lab_veth A IFA B IFB [MACA MACB]   veth pair between two namespaces
#   lab_bridge NS BR     plain Linux bridge inside NS
#   lab_bg NS LOG CMD... start CMD in NS in the background, remember its pid
#   lab_lldpad NS ROLE IF   start lldpad (private /dev/shm, own config)
#   wait_for SECS DESC CMD...  poll CMD every 50 ms until it succeeds or the
#                        deadline passes (then fail with DESC); never a bare
#                        sleep
#   pcap_hex PCAP FILTER print each frame matching the tshark display
#                        FILTER as one line of lowercase hex
#   fail MSG / pass MSG  test verdicts (fail exits non-zero)
#
# Addresses: only documentation ranges (DESIGN.md §7), and only inside the
# namespaces made here.
set -eu

LAB_PIDS=""
LAB_NS=""

lab_init() {
	[ "$(id -u)" -eq 0 ] || { echo "$1: needs root (network namespaces)" >&2; exit 77; }
	RUN="sn$$$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
	LAB=$(mktemp -d "/tmp/splitnve-$1.XXXXXX")
	LAB_NAME=$1
	trap lab_cleanup EXIT
	trap 'exit 130' INT TERM
}

ns() { echo "${RUN}-$1"; }

lab_ns() {
	n=$(ns "$1")
	ip netns add "$n"
	LAB_NS="$LAB_NS $n"
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 >/dev/null 2>&1 || true
	ip netns exec "$n" sysctl -qw net.ipv6.conf.default.accept_dad=0 >/dev/null 2>&1 || true
}

lab_veth() {
	a=$1 ifa=$2 b=$3 ifb=$4
	if [ $# -ge 6 ]; then
		ip link add "$ifa" netns "$(ns "$a")" address "$5" type veth \
			peer name "$ifb" netns "$(ns "$b")" address "$6"
	else
		ip link add "$ifa" netns "$(ns "$a")" type veth \
			peer name "$ifb" netns "$(ns "$b")"
	fi
	ip -n "$(ns "$a")" link set "$ifa" up
	ip -n "$(ns "$b")" link set "$ifb" up
}

lab_bridge() {
	ip -n "$(ns "$1")" link add "$2" type bridge
	# group_fwd_mask cannot pass 01-80-C2-00-00-00; that is why RFC 8394
	# wants unicast ECP destinations across bridges.
	ip -n "$(ns "$1")" link set "$2" type bridge stp_state 0 forward_delay 0
	ip -n "$(ns "$1")" link set "$2" up
}

lab_bg() {
	n=$(ns "$1"); log=$2; shift 2
	ip netns exec "$n" "$@" >"$log" 2>&1 &
	LAB_PIDS="$LAB_PIDS $!"
	LAST_PID=$!
}

# lldpad keeps its state in /dev/shm/lldpad.state; each instance gets a
# private tmpfs there (ip netns exec already gives a private mount ns).
lab_lldpad() {
	n=$(ns "$1"); role=$2; ifn=$3
	conf="$LAB/lldpad-$1.conf"
	if [ "$role" = bridge ]; then rrcap=true; else rrcap=false; fi
	cat >"$conf" <<EOC
nearest_customer_bridge :
{
  $ifn :
  {
    adminStatus = 3;
    tlvid0080c20d :
    {
      enableTx = true;
      evbmode = "$role";
      evbrrreq = false;
      evbrrcap = $rrcap;
      evbgpid = true;
      ecpretries = 3;
      ecprte = 8;
      vdprwd = 20;
      vdprka = ${LLDPAD_RKA:-20};
    };
  };
};
EOC
	ip netns exec "$n" sh -c "mount -t tmpfs shm-$RUN /dev/shm &&
		exec stdbuf -oL lldpad -p -t -V7 -f $conf" >"$LAB/lldpad-$1.log" 2>&1 &
	LAB_PIDS="$LAB_PIDS $!"
	LLDPAD_PID=$!
	wait_for 10 "lldpad in $1 answers lldptool" \
		ip netns exec "$n" lldptool -t -i "$ifn" -g ncb -V evb
}

wait_for() {
	secs=$1 desc=$2; shift 2
	end=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
	while ! "$@" >/dev/null 2>&1; do
		if [ "$(( $(date +%s%N) / 1000000 ))" -ge "$end" ]; then
			fail "timed out after ${secs}s waiting for: $desc"
		fi
		sleep 0.05
	done
}

pcap_hex() {
	tshark -r "$1" -Y "$2" -x 2>/dev/null | awk '
	/^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / {
		for (i = 2; i <= 17; i++) if ($i ~ /^[0-9a-f][0-9a-f]$/) printf "%s", $i
		next
	}
	/^$/ { print "" }'
}

fail() {
	echo "FAIL [$LAB_NAME]: $*" >&2
	if [ -n "${LAB:-}" ] && [ -z "${LAB_KEEP:-}" ]; then
		for f in "$LAB"/*.log; do
			[ -f "$f" ] || continue
			echo "---- tail of $f" >&2
			tail -n 30 "$f" >&2
		done
	fi
	exit 1
}

pass() { echo "ok [$LAB_NAME]: $*"; }

lab_cleanup() {
	rc=$?
	for p in $LAB_PIDS; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $LAB_PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i+1)); done
		kill -KILL "$p" 2>/dev/null || true
	done
	for n in $LAB_NS; do ip netns del "$n" 2>/dev/null || true; done
	if [ -n "${LAB_KEEP:-}" ]; then
		echo "lab: kept $LAB" >&2
	else
		rm -rf "$LAB"
	fi
	exit $rc
}
