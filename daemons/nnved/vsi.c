/*
 * vsi.c - what nnved does with the VSI TLVs its stations send: the VDP
 * bridge machine of every VSI (lib/vdp/vdp_bridge.c), the resource
 * decision that machine asks for, and the RFC 8394 machines behind it
 * (lib/nvo3): the TSI each VSI is (Figure 6), the VAP of each (domain,
 * VN) (Figure 5) and the local tag space of each domain.
 *
 * Owns struct nnved_vsi, struct nnved_vap, struct nnved_domain and the
 * (VN, address) index.  Runs in nnved's only thread; port.c hands it
 * decoded, authenticated ULPDUs and sends what it answers; timers.c
 * calls vsi_timer(); control.c calls the operator entry points.
 *
 * The resource decision, in order (the first failure answers the VSI
 * with a VDP error code, a log line and a counter; the VSI keeps its
 * previous state if it had one):
 *   1. a station rule admits the station (else 4, "other failure");
 *      a rule naming a key needs the auth extension agreed (else 4);
 *   2. every entry names one VN: its GroupID, or for formats 1 and 2
 *      the port's "vlan VID vn VN" / "default-vn" (else 5);
 *   3. the rule lets the station attach that VN (else 5);
 *   4. every address (MAC, IP, IP-MAC pair) is allowed in the VN and is
 *      not held by another TSI of the VN (else 5) -- a TSI with the same
 *      TSI_ID elsewhere is the same VM moving and may hold it too;
 *   5. the VAP gives a tag: the VN's tag, a new one from the range, or
 *      the VID the station asked for if no other VN holds it
 *      (exhausted: 2; another VN's VID: 5);
 *   6. the TSI machine takes the event (Associate, Activate, Deactivate,
 *      address update); a TSI may not change VN (5).
 * Success answers with the entries, VID 0 replaced by the tag.
 *
 * Authorisation by the NVA (nva { authorize yes }, nva.c): step 3 is the
 * NVA's to answer instead of the station rule's VN list, for a new TSI
 * or one that claims other addresses (a change of state alone is not
 * asked again).  Steps 1, 2 and 4 run first (no use asking for a request
 * refused anyway); then the request is held (struct nnved_held: what was
 * read from the ULPDU -- addresses with the IP-address Org TLV,
 * migration reason, M/S bits -- and the station rule's own answer), the
 * bridge machine stays in RESWAIT (it ignores the station's repeats, so
 * one Authorize per request), and Authorize(vn, TSI ID, addresses) goes
 * out.  The Verdict finishes it: allow -> steps 4 to 6 (4 again: the
 * index may have changed meanwhile); refuse -> code 5 with the NVA's
 * reason (refused_nva).  No session, an Error, the session lost, or no
 * answer within authorize-timeout (well under the resource wait delay,
 * parse.c checks) -> authorize-fallback: "local" lets the station
 * rule's VN list decide, "refuse" answers code 3 (no VSI manager, Keep,
 * not hard).  A VSI that goes while held (De-Assoc, operator, station
 * gone, the bridge's own wait ran out: RESOURCE_CANCEL) cancels its
 * Authorize; a late Verdict finds nobody.
 *
 * VDP -> RFC 8394: Pre-Associate(-RR) = Associate; Associate = Activate;
 * Pre-Associate after Associate = Deactivate; De-Associate, keep-alive
 * timeout or operator = De-Associate.  The first TSI of a VN on a domain
 * connects the VN (implicit VN_Connect), the last one disconnects it and
 * the tag goes back, unless an operator connected it explicitly.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext/nvo3_ext_codes.h"
#include "nnved.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mtime.h"

static struct log_rl rl_refuse = LOG_RL_INIT(5000000, 20);
static struct log_rl rl_tlv = LOG_RL_INIT(5000000, 10);

/*
 * The ULPDU being handled: its Org TLVs qualify the TLV being decided,
 * and its station rule (looked up once per ULPDU by port.c) decides.
 */
static const struct vdp_pdu *cur_pdu;
static int cur_idx = -1;
static const struct nnved_station_conf *cur_rule;

static void vsi_drain(struct nnved_vsi *v, uint64_t now);
static void held_drop(struct nnved_vsi *v);

/* ---- names ------------------------------------------------------------- */

static const char *
vsi_name(const struct nnved_vsi *v, char *buf, size_t sz)
{
	char id[VDP_VSIID_STRLEN], m[18];

	vdp_vsiid_fmt(v->tsi.id_fmt, v->tsi.id, id, sizeof(id));
	snprintf(buf, sz, "%s: station %s: VSI %s", v->st->port->ifname,
	    mac_fmt(v->st->mac, m), id);
	return buf;
}

static const char *
hints_text(uint8_t h)
{
	if ((h & VDP_ST_MBIT) && (h & VDP_ST_SBIT))
		return " (M+S)";
	if (h & VDP_ST_MBIT)
		return " (M: migrating in)";
	if (h & VDP_ST_SBIT)
		return " (S: migrating out)";
	return "";
}

/* ---- domains and VAPs -------------------------------------------------- */

struct nnved_domain *
vsi_domain_find(struct nnved *d, const char *name)
{
	struct nnved_domain *dom;

	for (dom = d->domains; dom != NULL; dom = dom->next)
		if (strcmp(dom->name, name) == 0)
			return dom;
	return NULL;
}

struct nnved_vap *
vsi_vap_find(struct nnved_domain *dom, uint32_t vn)
{
	struct hnode *n;

	HMAP_FOR_HASH(n, &dom->vaps, hash_add32(0, vn)) {
		struct nnved_vap *vap = HMAP_CONTAINER(n, struct nnved_vap,
		    node);

		if (vap->m.vn == vn)
			return vap;
	}
	return NULL;
}

static struct nnved_vap *
vap_get(struct nnved *d, struct nnved_domain *dom, uint32_t vn)
{
	struct nnved_vap *vap = vsi_vap_find(dom, vn);
	const struct nnved_vn_conf *vc;

	if (vap != NULL)
		return vap;
	if ((vap = calloc(1, sizeof(*vap))) == NULL)
		return NULL;
	vap->dom = dom;
	nvo3_vap_init(&vap->m, vn);
	vc = policy_vn_conf(&d->conf, vn);
	if (vc != NULL && vc->context != 0)
		vap->m.context = vc->context;
	if (hmap_insert(&dom->vaps, &vap->node, hash_add32(0, vn)) < 0) {
		free(vap);
		return NULL;
	}
	return vap;
}

