/*
 * test_nvad_dir.c - nvad's directory (daemons/nvad/dir.c): every rule of
 * dir_report/dir_withdraw and every refusal code, sequence numbers over
 * moves, withdrawals and re-reports, the pending mark and its promotion,
 * stale withdraws, duplicate detection (5 moves pass, the 6th freezes,
 * migrations never count, the window restarts, unfreeze), tenant
 * co-attachment, nve vn lists and listed_only, audit reasons, dir_since,
 * subnets, records round trip, and the memory per entry at 1,000,000.
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
	struct nvad_tenant ten[2];
	struct nvad_deny deny;
	struct nvad_nve_conf nb;
	uint32_t tvn[2], nbvn[1];
	struct dir	*d;
	struct dir_nve	*n1, *n2, *n3;
	struct dir_out	 o;
	char		 why[256];
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
	f->c.max_entries = 1000;
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
	assert_int_equal(f->o.nnves, 3);
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

static enum nva_code
rep(struct fx *f, struct dir_nve *n, uint32_t vn, uint8_t last,
    enum nva_state st, bool mig, uint64_t now)
{
	struct nva_addr a = ip4(last);

	dir_out_reset(&f->o);
	return dir_report(f->d, n, vn, &a, NULL, NULL, 1, st, mig, now, &f->o,
	    f->why, sizeof(f->why));
}

static enum nva_code
wd(struct fx *f, struct dir_nve *n, uint32_t vn, uint8_t last)
{
	struct nva_addr a = ip4(last);

	dir_out_reset(&f->o);
	return dir_withdraw(f->d, n, vn, &a, 1, &f->o, f->why,
	    sizeof(f->why));
}

static struct dir_ent *
ent(struct fx *f, uint32_t vn, uint8_t last)
{
	struct nva_addr a = ip4(last);

	return dir_lookup(f->d, vn, &a);
}

static void
t_register(void **state)
{
	struct fx *f = *state;
	struct dir_nve *n;
	struct nva_addr u[2] = { under(1), under(9) };

	assert_int_equal(dir_nve_count(f->d), 3);
	assert_ptr_equal(dir_nve_find(f->d, "nve2"), f->n2);
	assert_ptr_equal(dir_nve_at(f->d, f->n2->idx), f->n2);
	assert_null(dir_nve_at(f->d, 3));
	assert_null(dir_nve_find(f->d, "nve9"));
	/* the same again: nothing to persist; a new underlay: persisted */
	assert_int_equal(dir_register(f->d, "nve1", u, 1, &n, &f->o), NVA_OK);
	assert_ptr_equal(n, f->n1);
	assert_int_equal(f->o.nnves, 0);
	assert_int_equal(dir_register(f->d, "nve1", u, 2, &n, &f->o), NVA_OK);
	assert_int_equal(f->o.nnves, 1);
	assert_int_equal(n->nunderlay, 2);
	assert_int_equal(dir_register(f->d, "", u, 1, &n, &f->o),
	    NVA_MALFORMED);
	assert_null(n);
	assert_int_equal(dir_register(f->d, "nve4", u, NVA_UNDERLAY_MAX + 1,
	    &n, &f->o), NVA_TOO_MANY);
	u[1].len = 6;
	assert_int_equal(dir_register(f->d, "nve4", u, 2, &n, &f->o),
	    NVA_BAD_ADDRESS);
	assert_int_equal(dir_nve_count(f->d), 3);
}

static void
t_report_update(void **state)
{
	struct fx *f = *state;
	struct dir_ent *e;
	struct dir_vn *v;

	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ASSOCIATED, false, 0),
	    NVA_OK);
	assert_int_equal(f->o.nchanged, 1);
	e = f->o.changed[0];
	assert_ptr_equal(e, ent(f, 10, 7));
	assert_int_equal(e->state, NVA_ST_ASSOCIATED);
	assert_int_equal(e->nve, f->n1->idx);
	assert_int_equal(e->seq, 0);
	assert_int_equal(e->rev, 1);
	assert_int_equal(dir_rev(f->d), 1);
	assert_int_equal(f->n1->owned, 1);
	/* the same report changes nothing */
	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ASSOCIATED, false, 0),
	    NVA_OK);
	assert_int_equal(f->o.nchanged, 0);
	assert_int_equal(dir_rev(f->d), 1);
	/* activation: same owner, same seq, new rev */
	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(f->o.nchanged, 1);
	assert_int_equal(e->state, NVA_ST_ACTIVATED);
	assert_int_equal(e->seq, 0);
	assert_int_equal(e->rev, 2);
	v = dir_vn_find(f->d, 10);
	assert_non_null(v);
	assert_int_equal(v->count, 1);
	assert_int_equal(v->active, 1);
	assert_int_equal(v->rev, 2);
	assert_int_equal(dir_counters(f->d)->reports, 3);
	assert_int_equal(f->n1->reports, 3);
}

