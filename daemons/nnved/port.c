/*
 * port.c - nnved's downlink ports: the hypervisor-facing side of the
 * External NVE.
 *
 * Owns struct nnved_port and struct nnved_station.  Per port: two
 * AF_PACKET sockets (LLDP 0x88cc, ECP 0x8940; lib/net), the LLDP agent
 * in the EVB bridge role (lib/lldp), and one ECP session (lib/ecp) per
 * station MAC heard on the port, so several end devices behind a plain
 * bridge each get their own (RFC 8394 Req-1, Req-2).  Runs in nnved's
 * only thread; timers go through timers.c.
 *
 * The receive path, in order: ECP decode (bad frames counted per port);
 * the station rule (policy.c) and the station limit decide whether a new
 * MAC gets a session; ECP delivers a ULPDU; the VDP codec decodes it; when
 * the station's rule names a key, the ULPDU must carry a valid HMAC TLV
 * (lib/ext, docs/nvo3-vdp-extensions.md section 8) or it is rejected and
 * NOT acknowledged, so an impostor cannot even make ECP move on; then ECP
 * acknowledges and vsi.c acts on the VSI TLVs.  The send path encodes one
 * VSI TLV per ULPDU (plus the auth TLV, last, when the station
 * authenticates) and queues it on the station's session.
 *
 * We differ from a plain 802.1Q bridge port in: stations are admitted by
 * policy and counted; ECP may use the unicast or non-reserved multicast
 * destination of our extension when the station agreed to it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ext/nvo3_ext_codes.h"
#include "nnved.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mtime.h"

#define ETH_P_LLDP_	0x88cc
#define RX_BURST	256	/* frames per readable event per socket */

static struct log_rl rl_bad = LOG_RL_INIT(5000000, 10);
static struct log_rl rl_station = LOG_RL_INIT(5000000, 10);
static struct log_rl rl_auth = LOG_RL_INIT(5000000, 10);

/* ---- parameters ------------------------------------------------------- */

struct vdp_params
port_vdp_params(const struct nnved_port *p)
{
	const struct evb_oper *o = &p->agent.oper;
	const struct nnved_conf *c = &p->d->conf;
	struct vdp_params v;

	memset(&v, 0, sizeof(v));
	if (o->peer_ok) {
		v.r = o->r;
		v.rte = o->rte;
		v.rwd = o->rwd;
		v.rka = o->rka;
	} else {
		v.r = c->r;
		v.rte = c->rte;
		v.rwd = c->rwd;
		v.rka = c->rka;
	}
	v.deactivate_ok = (p->agent.caps & NVO3_CAP_DEACTIVATE) != 0;
	return v;
}

/* The extensions agreed with the neighbour mac (LLDP), 0 if unheard. */
static uint32_t
nbr_caps(const struct nnved_port *p, const uint8_t mac[6])
{
	for (unsigned i = 0; i < p->nnbr; i++)
		if (memcmp(p->nbr[i].mac, mac, 6) == 0)
			return p->nbr[i].caps;
	return 0;
}

/* Records the agreement with the LLDP neighbour just heard. */
static bool
nbr_update(struct nnved_port *p, uint64_t now)
{
	const struct lldp_pdu *pp = &p->agent.peer;
	uint32_t caps = nvo3_caps_agree(p->d->conf.caps, pp->has_caps,
	    pp->caps);
	struct nnved_station *st;
	unsigned i, old = 0;
	bool changed;

	for (i = 0; i < p->nnbr; i++)
		if (memcmp(p->nbr[i].mac, pp->src, 6) == 0)
			break;
	if (i == p->nnbr) {
		if (p->nnbr < NNVED_NBR_MAX) {
			i = p->nnbr++;
		} else {
			for (i = 1; i < p->nnbr; i++)
				if (p->nbr[i].seen < p->nbr[old].seen)
					old = i;
			i = old;
		}
		memcpy(p->nbr[i].mac, pp->src, 6);
		p->nbr[i].caps = ~caps;		/* counts as changed */
	}
	changed = p->nbr[i].caps != caps;
	p->nbr[i].caps = caps;
	p->nbr[i].seen = now;
	if ((st = port_station_find(p, pp->src)) != NULL)
		st->caps = caps;
	return changed;
}

