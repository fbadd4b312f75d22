/*
 * control.c - nnved's control socket: the JSON-lines service nvectl(8)
 * talks to.
 *
 * Owns struct nnved_ctl (the listening uv_pipe_t at conf.control and
 * every connected client) and the command table below.  Runs in nnved's
 * one thread, on its libuv loop; handlers read the run-time state of
 * nnved.h directly and change it only through vsi.c (operator
 * de-associate, VN connect/disconnect) and nnved.c (reload).
 *
 * Framing: one JSON object per line each way.  A client may send many
 * requests on one connection; each gets exactly one reply line, in order.
 * A request line longer than CTL_LINE_MAX gets an error reply and the
 * connection is closed once the reply is written.  A client that sends
 * requests without reading the replies is paused (reading stops) while
 * more than CTL_WQ_HIGH octets of replies wait in its write queue, so a
 * slow reader costs memory bounded by that mark plus one reply.
 *
 * Tables are built whole from the maps in memory: "show tsis" with a
 * million VSIs is one large reply built in one loop turn.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "nnved.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mtime.h"

#define CTL_LINE_MAX	(64 * 1024)	/* request line, '\n' excluded */
#define CTL_READ_SIZE	(64 * 1024)
#define CTL_MAX_CLIENTS	128
#define CTL_WQ_HIGH	(4u * 1024 * 1024)	/* pause reading above */
#define CTL_ERR_MAX	256
#define CTL_DUMP_FLAGS	(JSON_COMPACT | JSON_REAL_PRECISION(15))

struct nnved_ctl;

struct ctl_client {
	uv_pipe_t	 pipe;		/* .data: this client */
	struct nnved_ctl *ctl;
	struct ctl_client *next, **pprev;
	uint64_t	 id;		/* for logs: "client N" */
	char		*buf;		/* partial request line */
	size_t		 len, cap;
	bool		 paused;	/* reading stopped: CTL_WQ_HIGH */
	bool		 done;		/* no more requests */
};

struct nnved_ctl {
	struct nnved	*d;
	uv_pipe_t	 server;
	bool		 listening;
	bool		 closing;
	unsigned	 handles;	/* server + clients still open */
	struct ctl_client *clients;
	unsigned	 nclients;
	uint64_t	 next_id;
	char		 path[sizeof(((struct nnved_conf *)0)->control)];
	char		 rbuf[CTL_READ_SIZE];	/* one read at a time */
};

/* One request being served. */
struct ctl_req {
	struct nnved	*d;
	const struct ctl_cmd *cmd;
	json_t		*args;		/* the request object */
	uint64_t	 client;
	uint64_t	 now;
	char		 err[CTL_ERR_MAX];
};

enum ctl_type {
	CTL_T_STRING,
	CTL_T_UINT,
};

struct ctl_arg {
	const char	*name;
	enum ctl_type	 type;
	bool		 required;
	json_int_t	 min, max;	/* CTL_T_UINT */
};

#define CTL_MAX_ARGS	3

/*
 * A command: its handler returns the "rows" array (rows set) or the
 * "result" object, or NULL with r->err filled.  The request may hold
 * "cmd" and the members of args, nothing else; their types are checked
 * before the handler runs.
 */
struct ctl_cmd {
	const char	*name;
	json_t		*(*fn)(struct ctl_req *r);
	bool		 rows;
	struct ctl_arg	 args[CTL_MAX_ARGS];
};

static json_t	*cmd_show(struct ctl_req *);
static json_t	*cmd_tsi_deassoc(struct ctl_req *);
static json_t	*cmd_vn_connect(struct ctl_req *);
static json_t	*cmd_vn_disconnect(struct ctl_req *);
static json_t	*cmd_reload(struct ctl_req *);

static const struct ctl_cmd ctl_cmds[] = {
	{ "show", cmd_show, true, {
		{ "table", CTL_T_STRING, true, 0, 0 } } },
	{ "tsi-deassociate", cmd_tsi_deassoc, false, {
		{ "vsiid", CTL_T_STRING, true, 0, 0 },
		{ "port", CTL_T_STRING, false, 0, 0 } } },
	{ "vn-connect", cmd_vn_connect, false, {
		{ "domain", CTL_T_STRING, true, 0, 0 },
		{ "vn", CTL_T_UINT, true, 1, NVO3_VN_MAX },
		{ "vid", CTL_T_UINT, false, 0, NVO3_VID_MAX } } },
	{ "vn-disconnect", cmd_vn_disconnect, false, {
		{ "domain", CTL_T_STRING, true, 0, 0 },
		{ "vn", CTL_T_UINT, true, 1, NVO3_VN_MAX } } },
	{ "reload", cmd_reload, false, { { NULL, 0, false, 0, 0 } } },
};
#define CTL_NCMDS	(sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

static json_t	*table_stations(struct ctl_req *);
static json_t	*table_vns(struct ctl_req *);
static json_t	*table_tsis(struct ctl_req *);
static json_t	*table_ports(struct ctl_req *);
static json_t	*table_counters(struct ctl_req *);

