/*
 * parse.c - nnved.conf (docs/nnved.conf.5) -> struct nnved_conf.
 *
 * Owns: nnved's statements (globals, domain, port, key, station, vn,
 * nva), the checks on each value, and the checks that need the whole file
 * (names a statement refers to before they are defined).  The tokenizer,
 * blocks, include, error counting and the shared value getters are
 * lib/util/conf.c, which also states the lexical rules.
 * Runs in nnved's one thread at start-up and on reload, and in
 * "nnved -n"; it reads files but keeps no state between calls.
 * Relies on: util/conf (every error is one log_warn "FILE:LINE: text"),
 * util/hex (MACs), ext/ext.h (extension names), ecp/ecp.h (which
 * multicast destinations are usable), policy.c (look-ups).
 *
 * Error handling: an error is logged and counted, and the parser goes on
 * at the end of the statement (a block is skipped whole only when its
 * header cannot be read), so one run reports every error it can.  An
 * object with an error in its header is parsed but not kept; the result
 * of a run with errors is thrown away, so this only spares the reader a
 * second wave of errors about the same object.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnved.h"
#include "util/conf.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mtime.h"

/* A name used before the whole configuration is known. */
enum ref_kind {
	REF_DOMAIN,
	REF_KEY,
	REF_PORT,
};

struct ref {
	enum ref_kind	kind;
	char		name[NNVED_NAME_MAX];
	uint16_t	id;
	char		what[40];	/* "port eth1", "station any" */
	const char	*file;
	int		line;
};

/* nnved's part of one run (struct conf_run .arg). */
struct nstate {
	struct nnved_conf *c;
	struct ref	*refs;
	unsigned	nrefs;
	const char	*nva_file;	/* where the nva block was; NULL: */
	int		nva_line;	/* not seen yet */
	const char	*auth_file;	/* where authorize(-timeout) was */
	int		auth_line;	/* last set, for the whole-file check */
};

#define ST(p)	((struct nstate *)(p)->run->arg)

/* ---- values ------------------------------------------------------------ */

static int
get_vn(struct conf_parser *p, const char *what, uint32_t *vn)
{
	uint64_t v;

	if (conf_get_num(p, what, 1, NVO3_VN_MAX, &v) < 0)
		return -1;
	*vn = (uint32_t)v;
	return 0;
}