struct vdp_codec_opts
port_codec_opts(const struct nnved_station *st)
{
	const struct nnved_port *p = st->port;
	struct vdp_codec_opts o;

	memset(&o, 0, sizeof(o));
	/* GroupIDs: we offer them; before a peer is heard, accept them */
	o.group_ids = p->agent.oper.peer ? p->agent.oper.gid : 1;
	o.ip_filters = (st->caps & NVO3_CAP_IPFILTER) != 0;
	o.vni_groupid = (st->caps & NVO3_CAP_VNI_GROUPID) != 0;
	return o;
}

/* The ECP destination this port's sessions use now. */
static void
port_ecp_dst(const struct nnved_port *p, const uint8_t peer[6],
    enum ecp_dst_mode *mode, uint8_t mac[6])
{
	*mode = ECP_DST_GROUP;
	memcpy(mac, peer, 6);
	if (p->conf == NULL || !(nbr_caps(p, peer) & NVO3_CAP_ECPDEST))
		return;
	if (p->conf->ecp_dst == ECP_DST_UNICAST) {
		*mode = ECP_DST_UNICAST;
	} else if (p->conf->ecp_dst == ECP_DST_MCAST) {
		*mode = ECP_DST_MCAST;
		memcpy(mac, p->conf->mcast, 6);
	}
}

/* ---- stations --------------------------------------------------------- */

static uint32_t
mac_hash(const uint8_t mac[6])
{
	return hash_bytes(mac, 6, 0x5eed);
}

struct nnved_station *
port_station_find(struct nnved_port *p, const uint8_t mac[6])
{
	struct hnode *n;

	HMAP_FOR_HASH(n, &p->stations, mac_hash(mac)) {
		struct nnved_station *st = HMAP_CONTAINER(n,
		    struct nnved_station, node);

		if (memcmp(st->mac, mac, 6) == 0)
			return st;
	}
	return NULL;
}

/*
 * The station for a request from mac, made on first contact.  Every MAC
 * gets a session (up to max-stations) even when no rule admits it, so
 * its requests can be refused with a VDP error it can read; a station
 * the rules do not admit never gets a VSI.
 */
static struct nnved_station *
station_get(struct nnved_port *p, const uint8_t mac[6], uint64_t now)
{
	struct nnved *d = p->d;
	struct nnved_station *st = port_station_find(p, mac);
	const struct nnved_station_conf *rule;
	struct ecp_session_cfg cfg;
	struct vdp_params v;
	char m[18];
	int rc;

	if (st != NULL)
		return st;
	if (d->nstations >= d->conf.max_stations) {
		p->ctr.rx_station_limit++;
		log_rl(&rl_station, now, LOG_LVL_WARN, "%s: station %s refused: "
		    "max-stations %u reached", p->ifname, mac_fmt(mac, m),
		    d->conf.max_stations);
		return NULL;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		log_warn("%s: station %s: out of memory", p->ifname,
		    mac_fmt(mac, m));
		return NULL;
	}
	v = port_vdp_params(p);
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.local_mac, p->ecp_sock.mac, 6);
	memcpy(cfg.peer_mac, mac, 6);
	port_ecp_dst(p, mac, &cfg.dst_mode, cfg.mcast_mac);
	cfg.r = v.r;
	cfg.rte = v.rte;
	cfg.auto_ack = 0;	/* we ACK only what passed authentication */
	cfg.pad = 1;
	cfg.queue_len = 32;
	/* stations behind one bridge hear each other's group-addressed
	 * PDUs: one sequence per port keeps each from taking another's
	 * PDU for a duplicate of its own */
	cfg.seq_src = &p->ecp_seq;
	if ((rc = ecp_session_init(&st->ecp, &cfg)) < 0) {
		log_warn("%s: ECP session for %s: %s", p->ifname,
		    mac_fmt(mac, m), strerror(-rc));
		free(st);
		return NULL;
	}
	st->port = p;
	memcpy(st->mac, mac, 6);
	nvo3_replay_init(&st->replay);
	rule = policy_station(&d->conf, p->ifname, mac);
	st->key_id = rule ? rule->key_id : -1;
	st->caps = nbr_caps(p, mac);
	st->first_seen = st->last_seen = now;
	st->ecp_timer.at = TIME_NEVER;
	st->ecp_timer.kind = NNVED_T_STATION;
	if (hmap_insert(&p->stations, &st->node, mac_hash(mac)) < 0) {
		ecp_session_fini(&st->ecp);
		free(st);
		return NULL;
	}
	d->nstations++;
	log_info("%s: station %s up (ECP %s, R %u, RTE %u%s%s)", p->ifname,
	    mac_fmt(mac, m), ecp_dst_mode_names[cfg.dst_mode], v.r, v.rte,
	    rule ? "" : "; no station rule admits it",
	    st->key_id >= 0 ? "; authentication required" : "");
	return st;
}

