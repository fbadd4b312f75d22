#!/bin/bash
# nvad_etcd.sh - two nvads sharing one etcd (store etcd), NVEs played by
# nvadiag in their own namespaces, each NVE on one of the two nvads:
#
#   ns nve1 (203.0.113.11) --\          ns nva
#   ns nve2 (203.0.113.12) ---+-- br0 --  nva1 203.0.113.1:4790 --\
#   ns nve3 (203.0.113.13) --/      |     nva2 203.0.113.2:4790 ---+-- etcd on
#   ns nve4 (203.0.113.14) -/       |     (nvectl --json on each)  | 127.0.0.1
#                                   '---------------------------------'
#   a-c: one etcd member; d: a three-member cluster (tests/lib/etcd.sh)
#
# Checks (directory state through nvectl --json, messages through the
# JSON lines nvadiag prints, keys through etcdctl):
#   a. both nvads name the same epoch; a report through nva1 is pushed by
#      nva2 to its subscriber; a query through nva2 is answered with the
#      NVE and underlay nva1 registered; a move from an NVE on nva1 to one
#      on nva2: seq 1 on both, the old NVE gets the moved notice from its
#      own nvad; every mapping's rev in nvectl is its key's mod revision
#      in etcd (prefix m/ + the hex of the binary key, store_rec.c)
#   b. a race: two NVEs on different nvads report one address at the same
#      moment, RACE_N rounds; every report answered once (Ack or
#      CONFLICT, nothing else), one Ack per round at least; both nvads
#      end agreeing with each other and with etcd; seqs pushed to a
#      subscriber on each nvad never go backwards; every CONFLICT an NVE
#      saw is counted by its nvad (counters bad_msgs.conflict)
#   c. nva2 killed -9 while nva1 takes a report: nva2 restarted loads the
#      same directory from etcd (epoch, maps); an NVE of nva2 resubscribes
#      on nva1 from the last rev nva2 had: a delta, only the new report
#   d. three etcd members, both nvads given all three endpoints: LOAD_N
#      reports from two NVEs (one per nvad); once a third are answered,
#      the etcd leader (moved first to the member both nvads name first)
#      is killed -9; at the end every acknowledged report is in both
#      nvads and in etcd with the same rev, and no nvad died
#
# nvad's keep-alive is the maximum (600000 ms) so that nvadiag sends no
# keep-alive of its own during the lab: then the xid of an NVE's n-th
# message is n, and an Ack's xid names the report it acknowledges.
. "${SN_SOURCE:-$(dirname "$0")/../..}/lab/lib.sh"
. "${SN_SOURCE:-$(dirname "$0")/../..}/tests/lib/etcd.sh"
B=${SN_BUILD:-build/dev}
SRC=${SN_SOURCE:-.}
NVAD=$B/daemons/nvad
NVECTL=$B/tools/nvectl
DIAG=$B/tools/nvadiag
RACE_N=${RACE_N:-20}
LOAD_N=${LOAD_N:-1000}		# reports per NVE in d
lab_init nvad_etcd
etcd_have || { echo "nvad_etcd: no etcd/etcdctl (Debian etcd-server, etcd-client)" >&2; exit 77; }

PKI=$LAB/pki
"$SRC/scripts/nva-certs" "$PKI" ca >/dev/null
"$SRC/scripts/nva-certs" "$PKI" issue nva1 nva2 nve1 nve2 nve3 nve4 >/dev/null

lab_ns nva
lab_bridge nva br0
ip -n "$(ns nva)" addr add 203.0.113.1/24 dev br0
ip -n "$(ns nva)" addr add 203.0.113.2/24 dev br0
for i in 1 2 3 4; do
	lab_ns nve$i
	lab_veth nve$i eth0 nva v$i
	ip -n "$(ns nva)" link set v$i master br0
	ip -n "$(ns nve$i)" addr add 203.0.113.1$i/24 dev eth0
done

