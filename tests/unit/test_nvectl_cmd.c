/*
 * test_nvectl_cmd.c - nvectl's pure half (tools/nvectl/nvectl_cmd.c):
 * the request JSON of every command of the three daemons (nnved, tnved,
 * nvad), the daemon choice (-d) for commands several serve, optional
 * positional arguments (nvad's map show [VN [ADDR]]), usage errors (missing
 * and extra arguments, unknown or abbreviated words including two-word
 * verbs, bad numbers and lists, repeated keywords), the VM SPEC in its
 * one-TSI and file forms, the usage text, and the rendering of sample
 * replies as text (columns, arrays, null, booleans, reals, objects,
 * filters, tnved's vms/tsis/nves tables and VM results, nvad's tables,
 * nnved's NVA views: nva show with its VN table, fib show rows, fib
 * lookup found or not) and as JSON, plus malformed and refused replies.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nvectl_cmd.h"

#define ARGV(...)	((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...)	((int)(sizeof((char *[]){ __VA_ARGS__ }) / \
			    sizeof(char *)))

/*
 * Parses the words for daemon (NULL: none chosen) and checks the request
 * (sorted keys, compact) and which daemon serves it.
 */
static void
check_request(const struct nvectl_daemon *d, const struct nvectl_daemon *want_d,
    int argc, char **argv, const char *want)
{
	struct nvectl_req r;
	char err[256] = "", *text;

	if (nvectl_parse(argc, argv, d, &r, err, sizeof(err)) != 0)
		fail_msg("parse: %s", err);
	assert_non_null(r.cmd);
	assert_ptr_equal(r.cmd->daemon, want_d);
	assert_null(r.spec_file);
	text = json_dumps(r.request, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
	nvectl_req_free(&r);
	assert_null(r.request);
}

#define REQ(want, ...) \
	check_request(NULL, &nvectl_nnved, ARGC(__VA_ARGS__), \
	    ARGV(__VA_ARGS__), want)
/* A command for tnved: without -d, and with -d tnved (same request). */
#define TREQ(want, ...) do {						\
	check_request(NULL, &nvectl_tnved, ARGC(__VA_ARGS__),		\
	    ARGV(__VA_ARGS__), want);					\
	check_request(&nvectl_tnved, &nvectl_tnved, ARGC(__VA_ARGS__),	\
	    ARGV(__VA_ARGS__), want);					\
} while (0)

static void
requests(void **state)
{
	(void)state;
	REQ("{\"cmd\":\"show\",\"table\":\"stations\"}", "station", "show");
	REQ("{\"cmd\":\"show\",\"table\":\"vns\"}", "vn", "show");
	REQ("{\"cmd\":\"vn-connect\",\"domain\":\"dc1\",\"vn\":5000}",
	    "vn", "connect", "dc1", "5000");
	REQ("{\"cmd\":\"vn-connect\",\"domain\":\"dc1\",\"vid\":120,"
	    "\"vn\":16777215}", "vn", "connect", "dc1", "16777215", "vid",
	    "120");
	REQ("{\"cmd\":\"vn-connect\",\"domain\":\"eth1\",\"vid\":0,"
	    "\"vn\":1}", "vn", "connect", "eth1", "1", "vid", "0");
	REQ("{\"cmd\":\"vn-disconnect\",\"domain\":\"dc1\",\"vn\":5000}",
	    "vn", "disconnect", "dc1", "5000");
	/* Filters stay on this side: the request is the bare table. */
	REQ("{\"cmd\":\"show\",\"table\":\"tsis\"}", "tsi", "show");
	REQ("{\"cmd\":\"show\",\"table\":\"tsis\"}", "tsi", "show", "port",
	    "eth1", "vn", "5000");
	REQ("{\"cmd\":\"tsi-deassociate\","
	    "\"vsiid\":\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"}",
	    "tsi", "deassociate", "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
	REQ("{\"cmd\":\"tsi-deassociate\",\"port\":\"eth2\","
	    "\"vsiid\":\"52:54:00:00:00:01\"}", "tsi", "deassociate",
	    "52:54:00:00:00:01", "port", "eth2");
	REQ("{\"cmd\":\"show\",\"table\":\"ports\"}", "port", "show");
	REQ("{\"cmd\":\"show\",\"table\":\"counters\"}", "counters", "show");
	REQ("{\"cmd\":\"reload\"}", "daemon", "reload");
}

static void
filters_parsed(void **state)
{
	struct nvectl_req r;
	char err[256];

	(void)state;
	assert_int_equal(nvectl_parse(6, ARGV("tsi", "show", "vn", "42",
	    "port", "eth3"), NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.nfilters, 2);
	assert_string_equal(r.filters[0].arg->field, "vn");
	assert_int_equal(r.filters[0].num, 42);
	assert_string_equal(r.filters[1].arg->field, "port");
	assert_string_equal(r.filters[1].text, "eth3");
	nvectl_req_free(&r);
}

/* Expects a usage error whose text contains want. */
static void
check_usage(const struct nvectl_daemon *d, int argc, char **argv,
    const char *want)
{
	struct nvectl_req r;
	char err[256] = "";

	assert_int_equal(nvectl_parse(argc, argv, d, &r, err, sizeof(err)),
	    -EINVAL);
	assert_null(r.request);
	assert_null(r.cmd);
	assert_null(r.spec_file);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

#define BAD(want, ...) \
	check_usage(NULL, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), want)
#define BADD(d, want, ...) \
	check_usage(d, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), want)

static void
usage_errors(void **state)
{
	struct nvectl_req r;
	char err[256] = "";

	(void)state;
	assert_int_equal(nvectl_parse(0, ARGV(NULL), NULL, &r, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "missing OBJECT");

	BAD("unknown object \"frob\" (valid: station, vn, tsi, port, "
	    "counters, daemon, nva, fib, vm, nve, map, alert, subnet, session)", "frob",
	    "show");
	BAD("vn: missing VERB (valid: show, connect, disconnect)", "vn");
	/* Full words only: no prefixes, no case folding. */
	BAD("vn: unknown verb \"sho\" (valid: show, connect, disconnect)",
	    "vn", "sho");
	BAD("unknown object \"stat\"", "stat", "show");
	BAD("unknown object \"Station\"", "Station", "show");
	BAD("tsi: unknown verb \"deassoc\"", "tsi", "deassoc", "x");
	BAD("unknown verb \"reload\"", "vn", "reload");

	BAD("vn connect: missing DOMAIN", "vn", "connect");
	BAD("vn connect: missing VN", "vn", "connect", "dc1");
	BAD("vn disconnect: missing VN", "vn", "disconnect", "dc1");
	BAD("tsi deassociate: missing VSIID", "tsi", "deassociate");
	BAD("DOMAIN must not be empty", "vn", "connect", "", "5");

	BAD("VN must be a number in 1..16777215, not \"0\"", "vn", "connect",
	    "dc1", "0");
	BAD("not \"16777216\"", "vn", "connect", "dc1", "16777216");
	BAD("not \"-1\"", "vn", "connect", "dc1", "-1");
	BAD("not \"+5\"", "vn", "connect", "dc1", "+5");
	BAD("not \"0x10\"", "vn", "connect", "dc1", "0x10");
	BAD("not \"5a\"", "vn", "connect", "dc1", "5a");
	BAD("not \"99999999999999999999999\"", "vn", "connect", "dc1",
	    "99999999999999999999999");
	BAD("VID must be a number in 0..4094, not \"4095\"", "vn", "connect",
	    "dc1", "5", "vid", "4095");
	BAD("VN must be a number in 1..16777215, not \"x\"", "tsi", "show",
	    "vn", "x");

	BAD("vn connect: vid needs VID", "vn", "connect", "dc1", "5", "vid");
	BAD("vn connect: vid given twice", "vn", "connect", "dc1", "5",
	    "vid", "1", "vid", "2");
	BAD("tsi show: unexpected \"vns\" (valid: vn, port)", "tsi", "show",
	    "vns", "5");
	BAD("tsi show: port needs IF", "tsi", "show", "port");
	BAD("station show: unexpected \"extra\"", "station", "show",
	    "extra");
	BAD("vn disconnect: unexpected \"vid\"", "vn", "disconnect", "dc1",
	    "5", "vid", "3");
	BAD("daemon reload: unexpected \"now\"", "daemon", "reload", "now");
}

static void
usage_text(void **state)
{
	struct nvectl_buf b = { 0 };

	(void)state;
	nvectl_usage(&b);
	assert_false(b.oom);
	assert_non_null(b.p);
	assert_int_equal(strlen(b.p), b.len);
	assert_non_null(strstr(b.p, "usage: nvectl [-d nnved|tnved|nvad] "
	    "[-s PATH] [-t SECONDS] [--json] [-h]\n"));
	assert_non_null(strstr(b.p, "\n  vn connect DOMAIN VN [vid VID]  "));
	assert_non_null(strstr(b.p, "\n  tsi show [vn VN] [port IF]  "));
	assert_non_null(strstr(b.p, "\n  tsi deassociate VSIID [port IF]  "));
	assert_non_null(strstr(b.p, "\n  daemon reload  "));
	assert_non_null(strstr(b.p, "\nnnved (the External NVE), socket "
	    "/run/splitnve/nnved.sock:\n"));
	assert_non_null(strstr(b.p, "\ntnved (the hypervisor), socket "
	    "/run/splitnve/tnved.sock:\n"));
	/* tnved's block comes after nnved's; tsi show is in both. */
	assert_true(strstr(b.p, "tnved (the") > strstr(b.p, "nnved (the"));
	assert_non_null(strstr(strstr(b.p, "tnved (the"),
	    "\n  tsi show [vm NAME] [vn VN] [nve NVE]\n"));
	assert_non_null(strstr(b.p, "\n  tsi addr add NAME TSI ADDR  "));
	assert_non_null(strstr(b.p, "\n  vm migrate NAME [to HOST]  "));
	/* Spec commands: the file form with the help, then the one-TSI
	 * form, wrapped with a 6-column indent. */
	assert_non_null(strstr(b.p, "\n  vm define FILE|-                 new "
	    "VM, shut down; associate its TSIs\n  vm define NAME port IF "
	    "mac MAC vn VN [ip A,B..] [vsiid UUID] [uuid UUID]\n"));
	assert_non_null(strstr(b.p, "\n  vm incoming FILE|- [from HOST]   "));
	assert_non_null(strstr(b.p, " [uuid UUID]\n      [from HOST]\n"));
	assert_non_null(strstr(b.p, "(default 60)"));
	/* One line per command, none wider than a terminal. */
	for (size_t i = 0; i < nvectl_ncmds; i++) {
		char want[64];

		snprintf(want, sizeof(want), "\n  %s %s", nvectl_cmds[i].object,
		    nvectl_cmds[i].verb);
		assert_non_null(strstr(b.p, want));
	}
	for (const char *p = b.p, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(nl - p <= 80);
	}
	nvectl_buf_free(&b);
	assert_null(b.p);
}

/* Parses words, renders reply text; returns the rc, output in *out. */
static int
render(const struct nvectl_daemon *d, int argc, char **argv,
    const char *reply, bool json, struct nvectl_buf *out, char *err,
    size_t errsz)
{
	struct nvectl_req r;
	json_error_t jerr;
	json_t *rep;
	int rc;

	assert_int_equal(nvectl_parse(argc, argv, d, &r, err, errsz), 0);
	rep = json_loads(reply, 0, &jerr);
	if (rep == NULL)
		fail_msg("sample reply: %s", jerr.text);
	memset(out, 0, sizeof(*out));
	rc = nvectl_render(&r, rep, json, out, err, errsz);
	json_decref(rep);
	nvectl_req_free(&r);
	return rc;
}

#define RENDER_OK(json, want, reply, ...) \
	RENDER_OKD(NULL, json, want, reply, __VA_ARGS__)
#define RENDER_OKD(d, json, want, reply, ...) do {			\
	struct nvectl_buf out_;						\
	char err_[256] = "";						\
									\
	assert_int_equal(render(d, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__),\
	    reply, json, &out_, err_, sizeof(err_)), 0);		\
	assert_false(out_.oom);						\
	assert_string_equal(out_.p ? out_.p : "", want);		\
	nvectl_buf_free(&out_);						\
} while (0)

