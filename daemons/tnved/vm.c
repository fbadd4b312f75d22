/*
 * vm.c - tnved's VM registry: the VMs of this hypervisor, their RFC 7666
 * state, their TSIs, and the operations that move them (RFC 8394
 * section 2, planned by lib/nvo3/vm.c).
 *
 * Owns struct tnved_vm and struct tnved_op, the address index d->addrs
 * (VN + MAC/IP, and every VSI ID: the same address or VSI ID on two
 * TSIs of this host is refused), the link to the state directory
 * (store.c) and the rows of "show vms" / "show tsis".  Runs in tnved's
 * one thread; bindings (bind.c) report each request's outcome here.
 *
 * An operation, whatever it is:
 *   1. nvo3_vm_plan() says if it is allowed (else: error, nothing
 *      changes) and which VDP request every TSI gets;
 *   2. the VM shows the plan's "during" state; every binding of every
 *      TSI is asked (bind_request); the op waits for all of them, at
 *      most op-timeout;
 *   3. all confirmed (or the plan is best effort): the VM takes the
 *      plan's ok view; else the bindings that did confirm are asked to
 *      undo (plan.undo_*), then the VM takes the fail view, and the
 *      first failure is the error the client gets;
 *   4. the VM is written to the state directory (or its file removed),
 *      then the client gets its answer: a start therefore returns only
 *      after the NVE activated the TSIs, and returns non-zero when it
 *      refused.
 * One operation per VM at a time; others are refused while it runs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "ctl/ctl.h"
#include "nvo3/nvo3.h"
#include "tnved.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mtime.h"

/* (VN, address) or VSI ID -> the TSI holding it. */
struct tnved_addr_ref {
	struct hnode	node;
	uint32_t	vn;		/* 0 for a VSI ID */
	uint8_t		kind;		/* 0 MAC, 4, 6, AK_VSIID */
	uint8_t		a[16];
	struct tnved_tsi *tsi;
};
#define AK_VSIID	255

static struct log_rl rl_store;

static uint64_t
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- registry and address index ------------------------------------------ */

static uint32_t
name_hash(const char *name)
{
	return hash_bytes(name, strlen(name), 0x5eed);
}

struct tnved_vm *
vm_find(struct tnved *d, const char *name)
{
	struct hnode *h;

	HMAP_FOR_HASH(h, &d->vms, name_hash(name)) {
		struct tnved_vm *vm = HMAP_CONTAINER(h, struct tnved_vm, node);

		if (strcmp(vm->name, name) == 0)
			return vm;
	}
	return NULL;
}

static uint32_t
ref_hash(uint32_t vn, uint8_t kind, const uint8_t a[16])
{
	return hash_add32(hash_bytes(a, 16, kind), vn);
}

static struct tnved_addr_ref *
ref_find(struct tnved *d, uint32_t vn, uint8_t kind, const uint8_t a[16])
{
	struct hnode *h;

	HMAP_FOR_HASH(h, &d->addrs, ref_hash(vn, kind, a)) {
		struct tnved_addr_ref *r = HMAP_CONTAINER(h,
		    struct tnved_addr_ref, node);

		if (r->vn == vn && r->kind == kind && !memcmp(r->a, a, 16))
			return r;
	}
	return NULL;
}

/* The keys a TSI definition claims, into k (kind + 16 octets each). */
struct akey {
	uint32_t	vn;
	uint8_t		kind;
	uint8_t		a[16];
};

static unsigned
def_keys(const struct tnved_tsi_def *def, struct akey *k)
{
	unsigned n = 0;

	memset(k, 0, sizeof(*k) * (1 + TNVED_MAX_MAC + TNVED_MAX_IP));
	k[n].kind = AK_VSIID;
	memcpy(k[n++].a, def->vsiid, 16);
	for (unsigned i = 0; i < def->nmac; i++) {
		k[n].vn = def->vn;
		k[n].kind = 0;
		memcpy(k[n++].a, def->mac[i], 6);
	}
	for (unsigned i = 0; i < def->nip; i++) {
		k[n].vn = def->vn;
		k[n].kind = def->ip[i].afi == NVO3_AFI_IPV4 ? 4 : 6;
		memcpy(k[n++].a, def->ip[i].addr, 16);
	}
	return n;
}

static void
key_text(const struct akey *k, char *out, size_t sz)
{
	char m[18];

	if (k->kind == AK_VSIID)
		vdp_vsiid_fmt(VDP_VSIID_UUID, k->a, out, sz);
	else if (k->kind == 0)
		snprintf(out, sz, "%s", mac_fmt(k->a, m));
	else
		inet_ntop(k->kind == 4 ? AF_INET : AF_INET6, k->a, out,
		    (socklen_t)sz);
}

/*
 * 0 if no other TSI holds any key of def (self may), else -EADDRINUSE
 * with the holder in err.
 */
static int
def_check(struct tnved *d, const struct tnved_tsi_def *def,
    const struct tnved_tsi *self, char *err, size_t sz)
{
	struct akey k[1 + TNVED_MAX_MAC + TNVED_MAX_IP];
	unsigned n = def_keys(def, k);
	char txt[64];

	for (unsigned i = 0; i < n; i++) {
		struct tnved_addr_ref *r = ref_find(d, k[i].vn, k[i].kind,
		    k[i].a);

		for (unsigned j = 0; j < i; j++)
			if (k[j].kind == k[i].kind && k[j].vn == k[i].vn &&
			    !memcmp(k[j].a, k[i].a, 16)) {
				key_text(&k[i], txt, sizeof(txt));
				snprintf(err, sz, "%s given twice", txt);
				return -EINVAL;
			}
		if (r != NULL && r->tsi != self) {
			key_text(&k[i], txt, sizeof(txt));
			snprintf(err, sz, "%s %s is held by VM %s TSI %u",
			    k[i].kind == AK_VSIID ? "VSI ID" : "address", txt,
			    r->tsi->vm->name, r->tsi->idx);
			return -EADDRINUSE;
		}
	}
	return 0;
}

