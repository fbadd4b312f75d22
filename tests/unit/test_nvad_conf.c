/*
 * test_nvad_conf.c - nvad's configuration parser, canonical printer and
 * look-ups (daemons/nvad/parse.c, printconf.c).
 *
 * The defaults (no text at all, and a file holding only the tls block);
 * a file with every statement, checked field by field; VN lists (ranges,
 * overlaps and repeats merged, sorted, unique; several vn statements
 * adding up); sizes with and without suffixes; every error the parser
 * reports, each with its exact "FILE:LINE: text" lines read back from
 * stderr, and that a run with errors returns their count with nothing
 * left allocated; includes in a temporary folder (errors and whole-file
 * checks naming the included file); a missing main file; the look-ups;
 * the round trip print -> parse -> equal -> print for several files,
 * with the exact canonical text of one; and that
 * contrib/nvad.conf.example parses.
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "nvad.h"
#include "util/log.h"

#define TLS	"tls { cert c.pem; key k.pem; ca ca.pem }\n"

/* ---- what the parser logs ---------------------------------------------- */

/*
 * util/log writes each message with one write(2) on fd 2: point fd 2 at
 * an unlinked scratch file while the parser runs, then keep the text
 * after "warn: " of every line.
 */
struct grab {
	int	 saved;
	int	 fd;
	char	 out[1 << 16];
};

static struct grab g;

static void
grab_on(void)
{
	char name[] = "/tmp/test_nvad_conf.XXXXXX";

	g.fd = mkstemp(name);
	assert_true(g.fd >= 0);
	unlink(name);
	g.saved = dup(STDERR_FILENO);
	assert_true(g.saved >= 0);
	assert_true(dup2(g.fd, STDERR_FILENO) == STDERR_FILENO);
}

static const char *
grab_off(void)
{
	char raw[1 << 16], *line, *nl;
	ssize_t n;
	size_t o = 0;

	assert_true(dup2(g.saved, STDERR_FILENO) == STDERR_FILENO);
	close(g.saved);
	n = pread(g.fd, raw, sizeof(raw) - 1, 0);
	close(g.fd);
	assert_true(n >= 0 && (size_t)n < sizeof(raw) - 1);
	raw[n] = '\0';
	g.out[0] = '\0';
	for (line = raw; *line != '\0'; line = nl + 1) {
		const char *m;

		nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		m = strstr(line, " warn: ");
		m = m != NULL ? m + 7 : line;
		o += (size_t)snprintf(g.out + o, sizeof(g.out) - o, "%s\n", m);
		assert_true(o < sizeof(g.out));
	}
	return g.out;
}

static int
parse(struct nvad_conf *c, const char *text)
{
	int rc;

	grab_on();
	rc = nvad_conf_parse(c, "t", text, strlen(text));
	grab_off();
	return rc;
}

static void
assert_empty(const struct nvad_conf *c)
{
	assert_null(c->listen);
	assert_int_equal(c->nlisten, 0);
	assert_null(c->etcd);
	assert_int_equal(c->netcd, 0);
	assert_null(c->nves);
	assert_int_equal(c->nnves, 0);
	assert_null(c->tenants);
	assert_int_equal(c->ntenants, 0);
	assert_null(c->denies);
	assert_int_equal(c->ndenies, 0);
}

/* text fails with exactly the lines of want (each ending in \n). */
static void
expect_errors(const char *text, const char *want)
{
	struct nvad_conf c;
	int n = 0;

	for (const char *s = want; *s; s++)
		n += *s == '\n';
	if (parse(&c, text) != n || strcmp(g.out, want) != 0)
		fail_msg("input:\n%s\nwanted %d:\n%sgot:\n%s", text, n, want,
		    g.out);
	assert_empty(&c);
}

static char *
print_str(const struct nvad_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	nvad_conf_print(c, f);
	fclose(f);
	return buf;
}

static void
assert_vns(const uint32_t *vns, unsigned n, const uint32_t *want,
    unsigned nwant)
{
	assert_int_equal(n, nwant);
	if (n)
		assert_memory_equal(vns, want, n * sizeof(*vns));
}

/* Everything but line numbers. */
static void
assert_conf_equal(const struct nvad_conf *a, const struct nvad_conf *b)
{
	unsigned i;

	assert_string_equal(a->name, b->name);
	assert_int_equal(a->nlisten, b->nlisten);
	for (i = 0; i < a->nlisten; i++) {
		assert_string_equal(a->listen[i].addr, b->listen[i].addr);
		assert_int_equal(a->listen[i].port, b->listen[i].port);
	}
	assert_string_equal(a->cert, b->cert);
	assert_string_equal(a->key, b->key);
	assert_string_equal(a->ca, b->ca);
	assert_string_equal(a->control, b->control);
	assert_string_equal(a->metrics_addr, b->metrics_addr);
	assert_int_equal(a->metrics_port, b->metrics_port);
	assert_int_equal(a->store, b->store);
	assert_string_equal(a->db, b->db);
	assert_int_equal(a->map_size, b->map_size);
	assert_int_equal(a->sync, b->sync);
	assert_int_equal(a->netcd, b->netcd);
	for (i = 0; i < a->netcd; i++)
		assert_string_equal(a->etcd[i], b->etcd[i]);
	assert_string_equal(a->etcd_prefix, b->etcd_prefix);
	assert_int_equal(a->etcd_timeout_ms, b->etcd_timeout_ms);
	assert_int_equal(a->etcd_txn_ops, b->etcd_txn_ops);
	assert_int_equal(a->keepalive_ms, b->keepalive_ms);
	assert_int_equal(a->dup_moves, b->dup_moves);
	assert_int_equal(a->dup_window_s, b->dup_window_s);
	assert_int_equal(a->max_entries, b->max_entries);
	assert_int_equal(a->max_sessions, b->max_sessions);
	assert_int_equal(a->session_wq_max, b->session_wq_max);
	assert_int_equal(a->listed_only, b->listed_only);
	assert_int_equal(a->log_level, b->log_level);
	assert_int_equal(a->nnves, b->nnves);
	for (i = 0; i < a->nnves; i++) {
		assert_string_equal(a->nves[i].name, b->nves[i].name);
		assert_vns(a->nves[i].vns, a->nves[i].nvns, b->nves[i].vns,
		    b->nves[i].nvns);
	}
	assert_int_equal(a->ntenants, b->ntenants);
	for (i = 0; i < a->ntenants; i++) {
		assert_string_equal(a->tenants[i].name, b->tenants[i].name);
		assert_vns(a->tenants[i].vns, a->tenants[i].nvns,
		    b->tenants[i].vns, b->tenants[i].nvns);
	}
	assert_int_equal(a->ndenies, b->ndenies);
	for (i = 0; i < a->ndenies; i++) {
		assert_int_equal(a->denies[i].a, b->denies[i].a);
		assert_int_equal(a->denies[i].b, b->denies[i].b);
	}
}

