/*
 * dir.c - nvad's directory: every (VN, address) -> NVE entry with its
 * mobility sequence number, the NVEs, the VNs with entries, subnet
 * attachments (RFC 8171) and alerts.  Owns the rules of reports,
 * withdrawals, moves, duplicate detection, tenant co-attachment (vmm
 * section 10) and ARP/ND audit (nvad.h, docs/nvad.8 "DIRECTORY RULES").
 * The translation between entries and store records lives in dir_rec.c;
 * the structs and helpers both use are in dir_priv.h.
 *
 * Runs in nvad's one thread (session.c, control.c; unit tests call it
 * directly).  Pure: no I/O, no clock (callers pass now in seconds), no
 * logging.  Relies on util/hash, on parse.c for policy look-ups
 * (nvad_conf_tenant_of, nvad_conf_nve) and on lib/nva for address text.
 *
 * Entries are never freed (a withdrawn entry keeps its seq so the next
 * owner gets a higher one); they come from aligned slabs of DIR_SLAB
 * (dir_priv.h), so one costs sizeof(struct dir_ent) plus its share of
 * the bucket array.
 *
 * One entry's life (n: the NVE calling, o: owner, p: pending NVE):
 *
 *            report(n, st)          withdraw(o), no p
 *   (none) ----------------> LIVE -------------------> WITHDRAWN
 *           CREATE, o := n    ^         WITHDRAW           |
 *                             +----------------------------+
 *                     report(n, st): UPDATE if n == o, else TAKEOVER
 *   LIVE (ASSOCIATED or ACTIVATED) to LIVE:
 *     report(o, st)                        UPDATE: state, MAC
 *     report(n, ACTIVATED), o ACTIVATED    MOVE: o := n, seq+1, notice
 *     report(n, ASSOCIATED), o ACTIVATED   PENDING: p := n (memory only)
 *     report(n, st), o ASSOCIATED          TAKEOVER: o := n, seq+1
 *     withdraw(o), p set                   PROMOTE: o := p ASSOCIATED, seq+1
 *     withdraw(p)                          FORGET: p := none
 *   Withdraws by the previous owner, of unknown or withdrawn addresses:
 *   STALE (counted); by anyone else: NVA_NOT_OWNER.  Any change of the
 *   owner of a frozen address: NVA_FROZEN.
 *
 * decide() holds these transitions in one place, act_apply() performs
 * them.  A call is all-or-nothing: pass 1 plans an action per address
 * and refuses the whole call at the first refusal, pass 2 applies.  The
 * one change a refused call makes is a freeze by duplicate detection,
 * which sticks (the entry goes to out->changed, the alert to
 * out->alerts).
 *
 * Duplicate detection (RFC 7432 section 15, centralised): a counted move
 * (a MOVE not announced as a migration) opens a window of dup_window_s
 * at its time when none is open or the open one has passed, and counts
 * 1; each counted move inside adds 1; the move that would take the
 * count past dup_moves freezes the address instead.  dup_moves 0: off.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir_priv.h"

#define DIR_ALERT_CAP		10000	/* alerts kept (the newest) */
#define DIR_ALERT_OP_MAX	4096	/* alerts one call may raise */
#define PLAN_STACK		64	/* plans on the stack */

/* Without a configuration: no policy, RFC 7432's 5 moves in 180 s. */
static const struct nvad_conf defconf = {
	.dup_moves = 5, .dup_window_s = 180, .max_entries = 16ULL << 20,
};

#define DUP_MOVES(d)	((d)->conf->dup_moves > 254 ? 254u : \
			    (d)->conf->dup_moves)

/* What one address of a call does: the transitions drawn above. */
enum dir_act {
	ACT_CREATE, ACT_UPDATE, ACT_TAKEOVER, ACT_MOVE, ACT_PENDING,
	ACT_WITHDRAW, ACT_PROMOTE, ACT_FORGET, ACT_STALE, ACT_REFUSE,
	ACT_COUNT
};
static const char *const act_names[ACT_COUNT] = {
	"create", "update", "takeover", "move", "pending", "withdraw",
	"promote", "forget", "stale", "refuse",
};

struct plan {
	struct dir_ent	*e;
	enum dir_act	 act;
	bool		 dup;		/* seen earlier in the call */
	bool		 freeze;	/* this move freezes the address */
};

/* ---- memory ------------------------------------------------------------- */

/*
 * Room for need more elements in *arrp (n used, *cap allocated), which
 * grows in powers of two; mem (may be NULL) counts the octets.
 */
int
dirp_room(uint64_t *mem, void *arrp, size_t n, size_t *cap, size_t need,
    size_t sz)
{
	void **arr = arrp, *p;
	size_t nc = *cap < 8 ? 8 : *cap;

	if (n + need <= *cap)
		return 0;
	while (nc < n + need)
		nc *= 2;
	if ((p = realloc(*arr, nc * sz)) == NULL)
		return -ENOMEM;
	if (mem != NULL)
		*mem += (nc - *cap) * sz;
	*arr = p;
	*cap = nc;
	return 0;
}

static void *
d_calloc(struct dir *d, size_t n, size_t sz)
{
	void *p = calloc(n, sz);

	if (p != NULL)
		d->mem += n * sz;
	return p;
}

uint64_t
dir_mem_octets(const struct dir *d)
{
	return d->mem + (d->ents.mask + 1 + d->vns.mask + 1 +
	    d->subnets.mask + 1 + d->nve_names.mask + 1) *
	    sizeof(struct hnode *);
}

/* ---- small helpers ------------------------------------------------------ */

int
dirp_tenant_of(const struct dir *d, uint32_t vn)
{
	return d->conf->ntenants > 0 ? nvad_conf_tenant_of(d->conf, vn) : -1;
}

static bool
mac_ok(const uint8_t *m)
{
	static const uint8_t zero[6];

	return (m[0] & 0x01) == 0 && memcmp(m, zero, 6) != 0;
}