static void
tsi_unindex(struct tnved *d, struct tnved_tsi *t)
{
	struct akey k[1 + TNVED_MAX_MAC + TNVED_MAX_IP];
	unsigned n = def_keys(&t->def, k);

	for (unsigned i = 0; i < n; i++) {
		struct tnved_addr_ref *r = ref_find(d, k[i].vn, k[i].kind,
		    k[i].a);

		if (r != NULL && r->tsi == t) {
			hmap_remove(&d->addrs, &r->node);
			free(r);
		}
	}
}

static int
tsi_index(struct tnved *d, struct tnved_tsi *t)
{
	struct akey k[1 + TNVED_MAX_MAC + TNVED_MAX_IP];
	unsigned n = def_keys(&t->def, k);

	for (unsigned i = 0; i < n; i++) {
		struct tnved_addr_ref *r;

		if (ref_find(d, k[i].vn, k[i].kind, k[i].a) != NULL)
			continue;
		if ((r = calloc(1, sizeof(*r))) == NULL ||
		    hmap_insert(&d->addrs, &r->node, ref_hash(k[i].vn,
		    k[i].kind, k[i].a)) < 0) {
			free(r);
			tsi_unindex(d, t);
			return -ENOMEM;
		}
		r->vn = k[i].vn;
		r->kind = k[i].kind;
		memcpy(r->a, k[i].a, 16);
		r->tsi = t;
	}
	return 0;
}

/*
 * Takes vm out of every index at once; its memory (and its bindings')
 * goes after this loop turn (vm_turn), since the removal may happen
 * inside a callback of one of its own bindings.
 */
static void
vm_retire(struct tnved *d, struct tnved_vm *vm)
{
	for (unsigned i = 0; i < vm->ntsi; i++) {
		struct tnved_tsi *t = &vm->tsi[i];

		tsi_unindex(d, t);
		for (unsigned j = 0; j < TNVED_VN_NVES; j++)
			if (t->bind[j] != NULL)
				bind_unlink(t->bind[j]);
	}
	if (vm->op != NULL) {
		sn_theap_cancel(&d->timers, &vm->op->timer);
		free(vm->op);
		vm->op = NULL;
	}
	hmap_remove(&d->vms, &vm->node);
	d->nvms--;
	vm->dead_next = d->dead;
	d->dead = vm;
}

void
vm_free_all(struct tnved *d)
{
	struct hmap_iter it;
	struct hnode *h;

	hmap_iter_init(&d->vms, &it);
	while ((h = hmap_iter_next(&d->vms, &it)) != NULL) {
		struct tnved_vm *vm = HMAP_CONTAINER(h, struct tnved_vm, node);

		if (vm->op != NULL && vm->op->req != NULL)
			ctl_reply_error(vm->op->req, "tnved is stopping");
		vm_retire(d, vm);
		hmap_iter_init(&d->vms, &it);
	}
	d->ka_lost = 0;
	vm_turn(d, mono_us());
}

/* ---- the state directory -------------------------------------------------- */

static void
rec_of(const struct tnved_vm *vm, struct tnved_vm_rec *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", vm->name);
	memcpy(r->uuid, vm->uuid, 16);
	r->view = vm->view;
	r->ntsi = vm->ntsi;
	r->wall_since = vm->wall_since;
	snprintf(r->from_host, sizeof(r->from_host), "%s", vm->from_host);
	for (unsigned i = 0; i < vm->ntsi; i++) {
		r->tsi[i] = vm->tsi[i].def;
		for (unsigned j = 0; j < TNVED_VN_NVES; j++) {
			const struct tnved_bind *b = vm->tsi[i].bind[j];

			if (b == NULL)
				continue;
			snprintf(r->bind[i][j].nve, sizeof(r->bind[i][j].nve),
			    "%s", b->nve->name);
			r->bind[i][j].vid = b->vid;
		}
	}
}

static void
vm_save(struct tnved *d, const struct tnved_vm *vm, uint64_t now)
{
	struct tnved_vm_rec *r = malloc(sizeof(*r));
	int rc = -ENOMEM;

	if (r != NULL) {
		rec_of(vm, r);
		rc = store_save(d->state_dir, r, d->conf.state_sync);
		free(r);
	}
	d->ctr.store_writes++;
	if (rc < 0) {
		d->ctr.store_errors++;
		log_rl(&rl_store, now, LOG_LVL_ERR, "state %s/%s.json: %s",
		    d->state_dir, vm->name, strerror(-rc));
	}
}

/* ---- definitions ------------------------------------------------------------ */

/* uuid5(ns, name), as Python's uuid.uuid5 computes it. */
static void
uuid5(const uint8_t ns[16], const char *name, uint8_t out[16])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;

	memset(h, 0, sizeof(h));
	if (c != NULL && EVP_DigestInit_ex(c, EVP_sha1(), NULL) == 1 &&
	    EVP_DigestUpdate(c, ns, 16) == 1 &&
	    EVP_DigestUpdate(c, name, strlen(name)) == 1)
		EVP_DigestFinal_ex(c, h, &hl);
	EVP_MD_CTX_free(c);
	memcpy(out, h, 16);
	out[6] = (uint8_t)((out[6] & 0x0f) | 0x50);
	out[8] = (uint8_t)((out[8] & 0x3f) | 0x80);
}

static int
parse_ip(const char *s, struct nvo3_ipaddr *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->addr) == 1) {
		ip->afi = NVO3_AFI_IPV4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->addr) == 1) {
		ip->afi = NVO3_AFI_IPV6;
		return 0;
	}
	return -EINVAL;
}

