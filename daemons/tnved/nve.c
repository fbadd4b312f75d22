/*
 * nve.c - tnved's uplinks, one per External NVE ("nve" block): the
 * transport of the hypervisor's VDP station.
 *
 * Owns the NVE side of struct tnved_nve: two AF_PACKET sockets on the
 * uplink (LLDP 0x88cc, ECP 0x8940; lib/net), the LLDP agent in the EVB
 * station role (lib/lldp) that proposes the configured R/RTE and offers
 * the NVE's extensions, the one ECP session with the NVE's bridge
 * (lib/ecp; one bridge per nve, so one session and one sequence space),
 * HMAC signing and verification of ULPDUs (lib/ext,
 * docs/nvo3-vdp-extensions.md section 8), the packing of the VSI TLVs of
 * one loop turn into few ULPDUs (section 5.2) and the NVE's health.  Runs
 * in tnved's only thread; timers go through tnved_timer_set() (tnved.c
 * dispatches them back here), the per-turn flush is tnved.c's uv_check
 * calling nve_flush_all(); VSI TLVs received and the NVE's health go to
 * vm.c (vm_nve_*).
 *
 * Health of an NVE:
 *
 *                  EVB TLV from the bridge
 *     WAITING  ---------------------------------->  UP
 *        |  (stays here while a key is set and        |  ^
 *        |   the bridge did not agree "auth")         |  |  EVB TLV heard
 *        |                                            v  |  (a new LLDPDU)
 *        +-----------  ECP gave up  ------------->  DOWN
 *
 *   WAITING --EVB TLV, auth fine-------------> UP       nve_settle(), then
 *                                  nve_up() TNVED_NVE_SETTLE_US later
 *   WAITING --EVB TLV, key but no auth-------> WAITING  health_check(),
 *                                                       warned once
 *   UP      --ECP retries exhausted----------> DOWN     nve_set_down()
 *   UP      --LLDP neighbour aged / TTL 0----> DOWN     nve_set_down()
 *   UP      --keep-alive lost (vm.c)---------> DOWN     nve_set_down()
 *   UP      --auth no longer agreed----------> DOWN     nve_set_down()
 *   DOWN    --LLDPDU with the bridge's EVB---> UP       nve_up()
 * Going down drops what is queued for the NVE (the ECP queue and the
 * packed TLVs): vm.c fails the bindings over or marks them down, and
 * re-announces on the way up.  The replay floor of the NVE's auth
 * counters is kept for the life of the process.
 *
 * Frames taken: with "peer MAC" configured (required when several nve
 * blocks share an interface behind a bridge) only frames from that MAC;
 * else LLDP from the current neighbour or from any bridge (EVB mode
 * bridge), so other hypervisors' station PDUs on a bridged segment never
 * replace our bridge, and ECP only from the bridge heard on LLDP.
 *
 * ECP destination (section 6): the group 01-80-C2-00-00-00; the unicast
 * or multicast address the bridge announced when "ecpdest" is agreed;
 * else, with "peer MAC" configured, unicast to that MAC.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "ext/nvo3_ext_codes.h"
#include "tnved.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mtime.h"

#define RX_BURST	256	/* frames per readable event per socket */
#define NVE_ECP_QUEUE	128	/* ULPDUs ECP holds for one NVE */
#define MGRID_TLV_LEN	(VDP_TLV_HDR_LEN + VDP_MGRID_LEN)
#define ORG_HDR_LEN	(VDP_TLV_HDR_LEN + 3)	/* header + CID */
#define FLUSH_PASSES	4	/* re-sends queued while flushing */

const char *const tnved_nve_health_names[3] = {
	[TNVED_NVE_WAITING] = "waiting",
	[TNVED_NVE_UP] = "up",
	[TNVED_NVE_DOWN] = "down",
};

static struct log_rl rl_rx = LOG_RL_INIT(5 * USEC_PER_SEC, 10);
static struct log_rl rl_tx = LOG_RL_INIT(5 * USEC_PER_SEC, 10);
static struct log_rl rl_auth = LOG_RL_INIT(5 * USEC_PER_SEC, 10);
/* NVEs whose "key but no auth agreed" was logged (bit = index) */
static uint32_t noauth_warned;

static void ecp_actions(struct tnved_nve *, struct ecp_actions *, uint64_t);

/* ---- what was agreed ------------------------------------------------- */

static bool
auth_wanted(const struct tnved_nve *n)
{
	return n->conf->key_id >= 0;
}

static bool
auth_on(const struct tnved_nve *n)
{
	return auth_wanted(n) && (n->caps & NVO3_CAP_AUTH);
}

static uint32_t
caps_offered(const struct tnved_nve *n)
{
	return n->conf->caps_set ? n->conf->caps : n->d->conf.caps;
}

struct vdp_params
nve_vdp_params(const struct tnved_nve *n)
{
	const struct evb_oper *o = &n->agent.oper;
	struct vdp_params p;

	memset(&p, 0, sizeof(p));
	if (n->open && o->peer_ok) {
		p.r = o->r;
		p.rte = o->rte;
		p.rwd = o->rwd;
		p.rka = o->rka;
	} else {
		/* what we propose (agent_config) until the bridge answers */
		p.r = n->d->conf.r;
		p.rte = n->d->conf.rte;
		p.rwd = n->d->conf.rwd;
		p.rka = n->d->conf.rka;
	}
	p.deactivate_ok = (n->caps & NVO3_CAP_DEACTIVATE) != 0;
	return p;
}

