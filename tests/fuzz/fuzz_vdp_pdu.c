/*
 * fuzz_vdp_pdu.c - libFuzzer target for the VDP22 ULPDU codec.
 *
 * Input: one octet of options (bit 0 ip_filters, bit 1 group_ids), then
 * the ULPDU.  Invariants checked (abort() on violation):
 *  - decode returns 0, -EBADMSG or -EMSGSIZE, and *why agrees with it;
 *  - every decoded pointer and offset lies inside the input;
 *  - a TLV with err == VDP_E_NONE re-encodes; the ULPDU of the valid TLVs
 *    (Org TLVs of dropped TLVs dropped too) decodes back to the same
 *    fields; when every TLV was valid and none was skipped, the encoding
 *    is the input octet for octet;
 *  - the helpers agree with themselves (same VSI, filters match, text).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vdp/vdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static struct vdp_filter fl[VDP_MAX_VSI][VDP_TLV_MAX_VALUE / 2];

static int
inside(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
	return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

static void
same_tlv(const struct vdp_vsi_tlv *a, const struct vdp_vsi_tlv *b)
{
	CHECK(a->mode == b->mode && a->status == b->status);
	CHECK(vdp_vsi_same(a, b));
	CHECK(a->nfilter == b->nfilter && b->err == VDP_E_NONE);
	for (unsigned i = 0; i < a->nfilter; i++) {
		struct vdp_filter x, y;

		vdp_filter_at(a, i, &x);
		vdp_filter_at(b, i, &y);
		CHECK(memcmp(&x, &y, sizeof(x)) == 0);
	}
	CHECK(vdp_filters_match(a, b));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vdp_pdu p, q, r;
	static uint8_t out[VDP_MAX_ULPDU + 2];
	struct vdp_codec_opts o = { 0 };
	enum vdp_err why = VDP_E__COUNT;
	int map[VDP_MAX_VSI];
	int rc, all_valid = 1;

	if (size < 1)
		return 0;
	o.ip_filters = data[0] & 1;
	o.group_ids = (data[0] >> 1) & 1;
	o.vni_groupid = (data[0] >> 2) & 1;
	data++;
	size--;

	rc = vdp_pdu_decode(data, size, &o, &p, &why);
	if (rc != 0) {
		CHECK(rc == -EBADMSG || rc == -EMSGSIZE);
		CHECK(why != VDP_E_NONE && why < VDP_E__COUNT);
		CHECK((rc == -EMSGSIZE) == (why == VDP_E_TOO_LONG));
		return 0;
	}
	CHECK(why == VDP_E_NONE);
	CHECK(p.nvsi >= 1 && p.nvsi <= VDP_MAX_VSI && p.norg <= VDP_MAX_ORG);
	CHECK(p.len <= size);

	/* keep the valid VSI TLVs, renumbering the Org TLVs' anchors */
	memset(&q, 0, sizeof(q));
	memcpy(q.mgrid, p.mgrid, VDP_MGRID_LEN);
	for (unsigned i = 0; i < p.nvsi; i++) {
		struct vdp_vsi_tlv *t = &p.vsi[i];
		char s[VDP_VSIID_STRLEN];

		CHECK(t->off + 2 + VDP_ASSOC_FIXED_LEN <= p.len ||
		    t->err == VDP_E_ASSOC_LEN);
		CHECK(t->err < VDP_E__COUNT);
		CHECK(vdp_vsiid_fmt(t->vsiid_fmt, t->vsiid, s, sizeof(s)) > 0);
		CHECK(strlen(s) < sizeof(s));
		map[i] = -1;
		if (t->err != VDP_E_NONE) {
			all_valid = 0;
			continue;
		}
		CHECK(t->fdata != NULL && t->nfilter >= 1);
		CHECK(t->nfilter <= vdp_filter_max(t->ffmt));
		CHECK(inside(t->fdata, t->nfilter *
		    vdp_filter_entry_size(t->ffmt, &o), data, size));
		CHECK(t->off + vdp_vsi_tlv_size(t, &o) <= p.len);
		for (unsigned j = 0; j < t->nfilter; j++) {
			vdp_filter_at(t, j, &fl[q.nvsi][j]);
			CHECK(fl[q.nvsi][j].vid <= 4094);
		}
		CHECK(vdp_filters_match(t, t));
		map[i] = q.nvsi;
		q.vsi[q.nvsi] = *t;
		q.vsi[q.nvsi].fdata = NULL;
		q.vsi[q.nvsi].filters = fl[q.nvsi];
		q.nvsi++;
	}
	for (unsigned i = 0; i < p.norg; i++) {
		struct vdp_org_tlv *g = &p.org[i];

		CHECK(g->after >= -1 && g->after < (int)p.nvsi);
		CHECK(g->len == 0 || inside(g->data, g->len, data, size));
		CHECK(g->oui <= 0xffffff);
		if (g->after >= 0 && map[g->after] < 0)
			continue;
		q.org[q.norg] = *g;
		q.org[q.norg].after = (int16_t)(g->after < 0 ? -1 :
		    map[g->after]);
		q.norg++;
	}
	if (q.nvsi == 0)
		return 0;

	rc = vdp_pdu_encode(&q, &o, out, sizeof(out));
	if (rc == -EMSGSIZE) {
		CHECK(p.len > VDP_MAX_ULPDU);	/* only an oversize input */
		return 0;
	}
	CHECK(rc > 0 && (size_t)rc <= sizeof(out));
	if (all_valid && p.nunknown == 0) {
		CHECK((size_t)rc == p.len + 2u);
		CHECK(memcmp(out, data, p.len) == 0);
	}
	CHECK(vdp_pdu_decode(out, (size_t)rc, &o, &r, &why) == 0);
	CHECK(r.nvsi == q.nvsi && r.norg == q.norg && r.nunknown == 0);
	CHECK(r.len + 2u == (size_t)rc);
	CHECK(memcmp(r.mgrid, q.mgrid, VDP_MGRID_LEN) == 0);
	for (unsigned i = 0; i < q.nvsi; i++)
		same_tlv(&q.vsi[i], &r.vsi[i]);
	/* the encoder emits the after == -1 group first, then per VSI */
	for (unsigned i = 0, k = 0; i < q.nvsi + 1u; i++)
		for (unsigned j = 0; j < q.norg; j++) {
			if (q.org[j].after != (int)i - 1)
				continue;
			CHECK(r.org[k].after == q.org[j].after);
			CHECK(r.org[k].oui == q.org[j].oui);
			CHECK(r.org[k].len == q.org[j].len);
			CHECK(r.org[k].len == 0 || memcmp(r.org[k].data,
			    q.org[j].data, r.org[k].len) == 0);
			k++;
		}
	return 0;
}
