/*
 * ctl.c - the control-socket server of ctl.h: a listening unix socket,
 * its clients, request lines parsed and checked against the daemon's
 * command table, and the replies written back in request order.
 *
 * Owns struct ctl_server (the listening uv_pipe_t and the client list),
 * struct ctl_client (one connection, its partial line and its queue of
 * requests not yet replied) and struct ctl_req (one request, alive from
 * its line until its reply has been handed to the client, or dropped).
 * Runs in the calling daemon's one thread, on its libuv loop; the daemon
 * sees only its command handlers being called.  Relies on jansson for
 * the JSON, libuv for the sockets and util/log for the log lines.
 *
 * Ordering: every request line, good or bad, takes a place at the tail
 * of its client's queue.  A reply is stored in its request; whenever
 * the head of the queue holds one, replies are written from the head
 * on until one is still missing.  So a later request answered first
 * waits for the earlier ones, and an error found before any handler ran
 * waits the same way.
 *
 * Lifetimes: a client going away (read error, write error, hang-up,
 * server closing) frees the requests already answered and cuts the
 * others loose (r->cl = NULL): their handler still holds them, and the
 * reply it gives later is dropped.  The server counts its open handles
 * and the requests not yet answered; its memory goes with the last.
 *
 * Flow control: reading from a client stops while more than CTL_WQ_HIGH
 * octets of its replies wait to be written or CTL_REQ_HIGH of its
 * requests wait for their replies, and starts again below half of both.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "ctl/ctl.h"
#include "util/log.h"
#include "util/mtime.h"

#define CTL_READ_SIZE	(64u * 1024)
#define CTL_MAX_CLIENTS	128
#define CTL_REQ_HIGH	1024	/* requests waiting per client */
#define CTL_PATH_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)
#define CTL_DUMP_FLAGS	(JSON_COMPACT | JSON_REAL_PRECISION(15))

struct ctl_client {
	uv_pipe_t	 pipe;		/* .data: this client */
	struct ctl_server *srv;
	struct ctl_client *next, **pprev;
	uint64_t	 id;		/* for logs: "client N" */
	char		*buf;		/* partial request line */
	size_t		 len, cap;
	struct ctl_req	*head, **tailp;	/* waiting for (their turn to
					   send) their reply */
	unsigned	 nreq;
	bool		 paused;	/* reading stopped (flow control) */
	bool		 done;		/* no more requests are read */
	bool		 shut;		/* uv_shutdown issued */
	bool		 closing;	/* uv_close issued */
};

struct ctl_server {
	uv_loop_t	*loop;
	uv_pipe_t	 pipe;
	const struct ctl_cmd *cmds;
	size_t		 ncmds;
	void		*arg;
	struct ctl_client *clients;
	unsigned	 nclients;
	uint64_t	 next_id;
	unsigned	 refs;		/* open handles + unanswered requests */
	bool		 listening;
	bool		 closing;
	char		 path[CTL_PATH_MAX];
	char		 rbuf[CTL_READ_SIZE];	/* one read at a time */
};

struct ctl_req {
	struct ctl_server *srv;
	struct ctl_client *cl;		/* NULL: the client is gone */
	struct ctl_req	*next;		/* in cl's queue */
	const struct ctl_cmd *cmd;	/* NULL until known */
	json_t		*json;		/* the request (NULL: unparsable) */
	json_t		*reply;		/* given, waiting for its turn */
	uint64_t	 client;
	bool		 answered;
};

struct ctl_write {
	uv_write_t	 req;
	char		*text;
};

static void	client_close(struct ctl_client *);
static void	client_flush(struct ctl_client *);
static void	client_alloc(uv_handle_t *, size_t, uv_buf_t *);
static void	client_read(uv_stream_t *, ssize_t, const uv_buf_t *);

/* ---- server and request lifetime ---------------------------------------- */

static void
srv_release(struct ctl_server *s)
{
	if (--s->refs == 0 && s->closing)
		free(s);
}

static struct ctl_req *
req_new(struct ctl_client *cl)
{
	struct ctl_req *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->srv = cl->srv;
	r->cl = cl;
	r->client = cl->id;
	*cl->tailp = r;
	cl->tailp = &r->next;
	cl->nreq++;
	cl->srv->refs++;
	return r;
}

static void
req_free(struct ctl_req *r)
{
	struct ctl_server *s = r->srv;

	json_decref(r->json);
	json_decref(r->reply);
	free(r);
	srv_release(s);
}

