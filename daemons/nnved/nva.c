/*
 * nva.c - nnved as a client of the NVA (nvad): one TLS session
 * (lib/nva/nva_tls.h) carrying the NVA protocol, driven by the pure
 * client machine of lib/nva/nva_client.h.
 *
 * Owns struct nnved_nva: the TLS context, the client machine, the
 * connection and its receive buffer, the NNVED_T_NVA timer in the
 * daemon's heap, a uv_check that flushes what a loop turn queued, the
 * index of which VSIs hold which (VN, TSI ID), and the control
 * look-ups waiting for an Answer.  Runs in nnved's one thread.  Relies
 * on vsi.c calling nnved_nva_tsi() after every TSI change and
 * nnved_nva_tsi_gone() before a TSI releases its addresses, on nnved.c
 * calling nnved_nva_timer() and nnved_nva_flush() from its deadline
 * callback, and on control.c for the views.
 *
 * What the NVA hears: each (VN, TSI ID) is one TSI of the protocol, in
 * the state of the VSI that holds it (Associated: mapping table only,
 * Activated: forwarding table), with its MACs and IPs.  Two VSIs of
 * this nnved may hold the same TSI ID at once while a VM moves between
 * two of our ports or stations: the one in the higher state is
 * reported (the newer one on a tie), and when one goes the other is
 * reported again instead of a withdrawal.  The machine subscribes to the
 * VNs while they have TSIs, keeps the local copy, and after a reconnect
 * sends everything again and resyncs from the newest revision seen.
 *
 * Authorisation (nva { authorize yes }): vsi.c asks with
 * nnved_nva_authorize() while it holds a VDP request; the answer (a
 * Verdict, an Error, or the session going) reaches its callback after
 * the client machine has returned (auth_deliver() in nva_run()), since
 * the callback answers the station and reports the TSI through the
 * machine.  vsi.c cancels what it stops waiting for (timeout, VSI gone).
 *
 * Connections: the servers of the nva block are tried in turn; a
 * session that reached UP is retried on the same server first.  A bad
 * message from the NVA is logged and counted and the session goes on;
 * broken framing closes it and the machine's backoff reconnects.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext/nvo3_ext_codes.h"
#include "nnved.h"
#include "nva/nva.h"
#include "nva/nva_client.h"
#include "nva/nva_tls.h"
#include "util/log.h"
#include "util/mtime.h"

#define QUERY_TOKEN_FIRST	1

/* The VSIs of this nnved that hold one (VN, TSI ID). */
struct nva_holders {
	struct hnode	 node;		/* in nva->tsis */
	uint32_t	 vn;
	uint8_t		 id[NVA_TSI_LEN];
	const struct nnved_vsi **v;
	unsigned	 n, cap;
};

/* A control look-up waiting for the NVA's Answer. */
struct nva_wait {
	struct nva_wait	*next;
	uint64_t	 token;
	nnved_nva_answer_fn fn;
	void		*arg;
};

/*
 * An Authorize waiting for its Verdict (vsi.c holds the VDP request
 * meanwhile).  The machine's event fills it in (done); nva_run() hands
 * it to fn once the machine has returned, so vsi.c may report the TSI
 * (and so call the machine) from fn.
 */
struct nva_auth {
	struct nva_auth	*next;
	uint64_t	 token;
	nnved_nva_verdict_fn fn;
	void		*arg;
	bool		 done;
	struct nnved_verdict v;
	char		 code[24];
	char		 reason[NVA_TEXT_MAX + 1];
};

struct nnved_nva {
	struct nnved	*d;
	struct nnved_nva_conf conf;	/* copy: reload does not touch it */
	struct nva_tls	*tls;
	struct nva_client *cl;
	struct nva_conn	*conn;		/* NULL: none */
	struct nva_rx	 rx;
	char		 nve[NVA_NAME_MAX + 1];	/* our certificate's CN */
	char		 nva[NVA_NAME_MAX + 1];	/* from Welcome */
	unsigned	 server;	/* index of the current/last server */
	bool		 tried;		/* a connection was attempted */
	bool		 was_up;	/* that connection reached UP */
	uint64_t	 up_since;
	struct sn_timer	 timer;
	uint64_t	 due;		/* what the timer is set for */
	uv_check_t	 check;
	bool		 unflushed;	/* written since the last flush */
	struct hmap	 tsis;		/* struct nva_holders */
	struct nva_wait	*waits;
	struct nva_auth	*auths;
	uint64_t	 next_token;
	struct nnved_nva_counters ctr;
};

