/*
 * nva_client.c - the NVE side of the NVA protocol (nva_client.h): the
 * session machine (connect, Hello, Welcome, keep-alive, backoff), the
 * requests waiting for an answer and the answers to them.  Its
 * neighbours: nva_client_tsi.c (the TSI reports and withdrawals nnved
 * owes the NVA) and nva_client_fib.c (the VN subscriptions that follow
 * the TSIs and the local copy of the subscribed part of the directory,
 * the "fib"); nva_client_priv.h holds what the three share.
 *
 * Runs in the thread of its caller (nnved's control loop, nnved/nva.c).
 * Pure: no I/O, no clock (every entry point takes "now" in µs, or does
 * not need it), no logging; frames leave through cbs->send, news through
 * cbs->event.  Neither callback may call back into the machine.  Relies
 * on nva.h (nva_encode, nva_addr_from, nva_addr_eq) and util/hash.
 *
 * Session machine (one switch, sm_step()):
 *
 *          +--------------------- RETRY_DUE ----------------------+
 *          |                     [ACT_CONNECT]                    v
 *     +--------+   DISCONNECTED, HELLO_TIMEOUT [ACT_CLOSE]   +------------+
 *     |  DOWN  | <------------------------------------------ | CONNECTING |
 *     +--------+                                             +------------+
 *       ^    ^       DISCONNECTED, REFUSED, HELLO_TIMEOUT         | CONNECTED
 *       |    |       [ACT_CLOSE but DISCONNECTED]                 v (Hello)
 *       |    +------------------------------------------------ +-------+
 *       |                                                      | HELLO |
 *       |  DISCONNECTED, KA_LOST, FATAL [ACT_CLOSE]            +-------+
 *       |                 +------+                               | WELCOME
 *       +---------------- |  UP  | <-----------------------------+
 *                         +------+
 *
 * Transitions:
 *   DOWN       + RETRY_DUE    -> CONNECTING  sm_step        ACT_CONNECT
 *   CONNECTING + CONNECTED    -> HELLO       send_hello()
 *   CONNECTING + DISCONNECTED -> DOWN        go_down()      backoff doubles
 *   CONNECTING + HELLO_TIMEOUT-> DOWN        go_down()      ACT_CLOSE
 *   HELLO      + WELCOME      -> UP          on_welcome()   Subscribes,
 *                                                           Withdraws, Reports
 *   HELLO      + REFUSED      -> DOWN        go_down()      ACT_CLOSE
 *   HELLO      + HELLO_TIMEOUT-> DOWN        go_down()      ACT_CLOSE
 *   HELLO      + DISCONNECTED -> DOWN        go_down()
 *   UP         + KA_LOST      -> DOWN        go_down()      ACT_CLOSE
 *   UP         + FATAL        -> DOWN        go_down()      ACT_CLOSE
 *   UP         + DISCONNECTED -> DOWN        go_down()      backoff reset
 *   anything else: ignored (e.g. DISCONNECTED after our own ACT_CLOSE).
 * The hello deadline runs from ACT_CONNECT (TCP and TLS included) and
 * again from CONNECTED; going DOWN waits the backoff, which starts at
 * retry_min, doubles after each attempt up to retry_max, and restarts
 * at retry_min once a session reached UP.
 *
 * Requests: xids count up from 1 per connection.  Everything that
 * expects an answer is queued in xid order (struct req) and found by
 * the answer's xid anywhere in the queue (nvad acknowledges Reports
 * after its store commit, so a Query may be answered first):
 *   Report, Withdraw, Unsubscribe, Subnet  -> Ack or Error
 *   Subscribe                              -> Updates, SyncDone or Error
 *   Query -> Answer or Error; Audit -> AuditResult or Error;
 *   Authorize -> Verdict or Error; Hello -> Welcome or Error (by state).
 * An answer nobody waits for is counted in rx_bad and dropped.  When the
 * connection goes, waiting Queries, Audits and Authorizes end at once
 * (code INTERNAL, "disconnected").
 *
 * TSIs: each keeps what the caller wants (state, addresses) and "held",
 * the addresses the NVA may hold for us: an address enters held when a
 * Report naming it is SENT (pessimistic: it may have been applied even
 * if the Ack never comes) and leaves when the Withdraw naming it is
 * acknowledged, or when the Report that added it is refused.  Sending a
 * TSI is: Withdraw (held minus wanted, in chunks of NVA_ADDRS_MAX)
 * first, then Report.  An address another live TSI of the VN wants is
 * never withdrawn (it left one TSI for another).  A deleted TSI lives on
 * until its withdrawals are acknowledged, across reconnects.  After a
 * Welcome every TSI is sent again; a refused one only when the caller
 * changes it.  For an IP address the Report carries the TSI's MAC when
 * the TSI has exactly one MAC.
 *
 * CONFLICT (several NVA instances share one store; another one changed
 * the address between nvad's read and its commit) answering a Report or
 * Withdraw is not a refusal: the request may or may not have been
 * applied, so its addresses stay held (a Withdraw's are owed again) and
 * the TSI is marked dirty again after 20 ms, 40 ms, ... (NVC_CONFLICT_*,
 * cl->retry; nva_client_tick sends what is due, nva_client_next counts
 * it), which sends its CURRENT state: the Report of what it wants now,
 * or only the Withdraws when it is gone.  A CONFLICT on a Report older
 * than the TSI's last change needs nothing (the newer Report is on its
 * way).  Any flush of the TSI is the retry; an Ack of its current
 * Report with no retry waiting ends the streak.  After
 * NVC_CONFLICT_TRIES retries met CONFLICT the client gives up
 * (NVC_EV_ERROR, code CONFLICT) until the TSI changes or a new session
 * sends everything again.  Retries die with the session.
 *
 * Resync: at Welcome, every fib entry is marked stale and the VNs are
 * subscribed in two groups: synced before under this same epoch (since
 * the newest rev seen), and the rest (since 0).  An Update refreshes an
 * entry (not stale any more); at SyncDone the entries of its VNs still
 * stale are dropped if full is set, kept otherwise.  The newest rev only
 * moves with Updates while no Subscribe is pending (a resync is not in
 * rev order) and with SyncDone.rev.  A new epoch zeroes every rev held.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nva/nva_client_priv.h"

#define KA_DEFAULT_MS		3000
#define RETRY_MIN_DEFAULT	(1000ULL * 1000)
#define RETRY_MAX_DEFAULT	(60ULL * 1000 * 1000)
#define HELLO_TIMEOUT_DEFAULT	(10ULL * 1000 * 1000)
#define QUERY_TIMEOUT_DEFAULT	(2ULL * 1000 * 1000)
#define KA_MISSES		3	/* periods of silence before giving up */

