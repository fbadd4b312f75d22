/*
 * nva_client_priv.h - what the three files of the NVA client machine
 * share (nva_client.c: session, requests, answers; nva_client_tsi.c:
 * TSI reports and withdrawals; nva_client_fib.c: VNs and the local
 * copy).  Not for users of the machine: they include nva_client.h.
 * Pure like the machine: no I/O, no clock, no logging.
 */
#ifndef SPLITNVE_NVA_NVA_CLIENT_PRIV_H
#define SPLITNVE_NVA_NVA_CLIENT_PRIV_H

#include "nva/nva_client.h"

/* ---- intrusive lists ------------------------------------------------- */

struct link {
	struct link	*next, *prev;
};

static inline void
list_init(struct link *h)
{
	h->next = h->prev = h;
}

static inline bool
list_empty(const struct link *h)
{
	return h->next == h;
}

static inline void
list_push(struct link *h, struct link *l)
{
	l->prev = h->prev;
	l->next = h;
	h->prev->next = l;
	h->prev = l;
}

static inline void
list_del(struct link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->next = l->prev = l;
}

#define LINK_OWNER(l, type, member)	HMAP_CONTAINER(l, type, member)

/* ---- state ----------------------------------------------------------- */

struct held {
	struct nva_addr	 a;
	bool		 wd;		/* a Withdraw of it is in flight */
};

struct tsi_ent {
	struct hnode	 node;		/* cl->tsis, hash of (vn, id) */
	struct link	 dlink;		/* cl->dirty while dirty */
	struct link	 rlink;		/* cl->retry while retry_at is set */
	uint64_t	 retry_at;	/* CONFLICT: send again then; or
					   UINT64_MAX */
	unsigned	 conflicts;	/* CONFLICTs in a row */
	uint32_t	 vn;
	uint8_t		 id[NVA_TSI_LEN];
	enum nva_state	 st;
	bool		 migration;
	bool		 gone;		/* deleted: withdraw, then free */
	bool		 refused;	/* wait for a change */
	bool		 dirty;		/* to send on this session */
	uint32_t	 gen;		/* bumped by each change */
	struct nva_addr	 want[NVA_ADDRS_MAX];
	unsigned	 nwant;
	struct held	*held;
	unsigned	 nheld, cheld;
};

struct vn_ent {
	struct hnode	 node;		/* cl->vns, hash of vn */
	uint32_t	 vn;
	unsigned	 tsis;
	bool		 synced;	/* a SyncDone came (this epoch) */
	bool		 subscribed;	/* Subscribe sent on this session */
	bool		 sweep;		/* in the SyncDone being handled */
};

struct fib_ent {
	struct nvc_fib	 f;		/* f.node: cl->fib, hash of (vn, addr) */
	bool		 stale;		/* not refreshed by the running resync */
};

struct subnet_ent {
	struct link	 link;		/* cl->subnets */
	uint32_t	 vn;
	struct nva_addr	 prefix;
	unsigned	 plen;
	bool		 attach;	/* wanted */
	bool		 dirty;		/* to send on this session */
};

enum req_kind {
	RQ_SUBSCRIBE,
	RQ_UNSUBSCRIBE,
	RQ_REPORT,
	RQ_WITHDRAW,
	RQ_QUERY,
	RQ_SUBNET,
	RQ_AUDIT,
	RQ_AUTHORIZE,
};

struct req {
	struct link	 link;		/* cl->reqs, xid order */
	struct link	 qlink;		/* cl->queries (RQ_QUERY) */
	uint64_t	 xid;
	enum req_kind	 kind;
	uint32_t	 vn;
	uint8_t		 tsi[NVA_TSI_LEN];
	uint32_t	 gen;		/* REPORT: the TSI's gen when sent */
	uint64_t	 token;
	uint64_t	 deadline;	/* QUERY */
	struct nva_addr	 addr;		/* QUERY address, SUBNET prefix */
	unsigned	 plen;		/* SUBNET */
	bool		 attach;	/* SUBNET */
	struct nva_addr	 addrs[NVA_ADDRS_MAX];	/* REPORT, WITHDRAW */
	unsigned	 naddrs;
	uint64_t	 isnew;		/* REPORT: bit i: addrs[i] new to held */
	uint32_t	*vns;		/* SUBSCRIBE */
	size_t		 nvns;
};

