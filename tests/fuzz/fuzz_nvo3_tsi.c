/*
 * fuzz_nvo3_tsi.c - drives one TSI (lib/nvo3/tsi.c) and the VAPs of one
 * tag space (vap.c, tag.c) with an event sequence read from the input,
 * and checks their invariants after every event.  Any violation
 * abort()s.
 *
 * TSI, after every event:
 *   - the return code is 0 or a documented error; on an error the TSI is
 *     byte for byte what it was and no action was appended;
 *   - out->n <= NVO3_TSI_ACT_CAP; naddr <= NVO3_TSI_MAX_ADDR, no
 *     duplicate address, Init holds no VN and no address;
 *   - RESERVE exactly when Init was left, RELEASE exactly when Init was
 *     entered, ENABLE exactly when Activated was entered, DISABLE exactly
 *     when it was left; since moves exactly when the state changes;
 *   - the old list with the ADDR_DEL/ADDR_ADD applied is the new list as
 *     a set (each DEL was held, each ADD was not); PORT_MOVE goes from
 *     the old port to the new one.
 * VAPs and tag space, after every event:
 *   - the same for errors (VAP, tag space and action list unchanged);
 *   - `used` equals the VIDs owned; every owned VID belongs to the VAP
 *     of its VN (as one of its tags) or to the outsider VN;
 *   - a DISCONNECTED VAP holds nothing; a CONNECTED one holds 1..MAX
 *     distinct tags it owns, its refs add up to num_tsi, it has TSIs or
 *     is pinned, and only a pinned VAP keeps a further tag nobody uses;
 *   - CONNECTED/DISCONNECTED actions exactly on those state changes,
 *     TAG_ADDED/TAG_REMOVED exactly for the tags gained and lost,
 *     DEASSOC_TSIS with the old count only on a disconnect with TSIs.
 *
 * Input: octets 0-1 = the tag range (lo 1..16, hi lo..lo+7, small so
 * that it runs out), then ops: an opcode octet and its operands (see
 * step()).  Running out of input ends the run.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nvo3/nvo3.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NVAP		3
#define OUTSIDER	99	/* a VN holding VIDs outside any VAP */
#define NPOOL		8

static struct nvo3_tsi tsi, tsnap;
static struct nvo3_tags tags, tagsnap;
static struct nvo3_vap vaps[NVAP], vsnap;
static unsigned outsider_vids;
static uint64_t now;

/* A small pool, so that lists repeat addresses and overlap. */
static const struct nvo3_addr pool[NPOOL] = {
	{ .family = 0, .mac = { 2, 0, 0, 0, 0, 1 } },
	{ .family = 0, .mac = { 2, 0, 0, 0, 0, 2 } },
	{ .family = 4, .ip = { 198, 51, 100, 1 } },
	{ .family = 4, .mac = { 2, 0, 0, 0, 0, 1 }, .ip = { 198, 51, 100, 1 } },
	{ .family = 6, .ip = { 0x20, 0x01, 0x0d, 0xb8, 1, 0, [15] = 1 } },
	{ .family = 6, .mac = { 2, 0, 0, 0, 0, 2 },
	    .ip = { 0x20, 0x01, 0x0d, 0xb8, 1, 0, [15] = 2 } },
	{ .family = 4, .ip = { 198, 51, 100, 1, 9, 9 } },	/* = [2] */
	{ .family = 7, .mac = { 2, 0, 0, 0, 0, 3 } },		/* bad */
};

struct input {
	const uint8_t	*p;
	size_t		 left;
};

static void
check(int ok)
{
	if (!ok)
		abort();
}

static bool
take(struct input *in, uint8_t *v)
{
	if (in->left == 0)
		return false;
	*v = *in->p++;
	in->left--;
	return true;
}

static bool
addr_in(const struct nvo3_addr *l, unsigned n, const struct nvo3_addr *a)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (nvo3_addr_equal(&l[i], a))
			return true;
	return false;
}

static unsigned
count_kind(const struct nvo3_tsi_acts *o, unsigned n0,
    enum nvo3_tsi_act_kind k)
{
	unsigned i, n = 0;

	for (i = n0; i < o->n; i++)
		n += o->a[i].kind == k;
	return n;
}

/* ---- TSI ----------------------------------------------------------------- */

