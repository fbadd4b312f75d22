/*
 * store_etcd.c - the etcd v3 directory store ("store etcd" in
 * nvad.conf): several nvads share one directory kept in an etcd cluster,
 * reached through etcd's HTTP JSON gateway (POST <url>/v3/..., or
 * /v3beta on older servers) with libcurl, JSON by jansson, keys and
 * values base64 as the gateway wants them (OpenSSL's EVP_EncodeBlock).
 *
 * Owns the keys under the configured prefix:
 *
 *   PREFIX "meta/epoch"   the directory's epoch, decimal text; made once
 *                         by whichever nvad comes first (a transaction
 *                         that puts only when the key was never created)
 *   PREFIX "m/" HEX       a MAP record     HEX: the record key of
 *   PREFIX "n/" HEX       an NVE record    store_rec.c in lowercase hex;
 *   PREFIX "s/" HEX       a SUBNET record  the value is store_rec.c's
 *
 * The directory revision IS the etcd revision: every record read (load,
 * follow, lost) has rev = its key's mod_revision, whatever the value's
 * own rev field says.  A SUBNET record without NVEs is a DELETE of its
 * key, the only delete nvad does.
 *
 * Writers race through compare-and-swap (docs/nvad.8, SHARED
 * DIRECTORY): the store remembers each key's mod_revision; a commit is
 * transactions of at most max-txn-ops keys, "if every key still has the
 * revision I know, write them all, else read them all".  A key changed
 * first by another writer is LOST (its value goes back in the commit
 * result); the others are tried again.  A request without an answer
 * goes to the next endpoint; a retry that finds a key already holding
 * the value it writes counts the first attempt as landed.
 *
 * Threads: every op runs on nvad's loop thread and blocks for at most
 * the request timeout times the endpoints tried (a blocking provider,
 * like LMDB).  follow() starts a thread of the store's own holding one
 * watch stream on the prefix (from the loaded revision + 1; after a cut,
 * from the last seen + 1 on the next endpoint) that queues decoded
 * events under a mutex and calls wake(); take() drains the queue on the
 * loop thread, the only one touching remembered revisions and the batch.
 *
 * Relies on store_rec.c (record codec), util/hash, util/hex, util/conf,
 * util/mtime, libcurl, jansson, OpenSSL (base64), pthreads and
 * getrandom(2).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "nvad.h"
#include "util/conf.h"
#include "util/hex.h"
#include "util/mtime.h"

#define LOAD_PAGE	1000		/* keys per range request at load */
#define SFX_MAX		(2 + 2 * NVAD_REC_KEY_MAX)	/* "m/" HEX */
#define NAMES_MAX	0x10000		/* NVE names a subnet value holds */
#define WATCH_DOWN_X	10		/* timeouts without an endpoint */

/* ---- what one thread needs to talk to etcd ------------------------------- */

struct buf {
	char		*p;
	size_t		 len, cap;
};

struct conn {
	CURL		*h;
	struct curl_slist *hdr;
	char *const	*url;		/* the endpoints, conf order */
	const char	**api;		/* per endpoint: "/v3", "/v3beta" or
					   NULL (not asked yet) */
	unsigned	 nep, cur;	/* cur: the one that answered last */
	long		 timeout_ms;
	struct buf	 in;
	const atomic_bool *stop;	/* the watch thread's; NULL: never */
	const char	*probe;		/* gateway detection's body */
	uint64_t	 deadline;	/* watch: created by then, 0: none */
	char		 err[256];
};

/* Remembered mod revision of one key (loop thread only). */
struct krev {
	struct hnode	 node;
	uint64_t	 rev;
	char		 sfx[];		/* the key after the prefix */
};

/* One staged put or delete. */
struct staged {
	struct hnode	 node;		/* estore.staged_by_key */
	char		 sfx[SFX_MAX + 1];
	enum nvad_rec_kind kind;
	char		*v64;		/* base64 value; NULL: delete */
	bool		 done;		/* written, or lost */
};

/* One record the watch decoded (or a skipped change). */
struct qent {
	char		 sfx[SFX_MAX + 1];
	uint64_t	 mod;		/* its revision */
	bool		 give;		/* false: only the revision counts */
	bool		 del;		/* the key is gone */
	struct nvad_rec	 r;		/* snves: malloc'd */
	char		 why[96];	/* why it was skipped, if undecodable */
};

struct estore {
	struct nvad_store s;
	char		 prefix[128];
	size_t		 plen;
	char		 pend[128];	/* range end of the prefix */
	unsigned	 txn_ops;
	char		**url;		/* copies of the endpoints */
	char		*probe;		/* a range of the epoch key (JSON) */
	unsigned	 nurl;
	struct conn	 c;		/* the loop thread's */
	uint64_t	 epoch, rev;	/* rev: newest revision known */
	uint64_t	 loaded;	/* the load's revision (R0), 0: none */
	struct hmap	 revs;		/* struct krev */
	struct staged	**staged;
	size_t		 nstaged, cstaged;
	struct hmap	 staged_by_key;
	struct nvad_rec	*lost;		/* the last commit's; snves malloc'd */
	size_t		 nlost, clost;
	char		 (*names)[NVA_NAME_MAX + 1];	/* decode room */
	uint8_t		*vbuf;
	size_t		 cvbuf;
	uint64_t	 through;	/* take(): all changes up to it given */
	uint64_t	 undecodable, hand_deletes;

