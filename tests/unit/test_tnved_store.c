/*
 * test_tnved_store.c - tnved's state directory (daemons/tnved/store.c):
 * a full record through JSON and back (also through text), the JSON it
 * writes, every parse error with its reason, store_name_ok, and the
 * files: save (folder created 0700, overwrite, no temporary left),
 * load in name order, remove, a missing folder, corrupt files renamed
 * .bad while the good ones load, stale temporaries removed, and a
 * callback that refuses a VM.  Files live in a mkdtemp folder removed at
 * the end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "nvo3/nvo3.h"
#include "tnved.h"
#include "util/log.h"

/* ---- a full record -------------------------------------------------------- */

static void
set_ip(struct nvo3_ipaddr *a, const char *text)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, a->addr) == 1)
		a->afi = NVO3_AFI_IPV4;
	else if (inet_pton(AF_INET6, text, a->addr) == 1)
		a->afi = NVO3_AFI_IPV6;
	else
		fail_msg("bad test address %s", text);
}

/* Every field set, every list at its largest on TSI 0. */
static void
full_rec(struct tnved_vm_rec *r, const char *name)
{
	struct tnved_tsi_def *d;
	char ip[64];
	unsigned i;

	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	for (i = 0; i < 16; i++)
		r->uuid[i] = (uint8_t)(0xa0 + i);
	r->view.state = NVO3_VM_MIGRATING;
	r->view.dir = NVO3_VM_DIR_IN;
	r->view.hold = NVO3_HOLD_ASSOCIATED;
	r->view.arrived = false;
	r->wall_since = 1700000000123456ULL;
	snprintf(r->from_host, sizeof(r->from_host), "hv1.example");
	r->ntsi = 2;
	d = &r->tsi[0];
	snprintf(d->port, sizeof(d->port), "vnet0");
	d->nmac = TNVED_MAX_MAC;
	for (i = 0; i < TNVED_MAX_MAC; i++) {
		uint8_t m[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, (uint8_t)i };

		memcpy(d->mac[i], m, 6);
	}
	d->vn = 10001;
	for (i = 0; i < 16; i++)
		d->vsiid[i] = (uint8_t)(0x10 * (i % 16) + i);
	d->type_id = 0xabcdef;
	d->type_ver = 7;
	d->nip = TNVED_MAX_IP;
	for (i = 0; i < TNVED_MAX_IP; i++) {
		if (i % 2)
			snprintf(ip, sizeof(ip), "2001:db8:100::%x", i);
		else
			snprintf(ip, sizeof(ip), "198.51.100.%u", i + 1);
		set_ip(&d->ip[i], ip);
	}
	snprintf(r->bind[0][0].nve, TNVED_NVE_NAME_MAX, "nve1");
	r->bind[0][0].vid = 100;
	snprintf(r->bind[0][2].nve, TNVED_NVE_NAME_MAX, "nve3");
	r->bind[0][2].vid = 4095;
	d = &r->tsi[1];
	snprintf(d->port, sizeof(d->port), "vnet1");
	d->nmac = 1;
	memcpy(d->mac[0], "\x02\x00\x00\x00\x00\x01", 6);
	d->vn = NVO3_VN_MAX;
}

static void
assert_rec_equal(const struct tnved_vm_rec *a, const struct tnved_vm_rec *b)
{
	unsigned t, i;

	assert_string_equal(a->name, b->name);
	assert_memory_equal(a->uuid, b->uuid, 16);
	assert_int_equal(a->view.state, b->view.state);
	assert_int_equal(a->view.dir, b->view.dir);
	assert_int_equal(a->view.hold, b->view.hold);
	assert_int_equal(a->view.arrived, b->view.arrived);
	assert_int_equal(a->wall_since, b->wall_since);
	assert_string_equal(a->from_host, b->from_host);
	assert_int_equal(a->ntsi, b->ntsi);
	for (t = 0; t < a->ntsi; t++) {
		const struct tnved_tsi_def *x = &a->tsi[t], *y = &b->tsi[t];

		assert_string_equal(x->port, y->port);
		assert_int_equal(x->nmac, y->nmac);
		assert_memory_equal(x->mac, y->mac, 6u * x->nmac);
		assert_int_equal(x->vn, y->vn);
		assert_memory_equal(x->vsiid, y->vsiid, 16);
		assert_int_equal(x->type_id, y->type_id);
		assert_int_equal(x->type_ver, y->type_ver);
		assert_int_equal(x->nip, y->nip);
		for (i = 0; i < x->nip; i++) {
			assert_int_equal(x->ip[i].afi, y->ip[i].afi);
			assert_memory_equal(x->ip[i].addr, y->ip[i].addr, 16);
		}
		for (i = 0; i < TNVED_VN_NVES; i++) {
			assert_string_equal(a->bind[t][i].nve,
			    b->bind[t][i].nve);
			assert_int_equal(a->bind[t][i].vid, b->bind[t][i].vid);
		}
	}
}

