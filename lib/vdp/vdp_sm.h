/*
 * vdp_sm.h - VDP22 per-VSI state machines (station and bridge), the timer
 * formulas they run on, and the packer that groups outgoing VSI TLVs into
 * ULPDUs.
 *
 * Everything here is pure: no I/O, no clock, no logging, no allocation.
 * The caller owns one struct vdp_sta (hypervisor side, tnved) or struct
 * vdp_br (External NVE side, nnved) per VSI, feeds it events with the
 * current time in microseconds ("now"), then drains the actions the call
 * queued (vdp_sta_next_action / vdp_br_next_action) and performs them:
 * encode and hand a TLV to ECP, tell the hypervisor, ask the NVE policy
 * for resources.  The caller also asks for the next deadline
 * (vdp_*_deadline, TIME_NEVER when no timer runs) and calls vdp_*_tick
 * when it falls due.
 *
 * Contract for every entry point:
 *   - drain all queued actions after every call; a TLV in an action
 *     points at filter storage inside the instance, valid until the next
 *     call on that instance;
 *   - received TLVs are handed in as vdp_pdu_decode() left them (entries
 *     read through vdp_filter_at(), so ->fdata or ->filters will do); the
 *     instance copies what it keeps;
 *   - the caller dispatches a received TLV to the instance whose identity
 *     it carries (vdp_vsi_same() in vdp.h, plus the Manager ID); an
 *     instance refuses another VSI's TLV with -EINVAL.
 */
#ifndef SPLITNVE_VDP_VDP_SM_H
#define SPLITNVE_VDP_VDP_SM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vdp/vdp.h"

/* ---- negotiated parameters and timers ------------------------------- */

/*
 * Values the EVB TLV negotiation produced (lib/lldp).  Exponents are
 * 5-bit (larger values are clamped to 31), r is 0..7 (clamped).
 */
struct vdp_params {
	uint8_t		r;		/* ECP retries */
	uint8_t		rte;		/* ECP ackTime exponent */
	uint8_t		rwd;		/* resourceWaitDelay exponent */
	uint8_t		rka;		/* reinitKeepAlive exponent */
	unsigned	deactivate_ok:1; /* peer offered NVO3_CAP_DEACTIVATE */
};

/* 10 us * 2^exp, the EVB time unit. */
uint64_t	vdp_exp_us(uint8_t exp);
/* ECP ackTime: 10 us * 2^RTE. */
uint64_t	vdp_ack_time_us(const struct vdp_params *p);
/* Station response wait: 1.5 * ((1 + 2R) * ackTime + 10 us * 2^RWD). */
uint64_t	vdp_sta_resp_wait_us(const struct vdp_params *p);
/* Station keep-alive (reinitKeepAlive) period: 10 us * 2^RKA. */
uint64_t	vdp_sta_keepalive_us(const struct vdp_params *p);
/* Bridge resourceWaitDelay: 10 us * 2^RWD. */
uint64_t	vdp_br_res_wait_us(const struct vdp_params *p);
/* Bridge keep-alive timeout: 1.5 * ((1 + 2R) * ackTime + 10 us * 2^RKA). */
uint64_t	vdp_br_ka_timeout_us(const struct vdp_params *p);

/* ---- helpers shared by both roles ----------------------------------- */

/* Most filter entries one VSI may carry in these machines. */
#define VDP_SM_MAX_FILTERS	16
/* Actions one call can queue (two at most today; room to spare). */
#define VDP_SM_MAX_ACTIONS	4

/* ---- station (tnved) ------------------------------------------------- */

enum vdp_sta_state {
	VDP_STS_INIT,		/* nothing requested yet */
	VDP_STS_PROCWAIT,	/* a hypervisor request is in flight */
	VDP_STS_CONFIRMED,	/* bridge confirmed a mode; keep-alive runs */
	VDP_STS_KAWAIT,		/* a keep-alive re-send is in flight */
	VDP_STS_DEAWAIT,	/* our De-Assoc after a refused keep-alive */
	VDP_STS_END,		/* VSI gone; a new request starts again */
	VDP_STS__COUNT
};
extern const char *const vdp_sta_state_names[VDP_STS__COUNT];

