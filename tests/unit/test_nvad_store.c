/*
 * test_nvad_store.c - nvad's directory stores (daemons/nvad/store_mem.c,
 * store_lmdb.c) through the one provider interface: put/commit/load of
 * MAP, NVE and SUBNET records (a SUBNET with no NVE deletes), abort
 * drops the batch, meta (epoch never 0, rev), stats; LMDB only: reopen
 * keeps epoch, rev and records, a corrupt record (bad version, bad
 * length) fails load naming its key, a bad path fails open with a
 * message, and kill -9: a child commits batches and reports each over a
 * pipe, the parent SIGKILLs it after a random number of reports,
 * reopens, and finds every reported batch.  Folders are mkdtemp ones,
 * removed at the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <lmdb.h>

#include "nvad.h"

static char snames[2][NVA_NAME_MAX + 1] = { "nve1", "nve2" };

static void
mk_map(struct nvad_rec *r, uint32_t vn, uint8_t last, uint64_t rev)
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
	r->seq = 3;
	r->rev = rev;
	snprintf(r->nve, sizeof(r->nve), "nve1");
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

struct seen {
	unsigned maps, nves, subnets;
	unsigned nsn;
	uint64_t maxrev;
	bool map_ok, nve_ok;
	int stop_at;
};

static int
seen_cb(void *arg, const struct nvad_rec *r)
{
	struct seen *s = arg;
	struct nvad_rec x;

	if (s->stop_at > 0 && s->maps + s->nves + s->subnets + 1 ==
	    (unsigned)s->stop_at)
		return -ECANCELED;
	switch (r->kind) {
	case NVAD_REC_MAP:
		s->maps++;
		if (r->rev > s->maxrev)
			s->maxrev = r->rev;
		mk_map(&x, r->vn, r->addr.a[3], r->rev);
		if (r->vn == 10 && r->addr.a[3] == 1)
			s->map_ok = memcmp(&x, r, sizeof(x)) == 0;
		break;
	case NVAD_REC_NVE:
		s->nves++;
		mk_nve(&x, r->nve);
		s->nve_ok = memcmp(&x, r, sizeof(x)) == 0;
		break;
	case NVAD_REC_SUBNET:
		s->subnets++;
		s->nsn = r->nsnves;
		assert_int_equal(r->plen, 24);
		assert_int_equal(r->vn, 10);
		assert_int_equal(r->addr.len, 4);
		assert_string_equal(r->snves[0], "nve1");
		if (r->nsnves > 1)
			assert_string_equal(r->snves[1], "nve2");
		break;
	default:
		fail();
	}
	return 0;
}

/* The common contract, for any store. */
static void
contract(struct nvad_store *s)
{
	struct nvad_commit res;
	struct nvad_rec r;
	struct seen sn;
	uint64_t epoch, rev, oct, nrec;

	assert_int_equal(s->ops->meta(s, &epoch, &rev), 0);
	assert_int_not_equal(epoch, 0);
	assert_int_equal(rev, 0);
	mk_map(&r, 10, 1, 1);
	assert_int_equal(s->ops->put(s, &r), 0);
	mk_map(&r, 10, 2, 2);
	assert_int_equal(s->ops->put(s, &r), 0);
	mk_nve(&r, "nve1");
	assert_int_equal(s->ops->put(s, &r), 0);
	mk_subnet(&r, 2);
	assert_int_equal(s->ops->put(s, &r), 0);
	r.kind = 7;
	assert_int_equal(s->ops->put(s, &r), -EINVAL);
	assert_int_equal(s->ops->commit(s, 2, &res), 0);
	assert_int_equal(s->ops->meta(s, &epoch, &rev), 0);
	assert_int_equal(rev, 2);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(s->ops->load(s, seen_cb, &sn), 0);
	assert_int_equal(sn.maps, 2);
	assert_int_equal(sn.nves, 1);
	assert_int_equal(sn.subnets, 1);
	assert_int_equal(sn.nsn, 2);
	assert_true(sn.map_ok);
	assert_true(sn.nve_ok);
	s->ops->stats(s, &oct, &nrec);
	assert_int_equal(nrec, 4);
	assert_true(oct > 0);
	/* the callback's error stops the walk and comes back */
	memset(&sn, 0, sizeof(sn));
	sn.stop_at = 2;
	assert_int_equal(s->ops->load(s, seen_cb, &sn), -ECANCELED);
	/* an aborted batch leaves nothing */
	mk_map(&r, 10, 3, 3);
	assert_int_equal(s->ops->put(s, &r), 0);
	s->ops->abort(s);
	assert_int_equal(s->ops->commit(s, 2, &res), 0);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(s->ops->load(s, seen_cb, &sn), 0);
	assert_int_equal(sn.maps, 2);
	/* a newer record replaces; a subnet with no NVE goes */
	mk_map(&r, 10, 2, 5);
	assert_int_equal(s->ops->put(s, &r), 0);
	mk_subnet(&r, 0);
	assert_int_equal(s->ops->put(s, &r), 0);
	assert_int_equal(s->ops->commit(s, 5, &res), 0);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(s->ops->load(s, seen_cb, &sn), 0);
	assert_int_equal(sn.maps, 2);
	assert_int_equal(sn.subnets, 0);
	assert_int_equal(sn.maxrev, 5);
	assert_int_equal(s->ops->meta(s, &epoch, &rev), 0);
	assert_int_equal(rev, 5);
	s->ops->stats(s, &oct, &nrec);
	assert_int_equal(nrec, 3);
}

