/*
 * test_ext_caps.c - capability agreement (lib/ext/ext_caps.c): a standard
 * peer gets nothing, otherwise the intersection of known bits; the use_*
 * helpers; names, formatting and parsing.  Examples from
 * docs/nvo3-vdp-extensions.md section 3.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ext/ext.h"

static void
agree(void **state)
{
	/* docs 3.3: station offers 0x0000006b, bridge 0x0000005f */
	uint32_t a = nvo3_caps_agree(0x6b, true, 0x5f);

	assert_int_equal(a, 0x4b);
	assert_true(nvo3_ext_use_ip_filters(a));
	assert_true(nvo3_ext_use_migration(a));
	assert_false(nvo3_ext_use_ecpdest(a));
	assert_true(nvo3_ext_use_auth(a));
	assert_false(nvo3_ext_use_vni_groupid(a));
	assert_false(nvo3_ext_use_multi_tlv(a));
	assert_true(nvo3_ext_use_deactivate(a));
	assert_false(nvo3_ext_use_ipaddr_tlv(a));
	assert_true(nvo3_ext_use_ipaddr_tlv(nvo3_caps_agree(0x80, true,
	    0x81)));
	/* a standard peer: nothing, whatever we offer */
	assert_int_equal(nvo3_caps_agree(NVO3_CAP_ALL, false, 0), 0);
	assert_int_equal(nvo3_caps_agree(NVO3_CAP_ALL, false, NVO3_CAP_ALL),
	    0);
	/* a peer with an empty bitmap: nothing */
	assert_int_equal(nvo3_caps_agree(NVO3_CAP_ALL, true, 0), 0);
	/* unknown bits from a newer peer (and from us) are dropped */
	assert_int_equal(nvo3_caps_agree(0xffffffffu, true, 0xffffffffu),
	    NVO3_CAP_ALL);
	assert_int_equal(nvo3_caps_agree(0x100, true, 0x100), 0);
	/* symmetric */
	for (uint32_t l = 0; l <= NVO3_CAP_ALL; l += 7)
		for (uint32_t p = 0; p <= NVO3_CAP_ALL; p += 5)
			assert_int_equal(nvo3_caps_agree(l, true, p),
			    nvo3_caps_agree(p, true, l));
	/* every helper tests exactly its own bit */
	for (int b = 0; b < 32; b++) {
		uint32_t v = 1u << b;
		int n = nvo3_ext_use_ip_filters(v) + nvo3_ext_use_migration(v) +
		    nvo3_ext_use_ecpdest(v) + nvo3_ext_use_auth(v) +
		    nvo3_ext_use_vni_groupid(v) + nvo3_ext_use_multi_tlv(v) +
		    nvo3_ext_use_deactivate(v) + nvo3_ext_use_ipaddr_tlv(v);

		assert_int_equal(n, (v & NVO3_CAP_ALL) ? 1 : 0);
	}
	(void)state;
}

static void
format(void **state)
{
	char t[128];

	assert_int_equal(nvo3_caps_format(0, t, sizeof(t)), 4);
	assert_string_equal(t, "none");
	nvo3_caps_format(0x4b, t, sizeof(t));
	assert_string_equal(t, "ipfilter,migration,auth,deactivate");
	nvo3_caps_format(NVO3_CAP_ALL | 0x300, t, sizeof(t));
	assert_string_equal(t, "ipfilter,migration,ecpdest,auth,vni-groupid,"
	    "multi-tlv,deactivate,ipaddr-tlv,0x300");
	nvo3_caps_format(0x80000000u, t, sizeof(t));
	assert_string_equal(t, "0x80000000");
	/* cut like snprintf */
	assert_int_equal(nvo3_caps_format(0x3, t, 5), 18);
	assert_string_equal(t, "ipfi");
	assert_int_equal(nvo3_caps_format(0x3, t, 0), 18);
	assert_string_equal(nvo3_cap_name(NVO3_CAP_MULTI_TLV), "multi-tlv");
	assert_string_equal(nvo3_cap_name(0x100), "?");
	assert_string_equal(nvo3_cap_name(0x3), "?");
	(void)state;
}

static void
parse(void **state)
{
	uint32_t c = 0xdead;
	char t[128];

	assert_int_equal(nvo3_caps_parse("ipfilter,auth", &c), 0);
	assert_int_equal(c, NVO3_CAP_IPFILTER | NVO3_CAP_AUTH);
	assert_int_equal(nvo3_caps_parse("all", &c), 0);
	assert_int_equal(c, NVO3_CAP_ALL);
	assert_int_equal(nvo3_caps_parse("none", &c), 0);
	assert_int_equal(c, 0);
	/* round trip through format for every known bitmap */
	for (uint32_t v = 1; v <= NVO3_CAP_ALL; v++) {
		nvo3_caps_format(v, t, sizeof(t));
		assert_int_equal(nvo3_caps_parse(t, &c), 0);
		assert_int_equal(c, v);
	}
	c = 0xdead;
	assert_int_equal(nvo3_caps_parse("", &c), -EINVAL);
	assert_int_equal(nvo3_caps_parse("ipfilter,", &c), -EINVAL);
	assert_int_equal(nvo3_caps_parse(",ipfilter", &c), -EINVAL);
	assert_int_equal(nvo3_caps_parse("ipfilter,,auth", &c), -EINVAL);
	assert_int_equal(nvo3_caps_parse("ip", &c), -EINVAL); /* no prefix */
	assert_int_equal(nvo3_caps_parse("ipfilterx", &c), -EINVAL);
	assert_int_equal(nvo3_caps_parse("0x100", &c), -EINVAL);
	assert_int_equal(nvo3_caps_parse(NULL, &c), -EINVAL);
	assert_int_equal(c, 0xdead);		/* untouched on error */
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(agree),
		cmocka_unit_test(format),
		cmocka_unit_test(parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
