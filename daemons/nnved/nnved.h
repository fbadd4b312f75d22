/*
 * nnved.h - types shared by the files of nnved, the External NVE's
 * control-plane daemon (RFC 8394 network side), and their entry points.
 *
 * One thread, one libuv loop (lib/loop).  Files and what they own:
 *   nnved.c     main: options, start-up, reload (SIGHUP), shutdown
 *   parse.c     nnved.conf -> struct nnved_conf (file:line errors)
 *   printconf.c struct nnved_conf -> canonical text (-nv)
 *   policy.c    pure questions about the config: may this station attach
 *               this VN, may this TSI claim this address, which VN does
 *               a VID name on this port
 *   port.c      downlink ports: AF_PACKET sockets, the LLDP/EVB agent,
 *               one ECP session per station MAC, HMAC verify/sign
 *   vsi.c       the VDP bridge machines (lib/vdp) of every VSI, their
 *               resource decisions, and the RFC 8394 VAP/TSI machines
 *               (lib/nvo3) with the tag spaces and the address index
 *   timers.c    one min-heap of deadlines for every VSI and station
 *   control.c   the control socket (JSON lines) that nvectl talks to
 *   nva.c       the NVA client: TLS session to nvad, TSI reports,
 *               subscriptions, the local copy of the directory
 *
 * parse.c, printconf.c and policy.c form the library sn_nnved (no loop,
 * no sockets) so unit tests can link them.
 */
#ifndef NNVED_H
#define NNVED_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ecp/ecp.h"
#include "ext/ext.h"
#include "lldp/lldp.h"
#include "loop/loop.h"
#include "net/rawsock.h"
#include "nvo3/nvo3.h"
#include "util/hash.h"
#include "util/theap.h"
#include "vdp/vdp.h"
#include "vdp/vdp_sm.h"

#define NNVED_CONF_DEFAULT	"/etc/splitnve/nnved.conf"
#define NNVED_SOCK_DEFAULT	"/run/splitnve/nnved.sock"
#define NNVED_NAME_MAX		32
#define NNVED_VID_LO_DEFAULT	100
#define NNVED_VID_HI_DEFAULT	4000
#define NNVED_MAX_VSI_DEFAULT	1000000u
#define NNVED_MAX_STATIONS_DEFAULT 4096u

/* ====================================================================== */
/* Configuration (parse.c, printconf.c, policy.c)                         */
/* ====================================================================== */

/* An address prefix a VN lets its TSIs claim. */
struct nnved_prefix {
	uint8_t		family;		/* 0: MAC prefix, 4, 6 */
	uint8_t		addr[16];	/* MAC in addr[0..5], IPv4 in [0..3] */
	uint8_t		len;		/* prefix length in bits */
};

/* "vlan VID vn VN" on a port: filter formats without a GroupID. */
struct nnved_vlanmap {
	uint16_t	vid;
	uint32_t	vn;
};

/* domain NAME { vids LO-HI } : a tag space several ports share. */
struct nnved_domain_conf {
	char		name[NNVED_NAME_MAX];
	uint16_t	vid_lo, vid_hi;
	int		line;
};

/* port IFNAME { ... } */
struct nnved_port_conf {
	char		ifname[IF_NAMESIZE];
	char		domain[NNVED_NAME_MAX];	/* "" = the port alone */
	uint16_t	vid_lo, vid_hi;		/* 0/0 = global vids */
	enum ecp_dst_mode ecp_dst;		/* ecp-destination */
	uint8_t		mcast[6];		/* ... multicast MAC */
	uint32_t	default_vn;		/* formats 1/2 with VID 0 */
	struct nnved_vlanmap *vlans;		/* formats 1/2 with a VID */
	unsigned	nvlans;
	int		line;
};

/* key ID "HEX" : an HMAC secret (32..64 octets). */
struct nnved_key_conf {
	uint16_t	id;
	uint8_t		secret[NVO3_KEY_MAX];
	uint8_t		len;
	int		line;
};

/*
 * station MAC|any { port IF; key ID; vn VN... | vn any }
 * The first rule that matches a station (exact MAC before "any", then
 * file order) decides.  No matching rule: the station is refused.
 */