#define RENDER_ERR(rc, want, reply, ...) do {				\
	struct nvectl_buf out_;						\
	char err_[256] = "";						\
									\
	assert_int_equal(render(NULL, ARGC(__VA_ARGS__),		\
	    ARGV(__VA_ARGS__), reply, false, &out_, err_, sizeof(err_)),	\
	    rc);							\
	assert_string_equal(err_, want);				\
	assert_null(out_.p);						\
	nvectl_buf_free(&out_);						\
} while (0)

static const char vns_reply[] =
    "{\"ok\":true,\"rows\":["
    "{\"domain\":\"dc1\",\"vn\":5000,\"context\":5000,"
    "\"state\":\"connected\",\"tags\":[100,101],\"num_tsi\":2,"
    "\"pinned\":false,\"age\":12.5},"
    "{\"domain\":\"eth1\",\"vn\":7,\"context\":70000,"
    "\"state\":\"disconnected\",\"tags\":[],\"num_tsi\":0,"
    "\"pinned\":true,\"age\":0.0}]}";

static void
text_table(void **state)
{
	(void)state;
	RENDER_OK(false,
	    "DOMAIN  VN    CONTEXT  STATE         TAGS     TSIS  PINNED  AGE\n"
	    "dc1     5000  5000     connected     100,101  2     no      "
	    "12.500\n"
	    "eth1    7     70000    disconnected  -        0     yes     "
	    "0.000\n",
	    vns_reply, "vn", "show");
	/* No rows: the header alone. */
	RENDER_OK(false, "PORT  STATION  AUTH  VSIS  AGE  IDLE  TX  RX  "
	    "RETRANS  AUTHFAIL  REFUSED\n", "{\"ok\":true,\"rows\":[]}",
	    "station", "show");
	/* null, missing fields, an empty object. */
	RENDER_OK(false,
	    "PORT  DOMAIN  OPEN  PEER  EVB  CAPS  STATIONS  RX  RXBAD  TX  "
	    "TXERR\n"
	    "eth1  -       yes   no    -    none  0         -   -      -   -\n",
	    "{\"ok\":true,\"rows\":["
	    "{\"name\":\"eth1\",\"domain\":null,\"open\":true,"
	    "\"lldp_peer\":false,\"evb\":null,\"caps\":\"none\","
	    "\"stations\":0,\"tx_errors\":{}}]}",
	    "port", "show");
}

static void
text_table_nested(void **state)
{
	(void)state;
	RENDER_OK(false,
	    "PORT  DOMAIN  OPEN  PEER  EVB                      CAPS  "
	    "STATIONS  RX  RXBAD  TX       TXERR\n"
	    "eth2  dc1     no    yes   r=3,rte=8,rwd=20,rka=20  x     "
	    "1         5   0      1,2,3,a  -\n",
	    "{\"ok\":true,\"rows\":[{\"name\":\"eth2\",\"domain\":\"dc1\","
	    "\"open\":false,\"lldp_peer\":true,\"evb\":{\"r\":3,\"rte\":8,"
	    "\"rwd\":20,\"rka\":20},\"caps\":\"x\",\"stations\":1,"
	    "\"rx_frames\":5,\"rx_bad\":0,\"tx_frames\":[1,[2,3],\"a\"],"
	    "\"tx_errors\":{}}]}",
	    "port", "show");
}

static const char tsis_reply[] =
    "{\"ok\":true,\"rows\":["
    "{\"port\":\"eth1\",\"station\":\"52:54:00:00:00:01\","
    "\"vsiid\":\"a\",\"vn\":5000,\"vid\":100,\"state\":\"activated\","
    "\"vdp_state\":\"waitcmd\",\"addresses\":[\"198.51.100.7\","
    "\"52:54:00:aa:00:01\"],\"migration\":\"-\",\"age\":1.25},"
    "{\"port\":\"eth2\",\"station\":\"52:54:00:00:00:02\","
    "\"vsiid\":\"b\",\"vn\":5000,\"vid\":101,\"state\":\"associated\","
    "\"vdp_state\":\"waitcmd\",\"addresses\":[],\"migration\":\"M\","
    "\"age\":2},"
    "{\"port\":\"eth1\",\"station\":\"52:54:00:00:00:03\","
    "\"vsiid\":\"c\",\"vn\":6000,\"vid\":102,\"state\":\"associated\","
    "\"vdp_state\":\"reswait\",\"addresses\":[],\"migration\":\"M+S\","
    "\"authorized\":\"pending\",\"age\":3}]}";

static void
filters_applied(void **state)
{
	(void)state;
	RENDER_OK(false,
	    "PORT  STATION            VSIID  VN    VID  STATE       VDP      "
	    "ADDRESSES  MIGRATION  AUTH     AGE\n"
	    "eth1  52:54:00:00:00:03  c      6000  102  associated  reswait  "
	    "-          M+S        pending  3\n",
	    tsis_reply, "tsi", "show", "vn", "6000");
	RENDER_OK(false,
	    "PORT  STATION            VSIID  VN    VID  STATE      VDP      "
	    "ADDRESSES                       MIGRATION  AUTH  AGE\n"
	    "eth1  52:54:00:00:00:01  a      5000  100  activated  waitcmd  "
	    "198.51.100.7,52:54:00:aa:00:01  -          -     1.250\n",
	    tsis_reply, "tsi", "show", "vn", "5000", "port", "eth1");
	/* Nothing passes: header only (widths from the header). */
	RENDER_OK(false,
	    "PORT  STATION  VSIID  VN  VID  STATE  VDP  ADDRESSES  "
	    "MIGRATION  AUTH  AGE\n", tsis_reply, "tsi", "show", "port", "eth9");
	/* JSON output is filtered too. */
	RENDER_OK(true, "[\n  {\n    \"port\": \"eth2\",\n"
	    "    \"station\": \"52:54:00:00:00:02\",\n"
	    "    \"vsiid\": \"b\",\n    \"vn\": 5000,\n    \"vid\": 101,\n"
	    "    \"state\": \"associated\",\n"
	    "    \"vdp_state\": \"waitcmd\",\n    \"addresses\": [],\n"
	    "    \"migration\": \"M\",\n    \"age\": 2\n  }\n]\n",
	    tsis_reply, "tsi", "show", "port", "eth2");
}

