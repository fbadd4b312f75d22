/*
 * nvectl_cmd.h - nvectl's command table and its two pure halves:
 * command line -> request JSON, reply JSON -> text or JSON output.
 *
 * Everything nvectl knows about a daemon's commands is one row of the
 * table in nvectl_cmd.c: object and verb (full words, matched exactly),
 * the daemon whose socket serves it, the request "cmd" (and "table" for
 * show), the arguments as a spec that both builds the request and writes
 * the usage text, and the columns the text output prints.  nvectl.c does
 * the options and the socket; nothing here does I/O, so
 * tests/unit/test_nvectl_cmd.c links it as sn_nvectl.
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

extern const struct nvectl_daemon nvectl_nnved;

enum nvectl_argtype {
	NVECTL_ARG_STRING,
	NVECTL_ARG_UINT,	/* decimal, min..max */
};

#define NVECTL_ARG_OPTIONAL	0x01	/* keyword may be left out */
#define NVECTL_ARG_FILTER	0x02	/* not sent: keeps the rows whose
					   field equals the value */

/*
 * One argument.  Positional ones (keyword NULL) come first, in order, and
 * are required; keyword ones ("vid VID") follow in any order, once each.
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
};

#define NVECTL_MAX_ARGS	4
#define NVECTL_MAX_COLS	16

struct nvectl_cmd {
	const char	*object, *verb;
	const struct nvectl_daemon *daemon;
	const char	*cmd;		/* request "cmd" */
	const char	*table;		/* request "table"; reply has rows */
	/* positional first; an entry with meta NULL ends the list */
	struct nvectl_arg args[NVECTL_MAX_ARGS];
	enum nvectl_layout layout;
	/* NULL field ends; none at all: every field of the row */
	struct nvectl_col cols[NVECTL_MAX_COLS];
	const char	*help;		/* one line for the usage text */
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
};

/*
 * Parses OBJECT VERB ARGS (argv[0] is the object, argc counts from it)
 * into r.  Returns 0, or -EINVAL with a one-line reason in err (a usage
 * error: unknown or abbreviated object or verb, missing or extra
 * argument, bad number) and r left empty.
 */
int	nvectl_parse(int argc, char *const argv[], struct nvectl_req *r,
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
