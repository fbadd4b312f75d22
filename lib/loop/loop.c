/*
 * loop.c - libuv glue shared by the daemons (loop.h).
 *
 * Runs in each daemon's control thread.  It owns the uv loop, the signal
 * watchers and the deadline timers; it knows nothing of any protocol.
 */
#include <errno.h>
#include <signal.h>
#include <time.h>

#include "loop/loop.h"
#include "util/log.h"
#include "util/mtime.h"

static void
on_signal(uv_signal_t *h, int signum)
{
	struct sn_loop *l = h->data;

	if (signum == SIGHUP) {
		log_info("SIGHUP: reloading");
		if (l->on_reload)
			l->on_reload(l->arg);
		return;
	}
	log_info("signal %d: stopping", signum);
	sn_loop_stop(l);
}

int
sn_loop_init(struct sn_loop *l)
{
	int rc;

	l->stopping = 0;
	l->on_reload = NULL;
	l->on_stop = NULL;
	l->arg = NULL;
	if ((rc = uv_loop_init(&l->uv)) < 0)
		return rc;
	l->uv.data = l;
	uv_signal_init(&l->uv, &l->sig_int);
	uv_signal_init(&l->uv, &l->sig_term);
	uv_signal_init(&l->uv, &l->sig_hup);
	l->sig_int.data = l->sig_term.data = l->sig_hup.data = l;
	if ((rc = uv_signal_start(&l->sig_int, on_signal, SIGINT)) < 0 ||
	    (rc = uv_signal_start(&l->sig_term, on_signal, SIGTERM)) < 0 ||
	    (rc = uv_signal_start(&l->sig_hup, on_signal, SIGHUP)) < 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

int
sn_loop_run(struct sn_loop *l)
{
	int rc = uv_run(&l->uv, UV_RUN_DEFAULT);

	return rc < 0 ? rc : 0;
}

void
sn_loop_stop(struct sn_loop *l)
{
	if (l->stopping)
		return;
	l->stopping = 1;
	if (l->on_stop)
		l->on_stop(l->arg);
	uv_stop(&l->uv);
}

static void
close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

void
sn_loop_close(struct sn_loop *l)
{
	uv_walk(&l->uv, close_walk, NULL);
	uv_run(&l->uv, UV_RUN_DEFAULT);	/* let the close callbacks run */
	uv_loop_close(&l->uv);
}

uint64_t
sn_loop_now_us(const struct sn_loop *l)
{
	(void)l;
	return mono_us();
}

static void
deadline_fire(uv_timer_t *t)
{
	struct sn_deadline *d = t->data;
	uint64_t now = mono_us();

	/*
	 * libuv keeps time with a coarse clock (milliseconds, and on Linux
	 * CLOCK_MONOTONIC_COARSE), so a timer can fire a little before our
	 * precise deadline.  State machines must never see "now" before the
	 * deadline they asked for: re-arm for the rest.
	 */
	if (now < d->at_us) {
		uv_update_time(t->loop);
		uv_timer_start(t, deadline_fire, (d->at_us - now + 999) / 1000, 0);
		return;
	}
	d->at_us = TIME_NEVER;
	d->cb(d, d->arg);
}

int
sn_deadline_init(struct sn_loop *l, struct sn_deadline *d,
    void (*cb)(struct sn_deadline *, void *), void *arg)
{
	int rc = uv_timer_init(&l->uv, &d->timer);

	if (rc < 0)
		return rc;
	d->timer.data = d;
	d->at_us = TIME_NEVER;
	d->cb = cb;
	d->arg = arg;
	return 0;
}

void
sn_deadline_set(struct sn_deadline *d, uint64_t at_us)
{
	uint64_t now, ms;

	if (at_us == d->at_us && uv_is_active((uv_handle_t *)&d->timer))
		return;
	d->at_us = at_us;
	if (at_us == TIME_NEVER) {
		uv_timer_stop(&d->timer);
		return;
	}
	/* libuv timers count milliseconds; round up so we never fire early. */
	now = mono_us();
	ms = at_us > now ? (at_us - now + 999) / 1000 : 0;
	uv_update_time(d->timer.loop);
	uv_timer_start(&d->timer, deadline_fire, ms, 0);
}

void
sn_deadline_close(struct sn_deadline *d)
{
	uv_timer_stop(&d->timer);
	if (!uv_is_closing((uv_handle_t *)&d->timer))
		uv_close((uv_handle_t *)&d->timer, NULL);
}
