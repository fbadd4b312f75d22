/*
 * conf.c - the configuration-file machinery of conf.h: tokenizer,
 * keyword-table statements and blocks, include, counted "FILE:LINE:"
 * errors, the shared value getters and the canonical-form quoting.
 *
 * Owns nothing past one run: a struct conf_run holds the names of the
 * included files and the include chain until conf_run_free().  Runs in
 * whichever thread parses (a daemon's one thread at start-up and reload,
 * or "-n").  Relies on util/log (every error is one log_warn) and
 * util/hex (MACs, secrets).  nnved/parse.c and tnved/parse.c hold the
 * statements of their own files.
 *
 * Error recovery: a statement that fails is skipped up to its end (over
 * any block inside it); a '{' that is never closed is reported at its
 * line; a stray '}' at the top level is reported and dropped.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/conf.h"
#include "util/hex.h"
#include "util/log.h"

static void	parse_text(struct conf_run *, const char *, const char *,
		    size_t);

/* ---- errors ------------------------------------------------------------ */

static void __attribute__((format(printf, 4, 0)))
verr(struct conf_run *run, const char *file, int line, const char *fmt,
    va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_warn("%s:%d: %s", file, line, msg);
	run->errors++;
}

void
conf_error(struct conf_parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(p->run, p->file, line, fmt, ap);
	va_end(ap);
}

void
conf_error_at(struct conf_run *run, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(run, file, line, fmt, ap);
	va_end(ap);
}

void *
conf_grow(void *arr, unsigned n, size_t sz)
{
	size_t cap;

	if (n != 0 && (n & (n - 1)) != 0)
		return arr;
	if (n > UINT_MAX / 2)
		return NULL;
	cap = n ? 2 * (size_t)n : 1;
	return realloc(arr, cap * sz);
}

/* ---- tokenizer ------------------------------------------------------- */

static int
is_delim(char ch)
{
	switch (ch) {
	case ' ': case '\t': case '\r': case '\n': case '\f': case '\v':
	case '{': case '}': case ';': case '"': case '#':
		return 1;
	}
	return 0;
}

static void
lex_string(struct conf_parser *p)
{
	struct conf_tok *t = &p->tok;
	size_t n = 0;
	int toolong = 0;

	t->type = CONF_T_STRING;
	p->pos++;				/* the opening quote */
	for (;;) {
		char ch;

		if (p->pos >= p->len || p->text[p->pos] == '\n') {
			conf_error(p, t->line, "unterminated string");
			break;
		}
		ch = p->text[p->pos++];
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (p->pos < p->len && (p->text[p->pos] == '"' ||
			    p->text[p->pos] == '\\'))
				ch = p->text[p->pos++];
			else
				conf_error(p, t->line, "bad escape in string");
		}
		if (n + 1 < sizeof(t->s))
			t->s[n++] = ch;
		else if (!toolong++)
			conf_error(p, t->line, "string too long");
	}
	t->s[n] = '\0';
}

void
conf_lex(struct conf_parser *p)
{
	struct conf_tok *t = &p->tok;
	size_t n = 0;
	int toolong = 0;
	unsigned char ch;

	for (;;) {
		while (p->pos < p->len && strchr(" \t\r\f\v",
		    p->text[p->pos]) != NULL)
			p->pos++;
		t->line = p->line;
		t->s[0] = '\0';
		if (p->pos >= p->len) {
			t->type = CONF_T_EOF;
			return;
		}
		ch = (unsigned char)p->text[p->pos];
		if (ch == '#') {
			while (p->pos < p->len && p->text[p->pos] != '\n')
				p->pos++;
			continue;
		}
		if (ch < 0x20 && ch != '\n') {
			conf_error(p, p->line, "unexpected character 0x%02x",
			    ch);
			p->pos++;
			continue;
		}
		break;
	}
	switch (ch) {
	case '\n':
		p->pos++;
		p->line++;
		t->type = CONF_T_NL;
		return;
	case '{':
	case '}':
	case ';':
		p->pos++;
		t->type = ch == '{' ? CONF_T_LBRACE : ch == '}' ?
		    CONF_T_RBRACE : CONF_T_SEMI;
		t->s[0] = (char)ch;
		t->s[1] = '\0';
		return;
	case '"':
		lex_string(p);
		return;
	}
	t->type = CONF_T_WORD;
	while (p->pos < p->len && !is_delim(p->text[p->pos])) {
		ch = (unsigned char)p->text[p->pos++];
		if (ch < 0x20)
			conf_error(p, t->line, "unexpected character 0x%02x",
			    ch);
		else if (n + 1 < sizeof(t->s))
			t->s[n++] = (char)ch;
		else if (!toolong++)
			conf_error(p, t->line, "word too long");
	}
	t->s[n] = '\0';
}

