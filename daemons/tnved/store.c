/*
 * store.c - tnved's state directory: one JSON file per VM, written on
 * every change of the VM and read back at start-up, so that a restarted
 * tnved re-announces every VSI without any VM noticing (issue 4, item 1).
 * Owns the file format below and struct tnved_vm_rec's JSON form.
 *
 * Runs in tnved's one thread (vm.c calls it; tests call it directly).
 * Plain blocking file I/O, no loop, no clock.  Relies on jansson, on
 * lib/nvo3/vm.h for the state, direction and hold names, and on
 * util/log.h for the one warning it gives (a file it cannot read).
 *
 * Files: DIR/NAME.json, NAME a VM name (store_name_ok()).  A save writes
 * DIR/.NAME.json.tmp, fsyncs it (when asked), renames it over
 * DIR/NAME.json and fsyncs the folder (when asked), so a crash leaves the
 * old file or the new one, never half of one.  The loader skips names
 * starting with '.' and removes such temporaries; a NAME.json it cannot
 * read or parse is renamed NAME.json.bad (kept for a human to look at)
 * with a warning, and the other VMs load.
 *
 * Layout (every member shown; "?" marks the optional ones, which take
 * the value in brackets when absent; any other member is an error):
 *
 *   {
 *     "format": 1,                       layout version, must be 1
 *     "name": "web-1",                   store_name_ok(), = file name
 *     "uuid": "4f1c...-...",             36-character UUID text
 *     "state": "running",                nvo3_vm_state_names, not "none"
 *     "dir": "none",                     nvo3_vm_dir_names; "in"/"out"
 *                                        exactly when state is migrating
 *     "hold": "activated",               nvo3_vm_hold_names
 *     "arrived": false,                  came by cold migration
 *     "since"?: 1700000000000000,        wall clock µs of the last
 *                                        change [0]
 *     "from-host"?: "hv1",               [""], under 64 characters
 *     "tsis": [                          1..TNVED_MAX_TSI
 *       {
 *         "port": "vnet0",               1..IF_NAMESIZE-1 characters
 *         "macs": ["52:54:00:aa:bb:01"], 1..TNVED_MAX_MAC, "xx:" x 6
 *         "vn": 10001,                   1..NVO3_VN_MAX
 *         "vsiid": "1b4e...-...",        UUID text
 *         "type-id"?: 0,                 0..0xffffff (0: the config's) [0]
 *         "type-version"?: 0,            0..255 [0]
 *         "ips"?: ["198.51.100.7", "2001:db8:100::7"],
 *                                        0..TNVED_MAX_IP, inet_pton text []
 *         "binds"?: [{"nve": "nve1", "vid": 100}, null]
 *                                        0..TNVED_VN_NVES slots in the
 *                                        TSI's binding order, null for
 *                                        an unused slot; vid 0..4095 []
 *       }
 *     ]
 *   }
 *
 * store_vm_json() writes every member (optional ones too, binds trimmed
 * after the last used slot); store_vm_parse() reads that back into an
 * equal record.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nvo3/nvo3.h"
#include "tnved.h"
#include "util/hex.h"
#include "util/log.h"

#define STORE_FORMAT	1
#define STORE_SUFFIX	".json"

/* ---- text forms ----------------------------------------------------------- */

static void
fmt_uuid(const uint8_t id[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[id[i] >> 4];
		out[o++] = hex[id[i] & 15];
	}
	out[o] = '\0';
}

/* Exactly 8-4-4-4-12 hex digits. */
static int
parse_uuid(const char *s, uint8_t id[16])
{
	unsigned i, n = 0;
	int hi, lo;

	if (strlen(s) != 36)
		return -1;
	for (i = 0; i < 36; ) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i++] != '-')
				return -1;
			continue;
		}
		if ((hi = hex_nibble(s[i])) < 0 || (lo = hex_nibble(s[i + 1])) < 0)
			return -1;
		id[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return 0;
}

static void
fmt_mac(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
	    mac[2], mac[3], mac[4], mac[5]);
}