/* "LO-HI", both in 1..4094, LO <= HI. */
static int
get_vids(struct conf_parser *p, const char *what, uint16_t *lo, uint16_t *hi)
{
	uint32_t a, b;

	if (conf_get_range(p, what, "VIDs", NVO3_VID_MIN, NVO3_VID_MAX, &a,
	    &b) < 0)
		return -1;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

/* A domain name: 1..NNVED_NAME_MAX-1 characters. */
static int
get_name(struct conf_parser *p, const char *what, char out[NNVED_NAME_MAX])
{
	return conf_get_name(p, what, out, NNVED_NAME_MAX);
}

static int
add_ref(struct conf_parser *p, enum ref_kind kind, const char *name,
    uint16_t id, const char *what, int line)
{
	struct nstate *st = ST(p);
	struct ref *r, *q;

	q = conf_grow(st->refs, st->nrefs, sizeof(*st->refs));
	if (q == NULL) {
		conf_error(p, line, "out of memory");
		return -1;
	}
	st->refs = q;
	r = &st->refs[st->nrefs++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	if (name != NULL)
		snprintf(r->name, sizeof(r->name), "%s", name);
	r->id = id;
	snprintf(r->what, sizeof(r->what), "%s", what);
	r->file = p->file;
	r->line = line;
	return 0;
}

/* ---- domain NAME { vids LO-HI } ----------------------------------------- */

static int
domain_vids(struct conf_parser *p, void *obj, int line)
{
	struct nnved_domain_conf *d = obj;

	return get_vids(p, "vids", &d->vid_lo, &d->vid_hi);
}

static const struct conf_kw domain_kw[] = {
	{ "vids", domain_vids },
	{ NULL, NULL }
};

static int
st_domain(struct conf_parser *p, void *obj, int line)
{
	struct nnved_conf *c = ST(p)->c;
	struct nnved_domain_conf d, *q;
	int ok;

	memset(&d, 0, sizeof(d));
	d.line = line;
	ok = get_name(p, "domain", d.name) == 0;
	if (ok && policy_domain(c, d.name) != NULL) {
		conf_error(p, line, "duplicate domain '%s'", d.name);
		ok = 0;
	}
	if (conf_block(p, domain_kw, &d) < 0)
		return -1;
	if (!ok)
		return 0;
	if ((q = conf_grow(c->domains, c->ndomains, sizeof(*q))) == NULL) {
		conf_error(p, line, "out of memory");
		return 0;
	}
	c->domains = q;
	c->domains[c->ndomains++] = d;
	return 0;
}

/* ---- port IFNAME { ... } ----------------------------------------------- */

static int
port_domain(struct conf_parser *p, void *obj, int line)
{
	struct nnved_port_conf *pc = obj;
	char what[64];

	if (get_name(p, "domain", pc->domain) < 0)
		return -1;
	if (pc->vid_lo != 0)
		conf_error(p, line, "port %s: both domain and vids",
		    pc->ifname);
	snprintf(what, sizeof(what), "port %s", pc->ifname);
	add_ref(p, REF_DOMAIN, pc->domain, 0, what, line);
	return 0;
}

static int
port_vids(struct conf_parser *p, void *obj, int line)
{
	struct nnved_port_conf *pc = obj;

	if (get_vids(p, "vids", &pc->vid_lo, &pc->vid_hi) < 0)
		return -1;
	if (pc->domain[0] != '\0')
		conf_error(p, line, "port %s: both domain and vids",
		    pc->ifname);
	return 0;
}

static int
port_ecpdst(struct conf_parser *p, void *obj, int line)
{
	struct nnved_port_conf *pc = obj;
	char mode[16], mac[64];

	if (conf_get_value(p, "ecp-destination", mode, sizeof(mode)) < 0)
		return -1;
	memset(pc->mcast, 0, sizeof(pc->mcast));
	if (strcmp(mode, "group") == 0) {
		pc->ecp_dst = ECP_DST_GROUP;
		return 0;
	}
	if (strcmp(mode, "unicast") == 0) {
		pc->ecp_dst = ECP_DST_UNICAST;
		return 0;
	}
	if (strcmp(mode, "multicast") != 0) {
		conf_error(p, line, "ecp-destination: '%s' is not group, "
		    "unicast or multicast", mode);
		return -1;
	}
	pc->ecp_dst = ECP_DST_MCAST;
	if (conf_get_value(p, "ecp-destination multicast", mac,
	    sizeof(mac)) < 0)
		return -1;
	if (mac_parse(mac, pc->mcast) < 0) {
		conf_error(p, line, "ecp-destination multicast: '%s' is not "
		    "a MAC address", mac);
		return -1;
	}
	if (ecp_check_dst(ECP_DST_MCAST, pc->mcast) < 0) {
		conf_error(p, line, "ecp-destination multicast %s: not a "
		    "usable group address (unicast, broadcast or reserved "
		    "01:80:c2:00:00:0x)", mac);
		return -1;
	}
	return 0;
}

static int
port_default_vn(struct conf_parser *p, void *obj, int line)
{
	struct nnved_port_conf *pc = obj;

	return get_vn(p, "default-vn", &pc->default_vn);
}

static int
port_vlan(struct conf_parser *p, void *obj, int line)
{
	struct nnved_port_conf *pc = obj;
	struct nnved_vlanmap *q;
	uint64_t vid;
	uint32_t vn;

	if (conf_get_num(p, "vlan", NVO3_VID_MIN, NVO3_VID_MAX, &vid) < 0)
		return -1;
	if (!conf_is_word(p, "vn")) {
		conf_error(p, p->tok.line, "vlan %u: 'vn' expected",
		    (unsigned)vid);
		return -1;
	}
	conf_lex(p);
	if (get_vn(p, "vlan vn", &vn) < 0)
		return -1;
	for (unsigned i = 0; i < pc->nvlans; i++) {
		if (pc->vlans[i].vid == vid) {
			conf_error(p, line, "port %s: vlan %u given twice",
			    pc->ifname, (unsigned)vid);
			return 0;
		}
	}
	if ((q = conf_grow(pc->vlans, pc->nvlans, sizeof(*q))) == NULL) {
		conf_error(p, line, "out of memory");
		return 0;
	}
	pc->vlans = q;
	pc->vlans[pc->nvlans].vid = (uint16_t)vid;
	pc->vlans[pc->nvlans].vn = vn;
	pc->nvlans++;
	return 0;
}

static const struct conf_kw port_kw[] = {
	{ "domain", port_domain },
	{ "vids", port_vids },
	{ "ecp-destination", port_ecpdst },
	{ "default-vn", port_default_vn },
	{ "vlan", port_vlan },
	{ NULL, NULL }
};

static int
st_port(struct conf_parser *p, void *obj, int line)
{
	struct nnved_conf *c = ST(p)->c;
	struct nnved_port_conf pc, *q;
	int ok;

	memset(&pc, 0, sizeof(pc));
	pc.line = line;
	pc.ecp_dst = ECP_DST_GROUP;
	ok = conf_get_ifname(p, "port", pc.ifname) == 0;
	if (ok && policy_port(c, pc.ifname) != NULL) {
		conf_error(p, line, "duplicate port '%s'", pc.ifname);
		ok = 0;
	}
	if (conf_block(p, port_kw, &pc) < 0) {
		free(pc.vlans);
		return -1;
	}
	if (!ok || (q = conf_grow(c->ports, c->nports, sizeof(*q))) == NULL) {
		if (ok)
			conf_error(p, line, "out of memory");
		free(pc.vlans);
		return 0;
	}
	c->ports = q;
	c->ports[c->nports++] = pc;
	return 0;
}

/* ---- key ID "HEX" ------------------------------------------------------ */

static int
st_key(struct conf_parser *p, void *obj, int line)
{
	struct nnved_conf *c = ST(p)->c;
	struct nnved_key_conf k, *q;
	uint64_t id;
	int n;

	memset(&k, 0, sizeof(k));
	k.line = line;
	if (conf_get_num(p, "key", 1, UINT16_MAX, &id) < 0)
		return -1;
	k.id = (uint16_t)id;
	n = conf_get_key_secret(p, line, k.id, k.secret, NVO3_KEY_MIN,
	    NVO3_KEY_MAX);
	if (n < 0)
		return -1;
	if (n == 0)
		goto out;
	k.len = (uint8_t)n;
	if (policy_key(c, k.id) != NULL) {
		conf_error(p, line, "duplicate key %u", k.id);
		goto out;
	}
	if ((q = conf_grow(c->keys, c->nkeys, sizeof(*q))) == NULL) {
		conf_error(p, line, "out of memory");
		goto out;
	}
	c->keys = q;
	c->keys[c->nkeys++] = k;
out:
	explicit_bzero(&k, sizeof(k));
	return 0;
}

/* ---- station MAC|any { port IF; key ID; vn VN... | vn any } -------------- */

struct station_ctx {
	struct nnved_station_conf s;
	char		what[40];	/* "station 52:54:00:12:34:56" */
};

static int
station_port(struct conf_parser *p, void *obj, int line)
{
	struct station_ctx *x = obj;

	if (conf_get_ifname(p, "port", x->s.port) < 0)
		return -1;
	add_ref(p, REF_PORT, x->s.port, 0, x->what, line);
	return 0;
}

static int
station_key(struct conf_parser *p, void *obj, int line)
{
	struct station_ctx *x = obj;
	uint64_t id;

	if (conf_get_num(p, "key", 1, UINT16_MAX, &id) < 0)
		return -1;
	x->s.key_id = (int)id;
	add_ref(p, REF_KEY, NULL, (uint16_t)id, x->what, line);
	return 0;
}

static int
station_vn(struct conf_parser *p, void *obj, int line)
{
	struct station_ctx *x = obj;
	struct nnved_station_conf *s = &x->s;
	uint32_t vn, *q;

	if (conf_is_word(p, "any")) {
		conf_lex(p);
		if (s->nvns != 0)
			conf_error(p, line, "%s: vn any with a list of VNs",
			    x->what);
		s->vn_any = true;
		return 0;
	}
	if (conf_at_end(p)) {
		conf_error(p, line, "vn: VN missing");
		return -1;
	}
	while (!conf_at_end(p)) {
		if (get_vn(p, "vn", &vn) < 0)
			return -1;
		if (s->vn_any) {
			conf_error(p, line, "%s: vn any with a list of VNs",
			    x->what);
			continue;
		}
		if (policy_station_vn(s, vn) == 0) {
			conf_error(p, line, "%s: vn %u given twice", x->what,
			    vn);
			continue;
		}
		if ((q = conf_grow(s->vns, s->nvns, sizeof(*q))) == NULL) {
			conf_error(p, line, "out of memory");
			return -1;
		}
		s->vns = q;
		s->vns[s->nvns++] = vn;
	}
	return 0;
}

static const struct conf_kw station_kw[] = {
	{ "port", station_port },
	{ "key", station_key },
	{ "vn", station_vn },
	{ NULL, NULL }
};

/*
 * A rule that can never match: an earlier rule for the same MAC (or an
 * earlier "any") on the same port or on every port.
 */
static int
station_shadowed(const struct nnved_conf *c,
    const struct nnved_station_conf *s)
{
	for (unsigned i = 0; i < c->nstations; i++) {
		const struct nnved_station_conf *e = &c->stations[i];

		if (e->any != s->any ||
		    (!s->any && memcmp(e->mac, s->mac, 6) != 0))
			continue;
		if (e->port[0] == '\0' || strcmp(e->port, s->port) == 0)
			return 1;
	}
	return 0;
}

static int
st_station(struct conf_parser *p, void *obj, int line)
{
	struct nnved_conf *c = ST(p)->c;
	struct station_ctx x;
	struct nnved_station_conf *q;
	static const uint8_t zero[6];
	char buf[64];
	int ok = 1;

	memset(&x, 0, sizeof(x));
	x.s.key_id = -1;
	x.s.line = line;
	if (conf_get_value(p, "station", buf, sizeof(buf)) < 0) {
		ok = 0;
		snprintf(x.what, sizeof(x.what), "station");
	} else {
		snprintf(x.what, sizeof(x.what), "station %.24s", buf);
		if (strcmp(buf, "any") == 0)
			x.s.any = true;
		else if (mac_parse(buf, x.s.mac) < 0) {
			conf_error(p, line, "station: '%s' is not a MAC "
			    "address or any", buf);
			ok = 0;
		} else if ((x.s.mac[0] & 1) || memcmp(x.s.mac, zero, 6) == 0) {
			conf_error(p, line, "station %s: not a unicast MAC",
			    buf);
			ok = 0;
		} else {
			char mac[18];

			snprintf(x.what, sizeof(x.what), "station %s",
			    mac_fmt(x.s.mac, mac));
		}
	}
	if (conf_block(p, station_kw, &x) < 0) {
		free(x.s.vns);
		return -1;
	}
	if (ok && station_shadowed(c, &x.s)) {
		conf_error(p, line, "duplicate %s%s%s", x.what,
		    x.s.port[0] ? " on port " : "", x.s.port);
		ok = 0;
	}
	if (!ok ||
	    (q = conf_grow(c->stations, c->nstations, sizeof(*q))) == NULL) {
		if (ok)
			conf_error(p, line, "out of memory");
		free(x.s.vns);
		return 0;
	}
	c->stations = q;
	c->stations[c->nstations++] = x.s;
	return 0;
}

/* ---- vn VN { context VNI; allow PREFIX... } ---------------------------- */

/* Bits past len in an address of nbits bits are zero. */
static int
host_bits_clear(const uint8_t *a, unsigned len, unsigned nbits)
{
	for (unsigned b = len; b < nbits; b++)
		if (a[b / 8] & (0x80 >> (b % 8)))
			return 0;
	return 1;
}

/*
 * One prefix of "allow": ADDR[/LEN], or MAC[/LEN] after "mac".  A bare
 * address is the full length.
 */
static int
parse_prefix(struct conf_parser *p, int line, int mac, const char *text,
    struct nnved_prefix *out)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned max;
	uint64_t len;
	int ok;

	memset(out, 0, sizeof(*out));
	if (strlen(text) >= sizeof(buf)) {
		conf_error(p, line, "allow: '%s' is not an address prefix",
		    text);
		return -1;
	}
	strcpy(buf, text);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (mac) {
		out->family = 0;
		max = 48;
		ok = mac_parse(buf, out->addr) == 0;
	} else if (strchr(buf, ':') != NULL) {
		out->family = 6;
		max = 128;
		ok = inet_pton(AF_INET6, buf, out->addr) == 1;
	} else {
		out->family = 4;
		max = 32;
		ok = inet_pton(AF_INET, buf, out->addr) == 1;
	}
	if (!ok) {
		conf_error(p, line, "allow: '%s' is not %s", text,
		    mac ? "a MAC prefix" : "an address prefix");
		return -1;
	}
	len = max;
	if (slash != NULL && (conf_parse_u64(slash, &len) < 0 || len > max)) {
		conf_error(p, line, "allow %s: length must be 0..%u", text,
		    max);
		return -1;
	}
	out->len = (uint8_t)len;
	if (!host_bits_clear(out->addr, out->len, max)) {
		conf_error(p, line, "%s: host bits set", text);
		return -1;
	}
	return 0;
}

static int
vn_context(struct conf_parser *p, void *obj, int line)
{
	struct nnved_vn_conf *v = obj;

	return get_vn(p, "context", &v->context);
}

static int
vn_allow(struct conf_parser *p, void *obj, int line)
{
	struct nnved_vn_conf *v = obj;
	struct nnved_prefix pf, *q;
	char text[CONF_TOK_MAX];
	int mac;

	if (conf_at_end(p)) {
		conf_error(p, line, "allow: prefix missing");
		return -1;
	}
	while (!conf_at_end(p)) {
		mac = conf_is_word(p, "mac");
		if (mac)
			conf_lex(p);
		if (conf_get_value(p, mac ? "allow mac" : "allow", text,
		    sizeof(text)) < 0)
			return -1;
		if (parse_prefix(p, line, mac, text, &pf) < 0)
			continue;
		for (unsigned i = 0; i < v->nallow; i++) {
			if (v->allow[i].family == pf.family &&
			    v->allow[i].len == pf.len &&
			    memcmp(v->allow[i].addr, pf.addr, 16) == 0) {
				conf_error(p, line, "vn %u: %s given twice",
				    v->vn, text);
				goto next;
			}
		}
		if ((q = conf_grow(v->allow, v->nallow, sizeof(*q))) == NULL) {
			conf_error(p, line, "out of memory");
			return -1;
		}
		v->allow = q;
		v->allow[v->nallow++] = pf;
next:
		;
	}
	return 0;
}

static const struct conf_kw vn_kw[] = {
	{ "context", vn_context },
	{ "allow", vn_allow },
	{ NULL, NULL }
};

static int
st_vn(struct conf_parser *p, void *obj, int line)
{
	struct nnved_conf *c = ST(p)->c;
	struct nnved_vn_conf v, *q;
	int ok;

	memset(&v, 0, sizeof(v));
	v.line = line;
	ok = get_vn(p, "vn", &v.vn) == 0;
	if (ok && policy_vn_conf(c, v.vn) != NULL) {
		conf_error(p, line, "duplicate vn %u", v.vn);
		ok = 0;
	}
	if (conf_block(p, vn_kw, &v) < 0) {
		free(v.allow);
		return -1;
	}
	if (!ok || (q = conf_grow(c->vns, c->nvns, sizeof(*q))) == NULL) {
		if (ok)
			conf_error(p, line, "out of memory");
		free(v.allow);
		return 0;
	}
	c->vns = q;
	c->vns[c->nvns++] = v;
	return 0;
}

/* ---- nva { ... } ------------------------------------------------------- */

/*
 * A numeric IPv4 or IPv6 address that can name a host: not unspecified
 * and not multicast.
 */
static int
get_host_ip(struct conf_parser *p, const char *what, struct nnved_ip *ip)
{
	static const uint8_t zero[16];
	char buf[CONF_TOK_MAX];
	int line = p->tok.line;

	if (conf_get_value(p, what, buf, sizeof(buf)) < 0)
		return -1;
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, buf, ip->addr) == 1) {
		ip->family = 4;
		if (memcmp(ip->addr, zero, 4) == 0 ||
		    (ip->addr[0] & 0xf0) == 0xe0 ||
		    memcmp(ip->addr, "\xff\xff\xff\xff", 4) == 0) {
			conf_error(p, line, "%s: '%s' is not a unicast "
			    "address", what, buf);
			return -1;
		}
	} else if (inet_pton(AF_INET6, buf, ip->addr) == 1) {
		ip->family = 6;
		if (memcmp(ip->addr, zero, 16) == 0 || ip->addr[0] == 0xff) {
			conf_error(p, line, "%s: '%s' is not a unicast "
			    "address", what, buf);
			return -1;
		}
	} else {
		conf_error(p, line, "%s: '%s' is not a numeric IPv4 or IPv6 "
		    "address", what, buf);
		return -1;
	}
	return 0;
}

