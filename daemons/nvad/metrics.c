/*
 * metrics.c - nvad's Prometheus metrics: text exposition format 0.0.4
 * on GET /metrics, over HTTP on the "metrics ADDR port N" of nvad.conf.
 *
 * Owns struct nvad_metrics: the libmicrohttpd daemon, a loop timer and
 * the current text.  Two threads meet here and share only the text:
 *   - the loop thread (nvad's one thread) renders the text from the
 *     directory, the sessions and the counters once at start and then
 *     every second (uv_timer), and swaps it in under the mutex;
 *   - libmicrohttpd's own polling thread answers requests with a copy of
 *     the text taken under the mutex.  It never reads struct nvad: the
 *     directory and the sessions are not thread-safe, and a scrape must
 *     never slow down the loop beyond one string swap.
 * A scrape therefore sees figures at most a second old.
 *
 * Relies on dir.c (counts, counters, walks), session.c (nvad_sess_walk),
 * the store's stats and struct nvad's counters; the renderer is static
 * (it needs a whole struct nvad), so it is tested through the daemon.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <uv.h>

#include "nvad.h"
#include "util/log.h"
#include "util/mtime.h"

#if MHD_VERSION < 0x00097002
typedef int mhd_result;
#else
typedef enum MHD_Result mhd_result;
#endif

#define METRICS_PERIOD_MS	1000
#define METRICS_PATH		"/metrics"
#define METRICS_CTYPE		"text/plain; version=0.0.4; charset=utf-8"
#define P			"splitnve_nvad_"

struct nvad_metrics {
	struct nvad	*nd;
	struct MHD_Daemon *mhd;
	uv_timer_t	 timer;
	pthread_mutex_t	 mu;		/* guards text, len */
	char		*text;
	size_t		 len;
	bool		 starting;	/* MHD's logger fills err */
	char		 err[256];
};

/* ---- the text (loop thread) ---------------------------------------------- */

static void
gauge(FILE *f, const char *name, const char *help, uint64_t v)
{
	fprintf(f, "# HELP " P "%s %s\n# TYPE " P "%s gauge\n" P "%s %llu\n",
	    name, help, name, name, (unsigned long long)v);
}

static void
counter(FILE *f, const char *name, const char *help, uint64_t v)
{
	fprintf(f, "# HELP " P "%s %s\n# TYPE " P "%s counter\n" P "%s %llu\n",
	    name, help, name, name, (unsigned long long)v);
}

/* A counter with one sample per NVA code but ok, labelled code="name". */
static void
counter_by_code(FILE *f, const char *name, const char *help,
    const uint64_t *v)
{
	fprintf(f, "# HELP " P "%s %s\n# TYPE " P "%s counter\n", name, help,
	    name);
	for (unsigned c = NVA_OK + 1; c < NVA_CODE_COUNT; c++)
		fprintf(f, P "%s{code=\"%s\"} %llu\n", name,
		    nva_code_name((enum nva_code)c), (unsigned long long)v[c]);
}

struct vn_sums {
	uint64_t	 vns, active;
};

static int
sum_vn(void *arg, const struct dir_vn *v)
{
	struct vn_sums *s = arg;

	s->vns++;
	s->active += v->active;
	return 0;
}

struct sess_sums {
	uint64_t	 sessions, subs;
};

static int
sum_sess(void *arg, const struct nvad_sess_view *v)
{
	struct sess_sums *s = arg;

	s->sessions++;
	s->subs += v->nsubs;
	return 0;
}

