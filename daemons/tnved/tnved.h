/*
 * tnved.h - types shared by the files of tnved, the hypervisor's
 * control-plane daemon (RFC 8394 terminal side: the VDP station), and
 * their entry points.
 *
 * One thread, one libuv loop (lib/loop).  Files and what they own:
 *   tnved.c     main: options, start-up, reload (SIGHUP), shutdown, the
 *               timer heap dispatch
 *   parse.c     tnved.conf -> struct tnved_conf (file:line errors)
 *   printconf.c struct tnved_conf -> canonical text (-nv)
 *   nve.c       one uplink per External NVE: AF_PACKET sockets, the
 *               LLDP/EVB agent (station role), the ECP session with the
 *               NVE's bridge, HMAC sign/verify, ULPDU packing, the NVE's
 *               health (up / down)
 *   vm.c        the VM registry (RFC 7666 states, lib/nvo3/vm.h), the
 *               TSIs of each VM, operations and their outcome (commit or
 *               roll back), the address index, the tables of "show"
 *   bind.c      the bindings: one VDP station machine (lib/vdp) per TSI
 *               per NVE, the requests built for it, the NVE's answers,
 *               NVE up/down and failover to a standby NVE
 *   store.c     the state directory: one JSON file per VM, written on
 *               every change, read back at start-up
 *   control.c   the control socket (lib/ctl) nvectl talks to
 *
 * parse.c, printconf.c and store.c form the library sn_tnved (no loop,
 * no sockets) so unit tests can link them.
 */
#ifndef TNVED_H
#define TNVED_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ecp/ecp.h"
#include "ext/ext.h"
#include "lldp/lldp.h"
#include "loop/loop.h"
#include "net/rawsock.h"
#include "nvo3/vm.h"
#include "util/hash.h"
#include "util/theap.h"
#include "vdp/vdp.h"
#include "vdp/vdp_sm.h"

#define TNVED_CONF_DEFAULT	"/etc/splitnve/tnved.conf"
#define TNVED_SOCK_DEFAULT	"/run/splitnve/tnved.sock"
#define TNVED_STATE_DEFAULT	"/var/lib/splitnve/tnved"
#define TNVED_NAME_MAX		64	/* VM names (libvirt's are longer in
					   theory; 63 is plenty in practice) */
#define TNVED_NVE_NAME_MAX	32
#define TNVED_MAX_NVES		8	/* External NVEs one hypervisor uses */
#define TNVED_VN_NVES		4	/* NVEs one VN may list */
#define TNVED_MAX_TSI		8	/* TSIs (vNICs) per VM */
#define TNVED_MAX_MAC		4	/* MACs per TSI (Req-10 IP-MAC pairs) */
#define TNVED_MAX_IP		12	/* IP addresses per TSI; with the MACs
					   within VDP_SM_MAX_FILTERS */
#define TNVED_MAX_VMS_DEFAULT	100000u
#define TNVED_OP_TIMEOUT_DEFAULT 30000u	/* ms a command waits at most */
#define TNVED_RWD_DEFAULT	8	/* proposed RWD/RKA exponents */
#define TNVED_RKA_DEFAULT	8
#define TNVED_NVE_SETTLE_US	500000u	/* EVB agreed -> first request */

/* ====================================================================== */
/* Configuration (parse.c, printconf.c)                                   */
/* ====================================================================== */

/* key ID "HEX" : an HMAC secret (32..64 octets). */
struct tnved_key_conf {
	uint16_t	id;
	uint8_t		secret[NVO3_KEY_MAX];
	uint8_t		len;
	int		line;
};

/*
 * nve NAME { interface IF; peer MAC; key ID; extensions LIST }
 * One External NVE, reached through the uplink interface IF.  Several
 * nve blocks may name the same interface when the NVEs sit behind a
 * bridge: they are then told apart by "peer MAC" (required then), and
 * ECP goes unicast to that MAC (the ECP destination extension).
 */