static bool
ip_equal(const struct nnved_ip *a, const struct nnved_ip *b)
{
	return a->family == b->family &&
	    memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

static const char *
ip_text(const struct nnved_ip *ip, char buf[INET6_ADDRSTRLEN])
{
	inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->addr, buf,
	    INET6_ADDRSTRLEN);
	return buf;
}

/* The nva block being read. */
struct nva_ctx {
	struct nnved_nva_conf n;
	int		tls_line;	/* 0: no tls block yet */
};

/* server ADDR [port N] */
static int
nva_server(struct conf_parser *p, void *obj, int line)
{
	struct nnved_nva_conf *n = &((struct nva_ctx *)obj)->n;
	char text[INET6_ADDRSTRLEN];
	struct nnved_ip ip;
	uint64_t port = NNVED_NVA_PORT_DEFAULT;

	if (get_host_ip(p, "server", &ip) < 0)
		return -1;
	if (conf_is_word(p, "port")) {
		conf_lex(p);
		if (conf_get_num(p, "server port", 1, UINT16_MAX, &port) < 0)
			return -1;
	}
	for (unsigned i = 0; i < n->nserver; i++) {
		if (ip_equal(&n->server[i].ip, &ip) &&
		    n->server[i].port == port) {
			conf_error(p, line, "nva: server %s port %u given "
			    "twice", ip_text(&ip, text), (unsigned)port);
			return 0;
		}
	}
	if (n->nserver >= NNVED_NVA_SERVERS_MAX) {
		conf_error(p, line, "nva: more than %d servers",
		    NNVED_NVA_SERVERS_MAX);
		return 0;
	}
	n->server[n->nserver].ip = ip;
	n->server[n->nserver].port = (uint16_t)port;
	n->nserver++;
	return 0;
}

