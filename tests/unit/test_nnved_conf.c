/*
 * test_nnved_conf.c - nnved's configuration parser and canonical printer
 * (daemons/nnved/parse.c, printconf.c).
 *
 * A full configuration checked field by field; the defaults; the
 * tokenizer's corners (strings, escapes, comments, ';', a newline before
 * '{'); every error the parser reports, with its exact "FILE:LINE: text"
 * line, captured from stderr (util/log writes there with one write(2)
 * per message); that parsing goes on after an error; includes in a
 * temporary directory (relative paths, error locations in the included
 * file, depth limit, loops, unreadable files); and the round trip
 * print -> parse -> print.
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

#include "nnved.h"
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
parse_cap(const char *text, struct nnved_conf *c)
{
	int rc;

	cap_begin();
	rc = nnved_conf_parse_string(text, "t", c);
	cap_end();
	return rc;
}

static int
parse_file_cap(const char *path, struct nnved_conf *c)
{
	int rc;

	cap_begin();
	rc = nnved_conf_parse(path, c);
	cap_end();
	return rc;
}

static char *
print_str(const struct nnved_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	nnved_conf_print(f, c);
	fclose(f);
	return buf;
}

static void
assert_nva_equal(const struct nnved_nva_conf *a,
    const struct nnved_nva_conf *b)
{
	assert_int_equal(a->present, b->present);
	assert_int_equal(a->nserver, b->nserver);
	for (unsigned i = 0; i < a->nserver; i++) {
		assert_int_equal(a->server[i].ip.family,
		    b->server[i].ip.family);
		assert_memory_equal(a->server[i].ip.addr,
		    b->server[i].ip.addr, 16);
		assert_int_equal(a->server[i].port, b->server[i].port);
	}
	assert_string_equal(a->server_name, b->server_name);
	assert_string_equal(a->cert, b->cert);
	assert_string_equal(a->key, b->key);
	assert_string_equal(a->ca, b->ca);
	assert_int_equal(a->nunderlay, b->nunderlay);
	for (unsigned i = 0; i < a->nunderlay; i++) {
		assert_int_equal(a->underlay[i].family, b->underlay[i].family);
		assert_memory_equal(a->underlay[i].addr, b->underlay[i].addr,
		    16);
	}
	assert_int_equal(a->keepalive_ms, b->keepalive_ms);
	assert_int_equal(a->retry_min_ms, b->retry_min_ms);
	assert_int_equal(a->retry_max_ms, b->retry_max_ms);
	assert_int_equal(a->authorize, b->authorize);
	assert_int_equal(a->authorize_timeout_ms, b->authorize_timeout_ms);
	assert_int_equal(a->authorize_fallback, b->authorize_fallback);
}

/* Everything but path and line numbers. */
static void
assert_conf_equal(const struct nnved_conf *a, const struct nnved_conf *b)
{
	unsigned i;

	assert_string_equal(a->control, b->control);
	assert_int_equal(a->log_level, b->log_level);
	assert_int_equal(a->r, b->r);
	assert_int_equal(a->rte, b->rte);
	assert_int_equal(a->rwd, b->rwd);
	assert_int_equal(a->rka, b->rka);
	assert_int_equal(a->caps, b->caps);
	assert_int_equal(a->vid_lo, b->vid_lo);
	assert_int_equal(a->vid_hi, b->vid_hi);
	assert_int_equal(a->max_vsi, b->max_vsi);
	assert_int_equal(a->max_stations, b->max_stations);
	assert_int_equal(a->ndomains, b->ndomains);
	for (i = 0; i < a->ndomains; i++) {
		assert_string_equal(a->domains[i].name, b->domains[i].name);
		assert_int_equal(a->domains[i].vid_lo, b->domains[i].vid_lo);
		assert_int_equal(a->domains[i].vid_hi, b->domains[i].vid_hi);
	}
	assert_int_equal(a->nports, b->nports);
	for (i = 0; i < a->nports; i++) {
		const struct nnved_port_conf *x = &a->ports[i], *y = &b->ports[i];

		assert_string_equal(x->ifname, y->ifname);
		assert_string_equal(x->domain, y->domain);
		assert_int_equal(x->vid_lo, y->vid_lo);
		assert_int_equal(x->vid_hi, y->vid_hi);
		assert_int_equal(x->ecp_dst, y->ecp_dst);
		assert_memory_equal(x->mcast, y->mcast, 6);
		assert_int_equal(x->default_vn, y->default_vn);
		assert_int_equal(x->nvlans, y->nvlans);
		if (x->nvlans)
			assert_memory_equal(x->vlans, y->vlans,
			    x->nvlans * sizeof(*x->vlans));
	}
	assert_int_equal(a->nkeys, b->nkeys);
	for (i = 0; i < a->nkeys; i++) {
		assert_int_equal(a->keys[i].id, b->keys[i].id);
		assert_int_equal(a->keys[i].len, b->keys[i].len);
		assert_memory_equal(a->keys[i].secret, b->keys[i].secret,
		    a->keys[i].len);
	}
	assert_int_equal(a->nstations, b->nstations);
	for (i = 0; i < a->nstations; i++) {
		const struct nnved_station_conf *x = &a->stations[i];
		const struct nnved_station_conf *y = &b->stations[i];

		assert_int_equal(x->any, y->any);
		assert_memory_equal(x->mac, y->mac, 6);
		assert_string_equal(x->port, y->port);
		assert_int_equal(x->key_id, y->key_id);
		assert_int_equal(x->vn_any, y->vn_any);
		assert_int_equal(x->nvns, y->nvns);
		if (x->nvns)
			assert_memory_equal(x->vns, y->vns,
			    x->nvns * sizeof(*x->vns));
	}
	assert_nva_equal(&a->nva, &b->nva);
	assert_int_equal(a->nvns, b->nvns);
	for (i = 0; i < a->nvns; i++) {
		const struct nnved_vn_conf *x = &a->vns[i], *y = &b->vns[i];

		assert_int_equal(x->vn, y->vn);
		assert_int_equal(x->context, y->context);
		assert_int_equal(x->nallow, y->nallow);
		for (unsigned j = 0; j < x->nallow; j++) {
			assert_int_equal(x->allow[j].family,
			    y->allow[j].family);
			assert_int_equal(x->allow[j].len, y->allow[j].len);
			assert_memory_equal(x->allow[j].addr,
			    y->allow[j].addr, 16);
		}
	}
}

/* ---- a full configuration ---------------------------------------------- */

#define SECRET32 "000102030405060708090a0b0c0d0e0f" \
		 "101112131415161718191a1b1c1d1e1f"

static const char full_text[] =
    "# every statement once\n"
    "control \"/run/test/nnved.sock\"\n"
    "log-level debug\n"
    "evb rka 21 retries 7 rte 0 rwd 31\n"
    "extensions ipfilter,auth\n"
    "vids 10-20\n"
    "max-vsi 16777216\n"
    "max-stations 1\n"
    "domain rack1 {\n"
    "\tvids 200-300\n"
    "}\n"
    "domain \"rack 2\" { }\n"
    "port eth1 {\n"
    "\tdomain rack1\n"
    "\tecp-destination multicast 03:00:00:00:00:01\n"
    "\tdefault-vn 5000\n"
    "\tvlan 10 vn 5001\n"
    "\tvlan 4094 vn 16777215\n"
    "}\n"
    "port eth2 { vids 1-4094; ecp-destination unicast }\n"
    "port eth3\n"
    "key 7 \"" SECRET32 "\"\n"
    "key 65535 \"" SECRET32 SECRET32 "\"\n"
    "station 52:54:00:12:34:56 {\n"
    "\tport eth1\n"
    "\tkey 7\n"
    "\tvn 5000 5001\n"
    "\tvn 1\n"
    "}\n"
    "station any { port eth2; vn any }\n"
    "vn 5000 {\n"
    "\tcontext 16777215\n"
    "\tallow 198.51.100.0/24 2001:db8:100::/64\n"
    "\tallow mac 52:54:00:00:00:00/24 198.51.100.7\n"
    "}\n"
    "vn 1\n";

