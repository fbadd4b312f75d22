/*
 * fsm_vdp_station.c - transcript driver for the VDP22 station machine
 * (lib/vdp/vdp_station.c).  Reads a script on stdin, prints a transcript
 * on stdout; scripts and goldens are in tests/fsm/vdp_station/.
 *
 * Script words (see fsm_vdp_common.h for params, +N, entries):
 *   req MODE [m] [s] [ENTRY...]   hypervisor request (M/S hints); no
 *                                 entries = the entries of the last req
 *   rx MODE STATUS [ENTRY...]     a TLV from the bridge, STATUS in hex;
 *                                 no entries = echo the last SEND
 *   txerr                         ECP gave up on our last ULPDU
 * Transcript: "T > line" echoes the input, then "T   = rc", the actions
 * (SEND / NOTIFY) and "T   state S timer=D".  Timers that fall due
 * while time advances print "T timer" followed by the same.
 */
#include "fsm_vdp_common.h"

static struct vdp_sta sta;
static struct vdp_filter last_req[VDP_SM_MAX_FILTERS];
static uint16_t nlast_req;
static struct vdp_filter last_sent[VDP_SM_MAX_FILTERS];
static uint16_t nlast_sent;

static void
drain(uint64_t now)
{
	struct vdp_sta_action a;
	unsigned i;

	while (vdp_sta_next_action(&sta, &a)) {
		if (a.kind == VDP_SA_SEND) {
			printf("%" PRIu64 "   SEND %s status=%02x", now,
			    modename(a.tlv.mode), a.tlv.status);
			print_entries(&a.tlv);
			printf("\n");
			nlast_sent = a.tlv.nfilter;
			for (i = 0; i < a.tlv.nfilter; i++)
				vdp_filter_at(&a.tlv, i, &last_sent[i]);
			continue;
		}
		printf("%" PRIu64 "   NOTIFY %s reason=%s status=%02x"
		    " code=%u%s", now, vdp_sta_note_names[a.note],
		    vdp_sta_reason_names[a.reason], a.status, a.code,
		    a.vid_assigned ? " vid-assigned" : "");
		print_entries(&a.tlv);
		printf("\n");
	}
	printf("%" PRIu64 "   state %s", now, vdp_sta_state_names[sta.state]);
	print_deadline(vdp_sta_deadline(&sta));
}

static uint64_t
advance(uint64_t now, uint64_t to)
{
	uint64_t d;

	while ((d = vdp_sta_deadline(&sta)) != TIME_NEVER && d <= to) {
		now = d;
		printf("%" PRIu64 " timer\n", now);
		if (vdp_sta_tick(&sta, now) != 1)
			die(0, "timer did not fire");
		drain(now);
	}
	return to;
}

int
main(void)
{
	struct vdp_params par = { .r = 3, .rte = 8, .rwd = 20, .rka = 20 };
	char line[512], copy[512];
	uint64_t now = 0;
	int lineno = 0;

	vdp_sta_init(&sta, &par);
	while (fgets(line, sizeof(line), stdin)) {
		char *w[MAXW];
		struct vdp_vsi_tlv t;
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
		if (strcmp(w[0], "params") == 0) {
			if (parse_params(w, n, &par) < 0)
				die(lineno, "params R RTE RWD RKA [deact]");
			vdp_sta_init(&sta, &par);
			printf("%" PRIu64 " > %s\n", now, line);
			printf("%" PRIu64 "   resp-wait=%" PRIu64
			    " keepalive=%" PRIu64 "\n", now,
			    vdp_sta_resp_wait_us(&par),
			    vdp_sta_keepalive_us(&par));
			continue;
		}
		printf("%" PRIu64 " > %s\n", now, line);
		set_identity(&t);
		if (strcmp(w[0], "req") == 0) {
			if (n < 2 || (mode = parse_mode(w[1])) < 0)
				die(lineno, "req MODE [m] [s] [ENTRY...]");
			t.mode = (uint8_t)mode;
			for (i = 2; i < n; i++) {
				if (strcmp(w[i], "m") == 0)
					t.status |= VDP_ST_MBIT;
				else if (strcmp(w[i], "s") == 0)
					t.status |= VDP_ST_SBIT;
				else if (nf < VDP_SM_MAX_FILTERS &&
				    parse_entry(w[i], &f[nf]) == 0)
					nf++;
				else
					die(lineno, "bad entry");
			}
			if (nf == 0) {
				nf = nlast_req;
				memcpy(f, last_req, sizeof(f));
			} else {
				nlast_req = (uint16_t)nf;
				memcpy(last_req, f, sizeof(f));
			}
			t.nfilter = (uint16_t)nf;
			t.filters = f;
			rc = vdp_sta_request(&sta, now, &t);
		} else if (strcmp(w[0], "rx") == 0) {
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
			if (n == 3) {
				nf = nlast_sent;
				memcpy(f, last_sent, sizeof(f));
			}
			t.nfilter = (uint16_t)nf;
			t.filters = f;
			rc = vdp_sta_rx(&sta, now, &t);
		} else if (strcmp(w[0], "txerr") == 0) {
			rc = vdp_sta_tx_error(&sta, now);
		} else {
			die(lineno, "unknown word");
		}
		printf("%" PRIu64 "   = %s\n", now, errname(rc));
		drain(now);
	}
	return 0;
}