/* Exactly six pairs of hex digits separated by ':'. */
static int
parse_mac(const char *s, uint8_t mac[6])
{
	unsigned i;
	int hi, lo;

	if (strlen(s) != 17)
		return -1;
	for (i = 0; i < 6; i++) {
		if (i > 0 && s[3 * i - 1] != ':')
			return -1;
		if ((hi = hex_nibble(s[3 * i])) < 0 ||
		    (lo = hex_nibble(s[3 * i + 1])) < 0)
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int
fmt_ip(const struct nvo3_ipaddr *a, char *out, size_t len)
{
	if (a->afi == NVO3_AFI_IPV4)
		return inet_ntop(AF_INET, a->addr, out, len) ? 0 : -1;
	if (a->afi == NVO3_AFI_IPV6)
		return inet_ntop(AF_INET6, a->addr, out, len) ? 0 : -1;
	return -1;
}

static int
parse_ip(const char *s, struct nvo3_ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1) {
		a->afi = NVO3_AFI_IPV4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->addr) == 1) {
		a->afi = NVO3_AFI_IPV6;
		return 0;
	}
	return -1;
}

bool
store_name_ok(const char *name)
{
	size_t i, n;

	if (name == NULL || name[0] == '\0' || name[0] == '.')
		return false;
	n = strlen(name);
	if (n >= TNVED_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-'))
			return false;
	}
	return true;
}

/* ---- record -> JSON ------------------------------------------------------- */

/* jansson's setters fail only on ENOMEM; one flag collects them. */
static void
put(json_t *o, const char *k, json_t *v, bool *bad)
{
	if (v == NULL || json_object_set_new(o, k, v) != 0)
		*bad = true;
}

static void
push(json_t *a, json_t *v, bool *bad)
{
	if (v == NULL || json_array_append_new(a, v) != 0)
		*bad = true;
}

static json_t *
tsi_json(const struct tnved_vm_rec *r, unsigned t, bool *bad)
{
	const struct tnved_tsi_def *d = &r->tsi[t];
	json_t *o = json_object(), *macs = json_array(), *ips = json_array();
	json_t *binds = json_array(), *b;
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned i, nb = 0;

	if (o == NULL || macs == NULL || ips == NULL || binds == NULL) {
		json_decref(o);
		json_decref(macs);
		json_decref(ips);
		json_decref(binds);
		*bad = true;
		return NULL;
	}
	put(o, "port", json_string(d->port), bad);
	for (i = 0; i < d->nmac && i < TNVED_MAX_MAC; i++) {
		fmt_mac(d->mac[i], buf);
		push(macs, json_string(buf), bad);
	}
	put(o, "macs", macs, bad);
	put(o, "vn", json_integer(d->vn), bad);
	fmt_uuid(d->vsiid, buf);
	put(o, "vsiid", json_string(buf), bad);
	put(o, "type-id", json_integer(d->type_id), bad);
	put(o, "type-version", json_integer(d->type_ver), bad);
	for (i = 0; i < d->nip && i < TNVED_MAX_IP; i++) {
		if (fmt_ip(&d->ip[i], buf, sizeof(buf)) != 0)
			buf[0] = '\0';	/* unknown AFI: fails to parse back */
		push(ips, json_string(buf), bad);
	}
	put(o, "ips", ips, bad);
	for (i = 0; i < TNVED_VN_NVES; i++)
		if (r->bind[t][i].nve[0] != '\0')
			nb = i + 1;
	for (i = 0; i < nb; i++) {
		if (r->bind[t][i].nve[0] == '\0') {
			push(binds, json_null(), bad);
			continue;
		}
		b = json_object();
		if (b != NULL) {
			put(b, "nve", json_string(r->bind[t][i].nve), bad);
			put(b, "vid", json_integer(r->bind[t][i].vid), bad);
		}
		push(binds, b, bad);
	}
	put(o, "binds", binds, bad);
	return o;
}

/* The view indexes the name arrays: nothing out of range is written. */
static bool
view_in_range(const struct nvo3_vm_view *v)
{
	return (unsigned)v->state < NVO3_VM__COUNT &&
	    (unsigned)v->dir <= NVO3_VM_DIR_IN &&
	    (unsigned)v->hold <= NVO3_HOLD_ACTIVATED;
}

