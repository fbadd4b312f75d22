/*
 * fsm_nva_client.c - transcript driver for the NVE side of the NVA
 * protocol (lib/nva/nva_client.c).  Reads a script on stdin, prints a
 * transcript on stdout; scripts and goldens are in tests/fsm/nva_client/.
 * The script plays the transport and the NVA; every frame the machine
 * sends is decoded with nva_decode() and printed on one line.
 *
 * Script words (times: N, Nus, Nms or Ns; absolute):
 *   new [ka MS] [retry MIN MAX] [hello T] [query T]
 *                                  the client (nve1, underlay
 *                                  203.0.113.1); made with the defaults
 *                                  (ka 0, retry 1s 8s, hello 5s, query
 *                                  2s) by the first other line otherwise
 *   at T                           now = T
 *   tick | connected | disconnected [WHY]
 *   tsi set VN NAME STATE ADDR... [migration]   STATE associated|activated
 *   tsi del VN NAME
 *   query VN ADDR TOKEN
 *   subnet attach|detach VN PREFIX/LEN
 *   audit VN TOKEN IP MAC [IP MAC]...
 *   authorize VN NAME TOKEN ADDR...
 *   rx [xid N] BODY                an Envelope from the NVA; without xid,
 *                                  answers take the oldest request the
 *                                  script has not answered that wants
 *                                  that body (pushes: 0).  BODY:
 *       welcome epoch E rev R [ka MS] [nva NAME]
 *       ack [rev R] | keepalive [rev R] | hello
 *       error CODE [TEXT...]       CODE: a number or nva_code_name()
 *       syncdone VN[,VN...] rev R [full]
 *       update MAP [; MAP]...      MAP: VN ADDR NVE rev R STATE [seq S]
 *                                  [mac M] [frozen]; NVE's underlay is
 *                                  203.0.113.<digits ending its name>
 *       answer [MAP]
 *       moved MAP from NVE
 *       auditresult checked N bad M
 *       verdict allow|deny CODE [REASON...]
 *   counters                       prints the counters
 *   # ...                          comment, echoed
 * Transcript: "T > line", then "T   tx ..." per frame, "T   ev ..." per
 * event, "T   act ..." for actions, and "T   = STATE rev=R epoch=E
 * fib=N next=T" after each line.  T is in ms.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nva/nva_client.h"

#define MAXW	64
#define MAXOUT	256

static struct nva_client *cl;
static uint64_t now;
static int lineno;

/* What the client sent and the script has not answered yet. */
static struct {
	uint64_t		xid;
	Nva__Envelope__BodyCase	body;
} out[MAXOUT];
static unsigned nout;

static __attribute__((noreturn)) void
die(const char *why)
{
	fprintf(stderr, "script line %d: %s\n", lineno, why);
	exit(2);
}

static void
fmt_time(uint64_t t, char *buf, size_t len)
{
	if (t == UINT64_MAX)
		snprintf(buf, len, "never");
	else if (t % 1000 == 0)
		snprintf(buf, len, "%" PRIu64, t / 1000);
	else
		snprintf(buf, len, "%" PRIu64 ".%03" PRIu64, t / 1000,
		    t % 1000);
}

static void
prefix(void)
{
	char t[32];

	fmt_time(now, t, sizeof(t));
	printf("%s   ", t);
}

static uint64_t
parse_time(const char *w)
{
	char *end;
	uint64_t v = strtoull(w, &end, 10);

	if (end == w)
		die("bad time");
	if (strcmp(end, "") == 0 || strcmp(end, "us") == 0)
		return v;
	if (strcmp(end, "ms") == 0)
		return v * 1000;
	if (strcmp(end, "s") == 0)
		return v * 1000000;
	die("bad time unit");
}

static uint64_t
num(const char *w)
{
	char *end;
	uint64_t v = strtoull(w, &end, 10);

	if (*w == '\0' || *end != '\0')
		die("not a number");
	return v;
}

static void
tsi_id(const char *name, uint8_t id[NVA_TSI_LEN])
{
	if (strlen(name) > NVA_TSI_LEN)
		die("TSI name over 16 characters");
	memset(id, 0, NVA_TSI_LEN);
	memcpy(id, name, strlen(name));
}