static const struct {
	const char	*name;
	json_t		*(*fn)(struct ctl_req *r);
} ctl_tables[] = {
	{ "stations", table_stations },
	{ "vns", table_vns },
	{ "tsis", table_tsis },
	{ "ports", table_ports },
	{ "counters", table_counters },
};
#define CTL_NTABLES	(sizeof(ctl_tables) / sizeof(ctl_tables[0]))

/* ---- row helpers ------------------------------------------------------ */

/* Seconds from then to now, 3 decimals (0 for a time not yet set). */
static double
ctl_secs(uint64_t now, uint64_t then)
{
	if (then == 0 || then > now)
		return 0.0;
	return (double)((now - then) / USEC_PER_MSEC) / 1000.0;
}

static void
set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, json_string(v));
}

static void
set_int(json_t *o, const char *k, uint64_t v)
{
	json_object_set_new(o, k, json_integer(v > (uint64_t)LLONG_MAX ?
	    LLONG_MAX : (json_int_t)v));
}

static void
set_bool(json_t *o, const char *k, bool v)
{
	json_object_set_new(o, k, json_boolean(v));
}

static void
set_secs(json_t *o, const char *k, uint64_t now, uint64_t then)
{
	json_object_set_new(o, k, json_real(ctl_secs(now, then)));
}

/* A list of uint64_t fields of a counter struct, by their C names. */
struct ctl_ctr_field {
	const char	*name;
	size_t		 off;
};

#define CTR(s, f)	{ #f, offsetof(struct s, f) }

static const struct ctl_ctr_field nnved_ctr_fields[] = {
	CTR(nnved_counters, vn_connects),
	CTR(nnved_counters, vn_disconnects),
	CTR(nnved_counters, tsi_associates),
	CTR(nnved_counters, tsi_activates),
	CTR(nnved_counters, tsi_deactivates),
	CTR(nnved_counters, tsi_deassociates),
	CTR(nnved_counters, tsi_addr_updates),
	CTR(nnved_counters, tsi_port_moves),
	CTR(nnved_counters, refused_policy_station),
	CTR(nnved_counters, refused_policy_addr),
	CTR(nnved_counters, refused_addr_taken),
	CTR(nnved_counters, refused_no_vn),
	CTR(nnved_counters, refused_tags),
	CTR(nnved_counters, refused_vid_conflict),
	CTR(nnved_counters, refused_limit),
	CTR(nnved_counters, refused_format),
	CTR(nnved_counters, operator_deassoc),
	CTR(nnved_counters, operator_disconnect),
	CTR(nnved_counters, ka_timeouts),
};

static const struct ctl_ctr_field port_ctr_fields[] = {
	CTR(nnved_port_counters, rx_frames),
	CTR(nnved_port_counters, rx_bad),
	CTR(nnved_port_counters, rx_refused_station),
	CTR(nnved_port_counters, rx_station_limit),
	CTR(nnved_port_counters, tx_frames),
	CTR(nnved_port_counters, tx_errors),
	CTR(nnved_port_counters, lldp_rx),
	CTR(nnved_port_counters, lldp_tx),
	CTR(nnved_port_counters, lldp_bad),
};

/* A field added to nnved.h must be added above too. */
_Static_assert(sizeof(struct nnved_counters) == sizeof(nnved_ctr_fields) /
    sizeof(nnved_ctr_fields[0]) * sizeof(uint64_t),
    "nnved_ctr_fields does not list every field of struct nnved_counters");
_Static_assert(sizeof(struct nnved_port_counters) == sizeof(port_ctr_fields) /
    sizeof(port_ctr_fields[0]) * sizeof(uint64_t),
    "port_ctr_fields does not list every field of struct "
    "nnved_port_counters");

static void
set_ctrs(json_t *o, const void *base, const struct ctl_ctr_field *f,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v;

		memcpy(&v, (const char *)base + f[i].off, sizeof(v));
		set_int(o, f[i].name, v);
	}
}

/* ---- tables ----------------------------------------------------------- */