struct tnved_nve_conf {
	char		name[TNVED_NVE_NAME_MAX];
	char		ifname[IF_NAMESIZE];
	bool		peer_set;
	uint8_t		peer[6];	/* the NVE bridge's MAC */
	int		key_id;		/* -1: no authentication asked */
	bool		caps_set;	/* "extensions" given here */
	uint32_t	caps;		/* else the global value */
	int		line;
};

enum tnved_vn_mode {
	TNVED_VN_SINGLE,		/* one NVE */
	TNVED_VN_ACTIVE_STANDBY,	/* first that is up; move on failure */
	TNVED_VN_ACTIVE_ACTIVE,		/* every NVE listed, all at once */
};
extern const char *const tnved_vn_mode_names[3];

/*
 * vn VN { nve NAME [NAME...]; mode single|active-standby|active-active }
 * A VN without a block uses the first nve block, single.
 */
struct tnved_vn_conf {
	uint32_t	vn;
	char		nves[TNVED_VN_NVES][TNVED_NVE_NAME_MAX];
	unsigned	nnves;		/* in preference order */
	enum tnved_vn_mode mode;
	int		line;
};

struct tnved_conf {
	char		path[256];
	char		control[108];	/* control socket path */
	char		state_dir[256];	/* one JSON file per VM */
	bool		state_sync;	/* fsync each state file (default) */
	int		log_level;	/* enum log_level, -1 = not set */
	uint8_t		r, rte;		/* EVB values we propose (station) */
	uint8_t		rwd, rka;	/* the same; the larger of ours and
					   the bridge's is used, so these low
					   defaults leave it to the bridge */
	uint32_t	caps;		/* NVO3 extensions offered (all) */
	uint8_t		mgrid[VDP_MGRID_LEN];	/* "manager-id": IPv4/IPv6
					   address or 32 hex digits */
	uint32_t	type_id;	/* VSI type id (default 1) */
	uint8_t		type_ver;	/* VSI type version (default 1) */
	uint32_t	max_vms;
	uint32_t	op_timeout_ms;	/* a command gives up after this */

	struct tnved_key_conf	*keys;	unsigned nkeys;
	struct tnved_nve_conf	*nves;	unsigned nnves;
	struct tnved_vn_conf	*vns;	unsigned nvns;
};

/* Defaults: control TNVED_SOCK_DEFAULT, state TNVED_STATE_DEFAULT with
 * sync, EVB r 3 rte 8, caps all, manager id :: (zero), type 1/1, limits
 * above, log level unset. */
void	tnved_conf_init(struct tnved_conf *c);
void	tnved_conf_free(struct tnved_conf *c);
/*
 * Parses path into *c (tnved_conf_init'ed by the call).  Every error is
 * logged as "PATH:LINE: message" (log_warn); parsing goes on to report
 * them all.  Returns 0, the (positive) number of errors, or -errno when
 * the file cannot be read.  On a non-zero return *c is freed.
 * Whole-file checks: at least one nve; names unique; a vn names known
 * nves only, single mode exactly one; two nve blocks on one interface
 * both have a distinct peer; keys referred to exist.
 */
int	tnved_conf_parse(const char *path, struct tnved_conf *c);
int	tnved_conf_parse_string(const char *text, const char *name,
	    struct tnved_conf *c);
void	tnved_conf_print(FILE *f, const struct tnved_conf *c);

/* Look-ups; NULL when absent.  conf_vn returns NULL for a VN without a
 * block (the caller then uses the first nve, single). */
const struct tnved_nve_conf *tnved_conf_nve(const struct tnved_conf *c,
	    const char *name);
const struct tnved_vn_conf *tnved_conf_vn(const struct tnved_conf *c,
	    uint32_t vn);
const struct tnved_key_conf *tnved_conf_key(const struct tnved_conf *c,
	    uint16_t id);

/* ====================================================================== */
/* The VM registry's data (vm.c; store.c reads and writes it)             */
/* ====================================================================== */