# conf NAME ADDR PREFIX: nvad.conf of NAME with the etcd members started
# so far as endpoints
conf() {
	cat >"$LAB/$1.conf" <<EOF
nva-name $1
listen $2 port 4790
tls {
	cert "$PKI/$1.pem"
	key "$PKI/$1.key"
	ca "$PKI/ca.pem"
}
control "$LAB/$1.sock"
store etcd {
$(etcd_conf_endpoints)
	prefix "$3"
}
keepalive 600000
duplicate-detection moves 1000 window 1
EOF
	"$NVAD" -n -f "$LAB/$1.conf" 2>"$LAB/check-$1.log" ||
		fail "nvad -n refuses $1's config: $(cat "$LAB/check-$1.log")"
}
declare -A NPID
start_nvad() {	# NAME TAG
	lab_bg nva "$LAB/$1-$2.log" "$NVAD" -d -f "$LAB/$1.conf"
	NPID[$1]=$LAST_PID
	wait_for 15 "$1 serving" grep -q "serving" "$LAB/$1-$2.log"
}
stop_nvad() {	# NAME [signal]
	disown "${NPID[$1]}" 2>/dev/null || true	# no "Killed" line
	kill "-${2:-TERM}" "${NPID[$1]}"
	wait_for 5 "$1 gone" sh -c "! kill -0 ${NPID[$1]} 2>/dev/null"
}
ctl() { local n=$1; shift; "$NVECTL" -d nvad -s "$LAB/$n.sock" "$@"; }
counter() { ctl "$1" --json counters show | jq -r ".[0].$2 // 0"; }	# NVA FIELD
# jq reads numbers as doubles: the 63-bit epoch is taken as text
epoch_of() { ctl "$1" --json counters show | grep -o '"epoch": *[0-9]*' | tr -dc 0-9; }
maps() {	# NVA [VN]: every mapping, sorted, the fields both nvads share
	ctl "$1" --json map show ${2:+"$2"} limit 1000000 |
		jq -c 'sort_by(.vn, .addr) | map({vn, addr, mac, nve, state, seq, rev, frozen})'
}
maps_agree() { [ "$(maps nva1 "${1:-}")" = "$(maps nva2 "${1:-}")" ]; }
# wait_agree SECS DESC [VN]: wait_for maps_agree, failing with the rows
# that differ
wait_agree() {
	local end=$(( $(date +%s) + $1 ))

	while ! maps_agree "${3:-}"; do
		if [ "$(date +%s)" -ge "$end" ]; then
			maps nva1 "${3:-}" | jq -c '.[]' >"$LAB/agree-nva1.txt"
			maps nva2 "${3:-}" | jq -c '.[]' >"$LAB/agree-nva2.txt"
			fail "timed out after $1 s waiting for: $2; nva1 < > nva2:" \
				"$(diff "$LAB/agree-nva1.txt" "$LAB/agree-nva2.txt" |
				grep -m 3 '^<')" \
				"$(diff "$LAB/agree-nva1.txt" "$LAB/agree-nva2.txt" |
				grep -m 3 '^>')"
		fi
		sleep 0.05
	done
}
map() { ctl "$1" --json map show "$2" "$3" | jq -r ".[0].$4"; }	# NVA VN ADDR FIELD
map_is() { [ "$(map "$1" "$2" "$3" "$4")" = "$5" ]; }

# diag NAME NS CERT NVA-ADDR: an interactive nvadiag; say NAME CMD feeds
# it a line, seen NAME JQ is true once a message it printed matches.
declare -A FD DPID
diag() {
	mkfifo "$LAB/$1.in"
	exec {fd}<>"$LAB/$1.in"
	FD[$1]=$fd
	ip netns exec "$(ns "$2")" "$DIAG" -c "$3.pem" -k "$3.key" \
		-a "$PKI/ca.pem" "$4" 4790 <"$LAB/$1.in" >"$LAB/$1.out" 2>&1 &
	LAB_PIDS="$LAB_PIDS $!"
	DPID[$1]=$!
}
say() { echo "$2" >&"${FD[$1]}"; }
msgs() { grep '^{' "$LAB/$1.out" || true; }
seen() { msgs "$1" | jq -e -s "any(.[]; $2)" >/dev/null; }
count() { msgs "$1" | jq -s "[.[] | select($2)] | length"; }
count_ge() { [ "$(count "$1" "$3")" -ge "$2" ]; }	# NAME N JQ
# NAME N: N Acks and Errors in all (answers to reports, queries...)
answered_ge() { count_ge "$1" "$2" '.body == "ack" or .body == "error"'; }

