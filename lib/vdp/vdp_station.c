/*
 * vdp_station.c - the VDP22 station state machine, one instance per VSI,
 * as tnved runs it on the hypervisor for each VM interface.
 *
 * Owns struct vdp_sta: the request in flight, the last confirmed mode
 * and entries, the response-wait / keep-alive timer and the action queue.
 * Runs in tnved's control thread; pure (the caller passes "now", encodes
 * and sends the TLVs, and tells the hypervisor).  Relies on vdp_sm.c for
 * the timer formulas, and on the codec (vdp/vdp.h) for the types, VSI
 * identity, reading entries and matching a response to its request.
 *
 * The rule (802.1Q clause 41 as lldpad implements it, spec/wire-formats.md
 * 3.2), in our words: the station sends its request (Pre-Assoc,
 * Pre-Assoc-RR, Assoc or De-Assoc, with the M/S migration hints) and
 * waits for the bridge's answer.  The answer's TLV type is the resulting
 * state; an error without Keep ends the VSI, an error with Keep leaves the
 * previous state in place.  Once confirmed, the station re-sends the same
 * request every keep-alive period so the bridge knows it is still there.
 * A De-Assoc without the response bit is the bridge throwing the VSI out:
 * the VSI ends and no VDP reply goes back (ECP still acknowledges it).
 * No answer in time, or ECP giving up, ends the VSI.
 *
 * We differ in:
 *   - lldpad's transient states are folded into the transitions below
 *     (STATION_PROC, ASSOC_NEW, PREASSOC_NEW, ASSOC_COMPL, WAIT_SYSCMD,
 *     TXMIT_KA are actions, not states);
 *   - Assoc -> Pre-Assoc (RFC 8394 "deactivate") is allowed when the peer
 *     offered NVO3_CAP_DEACTIVATE, refused with -EPERM otherwise;
 *   - an error with Keep keeps our previous confirmed mode and entries
 *     whatever TLV type the bridge put in its reply, and ends the VSI only
 *     when there was no previous state (lldpad looks at the reply type);
 *   - a keep-alive refused with Keep sends a De-Assoc whether we were
 *     associated or pre-associated, so the bridge frees what it holds;
 *   - keep-alives carry the VIDs the bridge assigned, not the VID 0 of
 *     the first request.
 *
 *             request                  success (reply type P, PR or A)
 *  INIT/END ----------> PROCWAIT ----------------------------------+
 *     ^                  |   ^  \  error+Keep, a state to keep     |
 *     |                  |   |   `------------------------------+  |
 *     |                  |   |          request                 v  v
 *     |<----- (*) -------'   `------------------------------ CONFIRMED
 *     |                                                       |     ^
 *     |                                          ka timer     v     | success
 *     |<----- (*) ------------------------------------------ KAWAIT-'
 *     |<----- bridge De-Assoc (from CONFIRMED)                 |
 *     |                                           error+Keep   v
 *     |<----- response, timeout, tx error, bridge De-Assoc -- DEAWAIT
 *
 *  (*) timeout, tx error, error without Keep, mismatch, reply type
 *      De-Assoc, bridge De-Assoc
 *
 * Transitions (state x event, in sta_step()):
 *   INIT, END  + REQUEST        -> PROCWAIT   sta_request_send()
 *   CONFIRMED  + REQUEST        -> PROCWAIT   sta_request_send()
 *   PROCWAIT, KAWAIT, DEAWAIT + REQUEST       -EBUSY
 *   PROCWAIT   + RESPONSE       -> CONFIRMED | END        sta_response()
 *   KAWAIT     + RESPONSE       -> CONFIRMED | DEAWAIT | END  sta_response()
 *   DEAWAIT    + RESPONSE       -> END        sta_end()
 *   PROCWAIT, KAWAIT, DEAWAIT + TIMER         -> END  sta_end() (timeout)
 *   CONFIRMED  + TIMER          -> KAWAIT     sta_keepalive_send()
 *   PROCWAIT, KAWAIT, DEAWAIT + TX_ERROR      -> END  sta_end()
 *   PROCWAIT, CONFIRMED, KAWAIT, DEAWAIT + BRIDGE_DEASSOC -> END sta_end()
 *   anything else: refused with an errno, state unchanged.
 */
#include <errno.h>
#include <string.h>

#include "util/mtime.h"
#include "vdp/vdp_sm.h"

