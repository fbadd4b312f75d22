/*
 * lldp.h - LLDP (IEEE 802.1AB) as splitnve needs it: the LLDPDU codec with
 * the EVB TLV (802.1Q clause D.2.12), EVB negotiation for both roles, our
 * NVO3 capability and ECP-destination TLVs, and a small I/O-free agent.
 *
 * Three layers, all pure (no syscalls, no clock, no logging):
 *   lldp_codec.c  octets <-> struct lldp_pdu (a whole Ethernet frame)
 *   evb.c         local EVB config + peer EVB TLV -> TLV to send + values
 *   lldp_agent.c  per-port transmit/ageing machine; the caller passes "now"
 *
 * Decoded structs hold copies (no pointers into the input), so an agent can
 * keep the last PDU of its neighbour after the receive buffer is gone.
 */
#ifndef SPLITNVE_LLDP_LLDP_H
#define SPLITNVE_LLDP_LLDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Ethernet and TLV constants ---------------------------------------- */
#define LLDP_ETHERTYPE		0x88cc
#define LLDP_ETH_HDR_LEN	14
#define LLDP_TLV_HDR_LEN	2
#define LLDP_TLV_MAX_VALUE	511	/* 9-bit length */

/* TLV types of 802.1AB. */
#define LLDP_TLV_END		0
#define LLDP_TLV_CHASSIS	1
#define LLDP_TLV_PORT		2
#define LLDP_TLV_TTL		3
#define LLDP_TLV_ORG		127

/* Chassis / Port ID: subtype (1) + id (1..255). */
#define LLDP_ID_MAX		255

/* EVB TLV: type 127, OUI 00-80-C2, subtype 0x0D, 9 octets of value. */
#define LLDP_OUI_8021		0x0080c2u
#define LLDP_EVB_SUBTYPE	0x0d
#define LLDP_EVB_VALUE_LEN	9
#define LLDP_EVB_TLV_LEN	(LLDP_TLV_HDR_LEN + LLDP_EVB_VALUE_LEN)

/* Our TLVs under NVO3_EXT_CID (lib/ext/nvo3_ext_codes.h). */
#define LLDP_CAPS_VALUE_LEN	8	/* CID 3 + subtype 1 + bitmap 4 */
#define LLDP_ECPDEST_VALUE_LEN	11	/* CID 3 + subtype 1 + kind 1 + MAC 6 */

/* EVB mode (top two bits of value octet 7). */
enum lldp_evb_mode {
	LLDP_EVB_MODE_NONE = 0,
	LLDP_EVB_MODE_BRIDGE = 1,
	LLDP_EVB_MODE_STATION = 2,
	LLDP_EVB_MODE_NVO3 = 3,		/* single unverified source; rx only */
};

/* RRSTAT (station status, two bits). */
#define LLDP_RRSTAT_NO		0
#define LLDP_RRSTAT_YES		1
#define LLDP_RRSTAT_UNKNOWN	3

/* The three group addresses an LLDP agent may listen on. */
extern const uint8_t lldp_mac_ncb[6];	/* 01-80-C2-00-00-00 */
extern const uint8_t lldp_mac_nntpmr[6];	/* 01-80-C2-00-00-03 */
extern const uint8_t lldp_mac_nb[6];	/* 01-80-C2-00-00-0E */

/* ---- Decoded structures ------------------------------------------------ */

/* Chassis ID or Port ID. */
struct lldp_id {
	uint8_t		subtype;
	uint8_t		len;		/* octets in id, 1..255 */
	uint8_t		id[LLDP_ID_MAX];
};

/* The EVB TLV, every field (reserved bits are dropped on decode). */
struct lldp_evb_tlv {
	/* bridge status */
	bool		bgid;
	bool		rrcap;
	bool		rrctr;
	/* station status */
	bool		sgid;
	bool		rrreq;
	uint8_t		rrstat;		/* LLDP_RRSTAT_*, 0..3 */
	uint8_t		r;		/* ECP retries, 0..7 */
	uint8_t		rte;		/* ECP ack timer exponent, 0..31 */
	uint8_t		mode;		/* enum lldp_evb_mode, 0..3 */
	bool		rwd_rol;	/* RWD is the remote value */
	uint8_t		rwd;		/* 0..31 */
	bool		rka_rol;	/* RKA is the remote value */
	uint8_t		rka;		/* 0..31 */
};

/* Our ECP-destination TLV: where the peer should send ECPDUs to us. */
struct lldp_ecpdest {
	uint8_t		kind;		/* NVO3_ECPDEST_* */
	uint8_t		mac[6];
};

