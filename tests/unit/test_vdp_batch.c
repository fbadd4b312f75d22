/*
 * test_vdp_batch.c - the ULPDU packer of lib/vdp/vdp_batch.c: one TLV per
 * ULPDU without NVO3_CAP_MULTI_TLV, grouping by Manager ID, the
 * 1494-octet limit at exact fit and one octet over, the 511-octet TLV
 * value limit, every error, and a planned ULPDU encoded by the codec at
 * exactly the planned size.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ext/nvo3_ext_codes.h"
#include "util/hex.h"
#include "vdp/vdp_sm.h"

#define NI	64

static uint8_t mgr_a[VDP_MGRID_LEN] = { 'm', 'g', 'r', '1' };
static uint8_t mgr_b[VDP_MGRID_LEN] = { 'm', 'g', 'r', '2' };
static struct vdp_filter filt[256];
static struct vdp_vsi_tlv tlv[NI];
static struct vdp_batch_item it[NI];
static uint16_t order[NI];
static struct vdp_ulpdu_plan plan[NI];

/* n items of format 2 (MAC/VID), one entry each: 35 octets per TLV. */
static void
setup_items(size_t n)
{
	size_t i;

	memset(filt, 0, sizeof(filt));
	for (i = 0; i < 256; i++) {
		filt[i].mac[0] = 0x52;
		filt[i].mac[5] = (uint8_t)i;
		filt[i].vid = 100;
	}
	for (i = 0; i < n; i++) {
		memset(&tlv[i], 0, sizeof(tlv[i]));
		tlv[i].mode = VDP_TLV_ASSOC;
		tlv[i].type_id = 5;
		tlv[i].type_ver = 4;
		tlv[i].vsiid_fmt = VDP_VSIID_UUID;
		memset(tlv[i].vsiid, 0x11, VDP_VSIID_LEN);
		tlv[i].vsiid[15] = (uint8_t)i;
		tlv[i].ffmt = VDP_FIF_MAC_VID;
		tlv[i].nfilter = 1;
		tlv[i].filters = &filt[i];
		it[i].mgrid = mgr_a;
		it[i].tlv = &tlv[i];
		it[i].extra = 0;
	}
}

static void
one_per_ulpdu_without_cap(void **state)
{
	int i;

	setup_items(3);
	assert_int_equal(vdp_batch_plan(it, 3, 0, NULL, order, plan, NI), 3);
	assert_int_equal(vdp_batch_plan(it, 3, NVO3_CAP_ALL &
	    ~NVO3_CAP_MULTI_TLV, NULL, order, plan, NI), 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(plan[i].first, i);
		assert_int_equal(plan[i].count, 1);
		assert_int_equal(plan[i].len, 18 + 35);
		assert_int_equal(order[i], i);
	}
	(void)state;
}

static void
several_with_cap(void **state)
{
	setup_items(3);
	assert_int_equal(vdp_batch_plan(it, 3, NVO3_CAP_MULTI_TLV, NULL,
	    order, plan, NI), 1);
	assert_int_equal(plan[0].first, 0);
	assert_int_equal(plan[0].count, 3);
	assert_int_equal(plan[0].len, 18 + 3 * 35);
	assert_int_equal(vdp_batch_plan(it, 0, NVO3_CAP_MULTI_TLV, NULL,
	    order, plan, NI), 0);
	(void)state;
}

static void
grouped_by_manager(void **state)
{
	setup_items(5);
	it[1].mgrid = mgr_b;
	it[3].mgrid = mgr_b;
	assert_int_equal(vdp_batch_plan(it, 5, NVO3_CAP_MULTI_TLV, NULL,
	    order, plan, NI), 2);
	assert_int_equal(plan[0].count, 3);
	assert_int_equal(plan[1].first, 3);
	assert_int_equal(plan[1].count, 2);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 4);
	assert_int_equal(order[3], 1);
	assert_int_equal(order[4], 3);
	/* without the capability: five ULPDUs, same order */
	assert_int_equal(vdp_batch_plan(it, 5, 0, NULL, order, plan, NI), 5);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[3], 1);
	(void)state;
}

