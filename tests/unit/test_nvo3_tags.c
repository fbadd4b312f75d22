/*
 * test_nvo3_tags.c - the local tag space (lib/nvo3/tag.c) and the edges
 * of the VAP machine that draws from it (vap.c): every refusal with its
 * errno, lowest-free assignment, range changes that keep owners, the
 * exact `used` count, and VAP calls that must change nothing when they
 * fail.  The VAP's protocol paths are in tests/fsm/nvo3_vap/.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nvo3/nvo3.h"

static struct nvo3_tags tags, snap;

/* Counts owned VIDs the slow way. */
static unsigned
owned(const struct nvo3_tags *t)
{
	unsigned vid, n = 0;

	for (vid = 0; vid < 4096; vid++)
		if (t->owner[vid] != 0)
			n++;
	return n;
}

static void
test_init_ranges(void **state)
{
	(void)state;
	assert_int_equal(nvo3_tags_init(&tags, 0, 10), -EINVAL);
	assert_int_equal(nvo3_tags_init(&tags, 1, 4095), -EINVAL);
	assert_int_equal(nvo3_tags_init(&tags, 11, 10), -EINVAL);
	assert_int_equal(nvo3_tags_init(&tags, 1, 4094), 0);
	assert_int_equal(tags.lo, 1);
	assert_int_equal(tags.hi, 4094);
	assert_int_equal(tags.used, 0);
	assert_int_equal(nvo3_tags_free(&tags), 4094);
	assert_int_equal(nvo3_tags_init(&tags, 7, 7), 0);
	assert_int_equal(nvo3_tags_free(&tags), 1);
	/* init forgets every owner */
	assert_int_equal(nvo3_tags_claim(&tags, 5, 3000), 0);
	assert_int_equal(nvo3_tags_init(&tags, 7, 7), 0);
	assert_int_equal(nvo3_tags_owner(&tags, 3000), 0);
	assert_int_equal(tags.used, 0);
}

static void
test_alloc_lowest_free(void **state)
{
	(void)state;
	assert_int_equal(nvo3_tags_init(&tags, 100, 103), 0);
	assert_int_equal(nvo3_tags_alloc(&tags, 0), -EINVAL);
	assert_int_equal(nvo3_tags_alloc(&tags, NVO3_VN_MAX + 1), -EINVAL);
	assert_int_equal(tags.used, 0);
	assert_int_equal(nvo3_tags_alloc(&tags, 1), 100);
	assert_int_equal(nvo3_tags_alloc(&tags, NVO3_VN_MAX), 101);
	/* a hole below the next free one is filled first */
	assert_int_equal(nvo3_tags_release(&tags, 1, 100), 0);
	assert_int_equal(nvo3_tags_claim(&tags, 3, 103), 0);
	assert_int_equal(nvo3_tags_alloc(&tags, 2), 100);
	assert_int_equal(nvo3_tags_alloc(&tags, 2), 102);
	assert_int_equal(nvo3_tags_free(&tags), 0);
	memcpy(&snap, &tags, sizeof(tags));
	assert_int_equal(nvo3_tags_alloc(&tags, 4), -ENOSPC);
	assert_memory_equal(&snap, &tags, sizeof(tags));
	assert_int_equal(tags.used, 4);
	assert_int_equal(owned(&tags), 4);
	assert_int_equal(nvo3_tags_owner(&tags, 100), 2);
	assert_int_equal(nvo3_tags_owner(&tags, 101), NVO3_VN_MAX);
	assert_int_equal(nvo3_tags_owner(&tags, 102), 2);
	assert_int_equal(nvo3_tags_owner(&tags, 103), 3);
}

