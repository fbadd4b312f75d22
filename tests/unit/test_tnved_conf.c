/*
 * test_tnved_conf.c - tnved's configuration parser, canonical printer
 * and look-ups (daemons/tnved/parse.c, printconf.c).
 *
 * Every statement in a full configuration checked field by field; the
 * defaults (and the mode a vn block gets without "mode"); the one-line
 * and block forms of evb; every form of manager-id; every error the
 * parser reports, with its exact "FILE:LINE: text" line, captured from
 * stderr (util/log writes there with one write(2) per message); that a
 * failed parse leaves nothing allocated and that one run reports every
 * error; includes in a temporary directory (relative path, errors in
 * the included file, whole-file checks across files, a missing file);
 * an unreadable main file; the look-ups; the round trip print -> parse
 * -> print, with the exact canonical text of the full file; and that
 * contrib/tnved.conf.example and the example of docs/tnved.conf.5 parse.
 * The tokenizer and include corners shared with nnved (lib/util/conf.c)
 * are covered at length by test_nnved_conf.c.
 */
#include <sys/stat.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tnved.h"
#include "util/log.h"

/* ---- stderr capture ---------------------------------------------------- */

static char	 cap[1 << 16];
static FILE	*capf;
static int	 capfd = -1;

static void
cap_begin(void)
{
	capf = tmpfile();
	assert_non_null(capf);
	capfd = dup(STDERR_FILENO);
	assert_true(capfd >= 0);
	assert_true(dup2(fileno(capf), STDERR_FILENO) >= 0);
}

/* The captured lines, each without the "TIME ident[pid] warn: " part. */
static const char *
cap_end(void)
{
	char line[2048];
	size_t o = 0;

	assert_true(dup2(capfd, STDERR_FILENO) >= 0);
	close(capfd);
	rewind(capf);
	cap[0] = '\0';
	while (fgets(line, sizeof(line), capf) != NULL) {
		const char *m = strstr(line, " warn: ");

		m = m != NULL ? m + 7 : line;
		o += (size_t)snprintf(cap + o, sizeof(cap) - o, "%s", m);
		assert_true(o < sizeof(cap));
	}
	fclose(capf);
	return cap;
}

static int
parse_cap(const char *text, struct tnved_conf *c)
{
	int rc;

	cap_begin();
	rc = tnved_conf_parse_string(text, "t", c);
	cap_end();
	return rc;
}

static int
parse_file_cap(const char *path, struct tnved_conf *c)
{
	int rc;

	cap_begin();
	rc = tnved_conf_parse(path, c);
	cap_end();
	return rc;
}

static char *
print_str(const struct tnved_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	tnved_conf_print(f, c);
	fclose(f);
	return buf;
}

/* Everything but path and line numbers. */
static void
assert_conf_equal(const struct tnved_conf *a, const struct tnved_conf *b)
{
	unsigned i;

	assert_string_equal(a->control, b->control);
	assert_string_equal(a->state_dir, b->state_dir);
	assert_int_equal(a->state_sync, b->state_sync);
	assert_int_equal(a->log_level, b->log_level);
	assert_int_equal(a->r, b->r);
	assert_int_equal(a->rte, b->rte);
	assert_int_equal(a->caps, b->caps);
	assert_memory_equal(a->mgrid, b->mgrid, VDP_MGRID_LEN);
	assert_int_equal(a->type_id, b->type_id);
	assert_int_equal(a->type_ver, b->type_ver);
	assert_int_equal(a->max_vms, b->max_vms);
	assert_int_equal(a->op_timeout_ms, b->op_timeout_ms);
	assert_int_equal(a->nkeys, b->nkeys);
	for (i = 0; i < a->nkeys; i++) {
		assert_int_equal(a->keys[i].id, b->keys[i].id);
		assert_int_equal(a->keys[i].len, b->keys[i].len);
		assert_memory_equal(a->keys[i].secret, b->keys[i].secret,
		    a->keys[i].len);
	}
	assert_int_equal(a->nnves, b->nnves);
	for (i = 0; i < a->nnves; i++) {
		const struct tnved_nve_conf *x = &a->nves[i], *y = &b->nves[i];

		assert_string_equal(x->name, y->name);
		assert_string_equal(x->ifname, y->ifname);
		assert_int_equal(x->peer_set, y->peer_set);
		assert_memory_equal(x->peer, y->peer, 6);
		assert_int_equal(x->key_id, y->key_id);
		assert_int_equal(x->caps_set, y->caps_set);
		assert_int_equal(x->caps, y->caps);
	}
	assert_int_equal(a->nvns, b->nvns);
	for (i = 0; i < a->nvns; i++) {
		const struct tnved_vn_conf *x = &a->vns[i], *y = &b->vns[i];

		assert_int_equal(x->vn, y->vn);
		assert_int_equal(x->mode, y->mode);
		assert_int_equal(x->nnves, y->nnves);
		for (unsigned j = 0; j < x->nnves; j++)
			assert_string_equal(x->nves[j], y->nves[j]);
	}
}

/* ---- a full configuration ---------------------------------------------- */

#define SECRET32 "000102030405060708090a0b0c0d0e0f" \
		 "101112131415161718191a1b1c1d1e1f"