const char *const vdp_sta_state_names[VDP_STS__COUNT] = {
	[VDP_STS_INIT] = "INIT",
	[VDP_STS_PROCWAIT] = "PROCWAIT",
	[VDP_STS_CONFIRMED] = "CONFIRMED",
	[VDP_STS_KAWAIT] = "KAWAIT",
	[VDP_STS_DEAWAIT] = "DEAWAIT",
	[VDP_STS_END] = "END",
};

const char *const vdp_sta_event_names[VDP_SE__COUNT] = {
	[VDP_SE_REQUEST] = "request",
	[VDP_SE_RESPONSE] = "response",
	[VDP_SE_BRIDGE_DEASSOC] = "bridge-deassoc",
	[VDP_SE_TIMER] = "timer",
	[VDP_SE_TX_ERROR] = "tx-error",
};

const char *const vdp_sta_note_names[VDP_SN__COUNT] = {
	[VDP_SN_PREASSOCIATED] = "preassociated",
	[VDP_SN_ASSOCIATED] = "associated",
	[VDP_SN_DEASSOCIATED] = "deassociated",
};

const char *const vdp_sta_reason_names[VDP_SR__COUNT] = {
	[VDP_SR_OK] = "ok",
	[VDP_SR_REFUSED_KEPT] = "refused-kept",
	[VDP_SR_RSP_ERROR] = "rsp-error",
	[VDP_SR_RSP_DEASSOC] = "rsp-deassoc",
	[VDP_SR_MISMATCH] = "mismatch",
	[VDP_SR_TIMEOUT] = "timeout",
	[VDP_SR_TX_ERROR] = "tx-error",
	[VDP_SR_BRIDGE] = "bridge",
};

void
vdp_sta_init(struct vdp_sta *s, const struct vdp_params *p)
{
	memset(s, 0, sizeof(*s));
	s->state = VDP_STS_INIT;
	s->par = *p;
	s->deadline = TIME_NEVER;
	s->req.filters = s->rf;
	s->conf.filters = s->cf;
}

static struct vdp_sta_action *
sta_push(struct vdp_sta *s, enum vdp_sta_act_kind kind)
{
	struct vdp_sta_action *a;

	if (s->qlen == VDP_SM_MAX_ACTIONS) {
		s->lost++;
		return NULL;
	}
	a = &s->q[(s->qhead + s->qlen++) % VDP_SM_MAX_ACTIONS];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	return a;
}

int
vdp_sta_next_action(struct vdp_sta *s, struct vdp_sta_action *a)
{
	if (s->qlen == 0)
		return 0;
	*a = s->q[s->qhead];
	s->qhead = (s->qhead + 1) % VDP_SM_MAX_ACTIONS;
	s->qlen--;
	return 1;
}

uint64_t
vdp_sta_deadline(const struct vdp_sta *s)
{
	return s->deadline;
}

static bool
in_flight(const struct vdp_sta *s)
{
	return s->state == VDP_STS_PROCWAIT || s->state == VDP_STS_KAWAIT ||
	    s->state == VDP_STS_DEAWAIT;
}

static enum vdp_sta_note
note_of(uint8_t mode)
{
	switch (mode) {
	case VDP_TLV_PREASSOC:
	case VDP_TLV_PREASSOC_RR:
		return VDP_SN_PREASSOCIATED;
	case VDP_TLV_ASSOC:
		return VDP_SN_ASSOCIATED;
	default:
		return VDP_SN_DEASSOCIATED;
	}
}

static void
sta_notify(struct vdp_sta *s, const struct vdp_vsi_tlv *vsi,
    enum vdp_sta_note note, enum vdp_sta_reason why, uint8_t status,
    bool assigned)
{
	struct vdp_sta_action *a = sta_push(s, VDP_SA_NOTIFY);

	if (!a)
		return;
	a->tlv = *vsi;
	a->note = note;
	a->reason = why;
	a->status = status;
	a->code = status & VDP_ST_RESPONSE ? status & VDP_ST_CODE_MASK : 0;
	a->vid_assigned = assigned;
}

/* Transmits s->req and arms the response wait. */
static void
sta_transmit(struct vdp_sta *s, uint64_t now)
{
	struct vdp_sta_action *a = sta_push(s, VDP_SA_SEND);

	if (a)
		a->tlv = s->req;
	s->deadline = now + vdp_sta_resp_wait_us(&s->par);
}