static void
ulpdu_exact_fit_and_one_over(void **state)
{
	/* 18 + 42 * 35 = 1488; 6 octets of Org TLVs fill 1494 exactly */
	setup_items(43);
	it[41].extra = 6;
	assert_int_equal(vdp_batch_plan(it, 42, NVO3_CAP_MULTI_TLV, NULL,
	    order, plan, NI), 1);
	assert_int_equal(plan[0].len, VDP_MAX_ULPDU);
	it[41].extra = 7;				/* one over */
	assert_int_equal(vdp_batch_plan(it, 42, NVO3_CAP_MULTI_TLV, NULL,
	    order, plan, NI), 2);
	assert_int_equal(plan[0].count, 41);
	assert_int_equal(plan[0].len, 18 + 41 * 35);
	assert_int_equal(plan[1].count, 1);
	assert_int_equal(plan[1].len, 18 + 35 + 7);
	/* one item alone may fill the ULPDU, not more */
	setup_items(1);
	it[0].extra = VDP_MAX_ULPDU - 18 - 35;
	assert_int_equal(vdp_batch_plan(it, 1, NVO3_CAP_MULTI_TLV, NULL,
	    order, plan, NI), 1);
	it[0].extra++;
	assert_int_equal(vdp_batch_plan(it, 1, NVO3_CAP_MULTI_TLV, NULL,
	    order, plan, NI), -EMSGSIZE);
	(void)state;
}

static void
tlv_value_limit(void **state)
{
	setup_items(1);
	/* format 1: 25 + 243 * 2 = 511, the 9-bit maximum */
	tlv[0].ffmt = VDP_FIF_VID;
	tlv[0].nfilter = 243;
	tlv[0].filters = filt;
	assert_int_equal(vdp_batch_plan(it, 1, 0, NULL, order, plan, NI), 1);
	assert_int_equal(plan[0].len, 18 + 2 + 511);
	tlv[0].nfilter = 244;
	assert_int_equal(vdp_batch_plan(it, 1, 0, NULL, order, plan, NI),
	    -EMSGSIZE);
	(void)state;
}

static void
errors(void **state)
{
	struct vdp_codec_opts grp = { .group_ids = 1 };

	setup_items(3);
	assert_int_equal(vdp_batch_plan(it, 3, 0, NULL, order, plan, 2),
	    -ENOSPC);
	assert_int_equal(vdp_batch_plan(it, 3, 0, NULL, order, plan, 3), 3);
	assert_int_equal(vdp_batch_plan(it, 3, NVO3_CAP_MULTI_TLV, NULL,
	    order, NULL, 0), -ENOSPC);
	assert_int_equal(vdp_batch_plan(NULL, 3, 0, NULL, order, plan, NI),
	    -EINVAL);
	assert_int_equal(vdp_batch_plan(it, 3, 0, NULL, NULL, plan, NI),
	    -EINVAL);
	assert_int_equal(vdp_batch_plan(it, 70000, 0, NULL, order, plan, NI),
	    -E2BIG);
	it[2].mgrid = NULL;
	assert_int_equal(vdp_batch_plan(it, 3, 0, NULL, order, plan, NI),
	    -EINVAL);
	it[2].mgrid = mgr_a;
	it[1].tlv = NULL;
	assert_int_equal(vdp_batch_plan(it, 3, 0, NULL, order, plan, NI),
	    -EINVAL);
	it[1].tlv = &tlv[1];
	tlv[1].ffmt = 0x7f;				/* unknown format */
	assert_int_equal(vdp_batch_plan(it, 3, 0, NULL, order, plan, NI),
	    -EINVAL);
	/* GroupID formats only when negotiated (BGID + SGID) */
	tlv[1].ffmt = VDP_FIF_GROUP_MAC_VID;
	assert_int_equal(vdp_batch_plan(it, 3, 0, NULL, order, plan, NI),
	    -EINVAL);
	assert_int_equal(vdp_batch_plan(it, 3, NVO3_CAP_MULTI_TLV, &grp,
	    order, plan, NI), 1);
	assert_int_equal(plan[0].len, 18 + 35 + 39 + 35);
	/* IP formats only with the extension */
	tlv[1].ffmt = NVO3_FIF_GROUP_MAC_IPV6_VID;
	assert_int_equal(vdp_batch_plan(it, 3, NVO3_CAP_MULTI_TLV, &grp,
	    order, plan, NI), -EINVAL);
	(void)state;
}