static const char full_text[] =
    "# every statement once\n"				/* 1 */
    "control \"/run/test/tnved.sock\"\n"		/* 2 */
    "state-dir \"/var/tmp/tnved state\"\n"		/* 3 */
    "state-sync no\n"					/* 4 */
    "log-level debug\n"					/* 5 */
    "evb { retries 7; rte 0 }\n"			/* 6 */
    "extensions ipfilter,auth\n"			/* 7 */
    "manager-id 192.0.2.10\n"				/* 8 */
    "vsi-type 16777215 255\n"				/* 9 */
    "max-vms 16777216\n"				/* 10 */
    "op-timeout 600000\n"				/* 11 */
    "key 7 \"" SECRET32 "\"\n"				/* 12 */
    "key 65535 \"" SECRET32 SECRET32 "\"\n"		/* 13 */
    "nve tor1 {\n"					/* 14 */
    "\tinterface eth0\n"				/* 15 */
    "\tpeer 02:00:00:00:00:01\n"			/* 16 */
    "\tkey 7\n"						/* 17 */
    "\textensions none\n"				/* 18 */
    "}\n"						/* 19 */
    "nve tor2\n"					/* 20 */
    "{\n"						/* 21 */
    "\tinterface eth0; peer 02:00:00:00:00:02\n"	/* 22 */
    "}\n"						/* 23 */
    "nve dpu.0_x-y { interface enp1s0f1 }\n"		/* 24 */
    "vn 5001 { nve tor1 tor2; mode active-active }\n"	/* 25 */
    "vn 5002 {\n"					/* 26 */
    "\tnve tor2\n"					/* 27 */
    "\tnve dpu.0_x-y tor1\n"				/* 28 */
    "}\n"						/* 29 */
    "vn 16777215 { nve tor1 }\n";			/* 30 */