	/* the watch; the fields below the mutex are shared with it */
	pthread_t	 thr;
	bool		 following;
	atomic_bool	 stop;
	void		(*wake)(void *arg);
	void		*wake_arg;
	struct conn	 wc;		/* the watch thread's */
	uint64_t	 wnext;		/* watch thread: next revision wanted */
	pthread_mutex_t	 mu;
	struct qent	*q;		/* taken from qh on */
	size_t		 qh, nq, cq;
	bool		 failed;
	char		 werr[256];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

/* ---- small helpers ------------------------------------------------------- */

static int
buf_add(struct buf *b, const void *p, size_t n)
{
	size_t cap;
	char *np;

	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* Room for one more element in *arr (n used, *cap allocated). */
static int
grow(void *arr, size_t n, size_t *cap, size_t sz)
{
	void *p;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	if ((p = realloc(*(void **)arr, nc * sz)) == NULL)
		return -ENOMEM;
	*(void **)arr = p;
	*cap = nc;
	return 0;
}

static size_t
on_body(char *p, size_t sz, size_t nm, void *arg)
{
	return buf_add(arg, p, sz * nm) < 0 ? 0 : sz * nm;
}

/* A JSON string of n octets in base64, or NULL (out of memory). */
static json_t *
jb64(const void *p, size_t n)
{
	char *s;
	json_t *j;

	if ((s = malloc(4 * ((n + 2) / 3) + 1)) == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)s, p, (int)n);
	j = json_string(s);
	free(s);
	return j;
}

/* Base64 text -> *out (malloc'd, NUL added), its length; -1 if bad. */
static long
unb64(const char *s, uint8_t **out)
{
	size_t n = strlen(s);
	int len;

	*out = NULL;
	if (n % 4 != 0 || n > (1u << 28))
		return -1;
	if ((*out = malloc(n / 4 * 3 + 1)) == NULL)
		return -1;
	if ((len = EVP_DecodeBlock(*out, (const unsigned char *)s,
	    (int)n)) < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	len -= (n > 0 && s[n - 1] == '=') + (n > 1 && s[n - 2] == '=');
	(*out)[len] = '\0';
	return len;
}

/* An int64 field the gateway writes as a string (or number); 0: none. */
static uint64_t
jrev(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	if (json_is_string(v))
		return strtoull(json_string_value(v), NULL, 10);
	if (json_is_integer(v) && json_integer_value(v) > 0)
		return (uint64_t)json_integer_value(v);
	return 0;
}

static uint64_t
header_rev(const json_t *o)
{
	return jrev(json_object_get(o, "header"), "revision");
}

/* The whole key of sfx (prefix + sfx) as base64 JSON. */
static json_t *
jkey(const struct estore *e, const char *sfx)
{
	char k[sizeof(e->prefix) + SFX_MAX + 8];
	int n = snprintf(k, sizeof(k), "%s%s", e->prefix, sfx);

	return jb64(k, (size_t)n);
}

/* The letter of a kind in keys: NVAD_REC_MAP (1) 'm', NVE 'n', SUBNET 's'. */
static const char kinds[] = "mns";

/* The key of r after the prefix: "m/" HEX and so on. */
static void
rec_sfx(const struct nvad_rec *r, char sfx[SFX_MAX + 1])
{
	uint8_t k[NVAD_REC_KEY_MAX];
	size_t n = nvad_rec_key(r, k);

	sfx[0] = kinds[r->kind - 1];
	sfx[1] = '/';
	hex_encode(k, n, 0, sfx + 2, SFX_MAX - 1);
}

/* ---- keys and values read back ------------------------------------------- */

/* The key of a kv as text for messages (prefix and all). */
static void
key_text(const uint8_t *k, size_t kn, char *out, size_t len)
{
	size_t i;

	for (i = 0; i < kn; i++)
		if (k[i] < ' ' || k[i] > '~')
			break;
	if (i == kn)
		snprintf(out, len, "%.*s", (int)kn, (const char *)k);
	else
		hex_encode(k, kn, 0, out, len);
}

/*
 * A kv object of a range or watch answer: 1 and its record (r, with rev
 * = the mod revision for a MAP; names: room for subnet names), 0 for a
 * meta key, or -1 with why.  sfx gets the key after the prefix, *mod
 * its mod revision.  Pure: both threads use it.
 */
static int
kv_json(const struct estore *e, const json_t *kv, struct nvad_rec *r,
    char (*names)[NVA_NAME_MAX + 1], char sfx[SFX_MAX + 1], uint64_t *mod,
    char *why, size_t whylen)
{
	const char *ks = json_string_value(json_object_get(kv, "key"));
	const char *vs = json_string_value(json_object_get(kv, "value"));
	const char *bad = "not a key of this store", *kc;
	char kt[sizeof(e->prefix) + SFX_MAX + 8];
	uint8_t *k = NULL, *v = NULL, bin[NVAD_REC_KEY_MAX];
	long kn, vn;
	size_t sn;
	bool ours, key_ok;
	int rc = -1;

	*mod = jrev(kv, "mod_revision");
	if (ks == NULL || (kn = unb64(ks, &k)) < 0) {
		snprintf(why, whylen, "a key that is not base64");
		return -1;
	}
	sn = (size_t)kn - e->plen;	/* checked before use */
	ours = (size_t)kn >= e->plen && memcmp(k, e->prefix, e->plen) == 0;
	/* "m/" and lowercase hex after the prefix, as rec_sfx() writes */
	key_ok = ours && sn >= 3 && sn <= SFX_MAX && k[e->plen + 1] == '/' &&
	    (sn - 2) % 2 == 0 && (kc = memchr(kinds, k[e->plen], 3)) != NULL &&
	    strspn((const char *)k + e->plen + 2, "0123456789abcdef") == sn - 2;
	if (ours && sn >= 5 && memcmp(k + e->plen, "meta/", 5) == 0)
		rc = 0;
	else if ((vn = unb64(vs != NULL ? vs : "", &v)) < 0)
		bad = "a value that is not base64";
	else if (key_ok) {
		memcpy(sfx, k + e->plen, sn + 1);
		hex_decode(sfx + 2, bin, sizeof(bin));
		bad = nvad_rec_decode((enum nvad_rec_kind)(kc - kinds + 1),
		    bin, (sn - 2) / 2, v, (size_t)vn, r, names);
		rc = bad == NULL ? 1 : -1;
	}
	if (rc < 0) {
		key_text(k, (size_t)kn, kt, sizeof(kt));
		snprintf(why, whylen, "key %s: %s", kt, bad);
	}
	if (rc > 0 && r->kind == NVAD_REC_MAP)
		r->rev = *mod;
	free(k);
	free(v);
	return rc;
}

/* The SUBNET record (no NVEs: deleted) of a subnet key's suffix: 0/-EINVAL. */
static int
kv_rec_subnet_gone(const char *sfx, struct nvad_rec *r)
{
	static const uint8_t empty[3] = { 1, 0, 0 };	/* ver 1, no NVEs */
	uint8_t bin[NVAD_REC_KEY_MAX];
	long n;

	if (sfx[0] != 's' || (n = hex_decode(sfx + 2, bin, sizeof(bin))) < 0 ||
	    nvad_rec_decode(NVAD_REC_SUBNET, bin, (size_t)n, empty,
	    sizeof(empty), r, NULL) != NULL)
		return -EINVAL;
	return 0;
}

/* A deep copy of src's subnet names (malloc'd); 0 or -ENOMEM. */
static int
own_names(struct nvad_rec *r)
{
	char (*n)[NVA_NAME_MAX + 1];

	if (r->kind != NVAD_REC_SUBNET || r->nsnves == 0) {
		r->snves = NULL;
		return 0;
	}
	if ((n = malloc(r->nsnves * sizeof(*n))) == NULL)
		return -ENOMEM;
	memcpy(n, r->snves, r->nsnves * sizeof(*n));
	r->snves = n;
	return 0;
}

/* ---- remembered revisions (loop thread) ---------------------------------- */

static struct krev *
rev_find(const struct estore *e, const char *sfx, uint32_t h)
{
	struct hnode *hn;
	struct krev *k;

	HMAP_FOR_HASH(hn, &e->revs, h) {
		k = HMAP_CONTAINER(hn, struct krev, node);
		if (strcmp(k->sfx, sfx) == 0)
			return k;
	}
	return NULL;
}

static uint64_t
rev_get(const struct estore *e, const char *sfx)
{
	struct krev *k = rev_find(e, sfx, hash_bytes(sfx, strlen(sfx), 0));

	return k != NULL ? k->rev : 0;
}

static uint64_t
et_mod_rev(struct nvad_store *s, const struct nvad_rec *r)
{
	char sfx[SFX_MAX + 1];

	rec_sfx(r, sfx);
	return rev_get(s->priv, sfx);
}

/* Remembers sfx's mod revision (0: the key does not exist). */
static int
rev_set(struct estore *e, const char *sfx, uint64_t rev)
{
	size_t n = strlen(sfx);
	uint32_t h = hash_bytes(sfx, n, 0);
	struct krev *k = rev_find(e, sfx, h);

	if (rev == 0) {
		if (k != NULL) {
			hmap_remove(&e->revs, &k->node);
			free(k);
		}
		return 0;
	}
	if (k != NULL) {
		k->rev = rev;
		return 0;
	}
	if ((k = malloc(sizeof(*k) + n + 1)) == NULL)
		return -ENOMEM;
	memcpy(k->sfx, sfx, n + 1);
	k->rev = rev;
	if (hmap_insert(&e->revs, &k->node, h) < 0) {
		free(k);
		return -ENOMEM;
	}
	return 0;
}

/* ---- requests ------------------------------------------------------------ */

static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	const struct conn *c = arg;

	(void)dt; (void)dn; (void)ut; (void)un;
	return (c->stop != NULL && atomic_load(c->stop)) ||
	    (c->deadline != 0 && mono_us() > c->deadline);
}

/* One POST to endpoint i; the answer's text in c->in.  Returns the HTTP
 * code, or 0 with c->err set (and *sent: it may have reached etcd). */
static long
post(struct conn *c, unsigned i, const char *api, const char *path,
    const char *body, bool *sent)
{
	char url[512];
	long code = 0;
	CURLcode rc;
	long oserr = 0;

	c->in.len = 0;
	snprintf(url, sizeof(url), "%s%s%s", c->url[i], api, path);
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, &c->in);
	curl_easy_setopt(c->h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	rc = curl_easy_perform(c->h);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 500)
			*sent = true;
		return code;
	}
	curl_easy_getinfo(c->h, CURLINFO_OS_ERRNO, &oserr);
	if (rc == CURLE_COULDNT_CONNECT && oserr == ECONNREFUSED)
		snprintf(c->err, sizeof(c->err), "etcd %s: connection refused",
		    c->url[i]);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(c->err, sizeof(c->err), "etcd %s: no answer within "
		    "%ld ms", c->url[i], c->timeout_ms);
	else
		snprintf(c->err, sizeof(c->err), "etcd %s: %s", c->url[i],
		    curl_easy_strerror(rc));
	if (rc != CURLE_COULDNT_CONNECT && rc != CURLE_COULDNT_RESOLVE_HOST &&
	    rc != CURLE_ABORTED_BY_CALLBACK)
		*sent = true;
	return 0;
}

