/*
 * parse.c - nnved.conf (docs/nnved.conf.5) -> struct nnved_conf.
 *
 * Owns: the tokenizer, the recursive-descent parser of every statement,
 * include handling, the checks on each value, and the checks that need
 * the whole file (names a statement refers to before they are defined).
 * Runs in nnved's one thread at start-up and on reload, and in
 * "nnved -n"; it reads files but keeps no state between calls.
 * Relies on: util/log (every error is one log_warn "FILE:LINE: text"),
 * util/hex (MACs, key secrets), ext/ext.h (extension names), ecp/ecp.h
 * (which multicast destinations are usable), policy.c (look-ups).
 *
 * Error handling: an error is logged and counted, and the parser goes on
 * at the end of the statement (a block is skipped whole only when its
 * header cannot be read), so one run reports every error it can.  An
 * object with an error in its header is parsed but not kept; the result
 * of a run with errors is thrown away, so this only spares the reader a
 * second wave of errors about the same object.
 *
 * Lexical rules: words, "strings" (\" and \\ the only escapes, no
 * newline inside), { } and ;.  A newline or ; ends a statement; # starts
 * a comment that runs to the end of the line.  Keywords are whole words.
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnved.h"
#include "util/hex.h"
#include "util/log.h"

#define TOK_MAX		1024		/* longest word or string */
#define INCLUDE_DEPTH	8		/* include inside include ... */
#define FILE_MAX	(16u << 20)	/* larger files are refused */

enum tok_type {
	T_EOF,
	T_NL,
	T_SEMI,
	T_LBRACE,
	T_RBRACE,
	T_WORD,
	T_STRING,
};

struct tok {
	enum tok_type	type;
	int		line;
	char		s[TOK_MAX];
};

/* A name used before the whole configuration is known. */
enum ref_kind {
	REF_DOMAIN,
	REF_KEY,
	REF_PORT,
};

struct ref {
	enum ref_kind	kind;
	char		name[NNVED_NAME_MAX];
	uint16_t	id;
	char		what[40];	/* "port eth1", "station any" */
	const char	*file;
	int		line;
};

/* What every file of one run shares. */
struct pstate {
	struct nnved_conf *c;
	int		errors;
	struct ref	*refs;
	unsigned	nrefs;
	char		**files;	/* names of included files */
	unsigned	nfiles;
	char		*chain[INCLUDE_DEPTH + 1];	/* realpath, or NULL */
	int		depth;		/* 0: the main file */
};

/* One file (or string) being read. */
struct parser {
	struct pstate	*st;
	const char	*file;
	const char	*text;
	size_t		len, pos;
	int		line;
	struct tok	tok;
};

/* A statement: the keyword has been read; line is the keyword's. */
typedef int (*stmt_fn)(struct parser *, void *, int);

struct kw {
	const char	*name;
	stmt_fn		fn;
};

static void	parse_text(struct pstate *, const char *, const char *,
		    size_t);

/* ---- errors ------------------------------------------------------------ */

static void __attribute__((format(printf, 4, 0)))
verr(struct pstate *st, const char *file, int line, const char *fmt,
    va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_warn("%s:%d: %s", file, line, msg);
	st->errors++;
}

static void __attribute__((format(printf, 3, 4)))
perr(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(p->st, p->file, line, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 4, 5)))
serr(struct pstate *st, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(st, file, line, fmt, ap);
	va_end(ap);
}

/*
 * Room for one more element in an array of n that grows in powers of
 * two.  Returns the (maybe moved) array, or NULL with arr untouched.
 */
static void *
grow(void *arr, unsigned n, size_t sz)
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
lex_string(struct parser *p)
{
	struct tok *t = &p->tok;
	size_t n = 0;
	int toolong = 0;

	t->type = T_STRING;
	p->pos++;				/* the opening quote */
	for (;;) {
		char ch;

		if (p->pos >= p->len || p->text[p->pos] == '\n') {
			perr(p, t->line, "unterminated string");
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
				perr(p, t->line, "bad escape in string");
		}
		if (n + 1 < sizeof(t->s))
			t->s[n++] = ch;
		else if (!toolong++)
			perr(p, t->line, "string too long");
	}
	t->s[n] = '\0';
}

/* Reads the next token into p->tok. */
static void
lex(struct parser *p)
{
	struct tok *t = &p->tok;
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
			t->type = T_EOF;
			return;
		}
		ch = (unsigned char)p->text[p->pos];
		if (ch == '#') {
			while (p->pos < p->len && p->text[p->pos] != '\n')
				p->pos++;
			continue;
		}
		if (ch < 0x20 && ch != '\n') {
			perr(p, p->line, "unexpected character 0x%02x", ch);
			p->pos++;
			continue;
		}
		break;
	}
	switch (ch) {
	case '\n':
		p->pos++;
		p->line++;
		t->type = T_NL;
		return;
	case '{':
	case '}':
	case ';':
		p->pos++;
		t->type = ch == '{' ? T_LBRACE : ch == '}' ? T_RBRACE : T_SEMI;
		t->s[0] = (char)ch;
		t->s[1] = '\0';
		return;
	case '"':
		lex_string(p);
		return;
	}
	t->type = T_WORD;
	while (p->pos < p->len && !is_delim(p->text[p->pos])) {
		ch = (unsigned char)p->text[p->pos++];
		if (ch < 0x20)
			perr(p, t->line, "unexpected character 0x%02x", ch);
		else if (n + 1 < sizeof(t->s))
			t->s[n++] = (char)ch;
		else if (!toolong++)
			perr(p, t->line, "word too long");
	}
	t->s[n] = '\0';
}