static void
json_passthrough(void **state)
{
	(void)state;
	/* Rows as sent (order kept), reals without float noise. */
	RENDER_OK(true,
	    "[\n  {\n    \"domain\": \"dc1\",\n    \"vn\": 5000,\n"
	    "    \"context\": 5000,\n    \"state\": \"connected\",\n"
	    "    \"tags\": [\n      100,\n      101\n    ],\n"
	    "    \"num_tsi\": 2,\n    \"pinned\": false,\n"
	    "    \"age\": 12.5\n  },\n"
	    "  {\n    \"domain\": \"eth1\",\n    \"vn\": 7,\n"
	    "    \"context\": 70000,\n    \"state\": \"disconnected\",\n"
	    "    \"tags\": [],\n    \"num_tsi\": 0,\n    \"pinned\": true,\n"
	    "    \"age\": 0.0\n  }\n]\n",
	    vns_reply, "vn", "show");
	RENDER_OK(true, "[\n  {\n    \"age\": 0.1\n  }\n]\n",
	    "{\"ok\":true,\"rows\":[{\"age\":0.1}]}", "station", "show");
	RENDER_OK(true, "[]\n", "{\"ok\":true,\"rows\":[]}", "port", "show");
	/* Results: the object; none at all prints {}. */
	RENDER_OK(true, "{\n  \"vid\": 120\n}\n",
	    "{\"ok\":true,\"result\":{\"vid\":120}}", "vn", "connect", "d",
	    "5");
	RENDER_OK(true, "{}\n", "{\"ok\":true,\"result\":{}}", "daemon",
	    "reload");
	RENDER_OK(true, "{}\n", "{\"ok\":true}", "daemon", "reload");
}

static void
text_results(void **state)
{
	(void)state;
	RENDER_OK(false, "vid  120\n",
	    "{\"ok\":true,\"result\":{\"vid\":120}}", "vn", "connect", "d",
	    "5");
	RENDER_OK(false, "deassociated  2\n",
	    "{\"ok\":true,\"result\":{\"deassociated\":2}}", "tsi",
	    "deassociate", "x");
	RENDER_OK(false, "", "{\"ok\":true,\"result\":{}}", "daemon",
	    "reload");
	RENDER_OK(false, "", "{\"ok\":true,\"result\":{}}", "vn",
	    "disconnect", "d", "5");
	/* counters: every field, in the daemon's order, aligned. */
	RENDER_OK(false,
	    "vn_connects      3\n"
	    "ka_timeouts      0\n"
	    "vsis             12\n"
	    "refused_formats  -\n",
	    "{\"ok\":true,\"rows\":[{\"vn_connects\":3,\"ka_timeouts\":0,"
	    "\"vsis\":12,\"refused_formats\":null}]}", "counters", "show");
	RENDER_OK(false, "a  1\n\nb  2\n",
	    "{\"ok\":true,\"rows\":[{\"a\":1},{\"b\":2}]}", "counters",
	    "show");
}

static void
bad_replies(void **state)
{
	(void)state;
	RENDER_ERR(-EREMOTEIO, "no such TSI",
	    "{\"ok\":false,\"error\":\"no such TSI\"}", "tsi", "deassociate",
	    "x");
	RENDER_ERR(-EREMOTEIO, "failed (no reason given)", "{\"ok\":false}",
	    "daemon", "reload");
	RENDER_ERR(-EPROTO, "bad reply from nnved: no \"ok\"", "[1]", "vn",
	    "show");
	RENDER_ERR(-EPROTO, "bad reply from nnved: no \"ok\"",
	    "{\"ok\":1,\"rows\":[]}", "vn", "show");
	RENDER_ERR(-EPROTO, "bad reply from nnved: no \"rows\" array",
	    "{\"ok\":true,\"rows\":{}}", "vn", "show");
	RENDER_ERR(-EPROTO, "bad reply from nnved: no \"rows\" array",
	    "{\"ok\":true,\"result\":{}}", "port", "show");
	RENDER_ERR(-EPROTO, "bad reply from nnved: row 1 is not an object",
	    "{\"ok\":true,\"rows\":[{},3]}", "vn", "show");
	RENDER_ERR(-EPROTO, "bad reply from nnved: \"result\" is not an "
	    "object", "{\"ok\":true,\"result\":[]}", "daemon", "reload");
}

