/*
 * control.c - nnved's control socket: the commands nvectl(8) sends and
 * the tables it shows.
 *
 * Owns struct nnved_ctl (nnved's handle on its lib/ctl server) and the
 * command table below.  Runs in nnved's one thread, on its libuv loop.
 * The socket, the framing (one JSON object per line each way, replies
 * in request order), the argument checks and flow control are lib/ctl's
 * (ctl/ctl.h); this file only builds the answers.  Handlers read the
 * run-time state of nnved.h directly and change it only through vsi.c
 * (operator de-associate, VN connect/disconnect) and nnved.c (reload).
 * Every handler answers before it returns, except fib-lookup when it
 * asks the NVA: nva.c calls it back with the Answer (or the failure).
 *
 * Tables are built whole from the maps in memory: "show tsis" with a
 * million VSIs is one large reply built in one loop turn.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "ctl/ctl.h"
#include "nnved.h"
#include "nva/nva.h"
#include "nva/nva_client.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mtime.h"

/* nnved.h names the server by this type; it only holds lib/ctl's. */
struct nnved_ctl {
	struct ctl_server *srv;
};

static void	cmd_show(struct ctl_req *, void *);
static void	cmd_tsi_deassoc(struct ctl_req *, void *);
static void	cmd_vn_connect(struct ctl_req *, void *);
static void	cmd_vn_disconnect(struct ctl_req *, void *);
static void	cmd_reload(struct ctl_req *, void *);
static void	cmd_nva_show(struct ctl_req *, void *);
static void	cmd_fib_show(struct ctl_req *, void *);
static void	cmd_fib_lookup(struct ctl_req *, void *);

static const struct ctl_cmd nnved_cmds[] = {
	{ "show", cmd_show, {
		{ "table", CTL_T_STRING, true, 0, 0 } } },
	{ "tsi-deassociate", cmd_tsi_deassoc, {
		{ "vsiid", CTL_T_STRING, true, 0, 0 },
		{ "port", CTL_T_STRING, false, 0, 0 } } },
	{ "vn-connect", cmd_vn_connect, {
		{ "domain", CTL_T_STRING, true, 0, 0 },
		{ "vn", CTL_T_UINT, true, 1, NVO3_VN_MAX },
		{ "vid", CTL_T_UINT, false, 0, NVO3_VID_MAX } } },
	{ "vn-disconnect", cmd_vn_disconnect, {
		{ "domain", CTL_T_STRING, true, 0, 0 },
		{ "vn", CTL_T_UINT, true, 1, NVO3_VN_MAX } } },
	{ "reload", cmd_reload, { { NULL, 0, false, 0, 0 } } },
	{ "nva-show", cmd_nva_show, { { NULL, 0, false, 0, 0 } } },
	{ "fib-show", cmd_fib_show, {
		{ "vn", CTL_T_UINT, false, 1, NVA_VN_MAX } } },
	{ "fib-lookup", cmd_fib_lookup, {
		{ "vn", CTL_T_UINT, true, 1, NVA_VN_MAX },
		{ "addr", CTL_T_STRING, true, 0, 0 } } },
};
#define NNVED_NCMDS	(sizeof(nnved_cmds) / sizeof(nnved_cmds[0]))

static json_t	*table_stations(struct nnved *, uint64_t);
static json_t	*table_vns(struct nnved *, uint64_t);
static json_t	*table_tsis(struct nnved *, uint64_t);
static json_t	*table_ports(struct nnved *, uint64_t);
static json_t	*table_counters(struct nnved *, uint64_t);

static const struct {
	const char	*name;
	json_t		*(*fn)(struct nnved *d, uint64_t now);
} nnved_tables[] = {
	{ "stations", table_stations },
	{ "vns", table_vns },
	{ "tsis", table_tsis },
	{ "ports", table_ports },
	{ "counters", table_counters },
};
#define NNVED_NTABLES	(sizeof(nnved_tables) / sizeof(nnved_tables[0]))

