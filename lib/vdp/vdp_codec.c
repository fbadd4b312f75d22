/*
 * vdp_codec.c - VDP22 ULPDU octets <-> struct vdp_pdu (vdp.h).
 *
 * Owns the wire form of VDP: TLV framing, the association TLV fields, the
 * filter entry formats 1..4 and our IP formats 5 and 6, the Org TLV
 * envelope, and the small helpers the station and bridge machines
 * (vdp_station.c, vdp_bridge.c) use to compare VSIs and filters.  Pure: no
 * I/O, no clock, no allocation, no logging; any thread may call it.  It
 * relies on util/cursor.h for every read and write and on
 * ext/nvo3_ext_codes.h for the extension code points.
 *
 * The rule, in our words: an ECPDU's VDP payload opens with exactly one
 * VSI Manager ID TLV, then carries association TLVs (Pre-Associate,
 * Pre-Associate with resource reservation, Associate, De-Associate), each
 * optionally followed by organizationally defined TLVs that qualify it,
 * and ends at an End TLV or at the end of the data.  An association
 * TLV's value is exactly 25 octets plus N entries of one filter format.
 * Receivers skip TLV types they do not know by their length.
 *
 * We differ in: (1) an Org TLV shorter than its 3-octet OUI drops the
 * whole ULPDU, as does a ULPDU naming no VSI at all; (2) a VSI ID of the
 * MAC format must carry a non-zero MAC; (3) GroupIDs of formats 3..6 must
 * be a VNI (non-zero, high octet zero), per 802.1Qcy's NVO3 use; (4) a
 * single trailing zero octet is taken as padding; (5) we accept VID 1,
 * which lldpad refuses.  Content errors inside an association TLV keep
 * the framing and are reported per TLV, so a bridge can still answer that
 * VSI with an error code.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ext/nvo3_ext_codes.h"
#include "util/cursor.h"
#include "util/hex.h"
#include "vdp.h"

/* ---- names ----------------------------------------------------------- */

static const char *const err_names[VDP_E__COUNT] = {
	[VDP_E_NONE] = "none",
	[VDP_E_TRUNCATED] = "truncated",
	[VDP_E_NO_MGRID] = "no-manager-id",
	[VDP_E_DUP_MGRID] = "duplicate-manager-id",
	[VDP_E_MGRID_LEN] = "manager-id-length",
	[VDP_E_ASSOC_LEN] = "assoc-length",
	[VDP_E_FILTER_FMT] = "filter-format",
	[VDP_E_VSIID_FMT] = "vsiid-format",
	[VDP_E_VSIID_VALUE] = "vsiid-value",
	[VDP_E_VID] = "vid",
	[VDP_E_GROUP] = "groupid",
	[VDP_E_NO_ENTRIES] = "no-entries",
	[VDP_E_ORG_LEN] = "org-length",
	[VDP_E_TOO_MANY] = "too-many-tlvs",
	[VDP_E_RESERVED_TYPE] = "reserved-type",
	[VDP_E_NO_VSI] = "no-vsi",
	[VDP_E_STATUS] = "status-reserved-bit",
	[VDP_E_TOO_LONG] = "too-long",
};

const char *
vdp_err_name(enum vdp_err e)
{
	if ((unsigned)e >= VDP_E__COUNT || err_names[e] == NULL)
		return "unknown";
	return err_names[e];
}

const char *
vdp_mode_name(uint8_t mode)
{
	switch (mode) {
	case VDP_TLV_END:
		return "end";
	case VDP_TLV_PREASSOC:
		return "preassoc";
	case VDP_TLV_PREASSOC_RR:
		return "preassoc-rr";
	case VDP_TLV_ASSOC:
		return "assoc";
	case VDP_TLV_DEASSOC:
		return "deassoc";
	case VDP_TLV_MGRID:
		return "mgrid";
	case VDP_TLV_ORG:
		return "org";
	}
	return "reserved";
}

const char *
vdp_rsp_name(uint8_t code)
{
	switch (code & VDP_ST_CODE_MASK) {
	case VDP_RSP_SUCCESS:
		return "success";
	case VDP_RSP_INVALID_FORMAT:
		return "invalid-format";
	case VDP_RSP_NO_RESOURCES:
		return "insufficient-resources";
	case VDP_RSP_NO_VSI_MANAGER:
		return "no-vsi-manager";
	case VDP_RSP_OTHER:
		return "other-failure";
	case VDP_RSP_INVALID_VID_GROUP_MAC:
		return "invalid-vid-groupid-mac";
	}
	return "reserved";
}