/*
 * Replaces every byte of s that is not part of a well-formed UTF-8
 * sequence with '?', so that error texts quoting clipped client input
 * ("%.64s" may cut a character in two) stay valid JSON strings.
 */
static void
utf8_clean(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p != '\0') {
		unsigned n, i;
		uint32_t cp;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			n = 1;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			n = 2;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			n = 3;
			cp = *p & 0x07;
		} else {
			*p++ = '?';
			continue;
		}
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				break;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (i <= n || (n == 2 && cp < 0x800) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			*p++ = '?';
			continue;
		}
		p += n + 1;
	}
}

/*
 * Gives r its reply (taken) and sends what the client's queue order
 * allows.  A NULL reply (out of memory) closes the client: it would
 * otherwise wait for a line that never comes.
 */
static void
req_answer(struct ctl_req *r, json_t *reply)
{
	struct ctl_client *cl = r->cl;
	json_t *id;

	r->answered = true;
	if (cl == NULL) {
		json_decref(reply);
		req_free(r);
		return;
	}
	if (reply != NULL && json_is_object(r->json) &&
	    (id = json_object_get(r->json, "id")) != NULL &&
	    json_object_set(reply, "id", id) < 0) {
		json_decref(reply);
		reply = NULL;
	}
	if (reply == NULL) {
		log_warn("control: client %llu: reply: %s",
		    (unsigned long long)r->client, strerror(ENOMEM));
		client_close(cl);
	}
	r->reply = reply;
	client_flush(cl);
}

static json_t *
reply_error(const char *msg)
{
	return json_pack("{s:b,s:s}", "ok", 0, "error", msg);
}

/* ---- public: requests and replies ---------------------------------------- */

const json_t *
ctl_req_json(const struct ctl_req *r)
{
	return r->json;
}

const struct ctl_cmd *
ctl_req_cmd(const struct ctl_req *r)
{
	return r->cmd;
}

const char *
ctl_req_str(const struct ctl_req *r, const char *name)
{
	return json_string_value(json_object_get(r->json, name));
}

json_int_t
ctl_req_int(const struct ctl_req *r, const char *name, json_int_t def)
{
	json_t *v = json_object_get(r->json, name);

	return json_is_integer(v) ? json_integer_value(v) : def;
}

bool
ctl_req_bool(const struct ctl_req *r, const char *name, bool def)
{
	json_t *v = json_object_get(r->json, name);

	return json_is_boolean(v) ? json_is_true(v) : def;
}

bool
ctl_req_gone(const struct ctl_req *r)
{
	return r->cl == NULL || r->cl->closing;
}

uint64_t
ctl_req_client(const struct ctl_req *r)
{
	return r->client;
}

/* Answers a handler's NULL rows/result. */
static json_t *
reply_nomem(const struct ctl_req *r)
{
	char msg[CTL_ERR_MAX];

	snprintf(msg, sizeof(msg), "%s: %s", r->cmd ? r->cmd->name :
	    "request", strerror(ENOMEM));
	return reply_error(msg);
}

void
ctl_reply_rows(struct ctl_req *r, json_t *rows)
{
	req_answer(r, rows != NULL ? json_pack("{s:b,s:o}", "ok", 1, "rows",
	    rows) : reply_nomem(r));
}

void
ctl_reply_result(struct ctl_req *r, json_t *result)
{
	req_answer(r, result != NULL ? json_pack("{s:b,s:o}", "ok", 1,
	    "result", result) : reply_nomem(r));
}

void
ctl_reply_error(struct ctl_req *r, const char *fmt, ...)
{
	char msg[CTL_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_clean(msg);
	log_debug("control: client %llu: %s", (unsigned long long)r->client,
	    msg);
	req_answer(r, reply_error(msg));
}

/* ---- public: row helpers ------------------------------------------------- */

void
ctl_set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, v != NULL ? json_string(v) : json_null());
}

void
ctl_set_int(json_t *o, const char *k, uint64_t v)
{
	json_object_set_new(o, k, json_integer(v > (uint64_t)LLONG_MAX ?
	    LLONG_MAX : (json_int_t)v));
}

void
ctl_set_bool(json_t *o, const char *k, bool v)
{
	json_object_set_new(o, k, json_boolean(v));
}

void
ctl_set_secs(json_t *o, const char *k, uint64_t now, uint64_t then)
{
	double s = 0.0;

	if (then == 0) {
		json_object_set_new(o, k, json_null());
		return;
	}
	if (then <= now)
		s = (double)((now - then) / USEC_PER_MSEC) / 1000.0;
	json_object_set_new(o, k, json_real(s));
}