struct tnved;
struct tnved_nve;
struct tnved_vm;

/* Timer kinds (struct sn_timer .kind). */
enum { TNVED_T_BIND = 1, TNVED_T_NVE_LLDP, TNVED_T_NVE_ECP, TNVED_T_OP };

/* A TSI's definition: what the VM's vNIC is (persisted). */
struct tnved_tsi_def {
	char		port[IF_NAMESIZE];	/* the vNIC on this host */
	uint8_t		nmac;		/* 1..TNVED_MAX_MAC; mac[0] primary */
	uint8_t		mac[TNVED_MAX_MAC][6];
	uint32_t	vn;
	uint8_t		vsiid[16];	/* VSI ID (format 5, UUID) */
	uint32_t	type_id;	/* 0: the config's */
	uint8_t		type_ver;
	uint8_t		nip;
	struct nvo3_ipaddr ip[TNVED_MAX_IP];	/* afi + address */
};

enum tnved_bind_status {
	TNVED_B_IDLE,		/* nothing asked of this NVE */
	TNVED_B_WAIT_NVE,	/* request waits for the NVE to come up */
	TNVED_B_PENDING,	/* request in flight */
	TNVED_B_OK,		/* confirmed as asked */
	TNVED_B_FAILED,		/* refused / timed out (code, reason kept) */
	TNVED_B_DOWN,		/* NVE de-associated it, or the NVE died */
};
extern const char *const tnved_bind_status_names[6];

/*
 * One TSI at one NVE: the VDP station machine (lib/vdp) for it.  A TSI
 * has one binding per NVE its VN uses at the moment (one; two with
 * active-active).  Found from a received TLV through d->binds (key: NVE
 * index, VSI ID).
 */
struct tnved_bind {
	struct hnode	node;		/* in d->binds */
	struct tnved_tsi *tsi;
	struct tnved_nve *nve;
	struct tnved_bind *nve_next;	/* in nve->binds list */
	struct tnved_bind **nve_pprev;
	struct vdp_sta	sta;
	struct sn_timer	timer;		/* the machine's deadline */
	enum tnved_bind_status status;
	uint8_t		want_mode;	/* VDP_TLV_* asked last, 0 none */
	uint8_t		want_hints;
	uint8_t		want_reason;
	uint8_t		code;		/* last refusal's VDP code */
	uint8_t		why;		/* enum vdp_sta_reason of the last
					   failure */
	uint16_t	vid;		/* the NVE's local tag, 0 unknown */
	uint64_t	since;		/* last status change */
	uint32_t	keepalives;
	bool		in_op;		/* counted in vm->op->waiting */
	bool		op_ok;		/* confirmed within the current op */
	bool		queued;		/* asked while a keep-alive was in
					   flight: sent when it ends */
	bool		failover;	/* moved here from a dead NVE */
	bool		ip_warned;	/* logged: NVE takes no IP list */
	bool		dead;		/* unlinked; freed after this turn */
};

struct tnved_tsi {
	struct tnved_vm	*vm;
	unsigned	idx;		/* in vm->tsi[] */
	struct tnved_tsi_def def;
	struct tnved_bind *bind[TNVED_VN_NVES];	/* NULL where unused */
	uint16_t	vid;		/* tag in use (first binding's) */
	bool		down;		/* the NVE de-associated it */
	uint64_t	addr_updates;
};

/* An operation in progress on one VM (at most one at a time). */
struct tnved_op {
	struct tnved_vm	*vm;
	enum nvo3_vm_op	op;
	struct nvo3_vm_plan plan;
	struct nvo3_vm_view from;	/* the view before the op */
	unsigned	waiting;	/* bindings not answered yet */
	unsigned	failed;		/* bindings that failed */
	bool		undoing;	/* running plan.undo_* after a failure */
	bool		starting;	/* requests being issued: an outcome
					   that comes at once does not end
					   the phase yet */
	char		err[256];	/* first failure, for the reply */
	struct ctl_req	*req;		/* the client to answer, or NULL */
	void		(*done)(struct tnved_vm *vm, int rc, const char *err,
			    void *arg);	/* internal callers (failover) */
	void		*done_arg;
	uint64_t	started;
	struct sn_timer	timer;		/* op timeout */
	/* an address change (Req-10) instead of a lifecycle op */
	bool		addr_change;
	struct tnved_tsi_def old_def;	/* to restore on refusal */
	unsigned	addr_tsi;
};

