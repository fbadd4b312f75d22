/*
 * vap.c - the VAP machine of RFC 8394 Figure 5: one instance per (port or
 * bridged domain, VN) on the External NVE.  Owns struct nvo3_vap: the
 * VN's state on that domain, its local tag(s) and how many TSIs use each,
 * Num_TSI_Associated, VN_Context and whether an explicit VN_Connect
 * pinned it.
 *
 * Runs in nnved's control thread (vsi.c, one per struct nnved_vap); pure:
 * no I/O, no clock (the caller passes "now"), no logging, no allocation.
 * Relies on tag.c for the tag space the VAP draws from; the caller's
 * action list says what to provision (nnved: datapath, NVA, station).
 *
 * The rule (RFC 8394 section 3.1 and Req-5/6/7), in our words: a VN is
 * connected on a domain either because the end device asked for it
 * (explicit VN_Connect) or because the first TSI of that VN associated
 * there (implicit).  Connecting gives the VN a local tag, reported back
 * to the end device; the VAP counts the TSIs associated through it.  A
 * VN_Disconnect, from the end device or from the NVE itself, releases
 * everything, and the tag may then serve another VN.
 * We differ in:
 *   - an implicit connection ends by itself when its last TSI leaves; an
 *     explicit one is "pinned" and stays at zero TSIs until an explicit
 *     VN_Disconnect;
 *   - a VN may hold up to NVO3_VAP_MAX_TAGS tags (Req-7): tags[0] is the
 *     primary, kept while connected; a further tag is claimed when a
 *     station names a VID the VN does not hold yet, and goes back as soon
 *     as no TSI uses it;
 *   - an NVE-initiated disconnect of a VN that still has TSIs asks the
 *     caller to de-associate them (DEASSOC_TSIS) rather than leaving them
 *     dangling.
 *
 *                      CONNECT / TSI_ADD (tag assigned or claimed)
 *   +----------------+ ----------------------------------> +-------------+
 *   | DISCONNECTED   |                                     | CONNECTED   |
 *   | no tag         | <---------------------------------- | tags[], TSIs|
 *   +----------------+  DISCONNECT, or TSI_DEL of the      +-------------+
 *                       last TSI of an unpinned VAP          |        ^
 *                                                            +--------+
 *                              CONNECT / TSI_ADD (a tag, perhaps a new
 *                              one), TSI_DEL (not the last, or pinned)
 *
 * Transitions (state x event, in vap_step()):
 *   DISCONNECTED + CONNECT    -> CONNECTED     vap_connect_new() (pinned)
 *   DISCONNECTED + TSI_ADD    -> CONNECTED     vap_connect_new() (counted)
 *   DISCONNECTED + TSI_DEL    -ENOENT
 *   DISCONNECTED + DISCONNECT -ENOENT
 *   CONNECTED    + CONNECT    -> CONNECTED     vap_use_tag() (pins)
 *   CONNECTED    + TSI_ADD    -> CONNECTED     vap_use_tag() (counted)
 *   CONNECTED    + TSI_DEL    -> CONNECTED     vap_tsi_gone()
 *   CONNECTED    + TSI_DEL, last TSI, unpinned -> DISCONNECTED vap_tsi_gone()
 *   CONNECTED    + DISCONNECT -> DISCONNECTED  vap_teardown()
 *
 * Every check comes before the first change, so an error leaves the VAP,
 * the tag space and the action list as they were.  The action list must
 * have room for what the call may append (NVO3_VAP_ACT_CAP from empty is
 * always enough); -ENOBUFS otherwise.
 */
#include <errno.h>
#include <string.h>

#include "nvo3/nvo3.h"

const char *const nvo3_vap_state_names[NVO3_VAP__COUNT] = {
	[NVO3_VAP_DISCONNECTED] = "DISCONNECTED",
	[NVO3_VAP_CONNECTED] = "CONNECTED",
};

const char *const nvo3_vap_event_names[NVO3_VAPE__COUNT] = {
	[NVO3_VAPE_CONNECT] = "connect",
	[NVO3_VAPE_TSI_ADD] = "tsi-add",
	[NVO3_VAPE_TSI_DEL] = "tsi-del",
	[NVO3_VAPE_DISCONNECT] = "disconnect",
};

const char *const nvo3_vap_act_names[NVO3_VAPA__COUNT] = {
	[NVO3_VAPA_CONNECTED] = "CONNECTED",
	[NVO3_VAPA_TAG_ADDED] = "TAG_ADDED",
	[NVO3_VAPA_TAG_REMOVED] = "TAG_REMOVED",
	[NVO3_VAPA_DEASSOC_TSIS] = "DEASSOC_TSIS",
	[NVO3_VAPA_DISCONNECTED] = "DISCONNECTED",
};

