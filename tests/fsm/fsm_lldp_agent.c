/*
 * fsm_lldp_agent.c - transcript driver for the LLDP agent (lib/lldp).
 *
 * Reads a script on stdin, prints a transcript on stdout.  Script lines:
 *   # comment
 *   +<us>                 advance time; timers due on the way fire first,
 *                         each at its own time
 *   config k=v ...        set the local config (before start: initial)
 *                         role=station|bridge r rte rwd rka gid rrreq rrcap
 *                         caps=0x.. interval=<s> hold fast
 *                         ecpdest=none|group|unicast|mcast
 *   start | stop
 *   rx k=v ...            a frame from the peer, built with the encoder:
 *                         chassis=<last MAC octet> ttl mode=bridge|station|
 *                         nvo3|none (none: no EVB TLV) r rte rwd rka bgid
 *                         rrcap rrctr sgid rrreq rrstat caps=0x..
 *                         ecpdest=unicast|group
 *   rxhex <hex>           a raw frame
 * The local config starts from lldp_agent_config_default() (station) with
 * caps fixed at 0x1f, so the transcripts do not move when capability bits
 * are added to nvo3_ext_codes.h.
 * Transcript lines start with the time in microseconds; each step prints
 * "<t> <what> -> <state> next=<deadline>", then one line per action.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext/nvo3_ext_codes.h"
#include "lldp/lldp.h"
#include "util/hex.h"
#include "util/mtime.h"

#define DRIVER_CAPS	0x1fu

static struct lldp_agent agent;
static struct lldp_agent_config cfg;
static bool started_once;
static uint64_t now;

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static void
die(const char *msg, const char *line)
{
	fprintf(stderr, "fsm_lldp_agent: %s: %s\n", msg, line);
	exit(2);
}

static void
print_next(void)
{
	uint64_t n = lldp_agent_next(&agent);

	if (n == TIME_NEVER)
		printf(" -> %s next=never\n",
		    lldp_agent_state_name(agent.state));
	else
		printf(" -> %s next=%" PRIu64 "\n",
		    lldp_agent_state_name(agent.state), n);
}

static void
print_tx(uint64_t t, bool shut)
{
	uint8_t f[1600], ev[16];
	struct lldp_pdu p;
	char hex[64], m[18];
	int n;

	n = shut ? lldp_agent_shutdown_frame(&agent, f, sizeof(f)) :
	    lldp_agent_frame(&agent, f, sizeof(f));
	if (n < 0 || lldp_pdu_decode(f, (size_t)n, &p, NULL) < 0)
		die("cannot build or re-read our frame", "");
	printf("%" PRIu64 "   %s len=%d ttl=%u", t, shut ? "tx-shutdown" :
	    "tx", n, p.ttl);
	if (p.has_evb) {
		lldp_evb_tlv_encode(&p.evb, ev, sizeof(ev));
		hex_encode(ev + 6, 5, ' ', hex, sizeof(hex));
		printf(" evb=[%s]", hex);
	}
	if (p.has_caps)
		printf(" caps=0x%02" PRIx32, p.caps);
	if (p.has_ecpdest)
		printf(" ecpdest=%u/%s", p.ecpdest.kind,
		    mac_fmt(p.ecpdest.mac, m));
	printf("\n");
}

static void
print_oper(void)
{
	const struct evb_oper *o = &agent.oper;

	printf(" evb=%s r=%u rte=%u rwd=%u rka=%u gid=%d rr=%d caps=0x%02"
	    PRIx32, !o->peer ? "none" : !o->peer_ok ? "wrong-role" :
	    o->peer_nvo3 ? "nvo3" : "ok", o->r, o->rte, o->rwd, o->rka,
	    o->gid, o->rr, agent.caps);
	if (agent.has_peer && agent.peer.has_ecpdest &&
	    (agent.caps & NVO3_CAP_ECPDEST)) {
		char m[18];

		printf(" peer-ecpdest=%u/%s", agent.peer.ecpdest.kind,
		    mac_fmt(agent.peer.ecpdest.mac, m));
	}
	printf("\n");
}

static void
print_actions(uint64_t t, int act)
{
	if (act < 0) {
		printf("%" PRIu64 "   rx-error %s\n", t, strerror(-act));
		return;
	}
	if (act & LLDP_ACT_PEER_LOST)
		printf("%" PRIu64 "   peer-lost reason=%s\n", t,
		    lldp_lost_reason_name(agent.lost));
	if (act & LLDP_ACT_PEER_UP) {
		printf("%" PRIu64 "   peer-up", t);
		print_oper();
	}
	if (act & LLDP_ACT_PEER_CHANGED) {
		printf("%" PRIu64 "   peer-changed", t);
		print_oper();
	}
	if (act & LLDP_ACT_TX_SHUTDOWN)
		print_tx(t, true);
	if (act & LLDP_ACT_TX)
		print_tx(t, false);
}

static void
advance(uint64_t target)
{
	for (;;) {
		uint64_t n = lldp_agent_next(&agent);
		int act;

		if (n == TIME_NEVER || n > target)
			break;
		act = lldp_agent_tick(&agent, n);
		printf("%" PRIu64 " timer", n);
		print_next();
		print_actions(n, act);
	}
	now = target;
}

static unsigned long
num(const char *v, const char *line)
{
	char *end;
	unsigned long x = strtoul(v, &end, 0);

	if (*v == '\0' || *end != '\0')
		die("bad number", line);
	return x;
}

static void
apply_config(char *args, const char *line)
{
	char *tok;

	for (tok = strtok(args, " \t"); tok; tok = strtok(NULL, " \t")) {
		char *v = strchr(tok, '=');

		if (!v)
			die("expected key=value", line);
		*v++ = '\0';
		if (strcmp(tok, "role") == 0) {
			enum evb_role r = strcmp(v, "bridge") == 0 ?
			    EVB_ROLE_BRIDGE : EVB_ROLE_STATION;
			struct lldp_agent_config keep = cfg;

			lldp_agent_config_default(&cfg, r, our_mac);
			cfg.evb.caps = DRIVER_CAPS;
			cfg.tx_interval_us = keep.tx_interval_us;
			cfg.tx_hold = keep.tx_hold;
			cfg.fast_count = keep.fast_count;
		} else if (strcmp(tok, "r") == 0)
			cfg.evb.r = (uint8_t)num(v, line);
		else if (strcmp(tok, "rte") == 0)
			cfg.evb.rte = (uint8_t)num(v, line);
		else if (strcmp(tok, "rwd") == 0)
			cfg.evb.rwd = (uint8_t)num(v, line);
		else if (strcmp(tok, "rka") == 0)
			cfg.evb.rka = (uint8_t)num(v, line);
		else if (strcmp(tok, "gid") == 0)
			cfg.evb.gid = num(v, line) != 0;
		else if (strcmp(tok, "rrreq") == 0)
			cfg.evb.rrreq = num(v, line) != 0;
		else if (strcmp(tok, "rrcap") == 0)
			cfg.evb.rrcap = num(v, line) != 0;
		else if (strcmp(tok, "caps") == 0)
			cfg.evb.caps = (uint32_t)num(v, line);
		else if (strcmp(tok, "interval") == 0)
			cfg.tx_interval_us = num(v, line) * USEC_PER_SEC;
		else if (strcmp(tok, "hold") == 0)
			cfg.tx_hold = (uint8_t)num(v, line);
		else if (strcmp(tok, "fast") == 0)
			cfg.fast_count = (uint8_t)num(v, line);
		else if (strcmp(tok, "ecpdest") == 0) {
			cfg.has_ecpdest = strcmp(v, "none") != 0;
			if (strcmp(v, "group") == 0) {
				cfg.ecpdest.kind = NVO3_ECPDEST_GROUP;
				memcpy(cfg.ecpdest.mac, lldp_mac_ncb, 6);
			} else if (strcmp(v, "unicast") == 0) {
				cfg.ecpdest.kind = NVO3_ECPDEST_UNICAST;
				memcpy(cfg.ecpdest.mac, our_mac, 6);
			} else if (strcmp(v, "mcast") == 0) {
				static const uint8_t g[6] = {
					0x03, 0, 0, 0, 0x12, 0x34
				};

				cfg.ecpdest.kind = NVO3_ECPDEST_MCAST;
				memcpy(cfg.ecpdest.mac, g, 6);
			}
		} else
			die("unknown config key", line);
	}
}

static int
build_rx(char *args, const char *line, uint8_t *f, size_t cap)
{
	struct lldp_pdu p;
	char *tok;
	int n;

	memset(&p, 0, sizeof(p));
	memcpy(p.dst, lldp_mac_ncb, 6);
	memcpy(p.src, (const uint8_t[6]){ 0x02, 0, 0, 0, 0, 0x02 }, 6);
	p.chassis.subtype = 4;
	p.chassis.len = 6;
	memcpy(p.chassis.id, p.src, 6);
	p.port.subtype = 3;
	p.port.len = 6;
	memcpy(p.port.id, p.src, 6);
	p.ttl = 120;
	p.has_evb = true;
	p.evb.mode = LLDP_EVB_MODE_BRIDGE;
	p.evb.r = EVB_DEFAULT_R;
	p.evb.rte = EVB_DEFAULT_RTE;
	p.evb.rwd = EVB_DEFAULT_RWD;
	p.evb.rka = EVB_DEFAULT_RKA;
	for (tok = strtok(args, " \t"); tok; tok = strtok(NULL, " \t")) {
		char *v = strchr(tok, '=');

		if (!v)
			die("expected key=value", line);
		*v++ = '\0';
		if (strcmp(tok, "chassis") == 0) {
			p.src[5] = (uint8_t)num(v, line);
			p.chassis.id[5] = p.src[5];
			p.port.id[5] = p.src[5];
		} else if (strcmp(tok, "ttl") == 0)
			p.ttl = (uint16_t)num(v, line);
		else if (strcmp(tok, "mode") == 0) {
			if (strcmp(v, "none") == 0)
				p.has_evb = false;
			else
				p.evb.mode = strcmp(v, "bridge") == 0 ? 1 :
				    strcmp(v, "station") == 0 ? 2 : 3;
		} else if (strcmp(tok, "r") == 0)
			p.evb.r = (uint8_t)num(v, line);
		else if (strcmp(tok, "rte") == 0)
			p.evb.rte = (uint8_t)num(v, line);
		else if (strcmp(tok, "rwd") == 0)
			p.evb.rwd = (uint8_t)num(v, line);
		else if (strcmp(tok, "rka") == 0)
			p.evb.rka = (uint8_t)num(v, line);
		else if (strcmp(tok, "bgid") == 0)
			p.evb.bgid = num(v, line) != 0;
		else if (strcmp(tok, "rrcap") == 0)
			p.evb.rrcap = num(v, line) != 0;
		else if (strcmp(tok, "rrctr") == 0)
			p.evb.rrctr = num(v, line) != 0;
		else if (strcmp(tok, "sgid") == 0)
			p.evb.sgid = num(v, line) != 0;
		else if (strcmp(tok, "rrreq") == 0)
			p.evb.rrreq = num(v, line) != 0;
		else if (strcmp(tok, "rrstat") == 0)
			p.evb.rrstat = (uint8_t)num(v, line);
		else if (strcmp(tok, "caps") == 0) {
			p.has_caps = true;
			p.caps = (uint32_t)num(v, line);
		} else if (strcmp(tok, "ecpdest") == 0) {
			p.has_ecpdest = true;
			if (strcmp(v, "group") == 0) {
				p.ecpdest.kind = NVO3_ECPDEST_GROUP;
				memcpy(p.ecpdest.mac, lldp_mac_ncb, 6);
			} else {
				p.ecpdest.kind = NVO3_ECPDEST_UNICAST;
				memcpy(p.ecpdest.mac, p.src, 6);
			}
		} else
			die("unknown rx key", line);
	}
	if ((n = lldp_pdu_encode(&p, f, cap)) < 0)
		die("cannot encode rx frame", line);
	return n;
}

static void
step(const char *what, int act)
{
	printf("%" PRIu64 " %s", now, what);
	print_next();
	print_actions(now, act);
}

int
main(void)
{
	char line[2048];

	lldp_agent_config_default(&cfg, EVB_ROLE_STATION, our_mac);
	cfg.evb.caps = DRIVER_CAPS;
	if (lldp_agent_init(&agent, &cfg) != 0)
		die("init", "");
	while (fgets(line, sizeof(line), stdin)) {
		char copy[2048], *p;
		uint8_t f[1600];
		long n;

		line[strcspn(line, "\r\n")] = '\0';
		p = line + strspn(line, " \t");
		if (*p == '\0' || *p == '#')
			continue;
		snprintf(copy, sizeof(copy), "%s", p);
		if (*p == '+') {
			advance(now + num(p + 1, copy));
		} else if (strcmp(p, "start") == 0) {
			started_once = true;
			step(copy, lldp_agent_start(&agent, now));
		} else if (strcmp(p, "stop") == 0) {
			step(copy, lldp_agent_stop(&agent, now));
		} else if (strncmp(p, "config ", 7) == 0) {
			apply_config(p + 7, copy);
			if (!started_once) {
				if (lldp_agent_init(&agent, &cfg) != 0)
					die("bad config", copy);
				printf("%" PRIu64 " %s", now, copy);
				print_next();
			} else {
				int act = lldp_agent_set_config(&agent, &cfg,
				    now);

				if (act < 0)
					die("bad config", copy);
				step(copy, act);
			}
		} else if (strncmp(p, "rxhex ", 6) == 0) {
			n = hex_decode(p + 6, f, sizeof(f));
			if (n < 0)
				die("bad hex", copy);
			step(copy, lldp_agent_rx(&agent, f, (size_t)n, now));
		} else if (strncmp(p, "rx", 2) == 0 &&
		    (p[2] == ' ' || p[2] == '\0')) {
			n = build_rx(p + 2, copy, f, sizeof(f));
			step(copy, lldp_agent_rx(&agent, f, (size_t)n, now));
		} else
			die("unknown line", copy);
	}
	return 0;
}