static void
t_report_mac_and_batch(void **state)
{
	struct fx *f = *state;
	struct nva_addr a[3] = { ip4(1), ip4(2), ip4(1) };
	uint8_t macs[3][6] = { { 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 },
	    { 2, 0, 0, 0, 0, 9 } };
	bool has[3] = { true, false, true };
	struct dir_ent *e;

	/* a repeated address counts once (the first) */
	assert_int_equal(dir_report(f->d, f->n1, 10, a, macs, has, 3,
	    NVA_ST_ACTIVATED, false, 0, &f->o, f->why, sizeof(f->why)),
	    NVA_OK);
	assert_int_equal(f->o.nchanged, 2);
	assert_int_equal(f->o.changed[0]->rev, 1);
	assert_int_equal(f->o.changed[1]->rev, 2);
	e = ent(f, 10, 1);
	assert_true(e->flags & DIR_F_HAS_MAC);
	assert_memory_equal(e->mac, macs[0], 6);
	assert_false(ent(f, 10, 2)->flags & DIR_F_HAS_MAC);
	/* a new MAC is a change */
	dir_out_reset(&f->o);
	assert_int_equal(dir_report(f->d, f->n1, 10, &a[0], &macs[1], has, 1,
	    NVA_ST_ACTIVATED, false, 0, &f->o, NULL, 0), NVA_OK);
	assert_int_equal(f->o.nchanged, 1);
	assert_memory_equal(e->mac, macs[1], 6);
	assert_int_equal(dir_count(f->d), 2);
}