static struct log_rl rl_bad = LOG_RL_INIT(5000000, 10);
static struct log_rl rl_refused = LOG_RL_INIT(5000000, 20);
static struct log_rl rl_connect = LOG_RL_INIT(60000000, 4);

static void	nva_run(struct nnved_nva *n, int acts, uint64_t now);
static void	auth_deliver(struct nnved_nva *n, uint64_t now);
static size_t	addrs_of(const struct nvo3_addr *, unsigned,
		    struct nva_addr *);

/* ---- names ------------------------------------------------------------- */

static const char *
server_text(const struct nnved_nva *n, unsigned i, char *buf, size_t sz)
{
	char a[INET6_ADDRSTRLEN];
	const struct nnved_ip *ip = &n->conf.server[i].ip;

	inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->addr, a,
	    sizeof(a));
	snprintf(buf, sz, ip->family == 4 ? "%s:%u" : "[%s]:%u", a,
	    n->conf.server[i].port);
	return buf;
}

static const char *
tsi_text(const struct nnved_nva *n, uint32_t vn, const uint8_t *id,
    char out[VDP_VSIID_STRLEN]);

/* ---- the connection ----------------------------------------------------- */

static void
rx_reset(struct nnved_nva *n)
{
	nva_rx_free(&n->rx);
	nva_rx_init(&n->rx, 0);
}

static void
reschedule(struct nnved_nva *n)
{
	n->due = nva_client_next(n->cl);
	timer_set(n->d, &n->timer, n->due);
	timer_arm(n->d);
}

/* Our side ends the connection (ACT_CLOSE, broken framing). */
static void
conn_drop(struct nnved_nva *n, uint64_t now, const char *why)
{
	if (n->conn != NULL) {
		nva_conn_close(n->conn);
		n->conn = NULL;
		n->unflushed = false;
	}
	rx_reset(n);
	nva_client_disconnected(n->cl, now, why);
}

static void
on_open(struct nva_conn *c, void *arg)
{
	struct nnved_nva *n = arg;
	uint64_t now = mono_us();

	log_debug("NVA: TLS session to %s (%s) open", nva_conn_addr(c),
	    nva_conn_peer(c));
	nva_client_connected(n->cl, now);
	nva_run(n, 0, now);
}

static void
on_data(struct nva_conn *c, const uint8_t *p, size_t len, void *arg)
{
	struct nnved_nva *n = arg;
	uint64_t now = mono_us();
	const uint8_t *msg;
	size_t mlen;
	int rc, acts = 0;

	if ((rc = nva_rx_feed(&n->rx, p, len)) == -ENOMEM) {
		log_warn("NVA: out of memory for a message; closing");
		conn_drop(n, now, "out of memory");
		nva_run(n, 0, now);
		return;
	}
	while (rc == 0 && (rc = nva_rx_next(&n->rx, &msg, &mlen)) == 1) {
		Nva__Envelope *e;
		char err[128];
		enum nva_code code;

		code = nva_decode(msg, mlen, &e, err, sizeof(err));
		if (code != NVA_OK) {
			n->ctr.rx_undecodable++;
			log_rl(&rl_bad, now, LOG_LVL_WARN, "NVA sent a bad "
			    "message (%s): %s", nva_code_name(code), err);
			rc = 0;
			continue;
		}
		if (!nva_body_from_nva(e->body_case)) {
			n->ctr.rx_undecodable++;
			log_rl(&rl_bad, now, LOG_LVL_WARN, "NVA sent %s, which "
			    "only an NVE sends; ignored",
			    nva_body_name(e->body_case));
			nva_free(e);
			rc = 0;
			continue;
		}
		acts = nva_client_input(n->cl, e, now);
		nva_free(e);
		rc = 0;
		if (acts & NVC_ACT_CLOSE)
			break;
	}
	if (rc == -EBADMSG) {
		n->ctr.framing_errors++;
		log_warn("NVA %s: broken framing; closing the session",
		    nva_conn_addr(c));
		conn_drop(n, now, "broken framing");
		acts &= ~NVC_ACT_CLOSE;
	}
	nva_run(n, acts, now);
}