const char *
conf_tokname(const struct conf_parser *p)
{
	switch (p->tok.type) {
	case CONF_T_EOF:
		return "end of file";
	case CONF_T_NL:
		return "end of line";
	default:
		return p->tok.s;
	}
}

/*
 * A newline between a block's header and its '{' is allowed.  Looks
 * past newlines and comments in the raw text (without the tokenizer, so
 * nothing is reported twice) and moves on only if a '{' follows.
 */
static void
skip_nl_to_brace(struct conf_parser *p)
{
	size_t i = p->pos;
	int lines = 0;

	while (i < p->len) {
		char ch = p->text[i];

		if (strchr(" \t\r\f\v", ch) != NULL)
			i++;
		else if (ch == '\n') {
			i++;
			lines++;
		} else if (ch == '#') {
			while (i < p->len && p->text[i] != '\n')
				i++;
		} else
			break;
	}
	if (i < p->len && p->text[i] == '{') {
		p->pos = i;
		p->line += lines;
		conf_lex(p);
	}
}

bool
conf_at_end(const struct conf_parser *p)
{
	switch (p->tok.type) {
	case CONF_T_EOF:
	case CONF_T_NL:
	case CONF_T_SEMI:
	case CONF_T_RBRACE:
		return true;
	default:
		return false;
	}
}

bool
conf_is_value(const struct conf_parser *p)
{
	return p->tok.type == CONF_T_WORD || p->tok.type == CONF_T_STRING;
}

bool
conf_is_word(const struct conf_parser *p, const char *w)
{
	return p->tok.type == CONF_T_WORD && strcmp(p->tok.s, w) == 0;
}

void
conf_skip_stmt(struct conf_parser *p)
{
	int depth = 0;

	for (;;) {
		switch (p->tok.type) {
		case CONF_T_EOF:
			return;
		case CONF_T_LBRACE:
			depth++;
			break;
		case CONF_T_RBRACE:
			if (depth == 0)
				return;
			depth--;
			break;
		case CONF_T_NL:
		case CONF_T_SEMI:
			if (depth == 0) {
				conf_lex(p);
				return;
			}
			break;
		default:
			break;
		}
		conf_lex(p);
	}
}

/* A statement was read whole: anything before its end is an error. */
static void
end_stmt(struct conf_parser *p)
{
	if (!conf_at_end(p)) {
		conf_error(p, p->tok.line, "unexpected '%s'", conf_tokname(p));
		conf_skip_stmt(p);
		return;
	}
	if (p->tok.type == CONF_T_NL || p->tok.type == CONF_T_SEMI)
		conf_lex(p);
}

/* ---- statements and blocks ------------------------------------------- */

void
conf_stmt(struct conf_parser *p, const struct conf_kw *tab, void *obj)
{
	const struct conf_kw *k;
	int line = p->tok.line;

	if (p->tok.type != CONF_T_WORD) {
		conf_error(p, line, "unexpected '%s'", conf_tokname(p));
		conf_skip_stmt(p);
		return;
	}
	for (k = tab; k->name != NULL; k++)
		if (strcmp(k->name, p->tok.s) == 0)
			break;
	if (k->name == NULL) {
		conf_error(p, line, "unknown keyword '%s'", p->tok.s);
		conf_skip_stmt(p);
		return;
	}
	conf_lex(p);
	if (k->fn(p, obj, line) < 0)
		conf_skip_stmt(p);
	else
		end_stmt(p);
}

int
conf_block(struct conf_parser *p, const struct conf_kw *tab, void *obj)
{
	int open;

	if (p->tok.type == CONF_T_NL)
		skip_nl_to_brace(p);
	if (p->tok.type != CONF_T_LBRACE) {
		if (conf_at_end(p))
			return 0;
		conf_error(p, p->tok.line, "unexpected '%s'", conf_tokname(p));
		return -1;
	}
	open = p->tok.line;
	conf_lex(p);
	for (;;) {
		switch (p->tok.type) {
		case CONF_T_EOF:
			conf_error(p, open, "'{' is never closed");
			return 0;
		case CONF_T_RBRACE:
			conf_lex(p);
			return 0;
		case CONF_T_NL:
		case CONF_T_SEMI:
			conf_lex(p);
			break;
		default:
			conf_stmt(p, tab, obj);
			break;
		}
	}
}

