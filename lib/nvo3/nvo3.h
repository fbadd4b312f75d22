/*
 * nvo3.h - the External NVE's RFC 8394 section 3 machines and the local
 * tag allocator they draw from:
 *
 *   tag.c   local VLAN tags of one port or bridged domain (who owns which
 *           VID, assignment from a range);
 *   vap.c   Figure 5: one VAP per (port or bridged domain, VN): VN_Connect
 *           explicit or implicit, Local_Tag(s), Num_TSI_Associated,
 *           VN_Context, VN_Disconnect;
 *   tsi.c   Figure 6: one TSI per (TSI_ID, port): Init, Associated,
 *           Activated; address list updates and port moves without a
 *           state change.
 *
 * Everything here is pure: no I/O, no clock, no logging, no allocation.
 * Callers (nnved's control thread) pass "now" in microseconds and a
 * caller-owned action list (on the stack) that each call fills; the
 * machines keep no action queue, so an instance stays small (nnved holds
 * one TSI per VSI, 100,000 and more).
 *
 * How VDP maps onto these (nnved, daemons/nnved/vsi.c):
 *   VDP Pre-Associate / Pre-Associate-RR  -> TSI Associate
 *   VDP Associate                         -> TSI Activate
 *   VDP Pre-Associate after Associate     -> TSI Deactivate (extension)
 *   VDP De-Associate (or VSI timeout)     -> TSI De-Associate
 *   the same mode with other entries      -> address update
 *   the first TSI of a VN on a domain     -> implicit VN_Connect
 *   the last TSI gone, VN not pinned      -> implicit VN_Disconnect
 */
#ifndef SPLITNVE_NVO3_NVO3_H
#define SPLITNVE_NVO3_NVO3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- local tags (tag.c) ---------------------------------------------- */

#define NVO3_VID_MIN		1
#define NVO3_VID_MAX		4094	/* 0 = "assign", 4095 reserved */
#define NVO3_VN_MAX		0xffffffu /* VN IDs are VNIs, 1..2^24-1 */

/*
 * The tag space of one port or bridged domain: which VN owns each VID,
 * and the range VIDs are assigned from when a station asks for VID 0.
 * A VN may own VIDs outside the range (a station asked for a fixed VID).
 * About 16 KiB; one per domain.
 */
struct nvo3_tags {
	uint16_t	lo, hi;		/* assignment range, inclusive */
	uint32_t	used;		/* VIDs owned, in or out of range */
	uint32_t	owner[4096];	/* VN owning each VID, 0 = free */
};

/* Empty map with range lo..hi.  -EINVAL: lo < 1, hi > 4094 or lo > hi. */
int	nvo3_tags_init(struct nvo3_tags *t, uint16_t lo, uint16_t hi);
/* Changes the range, keeping every owner (reload).  -EINVAL as init. */
int	nvo3_tags_set_range(struct nvo3_tags *t, uint16_t lo, uint16_t hi);
/*
 * Gives vn the lowest free VID of the range.  Returns the VID (> 0),
 * -ENOSPC (range exhausted) or -EINVAL (vn 0 or over NVO3_VN_MAX).
 */
int	nvo3_tags_alloc(struct nvo3_tags *t, uint32_t vn);
/*
 * Gives vn the VID the station asked for.  0 also when vn already owns
 * it; -ERANGE (vid 0 or over 4094), -EADDRINUSE (another VN owns it),
 * -EINVAL (bad vn).
 */
int	nvo3_tags_claim(struct nvo3_tags *t, uint32_t vn, uint16_t vid);
/* Frees vid if vn owns it: 0, else -ENOENT. */
int	nvo3_tags_release(struct nvo3_tags *t, uint32_t vn, uint16_t vid);
/* The VN owning vid, 0 if free or vid out of 1..4094. */
uint32_t nvo3_tags_owner(const struct nvo3_tags *t, uint16_t vid);
/* Free VIDs left in the assignment range. */
unsigned nvo3_tags_free(const struct nvo3_tags *t);

/* ---- VAP, Figure 5 (vap.c) ------------------------------------------- */

/* Tags one VN may hold on one domain (Req-7: one or more). */
#define NVO3_VAP_MAX_TAGS	4

enum nvo3_vap_state {
	NVO3_VAP_DISCONNECTED,
	NVO3_VAP_CONNECTED,
	NVO3_VAP__COUNT
};
extern const char *const nvo3_vap_state_names[NVO3_VAP__COUNT];

enum nvo3_vap_event {
	NVO3_VAPE_CONNECT,	/* explicit VN_Connect (operator, station) */
	NVO3_VAPE_TSI_ADD,	/* a TSI associated: implicit VN_Connect */
	NVO3_VAPE_TSI_DEL,	/* a TSI left the VN */
	NVO3_VAPE_DISCONNECT,	/* explicit VN_Disconnect (operator, NVE) */
	NVO3_VAPE__COUNT
};
extern const char *const nvo3_vap_event_names[NVO3_VAPE__COUNT];

