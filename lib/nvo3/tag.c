/*
 * tag.c - the local VLAN tag space of one port or bridged domain on the
 * External NVE: which VN owns each VID, and the range VIDs are handed out
 * from when a station leaves the choice to the bridge (VID 0).
 *
 * Runs in nnved's control thread (vsi.c owns one struct nvo3_tags per
 * domain); pure: no I/O, no clock, no logging, no allocation.  Relies on
 * nothing but nvo3.h.  vap.c is the only caller inside the library.
 *
 * The rule (RFC 8394 section 3.1), in our words: the NVE gives every
 * connected VN a tag that is significant only on the link or the bridged
 * network between it and the end device; when the VN disconnects, the
 * tag may go to another VN.  Req-7 lets one VN hold several tags.
 * We differ in: nothing in the RFC says how tags are chosen; we always
 * give the lowest free VID of the configured range so that the choice is
 * predictable (tests, operators reading captures), and a station may
 * name any VID 1..4094 itself, inside the range or not.  A range change
 * (reload) never takes a tag away from its VN.
 *
 * owner[] is indexed by VID; owner[0] and owner[4095] stay 0.  `used`
 * counts every owned VID, so it is exact whatever the range is.
 */
#include <errno.h>
#include <string.h>

#include "nvo3/nvo3.h"

static bool
range_ok(uint16_t lo, uint16_t hi)
{
	return lo >= NVO3_VID_MIN && hi <= NVO3_VID_MAX && lo <= hi;
}

static bool
vn_ok(uint32_t vn)
{
	return vn != 0 && vn <= NVO3_VN_MAX;
}

/*
 * The VIDs lo..hi clipped to 1..4094, so that a map nobody initialised
 * (all zero) never hands out VID 0.
 */
static void
range_clip(const struct nvo3_tags *t, unsigned *lo, unsigned *hi)
{
	*lo = t->lo < NVO3_VID_MIN ? NVO3_VID_MIN : t->lo;
	*hi = t->hi > NVO3_VID_MAX ? NVO3_VID_MAX : t->hi;
}

int
nvo3_tags_init(struct nvo3_tags *t, uint16_t lo, uint16_t hi)
{
	if (!range_ok(lo, hi))
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->lo = lo;
	t->hi = hi;
	return 0;
}

int
nvo3_tags_set_range(struct nvo3_tags *t, uint16_t lo, uint16_t hi)
{
	if (!range_ok(lo, hi))
		return -EINVAL;
	t->lo = lo;
	t->hi = hi;
	return 0;
}

int
nvo3_tags_alloc(struct nvo3_tags *t, uint32_t vn)
{
	unsigned vid, lo, hi;

	if (!vn_ok(vn))
		return -EINVAL;
	range_clip(t, &lo, &hi);
	for (vid = lo; vid <= hi; vid++) {
		if (t->owner[vid] == 0) {
			t->owner[vid] = vn;
			t->used++;
			return (int)vid;
		}
	}
	return -ENOSPC;
}

int
nvo3_tags_claim(struct nvo3_tags *t, uint32_t vn, uint16_t vid)
{
	if (!vn_ok(vn))
		return -EINVAL;
	if (vid < NVO3_VID_MIN || vid > NVO3_VID_MAX)
		return -ERANGE;
	if (t->owner[vid] == vn)
		return 0;
	if (t->owner[vid] != 0)
		return -EADDRINUSE;
	t->owner[vid] = vn;
	t->used++;
	return 0;
}

int
nvo3_tags_release(struct nvo3_tags *t, uint32_t vn, uint16_t vid)
{
	if (vn == 0 || vid < NVO3_VID_MIN || vid > NVO3_VID_MAX ||
	    t->owner[vid] != vn)
		return -ENOENT;
	t->owner[vid] = 0;
	t->used--;
	return 0;
}

uint32_t
nvo3_tags_owner(const struct nvo3_tags *t, uint16_t vid)
{
	if (vid < NVO3_VID_MIN || vid > NVO3_VID_MAX)
		return 0;
	return t->owner[vid];
}

unsigned
nvo3_tags_free(const struct nvo3_tags *t)
{
	unsigned vid, lo, hi, n = 0;

	range_clip(t, &lo, &hi);
	for (vid = lo; vid <= hi; vid++)
		if (t->owner[vid] == 0)
			n++;
	return n;
}
