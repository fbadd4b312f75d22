/*
 * tsi.c - the TSI machine of RFC 8394 Figure 6: one instance per
 * (TSI_ID, port) on the External NVE, and the tenant addresses a TSI
 * claims (nvo3_addr_equal, nvo3_addr_fmt).  Owns struct nvo3_tsi: state,
 * port, VN, local tag in use, the M/S hints and migration reason of the
 * last request, and List_Of_Addr.
 *
 * Runs in nnved's control thread (vsi.c, one per VSI); pure: no I/O, no
 * clock (the caller passes "now"), no logging, no allocation.  Relies on
 * nothing but nvo3.h (and inet_ntop(), which is pure, for IPv6 text).
 * The tag the TSI uses comes from its VAP (vap.c), which the caller
 * drives beside this machine; the caller turns the actions into filter,
 * datapath and NVA work.
 *
 * The rule (RFC 8394 sections 3.2 and 3.3), in our words: Associate
 * reserves what the TSI needs on its port and records its addresses
 * without letting traffic through (the NVA may learn them for its mapping
 * table); Activate lets traffic flow (filters on, forwarding table);
 * Deactivate goes back to reserved-but-silent; De-Associate frees
 * everything.  While Associated or Activated, the end device may add,
 * remove or change addresses and the station may show up on another
 * port; neither changes the state.  A VM moving between two hypervisors
 * of the same NVE is two instances: same TSI_ID, two ports.
 * We differ in:
 *   - every request carries the full address list, never a delta; the
 *     machine works out what was removed (ADDR_DEL, first) and what was
 *     added (ADDR_ADD), and a list equal as a set changes nothing;
 *   - Associate while Activated is refused (-EPERM): the caller means
 *     Deactivate, which VDP expresses as a Pre-Associate after Associate;
 *   - Deactivate while merely Associated is accepted and does nothing;
 *   - a TSI never changes VN: Associate/Activate naming another VN is
 *     refused (-EXDEV) and the caller must De-Associate first;
 *   - a port update moves the tag provisioning (PORT_MOVE); it is an
 *     event of its own and also happens when an Associate/Activate
 *     arrives on another port.
 *
 *                 DEASSOCIATE  +--------+  DEASSOCIATE
 *            +---------------> |  INIT  | <---------------+
 *            |                 +--------+                 |
 *            |          ASSOCIATE |    | ACTIVATE         |
 *            |                    v    v                  |
 *   +-----------------+   ACTIVATE    +-----------------+ |
 *   |   ASSOCIATED    | ------------> |    ACTIVATED    |-+
 *   | reserved, off   | <------------ | filters enabled |
 *   +-----------------+  DEACTIVATE   +-----------------+
 *     |  ^ ASSOCIATE, UPDATE, PORT,     |  ^ ACTIVATE, UPDATE, PORT:
 *     +--+ DEACTIVATE (no-op)           +--+ addresses / port only
 *
 * Transitions (state x event, in tsi_step()):
 *   INIT       + ASSOCIATE   -> ASSOCIATED  tsi_enter()      RESERVE, ADDR_ADD*
 *   INIT       + ACTIVATE    -> ACTIVATED   tsi_enter()      RESERVE,
 *                                                            ADDR_ADD*, ENABLE
 *   ASSOCIATED + ASSOCIATE   -> ASSOCIATED  tsi_refresh()    [PORT_MOVE], diff
 *   ASSOCIATED + ACTIVATE    -> ACTIVATED   tsi_activate()   [PORT_MOVE], diff,
 *                                                            ENABLE
 *   ACTIVATED  + ACTIVATE    -> ACTIVATED   tsi_refresh()    [PORT_MOVE], diff
 *   ACTIVATED  + DEACTIVATE  -> ASSOCIATED  tsi_deactivate() DISABLE, diff
 *   ASSOCIATED + DEACTIVATE  -> ASSOCIATED  (nothing)
 *   ASSOCIATED,
 *   ACTIVATED  + DEASSOCIATE -> INIT        tsi_leave()      [DISABLE],
 *                                                            ADDR_DEL*, RELEASE
 *   ASSOCIATED,
 *   ACTIVATED  + UPDATE      -> same        tsi_update()     diff
 *   ASSOCIATED,
 *   ACTIVATED  + PORT        -> same        tsi_port()       [PORT_MOVE]
 *   ACTIVATED  + ASSOCIATE   -EPERM
 *   INIT       + DEACTIVATE, DEASSOCIATE, UPDATE, PORT  -ENOENT
 * X* is one X per address of the list; "diff" is ADDR_DEL for each
 * address gone, then ADDR_ADD for each new one, each in list order.
 *
 * Checks, all before the first change and in this order: event known
 * and out given (-EINVAL); the state table above (-ENOENT, -EPERM); a
 * request where the event needs one (-EINVAL); the VN (-EINVAL for 0 or
 * above NVO3_VN_MAX from Init, -EXDEV for another VN later); the list
 * (-E2BIG, then -EINVAL for a NULL list, an unknown family or a
 * duplicate).  The transition then runs on a copy; if its actions do not
 * fit in out, -ENOBUFS and nothing changes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nvo3/nvo3.h"

const char *const nvo3_tsi_state_names[NVO3_TSI__COUNT] = {
	[NVO3_TSI_INIT] = "INIT",
	[NVO3_TSI_ASSOCIATED] = "ASSOCIATED",
	[NVO3_TSI_ACTIVATED] = "ACTIVATED",
};

const char *const nvo3_tsi_event_names[NVO3_TSIE__COUNT] = {
	[NVO3_TSIE_ASSOCIATE] = "associate",
	[NVO3_TSIE_ACTIVATE] = "activate",
	[NVO3_TSIE_DEACTIVATE] = "deactivate",
	[NVO3_TSIE_DEASSOCIATE] = "deassociate",
	[NVO3_TSIE_UPDATE] = "update",
	[NVO3_TSIE_PORT] = "port",
};

const char *const nvo3_tsi_act_names[NVO3_TSIA__COUNT] = {
	[NVO3_TSIA_RESERVE] = "RESERVE",
	[NVO3_TSIA_ADDR_ADD] = "ADDR_ADD",
	[NVO3_TSIA_ADDR_DEL] = "ADDR_DEL",
	[NVO3_TSIA_ENABLE] = "ENABLE",
	[NVO3_TSIA_DISABLE] = "DISABLE",
	[NVO3_TSIA_PORT_MOVE] = "PORT_MOVE",
	[NVO3_TSIA_RELEASE] = "RELEASE",
};

/* ---- addresses --------------------------------------------------------- */