static void
check_full(const struct tnved_conf *c)
{
	static const uint8_t mgrid[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 10
	};
	static const uint8_t peer1[6] = { 2, 0, 0, 0, 0, 1 };
	static const uint8_t peer2[6] = { 2, 0, 0, 0, 0, 2 };
	const struct tnved_nve_conf *n;
	const struct tnved_vn_conf *v;

	assert_string_equal(c->path, "t");
	assert_string_equal(c->control, "/run/test/tnved.sock");
	assert_string_equal(c->state_dir, "/var/tmp/tnved state");
	assert_false(c->state_sync);
	assert_int_equal(c->log_level, LOG_LVL_DEBUG);
	assert_int_equal(c->r, 7);
	assert_int_equal(c->rte, 0);
	assert_int_equal(c->caps, NVO3_CAP_IPFILTER | NVO3_CAP_AUTH);
	assert_memory_equal(c->mgrid, mgrid, 16);
	assert_int_equal(c->type_id, 16777215);
	assert_int_equal(c->type_ver, 255);
	assert_int_equal(c->max_vms, 16777216);
	assert_int_equal(c->op_timeout_ms, 600000);

	assert_int_equal(c->nkeys, 2);
	assert_int_equal(c->keys[0].id, 7);
	assert_int_equal(c->keys[0].len, 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(c->keys[0].secret[i], i);
	assert_int_equal(c->keys[0].line, 12);
	assert_int_equal(c->keys[1].id, 65535);
	assert_int_equal(c->keys[1].len, 64);
	assert_int_equal(c->keys[1].secret[63], 31);

	assert_int_equal(c->nnves, 3);
	n = &c->nves[0];
	assert_string_equal(n->name, "tor1");
	assert_string_equal(n->ifname, "eth0");
	assert_true(n->peer_set);
	assert_memory_equal(n->peer, peer1, 6);
	assert_int_equal(n->key_id, 7);
	assert_true(n->caps_set);
	assert_int_equal(n->caps, 0);
	assert_int_equal(n->line, 14);
	n = &c->nves[1];
	assert_string_equal(n->name, "tor2");
	assert_string_equal(n->ifname, "eth0");
	assert_true(n->peer_set);
	assert_memory_equal(n->peer, peer2, 6);
	assert_int_equal(n->key_id, -1);
	assert_false(n->caps_set);
	assert_int_equal(n->line, 20);
	n = &c->nves[2];
	assert_string_equal(n->name, "dpu.0_x-y");
	assert_string_equal(n->ifname, "enp1s0f1");
	assert_false(n->peer_set);
	assert_int_equal(n->key_id, -1);

	assert_int_equal(c->nvns, 3);
	v = &c->vns[0];
	assert_int_equal(v->vn, 5001);
	assert_int_equal(v->mode, TNVED_VN_ACTIVE_ACTIVE);
	assert_int_equal(v->nnves, 2);
	assert_string_equal(v->nves[0], "tor1");
	assert_string_equal(v->nves[1], "tor2");
	assert_int_equal(v->line, 25);
	v = &c->vns[1];
	assert_int_equal(v->vn, 5002);
	assert_int_equal(v->mode, TNVED_VN_ACTIVE_STANDBY);
	assert_int_equal(v->nnves, 3);
	assert_string_equal(v->nves[0], "tor2");
	assert_string_equal(v->nves[1], "dpu.0_x-y");
	assert_string_equal(v->nves[2], "tor1");
	v = &c->vns[2];
	assert_int_equal(v->vn, 16777215);
	assert_int_equal(v->mode, TNVED_VN_SINGLE);
	assert_int_equal(v->nnves, 1);
}

static void
full_config(void **state)
{
	struct tnved_conf c;

	assert_int_equal(parse_cap(full_text, &c), 0);
	assert_string_equal(cap, "");
	check_full(&c);
	tnved_conf_free(&c);
	/* free leaves an initialised, empty configuration */
	assert_null(c.nves);
	assert_int_equal(c.nnves, 0);
	assert_int_equal(c.r, EVB_DEFAULT_R);
	(void)state;
}

static void
defaults(void **state)
{
	static const uint8_t zero[16];
	struct tnved_conf c;

	tnved_conf_init(&c);
	assert_string_equal(c.control, TNVED_SOCK_DEFAULT);
	assert_int_equal(c.nnves, 0);
	tnved_conf_free(&c);

	assert_int_equal(parse_cap("nve a { interface eth0 }\n", &c), 0);
	assert_string_equal(c.control, TNVED_SOCK_DEFAULT);
	assert_string_equal(c.state_dir, TNVED_STATE_DEFAULT);
	assert_true(c.state_sync);
	assert_int_equal(c.log_level, -1);
	assert_int_equal(c.r, 3);
	assert_int_equal(c.rte, 8);
	assert_int_equal(c.caps, NVO3_CAP_ALL);
	assert_memory_equal(c.mgrid, zero, 16);
	assert_int_equal(c.type_id, 1);
	assert_int_equal(c.type_ver, 1);
	assert_int_equal(c.max_vms, TNVED_MAX_VMS_DEFAULT);
	assert_int_equal(c.op_timeout_ms, TNVED_OP_TIMEOUT_DEFAULT);
	assert_int_equal(c.nkeys, 0);
	assert_null(c.keys);
	assert_int_equal(c.nvns, 0);
	assert_int_equal(c.nves[0].key_id, -1);
	assert_false(c.nves[0].peer_set);
	assert_false(c.nves[0].caps_set);
	tnved_conf_free(&c);

	/* the mode follows the list when not given */
	assert_int_equal(parse_cap("nve a { interface e0 }\n"
	    "nve b { interface e1 }\nvn 1 { nve a }\nvn 2 { nve b a }\n"
	    "vn 3 { nve a b; mode single }\n", &c), 1);
	assert_string_equal(cap,
	    "t:5: vn 3: mode single takes exactly one nve\n");
	assert_int_equal(parse_cap("nve a { interface e0 }\n"
	    "nve b { interface e1 }\nvn 1 { nve a }\nvn 2 { nve b a }\n",
	    &c), 0);
	assert_int_equal(c.vns[0].mode, TNVED_VN_SINGLE);
	assert_int_equal(c.vns[1].mode, TNVED_VN_ACTIVE_STANDBY);
	tnved_conf_free(&c);
	(void)state;
}

/* The last global setting counts; evb on one line as in nnved.conf. */
static void
settings(void **state)
{
	struct tnved_conf c;

	assert_int_equal(parse_cap("nve a { interface e0; interface e1 }\n"
	    "max-vms 5\nmax-vms 6\nstate-sync no\nstate-sync yes\n"
	    "evb retries 0\nevb rte 31 retries 1\n"
	    "evb\n{\n\trte 2\n}\n"
	    "log-level err\nop-timeout 100\nvsi-type 0 0\n"
	    "extensions migration,deactivate\n", &c), 0);
	assert_string_equal(c.nves[0].ifname, "e1");
	assert_int_equal(c.max_vms, 6);
	assert_true(c.state_sync);
	assert_int_equal(c.r, 1);
	assert_int_equal(c.rte, 2);
	assert_int_equal(c.log_level, LOG_LVL_ERR);
	assert_int_equal(c.op_timeout_ms, 100);
	assert_int_equal(c.type_id, 0);
	assert_int_equal(c.type_ver, 0);
	assert_int_equal(c.caps, NVO3_CAP_MIGRATION | NVO3_CAP_DEACTIVATE);
	tnved_conf_free(&c);
	(void)state;
}

static void
manager_id(void **state)
{
	static const struct {
		const char	*text;
		uint8_t		 id[16];
	} ok[] = {
		{ "0.0.0.0", { [10] = 0xff, [11] = 0xff } },
		{ "198.51.100.255", { [10] = 0xff, [11] = 0xff, [12] = 198,
		    [13] = 51, [14] = 100, [15] = 255 } },
		{ "::", { 0 } },
		{ "2001:db8::1", { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
		{ "::ffff:192.0.2.1", { [10] = 0xff, [11] = 0xff, [12] = 192,
		    [14] = 2, [15] = 1 } },
		{ "000102030405060708090A0B0C0D0E0f", { 0, 1, 2, 3, 4, 5, 6,
		    7, 8, 9, 10, 11, 12, 13, 14, 15 } },
	};
	struct tnved_conf c;
	char text[128];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "manager-id %s\n"
		    "nve a { interface e0 }\n", ok[i].text);
		assert_int_equal(parse_cap(text, &c), 0);
		assert_memory_equal(c.mgrid, ok[i].id, 16);
		tnved_conf_free(&c);
	}
	(void)state;
}

/* ---- errors ---------------------------------------------------------- */

#define NVE_A	"nve a { interface e0 }\n"

static const struct {
	const char	*text;
	int		 errors;
	const char	*log;
} bad[] = {
	/* lexical and structural, as in nnved.conf */
	{ "control \"/x\n" NVE_A, 1, "t:1: unterminated string\n" },
	{ "foo\n" NVE_A, 1, "t:1: unknown keyword 'foo'\n" },
	{ "}\n" NVE_A, 1, "t:1: unexpected '}'\n" },
	{ "max-vms 5 6\n" NVE_A, 1, "t:1: unexpected '6'\n" },
	{ NVE_A "nve b {\ninterface e1\n", 1, "t:2: '{' is never closed\n" },
	{ "nve a {\n\tcontrol \"/x\"\n\tinterface e0\n}\n", 1,
	  "t:2: unknown keyword 'control'\n" },
	{ "nve a { interface e0 } extra\n", 1, "t:1: unexpected 'extra'\n" },
	/* whole file */
	{ "", 1, "t:1: no nve block: at least one is needed\n" },
	{ "max-vms 5\n\n# end\n", 1,
	  "t:3: no nve block: at least one is needed\n" },
	{ "max-vms 5", 1, "t:1: no nve block: at least one is needed\n" },
	/* control, state-dir, state-sync */
	{ "control\n" NVE_A, 1, "t:1: control: value missing\n" },
	{ "control \"\"\n" NVE_A, 1, "t:1: control: empty path\n" },
	{ "control \"/0123456789012345678901234567890123456789012345678901"
	  "2345678901234567890123456789012345678901234567890123456\"\n" NVE_A,
	  1, "t:1: control: too long (at most 107 characters)\n" },
	{ "state-dir \"\"\n" NVE_A, 1, "t:1: state-dir: empty path\n" },
	{ "state-dir\n" NVE_A, 1, "t:1: state-dir: value missing\n" },
	{ "state-sync maybe\n" NVE_A, 1,
	  "t:1: state-sync: 'maybe' is not yes or no\n" },
	{ "state-sync\n" NVE_A, 1, "t:1: state-sync: value missing\n" },
	/* log-level */
	{ "log-level error\n" NVE_A, 1,
	  "t:1: log-level: 'error' is not debug, info, warn or err\n" },
	/* evb, both forms */
	{ "evb retries 8\n" NVE_A, 1,
	  "t:1: evb retries: '8' is not a number in 0..7\n" },
	{ "evb rte 32\n" NVE_A, 1,
	  "t:1: evb rte: '32' is not a number in 0..31\n" },
	{ "evb rte 3 rte 4\n" NVE_A, 1, "t:1: evb: rte given twice\n" },
	{ "evb rwd 32\n" NVE_A, 1,
	  "t:1: evb rwd: '32' is not a number in 0..31\n" },
	{ "evb rkb 3\n" NVE_A, 1, "t:1: evb: unknown parameter 'rkb'\n" },
	{ "evb { retries 8 }\n" NVE_A, 1,
	  "t:1: evb retries: '8' is not a number in 0..7\n" },
	{ "evb {\n\trte\n}\n" NVE_A, 1, "t:2: evb rte: number missing\n" },
	{ "evb { rka 32 }\n" NVE_A, 1,
	  "t:1: evb rka: '32' is not a number in 0..31\n" },
	{ "evb { rkb 3 }\n" NVE_A, 1, "t:1: unknown keyword 'rkb'\n" },
	/* extensions, globally and per nve */
	{ "extensions bogus\n" NVE_A, 1, "t:1: extensions: 'bogus' is not "
	  "all, none or a list of extension names\n" },
	{ "nve a {\n interface e0\n extensions auth,\n}\n", 1,
	  "t:3: extensions: 'auth,' is not all, none or a list of extension "
	  "names\n" },
	/* manager-id */
	{ "manager-id\n" NVE_A, 1, "t:1: manager-id: value missing\n" },
	{ "manager-id 192.0.2\n" NVE_A, 1, "t:1: manager-id: '192.0.2' is "
	  "not an IPv4 or IPv6 address or 32 hex digits\n" },
	{ "manager-id 2001:db8::g\n" NVE_A, 1, "t:1: manager-id: "
	  "'2001:db8::g' is not an IPv4 or IPv6 address or 32 hex digits\n" },
	{ "manager-id 000102030405060708090a0b0c0d0e\n" NVE_A, 1,
	  "t:1: manager-id: '000102030405060708090a0b0c0d0e' is not an IPv4 "
	  "or IPv6 address or 32 hex digits\n" },
	{ "manager-id 000102030405060708090a0b0c0d0e0g\n" NVE_A, 1,
	  "t:1: manager-id: '000102030405060708090a0b0c0d0e0g' is not an "
	  "IPv4 or IPv6 address or 32 hex digits\n" },
	/* vsi-type, max-vms, op-timeout */
	{ "vsi-type 16777216 1\n" NVE_A, 1,
	  "t:1: vsi-type: '16777216' is not a number in 0..16777215\n" },
	{ "vsi-type 1\n" NVE_A, 1, "t:1: vsi-type version: number missing\n" },
	{ "vsi-type 1 256\n" NVE_A, 1,
	  "t:1: vsi-type version: '256' is not a number in 0..255\n" },
	{ "max-vms 0\n" NVE_A, 1,
	  "t:1: max-vms: '0' is not a number in 1..16777216\n" },
	{ "max-vms 16777217\n" NVE_A, 1,
	  "t:1: max-vms: '16777217' is not a number in 1..16777216\n" },
	{ "op-timeout 99\n" NVE_A, 1,
	  "t:1: op-timeout: '99' is not a number in 100..600000\n" },
	{ "op-timeout 600001\n" NVE_A, 1,
	  "t:1: op-timeout: '600001' is not a number in 100..600000\n" },
	{ "op-timeout 1e3\n" NVE_A, 1,
	  "t:1: op-timeout: '1e3' is not a number in 100..600000\n" },
	/* keys */
	{ "key 0 \"" SECRET32 "\"\n" NVE_A, 1,
	  "t:1: key: '0' is not a number in 1..65535\n" },
	{ "key 1\n" NVE_A, 1, "t:1: key secret: value missing\n" },
	{ "key 1 \"xyz\"\n" NVE_A, 1, "t:1: key 1: secret is not hex\n" },
	{ "key 1 \"0011\"\n" NVE_A, 1,
	  "t:1: key 1: secret must be 32..64 octets\n" },
	{ "key 1 \"" SECRET32 SECRET32 "00\"\n" NVE_A, 1,
	  "t:1: key 1: secret must be 32..64 octets\n" },
	{ "key 1 \"" SECRET32 "\"\nkey 1 \"" SECRET32 "\"\n" NVE_A, 1,
	  "t:2: duplicate key 1\n" },
	{ "key 1 \"xyz\" more\n" NVE_A, 2,
	  "t:1: key 1: secret is not hex\nt:1: unexpected 'more'\n" },
	/* nve blocks */
	{ "nve\n" NVE_A, 1, "t:1: nve: value missing\n" },
	{ "nve \"\" { interface e0 }\n" NVE_A, 1, "t:1: nve: empty name\n" },
	{ "nve \"a b\" { interface e0 }\n" NVE_A, 1, "t:1: nve: 'a b' is "
	  "not a name (letters, digits, '.', '_' and '-')\n" },
	{ "nve a01234567890123456789012345678901 { interface e0 }\n" NVE_A,
	  1, "t:1: nve: too long (at most 31 characters)\n" },
	{ NVE_A "nve a { interface e1 }\n", 1, "t:2: duplicate nve 'a'\n" },
	{ NVE_A "nve b\n", 1, "t:2: nve b: interface missing\n" },
	{ NVE_A "nve b { peer 02:00:00:00:00:01 }\n", 1,
	  "t:2: nve b: interface missing\n" },
	{ NVE_A "nve b x\n", 1, "t:2: unexpected 'x'\n" },
	{ "nve a { interface }\n", 3, "t:1: interface: value missing\n"
	  "t:1: nve a: interface missing\n"
	  "t:1: no nve block: at least one is needed\n" },
	{ "nve a { interface eth0:1 }\n", 1,
	  "t:1: interface: 'eth0:1' is not an interface name\n" },
	{ "nve a { interface abcdefghijklmnop }\n", 1,
	  "t:1: interface: interface name 'abcdefghijklmnop' too long (at "
	  "most 15 characters)\n" },
	{ "nve a { interface e0; peer 02:00:00:00:00 }\n", 1,
	  "t:1: peer: '02:00:00:00:00' is not a MAC address\n" },
	{ "nve a { interface e0; peer 01:00:00:00:00:01 }\n", 1,
	  "t:1: peer 01:00:00:00:00:01: not a unicast MAC\n" },
	{ "nve a { interface e0; peer 00:00:00:00:00:00 }\n", 1,
	  "t:1: peer 00:00:00:00:00:00: not a unicast MAC\n" },
	{ "nve a { interface e0; key 70000 }\n", 1,
	  "t:1: key: '70000' is not a number in 1..65535\n" },
	{ "nve a {\n interface e0\n key 3\n}\n", 1,
	  "t:3: nve a: key 3 is not defined\n" },
	/* two nve blocks on one interface */
	{ NVE_A "nve b { interface e0; peer 02:00:00:00:00:01 }\n", 1,
	  "t:2: nve b: interface e0 is shared with nve a: each needs a peer "
	  "MAC\n" },
	{ "nve a { interface e0; peer 02:00:00:00:00:01 }\n"
	  "nve b { interface e0 }\n", 1,
	  "t:2: nve b: interface e0 is shared with nve a: each needs a peer "
	  "MAC\n" },
	{ "nve a { interface e0; peer 02:00:00:00:00:01 }\n"
	  "nve b { interface e0; peer 02:00:00:00:00:01 }\n", 1,
	  "t:2: nve b: peer 02:00:00:00:00:01 on interface e0 is nve a's\n" },
	/* at most TNVED_MAX_NVES */
	{ "nve a { interface e0 }\nnve b { interface e1 }\n"
	  "nve c { interface e2 }\nnve d { interface e3 }\n"
	  "nve e { interface e4 }\nnve f { interface e5 }\n"
	  "nve g { interface e6 }\nnve h { interface e7 }\n"
	  "nve i { interface e8 }\n", 1,
	  "t:9: nve i: more than 8 nve blocks\n" },
	/* vn blocks */
	{ NVE_A "vn 0 { nve a }\n", 1,
	  "t:2: vn: '0' is not a number in 1..16777215\n" },
	{ NVE_A "vn 16777216 { nve a }\n", 1,
	  "t:2: vn: '16777216' is not a number in 1..16777215\n" },
	{ NVE_A "vn 5 { nve a }\nvn 5 { nve a }\n", 1,
	  "t:3: duplicate vn 5\n" },
	{ NVE_A "vn 5\n", 1, "t:2: vn 5: nve missing\n" },
	{ NVE_A "vn 5 { mode single }\n", 1, "t:2: vn 5: nve missing\n" },
	{ NVE_A "vn 5 { nve }\n", 2, "t:2: nve: name missing\n"
	  "t:2: vn 5: nve missing\n" },
	{ NVE_A "vn 5 {\n nve a\n nve z\n}\n", 1,
	  "t:4: vn 5: nve 'z' is not defined\n" },
	{ NVE_A "vn 5 { nve \"a;\" }\n", 2, "t:2: nve: 'a;' is not a name "
	  "(letters, digits, '.', '_' and '-')\nt:2: vn 5: nve missing\n" },
	{ NVE_A "nve b { interface e1 }\nvn 5 {\n nve a b\n nve a\n}\n", 1,
	  "t:5: vn 5: nve a given twice\n" },
	{ NVE_A "vn 5 { nve a a }\n", 1, "t:2: vn 5: nve a given twice\n" },
	{ NVE_A "vn 5 { nve a b c d e }\n", 4,
	  "t:2: vn 5: more than 4 nves\n"
	  "t:2: vn 5: nve 'b' is not defined\n"
	  "t:2: vn 5: nve 'c' is not defined\n"
	  "t:2: vn 5: nve 'd' is not defined\n" },
	{ NVE_A "vn 5 { nve a; mode hot-cold }\n", 1,
	  "t:2: mode: 'hot-cold' is not single, active-standby or "
	  "active-active\n" },
	{ NVE_A "vn 5 { nve a; mode active-standby }\n", 1,
	  "t:2: vn 5: mode active-standby needs two or more nves\n" },
	{ NVE_A "vn 5 { nve a; mode active-active }\n", 1,
	  "t:2: vn 5: mode active-active needs two or more nves\n" },
	{ NVE_A "nve b { interface e1 }\nvn 5 {\n nve a b\n mode single\n}\n",
	  1, "t:3: vn 5: mode single takes exactly one nve\n" },
	{ NVE_A "vn 5 { nve a; type-id 3 }\n", 1,
	  "t:2: unknown keyword 'type-id'\n" },
	/* include */
	{ NVE_A "include\n", 1, "t:2: include: value missing\n" },
	{ NVE_A "include \"\"\n", 1, "t:2: include: empty path\n" },
	{ NVE_A "include \"/nonexistent/x.conf\"\n", 1,
	  "t:2: include /nonexistent/x.conf: No such file or directory\n" },
};

static void
errors(void **state)
{
	struct tnved_conf c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse_cap(bad[i].text, &c);

		if (rc != bad[i].errors || strcmp(cap, bad[i].log) != 0) {
			print_message("case %zu: %s\nrc %d, log:\n%s", i,
			    bad[i].text, rc, cap);
			fail();
		}
		/* a failed parse leaves nothing allocated */
		assert_null(c.nves);
		assert_null(c.vns);
		assert_null(c.keys);
		assert_int_equal(c.nnves + c.nvns + c.nkeys, 0);
	}
	(void)state;
}