/* The current token as an error message shows it. */
static const char *
tokname(const struct parser *p)
{
	switch (p->tok.type) {
	case T_EOF:
		return "end of file";
	case T_NL:
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
skip_nl_to_brace(struct parser *p)
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
		lex(p);
	}
}

static int
at_end(const struct parser *p)
{
	switch (p->tok.type) {
	case T_EOF:
	case T_NL:
	case T_SEMI:
	case T_RBRACE:
		return 1;
	default:
		return 0;
	}
}

static int
is_value(const struct parser *p)
{
	return p->tok.type == T_WORD || p->tok.type == T_STRING;
}

/*
 * Skips the rest of a statement: up to and including its newline or ;,
 * over any block in between.  Stops before a '}' that closes the
 * enclosing block.
 */
static void
skip_stmt(struct parser *p)
{
	int depth = 0;

	for (;;) {
		switch (p->tok.type) {
		case T_EOF:
			return;
		case T_LBRACE:
			depth++;
			break;
		case T_RBRACE:
			if (depth == 0)
				return;
			depth--;
			break;
		case T_NL:
		case T_SEMI:
			if (depth == 0) {
				lex(p);
				return;
			}
			break;
		default:
			break;
		}
		lex(p);
	}
}

/* A statement was read whole: anything before its end is an error. */
static void
end_stmt(struct parser *p)
{
	if (!at_end(p)) {
		perr(p, p->tok.line, "unexpected '%s'", tokname(p));
		skip_stmt(p);
		return;
	}
	if (p->tok.type == T_NL || p->tok.type == T_SEMI)
		lex(p);
}

/* ---- values ------------------------------------------------------------ */

/* Copies the next word or string to out (which holds sz - 1 octets). */
static int
get_value(struct parser *p, const char *what, char *out, size_t sz)
{
	if (!is_value(p)) {
		perr(p, p->tok.line, "%s: value missing", what);
		return -1;
	}
	if (strlen(p->tok.s) >= sz) {
		perr(p, p->tok.line, "%s: too long (at most %zu characters)",
		    what, sz - 1);
		lex(p);
		return -1;
	}
	strcpy(out, p->tok.s);
	lex(p);
	return 0;
}

/* Decimal digits only; no sign, no base prefix. */
static int
parse_u64(const char *s, uint64_t *v)
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

static int
get_num(struct parser *p, const char *what, uint64_t lo, uint64_t hi,
    uint64_t *v)
{
	if (!is_value(p)) {
		perr(p, p->tok.line, "%s: number missing", what);
		return -1;
	}
	if (parse_u64(p->tok.s, v) < 0 || *v < lo || *v > hi) {
		perr(p, p->tok.line, "%s: '%s' is not a number in %llu..%llu",
		    what, p->tok.s, (unsigned long long)lo,
		    (unsigned long long)hi);
		lex(p);
		return -1;
	}
	lex(p);
	return 0;
}

static int
get_vn(struct parser *p, const char *what, uint32_t *vn)
{
	uint64_t v;

	if (get_num(p, what, 1, NVO3_VN_MAX, &v) < 0)
		return -1;
	*vn = (uint32_t)v;
	return 0;
}

