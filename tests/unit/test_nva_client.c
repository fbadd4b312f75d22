/*
 * test_nva_client.c - the NVE side of the NVA protocol
 * (lib/nva/nva_client.c) driven through its API: a fake send callback
 * decodes every frame with nva_decode() and keeps it, the NVA's answers
 * are built from the generated structs.  Covers the session (Hello,
 * Welcome, Subscribe), reports and withdrawals across reconnects,
 * refusals, subscriptions following TSIs, delta and full resyncs,
 * update ordering, Moved, queries and their timeout, keep-alives, the
 * backoff, unknown xids, the argument checks, and the retries after a
 * CONFLICT answer (delays, give-up, stale Reports, gone TSIs).  The same paths as
 * transcripts are in tests/fsm/nva_client/.
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

#include "nva/nva_client.h"

#define MS	1000ULL
#define SEC	1000000ULL
#define MAXF	64
#define MAXE	64

static Nva__Envelope *tx[MAXF];
static unsigned ntx;
static struct {
	enum nvc_ev_type type;
	uint32_t	 vn;
	uint64_t	 token, rev;
	enum nva_code	 code;
	enum nva_state	 st;
	bool		 has_fib, full, allow, answered, has_tsi;
	char		 text[64];
} evs[MAXE];
static unsigned nev;

static int
fake_send(void *arg, const uint8_t *f, size_t len)
{
	char err[128];
	uint32_t hl;

	(void)arg;
	assert_true(len > NVA_HDR_LEN);
	hl = (uint32_t)f[0] << 24 | (uint32_t)f[1] << 16 |
	    (uint32_t)f[2] << 8 | f[3];
	assert_int_equal(hl, len - NVA_HDR_LEN);
	assert_true(ntx < MAXF);
	assert_int_equal(nva_decode(f + NVA_HDR_LEN, len - NVA_HDR_LEN,
	    &tx[ntx], err, sizeof(err)), NVA_OK);
	assert_true(nva_body_from_nve(tx[ntx]->body_case));
	ntx++;
	return 0;
}

static void
fake_event(void *arg, const struct nvc_ev *ev)
{
	(void)arg;
	assert_true(nev < MAXE);
	memset(&evs[nev], 0, sizeof(evs[nev]));
	evs[nev].type = ev->type;
	evs[nev].vn = ev->vn;
	evs[nev].token = ev->token;
	evs[nev].code = ev->code;
	evs[nev].full = ev->full;
	evs[nev].allow = ev->allow;
	evs[nev].answered = ev->answered;
	evs[nev].has_tsi = ev->tsi != NULL;
	if (ev->fib != NULL) {
		evs[nev].has_fib = true;
		evs[nev].st = ev->fib->state;
		evs[nev].rev = ev->fib->rev;
	}
	if (ev->text != NULL)
		snprintf(evs[nev].text, sizeof(evs[nev].text), "%s", ev->text);
	nev++;
}

static void
clear(void)
{
	unsigned i;

	for (i = 0; i < ntx; i++)
		nva_free(tx[i]);
	ntx = 0;
	nev = 0;
}

static const struct nva_client_cbs cbs = { fake_send, fake_event };

static struct nva_addr
A(const char *s)
{
	struct nva_addr a;

	assert_int_equal(nva_addr_parse(&a, s), 0);
	return a;
}

static void
tsi_of(const char *name, uint8_t id[NVA_TSI_LEN])
{
	memset(id, 0, NVA_TSI_LEN);
	memcpy(id, name, strlen(name));
}

static struct nva_client *
make(uint32_t ka_ms)
{
	struct nva_client_conf c;
	struct nva_client *cl;

	memset(&c, 0, sizeof(c));
	snprintf(c.nve, sizeof(c.nve), "nve1");
	c.underlay[0] = A("203.0.113.1");
	c.nunderlay = 1;
	c.keepalive_ms = ka_ms;
	c.retry_min_us = 1 * SEC;
	c.retry_max_us = 8 * SEC;
	c.hello_timeout_us = 5 * SEC;
	c.query_timeout_us = 2 * SEC;
	assert_int_equal(nva_client_new(&cl, &c, &cbs, NULL), 0);
	clear();
	return cl;
}

/* Feeds one Envelope with this body. */
static int
rx(struct nva_client *cl, uint64_t xid, Nva__Envelope__BodyCase bc,
    void *body, uint64_t now)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;

	e.xid = xid;
	e.body_case = bc;
	e.hello = body;		/* one union: any member will do */
	return nva_client_input(cl, &e, now);
}

static int
rx_welcome(struct nva_client *cl, uint64_t epoch, uint32_t ka, uint64_t now)
{
	Nva__Welcome w = NVA__WELCOME__INIT;

	w.nva = (char *)"nva-a";
	w.epoch = epoch;
	w.keepalive_ms = ka;
	return rx(cl, 0, NVA__ENVELOPE__BODY_WELCOME, &w, now);
}

static int
rx_ack(struct nva_client *cl, uint64_t xid, uint64_t now)
{
	Nva__Ack a = NVA__ACK__INIT;

	return rx(cl, xid, NVA__ENVELOPE__BODY_ACK, &a, now);
}

static int
rx_error(struct nva_client *cl, uint64_t xid, Nva__Code code, uint64_t now)
{
	Nva__Error er = NVA__ERROR__INIT;

	er.code = code;
	er.text = (char *)"no";
	return rx(cl, xid, NVA__ENVELOPE__BODY_ERROR, &er, now);
}

static int
rx_syncdone(struct nva_client *cl, uint64_t xid, uint32_t vn, uint64_t rev,
    bool full, uint64_t now)
{
	Nva__SyncDone sd = NVA__SYNC_DONE__INIT;

	sd.n_vn = 1;
	sd.vn = &vn;
	sd.rev = rev;
	sd.full = full;
	return rx(cl, xid, NVA__ENVELOPE__BODY_SYNC_DONE, &sd, now);
}

/* One mapping (vn, ip) behind nve2 in an Update, Answer or Moved. */
static struct nva_addr map_a;
static Nva__Mapping map;
static Nva__Mapping *mapp = &map;

static Nva__Mapping *
mk_map(uint32_t vn, const char *ip, uint64_t rev, Nva__State st)
{
	nva__mapping__init(&map);
	map_a = A(ip);
	map.vn = vn;
	map.addr.data = map_a.a;
	map.addr.len = map_a.len;
	map.nve = (char *)"nve2";
	map.rev = rev;
	map.state = st;
	return &map;
}

static int
rx_update(struct nva_client *cl, uint32_t vn, const char *ip, uint64_t rev,
    Nva__State st, uint64_t now)
{
	Nva__Update u = NVA__UPDATE__INIT;

	mk_map(vn, ip, rev, st);
	u.n_mappings = 1;
	u.mappings = &mapp;
	return rx(cl, 0, NVA__ENVELOPE__BODY_UPDATE, &u, now);
}

/* DOWN -> UP at now with epoch; the frames sent stay in tx[]. */
static void
bring_up(struct nva_client *cl, uint64_t epoch, uint64_t now)
{
	assert_int_equal(nva_client_tick(cl, now), NVC_ACT_CONNECT);
	assert_int_equal(nva_client_state(cl), NVC_CONNECTING);
	nva_client_connected(cl, now);
	assert_int_equal(nva_client_state(cl), NVC_HELLO);
	assert_int_equal(rx_welcome(cl, epoch, 0, now), 0);
	assert_int_equal(nva_client_state(cl), NVC_UP);
}