static unsigned
ip_len(uint8_t family)
{
	return family == 4 ? 4 : family == 6 ? 16 : 0;
}

bool
nvo3_addr_equal(const struct nvo3_addr *a, const struct nvo3_addr *b)
{
	return a->family == b->family &&
	    memcmp(a->mac, b->mac, sizeof(a->mac)) == 0 &&
	    memcmp(a->ip, b->ip, ip_len(a->family)) == 0;
}

static bool
mac_zero(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return memcmp(mac, zero, sizeof(zero)) == 0;
}

int
nvo3_addr_fmt(const struct nvo3_addr *a, char *out, size_t sz)
{
	char ip[INET6_ADDRSTRLEN], mac[18];
	int n;

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
	    a->mac[0], a->mac[1], a->mac[2], a->mac[3], a->mac[4], a->mac[5]);
	switch (a->family) {
	case 0:
		n = snprintf(out, sz, "%s", mac);
		break;
	case 4:
	case 6:
		if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->ip, ip,
		    sizeof(ip)) == NULL)
			return -EINVAL;
		if (mac_zero(a->mac))
			n = snprintf(out, sz, "%s", ip);
		else
			n = snprintf(out, sz, "%s@%s", ip, mac);
		break;
	default:
		return -EINVAL;
	}
	if (n < 0 || (size_t)n >= sz) {
		if (sz > 0)
			out[0] = '\0';
		return -ENOBUFS;
	}
	return n;
}