/* What the directory keys: a unicast MAC, IPv4 or IPv6 address. */
static bool
addr_ok(const struct nva_addr *a)
{
	static const uint8_t zero[16];

	switch (a->len) {
	case 6:
		return mac_ok(a->a);
	case 4:
		return (a->a[0] & 0xf0) != 0xe0 && memcmp(a->a, zero, 4) != 0;
	case 16:
		return a->a[0] != 0xff && memcmp(a->a, zero, 16) != 0;
	default:
		return false;
	}
}

bool
dirp_name_ok(const char *s)
{
	size_t len = s != NULL ? strnlen(s, NVA_NAME_MAX + 1) : 0;

	return len >= 1 && len <= NVA_NAME_MAX;
}

bool
dirp_prefix_ok(const struct nva_addr *p, unsigned plen)
{
	unsigned bits = p->len * 8u, i;

	if ((p->len != 4 && p->len != 16) || plen > bits)
		return false;
	for (i = plen; i < bits; i++)
		if (p->a[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

static const char *
mac_fmt(const uint8_t *mac, char *buf)
{
	struct nva_addr m = { .len = 6 };

	memcpy(m.a, mac, 6);
	return nva_addr_fmt(&m, buf);
}

const char *
dirp_nve_name(const struct dir *d, uint32_t idx)
{
	return idx < d->nnves ? d->nves[idx]->nve.name : "-";
}

static enum nva_code
refuse(struct dir *d, struct dir_nve *nve, enum nva_code c)
{
	d->cnt.refused[c]++;
	if (nve != NULL)
		nve->refused++;
	return c;
}

/* ---- the result --------------------------------------------------------- */

void
dir_out_init(struct dir_out *o)
{
	memset(o, 0, sizeof(*o));
}

void
dir_out_reset(struct dir_out *o)
{
	o->nchanged = o->nmoved = o->nnves = o->nsubnets = o->nalerts = 0;
}

void
dir_out_free(struct dir_out *o)
{
	free(o->changed);
	free(o->moved);
	free(o->nves);
	free(o->subnets);
	free(o->alerts);
	dir_out_init(o);
}

static void
out_subnet(struct dir_out *o, struct dir_subnet *s)
{
	size_t i;

	for (i = 0; o != NULL && i < o->nsubnets; i++)
		if (o->subnets[i] == s)
			return;
	if (o != NULL && dirp_room(NULL, &o->subnets, o->nsubnets, &o->csubnets,
	    1, sizeof(*o->subnets)) == 0)
		o->subnets[o->nsubnets++] = s;
}

/* ---- alerts ------------------------------------------------------------- */

/*
 * Makes room for need alerts so that the array does not move during the
 * call (out->alerts points into it).  Past 2 * CAP it drops all but the
 * newest CAP; it never holds more than 2 * CAP + OP_MAX.
 */
static void
alerts_prepare(struct dir *d, size_t need)
{
	if (need > DIR_ALERT_OP_MAX)
		need = DIR_ALERT_OP_MAX;
	if (d->nalerts + need > d->calerts && d->nalerts > 2 * DIR_ALERT_CAP) {
		memmove(d->alerts, d->alerts + d->nalerts - DIR_ALERT_CAP,
		    DIR_ALERT_CAP * sizeof(*d->alerts));
		d->nalerts = DIR_ALERT_CAP;
	}
	/* on failure the alerts of this call are dropped */
	(void)dirp_room(&d->mem, &d->alerts, d->nalerts, &d->calerts, need,
	    sizeof(*d->alerts));
}

static struct dir_alert *
alert_raise(struct dir *d, enum dir_alert_kind kind, uint32_t vn,
    const struct nva_addr *a, uint32_t nve, uint64_t now_s,
    struct dir_out *out)
{
	struct dir_alert *al;

	if (d->nalerts >= d->calerts)
		return NULL;
	al = &d->alerts[d->nalerts++];
	memset(al, 0, sizeof(*al));
	al->id = ++d->alert_id;
	al->kind = kind;
	al->vn = vn;
	al->addr = *a;
	al->nve = nve;
	al->at_s = now_s;
	if (out != NULL && dirp_room(NULL, &out->alerts, out->nalerts,
	    &out->calerts, 1, sizeof(*out->alerts)) == 0)
		out->alerts[out->nalerts++] = al;
	return al;
}

const struct dir_alert *
dir_alerts(const struct dir *d, size_t *n)
{
	*n = d->nalerts > DIR_ALERT_CAP ? DIR_ALERT_CAP : d->nalerts;
	return d->alerts + d->nalerts - *n;
}

/* ---- NVEs --------------------------------------------------------------- */

struct dir_nve_slot *
dirp_slot_find(const struct dir *d, const char *name)
{
	struct hnode *hn;
	struct dir_nve_slot *s;

	HMAP_FOR_HASH(hn, &d->nve_names, NAME_HASH(name)) {
		s = HMAP_CONTAINER(hn, struct dir_nve_slot, node);
		if (strcmp(s->nve.name, name) == 0)
			return s;
	}
	return NULL;
}

/* The NVE called name, made when missing (NULL: no memory, too many). */
struct dir_nve_slot *
dirp_slot_get(struct dir *d, const char *name)
{
	struct dir_nve_slot *s;

	if ((s = dirp_slot_find(d, name)) != NULL)
		return s;
	if (d->nnves >= DIR_NVE_MAX || dirp_room(&d->mem, &d->nves, d->nnves,
	    &d->cnves, 1, sizeof(*d->nves)) < 0 ||
	    (s = d_calloc(d, 1, sizeof(*s))) == NULL)
		return NULL;
	snprintf(s->nve.name, sizeof(s->nve.name), "%s", name);
	s->nve.idx = (uint32_t)d->nnves;
	if (hmap_insert(&d->nve_names, &s->node, NAME_HASH(name)) < 0) {
		free(s);
		d->mem -= sizeof(*s);
		return NULL;
	}
	d->nves[d->nnves++] = s;
	return s;
}

struct dir_nve *
dir_nve_at(const struct dir *d, uint32_t idx)
{
	return idx < d->nnves ? &d->nves[idx]->nve : NULL;
}

struct dir_nve *
dir_nve_find(const struct dir *d, const char *name)
{
	return (struct dir_nve *)dirp_slot_find(d, name);
}

uint32_t
dir_nve_count(const struct dir *d)
{
	return (uint32_t)d->nnves;
}

/* Owner bookkeeping: the owned count and the per-tenant references. */
static void
own_adj(struct dir *d, uint32_t idx, int t, int delta)
{
	struct dir_nve *n;

	if (idx >= d->nnves)
		return;
	n = &d->nves[idx]->nve;
	n->owned += (uint64_t)(int64_t)delta;
	if (t < 0 || (unsigned)t >= d->ntenants)
		return;
	if (n->tenant_refs == NULL) {
		if (delta < 0 || (n->tenant_refs = d_calloc(d, d->ntenants,
		    sizeof(*n->tenant_refs))) == NULL)
			return;
		n->ntenant_refs = d->ntenants;
	}
	n->tenant_refs[t] += (uint32_t)delta;
}

/* ---- entries and VNs ---------------------------------------------------- */

struct dir_vn *
dir_vn_find(const struct dir *d, uint32_t vn)
{
	struct hnode *hn;
	struct dir_vn *v;

	HMAP_FOR_HASH(hn, &d->vns, VN_HASH(vn)) {
		v = HMAP_CONTAINER(hn, struct dir_vn, node);
		if (v->vn == vn)
			return v;
	}
	return NULL;
}

static struct dir_vn *
vn_get(struct dir *d, uint32_t vn)
{
	struct dir_vn *v;

	if ((v = dir_vn_find(d, vn)) != NULL)
		return v;
	if ((v = d_calloc(d, 1, sizeof(*v))) == NULL)
		return NULL;
	v->vn = vn;
	if (hmap_insert(&d->vns, &v->node, VN_HASH(vn)) < 0) {
		free(v);
		d->mem -= sizeof(*v);
		return NULL;
	}
	return v;
}

struct dir_ent *
dir_lookup(const struct dir *d, uint32_t vn, const struct nva_addr *a)
{
	struct hnode *hn;
	struct dir_ent *e;

	if (a->len > sizeof(e->addr))
		return NULL;
	HMAP_FOR_HASH(hn, &d->ents, ENT_HASH(vn, a)) {
		e = HMAP_CONTAINER(hn, struct dir_ent, node);
		if (e->vn == vn && e->alen == a->len &&
		    memcmp(e->addr, a->a, a->len) == 0)
			return e;
	}
	return NULL;
}

/* A fresh entry (state NONE, no owner) linked everywhere. */
struct dir_ent *
dirp_ent_new(struct dir *d, uint32_t vn, const struct nva_addr *a)
{
	struct dir_slab *sl;
	struct dir_vn *v;
	struct dir_ent *e;

	if ((v = vn_get(d, vn)) == NULL)
		return NULL;
	if (d->nslabs == 0 || d->slab_used == DIR_SLAB) {
		if (dirp_room(&d->mem, &d->slabs, d->nslabs, &d->cslabs, 1,
		    sizeof(*d->slabs)) < 0 || (sl = aligned_alloc(
		    DIR_SLAB_OCTETS, DIR_SLAB_OCTETS)) == NULL)
			return NULL;
		d->mem += DIR_SLAB_OCTETS;
		sl->d = d;
		d->slabs[d->nslabs++] = sl;
		d->slab_used = 0;
	}
	e = &d->slabs[d->nslabs - 1]->ents[d->slab_used];
	memset(e, 0, sizeof(*e));
	e->vn = vn;
	e->alen = a->len;
	memcpy(e->addr, a->a, a->len);
	e->nve = e->prev = e->pending = NVAD_NONE;
	if (hmap_insert(&d->ents, &e->node, ENT_HASH(vn, a)) < 0)
		return NULL;	/* the slot is reused by the next ent_new */
	d->slab_used++;
	e->vn_next = v->ents;
	v->ents = e;
	v->count++;
	return e;
}

struct dir *
dirp_of(const struct dir_ent *e)
{
	uintptr_t slab = (uintptr_t)e & ~(uintptr_t)(DIR_SLAB_OCTETS - 1);

	return ((const struct dir_slab *)slab)->d;
}

/* Moves e to owner idx in state st, keeping every count right. */
void
dirp_ent_set(struct dir *d, struct dir_vn *v, struct dir_ent *e,
    uint32_t idx, enum nva_state st, int t)
{
	if (ALIVE(e))
		own_adj(d, e->nve, t, -1);
	if (e->state == NVA_ST_ACTIVATED)
		v->active--;
	e->nve = idx;
	e->state = (uint8_t)st;
	if (ALIVE(e))
		own_adj(d, e->nve, t, 1);
	if (e->state == NVA_ST_ACTIVATED)
		v->active++;
}

/* e changed in the call that started at rev0: a new rev, listed once. */
static void
ent_changed(struct dir *d, struct dir_vn *v, struct dir_ent *e,
    uint64_t rev0, struct dir_out *o)
{
	if (e->rev > rev0)
		return;
	e->rev = ++d->rev;
	e->flags |= DIR_F_TENTATIVE;	/* until a store rev (dir_rec.c) */
	v->rev = e->rev;
	if (o != NULL && dirp_room(NULL, &o->changed, o->nchanged,
	    &o->cchanged, 1, sizeof(*o->changed)) == 0)
		o->changed[o->nchanged++] = e;
}

/* ---- life cycle --------------------------------------------------------- */

int
dir_new(struct dir **out, const struct nvad_conf *conf)
{
	struct dir *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return -ENOMEM;
	d->mem = sizeof(*d);
	d->conf = &defconf;
	if (hmap_init(&d->ents, 1024) < 0 || hmap_init(&d->vns, 64) < 0 ||
	    hmap_init(&d->subnets, 16) < 0 ||
	    hmap_init(&d->nve_names, 16) < 0) {
		dir_free(d);
		return -ENOMEM;
	}
	dir_set_conf(d, conf);
	*out = d;
	return 0;
}

void
dir_free(struct dir *d)
{
	struct hmap_iter it;
	struct hnode *hn;
	struct dir_subnet *s;
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nslabs; i++)
		free(d->slabs[i]);
	hmap_iter_init(&d->vns, &it);
	while ((hn = hmap_iter_next(&d->vns, &it)) != NULL)
		free(HMAP_CONTAINER(hn, struct dir_vn, node));
	hmap_iter_init(&d->subnets, &it);
	while ((hn = hmap_iter_next(&d->subnets, &it)) != NULL) {
		free((s = HMAP_CONTAINER(hn, struct dir_subnet, node))->nves);
		free(s);
	}
	for (i = 0; i < d->nnves; i++) {
		free(d->nves[i]->nve.tenant_refs);
		free(d->nves[i]);
	}
	free(d->slabs);
	free(d->nves);
	free(d->alerts);
	free(d->scratch);
	hmap_fini(&d->ents);
	hmap_fini(&d->vns);
	hmap_fini(&d->subnets);
	hmap_fini(&d->nve_names);
	free(d);
}

/*
 * Tenant indices may name other tenants after a reload: forget every
 * reference and count them again, one VN at a time.
 */
void
dir_set_conf(struct dir *d, const struct nvad_conf *conf)
{
	struct hmap_iter it;
	struct hnode *hn;
	struct dir_nve *n;
	struct dir_vn *v;
	struct dir_ent *e;
	size_t i;
	int t;

	d->conf = conf != NULL ? conf : &defconf;
	for (i = 0; i < d->nnves; i++) {
		n = &d->nves[i]->nve;
		d->mem -= n->ntenant_refs * sizeof(*n->tenant_refs);
		free(n->tenant_refs);
		n->tenant_refs = NULL;
		n->ntenant_refs = 0;
	}
	if ((d->ntenants = d->conf->ntenants) == 0)
		return;
	hmap_iter_init(&d->vns, &it);
	while ((hn = hmap_iter_next(&d->vns, &it)) != NULL) {
		v = HMAP_CONTAINER(hn, struct dir_vn, node);
		if ((t = dirp_tenant_of(d, v->vn)) < 0)
			continue;
		for (e = v->ents; e != NULL; e = e->vn_next)
			if (ALIVE(e) && e->nve < d->nnves) {
				d->nves[e->nve]->nve.owned--; /* re-added */
				own_adj(d, e->nve, t, 1);
			}
	}
}

uint64_t
dir_rev(const struct dir *d)
{
	return d->rev;
}

uint64_t
dir_epoch(const struct dir *d)
{
	return d->epoch;
}

void
dir_set_epoch(struct dir *d, uint64_t epoch)
{
	d->epoch = epoch;
}

const struct dir_counters *
dir_counters(const struct dir *d)
{
	return &d->cnt;
}

size_t
dir_count(const struct dir *d)
{
	return hmap_count(&d->ents);
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

enum nva_code
dir_may_attach(const struct dir *d, const struct dir_nve *nve, uint32_t vn,
    char *why, size_t whylen)
{
	const struct nvad_conf *c = d->conf;
	const struct nvad_nve_conf *nb = nvad_conf_nve(c, nve->name);
	const struct nvad_deny *dn;
	unsigned i, u;
	int t;

	if (nb == NULL && c->listed_only) {
		if (why != NULL)
			snprintf(why, whylen, "nve %s is not listed in the "
			    "configuration (nve-policy listed)", nve->name);
		return NVA_VN_REFUSED;
	}
	if (nb != NULL && nb->nvns > 0 && bsearch(&vn, nb->vns, nb->nvns,
	    sizeof(vn), u32_cmp) == NULL) {
		if (why != NULL)
			snprintf(why, whylen, "vn %" PRIu32 " is not in the "
			    "vn list of nve %s (line %d)", vn, nve->name,
			    nb->line);
		return NVA_VN_REFUSED;
	}
	if ((t = dirp_tenant_of(d, vn)) < 0 || nve->tenant_refs == NULL)
		return NVA_OK;
	for (i = 0; i < c->ndenies; i++) {
		dn = &c->denies[i];
		if (dn->a != (unsigned)t && dn->b != (unsigned)t)
			continue;
		u = dn->a == (unsigned)t ? dn->b : dn->a;
		if (u == (unsigned)t || u >= nve->ntenant_refs ||
		    nve->tenant_refs[u] == 0)
			continue;
		if (why != NULL)
			snprintf(why, whylen, "tenant %s (vn %" PRIu32 ") may "
			    "not share nve %s with tenant %s (coattach deny, "
			    "line %d)", c->tenants[t].name, vn, nve->name,
			    c->tenants[u].name, dn->line);
		return NVA_COATTACH;
	}
	return NVA_OK;
}

enum nva_code
dir_register(struct dir *d, const char *name,
    const struct nva_addr *underlay, unsigned n, struct dir_nve **nvep,
    struct dir_out *out)
{
	struct dir_nve_slot *s;
	struct dir_nve *nv;
	unsigned i;
	bool isnew, same;

	*nvep = NULL;
	if (!dirp_name_ok(name))
		return refuse(d, NULL, NVA_MALFORMED);
	if (n > NVA_UNDERLAY_MAX)
		return refuse(d, NULL, NVA_TOO_MANY);
	for (i = 0; i < n; i++)
		if (underlay[i].len != 4 && underlay[i].len != 16)
			return refuse(d, NULL, NVA_BAD_ADDRESS);
	if (d->conf->listed_only && nvad_conf_nve(d->conf, name) == NULL)
		return refuse(d, NULL, NVA_VN_REFUSED);
	isnew = dirp_slot_find(d, name) == NULL;
	if ((s = dirp_slot_get(d, name)) == NULL)
		return refuse(d, NULL, NVA_TOO_MANY);
	nv = &s->nve;
	same = nv->nunderlay == n;
	for (i = 0; same && i < n; i++)
		same = nva_addr_eq(&nv->underlay[i], &underlay[i]);
	if (!same) {
		memset(nv->underlay, 0, sizeof(nv->underlay));
		memcpy(nv->underlay, underlay, n * sizeof(*underlay));
		nv->nunderlay = n;
	}
	if ((isnew || !same) && out != NULL && dirp_room(NULL, &out->nves,
	    out->nnves, &out->cnves, 1, sizeof(*out->nves)) == 0)
		out->nves[out->nnves++] = nv;
	*nvep = nv;
	return NVA_OK;
}

/* ---- the rules ---------------------------------------------------------- */

/*
 * Every transition: what a report by n in state st (NVA_ST_WITHDRAWN:
 * a withdraw) does to e (NULL: an unknown address).
 */
static enum dir_act
decide(const struct dir_ent *e, uint32_t n, enum nva_state st,
    enum nva_code *code)
{
	bool wd = st == NVA_ST_WITHDRAWN;
	enum dir_act act;

	if (e == NULL)
		act = wd ? ACT_STALE : ACT_CREATE;
	else if (!ALIVE(e))
		act = wd ? ACT_STALE : e->nve == n ? ACT_UPDATE : ACT_TAKEOVER;
	else if (e->nve == n && wd)
		act = e->pending != NVAD_NONE ? ACT_PROMOTE : ACT_WITHDRAW;
	else if (e->nve == n)
		act = ACT_UPDATE;
	else if (wd)
		act = e->pending == n ? ACT_FORGET : e->prev == n ? ACT_STALE :
		    ACT_REFUSE;
	else if (e->state == NVA_ST_ACTIVATED)
		act = st == NVA_ST_ASSOCIATED ? ACT_PENDING : ACT_MOVE;
	else
		act = ACT_TAKEOVER;
	*code = act == ACT_REFUSE ? NVA_NOT_OWNER : NVA_OK;
	if ((act == ACT_MOVE || act == ACT_TAKEOVER) &&
	    (e->flags & DIR_F_FROZEN)) {
		*code = NVA_FROZEN;
		act = ACT_REFUSE;
	}
	return act;
}

/* Whether a counted move of e at now_s freezes it; apply: count it. */
static bool
dup_move(const struct dir *d, struct dir_ent *e, uint64_t now_s, bool apply)
{
	uint32_t now = (uint32_t)now_s;

	if (DUP_MOVES(d) == 0)
		return false;
	if (e->nmoves == 0 ||
	    (uint32_t)(now - e->move_t0) >= d->conf->dup_window_s) {
		if (apply) {
			e->move_t0 = now;
			e->nmoves = 1;
		}
		return false;
	}
	if ((unsigned)e->nmoves + 1 > DUP_MOVES(d))
		return true;
	if (apply)
		e->nmoves++;
	return false;
}

/* One report or withdraw (st NVA_ST_WITHDRAWN) being carried out. */
struct call {
	struct dir	*d;
	struct dir_vn	*v;
	struct dir_nve	*nve;
	uint32_t	 vn;
	const struct nva_addr *addrs;
	const uint8_t	(*macs)[6];
	const bool	*has_mac;
	size_t		 n;
	enum nva_state	 st;
	bool		 migration;
	int		 t;		/* tenant of the VN */
	uint64_t	 rev0, now_s;
	struct dir_out	*out;
	char		*why;
	size_t		 whylen;
	struct plan	*plan;
};

static const uint8_t *
call_mac(const struct call *c, size_t i)
{
	return c->has_mac != NULL && c->macs != NULL && c->has_mac[i] ?
	    c->macs[i] : NULL;
}

/* Performs the action planned for address i; false: out of memory. */
static bool
act_apply(struct call *c, size_t i)
{
	struct dir *d = c->d;
	struct plan *p = &c->plan[i];
	struct dir_ent *e = p->e;
	struct dir_out *o = c->out;
	const uint8_t *mac = call_mac(c, i);
	uint32_t n = c->nve->idx, old = e != NULL ? e->nve : NVAD_NONE;
	bool ch = true;

	switch (p->act) {
	case ACT_CREATE:
		if ((e = p->e = dirp_ent_new(d, c->vn, &c->addrs[i])) == NULL)
			return false;
		dirp_ent_set(d, c->v, e, n, c->st, c->t);
		break;
	case ACT_UPDATE:
		ch = e->state != c->st;
		dirp_ent_set(d, c->v, e, n, c->st, c->t);
		break;
	case ACT_MOVE:
		if (c->migration)
			d->cnt.migrations++;
		else
			(void)dup_move(d, e, c->now_s, true);
		d->cnt.moves++;
		c->nve->moves_in++;
		if (old < d->nnves)
			d->nves[old]->nve.moves_out++;
		if (o != NULL && dirp_room(NULL, &o->moved, o->nmoved,
		    &o->cmoved, 1, sizeof(*o->moved)) == 0) {
			o->moved[o->nmoved].ent = e;
			o->moved[o->nmoved++].old_nve = old;
		}
		/* FALLTHROUGH */
	case ACT_TAKEOVER:
		e->prev = old;
		e->seq++;
		if (e->pending == n)
			e->pending = NVAD_NONE;
		dirp_ent_set(d, c->v, e, n, c->st, c->t);
		break;
	case ACT_WITHDRAW:
		dirp_ent_set(d, c->v, e, n, NVA_ST_WITHDRAWN, c->t);
		break;
	case ACT_PROMOTE:
		e->prev = n;
		e->seq++;
		dirp_ent_set(d, c->v, e, e->pending, NVA_ST_ASSOCIATED, c->t);
		e->pending = NVAD_NONE;
		break;
	case ACT_PENDING:
		e->pending = n;
		return true;
	case ACT_FORGET:
		e->pending = NVAD_NONE;
		return true;
	default:	/* STALE */
		d->cnt.stale_withdraws++;
		return true;
	}
	if (mac != NULL && (!(e->flags & DIR_F_HAS_MAC) ||
	    memcmp(e->mac, mac, 6) != 0)) {
		memcpy(e->mac, mac, 6);
		e->flags |= DIR_F_HAS_MAC;
		ch = true;
	}
	if (ch)
		ent_changed(d, c->v, e, c->rev0, o);
	return true;
}

/* Freezes the addresses whose move exceeds the count; alerts. */
static void
freeze(struct call *c, size_t nfreeze)
{
	struct dir *d = c->d;
	struct dir_alert *al;
	struct dir_ent *e;
	char at[NVA_ADDR_STRLEN];
	size_t i;

	alerts_prepare(d, nfreeze);
	for (i = 0; i < c->n; i++) {
		if (!c->plan[i].freeze)
			continue;
		e = c->plan[i].e;
		e->flags |= DIR_F_FROZEN;
		d->cnt.frozen++;
		ent_changed(d, c->v, e, c->rev0, c->out);
		nva_addr_fmt(&c->addrs[i], at);
		al = alert_raise(d, DIR_ALERT_DUPLICATE, e->vn, &c->addrs[i],
		    c->nve->idx, c->now_s, c->out);
		if (al != NULL)
			snprintf(al->text, sizeof(al->text), "vn %" PRIu32
			    " %s frozen: more than %u moves in %u s (%s -> %s)",
			    e->vn, at, DUP_MOVES(d), d->conf->dup_window_s,
			    dirp_nve_name(d, e->nve), c->nve->name);
		if (c->why != NULL && nfreeze > 0)
			snprintf(c->why, c->whylen, "%s in vn %" PRIu32
			    " moved more than %u times in %u s: frozen", at,
			    c->vn, DUP_MOVES(d), d->conf->dup_window_s);
		nfreeze = 0;	/* why names the first */
	}
}

/* Address i is refused: why says which and by what rule. */
static enum nva_code
refuse_addr(struct call *c, size_t i, enum nva_code code)
{
	const struct dir_ent *e = c->plan[i].e;
	const char *owner;
	struct dir_alert *al;
	char at[NVA_ADDR_STRLEN];

	nva_addr_fmt(&c->addrs[i], at);
	owner = dirp_nve_name(c->d, e->nve);
	if (c->why != NULL)
		snprintf(c->why, c->whylen, code == NVA_FROZEN ? "%s in vn %"
		    PRIu32 " is frozen (duplicate detection) behind %s" :
		    "%s in vn %" PRIu32 " is held by %s", at, c->vn, owner);
	if (code == NVA_NOT_OWNER) {
		alerts_prepare(c->d, 1);
		al = alert_raise(c->d, DIR_ALERT_SPOOF, c->vn, &c->addrs[i],
		    c->nve->idx, c->now_s, c->out);
		if (al != NULL)
			snprintf(al->text, sizeof(al->text), "nve %s tried to "
			    "withdraw vn %" PRIu32 " %s held by %s",
			    c->nve->name, c->vn, at, owner);
	}
	return code;
}

/* Pass 1: an action per address, or the refusal of the call. */
static enum nva_code
call_decide(struct call *c, size_t *creates, size_t *nfreeze)
{
	const struct nva_addr *a;
	const uint8_t *mac;
	struct plan *p;
	enum nva_code code;
	size_t i, j;
	bool bad;

	for (i = 0; i < c->n; i++) {
		p = &c->plan[i];
		a = &c->addrs[i];
		memset(p, 0, sizeof(*p));
		mac = call_mac(c, i);
		if (c->st == NVA_ST_WITHDRAWN)
			bad = a->len != 4 && a->len != 6 && a->len != 16;
		else
			bad = !addr_ok(a) || (mac != NULL &&
			    (a->len == 6 || !mac_ok(mac)));
		if (bad && c->why != NULL)
			snprintf(c->why, c->whylen, "address %zu: not a "
			    "unicast MAC or IP address (or a bad MAC)", i);
		if (bad)
			return NVA_BAD_ADDRESS;
		for (j = 0; j < i && !p->dup; j++)
			p->dup = nva_addr_eq(&c->addrs[j], a);
		if (p->dup)
			continue;	/* the first one counts */
		p->e = dir_lookup(c->d, c->vn, a);
		if ((p->act = decide(p->e, c->nve->idx, c->st, &code)) ==
		    ACT_REFUSE)
			return refuse_addr(c, i, code);
		if (p->act == ACT_CREATE)
			(*creates)++;
		if (p->act == ACT_MOVE && !c->migration &&
		    dup_move(c->d, p->e, c->now_s, false)) {
			p->freeze = true;
			(*nfreeze)++;
		}
	}
	return NVA_OK;
}

/* Checks, decides, then applies one report or withdraw. */
static enum nva_code
call_run(struct call *c)
{
	struct plan stack[PLAN_STACK];
	struct dir *d = c->d;
	struct dir_out *o = c->out;
	enum nva_code code;
	size_t i, creates = 0, nfreeze = 0;
	bool wd = c->st == NVA_ST_WITHDRAWN;

	c->plan = stack;
	if (c->why != NULL && c->whylen > 0)
		c->why[0] = '\0';
	if (c->nve == NULL)
		return refuse(d, NULL, NVA_NOT_REGISTERED);
	if (!VN_OK(c->vn) || c->n == 0 || c->addrs == NULL) {
		if (c->why != NULL)
			snprintf(c->why, c->whylen, "no address, or vn %"
			    PRIu32 " out of range", c->vn);
		return refuse(d, c->nve, NVA_MALFORMED);
	}
	if (!wd && c->st != NVA_ST_ASSOCIATED && c->st != NVA_ST_ACTIVATED) {
		if (c->why != NULL)
			snprintf(c->why, c->whylen, "a report must say "
			    "associated or activated");
		return refuse(d, c->nve, NVA_BAD_STATE);
	}
	if (!wd && (code = dir_may_attach(d, c->nve, c->vn, c->why,
	    c->whylen)) != NVA_OK)
		return refuse(d, c->nve, code);
	if (c->n > PLAN_STACK &&
	    (c->plan = calloc(c->n, sizeof(*c->plan))) == NULL)
		return refuse(d, c->nve, NVA_INTERNAL);
	c->t = dirp_tenant_of(d, c->vn);
	c->rev0 = d->rev;
	if ((code = call_decide(c, &creates, &nfreeze)) != NVA_OK)
		goto out;
	code = NVA_INTERNAL;
	if (creates > 0 && dir_count(d) + creates > d->conf->max_entries) {
		if (c->why != NULL)
			snprintf(c->why, c->whylen, "the directory is full (%"
			    PRIu64 " entries)", d->conf->max_entries);
		code = NVA_TOO_MANY;
		goto out;
	}
	c->v = wd ? dir_vn_find(d, c->vn) : vn_get(d, c->vn);
	if (!wd && c->v == NULL)
		goto out;
	if (nfreeze > 0) {
		freeze(c, nfreeze);
		code = NVA_FROZEN;
		goto out;
	}
	if (o != NULL && (dirp_room(NULL, &o->changed, o->nchanged,
	    &o->cchanged, c->n, sizeof(*o->changed)) < 0 ||
	    dirp_room(NULL, &o->moved, o->nmoved, &o->cmoved, c->n,
	    sizeof(*o->moved)) < 0))
		goto out;
	for (i = 0; i < c->n; i++)
		if (!c->plan[i].dup && !act_apply(c, i)) {
			/* only memory; earlier addresses stay applied */
			if (c->why != NULL)
				snprintf(c->why, c->whylen, "out of memory (%s "
				    "of address %zu)",
				    act_names[c->plan[i].act], i);
			goto out;
		}
	code = NVA_OK;
	if (wd)
		d->cnt.withdraws++;
	else {
		d->cnt.reports++;
		c->nve->reports++;
	}
out:
	if (c->plan != stack)
		free(c->plan);
	return code == NVA_OK ? code : refuse(d, c->nve, code);
}

enum nva_code
dir_report(struct dir *d, struct dir_nve *nve, uint32_t vn,
    const struct nva_addr *addrs, const uint8_t (*macs)[6],
    const bool *has_mac, size_t n, enum nva_state st, bool migration,
    uint64_t now_s, struct dir_out *out, char *why, size_t whylen)
{
	struct call c = {
		.d = d, .nve = nve, .vn = vn, .addrs = addrs, .macs = macs,
		.has_mac = has_mac, .n = n, .st = st, .migration = migration,
		.now_s = now_s, .out = out, .why = why, .whylen = whylen,
	};

	if (st == NVA_ST_WITHDRAWN)
		c.st = NVA_ST_NONE;	/* refused: not a report state */
	return call_run(&c);
}

enum nva_code
dir_withdraw(struct dir *d, struct dir_nve *nve, uint32_t vn,
    const struct nva_addr *addrs, size_t n, struct dir_out *out,
    char *why, size_t whylen)
{
	struct call c = {
		.d = d, .nve = nve, .vn = vn, .addrs = addrs, .n = n,
		.st = NVA_ST_WITHDRAWN, .out = out, .why = why,
		.whylen = whylen,
	};

	return call_run(&c);
}

enum nva_code
dir_unfreeze(struct dir *d, uint32_t vn, const struct nva_addr *a,
    struct dir_out *out)
{
	struct dir_ent *e = dir_lookup(d, vn, a);
	size_t i;

	if (e == NULL)
		return NVA_NOT_FOUND;
	if (!(e->flags & DIR_F_FROZEN))
		return NVA_OK;
	e->flags &= (uint8_t)~DIR_F_FROZEN;
	e->nmoves = 0;
	e->move_t0 = 0;
	ent_changed(d, dir_vn_find(d, vn), e, d->rev, out);
	for (i = 0; i < d->nalerts; i++)
		if (d->alerts[i].kind == DIR_ALERT_DUPLICATE &&
		    d->alerts[i].vn == vn && nva_addr_eq(&d->alerts[i].addr, a))
			d->alerts[i].cleared = true;
	return NVA_OK;
}

size_t
dir_audit(struct dir *d, struct dir_nve *nve, uint32_t vn,
    const struct nva_addr *ips, const uint8_t (*macs)[6], size_t n,
    const char **bad, uint64_t now_s, struct dir_out *out)
{
	struct dir_alert *al;
	const struct dir_ent *e;
	char at[NVA_ADDR_STRLEN], m1[NVA_ADDR_STRLEN], m2[NVA_ADDR_STRLEN];
	const char *r;
	size_t i, nbad = 0;

	d->cnt.audits++;
	alerts_prepare(d, n);
	for (i = 0; i < n; i++) {
		e = dir_lookup(d, vn, &ips[i]);
		if (e == NULL)
			r = "unknown";
		else if (!ALIVE(e))
			r = "withdrawn";
		else if (e->flags & DIR_F_FROZEN)
			r = "frozen";
		else if ((e->flags & DIR_F_HAS_MAC) &&
		    memcmp(e->mac, macs[i], 6) != 0)
			r = "mac-differs";
		else
			r = NULL;
		if (bad != NULL)
			bad[i] = r;
		if (r == NULL || ++nbad > DIR_ALERT_OP_MAX)
			continue;
		al = alert_raise(d, DIR_ALERT_AUDIT, vn, &ips[i],
		    nve != NULL ? nve->idx : NVAD_NONE, now_s, out);
		if (al == NULL)
			continue;
		snprintf(m2, sizeof(m2), "-");
		if (e != NULL && (e->flags & DIR_F_HAS_MAC))
			mac_fmt(e->mac, m2);
		snprintf(al->text, sizeof(al->text), "audit by %s: vn %" PRIu32
		    " %s at %s: %s (directory: %s %s)",
		    nve != NULL ? nve->name : "-", vn,
		    nva_addr_fmt(&ips[i], at), mac_fmt(macs[i], m1), r,
		    e != NULL ? dirp_nve_name(d, e->nve) : "-", m2);
	}
	d->cnt.audit_bad += nbad;
	return nbad;
}

/* ---- subnets ------------------------------------------------------------ */

struct dir_subnet *
dirp_subnet_find(const struct dir *d, uint32_t vn, const struct nva_addr *p,
    unsigned plen)
{
	struct hnode *hn;
	struct dir_subnet *s;

	HMAP_FOR_HASH(hn, &d->subnets, SUB_HASH(vn, p, plen)) {
		s = HMAP_CONTAINER(hn, struct dir_subnet, node);
		if (s->vn == vn && s->plen == plen &&
		    nva_addr_eq(&s->prefix, p))
			return s;
	}
	return NULL;
}

/* Attaches NVE idx to (vn, p/plen): 1 added, 0 already, -ENOMEM. */
int
dirp_subnet_add(struct dir *d, uint32_t vn, const struct nva_addr *p,
    unsigned plen, uint32_t idx, struct dir_subnet **sp)
{
	struct dir_subnet *s = dirp_subnet_find(d, vn, p, plen);
	uint32_t *nv;
	unsigned i;

	if (s == NULL) {
		if ((s = d_calloc(d, 1, sizeof(*s))) == NULL)
			return -ENOMEM;
		s->vn = vn;
		s->prefix = *p;
		s->plen = (uint8_t)plen;
		if (hmap_insert(&d->subnets, &s->node, SUB_HASH(vn, p, plen))) {
			free(s);
			d->mem -= sizeof(*s);
			return -ENOMEM;
		}
	}
	*sp = s;
	for (i = 0; i < s->nnves; i++)
		if (s->nves[i] == idx)
			return 0;
	/* dir_subnet_rec needs a name per attached NVE in the scratch */
	if (dirp_room(&d->mem, &d->scratch, s->nnves, &d->cscratch, 1,
	    sizeof(*d->scratch)) < 0 ||
	    (nv = realloc(s->nves, (s->nnves + 1) * sizeof(*nv))) == NULL)
		return -ENOMEM;
	d->mem += sizeof(*nv);
	s->nves = nv;
	s->nves[s->nnves++] = idx;
	return 1;
}

enum nva_code
dir_subnet(struct dir *d, struct dir_nve *nve, uint32_t vn,
    const struct nva_addr *prefix, unsigned plen, bool attach,
    struct dir_out *out)
{
	struct dir_subnet *s;
	enum nva_code code;
	unsigned i;
	int rc;

	if (nve == NULL)
		return refuse(d, NULL, NVA_NOT_REGISTERED);
	if (prefix->len != 4 && prefix->len != 16)
		return refuse(d, nve, NVA_BAD_ADDRESS);
	if (!VN_OK(vn) || !dirp_prefix_ok(prefix, plen))
		return refuse(d, nve, NVA_MALFORMED);
	d->cnt.subnet_reports++;
	if (!attach) {
		s = dirp_subnet_find(d, vn, prefix, plen);
		for (i = 0; s != NULL && i < s->nnves; i++)
			if (s->nves[i] == nve->idx) {
				s->nves[i] = s->nves[--s->nnves];
				out_subnet(out, s); /* 0 left: delete */
				break;
			}
		return NVA_OK;
	}
	if ((code = dir_may_attach(d, nve, vn, NULL, 0)) != NVA_OK)
		return refuse(d, nve, code);
	if ((rc = dirp_subnet_add(d, vn, prefix, plen, nve->idx, &s)) < 0)
		return refuse(d, nve, NVA_INTERNAL);
	if (rc > 0)
		out_subnet(out, s);
	return NVA_OK;
}

void
dir_vn_walk(const struct dir *d, int (*cb)(void *arg, const struct dir_vn *v),
    void *arg)
{
	struct hmap_iter it;
	struct hnode *hn;

	hmap_iter_init(&d->vns, &it);
	while ((hn = hmap_iter_next(&d->vns, &it)) != NULL)
		if (cb(arg, HMAP_CONTAINER(hn, struct dir_vn, node)) != 0)
			return;
}

/* Subnets with at least one NVE attached. */
void
dir_subnet_walk(const struct dir *d,
    int (*cb)(void *arg, const struct dir_subnet *s), void *arg)
{
	struct hmap_iter it;
	struct hnode *hn;
	const struct dir_subnet *s;

	hmap_iter_init(&d->subnets, &it);
	while ((hn = hmap_iter_next(&d->subnets, &it)) != NULL) {
		s = HMAP_CONTAINER(hn, struct dir_subnet, node);
		if (s->nnves > 0 && cb(arg, s) != 0)
			return;
	}
}

void
dir_since(const struct dir *d, uint32_t vn, uint64_t rev,
    int (*cb)(void *arg, const struct dir_ent *e), void *arg)
{
	const struct dir_vn *v = dir_vn_find(d, vn);
	const struct dir_ent *e;

	for (e = v != NULL && v->rev > rev ? v->ents : NULL; e != NULL;
	    e = e->vn_next)
		if (e->rev > rev && cb(arg, e) != 0)
			return;
}

void
dir_ent_mapping(const struct dir *d, const struct dir_ent *e,
    Nva__Mapping *m, ProtobufCBinaryData *under_buf)
{
	const struct dir_nve *n = dir_nve_at(d, e->nve);
	unsigned i;

	nva__mapping__init(m);
	m->vn = e->vn;
	m->addr.len = e->alen;
	m->addr.data = (uint8_t *)e->addr;
	if (e->flags & DIR_F_HAS_MAC) {
		m->mac.len = 6;
		m->mac.data = (uint8_t *)e->mac;
	}
	m->state = (Nva__State)e->state;
	m->seq = e->seq;
	m->rev = e->rev;
	m->frozen = (e->flags & DIR_F_FROZEN) != 0;
	if (n == NULL)
		return;
	m->nve = (char *)n->name;
	for (i = 0; i < n->nunderlay && i < NVA_UNDERLAY_MAX; i++) {
		under_buf[i].len = n->underlay[i].len;
		under_buf[i].data = (uint8_t *)n->underlay[i].a;
	}
	m->n_underlay = i;
	m->underlay = i > 0 ? under_buf : NULL;
}
