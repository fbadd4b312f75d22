/*
 * ecp_codec.c - octets <-> struct ecp_frame for ECP22 (802.1Q clause 43),
 * the whole Ethernet frame from the destination MAC to the end of the
 * ULPDU.
 *
 * Owns: the frame layout, the decode-error reasons and their names, the
 * group MAC constants.  Runs in whichever thread calls it (the control
 * thread in the daemons, the fuzzer in tests); pure: no I/O, no clock, no
 * allocation.  Relies on util/cursor.h for every read and write.
 *
 * The rule, in our words: an ECP frame is an Ethernet frame of EtherType
 * 0x8940 whose payload starts with a 4-octet header (version 1, an
 * operation, a subtype naming the upper protocol, a sequence number).  A
 * request carries exactly one ULPDU, which is the rest of the frame; an
 * ACK carries nothing and echoes the sequence number of the request it
 * acknowledges.  Operations 2 and 3 are reserved.
 *
 * We differ in: accepting one 802.1Q tag before the EtherType (veth may
 * hand us tags in-band) and reporting its VID; refusing frames whose
 * payload would not fit a 1500-octet MTU; refusing a request with an empty
 * ULPDU (it could never carry a VDP Manager ID TLV); treating octets after
 * an ACK as padding only while the frame is no longer than the 60-octet
 * Ethernet minimum, and not checking that padding is zero (802.3 does not
 * promise it).  lldpad never pads ratified ECP frames; we pad only on
 * request (ECP_ENC_PAD).
 */
#include <errno.h>
#include <string.h>

#include "util/cursor.h"
#include "ecp/ecp.h"

const uint8_t ecp_mac_ncb[ECP_MAC_LEN] = { 0x01, 0x80, 0xc2, 0, 0, 0x00 };
const uint8_t ecp_mac_nntpmr[ECP_MAC_LEN] = { 0x01, 0x80, 0xc2, 0, 0, 0x03 };
const uint8_t ecp_mac_nb[ECP_MAC_LEN] = { 0x01, 0x80, 0xc2, 0, 0, 0x0e };

const char *const ecp_derr_names[ECP_DERR_MAX] = {
	[ECP_DERR_NONE] = "none",
	[ECP_DERR_SHORT] = "short-frame",
	[ECP_DERR_ETHERTYPE] = "wrong-ethertype",
	[ECP_DERR_VERSION] = "bad-version",
	[ECP_DERR_OP] = "reserved-op",
	[ECP_DERR_SUBTYPE] = "unknown-subtype",
	[ECP_DERR_EMPTY] = "empty-request",
	[ECP_DERR_ACK_DATA] = "ack-with-data",
	[ECP_DERR_OVERSIZE] = "oversized",
};

int
ecp_derr_errno(enum ecp_derr why)
{
	switch (why) {
	case ECP_DERR_NONE:
		return 0;
	case ECP_DERR_SHORT:
		return -EBADMSG;
	case ECP_DERR_ETHERTYPE:
		return -ENOMSG;
	case ECP_DERR_VERSION:
		return -EPROTONOSUPPORT;
	case ECP_DERR_OP:
		return -EOPNOTSUPP;
	case ECP_DERR_SUBTYPE:
		return -ENOPROTOOPT;
	case ECP_DERR_EMPTY:
		return -ENODATA;
	case ECP_DERR_ACK_DATA:
		return -EPROTO;
	case ECP_DERR_OVERSIZE:
		return -EMSGSIZE;
	case ECP_DERR_MAX:
		break;
	}
	return -EINVAL;
}

static int
fail(enum ecp_derr *why, enum ecp_derr r)
{
	if (why)
		*why = r;
	return ecp_derr_errno(r);
}

/*
 * The frame, octet offsets for the untagged form (a tag shifts the rest
 * by 4):
 *
 *   off  len
 *    0    6   destination MAC
 *    6    6   source MAC
 *  [12    2   0x8100 ]  optional single 802.1Q tag
 *  [14    2   TCI    ]  PCP(3) DEI(1) VID(12)
 *   12    2   EtherType 0x8940
 *   14    4   ECP header:
 *
 *              0                   1                   2                   3
 *              0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *             +-------+---+-------------------+-------------------------------+
 *             |Version| Op|   Subtype (10)    |    Sequence number (16)       |
 *             +-------+---+-------------------+-------------------------------+
 *
 *   18    n   ULPDU (request only), to the end of the frame
 *
 *  Version 1; Op 0 request, 1 ACK, 2-3 reserved; Subtype 1 VDP, 2 PE-CSP.
 *  An ACK is 18 octets, possibly padded to 60 (64 when tagged).
 */