static int
nva_server_name(struct conf_parser *p, void *obj, int line)
{
	struct nnved_nva_conf *n = &((struct nva_ctx *)obj)->n;

	return conf_get_name(p, "server-name", n->server_name,
	    sizeof(n->server_name));
}

/* A file name of the tls block: non-empty, at most PATH_MAX - 1. */
static int
get_file(struct conf_parser *p, const char *what, int line,
    char out[NNVED_NVA_PATH_MAX])
{
	char buf[NNVED_NVA_PATH_MAX];

	if (conf_get_value(p, what, buf, sizeof(buf)) < 0)
		return -1;
	if (buf[0] == '\0') {
		conf_error(p, line, "%s: empty path", what);
		return -1;
	}
	memcpy(out, buf, sizeof(buf));
	return 0;
}

static int
tls_cert(struct conf_parser *p, void *obj, int line)
{
	return get_file(p, "cert", line, ((struct nnved_nva_conf *)obj)->cert);
}

static int
tls_key(struct conf_parser *p, void *obj, int line)
{
	return get_file(p, "key", line, ((struct nnved_nva_conf *)obj)->key);
}

static int
tls_ca(struct conf_parser *p, void *obj, int line)
{
	return get_file(p, "ca", line, ((struct nnved_nva_conf *)obj)->ca);
}

