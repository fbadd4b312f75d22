#!/bin/bash
# nvad_session.sh - nvad with the LMDB store, NVEs played by nvadiag (a
# scripted NVE with its own certificate), each in its own namespace:
#
#   ns nve1 (203.0.113.11) --\
#   ns nve2 (203.0.113.12) ---+-- br0 -- ns nva: nvad (203.0.113.1:4790)
#   ns nve3 (203.0.113.13) --/                  <- nvectl --json, curl
#   ns nve4 (203.0.113.14) -/
#
# Checks (directory state through nvectl --json, messages through the
# JSON lines nvadiag prints):
#   1. nvad -n accepts the lab config and refuses a broken one (FILE:LINE)
#   2. register, subscribe, report: the subscriber gets the push, an NVE
#      not subscribed gets nothing pushed and its query is answered
#   3. a move: seq 0 -> 1, the new owner pushed, the old NVE gets a
#      moved notice naming the new NVE and its underlay address
#   4. ownership: a stale withdraw by the previous owner changes nothing;
#      a withdraw by a stranger is refused not-owner
#   5. policy: tenant co-attachment refused, a VN outside the NVE's block
#      refused
#   6. duplicate detection: migration moves are not counted, the 4th
#      counted move within the window freezes the address with an alert;
#      the operator unfreezes it
#   7. bad input: undecodable, unknown field, wrong direction, not
#      registered, name not the certificate's: an error each, counted,
#      the session goes on; broken framing closes only that session; a
#      certificate from another CA never gets a session; the other NVEs
#      notice nothing
#   8. kill -9 and restart: every acknowledged mapping is back with its
#      seq; a resubscribe from the last rev seen gets no full resync
#   9. RFC 8171 subnet reports and the ARP/ND audit
#  10. Prometheus metrics over HTTP
. "${SN_SOURCE:-$(dirname "$0")/../..}/lab/lib.sh"
B=${SN_BUILD:-build/dev}
SRC=${SN_SOURCE:-.}
NVAD=$B/daemons/nvad
NVECTL=$B/tools/nvectl
DIAG=$B/tools/nvadiag
lab_init nvad_session

PKI=$LAB/pki
"$SRC/scripts/nva-certs" "$PKI" ca >/dev/null
"$SRC/scripts/nva-certs" "$PKI" issue nva1 nve1 nve2 nve3 nve4 >/dev/null
"$SRC/scripts/nva-certs" "$LAB/evil" ca >/dev/null
"$SRC/scripts/nva-certs" "$LAB/evil" issue nve1 >/dev/null

lab_ns nva
lab_bridge nva br0
ip -n "$(ns nva)" addr add 203.0.113.1/24 dev br0
for i in 1 2 3 4; do
	lab_ns nve$i
	lab_veth nve$i eth0 nva v$i
	ip -n "$(ns nva)" link set v$i master br0
	ip -n "$(ns nve$i)" addr add 203.0.113.1$i/24 dev eth0
done

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
metrics 203.0.113.1 port 9417
store lmdb {
	path "$LAB/db"
}
keepalive 1000
duplicate-detection moves 3 window 600
tenant red {
	vn 5001 5002
}
tenant blue {
	vn 6001
}
coattach deny red blue
nve nve3 {
	vn 5001 6001
}
EOF
# 1. -n
"$NVAD" -n -f "$LAB/nvad.conf" 2>"$LAB/check.log" || fail "nvad -n refuses the lab config: $(cat "$LAB/check.log")"
sed 's/coattach deny red blue/coattach deny red green/' "$LAB/nvad.conf" >"$LAB/bad.conf"
if "$NVAD" -n -f "$LAB/bad.conf" 2>"$LAB/bad.log"; then fail "nvad -n accepts an undefined tenant"; fi
grep -q "bad.conf:[0-9]*:.*green" "$LAB/bad.log" || fail "nvad -n: no FILE:LINE error naming the tenant: $(cat "$LAB/bad.log")"
pass "nvad -n checks the configuration"

start_nvad() {
	lab_bg nva "$LAB/nvad-$1.log" "$NVAD" -d -f "$LAB/nvad.conf"
	NVAD_PID=$LAST_PID
	wait_for 10 "nvad serving" grep -q "serving" "$LAB/nvad-$1.log"
}
start_nvad 1

