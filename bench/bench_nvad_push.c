/*
 * bench_nvad_push.c - how fast nvad takes mapping reports in and fans
 * them out to subscribed NVEs, how long a report takes to reach them,
 * what a mapping costs nvad in memory and on disk, and the same fan-out
 * workload on raw etcd v3 (puts plus watchers) for comparison.
 * bench/nvad_push.sh starts nvad and etcd and runs this.
 *
 * Phases (each bounded by --deadline seconds; a phase that runs out
 * prints what it measured and the program exits 1):
 *   nvad push   S subscriber sessions (certificates nveS1..nveS<S>) send
 *               Hello and Subscribe VN 5001; one reporter (nveR) sends N
 *               Reports of one MAC each (02:00 + the 32-bit index),
 *               at most W awaiting their Ack.  Every subscriber must
 *               receive each of the N mappings exactly once.
 *   nvad memory the reporter loads M mappings into VN 5002 (64 per
 *               Report); nvad's VmRSS (--pid) and the LMDB data file
 *               (--db) before and after, divided by M.
 *   nvad etcd mode  (--etcd-mode-port) the nvad push phase again,
 *               against a second nvad whose store is etcd ("store etcd",
 *               the same etcd as below): the same sessions and reports,
 *               --etcd-n of them; no memory phase.
 *   etcd        S watch streams on a key prefix and N puts of distinct
 *               keys, W in flight, through etcd's v3 JSON gateway with
 *               libcurl's multi interface; the same figures, then the
 *               ratios of push events per second: nvad (LMDB) / raw etcd
 *               and nvad in etcd mode / raw etcd (issue 5 aims at 1/1.5
 *               or better for the latter: at most 1.5x slower).
 *
 * Latency runs from the write of the request (Report / put) to the
 * arrival of each push (Update mapping / watch event), CLOCK_MONOTONIC,
 * over every (subscriber, mapping) pair, kept in a log-linear histogram
 * (1.6 % resolution).
 *
 * The subscribers do not decode pushed Updates with nva_decode(): at
 * millions of mappings a second the bench would measure itself.  A small
 * protobuf walker picks vn and addr out of each Mapping; every other
 * message goes through nva_decode().
 *
 * One thread, one libuv loop for the NVA sessions (lib/nva: nva_tls,
 * framing and codec), then a curl_multi_poll() loop for etcd.
 * Benchmarks print figures and never judge them: exit 0 when everything
 * worked, 1 when something did not (connection failed, an Error, counts
 * wrong, a deadline passed), 2 on usage errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <uv.h>

#include "nva/nva.h"
#include "nva/nva_tls.h"
#include "util/mtime.h"

#define VN_PUSH		5001
#define VN_LOAD		5002
#define MAX_S		4096
#define MAX_N		10000000u
#define KA_US		(1 * USEC_PER_SEC)
#define TICK_MS		100

/* ---- latency histogram (microseconds, log-linear) ------------------- */

#define H_SUB		64
#define H_LIN		128
#define H_BUCKETS	(H_LIN + 58 * H_SUB)

struct hist {
	uint64_t	 b[H_BUCKETS];
	uint64_t	 n, max;
};

static unsigned
h_index(uint64_t v)
{
	unsigned msb, shift;

	if (v < H_LIN)
		return (unsigned)v;
	msb = 63 - (unsigned)__builtin_clzll(v);
	shift = msb - 6;
	return H_LIN + (shift - 1) * H_SUB + (unsigned)((v >> shift) - H_SUB);
}

static uint64_t
h_value(unsigned i)
{
	unsigned shift;

	if (i < H_LIN)
		return i;
	shift = (i - H_LIN) / H_SUB + 1;
	return (uint64_t)((i - H_LIN) % H_SUB + H_SUB) << shift;
}

static void
h_add(struct hist *h, uint64_t us)
{
	h->b[h_index(us)]++;
	h->n++;
	if (us > h->max)
		h->max = us;
}

/* Percentile p (0..100) in ms: the low edge of the bucket that holds it. */
static double
h_pct(const struct hist *h, double p)
{
	uint64_t want, acc = 0;
	unsigned i;

	if (h->n == 0)
		return 0;
	want = (uint64_t)(p / 100.0 * (double)h->n);
	if (want >= h->n)
		want = h->n - 1;
	for (i = 0; i < H_BUCKETS; i++) {
		acc += h->b[i];
		if (acc > want)
			return (double)h_value(i) / 1000.0;
	}
	return (double)h->max / 1000.0;
}

/* ---- options and shared state --------------------------------------- */

struct opts {
	const char	*host, *pki, *nva_name, *db, *etcd, *etcd_prefix;
	int		 port, em_port;		/* em: the nvad in etcd mode */
	unsigned	 s, n, w, m, etcd_n;
	int		 pid, etcd_pid, em_pid;
	unsigned	 deadline_s;
};

static struct opts o = {
	.host = "127.0.0.1", .nva_name = "nva1", .port = 4790,
	.etcd_prefix = "/snbench/", .s = 100, .n = 100000, .w = 256,
	.m = 1000000, .etcd_n = 0, .pid = 0, .deadline_s = 120,
};

/*
 * The nvad phases run once per nvad: what differs between the runs.
 * The LMDB run takes n, m, pid and db from the options; the etcd-mode
 * run etcd_n reports, no memory phase, em_pid.
 */
struct target {
	const char	*label;
	int		 port, pid;
	const char	*db;
	unsigned	 n, m;
};
static struct target tgt;

static int failures;

static void
failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_nvad_push: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	failures++;
}

/* ---- the NVA side ---------------------------------------------------- */

enum ns_state { NS_CONNECTING, NS_HELLO, NS_SUBSCRIBING, NS_READY, NS_GONE };

