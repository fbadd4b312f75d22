/*
 * parse.c - nvad.conf (docs/nvad.conf.5) -> struct nvad_conf, and the
 * two look-ups the directory asks of a parsed configuration.
 *
 * Owns: nvad's statements (globals, listen, tls, metrics, store, limits,
 * duplicate detection, nve and tenant blocks, coattach deny), the checks
 * on each value, the checks a block can make once it is read (names
 * unique, a tenant's VNs, a store's endpoints) and the checks that need
 * the whole file (the tls block is there, denies name defined tenants,
 * no VN in two tenants).  The tokenizer, blocks, include, error counting
 * and the shared value getters are lib/util/conf.c, which also states
 * the lexical rules; they are those of tnved.conf and nnved.conf.
 * Runs in nvad's one thread at start-up and on SIGHUP, and in "nvad -n";
 * it reads files but keeps no state between calls.
 * Relies on: util/conf (every error is one log_warn "FILE:LINE: text"),
 * nva/nva.h (name and VN limits).
 *
 * Error handling as in tnved's parser: an error is logged and counted,
 * parsing goes on at the end of the statement, and a run with errors
 * returns the count with nothing allocated in the configuration.
 *
 * VN lists are read as ranges and expanded, sorted and unique, when their
 * block ends.  Every list of the file together holds at most
 * CONF_VNS_MAX VNs, so "vn 1-16777215" cannot ask for 64 MiB (an nve
 * block without vn already means any VN).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nvad.h"
#include "util/conf.h"
#include "util/log.h"

#define CONF_VNS_MAX		(1u << 20)	/* VNs in all lists */
#define LISTEN_MAX		8
#define ETCD_MAX		8
#define URL_MAX			256
#define ETCD_TIMEOUT_MIN	100u
#define ETCD_TIMEOUT_MAX	60000u
#define ETCD_TXN_OPS_MAX	100000u
#define KEEPALIVE_MIN		100u
#define KEEPALIVE_MAX		600000u
#define DUP_MOVES_MAX		1000u
#define DUP_WINDOW_MAX		86400u
#define MAX_ENTRIES_MAX		1000000000u
#define MAX_SESSIONS_MAX	100000u
#define KIB			1024ULL
#define MIB			(1024ULL * KIB)
#define GIB			(1024ULL * MIB)

/* Where a statement stood, for messages naming an earlier one. */
struct where {
	const char	*file;		/* valid until conf_run_free() */
	int		 line;
};

/* "coattach deny A B" until the tenants are all known. */
struct deny_ref {
	char		 a[NVA_NAME_MAX + 1], b[NVA_NAME_MAX + 1];
	struct where	 at;
};

/* nvad's part of one run (struct conf_run .arg). */
struct pstate {
	struct nvad_conf *c;
	struct where	*listen_at;	/* beside c->listen */
	struct where	*nve_at;	/* beside c->nves */
	struct where	*tenant_at;	/* beside c->tenants */
	struct deny_ref	*denies;
	unsigned	 ndenies;
	struct where	 tls_at, store_at;	/* line 0: none read well */
	bool		 tls_seen;	/* a tls statement, even a broken one */
	uint64_t	 nvns;		/* VNs in every list so far */
};

#define ST(p)	((struct pstate *)(p)->run->arg)

/* ---- values ------------------------------------------------------------ */

/*
 * A name as the NVA protocol carries it (NVE names are certificate CNs
 * and Hello names): 1..NVA_NAME_MAX printable ASCII without space.
 */
static int
get_nva_name(struct conf_parser *p, const char *what,
    char out[NVA_NAME_MAX + 1])
{
	int line = p->tok.line;

	if (conf_get_name(p, what, out, NVA_NAME_MAX + 1) < 0)
		return -1;
	for (const char *s = out; *s; s++) {
		if (*s <= ' ' || *s >= 0x7f) {
			conf_error(p, line, "%s: '%s' is not a name (printable "
			    "ASCII, no space)", what, out);
			return -1;
		}
	}
	return 0;
}

/* A numeric IPv4 or IPv6 address, stored in its canonical text. */
static int
get_ip(struct conf_parser *p, const char *what, char out[64])
{
	unsigned char bin[16];
	char buf[64];
	int line = p->tok.line;

	if (conf_get_value(p, what, buf, sizeof(buf)) < 0)
		return -1;
	if (inet_pton(AF_INET, buf, bin) == 1)
		inet_ntop(AF_INET, bin, out, 64);
	else if (inet_pton(AF_INET6, buf, bin) == 1)
		inet_ntop(AF_INET6, bin, out, 64);
	else {
		conf_error(p, line, "%s: '%s' is not a numeric IPv4 or IPv6 "
		    "address", what, buf);
		return -1;
	}
	return 0;
}