static void
print_tsi(const uint8_t *id, size_t len)
{
	size_t i;

	if (id == NULL) {
		printf("-");
		return;
	}
	for (i = 0; i < len && id[i] != 0; i++)
		putchar(id[i] >= 0x21 && id[i] < 0x7f ? id[i] : '?');
}

static void
print_bin_addr(const ProtobufCBinaryData *b)
{
	struct nva_addr a;
	char buf[NVA_ADDR_STRLEN];

	if (nva_addr_from(&a, b) < 0)
		printf("?");
	else
		printf("%s", nva_addr_fmt(&a, buf));
}

static void
print_addrs(Nva__Address **v, size_t n)
{
	size_t i;

	printf("[");
	for (i = 0; i < n; i++) {
		printf("%s", i ? " " : "");
		print_bin_addr(&v[i]->addr);
		if (v[i]->mac.len > 0) {
			printf("@");
			print_bin_addr(&v[i]->mac);
		}
	}
	printf("]");
}

static void
print_vns(const uint32_t *v, size_t n)
{
	size_t i;

	printf("[");
	for (i = 0; i < n; i++)
		printf("%s%" PRIu32, i ? "," : "", v[i]);
	printf("]");
}

static int
on_send(void *arg, const uint8_t *frame, size_t len)
{
	Nva__Envelope *e;
	char err[128];
	enum nva_code c;
	uint32_t hl;
	size_t i;

	(void)arg;
	prefix();
	hl = (uint32_t)frame[0] << 24 | (uint32_t)frame[1] << 16 |
	    (uint32_t)frame[2] << 8 | frame[3];
	if (len < NVA_HDR_LEN || hl != len - NVA_HDR_LEN) {
		printf("tx BAD FRAME LENGTH\n");
		return 0;
	}
	c = nva_decode(frame + NVA_HDR_LEN, len - NVA_HDR_LEN, &e, err,
	    sizeof(err));
	if (c != NVA_OK) {
		printf("tx UNDECODABLE %s: %s\n", nva_code_name(c), err);
		return 0;
	}
	printf("tx %" PRIu64 " %s", e->xid, nva_body_name(e->body_case));
	switch (e->body_case) {
	case NVA__ENVELOPE__BODY_HELLO:
		printf(" nve=%s underlay=[", e->hello->nve);
		for (i = 0; i < e->hello->n_underlay; i++) {
			printf("%s", i ? " " : "");
			print_bin_addr(&e->hello->underlay[i]);
		}
		printf("] ka=%" PRIu32, e->hello->keepalive_ms);
		break;
	case NVA__ENVELOPE__BODY_SUBSCRIBE:
		printf(" vns=");
		print_vns(e->subscribe->vn, e->subscribe->n_vn);
		printf(" since=%" PRIu64 " epoch=%" PRIu64,
		    e->subscribe->since_rev, e->subscribe->epoch);
		break;
	case NVA__ENVELOPE__BODY_UNSUBSCRIBE:
		printf(" vns=");
		print_vns(e->unsubscribe->vn, e->unsubscribe->n_vn);
		break;
	case NVA__ENVELOPE__BODY_REPORT:
		printf(" vn=%" PRIu32 " tsi=", e->report->vn);
		print_tsi(e->report->tsi.data, e->report->tsi.len);
		printf(" %s ", nva_state_name((enum nva_state)
		    e->report->state));
		print_addrs(e->report->addrs, e->report->n_addrs);
		if (e->report->migration)
			printf(" migration");
		break;
	case NVA__ENVELOPE__BODY_WITHDRAW:
		printf(" vn=%" PRIu32 " tsi=", e->withdraw->vn);
		print_tsi(e->withdraw->tsi.data, e->withdraw->tsi.len);
		printf(" ");
		print_addrs(e->withdraw->addrs, e->withdraw->n_addrs);
		break;
	case NVA__ENVELOPE__BODY_QUERY:
		printf(" vn=%" PRIu32 " ", e->query->vn);
		print_bin_addr(&e->query->addr);
		break;
	case NVA__ENVELOPE__BODY_SUBNET:
		printf(" vn=%" PRIu32 " %s ", e->subnet->vn,
		    e->subnet->attach ? "attach" : "detach");
		print_bin_addr(&e->subnet->prefix);
		printf("/%" PRIu32, e->subnet->plen);
		break;
	case NVA__ENVELOPE__BODY_AUDIT:
		printf(" vn=%" PRIu32 " ", e->audit->vn);
		print_addrs(e->audit->entries, e->audit->n_entries);
		break;
	case NVA__ENVELOPE__BODY_AUTHORIZE:
		printf(" vn=%" PRIu32 " tsi=", e->authorize->vn);
		print_tsi(e->authorize->tsi.data, e->authorize->tsi.len);
		printf(" ");
		print_addrs(e->authorize->addrs, e->authorize->n_addrs);
		break;
	case NVA__ENVELOPE__BODY_KEEPALIVE:
		printf(" rev=%" PRIu64, e->keepalive->rev);
		break;
	default:
		printf(" (not an NVE message)");
		break;
	}
	printf("\n");
	if (e->xid != 0 && e->body_case != NVA__ENVELOPE__BODY_HELLO &&
	    nout < MAXOUT) {
		out[nout].xid = e->xid;
		out[nout].body = e->body_case;
		nout++;
	}
	nva_free(e);
	return 0;
}

