/*
 * vd_station.c - vdpdiag's station role: one VSI, a script of requests.
 *
 * Waits (bounded) for the bridge's EVB TLV so ECP and VDP run on the
 * negotiated timers, then walks the script: each request goes through
 * the library's station machine (lib/vdp/vdp_station.c) and its outcome
 * is printed on stdout as one "result" line; holds keep the association
 * alive with the machine's keep-alives.  With --key it refuses to start
 * unless the bridge agreed authentication.  Exit status: 0 when every
 * request was confirmed as asked, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/hex.h"
#include "util/log.h"
#include "util/mtime.h"
#include "vdpdiag.h"

static const uint8_t ncb[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 };

/*
 * One bridge per port, so one ECP session, always keyed by the group
 * address: keying it by the bridge's MAC once LLDP names it would start a
 * second session with fresh sequence numbers under a request in flight.
 */
struct vd_session *
vd_station_session(struct vd *vd)
{
	return vd_session(vd, ncb, true);
}

static void
next_step(struct vd *vd, uint64_t now)
{
	struct vd_step *st;
	int rc;

	while (vd->step < vd->nsteps) {
		st = &vd->steps[vd->step];
		if (st->mode == 0) {
			if (vd->hold_until == TIME_NEVER) {
				vd->hold_until = now + st->hold_ms * USEC_PER_MSEC;
				printf("hold %u ms\n", st->hold_ms);
				fflush(stdout);
				return;
			}
			if (now < vd->hold_until)
				return;
			vd->hold_until = TIME_NEVER;
			vd->step++;
			continue;
		}
		vd->req.mode = st->mode;
		vd->req.status = st->hints;
		vd->sta.par = vd_params(vd);
		rc = vdp_sta_request(&vd->sta, now, &vd->req);
		if (rc == -EBUSY) {
			/* a keep-alive is in flight: ask again once it ends */
			vd->retry_at = now + 20 * USEC_PER_MSEC;
			return;
		}
		if (rc < 0) {
			printf("result %s refused-locally error=%s\n",
			    vdp_mode_name(st->mode), strerror(-rc));
			fflush(stdout);
			vd->failures++;
			vd->step++;
			continue;
		}
		vd->step_running = true;
		return;
	}
	sn_loop_stop(&vd->loop);
}

static void
drain(struct vd *vd, uint64_t now)
{
	struct vdp_sta_action a;
	struct vd_session *s;
	char txt[512];

	while (vdp_sta_next_action(&vd->sta, &a)) {
		if (a.kind == VDP_SA_SEND) {
			if ((s = vd_station_session(vd)) != NULL)
				vd_send_tlv(vd, s, vd->mgrid, &a.tlv);
			continue;
		}
		vd_format_tlv(&a.tlv, txt, sizeof(txt));
		printf("result %s note=%s reason=%s code=%u (%s)%s %s\n",
		    vd->step < vd->nsteps ?
		    vdp_mode_name(vd->steps[vd->step].mode) : "-",
		    vdp_sta_note_names[a.note], vdp_sta_reason_names[a.reason],
		    a.code, vdp_rsp_name(a.code),
		    a.vid_assigned ? " vid-assigned" : "", txt);
		fflush(stdout);
		if (!vd->step_running) {
			/* unsolicited: the bridge ended our VSI */
			log_info("VSI ended by the bridge (%s)",
			    vdp_sta_reason_names[a.reason]);
			continue;
		}
		vd->step_running = false;
		/*
		 * lldpad (and any bridge) starts ECP only once it has built
		 * its EVB TLV after hearing ours, so the very first request
		 * can meet a deaf port: try it again, a second apart.
		 */
		if (vd->step == 0 && a.reason == VDP_SR_TX_ERROR &&
		    vd->start_tries-- > 0) {
			log_info("bridge not answering yet; first request "
			    "again in 1 s");
			vd->retry_at = now + USEC_PER_SEC;
			continue;
		}
		if (a.reason != VDP_SR_OK ||
		    (vd->steps[vd->step].mode == VDP_TLV_DEASSOC) !=
		    (a.note == VDP_SN_DEASSOCIATED))
			vd->failures++;
		vd->step++;
		next_step(vd, now);
	}
}

int
vd_station_start(struct vd *vd)
{
	struct vdp_params p = vd_params(vd);

	vdp_sta_init(&vd->sta, &p);
	vd->hold_until = TIME_NEVER;
	vd->retry_at = TIME_NEVER;
	vd->start_tries = 5;
	vd->step = 0;
	return 0;
}

void
vd_station_pdu(struct vd *vd, struct vd_session *s, const struct vdp_pdu *pdu)
{
	uint64_t now = mono_us();

	(void)s;
	if (memcmp(pdu->mgrid, vd->mgrid, VDP_MGRID_LEN) != 0) {
		log_info("VDP for another manager ID ignored");
		return;
	}
	for (unsigned i = 0; i < pdu->nvsi; i++) {
		const struct vdp_vsi_tlv *t = &pdu->vsi[i];
		int rc;

		if (t->err != VDP_E_NONE || !vdp_vsi_same(t, &vd->req)) {
			log_info("VDP TLV for another VSI ignored (%s)",
			    vdp_err_name(t->err));
			continue;
		}
		rc = vdp_sta_rx(&vd->sta, now, t);
		if (rc < 0)
			log_info("station machine: %s (state %s)",
			    strerror(-rc), vdp_sta_state_names[vd->sta.state]);
		drain(vd, now);
	}
}

void
vd_station_tx_error(struct vd *vd)
{
	uint64_t now = mono_us();

	if (vdp_sta_tx_error(&vd->sta, now) == 0)
		drain(vd, now);
}

void
vd_station_tick(struct vd *vd, uint64_t now)
{
	if (!vd->started) {
		/* still waiting for the bridge's EVB TLV? */
		if (!vd->peer_seen && now < vd->start_us + vd->evb_wait_us)
			return;
		if (!vd->peer_seen)
			log_warn("no EVB TLV from a bridge; using our own timers");
		vd->started = true;
		if (vd->keys != NULL && !vd_auth_agreed(vd)) {
			/* never fall back to unauthenticated VDP */
			log_err("--key given but the bridge did not agree "
			    "authentication (NVO3 caps 0x%02x); refusing to "
			    "start", vd->agent.caps);
			vd->auth_refused = true;
			sn_loop_stop(&vd->loop);
			return;
		}
		next_step(vd, now);
		drain(vd, now);
		return;
	}
	if (vd->retry_at <= now) {
		vd->retry_at = TIME_NEVER;
		next_step(vd, now);
		drain(vd, now);
		return;
	}
	if (vdp_sta_tick(&vd->sta, now) > 0)
		drain(vd, now);
	if (!vd->step_running && vd->hold_until != TIME_NEVER &&
	    now >= vd->hold_until) {
		next_step(vd, now);
		drain(vd, now);
	}
}

uint64_t
vd_station_deadline(const struct vd *vd)
{
	uint64_t d = vdp_sta_deadline(&vd->sta);

	if (!vd->started && !vd->peer_seen) {
		uint64_t w = vd->start_us + vd->evb_wait_us;

		d = d < w ? d : w;
	}
	if (vd->hold_until < d)
		d = vd->hold_until;
	if (vd->retry_at < d)
		d = vd->retry_at;
	return d;
}