static struct vdp_codec_opts
codec_opts(const struct tnved_nve *n)
{
	struct vdp_codec_opts o;

	memset(&o, 0, sizeof(o));
	/* GroupIDs need BGID and SGID; we offer them, so before any
	 * bridge was heard take its word for it */
	o.group_ids = n->agent.oper.peer ? n->agent.oper.gid : 1;
	o.ip_filters = (n->caps & NVO3_CAP_IPFILTER) != 0;
	o.vni_groupid = (n->caps & NVO3_CAP_VNI_GROUPID) != 0;
	return o;
}

bool
nve_usable(const struct tnved_nve *n)
{
	return n->open && n->health == TNVED_NVE_UP;
}

struct tnved_nve *
nve_find(struct tnved *d, const char *name)
{
	for (unsigned i = 0; i < d->nnves; i++)
		if (strcmp(d->nves[i].name, name) == 0)
			return &d->nves[i];
	return NULL;
}

/* ---- ECP session ------------------------------------------------------ */

/* Where our ECPDUs go now (see the top comment). */
static void
ecp_dst(const struct tnved_nve *n, enum ecp_dst_mode *mode, uint8_t mac[6])
{
	const struct lldp_pdu *pp = &n->agent.peer;

	if ((n->caps & NVO3_CAP_ECPDEST) && n->agent.has_peer &&
	    pp->has_ecpdest && pp->ecpdest.kind != NVO3_ECPDEST_GROUP) {
		*mode = pp->ecpdest.kind == NVO3_ECPDEST_UNICAST ?
		    ECP_DST_UNICAST : ECP_DST_MCAST;
		memcpy(mac, pp->ecpdest.mac, 6);
		if (ecp_check_dst(*mode, mac) == 0)
			return;
	}
	if (n->conf->peer_set) {
		*mode = ECP_DST_UNICAST;
		memcpy(mac, n->conf->peer, 6);
		return;
	}
	*mode = ECP_DST_GROUP;
	memcpy(mac, ecp_mac_ncb, 6);
}

static void
ecp_join(struct tnved_nve *n, const uint8_t mac[6])
{
	char m[18];
	int rc;

	/* the bridge sends to the group it asked us to send to */
	if ((rc = rawsock_join(&n->ecp_sock, mac)) < 0)
		log_warn("nve %s: joining ECP group %s on %s: %s", n->name,
		    mac_fmt(mac, m), n->ifname, strerror(-rc));
}

/* Follows the destination to the latest LLDP agreement. */
static void
ecp_dst_apply(struct tnved_nve *n)
{
	const struct ecp_session_cfg *c = &n->ecp.cfg;
	enum ecp_dst_mode mode;
	uint8_t mac[6];
	char m[18];
	int rc;

	ecp_dst(n, &mode, mac);
	if (mode == c->dst_mode && (mode == ECP_DST_GROUP ||
	    memcmp(mac, mode == ECP_DST_UNICAST ? c->peer_mac : c->mcast_mac,
	    6) == 0))
		return;
	if ((rc = ecp_session_set_dst(&n->ecp, mode, mac)) < 0) {
		log_warn("nve %s: ECP destination %s %s: %s", n->name,
		    ecp_dst_mode_names[mode], mac_fmt(mac, m), strerror(-rc));
		return;
	}
	if (mode == ECP_DST_MCAST)
		ecp_join(n, mac);
	log_info("nve %s: ECP now goes to %s (%s)", n->name, mac_fmt(mac, m),
	    ecp_dst_mode_names[mode]);
}

static void
ecp_schedule(struct tnved_nve *n)
{
	tnved_timer_set(n->d, &n->ecp_timer, n->ecp.q != NULL ?
	    ecp_session_next_deadline(&n->ecp) : TIME_NEVER);
}

/*
 * Starts the session afresh.  Sequence numbers come from n->ecp_seq, so
 * a restarted session goes on where the last one stopped and the bridge
 * never takes its first PDU for a duplicate.  Verdict mode always: a
 * ULPDU is acknowledged only once decoded (and authenticated, with a
 * key).  0 or -errno; on failure n->ecp.q is NULL and nothing is sent.
 */
static int
ecp_start(struct tnved_nve *n)
{
	struct vdp_params p = nve_vdp_params(n);
	struct ecp_session_cfg cfg;
	uint8_t mac[6];
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.local_mac, n->local_mac, 6);
	ecp_dst(n, &cfg.dst_mode, mac);
	if (cfg.dst_mode == ECP_DST_UNICAST)
		memcpy(cfg.peer_mac, mac, 6);
	else if (cfg.dst_mode == ECP_DST_MCAST)
		memcpy(cfg.mcast_mac, mac, 6);
	cfg.r = p.r;
	cfg.rte = p.rte;
	cfg.queue_len = NVE_ECP_QUEUE;
	cfg.seq_src = &n->ecp_seq;
	cfg.auto_ack = 0;
	cfg.pad = 1;
	if ((rc = ecp_session_init(&n->ecp, &cfg)) < 0) {
		memset(&n->ecp, 0, sizeof(n->ecp));
		log_err("nve %s: ECP session: %s", n->name, strerror(-rc));
		return rc;
	}
	if (cfg.dst_mode == ECP_DST_MCAST)
		ecp_join(n, mac);
	return 0;
}

/* ---- packing ---------------------------------------------------------- */

static void
pend_unlink(struct tnved_nve *n)
{
	struct tnved_nve **pp = &n->d->pend_list;

	if (!n->pend_listed)
		return;
	while (*pp != NULL && *pp != n)
		pp = &(*pp)->pend_next;
	if (*pp == n)
		*pp = n->pend_next;
	n->pend_next = NULL;
	n->pend_listed = false;
}

