/*
 * lldp_codec.c - the LLDPDU codec: one Ethernet frame <-> struct lldp_pdu.
 *
 * Owns: the wire layout of LLDPDUs as the nearest-customer-bridge agent of
 * an EVB port sees them, the EVB TLV and our two NVO3 TLVs.  Pure: no
 * syscalls, no clock, no logging, no allocation; any thread may call it.
 * Relies on: lib/util/cursor.h for every read and write,
 * lib/ext/nvo3_ext_codes.h for our code points.
 *
 * The rule (802.1AB, in our words): an LLDPDU is a row of TLVs, each with
 * a 7-bit type and a 9-bit length.  Chassis ID, Port ID and TTL come first,
 * in that order, exactly once; optional TLVs follow; an End TLV (type 0,
 * length 0) closes the PDU.  A receiver throws the whole PDU away when the
 * three mandatory TLVs are missing, out of order or malformed, and skips
 * TLVs it does not know.  The EVB TLV (802.1Q D.2.12) is an organisation
 * TLV under OUI 00-80-C2, subtype 0x0D, with exactly 9 octets of value.
 *
 * We differ in:
 *  - a frame that ends right after a TLV, without End, is accepted and
 *    flagged (pdu->no_end), because some senders omit it;
 *  - a second EVB (or capability, or ECP-destination) TLV, or one of the
 *    wrong length, drops the whole PDU rather than only that TLV: two
 *    different EVB TLVs from one peer leave no value we could trust;
 *  - reserved bits of the EVB TLV are ignored on receipt and sent as 0;
 *  - only untagged frames: the caller strips any 802.1Q tag first.
 */
#include <errno.h>
#include <string.h>

#include "ext/nvo3_ext_codes.h"
#include "lldp/lldp.h"
#include "util/cursor.h"

const uint8_t lldp_mac_ncb[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };
const uint8_t lldp_mac_nntpmr[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x03 };
const uint8_t lldp_mac_nb[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e };

static const struct {
	const char	*name;
	int		 err;
} lldp_errs[LLDP_E__COUNT] = {
	[LLDP_E_NONE] =		{ "none", 0 },
	[LLDP_E_SHORT_FRAME] =	{ "short-frame", -EBADMSG },
	[LLDP_E_ETHERTYPE] =	{ "wrong-ethertype", -ENOMSG },
	[LLDP_E_DST] =		{ "wrong-destination", -ENOMSG },
	[LLDP_E_TLV_TRUNC] =	{ "tlv-past-end", -EBADMSG },
	[LLDP_E_NO_CHASSIS] =	{ "no-chassis-id", -EPROTO },
	[LLDP_E_NO_PORT] =	{ "no-port-id", -EPROTO },
	[LLDP_E_NO_TTL] =	{ "no-ttl", -EPROTO },
	[LLDP_E_CHASSIS_LEN] =	{ "chassis-id-length", -EPROTO },
	[LLDP_E_PORT_LEN] =	{ "port-id-length", -EPROTO },
	[LLDP_E_TTL_LEN] =	{ "ttl-length", -EPROTO },
	[LLDP_E_DUP_MANDATORY] = { "duplicate-mandatory", -EPROTO },
	[LLDP_E_END_LEN] =	{ "end-length", -EPROTO },
	[LLDP_E_ORG_LEN] =	{ "org-tlv-length", -EPROTO },
	[LLDP_E_EVB_LEN] =	{ "evb-length", -EPROTO },
	[LLDP_E_DUP_EVB] =	{ "duplicate-evb", -EPROTO },
	[LLDP_E_CAPS_LEN] =	{ "caps-length", -EPROTO },
	[LLDP_E_DUP_CAPS] =	{ "duplicate-caps", -EPROTO },
	[LLDP_E_ECPDEST_LEN] =	{ "ecpdest-length", -EPROTO },
	[LLDP_E_DUP_ECPDEST] =	{ "duplicate-ecpdest", -EPROTO },
	[LLDP_E_ECPDEST_KIND] =	{ "ecpdest-kind", -EINVAL },
	[LLDP_E_ECPDEST_MAC] =	{ "ecpdest-mac", -EINVAL },
};

const char *
lldp_err_name(enum lldp_err e)
{
	if ((unsigned)e >= LLDP_E__COUNT)
		return "?";
	return lldp_errs[e].name;
}

int
lldp_err_errno(enum lldp_err e)
{
	if ((unsigned)e >= LLDP_E__COUNT)
		return -EINVAL;
	return lldp_errs[e].err;
}