static void
free_client(struct nva_client *cl)
{
	nva_client_free(cl);
	clear();
}

/* ---- tests ----------------------------------------------------------- */

static void
test_new_checks(void **state)
{
	struct nva_client_conf c;
	struct nva_client *cl = NULL;
	struct nva_client_cbs nosend = { NULL, fake_event };

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(c.nve, sizeof(c.nve), "nve1");
	assert_int_equal(nva_client_new(&cl, &c, &cbs, NULL), -EINVAL);
	c.underlay[0] = A("02:00:00:00:00:01");	/* a MAC: not underlay */
	c.nunderlay = 1;
	assert_int_equal(nva_client_new(&cl, &c, &cbs, NULL), -EINVAL);
	c.underlay[0] = A("2001:db8:ffff::1");
	assert_int_equal(nva_client_new(&cl, &c, &nosend, NULL), -EINVAL);
	c.nve[0] = '\0';
	assert_int_equal(nva_client_new(&cl, &c, &cbs, NULL), -EINVAL);
	c.nve[0] = 'n';
	c.nunderlay = NVA_UNDERLAY_MAX + 1;
	assert_int_equal(nva_client_new(&cl, &c, &cbs, NULL), -EINVAL);
	assert_null(cl);
	c.nunderlay = 1;
	assert_int_equal(nva_client_new(&cl, &c, &cbs, NULL), 0);
	/* zeros take the defaults: 1 s first retry */
	assert_int_equal(nva_client_next(cl), 0);
	assert_int_equal(nva_client_tick(cl, 0), NVC_ACT_CONNECT);
	nva_client_disconnected(cl, 0, "refused");
	assert_int_equal(nva_client_next(cl), 1 * SEC);
	free_client(cl);
}

static void
test_hello_welcome_subscribe(void **state)
{
	struct nva_client *cl = make(500);
	struct nva_addr a[2] = { A("02:00:00:00:00:01"), A("198.51.100.1") };
	uint8_t id[NVA_TSI_LEN];
	Nva__Report *r;

	(void)state;
	tsi_of("vm1", id);
	assert_int_equal(nva_client_tsi_set(cl, 5001, id, NVA_ST_ACTIVATED,
	    a, 2, false), 0);
	assert_int_equal(ntx, 0);		/* DOWN: nothing sent */
	assert_int_equal(nva_client_tick(cl, 0), NVC_ACT_CONNECT);
	assert_int_equal(ntx, 0);
	nva_client_connected(cl, 0);
	assert_int_equal(ntx, 1);
	assert_int_equal(tx[0]->body_case, NVA__ENVELOPE__BODY_HELLO);
	assert_int_equal(tx[0]->xid, 1);
	assert_string_equal(tx[0]->hello->nve, "nve1");
	assert_int_equal(tx[0]->hello->n_underlay, 1);
	assert_int_equal(tx[0]->hello->keepalive_ms, 500);
	assert_int_equal(nva_client_next(cl), 5 * SEC);
	assert_int_equal(rx_welcome(cl, 7, 1000, 10), 0);
	assert_int_equal(nva_client_epoch(cl), 7);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].type, NVC_EV_UP);
	assert_string_equal(evs[0].text, "nva-a");
	assert_int_equal(ntx, 3);
	assert_int_equal(tx[1]->body_case, NVA__ENVELOPE__BODY_SUBSCRIBE);
	assert_int_equal(tx[1]->xid, 2);
	assert_int_equal(tx[1]->subscribe->n_vn, 1);
	assert_int_equal(tx[1]->subscribe->vn[0], 5001);
	assert_int_equal(tx[1]->subscribe->since_rev, 0);
	assert_int_equal(tx[2]->body_case, NVA__ENVELOPE__BODY_REPORT);
	assert_int_equal(tx[2]->xid, 3);
	r = tx[2]->report;
	assert_int_equal(r->vn, 5001);
	assert_int_equal(r->state, NVA__STATE__ACTIVATED);
	assert_memory_equal(r->tsi.data, id, NVA_TSI_LEN);
	assert_int_equal(r->n_addrs, 2);
	assert_int_equal(r->addrs[0]->mac.len, 0);	/* the MAC itself */
	assert_int_equal(r->addrs[1]->mac.len, 6);	/* IP -> the MAC */
	assert_memory_equal(r->addrs[1]->mac.data, a[0].a, 6);
	/* the NVA's keep-alive period wins: 1000 ms */
	assert_int_equal(nva_client_next(cl), 10 + 1000 * MS);
	assert_int_equal(nva_client_counters(cl)->sessions, 1);
	assert_int_equal(nva_client_counters(cl)->reports, 1);
	free_client(cl);
}

static void
test_reports_withdraw_reconnect(void **state)
{
	struct nva_client *cl = make(0);
	struct nva_addr a[3] = { A("02:00:00:00:00:01"), A("198.51.100.1"),
	    A("2001:db8:100::1") };
	uint8_t id1[NVA_TSI_LEN], id2[NVA_TSI_LEN];
	const struct nvc_counters *c = nva_client_counters(cl);

	(void)state;
	tsi_of("vm1", id1);
	tsi_of("vm2", id2);
	assert_int_equal(nva_client_tsi_set(cl, 5001, id1, NVA_ST_ACTIVATED,
	    a, 3, false), 0);
	assert_int_equal(nva_client_tsi_set(cl, 5001, id2,
	    NVA_ST_ASSOCIATED, NULL, 0, false), 0);
	bring_up(cl, 7, 0);
	assert_int_equal(rx_ack(cl, 3, 0), 0);		/* the Report */
	clear();
	/* the same set in another order: nothing */
	{
		struct nva_addr b[3] = { a[2], a[0], a[1] };

		assert_int_equal(nva_client_tsi_set(cl, 5001, id1,
		    NVA_ST_ACTIVATED, b, 3, false), 0);
		assert_int_equal(ntx, 0);
	}
	/* the IPv6 address goes: Withdraw of it, then the Report */
	assert_int_equal(nva_client_tsi_set(cl, 5001, id1, NVA_ST_ACTIVATED,
	    a, 2, false), 0);
	assert_int_equal(ntx, 2);
	assert_int_equal(tx[0]->body_case, NVA__ENVELOPE__BODY_WITHDRAW);
	assert_int_equal(tx[0]->withdraw->n_addrs, 1);
	assert_int_equal(tx[0]->withdraw->addrs[0]->addr.len, 16);
	assert_int_equal(tx[1]->body_case, NVA__ENVELOPE__BODY_REPORT);
	assert_int_equal(tx[1]->report->n_addrs, 2);
	assert_int_equal(rx_ack(cl, tx[0]->xid, 0), 0);
	assert_int_equal(rx_ack(cl, tx[1]->xid, 0), 0);
	clear();
	/* while DOWN: vm1 deleted, nothing sent until the session is back */
	nva_client_disconnected(cl, 1 * SEC, "gone");
	assert_int_equal(nva_client_tsi_del(cl, 5001, id1), 0);
	assert_int_equal(nva_client_tsi_del(cl, 5001, id1), -ENOENT);
	assert_int_equal(ntx, 0);
	assert_int_equal(nva_client_next(cl), 2 * SEC);
	bring_up(cl, 7, 2 * SEC);
	/* Subscribe (vm2 still in 5001), Withdraw of vm1's two addresses;
	 * vm2 has no address: no Report */
	assert_int_equal(ntx, 3);
	assert_int_equal(tx[1]->body_case, NVA__ENVELOPE__BODY_SUBSCRIBE);
	assert_int_equal(tx[2]->body_case, NVA__ENVELOPE__BODY_WITHDRAW);
	assert_memory_equal(tx[2]->withdraw->tsi.data, id1, NVA_TSI_LEN);
	assert_int_equal(tx[2]->withdraw->n_addrs, 2);
	assert_int_equal(rx_ack(cl, tx[2]->xid, 2 * SEC), 0);
	clear();
	/* acknowledged: a further reconnect sends no Withdraw again */
	nva_client_disconnected(cl, 3 * SEC, NULL);
	bring_up(cl, 7, 4 * SEC);
	assert_int_equal(ntx, 2);
	assert_int_equal(tx[1]->body_case, NVA__ENVELOPE__BODY_SUBSCRIBE);
	assert_int_equal(c->withdraws, 2);
	assert_int_equal(c->reports, 2);
	free_client(cl);
}