void
ctl_set_counters(json_t *o, const void *base,
    const struct ctl_counter_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v;

		memcpy(&v, (const char *)base + f[i].off, sizeof(v));
		ctl_set_int(o, f[i].name, v);
	}
}

/* ---- request line -> handler --------------------------------------------- */

static const char *
type_name(enum ctl_argtype t)
{
	switch (t) {
	case CTL_T_STRING:
		return "a string";
	case CTL_T_UINT:
		return "an integer";
	case CTL_T_BOOL:
		return "a boolean";
	case CTL_T_ARRAY:
		return "an array";
	case CTL_T_OBJECT:
		return "an object";
	}
	return "?";
}

static bool
type_ok(const struct ctl_arg *a, const json_t *v)
{
	switch (a->type) {
	case CTL_T_STRING:
		return json_is_string(v);
	case CTL_T_UINT:
		return json_is_integer(v) && json_integer_value(v) >= a->min &&
		    json_integer_value(v) <= a->max;
	case CTL_T_BOOL:
		return json_is_boolean(v);
	case CTL_T_ARRAY:
		return json_is_array(v);
	case CTL_T_OBJECT:
		return json_is_object(v);
	}
	return false;
}

/*
 * Checks the request's members against c->args ("cmd" and "id" are
 * always allowed).  0, or -1 with the error text in err.
 */
static int
check_args(const json_t *req, const struct ctl_cmd *c, char *err,
    size_t errsz)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)req, key, val) {
		const struct ctl_arg *a = NULL;

		if (strcmp(key, "cmd") == 0 || strcmp(key, "id") == 0)
			continue;
		for (size_t i = 0; i < CTL_MAX_ARGS && c->args[i].name; i++)
			if (strcmp(c->args[i].name, key) == 0)
				a = &c->args[i];
		if (a == NULL) {
			snprintf(err, errsz, "%s: unknown argument \"%.64s\"",
			    c->name, key);
			return -1;
		}
		if (type_ok(a, val))
			continue;
		if (a->type == CTL_T_UINT)
			snprintf(err, errsz, "%s: \"%s\" must be an integer in "
			    "%lld..%lld", c->name, a->name, (long long)a->min,
			    (long long)a->max);
		else
			snprintf(err, errsz, "%s: \"%s\" must be %s", c->name,
			    a->name, type_name(a->type));
		return -1;
	}
	for (size_t i = 0; i < CTL_MAX_ARGS && c->args[i].name; i++) {
		if (c->args[i].required &&
		    json_object_get(req, c->args[i].name) == NULL) {
			snprintf(err, errsz, "%s: missing \"%s\" (%s)",
			    c->name, c->args[i].name,
			    type_name(c->args[i].type));
			return -1;
		}
	}
	return 0;
}

/* "a, b, c": the command names, for "valid: ..." in errors. */
static void
cmd_names(const struct ctl_server *s, char *out, size_t sz)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < s->ncmds && o < sz; i++) {
		int w = snprintf(out + o, sz - o, "%s%s", i ? ", " : "",
		    s->cmds[i].name);

		if (w < 0)
			break;
		o += (size_t)w;
	}
}

/*
 * Serves one request line of cl: its place in the queue is taken first,
 * then the line is parsed, checked and handed to its command's handler
 * (which may answer at once or later).
 */
static void
client_line(struct ctl_client *cl, const char *line, size_t len)
{
	struct ctl_server *s = cl->srv;
	struct ctl_req *r;
	json_error_t jerr;
	const char *name;
	char valid[CTL_ERR_MAX];
	json_t *cmd;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return;		/* blank lines between requests */
	if ((r = req_new(cl)) == NULL) {
		log_warn("control: client %llu: %s",
		    (unsigned long long)cl->id, strerror(ENOMEM));
		client_close(cl);
		return;
	}
	r->json = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (r->json == NULL) {
		ctl_reply_error(r, "malformed JSON at column %d: %s",
		    jerr.column, jerr.text);
		return;
	}
	if (!json_is_object(r->json)) {
		ctl_reply_error(r, "a request is a JSON object");
		return;
	}
	cmd_names(s, valid, sizeof(valid));
	cmd = json_object_get(r->json, "cmd");
	if (!json_is_string(cmd)) {
		ctl_reply_error(r, "missing \"cmd\" string (valid: %s)", valid);
		return;
	}
	name = json_string_value(cmd);
	for (size_t i = 0; i < s->ncmds && r->cmd == NULL; i++)
		if (strcmp(s->cmds[i].name, name) == 0)
			r->cmd = &s->cmds[i];
	if (r->cmd == NULL) {
		ctl_reply_error(r, "unknown cmd \"%.64s\" (valid: %s)", name,
		    valid);
		return;
	}
	if (check_args(r->json, r->cmd, valid, sizeof(valid)) < 0) {
		ctl_reply_error(r, "%s", valid);
		return;
	}
	log_debug("control: %s by client %llu", r->cmd->name,
	    (unsigned long long)cl->id);
	r->cmd->fn(r, s->arg);		/* r may be gone from here on */
}