/* Org TLVs in the packed TLVs (a ULPDU holds at most VDP_MAX_ORG). */
static unsigned
pend_norg(const struct tnved_nve *n)
{
	unsigned off = 0, k = 0;

	while (off + VDP_TLV_HDR_LEN <= n->pend_len) {
		if (n->pend[off] >> 1 == VDP_TLV_ORG)
			k++;
		off += VDP_TLV_HDR_LEN +
		    ((unsigned)(n->pend[off] & 1) << 8 | n->pend[off + 1]);
	}
	return k;
}

/*
 * One ULPDU from the packed TLVs:
 *
 *   +-----------------+-------------------------+----------------+------+
 *   | Manager ID TLV  | pend: VSI TLV [+ Org    | auth TLV (with | End  |
 *   | 0a 10 + 16 octs | TLVs], VSI TLV ...      | a key) fe 1f.. | 00 00|
 *   +-----------------+-------------------------+----------------+------+
 *
 * The auth TLV covers every octet before it and is always last.  When
 * ECP's queue is full and keep_if_full, the TLVs stay packed for the
 * next try; any other failure drops them (counted, logged).  0 or -errno.
 */
static int
flush_one(struct tnved_nve *n, uint64_t now, bool keep_if_full)
{
	struct ecp_actions acts = { .n = 0 };
	uint8_t buf[VDP_MAX_ULPDU + 2];
	struct nvo3_auth a;
	bool signed_ = false;
	size_t len = 0, off;
	int rc;

	if (n->pend_ntlv == 0)
		return 0;
	if (!n->open || n->ecp.q == NULL) {
		rc = -ENETDOWN;
		goto drop;
	}
	/* packed under another agreement (a reload, an LLDP change)? */
	if (MGRID_TLV_LEN + n->pend_len + (auth_wanted(n) ?
	    NVO3_AUTH_TLV_LEN : 0) > VDP_MAX_ULPDU) {
		rc = -EMSGSIZE;
		goto drop;
	}
	buf[len++] = VDP_TLV_MGRID << 1;
	buf[len++] = VDP_MGRID_LEN;
	memcpy(buf + len, n->pend_mgrid, VDP_MGRID_LEN);
	len += VDP_MGRID_LEN;
	memcpy(buf + len, n->pend, n->pend_len);
	len += n->pend_len;
	if (auth_wanted(n)) {
		if (!auth_on(n)) {
			rc = -EPERM;
			goto drop;
		}
		off = len;
		buf[len++] = (uint8_t)(VDP_TLV_ORG << 1 |
		    (NVO3_AUTH_TLV_LEN - VDP_TLV_HDR_LEN) >> 8);
		buf[len++] = (uint8_t)(NVO3_AUTH_TLV_LEN - VDP_TLV_HDR_LEN);
		buf[len++] = NVO3_EXT_CID0;
		buf[len++] = NVO3_EXT_CID1;
		buf[len++] = NVO3_EXT_CID2;
		rc = nvo3_auth_sign(buf, off, n->d->keys,
		    (uint16_t)n->conf->key_id,
		    nvo3_counter_next(&n->d->auth_ctr),
		    NVO3_AUTH_DIR_TO_BRIDGE, n->local_mac, &a);
		if (rc < 0 ||
		    (rc = nvo3_auth_encode(&a, buf + len, NVO3_AUTH_LEN)) < 0)
			goto drop;
		len += NVO3_AUTH_LEN;
		signed_ = true;
	}
	buf[len++] = 0;		/* End TLV */
	buf[len++] = 0;
	rc = ecp_session_enqueue(&n->ecp, now, buf, len, 0, &acts);
	if (rc == -ENOBUFS && keep_if_full) {
		n->ctr.tx_errors++;
		log_rl(&rl_tx, now, LOG_LVL_WARN, "nve %s: ECP queue full "
		    "(%u ULPDUs)", n->name, NVE_ECP_QUEUE);
		return rc;
	}
	if (rc < 0)
		goto drop;
	if (signed_)
		n->ctr.auth_signed++;
	n->pend_len = n->pend_ntlv = 0;
	ecp_actions(n, &acts, now);
	return 0;
drop:
	n->ctr.tx_errors++;
	log_rl(&rl_tx, now, LOG_LVL_WARN, "nve %s: %u VSI TLV%s not sent: %s",
	    n->name, n->pend_ntlv, n->pend_ntlv == 1 ? "" : "s",
	    rc == -ENOBUFS ? "ECP queue full" : rc == -EPERM ?
	    "authentication not agreed" : strerror(-rc));
	n->pend_len = n->pend_ntlv = 0;
	return rc;
}

/* Appends one Org TLV value of ours after VSI TLV 0 of pdu. */
static void
add_org(struct vdp_pdu *pdu, const uint8_t *val, int len)
{
	struct vdp_org_tlv *o = &pdu->org[pdu->norg++];

	o->oui = NVO3_EXT_CID;
	o->data = val;
	o->len = (uint16_t)len;
	o->after = 0;
}

