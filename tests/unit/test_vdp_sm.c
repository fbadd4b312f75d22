/*
 * test_vdp_sm.c - VDP22 state machines (lib/vdp/vdp_station.c,
 * vdp_bridge.c, vdp_sm.c): timer formulas against lldpad's observed
 * figures, every refused input with its errno, timer edges, the action
 * queue, the stateless bridge replies, and whole exchanges run on
 * lldpad's real frames (spec/lldpad-interop.md 4.2, 4.4, 4.7) through
 * the codec in both roles.  Transcript tests cover the protocol paths.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/hex.h"
#include "util/mtime.h"
#include "vdp/vdp_sm.h"

static const struct vdp_params lldpad_par = {
	.r = 3, .rte = 8, .rwd = 20, .rka = 20,
};

/* ULPDU of lldpad's station Associate (frame 17, interop 3.2 / 4.2). */
static const char ulpdu_req[] =
	"0a 10 6d 67 72 31 00 00 00 00 00 00 00 00 00 00 00 00"
	"06 21 00 00 00 05 04 05 00 11 22 33 44 55 66 77 88 99 aa bb"
	"cc dd ee ff 02 00 01 52 54 00 11 22 33 00 64";
/* ULPDU of lldpad's bridge response (frame 19, interop 4.4). */
static const char ulpdu_rsp[] =
	"0a 10 6d 67 72 31 00 00 00 00 00 00 00 00 00 00 00 00"
	"06 21 40 00 00 05 04 05 00 11 22 33 44 55 66 77 88 99 aa bb"
	"cc dd ee ff 02 00 01 52 54 00 11 22 33 00 64";
/* Pre-Assoc-RR with the M bit (interop 4.5), then the bridge's
 * unsolicited De-Associate of that VSI (interop 4.7). */
static const char ulpdu_prr_m[] =
	"0a 10 6d 67 72 31 00 00 00 00 00 00 00 00 00 00 00 00"
	"04 21 10 00 00 07 01 05 33 33 33 33 22 22 33 33 44 44 55 55"
	"55 55 55 55 02 00 01 52 54 00 33 33 33 01 2c";
static const char ulpdu_unsol[] =
	"0a 10 6d 67 72 31 00 00 00 00 00 00 00 00 00 00 00 00"
	"08 21 00 00 00 07 01 05 33 33 33 33 22 22 33 33 44 44 55 55"
	"55 55 55 55 02 00 01 52 54 00 33 33 33 01 2c";

static size_t
unhex(const char *s, uint8_t *out, size_t cap)
{
	long n = hex_decode(s, out, cap);

	assert_true(n > 0);
	return (size_t)n;
}

static void
decode(const char *hex, uint8_t *buf, size_t cap, struct vdp_pdu *pdu)
{
	size_t n = unhex(hex, buf, cap);
	enum vdp_err why;

	assert_int_equal(vdp_pdu_decode(buf, n, NULL, pdu, &why), 0);
	assert_int_equal(pdu->nvsi, 1);
	assert_int_equal(pdu->vsi[0].err, VDP_E_NONE);
}

/* Encodes one TLV under pdu's Manager ID and compares with want. */
static void
encode_equals(const struct vdp_pdu *like, const struct vdp_vsi_tlv *t,
    const char *want_hex)
{
	static struct vdp_pdu out;
	uint8_t want[128], got[128];
	size_t wn = unhex(want_hex, want, sizeof(want));

	memset(&out, 0, sizeof(out));
	memcpy(out.mgrid, like->mgrid, VDP_MGRID_LEN);
	out.nvsi = 1;
	out.vsi[0] = *t;
	/* cap = exact length: no room for an End TLV, as lldpad sends. */
	assert_int_equal(vdp_pdu_encode(&out, NULL, got, wn), (int)wn);
	assert_memory_equal(got, want, wn);
}

static void
mk_vsi(struct vdp_vsi_tlv *t, uint8_t mode, struct vdp_filter *f,
    uint16_t nf)
{
	memset(t, 0, sizeof(*t));
	t->mode = mode;
	t->type_id = 5;
	t->type_ver = 4;
	t->vsiid_fmt = VDP_VSIID_UUID;
	memset(t->vsiid, 0xab, VDP_VSIID_LEN);
	t->ffmt = VDP_FIF_MAC_VID;
	t->nfilter = nf;
	t->filters = f;
}