/* ---- clients ------------------------------------------------------------- */

/* Stops or restarts reading from cl as its backlog asks. */
static void
client_throttle(struct ctl_client *cl)
{
	size_t wq;

	if (cl->done || cl->closing)
		return;
	wq = uv_stream_get_write_queue_size((uv_stream_t *)&cl->pipe);
	if (!cl->paused && (wq > CTL_WQ_HIGH || cl->nreq >= CTL_REQ_HIGH)) {
		cl->paused = true;
		uv_read_stop((uv_stream_t *)&cl->pipe);
	} else if (cl->paused && wq <= CTL_WQ_HIGH / 2 &&
	    cl->nreq < CTL_REQ_HIGH / 2) {
		cl->paused = false;
		if (uv_read_start((uv_stream_t *)&cl->pipe, client_alloc,
		    client_read) < 0)
			client_close(cl);
	}
}

static void
client_closed(uv_handle_t *h)
{
	struct ctl_client *cl = h->data;
	struct ctl_server *s = cl->srv;
	struct ctl_req *r, *next;

	for (r = cl->head; r != NULL; r = next) {
		next = r->next;
		r->next = NULL;
		r->cl = NULL;
		if (r->answered)
			req_free(r);
	}
	if (cl->pprev != NULL) {
		*cl->pprev = cl->next;
		if (cl->next != NULL)
			cl->next->pprev = cl->pprev;
		s->nclients--;
	}
	free(cl->buf);
	free(cl);
	srv_release(s);
}

static void
client_close(struct ctl_client *cl)
{
	if (cl->closing)
		return;
	cl->closing = true;
	uv_close((uv_handle_t *)&cl->pipe, client_closed);
}

static void
client_written(uv_write_t *req, int status)
{
	struct ctl_write *w = (struct ctl_write *)req;
	struct ctl_client *cl = req->handle->data;

	free(w->text);
	free(w);
	if (status < 0) {
		if (status != UV_ECANCELED) {
			log_debug("control: client %llu: write: %s",
			    (unsigned long long)cl->id, uv_strerror(status));
			client_close(cl);
		}
		return;
	}
	client_throttle(cl);
}

static void
client_shut_done(uv_shutdown_t *req, int status)
{
	struct ctl_client *cl = req->handle->data;

	(void)status;
	free(req);
	client_close(cl);
}

/* Once no more requests come and every reply is out: close. */
static void
client_maybe_shut(struct ctl_client *cl)
{
	uv_shutdown_t *req;

	if (!cl->done || cl->head != NULL || cl->shut || cl->closing)
		return;
	cl->shut = true;
	req = calloc(1, sizeof(*req));
	if (req == NULL || uv_shutdown(req, (uv_stream_t *)&cl->pipe,
	    client_shut_done) < 0) {
		free(req);
		client_close(cl);
	}
}

/* Queues one reply line (takes reply). */
static void
client_send(struct ctl_client *cl, json_t *reply)
{
	struct ctl_write *w;
	char *text;
	size_t n;
	uv_buf_t b;

	if (cl->closing) {
		json_decref(reply);
		return;
	}
	text = json_dumps(reply, CTL_DUMP_FLAGS);
	json_decref(reply);
	if (text == NULL) {
		log_warn("control: client %llu: reply: %s",
		    (unsigned long long)cl->id, strerror(ENOMEM));
		client_close(cl);
		return;
	}
	n = strlen(text);
	/* json_dumps allocates exactly n + 1: make room for the newline. */
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->text = realloc(text, n + 2)) == NULL) {
		free(w);
		free(text);
		client_close(cl);
		return;
	}
	w->text[n] = '\n';
	w->text[n + 1] = '\0';
	b = uv_buf_init(w->text, (unsigned)(n + 1));
	if (uv_write(&w->req, (uv_stream_t *)&cl->pipe, &b, 1,
	    client_written) < 0) {
		free(w->text);
		free(w);
		client_close(cl);
	}
}

