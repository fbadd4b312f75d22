/*
 * ecp_session.c - the ECP22 session: one per (local port, peer MAC), both
 * directions, I/O-free.
 *
 * Owns: the transmit queue and its stop-and-wait machine, the receive
 * duplicate filter and its accept/reject hold, the destination addressing
 * of our extension, and the session counters.  Runs in the control thread
 * of tnved/nnved, driven by the port's receive handler, the VDP layer
 * (enqueue, verdicts) and the loop's timer; it never touches a socket or a
 * clock: callers pass now (microseconds) and send what SEND actions hold.
 * Relies on ecp_codec.c to build and read frames.
 *
 * The rule, in our words: a sender keeps one PDU in flight and queues the
 * rest in order.  Each new PDU takes the next sequence number of its
 * direction; a copy sent again keeps it.  After 10 us * 2^RTE without the
 * ACK carrying that number it sends again, at most 1 + R times in all,
 * then gives the PDU up and starts the next.  A receiver ACKs every
 * request; a request repeating the number it last took is acknowledged
 * again but not passed up; any other number is new, and the first request
 * after start is always new.
 *
 * We differ in: (1) the receiver does not ACK a new PDU by itself: it
 * hands it up and waits for the verdict (accept -> remember the number
 * and ACK; reject -> no ACK, number not remembered, so the retransmission
 * is judged again), which lets authentication refuse a forged PDU without
 * the peer seeing it as delivered; auto_ack restores the standard
 * behaviour.  (2) The destination of requests is configurable (group
 * address, the peer's unicast MAC or a non-reserved group) and, outside
 * the group mode, ACKs go to the unicast source of the PDU they answer
 * (RFC 8394 Req-1/Req-2).  (3) While a PDU awaits its verdict, every other
 * request that is not a duplicate of the last accepted one is dropped
 * and counted in rx_busy, whether it repeats the number being judged
 * (lldpad too drops frames while busy) or carries a new one.  A new
 * number must not displace the PDU being judged: anyone on the link can
 * send a request with any number, so an unauthenticated frame could
 * otherwise push an authentic PDU out of its verdict slot.  Nothing is
 * lost, because the upper layer gives its verdict within the call that
 * delivered (vdpdiag, nnved), and an honest stop-and-wait peer only moves
 * to a new number after giving up the old one, so it simply retransmits.
 * (4) ACK first, then delivery, in auto_ack mode, as lldpad orders them.
 *
 * Transmit machine:
 *
 *                  ENQUEUE / tx_start
 *       +-------------------------------------+
 *       |                                     v
 *   +--------+                          +----------+ --+ TIMEOUT, tries < 1+R
 *   |  IDLE  |                          | WAIT_ACK |   |   / tx_retransmit
 *   +--------+                          +----------+ <-+
 *       ^                                 |  |  ^
 *       |  ACK / tx_ack                   |  |  | ACK / tx_ack, tx_start
 *       |  TIMEOUT, tries = 1+R /         |  +--+ TIMEOUT, tries = 1+R /
 *       |    tx_give_up                   |         tx_give_up, tx_start
 *       |  (queue now empty)              |       (more queued)
 *       +---------------------------------+
 *
 *   IDLE     ENQUEUE  -> WAIT_ACK  tx_start: next seq (skip 0), send, arm
 *   IDLE     ACK      -> IDLE      (not raised: an ACK is stray in IDLE)
 *   IDLE     TIMEOUT  -> IDLE      (not raised: no timer in IDLE)
 *   WAIT_ACK ENQUEUE  -> WAIT_ACK  nothing more: the PDU waits its turn
 *   WAIT_ACK ACK      -> IDLE or WAIT_ACK  tx_ack: TX_DONE, pop; tx_start
 *                                  if more are queued
 *   WAIT_ACK TIMEOUT  -> WAIT_ACK  tx_retransmit while tries < 1 + R
 *                     -> IDLE or WAIT_ACK  tx_give_up: TX_ERROR, pop;
 *                                  tx_start if more are queued
 *
 * Receive machine (duplicates are answered in either state):
 *
 *              NEW / rx_deliver (auto_ack: rx_deliver_acked, stay READY)
 *   +--------+ ---------------------------> +---------+ --+ NEW / rx_drop_busy
 *   | READY  |                              | VERDICT |   | (held PDU kept)
 *   +--------+ <--------------------------- +---------+ <-+
 *     ^    |    ACCEPT / rx_accept            |     ^
 *     +----+    REJECT / rx_reject            +-----+ AGAIN / rx_drop_busy
 *   DUP / rx_reack                            DUP / rx_reack
 *
 *   READY   NEW     -> VERDICT  rx_deliver: DELIVER, hold seq and source
 *                   -> READY    rx_deliver_acked (auto_ack): SEND ACK,
 *                               DELIVER, remember seq
 *   READY   DUP     -> READY    rx_reack: SEND ACK again
 *   READY   AGAIN, ACCEPT, REJECT: not raised (no PDU held; -ENOENT)
 *   VERDICT NEW     -> VERDICT  rx_drop_busy: count rx_busy; the held PDU
 *                               keeps its verdict slot
 *   VERDICT DUP     -> VERDICT  rx_reack
 *   VERDICT AGAIN   -> VERDICT  rx_drop_busy: count rx_busy
 *   VERDICT ACCEPT  -> READY    rx_accept: remember seq, SEND ACK
 *   VERDICT REJECT  -> READY    rx_reject: count, nothing sent
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/mtime.h"
#include "ecp/ecp.h"

#define ECP_QUEUE_MAX	4096	/* sanity bound on cfg.queue_len */