struct nnved_station_conf {
	bool		any;		/* "station any" */
	uint8_t		mac[6];
	char		port[IF_NAMESIZE];	/* "" = every port */
	int		key_id;		/* -1: no authentication asked */
	bool		vn_any;
	uint32_t	*vns;
	unsigned	nvns;
	int		line;
};

/*
 * vn VN { context VNI; allow PREFIX... }
 * No vn block, or a block without allow: TSIs may claim any address.
 */
struct nnved_vn_conf {
	uint32_t	vn;
	uint32_t	context;	/* VN_Context; 0 = same as vn */
	struct nnved_prefix *allow;
	unsigned	nallow;
	int		line;
};

/* A numeric IPv4 or IPv6 address of the nva block. */
struct nnved_ip {
	uint8_t		family;		/* 4 or 6 */
	uint8_t		addr[16];	/* IPv4 in addr[0..3] */
};

#define NNVED_NVA_PORT_DEFAULT	4790
#define NNVED_NVA_SERVERS_MAX	4
#define NNVED_NVA_UNDERLAY_MAX	8	/* = NVA_UNDERLAY_MAX (lib/nva) */
#define NNVED_NVA_NAME_MAX	256	/* server-name, with its NUL */
#define NNVED_NVA_PATH_MAX	256	/* tls files, with the NUL */
#define NNVED_NVA_RETRY_MIN_DEFAULT 500		/* ms */
#define NNVED_NVA_RETRY_MAX_DEFAULT 30000	/* ms */
#define NNVED_AUTH_TIMEOUT_DEFAULT 1000		/* ms */
#define NNVED_AUTH_TIMEOUT_MIN	50
#define NNVED_AUTH_TIMEOUT_MAX	30000

/* What a held request gets when the NVA cannot answer in time. */
enum nnved_auth_fallback {
	NNVED_AUTH_FALLBACK_LOCAL,	/* the station rule's VN list */
	NNVED_AUTH_FALLBACK_REFUSE,	/* VDP code 3, Keep */
};

/*
 * nva { server ADDR [port N]; server-name NAME; tls { cert; key; ca }
 *       underlay ADDR; keepalive MS; retry MIN MAX;
 *       authorize yes|no; authorize-timeout MS;
 *       authorize-fallback local|refuse }
 * Absent (present false): nnved does not talk to an NVA at all.  The
 * authorize* settings take effect on reload; the rest at restart.
 * authorize-timeout must be at most half the resource wait delay nnved
 * announces (evb rwd), so the answer still reaches the station in time.
 */
struct nnved_nva_conf {
	bool		present;
	struct {
		struct nnved_ip ip;
		uint16_t	port;
	}		server[NNVED_NVA_SERVERS_MAX];	/* tried in turn */
	unsigned	nserver;
	char		server_name[NNVED_NVA_NAME_MAX];	/* "": any */
	char		cert[NNVED_NVA_PATH_MAX];
	char		key[NNVED_NVA_PATH_MAX];
	char		ca[NNVED_NVA_PATH_MAX];
	struct nnved_ip	underlay[NNVED_NVA_UNDERLAY_MAX];
	unsigned	nunderlay;
	uint32_t	keepalive_ms;	/* 0: the NVA's */
	uint32_t	retry_min_ms, retry_max_ms;
	bool		authorize;	/* ask the NVA before attaching */
	uint32_t	authorize_timeout_ms;
	enum nnved_auth_fallback authorize_fallback;
	int		line;
};

struct nnved_conf {
	char		path[256];	/* file it came from */
	char		control[108];	/* control socket path */
	int		log_level;	/* enum log_level, -1 = not set */
	uint8_t		r, rte, rwd, rka; /* EVB values we offer */
	uint32_t	caps;		/* NVO3 extensions offered */
	uint16_t	vid_lo, vid_hi;	/* default assignment range */
	uint32_t	max_vsi;	/* VSIs held at most (all ports) */
	uint32_t	max_stations;	/* stations at most (all ports) */