static void
test_claim(void **state)
{
	(void)state;
	assert_int_equal(nvo3_tags_init(&tags, 100, 200), 0);
	memcpy(&snap, &tags, sizeof(tags));
	assert_int_equal(nvo3_tags_claim(&tags, 0, 150), -EINVAL);
	assert_int_equal(nvo3_tags_claim(&tags, NVO3_VN_MAX + 1, 150),
	    -EINVAL);
	assert_int_equal(nvo3_tags_claim(&tags, 1, 0), -ERANGE);
	assert_int_equal(nvo3_tags_claim(&tags, 1, 4095), -ERANGE);
	assert_int_equal(nvo3_tags_claim(&tags, 1, 0xffff), -ERANGE);
	assert_memory_equal(&snap, &tags, sizeof(tags));
	/* both ends of 1..4094, outside the range */
	assert_int_equal(nvo3_tags_claim(&tags, 1, 1), 0);
	assert_int_equal(nvo3_tags_claim(&tags, 1, 4094), 0);
	assert_int_equal(tags.used, 2);
	/* again by the owner: 0, counted once */
	assert_int_equal(nvo3_tags_claim(&tags, 1, 4094), 0);
	assert_int_equal(tags.used, 2);
	assert_int_equal(nvo3_tags_claim(&tags, 2, 4094), -EADDRINUSE);
	assert_int_equal(nvo3_tags_owner(&tags, 4094), 1);
	/* claims outside the range do not eat the range */
	assert_int_equal(nvo3_tags_free(&tags), 101);
	assert_int_equal(nvo3_tags_claim(&tags, 2, 150), 0);
	assert_int_equal(nvo3_tags_free(&tags), 100);
	assert_int_equal(tags.used, 3);
	assert_int_equal(owned(&tags), 3);
}

static void
test_release(void **state)
{
	(void)state;
	assert_int_equal(nvo3_tags_init(&tags, 100, 200), 0);
	assert_int_equal(nvo3_tags_claim(&tags, 7, 120), 0);
	memcpy(&snap, &tags, sizeof(tags));
	assert_int_equal(nvo3_tags_release(&tags, 8, 120), -ENOENT);
	assert_int_equal(nvo3_tags_release(&tags, 0, 120), -ENOENT);
	assert_int_equal(nvo3_tags_release(&tags, 7, 121), -ENOENT);
	assert_int_equal(nvo3_tags_release(&tags, 0, 121), -ENOENT);
	assert_int_equal(nvo3_tags_release(&tags, 7, 0), -ENOENT);
	assert_int_equal(nvo3_tags_release(&tags, 7, 4095), -ENOENT);
	assert_int_equal(nvo3_tags_release(&tags, 7, 0xffff), -ENOENT);
	assert_memory_equal(&snap, &tags, sizeof(tags));
	assert_int_equal(nvo3_tags_release(&tags, 7, 120), 0);
	assert_int_equal(tags.used, 0);
	assert_int_equal(nvo3_tags_owner(&tags, 120), 0);
	assert_int_equal(nvo3_tags_release(&tags, 7, 120), -ENOENT);
	assert_int_equal(tags.used, 0);
}

static void
test_owner_bounds(void **state)
{
	(void)state;
	assert_int_equal(nvo3_tags_init(&tags, 1, 4094), 0);
	/* owner[] entries out of 1..4094 are never reported */
	tags.owner[0] = 9;
	tags.owner[4095] = 9;
	assert_int_equal(nvo3_tags_owner(&tags, 0), 0);
	assert_int_equal(nvo3_tags_owner(&tags, 4095), 0);
	assert_int_equal(nvo3_tags_owner(&tags, 0xffff), 0);
	tags.owner[0] = tags.owner[4095] = 0;
	/* an all-zero map (never initialised) hands out VID 1, never 0 */
	memset(&tags, 0, sizeof(tags));
	assert_int_equal(nvo3_tags_free(&tags), 0);
	assert_int_equal(nvo3_tags_alloc(&tags, 1), -ENOSPC);
	assert_int_equal(tags.owner[0], 0);
}

static void
test_set_range(void **state)
{
	(void)state;
	assert_int_equal(nvo3_tags_init(&tags, 100, 199), 0);
	assert_int_equal(nvo3_tags_alloc(&tags, 1), 100);
	assert_int_equal(nvo3_tags_alloc(&tags, 2), 101);
	memcpy(&snap, &tags, sizeof(tags));
	assert_int_equal(nvo3_tags_set_range(&tags, 0, 10), -EINVAL);
	assert_int_equal(nvo3_tags_set_range(&tags, 10, 4095), -EINVAL);
	assert_int_equal(nvo3_tags_set_range(&tags, 20, 10), -EINVAL);
	assert_memory_equal(&snap, &tags, sizeof(tags));
	/* narrowed past the tags in use: they stay owned and counted */
	assert_int_equal(nvo3_tags_set_range(&tags, 101, 102), 0);
	assert_int_equal(tags.lo, 101);
	assert_int_equal(tags.hi, 102);
	assert_int_equal(nvo3_tags_owner(&tags, 100), 1);
	assert_int_equal(nvo3_tags_owner(&tags, 101), 2);
	assert_int_equal(tags.used, 2);
	assert_int_equal(nvo3_tags_free(&tags), 1);
	assert_int_equal(nvo3_tags_alloc(&tags, 3), 102);
	assert_int_equal(nvo3_tags_alloc(&tags, 3), -ENOSPC);
	/* the old tag can still be given back */
	assert_int_equal(nvo3_tags_release(&tags, 1, 100), 0);
	assert_int_equal(tags.used, 2);
	assert_int_equal(owned(&tags), 2);
	assert_int_equal(nvo3_tags_alloc(&tags, 3), -ENOSPC);
}

