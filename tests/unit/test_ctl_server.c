/*
 * test_ctl_server.c - the control-socket server (lib/ctl/ctl.c) on a real
 * libuv loop and a real unix socket in a mkdtemp folder, with the client
 * in the same thread (a non-blocking socket; the loop is turned while
 * the client waits).  Covers: good commands (rows, result), every error
 * found before a handler runs and its text, "id" echo, in-order replies
 * when a deferred request is answered after a later one, requests whose
 * client hung up (or only half-closed), over-long lines, back-pressure
 * on a client that does not read or whose requests are not answered, stale / live / foreign socket files,
 * and the row helpers.  Waits are bounded by turn counts, never by time;
 * ASan's leak check covers the handles released late.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
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
#include <cmocka.h>

#include <jansson.h>
#include <uv.h>

#include "ctl/ctl.h"
#include "util/log.h"

#define MAX_TURNS	20000	/* loop turns a wait may take (1 ms polls) */
#define BIG_REPLY	(512u * 1024)
#define MAX_DEFER	4096

struct tctx {
	uv_loop_t	 loop;
	struct ctl_server *srv;
	char		 dir[64];
	char		 path[128];
	unsigned	 calls;		/* handler invocations */
	struct ctl_req	*deferred[MAX_DEFER];
	unsigned	 ndeferred;
};

struct cli {
	int		 fd;
	char		*buf;
	size_t		 len, cap;
	bool		 eof;
};

/* ---- commands ------------------------------------------------------------ */

static void
cmd_echo(struct ctl_req *r, void *arg)
{
	struct tctx *t = arg;
	json_t *o = json_object();

	t->calls++;
	assert_string_equal(ctl_req_cmd(r)->name, "echo");
	assert_false(ctl_req_gone(r));
	ctl_set_str(o, "text", ctl_req_str(r, "text"));
	ctl_set_int(o, "n", (uint64_t)ctl_req_int(r, "n", 99));
	ctl_set_bool(o, "flag", ctl_req_bool(r, "flag", true));
	ctl_set_str(o, "none", ctl_req_str(r, "nothing"));
	ctl_reply_result(r, o);
}

static void
cmd_rows(struct ctl_req *r, void *arg)
{
	struct tctx *t = arg;

	t->calls++;
	ctl_reply_rows(r, json_pack("[{s:i},{s:i}]", "a", 1, "a", 2));
}

static void
cmd_defer(struct ctl_req *r, void *arg)
{
	struct tctx *t = arg;

	t->calls++;
	assert_true(t->ndeferred < MAX_DEFER);
	t->deferred[t->ndeferred++] = r;
}

static void
cmd_fail(struct ctl_req *r, void *arg)
{
	struct tctx *t = arg;

	t->calls++;
	ctl_reply_error(r, "fail: %s %d", "because", 42);
}

static void
cmd_nomem(struct ctl_req *r, void *arg)
{
	struct tctx *t = arg;

	t->calls++;
	ctl_reply_rows(r, NULL);
}

static void
cmd_big(struct ctl_req *r, void *arg)
{
	struct tctx *t = arg;
	char *s = malloc(BIG_REPLY + 1);
	json_t *o = json_object();

	assert_non_null(s);
	t->calls++;
	memset(s, 'x', BIG_REPLY);
	s[BIG_REPLY] = '\0';
	ctl_set_str(o, "blob", s);
	free(s);
	ctl_reply_result(r, o);
}

static const struct ctl_cmd test_cmds[] = {
	{ "echo", cmd_echo, {
		{ "text", CTL_T_STRING, true, 0, 0 },
		{ "n", CTL_T_UINT, false, 1, 10 },
		{ "flag", CTL_T_BOOL, false, 0, 0 },
		{ "list", CTL_T_ARRAY, false, 0, 0 },
		{ "obj", CTL_T_OBJECT, false, 0, 0 } } },
	{ "rows", cmd_rows, { { NULL, 0, false, 0, 0 } } },
	{ "defer", cmd_defer, {
		{ "tag", CTL_T_STRING, false, 0, 0 } } },
	{ "fail", cmd_fail, { { NULL, 0, false, 0, 0 } } },
	{ "nomem", cmd_nomem, { { NULL, 0, false, 0, 0 } } },
	{ "big", cmd_big, { { NULL, 0, false, 0, 0 } } },
};
#define NCMDS	(sizeof(test_cmds) / sizeof(test_cmds[0]))
#define VALID	"echo, rows, defer, fail, nomem, big"