static void
on_close(struct nva_conn *c, int err, void *arg)
{
	struct nnved_nva *n = arg;
	uint64_t now = mono_us();
	char why[NVA_TLS_ERR_MAX + 64];

	if (err == 0)
		snprintf(why, sizeof(why), "closed by the NVA");
	else if (nva_conn_error(c)[0] != '\0')
		snprintf(why, sizeof(why), "%s", nva_conn_error(c));
	else
		snprintf(why, sizeof(why), "%s", strerror(-err));
	n->conn = NULL;
	n->unflushed = false;
	rx_reset(n);
	nva_client_disconnected(n->cl, now, why);
	nva_run(n, 0, now);
}

static const struct nva_conn_cbs conn_cbs = {
	.on_open = on_open,
	.on_data = on_data,
	.on_close = on_close,
};

/* ACT_CONNECT: the next server in turn (the same one after an UP). */
static void
conn_start(struct nnved_nva *n, uint64_t now)
{
	const struct nnved_ip *ip;
	struct sockaddr_storage ss;
	char srv[INET6_ADDRSTRLEN + 8];
	int rc;

	if (n->conn != NULL) {		/* should not be: start afresh */
		nva_conn_close(n->conn);
		n->conn = NULL;
	}
	rx_reset(n);
	if (n->tried && !n->was_up)
		n->server = (n->server + 1) % n->conf.nserver;
	n->tried = true;
	n->was_up = false;
	ip = &n->conf.server[n->server].ip;
	memset(&ss, 0, sizeof(ss));
	if (ip->family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(n->conf.server[n->server].port);
		memcpy(&s4->sin_addr, ip->addr, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(n->conf.server[n->server].port);
		memcpy(&s6->sin6_addr, ip->addr, 16);
	}
	log_debug("NVA: connecting to %s", server_text(n, n->server, srv,
	    sizeof(srv)));
	rc = nva_conn_connect(&n->conn, &n->d->loop.uv,
	    (const struct sockaddr *)&ss, n->conf.server_name[0] ?
	    n->conf.server_name : NULL, n->tls, &conn_cbs, n);
	if (rc < 0) {
		n->conn = NULL;
		n->ctr.connect_errors++;
		nva_client_disconnected(n->cl, now, strerror(-rc));
	}
}

/* Obeys the machine's actions until it asks for none, then re-arms. */
static void
nva_run(struct nnved_nva *n, int acts, uint64_t now)
{
	for (int guard = 0; guard < 8; guard++) {
		if (acts & NVC_ACT_CLOSE)
			conn_drop(n, now, "closed by us");
		else if (acts & NVC_ACT_CONNECT)
			conn_start(n, now);
		else
			break;
		acts = nva_client_tick(n->cl, now);
	}
	auth_deliver(n, now);
	nnved_nva_flush(n->d);
	reschedule(n);
}

/* nva_client's send: frames go to the TLS buffer, flushed per batch. */
static int
cl_send(void *arg, const uint8_t *frame, size_t len)
{
	struct nnved_nva *n = arg;
	int rc;

	if (n->conn == NULL)
		return -ENOTCONN;
	if ((rc = nva_conn_write(n->conn, frame, len)) < 0) {
		n->ctr.tx_errors++;
		return rc;
	}
	n->unflushed = true;
	return 0;
}

void
nnved_nva_flush(struct nnved *d)
{
	struct nnved_nva *n = d->nva;

	if (n == NULL || n->conn == NULL || !n->unflushed)
		return;
	n->unflushed = false;
	if (nva_conn_flush(n->conn) < 0)
		n->ctr.tx_errors++;	/* on_close follows from the loop */
}

static void
on_check(uv_check_t *h)
{
	struct nnved_nva *n = h->data;

	nnved_nva_flush(n->d);
	/* reports may have moved the machine's deadlines (queries) */
	if (n->cl != NULL && nva_client_next(n->cl) != n->due)
		reschedule(n);
}

void
nnved_nva_timer(struct nnved *d, uint64_t now)
{
	struct nnved_nva *n = d->nva;

	if (n == NULL || now < n->due)
		return;
	nva_run(n, nva_client_tick(n->cl, now), now);
}

/* ---- events from the machine -------------------------------------------- */

static void
underlay_text(const struct nvc_fib *f, char *buf, size_t sz)
{
	char a[NVA_ADDR_STRLEN];
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < f->nunderlay && o < sz; i++) {
		int w = snprintf(buf + o, sz - o, "%s%s", i ? "," : "",
		    nva_addr_fmt(&f->underlay[i], a));

		if (w < 0)
			break;
		o += (size_t)w;
	}
	if (buf[0] == '\0')
		snprintf(buf, sz, "none");
}