static void
print_fib(const struct nvc_fib *f)
{
	char buf[NVA_ADDR_STRLEN], mac[NVA_ADDR_STRLEN];
	struct nva_addr m;
	unsigned i;

	printf("%s nve=%s [", nva_state_name(f->state), f->nve);
	for (i = 0; i < f->nunderlay; i++)
		printf("%s%s", i ? " " : "", nva_addr_fmt(&f->underlay[i],
		    buf));
	printf("] seq=%" PRIu64 " rev=%" PRIu64, f->seq, f->rev);
	if (f->has_mac) {
		m.len = 6;
		memcpy(m.a, f->mac, 6);
		printf(" mac=%s", nva_addr_fmt(&m, mac));
	}
	if (f->frozen)
		printf(" frozen");
	if (f->queried)
		printf(" queried");
}

static void
on_event(void *arg, const struct nvc_ev *ev)
{
	char buf[NVA_ADDR_STRLEN];
	const char *text = ev->text != NULL ? ev->text : "";

	(void)arg;
	prefix();
	switch (ev->type) {
	case NVC_EV_UP:
		printf("ev UP nva=%s", text);
		break;
	case NVC_EV_DOWN:
		printf("ev DOWN \"%s\"", text);
		break;
	case NVC_EV_SYNCED:
		printf("ev SYNCED vn=%" PRIu32 " %s", ev->vn,
		    ev->full ? "full" : "delta");
		break;
	case NVC_EV_UPDATE:
		printf("ev UPDATE vn=%" PRIu32 " %s ", ev->vn,
		    nva_addr_fmt(&ev->addr, buf));
		print_fib(ev->fib);
		break;
	case NVC_EV_MOVED:
		printf("ev MOVED vn=%" PRIu32 " %s from=%s to ", ev->vn,
		    nva_addr_fmt(&ev->addr, buf), text);
		print_fib(ev->fib);
		break;
	case NVC_EV_REFUSED:
		printf("ev REFUSED vn=%" PRIu32 " tsi=", ev->vn);
		print_tsi(ev->tsi, NVA_TSI_LEN);
		printf(" %s \"%s\"", nva_code_name(ev->code), text);
		break;
	case NVC_EV_ANSWER:
		printf("ev ANSWER token=%" PRIu64 " vn=%" PRIu32 " %s ",
		    ev->token, ev->vn, nva_addr_fmt(&ev->addr, buf));
		if (ev->fib != NULL)
			print_fib(ev->fib);
		else
			printf("none %s \"%s\"", nva_code_name(ev->code),
			    text);
		break;
	case NVC_EV_AUDIT:
		printf("ev AUDIT token=%" PRIu64 " vn=%" PRIu32
		    " checked=%u bad=%u", ev->token, ev->vn, ev->checked,
		    ev->bad);
		break;
	case NVC_EV_VERDICT:
		printf("ev VERDICT token=%" PRIu64 " vn=%" PRIu32 " tsi=",
		    ev->token, ev->vn);
		print_tsi(ev->tsi, NVA_TSI_LEN);
		printf(" %s %s \"%s\"%s", ev->allow ? "allow" : "deny",
		    nva_code_name(ev->code), text, ev->answered ? "" :
		    " unanswered");
		break;
	case NVC_EV_ERROR:
		printf("ev ERROR vn=%" PRIu32 " token=%" PRIu64 " %s \"%s\"",
		    ev->vn, ev->token, nva_code_name(ev->code), text);
		if (ev->tsi != NULL) {
			printf(" tsi=");
			print_tsi(ev->tsi, NVA_TSI_LEN);
		}
		break;
	}
	printf("\n");
}

