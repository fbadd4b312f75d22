/*
 * test_nvad_dirrec.c - records from a shared store applied to nvad's
 * directory (daemons/nvad/dir_rec.c: dir_apply_rec, dir_ent_set_rev):
 * a new entry, the idempotent echo, older records ignored, a lost race
 * applied below this nvad's tentative revision, owner changes
 * with and without a moved notice, pending marks and the previous owner,
 * the frozen flag arriving and leaving, seq continuity with the local
 * rules, NVEs made by name and their underlay arriving later, subnet
 * replace and remove, nothing to persist for applied records, no
 * duplicate-detection counting, limits and bad records, dir_since over
 * applied revisions, and dir_ent_set_rev (also past one slab).
 * Configurations are built by hand (parse.c is not under test here).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nvad.h"

struct fx {
	struct nvad_conf c;
	struct dir	*d;
	struct dir_nve	*n1, *n2, *n3;
	struct dir_out	 o;
};

static struct nva_addr
ip4(uint8_t last)
{
	struct nva_addr a = { .len = 4, .a = { 198, 51, 100, last } };

	return a;
}

static struct nva_addr
under(uint8_t last)
{
	struct nva_addr a = { .len = 4, .a = { 203, 0, 113, last } };

	return a;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct nva_addr u;

	assert_non_null(f);
	f->c.dup_moves = 5;
	f->c.dup_window_s = 180;
	f->c.max_entries = 100000;
	assert_int_equal(dir_new(&f->d, &f->c), 0);
	dir_out_init(&f->o);
	u = under(1);
	assert_int_equal(dir_register(f->d, "nve1", &u, 1, &f->n1, &f->o),
	    NVA_OK);
	u = under(2);
	assert_int_equal(dir_register(f->d, "nve2", &u, 1, &f->n2, &f->o),
	    NVA_OK);
	u = under(3);
	assert_int_equal(dir_register(f->d, "nve3", &u, 1, &f->n3, &f->o),
	    NVA_OK);
	dir_out_reset(&f->o);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	dir_out_free(&f->o);
	dir_free(f->d);
	free(f);
	return 0;
}

/* The MAP record of (vn, 198.51.100.last) owned by nve. */
static struct nvad_rec
mrec(uint32_t vn, uint8_t last, const char *nve, enum nva_state st,
    uint32_t seq, uint64_t rev)
{
	struct nvad_rec r;

	memset(&r, 0, sizeof(r));
	r.kind = NVAD_REC_MAP;
	r.vn = vn;
	r.addr = ip4(last);
	r.state = (uint8_t)st;
	r.seq = seq;
	r.rev = rev;
	snprintf(r.nve, sizeof(r.nve), "%s", nve);
	return r;
}

static int
apply(struct fx *f, const struct nvad_rec *r)
{
	dir_out_reset(&f->o);
	return dir_apply_rec(f->d, r, &f->o);
}

static struct dir_ent *
ent(struct fx *f, uint32_t vn, uint8_t last)
{
	struct nva_addr a = ip4(last);

	return dir_lookup(f->d, vn, &a);
}

static enum nva_code
rep(struct fx *f, struct dir_nve *n, uint32_t vn, uint8_t last,
    enum nva_state st)
{
	struct nva_addr a = ip4(last);

	dir_out_reset(&f->o);
	return dir_report(f->d, n, vn, &a, NULL, NULL, 1, st, false, 0, &f->o,
	    NULL, 0);
}

static void
nothing_out(struct fx *f)
{
	assert_int_equal(f->o.nchanged, 0);
	assert_int_equal(f->o.nmoved, 0);
	assert_int_equal(f->o.nnves, 0);
	assert_int_equal(f->o.nsubnets, 0);
	assert_int_equal(f->o.nalerts, 0);
}

