/*
 * vdp_batch.c - groups outgoing VSI association TLVs into ULPDUs.
 *
 * Owns nothing: it plans which TLVs share one ECPDU, and fills a struct
 * vdp_pdu for each plan so vdp_pdu_encode() can write it.  Runs in the
 * control thread of tnved and nnved, pure.  Relies on vdp/vdp.h for the
 * types and limits and on ext/nvo3_ext_codes.h for the capability bit.
 *
 * The rule, in our words: a ULPDU opens with exactly one VSI Manager ID
 * TLV, and every VSI TLV after it belongs to that manager.  The standard
 * lets several VSI TLVs share a ULPDU, but lldpad sends and expects one,
 * so we pack several only for a peer that offered NVO3_CAP_MULTI_TLV.
 * A ULPDU may fill VDP_MAX_ULPDU octets (1500 less the ECP header and
 * the End TLV).
 *
 *   ULPDU: | 0a 10 | Manager ID (16) | VSI TLV | [Org TLVs] | VSI TLV | ...
 *   VSI TLV: | type(7) len(9) | 25 fixed octets | N x entry |
 *
 * We differ in: nothing from the standard; the grouping order is ours
 * (per manager, in first-seen order; input order kept inside a manager,
 * a new ULPDU opened when the next TLV does not fit).  TLV sizes come from
 * the codec's vdp_vsi_tlv_size().
 */
#include <errno.h>
#include <string.h>

#include "ext/nvo3_ext_codes.h"
#include "vdp/vdp_sm.h"

#define MGRID_TLV_LEN	(VDP_TLV_HDR_LEN + VDP_MGRID_LEN)

static bool
item_ok(const struct vdp_batch_item *it)
{
	return it->mgrid != NULL && it->tlv != NULL;
}

int
vdp_batch_plan(const struct vdp_batch_item *items, size_t n,
    uint32_t peer_caps, const struct vdp_codec_opts *opts,
    uint16_t *order, struct vdp_ulpdu_plan *plan, size_t plan_cap)
{
	bool multi = (peer_caps & NVO3_CAP_MULTI_TLV) != 0;
	size_t i, j, nout = 0, nplan = 0;
	struct vdp_ulpdu_plan *cur;

	if (n > UINT16_MAX)
		return -E2BIG;
	if (n && (!items || !order))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		size_t sz;

		if (!item_ok(&items[i]))
			return -EINVAL;
		sz = vdp_vsi_tlv_size(items[i].tlv, opts);
		if (sz == 0)
			return -EINVAL;
		if (sz - VDP_TLV_HDR_LEN > VDP_TLV_MAX_VALUE ||
		    MGRID_TLV_LEN + sz + items[i].extra > VDP_MAX_ULPDU)
			return -EMSGSIZE;
	}
	/*
	 * Item i opens a manager's group unless an earlier item has the same
	 * Manager ID (its group already took i).  O(n^2) compares, no
	 * scratch memory.
	 */
	for (i = 0; i < n; i++) {
		bool seen = false;

		for (j = 0; j < i && !seen; j++)
			seen = memcmp(items[j].mgrid, items[i].mgrid,
			    VDP_MGRID_LEN) == 0;
		if (seen)
			continue;
		cur = NULL;
		for (j = i; j < n; j++) {
			size_t sz;

			if (memcmp(items[j].mgrid, items[i].mgrid,
			    VDP_MGRID_LEN) != 0)
				continue;
			sz = vdp_vsi_tlv_size(items[j].tlv, opts) +
			    items[j].extra;
			if (cur == NULL || !multi ||
			    cur->count == VDP_MAX_VSI ||
			    cur->len + sz > VDP_MAX_ULPDU) {
				if (nplan == plan_cap)
					return -ENOSPC;
				cur = &plan[nplan++];
				cur->first = (uint16_t)nout;
				cur->count = 0;
				cur->len = MGRID_TLV_LEN;
			}
			order[nout++] = (uint16_t)j;
			cur->count++;
			cur->len += (uint16_t)sz;
		}
	}
	return (int)nplan;
}

int
vdp_batch_fill(const struct vdp_batch_item *items, size_t n,
    const uint16_t *order, const struct vdp_ulpdu_plan *p,
    struct vdp_pdu *pdu)
{
	const uint8_t *mgrid;
	uint16_t i;

	if (!items || !order || !p || !pdu || p->count == 0 ||
	    p->count > VDP_MAX_VSI || (size_t)p->first + p->count > n)
		return -EINVAL;
	for (i = 0; i < p->count; i++)
		if (order[p->first + i] >= n)
			return -EINVAL;
	mgrid = items[order[p->first]].mgrid;
	memset(pdu, 0, sizeof(*pdu));
	memcpy(pdu->mgrid, mgrid, VDP_MGRID_LEN);
	for (i = 0; i < p->count; i++) {
		const struct vdp_batch_item *it = &items[order[p->first + i]];

		if (memcmp(it->mgrid, mgrid, VDP_MGRID_LEN) != 0)
			return -EINVAL;
		pdu->vsi[i] = *it->tlv;
	}
	pdu->nvsi = p->count;
	return 0;
}