static json_t *
table_stations(struct ctl_req *r)
{
	json_t *rows = json_array();

	for (unsigned i = 0; i < r->d->nports; i++) {
		struct nnved_port *p = &r->d->ports[i];
		struct hmap_iter it;
		struct hnode *n;

		hmap_iter_init(&p->stations, &it);
		while ((n = hmap_iter_next(&p->stations, &it)) != NULL) {
			struct nnved_station *st =
			    HMAP_CONTAINER(n, struct nnved_station, node);
			json_t *o = json_object();
			char mac[18], auth[16];

			if (st->key_id < 0)
				snprintf(auth, sizeof(auth), "none");
			else
				snprintf(auth, sizeof(auth), "key %d",
				    st->key_id);
			set_str(o, "port", p->ifname);
			set_str(o, "mac", mac_fmt(st->mac, mac));
			set_str(o, "auth", auth);
			set_int(o, "vsis", st->nvsi);
			set_secs(o, "age", r->now, st->first_seen);
			set_secs(o, "idle", r->now, st->last_seen);
			set_int(o, "ecp_tx_pdus", st->ecp.ctr.tx_pdus);
			set_int(o, "ecp_rx_pdus", st->ecp.ctr.rx_pdus);
			set_int(o, "ecp_retrans", st->ecp.ctr.tx_retrans);
			set_int(o, "ecp_tx_errors", st->ecp.ctr.tx_errors);
			set_int(o, "auth_ok", st->ctr.auth_ok);
			set_int(o, "auth_fail", st->ctr.auth_fail);
			set_int(o, "auth_replay", st->ctr.auth_replay);
			set_int(o, "refused", st->ctr.refused);
			set_int(o, "requests", st->ctr.requests);
			set_int(o, "keepalives", st->ctr.keepalives);
			set_int(o, "bad_pdus", st->ctr.rx_bad_pdus);
			json_array_append_new(rows, o);
		}
	}
	return rows;
}

static json_t *
table_vns(struct ctl_req *r)
{
	json_t *rows = json_array();

	for (struct nnved_domain *dom = r->d->domains; dom != NULL;
	    dom = dom->next) {
		struct hmap_iter it;
		struct hnode *n;

		hmap_iter_init(&dom->vaps, &it);
		while ((n = hmap_iter_next(&dom->vaps, &it)) != NULL) {
			struct nnved_vap *vap =
			    HMAP_CONTAINER(n, struct nnved_vap, node);
			const struct nvo3_vap *m = &vap->m;
			json_t *o = json_object(), *tags = json_array();

			for (unsigned t = 0; t < m->ntags &&
			    t < NVO3_VAP_MAX_TAGS; t++)
				json_array_append_new(tags,
				    json_integer(m->tags[t]));
			set_str(o, "domain", dom->name);
			set_int(o, "vn", m->vn);
			set_int(o, "context", m->context);
			set_str(o, "state", m->state < NVO3_VAP__COUNT ?
			    nvo3_vap_state_names[m->state] : "?");
			json_object_set_new(o, "tags", tags);
			set_int(o, "num_tsi", m->num_tsi);
			set_bool(o, "pinned", m->pinned);
			set_secs(o, "age", r->now, m->since);
			json_array_append_new(rows, o);
		}
	}
	return rows;
}

/* "M", "S", "M+S" or "-" from the M/S bits of the last request. */
static const char *
migration_name(uint8_t hints)
{
	bool m = hints & VDP_ST_MBIT, s = hints & VDP_ST_SBIT;

	if (m && s)
		return "M+S";
	if (m)
		return "M";
	if (s)
		return "S";
	return "-";
}

/* VSI ID text of v as vdp_vsiid_fmt writes it ("" when it cannot). */
static void
vsi_id_text(const struct nnved_vsi *v, char out[VDP_VSIID_STRLEN])
{
	if (vdp_vsiid_fmt(v->tsi.id_fmt, v->tsi.id, out,
	    VDP_VSIID_STRLEN) < 0)
		out[0] = '\0';
}

static json_t *
tsi_row(const struct nnved_vsi *v, uint64_t now)
{
	const struct vdp_vsi_tlv *id = v->br.conf_mode ? &v->br.conf :
	    &v->br.req;
	json_t *o = json_object(), *addrs = json_array();
	char text[VDP_VSIID_STRLEN], mac[18];

	for (unsigned i = 0; i < v->tsi.naddr && i < NVO3_TSI_MAX_ADDR;
	    i++) {
		char a[NVO3_ADDR_STRLEN];

		if (nvo3_addr_fmt(&v->tsi.addr[i], a, sizeof(a)) < 0)
			snprintf(a, sizeof(a), "?");
		json_array_append_new(addrs, json_string(a));
	}
	vsi_id_text(v, text);
	set_str(o, "port", v->st->port->ifname);
	set_str(o, "station", mac_fmt(v->st->mac, mac));
	set_str(o, "vsiid", text);
	set_str(o, "vsiid_fmt", vdp_vsiid_fmt_name(v->tsi.id_fmt));
	set_int(o, "type_id", id->type_id);
	set_int(o, "type_ver", id->type_ver);
	set_str(o, "vdp_mode", v->br.conf_mode ?
	    vdp_mode_name(v->br.conf_mode) : "-");
	set_str(o, "vdp_state", v->br.state < VDP_BRS__COUNT ?
	    vdp_br_state_names[v->br.state] : "?");
	set_str(o, "state", v->tsi.state < NVO3_TSI__COUNT ?
	    nvo3_tsi_state_names[v->tsi.state] : "?");
	set_int(o, "vn", v->tsi.vn);
	set_int(o, "vid", v->tsi.vid);
	json_object_set_new(o, "addresses", addrs);
	set_str(o, "migration", migration_name(v->tsi.hints));
	set_int(o, "reason", v->tsi.reason);
	set_int(o, "keepalives", v->keepalives);
	set_secs(o, "age", now, v->created);
	return o;
}

