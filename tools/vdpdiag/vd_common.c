/*
 * vd_common.c - what both vdpdiag roles share: ECP sessions per peer MAC,
 * carrying out ECP actions, encoding a VSI TLV into a ULPDU, the single
 * deadline timer, text for VSI TLVs, and our authentication extension on
 * both paths.  Runs in vdpdiag's one thread.
 *
 * Authentication (--key, docs/nvo3-vdp-extensions.md section 8): with a
 * key configured every ECP session runs in verdict mode (no auto-ACK).
 * A delivered ULPDU is decoded, its auth TLV found and verified for our
 * direction and the frame's source MAC against the session's replay
 * state; only then is the counter committed and the PDU accepted (ECP
 * sends the ACK) and handed to the role.  Anything else is rejected: no
 * ACK, a rate-limited log line, a counter.  Every ULPDU we send carries
 * an auth TLV last, signed over the octets before it.  Without an
 * agreement with the peer nothing is sent or accepted.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ext/ext.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mtime.h"
#include "vdpdiag.h"

struct vdp_params
vd_params(const struct vd *vd)
{
	struct vdp_params p;
	const struct evb_oper *o = &vd->agent.oper;

	memset(&p, 0, sizeof(p));
	if (o->peer_ok) {
		p.r = o->r;
		p.rte = o->rte;
		p.rwd = o->rwd;
		p.rka = o->rka;
	} else {
		p.r = vd->evb.r;
		p.rte = vd->evb.rte;
		p.rwd = vd->evb.rwd;
		p.rka = vd->evb.rka;
	}
	p.deactivate_ok = (vd->agent.caps & NVO3_CAP_DEACTIVATE) != 0;
	return p;
}

struct vdp_codec_opts
vd_codec_opts(const struct vd *vd)
{
	struct vdp_codec_opts o;

	memset(&o, 0, sizeof(o));
	/* GroupIDs need BGID and SGID; before any peer, trust our config. */
	o.group_ids = vd->agent.oper.peer ? vd->agent.oper.gid : vd->evb.gid;
	o.ip_filters = (vd->agent.caps & NVO3_CAP_IPFILTER) != 0;
	o.vni_groupid = (vd->agent.caps & NVO3_CAP_VNI_GROUPID) != 0;
	return o;
}

struct vd_session *
vd_session(struct vd *vd, const uint8_t peer[6], bool create)
{
	struct ecp_session_cfg cfg;
	struct vdp_params p;
	char m[18];
	int i, freei = -1, rc;

	for (i = 0; i < VD_MAX_SESSIONS; i++) {
		if (vd->sess[i].used && memcmp(vd->sess[i].peer, peer, 6) == 0)
			return &vd->sess[i];
		if (!vd->sess[i].used && freei < 0)
			freei = i;
	}
	if (!create)
		return NULL;
	if (freei < 0) {
		log_warn("no room for ECP peer %s", mac_fmt(peer, m));
		return NULL;
	}
	p = vd_params(vd);
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.local_mac, vd->ecp_sock.mac, 6);
	memcpy(cfg.peer_mac, peer, 6);
	cfg.dst_mode = ECP_DST_GROUP;
	cfg.r = p.r;
	cfg.rte = p.rte;
	/* with a key, ACK only what authenticated (vd_auth_check) */
	cfg.auto_ack = vd->keys == NULL;
	if ((rc = ecp_session_init(&vd->sess[freei].ecp, &cfg)) < 0) {
		log_warn("ECP session for %s: %s", mac_fmt(peer, m),
		    strerror(-rc));
		return NULL;
	}
	vd->sess[freei].used = true;
	memcpy(vd->sess[freei].peer, peer, 6);
	nvo3_replay_init(&vd->sess[freei].replay);
	memset(&vd->sess[freei].auth, 0, sizeof(vd->sess[freei].auth));
	log_info("ECP session with %s (R %u, RTE %u)", mac_fmt(peer, m),
	    p.r, p.rte);
	return &vd->sess[freei];
}

static void vd_ecp_action(struct vd *, struct vd_session *,
    struct ecp_action *);

bool
vd_auth_agreed(const struct vd *vd)
{
	return vd->keys != NULL && (vd->agent.caps & NVO3_CAP_AUTH) != 0;
}

static uint8_t
dir_rx(const struct vd *vd)
{
	return vd->role == VD_STATION ? NVO3_AUTH_DIR_TO_STATION :
	    NVO3_AUTH_DIR_TO_BRIDGE;
}

