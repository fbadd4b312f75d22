/*
 * fuzz_ecp_frame.c - libFuzzer target for the ECP22 frame codec and the
 * session's receive path (lib/ecp).
 *
 * Input: one Ethernet frame, destination MAC onwards.  Checks, aborting on
 * any violation:
 *   - decode either succeeds or returns the errno of the reason it names;
 *   - a decoded ULPDU lies inside the input and runs to its end;
 *   - round trip: re-encoding a decoded frame gives back the input octets
 *     (an ACK: the header, and the padding length matches);
 *   - a session fed the frame (auto-ACK, and verdict mode with accept and
 *     reject) only ever emits frames that decode as what it claims, and
 *     keeps its counters consistent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecp/ecp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static void
check_sends(const struct ecp_actions *out, const uint8_t *in, size_t size)
{
	for (unsigned i = 0; i < out->n; i++) {
		const struct ecp_action *a = &out->a[i];
		struct ecp_frame f;

		CHECK(a->type < ECP_ACT_MAX);
		if (a->type == ECP_ACT_DELIVER) {
			CHECK(a->data >= in && a->len > 0 &&
			    a->data + a->len == in + size);
			continue;
		}
		if (a->type != ECP_ACT_SEND)
			continue;
		CHECK(ecp_frame_decode(a->data, a->len, &f, NULL) == 0);
		CHECK(f.op == a->op && f.seq == a->seq);
		CHECK(memcmp(f.src, "\x02\x00\x00\x00\x00\x01", 6) == 0);
	}
}

static void
session_rx(const uint8_t *data, size_t size, int auto_ack, int accept)
{
	struct ecp_session s;
	struct ecp_session_cfg c;
	struct ecp_actions out = { .n = 0 };
	int rc;

	memset(&c, 0, sizeof(c));
	memcpy(c.local_mac, "\x02\x00\x00\x00\x00\x01", 6);
	c.r = 1;
	c.rte = 0;
	c.auto_ack = auto_ack;
	c.queue_len = 2;
	if (ecp_session_init(&s, &c) < 0)
		abort();
	/* Put seq 1 in flight so an ACK in the input can match it. */
	CHECK(ecp_session_enqueue(&s, 0, (const uint8_t *)"\x0a\x10", 2, 1,
	    &out) == 0);
	check_sends(&out, data, size);
	out.n = 0;

	rc = ecp_session_rx(&s, 1, data, size, &out);
	CHECK(rc <= 0);
	check_sends(&out, data, size);
	CHECK(s.ctr.rx_decode_errors == (rc < 0));
	if (out.n && out.a[out.n - 1].type == ECP_ACT_DELIVER && !auto_ack) {
		uint16_t seq = out.a[out.n - 1].seq;

		CHECK(s.rx_state == ECP_RX_VERDICT);
		out.n = 0;
		if (accept) {
			CHECK(ecp_session_rx_accept(&s, 2, seq, &out) == 0);
			CHECK(out.n == 1 && out.a[0].op == ECP_OP_ACK);
		} else {
			CHECK(ecp_session_rx_reject(&s, 2, seq, &out) == 0);
			CHECK(out.n == 0);
		}
		check_sends(&out, data, size);
		out.n = 0;
		/* The same frame again: duplicate or judged again. */
		CHECK(ecp_session_rx(&s, 3, data, size, &out) == 0);
		check_sends(&out, data, size);
		CHECK(accept ? s.ctr.rx_dups == 1 : s.ctr.rx_pdus == 2);
	}
	out.n = 0;
	CHECK(ecp_session_tick(&s, 1000, &out) == 0);
	check_sends(&out, data, size);
	CHECK(s.q_count <= 1);
	ecp_session_fini(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[ECP_MAX_FRAME + 64];
	struct ecp_frame f;
	enum ecp_derr why = ECP_DERR_MAX;
	size_t hlen;
	int rc, n;

	rc = ecp_frame_decode(data, size, &f, &why);
	CHECK(why < ECP_DERR_MAX);
	CHECK(rc == ecp_derr_errno(why));
	if (rc == 0) {
		CHECK(why == ECP_DERR_NONE);
		CHECK(f.version == ECP_VERSION);
		CHECK(f.op == ECP_OP_REQ || f.op == ECP_OP_ACK);
		CHECK(f.tagged ? f.vid == (f.tci & 0x0fff) : f.vid == -1);
		hlen = ECP_MIN_FRAME + (f.tagged ? ECP_VLAN_HLEN : 0);
		n = ecp_frame_encode(out, sizeof(out), &f, 0);
		if (f.op == ECP_OP_REQ) {
			CHECK(f.ulpdu == data + hlen);
			CHECK(f.ulpdu_len > 0 && f.ulpdu_len <= ECP_MAX_PAYLOAD);
			CHECK(hlen + f.ulpdu_len == size);
			CHECK(n >= 0 && (size_t)n == size);
			CHECK(memcmp(out, data, size) == 0);
		} else {
			CHECK(f.ulpdu == NULL && f.ulpdu_len == 0);
			CHECK(hlen + f.pad == size);
			CHECK(size <= ECP_ETH_ZLEN + (f.tagged ? 4 : 0) ||
			    f.pad == 0);
			CHECK(n >= 0 && (size_t)n == hlen);
			CHECK(memcmp(out, data, hlen) == 0);
			n = ecp_frame_encode(out, sizeof(out), &f, ECP_ENC_PAD);
			CHECK(n == (hlen > ECP_ETH_ZLEN ? (int)hlen :
			    ECP_ETH_ZLEN));
			CHECK(ecp_frame_decode(out, (size_t)n, &f, NULL) == 0);
		}
	} else {
		CHECK(why != ECP_DERR_NONE);
	}

	session_rx(data, size, 1, 0);
	session_rx(data, size, 0, 1);
	session_rx(data, size, 0, 0);
	return 0;
}
