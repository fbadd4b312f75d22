/*
 * test_nva_names.c - names and addresses of the NVA protocol
 * (lib/nva/nva_names.c): every code, state and body name and the "?"
 * beyond them, address text both ways (IPv4, IPv6 forms, MACs in either
 * case and separator) with its errors, raw octets of every length, and
 * equality.  Which end sends which body: test_nva_codec.c, beside the
 * round trip of every body.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nva/nva.h"

static uint8_t mac1[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0x10 };
static uint8_t junk[32];

#define BIN(p, n)	((ProtobufCBinaryData){ .len = (n), .data = (p) })

static void
names(void **state)
{
	static const char *const codes[] = { "ok", "malformed",
		"unknown-field", "not-registered", "not-owner", "vn-refused",
		"coattach", "frozen", "not-found", "too-many", "store",
		"bad-address", "bad-state", "name-mismatch", "internal",
		"conflict" };

	(void)state;
	assert_int_equal(sizeof(codes) / sizeof(codes[0]), NVA_CODE_COUNT);
	for (int i = 0; i < NVA_CODE_COUNT; i++)
		assert_string_equal(nva_code_name((enum nva_code)i), codes[i]);
	assert_string_equal(nva_code_name(NVA_CODE_COUNT), "?");
	assert_string_equal(nva_code_name((enum nva_code)-1), "?");
	assert_string_equal(nva_state_name(NVA_ST_NONE), "none");
	assert_string_equal(nva_state_name(NVA_ST_ASSOCIATED), "associated");
	assert_string_equal(nva_state_name(NVA_ST_ACTIVATED), "activated");
	assert_string_equal(nva_state_name(NVA_ST_WITHDRAWN), "withdrawn");
	assert_string_equal(nva_state_name(NVA_ST_COUNT), "?");
	assert_string_equal(nva_body_name(NVA__ENVELOPE__BODY_HELLO), "hello");
	assert_string_equal(nva_body_name(NVA__ENVELOPE__BODY_SYNC_DONE),
	    "sync_done");
	assert_string_equal(nva_body_name(NVA__ENVELOPE__BODY_AUDIT_RESULT),
	    "audit_result");
	assert_string_equal(nva_body_name(NVA__ENVELOPE__BODY_ERROR), "error");
	assert_string_equal(nva_body_name(NVA__ENVELOPE__BODY__NOT_SET), "?");
	assert_string_equal(nva_body_name((Nva__Envelope__BodyCase)1), "?");
	assert_string_equal(nva_body_name((Nva__Envelope__BodyCase)29), "?");
	assert_string_equal(nva_body_name((Nva__Envelope__BodyCase)-1), "?");
}

static void
addr_text(void **state)
{
	static const struct {
		const char *in, *out;
		uint8_t len;
	} good[] = {
		{ "198.51.100.10", "198.51.100.10", 4 },
		{ "0.0.0.0", "0.0.0.0", 4 },
		{ "2001:db8:100::10", "2001:db8:100::10", 16 },
		{ "2001:0DB8:0100:0:0:0:0:0010", "2001:db8:100::10", 16 },
		{ "::", "::", 16 },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1", 16 },
		{ "02:00:00:00:00:01", "02:00:00:00:00:01", 6 },
		{ "AA:bb:CC:dd:EE:ff", "aa:bb:cc:dd:ee:ff", 6 },
		{ "aa-bb-cc-dd-ee-ff", "aa:bb:cc:dd:ee:ff", 6 },
		{ "aa:bb:cc:dd:ee:0f", "aa:bb:cc:dd:ee:0f", 6 },
	};
	static const char *const bad[] = { "", "198.51.100", "198.51.100.256",
		"02:00:00:00:00", "02:00:00:00:00:01:02", "2:0:0:0:0:1",
		"2001:db8::1::2", "nve1", " 198.51.100.1", "198.51.100.1 " };
	struct nva_addr a, b;
	char buf[NVA_ADDR_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&a, 0xee, sizeof(a));
		assert_int_equal(nva_addr_parse(&a, good[i].in), 0);
		assert_int_equal(a.len, good[i].len);
		for (size_t j = a.len; j < sizeof(a.a); j++)
			assert_int_equal(a.a[j], 0);
		assert_string_equal(nva_addr_fmt(&a, buf), good[i].out);
		assert_int_equal(nva_addr_parse(&b, buf), 0);
		assert_true(nva_addr_eq(&a, &b));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&a, 0xee, sizeof(a));
		assert_int_equal(nva_addr_parse(&a, bad[i]), -EINVAL);
		assert_int_equal(a.len, 0xee);	/* untouched */
	}
	assert_int_equal(nva_addr_parse(&a, NULL), -EINVAL);

	/* The longest text fits NVA_ADDR_STRLEN. */
	assert_int_equal(nva_addr_parse(&a,
	    "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"), 0);
	nva_addr_fmt(&a, buf);
	assert_true(strlen(buf) < NVA_ADDR_STRLEN);

	a.len = 0;
	assert_string_equal(nva_addr_fmt(&a, buf), "?");
	a.len = 5;
	assert_string_equal(nva_addr_fmt(&a, buf), "?");
}

static void
addr_octets(void **state)
{
	struct nva_addr a, b;
	uint8_t v4[4] = { 198, 51, 100, 1 };

	(void)state;
	memset(&a, 0xee, sizeof(a));
	assert_int_equal(nva_addr_from(&a, &BIN(v4, 4)), 0);
	assert_int_equal(a.len, 4);
	assert_memory_equal(a.a, v4, 4);
	assert_int_equal(a.a[4], 0);
	assert_int_equal(a.a[15], 0);
	assert_int_equal(nva_addr_from(&b, &BIN(mac1, 6)), 0);
	assert_int_equal(b.len, 6);
	assert_false(nva_addr_eq(&a, &b));
	assert_int_equal(nva_addr_from(&b, &BIN(ip6, 16)), 0);
	assert_int_equal(b.len, 16);
	assert_memory_equal(b.a, ip6, 16);

	memset(&a, 0xee, sizeof(a));
	for (size_t n = 0; n <= 17; n++) {
		if (n == 4 || n == 6 || n == 16)
			continue;
		assert_int_equal(nva_addr_from(&a, &BIN(junk, n)), -EINVAL);
		assert_int_equal(a.len, 0xee);
	}

	/* Equality: length and octets, nothing past the length. */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.len = b.len = 4;
	memcpy(a.a, v4, 4);
	memcpy(b.a, v4, 4);
	b.a[10] = 9;
	assert_true(nva_addr_eq(&a, &b));
	b.a[3] = 2;
	assert_false(nva_addr_eq(&a, &b));
	b.a[3] = 1;
	b.len = 16;
	assert_false(nva_addr_eq(&a, &b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names),
		cmocka_unit_test(addr_text),
		cmocka_unit_test(addr_octets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
