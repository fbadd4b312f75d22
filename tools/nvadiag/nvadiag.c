/*
 * nvadiag.c - a scripted NVE for talking to nvad by hand and in tests:
 * connects with TLS (its own certificate), runs commands one per line
 * from a file or standard input, and prints every message nvad sends as
 * one JSON line on standard output.
 *
 * Commands (addresses: MAC, IPv4, IPv6; IP@MAC gives an IP its MAC):
 *   hello NAME UNDERLAY...             register
 *   subscribe VN... [since REV EPOCH]  follow VNs (resync from REV)
 *   unsubscribe VN...
 *   report VN associated|activated ADDR... [migration]
 *   withdraw VN ADDR...
 *   query VN ADDR
 *   audit VN IP@MAC...
 *   subnet VN PREFIX/LEN attach|detach
 *   keepalive
 *   body HEX [close]  send HEX as an Envelope's octets, length prefixed
 *   raw HEX [close]   send HEX as is (framing tests); with close, nvad
 *                 must then end the session (else exit 1)
 *   expect BODY [CODE]   wait for a message of that kind (and, for an
 *                        error, that code name); exit 1 after -t seconds
 *   expect-close  wait for nvad to close the session; exit 1 otherwise
 *   sleep MS      read and print for MS milliseconds
 *   # ...         comment
 * After Welcome it sends a KeepAlive every period the NVA named, as an
 * NVE does, so a slow script is not cut off.
 * Exit: 0 the script ran to its end, 1 an expect failed or the session
 * ended early, 2 usage or start-up error.
 *
 * One thread, one libuv loop.  Relies on lib/nva (codec, TLS).  A tool:
 * the request helpers build messages as an NVE would, nothing more.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <uv.h>

#include "nva/nva.h"
#include "nva/nva_tls.h"
#include "util/hex.h"

struct diag {
	uv_loop_t	*loop;
	struct nva_tls	*tls;
	struct nva_conn	*conn;
	struct nva_rx	 rx;
	FILE		*script;
	int		 lineno;
	uint64_t	 xid;
	uv_timer_t	 timer;
	uv_timer_t	 ka;		/* keep-alives, as an NVE sends them */
	uv_idle_t	 idle;
	enum { W_NONE, W_EXPECT, W_SLEEP, W_CLOSE } wait;
	/* commands from a pipe (interactive use, tests driving it line by
	 * line): read by libuv so that messages print while we wait */
	bool		 piped, in_eof;
	uv_pipe_t	 in;
	char		*inbuf;
	size_t		 inlen;
	char		 want_body[32], want_code[32];
	double		 timeout_s;
	bool		 open, closed;
	int		 rc;
};

static struct diag g;

static void	next_cmd(void);
static void	on_idle(uv_idle_t *h);

static void
usage(FILE *f)
{
	fprintf(f,
"usage: nvadiag -c CERT -k KEY -a CA [-t SECONDS] [-x SCRIPT] ADDR [PORT]\n"
"\n"
"A scripted NVE: connects to nvad at ADDR (default port 4790) with\n"
"mutual TLS, runs the commands of SCRIPT (default: standard input) and\n"
"prints what nvad sends as JSON lines.  Commands: hello, subscribe,\n"
"unsubscribe, report, withdraw, query, audit, subnet, keepalive, body,\n"
"raw, expect, expect-close, sleep (see the top of nvadiag.c or\n"
"nvad(8)).  -t is how long expect waits (default 5).\n");
}

/* ---- printing messages as JSON ------------------------------------------ */

static json_t *
bytes_json(const ProtobufCBinaryData *b)
{
	struct nva_addr a;
	char txt[NVA_ADDR_STRLEN], *hx;
	json_t *j;

	if (b->len == 4 || b->len == 6 || b->len == 16) {
		nva_addr_from(&a, b);
		return json_string(nva_addr_fmt(&a, txt));
	}
	if ((hx = malloc(b->len * 2 + 1)) == NULL)
		return json_null();
	hex_encode(b->data, b->len, 0, hx, b->len * 2 + 1);
	j = json_string(hx);
	free(hx);
	return j;
}

static json_t *msg_json(const ProtobufCMessage *m);