/* ---- fixture ------------------------------------------------------------- */

static int
setup(void **state)
{
	struct tctx *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_ctl.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	/* a folder that does not exist yet: the server makes it */
	snprintf(t->path, sizeof(t->path), "%s/run/ctl.sock", t->dir);
	assert_int_equal(uv_loop_init(&t->loop), 0);
	assert_int_equal(ctl_server_open(&t->srv, &t->loop, t->path,
	    test_cmds, NCMDS, t), 0);
	assert_non_null(t->srv);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tctx *t = *state;
	char sub[160];
	struct stat sb;

	ctl_server_close(t->srv);
	/* the socket file goes at once, the memory with the handles */
	assert_int_equal(lstat(t->path, &sb), -1);
	assert_int_equal(uv_run(&t->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&t->loop), 0);
	snprintf(sub, sizeof(sub), "%s/run", t->dir);
	rmdir(sub);
	assert_int_equal(rmdir(t->dir), 0);
	free(t);
	return 0;
}

/* ---- client -------------------------------------------------------------- */

static void
turn(struct tctx *t)
{
	uv_run(&t->loop, UV_RUN_NOWAIT);
}

static void
sun_fill(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(sun->sun_path));
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

static struct cli *
cli_open(struct tctx *t)
{
	struct sockaddr_un sun;
	struct cli *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	sun_fill(&sun, t->path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	assert_true(c->fd >= 0);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&sun,
	    sizeof(sun)), 0);
	turn(t);		/* accept */
	return c;
}

static void
cli_free(struct cli *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

/* Writes all of s, turning the loop whenever the socket is full. */
static void
cli_sendn(struct tctx *t, struct cli *c, const char *s, size_t n)
{
	unsigned turns = 0;

	while (n > 0) {
		ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);

		if (w < 0) {
			assert_int_equal(errno, EAGAIN);
			assert_true(++turns < MAX_TURNS);
			turn(t);
			poll(NULL, 0, 1);
			continue;
		}
		s += w;
		n -= (size_t)w;
	}
	turn(t);
}

static void
cli_send(struct tctx *t, struct cli *c, const char *s)
{
	cli_sendn(t, c, s, strlen(s));
}

/* Reads what is there without waiting; false when nothing was. */
static bool
cli_pull(struct cli *c)
{
	ssize_t n;

	if (c->cap - c->len < 65536) {
		c->cap = c->cap ? c->cap * 2 : 131072;
		c->buf = realloc(c->buf, c->cap);
		assert_non_null(c->buf);
	}
	n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
	if (n == 0) {
		c->eof = true;
		return false;
	}
	if (n < 0 && errno == ECONNRESET) {
		/* the server closed with some of our octets unread */
		c->eof = true;
		return false;
	}
	if (n < 0) {
		assert_int_equal(errno, EAGAIN);
		return false;
	}
	c->len += (size_t)n;
	return true;
}

/* The next reply line (malloc'ed, no newline), or NULL at EOF. */
static char *
cli_line(struct tctx *t, struct cli *c)
{
	unsigned turns = 0;

	for (;;) {
		char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;

		if (nl != NULL) {
			size_t n = (size_t)(nl - c->buf);
			char *line = strndup(c->buf, n);

			assert_non_null(line);
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return line;
		}
		if (c->eof)
			return NULL;
		if (!cli_pull(c) && !c->eof) {
			assert_true(++turns < MAX_TURNS);
			turn(t);
			poll(NULL, 0, 1);
		}
	}
}

/* Sends req and checks the one reply line is exactly want. */
static void
exchange(struct tctx *t, struct cli *c, const char *req, const char *want)
{
	char *line;

	cli_send(t, c, req);
	line = cli_line(t, c);
	assert_non_null(line);
	assert_string_equal(line, want);
	free(line);
}

