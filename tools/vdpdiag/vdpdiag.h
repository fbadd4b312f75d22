/*
 * vdpdiag.h - shared state of vdpdiag, the VDP diagnostic peer.
 *
 * vdpdiag plays one VDP role on one port with the protocol library:
 * a station that runs a short script of requests (to test a bridge such
 * as lldpad, or later nnved), or a bridge that answers every station on
 * the port from a VID range (to test a station such as lldpad/vdptool).
 * It is the library's interop harness and the demo's peer, not a daemon:
 * no config file, no control socket, one port.  With --key it also runs
 * our HMAC authentication extension (lib/ext/ext_auth.c) once the peer
 * agreed it: every ULPDU signed, every ULPDU verified before ECP ACKs it.
 */
#ifndef VDPDIAG_H
#define VDPDIAG_H

#include <stdbool.h>
#include <stdint.h>

#include "ecp/ecp.h"
#include "ext/ext.h"
#include "ext/nvo3_ext_codes.h"
#include "lldp/lldp.h"
#include "loop/loop.h"
#include "net/rawsock.h"
#include "vdp/vdp.h"
#include "vdp/vdp_sm.h"

#define VD_MAX_SESSIONS	16
#define VD_MAX_VSI	256
#define VD_MAX_STEPS	16

enum vd_role { VD_STATION, VD_BRIDGE };

/* Authentication outcomes of one peer (vd_common.c). */
struct vd_auth_counters {
	uint64_t	 ok;		/* verified, committed, ACKed */
	uint64_t	 missing;	/* no auth TLV of ours */
	uint64_t	 bad_mac;	/* -EPERM: wrong secret, dir or sender */
	uint64_t	 unknown_key;	/* -ENOKEY */
	uint64_t	 replay;	/* -EALREADY (verify or commit) */
	uint64_t	 malformed;	/* bad TLV, not last, unknown alg */
	uint64_t	 not_agreed;	/* refused: --key but no agreement */
	uint64_t	 signed_tx;	/* ULPDUs we signed */
};

struct vd_session {
	bool		 used;
	uint8_t		 peer[6];
	struct ecp_session ecp;
	/* kept as long as the session slot: the life of the process */
	struct nvo3_replay replay;
	struct vd_auth_counters auth;
};

/* Station script step: a VDP request, or a hold of n milliseconds. */
struct vd_step {
	uint8_t		 mode;		/* VDP_TLV_*, 0 = hold */
	uint8_t		 hints;		/* VDP_ST_MBIT / VDP_ST_SBIT */
	uint32_t	 hold_ms;
};

struct vd_vsi {
	bool		 used;
	int		 sess;
	uint8_t		 mgrid[VDP_MGRID_LEN];
	struct vdp_br	 br;
	uint16_t	 vid;		/* VID we assigned, 0 none */
	uint32_t	 keepalives;
};

struct vd {
	enum vd_role	 role;
	const char	*ifname;
	struct sn_loop	 loop;
	struct rawsock	 lldp_sock, ecp_sock;
	uv_poll_t	 lldp_poll, ecp_poll;
	struct sn_deadline timer;
	struct lldp_agent agent;
	struct evb_config evb;
	bool		 peer_seen;
	uint64_t	 start_us, stop_at;

	struct vd_session sess[VD_MAX_SESSIONS];
	uint64_t	 drops;		/* frames that failed to decode */

	/* authentication (--key): keys != NULL means "wanted" */
	struct nvo3_keytab *keys;
	uint16_t	 key_id;	/* the key we sign with (first --key) */
	struct nvo3_counter auth_ctr;
	bool		 auth_refused;	/* station: peer did not agree */

	/* station */
	struct vdp_sta	 sta;
	struct vdp_vsi_tlv req;
	struct vdp_filter filters[VDP_SM_MAX_FILTERS];
	uint8_t		 mgrid[VDP_MGRID_LEN];
	struct vd_step	 steps[VD_MAX_STEPS];
	int		 nsteps, step;
	bool		 started;	/* script begun (EVB heard or waited) */
	bool		 step_running;
	uint64_t	 evb_wait_us, hold_until;
	uint64_t	 retry_at;	/* first request again, or NEVER */
	int		 start_tries;	/* left for the first request */
	int		 failures;

	/* bridge */
	struct vd_vsi	 vsi[VD_MAX_VSI];
	uint16_t	 vid_lo, vid_hi;
	uint32_t	 reject_typeid;
	uint8_t		 reject_code;
	bool		 reject_set;
};

/* vd_common.c */
struct vdp_params vd_params(const struct vd *vd);
struct vd_session *vd_session(struct vd *vd, const uint8_t peer[6], bool create);
void	vd_ecp_actions(struct vd *vd, struct vd_session *s,
	    struct ecp_actions *acts);
int	vd_send_tlv(struct vd *vd, struct vd_session *s, const uint8_t *mgrid,
	    const struct vdp_vsi_tlv *tlv);
void	vd_format_tlv(const struct vdp_vsi_tlv *t, char *buf, size_t sz);
struct vdp_codec_opts vd_codec_opts(const struct vd *vd);
void	vd_schedule(struct vd *vd);
bool	vd_auth_agreed(const struct vd *vd);
void	vd_auth_print(const struct vd *vd);

/* vd_station.c */
int	vd_station_start(struct vd *vd);
struct vd_session *vd_station_session(struct vd *vd);
void	vd_station_pdu(struct vd *vd, struct vd_session *s,
	    const struct vdp_pdu *pdu);
void	vd_station_tick(struct vd *vd, uint64_t now);
uint64_t vd_station_deadline(const struct vd *vd);
void	vd_station_tx_error(struct vd *vd);

/* vd_bridge.c */
void	vd_bridge_pdu(struct vd *vd, struct vd_session *s,
	    const struct vdp_pdu *pdu);
void	vd_bridge_tick(struct vd *vd, uint64_t now);
uint64_t vd_bridge_deadline(const struct vd *vd);
void	vd_bridge_print(const struct vd *vd);

#endif /* VDPDIAG_H */