struct nsess {
	struct nva_conn	*c;
	struct nva_tls	*tls;
	struct nva_rx	 rx;
	char		 name[NVA_NAME_MAX + 1];
	bool		 reporter;
	enum ns_state	 st;
	uint64_t	 got, dups, stray;
	uint8_t		*seen;		/* bitmap of N */
};

enum phase { PH_SETUP, PH_PUSH, PH_LOAD, PH_DONE };

static struct {
	uv_loop_t	*loop;
	uv_timer_t	 tick;
	struct nsess	*subs, rep;
	unsigned	 ready;
	enum phase	 ph;
	bool		 stop;
	uint64_t	 deadline_us, last_ka_us;
	/* push phase */
	uint64_t	*sent_ns;	/* per index */
	unsigned	 next, acked, outstanding, total;	/* reports */
	uint64_t	 t0_ns, t_ack_ns, t_push_ns;
	uint64_t	 pushed;		/* mappings, all subscribers */
	struct hist	 lat;
	uint64_t	 errors;
} g;

static uint8_t	 txbuf[NVA_FRAME_MAX + NVA_HDR_LEN];

static int
send_env(struct nsess *s, Nva__Envelope *e)
{
	ssize_t n = nva_encode(e, txbuf, sizeof(txbuf));

	if (n < 0)
		return (int)n;
	return nva_conn_write(s->c, txbuf, (size_t)n);
}

static void
send_keepalive(struct nsess *s)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__KeepAlive k = NVA__KEEP_ALIVE__INIT;

	e.body_case = NVA__ENVELOPE__BODY_KEEPALIVE;
	e.keepalive = &k;
	if (send_env(s, &e) == 0)
		nva_conn_flush(s->c);
}

static void
mac_of(uint8_t *mac, uint8_t b1, uint32_t i)
{
	mac[0] = 0x02;
	mac[1] = b1;
	mac[2] = (uint8_t)(i >> 24);
	mac[3] = (uint8_t)(i >> 16);
	mac[4] = (uint8_t)(i >> 8);
	mac[5] = (uint8_t)i;
}

/* One Report of cnt MACs from index first in vn (xid = report number). */
static int
send_report(uint32_t vn, uint8_t b1, uint32_t first, unsigned cnt,
    uint64_t xid)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Report r = NVA__REPORT__INIT;
	Nva__Address a[NVA_ADDRS_MAX], *ap[NVA_ADDRS_MAX];
	uint8_t mac[NVA_ADDRS_MAX][6], tsi[NVA_TSI_LEN] = { 0 };
	unsigned k;

	for (k = 0; k < cnt; k++) {
		nva__address__init(&a[k]);
		mac_of(mac[k], b1, first + k);
		a[k].addr.data = mac[k];
		a[k].addr.len = 6;
		ap[k] = &a[k];
	}
	memcpy(tsi, &first, sizeof(first));
	r.vn = vn;
	r.tsi.data = tsi;
	r.tsi.len = sizeof(tsi);
	r.state = NVA__STATE__ACTIVATED;
	r.n_addrs = cnt;
	r.addrs = ap;
	e.xid = xid;
	e.body_case = NVA__ENVELOPE__BODY_REPORT;
	e.report = &r;
	return send_env(&g.rep, &e);
}

/* Fills the reporter's window in the current phase, then flushes. */
static void
refill(void)
{
	unsigned per = g.ph == PH_LOAD ? NVA_ADDRS_MAX : 1;
	uint64_t now;

	if (g.ph != PH_PUSH && g.ph != PH_LOAD)
		return;
	now = mono_ns();
	while (g.outstanding < o.w && g.next < g.total) {
		uint32_t first = g.next * per;
		unsigned cnt = per;

		if (g.ph == PH_LOAD && tgt.m - first < cnt)
			cnt = tgt.m - first;
		if (send_report(g.ph == PH_PUSH ? VN_PUSH : VN_LOAD,
		    g.ph == PH_PUSH ? 0 : 1, first, cnt, g.next + 1) < 0) {
			failf("reporter: write failed");
			g.stop = true;
			return;
		}
		if (g.ph == PH_PUSH)
			g.sent_ns[g.next] = now;
		g.next++;
		g.outstanding++;
	}
	nva_conn_flush(g.rep.c);
}

static void
hello(struct nsess *s, unsigned idx)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Hello h = NVA__HELLO__INIT;
	ProtobufCBinaryData u;
	uint8_t ip[4] = { 203, 0, 113, (uint8_t)(idx % 250 + 1) };

	u.data = ip;
	u.len = 4;
	h.nve = s->name;
	h.n_underlay = 1;
	h.underlay = &u;
	e.xid = 1;
	e.body_case = NVA__ENVELOPE__BODY_HELLO;
	e.hello = &h;
	if (send_env(s, &e) < 0)
		failf("%s: cannot send Hello", s->name);
	nva_conn_flush(s->c);
}

static void
subscribe(struct nsess *s)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Subscribe sub = NVA__SUBSCRIBE__INIT;
	uint32_t vn = VN_PUSH;

	sub.n_vn = 1;
	sub.vn = &vn;
	e.xid = 2;
	e.body_case = NVA__ENVELOPE__BODY_SUBSCRIBE;
	e.subscribe = &sub;
	if (send_env(s, &e) < 0)
		failf("%s: cannot send Subscribe", s->name);
	nva_conn_flush(s->c);
}

static void
on_open(struct nva_conn *c, void *arg)
{
	struct nsess *s = arg;

	(void)c;
	s->st = NS_HELLO;
	hello(s, s->reporter ? 250 : (unsigned)(s - g.subs));
}

static void
on_close(struct nva_conn *c, int err, void *arg)
{
	struct nsess *s = arg;

	failf("%s: session ended (%s)", s->name,
	    err ? nva_conn_error(c) : "closed by nvad");
	s->st = NS_GONE;
	s->c = NULL;
	g.stop = true;
}