static void
print_acts(int acts)
{
	if (acts & NVC_ACT_CONNECT) {
		prefix();
		printf("act CONNECT\n");
	}
	if (acts & NVC_ACT_CLOSE) {
		prefix();
		printf("act CLOSE\n");
	}
}

static void
print_state(void)
{
	char t[32];

	fmt_time(nva_client_next(cl), t, sizeof(t));
	prefix();
	printf("= %s rev=%" PRIu64 " epoch=%" PRIu64 " fib=%zu next=%s\n",
	    nvc_state_names[nva_client_state(cl)], nva_client_rev(cl),
	    nva_client_epoch(cl), nva_client_fib_count(cl), t);
}

static void
make_client(char **w, int n)
{
	static const struct nva_client_cbs cbs = { on_send, on_event };
	struct nva_client_conf c;
	int i;

	memset(&c, 0, sizeof(c));
	snprintf(c.nve, sizeof(c.nve), "nve1");
	if (nva_addr_parse(&c.underlay[0], "203.0.113.1") < 0)
		die("underlay");
	c.nunderlay = 1;
	c.retry_min_us = 1000000;
	c.retry_max_us = 8000000;
	c.hello_timeout_us = 5000000;
	c.query_timeout_us = 2000000;
	for (i = 1; i < n; i++) {
		if (strcmp(w[i], "ka") == 0 && i + 1 < n) {
			c.keepalive_ms = (uint32_t)num(w[++i]);
		} else if (strcmp(w[i], "retry") == 0 && i + 2 < n) {
			c.retry_min_us = parse_time(w[++i]);
			c.retry_max_us = parse_time(w[++i]);
		} else if (strcmp(w[i], "hello") == 0 && i + 1 < n) {
			c.hello_timeout_us = parse_time(w[++i]);
		} else if (strcmp(w[i], "query") == 0 && i + 1 < n) {
			c.query_timeout_us = parse_time(w[++i]);
		} else
			die("new [ka MS] [retry MIN MAX] [hello T] [query T]");
	}
	if (nva_client_new(&cl, &c, &cbs, NULL) < 0)
		die("nva_client_new");
}

static void
addr_of(const char *w, struct nva_addr *a)
{
	if (nva_addr_parse(a, w) < 0)
		die("bad address");
}

static enum nva_state
state_of(const char *w)
{
	int s;

	for (s = 0; s < NVA_ST_COUNT; s++)
		if (strcmp(w, nva_state_name((enum nva_state)s)) == 0)
			return (enum nva_state)s;
	die("bad state");
}

static Nva__Code
code_of(const char *w)
{
	int c;

	for (c = 0; c < NVA_CODE_COUNT; c++)
		if (strcmp(w, nva_code_name((enum nva_code)c)) == 0)
			return (Nva__Code)c;
	return (Nva__Code)num(w);
}

