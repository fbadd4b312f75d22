/*
 * vdp_bridge.c - the VDP22 bridge state machine, one instance per VSI,
 * as nnved runs it on the External NVE for every VSI a station announces.
 *
 * Owns struct vdp_br: the request being decided, the confirmed mode and
 * entries, the resource-wait / keep-alive timer and the action queue.
 * Runs in nnved's control thread; pure.  The NVE policy (VSI type check
 * with the NVA, GroupID -> VNI -> local tag allocation, filters) is not
 * here: the machine asks for it with a RESOURCE_REQUEST action and the
 * daemon answers with vdp_br_resource().  Relies on vdp_sm.c (timers)
 * and the codec (vdp/vdp.h: types, identity, entries, matching).
 *
 * The rule (802.1Q clause 41 as lldpad implements it, spec/wire-formats.md
 * 3.3), in our words: every request from the station that changes
 * something goes to the resource owner, which has resourceWaitDelay to
 * decide.  Success is answered with the request's own TLV type and the
 * entries filled in (assigned VIDs, PCP); a refusal with Keep leaves the
 * previous state and says so; a refusal without Keep is answered with a
 * De-Assoc TLV and the VSI ends.  No decision in time counts as a
 * refusal with Keep if the VSI had a state, else the bridge throws the
 * VSI out with an unsolicited De-Assoc.  Once confirmed, a repeat of the
 * confirmed request is a keep-alive, answered at once.  A station that
 * stops repeating is thrown out after the keep-alive timeout.  A De-Assoc
 * request is always answered with success and ends the VSI.
 *
 * We differ in:
 *   - lldpad's transient states (PROCESS's outcomes SEND, KEEP, DEASSOC,
 *     ALIVE, DEASSOCIATED) are actions of the transitions below;
 *   - a repeat of the confirmed mode whose entries differ from the
 *     confirmed ones (RFC 8394 Req-10, addresses updated) is not a
 *     keep-alive and goes through the resource owner again;
 *   - a resource-wait timeout answers Keep with code 3 ("unable to
 *     contact the VSI manager"), and tells the caller to drop its pending
 *     work (RESOURCE_CANCEL);
 *   - the NVE itself may de-associate at any time (RFC 8394 Req-6/Req-9).
 *
 *          request            success, refusal+Keep, or resource
 *   INIT ---------------> RESWAIT ---- wait ran out with a state ---> WAITCMD
 *    |                     |  |  ^                                    |  |  ^
 *    | De-Assoc:           |  |  `------ other mode or entries -------'  |  |
 *    | answer 0x40         |  |                                          `--'
 *    v                     |  |                              keep-alive: 0x40
 *   END <- refusal w/o Keep-'  |
 *    ^ <- resource wait ran out, no state: unsolicited De-Assoc
 *    |<- De-Assoc request: answer 0x40, release ------------------- WAITCMD
 *    |<- keep-alive timeout, operator: unsolicited De-Assoc, release WAITCMD
 *    |<- operator: cancel, unsolicited De-Assoc, release ---------- RESWAIT
 *
 * Transitions (state x event, in br_step()):
 *   INIT    + REQUEST De-Assoc       -> END      br_answer_deassoc()
 *   INIT    + REQUEST other          -> RESWAIT  br_ask_resources()
 *   RESWAIT + REQUEST                (ignored, counted, -EBUSY)
 *   RESWAIT + RESOURCE success       -> WAITCMD  br_resource()
 *   RESWAIT + RESOURCE failure+Keep, had a state  -> WAITCMD br_resource()
 *   RESWAIT + RESOURCE failure       -> END      br_resource()
 *   RESWAIT + TIMER, had a state     -> WAITCMD  br_res_timeout()
 *   RESWAIT + TIMER, no state        -> END      br_res_timeout()
 *   WAITCMD + REQUEST same mode+entries -> WAITCMD br_alive()
 *   WAITCMD + REQUEST De-Assoc       -> END      br_answer_deassoc()
 *   WAITCMD + REQUEST other          -> RESWAIT  br_ask_resources()
 *   WAITCMD + TIMER                  -> END      br_throw_out()
 *   RESWAIT, WAITCMD + OPERATOR      -> END      br_throw_out()
 *   END     + anything               -ESHUTDOWN (the caller deletes it)
 */
#include <errno.h>
#include <string.h>

