/*
 * ecp.h - ECP22 (IEEE 802.1Q clause 43): the frame codec and the
 * per-peer session state machine.
 *
 * ECP carries upper-layer PDUs (ULPDUs; for us VDP) reliably over one
 * Ethernet hop: stop-and-wait, one PDU in flight per direction, a 16-bit
 * sequence number per direction, an ACK echoing it, retransmission after
 * 10 us * 2^RTE, at most 1 + R transmissions.
 *
 * Both halves are pure: no syscalls, no clock, no logging.  The codec
 * never allocates; a session allocates its transmit queue once, in
 * ecp_session_init().  Callers pass "now" in microseconds (CLOCK_MONOTONIC,
 * util/mtime.h) and drain the actions a call appends.
 */
#ifndef SPLITNVE_ECP_ECP_H
#define SPLITNVE_ECP_ECP_H

#include <stddef.h>
#include <stdint.h>

/* ---- Constants --------------------------------------------------------- */

#define ETH_P_ECP22		0x8940	/* ratified ECP */
#define ECP_ETH_P_8021Q		0x8100	/* one C-tag may precede it */
#define ECP_MAC_LEN		6
#define ECP_ETH_HLEN		14	/* dst, src, EtherType */
#define ECP_VLAN_HLEN		4	/* TPID + TCI */
#define ECP_HDR_LEN		4	/* version/op/subtype word + seq */
#define ECP_MIN_FRAME		(ECP_ETH_HLEN + ECP_HDR_LEN)	/* 18 */
#define ECP_ETH_ZLEN		60	/* minimum Ethernet frame, no FCS */
#define ECP_ETH_DATA_LEN	1500	/* MTU */
/* Largest ULPDU (VDP TLVs), keeping 2 octets for the End TLV. */
#define ECP_MAX_ULPDU		1494
/* Largest payload after the ECP header: the ULPDU plus its End TLV. */
#define ECP_MAX_PAYLOAD		(ECP_ETH_DATA_LEN - ECP_HDR_LEN)	/* 1496 */
#define ECP_MAX_FRAME		(ECP_ETH_HLEN + ECP_VLAN_HLEN + \
				 ECP_ETH_DATA_LEN)			/* 1518 */

#define ECP_VERSION		1
#define ECP_OP_REQ		0	/* ECPDU carrying a ULPDU */
#define ECP_OP_ACK		1
#define ECP_SUBTYPE_VDP		1
#define ECP_SUBTYPE_PECSP	2	/* 802.1BR Port Extension CSP */

#define ECP_W0_VER_MASK		0xf000
#define ECP_W0_VER_SHIFT	12
#define ECP_W0_OP_MASK		0x0c00
#define ECP_W0_OP_SHIFT		10
#define ECP_W0_SUBTYPE_MASK	0x03ff

#define ECP_TCI_VID_MASK	0x0fff

#define ECP_R_MAX		7	/* 3-bit retry count */
#define ECP_RTE_MAX		31	/* 5-bit exponent */
#define ECP_R_DEFAULT		3
#define ECP_RTE_DEFAULT		8
#define ECP_QUEUE_DEFAULT	16

/* Group addresses (IEEE 802.1Q table 8-1). */
extern const uint8_t ecp_mac_ncb[ECP_MAC_LEN];	   /* 01-80-C2-00-00-00 */
extern const uint8_t ecp_mac_nntpmr[ECP_MAC_LEN];  /* 01-80-C2-00-00-03 */
extern const uint8_t ecp_mac_nb[ECP_MAC_LEN];	   /* 01-80-C2-00-00-0E */

/* ---- Frame codec ------------------------------------------------------- */

/*
 * Why a frame was refused.  Each reason has its own errno, returned by
 * ecp_frame_decode(); ecp_derr_names[] names them for counters and logs.
 */
enum ecp_derr {
	ECP_DERR_NONE = 0,
	ECP_DERR_SHORT,		/* -EBADMSG: shorter than the headers */
	ECP_DERR_ETHERTYPE,	/* -ENOMSG: not 0x8940 (after <= 1 tag) */
	ECP_DERR_VERSION,	/* -EPROTONOSUPPORT: version != 1 */
	ECP_DERR_OP,		/* -EOPNOTSUPP: reserved operation 2 or 3 */
	ECP_DERR_SUBTYPE,	/* -ENOPROTOOPT: subtype not VDP/PE-CSP */
	ECP_DERR_EMPTY,		/* -ENODATA: request without a ULPDU */
	ECP_DERR_ACK_DATA,	/* -EPROTO: ACK longer than padding allows */
	ECP_DERR_OVERSIZE,	/* -EMSGSIZE: payload > ECP_MAX_PAYLOAD */
	ECP_DERR_MAX
};