/* The oldest unanswered request whose kind wants this body. */
static uint64_t
take_xid(Nva__Envelope__BodyCase answer)
{
	unsigned i;

	for (i = 0; i < nout; i++) {
		Nva__Envelope__BodyCase b = out[i].body;
		bool fits;

		switch (answer) {
		case NVA__ENVELOPE__BODY_ACK:
			fits = b == NVA__ENVELOPE__BODY_REPORT ||
			    b == NVA__ENVELOPE__BODY_WITHDRAW ||
			    b == NVA__ENVELOPE__BODY_UNSUBSCRIBE ||
			    b == NVA__ENVELOPE__BODY_SUBNET;
			break;
		case NVA__ENVELOPE__BODY_ERROR:
			fits = true;
			break;
		case NVA__ENVELOPE__BODY_SYNC_DONE:
			fits = b == NVA__ENVELOPE__BODY_SUBSCRIBE;
			break;
		case NVA__ENVELOPE__BODY_ANSWER:
			fits = b == NVA__ENVELOPE__BODY_QUERY;
			break;
		case NVA__ENVELOPE__BODY_AUDIT_RESULT:
			fits = b == NVA__ENVELOPE__BODY_AUDIT;
			break;
		case NVA__ENVELOPE__BODY_VERDICT:
			fits = b == NVA__ENVELOPE__BODY_AUTHORIZE;
			break;
		default:
			return 0;
		}
		if (fits) {
			uint64_t x = out[i].xid;

			memmove(&out[i], &out[i + 1],
			    (nout - i - 1) * sizeof(out[0]));
			nout--;
			return x;
		}
	}
	return 0;
}

/* Storage for one rx message's mappings. */
#define MAXMAP	8
static Nva__Mapping maps[MAXMAP], *mapp[MAXMAP];
static struct nva_addr map_addr[MAXMAP], map_mac[MAXMAP], map_und[MAXMAP];
static ProtobufCBinaryData map_ub[MAXMAP];

/* MAP at w[*i]: VN ADDR NVE rev R STATE [seq S] [mac M] [frozen]. */
static Nva__Mapping *
parse_map(char **w, int n, int *i, unsigned k)
{
	Nva__Mapping *m = &maps[k];
	const char *nve, *d;

	if (k >= MAXMAP || *i + 6 > n)
		die("MAP: VN ADDR NVE rev R STATE [seq S] [mac M] [frozen]");
	nva__mapping__init(m);
	m->vn = (uint32_t)num(w[(*i)++]);
	addr_of(w[(*i)++], &map_addr[k]);
	m->addr.data = map_addr[k].a;
	m->addr.len = map_addr[k].len;
	nve = w[(*i)++];
	m->nve = (char *)(uintptr_t)nve;
	for (d = nve + strlen(nve); d > nve && d[-1] >= '0' && d[-1] <= '9';
	    d--)
		;
	if (*d != '\0') {
		char ip[32];

		snprintf(ip, sizeof(ip), "203.0.113.%s", d);
		addr_of(ip, &map_und[k]);
		map_ub[k].data = map_und[k].a;
		map_ub[k].len = map_und[k].len;
		m->underlay = &map_ub[k];
		m->n_underlay = 1;
	}
	if (strcmp(w[(*i)++], "rev") != 0)
		die("MAP: rev expected");
	m->rev = num(w[(*i)++]);
	if (*i >= n)
		die("MAP: state expected");
	m->state = (Nva__State)state_of(w[(*i)++]);
	while (*i < n) {
		if (strcmp(w[*i], "seq") == 0 && *i + 1 < n) {
			m->seq = num(w[*i + 1]);
			*i += 2;
		} else if (strcmp(w[*i], "mac") == 0 && *i + 1 < n) {
			addr_of(w[*i + 1], &map_mac[k]);
			m->mac.data = map_mac[k].a;
			m->mac.len = map_mac[k].len;
			*i += 2;
		} else if (strcmp(w[*i], "frozen") == 0) {
			m->frozen = 1;
			(*i)++;
		} else
			break;
	}
	mapp[k] = m;
	return m;
}

static void
join(char **w, int from, int n, char *buf, size_t len)
{
	int i;

	buf[0] = '\0';
	for (i = from; i < n; i++) {
		strncat(buf, w[i], len - strlen(buf) - 1);
		if (i + 1 < n)
			strncat(buf, " ", len - strlen(buf) - 1);
	}
}