static struct nva_wait *
wait_take(struct nnved_nva *n, uint64_t token)
{
	struct nva_wait **pp, *w;

	for (pp = &n->waits; (w = *pp) != NULL; pp = &w->next) {
		if (w->token == token) {
			*pp = w->next;
			return w;
		}
	}
	return NULL;
}

static void
ev_answer(struct nnved_nva *n, const struct nvc_ev *ev)
{
	struct nva_wait *w = wait_take(n, ev->token);
	int err = 0;

	if (w == NULL)
		return;		/* a second mapping, or nobody waits */
	if (ev->fib == NULL && ev->code != NVA_NOT_FOUND) {
		if (ev->text != NULL && strcmp(ev->text, "timeout") == 0)
			err = -ETIMEDOUT;
		else if (ev->text != NULL &&
		    strcmp(ev->text, "disconnected") == 0)
			err = -ENOTCONN;
		else
			err = -EPROTO;
	}
	w->fn(w->arg, err, ev->fib, ev->text != NULL ? ev->text :
	    nva_code_name(ev->code));
	free(w);
}

/* ---- authorisation ------------------------------------------------------ */

static struct nva_auth **
auth_find(struct nnved_nva *n, uint64_t token)
{
	struct nva_auth **pp;

	for (pp = &n->auths; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->token == token)
			return pp;
	return NULL;
}

/* The machine's VERDICT event: kept for auth_deliver(). */
static void
ev_verdict(struct nnved_nva *n, const struct nvc_ev *ev)
{
	struct nva_auth **pp = auth_find(n, ev->token), *a;

	if (pp == NULL || (a = *pp)->done)
		return;		/* cancelled meanwhile */
	a->done = true;
	if (ev->answered)
		a->v.err = 0;
	else if (ev->code == NVA_INTERNAL && ev->text != NULL &&
	    strcmp(ev->text, "disconnected") == 0)
		a->v.err = -ENOTCONN;
	else
		a->v.err = -EPROTO;
	a->v.allow = ev->answered && ev->allow;
	snprintf(a->code, sizeof(a->code), "%s", nva_code_name(ev->code));
	snprintf(a->reason, sizeof(a->reason), "%s", ev->text != NULL ?
	    ev->text : "");
	a->v.code = a->code;
	a->v.reason = a->reason;
}

/* Hands the verdicts that came to their askers (after the machine ran). */
static void
auth_deliver(struct nnved_nva *n, uint64_t now)
{
	struct nva_auth **pp, *a;

	for (;;) {
		for (pp = &n->auths; *pp != NULL && !(*pp)->done;
		    pp = &(*pp)->next)
			;
		if ((a = *pp) == NULL)
			return;
		*pp = a->next;
		a->fn(a->arg, &a->v, now);	/* may ask or cancel others */
		free(a);
	}
}

int
nnved_nva_authorize(struct nnved *d, uint32_t vn, const uint8_t id[16],
    const struct nvo3_addr *addrs, unsigned na, nnved_nva_verdict_fn fn,
    void *arg, uint64_t *token)
{
	struct nnved_nva *n = d->nva;
	struct nva_addr a[NVA_ADDRS_MAX];
	struct nva_auth *w;
	size_t cnt;
	int rc;

	if (n == NULL || nva_client_state(n->cl) != NVC_UP)
		return -ENOTCONN;
	cnt = addrs_of(addrs, na, a);
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -ENOMEM;
	w->token = n->next_token++;
	w->fn = fn;
	w->arg = arg;
	if ((rc = nva_client_authorize(n->cl, vn, id, a, cnt, w->token,
	    mono_us())) < 0) {
		free(w);
		return rc;
	}
	w->next = n->auths;
	n->auths = w;
	*token = w->token;
	return 1;
}