	struct nnved_domain_conf *domains;	unsigned ndomains;
	struct nnved_port_conf	*ports;		unsigned nports;
	struct nnved_key_conf	*keys;		unsigned nkeys;
	struct nnved_station_conf *stations;	unsigned nstations;
	struct nnved_vn_conf	*vns;		unsigned nvns;
	struct nnved_nva_conf	nva;
};

/* Defaults: control NNVED_SOCK_DEFAULT, EVB 3/8/20/20, caps all, vids
 * 100-4000, limits above, log level unset. */
void	nnved_conf_init(struct nnved_conf *c);
void	nnved_conf_free(struct nnved_conf *c);

/*
 * Parses path into *c (nnved_conf_init'ed by the call).  Every error is
 * logged as "PATH:LINE: message" (log_warn); parsing goes on to report
 * them all.  Returns 0, the (positive) number of errors, or -errno when
 * the file cannot be read.  On a non-zero return *c is freed.
 */
int	nnved_conf_parse(const char *path, struct nnved_conf *c);
/* The same from a string (tests); name stands in for the path. */
int	nnved_conf_parse_string(const char *text, const char *name,
	    struct nnved_conf *c);

/* Canonical text that parses back to the same config (-nv). */
void	nnved_conf_print(FILE *f, const struct nnved_conf *c);

/* ---- policy.c --------------------------------------------------------- */

/* Lookups; NULL when absent. */
const struct nnved_port_conf *policy_port(const struct nnved_conf *c,
	    const char *ifname);
const struct nnved_domain_conf *policy_domain(const struct nnved_conf *c,
	    const char *name);
const struct nnved_key_conf *policy_key(const struct nnved_conf *c,
	    uint16_t id);
const struct nnved_vn_conf *policy_vn_conf(const struct nnved_conf *c,
	    uint32_t vn);

/*
 * The station rule for a station MAC seen on port ifname, or NULL when
 * no rule admits it (the caller refuses and counts).
 */
const struct nnved_station_conf *policy_station(const struct nnved_conf *c,
	    const char *ifname, const uint8_t mac[6]);

/* 0 if the rule lets its station attach vn, -EPERM otherwise. */
int	policy_station_vn(const struct nnved_station_conf *s, uint32_t vn);

/* 0 if a TSI in vn may claim a, -EPERM otherwise. */
int	policy_addr(const struct nnved_conf *c, uint32_t vn,
	    const struct nvo3_addr *a);

/*
 * The VN of a filter entry without a GroupID (formats 1 and 2) on port
 * p: "vlan VID vn VN" for a non-zero vid, "default-vn" for vid 0.
 * Returns 0 with *vn set, or -ENOENT.
 */
int	policy_vn_of_vid(const struct nnved_port_conf *p, uint16_t vid,
	    uint32_t *vn);

/* The tag range port p assigns from (its domain's, its own, global). */
void	policy_vid_range(const struct nnved_conf *c,
	    const struct nnved_port_conf *p, uint16_t *lo, uint16_t *hi);

/* ====================================================================== */
/* Run-time state                                                         */
/* ====================================================================== */

struct nnved;

/* Timer kinds (struct sn_timer .kind, util/theap.h; timers.c). */
enum { NNVED_T_VSI = 1, NNVED_T_STATION, NNVED_T_PORT, NNVED_T_NVA };

/* A tag space: one port alone, or a named bridged domain. */
struct nnved_domain {
	char		name[NNVED_NAME_MAX];	/* port name or domain */
	struct nvo3_tags tags;
	struct hmap	vaps;		/* struct nnved_vap by vn */
	unsigned	nports;
	struct nnved_domain *next;
};

/* One VAP (Figure 5) per (domain, VN). */
struct nnved_vap {
	struct hnode	node;		/* in domain->vaps, hash of vn */
	struct nnved_domain *dom;
	struct nvo3_vap	m;
};