static void
t_new_entry(void **state)
{
	struct fx *f = *state;
	struct nvad_rec r = mrec(10, 7, "nve2", NVA_ST_ACTIVATED, 3, 50);
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 7 };
	struct dir_ent *e;
	struct dir_vn *v;

	r.flags = DIR_F_HAS_MAC | 0x80;	/* unknown bits are dropped */
	memcpy(r.mac, mac, 6);
	assert_int_equal(apply(f, &r), 0);
	e = ent(f, 10, 7);
	assert_non_null(e);
	assert_int_equal(f->o.nchanged, 1);
	assert_ptr_equal(f->o.changed[0], e);
	assert_int_equal(f->o.nmoved, 0);
	assert_int_equal(f->o.nnves, 0);
	assert_int_equal(e->nve, f->n2->idx);
	assert_int_equal(e->state, NVA_ST_ACTIVATED);
	assert_int_equal(e->flags, DIR_F_HAS_MAC);
	assert_memory_equal(e->mac, mac, 6);
	assert_int_equal(e->seq, 3);
	assert_int_equal(e->rev, 50);
	assert_int_equal(e->prev, NVAD_NONE);
	assert_int_equal(dir_rev(f->d), 50);
	v = dir_vn_find(f->d, 10);
	assert_non_null(v);
	assert_int_equal(v->rev, 50);
	assert_int_equal(v->count, 1);
	assert_int_equal(v->active, 1);
	assert_int_equal(f->n2->owned, 1);
	/* a withdrawn entry nobody owns can arrive too */
	r = mrec(10, 8, "", NVA_ST_WITHDRAWN, 4, 51);
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->o.nchanged, 1);
	e = ent(f, 10, 8);
	assert_int_equal(e->nve, NVAD_NONE);
	assert_int_equal(e->state, NVA_ST_WITHDRAWN);
	assert_int_equal(v->count, 2);
	assert_int_equal(v->active, 1);
	/* no dir_out at all is fine */
	r = mrec(10, 9, "nve1", NVA_ST_ASSOCIATED, 0, 52);
	assert_int_equal(dir_apply_rec(f->d, &r, NULL), 0);
	assert_int_equal(ent(f, 10, 9)->nve, f->n1->idx);
	assert_int_equal(f->n1->owned, 1);
	/* nothing counted as this nvad's own work */
	assert_int_equal(dir_counters(f->d)->reports, 0);
	assert_int_equal(dir_counters(f->d)->moves, 0);
}

static void
t_echo_and_older(void **state)
{
	struct fx *f = *state;
	struct nvad_rec r = mrec(10, 7, "nve1", NVA_ST_ACTIVATED, 2, 50);
	struct nvad_rec old;
	struct dir_ent *e;

	assert_int_equal(apply(f, &r), 0);
	e = ent(f, 10, 7);
	/* the watch echoes it: nothing */
	assert_int_equal(apply(f, &r), 0);
	nothing_out(f);
	assert_int_equal(e->rev, 50);
	/* older: ignored, whatever it says */
	old = mrec(10, 7, "nve2", NVA_ST_ASSOCIATED, 1, 49);
	assert_int_equal(apply(f, &old), 0);
	nothing_out(f);
	assert_int_equal(e->nve, f->n1->idx);
	assert_int_equal(e->state, NVA_ST_ACTIVATED);
	assert_int_equal(e->seq, 2);
	assert_int_equal(e->rev, 50);
	/* even one naming an NVE nobody knows makes nothing */
	old = mrec(10, 7, "nve-ghost", NVA_ST_ACTIVATED, 9, 10);
	assert_int_equal(apply(f, &old), 0);
	assert_null(dir_nve_find(f->d, "nve-ghost"));
	/* the same contents at a newer revision: only the rev moves */
	r.rev = 60;
	assert_int_equal(apply(f, &r), 0);
	nothing_out(f);
	assert_int_equal(e->rev, 60);
	assert_int_equal(dir_rev(f->d), 60);
	assert_int_equal(dir_vn_find(f->d, 10)->rev, 60);
	/* the same revision with other contents (a tentative rev met the
	 * store's) is applied */
	r.state = NVA_ST_ASSOCIATED;
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->o.nchanged, 1);
	assert_int_equal(e->state, NVA_ST_ASSOCIATED);
	assert_int_equal(dir_vn_find(f->d, 10)->active, 0);
}

