/*
 * test_nvo3_tsi.c - addresses (nvo3_addr_equal, nvo3_addr_fmt) and the
 * edges of the TSI machine (lib/nvo3/tsi.c): list validation (the
 * largest list, one too many, duplicates, NULL lists, unknown families),
 * the address diff (order, sets, empty lists), refusals that must leave
 * the TSI and the action list untouched, and the action-list room check.
 * The protocol paths are in tests/fsm/nvo3_tsi/.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "nvo3/nvo3.h"

static const uint8_t uuid[16] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

static struct nvo3_addr
mac_addr(uint8_t last)
{
	struct nvo3_addr a = {
		.family = 0, .mac = { 0x52, 0x54, 0x00, 0x11, 0x22, last },
	};

	return a;
}

static struct nvo3_addr
ip4_addr(uint8_t last, uint8_t maclast)
{
	struct nvo3_addr a = { .family = 4, .ip = { 198, 51, 100, last } };

	if (maclast)
		a.mac[0] = 0x52, a.mac[5] = maclast;
	return a;
}

static void
fmt_is(const struct nvo3_addr *a, const char *want)
{
	char buf[NVO3_ADDR_STRLEN];

	assert_int_equal(nvo3_addr_fmt(a, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
}

static void
test_addr_fmt(void **state)
{
	struct nvo3_addr a = mac_addr(0x33), b;
	char buf[NVO3_ADDR_STRLEN];

	(void)state;
	fmt_is(&a, "52:54:00:11:22:33");
	b = ip4_addr(7, 0);
	fmt_is(&b, "198.51.100.7");
	b = ip4_addr(7, 0x33);
	fmt_is(&b, "198.51.100.7@52:00:00:00:00:33");
	memset(&b, 0, sizeof(b));
	b.family = 6;
	b.ip[0] = 0x20, b.ip[1] = 0x01, b.ip[2] = 0x0d, b.ip[3] = 0xb8;
	b.ip[4] = 0x01, b.ip[5] = 0x00, b.ip[15] = 0x07;
	fmt_is(&b, "2001:db8:100::7");
	memcpy(b.mac, a.mac, 6);
	fmt_is(&b, "2001:db8:100::7@52:54:00:11:22:33");
	/* the longest form fits NVO3_ADDR_STRLEN */
	memset(b.ip, 0x12, 16);
	fmt_is(&b, "1212:1212:1212:1212:1212:1212:1212:1212"
	    "@52:54:00:11:22:33");
	/* exactly the room needed, then one octet short */
	assert_int_equal(nvo3_addr_fmt(&a, buf, 18), 17);
	assert_int_equal(nvo3_addr_fmt(&a, buf, 17), -ENOBUFS);
	assert_string_equal(buf, "");
	assert_int_equal(nvo3_addr_fmt(&a, NULL, 0), -ENOBUFS);
	b = ip4_addr(7, 0);
	assert_int_equal(nvo3_addr_fmt(&b, buf, 13), 12);
	assert_int_equal(nvo3_addr_fmt(&b, buf, 12), -ENOBUFS);
	/* an unknown family */
	b.family = 5;
	assert_int_equal(nvo3_addr_fmt(&b, buf, sizeof(buf)), -EINVAL);
}

static void
test_addr_equal(void **state)
{
	struct nvo3_addr a = ip4_addr(7, 0x33), b = a;

	(void)state;
	assert_true(nvo3_addr_equal(&a, &b));
	/* IPv4 uses ip[0..3] only */
	b.ip[4] = 9;
	b.ip[15] = 9;
	assert_true(nvo3_addr_equal(&a, &b));
	b.ip[3] = 8;
	assert_false(nvo3_addr_equal(&a, &b));
	b = a;
	b.mac[5] = 0x34;
	assert_false(nvo3_addr_equal(&a, &b));
	b = a;
	b.family = 6;
	assert_false(nvo3_addr_equal(&a, &b));
	a.family = 6;
	b.ip[15] = 1;
	assert_false(nvo3_addr_equal(&a, &b));
	/* a MAC-only address ignores ip[] altogether */
	a = mac_addr(1);
	b = a;
	b.ip[0] = 10;
	assert_true(nvo3_addr_equal(&a, &b));
	b.family = 4;
	assert_false(nvo3_addr_equal(&a, &b));
}