/* Turns the loop until t->calls reaches want. */
static void
wait_calls(struct tctx *t, unsigned want)
{
	for (unsigned turns = 0; t->calls < want; turns++) {
		assert_true(turns < MAX_TURNS);
		turn(t);
		poll(NULL, 0, 1);
	}
}

/* No reply waits on c after a few loop turns. */
static void
assert_nothing_to_read(struct tctx *t, struct cli *c)
{
	for (int i = 0; i < 20; i++)
		turn(t);
	assert_false(cli_pull(c));
	assert_false(c->eof);
	assert_int_equal(c->len, 0);
}

/* ---- tests --------------------------------------------------------------- */

static void
good_commands(void **state)
{
	struct tctx *t = *state;
	struct cli *c = cli_open(t);
	struct stat sb;

	assert_int_equal(lstat(t->path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0660);
	exchange(t, c, "{\"cmd\":\"echo\",\"text\":\"hi\"}\n",
	    "{\"ok\":true,\"result\":{\"text\":\"hi\",\"n\":99,\"flag\":true,"
	    "\"none\":null}}");
	exchange(t, c, "{\"cmd\": \"echo\", \"text\": \"h\\u00e9\", \"n\": 10,"
	    " \"flag\": false, \"list\": [1], \"obj\": {}}\r\n",
	    "{\"ok\":true,\"result\":{\"text\":\"h\xc3\xa9\",\"n\":10,"
	    "\"flag\":false,\"none\":null}}");
	/* blank lines between requests are skipped, not answered */
	exchange(t, c, "\n\r\n{\"cmd\":\"rows\"}\n",
	    "{\"ok\":true,\"rows\":[{\"a\":1},{\"a\":2}]}");
	exchange(t, c, "{\"cmd\":\"fail\"}\n",
	    "{\"ok\":false,\"error\":\"fail: because 42\"}");
	exchange(t, c, "{\"cmd\":\"nomem\"}\n",
	    "{\"ok\":false,\"error\":\"nomem: Cannot allocate memory\"}");
	assert_int_equal(t->calls, 5);
	/* a request split over two writes */
	cli_send(t, c, "{\"cmd\":\"ro");
	assert_nothing_to_read(t, c);
	exchange(t, c, "ws\"}\n",
	    "{\"ok\":true,\"rows\":[{\"a\":1},{\"a\":2}]}");
	cli_free(c);
}

static void
bad_requests(void **state)
{
	static const struct {
		const char	*req;
		const char	*want;	/* the error text */
	} cases[] = {
		{ "[1,2]", "a request is a JSON object" },
		{ "{\"text\":\"x\"}", "missing \\\"cmd\\\" string (valid: "
		    VALID ")" },
		{ "{\"cmd\":5}", "missing \\\"cmd\\\" string (valid: "
		    VALID ")" },
		{ "{\"cmd\":\"nope\"}", "unknown cmd \\\"nope\\\" (valid: "
		    VALID ")" },
		{ "{\"cmd\":\"Echo\",\"text\":\"x\"}", "unknown cmd "
		    "\\\"Echo\\\" (valid: " VALID ")" },
		{ "{\"cmd\":\"ech\",\"text\":\"x\"}", "unknown cmd "
		    "\\\"ech\\\" (valid: " VALID ")" },
		{ "{\"cmd\":\"echo\",\"text\":\"x\",\"bogus\":1}",
		    "echo: unknown argument \\\"bogus\\\"" },
		{ "{\"cmd\":\"rows\",\"table\":\"x\"}",
		    "rows: unknown argument \\\"table\\\"" },
		{ "{\"cmd\":\"echo\"}", "echo: missing \\\"text\\\" "
		    "(a string)" },
		{ "{\"cmd\":\"echo\",\"n\":3}", "echo: missing \\\"text\\\" "
		    "(a string)" },
		{ "{\"cmd\":\"echo\",\"text\":5}",
		    "echo: \\\"text\\\" must be a string" },
		{ "{\"cmd\":\"echo\",\"text\":null}",
		    "echo: \\\"text\\\" must be a string" },
		{ "{\"cmd\":\"echo\",\"text\":\"x\",\"flag\":1}",
		    "echo: \\\"flag\\\" must be a boolean" },
		{ "{\"cmd\":\"echo\",\"text\":\"x\",\"list\":{}}",
		    "echo: \\\"list\\\" must be an array" },
		{ "{\"cmd\":\"echo\",\"text\":\"x\",\"obj\":[]}",
		    "echo: \\\"obj\\\" must be an object" },
		{ "{\"cmd\":\"echo\",\"text\":\"x\",\"n\":0}",
		    "echo: \\\"n\\\" must be an integer in 1..10" },
		{ "{\"cmd\":\"echo\",\"text\":\"x\",\"n\":11}",
		    "echo: \\\"n\\\" must be an integer in 1..10" },
		{ "{\"cmd\":\"echo\",\"text\":\"x\",\"n\":-1}",
		    "echo: \\\"n\\\" must be an integer in 1..10" },
		{ "{\"cmd\":\"echo\",\"text\":\"x\",\"n\":2.0}",
		    "echo: \\\"n\\\" must be an integer in 1..10" },
		{ "{\"cmd\":\"echo\",\"text\":\"x\",\"n\":\"2\"}",
		    "echo: \\\"n\\\" must be an integer in 1..10" },
	};
	struct tctx *t = *state;
	struct cli *c = cli_open(t);
	char req[256], want[512], *line;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(req, sizeof(req), "%s\n", cases[i].req);
		snprintf(want, sizeof(want), "{\"ok\":false,\"error\":\"%s\"}",
		    cases[i].want);
		exchange(t, c, req, want);
	}
	/* parse errors name the column; duplicates are refused */
	cli_send(t, c, "{\"cmd\":\n");
	line = cli_line(t, c);
	assert_non_null(line);
	assert_non_null(strstr(line, "{\"ok\":false,\"error\":\"malformed "
	    "JSON at column "));
	free(line);
	cli_send(t, c, "{\"cmd\":\"echo\",\"text\":\"a\",\"text\":\"b\"}\n");
	line = cli_line(t, c);
	assert_non_null(line);
	assert_non_null(strstr(line, "\"error\":\"malformed JSON"));
	assert_non_null(strstr(line, "duplicate"));
	free(line);
	cli_send(t, c, "{\"cmd\":\"rows\"} x\n");
	line = cli_line(t, c);
	assert_non_null(line);
	assert_non_null(strstr(line, "\"error\":\"malformed JSON"));
	free(line);
	assert_int_equal(t->calls, 0);		/* no handler ran */
	/* and the connection still serves */
	exchange(t, c, "{\"cmd\":\"rows\"}\n",
	    "{\"ok\":true,\"rows\":[{\"a\":1},{\"a\":2}]}");
	assert_int_equal(t->calls, 1);
	cli_free(c);
}