void
nnved_nva_authorize_cancel(struct nnved *d, uint64_t token)
{
	struct nnved_nva *n = d->nva;
	struct nva_auth **pp, *a;

	if (n == NULL || (pp = auth_find(n, token)) == NULL)
		return;
	a = *pp;
	*pp = a->next;
	free(a);
}

static void
cl_event(void *arg, const struct nvc_ev *ev)
{
	struct nnved_nva *n = arg;
	uint64_t now = mono_us();
	char a[NVA_ADDR_STRLEN], u[8 * NVA_ADDR_STRLEN], t[VDP_VSIID_STRLEN];
	char srv[INET6_ADDRSTRLEN + 8];

	switch (ev->type) {
	case NVC_EV_UP:
		n->was_up = true;
		n->up_since = now;
		snprintf(n->nva, sizeof(n->nva), "%s", ev->text ? ev->text :
		    "");
		log_info("NVA session up: %s registered with %s at %s",
		    n->nve, n->nva, server_text(n, n->server, srv,
		    sizeof(srv)));
		break;
	case NVC_EV_DOWN:
		if (n->up_since != 0)
			log_info("NVA session down: %s", ev->text ?
			    ev->text : "?");
		else
			log_rl(&rl_connect, now, LOG_LVL_WARN, "NVA at %s: "
			    "%s", server_text(n, n->server, srv, sizeof(srv)),
			    ev->text ? ev->text : "?");
		n->up_since = 0;
		break;
	case NVC_EV_SYNCED:
		log_debug("NVA: VN %u synced (%s)", ev->vn, ev->full ?
		    "full" : "changes");
		break;
	case NVC_EV_UPDATE:
		if (ev->fib != NULL)
			log_debug("NVA: VN %u %s -> %s (%s, seq %llu)",
			    ev->vn, nva_addr_fmt(&ev->addr, a), ev->fib->nve,
			    nva_state_name(ev->fib->state),
			    (unsigned long long)ev->fib->seq);
		break;
	case NVC_EV_MOVED:
		if (ev->fib == NULL)
			break;
		underlay_text(ev->fib, u, sizeof(u));
		log_info("address %s of VN %u moved to NVE %s (underlay %s)",
		    nva_addr_fmt(&ev->addr, a), ev->vn, ev->fib->nve, u);
		break;
	case NVC_EV_REFUSED:
		log_rl(&rl_refused, now, LOG_LVL_WARN, "NVA refused TSI %s in "
		    "VN %u: %s%s%s", tsi_text(n, ev->vn, ev->tsi, t), ev->vn,
		    nva_code_name(ev->code), ev->text ? ": " : "",
		    ev->text ? ev->text : "");
		break;
	case NVC_EV_ANSWER:
		ev_answer(n, ev);
		break;
	case NVC_EV_ERROR:
		n->ctr.nva_errors++;
		log_rl(&rl_bad, now, LOG_LVL_WARN, "NVA error: %s%s%s",
		    nva_code_name(ev->code), ev->text ? ": " : "",
		    ev->text ? ev->text : "");
		break;
	case NVC_EV_VERDICT:
		ev_verdict(n, ev);
		break;
	case NVC_EV_AUDIT:
	default:
		break;		/* not asked for by nnved yet */
	}
}

/* ---- who holds which TSI ------------------------------------------------ */

static uint32_t
holders_hash(uint32_t vn, const uint8_t *id)
{
	return hash_bytes(id, NVA_TSI_LEN, hash_add32(0x75e1, vn));
}

static struct nva_holders *
holders_find(const struct nnved_nva *n, uint32_t vn, const uint8_t *id)
{
	struct hnode *h;

	HMAP_FOR_HASH(h, &n->tsis, holders_hash(vn, id)) {
		struct nva_holders *e = HMAP_CONTAINER(h, struct nva_holders,
		    node);

		if (e->vn == vn && memcmp(e->id, id, NVA_TSI_LEN) == 0)
			return e;
	}
	return NULL;
}