/* "LO-HI", both in 1..4094, LO <= HI. */
static int
get_vids(struct parser *p, const char *what, uint16_t *lo, uint16_t *hi)
{
	char buf[64], *dash;
	uint64_t a, b;
	int line = p->tok.line;

	if (get_value(p, what, buf, sizeof(buf)) < 0)
		return -1;
	dash = strchr(buf, '-');
	if (dash == NULL) {
		perr(p, line, "%s: '%s' is not LO-HI", what, buf);
		return -1;
	}
	*dash = '\0';
	if (parse_u64(buf, &a) < 0 || parse_u64(dash + 1, &b) < 0) {
		*dash = '-';
		perr(p, line, "%s: '%s' is not LO-HI", what, buf);
		return -1;
	}
	*dash = '-';
	if (a < NVO3_VID_MIN || a > NVO3_VID_MAX || b < NVO3_VID_MIN ||
	    b > NVO3_VID_MAX) {
		perr(p, line, "%s %s: VIDs are %d..%d", what, buf,
		    NVO3_VID_MIN, NVO3_VID_MAX);
		return -1;
	}
	if (a > b) {
		perr(p, line, "%s %s: LO above HI", what, buf);
		return -1;
	}
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

/*
 * An interface name as Linux takes it: 1..IF_NAMESIZE-1 octets, not "."
 * or "..", no '/', ':' or white space.  A bad name is still copied
 * (cut) so later messages can show it; returns -1 after the error.
 */
static int
get_ifname(struct parser *p, const char *what, char out[IF_NAMESIZE])
{
	char buf[TOK_MAX];
	int line = p->tok.line;

	if (get_value(p, what, buf, sizeof(buf)) < 0)
		return -1;
	snprintf(out, IF_NAMESIZE, "%.*s", IF_NAMESIZE - 1, buf);
	if (strlen(buf) >= IF_NAMESIZE) {
		perr(p, line, "%s: interface name '%s' too long (at most %d "
		    "characters)", what, buf, IF_NAMESIZE - 1);
		return -1;
	}
	if (buf[0] == '\0' || strcmp(buf, ".") == 0 ||
	    strcmp(buf, "..") == 0 || strpbrk(buf, "/: \t") != NULL) {
		perr(p, line, "%s: '%s' is not an interface name", what, buf);
		return -1;
	}
	return 0;
}

/* A domain name: 1..NNVED_NAME_MAX-1 characters. */
static int
get_name(struct parser *p, const char *what, char out[NNVED_NAME_MAX])
{
	int line = p->tok.line;

	if (get_value(p, what, out, NNVED_NAME_MAX) < 0)
		return -1;
	if (out[0] == '\0') {
		perr(p, line, "%s: empty name", what);
		return -1;
	}
	return 0;
}

static int
add_ref(struct parser *p, enum ref_kind kind, const char *name, uint16_t id,
    const char *what, int line)
{
	struct pstate *st = p->st;
	struct ref *r, *q;

	q = grow(st->refs, st->nrefs, sizeof(*st->refs));
	if (q == NULL) {
		perr(p, line, "out of memory");
		return -1;
	}
	st->refs = q;
	r = &st->refs[st->nrefs++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	if (name != NULL)
		snprintf(r->name, sizeof(r->name), "%s", name);
	r->id = id;
	snprintf(r->what, sizeof(r->what), "%s", what);
	r->file = p->file;
	r->line = line;
	return 0;
}

/* ---- blocks -------------------------------------------------------------- */

/* One statement of a block (or of the top level) with keywords tab. */
static void
stmt(struct parser *p, const struct kw *tab, void *obj)
{
	const struct kw *k;
	int line = p->tok.line;

	if (p->tok.type != T_WORD) {
		perr(p, line, "unexpected '%s'", tokname(p));
		skip_stmt(p);
		return;
	}
	for (k = tab; k->name != NULL; k++)
		if (strcmp(k->name, p->tok.s) == 0)
			break;
	if (k->name == NULL) {
		perr(p, line, "unknown keyword '%s'", p->tok.s);
		skip_stmt(p);
		return;
	}
	lex(p);
	if (k->fn(p, obj, line) < 0)
		skip_stmt(p);
	else
		end_stmt(p);
}

/*
 * "{ statement... }" after a header.  No block at all is fine (every
 * setting at its default).  Returns -1 only when something other than a
 * block follows the header; the caller then skips the statement.
 */
static int
parse_block(struct parser *p, const struct kw *tab, void *obj)
{
	int open;

	if (p->tok.type == T_NL)
		skip_nl_to_brace(p);
	if (p->tok.type != T_LBRACE) {
		if (at_end(p))
			return 0;
		perr(p, p->tok.line, "unexpected '%s'", tokname(p));
		return -1;
	}
	open = p->tok.line;
	lex(p);
	for (;;) {
		switch (p->tok.type) {
		case T_EOF:
			perr(p, open, "'{' is never closed");
			return 0;
		case T_RBRACE:
			lex(p);
			return 0;
		case T_NL:
		case T_SEMI:
			lex(p);
			break;
		default:
			stmt(p, tab, obj);
			break;
		}
	}
}

/* ---- domain NAME { vids LO-HI } ----------------------------------------- */

static int
domain_vids(struct parser *p, void *obj, int line)
{
	struct nnved_domain_conf *d = obj;

	return get_vids(p, "vids", &d->vid_lo, &d->vid_hi);
}

static const struct kw domain_kw[] = {
	{ "vids", domain_vids },
	{ NULL, NULL }
};

static int
st_domain(struct parser *p, void *obj, int line)
{
	struct nnved_conf *c = p->st->c;
	struct nnved_domain_conf d, *q;
	int ok;

	memset(&d, 0, sizeof(d));
	d.line = line;
	ok = get_name(p, "domain", d.name) == 0;
	if (ok && policy_domain(c, d.name) != NULL) {
		perr(p, line, "duplicate domain '%s'", d.name);
		ok = 0;
	}
	if (parse_block(p, domain_kw, &d) < 0)
		return -1;
	if (!ok)
		return 0;
	if ((q = grow(c->domains, c->ndomains, sizeof(*q))) == NULL) {
		perr(p, line, "out of memory");
		return 0;
	}
	c->domains = q;
	c->domains[c->ndomains++] = d;
	return 0;
}

/* ---- port IFNAME { ... } ----------------------------------------------- */

static int
port_domain(struct parser *p, void *obj, int line)
{
	struct nnved_port_conf *pc = obj;
	char what[64];

	if (get_name(p, "domain", pc->domain) < 0)
		return -1;
	if (pc->vid_lo != 0)
		perr(p, line, "port %s: both domain and vids", pc->ifname);
	snprintf(what, sizeof(what), "port %s", pc->ifname);
	add_ref(p, REF_DOMAIN, pc->domain, 0, what, line);
	return 0;
}

static int
port_vids(struct parser *p, void *obj, int line)
{
	struct nnved_port_conf *pc = obj;

	if (get_vids(p, "vids", &pc->vid_lo, &pc->vid_hi) < 0)
		return -1;
	if (pc->domain[0] != '\0')
		perr(p, line, "port %s: both domain and vids", pc->ifname);
	return 0;
}

static int
port_ecpdst(struct parser *p, void *obj, int line)
{
	struct nnved_port_conf *pc = obj;
	char mode[16], mac[64];

	if (get_value(p, "ecp-destination", mode, sizeof(mode)) < 0)
		return -1;
	memset(pc->mcast, 0, sizeof(pc->mcast));
	if (strcmp(mode, "group") == 0) {
		pc->ecp_dst = ECP_DST_GROUP;
		return 0;
	}
	if (strcmp(mode, "unicast") == 0) {
		pc->ecp_dst = ECP_DST_UNICAST;
		return 0;
	}
	if (strcmp(mode, "multicast") != 0) {
		perr(p, line, "ecp-destination: '%s' is not group, unicast "
		    "or multicast", mode);
		return -1;
	}
	pc->ecp_dst = ECP_DST_MCAST;
	if (get_value(p, "ecp-destination multicast", mac, sizeof(mac)) < 0)
		return -1;
	if (mac_parse(mac, pc->mcast) < 0) {
		perr(p, line, "ecp-destination multicast: '%s' is not a MAC "
		    "address", mac);
		return -1;
	}
	if (ecp_check_dst(ECP_DST_MCAST, pc->mcast) < 0) {
		perr(p, line, "ecp-destination multicast %s: not a usable "
		    "group address (unicast, broadcast or reserved "
		    "01:80:c2:00:00:0x)", mac);
		return -1;
	}
	return 0;
}

static int
port_default_vn(struct parser *p, void *obj, int line)
{
	struct nnved_port_conf *pc = obj;

	return get_vn(p, "default-vn", &pc->default_vn);
}

static int
port_vlan(struct parser *p, void *obj, int line)
{
	struct nnved_port_conf *pc = obj;
	struct nnved_vlanmap *q;
	uint64_t vid;
	uint32_t vn;

	if (get_num(p, "vlan", NVO3_VID_MIN, NVO3_VID_MAX, &vid) < 0)
		return -1;
	if (p->tok.type != T_WORD || strcmp(p->tok.s, "vn") != 0) {
		perr(p, p->tok.line, "vlan %u: 'vn' expected", (unsigned)vid);
		return -1;
	}
	lex(p);
	if (get_vn(p, "vlan vn", &vn) < 0)
		return -1;
	for (unsigned i = 0; i < pc->nvlans; i++) {
		if (pc->vlans[i].vid == vid) {
			perr(p, line, "port %s: vlan %u given twice",
			    pc->ifname, (unsigned)vid);
			return 0;
		}
	}
	if ((q = grow(pc->vlans, pc->nvlans, sizeof(*q))) == NULL) {
		perr(p, line, "out of memory");
		return 0;
	}
	pc->vlans = q;
	pc->vlans[pc->nvlans].vid = (uint16_t)vid;
	pc->vlans[pc->nvlans].vn = vn;
	pc->nvlans++;
	return 0;
}

static const struct kw port_kw[] = {
	{ "domain", port_domain },
	{ "vids", port_vids },
	{ "ecp-destination", port_ecpdst },
	{ "default-vn", port_default_vn },
	{ "vlan", port_vlan },
	{ NULL, NULL }
};

static int
st_port(struct parser *p, void *obj, int line)
{
	struct nnved_conf *c = p->st->c;
	struct nnved_port_conf pc, *q;
	int ok;

	memset(&pc, 0, sizeof(pc));
	pc.line = line;
	pc.ecp_dst = ECP_DST_GROUP;
	ok = get_ifname(p, "port", pc.ifname) == 0;
	if (ok && policy_port(c, pc.ifname) != NULL) {
		perr(p, line, "duplicate port '%s'", pc.ifname);
		ok = 0;
	}
	if (parse_block(p, port_kw, &pc) < 0) {
		free(pc.vlans);
		return -1;
	}
	if (!ok || (q = grow(c->ports, c->nports, sizeof(*q))) == NULL) {
		if (ok)
			perr(p, line, "out of memory");
		free(pc.vlans);
		return 0;
	}
	c->ports = q;
	c->ports[c->nports++] = pc;
	return 0;
}

/* ---- key ID "HEX" ------------------------------------------------------ */

static int
st_key(struct parser *p, void *obj, int line)
{
	struct nnved_conf *c = p->st->c;
	struct nnved_key_conf k, *q;
	char hex[512];
	uint64_t id;
	long n;

	memset(&k, 0, sizeof(k));
	k.line = line;
	if (get_num(p, "key", 1, UINT16_MAX, &id) < 0)
		return -1;
	k.id = (uint16_t)id;
	if (get_value(p, "key secret", hex, sizeof(hex)) < 0)
		return -1;
	/* The secret never appears in a message. */
	n = hex_decode(hex, k.secret, sizeof(k.secret));
	explicit_bzero(hex, sizeof(hex));
	if (n == -EINVAL) {
		perr(p, line, "key %u: secret is not hex", k.id);
		goto out;
	}
	if (n < NVO3_KEY_MIN || n > NVO3_KEY_MAX) {
		perr(p, line, "key %u: secret must be %d..%d octets", k.id,
		    NVO3_KEY_MIN, NVO3_KEY_MAX);
		goto out;
	}
	k.len = (uint8_t)n;
	if (policy_key(c, k.id) != NULL) {
		perr(p, line, "duplicate key %u", k.id);
		goto out;
	}
	if ((q = grow(c->keys, c->nkeys, sizeof(*q))) == NULL) {
		perr(p, line, "out of memory");
		goto out;
	}
	c->keys = q;
	c->keys[c->nkeys++] = k;
out:
	explicit_bzero(&k, sizeof(k));
	return 0;
}

/* ---- station MAC|any { port IF; key ID; vn VN... | vn any } -------------- */

struct station_ctx {
	struct nnved_station_conf s;
	char		what[40];	/* "station 52:54:00:12:34:56" */
};

static int
station_port(struct parser *p, void *obj, int line)
{
	struct station_ctx *x = obj;

	if (get_ifname(p, "port", x->s.port) < 0)
		return -1;
	add_ref(p, REF_PORT, x->s.port, 0, x->what, line);
	return 0;
}

static int
station_key(struct parser *p, void *obj, int line)
{
	struct station_ctx *x = obj;
	uint64_t id;

	if (get_num(p, "key", 1, UINT16_MAX, &id) < 0)
		return -1;
	x->s.key_id = (int)id;
	add_ref(p, REF_KEY, NULL, (uint16_t)id, x->what, line);
	return 0;
}

static int
station_vn(struct parser *p, void *obj, int line)
{
	struct station_ctx *x = obj;
	struct nnved_station_conf *s = &x->s;
	uint32_t vn, *q;

	if (p->tok.type == T_WORD && strcmp(p->tok.s, "any") == 0) {
		lex(p);
		if (s->nvns != 0)
			perr(p, line, "%s: vn any with a list of VNs", x->what);
		s->vn_any = true;
		return 0;
	}
	if (at_end(p)) {
		perr(p, line, "vn: VN missing");
		return -1;
	}
	while (!at_end(p)) {
		if (get_vn(p, "vn", &vn) < 0)
			return -1;
		if (s->vn_any) {
			perr(p, line, "%s: vn any with a list of VNs", x->what);
			continue;
		}
		if (policy_station_vn(s, vn) == 0) {
			perr(p, line, "%s: vn %u given twice", x->what, vn);
			continue;
		}
		if ((q = grow(s->vns, s->nvns, sizeof(*q))) == NULL) {
			perr(p, line, "out of memory");
			return -1;
		}
		s->vns = q;
		s->vns[s->nvns++] = vn;
	}
	return 0;
}

static const struct kw station_kw[] = {
	{ "port", station_port },
	{ "key", station_key },
	{ "vn", station_vn },
	{ NULL, NULL }
};

/*
 * A rule that can never match: an earlier rule for the same MAC (or an
 * earlier "any") on the same port or on every port.
 */
static int
station_shadowed(const struct nnved_conf *c,
    const struct nnved_station_conf *s)
{
	for (unsigned i = 0; i < c->nstations; i++) {
		const struct nnved_station_conf *e = &c->stations[i];

		if (e->any != s->any ||
		    (!s->any && memcmp(e->mac, s->mac, 6) != 0))
			continue;
		if (e->port[0] == '\0' || strcmp(e->port, s->port) == 0)
			return 1;
	}
	return 0;
}

static int
st_station(struct parser *p, void *obj, int line)
{
	struct nnved_conf *c = p->st->c;
	struct station_ctx x;
	struct nnved_station_conf *q;
	static const uint8_t zero[6];
	char buf[64];
	int ok = 1;

	memset(&x, 0, sizeof(x));
	x.s.key_id = -1;
	x.s.line = line;
	if (get_value(p, "station", buf, sizeof(buf)) < 0) {
		ok = 0;
		snprintf(x.what, sizeof(x.what), "station");
	} else {
		snprintf(x.what, sizeof(x.what), "station %.24s", buf);
		if (strcmp(buf, "any") == 0)
			x.s.any = true;
		else if (mac_parse(buf, x.s.mac) < 0) {
			perr(p, line, "station: '%s' is not a MAC address or "
			    "any", buf);
			ok = 0;
		} else if ((x.s.mac[0] & 1) || memcmp(x.s.mac, zero, 6) == 0) {
			perr(p, line, "station %s: not a unicast MAC", buf);
			ok = 0;
		} else {
			char mac[18];

			snprintf(x.what, sizeof(x.what), "station %s",
			    mac_fmt(x.s.mac, mac));
		}
	}
	if (parse_block(p, station_kw, &x) < 0) {
		free(x.s.vns);
		return -1;
	}
	if (ok && station_shadowed(c, &x.s)) {
		perr(p, line, "duplicate %s%s%s", x.what,
		    x.s.port[0] ? " on port " : "", x.s.port);
		ok = 0;
	}
	if (!ok || (q = grow(c->stations, c->nstations, sizeof(*q))) == NULL) {
		if (ok)
			perr(p, line, "out of memory");
		free(x.s.vns);
		return 0;
	}
	c->stations = q;
	c->stations[c->nstations++] = x.s;
	return 0;
}

/* ---- vn VN { context VNI; allow PREFIX... } ---------------------------- */

/* Bits past len in an address of nbits bits are zero. */
static int
host_bits_clear(const uint8_t *a, unsigned len, unsigned nbits)
{
	for (unsigned b = len; b < nbits; b++)
		if (a[b / 8] & (0x80 >> (b % 8)))
			return 0;
	return 1;
}

/*
 * One prefix of "allow": ADDR[/LEN], or MAC[/LEN] after "mac".  A bare
 * address is the full length.
 */
static int
parse_prefix(struct parser *p, int line, int mac, const char *text,
    struct nnved_prefix *out)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned max;
	uint64_t len;
	int ok;

	memset(out, 0, sizeof(*out));
	if (strlen(text) >= sizeof(buf)) {
		perr(p, line, "allow: '%s' is not an address prefix", text);
		return -1;
	}
	strcpy(buf, text);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (mac) {
		out->family = 0;
		max = 48;
		ok = mac_parse(buf, out->addr) == 0;
	} else if (strchr(buf, ':') != NULL) {
		out->family = 6;
		max = 128;
		ok = inet_pton(AF_INET6, buf, out->addr) == 1;
	} else {
		out->family = 4;
		max = 32;
		ok = inet_pton(AF_INET, buf, out->addr) == 1;
	}
	if (!ok) {
		perr(p, line, "allow: '%s' is not %s", text,
		    mac ? "a MAC prefix" : "an address prefix");
		return -1;
	}
	len = max;
	if (slash != NULL && (parse_u64(slash, &len) < 0 || len > max)) {
		perr(p, line, "allow %s: length must be 0..%u", text, max);
		return -1;
	}
	out->len = (uint8_t)len;
	if (!host_bits_clear(out->addr, out->len, max)) {
		perr(p, line, "%s: host bits set", text);
		return -1;
	}
	return 0;
}

static int
vn_context(struct parser *p, void *obj, int line)
{
	struct nnved_vn_conf *v = obj;

	return get_vn(p, "context", &v->context);
}

static int
vn_allow(struct parser *p, void *obj, int line)
{
	struct nnved_vn_conf *v = obj;
	struct nnved_prefix pf, *q;
	char text[TOK_MAX];
	int mac;

	if (at_end(p)) {
		perr(p, line, "allow: prefix missing");
		return -1;
	}
	while (!at_end(p)) {
		mac = p->tok.type == T_WORD && strcmp(p->tok.s, "mac") == 0;
		if (mac)
			lex(p);
		if (get_value(p, mac ? "allow mac" : "allow", text,
		    sizeof(text)) < 0)
			return -1;
		if (parse_prefix(p, line, mac, text, &pf) < 0)
			continue;
		for (unsigned i = 0; i < v->nallow; i++) {
			if (v->allow[i].family == pf.family &&
			    v->allow[i].len == pf.len &&
			    memcmp(v->allow[i].addr, pf.addr, 16) == 0) {
				perr(p, line, "vn %u: %s given twice", v->vn,
				    text);
				goto next;
			}
		}
		if ((q = grow(v->allow, v->nallow, sizeof(*q))) == NULL) {
			perr(p, line, "out of memory");
			return -1;
		}
		v->allow = q;
		v->allow[v->nallow++] = pf;
next:
		;
	}
	return 0;
}

static const struct kw vn_kw[] = {
	{ "context", vn_context },
	{ "allow", vn_allow },
	{ NULL, NULL }
};

static int
st_vn(struct parser *p, void *obj, int line)
{
	struct nnved_conf *c = p->st->c;
	struct nnved_vn_conf v, *q;
	int ok;

	memset(&v, 0, sizeof(v));
	v.line = line;
	ok = get_vn(p, "vn", &v.vn) == 0;
	if (ok && policy_vn_conf(c, v.vn) != NULL) {
		perr(p, line, "duplicate vn %u", v.vn);
		ok = 0;
	}
	if (parse_block(p, vn_kw, &v) < 0) {
		free(v.allow);
		return -1;
	}
	if (!ok || (q = grow(c->vns, c->nvns, sizeof(*q))) == NULL) {
		if (ok)
			perr(p, line, "out of memory");
		free(v.allow);
		return 0;
	}
	c->vns = q;
	c->vns[c->nvns++] = v;
	return 0;
}

/* ---- global statements ------------------------------------------------- */

static int
st_control(struct parser *p, void *obj, int line)
{
	struct nnved_conf *c = p->st->c;
	char buf[sizeof(c->control)];

	if (get_value(p, "control", buf, sizeof(buf)) < 0)
		return -1;
	if (buf[0] == '\0') {
		perr(p, line, "control: empty path");
		return -1;
	}
	memcpy(c->control, buf, sizeof(buf));
	return 0;
}

static int
st_log_level(struct parser *p, void *obj, int line)
{
	char buf[16];
	enum log_level l;

	if (get_value(p, "log-level", buf, sizeof(buf)) < 0)
		return -1;
	if (log_parse_level(buf, &l) < 0) {
		perr(p, line, "log-level: '%s' is not debug, info, warn or err",
		    buf);
		return -1;
	}
	p->st->c->log_level = (int)l;
	return 0;
}

static int
st_evb(struct parser *p, void *obj, int line)
{
	static const struct {
		const char	*name;
		unsigned	max;
		size_t		off;
	} par[] = {
		{ "retries", 7, offsetof(struct nnved_conf, r) },
		{ "rte", 31, offsetof(struct nnved_conf, rte) },
		{ "rwd", 31, offsetof(struct nnved_conf, rwd) },
		{ "rka", 31, offsetof(struct nnved_conf, rka) },
	};
	unsigned seen = 0, i;
	uint64_t v;
	char what[16];

	if (at_end(p)) {
		perr(p, line, "evb: retries, rte, rwd or rka expected");
		return -1;
	}
	while (!at_end(p)) {
		for (i = 0; i < 4; i++)
			if (p->tok.type == T_WORD &&
			    strcmp(p->tok.s, par[i].name) == 0)
				break;
		if (i == 4) {
			perr(p, p->tok.line, "evb: unknown parameter '%s'",
			    tokname(p));
			return -1;
		}
		lex(p);
		if (seen & (1u << i)) {
			perr(p, line, "evb: %s given twice", par[i].name);
			return -1;
		}
		seen |= 1u << i;
		snprintf(what, sizeof(what), "evb %s", par[i].name);
		if (get_num(p, what, 0, par[i].max, &v) < 0)
			return -1;
		*((uint8_t *)p->st->c + par[i].off) = (uint8_t)v;
	}
	return 0;
}

static int
st_extensions(struct parser *p, void *obj, int line)
{
	char buf[256];
	uint32_t caps;

	if (get_value(p, "extensions", buf, sizeof(buf)) < 0)
		return -1;
	if (nvo3_caps_parse(buf, &caps) < 0) {
		perr(p, line, "extensions: '%s' is not all, none or a list of "
		    "extension names", buf);
		return -1;
	}
	p->st->c->caps = caps;
	return 0;
}

static int
st_vids(struct parser *p, void *obj, int line)
{
	struct nnved_conf *c = p->st->c;

	return get_vids(p, "vids", &c->vid_lo, &c->vid_hi);
}

static int
st_max_vsi(struct parser *p, void *obj, int line)
{
	uint64_t v;

	if (get_num(p, "max-vsi", 1, 16777216, &v) < 0)
		return -1;
	p->st->c->max_vsi = (uint32_t)v;
	return 0;
}

static int
st_max_stations(struct parser *p, void *obj, int line)
{
	uint64_t v;

	if (get_num(p, "max-stations", 1, 1048576, &v) < 0)
		return -1;
	p->st->c->max_stations = (uint32_t)v;
	return 0;
}

/* Reads a whole file; 0 or -errno (-EFBIG past FILE_MAX). */
static int
read_file(const char *path, char **text, size_t *len)
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
			if (cap > FILE_MAX + 1)
				cap = FILE_MAX + 1;
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
	if (err == 0 && n > FILE_MAX)
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
include_file(struct parser *p, int line, const char *path)
{
	struct pstate *st = p->st;
	char *text, *name, **files, *real;
	size_t len;
	int rc;

	if (st->depth >= INCLUDE_DEPTH) {
		perr(p, line, "include %s: nested more than %d deep", path,
		    INCLUDE_DEPTH);
		return;
	}
	real = realpath(path, NULL);
	for (int i = 0; real != NULL && i <= st->depth; i++) {
		if (st->chain[i] != NULL && strcmp(st->chain[i], real) == 0) {
			perr(p, line, "include %s: includes itself", path);
			free(real);
			return;
		}
	}
	if ((rc = read_file(path, &text, &len)) < 0) {
		perr(p, line, "include %s: %s", path, strerror(-rc));
		free(real);
		return;
	}
	name = strdup(path);
	files = grow(st->files, st->nfiles, sizeof(*st->files));
	if (name == NULL || files == NULL) {
		perr(p, line, "out of memory");
		free(name);
		if (files != NULL)
			st->files = files;
		free(text);
		free(real);
		return;
	}
	st->files = files;
	st->files[st->nfiles++] = name;
	st->chain[++st->depth] = real;
	parse_text(st, name, text, len);
	st->chain[st->depth--] = NULL;
	free(real);
	free(text);
}

/* include "PATH": relative to the directory of the including file. */
static int
st_include(struct parser *p, void *obj, int line)
{
	char name[PATH_MAX], path[PATH_MAX];
	const char *slash;
	int n;

	if (get_value(p, "include", name, sizeof(name)) < 0)
		return -1;
	if (!at_end(p)) {
		perr(p, p->tok.line, "unexpected '%s'", tokname(p));
		return -1;
	}
	if (name[0] == '\0') {
		perr(p, line, "include: empty path");
		return -1;
	}
	slash = strrchr(p->file, '/');
	if (name[0] == '/' || slash == NULL)
		n = snprintf(path, sizeof(path), "%s", name);
	else
		n = snprintf(path, sizeof(path), "%.*s/%s",
		    (int)(slash - p->file), p->file, name);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		perr(p, line, "include: path too long");
		return 0;
	}
	include_file(p, line, path);
	return 0;
}