/* ---- counters ------------------------------------------------------------ */

#define CTR(s, f)	{ #f, offsetof(struct s, f) }

static const struct ctl_counter_field nnved_ctr_fields[] = {
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
	CTR(nnved_counters, authorize_sent),
	CTR(nnved_counters, verdict_allow),
	CTR(nnved_counters, verdict_refuse),
	CTR(nnved_counters, authorize_fallback),
	CTR(nnved_counters, refused_nva),
	CTR(nnved_counters, refused_no_nva),
};

static const struct ctl_counter_field port_ctr_fields[] = {
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

static const struct ctl_counter_field nvc_ctr_fields[] = {
	CTR(nvc_counters, connects),
	CTR(nvc_counters, sessions),
	CTR(nvc_counters, hello_fail),
	CTR(nvc_counters, ka_lost),
	CTR(nvc_counters, tx_msgs),
	CTR(nvc_counters, rx_msgs),
	CTR(nvc_counters, rx_bad),
	CTR(nvc_counters, reports),
	CTR(nvc_counters, withdraws),
	CTR(nvc_counters, refused),
	CTR(nvc_counters, updates),
	CTR(nvc_counters, moved),
	CTR(nvc_counters, queries),
	CTR(nvc_counters, answers),
	CTR(nvc_counters, query_timeouts),
	CTR(nvc_counters, resyncs_full),
	CTR(nvc_counters, resyncs_delta),
	CTR(nvc_counters, conflict_retries),
	CTR(nvc_counters, conflict_giveups),
};

static const struct ctl_counter_field nva_ctr_fields[] = {
	CTR(nnved_nva_counters, connect_errors),
	CTR(nnved_nva_counters, rx_undecodable),
	CTR(nnved_nva_counters, framing_errors),
	CTR(nnved_nva_counters, tx_errors),
	CTR(nnved_nva_counters, nva_errors),
	CTR(nnved_nva_counters, report_errors),
};

#define NFIELDS(a)	(sizeof(a) / sizeof((a)[0]))

/* A field added to nnved.h or nva_client.h must be added above too. */
_Static_assert(sizeof(struct nvc_counters) == NFIELDS(nvc_ctr_fields) *
    sizeof(uint64_t), "nvc_ctr_fields does not list every field of "
    "struct nvc_counters");
_Static_assert(sizeof(struct nnved_nva_counters) == NFIELDS(nva_ctr_fields) *
    sizeof(uint64_t), "nva_ctr_fields does not list every field of "
    "struct nnved_nva_counters");

_Static_assert(sizeof(struct nnved_counters) == sizeof(nnved_ctr_fields) /
    sizeof(nnved_ctr_fields[0]) * sizeof(uint64_t),
    "nnved_ctr_fields does not list every field of struct nnved_counters");
_Static_assert(sizeof(struct nnved_port_counters) == sizeof(port_ctr_fields) /
    sizeof(port_ctr_fields[0]) * sizeof(uint64_t),
    "port_ctr_fields does not list every field of struct "
    "nnved_port_counters");

/* ---- tables ------------------------------------------------------------ */

static json_t *
table_stations(struct nnved *d, uint64_t now)
{
	json_t *rows = json_array();

	for (unsigned i = 0; i < d->nports; i++) {
		struct nnved_port *p = &d->ports[i];
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
			ctl_set_str(o, "port", p->ifname);
			ctl_set_str(o, "mac", mac_fmt(st->mac, mac));
			ctl_set_str(o, "auth", auth);
			ctl_set_int(o, "vsis", st->nvsi);
			ctl_set_secs(o, "age", now, st->first_seen);
			ctl_set_secs(o, "idle", now, st->last_seen);
			ctl_set_int(o, "ecp_tx_pdus", st->ecp.ctr.tx_pdus);
			ctl_set_int(o, "ecp_rx_pdus", st->ecp.ctr.rx_pdus);
			ctl_set_int(o, "ecp_retrans", st->ecp.ctr.tx_retrans);
			ctl_set_int(o, "ecp_tx_errors", st->ecp.ctr.tx_errors);
			ctl_set_int(o, "auth_ok", st->ctr.auth_ok);
			ctl_set_int(o, "auth_fail", st->ctr.auth_fail);
			ctl_set_int(o, "auth_replay", st->ctr.auth_replay);
			ctl_set_int(o, "refused", st->ctr.refused);
			ctl_set_int(o, "requests", st->ctr.requests);
			ctl_set_int(o, "keepalives", st->ctr.keepalives);
			ctl_set_int(o, "bad_pdus", st->ctr.rx_bad_pdus);
			json_array_append_new(rows, o);
		}
	}
	return rows;
}

