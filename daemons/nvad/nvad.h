/*
 * nvad.h - types shared by the files of nvad, the Network Virtualization
 * Authority: the directory of (VN, address) -> NVE with mobility
 * sequence numbers, served to NVEs over the NVA protocol (lib/nva).
 *
 * One thread, one libuv loop (lib/loop).  Files and what they own:
 *   nvad.c      main: options, start-up, reload (SIGHUP), shutdown
 *   parse.c     nvad.conf -> struct nvad_conf (file:line errors)
 *   printconf.c struct nvad_conf -> canonical text (-nv)
 *   dir.c       the directory: entries, NVEs, VNs, subnets, alerts; the
 *               rules of reports, withdrawals, moves, duplicate
 *               detection, co-attachment and audit.  Pure: no I/O, no
 *               clock (callers pass now in seconds), no logging.
 *   store_mem.c the in-memory store (unit tests, "store memory")
 *   store_lmdb.c the LMDB store (the default)
 *   session.c   TLS listener and NVE sessions: framing, dispatch to
 *               dir, group commit to the store, then acknowledgements
 *               and pushes to subscribers
 *   control.c   the control socket (lib/ctl) nvectl talks to
 *   metrics.c   Prometheus text metrics over HTTP (libmicrohttpd)
 *
 * parse.c, printconf.c, dir.c and the stores form the library sn_nvad
 * (no loop, no sockets) so unit tests can link them.
 */
#ifndef NVAD_H
#define NVAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nva/nva.h"
#include "util/hash.h"

#define NVAD_DEFAULT_CONF	"/etc/splitnve/nvad.conf"
#define NVAD_DEFAULT_CONTROL	"/run/splitnve/nvad.sock"
#define NVAD_DEFAULT_DB		"/var/lib/splitnve/nvad"
#define NVAD_DEFAULT_PORT	4790
#define NVAD_NONE		UINT32_MAX	/* no NVE index */

/* ---- configuration (parse.c, printconf.c) ---------------------------- */

enum nvad_store_kind { NVAD_STORE_LMDB, NVAD_STORE_MEMORY, NVAD_STORE_ETCD };

struct nvad_tenant {
	char		 name[NVA_NAME_MAX + 1];
	uint32_t	*vns;		/* sorted, unique */
	unsigned	 nvns;
	int		 line;
};

/* "coattach deny A B": tenants A and B may not share an NVE. */
struct nvad_deny {
	unsigned	 a, b;		/* indices into tenants */
	int		 line;
};

/* An "nve NAME { vn ...; }" block: what that NVE may attach. */
struct nvad_nve_conf {
	char		 name[NVA_NAME_MAX + 1];
	uint32_t	*vns;		/* sorted, unique; NULL/0: any VN */
	unsigned	 nvns;
	int		 line;
};

struct nvad_listen {
	char		 addr[64];	/* numeric IPv4/IPv6 */
	uint16_t	 port;
};

struct nvad_conf {
	char		 name[NVA_NAME_MAX + 1];	/* "nva-name"; default hostname */
	struct nvad_listen *listen;	/* "listen ADDR [port N]"; 1..8 */
	unsigned	 nlisten;
	char		 cert[256], key[256], ca[256];	/* "tls { cert; key; ca }" */
	char		 control[108];
	char		 metrics_addr[64];	/* "metrics ADDR port N"; "" off */
	uint16_t	 metrics_port;
	enum nvad_store_kind store;
	char		 db[256];		/* "store lmdb { path; map-size; sync }" */
	uint64_t	 map_size;		/* octets, default 4 GiB */
	bool		 sync;			/* fsync each commit (default yes) */
	char		**etcd;			/* "store etcd { endpoint URL... ; prefix }" */
	unsigned	 netcd;
	char		 etcd_prefix[128];
	uint32_t	 etcd_timeout_ms;	/* "timeout MS" per request, 2000 */
	unsigned	 etcd_txn_ops;		/* "max-txn-ops N": keys per
						 * transaction, 128 (etcd's
						 * own default limit) */
	uint32_t	 keepalive_ms;		/* default 3000 */
	unsigned	 dup_moves;		/* "duplicate-detection moves N window S" 5 */
	unsigned	 dup_window_s;		/* 180 */
	uint64_t	 max_entries;		/* default 16M */
	unsigned	 max_sessions;		/* default 4096 */
	uint64_t	 session_wq_max;	/* octets queued per session before it
						 * is cut off as too slow; 64 MiB */
	bool		 listed_only;		/* "nve-policy listed": only NVEs
						 * with an nve block register */
	struct nvad_nve_conf *nves;
	unsigned	 nnves;
	struct nvad_tenant *tenants;
	unsigned	 ntenants;
	struct nvad_deny *denies;
	unsigned	 ndenies;
	int		 log_level;		/* -1: leave as is */
};