/* ---- JSON both ways --------------------------------------------------------- */

static void
test_round_trip(void **state)
{
	struct tnved_vm_rec r, back;
	char err[256], *text;
	json_t *j, *k;
	json_error_t jerr;

	(void)state;
	full_rec(&r, "web-1");
	j = store_vm_json(&r);
	assert_non_null(j);
	memset(&back, 0x77, sizeof(back));
	assert_int_equal(store_vm_parse(j, &back, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_rec_equal(&r, &back);
	/* through text too */
	text = json_dumps(j, 0);
	assert_non_null(text);
	k = json_loads(text, 0, &jerr);
	assert_non_null(k);
	memset(&back, 0, sizeof(back));
	assert_int_equal(store_vm_parse(k, &back, err, sizeof(err)), 0);
	assert_rec_equal(&r, &back);
	free(text);
	json_decref(k);
	json_decref(j);

	/* every state and hold name survives */
	r.view.dir = NVO3_VM_DIR_NONE;
	r.view.arrived = true;
	for (int s = NVO3_VM_PREPARING; s < NVO3_VM__COUNT; s++) {
		if (s == NVO3_VM_MIGRATING)
			continue;
		r.view.state = (enum nvo3_vm_state)s;
		r.view.hold = (enum nvo3_vm_hold)(s % 3);
		j = store_vm_json(&r);
		assert_int_equal(store_vm_parse(j, &back, err, sizeof(err)),
		    0);
		assert_rec_equal(&r, &back);
		json_decref(j);
	}
}

static void
test_json_shape(void **state)
{
	struct tnved_vm_rec r;
	json_t *j, *t0, *t1;

	(void)state;
	full_rec(&r, "web-1");
	j = store_vm_json(&r);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "format")), 1);
	assert_string_equal(json_string_value(json_object_get(j, "uuid")),
	    "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf");
	assert_string_equal(json_string_value(json_object_get(j, "state")),
	    "migrating");
	assert_string_equal(json_string_value(json_object_get(j, "dir")),
	    "in");
	assert_string_equal(json_string_value(json_object_get(j, "hold")),
	    "associated");
	assert_true(json_is_false(json_object_get(j, "arrived")));
	assert_int_equal(json_integer_value(json_object_get(j, "since")),
	    1700000000123456LL);
	t0 = json_array_get(json_object_get(j, "tsis"), 0);
	t1 = json_array_get(json_object_get(j, "tsis"), 1);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(t0, "macs"), 3)), "52:54:00:aa:bb:03");
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(t0, "ips"), 0)), "198.51.100.1");
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(t0, "ips"), 1)), "2001:db8:100::1");
	assert_string_equal(json_string_value(json_object_get(t0, "vsiid")),
	    "00112233-4455-6677-8899-aabbccddeeff");
	/* binds: slot 1 unused (null), trimmed after slot 2 */
	assert_int_equal(json_array_size(json_object_get(t0, "binds")), 3);
	assert_true(json_is_null(json_array_get(json_object_get(t0, "binds"),
	    1)));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(t0, "binds"), 2), "vid")), 4095);
	assert_int_equal(json_array_size(json_object_get(t1, "binds")), 0);
	assert_int_equal(json_array_size(json_object_get(t1, "ips")), 0);
	json_decref(j);

	/* a record the planner could not hold is not written */
	r.view.state = NVO3_VM__COUNT;
	assert_null(store_vm_json(&r));
	r.view.state = NVO3_VM_RUNNING;
	r.view.hold = (enum nvo3_vm_hold)3;
	assert_null(store_vm_json(&r));
}

