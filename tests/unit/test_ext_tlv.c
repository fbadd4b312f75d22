/*
 * test_ext_tlv.c - the values of our VDP Org TLVs (lib/ext/ext_tlv.c):
 * golden byte strings from docs/nvo3-vdp-extensions.md, every edge offset
 * (exact fit, one short, one too many), every error with its value, and
 * the reason-versus-M/S table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ext/ext.h"
#include "util/hex.h"
#include "vdp/vdp.h"

/* docs/nvo3-vdp-extensions.md 7.2, worked example (value after CID). */
static const char ipaddr_hex[] =
    "02 05 5f 0c 2a 9e 7b 31 4d 2a 9c 4e 1d 2b 3c 4d 5e 6f"
    "00 01 c6 33 64 0a"
    "00 02 20 01 0d b8 01 00 00 00 00 00 00 00 00 00 00 0a";

/* docs 7.3, worked example. */
static const char mig_hex[] =
    "03 03 01 00 00 00 2a 00 00 00 00 00 00 00 00 00 00 ff ff cb 00 71 01";

/* docs 8, the auth TLV value of the worked ULPDU. */
static const char auth_hex[] =
    "04 00 01 01 00 06 60 d0 da c3 e8 00"
    "f2 b8 7c e8 de 48 ce 6b 71 65 c9 01 0a a2 32 76";

static size_t
unhex(const char *h, uint8_t *out, size_t cap)
{
	long n = hex_decode(h, out, cap);

	assert_true(n >= 0);
	return (size_t)n;
}

/*
 * Reads the first code block after the line of docs/nvo3-vdp-extensions.md
 * that contains marker, and collects the two-hex-digit tokens that begin
 * each line (after skip_first leading tokens), stopping at the first other
 * token: the comments.  Returns the octet count, or -1.
 */
static int
doc_block(const char *marker, int skip_first, uint8_t *out, size_t cap)
{
	char line[256];
	FILE *f = fopen(SN_SOURCE_DIR "/docs/nvo3-vdp-extensions.md", "r");
	int state = 0;
	size_t n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tok, *save = NULL;
		int i = 0;

		if (state == 0) {
			if (strstr(line, marker) != NULL)
				state = 1;
			continue;
		}
		if (strncmp(line, "```", 3) == 0) {
			if (state == 2)
				break;
			state = 2;
			continue;
		}
		if (state != 2)
			continue;
		for (tok = strtok_r(line, " \n", &save); tok != NULL;
		    tok = strtok_r(NULL, " \n", &save), i++) {
			uint8_t v;

			if (i < skip_first)
				continue;
			if (strlen(tok) != 2 || hex_decode(tok, &v, 1) != 1)
				break;
			if (n == cap) {
				fclose(f);
				return -1;
			}
			out[n++] = v;
		}
	}
	fclose(f);
	return state == 2 ? (int)n : -1;
}

/* The doc's block is the whole TLV: header, CID, then the value. */
static void
doc_matches(const char *marker, const uint8_t *val, size_t n)
{
	uint8_t d[400];

	assert_int_equal(doc_block(marker, 0, d, sizeof(d)), (int)(n + 5));
	assert_int_equal(d[0] << 8 | d[1], 127 << 9 | (int)(n + 3));
	assert_memory_equal(d + 2, "\xac\xde\x48", 3);
	assert_memory_equal(d + 5, val, n);
}