static void
check_full(const struct nnved_conf *c)
{
	static const uint8_t mcast[6] = { 3, 0, 0, 0, 0, 1 };
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00 };
	static const uint8_t v4[4] = { 198, 51, 100, 0 };
	static const uint8_t v4h[4] = { 198, 51, 100, 7 };
	static const uint8_t macp[6] = { 0x52, 0x54, 0 };
	const struct nnved_port_conf *p;
	const struct nnved_station_conf *s;
	const struct nnved_vn_conf *v;

	assert_string_equal(c->control, "/run/test/nnved.sock");
	assert_int_equal(c->log_level, LOG_LVL_DEBUG);
	assert_int_equal(c->r, 7);
	assert_int_equal(c->rte, 0);
	assert_int_equal(c->rwd, 31);
	assert_int_equal(c->rka, 21);
	assert_int_equal(c->caps, NVO3_CAP_IPFILTER | NVO3_CAP_AUTH);
	assert_int_equal(c->vid_lo, 10);
	assert_int_equal(c->vid_hi, 20);
	assert_int_equal(c->max_vsi, 16777216);
	assert_int_equal(c->max_stations, 1);

	assert_int_equal(c->ndomains, 2);
	assert_string_equal(c->domains[0].name, "rack1");
	assert_int_equal(c->domains[0].vid_lo, 200);
	assert_int_equal(c->domains[0].vid_hi, 300);
	assert_string_equal(c->domains[1].name, "rack 2");
	assert_int_equal(c->domains[1].vid_lo, 0);
	assert_int_equal(c->domains[1].vid_hi, 0);

	assert_int_equal(c->nports, 3);
	p = &c->ports[0];
	assert_string_equal(p->ifname, "eth1");
	assert_string_equal(p->domain, "rack1");
	assert_int_equal(p->vid_lo, 0);
	assert_int_equal(p->ecp_dst, ECP_DST_MCAST);
	assert_memory_equal(p->mcast, mcast, 6);
	assert_int_equal(p->default_vn, 5000);
	assert_int_equal(p->nvlans, 2);
	assert_int_equal(p->vlans[0].vid, 10);
	assert_int_equal(p->vlans[0].vn, 5001);
	assert_int_equal(p->vlans[1].vid, 4094);
	assert_int_equal(p->vlans[1].vn, 16777215);
	p = &c->ports[1];
	assert_string_equal(p->ifname, "eth2");
	assert_string_equal(p->domain, "");
	assert_int_equal(p->vid_lo, 1);
	assert_int_equal(p->vid_hi, 4094);
	assert_int_equal(p->ecp_dst, ECP_DST_UNICAST);
	assert_int_equal(p->default_vn, 0);
	assert_int_equal(p->nvlans, 0);
	p = &c->ports[2];
	assert_string_equal(p->ifname, "eth3");
	assert_int_equal(p->ecp_dst, ECP_DST_GROUP);
	assert_int_equal(p->vid_lo, 0);
	assert_int_equal(p->vid_hi, 0);
	assert_int_equal(p->line, 21);

	assert_int_equal(c->nkeys, 2);
	assert_int_equal(c->keys[0].id, 7);
	assert_int_equal(c->keys[0].len, 32);
	for (int i = 0; i < 32; i++)
		assert_int_equal(c->keys[0].secret[i], i);
	assert_int_equal(c->keys[1].id, 65535);
	assert_int_equal(c->keys[1].len, 64);
	assert_int_equal(c->keys[1].secret[63], 31);
	assert_int_equal(c->keys[1].line, 23);

	assert_int_equal(c->nstations, 2);
	s = &c->stations[0];
	assert_false(s->any);
	assert_memory_equal(s->mac, mac, 6);
	assert_string_equal(s->port, "eth1");
	assert_int_equal(s->key_id, 7);
	assert_false(s->vn_any);
	assert_int_equal(s->nvns, 3);
	assert_int_equal(s->vns[0], 5000);
	assert_int_equal(s->vns[1], 5001);
	assert_int_equal(s->vns[2], 1);
	assert_int_equal(s->line, 24);
	s = &c->stations[1];
	assert_true(s->any);
	assert_string_equal(s->port, "eth2");
	assert_int_equal(s->key_id, -1);
	assert_true(s->vn_any);
	assert_int_equal(s->nvns, 0);

	assert_int_equal(c->nvns, 2);
	v = &c->vns[0];
	assert_int_equal(v->vn, 5000);
	assert_int_equal(v->context, 16777215);
	assert_int_equal(v->nallow, 4);
	assert_int_equal(v->allow[0].family, 4);
	assert_int_equal(v->allow[0].len, 24);
	assert_memory_equal(v->allow[0].addr, v4, 4);
	assert_int_equal(v->allow[1].family, 6);
	assert_int_equal(v->allow[1].len, 64);
	assert_memory_equal(v->allow[1].addr, v6, 16);
	assert_int_equal(v->allow[2].family, 0);
	assert_int_equal(v->allow[2].len, 24);
	assert_memory_equal(v->allow[2].addr, macp, 6);
	assert_int_equal(v->allow[3].family, 4);
	assert_int_equal(v->allow[3].len, 32);
	assert_memory_equal(v->allow[3].addr, v4h, 4);
	v = &c->vns[1];
	assert_int_equal(v->vn, 1);
	assert_int_equal(v->context, 0);
	assert_int_equal(v->nallow, 0);
	assert_int_equal(v->line, 36);
}

static void
full_config(void **state)
{
	struct nnved_conf c;

	assert_int_equal(parse_cap(full_text, &c), 0);
	assert_string_equal(cap, "");
	assert_string_equal(c.path, "t");
	check_full(&c);
	nnved_conf_free(&c);
	/* free leaves an empty, initialised configuration */
	assert_int_equal(c.nports, 0);
	assert_null(c.ports);
	assert_int_equal(c.log_level, -1);
	nnved_conf_free(&c);
	(void)state;
}

static void
defaults(void **state)
{
	struct nnved_conf c;
	char *out;

	assert_int_equal(parse_cap("# nothing\n\n;;\n", &c), 0);
	assert_string_equal(c.control, NNVED_SOCK_DEFAULT);
	assert_int_equal(c.log_level, -1);
	assert_int_equal(c.r, EVB_DEFAULT_R);
	assert_int_equal(c.rte, EVB_DEFAULT_RTE);
	assert_int_equal(c.rwd, EVB_DEFAULT_RWD);
	assert_int_equal(c.rka, EVB_DEFAULT_RKA);
	assert_int_equal(c.caps, NVO3_CAP_ALL);
	assert_int_equal(c.vid_lo, NNVED_VID_LO_DEFAULT);
	assert_int_equal(c.vid_hi, NNVED_VID_HI_DEFAULT);
	assert_int_equal(c.max_vsi, NNVED_MAX_VSI_DEFAULT);
	assert_int_equal(c.max_stations, NNVED_MAX_STATIONS_DEFAULT);
	assert_int_equal(c.ndomains + c.nports + c.nkeys + c.nstations +
	    c.nvns, 0);
	out = print_str(&c);
	assert_string_equal(out,
	    "control \"/run/splitnve/nnved.sock\"\n"
	    "evb retries 3 rte 8 rwd 20 rka 20\n"
	    "extensions all\n"
	    "vids 100-4000\n"
	    "max-vsi 1000000\n"
	    "max-stations 4096\n");
	free(out);
	nnved_conf_free(&c);
	/* an empty text too */
	assert_int_equal(nnved_conf_parse_string("", "e", &c), 0);
	nnved_conf_free(&c);
	(void)state;
}

/* Settings given twice: the last one counts; "evb" sets only its own. */
static void
last_setting_wins(void **state)
{
	struct nnved_conf c;

	assert_int_equal(parse_cap("vids 1-2\nvids 3-4\nevb rte 5\n"
	    "extensions none\nlog-level err\nlog-level warn\n"
	    "port e { default-vn 4; default-vn 5 }\n", &c), 0);
	assert_int_equal(c.vid_lo, 3);
	assert_int_equal(c.vid_hi, 4);
	assert_int_equal(c.rte, 5);
	assert_int_equal(c.r, EVB_DEFAULT_R);
	assert_int_equal(c.rka, EVB_DEFAULT_RKA);
	assert_int_equal(c.caps, 0);
	assert_int_equal(c.log_level, LOG_LVL_WARN);
	assert_int_equal(c.ports[0].default_vn, 5);
	nnved_conf_free(&c);
	(void)state;
}