/* Logs and counts VAP actions; frees the VAP once DISCONNECTED. */
static void
vap_actions(struct nnved *d, struct nnved_vap *vap,
    const struct nvo3_vap_acts *va)
{
	for (unsigned i = 0; i < va->n; i++) {
		const struct nvo3_vap_action *a = &va->a[i];

		switch (a->kind) {
		case NVO3_VAPA_CONNECTED:
			d->ctr.vn_connects++;
			log_info("%s: VN %u connected, local tag %u, context %u",
			    vap->dom->name, vap->m.vn, a->vid, vap->m.context);
			break;
		case NVO3_VAPA_TAG_ADDED:
			log_info("%s: VN %u: further local tag %u",
			    vap->dom->name, vap->m.vn, a->vid);
			break;
		case NVO3_VAPA_TAG_REMOVED:
			log_info("%s: VN %u: local tag %u reclaimed",
			    vap->dom->name, vap->m.vn, a->vid);
			break;
		case NVO3_VAPA_DEASSOC_TSIS:
			log_info("%s: VN %u: %u TSIs de-associated",
			    vap->dom->name, vap->m.vn, a->count);
			break;
		case NVO3_VAPA_DISCONNECTED:
			d->ctr.vn_disconnects++;
			log_info("%s: VN %u disconnected", vap->dom->name,
			    vap->m.vn);
			break;
		default:
			break;
		}
	}
}

static void
vap_maybe_free(struct nnved_vap *vap)
{
	if (vap->m.state == NVO3_VAP_DISCONNECTED && !vap->m.pinned) {
		hmap_remove(&vap->dom->vaps, &vap->node);
		free(vap);
	}
}

/* ---- the (VN, address) index ------------------------------------------- */

static uint32_t
addr_hash(uint32_t vn, const struct nvo3_addr *a)
{
	uint32_t h = hash_add32(0x0add, vn);

	h = hash_bytes(a->mac, 6, h ^ a->family);
	if (a->family == 4)
		h = hash_bytes(a->ip, 4, h);
	else if (a->family == 6)
		h = hash_bytes(a->ip, 16, h);
	return h;
}

static struct nnved_addr_ref *
addr_find(struct nnved *d, uint32_t vn, const struct nvo3_addr *a,
    const struct nnved_vsi *not)
{
	struct hnode *n;

	HMAP_FOR_HASH(n, &d->addrs, addr_hash(vn, a)) {
		struct nnved_addr_ref *r = HMAP_CONTAINER(n,
		    struct nnved_addr_ref, node);

		if (r->vn == vn && r->vsi != not && nvo3_addr_equal(&r->addr, a))
			return r;
	}
	return NULL;
}

static void
addr_add(struct nnved *d, struct nnved_vsi *v, const struct nvo3_addr *a)
{
	struct nnved_addr_ref *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return;
	r->vn = v->tsi.vn;
	r->addr = *a;
	r->vsi = v;
	if (hmap_insert(&d->addrs, &r->node, addr_hash(r->vn, a)) < 0)
		free(r);
}

static void
addr_del(struct nnved *d, struct nnved_vsi *v, uint32_t vn,
    const struct nvo3_addr *a)
{
	struct hnode *n;

	HMAP_FOR_HASH(n, &d->addrs, addr_hash(vn, a)) {
		struct nnved_addr_ref *r = HMAP_CONTAINER(n,
		    struct nnved_addr_ref, node);

		if (r->vn == vn && r->vsi == v &&
		    nvo3_addr_equal(&r->addr, a)) {
			hmap_remove(&d->addrs, &r->node);
			free(r);
			return;
		}
	}
}

/* ---- TSI actions -------------------------------------------------------- */

static void
tsi_actions(struct nnved_vsi *v, uint32_t vn, const struct nvo3_tsi_acts *ta)
{
	struct nnved *d = v->st->port->d;
	char name[160], at[NVO3_ADDR_STRLEN];

	for (unsigned i = 0; i < ta->n; i++) {
		const struct nvo3_tsi_action *a = &ta->a[i];

		switch (a->kind) {
		case NVO3_TSIA_ADDR_ADD:
			addr_add(d, v, &a->addr);
			nvo3_addr_fmt(&a->addr, at, sizeof(at));
			log_debug("%s: address %s claimed in VN %u",
			    vsi_name(v, name, sizeof(name)), at, vn);
			break;
		case NVO3_TSIA_ADDR_DEL:
			addr_del(d, v, vn, &a->addr);
			nvo3_addr_fmt(&a->addr, at, sizeof(at));
			log_debug("%s: address %s released in VN %u",
			    vsi_name(v, name, sizeof(name)), at, vn);
			break;
		case NVO3_TSIA_PORT_MOVE:
			d->ctr.tsi_port_moves++;
			log_info("%s: TSI moved from port %u to port %u",
			    vsi_name(v, name, sizeof(name)), a->old_port,
			    a->port);
			break;
		case NVO3_TSIA_RESERVE:
		case NVO3_TSIA_ENABLE:
		case NVO3_TSIA_DISABLE:
		case NVO3_TSIA_RELEASE:
		default:
			/* filters live in the TSI's address list and state;
			 * the packet path reads them from there */
			break;
		}
	}
}

/* ---- VSI instances ------------------------------------------------------ */

static uint32_t
vsi_hash(const struct nnved_station *st, const uint8_t *mgrid,
    const struct vdp_vsi_tlv *t)
{
	uint32_t h = hash_bytes(&st, sizeof(st), 0);

	h = hash_bytes(mgrid, VDP_MGRID_LEN, h);
	h = hash_bytes(t->vsiid, VDP_VSIID_LEN, h ^ t->vsiid_fmt);
	return hash_add32(h, t->type_id);
}

static struct nnved_vsi *
vsi_find(struct nnved *d, const struct nnved_station *st,
    const uint8_t *mgrid, const struct vdp_vsi_tlv *t)
{
	struct hnode *n;

	HMAP_FOR_HASH(n, &d->vsis, vsi_hash(st, mgrid, t)) {
		struct nnved_vsi *v = HMAP_CONTAINER(n, struct nnved_vsi, node);

		if (v->st == st && memcmp(v->mgrid, mgrid, VDP_MGRID_LEN) == 0 &&
		    (vdp_vsi_same(&v->br.req, t) || vdp_vsi_same(&v->br.conf, t)))
			return v;
	}
	return NULL;
}