/* The gateway's own words for a refused request. */
static void
gateway_error(struct conn *c, unsigned i, long code)
{
	json_t *j = json_loadb(c->in.p ? c->in.p : "", c->in.len, 0, NULL);
	const char *m = json_string_value(json_object_get(j, "message"));

	if (m == NULL)
		m = json_string_value(json_object_get(j, "error"));
	snprintf(c->err, sizeof(c->err), "etcd %s: %s (HTTP %ld)", c->url[i],
	    m != NULL ? m : "refused", code);
	json_decref(j);
}

/* Which gateway prefix endpoint i serves: 0, or -1 (c->err). */
static int
detect(struct conn *c, unsigned i)
{
	static const char *const apis[] = { "/v3", "/v3beta" };
	unsigned a;
	long code;
	bool sent = false;

	for (a = 0; a < 2; a++) {
		if ((code = post(c, i, apis[a], "/kv/range", c->probe,
		    &sent)) == 0)
			return -1;
		if (code == 200) {
			c->api[i] = apis[a];
			return 0;
		}
		if (code != 404) {
			gateway_error(c, i, code);
			return -1;
		}
	}
	snprintf(c->err, sizeof(c->err), "etcd %s: no v3 JSON gateway "
	    "(/v3 and /v3beta not found)", c->url[i]);
	return -1;
}

/*
 * body (consumed) to path on the endpoints in turn, from the one that
 * answered last: 0 and the answer in *out, -EPROTO when the gateway
 * refused it (its words in c->err), -EHOSTUNREACH when no endpoint
 * answered.  *unknown (may be NULL) is set when an attempt may have
 * reached etcd without an answer coming back.
 */
static int
request(struct conn *c, const char *path, json_t *body, json_t **out,
    bool *unknown)
{
	char *text, last[200] = "";
	unsigned t, i;
	long code = 0;
	bool sent = false;
	int rc = -EHOSTUNREACH;

	*out = NULL;
	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (text == NULL) {
		snprintf(c->err, sizeof(c->err), "out of memory");
		return -ENOMEM;
	}
	for (t = 0; t < c->nep && rc == -EHOSTUNREACH; t++) {
		i = (c->cur + t) % c->nep;
		if (c->stop != NULL && atomic_load(c->stop))
			break;
		if (c->api[i] != NULL || detect(c, i) == 0)
			code = post(c, i, c->api[i], path, text, &sent);
		if (unknown != NULL && sent)
			*unknown = true;
		if (code == 200 && (*out = json_loadb(c->in.p, c->in.len, 0,
		    NULL)) == NULL) {
			snprintf(c->err, sizeof(c->err), "etcd %s: an answer "
			    "that is not JSON", c->url[i]);
			rc = -EPROTO;
		} else if (code == 200) {
			c->cur = i;
			rc = 0;
		} else if (code != 0) {
			gateway_error(c, i, code);
			if (code < 500)
				rc = -EPROTO;
		}
		snprintf(last, sizeof(last), "%.199s", c->err);
		code = 0;
	}
	free(text);
	if (rc == -EHOSTUNREACH)
		snprintf(c->err, sizeof(c->err), "etcd: no endpoint answered "
		    "(%s)", last);
	return rc;
}