static void
mk_filter(struct vdp_filter *f, uint8_t last, uint16_t vid)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x11, 0x22, 0 };

	memset(f, 0, sizeof(*f));
	memcpy(f->mac, mac, 6);
	f->mac[5] = last;
	f->vid = vid;
}

static int
count_actions_sta(struct vdp_sta *s)
{
	struct vdp_sta_action a;
	int n = 0;

	while (vdp_sta_next_action(s, &a))
		n++;
	return n;
}

static int
count_actions_br(struct vdp_br *b)
{
	struct vdp_br_action a;
	int n = 0;

	while (vdp_br_next_action(b, &a))
		n++;
	return n;
}

/* ---- timers ---------------------------------------------------------- */

static void
timers_lldpad_defaults(void **state)
{
	/* interop 4.6: 2.56 ms, 15.756 s, 10.49 s, 10.49 s, 15.756 s */
	assert_int_equal(vdp_ack_time_us(&lldpad_par), 2560);
	assert_int_equal(vdp_sta_resp_wait_us(&lldpad_par), 15755520);
	assert_int_equal(vdp_sta_keepalive_us(&lldpad_par), 10485760);
	assert_int_equal(vdp_br_res_wait_us(&lldpad_par), 10485760);
	assert_int_equal(vdp_br_ka_timeout_us(&lldpad_par), 15755520);
	(void)state;
}

static void
timers_edges(void **state)
{
	struct vdp_params p = { 0 };

	/* all zero: 10 us units, no retries: 1.5 * (10 + 10) */
	assert_int_equal(vdp_exp_us(0), 10);
	assert_int_equal(vdp_sta_resp_wait_us(&p), 30);
	assert_int_equal(vdp_br_ka_timeout_us(&p), 30);
	/* R, RWD and RKA differ: each formula takes its own exponent */
	p.r = 1; p.rte = 1; p.rwd = 2; p.rka = 3;
	assert_int_equal(vdp_sta_resp_wait_us(&p), (3 * 20 + 40) * 3 / 2);
	assert_int_equal(vdp_br_ka_timeout_us(&p), (3 * 20 + 80) * 3 / 2);
	assert_int_equal(vdp_sta_keepalive_us(&p), 80);
	assert_int_equal(vdp_br_res_wait_us(&p), 40);
	/* 5-bit exponents and 3-bit R: larger values are clamped */
	assert_int_equal(vdp_exp_us(31), 10ULL << 31);
	assert_int_equal(vdp_exp_us(32), 10ULL << 31);
	assert_int_equal(vdp_exp_us(255), 10ULL << 31);
	p.r = 7; p.rte = 31; p.rwd = 31;
	{
		uint64_t max = vdp_sta_resp_wait_us(&p);

		assert_int_equal(max, (15 * (10ULL << 31) + (10ULL << 31)) *
		    3 / 2);
		p.r = 200;
		assert_int_equal(vdp_sta_resp_wait_us(&p), max);
	}
	(void)state;
}

/* ---- station --------------------------------------------------------- */