extern const char *const ecp_derr_names[ECP_DERR_MAX];

/* Returns the errno (negative) that ecp_frame_decode uses for why. */
int	ecp_derr_errno(enum ecp_derr why);

/*
 * One decoded ECP frame.  ulpdu points into the decoded buffer: for a
 * request it runs to the end of the frame (padding included: VDP reads
 * zeros as its End TLV); for an ACK it is NULL and pad counts the octets
 * after the ECP header.
 */
struct ecp_frame {
	uint8_t		 dst[ECP_MAC_LEN];
	uint8_t		 src[ECP_MAC_LEN];
	int		 tagged;	/* an 802.1Q tag preceded 0x8940 */
	uint16_t	 tci;		/* PCP/DEI/VID when tagged */
	int		 vid;		/* tci & 0x0fff, or -1 untagged */
	uint8_t		 version;
	uint8_t		 op;		/* ECP_OP_* */
	uint16_t	 subtype;	/* ECP_SUBTYPE_* */
	uint16_t	 seq;
	const uint8_t	*ulpdu;
	size_t		 ulpdu_len;
	size_t		 pad;		/* ACK only: trailing octets */
};

/*
 * Decodes frame (Ethernet header onwards, no FCS) into *f.  Returns 0, or
 * the errno of the reason stored in *why (why may be NULL): see enum
 * ecp_derr.  -EINVAL if frame or f is NULL.  Never reads past len.
 */
int	ecp_frame_decode(const uint8_t *frame, size_t len, struct ecp_frame *f,
	    enum ecp_derr *why);

#define ECP_ENC_PAD	0x01	/* zero-pad the frame to ECP_ETH_ZLEN */

/*
 * Encodes *f into out.  Version must be ECP_VERSION, op ECP_OP_REQ with
 * 1..ECP_MAX_PAYLOAD octets of ULPDU or ECP_OP_ACK with none, subtype
 * below 1024; an 802.1Q tag is written when f->tagged (f->vid is ignored,
 * f->tci is written).  f->pad is ignored: flags decide the padding.
 * Returns the frame length, -EINVAL for a field out of range, -EMSGSIZE
 * for an oversized ULPDU, -ENOBUFS if cap is too small.
 */
int	ecp_frame_encode(uint8_t *out, size_t cap, const struct ecp_frame *f,
	    unsigned flags);

/* ---- Session ----------------------------------------------------------- */

/*
 * Where a session sends its ECPDUs (RFC 8394 Req-1/Req-2; ours, see
 * wire-formats.md 4.3.4).  In the non-default modes ACKs go back to the
 * unicast source of the PDU they acknowledge; in ECP_DST_GROUP they go to
 * the group address, as lldpad does.
 */
enum ecp_dst_mode {
	ECP_DST_GROUP = 0,	/* 01-80-C2-00-00-00, standard */
	ECP_DST_UNICAST,	/* the peer's own MAC */
	ECP_DST_MCAST,		/* a configured non-reserved group */
	ECP_DST_MAX
};

extern const char *const ecp_dst_mode_names[ECP_DST_MAX];

struct ecp_session_cfg {
	uint8_t		 local_mac[ECP_MAC_LEN];
	uint8_t		 peer_mac[ECP_MAC_LEN];	/* needed for UNICAST */
	uint8_t		 mcast_mac[ECP_MAC_LEN]; /* needed for MCAST */
	enum ecp_dst_mode dst_mode;
	uint16_t	 subtype;	/* 0 means ECP_SUBTYPE_VDP */
	uint8_t		 r;		/* retries, 0..7 */
	uint8_t		 rte;		/* ackTimer exponent, 0..31 */
	unsigned	 queue_len;	/* FIFO slots, 0 means default */
	/*
	 * NULL, or a counter shared by several sessions: each new PDU then
	 * takes the next value of *seq_src.  A bridge port whose stations
	 * share one group destination (several stations behind a plain
	 * bridge) uses one per port, so every station hears one increasing
	 * sequence and never takes a PDU meant for another as a duplicate
	 * of its own.  Must outlive the sessions using it.
	 */
	uint16_t	*seq_src;
	unsigned	 auto_ack:1;	/* ACK on delivery (no auth layer) */
	unsigned	 pad:1;		/* pad sent frames to 60 octets */
};

enum ecp_tx_state {
	ECP_TX_IDLE = 0,	/* nothing in flight */
	ECP_TX_WAIT_ACK,	/* one PDU sent, ackTimer running */
	ECP_TX_STATE_MAX
};