static void
ipaddr_golden(void **state)
{
	uint8_t b[64], o[64];
	size_t n = unhex(ipaddr_hex, b, sizeof(b));
	struct nvo3_ipaddr_tlv t;
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a };

	assert_int_equal(n, 42);
	doc_matches("`test_ext_tlv` `ipaddr_golden`", b, n);
	assert_int_equal(nvo3_ipaddr_decode(b, n, &t), 0);
	assert_int_equal(t.vsiid_fmt, VDP_VSIID_UUID);
	assert_int_equal(t.vsiid[0], 0x5f);
	assert_int_equal(t.vsiid[15], 0x6f);
	assert_int_equal(t.naddr, 2);
	assert_int_equal(t.addr[0].afi, NVO3_AFI_IPV4);
	assert_memory_equal(t.addr[0].addr, "\xc6\x33\x64\x0a", 4);
	assert_int_equal(t.addr[0].addr[4], 0);
	assert_int_equal(t.addr[1].afi, NVO3_AFI_IPV6);
	assert_memory_equal(t.addr[1].addr, v6, 16);
	assert_int_equal(nvo3_ipaddr_size(&t), 42);
	assert_int_equal(nvo3_ipaddr_encode(&t, o, sizeof(o)), 42);
	assert_memory_equal(o, b, 42);
	/* exact-fit output buffer, then one octet short */
	assert_int_equal(nvo3_ipaddr_encode(&t, o, 42), 42);
	assert_int_equal(nvo3_ipaddr_encode(&t, o, 41), -ENOBUFS);
	(void)state;
}

static void
ipaddr_lengths(void **state)
{
	uint8_t b[64];
	size_t n = unhex(ipaddr_hex, b, sizeof(b));
	struct nvo3_ipaddr_tlv t;

	/* every truncation of the golden value is a length error */
	for (size_t l = 0; l < n; l++) {
		int rc = nvo3_ipaddr_decode(b, l, &t);

		if (l == 24)		/* ends right after the IPv4 pair */
			assert_int_equal(rc, 0);
		else
			assert_int_equal(rc, -EBADMSG);
	}
	assert_int_equal(nvo3_ipaddr_decode(b, 24, &t), 0);
	assert_int_equal(t.naddr, 1);
	/* one octet too many: half an AFI */
	b[42] = 0x00;
	assert_int_equal(nvo3_ipaddr_decode(b, 43, &t), -EBADMSG);
	/* a whole AFI but no address */
	b[43] = 0x01;
	assert_int_equal(nvo3_ipaddr_decode(b, 44, &t), -EBADMSG);
	/* the fixed part only: no address at all */
	assert_int_equal(nvo3_ipaddr_decode(b, 18, &t), -EBADMSG);
	assert_int_equal(nvo3_ipaddr_decode(NULL, 0, &t), -EBADMSG);
	(void)state;
}

static void
ipaddr_errors(void **state)
{
	uint8_t b[64];
	size_t n = unhex(ipaddr_hex, b, sizeof(b));
	struct nvo3_ipaddr_tlv t;

	b[0] = NVO3_EXT_ST_MIGRATION;
	assert_int_equal(nvo3_ipaddr_decode(b, n, &t), -ENOMSG);
	b[0] = NVO3_EXT_ST_IPADDR;
	b[1] = 0;
	assert_int_equal(nvo3_ipaddr_decode(b, n, &t), -EINVAL);
	b[1] = 6;
	assert_int_equal(nvo3_ipaddr_decode(b, n, &t), -EINVAL);
	b[1] = 1;
	assert_int_equal(nvo3_ipaddr_decode(b, n, &t), 0);
	b[19] = 3;				/* AFI 3 */
	assert_int_equal(nvo3_ipaddr_decode(b, n, &t), -EAFNOSUPPORT);
	b[19] = 0;				/* AFI 0 */
	assert_int_equal(nvo3_ipaddr_decode(b, n, &t), -EAFNOSUPPORT);
	b[18] = 1;				/* AFI 0x0101 */
	b[19] = 1;
	assert_int_equal(nvo3_ipaddr_decode(b, n, &t), -EAFNOSUPPORT);
	(void)state;
}

