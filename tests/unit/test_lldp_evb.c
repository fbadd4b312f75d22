/*
 * test_lldp_evb.c - EVB negotiation (lib/lldp/evb.c) against lldpad's
 * observed TLVs (lldpad-interop.md 3.4): we build the TLV lldpad would send
 * in the same situation and compare octets, then negotiate against
 * lldpad's bridge and station TLVs; max(), RoL, RR, GroupID, mode 3, a
 * peer of the wrong role, config errors and the capability agreement.
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

#define LLDPAD_BRIDGE		"fe 09 00 80 c2 0d 03 05 68 74 34"
#define LLDPAD_STATION		"fe 09 00 80 c2 0d 03 05 68 b4 34"
#define LLDPAD_STATION_ALONE	"fe 09 00 80 c2 0d 00 07 68 94 14"

static struct lldp_evb_tlv
tlv(const char *text)
{
	uint8_t b[16];
	struct lldp_evb_tlv e;

	assert_int_equal(hex_decode(text, b, sizeof(b)), 11);
	assert_int_equal(lldp_evb_tlv_decode(b, 11, &e), 0);
	return e;
}

static void
assert_tlv(const struct lldp_evb_tlv *e, const char *text)
{
	uint8_t want[16], got[16];

	assert_int_equal(hex_decode(text, want, sizeof(want)), 11);
	assert_int_equal(lldp_evb_tlv_encode(e, got, sizeof(got)), 11);
	assert_memory_equal(got, want, 11);
}

/* The configuration of lldpad-interop.md 2.4 (lldpad's lab run). */
static void
lldpad_cfg(struct evb_config *c, enum evb_role role)
{
	evb_config_default(c, role);
	c->gid = false;
	c->caps = 0;
	if (role == EVB_ROLE_STATION)
		c->rrreq = true;
	else
		c->rrcap = true;
}

static void
station_alone_like_lldpad(void **state)
{
	struct evb_config c;
	struct lldp_evb_tlv out;
	struct evb_oper o;

	lldpad_cfg(&c, EVB_ROLE_STATION);
	assert_int_equal(evb_negotiate(&c, NULL, &out, &o), 0);
	assert_tlv(&out, LLDPAD_STATION_ALONE);
	assert_false(o.peer);
	assert_false(o.peer_ok);
	assert_int_equal(o.r, 3);
	assert_int_equal(o.rte, 8);
	assert_int_equal(o.rwd, 20);
	assert_int_equal(o.rka, 20);
	assert_false(o.gid);
	assert_false(o.rr);
	(void)state;
}

static void
station_against_lldpad_bridge(void **state)
{
	struct evb_config c;
	struct lldp_evb_tlv out, peer = tlv(LLDPAD_BRIDGE);
	struct evb_oper o;

	lldpad_cfg(&c, EVB_ROLE_STATION);
	assert_int_equal(evb_negotiate(&c, &peer, &out, &o), 0);
	assert_tlv(&out, LLDPAD_STATION);	/* what lldpad sent */
	assert_true(o.peer);
	assert_true(o.peer_ok);
	assert_false(o.peer_nvo3);
	assert_true(o.rr);
	assert_false(o.gid);			/* no BGID, no SGID */
	assert_int_equal(o.rwd, 20);
	assert_int_equal(o.rka, 20);
	(void)state;
}

static void
bridge_against_lldpad_station(void **state)
{
	struct evb_config c;
	struct lldp_evb_tlv out, peer = tlv(LLDPAD_STATION);
	struct evb_oper o;

	lldpad_cfg(&c, EVB_ROLE_BRIDGE);
	assert_int_equal(evb_negotiate(&c, &peer, &out, &o), 0);
	assert_tlv(&out, LLDPAD_BRIDGE);	/* what lldpad sent */
	assert_true(o.peer_ok);
	assert_true(o.rr);
	assert_false(o.gid);

	/* The station's first TLV (no bridge heard yet) gives the same
	 * bridge status and echoes RRSTAT 3. */
	peer = tlv(LLDPAD_STATION_ALONE);
	assert_int_equal(evb_negotiate(&c, &peer, &out, &o), 0);
	assert_tlv(&out, "fe 09 00 80 c2 0d 03 07 68 74 34");
	(void)state;
}

static void
our_defaults_alone(void **state)
{
	struct evb_config c;
	struct lldp_evb_tlv out;

	evb_config_default(&c, EVB_ROLE_STATION);
	assert_int_equal(evb_negotiate(&c, NULL, &out, NULL), 0);
	assert_tlv(&out, "fe 09 00 80 c2 0d 00 0b 68 94 14");
	evb_config_default(&c, EVB_ROLE_BRIDGE);
	assert_int_equal(evb_negotiate(&c, NULL, &out, NULL), 0);
	assert_tlv(&out, "fe 09 00 80 c2 0d 04 00 68 54 14");
	assert_int_equal(c.caps, NVO3_CAP_ALL);
	(void)state;
}