const char *
vdp_vsiid_fmt_name(uint8_t fmt)
{
	switch (fmt) {
	case VDP_VSIID_IPV4:
		return "ipv4";
	case VDP_VSIID_IPV6:
		return "ipv6";
	case VDP_VSIID_MAC:
		return "mac";
	case VDP_VSIID_LOCAL:
		return "local";
	case VDP_VSIID_UUID:
		return "uuid";
	}
	return "unknown";
}

const char *
vdp_filter_fmt_name(uint8_t ffmt)
{
	switch (ffmt) {
	case VDP_FIF_VID:
		return "vid";
	case VDP_FIF_MAC_VID:
		return "mac-vid";
	case VDP_FIF_GROUP_VID:
		return "group-vid";
	case VDP_FIF_GROUP_MAC_VID:
		return "group-mac-vid";
	case NVO3_FIF_GROUP_MAC_IPV4_VID:
		return "group-mac-ipv4-vid";
	case NVO3_FIF_GROUP_MAC_IPV6_VID:
		return "group-mac-ipv6-vid";
	}
	return "unknown";
}

/* ---- filter entries -------------------------------------------------- */

/*
 * Filter entry layouts (big-endian; every entry of a TLV has the same):
 *
 *   fmt 1  VID               | PS/PCP/VID(2) |                        2
 *   fmt 2  MAC/VID           | MAC(6) | PS/PCP/VID(2) |               8
 *   fmt 3  GroupID/VID       | GroupID(4) | PS/PCP/VID(2) |           6
 *   fmt 4  GroupID/MAC/VID   | GroupID(4) | MAC(6) | PS/PCP/VID(2) |  12
 *   fmt 5  (ours) + IPv4     | GroupID(4) | MAC(6) | IPv4(4) | PPV(2) | 16
 *   fmt 6  (ours) + IPv6     | GroupID(4) | MAC(6) | IPv6(16) | PPV(2) | 28
 *
 * The PS/PCP/VID word:
 *    15  14 13 12  11 ...................... 0
 *   +---+--------+----------------------------+
 *   |PS |  PCP   |            VID             |
 *   +---+--------+----------------------------+
 */
struct fif {
	uint8_t	size;
	uint8_t	group;		/* has a GroupID */
	uint8_t	mac;		/* has a MAC */
	uint8_t	iplen;		/* 0, 4 or 16 */
};

static const struct fif fifs[] = {
	[VDP_FIF_VID] =			{ 2, 0, 0, 0 },
	[VDP_FIF_MAC_VID] =		{ 8, 0, 1, 0 },
	[VDP_FIF_GROUP_VID] =		{ 6, 1, 0, 0 },
	[VDP_FIF_GROUP_MAC_VID] =	{ 12, 1, 1, 0 },
	[NVO3_FIF_GROUP_MAC_IPV4_VID] =	{ 16, 1, 1, 4 },
	[NVO3_FIF_GROUP_MAC_IPV6_VID] =	{ 28, 1, 1, 16 },
};

/* Layout of a format whatever was negotiated, or NULL if unknown. */
static const struct fif *
fif_of(uint8_t ffmt)
{
	if (ffmt == 0 || ffmt >= sizeof(fifs) / sizeof(fifs[0]))
		return NULL;
	return &fifs[ffmt];
}

/* Layout of a format the peer may use under opts, or NULL. */
static const struct fif *
fif_allowed(uint8_t ffmt, const struct vdp_codec_opts *opts)
{
	switch (ffmt) {
	case VDP_FIF_VID:
	case VDP_FIF_MAC_VID:
		break;
	case VDP_FIF_GROUP_VID:
	case VDP_FIF_GROUP_MAC_VID:
		if (opts == NULL || !opts->group_ids)
			return NULL;
		break;
	case NVO3_FIF_GROUP_MAC_IPV4_VID:
	case NVO3_FIF_GROUP_MAC_IPV6_VID:
		if (opts == NULL || !opts->ip_filters)
			return NULL;
		break;
	default:
		return NULL;
	}
	return fif_of(ffmt);
}

