/*
 * nvectl_cmd.c - nvectl's command table, request builder, usage text and
 * reply renderer (nvectl_cmd.h).
 *
 * Pure: no sockets, no files, no exit; any thread.  nvectl.c calls it
 * between the options and the socket; the unit test calls it directly.
 * The request field names and the row field names are the contract with
 * each daemon's control.c (nnved: daemons/nnved/control.c; tnved:
 * daemons/tnved/control.c, whose requests and rows are listed in
 * daemons/tnved/tnved.h and docs/nvectl.8; nvad: daemons/nvad/control.c).
 *
 * Words are matched whole: "sho" is not "show".  A prefix that is unique
 * today stops being unique when a verb is added, and scripts break.  A
 * verb may be several words ("tsi addr add"): each is matched whole.
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
const struct nvectl_daemon nvectl_tnved = {
	"tnved", "/run/splitnve/tnved.sock"
};
/* NVAD_DEFAULT_CONTROL of daemons/nvad/nvad.h */
const struct nvectl_daemon nvectl_nvad = {
	"nvad", "/run/splitnve/nvad.sock"
};

#define ARG_END		{ NULL, NULL, NULL, 0, 0, 0, 0 }
#define COL_END		{ NULL, NULL }

/* tnved's TSI rows: "tsi show" and the "tsis" of every vm-* result. */
#define TNVED_TSI_COLS \
	{ "vm", "VM" }, { "tsi", "TSI" }, { "port", "PORT" }, \
	{ "mac", "MAC" }, { "vn", "VN" }, { "ips", "IPS" }, \
	{ "nve", "NVE" }, { "status", "STATUS" }, { "mode", "MODE" }, \
	{ "vdp", "VDP" }, { "vid", "VID" }, { "code", "CODE" }, \
	{ "since", "SINCE" }, COL_END

/* The one-TSI form of vm define / incoming / cold-in. */
#define VM_SPEC_ARGS \
	{ NULL, "NAME", "name", NVECTL_ARG_STRING, 0, 0, NVECTL_ARG_SPEC }, \
	{ "port", "IF", "port", NVECTL_ARG_STRING, 0, 0, NVECTL_ARG_TSI }, \
	{ "mac", "MAC", "mac", NVECTL_ARG_STRING, 0, 0, NVECTL_ARG_TSI }, \
	{ "vn", "VN", "vn", NVECTL_ARG_UINT, 1, 0xffffff, NVECTL_ARG_TSI }, \
	{ "ip", "A,B..", "ips", NVECTL_ARG_LIST, 0, 0, \
	    NVECTL_ARG_TSI | NVECTL_ARG_OPTIONAL }, \
	{ "vsiid", "UUID", "vsiid", NVECTL_ARG_STRING, 0, 0, \
	    NVECTL_ARG_TSI | NVECTL_ARG_OPTIONAL }, \
	{ "uuid", "UUID", "uuid", NVECTL_ARG_STRING, 0, 0, \
	    NVECTL_ARG_SPEC | NVECTL_ARG_OPTIONAL }

#define VM_NAME_ARG \
	{ NULL, "NAME", "name", NVECTL_ARG_STRING, 0, 0, 0 }

/* A tnved lifecycle command on a VM named by NAME. */
#define VM_OP(verb_, cmd_, help_) \
	{ "vm", verb_, &nvectl_tnved, cmd_, NULL, \
	    { VM_NAME_ARG, ARG_END }, NVECTL_OUT_VM, { TNVED_TSI_COLS }, \
	    help_, false }