static json_t *
value_json(const ProtobufCFieldDescriptor *f, const void *p)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_UINT32:
		return json_integer(*(const uint32_t *)p);
	case PROTOBUF_C_TYPE_UINT64: {
		/* JSON numbers past 2^63 would come out negative: a string */
		uint64_t v = *(const uint64_t *)p;
		char b[24];

		if (v <= INT64_MAX)
			return json_integer((json_int_t)v);
		snprintf(b, sizeof(b), "%llu", (unsigned long long)v);
		return json_string(b);
	}
	case PROTOBUF_C_TYPE_BOOL:
		return json_boolean(*(const protobuf_c_boolean *)p);
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
		    f->descriptor, *(const int *)p);

		return v ? json_string(v->name) : json_integer(*(const int *)p);
	}
	case PROTOBUF_C_TYPE_STRING:
		return json_string(*(char *const *)p ? *(char *const *)p : "");
	case PROTOBUF_C_TYPE_BYTES:
		return bytes_json(p);
	case PROTOBUF_C_TYPE_MESSAGE:
		return *(ProtobufCMessage *const *)p ?
		    msg_json(*(ProtobufCMessage *const *)p) : json_null();
	default:
		return json_null();
	}
}

static size_t
value_size(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_UINT32: return sizeof(uint32_t);
	case PROTOBUF_C_TYPE_UINT64: return sizeof(uint64_t);
	case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_ENUM: return sizeof(int);
	case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE: return sizeof(ProtobufCMessage *);
	default: return 0;
	}
}

/* Any message of nva.proto, by its descriptor (oneof members that are
 * not the chosen one are skipped). */
static json_t *
msg_json(const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	json_t *o = json_object();
	unsigned i;

	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)m;

		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			if (*(const uint32_t *)(base + f->quantifier_offset) !=
			    f->id)
				continue;
			json_object_set_new(o, "body", json_string(f->name));
			json_object_set_new(o, f->name,
			    value_json(f, base + f->offset));
		} else if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + f->quantifier_offset);
			const char *arr = *(char *const *)(base + f->offset);
			json_t *a = json_array();

			for (size_t k = 0; k < n; k++)
				json_array_append_new(a, value_json(f,
				    arr + k * value_size(f)));
			json_object_set_new(o, f->name, a);
		} else {
			json_object_set_new(o, f->name,
			    value_json(f, base + f->offset));
		}
	}
	return o;
}

/* ---- receiving ------------------------------------------------------------- */

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nvadiag: line %d: ", g.lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	g.rc = 1;
	if (g.conn != NULL && !g.closed)
		nva_conn_close(g.conn);
	g.conn = NULL;
	uv_stop(g.loop);
}

static void	send_env(Nva__Envelope *e);

static void
on_ka(uv_timer_t *t)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__KeepAlive k = NVA__KEEP_ALIVE__INIT;

	(void)t;
	if (g.conn == NULL || g.closed)
		return;
	e.body_case = NVA__ENVELOPE__BODY_KEEPALIVE;
	e.keepalive = &k;
	send_env(&e);
}

static void
got(const Nva__Envelope *e)
{
	json_t *j = msg_json(&e->base);
	char *s = json_dumps(j, JSON_COMPACT);

	printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(j);
	if (e->body_case == NVA__ENVELOPE__BODY_WELCOME &&
	    e->welcome->keepalive_ms > 0)
		uv_timer_start(&g.ka, on_ka, e->welcome->keepalive_ms,
		    e->welcome->keepalive_ms);
	if (g.wait == W_EXPECT &&
	    strcmp(nva_body_name(e->body_case), g.want_body) == 0 &&
	    (g.want_code[0] == '\0' ||
	    (e->body_case == NVA__ENVELOPE__BODY_ERROR &&
	    strcmp(nva_code_name((enum nva_code)e->error->code),
	    g.want_code) == 0) ||
	    (e->body_case == NVA__ENVELOPE__BODY_VERDICT &&
	    strcmp(nva_code_name((enum nva_code)e->verdict->code),
	    g.want_code) == 0))) {
		g.wait = W_NONE;
		uv_timer_stop(&g.timer);
		uv_idle_start(&g.idle, on_idle);
	}
}