static void
render(struct nvad *nd, FILE *f)
{
	const struct dir_counters *dc = dir_counters(nd->dir);
	const struct nvad_counters *c = &nd->cnt;
	const struct dir_alert *al;
	struct vn_sums vs = { 0, 0 };
	struct sess_sums ss = { 0, 0 };
	uint64_t connected = 0, alerts = 0, octets = 0, recs = 0, now;
	uint32_t nnve = dir_nve_count(nd->dir);
	size_t nal = 0;

	dir_vn_walk(nd->dir, sum_vn, &vs);
	nvad_sess_walk(nd, sum_sess, &ss);
	for (uint32_t i = 0; i < nnve; i++) {
		const struct dir_nve *n = dir_nve_at(nd->dir, i);

		if (n != NULL && n->connected)
			connected++;
	}
	al = dir_alerts(nd->dir, &nal);
	for (size_t i = 0; al != NULL && i < nal; i++)
		if (!al[i].cleared)
			alerts++;
	if (nd->store != NULL && nd->store->ops->stats != NULL)
		nd->store->ops->stats(nd->store, &octets, &recs);
	now = sn_loop_now_us(&nd->loop);

	gauge(f, "entries", "Mappings (VN, address) in the directory, "
	    "withdrawn ones included.", dir_count(nd->dir));
	gauge(f, "entries_active", "Mappings in the activated state.",
	    vs.active);
	gauge(f, "vns", "VNs with mappings.", vs.vns);
	gauge(f, "nves", "NVEs ever registered.", nnve);
	gauge(f, "nves_connected", "NVEs with a session now.", connected);
	gauge(f, "sessions", "NVE sessions open, in any state.", ss.sessions);
	gauge(f, "subscriptions", "VN subscriptions summed over sessions.",
	    ss.subs);
	counter(f, "reports_total", "Reports taken.", dc->reports);
	counter(f, "withdraws_total", "Withdrawals taken.", dc->withdraws);
	counter(f, "queries_total", "Queries answered.", dc->queries);
	counter(f, "moves_total", "Addresses that moved to another NVE.",
	    dc->moves);
	counter(f, "migrations_total", "Moves announced as migrations.",
	    dc->migrations);
	counter_by_code(f, "refused_total", "Directory operations refused, "
	    "by code.", dc->refused);
	counter_by_code(f, "bad_messages_total", "Messages answered with an "
	    "Error, by code.", c->bad_msgs);
	counter(f, "pushes_total", "Mappings pushed, once per subscribed "
	    "session.", c->pushes);
	counter(f, "push_messages_total", "Update messages sent.",
	    c->push_msgs);
	counter(f, "moved_notices_total", "Moved notices sent to the NVE an "
	    "address left.", c->moved_sent);
	counter(f, "frozen_total", "Addresses frozen by duplicate detection.",
	    dc->frozen);
	gauge(f, "alerts", "Alerts raised and not cleared.", alerts);
	counter(f, "commits_total", "Store commits.", c->commits);
	counter(f, "commit_records_total", "Records written by store "
	    "commits.", c->commit_recs);
	counter(f, "conflicts_total", "Writes answered CONFLICT: another "
	    "nvad sharing the store changed the address first.", c->conflicts);
	counter(f, "lost_records_total", "Records a commit lost to another "
	    "nvad.", c->lost_recs);
	counter(f, "remote_records_total", "Changes by other nvads applied "
	    "from the shared store.", c->remote_recs);
	gauge(f, "store_octets", "Octets the directory store uses.", octets);
	gauge(f, "revision", "Newest directory revision (with a shared "
	    "store: the store revision applied through).", nd->store != NULL &&
	    nd->store->ops->follow != NULL ? c->through : dir_rev(nd->dir));
	counter(f, "framing_broken_total", "Sessions closed for broken "
	    "framing.", c->framing_broken);
	counter(f, "sessions_cut_slow_total", "Sessions cut off for not "
	    "reading their pushes.", c->slow_cut);
	counter(f, "rx_octets_total", "Octets received on NVE sessions.",
	    c->rx_octets);
	counter(f, "tx_octets_total", "Octets sent on NVE sessions.",
	    c->tx_octets);
	gauge(f, "uptime_seconds", "Seconds since nvad started.",
	    now > nd->start_us ? (now - nd->start_us) / USEC_PER_SEC : 0);
}

/* Renders the text and swaps it in; on failure the old text stays. */
static void
refresh(struct nvad_metrics *m)
{
	char *text = NULL, *old;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&text, &len)) == NULL) {
		log_warn("metrics: %s", strerror(errno));
		return;
	}
	render(m->nd, f);
	if (ferror(f)) {
		fclose(f);
		free(text);
		log_warn("metrics: rendering failed");
		return;
	}
	if (fclose(f) != 0) {
		free(text);
		log_warn("metrics: %s", strerror(errno));
		return;
	}
	pthread_mutex_lock(&m->mu);
	old = m->text;
	m->text = text;
	m->len = len;
	pthread_mutex_unlock(&m->mu);
	free(old);
}

static void
tick(uv_timer_t *t)
{
	refresh(t->data);
}

/* ---- HTTP (libmicrohttpd's thread) --------------------------------------- */