struct lldp_pdu {
	uint8_t		dst[6];
	uint8_t		src[6];
	struct lldp_id	chassis;
	struct lldp_id	port;
	uint16_t	ttl;		/* seconds; 0 = shutdown */
	bool		has_evb;
	bool		has_caps;
	bool		has_ecpdest;
	bool		no_end;		/* decode: frame ended without End */
	struct lldp_evb_tlv evb;
	uint32_t	caps;		/* NVO3_CAP_* bitmap as received */
	struct lldp_ecpdest ecpdest;
	uint16_t	nunknown;	/* decode: other TLVs (types 4..126) */
	uint16_t	nunknown_org;	/* decode: org TLVs we do not know */
	uint32_t	len;		/* decode: frame octets up to End */
};

/* ---- Errors -------------------------------------------------------------
 * Every decode failure returns one of four negative errno values and sets
 * a reason:
 *   -ENOMSG   not an LLDP frame for this agent (EtherType, destination)
 *   -EBADMSG  truncated: frame shorter than a header, TLV runs past the end
 *   -EPROTO   structure: mandatory TLV missing, misordered, repeated or of
 *             the wrong length; a known TLV of the wrong length; duplicate
 *   -EINVAL   a field value out of range (ECP-destination kind or MAC)
 */
enum lldp_err {
	LLDP_E_NONE = 0,
	LLDP_E_SHORT_FRAME,	/* < 14 octets of Ethernet header */
	LLDP_E_ETHERTYPE,	/* not 0x88CC */
	LLDP_E_DST,		/* not one of the three group addresses */
	LLDP_E_TLV_TRUNC,	/* TLV header or value past the end */
	LLDP_E_NO_CHASSIS,	/* first TLV is not Chassis ID */
	LLDP_E_NO_PORT,		/* second TLV is not Port ID */
	LLDP_E_NO_TTL,		/* third TLV is not TTL */
	LLDP_E_CHASSIS_LEN,	/* Chassis ID length not 2..256 */
	LLDP_E_PORT_LEN,	/* Port ID length not 2..256 */
	LLDP_E_TTL_LEN,		/* TTL length not 2 */
	LLDP_E_DUP_MANDATORY,	/* type 1, 2 or 3 after the first three */
	LLDP_E_END_LEN,		/* End TLV with a non-zero length */
	LLDP_E_ORG_LEN,		/* org TLV shorter than OUI + subtype */
	LLDP_E_EVB_LEN,		/* EVB TLV value not 9 octets */
	LLDP_E_DUP_EVB,		/* second EVB TLV */
	LLDP_E_CAPS_LEN,	/* capability TLV value not 8 octets */
	LLDP_E_DUP_CAPS,	/* second capability TLV */
	LLDP_E_ECPDEST_LEN,	/* ECP-destination TLV value not 11 octets */
	LLDP_E_DUP_ECPDEST,	/* second ECP-destination TLV */
	LLDP_E_ECPDEST_KIND,	/* unknown kind */
	LLDP_E_ECPDEST_MAC,	/* MAC does not fit its kind */
	LLDP_E__COUNT
};
const char *lldp_err_name(enum lldp_err e);
/* The negative errno a reason is returned with (0 for LLDP_E_NONE). */
int	lldp_err_errno(enum lldp_err e);

/* ---- Codec --------------------------------------------------------------- */

/*
 * Decodes one Ethernet frame (destination MAC first, no FCS, no VLAN tag).
 * Returns 0, or a negative errno with *why set (why may be NULL).  Octets
 * after the End TLV (padding) are ignored.  Never reads past buf + len.
 */
int	lldp_pdu_decode(const uint8_t *buf, size_t len, struct lldp_pdu *pdu,
	    enum lldp_err *why);

/*
 * Encodes a frame: Ethernet header, Chassis ID, Port ID, TTL, then the EVB,
 * capability and ECP-destination TLVs that are flagged present, then End.
 * No padding to 60 octets (the sending side pads if its medium needs it).
 * Returns the octet count, -ENOBUFS (cap too small) or -EINVAL (a field
 * out of range, an ID of length 0, a destination that is not one of the
 * three group addresses).
 */
int	lldp_pdu_encode(const struct lldp_pdu *pdu, uint8_t *buf, size_t cap);

/*
 * Encodes the shutdown frame for pdu: the same header, Chassis ID and Port
 * ID, TTL 0 and End, nothing else.  Same returns as lldp_pdu_encode().
 */
int	lldp_pdu_encode_shutdown(const struct lldp_pdu *pdu, uint8_t *buf,
	    size_t cap);

/*
 * The EVB TLV alone, header included (11 octets).  decode returns 0 or
 * -EBADMSG (short), -EPROTO (not type 127 / OUI 00-80-C2 / subtype 0x0D,
 * or length not 9); encode returns 11, -ENOBUFS or -EINVAL.
 */
int	lldp_evb_tlv_decode(const uint8_t *buf, size_t len,
	    struct lldp_evb_tlv *evb);