void
nvo3_vap_init(struct nvo3_vap *v, uint32_t vn)
{
	memset(v, 0, sizeof(*v));
	v->state = NVO3_VAP_DISCONNECTED;
	v->vn = vn;
	v->context = vn;
}

bool
nvo3_vap_has_tag(const struct nvo3_vap *v, uint16_t vid)
{
	unsigned i;

	for (i = 0; i < v->ntags && i < NVO3_VAP_MAX_TAGS; i++)
		if (v->tags[i] == vid)
			return true;
	return false;
}

/* Index of vid in tags[] (vid 0: the primary), or -1. */
static int
vap_tag_index(const struct nvo3_vap *v, uint16_t vid)
{
	unsigned i;

	if (v->ntags == 0)
		return -1;
	if (vid == 0)
		return 0;
	for (i = 0; i < v->ntags; i++)
		if (v->tags[i] == vid)
			return (int)i;
	return -1;
}

static void
vap_push(struct nvo3_vap_acts *out, enum nvo3_vap_act_kind kind,
    uint16_t vid, uint32_t count)
{
	struct nvo3_vap_action *a = &out->a[out->n++];

	a->kind = kind;
	a->vid = vid;
	a->count = count;
}

/* Gives every tag back to the domain, announcing each, in tags[] order. */
static void
vap_release_all(struct nvo3_vap *v, struct nvo3_tags *t,
    struct nvo3_vap_acts *out)
{
	unsigned i;

	for (i = 0; i < v->ntags; i++) {
		(void)nvo3_tags_release(t, v->vn, v->tags[i]);
		vap_push(out, NVO3_VAPA_TAG_REMOVED, v->tags[i], 0);
		v->tags[i] = 0;
		v->refs[i] = 0;
	}
	v->ntags = 0;
}

static void
vap_count(struct nvo3_vap *v, unsigned i, bool tsi)
{
	if (tsi) {
		v->num_tsi++;
		v->refs[i]++;
	} else
		v->pinned = 1;
}

/*
 * DISCONNECTED + CONNECT/TSI_ADD -> CONNECTED: assign (vid 0) or claim
 * the primary tag.  The only failure is the tag space's, before any
 * change.
 */
static int
vap_connect_new(struct nvo3_vap *v, struct nvo3_tags *t, uint16_t vid,
    uint64_t now, bool tsi, struct nvo3_vap_acts *out)
{
	int rc;

	if (vid == 0) {
		rc = nvo3_tags_alloc(t, v->vn);
		if (rc < 0)
			return rc;
		vid = (uint16_t)rc;
	} else if ((rc = nvo3_tags_claim(t, v->vn, vid)) < 0)
		return rc;
	v->ntags = 1;
	v->tags[0] = vid;
	v->refs[0] = 0;
	v->state = NVO3_VAP_CONNECTED;
	v->since = now;
	vap_count(v, 0, tsi);
	vap_push(out, NVO3_VAPA_CONNECTED, vid, 0);
	return vid;
}

/*
 * CONNECTED + CONNECT/TSI_ADD -> CONNECTED: the primary (vid 0), a tag
 * the VN holds, or a further tag claimed now (Req-7).
 */
static int
vap_use_tag(struct nvo3_vap *v, struct nvo3_tags *t, uint16_t vid,
    bool tsi, struct nvo3_vap_acts *out)
{
	int i = vap_tag_index(v, vid), rc;

	if (i < 0) {
		if (v->ntags >= NVO3_VAP_MAX_TAGS)
			return -E2BIG;
		if ((rc = nvo3_tags_claim(t, v->vn, vid)) < 0)
			return rc;
		i = v->ntags++;
		v->tags[i] = vid;
		v->refs[i] = 0;
		vap_push(out, NVO3_VAPA_TAG_ADDED, vid, 0);
	}
	vap_count(v, (unsigned)i, tsi);
	return v->tags[i];
}

/*
 * CONNECTED + TSI_DEL: uncount the TSI; a further tag nobody uses goes
 * back; the last TSI of an unpinned VAP disconnects it (returns 1).
 */
