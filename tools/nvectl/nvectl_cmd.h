/*
 * nvectl_cmd.h - nvectl's command table and its two pure halves:
 * command line -> request JSON, reply JSON -> text or JSON output.
 *
 * Everything nvectl knows about a daemon's commands is one row of the
 * table in nvectl_cmd.c: object and verb (full words, matched exactly),
 * the daemon whose socket serves it, the request "cmd" (and "table" for
 * show), the arguments as a spec that both builds the request and writes
 * the usage text, and the columns the text output prints.  nvectl.c does
 * the options, the socket and reading a SPEC file; nothing here does I/O,
 * so tests/unit/test_nvectl_cmd.c links it as sn_nvectl.
 *
 * Three daemons share the table: nnved (External NVE), tnved
 * (hypervisor) and nvad (the NVA).  An OBJECT VERB pair served by more
 * than one (tsi show, nve show, vn show, counters show, daemon reload)
 * has one row per daemon and the caller picks the daemon (nvectl -d);
 * without -d it goes to nnved when nnved serves it, else to the first
 * row of the table (tnved's rows come before nvad's).  A pair only one
 * daemon serves needs no choice.
 */
#ifndef NVECTL_CMD_H
#define NVECTL_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* A daemon nvectl talks to, and where its socket is by default. */
struct nvectl_daemon {
	const char	*name;		/* "nnved" */
	const char	*sock;		/* default control socket */
};

/*
 * Seconds nvectl waits for a reply (-t changes it).  tnved answers a
 * lifecycle command once the NVE has (TNVED_OP_TIMEOUT_DEFAULT, 30 s, at
 * most), so this must stay above that.
 */
#define NVECTL_TIMEOUT_DEFAULT	60

extern const struct nvectl_daemon nvectl_nnved;
extern const struct nvectl_daemon nvectl_tnved;
extern const struct nvectl_daemon nvectl_nvad;

/* "nnved", "tnved" or "nvad" -> the daemon; NULL for any other name. */
const struct nvectl_daemon *nvectl_daemon_find(const char *name);

enum nvectl_argtype {
	NVECTL_ARG_STRING,
	NVECTL_ARG_UINT,	/* decimal, min..max */
	NVECTL_ARG_LIST,	/* "a,b,c" -> ["a","b","c"], no empty item */
};

#define NVECTL_ARG_OPTIONAL	0x01	/* keyword may be left out */
#define NVECTL_ARG_FILTER	0x02	/* not sent: keeps the rows whose
					   field equals the value */
#define NVECTL_ARG_SPEC		0x04	/* a member of the VM SPEC ("vm") */
#define NVECTL_ARG_TSI		0x08	/* a member of the SPEC's one TSI
					   ("vm"."tsis"[0]) */

/*
 * One argument.  Positional ones (keyword NULL) come first, in order, and
 * are required, except trailing ones marked NVECTL_ARG_OPTIONAL: each
 * may be left out together with the positionals after it ("[VN [ADDR]]";
 * a word that is one of the command's keywords ends them).  Keyword ones
 * ("vid VID") follow in any order, once each, and are required unless
 * NVECTL_ARG_OPTIONAL.
 */
struct nvectl_arg {
	const char	*keyword;	/* NULL: positional */
	const char	*meta;		/* usage placeholder: "VN" */
	const char	*field;		/* request member or row field */
	enum nvectl_argtype type;
	unsigned long	 min, max;	/* NVECTL_ARG_UINT */
	unsigned	 flags;
};

/* One column of text output: the reply field and its heading. */
struct nvectl_col {
	const char	*field;
	const char	*header;
};

enum nvectl_layout {
	NVECTL_OUT_NONE,	/* success prints nothing */
	NVECTL_OUT_TABLE,	/* header line, one line per row */
	NVECTL_OUT_LIST,	/* "name  value" lines (rows: a blank line
				   between rows) */
	NVECTL_OUT_VM,		/* result {"vm","state","tsis":[rows]}:
				   "vm"/"state" lines, a blank line, then
				   the TSI rows as a table of the columns */
	NVECTL_OUT_SUMMARY,	/* result object: its members that are not
				   arrays of objects as "name  value"
				   lines, then each such array as a blank
				   line, "name:" and a table of the
				   columns (nnved's nva show) */
	NVECTL_OUT_ROWS,	/* a command other than "show" (no
				   "table") whose reply has rows: a table
				   of the columns (nnved's fib show) */
};