const struct nvectl_cmd nvectl_cmds[] = {
	/* ---- nnved: the External NVE ---- */
	{ "station", "show", &nvectl_nnved, "show", "stations",
	    { ARG_END }, NVECTL_OUT_TABLE, {
		{ "port", "PORT" }, { "mac", "STATION" }, { "auth", "AUTH" },
		{ "vsis", "VSIS" }, { "age", "AGE" }, { "idle", "IDLE" },
		{ "ecp_tx_pdus", "TX" }, { "ecp_rx_pdus", "RX" },
		{ "ecp_retrans", "RETRANS" }, { "auth_fail", "AUTHFAIL" },
		{ "refused", "REFUSED" }, COL_END },
	    "stations (end devices) on every port", false },
	{ "vn", "show", &nvectl_nnved, "show", "vns",
	    { ARG_END }, NVECTL_OUT_TABLE, {
		{ "domain", "DOMAIN" }, { "vn", "VN" },
		{ "context", "CONTEXT" }, { "state", "STATE" },
		{ "tags", "TAGS" }, { "num_tsi", "TSIS" },
		{ "pinned", "PINNED" }, { "age", "AGE" }, COL_END },
	    "VN attachments (VAPs) per domain", false },
	{ "vn", "connect", &nvectl_nnved, "vn-connect", NULL, {
		{ NULL, "DOMAIN", "domain", NVECTL_ARG_STRING, 0, 0, 0 },
		{ NULL, "VN", "vn", NVECTL_ARG_UINT, 1, 0xffffff, 0 },
		{ "vid", "VID", "vid", NVECTL_ARG_UINT, 0, 4094,
		    NVECTL_ARG_OPTIONAL },
		ARG_END }, NVECTL_OUT_LIST, {
		{ "vid", "vid" }, COL_END },
	    "pin VN on DOMAIN (no VID or 0: assign one)", false },
	{ "vn", "disconnect", &nvectl_nnved, "vn-disconnect", NULL, {
		{ NULL, "DOMAIN", "domain", NVECTL_ARG_STRING, 0, 0, 0 },
		{ NULL, "VN", "vn", NVECTL_ARG_UINT, 1, 0xffffff, 0 },
		ARG_END }, NVECTL_OUT_NONE, { COL_END },
	    "unpin VN on DOMAIN, de-associate its TSIs", false },
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
		{ "authorized", "AUTH" }, { "age", "AGE" }, COL_END },
	    "tenant system interfaces (one per VSI)", false },
	{ "tsi", "deassociate", &nvectl_nnved, "tsi-deassociate", NULL, {
		{ NULL, "VSIID", "vsiid", NVECTL_ARG_STRING, 0, 0, 0 },
		{ "port", "IF", "port", NVECTL_ARG_STRING, 0, 0,
		    NVECTL_ARG_OPTIONAL },
		ARG_END }, NVECTL_OUT_LIST, {
		{ "deassociated", "deassociated" }, COL_END },
	    "de-associate the VSI(s) with this VSI ID", false },
	{ "port", "show", &nvectl_nnved, "show", "ports",
	    { ARG_END }, NVECTL_OUT_TABLE, {
		{ "name", "PORT" }, { "domain", "DOMAIN" }, { "open", "OPEN" },
		{ "lldp_peer", "PEER" }, { "evb", "EVB" },
		{ "caps", "CAPS" }, { "stations", "STATIONS" },
		{ "rx_frames", "RX" }, { "rx_bad", "RXBAD" },
		{ "tx_frames", "TX" }, { "tx_errors", "TXERR" }, COL_END },
	    "downlink ports, LLDP/EVB peer, counters", false },
	{ "counters", "show", &nvectl_nnved, "show", "counters",
	    { ARG_END }, NVECTL_OUT_LIST, { COL_END },
	    "daemon-wide counters and totals", false },
	{ "daemon", "reload", &nvectl_nnved, "reload", NULL,
	    { ARG_END }, NVECTL_OUT_NONE, { COL_END },
	    "re-read the configuration (as SIGHUP)", false },
	/* nnved as a client of nvad (its nva block) */
	{ "nva", "show", &nvectl_nnved, "nva-show", NULL,
	    { ARG_END }, NVECTL_OUT_SUMMARY, {
		{ "vn", "VN" }, { "tsis", "TSIS" }, { "synced", "SYNCED" },
		COL_END },
	    "NVA session: state, revision, VNs, counters", false },
	{ "fib", "show", &nvectl_nnved, "fib-show", NULL, {
		{ NULL, "VN", "vn", NVECTL_ARG_UINT, 1, 0xffffff,
		    NVECTL_ARG_OPTIONAL },
		ARG_END }, NVECTL_OUT_ROWS, {
		{ "vn", "VN" }, { "addr", "ADDR" }, { "mac", "MAC" },
		{ "nve", "NVE" }, { "underlay", "UNDERLAY" },
		{ "state", "STATE" }, { "seq", "SEQ" }, { "rev", "REV" },
		{ "frozen", "FROZEN" }, { "queried", "QUERIED" },
		{ "age", "AGE" }, COL_END },
	    "local copy of the directory (subscribed VNs)", false },
	{ "fib", "lookup", &nvectl_nnved, "fib-lookup", NULL, {
		{ NULL, "VN", "vn", NVECTL_ARG_UINT, 1, 0xffffff, 0 },
		{ NULL, "ADDR", "addr", NVECTL_ARG_STRING, 0, 0, 0 },
		ARG_END }, NVECTL_OUT_LIST, { COL_END },
	    "local copy, else ask the NVA", false },

	/* ---- tnved: the hypervisor ---- */
	{ "vm", "show", &nvectl_tnved, "show", "vms",
	    { ARG_END }, NVECTL_OUT_TABLE, {
		{ "name", "NAME" }, { "state", "STATE" },
		{ "migration", "MIGRATION" }, { "hold", "HOLD" },
		{ "arrived", "ARRIVED" }, { "tsis", "TSIS" }, { "op", "OP" },
		{ "since", "SINCE" }, COL_END },
	    "VMs: lifecycle state, what the NVE holds", false },
	{ "vm", "define", &nvectl_tnved, "vm-define", NULL,
	    { VM_SPEC_ARGS, ARG_END }, NVECTL_OUT_VM, { TNVED_TSI_COLS },
	    "new VM, shut down; associate its TSIs", true },
	{ "vm", "incoming", &nvectl_tnved, "vm-incoming", NULL, {
		VM_SPEC_ARGS,
		{ "from", "HOST", "from", NVECTL_ARG_STRING, 0, 0,
		    NVECTL_ARG_OPTIONAL },
		ARG_END }, NVECTL_OUT_VM, { TNVED_TSI_COLS },
	    "live migration destination: associate (M)", true },
	{ "vm", "cold-in", &nvectl_tnved, "vm-cold-in", NULL,
	    { VM_SPEC_ARGS, ARG_END }, NVECTL_OUT_VM, { TNVED_TSI_COLS },
	    "cold migration destination: associate (M)", true },
	VM_OP("start", "vm-start", "activate the TSIs, then running"),
	VM_OP("pause", "vm-pause", "paused (no change at the NVE)"),
	VM_OP("suspend", "vm-suspend", "deactivate the TSIs, suspended"),
	VM_OP("resume", "vm-resume", "running again (activate if suspended)"),
	VM_OP("shutdown", "vm-shutdown", "de-associate the TSIs, shut down"),
	VM_OP("destroy", "vm-destroy", "de-associate and forget the VM"),
	{ "vm", "migrate", &nvectl_tnved, "vm-migrate", NULL, {
		VM_NAME_ARG,
		{ "to", "HOST", "to", NVECTL_ARG_STRING, 0, 0,
		    NVECTL_ARG_OPTIONAL },
		ARG_END }, NVECTL_OUT_VM, { TNVED_TSI_COLS },
	    "live migration source: migrating out", false },
	VM_OP("migrate-done", "vm-migrate-done",
	    "destination runs it: de-associate (S)"),
	VM_OP("migrate-abort", "vm-migrate-abort",
	    "roll a live migration back"),
	VM_OP("cold-out", "vm-cold-out",
	    "cold migration source: de-associate (S)"),
	{ "tsi", "show", &nvectl_tnved, "show", "tsis", {
		{ "vm", "NAME", "vm", NVECTL_ARG_STRING, 0, 0,
		    NVECTL_ARG_OPTIONAL | NVECTL_ARG_FILTER },
		{ "vn", "VN", "vn", NVECTL_ARG_UINT, 1, 0xffffff,
		    NVECTL_ARG_OPTIONAL | NVECTL_ARG_FILTER },
		{ "nve", "NVE", "nve", NVECTL_ARG_STRING, 0, 0,
		    NVECTL_ARG_OPTIONAL | NVECTL_ARG_FILTER },
		ARG_END }, NVECTL_OUT_TABLE, { TNVED_TSI_COLS },
	    "VM TSIs, one row per NVE binding", false },
	{ "tsi", "addr add", &nvectl_tnved, "tsi-addr-add", NULL, {
		VM_NAME_ARG,
		{ NULL, "TSI", "tsi", NVECTL_ARG_UINT, 0, 255, 0 },
		{ NULL, "ADDR", "addr", NVECTL_ARG_STRING, 0, 0, 0 },
		ARG_END }, NVECTL_OUT_VM, { TNVED_TSI_COLS },
	    "add a MAC, IP or IP@MAC to a TSI", false },
	{ "tsi", "addr del", &nvectl_tnved, "tsi-addr-del", NULL, {
		VM_NAME_ARG,
		{ NULL, "TSI", "tsi", NVECTL_ARG_UINT, 0, 255, 0 },
		{ NULL, "ADDR", "addr", NVECTL_ARG_STRING, 0, 0, 0 },
		ARG_END }, NVECTL_OUT_VM, { TNVED_TSI_COLS },
	    "remove an address from a TSI", false },
	{ "nve", "show", &nvectl_tnved, "show", "nves",
	    { ARG_END }, NVECTL_OUT_TABLE, {
		{ "name", "NVE" }, { "interface", "IF" }, { "peer", "PEER" },
		{ "health", "HEALTH" }, { "why", "WHY" }, { "caps", "CAPS" },
		{ "binds", "BINDS" }, { "rx_frames", "RX" },
		{ "tx_frames", "TX" }, { "tx_giveups", "GIVEUPS" },
		{ "auth_fail", "AUTHFAIL" }, { "downs", "DOWNS" },
		{ "since", "SINCE" }, COL_END },
	    "External NVEs: health, extensions, counters", false },
	{ "counters", "show", &nvectl_tnved, "show", "counters",
	    { ARG_END }, NVECTL_OUT_LIST, { COL_END },
	    "daemon-wide counters and totals", false },
	{ "daemon", "reload", &nvectl_tnved, "reload", NULL,
	    { ARG_END }, NVECTL_OUT_NONE, { COL_END },
	    "re-read the configuration (as SIGHUP)", false },

	/* ---- nvad: the NVA (after tnved: "nve show" stays tnved's) ---- */
	{ "nve", "show", &nvectl_nvad, "show", "nves",
	    { ARG_END }, NVECTL_OUT_TABLE, {
		{ "name", "NVE" }, { "index", "INDEX" },
		{ "connected", "CONNECTED" }, { "underlay", "UNDERLAY" },
		{ "owned", "OWNED" }, { "reports", "REPORTS" },
		{ "moves_in", "MOVESIN" }, { "moves_out", "MOVESOUT" },
		{ "refused", "REFUSED" }, COL_END },
	    "NVEs registered: session, mappings, moves", false },
	{ "vn", "show", &nvectl_nvad, "show", "vns",
	    { ARG_END }, NVECTL_OUT_TABLE, {
		{ "vn", "VN" }, { "tenant", "TENANT" },
		{ "entries", "ENTRIES" }, { "active", "ACTIVE" },
		{ "subscribers", "SUBSCRIBERS" }, { "rev", "REV" }, COL_END },
	    "VNs in the directory, subscribed NVEs", false },
	{ "map", "show", &nvectl_nvad, "show", "maps", {
		{ NULL, "VN", "vn", NVECTL_ARG_UINT, 1, 0xffffff,
		    NVECTL_ARG_OPTIONAL },
		{ NULL, "ADDR", "addr", NVECTL_ARG_STRING, 0, 0,
		    NVECTL_ARG_OPTIONAL },
		{ "state", "STATE", "state", NVECTL_ARG_STRING, 0, 0,
		    NVECTL_ARG_OPTIONAL },
		{ "limit", "N", "limit", NVECTL_ARG_UINT, 1, 1000000,
		    NVECTL_ARG_OPTIONAL },
		ARG_END }, NVECTL_OUT_TABLE, {
		{ "vn", "VN" }, { "addr", "ADDR" }, { "mac", "MAC" },
		{ "nve", "NVE" }, { "state", "STATE" }, { "seq", "SEQ" },
		{ "rev", "REV" }, { "frozen", "FROZEN" },
		{ "pending", "PENDING" }, { "prev", "PREV" }, COL_END },
	    "mappings (at most N, default 1000)", false },
	{ "map", "unfreeze", &nvectl_nvad, "map-unfreeze", NULL, {
		{ NULL, "VN", "vn", NVECTL_ARG_UINT, 1, 0xffffff, 0 },
		{ NULL, "ADDR", "addr", NVECTL_ARG_STRING, 0, 0, 0 },
		ARG_END }, NVECTL_OUT_NONE, { COL_END },
	    "thaw an address duplicate detection froze", false },
	{ "alert", "show", &nvectl_nvad, "show", "alerts",
	    { ARG_END }, NVECTL_OUT_TABLE, {
		{ "id", "ID" }, { "kind", "KIND" }, { "vn", "VN" },
		{ "addr", "ADDR" }, { "nve", "NVE" }, { "age", "AGE" },
		{ "cleared", "CLEARED" }, { "text", "TEXT" }, COL_END },
	    "duplicate, spoofing and audit alerts", false },
	{ "subnet", "show", &nvectl_nvad, "show", "subnets",
	    { ARG_END }, NVECTL_OUT_TABLE, {
		{ "vn", "VN" }, { "prefix", "PREFIX" }, { "nves", "NVES" },
		COL_END },
	    "subnets attached (RFC 8171) and their NVEs", false },
	{ "session", "show", &nvectl_nvad, "show", "sessions",
	    { ARG_END }, NVECTL_OUT_TABLE, {
		{ "id", "ID" }, { "nve", "NVE" }, { "addr", "PEER" },
		{ "state", "STATE" }, { "age", "AGE" }, { "rx_msgs", "RX" },
		{ "tx_msgs", "TX" }, { "bad_msgs", "BAD" }, { "wq", "WQ" },
		{ "subs", "VNS" }, COL_END },
	    "NVE sessions: peer, state, traffic, VNs", false },
	{ "counters", "show", &nvectl_nvad, "show", "counters",
	    { ARG_END }, NVECTL_OUT_LIST, { COL_END },
	    "daemon-wide counters and totals", false },
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

