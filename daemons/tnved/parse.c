/*
 * parse.c - tnved.conf (docs/tnved.conf.5) -> struct tnved_conf, and the
 * look-ups the daemon asks of a parsed configuration.
 *
 * Owns: tnved's statements (globals, key, nve, vn), the checks on each
 * value, the checks an nve or vn block can make once it is read (names
 * unique, interface sharing, a VN's NVE list against its mode) and the
 * checks that need the whole file (names and keys used before they are
 * defined, at least one nve).  The tokenizer, blocks, include, error
 * counting and the shared value getters are lib/util/conf.c, which also
 * states the lexical rules; they are the same as nnved.conf's.
 * Runs in tnved's one thread at start-up and on reload, and in
 * "tnved -n"; it reads files but keeps no state between calls.
 * Relies on: util/conf (every error is one log_warn "FILE:LINE: text"),
 * util/hex (manager id), ext/ext.h (extension names, key sizes),
 * nvo3/nvo3.h (VN range).
 *
 * Error handling as in nnved's parser: an error is logged and counted,
 * parsing goes on at the end of the statement, an object with an error
 * in its header is read but not kept, and a run with errors returns
 * nothing but the count.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvo3/nvo3.h"
#include "tnved.h"
#include "util/conf.h"
#include "util/hex.h"
#include "util/log.h"

#define TNVED_MAX_VMS_LIMIT	16777216u
#define OP_TIMEOUT_MIN		100u
#define OP_TIMEOUT_MAX		600000u
#define VSI_TYPE_ID_MAX		16777215u	/* 3 octets on the wire */

const char *const tnved_vn_mode_names[3] = {
	[TNVED_VN_SINGLE] = "single",
	[TNVED_VN_ACTIVE_STANDBY] = "active-standby",
	[TNVED_VN_ACTIVE_ACTIVE] = "active-active",
};

/* A name or key used before the whole configuration is known. */
enum ref_kind {
	REF_NVE,
	REF_KEY,
};

struct ref {
	enum ref_kind	kind;
	char		name[TNVED_NVE_NAME_MAX];
	uint16_t	id;
	char		what[48];	/* "vn 5001", "nve tor1" */
	const char	*file;
	int		line;
};

/* tnved's part of one run (struct conf_run .arg). */
struct tstate {
	struct tnved_conf *c;
	struct ref	*refs;
	unsigned	nrefs;
};

#define ST(p)	((struct tstate *)(p)->run->arg)

/* ---- values ------------------------------------------------------------ */

