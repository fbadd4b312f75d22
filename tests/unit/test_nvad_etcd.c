/*
 * test_nvad_etcd.c - nvad's etcd store (daemons/nvad/store_etcd.c)
 * against a real etcd (/usr/bin/etcd, Debian etcd-server 3.4) that the
 * test starts on 127.0.0.1 with free ports and a mkdtemp data folder,
 * and kills (folder removed) at exit, also after a failed case.
 *
 * Cases: the epoch is made once and shared by every store on a prefix;
 * MAP, NVE and SUBNET records committed by store A reach store B's
 * take() with rev = the key's mod revision and *through advancing (a
 * subnet without NVEs is a delete, the same key twice in a batch keeps
 * the last); a compare-and-swap conflict (B's key comes back in lost
 * with A's value, B's other key is written); chunking (max-txn-ops 3,
 * 10 keys: 4 transactions); a reload of more than one page sees
 * everything at one revision; undecodable records fail load naming the
 * key and are skipped by the watch, as are MAP keys deleted by hand;
 * compacted history ends take(); failover past a dead endpoint; no
 * endpoint at all; etcd killed and restarted (same data) while B
 * follows: nothing lost; etcd gone for good: take() and commit fail
 * with words.  Every wait is bounded.
 */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <openssl/evp.h>

#include "nvad.h"
#include "util/mtime.h"

#define ETCD_BIN	"/usr/bin/etcd"

static struct {
	pid_t		 pid;
	char		 dir[64];
	uint16_t	 client, peer, dead;
	char		 url[64], dead_url[64];
	bool		 skip;
} g = { .pid = -1 };

static char snames[3][NVA_NAME_MAX + 1] = { "nve1", "nve2", "nve3" };

/* ---- etcd ---------------------------------------------------------------- */

static uint16_t
free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		abort();
	close(fd);
	return ntohs(sin.sin_port);
}

static size_t
collect(char *p, size_t sz, size_t nm, void *arg)
{
	char *b = arg;
	size_t have = strlen(b), n = sz * nm;

	if (have + n >= 65536)
		n = 65535 - have;
	memcpy(b + have, p, n);
	b[have + n] = '\0';
	return sz * nm;
}

/* POST body to etcd's path (GET when body is NULL); the answer in out
 * (64 KiB); the HTTP code or 0. */
static long
raw(const char *path, const char *body, char *out)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = curl_slist_append(NULL,
	    "Content-Type: application/json");
	char url[256];
	long code = 0;

	out[0] = '\0';
	snprintf(url, sizeof(url), "%s%s", g.url, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	if (body != NULL)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 1000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdr);
	return code;
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void
etcd_start(void)
{
	char curl_[64], purl[64], cluster[96];
	char *out;
	uint64_t deadline;

	snprintf(curl_, sizeof(curl_), "http://127.0.0.1:%u", g.client);
	snprintf(purl, sizeof(purl), "http://127.0.0.1:%u", g.peer);
	snprintf(cluster, sizeof(cluster), "default=%s", purl);
	if ((g.pid = fork()) == 0) {
		int fd = open("/dev/null", O_WRONLY);

		/* dies with the test, even one that aborts (no atexit) */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fd, 1);
		dup2(fd, 2);
		execl(ETCD_BIN, "etcd", "--data-dir", g.dir,
		    "--listen-client-urls", curl_, "--advertise-client-urls",
		    curl_, "--listen-peer-urls", purl,
		    "--initial-advertise-peer-urls", purl,
		    "--initial-cluster", cluster, "--log-level", "error",
		    (char *)NULL);
		_exit(127);
	}
	assert_true(g.pid > 0);
	out = malloc(65536);
	deadline = mono_us() + 30 * USEC_PER_SEC;
	while (mono_us() < deadline) {
		if (raw("/health", NULL, out) == 200 &&
		    strstr(out, "\"true\"") != NULL)
			break;
		sleep_ms(50);
	}
	assert_non_null(strstr(out, "\"true\""));
	free(out);
}