int
nve_send_tlv(struct tnved_nve *n, const uint8_t *mgrid,
    const struct vdp_vsi_tlv *tlv, const struct nvo3_migration *mig,
    const struct nvo3_ipaddr_tlv *ip)
{
	static struct vdp_pdu pdu;	/* large; one thread */
	static uint8_t migv[NVO3_MIGRATION_LEN], ipv[VDP_TLV_MAX_VALUE];
	struct vdp_codec_opts o = codec_opts(n);
	uint8_t buf[VDP_MAX_ULPDU + 2];
	uint64_t now = mono_us();
	size_t sz, room, org_room;
	int len, rc;

	if (!n->open || n->ecp.q == NULL) {
		rc = -ENETDOWN;
		goto fail;
	}
	if (auth_wanted(n) && !auth_on(n)) {
		/* never fall back to unauthenticated VDP */
		rc = -EPERM;
		goto fail;
	}
	memset(&pdu, 0, sizeof(pdu));
	memcpy(pdu.mgrid, mgrid, VDP_MGRID_LEN);
	pdu.nvsi = 1;
	pdu.vsi[0] = *tlv;
	sz = vdp_vsi_tlv_size(tlv, &o);
	if (mig != NULL && (n->caps & NVO3_CAP_MIGRATION)) {
		if ((rc = nvo3_migration_encode(mig, migv, sizeof(migv))) < 0)
			goto fail;
		add_org(&pdu, migv, rc);
		sz += ORG_HDR_LEN + (size_t)rc;
	}
	if (ip != NULL && (n->caps & NVO3_CAP_IPADDR_TLV)) {
		if ((rc = nvo3_ipaddr_encode(ip, ipv, sizeof(ipv))) < 0)
			goto fail;
		add_org(&pdu, ipv, rc);
		sz += ORG_HDR_LEN + (size_t)rc;
	}
	if ((len = vdp_pdu_encode(&pdu, &o, buf, sizeof(buf))) < 0) {
		rc = len;
		goto fail;
	}
	room = VDP_MAX_ULPDU - MGRID_TLV_LEN -
	    (auth_on(n) ? NVO3_AUTH_TLV_LEN : 0);
	org_room = VDP_MAX_ORG - (auth_on(n) ? 1 : 0);
	if (sz == 0 || sz > room || MGRID_TLV_LEN + sz > (size_t)len) {
		rc = -EMSGSIZE;
		goto fail;
	}
	/* one Manager ID per ULPDU; a full one goes first */
	if (n->pend_ntlv > 0 && (!(n->caps & NVO3_CAP_MULTI_TLV) ||
	    memcmp(n->pend_mgrid, mgrid, VDP_MGRID_LEN) != 0 ||
	    n->pend_len + sz > room || n->pend_ntlv >= VDP_MAX_VSI ||
	    pend_norg(n) + pdu.norg > org_room) &&
	    (rc = flush_one(n, now, true)) < 0)
		return rc;
	memcpy(n->pend_mgrid, mgrid, VDP_MGRID_LEN);
	memcpy(n->pend + n->pend_len, buf + MGRID_TLV_LEN, sz);
	n->pend_len += (uint16_t)sz;
	n->pend_ntlv++;
	if (!(n->caps & NVO3_CAP_MULTI_TLV))
		return flush_one(n, now, false);
	if (!n->pend_listed) {
		n->pend_listed = true;
		n->pend_next = n->d->pend_list;
		n->d->pend_list = n;
	}
	return 0;
fail:
	n->ctr.tx_errors++;
	log_rl(&rl_tx, now, LOG_LVL_WARN, "nve %s: %s request not sent: %s",
	    n->name, vdp_mode_name(tlv->mode), rc == -EPERM ?
	    "the bridge did not agree authentication" : strerror(-rc));
	return rc;
}

void
nve_flush_all(struct tnved *d)
{
	uint64_t now = mono_us();

	/* vm.c may send again from vm_nve_tx_error(): a few passes only */
	for (int pass = 0; pass < FLUSH_PASSES && d->pend_list != NULL;
	    pass++) {
		struct tnved_nve *list = d->pend_list;

		d->pend_list = NULL;
		while (list != NULL) {
			struct tnved_nve *n = list;

			list = n->pend_next;
			n->pend_next = NULL;
			n->pend_listed = false;
			if (flush_one(n, now, false) < 0)
				vm_nve_tx_error(n, now);
		}
	}
}

/* ---- health ----------------------------------------------------------- */

/*
 * EVB agreed: the NVE is used TNVED_NVE_SETTLE_US later, since a bridge
 * (lldpad) starts its ECP only once it has processed our EVB TLV, and a
 * request sent before that is never acknowledged.
 */
static void
nve_settle(struct tnved_nve *n, uint64_t now)
{
	if (n->settle_at == 0)
		n->settle_at = now + TNVED_NVE_SETTLE_US;
}

static void
nve_up(struct tnved_nve *n, uint64_t now)
{
	struct vdp_params p = nve_vdp_params(n);
	char m[18], caps[128];

	n->settle_at = 0;
	n->health = TNVED_NVE_UP;
	n->health_since = now;
	n->down_why[0] = '\0';
	noauth_warned &= ~(1u << (n->index & 31));
	nvo3_caps_format(n->caps, caps, sizeof(caps));
	log_info("nve %s: up on %s, bridge %s, R %u RTE %u RWD %u RKA %u, "
	    "extensions %s%s", n->name, n->ifname, mac_fmt(n->peer_mac, m),
	    p.r, p.rte, p.rwd, p.rka, caps,
	    auth_on(n) ? " (authenticated)" : "");
	vm_nve_up(n, now);
}

void
nve_set_down(struct tnved_nve *n, const char *why, uint64_t now)
{
	if (n->health == TNVED_NVE_DOWN)
		return;
	log_warn("nve %s: down: %s", n->name, why);
	n->ctr.downs++;
	n->health = TNVED_NVE_DOWN;
	n->health_since = now;
	n->settle_at = 0;
	snprintf(n->down_why, sizeof(n->down_why), "%s", why);
	/* nothing queued for the dead NVE goes out later */
	n->pend_len = n->pend_ntlv = 0;
	pend_unlink(n);
	if (n->open) {
		ecp_session_fini(&n->ecp);
		(void)ecp_start(n);
		ecp_schedule(n);
	}
	vm_nve_down(n, now);
}