/* ---- a minimal protobuf walker for pushed Updates ------------------- */

static int
pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	unsigned shift = 0;

	*v = 0;
	while (*p < end && shift < 64) {
		uint8_t b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
		shift += 7;
	}
	return -1;
}

/* Skips a field of wire type wt; 0 or -1. */
static int
pb_skip(const uint8_t **p, const uint8_t *end, unsigned wt)
{
	uint64_t v;

	switch (wt) {
	case 0:
		return pb_varint(p, end, &v);
	case 1:
		if (end - *p < 8)
			return -1;
		*p += 8;
		return 0;
	case 2:
		if (pb_varint(p, end, &v) < 0 || v > (uint64_t)(end - *p))
			return -1;
		*p += v;
		return 0;
	case 5:
		if (end - *p < 4)
			return -1;
		*p += 4;
		return 0;
	default:
		return -1;
	}
}

static void
take_mapping(struct nsess *s, const uint8_t *p, const uint8_t *end,
    uint64_t now)
{
	const uint8_t *addr = NULL;
	uint64_t key, vn = 0, len;
	uint32_t idx;

	while (p < end) {
		if (pb_varint(&p, end, &key) < 0)
			goto bad;
		if (key == (1 << 3 | 0)) {
			if (pb_varint(&p, end, &vn) < 0)
				goto bad;
		} else if (key == (2 << 3 | 2)) {
			if (pb_varint(&p, end, &len) < 0 ||
			    len > (uint64_t)(end - p))
				goto bad;
			addr = len == 6 ? p : NULL;
			p += len;
		} else if (pb_skip(&p, end, key & 7) < 0)
			goto bad;
	}
	if (vn != VN_PUSH || addr == NULL || addr[0] != 2 || addr[1] != 0)
		goto bad;
	idx = (uint32_t)addr[2] << 24 | (uint32_t)addr[3] << 16 |
	    (uint32_t)addr[4] << 8 | addr[5];
	if (idx >= g.next)
		goto bad;	/* never reported */
	if (s->seen[idx >> 3] & (1u << (idx & 7))) {
		s->dups++;
		return;
	}
	s->seen[idx >> 3] |= (uint8_t)(1u << (idx & 7));
	s->got++;
	g.pushed++;
	h_add(&g.lat, (now - g.sent_ns[idx]) / 1000);
	g.t_push_ns = now;
	return;
bad:
	s->stray++;
}

/* 1 when msg is an Update (taken), 0 when it is something else. */
static int
take_update(struct nsess *s, const uint8_t *p, size_t n, uint64_t now)
{
	const uint8_t *end = p + n, *u = NULL, *uend;
	uint64_t key, len, ulen = 0;

	while (p < end) {
		if (pb_varint(&p, end, &key) < 0)
			return 0;
		if (key == (19 << 3 | 2)) {
			if (pb_varint(&p, end, &len) < 0 ||
			    len > (uint64_t)(end - p))
				return 0;
			u = p;
			ulen = len;
			p += len;
		} else if (pb_skip(&p, end, key & 7) < 0)
			return 0;
	}
	if (u == NULL)
		return 0;
	uend = u + ulen;
	while (u < uend) {
		if (pb_varint(&u, uend, &key) < 0)
			break;
		if (key != (1 << 3 | 2)) {
			if (pb_skip(&u, uend, key & 7) < 0)
				break;
			continue;
		}
		if (pb_varint(&u, uend, &len) < 0 ||
		    len > (uint64_t)(uend - u))
			break;
		take_mapping(s, u, u + len, now);
		u += len;
	}
	return 1;
}

static void
on_msg(struct nsess *s, const uint8_t *msg, size_t len, uint64_t now)
{
	Nva__Envelope *e;
	char why[200];

	if (!s->reporter && s->st == NS_READY && g.ph == PH_PUSH &&
	    take_update(s, msg, len, now))
		return;
	if (nva_decode(msg, len, &e, why, sizeof(why)) != NVA_OK) {
		failf("%s: undecodable message from nvad: %s", s->name, why);
		g.stop = true;
		return;
	}
	switch (e->body_case) {
	case NVA__ENVELOPE__BODY_WELCOME:
		if (s->reporter) {
			s->st = NS_READY;
			g.ready++;
		} else {
			s->st = NS_SUBSCRIBING;
			subscribe(s);
		}
		break;
	case NVA__ENVELOPE__BODY_SYNC_DONE:
		if (!s->reporter && s->st == NS_SUBSCRIBING) {
			s->st = NS_READY;
			g.ready++;
		}
		break;
	case NVA__ENVELOPE__BODY_ACK:
		if (!s->reporter || g.outstanding == 0) {
			failf("%s: unexpected Ack %llu", s->name,
			    (unsigned long long)e->xid);
			g.stop = true;
			break;
		}
		g.outstanding--;
		g.acked++;
		g.t_ack_ns = now;
		break;
	case NVA__ENVELOPE__BODY_ERROR:
		failf("%s: nvad answered xid %llu with %s: %s", s->name,
		    (unsigned long long)e->xid,
		    nva_code_name((enum nva_code)e->error->code),
		    e->error->text);
		g.errors++;
		g.stop = true;
		break;
	case NVA__ENVELOPE__BODY_UPDATE:
	case NVA__ENVELOPE__BODY_KEEPALIVE:
	case NVA__ENVELOPE__BODY_MOVED:
		break;		/* resync of older runs, keep-alives */
	default:
		failf("%s: unexpected %s", s->name,
		    nva_body_name(e->body_case));
		break;
	}
	nva_free(e);
}