static void
cmd_rx(char **w, int n)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Welcome wel = NVA__WELCOME__INIT;
	Nva__Ack ack = NVA__ACK__INIT;
	Nva__KeepAlive ka = NVA__KEEP_ALIVE__INIT;
	Nva__Hello hel = NVA__HELLO__INIT;
	Nva__Error er = NVA__ERROR__INIT;
	Nva__SyncDone sd = NVA__SYNC_DONE__INIT;
	Nva__Update up = NVA__UPDATE__INIT;
	Nva__Answer an = NVA__ANSWER__INIT;
	Nva__Moved mv = NVA__MOVED__INIT;
	Nva__AuditResult ar = NVA__AUDIT_RESULT__INIT;
	Nva__Verdict vd = NVA__VERDICT__INIT;
	static char text[256], nva[64];
	static Nva__Discrepancy dis[MAXMAP], *disp[MAXMAP];
	uint32_t vns[16];
	bool have_xid = false;
	const char *b;
	char *p;
	int i = 1;
	unsigned k = 0;

	if (n >= 3 && strcmp(w[1], "xid") == 0) {
		e.xid = num(w[2]);
		have_xid = true;
		i = 3;
	}
	if (i >= n)
		die("rx BODY");
	b = w[i++];
	if (strcmp(b, "welcome") == 0) {
		snprintf(nva, sizeof(nva), "nva1");
		for (; i + 1 < n; i += 2) {
			if (strcmp(w[i], "epoch") == 0)
				wel.epoch = num(w[i + 1]);
			else if (strcmp(w[i], "rev") == 0)
				wel.rev = num(w[i + 1]);
			else if (strcmp(w[i], "ka") == 0)
				wel.keepalive_ms = (uint32_t)num(w[i + 1]);
			else if (strcmp(w[i], "nva") == 0)
				snprintf(nva, sizeof(nva), "%s", w[i + 1]);
			else
				die("welcome epoch E rev R [ka MS] [nva N]");
		}
		wel.nva = nva;
		e.body_case = NVA__ENVELOPE__BODY_WELCOME;
		e.welcome = &wel;
	} else if (strcmp(b, "ack") == 0 || strcmp(b, "keepalive") == 0) {
		uint64_t rev = 0;

		if (i + 1 < n && strcmp(w[i], "rev") == 0)
			rev = num(w[i + 1]);
		if (b[0] == 'a') {
			ack.rev = rev;
			e.body_case = NVA__ENVELOPE__BODY_ACK;
			e.ack = &ack;
		} else {
			ka.rev = rev;
			e.body_case = NVA__ENVELOPE__BODY_KEEPALIVE;
			e.keepalive = &ka;
		}
	} else if (strcmp(b, "hello") == 0) {
		hel.nve = (char *)"nva1";
		e.body_case = NVA__ENVELOPE__BODY_HELLO;
		e.hello = &hel;
	} else if (strcmp(b, "error") == 0) {
		if (i >= n)
			die("error CODE [TEXT]");
		er.code = code_of(w[i++]);
		join(w, i, n, text, sizeof(text));
		er.text = text;
		e.body_case = NVA__ENVELOPE__BODY_ERROR;
		e.error = &er;
	} else if (strcmp(b, "syncdone") == 0) {
		if (i + 2 >= n || strcmp(w[i + 1], "rev") != 0)
			die("syncdone VN[,VN] rev R [full]");
		for (p = strtok(w[i], ","); p != NULL; p = strtok(NULL, ","))
			if (sd.n_vn < 16)
				vns[sd.n_vn++] = (uint32_t)num(p);
		sd.vn = vns;
		sd.rev = num(w[i + 2]);
		sd.full = i + 3 < n && strcmp(w[i + 3], "full") == 0;
		e.body_case = NVA__ENVELOPE__BODY_SYNC_DONE;
		e.sync_done = &sd;
	} else if (strcmp(b, "update") == 0) {
		while (i < n) {
			parse_map(w, n, &i, k++);
			if (i < n && strcmp(w[i], ";") == 0)
				i++;
		}
		up.n_mappings = k;
		up.mappings = mapp;
		e.body_case = NVA__ENVELOPE__BODY_UPDATE;
		e.update = &up;
	} else if (strcmp(b, "answer") == 0) {
		if (i < n)
			parse_map(w, n, &i, k++);
		an.n_mappings = k;
		an.mappings = mapp;
		e.body_case = NVA__ENVELOPE__BODY_ANSWER;
		e.answer = &an;
	} else if (strcmp(b, "moved") == 0) {
		mv.mapping = parse_map(w, n, &i, k++);
		if (i + 1 >= n || strcmp(w[i], "from") != 0)
			die("moved MAP from NVE");
		mv.from_nve = w[i + 1];
		e.body_case = NVA__ENVELOPE__BODY_MOVED;
		e.moved = &mv;
	} else if (strcmp(b, "auditresult") == 0) {
		if (i + 3 >= n)
			die("auditresult checked N bad M");
		ar.checked = (uint32_t)num(w[i + 1]);
		ar.n_bad = num(w[i + 3]);
		if (ar.n_bad > MAXMAP)
			die("at most 8 bad");
		for (k = 0; k < ar.n_bad; k++) {
			nva__discrepancy__init(&dis[k]);
			disp[k] = &dis[k];
		}
		ar.bad = disp;
		e.body_case = NVA__ENVELOPE__BODY_AUDIT_RESULT;
		e.audit_result = &ar;
	} else if (strcmp(b, "verdict") == 0) {
		if (i + 1 >= n)
			die("verdict allow|deny CODE [REASON]");
		vd.allow = strcmp(w[i], "allow") == 0;
		vd.code = code_of(w[i + 1]);
		join(w, i + 2, n, text, sizeof(text));
		vd.reason = text;
		e.body_case = NVA__ENVELOPE__BODY_VERDICT;
		e.verdict = &vd;
	} else
		die("unknown rx body");
	if (!have_xid)
		e.xid = take_xid(e.body_case);
	else
		for (k = 0; k < nout; k++)	/* answered by hand */
			if (out[k].xid == e.xid) {
				memmove(&out[k], &out[k + 1],
				    (nout - k - 1) * sizeof(out[0]));
				nout--;
				break;
			}
	prefix();
	printf("rx %" PRIu64 " %s\n", e.xid, nva_body_name(e.body_case));
	print_acts(nva_client_input(cl, &e, now));
}