size_t
vdp_filter_entry_size(uint8_t ffmt, const struct vdp_codec_opts *opts)
{
	const struct fif *f = fif_allowed(ffmt, opts);

	return f ? f->size : 0;
}

unsigned
vdp_filter_max(uint8_t ffmt)
{
	const struct fif *f = fif_of(ffmt);

	return f ? (VDP_TLV_MAX_VALUE - VDP_ASSOC_FIXED_LEN) / f->size : 0;
}

static void
entry_read(struct cur *c, const struct fif *f, struct vdp_filter *out)
{
	uint16_t w;

	memset(out, 0, sizeof(*out));
	if (f->group)
		out->group = cur_be32(c);
	if (f->mac)
		cur_copy(c, out->mac, sizeof(out->mac));
	if (f->iplen) {
		out->ip_family = f->iplen == 4 ? 4 : 6;
		cur_copy(c, out->ip, f->iplen);
	}
	w = cur_be16(c);
	out->ps = (w & VDP_VID_PS) ? 1 : 0;
	out->pcp = (uint8_t)((w & VDP_VID_PCP_MASK) >> VDP_VID_PCP_SHIFT);
	out->vid = w & VDP_VID_MASK;
}

static void
entry_write(struct wcur *w, const struct fif *f, const struct vdp_filter *in)
{
	if (f->group)
		wcur_be32(w, in->group);
	if (f->mac)
		wcur_bytes(w, in->mac, sizeof(in->mac));
	if (f->iplen)
		wcur_bytes(w, in->ip, f->iplen);
	wcur_be16(w, (uint16_t)((in->ps ? VDP_VID_PS : 0) |
	    (in->pcp << VDP_VID_PCP_SHIFT) | (in->vid & VDP_VID_MASK)));
}

void
vdp_filter_at(const struct vdp_vsi_tlv *t, unsigned i, struct vdp_filter *out)
{
	const struct fif *f = fif_of(t->ffmt);
	struct cur c;

	memset(out, 0, sizeof(*out));
	if (f == NULL || i >= t->nfilter)
		return;
	if (t->filters != NULL) {
		/* only what the format carries, as a decode would see it */
		const struct vdp_filter *in = &t->filters[i];

		if (f->group)
			out->group = in->group;
		if (f->mac)
			memcpy(out->mac, in->mac, sizeof(out->mac));
		if (f->iplen) {
			out->ip_family = f->iplen == 4 ? 4 : 6;
			memcpy(out->ip, in->ip, f->iplen);
		}
		out->ps = in->ps;
		out->pcp = in->pcp;
		out->vid = in->vid;
	} else if (t->fdata != NULL) {
		cur_init(&c, t->fdata + (size_t)i * f->size, f->size);
		entry_read(&c, f, out);
	}
}

/* ---- VSI ID ---------------------------------------------------------- */

static int
all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

/* VDP_E_NONE, VDP_E_VSIID_FMT or VDP_E_VSIID_VALUE. */
static enum vdp_err
vsiid_check(uint8_t fmt, const uint8_t id[VDP_VSIID_LEN])
{
	switch (fmt) {
	case VDP_VSIID_IPV4:
		if (!all_zero(id, 10) || id[10] != 0xff || id[11] != 0xff ||
		    all_zero(id + 12, 4))
			return VDP_E_VSIID_VALUE;
		return VDP_E_NONE;
	case VDP_VSIID_MAC:
		if (!all_zero(id, 10) || all_zero(id + 10, 6))
			return VDP_E_VSIID_VALUE;
		return VDP_E_NONE;
	case VDP_VSIID_IPV6:
	case VDP_VSIID_UUID:
		return all_zero(id, VDP_VSIID_LEN) ? VDP_E_VSIID_VALUE :
		    VDP_E_NONE;
	case VDP_VSIID_LOCAL:
		return VDP_E_NONE;
	}
	return VDP_E_VSIID_FMT;
}