static bool
addr_in(const struct nvo3_addr *list, unsigned n, const struct nvo3_addr *a)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (nvo3_addr_equal(&list[i], a))
			return true;
	return false;
}

/* -E2BIG, -EINVAL (NULL list, unknown family, duplicate) or 0. */
static int
addr_list_check(const struct nvo3_tsi_req *req)
{
	unsigned i;

	if (req->naddr > NVO3_TSI_MAX_ADDR)
		return -E2BIG;
	if (req->naddr > 0 && req->addr == NULL)
		return -EINVAL;
	for (i = 0; i < req->naddr; i++) {
		if (ip_len(req->addr[i].family) == 0 &&
		    req->addr[i].family != 0)
			return -EINVAL;
		if (addr_in(req->addr, i, &req->addr[i]))
			return -EINVAL;
	}
	return 0;
}

/* ---- actions ----------------------------------------------------------- */

static struct nvo3_tsi_action *
tsi_push(struct nvo3_tsi_acts *out, enum nvo3_tsi_act_kind kind)
{
	struct nvo3_tsi_action *a = &out->a[out->n++];

	memset(a, 0, sizeof(*a));
	a->kind = kind;
	return a;
}

static void
tsi_push_addr(struct nvo3_tsi_acts *out, enum nvo3_tsi_act_kind kind,
    const struct nvo3_addr *addr)
{
	tsi_push(out, kind)->addr = *addr;
}

static void
tsi_push_port(struct nvo3_tsi_acts *out, enum nvo3_tsi_act_kind kind,
    uint32_t port)
{
	tsi_push(out, kind)->port = port;
}

/* ---- pieces of transitions ------------------------------------------- */

/* Replaces List_Of_Addr by the request's; returns 1 if the set changed. */
static int
tsi_diff(struct nvo3_tsi *t, const struct nvo3_tsi_req *req,
    struct nvo3_tsi_acts *out)
{
	unsigned i;
	int changed = 0;

	for (i = 0; i < t->naddr; i++) {
		if (!addr_in(req->addr, req->naddr, &t->addr[i])) {
			tsi_push_addr(out, NVO3_TSIA_ADDR_DEL, &t->addr[i]);
			changed = 1;
		}
	}
	for (i = 0; i < req->naddr; i++) {
		if (!addr_in(t->addr, t->naddr, &req->addr[i])) {
			tsi_push_addr(out, NVO3_TSIA_ADDR_ADD, &req->addr[i]);
			changed = 1;
		}
	}
	memset(t->addr, 0, sizeof(t->addr));
	if (req->naddr > 0)
		memcpy(t->addr, req->addr, req->naddr * sizeof(t->addr[0]));
	t->naddr = req->naddr;
	return changed;
}

/* The station is now reached on port; returns 1 if that is a move. */
static int
tsi_move(struct nvo3_tsi *t, uint32_t port, struct nvo3_tsi_acts *out)
{
	struct nvo3_tsi_action *a;

	if (port == t->port)
		return 0;
	a = tsi_push(out, NVO3_TSIA_PORT_MOVE);
	a->port = port;
	a->old_port = t->port;
	t->port = port;
	return 1;
}

/* What an Associate/Activate carries besides the port and addresses. */
static void
tsi_take(struct nvo3_tsi *t, const struct nvo3_tsi_req *req)
{
	t->vid = req->vid;
	t->hints = req->hints;
	t->reason = req->reason;
}

static void
tsi_set_state(struct nvo3_tsi *t, enum nvo3_tsi_state s, uint64_t now)
{
	if (t->state != s) {
		t->state = s;
		t->since = now;
	}
}

/* ---- transitions ------------------------------------------------------- */

