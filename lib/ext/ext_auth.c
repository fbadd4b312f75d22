/*
 * ext_auth.c - HMAC authentication of VDP ULPDUs (our NVO3_EXT_ST_AUTH Org
 * TLV): signing, verification, the replay state, the key table and the
 * sender's counter.
 *
 * Thread: the control thread of tnved/nnved (any thread in tests).  Pure
 * apart from OpenSSL: no I/O, no clock, no logging.  The key table is the
 * one thing here that allocates (nvo3_keytab_new); the codecs do not.
 * Relies on: OpenSSL 3 libcrypto (EVP_MAC "HMAC" with SHA256,
 * CRYPTO_memcmp, OPENSSL_cleanse), util/cursor.h, util/hex.h, and the
 * value layout in ext_tlv.c.
 *
 * The rule (RFC 8394 Req-11): the External NVE and the end device must be
 * able to authenticate each other.  VDP itself has nothing for it and RFC
 * 8394 points at MACsec or 802.1X; we differ in carrying an HMAC in VDP
 * itself, for bridged paths where neither is available:
 *
 *   covered = ULPDU[0 .. auth_off)  ||  key-id(2) alg(1) counter(8)
 *             ||  dir(1) sender-MAC(6)
 *   MAC     = first 16 octets of HMAC-SHA-256(secret[key-id], covered)
 *
 * ULPDU offset 0 is the Manager ID TLV header; the ECP header is not
 * covered, because ECP re-sends the same ULPDU under a new sequence
 * number.  dir (1 towards the bridge, 2 towards the station) and the
 * sender's MAC are covered but not carried: both ends know them from the
 * frame and their role.  Without them a station's own signed PDU, echoed
 * back at it by anyone on the path, would pass as the bridge's (the keys
 * are shared per pair, so the MAC alone cannot say who signed).  The auth
 * TLV must be the last TLV (only an End TLV and zero padding may follow),
 * so nothing unauthenticated rides along.  The receiver checks the MAC
 * first and the counter second, and remembers a counter only when the
 * caller commits it after accepting the PDU; ECP acknowledges only then,
 * so a forged or replayed PDU is never ACKed and the genuine sender keeps
 * retrying.  The replay state belongs to one peer and outlives its ECP
 * session: the caller keeps it as long as it remembers the peer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ext/ext.h"
#include "util/cursor.h"
#include "util/hex.h"
#include "vdp/vdp.h"

struct nvo3_key {
	uint16_t	id;
	uint8_t		used;
	uint8_t		len;
	uint8_t		secret[NVO3_KEY_MAX];
};

struct nvo3_keytab {
	struct nvo3_key	k[NVO3_KEYTAB_MAX];
};

/* ---- keys ------------------------------------------------------------ */

struct nvo3_keytab *
nvo3_keytab_new(void)
{
	return calloc(1, sizeof(struct nvo3_keytab));
}

void
nvo3_keytab_free(struct nvo3_keytab *kt)
{
	if (kt == NULL)
		return;
	OPENSSL_cleanse(kt, sizeof(*kt));
	free(kt);
}

static struct nvo3_key *
key_find(const struct nvo3_keytab *kt, uint16_t id)
{
	for (size_t i = 0; i < NVO3_KEYTAB_MAX; i++)
		if (kt->k[i].used && kt->k[i].id == id)
			return (struct nvo3_key *)&kt->k[i];
	return NULL;
}

int
nvo3_keytab_set(struct nvo3_keytab *kt, uint16_t key_id,
    const uint8_t *secret, size_t len)
{
	struct nvo3_key *k;

	if (secret == NULL || len < NVO3_KEY_MIN || len > NVO3_KEY_MAX)
		return -EINVAL;
	if ((k = key_find(kt, key_id)) == NULL) {
		for (size_t i = 0; i < NVO3_KEYTAB_MAX && k == NULL; i++)
			if (!kt->k[i].used)
				k = &kt->k[i];
		if (k == NULL)
			return -ENOSPC;
	}
	OPENSSL_cleanse(k->secret, sizeof(k->secret));
	memcpy(k->secret, secret, len);
	k->len = (uint8_t)len;
	k->id = key_id;
	k->used = 1;
	return 0;
}

