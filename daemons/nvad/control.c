/*
 * control.c - nvad's control socket: the views nvectl(8) shows of the
 * directory (NVEs, VNs, mappings, alerts, subnets), of the NVE sessions
 * and of the counters, and the one operator action, map-unfreeze.
 *
 * Owns the command table below and nothing else: the socket, the
 * framing (one JSON object per line each way, replies in request
 * order), the argument checks and flow control are lib/ctl's
 * (ctl/ctl.h).  Runs in nvad's one thread, on its libuv loop, like
 * every other file of the daemon except the HTTP thread of metrics.c.
 * Reads the directory only through the walk and lookup functions of
 * dir.c, the sessions through nvad_sess_walk() and changes state only
 * through nvad_admin_unfreeze() (session.c: persisted, then pushed like
 * any NVE's change).  Every handler answers before it returns.
 *
 * The commands follow nnved's and tnved's shape: "show" with a "table"
 * (nves, vns, maps, alerts, subnets, sessions, counters) for the views,
 * a verb-named command ("map-unfreeze") for the action.  "maps" alone
 * takes the arguments vn, addr, state and limit; the other tables
 * refuse them rather than ignore them.  Tables are built whole in one
 * loop turn; "maps" stops at limit rows (1000 unless asked, at most
 * 1000000) so a directory of millions cannot stall the loop by accident.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl/ctl.h"
#include "nvad.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mtime.h"

#define MAPS_LIMIT_DEFAULT	1000
#define MAPS_LIMIT_MAX		1000000

static void	cmd_show(struct ctl_req *, void *);
static void	cmd_unfreeze(struct ctl_req *, void *);

static const struct ctl_cmd nvad_cmds[] = {
	{ "show", cmd_show, {
		{ "table", CTL_T_STRING, true, 0, 0 },
		{ "vn", CTL_T_UINT, false, 1, NVA_VN_MAX },
		{ "addr", CTL_T_STRING, false, 0, 0 },
		{ "state", CTL_T_STRING, false, 0, 0 },
		{ "limit", CTL_T_UINT, false, 1, MAPS_LIMIT_MAX } } },
	{ "map-unfreeze", cmd_unfreeze, {
		{ "vn", CTL_T_UINT, true, 1, NVA_VN_MAX },
		{ "addr", CTL_T_STRING, true, 0, 0 } } },
};
#define NVAD_NCMDS	(sizeof(nvad_cmds) / sizeof(nvad_cmds[0]))

/* ---- helpers ------------------------------------------------------------- */

/* The name of NVE idx, or NULL (none, or not known). */
static const char *
nve_name(const struct nvad *nd, uint32_t idx)
{
	const struct dir_nve *n;

	if (idx == NVAD_NONE || (n = dir_nve_at(nd->dir, idx)) == NULL)
		return NULL;
	return n->name;
}

static void
set_addr(json_t *o, const char *k, const struct nva_addr *a)
{
	char buf[NVA_ADDR_STRLEN];

	ctl_set_str(o, k, nva_addr_fmt(a, buf));
}

static void
set_nve(json_t *o, const char *k, const struct nvad *nd, uint32_t idx)
{
	ctl_set_str(o, k, nve_name(nd, idx));
}

/* {"malformed": n, ...} for every code but ok. */
static json_t *
by_code(const uint64_t *v)
{
	json_t *o = json_object();

	for (unsigned c = NVA_OK + 1; c < NVA_CODE_COUNT; c++)
		ctl_set_int(o, nva_code_name((enum nva_code)c), v[c]);
	return o;
}

/* ---- nves ---------------------------------------------------------------- */