static void
station_free(struct nnved_station *st, uint64_t now)
{
	struct nnved_port *p = st->port;
	char m[18];

	vsi_station_gone(st, now);
	if (st->pend_listed) {
		struct nnved_station **pp = &p->d->pend_list;

		while (*pp != st)
			pp = &(*pp)->pend_next;
		*pp = st->pend_next;
	}
	timer_cancel(p->d, &st->ecp_timer);
	hmap_remove(&p->stations, &st->node);
	p->d->nstations--;
	log_info("%s: station %s down", p->ifname, mac_fmt(st->mac, m));
	ecp_session_fini(&st->ecp);
	free(st);
}

/* ---- ECP -------------------------------------------------------------- */

static void station_deliver(struct nnved_station *st, const uint8_t *ulpdu,
    size_t len, uint16_t seq, uint64_t now);

static void
station_schedule(struct nnved_station *st)
{
	timer_set(st->port->d, &st->ecp_timer,
	    ecp_session_next_deadline(&st->ecp));
}

/*
 * Carries out one batch of ECP actions: every SEND first (their data
 * lives in session buffers a later enqueue may rewrite), then DELIVER
 * (data in our receive buffer, still valid).
 */
static void
station_ecp_actions(struct nnved_station *st, struct ecp_actions *acts,
    uint64_t now)
{
	struct nnved_port *p = st->port;
	struct ecp_actions copy;
	unsigned i;
	char m[18];
	int rc;

	copy = *acts;
	acts->n = 0;
	for (i = 0; i < copy.n; i++) {
		struct ecp_action *a = &copy.a[i];

		switch (a->type) {
		case ECP_ACT_SEND:
			if ((rc = rawsock_send(&p->ecp_sock, a->data,
			    a->len)) < 0) {
				p->ctr.tx_errors++;
				log_rl(&rl_bad, now, LOG_LVL_WARN,
				    "%s: ECP send: %s", p->ifname,
				    strerror(-rc));
			} else {
				p->ctr.tx_frames++;
			}
			break;
		case ECP_ACT_TX_ERROR:
			log_info("%s: station %s: no ECP ACK after %u tries "
			    "(seq %u)", p->ifname, mac_fmt(st->mac, m),
			    (unsigned)a->tries, a->seq);
			break;
		default:
			break;
		}
	}
	for (i = 0; i < copy.n; i++)
		if (copy.a[i].type == ECP_ACT_DELIVER)
			station_deliver(st, copy.a[i].data, copy.a[i].len,
			    copy.a[i].seq, now);
	station_schedule(st);
}

static void
station_verdict(struct nnved_station *st, uint16_t seq, bool accept,
    uint64_t now)
{
	struct ecp_actions acts = { .n = 0 };

	if (accept)
		ecp_session_rx_accept(&st->ecp, now, seq, &acts);
	else
		ecp_session_rx_reject(&st->ecp, now, seq, &acts);
	station_ecp_actions(st, &acts, now);
}

/* Finds our auth Org TLV; 1 with its offset and decode, 0 none, <0 bad. */
static int
find_auth(const struct vdp_pdu *pdu, size_t *off, struct nvo3_auth *a)
{
	int i = vdp_org_next(pdu, NVO3_EXT_CID, NVO3_EXT_ST_AUTH, VDP_ORG_ANY,
	    0);

	if (i < 0)
		return 0;
	*off = pdu->org[i].off;
	return nvo3_auth_decode(pdu->org[i].data, pdu->org[i].len, a) < 0 ?
	    -EBADMSG : 1;
}

