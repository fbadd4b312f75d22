/*
 * hash.c - the intrusive hash map of hash.h.  Pure; any thread may use
 * its own maps.  Buckets are a power of two so the index is hash & mask;
 * the hash functions end with an avalanche step so low bits are good.
 */
#include <errno.h>
#include <stdlib.h>

#include "util/hash.h"

static size_t
pow2_at_least(size_t n)
{
	size_t p = 8;

	while (p < n && p < ((size_t)1 << (sizeof(size_t) * 8 - 2)))
		p <<= 1;
	return p;
}

int
hmap_init(struct hmap *m, size_t hint)
{
	size_t nb = pow2_at_least(hint);

	m->b = calloc(nb, sizeof(*m->b));
	if (m->b == NULL) {
		m->mask = 0;
		m->n = 0;
		return -ENOMEM;
	}
	m->mask = nb - 1;
	m->n = 0;
	return 0;
}

void
hmap_fini(struct hmap *m)
{
	free(m->b);
	m->b = NULL;
	m->mask = 0;
	m->n = 0;
}

static int
hmap_grow(struct hmap *m)
{
	size_t nb = (m->mask + 1) * 2, i;
	struct hnode **nbk = calloc(nb, sizeof(*nbk));

	if (nbk == NULL)
		return -ENOMEM;
	for (i = 0; i <= m->mask; i++) {
		struct hnode *n = m->b[i], *next;

		for (; n != NULL; n = next) {
			next = n->next;
			n->next = nbk[n->hash & (nb - 1)];
			nbk[n->hash & (nb - 1)] = n;
		}
	}
	free(m->b);
	m->b = nbk;
	m->mask = nb - 1;
	return 0;
}

int
hmap_insert(struct hmap *m, struct hnode *node, uint32_t hash)
{
	struct hnode **head;

	if (m->b == NULL)
		return -ENOMEM;
	if (m->n >= m->mask + 1 && hmap_grow(m) < 0)
		return -ENOMEM;
	node->hash = hash;
	head = &m->b[hash & m->mask];
	node->next = *head;
	*head = node;
	m->n++;
	return 0;
}

void
hmap_remove(struct hmap *m, struct hnode *node)
{
	struct hnode **pp = &m->b[node->hash & m->mask];

	for (; *pp != NULL; pp = &(*pp)->next)
		if (*pp == node) {
			*pp = node->next;
			node->next = NULL;
			m->n--;
			return;
		}
}

struct hnode *
hmap_first_hash(const struct hmap *m, uint32_t hash)
{
	struct hnode *n;

	if (m->b == NULL)
		return NULL;
	for (n = m->b[hash & m->mask]; n != NULL; n = n->next)
		if (n->hash == hash)
			return n;
	return NULL;
}

struct hnode *
hmap_next_hash(const struct hnode *node)
{
	struct hnode *n;

	for (n = node->next; n != NULL; n = n->next)
		if (n->hash == node->hash)
			return n;
	return NULL;
}

void
hmap_iter_init(const struct hmap *m, struct hmap_iter *it)
{
	it->bucket = 0;
	it->next = m->b != NULL ? m->b[0] : NULL;
}

struct hnode *
hmap_iter_next(const struct hmap *m, struct hmap_iter *it)
{
	struct hnode *n;

	if (m->b == NULL)
		return NULL;
	while (it->next == NULL) {
		if (++it->bucket > m->mask)
			return NULL;
		it->next = m->b[it->bucket];
	}
	n = it->next;
	it->next = n->next;
	return n;
}

static uint32_t
avalanche(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

uint32_t
hash_bytes(const void *p, size_t len, uint32_t basis)
{
	const uint8_t *b = p;
	uint32_t h = 2166136261u ^ basis;

	while (len--) {
		h ^= *b++;
		h *= 16777619u;
	}
	return avalanche(h);
}

uint32_t
hash_add32(uint32_t h, uint32_t w)
{
	return avalanche(h ^ (w * 0x9e3779b1u));
}