/* "port N" after an address; required says whether it may be left out. */
static int
get_port(struct conf_parser *p, const char *what, bool required,
    uint16_t *port)
{
	char sub[32];
	uint64_t v;

	if (!conf_is_word(p, "port")) {
		if (!required)
			return 0;
		conf_error(p, p->tok.line, "%s: port missing", what);
		return -1;
	}
	conf_lex(p);
	snprintf(sub, sizeof(sub), "%s port", what);
	if (conf_get_num(p, sub, 1, UINT16_MAX, &v) < 0)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/*
 * SIZE: decimal digits with an optional K, M or G (1024-based), in
 * lo..hi; range names the bounds in messages ("64K..4G").
 */
static int
get_size(struct conf_parser *p, const char *what, uint64_t lo, uint64_t hi,
    const char *range, uint64_t *v)
{
	char buf[32], suffix = '\0';
	uint64_t n, mult = 1;
	size_t len;
	int line = p->tok.line;

	if (!conf_is_value(p)) {
		conf_error(p, line, "%s: size missing", what);
		return -1;
	}
	if (conf_get_value(p, what, buf, sizeof(buf)) < 0)
		return -1;
	len = strlen(buf);
	if (len > 0) {
		switch (buf[len - 1]) {
		case 'K': case 'k':
			mult = KIB;
			break;
		case 'M': case 'm':
			mult = MIB;
			break;
		case 'G': case 'g':
			mult = GIB;
			break;
		}
		if (mult != 1) {
			suffix = buf[--len];
			buf[len] = '\0';
		}
	}
	if (conf_parse_u64(buf, &n) < 0 || n > UINT64_MAX / mult ||
	    n * mult < lo || n * mult > hi) {
		buf[len] = suffix;
		conf_error(p, line, "%s: '%s' is not a size in %s", what, buf,
		    range);
		return -1;
	}
	*v = n * mult;
	return 0;
}

/* ---- VN lists ----------------------------------------------------------- */

struct vrange {
	uint32_t	lo, hi;
};

struct vlist {
	struct vrange	*r;
	unsigned	 n;
};

/* "vn ITEM..." where ITEM is N or A-B; adds to l. */
static int
get_vn_list(struct conf_parser *p, const char *what, struct vlist *l)
{
	struct vrange *q;
	uint32_t lo, hi;
	uint64_t v;

	if (conf_at_end(p)) {
		conf_error(p, p->tok.line, "%s: VN missing", what);
		return -1;
	}
	while (!conf_at_end(p)) {
		if (conf_is_value(p) && strchr(p->tok.s, '-') != NULL) {
			if (conf_get_range(p, what, "VNs", 1, NVA_VN_MAX, &lo,
			    &hi) < 0)
				return -1;
		} else {
			if (conf_get_num(p, what, 1, NVA_VN_MAX, &v) < 0)
				return -1;
			lo = hi = (uint32_t)v;
		}
		if ((q = conf_grow(l->r, l->n, sizeof(*q))) == NULL) {
			conf_error(p, p->tok.line, "out of memory");
			return -1;
		}
		l->r = q;
		l->r[l->n].lo = lo;
		l->r[l->n++].hi = hi;
	}
	return 0;
}

static int
vrange_cmp(const void *x, const void *y)
{
	const struct vrange *a = x, *b = y;

	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/*
 * The ranges of l as a sorted, unique array (*out NULL when l is empty).
 * what names the block in messages; the total is checked against
 * CONF_VNS_MAX.  Frees l's ranges.
 */
static int
vlist_expand(struct conf_parser *p, const char *what, int line,
    struct vlist *l, uint32_t **out, unsigned *nout)
{
	uint64_t count = 0;
	unsigned i, m = 0;
	uint32_t *vns, v;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	if (l->n == 0)
		return 0;
	qsort(l->r, l->n, sizeof(*l->r), vrange_cmp);
	for (i = 1; i < l->n; i++) {
		if ((uint64_t)l->r[i].lo <= (uint64_t)l->r[m].hi + 1) {
			if (l->r[i].hi > l->r[m].hi)
				l->r[m].hi = l->r[i].hi;
		} else
			l->r[++m] = l->r[i];
	}
	l->n = m + 1;
	for (i = 0; i < l->n; i++)
		count += (uint64_t)l->r[i].hi - l->r[i].lo + 1;
	if (ST(p)->nvns + count > CONF_VNS_MAX) {
		conf_error(p, line, "%s: more than %u VNs in the lists of the "
		    "file", what, CONF_VNS_MAX);
		goto out;
	}
	if ((vns = malloc(count * sizeof(*vns))) == NULL) {
		conf_error(p, line, "out of memory");
		goto out;
	}
	m = 0;
	for (i = 0; i < l->n; i++)
		for (v = l->r[i].lo; ; v++) {
			vns[m++] = v;
			if (v == l->r[i].hi)
				break;
		}
	ST(p)->nvns += count;
	*out = vns;
	*nout = m;
	rc = 0;
out:
	free(l->r);
	l->r = NULL;
	l->n = 0;
	return rc;
}

/* ---- global statements ------------------------------------------------- */

static int
st_nva_name(struct conf_parser *p, void *obj, int line)
{
	return get_nva_name(p, "nva-name", ST(p)->c->name);
}

/* Room for one more where in *at (n used); NULL when out of memory. */
static struct where *
where_push(struct conf_parser *p, struct where **at, unsigned n, int line)
{
	struct where *w = conf_grow(*at, n, sizeof(*w));

	if (w == NULL)
		return NULL;
	*at = w;
	w[n].file = p->file;
	w[n].line = line;
	return w;
}

/* listen ADDR [port N] */
static int
st_listen(struct conf_parser *p, void *obj, int line)
{
	struct pstate *st = ST(p);
	struct nvad_conf *c = st->c;
	struct nvad_listen l, *q;

	memset(&l, 0, sizeof(l));
	l.port = NVAD_DEFAULT_PORT;
	if (get_ip(p, "listen", l.addr) < 0 ||
	    get_port(p, "listen", false, &l.port) < 0)
		return -1;
	for (unsigned i = 0; i < c->nlisten; i++) {
		if (strcmp(c->listen[i].addr, l.addr) == 0 &&
		    c->listen[i].port == l.port) {
			conf_error(p, line, "listen %s port %u: given twice "
			    "(first at %s:%d)", l.addr, l.port,
			    st->listen_at[i].file, st->listen_at[i].line);
			return 0;
		}
	}
	if (c->nlisten >= LISTEN_MAX) {
		conf_error(p, line, "listen: more than %d addresses",
		    LISTEN_MAX);
		return 0;
	}
	if ((q = conf_grow(c->listen, c->nlisten, sizeof(*q))) != NULL)
		c->listen = q;
	if (q == NULL ||
	    where_push(p, &st->listen_at, c->nlisten, line) == NULL) {
		conf_error(p, line, "out of memory");
		return 0;
	}
	c->listen[c->nlisten++] = l;
	return 0;
}

/* ---- tls { cert FILE; key FILE; ca FILE } ------------------------------ */

struct tls_ctx {
	char		cert[256], key[256], ca[256];
};

static int
tls_cert(struct conf_parser *p, void *obj, int line)
{
	struct tls_ctx *x = obj;

	return conf_get_path(p, "cert", line, x->cert, sizeof(x->cert));
}

static int
tls_key(struct conf_parser *p, void *obj, int line)
{
	struct tls_ctx *x = obj;

	return conf_get_path(p, "key", line, x->key, sizeof(x->key));
}

static int
tls_ca(struct conf_parser *p, void *obj, int line)
{
	struct tls_ctx *x = obj;

	return conf_get_path(p, "ca", line, x->ca, sizeof(x->ca));
}

static const struct conf_kw tls_kw[] = {
	{ "cert", tls_cert },
	{ "key", tls_key },
	{ "ca", tls_ca },
	{ NULL, NULL }
};

static int
st_tls(struct conf_parser *p, void *obj, int line)
{
	struct pstate *st = ST(p);
	struct nvad_conf *c = st->c;
	struct tls_ctx x;
	int dup = st->tls_at.line != 0;

	memset(&x, 0, sizeof(x));
	st->tls_seen = true;
	if (dup)
		conf_error(p, line, "tls: given twice (first at %s:%d)",
		    st->tls_at.file, st->tls_at.line);
	if (conf_block(p, tls_kw, &x) < 0)
		return -1;
	if (dup)
		return 0;
	st->tls_at.file = p->file;
	st->tls_at.line = line;
	if (x.cert[0] == '\0')
		conf_error(p, line, "tls: cert missing");
	if (x.key[0] == '\0')
		conf_error(p, line, "tls: key missing");
	if (x.ca[0] == '\0')
		conf_error(p, line, "tls: ca missing");
	memcpy(c->cert, x.cert, sizeof(c->cert));
	memcpy(c->key, x.key, sizeof(c->key));
	memcpy(c->ca, x.ca, sizeof(c->ca));
	return 0;
}

static int
st_control(struct conf_parser *p, void *obj, int line)
{
	struct nvad_conf *c = ST(p)->c;

	return conf_get_path(p, "control", line, c->control,
	    sizeof(c->control));
}

/* metrics ADDR port N | metrics off */
static int
st_metrics(struct conf_parser *p, void *obj, int line)
{
	struct nvad_conf *c = ST(p)->c;
	char addr[64];
	uint16_t port = 0;

	if (conf_is_word(p, "off")) {
		conf_lex(p);
		c->metrics_addr[0] = '\0';
		c->metrics_port = 0;
		return 0;
	}
	if (!conf_is_value(p)) {
		conf_error(p, line, "metrics: address or off missing");
		return -1;
	}
	if (get_ip(p, "metrics", addr) < 0 ||
	    get_port(p, "metrics", true, &port) < 0)
		return -1;
	memcpy(c->metrics_addr, addr, sizeof(addr));
	c->metrics_port = port;
	return 0;
}

/* ---- store lmdb {...} | store memory | store etcd {...} ---------------- */

static int
lmdb_path(struct conf_parser *p, void *obj, int line)
{
	struct nvad_conf *c = obj;

	return conf_get_path(p, "path", line, c->db, sizeof(c->db));
}

static int
lmdb_map_size(struct conf_parser *p, void *obj, int line)
{
	struct nvad_conf *c = obj;

	return get_size(p, "map-size", MIB, 16384 * GIB, "1M..16384G",
	    &c->map_size);
}

static int
lmdb_sync(struct conf_parser *p, void *obj, int line)
{
	struct nvad_conf *c = obj;

	return conf_get_bool(p, "sync", &c->sync);
}

static const struct conf_kw lmdb_kw[] = {
	{ "path", lmdb_path },
	{ "map-size", lmdb_map_size },
	{ "sync", lmdb_sync },
	{ NULL, NULL }
};

/*
 * http://HOST:PORT with HOST a DNS name (letters, digits, '-', '.'), a
 * dotted IPv4 address or a bracketed IPv6 address, PORT 1..65535, and
 * nothing after it (the gateway's paths are ours to add).
 */
static bool
etcd_url_ok(const char *u)
{
	char host[URL_MAX];
	unsigned char bin[16];
	const char *h, *colon, *s;
	uint64_t port;
	size_t hl;

	if (strncmp(u, "http://", 7) != 0)
		return false;
	h = u + 7;
	if (*h == '[') {
		const char *rb = strchr(h, ']');

		if (rb == NULL || rb[1] != ':')
			return false;
		hl = (size_t)(rb - h - 1);
		if (hl == 0 || hl >= sizeof(host))
			return false;
		memcpy(host, h + 1, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET6, host, bin) != 1)
			return false;
		colon = rb + 1;
	} else {
		colon = strchr(h, ':');
		if (colon == NULL || colon == h)
			return false;
		for (s = h; s < colon; s++)
			if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO"
			    "PQRSTUVWXYZ0123456789-.", *s) == NULL)
				return false;
		if (*h == '-' || *h == '.' || colon[-1] == '-')
			return false;
	}
	if (conf_parse_u64(colon + 1, &port) < 0 || port < 1 ||
	    port > UINT16_MAX)
		return false;
	return true;
}