/*
 * Authentication of one ULPDU from a station whose rule names a key.
 * Returns 0 (accept), or -errno with the counter already bumped.
 */
static int
station_auth(struct nnved_station *st, const uint8_t *ulpdu, size_t len,
    const struct vdp_pdu *pdu, uint64_t now)
{
	struct nnved_port *p = st->port;
	struct nvo3_auth a;
	size_t off = 0;
	char m[18];
	int rc;

	rc = find_auth(pdu, &off, &a);
	if (rc <= 0) {
		st->ctr.auth_fail++;
		log_rl(&rl_auth, now, LOG_LVL_WARN, "%s: station %s: ULPDU %s "
		    "auth TLV, dropped", p->ifname, mac_fmt(st->mac, m),
		    rc == 0 ? "without" : "with a malformed");
		return -EPERM;
	}
	if (a.key_id != (uint16_t)st->key_id) {
		st->ctr.auth_fail++;
		log_rl(&rl_auth, now, LOG_LVL_WARN, "%s: station %s: signed "
		    "with key %u, its rule asks for key %d; dropped", p->ifname,
		    mac_fmt(st->mac, m), a.key_id, st->key_id);
		return -EPERM;
	}
	rc = nvo3_auth_verify(ulpdu, len, off, &a, p->d->keys, &st->replay,
	    NVO3_AUTH_DIR_TO_BRIDGE, st->mac);
	if (rc == -EALREADY) {
		st->ctr.auth_replay++;
		log_rl(&rl_auth, now, LOG_LVL_WARN, "%s: station %s: replayed "
		    "ULPDU (counter %llu not above %llu), dropped", p->ifname,
		    mac_fmt(st->mac, m), (unsigned long long)a.counter,
		    (unsigned long long)nvo3_replay_last(&st->replay,
		    a.key_id));
		return rc;
	}
	if (rc < 0) {
		st->ctr.auth_fail++;
		log_rl(&rl_auth, now, LOG_LVL_WARN, "%s: station %s: "
		    "authentication failed (%s), dropped", p->ifname,
		    mac_fmt(st->mac, m), rc == -EPERM ? "bad MAC" :
		    rc == -ENOKEY ? "unknown key" : strerror(-rc));
		return rc;
	}
	if (nvo3_replay_commit(&st->replay, a.key_id, a.counter) < 0) {
		st->ctr.auth_replay++;
		return -EALREADY;
	}
	st->ctr.auth_ok++;
	return 0;
}

static void
station_deliver(struct nnved_station *st, const uint8_t *ulpdu, size_t len,
    uint16_t seq, uint64_t now)
{
	static struct vdp_pdu pdu;	/* large; one thread */
	struct nnved_port *p = st->port;
	struct vdp_codec_opts o = port_codec_opts(st);
	const struct nnved_station_conf *rule;
	enum vdp_err why;
	char m[18];
	bool auth;

	st->last_seen = now;
	rule = policy_station(&p->d->conf, p->ifname, st->mac);
	st->key_id = rule ? rule->key_id : -1;
	auth = st->key_id >= 0 && (st->caps & NVO3_CAP_AUTH);

	if (vdp_pdu_decode(ulpdu, len, &o, &pdu, &why) < 0) {
		st->ctr.rx_bad_pdus++;
		log_rl(&rl_bad, now, LOG_LVL_WARN, "%s: station %s: VDP ULPDU "
		    "dropped: %s", p->ifname, mac_fmt(st->mac, m),
		    vdp_err_name(why));
		/* ECP delivered it; only an authenticating station's
		 * garbage stays unacknowledged */
		station_verdict(st, seq, !auth, now);
		return;
	}
	if (auth && station_auth(st, ulpdu, len, &pdu, now) < 0) {
		station_verdict(st, seq, false, now);
		return;
	}
	st->ctr.rx_pdus++;
	st->ctr.rx_unknown_tlvs += pdu.nunknown;
	station_verdict(st, seq, true, now);
	vsi_pdu(st, &pdu, rule, now);
}