static void
on_data(struct nva_conn *c, const uint8_t *p, size_t n, void *arg)
{
	struct nsess *s = arg;
	uint64_t now = mono_ns();
	const uint8_t *msg;
	size_t len;
	int rc;

	(void)c;
	if (nva_rx_feed(&s->rx, p, n) < 0) {
		failf("%s: broken framing from nvad", s->name);
		g.stop = true;
		return;
	}
	while ((rc = nva_rx_next(&s->rx, &msg, &len)) == 1)
		on_msg(s, msg, len, now);
	if (rc < 0) {
		failf("%s: broken framing from nvad", s->name);
		g.stop = true;
	}
	if (s->reporter)
		refill();
}

static const struct nva_conn_cbs cbs = { on_open, on_data, on_close };

static bool
push_done(void)
{
	unsigned i;

	if (g.acked < tgt.n)
		return false;
	for (i = 0; i < o.s; i++)
		if (g.subs[i].got < tgt.n)
			return false;
	return true;
}

static void
on_tick(uv_timer_t *t)
{
	uint64_t now = mono_us();
	unsigned i;

	(void)t;
	if (now - g.last_ka_us >= KA_US) {
		g.last_ka_us = now;
		for (i = 0; i < o.s; i++)
			if (g.subs[i].c != NULL && g.subs[i].st != NS_CONNECTING)
				send_keepalive(&g.subs[i]);
		if (g.rep.c != NULL && g.rep.st != NS_CONNECTING)
			send_keepalive(&g.rep);
	}
	if (now > g.deadline_us)
		uv_stop(g.loop);
}

/* Runs the loop until done() or stop or the deadline; 0 or -ETIMEDOUT. */
static int
run_until(bool (*done)(void))
{
	g.deadline_us = mono_us() + (uint64_t)o.deadline_s * USEC_PER_SEC;
	while (!g.stop && !done()) {
		if (mono_us() > g.deadline_us)
			return -ETIMEDOUT;
		uv_run(g.loop, UV_RUN_ONCE);
	}
	return g.stop ? -EIO : 0;
}

static bool
all_ready(void)
{
	return g.ready == o.s + 1;
}

static bool
load_done(void)
{
	return g.acked >= g.total;
}

static int
open_sess(struct nsess *s, const char *name, const struct sockaddr *sa)
{
	char cert[512], key[512], ca[512], err[NVA_TLS_ERR_MAX];
	int rc;

	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(cert, sizeof(cert), "%s/%s.pem", o.pki, name);
	snprintf(key, sizeof(key), "%s/%s.key", o.pki, name);
	snprintf(ca, sizeof(ca), "%s/ca.pem", o.pki);
	if ((rc = nva_tls_new(&s->tls, false, cert, key, ca, err,
	    sizeof(err))) < 0) {
		failf("%s: %s", name, err);
		return rc;
	}
	nva_rx_init(&s->rx, 0);
	s->st = NS_CONNECTING;
	if ((rc = nva_conn_connect(&s->c, g.loop, sa, o.nva_name, s->tls,
	    &cbs, s)) < 0) {
		failf("%s: connect: %s", name, strerror(-rc));
		s->c = NULL;
		return rc;
	}
	return 0;
}