static void
t_mem(void **state)
{
	struct nvad_store *s;

	(void)state;
	assert_int_equal(nvad_store_mem_open(&s), 0);
	assert_string_equal(s->ops->name, "memory");
	contract(s);
	s->ops->close(s);
}

static char *
tmpdir(void)
{
	char *t = strdup("/tmp/test_nvad_store.XXXXXX");

	assert_non_null(t);
	assert_non_null(mkdtemp(t));
	return t;
}

static void
rmdb(const char *dir)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/db/data.mdb", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/db/lock.mdb", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/db", dir);
	rmdir(p);
	rmdir(dir);
}

static void
t_lmdb(void **state)
{
	struct nvad_store *s;
	char *dir = tmpdir(), db[512], err[256];
	uint64_t epoch, rev, e2;
	struct stat st;
	struct seen sn;

	(void)state;
	snprintf(db, sizeof(db), "%s/db", dir);
	assert_int_equal(nvad_store_lmdb_open(&s, db, 64 << 20, true, err,
	    sizeof(err)), 0);
	assert_int_equal(stat(db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_string_equal(s->ops->name, "lmdb");
	contract(s);
	assert_int_equal(s->ops->meta(s, &epoch, &rev), 0);
	s->ops->close(s);
	/* reopen: same epoch, rev and records */
	assert_int_equal(nvad_store_lmdb_open(&s, db, 64 << 20, false, err,
	    sizeof(err)), 0);
	assert_int_equal(s->ops->meta(s, &e2, &rev), 0);
	assert_int_equal(e2, epoch);
	assert_int_equal(rev, 5);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(s->ops->load(s, seen_cb, &sn), 0);
	assert_int_equal(sn.maps, 2);
	assert_int_equal(sn.nves, 1);
	s->ops->close(s);
	rmdb(dir);
	/* a path that cannot be made */
	assert_int_equal(nvad_store_lmdb_open(&s, "/nonexistent/x/y", 0, true,
	    err, sizeof(err)), -ENOENT);
	assert_null(s);
	assert_non_null(strstr(err, "/nonexistent/x/y"));
	free(dir);
}

/* Writes one raw value under key into database name of the env at db. */
static void
raw_put(const char *db, const char *name, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };

	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 4), 0);
	assert_int_equal(mdb_env_open(env, db, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, name, 0, &dbi), 0);
	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void
t_lmdb_corrupt(void **state)
{
	struct nvad_commit res;
	struct nvad_store *s;
	char *dir = tmpdir(), db[512], err[256];
	const uint8_t key[9] = { 0, 0, 0, 10, 4, 198, 51, 100, 9 };
	uint8_t val[22 + 4] = { 1, NVA_ST_ACTIVATED, 0 };
	struct nvad_rec r;
	struct seen sn;

	(void)state;
	snprintf(db, sizeof(db), "%s/db", dir);
	assert_int_equal(nvad_store_lmdb_open(&s, db, 0, true, err,
	    sizeof(err)), 0);
	mk_map(&r, 10, 1, 1);
	assert_int_equal(s->ops->put(s, &r), 0);
	assert_int_equal(s->ops->commit(s, 1, &res), 0);
	s->ops->close(s);
	/* a good record written raw, then a wrong version */
	val[21] = 4;
	memcpy(val + 22, "nve1", 4);
	raw_put(db, "map", key, sizeof(key), val, sizeof(val));
	assert_int_equal(nvad_store_lmdb_open(&s, db, 0, true, err,
	    sizeof(err)), 0);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(s->ops->load(s, seen_cb, &sn), 0);
	assert_int_equal(sn.maps, 2);
	s->ops->close(s);
	val[0] = 9;
	raw_put(db, "map", key, sizeof(key), val, sizeof(val));
	assert_int_equal(nvad_store_lmdb_open(&s, db, 0, true, err,
	    sizeof(err)), 0);
	assert_int_equal(s->ops->load(s, seen_cb, &sn), -EBADMSG);
	assert_non_null(strstr(s->err, "map record, key 0000000a04c6336409"));
	assert_non_null(strstr(s->err, "version"));
	s->ops->close(s);
	/* a length that does not add up */
	val[0] = 1;
	raw_put(db, "map", key, sizeof(key), val, sizeof(val) - 1);
	assert_int_equal(nvad_store_lmdb_open(&s, db, 0, true, err,
	    sizeof(err)), 0);
	assert_int_equal(s->ops->load(s, seen_cb, &sn), -EBADMSG);
	assert_non_null(strstr(s->err, "length"));
	s->ops->close(s);
	/* a bad key in "nve" */
	raw_put(db, "map", key, sizeof(key), val, sizeof(val));
	raw_put(db, "nve", "bad name", 8, "\001\000", 2);
	assert_int_equal(nvad_store_lmdb_open(&s, db, 0, true, err,
	    sizeof(err)), 0);
	assert_int_equal(s->ops->load(s, seen_cb, &sn), -EBADMSG);
	assert_non_null(strstr(s->err, "nve record"));
	s->ops->close(s);
	rmdb(dir);
	free(dir);
}