#include "util/mtime.h"
#include "vdp/vdp_sm.h"

const char *const vdp_br_state_names[VDP_BRS__COUNT] = {
	[VDP_BRS_INIT] = "INIT",
	[VDP_BRS_RESWAIT] = "RESWAIT",
	[VDP_BRS_WAITCMD] = "WAITCMD",
	[VDP_BRS_END] = "END",
};

const char *const vdp_br_event_names[VDP_BE__COUNT] = {
	[VDP_BE_REQUEST] = "request",
	[VDP_BE_RESOURCE] = "resource",
	[VDP_BE_TIMER] = "timer",
	[VDP_BE_OPERATOR] = "operator",
};

const char *const vdp_br_act_names[VDP_BA__COUNT] = {
	[VDP_BA_SEND] = "SEND",
	[VDP_BA_RESOURCE_REQUEST] = "RESOURCE_REQUEST",
	[VDP_BA_RESOURCE_CANCEL] = "RESOURCE_CANCEL",
	[VDP_BA_RELEASE] = "RELEASE",
};

void
vdp_br_init(struct vdp_br *b, const struct vdp_params *p)
{
	memset(b, 0, sizeof(*b));
	b->state = VDP_BRS_INIT;
	b->par = *p;
	b->deadline = TIME_NEVER;
	b->req.filters = b->rf;
	b->conf.filters = b->cf;
}

static struct vdp_br_action *
br_push(struct vdp_br *b, enum vdp_br_act_kind kind)
{
	struct vdp_br_action *a;

	if (b->qlen == VDP_SM_MAX_ACTIONS) {
		b->lost++;
		return NULL;
	}
	a = &b->q[(b->qhead + b->qlen++) % VDP_SM_MAX_ACTIONS];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	return a;
}

int
vdp_br_next_action(struct vdp_br *b, struct vdp_br_action *a)
{
	if (b->qlen == 0)
		return 0;
	*a = b->q[b->qhead];
	b->qhead = (b->qhead + 1) % VDP_SM_MAX_ACTIONS;
	b->qlen--;
	return 1;
}

uint64_t
vdp_br_deadline(const struct vdp_br *b)
{
	return b->deadline;
}

/* Queues a SEND of vsi with the given mode and status. */
static void
br_send(struct vdp_br *b, const struct vdp_vsi_tlv *vsi, uint8_t mode,
    uint8_t status)
{
	struct vdp_br_action *a = br_push(b, VDP_BA_SEND);

	if (!a)
		return;
	a->tlv = *vsi;
	a->tlv.mode = mode;
	a->tlv.status = status;
}

static void
br_release(struct vdp_br *b, uint8_t hints)
{
	struct vdp_br_action *a;

	if (b->conf_mode == 0)
		return;
	a = br_push(b, VDP_BA_RELEASE);
	if (a) {
		a->tlv = b->conf;
		a->hints = hints;
	}
}

static void
br_end(struct vdp_br *b)
{
	b->state = VDP_BRS_END;
	b->deadline = TIME_NEVER;
	b->conf_mode = 0;
}

static void
br_waitcmd(struct vdp_br *b, uint64_t now)
{
	b->state = VDP_BRS_WAITCMD;
	b->deadline = now + vdp_br_ka_timeout_us(&b->par);
}

static void
br_store_request(struct vdp_br *b, const struct vdp_vsi_tlv *t)
{
	uint16_t i;

	b->req = *t;
	for (i = 0; i < t->nfilter; i++)
		vdp_filter_at(t, i, &b->rf[i]);
	b->req.filters = b->rf;
	b->req.fdata = NULL;
	b->req.err = VDP_E_NONE;
	b->req.off = 0;
}

/* INIT/WAITCMD + REQUEST De-Assoc -> END: answer success, free. */
static void
br_answer_deassoc(struct vdp_br *b, const struct vdp_vsi_tlv *t)
{
	br_store_request(b, t);
	br_send(b, &b->req, VDP_TLV_DEASSOC, VDP_ST_RESPONSE);
	br_release(b, t->status & (VDP_ST_SBIT | VDP_ST_MBIT));
	br_end(b);
}