static long long
rss_of(int pid)
{
	char path[64], line[256];
	long long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* utime + stime of pid in seconds, or -1. */
static double
cpu_of(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after "pid (comm) ": state is field 3, utime 14, stime 15 */
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 2, "%*c %*d %*d %*d "
	    "%*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void
db_size(long long *apparent, long long *alloc)
{
	char path[600];
	struct stat st;

	*apparent = *alloc = -1;
	if (tgt.db == NULL)
		return;
	snprintf(path, sizeof(path), "%s/data.mdb", tgt.db);
	if (stat(path, &st) < 0)
		return;
	*apparent = st.st_size;
	*alloc = (long long)st.st_blocks * 512;
}

static void
close_all(void)
{
	unsigned i;

	for (i = 0; i < o.s; i++)
		if (g.subs[i].c != NULL) {
			nva_conn_close(g.subs[i].c);
			g.subs[i].c = NULL;
		}
	if (g.rep.c != NULL) {
		nva_conn_close(g.rep.c);
		g.rep.c = NULL;
	}
	uv_close((uv_handle_t *)&g.tick, NULL);
	uv_run(g.loop, UV_RUN_NOWAIT);
	uv_run(g.loop, UV_RUN_DEFAULT);
	for (i = 0; i < o.s; i++) {
		nva_rx_free(&g.subs[i].rx);
		nva_tls_free(g.subs[i].tls);
		free(g.subs[i].seen);
	}
	nva_rx_free(&g.rep.rx);
	nva_tls_free(g.rep.tls);
}

static double nvad_events_s, em_events_s;	/* push events/s */

/* The nvad phases against t; *events_s gets push events per second. */
static int
bench_nvad(double *events_s)
{
	struct sockaddr_storage ss;
	char name[NVA_NAME_MAX + 1];
	double secs, ack_s, cpu0, cpu1;
	uint64_t dups = 0, stray = 0;
	unsigned i;
	int rc;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, o.host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		ss.ss_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)tgt.port);
	} else if (inet_pton(AF_INET6, o.host,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		ss.ss_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)tgt.port);
	} else {
		failf("--host %s: not a numeric address", o.host);
		return -1;
	}
	memset(&g, 0, sizeof(g));	/* a run before may have left state */
	g.loop = uv_default_loop();
	g.subs = calloc(o.s, sizeof(*g.subs));
	g.sent_ns = calloc(tgt.n, sizeof(*g.sent_ns));
	if (g.subs == NULL || g.sent_ns == NULL) {
		failf("out of memory");
		return -1;
	}
	uv_timer_init(g.loop, &g.tick);
	uv_timer_start(&g.tick, on_tick, TICK_MS, TICK_MS);
	g.last_ka_us = mono_us();

	/* set-up: S subscribers and the reporter registered */
	g.rep.reporter = true;
	if (open_sess(&g.rep, "nveR", (struct sockaddr *)&ss) < 0)
		goto out;
	for (i = 0; i < o.s; i++) {
		snprintf(name, sizeof(name), "nveS%u", i + 1);
		if ((g.subs[i].seen = calloc(tgt.n / 8 + 1, 1)) == NULL) {
			failf("out of memory");
			goto out;
		}
		if (open_sess(&g.subs[i], name, (struct sockaddr *)&ss) < 0)
			goto out;
	}
	if ((rc = run_until(all_ready)) < 0) {
		failf("%s set-up: %u of %u sessions ready (%s)", tgt.label,
		    g.ready, o.s + 1,
		    rc == -ETIMEDOUT ? "deadline passed" : "failed");
		goto out;
	}

	/* push */
	g.ph = PH_PUSH;
	g.total = tgt.n;
	cpu0 = tgt.pid > 0 ? cpu_of(tgt.pid) : -1;
	g.t0_ns = mono_ns();
	refill();
	rc = run_until(push_done);
	cpu1 = tgt.pid > 0 ? cpu_of(tgt.pid) : -1;
	for (i = 0; i < o.s; i++) {
		dups += g.subs[i].dups;
		stray += g.subs[i].stray;
	}
	secs = (double)(g.t_push_ns - g.t0_ns) / 1e9;
	ack_s = (double)(g.t_ack_ns - g.t0_ns) / 1e9;
	if (rc < 0)
		failf("%s push: %s: %u of %u reports acknowledged, %llu of %llu "
		    "push events received",
		    tgt.label, rc == -ETIMEDOUT ? "deadline passed" : "failed",
		    g.acked, tgt.n, (unsigned long long)g.pushed,
		    (unsigned long long)o.s * tgt.n);
	if (dups > 0 || stray > 0)
		failf("%s push: %llu duplicate and %llu unexpected mappings",
		    tgt.label, (unsigned long long)dups, (unsigned long long)stray);
	*events_s = secs > 0 && rc == 0 ? (double)g.pushed / secs : 0;
	printf("%s: %u subscribers, %u reports (window %u): %.0f reports/s, "
	    "%.0f push events/s, latency p50 %.2f ms p99 %.2f ms max %.2f ms"
	    "%s\n", tgt.label, o.s, g.acked, o.w,
	    ack_s > 0 ? g.acked / ack_s : 0,
	    secs > 0 ? (double)g.pushed / secs : 0, h_pct(&g.lat, 50),
	    h_pct(&g.lat, 99),
	    (double)g.lat.max / 1000.0, rc < 0 ? " (INCOMPLETE)" : "");
	printf("%s: %llu push events in %.3f s (acks done after %.3f s)",
	    tgt.label, (unsigned long long)g.pushed, secs, ack_s);
	if (cpu0 >= 0 && cpu1 >= 0 && secs > 0)
		printf("; nvad used %.2f s of CPU (%.0f%% of one core), "
		    "%.0f push events per nvad CPU second", cpu1 - cpu0,
		    (cpu1 - cpu0) * 100 / secs, cpu1 - cpu0 > 0 ?
		    (double)g.pushed / (cpu1 - cpu0) : 0);
	printf("\n");
	fflush(stdout);
	if (rc < 0 || tgt.m == 0)
		goto out;

	/* memory: M mappings in VN_LOAD, 64 per Report */
	{
		long long r0, r1, a0, a1, d0, d1;

		r0 = tgt.pid > 0 ? rss_of(tgt.pid) : -1;
		db_size(&a0, &d0);
		g.ph = PH_LOAD;
		g.next = g.acked = g.outstanding = 0;
		g.total = (tgt.m + NVA_ADDRS_MAX - 1) / NVA_ADDRS_MAX;
		g.t0_ns = mono_ns();
		refill();
		rc = run_until(load_done);
		secs = (double)(g.t_ack_ns - g.t0_ns) / 1e9;
		if (rc < 0) {
			failf("memory: %s: %u of %u reports acknowledged",
			    rc == -ETIMEDOUT ? "deadline passed" : "failed",
			    g.acked, g.total);
			goto out;
		}
		r1 = tgt.pid > 0 ? rss_of(tgt.pid) : -1;
		db_size(&a1, &d1);
		printf("memory: %u mappings loaded in %.2f s (%.0f mappings/s, "
		    "64 per report)", tgt.m, secs, secs > 0 ? tgt.m / secs : 0);
		if (r0 >= 0 && r1 >= 0)
			printf(", RSS +%.0f B/mapping (%lld -> %lld B)",
			    (double)(r1 - r0) / tgt.m, r0, r1);
		if (a0 >= 0 && a1 >= 0)
			printf(", LMDB %.0f B/mapping (data.mdb %lld -> %lld B, "
			    "allocated %lld -> %lld B)",
			    (double)(d1 - d0) / tgt.m, a0, a1, d0, d1);
		printf("\n");
		fflush(stdout);
	}
out:
	close_all();
	free(g.subs);
	free(g.sent_ns);
	return failures ? -1 : 0;
}

/* ---- raw etcd -------------------------------------------------------- */

struct wbuf {
	char		*p;
	size_t		 len, cap;
};

struct watcher {
	CURL		*h;
	struct wbuf	 in;
	bool		 created;
	uint64_t	 got, dups, stray;
	uint8_t		*seen;
};

struct putter {
	CURL		*h;
	struct wbuf	 in;
	char		 body[320];
	unsigned	 idx;
	bool		 busy;
};

static struct {
	CURLM		*m;
	struct watcher	*w;
	struct putter	*p;
	unsigned	 np, next, done, created;
	uint64_t	*sent_ns;
	uint64_t	 t0_ns, t_put_ns, t_ev_ns, events;
	struct hist	 lat;
	const char	*api;		/* "/v3" or "/v3beta" */
	struct curl_slist *hdr;
} et;