static void
on_data(struct nva_conn *c, const uint8_t *p, size_t n, void *arg)
{
	const uint8_t *msg;
	size_t len;
	int rc;

	(void)c; (void)arg;
	if (nva_rx_feed(&g.rx, p, n) < 0) {
		fail("%s", "nvad sent broken framing");
		return;
	}
	while ((rc = nva_rx_next(&g.rx, &msg, &len)) == 1) {
		Nva__Envelope *e;
		char why[200];

		if (nva_decode(msg, len, &e, why, sizeof(why)) != NVA_OK) {
			fprintf(stderr, "nvadiag: bad message from nvad: %s\n",
			    why);
			continue;
		}
		got(e);
		nva_free(e);
	}
}

static void
on_open(struct nva_conn *c, void *arg)
{
	(void)arg;
	g.open = true;
	fprintf(stderr, "nvadiag: connected, server certificate \"%s\"\n",
	    nva_conn_peer(c));
	uv_idle_start(&g.idle, on_idle);
}

static void
on_close(struct nva_conn *c, int err, void *arg)
{
	(void)arg;
	g.closed = true;
	g.conn = NULL;
	if (g.wait == W_CLOSE) {
		fprintf(stderr, "nvadiag: nvad closed the session (%s)\n",
		    err ? nva_conn_error(c) : "orderly");
		g.wait = W_NONE;
		uv_timer_stop(&g.timer);
		uv_idle_start(&g.idle, on_idle);
		return;
	}
	fail("session ended: %s", err ? nva_conn_error(c) : "closed by nvad");
}

static const struct nva_conn_cbs cbs = { on_open, on_data, on_close };

/* ---- sending ---------------------------------------------------------------- */

static void
send_env(Nva__Envelope *e)
{
	if (g.conn == NULL)
		return;
	uint8_t *buf;
	size_t n;
	ssize_t w;

	e->xid = ++g.xid;
	n = nva_frame_size(e);
	if ((buf = malloc(n)) == NULL) {
		fail("%s", "out of memory");
		return;
	}
	if ((w = nva_encode(e, buf, n)) < 0) {
		free(buf);
		fail("cannot encode the message: %s", strerror((int)-w));
		return;
	}
	nva_conn_write(g.conn, buf, (size_t)w);
	nva_conn_flush(g.conn);
	free(buf);
}

/* "IP@MAC" or an address into an Nva__Address (storage in a/mac). */
static int
parse_address(const char *s, Nva__Address *out, struct nva_addr *a,
    struct nva_addr *mac)
{
	char buf[128], *at;

	snprintf(buf, sizeof(buf), "%s", s);
	nva__address__init(out);
	if ((at = strchr(buf, '@')) != NULL) {
		*at++ = '\0';
		if (nva_addr_parse(mac, at) < 0 || mac->len != 6)
			return -1;
		out->mac.data = mac->a;
		out->mac.len = 6;
	}
	if (nva_addr_parse(a, buf) < 0)
		return -1;
	out->addr.data = a->a;
	out->addr.len = a->len;
	return 0;
}

#define MAXW 80

static void
fail_timeout_cb(uv_timer_t *t)
{
	(void)t;
	if (g.wait == W_CLOSE)
		fail("%s", "nvad did not close the session");
	else
		fail("no '%s' came in time", g.want_body);
}

static void
sleep_done_cb(uv_timer_t *t)
{
	(void)t;
	g.wait = W_NONE;
	uv_idle_start(&g.idle, on_idle);
}

static int
cmd_addrs(char **w, int nw, Nva__Address *ad, Nva__Address **adp,
    struct nva_addr *a, struct nva_addr *m)
{
	int i;

	for (i = 0; i < nw; i++) {
		if (parse_address(w[i], &ad[i], &a[i], &m[i]) < 0) {
			fail("bad address '%s'", w[i]);
			return -1;
		}
		adp[i] = &ad[i];
	}
	return 0;
}

static uint32_t
num(const char *s)
{
	return (uint32_t)strtoul(s, NULL, 0);
}