/* INIT/WAITCMD + REQUEST -> RESWAIT: hand the decision to the caller. */
static void
br_ask_resources(struct vdp_br *b, uint64_t now, const struct vdp_vsi_tlv *t)
{
	struct vdp_br_action *a;

	br_store_request(b, t);
	a = br_push(b, VDP_BA_RESOURCE_REQUEST);
	if (a) {
		a->tlv = b->req;
		a->hints = t->status & (VDP_ST_SBIT | VDP_ST_MBIT);
		a->prev_mode = b->conf_mode;
	}
	b->state = VDP_BRS_RESWAIT;
	b->deadline = now + vdp_br_res_wait_us(&b->par);
}

/*
 * Same mode as confirmed, entries unchanged, and the caller saw no change
 * outside the entries (vdp_br_rx_update): a keep-alive.
 */
static bool
br_is_keepalive(const struct vdp_br *b, const struct vdp_vsi_tlv *t)
{
	return !b->changed && t->mode == b->conf_mode &&
	    vdp_filters_match(t, &b->conf);
}

/* WAITCMD + REQUEST keep-alive -> WAITCMD: answer 0x40 at once. */
static void
br_alive(struct vdp_br *b, uint64_t now)
{
	br_send(b, &b->conf, b->conf_mode, VDP_ST_RESPONSE);
	br_waitcmd(b, now);
}

/*
 * WAITCMD + TIMER, RESWAIT/WAITCMD + OPERATOR -> END: unsolicited
 * De-Assoc (status 0), drop a pending resource request, free what the
 * VSI held.
 */
static void
br_throw_out(struct vdp_br *b)
{
	if (b->state == VDP_BRS_RESWAIT)
		(void)br_push(b, VDP_BA_RESOURCE_CANCEL);
	br_send(b, b->conf_mode ? &b->conf : &b->req, VDP_TLV_DEASSOC, 0);
	br_release(b, 0);
	br_end(b);
}

/* Refusal: Keep (back to WAITCMD) when there is a state, else De-Assoc. */
static void
br_refuse(struct vdp_br *b, uint64_t now, uint8_t code, bool keep, bool hard)
{
	uint8_t st = VDP_ST_RESPONSE | (code & VDP_ST_CODE_MASK) |
	    (hard ? VDP_ST_HARD : 0);

	if (keep && b->conf_mode != 0) {
		br_send(b, &b->req, b->req.mode, st | VDP_ST_KEEP);
		br_waitcmd(b, now);
		return;
	}
	br_send(b, &b->req, VDP_TLV_DEASSOC, st);
	br_release(b, 0);
	br_end(b);
}

/* RESWAIT + RESOURCE. */
static int
br_resource(struct vdp_br *b, uint64_t now, const struct vdp_br_result *r)
{
	struct vdp_vsi_tlv ans = b->req;

	if (r->code > VDP_ST_CODE_MASK)
		return -EINVAL;
	if (r->code != 0) {
		br_refuse(b, now, r->code, r->keep, r->hard);
		return 0;
	}
	if (r->filters) {
		ans.filters = r->filters;
		ans.nfilter = r->nfilter;
	}
	if (!vdp_filters_match(&b->req, &ans))
		return -EINVAL;
	b->conf = b->req;
	memcpy(b->cf, ans.filters, ans.nfilter * sizeof(b->cf[0]));
	b->conf.filters = b->cf;
	b->conf.status = 0;
	b->conf_mode = b->req.mode;
	br_send(b, &b->conf, b->conf_mode, VDP_ST_RESPONSE);
	br_waitcmd(b, now);
	return 0;
}

/* RESWAIT + TIMER: treat as "unable to contact the VSI manager". */
static void
br_res_timeout(struct vdp_br *b, uint64_t now)
{
	(void)br_push(b, VDP_BA_RESOURCE_CANCEL);
	if (b->conf_mode != 0) {
		br_refuse(b, now, VDP_RSP_NO_VSI_MANAGER, true, false);
		return;
	}
	br_send(b, &b->req, VDP_TLV_DEASSOC, 0);
	br_end(b);
}