static int
wb_add(struct wbuf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static size_t
collect(char *p, size_t sz, size_t nm, void *arg)
{
	return wb_add(arg, p, sz * nm) < 0 ? 0 : sz * nm;
}

static void
b64(char *out, const char *in)
{
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)in,
	    (int)strlen(in));
}

/* The key of index i. */
static void
etcd_key(char *k, size_t len, unsigned i)
{
	snprintf(k, len, "%s%08u", o.etcd_prefix, i);
}

/* Events in the complete lines of w's buffer. */
static void
watch_lines(struct watcher *w, uint64_t now)
{
	size_t plen = strlen(o.etcd_prefix);
	char *line = w->in.p, *nl;

	while ((nl = memchr(line, '\n', w->in.len - (size_t)(line -
	    w->in.p))) != NULL) {
		char *q = line;

		*nl = '\0';
		if (strstr(line, "\"created\":true") != NULL && !w->created) {
			w->created = true;
			et.created++;
		}
		while ((q = strstr(q, "\"key\":\"")) != NULL) {
			unsigned char raw[128];
			char *end;
			unsigned long idx;
			int n;

			q += 7;
			if ((end = strchr(q, '"')) == NULL ||
			    end - q > 160 || (end - q) % 4 != 0) {
				w->stray++;
				break;
			}
			n = EVP_DecodeBlock(raw, (unsigned char *)q,
			    (int)(end - q));
			q = end;
			if (n < (int)plen + 8 || memcmp(raw, o.etcd_prefix,
			    plen) != 0) {
				w->stray++;
				continue;
			}
			raw[plen + 8] = '\0';
			idx = strtoul((char *)raw + plen, NULL, 10);
			if (idx >= et.next) {
				w->stray++;
				continue;
			}
			if (w->seen[idx >> 3] & (1u << (idx & 7))) {
				w->dups++;
				continue;
			}
			w->seen[idx >> 3] |= (uint8_t)(1u << (idx & 7));
			w->got++;
			et.events++;
			et.t_ev_ns = now;
			h_add(&et.lat, (now - et.sent_ns[idx]) / 1000);
		}
		line = nl + 1;
	}
	w->in.len -= (size_t)(line - w->in.p);
	memmove(w->in.p, line, w->in.len);
	w->in.p[w->in.len] = '\0';
}

static size_t
on_watch_data(char *p, size_t sz, size_t nm, void *arg)
{
	struct watcher *w = arg;

	if (wb_add(&w->in, p, sz * nm) < 0)
		return 0;
	watch_lines(w, mono_ns());
	return sz * nm;
}

static CURL *
etcd_handle(const char *path, const char *body, void *wfn, void *warg)
{
	char url[512];
	CURL *h = curl_easy_init();

	if (h == NULL)
		return NULL;
	snprintf(url, sizeof(url), "%s%s%s", o.etcd, et.api ? et.api : "", path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, et.hdr);
	curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, wfn);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, warg);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	return h;
}