static void
print_counters(void)
{
	const struct nvc_counters *c = nva_client_counters(cl);

	prefix();
	printf("connects=%" PRIu64 " sessions=%" PRIu64 " hello_fail=%"
	    PRIu64 " ka_lost=%" PRIu64 " tx=%" PRIu64 " rx=%" PRIu64
	    " rx_bad=%" PRIu64 "\n", c->connects, c->sessions, c->hello_fail,
	    c->ka_lost, c->tx_msgs, c->rx_msgs, c->rx_bad);
	prefix();
	printf("reports=%" PRIu64 " withdraws=%" PRIu64 " refused=%" PRIu64
	    " updates=%" PRIu64 " moved=%" PRIu64 " queries=%" PRIu64
	    " answers=%" PRIu64 " query_timeouts=%" PRIu64 " full=%" PRIu64
	    " delta=%" PRIu64 "\n", c->reports, c->withdraws, c->refused,
	    c->updates, c->moved, c->queries, c->answers, c->query_timeouts,
	    c->resyncs_full, c->resyncs_delta);
	prefix();
	printf("conflict_retries=%" PRIu64 " conflict_giveups=%" PRIu64 "\n",
	    c->conflict_retries, c->conflict_giveups);
}

static void
print_rc(int rc)
{
	prefix();
	if (rc == 0)
		printf("rc 0\n");
	else
		printf("rc -%s\n", rc == -EINVAL ? "EINVAL" :
		    rc == -ENOENT ? "ENOENT" : rc == -ENOTCONN ? "ENOTCONN" :
		    rc == -ENOMEM ? "ENOMEM" : "?");
}

