/*
 * store_rec.c - the binary key and value of one directory record, the
 * one format every persistent store writes (store_lmdb.c into its named
 * databases, store_etcd.c hex-named under its prefix), and the decoder
 * that checks a stored record field by field before nvad believes it.
 *
 * Pure: no I/O, no clock, no logging.  Runs on whichever thread the
 * store calls it from (nvad's loop thread; the etcd store's watch thread
 * decodes with it too, on its own buffers).  Relies on nvad.h only.
 *
 * Layout (all integers big-endian; the LMDB store has written it since
 * its first version, so it must not change without a new version octet):
 *
 *   MAP     key   vn(4) alen(1) addr(alen)              alen 4, 6, 16
 *           value ver(1)=1 state(1) flags(1) mac(6) seq(4) rev(8)
 *                 nlen(1) nve(nlen)                     22 + nlen
 *   NVE     key   name (1..63 octets)
 *           value ver(1)=1 n(1) then n x [len(1) addr(len)]  len 4, 16
 *   SUBNET  key   vn(4) alen(1) prefix(alen) plen(1)     alen 4, 16
 *           value ver(1)=1 n(2) then n x [nlen(1) name(nlen)]
 *
 * The kind is not in the key or the value: each store keeps the kinds
 * apart (LMDB: one database each; etcd: "m/", "n/", "s/" under the
 * prefix) and tells the decoder which one it read.
 */
#include <stdlib.h>
#include <string.h>

#include "nvad.h"
#include "util/cursor.h"

#define REC_VERSION	1
#define MAP_VAL_MIN	22

size_t
nvad_rec_key(const struct nvad_rec *r, uint8_t *k)
{
	size_t n;

	if (r->kind == NVAD_REC_NVE) {
		n = strnlen(r->nve, NVA_NAME_MAX);
		memcpy(k, r->nve, n);
		return n;
	}
	put_be_n(k, r->vn, 4);
	k[4] = r->addr.len;
	memcpy(k + 5, r->addr.a, r->addr.len);
	n = 5u + r->addr.len;
	if (r->kind == NVAD_REC_SUBNET)
		k[n++] = r->plen;
	return n;
}

size_t
nvad_rec_value(const struct nvad_rec *r, uint8_t **buf, size_t *cap)
{
	size_t need, n = 0, len;
	unsigned i;
	uint8_t *p;

	if (r->kind == NVAD_REC_MAP)
		need = MAP_VAL_MIN + NVA_NAME_MAX;
	else if (r->kind == NVAD_REC_NVE)
		need = 2 + NVA_UNDERLAY_MAX * 17;
	else
		need = 3 + (size_t)r->nsnves * (NVA_NAME_MAX + 1);
	if (need > *cap) {
		if ((p = realloc(*buf, need)) == NULL)
			return 0;
		*buf = p;
		*cap = need;
	}
	p = *buf;
	p[n++] = REC_VERSION;
	switch (r->kind) {
	case NVAD_REC_MAP:
		p[n++] = r->state;
		p[n++] = r->flags;
		memcpy(p + n, r->mac, 6);
		put_be_n(p + n + 6, r->seq, 4);
		put_be_n(p + n + 10, r->rev, 8);
		n += 18;
		len = strnlen(r->nve, NVA_NAME_MAX);
		p[n++] = (uint8_t)len;
		memcpy(p + n, r->nve, len);
		return n + len;
	case NVAD_REC_NVE:
		p[n++] = (uint8_t)r->nunderlay;
		for (i = 0; i < r->nunderlay && i < NVA_UNDERLAY_MAX; i++) {
			p[n++] = r->underlay[i].len;
			memcpy(p + n, r->underlay[i].a, r->underlay[i].len);
			n += r->underlay[i].len;
		}
		return n;
	default:
		put_be_n(p + n, r->nsnves, 2);
		n += 2;
		for (i = 0; i < r->nsnves; i++) {
			len = strnlen(r->snves[i], NVA_NAME_MAX);
			p[n++] = (uint8_t)len;
			memcpy(p + n, r->snves[i], len);
			n += len;
		}
		return n;
	}
}