/* Which v3 gateway prefix this etcd serves: 0 or -1. */
static int
etcd_detect(void)
{
	static const char *const apis[] = { "/v3", "/v3beta", "/v3alpha" };
	char body[128], k[64];
	unsigned i;

	b64(k, "snbench-probe");
	snprintf(body, sizeof(body), "{\"key\":\"%s\"}", k);
	for (i = 0; i < sizeof(apis) / sizeof(apis[0]); i++) {
		struct wbuf out = { 0 };
		long code = 0;
		CURL *h;

		et.api = apis[i];
		if ((h = etcd_handle("/kv/range", body, collect, &out)) == NULL)
			return -1;
		curl_easy_setopt(h, CURLOPT_TIMEOUT, 5L);
		if (curl_easy_perform(h) == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_cleanup(h);
		if (code == 200 && out.p != NULL &&
		    strstr(out.p, "\"header\"") != NULL) {
			free(out.p);
			return 0;
		}
		free(out.p);
	}
	et.api = NULL;
	return -1;
}

static int
put_start(struct putter *p)
{
	char k[64], v[64], kb[128], vb[128];

	p->idx = et.next++;
	etcd_key(k, sizeof(k), p->idx);
	snprintf(v, sizeof(v), "02:00:%02x:%02x:%02x:%02x nveR 203.0.113.250",
	    p->idx >> 24 & 255, p->idx >> 16 & 255, p->idx >> 8 & 255,
	    p->idx & 255);
	b64(kb, k);
	b64(vb, v);
	snprintf(p->body, sizeof(p->body), "{\"key\":\"%s\",\"value\":\"%s\"}",
	    kb, vb);
	p->in.len = 0;
	curl_easy_setopt(p->h, CURLOPT_COPYPOSTFIELDS, p->body);
	et.sent_ns[p->idx] = mono_ns();
	p->busy = true;
	return curl_multi_add_handle(et.m, p->h) == CURLM_OK ? 0 : -1;
}

static int
etcd_loop(bool (*done)(void), uint64_t deadline_us)
{
	CURLMsg *msg;
	int running, left;

	while (!done()) {
		if (mono_us() > deadline_us)
			return -ETIMEDOUT;
		if (curl_multi_perform(et.m, &running) != CURLM_OK)
			return -EIO;
		while ((msg = curl_multi_info_read(et.m, &left)) != NULL) {
			struct putter *p = NULL;
			long code = 0;
			unsigned i;

			if (msg->msg != CURLMSG_DONE)
				continue;
			for (i = 0; i < et.np; i++)
				if (et.p[i].h == msg->easy_handle)
					p = &et.p[i];
			if (p == NULL) {
				failf("etcd: a watch stream ended (%s)",
				    curl_easy_strerror(msg->data.result));
				return -EIO;
			}
			curl_easy_getinfo(p->h, CURLINFO_RESPONSE_CODE, &code);
			curl_multi_remove_handle(et.m, p->h);
			p->busy = false;
			if (msg->data.result != CURLE_OK || code != 200) {
				failf("etcd: put %u: %s, HTTP %ld", p->idx,
				    curl_easy_strerror(msg->data.result), code);
				return -EIO;
			}
			et.done++;
			et.t_put_ns = mono_ns();
			if (et.next < o.etcd_n && put_start(p) < 0)
				return -EIO;
		}
		curl_multi_poll(et.m, NULL, 0, TICK_MS, NULL);
	}
	return 0;
}

static bool
watches_created(void)
{
	return et.created == o.s;
}

static bool
etcd_done(void)
{
	return et.done == o.etcd_n && et.events >= (uint64_t)o.s * o.etcd_n;
}

static int
bench_etcd(void)
{
	char k[64], end[64], kb[128], eb[128], body[512];
	long long r0 = -1, r1 = -1;
	uint64_t dups = 0, stray = 0;
	double secs, put_s, ev_s;
	size_t plen;
	unsigned i;
	int rc = -1;

	if (o.etcd_n == 0)
		o.etcd_n = o.n;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		failf("etcd: curl_global_init failed");
		return -1;
	}
	et.hdr = curl_slist_append(NULL, "Content-Type: application/json");
	if (etcd_detect() < 0) {
		failf("etcd: %s answers none of /v3, /v3beta, /v3alpha "
		    "kv/range", o.etcd);
		goto out0;
	}
	et.m = curl_multi_init();
	curl_multi_setopt(et.m, CURLMOPT_MAXCONNECTS, (long)(o.s + o.w + 8));
	et.w = calloc(o.s, sizeof(*et.w));
	et.np = o.w < o.etcd_n ? o.w : o.etcd_n;
	et.p = calloc(et.np, sizeof(*et.p));
	et.sent_ns = calloc(o.etcd_n, sizeof(*et.sent_ns));
	if (et.w == NULL || et.p == NULL || et.sent_ns == NULL) {
		failf("out of memory");
		goto out;
	}
	/* watchers on [prefix, prefix+1) */
	snprintf(k, sizeof(k), "%s", o.etcd_prefix);
	snprintf(end, sizeof(end), "%s", o.etcd_prefix);
	plen = strlen(end);
	end[plen - 1]++;
	b64(kb, k);
	b64(eb, end);
	snprintf(body, sizeof(body), "{\"create_request\":{\"key\":\"%s\","
	    "\"range_end\":\"%s\"}}", kb, eb);
	for (i = 0; i < o.s; i++) {
		if ((et.w[i].seen = calloc(o.etcd_n / 8 + 1, 1)) == NULL ||
		    (et.w[i].h = etcd_handle("/watch", body, on_watch_data,
		    &et.w[i])) == NULL) {
			failf("out of memory");
			goto out;
		}
		curl_multi_add_handle(et.m, et.w[i].h);
	}
	if ((rc = etcd_loop(watches_created, mono_us() +
	    (uint64_t)o.deadline_s * USEC_PER_SEC)) < 0) {
		failf("etcd: %u of %u watches created", et.created, o.s);
		goto out;
	}
	for (i = 0; i < et.np; i++)
		if ((et.p[i].h = etcd_handle("/kv/put", "{}", collect,
		    &et.p[i].in)) == NULL) {
			failf("out of memory");
			goto out;
		}
	r0 = o.etcd_pid > 0 ? rss_of(o.etcd_pid) : -1;
	et.t0_ns = mono_ns();
	for (i = 0; i < et.np; i++)
		if (put_start(&et.p[i]) < 0) {
			failf("etcd: cannot start a put");
			goto out;
		}
	rc = etcd_loop(etcd_done, mono_us() +
	    (uint64_t)o.deadline_s * USEC_PER_SEC);
	r1 = o.etcd_pid > 0 ? rss_of(o.etcd_pid) : -1;
	for (i = 0; i < o.s; i++) {
		dups += et.w[i].dups;
		stray += et.w[i].stray;
	}
	secs = (double)(et.t_ev_ns - et.t0_ns) / 1e9;
	put_s = (double)(et.t_put_ns - et.t0_ns) / 1e9;
	ev_s = secs > 0 ? (double)et.events / secs : 0;
	if (rc < 0)
		failf("etcd: %s: %u of %u puts done, %llu of %llu watch events",
		    rc == -ETIMEDOUT ? "deadline passed" : "failed", et.done,
		    o.etcd_n, (unsigned long long)et.events,
		    (unsigned long long)o.s * o.etcd_n);
	if (dups > 0 || stray > 0)
		failf("etcd: %llu duplicate and %llu unexpected events",
		    (unsigned long long)dups, (unsigned long long)stray);
	printf("etcd: %u watchers, %u puts (window %u, gateway %s): %.0f puts/s, "
	    "%.0f watch events/s, latency p50 %.2f ms p99 %.2f ms max %.2f ms"
	    "%s\n", o.s, et.done, et.np, et.api, put_s > 0 ? et.done / put_s : 0,
	    ev_s, h_pct(&et.lat, 50), h_pct(&et.lat, 99),
	    (double)et.lat.max / 1000.0, rc < 0 ? " (INCOMPLETE)" : "");
	if (r0 >= 0 && r1 >= 0)
		printf("etcd: RSS +%.0f B/key over %u keys (%lld -> %lld B)\n",
		    (double)(r1 - r0) / et.done, et.done, r0, r1);
	if (rc == 0 && nvad_events_s > 0 && ev_s > 0)
		printf("ratio events/s nvad/etcd: %.1fx\n", nvad_events_s / ev_s);
	if (rc == 0 && em_events_s > 0 && ev_s > 0)
		printf("ratio events/s etcd mode/raw etcd: %.2fx (the aim: "
		    "0.67x or more, raw etcd at most 1.5x faster)\n",
		    em_events_s / ev_s);
	fflush(stdout);
out:
	for (i = 0; et.w != NULL && i < o.s; i++) {
		if (et.w[i].h != NULL) {
			curl_multi_remove_handle(et.m, et.w[i].h);
			curl_easy_cleanup(et.w[i].h);
		}
		free(et.w[i].in.p);
		free(et.w[i].seen);
	}
	for (i = 0; et.p != NULL && i < et.np; i++) {
		if (et.p[i].h != NULL) {
			if (et.p[i].busy)
				curl_multi_remove_handle(et.m, et.p[i].h);
			curl_easy_cleanup(et.p[i].h);
		}
		free(et.p[i].in.p);
	}
	free(et.w);
	free(et.p);
	free(et.sent_ns);
	if (et.m != NULL)
		curl_multi_cleanup(et.m);
out0:
	curl_slist_free_all(et.hdr);
	curl_global_cleanup();
	return rc < 0 || failures ? -1 : 0;
}

