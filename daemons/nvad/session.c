/*
 * session.c - nvad's NVE sessions: the TLS listeners, one session per
 * connected NVE, the NVA protocol's framing, and the message handlers
 * that ask the directory (dir.c).  What the handlers stage goes out
 * through batch.c (group commit, answers, pushes, moved notices).
 *
 * A session:
 *
 *   HANDSHAKE --TLS open, peer certificate CN known--> HELLO
 *   HELLO --Hello with that name, NVE admitted--> UP (Welcome)
 *   HELLO --Hello refused--> HELLO (Error; the NVE may try again)
 *   any --broken framing, keep-alive lost, too slow, peer gone--> closed
 *
 * Every message that cannot be served (undecodable, unknown field, value
 * out of range, wrong direction, not registered, refused by the
 * directory) is answered with an Error carrying its xid, logged (rate
 * limited) and counted; the session goes on.  Only broken framing (a
 * length of 0 or over NVA_FRAME_MAX) closes it, since the next message
 * cannot be found.
 *
 * Group commit (batch.c): while a loop turn reads messages, the
 * directory changes in memory at once, the records to persist are
 * staged in the store and every answer is staged in its session; at the
 * end of the turn the store commits once, and only then do answers and
 * pushes leave, so an NVE never hears of a change a crash could take
 * back.  A failed commit is fatal (docs/nvad.8, DURABILITY).
 *
 * Thread: the loop's.  Relies on lib/nva (codec, TLS), dir.c, batch.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NVAD_DAEMON 1
#include "nvad.h"
#include "session_priv.h"
#include "nva/nva_tls.h"
#include "util/log.h"
#include "util/mtime.h"

static const char *const sess_state_names[] = {
	"handshake", "hello", "up"
};

/* ---- subscriptions ------------------------------------------------------- */

