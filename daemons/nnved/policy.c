/*
 * policy.c - the questions nnved asks its configuration: which rule
 * admits a station, which VNs that rule lets it attach, which addresses
 * a TSI may claim in a VN, which VN a VLAN names on a port (filter
 * formats without a GroupID), and which range local tags come from.
 *
 * Thread: nnved's one thread (and parse.c, for duplicate and reference
 * checks).  Pure: no I/O, no clock, no logging, no allocation; every
 * answer is read from the struct nnved_conf that parse.c built.
 * Relies on: nnved.h for the configuration types, lib/nvo3 for
 * struct nvo3_addr and the VN range.
 *
 * Look-ups are linear scans in file order.  A configuration holds tens of
 * ports and rules and at most a few thousand VN blocks; the daemon asks
 * when a station first appears or a VSI request arrives, not per packet.
 */
#include <errno.h>
#include <string.h>

#include "nnved.h"

const struct nnved_port_conf *
policy_port(const struct nnved_conf *c, const char *ifname)
{
	if (ifname == NULL)
		return NULL;
	for (unsigned i = 0; i < c->nports; i++)
		if (strcmp(c->ports[i].ifname, ifname) == 0)
			return &c->ports[i];
	return NULL;
}

const struct nnved_domain_conf *
policy_domain(const struct nnved_conf *c, const char *name)
{
	if (name == NULL)
		return NULL;
	for (unsigned i = 0; i < c->ndomains; i++)
		if (strcmp(c->domains[i].name, name) == 0)
			return &c->domains[i];
	return NULL;
}

const struct nnved_key_conf *
policy_key(const struct nnved_conf *c, uint16_t id)
{
	for (unsigned i = 0; i < c->nkeys; i++)
		if (c->keys[i].id == id)
			return &c->keys[i];
	return NULL;
}

const struct nnved_vn_conf *
policy_vn_conf(const struct nnved_conf *c, uint32_t vn)
{
	for (unsigned i = 0; i < c->nvns; i++)
		if (c->vns[i].vn == vn)
			return &c->vns[i];
	return NULL;
}

/* A rule's port matches when it names none or names ifname. */
static int
port_matches(const struct nnved_station_conf *s, const char *ifname)
{
	return s->port[0] == '\0' ||
	    (ifname != NULL && strcmp(s->port, ifname) == 0);
}

/*
 * Rules for the station's own MAC come first, in file order; "station
 * any" rules only when none of those matches the port.
 */
const struct nnved_station_conf *
policy_station(const struct nnved_conf *c, const char *ifname,
    const uint8_t mac[6])
{
	const struct nnved_station_conf *s;
	unsigned i;

	for (i = 0; mac != NULL && i < c->nstations; i++) {
		s = &c->stations[i];
		if (!s->any && memcmp(s->mac, mac, 6) == 0 &&
		    port_matches(s, ifname))
			return s;
	}
	for (i = 0; i < c->nstations; i++) {
		s = &c->stations[i];
		if (s->any && port_matches(s, ifname))
			return s;
	}
	return NULL;
}

int
policy_station_vn(const struct nnved_station_conf *s, uint32_t vn)
{
	if (s == NULL || vn == 0 || vn > NVO3_VN_MAX)
		return -EPERM;
	if (s->vn_any)
		return 0;
	for (unsigned i = 0; i < s->nvns; i++)
		if (s->vns[i] == vn)
			return 0;
	return -EPERM;
}

/* The first len bits of a equal those of the prefix. */
static int
prefix_match(const struct nnved_prefix *pf, const uint8_t *a)
{
	unsigned full = pf->len / 8, rest = pf->len % 8;
	uint8_t mask;

	if (memcmp(pf->addr, a, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return ((pf->addr[full] ^ a[full]) & mask) == 0;
}

/*
 * 0 when a falls in one of v's prefixes of family fam, or when v has no
 * prefix of that family; -EPERM otherwise.
 */
static int
allow_family(const struct nnved_vn_conf *v, uint8_t fam, const uint8_t *a)
{
	int seen = 0;

	for (unsigned i = 0; i < v->nallow; i++) {
		if (v->allow[i].family != fam)
			continue;
		seen = 1;
		if (prefix_match(&v->allow[i], a))
			return 0;
	}
	return seen ? -EPERM : 0;
}

int
policy_addr(const struct nnved_conf *c, uint32_t vn,
    const struct nvo3_addr *a)
{
	static const uint8_t zero[6];
	const struct nnved_vn_conf *v;

	if (a == NULL)
		return -EPERM;
	v = policy_vn_conf(c, vn);
	if (v == NULL || v->nallow == 0)
		return 0;
	switch (a->family) {
	case 0:
		return allow_family(v, 0, a->mac);
	case 4:
	case 6:
		if (allow_family(v, a->family, a->ip) < 0)
			return -EPERM;
		if (memcmp(a->mac, zero, sizeof(zero)) != 0)
			return allow_family(v, 0, a->mac);
		return 0;
	default:
		return -EPERM;
	}
}

int
policy_vn_of_vid(const struct nnved_port_conf *p, uint16_t vid,
    uint32_t *vn)
{
	if (p == NULL)
		return -ENOENT;
	if (vid == 0) {
		if (p->default_vn == 0)
			return -ENOENT;
		*vn = p->default_vn;
		return 0;
	}
	for (unsigned i = 0; i < p->nvlans; i++) {
		if (p->vlans[i].vid == vid) {
			*vn = p->vlans[i].vn;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * A port in a domain shares the domain's range (the global one when the
 * domain sets none); a port alone uses its own, else the global one.
 */
void
policy_vid_range(const struct nnved_conf *c, const struct nnved_port_conf *p,
    uint16_t *lo, uint16_t *hi)
{
	const struct nnved_domain_conf *d;

	*lo = c->vid_lo;
	*hi = c->vid_hi;
	if (p == NULL)
		return;
	if (p->domain[0] != '\0') {
		d = policy_domain(c, p->domain);
		if (d != NULL && d->vid_lo != 0) {
			*lo = d->vid_lo;
			*hi = d->vid_hi;
		}
		return;
	}
	if (p->vid_lo != 0) {
		*lo = p->vid_lo;
		*hi = p->vid_hi;
	}
}
