/*
 * store_mem.c - the in-memory directory store ("store memory" in
 * nvad.conf, and the dummy unit tests use): the nvad_store_ops contract
 * of nvad.h with nothing durable.  Records live in a hash map keyed the
 * way the LMDB store keys them (MAP: VN and address; NVE: name; SUBNET:
 * VN, prefix and length); put stages a deep copy, commit applies the
 * staged copies in order (a SUBNET record with no NVE deletes), abort
 * drops them.  The epoch is random at open, so NVEs that saw another
 * run of nvad resynchronise fully.
 *
 * Runs in nvad's one thread.  Relies on util/hash and getrandom(2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "nvad.h"

struct mrec {
	struct hnode	 node;
	struct nvad_rec	 r;		/* snves: its own copy */
};

struct mstore {
	struct nvad_store s;
	struct hmap	 recs;
	struct nvad_rec	*staged;	/* snves: own copies */
	size_t		 nstaged, cstaged;
	uint64_t	 epoch, rev;
	uint64_t	 octets;
};

static uint32_t
rec_hash(const struct nvad_rec *r)
{
	if (r->kind == NVAD_REC_NVE)
		return hash_bytes(r->nve, strlen(r->nve), NVAD_REC_NVE);
	return hash_bytes(r->addr.a, r->addr.len, hash_add32(r->kind,
	    r->vn ^ (r->kind == NVAD_REC_SUBNET ? (uint32_t)r->plen << 24 :
	    0)));
}

static bool
rec_same_key(const struct nvad_rec *x, const struct nvad_rec *y)
{
	if (x->kind != y->kind)
		return false;
	if (x->kind == NVAD_REC_NVE)
		return strcmp(x->nve, y->nve) == 0;
	return x->vn == y->vn && nva_addr_eq(&x->addr, &y->addr) &&
	    (x->kind != NVAD_REC_SUBNET || x->plen == y->plen);
}

/* A deep copy of src into dst (snves duplicated). */
static int
rec_copy(struct nvad_rec *dst, const struct nvad_rec *src)
{
	*dst = *src;
	dst->snves = NULL;
	if (src->kind != NVAD_REC_SUBNET || src->nsnves == 0) {
		dst->nsnves = 0;
		return 0;
	}
	dst->snves = malloc(src->nsnves * sizeof(*src->snves));
	if (dst->snves == NULL)
		return -ENOMEM;
	memcpy(dst->snves, src->snves, src->nsnves * sizeof(*src->snves));
	return 0;
}

static size_t
rec_octets(const struct nvad_rec *r)
{
	return sizeof(struct mrec) + r->nsnves * sizeof(*r->snves);
}

static struct mrec *
mem_find(const struct mstore *m, const struct nvad_rec *r)
{
	struct hnode *hn;
	struct mrec *mr;

	HMAP_FOR_HASH(hn, &m->recs, rec_hash(r)) {
		mr = HMAP_CONTAINER(hn, struct mrec, node);
		if (rec_same_key(&mr->r, r))
			return mr;
	}
	return NULL;
}

static int
mem_load(struct nvad_store *s, int (*cb)(void *arg,
    const struct nvad_rec *r), void *arg)
{
	struct mstore *m = s->priv;
	struct hmap_iter it;
	struct hnode *hn;
	int rc;

	hmap_iter_init(&m->recs, &it);
	while ((hn = hmap_iter_next(&m->recs, &it)) != NULL)
		if ((rc = cb(arg, &HMAP_CONTAINER(hn, struct mrec,
		    node)->r)) != 0)
			return rc;
	return 0;
}

static int
mem_meta(struct nvad_store *s, uint64_t *epoch, uint64_t *rev)
{
	struct mstore *m = s->priv;

	*epoch = m->epoch;
	*rev = m->rev;
	return 0;
}