static void	ecp_rx_burst(struct nnved_port *p);

void
port_station_timer(struct nnved_station *st, uint64_t now)
{
	struct ecp_actions acts = { .n = 0 };

	/*
	 * The ACK may be waiting in the socket while a burst of other work
	 * kept the loop from reading it: read first, then judge the timer.
	 * (Stations are freed only when the port closes, so st stays.)
	 */
	if (st->port->open) {
		ecp_rx_burst(st->port);
		now = mono_us();
	}
	if (ecp_session_tick(&st->ecp, now, &acts) >= 0)
		station_ecp_actions(st, &acts, now);
	else
		station_schedule(st);
}

/* ---- sending ------------------------------------------------------------ */

/*
 * ULPDU assembly.  The pending buffer holds VSI TLV octets already
 * encoded (their filter storage may be gone by the time we send):
 *
 *   +------------------+----------------+-----+----------------+------+
 *   | Manager ID TLV   | VSI TLV 1      | ... | auth TLV (opt) | End  |
 *   | 0a 10 + 16 octs  | pend[0..]      |     | fe 1f ac de 48 | 00 00|
 *   +------------------+----------------+-----+----------------+------+
 *
 * The auth TLV, when the station authenticates, covers every octet
 * before it (nvo3_auth_sign) and is always last.
 */
#define MGRID_TLV_LEN	(VDP_TLV_HDR_LEN + VDP_MGRID_LEN)

static bool
station_auth_on(const struct nnved_station *st)
{
	return st->key_id >= 0 && (st->caps & NVO3_CAP_AUTH);
}

static int
station_flush(struct nnved_station *st)
{
	struct nnved_port *p = st->port;
	struct nnved *d = p->d;
	struct ecp_actions acts = { .n = 0 };
	uint8_t buf[VDP_MAX_ULPDU + 2];
	uint64_t now = mono_us();
	size_t n = 0;
	int rc;

	if (st->pend_ntlv == 0)
		return 0;
	buf[n++] = VDP_TLV_MGRID << 1;
	buf[n++] = VDP_MGRID_LEN;
	memcpy(buf + n, st->pend_mgrid, VDP_MGRID_LEN);
	n += VDP_MGRID_LEN;
	memcpy(buf + n, st->pend, st->pend_len);
	n += st->pend_len;
	st->pend_len = st->pend_ntlv = 0;
	if (station_auth_on(st)) {
		struct nvo3_auth a;
		size_t off = n;

		buf[n++] = (uint8_t)(VDP_TLV_ORG << 1 |
		    (NVO3_AUTH_TLV_LEN - 2) >> 8);
		buf[n++] = (uint8_t)(NVO3_AUTH_TLV_LEN - 2);
		buf[n++] = NVO3_EXT_CID0;
		buf[n++] = NVO3_EXT_CID1;
		buf[n++] = NVO3_EXT_CID2;
		rc = nvo3_auth_sign(buf, off, d->keys, (uint16_t)st->key_id,
		    nvo3_counter_next(&d->auth_ctr), NVO3_AUTH_DIR_TO_STATION,
		    p->ecp_sock.mac, &a);
		if (rc < 0 || (rc = nvo3_auth_encode(&a, buf + n,
		    NVO3_AUTH_LEN)) < 0) {
			log_warn("%s: signing with key %d: %s", p->ifname,
			    st->key_id, strerror(-rc));
			return rc;
		}
		n += NVO3_AUTH_LEN;
	}
	buf[n++] = 0;		/* End TLV */
	buf[n++] = 0;
	rc = ecp_session_enqueue(&st->ecp, now, buf, n, 0, &acts);
	if (rc < 0) {
		p->ctr.tx_errors++;
		log_rl(&rl_bad, now, LOG_LVL_WARN, "%s: ECP queue: %s",
		    p->ifname, strerror(-rc));
		return rc;
	}
	station_ecp_actions(st, &acts, now);
	return 0;
}

void
port_flush_all(struct nnved *d)
{
	while (d->pend_list != NULL) {
		struct nnved_station *st = d->pend_list;

		d->pend_list = st->pend_next;
		st->pend_next = NULL;
		st->pend_listed = false;
		station_flush(st);
	}
}