/* This nvad's uncommitted change loses a race: the winner applies even
 * below the tentative revision; once committed, older records do not. */
static void
t_tentative(void **state)
{
	struct fx *f = *state;
	struct nvad_rec r = mrec(10, 9, "nve3", NVA_ST_ACTIVATED, 0, 100);
	struct dir_ent *e, *e2;
	uint8_t i;

	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ACTIVATED), NVA_OK);
	for (i = 1; i <= 3; i++)
		assert_int_equal(rep(f, f->n1, 10, i, NVA_ST_ACTIVATED),
		    NVA_OK);
	assert_int_equal(rep(f, f->n2, 10, 7, NVA_ST_ACTIVATED), NVA_OK);
	e = ent(f, 10, 7);
	assert_int_equal(e->rev, 105);
	assert_int_equal(e->seq, 1);
	/* the private mark never reaches a record */
	dir_ent_rec(f->d, e, &r);
	assert_int_equal(r.flags, 0);
	/* the store kept another nvad's move to nve3 at 102 */
	r = mrec(10, 7, "nve3", NVA_ST_ACTIVATED, 1, 102);
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->o.nchanged, 1);
	assert_int_equal(f->o.nmoved, 1);
	assert_int_equal(f->o.moved[0].old_nve, f->n2->idx);
	assert_int_equal(e->nve, f->n3->idx);
	assert_int_equal(e->rev, 102);
	assert_int_equal(e->flags, 0);
	assert_int_equal(f->n2->owned, 0);
	assert_int_equal(dir_rev(f->d), 105);
	/* now confirmed: an older one is ignored again */
	r = mrec(10, 7, "nve1", NVA_ST_ACTIVATED, 0, 101);
	assert_int_equal(apply(f, &r), 0);
	nothing_out(f);
	assert_int_equal(e->nve, f->n3->idx);
	/* a committed entry: dir_ent_set_rev confirms it */
	e2 = ent(f, 10, 1);
	dir_ent_set_rev(e2, 103);
	assert_int_equal(e2->flags, 0);
	r = mrec(10, 1, "nve2", NVA_ST_ACTIVATED, 1, 102);
	assert_int_equal(apply(f, &r), 0);
	nothing_out(f);
	assert_int_equal(e2->nve, f->n1->idx);
	/* its echo: nothing */
	r = mrec(10, 1, "nve1", NVA_ST_ACTIVATED, 0, 103);
	assert_int_equal(apply(f, &r), 0);
	nothing_out(f);
	/* a tentative entry and the same contents: no output, confirmed */
	e2 = ent(f, 10, 2);
	assert_true(e2->flags & 0x80);
	r = mrec(10, 2, "nve1", NVA_ST_ACTIVATED, 0, 106);
	assert_int_equal(apply(f, &r), 0);
	nothing_out(f);
	assert_int_equal(e2->rev, 106);
	assert_int_equal(e2->flags, 0);
}

static void
t_move(void **state)
{
	struct fx *f = *state;
	struct nvad_rec r;
	struct dir_ent *e;

	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ACTIVATED), NVA_OK);
	e = ent(f, 10, 7);
	r = mrec(10, 7, "nve2", NVA_ST_ACTIVATED, 1, 20);
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->o.nchanged, 1);
	assert_ptr_equal(f->o.changed[0], e);
	assert_int_equal(f->o.nmoved, 1);
	assert_ptr_equal(f->o.moved[0].ent, e);
	assert_int_equal(f->o.moved[0].old_nve, f->n1->idx);
	assert_int_equal(e->nve, f->n2->idx);
	assert_int_equal(e->prev, f->n1->idx);
	assert_int_equal(e->seq, 1);
	assert_int_equal(f->n1->owned, 0);
	assert_int_equal(f->n2->owned, 1);
	assert_int_equal(dir_vn_find(f->d, 10)->active, 1);
	/* the old owner's late withdraw is stale, not a spoof */
	dir_out_reset(&f->o);
	assert_int_equal(dir_withdraw(f->d, f->n1, 10, &(struct nva_addr){
	    .len = 4, .a = { 198, 51, 100, 7 } }, 1, &f->o, NULL, 0), NVA_OK);
	assert_int_equal(f->o.nalerts, 0);
	assert_int_equal(dir_counters(f->d)->stale_withdraws, 1);
	/* a moved notice is the owner's business: no counters here */
	assert_int_equal(dir_counters(f->d)->moves, 0);
	assert_int_equal(f->n2->moves_in, 0);
}

