/*
 * bind.c - tnved's bindings: one VDP station machine (lib/vdp) per TSI
 * per External NVE, and what happens to them when an NVE answers, stops
 * answering, or comes back.
 *
 * Owns struct tnved_bind: its place in d->binds (key: NVE index and VSI
 * ID, how a received TLV finds its machine), in its NVE's list, in its
 * TSI's slots, and its timer.  Runs in tnved's one thread.  Relies on
 * nve.c to carry TLVs (nve_send_tlv) and to judge NVE health, and hands
 * every outcome of a request made for an operation to vm.c
 * (vm_bind_outcome), which decides for the VM as a whole.
 *
 * The request a binding sends (RFC 8394 section 5 over VDP):
 *   - VSI ID format 5 (UUID), the TSI's type ID/version, Manager ID from
 *     the config;
 *   - filter format 4 (GroupID, MAC, VID): one entry per MAC of the TSI,
 *     GroupID = the VN (a VNI), VID 0 until the NVE assigned one, then
 *     the assigned VID (a re-announce names it, as lldpad wants);
 *   - after it, only when the NVE agreed them: the migration reason
 *     (requests of an operation only, not keep-alives) and the IP list
 *     (every time, keep-alives too: the NVE takes the list as complete).
 *   Formats 5/6 are not used: one format per VSI is fixed for its life,
 *   and a TSI's addresses may be of both families or change family.
 *
 * NVE failure (RFC 8394 Req-3/Req-4): a keep-alive without an answer, or
 * ECP giving up, takes the NVE down (nve_set_down).  Then each binding
 * there moves to the next usable NVE of an active-standby VN and asks it
 * for what the TSI held (or the request in flight); elsewhere the TSI is
 * marked down and asked again when the NVE is heard again.  A De-Assoc
 * the NVE sends on its own marks the TSI down and is not undone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tnved.h"
#include "util/log.h"
#include "util/mtime.h"

const char *const tnved_bind_status_names[6] = {
	[TNVED_B_IDLE] = "idle",
	[TNVED_B_WAIT_NVE] = "wait-nve",
	[TNVED_B_PENDING] = "pending",
	[TNVED_B_OK] = "ok",
	[TNVED_B_FAILED] = "failed",
	[TNVED_B_DOWN] = "down",
};

static struct log_rl rl_unknown, rl_down;

static void	bind_drain(struct tnved_bind *b, uint64_t now);

static uint32_t
bind_hash(unsigned nve_index, const uint8_t vsiid[16])
{
	return hash_add32(hash_bytes(vsiid, 16, 0x7e3d), nve_index);
}

uint8_t
bind_mode(const struct tnved_bind *b)
{
	switch (b->sta.state) {
	case VDP_STS_CONFIRMED:
	case VDP_STS_KAWAIT:
		return b->sta.conf_mode;
	case VDP_STS_PROCWAIT:
		return b->sta.conf_mode;
	default:
		return 0;
	}
}

static void
set_status(struct tnved_bind *b, enum tnved_bind_status st, uint64_t now)
{
	if (b->status != st) {
		b->status = st;
		b->since = now;
	}
}

unsigned
bind_targets(struct tnved_tsi *t, struct tnved_nve *out[])
{
	struct tnved *d = t->vm->d;
	const struct tnved_vn_conf *vc = tnved_conf_vn(&d->conf, t->def.vn);
	struct tnved_nve *n, *first = NULL, *notdown = NULL;

	memset(out, 0, sizeof(out[0]) * TNVED_VN_NVES);
	if (vc == NULL || vc->nnves == 0) {
		out[0] = d->nnves ? &d->nves[0] : NULL;
		return out[0] ? 1 : 0;
	}
	if (vc->mode == TNVED_VN_ACTIVE_ACTIVE) {
		for (unsigned i = 0; i < vc->nnves && i < TNVED_VN_NVES; i++)
			out[i] = nve_find(d, vc->nves[i]);
		return vc->nnves;
	}
	/* single / active-standby: keep the active one while it is not down */
	if (t->bind[0] != NULL && t->bind[0]->nve->health != TNVED_NVE_DOWN) {
		out[0] = t->bind[0]->nve;
		return 1;
	}
	for (unsigned i = 0; i < vc->nnves; i++) {
		if ((n = nve_find(d, vc->nves[i])) == NULL)
			continue;
		if (first == NULL)
			first = n;
		if (nve_usable(n)) {
			out[0] = n;
			return 1;
		}
		if (notdown == NULL && n->health != TNVED_NVE_DOWN)
			notdown = n;
	}
	out[0] = notdown ? notdown : first;
	return out[0] ? 1 : 0;
}