static void
on_flush(uv_check_t *h)
{
	struct nnved *d = h->data;

	port_flush_all(d);
	timer_arm(d);
}

int
port_send_tlv(struct nnved_station *st, const uint8_t *mgrid,
    const struct vdp_vsi_tlv *tlv)
{
	static struct vdp_pdu pdu;
	struct nnved_port *p = st->port;
	struct nnved *d = p->d;
	struct vdp_codec_opts o = port_codec_opts(st);
	uint8_t buf[VDP_MAX_ULPDU + 2];
	size_t sz, room;
	bool multi = (st->caps & NVO3_CAP_MULTI_TLV) != 0;
	int n;

	memset(&pdu, 0, sizeof(pdu));
	memcpy(pdu.mgrid, mgrid, VDP_MGRID_LEN);
	pdu.nvsi = 1;
	pdu.vsi[0] = *tlv;
	if ((n = vdp_pdu_encode(&pdu, &o, buf, sizeof(buf))) < 0) {
		log_warn("%s: VDP encode: %s", p->ifname, strerror(-n));
		return n;
	}
	sz = vdp_vsi_tlv_size(tlv, &o);
	room = VDP_MAX_ULPDU - MGRID_TLV_LEN -
	    (station_auth_on(st) ? NVO3_AUTH_TLV_LEN : 0);
	if (sz == 0 || sz > room || MGRID_TLV_LEN + sz > (size_t)n)
		return -EMSGSIZE;
	if (st->pend_ntlv > 0 &&
	    (memcmp(st->pend_mgrid, mgrid, VDP_MGRID_LEN) != 0 ||
	    st->pend_len + sz > room || st->pend_ntlv >= VDP_MAX_VSI))
		station_flush(st);
	memcpy(st->pend_mgrid, mgrid, VDP_MGRID_LEN);
	memcpy(st->pend + st->pend_len, buf + MGRID_TLV_LEN, sz);
	st->pend_len += (uint16_t)sz;
	st->pend_ntlv++;
	if (!multi)
		return station_flush(st);
	if (!st->pend_listed) {
		st->pend_listed = true;
		st->pend_next = d->pend_list;
		d->pend_list = st;
	}
	return 0;
}

/* ---- LLDP --------------------------------------------------------------- */

static void
port_send_lldp(struct nnved_port *p, int acts)
{
	uint8_t buf[1500];
	int n, rc;

	if ((n = lldp_agent_tx_frame(&p->agent, acts, buf, sizeof(buf))) <= 0) {
		if (n < 0)
			log_warn("%s: LLDP encode: %s", p->ifname,
			    strerror(-n));
		return;
	}
	if ((rc = rawsock_send(&p->lldp_sock, buf, (size_t)n)) < 0)
		log_warn("%s: LLDP send: %s", p->ifname, strerror(-rc));
	else
		p->ctr.lldp_tx++;
}

static void
port_lldp_events(struct nnved_port *p, int acts, uint64_t now)
{
	struct vdp_params v;
	struct hmap_iter it;
	struct hnode *n;
	char m[18], caps[96];

	if (acts < 0)
		return;
	port_send_lldp(p, acts);
	if (acts & LLDP_ACT_PEER_LOST)
		log_info("%s: LLDP neighbour lost (%s)", p->ifname,
		    lldp_lost_reason_name(p->agent.lost));
	if (!(acts & (LLDP_ACT_PEER_UP | LLDP_ACT_PEER_CHANGED)))
		return;
	if (!nbr_update(p, now))
		return;		/* several stations alternating: no news */
	v = port_vdp_params(p);
	nvo3_caps_format(nbr_caps(p, p->agent.peer.src), caps, sizeof(caps));
	log_info("%s: LLDP neighbour %s: EVB %s, R %u RTE %u RWD %u RKA %u, "
	    "GroupID %s, extensions %s", p->ifname,
	    mac_fmt(p->agent.peer.src, m),
	    p->agent.oper.peer_ok ? "agreed" : "not usable", v.r, v.rte, v.rwd,
	    v.rka, p->agent.oper.gid ? "yes" : "no", caps);
	hmap_iter_init(&p->stations, &it);
	while ((n = hmap_iter_next(&p->stations, &it)) != NULL) {
		struct nnved_station *st = HMAP_CONTAINER(n,
		    struct nnved_station, node);
		enum ecp_dst_mode mode;
		uint8_t mac[6];

		ecp_session_set_params(&st->ecp, v.r, v.rte);
		port_ecp_dst(p, st->mac, &mode, mac);
		ecp_session_set_dst(&st->ecp, mode, mac);
	}
}

