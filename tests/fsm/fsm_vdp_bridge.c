/*
 * fsm_vdp_bridge.c - transcript driver for the VDP22 bridge machine
 * (lib/vdp/vdp_bridge.c).  Reads a script on stdin, prints a transcript
 * on stdout; scripts and goldens are in tests/fsm/vdp_bridge/.
 *
 * Script words (see fsm_vdp_common.h for params, +N, entries):
 *   rx MODE STATUS [ENTRY...]     a station TLV, STATUS in hex (10 = M,
 *                                 20 = S); no entries = the last rx's
 *   res ok [ENTRY...]             resource answer: success with these
 *                                 entries (none = echo the request)
 *   res fail CODE [keep] [hard]   resource answer: refusal
 *   operator                      NVE-initiated de-associate
 * Transcript: "T > line", "T   = rc", the actions (SEND, RESOURCE_REQUEST,
 * RESOURCE_CANCEL, RELEASE) and "T   state S timer=D"; timers that fall
 * due while time advances print "T timer" followed by the same.
 */
#include "fsm_vdp_common.h"

static struct vdp_br br;

static void
print_hints(uint8_t h)
{
	printf(" hints=%s%s%s", h & VDP_ST_MBIT ? "M" : "",
	    h & VDP_ST_SBIT ? "S" : "", h ? "" : "-");
}

static void
drain(uint64_t now)
{
	struct vdp_br_action a;

	while (vdp_br_next_action(&br, &a)) {
		printf("%" PRIu64 "   %s", now, vdp_br_act_names[a.kind]);
		switch (a.kind) {
		case VDP_BA_SEND:
			printf(" %s status=%02x", modename(a.tlv.mode),
			    a.tlv.status);
			print_entries(&a.tlv);
			break;
		case VDP_BA_RESOURCE_REQUEST:
			printf(" %s", modename(a.tlv.mode));
			print_hints(a.hints);
			printf(" prev=%s", a.prev_mode ?
			    modename(a.prev_mode) : "none");
			print_entries(&a.tlv);
			break;
		case VDP_BA_RELEASE:
			printf(" %s", modename(a.tlv.mode));
			print_hints(a.hints);
			print_entries(&a.tlv);
			break;
		case VDP_BA_RESOURCE_CANCEL:
		default:
			break;
		}
		printf("\n");
	}
	printf("%" PRIu64 "   state %s", now, vdp_br_state_names[br.state]);
	print_deadline(vdp_br_deadline(&br));
}

static uint64_t
advance(uint64_t now, uint64_t to)
{
	uint64_t d;

	while ((d = vdp_br_deadline(&br)) != TIME_NEVER && d <= to) {
		now = d;
		printf("%" PRIu64 " timer\n", now);
		if (vdp_br_tick(&br, now) != 1)
			die(0, "timer did not fire");
		drain(now);
	}
	return to;
}

int
main(void)
{
	struct vdp_params par = { .r = 3, .rte = 8, .rwd = 20, .rka = 20 };
	struct vdp_filter last[VDP_SM_MAX_FILTERS];
	uint16_t nlast = 0;
	char line[512], copy[512];
	uint64_t now = 0;
	int lineno = 0;

	vdp_br_init(&br, &par);
	while (fgets(line, sizeof(line), stdin)) {
		char *w[MAXW];
		struct vdp_vsi_tlv t;
		struct vdp_br_result res;
		struct vdp_filter f[VDP_SM_MAX_FILTERS];
		int n, i, rc, mode, nf = 0;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (line[0] == '#') {
			printf("%s\n", line);
			continue;
		}
		if (line[0] == '+') {
			now = advance(now, now + strtoull(line + 1, NULL, 10));
			continue;
		}
		snprintf(copy, sizeof(copy), "%s", line);
		n = split(copy, w);
		if (n == 0)
			continue;
		printf("%" PRIu64 " > %s\n", now, line);
		if (strcmp(w[0], "params") == 0) {
			if (parse_params(w, n, &par) < 0)
				die(lineno, "params R RTE RWD RKA [deact]");
			vdp_br_init(&br, &par);
			printf("%" PRIu64 "   res-wait=%" PRIu64
			    " ka-timeout=%" PRIu64 "\n", now,
			    vdp_br_res_wait_us(&par),
			    vdp_br_ka_timeout_us(&par));
			continue;
		}
		set_identity(&t);
		memset(&res, 0, sizeof(res));
		if (strcmp(w[0], "rx") == 0) {
			if (n < 3 || (mode = parse_mode(w[1])) < 0)
				die(lineno, "rx MODE STATUS [ENTRY...]");
			t.mode = (uint8_t)mode;
			t.status = (uint8_t)strtoul(w[2], NULL, 16);
			for (i = 3; i < n; i++) {
				if (nf < VDP_SM_MAX_FILTERS &&
				    parse_entry(w[i], &f[nf]) == 0)
					nf++;
				else
					die(lineno, "bad entry");
			}
			if (nf == 0) {
				nf = nlast;
				memcpy(f, last, sizeof(f));
			} else {
				nlast = (uint16_t)nf;
				memcpy(last, f, sizeof(f));
			}
			t.nfilter = (uint16_t)nf;
			t.filters = f;
			rc = vdp_br_rx(&br, now, &t);
		} else if (strcmp(w[0], "res") == 0 && n >= 2 &&
		    strcmp(w[1], "ok") == 0) {
			for (i = 2; i < n; i++) {
				if (nf < VDP_SM_MAX_FILTERS &&
				    parse_entry(w[i], &f[nf]) == 0)
					nf++;
				else
					die(lineno, "bad entry");
			}
			if (nf) {
				res.filters = f;
				res.nfilter = (uint16_t)nf;
			}
			rc = vdp_br_resource(&br, now, &res);
		} else if (strcmp(w[0], "res") == 0 && n >= 3 &&
		    strcmp(w[1], "fail") == 0) {
			res.code = (uint8_t)atoi(w[2]);
			for (i = 3; i < n; i++) {
				if (strcmp(w[i], "keep") == 0)
					res.keep = 1;
				else if (strcmp(w[i], "hard") == 0)
					res.hard = 1;
				else
					die(lineno, "res fail CODE [keep]"
					    " [hard]");
			}
			rc = vdp_br_resource(&br, now, &res);
		} else if (strcmp(w[0], "operator") == 0) {
			rc = vdp_br_deassoc(&br, now);
		} else {
			die(lineno, "unknown word");
		}
		printf("%" PRIu64 "   = %s\n", now, errname(rc));
		drain(now);
	}
	return 0;
}