static void
run_cmd(char **w, int nw)
{
	static Nva__Address ad[MAXW], *adp[MAXW];
	static struct nva_addr a[MAXW], m[MAXW];
	static ProtobufCBinaryData under[MAXW];
	static uint32_t vns[MAXW];
	static uint8_t tsi[16] = { 0x5e, 0x1f, 0x0d, 0x1a, 0x90 };
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	const char *c = w[0];
	int i;

	if (strcmp(c, "hello") == 0 && nw >= 2) {
		Nva__Hello h = NVA__HELLO__INIT;

		for (i = 2; i < nw; i++) {
			if (nva_addr_parse(&a[i], w[i]) < 0) {
				fail("bad address '%s'", w[i]);
				return;
			}
			under[i - 2].data = a[i].a;
			under[i - 2].len = a[i].len;
		}
		h.nve = w[1];
		h.n_underlay = (size_t)(nw - 2);
		h.underlay = under;
		e.body_case = NVA__ENVELOPE__BODY_HELLO;
		e.hello = &h;
		send_env(&e);
	} else if ((strcmp(c, "subscribe") == 0 ||
	    strcmp(c, "unsubscribe") == 0) && nw >= 2) {
		Nva__Subscribe s = NVA__SUBSCRIBE__INIT;
		Nva__Unsubscribe u = NVA__UNSUBSCRIBE__INIT;
		int n = 0;

		for (i = 1; i < nw; i++) {
			if (strcmp(w[i], "since") == 0 && i + 2 < nw) {
				s.since_rev = strtoull(w[i + 1], NULL, 0);
				s.epoch = strtoull(w[i + 2], NULL, 0);
				break;
			}
			vns[n++] = num(w[i]);
		}
		if (c[0] == 's') {
			s.n_vn = (size_t)n;
			s.vn = vns;
			e.body_case = NVA__ENVELOPE__BODY_SUBSCRIBE;
			e.subscribe = &s;
		} else {
			u.n_vn = (size_t)n;
			u.vn = vns;
			e.body_case = NVA__ENVELOPE__BODY_UNSUBSCRIBE;
			e.unsubscribe = &u;
		}
		send_env(&e);
	} else if (strcmp(c, "report") == 0 && nw >= 4) {
		Nva__Report r = NVA__REPORT__INIT;
		bool mig = strcmp(w[nw - 1], "migration") == 0;

		r.vn = num(w[1]);
		r.state = strcmp(w[2], "activated") == 0 ?
		    NVA__STATE__ACTIVATED : strcmp(w[2], "associated") == 0 ?
		    NVA__STATE__ASSOCIATED : (Nva__State)num(w[2]);
		if (cmd_addrs(w + 3, nw - 3 - mig, ad, adp, a, m) < 0)
			return;
		r.n_addrs = (size_t)(nw - 3 - mig);
		r.addrs = adp;
		r.migration = mig;
		r.tsi.data = tsi;
		r.tsi.len = 16;
		e.body_case = NVA__ENVELOPE__BODY_REPORT;
		e.report = &r;
		send_env(&e);
	} else if (strcmp(c, "withdraw") == 0 && nw >= 3) {
		Nva__Withdraw wd = NVA__WITHDRAW__INIT;

		wd.vn = num(w[1]);
		if (cmd_addrs(w + 2, nw - 2, ad, adp, a, m) < 0)
			return;
		wd.n_addrs = (size_t)(nw - 2);
		wd.addrs = adp;
		e.body_case = NVA__ENVELOPE__BODY_WITHDRAW;
		e.withdraw = &wd;
		send_env(&e);
	} else if (strcmp(c, "query") == 0 && nw == 3) {
		Nva__Query q = NVA__QUERY__INIT;

		q.vn = num(w[1]);
		if (nva_addr_parse(&a[0], w[2]) < 0) {
			fail("bad address '%s'", w[2]);
			return;
		}
		q.addr.data = a[0].a;
		q.addr.len = a[0].len;
		e.body_case = NVA__ENVELOPE__BODY_QUERY;
		e.query = &q;
		send_env(&e);
	} else if (strcmp(c, "audit") == 0 && nw >= 3) {
		Nva__Audit au = NVA__AUDIT__INIT;

		au.vn = num(w[1]);
		if (cmd_addrs(w + 2, nw - 2, ad, adp, a, m) < 0)
			return;
		au.n_entries = (size_t)(nw - 2);
		au.entries = adp;
		e.body_case = NVA__ENVELOPE__BODY_AUDIT;
		e.audit = &au;
		send_env(&e);
	} else if (strcmp(c, "subnet") == 0 && nw == 4) {
		Nva__Subnet sn = NVA__SUBNET__INIT;
		char buf[64], *sl;

		snprintf(buf, sizeof(buf), "%s", w[2]);
		if ((sl = strchr(buf, '/')) == NULL) {
			fail("bad prefix '%s'", w[2]);
			return;
		}
		*sl++ = '\0';
		if (nva_addr_parse(&a[0], buf) < 0) {
			fail("bad prefix '%s'", w[2]);
			return;
		}
		sn.vn = num(w[1]);
		sn.prefix.data = a[0].a;
		sn.prefix.len = a[0].len;
		sn.plen = num(sl);
		sn.attach = strcmp(w[3], "attach") == 0;
		e.body_case = NVA__ENVELOPE__BODY_SUBNET;
		e.subnet = &sn;
		send_env(&e);
	} else if (strcmp(c, "keepalive") == 0) {
		Nva__KeepAlive k = NVA__KEEP_ALIVE__INIT;

		e.body_case = NVA__ENVELOPE__BODY_KEEPALIVE;
		e.keepalive = &k;
		send_env(&e);
	} else if ((strcmp(c, "body") == 0 || strcmp(c, "raw") == 0) &&
	    (nw == 2 || (nw == 3 && strcmp(w[2], "close") == 0))) {
		uint8_t *p, hdr[4];
		size_t n;
		long got;

		if ((p = malloc(strlen(w[1]) / 2 + 1)) == NULL) {
			fail("%s", "out of memory");
			return;
		}
		if ((got = hex_decode(w[1], p, strlen(w[1]) / 2 + 1)) < 0) {
			free(p);
			fail("bad hex '%s'", w[1]);
			return;
		}
		n = (size_t)got;
		if (c[0] == 'b') {
			hdr[0] = (uint8_t)(n >> 24);
			hdr[1] = (uint8_t)(n >> 16);
			hdr[2] = (uint8_t)(n >> 8);
			hdr[3] = (uint8_t)n;
			nva_conn_write(g.conn, hdr, 4);
		}
		nva_conn_write(g.conn, p, n);
		nva_conn_flush(g.conn);
		free(p);
		if (nw == 3) {		/* ... close: nvad must end it */
			g.wait = W_CLOSE;
			uv_timer_start(&g.timer, fail_timeout_cb,
			    (uint64_t)(g.timeout_s * 1000), 0);
			return;
		}
	} else if (strcmp(c, "expect") == 0 && (nw == 2 || nw == 3)) {
		snprintf(g.want_body, sizeof(g.want_body), "%s", w[1]);
		snprintf(g.want_code, sizeof(g.want_code), "%s",
		    nw == 3 ? w[2] : "");
		g.wait = W_EXPECT;
		uv_timer_start(&g.timer, fail_timeout_cb,
		    (uint64_t)(g.timeout_s * 1000), 0);
		return;
	} else if (strcmp(c, "expect-close") == 0) {
		g.wait = W_CLOSE;
		uv_timer_start(&g.timer, fail_timeout_cb,
		    (uint64_t)(g.timeout_s * 1000), 0);
		return;
	} else if (strcmp(c, "sleep") == 0 && nw == 2) {
		g.wait = W_SLEEP;
		uv_timer_start(&g.timer, sleep_done_cb, num(w[1]),
		    0);
		return;
	} else {
		fail("unknown command or wrong arguments: %s", c);
		return;
	}
	uv_idle_start(&g.idle, on_idle);
}