static json_t *
table_vns(struct nnved *d, uint64_t now)
{
	json_t *rows = json_array();

	for (struct nnved_domain *dom = d->domains; dom != NULL;
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
			ctl_set_str(o, "domain", dom->name);
			ctl_set_int(o, "vn", m->vn);
			ctl_set_int(o, "context", m->context);
			ctl_set_str(o, "state", m->state < NVO3_VAP__COUNT ?
			    nvo3_vap_state_names[m->state] : "?");
			json_object_set_new(o, "tags", tags);
			ctl_set_int(o, "num_tsi", m->num_tsi);
			ctl_set_bool(o, "pinned", m->pinned);
			ctl_set_secs(o, "age", now, m->since);
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
	ctl_set_str(o, "port", v->st->port->ifname);
	ctl_set_str(o, "station", mac_fmt(v->st->mac, mac));
	ctl_set_str(o, "vsiid", text);
	ctl_set_str(o, "vsiid_fmt", vdp_vsiid_fmt_name(v->tsi.id_fmt));
	ctl_set_int(o, "type_id", id->type_id);
	ctl_set_int(o, "type_ver", id->type_ver);
	ctl_set_str(o, "vdp_mode", v->br.conf_mode ?
	    vdp_mode_name(v->br.conf_mode) : "-");
	ctl_set_str(o, "vdp_state", v->br.state < VDP_BRS__COUNT ?
	    vdp_br_state_names[v->br.state] : "?");
	ctl_set_str(o, "state", v->tsi.state < NVO3_TSI__COUNT ?
	    nvo3_tsi_state_names[v->tsi.state] : "?");
	ctl_set_int(o, "vn", v->tsi.vn);
	ctl_set_int(o, "vid", v->tsi.vid);
	json_object_set_new(o, "addresses", addrs);
	ctl_set_str(o, "migration", migration_name(v->tsi.hints));
	ctl_set_int(o, "reason", v->tsi.reason);
	ctl_set_int(o, "keepalives", v->keepalives);
	/* who admitted its state; "pending" while the NVA decides */
	ctl_set_str(o, "authorized", v->held != NULL ? "pending" :
	    v->tsi.state == NVO3_TSI_INIT ? "-" :
	    v->admitted < NNVED_ADMIT__COUNT ?
	    nnved_admit_names[v->admitted] : "?");
	ctl_set_secs(o, "age", now, v->created);
	return o;
}

static json_t *
table_tsis(struct nnved *d, uint64_t now)
{
	json_t *rows = json_array();
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&d->vsis, &it);
	while ((n = hmap_iter_next(&d->vsis, &it)) != NULL)
		json_array_append_new(rows, tsi_row(HMAP_CONTAINER(n,
		    struct nnved_vsi, node), now));
	return rows;
}

