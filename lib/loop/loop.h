/*
 * loop.h - the libuv glue every splitnve daemon shares.
 *
 * One uv_loop_t per daemon control thread.  The glue adds what each daemon
 * would otherwise write again: SIGINT/SIGTERM stop the loop, SIGHUP calls
 * a reload hook, and deadline timers take the absolute monotonic time (µs)
 * that the I/O-free state machines return as "next wake-up".
 */
#ifndef SPLITNVE_LOOP_LOOP_H
#define SPLITNVE_LOOP_LOOP_H

#include <stdint.h>
#include <uv.h>

struct sn_loop {
	uv_loop_t	 uv;
	uv_signal_t	 sig_int, sig_term, sig_hup;
	void		(*on_reload)(void *arg);	/* SIGHUP; may be NULL */
	void		(*on_stop)(void *arg);		/* before the loop stops */
	void		*arg;
	int		 stopping;
};

/*
 * Initialises the loop and its signal watchers and clears the hooks (set
 * on_reload/on_stop/arg after this call); returns 0 or -errno.
 */
int	sn_loop_init(struct sn_loop *l);
/* Runs until sn_loop_stop() or a stop signal; returns 0 or -errno. */
int	sn_loop_run(struct sn_loop *l);
/* Asks the loop to stop after the current callback; safe from callbacks. */
void	sn_loop_stop(struct sn_loop *l);
/* Closes every handle still open and frees the loop's resources. */
void	sn_loop_close(struct sn_loop *l);

/* Microseconds on the loop's monotonic clock (CLOCK_MONOTONIC). */
uint64_t sn_loop_now_us(const struct sn_loop *l);

/*
 * A timer armed by absolute deadline.  sn_deadline_set() with TIME_NEVER
 * (UINT64_MAX) disarms it; a deadline in the past fires on the next turn.
 */
struct sn_deadline {
	uv_timer_t	 timer;
	uint64_t	 at_us;
	void		(*cb)(struct sn_deadline *d, void *arg);
	void		*arg;
};

int	sn_deadline_init(struct sn_loop *l, struct sn_deadline *d,
	    void (*cb)(struct sn_deadline *, void *), void *arg);
void	sn_deadline_set(struct sn_deadline *d, uint64_t at_us);
void	sn_deadline_close(struct sn_deadline *d);

#endif /* SPLITNVE_LOOP_LOOP_H */