static json_t *
table_nves(struct nvad *nd)
{
	json_t *rows = json_array();
	uint32_t n = dir_nve_count(nd->dir);

	for (uint32_t i = 0; i < n; i++) {
		const struct dir_nve *v = dir_nve_at(nd->dir, i);
		json_t *o, *under;

		if (v == NULL)
			continue;
		o = json_object();
		under = json_array();
		for (unsigned u = 0; u < v->nunderlay &&
		    u < NVA_UNDERLAY_MAX; u++) {
			char buf[NVA_ADDR_STRLEN];

			json_array_append_new(under, json_string(
			    nva_addr_fmt(&v->underlay[u], buf)));
		}
		ctl_set_str(o, "name", v->name);
		ctl_set_int(o, "index", v->idx);
		ctl_set_bool(o, "connected", v->connected);
		json_object_set_new(o, "underlay", under);
		ctl_set_int(o, "owned", v->owned);
		ctl_set_int(o, "reports", v->reports);
		ctl_set_int(o, "moves_in", v->moves_in);
		ctl_set_int(o, "moves_out", v->moves_out);
		ctl_set_int(o, "refused", v->refused);
		json_array_append_new(rows, o);
	}
	return rows;
}

/* ---- vns ----------------------------------------------------------------- */

/* Every VN of the directory, in VN order (the hash has none). */
struct vn_list {
	const struct dir_vn **v;
	size_t		 n, cap;
	bool		 oom;
};

static int
vn_collect(void *arg, const struct dir_vn *v)
{
	struct vn_list *l = arg;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		const struct dir_vn **nv = realloc(l->v, ncap * sizeof(*nv));

		if (nv == NULL) {
			l->oom = true;
			return 1;
		}
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n++] = v;
	return 0;
}

static int
vn_cmp(const void *a, const void *b)
{
	uint32_t x = (*(const struct dir_vn *const *)a)->vn;
	uint32_t y = (*(const struct dir_vn *const *)b)->vn;

	return x < y ? -1 : x > y;
}

/* 0, or -ENOMEM (l empty). */
static int
vn_list(const struct nvad *nd, struct vn_list *l)
{
	memset(l, 0, sizeof(*l));
	dir_vn_walk(nd->dir, vn_collect, l);
	if (l->oom) {
		free(l->v);
		memset(l, 0, sizeof(*l));
		return -ENOMEM;
	}
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), vn_cmp);
	return 0;
}

static json_t *
table_vns(struct nvad *nd)
{
	json_t *rows;
	struct vn_list l;

	if (vn_list(nd, &l) < 0 || (rows = json_array()) == NULL) {
		free(l.v);
		return NULL;		/* answered as out of memory */
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct dir_vn *v = l.v[i];
		int t = nvad_conf_tenant_of(&nd->conf, v->vn);
		json_t *o = json_object();

		ctl_set_int(o, "vn", v->vn);
		ctl_set_str(o, "tenant", t >= 0 &&
		    (unsigned)t < nd->conf.ntenants ?
		    nd->conf.tenants[t].name : NULL);
		ctl_set_int(o, "entries", v->count);
		ctl_set_int(o, "active", v->active);
		ctl_set_int(o, "subscribers", nvad_vn_subscribers(nd, v->vn));
		ctl_set_int(o, "rev", v->rev);
		json_array_append_new(rows, o);
	}
	free(l.v);
	return rows;
}

/* ---- maps ---------------------------------------------------------------- */

struct maps_walk {
	struct nvad	*nd;
	json_t		*rows;
	int		 state;		/* enum nva_state, -1: any */
	bool		 has_addr;
	struct nva_addr	 addr;
	size_t		 limit;
};

static json_t *
map_row(const struct nvad *nd, const struct dir_ent *e)
{
	json_t *o = json_object();
	struct nva_addr a;
	char mac[18];

	a.len = e->alen;
	memset(a.a, 0, sizeof(a.a));
	memcpy(a.a, e->addr, e->alen <= sizeof(a.a) ? e->alen : sizeof(a.a));
	ctl_set_int(o, "vn", e->vn);
	set_addr(o, "addr", &a);
	ctl_set_str(o, "mac", e->flags & DIR_F_HAS_MAC ? mac_fmt(e->mac, mac) :
	    NULL);
	set_nve(o, "nve", nd, e->nve);
	ctl_set_str(o, "state", nva_state_name((enum nva_state)e->state));
	ctl_set_int(o, "seq", e->seq);
	ctl_set_int(o, "rev", e->rev);
	ctl_set_bool(o, "frozen", (e->flags & DIR_F_FROZEN) != 0);
	set_nve(o, "pending", nd, e->pending);
	set_nve(o, "prev", nd, e->prev);
	return o;
}