struct nnved_port_counters {
	uint64_t	rx_frames;	/* ECP frames read */
	uint64_t	rx_bad;		/* ECP frames that did not decode */
	uint64_t	rx_refused_station; /* from stations no rule admits */
	uint64_t	rx_station_limit;  /* from stations past max-stations */
	uint64_t	tx_frames;
	uint64_t	tx_errors;
	uint64_t	lldp_rx, lldp_tx, lldp_bad;
};

struct nnved_port {
	struct nnved	*d;
	unsigned	index;		/* position in d->ports, from 0 */
	char		ifname[IF_NAMESIZE];
	const struct nnved_port_conf *conf;	/* into d->conf */
	struct nnved_domain *dom;
	struct rawsock	lldp_sock, ecp_sock;
	uv_poll_t	lldp_poll, ecp_poll;
	bool		open;
	struct lldp_agent agent;
	struct sn_timer lldp_timer;
	struct hmap	stations;	/* struct nnved_station by MAC */
	uint16_t	ecp_seq;	/* ECP sequence shared by its stations */
	/*
	 * The NVO3 extensions agreed with each LLDP neighbour: with several
	 * stations behind a bridge the agent keeps only the last one heard,
	 * so the per-MAC agreement is kept here (oldest entry replaced).
	 */
#define NNVED_NBR_MAX	64
	struct {
		uint8_t		mac[6];
		uint32_t	caps;
		uint64_t	seen;
	}		nbr[NNVED_NBR_MAX];
	unsigned	nnbr;
	struct nnved_port_counters ctr;
};

struct nnved_station_counters {
	uint64_t	rx_pdus;	/* ULPDUs delivered by ECP */
	uint64_t	rx_bad_pdus;	/* ULPDUs that did not decode */
	uint64_t	rx_bad_tlvs;	/* VSI TLVs with an error, answered */
	uint64_t	rx_unknown_tlvs; /* reserved types / foreign Org TLVs */
	uint64_t	auth_ok;
	uint64_t	auth_fail;	/* missing, bad MAC, unknown key */
	uint64_t	auth_replay;	/* counter not above the last */
	uint64_t	refused;	/* requests refused by policy */
	uint64_t	requests;	/* VSI TLVs acted on */
	uint64_t	keepalives;
};

/* One end device (station MAC) on one port: one ECP session. */
struct nnved_station {
	struct hnode	node;		/* in port->stations, hash of MAC */
	struct nnved_port *port;
	uint8_t		mac[6];
	struct ecp_session ecp;
	struct nvo3_replay replay;	/* auth counters accepted */
	int		key_id;		/* -1: unauthenticated */
	uint32_t	caps;		/* NVO3 extensions agreed with it */
	uint32_t	nvsi;		/* VSIs it holds */
	uint64_t	first_seen, last_seen;
	struct sn_timer ecp_timer;
	struct nnved_station_counters ctr;
	/*
	 * Outgoing VSI TLVs not yet in a ULPDU: port.c packs every answer
	 * of one loop turn into as few ULPDUs as the station's agreed
	 * extensions allow (NVO3_CAP_MULTI_TLV), flushed after the turn.
	 */
	struct nnved_station *pend_next;	/* in d->pend_list */
	bool		pend_listed;
	uint8_t		pend_mgrid[VDP_MGRID_LEN];
	uint16_t	pend_len, pend_ntlv;
	uint8_t		pend[VDP_MAX_ULPDU];
};

/*
 * One VSI of one station (struct vdp_br) and the TSI it is (Figure 6).
 * Key: station, Manager ID, VSI identity (type ID, version, VSI ID
 * format and value, filter format).
 */
struct nnved_vsi {
	struct hnode	node;		/* in d->vsis */
	struct nnved_station *st;
	uint8_t		mgrid[VDP_MGRID_LEN];
	struct vdp_br	br;
	struct nvo3_tsi	tsi;
	struct nnved_vap *vap;		/* NULL in Init */
	uint32_t	keepalives;
	uint64_t	created;
	struct sn_timer timer;
	struct nnved_held *held;	/* vsi.c: waiting for the NVA's verdict */
	uint8_t		admitted;	/* enum nnved_admit: who said yes */
};