int
nvo3_keytab_set_hex(struct nvo3_keytab *kt, uint16_t key_id,
    const char *hex)
{
	uint8_t buf[NVO3_KEY_MAX];
	long n;
	int rc;

	if (hex == NULL)
		return -EINVAL;
	n = hex_decode(hex, buf, sizeof(buf));
	if (n < 0)
		rc = -EINVAL;		/* bad text or longer than 64 */
	else
		rc = nvo3_keytab_set(kt, key_id, buf, (size_t)n);
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int
nvo3_keytab_del(struct nvo3_keytab *kt, uint16_t key_id)
{
	struct nvo3_key *k = key_find(kt, key_id);

	if (k == NULL)
		return -ENOKEY;
	OPENSSL_cleanse(k, sizeof(*k));
	return 0;
}

bool
nvo3_keytab_has(const struct nvo3_keytab *kt, uint16_t key_id)
{
	return key_find(kt, key_id) != NULL;
}

/* ---- replay state ---------------------------------------------------- */

void
nvo3_replay_init(struct nvo3_replay *rs)
{
	memset(rs, 0, sizeof(*rs));
}

static int
replay_find(const struct nvo3_replay *rs, uint16_t key_id)
{
	for (unsigned i = 0; i < rs->n && i < NVO3_KEYTAB_MAX; i++)
		if (rs->ent[i].key_id == key_id)
			return (int)i;
	return -1;
}

uint64_t
nvo3_replay_last(const struct nvo3_replay *rs, uint16_t key_id)
{
	int i = replay_find(rs, key_id);

	return i < 0 ? 0 : rs->ent[i].last;
}

int
nvo3_replay_commit(struct nvo3_replay *rs, uint16_t key_id, uint64_t counter)
{
	int i = replay_find(rs, key_id);

	if (i < 0) {
		if (counter == 0)
			return -EALREADY;
		if (rs->n >= NVO3_KEYTAB_MAX)
			return -ENOSPC;
		i = (int)rs->n++;
		rs->ent[i].key_id = key_id;
		rs->ent[i].last = counter;
		return 0;
	}
	if (counter <= rs->ent[i].last)
		return -EALREADY;
	rs->ent[i].last = counter;
	return 0;
}

/* ---- sender counter -------------------------------------------------- */

void
nvo3_counter_init(struct nvo3_counter *c, uint64_t seed_wall_us)
{
	c->last = seed_wall_us;
}

uint64_t
nvo3_counter_next(struct nvo3_counter *c)
{
	if (c->last == UINT64_MAX)	/* 580,000 years of microseconds */
		c->last = 0;
	return ++c->last;
}

/* ---- HMAC ------------------------------------------------------------ */

int
nvo3_hmac_sha256(const uint8_t *key, size_t klen, const uint8_t *d1,
    size_t n1, const uint8_t *d2, size_t n2, uint8_t out[32])
{
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t outl = 0;
	int rc = -EIO;

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return -EIO;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL)
		goto out;
	if (!EVP_MAC_init(ctx, key, klen, params))
		goto out;
	if (n1 && !EVP_MAC_update(ctx, d1, n1))
		goto out;
	if (n2 && !EVP_MAC_update(ctx, d2, n2))
		goto out;
	if (!EVP_MAC_final(ctx, out, &outl, 32) || outl != 32)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

/*
 * The covered tail: the auth TLV's fields that precede its MAC, then the
 * direction and the sender, which travel only in the frame around it:
 *
 *  +--------+--------+--------+--------+- ... -+--------+--------+- ... -+
 *  | key-id (2)      | alg    | counter (8, big-endian)  | dir    | sender|
 *  +--------+--------+--------+--------+- ... -+--------+--------+- ... -+
 *   0                 2        3                 11       12       13..17
 */
static int
auth_mac(const uint8_t *ulpdu, size_t len, const struct nvo3_key *k,
    uint16_t key_id, uint8_t alg, uint64_t counter, uint8_t dir,
    const uint8_t sender[6], uint8_t mac[NVO3_AUTH_MAC_LEN])
{
	uint8_t tail[NVO3_AUTH_COVERED_TAIL], full[32];
	struct wcur w;
	int rc;

	wcur_init(&w, tail, sizeof(tail));
	wcur_be16(&w, key_id);
	wcur_u8(&w, alg);
	wcur_be64(&w, counter);
	wcur_u8(&w, dir);
	wcur_bytes(&w, sender, 6);
	rc = nvo3_hmac_sha256(k->secret, k->len, ulpdu, len, tail,
	    sizeof(tail), full);
	if (rc == 0)
		memcpy(mac, full, NVO3_AUTH_MAC_LEN);
	OPENSSL_cleanse(full, sizeof(full));
	return rc;
}

static bool
dir_ok(uint8_t dir)
{
	return dir == NVO3_AUTH_DIR_TO_BRIDGE || dir == NVO3_AUTH_DIR_TO_STATION;
}

int
nvo3_auth_sign(const uint8_t *ulpdu, size_t len,
    const struct nvo3_keytab *kt, uint16_t key_id, uint64_t counter,
    uint8_t dir, const uint8_t sender[6], struct nvo3_auth *out)
{
	const struct nvo3_key *k;

	memset(out, 0, sizeof(*out));
	if (counter == 0 || (ulpdu == NULL && len != 0) || !dir_ok(dir) ||
	    sender == NULL)
		return -EINVAL;
	if ((k = key_find(kt, key_id)) == NULL)
		return -ENOKEY;
	out->key_id = key_id;
	out->alg = NVO3_AUTH_HMAC_SHA256_128;
	out->counter = counter;
	return auth_mac(ulpdu, len, k, key_id, out->alg, counter, dir, sender,
	    out->mac);
}

/*
 * The auth TLV at auth_off, as the VDP codec saw it:
 *
 *  +---------------+---------------+--------+---- 27 octets ----+
 *  | 1111111 | 31 (type|len, 2)    | CID (3)| 0x04 | fields     | 00..
 *  +---------------+---------------+--------+-------------------+
 *                                           ^ not covered: the MAC covers
 *  the ULPDU before auth_off, then the fields, dir and the sender.
 */
int
nvo3_auth_verify(const uint8_t *ulpdu, size_t len, size_t auth_off,
    const struct nvo3_auth *a, const struct nvo3_keytab *kt,
    const struct nvo3_replay *rs, uint8_t dir, const uint8_t sender[6])
{
	const struct nvo3_key *k;
	struct nvo3_auth wire;
	uint8_t mac[NVO3_AUTH_MAC_LEN];
	const uint8_t *val;
	struct cur c;
	uint16_t hdr;
	int rc;

	if (!dir_ok(dir) || sender == NULL)
		return -EINVAL;
	cur_init(&c, ulpdu, len);
	cur_skip(&c, auth_off);
	hdr = cur_be16(&c);
	cur_skip(&c, 3);			/* CID: the caller matched it */
	val = cur_take(&c, NVO3_AUTH_LEN);
	if (cur_err(&c) || hdr >> 9 != VDP_TLV_ORG ||
	    (hdr & VDP_TLV_MAX_VALUE) != 3 + NVO3_AUTH_LEN ||
	    val[0] != NVO3_EXT_ST_AUTH)
		return -EBADMSG;
	while (cur_left(&c) > 0)
		if (cur_u8(&c) != 0)
			return -EPROTO;
	if ((rc = nvo3_auth_decode(val, NVO3_AUTH_LEN, &wire)) < 0)
		return rc;			/* -EPROTONOSUPPORT */
	/* The MAC binds the octets, so a must say what they say. */
	if (wire.key_id != a->key_id || wire.alg != a->alg ||
	    wire.counter != a->counter ||
	    memcmp(wire.mac, a->mac, sizeof(wire.mac)) != 0)
		return -EBADMSG;
	if ((k = key_find(kt, a->key_id)) == NULL)
		return -ENOKEY;
	rc = auth_mac(ulpdu, auth_off, k, a->key_id, a->alg, a->counter, dir,
	    sender, mac);
	if (rc < 0)
		return rc;
	if (CRYPTO_memcmp(mac, a->mac, sizeof(mac)) != 0)
		return -EPERM;
	if (a->counter <= nvo3_replay_last(rs, a->key_id))
		return -EALREADY;
	return 0;
}