static const struct kw top_kw[] = {
	{ "control", st_control },
	{ "log-level", st_log_level },
	{ "evb", st_evb },
	{ "extensions", st_extensions },
	{ "vids", st_vids },
	{ "max-vsi", st_max_vsi },
	{ "max-stations", st_max_stations },
	{ "include", st_include },
	{ "domain", st_domain },
	{ "port", st_port },
	{ "key", st_key },
	{ "station", st_station },
	{ "vn", st_vn },
	{ NULL, NULL }
};

/* ---- driver ------------------------------------------------------------ */

static void
parse_text(struct pstate *st, const char *file, const char *text,
    size_t len)
{
	struct parser p;
	const char *nul;

	memset(&p, 0, sizeof(p));
	p.st = st;
	p.file = file;
	p.text = text;
	p.len = len;
	p.line = 1;
	if ((nul = memchr(text, '\0', len)) != NULL) {
		int line = 1;

		for (const char *s = text; s < nul; s++)
			line += *s == '\n';
		perr(&p, line, "NUL character in file");
		p.len = (size_t)(nul - text);
	}
	lex(&p);
	while (p.tok.type != T_EOF) {
		switch (p.tok.type) {
		case T_NL:
		case T_SEMI:
			lex(&p);
			break;
		case T_RBRACE:
			perr(&p, p.tok.line, "unexpected '}'");
			lex(&p);
			break;
		default:
			stmt(&p, top_kw, NULL);
			break;
		}
	}
}