static void
tsi_invariants(const struct nvo3_tsi *t)
{
	unsigned i;

	check((unsigned)t->state < NVO3_TSI__COUNT);
	check(t->naddr <= NVO3_TSI_MAX_ADDR);
	for (i = 0; i < t->naddr; i++) {
		check(t->addr[i].family == 0 || t->addr[i].family == 4 ||
		    t->addr[i].family == 6);
		check(!addr_in(t->addr, i, &t->addr[i]));
	}
	if (t->state == NVO3_TSI_INIT)
		check(t->naddr == 0 && t->vn == 0 && t->vid == 0);
	else
		check(t->vn != 0 && t->vn <= NVO3_VN_MAX);
}

static void
tsi_check_step(int rc, const struct nvo3_tsi_acts *o, unsigned n0)
{
	const struct nvo3_tsi *b = &tsnap, *t = &tsi;
	struct nvo3_addr set[2 * NVO3_TSI_MAX_ADDR];
	bool was_init = b->state == NVO3_TSI_INIT;
	bool is_init = t->state == NVO3_TSI_INIT;
	bool was_act = b->state == NVO3_TSI_ACTIVATED;
	bool is_act = t->state == NVO3_TSI_ACTIVATED;
	unsigned i, j, nset;

	/* a list already past its capacity is refused untouched */
	check(o->n <= NVO3_TSI_ACT_CAP || (rc == -EINVAL && o->n == n0));
	if (rc != 0) {
		check(rc == -ENOENT || rc == -EPERM || rc == -EXDEV ||
		    rc == -E2BIG || rc == -EINVAL || rc == -ENOBUFS);
		check(memcmp(b, t, sizeof(*t)) == 0);
		check(o->n == n0);
		return;
	}
	tsi_invariants(t);
	check(count_kind(o, n0, NVO3_TSIA_RESERVE) == (was_init && !is_init));
	check(count_kind(o, n0, NVO3_TSIA_RELEASE) == (!was_init && is_init));
	check(count_kind(o, n0, NVO3_TSIA_ENABLE) == (!was_act && is_act));
	check(count_kind(o, n0, NVO3_TSIA_DISABLE) == (was_act && !is_act));
	check(count_kind(o, n0, NVO3_TSIA_PORT_MOVE) <= 1);
	if (b->state != t->state)
		check(t->since == now);
	else
		check(t->since == b->since);
	check(memcmp(b->id, t->id, sizeof(t->id)) == 0);
	check(t->updates == b->updates || t->updates == b->updates + 1);
	/* replay the address actions on the old list */
	memcpy(set, b->addr, b->naddr * sizeof(set[0]));
	nset = b->naddr;
	for (i = n0; i < o->n; i++) {
		const struct nvo3_tsi_action *a = &o->a[i];

		switch (a->kind) {
		case NVO3_TSIA_ADDR_DEL:
			for (j = 0; j < nset; j++)
				if (nvo3_addr_equal(&set[j], &a->addr))
					break;
			check(j < nset);
			set[j] = set[--nset];
			break;
		case NVO3_TSIA_ADDR_ADD:
			check(!addr_in(set, nset, &a->addr));
			check(nset < 2 * NVO3_TSI_MAX_ADDR);
			set[nset++] = a->addr;
			break;
		case NVO3_TSIA_PORT_MOVE:
			check(a->old_port == b->port && a->port == t->port);
			check(a->port != a->old_port);
			break;
		case NVO3_TSIA_RESERVE:
		case NVO3_TSIA_RELEASE:
			check(a->port == t->port);
			break;
		default:
			check((unsigned)a->kind < NVO3_TSIA__COUNT);
			break;
		}
	}
	check(nset == t->naddr);
	for (i = 0; i < nset; i++)
		check(addr_in(t->addr, t->naddr, &set[i]));
	if (count_kind(o, n0, NVO3_TSIA_PORT_MOVE) == 0)
		check(t->port == b->port || was_init);
}