/* Sends the replies at the head of cl's queue that are there. */
static void
client_flush(struct ctl_client *cl)
{
	struct ctl_req *r;

	while ((r = cl->head) != NULL && r->answered) {
		if ((cl->head = r->next) == NULL)
			cl->tailp = &cl->head;
		cl->nreq--;
		client_send(cl, r->reply);
		r->reply = NULL;
		req_free(r);
	}
	client_throttle(cl);
	client_maybe_shut(cl);
}

/* No more requests from cl: it closes once every reply is written. */
static void
client_finish(struct ctl_client *cl)
{
	if (cl->done)
		return;
	cl->done = true;
	cl->len = 0;
	uv_read_stop((uv_stream_t *)&cl->pipe);
	client_maybe_shut(cl);
}

static void
client_too_long(struct ctl_client *cl)
{
	struct ctl_req *r;

	log_info("control: client %llu: request line over %u octets, "
	    "closing", (unsigned long long)cl->id, CTL_LINE_MAX);
	if ((r = req_new(cl)) == NULL) {
		client_close(cl);
		return;
	}
	ctl_reply_error(r, "request line longer than %u octets",
	    CTL_LINE_MAX);
	client_finish(cl);
}

/* Serves every complete line in cl->buf; keeps the partial rest. */
static void
client_lines(struct ctl_client *cl)
{
	size_t start = 0;
	char *nl;

	while (!cl->done && !cl->closing &&
	    (nl = memchr(cl->buf + start, '\n', cl->len - start)) != NULL) {
		size_t len = (size_t)(nl - (cl->buf + start));

		if (len > CTL_LINE_MAX) {
			client_too_long(cl);
			return;
		}
		client_line(cl, cl->buf + start, len);
		start += len + 1;
	}
	if (cl->done || cl->closing)
		return;
	memmove(cl->buf, cl->buf + start, cl->len - start);
	cl->len -= start;
	if (cl->len > CTL_LINE_MAX)
		client_too_long(cl);
}

/*
 * After EOF: true when the peer closed its socket altogether (nobody
 * will read a reply), false when it only shut its sending side.
 */
static bool
client_hung_up(struct ctl_client *cl)
{
	struct pollfd pfd;
	uv_os_fd_t fd;

	if (uv_fileno((uv_handle_t *)&cl->pipe, &fd) < 0)
		return true;
	memset(&pfd, 0, sizeof(pfd));
	pfd.fd = fd;
	pfd.events = POLLOUT;
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR));
}

static void
client_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct ctl_client *cl = h->data;

	(void)suggested;
	*buf = uv_buf_init(cl->srv->rbuf, sizeof(cl->srv->rbuf));
}

static void
client_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct ctl_client *cl = st->data;

	if (nread == UV_EOF) {
		/* A last request without its newline still counts. */
		if (cl->len > 0 && cl->len <= CTL_LINE_MAX)
			client_line(cl, cl->buf, cl->len);
		cl->len = 0;
		if (cl->closing)
			return;
		if (client_hung_up(cl))
			client_close(cl);
		else
			client_finish(cl);
		return;
	}
	if (nread < 0) {
		log_debug("control: client %llu: read: %s",
		    (unsigned long long)cl->id, uv_strerror((int)nread));
		client_close(cl);
		return;
	}
	if (nread == 0 || cl->done || cl->closing)
		return;
	if (cl->len + (size_t)nread > cl->cap) {
		size_t ncap = cl->len + (size_t)nread;
		char *nb;

		if (ncap < 4096)
			ncap = 4096;
		if ((nb = realloc(cl->buf, ncap)) == NULL) {
			client_close(cl);
			return;
		}
		cl->buf = nb;
		cl->cap = ncap;
	}
	memcpy(cl->buf + cl->len, buf->base, (size_t)nread);
	cl->len += (size_t)nread;
	client_lines(cl);
	client_throttle(cl);	/* requests may be waiting for handlers */
}