static void
buffer(void **state)
{
	struct nvectl_buf b = { 0 };
	char big[1000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	nvectl_buf_printf(&b, "%s", "");
	assert_non_null(b.p);
	assert_int_equal(b.len, 0);
	nvectl_buf_printf(&b, "%d-", 42);
	nvectl_buf_printf(&b, "%s", big);
	assert_int_equal(b.len, 3 + 999);
	assert_int_equal(strlen(b.p), b.len);
	assert_memory_equal(b.p, "42-xxx", 6);
	nvectl_buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
}

/* ---- tnved ----------------------------------------------------------- */

static void
tnved_requests(void **state)
{
	(void)state;
	TREQ("{\"cmd\":\"show\",\"table\":\"vms\"}", "vm", "show");
	TREQ("{\"cmd\":\"show\",\"table\":\"nves\"}", "nve", "show");
	/* The one-TSI form: the SPEC is built from the words. */
	TREQ("{\"cmd\":\"vm-define\",\"vm\":{\"name\":\"web1\",\"tsis\":["
	    "{\"mac\":\"52:54:00:00:00:01\",\"port\":\"vnet0\","
	    "\"vn\":5000}]}}", "vm", "define", "web1", "port", "vnet0",
	    "mac", "52:54:00:00:00:01", "vn", "5000");
	TREQ("{\"cmd\":\"vm-define\",\"vm\":{\"name\":\"web1\",\"tsis\":["
	    "{\"ips\":[\"198.51.100.7\",\"2001:db8:100::7\"],"
	    "\"mac\":\"52:54:00:00:00:01\",\"port\":\"vnet0\","
	    "\"vn\":16777215,\"vsiid\":\"6ba7b810-9dad-11d1-80b4-"
	    "00c04fd430c8\"}],\"uuid\":\"0f0e0d0c-0b0a-4908-8706-"
	    "050403020100\"}}", "vm", "define", "web1",
	    "uuid", "0f0e0d0c-0b0a-4908-8706-050403020100",
	    "vn", "16777215", "ip", "198.51.100.7,2001:db8:100::7",
	    "vsiid", "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
	    "mac", "52:54:00:00:00:01", "port", "vnet0");
	TREQ("{\"cmd\":\"vm-incoming\",\"from\":\"hv1\",\"vm\":{\"name\":"
	    "\"db\",\"tsis\":[{\"ips\":[\"198.51.100.9\"],\"mac\":\"m\","
	    "\"port\":\"p\",\"vn\":1}]}}", "vm", "incoming", "db", "port",
	    "p", "mac", "m", "vn", "1", "ip", "198.51.100.9", "from", "hv1");
	TREQ("{\"cmd\":\"vm-cold-in\",\"vm\":{\"name\":\"db\",\"tsis\":["
	    "{\"mac\":\"m\",\"port\":\"p\",\"vn\":7}]}}", "vm", "cold-in",
	    "db", "vn", "7", "mac", "m", "port", "p");
	TREQ("{\"cmd\":\"vm-start\",\"name\":\"web1\"}", "vm", "start",
	    "web1");
	TREQ("{\"cmd\":\"vm-pause\",\"name\":\"web1\"}", "vm", "pause",
	    "web1");
	TREQ("{\"cmd\":\"vm-suspend\",\"name\":\"web1\"}", "vm", "suspend",
	    "web1");
	TREQ("{\"cmd\":\"vm-resume\",\"name\":\"web1\"}", "vm", "resume",
	    "web1");
	TREQ("{\"cmd\":\"vm-shutdown\",\"name\":\"web1\"}", "vm",
	    "shutdown", "web1");
	TREQ("{\"cmd\":\"vm-destroy\",\"name\":\"web1\"}", "vm", "destroy",
	    "web1");
	TREQ("{\"cmd\":\"vm-migrate\",\"name\":\"web1\"}", "vm", "migrate",
	    "web1");
	TREQ("{\"cmd\":\"vm-migrate\",\"name\":\"web1\",\"to\":\"hv2\"}",
	    "vm", "migrate", "web1", "to", "hv2");
	TREQ("{\"cmd\":\"vm-migrate-done\",\"name\":\"web1\"}", "vm",
	    "migrate-done", "web1");
	TREQ("{\"cmd\":\"vm-migrate-abort\",\"name\":\"web1\"}", "vm",
	    "migrate-abort", "web1");
	TREQ("{\"cmd\":\"vm-cold-out\",\"name\":\"web1\"}", "vm", "cold-out",
	    "web1");
	TREQ("{\"addr\":\"198.51.100.8\",\"cmd\":\"tsi-addr-add\","
	    "\"name\":\"web1\",\"tsi\":0}", "tsi", "addr", "add", "web1", "0",
	    "198.51.100.8");
	TREQ("{\"addr\":\"2001:db8:100::8@52:54:00:00:00:02\","
	    "\"cmd\":\"tsi-addr-del\",\"name\":\"web1\",\"tsi\":255}", "tsi",
	    "addr", "del", "web1", "255", "2001:db8:100::8@52:54:00:00:00:02");
}

static void
daemon_choice(void **state)
{
	(void)state;
	assert_ptr_equal(nvectl_daemon_find("nnved"), &nvectl_nnved);
	assert_ptr_equal(nvectl_daemon_find("tnved"), &nvectl_tnved);
	assert_ptr_equal(nvectl_daemon_find("nvad"), &nvectl_nvad);
	assert_null(nvectl_daemon_find("tnve"));
	assert_null(nvectl_daemon_find("nva"));
	assert_null(nvectl_daemon_find("NVAD"));
	assert_null(nvectl_daemon_find(""));
	assert_string_equal(nvectl_tnved.sock, "/run/splitnve/tnved.sock");
	assert_string_equal(nvectl_nnved.sock, "/run/splitnve/nnved.sock");

	/* Served by both: nnved unless chosen otherwise. */
	check_request(NULL, &nvectl_nnved, 2, ARGV("tsi", "show"),
	    "{\"cmd\":\"show\",\"table\":\"tsis\"}");
	check_request(&nvectl_nnved, &nvectl_nnved, 2, ARGV("tsi", "show"),
	    "{\"cmd\":\"show\",\"table\":\"tsis\"}");
	check_request(&nvectl_tnved, &nvectl_tnved, 2, ARGV("tsi", "show"),
	    "{\"cmd\":\"show\",\"table\":\"tsis\"}");
	check_request(NULL, &nvectl_nnved, 2, ARGV("counters", "show"),
	    "{\"cmd\":\"show\",\"table\":\"counters\"}");
	check_request(&nvectl_tnved, &nvectl_tnved, 2,
	    ARGV("counters", "show"), "{\"cmd\":\"show\",\"table\":"
	    "\"counters\"}");
	check_request(NULL, &nvectl_nnved, 2, ARGV("daemon", "reload"),
	    "{\"cmd\":\"reload\"}");
	check_request(&nvectl_tnved, &nvectl_tnved, 2,
	    ARGV("daemon", "reload"), "{\"cmd\":\"reload\"}");
	/* Each daemon's rows have their own filters. */
	check_request(&nvectl_tnved, &nvectl_tnved, 4,
	    ARGV("tsi", "show", "vm", "web1"),
	    "{\"cmd\":\"show\",\"table\":\"tsis\"}");
	BADD(&nvectl_tnved, "tsi show: unexpected \"port\" (valid: vm, vn, "
	    "nve)", "tsi", "show", "port", "eth1");
	BADD(&nvectl_nnved, "tsi show: unexpected \"vm\" (valid: vn, port)",
	    "tsi", "show", "vm", "web1");
	/* A single-daemon command chosen for the other daemon. */
	BADD(&nvectl_nnved, "vm show: served by tnved, not nnved", "vm",
	    "show");
	BADD(&nvectl_nnved, "tsi addr add: served by tnved, not nnved",
	    "tsi", "addr", "add", "x", "0", "a");
	BADD(&nvectl_tnved, "station show: served by nnved, not tnved",
	    "station", "show");
	BADD(&nvectl_tnved, "tsi deassociate: served by nnved, not tnved",
	    "tsi", "deassociate", "x");
	/* Unknown verbs are unknown whatever the daemon. */
	BADD(&nvectl_tnved, "vm: unknown verb \"frob\"", "vm", "frob");
}

static void
tnved_usage_errors(void **state)
{
	(void)state;
	BAD("vm: missing VERB (valid: show, define, incoming, cold-in, "
	    "start, pause, suspend, resume, shutdown, destroy, migrate, "
	    "migrate-done, migrate-abort, cold-out)", "vm");
	/* Verbs listed once although two daemons serve "show". */
	BAD("tsi: unknown verb \"addr\" (valid: show, deassociate, addr add, "
	    "addr del)", "tsi", "addr");
	BAD("tsi: unknown verb \"addr\"", "tsi", "addr", "ad", "x", "0", "a");
	BAD("tsi: unknown verb \"addr\"", "tsi", "addr", "Add", "x", "0",
	    "a");
	BAD("tsi: unknown verb \"add\"", "tsi", "add", "addr", "x", "0", "a");
	BAD("vm: unknown verb \"migrate_done\"", "vm", "migrate_done", "x");
	BAD("vm: unknown verb \"migrate-\"", "vm", "migrate-", "x");
	BAD("tsi addr add: missing NAME", "tsi", "addr", "add");
	BAD("tsi addr add: missing TSI", "tsi", "addr", "add", "web1");
	BAD("tsi addr del: missing ADDR", "tsi", "addr", "del", "web1", "1");
	BAD("TSI must be a number in 0..255, not \"256\"", "tsi", "addr",
	    "add", "web1", "256", "198.51.100.1");
	BAD("TSI must be a number in 0..255, not \"-1\"", "tsi", "addr",
	    "add", "web1", "-1", "198.51.100.1");
	BAD("ADDR must not be empty", "tsi", "addr", "add", "web1", "0", "");
	BAD("tsi addr add: unexpected \"x\"", "tsi", "addr", "add", "web1",
	    "0", "a", "x");
	BAD("vm start: missing NAME", "vm", "start");
	BAD("NAME must not be empty", "vm", "start", "");
	BAD("vm start: unexpected \"now\"", "vm", "start", "web1", "now");
	BAD("vm migrate: to needs HOST", "vm", "migrate", "web1", "to");
	BAD("vm shutdown: unexpected \"to\"", "vm", "shutdown", "web1", "to",
	    "h");
	BAD("vm show: unexpected \"web1\"", "vm", "show", "web1");
	BAD("nve show: unexpected \"x\"", "nve", "show", "x");
	/* The one-TSI form: port, mac and vn are required. */
	BAD("vm define: missing FILE or NAME", "vm", "define");
	BAD("vm define: missing mac MAC", "vm", "define", "web1", "port",
	    "vnet0", "vn", "5");
	BAD("vm define: missing vn VN", "vm", "define", "web1", "port",
	    "vnet0", "mac", "m");
	BAD("vm cold-in: missing port IF", "vm", "cold-in", "web1", "vn", "5",
	    "mac", "m");
	BAD("VN must be a number in 1..16777215, not \"0\"", "vm", "define",
	    "web1", "port", "p", "mac", "m", "vn", "0");
	BAD("vm define: port given twice", "vm", "define", "web1", "port",
	    "p", "port", "q", "mac", "m", "vn", "5");
	BAD("A,B..: empty item in a list", "vm", "define", "web1", "port",
	    "p", "mac", "m", "vn", "5", "ip", "198.51.100.1,");
	BAD("A,B..: empty item in a list", "vm", "define", "web1", "port",
	    "p", "mac", "m", "vn", "5", "ip", ",198.51.100.1");
	BAD("A,B..: empty item in a list", "vm", "define", "web1", "port",
	    "p", "mac", "m", "vn", "5", "ip", "a,,b");
	BAD("A,B.. must not be empty", "vm", "define", "web1", "port", "p",
	    "mac", "m", "vn", "5", "ip", "");
	BAD("vm define: unexpected \"from\" (valid: port, mac, vn, ip, vsiid, "
	    "uuid)", "vm", "define", "web1", "port", "p", "from", "h");
	/* The file form takes no SPEC keyword after FILE. */
	BAD("FILE must not be empty", "vm", "define", "");
	BAD("vm define: unexpected \"extra\"", "vm", "define", "f.json",
	    "extra");
	BAD("vm incoming: unexpected \"x\" (valid: from)", "vm", "incoming",
	    "f.json", "x", "y");
	BAD("vm incoming: port goes with NAME, not with a SPEC file", "vm",
	    "incoming", "f.json", "from", "h", "port", "p");
	BAD("vm incoming: from needs HOST", "vm", "incoming", "-", "from");
}

/* Parses words that must give the file form naming file. */
static void
check_file_form(int argc, char **argv, const char *file, const char *want)
{
	struct nvectl_req r;
	char err[256] = "", *text;

	assert_int_equal(nvectl_parse(argc, argv, NULL, &r, err, sizeof(err)),
	    0);
	assert_non_null(r.spec_file);
	assert_string_equal(r.spec_file, file);
	text = json_dumps(r.request, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, want);
	free(text);
	nvectl_req_free(&r);
}

static void
spec_file(void **state)
{
	static const char good[] =
	    "{\"name\":\"web1\",\"uuid\":\"0f0e0d0c-0b0a-4908-8706-"
	    "050403020100\",\"tsis\":[{\"port\":\"macvtap0\","
	    "\"mac\":\"52:54:00:00:00:01\",\"vn\":5000,"
	    "\"vsiid\":\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\","
	    "\"ips\":[\"198.51.100.7\"],\"type-id\":1193047,"
	    "\"type-version\":2}]}\n";
	struct nvectl_req r;
	char err[256] = "", *text;

	(void)state;
	check_file_form(3, ARGV("vm", "define", "-"), "-",
	    "{\"cmd\":\"vm-define\"}");
	check_file_form(3, ARGV("vm", "cold-in", "/tmp/x.json"),
	    "/tmp/x.json", "{\"cmd\":\"vm-cold-in\"}");
	check_file_form(5, ARGV("vm", "incoming", "-", "from", "hv1"), "-",
	    "{\"cmd\":\"vm-incoming\",\"from\":\"hv1\"}");
	/* A lone word is a file even when it looks like a VM name. */
	check_file_form(3, ARGV("vm", "define", "web1"), "web1",
	    "{\"cmd\":\"vm-define\"}");

	/* The SPEC goes in "vm" as given. */
	assert_int_equal(nvectl_parse(3, ARGV("vm", "define", "-"), NULL, &r,
	    err, sizeof(err)), 0);
	assert_int_equal(nvectl_req_set_spec(&r, good, strlen(good), err,
	    sizeof(err)), 0);
	text = json_dumps(json_object_get(r.request, "vm"), JSON_COMPACT |
	    JSON_PRESERVE_ORDER);
	assert_string_equal(text, "{\"name\":\"web1\",\"uuid\":\"0f0e0d0c-"
	    "0b0a-4908-8706-050403020100\",\"tsis\":[{\"port\":\"macvtap0\","
	    "\"mac\":\"52:54:00:00:00:01\",\"vn\":5000,"
	    "\"vsiid\":\"6ba7b810-9dad-11d1-80b4-00c04fd430c8\","
	    "\"ips\":[\"198.51.100.7\"],\"type-id\":1193047,"
	    "\"type-version\":2}]}");
	free(text);

	/* Bad SPECs: refused, the request keeps the SPEC it had. */
#define BADSPEC(want, txt) do {						\
	assert_int_equal(nvectl_req_set_spec(&r, txt, strlen(txt), err,	\
	    sizeof(err)), -EINVAL);					\
	if (strstr(err, want) == NULL)					\
		fail_msg("error \"%s\" lacks \"%s\"", err, want);	\
	assert_string_equal(json_string_value(json_object_get(		\
	    json_object_get(r.request, "vm"), "name")), "web1");	\
} while (0)
	BADSPEC("not JSON: ", "");
	BADSPEC("(line 1)", "{\"name\":");
	BADSPEC("(line 2)", "{\"name\":\"a\",\n\"tsis\":[}");
	BADSPEC("the SPEC is not a JSON object", "[1,2]");
	BADSPEC("the SPEC has no \"name\"", "{\"tsis\":[]}");
	BADSPEC("the SPEC has no \"name\"", "{\"name\":\"\",\"tsis\":[]}");
	BADSPEC("the SPEC has no \"name\"", "{\"name\":5,\"tsis\":[]}");
	BADSPEC("the SPEC has no \"tsis\" array", "{\"name\":\"a\"}");
	BADSPEC("the SPEC has no \"tsis\" array",
	    "{\"name\":\"a\",\"tsis\":{}}");
#undef BADSPEC
	nvectl_req_free(&r);

	/* A command without a SPEC takes none. */
	assert_int_equal(nvectl_parse(3, ARGV("vm", "start", "web1"), NULL,
	    &r, err, sizeof(err)), 0);
	assert_null(r.spec_file);
	assert_int_equal(nvectl_req_set_spec(&r, good, strlen(good), err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "vm-start takes no SPEC");
	assert_null(json_object_get(r.request, "vm"));
	nvectl_req_free(&r);
}

static const char vms_reply[] =
    "{\"ok\":true,\"rows\":["
    "{\"name\":\"web1\",\"uuid\":\"0f0e0d0c-0b0a-4908-8706-050403020100\","
    "\"state\":\"running\",\"migration\":\"none\",\"hold\":\"activated\","
    "\"arrived\":false,\"tsis\":2,\"op\":null,\"since\":12.25},"
    "{\"name\":\"db\",\"uuid\":null,\"state\":\"migrating\","
    "\"migration\":\"in\",\"hold\":\"associated\",\"arrived\":false,"
    "\"tsis\":1,\"op\":\"start\",\"since\":0.5}]}";

static const char tnved_tsis_reply[] =
    "{\"ok\":true,\"rows\":["
    "{\"vm\":\"web1\",\"tsi\":0,\"port\":\"vnet0\","
    "\"mac\":[\"52:54:00:00:00:01\"],\"vn\":5000,\"vsiid\":\"a\","
    "\"ips\":[\"198.51.100.7\",\"2001:db8:100::7\"],\"nve\":\"nve1\","
    "\"status\":\"ok\",\"vdp\":\"waitcmd\",\"mode\":\"assoc\","
    "\"vid\":100,\"code\":0,\"keepalives\":3,\"since\":1.5},"
    "{\"vm\":\"web1\",\"tsi\":0,\"port\":\"vnet0\","
    "\"mac\":[\"52:54:00:00:00:01\"],\"vn\":5000,\"vsiid\":\"a\","
    "\"ips\":[],\"nve\":\"nve2\",\"status\":\"failed\","
    "\"vdp\":\"idle\",\"mode\":\"none\",\"vid\":0,\"code\":4,"
    "\"keepalives\":0,\"since\":null},"
    "{\"vm\":\"db\",\"tsi\":1,\"port\":\"vnet3\",\"mac\":[],\"vn\":6000,"
    "\"vsiid\":\"b\",\"ips\":[],\"nve\":\"nve1\",\"status\":\"pending\","
    "\"vdp\":\"waitresp\",\"mode\":\"preassoc\",\"vid\":0,\"code\":0,"
    "\"keepalives\":0,\"since\":0.25}]}";

static void
tnved_render(void **state)
{
	(void)state;
	RENDER_OK(false,
	    "NAME  STATE      MIGRATION  HOLD        ARRIVED  TSIS  OP     "
	    "SINCE\n"
	    "web1  running    none       activated   no       2     -      "
	    "12.250\n"
	    "db    migrating  in         associated  no       1     start  "
	    "0.500\n", vms_reply, "vm", "show");
	RENDER_OKD(&nvectl_tnved, false,
	    "VM    TSI  PORT   MAC                VN    IPS                   "
	    "        NVE   STATUS   MODE      VDP       VID  CODE  SINCE\n"
	    "web1  0    vnet0  52:54:00:00:00:01  5000  198.51.100.7,2001:db8"
	    ":100::7  nve1  ok       assoc     waitcmd   100  0     1.500\n"
	    "web1  0    vnet0  52:54:00:00:00:01  5000  -                     "
	    "        nve2  failed   none      idle      0    4     -\n"
	    "db    1    vnet3  -                  6000  -                     "
	    "        nve1  pending  preassoc  waitresp  0    0     0.250\n",
	    tnved_tsis_reply, "tsi", "show");
	/* Filters on tnved's fields. */
	RENDER_OKD(&nvectl_tnved, false,
	    "VM  TSI  PORT   MAC  VN    IPS  NVE   STATUS   MODE      VDP       "
	    "VID  CODE  SINCE\n"
	    "db  1    vnet3  -    6000  -    nve1  pending  preassoc  waitresp  "
	    "0    0     0.250\n", tnved_tsis_reply, "tsi", "show", "vm", "db");
	RENDER_OKD(&nvectl_tnved, false,
	    "VM    TSI  PORT   MAC                VN    IPS  NVE   STATUS  "
	    "MODE  VDP   VID  CODE  SINCE\n"
	    "web1  0    vnet0  52:54:00:00:00:01  5000  -    nve2  failed  "
	    "none  idle  0    4     -\n", tnved_tsis_reply, "tsi", "show",
	    "nve", "nve2", "vn", "5000");
	RENDER_OKD(&nvectl_tnved, true, "[]\n", tnved_tsis_reply, "tsi",
	    "show", "vn", "7");
	/* --json keeps every field, including those the text leaves out. */
	RENDER_OKD(&nvectl_tnved, true,
	    "[\n  {\n    \"name\": \"db\",\n    \"uuid\": null,\n"
	    "    \"state\": \"migrating\",\n    \"migration\": \"in\",\n"
	    "    \"hold\": \"associated\",\n    \"arrived\": false,\n"
	    "    \"tsis\": 1,\n    \"op\": \"start\",\n    \"since\": 0.5\n"
	    "  }\n]\n", "{\"ok\":true,\"rows\":[{\"name\":\"db\",\"uuid\":null,"
	    "\"state\":\"migrating\",\"migration\":\"in\",\"hold\":"
	    "\"associated\",\"arrived\":false,\"tsis\":1,\"op\":\"start\","
	    "\"since\":0.5}]}", "vm", "show");
	RENDER_OK(false,
	    "NVE   IF    PEER               HEALTH  WHY              CAPS  "
	    "BINDS  RX  TX  GIVEUPS  AUTHFAIL  DOWNS  SINCE\n"
	    "nve1  eth0  02:00:00:00:00:02  down    keep-alive lost  all   "
	    "3      10  12  1        0         1      2.000\n",
	    "{\"ok\":true,\"rows\":[{\"name\":\"nve1\",\"interface\":\"eth0\","
	    "\"peer\":\"02:00:00:00:00:02\",\"health\":\"down\",\"why\":"
	    "\"keep-alive lost\",\"since\":2.0,\"caps\":\"all\",\"binds\":3,"
	    "\"rx_frames\":10,\"tx_frames\":12,\"tx_giveups\":1,"
	    "\"auth_fail\":0,\"downs\":1}]}", "nve", "show");
	RENDER_OKD(&nvectl_tnved, false, "vms           2\nops_ok        7\n"
	    "store_errors  0\n", "{\"ok\":true,\"rows\":[{\"vms\":2,"
	    "\"ops_ok\":7,\"store_errors\":0}]}", "counters", "show");
}

static void
vm_results(void **state)
{
	(void)state;
	/* Name and state, then the TSIs as a table. */
	RENDER_OK(false,
	    "vm     web1\nstate  running\n\n"
	    "VM    TSI  PORT   MAC                VN    IPS           NVE   "
	    "STATUS  MODE   VDP      VID  CODE  SINCE\n"
	    "web1  0    vnet0  52:54:00:00:00:01  5000  198.51.100.7  nve1  "
	    "ok      assoc  waitcmd  100  0     0.010\n",
	    "{\"ok\":true,\"result\":{\"vm\":\"web1\",\"state\":\"running\","
	    "\"tsis\":[{\"vm\":\"web1\",\"tsi\":0,\"port\":\"vnet0\","
	    "\"mac\":[\"52:54:00:00:00:01\"],\"vn\":5000,\"ips\":"
	    "[\"198.51.100.7\"],\"nve\":\"nve1\",\"status\":\"ok\","
	    "\"vdp\":\"waitcmd\",\"mode\":\"assoc\",\"vid\":100,\"code\":0,"
	    "\"since\":0.01}]}}", "vm", "start", "web1");
	/* No TSIs: the header alone; none at all: the two lines. */
	RENDER_OK(false, "vm     old\nstate  shutdown\n\nVM  TSI  PORT  MAC  "
	    "VN  IPS  NVE  STATUS  MODE  VDP  VID  CODE  SINCE\n",
	    "{\"ok\":true,\"result\":{\"vm\":\"old\",\"state\":\"shutdown\","
	    "\"tsis\":[]}}", "vm", "shutdown", "old");
	RENDER_OK(false, "vm     gone\nstate  -\n",
	    "{\"ok\":true,\"result\":{\"vm\":\"gone\",\"state\":null}}", "vm",
	    "destroy", "gone");
	RENDER_OK(false, "", "{\"ok\":true}", "vm", "destroy", "gone");
	RENDER_OK(true, "{\n  \"vm\": \"a\",\n  \"state\": \"paused\",\n"
	    "  \"tsis\": []\n}\n", "{\"ok\":true,\"result\":{\"vm\":\"a\","
	    "\"state\":\"paused\",\"tsis\":[]}}", "vm", "pause", "a");
	RENDER_OK(false, "vm     a\nstate  running\n",
	    "{\"ok\":true,\"result\":{\"vm\":\"a\",\"state\":\"running\"}}",
	    "tsi", "addr", "add", "a", "0", "198.51.100.1");
	/* The daemon's refusal is its text; bad shapes are protocol errors. */
	RENDER_ERR(-EREMOTEIO, "resume: vm web1 is running",
	    "{\"ok\":false,\"error\":\"resume: vm web1 is running\"}", "vm",
	    "resume", "web1");
	RENDER_ERR(-EPROTO, "bad reply from tnved: \"tsis\" is not an array",
	    "{\"ok\":true,\"result\":{\"vm\":\"a\",\"tsis\":{}}}", "vm",
	    "start", "a");
	RENDER_ERR(-EPROTO, "bad reply from tnved: TSI 1 is not an object",
	    "{\"ok\":true,\"result\":{\"vm\":\"a\",\"tsis\":[{},7]}}", "vm",
	    "start", "a");
	RENDER_ERR(-EPROTO, "bad reply from tnved: \"result\" is not an "
	    "object", "{\"ok\":true,\"result\":\"x\"}", "vm", "migrate", "a");
	RENDER_ERR(-EPROTO, "bad reply from tnved: no \"rows\" array",
	    "{\"ok\":true,\"result\":{}}", "vm", "show");
}

/* ---- nvad ------------------------------------------------------------ */

/* A command for nvad: without -d (when only nvad serves it) and with
 * -d nvad (same request). */
#define VREQ(want, ...) do {						\
	check_request(NULL, &nvectl_nvad, ARGC(__VA_ARGS__),		\
	    ARGV(__VA_ARGS__), want);					\
	check_request(&nvectl_nvad, &nvectl_nvad, ARGC(__VA_ARGS__),	\
	    ARGV(__VA_ARGS__), want);					\
} while (0)
#define VREQD(want, ...) \
	check_request(&nvectl_nvad, &nvectl_nvad, ARGC(__VA_ARGS__), \
	    ARGV(__VA_ARGS__), want)

