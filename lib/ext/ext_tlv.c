/*
 * ext_tlv.c - codecs for the values of splitnve's own VDP Org TLVs
 * (type 127, our CID): IP addresses of a VSI, migration/lifecycle reason,
 * and the authentication TLV's fields; plus the reason-vs-M/S check.
 *
 * Thread: any (pure; no I/O, clock, logging or allocation).
 * Relies on: util/cursor.h for every read and write; the VDP codec
 * (lib/vdp) for the TLV header and OUI, which it strips before handing
 * us the value (struct vdp_org_tlv .data/.len).
 *
 * The rule: 802.1Q lets an organisation define TLV type 127 with its own
 * OUI/CID, and a receiver that does not know the OUI skips the TLV by its
 * length; Org TLVs sit right after the VSI TLV they qualify.  None of the
 * layouts below is IEEE's: 802.1Qcy's real code points are not public, so
 * we differ in using our own CID and subtypes (nvo3_ext_codes.h), and we
 * send these TLVs only to a peer that offered the matching capability
 * bit.  Our IPADDR subtype follows the shape of Cisco's L3-address
 * sub-TLV but repeats the (AFI, address) pair until the end of the value.
 */
#include <errno.h>
#include <string.h>

#include "ext/ext.h"
#include "util/cursor.h"
#include "vdp/vdp.h"

static const char *const reason_names[] = {
	[NVO3_REASON_UNSPEC] = "unspec",
	[NVO3_REASON_CREATE] = "create",
	[NVO3_REASON_MIG_IN_PREPARE] = "mig-in-prepare",
	[NVO3_REASON_MIG_IN_ACTIVATE] = "mig-in-activate",
	[NVO3_REASON_MIG_OUT] = "mig-out",
	[NVO3_REASON_MIG_ABORT] = "mig-abort",
	[NVO3_REASON_SHUTDOWN] = "shutdown",
	[NVO3_REASON_PAUSE] = "pause",
	[NVO3_REASON_RESUME] = "resume",
};

const char *
nvo3_reason_name(uint8_t reason)
{
	if (reason > NVO3_REASON_MAX)
		return "?";
	return reason_names[reason];
}

const char *
nvo3_ext_subtype_name(uint8_t subtype)
{
	switch (subtype) {
	case NVO3_EXT_ST_CAPS:
		return "caps";
	case NVO3_EXT_ST_IPADDR:
		return "ipaddr";
	case NVO3_EXT_ST_MIGRATION:
		return "migration";
	case NVO3_EXT_ST_AUTH:
		return "auth";
	case NVO3_EXT_ST_ECPDEST:
		return "ecpdest";
	}
	return "?";
}

const char *
nvo3_auth_alg_name(uint8_t alg)
{
	if (alg == NVO3_AUTH_HMAC_SHA256_128)
		return "hmac-sha256-128";
	return "?";
}

static size_t
afi_addr_len(uint16_t afi)
{
	switch (afi) {
	case NVO3_AFI_IPV4:
		return 4;
	case NVO3_AFI_IPV6:
		return 16;
	}
	return 0;
}

/*
 * IPADDR value (after the OUI), repeated pairs until the end:
 *
 *   0        1        2                            18     20
 *  +--------+--------+------------ ... -----------+------+--------- ...
 *  | 0x02   | VSI ID | VSI ID (16)                 | AFI  | address
 *  |subtype | format |                             | (2)  | (4 or 16)
 *  +--------+--------+------------ ... -----------+------+--------- ...
 *                                                  \_ one or more pairs,
 *                                                     up to NVO3_IPADDR_MAX
 *
 * AFI 1 = IPv4 (4 octets), AFI 2 = IPv6 (16 octets).  No count field: the
 * pairs fill the value exactly, so a partial pair is a length error.
 */
int
nvo3_ipaddr_decode(const uint8_t *data, size_t len,
    struct nvo3_ipaddr_tlv *out)
{
	struct cur c;
	uint8_t st;

	cur_init(&c, data, len);
	memset(out, 0, sizeof(*out));
	st = cur_u8(&c);
	out->vsiid_fmt = cur_u8(&c);
	cur_copy(&c, out->vsiid, NVO3_VSIID_LEN);
	if (cur_err(&c))
		return cur_err(&c);
	if (st != NVO3_EXT_ST_IPADDR)
		return -ENOMSG;
	if (out->vsiid_fmt < VDP_VSIID_IPV4 || out->vsiid_fmt > VDP_VSIID_UUID)
		return -EINVAL;
	if (cur_left(&c) == 0)
		return -EBADMSG;		/* at least one pair */
	while (cur_left(&c) > 0) {
		struct nvo3_ipaddr *a;
		uint16_t afi;
		size_t alen;

		afi = cur_be16(&c);
		if (cur_err(&c))
			return cur_err(&c);	/* one octet left */
		if ((alen = afi_addr_len(afi)) == 0)
			return -EAFNOSUPPORT;
		if (out->naddr == NVO3_IPADDR_MAX)
			return -E2BIG;
		a = &out->addr[out->naddr];
		a->afi = afi;
		cur_copy(&c, a->addr, alen);
		if (cur_err(&c))
			return cur_err(&c);
		out->naddr++;
	}
	return 0;
}

