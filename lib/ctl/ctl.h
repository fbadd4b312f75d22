/*
 * ctl.h - the control socket every splitnve daemon serves: a SOCK_STREAM
 * unix socket, one JSON object per line each way, a command table, and
 * replies that may come later than the request (deferred).
 *
 * Framing and rules (docs/nvectl.8 describes them for users):
 *   - request: {"cmd": NAME, ARGS...[, "id": ANY]}; the members are
 *     checked against the command's argument table before its handler
 *     runs (unknown member, missing required one, wrong type, integer out
 *     of range: an error reply, the handler is not called);
 *   - reply:   {"ok": true, "rows": [...]}     (ctl_reply_rows)
 *              {"ok": true, "result": {...}}   (ctl_reply_result)
 *              {"ok": false, "error": TEXT}    (ctl_reply_error)
 *     plus "id" copied from the request when it had one;
 *   - a client may send many requests on one connection without waiting;
 *     each gets exactly one reply line, IN REQUEST ORDER, even when a
 *     later request is answered first (replies wait for earlier ones);
 *   - a handler answers at once or keeps the struct ctl_req and answers
 *     later, from any callback of the same loop; it must answer exactly
 *     once.  If the client went away meanwhile the reply is dropped, but
 *     the handle stays valid until answered (ctl_req_gone() tells);
 *   - a request line over CTL_LINE_MAX octets gets an error reply and the
 *     connection is closed after it; a client that does not read its
 *     replies stops being read while more than CTL_WQ_HIGH octets wait.
 *
 * Runs on the daemon's one libuv loop; nothing here blocks.
 */
#ifndef SPLITNVE_CTL_CTL_H
#define SPLITNVE_CTL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#define CTL_LINE_MAX	(64u * 1024)	/* longest request line */
#define CTL_WQ_HIGH	(4u << 20)	/* reply octets queued per client */
#define CTL_ERR_MAX	256		/* longest error text */
#define CTL_MAX_ARGS	12		/* arguments per command */

enum ctl_argtype {
	CTL_T_STRING,
	CTL_T_UINT,		/* JSON integer, min..max */
	CTL_T_BOOL,
	CTL_T_ARRAY,		/* any JSON array; the handler checks items */
	CTL_T_OBJECT,
};

struct ctl_arg {
	const char	*name;		/* NULL ends the list */
	enum ctl_argtype type;
	bool		 required;
	json_int_t	 min, max;	/* CTL_T_UINT */
};

struct ctl_req;

/*
 * One command.  fn gets the request (arguments already checked) and the
 * server's arg; it answers with one of ctl_reply_* now or later.
 */
struct ctl_cmd {
	const char	*name;
	void		(*fn)(struct ctl_req *r, void *arg);
	struct ctl_arg	 args[CTL_MAX_ARGS];
};

struct ctl_server;

/*
 * Listens on path (its folder is created 0755 when missing; a stale
 * socket nobody answers on is removed; a live one is -EADDRINUSE) with
 * mode 0660.  cmds/ncmds is the table (kept by reference), arg is handed
 * to every handler.  Returns 0 with *out set, or -errno (logged).
 */
int	ctl_server_open(struct ctl_server **out, uv_loop_t *loop,
	    const char *path, const struct ctl_cmd *cmds, size_t ncmds,
	    void *arg);
/*
 * Stops listening, unlinks the socket, closes every client.  Requests
 * still unanswered stay valid: their replies are dropped when given.
 * The memory goes once the loop has closed the handles and every
 * deferred request was answered.  NULL is ignored.
 */
void	ctl_server_close(struct ctl_server *s);

/* The request object ("cmd" and the arguments). */
const json_t *ctl_req_json(const struct ctl_req *r);
/* The command being served. */
const struct ctl_cmd *ctl_req_cmd(const struct ctl_req *r);
/* Shorthands for an argument of the request: NULL / def when absent. */
const char *ctl_req_str(const struct ctl_req *r, const char *name);
json_int_t ctl_req_int(const struct ctl_req *r, const char *name,
	    json_int_t def);
bool	ctl_req_bool(const struct ctl_req *r, const char *name, bool def);
/* The client left (its reply will be dropped). */
bool	ctl_req_gone(const struct ctl_req *r);
/* A number naming the client in logs ("client 7"). */
uint64_t ctl_req_client(const struct ctl_req *r);

/*
 * Answers r and releases it (r is invalid afterwards).  rows/result are
 * stolen (json_decref'ed by the call); NULL is answered as out of memory.
 */
void	ctl_reply_rows(struct ctl_req *r, json_t *rows);
void	ctl_reply_result(struct ctl_req *r, json_t *result);
void	ctl_reply_error(struct ctl_req *r, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* ---- building rows (they never fail loudly: on ENOMEM the member is
 * missing and the reply is still well-formed) ------------------------- */

void	ctl_set_str(json_t *o, const char *k, const char *v); /* NULL: null */
void	ctl_set_int(json_t *o, const char *k, uint64_t v);
void	ctl_set_bool(json_t *o, const char *k, bool v);
/* Seconds (3 decimals) from then to now, both µs; null when then is 0. */
void	ctl_set_secs(json_t *o, const char *k, uint64_t now, uint64_t then);

/* A uint64_t counter named by a row member: ctl_set_counters() reads
 * every field at base + off. */
struct ctl_counter_field {
	const char	*name;
	size_t		 off;
};
void	ctl_set_counters(json_t *o, const void *base,
	    const struct ctl_counter_field *f, size_t n);

#endif /* SPLITNVE_CTL_CTL_H */