const char *const nvc_state_names[NVC_STATE_COUNT] = {
	[NVC_DOWN] = "DOWN",
	[NVC_CONNECTING] = "CONNECTING",
	[NVC_HELLO] = "HELLO",
	[NVC_UP] = "UP",
};

/* Session machine events (sm_step). */
enum sm_ev {
	SE_RETRY_DUE,
	SE_CONNECTED,
	SE_DISCONNECTED,
	SE_WELCOME,
	SE_REFUSED,
	SE_HELLO_TIMEOUT,
	SE_KA_LOST,
	SE_FATAL,
	SE_COUNT
};
static const char *const sm_ev_names[SE_COUNT] = {
	[SE_RETRY_DUE] = "retry due",
	[SE_CONNECTED] = "connected",
	[SE_DISCONNECTED] = "disconnected",
	[SE_WELCOME] = "welcome",
	[SE_REFUSED] = "refused",
	[SE_HELLO_TIMEOUT] = "hello timeout",
	[SE_KA_LOST] = "keep-alive lost",
	[SE_FATAL] = "fatal error",
};

static int	sm_step(struct nva_client *, enum sm_ev, uint64_t,
		    const Nva__Envelope *, const char *);

/* ---- small helpers --------------------------------------------------- */

/* 0, or -EINVAL for a NULL list, a bad length or a duplicate. */
int
nvc_check_addrs(const struct nva_addr *a, size_t n, size_t max)
{
	size_t i;

	if (n > max || (n > 0 && a == NULL))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!nvc_addr_ok(&a[i]) || nvc_addr_in(&a[i], a, (unsigned)i))
			return -EINVAL;
	return 0;
}

/* ---- sending --------------------------------------------------------- */

int
nvc_send_env(struct nva_client *cl, Nva__Envelope *e)
{
	size_t need = nva_frame_size(e);
	ssize_t n;
	int rc;

	if (need > cl->bufcap) {
		size_t cap = cl->bufcap ? cl->bufcap : 256;
		uint8_t *p;

		while (cap < need)
			cap *= 2;
		if ((p = realloc(cl->buf, cap)) == NULL)
			return -ENOMEM;
		cl->buf = p;
		cl->bufcap = cap;
	}
	if ((n = nva_encode(e, cl->buf, cl->bufcap)) < 0)
		return (int)n;
	if ((rc = cl->cbs.send(cl->arg, cl->buf, (size_t)n)) == 0)
		cl->cnt.tx_msgs++;
	return rc;
}

/* A request in the queue with the next xid; e->xid is set. */
struct req *
nvc_req_new(struct nva_client *cl, enum req_kind kind, Nva__Envelope *e)
{
	struct req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->kind = kind;
	r->xid = e->xid = ++cl->xid;
	list_init(&r->qlink);
	list_push(&cl->reqs, &r->link);
	return r;
}

void
nvc_req_free(struct req *r)
{
	list_del(&r->link);
	list_del(&r->qlink);
	free(r->vns);
	free(r);
}


/*
 * Fills n Address messages from a (IP addresses carry mac when it is
 * not NULL) and the pointer array the repeated field wants.
 */
void
nvc_fill_addrs(const struct nva_addr *a, unsigned n, const uint8_t *mac,
    Nva__Address *obj, Nva__Address **ptr)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		nva__address__init(&obj[i]);
		obj[i].addr = nvc_bin(a[i].a, a[i].len);
		if (mac != NULL && a[i].len != 6)
			obj[i].mac = nvc_bin(mac, 6);
		ptr[i] = &obj[i];
	}
}

/* The one MAC of a list, or NULL when it has none or several. */
const uint8_t *
nvc_sole_mac(const struct nva_addr *a, unsigned n)
{
	const uint8_t *mac = NULL;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (a[i].len != 6)
			continue;
		if (mac != NULL)
			return NULL;
		mac = a[i].a;
	}
	return mac;
}

static void
send_hello(struct nva_client *cl)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Hello h = NVA__HELLO__INIT;
	ProtobufCBinaryData u[NVA_UNDERLAY_MAX];
	unsigned i;

	for (i = 0; i < cl->conf.nunderlay; i++)
		u[i] = nvc_bin(cl->conf.underlay[i].a, cl->conf.underlay[i].len);
	h.nve = cl->conf.nve;
	h.n_underlay = cl->conf.nunderlay;
	h.underlay = u;
	h.keepalive_ms = cl->conf.keepalive_ms;
	e.xid = ++cl->xid;
	e.body_case = NVA__ENVELOPE__BODY_HELLO;
	e.hello = &h;
	nvc_send_env(cl, &e);
}