static void
srv_accept(uv_stream_t *server, int status)
{
	struct ctl_server *s = server->data;
	struct ctl_client *cl;

	if (status < 0) {
		log_warn("control: accept: %s", uv_strerror(status));
		return;
	}
	cl = calloc(1, sizeof(*cl));
	if (cl == NULL || uv_pipe_init(s->loop, &cl->pipe, 0) < 0) {
		/* The connection stays in the backlog until the next try. */
		free(cl);
		log_warn("control: accept: %s", strerror(ENOMEM));
		return;
	}
	cl->srv = s;
	cl->pipe.data = cl;
	cl->tailp = &cl->head;
	s->refs++;
	if (uv_accept(server, (uv_stream_t *)&cl->pipe) < 0) {
		client_close(cl);
		return;
	}
	cl->id = ++s->next_id;
	if (s->nclients >= CTL_MAX_CLIENTS) {
		log_warn("control: %u clients already, refusing client %llu",
		    s->nclients, (unsigned long long)cl->id);
		client_close(cl);
		return;
	}
	cl->next = s->clients;
	cl->pprev = &s->clients;
	if (s->clients != NULL)
		s->clients->pprev = &cl->next;
	s->clients = cl;
	s->nclients++;
	if (uv_read_start((uv_stream_t *)&cl->pipe, client_alloc,
	    client_read) < 0)
		client_close(cl);
	else
		log_debug("control: client %llu connected",
		    (unsigned long long)cl->id);
}

/* ---- the listening socket ------------------------------------------------ */

static void
srv_closed(uv_handle_t *h)
{
	srv_release(h->data);
}

/* mkdir -p of path's parent directory (mode 0755 for those made). */
static int
make_parent(const char *path)
{
	char dir[CTL_PATH_MAX];
	char *p, save;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		save = *p;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = save;
		if (save == '\0')
			break;
	}
	return 0;
}

/*
 * Removes a socket file left by a daemon that is gone.  -EADDRINUSE if
 * something still accepts on it, -EEXIST if it is not a socket.
 */
static int
unlink_stale(const char *path)
{
	struct sockaddr_un sun;
	struct stat sb;
	int fd, rc;

	if (lstat(path, &sb) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(sb.st_mode))
		return -EEXIST;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
ctl_server_open(struct ctl_server **out, uv_loop_t *loop, const char *path,
    const struct ctl_cmd *cmds, size_t ncmds, void *arg)
{
	struct ctl_server *s;
	mode_t old;
	int rc;

	if (out == NULL || loop == NULL || path == NULL || path[0] == '\0' ||
	    (cmds == NULL && ncmds > 0)) {
		log_warn("control: no socket path or command table");
		return -EINVAL;
	}
	*out = NULL;
	if (strlen(path) >= CTL_PATH_MAX) {
		log_warn("control: %s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_warn("control: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	s->loop = loop;
	s->cmds = cmds;
	s->ncmds = ncmds;
	s->arg = arg;
	snprintf(s->path, sizeof(s->path), "%s", path);
	if ((rc = make_parent(path)) < 0) {
		log_warn("control: cannot create the directory of %s: %s",
		    path, strerror(-rc));
		free(s);
		return rc;
	}
	if ((rc = unlink_stale(path)) < 0) {
		log_warn("control: %s: %s", path, rc == -EADDRINUSE ?
		    "another daemon answers on it" : rc == -EEXIST ?
		    "exists and is not a socket" : strerror(-rc));
		free(s);
		return rc;
	}
	if ((rc = uv_pipe_init(loop, &s->pipe, 0)) < 0) {
		log_warn("control: %s: %s", path, uv_strerror(rc));
		free(s);
		return rc;
	}
	s->pipe.data = s;
	s->refs = 1;
	old = umask(0117);		/* the socket is born 0660 */
	rc = uv_pipe_bind(&s->pipe, path);
	umask(old);
	if (rc == 0 && chmod(path, 0660) < 0)
		rc = -errno;
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&s->pipe, 16, srv_accept);
	if (rc < 0) {
		log_warn("control: %s: %s", path, strerror(-rc));
		s->closing = true;
		uv_close((uv_handle_t *)&s->pipe, srv_closed);
		unlink(path);
		return rc;
	}
	s->listening = true;
	*out = s;
	log_info("control: listening on %s", path);
	return 0;
}

void
ctl_server_close(struct ctl_server *s)
{
	if (s == NULL || s->closing)
		return;
	s->closing = true;
	for (struct ctl_client *cl = s->clients; cl != NULL; cl = cl->next)
		client_close(cl);
	if (s->listening) {
		unlink(s->path);
		s->listening = false;
	}
	uv_close((uv_handle_t *)&s->pipe, srv_closed);
}