static int
conn_init(struct conn *c, char *const *url, unsigned n, long timeout_ms,
    const atomic_bool *stop, const char *probe)
{
	memset(c, 0, sizeof(*c));
	c->probe = probe;
	c->url = url;
	c->nep = n;
	c->timeout_ms = timeout_ms;
	c->stop = stop;
	if ((c->api = calloc(n, sizeof(*c->api))) == NULL ||
	    (c->h = curl_easy_init()) == NULL ||
	    (c->hdr = curl_slist_append(NULL,
	    "Content-Type: application/json")) == NULL)
		return -ENOMEM;
	curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->hdr);
	curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c->h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c->h, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(c->h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c->h, CURLOPT_TCP_KEEPIDLE, 2L);
	curl_easy_setopt(c->h, CURLOPT_TCP_KEEPINTVL, 1L);
	return 0;
}

static void
conn_free(struct conn *c)
{
	if (c->h != NULL)
		curl_easy_cleanup(c->h);
	curl_slist_free_all(c->hdr);
	free(c->api);
	free(c->in.p);
	memset(c, 0, sizeof(*c));
}

static int
fail(struct estore *e, int rc)
{
	snprintf(e->s.err, sizeof(e->s.err), "%s", e->c.err);
	return rc;
}

/* ---- load ---------------------------------------------------------------- */

/*
 * Every record under the prefix, a page at a time, all pages at the
 * revision of the first (R0): what meta() says afterwards.
 */
static int
et_load(struct nvad_store *s, int (*cb)(void *arg,
    const struct nvad_rec *r), void *arg)
{
	struct estore *e = s->priv;
	json_t *ans, *kvs, *kv, *b, *from;
	struct nvad_rec r;
	char sfx[SFX_MAX + 1], why[200];
	const char *last;
	uint64_t r0 = 0, mod;
	uint8_t *lk;
	long ln;
	size_t i;
	int rc;

	from = jkey(e, "");
	do {
		b = json_pack("{s:o, s:o, s:I}", "key", from, "range_end",
		    jb64(e->pend, strlen(e->pend)), "limit",
		    (json_int_t)LOAD_PAGE);
		if (b != NULL && r0 != 0)
			json_object_set_new(b, "revision",
			    json_integer((json_int_t)r0));
		if ((rc = request(&e->c, "/kv/range", b, &ans, NULL)) < 0)
			return fail(e, rc);
		if (r0 == 0)
			r0 = header_rev(ans);
		kvs = json_object_get(ans, "kvs");
		json_array_foreach(kvs, i, kv) {
			rc = kv_json(e, kv, &r, e->names, sfx, &mod, why,
			    sizeof(why));
			if (rc < 0) {
				snprintf(s->err, sizeof(s->err), "etcd %s",
				    why);
				rc = -EBADMSG;
			} else if (rc > 0 && rev_set(e, sfx, mod) < 0) {
				snprintf(s->err, sizeof(s->err),
				    "out of memory");
				rc = -ENOMEM;
			} else if (rc > 0)
				rc = cb(arg, &r);
			if (rc != 0)
				break;
		}
		/* the next page starts just after the last key */
		from = NULL;
		last = json_string_value(json_object_get(json_array_get(kvs,
		    json_array_size(kvs) - 1), "key"));
		if (rc == 0 && json_is_true(json_object_get(ans, "more")) &&
		    last != NULL && (ln = unb64(last, &lk)) >= 0) {
			if ((from = jb64(lk, (size_t)ln + 1)) == NULL)
				rc = -ENOMEM;
			free(lk);
		}
		json_decref(ans);
	} while (from != NULL);
	if (rc != 0)
		return rc;
	e->loaded = r0;
	if (r0 > e->rev)
		e->rev = r0;
	e->through = r0;
	return 0;
}

static int
et_meta(struct nvad_store *s, uint64_t *epoch, uint64_t *rev)
{
	struct estore *e = s->priv;

	*epoch = e->epoch;
	*rev = e->rev;
	return 0;
}

/* ---- put, commit, abort -------------------------------------------------- */

static struct staged *
staged_find(const struct estore *e, const char *sfx, uint32_t h)
{
	struct hnode *hn;
	struct staged *st;

	HMAP_FOR_HASH(hn, &e->staged_by_key, h) {
		st = HMAP_CONTAINER(hn, struct staged, node);
		if (strcmp(st->sfx, sfx) == 0)
			return st;
	}
	return NULL;
}

static int
et_put(struct nvad_store *s, const struct nvad_rec *r)
{
	struct estore *e = s->priv;
	struct staged *st;
	char sfx[SFX_MAX + 1], *v64 = NULL;
	size_t vn;
	uint32_t h;

	if ((r->kind != NVAD_REC_MAP && r->kind != NVAD_REC_NVE &&
	    r->kind != NVAD_REC_SUBNET) ||
	    (r->kind != NVAD_REC_NVE && r->addr.len > 16) ||
	    (r->kind == NVAD_REC_NVE && r->nve[0] == '\0') ||
	    (r->kind == NVAD_REC_SUBNET && r->nsnves > 0xffff))
		return -EINVAL;
	rec_sfx(r, sfx);
	if (r->kind != NVAD_REC_SUBNET || r->nsnves > 0) {
		if ((vn = nvad_rec_value(r, &e->vbuf, &e->cvbuf)) == 0 ||
		    (v64 = malloc(4 * ((vn + 2) / 3) + 1)) == NULL)
			return -ENOMEM;
		EVP_EncodeBlock((unsigned char *)v64, e->vbuf, (int)vn);
	}
	h = hash_bytes(sfx, strlen(sfx), 0);
	if ((st = staged_find(e, sfx, h)) != NULL) {
		/* the same key twice: the last one wins */
		free(st->v64);
		st->v64 = v64;
		return 0;
	}
	if (grow(&e->staged, e->nstaged, &e->cstaged, sizeof(*e->staged)) < 0 ||
	    (st = calloc(1, sizeof(*st))) == NULL)
		goto nomem;
	memcpy(st->sfx, sfx, sizeof(sfx));
	st->kind = r->kind;
	st->v64 = v64;
	if (hmap_insert(&e->staged_by_key, &st->node, h) < 0) {
		free(st);
		goto nomem;
	}
	e->staged[e->nstaged++] = st;
	return 0;
nomem:
	free(v64);
	return -ENOMEM;
}