size_t
nvo3_ipaddr_size(const struct nvo3_ipaddr_tlv *in)
{
	size_t n = NVO3_IPADDR_FIXED_LEN;

	if (in->naddr == 0 || in->naddr > NVO3_IPADDR_MAX)
		return 0;
	for (unsigned i = 0; i < in->naddr; i++) {
		size_t alen = afi_addr_len(in->addr[i].afi);

		if (alen == 0)
			return 0;
		n += 2 + alen;
	}
	return n;
}

int
nvo3_ipaddr_encode(const struct nvo3_ipaddr_tlv *in, uint8_t *buf,
    size_t cap)
{
	struct wcur w;

	if (in->vsiid_fmt < VDP_VSIID_IPV4 || in->vsiid_fmt > VDP_VSIID_UUID)
		return -EINVAL;
	if (in->naddr == 0)
		return -EBADMSG;
	if (in->naddr > NVO3_IPADDR_MAX)
		return -E2BIG;
	for (unsigned i = 0; i < in->naddr; i++)
		if (afi_addr_len(in->addr[i].afi) == 0)
			return -EAFNOSUPPORT;
	wcur_init(&w, buf, cap);
	wcur_u8(&w, NVO3_EXT_ST_IPADDR);
	wcur_u8(&w, in->vsiid_fmt);
	wcur_bytes(&w, in->vsiid, NVO3_VSIID_LEN);
	for (unsigned i = 0; i < in->naddr; i++) {
		wcur_be16(&w, in->addr[i].afi);
		wcur_bytes(&w, in->addr[i].addr, afi_addr_len(in->addr[i].afi));
	}
	if (wcur_err(&w))
		return wcur_err(&w);
	return (int)wcur_len(&w);
}

/*
 * MIGRATION value (after the OUI), 23 octets exactly:
 *
 *   0        1        2        3                 7                      23
 *  +--------+--------+--------+-----------------+----------- ... -------+
 *  | 0x03   | reason | flags  | mobility seq    | source-NVE hint (16)  |
 *  |subtype | 0..8   | bit0=A | (4, big-endian) | IPv6 / IPv4-mapped    |
 *  +--------+--------+--------+-----------------+----------- ... -------+
 *
 * A (NVO3_MIGF_AUTHORITATIVE): M = S = 0 on the VSI TLV means "not a
 * migration", not "no information".  Other flag bits are reserved: sent
 * as zero, ignored but kept on receive.
 */
int
nvo3_migration_decode(const uint8_t *data, size_t len,
    struct nvo3_migration *out)
{
	struct cur c;
	uint8_t st;

	cur_init(&c, data, len);
	memset(out, 0, sizeof(*out));
	st = cur_u8(&c);
	out->reason = cur_u8(&c);
	out->flags = cur_u8(&c);
	out->seq = cur_be32(&c);
	cur_copy(&c, out->src_nve, sizeof(out->src_nve));
	if (cur_err(&c) || cur_left(&c) != 0)
		return -EBADMSG;
	if (st != NVO3_EXT_ST_MIGRATION)
		return -ENOMSG;
	if (out->reason > NVO3_REASON_MAX)
		return -ERANGE;
	return 0;
}

int
nvo3_migration_encode(const struct nvo3_migration *in, uint8_t *buf,
    size_t cap)
{
	struct wcur w;

	if (in->reason > NVO3_REASON_MAX)
		return -ERANGE;
	wcur_init(&w, buf, cap);
	wcur_u8(&w, NVO3_EXT_ST_MIGRATION);
	wcur_u8(&w, in->reason);
	wcur_u8(&w, in->flags);
	wcur_be32(&w, in->seq);
	wcur_bytes(&w, in->src_nve, sizeof(in->src_nve));
	if (wcur_err(&w))
		return wcur_err(&w);
	return (int)wcur_len(&w);
}

/*
 * AUTH value (after the OUI), 28 octets exactly:
 *
 *   0        1        3        4                   12                   28
 *  +--------+--------+--------+-------------------+--------- ... -------+
 *  | 0x04   | key-id | alg    | counter           | MAC (16)            |
 *  |subtype | (2)    | 1      | (8, big-endian)   | HMAC-SHA-256 [0..15]|
 *  +--------+--------+--------+-------------------+--------- ... -------+
 *            \______ covered by the MAC ________/
 *
 * What the MAC covers and how it is checked is in ext_auth.c.
 */
int
nvo3_auth_decode(const uint8_t *data, size_t len, struct nvo3_auth *out)
{
	struct cur c;
	uint8_t st;

	cur_init(&c, data, len);
	memset(out, 0, sizeof(*out));
	st = cur_u8(&c);
	out->key_id = cur_be16(&c);
	out->alg = cur_u8(&c);
	out->counter = cur_be64(&c);
	cur_copy(&c, out->mac, sizeof(out->mac));
	if (cur_err(&c) || cur_left(&c) != 0)
		return -EBADMSG;
	if (st != NVO3_EXT_ST_AUTH)
		return -ENOMSG;
	if (out->alg != NVO3_AUTH_HMAC_SHA256_128)
		return -EPROTONOSUPPORT;
	return 0;
}