/* Event, then port, vn, vid, hints, list shape and pool indexes. */
static bool
tsi_op(struct input *in, uint8_t op)
{
	struct nvo3_addr list[NVO3_TSI_MAX_ADDR + 3];
	struct nvo3_tsi_req req;
	struct nvo3_tsi_acts out;
	uint8_t b[5], shape, idx;
	unsigned i, n;
	int rc;

	for (i = 0; i < 5; i++)
		if (!take(in, &b[i]))
			return false;
	memset(&req, 0, sizeof(req));
	req.port = b[0] % 3;
	req.vn = b[1] % 4 == 3 ? NVO3_VN_MAX + 1 : b[1] % 4;
	if (b[1] & 0x80)
		req.vn = tsi.vn;
	req.vid = b[2];
	req.hints = b[3] & 0x30;
	req.reason = b[3] & 7;
	shape = b[4];
	n = shape % (NVO3_TSI_MAX_ADDR + 3);
	if (!take(in, &idx))
		return false;
	for (i = 0; i < n; i++)
		list[i] = pool[((idx + i * (shape >> 5 | 1)) % NPOOL) %
		    ((shape & 0x10) ? NPOOL : NPOOL - 1)];
	req.naddr = (uint16_t)n;
	req.addr = (shape & 0x08) && n ? NULL : list;
	/* usually keep the list free of duplicates, so events succeed */
	if (!(shape & 0x04) && req.addr != NULL) {
		for (i = 0, n = 0; i < req.naddr; i++)
			if (!addr_in(list, n, &list[i]))
				list[n++] = list[i];
		req.naddr = (uint16_t)n;
	}
	memset(&out, 0, sizeof(out));
	out.n = (op & 0xf0) == 0x80 ?
	    (unsigned)(b[3] % (NVO3_TSI_ACT_CAP + 2)) : 0;
	memcpy(&tsnap, &tsi, sizeof(tsi));
	n = out.n;
	rc = nvo3_tsi_event(&tsi, now, (enum nvo3_tsi_event)(op % 7),
	    (op & 0xf0) == 0x90 ? NULL : &req, &out);
	tsi_check_step(rc, &out, n);
	return true;
}

/* ---- VAPs and tag space --------------------------------------------- */

static unsigned
vap_index(const struct nvo3_vap *v, uint16_t vid)
{
	unsigned i;

	for (i = 0; i < v->ntags; i++)
		if (v->tags[i] == vid)
			return i;
	return NVO3_VAP_MAX_TAGS;
}

static void
tags_invariants(void)
{
	unsigned vid, n = 0, k, held = 0;

	check(tags.owner[0] == 0 && tags.owner[4095] == 0);
	for (vid = NVO3_VID_MIN; vid <= NVO3_VID_MAX; vid++) {
		uint32_t o = tags.owner[vid];

		if (o == 0)
			continue;
		n++;
		if (o == OUTSIDER)
			continue;
		check(o >= 1 && o <= NVAP);
		check(nvo3_vap_has_tag(&vaps[o - 1], (uint16_t)vid));
	}
	check(tags.used == n);
	for (k = 0; k < NVAP; k++) {
		const struct nvo3_vap *v = &vaps[k];
		uint32_t sum = 0;
		unsigned i;

		check(v->vn == k + 1);
		if (v->state == NVO3_VAP_DISCONNECTED) {
			check(v->ntags == 0 && v->num_tsi == 0 &&
			    v->pinned == 0);
			continue;
		}
		check(v->state == NVO3_VAP_CONNECTED);
		check(v->ntags >= 1 && v->ntags <= NVO3_VAP_MAX_TAGS);
		check(v->num_tsi > 0 || v->pinned);
		for (i = 0; i < v->ntags; i++) {
			check(v->tags[i] >= NVO3_VID_MIN &&
			    v->tags[i] <= NVO3_VID_MAX);
			check(tags.owner[v->tags[i]] == v->vn);
			check(vap_index(v, v->tags[i]) == i);
			if (i > 0 && !v->pinned)
				check(v->refs[i] > 0);
			sum += v->refs[i];
		}
		check(sum == v->num_tsi);
		held += v->ntags;
	}
	check(held + outsider_vids == n);
}

static bool
has_act(const struct nvo3_vap_acts *o, unsigned n0,
    enum nvo3_vap_act_kind k, uint16_t vid)
{
	unsigned i;

	for (i = n0; i < o->n; i++)
		if (o->a[i].kind == k && o->a[i].vid == vid)
			return true;
	return false;
}