static void
sta_refuses_bad_requests(void **state)
{
	static struct vdp_sta s;
	struct vdp_filter f[VDP_SM_MAX_FILTERS + 1];
	struct vdp_vsi_tlv t, u;

	for (int i = 0; i <= VDP_SM_MAX_FILTERS; i++)
		mk_filter(&f[i], (uint8_t)i, 0);
	vdp_sta_init(&s, &lldpad_par);
	mk_vsi(&t, VDP_TLV_ASSOC, f, 1);
	u = t; u.mode = VDP_TLV_END;
	assert_int_equal(vdp_sta_request(&s, 0, &u), -EINVAL);
	u = t; u.mode = VDP_TLV_MGRID;
	assert_int_equal(vdp_sta_request(&s, 0, &u), -EINVAL);
	u = t; u.status = VDP_ST_RESPONSE;
	assert_int_equal(vdp_sta_request(&s, 0, &u), -EINVAL);
	u = t; u.status = 0x01;
	assert_int_equal(vdp_sta_request(&s, 0, &u), -EINVAL);
	u = t; u.nfilter = 0;
	assert_int_equal(vdp_sta_request(&s, 0, &u), -EINVAL);
	u = t; u.filters = NULL;
	assert_int_equal(vdp_sta_request(&s, 0, &u), -EINVAL);
	u = t; u.ffmt = 0;
	assert_int_equal(vdp_sta_request(&s, 0, &u), -EINVAL);
	u = t; u.ffmt = 7;
	assert_int_equal(vdp_sta_request(&s, 0, &u), -EINVAL);
	assert_int_equal(vdp_sta_request(&s, 0, NULL), -EINVAL);
	/* exact fit, one too many */
	u = t; u.nfilter = VDP_SM_MAX_FILTERS + 1;
	assert_int_equal(vdp_sta_request(&s, 0, &u), -E2BIG);
	assert_int_equal(s.state, VDP_STS_INIT);
	assert_int_equal(count_actions_sta(&s), 0);
	u = t; u.nfilter = VDP_SM_MAX_FILTERS;
	assert_int_equal(vdp_sta_request(&s, 0, &u), 0);
	assert_int_equal(count_actions_sta(&s), 1);
	/* another VSI's identity for this instance */
	u = t; u.vsiid[0] ^= 1;
	assert_int_equal(vdp_sta_request(&s, 1, &u), -EINVAL);
	u.status = VDP_ST_RESPONSE;
	assert_int_equal(vdp_sta_rx(&s, 1, &u), -EINVAL);
	u = t; u.mode = 0; u.status = VDP_ST_RESPONSE;
	assert_int_equal(vdp_sta_rx(&s, 1, &u), -EINVAL);
	u = t; u.filters = NULL; u.status = VDP_ST_RESPONSE;
	assert_int_equal(vdp_sta_rx(&s, 1, &u), -EINVAL);
	u = t; u.nfilter = 0; u.mode = VDP_TLV_DEASSOC;
	assert_int_equal(vdp_sta_rx(&s, 1, &u), -EINVAL);
	assert_int_equal(vdp_sta_rx(&s, 1, NULL), -EINVAL);
	assert_int_equal(s.state, VDP_STS_PROCWAIT);
	(void)state;
}

static void
sta_timer_edges(void **state)
{
	static struct vdp_sta s;
	struct vdp_filter f;
	struct vdp_vsi_tlv t;
	uint64_t d;

	mk_filter(&f, 1, 100);
	mk_vsi(&t, VDP_TLV_ASSOC, &f, 1);
	vdp_sta_init(&s, &lldpad_par);
	assert_int_equal(vdp_sta_deadline(&s), TIME_NEVER);
	assert_int_equal(vdp_sta_tick(&s, UINT64_MAX - 1), 0);
	assert_int_equal(vdp_sta_request(&s, 1000, &t), 0);
	d = vdp_sta_deadline(&s);
	assert_int_equal(d, 1000 + 15755520);
	assert_int_equal(vdp_sta_tick(&s, d - 1), 0);	/* one short */
	assert_int_equal(s.state, VDP_STS_PROCWAIT);
	assert_int_equal(vdp_sta_tick(&s, d), 1);	/* exact */
	assert_int_equal(s.state, VDP_STS_END);
	assert_int_equal(vdp_sta_tick(&s, d + 1), 0);	/* once */
	(void)state;
}

static void
sta_queue_overflow_counts(void **state)
{
	static struct vdp_sta s;
	struct vdp_filter f;
	struct vdp_vsi_tlv t, r;
	int i;

	mk_filter(&f, 1, 100);
	mk_vsi(&t, VDP_TLV_ASSOC, &f, 1);
	r = t;
	r.status = VDP_ST_RESPONSE;
	vdp_sta_init(&s, &lldpad_par);
	/* SEND, NOTIFY, then one SEND per keep-alive; never drained */
	assert_int_equal(vdp_sta_request(&s, 0, &t), 0);
	assert_int_equal(vdp_sta_rx(&s, 0, &r), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(vdp_sta_tick(&s, vdp_sta_deadline(&s)), 1);
		assert_int_equal(vdp_sta_rx(&s, vdp_sta_deadline(&s) - 1, &r),
		    0);
	}
	assert_int_equal(s.lost, 1);
	assert_int_equal(count_actions_sta(&s), VDP_SM_MAX_ACTIONS);
	assert_int_equal(count_actions_sta(&s), 0);
	(void)state;
}