static uint8_t
dir_tx(const struct vd *vd)
{
	return vd->role == VD_STATION ? NVO3_AUTH_DIR_TO_BRIDGE :
	    NVO3_AUTH_DIR_TO_STATION;
}

/* The first Org TLV of ours with the auth subtype, or NULL. */
static const struct vdp_org_tlv *
auth_tlv(const struct vdp_pdu *pdu)
{
	int i = vdp_org_next(pdu, NVO3_EXT_CID, NVO3_EXT_ST_AUTH, VDP_ORG_ANY,
	    0);

	return i < 0 ? NULL : &pdu->org[i];
}

/*
 * Verifies one delivered ULPDU (decoded into pdu) and commits its counter.
 * Returns 0 when the PDU may be accepted, else -errno with the failure
 * counted and logged.
 */
static int
vd_auth_check(struct vd *vd, struct vd_session *s, const struct ecp_action *a,
    const struct vdp_pdu *pdu)
{
	static struct log_rl rl = LOG_RL_INIT(5 * USEC_PER_SEC, 10);
	struct vd_auth_counters *c = &s->auth;
	const struct vdp_org_tlv *o;
	struct nvo3_auth au;
	const char *what;
	char m[18];
	int rc;

	if (!vd_auth_agreed(vd)) {
		c->not_agreed++;
		rc = -EPERM;
		what = "peer did not agree authentication";
		goto refuse;
	}
	if ((o = auth_tlv(pdu)) == NULL) {
		c->missing++;
		rc = -ENOMSG;
		what = "no auth TLV";
		goto refuse;
	}
	rc = nvo3_auth_decode(o->data, o->len, &au);
	if (rc == 0)
		rc = nvo3_auth_verify(a->data, a->len, o->off, &au, vd->keys,
		    &s->replay, dir_rx(vd), a->peer);
	if (rc == 0)
		rc = nvo3_replay_commit(&s->replay, au.key_id, au.counter);
	switch (rc) {
	case 0:
		c->ok++;
		return 0;
	case -EPERM:
		c->bad_mac++;
		what = "bad MAC";
		break;
	case -ENOKEY:
		c->unknown_key++;
		what = "unknown key id";
		break;
	case -EALREADY:
		c->replay++;
		what = "replayed counter";
		break;
	default:
		c->malformed++;
		what = "malformed auth TLV";
		break;
	}
refuse:
	log_rl(&rl, mono_us(), LOG_LVL_WARN, "auth: ULPDU seq %u from %s "
	    "refused: %s (%s)", a->seq, mac_fmt(a->peer, m), what,
	    strerror(-rc));
	return rc;
}

/* Gives the verdict on the PDU a DELIVER announced and sends its ACK. */
static void
verdict(struct vd *vd, struct vd_session *s, uint16_t seq, bool accept)
{
	struct ecp_actions acts = { .n = 0 };
	int rc;

	rc = accept ? ecp_session_rx_accept(&s->ecp, mono_us(), seq, &acts) :
	    ecp_session_rx_reject(&s->ecp, mono_us(), seq, &acts);
	if (rc < 0)
		log_warn("ECP verdict on seq %u: %s", seq, strerror(-rc));
	vd_ecp_actions(vd, s, &acts);
}

static void
deliver(struct vd *vd, struct vd_session *s, const struct ecp_action *a)
{
	static struct vdp_pdu pdu;	/* large; one thread */
	struct vdp_codec_opts o = vd_codec_opts(vd);
	bool judge = !s->ecp.cfg.auto_ack;
	enum vdp_err why;
	char m[18];

	if (vdp_pdu_decode(a->data, a->len, &o, &pdu, &why) < 0) {
		vd->drops++;
		log_warn("VDP from %s dropped: %s", mac_fmt(a->peer, m),
		    vdp_err_name(why));
		if (judge)
			verdict(vd, s, a->seq, false);
		return;
	}
	if (judge) {
		if (vd_auth_check(vd, s, a, &pdu) < 0) {
			verdict(vd, s, a->seq, false);
			return;
		}
		verdict(vd, s, a->seq, true);
	}
	if (vd->role == VD_STATION)
		vd_station_pdu(vd, s, &pdu);
	else
		vd_bridge_pdu(vd, s, &pdu);
}

/*
 * Carries out one batch of ECP actions.  SEND data lives in the session,
 * so every SEND goes out before any DELIVER can make VDP enqueue (and the
 * session rebuild its buffers); DELIVER data points into our receive
 * buffer, which stays valid meanwhile.
 */