static int
etcd_endpoint(struct conf_parser *p, void *obj, int line)
{
	struct nvad_conf *c = obj;
	char url[URL_MAX];
	char **q, *d;

	if (conf_get_value(p, "endpoint", url, sizeof(url)) < 0)
		return -1;
	if (!etcd_url_ok(url)) {
		conf_error(p, line, "endpoint: '%s' is not http://HOST:PORT",
		    url);
		return -1;
	}
	for (unsigned i = 0; i < c->netcd; i++) {
		if (strcmp(c->etcd[i], url) == 0) {
			conf_error(p, line, "endpoint %s: given twice", url);
			return 0;
		}
	}
	if (c->netcd >= ETCD_MAX) {
		conf_error(p, line, "endpoint: more than %d endpoints",
		    ETCD_MAX);
		return 0;
	}
	d = strdup(url);
	q = conf_grow(c->etcd, c->netcd, sizeof(*q));
	if (d == NULL || q == NULL) {
		free(d);
		conf_error(p, line, "out of memory");
		return 0;
	}
	c->etcd = q;
	c->etcd[c->netcd++] = d;
	return 0;
}

/* The prefix of every key; ends in '/' so that no prefix is another's. */
static int
etcd_prefix(struct conf_parser *p, void *obj, int line)
{
	struct nvad_conf *c = obj;
	char buf[sizeof(c->etcd_prefix)];
	size_t len;

	if (conf_get_value(p, "prefix", buf, sizeof(buf)) < 0)
		return -1;
	len = strlen(buf);
	if (len == 0 || buf[len - 1] != '/') {
		conf_error(p, line, "prefix: '%s' does not end in '/'", buf);
		return -1;
	}
	memcpy(c->etcd_prefix, buf, len + 1);
	return 0;
}