const struct nvectl_daemon *
nvectl_daemon_find(const char *name)
{
	if (strcmp(name, nvectl_nnved.name) == 0)
		return &nvectl_nnved;
	if (strcmp(name, nvectl_tnved.name) == 0)
		return &nvectl_tnved;
	if (strcmp(name, nvectl_nvad.name) == 0)
		return &nvectl_nvad;
	return NULL;
}

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

/*
 * How many words of argv (argc of them) verb takes: all its
 * space-separated words must be there, each equal to one argument.
 * 0 when they are not.
 */
static int
verb_words(const char *verb, int argc, char *const argv[])
{
	int n = 0;

	while (*verb != '\0') {
		size_t len = strcspn(verb, " ");

		if (n >= argc || strlen(argv[n]) != len ||
		    strncmp(argv[n], verb, len) != 0)
			return 0;
		n++;
		verb += len;
		if (*verb == ' ')
			verb++;
	}
	return n;
}

/* The objects (object NULL) or the verbs of object, comma-separated,
 * each once. */
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
		for (size_t j = 0; j < i && !seen; j++) {
			const struct nvectl_cmd *p = &nvectl_cmds[j];

			if (object == NULL ? strcmp(p->object, w) == 0 :
			    strcmp(p->object, object) == 0 &&
			    strcmp(p->verb, w) == 0)
				seen = true;
		}
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

