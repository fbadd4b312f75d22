/*
 * dir_rec.c - records <-> nvad's directory: the store record of an
 * entry, NVE or subnet (what session.c persists), the directory built
 * from a store's records at start-up (dir_load_rec), and the records
 * another nvad wrote in a shared store, or that won a race against this
 * nvad's own change, applied to this directory (dir_apply_rec) so that
 * session.c can push them to its own subscribers.
 *
 * Runs in nvad's one thread, like dir.c.  Pure: no I/O, no clock, no
 * logging.  Relies on dir.c for the directory's insides (dir_priv.h:
 * entries, NVE slots, subnets and their bookkeeping).
 *
 * Applying a record (the writing nvad already ran the rules; this one
 * only follows):
 *
 *   MAP     r->rev <  e->rev            ignored (older than the entry)
 *           r->rev == e->rev, same      ignored (the watch echoes this
 *                                       nvad's own commits)
 *           otherwise, or e tentative   e takes owner, state, flags, MAC,
 *                                       seq and rev from r
 *     what subscribers see changed (owner, state, MAC, seq, frozen):
 *                                       e -> out->changed
 *     ACTIVATED at old owner -> ACTIVATED at another:
 *                                       (e, old owner) -> out->moved
 *     owner changed:                    prev := old owner; a pending mark
 *                                       held by the new owner is dropped
 *                                       (other pending marks stay: they
 *                                       are this nvad's, memory only)
 *     frozen -> not frozen:             the move count restarts (a thaw
 *                                       through another nvad)
 *     never counted for duplicate detection, never refused for policy.
 *   NVE     the underlay (NVE made when unknown)
 *   SUBNET  the attached NVEs replaced (none: the subnet goes away)
 *   every kind: the directory revision becomes max(its own, r->rev).
 * Applied NVE and subnet records do not go to out->nves / out->subnets:
 * those are records to persist, and these are in the store already.
 *
 * Tentative entries (DIR_F_TENTATIVE, dir_priv.h: changed by this
 * nvad's rules, not committed yet) take any record: a record that won
 * a race against the change may carry a revision below the tentative
 * one.  So the caller commits (and dir_ent_set_rev()s) its own changes
 * before it applies watched records, or a watched echo of an older
 * commit would overwrite a change still on its way to the store.  The
 * moved notice of such a record names the tentative owner (this nvad's
 * view), not the owner the store had before.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir_priv.h"

#define MAP_FLAGS	(DIR_F_FROZEN | DIR_F_HAS_MAC)

/* ---- directory -> records ------------------------------------------------ */

void
dir_ent_rec(const struct dir *d, const struct dir_ent *e, struct nvad_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = NVAD_REC_MAP;
	r->vn = e->vn;
	r->addr.len = e->alen;
	memcpy(r->addr.a, e->addr, e->alen);
	r->state = e->state;
	r->flags = e->flags & MAP_FLAGS;
	memcpy(r->mac, e->mac, 6);
	r->seq = e->seq;
	r->rev = e->rev;
	/* names fit (both NVA_NAME_MAX + 1); no printf on this hot path */
	memcpy(r->nve, e->nve < d->nnves ? d->nves[e->nve]->nve.name : "",
	    e->nve < d->nnves ? strlen(d->nves[e->nve]->nve.name) + 1 : 1);
}

void
dir_nve_rec(const struct dir_nve *n, struct nvad_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = NVAD_REC_NVE;
	snprintf(r->nve, sizeof(r->nve), "%s", n->name);
	r->nunderlay = n->nunderlay;
	memcpy(r->underlay, n->underlay, sizeof(r->underlay));
}

/* r->snves points into d (room made by subnet_add) until the next call. */
void
dir_subnet_rec(const struct dir *d, const struct dir_subnet *s,
    struct nvad_rec *r)
{
	unsigned i;

	memset(r, 0, sizeof(*r));
	r->kind = NVAD_REC_SUBNET;
	r->vn = s->vn;
	r->addr = s->prefix;
	r->plen = s->plen;
	r->snves = d->scratch;
	for (i = 0; i < s->nnves && i < d->cscratch; i++)
		snprintf(d->scratch[r->nsnves++], sizeof(d->scratch[0]), "%s",
		    dirp_nve_name(d, s->nves[i]));
}

/* ---- records -> directory ------------------------------------------------ */

