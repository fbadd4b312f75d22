/*
 * lldp_agent.c - one LLDP agent (nearest customer bridge) per EVB port:
 * when to transmit, how long a neighbour lives, and what changed.
 *
 * Owns: the transmit schedule (fast start, then every msgTxInterval), the
 * neighbour record of the port and its ageing, and the events the daemon
 * acts on (peer up / changed / lost, so VDP can start or fail over).
 * Runs in the control thread of tnved and nnved; it does no I/O and reads
 * no clock: the caller passes "now" (microseconds) in, sends the frame
 * lldp_agent_frame() builds when told to, and calls lldp_agent_tick() at
 * lldp_agent_next().  Relies on lldp_codec.c and evb.c.
 *
 * The rule (802.1AB, in our words): an agent sends an LLDPDU every
 * msgTxInterval, and a few quickly after it starts or learns a neighbour;
 * each PDU says how long it stays valid (TTL = msgTxHold * msgTxInterval);
 * a receiver forgets the neighbour when the TTL runs out, or at once when
 * a PDU with TTL 0 arrives; an agent going down sends one TTL 0 PDU.
 *
 * We differ in: one neighbour per port (Split-NVE links are point to
 * point; a different chassis/port replaces the old one, reported as lost
 * then up); no txCredit limit (the fast start restarts on each local
 * change); a changed neighbour triggers transmission only if it changes
 * what we send; losing the neighbour does not trigger transmission (our
 * next periodic PDU carries the changed EVB TLV).
 *
 *              START               fast_left reaches 0
 *   STOPPED ------------> FAST -------------------------> PERIODIC
 *    ^   ^                |  ^                               |
 *    |   +------STOP------+  +--CHANGE, RX_NEW, RX_CHANGED*--+
 *    |                                                       |
 *    +-------------------------STOP--------------------------+
 *   (with fast_count <= 1, START, CHANGE and RX_NEW go straight to
 *   PERIODIC after their one PDU)
 *
 * Transitions (state x event -> function):
 *   STOPPED  START                   -> fast_start()     tx now, FAST
 *   STOPPED  CHANGE                  -> (none)           config kept
 *   FAST     TX_TIMER                -> tx_timer()       tx, FAST/PERIODIC
 *   PERIODIC TX_TIMER                -> tx_timer()       tx, PERIODIC
 *   FAST|PER STOP                    -> agent_shutdown() tx TTL 0, STOPPED
 *   FAST|PER CHANGE                  -> fast_start()     tx now, FAST
 *   FAST|PER RX_NEW                  -> peer_new()       PEER_UP, FAST
 *   FAST|PER RX_CHANGED              -> peer_changed()   PEER_CHANGED,
 *                                        FAST if our TLVs changed (*)
 *   FAST|PER RX_REFRESH              -> peer_refresh()   age timer reset
 *   FAST|PER RX_SHUTDOWN             -> peer_drop()      PEER_LOST
 *   FAST|PER AGE_TIMER               -> peer_drop()      PEER_LOST
 *   any other pair                   -> ignored (timers are disarmed while
 *                                        STOPPED; rx is dropped before)
 */
#include <errno.h>
#include <string.h>

#include "ext/nvo3_ext_codes.h"
#include "lldp/lldp.h"
#include "util/mtime.h"

static const char *const state_names[LLDP_AS__COUNT] = {
	[LLDP_AS_STOPPED] = "STOPPED",
	[LLDP_AS_FAST] = "FAST",
	[LLDP_AS_PERIODIC] = "PERIODIC",
};

static const char *const event_names[LLDP_EV__COUNT] = {
	[LLDP_EV_START] = "START",
	[LLDP_EV_STOP] = "STOP",
	[LLDP_EV_CHANGE] = "CHANGE",
	[LLDP_EV_TX_TIMER] = "TX_TIMER",
	[LLDP_EV_AGE_TIMER] = "AGE_TIMER",
	[LLDP_EV_RX_NEW] = "RX_NEW",
	[LLDP_EV_RX_CHANGED] = "RX_CHANGED",
	[LLDP_EV_RX_REFRESH] = "RX_REFRESH",
	[LLDP_EV_RX_SHUTDOWN] = "RX_SHUTDOWN",
};

