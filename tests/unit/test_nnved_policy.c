/*
 * test_nnved_policy.c - the questions nnved asks its configuration
 * (daemons/nnved/policy.c): look-ups, which station rule wins (exact MAC
 * before "any", file order, the port condition), which VNs a rule
 * admits, address prefixes of each family at their edge lengths (/0,
 * /1, /24, /25, /32, /47, /48, /64, /127, /128) and the IP + MAC rule,
 * the VN of a VID on a port, and where a port's tag range comes from.
 * Configurations come from nnved_conf_parse_string.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "nnved.h"

static struct nnved_conf conf;

static void
load(const char *text)
{
	int rc = nnved_conf_parse_string(text, "policy", &conf);

	if (rc != 0)
		fail_msg("config did not parse: %d", rc);
}

static int
teardown(void **state)
{
	nnved_conf_free(&conf);
	(void)state;
	return 0;
}

static struct nvo3_addr
mac_addr(const char *mac)
{
	struct nvo3_addr a;
	unsigned m[6];

	memset(&a, 0, sizeof(a));
	assert_int_equal(sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1],
	    &m[2], &m[3], &m[4], &m[5]), 6);
	for (int i = 0; i < 6; i++)
		a.mac[i] = (uint8_t)m[i];
	return a;
}

/* An IP address, with a MAC when mac is not NULL. */
static struct nvo3_addr
ip_addr(const char *ip, const char *mac)
{
	struct nvo3_addr a;

	memset(&a, 0, sizeof(a));
	if (mac != NULL)
		a = mac_addr(mac);
	if (strchr(ip, ':') != NULL) {
		a.family = 6;
		assert_int_equal(inet_pton(AF_INET6, ip, a.ip), 1);
	} else {
		a.family = 4;
		assert_int_equal(inet_pton(AF_INET, ip, a.ip), 1);
	}
	return a;
}

static int
allowed_ip(uint32_t vn, const char *ip, const char *mac)
{
	struct nvo3_addr a = ip_addr(ip, mac);

	return policy_addr(&conf, vn, &a);
}

static int
allowed_mac(uint32_t vn, const char *mac)
{
	struct nvo3_addr a = mac_addr(mac);

	return policy_addr(&conf, vn, &a);
}

static void
lookups(void **state)
{
	load("domain d1\ndomain d2 { vids 5-6 }\n"
	    "port eth0\nport eth1 { domain d2 }\n"
	    "key 3 \"000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191a1b1c1d1e1f\"\n"
	    "vn 10\nvn 20 { context 21 }\n");
	assert_ptr_equal(policy_port(&conf, "eth0"), &conf.ports[0]);
	assert_ptr_equal(policy_port(&conf, "eth1"), &conf.ports[1]);
	assert_null(policy_port(&conf, "eth"));
	assert_null(policy_port(&conf, "eth00"));
	assert_null(policy_port(&conf, ""));
	assert_null(policy_port(&conf, NULL));
	assert_ptr_equal(policy_domain(&conf, "d2"), &conf.domains[1]);
	assert_null(policy_domain(&conf, "d3"));
	assert_null(policy_domain(&conf, NULL));
	assert_ptr_equal(policy_key(&conf, 3), &conf.keys[0]);
	assert_null(policy_key(&conf, 4));
	assert_null(policy_key(&conf, 0));
	assert_ptr_equal(policy_vn_conf(&conf, 20), &conf.vns[1]);
	assert_int_equal(policy_vn_conf(&conf, 20)->context, 21);
	assert_null(policy_vn_conf(&conf, 30));
	assert_null(policy_vn_conf(&conf, 0));
	(void)state;
}