/* "a,b" -> ["a","b"]; NULL with a reason in err on an empty item. */
static json_t *
parse_list(const struct nvectl_arg *a, const char *s, char *err,
    size_t errsz)
{
	json_t *list = json_array();

	if (list == NULL) {
		errf(err, errsz, "%s", strerror(ENOMEM));
		return NULL;
	}
	for (;;) {
		size_t len = strcspn(s, ",");

		if (len == 0) {
			errf(err, errsz, "%s: empty item in a list", a->meta);
			json_decref(list);
			return NULL;
		}
		json_array_append_new(list, json_stringn(s, len));
		if (s[len] == '\0')
			return list;
		s += len + 1;
	}
}

/*
 * Puts one argument's value where it belongs: the filters, the SPEC
 * (spec), its one TSI (tsi), or the request.
 */
static int
take_arg(struct nvectl_req *r, const struct nvectl_arg *a, const char *s,
    json_t *spec, json_t *tsi, char *err, size_t errsz)
{
	json_t *dest = r->request, *v;
	unsigned long n = 0;

	if (a->type == NVECTL_ARG_UINT && parse_uint(a, s, &n, err, errsz) < 0)
		return -EINVAL;
	if (a->type != NVECTL_ARG_UINT && *s == '\0') {
		errf(err, errsz, "%s must not be empty", a->meta);
		return -EINVAL;
	}
	if (a->flags & NVECTL_ARG_FILTER) {
		struct nvectl_filter *f = &r->filters[r->nfilters++];

		f->arg = a;
		f->text = s;
		f->num = n;
		return 0;
	}
	if (a->type == NVECTL_ARG_UINT)
		v = json_integer((json_int_t)n);
	else if (a->type == NVECTL_ARG_LIST) {
		if ((v = parse_list(a, s, err, errsz)) == NULL)
			return -EINVAL;
	} else
		v = json_string(s);
	if (a->flags & NVECTL_ARG_SPEC)
		dest = spec;
	else if (a->flags & NVECTL_ARG_TSI)
		dest = tsi;
	if (v == NULL || dest == NULL ||
	    json_object_set_new(dest, a->field, v) < 0) {
		errf(err, errsz, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	return 0;
}

static bool
is_spec_arg(const struct nvectl_arg *a)
{
	return (a->flags & (NVECTL_ARG_SPEC | NVECTL_ARG_TSI)) != 0;
}

/* The keyword argument of c spelled w, or NULL. */
static const struct nvectl_arg *
find_keyword(const struct nvectl_cmd *c, const char *w)
{
	for (const struct nvectl_arg *a = c->args; !arg_end(a); a++)
		if (a->keyword != NULL && strcmp(a->keyword, w) == 0)
			return a;
	return NULL;
}

/*
 * The row for OBJECT VERB..., chosen by daemon (NULL: nnved if it serves
 * the command, else the first row that does).  *nw is the verb's word
 * count.
 */
static const struct nvectl_cmd *
find_cmd(int argc, char *const argv[], const struct nvectl_daemon *daemon,
    int *nw, char *err, size_t errsz)
{
	const struct nvectl_cmd *c = NULL, *other = NULL;
	bool object_known = false;
	char valid[256], by[64] = "";
	size_t nby = 0;
	int w;

	for (size_t k = 0; k < nvectl_ncmds; k++) {
		const struct nvectl_cmd *x = &nvectl_cmds[k];

		if (strcmp(x->object, argv[0]) != 0)
			continue;
		object_known = true;
		if ((w = verb_words(x->verb, argc - 1, argv + 1)) == 0)
			continue;
		if (daemon != NULL && x->daemon != daemon) {
			/* "tnved", "tnved and nvad" */
			if (nby < sizeof(by))
				nby += (size_t)snprintf(by + nby,
				    sizeof(by) - nby, "%s%s", other ? " and " :
				    "", x->daemon->name);
			other = x;
		} else if (c == NULL || (daemon == NULL &&
		    x->daemon == &nvectl_nnved)) {
			c = x;
			*nw = w;
		}
	}
	if (!object_known) {
		valid_words(NULL, valid, sizeof(valid));
		errf(err, errsz, "unknown object \"%s\" (valid: %s)", argv[0],
		    valid);
		return NULL;
	}
	if (c == NULL && other != NULL) {
		errf(err, errsz, "%s %s: served by %s, not %s", other->object,
		    other->verb, by, daemon->name);
		return NULL;
	}
	if (c == NULL) {
		valid_words(argv[0], valid, sizeof(valid));
		if (argc < 2)
			errf(err, errsz, "%s: missing VERB (valid: %s)",
			    argv[0], valid);
		else
			errf(err, errsz, "%s: unknown verb \"%s\" (valid: %s)",
			    argv[0], argv[1], valid);
	}
	return c;
}

int
nvectl_parse(int argc, char *const argv[], const struct nvectl_daemon *daemon,
    struct nvectl_req *r, char *err, size_t errsz)
{
	const struct nvectl_cmd *c;
	const struct nvectl_arg *a;
	bool given[NVECTL_MAX_ARGS] = { false }, file_form = false;
	json_t *spec = NULL, *tsi = NULL;
	int i, nw = 0, rc = -EINVAL;

	memset(r, 0, sizeof(*r));
	if (argc < 1) {
		errf(err, errsz, "missing OBJECT");
		return -EINVAL;
	}
	if ((c = find_cmd(argc, argv, daemon, &nw, err, errsz)) == NULL)
		return -EINVAL;
	r->cmd = c;
	r->request = json_object();
	if (r->request == NULL)
		goto oom;
	json_object_set_new(r->request, "cmd", json_string(c->cmd));
	if (c->table != NULL)
		json_object_set_new(r->request, "table",
		    json_string(c->table));

	i = 1 + nw;
	if (c->spec) {
		if (i >= argc) {
			errf(err, errsz, "%s %s: missing FILE or NAME",
			    c->object, c->verb);
			goto fail;
		}
		a = i + 1 < argc ? find_keyword(c, argv[i + 1]) : NULL;
		if (a == NULL || !is_spec_arg(a)) {
			/* FILE|- [non-SPEC keywords] */
			if (*argv[i] == '\0') {
				errf(err, errsz, "FILE must not be empty");
				goto fail;
			}
			r->spec_file = argv[i++];
			file_form = true;
		} else {
			spec = json_pack("{s:[{}]}", "tsis");
			if (spec == NULL)
				goto oom;
			tsi = json_array_get(json_object_get(spec, "tsis"), 0);
			/* the request owns spec, even when this fails */
			if (json_object_set_new(r->request, "vm", spec) < 0)
				goto oom;
		}
	}
	for (a = c->args; !arg_end(a) && a->keyword == NULL; a++) {
		if (file_form && is_spec_arg(a))
			continue;
		if ((a->flags & NVECTL_ARG_OPTIONAL) && (i >= argc ||
		    find_keyword(c, argv[i]) != NULL))
			break;
		if (i >= argc) {
			errf(err, errsz, "%s %s: missing %s", c->object,
			    c->verb, a->meta);
			goto fail;
		}
		if ((rc = take_arg(r, a, argv[i++], spec, tsi, err,
		    errsz)) < 0)
			goto fail;
	}
	while (i < argc) {
		const struct nvectl_arg *k = find_keyword(c, argv[i]);

		if (k == NULL) {
			char valid[256];
			size_t o = 0;

			valid[0] = '\0';
			for (a = c->args; !arg_end(a); a++)
				if (a->keyword != NULL && o < sizeof(valid) &&
				    !(file_form && is_spec_arg(a)))
					o += (size_t)snprintf(valid + o,
					    sizeof(valid) - o, "%s%s",
					    o ? ", " : "", a->keyword);
			errf(err, errsz, "%s %s: unexpected \"%s\"%s%s%s",
			    c->object, c->verb, argv[i],
			    o ? " (valid: " : "", valid, o ? ")" : "");
			goto fail;
		}
		if (file_form && is_spec_arg(k)) {
			errf(err, errsz, "%s %s: %s goes with NAME, not with "
			    "a SPEC file", c->object, c->verb, k->keyword);
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
		if ((rc = take_arg(r, k, argv[i + 1], spec, tsi, err,
		    errsz)) < 0)
			goto fail;
		i += 2;
	}
	for (a = c->args; !arg_end(a); a++) {
		if (a->keyword == NULL || (a->flags & NVECTL_ARG_OPTIONAL) ||
		    given[a - c->args] || (file_form && is_spec_arg(a)))
			continue;
		errf(err, errsz, "%s %s: missing %s %s", c->object, c->verb,
		    a->keyword, a->meta);
		goto fail;
	}
	return 0;
oom:
	errf(err, errsz, "%s", strerror(ENOMEM));
	rc = -ENOMEM;
fail:
	nvectl_req_free(r);
	return rc == -ENOMEM ? -ENOMEM : -EINVAL;
}

int
nvectl_req_set_spec(struct nvectl_req *r, const char *text, size_t len,
    char *err, size_t errsz)
{
	json_error_t jerr;
	json_t *spec, *name;

	if (r->request == NULL || r->cmd == NULL || !r->cmd->spec) {
		errf(err, errsz, "%s takes no SPEC", r->cmd ? r->cmd->cmd :
		    "(nothing)");
		return -EINVAL;
	}
	if ((spec = json_loadb(text, len, 0, &jerr)) == NULL) {
		errf(err, errsz, "not JSON: %s (line %d)", jerr.text,
		    jerr.line);
		return -EINVAL;
	}
	name = json_object_get(spec, "name");
	if (!json_is_object(spec))
		errf(err, errsz, "the SPEC is not a JSON object");
	else if (!json_is_string(name) || json_string_length(name) == 0)
		errf(err, errsz, "the SPEC has no \"name\"");
	else if (!json_is_array(json_object_get(spec, "tsis")))
		errf(err, errsz, "the SPEC has no \"tsis\" array");
	else if (json_object_set_new(r->request, "vm", spec) < 0) {
		errf(err, errsz, "%s", strerror(ENOMEM));
		return -ENOMEM;
	} else
		return 0;
	json_decref(spec);
	return -EINVAL;
}

void
nvectl_req_free(struct nvectl_req *r)
{
	json_decref(r->request);
	memset(r, 0, sizeof(*r));
}

/* ---- usage ------------------------------------------------------------ */

#define USAGE_WIDTH	78	/* wrap synopses here */
#define USAGE_HELP_COL	35	/* where the help text starts */

/* Appends word to line, wrapping to an indented new line past the width;
 * *col is the current column. */
static void
usage_word(struct nvectl_buf *line, size_t *col, const char *word)
{
	size_t len = strlen(word);

	if (*col + 1 + len > USAGE_WIDTH) {
		nvectl_buf_printf(line, "\n      %s", word);
		*col = 6 + len;
	} else {
		nvectl_buf_printf(line, " %s", word);
		*col += 1 + len;
	}
}

/*
 * One synopsis: "  object verb ARGS", wrapped; file_form prints FILE|-
 * for the SPEC arguments of a spec command.  Then help on the same line
 * when it fits, else on the next.
 */
static void
usage_line(struct nvectl_buf *out, const struct nvectl_cmd *c,
    bool file_form, const char *help)
{
	struct nvectl_buf line = { 0 };
	size_t col;

	nvectl_buf_printf(&line, "  %s %s", c->object, c->verb);
	col = 2 + strlen(c->object) + 1 + strlen(c->verb);
	if (file_form)
		usage_word(&line, &col, "FILE|-");
	for (const struct nvectl_arg *a = c->args; !arg_end(a); a++) {
		char w[80];

		if (file_form && is_spec_arg(a))
			continue;
		if (a->keyword == NULL && (a->flags & NVECTL_ARG_OPTIONAL)) {
			/* the optional positionals nest: [VN [ADDR]] */
			size_t depth = 0, o;

			w[0] = '\0';
			for (; !arg_end(a) && a->keyword == NULL; a++,
			    depth++) {
				o = strlen(w);
				snprintf(w + o, sizeof(w) - o, "%s[%s",
				    depth ? " " : "", a->meta);
			}
			for (; depth > 0; depth--) {
				o = strlen(w);
				snprintf(w + o, sizeof(w) - o, "]");
			}
			a--;
		} else if (a->keyword == NULL)
			snprintf(w, sizeof(w), "%s", a->meta);
		else if (a->flags & NVECTL_ARG_OPTIONAL)
			snprintf(w, sizeof(w), "[%s %s]", a->keyword, a->meta);
		else
			snprintf(w, sizeof(w), "%s %s", a->keyword, a->meta);
		usage_word(&line, &col, w);
	}
	nvectl_buf_printf(out, "%s", line.p ? line.p : "");
	if (help == NULL)
		nvectl_buf_printf(out, "\n");
	else if (col < USAGE_HELP_COL - 1 &&
	    USAGE_HELP_COL + strlen(help) <= USAGE_WIDTH + 2)
		nvectl_buf_printf(out, "%*s%s\n", (int)(USAGE_HELP_COL - col),
		    "", help);
	else
		nvectl_buf_printf(out, "\n%*s%s\n", USAGE_HELP_COL, "", help);
	if (line.oom)
		out->oom = true;
	nvectl_buf_free(&line);
}

void
nvectl_usage(struct nvectl_buf *out)
{
	static const struct {
		const struct nvectl_daemon *d;
		const char *what;
	} groups[] = {
		{ &nvectl_nnved, "the External NVE" },
		{ &nvectl_tnved, "the hypervisor" },
		{ &nvectl_nvad, "the NVA" },
	};

	nvectl_buf_printf(out, "usage: nvectl [-d nnved|tnved|nvad] [-s PATH] "
	    "[-t SECONDS] [--json] [-h]\n              OBJECT VERB [ARGS]\n");
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		nvectl_buf_printf(out, "\n%s (%s), socket %s:\n",
		    groups[g].d->name, groups[g].what, groups[g].d->sock);
		for (size_t i = 0; i < nvectl_ncmds; i++) {
			const struct nvectl_cmd *c = &nvectl_cmds[i];

			if (c->daemon != groups[g].d)
				continue;
			if (c->spec)
				usage_line(out, c, true, c->help);
			usage_line(out, c, false, c->spec ? NULL : c->help);
		}
	}
	nvectl_buf_printf(out, "\n"
	    "A command several daemons serve goes to nnved, else tnved;\n"
	    "-d picks another.\n"
	    "The socket is PATH, else $NVECTL_SOCKET, else the daemon's.\n"
	    "FILE|-: a JSON VM SPEC in a file or on standard input.\n"
	    "-t: seconds to wait for the reply (default %d).\n",
	    NVECTL_TIMEOUT_DEFAULT);
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
render_table(const struct nvectl_col *cols, const json_t *rows,
    struct nvectl_buf *out)
{
	size_t ncols = 0, nrows = json_array_size(rows);
	size_t width[NVECTL_MAX_COLS];
	char **cells;

	while (ncols < NVECTL_MAX_COLS && cols[ncols].field != NULL)
		ncols++;
	if (ncols == 0)
		return;
	cells = calloc(nrows * ncols + 1, sizeof(*cells));
	if (cells == NULL) {
		out->oom = true;
		return;
	}
	for (size_t j = 0; j < ncols; j++)
		width[j] = strlen(cols[j].header);
	for (size_t i = 0; i < nrows; i++) {
		for (size_t j = 0; j < ncols; j++) {
			char *t = cell_text(json_array_get(rows, i),
			    cols[j].field);

			cells[i * ncols + j] = t;
			if (t != NULL && strlen(t) > width[j])
				width[j] = strlen(t);
		}
	}
	for (size_t i = 0; i <= nrows; i++) {
		for (size_t j = 0; j < ncols; j++) {
			const char *t = i == 0 ? cols[j].header :
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
render_list(const struct nvectl_col *cols, const json_t *o,
    struct nvectl_buf *out)
{
	size_t w = 0, len;
	const char *k;
	json_t *v;

	if (cols[0].field != NULL) {
		for (size_t j = 0; j < NVECTL_MAX_COLS && cols[j].field;
		    j++)
			if ((len = strlen(cols[j].header)) > w)
				w = len;
		for (size_t j = 0; j < NVECTL_MAX_COLS && cols[j].field;
		    j++) {
			char *t = cell_text(o, cols[j].field);

			nvectl_buf_printf(out, "%-*s  %s\n", (int)w,
			    cols[j].header, t ? t : "?");
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

/*
 * A tnved VM result: its name and state, then its TSI rows as a table.
 * -EPROTO when "tsis" is there but not an array of objects.
 */
static int
render_vm(const struct nvectl_cmd *c, const json_t *res,
    struct nvectl_buf *out, char *err, size_t errsz)
{
	static const struct nvectl_col head[] = {
		{ "vm", "vm" }, { "state", "state" }, { NULL, NULL }
	};
	const json_t *tsis = json_object_get(res, "tsis"), *row;
	size_t i;

	if (tsis != NULL && !json_is_array(tsis)) {
		errf(err, errsz, "bad reply from %s: \"tsis\" is not an array",
		    c->daemon->name);
		return -EPROTO;
	}
	json_array_foreach(tsis, i, row) {
		if (!json_is_object(row)) {
			errf(err, errsz, "bad reply from %s: TSI %zu is not "
			    "an object", c->daemon->name, i);
			return -EPROTO;
		}
	}
	render_list(head, res, out);
	if (tsis != NULL) {
		nvectl_buf_printf(out, "\n");
		render_table(c->cols, tsis, out);
	}
	return 0;
}

static bool
is_table_member(const json_t *v)
{
	const json_t *row;
	size_t i;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	json_array_foreach(v, i, row)
		if (!json_is_object(row))
			return false;
	return true;
}

/*
 * A result with tables in it: the plain members as "name  value" lines,
 * then each non-empty array of objects as a blank line, "name:" and a
 * table of c's columns.  An empty array stays a line ("vns  -").
 */
static void
render_summary(const struct nvectl_cmd *c, const json_t *res,
    struct nvectl_buf *out)
{
	size_t w = 0, len;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)res, k, v)
		if (!is_table_member(v) && (len = strlen(k)) > w)
			w = len;
	json_object_foreach((json_t *)res, k, v) {
		char *t;

		if (is_table_member(v))
			continue;
		t = cell_text(res, k);
		nvectl_buf_printf(out, "%-*s  %s\n", (int)w, k, t ? t : "?");
		free(t);
	}
	json_object_foreach((json_t *)res, k, v) {
		if (!is_table_member(v))
			continue;
		nvectl_buf_printf(out, "\n%s:\n", k);
		render_table(c->cols, v, out);
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
	if (c->table == NULL && c->layout != NVECTL_OUT_ROWS) {
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
		} else if (c->layout == NVECTL_OUT_VM && res != NULL)
			return render_vm(c, res, out, err, errsz);
		else if (c->layout == NVECTL_OUT_LIST && res != NULL)
			render_list(c->cols, res, out);
		else if (c->layout == NVECTL_OUT_SUMMARY && res != NULL)
			render_summary(c, res, out);
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
	else if (c->layout == NVECTL_OUT_TABLE ||
	    c->layout == NVECTL_OUT_ROWS)
		render_table(c->cols, rows, out);
	else if (c->layout == NVECTL_OUT_LIST) {
		json_array_foreach(rows, i, row) {
			if (i > 0)
				nvectl_buf_printf(out, "\n");
			render_list(c->cols, row, out);
		}
	}
	json_decref(rows);
	return 0;
}