static const struct conf_kw tls_kw[] = {
	{ "cert", tls_cert },
	{ "key", tls_key },
	{ "ca", tls_ca },
	{ NULL, NULL }
};

/* tls { cert FILE; key FILE; ca FILE } : all three required. */
static int
nva_tls(struct conf_parser *p, void *obj, int line)
{
	struct nva_ctx *x = obj;
	struct nnved_nva_conf *n = &x->n, t;
	int first = x->tls_line;

	/* parse into a copy so a second block does not mix with the first */
	memset(&t, 0, sizeof(t));
	if (first == 0)
		x->tls_line = line;
	if (conf_block(p, tls_kw, &t) < 0)
		return -1;
	if (first != 0) {
		conf_error(p, line, "nva: tls given twice (first at line %d)",
		    first);
		return 0;
	}
	if (t.cert[0] == '\0')
		conf_error(p, line, "nva: tls: cert missing");
	if (t.key[0] == '\0')
		conf_error(p, line, "nva: tls: key missing");
	if (t.ca[0] == '\0')
		conf_error(p, line, "nva: tls: ca missing");
	memcpy(n->cert, t.cert, sizeof(n->cert));
	memcpy(n->key, t.key, sizeof(n->key));
	memcpy(n->ca, t.ca, sizeof(n->ca));
	return 0;
}