/* INIT + ASSOCIATE/ACTIVATE: reserve, build the filters, maybe enable. */
static void
tsi_enter(struct nvo3_tsi *t, uint64_t now, enum nvo3_tsi_event ev,
    const struct nvo3_tsi_req *req, struct nvo3_tsi_acts *out)
{
	t->port = req->port;
	t->vn = req->vn;
	tsi_take(t, req);
	tsi_push_port(out, NVO3_TSIA_RESERVE, t->port);
	t->naddr = 0;
	(void)tsi_diff(t, req, out);
	if (ev == NVO3_TSIE_ACTIVATE) {
		(void)tsi_push(out, NVO3_TSIA_ENABLE);
		tsi_set_state(t, NVO3_TSI_ACTIVATED, now);
	} else
		tsi_set_state(t, NVO3_TSI_ASSOCIATED, now);
}

/* ASSOCIATED + ASSOCIATE, ACTIVATED + ACTIVATE: a repeat, maybe news. */
static void
tsi_refresh(struct nvo3_tsi *t, const struct nvo3_tsi_req *req,
    struct nvo3_tsi_acts *out)
{
	int moved = tsi_move(t, req->port, out);

	tsi_take(t, req);
	if (tsi_diff(t, req, out) || moved)
		t->updates++;
}

/* ASSOCIATED + ACTIVATE -> ACTIVATED. */
static void
tsi_activate(struct nvo3_tsi *t, uint64_t now,
    const struct nvo3_tsi_req *req, struct nvo3_tsi_acts *out)
{
	tsi_refresh(t, req, out);
	(void)tsi_push(out, NVO3_TSIA_ENABLE);
	tsi_set_state(t, NVO3_TSI_ACTIVATED, now);
}

/* ACTIVATED + DEACTIVATE -> ASSOCIATED; no request keeps the list. */
static void
tsi_deactivate(struct nvo3_tsi *t, uint64_t now,
    const struct nvo3_tsi_req *req, struct nvo3_tsi_acts *out)
{
	(void)tsi_push(out, NVO3_TSIA_DISABLE);
	if (req != NULL && tsi_diff(t, req, out))
		t->updates++;
	tsi_set_state(t, NVO3_TSI_ASSOCIATED, now);
}

/* ASSOCIATED/ACTIVATED + DEASSOCIATE -> INIT: free everything. */
static void
tsi_leave(struct nvo3_tsi *t, uint64_t now, struct nvo3_tsi_acts *out)
{
	unsigned i;

	if (t->state == NVO3_TSI_ACTIVATED)
		(void)tsi_push(out, NVO3_TSIA_DISABLE);
	for (i = 0; i < t->naddr; i++)
		tsi_push_addr(out, NVO3_TSIA_ADDR_DEL, &t->addr[i]);
	tsi_push_port(out, NVO3_TSIA_RELEASE, t->port);
	memset(t->addr, 0, sizeof(t->addr));
	t->naddr = 0;
	t->vn = 0;
	t->vid = 0;
	tsi_set_state(t, NVO3_TSI_INIT, now);
}

/* ASSOCIATED/ACTIVATED + UPDATE: the address list only. */
static void
tsi_update(struct nvo3_tsi *t, const struct nvo3_tsi_req *req,
    struct nvo3_tsi_acts *out)
{
	if (tsi_diff(t, req, out))
		t->updates++;
}

/* ASSOCIATED/ACTIVATED + PORT: the tag follows the station. */
static void
tsi_port(struct nvo3_tsi *t, const struct nvo3_tsi_req *req,
    struct nvo3_tsi_acts *out)
{
	if (tsi_move(t, req->port, out))
		t->updates++;
}

/* ---- the machine ------------------------------------------------------- */

void
nvo3_tsi_init(struct nvo3_tsi *t, uint8_t id_fmt, const uint8_t id[16],
    uint32_t port)
{
	memset(t, 0, sizeof(*t));
	t->state = NVO3_TSI_INIT;
	t->id_fmt = id_fmt;
	if (id != NULL)
		memcpy(t->id, id, sizeof(t->id));
	t->port = port;
}