ctl() { "$NVECTL" -d nvad -s "$SOCK" "$@"; }

# diag NAME NS CERT: an interactive nvadiag; say NAME CMD feeds it a line,
# seen NAME JQ is true once a message it printed matches the jq filter.
declare -A FD
diag() {
	mkfifo "$LAB/$1.in"
	exec {fd}<>"$LAB/$1.in"
	FD[$1]=$fd
	# not lab_bg: a background job's stdin would be /dev/null
	ip netns exec "$(ns "$2")" "$DIAG" -c "$3.pem" -k "$3.key" \
		-a "${4:-$PKI/ca.pem}" 203.0.113.1 4790 \
		<"$LAB/$1.in" >"$LAB/$1.out" 2>&1 &
	LAB_PIDS="$LAB_PIDS $!"
	eval "PID_$1=$!"
}
say() { echo "$2" >&"${FD[$1]}"; }
seen() { grep '^{' "$LAB/$1.out" | jq -e -s "any(.[]; $2)" >/dev/null; }
count() { grep '^{' "$LAB/$1.out" | jq -s "[.[] | select($2)] | length"; }
map() {	# map VN ADDR FIELD
	ctl --json map show "$1" "$2" | jq -r ".[0].$3"
}
# for wait_for, which retries a command: these look again on every try
# (a "$(...)" argument would be expanded once, before the first try)
map_is() { [ "$(map "$1" "$2" "$3")" = "$4" ]; }	# VN ADDR FIELD VALUE
count_ge() { [ "$(count "$1" "$3")" -ge "$2" ]; }	# NAME N JQ

# 2. register, subscribe, report, push, query
diag d2 nve2 "$PKI/nve2"
say d2 "hello nve2 203.0.113.12"
wait_for 10 "nve2 welcomed" seen d2 '.body == "welcome"'
say d2 "subscribe 5001"
wait_for 5 "nve2 synced" seen d2 '.body == "sync_done"'
diag d1 nve1 "$PKI/nve1"
say d1 "hello nve1 203.0.113.11 2001:db8:ffff::11"
wait_for 10 "nve1 welcomed" seen d1 '.body == "welcome"'
say d1 "report 5001 activated 02:00:00:00:01:01 198.51.100.1@02:00:00:00:01:01"
wait_for 5 "nve1's report acknowledged" seen d1 '.body == "ack"'
wait_for 5 "nve2 pushed the mapping" seen d2 \
	'.body == "update" and any(.update.mappings[]; .addr == "198.51.100.1" and .nve == "nve1" and .seq == 0 and .state == "ACTIVATED" and .mac == "02:00:00:00:01:01")'
[ "$(map 5001 198.51.100.1 nve)" = nve1 ] || fail "nvectl map show: 198.51.100.1 not at nve1"
diag d3 nve3 "$PKI/nve3"
say d3 "hello nve3 203.0.113.13"
wait_for 10 "nve3 welcomed" seen d3 '.body == "welcome"'
say d3 "query 5001 198.51.100.1"
wait_for 5 "nve3's query answered" seen d3 \
	'.body == "answer" and .answer.mappings[0].nve == "nve1" and (.answer.mappings[0].underlay | index("203.0.113.11"))'
seen d3 '.body == "update"' && fail "nve3 got a push for a VN it did not subscribe to"
pass "report pushed to the subscriber only; query answered"

# 3. a move
say d2 "report 5001 activated 02:00:00:00:01:01 198.51.100.1@02:00:00:00:01:01"
wait_for 5 "nve1 told of the move" seen d1 \
	'.body == "moved" and .moved.from_nve == "nve1" and .moved.mapping.nve == "nve2" and .moved.mapping.seq == 1 and (.moved.mapping.underlay | index("203.0.113.12"))'
[ "$(map 5001 198.51.100.1 seq)" = 1 ] || fail "seq after the move is not 1"
[ "$(map 5001 198.51.100.1 nve)" = nve2 ] || fail "198.51.100.1 not at nve2 after the move"
pass "move: seq 1, moved notice to the old NVE with the new underlay"