static void
max_and_rol(void **state)
{
	struct evb_config c;
	struct lldp_evb_tlv out, peer = tlv(LLDPAD_BRIDGE);
	struct evb_oper o;

	evb_config_default(&c, EVB_ROLE_STATION);
	c.r = 5;		/* local larger */
	c.rte = 2;		/* remote larger */
	c.rwd = 25;		/* local larger: RoL 0 */
	c.rka = 19;		/* remote larger: RoL 1 */
	assert_int_equal(evb_negotiate(&c, &peer, &out, &o), 0);
	assert_int_equal(o.r, 5);
	assert_int_equal(o.rte, 8);
	assert_int_equal(o.rwd, 25);
	assert_int_equal(o.rka, 20);
	assert_int_equal(out.r, 5);
	assert_int_equal(out.rte, 8);
	assert_false(out.rwd_rol);
	assert_int_equal(out.rwd, 25);
	assert_true(out.rka_rol);
	assert_int_equal(out.rka, 20);
	/* equal: RoL set, as lldpad does */
	c.rwd = 20;
	c.rka = 20;
	assert_int_equal(evb_negotiate(&c, &peer, &out, &o), 0);
	assert_true(out.rwd_rol);
	assert_true(out.rka_rol);
	/* local 0 with no peer: RoL stays clear */
	c.rwd = 0;
	c.rka = 0;
	assert_int_equal(evb_negotiate(&c, NULL, &out, &o), 0);
	assert_false(out.rwd_rol);
	assert_false(out.rka_rol);
	assert_int_equal(o.rka, 0);
	(void)state;
}

static void
reflective_relay(void **state)
{
	struct evb_config c;
	struct lldp_evb_tlv out, peer;
	struct evb_oper o;

	/* bridge without RRCAP never sets RRCTR */
	lldpad_cfg(&c, EVB_ROLE_BRIDGE);
	c.rrcap = false;
	peer = tlv(LLDPAD_STATION);
	assert_int_equal(evb_negotiate(&c, &peer, &out, &o), 0);
	assert_false(out.rrcap);
	assert_false(out.rrctr);
	assert_false(o.rr);
	/* bridge with RRCAP, station did not ask */
	c.rrcap = true;
	peer.rrreq = false;
	assert_int_equal(evb_negotiate(&c, &peer, &out, &o), 0);
	assert_true(out.rrcap);
	assert_false(out.rrctr);
	/* station: RRSTAT 0 when the bridge did not grant */
	lldpad_cfg(&c, EVB_ROLE_STATION);
	peer = tlv(LLDPAD_BRIDGE);
	peer.rrctr = false;
	assert_int_equal(evb_negotiate(&c, &peer, &out, &o), 0);
	assert_int_equal(out.rrstat, LLDP_RRSTAT_NO);
	assert_false(o.rr);
	peer.rrctr = true;
	assert_int_equal(evb_negotiate(&c, &peer, &out, &o), 0);
	assert_int_equal(out.rrstat, LLDP_RRSTAT_YES);
	(void)state;
}

static void
group_ids_need_both(void **state)
{
	struct evb_config c;
	struct lldp_evb_tlv out, peer;
	struct evb_oper o;

	for (int mine = 0; mine < 2; mine++)
		for (int theirs = 0; theirs < 2; theirs++) {
			/* station side */
			evb_config_default(&c, EVB_ROLE_STATION);
			c.gid = mine;
			peer = tlv(LLDPAD_BRIDGE);
			peer.bgid = theirs;
			assert_int_equal(evb_negotiate(&c, &peer, &out, &o),
			    0);
			assert_int_equal(o.gid, mine && theirs);
			assert_int_equal(out.sgid, mine);
			assert_int_equal(out.bgid, theirs);
			/* bridge side */
			evb_config_default(&c, EVB_ROLE_BRIDGE);
			c.gid = mine;
			peer = tlv(LLDPAD_STATION);
			peer.sgid = theirs;
			assert_int_equal(evb_negotiate(&c, &peer, &out, &o),
			    0);
			assert_int_equal(o.gid, mine && theirs);
			assert_int_equal(out.bgid, mine);
			assert_int_equal(out.sgid, theirs);
		}
	/* no peer: never */
	evb_config_default(&c, EVB_ROLE_STATION);
	assert_int_equal(evb_negotiate(&c, NULL, &out, &o), 0);
	assert_false(o.gid);
	(void)state;
}