const char *
lldp_evb_mode_name(uint8_t mode)
{
	static const char *const names[] = {
		"none", "bridge", "station", "nvo3"
	};

	return mode < 4 ? names[mode] : "?";
}

bool
lldp_mac_is_group(const uint8_t mac[6])
{
	return memcmp(mac, lldp_mac_ncb, 6) == 0 ||
	    memcmp(mac, lldp_mac_nntpmr, 6) == 0 ||
	    memcmp(mac, lldp_mac_nb, 6) == 0;
}

bool
lldp_evb_equal(const struct lldp_evb_tlv *a, const struct lldp_evb_tlv *b)
{
	return a->bgid == b->bgid && a->rrcap == b->rrcap &&
	    a->rrctr == b->rrctr && a->sgid == b->sgid &&
	    a->rrreq == b->rrreq && a->rrstat == b->rrstat &&
	    a->r == b->r && a->rte == b->rte && a->mode == b->mode &&
	    a->rwd_rol == b->rwd_rol && a->rwd == b->rwd &&
	    a->rka_rol == b->rka_rol && a->rka == b->rka;
}

bool
lldp_id_equal(const struct lldp_id *a, const struct lldp_id *b)
{
	return a->subtype == b->subtype && a->len == b->len &&
	    memcmp(a->id, b->id, a->len) == 0;
}

/*
 * ECP-destination rules (ours): GROUP carries 01-80-C2-00-00-00 itself;
 * UNICAST an individual, non-zero MAC; MCAST a group MAC outside the
 * reserved 01-80-C2-00-00-0X block and not broadcast.
 */
static enum lldp_err
ecpdest_check(const struct lldp_ecpdest *d)
{
	static const uint8_t zero[6], bcast[6] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};

	switch (d->kind) {
	case NVO3_ECPDEST_GROUP:
		if (memcmp(d->mac, lldp_mac_ncb, 6) != 0)
			return LLDP_E_ECPDEST_MAC;
		return LLDP_E_NONE;
	case NVO3_ECPDEST_UNICAST:
		if ((d->mac[0] & 1) || memcmp(d->mac, zero, 6) == 0)
			return LLDP_E_ECPDEST_MAC;
		return LLDP_E_NONE;
	case NVO3_ECPDEST_MCAST:
		if (!(d->mac[0] & 1) || memcmp(d->mac, bcast, 6) == 0 ||
		    (memcmp(d->mac, lldp_mac_ncb, 5) == 0 &&
		    (d->mac[5] & 0xf0) == 0))
			return LLDP_E_ECPDEST_MAC;
		return LLDP_E_NONE;
	default:
		return LLDP_E_ECPDEST_KIND;
	}
}

int
lldp_ecpdest_check(const struct lldp_ecpdest *d)
{
	return ecpdest_check(d) == LLDP_E_NONE ? 0 : -EINVAL;
}

/*
 * EVB TLV value (after the 2-octet TLV header; 9 octets):
 *
 *   0    1    2    3    4        5        6       7         8
 *  +----+----+----+----+--------+--------+-------+---------+---------+
 *  | 00 | 80 | C2 | 0D | bridge | station| R|RTE | mode|RoL| RoL|RKA |
 *  |    OUI       | sub| status | status |       |   |RWD  |         |
 *  +----+----+----+----+--------+--------+-------+---------+---------+
 *
 *  bridge status:  7-3 reserved, 2 BGID, 1 RRCAP, 0 RRCTR
 *  station status: 7-4 reserved, 3 SGID, 2 RRREQ, 1-0 RRSTAT
 *  octet 6:        7-5 R (ECP retries), 4-0 RTE
 *  octet 7:        7-6 EVB mode, 5 RoL for RWD, 4-0 RWD
 *  octet 8:        7-6 reserved, 5 RoL for RKA, 4-0 RKA
 *
 * evb_value_read() starts at octet 4 (the OUI and subtype are already
 * matched by the caller).
 */
static void
evb_value_read(struct cur *c, struct lldp_evb_tlv *e)
{
	uint8_t b = cur_u8(c), s = cur_u8(c), rr = cur_u8(c);
	uint8_t mw = cur_u8(c), ka = cur_u8(c);

	e->bgid = (b & 0x04) != 0;
	e->rrcap = (b & 0x02) != 0;
	e->rrctr = (b & 0x01) != 0;
	e->sgid = (s & 0x08) != 0;
	e->rrreq = (s & 0x04) != 0;
	e->rrstat = s & 0x03;
	e->r = rr >> 5;
	e->rte = rr & 0x1f;
	e->mode = mw >> 6;
	e->rwd_rol = (mw & 0x20) != 0;
	e->rwd = mw & 0x1f;
	e->rka_rol = (ka & 0x20) != 0;
	e->rka = ka & 0x1f;
}