/* timeout MS: how long one request to an endpoint may take. */
static int
etcd_timeout(struct conf_parser *p, void *obj, int line)
{
	struct nvad_conf *c = obj;
	uint64_t v;

	if (conf_get_num(p, "timeout", ETCD_TIMEOUT_MIN, ETCD_TIMEOUT_MAX,
	    &v) < 0)
		return -1;
	c->etcd_timeout_ms = (uint32_t)v;
	return 0;
}

/* max-txn-ops N: keys per transaction; etcd refuses more than its own
 * --max-txn-ops. */
static int
etcd_txn_ops(struct conf_parser *p, void *obj, int line)
{
	struct nvad_conf *c = obj;
	uint64_t v;

	if (conf_get_num(p, "max-txn-ops", 1, ETCD_TXN_OPS_MAX, &v) < 0)
		return -1;
	c->etcd_txn_ops = (unsigned)v;
	return 0;
}

static const struct conf_kw etcd_kw[] = {
	{ "endpoint", etcd_endpoint },
	{ "prefix", etcd_prefix },
	{ "timeout", etcd_timeout },
	{ "max-txn-ops", etcd_txn_ops },
	{ NULL, NULL }
};

static int
st_store(struct conf_parser *p, void *obj, int line)
{
	struct pstate *st = ST(p);
	struct nvad_conf *c = st->c;
	char kind[16];
	int vline = p->tok.line;

	if (conf_get_value(p, "store", kind, sizeof(kind)) < 0)
		return -1;
	if (st->store_at.line != 0) {
		conf_error(p, line, "store: given twice (first at %s:%d)",
		    st->store_at.file, st->store_at.line);
		return -1;
	}
	if (strcmp(kind, "lmdb") == 0) {
		c->store = NVAD_STORE_LMDB;
		if (conf_block(p, lmdb_kw, c) < 0)
			return -1;
	} else if (strcmp(kind, "memory") == 0)
		c->store = NVAD_STORE_MEMORY;
	else if (strcmp(kind, "etcd") == 0) {
		c->store = NVAD_STORE_ETCD;
		if (conf_block(p, etcd_kw, c) < 0)
			return -1;
		if (c->netcd == 0)
			conf_error(p, line, "store etcd: endpoint missing");
	} else {
		conf_error(p, vline, "store: '%s' is not lmdb, memory or etcd",
		    kind);
		return -1;
	}
	st->store_at.file = p->file;
	st->store_at.line = line;
	return 0;
}