/* underlay ADDR... */
static int
nva_underlay(struct conf_parser *p, void *obj, int line)
{
	struct nnved_nva_conf *n = &((struct nva_ctx *)obj)->n;
	char text[INET6_ADDRSTRLEN];
	struct nnved_ip ip;
	bool dup;

	if (conf_at_end(p)) {
		conf_error(p, line, "underlay: address missing");
		return -1;
	}
	while (!conf_at_end(p)) {
		if (get_host_ip(p, "underlay", &ip) < 0)
			continue;
		dup = false;
		for (unsigned i = 0; i < n->nunderlay && !dup; i++)
			dup = ip_equal(&n->underlay[i], &ip);
		if (dup) {
			conf_error(p, line, "nva: underlay %s given twice",
			    ip_text(&ip, text));
			continue;
		}
		if (n->nunderlay >= NNVED_NVA_UNDERLAY_MAX) {
			conf_error(p, line, "nva: more than %d underlay "
			    "addresses", NNVED_NVA_UNDERLAY_MAX);
			return -1;
		}
		n->underlay[n->nunderlay++] = ip;
	}
	return 0;
}

static int
nva_keepalive(struct conf_parser *p, void *obj, int line)
{
	struct nnved_nva_conf *n = &((struct nva_ctx *)obj)->n;
	char buf[32];
	uint64_t v;

	if (conf_get_value(p, "keepalive", buf, sizeof(buf)) < 0)
		return -1;
	if (conf_parse_u64(buf, &v) < 0 || (v != 0 && v < 100) ||
	    v > 600000) {
		conf_error(p, line, "keepalive: '%s' is not 0 or a number in "
		    "100..600000", buf);
		return -1;
	}
	n->keepalive_ms = (uint32_t)v;
	return 0;
}

/* retry MIN MAX (ms) */
static int
nva_retry(struct conf_parser *p, void *obj, int line)
{
	struct nnved_nva_conf *n = &((struct nva_ctx *)obj)->n;
	uint64_t lo, hi;

	if (conf_get_num(p, "retry", 10, 600000, &lo) < 0 ||
	    conf_get_num(p, "retry max", 10, 3600000, &hi) < 0)
		return -1;
	if (lo > hi) {
		conf_error(p, line, "retry %u %u: MIN above MAX",
		    (unsigned)lo, (unsigned)hi);
		return -1;
	}
	n->retry_min_ms = (uint32_t)lo;
	n->retry_max_ms = (uint32_t)hi;
	return 0;
}

/* Remembers where the authorisation timing was set (check_authorize). */
static void
auth_where(struct conf_parser *p, int line)
{
	ST(p)->auth_file = p->file;
	ST(p)->auth_line = line;
}

static int
nva_authorize(struct conf_parser *p, void *obj, int line)
{
	struct nnved_nva_conf *n = &((struct nva_ctx *)obj)->n;

	if (conf_get_bool(p, "authorize", &n->authorize) < 0)
		return -1;
	auth_where(p, line);
	return 0;
}

static int
nva_authorize_timeout(struct conf_parser *p, void *obj, int line)
{
	struct nnved_nva_conf *n = &((struct nva_ctx *)obj)->n;
	uint64_t v;

	if (conf_get_num(p, "authorize-timeout", NNVED_AUTH_TIMEOUT_MIN,
	    NNVED_AUTH_TIMEOUT_MAX, &v) < 0)
		return -1;
	n->authorize_timeout_ms = (uint32_t)v;
	auth_where(p, line);
	return 0;
}

static int
nva_authorize_fallback(struct conf_parser *p, void *obj, int line)
{
	struct nnved_nva_conf *n = &((struct nva_ctx *)obj)->n;
	char buf[16];

	if (conf_get_value(p, "authorize-fallback", buf, sizeof(buf)) < 0)
		return -1;
	if (strcmp(buf, "local") == 0) {
		n->authorize_fallback = NNVED_AUTH_FALLBACK_LOCAL;
	} else if (strcmp(buf, "refuse") == 0) {
		n->authorize_fallback = NNVED_AUTH_FALLBACK_REFUSE;
	} else {
		conf_error(p, line, "authorize-fallback: '%s' is not local or "
		    "refuse", buf);
		return -1;
	}
	return 0;
}

