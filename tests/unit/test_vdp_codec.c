/*
 * test_vdp_codec.c - the VDP22 ULPDU codec (lib/vdp/vdp_codec.c): lldpad's
 * real frames (spec/lldpad-interop.md sections 3.2, 4.4, 4.5, 4.7, 7) as
 * golden vectors both ways, every filter format, every vdp_err, the size
 * limits at their edges, truncation at every offset, and the helpers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ext/nvo3_ext_codes.h"
#include "util/hex.h"
#include "vdp/vdp.h"
#include "vdp/vdp_sm.h"

/* Frames as captured, Ethernet header included; the ULPDU is at 18. */
#define ULPDU_OFF	18

/* sec. 3.2 / 4.2: lldpad station Associate, VID 100, MAC 52:54:00:11:22:33 */
static const char frame_assoc_req[] =
    "01 80 c2 00 00 00 02 00 00 00 00 01 89 40 10 01"
    "00 01 0a 10 6d 67 72 31 00 00 00 00 00 00 00 00"
    "00 00 00 00 06 21 00 00 00 05 04 05 00 11 22 33"
    "44 55 66 77 88 99 aa bb cc dd ee ff 02 00 01 52"
    "54 00 11 22 33 00 64";

/* sec. 4.4: lldpad bridge response to it */
static const char frame_assoc_rsp[] =
    "01 80 c2 00 00 00 02 00 00 00 00 02 89 40 10 01"
    "00 01 0a 10 6d 67 72 31 00 00 00 00 00 00 00 00"
    "00 00 00 00 06 21 40 00 00 05 04 05 00 11 22 33"
    "44 55 66 77 88 99 aa bb cc dd ee ff 02 00 01 52"
    "54 00 11 22 33 00 64";

/* sec. 4.7: bridge-initiated De-Associate (status 00, a request) */
static const char frame_br_deassoc[] =
    "01 80 c2 00 00 00 02 00 00 00 00 02 89 40 10 01"
    "00 25 0a 10 6d 67 72 31 00 00 00 00 00 00 00 00"
    "00 00 00 00 08 21 00 00 00 07 01 05 33 33 33 33"
    "22 22 33 33 44 44 55 55 55 55 55 55 02 00 01 52"
    "54 00 33 33 33 01 2c";

/* sec. 7: libvirt -> netlink -> lldpad Associate, 1-octet manager ID 12 */
static const char frame_netlink[] =
    "01 80 c2 00 00 00 02 00 00 00 00 01 89 40 10 01"
    "00 01 0a 10 0c 00 00 00 00 00 00 00 00 00 00 00"
    "00 00 00 00 06 21 00 12 34 56 01 05 fa 9b 7f ff"
    "b0 a0 48 93 8e 0e be ef 4f f1 8f 8f 02 00 01 52"
    "54 00 c7 3e ce 00 03";

/* Manager ID TLV "mgr1" as lldpad sends it, for the TLV-only samples. */
static const char mgr1_tlv[] =
    "0a 10 6d 67 72 31 00 00 00 00 00 00 00 00 00 00 00 00";

static const uint8_t uuid0[16] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

static const struct vdp_codec_opts opt_std = { 0 };
static const struct vdp_codec_opts opt_grp = { .group_ids = 1 };
static const struct vdp_codec_opts opt_all = {
	.ip_filters = 1, .group_ids = 1, .vni_groupid = 1
};
static const struct vdp_codec_opts opt_grp_vni = {
	.group_ids = 1, .vni_groupid = 1
};

static size_t
hex(const char *text, uint8_t *out, size_t cap)
{
	long n = hex_decode(text, out, cap);

	assert_true(n >= 0);
	return (size_t)n;
}

/* ULPDU of a captured frame. */
static size_t
ulpdu_of(const char *frame, uint8_t *out, size_t cap)
{
	uint8_t f[1600];
	size_t n = hex(frame, f, sizeof(f));

	assert_true(n > ULPDU_OFF && n - ULPDU_OFF <= cap);
	memcpy(out, f + ULPDU_OFF, n - ULPDU_OFF);
	return n - ULPDU_OFF;
}

/* mgr1 Manager ID TLV followed by the given TLV hex. */
static size_t
with_mgr1(const char *tlvs, uint8_t *out, size_t cap)
{
	size_t n = hex(mgr1_tlv, out, cap);

	return n + hex(tlvs, out + n, cap - n);
}

static int
decode(const uint8_t *b, size_t n, const struct vdp_codec_opts *o,
    struct vdp_pdu *p, enum vdp_err *why)
{
	/* exact-size heap copy, so ASan sees any over-read */
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	assert_non_null(copy);
	if (n)
		memcpy(copy, b, n);
	rc = vdp_pdu_decode(copy, n, o, p, why);
	/* pointers into copy must not outlive it: rebase onto b */
	for (unsigned i = 0; rc == 0 && i < p->nvsi; i++)
		if (p->vsi[i].fdata)
			p->vsi[i].fdata = b + (p->vsi[i].fdata - copy);
	for (unsigned i = 0; rc == 0 && i < p->norg; i++)
		if (p->org[i].data)
			p->org[i].data = b + (p->org[i].data - copy);
	free(copy);
	return rc;
}

/* Decodes, expects success, re-encodes and expects the same octets. */
static void
roundtrip_exact(const uint8_t *b, size_t n, const struct vdp_codec_opts *o,
    struct vdp_pdu *p)
{
	struct vdp_filter fl[VDP_MAX_VSI][64];
	struct vdp_pdu q;
	uint8_t out[1600];
	enum vdp_err why = VDP_E__COUNT;
	int rc;

	assert_int_equal(decode(b, n, o, p, &why), 0);
	assert_int_equal(why, VDP_E_NONE);
	assert_int_equal(p->len, n);
	q = *p;
	for (unsigned i = 0; i < q.nvsi; i++) {
		assert_true(q.vsi[i].nfilter <= 64);
		for (unsigned j = 0; j < q.vsi[i].nfilter; j++)
			vdp_filter_at(&p->vsi[i], j, &fl[i][j]);
		q.vsi[i].fdata = NULL;
		q.vsi[i].filters = fl[i];
	}
	/* exact room: no End TLV */
	rc = vdp_pdu_encode(&q, o, out, n);
	assert_int_equal(rc, (int)n);
	assert_memory_equal(out, b, n);
	/* room for the End TLV: 00 00 appended */
	rc = vdp_pdu_encode(&q, o, out, sizeof(out));
	assert_int_equal(rc, (int)n + 2);
	assert_memory_equal(out, b, n);
	assert_int_equal(out[n], 0);
	assert_int_equal(out[n + 1], 0);
	/* one octet of room: still no End TLV */
	rc = vdp_pdu_encode(&q, o, out, n + 1);
	assert_int_equal(rc, (int)n);
	/* one short */
	assert_int_equal(vdp_pdu_encode(&q, o, out, n - 1), -ENOBUFS);
}

static void
check_mgr1(const struct vdp_pdu *p)
{
	uint8_t m[16] = { 'm', 'g', 'r', '1' };

	assert_memory_equal(p->mgrid, m, 16);
}

/* ---- golden frames ---------------------------------------------------- */

static void
golden_station_assoc(void **state)
{
	uint8_t b[256];
	size_t n = ulpdu_of(frame_assoc_req, b, sizeof(b));
	struct vdp_pdu p;
	struct vdp_filter f;
	const struct vdp_vsi_tlv *t;
	uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x11, 0x22, 0x33 };

	assert_int_equal(n, 53);
	roundtrip_exact(b, n, &opt_std, &p);
	check_mgr1(&p);
	assert_int_equal(p.nvsi, 1);
	assert_int_equal(p.norg, 0);
	assert_int_equal(p.nunknown, 0);
	t = &p.vsi[0];
	assert_int_equal(t->err, VDP_E_NONE);
	assert_int_equal(t->off, 18);
	assert_int_equal(t->mode, VDP_TLV_ASSOC);
	assert_int_equal(t->status, 0);
	assert_int_equal(t->type_id, 5);
	assert_int_equal(t->type_ver, 4);
	assert_int_equal(t->vsiid_fmt, VDP_VSIID_UUID);
	assert_memory_equal(t->vsiid, uuid0, 16);
	assert_int_equal(t->ffmt, VDP_FIF_MAC_VID);
	assert_int_equal(t->nfilter, 1);
	assert_ptr_equal(t->fdata, b + 18 + 2 + 25);
	vdp_filter_at(t, 0, &f);
	assert_memory_equal(f.mac, mac, 6);
	assert_int_equal(f.vid, 100);
	assert_int_equal(f.ps, 0);
	assert_int_equal(f.pcp, 0);
	assert_int_equal(f.group, 0);
	assert_int_equal(f.ip_family, 0);
	assert_int_equal(vdp_vsi_tlv_size(t, &opt_std), 35);
	(void)state;
}

