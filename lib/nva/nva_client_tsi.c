/*
 * nva_client_tsi.c - the TSIs an NVA client reports: what the caller
 * wants for each (state, addresses), what the NVA may hold for it
 * ("held"), and the Withdraws and Reports that close the gap when the
 * session is UP, and the retries after a CONFLICT answer (the rules
 * are in the comment at the top of nva_client.c).  A TSI's first
 * appearance in a VN subscribes it and its last departure unsubscribes
 * it (nva_client_fib.c).
 *
 * Runs in the caller's thread; pure (no I/O, no clock, no logging).
 * Relies on nva_client_priv.h, nva.h and util/hash.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nva/nva_client_priv.h"

static uint32_t
tsi_hash(uint32_t vn, const uint8_t *id)
{
	return hash_bytes(id, NVA_TSI_LEN, vn);
}

struct tsi_ent *
nvc_tsi_find(const struct nva_client *cl, uint32_t vn, const uint8_t *id)
{
	uint32_t h = tsi_hash(vn, id);
	struct hnode *n;

	HMAP_FOR_HASH(n, &cl->tsis, h) {
		struct tsi_ent *t = HMAP_CONTAINER(n, struct tsi_ent, node);

		if (t->vn == vn && memcmp(t->id, id, NVA_TSI_LEN) == 0)
			return t;
	}
	return NULL;
}

struct held *
nvc_held_find(struct tsi_ent *t, const struct nva_addr *a)
{
	unsigned i;

	for (i = 0; i < t->nheld; i++)
		if (nva_addr_eq(&t->held[i].a, a))
			return &t->held[i];
	return NULL;
}

int
nvc_held_add(struct tsi_ent *t, const struct nva_addr *a)
{
	if (t->nheld == t->cheld) {
		unsigned c = t->cheld ? t->cheld * 2 : 4;
		struct held *p = realloc(t->held, c * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		t->held = p;
		t->cheld = c;
	}
	t->held[t->nheld].a = *a;
	t->held[t->nheld].wd = false;
	t->nheld++;
	return 0;
}

void
nvc_held_del(struct tsi_ent *t, struct held *h)
{
	*h = t->held[--t->nheld];
}

/* Whether a live TSI of t's VN other than t wants a. */
static bool
wanted_elsewhere(const struct nva_client *cl, const struct tsi_ent *t,
    const struct nva_addr *a)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&cl->tsis, &it);
	while ((n = hmap_iter_next(&cl->tsis, &it)) != NULL) {
		const struct tsi_ent *o = HMAP_CONTAINER(n, struct tsi_ent,
		    node);

		if (o != t && !o->gone && o->vn == t->vn &&
		    nvc_addr_in(a, o->want, o->nwant))
			return true;
	}
	return false;
}

static void
send_addrs(struct nva_client *cl, struct tsi_ent *t, bool report,
    const struct nva_addr *a, unsigned n, uint64_t isnew)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Report rep = NVA__REPORT__INIT;
	Nva__Withdraw wd = NVA__WITHDRAW__INIT;
	Nva__Address obj[NVA_ADDRS_MAX], *ptr[NVA_ADDRS_MAX];
	struct req *r;

	if ((r = nvc_req_new(cl, report ? RQ_REPORT : RQ_WITHDRAW, &e)) == NULL)
		return;
	r->vn = t->vn;
	memcpy(r->tsi, t->id, NVA_TSI_LEN);
	memcpy(r->addrs, a, n * sizeof(*a));
	r->naddrs = n;
	r->gen = t->gen;
	r->isnew = isnew;
	if (report) {
		nvc_fill_addrs(a, n, nvc_sole_mac(a, n), obj, ptr);
		rep.vn = t->vn;
		rep.tsi = nvc_bin(t->id, NVA_TSI_LEN);
		rep.state = (Nva__State)t->st;
		rep.n_addrs = n;
		rep.addrs = ptr;
		rep.migration = t->migration;
		e.body_case = NVA__ENVELOPE__BODY_REPORT;
		e.report = &rep;
		cl->cnt.reports++;
	} else {
		nvc_fill_addrs(a, n, NULL, obj, ptr);
		wd.vn = t->vn;
		wd.tsi = nvc_bin(t->id, NVA_TSI_LEN);
		wd.n_addrs = n;
		wd.addrs = ptr;
		e.body_case = NVA__ENVELOPE__BODY_WITHDRAW;
		e.withdraw = &wd;
		cl->cnt.withdraws++;
	}
	nvc_send_env(cl, &e);
}