/* An error quoting a name cut in the middle of a UTF-8 character. */
static void
clipped_utf8(void **state)
{
	struct tctx *t = *state;
	struct cli *c = cli_open(t);
	char req[512], *line;
	json_t *j;
	size_t o;

	/* 63 ASCII octets then "é" (2 octets): "%.64s" cuts the é */
	o = (size_t)snprintf(req, sizeof(req), "{\"cmd\":\"");
	memset(req + o, 'a', 63);
	o += 63;
	snprintf(req + o, sizeof(req) - o, "\xc3\xa9\"}\n");
	cli_send(t, c, req);
	line = cli_line(t, c);
	assert_non_null(line);
	j = json_loads(line, 0, NULL);
	assert_non_null(j);
	assert_true(json_is_false(json_object_get(j, "ok")));
	assert_non_null(strstr(json_string_value(json_object_get(j, "error")),
	    "aaaa?\" (valid:"));
	json_decref(j);
	free(line);
	cli_free(c);
}

static void
id_echoed(void **state)
{
	struct tctx *t = *state;
	struct cli *c = cli_open(t);

	exchange(t, c, "{\"id\":7,\"cmd\":\"echo\",\"text\":\"x\"}\n",
	    "{\"ok\":true,\"result\":{\"text\":\"x\",\"n\":99,\"flag\":true,"
	    "\"none\":null},\"id\":7}");
	exchange(t, c, "{\"cmd\":\"rows\",\"id\":{\"a\":[1,\"b\"]}}\n",
	    "{\"ok\":true,\"rows\":[{\"a\":1},{\"a\":2}],"
	    "\"id\":{\"a\":[1,\"b\"]}}");
	exchange(t, c, "{\"cmd\":\"fail\",\"id\":\"q\"}\n",
	    "{\"ok\":false,\"error\":\"fail: because 42\",\"id\":\"q\"}");
	/* errors found before the handler echo it too */
	exchange(t, c, "{\"cmd\":\"nope\",\"id\":null}\n",
	    "{\"ok\":false,\"error\":\"unknown cmd \\\"nope\\\" (valid: "
	    VALID ")\",\"id\":null}");
	exchange(t, c, "{\"cmd\":\"echo\",\"id\":3}\n",
	    "{\"ok\":false,\"error\":\"echo: missing \\\"text\\\" "
	    "(a string)\",\"id\":3}");
	/* no id, no member */
	exchange(t, c, "{\"cmd\":\"fail\"}\n",
	    "{\"ok\":false,\"error\":\"fail: because 42\"}");
	cli_free(c);
}

