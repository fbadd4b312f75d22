/*
 * fuzz_vdp_sm.c - drives one VDP station and one VDP bridge instance
 * (lib/vdp/vdp_station.c, vdp_bridge.c) with an event sequence read from
 * the input, and checks their invariants after every event:
 *   - the state is in range, a timer runs exactly when the state has one,
 *     a confirmed state has a confirmed mode;
 *   - every return code is 0 or one of the documented errors;
 *   - every SEND is a well-formed TLV: it encodes, and the encoded ULPDU
 *     decodes back to the same fields and entries (round trip);
 *   - raw ULPDUs from the input go through vdp_pdu_decode() first, and
 *     their valid TLVs are fed to both machines.
 * Any violation abort()s.
 *
 * Input: octet 0 = R (bits 0-2) and deactivate_ok (bit 7), octets 1-3 =
 * RTE, RWD, RKA (mod 32, kept small so timers fall due), then ops: an
 * opcode octet and its operands (see step()).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/cursor.h"
#include "util/mtime.h"
#include "vdp/vdp_sm.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t mgrid[VDP_MGRID_LEN] = { 'f', 'u', 'z', 'z' };
static const struct vdp_codec_opts opts = { .group_ids = 1 };

static struct vdp_sta sta;
static struct vdp_br br;
static uint64_t now;

static void
check(int ok)
{
	if (!ok)
		abort();
}

static void
check_rc(int rc)
{
	check(rc == 0 || rc == -EINVAL || rc == -EBUSY || rc == -EPERM ||
	    rc == -ENOENT || rc == -EPROTO || rc == -E2BIG ||
	    rc == -ESHUTDOWN);
}

/* Encode, decode, compare. */
static void
roundtrip(const struct vdp_vsi_tlv *t)
{
	static struct vdp_pdu p, back;
	static uint8_t buf[VDP_MAX_ULPDU + 2];
	enum vdp_err why;
	struct vdp_filter a, b;
	int n;
	unsigned i;

	check(t->mode >= VDP_TLV_PREASSOC && t->mode <= VDP_TLV_DEASSOC);
	check(t->nfilter >= 1 && t->nfilter <= VDP_SM_MAX_FILTERS);
	memset(&p, 0, sizeof(p));
	memcpy(p.mgrid, mgrid, sizeof(mgrid));
	p.nvsi = 1;
	p.vsi[0] = *t;
	n = vdp_pdu_encode(&p, &opts, buf, sizeof(buf));
	check(n > 0);
	check(vdp_pdu_decode(buf, (size_t)n, &opts, &back, &why) == 0);
	check(back.nvsi == 1);
	check(back.vsi[0].mode == t->mode && back.vsi[0].status == t->status);
	check(vdp_vsi_same(&back.vsi[0], t));
	check(back.vsi[0].nfilter == t->nfilter);
	for (i = 0; i < t->nfilter; i++) {
		vdp_filter_at(t, i, &a);
		vdp_filter_at(&back.vsi[0], i, &b);
		check(a.group == b.group && memcmp(a.mac, b.mac, 6) == 0 &&
		    a.vid == b.vid && a.ps == b.ps && a.pcp == b.pcp);
	}
}

static void
drain(void)
{
	struct vdp_sta_action sa;
	struct vdp_br_action ba;
	bool idle;

	while (vdp_sta_next_action(&sta, &sa)) {
		if (sa.kind == VDP_SA_SEND) {
			check((sa.tlv.status & ~(VDP_ST_SBIT | VDP_ST_MBIT)) ==
			    0);
			roundtrip(&sa.tlv);
		} else {
			check(sa.kind == VDP_SA_NOTIFY);
			check(sa.note < VDP_SN__COUNT);
			check(sa.reason < VDP_SR__COUNT);
		}
	}
	check(sta.state < VDP_STS__COUNT);
	idle = sta.state == VDP_STS_INIT || sta.state == VDP_STS_END;
	check(idle == (vdp_sta_deadline(&sta) == TIME_NEVER));
	check(sta.state != VDP_STS_CONFIRMED ||
	    (sta.conf_mode >= VDP_TLV_PREASSOC &&
	    sta.conf_mode <= VDP_TLV_ASSOC));
	check(sta.lost == 0);

	while (vdp_br_next_action(&br, &ba)) {
		check(ba.kind <= VDP_BA_RELEASE);
		if (ba.kind == VDP_BA_SEND) {
			check((ba.tlv.status & VDP_ST_RESPONSE) ||
			    (ba.tlv.status == 0 &&
			    ba.tlv.mode == VDP_TLV_DEASSOC));
			roundtrip(&ba.tlv);
		}
	}
	check(br.state < VDP_BRS__COUNT);
	idle = br.state == VDP_BRS_INIT || br.state == VDP_BRS_END;
	check(idle == (vdp_br_deadline(&br) == TIME_NEVER));
	check(br.state != VDP_BRS_WAITCMD ||
	    (br.conf_mode >= VDP_TLV_PREASSOC &&
	    br.conf_mode <= VDP_TLV_ASSOC));
	check(br.lost == 0);
}