/* Withdraws what t holds and no longer wants (not already in flight). */
static void
tsi_send_withdraws(struct nva_client *cl, struct tsi_ent *t)
{
	struct nva_addr out[NVA_ADDRS_MAX];
	unsigned i = 0, n = 0;

	while (i < t->nheld) {
		struct held *h = &t->held[i];

		if (h->wd || nvc_addr_in(&h->a, t->want, t->nwant)) {
			i++;
			continue;
		}
		if (wanted_elsewhere(cl, t, &h->a)) {
			nvc_held_del(t, h);		/* another TSI has it now */
			continue;
		}
		h->wd = true;
		out[n++] = h->a;
		if (n == NVA_ADDRS_MAX) {
			send_addrs(cl, t, false, out, n, 0);
			n = 0;
		}
		i++;
	}
	if (n > 0)
		send_addrs(cl, t, false, out, n, 0);
}

static void
tsi_send_report(struct nva_client *cl, struct tsi_ent *t)
{
	uint64_t isnew = 0;
	unsigned i;

	if (t->gone || t->refused || t->nwant == 0)
		return;
	for (i = 0; i < t->nwant; i++) {
		struct held *h = nvc_held_find(t, &t->want[i]);

		if (h != NULL)
			h->wd = false;		/* reported again after it */
		else if (nvc_held_add(t, &t->want[i]) == 0)
			isnew |= 1ULL << i;
	}
	send_addrs(cl, t, true, t->want, t->nwant, isnew);
}

void
nvc_tsi_free(struct nva_client *cl, struct tsi_ent *t)
{
	if (t->dirty)
		list_del(&t->dlink);
	list_del(&t->rlink);
	hmap_remove(&cl->tsis, &t->node);
	free(t->held);
	free(t);
}

/* A deleted TSI whose addresses are all withdrawn is forgotten. */
void
nvc_tsi_reap(struct nva_client *cl, struct tsi_ent *t)
{
	if (t->gone && t->nheld == 0 && !t->dirty)
		nvc_tsi_free(cl, t);
}

void
nvc_tsi_mark(struct nva_client *cl, struct tsi_ent *t)
{
	if (!t->dirty) {
		t->dirty = true;
		list_push(&cl->dirty, &t->dlink);
	}
}

/* Sends what changed, when UP: withdrawals of every dirty TSI first,
 * then their reports. */
void
nvc_flush(struct nva_client *cl)
{
	struct link *l, *nx;

	if (cl->state != NVC_UP)
		return;
	for (l = cl->dirty.next; l != &cl->dirty; l = l->next)
		tsi_send_withdraws(cl,
		    LINK_OWNER(l, struct tsi_ent, dlink));
	for (l = cl->dirty.next; l != &cl->dirty; l = nx) {
		struct tsi_ent *t = LINK_OWNER(l, struct tsi_ent, dlink);

		nx = l->next;
		tsi_send_report(cl, t);
		nvc_retry_cancel(t);	/* this was the retry */
		t->dirty = false;
		list_del(&t->dlink);
		nvc_tsi_reap(cl, t);
	}
}

/* ---- CONFLICT: send again later ------------------------------------- */

void
nvc_retry_cancel(struct tsi_ent *t)
{
	list_del(&t->rlink);
	t->retry_at = UINT64_MAX;
}

/*
 * A Report or Withdraw of t was answered CONFLICT: t is sent again
 * (marked dirty) after NVC_CONFLICT_DELAY_US << (CONFLICTs so far).
 * Returns true when a retry is (or already was) set, false when
 * NVC_CONFLICT_TRIES retries all met CONFLICT: the caller gives up.
 */