const char *
lldp_agent_state_name(enum lldp_agent_state s)
{
	return (unsigned)s < LLDP_AS__COUNT ? state_names[s] : "?";
}

const char *
lldp_agent_event_name(enum lldp_agent_event e)
{
	return (unsigned)e < LLDP_EV__COUNT ? event_names[e] : "?";
}

const char *
lldp_lost_reason_name(enum lldp_lost_reason r)
{
	static const char *const names[] = {
		"none", "aged", "shutdown", "replaced", "stop"
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ?
	    names[r] : "?";
}

uint16_t
lldp_agent_ttl(const struct lldp_agent_config *cfg)
{
	uint64_t s = cfg->tx_interval_us * cfg->tx_hold / USEC_PER_SEC;

	return s > 65535 ? 65535 : (uint16_t)s;
}

void
lldp_agent_config_default(struct lldp_agent_config *cfg, enum evb_role role,
    const uint8_t src[6])
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->src, src, 6);
	memcpy(cfg->dst, lldp_mac_ncb, 6);
	cfg->chassis.subtype = 4;		/* MAC address */
	cfg->chassis.len = 6;
	memcpy(cfg->chassis.id, src, 6);
	cfg->port.subtype = 3;			/* MAC address */
	cfg->port.len = 6;
	memcpy(cfg->port.id, src, 6);
	cfg->tx_interval_us = 30 * USEC_PER_SEC;
	cfg->tx_hold = 4;
	cfg->fast_count = 4;
	cfg->fast_interval_us = USEC_PER_SEC;
	evb_config_default(&cfg->evb, role);
}

static int
config_check(const struct lldp_agent_config *cfg)
{
	if (!lldp_mac_is_group(cfg->dst) || cfg->chassis.len == 0 ||
	    cfg->port.len == 0 || cfg->tx_interval_us == 0 ||
	    cfg->tx_hold == 0 || cfg->fast_interval_us == 0 ||
	    evb_config_check(&cfg->evb) != 0)
		return -EINVAL;
	if (cfg->has_ecpdest && lldp_ecpdest_check(&cfg->ecpdest) != 0)
		return -EINVAL;
	return 0;
}

/* The PDU we send now (TTL included). */
static void
build_pdu(const struct lldp_agent *a, struct lldp_pdu *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->dst, a->cfg.dst, 6);
	memcpy(p->src, a->cfg.src, 6);
	p->chassis = a->cfg.chassis;
	p->port = a->cfg.port;
	p->ttl = lldp_agent_ttl(&a->cfg);
	p->has_evb = true;
	p->evb = a->out;
	if (a->cfg.evb.caps != 0) {
		p->has_caps = true;
		p->caps = a->cfg.evb.caps;
	}
	/* Only to a peer that offered the extension. */
	if (a->cfg.has_ecpdest && (a->caps & NVO3_CAP_ECPDEST)) {
		p->has_ecpdest = true;
		p->ecpdest = a->cfg.ecpdest;
	}
}

/* Recomputes what we send; returns true if it changed. */
static bool
renegotiate(struct lldp_agent *a)
{
	struct lldp_evb_tlv out;
	uint32_t caps;
	bool changed;
	const struct lldp_pdu *p = a->has_peer ? &a->peer : NULL;

	(void)evb_negotiate(&a->cfg.evb, p && p->has_evb ? &p->evb : NULL,
	    &out, &a->oper);
	caps = nvo3_caps_agree(a->cfg.evb.caps, p && p->has_caps,
	    p ? p->caps : 0);
	/* The ECP-destination TLV goes out only while that cap is agreed. */
	changed = !lldp_evb_equal(&out, &a->out) || (a->cfg.has_ecpdest &&
	    ((caps ^ a->caps) & NVO3_CAP_ECPDEST));
	a->out = out;
	a->caps = caps;
	return changed;
}

static int
fast_start(struct lldp_agent *a, uint64_t now)
{
	a->fast_left = a->cfg.fast_count > 1 ? a->cfg.fast_count - 1 : 0;
	if (a->fast_left > 0) {
		a->state = LLDP_AS_FAST;
		a->tx_due = now + a->cfg.fast_interval_us;
	} else {
		a->state = LLDP_AS_PERIODIC;
		a->tx_due = now + a->cfg.tx_interval_us;
	}
	a->stats.tx++;
	return LLDP_ACT_TX;
}