/* The checks that needed the whole configuration. */
static void
resolve_refs(struct pstate *st)
{
	const struct nnved_conf *c = st->c;

	for (unsigned i = 0; i < st->nrefs; i++) {
		const struct ref *r = &st->refs[i];

		switch (r->kind) {
		case REF_DOMAIN:
			if (policy_domain(c, r->name) == NULL)
				serr(st, r->file, r->line, "%s: domain '%s' is "
				    "not defined", r->what, r->name);
			break;
		case REF_KEY:
			if (policy_key(c, r->id) == NULL)
				serr(st, r->file, r->line, "%s: key %u is not "
				    "defined", r->what, r->id);
			break;
		case REF_PORT:
			if (policy_port(c, r->name) == NULL)
				serr(st, r->file, r->line, "%s: port '%s' is "
				    "not configured", r->what, r->name);
			break;
		}
	}
}

static int
parse_root(const char *name, const char *text, size_t len,
    struct nnved_conf *c)
{
	struct pstate st;
	int errors;

	memset(&st, 0, sizeof(st));
	st.c = c;
	st.chain[0] = realpath(name, NULL);
	parse_text(&st, name, text, len);
	resolve_refs(&st);
	errors = st.errors;
	free(st.chain[0]);
	for (unsigned i = 0; i < st.nfiles; i++)
		free(st.files[i]);
	free(st.files);
	free(st.refs);
	if (errors > 0)
		nnved_conf_free(c);
	return errors;
}