static void
deferred_in_order(void **state)
{
	struct tctx *t = *state;
	struct cli *c = cli_open(t);
	char *line;

	/* one write, three requests: deferred, immediate, bad */
	cli_send(t, c, "{\"cmd\":\"defer\",\"id\":1}\n"
	    "{\"cmd\":\"echo\",\"text\":\"b\",\"id\":2}\n"
	    "{\"cmd\":\"nope\",\"id\":3}\n");
	wait_calls(t, 2);
	assert_int_equal(t->ndeferred, 1);
	assert_false(ctl_req_gone(t->deferred[0]));
	assert_string_equal(ctl_req_cmd(t->deferred[0])->name, "defer");
	assert_int_equal(json_integer_value(json_object_get(
	    ctl_req_json(t->deferred[0]), "id")), 1);
	assert_true(ctl_req_client(t->deferred[0]) > 0);
	/* the answers of 2 and 3 wait for 1 */
	assert_nothing_to_read(t, c);
	/* a second deferred request behind them, answered first */
	cli_send(t, c, "{\"cmd\":\"defer\",\"id\":4}\n");
	wait_calls(t, 3);
	ctl_reply_result(t->deferred[1], json_pack("{s:s}", "r", "four"));
	assert_nothing_to_read(t, c);
	ctl_reply_rows(t->deferred[0], json_array());
	t->ndeferred = 0;
	line = cli_line(t, c);
	assert_string_equal(line, "{\"ok\":true,\"rows\":[],\"id\":1}");
	free(line);
	line = cli_line(t, c);
	assert_string_equal(line, "{\"ok\":true,\"result\":{\"text\":\"b\","
	    "\"n\":99,\"flag\":true,\"none\":null},\"id\":2}");
	free(line);
	line = cli_line(t, c);
	assert_string_equal(line, "{\"ok\":false,\"error\":\"unknown cmd "
	    "\\\"nope\\\" (valid: " VALID ")\",\"id\":3}");
	free(line);
	line = cli_line(t, c);
	assert_string_equal(line, "{\"ok\":true,\"result\":{\"r\":\"four\"},"
	    "\"id\":4}");
	free(line);
	assert_nothing_to_read(t, c);
	cli_free(c);
}