static const char *
tsi_text(const struct nnved_nva *n, uint32_t vn, const uint8_t *id,
    char out[VDP_VSIID_STRLEN])
{
	const struct nva_holders *e;
	uint8_t fmt = VDP_VSIID_UUID;

	if (id == NULL)
		return "?";
	if ((e = holders_find(n, vn, id)) != NULL && e->n > 0)
		fmt = e->v[0]->tsi.id_fmt;
	if (vdp_vsiid_fmt(fmt, id, out, VDP_VSIID_STRLEN) < 0)
		snprintf(out, VDP_VSIID_STRLEN, "?");
	return out;
}

static bool
migrating(const struct nnved_vsi *v)
{
	switch (v->tsi.reason) {
	case NVO3_REASON_MIG_IN_PREPARE:
	case NVO3_REASON_MIG_IN_ACTIVATE:
	case NVO3_REASON_MIG_OUT:
		return true;
	default:
		return (v->tsi.hints & VDP_ST_MBIT) != 0;
	}
}

static void
addr_push(struct nva_addr *list, size_t *cnt, const uint8_t *p, uint8_t len)
{
	struct nva_addr a;

	memset(&a, 0, sizeof(a));
	a.len = len;
	memcpy(a.a, p, len);
	for (size_t i = 0; i < *cnt; i++)
		if (nva_addr_eq(&list[i], &a))
			return;
	if (*cnt < NVA_ADDRS_MAX)
		list[(*cnt)++] = a;
}

/*
 * The protocol's addresses of a TSI: each MAC, each IP, and the MAC of
 * each IP-MAC pair (the machine pairs an IP with the TSI's MAC when the
 * TSI has exactly one).
 */
static size_t
addrs_of(const struct nvo3_addr *list, unsigned n, struct nva_addr *out)
{
	static const uint8_t zero[6];
	size_t cnt = 0;

	for (unsigned i = 0; i < n && i < NVO3_TSI_MAX_ADDR; i++) {
		const struct nvo3_addr *a = &list[i];

		switch (a->family) {
		case 0:
			addr_push(out, &cnt, a->mac, 6);
			break;
		case 4:
		case 6:
			if (memcmp(a->mac, zero, 6) != 0)
				addr_push(out, &cnt, a->mac, 6);
			addr_push(out, &cnt, a->ip, a->family == 4 ? 4 : 16);
			break;
		default:
			break;
		}
	}
	return cnt;
}

/* Tells the machine what the best holder of e is now. */
static void
holders_report(struct nnved_nva *n, struct nva_holders *e,
    const struct nnved_vsi *prefer)
{
	struct nva_addr addrs[NVA_ADDRS_MAX];
	const struct nnved_vsi *best = NULL;
	enum nva_state st;
	char t[VDP_VSIID_STRLEN];
	size_t cnt;
	int rc;

	for (unsigned i = 0; i < e->n; i++) {
		const struct nnved_vsi *v = e->v[i];

		if (best == NULL || v->tsi.state > best->tsi.state ||
		    (v->tsi.state == best->tsi.state && (v == prefer ||
		    (best != prefer && v->tsi.since > best->tsi.since))))
			best = v;
	}
	if (best == NULL)
		return;
	st = best->tsi.state == NVO3_TSI_ACTIVATED ? NVA_ST_ACTIVATED :
	    NVA_ST_ASSOCIATED;
	cnt = addrs_of(best->tsi.addr, best->tsi.naddr, addrs);
	rc = nva_client_tsi_set(n->cl, e->vn, e->id, st, addrs, cnt,
	    migrating(best));
	if (rc < 0) {
		n->ctr.report_errors++;
		log_warn("NVA: cannot report TSI %s in VN %u: %s",
		    tsi_text(n, e->vn, e->id, t), e->vn, strerror(-rc));
	}
}