struct vnsub *
vnsub_find(const struct nvad_sessions *ss, uint32_t vn, bool create)
{
	uint32_t h = hash_add32(0x5eed, vn);
	struct hnode *n;
	struct vnsub *v;

	HMAP_FOR_HASH(n, &ss->vnsubs, h) {
		v = HMAP_CONTAINER(n, struct vnsub, node);
		if (v->vn == vn)
			return v;
	}
	if (!create || (v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->vn = vn;
	if (hmap_insert((struct hmap *)&ss->vnsubs, &v->node, h) < 0) {
		free(v);
		return NULL;
	}
	return v;
}

static bool
sess_has_sub(const struct sess *s, uint32_t vn, unsigned *pos)
{
	unsigned lo = 0, hi = s->nsubs;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (s->subs[mid] < vn)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return lo < s->nsubs && s->subs[lo] == vn;
}

static int
sub_add(struct sess *s, uint32_t vn)
{
	struct vnsub *v;
	unsigned pos;

	if (sess_has_sub(s, vn, &pos))
		return 0;
	if ((v = vnsub_find(s->ss, vn, true)) == NULL)
		return -ENOMEM;
	if (v->n == v->cap) {
		unsigned cap = v->cap ? v->cap * 2 : 4;
		struct sess **p = realloc(v->s, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		v->s = p;
		v->cap = cap;
	}
	if (s->nsubs == s->csubs) {
		unsigned cap = s->csubs ? s->csubs * 2 : 8;
		uint32_t *p = realloc(s->subs, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		s->subs = p;
		s->csubs = cap;
	}
	v->s[v->n++] = s;
	memmove(&s->subs[pos + 1], &s->subs[pos],
	    (s->nsubs - pos) * sizeof(*s->subs));
	s->subs[pos] = vn;
	s->nsubs++;
	return 0;
}

static void
sub_del(struct sess *s, uint32_t vn)
{
	struct vnsub *v;
	unsigned pos, i;

	if (!sess_has_sub(s, vn, &pos))
		return;
	memmove(&s->subs[pos], &s->subs[pos + 1],
	    (s->nsubs - pos - 1) * sizeof(*s->subs));
	s->nsubs--;
	if ((v = vnsub_find(s->ss, vn, false)) == NULL)
		return;
	for (i = 0; i < v->n; i++)
		if (v->s[i] == s) {
			v->s[i] = v->s[--v->n];
			break;
		}
	if (v->n == 0) {
		hmap_remove(&s->ss->vnsubs, &v->node);
		free(v->s);
		free(v);
	}
}

unsigned
nvad_vn_subscribers(struct nvad *nd, uint32_t vn)
{
	struct vnsub *v;

	if (nd->ss == NULL || (v = vnsub_find(nd->ss, vn, false)) == NULL)
		return 0;
	return v->n;
}

/* ---- message handlers ---------------------------------------------------- */

/* Addresses of a Report/Withdraw/Audit into arrays; NVA_OK or a code. */
static enum nva_code
take_addrs(Nva__Address **in, size_t n, struct nva_addr *a, uint8_t (*mac)[6],
    bool *has_mac, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (nva_addr_from(&a[i], &in[i]->addr) < 0) {
			snprintf(why, whylen, "addrs[%zu]: %zu octets", i,
			    in[i]->addr.len);
			return NVA_BAD_ADDRESS;
		}
		has_mac[i] = in[i]->mac.len == 6;
		if (has_mac[i])
			memcpy(mac[i], in[i]->mac.data, 6);
		else
			memset(mac[i], 0, 6);
	}
	return NVA_OK;
}

static void
on_hello(struct sess *s, uint64_t xid, const Nva__Hello *h)
{
	struct nvad_sessions *ss = s->ss;
	struct nvad *nd = ss->nd;
	struct nva_addr under[NVA_UNDERLAY_MAX];
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Welcome w = NVA__WELCOME__INIT;
	const char *peer = nva_conn_peer(s->conn);
	struct dir_nve *nve;
	enum nva_code code;
	struct sess *o;
	char why[160];
	size_t i;

	if (s->st == SS_UP) {
		refuse(s, xid, NVA_BAD_STATE, "hello", "already registered");
		return;
	}
	if (peer == NULL || strcmp(peer, h->nve) != 0) {
		snprintf(why, sizeof(why), "hello names \"%s\" but the "
		    "certificate says \"%s\"", h->nve, peer ? peer : "");
		refuse(s, xid, NVA_NAME_MISMATCH, "hello", why);
		return;
	}
	for (i = 0; i < h->n_underlay; i++)
		if (nva_addr_from(&under[i], &h->underlay[i]) < 0 ||
		    under[i].len == 6) {
			refuse(s, xid, NVA_BAD_ADDRESS, "hello",
			    "underlay address is not IPv4 or IPv6");
			return;
		}
	code = dir_register(nd->dir, h->nve, under, (unsigned)h->n_underlay,
	    &nve, &ss->out);
	if (code != NVA_OK) {
		snprintf(why, sizeof(why), "NVE \"%s\" is not admitted "
		    "(nve-policy listed and no nve block)", h->nve);
		refuse(s, xid, code, "hello", why);
		dir_out_reset(&ss->out);
		return;
	}
	batch_take(ss, &ss->out);
	/* a second session of the same NVE replaces the first (a reconnect
	 * that overtook the old connection's death) */
	while ((o = sess_of_nve(ss, nve->idx)) != NULL) {
		log_info("session %llu: NVE %s connected again from %s; "
		    "closing its older session %llu",
		    (unsigned long long)s->id, nve->name, s->addr,
		    (unsigned long long)o->id);
		sess_close(o, "replaced by a newer session");
	}
	s->nve = nve;
	s->st = SS_UP;
	nve->connected = true;
	w.nva = nd->conf.name;
	w.epoch = dir_epoch(nd->dir);
	w.rev = adv_rev(ss);
	w.keepalive_ms = nd->conf.keepalive_ms;
	e.xid = xid;
	e.body_case = NVA__ENVELOPE__BODY_WELCOME;
	e.welcome = &w;
	stage(s, &e);
	log_info("session %llu: NVE %s registered from %s (%zu underlay "
	    "address%s)", (unsigned long long)s->id, nve->name, s->addr,
	    h->n_underlay, h->n_underlay == 1 ? "" : "es");
}

/* The entries a resync sends (dir_since's callback collects them). */
struct ent_list {
	const struct dir_ent **e;
	size_t		 n, cap;
	bool		 oom;		/* out of memory: stopped short */
};

static int
ent_collect(void *arg, const struct dir_ent *ent)
{
	struct ent_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		const struct dir_ent **p = realloc(l->e, cap * sizeof(*p));

		if (p == NULL) {
			l->oom = true;
			return -ENOMEM;
		}
		l->e = p;
		l->cap = cap;
	}
	l->e[l->n++] = ent;
	return 0;
}

static void
on_subscribe(struct sess *s, uint64_t xid, const Nva__Subscribe *sub)
{
	struct nvad *nd = s->ss->nd;
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__SyncDone sd = NVA__SYNC_DONE__INIT;
	struct ent_list l = { 0 };
	uint64_t since = sub->since_rev;
	char why[160];
	size_t i;
	bool full;

	for (i = 0; i < sub->n_vn; i++) {
		enum nva_code code = dir_may_attach(nd->dir, s->nve,
		    sub->vn[i], why, sizeof(why));

		if (code != NVA_OK) {
			refuse(s, xid, code, "subscribe", why);
			return;
		}
	}
	full = since == 0 || sub->epoch != dir_epoch(nd->dir) ||
	    since > adv_rev(s->ss);
	if (full)
		since = 0;
	for (i = 0; i < sub->n_vn && !l.oom; i++) {
		if (sub_add(s, sub->vn[i]) < 0)
			l.oom = true;
		else
			dir_since(nd->dir, sub->vn[i], since, ent_collect, &l);
	}
	if (l.oom) {
		free(l.e);
		refuse(s, xid, NVA_INTERNAL, "subscribe", "out of memory");
		return;
	}
	if (l.n > 0) {
		size_t nmsg = updates_encode(nd, l.e, l.n, &s->staged);

		s->tx_msgs += nmsg;
		nd->cnt.tx_msgs += nmsg;
		stage_mark(s);
	}
	free(l.e);
	sd.n_vn = sub->n_vn;
	sd.vn = sub->vn;
	sd.rev = adv_rev(s->ss);
	sd.full = full;
	e.xid = xid;
	e.body_case = NVA__ENVELOPE__BODY_SYNC_DONE;
	e.sync_done = &sd;
	stage(s, &e);
	log_debug("session %llu: %s subscribed to %zu VN%s since rev %llu "
	    "epoch %016llx: %s", (unsigned long long)s->id, s->nve->name,
	    sub->n_vn, sub->n_vn == 1 ? "" : "s",
	    (unsigned long long)sub->since_rev,
	    (unsigned long long)sub->epoch, full ? "full" : "changes only");
}

static void
on_unsubscribe(struct sess *s, uint64_t xid, const Nva__Unsubscribe *u)
{
	size_t i;

	for (i = 0; i < u->n_vn; i++)
		sub_del(s, u->vn[i]);
	stage_ack(s, xid, false, s->ss->nchanged);
}

static void
on_report(struct sess *s, uint64_t xid, const Nva__Report *r)
{
	struct nvad_sessions *ss = s->ss;
	struct nvad *nd = ss->nd;
	struct nva_addr a[NVA_ADDRS_MAX];
	uint8_t mac[NVA_ADDRS_MAX][6];
	bool has_mac[NVA_ADDRS_MAX];
	enum nva_code code;
	size_t c0;
	char why[200];

	code = take_addrs(r->addrs, r->n_addrs, a, mac, has_mac, why,
	    sizeof(why));
	if (code == NVA_OK)
		code = dir_report(nd->dir, s->nve, r->vn, a,
		    (const uint8_t (*)[6])mac, has_mac, r->n_addrs,
		    (enum nva_state)r->state, r->migration,
		    mono_us() / 1000000u, &ss->out, why, sizeof(why));
	if (code != NVA_OK) {
		/* a refusal may still have changed something that must
		 * stay (a freeze, an alert): keep it */
		batch_take(ss, &ss->out);
		refuse(s, xid, code, "report", why);
		return;
	}
	c0 = ss->nchanged;
	batch_take(ss, &ss->out);
	stage_ack(s, xid, true, c0);
}

static void
on_withdraw(struct sess *s, uint64_t xid, const Nva__Withdraw *w)
{
	struct nvad_sessions *ss = s->ss;
	struct nvad *nd = ss->nd;
	struct nva_addr a[NVA_ADDRS_MAX];
	uint8_t mac[NVA_ADDRS_MAX][6];
	bool has_mac[NVA_ADDRS_MAX];
	enum nva_code code;
	size_t c0;
	char why[200];

	code = take_addrs(w->addrs, w->n_addrs, a, mac, has_mac, why,
	    sizeof(why));
	if (code == NVA_OK)
		code = dir_withdraw(nd->dir, s->nve, w->vn, a, w->n_addrs,
		    &ss->out, why, sizeof(why));
	if (code != NVA_OK) {
		/* a refusal may still have changed something that must
		 * stay (a freeze, an alert): keep it */
		batch_take(ss, &ss->out);
		refuse(s, xid, code, "withdraw", why);
		return;
	}
	c0 = ss->nchanged;
	batch_take(ss, &ss->out);
	stage_ack(s, xid, true, c0);
}

static void
on_query(struct sess *s, uint64_t xid, const Nva__Query *q)
{
	struct nvad *nd = s->ss->nd;
	ProtobufCBinaryData under[NVA_UNDERLAY_MAX];
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Answer an = NVA__ANSWER__INIT;
	Nva__Mapping m, *mp = &m;
	struct dir_ent *ent;
	struct nva_addr a;

	if (nva_addr_from(&a, &q->addr) < 0) {
		refuse(s, xid, NVA_BAD_ADDRESS, "query", "address length");
		return;
	}
	ent = dir_lookup(nd->dir, q->vn, &a);
	if (ent != NULL && ent->state != NVA_ST_WITHDRAWN) {
		ent_mapping(nd, ent, &m, under);
		an.n_mappings = 1;
		an.mappings = &mp;
	}
	e.xid = xid;
	e.body_case = NVA__ENVELOPE__BODY_ANSWER;
	e.answer = &an;
	stage(s, &e);
}

static void
on_subnet(struct sess *s, uint64_t xid, const Nva__Subnet *sn)
{
	struct nvad_sessions *ss = s->ss;
	struct nva_addr p;
	size_t c0;
	enum nva_code code;

	if (nva_addr_from(&p, &sn->prefix) < 0 || p.len == 6) {
		refuse(s, xid, NVA_BAD_ADDRESS, "subnet", "prefix length");
		return;
	}
	code = dir_subnet(ss->nd->dir, s->nve, sn->vn, &p, sn->plen,
	    sn->attach, &ss->out);
	if (code != NVA_OK) {
		/* a refusal may still have changed something that must
		 * stay (a freeze, an alert): keep it */
		batch_take(ss, &ss->out);
		refuse(s, xid, code, "subnet", nva_code_name(code));
		return;
	}
	c0 = ss->nchanged;
	batch_take(ss, &ss->out);
	stage_ack(s, xid, true, c0);
}

static void
on_audit(struct sess *s, uint64_t xid, const Nva__Audit *au)
{
	struct nvad_sessions *ss = s->ss;
	struct nvad *nd = ss->nd;
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__AuditResult ar = NVA__AUDIT_RESULT__INIT;
	struct nva_addr *ips = NULL;
	uint8_t (*macs)[6] = NULL;
	bool *has_mac = NULL;
	const char **bad = NULL;
	Nva__Discrepancy *d = NULL, **dp = NULL;
	Nva__Mapping *m = NULL;
	ProtobufCBinaryData (*under)[NVA_UNDERLAY_MAX] = NULL;
	size_t n = au->n_entries, i, k, nbad;
	char why[160];

	ips = calloc(n ? n : 1, sizeof(*ips));
	macs = calloc(n ? n : 1, sizeof(*macs));
	has_mac = calloc(n ? n : 1, sizeof(*has_mac));
	bad = calloc(n ? n : 1, sizeof(*bad));
	if (ips == NULL || macs == NULL || has_mac == NULL || bad == NULL) {
		refuse(s, xid, NVA_INTERNAL, "audit", "out of memory");
		goto out;
	}
	if (take_addrs(au->entries, n, ips, macs, has_mac, why,
	    sizeof(why)) != NVA_OK) {
		refuse(s, xid, NVA_BAD_ADDRESS, "audit", why);
		goto out;
	}
	nbad = dir_audit(nd->dir, s->nve, au->vn, ips,
	    (const uint8_t (*)[6])macs, n, bad, mono_us() / 1000000u,
	    &ss->out);
	batch_take(ss, &ss->out);
	d = calloc(nbad ? nbad : 1, sizeof(*d));
	dp = calloc(nbad ? nbad : 1, sizeof(*dp));
	m = calloc(nbad ? nbad : 1, sizeof(*m));
	under = calloc(nbad ? nbad : 1, sizeof(*under));
	if (d == NULL || dp == NULL || m == NULL || under == NULL) {
		refuse(s, xid, NVA_INTERNAL, "audit", "out of memory");
		goto out;
	}
	for (i = 0, k = 0; i < n && k < nbad; i++) {
		struct dir_ent *ent;

		if (bad[i] == NULL)
			continue;
		nva__discrepancy__init(&d[k]);
		d[k].entry = au->entries[i];
		d[k].reason = (char *)bad[i];
		if ((ent = dir_lookup(nd->dir, au->vn, &ips[i])) != NULL) {
			ent_mapping(nd, ent, &m[k], under[k]);
			d[k].directory = &m[k];
		}
		dp[k] = &d[k];
		k++;
	}
	ar.checked = (uint32_t)n;
	ar.n_bad = k;
	ar.bad = dp;
	e.xid = xid;
	e.body_case = NVA__ENVELOPE__BODY_AUDIT_RESULT;
	e.audit_result = &ar;
	stage(s, &e);
	if (k > 0)
		log_warn("audit by %s of VN %u: %zu of %zu ARP/ND entries "
		    "disagree with the directory", s->nve->name, au->vn, k, n);
out:
	free(ips);
	free(macs);
	free(has_mac);
	free(bad);
	free(d);
	free(dp);
	free(m);
	free(under);
}

static void
on_authorize(struct sess *s, uint64_t xid, const Nva__Authorize *az)
{
	struct nvad *nd = s->ss->nd;
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Verdict v = NVA__VERDICT__INIT;
	enum nva_code code;
	char why[200] = "";
	size_t i;

	code = dir_may_attach(nd->dir, s->nve, az->vn, why, sizeof(why));
	for (i = 0; code == NVA_OK && i < az->n_addrs; i++) {
		struct nva_addr a;
		struct dir_ent *ent;
		char txt[NVA_ADDR_STRLEN];

		if (nva_addr_from(&a, &az->addrs[i]->addr) < 0) {
			code = NVA_BAD_ADDRESS;
			snprintf(why, sizeof(why), "addrs[%zu]: length", i);
			break;
		}
		ent = dir_lookup(nd->dir, az->vn, &a);
		if (ent != NULL && (ent->flags & DIR_F_FROZEN) &&
		    ent->nve != s->nve->idx) {
			code = NVA_FROZEN;
			snprintf(why, sizeof(why), "%s is frozen in VN %u "
			    "(duplicate detection)", nva_addr_fmt(&a, txt),
			    az->vn);
		}
	}
	v.allow = code == NVA_OK;
	v.code = (Nva__Code)code;
	v.reason = why;
	e.xid = xid;
	e.body_case = NVA__ENVELOPE__BODY_VERDICT;
	e.verdict = &v;
	stage(s, &e);
}

static void
dispatch(struct sess *s, const Nva__Envelope *e)
{
	const char *what = nva_body_name(e->body_case);

	if (!nva_body_from_nve(e->body_case)) {
		refuse(s, e->xid, NVA_MALFORMED, what,
		    "not a message an NVE sends");
		return;
	}
	if (e->body_case == NVA__ENVELOPE__BODY_KEEPALIVE)
		return;		/* its arrival was the point */
	if (e->body_case == NVA__ENVELOPE__BODY_HELLO) {
		on_hello(s, e->xid, e->hello);
		return;
	}
	if (s->st != SS_UP) {
		refuse(s, e->xid, NVA_NOT_REGISTERED, what,
		    "send Hello first");
		return;
	}
	switch (e->body_case) {
	case NVA__ENVELOPE__BODY_SUBSCRIBE:
		on_subscribe(s, e->xid, e->subscribe);
		break;
	case NVA__ENVELOPE__BODY_UNSUBSCRIBE:
		on_unsubscribe(s, e->xid, e->unsubscribe);
		break;
	case NVA__ENVELOPE__BODY_REPORT:
		on_report(s, e->xid, e->report);
		break;
	case NVA__ENVELOPE__BODY_WITHDRAW:
		on_withdraw(s, e->xid, e->withdraw);
		break;
	case NVA__ENVELOPE__BODY_QUERY:
		on_query(s, e->xid, e->query);
		break;
	case NVA__ENVELOPE__BODY_SUBNET:
		on_subnet(s, e->xid, e->subnet);
		break;
	case NVA__ENVELOPE__BODY_AUDIT:
		on_audit(s, e->xid, e->audit);
		break;
	case NVA__ENVELOPE__BODY_AUTHORIZE:
		on_authorize(s, e->xid, e->authorize);
		break;
	default:
		refuse(s, e->xid, NVA_MALFORMED, what, "unexpected message");
		break;
	}
}

/* ---- connection callbacks ------------------------------------------------ */

static void
on_open(struct nva_conn *c, void *arg)
{
	struct sess *s = arg;

	s->st = SS_HELLO;
	log_debug("session %llu: TLS up with %s (certificate \"%s\")",
	    (unsigned long long)s->id, s->addr, nva_conn_peer(c));
}

static void
on_data(struct nva_conn *c, const uint8_t *p, size_t n, void *arg)
{
	struct sess *s = arg;
	struct nvad *nd = s->ss->nd;
	const uint8_t *msg;
	size_t len;
	int rc;

	(void)c;
	if (s->dead)
		return;
	s->last_rx_us = mono_us();
	nd->cnt.rx_octets += n;
	if ((rc = nva_rx_feed(&s->rx, p, n)) < 0)
		goto broken;
	while ((rc = nva_rx_next(&s->rx, &msg, &len)) == 1) {
		Nva__Envelope *e;
		enum nva_code code;
		char why[200];

		s->rx_msgs++;
		nd->cnt.rx_msgs++;
		code = nva_decode(msg, len, &e, why, sizeof(why));
		if (code != NVA_OK) {
			refuse(s, 0, code, "message", why);
			continue;
		}
		dispatch(s, e);
		nva_free(e);
		if (s->dead)
			return;
	}
	if (rc < 0)
		goto broken;
	return;
broken:
	nd->cnt.framing_broken++;
	log_warn("session %llu (%s): broken framing (%s); closing it",
	    (unsigned long long)s->id, s->nve ? s->nve->name : s->addr,
	    rc == -ENOMEM ? "out of memory" : "length 0 or over the limit");
	sess_close(s, "broken framing");
}

static void
sess_unlink(struct sess *s)
{
	struct nvad_sessions *ss = s->ss;

	while (s->nsubs > 0)
		sub_del(s, s->subs[s->nsubs - 1]);
	if (s->nve != NULL && sess_of_nve(ss, s->nve->idx) == NULL)
		s->nve->connected = false;
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		ss->head = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	ss->count--;
	ss->nd->cnt.closed++;
}

/* A closed session leaves every list now and its memory at the end of
 * the turn, so callers up the stack may still look at s->dead. */
static void
sess_bury(struct sess *s)
{
	struct nvad_sessions *ss = s->ss;

	sess_unlink(s);
	s->prev = NULL;
	s->next = ss->graveyard;
	ss->graveyard = s;
}

void
sess_free(struct sess *s)
{
	nva_rx_free(&s->rx);
	free(s->subs);
	free(s->staged.p);
	free(s->slots);
	free(s);
}

static void
on_closed(struct nva_conn *c, int err, void *arg)
{
	struct sess *s = arg;

	if (s->st == SS_HANDSHAKE && err != 0) {
		s->ss->nd->cnt.tls_failed++;
		log_warn("session %llu from %s: TLS handshake failed: %s",
		    (unsigned long long)s->id, s->addr, nva_conn_error(c));
	} else {
		log_info("session %llu (%s%s%s) ended: %s",
		    (unsigned long long)s->id, s->addr, s->nve ? " " : "",
		    s->nve ? s->nve->name : "",
		    err == 0 ? "closed by the NVE" : nva_conn_error(c));
	}
	s->dead = true;
	s->conn = NULL;
	sess_bury(s);
}

void
sess_close(struct sess *s, const char *why)
{
	if (s->dead)
		return;
	log_info("session %llu (%s%s%s): closing: %s",
	    (unsigned long long)s->id, s->addr, s->nve ? " " : "",
	    s->nve ? s->nve->name : "", why);
	s->dead = true;
	nva_conn_close(s->conn);
	s->conn = NULL;
	sess_bury(s);
}

static const struct nva_conn_cbs conn_cbs = {
	.on_open = on_open,
	.on_data = on_data,
	.on_close = on_closed,
};

static void
on_connection(uv_stream_t *server, int status)
{
	struct nvad_sessions *ss = server->data;
	struct nvad *nd = ss->nd;
	struct sess *s;
	int rc;

	if (status < 0) {
		log_warn("listener: %s", uv_strerror(status));
		return;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_err("session: out of memory");
		return;
	}
	s->ss = ss;
	s->id = ++ss->next_id;
	nva_rx_init(&s->rx, NVA_FRAME_MAX);
	if ((rc = nva_conn_accept(&s->conn, server, ss->tls, &conn_cbs,
	    s)) < 0) {
		log_warn("accept: %s", strerror(-rc));
		nva_rx_free(&s->rx);
		free(s);
		return;
	}
	snprintf(s->addr, sizeof(s->addr), "%s", nva_conn_addr(s->conn));
	if (ss->count >= nd->conf.max_sessions) {
		nd->cnt.refused_sessions++;
		log_warn("session from %s refused: max-sessions (%u) reached",
		    s->addr, nd->conf.max_sessions);
		nva_conn_close(s->conn);
		nva_rx_free(&s->rx);
		free(s);
		return;
	}
	s->since_us = s->last_rx_us = mono_us();
	s->next = ss->head;
	if (ss->head != NULL)
		ss->head->prev = s;
	ss->head = s;
	ss->count++;
	nd->cnt.accepted++;
	log_debug("session %llu: connection from %s",
	    (unsigned long long)s->id, s->addr);
}

/* Keep-alives out, silent sessions cut. */
static void
on_ka(uv_timer_t *t)
{
	struct nvad_sessions *ss = t->data;
	struct nvad *nd = ss->nd;
	uint64_t now = mono_us(), ka = (uint64_t)nd->conf.keepalive_ms * 1000;
	struct sess *s, *next;

	for (s = ss->head; s != NULL; s = next) {
		next = s->next;
		if (s->dead)
			continue;
		if (s->st != SS_UP) {
			if (now - s->since_us > HANDSHAKE_MAX_US &&
			    now - s->last_rx_us > HANDSHAKE_MAX_US)
				sess_close(s, "no Hello within 10 s");
			continue;
		}
		if (now - s->last_rx_us > 3 * ka) {
			nd->cnt.ka_lost++;
			sess_close(s, "nothing heard for 3 keep-alive periods");
			continue;
		}
		{
			Nva__Envelope e = NVA__ENVELOPE__INIT;
			Nva__KeepAlive k = NVA__KEEP_ALIVE__INIT;

			k.rev = adv_rev(ss);
			e.body_case = NVA__ENVELOPE__BODY_KEEPALIVE;
			e.keepalive = &k;
			stage(s, &e);
		}
	}
	batch_release(ss);
}

/* ---- operator actions ----------------------------------------------------- */

enum nva_code
nvad_admin_unfreeze(struct nvad *nd, uint32_t vn, const struct nva_addr *a,
    char *err, size_t errlen)
{
	struct nvad_sessions *ss = nd->ss;
	enum nva_code code;
	char txt[NVA_ADDR_STRLEN];

	code = dir_unfreeze(nd->dir, vn, a, &ss->out);
	if (code != NVA_OK) {
		dir_out_reset(&ss->out);
		snprintf(err, errlen, "%s is not in VN %u",
		    nva_addr_fmt(a, txt), vn);
		return code;
	}
	batch_take(ss, &ss->out);
	batch_release(ss);
	if (is_lost(ss, dir_lookup(nd->dir, vn, a))) {
		snprintf(err, errlen, "another nvad changed %s in VN %u first; "
		    "look again and repeat", nva_addr_fmt(a, txt), vn);
		return NVA_CONFLICT;
	}
	log_info("operator unfroze %s in VN %u", nva_addr_fmt(a, txt), vn);
	return NVA_OK;
}

/* ---- views ---------------------------------------------------------------- */

void
nvad_sess_walk(struct nvad *nd,
    int (*cb)(void *arg, const struct nvad_sess_view *v), void *arg)
{
	struct sess *s;

	if (nd->ss == NULL)
		return;
	for (s = nd->ss->head; s != NULL; s = s->next) {
		struct nvad_sess_view v = {
			.id = s->id,
			.nve = s->nve ? s->nve->name : NULL,
			.addr = s->addr,
			.state = sess_state_names[s->st],
			.since_us = s->since_us,
			.rx_msgs = s->rx_msgs,
			.tx_msgs = s->tx_msgs,
			.bad_msgs = s->bad_msgs,
			.wq = s->conn ? nva_conn_wq(s->conn) : 0,
			.nsubs = s->nsubs,
			.subs = s->subs,
		};

		if (s->dead)
			continue;
		if (cb(arg, &v) != 0)
			break;
	}
}

/* ---- start and stop -------------------------------------------------------- */

static int
listen_one(struct nvad_sessions *ss, uv_tcp_t *t, const struct nvad_listen *l)
{
	struct sockaddr_storage sa;
	int rc;

	memset(&sa, 0, sizeof(sa));
	if (strchr(l->addr, ':') != NULL)
		rc = uv_ip6_addr(l->addr, l->port, (struct sockaddr_in6 *)&sa);
	else
		rc = uv_ip4_addr(l->addr, l->port, (struct sockaddr_in *)&sa);
	if (rc < 0)
		return rc;
	if ((rc = uv_tcp_init(&ss->nd->loop.uv, t)) < 0)
		return rc;
	t->data = ss;
	rc = uv_tcp_bind(t, (struct sockaddr *)&sa,
	    sa.ss_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)t, 128, on_connection);
	return rc;
}

int
nvad_sessions_start(struct nvad *nd)
{
	struct nvad_sessions *ss;
	char err[NVA_TLS_ERR_MAX];
	unsigned i;
	int rc;

	if ((ss = calloc(1, sizeof(*ss))) == NULL)
		return -ENOMEM;
	ss->nd = nd;
	nd->ss = ss;
	dir_out_init(&ss->out);
	if ((rc = hmap_init(&ss->vnsubs, 64)) < 0)
		return rc;
	if ((rc = nva_tls_new(&ss->tls, true, nd->conf.cert, nd->conf.key,
	    nd->conf.ca, err, sizeof(err))) < 0) {
		log_err("tls: %s", err);
		return rc;
	}
	if ((ss->lis = calloc(nd->conf.nlisten, sizeof(*ss->lis))) == NULL)
		return -ENOMEM;
	for (i = 0; i < nd->conf.nlisten; i++) {
		if ((rc = listen_one(ss, &ss->lis[i], &nd->conf.listen[i])) < 0) {
			log_err("listen %s port %u: %s", nd->conf.listen[i].addr,
			    nd->conf.listen[i].port, uv_strerror(rc));
			ss->nlis = i + 1;
			return -EADDRNOTAVAIL;
		}
		ss->nlis = i + 1;
		log_info("listening on %s port %u", nd->conf.listen[i].addr,
		    nd->conf.listen[i].port);
	}
	uv_check_init(&nd->loop.uv, &ss->check);
	ss->check.data = ss;
	uv_check_start(&ss->check, on_check);
	uv_timer_init(&nd->loop.uv, &ss->ka);
	ss->ka.data = ss;
	uv_timer_start(&ss->ka, on_ka, nd->conf.keepalive_ms,
	    nd->conf.keepalive_ms);
	if (nd->store->ops->follow != NULL) {
		ss->shared = true;
		ss->through = dir_rev(nd->dir);
		nd->cnt.through = ss->through;
		dir_out_init(&ss->rout);
		if ((rc = uv_async_init(&nd->loop.uv, &ss->wake, on_wake)) < 0)
			return rc;
		ss->wake.data = ss;
		if (nd->store->ops->follow(nd->store, wake_cb, ss) < 0) {
			log_err("store %s: %s", nd->store->ops->name,
			    nd->store->err);
			return -EIO;
		}
	}
	return 0;
}

void
nvad_sessions_stop(struct nvad *nd)
{
	struct nvad_sessions *ss = nd->ss;
	unsigned i;

	if (ss == NULL)
		return;
	batch_release(ss);
	while (ss->head != NULL)
		sess_close(ss->head, "nvad stopping");
	batch_release(ss);
	if (ss->shared) {
		/* the store's thread calls wake_cb: it stops before the
		 * handle it wakes goes */
		nd->store->ops->close(nd->store);
		nd->store = NULL;
		if (!uv_is_closing((uv_handle_t *)&ss->wake))
			uv_close((uv_handle_t *)&ss->wake, NULL);
	}
	for (i = 0; i < ss->nlis; i++)
		if (!uv_is_closing((uv_handle_t *)&ss->lis[i]))
			uv_close((uv_handle_t *)&ss->lis[i], NULL);
	if (!uv_is_closing((uv_handle_t *)&ss->check)) {
		uv_check_stop(&ss->check);
		uv_close((uv_handle_t *)&ss->check, NULL);
	}
	if (!uv_is_closing((uv_handle_t *)&ss->ka)) {
		uv_timer_stop(&ss->ka);
		uv_close((uv_handle_t *)&ss->ka, NULL);
	}
}

void
nvad_sessions_free(struct nvad *nd)
{
	struct nvad_sessions *ss = nd->ss;
	struct hmap_iter it;
	struct hnode *n;

	if (ss == NULL)
		return;
	hmap_iter_init(&ss->vnsubs, &it);
	while ((n = hmap_iter_next(&ss->vnsubs, &it)) != NULL) {
		struct vnsub *v = HMAP_CONTAINER(n, struct vnsub, node);

		hmap_remove(&ss->vnsubs, n);
		free(v->s);
		free(v);
	}
	hmap_fini(&ss->vnsubs);
	dir_out_free(&ss->out);
	nva_tls_free(ss->tls);
	free(ss->lis);
	free(ss->changed);
	free(ss->moved);
	free(ss->topush);
	free(ss->lost);
	if (ss->shared)
		dir_out_free(&ss->rout);
	free(ss);
	nd->ss = NULL;
}