void
vd_ecp_actions(struct vd *vd, struct vd_session *s, struct ecp_actions *acts)
{
	for (unsigned i = 0; i < acts->n; i++) {
		struct ecp_action *a = &acts->a[i];

		if (a->type == ECP_ACT_DELIVER)
			continue;
		vd_ecp_action(vd, s, a);
	}
	for (unsigned i = 0; i < acts->n; i++)
		if (acts->a[i].type == ECP_ACT_DELIVER)
			vd_ecp_action(vd, s, &acts->a[i]);
	acts->n = 0;
}

static void
vd_ecp_action(struct vd *vd, struct vd_session *s, struct ecp_action *a)
{
	int rc;

		switch (a->type) {
		case ECP_ACT_SEND:
			if ((rc = rawsock_send(&vd->ecp_sock, a->data, a->len)) < 0)
				log_warn("ECP send: %s", strerror(-rc));
			break;
		case ECP_ACT_DELIVER:
			deliver(vd, s, a);
			break;
		case ECP_ACT_TX_DONE:
			break;
		case ECP_ACT_TX_ERROR:
			log_warn("ECP: no ACK after %u tries (seq %u)",
			    (unsigned)a->tries, a->seq);
			if (vd->role == VD_STATION)
				vd_station_tx_error(vd);
			break;
		default:
			break;
		}
}

/*
 * Signs an encoded ULPDU in place: buf/n ends with the placeholder auth
 * TLV, then (normally) the End TLV.
 */
static int
sign_ulpdu(struct vd *vd, uint8_t *buf, size_t n)
{
	struct nvo3_auth a;
	size_t off;
	int rc;

	off = n - NVO3_AUTH_TLV_LEN;
	if (n >= NVO3_AUTH_TLV_LEN + 2 && buf[n - 1] == 0 && buf[n - 2] == 0)
		off -= 2;			/* End TLV */
	if (buf[off] != (VDP_TLV_ORG << 1) ||
	    buf[off + 1] != 3 + NVO3_AUTH_LEN ||
	    buf[off + 5] != NVO3_EXT_ST_AUTH)
		return -EPROTO;			/* not where the encoder put it */
	rc = nvo3_auth_sign(buf, off, vd->keys, vd->key_id,
	    nvo3_counter_next(&vd->auth_ctr), dir_tx(vd), vd->ecp_sock.mac, &a);
	if (rc < 0)
		return rc;
	rc = nvo3_auth_encode(&a, buf + off + 5, NVO3_AUTH_LEN);
	return rc < 0 ? rc : 0;
}

int
vd_send_tlv(struct vd *vd, struct vd_session *s, const uint8_t *mgrid,
    const struct vdp_vsi_tlv *tlv)
{
	static struct vdp_pdu pdu;
	static const uint8_t placeholder[NVO3_AUTH_LEN] = { NVO3_EXT_ST_AUTH };
	struct vdp_codec_opts o = vd_codec_opts(vd);
	struct ecp_actions acts = { .n = 0 };
	uint8_t buf[VDP_MAX_ULPDU + 2];
	int n, rc;

	if (vd->keys != NULL && !vd_auth_agreed(vd)) {
		log_warn("not sending: the peer did not agree authentication");
		s->auth.not_agreed++;
		return -EPERM;
	}
	memset(&pdu, 0, sizeof(pdu));
	memcpy(pdu.mgrid, mgrid, VDP_MGRID_LEN);
	pdu.nvsi = 1;
	pdu.vsi[0] = *tlv;
	if (vd->keys != NULL) {
		/* the auth TLV goes last: after the last VSI TLV's Org TLVs */
		pdu.org[0].oui = NVO3_EXT_CID;
		pdu.org[0].data = placeholder;
		pdu.org[0].len = NVO3_AUTH_LEN;
		pdu.org[0].after = (int16_t)(pdu.nvsi - 1);
		pdu.norg = 1;
	}
	if ((n = vdp_pdu_encode(&pdu, &o, buf, sizeof(buf))) < 0) {
		log_warn("VDP encode: %s", strerror(-n));
		return n;
	}
	if (vd->keys != NULL) {
		if ((rc = sign_ulpdu(vd, buf, (size_t)n)) < 0) {
			log_warn("auth: cannot sign: %s", strerror(-rc));
			return rc;
		}
		s->auth.signed_tx++;
	}
	rc = ecp_session_enqueue(&s->ecp, mono_us(), buf, (size_t)n, 0, &acts);
	if (rc < 0) {
		log_warn("ECP enqueue: %s", strerror(-rc));
		return rc;
	}
	vd_ecp_actions(vd, s, &acts);
	return 0;
}