/* Any state -> END: the VSI is gone; tell the hypervisor why. */
static void
sta_end(struct vdp_sta *s, enum vdp_sta_reason why, uint8_t status)
{
	s->state = VDP_STS_END;
	s->deadline = TIME_NEVER;
	s->conf_mode = 0;
	sta_notify(s, &s->req, VDP_SN_DEASSOCIATED, why, status, false);
}

/* Enters CONFIRMED with the keep-alive timer running. */
static void
sta_confirmed(struct vdp_sta *s, uint64_t now)
{
	s->state = VDP_STS_CONFIRMED;
	s->deadline = now + vdp_sta_keepalive_us(&s->par);
}

/* INIT/END/CONFIRMED + REQUEST -> PROCWAIT. */
static int
sta_request_send(struct vdp_sta *s, uint64_t now,
    const struct vdp_vsi_tlv *req)
{
	uint8_t cur = s->state == VDP_STS_CONFIRMED ? s->conf_mode : 0;
	uint16_t i;

	if (req->mode == VDP_TLV_DEASSOC && cur == 0)
		return -ENOENT;
	if ((req->mode == VDP_TLV_PREASSOC ||
	    req->mode == VDP_TLV_PREASSOC_RR) && cur == VDP_TLV_ASSOC &&
	    !s->par.deactivate_ok)
		return -EPERM;
	s->req = *req;
	for (i = 0; i < req->nfilter; i++)
		vdp_filter_at(req, i, &s->rf[i]);
	s->req.filters = s->rf;
	s->req.fdata = NULL;
	s->req.err = VDP_E_NONE;
	s->req.off = 0;
	s->state = VDP_STS_PROCWAIT;
	sta_transmit(s, now);
	return 0;
}

/* CONFIRMED + TIMER -> KAWAIT: the same request once more. */
static void
sta_keepalive_send(struct vdp_sta *s, uint64_t now)
{
	s->state = VDP_STS_KAWAIT;
	sta_transmit(s, now);
}

/*
 * PROCWAIT/KAWAIT + RESPONSE.  Decides on the code first (a refusal
 * need not echo our entries), then matches the entries, then follows the
 * reply's TLV type.
 */
static int
sta_response(struct vdp_sta *s, uint64_t now, const struct vdp_vsi_tlv *r)
{
	uint8_t code = r->status & VDP_ST_CODE_MASK;
	bool assigned = false;
	uint16_t i;

	if (code != 0 && !(r->status & VDP_ST_KEEP)) {
		sta_end(s, VDP_SR_RSP_ERROR, r->status);
		return 0;
	}
	if (!vdp_filters_match(&s->req, r)) {
		sta_end(s, VDP_SR_MISMATCH,
		    VDP_ST_RESPONSE | VDP_RSP_INVALID_VID_GROUP_MAC);
		return 0;
	}
	if (code != 0) {
		/* Refused with Keep. */
		if (s->state == VDP_STS_KAWAIT) {
			s->ka_code = r->status;
			s->req = s->conf;
			s->req.filters = s->rf;
			s->req.mode = VDP_TLV_DEASSOC;
			s->req.status = 0;
			s->state = VDP_STS_DEAWAIT;
			sta_transmit(s, now);
			return 0;
		}
		if (s->conf_mode == 0) {
			sta_end(s, VDP_SR_RSP_ERROR, r->status);
			return 0;
		}
		s->req = s->conf;
		memcpy(s->rf, s->cf, s->conf.nfilter * sizeof(s->rf[0]));
		s->req.filters = s->rf;
		sta_confirmed(s, now);
		sta_notify(s, &s->req, note_of(s->conf_mode),
		    VDP_SR_REFUSED_KEPT, r->status, false);
		return 0;
	}
	if (r->mode == VDP_TLV_DEASSOC) {
		sta_end(s, s->req.mode == VDP_TLV_DEASSOC ? VDP_SR_OK :
		    VDP_SR_RSP_DEASSOC, r->status);
		return 0;
	}
	/* Success: adopt assigned VIDs (and PCP where we left PS clear). */
	for (i = 0; i < s->req.nfilter; i++) {
		struct vdp_filter *f = &s->rf[i];
		struct vdp_filter g;

		vdp_filter_at(r, i, &g);
		if (f->vid == 0 && g.vid != 0) {
			f->vid = g.vid;
			assigned = true;
		}
		if (!f->ps && g.ps) {
			f->ps = g.ps;
			f->pcp = g.pcp;
		}
	}
	s->req.mode = r->mode;
	if (s->state == VDP_STS_PROCWAIT || s->conf_mode != r->mode)
		sta_notify(s, &s->req, note_of(r->mode), VDP_SR_OK,
		    r->status, assigned);
	s->conf_mode = r->mode;
	s->conf = s->req;
	memcpy(s->cf, s->rf, s->req.nfilter * sizeof(s->cf[0]));
	s->conf.filters = s->cf;
	sta_confirmed(s, now);
	return 0;
}