static void
t_not_moved(void **state)
{
	struct fx *f = *state;
	struct nvad_rec r;

	/* ASSOCIATED at nve1 -> ACTIVATED at nve2: a takeover */
	assert_int_equal(rep(f, f->n1, 10, 1, NVA_ST_ASSOCIATED), NVA_OK);
	r = mrec(10, 1, "nve2", NVA_ST_ACTIVATED, 1, 20);
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->o.nchanged, 1);
	assert_int_equal(f->o.nmoved, 0);
	/* WITHDRAWN at nve1 -> ACTIVATED at nve2 */
	assert_int_equal(rep(f, f->n1, 10, 2, NVA_ST_ACTIVATED), NVA_OK);
	dir_out_reset(&f->o);
	assert_int_equal(dir_withdraw(f->d, f->n1, 10, &(struct nva_addr){
	    .len = 4, .a = { 198, 51, 100, 2 } }, 1, &f->o, NULL, 0), NVA_OK);
	r = mrec(10, 2, "nve2", NVA_ST_ACTIVATED, 1, 30);
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->o.nchanged, 1);
	assert_int_equal(f->o.nmoved, 0);
	/* ACTIVATED at nve2 -> ASSOCIATED at nve3 (a promotion) */
	r = mrec(10, 2, "nve3", NVA_ST_ASSOCIATED, 2, 31);
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->o.nchanged, 1);
	assert_int_equal(f->o.nmoved, 0);
	assert_int_equal(ent(f, 10, 2)->prev, f->n2->idx);
	/* same owner, ASSOCIATED -> ACTIVATED: a change, not a move */
	r = mrec(10, 2, "nve3", NVA_ST_ACTIVATED, 2, 32);
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->o.nchanged, 1);
	assert_int_equal(f->o.nmoved, 0);
	assert_int_equal(ent(f, 10, 2)->prev, f->n2->idx);
}

static void
t_pending(void **state)
{
	struct fx *f = *state;
	struct nvad_rec r;
	struct dir_ent *e;

	/* nve2 associates while nve1 holds it activated: pending here */
	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ACTIVATED), NVA_OK);
	assert_int_equal(rep(f, f->n2, 10, 7, NVA_ST_ASSOCIATED), NVA_OK);
	e = ent(f, 10, 7);
	assert_int_equal(e->pending, f->n2->idx);
	/* nve3 takes it through another nvad: nve2 still waits */
	r = mrec(10, 7, "nve3", NVA_ST_ACTIVATED, 1, 10);
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(e->pending, f->n2->idx);
	/* nve2 activates through another nvad: its mark goes */
	r = mrec(10, 7, "nve2", NVA_ST_ACTIVATED, 2, 11);
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->o.nmoved, 1);
	assert_int_equal(f->o.moved[0].old_nve, f->n3->idx);
	assert_int_equal(e->pending, NVAD_NONE);
	/* the rules go on from there: nve2 withdraws, nothing to promote */
	dir_out_reset(&f->o);
	assert_int_equal(dir_withdraw(f->d, f->n2, 10, &(struct nva_addr){
	    .len = 4, .a = { 198, 51, 100, 7 } }, 1, &f->o, NULL, 0), NVA_OK);
	assert_int_equal(e->state, NVA_ST_WITHDRAWN);
	assert_int_equal(e->nve, f->n2->idx);
	assert_int_equal(e->seq, 2);
}