/* One run reports every error, in order, and counts them. */
static void
errors_all_reported(void **state)
{
	struct tnved_conf c;

	assert_int_equal(parse_cap(
	    "log-level loud\n"			/* 1 */
	    "nve a {\n"				/* 2 */
	    "\tinterface e0\n"			/* 3 */
	    "\tkey 9\n"				/* 4 */
	    "\twat\n"				/* 5 */
	    "}\n"				/* 6 */
	    "vn 7 { nve a b }\n"		/* 7 */
	    "op-timeout 1\n", &c), 5);		/* 8 */
	assert_string_equal(cap,
	    "t:1: log-level: 'loud' is not debug, info, warn or err\n"
	    "t:5: unknown keyword 'wat'\n"
	    "t:8: op-timeout: '1' is not a number in 100..600000\n"
	    "t:4: nve a: key 9 is not defined\n"
	    "t:7: vn 7: nve 'b' is not defined\n");
	(void)state;
}

/* ---- includes -------------------------------------------------------- */

static char tmpdir[64];

static void
write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	fclose(f);
}

static int
inc_setup(void **state)
{
	char path[128];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_tnved_conf.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/sub", tmpdir);
	if (mkdir(path, 0700) < 0)
		return -1;
	(void)state;
	return 0;
}

static int
inc_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	(void)state;
	return system(cmd) == 0 ? 0 : -1;
}