int	lldp_evb_tlv_encode(const struct lldp_evb_tlv *evb, uint8_t *buf,
	    size_t cap);

/* 0 if the MAC fits the kind (see lldp_codec.c), else -EINVAL. */
int	lldp_ecpdest_check(const struct lldp_ecpdest *d);
/* True if mac is one of the three LLDP group addresses. */
bool	lldp_mac_is_group(const uint8_t mac[6]);
const char *lldp_evb_mode_name(uint8_t mode);
bool	lldp_evb_equal(const struct lldp_evb_tlv *a,
	    const struct lldp_evb_tlv *b);
bool	lldp_id_equal(const struct lldp_id *a, const struct lldp_id *b);

/* ---- EVB negotiation (evb.c) ------------------------------------------- */

enum evb_role {
	EVB_ROLE_BRIDGE = 1,		/* nnved: the External NVE */
	EVB_ROLE_STATION = 2,		/* tnved: the hypervisor */
};

struct evb_config {
	enum evb_role	role;
	uint8_t		r;		/* 0..7 */
	uint8_t		rte;		/* 0..31 */
	uint8_t		rwd;		/* 0..31 */
	uint8_t		rka;		/* 0..31 */
	bool		rrreq;		/* station: asks for reflective relay */
	bool		rrcap;		/* bridge: can do reflective relay */
	bool		gid;		/* supports GroupIDs (BGID / SGID) */
	uint32_t	caps;		/* NVO3_CAP_* offered; 0: no caps TLV */
};

/* lldpad's defaults: R 3, RTE 8, RWD 20, RKA 20. */
#define EVB_DEFAULT_R		3
#define EVB_DEFAULT_RTE		8
#define EVB_DEFAULT_RWD		20
#define EVB_DEFAULT_RKA		20

/* What the two ends agreed; ECP and VDP run on these. */
struct evb_oper {
	bool		peer;		/* a peer EVB TLV was heard */
	bool		peer_ok;	/* ... from the other role (evb.c) */
	bool		peer_nvo3;	/* ... advertising mode 3 */
	uint8_t		r, rte, rwd, rka;
	bool		gid;		/* GroupIDs usable: BGID and SGID */
	bool		rr;		/* reflective relay in force */
};

/* Returns 0 or -EINVAL (role unknown, a value out of range). */
int	evb_config_check(const struct evb_config *cfg);
void	evb_config_default(struct evb_config *cfg, enum evb_role role);

/*
 * Computes the EVB TLV to send (out) and the operating values (oper, may
 * be NULL) from the local config and the last EVB TLV of the peer (NULL
 * when none was heard or it aged out).  Returns 0 or -EINVAL (bad cfg).
 */
int	evb_negotiate(const struct evb_config *cfg,
	    const struct lldp_evb_tlv *peer, struct lldp_evb_tlv *out,
	    struct evb_oper *oper);

/* 10 us * 2^exp, the EVB time unit, in microseconds (exp 0..31). */
uint64_t evb_exp_us(uint8_t exp);

/* ---- Agent (lldp_agent.c) ---------------------------------------------- */

enum lldp_agent_state {
	LLDP_AS_STOPPED = 0,	/* not sending, not listening */
	LLDP_AS_FAST,		/* fast start: PDUs fast_interval apart */
	LLDP_AS_PERIODIC,	/* one PDU every tx_interval */
	LLDP_AS__COUNT
};

enum lldp_agent_event {
	LLDP_EV_START = 0,	/* administratively enabled */
	LLDP_EV_STOP,		/* local shutdown */
	LLDP_EV_CHANGE,		/* local configuration changed */
	LLDP_EV_TX_TIMER,	/* transmit timer due */
	LLDP_EV_AGE_TIMER,	/* neighbour TTL ran out */
	LLDP_EV_RX_NEW,		/* PDU from a new neighbour */
	LLDP_EV_RX_CHANGED,	/* PDU from the neighbour, contents changed */
	LLDP_EV_RX_REFRESH,	/* PDU from the neighbour, same contents */
	LLDP_EV_RX_SHUTDOWN,	/* TTL 0 PDU from the neighbour */
	LLDP_EV__COUNT
};

const char *lldp_agent_state_name(enum lldp_agent_state s);
const char *lldp_agent_event_name(enum lldp_agent_event e);

/* Actions returned (a bit mask) to the caller. */
#define LLDP_ACT_TX		0x01	/* send lldp_agent_frame() now */
#define LLDP_ACT_TX_SHUTDOWN	0x02	/* send lldp_agent_shutdown_frame() */
#define LLDP_ACT_PEER_UP	0x04	/* new neighbour; see lldp_agent_oper */
#define LLDP_ACT_PEER_CHANGED	0x08	/* neighbour's values changed */
#define LLDP_ACT_PEER_LOST	0x10	/* neighbour gone (aged/TTL 0/stop) */