void
bind_unlink(struct tnved_bind *b)
{
	struct tnved *d = b->tsi->vm->d;

	if (b->dead)
		return;
	hmap_remove(&d->binds, &b->node);
	sn_theap_cancel(&d->timers, &b->timer);
	if ((*b->nve_pprev = b->nve_next) != NULL)
		b->nve_next->nve_pprev = b->nve_pprev;
	b->nve->nbinds--;
	b->dead = true;
}

void
bind_free(struct tnved_bind *b)
{
	bind_unlink(b);
	for (unsigned i = 0; i < TNVED_VN_NVES; i++)
		if (b->tsi->bind[i] == b)
			b->tsi->bind[i] = NULL;
	free(b);
}

struct tnved_bind *
bind_get(struct tnved_tsi *t, unsigned slot, struct tnved_nve *n,
    uint64_t now)
{
	struct tnved *d = t->vm->d;
	struct tnved_bind *b = t->bind[slot];

	if (b != NULL && b->nve == n)
		return b;
	if (b != NULL)
		bind_free(b);
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->tsi = t;
	b->nve = n;
	vdp_sta_init(&b->sta, &(struct vdp_params){ 0 });
	sn_timer_init(&b->timer, TNVED_T_BIND);
	b->since = now;
	if (hmap_insert(&d->binds, &b->node, bind_hash(n->index,
	    t->def.vsiid)) < 0) {
		free(b);
		return NULL;
	}
	b->nve_pprev = &n->binds;
	if ((b->nve_next = n->binds) != NULL)
		n->binds->nve_pprev = &b->nve_next;
	n->binds = b;
	n->nbinds++;
	t->bind[slot] = b;
	return b;
}

/* ---- requests ------------------------------------------------------------ */

static void
build_tlv(const struct tnved_bind *b, uint8_t mode, uint8_t hints,
    struct vdp_vsi_tlv *tlv, struct vdp_filter *f)
{
	const struct tnved_tsi *t = b->tsi;
	const struct tnved_conf *c = &t->vm->d->conf;

	memset(tlv, 0, sizeof(*tlv));
	tlv->mode = mode;
	tlv->status = hints;
	tlv->type_id = t->def.type_id ? t->def.type_id : c->type_id;
	tlv->type_ver = t->def.type_id ? t->def.type_ver : c->type_ver;
	tlv->vsiid_fmt = VDP_VSIID_UUID;
	memcpy(tlv->vsiid, t->def.vsiid, 16);
	tlv->ffmt = VDP_FIF_GROUP_MAC_VID;
	tlv->nfilter = t->def.nmac;
	for (unsigned i = 0; i < t->def.nmac; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		f[i].group = t->def.vn;
		memcpy(f[i].mac, t->def.mac[i], 6);
		f[i].vid = b->vid;
	}
	tlv->filters = f;
}

static void
outcome(struct tnved_bind *b, bool ok, const char *why, uint64_t now)
{
	if (!b->in_op)
		return;
	b->in_op = false;
	vm_bind_outcome(b, ok, why, now);
}

static const char *
fail_text(const struct vdp_sta_action *a, char *buf, size_t sz)
{
	switch (a->reason) {
	case VDP_SR_REFUSED_KEPT:
	case VDP_SR_RSP_ERROR:
		snprintf(buf, sz, "refused with code %u (%s)%s", a->code,
		    vdp_rsp_name(a->code), a->reason == VDP_SR_REFUSED_KEPT ?
		    ", previous state kept" : "");
		break;
	case VDP_SR_RSP_DEASSOC:
		snprintf(buf, sz, "answered with De-Associate");
		break;
	case VDP_SR_MISMATCH:
		snprintf(buf, sz, "answer does not match the request");
		break;
	case VDP_SR_TIMEOUT:
		snprintf(buf, sz, "no answer within the response wait");
		break;
	case VDP_SR_TX_ERROR:
		snprintf(buf, sz, "ECP could not deliver the request");
		break;
	case VDP_SR_BRIDGE:
		snprintf(buf, sz, "de-associated by the NVE");
		break;
	default:
		snprintf(buf, sz, "%s", vdp_sta_reason_names[a->reason]);
		break;
	}
	return buf;
}