static int
tx_timer(struct lldp_agent *a, uint64_t now)
{
	if (a->fast_left > 0)
		a->fast_left--;
	if (a->fast_left > 0) {
		a->tx_due = now + a->cfg.fast_interval_us;
	} else {
		a->state = LLDP_AS_PERIODIC;
		a->tx_due = now + a->cfg.tx_interval_us;
	}
	a->stats.tx++;
	return LLDP_ACT_TX;
}

static int
peer_drop(struct lldp_agent *a, enum lldp_lost_reason why)
{
	a->age_due = TIME_NEVER;
	if (!a->has_peer)
		return 0;
	a->has_peer = false;
	a->lost = why;
	(void)renegotiate(a);
	return LLDP_ACT_PEER_LOST;
}

static int
agent_shutdown(struct lldp_agent *a)
{
	int act = peer_drop(a, LLDP_LOST_STOP);

	a->state = LLDP_AS_STOPPED;
	a->tx_due = TIME_NEVER;
	a->fast_left = 0;
	a->stats.tx_shutdown++;
	return act | LLDP_ACT_TX_SHUTDOWN;
}

static void
peer_store(struct lldp_agent *a, const struct lldp_pdu *p, uint64_t now)
{
	a->peer = *p;
	a->has_peer = true;
	a->age_due = now + (uint64_t)p->ttl * USEC_PER_SEC;
}

static int
peer_new(struct lldp_agent *a, const struct lldp_pdu *p, uint64_t now)
{
	int act = 0;

	if (a->has_peer)
		act = peer_drop(a, LLDP_LOST_REPLACED);
	peer_store(a, p, now);
	(void)renegotiate(a);
	return act | LLDP_ACT_PEER_UP | fast_start(a, now);
}

static int
peer_changed(struct lldp_agent *a, const struct lldp_pdu *p, uint64_t now)
{
	int act = LLDP_ACT_PEER_CHANGED;

	peer_store(a, p, now);
	if (renegotiate(a))
		act |= fast_start(a, now);
	return act;
}

static int
peer_refresh(struct lldp_agent *a, const struct lldp_pdu *p, uint64_t now)
{
	peer_store(a, p, now);
	return 0;
}

/* The one state x event switch. */
static int
agent_event(struct lldp_agent *a, enum lldp_agent_event ev,
    const struct lldp_pdu *p, uint64_t now)
{
	if (a->state == LLDP_AS_STOPPED) {
		switch (ev) {
		case LLDP_EV_START:
			(void)renegotiate(a);
			return fast_start(a, now);
		default:
			return 0;
		}
	}
	switch (ev) {
	case LLDP_EV_START:
		return 0;
	case LLDP_EV_STOP:
		return agent_shutdown(a);
	case LLDP_EV_CHANGE:
		(void)renegotiate(a);
		return fast_start(a, now);
	case LLDP_EV_TX_TIMER:
		return tx_timer(a, now);
	case LLDP_EV_AGE_TIMER:
		a->stats.aged++;
		return peer_drop(a, LLDP_LOST_AGED);
	case LLDP_EV_RX_NEW:
		return peer_new(a, p, now);
	case LLDP_EV_RX_CHANGED:
		return peer_changed(a, p, now);
	case LLDP_EV_RX_REFRESH:
		return peer_refresh(a, p, now);
	case LLDP_EV_RX_SHUTDOWN:
		return peer_drop(a, LLDP_LOST_SHUTDOWN);
	default:
		return 0;
	}
}

int
lldp_agent_init(struct lldp_agent *a, const struct lldp_agent_config *cfg)
{
	if (config_check(cfg))
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	a->cfg = *cfg;
	a->state = LLDP_AS_STOPPED;
	a->tx_due = TIME_NEVER;
	a->age_due = TIME_NEVER;
	(void)renegotiate(a);
	return 0;
}

int
lldp_agent_start(struct lldp_agent *a, uint64_t now)
{
	return agent_event(a, LLDP_EV_START, NULL, now);
}

int
lldp_agent_stop(struct lldp_agent *a, uint64_t now)
{
	return agent_event(a, LLDP_EV_STOP, NULL, now);
}