static void
fill_and_encode(void **state)
{
	static struct vdp_pdu pdu, back;
	uint8_t buf[1600];
	enum vdp_err why;
	int n, i;

	/* 43 for manager A (42 fit: 18 + 42 * 35 = 1488), 1 for B */
	setup_items(44);
	it[20].mgrid = mgr_b;
	n = vdp_batch_plan(it, 44, NVO3_CAP_MULTI_TLV, NULL, order, plan, NI);
	assert_int_equal(n, 3);
	assert_int_equal(plan[0].count, 42);
	assert_int_equal(plan[0].len, 18 + 42 * 35);
	assert_int_equal(plan[1].count, 1);
	assert_int_equal(plan[1].first, 42);
	assert_int_equal(plan[2].count, 1);
	assert_int_equal(order[43], 20);
	for (i = 0; i < n; i++) {
		int len;

		assert_int_equal(vdp_batch_fill(it, 44, order, &plan[i], &pdu),
		    0);
		assert_int_equal(pdu.nvsi, plan[i].count);
		len = vdp_pdu_encode(&pdu, NULL, buf, sizeof(buf));
		/* the End TLV follows when 2 octets of room remain */
		assert_int_equal(len, plan[i].len + 2);
		/* and exactly the planned size fits in exactly that room */
		assert_int_equal(vdp_pdu_encode(&pdu, NULL, buf, plan[i].len),
		    plan[i].len);
		assert_int_equal(vdp_pdu_decode(buf, plan[i].len, NULL, &back,
		    &why), 0);
		assert_int_equal(back.nvsi, plan[i].count);
	}
	assert_memory_equal(back.mgrid, mgr_b, VDP_MGRID_LEN);
	assert_int_equal(vdp_batch_fill(it, 44, order, &plan[0], &pdu), 0);
	assert_memory_equal(pdu.mgrid, mgr_a, VDP_MGRID_LEN);
	assert_int_equal(vdp_batch_fill(it, 44, order, &plan[2], &pdu), 0);
	assert_memory_equal(pdu.mgrid, mgr_b, VDP_MGRID_LEN);
	assert_int_equal(pdu.vsi[0].vsiid[15], 20);
	(void)state;
}

static void
fill_errors(void **state)
{
	static struct vdp_pdu pdu;
	struct vdp_ulpdu_plan p = { .first = 0, .count = 3, .len = 0 };

	setup_items(3);
	assert_int_equal(vdp_batch_plan(it, 3, NVO3_CAP_MULTI_TLV, NULL,
	    order, plan, NI), 1);
	assert_int_equal(vdp_batch_fill(it, 3, order, &p, &pdu), 0);
	p.count = 4;					/* one too many */
	assert_int_equal(vdp_batch_fill(it, 3, order, &p, &pdu), -EINVAL);
	p.count = 0;
	assert_int_equal(vdp_batch_fill(it, 3, order, &p, &pdu), -EINVAL);
	p.count = 3;
	it[2].mgrid = mgr_b;				/* not one manager */
	assert_int_equal(vdp_batch_fill(it, 3, order, &p, &pdu), -EINVAL);
	it[2].mgrid = mgr_a;
	order[1] = 3;					/* index out of range */
	assert_int_equal(vdp_batch_fill(it, 3, order, &p, &pdu), -EINVAL);
	order[1] = 1;
	assert_int_equal(vdp_batch_fill(NULL, 3, order, &p, &pdu), -EINVAL);
	assert_int_equal(vdp_batch_fill(it, 3, NULL, &p, &pdu), -EINVAL);
	assert_int_equal(vdp_batch_fill(it, 3, order, NULL, &pdu), -EINVAL);
	assert_int_equal(vdp_batch_fill(it, 3, order, &p, NULL), -EINVAL);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_per_ulpdu_without_cap),
		cmocka_unit_test(several_with_cap),
		cmocka_unit_test(grouped_by_manager),
		cmocka_unit_test(ulpdu_exact_fit_and_one_over),
		cmocka_unit_test(tlv_value_limit),
		cmocka_unit_test(errors),
		cmocka_unit_test(fill_and_encode),
		cmocka_unit_test(fill_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