static void
ipaddr_count_limit(void **state)
{
	uint8_t b[18 + 17 * 6], o[sizeof(b)];
	struct nvo3_ipaddr_tlv t;

	memset(b, 0, sizeof(b));
	b[0] = NVO3_EXT_ST_IPADDR;
	b[1] = VDP_VSIID_MAC;
	for (int i = 0; i < 17; i++) {
		b[18 + i * 6 + 1] = NVO3_AFI_IPV4;
		b[18 + i * 6 + 5] = (uint8_t)i;
	}
	assert_int_equal(nvo3_ipaddr_decode(b, 18 + 16 * 6, &t), 0);
	assert_int_equal(t.naddr, NVO3_IPADDR_MAX);
	assert_int_equal(t.addr[15].addr[3], 15);
	assert_int_equal(nvo3_ipaddr_encode(&t, o, sizeof(o)), 18 + 16 * 6);
	assert_memory_equal(o, b, 18 + 16 * 6);
	assert_int_equal(nvo3_ipaddr_decode(b, sizeof(b), &t), -E2BIG);
	(void)state;
}

static void
ipaddr_encode_errors(void **state)
{
	struct nvo3_ipaddr_tlv t;
	uint8_t o[64];

	memset(&t, 0, sizeof(t));
	t.vsiid_fmt = VDP_VSIID_UUID;
	assert_int_equal(nvo3_ipaddr_encode(&t, o, sizeof(o)), -EBADMSG);
	assert_int_equal(nvo3_ipaddr_size(&t), 0);
	t.naddr = 1;
	assert_int_equal(nvo3_ipaddr_encode(&t, o, sizeof(o)), -EAFNOSUPPORT);
	assert_int_equal(nvo3_ipaddr_size(&t), 0);
	t.addr[0].afi = NVO3_AFI_IPV6;
	assert_int_equal(nvo3_ipaddr_encode(&t, o, sizeof(o)), 36);
	assert_int_equal(nvo3_ipaddr_encode(&t, o, 35), -ENOBUFS);
	t.naddr = NVO3_IPADDR_MAX + 1;
	assert_int_equal(nvo3_ipaddr_encode(&t, o, sizeof(o)), -E2BIG);
	assert_int_equal(nvo3_ipaddr_size(&t), 0);
	t.naddr = 1;
	t.vsiid_fmt = 0;
	assert_int_equal(nvo3_ipaddr_encode(&t, o, sizeof(o)), -EINVAL);
	(void)state;
}

static void
migration_golden(void **state)
{
	uint8_t b[32], o[32];
	size_t n = unhex(mig_hex, b, sizeof(b));
	struct nvo3_migration m;

	assert_int_equal(n, NVO3_MIGRATION_LEN);
	doc_matches("`test_ext_tlv` `migration_golden`", b, n);
	assert_int_equal(nvo3_migration_decode(b, n, &m), 0);
	assert_int_equal(m.reason, NVO3_REASON_MIG_IN_ACTIVATE);
	assert_int_equal(m.flags, NVO3_MIGF_AUTHORITATIVE);
	assert_int_equal(m.seq, 42);
	assert_memory_equal(m.src_nve + 10, "\xff\xff\xcb\x00\x71\x01", 6);
	assert_int_equal(nvo3_migration_encode(&m, o, n), 23);
	assert_memory_equal(o, b, 23);
	assert_int_equal(nvo3_migration_encode(&m, o, n - 1), -ENOBUFS);
	/* one short, one too many */
	assert_int_equal(nvo3_migration_decode(b, n - 1, &m), -EBADMSG);
	b[n] = 0;
	assert_int_equal(nvo3_migration_decode(b, n + 1, &m), -EBADMSG);
	assert_int_equal(nvo3_migration_decode(b, 0, &m), -EBADMSG);
	(void)state;
}