/* Defaults, then the file; returns the error count (0: good) and logs
 * each error as FILE:LINE: text.  text may be NULL (defaults only). */
int	nvad_conf_parse(struct nvad_conf *c, const char *file, const char *text,
	    size_t len);
int	nvad_conf_load(struct nvad_conf *c, const char *path);
void	nvad_conf_free(struct nvad_conf *c);
/* Canonical text of c (parse(print(c)) == c). */
void	nvad_conf_print(const struct nvad_conf *c, FILE *f);
/* Tenant index of vn, or -1. */
int	nvad_conf_tenant_of(const struct nvad_conf *c, uint32_t vn);
/* The nve block of name, or NULL. */
const struct nvad_nve_conf *nvad_conf_nve(const struct nvad_conf *c,
	    const char *name);

/* ---- the directory (dir.c) ------------------------------------------- */

/* Entry flags. */
#define DIR_F_FROZEN	0x01
#define DIR_F_HAS_MAC	0x02

/*
 * One (VN, address).  Kept small: the directory is meant to hold
 * millions (docs/nvad.8: memory per mapping).  Never freed once made
 * (a withdrawn entry keeps its seq so the next owner's seq is higher).
 */
struct dir_ent {
	struct hnode	 node;		/* d->ents, hash of (vn, addr) */
	struct dir_ent	*vn_next;	/* the VN's entries */
	uint64_t	 rev;		/* last change */
	uint32_t	 vn;
	uint32_t	 seq;		/* moves; only grows */
	uint32_t	 nve;		/* owner (NVE index) or NVAD_NONE */
	uint32_t	 prev;		/* owner before the last move */
	uint32_t	 pending;	/* NVE that associated while another
					 * held it (mapping table only) */
	uint32_t	 move_t0;	/* dup detection window start (s) */
	uint8_t		 nmoves;	/* moves counted in that window */
	uint8_t		 state;		/* enum nva_state */
	uint8_t		 flags;		/* DIR_F_* */
	uint8_t		 alen;		/* 4, 6, 16 */
	uint8_t		 addr[16];
	uint8_t		 mac[6];
};

/* A registered NVE (kept after it disconnects: mappings name it). */
struct dir_nve {
	char		 name[NVA_NAME_MAX + 1];
	uint32_t	 idx;
	struct nva_addr	 underlay[NVA_UNDERLAY_MAX];
	unsigned	 nunderlay;
	uint64_t	 owned;		/* non-withdrawn entries it owns */
	uint32_t	*tenant_refs;	/* per tenant: entries owned in its VNs */
	unsigned	 ntenant_refs;
	bool		 connected;	/* the session layer sets it */
	uint64_t	 reports, moves_in, moves_out, refused;
};

/* A VN the directory has entries in. */
struct dir_vn {
	struct hnode	 node;
	uint32_t	 vn;
	struct dir_ent	*ents;		/* newest first */
	uint64_t	 count, active;	/* entries, ACTIVATED entries */
	uint64_t	 rev;		/* newest change in this VN */
};

struct dir_subnet {
	struct hnode	 node;
	uint32_t	 vn;
	struct nva_addr	 prefix;
	uint8_t		 plen;
	uint32_t	*nves;		/* NVE indices attached */
	unsigned	 nnves;
};

enum dir_alert_kind { DIR_ALERT_DUPLICATE, DIR_ALERT_SPOOF, DIR_ALERT_AUDIT };

struct dir_alert {
	uint64_t	 id;
	enum dir_alert_kind kind;
	uint32_t	 vn;
	struct nva_addr	 addr;
	uint32_t	 nve;		/* the NVE that triggered it */
	uint64_t	 at_s;
	char		 text[160];
	bool		 cleared;
};

/* What one operation changed, for the session layer to persist, push
 * and tell (arrays owned by the caller; dir_out_reset() empties). */