/* ---- values ------------------------------------------------------------ */

int
conf_get_value(struct conf_parser *p, const char *what, char *out, size_t sz)
{
	if (!conf_is_value(p)) {
		conf_error(p, p->tok.line, "%s: value missing", what);
		return -1;
	}
	if (strlen(p->tok.s) >= sz) {
		conf_error(p, p->tok.line, "%s: too long (at most %zu "
		    "characters)", what, sz - 1);
		conf_lex(p);
		return -1;
	}
	strcpy(out, p->tok.s);
	conf_lex(p);
	return 0;
}

int
conf_parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

int
conf_get_num(struct conf_parser *p, const char *what, uint64_t lo,
    uint64_t hi, uint64_t *v)
{
	if (!conf_is_value(p)) {
		conf_error(p, p->tok.line, "%s: number missing", what);
		return -1;
	}
	if (conf_parse_u64(p->tok.s, v) < 0 || *v < lo || *v > hi) {
		conf_error(p, p->tok.line, "%s: '%s' is not a number in "
		    "%llu..%llu", what, p->tok.s, (unsigned long long)lo,
		    (unsigned long long)hi);
		conf_lex(p);
		return -1;
	}
	conf_lex(p);
	return 0;
}

int
conf_get_range(struct conf_parser *p, const char *what, const char *noun,
    uint32_t min, uint32_t max, uint32_t *lo, uint32_t *hi)
{
	char buf[64], *dash;
	uint64_t a, b;
	int line = p->tok.line;

	if (conf_get_value(p, what, buf, sizeof(buf)) < 0)
		return -1;
	dash = strchr(buf, '-');
	if (dash == NULL) {
		conf_error(p, line, "%s: '%s' is not LO-HI", what, buf);
		return -1;
	}
	*dash = '\0';
	if (conf_parse_u64(buf, &a) < 0 || conf_parse_u64(dash + 1, &b) < 0) {
		*dash = '-';
		conf_error(p, line, "%s: '%s' is not LO-HI", what, buf);
		return -1;
	}
	*dash = '-';
	if (a < min || a > max || b < min || b > max) {
		conf_error(p, line, "%s %s: %s are %u..%u", what, buf, noun,
		    min, max);
		return -1;
	}
	if (a > b) {
		conf_error(p, line, "%s %s: LO above HI", what, buf);
		return -1;
	}
	*lo = (uint32_t)a;
	*hi = (uint32_t)b;
	return 0;
}

int
conf_get_path(struct conf_parser *p, const char *what, int line, char *out,
    size_t sz)
{
	char buf[CONF_TOK_MAX];

	if (conf_get_value(p, what, buf, sz) < 0)
		return -1;
	if (buf[0] == '\0') {
		conf_error(p, line, "%s: empty path", what);
		return -1;
	}
	memcpy(out, buf, strlen(buf) + 1);
	return 0;
}

int
conf_get_name(struct conf_parser *p, const char *what, char *out, size_t sz)
{
	int line = p->tok.line;

	if (conf_get_value(p, what, out, sz) < 0)
		return -1;
	if (out[0] == '\0') {
		conf_error(p, line, "%s: empty name", what);
		return -1;
	}
	return 0;
}

int
conf_get_ifname(struct conf_parser *p, const char *what,
    char out[IF_NAMESIZE])
{
	char buf[CONF_TOK_MAX];
	int line = p->tok.line;

	if (conf_get_value(p, what, buf, sizeof(buf)) < 0)
		return -1;
	snprintf(out, IF_NAMESIZE, "%.*s", IF_NAMESIZE - 1, buf);
	if (strlen(buf) >= IF_NAMESIZE) {
		conf_error(p, line, "%s: interface name '%s' too long (at "
		    "most %d characters)", what, buf, IF_NAMESIZE - 1);
		return -1;
	}
	if (buf[0] == '\0' || strcmp(buf, ".") == 0 ||
	    strcmp(buf, "..") == 0 || strpbrk(buf, "/: \t") != NULL) {
		conf_error(p, line, "%s: '%s' is not an interface name", what,
		    buf);
		return -1;
	}
	return 0;
}

int
conf_get_unicast_mac(struct conf_parser *p, const char *what, uint8_t mac[6])
{
	static const uint8_t zero[6];
	char buf[64];
	int line = p->tok.line;

	if (conf_get_value(p, what, buf, sizeof(buf)) < 0)
		return -1;
	if (mac_parse(buf, mac) < 0) {
		conf_error(p, line, "%s: '%s' is not a MAC address", what,
		    buf);
		return -1;
	}
	if ((mac[0] & 1) || memcmp(mac, zero, 6) == 0) {
		conf_error(p, line, "%s %s: not a unicast MAC", what, buf);
		return -1;
	}
	return 0;
}