static void
station_order(void **state)
{
	static const uint8_t m1[6] = { 2, 0, 0, 0, 0, 1 };
	static const uint8_t m2[6] = { 2, 0, 0, 0, 0, 2 };
	static const uint8_t m3[6] = { 2, 0, 0, 0, 0, 3 };
	struct nnved_station_conf two[2];
	struct nnved_conf hand;
	const struct nnved_station_conf *s;

	load("port eth0\nport eth1\nport eth2\n"
	    "station any { port eth0; vn 1 }\n"			/* 0 */
	    "station 02:00:00:00:00:01 { port eth1; vn 2 }\n"	/* 1 */
	    "station 02:00:00:00:00:01 { port eth2; vn 3 }\n"	/* 2 */
	    "station 02:00:00:00:00:01 { vn 4 }\n"		/* 3 */
	    "station 02:00:00:00:00:02 { port eth1 }\n"		/* 4 */
	    "station any { vn 5 }\n");				/* 5 */
	s = conf.stations;
	assert_int_equal(conf.nstations, 6);
	/* the exact MAC beats an earlier "any" */
	assert_ptr_equal(policy_station(&conf, "eth0", m1), &s[3]);
	/* the first exact rule whose port matches */
	assert_ptr_equal(policy_station(&conf, "eth1", m1), &s[1]);
	assert_ptr_equal(policy_station(&conf, "eth2", m1), &s[2]);
	assert_ptr_equal(policy_station(&conf, "eth9", m1), &s[3]);
	/* m2's only rule is for eth1; elsewhere the "any" rules decide */
	assert_ptr_equal(policy_station(&conf, "eth1", m2), &s[4]);
	assert_ptr_equal(policy_station(&conf, "eth0", m2), &s[0]);
	assert_ptr_equal(policy_station(&conf, "eth2", m2), &s[5]);
	/* no exact rule: the first "any" whose port matches */
	assert_ptr_equal(policy_station(&conf, "eth0", m3), &s[0]);
	assert_ptr_equal(policy_station(&conf, "eth1", m3), &s[5]);
	assert_ptr_equal(policy_station(&conf, "eth7", m3), &s[5]);
	/* no port name: only rules without a port */
	assert_ptr_equal(policy_station(&conf, NULL, m1), &s[3]);
	assert_ptr_equal(policy_station(&conf, NULL, m2), &s[5]);
	assert_ptr_equal(policy_station(&conf, NULL, NULL), &s[5]);

	/*
	 * Two rules that both match (the parser refuses the second as a
	 * duplicate; a hand-built table still gets file order).
	 */
	memset(two, 0, sizeof(two));
	memcpy(two[0].mac, m1, 6);
	memcpy(two[1].mac, m1, 6);
	nnved_conf_init(&hand);
	hand.stations = two;
	hand.nstations = 2;
	assert_ptr_equal(policy_station(&hand, "eth0", m1), &two[0]);
	two[0].any = two[1].any = true;
	assert_ptr_equal(policy_station(&hand, "eth0", m3), &two[0]);
	(void)state;
}

static void
station_refused(void **state)
{
	static const uint8_t m1[6] = { 2, 0, 0, 0, 0, 1 };
	static const uint8_t m2[6] = { 2, 0, 0, 0, 0, 2 };

	load("port eth0\nport eth1\n"
	    "station 02:00:00:00:00:01 { port eth0 }\n"
	    "station any { port eth0 }\n");
	assert_non_null(policy_station(&conf, "eth0", m1));
	assert_null(policy_station(&conf, "eth1", m1));
	assert_ptr_equal(policy_station(&conf, "eth0", m2),
	    &conf.stations[1]);
	assert_null(policy_station(&conf, "eth1", m2));
	nnved_conf_free(&conf);
	/* no rule at all: every station is refused */
	load("port eth0\n");
	assert_null(policy_station(&conf, "eth0", m1));
	(void)state;
}