struct tnved_vm {
	struct hnode	node;		/* in d->vms, hash of name */
	struct tnved	*d;
	char		name[TNVED_NAME_MAX];
	uint8_t		uuid[16];	/* libvirt's domain UUID, or 0 */
	struct nvo3_vm_view view;
	unsigned	ntsi;
	struct tnved_tsi tsi[TNVED_MAX_TSI];
	struct tnved_op	*op;		/* NULL when idle */
	uint64_t	since;		/* last state change (mono µs) */
	uint64_t	wall_since;	/* the same, wall clock (persisted) */
	char		from_host[TNVED_NAME_MAX];	/* migration peer */
	struct tnved_vm	*dead_next;	/* removed, freed after this turn */
};

struct tnved_counters {
	uint64_t	ops_ok, ops_failed, ops_refused;	/* refused:
					   invalid transition, bad args */
	uint64_t	ops_timeout;
	uint64_t	tsi_nve_deassoc;	/* de-associated by the NVE */
	uint64_t	failovers;		/* TSIs moved to a standby */
	uint64_t	addr_updates;
	uint64_t	store_writes, store_errors;
};

/* ====================================================================== */
/* An External NVE (nve.c)                                                */
/* ====================================================================== */

enum tnved_nve_health {
	TNVED_NVE_WAITING,	/* no EVB TLV from the bridge yet */
	TNVED_NVE_UP,
	TNVED_NVE_DOWN,		/* ECP retries exhausted, keep-alive lost
				   or LLDP aged out; up again on LLDP */
};
extern const char *const tnved_nve_health_names[3];

struct tnved_nve_counters {
	uint64_t	rx_frames, rx_bad;	/* ECP frames; undecodable */
	uint64_t	rx_pdus, rx_bad_pdus;	/* ULPDUs delivered / bad */
	uint64_t	rx_tlvs, rx_unknown_vsi; /* VSI TLVs; for no binding */
	uint64_t	tx_frames, tx_errors, tx_giveups; /* ECP gave up */
	uint64_t	lldp_rx, lldp_tx, lldp_bad;
	uint64_t	auth_ok, auth_fail, auth_replay, auth_signed;
	uint64_t	downs;			/* times it went down */
};

struct tnved_nve {
	struct tnved	*d;
	unsigned	index;		/* position in d->nves */
	const struct tnved_nve_conf *conf;	/* into d->conf */
	char		name[TNVED_NVE_NAME_MAX];
	char		ifname[IF_NAMESIZE];
	uint8_t		local_mac[6];	/* the uplink's MAC */
	struct rawsock	lldp_sock, ecp_sock;
	uv_poll_t	lldp_poll, ecp_poll;
	bool		open;
	bool		shares_if;	/* another nve uses this interface:
					   take only frames from conf->peer */
	struct lldp_agent agent;
	struct sn_timer	lldp_timer, ecp_timer;
	struct ecp_session ecp;
	uint16_t	ecp_seq;
	struct nvo3_replay replay;	/* the NVE's auth counters accepted */
	uint32_t	caps;		/* NVO3 extensions agreed */
	uint8_t		peer_mac[6];	/* the bridge's MAC once heard */
	bool		peer_known;
	enum tnved_nve_health health;
	uint64_t	health_since;
	uint64_t	settle_at;	/* EVB agreed: up at this time (the
					   bridge starts ECP once it has our
					   EVB TLV too), 0 = none pending */
	char		down_why[64];
	uint64_t	last_rx;	/* last ECP/LLDP frame from the NVE */
	struct tnved_bind *binds;	/* every binding at this NVE */
	uint32_t	nbinds;
	struct tnved_nve_counters ctr;
	/* packing: VSI TLVs of one loop turn, flushed as few ULPDUs */
	bool		pend_listed;
	struct tnved_nve *pend_next;
	uint8_t		pend_mgrid[VDP_MGRID_LEN];
	uint16_t	pend_len, pend_ntlv;
	uint8_t		pend[VDP_MAX_ULPDU];
};

