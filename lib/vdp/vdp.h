/*
 * vdp.h - VDP22 (IEEE 802.1Q clause 41) wire types and the pure codec.
 *
 * A VDP ULPDU is what one ECPDU carries: a VSI Manager ID TLV first, one or
 * more VSI association TLVs, organizationally defined TLVs after the TLV
 * they qualify, and an optional End TLV (type 0) or zero padding.  The
 * codec converts between octets and the structs below; it does no I/O,
 * keeps no state and never allocates.  Decoded structs point into the
 * caller's buffer (filter entries and Org TLV values), so the buffer must
 * outlive them.
 *
 * Extensions of ours (IP filter formats, see lib/ext/nvo3_ext_codes.h) are
 * accepted only when the caller says the peer negotiated them.
 *
 * Implemented in vdp_codec.c; any thread may call it.
 */
#ifndef SPLITNVE_VDP_VDP_H
#define SPLITNVE_VDP_VDP_H

#include <stddef.h>
#include <stdint.h>

/* ---- TLV types (7-bit type, 9-bit length header) ------------------- */
#define VDP_TLV_END		0
#define VDP_TLV_PREASSOC	1
#define VDP_TLV_PREASSOC_RR	2
#define VDP_TLV_ASSOC		3
#define VDP_TLV_DEASSOC		4
#define VDP_TLV_MGRID		5
#define VDP_TLV_ORG		127

#define VDP_TLV_HDR_LEN		2
#define VDP_TLV_MAX_VALUE	511	/* 9-bit length */
#define VDP_MGRID_LEN		16
#define VDP_VSIID_LEN		16
#define VDP_ASSOC_FIXED_LEN	25	/* value octets before the entries */
#define VDP_MAX_ULPDU		1494	/* 1500 - ECP header - End TLV */

/* ---- Status octet ---------------------------------------------------- */
#define VDP_ST_RESERVED		0x80
#define VDP_ST_RESPONSE		0x40
#define VDP_ST_SBIT		0x20	/* request: migrating away (source) */
#define VDP_ST_KEEP		0x20	/* response: refused, state kept */
#define VDP_ST_MBIT		0x10	/* request: migrating in (dest) */
#define VDP_ST_HARD		0x10	/* response: hard (non-transient) */
#define VDP_ST_CODE_MASK	0x0f

enum vdp_rsp_code {
	VDP_RSP_SUCCESS = 0,
	VDP_RSP_INVALID_FORMAT = 1,
	VDP_RSP_NO_RESOURCES = 2,
	VDP_RSP_NO_VSI_MANAGER = 3,
	VDP_RSP_OTHER = 4,
	VDP_RSP_INVALID_VID_GROUP_MAC = 5,
};

/* ---- VSI ID formats -------------------------------------------------- */
enum vdp_vsiid_fmt {
	VDP_VSIID_IPV4 = 1,	/* IPv4-mapped IPv6 in 16 octets */
	VDP_VSIID_IPV6 = 2,
	VDP_VSIID_MAC = 3,	/* 10 zero octets + MAC */
	VDP_VSIID_LOCAL = 4,
	VDP_VSIID_UUID = 5,
};

/* ---- Filter Info formats --------------------------------------------- */
enum vdp_filter_fmt {
	VDP_FIF_VID = 1,		/* entry: PS/PCP/VID(2) */
	VDP_FIF_MAC_VID = 2,		/* MAC(6) PS/PCP/VID(2) */
	VDP_FIF_GROUP_VID = 3,		/* GroupID(4) PS/PCP/VID(2) */
	VDP_FIF_GROUP_MAC_VID = 4,	/* GroupID(4) MAC(6) PS/PCP/VID(2) */
	/* 5 and 6: NVO3_FIF_GROUP_MAC_IPV4_VID / _IPV6_VID (extension) */
};

#define VDP_VID_PS		0x8000
#define VDP_VID_PCP_MASK	0x7000
#define VDP_VID_PCP_SHIFT	12
#define VDP_VID_MASK		0x0fff

/* One filter entry, whatever its format; unused fields are zero. */
struct vdp_filter {
	uint32_t	group;		/* GroupID; VNI in the low 24 bits */
	uint8_t		mac[6];
	uint8_t		ip_family;	/* 0, 4 or 6 (formats 5 and 6) */
	uint8_t		ip[16];		/* IPv4 in ip[0..3] */
	uint8_t		ps;		/* 0 or 1 */
	uint8_t		pcp;		/* 0..7 */
	uint16_t	vid;		/* 0..4095; 0 in a request = assign */
};

/*
 * Why decoding failed.  [P] drops the whole ULPDU (vdp_pdu_decode's *why);
 * [T] marks one association TLV (its ->err) whose framing is intact, so a
 * bridge can still answer that VSI with an error code.  The first [T]
 * error in wire order wins.
 */
