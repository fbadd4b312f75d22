/*
 * nvectl_cmd.c - nvectl's command table, request builder, usage text and
 * reply renderer (nvectl_cmd.h).
 *
 * Pure: no sockets, no files, no exit; any thread.  nvectl.c calls it
 * between the options and the socket; the unit test calls it directly.
 * The request field names and the row field names are the contract with
 * each daemon's control.c (nnved: daemons/nnved/control.c).
 *
 * Words are matched whole: "sho" is not "show".  A prefix that is unique
 * today stops being unique when a verb is added, and scripts break.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvectl_cmd.h"

#define JSON_OUT_FLAGS	(JSON_INDENT(2) | JSON_REAL_PRECISION(15))

const struct nvectl_daemon nvectl_nnved = {
	"nnved", "/run/splitnve/nnved.sock"
};

#define ARG_END		{ NULL, NULL, NULL, 0, 0, 0, 0 }
#define COL_END		{ NULL, NULL }

const struct nvectl_cmd nvectl_cmds[] = {
	{ "station", "show", &nvectl_nnved, "show", "stations",
	    { ARG_END }, NVECTL_OUT_TABLE, {
		{ "port", "PORT" }, { "mac", "STATION" }, { "auth", "AUTH" },
		{ "vsis", "VSIS" }, { "age", "AGE" }, { "idle", "IDLE" },
		{ "ecp_tx_pdus", "TX" }, { "ecp_rx_pdus", "RX" },
		{ "ecp_retrans", "RETRANS" }, { "auth_fail", "AUTHFAIL" },
		{ "refused", "REFUSED" }, COL_END },
	    "stations (end devices) on every port" },
	{ "vn", "show", &nvectl_nnved, "show", "vns",
	    { ARG_END }, NVECTL_OUT_TABLE, {
		{ "domain", "DOMAIN" }, { "vn", "VN" },
		{ "context", "CONTEXT" }, { "state", "STATE" },
		{ "tags", "TAGS" }, { "num_tsi", "TSIS" },
		{ "pinned", "PINNED" }, { "age", "AGE" }, COL_END },
	    "VN attachments (VAPs) per domain" },
	{ "vn", "connect", &nvectl_nnved, "vn-connect", NULL, {
		{ NULL, "DOMAIN", "domain", NVECTL_ARG_STRING, 0, 0, 0 },
		{ NULL, "VN", "vn", NVECTL_ARG_UINT, 1, 0xffffff, 0 },
		{ "vid", "VID", "vid", NVECTL_ARG_UINT, 0, 4094,
		    NVECTL_ARG_OPTIONAL },
		ARG_END }, NVECTL_OUT_LIST, {
		{ "vid", "vid" }, COL_END },
	    "pin VN on DOMAIN (no VID or 0: assign one)" },
	{ "vn", "disconnect", &nvectl_nnved, "vn-disconnect", NULL, {
		{ NULL, "DOMAIN", "domain", NVECTL_ARG_STRING, 0, 0, 0 },
		{ NULL, "VN", "vn", NVECTL_ARG_UINT, 1, 0xffffff, 0 },
		ARG_END }, NVECTL_OUT_NONE, { COL_END },
	    "unpin VN on DOMAIN, de-associate its TSIs" },
	{ "tsi", "show", &nvectl_nnved, "show", "tsis", {
		{ "vn", "VN", "vn", NVECTL_ARG_UINT, 1, 0xffffff,
		    NVECTL_ARG_OPTIONAL | NVECTL_ARG_FILTER },
		{ "port", "IF", "port", NVECTL_ARG_STRING, 0, 0,
		    NVECTL_ARG_OPTIONAL | NVECTL_ARG_FILTER },
		ARG_END }, NVECTL_OUT_TABLE, {
		{ "port", "PORT" }, { "station", "STATION" },
		{ "vsiid", "VSIID" }, { "vn", "VN" }, { "vid", "VID" },
		{ "state", "STATE" }, { "vdp_state", "VDP" },
		{ "addresses", "ADDRESSES" }, { "migration", "MIGRATION" },
		{ "age", "AGE" }, COL_END },
	    "tenant system interfaces (one per VSI)" },
	{ "tsi", "deassociate", &nvectl_nnved, "tsi-deassociate", NULL, {
		{ NULL, "VSIID", "vsiid", NVECTL_ARG_STRING, 0, 0, 0 },
		{ "port", "IF", "port", NVECTL_ARG_STRING, 0, 0,
		    NVECTL_ARG_OPTIONAL },
		ARG_END }, NVECTL_OUT_LIST, {
		{ "deassociated", "deassociated" }, COL_END },
	    "de-associate the VSI(s) with this VSI ID" },
	{ "port", "show", &nvectl_nnved, "show", "ports",
	    { ARG_END }, NVECTL_OUT_TABLE, {
		{ "name", "PORT" }, { "domain", "DOMAIN" }, { "open", "OPEN" },
		{ "lldp_peer", "PEER" }, { "evb", "EVB" },
		{ "caps", "CAPS" }, { "stations", "STATIONS" },
		{ "rx_frames", "RX" }, { "rx_bad", "RXBAD" },
		{ "tx_frames", "TX" }, { "tx_errors", "TXERR" }, COL_END },
	    "downlink ports, LLDP/EVB peer, counters" },
	{ "counters", "show", &nvectl_nnved, "show", "counters",
	    { ARG_END }, NVECTL_OUT_LIST, { COL_END },
	    "daemon-wide counters and totals" },
	{ "daemon", "reload", &nvectl_nnved, "reload", NULL,
	    { ARG_END }, NVECTL_OUT_NONE, { COL_END },
	    "re-read the configuration (as SIGHUP)" },
};
const size_t nvectl_ncmds = sizeof(nvectl_cmds) / sizeof(nvectl_cmds[0]);

/* ---- buffer ----------------------------------------------------------- */