/* ---- the machine ------------------------------------------------------- */

static struct nvo3_tsi tsi, tsnap;
static struct nvo3_tsi_acts acts;

static void
fresh(void)
{
	nvo3_tsi_init(&tsi, 1, uuid, 1);
	memset(&acts, 0, sizeof(acts));
}

/* ev must fail with want and change neither the TSI nor acts. */
static void
refused(enum nvo3_tsi_event ev, const struct nvo3_tsi_req *req, int want)
{
	unsigned n = acts.n;

	memcpy(&tsnap, &tsi, sizeof(tsi));
	assert_int_equal(nvo3_tsi_event(&tsi, 99, ev, req, &acts), want);
	assert_memory_equal(&tsi, &tsnap, sizeof(tsi));
	assert_int_equal(acts.n, n);
}

static void
ok(enum nvo3_tsi_event ev, const struct nvo3_tsi_req *req, uint64_t now)
{
	acts.n = 0;
	assert_int_equal(nvo3_tsi_event(&tsi, now, ev, req, &acts), 0);
}

static void
test_init(void **state)
{
	(void)state;
	memset(&tsi, 0xa5, sizeof(tsi));
	nvo3_tsi_init(&tsi, 5, uuid, 42);
	assert_int_equal(tsi.state, NVO3_TSI_INIT);
	assert_int_equal(tsi.id_fmt, 5);
	assert_memory_equal(tsi.id, uuid, 16);
	assert_int_equal(tsi.port, 42);
	assert_int_equal(tsi.vn, 0);
	assert_int_equal(tsi.naddr, 0);
	assert_int_equal(tsi.updates, 0);
	nvo3_tsi_init(&tsi, 5, NULL, 1);
	assert_int_equal(tsi.id[0], 0);
	assert_string_equal(nvo3_tsi_state_names[NVO3_TSI_ACTIVATED],
	    "ACTIVATED");
	assert_string_equal(nvo3_tsi_event_names[NVO3_TSIE_PORT], "port");
	assert_string_equal(nvo3_tsi_act_names[NVO3_TSIA_PORT_MOVE],
	    "PORT_MOVE");
}

static void
test_list_checks(void **state)
{
	struct nvo3_addr list[NVO3_TSI_MAX_ADDR + 1];
	struct nvo3_tsi_req req = { .port = 1, .vn = 10001, .addr = list };
	unsigned i;

	(void)state;
	fresh();
	for (i = 0; i <= NVO3_TSI_MAX_ADDR; i++)
		list[i] = mac_addr((uint8_t)i);
	req.naddr = NVO3_TSI_MAX_ADDR + 1;
	refused(NVO3_TSIE_ASSOCIATE, &req, -E2BIG);
	req.naddr = 0xffff;
	refused(NVO3_TSIE_ACTIVATE, &req, -E2BIG);
	/* a NULL list: E2BIG still wins over EINVAL for a huge count */
	req.addr = NULL;
	refused(NVO3_TSIE_ASSOCIATE, &req, -E2BIG);
	req.naddr = 1;
	refused(NVO3_TSIE_ASSOCIATE, &req, -EINVAL);
	req.addr = list;
	/* a duplicate anywhere, also the last against the first */
	req.naddr = NVO3_TSI_MAX_ADDR;
	list[NVO3_TSI_MAX_ADDR - 1] = list[0];
	refused(NVO3_TSIE_ASSOCIATE, &req, -EINVAL);
	/* the same IP with two MACs is two addresses; the same IP twice
	 * (IPv4 octets past 3 differing) is one */
	list[NVO3_TSI_MAX_ADDR - 1] = ip4_addr(1, 0x01);
	list[NVO3_TSI_MAX_ADDR - 2] = ip4_addr(1, 0x02);
	ok(NVO3_TSIE_ASSOCIATE, &req, 10);
	assert_int_equal(acts.n, 1 + NVO3_TSI_MAX_ADDR);
	assert_int_equal(tsi.naddr, NVO3_TSI_MAX_ADDR);
	list[0] = ip4_addr(1, 0x01);
	list[0].ip[7] = 3;
	refused(NVO3_TSIE_UPDATE, &req, -EINVAL);
	/* an unknown family */
	list[0] = mac_addr(0);
	list[0].family = 5;
	refused(NVO3_TSIE_UPDATE, &req, -EINVAL);
	list[0].family = 0;
	/* an empty list with a NULL pointer is fine */
	req.naddr = 0;
	req.addr = NULL;
	ok(NVO3_TSIE_UPDATE, &req, 20);
	assert_int_equal(acts.n, NVO3_TSI_MAX_ADDR);
	for (i = 0; i < acts.n; i++)
		assert_int_equal(acts.a[i].kind, NVO3_TSIA_ADDR_DEL);
	assert_int_equal(tsi.naddr, 0);
	assert_int_equal(tsi.updates, 1);
	/* and again: no change, no count */
	ok(NVO3_TSIE_UPDATE, &req, 30);
	assert_int_equal(acts.n, 0);
	assert_int_equal(tsi.updates, 1);
}