static struct nnved_vsi *
vsi_new(struct nnved_station *st, const uint8_t *mgrid,
    const struct vdp_vsi_tlv *t, uint64_t now)
{
	struct nnved *d = st->port->d;
	struct vdp_params par = port_vdp_params(st->port);
	struct nnved_vsi *v = calloc(1, sizeof(*v));

	par.deactivate_ok = (st->caps & NVO3_CAP_DEACTIVATE) != 0;
	if (v == NULL)
		return NULL;
	v->st = st;
	memcpy(v->mgrid, mgrid, VDP_MGRID_LEN);
	vdp_br_init(&v->br, &par);
	nvo3_tsi_init(&v->tsi, t->vsiid_fmt, t->vsiid, st->port->index);
	v->created = now;
	v->timer.at = TIME_NEVER;
	v->timer.kind = NNVED_T_VSI;
	if (hmap_insert(&d->vsis, &v->node, vsi_hash(st, mgrid, t)) < 0) {
		free(v);
		return NULL;
	}
	st->nvsi++;
	return v;
}

/* The TSI leaves: De-Associate, addresses out of the index, tag back. */
static void
vsi_release(struct nnved_vsi *v, uint64_t now, const char *why)
{
	struct nnved *d = v->st->port->d;
	struct nvo3_tsi_acts ta = { .n = 0 };
	struct nvo3_vap_acts va = { .n = 0 };
	struct nvo3_tsi_req req;
	uint32_t vn = v->tsi.vn;
	uint16_t vid = v->tsi.vid;
	char name[160];

	if (v->tsi.state == NVO3_TSI_INIT)
		return;
	nnved_nva_tsi_gone(d, v);
	memset(&req, 0, sizeof(req));
	req.port = v->tsi.port;
	if (nvo3_tsi_event(&v->tsi, now, NVO3_TSIE_DEASSOCIATE, &req, &ta) == 0)
		tsi_actions(v, vn, &ta);
	d->ctr.tsi_deassociates++;
	log_info("%s: TSI de-associated from VN %u (%s)",
	    vsi_name(v, name, sizeof(name)), vn, why);
	if (v->vap != NULL) {
		struct nnved_vap *vap = v->vap;

		v->vap = NULL;
		if (nvo3_vap_tsi_del(&vap->m, &vap->dom->tags, vid, now,
		    &va) >= 0)
			vap_actions(d, vap, &va);
		vap_maybe_free(vap);
	}
}

static void
vsi_free(struct nnved_vsi *v, uint64_t now, const char *why)
{
	struct nnved *d = v->st->port->d;

	held_drop(v);
	vsi_release(v, now, why);
	timer_cancel(d, &v->timer);
	hmap_remove(&d->vsis, &v->node);
	v->st->nvsi--;
	free(v);
}

/* ---- the resource decision ---------------------------------------------- */

static void
refuse(struct nnved_vsi *v, uint64_t now, uint8_t code, uint64_t *ctr,
    const char *fmt, ...)
{
	struct vdp_br_result res;
	char name[160], why[256];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (ctr != NULL)
		(*ctr)++;
	v->st->ctr.refused++;
	log_rl(&rl_refuse, now, LOG_LVL_WARN, "%s: refused (code %u, %s): %s",
	    vsi_name(v, name, sizeof(name)), code, vdp_rsp_name(code), why);
	memset(&res, 0, sizeof(res));
	res.code = code;
	res.keep = v->br.conf_mode != 0;
	res.hard = code != VDP_RSP_NO_RESOURCES &&
	    code != VDP_RSP_NO_VSI_MANAGER;	/* transient: ask again */
	if ((rc = vdp_br_resource(&v->br, now, &res)) < 0)
		log_warn("%s: bridge machine refused the refusal: %s",
		    vsi_name(v, name, sizeof(name)), strerror(-rc));
}

/* Adds a to list (n entries, at most cap) unless already there. */
static int
addr_push(struct nvo3_addr *list, unsigned *n, unsigned cap,
    const struct nvo3_addr *a)
{
	for (unsigned i = 0; i < *n; i++)
		if (nvo3_addr_equal(&list[i], a))
			return 0;
	if (*n >= cap)
		return -E2BIG;
	list[(*n)++] = *a;
	return 0;
}

static bool
mac_zero(const uint8_t m[6])
{
	static const uint8_t z[6];

	return memcmp(m, z, 6) == 0;
}

/*
 * Addresses the request claims: each entry's MAC (and IP, formats 5/6),
 * plus the IP-address Org TLV that follows the VSI TLV when agreed.
 */
static int
collect_addrs(const struct nnved_vsi *v, const struct vdp_filter *f,
    unsigned nf, struct nvo3_addr *out, unsigned *n)
{
	const uint8_t *firstmac = NULL;
	struct nvo3_addr a;
	int rc;

	*n = 0;
	for (unsigned i = 0; i < nf; i++) {
		if (!mac_zero(f[i].mac)) {
			memset(&a, 0, sizeof(a));
			memcpy(a.mac, f[i].mac, 6);
			if ((rc = addr_push(out, n, NVO3_TSI_MAX_ADDR, &a)) < 0)
				return rc;
			if (firstmac == NULL)
				firstmac = f[i].mac;
		}
		if (f[i].ip_family == 4 || f[i].ip_family == 6) {
			memset(&a, 0, sizeof(a));
			a.family = f[i].ip_family;
			memcpy(a.mac, f[i].mac, 6);
			memcpy(a.ip, f[i].ip, 16);
			if ((rc = addr_push(out, n, NVO3_TSI_MAX_ADDR, &a)) < 0)
				return rc;
		}
	}
	if (cur_pdu == NULL || !(v->st->caps & NVO3_CAP_IPADDR_TLV))
		return 0;
	for (int i = vdp_org_next(cur_pdu, NVO3_EXT_CID, NVO3_EXT_ST_IPADDR,
	    cur_idx, 0); i >= 0; i = vdp_org_next(cur_pdu, NVO3_EXT_CID,
	    NVO3_EXT_ST_IPADDR, cur_idx, i + 1)) {
		const struct vdp_org_tlv *o = &cur_pdu->org[i];
		struct nvo3_ipaddr_tlv ip;

		if (nvo3_ipaddr_decode(o->data, o->len, &ip) < 0)
			return -EBADMSG;
		for (unsigned k = 0; k < ip.naddr; k++) {
			memset(&a, 0, sizeof(a));
			a.family = ip.addr[k].afi == NVO3_AFI_IPV4 ? 4 : 6;
			memcpy(a.ip, ip.addr[k].addr, 16);
			if (firstmac != NULL)
				memcpy(a.mac, firstmac, 6);
			if ((rc = addr_push(out, n, NVO3_TSI_MAX_ADDR, &a)) < 0)
				return rc;
		}
	}
	return 0;
}