int
conf_get_bool(struct conf_parser *p, const char *what, bool *v)
{
	char buf[16];
	int line = p->tok.line;

	if (conf_get_value(p, what, buf, sizeof(buf)) < 0)
		return -1;
	if (strcmp(buf, "yes") == 0)
		*v = true;
	else if (strcmp(buf, "no") == 0)
		*v = false;
	else {
		conf_error(p, line, "%s: '%s' is not yes or no", what, buf);
		return -1;
	}
	return 0;
}

int
conf_get_log_level(struct conf_parser *p, const char *what, int *level)
{
	char buf[16];
	enum log_level l;
	int line = p->tok.line;

	if (conf_get_value(p, what, buf, sizeof(buf)) < 0)
		return -1;
	if (log_parse_level(buf, &l) < 0) {
		conf_error(p, line, "%s: '%s' is not debug, info, warn or err",
		    what, buf);
		return -1;
	}
	*level = (int)l;
	return 0;
}

int
conf_get_key_secret(struct conf_parser *p, int line, unsigned id,
    uint8_t *out, size_t min, size_t max)
{
	char hex[512];
	long n;

	if (conf_get_value(p, "key secret", hex, sizeof(hex)) < 0)
		return -1;
	/* The secret never appears in a message. */
	n = hex_decode(hex, out, max);
	explicit_bzero(hex, sizeof(hex));
	if (n == -EINVAL) {
		conf_error(p, line, "key %u: secret is not hex", id);
		return 0;
	}
	if (n < (long)min || n > (long)max || n == 0) {
		conf_error(p, line, "key %u: secret must be %zu..%zu octets",
		    id, min, max);
		return 0;
	}
	return (int)n;
}

int
conf_get_params(struct conf_parser *p, const char *what, int line,
    struct conf_param *par, unsigned npar)
{
	char names[256], sub[64];
	size_t o = 0;
	unsigned i;

	for (i = 0; i < npar; i++) {
		par[i].set = false;
		par[i].val = 0;
	}
	if (conf_at_end(p)) {
		for (i = 0; i < npar && o < sizeof(names); i++)
			o += (size_t)snprintf(names + o, sizeof(names) - o,
			    "%s%s", i == 0 ? "" : i + 1 == npar ? " or " :
			    ", ", par[i].name);
		conf_error(p, line, "%s: %s expected", what, names);
		return -1;
	}
	while (!conf_at_end(p)) {
		for (i = 0; i < npar; i++)
			if (conf_is_word(p, par[i].name))
				break;
		if (i == npar) {
			conf_error(p, p->tok.line, "%s: unknown parameter "
			    "'%s'", what, conf_tokname(p));
			return -1;
		}
		conf_lex(p);
		if (par[i].set) {
			conf_error(p, line, "%s: %s given twice", what,
			    par[i].name);
			return -1;
		}
		par[i].set = true;
		snprintf(sub, sizeof(sub), "%s %s", what, par[i].name);
		if (conf_get_num(p, sub, 0, par[i].max, &par[i].val) < 0)
			return -1;
	}
	return 0;
}

/* ---- include ----------------------------------------------------------- */

int
conf_read_file(const char *path, char **text, size_t *len)
{
	FILE *f;
	char *buf = NULL, *q;
	size_t n = 0, cap = 0, got;
	int err = 0;

	if ((f = fopen(path, "r")) == NULL)
		return -errno;
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			if (cap > CONF_FILE_MAX + 1)
				cap = CONF_FILE_MAX + 1;
			if (n == cap) {
				err = -EFBIG;
				break;
			}
			if ((q = realloc(buf, cap)) == NULL) {
				err = -ENOMEM;
				break;
			}
			buf = q;
		}
		errno = 0;
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				err = errno ? -errno : -EIO;
			break;
		}
	}
	fclose(f);
	if (err == 0 && n > CONF_FILE_MAX)
		err = -EFBIG;
	if (err < 0) {
		free(buf);
		return err;
	}
	*text = buf;
	*len = n;
	return 0;
}