/* ====================================================================== */
/* The daemon                                                             */
/* ====================================================================== */

struct ctl_server;

struct tnved {
	struct sn_loop	 loop;
	struct tnved_conf conf;
	const char	*conf_path;
	const char	*state_dir;	/* -S, else conf.state_dir */
	struct nvo3_keytab *keys;
	struct nvo3_counter auth_ctr;

	struct tnved_nve *nves;		/* conf.nnves of them */
	unsigned	 nnves;

	struct hmap	 vms;		/* struct tnved_vm by name */
	struct hmap	 binds;		/* struct tnved_bind by NVE+VSI ID */
	struct hmap	 addrs;		/* struct tnved_addr_ref */
	uint32_t	 nvms;
	struct tnved_vm	*dead;		/* VMs removed during this turn */
	uint32_t	 ka_lost;	/* bit per NVE index: keep-alive lost,
					   taken down after this loop turn */
	/* the last failover (active-standby), for logs and "nve show" */
	struct {
		uint64_t	start;		/* the NVE went down, µs */
		uint32_t	pending;	/* moved TSIs not confirmed yet */
		uint32_t	moved;
		uint64_t	took_us;	/* down -> all confirmed */
		char		from[TNVED_NVE_NAME_MAX], to[TNVED_NVE_NAME_MAX];
	}		 fo;

	struct sn_theap	 timers;
	struct sn_deadline deadline;

	struct ctl_server *ctl;
	struct tnved_nve *pend_list;	/* NVEs with packed output */
	uv_check_t	 flush;
	struct tnved_counters ctr;
	uint64_t	 started;	/* mono µs */
	bool		 stopping;
};

/* ---- tnved.c ------------------------------------------------------------ */

/* (Re)schedules t (TIME_NEVER cancels); logs on ENOMEM. */
void	tnved_timer_set(struct tnved *d, struct sn_timer *t, uint64_t at);
/* Re-reads the config (SIGHUP, "reload"): 0 or -EINVAL (nothing changed).
 * NVE blocks cannot be added or removed by a reload (-EINVAL, logged). */
int	tnved_reload(struct tnved *d);

/* ---- nve.c -------------------------------------------------------------- */

/* Opens every NVE's uplink and starts LLDP: 0 or -errno (logged). */
int	nve_open_all(struct tnved *d);
void	nve_close_all(struct tnved *d);
void	nve_lldp_timer(struct tnved_nve *n, uint64_t now);
void	nve_ecp_timer(struct tnved_nve *n, uint64_t now);
struct tnved_nve *nve_find(struct tnved *d, const char *name);
/* The VDP timer values the EVB negotiation with this NVE produced, with
 * deactivate_ok from the agreed extensions. */
struct vdp_params nve_vdp_params(const struct tnved_nve *n);
/* Up: EVB TLV heard, not declared down since. */
bool	nve_usable(const struct tnved_nve *n);
/*
 * Queues one VSI TLV request for this NVE, followed by the Org TLVs the
 * NVE agreed to: the migration reason (mig, when not NULL and
 * NVO3_CAP_MIGRATION agreed) and the IP address list (ip, when not NULL
 * and NVO3_CAP_IPADDR_TLV agreed).  Packed with the other TLVs of this
 * loop turn when NVO3_CAP_MULTI_TLV is agreed; signed when a key is set.
 * 0 or -errno (logged, counted; the caller treats it as a transmit
 * error of that binding).
 */