static bool
name_ok(const uint8_t *p, size_t n)
{
	size_t i;

	if (n < 1 || n > NVA_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] > '~')
			return false;
	return true;
}

static bool
addr_len_ok(unsigned len, bool mac)
{
	return len == 4 || len == 16 || (mac && len == 6);
}

static const char *
decode_nve(const uint8_t *kp, size_t kn, const uint8_t *p, size_t n,
    struct nvad_rec *r)
{
	size_t off;
	unsigned i;

	r->kind = NVAD_REC_NVE;
	if (!name_ok(kp, kn))
		return "bad NVE name";
	memcpy(r->nve, kp, kn);
	if (n < 2 || p[1] > NVA_UNDERLAY_MAX)
		return "bad underlay count";
	r->nunderlay = p[1];
	for (i = 0, off = 2; i < r->nunderlay; i++) {
		if (off >= n || !addr_len_ok(p[off], false) ||
		    off + 1 + p[off] > n)
			return "bad underlay address";
		r->underlay[i].len = p[off];
		memcpy(r->underlay[i].a, p + off + 1, p[off]);
		off += 1u + p[off];
	}
	return off == n ? NULL : "trailing octets";
}

const char *
nvad_rec_decode(enum nvad_rec_kind kind, const uint8_t *kp, size_t kn,
    const uint8_t *p, size_t n, struct nvad_rec *r,
    char (*names)[NVA_NAME_MAX + 1])
{
	size_t off;
	unsigned i, len;

	memset(r, 0, sizeof(*r));
	if (kind != NVAD_REC_MAP && kind != NVAD_REC_NVE &&
	    kind != NVAD_REC_SUBNET)
		return "unknown record kind";
	if (n < 1 || p[0] != REC_VERSION)
		return "unknown record version";
	if (kind == NVAD_REC_NVE)
		return decode_nve(kp, kn, p, n, r);
	if (kn < 5 || !addr_len_ok(kp[4], kind == NVAD_REC_MAP) ||
	    kn != 5u + kp[4] + (kind == NVAD_REC_SUBNET))
		return "bad key length";
	r->vn = (uint32_t)get_be_n(kp, 4);
	r->addr.len = kp[4];
	memcpy(r->addr.a, kp + 5, kp[4]);
	if (kind == NVAD_REC_MAP) {
		r->kind = NVAD_REC_MAP;
		if (n < MAP_VAL_MIN || n != MAP_VAL_MIN + (size_t)p[21])
			return "bad value length";
		if (p[1] < NVA_ST_ASSOCIATED || p[1] > NVA_ST_WITHDRAWN)
			return "bad state";
		r->state = p[1];
		r->flags = p[2];
		memcpy(r->mac, p + 3, 6);
		r->seq = (uint32_t)get_be_n(p + 9, 4);
		r->rev = get_be_n(p + 13, 8);
		if (p[21] > 0 && !name_ok(p + 22, p[21]))
			return "bad NVE name";
		memcpy(r->nve, p + 22, p[21]);
		return NULL;
	}
	r->kind = NVAD_REC_SUBNET;
	r->plen = kp[kn - 1];
	if (n < 3)
		return "bad value length";
	r->nsnves = (unsigned)get_be_n(p + 1, 2);
	r->snves = names;
	for (i = 0, off = 3; i < r->nsnves; i++) {
		len = off < n ? p[off] : 0;
		if (off + 1 + len > n || !name_ok(p + off + 1, len))
			return "bad NVE name";
		memcpy(names[i], p + off + 1, len);
		names[i][len] = '\0';
		off += 1 + len;
	}
	return off == n ? NULL : "trailing octets";
}