void
port_lldp_timer(struct nnved_port *p, uint64_t now)
{
	port_lldp_events(p, lldp_agent_tick(&p->agent, now), now);
	timer_set(p->d, &p->lldp_timer, lldp_agent_next(&p->agent));
}

static void
on_lldp(uv_poll_t *h, int status, int events)
{
	struct nnved_port *p = h->data;
	uint8_t buf[2048];
	ssize_t n;
	int i;

	(void)events;
	if (status < 0)
		return;
	for (i = 0; i < RX_BURST &&
	    (n = rawsock_recv(&p->lldp_sock, buf, sizeof(buf))) > 0; i++) {
		uint64_t now = mono_us();
		int acts = lldp_agent_rx(&p->agent, buf, (size_t)n, now);

		if (acts < 0) {
			p->ctr.lldp_bad++;
			log_rl(&rl_bad, now, LOG_LVL_INFO, "%s: LLDP frame "
			    "dropped: %s", p->ifname, strerror(-acts));
			continue;
		}
		p->ctr.lldp_rx++;
		port_lldp_events(p, acts, now);
	}
	timer_set(p->d, &p->lldp_timer, lldp_agent_next(&p->agent));
	timer_arm(p->d);
}

/* Reads and handles the ECP frames waiting on the port (a burst). */
static void
ecp_rx_burst(struct nnved_port *p)
{
	static uint8_t buf[2048];
	struct ecp_frame f;
	enum ecp_derr why;
	ssize_t n;
	int i;

	for (i = 0; i < RX_BURST &&
	    (n = rawsock_recv(&p->ecp_sock, buf, sizeof(buf))) > 0; i++) {
		struct ecp_actions acts = { .n = 0 };
		struct nnved_station *st;
		uint64_t now = mono_us();
		char m[18];
		int rc;

		p->ctr.rx_frames++;
		if (ecp_frame_decode(buf, (size_t)n, &f, &why) < 0) {
			p->ctr.rx_bad++;
			log_rl(&rl_bad, now, LOG_LVL_WARN, "%s: ECP frame from "
			    "%s dropped: %s", p->ifname, (size_t)n >= 12 ?
			    mac_fmt(buf + 6, m) : "?", ecp_derr_names[why]);
			continue;
		}
		if (f.op == ECP_OP_REQ)
			st = station_get(p, f.src, now);
		else
			st = port_station_find(p, f.src);
		if (st == NULL)
			continue;
		if ((rc = ecp_session_rx_frame(&st->ecp, now, &f, &acts)) < 0)
			log_rl(&rl_bad, now, LOG_LVL_WARN, "%s: station %s: "
			    "ECP: %s", p->ifname, mac_fmt(f.src, m),
			    strerror(-rc));
		station_ecp_actions(st, &acts, now);
	}
	timer_arm(p->d);
}

static void
on_ecp(uv_poll_t *h, int status, int events)
{
	(void)events;
	if (status < 0)
		return;
	ecp_rx_burst(h->data);
}

/* ---- ports ------------------------------------------------------------- */

