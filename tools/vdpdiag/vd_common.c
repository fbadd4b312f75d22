/*
 * vd_common.c - what both vdpdiag roles share: ECP sessions per peer MAC,
 * carrying out ECP actions, encoding a VSI TLV into a ULPDU, the single
 * deadline timer, and text for VSI TLVs.  Runs in vdpdiag's one thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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
	cfg.auto_ack = 1;	/* no authentication in vdpdiag */
	if ((rc = ecp_session_init(&vd->sess[freei].ecp, &cfg)) < 0) {
		log_warn("ECP session for %s: %s", mac_fmt(peer, m),
		    strerror(-rc));
		return NULL;
	}
	vd->sess[freei].used = true;
	memcpy(vd->sess[freei].peer, peer, 6);
	log_info("ECP session with %s (R %u, RTE %u)", mac_fmt(peer, m),
	    p.r, p.rte);
	return &vd->sess[freei];
}

static void vd_ecp_action(struct vd *, struct vd_session *,
    struct ecp_action *);

static void
deliver(struct vd *vd, struct vd_session *s, const uint8_t *ulpdu,
    size_t len)
{
	static struct vdp_pdu pdu;	/* large; one thread */
	struct vdp_codec_opts o = vd_codec_opts(vd);
	enum vdp_err why;
	char m[18];

	if (vdp_pdu_decode(ulpdu, len, &o, &pdu, &why) < 0) {
		vd->drops++;
		log_warn("VDP from %s dropped: %s", mac_fmt(s->peer, m),
		    vdp_err_name(why));
		return;
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
			deliver(vd, s, a->data, a->len);
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

int
vd_send_tlv(struct vd *vd, struct vd_session *s, const uint8_t *mgrid,
    const struct vdp_vsi_tlv *tlv)
{
	static struct vdp_pdu pdu;
	struct vdp_codec_opts o = vd_codec_opts(vd);
	struct ecp_actions acts = { .n = 0 };
	uint8_t buf[VDP_MAX_ULPDU + 2];
	int n, rc;

	memset(&pdu, 0, sizeof(pdu));
	memcpy(pdu.mgrid, mgrid, VDP_MGRID_LEN);
	pdu.nvsi = 1;
	pdu.vsi[0] = *tlv;
	if ((n = vdp_pdu_encode(&pdu, &o, buf, sizeof(buf))) < 0) {
		log_warn("VDP encode: %s", strerror(-n));
		return n;
	}
	rc = ecp_session_enqueue(&s->ecp, mono_us(), buf, (size_t)n, 0, &acts);
	if (rc < 0) {
		log_warn("ECP enqueue: %s", strerror(-rc));
		return rc;
	}
	vd_ecp_actions(vd, s, &acts);
	return 0;
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