static void
client_hangs_up(void **state)
{
	struct tctx *t = *state;
	struct cli *c = cli_open(t), *c2;
	unsigned turns;

	cli_send(t, c, "{\"cmd\":\"defer\"}\n{\"cmd\":\"defer\"}\n"
	    "{\"cmd\":\"defer\"}\n");
	wait_calls(t, 3);
	assert_false(ctl_req_gone(t->deferred[0]));
	/* the second answered: its reply waits behind the first */
	ctl_reply_error(t->deferred[1], "second");
	assert_nothing_to_read(t, c);
	close(c->fd);
	c->fd = -1;
	for (turns = 0; !ctl_req_gone(t->deferred[0]); turns++) {
		assert_true(turns < MAX_TURNS);
		turn(t);
		poll(NULL, 0, 1);
	}
	assert_true(ctl_req_gone(t->deferred[2]));
	/* the handles stay valid: answering them drops the replies */
	assert_string_equal(ctl_req_cmd(t->deferred[0])->name, "defer");
	ctl_reply_result(t->deferred[2], json_object());
	ctl_reply_rows(t->deferred[0], json_array());
	t->ndeferred = 0;
	cli_free(c);
	/* the server still serves others */
	c2 = cli_open(t);
	exchange(t, c2, "{\"cmd\":\"fail\"}\n",
	    "{\"ok\":false,\"error\":\"fail: because 42\"}");
	cli_free(c2);
}

/* A client that only shut its sending side still gets its replies. */
static void
client_half_closes(void **state)
{
	struct tctx *t = *state;
	struct cli *c = cli_open(t);
	char *line;

	/* the last request has no newline: EOF ends it */
	cli_send(t, c, "{\"cmd\":\"defer\"}\n{\"cmd\":\"rows\"}");
	assert_int_equal(shutdown(c->fd, SHUT_WR), 0);
	wait_calls(t, 2);
	assert_nothing_to_read(t, c);
	assert_false(ctl_req_gone(t->deferred[0]));
	ctl_reply_result(t->deferred[0], json_object());
	t->ndeferred = 0;
	line = cli_line(t, c);
	assert_string_equal(line, "{\"ok\":true,\"result\":{}}");
	free(line);
	line = cli_line(t, c);
	assert_string_equal(line, "{\"ok\":true,\"rows\":[{\"a\":1},"
	    "{\"a\":2}]}");
	free(line);
	assert_null(cli_line(t, c));		/* then the server closes */
	cli_free(c);
}

static void
long_lines(void **state)
{
	struct tctx *t = *state;
	struct cli *c = cli_open(t);
	size_t n = CTL_LINE_MAX + 2, o;
	char *req = malloc(n), *line;

	assert_non_null(req);
	/* exactly CTL_LINE_MAX octets before the newline: served */
	o = (size_t)snprintf(req, n, "{\"cmd\":\"echo\",\"text\":\"");
	memset(req + o, 'a', CTL_LINE_MAX - o - 2);
	memcpy(req + CTL_LINE_MAX - 2, "\"}\n", 3);
	cli_sendn(t, c, req, CTL_LINE_MAX + 1);
	line = cli_line(t, c);
	assert_non_null(line);
	assert_int_equal(strncmp(line, "{\"ok\":true,", 11), 0);
	free(line);
	assert_int_equal(t->calls, 1);
	/* one more: error, and the connection closes after it */
	memset(req, ' ', CTL_LINE_MAX + 1);
	cli_send(t, c, "{\"cmd\":\"fail\"}\n");
	cli_sendn(t, c, req, CTL_LINE_MAX + 1);
	line = cli_line(t, c);
	assert_string_equal(line, "{\"ok\":false,\"error\":\"fail: "
	    "because 42\"}");
	free(line);
	line = cli_line(t, c);
	assert_string_equal(line, "{\"ok\":false,\"error\":\"request line "
	    "longer than 65536 octets\"}");
	free(line);
	assert_null(cli_line(t, c));
	assert_int_equal(t->calls, 2);
	cli_free(c);

	/* the same with the newline: refused as well */
	c = cli_open(t);
	memset(req, ' ', CTL_LINE_MAX + 1);
	req[CTL_LINE_MAX + 1] = '\n';
	cli_sendn(t, c, req, CTL_LINE_MAX + 2);
	line = cli_line(t, c);
	assert_string_equal(line, "{\"ok\":false,\"error\":\"request line "
	    "longer than 65536 octets\"}");
	free(line);
	assert_null(cli_line(t, c));
	cli_free(c);
	free(req);
}

/*
 * A client sending requests without reading: once more than
 * CTL_WQ_HIGH octets of replies wait, its next requests are not read;
 * reading the replies lets them through, all in order.
 */