/* ---- parse errors ------------------------------------------------------------ */

/*
 * One bad variant of the full record: a JSON text merged into the
 * record's object ("set") or into TSI 0's ("tsi"), or a member removed
 * ("del"/"tdel"), and the reason expected in err.
 */
struct bad {
	const char	*where;		/* "set", "tsi", "del", "tdel" */
	const char	*what;		/* JSON object text, or a member */
	const char	*reason;	/* substring of err */
};

static const struct bad bads[] = {
	/* missing members */
	{ "del", "format", "missing member \"format\"" },
	{ "del", "name", "missing member \"name\"" },
	{ "del", "uuid", "missing member \"uuid\"" },
	{ "del", "state", "missing member \"state\"" },
	{ "del", "dir", "missing member \"dir\"" },
	{ "del", "hold", "missing member \"hold\"" },
	{ "del", "arrived", "missing member \"arrived\"" },
	{ "del", "tsis", "missing member \"tsis\"" },
	{ "tdel", "port", "tsis[0]: missing member \"port\"" },
	{ "tdel", "macs", "tsis[0]: missing member \"macs\"" },
	{ "tdel", "vn", "tsis[0]: missing member \"vn\"" },
	{ "tdel", "vsiid", "tsis[0]: missing member \"vsiid\"" },
	/* wrong types */
	{ "set", "{\"name\": 5}", "\"name\": not a string" },
	{ "set", "{\"format\": \"1\"}", "\"format\": not an integer" },
	{ "set", "{\"hold\": 1}", "\"hold\": not a string" },
	{ "set", "{\"arrived\": \"yes\"}", "\"arrived\": not a boolean" },
	{ "set", "{\"arrived\": 0}", "\"arrived\": not a boolean" },
	{ "set", "{\"since\": 1.5}", "\"since\": not an integer" },
	{ "set", "{\"tsis\": {}}", "\"tsis\": not an array" },
	{ "set", "{\"from-host\": null}", "\"from-host\": not a string" },
	{ "tsi", "{\"vn\": \"10001\"}", "tsis[0]: \"vn\": not an integer" },
	{ "tsi", "{\"macs\": \"52:54:00:aa:bb:01\"}",
	  "tsis[0]: \"macs\": not an array" },
	{ "tsi", "{\"ips\": \"198.51.100.7\"}",
	  "tsis[0]: \"ips\": not an array" },
	{ "tsi", "{\"binds\": {}}", "tsis[0]: \"binds\": not an array" },
	{ "set", "{\"tsis\": [7]}", "tsis[0]: not an object" },
	/* bad values */
	{ "set", "{\"format\": 2}", "\"format\": 2 not supported" },
	{ "set", "{\"name\": \"bad/name\"}", "is not a valid VM name" },
	{ "set", "{\"name\": \".hidden\"}", "is not a valid VM name" },
	{ "set", "{\"uuid\": \"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf\"}",
	  "\"uuid\": not a UUID" },
	{ "set", "{\"uuid\": \"a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeag\"}",
	  "\"uuid\": not a UUID" },
	{ "set", "{\"uuid\": \"a0a1a2a3-a4a5a-6a7-a8a9-aaabacadaeaf\"}",
	  "\"uuid\": not a UUID" },
	{ "set", "{\"state\": \"flying\"}", "\"state\": unknown value" },
	{ "set", "{\"state\": \"Running\"}", "\"state\": unknown value" },
	{ "set", "{\"state\": \"none\"}", "cannot be \"none\"" },
	{ "set", "{\"dir\": \"sideways\"}", "\"dir\": unknown value" },
	{ "set", "{\"hold\": \"half\"}", "\"hold\": unknown value" },
	{ "set", "{\"dir\": \"none\"}", "\"dir\": \"none\" with state" },
	{ "set", "{\"state\": \"running\"}", "\"dir\": \"in\" with state" },
	{ "set", "{\"since\": -1}", "\"since\": -1 out of range" },
	{ "set", "{\"from-host\": "
	  "\"0123456789012345678901234567890123456789012345678901234567890123\"}",
	  "\"from-host\": longer than 63" },
	{ "set", "{\"tsis\": []}", "\"tsis\": 0 TSIs, want 1..8" },
	{ "tsi", "{\"port\": \"\"}", "tsis[0]: \"port\": empty" },
	{ "tsi", "{\"port\": \"0123456789abcdef\"}",
	  "tsis[0]: \"port\": longer than 15" },
	{ "tsi", "{\"macs\": []}", "\"macs\": 0 addresses, want 1..4" },
	{ "tsi", "{\"macs\": [\"52:54:00:aa:bb\"]}",
	  "tsis[0]: macs[0]: not a MAC address" },
	{ "tsi", "{\"macs\": [\"52:54:00:aa:bb:01\", \"52-54-00-aa-bb-02\"]}",
	  "tsis[0]: macs[1]: not a MAC address" },
	{ "tsi", "{\"macs\": [\"52:54:00:aa:bb:0g\"]}",
	  "macs[0]: not a MAC address" },
	{ "tsi", "{\"macs\": [\"52:54:00:aa:bb:01:\"]}",
	  "macs[0]: not a MAC address" },
	{ "tsi", "{\"macs\": [525400]}", "macs[0]: not a MAC address" },
	{ "tsi", "{\"vn\": 0}", "tsis[0]: \"vn\": 0 is not a VN" },
	{ "tsi", "{\"vn\": 16777216}", "\"vn\": 16777216 out of range" },
	{ "tsi", "{\"vn\": -5}", "\"vn\": -5 out of range" },
	{ "tsi", "{\"vsiid\": \"x\"}", "tsis[0]: \"vsiid\": not a UUID" },
	{ "tsi", "{\"type-id\": 16777216}", "\"type-id\": 16777216 out of" },
	{ "tsi", "{\"type-version\": 256}", "\"type-version\": 256 out of" },
	{ "tsi", "{\"ips\": [\"198.51.100.300\"]}",
	  "tsis[0]: ips[0]: not an IP address" },
	{ "tsi", "{\"ips\": [\"198.51.100.7\", \"2001:db8::g\"]}",
	  "tsis[0]: ips[1]: not an IP address" },
	{ "tsi", "{\"ips\": [7]}", "ips[0]: not an IP address" },
	{ "tsi", "{\"binds\": [3]}", "binds[0]: not an object or null" },
	{ "tsi", "{\"binds\": [{\"nve\": \"nve1\"}]}",
	  "binds[0]: missing member \"vid\"" },
	{ "tsi", "{\"binds\": [null, {\"vid\": 1}]}",
	  "binds[1]: missing member \"nve\"" },
	{ "tsi", "{\"binds\": [{\"nve\": \"nve1\", \"vid\": 4096}]}",
	  "binds[0]: \"vid\": 4096 out of range" },
	{ "tsi", "{\"binds\": [{\"nve\": \"\", \"vid\": 1}]}",
	  "binds[0]: \"nve\": empty" },
	{ "tsi", "{\"binds\": [{\"nve\": "
	  "\"nve-0123456789012345678901234567\", \"vid\": 1}]}",
	  "binds[0]: \"nve\": longer than 31" },
	/* too many */
	{ "tsi", "{\"macs\": [\"02:00:00:00:00:01\", \"02:00:00:00:00:02\", "
	  "\"02:00:00:00:00:03\", \"02:00:00:00:00:04\", "
	  "\"02:00:00:00:00:05\"]}", "\"macs\": 5 addresses, want 1..4" },
	{ "tsi", "{\"ips\": [\"198.51.100.1\", \"198.51.100.2\", "
	  "\"198.51.100.3\", \"198.51.100.4\", \"198.51.100.5\", "
	  "\"198.51.100.6\", \"198.51.100.7\", \"198.51.100.8\", "
	  "\"198.51.100.9\", \"198.51.100.10\", \"198.51.100.11\", "
	  "\"198.51.100.12\", \"198.51.100.13\"]}",
	  "\"ips\": more than 12 addresses" },
	{ "tsi", "{\"binds\": [null, null, null, null, null]}",
	  "\"binds\": more than 4" },
	/* unknown members */
	{ "set", "{\"colour\": \"blue\"}", "unknown member \"colour\"" },
	{ "tsi", "{\"mtu\": 1500}", "tsis[0]: unknown member \"mtu\"" },
	{ "tsi", "{\"binds\": [{\"nve\": \"nve1\", \"vid\": 1, \"q\": 1}]}",
	  "binds[0]: unknown member \"q\"" },
};

