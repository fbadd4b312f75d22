/*
 * theap.c - the deadline min-heap of util/theap.h.
 *
 * Classic array heap ordered by ->at; each timer knows its slot so it can
 * be moved or removed without a search.  Ties keep no particular order.
 */
#include <errno.h>
#include <stdlib.h>

#include "util/mtime.h"
#include "util/theap.h"

void
sn_timer_init(struct sn_timer *t, uint8_t kind)
{
	t->at = TIME_NEVER;
	t->idx = 0;
	t->kind = kind;
}

void
sn_theap_init(struct sn_theap *h)
{
	h->heap = NULL;
	h->len = h->cap = 0;
}

void
sn_theap_free(struct sn_theap *h)
{
	for (uint32_t i = 0; i < h->len; i++)
		h->heap[i]->at = TIME_NEVER;
	free(h->heap);
	sn_theap_init(h);
}

static void
swap(struct sn_theap *h, uint32_t a, uint32_t b)
{
	struct sn_timer *t = h->heap[a];

	h->heap[a] = h->heap[b];
	h->heap[b] = t;
	h->heap[a]->idx = a;
	h->heap[b]->idx = b;
}

static void
up(struct sn_theap *h, uint32_t i)
{
	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (h->heap[p]->at <= h->heap[i]->at)
			break;
		swap(h, p, i);
		i = p;
	}
}

static void
down(struct sn_theap *h, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < h->len && h->heap[l]->at < h->heap[m]->at)
			m = l;
		if (r < h->len && h->heap[r]->at < h->heap[m]->at)
			m = r;
		if (m == i)
			return;
		swap(h, i, m);
		i = m;
	}
}

void
sn_theap_cancel(struct sn_theap *h, struct sn_timer *t)
{
	uint32_t i, last;

	if (t->at == TIME_NEVER)
		return;
	i = t->idx;
	last = h->len - 1;
	if (i != last) {
		swap(h, i, last);
		h->len--;
		down(h, i);
		up(h, i);
	} else {
		h->len--;
	}
	t->at = TIME_NEVER;
}

int
sn_theap_set(struct sn_theap *h, struct sn_timer *t, uint64_t at)
{
	if (at == TIME_NEVER) {
		sn_theap_cancel(h, t);
		return 0;
	}
	if (t->at != TIME_NEVER) {
		uint64_t old = t->at;

		t->at = at;
		if (at < old)
			up(h, t->idx);
		else
			down(h, t->idx);
		return 0;
	}
	if (h->len == h->cap) {
		uint32_t ncap = h->cap ? h->cap * 2 : 1024;
		struct sn_timer **nh = realloc(h->heap, ncap * sizeof(*nh));

		if (nh == NULL)
			return -ENOMEM;
		h->heap = nh;
		h->cap = ncap;
	}
	t->at = at;
	t->idx = h->len;
	h->heap[h->len++] = t;
	up(h, t->idx);
	return 0;
}

uint64_t
sn_theap_first(const struct sn_theap *h)
{
	return h->len ? h->heap[0]->at : TIME_NEVER;
}

struct sn_timer *
sn_theap_pop_due(struct sn_theap *h, uint64_t now)
{
	struct sn_timer *t;

	if (h->len == 0 || h->heap[0]->at > now)
		return NULL;
	t = h->heap[0];
	sn_theap_cancel(h, t);
	return t;
}