static json_t *
table_ports(struct nnved *d, uint64_t now)
{
	json_t *rows = json_array();

	(void)now;

	for (unsigned i = 0; i < d->nports; i++) {
		const struct nnved_port *p = &d->ports[i];
		const struct evb_oper *op = &p->agent.oper;
		json_t *o = json_object();
		char caps[128];

		nvo3_caps_format(p->agent.caps, caps, sizeof(caps));
		ctl_set_str(o, "name", p->ifname);
		if (p->dom != NULL)
			ctl_set_str(o, "domain", p->dom->name);
		else
			json_object_set_new(o, "domain", json_null());
		ctl_set_bool(o, "open", p->open);
		ctl_set_bool(o, "lldp_peer", p->agent.has_peer);
		if (op->peer_ok)
			json_object_set_new(o, "evb", json_pack(
			    "{s:i,s:i,s:i,s:i}", "r", op->r, "rte", op->rte,
			    "rwd", op->rwd, "rka", op->rka));
		else
			json_object_set_new(o, "evb", json_null());
		ctl_set_str(o, "caps", caps);
		ctl_set_int(o, "stations", hmap_count(&p->stations));
		ctl_set_counters(o, &p->ctr, port_ctr_fields,
		    sizeof(port_ctr_fields) / sizeof(port_ctr_fields[0]));
		json_array_append_new(rows, o);
	}
	return rows;
}

static json_t *
table_counters(struct nnved *d, uint64_t now)
{
	json_t *o = json_object();

	(void)now;

	ctl_set_counters(o, &d->ctr, nnved_ctr_fields,
	    sizeof(nnved_ctr_fields) / sizeof(nnved_ctr_fields[0]));
	ctl_set_int(o, "vsis", hmap_count(&d->vsis));
	ctl_set_int(o, "stations", d->nstations);
	ctl_set_int(o, "addrs", hmap_count(&d->addrs));
	return json_pack("[o]", o);
}

/* ---- commands ------------------------------------------------------------ */

/*
 * A command that changes state failed: logged for the operator's trail,
 * then answered.
 */