static void
station_vns(void **state)
{
	load("station 02:00:00:00:00:01 { vn 7 16777215 }\n"
	    "station 02:00:00:00:00:02 { vn any }\n"
	    "station 02:00:00:00:00:03\n");
	assert_int_equal(policy_station_vn(&conf.stations[0], 7), 0);
	assert_int_equal(policy_station_vn(&conf.stations[0], 16777215), 0);
	assert_int_equal(policy_station_vn(&conf.stations[0], 8), -EPERM);
	assert_int_equal(policy_station_vn(&conf.stations[0], 0), -EPERM);
	assert_int_equal(policy_station_vn(&conf.stations[1], 1), 0);
	assert_int_equal(policy_station_vn(&conf.stations[1], 16777215), 0);
	assert_int_equal(policy_station_vn(&conf.stations[1], 0), -EPERM);
	assert_int_equal(policy_station_vn(&conf.stations[1], 16777216),
	    -EPERM);
	/* a rule without VNs admits the station to none */
	assert_int_equal(policy_station_vn(&conf.stations[2], 7), -EPERM);
	assert_int_equal(policy_station_vn(NULL, 7), -EPERM);
	(void)state;
}

static void
addr_no_prefixes(void **state)
{
	struct nvo3_addr a;

	load("vn 10\nvn 20 { context 30 }\n");
	/* no vn block, or one without allow: any address */
	assert_int_equal(allowed_ip(5, "192.0.2.1", NULL), 0);
	assert_int_equal(allowed_ip(10, "2001:db8::1", "52:54:00:00:00:01"),
	    0);
	assert_int_equal(allowed_mac(20, "52:54:00:00:00:01"), 0);
	/* an unknown family is refused where prefixes exist, not here */
	memset(&a, 0, sizeof(a));
	a.family = 5;
	assert_int_equal(policy_addr(&conf, 10, &a), 0);
	assert_int_equal(policy_addr(&conf, 10, NULL), -EPERM);
	(void)state;
}

static void
addr_ipv4(void **state)
{
	load("vn 1 { allow 198.51.100.0/25 198.51.100.200 }\n"
	    "vn 2 { allow 0.0.0.0/0 }\n"
	    "vn 3 { allow 128.0.0.0/1 }\n"
	    "vn 4 { allow 2001:db8::/32 }\n");
	assert_int_equal(allowed_ip(1, "198.51.100.0", NULL), 0);
	assert_int_equal(allowed_ip(1, "198.51.100.127", NULL), 0);
	assert_int_equal(allowed_ip(1, "198.51.100.128", NULL), -EPERM);
	assert_int_equal(allowed_ip(1, "198.51.101.1", NULL), -EPERM);
	/* a bare address is a /32 */
	assert_int_equal(allowed_ip(1, "198.51.100.200", NULL), 0);
	assert_int_equal(allowed_ip(1, "198.51.100.201", NULL), -EPERM);
	/* /0 takes everything */
	assert_int_equal(allowed_ip(2, "0.0.0.0", NULL), 0);
	assert_int_equal(allowed_ip(2, "255.255.255.255", NULL), 0);
	/* /1 looks at one bit */
	assert_int_equal(allowed_ip(3, "128.0.0.0", NULL), 0);
	assert_int_equal(allowed_ip(3, "255.1.2.3", NULL), 0);
	assert_int_equal(allowed_ip(3, "127.255.255.255", NULL), -EPERM);
	/* an IPv4 address where only IPv6 prefixes are: allowed */
	assert_int_equal(allowed_ip(4, "192.0.2.1", NULL), 0);
	assert_int_equal(allowed_ip(4, "2001:db8:1::1", NULL), 0);
	assert_int_equal(allowed_ip(4, "2001:db9::1", NULL), -EPERM);
	/* a MAC-only address where only IP prefixes are: allowed */
	assert_int_equal(allowed_mac(1, "52:54:00:00:00:01"), 0);
	(void)state;
}