/* The one state x event switch. */
static int
br_step(struct vdp_br *b, uint64_t now, enum vdp_br_event ev,
    const struct vdp_vsi_tlv *t, const struct vdp_br_result *r)
{
	if (b->state == VDP_BRS_END)
		return ev == VDP_BE_RESOURCE ? -ENOENT : -ESHUTDOWN;
	switch (ev) {
	case VDP_BE_REQUEST:
		switch (b->state) {
		case VDP_BRS_RESWAIT:
			b->ignored++;
			return -EBUSY;
		case VDP_BRS_WAITCMD:
			if (br_is_keepalive(b, t)) {
				br_alive(b, now);
				return 0;
			}
			/* FALLTHROUGH */
		default:
			if (t->mode == VDP_TLV_DEASSOC)
				br_answer_deassoc(b, t);
			else
				br_ask_resources(b, now, t);
			return 0;
		}
	case VDP_BE_RESOURCE:
		if (b->state != VDP_BRS_RESWAIT)
			return -ENOENT;
		return br_resource(b, now, r);
	case VDP_BE_TIMER:
		if (b->state == VDP_BRS_RESWAIT)
			br_res_timeout(b, now);
		else if (b->state == VDP_BRS_WAITCMD)
			br_throw_out(b);
		else
			return -ENOENT;
		return 0;
	case VDP_BE_OPERATOR:
		if (b->state == VDP_BRS_INIT)
			return -ENOENT;
		br_throw_out(b);
		return 0;
	default:
		return -EINVAL;
	}
}

static int
br_rx(struct vdp_br *b, uint64_t now, const struct vdp_vsi_tlv *tlv,
    bool changed)
{
	int rc;

	if (!tlv || tlv->mode < VDP_TLV_PREASSOC ||
	    tlv->mode > VDP_TLV_DEASSOC || tlv->nfilter == 0 ||
	    (!tlv->filters && !tlv->fdata) ||
	    vdp_filter_max(tlv->ffmt) == 0)
		return -EINVAL;
	if (tlv->status & VDP_ST_RESPONSE)
		return -EPROTO;
	if (tlv->nfilter > VDP_SM_MAX_FILTERS)
		return -E2BIG;
	if (b->state != VDP_BRS_INIT && !vdp_vsi_same(&b->req, tlv))
		return -EINVAL;
	b->changed = changed;
	rc = br_step(b, now, VDP_BE_REQUEST, tlv, NULL);
	b->changed = false;
	return rc;
}

int
vdp_br_rx(struct vdp_br *b, uint64_t now, const struct vdp_vsi_tlv *tlv)
{
	return br_rx(b, now, tlv, false);
}

int
vdp_br_rx_update(struct vdp_br *b, uint64_t now,
    const struct vdp_vsi_tlv *tlv)
{
	return br_rx(b, now, tlv, true);
}

int
vdp_br_resource(struct vdp_br *b, uint64_t now,
    const struct vdp_br_result *res)
{
	if (!res || (res->filters && res->nfilter > VDP_SM_MAX_FILTERS))
		return -EINVAL;
	/*
	 * Entries we could not encode would leave the VSI "associated" here
	 * while the station never hears an answer: refuse them up front.
	 */
	for (unsigned i = 0; res->filters && i < res->nfilter; i++) {
		const struct vdp_filter *e = &res->filters[i];

		if (e->ps > 1 || e->pcp > 7 || e->vid > 4094)
			return -EINVAL;
	}
	return br_step(b, now, VDP_BE_RESOURCE, NULL, res);
}

int
vdp_br_deassoc(struct vdp_br *b, uint64_t now)
{
	return br_step(b, now, VDP_BE_OPERATOR, NULL, NULL);
}

int
vdp_br_tick(struct vdp_br *b, uint64_t now)
{
	if (b->deadline == TIME_NEVER || now < b->deadline)
		return 0;
	return br_step(b, now, VDP_BE_TIMER, NULL, NULL) == 0 ? 1 : 0;
}

int
vdp_br_unknown_deassoc_reply(const struct vdp_vsi_tlv *req,
    struct vdp_vsi_tlv *rsp)
{
	if (!req || !rsp || req->mode != VDP_TLV_DEASSOC ||
	    (req->status & VDP_ST_RESPONSE))
		return -EINVAL;
	*rsp = *req;
	rsp->status = VDP_ST_RESPONSE;
	return 0;
}

int
vdp_br_reject_reply(const struct vdp_vsi_tlv *req, uint8_t code,
    struct vdp_vsi_tlv *rsp)
{
	if (!req || !rsp || (req->status & VDP_ST_RESPONSE) ||
	    code > VDP_ST_CODE_MASK)
		return -EINVAL;
	*rsp = *req;
	rsp->mode = VDP_TLV_DEASSOC;
	rsp->status = VDP_ST_RESPONSE | code;
	return 0;
}
