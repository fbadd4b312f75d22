/*
 * mtime.h - monotonic time for daemons.
 *
 * Everything time-driven in splitnve (ECP retransmission, VDP keep-alive,
 * NVA timers) runs on CLOCK_MONOTONIC microseconds held in a uint64_t.
 * Codecs and state machines never call this: their callers pass "now" in.
 */
#ifndef SPLITNVE_UTIL_MTIME_H
#define SPLITNVE_UTIL_MTIME_H

#include <stdint.h>
#include <time.h>

#define USEC_PER_MSEC	1000ULL
#define USEC_PER_SEC	1000000ULL
/* "no deadline" value returned by state machines with no timer armed. */
#define TIME_NEVER	UINT64_MAX

static inline uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

static inline uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The IEEE 802.1Q EVB time unit: 10 us * 2^exp.  ECP's ackTimer (RTE),
 * VDP's resourceWaitDelay (RWD) and reinitKeepAlive (RKA) all count in
 * it.  Exponents are 5-bit fields; larger values clamp to 31.
 */
static inline uint64_t
evb_time_us(unsigned exp)
{
	return 10ULL << (exp > 31 ? 31 : exp);
}

#endif /* SPLITNVE_UTIL_MTIME_H */