static void
lexical(void **state)
{
	struct nnved_conf c;

	/* escapes, ';' separators, '#' ends a word, newline before '{' */
	assert_int_equal(parse_cap(
	    "control \"/tmp/a \\\"b\\\" \\\\c\"; log-level info # x\n"
	    "port eth0#comment\n"
	    "\n"
	    "# between header and block\n"
	    "{ vlan 5 vn 6 ; vlan 7 vn 8 }\n"
	    "domain\td\t{vids 1-1}\n"
	    "station any\n"
	    "port eth1\n", &c), 0);
	assert_string_equal(cap, "");
	assert_string_equal(c.control, "/tmp/a \"b\" \\c");
	assert_int_equal(c.log_level, LOG_LVL_INFO);
	assert_int_equal(c.nports, 2);
	assert_string_equal(c.ports[0].ifname, "eth0");
	assert_int_equal(c.ports[0].nvlans, 2);
	assert_int_equal(c.ports[0].vlans[1].vn, 8);
	assert_string_equal(c.ports[1].ifname, "eth1");
	assert_int_equal(c.ports[1].line, 8);
	assert_int_equal(c.ndomains, 1);
	assert_int_equal(c.domains[0].vid_hi, 1);
	/* "station any" followed by a statement: no block, no VN */
	assert_int_equal(c.nstations, 1);
	assert_int_equal(c.stations[0].nvns, 0);
	assert_false(c.stations[0].vn_any);
	nnved_conf_free(&c);

	/* CRLF line ends; a quoted keyword value */
	assert_int_equal(parse_cap("vids \"5-6\"\r\nmax-vsi 7\r\n", &c), 0);
	assert_int_equal(c.vid_lo, 5);
	assert_int_equal(c.max_vsi, 7);
	nnved_conf_free(&c);
	(void)state;
}

/* Rules that look alike but can each match: not duplicates. */
static void
station_rules_not_duplicate(void **state)
{
	struct nnved_conf c;

	assert_int_equal(parse_cap(
	    "port eth1\nport eth2\n"
	    "station 52:54:00:00:00:01 { port eth1 }\n"
	    "station 52:54:00:00:00:01 { port eth2 }\n"
	    "station 52:54:00:00:00:01\n"
	    "station any { port eth1 }\n"
	    "station any\n"
	    "station 52-54-00-00-00-02\n", &c), 0);
	assert_string_equal(cap, "");
	assert_int_equal(c.nstations, 6);
	assert_int_equal(c.stations[5].mac[5], 2);
	nnved_conf_free(&c);
	(void)state;
}

/* ---- errors ---------------------------------------------------------- */

/* Pieces of nva blocks: a header with one server, a tls block, an
 * underlay, each one line; NVA_OK is a whole good block (4 lines). */
#define NVA_HEAD	"nva {\n server 203.0.113.1\n"
#define NVA_TLS		" tls { cert c.pem; key k.pem; ca ca.pem }\n"
#define NVA_UL		" underlay 203.0.113.11\n"
#define NVA_OK		NVA_HEAD NVA_TLS NVA_UL "}\n"