static void
golden_bridge_response(void **state)
{
	uint8_t b[256], r[256];
	size_t n = ulpdu_of(frame_assoc_req, b, sizeof(b));
	size_t m = ulpdu_of(frame_assoc_rsp, r, sizeof(r));
	struct vdp_pdu req, rsp;

	assert_int_equal(n, m);
	roundtrip_exact(r, m, &opt_std, &rsp);
	check_mgr1(&rsp);
	assert_int_equal(rsp.vsi[0].status, VDP_ST_RESPONSE);
	assert_int_equal(rsp.vsi[0].status & VDP_ST_CODE_MASK,
	    VDP_RSP_SUCCESS);
	assert_int_equal(rsp.vsi[0].mode, VDP_TLV_ASSOC);
	assert_int_equal(decode(b, n, &opt_std, &req, NULL), 0);
	assert_true(vdp_vsi_same(&req.vsi[0], &rsp.vsi[0]));
	assert_true(vdp_filters_match(&req.vsi[0], &rsp.vsi[0]));
	(void)state;
}

/* sec. 4.5: each request type and lldpad's answer, TLV part only. */
static void
golden_other_requests(void **state)
{
	static const char body6[] =
	    "00 00 06 01 05 11 11 11 11 22 22 33 33 44 44 55 55 55 55 55 55"
	    "02 00 01 52 54 00 aa bb cc 00 c8";
	static const char body7[] =
	    "00 00 07 01 05 33 33 33 33 22 22 33 33 44 44 55 55 55 55 55 55"
	    "02 00 01 52 54 00 33 33 33 01 2c";
	static const struct {
		const char	*hdr;	/* TLV header + status */
		const char	*body;
		uint8_t		 mode, status;
		uint16_t	 vid;
	} v[] = {
		{ "02 21 00", body6, VDP_TLV_PREASSOC, 0x00, 200 },
		{ "02 21 40", body6, VDP_TLV_PREASSOC, 0x40, 200 },
		{ "04 21 00", body6, VDP_TLV_PREASSOC_RR, 0x00, 200 },
		{ "04 21 40", body6, VDP_TLV_PREASSOC_RR, 0x40, 200 },
		{ "04 21 10", body7, VDP_TLV_PREASSOC_RR, VDP_ST_MBIT, 300 },
		{ "04 21 40", body7, VDP_TLV_PREASSOC_RR, 0x40, 300 },
		{ "06 21 00", body6, VDP_TLV_ASSOC, 0x00, 200 },
		{ "06 21 40", body6, VDP_TLV_ASSOC, 0x40, 200 },
		{ "08 21 00", body6, VDP_TLV_DEASSOC, 0x00, 200 },
		{ "08 21 40", body6, VDP_TLV_DEASSOC, 0x40, 200 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char tlv[256];
		uint8_t b[128];
		size_t n;
		struct vdp_pdu p;
		struct vdp_filter f;

		snprintf(tlv, sizeof(tlv), "%s %s", v[i].hdr, v[i].body);
		n = with_mgr1(tlv, b, sizeof(b));
		assert_int_equal(n, 53);
		roundtrip_exact(b, n, &opt_std, &p);
		check_mgr1(&p);
		assert_int_equal(p.vsi[0].mode, v[i].mode);
		assert_int_equal(p.vsi[0].status, v[i].status);
		assert_int_equal(p.vsi[0].type_ver, 1);
		assert_int_equal(p.vsi[0].vsiid_fmt, VDP_VSIID_UUID);
		vdp_filter_at(&p.vsi[0], 0, &f);
		assert_int_equal(f.vid, v[i].vid);
	}
	(void)state;
}

static void
golden_bridge_deassoc(void **state)
{
	uint8_t b[256];
	size_t n = ulpdu_of(frame_br_deassoc, b, sizeof(b));
	struct vdp_pdu p;
	struct vdp_filter f;
	char s[VDP_VSIID_STRLEN];

	roundtrip_exact(b, n, &opt_std, &p);
	check_mgr1(&p);
	assert_int_equal(p.vsi[0].mode, VDP_TLV_DEASSOC);
	assert_int_equal(p.vsi[0].status, 0);	/* unsolicited: a request */
	assert_int_equal(p.vsi[0].type_id, 7);
	assert_int_equal(p.vsi[0].type_ver, 1);
	assert_int_equal(vdp_vsiid_fmt(p.vsi[0].vsiid_fmt, p.vsi[0].vsiid, s,
	    sizeof(s)), 36);
	assert_string_equal(s, "33333333-2222-3333-4444-555555555555");
	vdp_filter_at(&p.vsi[0], 0, &f);
	assert_int_equal(f.vid, 300);
	assert_int_equal(f.mac[5], 0x33);
	(void)state;
}

static void
golden_netlink_frame(void **state)
{
	uint8_t b[256], u[16];
	size_t n = ulpdu_of(frame_netlink, b, sizeof(b));
	struct vdp_pdu p;
	struct vdp_filter f;
	char s[VDP_VSIID_STRLEN];
	uint8_t mgr[16] = { 0x0c };
	uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xc7, 0x3e, 0xce };

	roundtrip_exact(b, n, &opt_std, &p);
	assert_memory_equal(p.mgrid, mgr, 16);
	assert_int_equal(p.vsi[0].mode, VDP_TLV_ASSOC);
	assert_int_equal(p.vsi[0].type_id, 0x123456);
	assert_int_equal(p.vsi[0].type_ver, 1);
	vdp_vsiid_fmt(VDP_VSIID_UUID, p.vsi[0].vsiid, s, sizeof(s));
	assert_string_equal(s, "fa9b7fff-b0a0-4893-8e0e-beef4ff18f8f");
	assert_int_equal(vdp_uuid_parse(s, u), 0);
	assert_memory_equal(u, p.vsi[0].vsiid, 16);
	vdp_filter_at(&p.vsi[0], 0, &f);
	assert_memory_equal(f.mac, mac, 6);
	assert_int_equal(f.vid, 3);
	(void)state;
}

/* sec. 3.2 "other filter formats as lldpad encodes them". */
static void
golden_lldpad_filter_formats(void **state)
{
	static const char fixed[] =
	    "00 00 00 05 04 05 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff";
	static const struct {
		const char	*hdr;
		const char	*fi;
		uint8_t		 ffmt;
		uint16_t	 n;
		uint32_t	 group0;
		uint16_t	 vid0, vid1;
	} v[] = {
		{ "06 1b", "01 00 01 00 00", 1, 1, 0, 0, 0 },
		{ "06 29", "02 00 02 52 54 00 00 00 01 00 00"
		    " 52 54 00 00 00 02 20 65", 2, 2, 0, 0, 0x065 },
		{ "06 1f", "03 00 01 00 00 17 70 00 64", 3, 1, 6000, 100, 0 },
		{ "06 25", "04 00 01 00 00 13 88 52 54 00 00 00 03 00 64",
		    4, 1, 5000, 100, 0 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char tlv[256];
		uint8_t b[128];
		size_t n;
		struct vdp_pdu p;
		struct vdp_filter f;

		snprintf(tlv, sizeof(tlv), "%s %s %s", v[i].hdr, fixed,
		    v[i].fi);
		n = with_mgr1(tlv, b, sizeof(b));
		roundtrip_exact(b, n, &opt_grp, &p);
		assert_int_equal(p.vsi[0].ffmt, v[i].ffmt);
		assert_int_equal(p.vsi[0].nfilter, v[i].n);
		vdp_filter_at(&p.vsi[0], 0, &f);
		assert_int_equal(f.group, v[i].group0);
		assert_int_equal(f.vid, v[i].vid0);
		if (v[i].n > 1) {
			vdp_filter_at(&p.vsi[0], 1, &f);
			/* 0x2065: PS 0, PCP 2, VID 0x065 */
			assert_int_equal(f.vid, v[i].vid1);
			assert_int_equal(f.pcp, 2);
			assert_int_equal(f.ps, 0);
			assert_int_equal(f.mac[5], 2);
		}
		/* out of range entry reads as zeros */
		vdp_filter_at(&p.vsi[0], v[i].n, &f);
		assert_int_equal(f.vid, 0);
		assert_int_equal(f.group, 0);
	}
	(void)state;
}

/* ---- built PDUs ------------------------------------------------------ */

static void
mk_vsi(struct vdp_vsi_tlv *t, uint8_t mode, uint8_t ffmt,
    const struct vdp_filter *fl, uint16_t n)
{
	memset(t, 0, sizeof(*t));
	t->mode = mode;
	t->type_id = 0x123456;
	t->type_ver = 2;
	t->vsiid_fmt = VDP_VSIID_UUID;
	memcpy(t->vsiid, uuid0, 16);
	t->vsiid[15] = mode;
	t->ffmt = ffmt;
	t->nfilter = n;
	t->filters = fl;
}

static void
mk_pdu(struct vdp_pdu *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->mgrid, "mgr1", 4);
}