/* ---- limits and timers ------------------------------------------------- */

static int
st_keepalive(struct conf_parser *p, void *obj, int line)
{
	uint64_t v;

	if (conf_get_num(p, "keepalive", KEEPALIVE_MIN, KEEPALIVE_MAX, &v) < 0)
		return -1;
	ST(p)->c->keepalive_ms = (uint32_t)v;
	return 0;
}

/* duplicate-detection moves N window SECONDS */
static int
st_dup(struct conf_parser *p, void *obj, int line)
{
	struct nvad_conf *c = ST(p)->c;
	uint64_t n, w;

	if (!conf_is_word(p, "moves")) {
		conf_error(p, p->tok.line, "duplicate-detection: 'moves' "
		    "expected, not '%s'", conf_tokname(p));
		return -1;
	}
	conf_lex(p);
	if (conf_get_num(p, "duplicate-detection moves", 1, DUP_MOVES_MAX,
	    &n) < 0)
		return -1;
	if (!conf_is_word(p, "window")) {
		conf_error(p, p->tok.line, "duplicate-detection: 'window' "
		    "expected, not '%s'", conf_tokname(p));
		return -1;
	}
	conf_lex(p);
	if (conf_get_num(p, "duplicate-detection window", 1, DUP_WINDOW_MAX,
	    &w) < 0)
		return -1;
	c->dup_moves = (unsigned)n;
	c->dup_window_s = (unsigned)w;
	return 0;
}

static int
st_max_entries(struct conf_parser *p, void *obj, int line)
{
	return conf_get_num(p, "max-entries", 1, MAX_ENTRIES_MAX,
	    &ST(p)->c->max_entries);
}

static int
st_max_sessions(struct conf_parser *p, void *obj, int line)
{
	uint64_t v;

	if (conf_get_num(p, "max-sessions", 1, MAX_SESSIONS_MAX, &v) < 0)
		return -1;
	ST(p)->c->max_sessions = (unsigned)v;
	return 0;
}

static int
st_session_queue(struct conf_parser *p, void *obj, int line)
{
	return get_size(p, "session-queue", 64 * KIB, 4 * GIB, "64K..4G",
	    &ST(p)->c->session_wq_max);
}

static int
st_nve_policy(struct conf_parser *p, void *obj, int line)
{
	char buf[16];
	int vline = p->tok.line;

	if (conf_get_value(p, "nve-policy", buf, sizeof(buf)) < 0)
		return -1;
	if (strcmp(buf, "open") == 0)
		ST(p)->c->listed_only = false;
	else if (strcmp(buf, "listed") == 0)
		ST(p)->c->listed_only = true;
	else {
		conf_error(p, vline, "nve-policy: '%s' is not open or listed",
		    buf);
		return -1;
	}
	return 0;
}

static int
st_log_level(struct conf_parser *p, void *obj, int line)
{
	return conf_get_log_level(p, "log-level", &ST(p)->c->log_level);
}

/* ---- nve NAME { vn LIST } and tenant NAME { vn LIST } ------------------ */

struct vn_ctx {
	struct vlist	 l;
	char		 what[NVA_NAME_MAX + 16];	/* "tenant red" */
};

