/*
 * timers.c - every deadline nnved has (per-VSI VDP timers, per-station
 * ECP ack timers, per-port LLDP timers) in one binary min-heap, behind
 * one libuv deadline (lib/loop sn_deadline).
 *
 * Runs in nnved's only thread.  The heap itself is util/theap: a struct
 * sn_timer lives inside its owner (struct nnved_vsi, nnved_station,
 * nnved_port), so nothing is allocated per timer.  timer_run()
 * hands each due timer to its owner by kind (HMAP_CONTAINER).  With
 * 100,000 VSIs the control loop never walks them all to find the next
 * deadline, as vdpdiag's linear scan would.
 */
#include <errno.h>
#include <stdlib.h>

#include "nnved.h"
#include "util/mtime.h"

void
timer_cancel(struct nnved *d, struct sn_timer *t)
{
	sn_theap_cancel(&d->timers, t);
}

int
timer_set(struct nnved *d, struct sn_timer *t, uint64_t at)
{
	return sn_theap_set(&d->timers, t, at);
}

void
timer_run(struct nnved *d, uint64_t now)
{
	/* bound the work of one call; the rest runs on the next wake-up */
	unsigned budget = 65536;
	struct sn_timer *t;

	while (budget-- > 0 && (t = sn_theap_pop_due(&d->timers, now)) != NULL) {
		switch (t->kind) {
		case NNVED_T_VSI:
			vsi_timer(HMAP_CONTAINER(t, struct nnved_vsi, timer), now);
			break;
		case NNVED_T_STATION:
			port_station_timer(HMAP_CONTAINER(t,
			    struct nnved_station, ecp_timer), now);
			break;
		case NNVED_T_PORT:
			port_lldp_timer(HMAP_CONTAINER(t, struct nnved_port,
			    lldp_timer), now);
			break;
		case NNVED_T_NVA:
			nnved_nva_timer(d, now);
			break;
		default:
			break;
		}
	}
}

void
timer_arm(struct nnved *d)
{
	sn_deadline_set(&d->deadline, sn_theap_first(&d->timers));
}