static int
port_open(struct nnved *d, struct nnved_port *p)
{
	struct lldp_agent_config acfg;
	uint64_t now = mono_us();
	int rc;

	if ((rc = rawsock_open(&p->lldp_sock, p->ifname, ETH_P_LLDP_)) < 0 ||
	    (rc = rawsock_open(&p->ecp_sock, p->ifname, ETH_P_ECP22)) < 0) {
		log_warn("%s: cannot open: %s", p->ifname, strerror(-rc));
		return rc;
	}
	lldp_agent_config_default(&acfg, EVB_ROLE_BRIDGE, p->lldp_sock.mac);
	acfg.evb.r = d->conf.r;
	acfg.evb.rte = d->conf.rte;
	acfg.evb.rwd = d->conf.rwd;
	acfg.evb.rka = d->conf.rka;
	acfg.evb.gid = true;
	acfg.evb.caps = d->conf.caps;
	if (p->conf && p->conf->ecp_dst != ECP_DST_GROUP &&
	    (d->conf.caps & NVO3_CAP_ECPDEST)) {
		acfg.has_ecpdest = true;
		if (p->conf->ecp_dst == ECP_DST_UNICAST) {
			acfg.ecpdest.kind = NVO3_ECPDEST_UNICAST;
			memcpy(acfg.ecpdest.mac, p->ecp_sock.mac, 6);
		} else {
			acfg.ecpdest.kind = NVO3_ECPDEST_MCAST;
			memcpy(acfg.ecpdest.mac, p->conf->mcast, 6);
		}
		if (p->conf->ecp_dst == ECP_DST_MCAST &&
		    (rc = rawsock_join(&p->ecp_sock, p->conf->mcast)) < 0)
			log_warn("%s: joining the ECP multicast group: %s",
			    p->ifname, strerror(-rc));
	}
	if ((rc = lldp_agent_init(&p->agent, &acfg)) < 0) {
		log_warn("%s: LLDP agent: %s", p->ifname, strerror(-rc));
		return rc;
	}
	if ((rc = hmap_init(&p->stations, 16)) < 0)
		return rc;
	p->lldp_poll.data = p;
	p->ecp_poll.data = p;
	uv_poll_init(&d->loop.uv, &p->lldp_poll, p->lldp_sock.fd);
	uv_poll_init(&d->loop.uv, &p->ecp_poll, p->ecp_sock.fd);
	uv_poll_start(&p->lldp_poll, UV_READABLE, on_lldp);
	uv_poll_start(&p->ecp_poll, UV_READABLE, on_ecp);
	p->open = true;
	port_lldp_events(p, lldp_agent_start(&p->agent, now), now);
	timer_set(d, &p->lldp_timer, lldp_agent_next(&p->agent));
	log_info("%s: VDP bridge port up (domain %s, MAC %s)", p->ifname,
	    p->dom ? p->dom->name : "-", mac_fmt(p->lldp_sock.mac,
	    (char[18]){ 0 }));
	return 0;
}

int
port_open_all(struct nnved *d)
{
	int rc, opened = 0;

	for (unsigned i = 0; i < d->nports; i++) {
		struct nnved_port *p = &d->ports[i];

		p->lldp_timer.at = TIME_NEVER;
		p->lldp_timer.kind = NNVED_T_PORT;
		if ((rc = port_open(d, p)) == 0)
			opened++;
	}
	if (d->nports > 0 && opened == 0)
		return -ENODEV;
	uv_check_init(&d->loop.uv, &d->flush);
	d->flush.data = d;
	uv_check_start(&d->flush, on_flush);
	return 0;
}

void
port_close_all(struct nnved *d)
{
	uint64_t now = mono_us();

	port_flush_all(d);
	if (uv_is_active((uv_handle_t *)&d->flush))
		uv_check_stop(&d->flush);
	for (unsigned i = 0; i < d->nports; i++) {
		struct nnved_port *p = &d->ports[i];
		struct hmap_iter it;
		struct hnode *n;

		if (!p->open)
			continue;
		port_lldp_events(p, lldp_agent_stop(&p->agent, now), now);
		hmap_iter_init(&p->stations, &it);
		while ((n = hmap_iter_next(&p->stations, &it)) != NULL)
			station_free(HMAP_CONTAINER(n, struct nnved_station,
			    node), now);
		hmap_fini(&p->stations);
		timer_cancel(d, &p->lldp_timer);
		uv_poll_stop(&p->lldp_poll);
		uv_poll_stop(&p->ecp_poll);
		uv_close((uv_handle_t *)&p->lldp_poll, NULL);
		uv_close((uv_handle_t *)&p->ecp_poll, NULL);
		rawsock_close(&p->lldp_sock);
		rawsock_close(&p->ecp_sock);
		p->open = false;
	}
}
