/*
 * store_lmdb.c - the LMDB directory store, nvad's default: one LMDB
 * environment in a folder (data.mdb, lock.mdb), four named databases,
 * one write transaction per batch.  A batch opens with the first put
 * and ends with commit (which also writes the new revision) or abort.
 * With sync on the environment keeps LMDB's default durability: when
 * mdb_txn_commit returns, the batch is on disk, so kill -9 or a power
 * cut loses nothing acknowledged; sync off opens it MDB_NOSYNC (a crash
 * of the machine may lose the last batches, never corrupt the file).
 *
 * Runs in nvad's one thread (blocking disk I/O at commit: session.c
 * groups many changes per batch).  Relies on liblmdb and getrandom(2).
 *
 * Layout (all integers big-endian):
 *
 *   "map"     key   vn(4) alen(1) addr(alen)              alen 4, 6, 16
 *             value ver(1)=1 state(1) flags(1) mac(6) seq(4) rev(8)
 *                   nlen(1) nve(nlen)                     22 + nlen
 *   "nve"     key   name (1..63 octets)
 *             value ver(1)=1 n(1) then n x [len(1) addr(len)]  len 4, 16
 *   "subnet"  key   vn(4) alen(1) prefix(alen) plen(1)     alen 4, 16
 *             value ver(1)=1 n(2) then n x [nlen(1) name(nlen)]
 *   "meta"    "epoch" -> 8 octets (random at creation, never 0)
 *             "rev"   -> 8 octets (the last committed revision)
 *
 * A record whose version, length or fields are wrong fails load with a
 * message naming the database and the key in hex (nothing half-loads:
 * nvad refuses to start on it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <lmdb.h>

#include "nvad.h"

#define REC_VERSION	1
#define MAP_VAL_MIN	22

enum { DB_MAP, DB_NVE, DB_SUBNET, DB_META, DB_COUNT };
static const char *const db_names[DB_COUNT] = {
	"map", "nve", "subnet", "meta",
};

struct lstore {
	struct nvad_store s;
	MDB_env		*env;
	MDB_dbi		 dbi[DB_COUNT];
	MDB_txn		*txn;		/* the open batch, or NULL */
	uint64_t	 epoch, rev;
	uint8_t		*vbuf;		/* value being encoded */
	size_t		 cvbuf;
};