/*
 * After every LLDP event.  heard: a PDU from the bridge was just taken
 * (only that can bring a waiting or down NVE up).
 */
static void
health_check(struct tnved_nve *n, uint64_t now, bool heard)
{
	const struct lldp_agent *a = &n->agent;
	uint32_t bit = 1u << (n->index & 31);
	bool evb = a->has_peer && a->peer.has_evb && a->oper.peer_ok;
	char m[18];

	if (auth_wanted(n) && !(n->caps & NVO3_CAP_AUTH)) {
		if (n->health == TNVED_NVE_UP) {
			nve_set_down(n, "authentication no longer agreed",
			    now);
			return;
		}
		if (!heard || !evb || (noauth_warned & bit))
			return;
		noauth_warned |= bit;
		log_warn("nve %s: key %d is configured but bridge %s on %s "
		    "did not agree the \"auth\" extension; not using this "
		    "NVE (nothing is sent to it unauthenticated)", n->name,
		    n->conf->key_id, mac_fmt(a->peer.src, m), n->ifname);
		if (n->health == TNVED_NVE_WAITING)
			snprintf(n->down_why, sizeof(n->down_why),
			    "bridge did not agree authentication");
		return;
	}
	if (n->health != TNVED_NVE_UP && heard && evb) {
		if (n->ecp.q == NULL && ecp_start(n) < 0)
			return;
		nve_settle(n, now);
	}
}

/* ---- ECP receive -------------------------------------------------------- */

static void
verdict(struct tnved_nve *n, uint16_t seq, bool accept, uint64_t now)
{
	struct ecp_actions acts = { .n = 0 };
	int rc;

	rc = accept ? ecp_session_rx_accept(&n->ecp, now, seq, &acts) :
	    ecp_session_rx_reject(&n->ecp, now, seq, &acts);
	if (rc < 0)
		log_debug("nve %s: ECP verdict on seq %u: %s", n->name, seq,
		    strerror(-rc));
	ecp_actions(n, &acts, now);
}

/*
 * Authentication of a ULPDU from the NVE: our key, our direction, the
 * frame's source as the sender, then the replay floor is raised.
 * 0 (accept) or -errno, counted and logged.
 */
static int
rx_auth(struct tnved_nve *n, const struct ecp_action *a,
    const struct vdp_pdu *pdu, uint64_t now)
{
	struct nvo3_auth au;
	const char *what;
	char m[18];
	int i, rc;

	if (!(n->caps & NVO3_CAP_AUTH)) {
		rc = -EPERM;
		what = "authentication not agreed";
	} else if ((i = vdp_org_next(pdu, NVO3_EXT_CID, NVO3_EXT_ST_AUTH,
	    VDP_ORG_ANY, 0)) < 0) {
		rc = -ENOMSG;
		what = "no auth TLV";
	} else if ((rc = nvo3_auth_decode(pdu->org[i].data, pdu->org[i].len,
	    &au)) < 0) {
		what = "malformed auth TLV";
	} else if (au.key_id != (uint16_t)n->conf->key_id) {
		rc = -ENOKEY;
		what = "signed with another key";
	} else if ((rc = nvo3_auth_verify(a->data, a->len, pdu->org[i].off,
	    &au, n->d->keys, &n->replay, NVO3_AUTH_DIR_TO_STATION,
	    a->peer)) == 0 &&
	    (rc = nvo3_replay_commit(&n->replay, au.key_id, au.counter)) == 0) {
		n->ctr.auth_ok++;
		return 0;
	} else {
		what = rc == -EALREADY ? "replayed counter" :
		    rc == -EPERM ? "bad MAC" : rc == -ENOKEY ? "unknown key" :
		    "invalid auth TLV";
	}
	if (rc == -EALREADY)
		n->ctr.auth_replay++;
	else
		n->ctr.auth_fail++;
	log_rl(&rl_auth, now, LOG_LVL_WARN, "nve %s: ULPDU seq %u from %s "
	    "refused: %s", n->name, a->seq, mac_fmt(a->peer, m), what);
	return rc;
}

static void
deliver(struct tnved_nve *n, const struct ecp_action *a, uint64_t now)
{
	static struct vdp_pdu pdu;	/* large; one thread */
	struct vdp_codec_opts o = codec_opts(n);
	bool auth = auth_wanted(n);
	enum vdp_err why;

	if (vdp_pdu_decode(a->data, a->len, &o, &pdu, &why) < 0) {
		n->ctr.rx_bad_pdus++;
		log_rl(&rl_rx, now, LOG_LVL_WARN, "nve %s: VDP ULPDU seq %u "
		    "dropped: %s", n->name, a->seq, vdp_err_name(why));
		/* with a key, garbage is not even acknowledged */
		verdict(n, a->seq, !auth, now);
		return;
	}
	if (auth && rx_auth(n, a, &pdu, now) < 0) {
		verdict(n, a->seq, false, now);
		return;
	}
	verdict(n, a->seq, true, now);
	n->ctr.rx_pdus++;
	/* vm_nve_tlv counts rx_tlvs (and rx_unknown_vsi) */
	for (unsigned i = 0; i < pdu.nvsi; i++)
		vm_nve_tlv(n, &pdu, i, now);
}

/*
 * Carries out one batch of ECP actions: every SEND first (their data
 * lives in session buffers that a later enqueue may rewrite), then the
 * rest in order (DELIVER data is in on_ecp's receive buffer).
 */
