/*
 * test_loop_deadline.c - the libuv glue: deadline timers fire once, in
 * order, never before their deadline; TIME_NEVER disarms; a deadline in
 * the past fires on the next turn; SIGTERM stops the loop and calls the
 * on_stop hook.  No assertion depends on how long anything took.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "loop/loop.h"
#include "util/mtime.h"

struct probe {
	struct sn_loop	*loop;
	int		 fired;
	int		 order;
	uint64_t	 due;
	uint64_t	 at;
	int		*counter;
};

static void
on_deadline(struct sn_deadline *d, void *arg)
{
	struct probe *p = arg;

	p->fired++;
	p->at = mono_us();
	p->order = ++*p->counter;
	(void)d;
}

static void
on_last(struct sn_deadline *d, void *arg)
{
	struct probe *p = arg;

	on_deadline(d, arg);
	sn_loop_stop(p->loop);
}

static void
deadlines_fire_in_order(void **state)
{
	struct sn_loop l;
	struct sn_deadline a, b, never, past;
	struct probe pa = { 0 }, pb = { 0 }, pn = { 0 }, pp = { 0 };
	int counter = 0;
	uint64_t now;

	assert_int_equal(sn_loop_init(&l), 0);
	pa.loop = pb.loop = pn.loop = pp.loop = &l;
	pa.counter = pb.counter = pn.counter = pp.counter = &counter;
	sn_deadline_init(&l, &a, on_deadline, &pa);
	sn_deadline_init(&l, &b, on_last, &pb);
	sn_deadline_init(&l, &never, on_deadline, &pn);
	sn_deadline_init(&l, &past, on_deadline, &pp);
	now = mono_us();
	pa.due = now + 2000;
	pb.due = now + 20000;
	sn_deadline_set(&b, pb.due);
	sn_deadline_set(&a, pa.due);
	sn_deadline_set(&never, now + 1000);
	sn_deadline_set(&never, TIME_NEVER);	/* disarmed again */
	sn_deadline_set(&past, now - 5000);
	assert_int_equal(sn_loop_run(&l), 0);
	assert_int_equal(pp.fired, 1);
	assert_int_equal(pa.fired, 1);
	assert_int_equal(pb.fired, 1);
	assert_int_equal(pn.fired, 0);
	assert_true(pp.order < pa.order && pa.order < pb.order);
	assert_true(pa.at >= pa.due);
	assert_true(pb.at >= pb.due);
	assert_int_equal(a.at_us, TIME_NEVER);
	sn_deadline_close(&a);
	sn_deadline_close(&b);
	sn_deadline_close(&never);
	sn_deadline_close(&past);
	sn_loop_close(&l);
	(void)state;
}

static int stop_calls;

static void
count_stop(void *arg)
{
	(void)arg;
	stop_calls++;
}

static void
raise_term(struct sn_deadline *d, void *arg)
{
	(void)d;
	(void)arg;
	raise(SIGTERM);
}

static void
sigterm_stops(void **state)
{
	struct sn_loop l;
	struct sn_deadline d;

	assert_int_equal(sn_loop_init(&l), 0);
	l.on_stop = count_stop;
	sn_deadline_init(&l, &d, raise_term, NULL);
	sn_deadline_set(&d, mono_us());
	assert_int_equal(sn_loop_run(&l), 0);
	assert_int_equal(stop_calls, 1);
	assert_int_equal(l.stopping, 1);
	sn_deadline_close(&d);
	sn_loop_close(&l);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(deadlines_fire_in_order),
		cmocka_unit_test(sigterm_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
