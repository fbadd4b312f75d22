/*
 * theap.h - a binary min-heap of deadlines (µs), the one timer queue of a
 * daemon behind one libuv deadline.
 *
 * A struct sn_timer lives inside its owner and records its heap slot, so
 * rescheduling and cancelling are O(log n) and nothing is allocated per
 * timer; the heap array grows by doubling.  The owner is found back from
 * the timer with HMAP_CONTAINER (util/hash.h) by kind.  Pure: no clock.
 */
#ifndef SPLITNVE_UTIL_THEAP_H
#define SPLITNVE_UTIL_THEAP_H

#include <stdint.h>

struct sn_timer {
	uint64_t	at;		/* TIME_NEVER: not in the heap */
	uint32_t	idx;		/* position in the heap */
	uint8_t		kind;		/* the owner's type, caller-defined */
};

struct sn_theap {
	struct sn_timer	**heap;
	uint32_t	len, cap;
};

/* A timer not in any heap (at = TIME_NEVER). */
void	sn_timer_init(struct sn_timer *t, uint8_t kind);
void	sn_theap_init(struct sn_theap *h);
/* Frees the array; the timers themselves belong to their owners. */
void	sn_theap_free(struct sn_theap *h);
/* (Re)schedules t at at (TIME_NEVER removes it).  0 or -ENOMEM. */
int	sn_theap_set(struct sn_theap *h, struct sn_timer *t, uint64_t at);
/* Removes t if scheduled. */
void	sn_theap_cancel(struct sn_theap *h, struct sn_timer *t);
/* The earliest deadline, TIME_NEVER when empty. */
uint64_t sn_theap_first(const struct sn_theap *h);
/* Removes and returns a timer due at now (at <= now), or NULL. */
struct sn_timer *sn_theap_pop_due(struct sn_theap *h, uint64_t now);

#endif /* SPLITNVE_UTIL_THEAP_H */