struct ecp_slot {
	uint64_t	cookie;
	uint16_t	len;
	uint8_t		data[ECP_MAX_PAYLOAD];
};

const char *const ecp_dst_mode_names[ECP_DST_MAX] = {
	[ECP_DST_GROUP] = "group",
	[ECP_DST_UNICAST] = "unicast",
	[ECP_DST_MCAST] = "mcast",
};

const char *const ecp_tx_state_names[ECP_TX_STATE_MAX] = {
	[ECP_TX_IDLE] = "IDLE",
	[ECP_TX_WAIT_ACK] = "WAIT_ACK",
};

const char *const ecp_rx_state_names[ECP_RX_STATE_MAX] = {
	[ECP_RX_READY] = "READY",
	[ECP_RX_VERDICT] = "VERDICT",
};

const char *const ecp_tx_event_names[ECP_TX_EVENT_MAX] = {
	[ECP_TXE_ENQUEUE] = "ENQUEUE",
	[ECP_TXE_ACK] = "ACK",
	[ECP_TXE_TIMEOUT] = "TIMEOUT",
};

const char *const ecp_rx_event_names[ECP_RX_EVENT_MAX] = {
	[ECP_RXE_NEW] = "NEW",
	[ECP_RXE_DUP] = "DUP",
	[ECP_RXE_AGAIN] = "AGAIN",
	[ECP_RXE_ACCEPT] = "ACCEPT",
	[ECP_RXE_REJECT] = "REJECT",
};

const char *const ecp_act_names[ECP_ACT_MAX] = {
	[ECP_ACT_SEND] = "SEND",
	[ECP_ACT_DELIVER] = "DELIVER",
	[ECP_ACT_TX_DONE] = "TX_DONE",
	[ECP_ACT_TX_ERROR] = "TX_ERROR",
};

/* Every entry point appends at most this many actions. */
#define ECP_ACT_PER_CALL	2

uint64_t
ecp_ack_time_us(uint8_t rte)
{
	return evb_time_us(rte);
}