enum lldp_lost_reason {
	LLDP_LOST_NONE = 0,
	LLDP_LOST_AGED,		/* its TTL expired */
	LLDP_LOST_SHUTDOWN,	/* it sent TTL 0 */
	LLDP_LOST_REPLACED,	/* a different chassis/port took its place */
	LLDP_LOST_STOP,		/* we stopped */
};
const char *lldp_lost_reason_name(enum lldp_lost_reason r);

struct lldp_agent_config {
	uint8_t		src[6];		/* our port MAC */
	uint8_t		dst[6];		/* a group address; default NCB */
	struct lldp_id	chassis;
	struct lldp_id	port;
	uint64_t	tx_interval_us;	/* msgTxInterval, default 30 s */
	uint8_t		tx_hold;	/* msgTxHold, default 4 */
	uint8_t		fast_count;	/* PDUs of the fast start, default 4 */
	uint64_t	fast_interval_us; /* default 1 s */
	struct evb_config evb;
	bool		has_ecpdest;	/* offer an ECP destination */
	struct lldp_ecpdest ecpdest;
};

struct lldp_agent_stats {
	uint64_t	tx;
	uint64_t	tx_shutdown;
	uint64_t	rx;		/* valid PDUs */
	uint64_t	rx_err;		/* decode failures */
	uint64_t	rx_no_end;	/* accepted without End TLV */
	uint64_t	rx_unknown;	/* unknown TLVs skipped */
	uint64_t	rx_foreign;	/* TTL 0 from a station not our peer */
	uint64_t	aged;
};

struct lldp_agent {
	struct lldp_agent_config cfg;
	enum lldp_agent_state state;
	uint8_t		fast_left;	/* fast PDUs still to send */
	uint64_t	tx_due;		/* TIME_NEVER when stopped */
	uint64_t	age_due;	/* TIME_NEVER without neighbour */
	bool		has_peer;
	struct lldp_pdu	peer;		/* neighbour's last PDU */
	enum lldp_lost_reason lost;	/* why the last PEER_LOST */
	struct lldp_evb_tlv out;	/* EVB TLV we send */
	struct evb_oper	oper;		/* agreed values */
	uint32_t	caps;		/* agreed NVO3 capabilities */
	struct lldp_agent_stats stats;
};

void	lldp_agent_config_default(struct lldp_agent_config *cfg,
	    enum evb_role role, const uint8_t src[6]);

/* Returns 0 or -EINVAL (bad config); the agent starts STOPPED. */
int	lldp_agent_init(struct lldp_agent *a,
	    const struct lldp_agent_config *cfg);

/*
 * The events.  Each returns a mask of LLDP_ACT_* (>= 0) or a negative
 * errno.  lldp_agent_rx returns the decode error (and counts it) for a bad
 * frame; it ignores (returns 0) frames while stopped.
 */
int	lldp_agent_start(struct lldp_agent *a, uint64_t now);
int	lldp_agent_stop(struct lldp_agent *a, uint64_t now);
int	lldp_agent_set_config(struct lldp_agent *a,
	    const struct lldp_agent_config *cfg, uint64_t now);
int	lldp_agent_rx(struct lldp_agent *a, const uint8_t *frame, size_t len,
	    uint64_t now);
/* Fires every timer due at or before now. */
int	lldp_agent_tick(struct lldp_agent *a, uint64_t now);
/* Earliest deadline, TIME_NEVER when nothing is armed. */
uint64_t lldp_agent_next(const struct lldp_agent *a);

/* The frame to send for LLDP_ACT_TX / _TX_SHUTDOWN; as lldp_pdu_encode. */
int	lldp_agent_frame(const struct lldp_agent *a, uint8_t *buf, size_t cap);
int	lldp_agent_shutdown_frame(const struct lldp_agent *a, uint8_t *buf,
	    size_t cap);

/*
 * The frame a returned action mask asks for: lldp_agent_frame() for
 * LLDP_ACT_TX, else lldp_agent_shutdown_frame() for LLDP_ACT_TX_SHUTDOWN,
 * zero-padded to the 60-octet Ethernet minimum.  Returns its length, 0
 * when acts asks for no frame (or is an error), or -ENOBUFS / the
 * encoder's error.
 */
#define LLDP_ETH_ZLEN	60
int	lldp_agent_tx_frame(const struct lldp_agent *a, int acts, uint8_t *buf,
	    size_t cap);

/* TTL we advertise: tx_hold * tx_interval in seconds, at most 65535. */
uint16_t lldp_agent_ttl(const struct lldp_agent_config *cfg);

#endif /* SPLITNVE_LLDP_LLDP_H */