void
bind_request(struct tnved_bind *b, uint8_t mode, uint8_t hints,
    uint8_t reason, uint64_t now)
{
	struct tnved *d = b->tsi->vm->d;
	struct vdp_vsi_tlv tlv;
	struct vdp_filter f[VDP_SM_MAX_FILTERS];
	int rc;

	b->want_mode = mode;
	b->want_hints = hints;
	b->want_reason = reason;
	b->queued = false;
	b->code = 0;
	if (b->dead)
		return;
	if (mode == VDP_TLV_DEASSOC && bind_mode(b) == 0 &&
	    b->sta.state != VDP_STS_PROCWAIT &&
	    b->sta.state != VDP_STS_KAWAIT) {
		/* nothing held: done */
		vdp_sta_init(&b->sta, &b->sta.par);
		sn_theap_cancel(&d->timers, &b->timer);
		set_status(b, TNVED_B_IDLE, now);
		outcome(b, true, NULL, now);
		return;
	}
	if (!nve_usable(b->nve)) {
		set_status(b, TNVED_B_WAIT_NVE, now);
		return;
	}
	build_tlv(b, mode, hints, &tlv, f);
	b->sta.par = nve_vdp_params(b->nve);
	rc = vdp_sta_request(&b->sta, now, &tlv);
	if (rc == -EBUSY) {
		/* a keep-alive is in flight: ask once it ends */
		b->queued = true;
		set_status(b, TNVED_B_PENDING, now);
		return;
	}
	if (rc == -ENOENT) {
		set_status(b, TNVED_B_IDLE, now);
		outcome(b, true, NULL, now);
		return;
	}
	if (rc < 0) {
		set_status(b, TNVED_B_FAILED, now);
		outcome(b, false, rc == -EPERM ? "the NVE did not offer "
		    "deactivate (Associate to Pre-Associate)" : strerror(-rc),
		    now);
		return;
	}
	set_status(b, TNVED_B_PENDING, now);
	bind_drain(b, now);
}

/* Sends a SEND action's TLV with the Org TLVs the NVE may read. */
static int
send_action(struct tnved_bind *b, const struct vdp_sta_action *a)
{
	const struct tnved_tsi *t = b->tsi;
	struct tnved *d = t->vm->d;
	struct nvo3_migration mig, *pm = NULL;
	struct nvo3_ipaddr_tlv ip, *pi = NULL;

	if (b->status == TNVED_B_PENDING && b->want_reason != 0 &&
	    a->tlv.mode == b->want_mode) {
		memset(&mig, 0, sizeof(mig));
		mig.reason = b->want_reason;
		mig.flags = NVO3_MIGF_AUTHORITATIVE;
		pm = &mig;
	}
	if (t->def.nip > 0) {
		if (b->nve->caps & NVO3_CAP_IPADDR_TLV) {
			memset(&ip, 0, sizeof(ip));
			ip.vsiid_fmt = VDP_VSIID_UUID;
			memcpy(ip.vsiid, t->def.vsiid, 16);
			ip.naddr = t->def.nip;
			memcpy(ip.addr, t->def.ip, t->def.nip *
			    sizeof(ip.addr[0]));
			pi = &ip;
		} else if (!b->ip_warned) {
			b->ip_warned = true;
			log_info("VM %s TSI %u: NVE %s takes no IP address "
			    "list (extension not agreed); only MACs are "
			    "signalled", t->vm->name, t->idx, b->nve->name);
		}
	}
	if (b->status == TNVED_B_OK)
		b->keepalives++;
	return nve_send_tlv(b->nve, d->conf.mgrid, &a->tlv, pm, pi);
}