struct dir_moved {
	struct dir_ent	*ent;
	uint32_t	 old_nve;
};
struct dir_out {
	struct dir_ent	**changed;	/* each once per operation */
	size_t		 nchanged, cchanged;
	struct dir_moved *moved;
	size_t		 nmoved, cmoved;
	struct dir_nve	**nves;		/* NVE records to persist */
	size_t		 nnves, cnves;
	struct dir_subnet **subnets;	/* subnet records to persist */
	size_t		 nsubnets, csubnets;
	const struct dir_alert **alerts; /* raised by this operation */
	size_t		 nalerts, calerts;
};
void	dir_out_init(struct dir_out *o);
void	dir_out_reset(struct dir_out *o);
void	dir_out_free(struct dir_out *o);

struct dir_counters {
	uint64_t	 reports, withdraws, queries, moves, migrations;
	uint64_t	 refused[NVA_CODE_COUNT];
	uint64_t	 stale_withdraws, frozen, audits, audit_bad;
	uint64_t	 subnet_reports;
};

struct dir;

/* conf is kept by reference (policy: tenants, denies, nve blocks,
 * limits, dup detection); dir_set_conf() swaps it on reload. */
int	dir_new(struct dir **out, const struct nvad_conf *conf);
void	dir_free(struct dir *d);
void	dir_set_conf(struct dir *d, const struct nvad_conf *conf);

uint64_t dir_rev(const struct dir *d);
uint64_t dir_epoch(const struct dir *d);
void	dir_set_epoch(struct dir *d, uint64_t epoch);
const struct dir_counters *dir_counters(const struct dir *d);
size_t	dir_count(const struct dir *d);		/* entries */
/* Octets the directory allocated (entries, buckets, NVEs, VNs). */
uint64_t dir_mem_octets(const struct dir *d);

/*
 * Registers (or finds) the NVE called name with these underlay
 * addresses.  NVA_OK, NVA_VN_REFUSED (listed_only and no nve block:
 * the NVE is not known), NVA_TOO_MANY.  The NVE goes to out->nves when
 * new or its underlay changed.
 */
enum nva_code dir_register(struct dir *d, const char *name,
	    const struct nva_addr *underlay, unsigned n, struct dir_nve **nve,
	    struct dir_out *out);
struct dir_nve *dir_nve_at(const struct dir *d, uint32_t idx);
struct dir_nve *dir_nve_find(const struct dir *d, const char *name);
uint32_t dir_nve_count(const struct dir *d);

/* Whether nve may attach vn (nve block, co-attachment): NVA_OK or the
 * refusal code, with a reason in why (may be NULL). */
enum nva_code dir_may_attach(const struct dir *d, const struct dir_nve *nve,
	    uint32_t vn, char *why, size_t whylen);

/*
 * The rules (docs/nvad.8 "DIRECTORY RULES"): all-or-nothing per call;
 * on refusal nothing changed and why says which address and rule.
 *   report    st ASSOCIATED or ACTIVATED for every address; a change of
 *             owner of an ACTIVATED address is a move: seq+1, moved
 *             notice for the old owner, counted for duplicate detection
 *             unless migration; more than dup_moves counted moves within
 *             dup_window_s freezes the address (alert, the move refused
 *             with NVA_FROZEN).  An ASSOCIATED report for an address
 *             another NVE holds activated only records it as pending.
 *   withdraw  by the owner: state WITHDRAWN (rev bump; a pending NVE
 *             takes it over as ASSOCIATED, seq+1); by the pending NVE:
 *             forgets the pending mark; by the previous owner or for an
 *             unknown address: no change (counted stale); by anyone else:
 *             NVA_NOT_OWNER.
 * now_s: seconds on a monotonic clock (duplicate detection windows).
 * Addresses with a MAC (IP entries) carry it in macs[i] (NULL: none).
 */
enum nva_code dir_report(struct dir *d, struct dir_nve *nve, uint32_t vn,
	    const struct nva_addr *addrs, const uint8_t (*macs)[6],
	    const bool *has_mac, size_t n, enum nva_state st, bool migration,
	    uint64_t now_s, struct dir_out *out, char *why, size_t whylen);
enum nva_code dir_withdraw(struct dir *d, struct dir_nve *nve, uint32_t vn,
	    const struct nva_addr *addrs, size_t n, struct dir_out *out,
	    char *why, size_t whylen);