static void
includes(void **state)
{
	struct tnved_conf c;
	char path[256], want[1024], *out;

	/* relative to the including file; references across files */
	write_file("main.conf", "vn 5 { nve tor1 tor2 }\n"
	    "include \"sub/nves.conf\"\n");
	write_file("sub/nves.conf", "include \"keys.conf\"\n"
	    "nve tor1 { interface e0; key 4 }\n"
	    "nve tor2 { interface e1 }\n");
	write_file("sub/keys.conf", "key 4 \"" SECRET32 "\"\n");
	snprintf(path, sizeof(path), "%s/main.conf", tmpdir);
	assert_int_equal(parse_file_cap(path, &c), 0);
	assert_string_equal(cap, "");
	assert_string_equal(c.path, path);
	assert_int_equal(c.nnves, 2);
	assert_int_equal(c.nves[0].line, 2);
	assert_int_equal(c.nkeys, 1);
	assert_int_equal(c.nvns, 1);
	assert_int_equal(c.vns[0].mode, TNVED_VN_ACTIVE_STANDBY);
	/* the canonical form is one file */
	out = print_str(&c);
	assert_null(strstr(out, "include"));
	assert_non_null(strstr(out, "nve tor1 {\n\tinterface e0\n\tkey 4\n"
	    "}\n"));
	free(out);
	tnved_conf_free(&c);

	/* errors carry the included file's name and line; "no nve" is
	   reported at the end of the main file */
	write_file("err.conf", "include \"sub/bad.conf\"\nbogus\n\n");
	write_file("sub/bad.conf", "max-vms 1\n\nvn 5 { nve zz }\n");
	snprintf(path, sizeof(path), "%s/err.conf", tmpdir);
	assert_int_equal(parse_file_cap(path, &c), 3);
	snprintf(want, sizeof(want), "%s:2: unknown keyword 'bogus'\n"
	    "%s/sub/bad.conf:3: vn 5: nve 'zz' is not defined\n"
	    "%s:3: no nve block: at least one is needed\n",
	    path, tmpdir, path);
	assert_string_equal(cap, want);

	/* a file that includes itself */
	write_file("loop.conf", NVE_A "include \"loop.conf\"\n");
	snprintf(path, sizeof(path), "%s/loop.conf", tmpdir);
	assert_int_equal(parse_file_cap(path, &c), 1);
	snprintf(want, sizeof(want), "%s:2: include %s/loop.conf: includes "
	    "itself\n", path, tmpdir);
	assert_string_equal(cap, want);
	(void)state;
}