static void
addr_ipv6(void **state)
{
	load("vn 1 { allow 2001:db8:100::/64 2001:db8:200::7 }\n"
	    "vn 2 { allow ::/0 }\n"
	    "vn 3 { allow 2001:db8:100::/127 }\n"
	    "vn 4 { allow 2001:db8:100::/63 }\n");
	assert_int_equal(allowed_ip(1, "2001:db8:100::1", NULL), 0);
	assert_int_equal(allowed_ip(1, "2001:db8:100:0:ffff:ffff:ffff:ffff",
	    NULL), 0);
	assert_int_equal(allowed_ip(1, "2001:db8:100:1::", NULL), -EPERM);
	/* a bare address is a /128 */
	assert_int_equal(allowed_ip(1, "2001:db8:200::7", NULL), 0);
	assert_int_equal(allowed_ip(1, "2001:db8:200::6", NULL), -EPERM);
	/* an IPv6 prefix does not take an IPv4 address ... and does not
	 * refuse one either: no IPv4 prefix in the block */
	assert_int_equal(allowed_ip(1, "198.51.100.1", NULL), 0);
	assert_int_equal(allowed_ip(2, "ffff::1", NULL), 0);
	assert_int_equal(allowed_ip(3, "2001:db8:100::1", NULL), 0);
	assert_int_equal(allowed_ip(3, "2001:db8:100::2", NULL), -EPERM);
	assert_int_equal(allowed_ip(4, "2001:db8:100:1::1", NULL), 0);
	assert_int_equal(allowed_ip(4, "2001:db8:100:2::1", NULL), -EPERM);
	(void)state;
}

static void
addr_mac(void **state)
{
	load("vn 1 { allow mac 52:54:00:00:00:00/24 mac 02:00:00:00:00:07 }\n"
	    "vn 2 { allow mac 00:00:00:00:00:00/0 }\n"
	    "vn 3 { allow mac 52:54:00:00:00:00/47 }\n");
	assert_int_equal(allowed_mac(1, "52:54:00:ff:ff:ff"), 0);
	assert_int_equal(allowed_mac(1, "52:54:01:00:00:00"), -EPERM);
	/* a bare MAC is a /48 */
	assert_int_equal(allowed_mac(1, "02:00:00:00:00:07"), 0);
	assert_int_equal(allowed_mac(1, "02:00:00:00:00:06"), -EPERM);
	assert_int_equal(allowed_mac(2, "ff:ff:ff:ff:ff:ff"), 0);
	assert_int_equal(allowed_mac(3, "52:54:00:00:00:01"), 0);
	assert_int_equal(allowed_mac(3, "52:54:00:00:00:02"), -EPERM);
	/* IP addresses with no IP prefix: only the MAC counts */
	assert_int_equal(allowed_ip(1, "198.51.100.1", "52:54:00:00:00:01"),
	    0);
	assert_int_equal(allowed_ip(1, "198.51.100.1", "52:55:00:00:00:01"),
	    -EPERM);
	/* ... and an IP address without a MAC is not checked at all */
	assert_int_equal(allowed_ip(1, "198.51.100.1", NULL), 0);
	(void)state;
}

/* IP and MAC prefixes in one block: an IP+MAC address needs both. */
static void
addr_ip_and_mac(void **state)
{
	struct nvo3_addr a;

	load("vn 9 {\n"
	    "\tallow 198.51.100.0/24 2001:db8:100::/64\n"
	    "\tallow mac 52:54:00:00:00:00/24\n"
	    "}\n");
	assert_int_equal(allowed_ip(9, "198.51.100.9", "52:54:00:00:00:09"),
	    0);
	assert_int_equal(allowed_ip(9, "198.51.100.9", "52:55:00:00:00:09"),
	    -EPERM);
	assert_int_equal(allowed_ip(9, "192.0.2.9", "52:54:00:00:00:09"),
	    -EPERM);
	assert_int_equal(allowed_ip(9, "198.51.100.9", NULL), 0);
	assert_int_equal(allowed_ip(9, "2001:db8:100::9", "52:54:00:00:00:09"),
	    0);
	assert_int_equal(allowed_ip(9, "2001:db8:100::9", "02:54:00:00:00:09"),
	    -EPERM);
	assert_int_equal(allowed_ip(9, "2001:db8:101::9", NULL), -EPERM);
	assert_int_equal(allowed_mac(9, "52:54:00:00:00:09"), 0);
	assert_int_equal(allowed_mac(9, "00:00:00:00:00:00"), -EPERM);
	/* the other VNs are not limited */
	assert_int_equal(allowed_ip(8, "192.0.2.9", "02:00:00:00:00:01"), 0);
	/* unknown families are refused where prefixes exist */
	memset(&a, 0, sizeof(a));
	a.family = 5;
	assert_int_equal(policy_addr(&conf, 9, &a), -EPERM);
	a.family = 1;
	assert_int_equal(policy_addr(&conf, 9, &a), -EPERM);
	(void)state;
}