/* Who admitted a TSI's current state (nvectl tsi show: "authorized"). */
enum nnved_admit {
	NNVED_ADMIT_LOCAL,	/* the local policy (no authorize) */
	NNVED_ADMIT_NVA,	/* the NVA's Verdict */
	NNVED_ADMIT_FALLBACK,	/* the local policy, the NVA not answering */
	NNVED_ADMIT__COUNT
};
extern const char *const nnved_admit_names[NNVED_ADMIT__COUNT];

/* (VN, address) -> the VSI claiming it: spoofing defence. */
struct nnved_addr_ref {
	struct hnode	node;		/* in d->addrs */
	uint32_t	vn;
	struct nvo3_addr addr;
	struct nnved_vsi *vsi;
};

struct nnved_counters {
	uint64_t	vn_connects, vn_disconnects;
	uint64_t	tsi_associates, tsi_activates, tsi_deactivates;
	uint64_t	tsi_deassociates, tsi_addr_updates, tsi_port_moves;
	uint64_t	refused_policy_station;	/* station may not attach VN */
	uint64_t	refused_policy_addr;	/* address outside the VN */
	uint64_t	refused_addr_taken;	/* address held by another TSI */
	uint64_t	refused_no_vn;		/* no VN for a format 1/2 entry */
	uint64_t	refused_tags;		/* tag range exhausted */
	uint64_t	refused_vid_conflict;	/* requested VID of another VN */
	uint64_t	refused_limit;		/* max-vsi reached */
	uint64_t	refused_format;		/* bad TLV answered with code 1 */
	uint64_t	operator_deassoc, operator_disconnect;
	uint64_t	ka_timeouts;		/* stations gone silent */
	/* authorisation by the NVA (nva { authorize yes }) */
	uint64_t	authorize_sent;		/* Authorize asked, request held */
	uint64_t	verdict_allow, verdict_refuse;
	uint64_t	authorize_fallback;	/* no session, Error, timeout */
	uint64_t	refused_nva;		/* the NVA's Verdict refused */
	uint64_t	refused_no_nva;		/* fallback refuse */
};

struct nnved_ctl;	/* control.c */
struct nnved_nva;	/* nva.c */

struct nnved {
	struct sn_loop	 loop;
	struct nnved_conf conf;
	const char	*conf_path;
	struct nvo3_keytab *keys;
	struct nvo3_counter auth_ctr;	/* counters we sign with */

	struct nnved_port *ports;	/* conf.nports of them */
	unsigned	 nports;
	struct nnved_domain *domains;	/* list */

	struct hmap	 vsis;		/* struct nnved_vsi */
	struct hmap	 addrs;		/* struct nnved_addr_ref */
	uint32_t	 nstations;

	/* timers.c: one heap, one libuv deadline for all of it */
	struct sn_theap	 timers;
	struct sn_deadline deadline;

	struct nnved_ctl *ctl;
	struct nnved_nva *nva;		/* NULL without an nva block */
	struct nnved_station *pend_list;	/* stations with output */
	uv_check_t	 flush;			/* flushes them each turn */
	struct nnved_counters ctr;
	uint64_t	 started;	/* mono_us at start */
};

/* ---- timers.c ---------------------------------------------------------- */

/* (Re)schedules t at at (TIME_NEVER removes it).  0 or -ENOMEM. */
int	timer_set(struct nnved *d, struct sn_timer *t, uint64_t at);
/* Removes t if scheduled. */
void	timer_cancel(struct nnved *d, struct sn_timer *t);
/* Pops every timer due at now and calls its owner (port/station/vsi). */
void	timer_run(struct nnved *d, uint64_t now);
/* Arms the libuv deadline for the heap's first timer. */
void	timer_arm(struct nnved *d);

/* ---- port.c ------------------------------------------------------------ */