/* Our station against lldpad's bridge frames. */
static void
sta_lldpad_exchange(void **state)
{
	static struct vdp_sta s;
	static struct vdp_pdu req, rsp;
	uint8_t b1[128], b2[128];
	struct vdp_filter f;
	struct vdp_vsi_tlv t;
	struct vdp_sta_action a;

	decode(ulpdu_req, b1, sizeof(b1), &req);
	decode(ulpdu_rsp, b2, sizeof(b2), &rsp);
	/* the hypervisor's request, as lldpad's station made it */
	vdp_filter_at(&req.vsi[0], 0, &f);
	t = req.vsi[0];
	t.fdata = NULL;
	t.filters = &f;
	vdp_sta_init(&s, &lldpad_par);
	assert_int_equal(vdp_sta_request(&s, 0, &t), 0);
	assert_int_equal(vdp_sta_next_action(&s, &a), 1);
	assert_int_equal(a.kind, VDP_SA_SEND);
	encode_equals(&req, &a.tlv, ulpdu_req);
	/* lldpad's answer, straight from the decoder */
	assert_int_equal(vdp_sta_rx(&s, 2100, &rsp.vsi[0]), 0);
	assert_int_equal(vdp_sta_next_action(&s, &a), 1);
	assert_int_equal(a.kind, VDP_SA_NOTIFY);
	assert_int_equal(a.note, VDP_SN_ASSOCIATED);
	assert_int_equal(a.reason, VDP_SR_OK);
	assert_int_equal(s.state, VDP_STS_CONFIRMED);
	assert_int_equal(vdp_sta_deadline(&s), 2100 + 10485760);
	/* the keep-alive is the very same request */
	assert_int_equal(vdp_sta_tick(&s, 2100 + 10485760), 1);
	assert_int_equal(vdp_sta_next_action(&s, &a), 1);
	encode_equals(&req, &a.tlv, ulpdu_req);
	(void)state;
}

/* lldpad's unsolicited De-Associate ends our VSI without a reply. */
static void
sta_lldpad_unsolicited(void **state)
{
	static struct vdp_sta s;
	static struct vdp_pdu req, un;
	uint8_t b1[128], b2[128];
	struct vdp_sta_action a;
	struct vdp_vsi_tlv r;

	decode(ulpdu_prr_m, b1, sizeof(b1), &req);
	decode(ulpdu_unsol, b2, sizeof(b2), &un);
	vdp_sta_init(&s, &lldpad_par);
	/* the request straight from the decoder (fdata) works as well */
	assert_int_equal(vdp_sta_request(&s, 0, &req.vsi[0]), 0);
	assert_int_equal(vdp_sta_next_action(&s, &a), 1);
	encode_equals(&req, &a.tlv, ulpdu_prr_m);
	r = req.vsi[0];
	r.status = VDP_ST_RESPONSE;
	assert_int_equal(vdp_sta_rx(&s, 10, &r), 0);
	assert_int_equal(count_actions_sta(&s), 1);
	assert_int_equal(vdp_sta_rx(&s, 20, &un.vsi[0]), 0);
	assert_int_equal(vdp_sta_next_action(&s, &a), 1);
	assert_int_equal(a.kind, VDP_SA_NOTIFY);
	assert_int_equal(a.note, VDP_SN_DEASSOCIATED);
	assert_int_equal(a.reason, VDP_SR_BRIDGE);
	assert_int_equal(vdp_sta_next_action(&s, &a), 0);	/* no reply */
	assert_int_equal(vdp_sta_rx(&s, 30, &un.vsi[0]), -ENOENT);
	assert_int_equal(s.ignored, 1);
	(void)state;
}

/* ---- bridge ---------------------------------------------------------- */