static void
test_unacked_report_withdrawn_after_reconnect(void **state)
{
	struct nva_client *cl = make(0);
	struct nva_addr a[2] = { A("02:00:00:00:00:01"), A("198.51.100.1") };
	uint8_t id[NVA_TSI_LEN];

	(void)state;
	tsi_of("vm1", id);
	bring_up(cl, 7, 0);
	assert_int_equal(nva_client_tsi_set(cl, 5001, id, NVA_ST_ACTIVATED,
	    a, 2, false), 0);
	/* the Report went but its Ack never came; the IP goes meanwhile */
	nva_client_disconnected(cl, 0, NULL);
	assert_int_equal(nva_client_tsi_set(cl, 5001, id, NVA_ST_ACTIVATED,
	    a, 1, false), 0);
	clear();
	bring_up(cl, 7, 1 * SEC);
	assert_int_equal(ntx, 4);	/* Hello, Subscribe, Withdraw, Report */
	assert_int_equal(tx[2]->body_case, NVA__ENVELOPE__BODY_WITHDRAW);
	assert_int_equal(tx[2]->withdraw->n_addrs, 1);
	assert_int_equal(tx[2]->withdraw->addrs[0]->addr.len, 4);
	assert_int_equal(tx[3]->body_case, NVA__ENVELOPE__BODY_REPORT);
	assert_int_equal(tx[3]->report->n_addrs, 1);
	free_client(cl);
}

static void
test_refused(void **state)
{
	struct nva_client *cl = make(0);
	struct nva_addr a[2] = { A("02:00:00:00:00:01"), A("198.51.100.1") };
	uint8_t id[NVA_TSI_LEN];
	uint64_t xid;

	(void)state;
	tsi_of("vm1", id);
	bring_up(cl, 7, 0);
	clear();
	assert_int_equal(nva_client_tsi_set(cl, 5001, id, NVA_ST_ACTIVATED,
	    a, 2, true), 0);
	assert_int_equal(ntx, 2);
	assert_true(tx[1]->report->migration);
	xid = tx[1]->xid;
	assert_int_equal(rx_error(cl, xid, NVA__CODE__COATTACH, 0), 0);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].type, NVC_EV_REFUSED);
	assert_int_equal(evs[0].vn, 5001);
	assert_int_equal(evs[0].code, NVA_COATTACH);
	assert_string_equal(evs[0].text, "no");
	assert_int_equal(nva_client_counters(cl)->refused, 1);
	clear();
	/* not sent again after a reconnect; nothing held: no Withdraw */
	nva_client_disconnected(cl, 0, NULL);
	bring_up(cl, 7, 1 * SEC);
	assert_int_equal(ntx, 2);		/* Hello, Subscribe */
	clear();
	/* the same again is no change; a change goes out */
	assert_int_equal(nva_client_tsi_set(cl, 5001, id, NVA_ST_ACTIVATED,
	    a, 2, true), 0);
	assert_int_equal(ntx, 0);
	assert_int_equal(nva_client_tsi_set(cl, 5001, id, NVA_ST_ACTIVATED,
	    a, 2, false), 0);
	assert_int_equal(ntx, 1);
	assert_int_equal(tx[0]->body_case, NVA__ENVELOPE__BODY_REPORT);
	free_client(cl);
}

static void
test_tsi_args(void **state)
{
	struct nva_client *cl = make(0);
	struct nva_addr a[NVA_ADDRS_MAX + 1];
	uint8_t id[NVA_TSI_LEN];
	unsigned i;

	(void)state;
	tsi_of("vm1", id);
	for (i = 0; i <= NVA_ADDRS_MAX; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].len = 4;
		a[i].a[0] = 198, a[i].a[1] = 51, a[i].a[2] = 100;
		a[i].a[3] = (uint8_t)i;
	}
	assert_int_equal(nva_client_tsi_set(cl, 0, id, NVA_ST_ACTIVATED, a,
	    1, false), -EINVAL);
	assert_int_equal(nva_client_tsi_set(cl, NVA_VN_MAX + 1, id,
	    NVA_ST_ACTIVATED, a, 1, false), -EINVAL);
	assert_int_equal(nva_client_tsi_set(cl, 1, id, NVA_ST_WITHDRAWN, a,
	    1, false), -EINVAL);
	assert_int_equal(nva_client_tsi_set(cl, 1, id, NVA_ST_NONE, a, 1,
	    false), -EINVAL);
	assert_int_equal(nva_client_tsi_set(cl, 1, id, NVA_ST_ACTIVATED, a,
	    NVA_ADDRS_MAX + 1, false), -EINVAL);
	assert_int_equal(nva_client_tsi_set(cl, 1, id, NVA_ST_ACTIVATED,
	    NULL, 1, false), -EINVAL);
	assert_int_equal(nva_client_tsi_set(cl, 1, NULL, NVA_ST_ACTIVATED,
	    a, 1, false), -EINVAL);
	a[1] = a[0];
	assert_int_equal(nva_client_tsi_set(cl, 1, id, NVA_ST_ACTIVATED, a,
	    2, false), -EINVAL);
	a[1].len = 5;
	assert_int_equal(nva_client_tsi_set(cl, 1, id, NVA_ST_ACTIVATED, a,
	    2, false), -EINVAL);
	a[1] = a[2];
	a[1].a[3] = 1;
	/* nothing kept from the refusals */
	assert_int_equal(nva_client_tsi_del(cl, 1, id), -ENOENT);
	assert_int_equal(nva_client_tsi_set(cl, NVA_VN_MAX, id,
	    NVA_ST_ACTIVATED, a, NVA_ADDRS_MAX, false), 0);
	bring_up(cl, 7, 0);
	assert_int_equal(ntx, 3);
	assert_int_equal(tx[2]->report->n_addrs, NVA_ADDRS_MAX);
	free_client(cl);
}

static int
count_vn(void *arg, uint32_t vn, unsigned tsis, bool synced)
{
	unsigned *n = arg;

	(void)synced;
	if (vn == 5001)
		*n = tsis;
	return 0;
}