static void
vn_of_vid(void **state)
{
	uint32_t vn = 77;

	load("port eth0 { default-vn 5000; vlan 10 vn 5001; vlan 4094 vn 7 }\n"
	    "port eth1 { vlan 10 vn 6001 }\n");
	assert_int_equal(policy_vn_of_vid(&conf.ports[0], 0, &vn), 0);
	assert_int_equal(vn, 5000);
	assert_int_equal(policy_vn_of_vid(&conf.ports[0], 10, &vn), 0);
	assert_int_equal(vn, 5001);
	assert_int_equal(policy_vn_of_vid(&conf.ports[0], 4094, &vn), 0);
	assert_int_equal(vn, 7);
	vn = 77;
	assert_int_equal(policy_vn_of_vid(&conf.ports[0], 11, &vn), -ENOENT);
	assert_int_equal(vn, 77);
	assert_int_equal(policy_vn_of_vid(&conf.ports[1], 10, &vn), 0);
	assert_int_equal(vn, 6001);
	/* no default-vn: VID 0 names no VN */
	assert_int_equal(policy_vn_of_vid(&conf.ports[1], 0, &vn), -ENOENT);
	assert_int_equal(vn, 6001);
	assert_int_equal(policy_vn_of_vid(NULL, 10, &vn), -ENOENT);
	(void)state;
}

static void
vid_range(void **state)
{
	struct nnved_port_conf lone;
	uint16_t lo = 0, hi = 0;

	load("vids 50-60\n"
	    "domain d1 { vids 200-300 }\n"
	    "domain d2\n"
	    "port eth0 { domain d1 }\n"
	    "port eth1 { vids 1-4094 }\n"
	    "port eth2\n"
	    "port eth3 { domain d2 }\n");
	policy_vid_range(&conf, &conf.ports[0], &lo, &hi);
	assert_int_equal(lo, 200);
	assert_int_equal(hi, 300);
	policy_vid_range(&conf, &conf.ports[1], &lo, &hi);
	assert_int_equal(lo, 1);
	assert_int_equal(hi, 4094);
	policy_vid_range(&conf, &conf.ports[2], &lo, &hi);
	assert_int_equal(lo, 50);
	assert_int_equal(hi, 60);
	/* a domain without vids shares the global range */
	policy_vid_range(&conf, &conf.ports[3], &lo, &hi);
	assert_int_equal(lo, 50);
	assert_int_equal(hi, 60);
	policy_vid_range(&conf, NULL, &lo, &hi);
	assert_int_equal(lo, 50);
	assert_int_equal(hi, 60);
	/* a port built by hand naming a domain that is not there */
	memset(&lone, 0, sizeof(lone));
	strcpy(lone.domain, "gone");
	lone.vid_lo = 7;
	lone.vid_hi = 8;
	policy_vid_range(&conf, &lone, &lo, &hi);
	assert_int_equal(lo, 50);
	assert_int_equal(hi, 60);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(lookups, teardown),
		cmocka_unit_test_teardown(station_order, teardown),
		cmocka_unit_test_teardown(station_refused, teardown),
		cmocka_unit_test_teardown(station_vns, teardown),
		cmocka_unit_test_teardown(addr_no_prefixes, teardown),
		cmocka_unit_test_teardown(addr_ipv4, teardown),
		cmocka_unit_test_teardown(addr_ipv6, teardown),
		cmocka_unit_test_teardown(addr_mac, teardown),
		cmocka_unit_test_teardown(addr_ip_and_mac, teardown),
		cmocka_unit_test_teardown(vn_of_vid, teardown),
		cmocka_unit_test_teardown(vid_range, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