# etcd_vs NVA PREFIX: prints every mapping of NVA whose key under PREFIX
# is missing in etcd or has another mod revision (nothing: all agree)
ETCD_JQ='
def hexd($w): . as $n | [range($w - 1; -1; -1) as $i
	| (($n / pow(16; $i)) | floor) % 16 | "0123456789abcdef"[.:. + 1]] | join("");
def akey: if (.addr | test("^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")) then "06" + (.addr | gsub(":"; ""))
	elif (.addr | test("^[0-9]+[.][0-9.]+$")) then "04" + (.addr | split(".") | map(tonumber | hexd(2)) | join(""))
	else "ipv6-not-used-here" end;
($kv[0].kvs // [] | map({key: (.key | @base64d | ascii_downcase), value: .mod_revision})
	| from_entries) as $e
| .[] | ($pfx + "m/" + (.vn | hexd(8)) + akey) as $k
| select($e[$k] != .rev) | "\(.vn) \(.addr) nvad rev \(.rev), etcd \($e[$k] // "no key \($k)")"'
etcd_vs() {
	etcd_ctl get --prefix "$2m/" -w json >"$LAB/kv.json"
	ctl "$1" --json map show limit 1000000 |
		jq -r --arg pfx "$2" --slurpfile kv "$LAB/kv.json" "$ETCD_JQ"
}
# wait_etcd SECS NVA PREFIX: until etcd_vs has nothing to say, failing
# with what it said
wait_etcd() {
	local end=$(( $(date +%s) + $1 )) bad

	while bad=$(etcd_vs "$2" "$3") && [ -n "$bad" ]; do
		if [ "$(date +%s)" -ge "$end" ]; then
			fail "$2 differs from etcd after $1 s ($(echo "$bad" | wc -l) mappings):" \
				"$(echo "$bad" | head -n 4)"
		fi
		sleep 0.1
	done
}
etcd_rev() { etcd_ctl get --prefix "$1" --keys-only -w json | jq -r '.header.revision'; }
etcd_mapkeys() { etcd_ctl get --prefix "$1m/" --keys-only -w json | jq '.kvs // [] | length'; }

# ---- a. one etcd, two nvads ------------------------------------------------
P=/snlab/
etcd_start_one etcd nva "$LAB/etcd"
etcd_wait 20
conf nva1 203.0.113.1 $P
conf nva2 203.0.113.2 $P
start_nvad nva1 1
start_nvad nva2 1
E1=$(epoch_of nva1) E2=$(epoch_of nva2)
[ -n "$E1" ] && [ "$E1" != 0 ] || fail "nva1 shows no epoch"
[ "$E1" = "$E2" ] || fail "nva1 says epoch $E1, nva2 $E2"
[ "$(counter nva1 store)" = etcd ] || fail "nva1's store is $(counter nva1 store), not etcd"

diag d2 nve2 "$PKI/nve2" 203.0.113.2
say d2 "hello nve2 203.0.113.12"
wait_for 10 "nve2 welcomed by nva2" seen d2 '.body == "welcome" and .welcome.nva == "nva2"'
grep -q "\"epoch\":${E1}[,}]" "$LAB/d2.out" || fail "nva2's Welcome names another epoch than $E1"
say d2 "subscribe 5001"
wait_for 5 "nve2 synced" seen d2 '.body == "sync_done"'
diag d1 nve1 "$PKI/nve1" 203.0.113.1
say d1 "hello nve1 203.0.113.11"
wait_for 10 "nve1 welcomed by nva1" seen d1 '.body == "welcome" and .welcome.nva == "nva1"'
say d1 "report 5001 activated 02:00:00:00:01:01 198.51.100.1@02:00:00:00:01:01"
wait_for 5 "nve1's report acknowledged" seen d1 '.body == "ack"'
wait_for 5 "nva2 pushed nva1's mapping to nve2" seen d2 \
	'.body == "update" and any(.update.mappings[]; .addr == "198.51.100.1" and .nve == "nve1" and .seq == 0 and .state == "ACTIVATED" and .mac == "02:00:00:00:01:01")'