static void
vap_check_step(const struct nvo3_vap *v, int rc, int ev,
    const struct nvo3_vap_acts *o, unsigned n0)
{
	const struct nvo3_vap *b = &vsnap;
	bool was_c = b->state == NVO3_VAP_CONNECTED;
	bool is_c = v->state == NVO3_VAP_CONNECTED;
	unsigned i, conn = 0, disc = 0, deassoc = 0;

	check(o->n <= NVO3_VAP_ACT_CAP || (rc == -EINVAL && o->n == n0));
	if (rc < 0) {
		check(rc == -ENOENT || rc == -EINVAL || rc == -ENOSPC ||
		    rc == -EADDRINUSE || rc == -ERANGE || rc == -E2BIG ||
		    rc == -ENOBUFS);
		check(memcmp(b, v, sizeof(*v)) == 0);
		check(memcmp(&tagsnap, &tags, sizeof(tags)) == 0);
		check(o->n == n0);
		return;
	}
	if (ev == NVO3_VAPE_CONNECT || ev == NVO3_VAPE_TSI_ADD) {
		check(rc > 0 && nvo3_vap_has_tag(v, (uint16_t)rc));
		check(is_c);
		if (ev == NVO3_VAPE_CONNECT)
			check(v->pinned && v->num_tsi == b->num_tsi);
		else
			check(v->num_tsi == b->num_tsi + 1);
	} else if (ev == NVO3_VAPE_TSI_DEL) {
		check(rc == (is_c ? 0 : 1));
		check(v->num_tsi == b->num_tsi - 1 || !is_c);
	} else
		check(rc == 0 && !is_c);
	for (i = n0; i < o->n; i++) {
		const struct nvo3_vap_action *a = &o->a[i];

		switch (a->kind) {
		case NVO3_VAPA_CONNECTED:
			conn++;
			check(v->ntags >= 1 && a->vid == v->tags[0]);
			break;
		case NVO3_VAPA_TAG_ADDED:
			check(nvo3_vap_has_tag(v, a->vid));
			check(!nvo3_vap_has_tag(b, a->vid));
			check(tags.owner[a->vid] == v->vn);
			break;
		case NVO3_VAPA_TAG_REMOVED:
			check(nvo3_vap_has_tag(b, a->vid));
			check(!nvo3_vap_has_tag(v, a->vid));
			check(tags.owner[a->vid] == 0);
			break;
		case NVO3_VAPA_DEASSOC_TSIS:
			deassoc++;
			check(a->count == b->num_tsi && a->count > 0);
			check(ev == NVO3_VAPE_DISCONNECT);
			break;
		case NVO3_VAPA_DISCONNECTED:
			disc++;
			check(i == o->n - 1);
			break;
		default:
			check(0);
		}
	}
	check(conn == (!was_c && is_c));
	check(disc == (was_c && !is_c));
	check(deassoc == (ev == NVO3_VAPE_DISCONNECT && b->num_tsi > 0));
	if (was_c != is_c)
		check(v->since == now);
	else
		check(v->since == b->since);
	/* every tag gained or lost was announced */
	for (i = 0; i < v->ntags; i++)
		if (!nvo3_vap_has_tag(b, v->tags[i]))
			check(has_act(o, n0, NVO3_VAPA_TAG_ADDED, v->tags[i]) ||
			    has_act(o, n0, NVO3_VAPA_CONNECTED, v->tags[i]));
	for (i = 0; i < b->ntags; i++)
		if (!nvo3_vap_has_tag(v, b->tags[i]))
			check(has_act(o, n0, NVO3_VAPA_TAG_REMOVED,
			    b->tags[i]));
}