static void
test_subscription_refcount(void **state)
{
	struct nva_client *cl = make(0);
	struct nva_addr m1 = A("02:00:00:00:00:01"), m2 = A("02:00:00:00:00:02");
	struct nva_addr ip = A("198.51.100.9");
	uint8_t id1[NVA_TSI_LEN], id2[NVA_TSI_LEN];
	unsigned tsis = 0;

	(void)state;
	tsi_of("vm1", id1);
	tsi_of("vm2", id2);
	bring_up(cl, 7, 0);
	clear();
	assert_int_equal(nva_client_tsi_set(cl, 5001, id1, NVA_ST_ACTIVATED,
	    &m1, 1, false), 0);
	assert_int_equal(ntx, 2);
	assert_int_equal(tx[0]->body_case, NVA__ENVELOPE__BODY_SUBSCRIBE);
	assert_int_equal(rx_syncdone(cl, tx[0]->xid, 5001, 10, true, 0), 0);
	clear();
	assert_int_equal(nva_client_tsi_set(cl, 5001, id2, NVA_ST_ACTIVATED,
	    &m2, 1, false), 0);
	assert_int_equal(ntx, 1);		/* a Report, no Subscribe */
	assert_int_equal(tx[0]->body_case, NVA__ENVELOPE__BODY_REPORT);
	nva_client_vn_walk(cl, count_vn, &tsis);
	assert_int_equal(tsis, 2);
	assert_int_equal(rx_update(cl, 5001, "198.51.100.9", 11,
	    NVA__STATE__ACTIVATED, 0), 0);
	assert_non_null(nva_client_lookup(cl, 5001, &ip));
	clear();
	assert_int_equal(nva_client_tsi_del(cl, 5001, id1), 0);
	assert_int_equal(ntx, 1);		/* the Withdraw only */
	assert_int_equal(tx[0]->body_case, NVA__ENVELOPE__BODY_WITHDRAW);
	assert_non_null(nva_client_lookup(cl, 5001, &ip));
	clear();
	assert_int_equal(nva_client_tsi_del(cl, 5001, id2), 0);
	assert_int_equal(ntx, 2);
	assert_int_equal(tx[0]->body_case, NVA__ENVELOPE__BODY_UNSUBSCRIBE);
	assert_int_equal(tx[0]->unsubscribe->vn[0], 5001);
	assert_int_equal(tx[1]->body_case, NVA__ENVELOPE__BODY_WITHDRAW);
	/* its entries went, each told as withdrawn */
	assert_null(nva_client_lookup(cl, 5001, &ip));
	assert_int_equal(nva_client_fib_count(cl), 0);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].type, NVC_EV_UPDATE);
	assert_int_equal(evs[0].st, NVA_ST_WITHDRAWN);
	/* later pushes for it are not kept */
	assert_int_equal(rx_update(cl, 5001, "198.51.100.9", 12,
	    NVA__STATE__ACTIVATED, 0), 0);
	assert_int_equal(nva_client_fib_count(cl), 0);
	tsis = 0;
	nva_client_vn_walk(cl, count_vn, &tsis);
	assert_int_equal(tsis, 0);
	free_client(cl);
}

/* One VN synced with two entries at rev 10/11; returns the client UP. */
static struct nva_client *
synced_client(uint8_t id[NVA_TSI_LEN])
{
	struct nva_client *cl = make(0);
	struct nva_addr m = A("02:00:00:00:00:01");

	tsi_of("vm1", id);
	assert_int_equal(nva_client_tsi_set(cl, 5001, id, NVA_ST_ACTIVATED,
	    &m, 1, false), 0);
	bring_up(cl, 7, 0);
	assert_int_equal(rx_update(cl, 5001, "198.51.100.9", 9,
	    NVA__STATE__ACTIVATED, 0), 0);
	assert_int_equal(rx_update(cl, 5001, "198.51.100.10", 10,
	    NVA__STATE__ACTIVATED, 0), 0);
	assert_int_equal(nva_client_rev(cl), 0);	/* resync running */
	assert_int_equal(rx_syncdone(cl, 2, 5001, 10, true, 0), 0);
	assert_int_equal(nva_client_rev(cl), 10);
	assert_int_equal(rx_update(cl, 5001, "198.51.100.11", 11,
	    NVA__STATE__ACTIVATED, 0), 0);
	assert_int_equal(nva_client_rev(cl), 11);
	assert_int_equal(nva_client_fib_count(cl), 3);
	nva_client_disconnected(cl, 0, NULL);
	clear();
	return cl;
}

static void
test_resync_delta(void **state)
{
	uint8_t id[NVA_TSI_LEN];
	struct nva_client *cl = synced_client(id);

	(void)state;
	bring_up(cl, 7, 1 * SEC);
	assert_int_equal(tx[1]->body_case, NVA__ENVELOPE__BODY_SUBSCRIBE);
	assert_int_equal(tx[1]->subscribe->since_rev, 11);
	assert_int_equal(tx[1]->subscribe->epoch, 7);
	clear();
	assert_int_equal(rx_syncdone(cl, 2, 5001, 20, false, 1 * SEC), 0);
	assert_int_equal(nva_client_fib_count(cl), 3);	/* all kept */
	assert_int_equal(nva_client_rev(cl), 20);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].type, NVC_EV_SYNCED);
	assert_false(evs[0].full);
	assert_int_equal(nva_client_counters(cl)->resyncs_delta, 1);
	free_client(cl);
}

static void
test_resync_full_same_epoch(void **state)
{
	uint8_t id[NVA_TSI_LEN];
	struct nva_client *cl = synced_client(id);
	struct nva_addr a9 = A("198.51.100.9"), a10 = A("198.51.100.10");

	(void)state;
	bring_up(cl, 7, 1 * SEC);
	assert_int_equal(tx[1]->subscribe->since_rev, 11);
	clear();
	/* the NVA could not tell changes: it resends .10 (same rev) only */
	assert_int_equal(rx_update(cl, 5001, "198.51.100.10", 10,
	    NVA__STATE__ACTIVATED, 0), 0);
	assert_int_equal(nev, 0);		/* refreshed, not changed */
	assert_int_equal(rx_syncdone(cl, 2, 5001, 20, true, 0), 0);
	assert_null(nva_client_lookup(cl, 5001, &a9));
	assert_non_null(nva_client_lookup(cl, 5001, &a10));
	assert_int_equal(nva_client_fib_count(cl), 1);
	/* .9 and .11 told withdrawn, then SYNCED full */
	assert_int_equal(nev, 3);
	assert_int_equal(evs[0].st, NVA_ST_WITHDRAWN);
	assert_int_equal(evs[1].st, NVA_ST_WITHDRAWN);
	assert_int_equal(evs[2].type, NVC_EV_SYNCED);
	assert_true(evs[2].full);
	free_client(cl);
}