static void
on_idle(uv_idle_t *h)
{
	(void)h;
	next_cmd();
}

/* The next command line from the pipe's buffer into line; 0 or -1. */
static int
pipe_line(char *line, size_t sz)
{
	char *nl = g.inbuf ? memchr(g.inbuf, '\n', g.inlen) : NULL;
	size_t n;

	if (nl == NULL)
		return -1;
	n = (size_t)(nl - g.inbuf);
	if (n >= sz)
		n = sz - 1;
	memcpy(line, g.inbuf, n);
	line[n] = '\0';
	n = (size_t)(nl - g.inbuf) + 1;
	memmove(g.inbuf, g.inbuf + n, g.inlen - n);
	g.inlen -= n;
	return 0;
}

static void
in_alloc(uv_handle_t *h, size_t want, uv_buf_t *b)
{
	static char chunk[4096];

	(void)h; (void)want;
	b->base = chunk;
	b->len = sizeof(chunk);
}

static void
in_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
	char *p;

	if (n < 0) {
		g.in_eof = true;
		uv_read_stop(st);
	} else if (n > 0) {
		if ((p = realloc(g.inbuf, g.inlen + (size_t)n)) == NULL)
			return;
		g.inbuf = p;
		memcpy(g.inbuf + g.inlen, b->base, (size_t)n);
		g.inlen += (size_t)n;
	}
	if (g.wait == W_NONE && g.open && g.conn != NULL)
		uv_idle_start(&g.idle, on_idle);
}