static void
ecp_actions(struct tnved_nve *n, struct ecp_actions *acts, uint64_t now)
{
	struct ecp_actions copy = *acts;
	unsigned i;
	int rc;

	acts->n = 0;
	for (i = 0; i < copy.n; i++) {
		const struct ecp_action *a = &copy.a[i];

		if (a->type != ECP_ACT_SEND)
			continue;
		if ((rc = rawsock_send(&n->ecp_sock, a->data, a->len)) < 0) {
			n->ctr.tx_errors++;
			log_rl(&rl_tx, now, LOG_LVL_WARN, "nve %s: ECP send on "
			    "%s: %s", n->name, n->ifname, strerror(-rc));
		} else {
			n->ctr.tx_frames++;
		}
	}
	for (i = 0; i < copy.n; i++) {
		const struct ecp_action *a = &copy.a[i];

		switch (a->type) {
		case ECP_ACT_DELIVER:
			deliver(n, a, now);
			break;
		case ECP_ACT_TX_ERROR:
			n->ctr.tx_giveups++;
			log_info("nve %s: no ECP ACK after %u tries (seq %u)",
			    n->name, (unsigned)a->tries, a->seq);
			vm_nve_tx_error(n, now);
			nve_set_down(n, "ECP retries exhausted", now);
			break;
		default:
			break;
		}
	}
	ecp_schedule(n);
}

static void	ecp_rx_burst(struct tnved_nve *n);

void
nve_ecp_timer(struct tnved_nve *n, uint64_t now)
{
	struct ecp_actions acts = { .n = 0 };

	if (!n->open || n->ecp.q == NULL)
		return;
	/*
	 * An ACK may be waiting in the socket while a burst of other work
	 * kept the loop from reading it: read first, so a busy tnved does
	 * not retransmit, or give up and declare a healthy NVE down.
	 */
	ecp_rx_burst(n);
	if (!n->open || n->ecp.q == NULL)
		return;
	now = mono_us();
	if (ecp_session_tick(&n->ecp, now, &acts) < 0) {
		ecp_schedule(n);
		return;
	}
	ecp_actions(n, &acts, now);
}

/* Is this frame (Ethernet header first) from n's bridge? */
static bool
from_bridge(const struct tnved_nve *n, const uint8_t *frame, size_t len)
{
	return len >= 12 && n->peer_known &&
	    memcmp(frame + 6, n->peer_mac, 6) == 0;
}

/* Reads and handles up to RX_BURST waiting ECP frames. */
static void
ecp_rx_burst(struct tnved_nve *n)
{
	static uint8_t buf[2048];	/* DELIVER data points here */
	struct ecp_frame f;
	enum ecp_derr why;
	ssize_t len;
	char m[18];
	int i, rc;

	for (i = 0; i < RX_BURST; i++) {
		struct ecp_actions acts = { .n = 0 };
		uint64_t now;

		if ((len = rawsock_recv(&n->ecp_sock, buf, sizeof(buf))) <= 0) {
			if (len < 0)
				log_rl(&rl_rx, mono_us(), LOG_LVL_WARN,
				    "nve %s: ECP receive on %s: %s", n->name,
				    n->ifname, strerror((int)-len));
			break;
		}
		now = mono_us();
		if (!from_bridge(n, buf, (size_t)len))
			continue;	/* another NVE's, another station's */
		n->ctr.rx_frames++;
		if (ecp_frame_decode(buf, (size_t)len, &f, &why) < 0) {
			n->ctr.rx_bad++;
			log_rl(&rl_rx, now, LOG_LVL_WARN, "nve %s: ECP frame "
			    "from %s dropped: %s", n->name, mac_fmt(buf + 6, m),
			    ecp_derr_names[why]);
			continue;
		}
		n->last_rx = now;
		if (n->ecp.q == NULL)
			continue;
		if ((rc = ecp_session_rx_frame(&n->ecp, now, &f, &acts)) < 0)
			log_rl(&rl_rx, now, LOG_LVL_WARN, "nve %s: ECP: %s",
			    n->name, strerror(-rc));
		ecp_actions(n, &acts, now);
		if (!n->open)
			break;
	}
}

static void
on_ecp(uv_poll_t *h, int status, int events)
{
	struct tnved_nve *n = h->data;

	(void)events;
	if (status < 0 || !n->open)
		return;
	ecp_rx_burst(n);
}

/* ---- LLDP --------------------------------------------------------------- */

static void
agent_config(const struct tnved_nve *n, struct lldp_agent_config *c)
{
	lldp_agent_config_default(c, EVB_ROLE_STATION, n->local_mac);
	c->evb.r = n->d->conf.r;
	c->evb.rte = n->d->conf.rte;
	c->evb.rwd = n->d->conf.rwd;
	c->evb.rka = n->d->conf.rka;
	c->evb.gid = true;		/* the VNI rides in the GroupID */
	c->evb.caps = caps_offered(n);
	/* behind a bridge: ask for ECPDUs on our own MAC (section 6) */
	if (n->conf->peer_set && (c->evb.caps & NVO3_CAP_ECPDEST)) {
		c->has_ecpdest = true;
		c->ecpdest.kind = NVO3_ECPDEST_UNICAST;
		memcpy(c->ecpdest.mac, n->local_mac, 6);
	}
}