static void
test_resync_other_epoch(void **state)
{
	uint8_t id[NVA_TSI_LEN], id2[NVA_TSI_LEN];
	struct nva_client *cl = synced_client(id);
	struct nva_addr a9 = A("198.51.100.9"), m = A("02:00:00:00:00:05");
	const struct nvc_fib *f;

	(void)state;
	/* a VN never synced goes in the since-0 group either way */
	tsi_of("vm5", id2);
	assert_int_equal(nva_client_tsi_set(cl, 5005, id2, NVA_ST_ACTIVATED,
	    &m, 1, false), 0);
	bring_up(cl, 8, 1 * SEC);
	assert_int_equal(nva_client_epoch(cl), 8);
	assert_int_equal(nva_client_rev(cl), 0);
	assert_int_equal(tx[1]->body_case, NVA__ENVELOPE__BODY_SUBSCRIBE);
	assert_int_equal(tx[1]->subscribe->since_rev, 0);
	assert_int_equal(tx[1]->subscribe->epoch, 8);
	assert_int_equal(tx[1]->subscribe->n_vn, 2);
	assert_int_equal(tx[2]->body_case, NVA__ENVELOPE__BODY_REPORT);
	clear();
	/* revs of the new epoch are small: still applied */
	assert_int_equal(rx_update(cl, 5001, "198.51.100.9", 2,
	    NVA__STATE__ACTIVATED, 0), 0);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].rev, 2);
	assert_int_equal(rx_syncdone(cl, 2, 5001, 3, true, 0), 0);
	assert_non_null(f = nva_client_lookup(cl, 5001, &a9));
	assert_int_equal(f->rev, 2);
	assert_int_equal(nva_client_fib_count(cl), 1);
	assert_int_equal(nva_client_counters(cl)->resyncs_full, 2);
	free_client(cl);
}

static void
test_update_order(void **state)
{
	uint8_t id[NVA_TSI_LEN];
	struct nva_client *cl = synced_client(id);
	struct nva_addr a = A("198.51.100.20");
	const struct nvc_fib *f;
	uint64_t updates;

	(void)state;
	bring_up(cl, 7, 1 * SEC);
	assert_int_equal(rx_syncdone(cl, 2, 5001, 11, false, 0), 0);
	clear();
	updates = nva_client_counters(cl)->updates;
	assert_int_equal(rx_update(cl, 5001, "198.51.100.20", 30,
	    NVA__STATE__ASSOCIATED, 0), 0);
	assert_int_equal(rx_update(cl, 5001, "198.51.100.20", 29,
	    NVA__STATE__ACTIVATED, 0), 0);		/* older: ignored */
	assert_int_equal(rx_update(cl, 5001, "198.51.100.20", 30,
	    NVA__STATE__WITHDRAWN, 0), 0);		/* not newer */
	assert_non_null(f = nva_client_lookup(cl, 5001, &a));
	assert_int_equal(f->state, NVA_ST_ASSOCIATED);
	assert_int_equal(f->rev, 30);
	assert_string_equal(f->nve, "nve2");
	assert_int_equal(nev, 1);
	assert_int_equal(rx_update(cl, 5001, "198.51.100.20", 31,
	    NVA__STATE__ACTIVATED, 0), 0);
	assert_int_equal(nva_client_lookup(cl, 5001, &a)->state,
	    NVA_ST_ACTIVATED);
	assert_int_equal(rx_update(cl, 5001, "198.51.100.20", 32,
	    NVA__STATE__WITHDRAWN, 0), 0);
	assert_null(nva_client_lookup(cl, 5001, &a));
	assert_int_equal(nev, 3);
	assert_int_equal(evs[2].type, NVC_EV_UPDATE);
	assert_int_equal(evs[2].st, NVA_ST_WITHDRAWN);
	assert_int_equal(evs[2].rev, 32);
	assert_int_equal(nva_client_counters(cl)->updates, updates + 3);
	assert_int_equal(nva_client_rev(cl), 32);
	/* a broken mapping is bad, the rest of the Update still applies */
	{
		Nva__Update u = NVA__UPDATE__INIT;
		Nva__Mapping bad = NVA__MAPPING__INIT, *two[2];

		bad.vn = 5001;
		bad.addr.len = 5;
		bad.addr.data = (uint8_t *)"12345";
		two[0] = &bad;
		two[1] = mk_map(5001, "198.51.100.21", 40,
		    NVA__STATE__ACTIVATED);
		u.n_mappings = 2;
		u.mappings = two;
		assert_int_equal(rx(cl, 0, NVA__ENVELOPE__BODY_UPDATE, &u, 0),
		    0);
		assert_int_equal(nva_client_counters(cl)->rx_bad, 1);
		assert_int_equal(nva_client_rev(cl), 40);
	}
	free_client(cl);
}

static void
test_moved(void **state)
{
	struct nva_client *cl = make(0);
	struct nva_addr m = A("02:00:00:00:00:01");
	uint8_t id[NVA_TSI_LEN];
	Nva__Moved mv = NVA__MOVED__INIT;

	(void)state;
	tsi_of("vm1", id);
	assert_int_equal(nva_client_tsi_set(cl, 5001, id, NVA_ST_ACTIVATED,
	    &m, 1, false), 0);
	bring_up(cl, 7, 0);
	clear();
	mv.mapping = mk_map(5001, "02:00:00:00:00:01", 12,
	    NVA__STATE__ACTIVATED);
	mv.from_nve = (char *)"nve1";
	assert_int_equal(rx(cl, 0, NVA__ENVELOPE__BODY_MOVED, &mv, 0), 0);
	assert_int_equal(nev, 2);
	assert_int_equal(evs[0].type, NVC_EV_UPDATE);
	assert_int_equal(evs[1].type, NVC_EV_MOVED);
	assert_true(evs[1].has_fib);
	assert_string_equal(evs[1].text, "nve1");
	assert_string_equal(nva_client_lookup(cl, 5001, &m)->nve, "nve2");
	assert_int_equal(nva_client_counters(cl)->moved, 1);
	/* no mapping: bad */
	mv.mapping = NULL;
	assert_int_equal(rx(cl, 0, NVA__ENVELOPE__BODY_MOVED, &mv, 0), 0);
	assert_int_equal(nva_client_counters(cl)->rx_bad, 1);
	assert_int_equal(nev, 2);
	free_client(cl);
}

