/*
 * batch.c - what goes out of nvad's NVE sessions, and when: answers
 * staged during a loop turn, the group commit to the store at the end
 * of the turn, then the answers, the pushes (each VN's changes encoded
 * once, written to every subscriber) and the moved notices.  With a
 * shared store (etcd) also: answers to writes whose keys another nvad
 * changed first (CONFLICT), the winners' values, and the store's
 * watched changes applied to the directory and pushed once applied
 * through (docs/nvad.8, SHARED DIRECTORY).  session.c owns the
 * sessions and the message handlers.
 *
 * Thread: the loop's (wake_cb alone runs on the store's thread).
 * Relies on lib/nva (codec), dir.c, the store, session_priv.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NVAD_DAEMON 1
#include "nvad.h"
#include "session_priv.h"
#include "util/mtime.h"

/* ---- small buffers ------------------------------------------------------- */

static int
obuf_reserve(struct obuf *b, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (b->len + more <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* Appends the framed e to b. */
int
obuf_msg(struct obuf *b, const Nva__Envelope *e)
{
	size_t n = nva_frame_size(e);
	ssize_t w;

	if (obuf_reserve(b, n) < 0)
		return -ENOMEM;
	if ((w = nva_encode(e, b->p + b->len, b->cap - b->len)) < 0)
		return (int)w;
	b->len += (size_t)w;
	return 0;
}

/* ---- sending ------------------------------------------------------------- */

void
stage_mark(struct sess *s)
{
	struct nvad_sessions *ss = s->ss;

	if (!s->on_stage) {
		s->on_stage = true;
		s->stage_next = ss->stage;
		ss->stage = s;
	}
}

/* Stages e for s: it leaves after this turn's commit. */
void
stage(struct sess *s, Nva__Envelope *e)
{
	if (s->dead)
		return;
	if (obuf_msg(&s->staged, e) < 0) {
		sess_close(s, "out of memory");
		return;
	}
	s->tx_msgs++;
	s->ss->nd->cnt.tx_msgs++;
	stage_mark(s);
}

/* Writes raw frames to s now (flushed by the caller). */
void
send_raw(struct sess *s, const uint8_t *p, size_t n)
{
	struct nvad *nd = s->ss->nd;

	if (s->dead || n == 0)
		return;
	if (nva_conn_write(s->conn, p, n) < 0) {
		sess_close(s, "write failed");
		return;
	}
	nd->cnt.tx_octets += n;
	if (nva_conn_wq(s->conn) > nd->conf.session_wq_max) {
		nd->cnt.slow_cut++;
		sess_close(s, "too slow: output queue over session-queue");
	}
}

void
send_now(struct sess *s, Nva__Envelope *e)
{
	struct obuf b = { 0 };

	if (obuf_msg(&b, e) == 0) {
		s->tx_msgs++;
		s->ss->nd->cnt.tx_msgs++;
		send_raw(s, b.p, b.len);
	}
	free(b.p);
}

void
stage_error(struct sess *s, uint64_t xid, enum nva_code code,
    const char *text)
{
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Error er = NVA__ERROR__INIT;

	er.code = (Nva__Code)code;
	er.text = (char *)(text != NULL ? text : "");
	e.xid = xid;
	e.body_case = NVA__ENVELOPE__BODY_ERROR;
	e.error = &er;
	stage(s, &e);
}

/*
 * Holds the place of an Ack for xid (encoded at release, once the
 * commit's revision and fate are known).  write: a Report, Withdraw or
 * Subnet whose changes are the batch's changed entries from c0 on.
 */
void
stage_ack(struct sess *s, uint64_t xid, bool write, size_t c0)
{
	struct ack_slot *sl;

	if (s->dead)
		return;
	if (s->nslots == s->cslots) {
		unsigned cap = s->cslots ? s->cslots * 2 : 16;

		if ((sl = realloc(s->slots, cap * sizeof(*sl))) == NULL) {
			sess_close(s, "out of memory");
			return;
		}
		s->slots = sl;
		s->cslots = cap;
	}
	sl = &s->slots[s->nslots++];
	sl->off = s->staged.len;
	sl->xid = xid;
	sl->write = write;
	sl->c0 = c0;
	sl->c1 = s->ss->nchanged;
	s->tx_msgs++;
	s->ss->nd->cnt.tx_msgs++;
	stage_mark(s);
}

/* A message we refuse: answered, logged, counted; the session goes on. */
void
refuse(struct sess *s, uint64_t xid, enum nva_code code, const char *what,
    const char *why)
{
	struct nvad_sessions *ss = s->ss;

	s->bad_msgs++;
	if (code < NVA_CODE_COUNT)
		ss->nd->cnt.bad_msgs[code]++;
	log_rl(&ss->rl_bad, mono_us(), LOG_LVL_WARN,
	    "session %llu (%s%s%s): %s refused, %s: %s",
	    (unsigned long long)s->id, s->addr, s->nve ? " " : "",
	    s->nve ? s->nve->name : "", what, nva_code_name(code), why);
	stage_error(s, xid, code, why);
}

/* ---- the batch: record, commit, release ----------------------------------- */

/* Appends e to the array *v of *n entries (room for *cap). */
static void
ent_append(struct dir_ent ***v, size_t *n, size_t *cap, struct dir_ent *e)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		struct dir_ent **p = realloc(*v, c * sizeof(*p));

		if (p == NULL)
			fatal("out of memory recording a changed entry");
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = e;
}

static void
batch_changed(struct nvad_sessions *ss, struct dir_ent *e)
{
	struct nvad *nd = ss->nd;
	struct nvad_rec r;

	ent_append(&ss->changed, &ss->nchanged, &ss->cchanged, e);
	dir_ent_rec(nd->dir, e, &r);
	if (nd->store->ops->put(nd->store, &r) < 0)
		fatal("store %s: %s", nd->store->ops->name, nd->store->err);
	ss->staged_recs++;
}

static void
moved_add(struct nvad_sessions *ss, struct dir_ent *e, uint32_t old_nve)
{
	if (ss->nmoved == ss->cmoved) {
		size_t cap = ss->cmoved ? ss->cmoved * 2 : 64;
		struct pending_moved *p = realloc(ss->moved, cap * sizeof(*p));

		if (p == NULL)
			fatal("out of memory recording a move");
		ss->moved = p;
		ss->cmoved = cap;
	}
	ss->moved[ss->nmoved].ent = e;
	ss->moved[ss->nmoved].old_nve = old_nve;
	ss->moved[ss->nmoved].new_nve = e->nve;
	ss->nmoved++;
}

/* Takes what one directory operation changed into the batch. */
void
batch_take(struct nvad_sessions *ss, struct dir_out *o)
{
	struct nvad *nd = ss->nd;
	struct nvad_rec r;
	size_t i;

	for (i = 0; i < o->nchanged; i++)
		batch_changed(ss, o->changed[i]);
	for (i = 0; i < o->nnves; i++) {
		dir_nve_rec(o->nves[i], &r);
		if (nd->store->ops->put(nd->store, &r) < 0)
			fatal("store %s: %s", nd->store->ops->name,
			    nd->store->err);
		ss->staged_recs++;
	}
	for (i = 0; i < o->nsubnets; i++) {
		dir_subnet_rec(nd->dir, o->subnets[i], &r);
		if (nd->store->ops->put(nd->store, &r) < 0)
			fatal("store %s: %s", nd->store->ops->name,
			    nd->store->err);
		ss->staged_recs++;
	}
	for (i = 0; i < o->nmoved; i++)
		moved_add(ss, o->moved[i].ent, o->moved[i].old_nve);
	for (i = 0; i < o->nalerts; i++)
		log_warn("alert %llu: %s", (unsigned long long)o->alerts[i]->id,
		    o->alerts[i]->text);
	dir_out_reset(o);
}

/*
 * The mapping of e as NVEs see it.  With a shared store its revision is
 * at most the one applied through: an entry this nvad committed (or
 * learnt from a lost race) may carry a revision the watch has not
 * delivered yet, and an NVE that took it would skip older changes of
 * other nvads when it resyncs from it.
 */
void
ent_mapping(struct nvad *nd, const struct dir_ent *e, Nva__Mapping *m,
    ProtobufCBinaryData *under)
{
	dir_ent_mapping(nd->dir, e, m, under);
	if (nd->ss->shared && m->rev > nd->ss->through)
		m->rev = nd->ss->through;
}

static int
cmp_ent_vn(const void *a, const void *b)
{
	const struct dir_ent *x = *(const struct dir_ent *const *)a;
	const struct dir_ent *y = *(const struct dir_ent *const *)b;

	if (x->vn != y->vn)
		return x->vn < y->vn ? -1 : 1;
	if (x != y)
		return x < y ? -1 : 1;
	return 0;
}

/*
 * Appends ents as Update messages of up to UPDATE_CHUNK mappings to b
 * (pushes and resyncs alike); returns how many messages.
 */
size_t
updates_encode(struct nvad *nd, const struct dir_ent *const *ents, size_t n,
    struct obuf *b)
{
	static Nva__Mapping m[UPDATE_CHUNK];
	static Nva__Mapping *mp[UPDATE_CHUNK];
	static ProtobufCBinaryData under[UPDATE_CHUNK][NVA_UNDERLAY_MAX];
	size_t i, k, c, nmsg = 0;

	for (i = 0; i < n; i += c) {
		Nva__Envelope e = NVA__ENVELOPE__INIT;
		Nva__Update u = NVA__UPDATE__INIT;

		c = n - i < UPDATE_CHUNK ? n - i : UPDATE_CHUNK;
		for (k = 0; k < c; k++) {
			ent_mapping(nd, ents[i + k], &m[k], under[k]);
			mp[k] = &m[k];
		}
		u.n_mappings = c;
		u.mappings = mp;
		e.body_case = NVA__ENVELOPE__BODY_UPDATE;
		e.update = &u;
		if (obuf_msg(b, &e) < 0)
			fatal("out of memory encoding an update");
		nmsg++;
	}
	return nmsg;
}

/* Encodes the changes of one VN once and writes them to its subscribers. */
static void
push_vn(struct nvad_sessions *ss, struct vnsub *v, struct dir_ent **ents,
    size_t n)
{
	struct nvad *nd = ss->nd;
	struct obuf b = { 0 };
	size_t k, nmsg;

	nmsg = updates_encode(nd, (const struct dir_ent *const *)ents, n, &b);
	for (k = 0; k < v->n; k++) {
		struct sess *s = v->s[k];

		if (s->dead)
			continue;
		send_raw(s, b.p, b.len);
		s->tx_msgs += nmsg;
		nd->cnt.tx_msgs += nmsg;
		nd->cnt.push_msgs += nmsg;
		nd->cnt.pushes += n;
	}
	free(b.p);
}

struct sess *
sess_of_nve(struct nvad_sessions *ss, uint32_t idx)
{
	struct sess *s;

	for (s = ss->head; s != NULL; s = s->next)
		if (!s->dead && s->st == SS_UP && s->nve != NULL &&
		    s->nve->idx == idx)
			return s;
	return NULL;
}

static void
send_moved(struct nvad_sessions *ss, const struct pending_moved *pm)
{
	ProtobufCBinaryData under[NVA_UNDERLAY_MAX];
	Nva__Envelope e = NVA__ENVELOPE__INIT;
	Nva__Moved mv = NVA__MOVED__INIT;
	Nva__Mapping m;
	struct dir_nve *old = dir_nve_at(ss->nd->dir, pm->old_nve);
	struct sess *s;

	if (old == NULL || (s = sess_of_nve(ss, pm->old_nve)) == NULL)
		return;	/* not connected: it learns at resync */
	ent_mapping(ss->nd, pm->ent, &m, under);
	mv.mapping = &m;
	mv.from_nve = old->name;
	e.body_case = NVA__ENVELOPE__BODY_MOVED;
	e.moved = &mv;
	send_now(s, &e);
	ss->nd->cnt.moved_sent++;
}

/* Flushes every session written to; pauses reading those whose output
 * backs up, resumes those that drained. */
void
flush_all(struct nvad_sessions *ss)
{
	struct sess *s, *next;

	for (s = ss->head; s != NULL; s = next) {
		next = s->next;
		if (s->dead)
			continue;
		nva_conn_flush(s->conn);
		if (!s->paused && nva_conn_wq(s->conn) > READ_PAUSE_AT) {
			s->paused = true;
			nva_conn_pause(s->conn, true);
		} else if (s->paused && nva_conn_wq(s->conn) < READ_PAUSE_AT / 2) {
			s->paused = false;
			nva_conn_pause(s->conn, false);
		}
	}
}

/* Pushes the changed entries ents (sorted by VN here) to each VN's
 * subscribers. */
static void
push_ents(struct nvad_sessions *ss, struct dir_ent **ents, size_t n)
{
	size_t i, j;

	if (n == 0)
		return;
	qsort(ents, n, sizeof(*ents), cmp_ent_vn);
	for (i = 0, j = 0; i < n; i++)		/* unique */
		if (j == 0 || ents[j - 1] != ents[i])
			ents[j++] = ents[i];
	n = j;
	for (i = 0; i < n; i = j) {
		struct vnsub *v;

		for (j = i; j < n && ents[j]->vn == ents[i]->vn; j++)
			;
		if ((v = vnsub_find(ss, ents[i]->vn, false)) != NULL)
			push_vn(ss, v, &ents[i], j - i);
	}
}

/* Shared store: e is pushed once every change up to its rev is known
 * here (so no NVE ever holds a revision this nvad has not caught up
 * with; see on_wake). */
static void
topush_add(struct nvad_sessions *ss, struct dir_ent *e)
{
	ent_append(&ss->topush, &ss->ntopush, &ss->ctopush, e);
}

/* Pushes the waiting entries whose revision is now applied through. */
static void
topush_release(struct nvad_sessions *ss)
{
	struct dir_ent **now;
	size_t i, k = 0, n = 0;

	if (ss->ntopush == 0)
		return;
	if ((now = malloc(ss->ntopush * sizeof(*now))) == NULL)
		fatal("out of memory pushing");
	for (i = 0; i < ss->ntopush; i++) {
		if (ss->topush[i]->rev <= ss->through)
			now[n++] = ss->topush[i];
		else
			ss->topush[k++] = ss->topush[i];
	}
	ss->ntopush = k;
	push_ents(ss, now, n);
	free(now);
}


/* A record of the shared store into the directory: what it changed is
 * pushed (when applied through) and moved notices go out. */
static int
apply_rec(struct nvad_sessions *ss, const struct nvad_rec *r)
{
	struct dir_out *o = &ss->rout;
	size_t i;

	int changed;

	if (dir_apply_rec(ss->nd->dir, r, o) < 0) {
		dir_out_reset(o);
		return -1;
	}
	changed = o->nchanged > 0 || o->nmoved > 0;
	for (i = 0; i < o->nchanged; i++)
		topush_add(ss, o->changed[i]);
	for (i = 0; i < o->nmoved; i++)
		moved_add(ss, o->moved[i].ent, o->moved[i].old_nve);
	dir_out_reset(o);
	return changed;
}

static int
cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a;
	uintptr_t y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

bool
is_lost(const struct nvad_sessions *ss, const struct dir_ent *e)
{
	return ss->nlost > 0 && bsearch(&e, ss->lost, ss->nlost,
	    sizeof(*ss->lost), cmp_ptr) != NULL;
}

/* Sends the moved notices of the batch, then flushes every session. */
static void
moved_release(struct nvad_sessions *ss)
{
	size_t i;

	for (i = 0; i < ss->nmoved; i++)
		send_moved(ss, &ss->moved[i]);
	ss->nmoved = 0;
	flush_all(ss);
}

/*
 * Shared store: the records this commit lost go into the directory
 * (the winner's values) and their entries into ss->lost, so that the
 * requests that changed them are answered CONFLICT.
 */
static void
take_lost(struct nvad_sessions *ss, const struct nvad_commit *res)
{
	struct nvad *nd = ss->nd;
	size_t i;

	struct pending_moved *drop;
	size_t j, k, n, ndrop = 0;

	ss->nlost = 0;
	ss->lost_other = false;
	for (i = 0; i < res->nlost; i++) {
		const struct nvad_rec *r = &res->lost[i];
		struct dir_ent *e;

		if (r->kind != NVAD_REC_MAP ||
		    (e = dir_lookup(nd->dir, r->vn, &r->addr)) == NULL) {
			ss->lost_other = true;
			continue;
		}
		ent_append(&ss->lost, &ss->nlost, &ss->clost, e);
	}
	if (ss->nlost > 1)
		qsort(ss->lost, ss->nlost, sizeof(*ss->lost), cmp_ptr);
	/* this batch's moves of lost entries did not happen; they are
	 * kept aside for the owner before them (below) */
	if ((drop = calloc(ss->nmoved ? ss->nmoved : 1,
	    sizeof(*drop))) == NULL)
		fatal("out of memory recording a conflict");
	for (i = 0, k = 0; i < ss->nmoved; i++) {
		if (is_lost(ss, ss->moved[i].ent))
			drop[ndrop++] = ss->moved[i];
		else
			ss->moved[k++] = ss->moved[i];
	}
	ss->nmoved = k;
	/* the winners' values (their moves are told like any other) */
	for (i = 0; i < res->nlost; i++) {
		nd->cnt.lost_recs++;
		if (apply_rec(ss, &res->lost[i]) < 0)
			log_warn("store %s: a record that won over this nvad's "
			    "change cannot be applied; the directory may "
			    "differ until restart", nd->store->ops->name);
	}
	/* a winner's move is told to the owner the entry had before this
	 * batch's first lost move of it, not to an NVE that never got it;
	 * none when the winner is that owner */
	for (i = k, n = k; i < ss->nmoved; i++) {
		struct pending_moved *pm = &ss->moved[i];

		for (j = 0; j < ndrop; j++) {
			if (drop[j].ent == pm->ent) {
				pm->old_nve = drop[j].old_nve;
				break;
			}
		}
		if (pm->old_nve != pm->new_nve)
			ss->moved[n++] = *pm;
	}
	ss->nmoved = n;
	/* a winner equal to this batch's lost value changes nothing in the
	 * directory (no move above): the owner before the batch is told
	 * all the same */
	for (j = 0; j < ndrop; j++) {
		struct dir_ent *e = drop[j].ent;
		bool told = false;

		for (i = 0; i < j && !told; i++)
			told = drop[i].ent == e;	/* its first drop only */
		for (i = k; i < ss->nmoved && !told; i++)
			told = ss->moved[i].ent == e;
		if (!told && e->state == NVA_ST_ACTIVATED &&
		    e->nve != drop[j].old_nve)
			moved_add(ss, e, drop[j].old_nve);
	}
	/* every lost entry is pushed with the winner's value (it may equal
	 * the tentative one, and then applying it changed nothing) */
	for (i = 0; i < ss->nlost; i++)
		topush_add(ss, ss->lost[i]);
	free(drop);
}

/* Whether the write of slot sl lost (any of its entries, or any NVE or
 * subnet record of the batch). */
static bool
slot_lost(const struct nvad_sessions *ss, const struct ack_slot *sl)
{
	size_t i;

	if (!sl->write || (ss->nlost == 0 && !ss->lost_other))
		return false;
	if (ss->lost_other)
		return true;
	for (i = sl->c0; i < sl->c1 && i < ss->nchanged; i++)
		if (is_lost(ss, ss->changed[i]))
			return true;
	return false;
}

/* Sends s's staged octets with the held answers encoded in place. */
static void
release_staged(struct sess *s, uint64_t rev)
{
	struct nvad_sessions *ss = s->ss;
	size_t at = 0;
	unsigned i;

	for (i = 0; i < s->nslots && !s->dead; i++) {
		const struct ack_slot *sl = &s->slots[i];
		Nva__Envelope e = NVA__ENVELOPE__INIT;
		Nva__Ack a = NVA__ACK__INIT;
		Nva__Error er = NVA__ERROR__INIT;
		struct obuf b = { 0 };

		send_raw(s, s->staged.p + at, sl->off - at);
		at = sl->off;
		e.xid = sl->xid;
		if (slot_lost(ss, sl)) {
			er.code = (Nva__Code)NVA_CONFLICT;
			er.text = "another nvad changed an address of this "
			    "request first; the directory has its change; "
			    "send the request again";
			e.body_case = NVA__ENVELOPE__BODY_ERROR;
			e.error = &er;
			ss->nd->cnt.conflicts++;
			ss->nd->cnt.bad_msgs[NVA_CONFLICT]++;
			s->bad_msgs++;
		} else {
			a.rev = rev;
			e.body_case = NVA__ENVELOPE__BODY_ACK;
			e.ack = &a;
		}
		if (obuf_msg(&b, &e) < 0) {
			free(b.p);
			sess_close(s, "out of memory");
			break;
		}
		send_raw(s, b.p, b.len);
		free(b.p);
	}
	if (!s->dead && at < s->staged.len)
		send_raw(s, s->staged.p + at, s->staged.len - at);
	s->staged.len = 0;
	s->nslots = 0;
}

/* Shared store: the revision NVEs are told (Welcome, SyncDone,
 * keep-alives); otherwise the directory's. */
uint64_t
adv_rev(const struct nvad_sessions *ss)
{
	return ss->shared ? ss->through : dir_rev(ss->nd->dir);
}

/*
 * End of a turn: commit what was staged, then release answers, pushes
 * and moved notices, and flush every connection written to.  With a
 * shared store the commit may lose keys to another nvad (take_lost),
 * the committed entries take the commit's revision, and the pushes
 * wait until the store's watch has delivered that revision
 * (topush_release), like every other nvad's.
 */
void
batch_release(struct nvad_sessions *ss)
{
	struct nvad *nd = ss->nd;
	struct nvad_commit res = { .rev = adv_rev(ss) };
	struct sess *s, *next;
	size_t i;

	ss->nlost = 0;
	ss->lost_other = false;
	if (ss->staged_recs > 0) {
		if (nd->store->ops->commit(nd->store, dir_rev(nd->dir),
		    &res) < 0)
			fatal("store %s: commit failed: %s; stopping so that "
			    "nothing unacknowledged is served (restart "
			    "reloads the durable directory)",
			    nd->store->ops->name, nd->store->err);
		nd->cnt.commits++;
		nd->cnt.commit_recs += ss->staged_recs;
		ss->staged_recs = 0;
		if (ss->shared)
			take_lost(ss, &res);
	}
	/* answers, in the order they were asked */
	for (s = ss->stage; s != NULL; s = next) {
		next = s->stage_next;
		s->on_stage = false;
		s->stage_next = NULL;
		if (!s->dead)
			release_staged(s, res.rev);
		s->staged.len = 0;
		s->nslots = 0;
	}
	ss->stage = NULL;
	/* sessions closed during the turn (none is referenced any more:
	 * unlinked from every list, and the stage list is empty) */
	while ((s = ss->graveyard) != NULL) {
		ss->graveyard = s->next;
		sess_free(s);
	}
	/* pushes, grouped by VN */
	if (ss->shared) {
		for (i = 0; i < ss->nchanged; i++) {
			struct dir_ent *e = ss->changed[i];
			struct nvad_rec r;
			uint64_t rev = 0;

			if (is_lost(ss, e))
				continue;	/* holds the winner's value */
			if (nd->store->ops->mod_rev != NULL) {
				/* the revision of its own transaction */
				dir_ent_rec(nd->dir, e, &r);
				rev = nd->store->ops->mod_rev(nd->store, &r);
			}
			dir_ent_set_rev(e, rev != 0 ? rev : res.rev);
			topush_add(ss, e);
		}
		ss->nchanged = 0;
		dir_set_rev(nd->dir, ss->through);
		topush_release(ss);
	} else {
		push_ents(ss, ss->changed, ss->nchanged);
		ss->nchanged = 0;
	}
	moved_release(ss);
}

/* ---- a shared store's changes ---------------------------------------------- */

static int
take_one(void *arg, const struct nvad_rec *r)
{
	struct nvad_sessions *ss = arg;
	int rc = apply_rec(ss, r);

	if (rc < 0)
		log_warn("store %s: a change by another nvad cannot be applied "
		    "here (limits?); the directory differs until restart",
		    ss->nd->store->ops->name);
	else if (rc > 0)
		ss->nd->cnt.remote_recs++;
	return 0;
}

/*
 * The store's watch delivered changes (every nvad's, this one's
 * included).  This turn's own changes are committed first: they were
 * decided before these records were known, so the store's compare
 * sees the records' revisions as newer than what they were based on.
 * Then the records go into the directory, and every entry whose
 * revision is now applied through is pushed.
 */
void
on_wake(uv_async_t *h)
{
	struct nvad_sessions *ss = h->data;
	struct nvad *nd = ss->nd;
	uint64_t through = ss->through;

	batch_release(ss);
	if (nd->store->ops->take(nd->store, take_one, ss, &through) < 0)
		fatal("store %s: %s; stopping (a restart loads the directory "
		    "again)", nd->store->ops->name, nd->store->err);
	if (through > ss->through)
		ss->through = through;
	nd->cnt.through = ss->through;
	dir_set_rev(nd->dir, ss->through);
	topush_release(ss);
	moved_release(ss);
}

/* From the store's thread. */
void
wake_cb(void *arg)
{
	struct nvad_sessions *ss = arg;

	uv_async_send(&ss->wake);
}

void
on_check(uv_check_t *h)
{
	batch_release(h->data);
}