static void
migration_errors(void **state)
{
	uint8_t b[32], o[32];
	size_t n = unhex(mig_hex, b, sizeof(b));
	struct nvo3_migration m;

	for (unsigned r = 0; r <= 255; r++) {
		b[1] = (uint8_t)r;
		assert_int_equal(nvo3_migration_decode(b, n, &m),
		    r <= NVO3_REASON_MAX ? 0 : -ERANGE);
	}
	b[1] = NVO3_REASON_SHUTDOWN;
	b[2] = 0xff;			/* reserved flags: kept */
	assert_int_equal(nvo3_migration_decode(b, n, &m), 0);
	assert_int_equal(m.flags, 0xff);
	assert_int_equal(nvo3_migration_encode(&m, o, sizeof(o)), 23);
	assert_memory_equal(o, b, 23);
	b[0] = NVO3_EXT_ST_AUTH;
	assert_int_equal(nvo3_migration_decode(b, n, &m), -ENOMSG);
	m.reason = NVO3_REASON_MAX + 1;
	assert_int_equal(nvo3_migration_encode(&m, o, sizeof(o)), -ERANGE);
	(void)state;
}

static void
auth_golden(void **state)
{
	uint8_t b[40], o[40];
	size_t n = unhex(auth_hex, b, sizeof(b));
	struct nvo3_auth a;

	assert_int_equal(n, NVO3_AUTH_LEN);
	assert_int_equal(nvo3_auth_decode(b, n, &a), 0);
	assert_int_equal(a.key_id, 1);
	assert_int_equal(a.alg, NVO3_AUTH_HMAC_SHA256_128);
	assert_true(a.counter == 0x000660d0dac3e800ull);
	assert_int_equal(a.mac[0], 0xf2);
	assert_int_equal(a.mac[15], 0x76);
	assert_int_equal(nvo3_auth_encode(&a, o, n), 28);
	assert_memory_equal(o, b, 28);
	assert_int_equal(nvo3_auth_encode(&a, o, n - 1), -ENOBUFS);
	assert_int_equal(nvo3_auth_decode(b, n - 1, &a), -EBADMSG);
	b[n] = 0;
	assert_int_equal(nvo3_auth_decode(b, n + 1, &a), -EBADMSG);
	b[3] = 0;
	assert_int_equal(nvo3_auth_decode(b, n, &a), -EPROTONOSUPPORT);
	b[3] = 2;
	assert_int_equal(nvo3_auth_decode(b, n, &a), -EPROTONOSUPPORT);
	a.alg = 2;
	assert_int_equal(nvo3_auth_encode(&a, o, sizeof(o)), -EPROTONOSUPPORT);
	b[3] = 1;
	b[0] = NVO3_EXT_ST_IPADDR;
	assert_int_equal(nvo3_auth_decode(b, n, &a), -ENOMSG);
	(void)state;
}

static void
dispatch(void **state)
{
	uint8_t b[64], o[64];
	struct nvo3_ext_tlv t;
	size_t n;

	n = unhex(ipaddr_hex, b, sizeof(b));
	assert_int_equal(nvo3_ext_decode(b, n, &t), 0);
	assert_int_equal(t.subtype, NVO3_EXT_ST_IPADDR);
	assert_int_equal(nvo3_ext_encode(&t, o, sizeof(o)), (int)n);
	assert_memory_equal(o, b, n);
	n = unhex(mig_hex, b, sizeof(b));
	assert_int_equal(nvo3_ext_decode(b, n, &t), 0);
	assert_int_equal(t.u.mig.seq, 42);
	assert_int_equal(nvo3_ext_encode(&t, o, sizeof(o)), (int)n);
	n = unhex(auth_hex, b, sizeof(b));
	assert_int_equal(nvo3_ext_decode(b, n, &t), 0);
	assert_int_equal(t.u.auth.key_id, 1);
	assert_int_equal(nvo3_ext_encode(&t, o, sizeof(o)), (int)n);
	assert_memory_equal(o, b, n);
	/* subtypes that are not VDP Org TLVs of ours */
	static const uint8_t other[] = { 0x00, NVO3_EXT_ST_CAPS,
	    NVO3_EXT_ST_ECPDEST, 0x06, 0xff };
	for (size_t i = 0; i < sizeof(other); i++) {
		b[0] = other[i];
		assert_int_equal(nvo3_ext_decode(b, n, &t), -ENOMSG);
		t.subtype = other[i];
		assert_int_equal(nvo3_ext_encode(&t, o, sizeof(o)), -ENOMSG);
	}
	assert_int_equal(nvo3_ext_decode(b, 0, &t), -EBADMSG);
	assert_int_equal(nvo3_ext_decode(NULL, 0, &t), -EBADMSG);
	(void)state;
}