enum vdp_sta_event {
	VDP_SE_REQUEST,		/* hypervisor asks for a mode */
	VDP_SE_RESPONSE,	/* bridge TLV with the response bit */
	VDP_SE_BRIDGE_DEASSOC,	/* bridge De-Assoc without response bit */
	VDP_SE_TIMER,		/* response wait or keep-alive timer */
	VDP_SE_TX_ERROR,	/* ECP gave up on our ULPDU */
	VDP_SE__COUNT
};
extern const char *const vdp_sta_event_names[VDP_SE__COUNT];

enum vdp_sta_note {
	VDP_SN_PREASSOCIATED,	/* confirmed Pre-Assoc or Pre-Assoc-RR */
	VDP_SN_ASSOCIATED,	/* confirmed Assoc */
	VDP_SN_DEASSOCIATED,	/* VSI ended */
	VDP_SN__COUNT
};
extern const char *const vdp_sta_note_names[VDP_SN__COUNT];

enum vdp_sta_reason {
	VDP_SR_OK,		/* request confirmed as asked */
	VDP_SR_REFUSED_KEPT,	/* refused with Keep: previous state kept */
	VDP_SR_RSP_ERROR,	/* refused without Keep (code in ->code) */
	VDP_SR_RSP_DEASSOC,	/* bridge answered with a De-Assoc TLV */
	VDP_SR_MISMATCH,	/* response entries differ (code 5 locally) */
	VDP_SR_TIMEOUT,		/* no response within the response wait */
	VDP_SR_TX_ERROR,	/* ECP transmit error */
	VDP_SR_BRIDGE,		/* bridge-initiated De-Assoc */
	VDP_SR__COUNT
};
extern const char *const vdp_sta_reason_names[VDP_SR__COUNT];

enum vdp_sta_act_kind {
	VDP_SA_SEND,		/* encode ->tlv and hand it to ECP */
	VDP_SA_NOTIFY,		/* tell the hypervisor side */
};

struct vdp_sta_action {
	enum vdp_sta_act_kind kind;
	/* SEND: the request; NOTIFY: the VSI with its current entries */
	struct vdp_vsi_tlv tlv;
	/* NOTIFY only */
	enum vdp_sta_note note;
	enum vdp_sta_reason reason;
	uint8_t		status;		/* raw status of the response, or 0 */
	uint8_t		code;		/* response code (reason RSP_*, KEPT) */
	unsigned	vid_assigned:1;	/* a VID 0 of ours was filled in */
};

struct vdp_sta {
	enum vdp_sta_state state;
	struct vdp_params par;
	uint8_t		conf_mode;	/* 0 = none, else VDP_TLV_* */
	uint8_t		ka_code;	/* DEAWAIT: code of the refused KA */
	uint64_t	deadline;	/* TIME_NEVER or the running timer */
	struct vdp_vsi_tlv req;		/* request in flight / re-sent */
	struct vdp_filter rf[VDP_SM_MAX_FILTERS];	/* req entries */
	struct vdp_vsi_tlv conf;	/* last confirmed request */
	struct vdp_filter cf[VDP_SM_MAX_FILTERS];	/* conf entries */
	struct vdp_sta_action q[VDP_SM_MAX_ACTIONS];
	unsigned	qhead, qlen;
	uint32_t	ignored;	/* TLVs that did not fit the state */
	uint32_t	lost;		/* actions dropped: queue not drained */
};

void	vdp_sta_init(struct vdp_sta *s, const struct vdp_params *p);

/*
 * The hypervisor asks for req->mode (VDP_TLV_PREASSOC..DEASSOC) with
 * hints in req->status (VDP_ST_SBIT, VDP_ST_MBIT, nothing else) and
 * req->nfilter entries at req->filters (VID 0 = bridge, assign).  Queues
 * SEND and arms the response timer.  Errors: -EINVAL (bad mode, status
 * bits, no entries, unknown filter format, another VSI's identity),
 * -E2BIG (more than
 * VDP_SM_MAX_FILTERS entries), -EBUSY (a request or keep-alive is in
 * flight), -ENOENT (De-Assoc with nothing to de-associate), -EPERM
 * (Pre-Assoc while associated and the peer did not offer deactivate).
 */
int	vdp_sta_request(struct vdp_sta *s, uint64_t now,
	    const struct vdp_vsi_tlv *req);