void
nnved_nva_tsi(struct nnved *d, const struct nnved_vsi *v)
{
	struct nnved_nva *n = d->nva;
	struct nva_holders *e;
	unsigned i;

	if (n == NULL || v->tsi.state == NVO3_TSI_INIT)
		return;
	if ((e = holders_find(n, v->tsi.vn, v->tsi.id)) == NULL) {
		if ((e = calloc(1, sizeof(*e))) == NULL)
			goto nomem;
		e->vn = v->tsi.vn;
		memcpy(e->id, v->tsi.id, NVA_TSI_LEN);
		if (hmap_insert(&n->tsis, &e->node, holders_hash(e->vn,
		    e->id)) < 0) {
			free(e);
			goto nomem;
		}
	}
	for (i = 0; i < e->n && e->v[i] != v; i++)
		;
	if (i == e->n) {
		if (e->n == e->cap) {
			unsigned cap = e->cap ? 2 * e->cap : 2;
			const struct nnved_vsi **p = realloc(e->v,
			    cap * sizeof(*p));

			if (p == NULL) {
				if (e->n == 0) {
					hmap_remove(&n->tsis, &e->node);
					free(e);
				}
				goto nomem;
			}
			e->v = p;
			e->cap = cap;
		}
		e->v[e->n++] = v;
	}
	holders_report(n, e, v);
	return;
nomem:
	n->ctr.report_errors++;
	log_warn("NVA: out of memory: a TSI of VN %u is not reported",
	    v->tsi.vn);
}

void
nnved_nva_tsi_gone(struct nnved *d, const struct nnved_vsi *v)
{
	struct nnved_nva *n = d->nva;
	struct nva_holders *e;
	unsigned i;

	if (n == NULL || (e = holders_find(n, v->tsi.vn, v->tsi.id)) == NULL)
		return;
	for (i = 0; i < e->n && e->v[i] != v; i++)
		;
	if (i == e->n)
		return;		/* never reported (out of memory then) */
	e->v[i] = e->v[--e->n];
	if (e->n > 0) {
		holders_report(n, e, NULL);
		return;
	}
	(void)nva_client_tsi_del(n->cl, e->vn, e->id);
	hmap_remove(&n->tsis, &e->node);
	free(e->v);
	free(e);
}

/* ---- look-ups for control.c --------------------------------------------- */

int
nnved_nva_lookup(struct nnved *d, uint32_t vn, const struct nva_addr *a,
    const struct nvc_fib **out, nnved_nva_answer_fn fn, void *arg)
{
	struct nnved_nva *n = d->nva;
	struct nva_wait *w;
	int rc;

	*out = NULL;
	if (n == NULL)
		return -ENOTCONN;
	if ((*out = nva_client_lookup(n->cl, vn, a)) != NULL)
		return 0;
	if (nva_client_state(n->cl) != NVC_UP)
		return -ENOTCONN;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -ENOMEM;
	w->token = n->next_token++;
	w->fn = fn;
	w->arg = arg;
	if ((rc = nva_client_query(n->cl, vn, a, w->token, mono_us())) < 0) {
		free(w);
		return rc;
	}
	w->next = n->waits;
	n->waits = w;
	/* the query's deadline may be the machine's next one */
	nnved_nva_flush(d);
	reschedule(n);
	return 1;
}

int
nnved_nva_view(struct nnved *d, struct nnved_nva_view *out)
{
	struct nnved_nva *n = d->nva;

	if (n == NULL)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->cl = n->cl;
	if (n->tried)
		server_text(n, n->server, out->server, sizeof(out->server));
	out->nve = n->nve;
	out->nva = n->nva;
	out->up_since = n->up_since;
	out->ctr = &n->ctr;
	if (n->conn != NULL) {
		out->rx_octets = nva_conn_rx_octets(n->conn);
		out->tx_octets = nva_conn_tx_octets(n->conn);
	}
	out->tsis = hmap_count(&n->tsis);
	return 0;
}

/* ---- start and stop ------------------------------------------------------ */

static void
ip_to_addr(const struct nnved_ip *ip, struct nva_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->len = ip->family == 4 ? 4 : 16;
	memcpy(a->a, ip->addr, a->len);
}