json_t *
store_vm_json(const struct tnved_vm_rec *r)
{
	json_t *o, *tsis;
	char uuid[37];
	bool bad = false;
	unsigned t;

	if (r == NULL || !view_in_range(&r->view))
		return NULL;
	if ((o = json_object()) == NULL)
		return NULL;
	put(o, "format", json_integer(STORE_FORMAT), &bad);
	put(o, "name", json_string(r->name), &bad);
	fmt_uuid(r->uuid, uuid);
	put(o, "uuid", json_string(uuid), &bad);
	put(o, "state", json_string(nvo3_vm_state_names[r->view.state]), &bad);
	put(o, "dir", json_string(nvo3_vm_dir_names[r->view.dir]), &bad);
	put(o, "hold", json_string(nvo3_vm_hold_names[r->view.hold]), &bad);
	put(o, "arrived", json_boolean(r->view.arrived), &bad);
	put(o, "since", json_integer((json_int_t)(r->wall_since &
	    (uint64_t)INT64_MAX)), &bad);
	put(o, "from-host", json_string(r->from_host), &bad);
	if ((tsis = json_array()) != NULL) {
		for (t = 0; t < r->ntsi && t < TNVED_MAX_TSI; t++)
			push(tsis, tsi_json(r, t, &bad), &bad);
	}
	put(o, "tsis", tsis, &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- JSON -> record ------------------------------------------------------- */

struct perr {
	char		*buf;
	size_t		 len;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct perr *e, const char *fmt, ...)
{
	va_list ap;

	if (e->buf != NULL && e->len > 0) {
		va_start(ap, fmt);
		vsnprintf(e->buf, e->len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Every key of o is one of allowed (NULL-terminated). */
static int
only_known(const json_t *o, const char *const *allowed, const char *where,
    struct perr *e)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)o, k, v) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], k) == 0)
				break;
		if (allowed[i] == NULL)
			return fail(e, "%sunknown member \"%s\"", where, k);
	}
	return 0;
}

/* A member of type want (JSON_NULL: any); NULL when absent (optional). */
static int
member(const json_t *o, const char *k, json_type want, bool required,
    const char *where, const json_t **out, struct perr *e)
{
	static const char *const tname[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string", [JSON_INTEGER] = "an integer",
		[JSON_REAL] = "a number", [JSON_TRUE] = "a boolean",
		[JSON_FALSE] = "a boolean", [JSON_NULL] = "null",
	};
	const json_t *v = json_object_get(o, k);
	json_type t;

	*out = NULL;
	if (v == NULL) {
		if (required)
			return fail(e, "%smissing member \"%s\"", where, k);
		return 0;
	}
	t = json_typeof(v);
	if (want == JSON_TRUE ? !json_is_boolean(v) : t != want)
		return fail(e, "%s\"%s\": not %s", where, k, tname[want]);
	*out = v;
	return 0;
}