static void
unreadable(void **state)
{
	struct tnved_conf c;
	char want[256];

	assert_int_equal(parse_file_cap("/nonexistent/tnved.conf", &c),
	    -ENOENT);
	assert_string_equal(cap, "/nonexistent/tnved.conf: No such file or "
	    "directory\n");
	assert_int_equal(c.nnves, 0);
	assert_int_equal(parse_file_cap(tmpdir, &c), -EISDIR);
	snprintf(want, sizeof(want), "%s: Is a directory\n", tmpdir);
	assert_string_equal(cap, want);
	(void)state;
}

/* ---- look-ups ---------------------------------------------------------- */

static void
lookups(void **state)
{
	struct tnved_conf c;

	assert_int_equal(parse_cap(full_text, &c), 0);
	assert_ptr_equal(tnved_conf_nve(&c, "tor2"), &c.nves[1]);
	assert_ptr_equal(tnved_conf_nve(&c, "dpu.0_x-y"), &c.nves[2]);
	assert_null(tnved_conf_nve(&c, "tor"));
	assert_null(tnved_conf_nve(&c, ""));
	assert_ptr_equal(tnved_conf_vn(&c, 5002), &c.vns[1]);
	assert_ptr_equal(tnved_conf_vn(&c, 16777215), &c.vns[2]);
	assert_null(tnved_conf_vn(&c, 5003));
	assert_null(tnved_conf_vn(&c, 0));
	assert_ptr_equal(tnved_conf_key(&c, 65535), &c.keys[1]);
	assert_null(tnved_conf_key(&c, 8));
	assert_string_equal(tnved_vn_mode_names[TNVED_VN_ACTIVE_ACTIVE],
	    "active-active");
	tnved_conf_free(&c);
	(void)state;
}