/* Adds e when it passes the state filter; 1 once the limit is reached. */
static int
maps_add(struct maps_walk *w, const struct dir_ent *e)
{
	if (w->state >= 0 && e->state != (uint8_t)w->state)
		return 0;
	json_array_append_new(w->rows, map_row(w->nd, e));
	return json_array_size(w->rows) >= w->limit;
}

/* The entries of one VN (or its one address); 1 once the limit is
 * reached. */
static int
maps_vn(struct maps_walk *w, const struct dir_vn *v)
{
	if (json_array_size(w->rows) >= w->limit)
		return 1;
	if (w->has_addr) {
		const struct dir_ent *e = dir_lookup(w->nd->dir, v->vn,
		    &w->addr);

		return e != NULL ? maps_add(w, e) : 0;
	}
	for (const struct dir_ent *e = v->ents; e != NULL; e = e->vn_next)
		if (maps_add(w, e))
			return 1;
	return 0;
}

/* The state filter by name: the enum, -1 for none, -2 when unknown. */
static int
state_arg(const char *s)
{
	if (s == NULL)
		return -1;
	for (unsigned i = NVA_ST_ASSOCIATED; i < NVA_ST_COUNT; i++)
		if (strcmp(s, nva_state_name((enum nva_state)i)) == 0)
			return (int)i;
	return -2;
}

static void
show_maps(struct ctl_req *r, struct nvad *nd)
{
	struct maps_walk w;
	const char *addr = ctl_req_str(r, "addr");
	uint32_t vn = (uint32_t)ctl_req_int(r, "vn", 0);

	memset(&w, 0, sizeof(w));
	w.nd = nd;
	w.limit = (size_t)ctl_req_int(r, "limit", MAPS_LIMIT_DEFAULT);
	w.state = state_arg(ctl_req_str(r, "state"));
	if (w.state == -2) {
		ctl_reply_error(r, "show maps: unknown state \"%.32s\" "
		    "(valid: associated, activated, withdrawn)",
		    ctl_req_str(r, "state"));
		return;
	}
	if (addr != NULL) {
		if (nva_addr_parse(&w.addr, addr) < 0) {
			ctl_reply_error(r, "show maps: \"%.64s\" is not a MAC, "
			    "IPv4 or IPv6 address", addr);
			return;
		}
		w.has_addr = true;
	}
	if ((w.rows = json_array()) == NULL) {
		ctl_reply_error(r, "show maps: %s", strerror(ENOMEM));
		return;
	}
	if (vn != 0) {
		const struct dir_vn *v = dir_vn_find(nd->dir, vn);

		if (v != NULL)
			(void)maps_vn(&w, v);
	} else {
		/* in VN order, so that a limit cuts the same place twice */
		struct vn_list l;

		if (vn_list(nd, &l) < 0) {
			json_decref(w.rows);
			ctl_reply_error(r, "show maps: %s", strerror(ENOMEM));
			return;
		}
		for (size_t i = 0; i < l.n; i++)
			if (maps_vn(&w, l.v[i]))
				break;
		free(l.v);
	}
	ctl_reply_rows(r, w.rows);
}

/* ---- alerts, subnets, sessions ------------------------------------------- */

static const char *
alert_kind_name(enum dir_alert_kind k)
{
	switch (k) {
	case DIR_ALERT_DUPLICATE:
		return "duplicate";
	case DIR_ALERT_SPOOF:
		return "spoof";
	case DIR_ALERT_AUDIT:
		return "audit";
	}
	return "?";
}

static json_t *
table_alerts(struct nvad *nd)
{
	json_t *rows = json_array();
	uint64_t now_s = mono_us() / USEC_PER_SEC;
	const struct dir_alert *al;
	size_t n = 0;

	al = dir_alerts(nd->dir, &n);
	for (size_t i = 0; al != NULL && i < n; i++) {
		const struct dir_alert *a = &al[i];
		json_t *o = json_object();

		ctl_set_int(o, "id", a->id);
		ctl_set_str(o, "kind", alert_kind_name(a->kind));
		ctl_set_int(o, "vn", a->vn);
		set_addr(o, "addr", &a->addr);
		set_nve(o, "nve", nd, a->nve);
		ctl_set_int(o, "age", now_s > a->at_s ? now_s - a->at_s : 0);
		ctl_set_str(o, "text", a->text);
		ctl_set_bool(o, "cleared", a->cleared);
		json_array_append_new(rows, o);
	}
	return rows;
}