static json_t *
parse_text(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);

	if (j == NULL)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	return j;
}

static void
test_parse_errors(void **state)
{
	struct tnved_vm_rec r, out, untouched;
	char err[256];
	json_t *j, *t0, *patch;
	size_t i;

	(void)state;
	full_rec(&r, "web-1");
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];

		j = store_vm_json(&r);
		t0 = json_array_get(json_object_get(j, "tsis"), 0);
		if (strcmp(b->where, "del") == 0) {
			assert_int_equal(json_object_del(j, b->what), 0);
		} else if (strcmp(b->where, "tdel") == 0) {
			assert_int_equal(json_object_del(t0, b->what), 0);
		} else {
			patch = parse_text(b->what);
			assert_int_equal(json_object_update(
			    strcmp(b->where, "tsi") == 0 ? t0 : j, patch), 0);
			json_decref(patch);
		}
		memset(&out, 0x3c, sizeof(out));
		memcpy(&untouched, &out, sizeof(out));
		err[0] = 'x', err[1] = '\0';
		if (store_vm_parse(j, &out, err, sizeof(err)) != -EINVAL)
			fail_msg("bad %zu (%s) accepted", i, b->what);
		if (strstr(err, b->reason) == NULL)
			fail_msg("bad %zu: reason \"%s\", want \"%s\"", i, err,
			    b->reason);
		/* nothing written on failure */
		assert_memory_equal(&out, &untouched, sizeof(out));
		json_decref(j);
	}

	/* not an object at all; a NULL; a reason that does not fit */
	j = parse_text("[1, 2]");
	assert_int_equal(store_vm_parse(j, &out, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "not a JSON object");
	json_decref(j);
	assert_int_equal(store_vm_parse(NULL, &out, err, sizeof(err)),
	    -EINVAL);
	j = store_vm_json(&r);
	json_object_del(j, "name");
	assert_int_equal(store_vm_parse(j, &out, err, 8), -EINVAL);
	assert_string_equal(err, "missing");
	assert_int_equal(store_vm_parse(j, &out, NULL, 0), -EINVAL);
	json_decref(j);

	/* nine TSIs */
	j = store_vm_json(&r);
	t0 = json_array_get(json_object_get(j, "tsis"), 0);
	for (i = 0; i < 7; i++)
		json_array_append(json_object_get(j, "tsis"), t0);
	assert_int_equal(store_vm_parse(j, &out, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "\"tsis\": 9 TSIs, want 1..8");
	/* eight are fine */
	json_array_remove(json_object_get(j, "tsis"), 8);
	assert_int_equal(store_vm_parse(j, &out, err, sizeof(err)), 0);
	assert_int_equal(out.ntsi, 8);
	json_decref(j);
}

/* Optional members left out take their defaults. */
static void
test_parse_defaults(void **state)
{
	struct tnved_vm_rec out;
	char err[256];
	json_t *j;

	(void)state;
	j = parse_text("{\"format\": 1, \"name\": \"db\", "
	    "\"uuid\": \"00000000-0000-0000-0000-000000000001\", "
	    "\"state\": \"shutdown\", \"dir\": \"none\", \"hold\": \"none\", "
	    "\"arrived\": true, \"tsis\": [{\"port\": \"tap0\", "
	    "\"macs\": [\"02:00:00:00:00:01\"], \"vn\": 1, "
	    "\"vsiid\": \"00000000-0000-0000-0000-000000000002\"}]}");
	memset(&out, 0x55, sizeof(out));
	assert_int_equal(store_vm_parse(j, &out, err, sizeof(err)), 0);
	assert_string_equal(out.name, "db");
	assert_int_equal(out.view.state, NVO3_VM_SHUTDOWN);
	assert_true(out.view.arrived);
	assert_int_equal(out.wall_since, 0);
	assert_string_equal(out.from_host, "");
	assert_int_equal(out.ntsi, 1);
	assert_int_equal(out.tsi[0].nip, 0);
	assert_int_equal(out.tsi[0].type_id, 0);
	assert_int_equal(out.tsi[0].type_ver, 0);
	assert_int_equal(out.tsi[0].vsiid[15], 2);
	assert_string_equal(out.bind[0][0].nve, "");
	assert_string_equal(out.bind[7][3].nve, "");
	json_decref(j);
}

static void
test_name_ok(void **state)
{
	char longest[TNVED_NAME_MAX], too_long[TNVED_NAME_MAX + 1];

	(void)state;
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	memset(too_long, 'a', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	assert_true(store_name_ok("web-1"));
	assert_true(store_name_ok("a"));
	assert_true(store_name_ok("A.b_c-9"));
	assert_true(store_name_ok("x."));
	assert_true(store_name_ok(longest));
	assert_false(store_name_ok(too_long));
	assert_false(store_name_ok(NULL));
	assert_false(store_name_ok(""));
	assert_false(store_name_ok(".hidden"));
	assert_false(store_name_ok(".."));
	assert_false(store_name_ok("a/b"));
	assert_false(store_name_ok("a b"));
	assert_false(store_name_ok("a:b"));
	assert_false(store_name_ok("caf\xc3\xa9"));
	assert_false(store_name_ok("a\nb"));
}

/* ---- files ----------------------------------------------------------------- */

static char tmpdir[64];

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_tnved_store.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_dir(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

struct seen {
	unsigned		n;
	struct tnved_vm_rec	recs[8];
	const char		*refuse;	/* fn fails for this name */
};

static int
collect(const struct tnved_vm_rec *r, void *arg)
{
	struct seen *s = arg;

	if (s->refuse != NULL && strcmp(r->name, s->refuse) == 0)
		return -EEXIST;
	if (s->n < 8)
		s->recs[s->n] = *r;
	s->n++;
	return 0;
}

static bool
exists(const char *dir, const char *file)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return stat(path, &st) == 0;
}

static void
write_file(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_save_load_remove(void **state)
{
	struct tnved_vm_rec a, b, c;
	struct seen s;
	char dir[PATH_MAX];
	struct stat st;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/var/lib/tnved", tmpdir);
	/* a folder that is not there yet holds no VM */
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_load(dir, collect, &s), 0);
	assert_int_equal(s.n, 0);

	full_rec(&a, "alpha");
	full_rec(&b, "bravo");
	full_rec(&c, "charlie");
	b.view.state = NVO3_VM_RUNNING;
	b.view.dir = NVO3_VM_DIR_NONE;
	b.view.hold = NVO3_HOLD_ACTIVATED;
	assert_int_equal(store_save(dir, &c, true), 0);
	assert_int_equal(store_save(dir, &a, false), 0);
	assert_int_equal(store_save(dir, &b, true), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_true(exists(dir, "alpha.json"));
	assert_false(exists(dir, ".alpha.json.tmp"));

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_load(dir, collect, &s), 3);
	assert_int_equal(s.n, 3);
	/* name order, whatever the order of the saves */
	assert_rec_equal(&s.recs[0], &a);
	assert_rec_equal(&s.recs[1], &b);
	assert_rec_equal(&s.recs[2], &c);

	/* a save replaces the file */
	a.view.state = NVO3_VM_SUSPENDED;
	a.view.dir = NVO3_VM_DIR_NONE;
	a.ntsi = 1;
	assert_int_equal(store_save(dir, &a, true), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_load(dir, collect, &s), 3);
	assert_int_equal(s.recs[0].view.state, NVO3_VM_SUSPENDED);
	assert_int_equal(s.recs[0].ntsi, 1);

	/* remove, twice; then two VMs load */
	assert_int_equal(store_remove(dir, "bravo"), 0);
	assert_false(exists(dir, "bravo.json"));
	assert_int_equal(store_remove(dir, "bravo"), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_load(dir, collect, &s), 2);
	assert_string_equal(s.recs[1].name, "charlie");

	/* a VM the callback refuses is not counted and its file stays */
	memset(&s, 0, sizeof(s));
	s.refuse = "alpha";
	assert_int_equal(store_load(dir, collect, &s), 1);
	assert_true(exists(dir, "alpha.json"));
	assert_false(exists(dir, "alpha.json.bad"));

	/* bad arguments */
	full_rec(&c, "no/slash");
	assert_int_equal(store_save(dir, &c, false), -EINVAL);
	full_rec(&c, ".dot");
	assert_int_equal(store_save(dir, &c, false), -EINVAL);
	assert_int_equal(store_remove(dir, "../x"), -EINVAL);
	assert_int_equal(store_remove(dir, NULL), -EINVAL);
	assert_int_equal(store_load(dir, NULL, NULL), -EINVAL);
	assert_int_equal(store_load(NULL, collect, &s), -EINVAL);
	/* a record with a view out of range is refused; the old file stays */
	full_rec(&c, "charlie");
	c.view.state = NVO3_VM__COUNT;
	assert_int_equal(store_save(dir, &c, false), -EINVAL);
	assert_true(exists(dir, "charlie.json"));
	assert_false(exists(dir, ".charlie.json.tmp"));
}

static void
test_folder_errors(void **state)
{
	struct tnved_vm_rec a;
	struct seen s;
	char file[PATH_MAX], sub[PATH_MAX];

	(void)state;
	/* the folder is a file: nothing can be read or written */
	snprintf(file, sizeof(file), "%s/plainfile", tmpdir);
	write_file(tmpdir, "plainfile", "x");
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_load(file, collect, &s), -ENOTDIR);
	full_rec(&a, "alpha");
	assert_int_equal(store_save(file, &a, false), -ENOTDIR);
	snprintf(sub, sizeof(sub), "%s/plainfile/sub", tmpdir);
	assert_int_equal(store_save(sub, &a, false), -ENOTDIR);
	assert_int_equal(store_remove(file, "alpha"), -ENOTDIR);
}

static void
test_corrupt_files(void **state)
{
	struct tnved_vm_rec a, c;
	struct seen s;
	char dir[PATH_MAX];
	json_t *j;
	char *text;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/corrupt", tmpdir);
	full_rec(&a, "alpha");
	full_rec(&c, "charlie");
	assert_int_equal(store_save(dir, &a, true), 0);
	assert_int_equal(store_save(dir, &c, true), 0);
	/* not JSON, cut short */
	write_file(dir, "bravo.json", "{\"format\": 1, \"name\": \"bra");
	/* JSON, but an unknown state */
	j = store_vm_json(&a);
	json_object_set_new(j, "name", json_string("delta"));
	json_object_set_new(j, "state", json_string("levitating"));
	text = json_dumps(j, 0);
	write_file(dir, "delta.json", text);
	free(text);
	/* a good record under another VM's file name */
	json_object_set_new(j, "state", json_string("shutdown"));
	json_object_set_new(j, "dir", json_string("none"));
	text = json_dumps(j, 0);
	write_file(dir, "echo.json", text);
	free(text);
	json_decref(j);
	/* duplicate members */
	write_file(dir, "foxtrot.json", "{\"format\": 1, \"format\": 1}");
	/* a file name no VM can have */
	write_file(dir, "bad name.json", "{}");
	/* a save cut short, and files that are not ours */
	write_file(dir, ".golf.json.tmp", "{");
	write_file(dir, "notes.txt", "hello");
	write_file(dir, "old.json.bad", "{");

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_load(dir, collect, &s), 2);
	assert_string_equal(s.recs[0].name, "alpha");
	assert_string_equal(s.recs[1].name, "charlie");
	assert_false(exists(dir, "bravo.json"));
	assert_true(exists(dir, "bravo.json.bad"));
	assert_false(exists(dir, "delta.json"));
	assert_true(exists(dir, "delta.json.bad"));
	assert_true(exists(dir, "echo.json.bad"));
	assert_true(exists(dir, "foxtrot.json.bad"));
	assert_true(exists(dir, "bad name.json.bad"));
	assert_false(exists(dir, ".golf.json.tmp"));
	assert_true(exists(dir, "notes.txt"));
	assert_true(exists(dir, "old.json.bad"));
	assert_true(exists(dir, "alpha.json"));

	/* a second start sees only the good ones, nothing more renamed */
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_load(dir, collect, &s), 2);
	assert_false(exists(dir, "bravo.json.bad.bad"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_name_ok),
		cmocka_unit_test(test_save_load_remove),
		cmocka_unit_test(test_folder_errors),
		cmocka_unit_test(test_corrupt_files),
	};

	/* the .bad warnings are expected; keep the output readable */
	log_init("test_tnved_store", 0, LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