/*
 * Does the request (entries equal to the confirmed ones) claim another
 * set of addresses than the TSI holds?  Only our IP-address Org TLV can
 * make that so.  cur_pdu/cur_idx name the request.
 */
static bool
ip_list_changed(const struct nnved_vsi *v, const struct vdp_vsi_tlv *t)
{
	struct vdp_filter f[VDP_SM_MAX_FILTERS];
	struct nvo3_addr a[NVO3_TSI_MAX_ADDR];
	unsigned n = 0, nf = t->nfilter;

	if (!(v->st->caps & NVO3_CAP_IPADDR_TLV) || nf > VDP_SM_MAX_FILTERS)
		return false;
	for (unsigned i = 0; i < nf; i++)
		vdp_filter_at(t, i, &f[i]);
	if (collect_addrs(v, f, nf, a, &n) < 0)
		return true;	/* let the full path refuse it */
	if (n != v->tsi.naddr)
		return true;
	for (unsigned i = 0; i < n; i++) {
		bool found = false;

		for (unsigned j = 0; j < v->tsi.naddr && !found; j++)
			found = nvo3_addr_equal(&a[i], &v->tsi.addr[j]);
		if (!found)
			return true;
	}
	return false;
}

/* The migration reason Org TLV that follows the VSI TLV, 0 if none. */
static uint8_t
request_reason(const struct nnved_station *st)
{
	if (cur_pdu == NULL || !(st->caps & NVO3_CAP_MIGRATION))
		return 0;
	for (int i = vdp_org_next(cur_pdu, NVO3_EXT_CID, NVO3_EXT_ST_MIGRATION,
	    cur_idx, 0); i >= 0; i = vdp_org_next(cur_pdu, NVO3_EXT_CID,
	    NVO3_EXT_ST_MIGRATION, cur_idx, i + 1)) {
		const struct vdp_org_tlv *o = &cur_pdu->org[i];
		struct nvo3_migration mg;

		if (nvo3_migration_decode(o->data, o->len, &mg) == 0)
			return mg.reason;
	}
	return 0;
}

/*
 * A request as decided: what steps 1-2 read from the VSI TLV and its
 * ULPDU (Org TLVs: IP addresses, migration reason), kept whole so a
 * request held for the NVA's verdict is finished without the ULPDU.
 */
struct vsi_ask {
	uint32_t	 vn;
	uint16_t	 want_vid;
	uint8_t		 mode;		/* VDP_TLV_* asked for */
	uint8_t		 hints, reason;
	unsigned	 nf, naddr;
	struct vdp_filter f[VDP_SM_MAX_FILTERS];
	struct nvo3_addr addrs[NVO3_TSI_MAX_ADDR];
};

/* A request held while the NVA decides (v->held). */
struct nnved_held {
	struct vsi_ask	 q;
	uint64_t	 token;		/* nnved_nva_authorize() */
	uint64_t	 deadline;	/* authorize-timeout */
	bool		 local_ok;	/* the station rule's VN list says yes */
	int		 rule_line;
};

const char *const nnved_admit_names[NNVED_ADMIT__COUNT] = {
	[NNVED_ADMIT_LOCAL] = "local",
	[NNVED_ADMIT_NVA] = "nva",
	[NNVED_ADMIT_FALLBACK] = "fallback",
};

/*
 * Steps 1 and 2, and the addresses: fills *q and *rule, or refuses and
 * returns -1.  Reads cur_pdu (the ULPDU is being handled).
 */
static int
decide_form(struct nnved_vsi *v, const struct vdp_br_action *ba,
    struct vsi_ask *q, const struct nnved_station_conf **rulep, uint64_t now)
{
	struct nnved_station *st = v->st;
	struct nnved_port *p = st->port;
	struct nnved *d = p->d;
	struct nnved_counters *c = &d->ctr;
	const struct vdp_vsi_tlv *t = &ba->tlv;
	const struct nnved_station_conf *rule;
	uint32_t vn = 0;
	int rc;

	memset(q, 0, sizeof(*q));
	/* 1. the station (requests are decided only while their ULPDU is) */
	rule = cur_pdu != NULL ? cur_rule :
	    policy_station(&d->conf, p->ifname, st->mac);
	if (rule == NULL) {
		refuse(v, now, VDP_RSP_OTHER, &c->refused_policy_station,
		    "no station rule admits this station");
		return -1;
	}
	if (rule->key_id >= 0 && !(st->caps & NVO3_CAP_AUTH)) {
		refuse(v, now, VDP_RSP_OTHER, &c->refused_policy_station,
		    "its rule asks for authentication with key %d, and the "
		    "station did not offer the auth extension", rule->key_id);
		return -1;
	}
	/* 2. one VN, one tag */
	q->nf = t->nfilter > VDP_SM_MAX_FILTERS ? VDP_SM_MAX_FILTERS :
	    t->nfilter;
	for (unsigned i = 0; i < q->nf; i++) {
		struct vdp_filter *f = &q->f[i];
		uint32_t evn;

		vdp_filter_at(t, i, f);
		if (f->group != 0) {
			evn = f->group;
		} else if (p->conf == NULL ||
		    policy_vn_of_vid(p->conf, f->vid, &evn) < 0) {
			refuse(v, now, VDP_RSP_INVALID_VID_GROUP_MAC,
			    &c->refused_no_vn, "entry %u has no GroupID and "
			    "port %s maps no VN for VID %u", i, p->ifname,
			    f->vid);
			return -1;
		}
		if (evn == 0 || evn > NVO3_VN_MAX) {
			refuse(v, now, VDP_RSP_INVALID_VID_GROUP_MAC,
			    &c->refused_no_vn, "VN %u out of range", evn);
			return -1;
		}
		if (vn != 0 && evn != vn) {
			refuse(v, now, VDP_RSP_INVALID_VID_GROUP_MAC,
			    &c->refused_no_vn, "entries name VN %u and VN %u; "
			    "a TSI belongs to one VN", vn, evn);
			return -1;
		}
		vn = evn;
		if (f->vid != 0) {
			if (q->want_vid != 0 && f->vid != q->want_vid) {
				refuse(v, now, VDP_RSP_INVALID_VID_GROUP_MAC,
				    &c->refused_vid_conflict, "entries ask "
				    "for VID %u and VID %u", q->want_vid,
				    f->vid);
				return -1;
			}
			q->want_vid = f->vid;
		}
	}
	if (v->tsi.state != NVO3_TSI_INIT && vn != v->tsi.vn) {
		refuse(v, now, VDP_RSP_INVALID_VID_GROUP_MAC, &c->refused_no_vn,
		    "TSI of VN %u asks for VN %u; de-associate first",
		    v->tsi.vn, vn);
		return -1;
	}
	q->vn = vn;
	q->mode = t->mode;
	q->hints = ba->hints;
	q->reason = request_reason(st);
	if ((rc = collect_addrs(v, q->f, q->nf, q->addrs, &q->naddr)) < 0) {
		refuse(v, now, rc == -E2BIG ? VDP_RSP_NO_RESOURCES :
		    VDP_RSP_INVALID_FORMAT, &c->refused_format, rc == -E2BIG ?
		    "more than %u addresses" : "malformed IP address TLV",
		    NVO3_TSI_MAX_ADDR);
		return -1;
	}
	*rulep = rule;
	return 0;
}