static void
filter_formats_roundtrip(void **state)
{
	struct vdp_filter fl[3];

	for (uint8_t ffmt = 1; ffmt <= 6; ffmt++) {
		struct vdp_pdu p, d;
		uint8_t b[256];
		int rc;
		enum vdp_err why;

		memset(fl, 0, sizeof(fl));
		for (unsigned i = 0; i < 3; i++) {
			struct vdp_filter *f = &fl[i];

			if (ffmt >= 3)
				f->group = 0x00abcd00 + i;
			if (ffmt == 2 || ffmt >= 4) {
				uint8_t m[6] = { 0x52, 0x54, 0, 1, 2 };

				m[5] = (uint8_t)i;
				memcpy(f->mac, m, 6);
			}
			if (ffmt == 5) {
				f->ip_family = 4;
				f->ip[0] = 198; f->ip[1] = 51; f->ip[2] = 100;
				f->ip[3] = (uint8_t)(10 + i);
			}
			if (ffmt == 6) {
				f->ip_family = 6;
				f->ip[0] = 0x20; f->ip[1] = 0x01;
				f->ip[2] = 0x0d; f->ip[3] = 0xb8;
				f->ip[15] = (uint8_t)(1 + i);
			}
			f->ps = i == 1;
			f->pcp = i == 1 ? 5 : 0;
			f->vid = (uint16_t)(i == 0 ? 0 : 4094 - i);
		}
		mk_pdu(&p);
		p.nvsi = 1;
		mk_vsi(&p.vsi[0], VDP_TLV_ASSOC, ffmt, fl, 3);
		rc = vdp_pdu_encode(&p, &opt_all, b, sizeof(b));
		assert_int_equal((size_t)rc, 18 + vdp_vsi_tlv_size(&p.vsi[0],
		    &opt_all) + 2);
		assert_int_equal(vdp_filter_entry_size(ffmt, &opt_all) * 3 +
		    27, vdp_vsi_tlv_size(&p.vsi[0], &opt_all));
		assert_int_equal(decode(b, (size_t)rc, &opt_all, &d, &why), 0);
		assert_int_equal(d.vsi[0].err, VDP_E_NONE);
		assert_true(vdp_vsi_same(&p.vsi[0], &d.vsi[0]));
		for (unsigned i = 0; i < 3; i++) {
			struct vdp_filter g;

			vdp_filter_at(&d.vsi[0], i, &g);
			assert_memory_equal(&g, &fl[i], sizeof(g));
		}
		assert_true(vdp_filters_match(&p.vsi[0], &d.vsi[0]));
		/* PS/PCP/VID word of entry 1: 0xd000 | 4093 */
		{
			size_t es = vdp_filter_entry_size(ffmt, &opt_all);
			const uint8_t *w = b + 18 + 27 + 2 * es - 2;

			assert_int_equal(w[0], 0xdf);
			assert_int_equal(w[1], 0xfd);
		}
	}
	(void)state;
}

static void
formats_need_negotiation(void **state)
{
	struct vdp_filter fl = { .group = 100, .vid = 5 };
	struct vdp_pdu p, d;
	uint8_t b[256];
	int rc;

	for (uint8_t ffmt = 3; ffmt <= 6; ffmt++) {
		const struct vdp_codec_opts *deny = ffmt <= 4 ? &opt_std :
		    &opt_grp;
		struct vdp_codec_opts allow = { .ip_filters = ffmt >= 5,
			.group_ids = ffmt <= 4 };

		mk_pdu(&p);
		p.nvsi = 1;
		mk_vsi(&p.vsi[0], VDP_TLV_PREASSOC, ffmt, &fl, 1);
		assert_int_equal(vdp_pdu_encode(&p, deny, b, sizeof(b)),
		    -EINVAL);
		assert_int_equal(vdp_vsi_tlv_size(&p.vsi[0], deny), 0);
		assert_int_equal(vdp_filter_entry_size(ffmt, deny), 0);
		assert_int_equal(vdp_filter_entry_size(ffmt, NULL), 0);
		rc = vdp_pdu_encode(&p, &allow, b, sizeof(b));
		assert_true(rc > 0);
		assert_int_equal(decode(b, (size_t)rc, &allow, &d, NULL), 0);
		assert_int_equal(d.vsi[0].err, VDP_E_NONE);
		/* framing kept, TLV flagged, entries unreadable */
		assert_int_equal(decode(b, (size_t)rc, deny, &d, NULL), 0);
		assert_int_equal(d.nvsi, 1);
		assert_int_equal(d.vsi[0].err, VDP_E_FILTER_FMT);
		assert_null(d.vsi[0].fdata);
		assert_int_equal(d.vsi[0].nfilter, 1);
		assert_int_equal(d.vsi[0].type_id, 0x123456);
	}
	assert_int_equal(vdp_filter_entry_size(1, NULL), 2);
	assert_int_equal(vdp_filter_entry_size(2, NULL), 8);
	(void)state;
}

static void
several_vsis_and_orgs(void **state)
{
	struct vdp_filter f1 = { .vid = 10 }, f2 = { .vid = 20 };
	static const uint8_t od0[] = { 0x01, 0xaa }, od1[] = { 0x03 };
	struct vdp_pdu p, d;
	uint8_t b[512];
	int rc;
	size_t at;

	mk_pdu(&p);
	p.nvsi = 3;
	mk_vsi(&p.vsi[0], VDP_TLV_ASSOC, VDP_FIF_VID, &f1, 1);
	mk_vsi(&p.vsi[1], VDP_TLV_PREASSOC, VDP_FIF_VID, &f2, 1);
	mk_vsi(&p.vsi[2], VDP_TLV_DEASSOC, VDP_FIF_VID, &f1, 1);
	p.norg = 3;
	/* listed out of wire order on purpose */
	p.org[0] = (struct vdp_org_tlv){ .oui = NVO3_EXT_CID, .data = od1,
	    .len = 1, .after = 1 };
	p.org[1] = (struct vdp_org_tlv){ .oui = 0x00000c, .data = od0,
	    .len = 2, .after = -1 };
	p.org[2] = (struct vdp_org_tlv){ .oui = NVO3_EXT_CID, .data = NULL,
	    .len = 0, .after = 1 };
	rc = vdp_pdu_encode(&p, &opt_std, b, sizeof(b));
	assert_int_equal(rc, 18 + 7 + 3 * 29 + 6 + 5 + 2);
	/* layout: mgr | org(-1) | vsi0 | vsi1 | org0 | org2 | vsi2 | end */
	at = 18;
	assert_int_equal(b[at], 0xfe);		/* type 127, len 5 */
	assert_int_equal(b[at + 1], 5);
	assert_int_equal(b[at + 4], 0x0c);
	at += 7;
	assert_int_equal(b[at], 0x06);		/* vsi0 assoc */
	at += 29;
	assert_int_equal(b[at], 0x02);		/* vsi1 preassoc */
	at += 29;
	assert_int_equal(b[at + 1], 4);		/* org0 */
	assert_int_equal(b[at + 5], 0x03);
	at += 6;
	assert_int_equal(b[at + 1], 3);		/* org2, empty data */
	at += 5;
	assert_int_equal(b[at], 0x08);		/* vsi2 deassoc */
	at += 29;
	assert_int_equal(b[at], 0);
	assert_int_equal(b[at + 1], 0);
	assert_int_equal(at + 2, (size_t)rc);

	assert_int_equal(decode(b, (size_t)rc, &opt_std, &d, NULL), 0);
	assert_int_equal(d.len, rc - 2);
	assert_int_equal(d.nvsi, 3);
	assert_int_equal(d.norg, 3);
	assert_int_equal(d.org[0].after, -1);
	assert_int_equal(d.org[0].oui, 0x00000c);
	assert_int_equal(d.org[0].len, 2);
	assert_memory_equal(d.org[0].data, od0, 2);
	assert_int_equal(d.org[0].off, 18);
	assert_int_equal(d.org[1].after, 1);
	assert_int_equal(d.org[1].oui, NVO3_EXT_CID);
	assert_int_equal(d.org[1].data[0], 0x03);
	assert_int_equal(d.org[2].after, 1);
	assert_int_equal(d.org[2].len, 0);
	assert_int_equal(d.vsi[0].off, 25);
	assert_int_equal(d.vsi[1].off, 54);
	assert_int_equal(d.vsi[2].off, 94);
	assert_int_equal(d.vsi[2].mode, VDP_TLV_DEASSOC);
	assert_false(vdp_vsi_same(&d.vsi[0], &d.vsi[1]));
	(void)state;
}