void
nvectl_buf_free(struct nvectl_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void
buf_vprintf(struct nvectl_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (b->oom)
		return;
	va_copy(aq, ap);
	n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0,
	    fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (b->p == NULL || b->len + (size_t)n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 256;
		char *np;

		while (ncap < b->len + (size_t)n + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void
nvectl_buf_printf(struct nvectl_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* ---- command line -> request ------------------------------------------ */

static bool
arg_end(const struct nvectl_arg *a)
{
	return a->meta == NULL;
}

static void
errf(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
errf(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* The objects (first == NULL) or the verbs of object, comma-separated. */
static void
valid_words(const char *object, char *out, size_t sz)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < nvectl_ncmds; i++) {
		const struct nvectl_cmd *c = &nvectl_cmds[i];
		const char *w = object ? c->verb : c->object;
		bool seen = false;
		int n;

		if (object != NULL && strcmp(c->object, object) != 0)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			if (object == NULL &&
			    strcmp(nvectl_cmds[j].object, w) == 0)
				seen = true;
		if (seen || o >= sz)
			continue;
		n = snprintf(out + o, sz - o, "%s%s", o ? ", " : "", w);
		if (n > 0)
			o += (size_t)n;
	}
}

static int
parse_uint(const struct nvectl_arg *a, const char *s, unsigned long *v,
    char *err, size_t errsz)
{
	char *end;

	if (*s < '0' || *s > '9')
		goto bad;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *v < a->min || *v > a->max)
		goto bad;
	return 0;
bad:
	errf(err, errsz, "%s must be a number in %lu..%lu, not \"%s\"",
	    a->meta, a->min, a->max, s);
	return -EINVAL;
}

/* Puts one argument's value into the request or the filters. */
static int
take_arg(struct nvectl_req *r, const struct nvectl_arg *a, const char *s,
    char *err, size_t errsz)
{
	unsigned long v = 0;

	if (a->type == NVECTL_ARG_UINT && parse_uint(a, s, &v, err, errsz) < 0)
		return -EINVAL;
	if (a->type == NVECTL_ARG_STRING && *s == '\0') {
		errf(err, errsz, "%s must not be empty", a->meta);
		return -EINVAL;
	}
	if (a->flags & NVECTL_ARG_FILTER) {
		struct nvectl_filter *f = &r->filters[r->nfilters++];

		f->arg = a;
		f->text = s;
		f->num = v;
		return 0;
	}
	json_object_set_new(r->request, a->field,
	    a->type == NVECTL_ARG_UINT ? json_integer((json_int_t)v) :
	    json_string(s));
	return 0;
}

int
nvectl_parse(int argc, char *const argv[], struct nvectl_req *r,
    char *err, size_t errsz)
{
	const struct nvectl_cmd *c = NULL;
	const struct nvectl_arg *a;
	bool object_known = false, given[NVECTL_MAX_ARGS] = { false };
	char valid[256];
	int i;

	memset(r, 0, sizeof(*r));
	if (argc < 1) {
		errf(err, errsz, "missing OBJECT");
		return -EINVAL;
	}
	for (size_t k = 0; k < nvectl_ncmds; k++) {
		if (strcmp(nvectl_cmds[k].object, argv[0]) != 0)
			continue;
		object_known = true;
		if (argc >= 2 && strcmp(nvectl_cmds[k].verb, argv[1]) == 0)
			c = &nvectl_cmds[k];
	}
	if (!object_known) {
		valid_words(NULL, valid, sizeof(valid));
		errf(err, errsz, "unknown object \"%s\" (valid: %s)", argv[0],
		    valid);
		return -EINVAL;
	}
	if (c == NULL) {
		valid_words(argv[0], valid, sizeof(valid));
		if (argc < 2)
			errf(err, errsz, "%s: missing VERB (valid: %s)",
			    argv[0], valid);
		else
			errf(err, errsz, "%s: unknown verb \"%s\" (valid: %s)",
			    argv[0], argv[1], valid);
		return -EINVAL;
	}
	r->cmd = c;
	r->request = json_object();
	if (r->request == NULL) {
		errf(err, errsz, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	json_object_set_new(r->request, "cmd", json_string(c->cmd));
	if (c->table != NULL)
		json_object_set_new(r->request, "table",
		    json_string(c->table));

	i = 2;
	for (a = c->args; !arg_end(a) && a->keyword == NULL; a++) {
		if (i >= argc) {
			errf(err, errsz, "%s %s: missing %s", c->object,
			    c->verb, a->meta);
			goto fail;
		}
		if (take_arg(r, a, argv[i++], err, errsz) < 0)
			goto fail;
	}
	while (i < argc) {
		const struct nvectl_arg *k = NULL;

		for (a = c->args; !arg_end(a); a++)
			if (a->keyword != NULL &&
			    strcmp(a->keyword, argv[i]) == 0)
				k = a;
		if (k == NULL) {
			size_t o = 0;

			valid[0] = '\0';
			for (a = c->args; !arg_end(a); a++)
				if (a->keyword != NULL && o < sizeof(valid))
					o += (size_t)snprintf(valid + o,
					    sizeof(valid) - o, "%s%s",
					    o ? ", " : "", a->keyword);
			errf(err, errsz, "%s %s: unexpected \"%s\"%s%s%s",
			    c->object, c->verb, argv[i],
			    o ? " (valid: " : "", valid, o ? ")" : "");
			goto fail;
		}
		if (given[k - c->args]) {
			errf(err, errsz, "%s %s: %s given twice", c->object,
			    c->verb, k->keyword);
			goto fail;
		}
		given[k - c->args] = true;
		if (i + 1 >= argc) {
			errf(err, errsz, "%s %s: %s needs %s", c->object,
			    c->verb, k->keyword, k->meta);
			goto fail;
		}
		if (take_arg(r, k, argv[i + 1], err, errsz) < 0)
			goto fail;
		i += 2;
	}
	return 0;
fail:
	nvectl_req_free(r);
	return -EINVAL;
}

void
nvectl_req_free(struct nvectl_req *r)
{
	json_decref(r->request);
	memset(r, 0, sizeof(*r));
}

void
nvectl_usage(struct nvectl_buf *out)
{
	nvectl_buf_printf(out, "usage: nvectl [-s PATH | --socket PATH] "
	    "[--json] [-h | --help]\n              OBJECT VERB [ARGS]\n\n");
	for (size_t i = 0; i < nvectl_ncmds; i++) {
		const struct nvectl_cmd *c = &nvectl_cmds[i];
		struct nvectl_buf line = { 0 };

		nvectl_buf_printf(&line, "%s %s", c->object, c->verb);
		for (const struct nvectl_arg *a = c->args; !arg_end(a); a++) {
			if (a->keyword == NULL)
				nvectl_buf_printf(&line, " %s", a->meta);
			else
				nvectl_buf_printf(&line, " [%s %s]",
				    a->keyword, a->meta);
		}
		nvectl_buf_printf(out, "  %-32s %s\n", line.p ? line.p : "",
		    c->help);
		nvectl_buf_free(&line);
	}
	nvectl_buf_printf(out, "\nThe socket is PATH, else $NVECTL_SOCKET, "
	    "else %s.\n", nvectl_nnved.sock);
}

/* ---- reply -> output -------------------------------------------------- */

/* One value as text (see nvectl_render). */
static void
cell(struct nvectl_buf *b, const json_t *v)
{
	size_t i, n = 0;
	const char *k;
	json_t *e;

	switch (json_typeof(v)) {
	case JSON_STRING:
		nvectl_buf_printf(b, "%s", json_string_value(v));
		break;
	case JSON_INTEGER:
		nvectl_buf_printf(b, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		nvectl_buf_printf(b, "%.3f", json_real_value(v));
		break;
	case JSON_TRUE:
		nvectl_buf_printf(b, "yes");
		break;
	case JSON_FALSE:
		nvectl_buf_printf(b, "no");
		break;
	case JSON_ARRAY:
		if (json_array_size(v) == 0)
			nvectl_buf_printf(b, "-");
		json_array_foreach(v, i, e) {
			if (i > 0)
				nvectl_buf_printf(b, ",");
			cell(b, e);
		}
		break;
	case JSON_OBJECT:
		if (json_object_size(v) == 0)
			nvectl_buf_printf(b, "-");
		json_object_foreach((json_t *)v, k, e) {
			nvectl_buf_printf(b, "%s%s=", n++ ? "," : "", k);
			cell(b, e);
		}
		break;
	case JSON_NULL:
	default:
		nvectl_buf_printf(b, "-");
		break;
	}
}

/* The text of row[field] in a fresh buffer ("-" when missing). */
static char *
cell_text(const json_t *row, const char *field)
{
	struct nvectl_buf b = { 0 };
	const json_t *v = json_object_get(row, field);

	if (v == NULL)
		nvectl_buf_printf(&b, "-");
	else
		cell(&b, v);
	if (b.oom || b.p == NULL) {
		nvectl_buf_free(&b);
		return strdup("?");
	}
	return b.p;
}

static bool
row_passes(const struct nvectl_req *r, const json_t *row)
{
	for (unsigned i = 0; i < r->nfilters; i++) {
		const struct nvectl_filter *f = &r->filters[i];
		const json_t *v = json_object_get(row, f->arg->field);

		if (f->arg->type == NVECTL_ARG_UINT) {
			if (!json_is_integer(v) || json_integer_value(v) !=
			    (json_int_t)f->num)
				return false;
		} else if (!json_is_string(v) ||
		    strcmp(json_string_value(v), f->text) != 0)
			return false;
	}
	return true;
}

static void
render_table(const struct nvectl_cmd *c, const json_t *rows,
    struct nvectl_buf *out)
{
	size_t ncols = 0, nrows = json_array_size(rows);
	size_t width[NVECTL_MAX_COLS];
	char **cells;

	while (ncols < NVECTL_MAX_COLS && c->cols[ncols].field != NULL)
		ncols++;
	if (ncols == 0)
		return;
	cells = calloc(nrows * ncols + 1, sizeof(*cells));
	if (cells == NULL) {
		out->oom = true;
		return;
	}
	for (size_t j = 0; j < ncols; j++)
		width[j] = strlen(c->cols[j].header);
	for (size_t i = 0; i < nrows; i++) {
		for (size_t j = 0; j < ncols; j++) {
			char *t = cell_text(json_array_get(rows, i),
			    c->cols[j].field);

			cells[i * ncols + j] = t;
			if (t != NULL && strlen(t) > width[j])
				width[j] = strlen(t);
		}
	}
	for (size_t i = 0; i <= nrows; i++) {
		for (size_t j = 0; j < ncols; j++) {
			const char *t = i == 0 ? c->cols[j].header :
			    cells[(i - 1) * ncols + j];

			if (t == NULL)
				t = "?";
			if (j + 1 < ncols)
				nvectl_buf_printf(out, "%-*s  ", (int)width[j],
				    t);
			else
				nvectl_buf_printf(out, "%s\n", t);
		}
	}
	for (size_t i = 0; i < nrows * ncols; i++)
		free(cells[i]);
	free(cells);
}

/* "name  value" lines of one object: the listed columns, else all. */
static void
render_list(const struct nvectl_cmd *c, const json_t *o,
    struct nvectl_buf *out)
{
	size_t w = 0, len;
	const char *k;
	json_t *v;

	if (c->cols[0].field != NULL) {
		for (size_t j = 0; j < NVECTL_MAX_COLS && c->cols[j].field;
		    j++)
			if ((len = strlen(c->cols[j].header)) > w)
				w = len;
		for (size_t j = 0; j < NVECTL_MAX_COLS && c->cols[j].field;
		    j++) {
			char *t = cell_text(o, c->cols[j].field);

			nvectl_buf_printf(out, "%-*s  %s\n", (int)w,
			    c->cols[j].header, t ? t : "?");
			free(t);
		}
		return;
	}
	json_object_foreach((json_t *)o, k, v)
		if ((len = strlen(k)) > w)
			w = len;
	json_object_foreach((json_t *)o, k, v) {
		char *t = cell_text(o, k);

		nvectl_buf_printf(out, "%-*s  %s\n", (int)w, k, t ? t : "?");
		free(t);
	}
}

static void
render_json(const json_t *v, struct nvectl_buf *out)
{
	char *text = json_dumps(v, JSON_OUT_FLAGS | JSON_ENCODE_ANY);

	if (text == NULL) {
		out->oom = true;
		return;
	}
	nvectl_buf_printf(out, "%s\n", text);
	free(text);
}

int
nvectl_render(const struct nvectl_req *r, const json_t *reply, bool json,
    struct nvectl_buf *out, char *err, size_t errsz)
{
	const struct nvectl_cmd *c = r->cmd;
	const json_t *ok = json_object_get(reply, "ok");
	json_t *rows, *row, *res;
	size_t i;

	if (!json_is_object(reply) || !json_is_boolean(ok)) {
		errf(err, errsz, "bad reply from %s: no \"ok\"",
		    c->daemon->name);
		return -EPROTO;
	}
	if (!json_is_true(ok)) {
		const char *e = json_string_value(json_object_get(reply,
		    "error"));

		errf(err, errsz, "%s", e ? e : "failed (no reason given)");
		return -EREMOTEIO;
	}
	if (c->table == NULL) {
		res = json_object_get(reply, "result");
		if (res != NULL && !json_is_object(res)) {
			errf(err, errsz, "bad reply from %s: \"result\" is "
			    "not an object", c->daemon->name);
			return -EPROTO;
		}
		if (json) {
			json_t *empty = json_object();

			render_json(res ? res : empty, out);
			json_decref(empty);
		} else if (c->layout == NVECTL_OUT_LIST && res != NULL)
			render_list(c, res, out);
		return 0;
	}
	if (!json_is_array(json_object_get(reply, "rows"))) {
		errf(err, errsz, "bad reply from %s: no \"rows\" array",
		    c->daemon->name);
		return -EPROTO;
	}
	rows = json_array();
	if (rows == NULL) {
		errf(err, errsz, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	json_array_foreach(json_object_get(reply, "rows"), i, row) {
		if (!json_is_object(row)) {
			json_decref(rows);
			errf(err, errsz, "bad reply from %s: row %zu is not "
			    "an object", c->daemon->name, i);
			return -EPROTO;
		}
		if (row_passes(r, row))
			json_array_append(rows, row);
	}
	if (json)
		render_json(rows, out);
	else if (c->layout == NVECTL_OUT_TABLE)
		render_table(c, rows, out);
	else if (c->layout == NVECTL_OUT_LIST) {
		json_array_foreach(rows, i, row) {
			if (i > 0)
				nvectl_buf_printf(out, "\n");
			render_list(c, row, out);
		}
	}
	json_decref(rows);
	return 0;
}