int	port_open_all(struct nnved *d);	/* 0 or -errno, logged */
void	port_close_all(struct nnved *d);
void	port_lldp_timer(struct nnved_port *p, uint64_t now);
void	port_station_timer(struct nnved_station *st, uint64_t now);
/* The VDP parameters the port's EVB negotiation produced. */
struct vdp_params port_vdp_params(const struct nnved_port *p);
struct vdp_codec_opts port_codec_opts(const struct nnved_station *st);
/*
 * Encodes one VSI TLV and adds it to the station's pending ULPDU (sent
 * at once when the station did not agree to several TLVs per ULPDU,
 * else after this loop turn); an auth TLV goes last when the station
 * authenticates.  0 or -errno (logged, counted).
 */
int	port_send_tlv(struct nnved_station *st, const uint8_t *mgrid,
	    const struct vdp_vsi_tlv *tlv);
/* Sends every packed answer now (also done after each loop turn). */
void	port_flush_all(struct nnved *d);
struct nnved_station *port_station_find(struct nnved_port *p,
	    const uint8_t mac[6]);

/* ---- vsi.c ------------------------------------------------------------- */

/*
 * One decoded (and, where asked, authenticated) ULPDU from a station;
 * rule is the station rule port.c found for it (NULL: none admits it),
 * used for every VSI TLV of the ULPDU.
 */
void	vsi_pdu(struct nnved_station *st, const struct vdp_pdu *pdu,
	    const struct nnved_station_conf *rule, uint64_t now);
void	vsi_timer(struct nnved_vsi *v, uint64_t now);
/* A station is gone (port closed, daemon stopping): drop its VSIs. */
void	vsi_station_gone(struct nnved_station *st, uint64_t now);
/* Operator: NVE-initiated De-Associate of one VSI (Req-9). */
int	vsi_operator_deassoc(struct nnved_vsi *v, uint64_t now);
/*
 * Operator: NVE-initiated VN_Disconnect on a domain (Req-6): every TSI
 * of the VN there is de-associated, its tags go back.  -ENOENT if the
 * VN is not connected there.
 */
int	vsi_vn_disconnect(struct nnved *d, struct nnved_domain *dom,
	    uint32_t vn, uint64_t now);
/* Operator: explicit VN_Connect (pins the VAP).  Tag or -errno. */
int	vsi_vn_connect(struct nnved *d, struct nnved_domain *dom,
	    uint32_t vn, uint16_t vid, uint64_t now);
/* Lookups for control.c. */
struct nnved_domain *vsi_domain_find(struct nnved *d, const char *name);
struct nnved_vap *vsi_vap_find(struct nnved_domain *dom, uint32_t vn);

/* ---- control.c ----------------------------------------------------------- */

/*
 * The control socket: a SOCK_STREAM unix socket at conf.control (mode
 * 0660), one JSON object per line each way.  Request:
 *   {"cmd": "show", "table": "stations"|"vns"|"tsis"|"ports"|"counters"}
 *   {"cmd": "tsi-deassociate", "vsiid": TEXT [, "port": IF]}
 *   {"cmd": "vn-connect", "domain": NAME, "vn": N [, "vid": V]}
 *   {"cmd": "vn-disconnect", "domain": NAME, "vn": N}
 *   {"cmd": "reload"}
 *   {"cmd": "nva-show"}
 *   {"cmd": "fib-show" [, "vn": N]}
 *   {"cmd": "fib-lookup", "vn": N, "addr": TEXT}   (may be answered later)
 * Reply: {"ok": true, "rows": [ {...}, ... ]} for show and fib-show,
 *        {"ok": true, "result": {...}} otherwise,
 *        {"ok": false, "error": TEXT} on any failure.
 */
int	ctl_open(struct nnved *d);	/* 0 or -errno, logged */
void	ctl_close(struct nnved *d);

/* ---- nva.c --------------------------------------------------------------- */

/*
 * The NVA client (lib/nva/nva_client.h over nva_tls.h): registers with
 * nvad, reports every TSI, follows the VNs we have TSIs in and keeps
 * their part of the directory (the local copy, "fib").  Everything here
 * is a no-op when d->nva is NULL (no nva block).
 */
struct nva_addr;
struct nva_client;
struct nvc_fib;