static const struct {
	const char	*text;
	int		 errors;
	const char	*log;
} bad[] = {
	/* tokenizer */
	{ "control \"/x\n", 1, "t:1: unterminated string\n" },
	{ "control \"/x\\n\"\n", 1, "t:1: bad escape in string\n" },
	{ "vids 1-2\x01\n", 1, "t:1: unexpected character 0x01\n" },
	{ "\x02vids 1-2\n", 1, "t:1: unexpected character 0x02\n" },
	/* statements */
	{ "foo\n", 1, "t:1: unknown keyword 'foo'\n" },
	{ "\n\ncontr \"/x\"\n", 1, "t:3: unknown keyword 'contr'\n" },
	{ "Control \"/x\"\n", 1, "t:1: unknown keyword 'Control'\n" },
	{ "\"control\" \"/x\"\n", 1, "t:1: unexpected 'control'\n" },
	{ "{ vids 1-2 }\n", 1, "t:1: unexpected '{'\n" },
	{ "max-vsi 5 6\n", 1, "t:1: unexpected '6'\n" },
	{ "max-vsi 5 {\n}\n", 1, "t:1: unexpected '{'\n" },
	{ "}\n", 1, "t:1: unexpected '}'\n" },
	{ "port eth0 {\nvlan 1 vn 2\n", 1, "t:1: '{' is never closed\n" },
	{ "port eth0 junk {\n vlan 0 vn 0\n}\nfoo\n", 2,
	  "t:1: unexpected 'junk'\nt:4: unknown keyword 'foo'\n" },
	{ "port eth0 {\n\tcontrol \"/x\"\n}\n", 1,
	  "t:2: unknown keyword 'control'\n" },
	{ "port eth0 {\n\tvlan { x }\n\tbad\n}\n", 2,
	  "t:2: vlan: number missing\nt:3: unknown keyword 'bad'\n" },
	{ "port eth0 { } extra\n", 1, "t:1: unexpected 'extra'\n" },
	/* control */
	{ "control\n", 1, "t:1: control: value missing\n" },
	{ "control \"\"\n", 1, "t:1: control: empty path\n" },
	{ "control \"/0123456789012345678901234567890123456789012345678901"
	  "2345678901234567890123456789012345678901234567890123456\"\n", 1,
	  "t:1: control: too long (at most 107 characters)\n" },
	/* log-level */
	{ "log-level verbose\n", 1,
	  "t:1: log-level: 'verbose' is not debug, info, warn or err\n" },
	/* evb */
	{ "evb\n", 1, "t:1: evb: retries, rte, rwd or rka expected\n" },
	{ "evb retries 8\n", 1,
	  "t:1: evb retries: '8' is not a number in 0..7\n" },
	{ "evb rte 32\n", 1, "t:1: evb rte: '32' is not a number in 0..31\n" },
	{ "evb rwd\n", 1, "t:1: evb rwd: number missing\n" },
	{ "evb rka -1\n", 1, "t:1: evb rka: '-1' is not a number in 0..31\n" },
	{ "evb rte 3 rte 4\n", 1, "t:1: evb: rte given twice\n" },
	{ "evb rte 3 ret 4\n", 1, "t:1: evb: unknown parameter 'ret'\n" },
	/* extensions */
	{ "extensions ipfilter,bogus\n", 1, "t:1: extensions: "
	  "'ipfilter,bogus' is not all, none or a list of extension "
	  "names\n" },
	{ "extensions auth,\n", 1, "t:1: extensions: 'auth,' is not all, "
	  "none or a list of extension names\n" },
	{ "extensions ipfilter, auth\n", 1, "t:1: extensions: 'ipfilter,' "
	  "is not all, none or a list of extension names\n" },
	/* vids */
	{ "vids 100\n", 1, "t:1: vids: '100' is not LO-HI\n" },
	{ "vids 1-x\n", 1, "t:1: vids: '1-x' is not LO-HI\n" },
	{ "vids -5\n", 1, "t:1: vids: '-5' is not LO-HI\n" },
	{ "vids 0-5\n", 1, "t:1: vids 0-5: VIDs are 1..4094\n" },
	{ "vids 5-4095\n", 1, "t:1: vids 5-4095: VIDs are 1..4094\n" },
	{ "vids 10-5\n", 1, "t:1: vids 10-5: LO above HI\n" },
	/* limits */
	{ "max-vsi 0\n", 1, "t:1: max-vsi: '0' is not a number in "
	  "1..16777216\n" },
	{ "max-vsi 16777217\n", 1, "t:1: max-vsi: '16777217' is not a "
	  "number in 1..16777216\n" },
	{ "max-vsi 99999999999999999999999\n", 1, "t:1: max-vsi: "
	  "'99999999999999999999999' is not a number in 1..16777216\n" },
	{ "max-vsi 0x10\n", 1, "t:1: max-vsi: '0x10' is not a number in "
	  "1..16777216\n" },
	{ "max-stations 1048577\n", 1, "t:1: max-stations: '1048577' is not "
	  "a number in 1..1048576\n" },
	{ "max-stations\n", 1, "t:1: max-stations: number missing\n" },
	/* include */
	{ "include \"\"\n", 1, "t:1: include: empty path\n" },
	{ "include \"/nonexistent/x.conf\"\n", 1, "t:1: include "
	  "/nonexistent/x.conf: No such file or directory\n" },
	{ "include \"/nonexistent/x.conf\" more\n", 1,
	  "t:1: unexpected 'more'\n" },
	/* domain */
	{ "domain\n", 1, "t:1: domain: value missing\n" },
	{ "domain \"\" { vids 1-2 }\n", 1, "t:1: domain: empty name\n" },
	{ "domain d0123456789012345678901234567890\n", 1,
	  "t:1: domain: too long (at most 31 characters)\n" },
	{ "domain d\ndomain d { vids 1-2 }\n", 1,
	  "t:2: duplicate domain 'd'\n" },
	{ "domain d { vids 0-1; vlan 1 vn 1 }\n", 2,
	  "t:1: vids 0-1: VIDs are 1..4094\nt:1: unknown keyword 'vlan'\n" },
	/* port */
	{ "port\n", 1, "t:1: port: value missing\n" },
	{ "port eth0123456789abc\n", 1, "t:1: port: interface name "
	  "'eth0123456789abc' too long (at most 15 characters)\n" },
	{ "port a/b\n", 1, "t:1: port: 'a/b' is not an interface name\n" },
	{ "port eth0:1\n", 1, "t:1: port: 'eth0:1' is not an interface "
	  "name\n" },
	{ "port ..\n", 1, "t:1: port: '..' is not an interface name\n" },
	{ "port \"\"\n", 1, "t:1: port: '' is not an interface name\n" },
	{ "port eth0\nport eth0 { vlan 1 vn 0 }\n", 2,
	  "t:2: duplicate port 'eth0'\n"
	  "t:2: vlan vn: '0' is not a number in 1..16777215\n" },
	{ "port eth0 { domain d }\n", 1,
	  "t:1: port eth0: domain 'd' is not defined\n" },
	{ "domain d\nport eth0 {\n domain d\n vids 1-2\n}\n", 1,
	  "t:4: port eth0: both domain and vids\n" },
	{ "domain d\nport eth0 {\n vids 1-2\n domain d\n}\n", 1,
	  "t:4: port eth0: both domain and vids\n" },
	{ "port eth0 { ecp-destination broadcast }\n", 1,
	  "t:1: ecp-destination: 'broadcast' is not group, unicast or "
	  "multicast\n" },
	{ "port eth0 { ecp-destination group 01:80:c2:00:00:00 }\n", 1,
	  "t:1: unexpected '01:80:c2:00:00:00'\n" },
	{ "port eth0 { ecp-destination multicast }\n", 1,
	  "t:1: ecp-destination multicast: value missing\n" },
	{ "port eth0 { ecp-destination multicast 03:00:00:00:01 }\n", 1,
	  "t:1: ecp-destination multicast: '03:00:00:00:01' is not a MAC "
	  "address\n" },
	{ "port eth0 { ecp-destination multicast 01:80:c2:00:00:0e }\n", 1,
	  "t:1: ecp-destination multicast 01:80:c2:00:00:0e: not a usable "
	  "group address (unicast, broadcast or reserved "
	  "01:80:c2:00:00:0x)\n" },
	{ "port eth0 { ecp-destination multicast ff:ff:ff:ff:ff:ff }\n", 1,
	  "t:1: ecp-destination multicast ff:ff:ff:ff:ff:ff: not a usable "
	  "group address (unicast, broadcast or reserved "
	  "01:80:c2:00:00:0x)\n" },
	{ "port eth0 { ecp-destination multicast 02:00:00:00:00:01 }\n", 1,
	  "t:1: ecp-destination multicast 02:00:00:00:00:01: not a usable "
	  "group address (unicast, broadcast or reserved "
	  "01:80:c2:00:00:0x)\n" },
	{ "port eth0 { default-vn 0 }\n", 1,
	  "t:1: default-vn: '0' is not a number in 1..16777215\n" },
	{ "port eth0 { default-vn 16777216 }\n", 1,
	  "t:1: default-vn: '16777216' is not a number in 1..16777215\n" },
	{ "port eth0 { vlan 0 vn 1 }\n", 1,
	  "t:1: vlan: '0' is not a number in 1..4094\n" },
	{ "port eth0 { vlan 4095 vn 1 }\n", 1,
	  "t:1: vlan: '4095' is not a number in 1..4094\n" },
	{ "port eth0 { vlan 5 6 }\n", 1, "t:1: vlan 5: 'vn' expected\n" },
	{ "port eth0 {\n vlan 5 vn 1\n vlan 6 vn 1\n vlan 5 vn 2\n}\n", 1,
	  "t:4: port eth0: vlan 5 given twice\n" },
	/* key */
	{ "key 0 \"" SECRET32 "\"\n", 1,
	  "t:1: key: '0' is not a number in 1..65535\n" },
	{ "key 65536 \"" SECRET32 "\"\n", 1,
	  "t:1: key: '65536' is not a number in 1..65535\n" },
	{ "key 1\n", 1, "t:1: key secret: value missing\n" },
	{ "key 1 \"" SECRET32 "g\"\n", 1, "t:1: key 1: secret is not hex\n" },
	{ "key 1 \"" SECRET32 "0\"\n", 1, "t:1: key 1: secret is not hex\n" },
	{ "key 1 \"000102030405060708090a0b0c0d0e0f"
	  "101112131415161718191a1b1c1d1e\"\n", 1,
	  "t:1: key 1: secret must be 32..64 octets\n" },
	{ "key 1 \"" SECRET32 SECRET32 "20\"\n", 1,
	  "t:1: key 1: secret must be 32..64 octets\n" },
	{ "key 1 \"" SECRET32 "\"\nkey 1 \"" SECRET32 "\"\n", 1,
	  "t:2: duplicate key 1\n" },
	/* station */
	{ "station\n", 1, "t:1: station: value missing\n" },
	{ "station 52:54:00:00:00\n", 1,
	  "t:1: station: '52:54:00:00:00' is not a MAC address or any\n" },
	{ "station 01:00:5e:00:00:01\n", 1,
	  "t:1: station 01:00:5e:00:00:01: not a unicast MAC\n" },
	{ "station 00:00:00:00:00:00\n", 1,
	  "t:1: station 00:00:00:00:00:00: not a unicast MAC\n" },
	{ "station 52:54:00:00:00:01 {\n key 3\n port eth9\n}\n", 2,
	  "t:2: station 52:54:00:00:00:01: key 3 is not defined\n"
	  "t:3: station 52:54:00:00:00:01: port 'eth9' is not configured\n" },
	{ "station any { port eth0123456789abc }\n", 1,
	  "t:1: port: interface name 'eth0123456789abc' too long (at most 15 "
	  "characters)\n" },
	{ "station any { key 0 }\n", 1,
	  "t:1: key: '0' is not a number in 1..65535\n" },
	{ "station any { vn }\n", 1, "t:1: vn: VN missing\n" },
	{ "station any { vn 0 }\n", 1,
	  "t:1: vn: '0' is not a number in 1..16777215\n" },
	{ "station any { vn 5 16777216 }\n", 1,
	  "t:1: vn: '16777216' is not a number in 1..16777215\n" },
	{ "station any { vn 5 6 5 }\n", 1,
	  "t:1: station any: vn 5 given twice\n" },
	{ "station any {\n vn 5\n vn 5\n}\n", 1,
	  "t:3: station any: vn 5 given twice\n" },
	{ "station any {\n vn 5\n vn any\n}\n", 1,
	  "t:3: station any: vn any with a list of VNs\n" },
	{ "station any {\n vn any\n vn 5\n}\n", 1,
	  "t:3: station any: vn any with a list of VNs\n" },
	{ "station AA:BB:CC:DD:EE:FE\nstation aa:bb:cc:dd:ee:fe\n", 1,
	  "t:2: duplicate station aa:bb:cc:dd:ee:fe\n" },
	{ "port e\nstation 02:00:00:00:00:01\n"
	  "station 02:00:00:00:00:01 { port e }\n", 1,
	  "t:3: duplicate station 02:00:00:00:00:01 on port e\n" },
	{ "port e\nstation any { port e }\nstation any { port e }\n", 1,
	  "t:3: duplicate station any on port e\n" },
	{ "station any\nstation any\n", 1, "t:2: duplicate station any\n" },
	/* vn */
	{ "vn\n", 1, "t:1: vn: number missing\n" },
	{ "vn 0\n", 1, "t:1: vn: '0' is not a number in 1..16777215\n" },
	{ "vn 16777216 { context 1 }\n", 1,
	  "t:1: vn: '16777216' is not a number in 1..16777215\n" },
	{ "vn 5\nvn 5\n", 1, "t:2: duplicate vn 5\n" },
	{ "vn 5 { context 0 }\n", 1,
	  "t:1: context: '0' is not a number in 1..16777215\n" },
	{ "vn 5 { allow }\n", 1, "t:1: allow: prefix missing\n" },
	{ "vn 5 { allow mac }\n", 1, "t:1: allow mac: value missing\n" },
	{ "vn 5 { allow 198.51.100/24 }\n", 1,
	  "t:1: allow: '198.51.100/24' is not an address prefix\n" },
	{ "vn 5 { allow 52:54:00:00:00:00/24 }\n", 1,
	  "t:1: allow: '52:54:00:00:00:00/24' is not an address prefix\n" },
	{ "vn 5 { allow mac 2001:db8::/32 }\n", 1,
	  "t:1: allow: '2001:db8::/32' is not a MAC prefix\n" },
	{ "vn 5 { allow 198.51.100.0/33 }\n", 1,
	  "t:1: allow 198.51.100.0/33: length must be 0..32\n" },
	{ "vn 5 { allow 198.51.100.0/ }\n", 1,
	  "t:1: allow 198.51.100.0/: length must be 0..32\n" },
	{ "vn 5 { allow 2001:db8::/129 }\n", 1,
	  "t:1: allow 2001:db8::/129: length must be 0..128\n" },
	{ "vn 5 { allow mac 52:54:00:00:00:00/49 }\n", 1,
	  "t:1: allow 52:54:00:00:00:00/49: length must be 0..48\n" },
	{ "vn 5 { allow 198.51.100.1/24 }\n", 1,
	  "t:1: 198.51.100.1/24: host bits set\n" },
	{ "vn 5 { allow 0.0.0.1/0 }\n", 1, "t:1: 0.0.0.1/0: host bits set\n" },
	{ "vn 5 { allow 2001:db8:100::1/127 }\n", 1,
	  "t:1: 2001:db8:100::1/127: host bits set\n" },
	{ "vn 5 { allow mac 52:54:00:00:00:01/47 }\n", 1,
	  "t:1: 52:54:00:00:00:01/47: host bits set\n" },
	{ "vn 5 {\n allow 198.51.100.0/24\n allow 198.51.100.0/24\n}\n", 1,
	  "t:3: vn 5: 198.51.100.0/24 given twice\n" },
	/* every bad prefix of one statement is reported */
	{ "vn 5 { allow 1.2.3.4/8 bad 2001:db8::/129 10.0.0.0/8 }\n", 3,
	  "t:1: 1.2.3.4/8: host bits set\n"
	  "t:1: allow: 'bad' is not an address prefix\n"
	  "t:1: allow 2001:db8::/129: length must be 0..128\n" },
	/* nva: what the block must hold */
	{ "nva\n", 3, "t:1: nva: server missing\nt:1: nva: tls missing\n"
	  "t:1: nva: underlay missing\n" },
	{ "nva {\n}\n", 3, "t:1: nva: server missing\n"
	  "t:1: nva: tls missing\nt:1: nva: underlay missing\n" },
	{ NVA_HEAD NVA_TLS "}\n", 1, "t:1: nva: underlay missing\n" },
	{ "nva {\n" NVA_TLS NVA_UL "}\n", 1, "t:1: nva: server missing\n" },
	{ NVA_HEAD NVA_UL "}\n", 1, "t:1: nva: tls missing\n" },
	{ NVA_OK "nva {\n" NVA_TLS "}\n", 1,
	  "t:6: nva: given twice (first at t:1)\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " bogus 1\n}\n", 1,
	  "t:5: unknown keyword 'bogus'\n" },
	{ "port e { nva }\n", 1, "t:1: unknown keyword 'nva'\n" },
	/* nva: server */
	{ NVA_HEAD NVA_TLS NVA_UL " server\n}\n", 1,
	  "t:5: server: value missing\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server nva.example\n}\n", 1,
	  "t:5: server: 'nva.example' is not a numeric IPv4 or IPv6 "
	  "address\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server 203.0.113.300\n}\n", 1,
	  "t:5: server: '203.0.113.300' is not a numeric IPv4 or IPv6 "
	  "address\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server 0.0.0.0\n}\n", 1,
	  "t:5: server: '0.0.0.0' is not a unicast address\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server 239.1.2.3\n}\n", 1,
	  "t:5: server: '239.1.2.3' is not a unicast address\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server 255.255.255.255\n}\n", 1,
	  "t:5: server: '255.255.255.255' is not a unicast address\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server ::\n}\n", 1,
	  "t:5: server: '::' is not a unicast address\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server ff02::1\n}\n", 1,
	  "t:5: server: 'ff02::1' is not a unicast address\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server 203.0.113.2 port 0\n}\n", 1,
	  "t:5: server port: '0' is not a number in 1..65535\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server 203.0.113.2 port 65536\n}\n", 1,
	  "t:5: server port: '65536' is not a number in 1..65535\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server 203.0.113.2 port\n}\n", 1,
	  "t:5: server port: number missing\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server 203.0.113.2 4790\n}\n", 1,
	  "t:5: unexpected '4790'\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server 203.0.113.1 port 4790\n}\n", 1,
	  "t:5: nva: server 203.0.113.1 port 4790 given twice\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server 2001:db8::2\n"
	  " server 2001:db8::3\n server 2001:db8::4\n server 2001:db8::5\n"
	  "}\n", 1, "t:8: nva: more than 4 servers\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server-name\n}\n", 1,
	  "t:5: server-name: value missing\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " server-name \"\"\n}\n", 1,
	  "t:5: server-name: empty name\n" },
	/* nva: tls */
	{ NVA_HEAD " tls {\n }\n" NVA_UL "}\n", 3,
	  "t:3: nva: tls: cert missing\nt:3: nva: tls: key missing\n"
	  "t:3: nva: tls: ca missing\n" },
	{ NVA_HEAD " tls { cert c.pem; key k.pem }\n" NVA_UL "}\n", 1,
	  "t:3: nva: tls: ca missing\n" },
	{ NVA_HEAD " tls { cert \"\"; key k.pem; ca ca.pem }\n" NVA_UL
	  "}\n", 2, "t:3: cert: empty path\nt:3: nva: tls: cert missing\n" },
	{ NVA_HEAD " tls { cert; key k.pem; ca ca.pem }\n" NVA_UL "}\n", 2,
	  "t:3: cert: value missing\nt:3: nva: tls: cert missing\n" },
	{ NVA_HEAD NVA_TLS NVA_TLS NVA_UL "}\n", 1,
	  "t:4: nva: tls given twice (first at line 3)\n" },
	{ NVA_HEAD " tls { cert c.pem; key k.pem; ca ca.pem; bad x }\n" NVA_UL
	  "}\n", 1, "t:3: unknown keyword 'bad'\n" },
	/* nva: underlay */
	{ NVA_HEAD NVA_TLS NVA_UL " underlay\n}\n", 1,
	  "t:5: underlay: address missing\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " underlay 203.0.113.11\n}\n", 1,
	  "t:5: nva: underlay 203.0.113.11 given twice\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " underlay 2001:db8:ffff::1 x 0.0.0.0 "
	  "2001:DB8:FFFF::1\n}\n", 3,
	  "t:5: underlay: 'x' is not a numeric IPv4 or IPv6 address\n"
	  "t:5: underlay: '0.0.0.0' is not a unicast address\n"
	  "t:5: nva: underlay 2001:db8:ffff::1 given twice\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " underlay 203.0.113.12 203.0.113.13 "
	  "203.0.113.14 203.0.113.15\n underlay 203.0.113.16 203.0.113.17 "
	  "203.0.113.18 203.0.113.19\n}\n", 1,
	  "t:6: nva: more than 8 underlay addresses\n" },
	/* nva: keepalive, retry */
	{ NVA_HEAD NVA_TLS NVA_UL " keepalive 99\n}\n", 1,
	  "t:5: keepalive: '99' is not 0 or a number in 100..600000\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " keepalive 600001\n}\n", 1,
	  "t:5: keepalive: '600001' is not 0 or a number in 100..600000\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " keepalive -1\n}\n", 1,
	  "t:5: keepalive: '-1' is not 0 or a number in 100..600000\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " keepalive\n}\n", 1,
	  "t:5: keepalive: value missing\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " retry 500\n}\n", 1,
	  "t:5: retry max: number missing\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " retry 9 100\n}\n", 1,
	  "t:5: retry: '9' is not a number in 10..600000\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " retry 10 3600001\n}\n", 1,
	  "t:5: retry max: '3600001' is not a number in 10..3600000\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " retry 1000 999\n}\n", 1,
	  "t:5: retry 1000 999: MIN above MAX\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " retry 100-200\n}\n", 1,
	  "t:5: retry: '100-200' is not a number in 10..600000\n" },
	/* nva: authorisation */
	{ NVA_HEAD NVA_TLS NVA_UL " authorize\n}\n", 1,
	  "t:5: authorize: value missing\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " authorize on\n}\n", 1,
	  "t:5: authorize: 'on' is not yes or no\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " authorize-timeout 49\n}\n", 1,
	  "t:5: authorize-timeout: '49' is not a number in 50..30000\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " authorize-timeout 30001\n}\n", 1,
	  "t:5: authorize-timeout: '30001' is not a number in 50..30000\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " authorize-timeout\n}\n", 1,
	  "t:5: authorize-timeout: number missing\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " authorize-fallback drop\n}\n", 1,
	  "t:5: authorize-fallback: 'drop' is not local or refuse\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " authorize-fallback\n}\n", 1,
	  "t:5: authorize-fallback: value missing\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " authorize yes no\n}\n", 1,
	  "t:5: unexpected 'no'\n" },
	/* the timeout against the resource wait delay: the default 1000
	 * ms needs rwd 18 (2621 ms); evb may come after the block; the
	 * error stands where the timing was set last */
	{ NVA_HEAD NVA_TLS NVA_UL " authorize yes\n}\nevb rwd 17\n", 1,
	  "t:5: nva: authorize-timeout 1000 ms is not well under the "
	  "resource wait delay (evb rwd 17: 1310 ms); at most 655 ms\n" },
	{ "evb rwd 10\n" NVA_HEAD NVA_TLS NVA_UL " authorize-timeout 50\n"
	  " authorize yes\n authorize-fallback refuse\n}\n", 1,
	  "t:7: nva: authorize-timeout 50 ms is not well under the resource "
	  "wait delay (evb rwd 10: 10 ms); at most 5 ms\n" },
	{ NVA_HEAD NVA_TLS NVA_UL " authorize yes\n authorize-timeout 5243\n"
	  "}\n", 1, "t:6: nva: authorize-timeout 5243 ms is not well under "
	  "the resource wait delay (evb rwd 20: 10485 ms); at most 5242 "
	  "ms\n" },
	/* a second block is not kept: its authorize is not checked */
	{ "evb rwd 0\n" NVA_OK NVA_HEAD NVA_TLS NVA_UL " authorize yes\n}\n",
	  1, "t:7: nva: given twice (first at t:2)\n" },
};