static void
test_query(void **state)
{
	struct nva_client *cl = make(10000);
	struct nva_addr a = A("198.51.100.60");
	Nva__Answer an = NVA__ANSWER__INIT;
	uint64_t x1, x2;

	(void)state;
	assert_int_equal(nva_client_query(cl, 6000, &a, 1, 0), -ENOTCONN);
	bring_up(cl, 7, 0);
	assert_int_equal(nva_client_query(cl, 0, &a, 1, 0), -EINVAL);
	clear();
	assert_int_equal(nva_client_query(cl, 6000, &a, 1, 1 * SEC), 0);
	assert_int_equal(nva_client_query(cl, 6000, &a, 2, 2 * SEC), 0);
	assert_int_equal(ntx, 2);
	assert_int_equal(tx[0]->body_case, NVA__ENVELOPE__BODY_QUERY);
	assert_int_equal(tx[0]->query->vn, 6000);
	x1 = tx[0]->xid;
	x2 = tx[1]->xid;
	assert_int_equal(nva_client_next(cl), 3 * SEC);
	/* answered (VN not subscribed: passed on, not kept) */
	an.n_mappings = 1;
	an.mappings = &mapp;
	mk_map(6000, "198.51.100.60", 5, NVA__STATE__ACTIVATED);
	assert_int_equal(rx(cl, x1, NVA__ENVELOPE__BODY_ANSWER, &an,
	    1 * SEC), 0);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].type, NVC_EV_ANSWER);
	assert_int_equal(evs[0].token, 1);
	assert_true(evs[0].has_fib);
	assert_int_equal(nva_client_fib_count(cl), 0);
	assert_int_equal(nva_client_next(cl), 4 * SEC);
	/* the second times out */
	assert_int_equal(nva_client_tick(cl, 4 * SEC - 1), 0);
	assert_int_equal(nev, 1);
	assert_int_equal(nva_client_tick(cl, 4 * SEC), 0);
	assert_int_equal(nev, 2);
	assert_int_equal(evs[1].type, NVC_EV_ANSWER);
	assert_int_equal(evs[1].token, 2);
	assert_false(evs[1].has_fib);
	assert_int_equal(evs[1].code, NVA_INTERNAL);
	assert_string_equal(evs[1].text, "timeout");
	assert_int_equal(nva_client_counters(cl)->query_timeouts, 1);
	/* its late answer: unknown xid, dropped */
	assert_int_equal(rx(cl, x2, NVA__ENVELOPE__BODY_ANSWER, &an,
	    4 * SEC), 0);
	assert_int_equal(nev, 2);
	assert_int_equal(nva_client_counters(cl)->rx_bad, 1);
	/* an empty answer: unknown */
	clear();
	assert_int_equal(nva_client_query(cl, 6000, &a, 3, 4 * SEC), 0);
	an.n_mappings = 0;
	assert_int_equal(rx(cl, tx[0]->xid, NVA__ENVELOPE__BODY_ANSWER, &an,
	    4 * SEC), 0);
	assert_int_equal(nev, 1);
	assert_false(evs[0].has_fib);
	assert_int_equal(evs[0].code, NVA_NOT_FOUND);
	assert_int_equal(nva_client_counters(cl)->answers, 2);
	free_client(cl);
}

static void
test_keepalive(void **state)
{
	struct nva_client *cl = make(0);
	Nva__KeepAlive k = NVA__KEEP_ALIVE__INIT;
	uint64_t t0 = 100 * SEC;

	(void)state;
	assert_int_equal(nva_client_tick(cl, t0), NVC_ACT_CONNECT);
	nva_client_connected(cl, t0);
	assert_int_equal(rx_welcome(cl, 7, 1000, t0), 0);
	clear();
	assert_int_equal(nva_client_next(cl), t0 + 1 * SEC);
	assert_int_equal(nva_client_tick(cl, t0 + 999 * MS), 0);
	assert_int_equal(ntx, 0);
	assert_int_equal(nva_client_tick(cl, t0 + 1 * SEC), 0);
	assert_int_equal(ntx, 1);
	assert_int_equal(tx[0]->body_case, NVA__ENVELOPE__BODY_KEEPALIVE);
	assert_int_equal(tx[0]->xid, 0);
	assert_int_equal(nva_client_tick(cl, t0 + 2 * SEC), 0);
	assert_int_equal(ntx, 2);
	/* any message is life */
	assert_int_equal(rx(cl, 0, NVA__ENVELOPE__BODY_KEEPALIVE, &k,
	    t0 + 2500 * MS), 0);
	assert_int_equal(nva_client_tick(cl, t0 + 5499 * MS), 0);
	assert_int_equal(nva_client_state(cl), NVC_UP);
	assert_int_equal(nva_client_next(cl), t0 + 5500 * MS);
	assert_int_equal(nva_client_tick(cl, t0 + 5500 * MS), NVC_ACT_CLOSE);
	assert_int_equal(nva_client_state(cl), NVC_DOWN);
	assert_int_equal(nva_client_counters(cl)->ka_lost, 1);
	assert_int_equal(evs[nev - 1].type, NVC_EV_DOWN);
	assert_string_equal(evs[nev - 1].text, "keep-alive lost");
	/* the caller's disconnected() after our CLOSE changes nothing */
	nva_client_disconnected(cl, t0 + 5500 * MS, NULL);
	assert_int_equal(nva_client_next(cl), t0 + 6500 * MS);
	free_client(cl);
}

static void
test_backoff(void **state)
{
	struct nva_client *cl = make(0);
	uint64_t t = 0, want[] = { 1, 2, 4, 8, 8 };
	unsigned i;

	(void)state;
	for (i = 0; i < 5; i++) {
		assert_int_equal(nva_client_tick(cl, t), NVC_ACT_CONNECT);
		nva_client_disconnected(cl, t, "refused");
		assert_int_equal(nva_client_next(cl), t + want[i] * SEC);
		assert_int_equal(nva_client_tick(cl, t + want[i] * SEC - 1),
		    0);
		t += want[i] * SEC;
	}
	/* a silent NVA: hello timeout counts as a failure too */
	assert_int_equal(nva_client_tick(cl, t), NVC_ACT_CONNECT);
	nva_client_connected(cl, t);
	assert_int_equal(nva_client_tick(cl, t + 5 * SEC), NVC_ACT_CLOSE);
	assert_int_equal(nva_client_counters(cl)->hello_fail, 1);
	t += 5 * SEC;
	assert_int_equal(nva_client_next(cl), t + 8 * SEC);
	t += 8 * SEC;
	/* a session reached UP: back to 1 s, then doubling again */
	bring_up(cl, 7, t);
	nva_client_disconnected(cl, t, NULL);
	assert_int_equal(nva_client_next(cl), t + 1 * SEC);
	t += 1 * SEC;
	assert_int_equal(nva_client_tick(cl, t), NVC_ACT_CONNECT);
	nva_client_disconnected(cl, t, NULL);
	assert_int_equal(nva_client_next(cl), t + 2 * SEC);
	assert_int_equal(nva_client_counters(cl)->connects, 8);
	free_client(cl);
}

static void
test_hello_refused_and_bad_input(void **state)
{
	struct nva_client *cl = make(0);
	Nva__KeepAlive k = NVA__KEEP_ALIVE__INIT;
	Nva__Hello h = NVA__HELLO__INIT;
	const struct nvc_counters *c = nva_client_counters(cl);

	(void)state;
	/* DOWN: input is ignored, not even counted */
	assert_int_equal(rx(cl, 0, NVA__ENVELOPE__BODY_KEEPALIVE, &k, 0), 0);
	assert_int_equal(c->rx_msgs, 0);
	assert_int_equal(nva_client_tick(cl, 0), NVC_ACT_CONNECT);
	nva_client_connected(cl, 0);
	/* HELLO: a KeepAlive is bad, an Error closes */
	assert_int_equal(rx(cl, 0, NVA__ENVELOPE__BODY_KEEPALIVE, &k, 0), 0);
	assert_int_equal(c->rx_bad, 1);
	assert_int_equal(nva_client_state(cl), NVC_HELLO);
	assert_int_equal(rx_error(cl, 1, NVA__CODE__NAME_MISMATCH, 0),
	    NVC_ACT_CLOSE);
	assert_int_equal(nva_client_state(cl), NVC_DOWN);
	assert_int_equal(c->hello_fail, 1);
	assert_int_equal(evs[0].type, NVC_EV_ERROR);
	assert_int_equal(evs[0].code, NVA_NAME_MISMATCH);
	assert_int_equal(evs[1].type, NVC_EV_DOWN);
	bring_up(cl, 7, 1 * SEC);
	/* UP: a message only NVEs send, a second Welcome, unknown xids */
	assert_int_equal(rx(cl, 0, NVA__ENVELOPE__BODY_HELLO, &h, 0), 0);
	assert_int_equal(rx_welcome(cl, 7, 0, 0), 0);
	assert_int_equal(rx_ack(cl, 77, 0), 0);
	assert_int_equal(rx_ack(cl, 0, 0), 0);
	assert_int_equal(rx_syncdone(cl, 77, 5001, 1, true, 0), 0);
	assert_int_equal(c->rx_bad, 6);
	assert_int_equal(nva_client_state(cl), NVC_UP);
	/* an Error of the session that is not fatal, then a fatal one */
	nev = 0;
	assert_int_equal(rx_error(cl, 0, NVA__CODE__MALFORMED, 0), 0);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].type, NVC_EV_ERROR);
	assert_int_equal(rx_error(cl, 0, NVA__CODE__NOT_REGISTERED, 0),
	    NVC_ACT_CLOSE);
	assert_int_equal(nva_client_state(cl), NVC_DOWN);
	free_client(cl);
}

