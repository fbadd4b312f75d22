/*
 * test_lldp_agent.c - the LLDP agent's edges that transcripts do not show:
 * config errors, the exact frames it builds, receive counters, the TTL
 * cap, and that nothing is armed while stopped.  The behaviour over time
 * is in tests/fsm/lldp_agent/.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ext/nvo3_ext_codes.h"
#include "lldp/lldp.h"
#include "util/hex.h"
#include "util/mtime.h"

static const uint8_t mac1[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static void
config_errors(void **state)
{
	struct lldp_agent_config c;
	struct lldp_agent a;

	lldp_agent_config_default(&c, EVB_ROLE_STATION, mac1);
	assert_int_equal(lldp_agent_init(&a, &c), 0);
	c.dst[5] = 0x01;
	assert_int_equal(lldp_agent_init(&a, &c), -EINVAL);
	lldp_agent_config_default(&c, EVB_ROLE_STATION, mac1);
	c.chassis.len = 0;
	assert_int_equal(lldp_agent_init(&a, &c), -EINVAL);
	lldp_agent_config_default(&c, EVB_ROLE_STATION, mac1);
	c.tx_hold = 0;
	assert_int_equal(lldp_agent_init(&a, &c), -EINVAL);
	lldp_agent_config_default(&c, EVB_ROLE_STATION, mac1);
	c.tx_interval_us = 0;
	assert_int_equal(lldp_agent_init(&a, &c), -EINVAL);
	lldp_agent_config_default(&c, EVB_ROLE_STATION, mac1);
	c.evb.rka = 40;
	assert_int_equal(lldp_agent_init(&a, &c), -EINVAL);
	lldp_agent_config_default(&c, EVB_ROLE_STATION, mac1);
	c.has_ecpdest = true;
	c.ecpdest.kind = NVO3_ECPDEST_UNICAST;		/* zero MAC */
	assert_int_equal(lldp_agent_init(&a, &c), -EINVAL);
	/* set_config refuses too and keeps the old config */
	lldp_agent_config_default(&c, EVB_ROLE_STATION, mac1);
	assert_int_equal(lldp_agent_init(&a, &c), 0);
	c.evb.role = 0;
	assert_int_equal(lldp_agent_set_config(&a, &c, 0), -EINVAL);
	assert_int_equal(a.cfg.evb.role, EVB_ROLE_STATION);
	(void)state;
}

/* With caps 0 our frame is exactly lldpad's hand-built LLDPDU layout. */
static void
frames_golden(void **state)
{
	struct lldp_agent_config c;
	struct lldp_agent a;
	uint8_t f[128], want[128];
	long n;

	lldp_agent_config_default(&c, EVB_ROLE_STATION, mac1);
	c.evb.caps = 0;
	c.evb.gid = false;
	c.evb.rrreq = true;
	assert_int_equal(lldp_agent_init(&a, &c), 0);
	assert_int_equal(lldp_agent_start(&a, 0), LLDP_ACT_TX);
	n = hex_decode("01 80 c2 00 00 00 02 00 00 00 00 01 88 cc "
	    "02 07 04 02 00 00 00 00 01 04 07 03 02 00 00 00 00 01 "
	    "06 02 00 78 fe 09 00 80 c2 0d 00 07 68 94 14 00 00",
	    want, sizeof(want));
	assert_int_equal(lldp_agent_frame(&a, f, sizeof(f)), n);
	assert_memory_equal(f, want, (size_t)n);
	assert_int_equal(lldp_agent_frame(&a, f, (size_t)n - 1), -ENOBUFS);
	n = hex_decode("01 80 c2 00 00 00 02 00 00 00 00 01 88 cc "
	    "02 07 04 02 00 00 00 00 01 04 07 03 02 00 00 00 00 01 "
	    "06 02 00 00 00 00", want, sizeof(want));
	assert_int_equal(lldp_agent_stop(&a, 5), LLDP_ACT_TX_SHUTDOWN);
	assert_int_equal(lldp_agent_shutdown_frame(&a, f, sizeof(f)), n);
	assert_memory_equal(f, want, (size_t)n);
	assert_int_equal(a.stats.tx, 1);
	assert_int_equal(a.stats.tx_shutdown, 1);
	(void)state;
}