static json_t *
table_tsis(struct ctl_req *r)
{
	json_t *rows = json_array();
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&r->d->vsis, &it);
	while ((n = hmap_iter_next(&r->d->vsis, &it)) != NULL)
		json_array_append_new(rows, tsi_row(HMAP_CONTAINER(n,
		    struct nnved_vsi, node), r->now));
	return rows;
}

static json_t *
table_ports(struct ctl_req *r)
{
	json_t *rows = json_array();

	for (unsigned i = 0; i < r->d->nports; i++) {
		const struct nnved_port *p = &r->d->ports[i];
		const struct evb_oper *op = &p->agent.oper;
		json_t *o = json_object();
		char caps[128];

		nvo3_caps_format(p->agent.caps, caps, sizeof(caps));
		set_str(o, "name", p->ifname);
		if (p->dom != NULL)
			set_str(o, "domain", p->dom->name);
		else
			json_object_set_new(o, "domain", json_null());
		set_bool(o, "open", p->open);
		set_bool(o, "lldp_peer", p->agent.has_peer);
		if (op->peer_ok)
			json_object_set_new(o, "evb", json_pack(
			    "{s:i,s:i,s:i,s:i}", "r", op->r, "rte", op->rte,
			    "rwd", op->rwd, "rka", op->rka));
		else
			json_object_set_new(o, "evb", json_null());
		set_str(o, "caps", caps);
		set_int(o, "stations", hmap_count(&p->stations));
		set_ctrs(o, &p->ctr, port_ctr_fields,
		    sizeof(port_ctr_fields) / sizeof(port_ctr_fields[0]));
		json_array_append_new(rows, o);
	}
	return rows;
}

static json_t *
table_counters(struct ctl_req *r)
{
	json_t *o = json_object();

	set_ctrs(o, &r->d->ctr, nnved_ctr_fields,
	    sizeof(nnved_ctr_fields) / sizeof(nnved_ctr_fields[0]));
	set_int(o, "vsis", hmap_count(&r->d->vsis));
	set_int(o, "stations", r->d->nstations);
	set_int(o, "addrs", hmap_count(&r->d->addrs));
	return json_pack("[o]", o);
}

/* ---- commands --------------------------------------------------------- */

/* "a, b, c" from a name list, for "valid: ..." errors. */
static void
names_join(char *out, size_t sz, const char *(*name)(size_t), size_t n)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && o < sz; i++) {
		int w = snprintf(out + o, sz - o, "%s%s", i ? ", " : "",
		    name(i));

		if (w < 0)
			break;
		o += (size_t)w;
	}
}

static const char *
table_name(size_t i)
{
	return ctl_tables[i].name;
}

static const char *
cmd_name(size_t i)
{
	return ctl_cmds[i].name;
}

static json_t *
cmd_show(struct ctl_req *r)
{
	const char *t = json_string_value(json_object_get(r->args, "table"));
	char valid[128];

	for (size_t i = 0; i < CTL_NTABLES; i++)
		if (strcmp(ctl_tables[i].name, t) == 0)
			return ctl_tables[i].fn(r);
	names_join(valid, sizeof(valid), table_name, CTL_NTABLES);
	snprintf(r->err, sizeof(r->err), "unknown table \"%.64s\" (valid: %s)",
	    t, valid);
	return NULL;
}

/* A VSI picked for de-association; hash kept to find it again safely. */
struct ctl_pick {
	struct nnved_vsi *v;
	uint32_t	 hash;
};

/* 1 if v (possibly freed: compared, never read) is still in d->vsis. */
static bool
vsi_still_there(struct nnved *d, const struct ctl_pick *pk)
{
	struct hnode *n;

	HMAP_FOR_HASH(n, &d->vsis, pk->hash)
		if (n == &pk->v->node)
			return true;
	return false;
}

