/*
 * vdp_sm.c - what the VDP22 station and bridge machines share: the timer
 * formulas of the negotiated EVB parameters.  (VSI identity and response
 * matching are the codec's: vdp_vsi_same(), vdp_filters_match().)
 *
 * Runs in the control thread of tnved and nnved, inside whichever machine
 * calls it; pure (no I/O, no clock).  Relies on vdp/vdp.h for the types.
 *
 * The rule, in our words (802.1Q clause 41 as lldpad applies it, see
 * spec/wire-formats.md 3.1): time is counted in units of 10 us * 2^exp,
 * exp a 5-bit value from the EVB TLV.  The station waits for a response
 * for one and a half times the worst case of ECP retries both ways plus
 * the bridge's resource wait; the bridge gives up on a silent station
 * after one and a half times the retries plus the keep-alive period.
 * With lldpad's defaults (R 3, RTE 8, RWD 20, RKA 20) both come to
 * 15.756 s, and the keep-alive and resource wait to 10.49 s.
 * We differ in: out-of-range inputs are clamped (exponents to 31, R to 7)
 * rather than refused, since the EVB TLV fields cannot hold more anyway.
 */
#include "util/mtime.h"
#include "vdp/vdp_sm.h"

#define R_MAX		7

uint64_t
vdp_exp_us(uint8_t exp)
{
	return evb_time_us(exp);
}

uint64_t
vdp_ack_time_us(const struct vdp_params *p)
{
	return vdp_exp_us(p->rte);
}

/* 1.5 * ((1 + 2R) * ackTime + 10 us * 2^exp), rounded down. */
static uint64_t
wait_with_retries(const struct vdp_params *p, uint8_t exp)
{
	uint64_t r = p->r > R_MAX ? R_MAX : p->r;
	uint64_t t = (1 + 2 * r) * vdp_ack_time_us(p) + vdp_exp_us(exp);

	return t * 3 / 2;
}

uint64_t
vdp_sta_resp_wait_us(const struct vdp_params *p)
{
	return wait_with_retries(p, p->rwd);
}

uint64_t
vdp_sta_keepalive_us(const struct vdp_params *p)
{
	return vdp_exp_us(p->rka);
}

uint64_t
vdp_br_res_wait_us(const struct vdp_params *p)
{
	return vdp_exp_us(p->rwd);
}

uint64_t
vdp_br_ka_timeout_us(const struct vdp_params *p)
{
	return wait_with_retries(p, p->rka);
}