static void
br_refuses_bad_input(void **state)
{
	static struct vdp_br b;
	struct vdp_filter f[VDP_SM_MAX_FILTERS + 1], g[VDP_SM_MAX_FILTERS];
	struct vdp_vsi_tlv t, u;
	struct vdp_br_result res = { 0 };

	for (int i = 0; i <= VDP_SM_MAX_FILTERS; i++)
		mk_filter(&f[i], (uint8_t)i, 0);
	vdp_br_init(&b, &lldpad_par);
	mk_vsi(&t, VDP_TLV_ASSOC, f, 1);
	assert_int_equal(vdp_br_resource(&b, 0, &res), -ENOENT);
	assert_int_equal(vdp_br_deassoc(&b, 0), -ENOENT);
	assert_int_equal(vdp_br_tick(&b, 0), 0);
	u = t; u.status = VDP_ST_RESPONSE;
	assert_int_equal(vdp_br_rx(&b, 0, &u), -EPROTO);
	u = t; u.mode = VDP_TLV_MGRID;
	assert_int_equal(vdp_br_rx(&b, 0, &u), -EINVAL);
	u = t; u.filters = NULL;
	assert_int_equal(vdp_br_rx(&b, 0, &u), -EINVAL);
	u = t; u.nfilter = 0;
	assert_int_equal(vdp_br_rx(&b, 0, &u), -EINVAL);
	u = t; u.ffmt = 9;
	assert_int_equal(vdp_br_rx(&b, 0, &u), -EINVAL);
	assert_int_equal(vdp_br_rx(&b, 0, NULL), -EINVAL);
	u = t; u.nfilter = VDP_SM_MAX_FILTERS + 1;
	assert_int_equal(vdp_br_rx(&b, 0, &u), -E2BIG);
	assert_int_equal(b.state, VDP_BRS_INIT);
	assert_int_equal(count_actions_br(&b), 0);
	u = t; u.nfilter = VDP_SM_MAX_FILTERS;
	assert_int_equal(vdp_br_rx(&b, 0, &u), 0);
	assert_int_equal(count_actions_br(&b), 1);
	/* another VSI */
	u = t; u.type_ver = 9;
	assert_int_equal(vdp_br_rx(&b, 0, &u), -EINVAL);
	/* answers that do not answer the request */
	res.code = 16;
	assert_int_equal(vdp_br_resource(&b, 0, &res), -EINVAL);
	res.code = 0;
	res.filters = f;
	res.nfilter = VDP_SM_MAX_FILTERS + 1;
	assert_int_equal(vdp_br_resource(&b, 0, &res), -EINVAL);
	res.nfilter = 1;				/* count differs */
	assert_int_equal(vdp_br_resource(&b, 0, &res), -EINVAL);
	memcpy(g, f, sizeof(g));
	g[7].mac[0] ^= 1;				/* one MAC differs */
	res.filters = g;
	res.nfilter = VDP_SM_MAX_FILTERS;
	assert_int_equal(vdp_br_resource(&b, 0, &res), -EINVAL);
	assert_int_equal(vdp_br_resource(&b, 0, NULL), -EINVAL);
	/* entries that could not be encoded: VID 4095, PCP 8, PS 2 */
	memcpy(g, f, sizeof(g));
	g[3].vid = 4095;
	assert_int_equal(vdp_br_resource(&b, 0, &res), -EINVAL);
	g[3].vid = f[3].vid;
	g[4].pcp = 8;
	assert_int_equal(vdp_br_resource(&b, 0, &res), -EINVAL);
	g[4].pcp = 0;
	g[5].ps = 2;
	assert_int_equal(vdp_br_resource(&b, 0, &res), -EINVAL);
	assert_int_equal(b.state, VDP_BRS_RESWAIT);
	assert_int_equal(count_actions_br(&b), 0);
	(void)state;
}