int
nnved_nva_open(struct nnved *d)
{
	const struct nnved_nva_conf *c = &d->conf.nva;
	struct nva_client_conf cc;
	struct nva_client_cbs cbs = { .send = cl_send, .event = cl_event };
	struct nnved_nva *n;
	const char *name;
	char err[NVA_TLS_ERR_MAX];
	int rc;

	if (!c->present)
		return 0;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return -ENOMEM;
	n->d = d;
	n->conf = *c;
	n->next_token = QUERY_TOKEN_FIRST;
	nva_rx_init(&n->rx, 0);
	sn_timer_init(&n->timer, NNVED_T_NVA);
	n->due = TIME_NEVER;
	if (hmap_init(&n->tsis, 64) < 0) {
		rc = -ENOMEM;
		goto fail;
	}
	err[0] = '\0';
	if ((rc = nva_tls_new(&n->tls, false, c->cert, c->key, c->ca, err,
	    sizeof(err))) < 0) {
		log_err("%s:%d: nva tls: %s", d->conf.path, c->line, err[0] ?
		    err : strerror(-rc));
		goto fail;
	}
	name = nva_tls_own_name(n->tls);
	if (name == NULL || name[0] == '\0' || strlen(name) > NVA_NAME_MAX) {
		log_err("%s: the certificate names no usable CN (1..%d "
		    "characters) to register with", c->cert, NVA_NAME_MAX);
		rc = -EINVAL;
		goto fail;
	}
	snprintf(n->nve, sizeof(n->nve), "%s", name);
	memset(&cc, 0, sizeof(cc));
	snprintf(cc.nve, sizeof(cc.nve), "%s", name);
	for (unsigned i = 0; i < c->nunderlay && i < NVA_UNDERLAY_MAX; i++)
		ip_to_addr(&c->underlay[i], &cc.underlay[cc.nunderlay++]);
	cc.keepalive_ms = c->keepalive_ms;
	cc.retry_min_us = (uint64_t)c->retry_min_ms * USEC_PER_MSEC;
	cc.retry_max_us = (uint64_t)c->retry_max_ms * USEC_PER_MSEC;
	if ((rc = nva_client_new(&n->cl, &cc, &cbs, n)) < 0) {
		log_err("NVA client: %s", strerror(-rc));
		goto fail;
	}
	if ((rc = uv_check_init(&d->loop.uv, &n->check)) < 0) {
		log_err("NVA client: %s", uv_strerror(rc));
		rc = -ENOMEM;
		goto fail;
	}
	n->check.data = n;
	uv_check_start(&n->check, on_check);
	d->nva = n;
	/* the first attempt is due at once: the machine says when */
	reschedule(n);
	log_info("NVA client: %s, %u server%s, %u underlay address%s",
	    n->nve, c->nserver, c->nserver == 1 ? "" : "s", c->nunderlay,
	    c->nunderlay == 1 ? "" : "es");
	return 0;
fail:
	nva_client_free(n->cl);
	nva_tls_free(n->tls);
	hmap_fini(&n->tsis);
	nva_rx_free(&n->rx);
	free(n);
	return rc;
}

static void
on_check_closed(uv_handle_t *h)
{
	free(h->data);
}

void
nnved_nva_close(struct nnved *d)
{
	struct nnved_nva *n = d->nva;
	struct hmap_iter it;
	struct hnode *h;

	if (n == NULL)
		return;
	d->nva = NULL;
	while (n->waits != NULL) {
		struct nva_wait *w = n->waits;

		n->waits = w->next;
		w->fn(w->arg, -ENOTCONN, NULL, "nnved stopping");
		free(w);
	}
	while (n->auths != NULL) {
		struct nva_auth *a = n->auths;
		struct nnved_verdict v = { .err = -ENOTCONN, .code = "internal",
		    .reason = "nnved stopping" };

		n->auths = a->next;
		a->fn(a->arg, &v, mono_us());
		free(a);
	}
	if (n->conn != NULL)
		nva_conn_close(n->conn);	/* flushes, close_notify */
	n->conn = NULL;
	timer_cancel(d, &n->timer);
	hmap_iter_init(&n->tsis, &it);
	while ((h = hmap_iter_next(&n->tsis, &it)) != NULL) {
		struct nva_holders *e = HMAP_CONTAINER(h, struct nva_holders,
		    node);

		hmap_remove(&n->tsis, h);
		free(e->v);
		free(e);
	}
	hmap_fini(&n->tsis);
	nva_client_free(n->cl);
	n->cl = NULL;
	nva_tls_free(n->tls);
	nva_rx_free(&n->rx);
	uv_check_stop(&n->check);
	uv_close((uv_handle_t *)&n->check, on_check_closed);
}