void
nnved_conf_init(struct nnved_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->control, sizeof(c->control), "%s", NNVED_SOCK_DEFAULT);
	c->log_level = -1;
	c->r = EVB_DEFAULT_R;
	c->rte = EVB_DEFAULT_RTE;
	c->rwd = EVB_DEFAULT_RWD;
	c->rka = EVB_DEFAULT_RKA;
	c->caps = NVO3_CAP_ALL;
	c->vid_lo = NNVED_VID_LO_DEFAULT;
	c->vid_hi = NNVED_VID_HI_DEFAULT;
	c->max_vsi = NNVED_MAX_VSI_DEFAULT;
	c->max_stations = NNVED_MAX_STATIONS_DEFAULT;
}

void
nnved_conf_free(struct nnved_conf *c)
{
	for (unsigned i = 0; i < c->nports; i++)
		free(c->ports[i].vlans);
	for (unsigned i = 0; i < c->nstations; i++)
		free(c->stations[i].vns);
	for (unsigned i = 0; i < c->nvns; i++)
		free(c->vns[i].allow);
	if (c->keys != NULL)
		explicit_bzero(c->keys, c->nkeys * sizeof(*c->keys));
	free(c->domains);
	free(c->ports);
	free(c->keys);
	free(c->stations);
	free(c->vns);
	nnved_conf_init(c);
}

int
nnved_conf_parse(const char *path, struct nnved_conf *c)
{
	char *text;
	size_t len;
	int rc;

	nnved_conf_init(c);
	if ((rc = read_file(path, &text, &len)) < 0) {
		log_warn("%s: %s", path, strerror(-rc));
		return rc;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	rc = parse_root(path, text, len, c);
	free(text);
	return rc;
}

int
nnved_conf_parse_string(const char *text, const char *name,
    struct nnved_conf *c)
{
	nnved_conf_init(c);
	snprintf(c->path, sizeof(c->path), "%s", name);
	return parse_root(name, text, strlen(text), c);
}