static int
add_ref(struct conf_parser *p, enum ref_kind kind, const char *name,
    uint16_t id, const char *what, int line)
{
	struct tstate *st = ST(p);
	struct ref *r, *q;

	q = conf_grow(st->refs, st->nrefs, sizeof(*st->refs));
	if (q == NULL) {
		conf_error(p, line, "out of memory");
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

/*
 * An NVE name: 1..TNVED_NVE_NAME_MAX-1 of letters, digits, '.', '_' and
 * '-' (it shows in logs, nvectl tables and the state files).
 */
static int
get_nve_name(struct conf_parser *p, const char *what,
    char out[TNVED_NVE_NAME_MAX])
{
	int line = p->tok.line;

	if (conf_get_name(p, what, out, TNVED_NVE_NAME_MAX) < 0)
		return -1;
	if (out[strspn(out, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
	    "VWXYZ0123456789._-")] != '\0') {
		conf_error(p, line, "%s: '%s' is not a name (letters, digits, "
		    "'.', '_' and '-')", what, out);
		return -1;
	}
	return 0;
}

/* all, none or NAME,NAME... (ext/ext.h names). */
static int
get_caps(struct conf_parser *p, const char *what, int line, uint32_t *caps)
{
	char buf[256];

	if (conf_get_value(p, what, buf, sizeof(buf)) < 0)
		return -1;
	if (nvo3_caps_parse(buf, caps) < 0) {
		conf_error(p, line, "%s: '%s' is not all, none or a list of "
		    "extension names", what, buf);
		return -1;
	}
	return 0;
}

/* ---- global statements ------------------------------------------------- */

static int
st_control(struct conf_parser *p, void *obj, int line)
{
	struct tnved_conf *c = ST(p)->c;

	return conf_get_path(p, "control", line, c->control,
	    sizeof(c->control));
}

static int
st_state_dir(struct conf_parser *p, void *obj, int line)
{
	struct tnved_conf *c = ST(p)->c;

	return conf_get_path(p, "state-dir", line, c->state_dir,
	    sizeof(c->state_dir));
}

static int
st_state_sync(struct conf_parser *p, void *obj, int line)
{
	return conf_get_bool(p, "state-sync", &ST(p)->c->state_sync);
}

static int
st_log_level(struct conf_parser *p, void *obj, int line)
{
	return conf_get_log_level(p, "log-level", &ST(p)->c->log_level);
}

static int
evb_retries(struct conf_parser *p, void *obj, int line)
{
	uint64_t v;

	if (conf_get_num(p, "evb retries", 0, 7, &v) < 0)
		return -1;
	ST(p)->c->r = (uint8_t)v;
	return 0;
}

static int
evb_rte(struct conf_parser *p, void *obj, int line)
{
	uint64_t v;

	if (conf_get_num(p, "evb rte", 0, 31, &v) < 0)
		return -1;
	ST(p)->c->rte = (uint8_t)v;
	return 0;
}

static int
evb_rwd(struct conf_parser *p, void *obj, int line)
{
	uint64_t v;

	if (conf_get_num(p, "evb rwd", 0, 31, &v) < 0)
		return -1;
	ST(p)->c->rwd = (uint8_t)v;
	return 0;
}

static int
evb_rka(struct conf_parser *p, void *obj, int line)
{
	uint64_t v;

	if (conf_get_num(p, "evb rka", 0, 31, &v) < 0)
		return -1;
	ST(p)->c->rka = (uint8_t)v;
	return 0;
}

static const struct conf_kw evb_kw[] = {
	{ "retries", evb_retries },
	{ "rte", evb_rte },
	{ "rwd", evb_rwd },
	{ "rka", evb_rka },
	{ NULL, NULL }
};

/*
 * evb { retries R; rte N; rwd N; rka N }, or on one line as in
 * nnved.conf: evb retries R rte N rwd N rka N.
 */
static int
st_evb(struct conf_parser *p, void *obj, int line)
{
	struct tnved_conf *c = ST(p)->c;
	struct conf_param par[] = {
		{ .name = "retries", .max = 7 },
		{ .name = "rte", .max = 31 },
		{ .name = "rwd", .max = 31 },
		{ .name = "rka", .max = 31 },
	};

	if (!conf_is_value(p))
		return conf_block(p, evb_kw, NULL);
	if (conf_get_params(p, "evb", line, par, 4) < 0)
		return -1;
	if (par[0].set)
		c->r = (uint8_t)par[0].val;
	if (par[1].set)
		c->rte = (uint8_t)par[1].val;
	if (par[2].set)
		c->rwd = (uint8_t)par[2].val;
	if (par[3].set)
		c->rka = (uint8_t)par[3].val;
	return 0;
}

static int
st_extensions(struct conf_parser *p, void *obj, int line)
{
	return get_caps(p, "extensions", line, &ST(p)->c->caps);
}

/* IPv4 (as ::ffff:a.b.c.d), IPv6, or 32 hex digits. */
static int
st_manager_id(struct conf_parser *p, void *obj, int line)
{
	struct tnved_conf *c = ST(p)->c;
	uint8_t id[VDP_MGRID_LEN];
	char buf[64];

	if (conf_get_value(p, "manager-id", buf, sizeof(buf)) < 0)
		return -1;
	memset(id, 0, sizeof(id));
	if (inet_pton(AF_INET, buf, id + 12) == 1) {
		id[10] = 0xff;
		id[11] = 0xff;
	} else if (strchr(buf, ':') != NULL &&
	    inet_pton(AF_INET6, buf, id) == 1)
		;
	else if (strlen(buf) != 2 * VDP_MGRID_LEN ||
	    strspn(buf, "0123456789abcdefABCDEF") != 2 * VDP_MGRID_LEN ||
	    hex_decode(buf, id, sizeof(id)) != VDP_MGRID_LEN) {
		conf_error(p, line, "manager-id: '%s' is not an IPv4 or IPv6 "
		    "address or 32 hex digits", buf);
		return -1;
	}
	memcpy(c->mgrid, id, sizeof(id));
	return 0;
}

static int
st_vsi_type(struct conf_parser *p, void *obj, int line)
{
	struct tnved_conf *c = ST(p)->c;
	uint64_t id, ver;

	if (conf_get_num(p, "vsi-type", 0, VSI_TYPE_ID_MAX, &id) < 0 ||
	    conf_get_num(p, "vsi-type version", 0, 255, &ver) < 0)
		return -1;
	c->type_id = (uint32_t)id;
	c->type_ver = (uint8_t)ver;
	return 0;
}

static int
st_max_vms(struct conf_parser *p, void *obj, int line)
{
	uint64_t v;

	if (conf_get_num(p, "max-vms", 1, TNVED_MAX_VMS_LIMIT, &v) < 0)
		return -1;
	ST(p)->c->max_vms = (uint32_t)v;
	return 0;
}

static int
st_op_timeout(struct conf_parser *p, void *obj, int line)
{
	uint64_t v;

	if (conf_get_num(p, "op-timeout", OP_TIMEOUT_MIN, OP_TIMEOUT_MAX,
	    &v) < 0)
		return -1;
	ST(p)->c->op_timeout_ms = (uint32_t)v;
	return 0;
}

/* ---- key ID "HEX" ------------------------------------------------------ */

static int
st_key(struct conf_parser *p, void *obj, int line)
{
	struct tnved_conf *c = ST(p)->c;
	struct tnved_key_conf k, *q;
	uint64_t id;
	int n;

	memset(&k, 0, sizeof(k));
	k.line = line;
	if (conf_get_num(p, "key", 1, UINT16_MAX, &id) < 0)
		return -1;
	k.id = (uint16_t)id;
	n = conf_get_key_secret(p, line, k.id, k.secret, NVO3_KEY_MIN,
	    NVO3_KEY_MAX);
	if (n < 0)
		return -1;
	if (n == 0)
		goto out;
	k.len = (uint8_t)n;
	if (tnved_conf_key(c, k.id) != NULL) {
		conf_error(p, line, "duplicate key %u", k.id);
		goto out;
	}
	if ((q = conf_grow(c->keys, c->nkeys, sizeof(*q))) == NULL) {
		conf_error(p, line, "out of memory");
		goto out;
	}
	c->keys = q;
	c->keys[c->nkeys++] = k;
out:
	explicit_bzero(&k, sizeof(k));
	return 0;
}

/* ---- nve NAME { interface IF; peer MAC; key ID; extensions LIST } ------ */

struct nve_ctx {
	struct tnved_nve_conf n;
	char		what[48];	/* "nve tor1" */
};

static int
nve_interface(struct conf_parser *p, void *obj, int line)
{
	struct nve_ctx *x = obj;

	return conf_get_ifname(p, "interface", x->n.ifname);
}

static int
nve_peer(struct conf_parser *p, void *obj, int line)
{
	struct nve_ctx *x = obj;

	if (conf_get_unicast_mac(p, "peer", x->n.peer) < 0)
		return -1;
	x->n.peer_set = true;
	return 0;
}

static int
nve_key(struct conf_parser *p, void *obj, int line)
{
	struct nve_ctx *x = obj;
	uint64_t id;

	if (conf_get_num(p, "key", 1, UINT16_MAX, &id) < 0)
		return -1;
	x->n.key_id = (int)id;
	add_ref(p, REF_KEY, NULL, (uint16_t)id, x->what, line);
	return 0;
}

static int
nve_extensions(struct conf_parser *p, void *obj, int line)
{
	struct nve_ctx *x = obj;

	if (get_caps(p, "extensions", line, &x->n.caps) < 0)
		return -1;
	x->n.caps_set = true;
	return 0;
}

static const struct conf_kw nve_kw[] = {
	{ "interface", nve_interface },
	{ "peer", nve_peer },
	{ "key", nve_key },
	{ "extensions", nve_extensions },
	{ NULL, NULL }
};

/*
 * Two NVEs behind one interface are told apart by their bridge's MAC:
 * both need one, and they differ.  Checked against every earlier block.
 */
static int
nve_check_shared(struct conf_parser *p, const struct tnved_conf *c,
    const struct tnved_nve_conf *n, int line)
{
	char mac[18];

	for (unsigned i = 0; i < c->nnves; i++) {
		const struct tnved_nve_conf *e = &c->nves[i];

		if (strcmp(e->ifname, n->ifname) != 0)
			continue;
		if (!e->peer_set || !n->peer_set) {
			conf_error(p, line, "nve %s: interface %s is shared "
			    "with nve %s: each needs a peer MAC", n->name,
			    n->ifname, e->name);
			return -1;
		}
		if (memcmp(e->peer, n->peer, 6) == 0) {
			conf_error(p, line, "nve %s: peer %s on interface %s "
			    "is nve %s's", n->name, mac_fmt(n->peer, mac),
			    n->ifname, e->name);
			return -1;
		}
	}
	return 0;
}

static int
st_nve(struct conf_parser *p, void *obj, int line)
{
	struct tnved_conf *c = ST(p)->c;
	struct nve_ctx x;
	struct tnved_nve_conf *q;
	int ok;

	memset(&x, 0, sizeof(x));
	x.n.key_id = -1;
	x.n.line = line;
	ok = get_nve_name(p, "nve", x.n.name) == 0;
	snprintf(x.what, sizeof(x.what), "nve %s", ok ? x.n.name : "?");
	if (ok && tnved_conf_nve(c, x.n.name) != NULL) {
		conf_error(p, line, "duplicate nve '%s'", x.n.name);
		ok = 0;
	}
	if (conf_block(p, nve_kw, &x) < 0)
		return -1;
	if (!ok)
		return 0;
	if (x.n.ifname[0] == '\0') {
		conf_error(p, line, "nve %s: interface missing", x.n.name);
		return 0;
	}
	if (nve_check_shared(p, c, &x.n, line) < 0)
		return 0;
	if (c->nnves >= TNVED_MAX_NVES) {
		conf_error(p, line, "nve %s: more than %d nve blocks",
		    x.n.name, TNVED_MAX_NVES);
		return 0;
	}
	if ((q = conf_grow(c->nves, c->nnves, sizeof(*q))) == NULL) {
		conf_error(p, line, "out of memory");
		return 0;
	}
	c->nves = q;
	c->nves[c->nnves++] = x.n;
	return 0;
}

/* ---- vn VN { nve NAME [NAME...]; mode MODE } --------------------------- */

struct vn_ctx {
	struct tnved_vn_conf v;
	bool		mode_set;
	char		what[32];	/* "vn 5001" */
};

static int
vn_nve(struct conf_parser *p, void *obj, int line)
{
	struct vn_ctx *x = obj;
	struct tnved_vn_conf *v = &x->v;
	char name[TNVED_NVE_NAME_MAX];

	if (conf_at_end(p)) {
		conf_error(p, line, "nve: name missing");
		return -1;
	}
	while (!conf_at_end(p)) {
		if (get_nve_name(p, "nve", name) < 0)
			return -1;
		for (unsigned i = 0; i < v->nnves; i++) {
			if (strcmp(v->nves[i], name) == 0) {
				conf_error(p, line, "%s: nve %s given twice",
				    x->what, name);
				goto next;
			}
		}
		if (v->nnves >= TNVED_VN_NVES) {
			conf_error(p, line, "%s: more than %d nves", x->what,
			    TNVED_VN_NVES);
			return -1;
		}
		memcpy(v->nves[v->nnves++], name, sizeof(name));
		add_ref(p, REF_NVE, name, 0, x->what, line);
next:
		;
	}
	return 0;
}

static int
vn_mode(struct conf_parser *p, void *obj, int line)
{
	struct vn_ctx *x = obj;
	char buf[32];
	unsigned i;

	if (conf_get_value(p, "mode", buf, sizeof(buf)) < 0)
		return -1;
	for (i = 0; i < 3; i++)
		if (strcmp(buf, tnved_vn_mode_names[i]) == 0)
			break;
	if (i == 3) {
		conf_error(p, line, "mode: '%s' is not single, active-standby "
		    "or active-active", buf);
		return -1;
	}
	x->v.mode = (enum tnved_vn_mode)i;
	x->mode_set = true;
	return 0;
}

static const struct conf_kw vn_kw[] = {
	{ "nve", vn_nve },
	{ "mode", vn_mode },
	{ NULL, NULL }
};

/* The NVE list against the mode (which defaults from the list). */
static int
vn_check_mode(struct conf_parser *p, struct vn_ctx *x, int line)
{
	struct tnved_vn_conf *v = &x->v;

	if (v->nnves == 0) {
		conf_error(p, line, "%s: nve missing", x->what);
		return -1;
	}
	if (!x->mode_set)
		v->mode = v->nnves > 1 ? TNVED_VN_ACTIVE_STANDBY :
		    TNVED_VN_SINGLE;
	if (v->mode == TNVED_VN_SINGLE && v->nnves != 1) {
		conf_error(p, line, "%s: mode single takes exactly one nve",
		    x->what);
		return -1;
	}
	if (v->mode != TNVED_VN_SINGLE && v->nnves < 2) {
		conf_error(p, line, "%s: mode %s needs two or more nves",
		    x->what, tnved_vn_mode_names[v->mode]);
		return -1;
	}
	return 0;
}

static int
st_vn(struct conf_parser *p, void *obj, int line)
{
	struct tnved_conf *c = ST(p)->c;
	struct vn_ctx x;
	struct tnved_vn_conf *q;
	uint64_t vn;
	int ok;

	memset(&x, 0, sizeof(x));
	x.v.line = line;
	ok = conf_get_num(p, "vn", 1, NVO3_VN_MAX, &vn) == 0;
	if (ok) {
		x.v.vn = (uint32_t)vn;
		snprintf(x.what, sizeof(x.what), "vn %u", x.v.vn);
	} else
		snprintf(x.what, sizeof(x.what), "vn ?");
	if (ok && tnved_conf_vn(c, x.v.vn) != NULL) {
		conf_error(p, line, "duplicate vn %u", x.v.vn);
		ok = 0;
	}
	if (conf_block(p, vn_kw, &x) < 0)
		return -1;
	if (!ok || vn_check_mode(p, &x, line) < 0)
		return 0;
	if ((q = conf_grow(c->vns, c->nvns, sizeof(*q))) == NULL) {
		conf_error(p, line, "out of memory");
		return 0;
	}
	c->vns = q;
	c->vns[c->nvns++] = x.v;
	return 0;
}

static const struct conf_kw top_kw[] = {
	{ "control", st_control },
	{ "state-dir", st_state_dir },
	{ "state-sync", st_state_sync },
	{ "log-level", st_log_level },
	{ "evb", st_evb },
	{ "extensions", st_extensions },
	{ "manager-id", st_manager_id },
	{ "vsi-type", st_vsi_type },
	{ "max-vms", st_max_vms },
	{ "op-timeout", st_op_timeout },
	{ "include", conf_include },
	{ "key", st_key },
	{ "nve", st_nve },
	{ "vn", st_vn },
	{ NULL, NULL }
};

/* ---- driver ------------------------------------------------------------ */

/* The checks that needed the whole configuration. */
static void
resolve(struct conf_run *run, const struct tstate *st, const char *name)
{
	const struct tnved_conf *c = st->c;

	for (unsigned i = 0; i < st->nrefs; i++) {
		const struct ref *r = &st->refs[i];

		switch (r->kind) {
		case REF_NVE:
			if (tnved_conf_nve(c, r->name) == NULL)
				conf_error_at(run, r->file, r->line, "%s: nve "
				    "'%s' is not defined", r->what, r->name);
			break;
		case REF_KEY:
			if (tnved_conf_key(c, r->id) == NULL)
				conf_error_at(run, r->file, r->line, "%s: key "
				    "%u is not defined", r->what, r->id);
			break;
		}
	}
	if (c->nnves == 0)
		conf_error_at(run, name, run->last_line, "no nve block: at "
		    "least one is needed");
}

static int
parse_root(const char *name, const char *text, size_t len,
    struct tnved_conf *c)
{
	struct tstate st;
	struct conf_run run;
	int errors;

	memset(&st, 0, sizeof(st));
	st.c = c;
	conf_run_init(&run, top_kw, &st);
	conf_run_text(&run, name, text, len);
	resolve(&run, &st, name);
	errors = conf_run_free(&run);
	free(st.refs);
	if (errors > 0)
		tnved_conf_free(c);
	return errors;
}

void
tnved_conf_init(struct tnved_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->control, sizeof(c->control), "%s", TNVED_SOCK_DEFAULT);
	snprintf(c->state_dir, sizeof(c->state_dir), "%s",
	    TNVED_STATE_DEFAULT);
	c->state_sync = true;
	c->log_level = -1;
	c->r = EVB_DEFAULT_R;
	c->rte = EVB_DEFAULT_RTE;
	c->rwd = TNVED_RWD_DEFAULT;
	c->rka = TNVED_RKA_DEFAULT;
	c->caps = NVO3_CAP_ALL;
	c->type_id = 1;
	c->type_ver = 1;
	c->max_vms = TNVED_MAX_VMS_DEFAULT;
	c->op_timeout_ms = TNVED_OP_TIMEOUT_DEFAULT;
}

void
tnved_conf_free(struct tnved_conf *c)
{
	if (c->keys != NULL)
		explicit_bzero(c->keys, c->nkeys * sizeof(*c->keys));
	free(c->keys);
	free(c->nves);
	free(c->vns);
	tnved_conf_init(c);
}

int
tnved_conf_parse(const char *path, struct tnved_conf *c)
{
	char *text;
	size_t len;
	int rc;

	tnved_conf_init(c);
	if ((rc = conf_read_file(path, &text, &len)) < 0) {
		log_warn("%s: %s", path, strerror(-rc));
		return rc;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	rc = parse_root(path, text, len, c);
	free(text);
	return rc;
}

int
tnved_conf_parse_string(const char *text, const char *name,
    struct tnved_conf *c)
{
	tnved_conf_init(c);
	snprintf(c->path, sizeof(c->path), "%s", name);
	return parse_root(name, text, strlen(text), c);
}

/* ---- look-ups ------------------------------------------------------------ */

const struct tnved_nve_conf *
tnved_conf_nve(const struct tnved_conf *c, const char *name)
{
	for (unsigned i = 0; i < c->nnves; i++)
		if (strcmp(c->nves[i].name, name) == 0)
			return &c->nves[i];
	return NULL;
}

const struct tnved_vn_conf *
tnved_conf_vn(const struct tnved_conf *c, uint32_t vn)
{
	for (unsigned i = 0; i < c->nvns; i++)
		if (c->vns[i].vn == vn)
			return &c->vns[i];
	return NULL;
}

const struct tnved_key_conf *
tnved_conf_key(const struct tnved_conf *c, uint16_t id)
{
	for (unsigned i = 0; i < c->nkeys; i++)
		if (c->keys[i].id == id)
			return &c->keys[i];
	return NULL;
}