/* The entry of (vn, a) or NULL (any state). */
struct dir_ent *dir_lookup(const struct dir *d, uint32_t vn,
	    const struct nva_addr *a);
/* Subnet attach/detach by nve. */
enum nva_code dir_subnet(struct dir *d, struct dir_nve *nve, uint32_t vn,
	    const struct nva_addr *prefix, unsigned plen, bool attach,
	    struct dir_out *out);
/*
 * Audit of an ARP/ND cache: for each (ip, mac) the reason it disagrees
 * ("unknown", "withdrawn", "mac-differs", "frozen") or NULL when it
 * agrees; bad[i] gets it.  Returns how many disagree.  Each disagreement
 * also raises a DIR_ALERT_AUDIT alert (to out->alerts).
 */
size_t	dir_audit(struct dir *d, struct dir_nve *nve, uint32_t vn,
	    const struct nva_addr *ips, const uint8_t (*macs)[6], size_t n,
	    const char **bad, uint64_t now_s, struct dir_out *out);
/* Operator: thaws a frozen address (resets its move count).  NVA_OK or
 * NVA_NOT_FOUND. */
enum nva_code dir_unfreeze(struct dir *d, uint32_t vn,
	    const struct nva_addr *a, struct dir_out *out);

/* VNs, entries of a VN (newest change first), subnets, alerts. */
struct dir_vn *dir_vn_find(const struct dir *d, uint32_t vn);
void	dir_vn_walk(const struct dir *d,
	    int (*cb)(void *arg, const struct dir_vn *v), void *arg);
void	dir_subnet_walk(const struct dir *d,
	    int (*cb)(void *arg, const struct dir_subnet *s), void *arg);
const struct dir_alert *dir_alerts(const struct dir *d, size_t *n);
/* Entries of vn changed after rev (resync), in no particular order. */
void	dir_since(const struct dir *d, uint32_t vn, uint64_t rev,
	    int (*cb)(void *arg, const struct dir_ent *e), void *arg);
/* Fills m (addresses point into e / the NVE: valid while they live). */
void	dir_ent_mapping(const struct dir *d, const struct dir_ent *e,
	    Nva__Mapping *m, ProtobufCBinaryData *under_buf);

/* ---- stores (store_mem.c, store_lmdb.c, store_etcd.c) ----------------- */

enum nvad_rec_kind { NVAD_REC_MAP = 1, NVAD_REC_NVE = 2, NVAD_REC_SUBNET = 3 };

/* What a store keeps: one record per entry, NVE and subnet. */
struct nvad_rec {
	enum nvad_rec_kind kind;
	uint32_t	 vn;		/* MAP, SUBNET */
	struct nva_addr	 addr;		/* MAP: address; SUBNET: prefix */
	uint8_t		 plen;		/* SUBNET */
	uint8_t		 state, flags;	/* MAP */
	uint8_t		 mac[6];	/* MAP with DIR_F_HAS_MAC */
	uint32_t	 seq;		/* MAP */
	uint64_t	 rev;		/* MAP */
	char		 nve[NVA_NAME_MAX + 1];	/* MAP owner; NVE name */
	struct nva_addr	 underlay[NVA_UNDERLAY_MAX];	/* NVE */
	unsigned	 nunderlay;
	char		 (*snves)[NVA_NAME_MAX + 1];	/* SUBNET: attached */
	unsigned	 nsnves;			/* 0: delete it */
};

/*
 * What a commit did.  rev: the store's revision of the commit (LMDB,
 * memory: the rev passed in; etcd: the revision of its (last)
 * transaction).  lost: records this commit did not write because
 * another writer changed their key first (etcd only; compare on the
 * key's mod revision): each holds the key's value now in the store,
 * with rev = its mod revision.  Owned by the store, valid until the
 * next call.  Every other staged record was written.
 */
struct nvad_commit {
	uint64_t	 rev;
	const struct nvad_rec *lost;
	size_t		 nlost;
};