/* print -> parse -> equal -> print the same text. */
static void
round_trip(const struct nvad_conf *a)
{
	struct nvad_conf b;
	char *t1, *t2;

	t1 = print_str(a);
	if (parse(&b, t1) != 0)
		fail_msg("canonical text does not parse:\n%s\n%s", t1, g.out);
	assert_conf_equal(a, &b);
	t2 = print_str(&b);
	assert_string_equal(t1, t2);
	free(t1);
	free(t2);
	nvad_conf_free(&b);
}

static void
assert_defaults_but_tls(const struct nvad_conf *c)
{
	char host[256] = "";

	gethostname(host, sizeof(host));
	host[NVA_NAME_MAX] = '\0';
	assert_string_equal(c->name, host[0] ? host : "nvad");
	assert_int_equal(c->nlisten, 2);
	assert_string_equal(c->listen[0].addr, "0.0.0.0");
	assert_int_equal(c->listen[0].port, NVAD_DEFAULT_PORT);
	assert_string_equal(c->listen[1].addr, "::");
	assert_int_equal(c->listen[1].port, 4790);
	assert_string_equal(c->control, NVAD_DEFAULT_CONTROL);
	assert_string_equal(c->metrics_addr, "");
	assert_int_equal(c->metrics_port, 0);
	assert_int_equal(c->store, NVAD_STORE_LMDB);
	assert_string_equal(c->db, NVAD_DEFAULT_DB);
	assert_int_equal(c->map_size, 4ULL << 30);
	assert_true(c->sync);
	assert_int_equal(c->netcd, 0);
	assert_string_equal(c->etcd_prefix, "/splitnve/");
	assert_int_equal(c->etcd_timeout_ms, 2000);
	assert_int_equal(c->etcd_txn_ops, 128);
	assert_int_equal(c->keepalive_ms, 3000);
	assert_int_equal(c->dup_moves, 5);
	assert_int_equal(c->dup_window_s, 180);
	assert_int_equal(c->max_entries, 16000000);
	assert_int_equal(c->max_sessions, 4096);
	assert_int_equal(c->session_wq_max, 64ULL << 20);
	assert_false(c->listed_only);
	assert_int_equal(c->nnves, 0);
	assert_int_equal(c->ntenants, 0);
	assert_int_equal(c->ndenies, 0);
	assert_int_equal(c->log_level, -1);
}

/* ---- defaults ------------------------------------------------------------ */

static void
test_defaults(void **state)
{
	struct nvad_conf c;

	assert_int_equal(nvad_conf_parse(&c, "t", NULL, 0), 0);
	assert_defaults_but_tls(&c);
	assert_string_equal(c.cert, "");
	nvad_conf_free(&c);
	assert_empty(&c);

	assert_int_equal(parse(&c, "# only tls\n" TLS), 0);
	assert_string_equal(g.out, "");
	assert_defaults_but_tls(&c);
	assert_string_equal(c.cert, "c.pem");
	assert_string_equal(c.key, "k.pem");
	assert_string_equal(c.ca, "ca.pem");
	round_trip(&c);
	nvad_conf_free(&c);
	nvad_conf_free(&c);		/* twice is harmless */
}

/* ---- every statement ---------------------------------------------------- */

static const char full[] =
    "nva-name nva-1.example\n"
    "listen 192.0.2.1\n"
    "listen 2001:DB8:0:0::1 port 4791\n"
    "listen ::1 port 4790 ; listen 127.0.0.1 port 4790\n"
    "tls {\n"
    "\tcert \"/etc/splitnve/nva cert.pem\"\n"
    "\tkey /etc/splitnve/nva.key\n"
    "\tca /etc/splitnve/ca.pem\n"
    "}\n"
    "control /run/nvad-test.sock\n"
    "metrics 127.0.0.1 port 9105\n"
    "store lmdb {\n"
    "\tpath /var/tmp/nvad\n"
    "\tmap-size 1536m\n"
    "\tsync no\n"
    "}\n"
    "keepalive 1500\n"
    "duplicate-detection moves 3 window 60\n"
    "max-entries 2000000\n"
    "max-sessions 100\n"
    "session-queue 65536\n"
    "nve-policy listed\n"
    "log-level debug\n"
    "tenant red { vn 100-103 101 200 }\n"
    "tenant blue\n"
    "{\n"
    "\tvn 300\n"
    "\tvn 299 301-302 # adds up\n"
    "}\n"
    "coattach deny red blue\n"
    "nve tor1 { vn 100-103 300 }\n"
    "nve tor2\n"
    "nve \"odd{name\" { vn 16777215 1 }\n";

