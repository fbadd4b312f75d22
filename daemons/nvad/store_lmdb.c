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
 * groups many changes per batch).  Relies on liblmdb, getrandom(2) and
 * store_rec.c, which owns the key and value of a record.
 *
 * Layout:
 *
 *   "map", "nve", "subnet"   one record per key, as store_rec.c draws them
 *   "meta"    "epoch" -> 8 octets big-endian (random at creation, never 0)
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
#include "util/cursor.h"

enum { DB_MAP, DB_NVE, DB_SUBNET, DB_META, DB_COUNT };
static const char *const db_names[DB_COUNT] = {
	"map", "nve", "subnet", "meta",
};
static const enum nvad_rec_kind db_kind[DB_SUBNET + 1] = {
	NVAD_REC_MAP, NVAD_REC_NVE, NVAD_REC_SUBNET,
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

static int
lmdb_fail(struct lstore *l, const char *what, int rc)
{
	snprintf(l->s.err, sizeof(l->s.err), "lmdb %s: %s", what,
	    mdb_strerror(rc));
	return rc > 0 ? -rc : -EIO;	/* errno, or an MDB_ code */
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
	k.mv_size = nvad_rec_key(r, kb);
	if (k.mv_size == 0)
		return -EINVAL;
	if (r->kind == NVAD_REC_SUBNET && r->nsnves == 0) {
		rc = mdb_del(l->txn, dbi, &k, NULL);
		return rc == 0 || rc == MDB_NOTFOUND ? 0 :
		    lmdb_fail(l, "del", rc);
	}
	if ((v.mv_size = nvad_rec_value(r, &l->vbuf, &l->cvbuf)) == 0)
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

	put_be_n(b, val, 8);
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
			if ((bad = nvad_rec_decode(db_kind[db], k.mv_data,
			    k.mv_size, v.mv_data, v.mv_size, &r,
			    names)) != NULL) {
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
		if (v.mv_size != 8 || (l->epoch = get_be_n(v.mv_data, 8)) == 0) {
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
		l->rev = get_be_n(v.mv_data, 8);
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