#define KILL_BATCHES	400
#define KILL_RECS	5

static void
child_run(const char *db, int wfd)
{
	struct nvad_commit res;
	struct nvad_store *s;
	struct nvad_rec r;
	char err[256];
	uint32_t b;
	unsigned i;

	if (nvad_store_lmdb_open(&s, db, 64 << 20, true, err, sizeof(err)))
		_exit(2);
	for (b = 1; b <= KILL_BATCHES; b++) {
		for (i = 0; i < KILL_RECS; i++) {
			mk_map(&r, b, (uint8_t)(i + 1), b);
			if (s->ops->put(s, &r) != 0)
				_exit(3);
		}
		if (s->ops->commit(s, b, &res) != 0)
			_exit(4);
		if (write(wfd, &b, sizeof(b)) != (ssize_t)sizeof(b))
			_exit(5);
	}
	_exit(0);
}

struct batches {
	unsigned per[KILL_BATCHES + 1];
};

static int
batch_cb(void *arg, const struct nvad_rec *r)
{
	struct batches *bt = arg;

	assert_int_equal(r->kind, NVAD_REC_MAP);
	assert_true(r->vn >= 1 && r->vn <= KILL_BATCHES);
	assert_int_equal(r->rev, r->vn);
	bt->per[r->vn]++;
	return 0;
}

static void
t_lmdb_kill9(void **state)
{
	struct nvad_store *s;
	struct batches *bt = calloc(1, sizeof(*bt));
	char *dir = tmpdir(), db[512], err[256];
	uint32_t b, last = 0;
	unsigned want, got = 0, i;
	uint64_t epoch, rev;
	int fds[2], st;
	pid_t pid;

	(void)state;
	assert_non_null(bt);
	snprintf(db, sizeof(db), "%s/db", dir);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	want = 1 + (unsigned)rand() % (KILL_BATCHES / 2);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		child_run(db, fds[1]);
	}
	close(fds[1]);
	while (got < want && read(fds[0], &b, sizeof(b)) ==
	    (ssize_t)sizeof(b)) {
		last = b;
		got++;
	}
	kill(pid, SIGKILL);
	/* reports written before the kill still count */
	while (read(fds[0], &b, sizeof(b)) == (ssize_t)sizeof(b))
		last = b;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(last >= want || (WIFEXITED(st) && WEXITSTATUS(st) == 0));
	assert_int_equal(nvad_store_lmdb_open(&s, db, 64 << 20, true, err,
	    sizeof(err)), 0);
	assert_int_equal(s->ops->meta(s, &epoch, &rev), 0);
	assert_true(rev >= last);
	assert_int_equal(s->ops->load(s, batch_cb, bt), 0);
	for (i = 1; i <= last; i++)
		assert_int_equal(bt->per[i], KILL_RECS);
	/* and nothing half: a batch is all there or not at all */
	for (i = last + 1; i <= KILL_BATCHES; i++)
		assert_true(bt->per[i] == 0 || bt->per[i] == KILL_RECS);
	s->ops->close(s);
	rmdb(dir);
	free(dir);
	free(bt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_mem),
		cmocka_unit_test(t_lmdb),
		cmocka_unit_test(t_lmdb_corrupt),
		cmocka_unit_test(t_lmdb_kill9),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
