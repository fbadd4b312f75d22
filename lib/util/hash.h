/*
 * hash.h - an intrusive chained hash map and the hash functions daemons
 * use for their tables (stations, VSIs, TSIs, VAPs, addresses).
 *
 * The element embeds a struct hnode; the caller computes the hash and
 * compares keys itself while walking one bucket (HMAP_FOR_HASH), so one
 * element can sit in several maps at once and nothing is copied.  The
 * bucket array doubles when the map holds more elements than buckets; that
 * is the only allocation.  Not thread-safe: one thread owns a map.
 */
#ifndef SPLITNVE_UTIL_HASH_H
#define SPLITNVE_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hnode {
	struct hnode	*next;
	uint32_t	 hash;
};

struct hmap {
	struct hnode	**b;		/* mask + 1 bucket heads */
	size_t		 mask;
	size_t		 n;		/* elements */
};

/* Starts empty with room for about hint elements.  0 or -ENOMEM. */
int	hmap_init(struct hmap *m, size_t hint);
/* Frees the buckets (not the elements). */
void	hmap_fini(struct hmap *m);
/* Links node under hash; grows first if needed (-ENOMEM: not linked). */
int	hmap_insert(struct hmap *m, struct hnode *node, uint32_t hash);
/* Unlinks a node that is in the map. */
void	hmap_remove(struct hmap *m, struct hnode *node);

static inline size_t
hmap_count(const struct hmap *m)
{
	return m->n;
}

/* First node of hash's bucket with that hash, then the next one. */
struct hnode *hmap_first_hash(const struct hmap *m, uint32_t hash);
struct hnode *hmap_next_hash(const struct hnode *node);

/*
 * Whole-map walk in bucket order: pos starts at 0.  Removing the node
 * just returned is allowed (the walk reads next before returning).
 */
struct hmap_iter {
	size_t		 bucket;
	struct hnode	*next;
};
void	hmap_iter_init(const struct hmap *m, struct hmap_iter *it);
struct hnode *hmap_iter_next(const struct hmap *m, struct hmap_iter *it);

#define HMAP_CONTAINER(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* Walks the nodes with this hash; the caller compares the key. */
#define HMAP_FOR_HASH(n, m, h) \
	for ((n) = hmap_first_hash((m), (h)); (n) != NULL; \
	    (n) = hmap_next_hash(n))

/* 32-bit hash of len octets (FNV-1a then a final avalanche). */
uint32_t hash_bytes(const void *p, size_t len, uint32_t basis);
/* Mixes a 32-bit word into a running hash. */
uint32_t hash_add32(uint32_t h, uint32_t w);

#endif /* SPLITNVE_UTIL_HASH_H */