static void
back_pressure(void **state)
{
	struct tctx *t = *state;
	struct cli *c = cli_open(t);
	unsigned nreq = 2 * CTL_WQ_HIGH / BIG_REPLY, stalled = 0, got;
	char req[64], *line;

	for (unsigned i = 0; i < nreq; i++) {
		unsigned before = t->calls;

		snprintf(req, sizeof(req), "{\"cmd\":\"big\",\"id\":%u}\n", i);
		cli_send(t, c, req);
		for (int k = 0; k < 20; k++)
			turn(t);
		if (t->calls == before)
			stalled++;
	}
	assert_true(stalled > 0);
	/* paused only above the mark: at least that much was served */
	assert_true(t->calls >= CTL_WQ_HIGH / BIG_REPLY);
	assert_true(t->calls < nreq);
	for (got = 0; got < nreq; got++) {
		json_t *j;

		line = cli_line(t, c);
		assert_non_null(line);
		j = json_loads(line, 0, NULL);
		assert_non_null(j);
		assert_int_equal(json_integer_value(json_object_get(j, "id")),
		    got);
		assert_int_equal(json_string_length(json_object_get(
		    json_object_get(j, "result"), "blob")), BIG_REPLY);
		json_decref(j);
		free(line);
	}
	assert_int_equal(t->calls, nreq);
	cli_free(c);
}

/*
 * Requests left unanswered also hold a client back: at some bound its
 * later requests are not read until earlier ones are answered.
 */
static void
pending_bound(void **state)
{
	struct tctx *t = *state;
	struct cli *c = cli_open(t);
	unsigned sent, held, k;
	char req[64], want[64], *line;

	for (sent = 0; sent < MAX_DEFER; sent++) {
		unsigned before = t->calls;

		snprintf(req, sizeof(req), "{\"cmd\":\"defer\",\"id\":%u}\n",
		    sent);
		cli_send(t, c, req);
		for (k = 0; k < 20 && t->calls == before; k++)
			turn(t);
		if (t->calls == before)
			break;
	}
	held = t->ndeferred;
	assert_true(sent < MAX_DEFER);		/* it stopped reading */
	assert_true(held >= 64);		/* not before a fair number */
	assert_int_equal(held, sent);
	/* answering them in order lets the one sent through */
	for (k = 0; k < held; k++) {
		ctl_reply_result(t->deferred[k], json_object());
		snprintf(want, sizeof(want), "{\"ok\":true,\"result\":{},"
		    "\"id\":%u}", k);
		line = cli_line(t, c);
		assert_non_null(line);
		assert_string_equal(line, want);
		free(line);
	}
	wait_calls(t, held + 1);
	assert_int_equal(t->ndeferred, held + 1);
	ctl_reply_error(t->deferred[held], "last");
	t->ndeferred = 0;
	line = cli_line(t, c);
	snprintf(want, sizeof(want), "{\"ok\":false,\"error\":\"last\","
	    "\"id\":%u}", held);
	assert_string_equal(line, want);
	free(line);
	cli_free(c);
}