/* ---- VAP edges --------------------------------------------------------- */

static void
test_vap_init(void **state)
{
	struct nvo3_vap v;

	(void)state;
	memset(&v, 0xa5, sizeof(v));
	nvo3_vap_init(&v, 10001);
	assert_int_equal(v.state, NVO3_VAP_DISCONNECTED);
	assert_int_equal(v.vn, 10001);
	assert_int_equal(v.context, 10001);
	assert_int_equal(v.ntags, 0);
	assert_int_equal(v.num_tsi, 0);
	assert_int_equal(v.pinned, 0);
	assert_int_equal(v.since, 0);
	assert_false(nvo3_vap_has_tag(&v, 0));
	assert_string_equal(nvo3_vap_state_names[NVO3_VAP_CONNECTED],
	    "CONNECTED");
	assert_string_equal(nvo3_vap_event_names[NVO3_VAPE_TSI_DEL],
	    "tsi-del");
	assert_string_equal(nvo3_vap_act_names[NVO3_VAPA_DEASSOC_TSIS],
	    "DEASSOC_TSIS");
}

/* A failing call leaves VAP, tag space and action list alone. */
static void
expect_vap_unchanged(int rc, int want, const struct nvo3_vap *v,
    const struct nvo3_vap *vsnap, const struct nvo3_vap_acts *acts,
    unsigned n)
{
	assert_int_equal(rc, want);
	assert_memory_equal(v, vsnap, sizeof(*v));
	assert_memory_equal(&tags, &snap, sizeof(tags));
	assert_int_equal(acts->n, n);
}

