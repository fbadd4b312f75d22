/*
 * session_priv.h - what session.c (sessions, dispatch, the message
 * handlers) and batch.c (staging, group commit, pushes, moved notices,
 * a shared store's changes) share inside nvad.  Not for other files.
 */
#ifndef NVAD_SESSION_PRIV_H
#define NVAD_SESSION_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "nva/nva_tls.h"
#include "util/hash.h"
#include "util/log.h"

#define UPDATE_CHUNK	256		/* mappings per Update (push, resync) */
#define READ_PAUSE_AT	(4u << 20)	/* stop reading a session whose
					 * output queue is this long */
#define HANDSHAKE_MAX_US (10 * 1000000ull)

enum sess_state { SS_HANDSHAKE, SS_HELLO, SS_UP };

struct obuf {
	uint8_t		*p;
	size_t		 len, cap;
};

/*
 * The answer to a write (Report, Withdraw, Subnet) or an Unsubscribe:
 * known only after the commit (Ack with the commit's revision, or
 * Error CONFLICT when a shared store gave one of its keys to another
 * nvad), so it holds a place in the staged octets and is encoded at
 * release.  c0..c1: the request's entries in the batch's changed list.
 */
struct ack_slot {
	size_t		 off;		/* in staged */
	uint64_t	 xid;
	size_t		 c0, c1;
	bool		 write;
};

struct sess {
	struct nvad_sessions *ss;
	struct sess	*prev, *next;
	uint64_t	 id;
	struct nva_conn	*conn;
	struct nva_rx	 rx;
	enum sess_state	 st;
	struct dir_nve	*nve;
	uint32_t	*subs;		/* sorted */
	unsigned	 nsubs, csubs;
	struct obuf	 staged;	/* answers waiting for the commit */
	struct ack_slot	*slots;		/* answers encoded at release */
	unsigned	 nslots, cslots;
	bool		 on_stage;	/* in ss->stage list */
	struct sess	*stage_next;
	bool		 paused, dead;
	uint64_t	 since_us, last_rx_us;
	uint64_t	 rx_msgs, tx_msgs, bad_msgs;
	char		 addr[64];
};

/* Subscribers of one VN. */
struct vnsub {
	struct hnode	 node;
	uint32_t	 vn;
	struct sess	**s;
	unsigned	 n, cap;
};

struct nvad_sessions {
	struct nvad	*nd;
	struct nva_tls	*tls;
	uv_tcp_t	*lis;
	unsigned	 nlis;
	struct sess	*head;
	unsigned	 count;
	uint64_t	 next_id;
	struct hmap	 vnsubs;
	uv_check_t	 check;
	uv_timer_t	 ka;
	/* the batch of this turn */
	struct sess	*stage;		/* sessions with staged answers */
	struct sess	*graveyard;	/* closed, freed at the end of a turn */
	struct dir_ent	**changed;
	size_t		 nchanged, cchanged;
	size_t		 staged_recs;
	struct dir_out	 out;
	/* moved notices, released with the batch */
	struct pending_moved {
		struct dir_ent	*ent;
		uint32_t	 old_nve, new_nve;
	}		*moved;
	size_t		 nmoved, cmoved;
	struct log_rl	 rl_bad, rl_refused;
	/* shared store (etcd): the store's changes reach this loop */
	bool		 shared;
	uv_async_t	 wake;
	uint64_t	 through;	/* every change up to this is applied */
	struct dir_ent	**topush;	/* pushed once through >= their rev */
	size_t		 ntopush, ctopush;
	struct dir_out	 rout;		/* what applying a record changed */
	struct dir_ent	**lost;		/* this commit's lost keys, sorted */
	size_t		 nlost, clost;
	bool		 lost_other;	/* a lost NVE or subnet record */
};

/* session.c */
void	sess_close(struct sess *s, const char *why);
void	sess_free(struct sess *s);
struct vnsub *vnsub_find(const struct nvad_sessions *ss, uint32_t vn,
	    bool create);

/* batch.c: answers and sending */
int	obuf_msg(struct obuf *b, const Nva__Envelope *e);
void	stage_mark(struct sess *s);
void	stage(struct sess *s, Nva__Envelope *e);
void	send_raw(struct sess *s, const uint8_t *p, size_t n);
void	send_now(struct sess *s, Nva__Envelope *e);
void	stage_error(struct sess *s, uint64_t xid, enum nva_code code,
	    const char *text);
void	stage_ack(struct sess *s, uint64_t xid, bool write, size_t c0);
void	refuse(struct sess *s, uint64_t xid, enum nva_code code,
	    const char *what, const char *why);
void	flush_all(struct nvad_sessions *ss);
struct sess *sess_of_nve(struct nvad_sessions *ss, uint32_t idx);

/* batch.c: the batch of a loop turn */
void	batch_take(struct nvad_sessions *ss, struct dir_out *o);
void	batch_release(struct nvad_sessions *ss);
void	ent_mapping(struct nvad *nd, const struct dir_ent *e,
	    Nva__Mapping *m, ProtobufCBinaryData *under);
size_t	updates_encode(struct nvad *nd, const struct dir_ent *const *ents,
	    size_t n, struct obuf *b);
uint64_t adv_rev(const struct nvad_sessions *ss);
/* Whether e's change lost in the last commit (shared store). */
bool	is_lost(const struct nvad_sessions *ss, const struct dir_ent *e);
void	on_check(uv_check_t *h);
void	on_wake(uv_async_t *h);
void	wake_cb(void *arg);

#endif