static void
put_be(uint8_t *p, uint64_t v, unsigned n)
{
	while (n-- > 0) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get_be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

static int
lmdb_fail(struct lstore *l, const char *what, int rc)
{
	snprintf(l->s.err, sizeof(l->s.err), "lmdb %s: %s", what,
	    mdb_strerror(rc));
	return rc > 0 ? -rc : -EIO;	/* errno, or an MDB_ code */
}

/* Key of r into k (room for 4 + 1 + 16 + 1 or a name); its length. */
static size_t
rec_key(const struct nvad_rec *r, uint8_t *k)
{
	size_t n;

	if (r->kind == NVAD_REC_NVE) {
		n = strnlen(r->nve, NVA_NAME_MAX);
		memcpy(k, r->nve, n);
		return n;
	}
	put_be(k, r->vn, 4);
	k[4] = r->addr.len;
	memcpy(k + 5, r->addr.a, r->addr.len);
	n = 5u + r->addr.len;
	if (r->kind == NVAD_REC_SUBNET)
		k[n++] = r->plen;
	return n;
}

/* The value of r in l->vbuf; its length, or 0 when out of memory. */
static size_t
rec_value(struct lstore *l, const struct nvad_rec *r)
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
	if (need > l->cvbuf) {
		if ((p = realloc(l->vbuf, need)) == NULL)
			return 0;
		l->vbuf = p;
		l->cvbuf = need;
	}
	p = l->vbuf;
	p[n++] = REC_VERSION;
	switch (r->kind) {
	case NVAD_REC_MAP:
		p[n++] = r->state;
		p[n++] = r->flags;
		memcpy(p + n, r->mac, 6);
		put_be(p + n + 6, r->seq, 4);
		put_be(p + n + 10, r->rev, 8);
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
		put_be(p + n, r->nsnves, 2);
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

static int
txn_open(struct lstore *l)
{
	int rc;

	if (l->txn != NULL)
		return 0;
	if ((rc = mdb_txn_begin(l->env, NULL, 0, &l->txn)) != 0) {
		l->txn = NULL;
		return lmdb_fail(l, "begin", rc);
	}
	return 0;
}

static int
lm_put(struct nvad_store *s, const struct nvad_rec *r)
{
	struct lstore *l = s->priv;
	uint8_t kb[NVA_NAME_MAX + 24];
	MDB_val k, v;
	MDB_dbi dbi;
	int rc;

	if (r->kind == NVAD_REC_MAP)
		dbi = l->dbi[DB_MAP];
	else if (r->kind == NVAD_REC_NVE)
		dbi = l->dbi[DB_NVE];
	else if (r->kind == NVAD_REC_SUBNET && r->nsnves <= 0xffff)
		dbi = l->dbi[DB_SUBNET];
	else
		return -EINVAL;
	if (r->kind != NVAD_REC_NVE && r->addr.len > 16)
		return -EINVAL;
	if ((rc = txn_open(l)) < 0)
		return rc;
	k.mv_data = kb;
	k.mv_size = rec_key(r, kb);
	if (k.mv_size == 0)
		return -EINVAL;
	if (r->kind == NVAD_REC_SUBNET && r->nsnves == 0) {
		rc = mdb_del(l->txn, dbi, &k, NULL);
		return rc == 0 || rc == MDB_NOTFOUND ? 0 :
		    lmdb_fail(l, "del", rc);
	}
	if ((v.mv_size = rec_value(l, r)) == 0)
		return -ENOMEM;
	v.mv_data = l->vbuf;
	if ((rc = mdb_put(l->txn, dbi, &k, &v, 0)) != 0)
		return lmdb_fail(l, "put", rc);
	return 0;
}

static int
meta_put(struct lstore *l, const char *key, uint64_t val)
{
	uint8_t b[8];
	MDB_val k = { strlen(key), (void *)key }, v = { 8, b };
	int rc;

	put_be(b, val, 8);
	if ((rc = mdb_put(l->txn, l->dbi[DB_META], &k, &v, 0)) != 0)
		return lmdb_fail(l, "put meta", rc);
	return 0;
}

static int
lm_commit(struct nvad_store *s, uint64_t rev, struct nvad_commit *res)
{
	struct lstore *l = s->priv;
	int rc;

	res->rev = rev;
	res->lost = NULL;
	res->nlost = 0;
	if (l->txn == NULL && rev <= l->rev)
		return 0;	/* nothing staged, nothing new */
	if ((rc = txn_open(l)) < 0)
		return rc;
	if (rev > l->rev && (rc = meta_put(l, "rev", rev)) < 0) {
		mdb_txn_abort(l->txn);
		l->txn = NULL;
		return rc;
	}
	rc = mdb_txn_commit(l->txn);
	l->txn = NULL;
	if (rc != 0)
		return lmdb_fail(l, "commit", rc);
	if (rev > l->rev)
		l->rev = rev;
	return 0;
}

static void
lm_abort(struct nvad_store *s)
{
	struct lstore *l = s->priv;

	if (l->txn != NULL)
		mdb_txn_abort(l->txn);
	l->txn = NULL;
}

static int
lm_meta(struct nvad_store *s, uint64_t *epoch, uint64_t *rev)
{
	struct lstore *l = s->priv;

	*epoch = l->epoch;
	*rev = l->rev;
	return 0;
}

/* ---- loading -------------------------------------------------------- */

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

/* Decodes one record of database db; NULL or what is wrong with it. */
static const char *
rec_decode(int db, const MDB_val *k, const MDB_val *v, struct nvad_rec *r,
    char (*names)[NVA_NAME_MAX + 1])
{
	const uint8_t *kp = k->mv_data, *p = v->mv_data;
	size_t kn = k->mv_size, n = v->mv_size, off;
	unsigned i, len;

	memset(r, 0, sizeof(*r));
	if (n < 1 || p[0] != REC_VERSION)
		return "unknown record version";
	if (db == DB_NVE) {
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
	if (kn < 5 || !addr_len_ok(kp[4], db == DB_MAP) ||
	    kn != 5u + kp[4] + (db == DB_SUBNET))
		return "bad key length";
	r->vn = (uint32_t)get_be(kp, 4);
	r->addr.len = kp[4];
	memcpy(r->addr.a, kp + 5, kp[4]);
	if (db == DB_MAP) {
		r->kind = NVAD_REC_MAP;
		if (n < MAP_VAL_MIN || n != MAP_VAL_MIN + (size_t)p[21])
			return "bad value length";
		if (p[1] < NVA_ST_ASSOCIATED || p[1] > NVA_ST_WITHDRAWN)
			return "bad state";
		r->state = p[1];
		r->flags = p[2];
		memcpy(r->mac, p + 3, 6);
		r->seq = (uint32_t)get_be(p + 9, 4);
		r->rev = get_be(p + 13, 8);
		if (p[21] > 0 && !name_ok(p + 22, p[21]))
			return "bad NVE name";
		memcpy(r->nve, p + 22, p[21]);
		return NULL;
	}
	r->kind = NVAD_REC_SUBNET;
	r->plen = kp[kn - 1];
	if (n < 3)
		return "bad value length";
	r->nsnves = (unsigned)get_be(p + 1, 2);
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

static void
key_hex(const MDB_val *k, char *buf, size_t len)
{
	const uint8_t *p = k->mv_data;
	size_t i, o = 0;

	for (i = 0; i < k->mv_size && o + 3 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%02x", p[i]);
	buf[o] = '\0';
}

static int
lm_load(struct nvad_store *s, int (*cb)(void *arg,
    const struct nvad_rec *r), void *arg)
{
	struct lstore *l = s->priv;
	char (*names)[NVA_NAME_MAX + 1];
	struct nvad_rec r;
	MDB_txn *txn = l->txn;
	MDB_cursor *cur;
	MDB_val k, v;
	const char *bad;
	char hex[2 * 24 + 1];
	int db, rc = 0, op;

	if ((names = calloc(0x10000, sizeof(*names))) == NULL)
		return -ENOMEM;
	if (txn == NULL && (rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY,
	    &txn)) != 0) {
		free(names);
		return lmdb_fail(l, "begin", rc);
	}
	for (db = DB_MAP; db <= DB_SUBNET && rc == 0; db++) {
		if ((rc = mdb_cursor_open(txn, l->dbi[db], &cur)) != 0) {
			rc = lmdb_fail(l, "cursor", rc);
			break;
		}
		for (op = MDB_FIRST;; op = MDB_NEXT) {
			if ((rc = mdb_cursor_get(cur, &k, &v, op)) != 0) {
				rc = rc == MDB_NOTFOUND ? 0 :
				    lmdb_fail(l, "read", rc);
				break;
			}
			if ((bad = rec_decode(db, &k, &v, &r, names)) != NULL) {
				key_hex(&k, hex, sizeof(hex));
				snprintf(s->err, sizeof(s->err), "%s record, "
				    "key %s: %s", db_names[db], hex, bad);
				rc = -EBADMSG;
				break;
			}
			if ((rc = cb(arg, &r)) != 0)
				break;
		}
		mdb_cursor_close(cur);
	}
	if (txn != l->txn)
		mdb_txn_abort(txn);
	free(names);
	return rc;
}

static void
lm_stats(struct nvad_store *s, uint64_t *octets, uint64_t *records)
{
	struct lstore *l = s->priv;
	MDB_envinfo info;
	MDB_stat st;
	MDB_txn *txn = l->txn;
	int db;

	*octets = *records = 0;
	if (mdb_env_info(l->env, &info) == 0 && mdb_env_stat(l->env,
	    &st) == 0)
		*octets = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
	if (txn == NULL && mdb_txn_begin(l->env, NULL, MDB_RDONLY, &txn))
		return;
	for (db = DB_MAP; db <= DB_SUBNET; db++)
		if (mdb_stat(txn, l->dbi[db], &st) == 0)
			*records += st.ms_entries;
	if (txn != l->txn)
		mdb_txn_abort(txn);
}

static void
lm_close(struct nvad_store *s)
{
	struct lstore *l = s->priv;

	lm_abort(s);
	mdb_env_close(l->env);
	free(l->vbuf);
	free(l);
}

static const struct nvad_store_ops lmdb_ops = {
	.name = "lmdb",
	.load = lm_load,
	.meta = lm_meta,
	.put = lm_put,
	.commit = lm_commit,
	.abort = lm_abort,
	.close = lm_close,
	.stats = lm_stats,
};

/* Opens the databases; makes the epoch when the environment is new. */
static int
lm_setup(struct lstore *l)
{
	MDB_val k, v;
	int db, rc;

	if ((rc = mdb_txn_begin(l->env, NULL, 0, &l->txn)) != 0) {
		l->txn = NULL;
		return lmdb_fail(l, "begin", rc);
	}
	for (db = 0; db < DB_COUNT; db++)
		if ((rc = mdb_dbi_open(l->txn, db_names[db], MDB_CREATE,
		    &l->dbi[db])) != 0)
			goto fail;
	k.mv_data = (void *)"epoch";
	k.mv_size = 5;
	if ((rc = mdb_get(l->txn, l->dbi[DB_META], &k, &v)) == 0) {
		if (v.mv_size != 8 || (l->epoch = get_be(v.mv_data, 8)) == 0) {
			snprintf(l->s.err, sizeof(l->s.err), "meta record, key "
			    "epoch: bad value");
			mdb_txn_abort(l->txn);
			l->txn = NULL;
			return -EBADMSG;
		}
	} else if (rc == MDB_NOTFOUND) {
		/* 63 bits: JSON views and tools read it as a signed
		 * 64-bit integer */
		if (getrandom(&l->epoch, sizeof(l->epoch), 0) !=
		    (ssize_t)sizeof(l->epoch) ||
		    (l->epoch &= INT64_MAX) == 0)
			l->epoch = 1;
		if ((rc = meta_put(l, "epoch", l->epoch)) < 0)
			goto fail;
	} else
		goto fail;
	k.mv_data = (void *)"rev";
	k.mv_size = 3;
	if ((rc = mdb_get(l->txn, l->dbi[DB_META], &k, &v)) == 0 &&
	    v.mv_size == 8)
		l->rev = get_be(v.mv_data, 8);
	else if (rc == 0 || rc != MDB_NOTFOUND) {
		snprintf(l->s.err, sizeof(l->s.err), "meta record, key rev: "
		    "%s", rc == 0 ? "bad value" : mdb_strerror(rc));
		mdb_txn_abort(l->txn);
		l->txn = NULL;
		return -EBADMSG;
	}
	rc = mdb_txn_commit(l->txn);
	l->txn = NULL;
	return rc == 0 ? 0 : lmdb_fail(l, "commit", rc);
fail:
	mdb_txn_abort(l->txn);
	l->txn = NULL;
	return rc < 0 ? rc : lmdb_fail(l, "open", rc);
}

int
nvad_store_lmdb_open(struct nvad_store **out, const char *path,
    uint64_t map_size, bool sync, char *err, size_t errlen)
{
	struct lstore *l;
	int rc;

	*out = NULL;
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	l->s.ops = &lmdb_ops;
	l->s.priv = l;
	if ((rc = mdb_env_create(&l->env)) != 0) {
		rc = lmdb_fail(l, "create", rc);
		l->env = NULL;
	} else if ((rc = mdb_env_set_maxdbs(l->env, DB_COUNT)) != 0 ||
	    (map_size > 0 && (rc = mdb_env_set_mapsize(l->env,
	    (size_t)map_size)) != 0))
		rc = lmdb_fail(l, "setup", rc);
	else if ((rc = mdb_env_open(l->env, path, sync ? 0 : MDB_NOSYNC,
	    0600)) != 0)
		rc = lmdb_fail(l, path, rc);
	else
		rc = lm_setup(l);
	if (rc < 0) {
		snprintf(err, errlen, "%s", l->s.err);
		if (l->env != NULL)
			mdb_env_close(l->env);
		free(l);
		return rc;
	}
	*out = &l->s;
	return 0;
}