enum nvo3_vap_act_kind {
	NVO3_VAPA_CONNECTED,	/* now VN_Connected: provision ->vid */
	NVO3_VAPA_TAG_ADDED,	/* a further tag for the VN (Req-7) */
	NVO3_VAPA_TAG_REMOVED,	/* ->vid went back to the domain */
	NVO3_VAPA_DEASSOC_TSIS,	/* de-associate the ->count TSIs left */
	NVO3_VAPA_DISCONNECTED,	/* now VN_Disconnected: forget the VN */
	NVO3_VAPA__COUNT
};
extern const char *const nvo3_vap_act_names[NVO3_VAPA__COUNT];

struct nvo3_vap_action {
	enum nvo3_vap_act_kind kind;
	uint16_t	vid;		/* CONNECTED, TAG_* */
	uint32_t	count;		/* DEASSOC_TSIS */
};

#define NVO3_VAP_ACT_CAP	(NVO3_VAP_MAX_TAGS + 3)

struct nvo3_vap_acts {
	struct nvo3_vap_action a[NVO3_VAP_ACT_CAP];
	unsigned	n;
};

struct nvo3_vap {
	enum nvo3_vap_state state;
	uint32_t	vn;		/* VN_ID (the VNI) */
	uint32_t	context;	/* VN_Context (VNI on the overlay) */
	uint8_t		ntags;
	uint16_t	tags[NVO3_VAP_MAX_TAGS];  /* tags[0]: the primary */
	uint32_t	refs[NVO3_VAP_MAX_TAGS];  /* TSIs using each tag */
	uint32_t	num_tsi;	/* Num_TSI_Associated */
	unsigned	pinned:1;	/* explicit connect: stays at 0 TSIs */
	uint64_t	since;		/* time of the last state change */
};

/* A DISCONNECTED VAP for vn; context defaults to vn. */
void	nvo3_vap_init(struct nvo3_vap *v, uint32_t vn);

/*
 * Explicit VN_Connect.  vid 0: assign (or return the primary tag if
 * connected); else claim vid (a further tag when connected and the VN
 * does not hold it yet).  Pins the VAP.  Returns the tag (> 0), or
 * -ENOSPC (range exhausted), -EADDRINUSE (vid held by another VN),
 * -ERANGE (vid out of 1..4094), -E2BIG (NVO3_VAP_MAX_TAGS held).
 * Nothing changes on error.
 */
int	nvo3_vap_connect(struct nvo3_vap *v, struct nvo3_tags *t,
	    uint16_t vid, uint64_t now, struct nvo3_vap_acts *out);

/*
 * A TSI associated in the VN with the tag vid (0: the primary, assigned
 * if needed).  Connects implicitly when DISCONNECTED.  Returns the tag
 * the TSI uses (> 0) and counts the TSI, or the errors of connect.
 */
int	nvo3_vap_tsi_add(struct nvo3_vap *v, struct nvo3_tags *t,
	    uint16_t vid, uint64_t now, struct nvo3_vap_acts *out);

/*
 * A TSI that used tag vid left.  A further tag nobody uses any more goes
 * back (TAG_REMOVED); at 0 TSIs an unpinned VAP disconnects (every tag
 * back, DISCONNECTED).  Returns 1 when the VAP is now DISCONNECTED, 0
 * otherwise, -ENOENT (no TSI counted, or vid not a tag of the VN).
 */
int	nvo3_vap_tsi_del(struct nvo3_vap *v, struct nvo3_tags *t,
	    uint16_t vid, uint64_t now, struct nvo3_vap_acts *out);

/*
 * Explicit VN_Disconnect (operator or NVE, Req-6).  Asks the caller to
 * de-associate the TSIs still counted (DEASSOC_TSIS), gives every tag
 * back and goes DISCONNECTED.  -ENOENT when already DISCONNECTED.
 */
int	nvo3_vap_disconnect(struct nvo3_vap *v, struct nvo3_tags *t,
	    uint64_t now, struct nvo3_vap_acts *out);

/* 1 if vid is one of the VN's tags. */
bool	nvo3_vap_has_tag(const struct nvo3_vap *v, uint16_t vid);

/* ---- TSI, Figure 6 (tsi.c) ------------------------------------------- */

/* One address a TSI claims: a MAC, an IP, or an IP-MAC pair. */
struct nvo3_addr {
	uint8_t		family;		/* 0: MAC only, 4 or 6: IP (+ MAC) */
	uint8_t		mac[6];		/* all zero: IP only */
	uint8_t		ip[16];		/* IPv4 in ip[0..3] */
};

/* 1 if equal (family, MAC and the IP octets the family uses). */
bool	nvo3_addr_equal(const struct nvo3_addr *a, const struct nvo3_addr *b);
/* "52:54:00:11:22:33", "198.51.100.7", "2001:db8:100::7@52:54:...". */
#define NVO3_ADDR_STRLEN	64
int	nvo3_addr_fmt(const struct nvo3_addr *a, char *out, size_t sz);