enum vdp_err {
	VDP_E_NONE = 0,
	VDP_E_TRUNCATED,	/* [P] a TLV runs past the end of the ULPDU */
	VDP_E_NO_MGRID,		/* [P] first TLV is not a Manager ID */
	VDP_E_DUP_MGRID,	/* [P] a second Manager ID TLV */
	VDP_E_MGRID_LEN,	/* [P] Manager ID value is not 16 octets */
	VDP_E_ASSOC_LEN,	/* [T] length != 25 + N * entry size */
	VDP_E_FILTER_FMT,	/* [T] unknown or not negotiated format */
	VDP_E_VSIID_FMT,	/* [T] unknown VSI ID format */
	VDP_E_VSIID_VALUE,	/* [T] VSI ID not valid for its format */
	VDP_E_VID,		/* [T] VID 4095 (reserved) */
	VDP_E_GROUP,		/* [T] GroupID 0 or VNI high octet set */
	VDP_E_NO_ENTRIES,	/* [T] zero filter entries */
	VDP_E_ORG_LEN,		/* [P] Org TLV shorter than its OUI */
	VDP_E_TOO_MANY,		/* [P] more TLVs than VDP_MAX_VSI/ORG */
	VDP_E_RESERVED_TYPE,	/* TLV type 6..126: never returned; such
				   TLVs are skipped and counted */
	VDP_E_NO_VSI,		/* [P] Manager ID but no association TLV */
	VDP_E_STATUS,		/* [T] reserved status bit (0x80) set */
	VDP_E_TOO_LONG,		/* [P] input over 65535 octets */
	VDP_E__COUNT
};
const char *vdp_err_name(enum vdp_err e);

/* One VSI association TLV (types 1..4). */
struct vdp_vsi_tlv {
	uint8_t		mode;		/* VDP_TLV_PREASSOC .. _DEASSOC */
	uint8_t		status;		/* raw status octet */
	uint32_t	type_id;	/* 24 bits */
	uint8_t		type_ver;
	uint8_t		vsiid_fmt;
	uint8_t		vsiid[VDP_VSIID_LEN];
	uint8_t		ffmt;		/* filter info format */
	uint16_t	nfilter;	/* N as on the wire */
	/*
	 * decode: points at the raw entries in the input buffer, or NULL
	 * when they cannot be framed (err is VDP_E_ASSOC_LEN or
	 * VDP_E_FILTER_FMT); read them with vdp_filter_at().
	 */
	const uint8_t	*fdata;
	/*
	 * encode: the entries to write (nfilter of them).  When NULL, the
	 * encoder copies ->fdata as decoded (a TLV echoed back in a reply);
	 * vdp_filter_at() likewise prefers ->filters.
	 */
	const struct vdp_filter *filters;
	enum vdp_err	err;		/* decode: VDP_E_NONE or why invalid */
	uint16_t	off;		/* decode: TLV offset in the ULPDU */
};

/* One organizationally defined TLV (type 127). */
struct vdp_org_tlv {
	uint32_t	oui;		/* 24-bit OUI / CID */
	const uint8_t	*data;		/* value after the OUI */
	uint16_t	len;		/* octets at data */
	int16_t		after;		/* index of the VSI TLV it follows */
	uint16_t	off;		/* TLV offset in the ULPDU */
};

#define VDP_MAX_VSI	56	/* (1494 - 18) / 27 rounded up */
#define VDP_MAX_ORG	16

/* A whole ULPDU. */
struct vdp_pdu {
	uint8_t		mgrid[VDP_MGRID_LEN];
	uint16_t	nvsi;
	struct vdp_vsi_tlv vsi[VDP_MAX_VSI];
	uint16_t	norg;
	struct vdp_org_tlv org[VDP_MAX_ORG];
	uint16_t	nunknown;	/* reserved-type TLVs skipped */
	uint16_t	len;		/* decode: octets up to the End TLV */
};

/* Negotiated extensions the codec must honour (caller sets them). */
struct vdp_codec_opts {
	unsigned	ip_filters:1;	/* accept/emit formats 5 and 6 */
	unsigned	group_ids:1;	/* formats 3/4 allowed (BGID+SGID) */
	unsigned	vni_groupid:1;	/* GroupID carries a VNI: high octet 0 */
};

/*
 * Entry size in octets for a filter format, 0 if unknown or (for the
 * extension formats) not enabled in opts.
 */
size_t	vdp_filter_entry_size(uint8_t ffmt, const struct vdp_codec_opts *opts);

/*
 * Most entries of format ffmt one TLV can carry within the 511-octet value
 * limit (243, 60, 81, 40, 30, 17 for formats 1..6); 0 if unknown.
 */
unsigned vdp_filter_max(uint8_t ffmt);

/*
 * Reads entry i of a TLV into out: from fdata when the TLV was decoded,
 * else from filters when it was built for encoding, keeping only the
 * fields ffmt carries (so both read the same).  out is zero-filled when
 * i >= nfilter, ffmt is unknown or the TLV has no readable entries.
 */
void	vdp_filter_at(const struct vdp_vsi_tlv *t, unsigned i,
	    struct vdp_filter *out);