/* A MAP record the directory can hold: a live entry has an owner. */
static bool
map_ok(const struct nvad_rec *r)
{
	return VN_OK(r->vn) && (r->addr.len == 4 || r->addr.len == 6 ||
	    r->addr.len == 16) && r->state >= NVA_ST_ASSOCIATED &&
	    r->state <= NVA_ST_WITHDRAWN &&
	    strnlen(r->nve, sizeof(r->nve)) <= NVA_NAME_MAX &&
	    (r->nve[0] != '\0' || r->state == NVA_ST_WITHDRAWN);
}

static void
rev_raise(struct dir *d, struct dir_vn *v, uint64_t rev)
{
	if (v != NULL && rev > v->rev)
		v->rev = rev;
	if (rev > d->rev)
		d->rev = rev;
}

static int
load_map(struct dir *d, const struct nvad_rec *r)
{
	struct dir_nve_slot *s;
	struct dir_ent *e;
	struct dir_vn *v;
	uint32_t idx = NVAD_NONE;

	if (!map_ok(r))
		return -EINVAL;
	if (r->nve[0] != '\0') {
		if ((s = dirp_slot_get(d, r->nve)) == NULL)
			return -ENOMEM;
		idx = s->nve.idx;
	}
	if ((e = dir_lookup(d, r->vn, &r->addr)) == NULL &&
	    (e = dirp_ent_new(d, r->vn, &r->addr)) == NULL)
		return -ENOMEM;
	v = dir_vn_find(d, r->vn);
	dirp_ent_set(d, v, e, idx, (enum nva_state)r->state,
	    dirp_tenant_of(d, r->vn));
	e->flags = r->flags & MAP_FLAGS;
	memcpy(e->mac, r->mac, 6);
	e->seq = r->seq;
	e->rev = r->rev;
	rev_raise(d, v, r->rev);
	return 0;
}

static int
load_nve(struct dir *d, const struct nvad_rec *r)
{
	struct dir_nve_slot *s;
	unsigned i;

	if (!dirp_name_ok(r->nve) || r->nunderlay > NVA_UNDERLAY_MAX)
		return -EINVAL;
	for (i = 0; i < r->nunderlay; i++)
		if (r->underlay[i].len != 4 && r->underlay[i].len != 16)
			return -EINVAL;
	if ((s = dirp_slot_get(d, r->nve)) == NULL)
		return -ENOMEM;
	memset(s->nve.underlay, 0, sizeof(s->nve.underlay));
	memcpy(s->nve.underlay, r->underlay,
	    r->nunderlay * sizeof(r->underlay[0]));
	s->nve.nunderlay = r->nunderlay;
	return 0;
}

/* The attached NVEs become r's (none: the subnet is gone). */
static int
load_subnet(struct dir *d, const struct nvad_rec *r)
{
	struct dir_nve_slot *ns;
	struct dir_subnet *s;
	unsigned i;

	if (!VN_OK(r->vn) || !dirp_prefix_ok(&r->addr, r->plen) ||
	    (r->nsnves > 0 && r->snves == NULL))
		return -EINVAL;
	for (i = 0; i < r->nsnves; i++)
		if (!dirp_name_ok(r->snves[i]))
			return -EINVAL;
	if ((s = dirp_subnet_find(d, r->vn, &r->addr, r->plen)) != NULL)
		s->nnves = 0;
	for (i = 0; i < r->nsnves; i++)
		if ((ns = dirp_slot_get(d, r->snves[i])) == NULL ||
		    dirp_subnet_add(d, r->vn, &r->addr, r->plen, ns->nve.idx,
		    &s) < 0)
			return -ENOMEM;
	return 0;
}

/* NVE records may come after MAP records that name them, or never. */
int
dir_load_rec(struct dir *d, const struct nvad_rec *r)
{
	switch (r->kind) {
	case NVAD_REC_MAP:
		return load_map(d, r);
	case NVAD_REC_SUBNET:
		return load_subnet(d, r);
	case NVAD_REC_NVE:
		return load_nve(d, r);
	default:
		return -EINVAL;
	}
}

void
dir_set_rev(struct dir *d, uint64_t rev)
{
	rev_raise(d, NULL, rev);
}

/* ---- records other writers made ------------------------------------------ */