/* VAP, then VID selector and list fill. */
static bool
vap_op(struct input *in, uint8_t op)
{
	struct nvo3_vap_acts out;
	struct nvo3_vap *v;
	uint8_t b[2];
	uint16_t vid;
	unsigned n0;
	int ev, rc;

	if (!take(in, &b[0]) || !take(in, &b[1]))
		return false;
	v = &vaps[b[0] % NVAP];
	ev = (op >> 2) % NVO3_VAPE__COUNT;
	switch (b[1] & 3) {
	case 0:
		vid = 0;
		break;
	case 1:		/* near the range */
		vid = (uint16_t)(tags.lo + (b[1] >> 2) % 12);
		break;
	case 2:		/* one of the VAP's tags, if any */
		vid = v->ntags ? v->tags[(b[1] >> 2) % v->ntags] : 1;
		break;
	default:	/* anywhere, including 4095 and beyond */
		vid = (uint16_t)(4090 + (b[1] >> 2) % 10);
		break;
	}
	memset(&out, 0, sizeof(out));
	if (b[0] & 0x80)
		out.n = (b[1] >> 4) % (NVO3_VAP_ACT_CAP + 2);
	n0 = out.n;
	memcpy(&vsnap, v, sizeof(*v));
	memcpy(&tagsnap, &tags, sizeof(tags));
	switch (ev) {
	case NVO3_VAPE_CONNECT:
		rc = nvo3_vap_connect(v, &tags, vid, now, &out);
		break;
	case NVO3_VAPE_TSI_ADD:
		rc = nvo3_vap_tsi_add(v, &tags, vid, now, &out);
		break;
	case NVO3_VAPE_TSI_DEL:
		rc = nvo3_vap_tsi_del(v, &tags, vid, now, &out);
		break;
	default:
		rc = nvo3_vap_disconnect(v, &tags, now, &out);
		break;
	}
	if (rc == -EINVAL)	/* only for a bad action list here */
		check(n0 > NVO3_VAP_ACT_CAP);
	vap_check_step(v, rc, ev, &out, n0);
	tags_invariants();
	return true;
}

/* The outsider claims or releases a VID; or a reload moves the range. */
static bool
tags_op(struct input *in, uint8_t op)
{
	uint8_t b[2];
	uint16_t vid, lo, hi;
	int rc;

	if (!take(in, &b[0]) || !take(in, &b[1]))
		return false;
	vid = (uint16_t)(1 + (b[0] % 24));
	memcpy(&tagsnap, &tags, sizeof(tags));
	switch (op % 3) {
	case 0:
		rc = nvo3_tags_claim(&tags, OUTSIDER, vid);
		if (rc == 0 && tagsnap.owner[vid] == 0)
			outsider_vids++;
		check(rc == 0 || rc == -EADDRINUSE);
		break;
	case 1:
		rc = nvo3_tags_release(&tags, OUTSIDER, vid);
		if (rc == 0)
			outsider_vids--;
		check(rc == 0 || rc == -ENOENT);
		break;
	default:
		lo = (uint16_t)(b[0] % 20);
		hi = (uint16_t)(lo + b[1] % 12 - 2);
		rc = nvo3_tags_set_range(&tags, lo, hi);
		check(rc == 0 || rc == -EINVAL);
		if (rc == 0) {
			check(tags.lo == lo && tags.hi == hi);
			check(memcmp(tags.owner, tagsnap.owner,
			    sizeof(tags.owner)) == 0);
		}
		break;
	}
	if (rc < 0)
		check(memcmp(&tagsnap, &tags, sizeof(tags)) == 0);
	check(nvo3_tags_free(&tags) <= (unsigned)(tags.hi - tags.lo + 1));
	tags_invariants();
	return true;
}

/*
 * Ops by opcode octet: 0x00-0x9f TSI event (op % 7, so also one
 * unknown; 0x80-0x8f: a partly used action list; 0x90-0x9f: no
 * request), 0xa0-0xdf VAP event
 * ((op >> 2) % 4), 0xe0-0xef tag space, 0xf0-0xff advance time.
 */
static bool
step(struct input *in)
{
	uint8_t op, dt;

	if (!take(in, &op))
		return false;
	if (op < 0xa0)
		return tsi_op(in, op);
	if (op < 0xe0)
		return vap_op(in, op);
	if (op < 0xf0)
		return tags_op(in, op);
	if (!take(in, &dt))
		return false;
	now += dt;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t id[16] = { 0xfe, 0xed };
	struct input in = { data, size };
	uint8_t a, b;
	unsigned k;

	if (!take(&in, &a) || !take(&in, &b))
		return 0;
	now = 1;
	outsider_vids = 0;
	check(nvo3_tags_init(&tags, (uint16_t)(1 + a % 16),
	    (uint16_t)(1 + a % 16 + b % 8)) == 0);
	for (k = 0; k < NVAP; k++)
		nvo3_vap_init(&vaps[k], k + 1);
	nvo3_tsi_init(&tsi, 1, id, 0);
	while (step(&in))
		;
	return 0;
}