static void
lldp_send(struct tnved_nve *n, int acts, uint64_t now)
{
	uint8_t buf[1500];
	int len, rc;

	if ((len = lldp_agent_tx_frame(&n->agent, acts, buf,
	    sizeof(buf))) <= 0) {
		if (len < 0)
			log_rl(&rl_tx, now, LOG_LVL_WARN, "nve %s: LLDP encode: "
			    "%s", n->name, strerror(-len));
		return;
	}
	if ((rc = rawsock_send(&n->lldp_sock, buf, (size_t)len)) < 0)
		log_rl(&rl_tx, now, LOG_LVL_WARN, "nve %s: LLDP send on %s: %s",
		    n->name, n->ifname, strerror(-rc));
	else
		n->ctr.lldp_tx++;
}

static void
lldp_schedule(struct tnved_nve *n)
{
	uint64_t at = lldp_agent_next(&n->agent);

	if (n->settle_at != 0 && n->settle_at < at)
		at = n->settle_at;
	tnved_timer_set(n->d, &n->lldp_timer, at);
}

/* Applies what the agent agreed now to ECP. */
static void
caps_sync(struct tnved_nve *n)
{
	struct vdp_params p;

	n->caps = n->agent.caps;
	p = nve_vdp_params(n);
	if (n->ecp.q == NULL)
		return;
	(void)ecp_session_set_params(&n->ecp, p.r, p.rte);
	ecp_dst_apply(n);
}

static void
lldp_events(struct tnved_nve *n, int acts, uint64_t now, bool heard)
{
	const struct lldp_agent *a = &n->agent;
	struct vdp_params p;
	char m[18], caps[128];

	if (acts < 0)
		return;
	lldp_send(n, acts, now);
	caps_sync(n);
	if (acts & LLDP_ACT_PEER_LOST) {
		log_info("nve %s: LLDP neighbour lost (%s)", n->name,
		    lldp_lost_reason_name(a->lost));
		if (n->health == TNVED_NVE_UP)
			nve_set_down(n, "LLDP neighbour lost", now);
	}
	if (acts & (LLDP_ACT_PEER_UP | LLDP_ACT_PEER_CHANGED)) {
		if (!n->conf->peer_set) {
			memcpy(n->peer_mac, a->peer.src, 6);
			n->peer_known = true;
		}
		p = nve_vdp_params(n);
		nvo3_caps_format(n->caps, caps, sizeof(caps));
		log_info("nve %s: LLDP neighbour %s on %s: EVB %s, R %u RTE %u "
		    "RWD %u RKA %u, GroupID %s, extensions %s", n->name,
		    mac_fmt(a->peer.src, m), n->ifname,
		    !a->peer.has_evb ? "absent" : a->oper.peer_ok ? "agreed" :
		    "not a bridge's", p.r, p.rte, p.rwd, p.rka,
		    a->oper.gid ? "yes" : "no", caps);
	}
	health_check(n, now, heard);
}

/*
 * Is an LLDPDU for n's agent?  With a configured peer only the peer's.
 * Else the current neighbour's, or any bridge's: on a bridged segment the
 * other hypervisors' station PDUs must not replace our bridge.  Frames
 * that do not decode go to the agent, which counts them.
 */
static bool
lldp_take(const struct tnved_nve *n, const uint8_t *buf, size_t len)
{
	struct lldp_pdu p;

	if (len < LLDP_ETH_HDR_LEN)
		return true;
	if (n->conf->peer_set)
		return memcmp(buf + 6, n->conf->peer, 6) == 0;
	if (n->agent.has_peer && memcmp(buf + 6, n->agent.peer.src, 6) == 0)
		return true;
	if (lldp_pdu_decode(buf, len, &p, NULL) < 0)
		return true;
	return p.has_evb && (p.evb.mode == LLDP_EVB_MODE_BRIDGE ||
	    p.evb.mode == LLDP_EVB_MODE_NVO3);
}

static void
on_lldp(uv_poll_t *h, int status, int events)
{
	struct tnved_nve *n = h->data;
	uint8_t buf[2048];
	ssize_t len;
	int i, acts;

	(void)events;
	if (status < 0 || !n->open)
		return;
	for (i = 0; i < RX_BURST; i++) {
		uint64_t now;

		if ((len = rawsock_recv(&n->lldp_sock, buf, sizeof(buf))) <= 0) {
			if (len < 0)
				log_rl(&rl_rx, mono_us(), LOG_LVL_WARN,
				    "nve %s: LLDP receive on %s: %s", n->name,
				    n->ifname, strerror((int)-len));
			break;
		}
		now = mono_us();
		if (!lldp_take(n, buf, (size_t)len))
			continue;
		if ((acts = lldp_agent_rx(&n->agent, buf, (size_t)len,
		    now)) < 0) {
			n->ctr.lldp_bad++;
			log_rl(&rl_rx, now, LOG_LVL_INFO, "nve %s: LLDP frame "
			    "dropped: %s", n->name, strerror(-acts));
			continue;
		}
		n->ctr.lldp_rx++;
		n->last_rx = now;
		lldp_events(n, acts, now, true);
	}
	lldp_schedule(n);
}

/* A reload may change what we offer: the agent follows at its next tick. */
static void
agent_sync(struct tnved_nve *n, uint64_t now)
{
	const struct lldp_agent_config *o = &n->agent.cfg;
	struct lldp_agent_config c;

	agent_config(n, &c);
	if (c.evb.r == o->evb.r && c.evb.rte == o->evb.rte &&
	    c.evb.caps == o->evb.caps && c.has_ecpdest == o->has_ecpdest)
		return;
	log_info("nve %s: new offer to the bridge: R %u RTE %u, extensions "
	    "0x%02x", n->name, c.evb.r, c.evb.rte, c.evb.caps);
	lldp_events(n, lldp_agent_set_config(&n->agent, &c, now), now, false);
}