static void
nvad_requests(void **state)
{
	(void)state;
	assert_string_equal(nvectl_nvad.name, "nvad");
	assert_string_equal(nvectl_nvad.sock, "/run/splitnve/nvad.sock");

	VREQ("{\"cmd\":\"show\",\"table\":\"maps\"}", "map", "show");
	VREQ("{\"cmd\":\"show\",\"table\":\"maps\",\"vn\":5000}", "map",
	    "show", "5000");
	VREQ("{\"addr\":\"198.51.100.7\",\"cmd\":\"show\",\"table\":\"maps\","
	    "\"vn\":16777215}", "map", "show", "16777215", "198.51.100.7");
	VREQ("{\"cmd\":\"show\",\"state\":\"activated\",\"table\":\"maps\"}",
	    "map", "show", "state", "activated");
	VREQ("{\"cmd\":\"show\",\"limit\":1,\"table\":\"maps\",\"vn\":1}",
	    "map", "show", "1", "limit", "1");
	/* Keywords in any order, after both positionals. */
	VREQ("{\"addr\":\"2001:db8:100::7\",\"cmd\":\"show\",\"limit\":"
	    "1000000,\"state\":\"withdrawn\",\"table\":\"maps\",\"vn\":7}",
	    "map", "show", "7", "2001:db8:100::7", "limit", "1000000",
	    "state", "withdrawn");
	/* The daemon checks the state's name, not nvectl. */
	VREQ("{\"cmd\":\"show\",\"state\":\"frob\",\"table\":\"maps\"}",
	    "map", "show", "state", "frob");
	VREQ("{\"addr\":\"52:54:00:00:00:01\",\"cmd\":\"map-unfreeze\","
	    "\"vn\":5000}", "map", "unfreeze", "5000", "52:54:00:00:00:01");
	VREQ("{\"cmd\":\"show\",\"table\":\"alerts\"}", "alert", "show");
	VREQ("{\"cmd\":\"show\",\"table\":\"subnets\"}", "subnet", "show");
	VREQ("{\"cmd\":\"show\",\"table\":\"sessions\"}", "session", "show");
	/* Shared with other daemons: nvad only with -d nvad. */
	VREQD("{\"cmd\":\"show\",\"table\":\"nves\"}", "nve", "show");
	VREQD("{\"cmd\":\"show\",\"table\":\"vns\"}", "vn", "show");
	VREQD("{\"cmd\":\"show\",\"table\":\"counters\"}", "counters",
	    "show");
}