/* ---- round trip -------------------------------------------------------- */

static void
round_trip_one(const char *text)
{
	struct tnved_conf a, b;
	char *out1, *out2;

	if (parse_cap(text, &a) != 0) {
		print_message("%s\n%s", text, cap);
		fail();
	}
	out1 = print_str(&a);
	if (parse_cap(out1, &b) != 0) {
		print_message("%s\n%s", out1, cap);
		fail();
	}
	assert_conf_equal(&a, &b);
	out2 = print_str(&b);
	assert_string_equal(out1, out2);
	free(out1);
	free(out2);
	tnved_conf_free(&a);
	tnved_conf_free(&b);
}

static void
round_trip(void **state)
{
	struct tnved_conf c;
	char *out;

	round_trip_one(full_text);
	round_trip_one(NVE_A);
	round_trip_one(NVE_A "extensions none\nmanager-id 2001:db8::7\n");
	round_trip_one(NVE_A "manager-id ffffffffffffffffffffffffffffffff\n");
	round_trip_one(NVE_A "manager-id ::ffff:0.0.0.0\n");
	/* values that need quotes come back quoted */
	round_trip_one("control \"/tmp/with space/\\\"q\\\"\\\\.sock\"\n"
	    "state-dir \"/x#y/{z}\"\n"
	    "nve a { interface \"e;1\" }\n"
	    "nve b { interface \"e{\"; extensions all }\n");

	/* the exact canonical text of the full configuration */
	assert_int_equal(parse_cap(full_text, &c), 0);
	out = print_str(&c);
	assert_string_equal(out,
	    "control \"/run/test/tnved.sock\"\n"
	    "state-dir \"/var/tmp/tnved state\"\n"
	    "state-sync no\n"
	    "log-level debug\n"
	    "evb {\n"
	    "\tretries 7\n"
	    "\trte 0\n"
	    "\trwd 8\n"
	    "\trka 8\n"
	    "}\n"
	    "extensions ipfilter,auth\n"
	    "manager-id 192.0.2.10\n"
	    "vsi-type 16777215 255\n"
	    "max-vms 16777216\n"
	    "op-timeout 600000\n"
	    "\n"
	    "key 7 \"" SECRET32 "\"\n"
	    "key 65535 \"" SECRET32 SECRET32 "\"\n"
	    "\n"
	    "nve tor1 {\n"
	    "\tinterface eth0\n"
	    "\tpeer 02:00:00:00:00:01\n"
	    "\tkey 7\n"
	    "\textensions none\n"
	    "}\n"
	    "nve tor2 {\n"
	    "\tinterface eth0\n"
	    "\tpeer 02:00:00:00:00:02\n"
	    "}\n"
	    "nve dpu.0_x-y {\n"
	    "\tinterface enp1s0f1\n"
	    "}\n"
	    "\n"
	    "vn 5001 {\n"
	    "\tnve tor1 tor2\n"
	    "\tmode active-active\n"
	    "}\n"
	    "vn 5002 {\n"
	    "\tnve tor2 dpu.0_x-y tor1\n"
	    "\tmode active-standby\n"
	    "}\n"
	    "vn 16777215 {\n"
	    "\tnve tor1\n"
	    "\tmode single\n"
	    "}\n");
	free(out);
	tnved_conf_free(&c);

	/* defaults printed in full */
	assert_int_equal(parse_cap(NVE_A, &c), 0);
	out = print_str(&c);
	assert_string_equal(out,
	    "control \"" TNVED_SOCK_DEFAULT "\"\n"
	    "state-dir \"" TNVED_STATE_DEFAULT "\"\n"
	    "state-sync yes\n"
	    "evb {\n"
	    "\tretries 3\n"
	    "\trte 8\n"
	    "\trwd 8\n"
	    "\trka 8\n"
	    "}\n"
	    "extensions all\n"
	    "manager-id ::\n"
	    "vsi-type 1 1\n"
	    "max-vms 100000\n"
	    "op-timeout 30000\n"
	    "\n"
	    "nve a {\n"
	    "\tinterface e0\n"
	    "}\n");
	free(out);
	tnved_conf_free(&c);
	(void)state;
}