/* A NOTIFY of the machine: an answer, an end, a refusal. */
static void
notify(struct tnved_bind *b, const struct vdp_sta_action *a, uint64_t now)
{
	struct tnved_tsi *t = b->tsi;
	struct tnved *d = t->vm->d;
	struct vdp_filter f;
	char why[160], txt[128];
	bool pending = b->status == TNVED_B_PENDING && !b->queued;

	vdp_filter_at(&a->tlv, 0, &f);
	if (a->note != VDP_SN_DEASSOCIATED && f.vid != 0) {
		b->vid = f.vid;
		if (t->bind[0] == b || t->vid == 0)
			t->vid = f.vid;
	}
	if (a->note != VDP_SN_DEASSOCIATED) {
		bool match = (a->note == VDP_SN_ASSOCIATED) ==
		    (b->want_mode == VDP_TLV_ASSOC);

		if (!pending)
			return;		/* a keep-alive's answer */
		if (a->reason == VDP_SR_OK && match) {
			set_status(b, TNVED_B_OK, now);
			t->down = false;
			b->code = 0;
			if (b->failover && d->fo.pending > 0 &&
			    --d->fo.pending == 0) {
				d->fo.took_us = now - d->fo.start;
				log_warn("failover %s -> %s: %u TSI%s moved, "
				    "all confirmed in %llu ms", d->fo.from,
				    d->fo.to, d->fo.moved, d->fo.moved == 1 ?
				    "" : "s", (unsigned long long)
				    (d->fo.took_us / 1000));
			}
			b->failover = false;
			outcome(b, true, NULL, now);
			return;
		}
		/* refused with Keep: the old state stays */
		b->code = a->code;
		b->why = a->reason;
		set_status(b, bind_mode(b) ? TNVED_B_OK : TNVED_B_FAILED, now);
		snprintf(why, sizeof(why), "NVE %s %s", b->nve->name,
		    fail_text(a, txt, sizeof(txt)));
		outcome(b, false, why, now);
		return;
	}
	/* the VSI ended */
	if (pending) {
		if (b->want_mode == VDP_TLV_DEASSOC && (a->reason == VDP_SR_OK ||
		    a->reason == VDP_SR_RSP_DEASSOC || a->reason ==
		    VDP_SR_BRIDGE)) {
			set_status(b, TNVED_B_IDLE, now);
			outcome(b, true, NULL, now);
			return;
		}
		b->code = a->code;
		b->why = a->reason;
		set_status(b, b->want_mode == VDP_TLV_DEASSOC ? TNVED_B_IDLE :
		    TNVED_B_FAILED, now);
		snprintf(why, sizeof(why), "NVE %s %s", b->nve->name,
		    fail_text(a, txt, sizeof(txt)));
		/* a De-Assoc nobody answered still ends what we held */
		outcome(b, b->want_mode == VDP_TLV_DEASSOC, why, now);
		return;
	}
	if (b->status != TNVED_B_OK)
		return;
	b->why = a->reason;
	b->code = a->code;
	set_status(b, TNVED_B_DOWN, now);
	t->down = true;
	switch (a->reason) {
	case VDP_SR_BRIDGE:
	case VDP_SR_RSP_DEASSOC:
	case VDP_SR_RSP_ERROR:
		d->ctr.tsi_nve_deassoc++;
		log_warn("VM %s TSI %u (%s): de-associated by NVE %s%s; "
		    "the TSI is down", t->vm->name, t->idx, t->def.port,
		    b->nve->name, a->reason == VDP_SR_BRIDGE ? "" :
		    " (keep-alive refused)");
		break;
	case VDP_SR_TIMEOUT:
		d->ka_lost |= 1u << b->nve->index;
		break;
	default:
		break;		/* ECP: nve.c takes the NVE down */
	}
}

static void
bind_drain(struct tnved_bind *b, uint64_t now)
{
	struct tnved *d = b->tsi->vm->d;
	struct vdp_sta_action a;

	while (!b->dead && vdp_sta_next_action(&b->sta, &a)) {
		if (a.kind == VDP_SA_SEND) {
			if (send_action(b, &a) < 0)
				vdp_sta_tx_error(&b->sta, now);
		} else {
			notify(b, &a, now);
		}
	}
	if (b->dead)
		return;		/* its VM went away meanwhile */
	tnved_timer_set(d, &b->timer, vdp_sta_deadline(&b->sta));
	if (b->queued && b->sta.state != VDP_STS_KAWAIT &&
	    b->sta.state != VDP_STS_PROCWAIT &&
	    b->sta.state != VDP_STS_DEAWAIT)
		bind_request(b, b->want_mode, b->want_hints, b->want_reason,
		    now);
}

/* ---- events from nve.c and the timer heap -------------------------------- */

void
vm_bind_timer(struct tnved_bind *b, uint64_t now)
{
	vdp_sta_tick(&b->sta, now);
	bind_drain(b, now);
}