int
nvo3_auth_encode(const struct nvo3_auth *in, uint8_t *buf, size_t cap)
{
	struct wcur w;

	if (in->alg != NVO3_AUTH_HMAC_SHA256_128)
		return -EPROTONOSUPPORT;
	wcur_init(&w, buf, cap);
	wcur_u8(&w, NVO3_EXT_ST_AUTH);
	wcur_be16(&w, in->key_id);
	wcur_u8(&w, in->alg);
	wcur_be64(&w, in->counter);
	wcur_bytes(&w, in->mac, sizeof(in->mac));
	if (wcur_err(&w))
		return wcur_err(&w);
	return (int)wcur_len(&w);
}

int
nvo3_ext_decode(const uint8_t *data, size_t len, struct nvo3_ext_tlv *out)
{
	memset(out, 0, sizeof(*out));
	if (len == 0 || data == NULL)
		return -EBADMSG;
	out->subtype = data[0];
	switch (data[0]) {
	case NVO3_EXT_ST_IPADDR:
		return nvo3_ipaddr_decode(data, len, &out->u.ip);
	case NVO3_EXT_ST_MIGRATION:
		return nvo3_migration_decode(data, len, &out->u.mig);
	case NVO3_EXT_ST_AUTH:
		return nvo3_auth_decode(data, len, &out->u.auth);
	}
	return -ENOMSG;
}

int
nvo3_ext_encode(const struct nvo3_ext_tlv *in, uint8_t *buf, size_t cap)
{
	switch (in->subtype) {
	case NVO3_EXT_ST_IPADDR:
		return nvo3_ipaddr_encode(&in->u.ip, buf, cap);
	case NVO3_EXT_ST_MIGRATION:
		return nvo3_migration_encode(&in->u.mig, buf, cap);
	case NVO3_EXT_ST_AUTH:
		return nvo3_auth_encode(&in->u.auth, buf, cap);
	}
	return -ENOMSG;
}

/*
 * Reason against the VSI TLV it qualifies (requests only).  "PA" is
 * Pre-Associate or Pre-Associate-RR.
 *
 *   reason            TLV types      M/S
 *   unspec            any            any
 *   create            PA, Assoc      0/0
 *   mig-in-prepare    PA             M
 *   mig-in-activate   Assoc          M
 *   mig-out           De-Assoc       S
 *   mig-abort         De-Assoc       M
 *   shutdown          De-Assoc       0/0
 *   pause             Assoc, PA      0/0
 *   resume            Assoc          0/0
 *
 * We differ from the first table of wire-formats.md 4.3.3 in two rows:
 * create is also consistent on a Pre-Associate (TSI associate before
 * activate, RFC 8394 section 2.1), and pause also on a Pre-Associate
 * (the deactivate extension, Assoc -> Pre-Assoc, RFC 8394 section 2.4).
 */
#define T_PA	(1u << VDP_TLV_PREASSOC | 1u << VDP_TLV_PREASSOC_RR)
#define T_AS	(1u << VDP_TLV_ASSOC)
#define T_DE	(1u << VDP_TLV_DEASSOC)
#define T_ANY	(T_PA | T_AS | T_DE)

enum ms { MS_ANY, MS_NONE, MS_M, MS_S };

static const struct {
	unsigned	types;
	enum ms		ms;
} reason_rules[NVO3_REASON_MAX + 1] = {
	[NVO3_REASON_UNSPEC] = { T_ANY, MS_ANY },
	[NVO3_REASON_CREATE] = { T_PA | T_AS, MS_NONE },
	[NVO3_REASON_MIG_IN_PREPARE] = { T_PA, MS_M },
	[NVO3_REASON_MIG_IN_ACTIVATE] = { T_AS, MS_M },
	[NVO3_REASON_MIG_OUT] = { T_DE, MS_S },
	[NVO3_REASON_MIG_ABORT] = { T_DE, MS_M },
	[NVO3_REASON_SHUTDOWN] = { T_DE, MS_NONE },
	[NVO3_REASON_PAUSE] = { T_AS | T_PA, MS_NONE },
	[NVO3_REASON_RESUME] = { T_AS, MS_NONE },
};

bool
nvo3_reason_consistent(uint8_t reason, uint8_t tlv_type, uint8_t status)
{
	uint8_t ms = status & (VDP_ST_MBIT | VDP_ST_SBIT);

	if (reason > NVO3_REASON_MAX)
		return false;
	if (tlv_type < VDP_TLV_PREASSOC || tlv_type > VDP_TLV_DEASSOC)
		return false;
	if (status & (VDP_ST_RESPONSE | VDP_ST_RESERVED))
		return false;
	if ((reason_rules[reason].types & 1u << tlv_type) == 0)
		return false;
	switch (reason_rules[reason].ms) {
	case MS_ANY:
		return true;
	case MS_NONE:
		return ms == 0;
	case MS_M:
		return ms == VDP_ST_MBIT;
	case MS_S:
		return ms == VDP_ST_SBIT;
	}
	return false;
}