/* The one state x event switch. */
static int
sta_step(struct vdp_sta *s, uint64_t now, enum vdp_sta_event ev,
    const struct vdp_vsi_tlv *t)
{
	switch (ev) {
	case VDP_SE_REQUEST:
		if (in_flight(s))
			return -EBUSY;
		return sta_request_send(s, now, t);
	case VDP_SE_RESPONSE:
		switch (s->state) {
		case VDP_STS_PROCWAIT:
		case VDP_STS_KAWAIT:
			return sta_response(s, now, t);
		case VDP_STS_DEAWAIT:
			sta_end(s, VDP_SR_RSP_ERROR, s->ka_code);
			return 0;
		default:
			s->ignored++;
			return -EPROTO;
		}
	case VDP_SE_BRIDGE_DEASSOC:
		if (s->state == VDP_STS_INIT || s->state == VDP_STS_END) {
			s->ignored++;
			return -ENOENT;
		}
		sta_end(s, VDP_SR_BRIDGE, t->status);
		return 0;
	case VDP_SE_TIMER:
		if (s->state == VDP_STS_CONFIRMED) {
			sta_keepalive_send(s, now);
			return 0;
		}
		if (in_flight(s)) {
			sta_end(s, VDP_SR_TIMEOUT, s->state == VDP_STS_DEAWAIT ?
			    s->ka_code : 0);
			return 0;
		}
		return -ENOENT;
	case VDP_SE_TX_ERROR:
		if (!in_flight(s))
			return -ENOENT;
		sta_end(s, VDP_SR_TX_ERROR, s->state == VDP_STS_DEAWAIT ?
		    s->ka_code : 0);
		return 0;
	default:
		return -EINVAL;
	}
}

static bool
mode_ok(uint8_t mode)
{
	return mode >= VDP_TLV_PREASSOC && mode <= VDP_TLV_DEASSOC;
}

int
vdp_sta_request(struct vdp_sta *s, uint64_t now,
    const struct vdp_vsi_tlv *req)
{
	if (!req || !mode_ok(req->mode) ||
	    (req->status & ~(VDP_ST_SBIT | VDP_ST_MBIT)) != 0 ||
	    req->nfilter == 0 || (!req->filters && !req->fdata) ||
	    vdp_filter_max(req->ffmt) == 0)
		return -EINVAL;
	if (req->nfilter > VDP_SM_MAX_FILTERS)
		return -E2BIG;
	if (s->state != VDP_STS_INIT && s->state != VDP_STS_END &&
	    !vdp_vsi_same(&s->req, req))
		return -EINVAL;
	return sta_step(s, now, VDP_SE_REQUEST, req);
}

int
vdp_sta_rx(struct vdp_sta *s, uint64_t now, const struct vdp_vsi_tlv *tlv)
{
	if (!tlv || !mode_ok(tlv->mode) || tlv->nfilter == 0 ||
	    (!tlv->filters && !tlv->fdata))
		return -EINVAL;
	if (s->state != VDP_STS_INIT && !vdp_vsi_same(&s->req, tlv))
		return -EINVAL;
	if (tlv->status & VDP_ST_RESPONSE)
		return sta_step(s, now, VDP_SE_RESPONSE, tlv);
	if (tlv->mode == VDP_TLV_DEASSOC)
		return sta_step(s, now, VDP_SE_BRIDGE_DEASSOC, tlv);
	s->ignored++;
	return -EPROTO;
}

int
vdp_sta_tx_error(struct vdp_sta *s, uint64_t now)
{
	return sta_step(s, now, VDP_SE_TX_ERROR, NULL);
}

int
vdp_sta_tick(struct vdp_sta *s, uint64_t now)
{
	if (s->deadline == TIME_NEVER || now < s->deadline)
		return 0;
	return sta_step(s, now, VDP_SE_TIMER, NULL) == 0 ? 1 : 0;
}