static int
get_str(const json_t *o, const char *k, bool required, size_t maxlen,
    const char *where, char *out, struct perr *e)
{
	const json_t *v;
	const char *s;
	int rc;

	if ((rc = member(o, k, JSON_STRING, required, where, &v, e)) != 0)
		return rc;
	if (v == NULL)
		return 0;
	s = json_string_value(v);
	if (strlen(s) > maxlen)
		return fail(e, "%s\"%s\": longer than %zu characters", where,
		    k, maxlen);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int
get_uint(const json_t *o, const char *k, bool required, json_int_t max,
    const char *where, json_int_t *out, struct perr *e)
{
	const json_t *v;
	json_int_t n;
	int rc;

	if ((rc = member(o, k, JSON_INTEGER, required, where, &v, e)) != 0)
		return rc;
	if (v == NULL)
		return 0;
	n = json_integer_value(v);
	if (n < 0 || n > max)
		return fail(e, "%s\"%s\": %" JSON_INTEGER_FORMAT
		    " out of range 0..%" JSON_INTEGER_FORMAT, where, k, n,
		    max);
	*out = n;
	return 0;
}

/* A name of names[0..n-1]; -1 when not one. */
static int
name_of(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int
get_name(const json_t *o, const char *k, const char *const *names, int n,
    int *out, struct perr *e)
{
	char buf[32];
	int rc, i;

	if ((rc = get_str(o, k, true, sizeof(buf) - 1, "", buf, e)) != 0)
		return rc;
	if ((i = name_of(names, n, buf)) < 0)
		return fail(e, "\"%s\": unknown value \"%s\"", k, buf);
	*out = i;
	return 0;
}

static int
parse_binds(const json_t *a, struct tnved_vm_rec *r, unsigned t,
    const char *where, struct perr *e)
{
	static const char *const keys[] = { "nve", "vid", NULL };
	char w[64];
	const json_t *b;
	json_int_t vid;
	size_t i;
	int rc;

	if (json_array_size(a) > TNVED_VN_NVES)
		return fail(e, "%s\"binds\": more than %d", where,
		    TNVED_VN_NVES);
	json_array_foreach(a, i, b) {
		snprintf(w, sizeof(w), "%sbinds[%zu]: ", where, i);
		if (json_is_null(b))
			continue;
		if (!json_is_object(b))
			return fail(e, "%snot an object or null", w);
		if ((rc = only_known(b, keys, w, e)) != 0 ||
		    (rc = get_str(b, "nve", true, TNVED_NVE_NAME_MAX - 1, w,
		    r->bind[t][i].nve, e)) != 0 ||
		    (rc = get_uint(b, "vid", true, 4095, w, &vid, e)) != 0)
			return rc;
		if (r->bind[t][i].nve[0] == '\0')
			return fail(e, "%s\"nve\": empty", w);
		r->bind[t][i].vid = (uint16_t)vid;
	}
	return 0;
}

static int
parse_tsi(const json_t *o, struct tnved_vm_rec *r, unsigned t,
    struct perr *e)
{
	static const char *const keys[] = { "port", "macs", "vn", "vsiid",
	    "type-id", "type-version", "ips", "binds", NULL };
	struct tnved_tsi_def *d = &r->tsi[t];
	char w[32], uuid[40];
	const json_t *a, *v;
	json_int_t n = 0;
	size_t i;
	int rc;

	snprintf(w, sizeof(w), "tsis[%u]: ", t);
	if (!json_is_object(o))
		return fail(e, "%snot an object", w);
	if ((rc = only_known(o, keys, w, e)) != 0)
		return rc;
	if ((rc = get_str(o, "port", true, IF_NAMESIZE - 1, w, d->port,
	    e)) != 0)
		return rc;
	if (d->port[0] == '\0')
		return fail(e, "%s\"port\": empty", w);
	if ((rc = member(o, "macs", JSON_ARRAY, true, w, &a, e)) != 0)
		return rc;
	if (json_array_size(a) < 1 || json_array_size(a) > TNVED_MAX_MAC)
		return fail(e, "%s\"macs\": %zu addresses, want 1..%d", w,
		    json_array_size(a), TNVED_MAX_MAC);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) ||
		    parse_mac(json_string_value(v), d->mac[i]) != 0)
			return fail(e, "%smacs[%zu]: not a MAC address", w, i);
	}
	d->nmac = (uint8_t)json_array_size(a);
	if ((rc = get_uint(o, "vn", true, NVO3_VN_MAX, w, &n, e)) != 0)
		return rc;
	if (n == 0)
		return fail(e, "%s\"vn\": 0 is not a VN", w);
	d->vn = (uint32_t)n;
	if ((rc = get_str(o, "vsiid", true, sizeof(uuid) - 1, w, uuid,
	    e)) != 0)
		return rc;
	if (parse_uuid(uuid, d->vsiid) != 0)
		return fail(e, "%s\"vsiid\": not a UUID", w);
	n = 0;
	if ((rc = get_uint(o, "type-id", false, 0xffffff, w, &n, e)) != 0)
		return rc;
	d->type_id = (uint32_t)n;
	n = 0;
	if ((rc = get_uint(o, "type-version", false, 255, w, &n, e)) != 0)
		return rc;
	d->type_ver = (uint8_t)n;
	if ((rc = member(o, "ips", JSON_ARRAY, false, w, &a, e)) != 0)
		return rc;
	if (a != NULL) {
		if (json_array_size(a) > TNVED_MAX_IP)
			return fail(e, "%s\"ips\": more than %d addresses", w,
			    TNVED_MAX_IP);
		json_array_foreach(a, i, v) {
			if (!json_is_string(v) ||
			    parse_ip(json_string_value(v), &d->ip[i]) != 0)
				return fail(e, "%sips[%zu]: not an IP address",
				    w, i);
		}
		d->nip = (uint8_t)json_array_size(a);
	}
	if ((rc = member(o, "binds", JSON_ARRAY, false, w, &a, e)) != 0)
		return rc;
	if (a != NULL)
		return parse_binds(a, r, t, w, e);
	return 0;
}