static void
errors(void **state)
{
	struct nnved_conf c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse_cap(bad[i].text, &c);

		if (rc != bad[i].errors || strcmp(cap, bad[i].log) != 0) {
			print_message("case %zu: %s\nrc %d, log:\n%s", i,
			    bad[i].text, rc, cap);
			fail();
		}
		/* a failed parse leaves nothing allocated */
		assert_null(c.ports);
		assert_null(c.stations);
		assert_null(c.vns);
		assert_int_equal(c.nkeys, 0);
	}
	(void)state;
}

/* Words and strings longer than the tokenizer keeps. */
static void
long_tokens(void **state)
{
	struct nnved_conf c;
	char text[1200 + 64];

	memset(text, 'x', 1200);
	memcpy(text, "domain ", 7);
	strcpy(text + 1200, "\nfoo\n");
	assert_int_equal(parse_cap(text, &c), 3);
	assert_string_equal(cap, "t:1: word too long\n"
	    "t:1: domain: too long (at most 31 characters)\n"
	    "t:2: unknown keyword 'foo'\n");
	memcpy(text, "domain \"", 8);
	strcpy(text + 1200, "\"\n");
	assert_int_equal(parse_cap(text, &c), 2);
	assert_string_equal(cap, "t:1: string too long\n"
	    "t:1: domain: too long (at most 31 characters)\n");
	(void)state;
}

