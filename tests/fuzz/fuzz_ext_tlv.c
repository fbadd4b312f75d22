/*
 * fuzz_ext_tlv.c - the three decoders of our VDP Org TLV values
 * (lib/ext/ext_tlv.c) and the auth verifier.
 *
 * Input: an Org TLV value after the OUI; its first octet (the subtype)
 * selects the decoder.  Invariants, each an abort():
 *   - a decoder returns 0 or one of the errors ext.h lists;
 *   - the dispatcher and the direct decoder agree;
 *   - a valid value re-encodes to exactly the input (round trip), and
 *     its decoded fields are in range;
 *   - nvo3_reason_consistent() never accepts a response status.
 * Then the input is also treated as a ULPDU: signed with a fixed key, a
 * well-formed auth TLV appended, and verified (must pass; a flipped
 * octet must fail with -EPERM); and verified raw at an offset taken from
 * the input (any defined error, no over-read).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ext/ext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct nvo3_keytab *kt;

static void
check_err(int rc)
{
	switch (rc) {
	case 0:
	case -EBADMSG:
	case -ENOMSG:
	case -EINVAL:
	case -EAFNOSUPPORT:
	case -E2BIG:
	case -ERANGE:
	case -EPROTONOSUPPORT:
		return;
	}
	abort();
}

static void
check_fields(const struct nvo3_ext_tlv *t)
{
	switch (t->subtype) {
	case NVO3_EXT_ST_IPADDR:
		if (t->u.ip.naddr == 0 || t->u.ip.naddr > NVO3_IPADDR_MAX)
			abort();
		for (unsigned i = 0; i < t->u.ip.naddr; i++)
			if (t->u.ip.addr[i].afi != NVO3_AFI_IPV4 &&
			    t->u.ip.addr[i].afi != NVO3_AFI_IPV6)
				abort();
		break;
	case NVO3_EXT_ST_MIGRATION:
		if (t->u.mig.reason > NVO3_REASON_MAX)
			abort();
		for (uint8_t type = 0; type < 8; type++)
			if (nvo3_reason_consistent(t->u.mig.reason, type,
			    0x40 | t->u.mig.flags))
				abort();
		break;
	case NVO3_EXT_ST_AUTH:
		if (t->u.auth.alg != NVO3_AUTH_HMAC_SHA256_128)
			abort();
		break;
	default:
		abort();
	}
}

static void
round_trip(const uint8_t *data, size_t size)
{
	struct nvo3_ext_tlv t, d;
	uint8_t out[1024];
	int rc, rd, n;

	rc = nvo3_ext_decode(data, size, &t);
	check_err(rc);
	switch (size ? data[0] : 0) {
	case NVO3_EXT_ST_IPADDR:
		rd = nvo3_ipaddr_decode(data, size, &d.u.ip);
		break;
	case NVO3_EXT_ST_MIGRATION:
		rd = nvo3_migration_decode(data, size, &d.u.mig);
		break;
	case NVO3_EXT_ST_AUTH:
		rd = nvo3_auth_decode(data, size, &d.u.auth);
		break;
	default:
		if (size && rc != -ENOMSG)
			abort();
		return;
	}
	if (rd != rc)
		abort();
	if (rc != 0)
		return;
	check_fields(&t);
	n = nvo3_ext_encode(&t, out, sizeof(out));
	if (n < 0 || (size_t)n != size || memcmp(out, data, size) != 0)
		abort();
	if (t.subtype == NVO3_EXT_ST_IPADDR &&
	    nvo3_ipaddr_size(&t.u.ip) != size)
		abort();
	/* one octet less of output room must fail cleanly */
	if (nvo3_ext_encode(&t, out, size - 1) != -ENOBUFS)
		abort();
}

static void
auth(const uint8_t *data, size_t size)
{
	static struct nvo3_replay rs;
	static const uint8_t snd[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	uint8_t p[600], dir;
	struct nvo3_auth a, d;
	size_t pre = size > 500 ? 500 : size, off;
	int rc;

	if (kt == NULL) {
		static const uint8_t k[32] = { 1, 2, 3 };

		if ((kt = nvo3_keytab_new()) == NULL ||
		    nvo3_keytab_set(kt, 7, k, sizeof(k)) != 0)
			abort();
	}
	/* sign + append + verify */
	memcpy(p, data, pre);
	if (nvo3_auth_sign(p, pre, kt, 7, 1 + pre, NVO3_AUTH_DIR_TO_BRIDGE,
	    snd, &a) != 0)
		abort();
	p[pre] = 0xfe;
	p[pre + 1] = 3 + NVO3_AUTH_LEN;
	p[pre + 2] = NVO3_EXT_CID0;
	p[pre + 3] = NVO3_EXT_CID1;
	p[pre + 4] = NVO3_EXT_CID2;
	if (nvo3_auth_encode(&a, p + pre + 5, NVO3_AUTH_LEN) != NVO3_AUTH_LEN)
		abort();
	if (nvo3_auth_decode(p + pre + 5, NVO3_AUTH_LEN, &d) != 0 ||
	    memcmp(&d.mac, &a.mac, sizeof(a.mac)) != 0)
		abort();
	if (nvo3_auth_verify(p, pre + NVO3_AUTH_TLV_LEN, pre, &d, kt, &rs,
	    NVO3_AUTH_DIR_TO_BRIDGE, snd) != 0)
		abort();
	/* reflected: the other direction never verifies */
	if (nvo3_auth_verify(p, pre + NVO3_AUTH_TLV_LEN, pre, &d, kt, &rs,
	    NVO3_AUTH_DIR_TO_STATION, snd) != -EPERM)
		abort();
	if (pre > 0) {
		p[pre / 2] ^= 0x80;
		if (nvo3_auth_verify(p, pre + NVO3_AUTH_TLV_LEN, pre, &d, kt,
		    &rs, NVO3_AUTH_DIR_TO_BRIDGE, snd) != -EPERM)
			abort();
	}
	/* raw: the input as a received ULPDU, auth TLV at data[0] */
	if (size < 2)
		return;
	off = data[0] % size;
	memset(&d, 0, sizeof(d));
	if (size - off >= 5 + NVO3_AUTH_LEN &&
	    nvo3_auth_decode(data + off + 5, NVO3_AUTH_LEN, &d) != 0)
		memset(&d, 0, sizeof(d));	/* verify refuses first */
	dir = data[1] % 4;		/* 0 and 3: caller errors */
	rc = nvo3_auth_verify(data, size, off, &d, kt, &rs, dir, snd);
	if ((dir == 0 || dir == 3) != (rc == -EINVAL))
		abort();
	switch (rc) {
	case -EINVAL:
	case 0:
	case -EBADMSG:
	case -EPROTO:
	case -EPROTONOSUPPORT:
	case -ENOKEY:
	case -EPERM:
	case -EALREADY:
		break;
	default:
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	round_trip(data, size);
	auth(data, size);
	return 0;
}