static void
br_fixed_vid_must_be_kept(void **state)
{
	static struct vdp_br b;
	struct vdp_filter f, g;
	struct vdp_vsi_tlv t;
	struct vdp_br_result res = { .nfilter = 1, .filters = &g };

	mk_filter(&f, 1, 100);
	g = f;
	g.vid = 101;
	mk_vsi(&t, VDP_TLV_ASSOC, &f, 1);
	vdp_br_init(&b, &lldpad_par);
	assert_int_equal(vdp_br_rx(&b, 0, &t), 0);
	assert_int_equal(vdp_br_resource(&b, 0, &res), -EINVAL);
	g.vid = 100;
	g.mac[0] ^= 2;
	assert_int_equal(vdp_br_resource(&b, 0, &res), -EINVAL);
	g.mac[0] ^= 2;
	g.ps = 1;
	g.pcp = 5;		/* PCP may be added where PS was clear */
	assert_int_equal(vdp_br_resource(&b, 0, &res), 0);
	assert_int_equal(b.state, VDP_BRS_WAITCMD);
	(void)state;
}

static void
br_timer_edges(void **state)
{
	static struct vdp_br b;
	struct vdp_filter f;
	struct vdp_vsi_tlv t;
	struct vdp_br_result ok = { 0 };

	mk_filter(&f, 1, 100);
	mk_vsi(&t, VDP_TLV_ASSOC, &f, 1);
	vdp_br_init(&b, &lldpad_par);
	assert_int_equal(vdp_br_deadline(&b), TIME_NEVER);
	assert_int_equal(vdp_br_rx(&b, 50, &t), 0);
	assert_int_equal(vdp_br_deadline(&b), 50 + 10485760);
	assert_int_equal(vdp_br_resource(&b, 60, &ok), 0);
	assert_int_equal(vdp_br_deadline(&b), 60 + 15755520);
	assert_int_equal(vdp_br_tick(&b, 60 + 15755519), 0);
	assert_int_equal(b.state, VDP_BRS_WAITCMD);
	assert_int_equal(vdp_br_tick(&b, 60 + 15755520), 1);
	assert_int_equal(b.state, VDP_BRS_END);
	assert_int_equal(vdp_br_tick(&b, UINT64_MAX), 0);
	assert_int_equal(vdp_br_rx(&b, 70, &t), -ESHUTDOWN);
	assert_int_equal(vdp_br_deassoc(&b, 70), -ESHUTDOWN);
	assert_int_equal(vdp_br_resource(&b, 70, &ok), -ENOENT);
	(void)state;
}