static void
t_frozen(void **state)
{
	struct fx *f = *state;
	struct nvad_rec r;
	struct dir_ent *e;
	unsigned i;

	/* three counted local moves: nve1 -> nve2 -> nve1 -> nve2 */
	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ACTIVATED), NVA_OK);
	for (i = 0; i < 3; i++)
		assert_int_equal(rep(f, i % 2 ? f->n1 : f->n2, 10, 7,
		    NVA_ST_ACTIVATED), NVA_OK);
	e = ent(f, 10, 7);
	assert_int_equal(e->nmoves, 3);
	/* another nvad froze it: the flag alone is a change */
	dir_ent_rec(f->d, e, &r);
	r.flags |= DIR_F_FROZEN;
	r.rev = dir_rev(f->d) + 1;
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->o.nchanged, 1);
	assert_int_equal(f->o.nmoved, 0);
	assert_true(e->flags & DIR_F_FROZEN);
	assert_int_equal(rep(f, f->n3, 10, 7, NVA_ST_ACTIVATED), NVA_FROZEN);
	/* and thawed it: the move count restarts */
	r.flags &= (uint8_t)~DIR_F_FROZEN;
	r.rev++;
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->o.nchanged, 1);
	assert_false(e->flags & DIR_F_FROZEN);
	assert_int_equal(e->nmoves, 0);
	assert_int_equal(e->move_t0, 0);
	assert_int_equal(rep(f, f->n3, 10, 7, NVA_ST_ACTIVATED), NVA_OK);
	assert_int_equal(e->nmoves, 1);
	/* a frozen owner change is applied: the writer decided */
	r = mrec(10, 7, "nve1", NVA_ST_ACTIVATED, e->seq + 1,
	    dir_rev(f->d) + 1);
	r.flags = DIR_F_FROZEN;
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(e->nve, f->n1->idx);
	assert_int_equal(f->o.nmoved, 1);
}

static void
t_seq_continuity(void **state)
{
	struct fx *f = *state;
	struct nvad_rec r = mrec(10, 7, "nve2", NVA_ST_ACTIVATED, 7, 30);
	struct dir_ent *e;

	assert_int_equal(apply(f, &r), 0);
	e = ent(f, 10, 7);
	/* a local move goes on from the applied seq and rev */
	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ACTIVATED), NVA_OK);
	assert_int_equal(e->seq, 8);
	assert_int_equal(e->rev, 31);
	assert_int_equal(f->o.nmoved, 1);
	assert_int_equal(f->o.moved[0].old_nve, f->n2->idx);
	/* a withdraw and a re-report elsewhere go on too */
	r = mrec(10, 7, "nve1", NVA_ST_WITHDRAWN, 8, 40);
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->n1->owned, 0);
	assert_int_equal(rep(f, f->n3, 10, 7, NVA_ST_ASSOCIATED), NVA_OK);
	assert_int_equal(e->seq, 9);
	assert_int_equal(e->rev, 41);
}

static void
t_nve_by_name(void **state)
{
	struct fx *f = *state;
	struct nvad_rec r = mrec(10, 7, "nve9", NVA_ST_ACTIVATED, 0, 5);
	Nva__Mapping m;
	ProtobufCBinaryData ub[NVA_UNDERLAY_MAX];
	struct dir_nve *n;

	assert_int_equal(apply(f, &r), 0);
	n = dir_nve_find(f->d, "nve9");
	assert_non_null(n);
	assert_int_equal(n->nunderlay, 0);
	assert_int_equal(n->owned, 1);
	assert_int_equal(dir_nve_count(f->d), 4);
	dir_ent_mapping(f->d, ent(f, 10, 7), &m, ub);
	assert_string_equal(m.nve, "nve9");
	assert_int_equal(m.n_underlay, 0);
	/* its NVE record brings the underlay; nothing to persist */
	memset(&r, 0, sizeof(r));
	r.kind = NVAD_REC_NVE;
	snprintf(r.nve, sizeof(r.nve), "nve9");
	r.underlay[0] = under(9);
	r.nunderlay = 1;
	r.rev = 6;
	assert_int_equal(apply(f, &r), 0);
	nothing_out(f);
	assert_int_equal(dir_rev(f->d), 6);
	dir_ent_mapping(f->d, ent(f, 10, 7), &m, ub);
	assert_int_equal(m.n_underlay, 1);
	assert_int_equal(ub[0].len, 4);
	assert_int_equal(ub[0].data[3], 9);
	/* an NVE record for a known NVE replaces its underlay */
	r.nunderlay = 0;
	snprintf(r.nve, sizeof(r.nve), "nve1");
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->n1->nunderlay, 0);
	nothing_out(f);
	/* one for an NVE never seen makes it */
	snprintf(r.nve, sizeof(r.nve), "nve10");
	assert_int_equal(apply(f, &r), 0);
	assert_non_null(dir_nve_find(f->d, "nve10"));
}