static const struct conf_kw nva_kw[] = {
	{ "authorize", nva_authorize },
	{ "authorize-timeout", nva_authorize_timeout },
	{ "authorize-fallback", nva_authorize_fallback },
	{ "server", nva_server },
	{ "server-name", nva_server_name },
	{ "tls", nva_tls },
	{ "underlay", nva_underlay },
	{ "keepalive", nva_keepalive },
	{ "retry", nva_retry },
	{ NULL, NULL }
};

static int
st_nva(struct conf_parser *p, void *obj, int line)
{
	struct nstate *st = ST(p);
	struct nva_ctx x;
	const char *first = st->nva_file, *auth_file = st->auth_file;
	int first_line = st->nva_line, auth_line = st->auth_line;

	memset(&x, 0, sizeof(x));
	x.n.line = line;
	x.n.retry_min_ms = NNVED_NVA_RETRY_MIN_DEFAULT;
	x.n.retry_max_ms = NNVED_NVA_RETRY_MAX_DEFAULT;
	x.n.authorize_timeout_ms = NNVED_AUTH_TIMEOUT_DEFAULT;
	if (first == NULL) {
		st->nva_file = p->file;
		st->nva_line = line;
	}
	if (conf_block(p, nva_kw, &x) < 0)
		return -1;
	if (first != NULL) {
		st->auth_file = auth_file;	/* this block is not kept */
		st->auth_line = auth_line;
		conf_error(p, line, "nva: given twice (first at %s:%d)",
		    first, first_line);
		return 0;
	}
	if (x.n.nserver == 0)
		conf_error(p, line, "nva: server missing");
	if (x.tls_line == 0)
		conf_error(p, line, "nva: tls missing");
	if (x.n.nunderlay == 0)
		conf_error(p, line, "nva: underlay missing");
	x.n.present = true;
	st->c->nva = x.n;
	return 0;
}

/* ---- global statements ------------------------------------------------- */

static int
st_control(struct conf_parser *p, void *obj, int line)
{
	struct nnved_conf *c = ST(p)->c;
	char buf[sizeof(c->control)];

	if (conf_get_value(p, "control", buf, sizeof(buf)) < 0)
		return -1;
	if (buf[0] == '\0') {
		conf_error(p, line, "control: empty path");
		return -1;
	}
	memcpy(c->control, buf, sizeof(buf));
	return 0;
}

static int
st_log_level(struct conf_parser *p, void *obj, int line)
{
	return conf_get_log_level(p, "log-level", &ST(p)->c->log_level);
}

static int
st_evb(struct conf_parser *p, void *obj, int line)
{
	struct nnved_conf *c = ST(p)->c;
	struct conf_param par[] = {
		{ .name = "retries", .max = 7 },
		{ .name = "rte", .max = 31 },
		{ .name = "rwd", .max = 31 },
		{ .name = "rka", .max = 31 },
	};
	uint8_t *dst[] = { &c->r, &c->rte, &c->rwd, &c->rka };

	if (conf_get_params(p, "evb", line, par, 4) < 0)
		return -1;
	for (unsigned i = 0; i < 4; i++)
		if (par[i].set)
			*dst[i] = (uint8_t)par[i].val;
	return 0;
}

static int
st_extensions(struct conf_parser *p, void *obj, int line)
{
	char buf[256];
	uint32_t caps;

	if (conf_get_value(p, "extensions", buf, sizeof(buf)) < 0)
		return -1;
	if (nvo3_caps_parse(buf, &caps) < 0) {
		conf_error(p, line, "extensions: '%s' is not all, none or a "
		    "list of extension names", buf);
		return -1;
	}
	ST(p)->c->caps = caps;
	return 0;
}

static int
st_vids(struct conf_parser *p, void *obj, int line)
{
	struct nnved_conf *c = ST(p)->c;

	return get_vids(p, "vids", &c->vid_lo, &c->vid_hi);
}

static int
st_max_vsi(struct conf_parser *p, void *obj, int line)
{
	uint64_t v;

	if (conf_get_num(p, "max-vsi", 1, 16777216, &v) < 0)
		return -1;
	ST(p)->c->max_vsi = (uint32_t)v;
	return 0;
}

static int
st_max_stations(struct conf_parser *p, void *obj, int line)
{
	uint64_t v;

	if (conf_get_num(p, "max-stations", 1, 1048576, &v) < 0)
		return -1;
	ST(p)->c->max_stations = (uint32_t)v;
	return 0;
}