int	nve_send_tlv(struct tnved_nve *n, const uint8_t *mgrid,
	    const struct vdp_vsi_tlv *tlv, const struct nvo3_migration *mig,
	    const struct nvo3_ipaddr_tlv *ip);
/* Sends every packed ULPDU now (also done after each loop turn). */
void	nve_flush_all(struct tnved *d);
/*
 * Declares n down (why: "ECP retries exhausted", "keep-alive lost", ...):
 * logged once, counted, health DOWN, then vm_nve_down().  A no-op when
 * already down.
 */
void	nve_set_down(struct tnved_nve *n, const char *why, uint64_t now);

/* ---- vm.c --------------------------------------------------------------- */

/* Called by nve.c: */
/* One VSI TLV from the NVE (a response, or a De-Assoc it started). */
void	vm_nve_tlv(struct tnved_nve *n, const struct vdp_pdu *pdu,
	    unsigned tlv_idx, uint64_t now);
/* ECP gave up on a ULPDU to n (retries exhausted). */
void	vm_nve_tx_error(struct tnved_nve *n, uint64_t now);
/* n became usable (EVB heard): requests waiting for it go out. */
void	vm_nve_up(struct tnved_nve *n, uint64_t now);
/* n went down: every binding there fails over or is marked down. */
void	vm_nve_down(struct tnved_nve *n, uint64_t now);

/* Called by tnved.c: */
/* After every loop turn: NVEs whose keep-alive was lost go down. */
void	vm_turn(struct tnved *d, uint64_t now);
void	vm_bind_timer(struct tnved_bind *b, uint64_t now);
void	vm_op_timer(struct tnved_vm *vm, uint64_t now);
/* Loads the state directory and re-announces every VM (start-up). */
int	vm_restore(struct tnved *d, uint64_t now);
/* Frees everything (shutdown; nothing is sent). */
void	vm_free_all(struct tnved *d);

/* Called by control.c: */
struct tnved_vm *vm_find(struct tnved *d, const char *name);
/*
 * A lifecycle operation.  For define, incoming and cold-in, spec is the
 * VM's definition ({"name", "uuid"?, "tsis": [{"port", "mac", "vn",
 * "vsiid"?, "ips"?: [..], "type-id"?, "type-version"?}]}); otherwise it
 * names the VM only.  The reply goes to req (now or when the NVEs have
 * answered): {"vm": NAME, "state": ..., "tsis": [...]} or an error.
 */
void	vm_op_request(struct tnved *d, enum nvo3_vm_op op, const json_t *spec,
	    struct ctl_req *req, uint64_t now);
/* Req-10: add (add=true) or remove one address ("ip" text or MAC) of
 * TSI tsi_idx of a VM, or an IP-MAC pair.  Same reply rules. */
void	vm_addr_request(struct tnved *d, const char *vm, unsigned tsi_idx,
	    const char *addr, bool add, struct ctl_req *req, uint64_t now);
/* Rows for "show": vms, tsis (one per binding), nves, counters. */
json_t	*vm_table_vms(struct tnved *d, uint64_t now);
json_t	*vm_table_tsis(struct tnved *d, uint64_t now);
json_t	*vm_tsi_row(const struct tnved_tsi *t, const struct tnved_bind *b,
	    uint64_t now);

/* ---- bind.c ------------------------------------------------------------ */

/*
 * The NVEs TSI t uses now, by slot (index in its VN's nve list; slot 0
 * only for single and active-standby, whose one slot holds the active
 * NVE).  Returns how many slots are used (1..TNVED_VN_NVES); out[slot]
 * is NULL for an unused slot.
 */
unsigned bind_targets(struct tnved_tsi *t, struct tnved_nve *out[]);
/* The binding of t in slot at n, created (IDLE) when missing; NULL on
 * ENOMEM.  An existing binding at another NVE in that slot is freed. */