bool
nvc_conflict(struct nva_client *cl, struct tsi_ent *t, uint64_t now)
{
	if (t->retry_at != UINT64_MAX)
		return true;		/* one retry covers both answers */
	if (t->conflicts >= NVC_CONFLICT_TRIES) {
		t->conflicts = 0;
		cl->cnt.conflict_giveups++;
		return false;
	}
	t->retry_at = now + (NVC_CONFLICT_DELAY_US << t->conflicts);
	t->conflicts++;
	list_push(&cl->retry, &t->rlink);
	cl->cnt.conflict_retries++;
	return true;
}

/* Sends the TSIs whose retry is due (when UP). */
void
nvc_retry_due(struct nva_client *cl, uint64_t now)
{
	struct link *l, *nx;
	bool any = false;

	for (l = cl->retry.next; l != &cl->retry; l = nx) {
		struct tsi_ent *t = LINK_OWNER(l, struct tsi_ent, rlink);

		nx = l->next;
		if (t->retry_at > now)
			continue;
		nvc_retry_cancel(t);
		nvc_tsi_mark(cl, t);
		any = true;
	}
	if (any)
		nvc_flush(cl);
}

/* The earliest retry, UINT64_MAX when none waits. */
uint64_t
nvc_retry_next(const struct nva_client *cl)
{
	const struct link *l;
	uint64_t t = UINT64_MAX;

	for (l = cl->retry.next; l != &cl->retry; l = l->next) {
		const struct tsi_ent *e = LINK_OWNER(l, struct tsi_ent,
		    rlink);

		if (e->retry_at < t)
			t = e->retry_at;
	}
	return t;
}

int
nva_client_tsi_set(struct nva_client *cl, uint32_t vn,
    const uint8_t tsi[NVA_TSI_LEN], enum nva_state st,
    const struct nva_addr *addrs, size_t n, bool migration)
{
	struct tsi_ent *t;
	unsigned i;
	int rc;

	if (tsi == NULL || !nvc_vn_ok(vn) ||
	    (st != NVA_ST_ASSOCIATED && st != NVA_ST_ACTIVATED) ||
	    nvc_check_addrs(addrs, n, NVA_ADDRS_MAX) < 0)
		return -EINVAL;
	if ((t = nvc_tsi_find(cl, vn, tsi)) == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			return -ENOMEM;
		t->vn = vn;
		memcpy(t->id, tsi, NVA_TSI_LEN);
		t->gone = true;
		list_init(&t->dlink);
		list_init(&t->rlink);
		t->retry_at = UINT64_MAX;
		if (hmap_insert(&cl->tsis, &t->node, tsi_hash(vn, tsi)) < 0) {
			free(t);
			return -ENOMEM;
		}
	} else if (!t->gone && t->st == st && t->migration == migration &&
	    t->nwant == n) {
		for (i = 0; i < n; i++)
			if (!nvc_addr_in(&addrs[i], t->want, t->nwant))
				break;
		if (i == n)
			return 0;		/* the same again */
	}
	if (t->gone) {
		if ((rc = nvc_vn_ref(cl, vn)) < 0) {
			nvc_tsi_reap(cl, t);
			return rc;
		}
		t->gone = false;
	}
	t->st = st;
	t->migration = migration;
	if (n > 0)
		memcpy(t->want, addrs, n * sizeof(*addrs));
	t->nwant = (unsigned)n;
	t->gen++;
	t->refused = false;
	nvc_tsi_mark(cl, t);
	nvc_flush(cl);
	return 0;
}

int
nva_client_tsi_del(struct nva_client *cl, uint32_t vn,
    const uint8_t tsi[NVA_TSI_LEN])
{
	struct tsi_ent *t;

	if (tsi == NULL || (t = nvc_tsi_find(cl, vn, tsi)) == NULL || t->gone)
		return -ENOENT;
	t->gone = true;
	t->nwant = 0;
	t->gen++;
	t->refused = false;
	nvc_vn_unref(cl, vn);
	if (t->nheld == 0) {
		nvc_tsi_free(cl, t);
		return 0;
	}
	nvc_tsi_mark(cl, t);
	nvc_flush(cl);
	return 0;
}