static void
send_keepalive(struct nva_client *cl)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__KeepAlive k = NVA__KEEP_ALIVE__INIT;

	k.rev = cl->rev;
	e.body_case = NVA__ENVELOPE__BODY_KEEPALIVE;
	e.keepalive = &k;
	nvc_send_env(cl, &e);
}

/* Subscribe (or Unsubscribe) for vns, in chunks the NVA accepts. */
void
nvc_send_vnlist(struct nva_client *cl, bool sub, const uint32_t *vns, size_t n,
    uint64_t since)
{
	size_t off, k;

	for (off = 0; off < n; off += k) {
		Nva__Envelope e = NVA__ENVELOPE__INIT;
		Nva__Subscribe s = NVA__SUBSCRIBE__INIT;
		Nva__Unsubscribe u = NVA__UNSUBSCRIBE__INIT;
		struct req *r;

		k = n - off < NVA_VNLIST_MAX ? n - off : NVA_VNLIST_MAX;
		if ((r = nvc_req_new(cl, sub ? RQ_SUBSCRIBE : RQ_UNSUBSCRIBE,
		    &e)) == NULL)
			return;
		if (sub) {
			if ((r->vns = malloc(k * sizeof(*r->vns))) == NULL) {
				nvc_req_free(r);
				return;
			}
			memcpy(r->vns, vns + off, k * sizeof(*r->vns));
			r->nvns = k;
			s.n_vn = k;
			s.vn = r->vns;
			s.since_rev = since;
			s.epoch = cl->epoch;
			e.body_case = NVA__ENVELOPE__BODY_SUBSCRIBE;
			e.subscribe = &s;
			cl->subs_pending++;
		} else {
			u.n_vn = k;
			u.vn = (uint32_t *)(uintptr_t)(vns + off);
			e.body_case = NVA__ENVELOPE__BODY_UNSUBSCRIBE;
			e.unsubscribe = &u;
		}
		nvc_send_env(cl, &e);
	}
}

static void
send_subnet(struct nva_client *cl, struct subnet_ent *s)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Subnet m = NVA__SUBNET__INIT;
	struct req *r;

	if ((r = nvc_req_new(cl, RQ_SUBNET, &e)) == NULL)
		return;
	r->vn = s->vn;
	r->addr = s->prefix;
	r->plen = s->plen;
	r->attach = s->attach;
	m.vn = s->vn;
	m.prefix = nvc_bin(s->prefix.a, s->prefix.len);
	m.plen = s->plen;
	m.attach = s->attach;
	e.body_case = NVA__ENVELOPE__BODY_SUBNET;
	e.subnet = &m;
	nvc_send_env(cl, &e);
	s->dirty = false;
}

/* ---- TSIs: held addresses, withdrawals, reports ---------------------- */

/* ---- VNs and the local copy ------------------------------------------ */

/* ---- the session machine --------------------------------------------- */

/* Ends every waiting request; the NVA will not answer them now. */
static void
fail_requests(struct nva_client *cl)
{
	struct nvc_ev ev;

	while (!list_empty(&cl->reqs)) {
		struct req *r = LINK_OWNER(cl->reqs.next, struct req, link);

		memset(&ev, 0, sizeof(ev));
		ev.vn = r->vn;
		ev.token = r->token;
		ev.code = NVA_INTERNAL;
		ev.text = "disconnected";
		switch (r->kind) {
		case RQ_QUERY:
			ev.type = NVC_EV_ANSWER;
			ev.addr = r->addr;
			nvc_emit(cl, &ev);
			break;
		case RQ_AUDIT:
			ev.type = NVC_EV_ERROR;
			nvc_emit(cl, &ev);
			break;
		case RQ_AUTHORIZE:
			ev.type = NVC_EV_VERDICT;
			ev.tsi = r->tsi;
			nvc_emit(cl, &ev);
			break;
		default:
			break;
		}
		nvc_req_free(r);
	}
	cl->subs_pending = 0;
}

static void
go_down(struct nva_client *cl, uint64_t now, const char *why)
{
	struct nvc_ev ev = { .type = NVC_EV_DOWN };
	struct hmap_iter it;
	struct hnode *n;
	struct link *l;
	unsigned i;

	cl->state = NVC_DOWN;
	fail_requests(cl);
	hmap_iter_init(&cl->tsis, &it);
	while ((n = hmap_iter_next(&cl->tsis, &it)) != NULL) {
		struct tsi_ent *t = HMAP_CONTAINER(n, struct tsi_ent, node);

		for (i = 0; i < t->nheld; i++)
			t->held[i].wd = false;	/* unknown: withdraw again */
		nvc_retry_cancel(t);	/* all is sent again at Welcome */
		t->conflicts = 0;
	}
	hmap_iter_init(&cl->vns, &it);
	while ((n = hmap_iter_next(&cl->vns, &it)) != NULL)
		HMAP_CONTAINER(n, struct vn_ent, node)->subscribed = false;
	for (l = cl->subnets.next; l != &cl->subnets; l = l->next) {
		struct subnet_ent *s = LINK_OWNER(l, struct subnet_ent, link);

		if (!s->attach)
			s->dirty = true;	/* detach not confirmed */
	}
	if (cl->reached_up)
		cl->backoff = cl->conf.retry_min_us;
	cl->reached_up = false;
	cl->retry_at = now + cl->backoff;
	cl->backoff = cl->backoff > cl->conf.retry_max_us / 2 ?
	    cl->conf.retry_max_us : cl->backoff * 2;
	ev.text = why;
	nvc_emit(cl, &ev);
}

