/*
 * timers.c - every deadline nnved has (per-VSI VDP timers, per-station
 * ECP ack timers, per-port LLDP timers) in one binary min-heap, behind
 * one libuv deadline (lib/loop sn_deadline).
 *
 * Runs in nnved's only thread.  A struct nnved_timer lives inside its
 * owner (struct nnved_vsi, nnved_station, nnved_port) and records its
 * heap slot, so rescheduling and cancelling are O(log n) and nothing is
 * allocated per timer; the heap array grows by doubling.  timer_run()
 * hands each due timer to its owner by kind (HMAP_CONTAINER).  With
 * 100,000 VSIs the control loop never walks them all to find the next
 * deadline, as vdpdiag's linear scan would.
 */
#include <errno.h>
#include <stdlib.h>

#include "nnved.h"
#include "util/mtime.h"

static void
heap_swap(struct nnved *d, uint32_t a, uint32_t b)
{
	struct nnved_timer *t = d->heap[a];

	d->heap[a] = d->heap[b];
	d->heap[b] = t;
	d->heap[a]->idx = a;
	d->heap[b]->idx = b;
}

static void
heap_up(struct nnved *d, uint32_t i)
{
	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (d->heap[p]->at <= d->heap[i]->at)
			break;
		heap_swap(d, p, i);
		i = p;
	}
}

static void
heap_down(struct nnved *d, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < d->heap_len && d->heap[l]->at < d->heap[m]->at)
			m = l;
		if (r < d->heap_len && d->heap[r]->at < d->heap[m]->at)
			m = r;
		if (m == i)
			return;
		heap_swap(d, i, m);
		i = m;
	}
}

void
timer_cancel(struct nnved *d, struct nnved_timer *t)
{
	uint32_t i, last;

	if (t->at == TIME_NEVER)
		return;
	i = t->idx;
	last = d->heap_len - 1;
	if (i != last) {
		heap_swap(d, i, last);
		d->heap_len--;
		heap_down(d, i);
		heap_up(d, i);
	} else {
		d->heap_len--;
	}
	t->at = TIME_NEVER;
}

int
timer_set(struct nnved *d, struct nnved_timer *t, uint64_t at)
{
	if (at == TIME_NEVER) {
		timer_cancel(d, t);
		return 0;
	}
	if (t->at != TIME_NEVER) {
		uint64_t old = t->at;

		t->at = at;
		if (at < old)
			heap_up(d, t->idx);
		else
			heap_down(d, t->idx);
		return 0;
	}
	if (d->heap_len == d->heap_cap) {
		uint32_t ncap = d->heap_cap ? d->heap_cap * 2 : 1024;
		struct nnved_timer **nh = realloc(d->heap, ncap * sizeof(*nh));

		if (nh == NULL)
			return -ENOMEM;
		d->heap = nh;
		d->heap_cap = ncap;
	}
	t->at = at;
	t->idx = d->heap_len;
	d->heap[d->heap_len++] = t;
	heap_up(d, t->idx);
	return 0;
}

void
timer_run(struct nnved *d, uint64_t now)
{
	/* bound the work of one call; the rest runs on the next wake-up */
	unsigned budget = 65536;

	while (d->heap_len > 0 && d->heap[0]->at <= now && budget-- > 0) {
		struct nnved_timer *t = d->heap[0];

		timer_cancel(d, t);
		switch (t->kind) {
		case NNVED_T_VSI:
			vsi_timer(HMAP_CONTAINER(t, struct nnved_vsi, timer), now);
			break;
		case NNVED_T_STATION:
			port_station_timer(HMAP_CONTAINER(t,
			    struct nnved_station, ecp_timer), now);
			break;
		case NNVED_T_PORT:
			port_lldp_timer(HMAP_CONTAINER(t, struct nnved_port,
			    lldp_timer), now);
			break;
		default:
			break;
		}
	}
}

void
timer_arm(struct nnved *d)
{
	sn_deadline_set(&d->deadline, d->heap_len ? d->heap[0]->at :
	    TIME_NEVER);
}