static void
test_state_errors(void **state)
{
	struct nvo3_addr a = mac_addr(1);
	struct nvo3_tsi_req req = { .port = 1, .vn = 10001, .naddr = 1,
	    .addr = &a };
	struct nvo3_tsi_req vn0 = req, vnbig = req, other = req;

	(void)state;
	fresh();
	vn0.vn = 0;
	vnbig.vn = NVO3_VN_MAX + 1;
	other.vn = 10002;
	refused(NVO3_TSIE_DEACTIVATE, &req, -ENOENT);
	refused(NVO3_TSIE_DEACTIVATE, NULL, -ENOENT);
	refused(NVO3_TSIE_DEASSOCIATE, NULL, -ENOENT);
	refused(NVO3_TSIE_UPDATE, &req, -ENOENT);
	refused(NVO3_TSIE_PORT, &req, -ENOENT);
	refused(NVO3_TSIE_ASSOCIATE, &vn0, -EINVAL);
	refused(NVO3_TSIE_ACTIVATE, &vnbig, -EINVAL);
	refused(NVO3_TSIE_ASSOCIATE, NULL, -EINVAL);
	refused(NVO3_TSIE__COUNT, &req, -EINVAL);
	refused((enum nvo3_tsi_event)-1, &req, -EINVAL);
	assert_int_equal(nvo3_tsi_event(&tsi, 1, NVO3_TSIE_ASSOCIATE, &req,
	    NULL), -EINVAL);
	assert_int_equal(tsi.state, NVO3_TSI_INIT);

	ok(NVO3_TSIE_ACTIVATE, &req, 10);
	assert_int_equal(tsi.since, 10);
	refused(NVO3_TSIE_ASSOCIATE, &req, -EPERM);
	refused(NVO3_TSIE_ASSOCIATE, &other, -EPERM);
	refused(NVO3_TSIE_ACTIVATE, &other, -EXDEV);
	refused(NVO3_TSIE_ACTIVATE, &vn0, -EXDEV);
	refused(NVO3_TSIE_ACTIVATE, NULL, -EINVAL);
	refused(NVO3_TSIE_UPDATE, NULL, -EINVAL);
	refused(NVO3_TSIE_PORT, NULL, -EINVAL);
	ok(NVO3_TSIE_DEACTIVATE, NULL, 20);
	assert_int_equal(acts.n, 1);
	assert_int_equal(acts.a[0].kind, NVO3_TSIA_DISABLE);
	refused(NVO3_TSIE_ASSOCIATE, &other, -EXDEV);
	/* UPDATE ignores the VN */
	ok(NVO3_TSIE_UPDATE, &other, 30);
	assert_int_equal(acts.n, 0);
	assert_int_equal(tsi.vn, 10001);
	assert_int_equal(tsi.since, 20);
}