/* Welcome: subscriptions, then every TSI and subnet again. */
static void
on_welcome(struct nva_client *cl, const Nva__Welcome *w, uint64_t now)
{
	struct nvc_ev ev = { .type = NVC_EV_UP };
	struct hmap_iter it;
	struct hnode *n;
	struct link *l;
	uint32_t *delta = NULL, *full = NULL;
	size_t nd = 0, nf = 0, nv = hmap_count(&cl->vns);

	if (w->epoch != cl->epoch) {
		/* another directory: our revs mean nothing there */
		hmap_iter_init(&cl->vns, &it);
		while ((n = hmap_iter_next(&cl->vns, &it)) != NULL)
			HMAP_CONTAINER(n, struct vn_ent, node)->synced = false;
		hmap_iter_init(&cl->fib, &it);
		while ((n = hmap_iter_next(&cl->fib, &it)) != NULL)
			HMAP_CONTAINER(n, struct fib_ent, f.node)->f.rev = 0;
		cl->rev = 0;
		cl->epoch = w->epoch;
	}
	cl->state = NVC_UP;
	cl->reached_up = true;
	cl->cnt.sessions++;
	cl->ka_us = (uint64_t)(w->keepalive_ms ? w->keepalive_ms :
	    cl->conf.keepalive_ms ? cl->conf.keepalive_ms : KA_DEFAULT_MS) *
	    1000;
	cl->last_rx = now;
	cl->ka_next = now + cl->ka_us;
	ev.text = w->nva;
	nvc_emit(cl, &ev);

	if (nv > 0) {
		delta = malloc(nv * sizeof(*delta));
		full = malloc(nv * sizeof(*full));
	}
	hmap_iter_init(&cl->vns, &it);
	while ((n = hmap_iter_next(&cl->vns, &it)) != NULL) {
		struct vn_ent *v = HMAP_CONTAINER(n, struct vn_ent, node);

		if (delta == NULL || full == NULL)
			break;
		v->subscribed = true;
		if (v->synced && cl->rev > 0)
			delta[nd++] = v->vn;
		else
			full[nf++] = v->vn;
	}
	hmap_iter_init(&cl->fib, &it);
	while ((n = hmap_iter_next(&cl->fib, &it)) != NULL)
		HMAP_CONTAINER(n, struct fib_ent, f.node)->stale = true;
	if (nd > 0)
		nvc_send_vnlist(cl, true, delta, nd, cl->rev);
	if (nf > 0)
		nvc_send_vnlist(cl, true, full, nf, 0);
	free(delta);
	free(full);

	hmap_iter_init(&cl->tsis, &it);
	while ((n = hmap_iter_next(&cl->tsis, &it)) != NULL)
		nvc_tsi_mark(cl, HMAP_CONTAINER(n, struct tsi_ent, node));
	nvc_flush(cl);
	for (l = cl->subnets.next; l != &cl->subnets; l = l->next) {
		struct subnet_ent *s = LINK_OWNER(l, struct subnet_ent, link);

		if (s->attach || s->dirty)
			send_subnet(cl, s);
	}
}

/*
 * The session machine: every state change goes through here.  msg is
 * the Envelope of WELCOME / REFUSED, why the reason of a way down.
 */
static int
sm_step(struct nva_client *cl, enum sm_ev ev, uint64_t now,
    const Nva__Envelope *msg, const char *why)
{
	const char *text = why != NULL ? why : sm_ev_names[ev];

	switch (cl->state) {
	case NVC_DOWN:
		if (ev != SE_RETRY_DUE)
			return 0;
		cl->state = NVC_CONNECTING;
		cl->cnt.connects++;
		cl->hello_at = now + cl->conf.hello_timeout_us;
		return NVC_ACT_CONNECT;
	case NVC_CONNECTING:
		switch (ev) {
		case SE_CONNECTED:
			cl->state = NVC_HELLO;
			cl->xid = 0;
			cl->hello_at = now + cl->conf.hello_timeout_us;
			cl->last_rx = now;
			send_hello(cl);
			return 0;
		case SE_DISCONNECTED:
			go_down(cl, now, text);
			return 0;
		case SE_HELLO_TIMEOUT:
			cl->cnt.hello_fail++;
			go_down(cl, now, text);
			return NVC_ACT_CLOSE;
		default:
			return 0;
		}
	case NVC_HELLO:
		switch (ev) {
		case SE_WELCOME:
			on_welcome(cl, msg->welcome, now);
			return 0;
		case SE_REFUSED:
		case SE_HELLO_TIMEOUT:
			cl->cnt.hello_fail++;
			go_down(cl, now, text);
			return NVC_ACT_CLOSE;
		case SE_DISCONNECTED:
			go_down(cl, now, text);
			return 0;
		default:
			return 0;
		}
	case NVC_UP:
		switch (ev) {
		case SE_KA_LOST:
			cl->cnt.ka_lost++;
			go_down(cl, now, text);
			return NVC_ACT_CLOSE;
		case SE_FATAL:
			go_down(cl, now, text);
			return NVC_ACT_CLOSE;
		case SE_DISCONNECTED:
			go_down(cl, now, text);
			return 0;
		default:
			return 0;
		}
	default:
		return 0;
	}
}

/* ---- answers --------------------------------------------------------- */

/* The waiting request with this xid when it is of an accepted kind
 * (mask of 1 << kind), unlinked; else NULL, counted in rx_bad. */