static int
evb_check(const struct lldp_evb_tlv *e)
{
	if (e->rrstat > 3 || e->r > 7 || e->rte > 31 || e->mode > 3 ||
	    e->rwd > 31 || e->rka > 31)
		return -EINVAL;
	return 0;
}

static void
evb_value_write(struct wcur *w, const struct lldp_evb_tlv *e)
{
	wcur_be24(w, LLDP_OUI_8021);
	wcur_u8(w, LLDP_EVB_SUBTYPE);
	wcur_u8(w, (uint8_t)((e->bgid ? 0x04 : 0) | (e->rrcap ? 0x02 : 0) |
	    (e->rrctr ? 0x01 : 0)));
	wcur_u8(w, (uint8_t)((e->sgid ? 0x08 : 0) | (e->rrreq ? 0x04 : 0) |
	    e->rrstat));
	wcur_u8(w, (uint8_t)(e->r << 5 | e->rte));
	wcur_u8(w, (uint8_t)(e->mode << 6 | (e->rwd_rol ? 0x20 : 0) | e->rwd));
	wcur_u8(w, (uint8_t)((e->rka_rol ? 0x20 : 0) | e->rka));
}

static void
tlv_hdr(struct wcur *w, unsigned type, unsigned len)
{
	wcur_be16(w, (uint16_t)(type << 9 | len));
}

/*
 * Our capability TLV (type 127, length 8):
 *
 *   0    1    2    3        4    5    6    7
 *  +----+----+----+------+-------------------+
 *  | AC | DE | 48 | 0x01 | capability bitmap |  NVO3_CAP_*, big-endian
 *  +----+----+----+------+-------------------+
 *
 * Our ECP-destination TLV (type 127, length 11):
 *
 *   0    1    2    3      4      5 .. 10
 *  +----+----+----+------+------+-----------+
 *  | AC | DE | 48 | 0x05 | kind | MAC       |
 *  +----+----+----+------+------+-----------+
 *
 *  kind 0 GROUP:   MAC is 01-80-C2-00-00-00 (the standard address)
 *  kind 1 UNICAST: MAC is the sender's own individual MAC
 *  kind 2 MCAST:   MAC is a group address outside 01-80-C2-00-00-0X
 *  It asks the receiver to send its ECPDUs for the sender to that MAC.
 */
static enum lldp_err
org_read(struct cur *v, size_t tlen, struct lldp_pdu *pdu)
{
	uint32_t oui;
	uint8_t sub;
	enum lldp_err e;

	if (tlen < 4)
		return LLDP_E_ORG_LEN;
	oui = cur_be24(v);
	sub = cur_u8(v);
	if (oui == LLDP_OUI_8021 && sub == LLDP_EVB_SUBTYPE) {
		if (pdu->has_evb)
			return LLDP_E_DUP_EVB;
		if (tlen != LLDP_EVB_VALUE_LEN)
			return LLDP_E_EVB_LEN;
		evb_value_read(v, &pdu->evb);
		pdu->has_evb = true;
	} else if (oui == NVO3_EXT_CID && sub == NVO3_EXT_ST_CAPS) {
		if (pdu->has_caps)
			return LLDP_E_DUP_CAPS;
		if (tlen != LLDP_CAPS_VALUE_LEN)
			return LLDP_E_CAPS_LEN;
		pdu->caps = cur_be32(v);
		pdu->has_caps = true;
	} else if (oui == NVO3_EXT_CID && sub == NVO3_EXT_ST_ECPDEST) {
		if (pdu->has_ecpdest)
			return LLDP_E_DUP_ECPDEST;
		if (tlen != LLDP_ECPDEST_VALUE_LEN)
			return LLDP_E_ECPDEST_LEN;
		pdu->ecpdest.kind = cur_u8(v);
		cur_copy(v, pdu->ecpdest.mac, 6);
		if ((e = ecpdest_check(&pdu->ecpdest)) != LLDP_E_NONE)
			return e;
		pdu->has_ecpdest = true;
	} else
		pdu->nunknown_org++;
	return LLDP_E_NONE;
}