static void
test_vap_errors(void **state)
{
	struct nvo3_vap v, vs, bad;
	struct nvo3_vap_acts acts = { .n = 0 };
	int rc;

	(void)state;
	assert_int_equal(nvo3_tags_init(&tags, 100, 100), 0);
	nvo3_vap_init(&v, 10001);
	memcpy(&vs, &v, sizeof(v));
	memcpy(&snap, &tags, sizeof(tags));
	rc = nvo3_vap_tsi_del(&v, &tags, 0, 1, &acts);
	expect_vap_unchanged(rc, -ENOENT, &v, &vs, &acts, 0);
	rc = nvo3_vap_disconnect(&v, &tags, 1, &acts);
	expect_vap_unchanged(rc, -ENOENT, &v, &vs, &acts, 0);
	rc = nvo3_vap_connect(&v, &tags, 4095, 1, &acts);
	expect_vap_unchanged(rc, -ERANGE, &v, &vs, &acts, 0);
	rc = nvo3_vap_tsi_add(&v, &tags, 4095, 1, &acts);
	expect_vap_unchanged(rc, -ERANGE, &v, &vs, &acts, 0);
	rc = nvo3_vap_connect(&v, &tags, 0, 1, NULL);
	expect_vap_unchanged(rc, -EINVAL, &v, &vs, &acts, 0);
	/* a VAP for VN 0 cannot take a tag */
	nvo3_vap_init(&bad, 0);
	assert_int_equal(nvo3_vap_tsi_add(&bad, &tags, 0, 1, &acts),
	    -EINVAL);
	assert_int_equal(nvo3_vap_tsi_add(&bad, &tags, 100, 1, &acts),
	    -EINVAL);
	assert_int_equal(bad.state, NVO3_VAP_DISCONNECTED);
	/* a full action list: -ENOBUFS before anything changes */
	acts.n = NVO3_VAP_ACT_CAP;
	rc = nvo3_vap_tsi_add(&v, &tags, 0, 1, &acts);
	expect_vap_unchanged(rc, -ENOBUFS, &v, &vs, &acts, NVO3_VAP_ACT_CAP);
	acts.n = NVO3_VAP_ACT_CAP + 1;
	rc = nvo3_vap_tsi_add(&v, &tags, 0, 1, &acts);
	expect_vap_unchanged(rc, -EINVAL, &v, &vs, &acts,
	    NVO3_VAP_ACT_CAP + 1);
	acts.n = 0;

	/* connected, on the only VID of the range */
	assert_int_equal(nvo3_vap_tsi_add(&v, &tags, 0, 5, &acts), 100);
	assert_int_equal(acts.n, 1);
	assert_int_equal(acts.a[0].kind, NVO3_VAPA_CONNECTED);
	assert_int_equal(acts.a[0].vid, 100);
	assert_true(nvo3_vap_has_tag(&v, 100));
	assert_false(nvo3_vap_has_tag(&v, 0));
	assert_int_equal(v.since, 5);
	acts.n = 0;
	assert_int_equal(nvo3_tags_claim(&tags, 77, 200), 0);
	memcpy(&vs, &v, sizeof(v));
	memcpy(&snap, &tags, sizeof(tags));
	rc = nvo3_vap_tsi_add(&v, &tags, 200, 6, &acts);
	expect_vap_unchanged(rc, -EADDRINUSE, &v, &vs, &acts, 0);
	rc = nvo3_vap_tsi_del(&v, &tags, 200, 6, &acts);
	expect_vap_unchanged(rc, -ENOENT, &v, &vs, &acts, 0);
	rc = nvo3_vap_tsi_del(&v, &tags, 4095, 6, &acts);
	expect_vap_unchanged(rc, -ENOENT, &v, &vs, &acts, 0);
	/* disconnect may need 1 + 1 + 1 actions: two free slots are short */
	acts.n = NVO3_VAP_ACT_CAP - 2;
	rc = nvo3_vap_disconnect(&v, &tags, 6, &acts);
	expect_vap_unchanged(rc, -ENOBUFS, &v, &vs, &acts,
	    NVO3_VAP_ACT_CAP - 2);
	acts.n = NVO3_VAP_ACT_CAP - 3;
	assert_int_equal(nvo3_vap_disconnect(&v, &tags, 7, &acts), 0);
	assert_int_equal(acts.n, NVO3_VAP_ACT_CAP);
	assert_int_equal(acts.a[NVO3_VAP_ACT_CAP - 3].kind,
	    NVO3_VAPA_DEASSOC_TSIS);
	assert_int_equal(acts.a[NVO3_VAP_ACT_CAP - 3].count, 1);
	assert_int_equal(acts.a[NVO3_VAP_ACT_CAP - 2].kind,
	    NVO3_VAPA_TAG_REMOVED);
	assert_int_equal(acts.a[NVO3_VAP_ACT_CAP - 1].kind,
	    NVO3_VAPA_DISCONNECTED);
	assert_int_equal(tags.used, 1);		/* VN 77's claim */
	assert_int_equal(nvo3_tags_owner(&tags, 100), 0);
}

/* The most a call can append fits in NVO3_VAP_ACT_CAP from empty. */
static void
test_vap_worst_case(void **state)
{
	struct nvo3_vap v;
	struct nvo3_vap_acts acts = { .n = 0 };
	unsigned i;

	(void)state;
	assert_int_equal(nvo3_tags_init(&tags, 100, 4000), 0);
	nvo3_vap_init(&v, 5);
	assert_int_equal(nvo3_vap_connect(&v, &tags, 0, 1, &acts), 100);
	for (i = 1; i < NVO3_VAP_MAX_TAGS; i++)
		assert_int_equal(nvo3_vap_tsi_add(&v, &tags,
		    (uint16_t)(1000 + i), 1, &acts), (int)(1000 + i));
	assert_int_equal(v.ntags, NVO3_VAP_MAX_TAGS);
	assert_int_equal(tags.used, NVO3_VAP_MAX_TAGS);
	acts.n = 0;
	assert_int_equal(nvo3_vap_disconnect(&v, &tags, 2, &acts), 0);
	assert_int_equal(acts.n, NVO3_VAP_MAX_TAGS + 2);
	assert_int_equal(acts.a[0].count, NVO3_VAP_MAX_TAGS - 1);
	assert_int_equal(acts.a[1].vid, 100);
	assert_int_equal(acts.a[2].vid, 1001);
	assert_int_equal(tags.used, 0);
	assert_int_equal(v.num_tsi, 0);
	assert_int_equal(v.pinned, 0);
	for (i = 0; i < NVO3_VAP_MAX_TAGS; i++)
		assert_int_equal(v.refs[i], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_ranges),
		cmocka_unit_test(test_alloc_lowest_free),
		cmocka_unit_test(test_claim),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_owner_bounds),
		cmocka_unit_test(test_set_range),
		cmocka_unit_test(test_vap_init),
		cmocka_unit_test(test_vap_errors),
		cmocka_unit_test(test_vap_worst_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