struct nvad_store;
struct nvad_store_ops {
	const char *name;
	/* Calls cb for every record (any order); stops on cb's error. */
	int	(*load)(struct nvad_store *s,
		    int (*cb)(void *arg, const struct nvad_rec *r), void *arg);
	/* Directory identity and newest committed revision. */
	int	(*meta)(struct nvad_store *s, uint64_t *epoch, uint64_t *rev);
	/* Stages a record in the open batch (a batch opens by itself). */
	int	(*put)(struct nvad_store *s, const struct nvad_rec *r);
	/* Makes the batch durable with the new rev; 0 means every staged
	 * record not in res->lost survives kill -9 and power loss (when
	 * sync is on); -1: nothing is known (err says why). */
	int	(*commit)(struct nvad_store *s, uint64_t rev,
		    struct nvad_commit *res);
	void	(*abort)(struct nvad_store *s);
	void	(*close)(struct nvad_store *s);
	/* For views and metrics: octets the store uses, records. */
	void	(*stats)(struct nvad_store *s, uint64_t *octets,
		    uint64_t *records);
	/*
	 * Shared stores only (etcd; NULL for the others): every change
	 * after the load, by any writer (this nvad included), in revision
	 * order.  follow() starts watching (a thread of the store's own);
	 * wake(arg) is then called from that thread whenever take() has
	 * something.  take(), on the loop thread, calls cb for each
	 * changed record (r->rev = the key's mod revision) and sets
	 * *through to the revision every change up to which has now been
	 * given (watch progress); 0 or -1 when the store can no longer
	 * follow (err says why: history compacted, every endpoint gone
	 * for longer than the timeout allows).
	 */
	int	(*follow)(struct nvad_store *s, void (*wake)(void *arg),
		    void *arg);
	int	(*take)(struct nvad_store *s,
		    int (*cb)(void *arg, const struct nvad_rec *r), void *arg,
		    uint64_t *through);
	/* Shared stores: the mod revision the store knows for r's key
	 * (right after a commit: that of the transaction that wrote it,
	 * which differs between the chunks of one commit); 0: unknown. */
	uint64_t (*mod_rev)(struct nvad_store *s, const struct nvad_rec *r);
};
struct nvad_store {
	const struct nvad_store_ops *ops;
	void		*priv;
	char		 err[256];	/* last failure in words */
};

int	nvad_store_mem_open(struct nvad_store **out);
/* etcd v3 through its HTTP JSON gateway: conf's endpoints (tried in
 * turn), prefix, timeout and max-txn-ops.  Loads nothing yet; makes the
 * directory epoch key when there is none. */
int	nvad_store_etcd_open(struct nvad_store **out,
	    const struct nvad_conf *conf, char *err, size_t errlen);

/* Record codec shared by the stores (store_rec.c): the binary key
 * (NVAD_REC_KEY_MAX octets at most) and value of r; decoding checks
 * everything and says what is wrong.  names: room for a subnet's NVE
 * names (r->snves points there). */
#define NVAD_REC_KEY_MAX	(5 + 16 + 1 + NVA_NAME_MAX)
size_t	nvad_rec_key(const struct nvad_rec *r, uint8_t *k);
/* The value into *buf (grown as needed, *cap its size); its length or
 * 0 when out of memory. */
size_t	nvad_rec_value(const struct nvad_rec *r, uint8_t **buf, size_t *cap);
const char *nvad_rec_decode(enum nvad_rec_kind kind, const uint8_t *k,
	    size_t kn, const uint8_t *v, size_t vn, struct nvad_rec *r,
	    char (*names)[NVA_NAME_MAX + 1]);
/* path: a folder (made 0700 when missing). */
int	nvad_store_lmdb_open(struct nvad_store **out, const char *path,
	    uint64_t map_size, bool sync, char *err, size_t errlen);

/* Records <-> directory (dir.c): builds the directory from a store's
 * records; the record of an entry / NVE / subnet. */
int	dir_load_rec(struct dir *d, const struct nvad_rec *r);
void	dir_ent_rec(const struct dir *d, const struct dir_ent *e,
	    struct nvad_rec *r);
void	dir_nve_rec(const struct dir_nve *n, struct nvad_rec *r);
void	dir_subnet_rec(const struct dir *d, const struct dir_subnet *s,
	    struct nvad_rec *r);