static json_t *
cmd_tsi_deassoc(struct ctl_req *r)
{
	const char *want = json_string_value(json_object_get(r->args,
	    "vsiid"));
	const char *port = json_string_value(json_object_get(r->args, "port"));
	struct ctl_pick *picks = NULL;
	size_t npicks = 0, cap = 0, done = 0;
	struct hmap_iter it;
	struct hnode *n;
	int first_err = 0;

	/*
	 * Pick first, act after: de-associating may remove the VSI (and
	 * in principle others) from d->vsis while we would be walking it.
	 */
	hmap_iter_init(&r->d->vsis, &it);
	while ((n = hmap_iter_next(&r->d->vsis, &it)) != NULL) {
		struct nnved_vsi *v = HMAP_CONTAINER(n, struct nnved_vsi, node);
		char text[VDP_VSIID_STRLEN];

		vsi_id_text(v, text);
		if (strcasecmp(text, want) != 0)
			continue;
		if (port != NULL && strcmp(v->st->port->ifname, port) != 0)
			continue;
		if (npicks == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct ctl_pick *np = realloc(picks,
			    ncap * sizeof(*np));

			if (np == NULL) {
				free(picks);
				snprintf(r->err, sizeof(r->err),
				    "tsi-deassociate: %s", strerror(ENOMEM));
				return NULL;
			}
			picks = np;
			cap = ncap;
		}
		picks[npicks].v = v;
		picks[npicks].hash = n->hash;
		npicks++;
	}
	if (npicks == 0) {
		free(picks);
		snprintf(r->err, sizeof(r->err), "no such TSI");
		return NULL;
	}
	log_info("control: tsi-deassociate %s%s%s (%zu VSI%s) by client %llu",
	    want, port ? " port " : "", port ? port : "", npicks,
	    npicks == 1 ? "" : "s", (unsigned long long)r->client);
	for (size_t i = 0; i < npicks; i++) {
		int rc;

		if (!vsi_still_there(r->d, &picks[i]))
			continue;
		rc = vsi_operator_deassoc(picks[i].v, r->now);
		if (rc < 0) {
			if (first_err == 0)
				first_err = rc;
			continue;
		}
		done++;
	}
	free(picks);
	if (done == 0 && first_err < 0) {
		snprintf(r->err, sizeof(r->err), "tsi-deassociate %.64s: %s",
		    want, strerror(-first_err));
		return NULL;
	}
	return json_pack("{s:I}", "deassociated", (json_int_t)done);
}

/* The domain named in the request, or NULL with r->err set. */
static struct nnved_domain *
req_domain(struct ctl_req *r, const char **name)
{
	struct nnved_domain *dom;

	*name = json_string_value(json_object_get(r->args, "domain"));
	dom = vsi_domain_find(r->d, *name);
	if (dom == NULL)
		snprintf(r->err, sizeof(r->err), "%s: no such domain \"%.64s\"",
		    r->cmd->name, *name);
	return dom;
}

static json_t *
cmd_vn_connect(struct ctl_req *r)
{
	json_t *jvid = json_object_get(r->args, "vid");
	uint32_t vn = (uint32_t)json_integer_value(json_object_get(r->args,
	    "vn"));
	uint16_t vid = jvid ? (uint16_t)json_integer_value(jvid) : 0;
	struct nnved_domain *dom;
	const char *name;
	int rc;

	if ((dom = req_domain(r, &name)) == NULL)
		return NULL;
	log_info("control: vn-connect vn %u domain %s vid %u by client %llu",
	    vn, name, vid, (unsigned long long)r->client);
	rc = vsi_vn_connect(r->d, dom, vn, vid, r->now);
	if (rc < 0) {
		snprintf(r->err, sizeof(r->err),
		    "vn-connect vn %u domain %.64s: %s", vn, name,
		    strerror(-rc));
		return NULL;
	}
	return json_pack("{s:i}", "vid", rc);
}

static json_t *
cmd_vn_disconnect(struct ctl_req *r)
{
	uint32_t vn = (uint32_t)json_integer_value(json_object_get(r->args,
	    "vn"));
	struct nnved_domain *dom;
	const char *name;
	int rc;

	if ((dom = req_domain(r, &name)) == NULL)
		return NULL;
	log_info("control: vn-disconnect vn %u domain %s by client %llu",
	    vn, name, (unsigned long long)r->client);
	rc = vsi_vn_disconnect(r->d, dom, vn, r->now);
	if (rc < 0) {
		snprintf(r->err, sizeof(r->err),
		    "vn-disconnect vn %u domain %.64s: %s", vn, name,
		    rc == -ENOENT ? "VN not connected there" : strerror(-rc));
		return NULL;
	}
	return json_object();
}

static json_t *
cmd_reload(struct ctl_req *r)
{
	int rc;

	log_info("control: reload by client %llu",
	    (unsigned long long)r->client);
	rc = nnved_reload(r->d);
	if (rc < 0) {
		const char *path = r->d->conf_path ? r->d->conf_path :
		    r->d->conf.path;

		snprintf(r->err, sizeof(r->err), "reload%s%.128s: %s%s",
		    path[0] ? " of " : "", path, strerror(-rc),
		    rc == -EINVAL ? " (errors logged; old config kept)" : "");
		return NULL;
	}
	return json_object();
}

/* ---- request -> reply ------------------------------------------------- */

static const char *
type_name(const struct ctl_arg *a)
{
	return a->type == CTL_T_STRING ? "a string" : "an integer";
}