static void
t_move(void **state)
{
	struct fx *f = *state;
	struct dir_ent *e;

	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(rep(f, f->n2, 10, 7, NVA_ST_ACTIVATED, false, 1),
	    NVA_OK);
	e = ent(f, 10, 7);
	assert_int_equal(e->nve, f->n2->idx);
	assert_int_equal(e->prev, f->n1->idx);
	assert_int_equal(e->seq, 1);
	assert_int_equal(f->o.nmoved, 1);
	assert_ptr_equal(f->o.moved[0].ent, e);
	assert_int_equal(f->o.moved[0].old_nve, f->n1->idx);
	assert_int_equal(f->n1->owned, 0);
	assert_int_equal(f->n2->owned, 1);
	assert_int_equal(f->n1->moves_out, 1);
	assert_int_equal(f->n2->moves_in, 1);
	assert_int_equal(dir_counters(f->d)->moves, 1);
	/* the previous owner's late withdraw is stale */
	assert_int_equal(wd(f, f->n1, 10, 7), NVA_OK);
	assert_int_equal(f->o.nchanged, 0);
	assert_int_equal(dir_counters(f->d)->stale_withdraws, 1);
	assert_int_equal(e->state, NVA_ST_ACTIVATED);
	/* anyone else: not the owner, and a spoof alert */
	assert_int_equal(wd(f, f->n3, 10, 7), NVA_NOT_OWNER);
	assert_non_null(strstr(f->why, "held by nve2"));
	assert_int_equal(f->o.nalerts, 1);
	assert_int_equal(f->o.alerts[0]->kind, DIR_ALERT_SPOOF);
	assert_int_equal(dir_counters(f->d)->refused[NVA_NOT_OWNER], 1);
	assert_int_equal(f->n3->refused, 1);
	/* a move of an ASSOCIATED address is a takeover, not a move */
	assert_int_equal(rep(f, f->n1, 10, 8, NVA_ST_ASSOCIATED, false, 0),
	    NVA_OK);
	assert_int_equal(rep(f, f->n2, 10, 8, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(f->o.nmoved, 0);
	assert_int_equal(ent(f, 10, 8)->seq, 1);
	assert_int_equal(dir_counters(f->d)->moves, 1);
}

static void
t_seq_withdraw(void **state)
{
	struct fx *f = *state;
	struct dir_ent *e;

	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	e = ent(f, 10, 7);
	assert_int_equal(wd(f, f->n1, 10, 7), NVA_OK);
	assert_int_equal(f->o.nchanged, 1);
	assert_int_equal(e->state, NVA_ST_WITHDRAWN);
	assert_int_equal(e->seq, 0);
	assert_int_equal(f->n1->owned, 0);
	assert_int_equal(dir_vn_find(f->d, 10)->active, 0);
	/* withdrawn twice: stale */
	assert_int_equal(wd(f, f->n1, 10, 7), NVA_OK);
	assert_int_equal(f->o.nchanged, 0);
	/* unknown address: stale, no entry made */
	assert_int_equal(wd(f, f->n1, 10, 99), NVA_OK);
	assert_null(ent(f, 10, 99));
	assert_int_equal(dir_counters(f->d)->stale_withdraws, 2);
	/* another NVE reports it: seq grows, no moved notice */
	assert_int_equal(rep(f, f->n2, 10, 7, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(e->seq, 1);
	assert_int_equal(f->o.nmoved, 0);
	assert_int_equal(wd(f, f->n2, 10, 7), NVA_OK);
	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(e->seq, 2);
	/* the same NVE again after its own withdraw: same seq */
	assert_int_equal(wd(f, f->n1, 10, 7), NVA_OK);
	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ASSOCIATED, false, 0),
	    NVA_OK);
	assert_int_equal(e->seq, 2);
	assert_int_equal(dir_count(f->d), 1);
	assert_int_equal(dir_counters(f->d)->withdraws, 5);
}

static void
t_pending(void **state)
{
	struct fx *f = *state;
	struct dir_ent *e;

	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	e = ent(f, 10, 7);
	assert_int_equal(rep(f, f->n2, 10, 7, NVA_ST_ASSOCIATED, false, 0),
	    NVA_OK);
	assert_int_equal(f->o.nchanged, 0);
	assert_int_equal(e->pending, f->n2->idx);
	assert_int_equal(e->nve, f->n1->idx);
	/* the owner withdraws: the pending NVE takes over, associated */
	assert_int_equal(wd(f, f->n1, 10, 7), NVA_OK);
	assert_int_equal(f->o.nchanged, 1);
	assert_int_equal(e->nve, f->n2->idx);
	assert_int_equal(e->state, NVA_ST_ASSOCIATED);
	assert_int_equal(e->seq, 1);
	assert_int_equal(e->pending, NVAD_NONE);
	assert_int_equal(f->n2->owned, 1);
	assert_int_equal(f->n1->owned, 0);
	/* a pending NVE that withdraws is forgotten */
	assert_int_equal(rep(f, f->n2, 10, 7, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(rep(f, f->n3, 10, 7, NVA_ST_ASSOCIATED, false, 0),
	    NVA_OK);
	assert_int_equal(e->pending, f->n3->idx);
	assert_int_equal(wd(f, f->n3, 10, 7), NVA_OK);
	assert_int_equal(f->o.nchanged, 0);
	assert_int_equal(e->pending, NVAD_NONE);
	assert_int_equal(wd(f, f->n2, 10, 7), NVA_OK);
	assert_int_equal(e->state, NVA_ST_WITHDRAWN);
	assert_int_equal(e->nve, f->n2->idx);
	/* pending then activation by the pending NVE: a move */
	assert_int_equal(rep(f, f->n1, 10, 8, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(rep(f, f->n2, 10, 8, NVA_ST_ASSOCIATED, false, 0),
	    NVA_OK);
	assert_int_equal(rep(f, f->n2, 10, 8, NVA_ST_ACTIVATED, true, 0),
	    NVA_OK);
	assert_int_equal(f->o.nmoved, 1);
	assert_int_equal(ent(f, 10, 8)->pending, NVAD_NONE);
	assert_int_equal(dir_counters(f->d)->migrations, 1);
}

static void
t_refusals(void **state)
{
	struct fx *f = *state;
	struct nva_addr a[2] = { ip4(1), ip4(2) };
	uint8_t mac[2][6] = { { 1, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 1 } };
	bool has[2] = { true, false };
	const struct dir_counters *k = dir_counters(f->d);

	assert_int_equal(rep(f, NULL, 10, 1, NVA_ST_ACTIVATED, false, 0),
	    NVA_NOT_REGISTERED);
	assert_int_equal(wd(f, NULL, 10, 1), NVA_NOT_REGISTERED);
	assert_int_equal(rep(f, f->n1, 0, 1, NVA_ST_ACTIVATED, false, 0),
	    NVA_MALFORMED);
	assert_int_equal(rep(f, f->n1, NVA_VN_MAX + 1, 1, NVA_ST_ACTIVATED,
	    false, 0), NVA_MALFORMED);
	assert_int_equal(dir_report(f->d, f->n1, 10, a, NULL, NULL, 0,
	    NVA_ST_ACTIVATED, false, 0, &f->o, NULL, 0), NVA_MALFORMED);
	assert_int_equal(dir_withdraw(f->d, f->n1, 10, a, 0, &f->o, NULL, 0),
	    NVA_MALFORMED);
	assert_int_equal(rep(f, f->n1, 10, 1, NVA_ST_WITHDRAWN, false, 0),
	    NVA_BAD_STATE);
	assert_int_equal(rep(f, f->n1, 10, 1, NVA_ST_NONE, false, 0),
	    NVA_BAD_STATE);
	/* a multicast MAC for an IP; a MAC for a MAC entry; bad lengths */
	assert_int_equal(dir_report(f->d, f->n1, 10, a, mac, has, 1,
	    NVA_ST_ACTIVATED, false, 0, &f->o, NULL, 0), NVA_BAD_ADDRESS);
	a[1].len = 6;
	memcpy(a[1].a, mac[1], 6);
	has[0] = false;
	has[1] = true;
	assert_int_equal(dir_report(f->d, f->n1, 10, a, mac, has, 2,
	    NVA_ST_ACTIVATED, false, 0, &f->o, f->why, sizeof(f->why)),
	    NVA_BAD_ADDRESS);
	assert_non_null(strstr(f->why, "address 1"));
	/* all or nothing: address 0 was fine, yet is not there */
	assert_null(ent(f, 10, 1));
	a[1].len = 5;
	assert_int_equal(dir_withdraw(f->d, f->n1, 10, a, 2, &f->o, NULL, 0),
	    NVA_BAD_ADDRESS);
	a[1] = ip4(0);
	a[1].a[0] = 224;
	assert_int_equal(dir_report(f->d, f->n1, 10, a, NULL, NULL, 2,
	    NVA_ST_ACTIVATED, false, 0, &f->o, NULL, 0), NVA_BAD_ADDRESS);
	assert_int_equal(dir_count(f->d), 0);
	assert_int_equal(k->refused[NVA_NOT_REGISTERED], 2);
	assert_int_equal(k->refused[NVA_MALFORMED], 4);
	assert_int_equal(k->refused[NVA_BAD_STATE], 2);
	assert_int_equal(k->refused[NVA_BAD_ADDRESS], 4);
	assert_int_equal(k->reports, 0);
	assert_int_equal(dir_rev(f->d), 0);
}

static void
t_too_many(void **state)
{
	struct fx *f = *state;
	struct nva_addr a[NVA_ADDRS_MAX];
	unsigned i;

	f->c.max_entries = 3;
	for (i = 0; i < 4; i++)
		a[i] = ip4((uint8_t)(i + 1));
	assert_int_equal(dir_report(f->d, f->n1, 10, a, NULL, NULL, 4,
	    NVA_ST_ACTIVATED, false, 0, &f->o, f->why, sizeof(f->why)),
	    NVA_TOO_MANY);
	assert_int_equal(dir_count(f->d), 0);
	assert_int_equal(dir_report(f->d, f->n1, 10, a, NULL, NULL, 3,
	    NVA_ST_ACTIVATED, false, 0, &f->o, NULL, 0), NVA_OK);
	/* known addresses still update at the limit */
	assert_int_equal(dir_report(f->d, f->n1, 10, a, NULL, NULL, 3,
	    NVA_ST_ASSOCIATED, false, 0, &f->o, NULL, 0), NVA_OK);
	assert_int_equal(rep(f, f->n1, 10, 4, NVA_ST_ACTIVATED, false, 0),
	    NVA_TOO_MANY);
	assert_int_equal(dir_counters(f->d)->refused[NVA_TOO_MANY], 2);
}

/* Moves 10/7 between nve1 and nve2 at t; the n-th move from 1. */
static enum nva_code
bounce(struct fx *f, unsigned i, bool mig, uint64_t t)
{
	return rep(f, (i & 1) ? f->n2 : f->n1, 10, 7, NVA_ST_ACTIVATED, mig,
	    t);
}

static void
t_dup_detect(void **state)
{
	struct fx *f = *state;
	const struct dir_alert *al;
	struct dir_ent *e;
	struct nva_addr a = ip4(7);
	size_t n;
	unsigned i;

	assert_int_equal(bounce(f, 0, false, 100), NVA_OK);
	e = ent(f, 10, 7);
	for (i = 1; i <= 5; i++)
		assert_int_equal(bounce(f, i, false, 100 + i), NVA_OK);
	assert_int_equal(e->seq, 5);
	assert_int_equal(e->nmoves, 5);
	/* the 6th within 180 s freezes */
	assert_int_equal(bounce(f, 6, false, 150), NVA_FROZEN);
	assert_true(e->flags & DIR_F_FROZEN);
	assert_int_equal(e->nve, f->n2->idx);	/* the move did not happen */
	assert_int_equal(e->seq, 5);
	assert_int_equal(f->o.nchanged, 1);	/* the freeze is persisted */
	assert_int_equal(f->o.nmoved, 0);
	assert_int_equal(f->o.nalerts, 1);
	al = f->o.alerts[0];
	assert_int_equal(al->kind, DIR_ALERT_DUPLICATE);
	assert_int_equal(al->vn, 10);
	assert_true(nva_addr_eq(&al->addr, &a));
	assert_int_equal(al->at_s, 150);
	assert_non_null(strstr(al->text, "198.51.100.7"));
	assert_non_null(strstr(al->text, "nve2 -> nve1"));
	assert_int_equal(dir_counters(f->d)->frozen, 1);
	/* frozen: any later move is refused, migration or not */
	assert_int_equal(bounce(f, 6, true, 1000), NVA_FROZEN);
	assert_int_equal(rep(f, f->n3, 10, 7, NVA_ST_ACTIVATED, false, 2000),
	    NVA_FROZEN);
	assert_int_equal(dir_counters(f->d)->frozen, 1);
	/* the owner may still refresh it */
	assert_int_equal(rep(f, f->n2, 10, 7, NVA_ST_ASSOCIATED, false, 2000),
	    NVA_OK);
	al = dir_alerts(f->d, &n);
	assert_int_equal(n, 1);
	assert_false(al[0].cleared);
	/* unfreeze */
	assert_int_equal(dir_unfreeze(f->d, 10, &a, &f->o), NVA_OK);
	assert_false(e->flags & DIR_F_FROZEN);
	assert_true(al[0].cleared);
	assert_int_equal(rep(f, f->n2, 10, 7, NVA_ST_ACTIVATED, false, 2000),
	    NVA_OK);
	assert_int_equal(bounce(f, 0, false, 2001), NVA_OK);
	assert_int_equal(e->seq, 6);
	a = ip4(99);
	assert_int_equal(dir_unfreeze(f->d, 10, &a, &f->o), NVA_NOT_FOUND);
}

static void
t_dup_migration_window(void **state)
{
	struct fx *f = *state;
	struct dir_ent *e;
	unsigned i;

	/* migrations never count */
	assert_int_equal(bounce(f, 0, false, 0), NVA_OK);
	e = ent(f, 10, 7);
	for (i = 1; i <= 20; i++)
		assert_int_equal(bounce(f, i, true, i), NVA_OK);
	assert_int_equal(e->nmoves, 0);
	assert_int_equal(e->seq, 20);
	assert_int_equal(dir_counters(f->d)->migrations, 20);
	/* 5 counted moves at 100..104; at 280 the window (180 s from
	 * 100) has passed: it restarts at 1 */
	for (i = 21; i <= 25; i++)
		assert_int_equal(bounce(f, i, false, 79 + i), NVA_OK);
	assert_int_equal(e->nmoves, 5);
	assert_int_equal(e->move_t0, 100);
	assert_int_equal(bounce(f, 26, false, 280), NVA_OK);
	assert_int_equal(e->nmoves, 1);
	assert_int_equal(e->move_t0, 280);
	/* ... and 179 s after 280, the 6th counted move freezes */
	for (i = 27; i <= 30; i++)
		assert_int_equal(bounce(f, i, false, 300), NVA_OK);
	assert_int_equal(bounce(f, 31, false, 459), NVA_FROZEN);
	/* dup_moves 0: off */
	f->c.dup_moves = 0;
	assert_int_equal(rep(f, f->n1, 11, 1, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	for (i = 0; i < 10; i++)
		assert_int_equal(rep(f, (i & 1) ? f->n1 : f->n2, 11, 1,
		    NVA_ST_ACTIVATED, false, 0), NVA_OK);
}

static void
policy_conf(struct fx *f)
{
	snprintf(f->ten[0].name, sizeof(f->ten[0].name), "red");
	snprintf(f->ten[1].name, sizeof(f->ten[1].name), "blue");
	f->tvn[0] = 10;
	f->tvn[1] = 20;
	f->ten[0].vns = &f->tvn[0];
	f->ten[0].nvns = 1;
	f->ten[1].vns = &f->tvn[1];
	f->ten[1].nvns = 1;
	f->c.tenants = f->ten;
	f->c.ntenants = 2;
	f->deny.a = 1;
	f->deny.b = 0;
	f->deny.line = 7;
	f->c.denies = &f->deny;
	f->c.ndenies = 1;
	dir_set_conf(f->d, &f->c);
}

static void
t_coattach(void **state)
{
	struct fx *f = *state;

	policy_conf(f);
	assert_int_equal(rep(f, f->n1, 10, 1, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(rep(f, f->n1, 10, 2, NVA_ST_ASSOCIATED, false, 0),
	    NVA_OK);
	assert_int_equal(f->n1->tenant_refs[0], 2);
	assert_int_equal(rep(f, f->n1, 20, 1, NVA_ST_ACTIVATED, false, 0),
	    NVA_COATTACH);
	assert_non_null(strstr(f->why, "blue"));
	assert_non_null(strstr(f->why, "red"));
	assert_int_equal(dir_may_attach(f->d, f->n1, 20, NULL, 0),
	    NVA_COATTACH);
	/* VNs of no tenant, and other NVEs, are not affected */
	assert_int_equal(rep(f, f->n1, 30, 1, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(rep(f, f->n2, 20, 1, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	/* nve1's red entries go (one withdrawn, one moved away) */
	assert_int_equal(wd(f, f->n1, 10, 1), NVA_OK);
	assert_int_equal(rep(f, f->n1, 20, 1, NVA_ST_ACTIVATED, false, 0),
	    NVA_COATTACH);
	assert_int_equal(rep(f, f->n3, 10, 2, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(f->n1->tenant_refs[0], 0);
	assert_int_equal(rep(f, f->n1, 20, 1, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	/* the reverse direction now */
	assert_int_equal(rep(f, f->n1, 10, 5, NVA_ST_ACTIVATED, false, 0),
	    NVA_COATTACH);
	assert_int_equal(dir_counters(f->d)->refused[NVA_COATTACH], 3);
	/* a reload rebuilds the references */
	dir_set_conf(f->d, &f->c);
	assert_int_equal(f->n1->tenant_refs[1], 1);
	assert_int_equal(f->n3->tenant_refs[0], 1);
	assert_int_equal(f->n1->owned, 2);
}

static void
t_vn_lists(void **state)
{
	struct fx *f = *state;
	struct dir_nve *n;
	struct nva_addr u = under(5), p = ip4(0);

	snprintf(f->nb.name, sizeof(f->nb.name), "nve1");
	f->nbvn[0] = 10;
	f->nb.vns = f->nbvn;
	f->nb.nvns = 1;
	f->nb.line = 3;
	f->c.nves = &f->nb;
	f->c.nnves = 1;
	dir_set_conf(f->d, &f->c);
	assert_int_equal(rep(f, f->n1, 10, 1, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(rep(f, f->n1, 11, 1, NVA_ST_ACTIVATED, false, 0),
	    NVA_VN_REFUSED);
	assert_non_null(strstr(f->why, "vn 11"));
	assert_int_equal(dir_subnet(f->d, f->n1, 11, &p, 24, true, &f->o),
	    NVA_VN_REFUSED);
	/* no block: any VN */
	assert_int_equal(rep(f, f->n2, 11, 1, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	/* listed_only: unlisted NVEs neither register nor report */
	f->c.listed_only = true;
	assert_int_equal(dir_register(f->d, "nve9", &u, 1, &n, &f->o),
	    NVA_VN_REFUSED);
	assert_null(n);
	assert_null(dir_nve_find(f->d, "nve9"));
	assert_int_equal(dir_register(f->d, "nve1", &u, 1, &n, &f->o),
	    NVA_OK);
	assert_int_equal(rep(f, f->n2, 11, 2, NVA_ST_ACTIVATED, false, 0),
	    NVA_VN_REFUSED);
	assert_non_null(strstr(f->why, "not listed"));
	assert_int_equal(dir_counters(f->d)->refused[NVA_VN_REFUSED], 4);
}

static void
t_audit(void **state)
{
	struct fx *f = *state;
	struct nva_addr a[5] = { ip4(1), ip4(2), ip4(3), ip4(4), ip4(5) };
	uint8_t m[5][6] = { { 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 },
	    { 2, 0, 0, 0, 0, 3 }, { 2, 0, 0, 0, 0, 4 }, { 2, 0, 0, 0, 0, 5 } };
	bool has[5] = { true, true, true, true, true };
	uint8_t other[6] = { 2, 0, 0, 0, 0, 0x44 };
	const char *bad[6];
	unsigned i;

	/* 1 agrees, 2 mac differs, 3 withdrawn, 4 frozen, 5 unknown */
	assert_int_equal(dir_report(f->d, f->n1, 10, a, m, has, 4,
	    NVA_ST_ACTIVATED, false, 0, &f->o, NULL, 0), NVA_OK);
	assert_int_equal(wd(f, f->n1, 10, 3), NVA_OK);
	for (i = 0; i < 6; i++)
		assert_int_equal(rep(f, (i & 1) ? f->n1 : f->n2, 10, 4,
		    NVA_ST_ACTIVATED, false, 0), i < 5 ? NVA_OK : NVA_FROZEN);
	memcpy(m[1], other, 6);
	dir_out_reset(&f->o);
	assert_int_equal(dir_audit(f->d, f->n3, 10, a, m, 5, bad, 9, &f->o),
	    4);
	assert_null(bad[0]);
	assert_string_equal(bad[1], "mac-differs");
	assert_string_equal(bad[2], "withdrawn");
	assert_string_equal(bad[3], "frozen");
	assert_string_equal(bad[4], "unknown");
	assert_int_equal(f->o.nalerts, 4);
	assert_int_equal(f->o.alerts[0]->kind, DIR_ALERT_AUDIT);
	assert_int_equal(f->o.alerts[0]->nve, f->n3->idx);
	assert_non_null(strstr(f->o.alerts[0]->text, "02:00:00:00:00:44"));
	assert_int_equal(dir_counters(f->d)->audits, 1);
	assert_int_equal(dir_counters(f->d)->audit_bad, 4);
	assert_int_equal(dir_count(f->d), 4);	/* audit makes nothing */
}

static int
since_cb(void *arg, const struct dir_ent *e)
{
	unsigned *mask = arg;

	*mask |= 1u << e->addr[3];
	return 0;
}

static void
t_since(void **state)
{
	struct fx *f = *state;
	unsigned mask = 0;
	uint64_t r;

	assert_int_equal(rep(f, f->n1, 10, 1, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(rep(f, f->n1, 10, 2, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(rep(f, f->n1, 20, 3, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	r = dir_rev(f->d);
	assert_int_equal(r, 3);
	assert_int_equal(rep(f, f->n1, 10, 4, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(wd(f, f->n1, 10, 1), NVA_OK);
	dir_since(f->d, 10, 0, since_cb, &mask);
	assert_int_equal(mask, (1u << 1) | (1u << 2) | (1u << 4));
	mask = 0;
	dir_since(f->d, 10, r, since_cb, &mask);
	assert_int_equal(mask, (1u << 1) | (1u << 4));
	mask = 0;
	dir_since(f->d, 20, r, since_cb, &mask);
	dir_since(f->d, 99, 0, since_cb, &mask);
	assert_int_equal(mask, 0);
}

static void
t_subnets(void **state)
{
	struct fx *f = *state;
	struct dir_subnet *s;
	struct nvad_rec r;
	struct nva_addr p = ip4(0), bad = ip4(1);

	assert_int_equal(dir_subnet(f->d, f->n1, 10, &p, 24, true, &f->o),
	    NVA_OK);
	assert_int_equal(f->o.nsubnets, 1);
	s = f->o.subnets[0];
	assert_int_equal(dir_subnet(f->d, f->n2, 10, &p, 24, true, &f->o),
	    NVA_OK);
	assert_int_equal(f->o.nsubnets, 1);	/* listed once */
	assert_int_equal(s->nnves, 2);
	dir_out_reset(&f->o);
	assert_int_equal(dir_subnet(f->d, f->n2, 10, &p, 24, true, &f->o),
	    NVA_OK);
	assert_int_equal(f->o.nsubnets, 0);	/* already attached */
	dir_subnet_rec(f->d, s, &r);
	assert_int_equal(r.kind, NVAD_REC_SUBNET);
	assert_int_equal(r.nsnves, 2);
	assert_string_equal(r.snves[0], "nve1");
	assert_string_equal(r.snves[1], "nve2");
	assert_int_equal(dir_subnet(f->d, f->n1, 10, &p, 24, false, &f->o),
	    NVA_OK);
	assert_int_equal(s->nnves, 1);
	assert_int_equal(s->nves[0], f->n2->idx);
	assert_int_equal(dir_subnet(f->d, f->n2, 10, &p, 24, false, &f->o),
	    NVA_OK);
	dir_subnet_rec(f->d, s, &r);
	assert_int_equal(r.nsnves, 0);		/* delete it */
	/* detaching what is not attached changes nothing */
	dir_out_reset(&f->o);
	assert_int_equal(dir_subnet(f->d, f->n2, 10, &p, 25, false, &f->o),
	    NVA_OK);
	assert_int_equal(f->o.nsubnets, 0);
	assert_int_equal(dir_subnet(f->d, f->n1, 10, &bad, 24, true, &f->o),
	    NVA_MALFORMED);	/* host bits */
	assert_int_equal(dir_subnet(f->d, f->n1, 10, &p, 33, true, &f->o),
	    NVA_MALFORMED);
	bad.len = 6;
	assert_int_equal(dir_subnet(f->d, f->n1, 10, &bad, 24, true, &f->o),
	    NVA_BAD_ADDRESS);
	assert_int_equal(dir_subnet(f->d, NULL, 10, &p, 24, true, &f->o),
	    NVA_NOT_REGISTERED);
	assert_int_equal(dir_counters(f->d)->subnet_reports, 6);
}

static void
t_records(void **state)
{
	struct fx *f = *state;
	struct dir *d2;
	struct nvad_rec r, rs[8];
	struct nva_addr a = ip4(7), p = ip4(0);
	struct dir_ent *e;
	struct dir_nve *n;
	struct dir_subnet *sub;
	char names[4][NVA_NAME_MAX + 1];
	unsigned i, k = 0;

	policy_conf(f);
	assert_int_equal(rep(f, f->n1, 10, 7, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(rep(f, f->n2, 10, 7, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(rep(f, f->n1, 10, 8, NVA_ST_ASSOCIATED, false, 0),
	    NVA_OK);
	assert_int_equal(rep(f, f->n3, 30, 9, NVA_ST_ACTIVATED, false, 0),
	    NVA_OK);
	assert_int_equal(wd(f, f->n3, 30, 9), NVA_OK);
	assert_int_equal(dir_subnet(f->d, f->n1, 10, &p, 24, true, &f->o),
	    NVA_OK);
	sub = f->o.subnets[0];
	/* MAP records first (NVEs made by name), then NVEs, subnet */
	dir_ent_rec(f->d, ent(f, 10, 7), &rs[k++]);
	dir_ent_rec(f->d, ent(f, 10, 8), &rs[k++]);
	dir_ent_rec(f->d, ent(f, 30, 9), &rs[k++]);
	assert_string_equal(rs[0].nve, "nve2");
	assert_int_equal(rs[0].seq, 1);
	assert_int_equal(rs[2].state, NVA_ST_WITHDRAWN);
	dir_nve_rec(f->n1, &rs[k++]);
	dir_nve_rec(f->n2, &rs[k++]);
	dir_subnet_rec(f->d, sub, &r);
	for (i = 0; i < r.nsnves; i++)
		memcpy(names[i], r.snves[i], sizeof(names[i]));
	r.snves = names;
	rs[k++] = r;
	assert_int_equal(dir_new(&d2, &f->c), 0);
	for (i = 0; i < k; i++)
		assert_int_equal(dir_load_rec(d2, &rs[i]), 0);
	dir_set_rev(d2, 77);
	assert_int_equal(dir_rev(d2), 77);
	assert_int_equal(dir_count(d2), 3);
	e = dir_lookup(d2, 10, &a);
	assert_non_null(e);
	assert_int_equal(e->seq, 1);
	assert_int_equal(e->rev, ent(f, 10, 7)->rev);
	assert_string_equal(dir_nve_at(d2, e->nve)->name, "nve2");
	n = dir_nve_find(d2, "nve1");
	assert_non_null(n);
	assert_int_equal(n->nunderlay, 1);
	assert_int_equal(n->owned, 1);
	assert_int_equal(n->tenant_refs[0], 1);
	assert_int_equal(dir_nve_find(d2, "nve3")->owned, 0);
	assert_int_equal(dir_vn_find(d2, 10)->count, 2);
	assert_int_equal(dir_vn_find(d2, 10)->active, 1);
	/* the rules go on: a move from the loaded owner */
	assert_int_equal(dir_report(d2, n, 10, &a, NULL, NULL, 1,
	    NVA_ST_ACTIVATED, false, 0, &f->o, NULL, 0), NVA_OK);
	assert_int_equal(e->seq, 2);
	assert_int_equal(e->rev, 78);
	/* bad records */
	r = rs[0];
	r.state = 9;
	assert_int_equal(dir_load_rec(d2, &r), -EINVAL);
	r = rs[0];
	r.nve[0] = '\0';
	assert_int_equal(dir_load_rec(d2, &r), -EINVAL);
	r = rs[0];
	r.addr.len = 5;
	assert_int_equal(dir_load_rec(d2, &r), -EINVAL);
	r = rs[3];
	r.underlay[0].len = 6;
	assert_int_equal(dir_load_rec(d2, &r), -EINVAL);
	r = rs[5];
	r.plen = 8;
	assert_int_equal(dir_load_rec(d2, &r), -EINVAL);
	r.kind = 0;
	assert_int_equal(dir_load_rec(d2, &r), -EINVAL);
	dir_free(d2);
}

static void
t_mapping(void **state)
{
	struct fx *f = *state;
	Nva__Mapping m;
	ProtobufCBinaryData ub[NVA_UNDERLAY_MAX];
	struct nva_addr a = ip4(7);
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 7 };
	bool has = true;

	assert_int_equal(dir_report(f->d, f->n2, 10, &a, &mac, &has, 1,
	    NVA_ST_ACTIVATED, false, 0, &f->o, NULL, 0), NVA_OK);
	dir_ent_mapping(f->d, ent(f, 10, 7), &m, ub);
	assert_int_equal(m.vn, 10);
	assert_int_equal(m.addr.len, 4);
	assert_memory_equal(m.addr.data, a.a, 4);
	assert_int_equal(m.mac.len, 6);
	assert_memory_equal(m.mac.data, mac, 6);
	assert_string_equal(m.nve, "nve2");
	assert_int_equal(m.n_underlay, 1);
	assert_ptr_equal(m.underlay, ub);
	assert_int_equal(ub[0].data[3], 2);
	assert_int_equal(m.state, NVA__STATE__ACTIVATED);
	assert_int_equal(m.seq, 0);
	assert_int_equal(m.rev, 1);
	assert_false(m.frozen);
}

/* 1,000,000 entries in 100 VNs: under 128 octets each, all counted. */
static void
t_memory(void **state)
{
	struct fx *f = *state;
	struct nva_addr a[50];
	uint64_t oct;
	unsigned i, j, k;

	f->c.max_entries = 2000000;
	for (i = 0; i < 20000; i++) {
		for (j = 0; j < 50; j++) {
			k = i * 50 + j;
			a[j].len = 16;
			memset(a[j].a, 0, 16);
			a[j].a[0] = 0x20;
			a[j].a[1] = 0x01;
			a[j].a[2] = 0x0d;
			a[j].a[3] = 0xb8;
			a[j].a[12] = (uint8_t)(k >> 24);
			a[j].a[13] = (uint8_t)(k >> 16);
			a[j].a[14] = (uint8_t)(k >> 8);
			a[j].a[15] = (uint8_t)k;
			a[j].a[11] = 1;
		}
		assert_int_equal(dir_report(f->d, f->n1, 1 + i % 100, a, NULL,
		    NULL, 50, NVA_ST_ACTIVATED, false, 0, NULL, NULL, 0),
		    NVA_OK);
	}
	assert_int_equal(dir_count(f->d), 1000000);
	oct = dir_mem_octets(f->d);
	assert_true(oct / 1000000 < 128);
	assert_true(oct / 1000000 >= sizeof(struct dir_ent));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_register, setup, teardown),
		cmocka_unit_test_setup_teardown(t_report_update, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_report_mac_and_batch, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_move, setup, teardown),
		cmocka_unit_test_setup_teardown(t_seq_withdraw, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(t_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(t_too_many, setup, teardown),
		cmocka_unit_test_setup_teardown(t_dup_detect, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_dup_migration_window, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(t_coattach, setup, teardown),
		cmocka_unit_test_setup_teardown(t_vn_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(t_audit, setup, teardown),
		cmocka_unit_test_setup_teardown(t_since, setup, teardown),
		cmocka_unit_test_setup_teardown(t_subnets, setup, teardown),
		cmocka_unit_test_setup_teardown(t_records, setup, teardown),
		cmocka_unit_test_setup_teardown(t_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(t_memory, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