static void
et_abort(struct nvad_store *s)
{
	struct estore *e = s->priv;
	size_t i;

	for (i = 0; i < e->nstaged; i++) {
		hmap_remove(&e->staged_by_key, &e->staged[i]->node);
		free(e->staged[i]->v64);
		free(e->staged[i]);
	}
	e->nstaged = 0;
}

static void
lost_clear(struct estore *e)
{
	size_t i;

	for (i = 0; i < e->nlost; i++)
		free(e->lost[i].snves);
	e->nlost = 0;
}

static int
lost_add(struct estore *e, const struct nvad_rec *r)
{
	if (grow(&e->lost, e->nlost, &e->clost, sizeof(*e->lost)) < 0)
		return -ENOMEM;
	e->lost[e->nlost] = *r;
	if (own_names(&e->lost[e->nlost]) < 0)
		return -ENOMEM;
	e->nlost++;
	return 0;
}

/* The transaction of the keys todo[0..n): compare, success, failure. */
static json_t *
txn_body(struct estore *e, struct staged **todo, size_t n)
{
	json_t *cmp = json_array(), *ok = json_array(), *ko = json_array();
	const char *k;
	size_t i;
	bool bad = cmp == NULL || ok == NULL || ko == NULL;

	for (i = 0; i < n && !bad; i++) {
		k = todo[i]->sfx;
		bad = json_array_append_new(cmp, json_pack("{s:o, s:s, s:s, "
		    "s:I}", "key", jkey(e, k), "target", "MOD", "result",
		    "EQUAL", "mod_revision", (json_int_t)rev_get(e, k))) < 0 ||
		    json_array_append_new(ok, todo[i]->v64 != NULL ?
		    json_pack("{s:{s:o, s:s}}", "request_put", "key",
		    jkey(e, k), "value", todo[i]->v64) :
		    json_pack("{s:{s:o}}", "request_delete_range", "key",
		    jkey(e, k))) < 0 ||
		    json_array_append_new(ko, json_pack("{s:{s:o}}",
		    "request_range", "key", jkey(e, k))) < 0;
	}
	if (!bad)
		return json_pack("{s:o, s:o, s:o}", "compare", cmp, "success",
		    ok, "failure", ko);
	json_decref(cmp);
	json_decref(ok);
	json_decref(ko);
	return NULL;
}

/*
 * A failed compare: sorts the keys of todo by what they hold now.  A
 * key still at its remembered revision stays to do; one that already
 * holds what we were writing after an unanswered attempt is written;
 * an undecodable value or a MAP/NVE key deleted by hand is overwritten
 * (tried again from its current revision); any other is lost.
 */
static int
txn_sort(struct estore *e, struct staged **todo, size_t n, json_t *ans,
    bool unknown)
{
	const json_t *rr, *kv;
	struct nvad_rec r;
	const char *v;
	char sfx[SFX_MAX + 1], why[200];
	uint64_t cur, mod;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rr = json_object_get(json_array_get(json_object_get(ans,
		    "responses"), i), "response_range");
		if (rr == NULL) {
			snprintf(e->s.err, sizeof(e->s.err), "etcd: a failed "
			    "transaction without the range of key %.60s%.60s",
			    e->prefix, todo[i]->sfx);
			return -EPROTO;
		}
		kv = json_array_get(json_object_get(rr, "kvs"), 0);
		cur = kv != NULL ? jrev(kv, "mod_revision") : 0;
		if (cur == rev_get(e, todo[i]->sfx))
			continue;
		v = json_string_value(json_object_get(kv, "value"));
		if (unknown && (kv == NULL ? todo[i]->v64 == NULL :
		    todo[i]->v64 != NULL && v != NULL &&
		    strcmp(v, todo[i]->v64) == 0)) {
			todo[i]->done = true;
			rc = rev_set(e, todo[i]->sfx, cur);
		} else if (kv == NULL && todo[i]->kind != NVAD_REC_SUBNET) {
			e->hand_deletes++;
			rc = rev_set(e, todo[i]->sfx, 0);
		} else if (kv == NULL) {
			memset(&r, 0, sizeof(r));
			rc = kv_rec_subnet_gone(todo[i]->sfx, &r);
			if (rc == 0 && (rc = lost_add(e, &r)) == 0) {
				todo[i]->done = true;
				rc = rev_set(e, todo[i]->sfx, 0);
			}
		} else if (kv_json(e, kv, &r, e->names, sfx, &mod, why,
		    sizeof(why)) <= 0) {
			e->undecodable++;
			rc = rev_set(e, todo[i]->sfx, cur);
		} else {
			todo[i]->done = true;
			if ((rc = lost_add(e, &r)) == 0)
				rc = rev_set(e, todo[i]->sfx, cur);
		}
		if (rc < 0) {
			snprintf(e->s.err, sizeof(e->s.err), "out of memory");
			return rc;
		}
	}
	return 0;
}

/*
 * One chunk of the batch (at most max-txn-ops keys) until each key is
 * written or lost.  Every failed round settles at least one key or
 * overwrites a value nobody can read, so the rounds are bounded by the
 * keys; the bound below only guards against a server that misbehaves.
 */