static void
nvad_daemon_choice(void **state)
{
	(void)state;
	/* nve show: tnved's before nvad's; vn and counters show: nnved. */
	check_request(NULL, &nvectl_tnved, 2, ARGV("nve", "show"),
	    "{\"cmd\":\"show\",\"table\":\"nves\"}");
	check_request(&nvectl_tnved, &nvectl_tnved, 2, ARGV("nve", "show"),
	    "{\"cmd\":\"show\",\"table\":\"nves\"}");
	check_request(NULL, &nvectl_nnved, 2, ARGV("vn", "show"),
	    "{\"cmd\":\"show\",\"table\":\"vns\"}");
	check_request(NULL, &nvectl_nnved, 2, ARGV("counters", "show"),
	    "{\"cmd\":\"show\",\"table\":\"counters\"}");
	/* The other daemons' rows do not take nvad's arguments ... */
	BAD("vn show: unexpected \"5\"", "vn", "show", "5");
	/* ... nor nvad's theirs. */
	BADD(&nvectl_nvad, "vn connect: served by nnved, not nvad", "vn",
	    "connect", "dc1", "5");
	BADD(&nvectl_nvad, "station show: served by nnved, not nvad",
	    "station", "show");
	BADD(&nvectl_nvad, "vm show: served by tnved, not nvad", "vm",
	    "show");
	BADD(&nvectl_nvad, "daemon reload: served by nnved and tnved, not "
	    "nvad", "daemon", "reload");
	BADD(&nvectl_nnved, "nve show: served by tnved and nvad, not nnved",
	    "nve", "show");
	BADD(&nvectl_tnved, "map show: served by nvad, not tnved", "map",
	    "show");
	BADD(&nvectl_nnved, "map unfreeze: served by nvad, not nnved", "map",
	    "unfreeze", "5", "198.51.100.1");
	BADD(&nvectl_tnved, "session show: served by nvad, not tnved",
	    "session", "show");
	BADD(&nvectl_nnved, "alert show: served by nvad, not nnved", "alert",
	    "show");
	BADD(&nvectl_nnved, "subnet show: served by nvad, not nnved",
	    "subnet", "show");
}

static void
nvad_usage_errors(void **state)
{
	struct nvectl_buf b = { 0 };

	(void)state;
	BAD("map: missing VERB (valid: show, unfreeze)", "map");
	BAD("map: unknown verb \"thaw\" (valid: show, unfreeze)", "map",
	    "thaw");
	BAD("VN must be a number in 1..16777215, not \"0\"", "map", "show",
	    "0");
	BAD("VN must be a number in 1..16777215, not \"x\"", "map", "show",
	    "x");
	BAD("VN must be a number in 1..16777215, not \"16777216\"", "map",
	    "show", "16777216");
	BAD("ADDR must not be empty", "map", "show", "5", "");
	BAD("map show: unexpected \"extra\" (valid: state, limit)", "map",
	    "show", "5", "198.51.100.1", "extra");
	/* A keyword ends the positionals: nothing positional after it. */
	BAD("map show: unexpected \"5\" (valid: state, limit)", "map", "show",
	    "state", "activated", "5");
	BAD("map show: state needs STATE", "map", "show", "state");
	BAD("map show: state needs STATE", "map", "show", "5", "state");
	BAD("STATE must not be empty", "map", "show", "state", "");
	BAD("map show: state given twice", "map", "show", "state", "a",
	    "state", "b");
	BAD("N must be a number in 1..1000000, not \"0\"", "map", "show",
	    "limit", "0");
	BAD("N must be a number in 1..1000000, not \"1000001\"", "map",
	    "show", "limit", "1000001");
	BAD("N must be a number in 1..1000000, not \"-1\"", "map", "show",
	    "5", "limit", "-1");
	BAD("map unfreeze: missing VN", "map", "unfreeze");
	BAD("map unfreeze: missing ADDR", "map", "unfreeze", "5");
	BAD("VN must be a number in 1..16777215, not \"a\"", "map",
	    "unfreeze", "a", "198.51.100.1");
	BAD("map unfreeze: unexpected \"x\"", "map", "unfreeze", "5",
	    "198.51.100.1", "x");
	BAD("alert show: unexpected \"x\"", "alert", "show", "x");
	BAD("session show: unexpected \"5\"", "session", "show", "5");
	BAD("subnet: unknown verb \"sho\" (valid: show)", "subnet", "sho");
	BADD(&nvectl_nvad, "nve show: unexpected \"x\"", "nve", "show", "x");

	nvectl_usage(&b);
	assert_false(b.oom);
	assert_non_null(strstr(b.p, "\nnvad (the NVA), socket "
	    "/run/splitnve/nvad.sock:\n"));
	assert_true(strstr(b.p, "nvad (the NVA)") > strstr(b.p,
	    "tnved (the"));
	assert_non_null(strstr(b.p, "\n  map show [VN [ADDR]] [state STATE] "
	    "[limit N]\n"));
	assert_non_null(strstr(b.p, "\n  map unfreeze VN ADDR  "));
	assert_non_null(strstr(strstr(b.p, "nvad (the NVA)"),
	    "\n  nve show  "));
	assert_non_null(strstr(strstr(b.p, "nvad (the NVA)"),
	    "\n  counters show  "));
	nvectl_buf_free(&b);
}