static void
command(char **w, int n)
{
	struct nva_addr a[NVA_ADDRS_MAX + 2];
	uint8_t id[NVA_TSI_LEN], macs[8][6];
	int i, na = 0;

	if (strcmp(w[0], "at") == 0 && n == 2) {
		uint64_t t = parse_time(w[1]);

		if (t < now)
			die("time goes back");
		now = t;
	} else if (strcmp(w[0], "tick") == 0) {
		print_acts(nva_client_tick(cl, now));
	} else if (strcmp(w[0], "connected") == 0) {
		nout = 0;
		nva_client_connected(cl, now);
	} else if (strcmp(w[0], "disconnected") == 0) {
		char why[128];

		join(w, 1, n, why, sizeof(why));
		nva_client_disconnected(cl, now, n > 1 ? why : NULL);
	} else if (strcmp(w[0], "tsi") == 0 && n >= 4 &&
	    strcmp(w[1], "set") == 0 && n >= 5) {
		bool mig = false;

		tsi_id(w[3], id);
		for (i = 5; i < n; i++) {
			if (strcmp(w[i], "migration") == 0)
				mig = true;
			else if (na < NVA_ADDRS_MAX + 2)
				addr_of(w[i], &a[na++]);
		}
		print_rc(nva_client_tsi_set(cl, (uint32_t)num(w[2]), id,
		    state_of(w[4]), a, (size_t)na, mig));
	} else if (strcmp(w[0], "tsi") == 0 && n == 4 &&
	    strcmp(w[1], "del") == 0) {
		tsi_id(w[3], id);
		print_rc(nva_client_tsi_del(cl, (uint32_t)num(w[2]), id));
	} else if (strcmp(w[0], "query") == 0 && n == 4) {
		addr_of(w[2], &a[0]);
		print_rc(nva_client_query(cl, (uint32_t)num(w[1]), &a[0],
		    num(w[3]), now));
	} else if (strcmp(w[0], "subnet") == 0 && n == 4) {
		char *slash = strchr(w[3], '/');

		if (slash == NULL)
			die("PREFIX/LEN");
		*slash = '\0';
		addr_of(w[3], &a[0]);
		print_rc(nva_client_subnet(cl, (uint32_t)num(w[2]), &a[0],
		    (unsigned)num(slash + 1), strcmp(w[1], "attach") == 0));
	} else if (strcmp(w[0], "audit") == 0 && n >= 5 && n % 2 == 1) {
		struct nva_addr m;

		for (i = 3; i + 1 < n && na < 8; i += 2, na++) {
			addr_of(w[i], &a[na]);
			addr_of(w[i + 1], &m);
			memcpy(macs[na], m.a, 6);
		}
		print_rc(nva_client_audit(cl, (uint32_t)num(w[1]), a,
		    (const uint8_t (*)[6])macs, (size_t)na, num(w[2])));
	} else if (strcmp(w[0], "authorize") == 0 && n >= 4) {
		tsi_id(w[2], id);
		for (i = 4; i < n && na < NVA_ADDRS_MAX; i++)
			addr_of(w[i], &a[na++]);
		print_rc(nva_client_authorize(cl, (uint32_t)num(w[1]), id, a,
		    (size_t)na, num(w[3]), now));
	} else if (strcmp(w[0], "rx") == 0) {
		cmd_rx(w, n);
	} else if (strcmp(w[0], "counters") == 0) {
		print_counters();
	} else
		die("unknown command");
}

int
main(void)
{
	char line[1024], copy[1024];

	while (fgets(line, sizeof(line), stdin)) {
		char *w[MAXW], *p;
		int n = 0;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (line[0] == '#') {
			printf("%s\n", line);
			continue;
		}
		snprintf(copy, sizeof(copy), "%s", line);
		for (p = strtok(copy, " \t"); p != NULL && n < MAXW;
		    p = strtok(NULL, " \t"))
			w[n++] = p;
		if (n == 0)
			continue;
		if (strcmp(w[0], "new") == 0) {
			if (cl != NULL)
				die("client made already");
			make_client(w, n);
		} else if (cl == NULL)
			make_client(w, 1);
		if (strcmp(w[0], "at") == 0) {
			command(w, n);		/* time lines print nothing */
			continue;
		}
		{
			char t[32];

			fmt_time(now, t, sizeof(t));
			printf("%s > %s\n", t, line);
		}
		if (strcmp(w[0], "new") != 0)
			command(w, n);
		print_state();
	}
	nva_client_free(cl);
	return 0;
}