static int
commit_chunk(struct estore *e, struct staged **chunk, size_t n,
    uint64_t *last_ok, uint64_t *cur)
{
	struct staged **todo;
	json_t *ans, *body;
	size_t i, nt, rounds;
	bool unknown = false;
	int rc = 0;

	if ((todo = malloc(n * sizeof(*todo))) == NULL)
		return -ENOMEM;
	for (rounds = 0; rounds < 2 * n + 4; rounds++) {
		for (i = nt = 0; i < n; i++)
			if (!chunk[i]->done)
				todo[nt++] = chunk[i];
		if (nt == 0)
			goto out;
		if ((body = txn_body(e, todo, nt)) == NULL) {
			rc = -ENOMEM;
			snprintf(e->s.err, sizeof(e->s.err), "out of memory");
			goto out;
		}
		if ((rc = request(&e->c, "/kv/txn", body, &ans,
		    &unknown)) < 0) {
			fail(e, rc);
			goto out;
		}
		if (header_rev(ans) > *cur)
			*cur = header_rev(ans);
		if (json_is_true(json_object_get(ans, "succeeded"))) {
			for (i = 0; i < nt && rc == 0; i++) {
				todo[i]->done = true;
				rc = rev_set(e, todo[i]->sfx, todo[i]->v64 ?
				    header_rev(ans) : 0);
			}
			*last_ok = header_rev(ans);
			json_decref(ans);
			if (rc < 0)
				snprintf(e->s.err, sizeof(e->s.err),
				    "out of memory");
			goto out;
		}
		rc = txn_sort(e, todo, nt, ans, unknown);
		json_decref(ans);
		if (rc < 0)
			goto out;
		unknown = false;
	}
	snprintf(e->s.err, sizeof(e->s.err), "etcd: a transaction of %zu "
	    "keys still failed its compare after %zu rounds", n, rounds);
	rc = -EAGAIN;
out:
	free(todo);
	return rc;
}

/*
 * The batch in transactions of at most max-txn-ops keys.  rev (the
 * directory's tentative revision) is not used: etcd's revision of the
 * last transaction is the commit's.  A negative return means that what
 * was written is not known (nvad stops: docs/nvad.8).
 */
static int
et_commit(struct nvad_store *s, uint64_t rev, struct nvad_commit *res)
{
	struct estore *e = s->priv;
	uint64_t last_ok = 0, cur = 0;
	size_t i, n;
	int rc = 0;

	(void)rev;
	lost_clear(e);
	res->rev = e->rev;
	res->lost = NULL;
	res->nlost = 0;
	if (e->nstaged == 0)
		return 0;
	for (i = 0; i < e->nstaged && rc == 0; i += n) {
		n = e->nstaged - i < e->txn_ops ? e->nstaged - i : e->txn_ops;
		rc = commit_chunk(e, e->staged + i, n, &last_ok, &cur);
	}
	et_abort(s);
	if (rc < 0) {
		lost_clear(e);
		return rc;
	}
	res->rev = last_ok != 0 ? last_ok : cur;
	if (res->rev > e->rev)
		e->rev = res->rev;
	res->lost = e->lost;
	res->nlost = e->nlost;
	return 0;
}

static void
et_stats(struct nvad_store *s, uint64_t *octets, uint64_t *records)
{
	struct estore *e = s->priv;

	*octets = 0;
	*records = hmap_count(&e->revs);
}

/* ---- the watch thread ---------------------------------------------------- */

struct wctx {
	struct estore	*e;
	struct buf	 line;
	char		 (*names)[NVA_NAME_MAX + 1];
	bool		 fatal;		/* why says why the watch ends */
	char		 why[256];
};

/* One event into q.  A DELETE has no value: a subnet key's record is
 * rebuilt from the key; other kinds only count (take()). */
static int
event_ent(struct wctx *w, const json_t *ev, struct qent *q)
{
	struct estore *e = w->e;
	const json_t *kv = json_object_get(ev, "kv");
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *ks = json_string_value(json_object_get(kv, "key"));
	uint8_t *k;
	long kn;
	int rc;

	memset(q, 0, sizeof(*q));
	q->mod = jrev(kv, "mod_revision");
	if (type == NULL || strcmp(type, "DELETE") != 0) {
		rc = kv_json(e, kv, &q->r, w->names, q->sfx, &q->mod, q->why,
		    sizeof(q->why));
		if (rc <= 0) {
			memset(&q->r, 0, sizeof(q->r));
			if (rc == 0)
				q->why[0] = '\0';	/* a meta key */
			return 0;
		}
		q->give = true;
		return own_names(&q->r);
	}
	q->del = true;
	if (ks == NULL || (kn = unb64(ks, &k)) < 0)
		return 0;
	if ((size_t)kn > e->plen && (size_t)kn - e->plen <= SFX_MAX &&
	    memcmp(k, e->prefix, e->plen) == 0) {
		memcpy(q->sfx, k + e->plen, (size_t)kn - e->plen);
		q->sfx[kn - (long)e->plen] = '\0';
	}
	free(k);
	q->give = kv_rec_subnet_gone(q->sfx, &q->r) == 0;
	return 0;
}

/* One message of the stream: created, events, canceled or an error. */
static int
watch_msg(struct wctx *w, const char *text, size_t len)
{
	struct estore *e = w->e;
	json_t *j = json_loadb(text, len, 0, NULL), *res, *evs, *ev;
	const char *m;
	size_t i, n = 0;
	int rc = 0;

	if (j == NULL)
		return 0;	/* a blank or torn line */
	res = json_object_get(j, "result");
	if (res == NULL || json_is_true(json_object_get(res, "canceled"))) {
		m = json_string_value(json_object_get(res, "cancel_reason"));
		if (res == NULL)	/* the gateway's error: elsewhere */
			m = json_string_value(json_object_get(json_object_get(
			    j, "error"), "message"));
		if (jrev(res, "compact_revision") != 0)
			snprintf(w->why, sizeof(w->why), "etcd: history "
			    "compacted through revision %" PRIu64 " while "
			    "this nvad still needed revision %" PRIu64
			    " (restart nvad to reload)",
			    jrev(res, "compact_revision"), e->wnext);
		else
			snprintf(res ? w->why : e->wc.err, sizeof(w->why),
			    "etcd: the watch ended (%.200s)",
			    m != NULL ? m : "no reason given");
		w->fatal = res != NULL;
		json_decref(j);
		return -1;
	}
	if (json_is_true(json_object_get(res, "created")))
		e->wc.deadline = 0;
	evs = json_object_get(res, "events");
	pthread_mutex_lock(&e->mu);
	json_array_foreach(evs, i, ev) {
		if ((rc = grow(&e->q, e->nq, &e->cq, sizeof(*e->q))) < 0 ||
		    (rc = event_ent(w, ev, &e->q[e->nq])) < 0)
			break;
		if (e->q[e->nq].mod >= e->wnext)
			e->wnext = e->q[e->nq].mod + 1;
		e->nq++;
		n++;
	}
	pthread_mutex_unlock(&e->mu);
	json_decref(j);
	if (rc < 0) {
		snprintf(w->why, sizeof(w->why), "out of memory");
		w->fatal = true;
		return -1;
	}
	if (n > 0)
		e->wake(e->wake_arg);
	return 0;
}

