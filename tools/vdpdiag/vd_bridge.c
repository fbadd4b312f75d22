/*
 * vd_bridge.c - vdpdiag's bridge role: answers every station on the port.
 *
 * One library bridge machine (lib/vdp/vdp_bridge.c) per (station, manager
 * ID, VSI).  The resource decision is a stand-in for nnved's policy: a
 * request with VID 0 gets a VID from the configured range (one per
 * GroupID, so every VSI of a VN shares its tag; one per VSI otherwise),
 * a configured VSI type ID is refused with a configured code, and
 * everything else is granted as asked.  Every event is logged on stderr;
 * the VSI table is printed on stdout when vdpdiag stops.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/hex.h"
#include "util/log.h"
#include "util/mtime.h"
#include "vdpdiag.h"

/* VID users: a GroupID (VN) or a single VSI, with a reference count. */
struct vid_use {
	uint32_t	group;		/* 0: owned by one VSI */
	unsigned	refs;
};
static struct vid_use vids[4096];

static uint16_t
vid_get(struct vd *vd, uint32_t group)
{
	if (group) {
		for (unsigned v = vd->vid_lo; v <= vd->vid_hi; v++)
			if (vids[v].refs && vids[v].group == group) {
				vids[v].refs++;
				return (uint16_t)v;
			}
	}
	for (unsigned v = vd->vid_lo; v <= vd->vid_hi; v++)
		if (vids[v].refs == 0) {
			vids[v].group = group;
			vids[v].refs = 1;
			return (uint16_t)v;
		}
	return 0;
}

static void
vid_put(uint16_t vid)
{
	if (vid && vids[vid].refs)
		vids[vid].refs--;
}

static struct vd_vsi *
vsi_find(struct vd *vd, int sess, const uint8_t *mgrid,
    const struct vdp_vsi_tlv *t, bool create)
{
	struct vd_vsi *freev = NULL;

	for (int i = 0; i < VD_MAX_VSI; i++) {
		struct vd_vsi *v = &vd->vsi[i];

		if (!v->used) {
			if (!freev)
				freev = v;
			continue;
		}
		if (v->sess == sess &&
		    memcmp(v->mgrid, mgrid, VDP_MGRID_LEN) == 0 &&
		    (vdp_vsi_same(&v->br.req, t) || vdp_vsi_same(&v->br.conf, t)))
			return v;
	}
	if (!create || !freev)
		return NULL;
	memset(freev, 0, sizeof(*freev));
	freev->used = true;
	freev->sess = sess;
	memcpy(freev->mgrid, mgrid, VDP_MGRID_LEN);
	return freev;
}

static void
decide(struct vd *vd, struct vd_vsi *v, const struct vdp_br_action *a,
    uint64_t now)
{
	struct vdp_filter f[VDP_SM_MAX_FILTERS];
	struct vdp_br_result res;
	const struct vdp_vsi_tlv *t = &a->tlv;
	char txt[512];
	int rc;

	memset(&res, 0, sizeof(res));
	vd_format_tlv(t, txt, sizeof(txt));
	if (vd->reject_set && t->type_id == vd->reject_typeid) {
		res.code = vd->reject_code;
		log_info("refuse %s: code %u (%s)", txt, res.code,
		    vdp_rsp_name(res.code));
	} else {
		uint16_t vid = v->vid;

		res.nfilter = t->nfilter;
		for (unsigned i = 0; i < t->nfilter && i < VDP_SM_MAX_FILTERS; i++) {
			vdp_filter_at(t, i, &f[i]);
			if (f[i].vid != 0)
				continue;
			if (vid == 0)
				vid = vid_get(vd, f[i].group);
			if (vid == 0) {
				res.code = VDP_RSP_NO_RESOURCES;
				break;
			}
			f[i].vid = vid;
		}
		if (res.code == 0) {
			v->vid = vid;
			res.filters = f;
			log_info("grant %s%s%s", txt,
			    a->hints & VDP_ST_MBIT ? " (M: migrating in)" : "",
			    a->hints & VDP_ST_SBIT ? " (S: migrating out)" : "");
		} else {
			log_info("refuse %s: VID range %u-%u exhausted", txt,
			    vd->vid_lo, vd->vid_hi);
		}
	}
	if ((rc = vdp_br_resource(&v->br, now, &res)) < 0)
		log_warn("bridge machine refused the answer: %s", strerror(-rc));
}

static void
drain(struct vd *vd, struct vd_vsi *v, uint64_t now)
{
	struct vdp_br_action a;
	char txt[512];

	while (vdp_br_next_action(&v->br, &a)) {
		switch (a.kind) {
		case VDP_BA_SEND:
			vd_format_tlv(&a.tlv, txt, sizeof(txt));
			log_info("send %s", txt);
			vd_send_tlv(vd, &vd->sess[v->sess], v->mgrid, &a.tlv);
			break;
		case VDP_BA_RESOURCE_REQUEST:
			decide(vd, v, &a, now);
			break;
		case VDP_BA_RESOURCE_CANCEL:
		default:
			break;
		case VDP_BA_RELEASE:
			vd_format_tlv(&a.tlv, txt, sizeof(txt));
			log_info("release %s", txt);
			vid_put(v->vid);
			v->vid = 0;
			break;
		}
	}
	if (v->br.state == VDP_BRS_END) {
		vid_put(v->vid);
		v->used = false;
	}
}

