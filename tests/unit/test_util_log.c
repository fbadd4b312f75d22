/*
 * test_util_log.c - the logger's level filter, level names and the
 * rate-limited form (burst per window, suppressed count, window reopen).
 * Output goes to stderr; the test counts what log_rl() reports written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "util/log.h"

static void
level_names(void **state)
{
	enum log_level l;

	assert_int_equal(log_parse_level("debug", &l), 0);
	assert_int_equal(l, LOG_LVL_DEBUG);
	assert_int_equal(log_parse_level("warn", &l), 0);
	assert_int_equal(l, LOG_LVL_WARN);
	assert_int_equal(log_parse_level("verbose", &l), -EINVAL);
	assert_string_equal(log_level_name(LOG_LVL_ERR), "err");
	assert_string_equal(log_level_name((enum log_level)9), "?");
	(void)state;
}

static void
rate_limit_burst_and_window(void **state)
{
	struct log_rl rl = LOG_RL_INIT(1000000, 3);
	uint64_t t = 5000000;
	int written = 0;

	log_init("test", 0, LOG_LVL_INFO);
	for (int i = 0; i < 10; i++)
		written += log_rl(&rl, t + (uint64_t)i, LOG_LVL_INFO, "msg %d", i);
	assert_int_equal(written, 3);
	assert_int_equal(rl.suppressed, 7);
	/* still inside the window */
	assert_int_equal(log_rl(&rl, t + 999999, LOG_LVL_INFO, "late"), 0);
	assert_int_equal(rl.suppressed, 8);
	/* window reopens: the summary is logged and the budget restored */
	assert_int_equal(log_rl(&rl, t + 1000000, LOG_LVL_INFO, "next"), 1);
	assert_int_equal(rl.suppressed, 0);
	assert_int_equal(rl.count, 1);
	(void)state;
}

static void
rate_limit_respects_level(void **state)
{
	struct log_rl rl = LOG_RL_INIT(0, 0);	/* defaults: 5 s, 10 */

	log_init("test", 0, LOG_LVL_WARN);
	assert_int_equal(log_rl(&rl, 1, LOG_LVL_INFO, "filtered"), 0);
	assert_int_equal(rl.count, 0);		/* filtered costs no budget */
	for (int i = 0; i < 10; i++)
		assert_int_equal(log_rl(&rl, 2, LOG_LVL_WARN, "w"), 1);
	assert_int_equal(log_rl(&rl, 3, LOG_LVL_WARN, "w"), 0);
	assert_int_equal(log_rl(&rl, 5000002, LOG_LVL_WARN, "w"), 1);
	log_set_level(LOG_LVL_INFO);
	assert_int_equal(log_get_level(), LOG_LVL_INFO);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(level_names),
		cmocka_unit_test(rate_limit_burst_and_window),
		cmocka_unit_test(rate_limit_respects_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