/* Step 3 refused (now or at a fallback). */
static void
refuse_vn(struct nnved_vsi *v, uint32_t vn, int rule_line, uint64_t now)
{
	refuse(v, now, VDP_RSP_INVALID_VID_GROUP_MAC,
	    &v->st->port->d->ctr.refused_policy_station, "station may not "
	    "attach VN %u (station rule at line %d)", vn, rule_line);
}

/* Step 4: every address allowed in the VN and not another TSI's. */
static int
addrs_check(struct nnved_vsi *v, const struct vsi_ask *q, uint64_t now)
{
	struct nnved *d = v->st->port->d;
	char at[NVO3_ADDR_STRLEN], other[160];

	for (unsigned i = 0; i < q->naddr; i++) {
		const struct nnved_addr_ref *r;

		nvo3_addr_fmt(&q->addrs[i], at, sizeof(at));
		if (policy_addr(&d->conf, q->vn, &q->addrs[i]) < 0) {
			refuse(v, now, VDP_RSP_INVALID_VID_GROUP_MAC,
			    &d->ctr.refused_policy_addr, "address %s is not "
			    "allowed in VN %u", at, q->vn);
			return -1;
		}
		r = addr_find(d, q->vn, &q->addrs[i], v);
		if (r != NULL && (r->vsi->tsi.id_fmt != v->tsi.id_fmt ||
		    memcmp(r->vsi->tsi.id, v->tsi.id, 16) != 0)) {
			refuse(v, now, VDP_RSP_INVALID_VID_GROUP_MAC,
			    &d->ctr.refused_addr_taken, "address %s is held by "
			    "%s", at, vsi_name(r->vsi, other, sizeof(other)));
			return -1;
		}
	}
	return 0;
}

/* Steps 4 to 6 and the answer: the request is admitted by `by`. */
static void
finish(struct nnved_vsi *v, struct vsi_ask *q, enum nnved_admit by,
    uint64_t now)
{
	struct nnved_station *st = v->st;
	struct nnved_port *p = st->port;
	struct nnved *d = p->d;
	struct nnved_counters *c = &d->ctr;
	struct nvo3_tsi_acts ta = { .n = 0 };
	struct nvo3_vap_acts va = { .n = 0 };
	struct nvo3_tsi_req req;
	struct vdp_br_result res;
	struct nnved_vap *vap, *old_vap = v->vap;
	enum nvo3_tsi_event ev;
	enum nvo3_tsi_state before = v->tsi.state;
	uint16_t old_vid = v->tsi.vid;	/* the events overwrite it */
	uint32_t vn = q->vn;
	uint16_t want_vid = q->want_vid;
	int tag, rc;
	char name[160];

	/* 4. addresses (again: a held request waited) */
	if (addrs_check(v, q, now) < 0)
		return;
	/* 5. the tag */
	vap = old_vap;
	if (vap == NULL) {
		if ((vap = vap_get(d, p->dom, vn)) == NULL) {
			refuse(v, now, VDP_RSP_NO_RESOURCES, &c->refused_limit,
			    "out of memory");
			return;
		}
		tag = nvo3_vap_tsi_add(&vap->m, &p->dom->tags, want_vid, now,
		    &va);
	} else if (want_vid != 0 && want_vid != v->tsi.vid) {
		/* the station moves to another tag of (or for) the VN */
		tag = nvo3_vap_tsi_add(&vap->m, &p->dom->tags, want_vid, now,
		    &va);
	} else {
		tag = v->tsi.vid;
	}
	if (tag < 0) {
		if (old_vap == NULL)
			vap_maybe_free(vap);
		if (tag == -ENOSPC || tag == -E2BIG)
			refuse(v, now, VDP_RSP_NO_RESOURCES, &c->refused_tags,
			    "no local tag left for VN %u on %s", vn,
			    p->dom->name);
		else if (tag == -EADDRINUSE)
			refuse(v, now, VDP_RSP_INVALID_VID_GROUP_MAC,
			    &c->refused_vid_conflict, "VID %u belongs to VN %u "
			    "on %s", want_vid, nvo3_tags_owner(&p->dom->tags,
			    want_vid), p->dom->name);
		else
			refuse(v, now, VDP_RSP_INVALID_VID_GROUP_MAC,
			    &c->refused_vid_conflict, "VID %u: %s", want_vid,
			    strerror(-tag));
		return;
	}
	/* 6. the TSI machine */
	if (q->mode == VDP_TLV_ASSOC)
		ev = NVO3_TSIE_ACTIVATE;
	else if (v->tsi.state == NVO3_TSI_ACTIVATED)
		ev = NVO3_TSIE_DEACTIVATE;
	else
		ev = NVO3_TSIE_ASSOCIATE;
	memset(&req, 0, sizeof(req));
	req.port = p->index;
	req.vn = vn;
	req.vid = (uint16_t)tag;
	req.hints = q->hints;
	req.reason = q->reason;
	req.naddr = (uint16_t)q->naddr;
	req.addr = q->addrs;
	if (v->tsi.state != NVO3_TSI_INIT && v->tsi.port != p->index) {
		rc = nvo3_tsi_event(&v->tsi, now, NVO3_TSIE_PORT, &req, &ta);
		if (rc == 0)
			tsi_actions(v, v->tsi.vn, &ta);
		ta.n = 0;
	}
	rc = nvo3_tsi_event(&v->tsi, now, ev, &req, &ta);
	if (rc == 0 && ev == NVO3_TSIE_DEACTIVATE) {
		tsi_actions(v, vn, &ta);
		ta.n = 0;
		rc = nvo3_tsi_event(&v->tsi, now, NVO3_TSIE_UPDATE, &req, &ta);
	}
	if (rc < 0) {
		/* give back what step 5 took */
		if (tag != old_vid || old_vap == NULL) {
			struct nvo3_vap_acts undo = { .n = 0 };

			nvo3_vap_tsi_del(&vap->m, &p->dom->tags, (uint16_t)tag,
			    now, &undo);
			if (old_vap == NULL)
				vap_maybe_free(vap);
		}
		refuse(v, now, VDP_RSP_INVALID_FORMAT, &c->refused_format,
		    "TSI machine: %s (%s in %s)", strerror(-rc),
		    nvo3_tsi_event_names[ev], nvo3_tsi_state_names[v->tsi.state]);
		return;
	}
	vap_actions(d, vap, &va);
	if (old_vap != NULL && tag != (int)old_vid) {
		/* moved to another tag: the old one's reference goes */
		struct nvo3_vap_acts undo = { .n = 0 };

		nvo3_vap_tsi_del(&vap->m, &p->dom->tags, old_vid, now,
		    &undo);
		vap_actions(d, vap, &undo);
	}
	v->tsi.vid = (uint16_t)tag;
	v->vap = vap;
	tsi_actions(v, vn, &ta);
	v->tsi.hints = q->hints;
	v->tsi.reason = q->reason;
	v->admitted = (uint8_t)by;

	switch (ev) {
	case NVO3_TSIE_ACTIVATE:
		if (before != NVO3_TSI_ACTIVATED)
			c->tsi_activates++;
		break;
	case NVO3_TSIE_DEACTIVATE:
		c->tsi_deactivates++;
		break;
	default:
		if (before == NVO3_TSI_INIT)
			c->tsi_associates++;
		break;
	}
	if (before == v->tsi.state)
		c->tsi_addr_updates++;
	log_info("%s: TSI %s -> %s in VN %u, local tag %u, %u address%s%s%s",
	    vsi_name(v, name, sizeof(name)), nvo3_tsi_state_names[before],
	    nvo3_tsi_state_names[v->tsi.state], vn, tag, q->naddr,
	    q->naddr == 1 ? "" : "es", hints_text(q->hints),
	    by == NNVED_ADMIT_NVA ? " (NVA allowed)" :
	    by == NNVED_ADMIT_FALLBACK ? " (NVA fallback)" : "");
	nnved_nva_tsi(d, v);

	for (unsigned i = 0; i < q->nf; i++)
		if (q->f[i].vid == 0)
			q->f[i].vid = (uint16_t)tag;
	memset(&res, 0, sizeof(res));
	res.nfilter = (uint16_t)q->nf;
	res.filters = q->f;
	if ((rc = vdp_br_resource(&v->br, now, &res)) < 0)
		log_warn("%s: bridge machine refused our answer: %s",
		    vsi_name(v, name, sizeof(name)), strerror(-rc));
}