static void __attribute__((format(printf, 2, 3)))
cmd_fail(struct ctl_req *r, const char *fmt, ...)
{
	char msg[CTL_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_info("control: %s by client %llu failed: %s",
	    ctl_req_cmd(r)->name, (unsigned long long)ctl_req_client(r), msg);
	ctl_reply_error(r, "%s", msg);
}

static void
cmd_show(struct ctl_req *r, void *arg)
{
	struct nnved *d = arg;
	const char *t = ctl_req_str(r, "table");
	char valid[128];
	size_t o = 0;

	for (size_t i = 0; i < NNVED_NTABLES; i++) {
		if (strcmp(nnved_tables[i].name, t) == 0) {
			ctl_reply_rows(r, nnved_tables[i].fn(d, mono_us()));
			return;
		}
	}
	valid[0] = '\0';
	for (size_t i = 0; i < NNVED_NTABLES && o < sizeof(valid); i++) {
		int w = snprintf(valid + o, sizeof(valid) - o, "%s%s",
		    i ? ", " : "", nnved_tables[i].name);

		if (w < 0)
			break;
		o += (size_t)w;
	}
	ctl_reply_error(r, "unknown table \"%.64s\" (valid: %s)", t, valid);
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

static void
cmd_tsi_deassoc(struct ctl_req *r, void *arg)
{
	struct nnved *d = arg;
	const char *want = ctl_req_str(r, "vsiid");
	const char *port = ctl_req_str(r, "port");
	struct ctl_pick *picks = NULL;
	size_t npicks = 0, cap = 0, done = 0;
	struct hmap_iter it;
	struct hnode *n;
	uint64_t now = mono_us();
	int first_err = 0;

	/*
	 * Pick first, act after: de-associating may remove the VSI (and
	 * in principle others) from d->vsis while we would be walking it.
	 */
	hmap_iter_init(&d->vsis, &it);
	while ((n = hmap_iter_next(&d->vsis, &it)) != NULL) {
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
				cmd_fail(r, "tsi-deassociate: %s",
				    strerror(ENOMEM));
				return;
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
		cmd_fail(r, "no such TSI");
		return;
	}
	log_info("control: tsi-deassociate %s%s%s (%zu VSI%s) by client %llu",
	    want, port ? " port " : "", port ? port : "", npicks,
	    npicks == 1 ? "" : "s", (unsigned long long)ctl_req_client(r));
	for (size_t i = 0; i < npicks; i++) {
		int rc;

		if (!vsi_still_there(d, &picks[i]))
			continue;
		rc = vsi_operator_deassoc(picks[i].v, now);
		if (rc < 0) {
			if (first_err == 0)
				first_err = rc;
			continue;
		}
		done++;
	}
	free(picks);
	if (done == 0 && first_err < 0) {
		cmd_fail(r, "tsi-deassociate %.64s: %s", want,
		    strerror(-first_err));
		return;
	}
	ctl_reply_result(r, json_pack("{s:I}", "deassociated",
	    (json_int_t)done));
}

/* The domain named in the request, or NULL (answered). */
static struct nnved_domain *
req_domain(struct ctl_req *r, struct nnved *d, const char **name)
{
	struct nnved_domain *dom;

	*name = ctl_req_str(r, "domain");
	dom = vsi_domain_find(d, *name);
	if (dom == NULL)
		cmd_fail(r, "%s: no such domain \"%.64s\"",
		    ctl_req_cmd(r)->name, *name);
	return dom;
}

static void
cmd_vn_connect(struct ctl_req *r, void *arg)
{
	struct nnved *d = arg;
	uint32_t vn = (uint32_t)ctl_req_int(r, "vn", 0);
	uint16_t vid = (uint16_t)ctl_req_int(r, "vid", 0);
	struct nnved_domain *dom;
	const char *name;
	int rc;

	if ((dom = req_domain(r, d, &name)) == NULL)
		return;
	log_info("control: vn-connect vn %u domain %s vid %u by client %llu",
	    vn, name, vid, (unsigned long long)ctl_req_client(r));
	rc = vsi_vn_connect(d, dom, vn, vid, mono_us());
	if (rc < 0) {
		cmd_fail(r, "vn-connect vn %u domain %.64s: %s", vn, name,
		    strerror(-rc));
		return;
	}
	ctl_reply_result(r, json_pack("{s:i}", "vid", rc));
}

static void
cmd_vn_disconnect(struct ctl_req *r, void *arg)
{
	struct nnved *d = arg;
	uint32_t vn = (uint32_t)ctl_req_int(r, "vn", 0);
	struct nnved_domain *dom;
	const char *name;
	int rc;

	if ((dom = req_domain(r, d, &name)) == NULL)
		return;
	log_info("control: vn-disconnect vn %u domain %s by client %llu",
	    vn, name, (unsigned long long)ctl_req_client(r));
	rc = vsi_vn_disconnect(d, dom, vn, mono_us());
	if (rc < 0) {
		cmd_fail(r, "vn-disconnect vn %u domain %.64s: %s", vn, name,
		    rc == -ENOENT ? "VN not connected there" : strerror(-rc));
		return;
	}
	ctl_reply_result(r, json_object());
}

static void
cmd_reload(struct ctl_req *r, void *arg)
{
	struct nnved *d = arg;
	int rc;

	log_info("control: reload by client %llu",
	    (unsigned long long)ctl_req_client(r));
	rc = nnved_reload(d);
	if (rc < 0) {
		const char *path = d->conf_path ? d->conf_path : d->conf.path;

		cmd_fail(r, "reload%s%.128s: %s%s", path[0] ? " of " : "",
		    path, strerror(-rc), rc == -EINVAL ?
		    " (errors logged; old config kept)" : "");
		return;
	}
	ctl_reply_result(r, json_object());
}

/* ---- the NVA client ------------------------------------------------------ */

static int
vn_row(void *arg, uint32_t vn, unsigned tsis, bool synced)
{
	json_t *o = json_object();

	ctl_set_int(o, "vn", vn);
	ctl_set_int(o, "tsis", tsis);
	ctl_set_bool(o, "synced", synced);
	json_array_append_new(arg, o);
	return 0;
}

static void
cmd_nva_show(struct ctl_req *r, void *arg)
{
	struct nnved *d = arg;
	struct nnved_nva_view v;
	json_t *o, *vns;

	if (nnved_nva_view(d, &v) < 0) {
		ctl_reply_error(r, "no nva block in the configuration");
		return;
	}
	o = json_object();
	vns = json_array();
	ctl_set_str(o, "state", nvc_state_names[nva_client_state(v.cl)]);
	ctl_set_str(o, "server", v.server[0] ? v.server : NULL);
	ctl_set_str(o, "nve", v.nve);
	ctl_set_str(o, "nva", v.nva[0] ? v.nva : NULL);
	ctl_set_secs(o, "up", mono_us(), v.up_since);
	ctl_set_int(o, "epoch", nva_client_epoch(v.cl));
	ctl_set_int(o, "rev", nva_client_rev(v.cl));
	ctl_set_int(o, "fib_entries", nva_client_fib_count(v.cl));
	ctl_set_int(o, "tsis", v.tsis);
	ctl_set_int(o, "rx_octets", v.rx_octets);
	ctl_set_int(o, "tx_octets", v.tx_octets);
	nva_client_vn_walk(v.cl, vn_row, vns);
	json_object_set_new(o, "vns", vns);
	ctl_set_counters(o, nva_client_counters(v.cl), nvc_ctr_fields,
	    NFIELDS(nvc_ctr_fields));
	ctl_set_counters(o, v.ctr, nva_ctr_fields, NFIELDS(nva_ctr_fields));
	ctl_reply_result(r, o);
}

/* One entry of the local copy (or of an Answer) as a row. */
static json_t *
fib_row(const struct nvc_fib *f, uint64_t now)
{
	json_t *o = json_object(), *ul = json_array();
	char a[NVA_ADDR_STRLEN], mac[18];

	for (unsigned i = 0; i < f->nunderlay && i < NVA_UNDERLAY_MAX; i++)
		json_array_append_new(ul, json_string(nva_addr_fmt(
		    &f->underlay[i], a)));
	ctl_set_int(o, "vn", f->vn);
	ctl_set_str(o, "addr", nva_addr_fmt(&f->addr, a));
	ctl_set_str(o, "mac", f->has_mac ? mac_fmt(f->mac, mac) : NULL);
	ctl_set_str(o, "nve", f->nve);
	json_object_set_new(o, "underlay", ul);
	ctl_set_str(o, "state", nva_state_name(f->state));
	ctl_set_int(o, "seq", f->seq);
	ctl_set_int(o, "rev", f->rev);
	ctl_set_bool(o, "frozen", f->frozen);
	ctl_set_bool(o, "queried", f->queried);
	ctl_set_secs(o, "age", now, f->learned_us);
	return o;
}

struct fib_walk {
	json_t		*rows;
	uint32_t	 vn;		/* 0: every VN */
	uint64_t	 now;
};

static int
fib_walk_row(void *arg, const struct nvc_fib *f)
{
	struct fib_walk *w = arg;

	if (w->vn == 0 || f->vn == w->vn)
		json_array_append_new(w->rows, fib_row(f, w->now));
	return 0;
}

static void
cmd_fib_show(struct ctl_req *r, void *arg)
{
	struct nnved *d = arg;
	struct nnved_nva_view v;
	struct fib_walk w;

	if (nnved_nva_view(d, &v) < 0) {
		ctl_reply_error(r, "no nva block in the configuration");
		return;
	}
	w.rows = json_array();
	w.vn = (uint32_t)ctl_req_int(r, "vn", 0);
	w.now = mono_us();
	nva_client_fib_walk(v.cl, fib_walk_row, &w);
	ctl_reply_rows(r, w.rows);
}

/* The result of a look-up: found (with the entry's row) or not. */
static json_t *
lookup_result(uint32_t vn, const struct nva_addr *a, const char *source,
    const struct nvc_fib *f)
{
	json_t *o = f != NULL ? fib_row(f, mono_us()) : json_object();
	char text[NVA_ADDR_STRLEN];

	if (f == NULL) {
		ctl_set_int(o, "vn", vn);
		ctl_set_str(o, "addr", nva_addr_fmt(a, text));
	}
	ctl_set_bool(o, "found", f != NULL);
	ctl_set_str(o, "source", source);
	return o;
}

/* A fib-lookup that went to the NVA: its ctl request and key. */
struct lookup_wait {
	struct ctl_req	*r;
	uint32_t	 vn;
	struct nva_addr	 addr;
};

static void
lookup_answered(void *arg, int err, const struct nvc_fib *f, const char *why)
{
	struct lookup_wait *w = arg;
	char text[NVA_ADDR_STRLEN];

	if (err < 0)
		ctl_reply_error(w->r, "fib-lookup vn %u %s: %s%s%s", w->vn,
		    nva_addr_fmt(&w->addr, text), err == -ETIMEDOUT ?
		    "the NVA did not answer in time" : err == -ENOTCONN ?
		    "the NVA session went down" : "the NVA refused the query",
		    why ? ": " : "", why ? why : "");
	else
		ctl_reply_result(w->r, lookup_result(w->vn, &w->addr, "nva",
		    f));
	free(w);
}

static void
cmd_fib_lookup(struct ctl_req *r, void *arg)
{
	struct nnved *d = arg;
	uint32_t vn = (uint32_t)ctl_req_int(r, "vn", 0);
	const char *text = ctl_req_str(r, "addr");
	const struct nvc_fib *f;
	struct lookup_wait *w;
	struct nva_addr a;
	int rc;

	if (d->nva == NULL) {
		ctl_reply_error(r, "no nva block in the configuration");
		return;
	}
	if (nva_addr_parse(&a, text) < 0) {
		ctl_reply_error(r, "fib-lookup: \"%.64s\" is not a MAC, IPv4 "
		    "or IPv6 address", text);
		return;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		ctl_reply_error(r, "fib-lookup: %s", strerror(ENOMEM));
		return;
	}
	w->r = r;
	w->vn = vn;
	w->addr = a;
	rc = nnved_nva_lookup(d, vn, &a, &f, lookup_answered, w);
	if (rc == 1)
		return;			/* answered when the NVA answers */
	free(w);
	if (rc == 0)
		ctl_reply_result(r, lookup_result(vn, &a, "local", f));
	else if (rc == -ENOTCONN)
		ctl_reply_error(r, "fib-lookup vn %u %.64s: not in the local "
		    "copy, and the NVA session is not up", vn, text);
	else
		ctl_reply_error(r, "fib-lookup vn %u %.64s: %s", vn, text,
		    strerror(-rc));
}

/* ---- the socket ---------------------------------------------------------- */

int
ctl_open(struct nnved *d)
{
	struct nnved_ctl *c;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("control: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	rc = ctl_server_open(&c->srv, &d->loop.uv, d->conf.control[0] ?
	    d->conf.control : NNVED_SOCK_DEFAULT, nnved_cmds, NNVED_NCMDS, d);
	if (rc < 0) {
		free(c);
		return rc;
	}
	d->ctl = c;
	return 0;
}

/*
 * Stops listening, removes the socket file and drops every client
 * (replies not yet written are lost).  The server's memory goes with
 * the last close callback, so call this before sn_loop_close().
 */
void
ctl_close(struct nnved *d)
{
	struct nnved_ctl *c = d->ctl;

	if (c == NULL)
		return;
	d->ctl = NULL;
	ctl_server_close(c->srv);
	free(c);
}