int
vdp_vsiid_fmt(uint8_t fmt, const uint8_t id[VDP_VSIID_LEN], char *out,
    size_t outsz)
{
	char buf[VDP_VSIID_STRLEN];
	size_t n;

	if (vsiid_check(fmt, id) != VDP_E_NONE)
		fmt = VDP_VSIID_LOCAL;
	switch (fmt) {
	case VDP_VSIID_IPV4:
		inet_ntop(AF_INET, id + 12, buf, sizeof(buf));
		break;
	case VDP_VSIID_IPV6:
		inet_ntop(AF_INET6, id, buf, sizeof(buf));
		break;
	case VDP_VSIID_MAC:
		snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x",
		    id[10], id[11], id[12], id[13], id[14], id[15]);
		break;
	case VDP_VSIID_UUID:
		snprintf(buf, sizeof(buf), "%02x%02x%02x%02x-%02x%02x-"
		    "%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		    id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7],
		    id[8], id[9], id[10], id[11], id[12], id[13], id[14],
		    id[15]);
		break;
	default:
		for (int i = 0; i < VDP_VSIID_LEN; i++)
			snprintf(buf + 2 * i, 3, "%02x", id[i]);
		break;
	}
	n = strlen(buf);
	if (out == NULL || n >= outsz)
		return -ENOBUFS;
	memcpy(out, buf, n + 1);
	return (int)n;
}