static struct req *
req_take(struct nva_client *cl, uint64_t xid, unsigned mask)
{
	struct link *l;

	for (l = cl->reqs.next; xid != 0 && l != &cl->reqs; l = l->next) {
		struct req *r = LINK_OWNER(l, struct req, link);

		if (r->xid != xid)
			continue;
		if (!(mask & (1u << r->kind)))
			break;
		list_del(&r->link);
		list_del(&r->qlink);
		return r;
	}
	cl->cnt.rx_bad++;
	return NULL;
}

#define M(k)	(1u << (k))
#define ACKED	(M(RQ_REPORT) | M(RQ_WITHDRAW) | M(RQ_UNSUBSCRIBE) | \
		    M(RQ_SUBNET))

static struct subnet_ent *
subnet_find(const struct nva_client *cl, uint32_t vn,
    const struct nva_addr *p, unsigned plen)
{
	struct link *l;

	for (l = cl->subnets.next; l != &cl->subnets; l = l->next) {
		struct subnet_ent *s = LINK_OWNER(l, struct subnet_ent, link);

		if (s->vn == vn && s->plen == plen &&
		    nva_addr_eq(&s->prefix, p))
			return s;
	}
	return NULL;
}

/*
 * CONFLICT answering a Report or Withdraw of t: nothing of it is
 * certain, so what it named stays held (a withdrawal is owed again),
 * and t goes out again after a delay -- unless a newer Report of t is
 * already on its way (it gets its own answer), or the tries are spent
 * (NVC_EV_ERROR; sent again when t changes or the session returns).
 */
static void
on_conflict(struct nva_client *cl, struct req *r, struct tsi_ent *t,
    const Nva__Error *err, uint64_t now)
{
	struct nvc_ev ev = { .type = NVC_EV_ERROR };
	struct held *h;
	unsigned i;

	if (r->kind == RQ_WITHDRAW) {
		for (i = 0; i < r->naddrs; i++)
			if ((h = nvc_held_find(t, &r->addrs[i])) != NULL)
				h->wd = false;
	} else if (r->gen != t->gen) {
		return;
	}
	if (nvc_conflict(cl, t, now))
		return;
	ev.vn = r->vn;
	ev.tsi = r->tsi;
	ev.addr = r->addrs[0];
	ev.code = NVA_CONFLICT;
	ev.text = err->text;
	nvc_emit(cl, &ev);
}

/* Ack or Error of a Report, Withdraw, Unsubscribe or Subnet. */
static void
on_acked(struct nva_client *cl, struct req *r, const Nva__Error *err,
    uint64_t now)
{
	struct tsi_ent *t = NULL;
	struct subnet_ent *s;
	struct held *h;
	unsigned i;

	if (r->kind == RQ_REPORT || r->kind == RQ_WITHDRAW)
		t = nvc_tsi_find(cl, r->vn, r->tsi);
	if (t != NULL && err != NULL &&
	    err->code == NVA__CODE__CONFLICT) {
		on_conflict(cl, r, t, err, now);
		return;
	}
	if (t != NULL && err == NULL && r->kind == RQ_REPORT &&
	    r->gen == t->gen && t->retry_at == UINT64_MAX)
		t->conflicts = 0;	/* the current state went through */
	if (err != NULL && (r->kind == RQ_REPORT || r->kind == RQ_WITHDRAW)) {
		struct nvc_ev ev = { .type = NVC_EV_REFUSED };

		cl->cnt.refused++;
		ev.vn = r->vn;
		ev.tsi = r->tsi;
		ev.addr = r->addrs[0];
		ev.code = (enum nva_code)err->code;
		ev.text = err->text;
		nvc_emit(cl, &ev);
		t = nvc_tsi_find(cl, r->vn, r->tsi);	/* the callback ran */
	}
	switch (r->kind) {
	case RQ_REPORT:
		if (t == NULL)
			break;
		for (i = 0; i < r->naddrs; i++) {
			h = nvc_held_find(t, &r->addrs[i]);
			if (err == NULL && h == NULL)
				nvc_held_add(t, &r->addrs[i]);
			else if (err != NULL && h != NULL && !h->wd &&
			    (r->isnew & (1ULL << i)))
				nvc_held_del(t, h);	/* nothing changed there */
		}
		if (err != NULL && r->gen == t->gen)
			t->refused = true;
		nvc_tsi_reap(cl, t);
		break;
	case RQ_WITHDRAW:
		/* done, or refused (not ours): we hold them no more */
		if (t == NULL)
			break;
		for (i = 0; i < r->naddrs; i++)
			if ((h = nvc_held_find(t, &r->addrs[i])) != NULL && h->wd)
				nvc_held_del(t, h);
		nvc_tsi_reap(cl, t);
		break;
	case RQ_SUBNET:
		/* a detach done (or refused): forget the subnet */
		s = subnet_find(cl, r->vn, &r->addr, r->plen);
		if (s != NULL && !r->attach && !s->attach) {
			list_del(&s->link);
			free(s);
		}
		/* FALLTHROUGH */
	default:
		if (err != NULL) {
			struct nvc_ev ev = { .type = NVC_EV_ERROR };

			ev.vn = r->vn;
			ev.code = (enum nva_code)err->code;
			ev.text = err->text;
			nvc_emit(cl, &ev);
		}
		break;
	}
}