static const char full_canonical[] =
    "nva-name nva-1.example\n"
    "listen 192.0.2.1 port 4790\n"
    "listen 2001:db8::1 port 4791\n"
    "listen ::1 port 4790\n"
    "listen 127.0.0.1 port 4790\n"
    "tls {\n"
    "\tcert \"/etc/splitnve/nva cert.pem\"\n"
    "\tkey \"/etc/splitnve/nva.key\"\n"
    "\tca \"/etc/splitnve/ca.pem\"\n"
    "}\n"
    "control \"/run/nvad-test.sock\"\n"
    "metrics 127.0.0.1 port 9105\n"
    "store lmdb {\n"
    "\tpath \"/var/tmp/nvad\"\n"
    "\tmap-size 1536M\n"
    "\tsync no\n"
    "}\n"
    "keepalive 1500\n"
    "duplicate-detection moves 3 window 60\n"
    "max-entries 2000000\n"
    "max-sessions 100\n"
    "session-queue 64K\n"
    "nve-policy listed\n"
    "log-level debug\n"
    "\n"
    "tenant red {\n"
    "\tvn 100-103 200\n"
    "}\n"
    "tenant blue {\n"
    "\tvn 299-302\n"
    "}\n"
    "coattach deny red blue\n"
    "\n"
    "nve tor1 {\n"
    "\tvn 100-103 300\n"
    "}\n"
    "nve tor2 {\n"
    "}\n"
    "nve \"odd{name\" {\n"
    "\tvn 1 16777215\n"
    "}\n";

static void
test_full(void **state)
{
	static const uint32_t red[] = { 100, 101, 102, 103, 200 };
	static const uint32_t blue[] = { 299, 300, 301, 302 };
	static const uint32_t tor1[] = { 100, 101, 102, 103, 300 };
	static const uint32_t odd[] = { 1, 16777215 };
	struct nvad_conf c;
	char *text;

	assert_int_equal(parse(&c, full), 0);
	assert_string_equal(g.out, "");
	assert_string_equal(c.name, "nva-1.example");
	assert_int_equal(c.nlisten, 4);
	assert_string_equal(c.listen[0].addr, "192.0.2.1");
	assert_int_equal(c.listen[0].port, 4790);
	assert_string_equal(c.listen[1].addr, "2001:db8::1");
	assert_int_equal(c.listen[1].port, 4791);
	assert_string_equal(c.listen[2].addr, "::1");
	assert_string_equal(c.listen[3].addr, "127.0.0.1");
	assert_string_equal(c.cert, "/etc/splitnve/nva cert.pem");
	assert_string_equal(c.key, "/etc/splitnve/nva.key");
	assert_string_equal(c.ca, "/etc/splitnve/ca.pem");
	assert_string_equal(c.control, "/run/nvad-test.sock");
	assert_string_equal(c.metrics_addr, "127.0.0.1");
	assert_int_equal(c.metrics_port, 9105);
	assert_int_equal(c.store, NVAD_STORE_LMDB);
	assert_string_equal(c.db, "/var/tmp/nvad");
	assert_int_equal(c.map_size, 1536ULL << 20);
	assert_false(c.sync);
	assert_int_equal(c.keepalive_ms, 1500);
	assert_int_equal(c.dup_moves, 3);
	assert_int_equal(c.dup_window_s, 60);
	assert_int_equal(c.max_entries, 2000000);
	assert_int_equal(c.max_sessions, 100);
	assert_int_equal(c.session_wq_max, 65536);
	assert_true(c.listed_only);
	assert_int_equal(c.log_level, LOG_LVL_DEBUG);
	assert_int_equal(c.ntenants, 2);
	assert_string_equal(c.tenants[0].name, "red");
	assert_int_equal(c.tenants[0].line, 24);
	assert_vns(c.tenants[0].vns, c.tenants[0].nvns, red, 5);
	assert_string_equal(c.tenants[1].name, "blue");
	assert_int_equal(c.tenants[1].line, 25);
	assert_vns(c.tenants[1].vns, c.tenants[1].nvns, blue, 4);
	assert_int_equal(c.ndenies, 1);
	assert_int_equal(c.denies[0].a, 0);
	assert_int_equal(c.denies[0].b, 1);
	assert_int_equal(c.denies[0].line, 30);
	assert_int_equal(c.nnves, 3);
	assert_string_equal(c.nves[0].name, "tor1");
	assert_int_equal(c.nves[0].line, 31);
	assert_vns(c.nves[0].vns, c.nves[0].nvns, tor1, 5);
	assert_string_equal(c.nves[1].name, "tor2");
	assert_null(c.nves[1].vns);
	assert_int_equal(c.nves[1].nvns, 0);
	assert_string_equal(c.nves[2].name, "odd{name");
	assert_vns(c.nves[2].vns, c.nves[2].nvns, odd, 2);

	/* look-ups */
	assert_int_equal(nvad_conf_tenant_of(&c, 100), 0);
	assert_int_equal(nvad_conf_tenant_of(&c, 200), 0);
	assert_int_equal(nvad_conf_tenant_of(&c, 299), 1);
	assert_int_equal(nvad_conf_tenant_of(&c, 302), 1);
	assert_int_equal(nvad_conf_tenant_of(&c, 104), -1);
	assert_int_equal(nvad_conf_tenant_of(&c, 1), -1);
	assert_ptr_equal(nvad_conf_nve(&c, "tor2"), &c.nves[1]);
	assert_ptr_equal(nvad_conf_nve(&c, "odd{name"), &c.nves[2]);
	assert_null(nvad_conf_nve(&c, "tor"));
	assert_null(nvad_conf_nve(&c, "tor10"));

	text = print_str(&c);
	assert_string_equal(text, full_canonical);
	free(text);
	round_trip(&c);
	nvad_conf_free(&c);
	assert_empty(&c);
	assert_int_equal(nvad_conf_tenant_of(&c, 100), -1);
	assert_null(nvad_conf_nve(&c, "tor1"));
}