/* ---- main ------------------------------------------------------------ */

static void
usage(FILE *f)
{
	fprintf(f,
"usage: bench_nvad_push [options]\n"
"  --pki DIR         nva-certs folder: ca.pem, nveR, nveS1..nveS<S>\n"
"                    (without it the nvad phases are skipped)\n"
"  --host ADDR       nvad's address (127.0.0.1)\n"
"  --port N          nvad's port (4790)\n"
"  --nva-name NAME   the CN nvad's certificate must have (nva1)\n"
"  --pid PID         nvad's pid, for VmRSS\n"
"  --db DIR          nvad's LMDB folder, for data.mdb's size\n"
"  -s S              subscribers / watchers (100)\n"
"  -n N              reports (100000)\n"
"  -w W              reports or puts in flight (256)\n"
"  -m M              mappings for the memory figure (1000000; 0 skips)\n"
"  --etcd URL        etcd client URL (http://127.0.0.1:23790); none: skip\n"
"  --etcd-n N        puts for etcd (default: N)\n"
"  --etcd-pid PID    etcd's pid, for VmRSS\n"
"  --etcd-prefix P   key prefix (/snbench/)\n"
"  --etcd-mode-port N  port of a second nvad whose store is that etcd:\n"
"                    the push phase again there, --etcd-n reports\n"
"  --etcd-mode-pid PID  that nvad's pid, for its CPU time\n"
"  --deadline SECS   per phase (120)\n");
}

static unsigned
num(const char *s, unsigned lo, unsigned hi, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "bench_nvad_push: %s: %s not in %u..%u\n",
		    what, s, lo, hi);
		exit(2);
	}
	return (unsigned)v;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "pki", required_argument, NULL, 'P' },
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "nva-name", required_argument, NULL, 'N' },
		{ "pid", required_argument, NULL, 'i' },
		{ "db", required_argument, NULL, 'D' },
		{ "etcd", required_argument, NULL, 'E' },
		{ "etcd-n", required_argument, NULL, 'e' },
		{ "etcd-pid", required_argument, NULL, 'I' },
		{ "etcd-prefix", required_argument, NULL, 'x' },
		{ "etcd-mode-port", required_argument, NULL, 'q' },
		{ "etcd-mode-pid", required_argument, NULL, 'j' },
		{ "deadline", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	while ((ch = getopt_long(argc, argv, "s:n:w:m:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'P': o.pki = optarg; break;
		case 'H': o.host = optarg; break;
		case 'p': o.port = (int)num(optarg, 1, 65535, "--port"); break;
		case 'N': o.nva_name = optarg; break;
		case 'i': o.pid = (int)num(optarg, 1, 1u << 30, "--pid"); break;
		case 'D': o.db = optarg; break;
		case 'E': o.etcd = optarg; break;
		case 'e': o.etcd_n = num(optarg, 1, MAX_N, "--etcd-n"); break;
		case 'I': o.etcd_pid = (int)num(optarg, 1, 1u << 30,
		    "--etcd-pid"); break;
		case 'x': o.etcd_prefix = optarg; break;
		case 'q': o.em_port = (int)num(optarg, 1, 65535,
		    "--etcd-mode-port"); break;
		case 'j': o.em_pid = (int)num(optarg, 1, 1u << 30,
		    "--etcd-mode-pid"); break;
		case 'T': o.deadline_s = num(optarg, 1, 3600, "--deadline");
			break;
		case 's': o.s = num(optarg, 1, MAX_S, "-s"); break;
		case 'n': o.n = num(optarg, 1, MAX_N, "-n"); break;
		case 'w': o.w = num(optarg, 1, 65536, "-w"); break;
		case 'm': o.m = num(optarg, 0, MAX_N, "-m"); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || (o.pki == NULL && o.etcd == NULL)) {
		usage(stderr);
		return 2;
	}
	if (o.etcd_prefix[0] == '\0' || strlen(o.etcd_prefix) > 40) {
		fprintf(stderr, "bench_nvad_push: --etcd-prefix: 1..40 "
		    "characters\n");
		return 2;
	}
	if (o.em_port != 0 && (o.pki == NULL || o.etcd == NULL)) {
		fprintf(stderr, "bench_nvad_push: --etcd-mode-port needs --pki "
		    "and --etcd\n");
		return 2;
	}
	if (o.pki != NULL) {
		tgt = (struct target){ "nvad", o.port, o.pid, o.db, o.n, o.m };
		if (bench_nvad(&nvad_events_s) < 0)
			rc = 1;
	}
	if (o.em_port != 0) {
		tgt = (struct target){ "nvad etcd mode", o.em_port, o.em_pid,
		    NULL, o.etcd_n ? o.etcd_n : o.n, 0 };
		if (bench_nvad(&em_events_s) < 0)
			rc = 1;
	}
	if (o.etcd != NULL && bench_etcd() < 0)
		rc = 1;
	return rc;
}