/* ---- shipped examples ------------------------------------------------ */

#define EXAMPLE		SN_SOURCE_DIR "/contrib/tnved.conf.example"
#define MANPAGE		SN_SOURCE_DIR "/docs/tnved.conf.5"

static void
examples(void **state)
{
	struct tnved_conf c;
	char line[512], *buf = NULL, *out;
	size_t len = 0;
	FILE *f, *m;
	int in = 0, seen = 0;

	assert_int_equal(parse_file_cap(EXAMPLE, &c), 0);
	assert_int_equal(c.nnves, 3);
	assert_int_equal(c.nvns, 3);
	assert_int_equal(c.vns[0].mode, TNVED_VN_ACTIVE_STANDBY);
	assert_int_equal(c.vns[1].mode, TNVED_VN_ACTIVE_ACTIVE);
	assert_int_equal(c.vns[2].mode, TNVED_VN_SINGLE);
	out = print_str(&c);
	round_trip_one(out);
	free(out);
	tnved_conf_free(&c);

	/* the man page's EXAMPLES: the first literal display after it */
	f = fopen(MANPAGE, "r");
	assert_non_null(f);
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, ".Sh EXAMPLES", 12) == 0)
			seen = 1;
		else if (seen == 1 && strncmp(line, ".Bd -literal", 12) == 0)
			in = 1;
		else if (in && strncmp(line, ".Ed", 3) == 0) {
			in = 0;
			seen = 2;
		} else if (in)
			fputs(line, m);
	}
	fclose(f);
	fclose(m);
	assert_int_equal(seen, 2);
	if (parse_cap(buf, &c) != 0) {
		print_message("%s\n%s", buf, cap);
		fail();
	}
	assert_int_equal(c.nnves, 3);
	assert_int_equal(c.vns[0].mode, TNVED_VN_ACTIVE_STANDBY);
	assert_int_equal(c.vns[1].mode, TNVED_VN_ACTIVE_ACTIVE);
	tnved_conf_free(&c);
	free(buf);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_config),
		cmocka_unit_test(defaults),
		cmocka_unit_test(settings),
		cmocka_unit_test(manager_id),
		cmocka_unit_test(errors),
		cmocka_unit_test(errors_all_reported),
		cmocka_unit_test_setup_teardown(includes, inc_setup,
		    inc_teardown),
		cmocka_unit_test_setup_teardown(unreadable, inc_setup,
		    inc_teardown),
		cmocka_unit_test(lookups),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(examples),
	};

	log_init("test_tnved_conf", 0, LOG_LVL_INFO);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