static void
test_store_kinds(void **state)
{
	struct nvad_conf c;
	char *text;

	assert_int_equal(parse(&c, TLS "store memory\nmetrics off\n"), 0);
	assert_int_equal(c.store, NVAD_STORE_MEMORY);
	assert_string_equal(c.db, NVAD_DEFAULT_DB);
	text = print_str(&c);
	assert_non_null(strstr(text, "\nstore memory\nkeepalive 3000\n"));
	assert_non_null(strstr(text, "\nmetrics off\n"));
	free(text);
	round_trip(&c);
	nvad_conf_free(&c);

	assert_int_equal(parse(&c, TLS "store etcd {\n"
	    "\tendpoint http://127.0.0.1:2379\n"
	    "\tendpoint \"http://[::1]:2379\"\n"
	    "\tendpoint http://etcd-1.example:12379\n"
	    "}\n"), 0);
	assert_int_equal(c.store, NVAD_STORE_ETCD);
	assert_int_equal(c.netcd, 3);
	assert_string_equal(c.etcd[0], "http://127.0.0.1:2379");
	assert_string_equal(c.etcd[1], "http://[::1]:2379");
	assert_string_equal(c.etcd[2], "http://etcd-1.example:12379");
	assert_string_equal(c.etcd_prefix, "/splitnve/");
	text = print_str(&c);
	assert_non_null(strstr(text, "store etcd {\n"
	    "\tendpoint \"http://127.0.0.1:2379\"\n"
	    "\tendpoint \"http://[::1]:2379\"\n"
	    "\tendpoint \"http://etcd-1.example:12379\"\n"
	    "\tprefix \"/splitnve/\"\n\ttimeout 2000\n"
	    "\tmax-txn-ops 128\n}\n"));
	free(text);
	round_trip(&c);
	nvad_conf_free(&c);

	/* timeout and max-txn-ops at both ends of their ranges */
	assert_int_equal(parse(&c, TLS "store etcd {\n"
	    "\tendpoint http://127.0.0.1:2379\n\ttimeout 100\n"
	    "\tmax-txn-ops 100000\n}\n"), 0);
	assert_int_equal(c.etcd_timeout_ms, 100);
	assert_int_equal(c.etcd_txn_ops, 100000);
	text = print_str(&c);
	assert_non_null(strstr(text, "\ttimeout 100\n"
	    "\tmax-txn-ops 100000\n}\n"));
	free(text);
	round_trip(&c);
	nvad_conf_free(&c);
	assert_int_equal(parse(&c, TLS "store etcd { endpoint "
	    "http://127.0.0.1:2379; timeout 60000; max-txn-ops 1 }\n"), 0);
	assert_int_equal(c.etcd_timeout_ms, 60000);
	assert_int_equal(c.etcd_txn_ops, 1);
	round_trip(&c);
	nvad_conf_free(&c);

	assert_int_equal(parse(&c, TLS "store etcd { endpoint "
	    "http://192.0.2.7:2379; prefix \"/a b/\" }\n"), 0);
	assert_string_equal(c.etcd_prefix, "/a b/");
	round_trip(&c);
	nvad_conf_free(&c);

	/* A block-less lmdb store keeps the defaults; sizes in G. */
	assert_int_equal(parse(&c, TLS "store lmdb\n"), 0);
	assert_int_equal(c.map_size, 4ULL << 30);
	nvad_conf_free(&c);
	assert_int_equal(parse(&c, TLS "store lmdb { map-size 16384G }\n"
	    "session-queue 4G\n"), 0);
	assert_int_equal(c.map_size, 16384ULL << 30);
	assert_int_equal(c.session_wq_max, 4ULL << 30);
	round_trip(&c);
	nvad_conf_free(&c);
	assert_int_equal(parse(&c, TLS "store lmdb { map-size 1048577 }\n"
	    "session-queue 65537\n"), 0);
	assert_int_equal(c.map_size, 1048577);
	text = print_str(&c);
	assert_non_null(strstr(text, "\tmap-size 1048577\n"));
	assert_non_null(strstr(text, "session-queue 65537\n"));
	free(text);
	round_trip(&c);
	nvad_conf_free(&c);
}

/* Later settings win; limits at both ends. */
static void
test_values(void **state)
{
	struct nvad_conf c;

	assert_int_equal(parse(&c, TLS "keepalive 100\nkeepalive 600000\n"
	    "duplicate-detection moves 1000 window 86400\n"
	    "max-entries 1000000000\nmax-sessions 1\nmetrics ::1 port 1\n"
	    "metrics 198.51.100.1 port 65535\nnva-name a\n"
	    "nva-name "
	    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk\n"
	    "log-level err\nnve-policy listed\nnve-policy open\n"), 0);
	assert_int_equal(c.keepalive_ms, 600000);
	assert_int_equal(c.dup_moves, 1000);
	assert_int_equal(c.dup_window_s, 86400);
	assert_int_equal(c.max_entries, 1000000000);
	assert_int_equal(c.max_sessions, 1);
	assert_string_equal(c.metrics_addr, "198.51.100.1");
	assert_int_equal(c.metrics_port, 65535);
	assert_int_equal(strlen(c.name), 63);
	assert_int_equal(c.log_level, LOG_LVL_ERR);
	assert_false(c.listed_only);
	round_trip(&c);
	nvad_conf_free(&c);

	assert_int_equal(parse(&c, TLS "keepalive 100\n"
	    "duplicate-detection moves 1 window 1\nmax-entries 1\n"
	    "max-sessions 100000\nmetrics ::ffff:192.0.2.1 port 80\n"), 0);
	assert_int_equal(c.keepalive_ms, 100);
	assert_int_equal(c.dup_moves, 1);
	assert_int_equal(c.dup_window_s, 1);
	assert_string_equal(c.metrics_addr, "::ffff:192.0.2.1");
	round_trip(&c);
	nvad_conf_free(&c);

	/* Eight listeners, the most. */
	assert_int_equal(parse(&c, TLS "listen 127.0.0.1 port 1\n"
	    "listen 127.0.0.1 port 2\nlisten 127.0.0.1 port 3\n"
	    "listen 127.0.0.1 port 4\nlisten 127.0.0.1 port 5\n"
	    "listen 127.0.0.1 port 6\nlisten 127.0.0.1 port 7\n"
	    "listen ::1 port 7\n"), 0);
	assert_int_equal(c.nlisten, 8);
	round_trip(&c);
	nvad_conf_free(&c);
}