void
vm_nve_tlv(struct tnved_nve *n, const struct vdp_pdu *pdu, unsigned idx,
    uint64_t now)
{
	struct tnved *d = n->d;
	const struct vdp_vsi_tlv *tlv = &pdu->vsi[idx];
	struct hnode *h;
	char id[VDP_VSIID_STRLEN];

	n->ctr.rx_tlvs++;
	HMAP_FOR_HASH(h, &d->binds, bind_hash(n->index, tlv->vsiid)) {
		struct tnved_bind *b = HMAP_CONTAINER(h, struct tnved_bind,
		    node);

		if (b->nve != n || memcmp(b->tsi->def.vsiid, tlv->vsiid, 16))
			continue;
		if (tlv->vsiid_fmt != VDP_VSIID_UUID)
			break;
		if (memcmp(pdu->mgrid, d->conf.mgrid, VDP_MGRID_LEN) != 0)
			break;
		vdp_sta_rx(&b->sta, now, tlv);
		bind_drain(b, now);
		return;
	}
	n->ctr.rx_unknown_vsi++;
	vdp_vsiid_fmt(tlv->vsiid_fmt, tlv->vsiid, id, sizeof(id));
	log_rl(&rl_unknown, now, LOG_LVL_INFO, "nve %s: %s for VSI %s that "
	    "no TSI of ours holds: ignored", n->name,
	    vdp_mode_name(tlv->mode), id);
}

/* Every binding of n, copied: handling one may free others. */
static struct tnved_bind **
snapshot(struct tnved_nve *n, unsigned *count)
{
	struct tnved_bind **v, *b;
	unsigned i = 0;

	*count = 0;
	if (n->nbinds == 0 ||
	    (v = calloc(n->nbinds, sizeof(*v))) == NULL)
		return NULL;
	for (b = n->binds; b != NULL && i < n->nbinds; b = b->nve_next)
		v[i++] = b;
	*count = i;
	return v;
}

static bool
still_there(struct tnved_nve *n, const struct tnved_bind *x)
{
	for (const struct tnved_bind *b = n->binds; b; b = b->nve_next)
		if (b == x)
			return true;
	return false;
}

void
vm_nve_tx_error(struct tnved_nve *n, uint64_t now)
{
	unsigned cnt;
	struct tnved_bind **v = snapshot(n, &cnt);

	for (unsigned i = 0; i < cnt; i++) {
		struct tnved_bind *b = v[i];

		if (!still_there(n, b))
			continue;
		if (b->sta.state == VDP_STS_PROCWAIT ||
		    b->sta.state == VDP_STS_KAWAIT ||
		    b->sta.state == VDP_STS_DEAWAIT) {
			vdp_sta_tx_error(&b->sta, now);
			bind_drain(b, now);
		}
	}
	free(v);
}

void
vm_nve_up(struct tnved_nve *n, uint64_t now)
{
	unsigned cnt, sent = 0;
	struct tnved_bind **v = snapshot(n, &cnt);

	for (unsigned i = 0; i < cnt; i++) {
		struct tnved_bind *b = v[i];

		if (!still_there(n, b))
			continue;
		if (b->status == TNVED_B_WAIT_NVE ||
		    (b->status == TNVED_B_DOWN && b->why != VDP_SR_BRIDGE &&
		    b->why != VDP_SR_RSP_DEASSOC &&
		    b->why != VDP_SR_RSP_ERROR && b->want_mode != 0 &&
		    b->want_mode != VDP_TLV_DEASSOC)) {
			if (b->status == TNVED_B_DOWN)
				vdp_sta_init(&b->sta, &b->sta.par);
			bind_request(b, b->want_mode, b->want_hints,
			    b->want_reason, now);
			sent++;
		}
	}
	free(v);
	if (sent)
		log_info("nve %s: up; %u request%s sent", n->name, sent,
		    sent == 1 ? "" : "s");
}