static void
br_queue_overflow_counts(void **state)
{
	static struct vdp_br b;
	struct vdp_filter f;
	struct vdp_vsi_tlv t;
	struct vdp_br_result ok = { 0 };
	int i;

	mk_filter(&f, 1, 100);
	mk_vsi(&t, VDP_TLV_ASSOC, &f, 1);
	vdp_br_init(&b, &lldpad_par);
	/* RESOURCE_REQUEST, SEND, then one SEND per keep-alive */
	assert_int_equal(vdp_br_rx(&b, 0, &t), 0);
	assert_int_equal(vdp_br_resource(&b, 0, &ok), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(vdp_br_rx(&b, 0, &t), 0);
	assert_int_equal(b.lost, 1);
	assert_int_equal(count_actions_br(&b), VDP_SM_MAX_ACTIONS);
	assert_int_equal(b.state, VDP_BRS_WAITCMD);
	(void)state;
}

static void
br_stateless_replies(void **state)
{
	struct vdp_filter f;
	struct vdp_vsi_tlv t, r;

	mk_filter(&f, 1, 100);
	mk_vsi(&t, VDP_TLV_DEASSOC, &f, 1);
	assert_int_equal(vdp_br_unknown_deassoc_reply(&t, &r), 0);
	assert_int_equal(r.mode, VDP_TLV_DEASSOC);
	assert_int_equal(r.status, 0x40);
	assert_true(vdp_vsi_same(&t, &r));
	assert_ptr_equal(r.filters, &f);
	t.status = VDP_ST_SBIT;			/* hints are not echoed */
	assert_int_equal(vdp_br_unknown_deassoc_reply(&t, &r), 0);
	assert_int_equal(r.status, 0x40);
	t.status = VDP_ST_RESPONSE;
	assert_int_equal(vdp_br_unknown_deassoc_reply(&t, &r), -EINVAL);
	t.status = 0;
	t.mode = VDP_TLV_ASSOC;
	assert_int_equal(vdp_br_unknown_deassoc_reply(&t, &r), -EINVAL);
	assert_int_equal(vdp_br_unknown_deassoc_reply(NULL, &r), -EINVAL);
	assert_int_equal(vdp_br_unknown_deassoc_reply(&t, NULL), -EINVAL);
	/* a new VSI that failed validation: ACK | 2 in a De-Assoc TLV */
	assert_int_equal(vdp_br_reject_reply(&t, VDP_RSP_NO_RESOURCES, &r), 0);
	assert_int_equal(r.mode, VDP_TLV_DEASSOC);
	assert_int_equal(r.status, 0x42);
	assert_int_equal(vdp_br_reject_reply(&t, 15, &r), 0);
	assert_int_equal(r.status, 0x4f);
	assert_int_equal(vdp_br_reject_reply(&t, 16, &r), -EINVAL);
	t.status = VDP_ST_RESPONSE;
	assert_int_equal(vdp_br_reject_reply(&t, 2, &r), -EINVAL);
	(void)state;
}

/* Our bridge against lldpad's station frames. */
static void
br_lldpad_exchange(void **state)
{
	static struct vdp_br b;
	static struct vdp_pdu req, prr;
	uint8_t b1[128], b2[128];
	struct vdp_br_action a;
	struct vdp_br_result ok = { 0 };

	decode(ulpdu_req, b1, sizeof(b1), &req);
	vdp_br_init(&b, &lldpad_par);
	assert_int_equal(vdp_br_rx(&b, 0, &req.vsi[0]), 0);
	assert_int_equal(vdp_br_next_action(&b, &a), 1);
	assert_int_equal(a.kind, VDP_BA_RESOURCE_REQUEST);
	assert_int_equal(a.hints, 0);
	assert_int_equal(a.prev_mode, 0);
	assert_int_equal(vdp_br_resource(&b, 2000, &ok), 0);
	assert_int_equal(vdp_br_next_action(&b, &a), 1);
	assert_int_equal(a.kind, VDP_BA_SEND);
	encode_equals(&req, &a.tlv, ulpdu_rsp);
	/* lldpad's keep-alive 10.49 s later: answered at once, same bytes */
	assert_int_equal(vdp_br_rx(&b, 10487760, &req.vsi[0]), 0);
	assert_int_equal(vdp_br_next_action(&b, &a), 1);
	encode_equals(&req, &a.tlv, ulpdu_rsp);
	assert_int_equal(vdp_br_next_action(&b, &a), 0);

	/* Pre-Assoc-RR with M, then silence: the unsolicited De-Assoc of
	 * interop 4.7, byte for byte. */
	decode(ulpdu_prr_m, b2, sizeof(b2), &prr);
	vdp_br_init(&b, &lldpad_par);
	assert_int_equal(vdp_br_rx(&b, 0, &prr.vsi[0]), 0);
	assert_int_equal(vdp_br_next_action(&b, &a), 1);
	assert_int_equal(a.hints, VDP_ST_MBIT);
	assert_int_equal(vdp_br_resource(&b, 0, &ok), 0);
	assert_int_equal(count_actions_br(&b), 1);
	assert_int_equal(vdp_br_tick(&b, 15755520), 1);
	assert_int_equal(vdp_br_next_action(&b, &a), 1);
	assert_int_equal(a.kind, VDP_BA_SEND);
	encode_equals(&prr, &a.tlv, ulpdu_unsol);
	assert_int_equal(vdp_br_next_action(&b, &a), 1);
	assert_int_equal(a.kind, VDP_BA_RELEASE);
	assert_int_equal(b.state, VDP_BRS_END);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timers_lldpad_defaults),
		cmocka_unit_test(timers_edges),
		cmocka_unit_test(sta_refuses_bad_requests),
		cmocka_unit_test(sta_timer_edges),
		cmocka_unit_test(sta_queue_overflow_counts),
		cmocka_unit_test(sta_lldpad_exchange),
		cmocka_unit_test(sta_lldpad_unsolicited),
		cmocka_unit_test(br_refuses_bad_input),
		cmocka_unit_test(br_fixed_vid_must_be_kept),
		cmocka_unit_test(br_timer_edges),
		cmocka_unit_test(br_queue_overflow_counts),
		cmocka_unit_test(br_stateless_replies),
		cmocka_unit_test(br_lldpad_exchange),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