static void
end_tlv_and_padding(void **state)
{
	uint8_t b[128], c[128];
	size_t n = ulpdu_of(frame_assoc_req, b, sizeof(b));
	struct vdp_pdu p;
	enum vdp_err why;

	/* End TLV present, then garbage after it is ignored */
	memcpy(c, b, n);
	c[n] = 0; c[n + 1] = 0; c[n + 2] = 0xff; c[n + 3] = 0xff;
	assert_int_equal(decode(c, n + 4, &opt_std, &p, &why), 0);
	assert_int_equal(p.len, n);
	assert_int_equal(p.nvsi, 1);
	/* End TLV with a non-zero length field still ends */
	c[n] = 0x01; c[n + 1] = 0xff;
	assert_int_equal(decode(c, n + 2, &opt_std, &p, &why), 0);
	assert_int_equal(p.len, n);
	/* zero padding to a 60-octet frame (42 octets of ULPDU min) */
	memset(c + n, 0, 30);
	assert_int_equal(decode(c, n + 30, &opt_std, &p, &why), 0);
	assert_int_equal(p.len, n);
	/* one trailing zero octet is padding; one non-zero is truncation */
	assert_int_equal(decode(c, n + 1, &opt_std, &p, &why), 0);
	assert_int_equal(p.len, n);
	c[n] = 0x06;
	assert_int_equal(decode(c, n + 1, &opt_std, &p, &why), -EBADMSG);
	assert_int_equal(why, VDP_E_TRUNCATED);
	/* End TLV right after the Manager ID: no VSI */
	assert_int_equal(decode(c, 18, &opt_std, &p, &why), -EBADMSG);
	assert_int_equal(why, VDP_E_NO_VSI);
	c[18] = 0; c[19] = 0;
	assert_int_equal(decode(c, n, &opt_std, &p, &why), -EBADMSG);
	assert_int_equal(why, VDP_E_NO_VSI);
	(void)state;
}

/* ---- errors ---------------------------------------------------------- */

/* Decodes mgr1 + tlv; returns the first VSI TLV's err (framing OK). */
static enum vdp_err
tlv_err(const char *tlv, const struct vdp_codec_opts *o)
{
	uint8_t b[600];
	size_t n = with_mgr1(tlv, b, sizeof(b));
	struct vdp_pdu p;
	enum vdp_err why = VDP_E__COUNT;

	assert_int_equal(decode(b, n, o, &p, &why), 0);
	assert_int_equal(why, VDP_E_NONE);
	assert_int_equal(p.nvsi, 1);
	assert_int_equal(p.vsi[0].off, 18);
	return p.vsi[0].err;
}

/* Decodes raw hex; expects the whole ULPDU dropped, returns why. */
static enum vdp_err
pdu_err(const char *text)
{
	uint8_t b[2048];
	size_t n = hex(text, b, sizeof(b));
	struct vdp_pdu p;
	enum vdp_err why = VDP_E__COUNT;

	assert_int_equal(decode(b, n, &opt_all, &p, &why), -EBADMSG);
	return why;
}

#define MGR	"0a 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 "
#define FIX(st, fmt, id) \
	"06 1b " st " 00 00 01 01 " fmt " " id " 01 00 01 00 05"
#define UUID	"00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff"