/* Whether e already says what r says (owner s: r's, NULL if unknown). */
static bool
ent_same(const struct dir_ent *e, const struct nvad_rec *r,
    const struct dir_nve_slot *s)
{
	uint8_t f = r->flags & MAP_FLAGS;

	if (r->nve[0] != '\0' && s == NULL)
		return false;		/* an NVE this nvad never saw */
	return e->nve == (s != NULL ? s->nve.idx : NVAD_NONE) &&
	    e->state == r->state && (e->flags & MAP_FLAGS) == f &&
	    e->seq == r->seq &&
	    (!(f & DIR_F_HAS_MAC) || memcmp(e->mac, r->mac, 6) == 0);
}

static int
apply_map(struct dir *d, const struct nvad_rec *r, struct dir_out *o)
{
	struct dir_nve_slot *s = NULL;
	struct dir_ent *e;
	struct dir_vn *v;
	uint32_t idx, old;
	bool isnew, seen, moved;

	if (!map_ok(r))
		return -1;
	e = dir_lookup(d, r->vn, &r->addr);
	if (r->nve[0] != '\0')
		s = dirp_slot_find(d, r->nve);
	if (e != NULL && !(e->flags & DIR_F_TENTATIVE) && (r->rev < e->rev ||
	    (r->rev == e->rev && ent_same(e, r, s))))
		return 0;
	if ((isnew = e == NULL) && dir_count(d) >= d->conf->max_entries)
		return -1;
	if (r->nve[0] != '\0' && s == NULL &&
	    (s = dirp_slot_get(d, r->nve)) == NULL)
		return -1;
	/* room first: past here nothing fails */
	if (o != NULL && (dirp_room(NULL, &o->changed, o->nchanged,
	    &o->cchanged, 1, sizeof(*o->changed)) < 0 ||
	    dirp_room(NULL, &o->moved, o->nmoved, &o->cmoved, 1,
	    sizeof(*o->moved)) < 0))
		return -1;
	if (isnew && (e = dirp_ent_new(d, r->vn, &r->addr)) == NULL)
		return -1;
	v = dir_vn_find(d, r->vn);
	idx = s != NULL ? s->nve.idx : NVAD_NONE;
	old = e->nve;
	seen = isnew || !ent_same(e, r, s);
	moved = e->state == NVA_ST_ACTIVATED && r->state == NVA_ST_ACTIVATED &&
	    old != idx && old != NVAD_NONE;
	if (!isnew && old != idx) {
		e->prev = old;
		if (e->pending == idx)
			e->pending = NVAD_NONE;
	}
	if ((e->flags & DIR_F_FROZEN) && !(r->flags & DIR_F_FROZEN)) {
		e->nmoves = 0;
		e->move_t0 = 0;
	}
	dirp_ent_set(d, v, e, idx, (enum nva_state)r->state,
	    dirp_tenant_of(d, r->vn));
	e->flags = r->flags & MAP_FLAGS;
	memcpy(e->mac, r->mac, 6);
	e->seq = r->seq;
	e->rev = r->rev;
	rev_raise(d, v, r->rev);
	if (o != NULL && seen)
		o->changed[o->nchanged++] = e;
	if (o != NULL && moved) {
		o->moved[o->nmoved].ent = e;
		o->moved[o->nmoved++].old_nve = old;
	}
	return 0;
}

int
dir_apply_rec(struct dir *d, const struct nvad_rec *r, struct dir_out *out)
{
	int rc;

	switch (r->kind) {
	case NVAD_REC_MAP:
		return apply_map(d, r, out);
	case NVAD_REC_NVE:
		rc = load_nve(d, r);
		break;
	case NVAD_REC_SUBNET:
		rc = load_subnet(d, r);
		break;
	default:
		return -1;
	}
	if (rc < 0)
		return -1;
	rev_raise(d, NULL, r->rev);
	return 0;
}

/*
 * The VN's newest revision and the directory's stay at least e's: the
 * first lets dir_since() skip quiet VNs, the second makes the rules'
 * next revision newer than every entry's (dir.c ent_changed()).
 */
void
dir_ent_set_rev(struct dir_ent *e, uint64_t rev)
{
	struct dir *d = dirp_of(e);

	e->rev = rev;
	e->flags &= (uint8_t)~DIR_F_TENTATIVE;
	rev_raise(d, dir_vn_find(d, e->vn), rev);
}