/* ---- authorisation by the NVA ------------------------------------------- */

/*
 * Does this request need the NVA's verdict?  With authorize yes: a new
 * TSI, or one that claims another set of addresses.  A change of state
 * alone (Associate <-> Activate) of an admitted TSI does not.
 */
static bool
auth_wanted(const struct nnved_vsi *v, const struct vsi_ask *q)
{
	if (v->tsi.state == NVO3_TSI_INIT || q->naddr != v->tsi.naddr)
		return true;
	for (unsigned i = 0; i < q->naddr; i++) {
		bool found = false;

		for (unsigned j = 0; j < v->tsi.naddr && !found; j++)
			found = nvo3_addr_equal(&q->addrs[i], &v->tsi.addr[j]);
		if (!found)
			return true;
	}
	return false;
}

/* The NVA did not answer (why): authorize-fallback decides. */
static void
fallback(struct nnved_vsi *v, struct vsi_ask *q, bool local_ok,
    int rule_line, const char *why, uint64_t now)
{
	struct nnved *d = v->st->port->d;
	bool refuse_all = d->conf.nva.authorize_fallback ==
	    NNVED_AUTH_FALLBACK_REFUSE;
	char name[160];

	d->ctr.authorize_fallback++;
	log_rl(&rl_refuse, now, LOG_LVL_WARN, "%s: no verdict from the NVA "
	    "for VN %u (%s): %s", vsi_name(v, name, sizeof(name)), q->vn, why,
	    refuse_all ? "refused (authorize-fallback refuse)" :
	    "the local policy decides");
	if (refuse_all)
		refuse(v, now, VDP_RSP_NO_VSI_MANAGER, &d->ctr.refused_no_nva,
		    "no verdict from the NVA (%s)", why);
	else if (!local_ok)
		refuse_vn(v, q->vn, rule_line, now);
	else
		finish(v, q, NNVED_ADMIT_FALLBACK, now);
}

/* Lets go of a held request without answering it. */
static void
held_drop(struct nnved_vsi *v)
{
	struct nnved_held *h = v->held;

	if (h == NULL)
		return;
	v->held = NULL;
	nnved_nva_authorize_cancel(v->st->port->d, h->token);
	free(h);
}

/* nva.c: the NVA's answer (or its absence) for a held request. */
static void
on_verdict(void *arg, const struct nnved_verdict *vd, uint64_t now)
{
	struct nnved_vsi *v = arg;
	struct nnved *d = v->st->port->d;
	struct nnved_held *h = v->held;
	struct vsi_ask q;
	char why[NVO3_ADDR_STRLEN + 300];

	if (h == NULL)
		return;
	v->held = NULL;
	q = h->q;
	if (vd->err == 0 && vd->allow) {
		d->ctr.verdict_allow++;
		finish(v, &q, NNVED_ADMIT_NVA, now);
	} else if (vd->err == 0) {
		d->ctr.verdict_refuse++;
		refuse(v, now, VDP_RSP_INVALID_VID_GROUP_MAC,
		    &d->ctr.refused_nva, "the NVA refuses VN %u: %s%s%s", q.vn,
		    vd->code, vd->reason[0] ? ": " : "", vd->reason);
	} else {
		snprintf(why, sizeof(why), "%s%s%s", vd->err == -ENOTCONN ?
		    "session lost" : vd->code, vd->reason[0] ? ": " : "",
		    vd->reason);
		fallback(v, &q, h->local_ok, h->rule_line, why, now);
	}
	free(h);
	vsi_drain(v, now);
}