/* An Error: of a request, or of the session (xid 0). */
static int
on_error(struct nva_client *cl, const Nva__Envelope *e, uint64_t now)
{
	const Nva__Error *err = e->error;
	struct nvc_ev ev = { .type = NVC_EV_ERROR };
	struct req *r;

	ev.code = (enum nva_code)err->code;
	ev.text = err->text;
	if (e->xid == 0) {
		nvc_emit(cl, &ev);
		if (err->code == NVA__CODE__NOT_REGISTERED)
			return sm_step(cl, SE_FATAL, now, e, err->text);
		return 0;
	}
	if ((r = req_take(cl, e->xid, ~0u)) == NULL)
		return 0;
	ev.vn = r->vn;
	ev.token = r->token;
	switch (r->kind) {
	case RQ_QUERY:
		ev.type = NVC_EV_ANSWER;
		ev.addr = r->addr;
		nvc_emit(cl, &ev);
		break;
	case RQ_AUTHORIZE:
		ev.type = NVC_EV_VERDICT;
		ev.tsi = r->tsi;
		nvc_emit(cl, &ev);
		break;
	case RQ_SUBSCRIBE:
		if (cl->subs_pending > 0)
			cl->subs_pending--;
		ev.vn = r->nvns > 0 ? r->vns[0] : 0;
		nvc_emit(cl, &ev);
		break;
	case RQ_AUDIT:
		nvc_emit(cl, &ev);
		break;
	default:
		on_acked(cl, r, err, now);
		break;
	}
	nvc_req_free(r);
	return 0;
}

int
nva_client_input(struct nva_client *cl, const Nva__Envelope *e, uint64_t now)
{
	struct nvc_ev ev;
	struct req *r;

	if (cl->state != NVC_HELLO && cl->state != NVC_UP)
		return 0;		/* after our close: nobody listens */
	cl->cnt.rx_msgs++;
	cl->last_rx = now;
	if (!nva_body_from_nva(e->body_case)) {
		cl->cnt.rx_bad++;
		return 0;
	}
	if (cl->state == NVC_HELLO) {
		if (e->body_case == NVA__ENVELOPE__BODY_WELCOME)
			return sm_step(cl, SE_WELCOME, now, e, NULL);
		if (e->body_case == NVA__ENVELOPE__BODY_ERROR) {
			memset(&ev, 0, sizeof(ev));
			ev.type = NVC_EV_ERROR;
			ev.code = (enum nva_code)e->error->code;
			ev.text = e->error->text;
			nvc_emit(cl, &ev);
			return sm_step(cl, SE_REFUSED, now, e, e->error->text);
		}
		cl->cnt.rx_bad++;
		return 0;
	}
	switch (e->body_case) {
	case NVA__ENVELOPE__BODY_KEEPALIVE:
		break;
	case NVA__ENVELOPE__BODY_UPDATE:
		nvc_on_update(cl, e->update, now);
		break;
	case NVA__ENVELOPE__BODY_MOVED:
		nvc_on_moved(cl, e->moved, now);
		break;
	case NVA__ENVELOPE__BODY_ERROR:
		return on_error(cl, e, now);
	case NVA__ENVELOPE__BODY_ACK:
		if ((r = req_take(cl, e->xid, ACKED)) != NULL) {
			on_acked(cl, r, NULL, now);
			nvc_req_free(r);
		}
		break;
	case NVA__ENVELOPE__BODY_SYNC_DONE:
		if ((r = req_take(cl, e->xid, M(RQ_SUBSCRIBE))) != NULL) {
			nvc_on_sync_done(cl, r, e->sync_done);
			nvc_req_free(r);
		}
		break;
	case NVA__ENVELOPE__BODY_ANSWER:
		if ((r = req_take(cl, e->xid, M(RQ_QUERY))) != NULL) {
			nvc_on_answer(cl, r, e->answer, now);
			nvc_req_free(r);
		}
		break;
	case NVA__ENVELOPE__BODY_AUDIT_RESULT:
		if ((r = req_take(cl, e->xid, M(RQ_AUDIT))) != NULL) {
			memset(&ev, 0, sizeof(ev));
			ev.type = NVC_EV_AUDIT;
			ev.vn = r->vn;
			ev.token = r->token;
			ev.checked = e->audit_result->checked;
			ev.bad = (unsigned)e->audit_result->n_bad;
			ev.audit = e->audit_result;
			nvc_emit(cl, &ev);
			nvc_req_free(r);
		}
		break;
	case NVA__ENVELOPE__BODY_VERDICT:
		if ((r = req_take(cl, e->xid, M(RQ_AUTHORIZE))) != NULL) {
			memset(&ev, 0, sizeof(ev));
			ev.type = NVC_EV_VERDICT;
			ev.vn = r->vn;
			ev.tsi = r->tsi;
			ev.token = r->token;
			ev.allow = e->verdict->allow;
			ev.answered = true;
			ev.code = (enum nva_code)e->verdict->code;
			ev.text = e->verdict->reason;
			nvc_emit(cl, &ev);
			nvc_req_free(r);
		}
		break;
	default:			/* a second Welcome */
		cl->cnt.rx_bad++;
		break;
	}
	return 0;
}

/* ---- life cycle and transport events --------------------------------- */