enum ecp_rx_state {
	ECP_RX_READY = 0,	/* no verdict outstanding */
	ECP_RX_VERDICT,		/* a PDU was delivered, awaiting accept/reject */
	ECP_RX_STATE_MAX
};

/* Events of the transmit machine (see the diagram in ecp_session.c). */
enum ecp_tx_event {
	ECP_TXE_ENQUEUE = 0,	/* a ULPDU was queued */
	ECP_TXE_ACK,		/* the ACK of the PDU in flight arrived */
	ECP_TXE_TIMEOUT,	/* ackTimer expired */
	ECP_TX_EVENT_MAX
};

/* Events of the receive machine. */
enum ecp_rx_event {
	ECP_RXE_NEW = 0,	/* a request with a new seq (dropped
				   while a verdict is outstanding) */
	ECP_RXE_DUP,		/* a request repeating the last accepted seq */
	ECP_RXE_AGAIN,		/* a request repeating the seq being judged */
	ECP_RXE_ACCEPT,		/* verdict: accept */
	ECP_RXE_REJECT,		/* verdict: reject */
	ECP_RX_EVENT_MAX
};

extern const char *const ecp_tx_state_names[ECP_TX_STATE_MAX];
extern const char *const ecp_rx_state_names[ECP_RX_STATE_MAX];
extern const char *const ecp_tx_event_names[ECP_TX_EVENT_MAX];
extern const char *const ecp_rx_event_names[ECP_RX_EVENT_MAX];

enum ecp_act_type {
	ECP_ACT_SEND = 0,	/* transmit data/len (a whole frame) */
	ECP_ACT_DELIVER,	/* hand data/len (a ULPDU) to the upper layer */
	ECP_ACT_TX_DONE,	/* the PDU tagged cookie was acknowledged */
	ECP_ACT_TX_ERROR,	/* the PDU tagged cookie exhausted 1 + R tries */
	ECP_ACT_MAX
};

extern const char *const ecp_act_names[ECP_ACT_MAX];

struct ecp_action {
	enum ecp_act_type type;
	const uint8_t	*data;	/* SEND: session storage; DELIVER: input */
	size_t		 len;
	uint16_t	 seq;	/* ECP sequence number concerned */
	uint8_t		 op;	/* SEND: ECP_OP_REQ or ECP_OP_ACK */
	uint8_t		 tries;	/* SEND req: 1 first, 2.. retransmission */
	uint64_t	 cookie; /* TX_DONE/TX_ERROR: the enqueue tag */
	uint8_t		 peer[ECP_MAC_LEN]; /* DELIVER: source MAC */
};

#define ECP_ACT_CAP	8

/*
 * The list a session call appends to.  Contract: drain it (act on every
 * entry, then set n = 0) before the next call on the same session, because
 * SEND data lives in session buffers that the next call may rewrite and
 * DELIVER data lives in the caller's receive buffer.  A call that could
 * not fit its actions returns -ENOSPC and changes nothing.  deadline is
 * the session's next deadline after the call (TIME_NEVER if none).
 */
struct ecp_actions {
	struct ecp_action a[ECP_ACT_CAP];
	unsigned	 n;
	uint64_t	 deadline;
};

struct ecp_counters {
	uint64_t	tx_pdus;	/* new PDUs sent (first transmission) */
	uint64_t	tx_retrans;	/* retransmissions */
	uint64_t	tx_errors;	/* PDUs given up after 1 + R tries */
	uint64_t	tx_acks;	/* ACKs we sent (incl. re-ACKs) */
	uint64_t	rx_acks;	/* ACKs matching the PDU in flight */
	uint64_t	rx_stray_acks;	/* other ACKs, ignored */
	uint64_t	rx_pdus;	/* new PDUs delivered */
	uint64_t	rx_dups;	/* duplicates re-ACKed, not delivered */
	uint64_t	rx_rejects;	/* verdicts "reject" */
	uint64_t	rx_busy;	/* requests (retransmitted or with a
					   new seq) seen while a PDU awaited
					   its verdict, dropped */
	uint64_t	rx_other_subtype; /* valid frames of another subtype */
	uint64_t	rx_decode_errors;
	uint64_t	rx_derr[ECP_DERR_MAX];	/* per reason */
};

struct ecp_slot;

/* One session per (local port, peer MAC).  Fields are read-only to callers. */
struct ecp_session {
	struct ecp_session_cfg cfg;
	enum ecp_tx_state tx_state;
	enum ecp_rx_state rx_state;