static const struct conf_kw top_kw[] = {
	{ "control", st_control },
	{ "log-level", st_log_level },
	{ "evb", st_evb },
	{ "extensions", st_extensions },
	{ "vids", st_vids },
	{ "max-vsi", st_max_vsi },
	{ "max-stations", st_max_stations },
	{ "include", conf_include },
	{ "domain", st_domain },
	{ "port", st_port },
	{ "key", st_key },
	{ "station", st_station },
	{ "vn", st_vn },
	{ "nva", st_nva },
	{ NULL, NULL }
};

/* ---- driver ------------------------------------------------------------ */

/*
 * With authorize yes, a held VDP request must be answered before the
 * bridge's resource wait delay (10 us * 2^rwd, at least what we announce:
 * the EVB negotiation takes the larger of both sides') runs out: the NVA
 * gets at most half of it, the rest is for the fallback and the way back
 * to the station.  Reported where the timing was last set.
 */
static void
check_authorize(struct conf_run *run, const struct nstate *st)
{
	const struct nnved_conf *c = st->c;
	uint64_t rwd_ms = evb_time_us(c->rwd) / 1000;

	if (!c->nva.present || !c->nva.authorize ||
	    (uint64_t)c->nva.authorize_timeout_ms * 2 <= rwd_ms)
		return;
	conf_error_at(run, st->auth_file != NULL ? st->auth_file :
	    st->nva_file, st->auth_file != NULL ? st->auth_line :
	    st->nva_line, "nva: authorize-timeout %u ms is not well under "
	    "the resource wait delay (evb rwd %u: %llu ms); at most %llu ms",
	    c->nva.authorize_timeout_ms, c->rwd, (unsigned long long)rwd_ms,
	    (unsigned long long)(rwd_ms / 2));
}

/* The checks that needed the whole configuration. */
static void
resolve_refs(struct conf_run *run, const struct nstate *st)
{
	const struct nnved_conf *c = st->c;

	for (unsigned i = 0; i < st->nrefs; i++) {
		const struct ref *r = &st->refs[i];

		switch (r->kind) {
		case REF_DOMAIN:
			if (policy_domain(c, r->name) == NULL)
				conf_error_at(run, r->file, r->line, "%s: "
				    "domain '%s' is not defined", r->what,
				    r->name);
			break;
		case REF_KEY:
			if (policy_key(c, r->id) == NULL)
				conf_error_at(run, r->file, r->line, "%s: key "
				    "%u is not defined", r->what, r->id);
			break;
		case REF_PORT:
			if (policy_port(c, r->name) == NULL)
				conf_error_at(run, r->file, r->line, "%s: port "
				    "'%s' is not configured", r->what, r->name);
			break;
		}
	}
}

static int
parse_root(const char *name, const char *text, size_t len,
    struct nnved_conf *c)
{
	struct nstate st;
	struct conf_run run;
	int errors;

	memset(&st, 0, sizeof(st));
	st.c = c;
	conf_run_init(&run, top_kw, &st);
	conf_run_text(&run, name, text, len);
	resolve_refs(&run, &st);
	check_authorize(&run, &st);
	errors = conf_run_free(&run);
	free(st.refs);
	if (errors > 0)
		nnved_conf_free(c);
	return errors;
}

void
nnved_conf_init(struct nnved_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->control, sizeof(c->control), "%s", NNVED_SOCK_DEFAULT);
	c->log_level = -1;
	c->r = EVB_DEFAULT_R;
	c->rte = EVB_DEFAULT_RTE;
	c->rwd = EVB_DEFAULT_RWD;
	c->rka = EVB_DEFAULT_RKA;
	c->caps = NVO3_CAP_ALL;
	c->vid_lo = NNVED_VID_LO_DEFAULT;
	c->vid_hi = NNVED_VID_HI_DEFAULT;
	c->max_vsi = NNVED_MAX_VSI_DEFAULT;
	c->max_stations = NNVED_MAX_STATIONS_DEFAULT;
}

void
nnved_conf_free(struct nnved_conf *c)
{
	for (unsigned i = 0; i < c->nports; i++)
		free(c->ports[i].vlans);
	for (unsigned i = 0; i < c->nstations; i++)
		free(c->stations[i].vns);
	for (unsigned i = 0; i < c->nvns; i++)
		free(c->vns[i].allow);
	if (c->keys != NULL)
		explicit_bzero(c->keys, c->nkeys * sizeof(*c->keys));
	free(c->domains);
	free(c->ports);
	free(c->keys);
	free(c->stations);
	free(c->vns);
	nnved_conf_init(c);
}

int
nnved_conf_parse(const char *path, struct nnved_conf *c)
{
	char *text;
	size_t len;
	int rc;

	nnved_conf_init(c);
	if ((rc = conf_read_file(path, &text, &len)) < 0) {
		log_warn("%s: %s", path, strerror(-rc));
		return rc;
	}
	snprintf(c->path, sizeof(c->path), "%s", path);
	rc = parse_root(path, text, len, c);
	free(text);
	return rc;
}

int
nnved_conf_parse_string(const char *text, const char *name,
    struct nnved_conf *c)
{
	nnved_conf_init(c);
	snprintf(c->path, sizeof(c->path), "%s", name);
	return parse_root(name, text, strlen(text), c);
}