static void
etcd_kill(void)
{
	if (g.pid > 0) {
		kill(g.pid, SIGKILL);
		waitpid(g.pid, NULL, 0);
	}
	g.pid = -1;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

static void
cleanup(void)
{
	etcd_kill();
	if (g.dir[0] != '\0')
		nftw(g.dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	g.dir[0] = '\0';
}

static int
setup_all(void **state)
{
	(void)state;
	if (access(ETCD_BIN, X_OK) != 0) {
		g.skip = true;
		return 0;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(g.dir, sizeof(g.dir), "/tmp/sn-etcd-XXXXXX");
	if (mkdtemp(g.dir) == NULL)
		return -1;
	atexit(cleanup);
	g.client = free_port();
	do
		g.peer = free_port();
	while (g.peer == g.client);
	do
		g.dead = free_port();
	while (g.dead == g.client || g.dead == g.peer);
	snprintf(g.url, sizeof(g.url), "http://127.0.0.1:%u", g.client);
	snprintf(g.dead_url, sizeof(g.dead_url), "http://127.0.0.1:%u",
	    g.dead);
	etcd_start();
	return 0;
}

static int
teardown_all(void **state)
{
	(void)state;
	cleanup();
	return 0;
}

/* ---- stores and records -------------------------------------------------- */

struct tconf {
	struct nvad_conf c;
	char		*eps[2];
};

static void
tconf(struct tconf *t, const char *prefix, unsigned timeout_ms,
    unsigned txn_ops, bool dead_first)
{
	memset(t, 0, sizeof(*t));
	if (dead_first)
		t->eps[t->c.netcd++] = g.dead_url;
	t->eps[t->c.netcd++] = g.url;
	t->c.etcd = t->eps;
	snprintf(t->c.etcd_prefix, sizeof(t->c.etcd_prefix), "%s", prefix);
	t->c.etcd_timeout_ms = timeout_ms;
	t->c.etcd_txn_ops = txn_ops;
}

static struct nvad_store *
open_store(const char *prefix, unsigned txn_ops, bool dead_first)
{
	struct nvad_store *s;
	struct tconf t;
	char err[256];
	int rc;

	tconf(&t, prefix, 1000, txn_ops, dead_first);
	rc = nvad_store_etcd_open(&s, &t.c, err, sizeof(err));
	if (rc != 0)
		fail_msg("open %s: %d %s", prefix, rc, err);
	assert_string_equal(s->ops->name, "etcd");
	assert_non_null(s->ops->follow);
	assert_non_null(s->ops->take);
	return s;
}

static void
mk_map(struct nvad_rec *r, uint32_t vn, uint8_t last, const char *nve,
    uint32_t seq)
{
	memset(r, 0, sizeof(*r));
	r->kind = NVAD_REC_MAP;
	r->vn = vn;
	r->addr.len = 4;
	r->addr.a[0] = 198;
	r->addr.a[1] = 51;
	r->addr.a[2] = 100;
	r->addr.a[3] = last;
	r->state = NVA_ST_ACTIVATED;
	r->flags = DIR_F_HAS_MAC;
	r->mac[0] = 2;
	r->mac[5] = last;
	r->seq = seq;
	r->rev = 777;		/* tentative: readers see the mod revision */
	snprintf(r->nve, sizeof(r->nve), "%s", nve);
}

static void
mk_nve(struct nvad_rec *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->kind = NVAD_REC_NVE;
	snprintf(r->nve, sizeof(r->nve), "%s", name);
	r->nunderlay = 2;
	r->underlay[0].len = 4;
	r->underlay[0].a[0] = 203;
	r->underlay[0].a[2] = 113;
	r->underlay[0].a[3] = 1;
	r->underlay[1].len = 16;
	r->underlay[1].a[0] = 0x20;
	r->underlay[1].a[1] = 0x01;
	r->underlay[1].a[2] = 0x0d;
	r->underlay[1].a[3] = 0xb8;
	r->underlay[1].a[15] = 1;
}

static void
mk_subnet(struct nvad_rec *r, unsigned n)
{
	memset(r, 0, sizeof(*r));
	r->kind = NVAD_REC_SUBNET;
	r->vn = 10;
	r->addr.len = 4;
	r->addr.a[0] = 198;
	r->addr.a[1] = 51;
	r->addr.a[2] = 100;
	r->plen = 24;
	r->snves = snames;
	r->nsnves = n;
}

/* What a load or take gave: copies (subnet names dropped, counted). */
struct got {
	struct nvad_rec	 r[2048];
	unsigned	 n, subnet_names[2048];
	char		 name0[2048][NVA_NAME_MAX + 1];
};

static int
got_cb(void *arg, const struct nvad_rec *r)
{
	struct got *g_ = arg;

	if (g_->n >= 2048)
		return -ENOSPC;
	g_->r[g_->n] = *r;
	g_->r[g_->n].snves = NULL;
	g_->subnet_names[g_->n] = r->nsnves;
	g_->name0[g_->n][0] = '\0';
	if (r->kind == NVAD_REC_SUBNET && r->nsnves > 0)
		snprintf(g_->name0[g_->n], NVA_NAME_MAX + 1, "%s",
		    r->snves[r->nsnves - 1]);
	g_->n++;
	return 0;
}

static struct got *
got_new(void)
{
	struct got *g_ = calloc(1, sizeof(*g_));

	assert_non_null(g_);
	return g_;
}

/* The record as a reader sees it: rev = mod revision, snves apart. */
static void
assert_rec(const struct nvad_rec *have, const struct nvad_rec *want,
    uint64_t rev)
{
	struct nvad_rec w = *want;

	if (w.kind == NVAD_REC_MAP)
		w.rev = rev;
	w.snves = NULL;
	w.nsnves = have->nsnves;
	assert_memory_equal(have, &w, sizeof(w));
}

static pthread_mutex_t wake_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned wakes;

static void
on_wake(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&wake_mu);
	wakes++;
	pthread_mutex_unlock(&wake_mu);
}

/* take() until want records came (or through reached until_rev), at
 * most 15 s; returns take's last result. */
static int
take_until(struct nvad_store *s, struct got *got, unsigned want,
    uint64_t until_rev, uint64_t *through)
{
	uint64_t deadline = mono_us() + 15 * USEC_PER_SEC;
	int rc;

	for (;;) {
		rc = s->ops->take(s, got_cb, got, through);
		if (rc != 0 || (got->n >= want && *through >= until_rev))
			return rc;
		if (mono_us() > deadline)
			fail_msg("take: %u of %u records, through %llu of %llu "
			    "after 15 s", got->n, want,
			    (unsigned long long)*through,
			    (unsigned long long)until_rev);
		sleep_ms(20);
	}
}

#define SKIP_NO_ETCD()	do { if (g.skip) skip(); } while (0)

/* ---- cases --------------------------------------------------------------- */

/* The first store on a prefix makes the epoch; the others read it. */
static void
test_epoch(void **state)
{
	struct nvad_store *a, *b, *c;
	uint64_t ea, eb, ec, ra, rb;

	(void)state;
	SKIP_NO_ETCD();
	a = open_store("/t1/", 128, false);
	b = open_store("/t1/", 128, false);
	c = open_store("/t1x/", 128, false);
	assert_int_equal(a->ops->meta(a, &ea, &ra), 0);
	assert_int_equal(b->ops->meta(b, &eb, &rb), 0);
	assert_int_equal(c->ops->meta(c, &ec, &rb), 0);
	assert_true(ea != 0 && ea <= INT64_MAX);
	assert_int_equal(ea, eb);
	assert_true(ec != 0 && ec != ea);
	assert_true(ra > 0);
	a->ops->close(a);
	b->ops->close(b);
	c->ops->close(c);
	/* and it stays: a store opened later reads the same one */
	a = open_store("/t1/", 128, false);
	assert_int_equal(a->ops->meta(a, &eb, &rb), 0);
	assert_int_equal(ea, eb);
	a->ops->close(a);
}

/* A commits, B follows: every kind, rev = mod revision, deletes. */
static void
test_follow_kinds(void **state)
{
	struct nvad_store *a, *b;
	struct nvad_commit res;
	struct nvad_rec m, m2, n, sn;
	struct got *got = got_new();
	uint64_t through = 0, epoch, r0, rec, oct;
	unsigned w0;

	(void)state;
	SKIP_NO_ETCD();
	a = open_store("/t2/", 128, false);
	b = open_store("/t2/", 128, false);
	assert_int_equal(a->ops->load(a, got_cb, got), 0);
	assert_int_equal(b->ops->load(b, got_cb, got), 0);
	assert_int_equal(got->n, 0);
	assert_int_equal(b->ops->meta(b, &epoch, &r0), 0);
	/* before follow(), take() gives nothing and says the load's rev */
	assert_int_equal(b->ops->take(b, got_cb, got, &through), 0);
	assert_int_equal(through, r0);
	assert_int_equal(b->ops->follow(b, on_wake, NULL), 0);
	assert_int_equal(b->ops->follow(b, on_wake, NULL), -EALREADY);
	pthread_mutex_lock(&wake_mu);
	w0 = wakes;
	pthread_mutex_unlock(&wake_mu);

	mk_map(&m, 10, 1, "nve1", 1);
	mk_map(&m2, 10, 1, "nve2", 2);	/* same key: the last one wins */
	mk_nve(&n, "nve1");
	mk_subnet(&sn, 3);
	assert_int_equal(a->ops->put(a, &m), 0);
	assert_int_equal(a->ops->put(a, &n), 0);
	assert_int_equal(a->ops->put(a, &sn), 0);
	assert_int_equal(a->ops->put(a, &m2), 0);
	assert_int_equal(a->ops->commit(a, 5, &res), 0);
	assert_int_equal(res.nlost, 0);
	assert_null(res.lost);
	assert_true(res.rev > r0);
	assert_int_equal(take_until(b, got, 3, res.rev, &through), 0);
	assert_int_equal(got->n, 3);
	assert_int_equal(through, res.rev);
	/* one transaction: one revision, in the order staged */
	assert_rec(&got->r[0], &m2, res.rev);
	assert_rec(&got->r[1], &n, res.rev);
	assert_rec(&got->r[2], &sn, res.rev);
	assert_int_equal(got->subnet_names[2], 3);
	assert_string_equal(got->name0[2], "nve3");
	pthread_mutex_lock(&wake_mu);
	assert_true(wakes > w0);
	pthread_mutex_unlock(&wake_mu);
	b->ops->stats(b, &oct, &rec);
	assert_int_equal(rec, 3);
	assert_int_equal(oct, 0);

	/* a subnet with no NVE left: a delete, seen as such */
	mk_subnet(&sn, 0);
	got->n = 0;
	assert_int_equal(a->ops->put(a, &sn), 0);
	assert_int_equal(a->ops->commit(a, 6, &res), 0);
	assert_int_equal(take_until(b, got, 1, res.rev, &through), 0);
	assert_int_equal(got->n, 1);
	assert_rec(&got->r[0], &sn, res.rev);
	assert_int_equal(got->subnet_names[0], 0);
	assert_int_equal(through, res.rev);
	b->ops->stats(b, &oct, &rec);
	assert_int_equal(rec, 2);

	/* nothing staged: nothing written, rev as known */
	assert_int_equal(a->ops->commit(a, 7, &res), 0);
	assert_int_equal(res.nlost, 0);
	assert_int_equal(res.rev, through);
	/* abort drops the batch */
	mk_map(&m, 10, 9, "nve1", 1);
	assert_int_equal(a->ops->put(a, &m), 0);
	a->ops->abort(a);
	assert_int_equal(a->ops->commit(a, 8, &res), 0);
	/* bad records are refused at put */
	m.kind = 9;
	assert_int_equal(a->ops->put(a, &m), -EINVAL);
	mk_nve(&n, "");
	assert_int_equal(a->ops->put(a, &n), -EINVAL);

	/* a later store loads what is there at one revision */
	b->ops->close(b);
	b = open_store("/t2/", 128, false);
	got->n = 0;
	assert_int_equal(b->ops->load(b, got_cb, got), 0);
	assert_int_equal(got->n, 2);
	assert_int_equal(b->ops->meta(b, &epoch, &r0), 0);
	assert_true(r0 >= res.rev);
	a->ops->close(a);
	b->ops->close(b);
	free(got);
}

/* A and B race for one key: B loses it and learns A's value. */
static void
test_conflict(void **state)
{
	struct nvad_store *a, *b, *c;
	struct nvad_commit ra, rb;
	struct nvad_rec k_a, k_b, x_a, x_b;
	struct got *got = got_new();
	unsigned i;

	(void)state;
	SKIP_NO_ETCD();
	a = open_store("/t3/", 128, false);
	b = open_store("/t3/", 128, false);
	assert_int_equal(a->ops->load(a, got_cb, got), 0);
	assert_int_equal(b->ops->load(b, got_cb, got), 0);
	mk_map(&k_a, 20, 1, "nve1", 1);
	mk_map(&k_b, 20, 1, "nve2", 1);
	mk_map(&x_a, 20, 2, "nve1", 1);
	mk_map(&x_b, 20, 3, "nve2", 1);
	assert_int_equal(a->ops->put(a, &k_a), 0);
	assert_int_equal(a->ops->put(a, &x_a), 0);
	assert_int_equal(b->ops->put(b, &k_b), 0);
	assert_int_equal(b->ops->put(b, &x_b), 0);
	assert_int_equal(a->ops->commit(a, 1, &ra), 0);
	assert_int_equal(ra.nlost, 0);
	assert_int_equal(b->ops->commit(b, 1, &rb), 0);
	assert_int_equal(rb.nlost, 1);
	assert_rec(&rb.lost[0], &k_a, ra.rev);
	/* x_b went in a transaction of its own */
	assert_true(rb.rev > ra.rev);

	/* B knows the key's revision now: its next write goes through */
	k_b.seq = 2;
	assert_int_equal(b->ops->put(b, &k_b), 0);
	assert_int_equal(b->ops->commit(b, 2, &rb), 0);
	assert_int_equal(rb.nlost, 0);
	/* while A, which did not follow, loses it in turn */
	k_a.seq = 3;
	assert_int_equal(a->ops->put(a, &k_a), 0);
	assert_int_equal(a->ops->commit(a, 2, &ra), 0);
	assert_int_equal(ra.nlost, 1);
	assert_rec(&ra.lost[0], &k_b, rb.rev);
	assert_int_equal(ra.rev, rb.rev);	/* all lost: the current one */

	c = open_store("/t3/", 128, false);
	assert_int_equal(c->ops->load(c, got_cb, got), 0);
	assert_int_equal(got->n, 3);
	for (i = 0; i < 3; i++) {
		if (got->r[i].addr.a[3] == 1)
			assert_rec(&got->r[i], &k_b, rb.rev);
		else
			assert_string_equal(got->r[i].nve,
			    got->r[i].addr.a[3] == 2 ? "nve1" : "nve2");
	}
	a->ops->close(a);
	b->ops->close(b);
	c->ops->close(c);
	free(got);
}

/* max-txn-ops 3 and 10 keys: 4 transactions, the result is the last. */
static void
test_chunks(void **state)
{
	struct nvad_store *a, *b;
	struct nvad_commit res;
	struct nvad_rec m;
	struct got *got = got_new();
	uint64_t epoch, r0, rev0, through = 0;
	unsigned i;

	(void)state;
	SKIP_NO_ETCD();
	a = open_store("/t4/", 3, false);
	b = open_store("/t4/", 3, false);
	assert_int_equal(a->ops->load(a, got_cb, got), 0);
	assert_int_equal(b->ops->load(b, got_cb, got), 0);
	assert_int_equal(b->ops->follow(b, on_wake, NULL), 0);
	assert_int_equal(a->ops->meta(a, &epoch, &r0), 0);
	/* the current revision, which this test's etcd alone moves */
	assert_int_equal(a->ops->commit(a, 1, &res), 0);
	rev0 = res.rev;
	for (i = 0; i < 10; i++) {
		mk_map(&m, 30, (uint8_t)i, "nve1", i);
		assert_int_equal(a->ops->put(a, &m), 0);
	}
	assert_int_equal(a->ops->commit(a, 2, &res), 0);
	assert_int_equal(res.nlost, 0);
	assert_int_equal(res.rev, rev0 + 4);
	assert_int_equal(take_until(b, got, 10, res.rev, &through), 0);
	assert_int_equal(got->n, 10);
	for (i = 0; i < 10; i++) {
		mk_map(&m, 30, (uint8_t)i, "nve1", i);
		assert_rec(&got->r[i], &m, rev0 + 1 + i / 3);
	}
	assert_int_equal(through, res.rev);
	a->ops->close(a);
	b->ops->close(b);
	free(got);
}

/* More than one page (1000 keys) at one revision. */
static void
test_reload_pages(void **state)
{
	struct nvad_store *a, *b;
	struct nvad_commit res;
	struct nvad_rec m;
	struct got *got = got_new();
	uint64_t epoch, r0;
	unsigned i;

	(void)state;
	SKIP_NO_ETCD();
	a = open_store("/t5/", 128, false);
	assert_int_equal(a->ops->load(a, got_cb, got), 0);
	for (i = 0; i < 1100; i++) {
		mk_map(&m, 40 + i / 256, (uint8_t)i, "nve1", i);
		assert_int_equal(a->ops->put(a, &m), 0);
	}
	mk_nve(&m, "nve1");
	assert_int_equal(a->ops->put(a, &m), 0);
	assert_int_equal(a->ops->commit(a, 1, &res), 0);
	assert_int_equal(res.nlost, 0);
	b = open_store("/t5/", 128, false);
	assert_int_equal(b->ops->load(b, got_cb, got), 0);
	assert_int_equal(got->n, 1101);
	assert_int_equal(b->ops->meta(b, &epoch, &r0), 0);
	assert_true(r0 >= res.rev);
	for (i = 0; i < got->n; i++)
		if (got->r[i].kind == NVAD_REC_MAP)
			assert_true(got->r[i].rev > 0 && got->r[i].rev <= r0);
	a->ops->close(a);
	b->ops->close(b);
	free(got);
}

static void
b64(char *out, const void *in, size_t n)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

static void
raw_put(const char *key, const void *v, size_t vn)
{
	char kb[256], vb[256], body[600], *out = malloc(65536);

	b64(kb, key, strlen(key));
	b64(vb, v, vn);
	snprintf(body, sizeof(body), "{\"key\":\"%s\",\"value\":\"%s\"}", kb,
	    vb);
	assert_int_equal(raw("/v3/kv/put", body, out), 200);
	free(out);
}

static void
raw_del(const char *key)
{
	char kb[256], body[300], *out = malloc(65536);

	b64(kb, key, strlen(key));
	snprintf(body, sizeof(body), "{\"key\":\"%s\"}", kb);
	assert_int_equal(raw("/v3/kv/deleterange", body, out), 200);
	free(out);
}

/* Records nvad did not write: load refuses them, the watch skips them. */
static void
test_bad_records(void **state)
{
	static const uint8_t bad_ver[] = { 2, 1 };
	struct nvad_store *a, *b;
	struct nvad_commit res;
	struct nvad_rec m;
	struct got *got = got_new();
	uint64_t through = 0;
	int rc;

	(void)state;
	SKIP_NO_ETCD();
	raw_put("/t6/m/0000000a04c6336401", bad_ver, sizeof(bad_ver));
	a = open_store("/t6/", 128, false);
	rc = a->ops->load(a, got_cb, got);
	assert_int_equal(rc, -EBADMSG);
	assert_string_equal(a->err, "etcd key /t6/m/0000000a04c6336401: "
	    "unknown record version");
	a->ops->close(a);
	raw_del("/t6/m/0000000a04c6336401");
	raw_put("/t6/x/00", "1", 1);
	a = open_store("/t6/", 128, false);
	assert_int_equal(a->ops->load(a, got_cb, got), -EBADMSG);
	assert_string_equal(a->err, "etcd key /t6/x/00: not a key of this "
	    "store");
	a->ops->close(a);
	raw_del("/t6/x/00");

	a = open_store("/t6/", 128, false);
	b = open_store("/t6/", 128, false);
	assert_int_equal(a->ops->load(a, got_cb, got), 0);
	assert_int_equal(b->ops->load(b, got_cb, got), 0);
	assert_int_equal(got->n, 0);
	assert_int_equal(b->ops->follow(b, on_wake, NULL), 0);
	mk_map(&m, 10, 1, "nve1", 1);
	assert_int_equal(a->ops->put(a, &m), 0);
	assert_int_equal(a->ops->commit(a, 1, &res), 0);
	/* garbage and a hand delete: skipped, but through moves past them */
	raw_put("/t6/m/0000000a04c6336402", bad_ver, sizeof(bad_ver));
	raw_del("/t6/m/0000000a04c6336401");
	mk_map(&m, 10, 3, "nve1", 1);
	assert_int_equal(a->ops->put(a, &m), 0);
	assert_int_equal(a->ops->commit(a, 2, &res), 0);
	assert_int_equal(take_until(b, got, 2, res.rev, &through), 0);
	assert_int_equal(got->n, 2);
	assert_int_equal(got->r[0].addr.a[3], 1);
	assert_int_equal(got->r[1].addr.a[3], 3);
	assert_int_equal(through, res.rev);
	assert_string_equal(b->err, "etcd key /t6/m/0000000a04c6336402: "
	    "unknown record version (skipped)");
	/* a write over the garbage works: it is overwritten */
	mk_map(&m, 10, 2, "nve1", 1);
	assert_int_equal(a->ops->put(a, &m), 0);
	assert_int_equal(a->ops->commit(a, 3, &res), 0);
	assert_int_equal(res.nlost, 0);
	a->ops->close(a);
	b->ops->close(b);
	free(got);
}

/* History compacted past what a follower needs: take() says so. */
static void
test_compacted(void **state)
{
	struct nvad_store *a, *b;
	struct nvad_commit res;
	struct nvad_rec m;
	struct got *got = got_new();
	uint64_t through = 0, deadline;
	char body[64], *out = malloc(65536);
	int rc;

	(void)state;
	SKIP_NO_ETCD();
	a = open_store("/t7/", 128, false);
	b = open_store("/t7/", 128, false);
	assert_int_equal(b->ops->load(b, got_cb, got), 0);
	mk_map(&m, 10, 1, "nve1", 1);
	assert_int_equal(a->ops->put(a, &m), 0);
	assert_int_equal(a->ops->commit(a, 1, &res), 0);
	m.seq = 2;
	assert_int_equal(a->ops->put(a, &m), 0);
	assert_int_equal(a->ops->commit(a, 2, &res), 0);
	snprintf(body, sizeof(body), "{\"revision\":\"%llu\"}",
	    (unsigned long long)res.rev);
	assert_int_equal(raw("/v3/kv/compaction", body, out), 200);
	free(out);
	assert_int_equal(b->ops->follow(b, on_wake, NULL), 0);
	deadline = mono_us() + 15 * USEC_PER_SEC;
	while ((rc = b->ops->take(b, got_cb, got, &through)) == 0 &&
	    mono_us() < deadline)
		sleep_ms(20);
	assert_int_equal(rc, -1);
	assert_int_equal(got->n, 0);
	assert_non_null(strstr(b->err, "compacted through revision"));
	a->ops->close(a);
	b->ops->close(b);
	free(got);
}

/* A dead endpoint first: every request and the watch go past it. */
static void
test_failover(void **state)
{
	struct nvad_store *a, *b;
	struct nvad_commit res;
	struct nvad_rec m;
	struct got *got = got_new();
	uint64_t through = 0;

	(void)state;
	SKIP_NO_ETCD();
	a = open_store("/t8/", 128, true);
	b = open_store("/t8/", 128, true);
	assert_int_equal(a->ops->load(a, got_cb, got), 0);
	assert_int_equal(b->ops->load(b, got_cb, got), 0);
	assert_int_equal(b->ops->follow(b, on_wake, NULL), 0);
	mk_map(&m, 10, 1, "nve1", 1);
	assert_int_equal(a->ops->put(a, &m), 0);
	assert_int_equal(a->ops->commit(a, 1, &res), 0);
	assert_int_equal(res.nlost, 0);
	assert_int_equal(take_until(b, got, 1, res.rev, &through), 0);
	assert_rec(&got->r[0], &m, res.rev);
	a->ops->close(a);
	b->ops->close(b);
	free(got);
}

/* Nothing answers: open fails and says why. */
static void
test_no_endpoint(void **state)
{
	struct nvad_store *s = (void *)1;
	struct tconf t;
	char err[256], want[256];

	(void)state;
	SKIP_NO_ETCD();
	tconf(&t, "/t9/", 500, 128, true);
	t.eps[1] = t.eps[0];
	assert_int_equal(nvad_store_etcd_open(&s, &t.c, err, sizeof(err)),
	    -EHOSTUNREACH);
	assert_null(s);
	snprintf(want, sizeof(want), "etcd: no endpoint answered (etcd %s: "
	    "connection refused)", g.dead_url);
	assert_string_equal(err, want);
	t.c.netcd = 0;
	assert_int_equal(nvad_store_etcd_open(&s, &t.c, err, sizeof(err)),
	    -EINVAL);
}

/* etcd killed and restarted on its data while B follows: B resumes
 * from where it was and misses nothing; then etcd goes for good. */
static void
test_restart(void **state)
{
	struct nvad_store *a, *b;
	struct nvad_commit res;
	struct nvad_rec m;
	struct got *got = got_new();
	uint64_t through = 0, deadline;
	unsigned i;
	int rc;

	(void)state;
	SKIP_NO_ETCD();
	a = open_store("/t10/", 128, false);
	b = open_store("/t10/", 128, false);
	assert_int_equal(a->ops->load(a, got_cb, got), 0);
	assert_int_equal(b->ops->load(b, got_cb, got), 0);
	assert_int_equal(b->ops->follow(b, on_wake, NULL), 0);
	mk_map(&m, 10, 0, "nve1", 1);
	assert_int_equal(a->ops->put(a, &m), 0);
	assert_int_equal(a->ops->commit(a, 1, &res), 0);
	assert_int_equal(take_until(b, got, 1, res.rev, &through), 0);

	etcd_kill();
	/* a commit with nobody to answer fails and says so */
	mk_map(&m, 10, 100, "nve1", 1);
	assert_int_equal(a->ops->put(a, &m), 0);
	rc = a->ops->commit(a, 2, &res);
	assert_int_equal(rc, -EHOSTUNREACH);
	assert_non_null(strstr(a->err, "etcd: no endpoint answered (etcd "));
	etcd_start();
	for (i = 1; i <= 5; i++) {
		mk_map(&m, 10, (uint8_t)i, "nve1", 1);
		assert_int_equal(a->ops->put(a, &m), 0);
		assert_int_equal(a->ops->commit(a, 2 + i, &res), 0);
		assert_int_equal(res.nlost, 0);
	}
	assert_int_equal(take_until(b, got, 6, res.rev, &through), 0);
	assert_int_equal(got->n, 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(got->r[i].addr.a[3], i);
	assert_int_equal(through, res.rev);
	a->ops->close(a);
	b->ops->close(b);

	/* for good: a follower with a short timeout gives up with words */
	{
		struct tconf t;
		char err[256];

		tconf(&t, "/t10/", 100, 128, false);
		assert_int_equal(nvad_store_etcd_open(&b, &t.c, err,
		    sizeof(err)), 0);
	}
	got->n = 0;
	assert_int_equal(b->ops->load(b, got_cb, got), 0);
	assert_int_equal(b->ops->follow(b, on_wake, NULL), 0);
	etcd_kill();
	deadline = mono_us() + 15 * USEC_PER_SEC;
	while ((rc = b->ops->take(b, got_cb, got, &through)) == 0 &&
	    mono_us() < deadline)
		sleep_ms(20);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(b->err, "etcd: no endpoint answered the "
	    "watch for 1000 ms"));
	b->ops->close(b);
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_follow_kinds),
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_reload_pages),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_compacted),
		cmocka_unit_test(test_failover),
		cmocka_unit_test(test_no_endpoint),
		cmocka_unit_test(test_restart),
	};

	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