diag d3 nve3 "$PKI/nve3" 203.0.113.2
say d3 "hello nve3 203.0.113.13"
wait_for 10 "nve3 welcomed by nva2" seen d3 '.body == "welcome"'
say d3 "query 5001 198.51.100.1"
wait_for 5 "nva2 answers a query for nva1's mapping" seen d3 \
	'.body == "answer" and .answer.mappings[0].nve == "nve1" and (.answer.mappings[0].underlay | index("203.0.113.11"))'
seen d3 '.body == "update"' && fail "nve3 got a push for a VN it did not subscribe to"
pass "one epoch; a report through nva1 pushed by nva2; nva2 answers the query"

say d2 "report 5001 activated 02:00:00:00:01:01 198.51.100.1@02:00:00:00:01:01"
wait_for 5 "nve1 told of the move by nva1" seen d1 \
	'.body == "moved" and .moved.from_nve == "nve1" and .moved.mapping.nve == "nve2" and .moved.mapping.seq == 1 and (.moved.mapping.underlay | index("203.0.113.12"))'
for n in nva1 nva2; do
	wait_for 5 "$n: 198.51.100.1 at nve2 seq 1" map_is $n 5001 198.51.100.1 seq 1
	[ "$(map $n 5001 198.51.100.1 nve)" = nve2 ] || fail "$n: 198.51.100.1 not at nve2"
	[ "$(map $n 5001 02:00:00:00:01:01 seq)" = 1 ] || fail "$n: the MAC's seq is not 1"
done
wait_agree 5 "both nvads show the same mappings"
wait_etcd 5 nva1 $P
wait_etcd 5 nva2 $P
[ "$(etcd_mapkeys $P)" = "$(ctl nva1 --json map show | jq length)" ] ||
	fail "etcd holds $(etcd_mapkeys $P) map keys under $P, nva1 $(ctl nva1 --json map show | jq length) mappings"
etcd_ctl get --prefix "${P}n/" --keys-only | grep -q "^${P}n/$(printf nve1 | od -An -tx1 | tr -d ' \n')\$" ||
	fail "no NVE record of nve1 under ${P}n/"
R=$(etcd_rev $P)
for n in nva1 nva2; do
	wait_for 5 "$n at etcd's revision $R" sh -c \
		"$NVECTL -d nvad -s $LAB/$n.sock --json counters show | jq -e '.[0].rev == $R'"
done
pass "move across nvads: seq 1, moved notice; revs are etcd's mod revisions (rev $R)"

# ---- b. a race on one address ------------------------------------------------
RA=02:00:00:00:05:03
diag d4 nve4 "$PKI/nve4" 203.0.113.1
say d4 "hello nve4 203.0.113.14"
wait_for 10 "nve4 welcomed" seen d4 '.body == "welcome"'
say d4 "subscribe 5003"
wait_for 5 "nve4 synced" seen d4 '.body == "sync_done"'
say d3 "subscribe 5003"
wait_for 5 "nve3 synced" seen d3 '.body == "sync_done"'
A1=$(count d1 '.body == "ack" or .body == "error"')
A2=$(count d2 '.body == "ack" or .body == "error"')
K1=$(count d1 '.body == "ack"') K2=$(count d2 '.body == "ack"')
for r in $(seq 1 "$RACE_N"); do
	say d1 "report 5003 activated $RA migration"
	say d2 "report 5003 activated $RA migration"
	wait_for 10 "race round $r answered (nve1)" answered_ge d1 $((A1 + r))
	wait_for 10 "race round $r answered (nve2)" answered_ge d2 $((A2 + r))
done
# the last word without a race: nve1 owns it
say d1 "report 5003 activated $RA migration"
wait_for 10 "nve1's last report answered" answered_ge d1 $((A1 + RACE_N + 1))
ACKS=$(( $(count d1 '.body == "ack"') - K1 + $(count d2 '.body == "ack"') - K2 ))
C1=$(count d1 '.body == "error" and .error.code == "CONFLICT"')
C2=$(count d2 '.body == "error" and .error.code == "CONFLICT"')
OTHER=$(count d1 '.body == "error" and .error.code != "CONFLICT"')$(count d2 '.body == "error" and .error.code != "CONFLICT"')
[ "$OTHER" = 00 ] || fail "race: errors other than CONFLICT: $( (msgs d1; msgs d2) | grep '"error"')"
[ $((ACKS + C1 + C2)) = $((2 * RACE_N + 1)) ] ||
	fail "race: $ACKS acks and $((C1 + C2)) conflicts for $((2 * RACE_N + 1)) reports"