static void
nvad_render(void **state)
{
	(void)state;
	RENDER_OKD(&nvectl_nvad, false,
	    "NVE   INDEX  CONNECTED  UNDERLAY                      OWNED  "
	    "REPORTS  MOVESIN  MOVESOUT  REFUSED\n"
	    "nve1  0      yes        203.0.113.1,2001:db8:ffff::1  2      "
	    "5        1        0         0\n"
	    "nve2  1      no         -                             0      "
	    "0        0        1         3\n",
	    "{\"ok\":true,\"rows\":[{\"name\":\"nve1\",\"index\":0,"
	    "\"connected\":true,\"underlay\":[\"203.0.113.1\","
	    "\"2001:db8:ffff::1\"],\"owned\":2,\"reports\":5,\"moves_in\":1,"
	    "\"moves_out\":0,\"refused\":0},{\"name\":\"nve2\",\"index\":1,"
	    "\"connected\":false,\"underlay\":[],\"owned\":0,\"reports\":0,"
	    "\"moves_in\":0,\"moves_out\":1,\"refused\":3}]}", "nve", "show");
	RENDER_OKD(&nvectl_nvad, false,
	    "VN    TENANT  ENTRIES  ACTIVE  SUBSCRIBERS  REV\n"
	    "5000  blue    3        2       1            17\n"
	    "6000  -       1        0       0            4\n",
	    "{\"ok\":true,\"rows\":[{\"vn\":5000,\"tenant\":\"blue\","
	    "\"entries\":3,\"active\":2,\"subscribers\":1,\"rev\":17},"
	    "{\"vn\":6000,\"tenant\":null,\"entries\":1,\"active\":0,"
	    "\"subscribers\":0,\"rev\":4}]}", "vn", "show");
	/* Missing MAC and NVEs as "-". */
	RENDER_OK(false,
	    "VN    ADDR               MAC                NVE   STATE      "
	    "SEQ  REV  FROZEN  PENDING  PREV\n"
	    "5000  198.51.100.7       52:54:00:00:00:01  nve2  activated  "
	    "2    17   no      -        nve1\n"
	    "5000  52:54:00:00:00:09  -                  -     withdrawn  "
	    "0    9    yes     nve3     -\n",
	    "{\"ok\":true,\"rows\":[{\"vn\":5000,\"addr\":\"198.51.100.7\","
	    "\"mac\":\"52:54:00:00:00:01\",\"nve\":\"nve2\",\"state\":"
	    "\"activated\",\"seq\":2,\"rev\":17,\"frozen\":false,\"pending\":"
	    "null,\"prev\":\"nve1\"},{\"vn\":5000,\"addr\":"
	    "\"52:54:00:00:00:09\",\"mac\":null,\"nve\":null,\"state\":"
	    "\"withdrawn\",\"seq\":0,\"rev\":9,\"frozen\":true,\"pending\":"
	    "\"nve3\",\"prev\":null}]}", "map", "show", "5000");
	RENDER_OK(false,
	    "ID  KIND       VN    ADDR          NVE   AGE  CLEARED  TEXT\n"
	    "1   duplicate  5000  198.51.100.7  nve2  42   no       6 moves "
	    "in 180 s\n",
	    "{\"ok\":true,\"rows\":[{\"id\":1,\"kind\":\"duplicate\","
	    "\"vn\":5000,\"addr\":\"198.51.100.7\",\"nve\":\"nve2\","
	    "\"age\":42,\"text\":\"6 moves in 180 s\",\"cleared\":false}]}",
	    "alert", "show");
	RENDER_OK(false,
	    "VN    PREFIX             NVES\n"
	    "5000  198.51.100.0/24    nve1,nve2\n"
	    "6000  2001:db8:100::/64  -\n",
	    "{\"ok\":true,\"rows\":[{\"vn\":5000,\"prefix\":"
	    "\"198.51.100.0/24\",\"nves\":[\"nve1\",\"nve2\"]},{\"vn\":6000,"
	    "\"prefix\":\"2001:db8:100::/64\",\"nves\":[]}]}", "subnet",
	    "show");
	RENDER_OK(false,
	    "ID  NVE   PEER             STATE      AGE    RX  TX  BAD  WQ  "
	    "VNS\n"
	    "7   nve1  127.0.0.1:40000  up         3.500  10  12  1    0   "
	    "5000,6000\n"
	    "8   -     [::1]:40001      handshake  0.010  0   0   0    0   "
	    "-\n",
	    "{\"ok\":true,\"rows\":[{\"id\":7,\"nve\":\"nve1\",\"addr\":"
	    "\"127.0.0.1:40000\",\"state\":\"up\",\"age\":3.5,\"rx_msgs\":10,"
	    "\"tx_msgs\":12,\"bad_msgs\":1,\"wq\":0,\"subs\":[5000,6000]},"
	    "{\"id\":8,\"nve\":null,\"addr\":\"[::1]:40001\",\"state\":"
	    "\"handshake\",\"age\":0.01,\"rx_msgs\":0,\"tx_msgs\":0,"
	    "\"bad_msgs\":0,\"wq\":0,\"subs\":[]}]}", "session", "show");
	/* Counters: every field, the per-code ones as k=v. */
	RENDER_OKD(&nvectl_nvad, false,
	    "entries   3\n"
	    "refused   not-owner=1,coattach=0\n"
	    "bad_msgs  malformed=2\n"
	    "store     lmdb\n",
	    "{\"ok\":true,\"rows\":[{\"entries\":3,\"refused\":{\"not-owner\":"
	    "1,\"coattach\":0},\"bad_msgs\":{\"malformed\":2},\"store\":"
	    "\"lmdb\"}]}", "counters", "show");
	RENDER_OKD(&nvectl_nvad, true,
	    "[\n  {\n    \"entries\": 3,\n    \"refused\": {\n"
	    "      \"not-owner\": 1\n    }\n  }\n]\n",
	    "{\"ok\":true,\"rows\":[{\"entries\":3,\"refused\":{\"not-owner\":"
	    "1}}]}", "counters", "show");
	/* map unfreeze: silent on success, the daemon's text on refusal. */
	RENDER_OK(false, "", "{\"ok\":true,\"result\":{\"vn\":5000,\"addr\":"
	    "\"198.51.100.7\"}}", "map", "unfreeze", "5000", "198.51.100.7");
	RENDER_OK(true, "{\n  \"vn\": 5000,\n  \"addr\": \"198.51.100.7\"\n}\n",
	    "{\"ok\":true,\"result\":{\"vn\":5000,\"addr\":\"198.51.100.7\"}}",
	    "map", "unfreeze", "5000", "198.51.100.7");
	RENDER_ERR(-EREMOTEIO, "map-unfreeze: vn 5000 198.51.100.7: no such "
	    "mapping", "{\"ok\":false,\"error\":\"map-unfreeze: vn 5000 "
	    "198.51.100.7: no such mapping\"}", "map", "unfreeze", "5000",
	    "198.51.100.7");
	RENDER_ERR(-EPROTO, "bad reply from nvad: no \"rows\" array",
	    "{\"ok\":true,\"result\":{}}", "map", "show");
	RENDER_ERR(-EPROTO, "bad reply from nvad: row 0 is not an object",
	    "{\"ok\":true,\"rows\":[[]]}", "alert", "show");
}