int
ecp_frame_decode(const uint8_t *frame, size_t len, struct ecp_frame *f,
    enum ecp_derr *why)
{
	struct cur c;
	uint16_t etype, w0;
	size_t hlen, rest;

	if (why)
		*why = ECP_DERR_NONE;
	if (frame == NULL || f == NULL)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->vid = -1;

	cur_init(&c, frame, len);
	cur_copy(&c, f->dst, ECP_MAC_LEN);
	cur_copy(&c, f->src, ECP_MAC_LEN);
	etype = cur_be16(&c);
	if (cur_err(&c) == 0 && etype == ECP_ETH_P_8021Q) {
		f->tagged = 1;
		f->tci = cur_be16(&c);
		f->vid = f->tci & ECP_TCI_VID_MASK;
		etype = cur_be16(&c);
	}
	if (cur_err(&c))
		return fail(why, ECP_DERR_SHORT);
	if (etype != ETH_P_ECP22)
		return fail(why, ECP_DERR_ETHERTYPE);

	w0 = cur_be16(&c);
	f->seq = cur_be16(&c);
	if (cur_err(&c))
		return fail(why, ECP_DERR_SHORT);
	f->version = (w0 & ECP_W0_VER_MASK) >> ECP_W0_VER_SHIFT;
	f->op = (w0 & ECP_W0_OP_MASK) >> ECP_W0_OP_SHIFT;
	f->subtype = w0 & ECP_W0_SUBTYPE_MASK;
	if (f->version != ECP_VERSION)
		return fail(why, ECP_DERR_VERSION);
	if (f->op != ECP_OP_REQ && f->op != ECP_OP_ACK)
		return fail(why, ECP_DERR_OP);
	if (f->subtype != ECP_SUBTYPE_VDP && f->subtype != ECP_SUBTYPE_PECSP)
		return fail(why, ECP_DERR_SUBTYPE);

	hlen = cur_off(&c);
	rest = cur_left(&c);
	if (f->op == ECP_OP_ACK) {
		/* Padding: allowed up to the minimum frame (tag on top). */
		if (rest && len > ECP_ETH_ZLEN + (f->tagged ? ECP_VLAN_HLEN : 0))
			return fail(why, ECP_DERR_ACK_DATA);
		f->pad = rest;
		return 0;
	}
	if (rest == 0)
		return fail(why, ECP_DERR_EMPTY);
	if (rest > ECP_MAX_PAYLOAD)
		return fail(why, ECP_DERR_OVERSIZE);
	f->ulpdu = frame + hlen;
	f->ulpdu_len = rest;
	return 0;
}

int
ecp_frame_encode(uint8_t *out, size_t cap, const struct ecp_frame *f,
    unsigned flags)
{
	struct wcur w;
	uint16_t w0;

	if (out == NULL || f == NULL)
		return -EINVAL;
	if (f->version != ECP_VERSION || f->subtype > ECP_W0_SUBTYPE_MASK)
		return -EINVAL;
	switch (f->op) {
	case ECP_OP_REQ:
		if (f->ulpdu == NULL || f->ulpdu_len == 0)
			return -EINVAL;
		if (f->ulpdu_len > ECP_MAX_PAYLOAD)
			return -EMSGSIZE;
		break;
	case ECP_OP_ACK:
		if (f->ulpdu_len != 0)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	w0 = (uint16_t)(f->version << ECP_W0_VER_SHIFT |
	    f->op << ECP_W0_OP_SHIFT | f->subtype);
	wcur_init(&w, out, cap);
	wcur_bytes(&w, f->dst, ECP_MAC_LEN);
	wcur_bytes(&w, f->src, ECP_MAC_LEN);
	if (f->tagged) {
		wcur_be16(&w, ECP_ETH_P_8021Q);
		wcur_be16(&w, f->tci);
	}
	wcur_be16(&w, ETH_P_ECP22);
	wcur_be16(&w, w0);
	wcur_be16(&w, f->seq);
	if (f->op == ECP_OP_REQ)
		wcur_bytes(&w, f->ulpdu, f->ulpdu_len);
	if ((flags & ECP_ENC_PAD) && wcur_len(&w) < ECP_ETH_ZLEN)
		wcur_zero(&w, ECP_ETH_ZLEN - wcur_len(&w));
	if (wcur_err(&w))
		return wcur_err(&w);
	return (int)wcur_len(&w);
}