static void
reply_stateless(struct vd *vd, struct vd_session *s, const uint8_t *mgrid,
    const struct vdp_vsi_tlv *rsp)
{
	char txt[512];

	vd_format_tlv(rsp, txt, sizeof(txt));
	log_info("send %s", txt);
	vd_send_tlv(vd, s, mgrid, rsp);
}

void
vd_bridge_pdu(struct vd *vd, struct vd_session *s, const struct vdp_pdu *pdu)
{
	uint64_t now = mono_us();
	int sess = (int)(s - vd->sess);

	for (unsigned i = 0; i < pdu->nvsi; i++) {
		const struct vdp_vsi_tlv *t = &pdu->vsi[i];
		struct vdp_vsi_tlv rsp;
		struct vd_vsi *v;
		char txt[512];
		int rc;

		vd_format_tlv(t, txt, sizeof(txt));
		if (t->err != VDP_E_NONE) {
			log_warn("invalid VSI TLV (%s): %s", vdp_err_name(t->err),
			    txt);
			if (vdp_br_reject_reply(t, VDP_RSP_INVALID_FORMAT, &rsp) == 0)
				reply_stateless(vd, s, pdu->mgrid, &rsp);
			continue;
		}
		v = vsi_find(vd, sess, pdu->mgrid, t, t->mode != VDP_TLV_DEASSOC);
		if (v == NULL) {
			if (t->mode == VDP_TLV_DEASSOC &&
			    vdp_br_unknown_deassoc_reply(t, &rsp) == 0) {
				log_info("de-associate for unknown VSI: %s", txt);
				reply_stateless(vd, s, pdu->mgrid, &rsp);
			} else if (vdp_br_reject_reply(t, VDP_RSP_NO_RESOURCES,
			    &rsp) == 0) {
				log_warn("VSI table full: %s", txt);
				reply_stateless(vd, s, pdu->mgrid, &rsp);
			}
			continue;
		}
		if (v->br.state == VDP_BRS_INIT && v->br.conf_mode == 0 &&
		    v->br.req.mode == 0) {
			struct vdp_params p = vd_params(vd);

			vdp_br_init(&v->br, &p);
		}
		if (v->br.conf_mode != 0 && t->mode == v->br.conf_mode) {
			v->keepalives++;
			log_debug("keep-alive %s", txt);
		} else {
			log_info("request %s", txt);
		}
		rc = vdp_br_rx(&v->br, now, t);
		if (rc < 0)
			log_info("bridge machine: %s (state %s)", strerror(-rc),
			    vdp_br_state_names[v->br.state]);
		if (rc < 0 && v->br.state == VDP_BRS_INIT &&
		    v->br.conf_mode == 0) {
			/* refused before it began: do not keep the slot */
			v->used = false;
			continue;
		}
		drain(vd, v, now);
	}
}

void
vd_bridge_tick(struct vd *vd, uint64_t now)
{
	for (int i = 0; i < VD_MAX_VSI; i++) {
		struct vd_vsi *v = &vd->vsi[i];
		char txt[512];

		if (!v->used || vdp_br_deadline(&v->br) > now)
			continue;
		if (vdp_br_tick(&v->br, now) > 0) {
			vd_format_tlv(&v->br.conf, txt, sizeof(txt));
			if (v->br.state == VDP_BRS_END ||
			    v->br.qlen > 0)
				log_info("timer: %s (state %s)", txt,
				    vdp_br_state_names[v->br.state]);
		}
		drain(vd, v, now);
	}
}

uint64_t
vd_bridge_deadline(const struct vd *vd)
{
	uint64_t d = TIME_NEVER;

	for (int i = 0; i < VD_MAX_VSI; i++)
		if (vd->vsi[i].used && vdp_br_deadline(&vd->vsi[i].br) < d)
			d = vdp_br_deadline(&vd->vsi[i].br);
	return d;
}

void
vd_bridge_print(const struct vd *vd)
{
	printf("%-17s %-36s %-12s %-10s %5s %s\n", "STATION", "VSIID", "MODE",
	    "STATE", "VID", "KEEPALIVES");
	for (int i = 0; i < VD_MAX_VSI; i++) {
		const struct vd_vsi *v = &vd->vsi[i];
		char id[VDP_VSIID_STRLEN], m[18];

		if (!v->used)
			continue;
		vdp_vsiid_fmt(v->br.conf.vsiid_fmt ? v->br.conf.vsiid_fmt :
		    v->br.req.vsiid_fmt, v->br.conf.vsiid_fmt ?
		    v->br.conf.vsiid : v->br.req.vsiid, id, sizeof(id));
		printf("%-17s %-36s %-12s %-10s %5u %u\n",
		    mac_fmt(vd->sess[v->sess].peer, m), id,
		    v->br.conf_mode ? vdp_mode_name(v->br.conf_mode) : "-",
		    vdp_br_state_names[v->br.state], v->vid, v->keepalives);
	}
	fflush(stdout);
}