/* nnved as the NVA's client: nva show, fib show [VN], fib lookup VN ADDR. */
static void
nnved_nva_requests(void **state)
{
	struct nvectl_buf b = { 0 };
	const char *nn;

	(void)state;
	REQ("{\"cmd\":\"nva-show\"}", "nva", "show");
	REQ("{\"cmd\":\"fib-show\"}", "fib", "show");
	REQ("{\"cmd\":\"fib-show\",\"vn\":5000}", "fib", "show", "5000");
	REQ("{\"cmd\":\"fib-show\",\"vn\":16777215}", "fib", "show",
	    "16777215");
	REQ("{\"addr\":\"198.51.100.7\",\"cmd\":\"fib-lookup\",\"vn\":1}",
	    "fib", "lookup", "1", "198.51.100.7");
	/* The address is nnved's to judge: any non-empty word goes. */
	REQ("{\"addr\":\"52:54:00:00:00:01\",\"cmd\":\"fib-lookup\","
	    "\"vn\":5000}", "fib", "lookup", "5000", "52:54:00:00:00:01");
	check_request(&nvectl_nnved, &nvectl_nnved, 2, ARGV("nva", "show"),
	    "{\"cmd\":\"nva-show\"}");

	BAD("nva show: unexpected \"x\"", "nva", "show", "x");
	BAD("nva: missing VERB (valid: show)", "nva");
	BAD("fib: unknown verb \"look\" (valid: show, lookup)", "fib",
	    "look");
	BAD("VN must be a number in 1..16777215, not \"0\"", "fib", "show",
	    "0");
	BAD("VN must be a number in 1..16777215, not \"16777216\"", "fib",
	    "show", "16777216");
	BAD("fib show: unexpected \"198.51.100.7\"", "fib", "show", "5000",
	    "198.51.100.7");
	BAD("fib lookup: missing VN", "fib", "lookup");
	BAD("fib lookup: missing ADDR", "fib", "lookup", "5000");
	BAD("VN must be a number in 1..16777215, not \"x\"", "fib", "lookup",
	    "x", "198.51.100.7");
	BAD("ADDR must not be empty", "fib", "lookup", "5000", "");
	BAD("fib lookup: unexpected \"extra\"", "fib", "lookup", "5000",
	    "198.51.100.7", "extra");
	/* Only nnved serves them. */
	BADD(&nvectl_nvad, "fib show: served by nnved, not nvad", "fib",
	    "show");
	BADD(&nvectl_tnved, "nva show: served by nnved, not tnved", "nva",
	    "show");

	nvectl_usage(&b);
	assert_false(b.oom);
	nn = strstr(b.p, "nnved (the External NVE)");
	assert_non_null(nn);
	assert_true(strstr(nn, "\n  nva show  ") != NULL &&
	    strstr(nn, "\n  nva show  ") < strstr(b.p, "tnved (the"));
	assert_true(strstr(nn, "\n  fib show [VN]  ") != NULL &&
	    strstr(nn, "\n  fib show [VN]  ") < strstr(b.p, "tnved (the"));
	assert_true(strstr(nn, "\n  fib lookup VN ADDR  ") != NULL &&
	    strstr(nn, "\n  fib lookup VN ADDR  ") < strstr(b.p,
	    "tnved (the"));
	nvectl_buf_free(&b);
}

static const char nva_show_reply[] =
    "{\"ok\":true,\"result\":{\"state\":\"up\",\"server\":"
    "\"203.0.113.10:4791\",\"nve\":\"nve1\",\"nva\":\"nva1\",\"up\":12.5,"
    "\"epoch\":3,\"rev\":42,\"fib_entries\":4,\"tsis\":1,\"vns\":"
    "[{\"vn\":5000,\"tsis\":1,\"synced\":true},{\"vn\":6000,\"tsis\":0,"
    "\"synced\":false}],\"moved\":1,\"resyncs_delta\":0}}";

static const char fib_rows_reply[] =
    "{\"ok\":true,\"rows\":[{\"vn\":5000,\"addr\":\"198.51.100.7\","
    "\"mac\":\"52:54:00:00:00:01\",\"nve\":\"nve2\",\"underlay\":"
    "[\"203.0.113.2\",\"2001:db8:ffff::2\"],\"state\":\"activated\","
    "\"seq\":1,\"rev\":17,\"frozen\":false,\"queried\":false,\"age\":2.25},"
    "{\"vn\":5000,\"addr\":\"52:54:00:00:00:09\",\"mac\":null,\"nve\":"
    "\"nve1\",\"underlay\":[],\"state\":\"associated\",\"seq\":0,\"rev\":"
    "9,\"frozen\":true,\"queried\":true,\"age\":0}]}";

static void
nnved_nva_render(void **state)
{
	(void)state;
	/* nva show: the scalars as lines, the VNs as a table after them. */
	RENDER_OK(false,
	    "state          up\n"
	    "server         203.0.113.10:4791\n"
	    "nve            nve1\n"
	    "nva            nva1\n"
	    "up             12.500\n"
	    "epoch          3\n"
	    "rev            42\n"
	    "fib_entries    4\n"
	    "tsis           1\n"
	    "moved          1\n"
	    "resyncs_delta  0\n"
	    "\n"
	    "vns:\n"
	    "VN    TSIS  SYNCED\n"
	    "5000  1     yes\n"
	    "6000  0     no\n", nva_show_reply, "nva", "show");
	/* Before the first session: nulls, and no VN yet. */
	RENDER_OK(false,
	    "state   connecting\n"
	    "server  -\n"
	    "nva     -\n"
	    "up      -\n"
	    "vns     -\n",
	    "{\"ok\":true,\"result\":{\"state\":\"connecting\",\"server\":null,"
	    "\"nva\":null,\"up\":null,\"vns\":[]}}", "nva", "show");
	RENDER_OK(true,
	    "{\n  \"state\": \"up\",\n  \"vns\": [\n    {\n      \"vn\": 5000,\n"
	    "      \"synced\": true\n    }\n  ]\n}\n",
	    "{\"ok\":true,\"result\":{\"state\":\"up\",\"vns\":[{\"vn\":5000,"
	    "\"synced\":true}]}}", "nva", "show");
	RENDER_ERR(-EREMOTEIO, "no nva block in the configuration",
	    "{\"ok\":false,\"error\":\"no nva block in the configuration\"}",
	    "nva", "show");
	RENDER_ERR(-EPROTO, "bad reply from nnved: \"result\" is not an "
	    "object", "{\"ok\":true,\"result\":[]}", "nva", "show");

	/* fib show: rows although the command is not "show". */
	RENDER_OK(false,
	    "VN    ADDR               MAC                NVE   "
	    "UNDERLAY                      STATE       SEQ  REV  FROZEN  "
	    "QUERIED  AGE\n"
	    "5000  198.51.100.7       52:54:00:00:00:01  nve2  "
	    "203.0.113.2,2001:db8:ffff::2  activated   1    17   no      "
	    "no       2.250\n"
	    "5000  52:54:00:00:00:09  -                  nve1  "
	    "-                             associated  0    9    yes     "
	    "yes      0\n", fib_rows_reply, "fib", "show", "5000");
	RENDER_OK(false,
	    "VN  ADDR  MAC  NVE  UNDERLAY  STATE  SEQ  REV  FROZEN  QUERIED  "
	    "AGE\n", "{\"ok\":true,\"rows\":[]}", "fib", "show");
	RENDER_OK(true, "[]\n", "{\"ok\":true,\"rows\":[]}", "fib", "show");
	RENDER_OK(true,
	    "[\n  {\n    \"vn\": 6000,\n    \"addr\": \"198.51.100.9\"\n  }\n]\n",
	    "{\"ok\":true,\"rows\":[{\"vn\":6000,\"addr\":\"198.51.100.9\"}]}",
	    "fib", "show");
	RENDER_ERR(-EPROTO, "bad reply from nnved: no \"rows\" array",
	    "{\"ok\":true,\"result\":{}}", "fib", "show");
	RENDER_ERR(-EPROTO, "bad reply from nnved: row 1 is not an object",
	    "{\"ok\":true,\"rows\":[{},3]}", "fib", "show", "5000");

	/* fib lookup: a result, every member in reply order. */
	RENDER_OK(false,
	    "vn        6000\n"
	    "addr      198.51.100.9\n"
	    "nve       nve2\n"
	    "underlay  203.0.113.2\n"
	    "seq       1\n"
	    "found     yes\n"
	    "source    nva\n",
	    "{\"ok\":true,\"result\":{\"vn\":6000,\"addr\":\"198.51.100.9\","
	    "\"nve\":\"nve2\",\"underlay\":[\"203.0.113.2\"],\"seq\":1,"
	    "\"found\":true,\"source\":\"nva\"}}", "fib", "lookup", "6000",
	    "198.51.100.9");
	RENDER_OK(false,
	    "vn      6000\n"
	    "addr    198.51.100.99\n"
	    "found   no\n"
	    "source  nva\n",
	    "{\"ok\":true,\"result\":{\"vn\":6000,\"addr\":\"198.51.100.99\","
	    "\"found\":false,\"source\":\"nva\"}}", "fib", "lookup", "6000",
	    "198.51.100.99");
	RENDER_OK(true,
	    "{\n  \"vn\": 6000,\n  \"found\": false\n}\n",
	    "{\"ok\":true,\"result\":{\"vn\":6000,\"found\":false}}", "fib",
	    "lookup", "6000", "198.51.100.99");
	RENDER_ERR(-EREMOTEIO, "fib-lookup vn 6000 198.51.100.99: not in the "
	    "local copy, and the NVA session is not up",
	    "{\"ok\":false,\"error\":\"fib-lookup vn 6000 198.51.100.99: not "
	    "in the local copy, and the NVA session is not up\"}", "fib",
	    "lookup", "6000", "198.51.100.99");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(requests),
		cmocka_unit_test(filters_parsed),
		cmocka_unit_test(usage_errors),
		cmocka_unit_test(usage_text),
		cmocka_unit_test(text_table),
		cmocka_unit_test(text_table_nested),
		cmocka_unit_test(filters_applied),
		cmocka_unit_test(json_passthrough),
		cmocka_unit_test(text_results),
		cmocka_unit_test(bad_replies),
		cmocka_unit_test(buffer),
		cmocka_unit_test(tnved_requests),
		cmocka_unit_test(daemon_choice),
		cmocka_unit_test(tnved_usage_errors),
		cmocka_unit_test(spec_file),
		cmocka_unit_test(tnved_render),
		cmocka_unit_test(vm_results),
		cmocka_unit_test(nvad_requests),
		cmocka_unit_test(nvad_daemon_choice),
		cmocka_unit_test(nvad_usage_errors),
		cmocka_unit_test(nvad_render),
		cmocka_unit_test(nnved_nva_requests),
		cmocka_unit_test(nnved_nva_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