/* Subnets in (VN, family, prefix, length) order. */
struct subnet_list {
	const struct dir_subnet **s;
	size_t		 n, cap;
	bool		 oom;
};

static int
subnet_collect(void *arg, const struct dir_subnet *sn)
{
	struct subnet_list *l = arg;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		const struct dir_subnet **ns = realloc(l->s,
		    ncap * sizeof(*ns));

		if (ns == NULL) {
			l->oom = true;
			return 1;
		}
		l->s = ns;
		l->cap = ncap;
	}
	l->s[l->n++] = sn;
	return 0;
}

static int
subnet_cmp(const void *a, const void *b)
{
	const struct dir_subnet *x = *(const struct dir_subnet *const *)a;
	const struct dir_subnet *y = *(const struct dir_subnet *const *)b;
	int c;

	if (x->vn != y->vn)
		return x->vn < y->vn ? -1 : 1;
	if (x->prefix.len != y->prefix.len)
		return x->prefix.len < y->prefix.len ? -1 : 1;
	if ((c = memcmp(x->prefix.a, y->prefix.a, x->prefix.len <=
	    sizeof(x->prefix.a) ? x->prefix.len : sizeof(x->prefix.a))) != 0)
		return c;
	return x->plen < y->plen ? -1 : x->plen > y->plen;
}

static json_t *
subnet_row(const struct nvad *nd, const struct dir_subnet *s)
{
	json_t *o = json_object(), *nves = json_array();
	char buf[NVA_ADDR_STRLEN], pfx[NVA_ADDR_STRLEN + 8];

	snprintf(pfx, sizeof(pfx), "%s/%u", nva_addr_fmt(&s->prefix, buf),
	    (unsigned)s->plen);
	for (unsigned i = 0; i < s->nnves; i++) {
		const char *name = nve_name(nd, s->nves[i]);

		json_array_append_new(nves, name ? json_string(name) :
		    json_null());
	}
	ctl_set_int(o, "vn", s->vn);
	ctl_set_str(o, "prefix", pfx);
	json_object_set_new(o, "nves", nves);
	return o;
}

static json_t *
table_subnets(struct nvad *nd)
{
	struct subnet_list l;
	json_t *rows;

	memset(&l, 0, sizeof(l));
	dir_subnet_walk(nd->dir, subnet_collect, &l);
	if (l.oom || (rows = json_array()) == NULL) {
		free(l.s);
		return NULL;		/* answered as out of memory */
	}
	if (l.n > 1)
		qsort(l.s, l.n, sizeof(*l.s), subnet_cmp);
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(rows, subnet_row(nd, l.s[i]));
	free(l.s);
	return rows;
}

struct sess_walk {
	json_t		*rows;
	uint64_t	 now;
};

static int
sess_row(void *arg, const struct nvad_sess_view *v)
{
	struct sess_walk *w = arg;
	json_t *o = json_object(), *subs = json_array();

	for (unsigned i = 0; i < v->nsubs && v->subs != NULL; i++)
		json_array_append_new(subs, json_integer(v->subs[i]));
	ctl_set_int(o, "id", v->id);
	ctl_set_str(o, "nve", v->nve);
	ctl_set_str(o, "addr", v->addr);
	ctl_set_str(o, "state", v->state);
	ctl_set_secs(o, "age", w->now, v->since_us);
	ctl_set_int(o, "rx_msgs", v->rx_msgs);
	ctl_set_int(o, "tx_msgs", v->tx_msgs);
	ctl_set_int(o, "bad_msgs", v->bad_msgs);
	ctl_set_int(o, "wq", v->wq);
	json_object_set_new(o, "subs", subs);
	json_array_append_new(w->rows, o);
	return 0;
}

static json_t *
table_sessions(struct nvad *nd)
{
	struct sess_walk w = { json_array(), sn_loop_now_us(&nd->loop) };

	nvad_sess_walk(nd, sess_row, &w);
	return w.rows;
}