static int
blk_vn(struct conf_parser *p, void *obj, int line)
{
	struct vn_ctx *x = obj;

	return get_vn_list(p, "vn", &x->l);
}

static const struct conf_kw vn_kw[] = {
	{ "vn", blk_vn },
	{ NULL, NULL }
};

static const char *
nve_name_at(const struct nvad_conf *c, unsigned i)
{
	return c->nves[i].name;
}

static const char *
tenant_name_at(const struct nvad_conf *c, unsigned i)
{
	return c->tenants[i].name;
}

/*
 * KIND NAME { vn LIST; } - the nve and tenant blocks: the name (refused
 * when one of the n already given, name_at/at, has it), then the VN
 * list expanded; need_vn makes an empty list an error.  Returns 1 with
 * name, *vns and *nvns set, 0 after a reported error, -1 when the block
 * itself was broken.
 */
static int
get_vn_block(struct conf_parser *p, int line, const char *kind,
    const char *(*name_at)(const struct nvad_conf *, unsigned), unsigned n,
    const struct where *at, bool need_vn, char name[NVA_NAME_MAX + 1],
    uint32_t **vns, unsigned *nvns)
{
	const struct nvad_conf *c = ST(p)->c;
	struct vn_ctx x;
	int ok;

	memset(&x, 0, sizeof(x));
	ok = get_nva_name(p, kind, name) == 0;
	snprintf(x.what, sizeof(x.what), "%s %s", kind, ok ? name : "?");
	for (unsigned i = 0; ok && i < n; i++) {
		if (strcmp(name_at(c, i), name) == 0) {
			conf_error(p, line, "duplicate %s '%s' (first at "
			    "%s:%d)", kind, name, at[i].file, at[i].line);
			ok = 0;
		}
	}
	if (conf_block(p, vn_kw, &x) < 0) {
		free(x.l.r);
		return -1;
	}
	if (!ok) {
		free(x.l.r);
		return 0;
	}
	if (need_vn && x.l.n == 0) {
		conf_error(p, line, "%s %s: vn missing", kind, name);
		return 0;
	}
	if (vlist_expand(p, x.what, line, &x.l, vns, nvns) < 0)
		return 0;
	return 1;
}

static int
st_nve(struct conf_parser *p, void *obj, int line)
{
	struct pstate *st = ST(p);
	struct nvad_conf *c = st->c;
	struct nvad_nve_conf n, *q;
	int rc;

	memset(&n, 0, sizeof(n));
	n.line = line;
	rc = get_vn_block(p, line, "nve", nve_name_at, c->nnves, st->nve_at,
	    false, n.name, &n.vns, &n.nvns);
	if (rc <= 0)
		return rc;
	if ((q = conf_grow(c->nves, c->nnves, sizeof(*q))) != NULL)
		c->nves = q;
	if (q == NULL || where_push(p, &st->nve_at, c->nnves, line) == NULL) {
		conf_error(p, line, "out of memory");
		free(n.vns);
		return 0;
	}
	c->nves[c->nnves++] = n;
	return 0;
}

static int
st_tenant(struct conf_parser *p, void *obj, int line)
{
	struct pstate *st = ST(p);
	struct nvad_conf *c = st->c;
	struct nvad_tenant t, *q;
	int rc;

	memset(&t, 0, sizeof(t));
	t.line = line;
	rc = get_vn_block(p, line, "tenant", tenant_name_at, c->ntenants,
	    st->tenant_at, true, t.name, &t.vns, &t.nvns);
	if (rc <= 0)
		return rc;
	if ((q = conf_grow(c->tenants, c->ntenants, sizeof(*q))) != NULL)
		c->tenants = q;
	if (q == NULL ||
	    where_push(p, &st->tenant_at, c->ntenants, line) == NULL) {
		conf_error(p, line, "out of memory");
		free(t.vns);
		return 0;
	}
	c->tenants[c->ntenants++] = t;
	return 0;
}

/* coattach deny TENANT TENANT */
static int
st_coattach(struct conf_parser *p, void *obj, int line)
{
	struct pstate *st = ST(p);
	struct deny_ref d, *q;

	memset(&d, 0, sizeof(d));
	if (!conf_is_word(p, "deny")) {
		conf_error(p, p->tok.line, "coattach: 'deny' expected, not "
		    "'%s'", conf_tokname(p));
		return -1;
	}
	conf_lex(p);
	if (get_nva_name(p, "coattach deny", d.a) < 0 ||
	    get_nva_name(p, "coattach deny", d.b) < 0)
		return -1;
	if (strcmp(d.a, d.b) == 0) {
		conf_error(p, line, "coattach deny: tenant %s twice", d.a);
		return 0;
	}
	for (unsigned i = 0; i < st->ndenies; i++) {
		const struct deny_ref *e = &st->denies[i];

		if ((strcmp(e->a, d.a) == 0 && strcmp(e->b, d.b) == 0) ||
		    (strcmp(e->a, d.b) == 0 && strcmp(e->b, d.a) == 0)) {
			conf_error(p, line, "coattach deny %s %s: given twice "
			    "(first at %s:%d)", d.a, d.b, e->at.file,
			    e->at.line);
			return 0;
		}
	}
	if ((q = conf_grow(st->denies, st->ndenies, sizeof(*q))) == NULL) {
		conf_error(p, line, "out of memory");
		return 0;
	}
	st->denies = q;
	d.at.file = p->file;
	d.at.line = line;
	st->denies[st->ndenies++] = d;
	return 0;
}