#define NVO3_TSI_MAX_ADDR	16

enum nvo3_tsi_state {
	NVO3_TSI_INIT,
	NVO3_TSI_ASSOCIATED,
	NVO3_TSI_ACTIVATED,
	NVO3_TSI__COUNT
};
extern const char *const nvo3_tsi_state_names[NVO3_TSI__COUNT];

enum nvo3_tsi_event {
	NVO3_TSIE_ASSOCIATE,	/* reserve, filters built but disabled */
	NVO3_TSIE_ACTIVATE,	/* filters enabled, traffic flows */
	NVO3_TSIE_DEACTIVATE,	/* Activated -> Associated */
	NVO3_TSIE_DEASSOCIATE,	/* release everything */
	NVO3_TSIE_UPDATE,	/* new address list, same state */
	NVO3_TSIE_PORT,		/* station now reached on another port */
	NVO3_TSIE__COUNT
};
extern const char *const nvo3_tsi_event_names[NVO3_TSIE__COUNT];

enum nvo3_tsi_act_kind {
	NVO3_TSIA_RESERVE,	/* Init left: reserve resources on ->port */
	NVO3_TSIA_ADDR_ADD,	/* ->addr now claimed (filter built) */
	NVO3_TSIA_ADDR_DEL,	/* ->addr no longer claimed */
	NVO3_TSIA_ENABLE,	/* filters enabled: forwarding table */
	NVO3_TSIA_DISABLE,	/* filters disabled: mapping table only */
	NVO3_TSIA_PORT_MOVE,	/* tag provisioned on ->port, off ->old_port */
	NVO3_TSIA_RELEASE,	/* back to Init: free everything on ->port */
	NVO3_TSIA__COUNT
};
extern const char *const nvo3_tsi_act_names[NVO3_TSIA__COUNT];

struct nvo3_tsi_action {
	enum nvo3_tsi_act_kind kind;
	struct nvo3_addr addr;		/* ADDR_* */
	uint32_t	port;		/* RESERVE, PORT_MOVE, RELEASE */
	uint32_t	old_port;	/* PORT_MOVE */
};

#define NVO3_TSI_ACT_CAP	(2 * NVO3_TSI_MAX_ADDR + 4)

struct nvo3_tsi_acts {
	struct nvo3_tsi_action a[NVO3_TSI_ACT_CAP];
	unsigned	n;
};

/* What one event carries (ignored fields may be zero). */
struct nvo3_tsi_req {
	uint32_t	port;		/* where the request came from */
	uint32_t	vn;		/* ASSOCIATE/ACTIVATE: the VN */
	uint16_t	vid;		/* local tag in use */
	uint8_t		hints;		/* VDP M/S bits as received */
	uint8_t		reason;		/* enum nvo3_reason, 0 unknown */
	uint16_t	naddr;
	const struct nvo3_addr *addr;	/* the full list, not a delta */
};

struct nvo3_tsi {
	enum nvo3_tsi_state state;
	uint8_t		id_fmt;		/* VDP VSI ID format */
	uint8_t		id[16];		/* TSI_ID: the VSI ID */
	uint32_t	port;		/* Port */
	uint32_t	vn;		/* VN_ID */
	uint16_t	vid;		/* local tag it uses */
	uint8_t		hints;		/* M/S of the last request */
	uint8_t		reason;		/* migration reason, 0 none */
	uint16_t	naddr;		/* Num_Of_Addr */
	struct nvo3_addr addr[NVO3_TSI_MAX_ADDR];	/* List_Of_Addr */
	uint64_t	since;		/* time of the last state change */
	uint32_t	updates;	/* address/port updates seen */
};

void	nvo3_tsi_init(struct nvo3_tsi *t, uint8_t id_fmt,
	    const uint8_t id[16], uint32_t port);

/*
 * Feeds one event (table in tsi.c).  Returns 0, or:
 *   -ENOENT  DEACTIVATE/DEASSOCIATE/UPDATE/PORT in Init;
 *   -EPERM   ASSOCIATE in Activated (the caller means DEACTIVATE);
 *   -EXDEV   ASSOCIATE/ACTIVATE naming another VN than the TSI's;
 *   -E2BIG   more than NVO3_TSI_MAX_ADDR addresses;
 *   -EINVAL  unknown event, NULL list with naddr > 0, a duplicate
 *            address in the list, vn 0 on ASSOCIATE/ACTIVATE from Init.
 * Nothing changes and nothing is appended on error.  Appends to out
 * (which must start with room for NVO3_TSI_ACT_CAP actions: out->n = 0).
 */
int	nvo3_tsi_event(struct nvo3_tsi *t, uint64_t now,
	    enum nvo3_tsi_event ev, const struct nvo3_tsi_req *req,
	    struct nvo3_tsi_acts *out);

#endif /* SPLITNVE_NVO3_NVO3_H */