#define NVECTL_MAX_ARGS	10
#define NVECTL_MAX_COLS	16

struct nvectl_cmd {
	const char	*object;
	const char	*verb;		/* one or more words: "addr add" */
	const struct nvectl_daemon *daemon;
	const char	*cmd;		/* request "cmd" */
	const char	*table;		/* request "table"; reply has rows
				   (so has NVECTL_OUT_ROWS without it) */
	/* positional first; an entry with meta NULL ends the list */
	struct nvectl_arg args[NVECTL_MAX_ARGS];
	enum nvectl_layout layout;
	/* NULL field ends; none at all: every field of the row */
	struct nvectl_col cols[NVECTL_MAX_COLS];
	const char	*help;		/* one line for the usage text */
	/*
	 * The request carries a VM SPEC in "vm": either read from a file
	 * (the first positional alone, or followed only by keywords that
	 * are not NVECTL_ARG_SPEC/TSI, is FILE or "-" for stdin), or built
	 * from the NVECTL_ARG_SPEC/TSI arguments (one TSI).
	 */
	bool		 spec;
};

extern const struct nvectl_cmd nvectl_cmds[];
extern const size_t nvectl_ncmds;

/* A client-side row filter from an NVECTL_ARG_FILTER argument. */
struct nvectl_filter {
	const struct nvectl_arg *arg;
	const char	*text;		/* NVECTL_ARG_STRING */
	unsigned long	 num;		/* NVECTL_ARG_UINT */
};

/* One parsed invocation. */
struct nvectl_req {
	const struct nvectl_cmd *cmd;
	json_t		*request;	/* what to send (owned) */
	struct nvectl_filter filters[NVECTL_MAX_ARGS];
	unsigned	 nfilters;
	/*
	 * The file form of a spec command: the SPEC is in this file ("-":
	 * standard input); the caller reads it and hands the text to
	 * nvectl_req_set_spec() before sending.  NULL otherwise.
	 */
	const char	*spec_file;
};

/*
 * Parses OBJECT VERB ARGS (argv[0] is the object, argc counts from it)
 * into r.  daemon is the one chosen with -d, or NULL when none was: an
 * OBJECT VERB served by several daemons then goes to nnved if it is one
 * of them, else to the first in the table (tnved before nvad); one
 * served by a single daemon goes to that one.  Returns 0, or -EINVAL with a
 * one-line reason in err (a usage error: unknown or abbreviated object
 * or verb, a command the chosen daemon does not serve, missing or extra
 * argument, bad number or list) and r left empty; -ENOMEM likewise.
 */
int	nvectl_parse(int argc, char *const argv[],
	    const struct nvectl_daemon *daemon, struct nvectl_req *r,
	    char *err, size_t errsz);
/*
 * Sets the request's "vm" to the SPEC in text (len octets, the file form
 * of a spec command).  The SPEC must be a JSON object with a non-empty
 * "name" string and a "tsis" array; tnved checks the rest.  Returns 0,
 * or -EINVAL with the reason in err (r unchanged), -ENOMEM.
 */
int	nvectl_req_set_spec(struct nvectl_req *r, const char *text, size_t len,
	    char *err, size_t errsz);
void	nvectl_req_free(struct nvectl_req *r);

/* A growing NUL-terminated text buffer. */
struct nvectl_buf {
	char		*p;
	size_t		 len, cap;
	bool		 oom;		/* an append failed */
};

void	nvectl_buf_free(struct nvectl_buf *b);
void	nvectl_buf_printf(struct nvectl_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* The usage text, generated from the table. */
void	nvectl_usage(struct nvectl_buf *out);

/*
 * Renders the daemon's reply to r into out: with json, the rows (after
 * the filters) or the result as indented JSON; else text by the
 * command's layout and columns.  Arrays print joined with ",", booleans
 * as yes/no, null or a missing field as "-", reals with 3 decimals,
 * objects as k=v,k=v.  Returns 0, or -EPROTO (reply malformed: reason in
 * err) or -EREMOTEIO (the daemon said no: its error text in err).
 */
int	nvectl_render(const struct nvectl_req *r, const json_t *reply,
	    bool json, struct nvectl_buf *out, char *err, size_t errsz);

#endif /* NVECTL_CMD_H */