static int
vap_tsi_gone(struct nvo3_vap *v, struct nvo3_tags *t, uint16_t vid,
    uint64_t now, struct nvo3_vap_acts *out)
{
	int i = vap_tag_index(v, vid);

	if (v->num_tsi == 0 || i < 0 || v->refs[i] == 0)
		return -ENOENT;
	v->num_tsi--;
	v->refs[i]--;
	if (i > 0 && v->refs[i] == 0) {
		(void)nvo3_tags_release(t, v->vn, v->tags[i]);
		vap_push(out, NVO3_VAPA_TAG_REMOVED, v->tags[i], 0);
		memmove(&v->tags[i], &v->tags[i + 1],
		    (v->ntags - i - 1) * sizeof(v->tags[0]));
		memmove(&v->refs[i], &v->refs[i + 1],
		    (v->ntags - i - 1) * sizeof(v->refs[0]));
		v->ntags--;
		v->tags[v->ntags] = 0;
		v->refs[v->ntags] = 0;
	}
	if (v->num_tsi > 0 || v->pinned)
		return 0;
	vap_release_all(v, t, out);
	vap_push(out, NVO3_VAPA_DISCONNECTED, 0, 0);
	v->state = NVO3_VAP_DISCONNECTED;
	v->since = now;
	return 1;
}

/* CONNECTED + DISCONNECT -> DISCONNECTED (Req-5/Req-6). */
static int
vap_teardown(struct nvo3_vap *v, struct nvo3_tags *t, uint64_t now,
    struct nvo3_vap_acts *out)
{
	if (v->num_tsi > 0)
		vap_push(out, NVO3_VAPA_DEASSOC_TSIS, 0, v->num_tsi);
	vap_release_all(v, t, out);
	v->num_tsi = 0;
	v->pinned = 0;
	vap_push(out, NVO3_VAPA_DISCONNECTED, 0, 0);
	v->state = NVO3_VAP_DISCONNECTED;
	v->since = now;
	return 0;
}

/* The most actions ev may append in the VAP's present state. */
static unsigned
vap_room_needed(const struct nvo3_vap *v, enum nvo3_vap_event ev)
{
	switch (ev) {
	case NVO3_VAPE_CONNECT:
	case NVO3_VAPE_TSI_ADD:
		return 1;
	case NVO3_VAPE_TSI_DEL:
		return v->ntags + 1u;
	default:
		return v->ntags + 2u;
	}
}

/* The one state x event switch. */
static int
vap_step(struct nvo3_vap *v, struct nvo3_tags *t, enum nvo3_vap_event ev,
    uint16_t vid, uint64_t now, struct nvo3_vap_acts *out)
{
	if ((unsigned)ev >= NVO3_VAPE__COUNT || out == NULL ||
	    out->n > NVO3_VAP_ACT_CAP || v->ntags > NVO3_VAP_MAX_TAGS)
		return -EINVAL;
	if ((ev == NVO3_VAPE_CONNECT || ev == NVO3_VAPE_TSI_ADD) &&
	    vid > NVO3_VID_MAX)
		return -ERANGE;
	if (out->n + vap_room_needed(v, ev) > NVO3_VAP_ACT_CAP)
		return -ENOBUFS;
	switch (v->state) {
	case NVO3_VAP_DISCONNECTED:
		switch (ev) {
		case NVO3_VAPE_CONNECT:
		case NVO3_VAPE_TSI_ADD:
			return vap_connect_new(v, t, vid, now,
			    ev == NVO3_VAPE_TSI_ADD, out);
		default:
			return -ENOENT;
		}
	case NVO3_VAP_CONNECTED:
		switch (ev) {
		case NVO3_VAPE_CONNECT:
		case NVO3_VAPE_TSI_ADD:
			return vap_use_tag(v, t, vid,
			    ev == NVO3_VAPE_TSI_ADD, out);
		case NVO3_VAPE_TSI_DEL:
			return vap_tsi_gone(v, t, vid, now, out);
		default:
			return vap_teardown(v, t, now, out);
		}
	default:
		return -EINVAL;
	}
}

int
nvo3_vap_connect(struct nvo3_vap *v, struct nvo3_tags *t, uint16_t vid,
    uint64_t now, struct nvo3_vap_acts *out)
{
	return vap_step(v, t, NVO3_VAPE_CONNECT, vid, now, out);
}

int
nvo3_vap_tsi_add(struct nvo3_vap *v, struct nvo3_tags *t, uint16_t vid,
    uint64_t now, struct nvo3_vap_acts *out)
{
	return vap_step(v, t, NVO3_VAPE_TSI_ADD, vid, now, out);
}

int
nvo3_vap_tsi_del(struct nvo3_vap *v, struct nvo3_tags *t, uint16_t vid,
    uint64_t now, struct nvo3_vap_acts *out)
{
	return vap_step(v, t, NVO3_VAPE_TSI_DEL, vid, now, out);
}

int
nvo3_vap_disconnect(struct nvo3_vap *v, struct nvo3_tags *t, uint64_t now,
    struct nvo3_vap_acts *out)
{
	return vap_step(v, t, NVO3_VAPE_DISCONNECT, 0, now, out);
}