static bool
only_keys(const json_t *o, const char *const *keys, char *bad, size_t sz)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)o, k, v) {
		bool ok = false;

		for (unsigned i = 0; keys[i] != NULL && !ok; i++)
			ok = strcmp(keys[i], k) == 0;
		if (!ok) {
			snprintf(bad, sz, "%s", k);
			return false;
		}
	}
	return true;
}

static int
tsi_parse(const json_t *j, unsigned idx, const uint8_t vmuuid[16],
    struct tnved_tsi_def *def, char *err, size_t sz)
{
	static const char *const keys[] = { "port", "mac", "vn", "vsiid",
	    "ips", "type-id", "type-version", NULL };
	const char *port, *mac, *vsiid;
	json_t *vn, *ips, *tid, *tver;
	char bad[64], mtxt[18];

	memset(def, 0, sizeof(*def));
	if (!json_is_object(j)) {
		snprintf(err, sz, "tsis[%u]: not an object", idx);
		return -EINVAL;
	}
	if (!only_keys(j, keys, bad, sizeof(bad))) {
		snprintf(err, sz, "tsis[%u]: unknown member \"%s\"", idx, bad);
		return -EINVAL;
	}
	port = json_string_value(json_object_get(j, "port"));
	mac = json_string_value(json_object_get(j, "mac"));
	vn = json_object_get(j, "vn");
	if (port == NULL || port[0] == '\0' || strlen(port) >= IF_NAMESIZE) {
		snprintf(err, sz, "tsis[%u]: \"port\" must be an interface "
		    "name (1..%d characters)", idx, IF_NAMESIZE - 1);
		return -EINVAL;
	}
	snprintf(def->port, sizeof(def->port), "%s", port);
	if (mac == NULL || mac_parse(mac, def->mac[0]) < 0 ||
	    (def->mac[0][0] & 1)) {
		snprintf(err, sz, "tsis[%u]: \"mac\" must be a unicast MAC "
		    "address", idx);
		return -EINVAL;
	}
	def->nmac = 1;
	if (!json_is_integer(vn) || json_integer_value(vn) < 1 ||
	    json_integer_value(vn) > (json_int_t)NVO3_VN_MAX) {
		snprintf(err, sz, "tsis[%u]: \"vn\" must be an integer in "
		    "1..%u", idx, NVO3_VN_MAX);
		return -EINVAL;
	}
	def->vn = (uint32_t)json_integer_value(vn);
	if ((vsiid = json_string_value(json_object_get(j, "vsiid"))) != NULL) {
		if (vdp_uuid_parse(vsiid, def->vsiid) < 0) {
			snprintf(err, sz, "tsis[%u]: \"vsiid\" must be a "
			    "UUID", idx);
			return -EINVAL;
		}
	} else if (json_object_get(j, "vsiid") != NULL) {
		snprintf(err, sz, "tsis[%u]: \"vsiid\" must be a string", idx);
		return -EINVAL;
	} else {
		uuid5(vmuuid, mac_fmt(def->mac[0], mtxt), def->vsiid);
	}
	if ((ips = json_object_get(j, "ips")) != NULL) {
		size_t i;
		json_t *v;

		if (!json_is_array(ips) || json_array_size(ips) >
		    TNVED_MAX_IP) {
			snprintf(err, sz, "tsis[%u]: \"ips\" must be an array "
			    "of at most %d addresses", idx, TNVED_MAX_IP);
			return -EINVAL;
		}
		json_array_foreach(ips, i, v) {
			if (!json_is_string(v) || parse_ip(json_string_value(v),
			    &def->ip[def->nip]) < 0) {
				snprintf(err, sz, "tsis[%u]: ips[%zu] is not an "
				    "IPv4 or IPv6 address", idx, i);
				return -EINVAL;
			}
			def->nip++;
		}
	}
	tid = json_object_get(j, "type-id");
	tver = json_object_get(j, "type-version");
	if (tid != NULL && (!json_is_integer(tid) ||
	    json_integer_value(tid) < 1 ||
	    json_integer_value(tid) > 0xffffff)) {
		snprintf(err, sz, "tsis[%u]: \"type-id\" must be an integer in "
		    "1..16777215", idx);
		return -EINVAL;
	}
	if (tver != NULL && (!json_is_integer(tver) ||
	    json_integer_value(tver) < 0 || json_integer_value(tver) > 255)) {
		snprintf(err, sz, "tsis[%u]: \"type-version\" must be an "
		    "integer in 0..255", idx);
		return -EINVAL;
	}
	if (tid != NULL) {
		def->type_id = (uint32_t)json_integer_value(tid);
		def->type_ver = tver ? (uint8_t)json_integer_value(tver) : 0;
	}
	return 0;
}

/* A VM from its SPEC (not inserted).  NULL with err on a bad spec. */
static struct tnved_vm *
spec_parse(struct tnved *d, const json_t *spec, char *err, size_t sz)
{
	static const char *const keys[] = { "name", "uuid", "tsis", NULL };
	struct tnved_vm *vm;
	const char *name, *uuid;
	json_t *tsis, *v;
	char bad[64];
	size_t i;

	if (!json_is_object(spec)) {
		snprintf(err, sz, "\"vm\" must be an object");
		return NULL;
	}
	if (!only_keys(spec, keys, bad, sizeof(bad))) {
		snprintf(err, sz, "vm: unknown member \"%s\"", bad);
		return NULL;
	}
	name = json_string_value(json_object_get(spec, "name"));
	if (name == NULL || !store_name_ok(name)) {
		snprintf(err, sz, "vm: \"name\" must be 1..%d of A-Z a-z 0-9 "
		    ". _ - (not starting with a dot)", TNVED_NAME_MAX - 1);
		return NULL;
	}
	tsis = json_object_get(spec, "tsis");
	if (!json_is_array(tsis) || json_array_size(tsis) < 1 ||
	    json_array_size(tsis) > TNVED_MAX_TSI) {
		snprintf(err, sz, "vm %s: \"tsis\" must be an array of 1..%d "
		    "TSIs", name, TNVED_MAX_TSI);
		return NULL;
	}
	if ((vm = calloc(1, sizeof(*vm))) == NULL) {
		snprintf(err, sz, "%s", strerror(ENOMEM));
		return NULL;
	}
	vm->d = d;
	snprintf(vm->name, sizeof(vm->name), "%s", name);
	if ((v = json_object_get(spec, "uuid")) != NULL) {
		uuid = json_string_value(v);
		if (uuid == NULL || vdp_uuid_parse(uuid, vm->uuid) < 0) {
			snprintf(err, sz, "vm %s: \"uuid\" must be a UUID",
			    name);
			free(vm);
			return NULL;
		}
	}
	json_array_foreach(tsis, i, v) {
		struct tnved_tsi *t = &vm->tsi[i];
		char e[200];

		t->vm = vm;
		t->idx = (unsigned)i;
		if (tsi_parse(v, (unsigned)i, vm->uuid, &t->def, e,
		    sizeof(e)) < 0) {
			snprintf(err, sz, "vm %s: %s", name, e);
			free(vm);
			return NULL;
		}
		vm->ntsi++;
	}
	return vm;
}