/*
 * Decodes a ULPDU.  Returns 0 when the framing is sound (each VSI TLV then
 * carries its own ->err, and *why is VDP_E_NONE), or -EBADMSG with *why
 * set when the ULPDU as a whole must be dropped: a TLV or trailing octet
 * runs past the end (TRUNCATED), first TLV not a Manager ID (NO_MGRID),
 * a second one (DUP_MGRID), Manager ID value not 16 octets (MGRID_LEN),
 * an Org TLV shorter than 3 octets (ORG_LEN), more than VDP_MAX_VSI or
 * VDP_MAX_ORG TLVs (TOO_MANY), no association TLV (NO_VSI).  Input over
 * 65535 octets returns -EMSGSIZE (TOO_LONG).  Never reads past buf + len.
 * why may be NULL.
 */
int	vdp_pdu_decode(const uint8_t *buf, size_t len,
	    const struct vdp_codec_opts *opts, struct vdp_pdu *pdu,
	    enum vdp_err *why);

/*
 * Encodes a ULPDU: the Manager ID, the Org TLVs whose after is -1, then
 * each VSI TLV followed by the Org TLVs whose after names it (in array
 * order), then an End TLV if 2 octets of room remain.  Returns the octet
 * count, or -EMSGSIZE (a TLV value over 511 octets, or the ULPDU without
 * its End TLV over VDP_MAX_ULPDU), -ENOBUFS (does not fit in cap) or
 * -EINVAL: nvsi 0 or over VDP_MAX_VSI, norg over VDP_MAX_ORG, an Org
 * after outside -1..nvsi-1 or NULL data with len > 0, mode not 1..4,
 * reserved status bit set, type_id over 24 bits, filter format unknown or
 * not enabled in opts, filters NULL with nfilter > 0, ps > 1, pcp > 7 or
 * vid > 4095.  Semantic checks (VSI ID value, GroupID, VID 4095) are the
 * caller's, so a bridge can echo a bad request with an error code.  Nothing
 * is written unless the whole ULPDU is valid.
 */
int	vdp_pdu_encode(const struct vdp_pdu *pdu,
	    const struct vdp_codec_opts *opts, uint8_t *buf, size_t cap);

/*
 * Octets one VSI TLV (header included) takes on the wire, 0 if its filter
 * format is unknown or not enabled in opts.
 */
size_t	vdp_vsi_tlv_size(const struct vdp_vsi_tlv *t,
	    const struct vdp_codec_opts *opts);

/*
 * 1 if a and b name the same VSI: type ID, type version, VSI ID format,
 * VSI ID and filter format all equal (the caller compares the Manager ID
 * of their ULPDUs), else 0.
 */
int	vdp_vsi_same(const struct vdp_vsi_tlv *a, const struct vdp_vsi_tlv *b);

/*
 * 1 if a response's filters answer the request's: same format and N, and
 * per entry equal GroupID, MAC and IP; the VID is compared only when the
 * request's VID was non-zero, and PS/PCP too only when the request's PS
 * was 1.  Else 0 (the station then reports status 5 locally).
 */
int	vdp_filters_match(const struct vdp_vsi_tlv *req,
	    const struct vdp_vsi_tlv *rsp);

/*
 * Index of the first Org TLV at index from or later whose OUI is oui,
 * whose value starts with the octet subtype, and that follows the VSI
 * TLV numbered after (VDP_ORG_ANY: wherever it stands); -1 when none.
 * Walk all of them with from = previous index + 1.
 */
#define VDP_ORG_ANY	(-2)
int	vdp_org_next(const struct vdp_pdu *pdu, uint32_t oui, uint8_t subtype,
	    int after, int from);

/* Names for logs and the CLI ("?" style fallbacks, never NULL). */
const char *vdp_mode_name(uint8_t mode);
const char *vdp_rsp_name(uint8_t code);
const char *vdp_vsiid_fmt_name(uint8_t fmt);
const char *vdp_filter_fmt_name(uint8_t ffmt);

/* Room for any VSI ID text of vdp_vsiid_fmt(), NUL included. */
#define VDP_VSIID_STRLEN	48

/*
 * Writes a VSI ID as text by its format: UUID 8-4-4-4-12 (format 5),
 * aa:bb:cc:dd:ee:ff (3), dotted IPv4 (1), IPv6 (2); 32 hex digits for a
 * local ID (4), an unknown format, or a value not valid for its format.
 * Returns the text length, or -ENOBUFS if out (outsz octets) is too small.
 */
int	vdp_vsiid_fmt(uint8_t fmt, const uint8_t id[VDP_VSIID_LEN], char *out,
	    size_t outsz);

/*
 * Parses a UUID, 8-4-4-4-12 hex digits (either case) or 32 hex digits
 * without hyphens.  Returns 0, or -EINVAL (out untouched).
 */
int	vdp_uuid_parse(const char *s, uint8_t out[VDP_VSIID_LEN]);

#endif /* SPLITNVE_VDP_VDP_H */