/* Long and scattered lists: merged, wrapped over several vn lines. */
static void
test_vn_lists(void **state)
{
	struct nvad_conf c;
	char *text;

	assert_int_equal(parse(&c, TLS "nve n {\n"
	    "\tvn 1 3 5 7 9 11 13 15 17 19\n"
	    "\tvn 10-12 2 4\n"
	    "\tvn 16777214-16777215 16777215\n"
	    "}\n"
	    "tenant big { vn 1000-1047000 }\n"
	    "tenant small { vn 1-999 }\n"), 0);
	assert_int_equal(c.nves[0].nvns, 16);
	assert_int_equal(c.nves[0].vns[0], 1);
	assert_int_equal(c.nves[0].vns[5], 7);
	assert_int_equal(c.nves[0].vns[13], 19);
	assert_int_equal(c.nves[0].vns[14], 16777214);
	assert_int_equal(c.nves[0].vns[15], 16777215);
	assert_int_equal(c.tenants[0].nvns, 1047000 - 999);
	assert_int_equal(nvad_conf_tenant_of(&c, 999), 1);
	assert_int_equal(nvad_conf_tenant_of(&c, 1000), 0);
	assert_int_equal(nvad_conf_tenant_of(&c, 1047000), 0);
	assert_int_equal(nvad_conf_tenant_of(&c, 1047001), -1);
	text = print_str(&c);
	assert_non_null(strstr(text, "nve n {\n"
	    "\tvn 1-5 7 9-13 15 17 19 16777214-16777215\n}\n"));
	assert_non_null(strstr(text, "tenant big {\n\tvn 1000-1047000\n}\n"));
	free(text);
	round_trip(&c);
	nvad_conf_free(&c);

	assert_int_equal(parse(&c, TLS "tenant t {\n"
	    "\tvn 1 3 5 7 9 11 13 15 17 19 21\n}\n"), 0);
	text = print_str(&c);
	assert_non_null(strstr(text, "tenant t {\n"
	    "\tvn 1 3 5 7 9 11 13 15\n\tvn 17 19 21\n}\n"));
	free(text);
	round_trip(&c);
	nvad_conf_free(&c);
}

/* ---- errors ------------------------------------------------------------ */

static void
test_errors_globals(void **state)
{
	expect_errors(TLS "nva-name \"a b\"\n",
	    "t:2: nva-name: 'a b' is not a name (printable ASCII, no space)\n");
	expect_errors(TLS "nva-name \"\"\n", "t:2: nva-name: empty name\n");
	expect_errors(TLS "nva-name "
	    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl\n",
	    "t:2: nva-name: too long (at most 63 characters)\n");
	expect_errors(TLS "nva-name\n", "t:2: nva-name: value missing\n");
	expect_errors(TLS "listen 192.0.2.300\n", "t:2: listen: "
	    "'192.0.2.300' is not a numeric IPv4 or IPv6 address\n");
	expect_errors(TLS "listen localhost\n", "t:2: listen: 'localhost' "
	    "is not a numeric IPv4 or IPv6 address\n");
	expect_errors(TLS "listen\n", "t:2: listen: value missing\n");
	expect_errors(TLS "listen ::1 port 0\n",
	    "t:2: listen port: '0' is not a number in 1..65535\n");
	expect_errors(TLS "listen ::1 port 65536\n",
	    "t:2: listen port: '65536' is not a number in 1..65535\n");
	expect_errors(TLS "listen ::1 port\n",
	    "t:2: listen port: number missing\n");
	expect_errors(TLS "listen ::1 4790\n", "t:2: unexpected '4790'\n");
	expect_errors(TLS "listen ::1\nlisten 0::1 port 4790\n",
	    "t:3: listen ::1 port 4790: given twice (first at t:2)\n");
	expect_errors(TLS "listen ::1 port 1\nlisten ::1 port 2\n"
	    "listen ::1 port 3\nlisten ::1 port 4\nlisten ::1 port 5\n"
	    "listen ::1 port 6\nlisten ::1 port 7\nlisten ::1 port 8\n"
	    "listen ::1 port 9\n", "t:10: listen: more than 8 addresses\n");
	expect_errors(TLS "control \"\"\n", "t:2: control: empty path\n");
	expect_errors(TLS "control /run/"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    "t:2: control: too long (at most 107 characters)\n");
	expect_errors(TLS "metrics\n",
	    "t:2: metrics: address or off missing\n");
	expect_errors(TLS "metrics 127.0.0.1\n", "t:2: metrics: port missing\n");
	expect_errors(TLS "metrics 127.0.0.1 9100\n",
	    "t:2: metrics: port missing\n");
	expect_errors(TLS "metrics on port 9100\n", "t:2: metrics: 'on' is "
	    "not a numeric IPv4 or IPv6 address\n");
	expect_errors(TLS "metrics off now\n", "t:2: unexpected 'now'\n");
	expect_errors(TLS "keepalive 99\n",
	    "t:2: keepalive: '99' is not a number in 100..600000\n");
	expect_errors(TLS "keepalive 600001\n",
	    "t:2: keepalive: '600001' is not a number in 100..600000\n");
	expect_errors(TLS "keepalive 3s\n",
	    "t:2: keepalive: '3s' is not a number in 100..600000\n");
	expect_errors(TLS "duplicate-detection window 5\n",
	    "t:2: duplicate-detection: 'moves' expected, not 'window'\n");
	expect_errors(TLS "duplicate-detection moves 5\n", "t:2: "
	    "duplicate-detection: 'window' expected, not 'end of line'\n");
	expect_errors(TLS "duplicate-detection moves 0 window 1\n",
	    "t:2: duplicate-detection moves: '0' is not a number in "
	    "1..1000\n");
	expect_errors(TLS "duplicate-detection moves 1001 window 1\n",
	    "t:2: duplicate-detection moves: '1001' is not a number in "
	    "1..1000\n");
	expect_errors(TLS "duplicate-detection moves 5 window 0\n",
	    "t:2: duplicate-detection window: '0' is not a number in "
	    "1..86400\n");
	expect_errors(TLS "duplicate-detection moves 5 window 86401\n",
	    "t:2: duplicate-detection window: '86401' is not a number in "
	    "1..86400\n");
	expect_errors(TLS "duplicate-detection moves 5 window 9 moves 3\n",
	    "t:2: unexpected 'moves'\n");
	expect_errors(TLS "max-entries 0\n",
	    "t:2: max-entries: '0' is not a number in 1..1000000000\n");
	expect_errors(TLS "max-entries 1000000001\n",
	    "t:2: max-entries: '1000000001' is not a number in "
	    "1..1000000000\n");
	expect_errors(TLS "max-sessions 0\n",
	    "t:2: max-sessions: '0' is not a number in 1..100000\n");
	expect_errors(TLS "max-sessions 100001\n",
	    "t:2: max-sessions: '100001' is not a number in 1..100000\n");
	expect_errors(TLS "session-queue\n",
	    "t:2: session-queue: size missing\n");
	expect_errors(TLS "session-queue 63K\n",
	    "t:2: session-queue: '63K' is not a size in 64K..4G\n");
	expect_errors(TLS "session-queue 65535\n",
	    "t:2: session-queue: '65535' is not a size in 64K..4G\n");
	expect_errors(TLS "session-queue 4097m\n",
	    "t:2: session-queue: '4097m' is not a size in 64K..4G\n");
	expect_errors(TLS "session-queue 1T\n",
	    "t:2: session-queue: '1T' is not a size in 64K..4G\n");
	expect_errors(TLS "session-queue G\n",
	    "t:2: session-queue: 'G' is not a size in 64K..4G\n");
	expect_errors(TLS "session-queue 99999999999999999999G\n",
	    "t:2: session-queue: '99999999999999999999G' is not a size in "
	    "64K..4G\n");
	expect_errors(TLS "session-queue 18014398509481984K\n",
	    "t:2: session-queue: '18014398509481984K' is not a size in "
	    "64K..4G\n");
	expect_errors(TLS "nve-policy closed\n",
	    "t:2: nve-policy: 'closed' is not open or listed\n");
	expect_errors(TLS "log-level loud\n",
	    "t:2: log-level: 'loud' is not debug, info, warn or err\n");
	expect_errors(TLS "frobnicate 1\n",
	    "t:2: unknown keyword 'frobnicate'\n");
}