int
ecp_check_dst(enum ecp_dst_mode mode, const uint8_t mac[ECP_MAC_LEN])
{
	static const uint8_t zero[ECP_MAC_LEN], bcast[ECP_MAC_LEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	switch (mode) {
	case ECP_DST_GROUP:
		return 0;
	case ECP_DST_UNICAST:
		if (mac == NULL || (mac[0] & 1) ||
		    memcmp(mac, zero, ECP_MAC_LEN) == 0)
			return -EINVAL;
		return 0;
	case ECP_DST_MCAST:
		if (mac == NULL || !(mac[0] & 1) ||
		    memcmp(mac, bcast, ECP_MAC_LEN) == 0)
			return -EINVAL;
		/* 01-80-C2-00-00-00..0F are never forwarded by bridges. */
		if (memcmp(mac, ecp_mac_ncb, 5) == 0 && (mac[5] & 0xf0) == 0)
			return -EINVAL;
		return 0;
	case ECP_DST_MAX:
		break;
	}
	return -EINVAL;
}

static int
room(const struct ecp_actions *out)
{
	return out != NULL && out->n <= ECP_ACT_CAP - ECP_ACT_PER_CALL;
}

static struct ecp_action *
act_push(struct ecp_actions *out, enum ecp_act_type type)
{
	struct ecp_action *a = &out->a[out->n++];

	memset(a, 0, sizeof(*a));
	a->type = type;
	return a;
}

static void
finish(struct ecp_session *s, struct ecp_actions *out)
{
	out->deadline = ecp_session_next_deadline(s);
}

static struct ecp_slot *
q_head(struct ecp_session *s)
{
	return &s->q[s->q_head];
}

static void
q_pop(struct ecp_session *s)
{
	s->q_head = (s->q_head + 1) % s->cfg.queue_len;
	s->q_count--;
}

static const uint8_t *
req_dst(const struct ecp_session *s)
{
	switch (s->cfg.dst_mode) {
	case ECP_DST_UNICAST:
		return s->cfg.peer_mac;
	case ECP_DST_MCAST:
		return s->cfg.mcast_mac;
	default:
		return ecp_mac_ncb;
	}
}

/* ---- transmit actions ------------------------------------------------- */

/* Builds the head PDU into txbuf, emits SEND and (re)arms the ackTimer. */
static void
tx_send(struct ecp_session *s, uint64_t now, struct ecp_actions *out)
{
	struct ecp_slot *h = q_head(s);
	struct ecp_frame f;
	struct ecp_action *a;
	uint64_t at;
	int n;

	memset(&f, 0, sizeof(f));
	memcpy(f.dst, req_dst(s), ECP_MAC_LEN);
	memcpy(f.src, s->cfg.local_mac, ECP_MAC_LEN);
	f.version = ECP_VERSION;
	f.op = ECP_OP_REQ;
	f.subtype = s->cfg.subtype;
	f.seq = s->tx_seq;
	f.ulpdu = h->data;
	f.ulpdu_len = h->len;
	/* Cannot fail: the slot length was checked and txbuf is maximal. */
	n = ecp_frame_encode(s->txbuf, sizeof(s->txbuf), &f,
	    s->cfg.pad ? ECP_ENC_PAD : 0);

	s->tx_tries++;
	if (s->tx_tries == 1)
		s->ctr.tx_pdus++;
	else
		s->ctr.tx_retrans++;
	at = ecp_ack_time_us(s->cfg.rte);
	s->deadline = now > TIME_NEVER - 1 - at ? TIME_NEVER - 1 : now + at;

	a = act_push(out, ECP_ACT_SEND);
	a->data = s->txbuf;
	a->len = n > 0 ? (size_t)n : 0;
	a->seq = s->tx_seq;
	a->op = ECP_OP_REQ;
	a->tries = s->tx_tries;
	a->cookie = h->cookie;
}

/*
 * Takes the next sequence number (never 0) for the head and sends it:
 * from the session's own counter, or from the counter the caller shares
 * between sessions (cfg.seq_src, see ecp.h).
 */
static void
tx_start(struct ecp_session *s, uint64_t now, struct ecp_actions *out)
{
	uint16_t *src = s->cfg.seq_src ? s->cfg.seq_src : &s->tx_seq;

	(*src)++;
	if (*src == 0)
		*src = 1;
	s->tx_seq = *src;
	s->tx_tries = 0;
	tx_send(s, now, out);
	s->tx_state = ECP_TX_WAIT_ACK;
}

static void
tx_retransmit(struct ecp_session *s, uint64_t now, struct ecp_actions *out)
{
	tx_send(s, now, out);
}

/* Ends the head PDU with TX_DONE or TX_ERROR and goes idle. */
static void
tx_finish(struct ecp_session *s, enum ecp_act_type type,
    struct ecp_actions *out)
{
	struct ecp_action *a = act_push(out, type);

	a->seq = s->tx_seq;
	a->tries = s->tx_tries;
	a->cookie = q_head(s)->cookie;
	q_pop(s);
	s->tx_tries = 0;
	s->deadline = TIME_NEVER;
	s->tx_state = ECP_TX_IDLE;
}

static void
tx_ack(struct ecp_session *s, struct ecp_actions *out)
{
	s->ctr.rx_acks++;
	tx_finish(s, ECP_ACT_TX_DONE, out);
}

static void
tx_give_up(struct ecp_session *s, struct ecp_actions *out)
{
	s->ctr.tx_errors++;
	tx_finish(s, ECP_ACT_TX_ERROR, out);
}

static void
tx_event(struct ecp_session *s, enum ecp_tx_event ev, uint64_t now,
    struct ecp_actions *out)
{
	switch (s->tx_state) {
	case ECP_TX_IDLE:
		switch (ev) {
		case ECP_TXE_ENQUEUE:
			tx_start(s, now, out);
			break;
		case ECP_TXE_ACK:
		case ECP_TXE_TIMEOUT:
		case ECP_TX_EVENT_MAX:
			break;
		}
		break;
	case ECP_TX_WAIT_ACK:
		switch (ev) {
		case ECP_TXE_ENQUEUE:
			break;
		case ECP_TXE_ACK:
			tx_ack(s, out);
			if (s->q_count)
				tx_start(s, now, out);
			break;
		case ECP_TXE_TIMEOUT:
			if (s->tx_tries < 1 + s->cfg.r) {
				tx_retransmit(s, now, out);
				break;
			}
			tx_give_up(s, out);
			if (s->q_count)
				tx_start(s, now, out);
			break;
		case ECP_TX_EVENT_MAX:
			break;
		}
		break;
	case ECP_TX_STATE_MAX:
		break;
	}
}

/* ---- receive actions --------------------------------------------------- */

/* Builds an ACK of seq for a request that came from src and emits SEND. */
static void
rx_send_ack(struct ecp_session *s, uint16_t seq, const uint8_t *src,
    struct ecp_actions *out)
{
	struct ecp_frame f;
	struct ecp_action *a;
	int n;

	memset(&f, 0, sizeof(f));
	if (s->cfg.dst_mode == ECP_DST_GROUP)
		memcpy(f.dst, ecp_mac_ncb, ECP_MAC_LEN);
	else
		memcpy(f.dst, src, ECP_MAC_LEN);
	memcpy(f.src, s->cfg.local_mac, ECP_MAC_LEN);
	f.version = ECP_VERSION;
	f.op = ECP_OP_ACK;
	f.subtype = s->cfg.subtype;
	f.seq = seq;
	n = ecp_frame_encode(s->ackbuf, sizeof(s->ackbuf), &f,
	    s->cfg.pad ? ECP_ENC_PAD : 0);
	s->ctr.tx_acks++;

	a = act_push(out, ECP_ACT_SEND);
	a->data = s->ackbuf;
	a->len = n > 0 ? (size_t)n : 0;
	a->seq = seq;
	a->op = ECP_OP_ACK;
}

static void
push_deliver(struct ecp_session *s, const struct ecp_frame *f,
    struct ecp_actions *out)
{
	struct ecp_action *a = act_push(out, ECP_ACT_DELIVER);

	a->data = f->ulpdu;
	a->len = f->ulpdu_len;
	a->seq = f->seq;
	memcpy(a->peer, f->src, ECP_MAC_LEN);
	s->ctr.rx_pdus++;
}

static void
rx_deliver(struct ecp_session *s, const struct ecp_frame *f,
    struct ecp_actions *out)
{
	s->rx_pend_seq = f->seq;
	memcpy(s->rx_pend_src, f->src, ECP_MAC_LEN);
	push_deliver(s, f, out);
	s->rx_state = ECP_RX_VERDICT;
}

static void
rx_remember(struct ecp_session *s, uint16_t seq, const uint8_t *src)
{
	s->rx_have_last = 1;
	s->rx_last_seq = seq;
	memcpy(s->rx_last_src, src, ECP_MAC_LEN);
}

static void
rx_deliver_acked(struct ecp_session *s, const struct ecp_frame *f,
    struct ecp_actions *out)
{
	rx_remember(s, f->seq, f->src);
	rx_send_ack(s, f->seq, f->src, out);
	push_deliver(s, f, out);
}

static void
rx_reack(struct ecp_session *s, const struct ecp_frame *f,
    struct ecp_actions *out)
{
	s->ctr.rx_dups++;
	rx_send_ack(s, f->seq, f->src, out);
}

/* A request met a PDU awaiting its verdict: dropped, nothing sent. */
static void
rx_drop_busy(struct ecp_session *s)
{
	s->ctr.rx_busy++;
}

static void
rx_accept(struct ecp_session *s, struct ecp_actions *out)
{
	rx_remember(s, s->rx_pend_seq, s->rx_pend_src);
	rx_send_ack(s, s->rx_pend_seq, s->rx_pend_src, out);
	s->rx_state = ECP_RX_READY;
}

static void
rx_reject(struct ecp_session *s)
{
	s->ctr.rx_rejects++;
	s->rx_state = ECP_RX_READY;
}

/*
 * The receive machine.  f is the request for NEW/DUP/AGAIN, NULL for the
 * verdicts.  Returns -ENOENT for a verdict with nothing held.
 */
static int
rx_event(struct ecp_session *s, enum ecp_rx_event ev,
    const struct ecp_frame *f, struct ecp_actions *out)
{
	switch (s->rx_state) {
	case ECP_RX_READY:
		switch (ev) {
		case ECP_RXE_NEW:
			if (s->cfg.auto_ack)
				rx_deliver_acked(s, f, out);
			else
				rx_deliver(s, f, out);
			return 0;
		case ECP_RXE_DUP:
			rx_reack(s, f, out);
			return 0;
		case ECP_RXE_AGAIN:
		case ECP_RXE_ACCEPT:
		case ECP_RXE_REJECT:
		case ECP_RX_EVENT_MAX:
			break;
		}
		return -ENOENT;
	case ECP_RX_VERDICT:
		switch (ev) {
		case ECP_RXE_NEW:
		case ECP_RXE_AGAIN:
			rx_drop_busy(s);
			return 0;
		case ECP_RXE_DUP:
			rx_reack(s, f, out);
			return 0;
		case ECP_RXE_ACCEPT:
			rx_accept(s, out);
			return 0;
		case ECP_RXE_REJECT:
			rx_reject(s);
			return 0;
		case ECP_RX_EVENT_MAX:
			break;
		}
		return -ENOENT;
	case ECP_RX_STATE_MAX:
		break;
	}
	return -ENOENT;
}

/* ---- entry points ------------------------------------------------------ */

int
ecp_session_init(struct ecp_session *s, const struct ecp_session_cfg *cfg)
{
	struct ecp_session_cfg c;

	if (s == NULL || cfg == NULL)
		return -EINVAL;
	c = *cfg;
	if (c.subtype == 0)
		c.subtype = ECP_SUBTYPE_VDP;
	if (c.queue_len == 0)
		c.queue_len = ECP_QUEUE_DEFAULT;
	if (c.r > ECP_R_MAX || c.rte > ECP_RTE_MAX ||
	    c.subtype > ECP_W0_SUBTYPE_MASK || c.queue_len > ECP_QUEUE_MAX)
		return -EINVAL;
	if (ecp_check_dst(c.dst_mode, c.dst_mode == ECP_DST_MCAST ?
	    c.mcast_mac : c.peer_mac) < 0)
		return -EINVAL;

	memset(s, 0, sizeof(*s));
	s->q = calloc(c.queue_len, sizeof(*s->q));
	if (s->q == NULL)
		return -ENOMEM;
	s->cfg = c;
	s->tx_state = ECP_TX_IDLE;
	s->rx_state = ECP_RX_READY;
	s->deadline = TIME_NEVER;
	return 0;
}

void
ecp_session_fini(struct ecp_session *s)
{
	if (s == NULL)
		return;
	free(s->q);
	memset(s, 0, sizeof(*s));
}

int
ecp_session_enqueue(struct ecp_session *s, uint64_t now, const uint8_t *ulpdu,
    size_t len, uint64_t cookie, struct ecp_actions *out)
{
	struct ecp_slot *slot;

	if (ulpdu == NULL || len == 0)
		return -EINVAL;
	if (len > ECP_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (s->q_count == s->cfg.queue_len)
		return -ENOBUFS;
	if (!room(out))
		return -ENOSPC;

	slot = &s->q[(s->q_head + s->q_count) % s->cfg.queue_len];
	memcpy(slot->data, ulpdu, len);
	slot->len = (uint16_t)len;
	slot->cookie = cookie;
	s->q_count++;
	tx_event(s, ECP_TXE_ENQUEUE, now, out);
	finish(s, out);
	return 0;
}

int
ecp_session_rx_frame(struct ecp_session *s, uint64_t now,
    const struct ecp_frame *f, struct ecp_actions *out)
{
	if (f == NULL)
		return -EINVAL;
	if (!room(out))
		return -ENOSPC;

	if (f->subtype != s->cfg.subtype) {
		s->ctr.rx_other_subtype++;
	} else if (f->op == ECP_OP_ACK) {
		if (s->tx_state == ECP_TX_WAIT_ACK && f->seq == s->tx_seq)
			tx_event(s, ECP_TXE_ACK, now, out);
		else
			s->ctr.rx_stray_acks++;
	} else if (s->rx_have_last && f->seq == s->rx_last_seq) {
		rx_event(s, ECP_RXE_DUP, f, out);
	} else if (s->rx_state == ECP_RX_VERDICT && f->seq == s->rx_pend_seq) {
		rx_event(s, ECP_RXE_AGAIN, f, out);
	} else {
		rx_event(s, ECP_RXE_NEW, f, out);
	}
	finish(s, out);
	return 0;
}

int
ecp_session_rx(struct ecp_session *s, uint64_t now, const uint8_t *frame,
    size_t len, struct ecp_actions *out)
{
	struct ecp_frame f;
	enum ecp_derr why;
	int rc;

	if (!room(out))
		return -ENOSPC;
	rc = ecp_frame_decode(frame, len, &f, &why);
	if (rc < 0) {
		s->ctr.rx_decode_errors++;
		if (why > ECP_DERR_NONE && why < ECP_DERR_MAX)
			s->ctr.rx_derr[why]++;
		finish(s, out);
		return rc;
	}
	return ecp_session_rx_frame(s, now, &f, out);
}

static int
verdict(struct ecp_session *s, uint16_t seq, enum ecp_rx_event ev,
    struct ecp_actions *out)
{
	int rc;

	if (!room(out))
		return -ENOSPC;
	if (s->rx_state != ECP_RX_VERDICT || seq != s->rx_pend_seq)
		return -ENOENT;
	rc = rx_event(s, ev, NULL, out);
	finish(s, out);
	return rc;
}

int
ecp_session_rx_accept(struct ecp_session *s, uint64_t now, uint16_t seq,
    struct ecp_actions *out)
{
	return verdict(s, seq, ECP_RXE_ACCEPT, out);
}

int
ecp_session_rx_reject(struct ecp_session *s, uint64_t now, uint16_t seq,
    struct ecp_actions *out)
{
	return verdict(s, seq, ECP_RXE_REJECT, out);
}

int
ecp_session_tick(struct ecp_session *s, uint64_t now, struct ecp_actions *out)
{
	if (!room(out))
		return -ENOSPC;
	if (s->tx_state == ECP_TX_WAIT_ACK && now >= s->deadline)
		tx_event(s, ECP_TXE_TIMEOUT, now, out);
	finish(s, out);
	return 0;
}

uint64_t
ecp_session_next_deadline(const struct ecp_session *s)
{
	return s->tx_state == ECP_TX_WAIT_ACK ? s->deadline : TIME_NEVER;
}

int
ecp_session_set_params(struct ecp_session *s, uint8_t r, uint8_t rte)
{
	if (r > ECP_R_MAX || rte > ECP_RTE_MAX)
		return -EINVAL;
	s->cfg.r = r;
	s->cfg.rte = rte;
	return 0;
}

int
ecp_session_set_dst(struct ecp_session *s, enum ecp_dst_mode mode,
    const uint8_t mac[ECP_MAC_LEN])
{
	if (ecp_check_dst(mode, mac) < 0)
		return -EINVAL;
	s->cfg.dst_mode = mode;
	if (mode == ECP_DST_UNICAST)
		memcpy(s->cfg.peer_mac, mac, ECP_MAC_LEN);
	else if (mode == ECP_DST_MCAST)
		memcpy(s->cfg.mcast_mac, mac, ECP_MAC_LEN);
	return 0;
}