static mhd_result
reply(struct MHD_Connection *conn, unsigned status, const char *body,
    bool allow)
{
	struct MHD_Response *rsp;
	mhd_result rc;

	rsp = MHD_create_response_from_buffer(strlen(body), (void *)body,
	    MHD_RESPMEM_PERSISTENT);
	if (rsp == NULL)
		return MHD_NO;
	MHD_add_response_header(rsp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(rsp, MHD_HTTP_HEADER_ALLOW,
		    "GET, HEAD");
	rc = MHD_queue_response(conn, status, rsp);
	MHD_destroy_response(rsp);
	return rc;
}

static mhd_result
serve(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **con_cls)
{
	struct nvad_metrics *m = cls;
	struct MHD_Response *rsp;
	mhd_result rc;
	char *copy;
	size_t len;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)con_cls;

	if (strcmp(url, METRICS_PATH) != 0)
		return reply(conn, MHD_HTTP_NOT_FOUND, "not found; try "
		    METRICS_PATH "\n", false);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method not allowed\n", true);

	pthread_mutex_lock(&m->mu);
	len = m->len;
	copy = malloc(len ? len : 1);
	if (copy != NULL && len > 0)
		memcpy(copy, m->text, len);
	pthread_mutex_unlock(&m->mu);
	if (copy == NULL)
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "out of memory\n", false);
	rsp = MHD_create_response_from_buffer(len, copy,
	    MHD_RESPMEM_MUST_FREE);
	if (rsp == NULL) {
		free(copy);
		return MHD_NO;
	}
	MHD_add_response_header(rsp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    METRICS_CTYPE);
	rc = MHD_queue_response(conn, MHD_HTTP_OK, rsp);
	MHD_destroy_response(rsp);
	return rc;
}

/*
 * libmicrohttpd's error messages.  While MHD_start_daemon() runs (the
 * loop thread) the first one is kept as the reason start-up failed;
 * later ones come from its thread and go to the debug log.
 */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct nvad_metrics *m = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '.'))
		msg[--n] = '\0';
	if (m->starting) {
		if (m->err[0] == '\0')
			snprintf(m->err, sizeof(m->err), "%s", msg);
		return;
	}
	log_debug("metrics: %s", msg);
}

/* ---- start, stop --------------------------------------------------------- */

static void
metrics_free(struct nvad_metrics *m)
{
	pthread_mutex_destroy(&m->mu);
	free(m->text);
	free(m);
}

static void
timer_closed(uv_handle_t *h)
{
	metrics_free(h->data);
}

int
nvad_metrics_start(struct nvad *nd)
{
	const struct nvad_conf *c = &nd->conf;
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	struct nvad_metrics *m;
	bool v6 = false;
	int rc;

	if (c->metrics_addr[0] == '\0')
		return 0;
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, c->metrics_addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(c->metrics_port);
	} else if (inet_pton(AF_INET6, c->metrics_addr, &sin6->sin6_addr) ==
	    1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(c->metrics_port);
		flags |= MHD_USE_IPv6;
		v6 = true;
	} else {
		log_err("metrics: %s is not a numeric IPv4 or IPv6 address",
		    c->metrics_addr);
		return -EINVAL;
	}

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_err("metrics: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	m->nd = nd;
	if ((rc = pthread_mutex_init(&m->mu, NULL)) != 0) {
		free(m);
		log_err("metrics: %s", strerror(rc));
		return -rc;
	}
	/* The first text is there before the first request can come. */
	refresh(m);

	m->starting = true;
	errno = 0;
	m->mhd = MHD_start_daemon(flags, c->metrics_port, NULL, NULL, serve, m,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, m,	/* first, or it warns */
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
	    MHD_OPTION_END);
	m->starting = false;
	if (m->mhd == NULL) {
		int e = errno;

		log_err("metrics: cannot serve http://%s%s%s:%u%s: %s", v6 ?
		    "[" : "", c->metrics_addr, v6 ? "]" : "",
		    (unsigned)c->metrics_port, METRICS_PATH, m->err[0] ?
		    m->err : e ? strerror(e) : "libmicrohttpd did not start");
		metrics_free(m);
		return e ? -e : -EADDRNOTAVAIL;
	}
	if ((rc = uv_timer_init(&nd->loop.uv, &m->timer)) < 0) {
		log_err("metrics: timer: %s", uv_strerror(rc));
		MHD_stop_daemon(m->mhd);
		metrics_free(m);
		return rc;
	}
	m->timer.data = m;
	uv_timer_start(&m->timer, tick, METRICS_PERIOD_MS, METRICS_PERIOD_MS);
	nd->metrics = m;
	log_info("metrics: serving http://%s%s%s:%u%s", v6 ? "[" : "",
	    c->metrics_addr, v6 ? "]" : "", (unsigned)c->metrics_port,
	    METRICS_PATH);
	return 0;
}

/*
 * Joins libmicrohttpd's thread (requests in flight finish with their
 * copy of the text), then stops the timer.  The memory goes with the
 * timer's close callback: call this before sn_loop_close().  Safe when
 * metrics never started.
 */
void
nvad_metrics_stop(struct nvad *nd)
{
	struct nvad_metrics *m = nd->metrics;

	if (m == NULL)
		return;
	nd->metrics = NULL;
	MHD_stop_daemon(m->mhd);
	m->mhd = NULL;
	uv_timer_stop(&m->timer);
	uv_close((uv_handle_t *)&m->timer, timer_closed);
}