/* After loading: the revision the store said. */
void	dir_set_rev(struct dir *d, uint64_t rev);
/*
 * A record another writer put in a shared store (or that won a race
 * against this nvad's own change): makes the directory agree with it.
 * An entry takes r's owner (the NVE made by name when unknown), state,
 * MAC, flags, seq and rev (r->rev, the store's revision); when that
 * changes what subscribers see (owner, state, MAC, seq, frozen) it goes
 * to out->changed, and when an ACTIVATED address changes owner to
 * another ACTIVATED owner the old owner goes to out->moved (told by
 * whichever nvad it is connected to).  r->rev older than the entry's:
 * ignored; the same rev and contents (the watch's echo of this nvad's
 * own commit): nothing; the same rev with other contents (a tentative
 * rev of the rules met the store's): applied.  On an owner change the
 * old owner becomes the previous one (its late withdraw is stale) and
 * a pending mark of the new owner goes; a thaw restarts the move
 * count.  NVE records update the underlay; subnet records replace the
 * attached NVEs (none: gone).  Applied NVE and subnet records do NOT go
 * to out->nves / out->subnets (those are to persist; these are in the
 * store).  Every kind raises the directory rev to r->rev.  Does not
 * count moves for duplicate detection or refuse for policy.  0 (also
 * when ignored), or -1 for a record that cannot be applied (bad
 * fields or name, max-entries, NVE limit, memory): nothing changed.
 */
int	dir_apply_rec(struct dir *d, const struct nvad_rec *r,
	    struct dir_out *out);
/* Sets e's revision (etcd: the commit's revision replaces the
 * tentative one the rules gave it). */
void	dir_ent_set_rev(struct dir_ent *e, uint64_t rev);



/* ---- the daemon (nvad.c, session.c, control.c, metrics.c) ------------- */

#ifdef NVAD_DAEMON
#include "loop/loop.h"

struct nvad_sessions;		/* session.c */
struct nvad_metrics;		/* metrics.c */
struct ctl_server;

struct nvad_counters {
	uint64_t	 accepted, closed, tls_failed, refused_sessions;
	uint64_t	 framing_broken, slow_cut, ka_lost;
	uint64_t	 rx_msgs, tx_msgs, rx_octets, tx_octets;
	uint64_t	 bad_msgs[NVA_CODE_COUNT];	/* Errors we answered */
	uint64_t	 pushes;			/* mappings pushed x sessions */
	uint64_t	 push_msgs;			/* Update messages sent */
	uint64_t	 moved_sent;
	uint64_t	 commits, commit_recs;
	/* shared store (etcd) */
	uint64_t	 conflicts;		/* writes answered CONFLICT */
	uint64_t	 lost_recs;		/* records another nvad won */
	uint64_t	 remote_recs;		/* records others wrote, applied */
	uint64_t	 through;		/* store revision applied through */
};

struct nvad {
	struct sn_loop	 loop;
	struct nvad_conf conf;
	const char	*conf_path;
	struct dir	*dir;
	struct nvad_store *store;
	struct nvad_sessions *ss;
	struct ctl_server *ctl;
	struct nvad_metrics *metrics;
	struct nvad_counters cnt;
	uint64_t	 start_us;
};

/* session.c: listeners and sessions. */
int	nvad_sessions_start(struct nvad *nd);
void	nvad_sessions_stop(struct nvad *nd);
/* After the loop closed every handle: frees what sessions left. */
void	nvad_sessions_free(struct nvad *nd);
struct nvad_sess_view {
	uint64_t	 id;
	const char	*nve;		/* NULL before Hello */
	const char	*addr;		/* peer IP:port */
	const char	*state;		/* "handshake", "hello", "up" */
	uint64_t	 since_us;	/* loop clock */
	uint64_t	 rx_msgs, tx_msgs, bad_msgs, wq;
	unsigned	 nsubs;
	const uint32_t	*subs;		/* subscribed VNs */
};
void	nvad_sess_walk(struct nvad *nd,
	    int (*cb)(void *arg, const struct nvad_sess_view *v), void *arg);
unsigned nvad_vn_subscribers(struct nvad *nd, uint32_t vn);
/* Operator actions through the same path as NVE messages (persisted,
 * pushed).  NVA_OK or a code, with err filled. */
enum nva_code nvad_admin_unfreeze(struct nvad *nd, uint32_t vn,
	    const struct nva_addr *a, char *err, size_t errlen);

/* control.c */
int	nvad_control_open(struct nvad *nd);
void	nvad_control_close(struct nvad *nd);
/* metrics.c: "metrics" in the config; loop-thread snapshots served by
 * libmicrohttpd's own thread. */
int	nvad_metrics_start(struct nvad *nd);
void	nvad_metrics_stop(struct nvad *nd);
#endif /* NVAD_DAEMON */

#endif /* NVAD_H */