static void
test_requests_end_with_session(void **state)
{
	struct nva_client *cl = make(0);
	struct nva_addr ip = A("198.51.100.5"), p = A("198.51.100.0");
	struct nva_addr bad = A("02:00:00:00:00:05");
	const uint8_t macs[1][6] = { { 2, 0, 0, 0, 0, 5 } };
	uint8_t id[NVA_TSI_LEN];
	Nva__Verdict v = NVA__VERDICT__INIT;

	(void)state;
	tsi_of("vm9", id);
	assert_int_equal(nva_client_audit(cl, 5001, &ip, macs, 1, 1),
	    -ENOTCONN);
	assert_int_equal(nva_client_authorize(cl, 5001, id, &ip, 1, 2, 0),
	    -ENOTCONN);
	assert_int_equal(nva_client_subnet(cl, 5001, &p, 24, true), 0);
	assert_int_equal(nva_client_subnet(cl, 5001, &p, 23, true), 0);
	assert_int_equal(nva_client_subnet(cl, 5001, &ip, 24, true),
	    -EINVAL);				/* host bits */
	assert_int_equal(nva_client_subnet(cl, 5001, &p, 33, true), -EINVAL);
	assert_int_equal(nva_client_subnet(cl, 0, &p, 24, true), -EINVAL);
	bring_up(cl, 7, 0);
	assert_int_equal(ntx, 3);		/* Hello, two Subnets */
	assert_int_equal(tx[1]->body_case, NVA__ENVELOPE__BODY_SUBNET);
	assert_true(tx[1]->subnet->attach);
	assert_int_equal(tx[1]->subnet->plen, 24);
	clear();
	assert_int_equal(nva_client_audit(cl, 5001, &bad, macs, 1, 1),
	    -EINVAL);
	assert_int_equal(nva_client_audit(cl, 5001, &ip, macs, 0, 1),
	    -EINVAL);
	assert_int_equal(nva_client_audit(cl, 5001, &ip, macs, 1, 1), 0);
	assert_int_equal(tx[0]->audit->n_entries, 1);
	assert_int_equal(tx[0]->audit->entries[0]->mac.len, 6);
	assert_int_equal(nva_client_authorize(cl, 5001, id, &ip, 1, 2, 0), 0);
	assert_int_equal(nva_client_authorize(cl, 5001, id, &ip, 1, 3, 0), 0);
	v.allow = 1;
	assert_int_equal(rx(cl, tx[1]->xid, NVA__ENVELOPE__BODY_VERDICT, &v,
	    0), 0);
	assert_int_equal(evs[0].type, NVC_EV_VERDICT);
	assert_true(evs[0].allow);
	assert_int_equal(evs[0].token, 2);
	assert_true(evs[0].answered);
	nev = 0;
	nva_client_disconnected(cl, 0, "reset");
	assert_int_equal(nev, 3);		/* audit, verdict, DOWN */
	assert_int_equal(evs[0].type, NVC_EV_ERROR);
	assert_int_equal(evs[0].token, 1);
	assert_int_equal(evs[1].type, NVC_EV_VERDICT);
	assert_false(evs[1].allow);
	assert_int_equal(evs[1].token, 3);
	assert_int_equal(evs[1].code, NVA_INTERNAL);
	assert_false(evs[1].answered);
	assert_int_equal(evs[2].type, NVC_EV_DOWN);
	assert_string_equal(evs[2].text, "reset");
	/* a detach while DOWN goes out after the reconnect */
	assert_int_equal(nva_client_subnet(cl, 5001, &p, 23, false), 0);
	clear();
	bring_up(cl, 7, 1 * SEC);
	assert_int_equal(ntx, 3);
	assert_true(tx[1]->subnet->attach);
	assert_false(tx[2]->subnet->attach);
	assert_int_equal(tx[2]->subnet->plen, 23);
	free_client(cl);
}

/* An Error answering an Authorize is a verdict nobody gave. */
static void
test_authorize_error(void **state)
{
	struct nva_client *cl = make(0);
	struct nva_addr ip = A("198.51.100.5");
	uint8_t id[NVA_TSI_LEN];
	Nva__Verdict v = NVA__VERDICT__INIT;

	(void)state;
	tsi_of("vm9", id);
	bring_up(cl, 7, 0);
	clear();
	assert_int_equal(nva_client_authorize(cl, 5001, id, &ip, 1, 8, 0), 0);
	assert_int_equal(nva_client_authorize(cl, 5001, id, &ip, 1, 9, 0), 0);
	assert_int_equal(tx[0]->body_case, NVA__ENVELOPE__BODY_AUTHORIZE);
	assert_int_equal(rx_error(cl, tx[0]->xid, NVA__CODE__STORE, 0), 0);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].type, NVC_EV_VERDICT);
	assert_int_equal(evs[0].token, 8);
	assert_false(evs[0].allow);
	assert_false(evs[0].answered);
	assert_int_equal(evs[0].code, NVA_STORE);
	/* a refusing Verdict is answered */
	v.allow = 0;
	v.code = NVA__CODE__VN_REFUSED;
	v.reason = (char *)"not for nve1";
	assert_int_equal(rx(cl, tx[1]->xid, NVA__ENVELOPE__BODY_VERDICT, &v,
	    0), 0);
	assert_int_equal(nev, 2);
	assert_int_equal(evs[1].token, 9);
	assert_false(evs[1].allow);
	assert_true(evs[1].answered);
	assert_int_equal(evs[1].code, NVA_VN_REFUSED);
	assert_string_equal(evs[1].text, "not for nve1");
	free_client(cl);
}

/* The Report's xid after a tick at now; checks that one Report left. */
static uint64_t
report_sent_at(struct nva_client *cl, uint64_t now)
{
	uint64_t xid;

	clear();
	assert_int_equal(nva_client_tick(cl, now), 0);
	assert_int_equal(ntx, 1);
	assert_int_equal(tx[0]->body_case, NVA__ENVELOPE__BODY_REPORT);
	xid = tx[0]->xid;
	clear();
	return xid;
}