static const struct conf_kw top_kw[] = {
	{ "nva-name", st_nva_name },
	{ "listen", st_listen },
	{ "tls", st_tls },
	{ "control", st_control },
	{ "metrics", st_metrics },
	{ "store", st_store },
	{ "keepalive", st_keepalive },
	{ "duplicate-detection", st_dup },
	{ "max-entries", st_max_entries },
	{ "max-sessions", st_max_sessions },
	{ "session-queue", st_session_queue },
	{ "nve-policy", st_nve_policy },
	{ "nve", st_nve },
	{ "tenant", st_tenant },
	{ "coattach", st_coattach },
	{ "log-level", st_log_level },
	{ "include", conf_include },
	{ NULL, NULL }
};

/* ---- whole-file checks ------------------------------------------------- */

static int
tenant_index(const struct nvad_conf *c, const char *name)
{
	for (unsigned i = 0; i < c->ntenants; i++)
		if (strcmp(c->tenants[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Denies by name -> c->denies by index. */
static void
resolve_denies(struct conf_run *run, struct pstate *st)
{
	struct nvad_conf *c = st->c;
	int a, b;

	if (st->ndenies == 0)
		return;
	c->denies = calloc(st->ndenies, sizeof(*c->denies));
	if (c->denies == NULL) {
		conf_error_at(run, st->denies[0].at.file, st->denies[0].at.line,
		    "out of memory");
		return;
	}
	for (unsigned i = 0; i < st->ndenies; i++) {
		const struct deny_ref *d = &st->denies[i];

		a = tenant_index(c, d->a);
		b = tenant_index(c, d->b);
		if (a < 0)
			conf_error_at(run, d->at.file, d->at.line, "coattach "
			    "deny: tenant '%s' is not defined", d->a);
		if (b < 0)
			conf_error_at(run, d->at.file, d->at.line, "coattach "
			    "deny: tenant '%s' is not defined", d->b);
		if (a < 0 || b < 0)
			continue;
		c->denies[c->ndenies].a = (unsigned)a;
		c->denies[c->ndenies].b = (unsigned)b;
		c->denies[c->ndenies++].line = d->at.line;
	}
}

struct vn_owner {
	uint32_t	vn;
	unsigned	t;
};

static int
vn_owner_cmp(const void *x, const void *y)
{
	const struct vn_owner *a = x, *b = y;

	if (a->vn != b->vn)
		return a->vn < b->vn ? -1 : 1;
	return a->t < b->t ? -1 : a->t > b->t;
}

/*
 * A VN belongs to one tenant at most.  Each tenant that shares a VN with
 * an earlier one gets one error: its lowest shared VN and the earliest
 * tenant holding it.
 */
static void
check_tenant_overlap(struct conf_run *run, const struct pstate *st)
{
	const struct nvad_conf *c = st->c;
	struct vn_owner *o;
	uint32_t *first_vn;
	unsigned *first_t;
	size_t n = 0, k, g;

	for (unsigned i = 0; i < c->ntenants; i++)
		n += c->tenants[i].nvns;
	if (c->ntenants < 2 || n == 0)
		return;
	o = malloc(n * sizeof(*o));
	first_vn = calloc(c->ntenants, sizeof(*first_vn));
	first_t = calloc(c->ntenants, sizeof(*first_t));
	if (o == NULL || first_vn == NULL || first_t == NULL) {
		conf_error_at(run, st->tenant_at[0].file, st->tenant_at[0].line,
		    "out of memory");
		goto out;
	}
	n = 0;
	for (unsigned i = 0; i < c->ntenants; i++)
		for (unsigned j = 0; j < c->tenants[i].nvns; j++) {
			o[n].vn = c->tenants[i].vns[j];
			o[n++].t = i;
		}
	qsort(o, n, sizeof(*o), vn_owner_cmp);
	for (g = 0; g < n; g = k) {
		for (k = g + 1; k < n && o[k].vn == o[g].vn; k++)
			if (first_vn[o[k].t] == 0) {
				first_vn[o[k].t] = o[g].vn;
				first_t[o[k].t] = o[g].t;
			}
	}
	for (unsigned i = 0; i < c->ntenants; i++) {
		if (first_vn[i] == 0)
			continue;
		conf_error_at(run, st->tenant_at[i].file, st->tenant_at[i].line,
		    "tenant %s: vn %u is also in tenant %s (%s:%d)",
		    c->tenants[i].name, first_vn[i],
		    c->tenants[first_t[i]].name,
		    st->tenant_at[first_t[i]].file,
		    st->tenant_at[first_t[i]].line);
	}
out:
	free(o);
	free(first_vn);
	free(first_t);
}

static void
resolve(struct conf_run *run, struct pstate *st, const char *name)
{
	if (!st->tls_seen)
		conf_error_at(run, name, run->last_line, "no tls block: cert, "
		    "key and ca are required");
	resolve_denies(run, st);
	check_tenant_overlap(run, st);
}

/* ---- driver ------------------------------------------------------------ */

static void
defaults(struct nvad_conf *c)
{
	char host[256];

	memset(c, 0, sizeof(*c));
	if (gethostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, " \t\r\n")] = '\0';
	snprintf(c->name, sizeof(c->name), "%.*s", NVA_NAME_MAX,
	    host[0] != '\0' ? host : "nvad");
	snprintf(c->control, sizeof(c->control), "%s", NVAD_DEFAULT_CONTROL);
	c->store = NVAD_STORE_LMDB;
	snprintf(c->db, sizeof(c->db), "%s", NVAD_DEFAULT_DB);
	c->map_size = 4 * GIB;
	c->sync = true;
	snprintf(c->etcd_prefix, sizeof(c->etcd_prefix), "/splitnve/");
	c->etcd_timeout_ms = 2000;
	c->etcd_txn_ops = 128;
	c->keepalive_ms = 3000;
	c->dup_moves = 5;
	c->dup_window_s = 180;
	c->max_entries = 16000000;
	c->max_sessions = 4096;
	c->session_wq_max = 64 * MIB;
	c->log_level = -1;
}

/* No listen statement: every IPv4 and IPv6 address on the default port. */
static int
default_listen(struct nvad_conf *c)
{
	if (c->nlisten != 0)
		return 0;
	if ((c->listen = calloc(2, sizeof(*c->listen))) == NULL)
		return -1;
	snprintf(c->listen[0].addr, sizeof(c->listen[0].addr), "0.0.0.0");
	c->listen[0].port = NVAD_DEFAULT_PORT;
	snprintf(c->listen[1].addr, sizeof(c->listen[1].addr), "::");
	c->listen[1].port = NVAD_DEFAULT_PORT;
	c->nlisten = 2;
	return 0;
}

int
nvad_conf_parse(struct nvad_conf *c, const char *file, const char *text,
    size_t len)
{
	struct pstate st;
	struct conf_run run;
	int errors;

	defaults(c);
	if (text == NULL) {
		if (default_listen(c) < 0) {
			log_warn("%s: out of memory", file);
			return 1;
		}
		return 0;
	}
	memset(&st, 0, sizeof(st));
	st.c = c;
	conf_run_init(&run, top_kw, &st);
	conf_run_text(&run, file, text, len);
	resolve(&run, &st, file);
	if (run.errors == 0 && default_listen(c) < 0)
		conf_error_at(&run, file, run.last_line, "out of memory");
	errors = conf_run_free(&run);
	free(st.listen_at);
	free(st.nve_at);
	free(st.tenant_at);
	free(st.denies);
	if (errors > 0)
		nvad_conf_free(c);
	return errors;
}

int
nvad_conf_load(struct nvad_conf *c, const char *path)
{
	char *text;
	size_t len;
	int rc;

	if ((rc = conf_read_file(path, &text, &len)) < 0) {
		memset(c, 0, sizeof(*c));
		log_warn("%s: %s", path, strerror(-rc));
		return 1;
	}
	rc = nvad_conf_parse(c, path, text, len);
	free(text);
	return rc;
}

void
nvad_conf_free(struct nvad_conf *c)
{
	for (unsigned i = 0; i < c->nnves; i++)
		free(c->nves[i].vns);
	for (unsigned i = 0; i < c->ntenants; i++)
		free(c->tenants[i].vns);
	for (unsigned i = 0; i < c->netcd; i++)
		free(c->etcd[i]);
	free(c->listen);
	free(c->etcd);
	free(c->nves);
	free(c->tenants);
	free(c->denies);
	memset(c, 0, sizeof(*c));
}

/* ---- look-ups ------------------------------------------------------------ */

static int
u32_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

int
nvad_conf_tenant_of(const struct nvad_conf *c, uint32_t vn)
{
	for (unsigned i = 0; i < c->ntenants; i++)
		if (bsearch(&vn, c->tenants[i].vns, c->tenants[i].nvns,
		    sizeof(vn), u32_cmp) != NULL)
			return (int)i;
	return -1;
}

const struct nvad_nve_conf *
nvad_conf_nve(const struct nvad_conf *c, const char *name)
{
	for (unsigned i = 0; i < c->nnves; i++)
		if (strcmp(c->nves[i].name, name) == 0)
			return &c->nves[i];
	return NULL;
}
