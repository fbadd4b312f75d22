/*
 * evb.c - EVB negotiation (802.1Q D.2.12 and clause 41 parameters) for both
 * roles, and the agreement on our NVO3 capabilities.
 *
 * Owns: the rule that turns the local EVB configuration and the peer's
 * last EVB TLV into the TLV we send and the values ECP and VDP run on.
 * Pure: a function of its arguments; the control thread (lldp_agent.c, the
 * daemons) calls it whenever the local config or the peer's TLV changes.
 * Relies on: the struct lldp_evb_tlv of lldp.h, nvo3_ext_codes.h.
 *
 * The rule, in our words:
 *  - each end sends its own R, RTE, RWD and RKA; both run on the larger of
 *    its own and the peer's value.  The RoL bit beside RWD and RKA says
 *    "the value I run on came from my peer";
 *  - the bridge sets RRCAP if it can reflect, and RRCTR when it can and the
 *    station asked (RRREQ); the station reports RRSTAT: 1 when it saw
 *    RRCTR, 0 when the bridge did not grant it, 3 while no bridge is heard;
 *  - GroupIDs may be used only when the bridge set BGID and the station
 *    SGID;
 *  - each end echoes the other role's status octet as last received
 *    (zero while nothing is heard), as lldpad does.
 *
 * We differ in:
 *  - lldpad also sets RoL when both values are equal; we do the same, but
 *    only once a peer has been heard (lldpad would set it for a local 0
 *    with no peer);
 *  - a peer whose EVB mode is not the other role (a bridge hearing a
 *    bridge, or mode 0) is reported but its values are not taken: we
 *    negotiate as if nothing were heard.  EVB mode 3 ("NVO3", from one
 *    unverified source) counts as a bridge; we never send mode 3;
 *  - our capability bitmap: agreed = local & peer, and nothing when the
 *    peer sent no capability TLV, so a standard peer never sees an
 *    extension.
 */
#include <errno.h>
#include <string.h>

#include "ext/nvo3_ext_codes.h"
#include "lldp/lldp.h"
#include "util/mtime.h"

int
evb_config_check(const struct evb_config *cfg)
{
	if (cfg->role != EVB_ROLE_BRIDGE && cfg->role != EVB_ROLE_STATION)
		return -EINVAL;
	if (cfg->r > 7 || cfg->rte > 31 || cfg->rwd > 31 || cfg->rka > 31)
		return -EINVAL;
	return 0;
}

void
evb_config_default(struct evb_config *cfg, enum evb_role role)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->role = role;
	cfg->r = EVB_DEFAULT_R;
	cfg->rte = EVB_DEFAULT_RTE;
	cfg->rwd = EVB_DEFAULT_RWD;
	cfg->rka = EVB_DEFAULT_RKA;
	cfg->gid = true;		/* Split-NVE carries the VNI there */
	cfg->caps = NVO3_CAP_ALL;
}

/* Is the peer's mode the other role? */
static bool
peer_is_partner(enum evb_role role, uint8_t mode)
{
	if (role == EVB_ROLE_STATION)
		return mode == LLDP_EVB_MODE_BRIDGE ||
		    mode == LLDP_EVB_MODE_NVO3;
	return mode == LLDP_EVB_MODE_STATION;
}

static uint8_t
max8(uint8_t a, uint8_t b)
{
	return a > b ? a : b;
}

int
evb_negotiate(const struct evb_config *cfg, const struct lldp_evb_tlv *peer,
    struct lldp_evb_tlv *out, struct evb_oper *oper)
{
	struct evb_oper o;
	const struct lldp_evb_tlv *p = NULL;

	if (evb_config_check(cfg))
		return -EINVAL;
	memset(&o, 0, sizeof(o));
	memset(out, 0, sizeof(*out));
	o.peer = peer != NULL;
	if (peer && peer_is_partner(cfg->role, peer->mode)) {
		p = peer;
		o.peer_ok = true;
		o.peer_nvo3 = peer->mode == LLDP_EVB_MODE_NVO3;
	}

	/* Timer and retry values: the larger wins; RoL when it is theirs. */
	o.r = p ? max8(cfg->r, p->r) : cfg->r;
	o.rte = p ? max8(cfg->rte, p->rte) : cfg->rte;
	o.rwd = p ? max8(cfg->rwd, p->rwd) : cfg->rwd;
	o.rka = p ? max8(cfg->rka, p->rka) : cfg->rka;
	out->r = o.r;
	out->rte = o.rte;
	out->rwd = o.rwd;
	out->rka = o.rka;
	out->rwd_rol = p && p->rwd >= cfg->rwd;
	out->rka_rol = p && p->rka >= cfg->rka;
	out->mode = (uint8_t)cfg->role;

	if (cfg->role == EVB_ROLE_BRIDGE) {
		out->bgid = cfg->gid;
		out->rrcap = cfg->rrcap;
		out->rrctr = p && p->rrreq && cfg->rrcap;
		if (p) {
			out->sgid = p->sgid;
			out->rrreq = p->rrreq;
			out->rrstat = p->rrstat;
		}
		o.gid = p && cfg->gid && p->sgid;
		o.rr = out->rrctr;
	} else {
		if (p) {
			out->bgid = p->bgid;
			out->rrcap = p->rrcap;
			out->rrctr = p->rrctr;
		}
		out->sgid = cfg->gid;
		out->rrreq = cfg->rrreq;
		if (!p)
			out->rrstat = LLDP_RRSTAT_UNKNOWN;
		else
			out->rrstat = p->rrctr ? LLDP_RRSTAT_YES :
			    LLDP_RRSTAT_NO;
		o.gid = p && p->bgid && cfg->gid;
		o.rr = p && p->rrctr && cfg->rrreq;
	}
	if (oper)
		*oper = o;
	return 0;
}

uint64_t
evb_exp_us(uint8_t exp)
{
	return evb_time_us(exp);
}