int
lldp_agent_set_config(struct lldp_agent *a,
    const struct lldp_agent_config *cfg, uint64_t now)
{
	if (config_check(cfg))
		return -EINVAL;
	a->cfg = *cfg;
	(void)renegotiate(a);
	return agent_event(a, LLDP_EV_CHANGE, NULL, now);
}

/* Did anything we act on change?  (The TTL alone is a refresh.) */
static bool
peer_differs(const struct lldp_pdu *o, const struct lldp_pdu *n)
{
	if (o->has_evb != n->has_evb || o->has_caps != n->has_caps ||
	    o->has_ecpdest != n->has_ecpdest)
		return true;
	if (n->has_evb && !lldp_evb_equal(&o->evb, &n->evb))
		return true;
	if (n->has_caps && o->caps != n->caps)
		return true;
	if (n->has_ecpdest && (o->ecpdest.kind != n->ecpdest.kind ||
	    memcmp(o->ecpdest.mac, n->ecpdest.mac, 6) != 0))
		return true;
	return memcmp(o->src, n->src, 6) != 0;
}

int
lldp_agent_rx(struct lldp_agent *a, const uint8_t *frame, size_t len,
    uint64_t now)
{
	struct lldp_pdu p;
	enum lldp_agent_event ev;
	bool same;
	int rc;

	if (a->state == LLDP_AS_STOPPED)
		return 0;
	if ((rc = lldp_pdu_decode(frame, len, &p, NULL)) < 0) {
		a->stats.rx_err++;
		return rc;
	}
	a->stats.rx++;
	if (p.no_end)
		a->stats.rx_no_end++;
	a->stats.rx_unknown += p.nunknown + p.nunknown_org;
	same = a->has_peer && lldp_id_equal(&a->peer.chassis, &p.chassis) &&
	    lldp_id_equal(&a->peer.port, &p.port);
	if (p.ttl == 0) {
		if (!same) {
			a->stats.rx_foreign++;
			return 0;
		}
		ev = LLDP_EV_RX_SHUTDOWN;
	} else if (!same)
		ev = LLDP_EV_RX_NEW;
	else if (peer_differs(&a->peer, &p))
		ev = LLDP_EV_RX_CHANGED;
	else
		ev = LLDP_EV_RX_REFRESH;
	return agent_event(a, ev, &p, now);
}

int
lldp_agent_tick(struct lldp_agent *a, uint64_t now)
{
	int act = 0;

	for (;;) {
		if (a->age_due <= now && a->age_due <= a->tx_due)
			act |= agent_event(a, LLDP_EV_AGE_TIMER, NULL, now);
		else if (a->tx_due <= now)
			act |= agent_event(a, LLDP_EV_TX_TIMER, NULL, now);
		else
			break;
	}
	return act;
}

uint64_t
lldp_agent_next(const struct lldp_agent *a)
{
	return a->age_due < a->tx_due ? a->age_due : a->tx_due;
}

int
lldp_agent_frame(const struct lldp_agent *a, uint8_t *buf, size_t cap)
{
	struct lldp_pdu p;

	build_pdu(a, &p);
	return lldp_pdu_encode(&p, buf, cap);
}

int
lldp_agent_shutdown_frame(const struct lldp_agent *a, uint8_t *buf,
    size_t cap)
{
	struct lldp_pdu p;

	build_pdu(a, &p);
	return lldp_pdu_encode_shutdown(&p, buf, cap);
}

int
lldp_agent_tx_frame(const struct lldp_agent *a, int acts, uint8_t *buf,
    size_t cap)
{
	int n;

	if (acts < 0 || !(acts & (LLDP_ACT_TX | LLDP_ACT_TX_SHUTDOWN)))
		return 0;
	if (acts & LLDP_ACT_TX)
		n = lldp_agent_frame(a, buf, cap);
	else
		n = lldp_agent_shutdown_frame(a, buf, cap);
	if (n < 0)
		return n;
	if (n < LLDP_ETH_ZLEN) {
		if (cap < LLDP_ETH_ZLEN)
			return -ENOBUFS;
		memset(buf + n, 0, (size_t)(LLDP_ETH_ZLEN - n));
		n = LLDP_ETH_ZLEN;
	}
	return n;
}