int
nva_client_new(struct nva_client **out, const struct nva_client_conf *c,
    const struct nva_client_cbs *cbs, void *arg)
{
	struct nva_client *cl;
	size_t nl;
	unsigned i;

	if (out == NULL || c == NULL || cbs == NULL || cbs->send == NULL)
		return -EINVAL;
	nl = strnlen(c->nve, sizeof(c->nve));
	if (nl == 0 || nl > NVA_NAME_MAX || c->nunderlay == 0 ||
	    c->nunderlay > NVA_UNDERLAY_MAX)
		return -EINVAL;
	for (i = 0; i < c->nunderlay; i++)
		if (c->underlay[i].len != 4 && c->underlay[i].len != 16)
			return -EINVAL;
	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return -ENOMEM;
	cl->conf = *c;
	if (cl->conf.retry_min_us == 0)
		cl->conf.retry_min_us = RETRY_MIN_DEFAULT;
	if (cl->conf.retry_max_us == 0)
		cl->conf.retry_max_us = RETRY_MAX_DEFAULT;
	if (cl->conf.retry_max_us < cl->conf.retry_min_us)
		cl->conf.retry_max_us = cl->conf.retry_min_us;
	if (cl->conf.hello_timeout_us == 0)
		cl->conf.hello_timeout_us = HELLO_TIMEOUT_DEFAULT;
	if (cl->conf.query_timeout_us == 0)
		cl->conf.query_timeout_us = QUERY_TIMEOUT_DEFAULT;
	cl->cbs = *cbs;
	cl->arg = arg;
	cl->state = NVC_DOWN;
	cl->retry_at = 0;		/* the first attempt at once */
	cl->backoff = cl->conf.retry_min_us;
	list_init(&cl->dirty);
	list_init(&cl->reqs);
	list_init(&cl->queries);
	list_init(&cl->subnets);
	list_init(&cl->retry);
	if (hmap_init(&cl->tsis, 16) < 0 || hmap_init(&cl->vns, 16) < 0 ||
	    hmap_init(&cl->fib, 64) < 0) {
		hmap_fini(&cl->tsis);
		hmap_fini(&cl->vns);
		free(cl);
		return -ENOMEM;
	}
	*out = cl;
	return 0;
}

static void
free_map(struct hmap *m, size_t off)
{
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(m, &it);
	while ((n = hmap_iter_next(m, &it)) != NULL) {
		hmap_remove(m, n);
		free((char *)n - off);
	}
	hmap_fini(m);
}

void
nva_client_free(struct nva_client *cl)
{
	struct hmap_iter it;
	struct hnode *n;

	if (cl == NULL)
		return;
	while (!list_empty(&cl->reqs))
		nvc_req_free(LINK_OWNER(cl->reqs.next, struct req, link));
	while (!list_empty(&cl->subnets)) {
		struct subnet_ent *s = LINK_OWNER(cl->subnets.next,
		    struct subnet_ent, link);

		list_del(&s->link);
		free(s);
	}
	hmap_iter_init(&cl->tsis, &it);
	while ((n = hmap_iter_next(&cl->tsis, &it)) != NULL)
		nvc_tsi_free(cl, HMAP_CONTAINER(n, struct tsi_ent, node));
	hmap_fini(&cl->tsis);
	free_map(&cl->vns, offsetof(struct vn_ent, node));
	free_map(&cl->fib, offsetof(struct fib_ent, f.node));
	free(cl->buf);
	free(cl);
}

void
nva_client_connected(struct nva_client *cl, uint64_t now)
{
	sm_step(cl, SE_CONNECTED, now, NULL, NULL);
}

void
nva_client_disconnected(struct nva_client *cl, uint64_t now, const char *why)
{
	sm_step(cl, SE_DISCONNECTED, now, NULL, why);
}

int
nva_client_tick(struct nva_client *cl, uint64_t now)
{
	struct nvc_ev ev;

	switch (cl->state) {
	case NVC_DOWN:
		if (now >= cl->retry_at)
			return sm_step(cl, SE_RETRY_DUE, now, NULL, NULL);
		return 0;
	case NVC_CONNECTING:
	case NVC_HELLO:
		if (now >= cl->hello_at)
			return sm_step(cl, SE_HELLO_TIMEOUT, now, NULL, NULL);
		return 0;
	case NVC_UP:
		break;
	default:
		return 0;
	}
	if (now >= cl->last_rx + KA_MISSES * cl->ka_us)
		return sm_step(cl, SE_KA_LOST, now, NULL, NULL);
	while (!list_empty(&cl->queries)) {
		struct req *r = LINK_OWNER(cl->queries.next, struct req,
		    qlink);

		if (r->deadline > now)
			break;
		memset(&ev, 0, sizeof(ev));
		ev.type = NVC_EV_ANSWER;
		ev.vn = r->vn;
		ev.addr = r->addr;
		ev.token = r->token;
		ev.code = NVA_INTERNAL;
		ev.text = "timeout";
		cl->cnt.query_timeouts++;
		nvc_req_free(r);
		nvc_emit(cl, &ev);
	}
	nvc_retry_due(cl, now);
	if (now >= cl->ka_next) {
		send_keepalive(cl);
		cl->ka_next += cl->ka_us;
		if (cl->ka_next <= now)
			cl->ka_next = now + cl->ka_us;
	}
	return 0;
}

uint64_t
nva_client_next(const struct nva_client *cl)
{
	uint64_t t;

	switch (cl->state) {
	case NVC_DOWN:
		return cl->retry_at;
	case NVC_CONNECTING:
	case NVC_HELLO:
		return cl->hello_at;
	case NVC_UP:
		t = cl->last_rx + KA_MISSES * cl->ka_us;
		if (cl->ka_next < t)
			t = cl->ka_next;
		if (!list_empty(&cl->queries)) {
			const struct req *r = LINK_OWNER(cl->queries.next,
			    struct req, qlink);

			if (r->deadline < t)
				t = r->deadline;
		}
		if (nvc_retry_next(cl) < t)
			t = nvc_retry_next(cl);
		return t;
	default:
		return UINT64_MAX;
	}
}