static int
fail(enum lldp_err e, enum lldp_err *why)
{
	if (why)
		*why = e;
	return lldp_errs[e].err;
}

/*
 * Frame layout:
 *
 *   0        6        12     14
 *  +--------+--------+------+---------------------------------------+
 *  | dst    | src    | 88CC | TLV TLV TLV ... End [padding]         |
 *  +--------+--------+------+---------------------------------------+
 *
 * TLV header (2 octets, big-endian): 7-bit type | 9-bit value length.
 *
 *   type 1 Chassis ID  len 2..256: subtype(1) id(1..255)
 *   type 2 Port ID     len 2..256: subtype(1) id(1..255)
 *   type 3 TTL         len 2:      seconds, 0 = shutdown
 *   type 127 org       len >= 4:   OUI(3) subtype(1) value
 *   type 0 End         len 0
 */
int
lldp_pdu_decode(const uint8_t *buf, size_t len, struct lldp_pdu *pdu,
    enum lldp_err *why)
{
	static const enum lldp_err missing[3] = {
		LLDP_E_NO_CHASSIS, LLDP_E_NO_PORT, LLDP_E_NO_TTL
	};
	struct cur c;
	unsigned idx;
	enum lldp_err e;

	memset(pdu, 0, sizeof(*pdu));
	if (why)
		*why = LLDP_E_NONE;
	cur_init(&c, buf, len);
	if (len < LLDP_ETH_HDR_LEN)
		return fail(LLDP_E_SHORT_FRAME, why);
	cur_copy(&c, pdu->dst, 6);
	cur_copy(&c, pdu->src, 6);
	if (cur_be16(&c) != LLDP_ETHERTYPE)
		return fail(LLDP_E_ETHERTYPE, why);
	if (!lldp_mac_is_group(pdu->dst))
		return fail(LLDP_E_DST, why);

	for (idx = 0;; idx++) {
		unsigned type, tlen;
		struct cur v;

		if (cur_left(&c) == 0) {
			if (idx < 3)
				return fail(missing[idx], why);
			pdu->no_end = true;
			break;
		}
		if (cur_left(&c) < LLDP_TLV_HDR_LEN)
			return fail(LLDP_E_TLV_TRUNC, why);
		type = cur_be16(&c);
		tlen = type & 0x1ff;
		type >>= 9;
		if (tlen > cur_left(&c))
			return fail(LLDP_E_TLV_TRUNC, why);
		v = cur_sub(&c, tlen);

		if (idx < 3 && type != idx + 1)
			return fail(missing[idx], why);
		switch (type) {
		case LLDP_TLV_END:
			if (tlen != 0)
				return fail(LLDP_E_END_LEN, why);
			pdu->len = (uint32_t)cur_off(&c);
			return 0;
		case LLDP_TLV_CHASSIS:
		case LLDP_TLV_PORT:
			if (idx >= 3)
				return fail(LLDP_E_DUP_MANDATORY, why);
			if (tlen < 2 || tlen > 1 + LLDP_ID_MAX)
				return fail(type == LLDP_TLV_CHASSIS ?
				    LLDP_E_CHASSIS_LEN : LLDP_E_PORT_LEN, why);
			{
				struct lldp_id *id = type == LLDP_TLV_CHASSIS ?
				    &pdu->chassis : &pdu->port;

				id->subtype = cur_u8(&v);
				id->len = (uint8_t)(tlen - 1);
				cur_copy(&v, id->id, id->len);
			}
			break;
		case LLDP_TLV_TTL:
			if (idx >= 3)
				return fail(LLDP_E_DUP_MANDATORY, why);
			if (tlen != 2)
				return fail(LLDP_E_TTL_LEN, why);
			pdu->ttl = cur_be16(&v);
			break;
		case LLDP_TLV_ORG:
			if ((e = org_read(&v, tlen, pdu)) != LLDP_E_NONE)
				return fail(e, why);
			break;
		default:
			pdu->nunknown++;
			break;
		}
		/* Sub-cursors are exact, so a failure here is a bug. */
		if (cur_err(&v))
			return fail(LLDP_E_TLV_TRUNC, why);
	}
	pdu->len = (uint32_t)cur_off(&c);
	return 0;
}

static int
id_check(const struct lldp_id *id)
{
	return id->len >= 1 ? 0 : -EINVAL;
}