struct nva_client {
	struct nva_client_conf conf;
	struct nva_client_cbs cbs;
	void		*arg;
	enum nvc_state	 state;
	bool		 reached_up;	/* this connection got to UP */
	uint64_t	 retry_at, backoff, hello_at;
	uint64_t	 ka_us, last_rx, ka_next;
	uint64_t	 xid;		/* last used on this connection */
	uint64_t	 epoch, rev;
	unsigned	 subs_pending;
	struct hmap	 tsis, vns, fib;
	struct link	 dirty, reqs, queries, subnets;
	struct link	 retry;		/* TSIs waiting to send again */
	struct nvc_counters cnt;
	uint64_t	 old_updates;	/* mappings not newer than held */
	uint8_t		*buf;
	size_t		 bufcap;
};

/* ---- small helpers --------------------------------------------------- */

static inline void
nvc_emit(struct nva_client *cl, const struct nvc_ev *ev)
{
	if (cl->cbs.event != NULL)
		cl->cbs.event(cl->arg, ev);
}

static inline bool
nvc_addr_ok(const struct nva_addr *a)
{
	return a->len == 4 || a->len == 6 || a->len == 16;
}

static inline bool
nvc_vn_ok(uint32_t vn)
{
	return vn >= 1 && vn <= NVA_VN_MAX;
}

static inline bool
nvc_addr_in(const struct nva_addr *a, const struct nva_addr *v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (nva_addr_eq(a, &v[i]))
			return true;
	return false;
}

static inline ProtobufCBinaryData
nvc_bin(const void *p, size_t len)
{
	ProtobufCBinaryData b = { len, (uint8_t *)(uintptr_t)p };

	return b;
}

/* nva_client.c */
int	nvc_check_addrs(const struct nva_addr *a, size_t n, size_t max);
int	nvc_send_env(struct nva_client *cl, Nva__Envelope *e);
struct req *nvc_req_new(struct nva_client *cl, enum req_kind kind,
	    Nva__Envelope *e);
void	nvc_req_free(struct req *r);
void	nvc_fill_addrs(const struct nva_addr *a, unsigned n,
	    const uint8_t *mac, Nva__Address *obj, Nva__Address **ptr);
const uint8_t *nvc_sole_mac(const struct nva_addr *a, unsigned n);
void	nvc_send_vnlist(struct nva_client *cl, bool sub, const uint32_t *vns,
	    size_t n, uint64_t since);

/* nva_client_tsi.c */
struct tsi_ent *nvc_tsi_find(const struct nva_client *cl, uint32_t vn,
	    const uint8_t *id);
struct held *nvc_held_find(struct tsi_ent *t, const struct nva_addr *a);
int	nvc_held_add(struct tsi_ent *t, const struct nva_addr *a);
void	nvc_held_del(struct tsi_ent *t, struct held *h);
void	nvc_tsi_free(struct nva_client *cl, struct tsi_ent *t);
void	nvc_tsi_reap(struct nva_client *cl, struct tsi_ent *t);
void	nvc_tsi_mark(struct nva_client *cl, struct tsi_ent *t);
void	nvc_flush(struct nva_client *cl);
void	nvc_retry_cancel(struct tsi_ent *t);
bool	nvc_conflict(struct nva_client *cl, struct tsi_ent *t, uint64_t now);
void	nvc_retry_due(struct nva_client *cl, uint64_t now);
uint64_t nvc_retry_next(const struct nva_client *cl);

/* nva_client_fib.c */
struct vn_ent *nvc_vn_find(const struct nva_client *cl, uint32_t vn);
int	nvc_vn_ref(struct nva_client *cl, uint32_t vn);
void	nvc_vn_unref(struct nva_client *cl, uint32_t vn);
void	nvc_on_sync_done(struct nva_client *cl, struct req *r,
	    const Nva__SyncDone *sd);
void	nvc_on_update(struct nva_client *cl, const Nva__Update *u,
	    uint64_t now);
void	nvc_on_answer(struct nva_client *cl, struct req *r,
	    const Nva__Answer *a, uint64_t now);
void	nvc_on_moved(struct nva_client *cl, const Nva__Moved *m,
	    uint64_t now);

#endif /* SPLITNVE_NVA_NVA_CLIENT_PRIV_H */