/* Moves b to the next usable NVE of its active-standby VN: true if done. */
static bool
fail_over(struct tnved_bind *b, uint64_t now)
{
	struct tnved_tsi *t = b->tsi;
	struct tnved *d = t->vm->d;
	const struct tnved_vn_conf *vc = tnved_conf_vn(&d->conf, t->def.vn);
	struct tnved_nve *to = NULL, *from = b->nve;
	struct tnved_bind *nb;
	uint8_t mode, hints, reason;
	bool in_op, op_ok, pending;

	if (vc == NULL || vc->mode != TNVED_VN_ACTIVE_STANDBY ||
	    t->bind[0] != b)
		return false;
	for (unsigned i = 0; i < vc->nnves && to == NULL; i++) {
		struct tnved_nve *n = nve_find(d, vc->nves[i]);

		if (n != NULL && n != from && nve_usable(n))
			to = n;
	}
	if (to == NULL)
		return false;
	mode = b->want_mode;
	hints = b->want_hints;
	reason = b->want_reason;
	in_op = b->in_op;
	op_ok = b->op_ok;
	pending = b->status == TNVED_B_PENDING || b->status ==
	    TNVED_B_WAIT_NVE;
	if (!pending && b->status != TNVED_B_OK && b->status != TNVED_B_DOWN) {
		/* nothing held, nothing asked: just forget it */
		bind_free(b);
		return true;
	}
	b->in_op = false;
	if ((nb = bind_get(t, 0, to, now)) == NULL) {	/* frees b */
		log_err("VM %s TSI %u: failover: %s", t->vm->name, t->idx,
		    strerror(ENOMEM));
		return true;
	}
	nb->in_op = in_op;
	nb->op_ok = op_ok;
	if (!pending && (mode == VDP_TLV_DEASSOC || mode == 0)) {
		nb->in_op = false;
		return true;
	}
	if (d->fo.pending == 0 || strcmp(d->fo.from, from->name) != 0) {
		d->fo.start = from->health_since ? from->health_since : now;
		d->fo.moved = 0;
		d->fo.took_us = 0;
		snprintf(d->fo.from, sizeof(d->fo.from), "%s", from->name);
		snprintf(d->fo.to, sizeof(d->fo.to), "%s", to->name);
	}
	d->fo.moved++;
	d->fo.pending++;
	d->ctr.failovers++;
	nb->failover = true;
	/* the tag was the old NVE's: the standby assigns its own */
	t->vid = 0;
	bind_request(nb, mode, hints, pending ? reason : 0, now);
	return true;
}

void
vm_nve_down(struct tnved_nve *n, uint64_t now)
{
	struct tnved *d = n->d;
	unsigned cnt, moved = 0, down = 0;
	struct tnved_bind **v = snapshot(n, &cnt);

	for (unsigned i = 0; i < cnt; i++) {
		struct tnved_bind *b = v[i];
		bool was_pending;

		if (!still_there(n, b))
			continue;
		was_pending = b->status == TNVED_B_PENDING;
		/* stop the machine: no keep-alives to a dead NVE */
		vdp_sta_init(&b->sta, &b->sta.par);
		sn_theap_cancel(&d->timers, &b->timer);
		b->queued = false;
		if (fail_over(b, now)) {
			moved++;
			continue;
		}
		if (was_pending || b->status == TNVED_B_WAIT_NVE) {
			set_status(b, TNVED_B_FAILED, now);
			b->why = VDP_SR_TX_ERROR;
			{
				char why[160];

				snprintf(why, sizeof(why), "NVE %s is down (%s)",
				    n->name, n->down_why);
				outcome(b, b->want_mode == VDP_TLV_DEASSOC,
				    why, now);
			}
			continue;
		}
		if (b->status == TNVED_B_OK) {
			set_status(b, TNVED_B_DOWN, now);
			b->why = VDP_SR_TX_ERROR;
			b->tsi->down = true;
			down++;
		}
	}
	free(v);
	if (moved || down)
		log_rl(&rl_down, now, LOG_LVL_WARN, "nve %s down: %u TSI%s "
		    "moved to a standby NVE, %u marked down until it is "
		    "heard again", n->name, moved, moved == 1 ? "" : "s",
		    down);
}

void
vm_turn(struct tnved *d, uint64_t now)
{
	uint32_t lost = d->ka_lost;

	while (d->dead != NULL) {
		struct tnved_vm *vm = d->dead;

		d->dead = vm->dead_next;
		for (unsigned i = 0; i < vm->ntsi; i++)
			for (unsigned j = 0; j < TNVED_VN_NVES; j++)
				if (vm->tsi[i].bind[j] != NULL)
					bind_free(vm->tsi[i].bind[j]);
		free(vm);
	}

	d->ka_lost = 0;
	for (unsigned i = 0; lost != 0 && i < d->nnves; i++)
		if (lost & (1u << i))
			nve_set_down(&d->nves[i], "keep-alive lost", now);
}