/* The stream's octets: each whole line is a message. */
static size_t
on_watch(char *p, size_t sz, size_t nm, void *arg)
{
	struct wctx *w = arg;
	char *line, *nl;

	if (buf_add(&w->line, p, sz * nm) < 0)
		return 0;
	line = w->line.p;
	while ((nl = memchr(line, '\n', w->line.len - (size_t)(line -
	    w->line.p))) != NULL) {
		if (watch_msg(w, line, (size_t)(nl - line)) < 0)
			return 0;
		line = nl + 1;
	}
	w->line.len -= (size_t)(line - w->line.p);
	memmove(w->line.p, line, w->line.len + 1);
	return sz * nm;
}

/*
 * One stream from endpoint wc.cur: 1 when it was created (and has now
 * ended), 0 when it was not, -1 when the watch cannot go on (w->why).
 */
static int
watch_once(struct wctx *w)
{
	struct estore *e = w->e;
	struct conn *c = &e->wc;
	unsigned i = c->cur;
	char url[512], *body;
	json_t *b;
	CURLcode rc;
	bool created;

	w->line.len = 0;
	if (c->api[i] == NULL && detect(c, i) < 0)
		return 0;
	b = json_pack("{s:{s:o, s:o, s:I}}", "create_request", "key",
	    jkey(e, ""), "range_end", jb64(e->pend, strlen(e->pend)),
	    "start_revision", (json_int_t)e->wnext);
	body = b != NULL ? json_dumps(b, JSON_COMPACT) : NULL;
	json_decref(b);
	if (body == NULL) {
		snprintf(w->why, sizeof(w->why), "out of memory");
		return -1;
	}
	snprintf(url, sizeof(url), "%s%s/watch", c->url[i], c->api[i]);
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_watch);
	curl_easy_setopt(c->h, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(c->h, CURLOPT_TIMEOUT_MS, 0L);
	/* on_progress ends the attempt if no "created" comes in time */
	c->deadline = mono_us() + (uint64_t)c->timeout_ms * USEC_PER_MSEC;
	if ((rc = curl_easy_perform(c->h)) != CURLE_OK && c->deadline != 0)
		snprintf(c->err, sizeof(c->err), "etcd %s: %s", c->url[i],
		    rc == CURLE_ABORTED_BY_CALLBACK ? "watch not created in "
		    "time" : curl_easy_strerror(rc));
	created = c->deadline == 0;
	c->deadline = 0;
	free(body);
	return w->fatal ? -1 : created;
}

/* Streams until stopped, from endpoint to endpoint, each from the
 * revision after the last one seen. */
static void *
watch_main(void *arg)
{
	struct wctx w = { .e = arg };
	struct estore *e = w.e;
	uint64_t down_since = mono_us(), limit;
	struct timespec pause = { 0, 50 * 1000000L };
	int rc;

	limit = (uint64_t)e->wc.timeout_ms * WATCH_DOWN_X * USEC_PER_MSEC;
	if ((w.names = calloc(NAMES_MAX, sizeof(*w.names))) == NULL) {
		snprintf(w.why, sizeof(w.why), "out of memory");
		goto failed;
	}
	while (!atomic_load(&e->stop)) {
		rc = watch_once(&w);
		if (atomic_load(&e->stop))
			break;
		if (rc < 0)
			goto failed;
		if (rc > 0)
			down_since = mono_us();
		else if (mono_us() - down_since > limit) {
			snprintf(w.why, sizeof(w.why), "etcd: no endpoint "
			    "answered the watch for %llu ms (last: %.150s)",
			    (unsigned long long)(limit / USEC_PER_MSEC),
			    e->wc.err);
			goto failed;
		}
		e->wc.cur = (e->wc.cur + 1) % e->wc.nep;
		nanosleep(&pause, NULL);	/* not hammering a dead one */
	}
	goto out;
failed:
	pthread_mutex_lock(&e->mu);
	e->failed = true;
	snprintf(e->werr, sizeof(e->werr), "%s", w.why);
	pthread_mutex_unlock(&e->mu);
	e->wake(e->wake_arg);
out:
	free(w.names);
	free(w.line.p);
	return NULL;
}

static int
et_follow(struct nvad_store *s, void (*wake)(void *arg), void *arg)
{
	struct estore *e = s->priv;
	int rc;

	if (e->following)
		return -EALREADY;
	e->wake = wake;
	e->wake_arg = arg;
	e->wnext = (e->loaded != 0 ? e->loaded : e->rev) + 1;
	if (e->through == 0)
		e->through = e->wnext - 1;
	atomic_store(&e->stop, false);
	if ((rc = pthread_create(&e->thr, NULL, watch_main, e)) != 0) {
		snprintf(s->err, sizeof(s->err), "etcd watch thread: %s",
		    strerror(rc));
		return -rc;
	}
	e->following = true;
	return 0;
}

/*
 * The records the watch queued, in revision order, one at a time off
 * the queue's head.  Each raises its key's remembered revision (never
 * lowers: a commit may know a newer one); deletes of MAP/NVE keys (by
 * hand) and undecodable values are only counted.
 * A record cb refuses stays queued for the next call, and *through
 * stops before its revision.
 */
static int
et_take(struct nvad_store *s, int (*cb)(void *arg,
    const struct nvad_rec *r), void *arg, uint64_t *through)
{
	struct estore *e = s->priv;
	struct qent q;
	bool failed, more;
	int rc = 0;

	for (;;) {
		pthread_mutex_lock(&e->mu);
		if ((more = e->qh < e->nq))
			q = e->q[e->qh++];
		else
			e->qh = e->nq = 0;
		if ((failed = e->failed))
			snprintf(s->err, sizeof(s->err), "%s", e->werr);
		pthread_mutex_unlock(&e->mu);
		if (!more)
			break;
		if (q.sfx[0] != '\0' && q.mod >= rev_get(e, q.sfx) &&
		    rev_set(e, q.sfx, q.del ? 0 : q.mod) < 0) {
			snprintf(s->err, sizeof(s->err), "out of memory");
			rc = -ENOMEM;
		} else if (q.give)
			rc = cb(arg, &q.r);
		else if (q.del && q.sfx[0] != '\0' &&
		    strncmp(q.sfx, "meta/", 5) != 0)
			e->hand_deletes++;
		else if (!q.del && q.why[0] != '\0') {
			e->undecodable++;
			snprintf(s->err, sizeof(s->err), "etcd %s (skipped)",
			    q.why);
		}
		if (rc != 0) {
			pthread_mutex_lock(&e->mu);
			e->qh--;	/* still there: only take() shrinks */
			pthread_mutex_unlock(&e->mu);
			if (q.mod <= e->through)
				e->through = q.mod - 1;
			break;
		}
		free(q.r.snves);
		if (q.mod > e->through)
			e->through = q.mod;
	}
	*through = e->through;
	if (rc != 0)
		return rc;
	return failed && !more ? -1 : 0;
}