# 4. ownership
say d1 "withdraw 5001 198.51.100.1"
wait_for 5 "stale withdraw acknowledged" count_ge d1 2 '.body == "ack"'
[ "$(map 5001 198.51.100.1 state)" = activated ] || fail "a stale withdraw changed the mapping"
say d3 "withdraw 5001 198.51.100.1"
wait_for 5 "stranger's withdraw refused" seen d3 '.body == "error" and .error.code == "NOT_OWNER"'
[ "$(map 5001 198.51.100.1 nve)" = nve2 ] || fail "a stranger's withdraw changed the mapping"
pass "only the owner withdraws"

# 5. policy
say d2 "report 6001 activated 02:00:00:00:02:01"
wait_for 5 "co-attachment refused" seen d2 '.body == "error" and .error.code == "COATTACH"'
say d3 "report 7001 activated 02:00:00:00:03:01"
wait_for 5 "VN outside nve3's block refused" seen d3 '.body == "error" and .error.code == "VN_REFUSED"'
[ "$(ctl --json map show 6001 | jq length)" = 0 ] || fail "a refused report left a mapping"
pass "tenant co-attachment and VN list enforced"

# 6. duplicate detection (3 moves in 600 s allowed; migrations free)
# move WHO SEQ [migration]: WHO reports 198.51.100.9 and the seq becomes SEQ
move() {
	say "$1" "report 5002 activated 198.51.100.9@02:00:00:00:09:09 ${3:-}"
	wait_for 5 "198.51.100.9 at seq $2" map_is 5002 198.51.100.9 seq "$2"
}
move d1 0
move d2 1 migration
move d1 2 migration
move d2 3
move d1 4
move d2 5
[ "$(map 5002 198.51.100.9 frozen)" = false ] || fail "frozen after 3 moves"
say d1 "report 5002 activated 198.51.100.9@02:00:00:00:09:09"
wait_for 5 "4th move refused frozen" seen d1 '.body == "error" and .error.code == "FROZEN"'
[ "$(map 5002 198.51.100.9 frozen)" = true ] || fail "not frozen after the 4th move"
[ "$(map 5002 198.51.100.9 nve)" = nve2 ] || fail "the frozen address moved"
ctl --json alert show | jq -e 'any(.[]; .kind == "duplicate" and .vn == 5002)' >/dev/null ||
	fail "no duplicate alert"
ctl map unfreeze 5002 198.51.100.9 >/dev/null || fail "map unfreeze failed"
[ "$(map 5002 198.51.100.9 frozen)" = false ] || fail "still frozen after unfreeze"
pass "duplicate detection: migrations not counted, 4th move frozen, alert, unfreeze"

# 7. bad input
say d1 "body ffffffff"				# not protobuf
wait_for 5 "garbage answered" seen d1 '.body == "error" and .error.code == "MALFORMED"'
say d1 "body d20100980601"			# keepalive + unknown field 99
wait_for 5 "unknown field answered" seen d1 '.body == "error" and .error.code == "UNKNOWN_FIELD"'
say d1 "body 5a00"				# a Welcome from an NVE
wait_for 5 "wrong direction answered" count_ge d1 2 '.body == "error" and .error.code == "MALFORMED"'
say d1 "query 5001 198.51.100.1"
wait_for 5 "session still serves after bad input" seen d1 '.body == "answer" and .answer.mappings[0].nve == "nve2"'
diag d4 nve4 "$PKI/nve4"
wait_for 10 "nve4 connected" grep -q connected "$LAB/d4.out"
say d4 "query 5001 198.51.100.1"
wait_for 5 "unregistered query refused" seen d4 '.body == "error" and .error.code == "NOT_REGISTERED"'
say d4 "hello nve1 203.0.113.14"
wait_for 5 "false name refused" seen d4 '.body == "error" and .error.code == "NAME_MISMATCH"'
say d4 "raw 7fffffff close"			# 2 GiB frame: broken framing
wait_for 5 "broken framing closes the session" grep -q "nvad closed the session" "$LAB/d4.out"
diag d5 nve1 "$LAB/evil/nve1"
wait_for 10 "foreign certificate refused" sh -c "! kill -0 $PID_d5 2>/dev/null"
grep -q "TLS handshake failed" "$LAB/nvad-1.log" || fail "nvad did not log the refused handshake"
C=$(ctl --json counters show | jq ".[0]")
for k in '.bad_msgs.malformed >= 2' '.bad_msgs["unknown-field"] == 1' \
	'.bad_msgs["not-registered"] == 1' '.bad_msgs["name-mismatch"] == 1' \
	'.framing_broken == 1' '.tls_failed >= 1'; do
	echo "$C" | jq -e "$k" >/dev/null || fail "counter check $k: $C"