static void
write_head(struct wcur *w, const struct lldp_pdu *pdu, uint16_t ttl)
{
	wcur_bytes(w, pdu->dst, 6);
	wcur_bytes(w, pdu->src, 6);
	wcur_be16(w, LLDP_ETHERTYPE);
	tlv_hdr(w, LLDP_TLV_CHASSIS, 1u + pdu->chassis.len);
	wcur_u8(w, pdu->chassis.subtype);
	wcur_bytes(w, pdu->chassis.id, pdu->chassis.len);
	tlv_hdr(w, LLDP_TLV_PORT, 1u + pdu->port.len);
	wcur_u8(w, pdu->port.subtype);
	wcur_bytes(w, pdu->port.id, pdu->port.len);
	tlv_hdr(w, LLDP_TLV_TTL, 2);
	wcur_be16(w, ttl);
}

int
lldp_pdu_encode(const struct lldp_pdu *pdu, uint8_t *buf, size_t cap)
{
	struct wcur w;

	if (!lldp_mac_is_group(pdu->dst) || id_check(&pdu->chassis) ||
	    id_check(&pdu->port))
		return -EINVAL;
	if (pdu->has_evb && evb_check(&pdu->evb))
		return -EINVAL;
	if (pdu->has_ecpdest && ecpdest_check(&pdu->ecpdest) != LLDP_E_NONE)
		return -EINVAL;
	wcur_init(&w, buf, cap);
	write_head(&w, pdu, pdu->ttl);
	if (pdu->has_evb) {
		tlv_hdr(&w, LLDP_TLV_ORG, LLDP_EVB_VALUE_LEN);
		evb_value_write(&w, &pdu->evb);
	}
	if (pdu->has_caps) {
		tlv_hdr(&w, LLDP_TLV_ORG, LLDP_CAPS_VALUE_LEN);
		wcur_be24(&w, NVO3_EXT_CID);
		wcur_u8(&w, NVO3_EXT_ST_CAPS);
		wcur_be32(&w, pdu->caps);
	}
	if (pdu->has_ecpdest) {
		tlv_hdr(&w, LLDP_TLV_ORG, LLDP_ECPDEST_VALUE_LEN);
		wcur_be24(&w, NVO3_EXT_CID);
		wcur_u8(&w, NVO3_EXT_ST_ECPDEST);
		wcur_u8(&w, pdu->ecpdest.kind);
		wcur_bytes(&w, pdu->ecpdest.mac, 6);
	}
	tlv_hdr(&w, LLDP_TLV_END, 0);
	if (wcur_err(&w))
		return wcur_err(&w);
	return (int)wcur_len(&w);
}

int
lldp_pdu_encode_shutdown(const struct lldp_pdu *pdu, uint8_t *buf,
    size_t cap)
{
	struct wcur w;

	if (!lldp_mac_is_group(pdu->dst) || id_check(&pdu->chassis) ||
	    id_check(&pdu->port))
		return -EINVAL;
	wcur_init(&w, buf, cap);
	write_head(&w, pdu, 0);
	tlv_hdr(&w, LLDP_TLV_END, 0);
	if (wcur_err(&w))
		return wcur_err(&w);
	return (int)wcur_len(&w);
}

int
lldp_evb_tlv_decode(const uint8_t *buf, size_t len, struct lldp_evb_tlv *evb)
{
	struct cur c;
	unsigned hdr;

	memset(evb, 0, sizeof(*evb));
	cur_init(&c, buf, len);
	hdr = cur_be16(&c);
	if (cur_err(&c))
		return -EBADMSG;
	if (hdr >> 9 != LLDP_TLV_ORG || (hdr & 0x1ff) != LLDP_EVB_VALUE_LEN)
		return -EPROTO;
	if (cur_left(&c) < LLDP_EVB_VALUE_LEN)
		return -EBADMSG;
	if (cur_be24(&c) != LLDP_OUI_8021 || cur_u8(&c) != LLDP_EVB_SUBTYPE)
		return -EPROTO;
	evb_value_read(&c, evb);
	return cur_err(&c);
}

int
lldp_evb_tlv_encode(const struct lldp_evb_tlv *evb, uint8_t *buf, size_t cap)
{
	struct wcur w;

	if (evb_check(evb))
		return -EINVAL;
	wcur_init(&w, buf, cap);
	tlv_hdr(&w, LLDP_TLV_ORG, LLDP_EVB_VALUE_LEN);
	evb_value_write(&w, evb);
	if (wcur_err(&w))
		return wcur_err(&w);
	return (int)wcur_len(&w);
}