/*
 * A VSI TLV from the bridge for this VSI.  Returns 0 when acted on,
 * -EINVAL (another VSI, bad mode, no entries), -EPROTO (a request other than
 * De-Assoc, or a response with nothing in flight; counted in ->ignored),
 * -ENOENT (a De-Assoc for a VSI that has already ended; counted).
 */
int	vdp_sta_rx(struct vdp_sta *s, uint64_t now,
	    const struct vdp_vsi_tlv *tlv);

/* ECP gave up on our last ULPDU.  -ENOENT if nothing was in flight. */
int	vdp_sta_tx_error(struct vdp_sta *s, uint64_t now);

/* Fires the timer if now >= deadline; returns 1 if it fired, else 0. */
int	vdp_sta_tick(struct vdp_sta *s, uint64_t now);
uint64_t vdp_sta_deadline(const struct vdp_sta *s);

/* Pops the oldest queued action into *a; returns 1, or 0 when empty. */
int	vdp_sta_next_action(struct vdp_sta *s, struct vdp_sta_action *a);

/* ---- bridge (nnved) --------------------------------------------------- */

enum vdp_br_state {
	VDP_BRS_INIT,		/* created, no request seen */
	VDP_BRS_RESWAIT,	/* waiting for the resource answer */
	VDP_BRS_WAITCMD,	/* confirmed; keep-alive timeout runs */
	VDP_BRS_END,		/* VSI gone; the caller deletes it */
	VDP_BRS__COUNT
};
extern const char *const vdp_br_state_names[VDP_BRS__COUNT];

enum vdp_br_event {
	VDP_BE_REQUEST,		/* station request (response bit clear) */
	VDP_BE_RESOURCE,	/* the caller's resource answer */
	VDP_BE_TIMER,		/* resource wait or keep-alive timeout */
	VDP_BE_OPERATOR,	/* NVE-initiated de-associate */
	VDP_BE__COUNT
};
extern const char *const vdp_br_event_names[VDP_BE__COUNT];

enum vdp_br_act_kind {
	VDP_BA_SEND,		/* encode ->tlv and hand it to ECP */
	VDP_BA_RESOURCE_REQUEST, /* decide on ->tlv, answer vdp_br_resource */
	VDP_BA_RESOURCE_CANCEL,	/* the pending resource request is dropped */
	VDP_BA_RELEASE,		/* free what the VSI held (tag, filters) */
	VDP_BA__COUNT
};
extern const char *const vdp_br_act_names[VDP_BA__COUNT];

struct vdp_br_action {
	enum vdp_br_act_kind kind;
	struct vdp_vsi_tlv tlv;		/* SEND: response or unsolicited
					   De-Assoc; RESOURCE_REQUEST: the
					   request; RELEASE: confirmed VSI */
	uint8_t		hints;		/* REQUEST/RELEASE: M/S bits seen */
	uint8_t		prev_mode;	/* REQUEST: confirmed mode, 0 none */
};

/* The caller's answer to VDP_BA_RESOURCE_REQUEST. */
struct vdp_br_result {
	uint8_t		code;		/* VDP_RSP_*; 0 = success */
	unsigned	keep:1;		/* failure: keep the previous state */
	unsigned	hard:1;		/* failure: not transient */
	uint16_t	nfilter;	/* success: entries for the response */
	const struct vdp_filter *filters; /* NULL: echo the request */
};

struct vdp_br {
	enum vdp_br_state state;
	struct vdp_params par;
	uint8_t		conf_mode;	/* 0 = none, else VDP_TLV_* */
	uint64_t	deadline;
	struct vdp_vsi_tlv req;		/* request being decided */
	struct vdp_filter rf[VDP_SM_MAX_FILTERS];
	struct vdp_vsi_tlv conf;	/* confirmed response */
	struct vdp_filter cf[VDP_SM_MAX_FILTERS];
	struct vdp_br_action q[VDP_SM_MAX_ACTIONS];
	unsigned	qhead, qlen;
	uint32_t	ignored;	/* requests dropped while busy */
	uint32_t	lost;
	bool		changed;	/* vdp_br_rx_update() in progress */
};

void	vdp_br_init(struct vdp_br *b, const struct vdp_params *p);

