/*
 * nva_client.h - the NVE side of the NVA protocol as a pure state
 * machine: what nnved runs to register with nvad, report its TSIs,
 * follow the VNs it has TSIs in, keep the local copy of that part of the
 * directory (the forwarding table the packet path reads), ask for
 * addresses it misses, and come back after a lost connection with only
 * what changed meanwhile.
 *
 * No I/O and no clock: the caller (nnved/nva.c) owns the TLS connection
 * (nva_tls.h), feeds decoded messages in, passes "now" (µs, monotonic),
 * sends the frames the machine hands to cbs->send, and obeys the
 * NVC_ACT_* actions nva_client_tick() returns.
 *
 *   DOWN --(retry deadline: ACT_CONNECT)--> CONNECTING
 *   CONNECTING --connected()--> HELLO (Hello sent)
 *   CONNECTING --disconnected()--> DOWN (backoff doubles, to retry_max)
 *   HELLO --Welcome--> UP (Subscribe for every VN with TSIs, then every
 *                          TSI reported again, pending withdrawals sent)
 *   HELLO --Error / timeout--> ACT_CLOSE, then DOWN
 *   UP --no message for 3 keep-alive periods--> ACT_CLOSE, then DOWN
 *   UP/HELLO --disconnected()--> DOWN (backoff restarts at retry_min
 *                                      when the session had been UP)
 *
 * Reports: the caller states each TSI's wanted state (tsi_set / tsi_del)
 * at any time; the machine sends what changed when UP, withdraws the
 * addresses a TSI lost, and re-sends everything after a reconnect (nvad
 * treats an unchanged report as a no-op).  Subscriptions follow the TSIs:
 * a VN is subscribed while a TSI is in it.  After a reconnect with the
 * same directory epoch the VNs already synced are subscribed with
 * since_rev = the newest rev seen, so only changes come back.
 *
 * CONFLICT (another NVA instance sharing the store changed the address
 * first) answering a Report or Withdraw sends the TSI's current state
 * again (its Report, or the Withdraw when it is gone) after
 * NVC_CONFLICT_DELAY_US, doubling per try; after NVC_CONFLICT_TRIES
 * such tries it gives up with NVC_EV_ERROR (code CONFLICT) until the
 * TSI changes or the session comes back.
 *
 * Thread: the caller's.  Relies on nva.h (codec) and util/hash.
 */
#ifndef SPLITNVE_NVA_NVA_CLIENT_H
#define SPLITNVE_NVA_NVA_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nva/nva.h"
#include "util/hash.h"

enum nvc_state {
	NVC_DOWN,
	NVC_CONNECTING,
	NVC_HELLO,
	NVC_UP,
	NVC_STATE_COUNT
};
extern const char *const nvc_state_names[NVC_STATE_COUNT];

/* CONFLICT retries: first delay, and how many tries at most. */
#define NVC_CONFLICT_DELAY_US	20000ULL
#define NVC_CONFLICT_TRIES	5

/* Actions nva_client_tick() (and nva_client_input()) ask for. */
#define NVC_ACT_CONNECT	0x1	/* open a connection now, then connected() */
#define NVC_ACT_CLOSE	0x2	/* close it now, then disconnected() */

struct nva_client_conf {
	char		 nve[NVA_NAME_MAX + 1];	/* our name (certificate CN) */
	struct nva_addr	 underlay[NVA_UNDERLAY_MAX];
	unsigned	 nunderlay;
	uint32_t	 keepalive_ms;		/* 0: take the NVA's */
	uint64_t	 retry_min_us;		/* first reconnect delay */
	uint64_t	 retry_max_us;		/* backoff ceiling */
	uint64_t	 hello_timeout_us;	/* Welcome must come by then */
	uint64_t	 query_timeout_us;	/* an unanswered Query ends */
};

/* One mapping of the local copy (subscribed VNs, and query answers). */
struct nvc_fib {
	struct hnode	 node;
	uint32_t	 vn;
	struct nva_addr	 addr;
	uint8_t		 mac[6];
	bool		 has_mac;
	enum nva_state	 state;
	bool		 frozen;
	uint64_t	 seq, rev;
	char		 nve[NVA_NAME_MAX + 1];
	struct nva_addr	 underlay[NVA_UNDERLAY_MAX];
	unsigned	 nunderlay;
	uint64_t	 learned_us;	/* when it arrived */
	bool		 queried;	/* came from an Answer, VN not subscribed */
};

enum nvc_ev_type {
	NVC_EV_UP,		/* Welcome: registered (text: NVA name) */
	NVC_EV_DOWN,		/* connection lost / closed (text: why) */
	NVC_EV_SYNCED,		/* SyncDone for vn list (full or changes) */
	NVC_EV_UPDATE,		/* fib entry added/changed/withdrawn */
	NVC_EV_MOVED,		/* an address of ours now lives elsewhere */
	NVC_EV_REFUSED,		/* NVA refused a Report/Withdraw: code, text */
	NVC_EV_ANSWER,		/* query answered (fib NULL: unknown) */
	NVC_EV_AUDIT,		/* audit result (checked, bad) */
	NVC_EV_VERDICT,		/* authorisation verdict */
	NVC_EV_ERROR,		/* any other Error from the NVA */
};