/* Checks the request's members against c->args: 0, or -1 with r->err. */
static int
check_args(struct ctl_req *r, const struct ctl_cmd *c)
{
	const char *key;
	json_t *val;

	json_object_foreach(r->args, key, val) {
		const struct ctl_arg *a = NULL;

		if (strcmp(key, "cmd") == 0)
			continue;
		for (size_t i = 0; i < CTL_MAX_ARGS && c->args[i].name; i++)
			if (strcmp(c->args[i].name, key) == 0)
				a = &c->args[i];
		if (a == NULL) {
			snprintf(r->err, sizeof(r->err),
			    "%s: unknown argument \"%.64s\"", c->name, key);
			return -1;
		}
		if ((a->type == CTL_T_STRING && !json_is_string(val)) ||
		    (a->type == CTL_T_UINT && (!json_is_integer(val) ||
		    json_integer_value(val) < a->min ||
		    json_integer_value(val) > a->max))) {
			if (a->type == CTL_T_UINT)
				snprintf(r->err, sizeof(r->err), "%s: \"%s\" "
				    "must be an integer in %lld..%lld", c->name,
				    a->name, (long long)a->min,
				    (long long)a->max);
			else
				snprintf(r->err, sizeof(r->err),
				    "%s: \"%s\" must be %s", c->name, a->name,
				    type_name(a));
			return -1;
		}
	}
	for (size_t i = 0; i < CTL_MAX_ARGS && c->args[i].name; i++) {
		if (c->args[i].required &&
		    json_object_get(r->args, c->args[i].name) == NULL) {
			snprintf(r->err, sizeof(r->err),
			    "%s: missing \"%s\" (%s)", c->name,
			    c->args[i].name, type_name(&c->args[i]));
			return -1;
		}
	}
	return 0;
}

static json_t *
reply_error(const char *msg)
{
	return json_pack("{s:b,s:s}", "ok", 0, "error", msg);
}

/*
 * Serves one request line: parse, check, dispatch.  Returns the reply
 * (never NULL unless out of memory).
 */
static json_t *
ctl_serve(struct nnved *d, uint64_t client, const char *line, size_t len)
{
	struct ctl_req r;
	json_error_t jerr;
	json_t *cmd, *res, *reply;
	const char *name;
	char valid[128];

	memset(&r, 0, sizeof(r));
	r.d = d;
	r.client = client;
	r.now = mono_us();
	r.args = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (r.args == NULL) {
		snprintf(r.err, sizeof(r.err),
		    "malformed JSON at column %d: %s", jerr.column, jerr.text);
		return reply_error(r.err);
	}
	names_join(valid, sizeof(valid), cmd_name, CTL_NCMDS);
	if (!json_is_object(r.args)) {
		reply = reply_error("a request is a JSON object");
		goto out;
	}
	cmd = json_object_get(r.args, "cmd");
	if (!json_is_string(cmd)) {
		snprintf(r.err, sizeof(r.err),
		    "missing \"cmd\" string (valid: %s)", valid);
		reply = reply_error(r.err);
		goto out;
	}
	name = json_string_value(cmd);
	for (size_t i = 0; i < CTL_NCMDS; i++)
		if (strcmp(ctl_cmds[i].name, name) == 0)
			r.cmd = &ctl_cmds[i];
	if (r.cmd == NULL) {
		snprintf(r.err, sizeof(r.err),
		    "unknown cmd \"%.64s\" (valid: %s)", name, valid);
		reply = reply_error(r.err);
		goto out;
	}
	if (check_args(&r, r.cmd) < 0) {
		reply = reply_error(r.err);
		goto out;
	}
	log_debug("control: %s by client %llu", r.cmd->name,
	    (unsigned long long)client);
	res = r.cmd->fn(&r);
	if (res == NULL) {
		if (r.err[0] == '\0')
			snprintf(r.err, sizeof(r.err), "%s: %s", r.cmd->name,
			    strerror(ENOMEM));
		if (r.cmd->fn != cmd_show)
			log_info("control: %s by client %llu failed: %s",
			    r.cmd->name, (unsigned long long)client, r.err);
		reply = reply_error(r.err);
		goto out;
	}
	reply = json_pack("{s:b,s:o}", "ok", 1, r.cmd->rows ? "rows" :
	    "result", res);
out:
	json_decref(r.args);
	return reply;
}

/* ---- sockets ---------------------------------------------------------- */

struct ctl_write {
	uv_write_t	 req;
	char		*text;
};

static void	client_close(struct ctl_client *cl);

static void
ctl_release(struct nnved_ctl *c)
{
	if (--c->handles == 0 && c->closing)
		free(c);
}

static void
client_closed(uv_handle_t *h)
{
	struct ctl_client *cl = h->data;
	struct nnved_ctl *c = cl->ctl;

	if (cl->pprev != NULL) {
		*cl->pprev = cl->next;
		if (cl->next != NULL)
			cl->next->pprev = cl->pprev;
		c->nclients--;
	}
	free(cl->buf);
	free(cl);
	ctl_release(c);
}

static void
client_close(struct ctl_client *cl)
{
	if (!uv_is_closing((uv_handle_t *)&cl->pipe))
		uv_close((uv_handle_t *)&cl->pipe, client_closed);
}

static void	client_alloc(uv_handle_t *, size_t, uv_buf_t *);
static void	client_read(uv_stream_t *, ssize_t, const uv_buf_t *);