/* The diff: deletions first in old order, additions in new order. */
static void
test_diff_order(void **state)
{
	struct nvo3_addr l1[4] = { mac_addr(1), mac_addr(2), mac_addr(3),
	    ip4_addr(4, 0) };
	struct nvo3_addr l2[3] = { ip4_addr(5, 0), mac_addr(3), mac_addr(1) };
	struct nvo3_tsi_req req = { .port = 1, .vn = 7, .vid = 100,
	    .hints = 0x10, .reason = 2, .naddr = 4, .addr = l1 };

	(void)state;
	fresh();
	ok(NVO3_TSIE_ASSOCIATE, &req, 1);
	assert_int_equal(acts.n, 5);
	assert_int_equal(acts.a[0].kind, NVO3_TSIA_RESERVE);
	assert_int_equal(acts.a[0].port, 1);
	assert_int_equal(tsi.vid, 100);
	assert_int_equal(tsi.hints, 0x10);
	assert_int_equal(tsi.reason, 2);
	req.addr = l2;
	req.naddr = 3;
	req.port = 9;
	req.hints = 0;
	req.reason = 0;
	req.vid = 101;
	ok(NVO3_TSIE_ACTIVATE, &req, 2);
	assert_int_equal(acts.n, 5);
	assert_int_equal(acts.a[0].kind, NVO3_TSIA_PORT_MOVE);
	assert_int_equal(acts.a[0].port, 9);
	assert_int_equal(acts.a[0].old_port, 1);
	assert_int_equal(acts.a[1].kind, NVO3_TSIA_ADDR_DEL);
	assert_true(nvo3_addr_equal(&acts.a[1].addr, &l1[1]));
	assert_int_equal(acts.a[2].kind, NVO3_TSIA_ADDR_DEL);
	assert_true(nvo3_addr_equal(&acts.a[2].addr, &l1[3]));
	assert_int_equal(acts.a[3].kind, NVO3_TSIA_ADDR_ADD);
	assert_true(nvo3_addr_equal(&acts.a[3].addr, &l2[0]));
	assert_int_equal(acts.a[4].kind, NVO3_TSIA_ENABLE);
	assert_int_equal(tsi.port, 9);
	assert_int_equal(tsi.vid, 101);
	assert_int_equal(tsi.hints, 0);
	assert_int_equal(tsi.updates, 1);
	assert_int_equal(tsi.naddr, 3);
	assert_memory_equal(tsi.addr, l2, sizeof(l2));
	/* De-Associate: DISABLE, ADDR_DEL in list order, RELEASE */
	ok(NVO3_TSIE_DEASSOCIATE, NULL, 3);
	assert_int_equal(acts.n, 5);
	assert_int_equal(acts.a[0].kind, NVO3_TSIA_DISABLE);
	assert_true(nvo3_addr_equal(&acts.a[1].addr, &l2[0]));
	assert_true(nvo3_addr_equal(&acts.a[3].addr, &l2[2]));
	assert_int_equal(acts.a[4].kind, NVO3_TSIA_RELEASE);
	assert_int_equal(acts.a[4].port, 9);
	assert_int_equal(tsi.state, NVO3_TSI_INIT);
	assert_int_equal(tsi.naddr, 0);
	assert_int_equal(tsi.vn, 0);
	assert_int_equal(tsi.vid, 0);
	assert_int_equal(tsi.since, 3);
}