static void
test_errors_tls_store(void **state)
{
	expect_errors("keepalive 1000\n",
	    "t:1: no tls block: cert, key and ca are required\n");
	expect_errors("\n\nkeepalive 1000\n\n",
	    "t:4: no tls block: cert, key and ca are required\n");
	expect_errors("tls\n", "t:1: tls: cert missing\nt:1: tls: key "
	    "missing\nt:1: tls: ca missing\n");
	expect_errors("tls { cert a; crt b }\n", "t:1: unknown keyword "
	    "'crt'\nt:1: tls: key missing\nt:1: tls: ca missing\n");
	expect_errors("tls {\n\tcert a\n\tkey \"\"\n\tca c\n}\n",
	    "t:3: key: empty path\nt:1: tls: key missing\n");
	expect_errors(TLS "tls { cert a; key b; ca c }\n",
	    "t:2: tls: given twice (first at t:1)\n");
	expect_errors("tls cert a\n" TLS, "t:1: unexpected 'cert'\n");
	expect_errors("tls cert a\n", "t:1: unexpected 'cert'\n");
	expect_errors(TLS "store\n", "t:2: store: value missing\n");
	expect_errors(TLS "store disk\n",
	    "t:2: store: 'disk' is not lmdb, memory or etcd\n");
	expect_errors(TLS "store memory\nstore lmdb { sync no }\n",
	    "t:3: store: given twice (first at t:2)\n");
	expect_errors(TLS "store memory { }\n", "t:2: unexpected '{'\n");
	expect_errors(TLS "store lmdb { map-size 1023K }\n",
	    "t:2: map-size: '1023K' is not a size in 1M..16384G\n");
	expect_errors(TLS "store lmdb { map-size 16385G }\n",
	    "t:2: map-size: '16385G' is not a size in 1M..16384G\n");
	expect_errors(TLS "store lmdb { map-size 4X }\n",
	    "t:2: map-size: '4X' is not a size in 1M..16384G\n");
	expect_errors(TLS "store lmdb {\n\tsync maybe\n\tpath \"\"\n"
	    "\tfoo 1\n}\n", "t:3: sync: 'maybe' is not yes or no\n"
	    "t:4: path: empty path\nt:5: unknown keyword 'foo'\n");
	expect_errors(TLS "store etcd\n",
	    "t:2: store etcd: endpoint missing\n");
	expect_errors(TLS "store etcd { prefix /x/ }\n",
	    "t:2: store etcd: endpoint missing\n");
	expect_errors(TLS "store etcd {\n"
	    "\tendpoint https://127.0.0.1:2379\n"
	    "\tendpoint http://127.0.0.1\n"
	    "\tendpoint http://127.0.0.1:0\n"
	    "\tendpoint http://127.0.0.1:65536\n"
	    "\tendpoint http://127.0.0.1:2379/v3\n"
	    "\tendpoint http://:2379\n"
	    "\tendpoint http://-etcd:2379\n"
	    "\tendpoint http://etcd_1:2379\n"
	    "\tendpoint \"http://[::1:2379\"\n"
	    "\tendpoint \"http://[zz::1]:2379\"\n"
	    "\tendpoint \"http://[]:2379\"\n"
	    "\tendpoint \"http://[::1]2379\"\n"
	    "}\n",
	    "t:3: endpoint: 'https://127.0.0.1:2379' is not http://HOST:PORT\n"
	    "t:4: endpoint: 'http://127.0.0.1' is not http://HOST:PORT\n"
	    "t:5: endpoint: 'http://127.0.0.1:0' is not http://HOST:PORT\n"
	    "t:6: endpoint: 'http://127.0.0.1:65536' is not http://HOST:PORT\n"
	    "t:7: endpoint: 'http://127.0.0.1:2379/v3' is not "
	    "http://HOST:PORT\n"
	    "t:8: endpoint: 'http://:2379' is not http://HOST:PORT\n"
	    "t:9: endpoint: 'http://-etcd:2379' is not http://HOST:PORT\n"
	    "t:10: endpoint: 'http://etcd_1:2379' is not http://HOST:PORT\n"
	    "t:11: endpoint: 'http://[::1:2379' is not http://HOST:PORT\n"
	    "t:12: endpoint: 'http://[zz::1]:2379' is not http://HOST:PORT\n"
	    "t:13: endpoint: 'http://[]:2379' is not http://HOST:PORT\n"
	    "t:14: endpoint: 'http://[::1]2379' is not http://HOST:PORT\n"
	    "t:2: store etcd: endpoint missing\n");
	expect_errors(TLS "store etcd {\n\tendpoint http://a:1\n"
	    "\tendpoint http://a:1\n}\n",
	    "t:4: endpoint http://a:1: given twice\n");
	expect_errors(TLS "store etcd {\n\tendpoint http://a:1\n"
	    "\tendpoint http://a:2\n\tendpoint http://a:3\n"
	    "\tendpoint http://a:4\n\tendpoint http://a:5\n"
	    "\tendpoint http://a:6\n\tendpoint http://a:7\n"
	    "\tendpoint http://a:8\n\tendpoint http://a:9\n}\n",
	    "t:11: endpoint: more than 8 endpoints\n");
	expect_errors(TLS "store etcd { endpoint http://a:1; prefix /x }\n",
	    "t:2: prefix: '/x' does not end in '/'\n");
	expect_errors(TLS "store etcd { endpoint http://a:1; prefix \"\" }\n",
	    "t:2: prefix: '' does not end in '/'\n");
	expect_errors(TLS "store etcd {\n\tendpoint http://a:1\n"
	    "\ttimeout 99\n\ttimeout 60001\n\ttimeout 2s\n\ttimeout\n"
	    "\tmax-txn-ops 0\n\tmax-txn-ops 100001\n"
	    "\tmax-txn-ops -1\n\tmax-txn-ops\n}\n",
	    "t:4: timeout: '99' is not a number in 100..60000\n"
	    "t:5: timeout: '60001' is not a number in 100..60000\n"
	    "t:6: timeout: '2s' is not a number in 100..60000\n"
	    "t:7: timeout: number missing\n"
	    "t:8: max-txn-ops: '0' is not a number in 1..100000\n"
	    "t:9: max-txn-ops: '100001' is not a number in 1..100000\n"
	    "t:10: max-txn-ops: '-1' is not a number in 1..100000\n"
	    "t:11: max-txn-ops: number missing\n");
	expect_errors(TLS "store etcd { endpoint http://a:1; timeout 500 "
	    "1 }\n", "t:2: unexpected '1'\n");
}