static void
client_written(uv_write_t *req, int status)
{
	struct ctl_write *w = (struct ctl_write *)req;
	struct ctl_client *cl = req->handle->data;

	free(w->text);
	free(w);
	if (status < 0) {
		if (status != UV_ECANCELED) {
			log_debug("control: client %llu: write: %s",
			    (unsigned long long)cl->id, uv_strerror(status));
			client_close(cl);
		}
		return;
	}
	if (cl->paused && !cl->done &&
	    !uv_is_closing((uv_handle_t *)&cl->pipe) &&
	    uv_stream_get_write_queue_size((uv_stream_t *)&cl->pipe) <
	    CTL_WQ_HIGH / 2) {
		cl->paused = false;
		if (uv_read_start((uv_stream_t *)&cl->pipe, client_alloc,
		    client_read) < 0)
			client_close(cl);
	}
}

static void
client_shut(uv_shutdown_t *req, int status)
{
	struct ctl_client *cl = req->handle->data;

	(void)status;
	free(req);
	client_close(cl);
}

/* Queues one reply line (takes reply). */
static void
client_send(struct ctl_client *cl, json_t *reply)
{
	struct ctl_write *w;
	char *text;
	size_t n;
	uv_buf_t b;

	if (reply == NULL || (text = json_dumps(reply, CTL_DUMP_FLAGS)) ==
	    NULL) {
		json_decref(reply);
		log_warn("control: client %llu: reply: %s",
		    (unsigned long long)cl->id, strerror(ENOMEM));
		client_close(cl);
		return;
	}
	json_decref(reply);
	n = strlen(text);
	/* json_dumps allocates exactly n + 1: make room for the newline. */
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->text = realloc(text, n + 2)) == NULL) {
		free(w);
		free(text);
		client_close(cl);
		return;
	}
	w->text[n] = '\n';
	w->text[n + 1] = '\0';
	b = uv_buf_init(w->text, (unsigned)(n + 1));
	if (uv_write(&w->req, (uv_stream_t *)&cl->pipe, &b, 1,
	    client_written) < 0) {
		free(w->text);
		free(w);
		client_close(cl);
		return;
	}
	if (!cl->done && !cl->paused &&
	    uv_stream_get_write_queue_size((uv_stream_t *)&cl->pipe) >
	    CTL_WQ_HIGH) {
		cl->paused = true;
		uv_read_stop((uv_stream_t *)&cl->pipe);
	}
}

/* No more requests from cl: close once every reply is written. */
static void
client_finish(struct ctl_client *cl)
{
	uv_shutdown_t *req;

	if (cl->done)
		return;
	cl->done = true;
	uv_read_stop((uv_stream_t *)&cl->pipe);
	req = calloc(1, sizeof(*req));
	if (req == NULL || uv_shutdown(req, (uv_stream_t *)&cl->pipe,
	    client_shut) < 0) {
		free(req);
		client_close(cl);
	}
}

static void
client_line(struct ctl_client *cl, const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return;		/* blank lines between requests */
	client_send(cl, ctl_serve(cl->ctl->d, cl->id, line, len));
}

/* Serves every complete line in cl->buf; keeps the partial rest. */
static void
client_lines(struct ctl_client *cl)
{
	size_t start = 0;
	char *nl;

	while (!cl->done && !uv_is_closing((uv_handle_t *)&cl->pipe) &&
	    (nl = memchr(cl->buf + start, '\n', cl->len - start)) != NULL) {
		size_t len = (size_t)(nl - (cl->buf + start));

		if (len > CTL_LINE_MAX)
			break;
		client_line(cl, cl->buf + start, len);
		start += len + 1;
	}
	if (cl->done || uv_is_closing((uv_handle_t *)&cl->pipe))
		return;
	memmove(cl->buf, cl->buf + start, cl->len - start);
	cl->len -= start;
	if (cl->len > CTL_LINE_MAX) {
		char msg[80];

		log_info("control: client %llu: request line over %d octets, "
		    "closing", (unsigned long long)cl->id, CTL_LINE_MAX);
		snprintf(msg, sizeof(msg), "request line longer than %d octets",
		    CTL_LINE_MAX);
		client_send(cl, reply_error(msg));
		client_finish(cl);
	}
}

static void
client_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct ctl_client *cl = h->data;

	(void)suggested;
	*buf = uv_buf_init(cl->ctl->rbuf, sizeof(cl->ctl->rbuf));
}

static void
client_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct ctl_client *cl = s->data;

	if (nread == UV_EOF) {
		/* A last request without its newline still counts. */
		if (cl->len > 0 && cl->len <= CTL_LINE_MAX)
			client_line(cl, cl->buf, cl->len);
		cl->len = 0;
		if (!uv_is_closing((uv_handle_t *)&cl->pipe))
			client_finish(cl);
		return;
	}
	if (nread < 0) {
		log_debug("control: client %llu: read: %s",
		    (unsigned long long)cl->id, uv_strerror((int)nread));
		client_close(cl);
		return;
	}
	if (nread == 0 || cl->done)
		return;
	if (cl->len + (size_t)nread > cl->cap) {
		size_t ncap = cl->len + (size_t)nread;
		char *nb;

		if (ncap < 4096)
			ncap = 4096;
		nb = realloc(cl->buf, ncap);
		if (nb == NULL) {
			client_close(cl);
			return;
		}
		cl->buf = nb;
		cl->cap = ncap;
	}
	memcpy(cl->buf + cl->len, buf->base, (size_t)nread);
	cl->len += (size_t)nread;
	client_lines(cl);
}