int
vdp_uuid_parse(const char *s, uint8_t out[VDP_VSIID_LEN])
{
	uint8_t id[VDP_VSIID_LEN];
	size_t len;
	int hyphens, n = 0;

	if (s == NULL)
		return -EINVAL;
	len = strlen(s);
	if (len == 36)
		hyphens = 1;
	else if (len == 32)
		hyphens = 0;
	else
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (hyphens && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (s[i] != '-')
				return -EINVAL;
			continue;
		}
		if (i + 1 >= len)
			return -EINVAL;
		hi = hex_nibble(s[i]);
		lo = hex_nibble(s[i + 1]);
		if (hi < 0 || lo < 0 || n >= VDP_VSIID_LEN)
			return -EINVAL;
		id[n++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	if (n != VDP_VSIID_LEN)
		return -EINVAL;
	memcpy(out, id, sizeof(id));
	return 0;
}

/* ---- comparisons ----------------------------------------------------- */

int
vdp_vsi_same(const struct vdp_vsi_tlv *a, const struct vdp_vsi_tlv *b)
{
	return a->type_id == b->type_id && a->type_ver == b->type_ver &&
	    a->vsiid_fmt == b->vsiid_fmt && a->ffmt == b->ffmt &&
	    memcmp(a->vsiid, b->vsiid, VDP_VSIID_LEN) == 0;
}

int
vdp_filters_match(const struct vdp_vsi_tlv *req,
    const struct vdp_vsi_tlv *rsp)
{
	if (req->ffmt != rsp->ffmt || req->nfilter != rsp->nfilter ||
	    fif_of(req->ffmt) == NULL)
		return 0;
	for (unsigned i = 0; i < req->nfilter; i++) {
		struct vdp_filter q, r;

		vdp_filter_at(req, i, &q);
		vdp_filter_at(rsp, i, &r);
		if (q.group != r.group || memcmp(q.mac, r.mac, 6) != 0 ||
		    q.ip_family != r.ip_family || memcmp(q.ip, r.ip, 16) != 0)
			return 0;
		if (q.vid == 0)
			continue;
		if (q.vid != r.vid)
			return 0;
		if (q.ps && (q.ps != r.ps || q.pcp != r.pcp))
			return 0;
	}
	return 1;
}

/* ---- decode ---------------------------------------------------------- */

/*
 * TLV header (2 octets), as in LLDP:
 *
 *    15 ........ 9  8 ............... 0
 *   +--------------+-------------------+
 *   |  type (7)    |   length (9)      |   length counts the value only
 *   +--------------+-------------------+
 */
#define TLV_TYPE(h)	((uint8_t)((h) >> 9))
#define TLV_LEN(h)	((uint16_t)((h) & 0x1ff))
#define TLV_HDR(t, l)	((uint16_t)((unsigned)(t) << 9 | (l)))

/*
 * Association TLV value (types 1..4), offsets within the value:
 *
 *    0        1               4         5          6
 *   +--------+---------------+---------+----------+------------------+
 *   | status | VSI Type ID   | Type    | VSI ID   | VSI ID (16)      |
 *   |  (1)   |   (3)         | Ver (1) | fmt (1)  |                  |
 *   +--------+---------------+---------+----------+------------------+
 *   22          23                25
 *   +----------+-----------------+---------------------------------+
 *   | filter   | N (2)           | N entries of the format's size  |
 *   | fmt (1)  |                 | (layouts above)                 |
 *   +----------+-----------------+---------------------------------+
 *
 * Content errors are noted in t->err (first one found, in wire order);
 * fdata is set only when the entries are framed exactly.
 */
static void
assoc_decode(struct cur *v, uint8_t type, const struct vdp_codec_opts *opts,
    struct vdp_vsi_tlv *t)
{
	const struct fif *f;
	size_t vlen = cur_left(v);

	memset(t, 0, sizeof(*t));
	t->mode = type;
	t->status = cur_u8(v);
	t->type_id = cur_be24(v);
	t->type_ver = cur_u8(v);
	t->vsiid_fmt = cur_u8(v);
	cur_copy(v, t->vsiid, VDP_VSIID_LEN);
	t->ffmt = cur_u8(v);
	t->nfilter = cur_be16(v);
	if (cur_err(v) != 0) {
		t->err = VDP_E_ASSOC_LEN;
		return;
	}
	if (t->status & VDP_ST_RESERVED) {
		t->err = VDP_E_STATUS;
		return;
	}
	if ((t->err = vsiid_check(t->vsiid_fmt, t->vsiid)) != VDP_E_NONE)
		return;
	if ((f = fif_allowed(t->ffmt, opts)) == NULL) {
		t->err = VDP_E_FILTER_FMT;
		return;
	}
	if (vlen != VDP_ASSOC_FIXED_LEN + (size_t)t->nfilter * f->size) {
		t->err = VDP_E_ASSOC_LEN;
		return;
	}
	if (t->nfilter == 0) {
		t->err = VDP_E_NO_ENTRIES;
		return;
	}
	t->fdata = cur_take(v, (size_t)t->nfilter * f->size);
	for (unsigned i = 0; i < t->nfilter; i++) {
		struct vdp_filter e;

		vdp_filter_at(t, i, &e);
		if (e.vid > 4094) {		/* 4095 is reserved */
			t->err = VDP_E_VID;
			return;
		}
		/*
		 * GroupID 0 names nothing.  The high octet must be zero only
		 * where the GroupID carries a VNI (802.1Qcy): our IP formats
		 * always, the standard formats once VNI-in-GroupID is agreed;
		 * a plain 802.1Q peer may use all 32 bits.
		 */
		if (f->group && (e.group == 0 || ((e.group >> 24) != 0 &&
		    (t->ffmt > VDP_FIF_GROUP_MAC_VID || opts->vni_groupid)))) {
			t->err = VDP_E_GROUP;
			return;
		}
	}
}

static int
drop(enum vdp_err *why, enum vdp_err e, int rc)
{
	if (why != NULL)
		*why = e;
	return rc;
}

/*
 * ULPDU layout:
 *
 *   +--------+-----------------+---------------+----------+-----+-------+
 *   | 0a 10  | Manager ID (16) | assoc TLV ... | Org TLVs | ... | 00 00 |
 *   +--------+-----------------+---------------+----------+-----+-------+
 *     type 5, length 16           types 1..4     type 127        End (or
 *                                                                 end of
 *                                                                 data)
 *
 * Org TLV value: | OUI/CID (3) | organisation data (length - 3) |
 */
int
vdp_pdu_decode(const uint8_t *buf, size_t len,
    const struct vdp_codec_opts *opts, struct vdp_pdu *pdu,
    enum vdp_err *why)
{
	struct cur c;
	size_t end;
	uint16_t h;

	memset(pdu, 0, sizeof(*pdu));
	if (len > UINT16_MAX)
		return drop(why, VDP_E_TOO_LONG, -EMSGSIZE);
	cur_init(&c, buf, len);

	if (cur_left(&c) < VDP_TLV_HDR_LEN)
		return drop(why, len == 0 ? VDP_E_NO_MGRID : VDP_E_TRUNCATED,
		    -EBADMSG);
	h = cur_be16(&c);
	if (TLV_TYPE(h) != VDP_TLV_MGRID)
		return drop(why, VDP_E_NO_MGRID, -EBADMSG);
	if (TLV_LEN(h) > cur_left(&c))
		return drop(why, VDP_E_TRUNCATED, -EBADMSG);
	if (TLV_LEN(h) != VDP_MGRID_LEN)
		return drop(why, VDP_E_MGRID_LEN, -EBADMSG);
	cur_copy(&c, pdu->mgrid, VDP_MGRID_LEN);

	for (;;) {
		size_t off = end = cur_off(&c);
		uint8_t type;
		struct cur v;

		if (cur_left(&c) == 0)
			break;
		if (cur_left(&c) == 1) {
			if (buf[off] != 0)
				return drop(why, VDP_E_TRUNCATED, -EBADMSG);
			break;		/* one octet of zero padding */
		}
		h = cur_be16(&c);
		type = TLV_TYPE(h);
		if (type == VDP_TLV_END)
			break;		/* whatever its length field says */
		if (TLV_LEN(h) > cur_left(&c))
			return drop(why, VDP_E_TRUNCATED, -EBADMSG);
		v = cur_sub(&c, TLV_LEN(h));

		switch (type) {
		case VDP_TLV_MGRID:
			return drop(why, VDP_E_DUP_MGRID, -EBADMSG);
		case VDP_TLV_PREASSOC:
		case VDP_TLV_PREASSOC_RR:
		case VDP_TLV_ASSOC:
		case VDP_TLV_DEASSOC:
			if (pdu->nvsi >= VDP_MAX_VSI)
				return drop(why, VDP_E_TOO_MANY, -EBADMSG);
			assoc_decode(&v, type, opts, &pdu->vsi[pdu->nvsi]);
			pdu->vsi[pdu->nvsi].off = (uint16_t)off;
			pdu->nvsi++;
			break;
		case VDP_TLV_ORG: {
			struct vdp_org_tlv *o;

			if (TLV_LEN(h) < 3)
				return drop(why, VDP_E_ORG_LEN, -EBADMSG);
			if (pdu->norg >= VDP_MAX_ORG)
				return drop(why, VDP_E_TOO_MANY, -EBADMSG);
			o = &pdu->org[pdu->norg++];
			o->oui = cur_be24(&v);
			o->len = (uint16_t)cur_left(&v);
			o->data = cur_take(&v, o->len);
			o->after = (int16_t)(pdu->nvsi - 1);
			o->off = (uint16_t)off;
			break;
		}
		default:
			pdu->nunknown++;	/* reserved 6..126: skip */
			break;
		}
	}
	pdu->len = (uint16_t)end;	/* octets before End TLV / padding */
	if (pdu->nvsi == 0)
		return drop(why, VDP_E_NO_VSI, -EBADMSG);
	return drop(why, VDP_E_NONE, 0);
}

/* ---- encode ---------------------------------------------------------- */

size_t
vdp_vsi_tlv_size(const struct vdp_vsi_tlv *t,
    const struct vdp_codec_opts *opts)
{
	const struct fif *f = fif_allowed(t->ffmt, opts);

	if (f == NULL)
		return 0;
	return VDP_TLV_HDR_LEN + VDP_ASSOC_FIXED_LEN +
	    (size_t)t->nfilter * f->size;
}

/* Checks one VSI TLV for encoding; returns its wire size or -errno. */
static long
vsi_check(const struct vdp_vsi_tlv *t, const struct vdp_codec_opts *opts)
{
	size_t sz;

	if (t->mode < VDP_TLV_PREASSOC || t->mode > VDP_TLV_DEASSOC ||
	    (t->status & VDP_ST_RESERVED) || t->type_id > 0xffffff)
		return -EINVAL;
	if ((sz = vdp_vsi_tlv_size(t, opts)) == 0)
		return -EINVAL;
	/* entries come from ->filters, else as decoded octets from ->fdata */
	if (t->nfilter > 0 && t->filters == NULL && t->fdata == NULL)
		return -EINVAL;
	for (unsigned i = 0; t->filters != NULL && i < t->nfilter; i++) {
		const struct vdp_filter *e = &t->filters[i];

		if (e->ps > 1 || e->pcp > 7 || e->vid > VDP_VID_MASK)
			return -EINVAL;
	}
	if (sz - VDP_TLV_HDR_LEN > VDP_TLV_MAX_VALUE)
		return -EMSGSIZE;
	return (long)sz;
}

static void
vsi_write(struct wcur *w, const struct vdp_vsi_tlv *t,
    const struct vdp_codec_opts *opts)
{
	const struct fif *f = fif_allowed(t->ffmt, opts);

	wcur_be16(w, TLV_HDR(t->mode, VDP_ASSOC_FIXED_LEN +
	    t->nfilter * f->size));
	wcur_u8(w, t->status);
	wcur_be24(w, t->type_id);
	wcur_u8(w, t->type_ver);
	wcur_u8(w, t->vsiid_fmt);
	wcur_bytes(w, t->vsiid, VDP_VSIID_LEN);
	wcur_u8(w, t->ffmt);
	wcur_be16(w, t->nfilter);
	if (t->filters == NULL) {	/* a decoded TLV echoed back */
		wcur_bytes(w, t->fdata, (size_t)t->nfilter * f->size);
		return;
	}
	for (unsigned i = 0; i < t->nfilter; i++)
		entry_write(w, f, &t->filters[i]);
}

static void
orgs_write(struct wcur *w, const struct vdp_pdu *pdu, int after)
{
	for (unsigned i = 0; i < pdu->norg; i++) {
		const struct vdp_org_tlv *o = &pdu->org[i];

		if (o->after != after)
			continue;
		wcur_be16(w, TLV_HDR(VDP_TLV_ORG, 3 + o->len));
		wcur_be24(w, o->oui);
		wcur_bytes(w, o->data, o->len);
	}
}

int
vdp_pdu_encode(const struct vdp_pdu *pdu, const struct vdp_codec_opts *opts,
    uint8_t *buf, size_t cap)
{
	struct wcur w;
	size_t total = VDP_TLV_HDR_LEN + VDP_MGRID_LEN;

	if (pdu->nvsi == 0 || pdu->nvsi > VDP_MAX_VSI ||
	    pdu->norg > VDP_MAX_ORG)
		return -EINVAL;
	for (unsigned i = 0; i < pdu->norg; i++) {
		const struct vdp_org_tlv *o = &pdu->org[i];

		if (o->after < -1 || o->after >= (int)pdu->nvsi ||
		    (o->len > 0 && o->data == NULL) || o->oui > 0xffffff)
			return -EINVAL;
		if (3 + (size_t)o->len > VDP_TLV_MAX_VALUE)
			return -EMSGSIZE;
		total += VDP_TLV_HDR_LEN + 3 + o->len;
	}
	for (unsigned i = 0; i < pdu->nvsi; i++) {
		long sz = vsi_check(&pdu->vsi[i], opts);

		if (sz < 0)
			return (int)sz;
		total += (size_t)sz;
	}
	if (total > VDP_MAX_ULPDU)
		return -EMSGSIZE;
	if (total > cap || buf == NULL)
		return -ENOBUFS;

	wcur_init(&w, buf, cap);
	wcur_be16(&w, TLV_HDR(VDP_TLV_MGRID, VDP_MGRID_LEN));
	wcur_bytes(&w, pdu->mgrid, VDP_MGRID_LEN);
	orgs_write(&w, pdu, -1);
	for (unsigned i = 0; i < pdu->nvsi; i++) {
		vsi_write(&w, &pdu->vsi[i], opts);
		orgs_write(&w, pdu, (int)i);
	}
	if (wcur_room(&w) >= VDP_TLV_HDR_LEN)
		wcur_be16(&w, TLV_HDR(VDP_TLV_END, 0));
	if (wcur_err(&w) != 0)
		return wcur_err(&w);
	return (int)wcur_len(&w);
}

int
vdp_org_next(const struct vdp_pdu *pdu, uint32_t oui, uint8_t subtype,
    int after, int from)
{
	for (int i = from < 0 ? 0 : from; i < pdu->norg && i < VDP_MAX_ORG;
	    i++) {
		const struct vdp_org_tlv *o = &pdu->org[i];

		if (o->oui == oui && o->len >= 1 && o->data[0] == subtype &&
		    (after == VDP_ORG_ANY || o->after == after))
			return i;
	}
	return -1;
}
