#!/bin/sh
# nva_certs.sh - scripts/nva-certs against the openssl command: the lab
# PKI it makes is what OpenSSL itself accepts, for both TLS roles, and a
# second run changes nothing.  No namespaces, no root: a temp folder only.
#
# Checks:
#  1. ca + issue make ca.pem/ca.key and NAME.pem/NAME.key, keys 0600;
#  2. openssl verify accepts every certificate against ca.pem, and not
#     against another CA made by the same script;
#  3. subject is CN=NAME, SAN DNS:NAME, EKU serverAuth and clientAuth,
#     the CA is CA:TRUE and EC P-256;
#  4. running ca and issue again keeps every file byte for byte;
#  5. check NAME passes, and fails for a key that is not the cert's, for
#     a missing name and for a bad name; issue without a CA fails.
set -eu

SRC=${SN_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
CERTS=$SRC/scripts/nva-certs
command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl"; exit 77; }

T=$(mktemp -d "${TMPDIR:-/tmp}/nva_certs.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

ok() {
	echo "ok: $*"
}

# 1. making the PKI
"$CERTS" "$T/pki" ca >/dev/null || fail "ca"
"$CERTS" "$T/pki" issue nva1 nve1 nve-2.lab >/dev/null || fail "issue"
for f in ca nva1 nve1 nve-2.lab; do
	[ -s "$T/pki/$f.pem" ] || fail "$f.pem missing"
	[ -s "$T/pki/$f.key" ] || fail "$f.key missing"
	[ "$(stat -c %a "$T/pki/$f.key")" = 600 ] || fail "$f.key not 0600"
done
ok "files made, keys 0600"

# 2. chains
for n in nva1 nve1 nve-2.lab; do
	out=$(openssl verify -CAfile "$T/pki/ca.pem" "$T/pki/$n.pem") ||
	    fail "openssl verify $n: $out"
	[ "$out" = "$T/pki/$n.pem: OK" ] || fail "verify $n said: $out"
done
"$CERTS" "$T/other" ca >/dev/null || fail "second CA"
if openssl verify -CAfile "$T/other/ca.pem" "$T/pki/nve1.pem" \
    >/dev/null 2>&1; then
	fail "nve1 verified against another CA"
fi
ok "openssl verify"

# 3. contents
subj=$(openssl x509 -in "$T/pki/nve1.pem" -noout -subject)
[ "$subj" = "subject=CN = nve1" ] || fail "nve1 subject: $subj"
subj=$(openssl x509 -in "$T/pki/nve-2.lab.pem" -noout -subject)
[ "$subj" = "subject=CN = nve-2.lab" ] || fail "nve-2.lab subject: $subj"
ext=$(openssl x509 -in "$T/pki/nve1.pem" -noout \
    -ext subjectAltName,extendedKeyUsage,basicConstraints)
echo "$ext" | grep -q 'DNS:nve1$' || fail "nve1 SAN: $ext"
echo "$ext" | grep -q 'TLS Web Server Authentication, TLS Web Client Authentication' ||
    fail "nve1 EKU: $ext"
echo "$ext" | grep -q 'CA:FALSE' || fail "nve1 basicConstraints: $ext"
ext=$(openssl x509 -in "$T/pki/ca.pem" -noout -ext basicConstraints)
echo "$ext" | grep -q 'CA:TRUE' || fail "CA basicConstraints: $ext"
openssl x509 -in "$T/pki/ca.pem" -noout -text | grep -q 'NIST CURVE: P-256' ||
    fail "CA key is not P-256"
openssl x509 -in "$T/pki/nve1.pem" -noout -text | grep -q 'NIST CURVE: P-256' ||
    fail "nve1 key is not P-256"
ok "subject, SAN, EKU, CA, curve"

# 4. idempotent
cp -p "$T/pki/ca.pem" "$T/pki/nve1.pem" "$T/pki/nve1.key" "$T"
"$CERTS" "$T/pki" ca | grep -q 'kept' || fail "ca again did not keep"
"$CERTS" "$T/pki" issue nve1 | grep -q 'kept' || fail "issue again did not keep"
for f in ca.pem nve1.pem nve1.key; do
	cmp -s "$T/$f" "$T/pki/$f" || fail "$f changed on a second run"
done
# A key without its certificate gets one, for that key.
rm "$T/pki/nva1.pem"
"$CERTS" "$T/pki" issue nva1 >/dev/null || fail "issue for a kept key"
"$CERTS" "$T/pki" check nva1 >/dev/null || fail "nva1 after re-issue"
ok "second run keeps files"

# 5. check and refusals
[ "$("$CERTS" "$T/pki" check nve1)" = "nve1: OK" ] || fail "check nve1"
cp "$T/pki/nva1.key" "$T/pki/nve1.key"
if "$CERTS" "$T/pki" check nve1 >/dev/null 2>&1; then
	fail "check passed with the wrong key"
fi
if "$CERTS" "$T/pki" check nobody >/dev/null 2>&1; then
	fail "check passed for a missing name"
fi
for bad in 'a/b' '.hidden' 'sp ace' \
    n123456789012345678901234567890123456789012345678901234567890123; do
	if "$CERTS" "$T/pki" issue "$bad" >/dev/null 2>&1; then
		fail "issue accepted bad name '$bad'"
	fi
done
if "$CERTS" "$T/empty" issue nve1 >/dev/null 2>&1; then
	fail "issue without a CA"
fi
"$CERTS" --help | grep -q '^usage:' || fail "--help"
if "$CERTS" "$T/pki" frobnicate >/dev/null 2>&1; then
	fail "unknown command accepted"
fi
ok "check and refusals"
echo "PASS"