/* Parses the file at path as one more level of include. */
static void
include_file(struct conf_parser *p, int line, const char *path)
{
	struct conf_run *run = p->run;
	char *text, *name, **files, *real;
	size_t len;
	int rc;

	if (run->depth >= CONF_INCLUDE_DEPTH) {
		conf_error(p, line, "include %s: nested more than %d deep",
		    path, CONF_INCLUDE_DEPTH);
		return;
	}
	real = realpath(path, NULL);
	for (int i = 0; real != NULL && i <= run->depth; i++) {
		if (run->chain[i] != NULL && strcmp(run->chain[i], real) == 0) {
			conf_error(p, line, "include %s: includes itself",
			    path);
			free(real);
			return;
		}
	}
	if ((rc = conf_read_file(path, &text, &len)) < 0) {
		conf_error(p, line, "include %s: %s", path, strerror(-rc));
		free(real);
		return;
	}
	name = strdup(path);
	files = conf_grow(run->files, run->nfiles, sizeof(*run->files));
	if (name == NULL || files == NULL) {
		conf_error(p, line, "out of memory");
		free(name);
		if (files != NULL)
			run->files = files;
		free(text);
		free(real);
		return;
	}
	run->files = files;
	run->files[run->nfiles++] = name;
	run->chain[++run->depth] = real;
	parse_text(run, name, text, len);
	run->chain[run->depth--] = NULL;
	free(real);
	free(text);
}

int
conf_include(struct conf_parser *p, void *obj, int line)
{
	char name[PATH_MAX], path[PATH_MAX];
	const char *slash;
	int n;

	if (conf_get_value(p, "include", name, sizeof(name)) < 0)
		return -1;
	if (!conf_at_end(p)) {
		conf_error(p, p->tok.line, "unexpected '%s'", conf_tokname(p));
		return -1;
	}
	if (name[0] == '\0') {
		conf_error(p, line, "include: empty path");
		return -1;
	}
	slash = strrchr(p->file, '/');
	if (name[0] == '/' || slash == NULL)
		n = snprintf(path, sizeof(path), "%s", name);
	else
		n = snprintf(path, sizeof(path), "%.*s/%s",
		    (int)(slash - p->file), p->file, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		conf_error(p, line, "include: path too long");
		return 0;
	}
	include_file(p, line, path);
	return 0;
}

/* ---- driver ------------------------------------------------------------ */

static void
parse_text(struct conf_run *run, const char *file, const char *text,
    size_t len)
{
	struct conf_parser p;
	const char *nul;

	memset(&p, 0, sizeof(p));
	p.run = run;
	p.file = file;
	p.text = text;
	p.len = len;
	p.line = 1;
	if ((nul = memchr(text, '\0', len)) != NULL) {
		int line = 1;

		for (const char *s = text; s < nul; s++)
			line += *s == '\n';
		conf_error(&p, line, "NUL character in file");
		p.len = (size_t)(nul - text);
	}
	conf_lex(&p);
	while (p.tok.type != CONF_T_EOF) {
		switch (p.tok.type) {
		case CONF_T_NL:
		case CONF_T_SEMI:
			conf_lex(&p);
			break;
		case CONF_T_RBRACE:
			conf_error(&p, p.tok.line, "unexpected '}'");
			conf_lex(&p);
			break;
		default:
			conf_stmt(&p, run->top, NULL);
			break;
		}
	}
	if (run->depth == 0)
		run->last_line = p.len > 0 && text[p.len - 1] == '\n' &&
		    p.line > 1 ? p.line - 1 : p.line;
}

void
conf_run_init(struct conf_run *run, const struct conf_kw *top, void *arg)
{
	memset(run, 0, sizeof(*run));
	run->top = top;
	run->arg = arg;
}

void
conf_run_text(struct conf_run *run, const char *name, const char *text,
    size_t len)
{
	free(run->chain[0]);
	run->chain[0] = realpath(name, NULL);
	run->depth = 0;
	parse_text(run, name, text, len);
}

int
conf_run_free(struct conf_run *run)
{
	for (int i = 0; i <= CONF_INCLUDE_DEPTH; i++) {
		free(run->chain[i]);
		run->chain[i] = NULL;
	}
	for (unsigned i = 0; i < run->nfiles; i++)
		free(run->files[i]);
	free(run->files);
	run->files = NULL;
	run->nfiles = 0;
	return run->errors;
}

/* ---- canonical form ---------------------------------------------------- */

void
conf_print_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void
conf_print_word(FILE *f, const char *s)
{
	const char *q;

	for (q = s; *q; q++)
		if ((unsigned char)*q <= ' ' || (unsigned char)*q >= 0x7f ||
		    strchr("{};\"#\\", *q) != NULL)
			break;
	if (*s == '\0' || *q != '\0')
		conf_print_quoted(f, s);
	else
		fputs(s, f);
}