static int
vm_insert(struct tnved *d, struct tnved_vm *vm, char *err, size_t sz)
{
	unsigned i;

	for (i = 0; i < vm->ntsi; i++)
		if (def_check(d, &vm->tsi[i].def, NULL, err, sz) < 0)
			return -EADDRINUSE;
	for (i = 0; i < vm->ntsi; i++) {
		/* two TSIs of the same VM must differ as well */
		if (def_check(d, &vm->tsi[i].def, NULL, err, sz) < 0 ||
		    tsi_index(d, &vm->tsi[i]) < 0) {
			while (i-- > 0)
				tsi_unindex(d, &vm->tsi[i]);
			if (err[0] == '\0')
				snprintf(err, sz, "%s", strerror(ENOMEM));
			return -EADDRINUSE;
		}
	}
	if (hmap_insert(&d->vms, &vm->node, name_hash(vm->name)) < 0) {
		for (i = 0; i < vm->ntsi; i++)
			tsi_unindex(d, &vm->tsi[i]);
		snprintf(err, sz, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	d->nvms++;
	return 0;
}

/* ---- rows ------------------------------------------------------------------- */

static const char *
mode_text(uint8_t mode)
{
	switch (mode) {
	case VDP_TLV_PREASSOC:
	case VDP_TLV_PREASSOC_RR:
		return "preassoc";
	case VDP_TLV_ASSOC:
		return "assoc";
	default:
		return "none";
	}
}

json_t *
vm_tsi_row(const struct tnved_tsi *t, const struct tnved_bind *b,
    uint64_t now)
{
	json_t *o = json_object(), *macs = json_array(), *ips = json_array();
	char txt[VDP_VSIID_STRLEN], m[18];

	ctl_set_str(o, "vm", t->vm->name);
	ctl_set_int(o, "tsi", t->idx);
	ctl_set_str(o, "port", t->def.port);
	for (unsigned i = 0; i < t->def.nmac; i++)
		json_array_append_new(macs, json_string(mac_fmt(t->def.mac[i],
		    m)));
	json_object_set_new(o, "mac", macs);
	ctl_set_int(o, "vn", t->def.vn);
	vdp_vsiid_fmt(VDP_VSIID_UUID, t->def.vsiid, txt, sizeof(txt));
	ctl_set_str(o, "vsiid", txt);
	for (unsigned i = 0; i < t->def.nip; i++) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(t->def.ip[i].afi == NVO3_AFI_IPV4 ? AF_INET :
		    AF_INET6, t->def.ip[i].addr, a, sizeof(a));
		json_array_append_new(ips, json_string(a));
	}
	json_object_set_new(o, "ips", ips);
	ctl_set_str(o, "nve", b ? b->nve->name : NULL);
	ctl_set_str(o, "status", b ? tnved_bind_status_names[b->status] :
	    "idle");
	ctl_set_str(o, "vdp", b ? vdp_sta_state_names[b->sta.state] : "INIT");
	ctl_set_str(o, "mode", mode_text(b ? bind_mode(b) : 0));
	ctl_set_int(o, "vid", b ? b->vid : 0);
	ctl_set_int(o, "code", b ? b->code : 0);
	ctl_set_int(o, "keepalives", b ? b->keepalives : 0);
	ctl_set_bool(o, "down", t->down);
	ctl_set_secs(o, "since", now, b ? b->since : 0);
	return o;
}

static void
vm_tsi_rows(const struct tnved_vm *vm, json_t *rows, uint64_t now)
{
	for (unsigned i = 0; i < vm->ntsi; i++) {
		const struct tnved_tsi *t = &vm->tsi[i];
		bool any = false;

		for (unsigned j = 0; j < TNVED_VN_NVES; j++)
			if (t->bind[j] != NULL) {
				json_array_append_new(rows, vm_tsi_row(t,
				    t->bind[j], now));
				any = true;
			}
		if (!any)
			json_array_append_new(rows, vm_tsi_row(t, NULL, now));
	}
}

json_t *
vm_table_tsis(struct tnved *d, uint64_t now)
{
	json_t *rows = json_array();
	struct hmap_iter it;
	struct hnode *h;

	hmap_iter_init(&d->vms, &it);
	while ((h = hmap_iter_next(&d->vms, &it)) != NULL)
		vm_tsi_rows(HMAP_CONTAINER(h, struct tnved_vm, node), rows,
		    now);
	return rows;
}

static json_t *
vm_row(const struct tnved_vm *vm, uint64_t now)
{
	json_t *o = json_object();
	char txt[VDP_VSIID_STRLEN];
	static const uint8_t zero[16];

	ctl_set_str(o, "name", vm->name);
	if (memcmp(vm->uuid, zero, 16) != 0) {
		vdp_vsiid_fmt(VDP_VSIID_UUID, vm->uuid, txt, sizeof(txt));
		ctl_set_str(o, "uuid", txt);
	} else {
		ctl_set_str(o, "uuid", NULL);
	}
	ctl_set_str(o, "state", nvo3_vm_state_names[vm->view.state]);
	ctl_set_str(o, "migration", nvo3_vm_dir_names[vm->view.dir]);
	ctl_set_str(o, "hold", nvo3_vm_hold_names[vm->view.hold]);
	ctl_set_bool(o, "arrived", vm->view.arrived);
	ctl_set_int(o, "tsis", vm->ntsi);
	ctl_set_str(o, "op", vm->op ? nvo3_vm_op_names[vm->op->op] : NULL);
	ctl_set_secs(o, "since", now, vm->since);
	return o;
}

json_t *
vm_table_vms(struct tnved *d, uint64_t now)
{
	json_t *rows = json_array();
	struct hmap_iter it;
	struct hnode *h;

	hmap_iter_init(&d->vms, &it);
	while ((h = hmap_iter_next(&d->vms, &it)) != NULL)
		json_array_append_new(rows, vm_row(HMAP_CONTAINER(h,
		    struct tnved_vm, node), now));
	return rows;
}

static json_t *
vm_result(const struct tnved_vm *vm, bool removed, uint64_t now)
{
	json_t *o = json_object(), *rows = json_array();

	ctl_set_str(o, "vm", vm->name);
	ctl_set_str(o, "state", removed ? "undefined" :
	    nvo3_vm_state_names[vm->view.state]);
	vm_tsi_rows(vm, rows, now);
	json_object_set_new(o, "tsis", rows);
	return o;
}

/* ---- operations ------------------------------------------------------------- */

static void	phase_end(struct tnved_vm *vm, uint64_t now);

/* Does this VM hold something at some NVE? */
static uint8_t
held_mode(const struct tnved_vm *vm)
{
	switch (vm->view.hold) {
	case NVO3_HOLD_ASSOCIATED:
		return VDP_TLV_PREASSOC;
	case NVO3_HOLD_ACTIVATED:
		return VDP_TLV_ASSOC;
	default:
		return 0;
	}
}

/*
 * Asks every binding of the VM's TSIs (only TSI only_tsi when >= 0) for
 * mode; undo: only those that confirmed in this op.
 */
static void
phase_run(struct tnved_vm *vm, int only_tsi, uint8_t mode, uint8_t hints,
    uint8_t reason, bool undo, uint64_t now)
{
	struct tnved_op *op = vm->op;
	struct tnved_bind *list[TNVED_MAX_TSI * TNVED_VN_NVES];
	unsigned n = 0;

	for (unsigned i = 0; i < vm->ntsi; i++) {
		struct tnved_tsi *t = &vm->tsi[i];
		struct tnved_nve *tg[TNVED_VN_NVES];

		if (only_tsi >= 0 && (int)i != only_tsi)
			continue;
		if (undo || mode == VDP_TLV_DEASSOC) {
			for (unsigned j = 0; j < TNVED_VN_NVES; j++) {
				struct tnved_bind *b = t->bind[j];

				if (b == NULL || (undo && !b->op_ok))
					continue;
				list[n++] = b;
			}
			continue;
		}
		bind_targets(t, tg);
		for (unsigned j = 0; j < TNVED_VN_NVES; j++) {
			struct tnved_bind *b;

			if (tg[j] == NULL)
				continue;
			if ((b = bind_get(t, j, tg[j], now)) == NULL) {
				op->failed++;
				snprintf(op->err, sizeof(op->err), "%s",
				    strerror(ENOMEM));
				continue;
			}
			list[n++] = b;
		}
		/* a slot no longer used (active-active list shrank) */
		for (unsigned j = 0; j < TNVED_VN_NVES; j++)
			if (tg[j] == NULL && t->bind[j] != NULL &&
			    bind_mode(t->bind[j]) == 0)
				bind_free(t->bind[j]);
	}
	op->waiting = n;
	for (unsigned i = 0; i < n; i++) {
		list[i]->in_op = true;
		if (!undo)
			list[i]->op_ok = false;
	}
	op->starting = true;
	for (unsigned i = 0; i < n; i++)
		bind_request(list[i], mode, hints, reason, now);
	op->starting = false;
	if (op->waiting == 0)
		phase_end(vm, now);
}

static void
op_finish(struct tnved_vm *vm, bool success, uint64_t now)
{
	struct tnved *d = vm->d;
	struct tnved_op *op = vm->op;
	struct nvo3_vm_view v = success ? op->plan.ok : op->plan.fail;
	bool removed = v.state == NVO3_VM_NONE;
	json_t *res = NULL;

	if (op->addr_change && !success) {
		/* the NVE kept the old list: so do we */
		tsi_unindex(d, &vm->tsi[op->addr_tsi]);
		vm->tsi[op->addr_tsi].def = op->old_def;
		tsi_index(d, &vm->tsi[op->addr_tsi]);
	} else if (op->addr_change) {
		d->ctr.addr_updates++;
		vm->tsi[op->addr_tsi].addr_updates++;
	}
	if (!op->addr_change) {
		if (v.state != vm->view.state || v.dir != vm->view.dir)
			log_info("VM %s: %s -> %s%s%s (%s%s%s)", vm->name,
			    nvo3_vm_state_names[op->from.state],
			    removed ? "undefined" : nvo3_vm_state_names[v.state],
			    v.dir ? " " : "", v.dir ? nvo3_vm_dir_names[v.dir] :
			    "", nvo3_vm_op_names[op->op], success ? "" :
			    ", failed: ", success ? "" : op->err);
		vm->view = v;
		vm->since = now;
		vm->wall_since = wall_us();
	}
	sn_theap_cancel(&d->timers, &op->timer);
	if (success)
		d->ctr.ops_ok++;
	else
		d->ctr.ops_failed++;
	if (op->req != NULL)
		res = vm_result(vm, removed, now);
	if (removed)
		store_remove(d->state_dir, vm->name);
	else
		vm_save(d, vm, now);
	if (op->req != NULL) {
		if (success)
			ctl_reply_result(op->req, res);
		else {
			json_decref(res);
			ctl_reply_error(op->req, "VM %s: %s failed: %s",
			    vm->name, op->addr_change ? "address change" :
			    nvo3_vm_op_names[op->op], op->err);
		}
	}
	if (!success)
		log_warn("VM %s: %s failed: %s", vm->name, op->addr_change ?
		    "address change" : nvo3_vm_op_names[op->op], op->err);
	if (op->done != NULL)
		op->done(vm, success ? 0 : -EIO, op->err, op->done_arg);
	vm->op = NULL;
	free(op);
	if (removed)
		vm_retire(d, vm);
}

static void
phase_end(struct tnved_vm *vm, uint64_t now)
{
	struct tnved_op *op = vm->op;
	bool any_ok = false;

	if (op->undoing) {
		op_finish(vm, false, now);
		return;
	}
	if (op->failed == 0 || op->plan.best_effort) {
		op_finish(vm, true, now);
		return;
	}
	for (unsigned i = 0; i < vm->ntsi; i++)
		for (unsigned j = 0; j < TNVED_VN_NVES; j++)
			if (vm->tsi[i].bind[j] && vm->tsi[i].bind[j]->op_ok)
				any_ok = true;
	if (op->plan.undo_mode == 0 || !any_ok) {
		op_finish(vm, false, now);
		return;
	}
	op->undoing = true;
	phase_run(vm, op->addr_change ? (int)op->addr_tsi : -1,
	    op->plan.undo_mode, op->plan.undo_hints, op->plan.undo_reason,
	    true, now);
}

void
vm_bind_outcome(struct tnved_bind *b, bool ok, const char *why, uint64_t now)
{
	struct tnved_vm *vm = b->tsi->vm;
	struct tnved_op *op = vm->op;

	if (op == NULL)
		return;
	if (ok) {
		b->op_ok = true;
	} else {
		if (!op->undoing)
			b->op_ok = false;
		op->failed++;
		if (op->err[0] == '\0')
			snprintf(op->err, sizeof(op->err), "TSI %u (%s): %s",
			    b->tsi->idx, b->tsi->def.port, why ? why : "failed");
	}
	if (op->waiting > 0)
		op->waiting--;
	if (op->waiting == 0 && !op->starting)
		phase_end(vm, now);
}

void
vm_op_timer(struct tnved_vm *vm, uint64_t now)
{
	struct tnved *d = vm->d;
	struct tnved_op *op = vm->op;

	if (op == NULL)
		return;
	d->ctr.ops_timeout++;
	op->starting = true;
	for (unsigned i = 0; i < vm->ntsi; i++)
		for (unsigned j = 0; j < TNVED_VN_NVES; j++) {
			struct tnved_bind *b = vm->tsi[i].bind[j];
			char why[128];

			if (b == NULL || !b->in_op)
				continue;
			if (op->op == NVO3_VMOP_REANNOUNCE &&
			    b->status == TNVED_B_WAIT_NVE) {
				/* sent when the NVE comes up */
				b->in_op = false;
				op->waiting--;
				continue;
			}
			snprintf(why, sizeof(why), "NVE %s %s within %u ms",
			    b->nve->name, b->status == TNVED_B_WAIT_NVE ?
			    "was not reachable" : "did not answer",
			    d->conf.op_timeout_ms);
			if (b->status == TNVED_B_PENDING) {
				vdp_sta_init(&b->sta, &b->sta.par);
				sn_theap_cancel(&d->timers, &b->timer);
			}
			b->status = TNVED_B_FAILED;
			b->queued = false;
			b->in_op = false;
			vm_bind_outcome(b, b->want_mode == VDP_TLV_DEASSOC,
			    why, now);
		}
	op->starting = false;
	if (vm->op == op && op->waiting == 0)
		phase_end(vm, now);
}

/*
 * A new operation on vm, its timeout armed; answers go to req.  NULL
 * when out of memory (nothing changed).
 */
static struct tnved_op *
op_attach(struct tnved_vm *vm, enum nvo3_vm_op opk,
    const struct nvo3_vm_plan *p, struct ctl_req *req, uint64_t now)
{
	struct tnved *d = vm->d;
	struct tnved_op *op = calloc(1, sizeof(*op));

	if (op == NULL)
		return NULL;
	op->vm = vm;
	op->op = opk;
	op->plan = *p;
	op->from = vm->view;
	op->req = req;
	op->started = now;
	sn_timer_init(&op->timer, TNVED_T_OP);
	vm->op = op;
	tnved_timer_set(d, &op->timer, now +
	    (uint64_t)d->conf.op_timeout_ms * USEC_PER_MSEC);
	return op;
}

/* Starts op (allowed and planned) on vm; answers req at the end. */
static void
op_start(struct tnved_vm *vm, enum nvo3_vm_op opk,
    const struct nvo3_vm_plan *p, struct ctl_req *req, uint64_t now)
{
	if (op_attach(vm, opk, p, req, now) == NULL) {
		if (req != NULL)
			ctl_reply_error(req, "%s", strerror(ENOMEM));
		return;
	}
	if (p->mode != 0 || opk == NVO3_VMOP_DEFINE ||
	    opk == NVO3_VMOP_INCOMING || opk == NVO3_VMOP_COLD_IN) {
		vm->view.state = p->during;
		vm->view.dir = p->during_dir;
		vm->since = now;
	}
	log_debug("VM %s: %s (%s)", vm->name, nvo3_vm_op_names[opk],
	    p->mode ? vdp_mode_name(p->mode) : "no VDP exchange");
	if (p->mode == 0) {
		phase_end(vm, now);
		return;
	}
	phase_run(vm, -1, p->mode, p->hints, p->reason, false, now);
}

void
vm_op_request(struct tnved *d, enum nvo3_vm_op op, const json_t *spec,
    struct ctl_req *req, uint64_t now)
{
	struct tnved_vm *vm, *nvm = NULL;
	struct nvo3_vm_plan plan;
	struct nvo3_vm_view none = { .state = NVO3_VM_NONE };
	char err[256] = "";
	const char *name;
	bool creates = op == NVO3_VMOP_DEFINE || op == NVO3_VMOP_INCOMING ||
	    op == NVO3_VMOP_COLD_IN;
	int rc;

	if (creates) {
		if ((nvm = spec_parse(d, spec, err, sizeof(err))) == NULL)
			goto refuse;
		name = nvm->name;
	} else {
		name = json_string_value(spec);
	}
	if ((vm = vm_find(d, name)) == NULL && !creates) {
		snprintf(err, sizeof(err), "no VM named \"%s\"", name);
		goto refuse;
	}
	if (vm != NULL && vm->op != NULL) {
		snprintf(err, sizeof(err), "VM %s: %s is in progress; try "
		    "again when it ends", name, nvo3_vm_op_names[vm->op->op]);
		goto refuse;
	}
	if ((rc = nvo3_vm_plan(vm ? &vm->view : &none, op, &plan)) < 0) {
		snprintf(err, sizeof(err), "VM %s is %s%s%s: %s is not allowed "
		    "then", name, vm ? nvo3_vm_state_names[vm->view.state] :
		    "not defined", vm && vm->view.dir ? " " : "", vm &&
		    vm->view.dir ? nvo3_vm_dir_names[vm->view.dir] : "",
		    nvo3_vm_op_names[op]);
		goto refuse;
	}
	if (creates && vm == NULL) {
		if (d->nvms >= d->conf.max_vms) {
			snprintf(err, sizeof(err), "max-vms (%u) reached",
			    d->conf.max_vms);
			goto refuse;
		}
		if (vm_insert(d, nvm, err, sizeof(err)) < 0)
			goto refuse;
		vm = nvm;
		nvm = NULL;
		vm->view = none;
		vm->since = now;
		vm->wall_since = wall_us();
		if (op == NVO3_VMOP_INCOMING && req != NULL) {
			const char *from = ctl_req_str(req, "from");

			if (from != NULL)
				snprintf(vm->from_host, sizeof(vm->from_host),
				    "%s", from);
		}
	} else if (creates) {
		/* define again after a failed association: take the new
		 * definition only if it names the same TSIs */
		bool same = nvm->ntsi == vm->ntsi;

		for (unsigned i = 0; same && i < vm->ntsi; i++)
			same = memcmp(&nvm->tsi[i].def, &vm->tsi[i].def,
			    sizeof(vm->tsi[i].def)) == 0;
		if (!same) {
			snprintf(err, sizeof(err), "VM %s is defined with "
			    "other TSIs; destroy it first", name);
			goto refuse;
		}
		free(nvm);
		nvm = NULL;
	}
	op_start(vm, op, &plan, req, now);
	return;
refuse:
	free(nvm);
	d->ctr.ops_refused++;
	log_info("refused: %s: %s", nvo3_vm_op_names[op], err);
	if (req != NULL)
		ctl_reply_error(req, "%s", err);
}

/* ---- Req-10: address changes on a TSI -------------------------------------- */

static int
parse_addr(const char *text, bool *has_ip, struct nvo3_ipaddr *ip,
    bool *has_mac, uint8_t mac[6])
{
	char buf[96], *at;

	*has_ip = *has_mac = false;
	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", text);
	if ((at = strchr(buf, '@')) != NULL) {
		*at++ = '\0';
		if (parse_ip(buf, ip) < 0 || mac_parse(at, mac) < 0)
			return -EINVAL;
		*has_ip = *has_mac = true;
		return 0;
	}
	if (parse_ip(buf, ip) == 0) {
		*has_ip = true;
		return 0;
	}
	if (mac_parse(buf, mac) == 0) {
		*has_mac = true;
		return 0;
	}
	return -EINVAL;
}

static int
def_apply(struct tnved_tsi_def *def, const char *text, bool add, char *err,
    size_t sz)
{
	struct nvo3_ipaddr ip;
	uint8_t mac[6];
	bool has_ip, has_mac;
	int mi = -1, ii = -1;

	if (parse_addr(text, &has_ip, &ip, &has_mac, mac) < 0 ||
	    (has_mac && (mac[0] & 1))) {
		snprintf(err, sz, "\"%s\" is not a unicast MAC, an IPv4 or "
		    "IPv6 address, or IP@MAC", text);
		return -EINVAL;
	}
	for (unsigned i = 0; has_mac && i < def->nmac; i++)
		if (memcmp(def->mac[i], mac, 6) == 0)
			mi = (int)i;
	for (unsigned i = 0; has_ip && i < def->nip; i++)
		if (def->ip[i].afi == ip.afi &&
		    memcmp(def->ip[i].addr, ip.addr, 16) == 0)
			ii = (int)i;
	if (add) {
		if ((!has_mac || mi >= 0) && (!has_ip || ii >= 0)) {
			snprintf(err, sz, "the TSI already has %s", text);
			return -EEXIST;
		}
		if (has_mac && mi < 0) {
			if (def->nmac >= TNVED_MAX_MAC) {
				snprintf(err, sz, "a TSI has at most %d MACs",
				    TNVED_MAX_MAC);
				return -E2BIG;
			}
			memcpy(def->mac[def->nmac++], mac, 6);
		}
		if (has_ip && ii < 0) {
			if (def->nip >= TNVED_MAX_IP) {
				snprintf(err, sz, "a TSI has at most %d IP "
				    "addresses", TNVED_MAX_IP);
				return -E2BIG;
			}
			def->ip[def->nip++] = ip;
		}
		return 0;
	}
	if ((has_mac && mi < 0) || (has_ip && ii < 0)) {
		snprintf(err, sz, "the TSI does not have %s", text);
		return -ENOENT;
	}
	if (has_mac && !has_ip) {
		if (def->nmac == 1) {
			snprintf(err, sz, "%s is the TSI's only MAC", text);
			return -EPERM;
		}
		memmove(def->mac[mi], def->mac[mi + 1],
		    (size_t)(def->nmac - mi - 1) * 6);
		def->nmac--;
	}
	if (has_ip) {
		memmove(&def->ip[ii], &def->ip[ii + 1],
		    (size_t)(def->nip - ii - 1) * sizeof(def->ip[0]));
		def->nip--;
	}
	return 0;
}

void
vm_addr_request(struct tnved *d, const char *name, unsigned tsi_idx,
    const char *addr, bool add, struct ctl_req *req, uint64_t now)
{
	struct tnved_vm *vm = vm_find(d, name);
	struct tnved_tsi *t;
	struct tnved_tsi_def nd;
	struct nvo3_vm_plan plan;
	struct tnved_op *op;
	char err[256] = "";

	if (vm == NULL) {
		snprintf(err, sizeof(err), "no VM named \"%s\"", name);
		goto refuse;
	}
	if (vm->op != NULL) {
		snprintf(err, sizeof(err), "VM %s: %s is in progress; try "
		    "again when it ends", name, nvo3_vm_op_names[vm->op->op]);
		goto refuse;
	}
	if (tsi_idx >= vm->ntsi) {
		snprintf(err, sizeof(err), "VM %s has no TSI %u (it has %u)",
		    name, tsi_idx, vm->ntsi);
		goto refuse;
	}
	t = &vm->tsi[tsi_idx];
	nd = t->def;
	if (def_apply(&nd, addr, add, err, sizeof(err)) < 0)
		goto refuse;
	if (def_check(d, &nd, t, err, sizeof(err)) < 0)
		goto refuse;
	/* the same mode again with the new list; the view does not move */
	memset(&plan, 0, sizeof(plan));
	plan.mode = held_mode(vm);
	plan.during = vm->view.state;
	plan.during_dir = vm->view.dir;
	plan.ok = plan.fail = vm->view;
	if ((op = op_attach(vm, NVO3_VMOP_REANNOUNCE, &plan, req, now)) ==
	    NULL) {
		snprintf(err, sizeof(err), "%s", strerror(ENOMEM));
		goto refuse;
	}
	op->addr_change = true;
	op->addr_tsi = tsi_idx;
	tsi_unindex(d, t);
	op->old_def = t->def;
	t->def = nd;
	tsi_index(d, t);
	log_info("VM %s TSI %u: %s %s", name, tsi_idx, add ? "add" : "remove",
	    addr);
	if (plan.mode == 0) {
		phase_end(vm, now);
		return;
	}
	/* the same mode again with the new list: an update, no state change */
	phase_run(vm, (int)tsi_idx, plan.mode, 0, 0, false, now);
	return;
refuse:
	d->ctr.ops_refused++;
	log_info("refused: address change: %s", err);
	if (req != NULL)
		ctl_reply_error(req, "%s", err);
}

/* ---- restart ----------------------------------------------------------------- */

static int
restore_one(const struct tnved_vm_rec *r, void *arg)
{
	struct tnved *d = arg;
	struct tnved_vm *vm = calloc(1, sizeof(*vm));
	struct nvo3_vm_plan plan;
	uint64_t now = mono_us();
	char err[256] = "";

	if (vm == NULL)
		return -ENOMEM;
	vm->d = d;
	snprintf(vm->name, sizeof(vm->name), "%s", r->name);
	memcpy(vm->uuid, r->uuid, 16);
	vm->view = r->view;
	vm->ntsi = r->ntsi;
	vm->wall_since = r->wall_since;
	vm->since = now;
	snprintf(vm->from_host, sizeof(vm->from_host), "%s", r->from_host);
	for (unsigned i = 0; i < r->ntsi; i++) {
		vm->tsi[i].vm = vm;
		vm->tsi[i].idx = i;
		vm->tsi[i].def = r->tsi[i];
	}
	if (vm_insert(d, vm, err, sizeof(err)) < 0) {
		log_warn("state: VM %s not restored: %s", r->name, err);
		free(vm);
		return 0;
	}
	for (unsigned i = 0; i < r->ntsi; i++)
		for (unsigned j = 0; j < TNVED_VN_NVES; j++) {
			struct tnved_nve *n;
			struct tnved_bind *b;

			if (r->bind[i][j].nve[0] == '\0')
				continue;
			if ((n = nve_find(d, r->bind[i][j].nve)) == NULL) {
				log_warn("state: VM %s TSI %u: NVE %s is no "
				    "longer configured", r->name, i,
				    r->bind[i][j].nve);
				continue;
			}
			if ((b = bind_get(&vm->tsi[i], j, n, now)) == NULL)
				return -ENOMEM;
			b->vid = r->bind[i][j].vid;
			if (j == 0 || vm->tsi[i].vid == 0)
				vm->tsi[i].vid = b->vid;
		}
	if (nvo3_vm_plan(&vm->view, NVO3_VMOP_REANNOUNCE, &plan) == 0 &&
	    plan.mode != 0)
		op_start(vm, NVO3_VMOP_REANNOUNCE, &plan, NULL, now);
	return 0;
}

int
vm_restore(struct tnved *d, uint64_t now)
{
	int n = store_load(d->state_dir, restore_one, d);

	(void)now;
	if (n < 0)
		return n;
	if (n > 0)
		log_info("state %s: %d VM%s restored; re-announcing their "
		    "TSIs", d->state_dir, n, n == 1 ? "" : "s");
	return 0;
}