/* Every refusal, before anything changes (order in the top comment). */
static int
tsi_check(const struct nvo3_tsi *t, enum nvo3_tsi_event ev,
    const struct nvo3_tsi_req *req)
{
	bool list = false;

	switch (ev) {
	case NVO3_TSIE_ASSOCIATE:
	case NVO3_TSIE_ACTIVATE:
		if (ev == NVO3_TSIE_ASSOCIATE &&
		    t->state == NVO3_TSI_ACTIVATED)
			return -EPERM;
		if (req == NULL)
			return -EINVAL;
		if (t->state == NVO3_TSI_INIT) {
			if (req->vn == 0 || req->vn > NVO3_VN_MAX)
				return -EINVAL;
		} else if (req->vn != t->vn)
			return -EXDEV;
		list = true;
		break;
	case NVO3_TSIE_DEACTIVATE:
	case NVO3_TSIE_DEASSOCIATE:
	case NVO3_TSIE_UPDATE:
	case NVO3_TSIE_PORT:
		if (t->state == NVO3_TSI_INIT)
			return -ENOENT;
		if ((ev == NVO3_TSIE_UPDATE || ev == NVO3_TSIE_PORT) &&
		    req == NULL)
			return -EINVAL;
		list = ev == NVO3_TSIE_UPDATE ||
		    (ev == NVO3_TSIE_DEACTIVATE && req != NULL &&
		    t->state == NVO3_TSI_ACTIVATED);
		break;
	default:
		return -EINVAL;
	}
	return list ? addr_list_check(req) : 0;
}

/* The one state x event switch; tsi_check() has vetted the input. */
static void
tsi_step(struct nvo3_tsi *t, uint64_t now, enum nvo3_tsi_event ev,
    const struct nvo3_tsi_req *req, struct nvo3_tsi_acts *out)
{
	switch (t->state) {
	case NVO3_TSI_INIT:
		tsi_enter(t, now, ev, req, out);
		break;
	case NVO3_TSI_ASSOCIATED:
		switch (ev) {
		case NVO3_TSIE_ASSOCIATE:
			tsi_refresh(t, req, out);
			break;
		case NVO3_TSIE_ACTIVATE:
			tsi_activate(t, now, req, out);
			break;
		case NVO3_TSIE_DEACTIVATE:
			break;
		case NVO3_TSIE_DEASSOCIATE:
			tsi_leave(t, now, out);
			break;
		case NVO3_TSIE_UPDATE:
			tsi_update(t, req, out);
			break;
		default:
			tsi_port(t, req, out);
			break;
		}
		break;
	default:
		switch (ev) {
		case NVO3_TSIE_ACTIVATE:
			tsi_refresh(t, req, out);
			break;
		case NVO3_TSIE_DEACTIVATE:
			tsi_deactivate(t, now, req, out);
			break;
		case NVO3_TSIE_DEASSOCIATE:
			tsi_leave(t, now, out);
			break;
		case NVO3_TSIE_UPDATE:
			tsi_update(t, req, out);
			break;
		default:
			tsi_port(t, req, out);
			break;
		}
		break;
	}
}

int
nvo3_tsi_event(struct nvo3_tsi *t, uint64_t now, enum nvo3_tsi_event ev,
    const struct nvo3_tsi_req *req, struct nvo3_tsi_acts *out)
{
	struct nvo3_tsi next;
	struct nvo3_tsi_acts acts;
	int rc;

	if ((unsigned)ev >= NVO3_TSIE__COUNT || out == NULL ||
	    out->n > NVO3_TSI_ACT_CAP ||
	    (unsigned)t->state >= NVO3_TSI__COUNT ||
	    t->naddr > NVO3_TSI_MAX_ADDR)
		return -EINVAL;
	if ((rc = tsi_check(t, ev, req)) < 0)
		return rc;
	next = *t;
	acts.n = 0;
	tsi_step(&next, now, ev, req, &acts);
	if (out->n + acts.n > NVO3_TSI_ACT_CAP)
		return -ENOBUFS;
	*t = next;
	memcpy(&out->a[out->n], acts.a, acts.n * sizeof(acts.a[0]));
	out->n += acts.n;
	return 0;
}