static void
per_tlv_errors(void **state)
{
	/* baseline */
	assert_int_equal(tlv_err(FIX("00", "05", UUID), &opt_std),
	    VDP_E_NONE);
	/* reserved status bit, in a request and in a response */
	assert_int_equal(tlv_err(FIX("80", "05", UUID), &opt_std),
	    VDP_E_STATUS);
	assert_int_equal(tlv_err(FIX("c0", "05", UUID), &opt_std),
	    VDP_E_STATUS);
	/* all other status bits are fine */
	assert_int_equal(tlv_err(FIX("7f", "05", UUID), &opt_std),
	    VDP_E_NONE);
	/* VSI ID formats */
	assert_int_equal(tlv_err(FIX("00", "00", UUID), &opt_std),
	    VDP_E_VSIID_FMT);
	assert_int_equal(tlv_err(FIX("00", "06", UUID), &opt_std),
	    VDP_E_VSIID_FMT);
	assert_int_equal(tlv_err(FIX("00", "04", UUID), &opt_std),
	    VDP_E_NONE);
	assert_int_equal(tlv_err(FIX("00", "04",
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"), &opt_std),
	    VDP_E_NONE);
	assert_int_equal(tlv_err(FIX("00", "05",
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"), &opt_std),
	    VDP_E_VSIID_VALUE);
	assert_int_equal(tlv_err(FIX("00", "02",
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"), &opt_std),
	    VDP_E_VSIID_VALUE);
	assert_int_equal(tlv_err(FIX("00", "02", UUID), &opt_std),
	    VDP_E_NONE);
	/* IPv4: ::ffff:a.b.c.d only, address non-zero */
	assert_int_equal(tlv_err(FIX("00", "01",
	    "00 00 00 00 00 00 00 00 00 00 ff ff c0 00 02 01"), &opt_std),
	    VDP_E_NONE);
	assert_int_equal(tlv_err(FIX("00", "01",
	    "00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 00"), &opt_std),
	    VDP_E_VSIID_VALUE);
	assert_int_equal(tlv_err(FIX("00", "01",
	    "00 00 00 00 00 00 00 00 00 00 ff fe c0 00 02 01"), &opt_std),
	    VDP_E_VSIID_VALUE);
	assert_int_equal(tlv_err(FIX("00", "01",
	    "00 00 00 00 00 00 00 00 00 01 ff ff c0 00 02 01"), &opt_std),
	    VDP_E_VSIID_VALUE);
	/* MAC: 10 zero octets and a non-zero MAC */
	assert_int_equal(tlv_err(FIX("00", "03",
	    "00 00 00 00 00 00 00 00 00 00 52 54 00 00 00 01"), &opt_std),
	    VDP_E_NONE);
	assert_int_equal(tlv_err(FIX("00", "03",
	    "80 00 00 00 00 00 00 00 00 00 52 54 00 00 00 01"), &opt_std),
	    VDP_E_VSIID_VALUE);
	assert_int_equal(tlv_err(FIX("00", "03",
	    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"), &opt_std),
	    VDP_E_VSIID_VALUE);
	/* filter formats */
	assert_int_equal(tlv_err("06 1b 00 00 00 01 01 05 " UUID
	    " 00 00 01 00 05", &opt_all), VDP_E_FILTER_FMT);
	assert_int_equal(tlv_err("06 1b 00 00 00 01 01 05 " UUID
	    " 07 00 01 00 05", &opt_all), VDP_E_FILTER_FMT);
	assert_int_equal(tlv_err("06 1b 00 00 00 01 01 05 " UUID
	    " ff 00 01 00 05", &opt_all), VDP_E_FILTER_FMT);
	assert_int_equal(tlv_err("06 1f 00 00 00 01 01 05 " UUID
	    " 03 00 01 00 00 00 01 00 05", &opt_std), VDP_E_FILTER_FMT);
	assert_int_equal(tlv_err("06 1f 00 00 00 01 01 05 " UUID
	    " 03 00 01 00 00 00 01 00 05", &opt_grp), VDP_E_NONE);
	/* length: too short for the fixed part, N disagrees, one extra */
	assert_int_equal(tlv_err("06 18 00 00 00 01 01 05 " UUID
	    " 01 00", &opt_std), VDP_E_ASSOC_LEN);
	assert_int_equal(tlv_err("06 00", &opt_std), VDP_E_ASSOC_LEN);
	assert_int_equal(tlv_err("06 1b 00 00 00 01 01 05 " UUID
	    " 01 00 02 00 05", &opt_std), VDP_E_ASSOC_LEN);
	assert_int_equal(tlv_err("06 1c 00 00 00 01 01 05 " UUID
	    " 01 00 01 00 05 00", &opt_std), VDP_E_ASSOC_LEN);
	assert_int_equal(tlv_err("06 1a 00 00 00 01 01 05 " UUID
	    " 01 00 01 00", &opt_std), VDP_E_ASSOC_LEN);
	/* zero entries */
	assert_int_equal(tlv_err("06 19 00 00 00 01 01 05 " UUID
	    " 01 00 00", &opt_std), VDP_E_NO_ENTRIES);
	/* VID 4094 fine, 4095 reserved, PS/PCP bits do not count */
	assert_int_equal(tlv_err("06 1b 00 00 00 01 01 05 " UUID
	    " 01 00 01 ff fe", &opt_std), VDP_E_NONE);
	assert_int_equal(tlv_err("06 1b 00 00 00 01 01 05 " UUID
	    " 01 00 01 0f ff", &opt_std), VDP_E_VID);
	assert_int_equal(tlv_err("06 1d 00 00 00 01 01 05 " UUID
	    " 01 00 02 00 05 0f ff", &opt_std), VDP_E_VID);
	/* GroupID: 0, high octet set; smallest and largest VNI fine */
	assert_int_equal(tlv_err("06 1f 00 00 00 01 01 05 " UUID
	    " 03 00 01 00 00 00 00 00 05", &opt_grp), VDP_E_GROUP);
	assert_int_equal(tlv_err("06 1f 00 00 00 01 01 05 " UUID
	    " 03 00 01 01 00 00 01 00 05", &opt_grp_vni), VDP_E_GROUP);
	/* a plain 802.1Q peer (no VNI-in-GroupID) may use all 32 bits */
	assert_int_equal(tlv_err("06 1f 00 00 00 01 01 05 " UUID
	    " 03 00 01 01 00 00 01 00 05", &opt_grp), VDP_E_NONE);
	assert_int_equal(tlv_err("06 1f 00 00 00 01 01 05 " UUID
	    " 03 00 01 00 ff ff ff 00 05", &opt_grp), VDP_E_NONE);
	assert_int_equal(tlv_err("06 25 00 00 00 01 01 05 " UUID
	    " 04 00 01 00 00 00 00 52 54 00 00 00 01 00 05", &opt_grp),
	    VDP_E_GROUP);
	assert_int_equal(tlv_err("06 29 00 00 00 01 01 05 " UUID
	    " 05 00 01 10 00 00 01 52 54 00 00 00 01 c6 33 64 01 00 05",
	    &opt_all), VDP_E_GROUP);
	assert_int_equal(tlv_err("06 29 00 00 00 01 01 05 " UUID
	    " 05 00 01 00 00 00 01 00 00 00 00 00 00 c6 33 64 01 00 05",
	    &opt_all), VDP_E_NONE);
	(void)state;
}

static void
pdu_errors(void **state)
{
	uint8_t b[4] = { 0 };
	struct vdp_pdu p;
	enum vdp_err why;
	uint8_t *big;

	/* empty, and one octet */
	assert_int_equal(vdp_pdu_decode(b, 0, &opt_std, &p, &why), -EBADMSG);
	assert_int_equal(why, VDP_E_NO_MGRID);
	assert_int_equal(vdp_pdu_decode(NULL, 0, &opt_std, &p, NULL),
	    -EBADMSG);
	assert_int_equal(pdu_err("0a"), VDP_E_TRUNCATED);
	/* first TLV not a Manager ID */
	assert_int_equal(pdu_err("06 1b 00 00 00 01 01 05 " UUID
	    " 01 00 01 00 05"), VDP_E_NO_MGRID);
	assert_int_equal(pdu_err("00 00 " MGR), VDP_E_NO_MGRID);
	assert_int_equal(pdu_err("fe 03 ac de 48 " MGR), VDP_E_NO_MGRID);
	/* Manager ID length */
	assert_int_equal(pdu_err("0a 0f 00 00 00 00 00 00 00 00 00 00 00 00"
	    " 00 00 00 " FIX("00", "05", UUID)), VDP_E_MGRID_LEN);
	assert_int_equal(pdu_err("0a 11 00 00 00 00 00 00 00 00 00 00 00 00"
	    " 00 00 00 00 00 " FIX("00", "05", UUID)), VDP_E_MGRID_LEN);
	/* Manager ID runs past the end: exact fit minus one */
	assert_int_equal(pdu_err("0a 10 00 00 00 00 00 00 00 00 00 00 00 00"
	    " 00 00 00"), VDP_E_TRUNCATED);
	/* duplicate Manager ID, before and after a VSI */
	assert_int_equal(pdu_err(MGR MGR FIX("00", "05", UUID)),
	    VDP_E_DUP_MGRID);
	assert_int_equal(pdu_err(MGR FIX("00", "05", UUID) MGR),
	    VDP_E_DUP_MGRID);
	/* VSI TLV one octet short */
	assert_int_equal(pdu_err(MGR "06 1b 00 00 00 01 01 05 " UUID
	    " 01 00 01 00"), VDP_E_TRUNCATED);
	/* a header alone, length past the end */
	assert_int_equal(pdu_err(MGR FIX("00", "05", UUID) " 06 1b"),
	    VDP_E_TRUNCATED);
	/* reserved type with a length past the end */
	assert_int_equal(pdu_err(MGR FIX("00", "05", UUID) " 0c 05 00"),
	    VDP_E_TRUNCATED);
	/* Org TLV shorter than its OUI */
	assert_int_equal(pdu_err(MGR FIX("00", "05", UUID) " fe 02 ac de"),
	    VDP_E_ORG_LEN);
	assert_int_equal(pdu_err(MGR FIX("00", "05", UUID) " fe 00"),
	    VDP_E_ORG_LEN);
	/* no association TLV */
	assert_int_equal(pdu_err(MGR), VDP_E_NO_VSI);
	assert_int_equal(pdu_err(MGR "fe 03 ac de 48"), VDP_E_NO_VSI);
	assert_int_equal(pdu_err(MGR "0c 00"), VDP_E_NO_VSI);
	/* over 65535 octets */
	big = calloc(1, 65536);
	assert_non_null(big);
	assert_int_equal(vdp_pdu_decode(big, 65536, &opt_std, &p, &why),
	    -EMSGSIZE);
	assert_int_equal(why, VDP_E_TOO_LONG);
	free(big);
	(void)state;
}

static void
reserved_types_skipped(void **state)
{
	uint8_t b[256];
	size_t n;
	struct vdp_pdu p;

	/* type 6 (len 1), 126 (len 0) and type 5 is not reserved */
	n = hex(MGR "0c 01 aa " FIX("00", "05", UUID) " fc 00 fe 03 00 80 c2",
	    b, sizeof(b));
	assert_int_equal(decode(b, n, &opt_std, &p, NULL), 0);
	assert_int_equal(p.nunknown, 2);
	assert_int_equal(p.nvsi, 1);
	assert_int_equal(p.vsi[0].off, 21);
	assert_int_equal(p.norg, 1);
	assert_int_equal(p.org[0].after, 0);
	assert_int_equal(p.org[0].oui, 0x0080c2);
	assert_int_equal(p.org[0].len, 0);
	assert_int_equal(p.len, n);
	assert_string_equal(vdp_err_name(VDP_E_RESERVED_TYPE),
	    "reserved-type");
	(void)state;
}

static void
too_many_tlvs(void **state)
{
	static char text[8192];
	uint8_t b[4096];
	size_t n;
	struct vdp_pdu p;
	enum vdp_err why;

	/* VDP_MAX_VSI fit, one more drops the ULPDU */
	strcpy(text, MGR);
	for (int i = 0; i < VDP_MAX_VSI; i++)
		strcat(text, FIX("00", "05", UUID) " ");
	n = hex(text, b, sizeof(b));
	assert_int_equal(decode(b, n, &opt_std, &p, &why), 0);
	assert_int_equal(p.nvsi, VDP_MAX_VSI);
	strcat(text, FIX("00", "05", UUID));
	n = hex(text, b, sizeof(b));
	assert_int_equal(decode(b, n, &opt_std, &p, &why), -EBADMSG);
	assert_int_equal(why, VDP_E_TOO_MANY);
	/* VDP_MAX_ORG fit, one more drops */
	strcpy(text, MGR FIX("00", "05", UUID));
	for (int i = 0; i < VDP_MAX_ORG; i++)
		strcat(text, " fe 03 ac de 48");
	n = hex(text, b, sizeof(b));
	assert_int_equal(decode(b, n, &opt_std, &p, &why), 0);
	assert_int_equal(p.norg, VDP_MAX_ORG);
	strcat(text, " fe 03 ac de 48");
	n = hex(text, b, sizeof(b));
	assert_int_equal(decode(b, n, &opt_std, &p, &why), -EBADMSG);
	assert_int_equal(why, VDP_E_TOO_MANY);
	(void)state;
}

static void
err_names(void **state)
{
	for (int e = 0; e < VDP_E__COUNT; e++) {
		assert_non_null(vdp_err_name(e));
		assert_string_not_equal(vdp_err_name(e), "unknown");
		for (int f = 0; f < e; f++)
			assert_string_not_equal(vdp_err_name(e),
			    vdp_err_name(f));
	}
	assert_string_equal(vdp_err_name(VDP_E__COUNT), "unknown");
	assert_string_equal(vdp_err_name((enum vdp_err)-1), "unknown");
	assert_string_equal(vdp_mode_name(VDP_TLV_PREASSOC), "preassoc");
	assert_string_equal(vdp_mode_name(VDP_TLV_PREASSOC_RR), "preassoc-rr");
	assert_string_equal(vdp_mode_name(VDP_TLV_ASSOC), "assoc");
	assert_string_equal(vdp_mode_name(VDP_TLV_DEASSOC), "deassoc");
	assert_string_equal(vdp_mode_name(9), "reserved");
	assert_string_equal(vdp_rsp_name(0x40), "success");
	assert_string_equal(vdp_rsp_name(VDP_RSP_INVALID_FORMAT),
	    "invalid-format");
	assert_string_equal(vdp_rsp_name(VDP_RSP_NO_RESOURCES),
	    "insufficient-resources");
	assert_string_equal(vdp_rsp_name(VDP_RSP_NO_VSI_MANAGER),
	    "no-vsi-manager");
	assert_string_equal(vdp_rsp_name(VDP_RSP_OTHER), "other-failure");
	assert_string_equal(vdp_rsp_name(0x75), "invalid-vid-groupid-mac");
	assert_string_equal(vdp_rsp_name(6), "reserved");
	assert_string_equal(vdp_vsiid_fmt_name(VDP_VSIID_UUID), "uuid");
	assert_string_equal(vdp_vsiid_fmt_name(VDP_VSIID_IPV4), "ipv4");
	assert_string_equal(vdp_vsiid_fmt_name(0), "unknown");
	assert_string_equal(vdp_filter_fmt_name(4), "group-mac-vid");
	assert_string_equal(vdp_filter_fmt_name(6), "group-mac-ipv6-vid");
	assert_string_equal(vdp_filter_fmt_name(0), "unknown");
	(void)state;
}

/* ---- encode limits --------------------------------------------------- */

static void
max_entries_per_format(void **state)
{
	static struct vdp_filter fl[300];
	static const unsigned max[7] = { 0, 243, 60, 81, 40, 30, 17 };
	uint8_t b[1600];

	for (unsigned i = 0; i < 300; i++) {
		fl[i].group = 1 + i;
		fl[i].vid = (uint16_t)(1 + i);
		fl[i].mac[5] = (uint8_t)i;
	}
	assert_int_equal(vdp_filter_max(0), 0);
	assert_int_equal(vdp_filter_max(7), 0);
	for (uint8_t ffmt = 1; ffmt <= 6; ffmt++) {
		struct vdp_pdu p, d;
		int rc;

		assert_int_equal(vdp_filter_max(ffmt), max[ffmt]);
		mk_pdu(&p);
		p.nvsi = 1;
		mk_vsi(&p.vsi[0], VDP_TLV_ASSOC, ffmt, fl, (uint16_t)max[ffmt]);
		rc = vdp_pdu_encode(&p, &opt_all, b, sizeof(b));
		assert_true(rc > 0);
		/* value length within 9 bits */
		assert_true(((b[18] & 1) << 8 | b[19]) <= 511);
		assert_int_equal(((b[18] & 1) << 8 | b[19]),
		    25 + max[ffmt] * vdp_filter_entry_size(ffmt, &opt_all));
		assert_int_equal(decode(b, (size_t)rc, &opt_all, &d, NULL), 0);
		assert_int_equal(d.vsi[0].err, VDP_E_NONE);
		assert_int_equal(d.vsi[0].nfilter, max[ffmt]);
		assert_true(vdp_filters_match(&p.vsi[0], &d.vsi[0]));
		p.vsi[0].nfilter++;
		assert_int_equal(vdp_pdu_encode(&p, &opt_all, b, sizeof(b)),
		    -EMSGSIZE);
	}
	(void)state;
}

static void
ulpdu_limit(void **state)
{
	static struct vdp_filter fl[243];
	static uint8_t od[512];
	uint8_t b[1600];
	struct vdp_pdu p, d;

	/* 18 + 2 * (2 + 25 + 486) + (2 + 3 + 445) = 1494 */
	mk_pdu(&p);
	p.nvsi = 2;
	mk_vsi(&p.vsi[0], VDP_TLV_ASSOC, VDP_FIF_VID, fl, 243);
	mk_vsi(&p.vsi[1], VDP_TLV_ASSOC, VDP_FIF_VID, fl, 243);
	p.norg = 1;
	p.org[0] = (struct vdp_org_tlv){ .oui = NVO3_EXT_CID, .data = od,
	    .len = 445, .after = 1 };
	assert_int_equal(vdp_pdu_encode(&p, &opt_std, b, 1494), 1494);
	assert_int_equal(vdp_pdu_encode(&p, &opt_std, b, 1495), 1494);
	assert_int_equal(vdp_pdu_encode(&p, &opt_std, b, 1496), 1496);
	assert_int_equal(vdp_pdu_encode(&p, &opt_std, b, sizeof(b)), 1496);
	assert_int_equal(decode(b, 1496, &opt_std, &d, NULL), 0);
	assert_int_equal(d.len, 1494);
	assert_int_equal(d.org[0].len, 445);
	/* cap one short: nothing written */
	memset(b, 0xee, sizeof(b));
	assert_int_equal(vdp_pdu_encode(&p, &opt_std, b, 1493), -ENOBUFS);
	assert_int_equal(b[0], 0xee);
	assert_int_equal(vdp_pdu_encode(&p, &opt_std, NULL, 0), -ENOBUFS);
	/* one octet over the ULPDU limit */
	p.org[0].len = 446;
	assert_int_equal(vdp_pdu_encode(&p, &opt_std, b, sizeof(b)),
	    -EMSGSIZE);
	/* Org TLV value limit: 3 + 508 = 511 fits, 509 does not */
	p.nvsi = 1;
	p.org[0].after = 0;
	p.org[0].len = 508;
	assert_int_equal(vdp_pdu_encode(&p, &opt_std, b, sizeof(b)),
	    18 + 513 + 513 + 2);
	p.org[0].len = 509;
	assert_int_equal(vdp_pdu_encode(&p, &opt_std, b, sizeof(b)),
	    -EMSGSIZE);
	(void)state;
}

static void
encode_invalid(void **state)
{
	struct vdp_filter f = { .vid = 5 }, bad;
	struct vdp_pdu p, q;
	uint8_t b[2048];

	mk_pdu(&p);
	p.nvsi = 1;
	mk_vsi(&p.vsi[0], VDP_TLV_ASSOC, VDP_FIF_VID, &f, 1);
	assert_true(vdp_pdu_encode(&p, &opt_std, b, sizeof(b)) > 0);
	/* exactly one thing wrong each time */
	q = p; q.nvsi = 0;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	q = p; q.nvsi = VDP_MAX_VSI + 1;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	q = p; q.norg = VDP_MAX_ORG + 1;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	q = p; q.norg = 1; q.org[0] = (struct vdp_org_tlv){ .after = 1 };
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	q.org[0].after = -2;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	q.org[0].after = 0; q.org[0].len = 1;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	q.org[0].len = 0; q.org[0].oui = 0x1000000;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	q.org[0].oui = 0xffffff;
	assert_true(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)) > 0);
	q = p; q.vsi[0].mode = 0;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	q.vsi[0].mode = VDP_TLV_MGRID;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	q = p; q.vsi[0].status = VDP_ST_RESERVED;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	q = p; q.vsi[0].type_id = 0x1000000;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	q = p; q.vsi[0].ffmt = 0;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	q.vsi[0].ffmt = 7;
	assert_int_equal(vdp_pdu_encode(&q, &opt_all, b, sizeof(b)), -EINVAL);
	q = p; q.vsi[0].filters = NULL;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	q = p; bad = f; bad.ps = 2; q.vsi[0].filters = &bad;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	bad = f; bad.pcp = 8;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	bad = f; bad.vid = 4096;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)), -EINVAL);
	/* representable but semantically bad: the caller's business */
	bad = f; bad.vid = 4095;
	assert_true(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)) > 0);
	/* a VSI TLV with no entries may be sent (error echo) */
	q = p; q.vsi[0].nfilter = 0; q.vsi[0].filters = NULL;
	assert_int_equal(vdp_pdu_encode(&q, &opt_std, b, sizeof(b)),
	    18 + 27 + 2);
	(void)state;
}

/* ---- truncation ------------------------------------------------------ */

static void
truncated_everywhere(void **state)
{
	static const char *const frames[] = {
		frame_assoc_req, frame_assoc_rsp, frame_br_deassoc,
		frame_netlink,
	};

	for (size_t k = 0; k < 4; k++) {
		uint8_t b[128];
		size_t n = ulpdu_of(frames[k], b, sizeof(b));

		for (size_t cut = 0; cut < n; cut++) {
			struct vdp_pdu p;
			enum vdp_err why = VDP_E__COUNT;
			enum vdp_err want = cut == 0 ? VDP_E_NO_MGRID :
			    cut == 18 ? VDP_E_NO_VSI : VDP_E_TRUNCATED;

			assert_int_equal(decode(b, cut, &opt_std, &p, &why),
			    -EBADMSG);
			assert_int_equal(why, want);
		}
		/* exact fit decodes; one more (non-zero) octet does not */
		{
			struct vdp_pdu p;
			enum vdp_err why;

			assert_int_equal(decode(b, n, &opt_std, &p, &why), 0);
			b[n] = 0x01;
			assert_int_equal(decode(b, n + 1, &opt_std, &p, &why),
			    -EBADMSG);
			assert_int_equal(why, VDP_E_TRUNCATED);
		}
	}
	(void)state;
}

/* ---- helpers --------------------------------------------------------- */

static void
same_vsi_and_filter_match(void **state)
{
	struct vdp_filter rq[2] = {
		{ .mac = { 2, 0, 0, 0, 0, 1 }, .vid = 0 },
		{ .mac = { 2, 0, 0, 0, 0, 2 }, .vid = 100, .ps = 1, .pcp = 3 },
	};
	struct vdp_filter rs[2];
	struct vdp_vsi_tlv a, b;

	mk_vsi(&a, VDP_TLV_ASSOC, VDP_FIF_MAC_VID, rq, 2);
	mk_vsi(&b, VDP_TLV_ASSOC, VDP_FIF_MAC_VID, rs, 2);
	memcpy(rs, rq, sizeof(rs));
	assert_true(vdp_vsi_same(&a, &b));
	assert_true(vdp_filters_match(&a, &b));
	/* VID 0 requested: the bridge's VID and PCP are accepted */
	rs[0].vid = 300; rs[0].ps = 1; rs[0].pcp = 7;
	assert_true(vdp_filters_match(&a, &b));
	/* non-zero VID must come back; with PS 1 PCP too */
	rs[1].vid = 101;
	assert_false(vdp_filters_match(&a, &b));
	rs[1].vid = 100; rs[1].pcp = 4;
	assert_false(vdp_filters_match(&a, &b));
	rs[1].pcp = 3; rs[1].ps = 0;
	assert_false(vdp_filters_match(&a, &b));
	rs[1].ps = 1;
	assert_true(vdp_filters_match(&a, &b));
	/* request PS 0: PCP not compared */
	rq[1].ps = 0; rq[1].pcp = 0;
	assert_true(vdp_filters_match(&a, &b));
	/* MAC, group, IP, N and format must agree */
	rs[0].mac[5] = 9;
	assert_false(vdp_filters_match(&a, &b));
	rs[0].mac[5] = 1;
	rs[0].group = 1;	/* not carried by format 2: ignored */
	assert_true(vdp_filters_match(&a, &b));
	b.nfilter = 1;
	assert_false(vdp_filters_match(&a, &b));
	b.nfilter = 2;
	assert_true(vdp_filters_match(&a, &b));
	a.ffmt = b.ffmt = NVO3_FIF_GROUP_MAC_IPV4_VID;
	assert_false(vdp_filters_match(&a, &b));	/* group 1 vs 0 */
	rs[0].group = 0;
	assert_true(vdp_filters_match(&a, &b));
	rs[1].ip[4] = 1;	/* past an IPv4 address: ignored */
	assert_true(vdp_filters_match(&a, &b));
	rs[1].ip[3] = 1;
	assert_false(vdp_filters_match(&a, &b));
	a.ffmt = b.ffmt = NVO3_FIF_GROUP_MAC_IPV6_VID;
	rs[1].ip[3] = 0;
	assert_false(vdp_filters_match(&a, &b));	/* ip[4] now counts */
	rs[1].ip[4] = 0;
	assert_true(vdp_filters_match(&a, &b));
	a.ffmt = b.ffmt = 0;
	assert_false(vdp_filters_match(&a, &b));
	a.ffmt = b.ffmt = VDP_FIF_MAC_VID;
	/* VSI identity */
	b.ffmt = VDP_FIF_VID;
	assert_false(vdp_vsi_same(&a, &b));
	assert_false(vdp_filters_match(&a, &b));
	b.ffmt = a.ffmt; b.type_ver++;
	assert_false(vdp_vsi_same(&a, &b));
	b.type_ver--; b.type_id++;
	assert_false(vdp_vsi_same(&a, &b));
	b.type_id--; b.vsiid_fmt = VDP_VSIID_LOCAL;
	assert_false(vdp_vsi_same(&a, &b));
	b.vsiid_fmt = a.vsiid_fmt; b.vsiid[3] ^= 1;
	assert_false(vdp_vsi_same(&a, &b));
	b.vsiid[3] ^= 1;
	b.mode = VDP_TLV_DEASSOC; b.status = 0x45;	/* not part of it */
	assert_true(vdp_vsi_same(&a, &b));
	(void)state;
}

static void
vsiid_text(void **state)
{
	uint8_t id[16] = { 0 }, u[16];
	char s[VDP_VSIID_STRLEN];

	id[10] = 0xff; id[11] = 0xff; id[12] = 192; id[13] = 0; id[14] = 2;
	id[15] = 1;
	assert_int_equal(vdp_vsiid_fmt(VDP_VSIID_IPV4, id, s, sizeof(s)), 9);
	assert_string_equal(s, "192.0.2.1");
	memset(id, 0, 10);
	id[10] = 0x52; id[11] = 0x54; id[12] = 0; id[13] = 0x12;
	id[14] = 0x34; id[15] = 0x56;
	assert_int_equal(vdp_vsiid_fmt(VDP_VSIID_MAC, id, s, sizeof(s)), 17);
	assert_string_equal(s, "52:54:00:12:34:56");
	memset(id, 0, 16);
	id[0] = 0x20; id[1] = 0x01; id[2] = 0x0d; id[3] = 0xb8;
	id[15] = 1;
	vdp_vsiid_fmt(VDP_VSIID_IPV6, id, s, sizeof(s));
	assert_string_equal(s, "2001:db8::1");
	/* not valid as an IPv4 ID: shown as hex */
	assert_int_equal(vdp_vsiid_fmt(VDP_VSIID_IPV4, id, s, sizeof(s)), 32);
	assert_string_equal(s, "20010db8000000000000000000000001");
	vdp_vsiid_fmt(VDP_VSIID_LOCAL, uuid0, s, sizeof(s));
	assert_string_equal(s, "00112233445566778899aabbccddeeff");
	vdp_vsiid_fmt(77, uuid0, s, sizeof(s));
	assert_string_equal(s, "00112233445566778899aabbccddeeff");
	/* exact fit, one short */
	assert_int_equal(vdp_vsiid_fmt(VDP_VSIID_UUID, uuid0, s, 37), 36);
	assert_string_equal(s, "00112233-4455-6677-8899-aabbccddeeff");
	assert_int_equal(vdp_vsiid_fmt(VDP_VSIID_UUID, uuid0, s, 36),
	    -ENOBUFS);
	assert_int_equal(vdp_vsiid_fmt(VDP_VSIID_UUID, uuid0, NULL, 0),
	    -ENOBUFS);

	/* UUID parsing */
	assert_int_equal(vdp_uuid_parse("00112233-4455-6677-8899-AABBCCDDEEFF",
	    u), 0);
	assert_memory_equal(u, uuid0, 16);
	memset(u, 0, 16);
	assert_int_equal(vdp_uuid_parse("00112233445566778899aabbccddeeff",
	    u), 0);
	assert_memory_equal(u, uuid0, 16);
	memset(u, 0x5a, 16);
	assert_int_equal(vdp_uuid_parse("00112233-4455-6677-8899-aabbccddeef",
	    u), -EINVAL);
	assert_int_equal(vdp_uuid_parse("00112233-4455-6677-8899-aabbccddeeff0",
	    u), -EINVAL);
	assert_int_equal(vdp_uuid_parse("001122334-455-6677-8899-aabbccddeeff",
	    u), -EINVAL);
	assert_int_equal(vdp_uuid_parse("00112233-4455-6677-8899-aabbccddeegf",
	    u), -EINVAL);
	assert_int_equal(vdp_uuid_parse("00112233+4455-6677-8899-aabbccddeeff",
	    u), -EINVAL);
	assert_int_equal(vdp_uuid_parse("0011223344556677-8899aabbccddeeff",
	    u), -EINVAL);
	assert_int_equal(vdp_uuid_parse("", u), -EINVAL);
	assert_int_equal(vdp_uuid_parse(NULL, u), -EINVAL);
	assert_int_equal(u[0], 0x5a);		/* untouched on error */
	(void)state;
}

/*
 * A decoded TLV (entries in ->fdata, ->filters NULL) encodes as it came,
 * so the bridge's stateless replies reach the wire: a De-Assoc for an
 * unknown VSI comes back as the same TLV with status 0x40, and a refused
 * one with 0x40 | code.  (Found in review: these used to fail -EINVAL.)
 */
static void
decoded_tlv_echoes_back(void **state)
{
	static struct vdp_pdu in, out;
	struct vdp_codec_opts o = { 0 };
	uint8_t req[64], buf[128], want[128];
	long n = hex_decode("0a 10 6d 67 72 31 00 00 00 00 00 00 00 00 00 00"
	    "00 00 08 21 00 00 00 06 01 05 11 11 11 11 22 22 33 33 44 44 55 55"
	    "55 55 55 55 02 00 01 52 54 00 aa bb cc 00 c8", req, sizeof(req));
	enum vdp_err why;
	int len;

	assert_true(n > 0);
	assert_int_equal(vdp_pdu_decode(req, (size_t)n, &o, &in, &why), 0);
	assert_null(in.vsi[0].filters);
	memset(&out, 0, sizeof(out));
	memcpy(out.mgrid, in.mgrid, VDP_MGRID_LEN);
	out.nvsi = 1;
	assert_int_equal(vdp_br_unknown_deassoc_reply(&in.vsi[0], &out.vsi[0]), 0);
	len = vdp_pdu_encode(&out, &o, buf, sizeof(buf));
	assert_int_equal(len, n + 2);
	memcpy(want, req, (size_t)n);
	want[20] = 0x40;			/* status: response, success */
	assert_memory_equal(buf, want, (size_t)n);
	assert_int_equal(vdp_br_reject_reply(&in.vsi[0], VDP_RSP_NO_RESOURCES,
	    &out.vsi[0]), 0);
	assert_int_equal(vdp_pdu_encode(&out, &o, buf, sizeof(buf)), n + 2);
	assert_int_equal(buf[18], 0x08);	/* De-Assoc TLV */
	assert_int_equal(buf[20], 0x42);
	(void)state;
}

/* vdp_org_next: OUI, subtype and position all count; walks every match. */
static void
org_next_walks_matches(void **state)
{
	static const uint8_t a[] = { 4, 1 }, m[] = { 3, 0 }, e[] = { 0 };
	static struct vdp_pdu p;

	memset(&p, 0, sizeof(p));
	p.norg = 5;
	p.org[0] = (struct vdp_org_tlv){ .oui = 0x0080c2, .data = a, .len = 2,
	    .after = -1 };				/* other OUI */
	p.org[1] = (struct vdp_org_tlv){ .oui = NVO3_EXT_CID, .data = m,
	    .len = 2, .after = 0 };			/* other subtype */
	p.org[2] = (struct vdp_org_tlv){ .oui = NVO3_EXT_CID, .data = a,
	    .len = 2, .after = 0 };
	p.org[3] = (struct vdp_org_tlv){ .oui = NVO3_EXT_CID, .data = e,
	    .len = 0, .after = 1 };			/* empty value */
	p.org[4] = (struct vdp_org_tlv){ .oui = NVO3_EXT_CID, .data = a,
	    .len = 2, .after = 1 };
	assert_int_equal(vdp_org_next(&p, NVO3_EXT_CID, 4, VDP_ORG_ANY, 0), 2);
	assert_int_equal(vdp_org_next(&p, NVO3_EXT_CID, 4, VDP_ORG_ANY, 3), 4);
	assert_int_equal(vdp_org_next(&p, NVO3_EXT_CID, 4, VDP_ORG_ANY, 5), -1);
	assert_int_equal(vdp_org_next(&p, NVO3_EXT_CID, 4, 1, 0), 4);
	assert_int_equal(vdp_org_next(&p, NVO3_EXT_CID, 4, 0, 3), -1);
	assert_int_equal(vdp_org_next(&p, NVO3_EXT_CID, 3, 0, -7), 1);
	assert_int_equal(vdp_org_next(&p, NVO3_EXT_CID, 0, VDP_ORG_ANY, 0), -1);
	assert_int_equal(vdp_org_next(&p, 0x0080c2, 4, -1, 0), 0);
	p.norg = 2;
	assert_int_equal(vdp_org_next(&p, NVO3_EXT_CID, 4, VDP_ORG_ANY, 0), -1);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decoded_tlv_echoes_back),
		cmocka_unit_test(golden_station_assoc),
		cmocka_unit_test(golden_bridge_response),
		cmocka_unit_test(golden_other_requests),
		cmocka_unit_test(golden_bridge_deassoc),
		cmocka_unit_test(golden_netlink_frame),
		cmocka_unit_test(golden_lldpad_filter_formats),
		cmocka_unit_test(filter_formats_roundtrip),
		cmocka_unit_test(formats_need_negotiation),
		cmocka_unit_test(several_vsis_and_orgs),
		cmocka_unit_test(end_tlv_and_padding),
		cmocka_unit_test(per_tlv_errors),
		cmocka_unit_test(pdu_errors),
		cmocka_unit_test(reserved_types_skipped),
		cmocka_unit_test(too_many_tlvs),
		cmocka_unit_test(err_names),
		cmocka_unit_test(max_entries_per_format),
		cmocka_unit_test(ulpdu_limit),
		cmocka_unit_test(encode_invalid),
		cmocka_unit_test(truncated_everywhere),
		cmocka_unit_test(same_vsi_and_filter_match),
		cmocka_unit_test(vsiid_text),
		cmocka_unit_test(org_next_walks_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