struct nvc_ev {
	enum nvc_ev_type type;
	uint32_t	 vn;
	const uint8_t	*tsi;		/* REFUSED, VERDICT: the TSI asked about */
	const struct nvc_fib *fib;	/* UPDATE, ANSWER, MOVED (new place) */
	struct nva_addr	 addr;		/* ANSWER, MOVED */
	uint64_t	 token;		/* ANSWER, AUDIT, VERDICT: caller's */
	enum nva_code	 code;		/* REFUSED, ERROR, VERDICT */
	bool		 allow;		/* VERDICT */
	bool		 full;		/* SYNCED */
	unsigned	 checked, bad;	/* AUDIT */
	const Nva__AuditResult *audit;	/* AUDIT: the whole answer */
	const char	*text;		/* reason / NVA name / peer error */
	bool		 answered;	/* VERDICT: the NVA's Verdict came
					   (false: an Error answered the
					   Authorize, or none will come) */
};

struct nva_client_cbs {
	/* Queue one encoded frame on the connection; 0 or -errno. */
	int	(*send)(void *arg, const uint8_t *frame, size_t len);
	void	(*event)(void *arg, const struct nvc_ev *ev);
};

struct nvc_counters {
	uint64_t	 connects, sessions, hello_fail, ka_lost;
	uint64_t	 tx_msgs, rx_msgs, rx_bad;
	uint64_t	 reports, withdraws, refused;
	uint64_t	 updates, moved, queries, answers, query_timeouts;
	uint64_t	 resyncs_full, resyncs_delta;
	/* Report/Withdraw answered CONFLICT: sent again / given up */
	uint64_t	 conflict_retries, conflict_giveups;
};

struct nva_client;

int	nva_client_new(struct nva_client **out, const struct nva_client_conf *c,
	    const struct nva_client_cbs *cbs, void *arg);
void	nva_client_free(struct nva_client *cl);

/* Transport events. */
void	nva_client_connected(struct nva_client *cl, uint64_t now);
void	nva_client_disconnected(struct nva_client *cl, uint64_t now,
	    const char *why);
/* A decoded message from the NVA (still the caller's to free).  Returns
 * NVC_ACT_* for the caller to do (e.g. close after a fatal Error). */
int	nva_client_input(struct nva_client *cl, const Nva__Envelope *e,
	    uint64_t now);
/* Timers; returns NVC_ACT_*.  nva_client_next() is the next deadline
 * (UINT64_MAX: none). */
int	nva_client_tick(struct nva_client *cl, uint64_t now);
uint64_t nva_client_next(const struct nva_client *cl);

/*
 * The TSI (vn, tsi) is now in state st (ASSOCIATED or ACTIVATED) with
 * these addresses; migration marks a planned move.  Replaces what was
 * said before for that TSI.  0, -EINVAL (bad vn/state/addr, too many),
 * -ENOMEM.
 */
int	nva_client_tsi_set(struct nva_client *cl, uint32_t vn,
	    const uint8_t tsi[NVA_TSI_LEN], enum nva_state st,
	    const struct nva_addr *addrs, size_t n, bool migration);
/* The TSI is gone: its addresses are withdrawn.  0 or -ENOENT. */
int	nva_client_tsi_del(struct nva_client *cl, uint32_t vn,
	    const uint8_t tsi[NVA_TSI_LEN]);

/* The local copy: an entry (any state) or NULL. */
const struct nvc_fib *nva_client_lookup(const struct nva_client *cl,
	    uint32_t vn, const struct nva_addr *a);
/* Asks the NVA (answer: NVC_EV_ANSWER with token).  0, -ENOTCONN. */
int	nva_client_query(struct nva_client *cl, uint32_t vn,
	    const struct nva_addr *a, uint64_t token, uint64_t now);
/* Uploads ARP/ND entries (addr = IP, mac set) for audit; 0, -ENOTCONN,
 * -EINVAL. */
int	nva_client_audit(struct nva_client *cl, uint32_t vn,
	    const struct nva_addr *ips, const uint8_t (*macs)[6], size_t n,
	    uint64_t token);
/* Reports a subnet attached / detached (RFC 8171); kept and re-sent
 * after a reconnect while attached.  0, -EINVAL, -ENOMEM. */
int	nva_client_subnet(struct nva_client *cl, uint32_t vn,
	    const struct nva_addr *prefix, unsigned plen, bool attach);
/* Asks whether a TSI may attach (NVC_EV_VERDICT with token).  0 or
 * -ENOTCONN. */
int	nva_client_authorize(struct nva_client *cl, uint32_t vn,
	    const uint8_t tsi[NVA_TSI_LEN], const struct nva_addr *addrs,
	    size_t n, uint64_t token, uint64_t now);

/* Views. */
enum nvc_state nva_client_state(const struct nva_client *cl);
const struct nvc_counters *nva_client_counters(const struct nva_client *cl);
uint64_t nva_client_rev(const struct nva_client *cl);
uint64_t nva_client_epoch(const struct nva_client *cl);
size_t	nva_client_fib_count(const struct nva_client *cl);
/* Walks the local copy (any order); cb returns non-zero to stop. */
void	nva_client_fib_walk(const struct nva_client *cl,
	    int (*cb)(void *arg, const struct nvc_fib *f), void *arg);
/* Walks subscribed VNs with their TSI counts and sync state. */
void	nva_client_vn_walk(const struct nva_client *cl,
	    int (*cb)(void *arg, uint32_t vn, unsigned tsis, bool synced),
	    void *arg);

#endif /* SPLITNVE_NVA_NVA_CLIENT_H */