void
nve_lldp_timer(struct tnved_nve *n, uint64_t now)
{
	if (!n->open)
		return;
	agent_sync(n, now);
	lldp_events(n, lldp_agent_tick(&n->agent, now), now, false);
	if (n->settle_at != 0 && now >= n->settle_at &&
	    n->health != TNVED_NVE_UP)
		nve_up(n, now);
	lldp_schedule(n);
}

/* ---- open / close --------------------------------------------------------- */

static int
nve_open(struct tnved_nve *n, uint64_t now)
{
	struct tnved *d = n->d;
	struct lldp_agent_config acfg;
	char m[18];
	int rc;

	n->lldp_sock.fd = n->ecp_sock.fd = -1;
	if ((rc = rawsock_open(&n->lldp_sock, n->ifname,
	    LLDP_ETHERTYPE)) < 0 ||
	    (rc = rawsock_open(&n->ecp_sock, n->ifname, ETH_P_ECP22)) < 0) {
		log_warn("nve %s: cannot open %s: %s", n->name, n->ifname,
		    strerror(-rc));
		goto fail;
	}
	memcpy(n->local_mac, n->lldp_sock.mac, 6);
	if (n->conf->peer_set) {
		memcpy(n->peer_mac, n->conf->peer, 6);
		n->peer_known = true;
	}
	agent_config(n, &acfg);
	if ((rc = lldp_agent_init(&n->agent, &acfg)) < 0) {
		log_warn("nve %s: LLDP agent: %s", n->name, strerror(-rc));
		goto fail;
	}
	if ((rc = ecp_start(n)) < 0)
		goto fail;
	n->lldp_poll.data = n;
	n->ecp_poll.data = n;
	if ((rc = uv_poll_init(&d->loop.uv, &n->lldp_poll,
	    n->lldp_sock.fd)) < 0 ||
	    (rc = uv_poll_init(&d->loop.uv, &n->ecp_poll,
	    n->ecp_sock.fd)) < 0) {
		/* a half-initialised poll is closed by sn_loop_close */
		log_warn("nve %s: poll: %s", n->name, uv_strerror(rc));
		ecp_session_fini(&n->ecp);
		rc = -EIO;
		goto fail;
	}
	uv_poll_start(&n->lldp_poll, UV_READABLE, on_lldp);
	uv_poll_start(&n->ecp_poll, UV_READABLE, on_ecp);
	n->open = true;
	log_info("nve %s: uplink %s (MAC %s)%s%s, waiting for the bridge's "
	    "EVB TLV", n->name, n->ifname, mac_fmt(n->local_mac, m),
	    n->conf->peer_set ? ", bridge " : "",
	    n->conf->peer_set ? mac_fmt(n->conf->peer, (char[18]){ 0 }) : "");
	lldp_events(n, lldp_agent_start(&n->agent, now), now, false);
	lldp_schedule(n);
	ecp_schedule(n);
	return 0;
fail:
	rawsock_close(&n->lldp_sock);
	rawsock_close(&n->ecp_sock);
	return rc;
}

int
nve_open_all(struct tnved *d)
{
	uint64_t now = mono_us();
	struct timespec wall;
	unsigned i, j, opened = 0;

	clock_gettime(CLOCK_REALTIME, &wall);
	for (i = 0; i < d->nnves; i++) {
		struct tnved_nve *n = &d->nves[i];

		sn_timer_init(&n->lldp_timer, TNVED_T_NVE_LLDP);
		sn_timer_init(&n->ecp_timer, TNVED_T_NVE_ECP);
		n->health = TNVED_NVE_WAITING;
		n->health_since = now;
		nvo3_replay_init(&n->replay);
		/* a restarted tnved should not start where the bridge's
		 * last accepted sequence number may still be */
		n->ecp_seq = (uint16_t)((uint64_t)wall.tv_nsec / 1000 +
		    (uint64_t)wall.tv_sec * 7919 + i * 4099);
		for (j = 0; j < d->nnves; j++)
			if (j != i && strcmp(d->nves[j].ifname, n->ifname) == 0)
				n->shares_if = true;
		if (n->shares_if && !n->conf->peer_set)
			log_warn("nve %s: shares %s with another nve but has "
			    "no peer MAC: it will take every bridge's frames",
			    n->name, n->ifname);
		if (nve_open(n, now) == 0)
			opened++;
	}
	if (d->nnves > 0 && opened == 0)
		return -ENODEV;
	return 0;
}

void
nve_close_all(struct tnved *d)
{
	uint64_t now = mono_us();

	for (unsigned i = 0; i < d->nnves; i++) {
		struct tnved_nve *n = &d->nves[i];
		int acts;

		if (!n->open)
			continue;
		/* TTL 0: the bridge forgets us at once, not after the TTL */
		if ((acts = lldp_agent_stop(&n->agent, now)) > 0)
			lldp_send(n, acts, now);
		n->pend_len = n->pend_ntlv = 0;
		pend_unlink(n);
		tnved_timer_set(d, &n->lldp_timer, TIME_NEVER);
		tnved_timer_set(d, &n->ecp_timer, TIME_NEVER);
		uv_poll_stop(&n->lldp_poll);
		uv_poll_stop(&n->ecp_poll);
		uv_close((uv_handle_t *)&n->lldp_poll, NULL);
		uv_close((uv_handle_t *)&n->ecp_poll, NULL);
		rawsock_close(&n->lldp_sock);
		rawsock_close(&n->ecp_sock);
		ecp_session_fini(&n->ecp);
		n->open = false;
	}
}
