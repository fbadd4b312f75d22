/*
 * test_util_hash.c - the intrusive hash map: insert, find by hash with the
 * caller's key compare, growth past the initial buckets, removal during a
 * walk, and colliding hashes kept apart by the key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "util/hash.h"

struct elem {
	struct hnode	 node;
	uint32_t	 key;
	int		 seen;
};

static struct elem *
find(struct hmap *m, uint32_t key, uint32_t h)
{
	struct hnode *n;

	HMAP_FOR_HASH(n, m, h) {
		struct elem *e = HMAP_CONTAINER(n, struct elem, node);

		if (e->key == key)
			return e;
	}
	return NULL;
}

static void
grow_find_remove(void **state)
{
	enum { N = 5000 };
	struct elem *e = calloc(N, sizeof(*e));
	struct hmap m;
	struct hmap_iter it;
	struct hnode *n;
	unsigned i, walked = 0;

	(void)state;
	assert_non_null(e);
	assert_int_equal(hmap_init(&m, 4), 0);
	for (i = 0; i < N; i++) {
		e[i].key = i * 7919u;
		assert_int_equal(hmap_insert(&m, &e[i].node,
		    hash_bytes(&e[i].key, 4, 0)), 0);
	}
	assert_int_equal(hmap_count(&m), N);
	assert_true(m.mask + 1 >= N);
	for (i = 0; i < N; i++) {
		uint32_t k = i * 7919u;

		assert_ptr_equal(find(&m, k, hash_bytes(&k, 4, 0)), &e[i]);
	}
	/* remove every odd element while walking */
	hmap_iter_init(&m, &it);
	while ((n = hmap_iter_next(&m, &it)) != NULL) {
		struct elem *x = HMAP_CONTAINER(n, struct elem, node);

		x->seen++;
		walked++;
		if ((x - e) % 2)
			hmap_remove(&m, n);
	}
	assert_int_equal(walked, N);
	assert_int_equal(hmap_count(&m), N / 2);
	for (i = 0; i < N; i++) {
		uint32_t k = i * 7919u;

		assert_int_equal(e[i].seen, 1);
		if (i % 2)
			assert_null(find(&m, k, hash_bytes(&k, 4, 0)));
		else
			assert_ptr_equal(find(&m, k, hash_bytes(&k, 4, 0)), &e[i]);
	}
	hmap_fini(&m);
	free(e);
}

static void
collisions(void **state)
{
	struct elem a = { .key = 1 }, b = { .key = 2 }, c = { .key = 3 };
	struct hmap m;

	(void)state;
	assert_int_equal(hmap_init(&m, 0), 0);
	/* all three under one hash: the key decides */
	assert_int_equal(hmap_insert(&m, &a.node, 42), 0);
	assert_int_equal(hmap_insert(&m, &b.node, 42), 0);
	assert_int_equal(hmap_insert(&m, &c.node, 42 + 8), 0);
	assert_ptr_equal(find(&m, 1, 42), &a);
	assert_ptr_equal(find(&m, 2, 42), &b);
	assert_null(find(&m, 3, 42));		/* same bucket, other hash */
	assert_ptr_equal(find(&m, 3, 50), &c);
	hmap_remove(&m, &a.node);
	assert_null(find(&m, 1, 42));
	assert_ptr_equal(find(&m, 2, 42), &b);
	hmap_fini(&m);
}

static void
hash_spreads(void **state)
{
	uint32_t k1 = 1, k2 = 2;

	(void)state;
	assert_int_not_equal(hash_bytes(&k1, 4, 0), hash_bytes(&k2, 4, 0));
	assert_int_not_equal(hash_bytes(&k1, 4, 0), hash_bytes(&k1, 4, 1));
	assert_int_equal(hash_bytes(&k1, 4, 7), hash_bytes(&k1, 4, 7));
	assert_int_not_equal(hash_add32(0, 1), hash_add32(0, 2));
}

int
main(void)
{
	const struct CMUnitTest t[] = {
		cmocka_unit_test(grow_find_remove),
		cmocka_unit_test(collisions),
		cmocka_unit_test(hash_spreads),
	};

	return cmocka_run_group_tests(t, NULL, NULL);
}
