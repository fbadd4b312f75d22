/*
 * conf.h - the machinery every splitnve configuration file shares: the
 * tokenizer, statements and blocks driven by keyword tables, include,
 * "FILE:LINE: text" errors that are counted, and getters for the values
 * more than one daemon reads (numbers, ranges, names, interface names,
 * MACs, yes/no, log levels, HMAC secrets, NAME N parameter lists).  A
 * daemon's parse.c keeps only its own statements and whole-file checks.
 *
 * Lexical rules (docs/nnved.conf.5 and docs/tnved.conf.5 describe them
 * for users): words, "strings" (\" and \\ the only escapes, no newline
 * inside), { } and ;.  A newline or ; ends a statement; # starts a
 * comment that runs to the end of the line.  Keywords are whole words.
 * A NUL ends the text (reported once).
 *
 * How a daemon uses it:
 *
 *	static const struct conf_kw top[] = {
 *		{ "include", conf_include }, { "port", st_port }, ...
 *		{ NULL, NULL }
 *	};
 *	struct conf_run run;
 *	conf_run_init(&run, top, &my_state);
 *	conf_run_text(&run, name, text, len);	(the main file)
 *	... whole-file checks, reported with conf_error_at() ...
 *	errors = conf_run_free(&run);
 *
 * A statement function gets the parser with the keyword already read and
 * the keyword's line.  It reads its values with the getters (each reads
 * one token on success and reports its own error on failure), and
 * returns 0 when the statement ends where it should (anything left
 * before the end of the statement is then reported as unexpected) or -1
 * after an error (the rest of the statement is skipped, blocks in it
 * included).  Errors go to log_warn() and are counted in run->errors;
 * parsing always goes on, so one run reports every error it can.
 *
 * Thread: whoever parses (the daemon's thread at start-up and reload, or
 * "-n").  Reads files (include, conf_read_file) and logs; nothing else.
 * Relies on util/log (errors, log levels) and util/hex (MACs, secrets).
 */
#ifndef SPLITNVE_UTIL_CONF_H
#define SPLITNVE_UTIL_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CONF_TOK_MAX		1024		/* longest word or string */
#define CONF_INCLUDE_DEPTH	8		/* include inside include ... */
#define CONF_FILE_MAX		(16u << 20)	/* larger files are refused */

enum conf_tok_type {
	CONF_T_EOF,
	CONF_T_NL,
	CONF_T_SEMI,
	CONF_T_LBRACE,
	CONF_T_RBRACE,
	CONF_T_WORD,
	CONF_T_STRING,
};

struct conf_tok {
	enum conf_tok_type type;
	int		line;
	char		s[CONF_TOK_MAX];	/* the word, string or { } ; */
};

struct conf_parser;

/* A statement: the keyword has been read; line is the keyword's. */
typedef int (*conf_stmt_fn)(struct conf_parser *p, void *obj, int line);

/* One keyword of a block (or of the top level); NULL name ends a table. */
struct conf_kw {
	const char	*name;
	conf_stmt_fn	 fn;
};

/* What every file of one run shares. */
struct conf_run {
	void		*arg;		/* the daemon's parse state */
	const struct conf_kw *top;	/* top-level keywords (include too) */
	int		 errors;	/* counted by every conf_error* */
	int		 last_line;	/* last line of the main file */
	char		**files;	/* names of included files */
	unsigned	 nfiles;
	char		*chain[CONF_INCLUDE_DEPTH + 1];	/* realpath, or NULL */
	int		 depth;		/* 0: the main file */
};

/* One file (or string) being read. */
struct conf_parser {
	struct conf_run	*run;
	const char	*file;		/* as errors name it; valid until
					   conf_run_free() */
	const char	*text;
	size_t		 len, pos;
	int		 line;
	struct conf_tok	 tok;		/* the current token */
};

/* ---- a run -------------------------------------------------------------- */

void	conf_run_init(struct conf_run *run, const struct conf_kw *top,
	    void *arg);
/*
 * Parses the main file: text (len octets, need not end in NUL) named
 * name in errors; include paths are relative to name's folder.
 */
void	conf_run_text(struct conf_run *run, const char *name,
	    const char *text, size_t len);
/* Frees what the run holds (file names: take no pointer past this);
 * returns the number of errors. */
int	conf_run_free(struct conf_run *run);

/* Reads a whole file into a malloc'd *text: 0 or -errno (-EFBIG past
 * CONF_FILE_MAX octets). */
int	conf_read_file(const char *path, char **text, size_t *len);

/*
 * Room for one more element in a malloc'd array of n elements of sz
 * octets that grows in powers of two.  Returns the (maybe moved) array,
 * or NULL with arr untouched.
 */
void	*conf_grow(void *arr, unsigned n, size_t sz);

/* ---- errors ------------------------------------------------------------- */