static void
mode3_and_wrong_role(void **state)
{
	struct evb_config c;
	struct lldp_evb_tlv out, peer = tlv(LLDPAD_BRIDGE);
	struct evb_oper o;

	/* station: mode 3 is a bridge, we still send mode 2 */
	evb_config_default(&c, EVB_ROLE_STATION);
	peer.mode = LLDP_EVB_MODE_NVO3;
	peer.bgid = true;
	peer.rka = 25;
	assert_int_equal(evb_negotiate(&c, &peer, &out, &o), 0);
	assert_true(o.peer_ok);
	assert_true(o.peer_nvo3);
	assert_true(o.gid);
	assert_int_equal(o.rka, 25);
	assert_int_equal(out.mode, LLDP_EVB_MODE_STATION);
	/* bridge: a mode 3 peer is not a station */
	evb_config_default(&c, EVB_ROLE_BRIDGE);
	assert_int_equal(evb_negotiate(&c, &peer, &out, &o), 0);
	assert_true(o.peer);
	assert_false(o.peer_ok);
	assert_int_equal(o.rka, 20);
	assert_int_equal(out.mode, LLDP_EVB_MODE_BRIDGE);
	assert_false(out.rka_rol);
	/* station hearing a station, or mode 0: as if nothing heard */
	evb_config_default(&c, EVB_ROLE_STATION);
	for (uint8_t m = 0; m <= 2; m += 2) {
		peer = tlv(LLDPAD_STATION);
		peer.mode = m;
		peer.rka = 30;
		assert_int_equal(evb_negotiate(&c, &peer, &out, &o), 0);
		assert_true(o.peer);
		assert_false(o.peer_ok);
		assert_int_equal(out.rrstat, LLDP_RRSTAT_UNKNOWN);
		assert_int_equal(o.rka, 20);
		assert_false(out.bgid || out.rrcap || out.rrctr);
	}
	(void)state;
}

static void
config_errors(void **state)
{
	struct evb_config c;
	struct lldp_evb_tlv out;

	evb_config_default(&c, EVB_ROLE_STATION);
	assert_int_equal(evb_config_check(&c), 0);
	c.role = 0;
	assert_int_equal(evb_negotiate(&c, NULL, &out, NULL), -EINVAL);
	c.role = 3;
	assert_int_equal(evb_config_check(&c), -EINVAL);
	evb_config_default(&c, EVB_ROLE_BRIDGE);
	c.r = 8;
	assert_int_equal(evb_config_check(&c), -EINVAL);
	c.r = 7;
	c.rte = 32;
	assert_int_equal(evb_config_check(&c), -EINVAL);
	c.rte = 31;
	c.rwd = 32;
	assert_int_equal(evb_config_check(&c), -EINVAL);
	c.rwd = 31;
	c.rka = 32;
	assert_int_equal(evb_config_check(&c), -EINVAL);
	c.rka = 31;
	assert_int_equal(evb_config_check(&c), 0);
	(void)state;
}

static void
caps_agreement(void **state)
{
	assert_int_equal(nvo3_caps_agree(NVO3_CAP_ALL, false, NVO3_CAP_ALL),
	    0);
	assert_int_equal(nvo3_caps_agree(NVO3_CAP_ALL, true, 0), 0);
	assert_int_equal(nvo3_caps_agree(NVO3_CAP_IPFILTER | NVO3_CAP_AUTH,
	    true, NVO3_CAP_AUTH | NVO3_CAP_ECPDEST), NVO3_CAP_AUTH);
	/* bits we do not know are never agreed */
	assert_int_equal(nvo3_caps_agree(0xffffffffu, true, 0xffffffffu),
	    NVO3_CAP_ALL);
	(void)state;
}

static void
time_unit(void **state)
{
	assert_int_equal(evb_exp_us(0), 10);
	assert_int_equal(evb_exp_us(8), 2560);
	assert_int_equal(evb_exp_us(20), 10485760);
	assert_true(evb_exp_us(31) == 10ULL << 31);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(station_alone_like_lldpad),
		cmocka_unit_test(station_against_lldpad_bridge),
		cmocka_unit_test(bridge_against_lldpad_station),
		cmocka_unit_test(our_defaults_alone),
		cmocka_unit_test(max_and_rol),
		cmocka_unit_test(reflective_relay),
		cmocka_unit_test(group_ids_need_both),
		cmocka_unit_test(mode3_and_wrong_role),
		cmocka_unit_test(config_errors),
		cmocka_unit_test(caps_agreement),
		cmocka_unit_test(time_unit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