/* ---- counters ------------------------------------------------------------ */

#define CTR(s, f)	{ #f, offsetof(struct s, f) }

/* nvad_counters but the bad_msgs array (by code, below). */
static const struct ctl_counter_field sess_ctrs[] = {
	CTR(nvad_counters, accepted), CTR(nvad_counters, closed),
	CTR(nvad_counters, tls_failed), CTR(nvad_counters, refused_sessions),
	CTR(nvad_counters, framing_broken), CTR(nvad_counters, slow_cut),
	CTR(nvad_counters, ka_lost), CTR(nvad_counters, rx_msgs),
	CTR(nvad_counters, tx_msgs), CTR(nvad_counters, rx_octets),
	CTR(nvad_counters, tx_octets), CTR(nvad_counters, pushes),
	CTR(nvad_counters, push_msgs), CTR(nvad_counters, moved_sent),
	CTR(nvad_counters, commits), CTR(nvad_counters, commit_recs),
	CTR(nvad_counters, conflicts), CTR(nvad_counters, lost_recs),
	CTR(nvad_counters, remote_recs), CTR(nvad_counters, through),
};

/* dir_counters but the refused array. */
static const struct ctl_counter_field dir_ctrs[] = {
	CTR(dir_counters, reports), CTR(dir_counters, withdraws),
	CTR(dir_counters, queries), CTR(dir_counters, moves),
	CTR(dir_counters, migrations), CTR(dir_counters, stale_withdraws),
	CTR(dir_counters, frozen), CTR(dir_counters, audits),
	CTR(dir_counters, audit_bad), CTR(dir_counters, subnet_reports),
};

/* A field added to nvad.h must be added above too. */
_Static_assert(sizeof(struct nvad_counters) == (sizeof(sess_ctrs) /
    sizeof(sess_ctrs[0]) + NVA_CODE_COUNT) * sizeof(uint64_t),
    "sess_ctrs does not list every field of struct nvad_counters");
_Static_assert(sizeof(struct dir_counters) == (sizeof(dir_ctrs) /
    sizeof(dir_ctrs[0]) + NVA_CODE_COUNT) * sizeof(uint64_t),
    "dir_ctrs does not list every field of struct dir_counters");

static json_t *
table_counters(struct nvad *nd)
{
	const struct dir_counters *dc = dir_counters(nd->dir);
	json_t *o = json_object();
	uint64_t octets = 0, recs = 0;

	ctl_set_int(o, "entries", dir_count(nd->dir));
	ctl_set_int(o, "nves", dir_nve_count(nd->dir));
	/* with a shared store: the store revision applied through */
	ctl_set_int(o, "rev", nd->store != NULL &&
	    nd->store->ops->follow != NULL ? nd->cnt.through :
	    dir_rev(nd->dir));
	ctl_set_int(o, "epoch", dir_epoch(nd->dir));
	ctl_set_counters(o, dc, dir_ctrs, sizeof(dir_ctrs) /
	    sizeof(dir_ctrs[0]));
	json_object_set_new(o, "refused", by_code(dc->refused));
	ctl_set_counters(o, &nd->cnt, sess_ctrs, sizeof(sess_ctrs) /
	    sizeof(sess_ctrs[0]));
	json_object_set_new(o, "bad_msgs", by_code(nd->cnt.bad_msgs));
	if (nd->store != NULL) {
		if (nd->store->ops->stats != NULL)
			nd->store->ops->stats(nd->store, &octets, &recs);
		ctl_set_str(o, "store", nd->store->ops->name);
		ctl_set_int(o, "store_octets", octets);
		ctl_set_int(o, "store_records", recs);
	}
	ctl_set_secs(o, "uptime", sn_loop_now_us(&nd->loop), nd->start_us);
	return json_pack("[o]", o);
}

/* ---- commands ------------------------------------------------------------ */

