/*
 * vdpdiag.c - main of vdpdiag: options, sockets, LLDP agent, event loop.
 *
 * One thread, one libuv loop (lib/loop): two AF_PACKET sockets (LLDP and
 * ECP) on one port, one deadline timer for every machine.  The roles live
 * in vd_station.c and vd_bridge.c; ECP sessions and encoding in
 * vd_common.c.  Exit status: 0 success, 1 a request failed (station) or
 * the bridge did not agree authentication asked with --key, 2 usage or
 * start-up error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ext/ext.h"
#include "ext/nvo3_ext_codes.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mtime.h"
#include "vdpdiag.h"

static struct vd vd;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: vdpdiag station -i IFNAME [options] STEP...\n"
"       vdpdiag bridge  -i IFNAME [options]\n"
"\n"
"Plays one VDP22 role on IFNAME with the splitnve protocol library.\n"
"\n"
"STEP (station): preassoc | preassoc-rr | assoc | deassoc, each optionally\n"
"    followed by :to (M-bit) or :from (S-bit); or hold=MS to keep the\n"
"    association alive for MS milliseconds.  One \"result\" line per\n"
"    request goes to stdout.\n"
"\n"
"Common options:\n"
"  -i, --interface IF     port to use (required)\n"
"  -v, --verbose          debug logging (every keep-alive)\n"
"      --standard         offer no NVO3 extension (plain 802.1Q peer)\n"
"      --retries R        ECP retries (0-7, default 3)\n"
"      --rte N            ECP ack timer exponent (default 8: 2.56 ms)\n"
"      --rwd N            resource wait exponent (default 20: 10.5 s)\n"
"      --rka N            keep-alive exponent (default 20: 10.5 s)\n"
"      --no-gid           do not offer GroupID support\n"
"      --for MS           stop after MS milliseconds\n"
"      --key ID:HEX       HMAC key (32-64 octets in hex) for our authentication\n"
"                         extension; repeat for more key ids (the first signs).\n"
"                         Offers authentication and refuses peers that do not\n"
"                         agree it; without --key it is not offered\n"
"Station options:\n"
"      --mgrid TEXT       manager ID, up to 16 characters (default mgr1)\n"
"      --typeid N --typeidver N   VSI type (default 1, 1)\n"
"      --uuid UUID        VSI ID (format UUID; required)\n"
"      --filter F         VID | VID-MAC | VID--GROUP | VID-MAC-GROUP;\n"
"                         repeat for more entries (VID 0 = bridge assigns)\n"
"      --evb-wait MS      wait this long for the bridge's EVB TLV (3000)\n"
"Bridge options:\n"
"      --vids LO-HI       VIDs to assign for VID 0 requests (100-199)\n"
"      --reject-typeid N  refuse this VSI type ID ...\n"
"      --reject-code C    ... with this VDP response code (default 2)\n");
}

static int
parse_u(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	if (errno || *end || end == s || *out > max)
		return -EINVAL;
	return 0;
}

/* lldpad's filter syntax: VID[-MAC[-GROUP]] or VID--GROUP. */
static int
parse_filter(const char *s, struct vdp_filter *f, uint8_t *ffmt)
{
	char buf[64], *mac, *grp = NULL;
	unsigned long v;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	memset(f, 0, sizeof(*f));
	if ((mac = strchr(buf, '-')) != NULL) {
		*mac++ = '\0';
		if ((grp = strchr(mac, '-')) != NULL)
			*grp++ = '\0';
	}
	if (parse_u(buf, 0xffff, &v) < 0)
		return -EINVAL;
	f->vid = v & VDP_VID_MASK;
	f->pcp = (v & VDP_VID_PCP_MASK) >> VDP_VID_PCP_SHIFT;
	f->ps = (v & VDP_VID_PS) != 0;
	if (mac && *mac && mac_parse(mac, f->mac) < 0)
		return -EINVAL;
	if (grp) {
		if (parse_u(grp, 0xffffffff, &v) < 0 || v == 0)
			return -EINVAL;
		f->group = (uint32_t)v;
	}
	if (!mac)
		*ffmt = VDP_FIF_VID;
	else if (!grp)
		*ffmt = VDP_FIF_MAC_VID;
	else if (!*mac)
		*ffmt = VDP_FIF_GROUP_VID;
	else
		*ffmt = VDP_FIF_GROUP_MAC_VID;
	return 0;
}