/* ---- open and close ------------------------------------------------------ */

static void
et_close(struct nvad_store *s)
{
	struct estore *e = s->priv;
	struct hmap_iter it;
	struct hnode *hn;

	if (e->following) {
		atomic_store(&e->stop, true);
		pthread_join(e->thr, NULL);
	}
	et_abort(s);
	lost_clear(e);
	while (e->nq > e->qh)
		free(e->q[--e->nq].r.snves);
	free(e->q);
	hmap_iter_init(&e->revs, &it);
	while ((hn = hmap_iter_next(&e->revs, &it)) != NULL) {
		hmap_remove(&e->revs, hn);
		free(HMAP_CONTAINER(hn, struct krev, node));
	}
	hmap_fini(&e->revs);
	hmap_fini(&e->staged_by_key);
	conn_free(&e->c);
	conn_free(&e->wc);
	pthread_mutex_destroy(&e->mu);
	while (e->nurl > 0)
		free(e->url[--e->nurl]);
	free(e->url);
	free(e->probe);
	free(e->staged);
	free(e->lost);
	free(e->names);
	free(e->vbuf);
	free(e);
}

static const struct nvad_store_ops etcd_ops = {
	.name = "etcd",
	.load = et_load,
	.meta = et_meta,
	.put = et_put,
	.commit = et_commit,
	.abort = et_abort,
	.close = et_close,
	.stats = et_stats,
	.follow = et_follow,
	.take = et_take,
	.mod_rev = et_mod_rev,
};

/*
 * The epoch key: made by the first nvad (a random nonzero 63-bit value:
 * JSON views read it as a signed 64-bit integer), read by the others.
 */
static int
epoch_setup(struct estore *e)
{
	json_t *ans, *b, *kv;
	const char *v;
	uint8_t *raw;
	char mine[24];
	uint64_t r;
	int rc;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r) ||
	    (r &= INT64_MAX) == 0)
		r = 1;
	snprintf(mine, sizeof(mine), "%" PRIu64, r);
	b = json_pack("{s:[{s:o, s:s, s:s, s:I}], s:[{s:{s:o, s:o}}], "
	    "s:[{s:{s:o}}]}",
	    "compare", "key", jkey(e, "meta/epoch"), "target", "CREATE",
	    "result", "EQUAL", "create_revision", (json_int_t)0,
	    "success", "request_put", "key", jkey(e, "meta/epoch"), "value",
	    jb64(mine, strlen(mine)),
	    "failure", "request_range", "key", jkey(e, "meta/epoch"));
	if ((rc = request(&e->c, "/kv/txn", b, &ans, NULL)) < 0)
		return fail(e, rc);
	e->rev = header_rev(ans);
	if (json_is_true(json_object_get(ans, "succeeded"))) {
		e->epoch = r;
		json_decref(ans);
		return 0;
	}
	kv = json_array_get(json_object_get(json_object_get(json_array_get(
	    json_object_get(ans, "responses"), 0), "response_range"), "kvs"),
	    0);
	v = json_string_value(json_object_get(kv, "value"));
	rc = -EBADMSG;
	if (v != NULL && unb64(v, &raw) > 0) {
		if (conf_parse_u64((char *)raw, &r) == 0 && r != 0 &&
		    r <= INT64_MAX) {
			e->epoch = r;
			rc = 0;
		}
		free(raw);
	}
	json_decref(ans);
	if (rc < 0)
		snprintf(e->s.err, sizeof(e->s.err), "etcd key %smeta/epoch: "
		    "not a decimal number in 1..2^63-1", e->prefix);
	return rc;
}

int
nvad_store_etcd_open(struct nvad_store **out, const struct nvad_conf *conf,
    char *err, size_t errlen)
{
	struct estore *e;
	json_t *b;
	long to = conf->etcd_timeout_ms ? (long)conf->etcd_timeout_ms : 2000;
	int rc;

	*out = NULL;
	if (conf->netcd == 0 || conf->etcd_prefix[0] == '\0' ||
	    conf->etcd_txn_ops == 0 || strlen(conf->etcd_prefix) >=
	    sizeof(e->prefix)) {
		snprintf(err, errlen, "etcd: no endpoint, prefix or "
		    "max-txn-ops configured");
		return -EINVAL;
	}
	pthread_once(&curl_once, curl_init_once);
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e->s.ops = &etcd_ops;
	e->s.priv = e;
	pthread_mutex_init(&e->mu, NULL);
	snprintf(e->prefix, sizeof(e->prefix), "%s", conf->etcd_prefix);
	e->plen = strlen(e->prefix);
	/* the range end: the prefix with its last octet, a '/', grown */
	memcpy(e->pend, e->prefix, e->plen + 1);
	e->pend[e->plen - 1]++;
	e->txn_ops = conf->etcd_txn_ops;
	rc = -ENOMEM;
	if ((e->url = calloc(conf->netcd, sizeof(*e->url))) != NULL)
		for (; e->nurl < conf->netcd; e->nurl++)
			if ((e->url[e->nurl] = strdup(conf->etcd[e->nurl])) ==
			    NULL)
				break;
	b = json_pack("{s:o}", "key", jkey(e, "meta/epoch"));
	e->probe = b != NULL ? json_dumps(b, JSON_COMPACT) : NULL;
	json_decref(b);
	e->names = calloc(NAMES_MAX, sizeof(*e->names));
	if (e->nurl < conf->netcd || e->probe == NULL || e->names == NULL ||
	    hmap_init(&e->revs, 1024) < 0 ||
	    hmap_init(&e->staged_by_key, 64) < 0 ||
	    conn_init(&e->c, e->url, e->nurl, to, NULL, e->probe) < 0 ||
	    conn_init(&e->wc, e->url, e->nurl, to, &e->stop, e->probe) < 0)
		snprintf(e->s.err, sizeof(e->s.err), "out of memory");
	else
		rc = epoch_setup(e);
	if (rc < 0) {
		snprintf(err, errlen, "%s", e->s.err);
		et_close(&e->s);
		return rc;
	}
	*out = &e->s;
	return 0;
}