int
store_vm_parse(const json_t *j, struct tnved_vm_rec *r, char *err,
    size_t errsz)
{
	static const char *const keys[] = { "format", "name", "uuid",
	    "state", "dir", "hold", "arrived", "since", "from-host", "tsis",
	    NULL };
	struct perr e = { err, errsz };
	struct tnved_vm_rec nr;
	const json_t *v, *a;
	json_int_t n = 0;
	char uuid[40];
	size_t i;
	int rc, s;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	if (j == NULL || r == NULL)
		return fail(&e, "nothing to parse");
	if (!json_is_object(j))
		return fail(&e, "not a JSON object");
	memset(&nr, 0, sizeof(nr));
	if ((rc = only_known(j, keys, "", &e)) != 0)
		return rc;
	if ((rc = get_uint(j, "format", true, INT32_MAX, "", &n, &e)) != 0)
		return rc;
	if (n != STORE_FORMAT)
		return fail(&e, "\"format\": %" JSON_INTEGER_FORMAT
		    " not supported (want %d)", n, STORE_FORMAT);
	if ((rc = get_str(j, "name", true, TNVED_NAME_MAX - 1, "", nr.name,
	    &e)) != 0)
		return rc;
	if (!store_name_ok(nr.name))
		return fail(&e, "\"name\": \"%s\" is not a valid VM name",
		    nr.name);
	if ((rc = get_str(j, "uuid", true, sizeof(uuid) - 1, "", uuid,
	    &e)) != 0)
		return rc;
	if (parse_uuid(uuid, nr.uuid) != 0)
		return fail(&e, "\"uuid\": not a UUID");
	if ((rc = get_name(j, "state", nvo3_vm_state_names, NVO3_VM__COUNT,
	    &s, &e)) != 0)
		return rc;
	if (s == NVO3_VM_NONE)
		return fail(&e, "\"state\": a stored VM cannot be \"none\"");
	nr.view.state = (enum nvo3_vm_state)s;
	if ((rc = get_name(j, "dir", nvo3_vm_dir_names, 3, &s, &e)) != 0)
		return rc;
	nr.view.dir = (enum nvo3_vm_dir)s;
	if ((nr.view.state == NVO3_VM_MIGRATING) !=
	    (nr.view.dir != NVO3_VM_DIR_NONE))
		return fail(&e, "\"dir\": \"%s\" with state \"%s\"",
		    nvo3_vm_dir_names[nr.view.dir],
		    nvo3_vm_state_names[nr.view.state]);
	if ((rc = get_name(j, "hold", nvo3_vm_hold_names, 3, &s, &e)) != 0)
		return rc;
	nr.view.hold = (enum nvo3_vm_hold)s;
	if ((rc = member(j, "arrived", JSON_TRUE, true, "", &v, &e)) != 0)
		return rc;
	nr.view.arrived = json_is_true(v);
	n = 0;
	if ((rc = get_uint(j, "since", false, INT64_MAX, "", &n, &e)) != 0)
		return rc;
	nr.wall_since = (uint64_t)n;
	if ((rc = get_str(j, "from-host", false, TNVED_NAME_MAX - 1, "",
	    nr.from_host, &e)) != 0)
		return rc;
	if ((rc = member(j, "tsis", JSON_ARRAY, true, "", &a, &e)) != 0)
		return rc;
	if (json_array_size(a) < 1 || json_array_size(a) > TNVED_MAX_TSI)
		return fail(&e, "\"tsis\": %zu TSIs, want 1..%d",
		    json_array_size(a), TNVED_MAX_TSI);
	json_array_foreach(a, i, v) {
		if ((rc = parse_tsi(v, &nr, (unsigned)i, &e)) != 0)
			return rc;
	}
	nr.ntsi = (unsigned)json_array_size(a);
	*r = nr;
	return 0;
}

/* ---- files ---------------------------------------------------------------- */