/*
 * Authentication counters at exit: one line per peer, as a table (the
 * bridge) or one summary line (the station, which has one peer).
 */
void
vd_auth_print(const struct vd *vd)
{
	struct vd_auth_counters t;
	char m[18];

	if (vd->keys == NULL)
		return;
	memset(&t, 0, sizeof(t));
	if (vd->role == VD_BRIDGE)
		printf("%-17s %8s %8s %8s %8s %8s %8s %8s %8s\n", "AUTH-PEER",
		    "OK", "MISSING", "BAD-MAC", "BAD-KEY", "REPLAY",
		    "MALFORM", "NOAGREE", "SIGNED");
	for (int i = 0; i < VD_MAX_SESSIONS; i++) {
		const struct vd_auth_counters *c = &vd->sess[i].auth;

		if (!vd->sess[i].used)
			continue;
		if (vd->role == VD_BRIDGE)
			printf("%-17s %8llu %8llu %8llu %8llu %8llu %8llu "
			    "%8llu %8llu\n", mac_fmt(vd->sess[i].peer, m),
			    (unsigned long long)c->ok,
			    (unsigned long long)c->missing,
			    (unsigned long long)c->bad_mac,
			    (unsigned long long)c->unknown_key,
			    (unsigned long long)c->replay,
			    (unsigned long long)c->malformed,
			    (unsigned long long)c->not_agreed,
			    (unsigned long long)c->signed_tx);
		t.ok += c->ok;
		t.missing += c->missing;
		t.bad_mac += c->bad_mac;
		t.unknown_key += c->unknown_key;
		t.replay += c->replay;
		t.malformed += c->malformed;
		t.not_agreed += c->not_agreed;
		t.signed_tx += c->signed_tx;
	}
	printf("auth total ok=%llu failed=%llu missing=%llu bad_mac=%llu "
	    "unknown_key=%llu replay=%llu malformed=%llu not_agreed=%llu "
	    "signed=%llu\n", (unsigned long long)t.ok,
	    (unsigned long long)(t.missing + t.bad_mac + t.unknown_key +
	    t.replay + t.malformed + t.not_agreed),
	    (unsigned long long)t.missing, (unsigned long long)t.bad_mac,
	    (unsigned long long)t.unknown_key, (unsigned long long)t.replay,
	    (unsigned long long)t.malformed, (unsigned long long)t.not_agreed,
	    (unsigned long long)t.signed_tx);
	fflush(stdout);
}

void
vd_format_tlv(const struct vdp_vsi_tlv *t, char *buf, size_t sz)
{
	char id[VDP_VSIID_STRLEN], m[18];
	size_t o;

	vdp_vsiid_fmt(t->vsiid_fmt, t->vsiid, id, sizeof(id));
	o = (size_t)snprintf(buf, sz, "mode=%s status=0x%02x typeid=%u "
	    "typeidver=%u vsiid=%s filter", vdp_mode_name(t->mode), t->status,
	    t->type_id, t->type_ver, id);
	for (unsigned i = 0; i < t->nfilter && o < sz; i++) {
		struct vdp_filter f;

		vdp_filter_at(t, i, &f);
		o += (size_t)snprintf(buf + o, sz - o, "%s%u", i ? "," : "=",
		    f.vid | (f.ps ? VDP_VID_PS : 0) |
		    (unsigned)f.pcp << VDP_VID_PCP_SHIFT);
		if (t->ffmt == VDP_FIF_MAC_VID || t->ffmt >= VDP_FIF_GROUP_MAC_VID)
			o += (size_t)snprintf(buf + o, o < sz ? sz - o : 0,
			    "-%s", mac_fmt(f.mac, m));
		else if (t->ffmt == VDP_FIF_GROUP_VID)
			o += (size_t)snprintf(buf + o, o < sz ? sz - o : 0, "-");
		if (t->ffmt >= VDP_FIF_GROUP_VID)
			o += (size_t)snprintf(buf + o, o < sz ? sz - o : 0,
			    "-%u", f.group);
	}
}

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Arms the one timer for the earliest deadline of every machine. */
void
vd_schedule(struct vd *vd)
{
	uint64_t d = lldp_agent_next(&vd->agent);

	for (int i = 0; i < VD_MAX_SESSIONS; i++)
		if (vd->sess[i].used)
			d = min64(d, ecp_session_next_deadline(&vd->sess[i].ecp));
	if (vd->role == VD_STATION)
		d = min64(d, vd_station_deadline(vd));
	else
		d = min64(d, vd_bridge_deadline(vd));
	d = min64(d, vd->stop_at);
	sn_deadline_set(&vd->timer, d);
}