/* The caller's list may be the TSI's own array. */
static void
test_diff_aliasing(void **state)
{
	struct nvo3_addr l1[2] = { mac_addr(1), mac_addr(2) };
	struct nvo3_tsi_req req = { .port = 1, .vn = 7, .naddr = 2,
	    .addr = l1 };

	(void)state;
	fresh();
	ok(NVO3_TSIE_ACTIVATE, &req, 1);
	req.addr = &tsi.addr[1];
	req.naddr = 1;
	ok(NVO3_TSIE_UPDATE, &req, 2);
	assert_int_equal(acts.n, 1);
	assert_int_equal(acts.a[0].kind, NVO3_TSIA_ADDR_DEL);
	assert_true(nvo3_addr_equal(&acts.a[0].addr, &l1[0]));
	assert_int_equal(tsi.naddr, 1);
	assert_true(nvo3_addr_equal(&tsi.addr[0], &l1[1]));
}

/* Room: the worst case fits from empty; a short list gives -ENOBUFS. */
static void
test_room(void **state)
{
	struct nvo3_addr l1[NVO3_TSI_MAX_ADDR], l2[NVO3_TSI_MAX_ADDR];
	struct nvo3_tsi_req req = { .port = 1, .vn = 7,
	    .naddr = NVO3_TSI_MAX_ADDR, .addr = l1 };
	unsigned i;

	(void)state;
	for (i = 0; i < NVO3_TSI_MAX_ADDR; i++) {
		l1[i] = mac_addr((uint8_t)i);
		l2[i] = ip4_addr((uint8_t)i, 0);
	}
	fresh();
	ok(NVO3_TSIE_ASSOCIATE, &req, 1);
	req.addr = l2;
	req.port = 2;
	/* PORT_MOVE + 16 + 16 + ENABLE = 34: refused with 35 used */
	acts.n = NVO3_TSI_ACT_CAP - 33;
	refused(NVO3_TSIE_ACTIVATE, &req, -ENOBUFS);
	acts.n = NVO3_TSI_ACT_CAP + 1;
	refused(NVO3_TSIE_ACTIVATE, &req, -EINVAL);
	acts.n = NVO3_TSI_ACT_CAP - 34;
	assert_int_equal(nvo3_tsi_event(&tsi, 2, NVO3_TSIE_ACTIVATE, &req,
	    &acts), 0);
	assert_int_equal(acts.n, NVO3_TSI_ACT_CAP);
	assert_int_equal(acts.a[2].kind, NVO3_TSIA_PORT_MOVE);
	assert_int_equal(acts.a[NVO3_TSI_ACT_CAP - 1].kind,
	    NVO3_TSIA_ENABLE);
	/* Deactivate with a full swap: DISABLE + 32 */
	req.addr = l1;
	ok(NVO3_TSIE_DEACTIVATE, &req, 3);
	assert_int_equal(acts.n, 33);
	assert_int_equal(tsi.state, NVO3_TSI_ASSOCIATED);
	assert_int_equal(tsi.updates, 2);
}

/* Deactivate while Associated does nothing, whatever it carries. */
static void
test_deactivate_associated(void **state)
{
	struct nvo3_addr a = mac_addr(1), b[2] = { mac_addr(2), mac_addr(2) };
	struct nvo3_tsi_req req = { .port = 1, .vn = 7, .naddr = 1,
	    .addr = &a };
	struct nvo3_tsi_req dup = { .port = 3, .vn = 8, .naddr = 2,
	    .addr = b };

	(void)state;
	fresh();
	ok(NVO3_TSIE_ASSOCIATE, &req, 1);
	memcpy(&tsnap, &tsi, sizeof(tsi));
	ok(NVO3_TSIE_DEACTIVATE, &dup, 2);
	assert_int_equal(acts.n, 0);
	assert_memory_equal(&tsi, &tsnap, sizeof(tsi));
	/* while Activated the same list is checked */
	ok(NVO3_TSIE_ACTIVATE, &req, 3);
	refused(NVO3_TSIE_DEACTIVATE, &dup, -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_fmt),
		cmocka_unit_test(test_addr_equal),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_list_checks),
		cmocka_unit_test(test_state_errors),
		cmocka_unit_test(test_diff_order),
		cmocka_unit_test(test_diff_aliasing),
		cmocka_unit_test(test_room),
		cmocka_unit_test(test_deactivate_associated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
