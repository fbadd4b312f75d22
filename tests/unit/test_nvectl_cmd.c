/*
 * test_nvectl_cmd.c - nvectl's pure half (tools/nvectl/nvectl_cmd.c):
 * the request JSON of every command, usage errors (missing and extra
 * arguments, unknown or abbreviated words, bad numbers, repeated
 * keywords), the usage text, and the rendering of sample replies as
 * text (columns, arrays, null, booleans, reals, objects, filters) and
 * as JSON, plus malformed and refused replies.
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

/* Parses the words and checks the request (sorted keys, compact). */
static void
check_request(int argc, char **argv, const char *want)
{
	struct nvectl_req r;
	char err[256] = "", *text;

	assert_int_equal(nvectl_parse(argc, argv, &r, err, sizeof(err)), 0);
	assert_non_null(r.cmd);
	text = json_dumps(r.request, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(text);
	assert_string_equal(text, want);
	free(text);
	nvectl_req_free(&r);
	assert_null(r.request);
}

#define REQ(want, ...) \
	check_request(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), want)

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
	    "port", "eth3"), &r, err, sizeof(err)), 0);
	assert_int_equal(r.nfilters, 2);
	assert_string_equal(r.filters[0].arg->field, "vn");
	assert_int_equal(r.filters[0].num, 42);
	assert_string_equal(r.filters[1].arg->field, "port");
	assert_string_equal(r.filters[1].text, "eth3");
	nvectl_req_free(&r);
}

/* Expects a usage error whose text contains want. */
static void
check_usage(int argc, char **argv, const char *want)
{
	struct nvectl_req r;
	char err[256] = "";

	assert_int_equal(nvectl_parse(argc, argv, &r, err, sizeof(err)),
	    -EINVAL);
	assert_null(r.request);
	assert_null(r.cmd);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

#define BAD(want, ...) \
	check_usage(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), want)

static void
usage_errors(void **state)
{
	struct nvectl_req r;
	char err[256] = "";

	(void)state;
	assert_int_equal(nvectl_parse(0, ARGV(NULL), &r, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "missing OBJECT");

	BAD("unknown object \"frob\" (valid: station, vn, tsi, port, "
	    "counters, daemon)", "frob", "show");
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
	assert_non_null(strstr(b.p, "usage: nvectl [-s PATH | --socket PATH]"
	    " [--json] [-h | --help]\n"));
	assert_non_null(strstr(b.p, "\n  vn connect DOMAIN VN [vid VID]  "));
	assert_non_null(strstr(b.p, "\n  tsi show [vn VN] [port IF]  "));
	assert_non_null(strstr(b.p, "\n  tsi deassociate VSIID [port IF]  "));
	assert_non_null(strstr(b.p, "\n  daemon reload  "));
	assert_non_null(strstr(b.p, "/run/splitnve/nnved.sock"));
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
render(int argc, char **argv, const char *reply, bool json,
    struct nvectl_buf *out, char *err, size_t errsz)
{
	struct nvectl_req r;
	json_error_t jerr;
	json_t *rep;
	int rc;

	assert_int_equal(nvectl_parse(argc, argv, &r, err, errsz), 0);
	rep = json_loads(reply, 0, &jerr);
	if (rep == NULL)
		fail_msg("sample reply: %s", jerr.text);
	memset(out, 0, sizeof(*out));
	rc = nvectl_render(&r, rep, json, out, err, errsz);
	json_decref(rep);
	nvectl_req_free(&r);
	return rc;
}

#define RENDER_OK(json, want, reply, ...) do {				\
	struct nvectl_buf out_;						\
	char err_[256] = "";						\
									\
	assert_int_equal(render(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__),	\
	    reply, json, &out_, err_, sizeof(err_)), 0);		\
	assert_false(out_.oom);						\
	assert_string_equal(out_.p ? out_.p : "", want);		\
	nvectl_buf_free(&out_);						\
} while (0)

#define RENDER_ERR(rc, want, reply, ...) do {				\
	struct nvectl_buf out_;						\
	char err_[256] = "";						\
									\
	assert_int_equal(render(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__),	\
	    reply, false, &out_, err_, sizeof(err_)), rc);		\
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
    "\"age\":3}]}";

static void
filters_applied(void **state)
{
	(void)state;
	RENDER_OK(false,
	    "PORT  STATION            VSIID  VN    VID  STATE       VDP      "
	    "ADDRESSES  MIGRATION  AGE\n"
	    "eth1  52:54:00:00:00:03  c      6000  102  associated  reswait  "
	    "-          M+S        3\n",
	    tsis_reply, "tsi", "show", "vn", "6000");
	RENDER_OK(false,
	    "PORT  STATION            VSIID  VN    VID  STATE      VDP      "
	    "ADDRESSES                       MIGRATION  AGE\n"
	    "eth1  52:54:00:00:00:01  a      5000  100  activated  waitcmd  "
	    "198.51.100.7,52:54:00:aa:00:01  -          1.250\n",
	    tsis_reply, "tsi", "show", "vn", "5000", "port", "eth1");
	/* Nothing passes: header only (widths from the header). */
	RENDER_OK(false,
	    "PORT  STATION  VSIID  VN  VID  STATE  VDP  ADDRESSES  "
	    "MIGRATION  AGE\n", tsis_reply, "tsi", "show", "port", "eth9");
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