/* One run reports every error, in order, and counts them. */
static void
errors_all_reported(void **state)
{
	struct nnved_conf c;

	assert_int_equal(parse_cap(
	    "log-level loud\n"			/* 1 */
	    "port eth0 {\n"			/* 2 */
	    "\tdomain nope\n"			/* 3 */
	    "\tvlan 1 vn 0\n"			/* 4 */
	    "\twat\n"				/* 5 */
	    "}\n"				/* 6 */
	    "station 02:00:00:00:00:09 {\n"	/* 7 */
	    "\tkey 9\n"				/* 8 */
	    "}\n"				/* 9 */
	    "vids 9-8\n", &c), 6);		/* 10 */
	assert_string_equal(cap,
	    "t:1: log-level: 'loud' is not debug, info, warn or err\n"
	    "t:4: vlan vn: '0' is not a number in 1..16777215\n"
	    "t:5: unknown keyword 'wat'\n"
	    "t:10: vids 9-8: LO above HI\n"
	    "t:3: port eth0: domain 'nope' is not defined\n"
	    "t:8: station 02:00:00:00:00:09: key 9 is not defined\n");
	(void)state;
}

/* ---- includes -------------------------------------------------------- */

static char tmpdir[64];

static void
write_file(const char *name, const char *text, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

#define WRITE(name, text)	write_file((name), (text), strlen(text))

static int
inc_setup(void **state)
{
	char path[128];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_nnved_conf.XXXXXX");
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
	static const char nul_text[] = "vids 1-2\nvids 3-4\0\nfoo\n";
	struct nnved_conf c;
	char path[256], want[1024], *out;

	/* relative to the including file; references across files */
	WRITE("main.conf", "port eth0 { domain d }\n"
	    "include \"sub/a.conf\"\n"
	    "station any { key 4 }\n");
	WRITE("sub/a.conf", "include \"b.conf\"\n"
	    "key 4 \"" SECRET32 "\"\n");
	WRITE("sub/b.conf", "domain d { vids 5-6 }\n");
	snprintf(path, sizeof(path), "%s/main.conf", tmpdir);
	assert_int_equal(parse_file_cap(path, &c), 0);
	assert_string_equal(cap, "");
	assert_string_equal(c.path, path);
	assert_int_equal(c.nports, 1);
	assert_int_equal(c.ndomains, 1);
	assert_int_equal(c.domains[0].vid_lo, 5);
	assert_int_equal(c.nkeys, 1);
	assert_int_equal(c.keys[0].line, 2);
	assert_int_equal(c.nstations, 1);
	assert_int_equal(c.stations[0].key_id, 4);
	/* the canonical form is one file */
	out = print_str(&c);
	assert_null(strstr(out, "include"));
	assert_non_null(strstr(out, "domain d {\n\tvids 5-6\n}\n"));
	free(out);
	nnved_conf_free(&c);

	/* errors carry the included file's name and line */
	WRITE("err.conf", "include \"sub/bad.conf\"\nbogus\n");
	WRITE("sub/bad.conf", "vids 1-2\n\nport eth0 { domain zz }\n");
	snprintf(path, sizeof(path), "%s/err.conf", tmpdir);
	assert_int_equal(parse_file_cap(path, &c), 2);
	snprintf(want, sizeof(want), "%s:2: unknown keyword 'bogus'\n"
	    "%s/sub/bad.conf:3: port eth0: domain 'zz' is not defined\n",
	    path, tmpdir);
	assert_string_equal(cap, want);

	/* absolute include path */
	snprintf(want, sizeof(want), "include \"%s/sub/b.conf\"\n", tmpdir);
	WRITE("abs.conf", want);
	snprintf(path, sizeof(path), "%s/abs.conf", tmpdir);
	assert_int_equal(parse_file_cap(path, &c), 0);
	assert_int_equal(c.ndomains, 1);
	nnved_conf_free(&c);

	/* a file that includes itself */
	WRITE("loop.conf", "vids 1-2\ninclude \"loop.conf\"\n");
	snprintf(path, sizeof(path), "%s/loop.conf", tmpdir);
	assert_int_equal(parse_file_cap(path, &c), 1);
	snprintf(want, sizeof(want), "%s:2: include %s/loop.conf: includes "
	    "itself\n", path, tmpdir);
	assert_string_equal(cap, want);
	/* ... or through another */
	WRITE("x.conf", "include \"y.conf\"\n");
	WRITE("y.conf", "\ninclude \"x.conf\"\n");
	snprintf(path, sizeof(path), "%s/x.conf", tmpdir);
	assert_int_equal(parse_file_cap(path, &c), 1);
	snprintf(want, sizeof(want), "%s/y.conf:2: include %s/x.conf: "
	    "includes itself\n", tmpdir, tmpdir);
	assert_string_equal(cap, want);

	/* eight levels below the main file are fine, nine are not */
	for (int i = 0; i < 10; i++) {
		char name[16], text[64];

		snprintf(name, sizeof(name), "d%d.conf", i);
		snprintf(text, sizeof(text), "include \"d%d.conf\"\n", i + 1);
		WRITE(name, i < 9 ? text : "vids 7-8\n");
	}
	WRITE("d9.conf", "vids 7-8\n");
	snprintf(path, sizeof(path), "%s/d1.conf", tmpdir);
	assert_int_equal(parse_file_cap(path, &c), 0);
	assert_int_equal(c.vid_lo, 7);
	nnved_conf_free(&c);
	snprintf(path, sizeof(path), "%s/d0.conf", tmpdir);
	assert_int_equal(parse_file_cap(path, &c), 1);
	snprintf(want, sizeof(want), "%s/d8.conf:1: include %s/d9.conf: "
	    "nested more than 8 deep\n", tmpdir, tmpdir);
	assert_string_equal(cap, want);

	/* an include that is not a file */
	WRITE("dir.conf", "include \"sub\"\n");
	snprintf(path, sizeof(path), "%s/dir.conf", tmpdir);
	assert_int_equal(parse_file_cap(path, &c), 1);
	snprintf(want, sizeof(want), "%s:1: include %s/sub: Is a "
	    "directory\n", path, tmpdir);
	assert_string_equal(cap, want);

	/* a NUL octet ends the text, with an error at its line */
	write_file("nul.conf", nul_text, sizeof(nul_text) - 1);
	snprintf(path, sizeof(path), "%s/nul.conf", tmpdir);
	assert_int_equal(parse_file_cap(path, &c), 1);
	snprintf(want, sizeof(want), "%s:2: NUL character in file\n", path);
	assert_string_equal(cap, want);
	(void)state;
}

static void
unreadable(void **state)
{
	struct nnved_conf c;
	char want[256];

	assert_int_equal(parse_file_cap("/nonexistent/nnved.conf", &c),
	    -ENOENT);
	assert_string_equal(cap, "/nonexistent/nnved.conf: No such file or "
	    "directory\n");
	assert_int_equal(c.nports, 0);
	assert_int_equal(parse_file_cap(tmpdir, &c), -EISDIR);
	snprintf(want, sizeof(want), "%s: Is a directory\n", tmpdir);
	assert_string_equal(cap, want);
	(void)state;
}

/* ---- the nva block ----------------------------------------------------- */

static const char nva_text[] =
    "port eth0\n"
    "nva {\n"
    "\tserver 203.0.113.1\n"
    "\tserver 2001:DB8::1 port 5000; server 203.0.113.1 port 4791\n"
    "\tserver 198.51.100.1 port 4790\n"
    "\tserver-name \"nva 1.example\"\n"
    "\ttls {\n"
    "\t\tca /etc/splitnve/ca.pem\n"
    "\t\tcert \"/etc/splitnve/nve 1.pem\"\n"
    "\t\tkey /etc/splitnve/nve1.key\n"
    "\t}\n"
    "\tunderlay 203.0.113.11 2001:db8:ffff::11\n"
    "\tunderlay ::ffff:203.0.113.12\n"
    "\tkeepalive 600000\n"
    "\tretry 10 3600000\n"
    "\tauthorize-fallback local; authorize-fallback refuse\n"
    "\tauthorize-timeout 5242 # half of rwd 20, the largest\n"
    "\tauthorize yes\n"
    "}\n";

static void
nva_block(void **state)
{
	static const uint8_t s1[4] = { 203, 0, 113, 1 };
	static const uint8_t s2[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t u2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff,
	    [15] = 0x11 };
	static const uint8_t u3[16] = { [10] = 0xff, [11] = 0xff, 203, 0,
	    113, 12 };
	const struct nnved_nva_conf *n;
	struct nnved_conf c;
	char *out;

	/* absent: off */
	assert_int_equal(parse_cap("port eth0\n", &c), 0);
	assert_false(c.nva.present);
	nnved_conf_free(&c);

	assert_int_equal(parse_cap(nva_text, &c), 0);
	assert_string_equal(cap, "");
	n = &c.nva;
	assert_true(n->present);
	assert_int_equal(n->line, 2);
	assert_int_equal(n->nserver, 4);
	assert_int_equal(n->server[0].ip.family, 4);
	assert_memory_equal(n->server[0].ip.addr, s1, 4);
	assert_int_equal(n->server[0].port, NNVED_NVA_PORT_DEFAULT);
	assert_int_equal(n->server[1].ip.family, 6);
	assert_memory_equal(n->server[1].ip.addr, s2, 16);
	assert_int_equal(n->server[1].port, 5000);
	/* the same address on another port is another server */
	assert_memory_equal(n->server[2].ip.addr, s1, 4);
	assert_int_equal(n->server[2].port, 4791);
	assert_int_equal(n->server[3].port, 4790);
	assert_string_equal(n->server_name, "nva 1.example");
	assert_string_equal(n->cert, "/etc/splitnve/nve 1.pem");
	assert_string_equal(n->key, "/etc/splitnve/nve1.key");
	assert_string_equal(n->ca, "/etc/splitnve/ca.pem");
	assert_int_equal(n->nunderlay, 3);
	assert_int_equal(n->underlay[0].family, 4);
	assert_int_equal(n->underlay[0].addr[3], 11);
	assert_int_equal(n->underlay[1].family, 6);
	assert_memory_equal(n->underlay[1].addr, u2, 16);
	/* a v4-mapped address stays IPv6 */
	assert_int_equal(n->underlay[2].family, 6);
	assert_memory_equal(n->underlay[2].addr, u3, 16);
	assert_int_equal(n->keepalive_ms, 600000);
	assert_int_equal(n->retry_min_ms, 10);
	assert_int_equal(n->retry_max_ms, 3600000);
	assert_true(n->authorize);
	assert_int_equal(n->authorize_timeout_ms, 5242);
	assert_int_equal(n->authorize_fallback, NNVED_AUTH_FALLBACK_REFUSE);

	/* canonical: defaults left out, one address per line, block last */
	out = print_str(&c);
	assert_non_null(strstr(out, "\n\nport eth0 {\n}\n\nnva {\n"));
	assert_string_equal(strstr(out, "nva {\n"),
	    "nva {\n"
	    "\tserver 203.0.113.1\n"
	    "\tserver 2001:db8::1 port 5000\n"
	    "\tserver 203.0.113.1 port 4791\n"
	    "\tserver 198.51.100.1\n"
	    "\tserver-name \"nva 1.example\"\n"
	    "\ttls {\n"
	    "\t\tcert \"/etc/splitnve/nve 1.pem\"\n"
	    "\t\tkey \"/etc/splitnve/nve1.key\"\n"
	    "\t\tca \"/etc/splitnve/ca.pem\"\n"
	    "\t}\n"
	    "\tunderlay 203.0.113.11\n"
	    "\tunderlay 2001:db8:ffff::11\n"
	    "\tunderlay ::ffff:203.0.113.12\n"
	    "\tkeepalive 600000\n"
	    "\tretry 10 3600000\n"
	    "\tauthorize yes\n"
	    "\tauthorize-timeout 5242\n"
	    "\tauthorize-fallback refuse\n"
	    "}\n");
	free(out);
	nnved_conf_free(&c);
	assert_false(c.nva.present);

	/* the smallest block: defaults */
	assert_int_equal(parse_cap(NVA_OK, &c), 0);
	assert_string_equal(cap, "");
	n = &c.nva;
	assert_true(n->present);
	assert_int_equal(n->nserver, 1);
	assert_string_equal(n->server_name, "");
	assert_int_equal(n->keepalive_ms, 0);
	assert_int_equal(n->retry_min_ms, NNVED_NVA_RETRY_MIN_DEFAULT);
	assert_int_equal(n->retry_max_ms, NNVED_NVA_RETRY_MAX_DEFAULT);
	assert_false(n->authorize);
	assert_int_equal(n->authorize_timeout_ms, NNVED_AUTH_TIMEOUT_DEFAULT);
	assert_int_equal(n->authorize_fallback, NNVED_AUTH_FALLBACK_LOCAL);
	out = print_str(&c);
	assert_string_equal(strstr(out, "nva {\n"),
	    "nva {\n"
	    "\tserver 203.0.113.1\n"
	    "\ttls {\n"
	    "\t\tcert \"c.pem\"\n"
	    "\t\tkey \"k.pem\"\n"
	    "\t\tca \"ca.pem\"\n"
	    "\t}\n"
	    "\tunderlay 203.0.113.11\n"
	    "}\n");
	free(out);
	nnved_conf_free(&c);

	/* keepalive 0 is the NVA's, retry MIN = MAX is fine */
	assert_int_equal(parse_cap(NVA_HEAD NVA_TLS NVA_UL " keepalive 0\n"
	    " retry 600000 600000\n keepalive 100\n}\n", &c), 0);
	assert_int_equal(c.nva.keepalive_ms, 100);
	assert_int_equal(c.nva.retry_min_ms, 600000);
	nnved_conf_free(&c);

	/* authorize no: the timeout is not held against rwd; the
	 * smallest timeout with the smallest rwd that fits it */
	assert_int_equal(parse_cap("evb rwd 0\n" NVA_HEAD NVA_TLS NVA_UL
	    " authorize-timeout 30000\n authorize no\n}\n", &c), 0);
	assert_false(c.nva.authorize);
	assert_int_equal(c.nva.authorize_timeout_ms, 30000);
	nnved_conf_free(&c);
	assert_int_equal(parse_cap("evb rwd 14\n" NVA_HEAD NVA_TLS NVA_UL
	    " authorize yes; authorize-timeout 81\n}\n", &c), 0);
	assert_string_equal(cap, "");
	assert_true(c.nva.authorize);
	assert_int_equal(c.nva.authorize_timeout_ms, 81);
	nnved_conf_free(&c);
	assert_int_equal(parse_cap("evb rwd 14\n" NVA_HEAD NVA_TLS NVA_UL
	    " authorize yes; authorize-timeout 82\n}\n", &c), 1);
	assert_string_equal(cap, "t:6: nva: authorize-timeout 82 ms is not "
	    "well under the resource wait delay (evb rwd 14: 163 ms); at most "
	    "81 ms\n");
	/* the default 1000 ms fits rwd 18 */
	assert_int_equal(parse_cap("evb rwd 18\n" NVA_HEAD NVA_TLS NVA_UL
	    " authorize yes\n}\n", &c), 0);
	nnved_conf_free(&c);
	(void)state;
}

/* ---- round trip -------------------------------------------------------- */

static void
round_trip_one(const char *text)
{
	struct nnved_conf a, b;
	char *out1, *out2;

	assert_int_equal(parse_cap(text, &a), 0);
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
	nnved_conf_free(&a);
	nnved_conf_free(&b);
}

static void
round_trip(void **state)
{
	struct nnved_conf c;
	char *out;

	round_trip_one(full_text);
	round_trip_one(nva_text);
	round_trip_one(NVA_OK);
	round_trip_one(NVA_HEAD NVA_TLS NVA_UL " retry 500 30001\n}\n");
	round_trip_one(NVA_HEAD NVA_TLS NVA_UL " retry 499 30000\n}\n");
	round_trip_one(NVA_HEAD NVA_TLS NVA_UL " authorize yes\n}\n");
	round_trip_one(NVA_HEAD NVA_TLS NVA_UL " authorize no\n"
	    " authorize-timeout 50\n authorize-fallback local\n}\n");
	round_trip_one(NVA_HEAD NVA_TLS NVA_UL " authorize-timeout 30000\n"
	    " authorize-fallback refuse\n}\n");
	round_trip_one("nva { server 203.0.113.1; server-name x; underlay "
	    "2001:db8::5; tls { cert \"/a \\\"b\"; key \"#k\"; ca "
	    "\"{\" } }\n");
	round_trip_one("");
	round_trip_one("extensions none\n");
	round_trip_one("extensions migration,ecpdest,vni-groupid,multi-tlv,"
	    "deactivate,ipaddr-tlv\n");
	/* names that need quotes come back quoted */
	round_trip_one("control \"/tmp/with space/\\\"q\\\"\\\\.sock\"\n"
	    "domain \"a b\"\ndomain \"x#y\"\ndomain \"{\"\n"
	    "port \"e;1\" { domain \"a b\" }\n"
	    "station any { port \"e;1\" }\n");
	round_trip_one("vn 9 { allow 0.0.0.0/0 ::/0 mac 00:00:00:00:00:00/0 "
	    "255.255.255.255 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "mac ff:ff:ff:ff:ff:ff 128.0.0.0/1 ::ffff:198.51.100.1 }\n");

	/* the exact canonical text of the full configuration */
	assert_int_equal(parse_cap(full_text, &c), 0);
	out = print_str(&c);
	assert_string_equal(out,
	    "control \"/run/test/nnved.sock\"\n"
	    "log-level debug\n"
	    "evb retries 7 rte 0 rwd 31 rka 21\n"
	    "extensions ipfilter,auth\n"
	    "vids 10-20\n"
	    "max-vsi 16777216\n"
	    "max-stations 1\n"
	    "\n"
	    "domain rack1 {\n"
	    "\tvids 200-300\n"
	    "}\n"
	    "domain \"rack 2\" {\n"
	    "}\n"
	    "\n"
	    "port eth1 {\n"
	    "\tdomain rack1\n"
	    "\tecp-destination multicast 03:00:00:00:00:01\n"
	    "\tdefault-vn 5000\n"
	    "\tvlan 10 vn 5001\n"
	    "\tvlan 4094 vn 16777215\n"
	    "}\n"
	    "port eth2 {\n"
	    "\tvids 1-4094\n"
	    "\tecp-destination unicast\n"
	    "}\n"
	    "port eth3 {\n"
	    "}\n"
	    "\n"
	    "key 7 \"" SECRET32 "\"\n"
	    "key 65535 \"" SECRET32 SECRET32 "\"\n"
	    "\n"
	    "station 52:54:00:12:34:56 {\n"
	    "\tport eth1\n"
	    "\tkey 7\n"
	    "\tvn 5000\n"
	    "\tvn 5001\n"
	    "\tvn 1\n"
	    "}\n"
	    "station any {\n"
	    "\tport eth2\n"
	    "\tvn any\n"
	    "}\n"
	    "\n"
	    "vn 5000 {\n"
	    "\tcontext 16777215\n"
	    "\tallow 198.51.100.0/24\n"
	    "\tallow 2001:db8:100::/64\n"
	    "\tallow mac 52:54:00:00:00:00/24\n"
	    "\tallow 198.51.100.7/32\n"
	    "}\n"
	    "vn 1 {\n"
	    "}\n");
	free(out);
	nnved_conf_free(&c);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_config),
		cmocka_unit_test(defaults),
		cmocka_unit_test(last_setting_wins),
		cmocka_unit_test(lexical),
		cmocka_unit_test(station_rules_not_duplicate),
		cmocka_unit_test(errors),
		cmocka_unit_test(errors_all_reported),
		cmocka_unit_test(long_tokens),
		cmocka_unit_test_setup_teardown(includes, inc_setup,
		    inc_teardown),
		cmocka_unit_test_setup_teardown(unreadable, inc_setup,
		    inc_teardown),
		cmocka_unit_test(nva_block),
		cmocka_unit_test(round_trip),
	};

	log_init("test_nnved_conf", 0, LOG_LVL_INFO);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
