/*
 * nva_client_fib.c - the VNs an NVA client follows and its local copy of
 * them (the "fib" nnved's packet path reads): subscription reference
 * counts per VN (nva_client_tsi.c takes and drops them), Updates applied
 * in rev order, the stale marks of a resync and their sweep at
 * SyncDone, Answers and Moved notices.  The rules are in the comment
 * at the top of nva_client.c.
 *
 * Runs in the caller's thread; pure (no I/O, no clock, no logging).
 * Relies on nva_client_priv.h, nva.h and util/hash.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nva/nva_client_priv.h"

static void	fib_drop(struct nva_client *, struct fib_ent *);

static uint32_t
vn_hash(uint32_t vn)
{
	return hash_add32(0x6e7663u, vn);
}

static uint32_t
fib_hash(uint32_t vn, const struct nva_addr *a)
{
	return hash_add32(hash_bytes(a->a, a->len, vn), a->len);
}

struct vn_ent *
nvc_vn_find(const struct nva_client *cl, uint32_t vn)
{
	struct hnode *n;

	HMAP_FOR_HASH(n, &cl->vns, vn_hash(vn)) {
		struct vn_ent *v = HMAP_CONTAINER(n, struct vn_ent, node);

		if (v->vn == vn)
			return v;
	}
	return NULL;
}

static struct fib_ent *
fib_find(const struct nva_client *cl, uint32_t vn, const struct nva_addr *a)
{
	struct hnode *n;

	HMAP_FOR_HASH(n, &cl->fib, fib_hash(vn, a)) {
		struct fib_ent *e = HMAP_CONTAINER(n, struct fib_ent, f.node);

		if (e->f.vn == vn && nva_addr_eq(&e->f.addr, a))
			return e;
	}
	return NULL;
}

/* One more live TSI in vn (Subscribe when it is the first, if UP). */
int
nvc_vn_ref(struct nva_client *cl, uint32_t vn)
{
	struct vn_ent *v = nvc_vn_find(cl, vn);

	if (v != NULL) {
		v->tsis++;
		return 0;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return -ENOMEM;
	v->vn = vn;
	v->tsis = 1;
	if (hmap_insert(&cl->vns, &v->node, vn_hash(vn)) < 0) {
		free(v);
		return -ENOMEM;
	}
	if (cl->state == NVC_UP) {
		v->subscribed = true;
		nvc_send_vnlist(cl, true, &vn, 1, 0);
	}
	return 0;
}

/* One live TSI fewer: the last one unsubscribes and drops the VN's
 * mappings (each told as withdrawn). */
void
nvc_vn_unref(struct nva_client *cl, uint32_t vn)
{
	struct vn_ent *v = nvc_vn_find(cl, vn);
	struct hmap_iter it;
	struct hnode *n;

	if (v == NULL || --v->tsis > 0)
		return;
	if (cl->state == NVC_UP && v->subscribed)
		nvc_send_vnlist(cl, false, &vn, 1, 0);
	hmap_remove(&cl->vns, &v->node);
	free(v);
	hmap_iter_init(&cl->fib, &it);
	while ((n = hmap_iter_next(&cl->fib, &it)) != NULL) {
		struct fib_ent *e = HMAP_CONTAINER(n, struct fib_ent, f.node);

		if (e->f.vn == vn)
			fib_drop(cl, e);
	}
}

/* Tells the entry as withdrawn and frees it. */
static void
fib_drop(struct nva_client *cl, struct fib_ent *e)
{
	struct nvc_ev ev = { .type = NVC_EV_UPDATE };

	e->f.state = NVA_ST_WITHDRAWN;
	ev.vn = e->f.vn;
	ev.addr = e->f.addr;
	ev.fib = &e->f;
	nvc_emit(cl, &ev);
	hmap_remove(&cl->fib, &e->f.node);
	free(e);
}

/* A Mapping as a (detached) fib entry; -EINVAL when it does not fit. */
static int
fib_from(struct nvc_fib *f, const Nva__Mapping *m, uint64_t now)
{
	size_t i, nl;

	memset(f, 0, sizeof(*f));
	if (m == NULL || !nvc_vn_ok(m->vn) ||
	    nva_addr_from(&f->addr, &m->addr) < 0 ||
	    (m->mac.len != 0 && m->mac.len != 6) ||
	    (unsigned)m->state >= NVA_ST_COUNT ||
	    m->n_underlay > NVA_UNDERLAY_MAX || m->nve == NULL ||
	    (nl = strlen(m->nve)) > NVA_NAME_MAX)
		return -EINVAL;
	f->vn = m->vn;
	if (m->mac.len == 6) {
		memcpy(f->mac, m->mac.data, 6);
		f->has_mac = true;
	}
	f->state = (enum nva_state)m->state;
	f->frozen = m->frozen;
	f->seq = m->seq;
	f->rev = m->rev;
	memcpy(f->nve, m->nve, nl + 1);
	for (i = 0; i < m->n_underlay; i++)
		if (nva_addr_from(&f->underlay[i], &m->underlay[i]) < 0 ||
		    f->underlay[i].len == 6)
			return -EINVAL;
	f->nunderlay = (unsigned)m->n_underlay;
	f->learned_us = now;
	return 0;
}

/*
 * Applies a mapping of a subscribed VN: newer than what is held (or
 * refreshing a stale entry) replaces it; WITHDRAWN removes it.  Returns
 * the entry as it now stands (NULL when there is none).
 */
static struct fib_ent *
fib_apply(struct nva_client *cl, const struct nvc_fib *in)
{
	struct fib_ent *e = fib_find(cl, in->vn, &in->addr);
	struct nvc_ev ev = { .type = NVC_EV_UPDATE };
	bool was_stale = false;

	if (e != NULL) {
		was_stale = e->stale;
		e->stale = false;
		if (in->rev <= e->f.rev) {
			if (!was_stale)
				cl->old_updates++;
			return e;
		}
	}
	if (in->state == NVA_ST_WITHDRAWN) {
		if (e != NULL) {
			struct hnode keep = e->f.node;

			e->f = *in;
			e->f.node = keep;
			fib_drop(cl, e);
			cl->cnt.updates++;
		}
		return NULL;
	}
	if (e == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return NULL;
		e->f = *in;
		if (hmap_insert(&cl->fib, &e->f.node,
		    fib_hash(in->vn, &in->addr)) < 0) {
			free(e);
			return NULL;
		}
	} else {
		struct hnode keep = e->f.node;

		e->f = *in;
		e->f.node = keep;
	}
	cl->cnt.updates++;
	ev.vn = e->f.vn;
	ev.addr = e->f.addr;
	ev.fib = &e->f;
	nvc_emit(cl, &ev);
	return e;
}

void
nvc_on_sync_done(struct nva_client *cl, struct req *r, const Nva__SyncDone *sd)
{
	struct nvc_ev ev = { .type = NVC_EV_SYNCED };
	struct hmap_iter it;
	struct hnode *n;
	struct vn_ent *v;
	size_t i;

	(void)r;
	if (cl->subs_pending > 0)
		cl->subs_pending--;
	if (sd->full)
		cl->cnt.resyncs_full++;
	else
		cl->cnt.resyncs_delta++;
	if (sd->rev > cl->rev)
		cl->rev = sd->rev;
	for (i = 0; i < sd->n_vn; i++)
		if ((v = nvc_vn_find(cl, sd->vn[i])) != NULL)
			v->sweep = true;
	hmap_iter_init(&cl->fib, &it);
	while ((n = hmap_iter_next(&cl->fib, &it)) != NULL) {
		struct fib_ent *e = HMAP_CONTAINER(n, struct fib_ent, f.node);

		if (!e->stale || (v = nvc_vn_find(cl, e->f.vn)) == NULL ||
		    !v->sweep)
			continue;
		if (sd->full)
			fib_drop(cl, e);
		else
			e->stale = false;
	}
	ev.full = sd->full;
	for (i = 0; i < sd->n_vn; i++) {
		if ((v = nvc_vn_find(cl, sd->vn[i])) == NULL || !v->sweep)
			continue;
		v->sweep = false;
		v->synced = true;
		ev.vn = v->vn;
		nvc_emit(cl, &ev);
	}
}

void
nvc_on_update(struct nva_client *cl, const Nva__Update *u, uint64_t now)
{
	struct nvc_fib f;
	size_t i;

	for (i = 0; i < u->n_mappings; i++) {
		if (fib_from(&f, u->mappings[i], now) < 0) {
			cl->cnt.rx_bad++;
			continue;
		}
		if (cl->subs_pending == 0 && f.rev > cl->rev)
			cl->rev = f.rev;
		if (nvc_vn_find(cl, f.vn) != NULL)
			fib_apply(cl, &f);
	}
}

/* A mapping of an Answer or Moved: applied when its VN is subscribed;
 * returns the entry to show (stored, or tmp filled). */
static const struct nvc_fib *
fib_show(struct nva_client *cl, const struct nvc_fib *in, struct nvc_fib *tmp)
{
	struct fib_ent *e;

	if (nvc_vn_find(cl, in->vn) != NULL &&
	    (e = fib_apply(cl, in)) != NULL)
		return &e->f;
	*tmp = *in;
	tmp->queried = nvc_vn_find(cl, in->vn) == NULL;
	return tmp;
}

void
nvc_on_answer(struct nva_client *cl, struct req *r, const Nva__Answer *a,
    uint64_t now)
{
	struct nvc_ev ev = { .type = NVC_EV_ANSWER };
	struct nvc_fib f, tmp;
	size_t i;

	cl->cnt.answers++;
	ev.vn = r->vn;
	ev.addr = r->addr;
	ev.token = r->token;
	if (a->n_mappings == 0) {
		ev.code = NVA_NOT_FOUND;
		ev.text = "unknown";
		nvc_emit(cl, &ev);
		return;
	}
	for (i = 0; i < a->n_mappings; i++) {
		if (fib_from(&f, a->mappings[i], now) < 0) {
			cl->cnt.rx_bad++;
			continue;
		}
		ev.fib = fib_show(cl, &f, &tmp);
		nvc_emit(cl, &ev);
	}
}

void
nvc_on_moved(struct nva_client *cl, const Nva__Moved *m, uint64_t now)
{
	struct nvc_ev ev = { .type = NVC_EV_MOVED };
	struct nvc_fib f, tmp;

	if (fib_from(&f, m->mapping, now) < 0) {
		cl->cnt.rx_bad++;
		return;
	}
	cl->cnt.moved++;
	ev.vn = f.vn;
	ev.addr = f.addr;
	ev.fib = fib_show(cl, &f, &tmp);
	ev.text = m->from_nve;
	nvc_emit(cl, &ev);
}

const struct nvc_fib *
nva_client_lookup(const struct nva_client *cl, uint32_t vn,
    const struct nva_addr *a)
{
	const struct fib_ent *e;

	if (a == NULL || !nvc_addr_ok(a))
		return NULL;
	e = fib_find(cl, vn, a);
	return e != NULL ? &e->f : NULL;
}

size_t
nva_client_fib_count(const struct nva_client *cl)
{
	return hmap_count(&cl->fib);
}

void
nva_client_fib_walk(const struct nva_client *cl,
    int (*cb)(void *arg, const struct nvc_fib *f), void *arg)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&cl->fib, &it);
	while ((n = hmap_iter_next(&cl->fib, &it)) != NULL)
		if (cb(arg, &HMAP_CONTAINER(n, struct fib_ent, f.node)->f))
			return;
}

void
nva_client_vn_walk(const struct nva_client *cl,
    int (*cb)(void *arg, uint32_t vn, unsigned tsis, bool synced),
    void *arg)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&cl->vns, &it);
	while ((n = hmap_iter_next(&cl->vns, &it)) != NULL) {
		const struct vn_ent *v = HMAP_CONTAINER(n, struct vn_ent,
		    node);

		if (cb(arg, v->vn, v->tsis, v->synced))
			return;
	}
}