static void
test_errors_blocks(void **state)
{
	expect_errors(TLS "nve a { vn 0 }\n",
	    "t:2: vn: '0' is not a number in 1..16777215\n");
	expect_errors(TLS "nve a { vn 16777216 }\n",
	    "t:2: vn: '16777216' is not a number in 1..16777215\n");
	expect_errors(TLS "nve a { vn 5-3 }\n", "t:2: vn 5-3: LO above HI\n");
	expect_errors(TLS "nve a { vn 1-16777216 }\n",
	    "t:2: vn 1-16777216: VNs are 1..16777215\n");
	expect_errors(TLS "nve a { vn 0-2 }\n",
	    "t:2: vn 0-2: VNs are 1..16777215\n");
	expect_errors(TLS "nve a { vn x-y }\n", "t:2: vn: 'x-y' is not LO-HI\n");
	expect_errors(TLS "nve a { vn 7,8 }\n",
	    "t:2: vn: '7,8' is not a number in 1..16777215\n");
	expect_errors(TLS "nve a {\n\tvn\n}\n", "t:3: vn: VN missing\n");
	expect_errors(TLS "nve a { mode x }\n", "t:2: unknown keyword 'mode'\n");
	expect_errors(TLS "nve\n", "t:2: nve: value missing\n");
	expect_errors(TLS "nve \"a b\" { vn 1 }\n",
	    "t:2: nve: 'a b' is not a name (printable ASCII, no space)\n");
	expect_errors(TLS "nve a vn 1\n", "t:2: unexpected 'vn'\n");
	expect_errors(TLS "nve a\nnve b\nnve a { vn 1 }\n",
	    "t:4: duplicate nve 'a' (first at t:2)\n");
	expect_errors(TLS "tenant t\n", "t:2: tenant t: vn missing\n");
	expect_errors(TLS "tenant t {\n}\n", "t:2: tenant t: vn missing\n");
	expect_errors(TLS "tenant t { vn 1 }\ntenant t { vn 2 }\n",
	    "t:3: duplicate tenant 't' (first at t:2)\n");
	expect_errors(TLS "tenant red { vn 1-10 }\n"
	    "tenant blue { vn 20 5 }\n"
	    "tenant green { vn 30 }\n"
	    "tenant grey { vn 20 10 }\n",
	    "t:3: tenant blue: vn 5 is also in tenant red (t:2)\n"
	    "t:5: tenant grey: vn 10 is also in tenant red (t:2)\n");
	expect_errors(TLS "tenant a { vn 1-1048576 }\n"
	    "tenant b { vn 2000000 }\nnve n { vn 7 }\n",
	    "t:3: tenant b: more than 1048576 VNs in the lists of the file\n"
	    "t:4: nve n: more than 1048576 VNs in the lists of the file\n");
	expect_errors(TLS "coattach allow a b\n",
	    "t:2: coattach: 'deny' expected, not 'allow'\n");
	expect_errors(TLS "coattach\n",
	    "t:2: coattach: 'deny' expected, not 'end of line'\n");
	expect_errors(TLS "tenant a { vn 1 }\ncoattach deny a\n",
	    "t:3: coattach deny: value missing\n");
	expect_errors(TLS "tenant a { vn 1 }\ncoattach deny a a\n",
	    "t:3: coattach deny: tenant a twice\n");
	expect_errors(TLS "coattach deny a b\ntenant a { vn 1 }\n"
	    "tenant b { vn 2 }\ncoattach deny b a\n",
	    "t:5: coattach deny b a: given twice (first at t:2)\n");
	expect_errors(TLS "coattach deny a zz\ntenant a { vn 1 }\n"
	    "coattach deny yy xx\n",
	    "t:2: coattach deny: tenant 'zz' is not defined\n"
	    "t:4: coattach deny: tenant 'yy' is not defined\n"
	    "t:4: coattach deny: tenant 'xx' is not defined\n");
}