/* "FILE:LINE: text" for the file being read; counted. */
void	conf_error(struct conf_parser *p, int line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The same for a place remembered earlier (whole-file checks). */
void	conf_error_at(struct conf_run *run, const char *file, int line,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- tokens and statements --------------------------------------------- */

/* Reads the next token into p->tok. */
void	conf_lex(struct conf_parser *p);
/* The current token as a message shows it ("end of line", ...). */
const char *conf_tokname(const struct conf_parser *p);
/* At the end of a statement: end of file or line, ';' or '}'. */
bool	conf_at_end(const struct conf_parser *p);
/* A word or a string. */
bool	conf_is_value(const struct conf_parser *p);
/* The current token is the word w. */
bool	conf_is_word(const struct conf_parser *p, const char *w);
/*
 * Skips the rest of a statement: up to and including its newline or ;,
 * over any block in between; stops before a '}' that closes the
 * enclosing block.
 */
void	conf_skip_stmt(struct conf_parser *p);
/* One statement with keywords tab (unknown keyword: an error). */
void	conf_stmt(struct conf_parser *p, const struct conf_kw *tab, void *obj);
/*
 * "{ statement... }" after a block's header (a newline before '{' is
 * fine).  No block at all is fine too.  Returns -1 only when something
 * other than a block follows the header (reported); the caller then
 * returns -1 from its statement.
 */
int	conf_block(struct conf_parser *p, const struct conf_kw *tab, void *obj);

/*
 * include PATH: a statement function for the top-level table.  PATH is
 * relative to the including file's folder; the included text is parsed
 * with run->top.  Nesting deeper than CONF_INCLUDE_DEPTH, a file that
 * includes itself and an unreadable file are errors at the include.
 */
int	conf_include(struct conf_parser *p, void *obj, int line);

/* ---- values -------------------------------------------------------------- */
/*
 * Each getter reads the current token (what names it in messages) and
 * returns 0, or -1 after reporting an error.  A getter that fails on a
 * value that was there has consumed it.
 */

/* A word or string copied to out (at most sz - 1 characters). */
int	conf_get_value(struct conf_parser *p, const char *what, char *out,
	    size_t sz);
/* Decimal digits only (no sign, no base prefix): 0, or -1. */
int	conf_parse_u64(const char *s, uint64_t *v);
/* A number in lo..hi. */
int	conf_get_num(struct conf_parser *p, const char *what, uint64_t lo,
	    uint64_t hi, uint64_t *v);
/* "LO-HI", both in min..max, LO <= HI; noun names the kind in messages
 * ("VIDs"). */
int	conf_get_range(struct conf_parser *p, const char *what,
	    const char *noun, uint32_t min, uint32_t max, uint32_t *lo,
	    uint32_t *hi);
/* A path (file or folder): non-empty, at most sz - 1 characters; line
 * is the statement's, for the error. */
int	conf_get_path(struct conf_parser *p, const char *what, int line,
	    char *out, size_t sz);
/* A non-empty name of at most sz - 1 characters. */
int	conf_get_name(struct conf_parser *p, const char *what, char *out,
	    size_t sz);
/*
 * An interface name as Linux takes it: 1..IF_NAMESIZE-1 octets, not "."
 * or "..", no '/', ':' or white space.  A bad name is still copied (cut)
 * so later messages can show it.
 */
int	conf_get_ifname(struct conf_parser *p, const char *what,
	    char out[IF_NAMESIZE]);
/* A unicast MAC address other than 00:00:00:00:00:00. */
int	conf_get_unicast_mac(struct conf_parser *p, const char *what,
	    uint8_t mac[6]);
/* yes or no. */
int	conf_get_bool(struct conf_parser *p, const char *what, bool *v);
/* err, warn, info or debug (util/log names): *level set to the enum. */
int	conf_get_log_level(struct conf_parser *p, const char *what,
	    int *level);
/*
 * The secret of "key ID HEX" (an HMAC key): hex (util/hex separators
 * allowed), min..max octets, into out (max octets of room).  Messages
 * name the key ("key 7: ..."), never the secret; line is the key
 * statement's.  Returns the length; 0 when a secret was read but is not
 * hex or has the wrong length (reported; out may hold part of it: wipe
 * it); -1 when there was no value to read (reported).
 */
int	conf_get_key_secret(struct conf_parser *p, int line, unsigned id,
	    uint8_t *out, size_t min, size_t max);

/*
 * "NAME N NAME N ..." up to the end of the statement, each NAME one of
 * par (at most once), N in 0..par.max.  Values land in par[i].val with
 * par[i].set; the caller copies them.  what names the statement in
 * messages ("evb"); line is its keyword's.
 */
struct conf_param {
	const char	*name;
	uint64_t	 max;
	uint64_t	 val;		/* out */
	bool		 set;		/* out */
};
int	conf_get_params(struct conf_parser *p, const char *what, int line,
	    struct conf_param *par, unsigned npar);

/* ---- printing the canonical form ---------------------------------------- */

/* A quoted string with the two escapes the tokenizer knows. */
void	conf_print_quoted(FILE *f, const char *s);
/* s bare when the tokenizer reads it back as one word, else quoted. */
void	conf_print_word(FILE *f, const char *s);

#endif /* SPLITNVE_UTIL_CONF_H */