static void
socket_files(void **state)
{
	struct tctx *t = *state;
	struct ctl_server *s2 = (struct ctl_server *)1;
	struct sockaddr_un sun;
	char other[160], longp[200];
	struct stat sb;
	struct cli *c;
	int fd;

	/* a live one: refused, the first server unharmed */
	assert_int_equal(ctl_server_open(&s2, &t->loop, t->path, test_cmds,
	    NCMDS, t), -EADDRINUSE);
	assert_null(s2);
	c = cli_open(t);
	exchange(t, c, "{\"cmd\":\"fail\"}\n",
	    "{\"ok\":false,\"error\":\"fail: because 42\"}");
	cli_free(c);

	/* a stale one (bound, nobody listening): replaced */
	snprintf(other, sizeof(other), "%s/stale.sock", t->dir);
	sun_fill(&sun, other);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(lstat(other, &sb), 0);
	assert_int_equal(ctl_server_open(&s2, &t->loop, other, test_cmds,
	    NCMDS, t), 0);
	assert_non_null(s2);
	ctl_server_close(s2);
	assert_int_equal(lstat(other, &sb), -1);

	/* not a socket: left alone */
	fd = open(other, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(ctl_server_open(&s2, &t->loop, other, test_cmds,
	    NCMDS, t), -EEXIST);
	assert_int_equal(lstat(other, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(unlink(other), 0);

	/* a path sockaddr_un cannot hold, no path */
	memset(longp, 'p', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(ctl_server_open(&s2, &t->loop, longp, test_cmds,
	    NCMDS, t), -ENAMETOOLONG);
	assert_int_equal(ctl_server_open(&s2, &t->loop, "", test_cmds,
	    NCMDS, t), -EINVAL);
	/* its folder cannot be made (a file is in the way) */
	snprintf(other, sizeof(other), "%s/file", t->dir);
	fd = open(other, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(other, sizeof(other), "%s/file/ctl.sock", t->dir);
	assert_int_equal(ctl_server_open(&s2, &t->loop, other, test_cmds,
	    NCMDS, t), -ENOTDIR);
	snprintf(other, sizeof(other), "%s/file", t->dir);
	assert_int_equal(unlink(other), 0);
	ctl_server_close(NULL);
}

/* Closing the server with a request still unanswered. */
static void
close_with_deferred(void **state)
{
	struct tctx *t = *state;
	struct cli *c = cli_open(t);
	struct ctl_req *r;

	cli_send(t, c, "{\"cmd\":\"defer\",\"tag\":\"x\"}\n");
	wait_calls(t, 1);
	r = t->deferred[0];
	t->ndeferred = 0;
	ctl_server_close(t->srv);
	t->srv = NULL;
	assert_true(ctl_req_gone(r));
	assert_int_equal(uv_run(&t->loop, UV_RUN_DEFAULT), 0);
	/* handles closed, the server waits for r */
	assert_true(ctl_req_gone(r));
	assert_string_equal(ctl_req_str(r, "tag"), "x");
	assert_null(ctl_req_str(r, "nothing"));
	assert_int_equal(ctl_req_int(r, "tag", -5), -5);
	assert_false(ctl_req_bool(r, "tag", false));
	ctl_reply_error(r, "late");		/* frees the server too */
	assert_null(cli_line(t, c));
	cli_free(c);
}

static void
row_helpers(void **state)
{
	static const struct {
		uint64_t	a, b;
	} ctr = { 5, UINT64_MAX };
	static const struct ctl_counter_field f[] = {
		{ "a", offsetof(__typeof__(ctr), a) },
		{ "b", offsetof(__typeof__(ctr), b) },
	};
	json_t *o = json_object();
	char *s;

	(void)state;
	ctl_set_str(o, "s", "x");
	ctl_set_str(o, "null", NULL);
	ctl_set_int(o, "big", UINT64_MAX);
	ctl_set_int(o, "max", (uint64_t)LLONG_MAX);
	ctl_set_bool(o, "t", true);
	ctl_set_secs(o, "unset", 5000000, 0);
	ctl_set_secs(o, "future", 5000000, 6000000);
	ctl_set_secs(o, "same", 5000000, 5000000);
	ctl_set_secs(o, "ms", 5000000, 3765432);	/* 1.234568 s */
	ctl_set_counters(o, &ctr, f, 2);
	s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
	assert_string_equal(s, "{\"s\":\"x\",\"null\":null,"
	    "\"big\":9223372036854775807,\"max\":9223372036854775807,"
	    "\"t\":true,\"unset\":null,\"future\":0.0,\"same\":0.0,"
	    "\"ms\":1.234,\"a\":5,\"b\":9223372036854775807}");
	free(s);
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(good_commands, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(clipped_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(id_echoed, setup, teardown),
		cmocka_unit_test_setup_teardown(deferred_in_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(client_hangs_up, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(client_half_closes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(long_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(back_pressure, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(pending_bound, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(socket_files, setup, teardown),
		cmocka_unit_test_setup_teardown(close_with_deferred, setup,
		    teardown),
		cmocka_unit_test(row_helpers),
	};

	log_init("test_ctl_server", 0, LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