static const struct {
	const char	*name;
	json_t		*(*fn)(struct nvad *nd);
} nvad_tables[] = {
	{ "nves", table_nves },
	{ "vns", table_vns },
	{ "maps", NULL },		/* show_maps: takes arguments */
	{ "alerts", table_alerts },
	{ "subnets", table_subnets },
	{ "sessions", table_sessions },
	{ "counters", table_counters },
};
#define NVAD_NTABLES	(sizeof(nvad_tables) / sizeof(nvad_tables[0]))

static void
cmd_show(struct ctl_req *r, void *arg)
{
	static const char *const map_args[] = { "vn", "addr", "state",
	    "limit" };
	struct nvad *nd = arg;
	const char *t = ctl_req_str(r, "table");
	const json_t *req = ctl_req_json(r);
	char valid[128];
	size_t o = 0;

	if (strcmp(t, "maps") == 0) {
		show_maps(r, nd);
		return;
	}
	for (size_t i = 0; i < sizeof(map_args) / sizeof(map_args[0]); i++) {
		if (json_object_get(req, map_args[i]) != NULL) {
			ctl_reply_error(r, "show %.64s: no argument \"%s\" "
			    "(only table maps takes it)", t, map_args[i]);
			return;
		}
	}
	for (size_t i = 0; i < NVAD_NTABLES; i++) {
		if (nvad_tables[i].fn != NULL &&
		    strcmp(nvad_tables[i].name, t) == 0) {
			ctl_reply_rows(r, nvad_tables[i].fn(nd));
			return;
		}
	}
	valid[0] = '\0';
	for (size_t i = 0; i < NVAD_NTABLES && o < sizeof(valid); i++) {
		int w = snprintf(valid + o, sizeof(valid) - o, "%s%s",
		    i ? ", " : "", nvad_tables[i].name);

		if (w < 0)
			break;
		o += (size_t)w;
	}
	ctl_reply_error(r, "show: unknown table \"%.64s\" (valid: %s)", t,
	    valid);
}

static void
cmd_unfreeze(struct ctl_req *r, void *arg)
{
	struct nvad *nd = arg;
	uint32_t vn = (uint32_t)ctl_req_int(r, "vn", 0);
	const char *text = ctl_req_str(r, "addr");
	char err[CTL_ERR_MAX] = "", buf[NVA_ADDR_STRLEN];
	struct nva_addr a;
	enum nva_code c;

	if (nva_addr_parse(&a, text) < 0) {
		ctl_reply_error(r, "map-unfreeze: \"%.64s\" is not a MAC, "
		    "IPv4 or IPv6 address", text);
		return;
	}
	nva_addr_fmt(&a, buf);
	c = nvad_admin_unfreeze(nd, vn, &a, err, sizeof(err));
	if (c != NVA_OK) {
		log_info("control: map-unfreeze vn %u %s by client %llu "
		    "failed: %s%s%s", vn, buf,
		    (unsigned long long)ctl_req_client(r), nva_code_name(c),
		    err[0] ? ": " : "", err);
		/* err names the address already when there is one */
		if (err[0] != '\0')
			ctl_reply_error(r, "map-unfreeze: %s", err);
		else if (c == NVA_NOT_FOUND)
			ctl_reply_error(r, "map-unfreeze: vn %u %s: no such "
			    "mapping", vn, buf);
		else
			ctl_reply_error(r, "map-unfreeze: vn %u %s: %s", vn,
			    buf, nva_code_name(c));
		return;
	}
	log_info("control: map-unfreeze vn %u %s by client %llu", vn, buf,
	    (unsigned long long)ctl_req_client(r));
	ctl_reply_result(r, json_pack("{s:I,s:s}", "vn", (json_int_t)vn,
	    "addr", buf));
}

/* ---- the socket ---------------------------------------------------------- */

int
nvad_control_open(struct nvad *nd)
{
	return ctl_server_open(&nd->ctl, &nd->loop.uv, nd->conf.control[0] ?
	    nd->conf.control : NVAD_DEFAULT_CONTROL, nvad_cmds, NVAD_NCMDS,
	    nd);
}

/*
 * Stops listening, removes the socket file and drops every client.  The
 * server's memory goes with the loop's close callbacks: call this before
 * sn_loop_close().
 */
void
nvad_control_close(struct nvad *nd)
{
	ctl_server_close(nd->ctl);
	nd->ctl = NULL;
}