/* One run reports every error, whole-file checks last. */
static void
test_errors_many(void **state)
{
	expect_errors("keepalive 1\ncoattach deny a b\n"
	    "tenant a { vn 1 }\ntenant b { vn 1 }\n}\nbogus\n"
	    "nve n { vn 1\n",
	    "t:1: keepalive: '1' is not a number in 100..600000\n"
	    "t:5: unexpected '}'\n"
	    "t:6: unknown keyword 'bogus'\n"
	    "t:7: '{' is never closed\n"
	    "t:7: no tls block: cert, key and ca are required\n"
	    "t:4: tenant b: vn 1 is also in tenant a (t:3)\n");
}

/* ---- files ------------------------------------------------------------- */

static void
put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
test_include(void **state)
{
	char dir[] = "/tmp/test_nvad_conf.XXXXXX", main_[128], sub[128],
	    bad[128], want[1024];
	struct nvad_conf c;
	int rc;

	assert_non_null(mkdtemp(dir));
	snprintf(main_, sizeof(main_), "%s/nvad.conf", dir);
	snprintf(sub, sizeof(sub), "%s/tenants.conf", dir);
	snprintf(bad, sizeof(bad), "%s/bad.conf", dir);
	put_file(sub, "# tenants\ntenant red { vn 10-20 }\n"
	    "tenant blue { vn 30 }\n");
	put_file(main_, TLS "include tenants.conf\ncoattach deny red blue\n"
	    "nve tor1 { vn 10 }\n");
	grab_on();
	rc = nvad_conf_load(&c, main_);
	grab_off();
	assert_int_equal(rc, 0);
	assert_string_equal(g.out, "");
	assert_int_equal(c.ntenants, 2);
	assert_int_equal(c.tenants[1].line, 3);
	assert_int_equal(c.ndenies, 1);
	assert_int_equal(c.denies[0].line, 3);
	assert_int_equal(nvad_conf_tenant_of(&c, 15), 0);
	round_trip(&c);
	nvad_conf_free(&c);

	/* Errors and whole-file checks name the included file. */
	put_file(bad, "tenant green { vn 15 }\nkeepalive 5\n");
	put_file(main_, TLS "include tenants.conf\ninclude bad.conf\n"
	    "coattach deny green nobody\ninclude missing.conf\n");
	grab_on();
	rc = nvad_conf_load(&c, main_);
	grab_off();
	snprintf(want, sizeof(want),
	    "%s/bad.conf:2: keepalive: '5' is not a number in 100..600000\n"
	    "%s/nvad.conf:5: include %s/missing.conf: No such file or "
	    "directory\n"
	    "%s/nvad.conf:4: coattach deny: tenant 'nobody' is not defined\n"
	    "%s/bad.conf:1: tenant green: vn 15 is also in tenant red "
	    "(%s/tenants.conf:2)\n", dir, dir, dir, dir, dir, dir);
	assert_int_equal(rc, 4);
	assert_string_equal(g.out, want);
	assert_empty(&c);

	unlink(main_);
	grab_on();
	rc = nvad_conf_load(&c, main_);
	grab_off();
	snprintf(want, sizeof(want), "%s: No such file or directory\n",
	    main_);
	assert_int_equal(rc, 1);
	assert_string_equal(g.out, want);
	assert_empty(&c);

	unlink(sub);
	unlink(bad);
	assert_int_equal(rmdir(dir), 0);
}

static void
test_example(void **state)
{
	struct nvad_conf c;
	int rc;

	grab_on();
	rc = nvad_conf_load(&c, SN_SOURCE_DIR "/contrib/nvad.conf.example");
	grab_off();
	if (rc != 0)
		fail_msg("contrib/nvad.conf.example:\n%s", g.out);
	assert_int_equal(c.store, NVAD_STORE_LMDB);
	round_trip(&c);
	nvad_conf_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_store_kinds),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_vn_lists),
		cmocka_unit_test(test_errors_globals),
		cmocka_unit_test(test_errors_tls_store),
		cmocka_unit_test(test_errors_blocks),
		cmocka_unit_test(test_errors_many),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_example),
	};

	log_init("test_nvad_conf", 0, LOG_LVL_INFO);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