/*
 * Holds the request (the bridge machine stays in RESWAIT, a repeat of
 * it is ignored there) and asks the NVA; no session: fallback at once.
 */
static void
hold(struct nnved_vsi *v, const struct vsi_ask *q, bool local_ok,
    int rule_line, uint64_t now)
{
	struct nnved *d = v->st->port->d;
	struct nnved_held *h;
	char name[160], why[64];
	int rc;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		refuse(v, now, VDP_RSP_NO_RESOURCES, &d->ctr.refused_limit,
		    "out of memory");
		return;
	}
	h->q = *q;
	h->local_ok = local_ok;
	h->rule_line = rule_line;
	rc = nnved_nva_authorize(d, q->vn, v->tsi.id, q->addrs, q->naddr,
	    on_verdict, v, &h->token);
	if (rc < 0) {
		snprintf(why, sizeof(why), "%s", rc == -ENOTCONN ?
		    "no NVA session" : strerror(-rc));
		fallback(v, &h->q, local_ok, rule_line, why, now);
		free(h);
		return;
	}
	h->deadline = now + (uint64_t)d->conf.nva.authorize_timeout_ms *
	    USEC_PER_MSEC;
	v->held = h;
	d->ctr.authorize_sent++;
	log_debug("%s: VN %u, %u address%s: asked the NVA", vsi_name(v, name,
	    sizeof(name)), q->vn, q->naddr, q->naddr == 1 ? "" : "es");
}

static void
decide(struct nnved_vsi *v, const struct vdp_br_action *ba, uint64_t now)
{
	struct nnved *d = v->st->port->d;
	const struct nnved_station_conf *rule;
	struct vsi_ask q;
	bool local_ok;

	if (decide_form(v, ba, &q, &rule, now) < 0)
		return;
	/* 3. may the station attach the VN: its rule, or the NVA */
	local_ok = policy_station_vn(rule, q.vn) == 0;
	if (!d->conf.nva.present || !d->conf.nva.authorize) {
		if (!local_ok)
			refuse_vn(v, q.vn, rule->line, now);
		else
			finish(v, &q, NNVED_ADMIT_LOCAL, now);
	} else if (!auth_wanted(v, &q)) {
		/* admitted before, same addresses: a change of state */
		finish(v, &q, (enum nnved_admit)v->admitted, now);
	} else if (addrs_check(v, &q, now) == 0) {	/* else refused */
		hold(v, &q, local_ok, rule->line, now);
	}
}

/* ---- driving the bridge machine ------------------------------------------ */

static void
vsi_drain(struct nnved_vsi *v, uint64_t now)
{
	struct nnved *d = v->st->port->d;
	struct vdp_br_action a;
	char name[160];

	while (vdp_br_next_action(&v->br, &a)) {
		switch (a.kind) {
		case VDP_BA_SEND:
			port_send_tlv(v->st, v->mgrid, &a.tlv);
			break;
		case VDP_BA_RESOURCE_REQUEST:
			decide(v, &a, now);
			break;
		case VDP_BA_RELEASE:
			vsi_release(v, now, "VSI ended");
			break;
		case VDP_BA_RESOURCE_CANCEL:
			held_drop(v);	/* its answer would be too late */
			break;
		default:
			break;
		}
	}
	if (v->br.lost > 0) {
		log_warn("%s: %u bridge machine actions lost",
		    vsi_name(v, name, sizeof(name)), v->br.lost);
		v->br.lost = 0;
	}
	if (v->br.state == VDP_BRS_END)
		vsi_free(v, now, "VSI ended");
	else if (v->held != NULL && v->held->deadline < vdp_br_deadline(&v->br))
		timer_set(d, &v->timer, v->held->deadline);
	else
		timer_set(d, &v->timer, vdp_br_deadline(&v->br));
}

static void
reply_stateless(struct nnved_station *st, const uint8_t *mgrid,
    const struct vdp_vsi_tlv *rsp)
{
	port_send_tlv(st, mgrid, rsp);
}

void
vsi_pdu(struct nnved_station *st, const struct vdp_pdu *pdu,
    const struct nnved_station_conf *rule, uint64_t now)
{
	struct nnved_port *p = st->port;
	struct nnved *d = p->d;
	char m[18], id[VDP_VSIID_STRLEN];

	for (unsigned i = 0; i < pdu->nvsi; i++) {
		const struct vdp_vsi_tlv *t = &pdu->vsi[i];
		struct vdp_vsi_tlv rsp;
		struct nnved_vsi *v;
		bool ka, changed;
		int rc;

		vdp_vsiid_fmt(t->vsiid_fmt, t->vsiid, id, sizeof(id));
		if (t->err != VDP_E_NONE) {
			st->ctr.rx_bad_tlvs++;
			d->ctr.refused_format++;
			log_rl(&rl_tlv, now, LOG_LVL_WARN, "%s: station %s: "
			    "invalid VSI TLV (%s) for %s, answered with code 1",
			    p->ifname, mac_fmt(st->mac, m),
			    vdp_err_name(t->err), id);
			if (vdp_br_reject_reply(t, VDP_RSP_INVALID_FORMAT,
			    &rsp) == 0)
				reply_stateless(st, pdu->mgrid, &rsp);
			continue;
		}
		if (t->status & VDP_ST_RESPONSE) {
			st->ctr.rx_bad_tlvs++;
			log_rl(&rl_tlv, now, LOG_LVL_INFO, "%s: station %s: a "
			    "response TLV for %s sent to a bridge, ignored",
			    p->ifname, mac_fmt(st->mac, m), id);
			continue;
		}
		v = vsi_find(d, st, pdu->mgrid, t);
		if (v == NULL) {
			if (t->mode == VDP_TLV_DEASSOC) {
				if (vdp_br_unknown_deassoc_reply(t, &rsp) == 0)
					reply_stateless(st, pdu->mgrid, &rsp);
				log_info("%s: station %s: De-Associate for "
				    "unknown VSI %s answered", p->ifname,
				    mac_fmt(st->mac, m), id);
				continue;
			}
			if (hmap_count(&d->vsis) >= d->conf.max_vsi) {
				d->ctr.refused_limit++;
				st->ctr.refused++;
				log_rl(&rl_tlv, now, LOG_LVL_WARN, "%s: "
				    "station %s: VSI %s refused: max-vsi %u "
				    "reached", p->ifname, mac_fmt(st->mac, m),
				    id, d->conf.max_vsi);
				if (vdp_br_reject_reply(t,
				    VDP_RSP_NO_RESOURCES, &rsp) == 0)
					reply_stateless(st, pdu->mgrid, &rsp);
				continue;
			}
			if ((v = vsi_new(st, pdu->mgrid, t, now)) == NULL) {
				if (vdp_br_reject_reply(t,
				    VDP_RSP_NO_RESOURCES, &rsp) == 0)
					reply_stateless(st, pdu->mgrid, &rsp);
				continue;
			}
		}
		ka = v->br.state == VDP_BRS_WAITCMD &&
		    t->mode == v->br.conf_mode && vdp_filters_match(t,
		    &v->br.conf);
		cur_pdu = pdu;
		cur_idx = (int)i;
		/* the IP list may change while the entries do not (Req-10) */
		changed = ka && ip_list_changed(v, t);
		if (changed)
			ka = false;
		if (ka) {
			v->keepalives++;
			st->ctr.keepalives++;
		} else {
			st->ctr.requests++;
			log_debug("%s: station %s: %s request for %s%s",
			    p->ifname, mac_fmt(st->mac, m),
			    vdp_mode_name(t->mode), id,
			    hints_text(t->status));
		}
		cur_rule = rule;
		rc = changed ? vdp_br_rx_update(&v->br, now, t) :
		    vdp_br_rx(&v->br, now, t);
		if (rc < 0 && rc != -EBUSY) {
			st->ctr.rx_bad_tlvs++;
			log_rl(&rl_tlv, now, LOG_LVL_WARN, "%s: station %s: "
			    "VSI %s: %s", p->ifname, mac_fmt(st->mac, m), id,
			    strerror(-rc));
			if (v->br.state == VDP_BRS_INIT && v->br.conf_mode == 0) {
				if (vdp_br_reject_reply(t, rc == -E2BIG ?
				    VDP_RSP_NO_RESOURCES :
				    VDP_RSP_INVALID_FORMAT, &rsp) == 0)
					reply_stateless(st, pdu->mgrid, &rsp);
				vsi_free(v, now, "refused");
				cur_pdu = NULL;
				continue;
			}
		}
		vsi_drain(v, now);
		cur_pdu = NULL;
		cur_idx = -1;
	}
}