/*
 * The expected table, written out again independently of ext_tlv.c:
 * for each reason, a string over TLV types 1..4 (PA, PA-RR, Assoc,
 * De-Assoc) of the M/S combination that is consistent: '0' = 0/0,
 * 'M', 'S', '*' = any, '-' = none.
 */
static const char *const expect[NVO3_REASON_MAX + 1] = {
	"****",		/* unspec */
	"000-",		/* create */
	"MM--",		/* mig-in-prepare */
	"--M-",		/* mig-in-activate */
	"---S",		/* mig-out */
	"---M",		/* mig-abort */
	"---0",		/* shutdown */
	"000-",		/* pause */
	"--0-",		/* resume */
};

static void
reason_table(void **state)
{
	static const uint8_t ms[4] = { 0, VDP_ST_MBIT, VDP_ST_SBIT,
	    VDP_ST_MBIT | VDP_ST_SBIT };
	static const char msc[4] = { '0', 'M', 'S', 'B' };

	for (unsigned r = 0; r <= NVO3_REASON_MAX + 1; r++)
		for (uint8_t type = 0; type <= 6; type++)
			for (int i = 0; i < 4; i++) {
				bool want = false;

				if (r <= NVO3_REASON_MAX && type >= 1 &&
				    type <= 4) {
					char e = expect[r][type - 1];

					want = e == '*' || e == msc[i];
				}
				assert_int_equal(nvo3_reason_consistent(
				    (uint8_t)r, type, ms[i]), want);
				/* responses and reserved bit: never */
				assert_false(nvo3_reason_consistent((uint8_t)r,
				    type, ms[i] | VDP_ST_RESPONSE));
				assert_false(nvo3_reason_consistent((uint8_t)r,
				    type, ms[i] | VDP_ST_RESERVED));
			}
	/* the low nibble (reserved in requests) does not matter */
	assert_true(nvo3_reason_consistent(NVO3_REASON_MIG_OUT,
	    VDP_TLV_DEASSOC, VDP_ST_SBIT | 0x0f));
	(void)state;
}

static void
names(void **state)
{
	assert_string_equal(nvo3_reason_name(NVO3_REASON_UNSPEC), "unspec");
	assert_string_equal(nvo3_reason_name(NVO3_REASON_MIG_IN_ACTIVATE),
	    "mig-in-activate");
	assert_string_equal(nvo3_reason_name(NVO3_REASON_RESUME), "resume");
	assert_string_equal(nvo3_reason_name(9), "?");
	for (unsigned r = 0; r <= NVO3_REASON_MAX; r++)
		assert_string_not_equal(nvo3_reason_name((uint8_t)r), "?");
	assert_string_equal(nvo3_ext_subtype_name(NVO3_EXT_ST_AUTH), "auth");
	assert_string_equal(nvo3_ext_subtype_name(0x77), "?");
	assert_string_equal(nvo3_auth_alg_name(1), "hmac-sha256-128");
	assert_string_equal(nvo3_auth_alg_name(0), "?");
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipaddr_golden),
		cmocka_unit_test(ipaddr_lengths),
		cmocka_unit_test(ipaddr_errors),
		cmocka_unit_test(ipaddr_count_limit),
		cmocka_unit_test(ipaddr_encode_errors),
		cmocka_unit_test(migration_golden),
		cmocka_unit_test(migration_errors),
		cmocka_unit_test(auth_golden),
		cmocka_unit_test(dispatch),
		cmocka_unit_test(reason_table),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