	/* transmit */
	struct ecp_slot	*q;		/* queue_len slots, head in flight */
	unsigned	 q_head, q_count;
	uint16_t	 tx_seq;	/* seq of the PDU in flight / last sent */
	uint8_t		 tx_tries;	/* transmissions of the head so far */
	uint64_t	 deadline;	/* ackTimer expiry, TIME_NEVER if idle */

	/* receive */
	int		 rx_have_last;	/* 0 until a PDU was accepted */
	uint16_t	 rx_last_seq;	/* last accepted seq */
	uint16_t	 rx_pend_seq;	/* delivered, awaiting the verdict */
	uint8_t		 rx_pend_src[ECP_MAC_LEN];
	uint8_t		 rx_last_src[ECP_MAC_LEN];

	struct ecp_counters ctr;

	uint8_t		 txbuf[ECP_MAX_FRAME];	/* the request in flight */
	uint8_t		 ackbuf[ECP_ETH_ZLEN];	/* the last ACK built */
};

/*
 * Checks cfg (R <= 7, RTE <= 31, destination valid for its mode: a
 * unicast non-zero peer for UNICAST, a group address outside
 * 01-80-C2-00-00-00..0F and not broadcast for MCAST), allocates the queue
 * and starts both directions afresh (first PDU sent will carry seq 1).
 * Returns 0, -EINVAL or -ENOMEM.  The one allocation of this module.
 */
int	ecp_session_init(struct ecp_session *s, const struct ecp_session_cfg *cfg);
void	ecp_session_fini(struct ecp_session *s);

/* Validation used by init and set_dst: 0 or -EINVAL. */
int	ecp_check_dst(enum ecp_dst_mode mode, const uint8_t mac[ECP_MAC_LEN]);

/*
 * Queues a copy of ulpdu (1..ECP_MAX_PAYLOAD octets) tagged with cookie;
 * sends it at once if nothing is in flight.  Returns 0, -EINVAL (empty or
 * NULL), -EMSGSIZE (too long), -ENOBUFS (queue full), -ENOSPC (actions).
 */
int	ecp_session_enqueue(struct ecp_session *s, uint64_t now,
	    const uint8_t *ulpdu, size_t len, uint64_t cookie,
	    struct ecp_actions *out);

/*
 * Feeds one received frame for this session.  Returns 0 when the frame was
 * used or deliberately ignored (see the counters), the decode errno when
 * it was malformed (counted), -ENOSPC (actions, frame not consumed).
 * DELIVER data points into frame: keep it until the verdict is given.
 * While a delivered PDU awaits its verdict, every request but a duplicate
 * of the last accepted one is dropped (rx_busy), so give the verdict
 * promptly: the PDU held keeps its slot until then.
 */
int	ecp_session_rx(struct ecp_session *s, uint64_t now,
	    const uint8_t *frame, size_t len, struct ecp_actions *out);
/* The same for a frame the caller already decoded (to find the session). */
int	ecp_session_rx_frame(struct ecp_session *s, uint64_t now,
	    const struct ecp_frame *f, struct ecp_actions *out);

/*
 * Verdict on the PDU a DELIVER announced (not needed with auto_ack).
 * accept records seq as the last accepted and sends its ACK; reject
 * sends nothing and keeps the last accepted seq, so the peer's
 * retransmission is delivered and judged again.  Returns 0, -ENOENT if
 * seq is not the PDU awaiting a verdict, -ENOSPC (actions).
 */
int	ecp_session_rx_accept(struct ecp_session *s, uint64_t now,
	    uint16_t seq, struct ecp_actions *out);
int	ecp_session_rx_reject(struct ecp_session *s, uint64_t now,
	    uint16_t seq, struct ecp_actions *out);

/* Fires the ackTimer if now >= its deadline.  Returns 0 or -ENOSPC. */
int	ecp_session_tick(struct ecp_session *s, uint64_t now,
	    struct ecp_actions *out);

/* The next time ecp_session_tick() has work, or TIME_NEVER. */
uint64_t ecp_session_next_deadline(const struct ecp_session *s);

/*
 * Run-time changes (EVB negotiation, LLDP ECP-destination TLV).  New
 * values apply from the next transmission; the ackTimer already running
 * keeps its deadline.  Return 0 or -EINVAL.
 */
int	ecp_session_set_params(struct ecp_session *s, uint8_t r, uint8_t rte);
int	ecp_session_set_dst(struct ecp_session *s, enum ecp_dst_mode mode,
	    const uint8_t mac[ECP_MAC_LEN]);

/* ackTime = 10 us * 2^rte (rte clamped to 31). */
uint64_t ecp_ack_time_us(uint8_t rte);

#endif /* SPLITNVE_ECP_ECP_H */