struct tnved_bind *bind_get(struct tnved_tsi *t, unsigned slot,
	    struct tnved_nve *n, uint64_t now);
/* Unlinks and frees b (hash, NVE list, timer, tsi slot). */
void	bind_free(struct tnved_bind *b);
/* Unlinks b but keeps its memory (its VM is being removed while one of
 * its callbacks may still run): b->dead, freed by bind_free later. */
void	bind_unlink(struct tnved_bind *b);
/*
 * Asks b's NVE for mode (VDP_TLV_*) with hints and reason.  The outcome
 * comes later through vm_bind_outcome() when b->in_op, or at once for a
 * De-Assoc of nothing.  Waits (WAIT_NVE) while the NVE is not usable.
 */
void	bind_request(struct tnved_bind *b, uint8_t mode, uint8_t hints,
	    uint8_t reason, uint64_t now);
/* The confirmed VDP mode of b (0 none). */
uint8_t	bind_mode(const struct tnved_bind *b);

/* vm.c: an in-op binding finished its request (ok, or why it failed). */
void	vm_bind_outcome(struct tnved_bind *b, bool ok, const char *why,
	    uint64_t now);

/* ---- store.c (pure file I/O, no loop) ----------------------------------- */

/*
 * The persisted form of a VM: name, uuid, view (state, dir, hold,
 * arrived), TSI definitions, the tag and NVE of each binding, wall-clock
 * time of the last change.  store_vm_json/store_vm_parse are inverse.
 */
struct tnved_vm_rec {
	char		name[TNVED_NAME_MAX];
	uint8_t		uuid[16];
	struct nvo3_vm_view view;
	unsigned	ntsi;
	struct tnved_tsi_def tsi[TNVED_MAX_TSI];
	struct {
		char		nve[TNVED_NVE_NAME_MAX];	/* "" unused */
		uint16_t	vid;
	}		bind[TNVED_MAX_TSI][TNVED_VN_NVES];
	uint64_t	wall_since;	/* µs since the epoch */
	char		from_host[TNVED_NAME_MAX];
};

json_t	*store_vm_json(const struct tnved_vm_rec *r);
/* 0, or -EINVAL with a reason in err. */
int	store_vm_parse(const json_t *j, struct tnved_vm_rec *r, char *err,
	    size_t errsz);
/*
 * Writes dir/NAME.json atomically (temporary file, fsync when sync,
 * rename; the folder is created 0700 when missing).  0 or -errno.
 */
int	store_save(const char *dir, const struct tnved_vm_rec *r, bool sync);
/* Removes dir/NAME.json; 0 (also when absent) or -errno. */
int	store_remove(const char *dir, const char *name);
/*
 * Calls fn for every NAME.json of dir (in name order).  A file that does
 * not parse is logged ("PATH: reason"), renamed NAME.json.bad and
 * skipped.  Returns the number of VMs loaded, or -errno when the folder
 * cannot be read (a missing folder is 0).
 */
int	store_load(const char *dir,
	    int (*fn)(const struct tnved_vm_rec *r, void *arg), void *arg);
/* Is name usable as a VM name (and file name)?  1..63 of [A-Za-z0-9._-],
 * not starting with '.'. */
bool	store_name_ok(const char *name);

/* ---- control.c ---------------------------------------------------------- */

/*
 * The control socket (lib/ctl), requests:
 *   show TABLE (vms | tsis | nves | counters)
 *   vm-define / vm-incoming / vm-cold-in   {"vm": SPEC}
 *   vm-start / vm-pause / vm-suspend / vm-resume / vm-shutdown /
 *   vm-destroy / vm-migrate / vm-migrate-done / vm-migrate-abort /
 *   vm-cold-out                             {"name": NAME}
 *   tsi-addr-add / tsi-addr-del  {"name": NAME, "tsi": N, "addr": TEXT}
 *   reload
 */
int	ctl_open(struct tnved *d);	/* 0 or -errno, logged */
void	ctl_close(struct tnved *d);

#endif /* TNVED_H */