static void
ctl_accept(uv_stream_t *server, int status)
{
	struct nnved_ctl *c = server->data;
	struct ctl_client *cl;

	if (status < 0) {
		log_warn("control: accept: %s", uv_strerror(status));
		return;
	}
	cl = calloc(1, sizeof(*cl));
	if (cl == NULL || uv_pipe_init(&c->d->loop.uv, &cl->pipe, 0) < 0) {
		/* The connection stays in the backlog until the next try. */
		free(cl);
		log_warn("control: accept: %s", strerror(ENOMEM));
		return;
	}
	cl->ctl = c;
	cl->pipe.data = cl;
	c->handles++;
	if (uv_accept(server, (uv_stream_t *)&cl->pipe) < 0) {
		client_close(cl);
		return;
	}
	cl->id = ++c->next_id;
	if (c->nclients >= CTL_MAX_CLIENTS) {
		log_warn("control: %u clients already, refusing client %llu",
		    c->nclients, (unsigned long long)cl->id);
		client_close(cl);
		return;
	}
	cl->next = c->clients;
	cl->pprev = &c->clients;
	if (c->clients != NULL)
		c->clients->pprev = &cl->next;
	c->clients = cl;
	c->nclients++;
	if (uv_read_start((uv_stream_t *)&cl->pipe, client_alloc,
	    client_read) < 0)
		client_close(cl);
	else
		log_debug("control: client %llu connected",
		    (unsigned long long)cl->id);
}

static void
server_closed(uv_handle_t *h)
{
	ctl_release(h->data);
}

/* mkdir -p of path's parent directory (mode 0755 for those made). */
static int
make_parent(const char *path)
{
	char dir[sizeof(((struct nnved_conf *)0)->control)];
	char *p, save;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	strcpy(dir, path);
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		save = *p;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = save;
		if (save == '\0')
			break;
	}
	return 0;
}

/*
 * Removes a socket file left by a daemon that is gone.  -EADDRINUSE if
 * something still accepts on it, -EEXIST if it is not a socket.
 */
static int
unlink_stale(const char *path)
{
	struct sockaddr_un sun;
	struct stat sb;
	int fd, rc;

	if (lstat(path, &sb) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(sb.st_mode))
		return -EEXIST;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
ctl_open(struct nnved *d)
{
	struct nnved_ctl *c;
	const char *path = d->conf.control[0] ? d->conf.control :
	    NNVED_SOCK_DEFAULT;
	mode_t old;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("control: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	c->d = d;
	snprintf(c->path, sizeof(c->path), "%s", path);
	if ((rc = make_parent(path)) < 0) {
		log_warn("control: cannot create the directory of %s: %s",
		    path, strerror(-rc));
		free(c);
		return rc;
	}
	if ((rc = unlink_stale(path)) < 0) {
		log_warn("control: %s: %s", path, rc == -EADDRINUSE ?
		    "another daemon answers on it" : rc == -EEXIST ?
		    "exists and is not a socket" : strerror(-rc));
		free(c);
		return rc;
	}
	if ((rc = uv_pipe_init(&d->loop.uv, &c->server, 0)) < 0) {
		log_warn("control: %s: %s", path, uv_strerror(rc));
		free(c);
		return rc;
	}
	c->server.data = c;
	c->handles = 1;
	old = umask(0117);		/* the socket is born 0660 */
	rc = uv_pipe_bind(&c->server, path);
	umask(old);
	if (rc == 0 && chmod(path, 0660) < 0)
		rc = -errno;
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&c->server, 16, ctl_accept);
	if (rc < 0) {
		log_warn("control: %s: %s", path, strerror(-rc));
		c->closing = true;
		uv_close((uv_handle_t *)&c->server, server_closed);
		unlink(path);
		return rc;
	}
	c->listening = true;
	d->ctl = c;
	log_info("control: listening on %s", path);
	return 0;
}

/*
 * Stops listening, removes the socket file and drops every client
 * (replies not yet written are lost).  Memory goes with the last close
 * callback, so call this before sn_loop_close().
 */
void
ctl_close(struct nnved *d)
{
	struct nnved_ctl *c = d->ctl;

	if (c == NULL)
		return;
	d->ctl = NULL;
	c->closing = true;
	for (struct ctl_client *cl = c->clients; cl != NULL; cl = cl->next)
		client_close(cl);
	if (c->listening) {
		unlink(c->path);
		c->listening = false;
	}
	uv_close((uv_handle_t *)&c->server, server_closed);
}