static int
count_cb(void *arg, const struct dir_subnet *s)
{
	unsigned *n = arg;

	*n += s->nnves;
	return 0;
}

static void
t_subnet(void **state)
{
	struct fx *f = *state;
	char names[2][NVA_NAME_MAX + 1] = { "nve1", "nve4" };
	struct nvad_rec r;
	struct nva_addr p = ip4(0);
	struct dir_subnet *s;
	unsigned n = 0;

	assert_int_equal(dir_subnet(f->d, f->n3, 10, &p, 24, true, &f->o),
	    NVA_OK);
	s = f->o.subnets[0];
	memset(&r, 0, sizeof(r));
	r.kind = NVAD_REC_SUBNET;
	r.vn = 10;
	r.addr = p;
	r.plen = 24;
	r.snves = names;
	r.nsnves = 2;
	r.rev = 70;
	/* replace: nve3 goes, nve1 and (unknown) nve4 come */
	assert_int_equal(apply(f, &r), 0);
	nothing_out(f);
	assert_int_equal(dir_rev(f->d), 70);
	assert_int_equal(s->nnves, 2);
	assert_int_equal(s->nves[0], f->n1->idx);
	assert_non_null(dir_nve_find(f->d, "nve4"));
	assert_int_equal(s->nves[1], dir_nve_find(f->d, "nve4")->idx);
	/* none: the subnet is gone from the walk */
	r.nsnves = 0;
	r.snves = NULL;
	assert_int_equal(apply(f, &r), 0);
	nothing_out(f);
	dir_subnet_walk(f->d, count_cb, &n);
	assert_int_equal(n, 0);
	/* a new subnet, /25 */
	r.plen = 25;
	r.snves = names;
	r.nsnves = 1;
	assert_int_equal(apply(f, &r), 0);
	dir_subnet_walk(f->d, count_cb, &n);
	assert_int_equal(n, 1);
	/* bad ones: host bits, a bad name, names missing */
	r.plen = 8;
	assert_int_equal(apply(f, &r), -1);
	r.plen = 24;
	names[0][0] = '\0';
	assert_int_equal(apply(f, &r), -1);
	r.snves = NULL;
	assert_int_equal(apply(f, &r), -1);
}

static void
t_no_dup_count(void **state)
{
	struct fx *f = *state;
	struct nvad_rec r;
	struct dir_ent *e;
	unsigned i;

	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ACTIVATED), NVA_OK);
	e = ent(f, 10, 7);
	/* ten moves through other nvads: never counted here */
	for (i = 1; i <= 10; i++) {
		r = mrec(10, 7, i % 2 ? "nve2" : "nve1", NVA_ST_ACTIVATED, i,
		    10 + i);
		assert_int_equal(apply(f, &r), 0);
		assert_int_equal(f->o.nmoved, 1);
	}
	assert_int_equal(e->nmoves, 0);
	assert_false(e->flags & DIR_F_FROZEN);
	assert_int_equal(dir_counters(f->d)->frozen, 0);
	/* five local moves pass, the sixth freezes */
	for (i = 0; i < 5; i++)
		assert_int_equal(rep(f, i % 2 ? f->n1 : f->n3, 10, 7,
		    NVA_ST_ACTIVATED), NVA_OK);
	assert_int_equal(rep(f, f->n2, 10, 7, NVA_ST_ACTIVATED), NVA_FROZEN);
}