void
vsi_timer(struct nnved_vsi *v, uint64_t now)
{
	struct nnved *d = v->st->port->d;
	bool held = v->br.state == VDP_BRS_WAITCMD;
	char name[160], why[64];

	if (v->held != NULL && now >= v->held->deadline) {
		struct nnved_held *h = v->held;

		v->held = NULL;
		nnved_nva_authorize_cancel(d, h->token);
		snprintf(why, sizeof(why), "none within %u ms",
		    d->conf.nva.authorize_timeout_ms);
		fallback(v, &h->q, h->local_ok, h->rule_line, why, now);
		free(h);
	}
	if (vdp_br_tick(&v->br, now) > 0 && held &&
	    v->br.state == VDP_BRS_END) {
		d->ctr.ka_timeouts++;
		log_info("%s: no keep-alive within %llu ms: de-associated",
		    vsi_name(v, name, sizeof(name)), (unsigned long long)
		    (vdp_br_ka_timeout_us(&v->br.par) / 1000));
	}
	vsi_drain(v, now);
}

void
vsi_station_gone(struct nnved_station *st, uint64_t now)
{
	struct nnved *d = st->port->d;
	struct hmap_iter it;
	struct hnode *n;

	hmap_iter_init(&d->vsis, &it);
	while (st->nvsi > 0 && (n = hmap_iter_next(&d->vsis, &it)) != NULL) {
		struct nnved_vsi *v = HMAP_CONTAINER(n, struct nnved_vsi, node);

		if (v->st == st)
			vsi_free(v, now, "station gone");
	}
}

int
vsi_operator_deassoc(struct nnved_vsi *v, uint64_t now)
{
	struct nnved *d = v->st->port->d;
	char name[160];
	int rc;

	log_info("%s: operator de-associates", vsi_name(v, name, sizeof(name)));
	if ((rc = vdp_br_deassoc(&v->br, now)) < 0)
		return rc;
	d->ctr.operator_deassoc++;
	vsi_drain(v, now);
	return 0;
}

int
vsi_vn_disconnect(struct nnved *d, struct nnved_domain *dom, uint32_t vn,
    uint64_t now)
{
	struct nnved_vap *vap = vsi_vap_find(dom, vn);
	struct nvo3_vap_acts va = { .n = 0 };
	struct nnved_vsi **list = NULL;
	struct hmap_iter it;
	struct hnode *n;
	size_t cnt = 0, i;
	int rc;

	if (vap == NULL || vap->m.state != NVO3_VAP_CONNECTED)
		return -ENOENT;
	if (vap->m.num_tsi > 0 &&
	    (list = calloc(vap->m.num_tsi, sizeof(*list))) == NULL)
		return -ENOMEM;
	hmap_iter_init(&d->vsis, &it);
	while ((n = hmap_iter_next(&d->vsis, &it)) != NULL) {
		struct nnved_vsi *v = HMAP_CONTAINER(n, struct nnved_vsi, node);

		if (v->vap == vap && cnt < vap->m.num_tsi)
			list[cnt++] = v;
	}
	log_info("%s: operator disconnects VN %u (%zu TSIs)", dom->name, vn,
	    cnt);
	/* keep the VAP while its TSIs go, then disconnect it explicitly */
	vap->m.pinned = 1;
	for (i = 0; i < cnt; i++)
		if (vsi_operator_deassoc(list[i], now) < 0)
			vsi_free(list[i], now, "VN disconnected");
	free(list);
	rc = nvo3_vap_disconnect(&vap->m, &dom->tags, now, &va);
	if (rc == 0)
		vap_actions(d, vap, &va);
	d->ctr.operator_disconnect++;
	vap_maybe_free(vap);
	return rc;
}

int
vsi_vn_connect(struct nnved *d, struct nnved_domain *dom, uint32_t vn,
    uint16_t vid, uint64_t now)
{
	struct nvo3_vap_acts va = { .n = 0 };
	struct nnved_vap *vap;
	int tag;

	if (vn == 0 || vn > NVO3_VN_MAX)
		return -EINVAL;
	if ((vap = vap_get(d, dom, vn)) == NULL)
		return -ENOMEM;
	tag = nvo3_vap_connect(&vap->m, &dom->tags, vid, now, &va);
	if (tag < 0) {
		vap_maybe_free(vap);
		return tag;
	}
	vap_actions(d, vap, &va);
	log_info("%s: operator connected VN %u, local tag %d", dom->name, vn,
	    tag);
	return tag;
}