/* nva.c's own counters (nva_client.h counts the protocol). */
struct nnved_nva_counters {
	uint64_t	connect_errors;	/* connections that failed at once */
	uint64_t	rx_undecodable;	/* bad / wrong-way messages, dropped */
	uint64_t	framing_errors;	/* broken framing: session closed */
	uint64_t	tx_errors;	/* write or flush failures */
	uint64_t	nva_errors;	/* Error messages from the NVA */
	uint64_t	report_errors;	/* TSIs the machine would not take */
};

/* What "nva-show" shows (control.c). */
struct nnved_nva_view {
	const struct nva_client *cl;	/* states, revs, fib, VNs */
	char		server[64];	/* "203.0.113.1:4790", "" none yet */
	const char	*nve;		/* the name we register with */
	const char	*nva;		/* the NVA's name ("" before UP) */
	uint64_t	up_since;	/* mono µs, 0 when not UP */
	uint64_t	rx_octets, tx_octets;	/* this connection */
	size_t		tsis;		/* (VN, TSI ID) reported */
	const struct nnved_nva_counters *ctr;
};

/* Loads the TLS files and starts connecting; 0 or -errno (logged). */
int	nnved_nva_open(struct nnved *d);
/* Closes the session and frees the client; pending look-ups fail. */
void	nnved_nva_close(struct nnved *d);
/*
 * vsi.c: v's TSI changed state or addresses (after the change), or v is
 * about to release its addresses (gone).  While another VSI holds the
 * same TSI ID in the same VN (a move between two of our ports), the
 * NVA hears about the one in the higher state.
 */
void	nnved_nva_tsi(struct nnved *d, const struct nnved_vsi *v);
void	nnved_nva_tsi_gone(struct nnved *d, const struct nnved_vsi *v);
/* Timer kind NNVED_T_NVA is due (also safe to call when it is not). */
void	nnved_nva_timer(struct nnved *d, uint64_t now);
/* Sends what the last batch of work queued on the NVA session. */
void	nnved_nva_flush(struct nnved *d);
/*
 * A look-up for control.c: the local copy when it has (vn, a) (*out
 * set, 0), else a Query to the NVA whose result comes to fn later
 * (1: asked; fn gets err 0 and the entry, err 0 and NULL when the NVA
 * does not know it, or -ENOTCONN / -ETIMEDOUT).  -ENOTCONN when the
 * session is not up, -ENOMEM.  fn is never called from inside this call.
 */
typedef void (*nnved_nva_answer_fn)(void *arg, int err,
	    const struct nvc_fib *f, const char *why);
int	nnved_nva_lookup(struct nnved *d, uint32_t vn,
	    const struct nva_addr *a, const struct nvc_fib **out,
	    nnved_nva_answer_fn fn, void *arg);
/*
 * Authorisation for vsi.c: asks the NVA whether the TSI id may attach vn
 * with these addresses.  Returns 1 with *token set when asked: fn gets
 * the outcome later, never from inside this call and never after
 * nnved_nva_authorize_cancel(token).  -ENOTCONN without an nva block or
 * while the session is not up, -EINVAL, -ENOMEM.
 */
struct nnved_verdict {
	int		 err;		/* 0: a Verdict came; -EPROTO: an Error
					   answered; -ENOTCONN: session gone */
	bool		 allow;
	const char	*code;		/* the NVA's code name ("vn-refused") */
	const char	*reason;	/* its text, "" when none */
};
typedef void (*nnved_nva_verdict_fn)(void *arg, const struct nnved_verdict *v,
	    uint64_t now);
int	nnved_nva_authorize(struct nnved *d, uint32_t vn, const uint8_t id[16],
	    const struct nvo3_addr *addrs, unsigned n, nnved_nva_verdict_fn fn,
	    void *arg, uint64_t *token);
void	nnved_nva_authorize_cancel(struct nnved *d, uint64_t token);
/* Fills *v; -ENOENT without an nva block. */
int	nnved_nva_view(struct nnved *d, struct nnved_nva_view *v);

/* ---- nnved.c ----------------------------------------------------------- */

/* Re-reads the config (SIGHUP, "reload"): atomic; 0 or -EINVAL. */
int	nnved_reload(struct nnved *d);

#endif /* NNVED_H */