static int
mem_put(struct nvad_store *s, const struct nvad_rec *r)
{
	struct mstore *m = s->priv;
	struct nvad_rec *st;
	size_t nc;

	if (r->kind != NVAD_REC_MAP && r->kind != NVAD_REC_NVE &&
	    r->kind != NVAD_REC_SUBNET)
		return -EINVAL;
	if (m->nstaged == m->cstaged) {
		nc = m->cstaged < 16 ? 16 : m->cstaged * 2;
		if ((st = realloc(m->staged, nc * sizeof(*st))) == NULL)
			return -ENOMEM;
		m->staged = st;
		m->cstaged = nc;
	}
	if (rec_copy(&m->staged[m->nstaged], r) < 0)
		return -ENOMEM;
	m->nstaged++;
	return 0;
}

static void
mem_abort(struct nvad_store *s)
{
	struct mstore *m = s->priv;
	size_t i;

	for (i = 0; i < m->nstaged; i++)
		free(m->staged[i].snves);
	m->nstaged = 0;
}

static void
mrec_free(struct mstore *m, struct mrec *mr)
{
	hmap_remove(&m->recs, &mr->node);
	m->octets -= rec_octets(&mr->r);
	free(mr->r.snves);
	free(mr);
}

/* Applies the staged records in order; they are already copies. */
static int
mem_commit(struct nvad_store *s, uint64_t rev, struct nvad_commit *res)
{
	struct mstore *m = s->priv;
	struct nvad_rec *r;
	struct mrec *mr;
	size_t i;

	res->rev = rev;
	res->lost = NULL;
	res->nlost = 0;
	for (i = 0; i < m->nstaged; i++) {
		r = &m->staged[i];
		if ((mr = mem_find(m, r)) != NULL)
			mrec_free(m, mr);
		if (r->kind == NVAD_REC_SUBNET && r->nsnves == 0) {
			free(r->snves);
			continue;
		}
		if ((mr = calloc(1, sizeof(*mr))) == NULL ||
		    hmap_insert(&m->recs, &mr->node, rec_hash(r)) < 0) {
			free(mr);
			snprintf(s->err, sizeof(s->err), "out of memory");
			m->nstaged -= i;	/* the rest is aborted */
			memmove(m->staged, m->staged + i,
			    m->nstaged * sizeof(*m->staged));
			mem_abort(s);
			return -ENOMEM;
		}
		mr->r = *r;
		m->octets += rec_octets(r);
	}
	m->nstaged = 0;
	if (rev > m->rev)
		m->rev = rev;
	return 0;
}

static void
mem_stats(struct nvad_store *s, uint64_t *octets, uint64_t *records)
{
	struct mstore *m = s->priv;

	*octets = m->octets;
	*records = hmap_count(&m->recs);
}

static void
mem_close(struct nvad_store *s)
{
	struct mstore *m = s->priv;
	struct hmap_iter it;
	struct hnode *hn;

	mem_abort(s);
	free(m->staged);
	hmap_iter_init(&m->recs, &it);
	while ((hn = hmap_iter_next(&m->recs, &it)) != NULL)
		mrec_free(m, HMAP_CONTAINER(hn, struct mrec, node));
	hmap_fini(&m->recs);
	free(m);
}

static const struct nvad_store_ops mem_ops = {
	.name = "memory",
	.load = mem_load,
	.meta = mem_meta,
	.put = mem_put,
	.commit = mem_commit,
	.abort = mem_abort,
	.close = mem_close,
	.stats = mem_stats,
};

int
nvad_store_mem_open(struct nvad_store **out)
{
	struct mstore *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return -ENOMEM;
	if (hmap_init(&m->recs, 64) < 0) {
		free(m);
		return -ENOMEM;
	}
	/* any value but 0 is an epoch; 63 bits, as JSON views read it as
	 * a signed 64-bit integer */
	if (getrandom(&m->epoch, sizeof(m->epoch), 0) !=
	    (ssize_t)sizeof(m->epoch) || (m->epoch &= INT64_MAX) == 0)
		m->epoch = 1;
	m->s.ops = &mem_ops;
	m->s.priv = m;
	*out = &m->s;
	return 0;
}