done
kill -0 "$PID_d1" && kill -0 "$PID_d2" && kill -0 "$PID_d3" || fail "a good NVE lost its session"
say d2 "keepalive"
say d2 "query 5002 198.51.100.9"
wait_for 5 "nve2 still served" seen d2 '.body == "answer" and .answer.mappings[0].addr == "198.51.100.9"'
pass "bad input answered and counted; broken framing and foreign CA cut only that peer"

# 9. subnets and audit
say d1 "subnet 5001 198.51.100.0/25 attach"
say d2 "subnet 5001 198.51.100.0/25 attach"
wait_for 5 "subnet attached by two NVEs" sh -c \
	"$NVECTL -d nvad -s $SOCK --json subnet show | jq -e 'any(.[]; .vn == 5001 and (.nves | length) == 2)'"
say d2 "audit 5001 198.51.100.1@02:00:00:00:01:01 198.51.100.1@02:00:00:00:ff:ff 198.51.100.77@02:00:00:00:77:77"
wait_for 5 "audit answered" seen d2 \
	'.body == "audit_result" and .audit_result.checked == 3 and (.audit_result.bad | length) == 2'
seen d2 '.body == "audit_result" and any(.audit_result.bad[]; .reason == "mac-differs") and any(.audit_result.bad[]; .reason == "unknown")' ||
	fail "audit reasons wrong"
pass "RFC 8171 subnet reports and ARP/ND audit"

# 10. metrics
M=$(ip netns exec "$(ns nva)" curl -sf http://203.0.113.1:9417/metrics) || fail "no metrics"
echo "$M" | grep -q '^splitnve_nvad_entries ' || fail "metrics lack splitnve_nvad_entries"
echo "$M" | grep -q '^# TYPE splitnve_nvad_moves_total counter' || fail "metrics lack moves_total"
pass "Prometheus metrics served"

# 8. kill -9 and restart
REV=$(ctl --json counters show | jq -r ".[0].rev")
# jq reads numbers as doubles: take the 63-bit epoch as text
EPOCH=$(grep -o '"epoch":[0-9]*' "$LAB/d2.out" | head -1 | cut -d: -f2)
BEFORE=$(ctl --json map show | jq -c 'sort_by(.vn, .addr) | map({vn, addr, nve, seq, state})')
kill -9 "$NVAD_PID"
wait_for 5 "nvad gone" sh -c "! kill -0 $NVAD_PID 2>/dev/null"
start_nvad 2
AFTER=$(ctl --json map show | jq -c 'sort_by(.vn, .addr) | map({vn, addr, nve, seq, state})')
[ "$BEFORE" = "$AFTER" ] || fail "mappings changed across kill -9: before $BEFORE after $AFTER"
[ "$(ctl --json counters show | jq -r ".[0].rev")" = "$REV" ] || fail "revision not kept"
diag d6 nve2 "$PKI/nve2"
say d6 "hello nve2 203.0.113.12"
wait_for 10 "nve2 welcomed again" seen d6 '.body == "welcome"'
grep -q "\"epoch\":$EPOCH[,}]" "$LAB/d6.out" || fail "epoch changed across restart"
say d6 "subscribe 5001 5002 since $REV $EPOCH"
wait_for 5 "resync done" seen d6 '.body == "sync_done"'
seen d6 '.body == "sync_done" and .sync_done.full == false' || fail "resync from the last rev was full"
seen d6 '.body == "update"' && fail "resync from the newest rev sent updates"
pass "kill -9: $(echo "$AFTER" | jq length) mappings, seq and revision back; resync from rev is a delta"

grep -E "ERROR|AddressSanitizer|runtime error" "$LAB"/nvad-*.log && fail "errors in nvad's log"
echo "nvad_session: all checks passed"