static int
parse_step(const char *s, struct vd_step *st)
{
	static const struct { const char *name; uint8_t mode; } modes[] = {
		{ "preassoc", VDP_TLV_PREASSOC },
		{ "preassoc-rr", VDP_TLV_PREASSOC_RR },
		{ "assoc", VDP_TLV_ASSOC },
		{ "deassoc", VDP_TLV_DEASSOC },
	};
	char buf[32], *hint;
	unsigned long ms;

	memset(st, 0, sizeof(*st));
	if (strncmp(s, "hold=", 5) == 0)
		return parse_u(s + 5, 3600000, &ms) < 0 ? -EINVAL :
		    (st->hold_ms = (uint32_t)ms, 0);
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if ((hint = strchr(buf, ':')) != NULL) {
		*hint++ = '\0';
		if (strcmp(hint, "to") == 0)
			st->hints = VDP_ST_MBIT;
		else if (strcmp(hint, "from") == 0)
			st->hints = VDP_ST_SBIT;
		else
			return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(buf, modes[i].name) == 0) {
			st->mode = modes[i].mode;
			return 0;
		}
	return -EINVAL;
}

static void
send_lldp(int acts)
{
	uint8_t buf[1500];
	int n, rc;

	if ((n = lldp_agent_tx_frame(&vd.agent, acts, buf, sizeof(buf))) <= 0) {
		if (n < 0)
			log_warn("LLDP encode: %s", strerror(-n));
		return;
	}
	if ((rc = rawsock_send(&vd.lldp_sock, buf, (size_t)n)) < 0)
		log_warn("LLDP send: %s", strerror(-rc));
}

static void
lldp_events(int acts)
{
	struct vdp_params p;
	char m[18];

	if (acts < 0)
		return;
	send_lldp(acts);
	if (!(acts & (LLDP_ACT_PEER_UP | LLDP_ACT_PEER_CHANGED | LLDP_ACT_PEER_LOST)))
		return;
	if (acts & LLDP_ACT_PEER_LOST) {
		log_info("LLDP neighbour lost (%s)",
		    lldp_lost_reason_name(vd.agent.lost));
		return;
	}
	p = vd_params(&vd);
	log_info("LLDP neighbour %s: EVB %s R %u RTE %u RWD %u RKA %u, "
	    "GroupID %s, NVO3 caps 0x%02x", mac_fmt(vd.agent.peer.src, m),
	    vd.agent.oper.peer_ok ? "agreed" : "not usable", p.r, p.rte, p.rwd,
	    p.rka, vd.agent.oper.gid ? "yes" : "no", vd.agent.caps);
	vd.peer_seen = vd.agent.oper.peer_ok;
	for (int i = 0; i < VD_MAX_SESSIONS; i++)
		if (vd.sess[i].used)
			ecp_session_set_params(&vd.sess[i].ecp, p.r, p.rte);
	if (vd.role == VD_STATION)
		vd.sta.par = p;
	if (vd.keys != NULL)
		log_info("authentication %s with %s",
		    vd_auth_agreed(&vd) ? "agreed" : "NOT agreed",
		    mac_fmt(vd.agent.peer.src, m));
	if (vd.role == VD_STATION && vd.keys != NULL && vd.started &&
	    !vd_auth_agreed(&vd) && !vd.auth_refused) {
		log_err("the bridge no longer agrees authentication; stopping");
		vd.auth_refused = true;
		sn_loop_stop(&vd.loop);
	}
}