static void
t_limits_and_bad(void **state)
{
	struct fx *f = *state;
	struct nvad_rec r;

	f->c.max_entries = 2;
	r = mrec(10, 1, "nve1", NVA_ST_ACTIVATED, 0, 1);
	assert_int_equal(apply(f, &r), 0);
	r = mrec(10, 2, "nve1", NVA_ST_ACTIVATED, 0, 2);
	assert_int_equal(apply(f, &r), 0);
	/* full: a new one fails and makes nothing, not even its NVE */
	r = mrec(10, 3, "nve8", NVA_ST_ACTIVATED, 0, 3);
	assert_int_equal(apply(f, &r), -1);
	nothing_out(f);
	assert_null(ent(f, 10, 3));
	assert_null(dir_nve_find(f->d, "nve8"));
	assert_int_equal(dir_count(f->d), 2);
	/* an existing one still changes */
	r = mrec(10, 2, "nve2", NVA_ST_ACTIVATED, 1, 4);
	assert_int_equal(apply(f, &r), 0);
	assert_int_equal(f->o.nmoved, 1);
	f->c.max_entries = 100;
	/* bad records */
	r = mrec(10, 3, "", NVA_ST_ACTIVATED, 0, 5);	/* live, no owner */
	assert_int_equal(apply(f, &r), -1);
	r = mrec(10, 3, "nve1", NVA_ST_ACTIVATED, 0, 5);
	memset(r.nve, 'a', sizeof(r.nve));		/* name too long */
	assert_int_equal(apply(f, &r), -1);
	r = mrec(0, 3, "nve1", NVA_ST_ACTIVATED, 0, 5);
	assert_int_equal(apply(f, &r), -1);
	r = mrec(NVA_VN_MAX + 1, 3, "nve1", NVA_ST_ACTIVATED, 0, 5);
	assert_int_equal(apply(f, &r), -1);
	r = mrec(10, 3, "nve1", NVA_ST_NONE, 0, 5);
	assert_int_equal(apply(f, &r), -1);
	r = mrec(10, 3, "nve1", (enum nva_state)9, 0, 5);
	assert_int_equal(apply(f, &r), -1);
	r = mrec(10, 3, "nve1", NVA_ST_ACTIVATED, 0, 5);
	r.addr.len = 5;
	assert_int_equal(apply(f, &r), -1);
	assert_int_equal(dir_count(f->d), 2);
	memset(&r, 0, sizeof(r));
	r.kind = NVAD_REC_NVE;				/* no name */
	assert_int_equal(apply(f, &r), -1);
	snprintf(r.nve, sizeof(r.nve), "nve1");
	r.nunderlay = NVA_UNDERLAY_MAX + 1;
	assert_int_equal(apply(f, &r), -1);
	r.nunderlay = 1;
	r.underlay[0].len = 6;
	assert_int_equal(apply(f, &r), -1);
	assert_int_equal(f->n1->nunderlay, 1);		/* untouched */
	r.kind = 0;
	assert_int_equal(apply(f, &r), -1);
	r.kind = 4;
	assert_int_equal(apply(f, &r), -1);
	assert_int_equal(dir_rev(f->d), 4);
}

static int
since_cb(void *arg, const struct dir_ent *e)
{
	unsigned *mask = arg;

	*mask |= 1u << e->addr[3] % 32;
	return 0;
}

static void
t_since(void **state)
{
	struct fx *f = *state;
	struct nvad_rec r;
	unsigned mask = 0;

	assert_int_equal(rep(f, f->n1, 10, 1, NVA_ST_ACTIVATED), NVA_OK);
	r = mrec(10, 2, "nve2", NVA_ST_ACTIVATED, 0, 100);
	assert_int_equal(apply(f, &r), 0);
	r = mrec(20, 3, "nve2", NVA_ST_ACTIVATED, 0, 200);
	assert_int_equal(apply(f, &r), 0);
	dir_since(f->d, 10, 0, since_cb, &mask);
	assert_int_equal(mask, (1u << 1) | (1u << 2));
	mask = 0;
	dir_since(f->d, 10, 99, since_cb, &mask);
	assert_int_equal(mask, 1u << 2);
	mask = 0;
	dir_since(f->d, 10, 100, since_cb, &mask);
	assert_int_equal(mask, 0);
	dir_since(f->d, 20, 199, since_cb, &mask);
	assert_int_equal(mask, 1u << 3);
	/* the rules go on past the applied revision */
	assert_int_equal(rep(f, f->n1, 10, 4, NVA_ST_ACTIVATED), NVA_OK);
	assert_int_equal(ent(f, 10, 4)->rev, 201);
	mask = 0;
	dir_since(f->d, 10, 200, since_cb, &mask);
	assert_int_equal(mask, 1u << 4);
}