static void
test_conflict_report(void **state)
{
	struct nva_client *cl = make(10000);
	struct nva_addr a[2] = { A("02:00:00:00:00:01"), A("198.51.100.1") };
	struct nva_addr b[2] = { A("02:00:00:00:00:01"), A("198.51.100.2") };
	uint8_t id[NVA_TSI_LEN];
	uint64_t xid, now = 0, delay = NVC_CONFLICT_DELAY_US;
	unsigned i;

	(void)state;
	tsi_of("vm1", id);
	bring_up(cl, 7, 0);
	clear();
	assert_int_equal(nva_client_tsi_set(cl, 5001, id, NVA_ST_ACTIVATED,
	    a, 2, false), 0);
	assert_int_equal(ntx, 2);		/* Subscribe, Report */
	xid = tx[1]->xid;
	clear();
	/* NVC_CONFLICT_TRIES retries at 20, 40, 80, ... ms, no event */
	for (i = 0; i < NVC_CONFLICT_TRIES; i++) {
		assert_int_equal(rx_error(cl, xid, NVA__CODE__CONFLICT, now),
		    0);
		assert_int_equal(nev, 0);
		assert_int_equal(ntx, 0);
		assert_int_equal(nva_client_next(cl), now + delay);
		assert_int_equal(nva_client_tick(cl, now + delay - 1), 0);
		assert_int_equal(ntx, 0);
		now += delay;
		xid = report_sent_at(cl, now);
		delay *= 2;
	}
	assert_int_equal(nva_client_counters(cl)->conflict_retries,
	    NVC_CONFLICT_TRIES);
	assert_int_equal(nva_client_counters(cl)->refused, 0);
	/* the next CONFLICT gives up: one ERROR, nothing waits */
	assert_int_equal(rx_error(cl, xid, NVA__CODE__CONFLICT, now), 0);
	assert_int_equal(nev, 1);
	assert_int_equal(evs[0].type, NVC_EV_ERROR);
	assert_int_equal(evs[0].code, NVA_CONFLICT);
	assert_int_equal(evs[0].vn, 5001);
	assert_true(evs[0].has_tsi);
	assert_int_equal(nva_client_counters(cl)->conflict_giveups, 1);
	assert_int_equal(nva_client_next(cl), 10 * SEC);	/* keep-alive */
	assert_int_equal(nva_client_tick(cl, now + 5 * SEC), 0);
	assert_int_equal(ntx, 0);
	clear();
	/* a change sends the current state; a CONFLICT on the Report it
	 * made stale does nothing */
	assert_int_equal(nva_client_tsi_set(cl, 5001, id, NVA_ST_ACTIVATED,
	    b, 2, false), 0);
	assert_int_equal(ntx, 2);		/* Withdraw .1, Report .2 */
	xid = tx[1]->xid;
	clear();
	assert_int_equal(nva_client_tsi_set(cl, 5001, id, NVA_ST_ASSOCIATED,
	    b, 2, false), 0);
	assert_int_equal(ntx, 1);
	assert_int_equal(rx_error(cl, xid, NVA__CODE__CONFLICT, now), 0);
	assert_int_equal(nva_client_next(cl), 10 * SEC);	/* keep-alive */
	/* its Ack ends the streak: the next CONFLICT waits 20 ms again */
	assert_int_equal(rx_ack(cl, tx[0]->xid, now), 0);
	xid = tx[0]->xid;
	clear();
	assert_int_equal(nva_client_tsi_set(cl, 5001, id, NVA_ST_ACTIVATED,
	    b, 2, false), 0);
	assert_int_equal(rx_error(cl, tx[0]->xid, NVA__CODE__CONFLICT, now),
	    0);
	assert_int_equal(nva_client_next(cl), now + NVC_CONFLICT_DELAY_US);
	/* a reconnect drops the retry; Welcome sends the Report */
	nva_client_disconnected(cl, now, "reset");
	clear();
	bring_up(cl, 7, now + 2 * SEC);
	/* Hello, Subscribe, the Withdraw of .1 never acknowledged, Report */
	assert_int_equal(ntx, 4);
	assert_int_equal(tx[2]->body_case, NVA__ENVELOPE__BODY_WITHDRAW);
	assert_int_equal(tx[3]->body_case, NVA__ENVELOPE__BODY_REPORT);
	clear();
	assert_int_equal(nva_client_tick(cl, now + 2 * SEC +
	    NVC_CONFLICT_DELAY_US), 0);
	assert_int_equal(ntx, 0);
	(void)xid;
	free_client(cl);
}

/* A Withdraw met by CONFLICT: its addresses are withdrawn again. */
static void
test_conflict_withdraw(void **state)
{
	struct nva_client *cl = make(10000);
	struct nva_addr a[2] = { A("02:00:00:00:00:01"), A("198.51.100.1") };
	uint8_t id[NVA_TSI_LEN];
	uint64_t xid;

	(void)state;
	tsi_of("vm1", id);
	bring_up(cl, 7, 0);
	assert_int_equal(nva_client_tsi_set(cl, 5001, id, NVA_ST_ACTIVATED,
	    a, 2, false), 0);
	assert_int_equal(rx_ack(cl, tx[ntx - 1]->xid, 0), 0);
	clear();
	assert_int_equal(nva_client_tsi_del(cl, 5001, id), 0);
	assert_int_equal(ntx, 2);		/* Unsubscribe, Withdraw */
	assert_int_equal(tx[1]->body_case, NVA__ENVELOPE__BODY_WITHDRAW);
	xid = tx[1]->xid;
	clear();
	assert_int_equal(rx_error(cl, xid, NVA__CODE__CONFLICT, 0), 0);
	assert_int_equal(nev, 0);
	assert_int_equal(nva_client_tick(cl, NVC_CONFLICT_DELAY_US), 0);
	assert_int_equal(ntx, 1);		/* only the Withdraw */
	assert_int_equal(tx[0]->body_case, NVA__ENVELOPE__BODY_WITHDRAW);
	assert_int_equal(tx[0]->withdraw->n_addrs, 2);
	xid = tx[0]->xid;
	clear();
	/* the TSI lives on until that Withdraw is acknowledged: deleting
	 * it again says it is gone */
	assert_int_equal(nva_client_tsi_del(cl, 5001, id), -ENOENT);
	assert_int_equal(rx_ack(cl, xid, NVC_CONFLICT_DELAY_US), 0);
	assert_int_equal(nva_client_tick(cl, 1 * SEC), 0);
	assert_int_equal(ntx, 0);
	/* gone now: a reconnect sends nothing for it */
	nva_client_disconnected(cl, 1 * SEC, NULL);
	bring_up(cl, 7, 3 * SEC);
	assert_int_equal(ntx, 1);		/* Hello */
	free_client(cl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_checks),
		cmocka_unit_test(test_hello_welcome_subscribe),
		cmocka_unit_test(test_reports_withdraw_reconnect),
		cmocka_unit_test(test_unacked_report_withdrawn_after_reconnect),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_tsi_args),
		cmocka_unit_test(test_subscription_refcount),
		cmocka_unit_test(test_resync_delta),
		cmocka_unit_test(test_resync_full_same_epoch),
		cmocka_unit_test(test_resync_other_epoch),
		cmocka_unit_test(test_update_order),
		cmocka_unit_test(test_moved),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_hello_refused_and_bad_input),
		cmocka_unit_test(test_requests_end_with_session),
		cmocka_unit_test(test_authorize_error),
		cmocka_unit_test(test_conflict_report),
		cmocka_unit_test(test_conflict_withdraw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