/* A TLV of our one identity (or a neighbour's) built from operands. */
static void
build(struct cur *c, struct vdp_vsi_tlv *t, struct vdp_filter *f)
{
	uint8_t m = cur_u8(c), st = cur_u8(c), nf = cur_u8(c), i;

	memset(t, 0, sizeof(*t));
	t->mode = (uint8_t)(1 + (m & 3));
	t->status = st;
	t->type_id = 5;
	t->type_ver = (m & 0x80) ? 9 : 4;	/* another VSI now and then */
	t->vsiid_fmt = VDP_VSIID_UUID;
	memset(t->vsiid, 0x5a, VDP_VSIID_LEN);
	t->ffmt = (m & 0x40) ? VDP_FIF_GROUP_MAC_VID : VDP_FIF_MAC_VID;
	t->nfilter = (uint16_t)(nf % 4);
	if (nf & 0x80)
		t->nfilter = VDP_SM_MAX_FILTERS + 1;
	for (i = 0; i < VDP_SM_MAX_FILTERS + 1; i++) {
		uint8_t v = i < 4 ? cur_u8(c) : 0;

		memset(&f[i], 0, sizeof(f[i]));
		f[i].group = (t->ffmt == VDP_FIF_GROUP_MAC_VID) ? 10001 : 0;
		f[i].mac[0] = 0x52;
		f[i].mac[5] = i;
		f[i].vid = (v & 0x80) ? 0 : (uint16_t)(100 + (v & 7));
		f[i].ps = (v & 0x40) ? 1 : 0;
		f[i].pcp = f[i].ps ? (v >> 3) & 7 : 0;
	}
	t->filters = f;
}

static void
raw(struct cur *c)
{
	static struct vdp_pdu p;
	size_t len = cur_u8(c) * 2u;
	const uint8_t *b;
	enum vdp_err why;
	unsigned i;

	if (len > cur_left(c))
		len = cur_left(c);
	b = cur_take(c, len);
	if (vdp_pdu_decode(b, len, &opts, &p, &why) != 0)
		return;
	for (i = 0; i < p.nvsi; i++) {
		if (p.vsi[i].err != VDP_E_NONE)
			continue;
		check_rc(vdp_sta_rx(&sta, now, &p.vsi[i]));
		drain();
		check_rc(vdp_br_rx(&br, now, &p.vsi[i]));
		drain();
	}
}

static void
step(struct cur *c)
{
	struct vdp_vsi_tlv t;
	struct vdp_filter f[VDP_SM_MAX_FILTERS + 1];
	struct vdp_br_result r;
	uint8_t op = cur_u8(c), x;
	uint64_t to;

	switch (op % 9) {
	case 0:
		build(c, &t, f);
		t.status &= VDP_ST_SBIT | VDP_ST_MBIT | (op & 0x80);
		check_rc(vdp_sta_request(&sta, now, &t));
		break;
	case 1:
		build(c, &t, f);
		check_rc(vdp_sta_rx(&sta, now, &t));
		break;
	case 2:
		check_rc(vdp_sta_tx_error(&sta, now));
		break;
	case 3:
		x = cur_u8(c);
		to = now + ((uint64_t)cur_u8(c) << (x % 24));
		for (;;) {
			uint64_t d = vdp_sta_deadline(&sta);

			if (vdp_br_deadline(&br) < d)
				d = vdp_br_deadline(&br);
			if (d == TIME_NEVER || d > to)
				break;
			now = d;
			(void)vdp_sta_tick(&sta, now);
			(void)vdp_br_tick(&br, now);
			drain();
		}
		now = to;
		break;
	case 4:
		build(c, &t, f);
		if (!(op & 0x80))
			t.status &= ~VDP_ST_RESPONSE;
		check_rc(vdp_br_rx(&br, now, &t));
		break;
	case 5:
		build(c, &t, f);
		x = cur_u8(c);
		memset(&r, 0, sizeof(r));
		r.code = (x & 0x10) ? x & 0x1f : 0;
		r.keep = (x >> 5) & 1;
		r.hard = (x >> 6) & 1;
		if (x & 0x80) {
			r.filters = f;
			r.nfilter = t.nfilter;
		}
		check_rc(vdp_br_resource(&br, now, &r));
		break;
	case 6:
		check_rc(vdp_br_deassoc(&br, now));
		break;
	case 7:
		raw(c);
		break;
	default:
		/* re-initialise both, as a caller reusing the slot would */
		vdp_sta_init(&sta, &sta.par);
		vdp_br_init(&br, &br.par);
		break;
	}
	drain();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vdp_params p;
	struct cur c;
	uint8_t b0;

	cur_init(&c, data, size);
	b0 = cur_u8(&c);
	memset(&p, 0, sizeof(p));
	p.r = b0 & 7;
	p.deactivate_ok = b0 >> 7;
	p.rte = cur_u8(&c) % 32;
	p.rwd = cur_u8(&c) % 32;
	p.rka = cur_u8(&c) % 32;
	now = 0;
	vdp_sta_init(&sta, &p);
	vdp_br_init(&br, &p);
	while (cur_left(&c) > 0)
		step(&c);
	return 0;
}
