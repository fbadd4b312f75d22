/*
 * fuzz_lldp_pdu.c - libFuzzer target for the LLDPDU codec, EVB negotiation
 * and the agent's receive path (lib/lldp).
 *
 * For every input: decode; a failure must carry a reason whose errno is
 * the one returned.  A valid PDU must re-encode, decode back to the same
 * fields, and encode again to the same octets (round trip); its EVB TLV
 * must negotiate in both roles without ever producing mode 3; and the
 * agent must take the frame without tripping.  Any violation aborts.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lldp/lldp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static int
same_fields(const struct lldp_pdu *a, const struct lldp_pdu *b)
{
	if (memcmp(a->dst, b->dst, 6) || memcmp(a->src, b->src, 6) ||
	    !lldp_id_equal(&a->chassis, &b->chassis) ||
	    !lldp_id_equal(&a->port, &b->port) || a->ttl != b->ttl ||
	    a->has_evb != b->has_evb || a->has_caps != b->has_caps ||
	    a->has_ecpdest != b->has_ecpdest)
		return 0;
	if (a->has_evb && !lldp_evb_equal(&a->evb, &b->evb))
		return 0;
	if (a->has_caps && a->caps != b->caps)
		return 0;
	if (a->has_ecpdest && (a->ecpdest.kind != b->ecpdest.kind ||
	    memcmp(a->ecpdest.mac, b->ecpdest.mac, 6)))
		return 0;
	return 1;
}

static void
negotiate(const struct lldp_evb_tlv *peer)
{
	for (int role = EVB_ROLE_BRIDGE; role <= EVB_ROLE_STATION; role++) {
		struct evb_config c;
		struct lldp_evb_tlv out;
		struct evb_oper o;
		uint8_t b[16];

		evb_config_default(&c, (enum evb_role)role);
		check(evb_negotiate(&c, peer, &out, &o) == 0);
		check(out.mode == role);
		check(o.r >= c.r && o.rte >= c.rte && o.rwd >= c.rwd &&
		    o.rka >= c.rka);
		check(lldp_evb_tlv_encode(&out, b, sizeof(b)) == 11);
	}
}

static void
agent_rx(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x09 };
	struct lldp_agent_config cfg;
	struct lldp_agent a;
	uint8_t f[1600];
	int act;

	lldp_agent_config_default(&cfg, EVB_ROLE_STATION, mac);
	check(lldp_agent_init(&a, &cfg) == 0);
	check(lldp_agent_start(&a, 0) == LLDP_ACT_TX);
	act = lldp_agent_rx(&a, data, size, 1);
	if (act < 0)
		return;
	check(lldp_agent_frame(&a, f, sizeof(f)) > 0);
	check(lldp_agent_tick(&a, UINT64_C(1) << 40) >= 0);
	check(!a.has_peer);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t y[2048], z[2048];
	struct lldp_pdu p1, p2;
	enum lldp_err why;
	int rc, n, m;

	rc = lldp_pdu_decode(data, size, &p1, &why);
	if (rc < 0) {
		check(why != LLDP_E_NONE && why < LLDP_E__COUNT);
		check(lldp_err_errno(why) == rc);
		agent_rx(data, size);
		return 0;
	}
	check(why == LLDP_E_NONE);
	check(p1.len <= size);
	check(p1.chassis.len >= 1 && p1.port.len >= 1);

	n = lldp_pdu_encode(&p1, y, sizeof(y));
	check(n > 0);
	check(lldp_pdu_decode(y, (size_t)n, &p2, &why) == 0);
	check(!p2.no_end && p2.nunknown == 0 && p2.nunknown_org == 0);
	check(p2.len == (uint32_t)n);
	check(same_fields(&p1, &p2));
	m = lldp_pdu_encode(&p2, z, sizeof(z));
	check(m == n && memcmp(y, z, (size_t)n) == 0);
	/* one octet short must fail cleanly */
	check(lldp_pdu_encode(&p1, z, (size_t)n - 1) == -ENOBUFS);

	m = lldp_pdu_encode_shutdown(&p1, z, sizeof(z));
	check(m > 0 && lldp_pdu_decode(z, (size_t)m, &p2, NULL) == 0);
	check(p2.ttl == 0 && !p2.has_evb);

	negotiate(p1.has_evb ? &p1.evb : NULL);
	agent_rx(data, size);
	return 0;
}