/* mkdir -p: the last component 0700, the ones above 0755. */
static int
make_dir(const char *dir)
{
	char path[PATH_MAX];
	size_t len = strlen(dir), i;

	if (len == 0 || len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (i = 1; i < len; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -errno;
		path[i] = '/';
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int
sync_dir(const char *dir)
{
	int fd, rc = 0;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if (fsync(fd) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
store_save(const char *dir, const struct tnved_vm_rec *r, bool sync)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	json_t *j;
	char *text;
	int fd, rc;

	if (dir == NULL || r == NULL || !store_name_ok(r->name) ||
	    !view_in_range(&r->view))
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s" STORE_SUFFIX, dir,
	    r->name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s" STORE_SUFFIX ".tmp",
	    dir, r->name) >= sizeof(tmp))
		return -ENAMETOOLONG;
	if ((rc = make_dir(dir)) != 0)
		return rc;
	if ((j = store_vm_json(r)) == NULL)
		return -ENOMEM;
	text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (text == NULL)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		free(text);
		return rc;
	}
	rc = write_all(fd, text, strlen(text));
	if (rc == 0)
		rc = write_all(fd, "\n", 1);
	free(text);
	if (rc == 0 && sync && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0) {
		unlink(tmp);
		return rc;
	}
	return sync ? sync_dir(dir) : 0;
}

int
store_remove(const char *dir, const char *name)
{
	char path[PATH_MAX];

	if (dir == NULL || !store_name_ok(name))
		return -EINVAL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s" STORE_SUFFIX, dir,
	    name) >= sizeof(path))
		return -ENAMETOOLONG;
	if (unlink(path) != 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* Reads and parses one file; 0, or -EINVAL with the reason in err. */
static int
load_one(const char *path, const char *name, struct tnved_vm_rec *r,
    char *err, size_t errsz)
{
	json_error_t jerr;
	json_t *j;
	int rc;

	j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		snprintf(err, errsz, "line %d: %s", jerr.line, jerr.text);
		return -EINVAL;
	}
	rc = store_vm_parse(j, r, err, errsz);
	json_decref(j);
	if (rc == 0 && strcmp(r->name, name) != 0) {
		snprintf(err, errsz, "\"name\": \"%s\" is not the file's",
		    r->name);
		return -EINVAL;
	}
	return rc;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The NAME.json entries of dir, sorted; dot files are left out (and
 * stale temporaries removed).  Returns the count or -errno. */
static int
list_dir(const char *dir, char ***out)
{
	char **names = NULL, **nn, path[PATH_MAX];
	size_t n = 0, cap = 0, len, sl = strlen(STORE_SUFFIX);
	struct dirent *de;
	DIR *d;
	int rc = 0;

	*out = NULL;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.') {
			if (len > 4 &&
			    strcmp(de->d_name + len - 4, ".tmp") == 0 &&
			    (size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			    de->d_name) < sizeof(path))
				unlink(path);	/* a save cut short */
			continue;
		}
		if (len <= sl || strcmp(de->d_name + len - sl,
		    STORE_SUFFIX) != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nn = realloc(names, cap * sizeof(*nn))) == NULL) {
				rc = -ENOMEM;
				break;
			}
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc != 0) {
		while (n > 0)
			free(names[--n]);
		free(names);
		return rc;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	return (int)n;
}

/*
 * fn returns 0 when it took the VM; a negative value means it did not
 * (a duplicate, over the limit, ENOMEM): the VM is not counted, its file
 * stays, and loading goes on with the next one.
 */
int
store_load(const char *dir,
    int (*fn)(const struct tnved_vm_rec *r, void *arg), void *arg)
{
	struct tnved_vm_rec *r;
	char **names, path[PATH_MAX], bad[PATH_MAX], err[256];
	char name[TNVED_NAME_MAX + sizeof(STORE_SUFFIX)];
	int n, i, loaded = 0;
	size_t len;

	if (dir == NULL || fn == NULL)
		return -EINVAL;
	if ((n = list_dir(dir, &names)) <= 0)
		return n;
	if ((r = malloc(sizeof(*r))) == NULL) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		len = strlen(names[i]) - strlen(STORE_SUFFIX);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (len >= sizeof(name)) {
			snprintf(err, sizeof(err), "file name too long");
		} else {
			memcpy(name, names[i], len);
			name[len] = '\0';
			if (!store_name_ok(name))
				snprintf(err, sizeof(err),
				    "\"%s\" is not a valid VM name", name);
			else if (load_one(path, name, r, err,
			    sizeof(err)) == 0) {
				if (fn(r, arg) == 0)
					loaded++;
				continue;
			}
		}
		log_warn("%s: %s", path, err);
		if ((size_t)snprintf(bad, sizeof(bad), "%s.bad", path) <
		    sizeof(bad) && rename(path, bad) != 0)
			log_warn("%s: cannot rename to %s: %s", path, bad,
			    strerror(errno));
	}
	free(r);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return loaded;
}