/* ---- what the caller states and asks --------------------------------- */

int
nva_client_query(struct nva_client *cl, uint32_t vn,
    const struct nva_addr *a, uint64_t token, uint64_t now)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Query q = NVA__QUERY__INIT;
	struct req *r;

	if (a == NULL || !nvc_vn_ok(vn) || !nvc_addr_ok(a))
		return -EINVAL;
	if (cl->state != NVC_UP)
		return -ENOTCONN;
	if ((r = nvc_req_new(cl, RQ_QUERY, &e)) == NULL)
		return -ENOMEM;
	r->vn = vn;
	r->addr = *a;
	r->token = token;
	r->deadline = now + cl->conf.query_timeout_us;
	list_push(&cl->queries, &r->qlink);
	q.vn = vn;
	q.addr = nvc_bin(a->a, a->len);
	e.body_case = NVA__ENVELOPE__BODY_QUERY;
	e.query = &q;
	cl->cnt.queries++;
	nvc_send_env(cl, &e);
	return 0;
}

int
nva_client_audit(struct nva_client *cl, uint32_t vn,
    const struct nva_addr *ips, const uint8_t (*macs)[6], size_t n,
    uint64_t token)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Audit au = NVA__AUDIT__INIT;
	Nva__Address *obj, **ptr;
	struct req *r;
	size_t i;

	if (!nvc_vn_ok(vn) || n == 0 || n > NVA_AUDIT_MAX || ips == NULL ||
	    macs == NULL)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (ips[i].len != 4 && ips[i].len != 16)
			return -EINVAL;
	if (cl->state != NVC_UP)
		return -ENOTCONN;
	obj = calloc(n, sizeof(*obj));
	ptr = calloc(n, sizeof(*ptr));
	if (obj == NULL || ptr == NULL ||
	    (r = nvc_req_new(cl, RQ_AUDIT, &e)) == NULL) {
		free(obj);
		free(ptr);
		return -ENOMEM;
	}
	r->vn = vn;
	r->token = token;
	for (i = 0; i < n; i++) {
		nva__address__init(&obj[i]);
		obj[i].addr = nvc_bin(ips[i].a, ips[i].len);
		obj[i].mac = nvc_bin(macs[i], 6);
		ptr[i] = &obj[i];
	}
	au.vn = vn;
	au.n_entries = n;
	au.entries = ptr;
	e.body_case = NVA__ENVELOPE__BODY_AUDIT;
	e.audit = &au;
	nvc_send_env(cl, &e);
	free(obj);
	free(ptr);
	return 0;
}

int
nva_client_subnet(struct nva_client *cl, uint32_t vn,
    const struct nva_addr *prefix, unsigned plen, bool attach)
{
	struct subnet_ent *s;
	unsigned i, bits;

	if (prefix == NULL || !nvc_vn_ok(vn) ||
	    (prefix->len != 4 && prefix->len != 16))
		return -EINVAL;
	bits = prefix->len * 8u;
	if (plen > bits)
		return -EINVAL;
	for (i = plen; i < bits; i++)		/* host bits zero */
		if (prefix->a[i / 8] & (0x80 >> (i % 8)))
			return -EINVAL;
	s = subnet_find(cl, vn, prefix, plen);
	if (s == NULL) {
		if (!attach)
			return 0;		/* never said: nothing to undo */
		if ((s = calloc(1, sizeof(*s))) == NULL)
			return -ENOMEM;
		s->vn = vn;
		s->prefix = *prefix;
		s->plen = plen;
		list_push(&cl->subnets, &s->link);
	} else if (s->attach == attach) {
		return 0;
	}
	s->attach = attach;
	s->dirty = true;
	if (cl->state == NVC_UP)
		send_subnet(cl, s);
	return 0;
}

int
nva_client_authorize(struct nva_client *cl, uint32_t vn,
    const uint8_t tsi[NVA_TSI_LEN], const struct nva_addr *addrs,
    size_t n, uint64_t token, uint64_t now)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Authorize au = NVA__AUTHORIZE__INIT;
	Nva__Address obj[NVA_ADDRS_MAX], *ptr[NVA_ADDRS_MAX];
	struct req *r;

	(void)now;
	if (tsi == NULL || !nvc_vn_ok(vn) ||
	    nvc_check_addrs(addrs, n, NVA_ADDRS_MAX) < 0)
		return -EINVAL;
	if (cl->state != NVC_UP)
		return -ENOTCONN;
	if ((r = nvc_req_new(cl, RQ_AUTHORIZE, &e)) == NULL)
		return -ENOMEM;
	r->vn = vn;
	r->token = token;
	memcpy(r->tsi, tsi, NVA_TSI_LEN);
	nvc_fill_addrs(addrs, (unsigned)n, nvc_sole_mac(addrs, (unsigned)n), obj, ptr);
	au.vn = vn;
	au.tsi = nvc_bin(tsi, NVA_TSI_LEN);
	au.n_addrs = n;
	au.addrs = ptr;
	e.body_case = NVA__ENVELOPE__BODY_AUTHORIZE;
	e.authorize = &au;
	nvc_send_env(cl, &e);
	return 0;
}

/* ---- views ----------------------------------------------------------- */

enum nvc_state
nva_client_state(const struct nva_client *cl)
{
	return cl->state;
}

const struct nvc_counters *
nva_client_counters(const struct nva_client *cl)
{
	return &cl->cnt;
}

uint64_t
nva_client_rev(const struct nva_client *cl)
{
	return cl->rev;
}

uint64_t
nva_client_epoch(const struct nva_client *cl)
{
	return cl->epoch;
}