/* Reads the next command and runs it; at the end of input, stops. */
static void
next_cmd(void)
{
	char line[4096], *w[MAXW], *tok, *save;
	int nw;

	uv_idle_stop(&g.idle);
	if (g.conn == NULL)
		return;
	for (;;) {
		if (g.piped) {
			if (pipe_line(line, sizeof(line)) < 0) {
				if (!g.in_eof)
					return;	/* in_read calls again */
				goto end;
			}
		} else if (fgets(line, sizeof(line), g.script) == NULL) {
			goto end;
		}
		g.lineno++;
		nw = 0;
		for (tok = strtok_r(line, " \t\r\n", &save);
		    tok != NULL && nw < MAXW;
		    tok = strtok_r(NULL, " \t\r\n", &save))
			w[nw++] = tok;
		if (nw > 0 && w[0][0] != '#')
			break;
	}
	run_cmd(w, nw);
	return;
end:
	nva_conn_close(g.conn);
	g.conn = NULL;
	uv_stop(g.loop);
}

int
main(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL, *ca = NULL, *xfile = NULL;
	struct sockaddr_storage sa;
	char err[NVA_TLS_ERR_MAX];
	unsigned port = 4790;
	int c, rc;

	g.timeout_s = 5;
	while ((c = getopt(argc, argv, "c:k:a:t:x:h")) != -1) {
		switch (c) {
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'a': ca = optarg; break;
		case 't': g.timeout_s = atof(optarg); break;
		case 'x': xfile = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (cert == NULL || key == NULL || ca == NULL || optind >= argc ||
	    argc - optind > 2 || g.timeout_s <= 0) {
		usage(stderr);
		return 2;
	}
	if (argc - optind == 2)
		port = (unsigned)strtoul(argv[optind + 1], NULL, 10);
	memset(&sa, 0, sizeof(sa));
	if ((strchr(argv[optind], ':') ? uv_ip6_addr(argv[optind], (int)port,
	    (struct sockaddr_in6 *)&sa) : uv_ip4_addr(argv[optind], (int)port,
	    (struct sockaddr_in *)&sa)) < 0) {
		fprintf(stderr, "nvadiag: bad address %s\n", argv[optind]);
		return 2;
	}
	g.script = xfile ? fopen(xfile, "r") : stdin;
	if (g.script == NULL) {
		fprintf(stderr, "nvadiag: %s: %s\n", xfile, strerror(errno));
		return 2;
	}
	if (nva_tls_new(&g.tls, false, cert, key, ca, err, sizeof(err)) < 0) {
		fprintf(stderr, "nvadiag: %s\n", err);
		return 2;
	}
	g.loop = uv_default_loop();
	nva_rx_init(&g.rx, 0);
	uv_timer_init(g.loop, &g.timer);
	uv_timer_init(g.loop, &g.ka);
	uv_idle_init(g.loop, &g.idle);
	if (xfile == NULL && uv_guess_handle(0) == UV_NAMED_PIPE) {
		g.piped = true;
		uv_pipe_init(g.loop, &g.in, 0);
		uv_pipe_open(&g.in, 0);
		uv_read_start((uv_stream_t *)&g.in, in_alloc, in_read);
	}
	if ((rc = nva_conn_connect(&g.conn, g.loop, (struct sockaddr *)&sa,
	    NULL, g.tls, &cbs, NULL)) < 0) {
		fprintf(stderr, "nvadiag: connect: %s\n", strerror(-rc));
		return 2;
	}
	uv_run(g.loop, UV_RUN_DEFAULT);
	uv_close((uv_handle_t *)&g.timer, NULL);
	uv_close((uv_handle_t *)&g.ka, NULL);
	uv_close((uv_handle_t *)&g.idle, NULL);
	if (g.piped)
		uv_close((uv_handle_t *)&g.in, NULL);
	uv_run(g.loop, UV_RUN_DEFAULT);
	free(g.inbuf);
	nva_rx_free(&g.rx);
	nva_tls_free(g.tls);
	if (xfile)
		fclose(g.script);
	return g.rc;
}