/*
 * A station TLV for this VSI.  Returns 0 when acted on, -EINVAL
 * (another VSI, no entries, bad mode or filter format), -E2BIG (too
 * many entries), -EPROTO (response bit set: bridges take requests only),
 * -EBUSY (waiting for resources: ignored and counted), -ESHUTDOWN (END).
 */
int	vdp_br_rx(struct vdp_br *b, uint64_t now,
	    const struct vdp_vsi_tlv *tlv);

/*
 * The same for a request whose entries may equal the confirmed ones but
 * that carries a change outside them (our IP-address Org TLV lists other
 * addresses, RFC 8394 Req-10): it goes to the resource owner
 * (RESOURCE_REQUEST) instead of being answered as a keep-alive.
 */
int	vdp_br_rx_update(struct vdp_br *b, uint64_t now,
	    const struct vdp_vsi_tlv *tlv);

/*
 * The resource answer.  -ENOENT when none is pending (the wait timed out
 * or the VSI went away: undo whatever was allocated), -EINVAL when the
 * entries do not answer the request (count, GroupID, MAC, fixed VID) or
 * the code is out of range.
 */
int	vdp_br_resource(struct vdp_br *b, uint64_t now,
	    const struct vdp_br_result *res);

/* Operator / NVE-initiated De-Associate.  -ENOENT when nothing is held. */
int	vdp_br_deassoc(struct vdp_br *b, uint64_t now);

int	vdp_br_tick(struct vdp_br *b, uint64_t now);
uint64_t vdp_br_deadline(const struct vdp_br *b);
int	vdp_br_next_action(struct vdp_br *b, struct vdp_br_action *a);

/*
 * Stateless replies, for TLVs that have no instance.  Both copy req to
 * *rsp (filters pointers included) and set mode and status:
 *   unknown De-Assoc  -> De-Assoc, 0x40 (-EINVAL unless req is a
 *                        De-Assoc request);
 *   reject (new VSI failed validation) -> De-Assoc, 0x40 | code
 *                        (-EINVAL for a response or a code > 15).
 */
int	vdp_br_unknown_deassoc_reply(const struct vdp_vsi_tlv *req,
	    struct vdp_vsi_tlv *rsp);
int	vdp_br_reject_reply(const struct vdp_vsi_tlv *req, uint8_t code,
	    struct vdp_vsi_tlv *rsp);

/* ---- batching several VSI TLVs per ULPDU ------------------------------ */

/* One outgoing VSI TLV. */
struct vdp_batch_item {
	const uint8_t	*mgrid;		/* 16 octets */
	const struct vdp_vsi_tlv *tlv;
	uint16_t	extra;		/* octets of Org TLVs sent after it */
};

/* One planned ULPDU: order[first .. first + count - 1] are item indexes. */
struct vdp_ulpdu_plan {
	uint16_t	first;
	uint16_t	count;
	uint16_t	len;		/* octets, End TLV not included */
};

/*
 * Groups n items into ULPDUs: one Manager ID per ULPDU, items kept in
 * input order within a manager, as many TLVs as fit in VDP_MAX_ULPDU
 * (and at most VDP_MAX_VSI) when peer_caps has NVO3_CAP_MULTI_TLV, else
 * one per ULPDU.  order[] receives n indexes.  Returns the number of
 * ULPDUs, or -EINVAL (NULL item, unknown filter format), -EMSGSIZE (a
 * TLV value over 511 octets or an item alone over the ULPDU), -ENOSPC
 * (more ULPDUs than plan_cap), -E2BIG (n over 65535).
 */
int	vdp_batch_plan(const struct vdp_batch_item *items, size_t n,
	    uint32_t peer_caps, const struct vdp_codec_opts *opts,
	    uint16_t *order, struct vdp_ulpdu_plan *plan, size_t plan_cap);

/*
 * Fills pdu (Manager ID and VSI TLVs, no Org TLVs) for one planned
 * ULPDU, ready for vdp_pdu_encode().  -EINVAL on a plan that does not
 * fit the items.
 */
int	vdp_batch_fill(const struct vdp_batch_item *items, size_t n,
	    const uint16_t *order, const struct vdp_ulpdu_plan *p,
	    struct vdp_pdu *pdu);

#endif /* SPLITNVE_VDP_VDP_SM_H */