/* --key ID:HEX */
static int
parse_key(const char *s)
{
	unsigned long id;
	char buf[8];
	const char *colon = strchr(s, ':');
	size_t n;

	if (colon == NULL || (n = (size_t)(colon - s)) == 0 ||
	    n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (parse_u(buf, 0xffff, &id) < 0)
		return -EINVAL;
	if (vd.keys == NULL) {
		if ((vd.keys = nvo3_keytab_new()) == NULL)
			return -ENOMEM;
		vd.key_id = (uint16_t)id;
	}
	return nvo3_keytab_set_hex(vd.keys, (uint16_t)id, colon + 1);
}

static void
on_timer(struct sn_deadline *d, void *arg)
{
	uint64_t now = mono_us();
	struct ecp_actions acts;

	(void)d;
	(void)arg;
	if (now >= vd.stop_at) {
		log_info("run time over");
		sn_loop_stop(&vd.loop);
		return;
	}
	lldp_events(lldp_agent_tick(&vd.agent, now));
	for (int i = 0; i < VD_MAX_SESSIONS; i++) {
		if (!vd.sess[i].used ||
		    ecp_session_next_deadline(&vd.sess[i].ecp) > now)
			continue;
		acts.n = 0;
		if (ecp_session_tick(&vd.sess[i].ecp, now, &acts) >= 0)
			vd_ecp_actions(&vd, &vd.sess[i], &acts);
	}
	if (vd.role == VD_STATION)
		vd_station_tick(&vd, now);
	else
		vd_bridge_tick(&vd, now);
	if (!vd.loop.stopping)
		vd_schedule(&vd);
}

static void
on_lldp(uv_poll_t *h, int status, int events)
{
	uint8_t buf[2048];
	ssize_t n;

	(void)h;
	(void)events;
	if (status < 0)
		return;
	while ((n = rawsock_recv(&vd.lldp_sock, buf, sizeof(buf))) > 0) {
		int acts = lldp_agent_rx(&vd.agent, buf, (size_t)n, mono_us());

		if (acts < 0)
			log_debug("LLDP frame dropped: %s", strerror(-acts));
		lldp_events(acts);
	}
	if (vd.role == VD_STATION)
		vd_station_tick(&vd, mono_us());
	vd_schedule(&vd);
}

static void
on_ecp(uv_poll_t *h, int status, int events)
{
	static uint8_t buf[2048];
	struct ecp_frame f;
	enum ecp_derr why;
	ssize_t n;

	(void)h;
	(void)events;
	if (status < 0)
		return;
	while ((n = rawsock_recv(&vd.ecp_sock, buf, sizeof(buf))) > 0) {
		struct ecp_actions acts = { .n = 0 };
		struct vd_session *s;
		char m[18];
		int rc;

		if ((rc = ecp_frame_decode(buf, (size_t)n, &f, &why)) < 0) {
			vd.drops++;
			log_warn("ECP frame dropped: %s", ecp_derr_names[why]);
			continue;
		}
		if (vd.role == VD_STATION) {
			/* the one bridge on this port */
			s = vd_station_session(&vd);
		} else {
			s = vd_session(&vd, f.src, f.op == ECP_OP_REQ);
		}
		if (s == NULL) {
			log_debug("ECP ACK from unknown peer %s",
			    mac_fmt(f.src, m));
			continue;
		}
		if ((rc = ecp_session_rx_frame(&s->ecp, mono_us(), &f, &acts)) < 0)
			log_warn("ECP: %s", strerror(-rc));
		vd_ecp_actions(&vd, s, &acts);
	}
	vd_schedule(&vd);
}

static void
on_stop(void *arg)
{
	(void)arg;
	lldp_events(lldp_agent_stop(&vd.agent, mono_us()));
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "standard", no_argument, NULL, 1 },
		{ "retries", required_argument, NULL, 2 },
		{ "rte", required_argument, NULL, 3 },
		{ "rwd", required_argument, NULL, 4 },
		{ "rka", required_argument, NULL, 5 },
		{ "no-gid", no_argument, NULL, 6 },
		{ "for", required_argument, NULL, 7 },
		{ "mgrid", required_argument, NULL, 8 },
		{ "typeid", required_argument, NULL, 9 },
		{ "typeidver", required_argument, NULL, 10 },
		{ "uuid", required_argument, NULL, 11 },
		{ "filter", required_argument, NULL, 12 },
		{ "evb-wait", required_argument, NULL, 13 },
		{ "vids", required_argument, NULL, 14 },
		{ "reject-typeid", required_argument, NULL, 15 },
		{ "reject-code", required_argument, NULL, 16 },
		{ "key", required_argument, NULL, 17 },
		{ NULL, 0, NULL, 0 },
	};
	struct lldp_agent_config acfg;
	unsigned long v, w;
	bool have_uuid = false;
	const char *mgrid = "mgr1";
	uint64_t run_ms = 0;
	uint8_t ffmt = 0;
	int c, rc, verbose = 0, status;
	bool standard = false;
	struct timespec wall;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "station") == 0)
		vd.role = VD_STATION;
	else if (strcmp(argv[1], "bridge") == 0)
		vd.role = VD_BRIDGE;
	else {
		fprintf(stderr, "vdpdiag: unknown role '%s' (station or bridge)\n",
		    argv[1]);
		return 2;
	}
	argc--;
	argv++;
	evb_config_default(&vd.evb, vd.role == VD_STATION ? EVB_ROLE_STATION :
	    EVB_ROLE_BRIDGE);
	vd.evb.gid = true;
	vd.evb.caps = NVO3_CAP_ALL;
	vd.vid_lo = 100;
	vd.vid_hi = 199;
	vd.reject_code = VDP_RSP_NO_RESOURCES;
	vd.evb_wait_us = 3 * USEC_PER_SEC;
	vd.req.type_id = 1;
	vd.req.type_ver = 1;
	vd.req.vsiid_fmt = VDP_VSIID_UUID;

	while ((c = getopt_long(argc, argv, "i:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': vd.ifname = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		case 1: standard = true; break;
		case 2: if (parse_u(optarg, 7, &v)) goto bad; vd.evb.r = (uint8_t)v; break;
		case 3: if (parse_u(optarg, 31, &v)) goto bad; vd.evb.rte = (uint8_t)v; break;
		case 4: if (parse_u(optarg, 31, &v)) goto bad; vd.evb.rwd = (uint8_t)v; break;
		case 5: if (parse_u(optarg, 31, &v)) goto bad; vd.evb.rka = (uint8_t)v; break;
		case 6: vd.evb.gid = false; break;
		case 7: if (parse_u(optarg, 86400000, &v)) goto bad; run_ms = v; break;
		case 8:
			if (strlen(optarg) > VDP_MGRID_LEN) goto bad;
			mgrid = optarg;
			break;
		case 9: if (parse_u(optarg, 0xffffff, &v)) goto bad; vd.req.type_id = (uint32_t)v; break;
		case 10: if (parse_u(optarg, 255, &v)) goto bad; vd.req.type_ver = (uint8_t)v; break;
		case 11:
			if (vdp_uuid_parse(optarg, vd.req.vsiid) < 0) goto bad;
			have_uuid = true;
			break;
		case 12: {
			uint8_t fmt;

			if (vd.req.nfilter >= VDP_SM_MAX_FILTERS ||
			    parse_filter(optarg, &vd.filters[vd.req.nfilter], &fmt) < 0 ||
			    (ffmt && fmt != ffmt))
				goto bad;
			ffmt = fmt;
			vd.req.nfilter++;
			break;
		}
		case 13: if (parse_u(optarg, 600000, &v)) goto bad; vd.evb_wait_us = v * USEC_PER_MSEC; break;
		case 14:
			if (sscanf(optarg, "%lu-%lu", &v, &w) != 2 || v < 1 ||
			    w > 4094 || v > w)
				goto bad;
			vd.vid_lo = (uint16_t)v;
			vd.vid_hi = (uint16_t)w;
			break;
		case 15: if (parse_u(optarg, 0xffffff, &v)) goto bad; vd.reject_typeid = (uint32_t)v; vd.reject_set = true; break;
		case 16: if (parse_u(optarg, 15, &v) || v == 0) goto bad; vd.reject_code = (uint8_t)v; break;
		case 17:
			if (parse_key(optarg) < 0) {
				/* never echo the secret */
				fprintf(stderr, "vdpdiag: invalid --key (want "
				    "ID:HEX, 32-64 octets, at most %d ids)\n",
				    NVO3_KEYTAB_MAX);
				goto usage_err;
			}
			break;
		default:
			usage(stderr);
			goto usage_err;
		}
		continue;
bad:
		fprintf(stderr, "vdpdiag: invalid value '%s' for option %s\n",
		    optarg, argv[optind - 1]);
		goto usage_err;
	}
	if (!vd.ifname) {
		fprintf(stderr, "vdpdiag: -i IFNAME is required\n");
		goto usage_err;
	}
	if (standard && vd.keys != NULL) {
		fprintf(stderr, "vdpdiag: --key needs the NVO3 capability TLV "
		    "(not --standard)\n");
		goto usage_err;
	}
	/* Authentication is offered exactly when we hold a key. */
	if (standard)
		vd.evb.caps = 0;
	else if (vd.keys != NULL)
		vd.evb.caps |= NVO3_CAP_AUTH;
	else
		vd.evb.caps &= ~NVO3_CAP_AUTH;
	if (vd.keys != NULL) {
		clock_gettime(CLOCK_REALTIME, &wall);
		nvo3_counter_init(&vd.auth_ctr, (uint64_t)wall.tv_sec *
		    USEC_PER_SEC + (uint64_t)wall.tv_nsec / 1000);
	}
	if (vd.role == VD_STATION) {
		if (!have_uuid || vd.req.nfilter == 0) {
			fprintf(stderr, "vdpdiag: station needs --uuid and --filter\n");
			goto usage_err;
		}
		if (optind >= argc) {
			fprintf(stderr, "vdpdiag: station needs at least one STEP\n");
			goto usage_err;
		}
		for (; optind < argc; optind++) {
			if (vd.nsteps >= VD_MAX_STEPS ||
			    parse_step(argv[optind], &vd.steps[vd.nsteps]) < 0) {
				fprintf(stderr, "vdpdiag: bad step '%s'\n",
				    argv[optind]);
				goto usage_err;
			}
			vd.nsteps++;
		}
		vd.req.ffmt = ffmt;
		vd.req.filters = vd.filters;
		memcpy(vd.mgrid, mgrid, strlen(mgrid));
	} else if (optind < argc) {
		fprintf(stderr, "vdpdiag: bridge takes no steps\n");
		goto usage_err;
	}

	log_init("vdpdiag", 0, verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if ((rc = rawsock_open(&vd.lldp_sock, vd.ifname, 0x88cc)) < 0 ||
	    (rc = rawsock_open(&vd.ecp_sock, vd.ifname, ETH_P_ECP22)) < 0) {
		fprintf(stderr, "vdpdiag: %s: %s\n", vd.ifname, strerror(-rc));
		goto usage_err;
	}
	lldp_agent_config_default(&acfg, vd.evb.role, vd.lldp_sock.mac);
	acfg.evb = vd.evb;
	if ((rc = lldp_agent_init(&vd.agent, &acfg)) < 0) {
		fprintf(stderr, "vdpdiag: LLDP agent: %s\n", strerror(-rc));
		goto usage_err;
	}
	if ((rc = sn_loop_init(&vd.loop)) < 0)
		fatal("event loop: %s", uv_strerror(rc));
	vd.loop.on_stop = on_stop;
	sn_deadline_init(&vd.loop, &vd.timer, on_timer, NULL);
	uv_poll_init(&vd.loop.uv, &vd.lldp_poll, vd.lldp_sock.fd);
	uv_poll_init(&vd.loop.uv, &vd.ecp_poll, vd.ecp_sock.fd);
	uv_poll_start(&vd.lldp_poll, UV_READABLE, on_lldp);
	uv_poll_start(&vd.ecp_poll, UV_READABLE, on_ecp);

	vd.start_us = mono_us();
	vd.stop_at = run_ms ? vd.start_us + run_ms * USEC_PER_MSEC : TIME_NEVER;
	log_info("%s on %s: R %u RTE %u RWD %u RKA %u, NVO3 caps 0x%02x",
	    vd.role == VD_STATION ? "station" : "bridge", vd.ifname, vd.evb.r,
	    vd.evb.rte, vd.evb.rwd, vd.evb.rka, vd.evb.caps);
	if (vd.role == VD_STATION)
		vd_station_start(&vd);
	lldp_events(lldp_agent_start(&vd.agent, vd.start_us));
	vd_schedule(&vd);
	sn_loop_run(&vd.loop);

	if (vd.role == VD_BRIDGE)
		vd_bridge_print(&vd);
	vd_auth_print(&vd);
	for (int i = 0; i < VD_MAX_SESSIONS; i++) {
		if (!vd.sess[i].used)
			continue;
		struct ecp_counters *k = &vd.sess[i].ecp.ctr;
		log_info("ECP counters: tx %llu retrans %llu errors %llu, "
		    "rx %llu dups %llu rejects %llu busy %llu decode-errors %llu",
		    (unsigned long long)k->tx_pdus,
		    (unsigned long long)k->tx_retrans,
		    (unsigned long long)k->tx_errors,
		    (unsigned long long)k->rx_pdus,
		    (unsigned long long)k->rx_dups,
		    (unsigned long long)k->rx_rejects,
		    (unsigned long long)k->rx_busy,
		    (unsigned long long)k->rx_decode_errors);
		ecp_session_fini(&vd.sess[i].ecp);
	}
	sn_loop_close(&vd.loop);
	rawsock_close(&vd.lldp_sock);
	rawsock_close(&vd.ecp_sock);
	nvo3_keytab_free(vd.keys);
	status = 0;
	if (vd.role == VD_STATION) {
		if (vd.auth_refused) {
			fprintf(stderr, "vdpdiag: the bridge did not agree "
			    "authentication; nothing sent\n");
			status = 1;
		} else if (vd.step < vd.nsteps) {
			fprintf(stderr, "vdpdiag: stopped before step %d of %d\n",
			    vd.step + 1, vd.nsteps);
			status = 1;
		} else if (vd.failures)
			status = 1;
	}
	return status;

usage_err:
	nvo3_keytab_free(vd.keys);
	return 2;
}