[ "$ACKS" -ge $((RACE_N + 1)) ] || fail "race: only $ACKS reports of $RACE_N rounds won"
wait_agree 5 "nvads agree on $RA" 5003
for n in nva1 nva2; do
	[ "$(map $n 5003 $RA nve)" = nve1 ] || fail "$n: $RA not at nve1 after its last report"
	wait_etcd 5 $n $P
	c=$(ctl $n --json counters show | jq '.[0].bad_msgs.conflict // 0')
	want=$C1
	[ $n = nva2 ] && want=$C2
	[ "$c" = "$want" ] || fail "$n counted $c CONFLICT errors, its NVE saw $want"
done
SEQ=$(map nva1 5003 $RA seq)
# seqs a subscriber (or a moved NVE) saw, in order, never go backwards
for d in d3 d4; do
	wait_for 5 "$d pushed seq $SEQ" seen $d \
		".body == \"update\" and any(.update.mappings[]; .addr == \"$RA\" and .seq == $SEQ and .nve == \"nve1\")"
done
for d in d1 d2 d3 d4; do
	back=$(msgs $d | jq -s "[.[] | (select(.body == \"update\") | .update.mappings[]),
		(select(.body == \"moved\") | .moved.mapping) | select(.addr == \"$RA\") | .seq]
		| . as \$s | [range(1; length) | select(\$s[.] < \$s[. - 1])] | length")
	[ "$back" = 0 ] || fail "race: $d saw the seq of $RA go backwards"
done
pass "race: $RACE_N rounds, $ACKS acks, $C1+$C2 CONFLICTs counted, seq $SEQ agreed, never backwards"

# ---- c. nva2 killed -9 and restarted ------------------------------------------
REV=$(counter nva2 rev)
BEFORE=$(maps nva2)
stop_nvad nva2 KILL
K1=$(count d1 '.body == "ack"')
say d1 "report 5001 activated 02:00:00:00:07:07 198.51.100.7@02:00:00:00:07:07"
wait_for 5 "nve1's report answered by nva1 alone" answered_ge d1 $((A1 + RACE_N + 2))
[ "$(count d1 '.body == "ack"')" = $((K1 + 1)) ] || fail "nva1 refused a report while nva2 was down: $(msgs d1 | tail -n 1)"
start_nvad nva2 2
[ "$(epoch_of nva2)" = "$E1" ] || fail "nva2's epoch changed across kill -9"
wait_agree 5 "nva2 agrees with nva1 after the restart"
[ "$(maps nva2)" != "$BEFORE" ] || fail "nva2 missed the report made while it was down"
diag d5 nve2 "$PKI/nve2" 203.0.113.1
say d5 "hello nve2 203.0.113.12"
wait_for 10 "nve2 welcomed by nva1" seen d5 '.body == "welcome" and .welcome.nva == "nva1"'
say d5 "subscribe 5001 since $REV $E1"
wait_for 5 "resync on nva1 done" seen d5 '.body == "sync_done"'
seen d5 '.body == "sync_done" and .sync_done.full == false' || fail "resync from nva2's rev on nva1 was full"
seen d5 '.body == "update" and any(.update.mappings[]; .addr == "198.51.100.7")' ||
	fail "the delta lacks the report made while nva2 was down"
seen d5 ".body == \"update\" and any(.update.mappings[]; .rev <= $REV)" &&
	fail "the delta holds mappings from before rev $REV"
pass "kill -9: nva2 reloads from etcd and agrees; resync from its rev on nva1 is a delta"

# ---- d. three members, a member killed under load ------------------------------
for d in d1 d2 d3 d4 d5; do kill "${DPID[$d]}" 2>/dev/null || true; done
stop_nvad nva1
stop_nvad nva2
etcd_stop etcd
P=/snlab-cluster/
etcd_start_cluster nva
etcd_wait 20
conf nva1 203.0.113.1 $P
conf nva2 203.0.113.2 $P
start_nvad nva1 3
start_nvad nva2 3
[ "$(epoch_of nva1)" = "$(epoch_of nva2)" ] || fail "cluster: the nvads name different epochs"
# make etcd1 (both nvads' first endpoint) the leader, so one kill takes both
ID1=$(etcd_ctl member list | awk -F', ' '$3 == "etcd1" { print $1 }')
LEADER=$(etcd_ctl endpoint status | awk -F', ' '$5 == "true" { print $1 }')
[ -n "$ID1" ] && [ -n "$LEADER" ] || fail "cannot find etcd1's id or the leader"
if [ "$LEADER" != "$(etcd_url etcd1)" ]; then
	ip netns exec "$(ns nva)" etcdctl --endpoints "$LEADER" move-leader "$ID1" >/dev/null ||
		fail "etcdctl move-leader to etcd1 failed"
fi
# load scripts: hello, then LOAD_N reports of one MAC each, a pause
# every 200 so that the kill lands mid-load; a burst of 200 is more than
# etcd's 128 operations per transaction, so nvad's commits span several
# transactions; xid k+1 is report k
for k in 1 2; do
	printf 'hello nve%s 203.0.113.1%s\nexpect welcome\n' $k $k >"$LAB/load$k.txt"
	for i in $(seq 0 $((LOAD_N - 1))); do
		a=$(printf '02:00:%02x:00:%02x:%02x' "$k" $((i / 256)) $((i % 256)))
		echo "$a" >>"$LAB/addrs$k.txt"
		echo "report 510$k activated $a"
		[ $((i % 200)) = 199 ] && echo "sleep 150"
	done >>"$LAB/load$k.txt"
done
diag l1 nve1 "$PKI/nve1" 203.0.113.1
diag l2 nve2 "$PKI/nve2" 203.0.113.2
wait_for 10 "load NVEs connected" sh -c "grep -q connected $LAB/l1.out && grep -q connected $LAB/l2.out"
for k in 1 2; do
	cat "$LAB/load$k.txt" >&"${FD[l$k]}" &
	LAB_PIDS="$LAB_PIDS $!"
done
loaded_third() {
	[ $(( $(count l1 '.body == "ack" or .body == "error"') +
		$(count l2 '.body == "ack" or .body == "error"') )) -ge $((2 * LOAD_N / 3)) ]
}
wait_for 20 "a third of the load answered" loaded_third
etcd_kill etcd1
KILLED_AT=$(( $(count l1 '.body == "ack"') + $(count l2 '.body == "ack"') ))
for k in 1 2; do
	wait_for 40 "every report of nve$k answered" answered_ge l$k "$LOAD_N"
done
for n in nva1 nva2; do
	kill -0 "${NPID[$n]}" 2>/dev/null || fail "$n died under load: $(tail -n 5 "$LAB/$n-3.log")"
done
for k in 1 2; do
	msgs l$k | jq -r 'select(.body == "ack") | .xid' | sort -n >"$LAB/acked$k.xid"
	awk 'NR == FNR { a[NR + 1] = $1; next } { print a[$1] }' \
		"$LAB/addrs$k.txt" "$LAB/acked$k.xid" | sort >"$LAB/acked$k.txt"
done
NACK=$(cat "$LAB/acked1.txt" "$LAB/acked2.txt" | wc -l)
ERRS=$(( $(count l1 '.body == "error"') + $(count l2 '.body == "error"') ))
for n in nva1 nva2; do
	for k in 1 2; do
		wait_for 10 "$n holds every acknowledged report of nve$k" sh -c \
			"$NVECTL -d nvad -s $LAB/$n.sock --json map show 510$k limit 1000000 |
			jq -r '.[] | select(.nve == \"nve$k\" and .state == \"activated\") | .addr' |
			sort | comm -23 $LAB/acked$k.txt - | grep -q . && exit 1 || exit 0"
	done
done
wait_etcd 10 nva1 $P
wait_etcd 10 nva2 $P
wait_agree 5 "both nvads agree after the load"
pass "cluster: $NACK of $((2 * LOAD_N)) reports acknowledged ($ERRS errors), etcd1 (leader) killed after $KILLED_AT; all in both nvads and etcd"

grep -E "AddressSanitizer|runtime error" "$LAB"/nva*.log && fail "sanitizer errors in nvad's log"
echo "nvad_etcd: all checks passed"