static void
rx_counters(void **state)
{
	struct lldp_agent_config c;
	struct lldp_agent a;
	uint8_t f[128];
	long n;

	lldp_agent_config_default(&c, EVB_ROLE_STATION, mac1);
	assert_int_equal(lldp_agent_init(&a, &c), 0);
	n = hex_decode("01 80 c2 00 00 00 02 00 00 00 00 02 88 cc "
	    "02 07 04 02 00 00 00 00 02 04 07 03 02 00 00 00 00 02 "
	    "06 02 00 78 0a 01 41 fe 09 00 80 c2 0d 04 00 68 54 14",
	    f, sizeof(f));
	/* stopped: ignored, not counted */
	assert_int_equal(lldp_agent_rx(&a, f, (size_t)n, 0), 0);
	assert_int_equal(a.stats.rx, 0);
	assert_int_equal(lldp_agent_next(&a), TIME_NEVER);
	assert_int_equal(lldp_agent_tick(&a, 1000 * USEC_PER_SEC), 0);

	assert_int_equal(lldp_agent_start(&a, 0), LLDP_ACT_TX);
	assert_int_equal(lldp_agent_rx(&a, f, (size_t)n, 0),
	    LLDP_ACT_PEER_UP | LLDP_ACT_TX);
	assert_int_equal(a.stats.rx, 1);
	assert_int_equal(a.stats.rx_no_end, 1);
	assert_int_equal(a.stats.rx_unknown, 1);
	assert_true(a.oper.peer_ok);
	assert_true(a.oper.gid);
	assert_int_equal(lldp_agent_next(&a), 1 * USEC_PER_SEC);
	/* one octet short: an error, counted, peer kept */
	assert_int_equal(lldp_agent_rx(&a, f, (size_t)n - 1, 0), -EBADMSG);
	assert_int_equal(a.stats.rx_err, 1);
	assert_true(a.has_peer);
	/* start while running does nothing */
	assert_int_equal(lldp_agent_start(&a, 0), 0);
	/* the peer ages out at 120 s exactly, not a microsecond before */
	while (lldp_agent_next(&a) < 120 * USEC_PER_SEC)
		(void)lldp_agent_tick(&a, lldp_agent_next(&a));
	assert_true(a.has_peer);
	assert_int_equal(lldp_agent_tick(&a, 120 * USEC_PER_SEC) &
	    LLDP_ACT_PEER_LOST, LLDP_ACT_PEER_LOST);
	assert_false(a.has_peer);
	assert_int_equal(a.lost, LLDP_LOST_AGED);
	assert_int_equal(a.stats.aged, 1);
	(void)state;
}

static void
ttl_cap_and_names(void **state)
{
	struct lldp_agent_config c;

	lldp_agent_config_default(&c, EVB_ROLE_BRIDGE, mac1);
	assert_int_equal(lldp_agent_ttl(&c), 120);
	c.tx_interval_us = 20000 * USEC_PER_SEC;
	assert_int_equal(lldp_agent_ttl(&c), 65535);
	c.tx_interval_us = 500000;		/* 0.5 s * 4 */
	assert_int_equal(lldp_agent_ttl(&c), 2);
	assert_string_equal(lldp_agent_state_name(LLDP_AS_FAST), "FAST");
	assert_string_equal(lldp_agent_state_name(LLDP_AS__COUNT), "?");
	assert_string_equal(lldp_agent_event_name(LLDP_EV_RX_SHUTDOWN),
	    "RX_SHUTDOWN");
	assert_string_equal(lldp_agent_event_name(LLDP_EV__COUNT), "?");
	assert_string_equal(lldp_lost_reason_name(LLDP_LOST_AGED), "aged");
	assert_string_equal(lldp_lost_reason_name(99), "?");
	(void)state;
}

/* The frame for an action mask, padded to 60 octets; nothing for others. */
static void
tx_frame_padding(void **state)
{
	struct lldp_agent_config c;
	struct lldp_agent a;
	uint8_t f[128], raw[128], zero[LLDP_ETH_ZLEN] = { 0 };
	int n;

	lldp_agent_config_default(&c, EVB_ROLE_STATION, mac1);
	c.evb.caps = 0;
	assert_int_equal(lldp_agent_init(&a, &c), 0);
	assert_int_equal(lldp_agent_tx_frame(&a, LLDP_ACT_PEER_UP, f,
	    sizeof(f)), 0);
	assert_int_equal(lldp_agent_tx_frame(&a, -EINVAL, f, sizeof(f)), 0);
	n = lldp_agent_frame(&a, raw, sizeof(raw));
	assert_true(n > 0 && n < LLDP_ETH_ZLEN);
	memset(f, 0xee, sizeof(f));
	assert_int_equal(lldp_agent_tx_frame(&a, LLDP_ACT_TX |
	    LLDP_ACT_PEER_UP, f, sizeof(f)), LLDP_ETH_ZLEN);
	assert_memory_equal(f, raw, (size_t)n);
	assert_memory_equal(f + n, zero, (size_t)(LLDP_ETH_ZLEN - n));
	assert_int_equal(lldp_agent_tx_frame(&a, LLDP_ACT_TX, f,
	    LLDP_ETH_ZLEN - 1), -ENOBUFS);
	n = lldp_agent_shutdown_frame(&a, raw, sizeof(raw));
	assert_int_equal(lldp_agent_tx_frame(&a, LLDP_ACT_TX_SHUTDOWN, f,
	    sizeof(f)), LLDP_ETH_ZLEN);
	assert_memory_equal(f, raw, (size_t)n);
	assert_int_equal(lldp_agent_tx_frame(&a, LLDP_ACT_TX, f, 10),
	    -ENOBUFS);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_errors),
		cmocka_unit_test(frames_golden),
		cmocka_unit_test(tx_frame_padding),
		cmocka_unit_test(rx_counters),
		cmocka_unit_test(ttl_cap_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