static void
t_set_rev(void **state)
{
	struct fx *f = *state;
	struct dir_ent *e;
	unsigned mask = 0;

	assert_int_equal(rep(f, f->n1, 10, 1, NVA_ST_ACTIVATED), NVA_OK);
	e = ent(f, 10, 1);
	assert_int_equal(e->rev, 1);
	/* the commit's revision replaces the tentative one */
	dir_ent_set_rev(e, 500);
	assert_int_equal(e->rev, 500);
	assert_int_equal(dir_vn_find(f->d, 10)->rev, 500);
	assert_int_equal(dir_rev(f->d), 500);
	dir_since(f->d, 10, 499, since_cb, &mask);
	assert_int_equal(mask, 1u << 1);
	/* the rules' next revision is newer, and the entry is listed */
	assert_int_equal(rep(f, f->n2, 10, 1, NVA_ST_ACTIVATED), NVA_OK);
	assert_int_equal(f->o.nchanged, 1);
	assert_int_equal(e->rev, 501);
	/* lower: the entry says so, the VN and directory keep theirs */
	dir_ent_set_rev(e, 3);
	assert_int_equal(e->rev, 3);
	assert_int_equal(dir_vn_find(f->d, 10)->rev, 501);
	assert_int_equal(dir_rev(f->d), 501);
	mask = 0;
	dir_since(f->d, 10, 3, since_cb, &mask);
	assert_int_equal(mask, 0);
	dir_since(f->d, 10, 2, since_cb, &mask);
	assert_int_equal(mask, 1u << 1);
}

/* Entries past the first slab still find their directory. */
static void
t_set_rev_slabs(void **state)
{
	struct fx *f = *state;
	struct nvad_rec r;
	struct dir_ent *e;
	unsigned i, mask = 0;

	for (i = 0; i < 20000; i++) {
		r = mrec(30 + i / 250, (uint8_t)(i % 250 + 1), "nve1",
		    NVA_ST_ACTIVATED, 0, i + 1);
		assert_int_equal(dir_apply_rec(f->d, &r, NULL), 0);
	}
	assert_int_equal(dir_count(f->d), 20000);
	e = ent(f, 30 + 19999 / 250, 19999 % 250 + 1);
	assert_non_null(e);
	dir_ent_set_rev(e, 90000);
	assert_int_equal(dir_vn_find(f->d, 30 + 19999 / 250)->rev, 90000);
	assert_int_equal(dir_rev(f->d), 90000);
	e = ent(f, 30 + 9000 / 250, 9000 % 250 + 1);
	dir_ent_set_rev(e, 90001);
	assert_int_equal(dir_vn_find(f->d, 30 + 9000 / 250)->rev, 90001);
	dir_since(f->d, 30 + 9000 / 250, 90000, since_cb, &mask);
	assert_int_equal(mask, 1u << (9000 % 250 + 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_new_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(t_echo_and_older, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_tentative, setup, teardown),
		cmocka_unit_test_setup_teardown(t_move, setup, teardown),
		cmocka_unit_test_setup_teardown(t_not_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(t_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(t_frozen, setup, teardown),
		cmocka_unit_test_setup_teardown(t_seq_continuity, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_nve_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(t_subnet, setup, teardown),
		cmocka_unit_test_setup_teardown(t_no_dup_count, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_limits_and_bad, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_since, setup, teardown),
		cmocka_unit_test_setup_teardown(t_set_rev, setup, teardown),
		cmocka_unit_test_setup_teardown(t_set_rev_slabs, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
