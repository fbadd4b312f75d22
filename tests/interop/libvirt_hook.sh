#!/bin/bash
# libvirt_hook.sh - contrib/libvirt/qemu (the libvirt qemu hook) fed the
# argument sequences libvirt really uses, with domain XML as libvirt 9
# dumps it (tests/interop/libvirt/*.xml).  No namespaces, no root, no
# libvirt: the hook runs in its dry-run mode, where it prints the nvectl
# command lines and SPECs it would run, and is asked about tnved's VMs
# through a state file; a last part runs it for real against a fake
# nvectl to check exit codes, stdin and stdout.
#
#   libvirt (simulated) --argv + XML--> qemu hook --nvectl lines--> checks
#                                          ^
#                         vms rows --------'  (SPLITNVE_HOOK_STATE)
#
# Sequences (libvirt's order of hook calls):
#   define+start   prepare begin, start begin, started begin
#   shutdown       stopped end, release end
#   live migration source: stopped end, release end (after "vm migrate")
#                  destination: migrate begin, prepare begin, start begin,
#                  started begin; a failed one: stopped end, release end
#   cold migration source: stopped end, release end after "vm cold-out";
#                  destination: prepare begin, start begin after
#                  "vm cold-in"
#   restore begin, reconnect begin, attach begin, unknown operations
set -eu
SRC=${SN_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
HOOK=$SRC/contrib/libvirt/qemu
XML=$SRC/tests/interop/libvirt
command -v python3 >/dev/null || { echo "python3 not installed" >&2; exit 77; }
command -v jq >/dev/null || { echo "jq not installed" >&2; exit 77; }
T=$(mktemp -d /tmp/splitnve-libvirt_hook.XXXXXX)
trap 'rm -rf "$T"' EXIT

SOCK=/run/splitnve/test-tnved.sock
N="nvectl -s $SOCK"
export SPLITNVE_HOOK_DRYRUN=1 SPLITNVE_NVECTL=nvectl SPLITNVE_SOCK=$SOCK
export SPLITNVE_HOOK_STATE=$T/state.json
CHECKS=0

fail() { echo "FAIL: $*" >&2; echo "--- stdout"; cat "$T/out"; echo "--- stderr"; cat "$T/err"; exit 1; }
pass() { CHECKS=$((CHECKS + 1)); }

# vms ROW...: what "nvectl vm show" answers (each ROW is NAME:STATE:MIG
# or NAME:STATE:MIG:arrived)
vms() {
	local r sep="" out="["
	for r in "$@"; do
		IFS=: read -r name st mig arr <<<"$r"
		out="$out$sep{\"name\":\"$name\",\"uuid\":null,\"state\":\"$st\",\"migration\":\"$mig\",\"hold\":\"none\",\"arrived\":$([ "${arr:-}" = arrived ] && echo true || echo false),\"tsis\":2,\"op\":null,\"since\":1.5}"
		sep=","
	done
	echo "$out]" >"$T/state.json"
}

# hook XML GUEST OP SUB: one libvirt call (EXTRA "-"); RC, $T/out, $T/err
hook() {
	local xml=$1; shift
	RC=0
	"$HOOK" "$@" - <"$XML/$xml" >"$T/out" 2>"$T/err" || RC=$?
}

# expect WHAT RC [LINE...]: the call's exit status and exact stdout lines
# (a line "SPEC:FILE" is the SPEC of FILE, compared as JSON)
expect() {
	local what=$1 rc=$2 i=0 line got; shift 2
	[ "$RC" = "$rc" ] || fail "$what: exit $RC, want $rc"
	[ "$(wc -l <"$T/out")" = "$#" ] || fail "$what: $(wc -l <"$T/out") lines, want $#"
	for line in "$@"; do
		i=$((i + 1))
		got=$(sed -n "${i}p" "$T/out")
		case $line in
		SPEC:*)
			# one compact JSON line, equal to the checked-in SPEC
			[ "$(jq -S . <<<"$got")" = "$(jq -S . "$XML/${line#SPEC:}")" ] ||
				fail "$what: line $i: SPEC differs from ${line#SPEC:}"
			[ "$(jq -c . <<<"$got")" = "$got" ] ||
				fail "$what: line $i: SPEC not one compact line";;
		*)
			[ "$got" = "$line" ] || fail "$what: line $i: [$got], want [$line]";;
		esac
	done
	pass
}

# 1. define + start of a new guest.
vms
hook web1.xml web1 prepare begin
expect "prepare, new VM" 0 "$N vm define -" SPEC:web1.spec.json
grep -q "interface 2 (52:54:00:0e:0e:0e): no VN in the splitnve metadata, skipped" "$T/err" ||
	fail "the interface without a VN is not reported"
pass
vms web1:shutdown:none
hook web1.xml web1 prepare begin
expect "prepare, VM already defined" 0
hook web1.xml web1 start begin
expect "start" 0 "$N vm start web1"
vms web1:running:none
hook web1.xml web1 started begin
expect "started" 0
# start without a prepare first (tnved lost it): define, then start
vms other:running:none
hook web1.xml web1 start begin
expect "start, VM unknown" 0 "$N vm define -" SPEC:web1.spec.json "$N vm start web1"
# the bare <splitnve:tsi> metadata form, VSI ID derived from the UUID
vms
hook db1.xml db1 prepare begin
expect "prepare, bare metadata" 0 "$N vm define -" SPEC:db1.spec.json

# 2. shutdown: stopped, then released.
for st in running paused suspended; do
	vms web1:$st:none
	hook web1.xml web1 stopped end
	expect "stopped, $st" 0 "$N vm shutdown web1"
done
vms web1:shutdown:none
hook web1.xml web1 stopped end
expect "stopped, already shut down" 0
hook web1.xml web1 release end
expect "release" 0 "$N vm destroy web1"
vms
hook web1.xml web1 stopped end
expect "stopped, unknown VM" 0
hook web1.xml web1 release end
expect "release, unknown VM" 0

# 3. live migration, source (the orchestrator gave "vm migrate").
vms web1:migrating:out
hook web1.xml web1 stopped end
expect "source stopped" 0 "$N vm migrate-done web1"
vms
hook web1.xml web1 release end
expect "source released" 0
# migrate-done did not happen at stopped: release completes it
vms web1:migrating:out
hook web1.xml web1 release end
expect "source released, still migrating" 0 "$N vm migrate-done web1"

# 3b. live migration, destination: migratable XML, no target devs; the
# VSI IDs are the source's (instanceid, or the same uuid5).
vms
hook web1-migrate.xml web1 migrate begin
expect "destination migrate" 0 "$N vm incoming -" SPEC:web1-migrate.spec.json
[ "$(jq -c '[.tsis[].vsiid]' "$XML/web1-migrate.spec.json")" = \
  "$(jq -c '[.tsis[].vsiid]' "$XML/web1.spec.json")" ] ||
	fail "VSI IDs differ between source and destination"
pass
vms web1:migrating:in
hook web1-migrate.xml web1 prepare begin
expect "destination prepare" 0
hook web1-migrate.xml web1 start begin
expect "destination start: waits for the orchestrator" 0
grep -q 'migrating in' "$T/err" || fail "destination start says nothing"
pass
hook web1-migrate.xml web1 started begin
expect "destination started" 0
# the migration failed: libvirt stops and releases the destination
hook web1-migrate.xml web1 stopped end
expect "destination stopped, failed migration" 0 "$N vm migrate-abort web1"
hook web1-migrate.xml web1 release end
expect "destination released, failed migration" 0 "$N vm migrate-abort web1"

# 4. cold migration: the orchestrator gave "vm cold-out" at the source
# (tnved forgot the VM) and "vm cold-in" at the destination.
vms
hook web1.xml web1 stopped end
expect "cold source stopped" 0
hook web1.xml web1 release end
expect "cold source released" 0
vms web1:shutdown:none:arrived
hook web1-migrate.xml web1 prepare begin
expect "cold destination prepare" 0
hook web1-migrate.xml web1 start begin
expect "cold destination start" 0 "$N vm start web1"
# the SPEC for "vm cold-in FILE" comes from the hook itself
RC=0; "$HOOK" web1 spec <"$XML/web1-migrate.xml" >"$T/out" 2>"$T/err" || RC=$?
expect "spec" 0 SPEC:web1-migrate.spec.json

# 5. Other operations.
vms
hook web1.xml web1 restore begin
expect "restore" 0 "$N vm define -" SPEC:web1.spec.json "$N vm start web1"
vms web1:running:none
hook web1.xml web1 restore begin
expect "restore, running" 0
for call in "reconnect begin" "attach begin" "started begin" "prepare end" \
    "start end" "migrate end" "frobnicate begin"; do
	hook web1.xml web1 $call
	expect "$call" 0
done
# a guest without splitnve interfaces is left alone, tnved not asked
rm -f "$T/state.json"
for call in "prepare begin" "start begin" "stopped end" "release end" \
    "migrate begin"; do
	hook plain.xml plain $call
	expect "plain guest, $call" 0
done
# bad XML and a bad VN: refused
printf '<domain><name>x</name' >"$T/bad.xml"
RC=0; "$HOOK" x prepare begin - <"$T/bad.xml" >"$T/out" 2>"$T/err" || RC=$?
expect "bad XML" 1
grep -q "domain XML:" "$T/err" || fail "bad XML: no reason"
sed 's/vn="6000"/vn="6k"/' "$XML/web1.xml" >"$T/badvn.xml"
RC=0; "$HOOK" web1 prepare begin - <"$T/badvn.xml" >"$T/out" 2>"$T/err" || RC=$?
expect "bad VN" 1
grep -q 'VN "6k" is not a number' "$T/err" || fail "bad VN: no reason"
pass
RC=0; "$HOOK" web1 >"$T/out" 2>"$T/err" </dev/null || RC=$?
expect "no operation" 2

# 6. For real, against a fake nvectl: the SPEC goes on stdin, nvectl's
# output goes to stderr (libvirt takes a migrate hook's stdout as XML),
# a refusal fails the hook, tnved unreachable fails it too.
unset SPLITNVE_HOOK_DRYRUN SPLITNVE_HOOK_STATE
cat >"$T/nvectl" <<FAKE
#!/bin/sh
echo "\$*" >>"$T/calls"
case "\$*" in
*"vm show") [ -f "$T/show-fails" ] && exit 1; cat "$T/state.json"; exit 0;;
*" -") cat >"$T/stdin";;
esac
echo "vm     web1"
[ -f "$T/refuse" ] && { echo "nvectl: refused" >&2; exit 1; }
exit 0
FAKE
chmod +x "$T/nvectl"
export SPLITNVE_NVECTL=$T/nvectl
vms
: >"$T/calls"
hook web1-migrate.xml web1 migrate begin
expect "real migrate" 0
[ "$(cat "$T/calls")" = "-s $SOCK vm incoming -" ] || fail "real migrate: calls $(cat "$T/calls")"
[ "$(jq -S . "$T/stdin")" = "$(jq -S . "$XML/web1-migrate.spec.json")" ] ||
	fail "real migrate: SPEC on stdin differs"
grep -q '^vm     web1$' "$T/err" || fail "real migrate: nvectl output lost"
pass
touch "$T/refuse"
hook web1.xml web1 prepare begin
expect "real prepare, refused" 1
grep -q 'prepare begin: nvectl vm define - failed (exit 1)' "$T/err" || fail "refusal not reported"
pass
vms web1:shutdown:none
hook web1.xml web1 start begin
expect "real start, refused" 1
rm -f "$T/refuse"
hook web1.xml web1 start begin
expect "real start" 0
touch "$T/show-fails"
hook web1.xml web1 prepare begin
expect "real prepare, tnved unreachable" 1
grep -q 'nvectl vm show failed' "$T/err" || fail "unreachable not reported"
pass
unset SPLITNVE_SOCK
rm -f "$T/show-fails"
: >"$T/calls"
hook web1.xml web1 stopped end
expect "real stopped, default socket" 0
[ "$(cat "$T/calls")" = "--json vm show" ] || fail "default socket: calls $(cat "$T/calls")"
pass

echo "libvirt_hook: $CHECKS checks passed"
