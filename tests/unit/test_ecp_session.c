/*
 * test_ecp_session.c - the ECP22 session (lib/ecp/ecp_session.c):
 * sequence numbers (first 1, wrap skipping 0), the bounded queue, ACK
 * matching, retries and their timing, reject/retransmit/accept, the held
 * PDU keeping its verdict slot against new seqs, auto-ACK
 * ordering, destination and ACK addressing in all three modes, run-time
 * parameter changes, and every error value of the entry points.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ecp/ecp.h"
#include "util/hex.h"
#include "util/mtime.h"

static const uint8_t st_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t br_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t mc_mac[6] = { 0x03, 0, 0, 0, 0x12, 0x34 };

/* lldpad-interop.md 3.2: the station Associate our session must match. */
static const char lldpad_assoc[] =
    "01 80 c2 00 00 00 02 00 00 00 00 01 89 40 10 01"
    "00 01 0a 10 6d 67 72 31 00 00 00 00 00 00 00 00"
    "00 00 00 00 06 21 00 00 00 05 04 05 00 11 22 33"
    "44 55 66 77 88 99 aa bb cc dd ee ff 02 00 01 52"
    "54 00 11 22 33 00 64";
/* lldpad-interop.md 4.3: the bridge's ACK of it. */
static const char lldpad_ack[] =
    "01 80 c2 00 00 00 02 00 00 00 00 02 89 40 14 01 00 01";

static const uint8_t ul[] = { 0x0a, 0x10, 1, 2, 3, 4 };

static void
cfg_default(struct ecp_session_cfg *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->local_mac, st_mac, 6);
	memcpy(c->peer_mac, br_mac, 6);
	c->r = 3;
	c->rte = 8;
}

/* A frame from the bridge: ACK (ul == NULL) or request. */
static size_t
peer_frame(uint8_t *b, size_t cap, const uint8_t *src, uint16_t subtype,
    uint16_t seq, const uint8_t *u, size_t ulen)
{
	struct ecp_frame f;
	int n;

	memset(&f, 0, sizeof(f));
	memcpy(f.dst, ecp_mac_ncb, 6);
	memcpy(f.src, src, 6);
	f.version = ECP_VERSION;
	f.op = u ? ECP_OP_REQ : ECP_OP_ACK;
	f.subtype = subtype;
	f.seq = seq;
	f.ulpdu = u;
	f.ulpdu_len = ulen;
	n = ecp_frame_encode(b, cap, &f, 0);
	assert_true(n > 0);
	return (size_t)n;
}

static void
rx_ack(struct ecp_session *s, uint64_t now, uint16_t seq,
    struct ecp_actions *out)
{
	uint8_t b[64];
	size_t n = peer_frame(b, sizeof(b), br_mac, ECP_SUBTYPE_VDP, seq,
	    NULL, 0);

	assert_int_equal(ecp_session_rx(s, now, b, n, out), 0);
}

/* Decodes the frame of SEND action i. */
static void
sent(const struct ecp_actions *out, unsigned i, struct ecp_frame *f)
{
	assert_true(i < out->n);
	assert_int_equal(out->a[i].type, ECP_ACT_SEND);
	assert_int_equal(ecp_frame_decode(out->a[i].data, out->a[i].len, f,
	    NULL), 0);
	assert_int_equal(f->seq, out->a[i].seq);
	assert_int_equal(f->op, out->a[i].op);
}

static void
golden_exchange_with_lldpad_frames(void **state)
{
	struct ecp_session s;
	struct ecp_session_cfg c;
	struct ecp_actions out = { .n = 0 };
	uint8_t want[128], ack[32];
	size_t wn = (size_t)hex_decode(lldpad_assoc, want, sizeof(want));
	size_t an = (size_t)hex_decode(lldpad_ack, ack, sizeof(ack));

	cfg_default(&c);
	assert_int_equal(ecp_session_init(&s, &c), 0);
	assert_int_equal(ecp_session_next_deadline(&s), TIME_NEVER);
	assert_int_equal(ecp_session_enqueue(&s, 1000, want + 18, wn - 18, 77,
	    &out), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.a[0].type, ECP_ACT_SEND);
	assert_int_equal(out.a[0].tries, 1);
	assert_int_equal(out.a[0].len, wn);
	assert_memory_equal(out.a[0].data, want, wn);	/* byte for byte */
	assert_int_equal(out.deadline, 1000 + 2560);
	assert_int_equal(ecp_session_next_deadline(&s), 1000 + 2560);
	assert_int_equal(s.tx_state, ECP_TX_WAIT_ACK);

	out.n = 0;
	assert_int_equal(ecp_session_rx(&s, 1100, ack, an, &out), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.a[0].type, ECP_ACT_TX_DONE);
	assert_int_equal(out.a[0].cookie, 77);
	assert_int_equal(out.a[0].seq, 1);
	assert_int_equal(out.deadline, TIME_NEVER);
	assert_int_equal(s.tx_state, ECP_TX_IDLE);
	assert_int_equal(s.ctr.tx_pdus, 1);
	assert_int_equal(s.ctr.rx_acks, 1);
	ecp_session_fini(&s);
	(void)state;
}

static void
sequence_wraps_skipping_zero(void **state)
{
	struct ecp_session s;
	struct ecp_session_cfg c;
	struct ecp_actions out = { .n = 0 };

	cfg_default(&c);
	assert_int_equal(ecp_session_init(&s, &c), 0);
	for (uint32_t want = 1; want <= 0xffff; want++) {
		out.n = 0;
		assert_int_equal(ecp_session_enqueue(&s, 0, ul, sizeof(ul),
		    want, &out), 0);
		if (out.a[0].seq != want)
			fail_msg("seq %u, want %u", out.a[0].seq, want);
		out.n = 0;
		rx_ack(&s, 0, (uint16_t)want, &out);
		assert_int_equal(out.a[0].type, ECP_ACT_TX_DONE);
	}
	out.n = 0;
	assert_int_equal(ecp_session_enqueue(&s, 0, ul, sizeof(ul), 0, &out),
	    0);
	assert_int_equal(out.a[0].seq, 1);		/* 0xffff -> 1 */
	ecp_session_fini(&s);
	(void)state;
}

static void
queue_full_and_fifo(void **state)
{
	struct ecp_session s;
	struct ecp_session_cfg c;
	struct ecp_actions out = { .n = 0 };
	uint8_t u2[] = { 0x0a, 0x10, 0xbb };
	struct ecp_frame f;

	cfg_default(&c);
	c.queue_len = 2;
	assert_int_equal(ecp_session_init(&s, &c), 0);
	assert_int_equal(ecp_session_enqueue(&s, 0, ul, sizeof(ul), 1, &out),
	    0);
	assert_int_equal(out.n, 1);
	out.n = 0;
	/* The caller's buffer is copied: scribbling on it changes nothing. */
	assert_int_equal(ecp_session_enqueue(&s, 0, u2, sizeof(u2), 2, &out),
	    0);
	assert_int_equal(out.n, 0);		/* waits behind seq 1 */
	u2[2] = 0xcc;
	assert_int_equal(ecp_session_enqueue(&s, 0, ul, sizeof(ul), 3, &out),
	    -ENOBUFS);
	assert_int_equal(s.q_count, 2);

	rx_ack(&s, 10, 1, &out);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.a[0].type, ECP_ACT_TX_DONE);
	assert_int_equal(out.a[0].cookie, 1);
	sent(&out, 1, &f);
	assert_int_equal(f.seq, 2);
	assert_int_equal(f.ulpdu_len, 3);
	assert_int_equal(f.ulpdu[2], 0xbb);
	assert_int_equal(out.a[1].cookie, 2);
	assert_int_equal(out.deadline, 10 + 2560);

	out.n = 0;
	assert_int_equal(ecp_session_enqueue(&s, 20, ul, sizeof(ul), 3, &out),
	    0);
	assert_int_equal(s.q_count, 2);
	ecp_session_fini(&s);
	(void)state;
}

static void
enqueue_errors(void **state)
{
	static uint8_t big[ECP_MAX_PAYLOAD + 1];
	struct ecp_session s;
	struct ecp_session_cfg c;
	struct ecp_actions out = { .n = 0 };

	cfg_default(&c);
	assert_int_equal(ecp_session_init(&s, &c), 0);
	assert_int_equal(ecp_session_enqueue(&s, 0, ul, 0, 0, &out), -EINVAL);
	assert_int_equal(ecp_session_enqueue(&s, 0, NULL, 4, 0, &out), -EINVAL);
	assert_int_equal(ecp_session_enqueue(&s, 0, big, sizeof(big), 0, &out),
	    -EMSGSIZE);
	assert_int_equal(ecp_session_enqueue(&s, 0, big, ECP_MAX_PAYLOAD, 0,
	    &out), 0);
	assert_int_equal(out.a[0].len, 18 + ECP_MAX_PAYLOAD);
	/* A full action list is refused before anything changes. */
	out.n = ECP_ACT_CAP - 1;
	assert_int_equal(ecp_session_enqueue(&s, 0, ul, 4, 0, &out), -ENOSPC);
	assert_int_equal(ecp_session_tick(&s, 1 << 30, &out), -ENOSPC);
	assert_int_equal(ecp_session_rx(&s, 0, big, 40, &out), -ENOSPC);
	assert_int_equal(ecp_session_rx_accept(&s, 0, 1, &out), -ENOSPC);
	assert_int_equal(s.q_count, 1);
	assert_int_equal(s.tx_tries, 1);
	out.n = ECP_ACT_CAP - 2;		/* exactly enough room */
	assert_int_equal(ecp_session_enqueue(&s, 0, ul, 4, 0, &out), 0);
	assert_int_equal(ecp_session_enqueue(&s, 0, ul, 4, 0, NULL), -ENOSPC);
	ecp_session_fini(&s);
	(void)state;
}

static void
ack_mismatch_is_stray(void **state)
{
	struct ecp_session s;
	struct ecp_session_cfg c;
	struct ecp_actions out = { .n = 0 };
	uint8_t b[64];
	size_t n;

	cfg_default(&c);
	assert_int_equal(ecp_session_init(&s, &c), 0);
	rx_ack(&s, 0, 0, &out);			/* nothing in flight */
	assert_int_equal(out.n, 0);
	assert_int_equal(s.ctr.rx_stray_acks, 1);

	assert_int_equal(ecp_session_enqueue(&s, 0, ul, sizeof(ul), 0, &out),
	    0);
	out.n = 0;
	rx_ack(&s, 5, 2, &out);			/* wrong seq */
	rx_ack(&s, 5, 0, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(s.ctr.rx_stray_acks, 3);
	assert_int_equal(s.tx_state, ECP_TX_WAIT_ACK);
	assert_int_equal(out.deadline, 2560);	/* timer untouched */

	/* Right seq, other subtype: not ours either. */
	n = peer_frame(b, sizeof(b), br_mac, ECP_SUBTYPE_PECSP, 1, NULL, 0);
	assert_int_equal(ecp_session_rx(&s, 5, b, n, &out), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(s.ctr.rx_other_subtype, 1);

	rx_ack(&s, 6, 1, &out);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.a[0].type, ECP_ACT_TX_DONE);
	out.n = 0;
	rx_ack(&s, 7, 1, &out);			/* a second ACK: stray */
	assert_int_equal(out.n, 0);
	assert_int_equal(s.ctr.rx_stray_acks, 4);
	assert_int_equal(s.ctr.rx_acks, 1);
	ecp_session_fini(&s);
	(void)state;
}

static void
retries_exhausted(void **state)
{
	struct ecp_session s;
	struct ecp_session_cfg c;
	struct ecp_actions out = { .n = 0 };
	struct ecp_frame f;
	uint64_t t = 100;

	cfg_default(&c);
	assert_int_equal(ecp_session_init(&s, &c), 0);
	assert_int_equal(ecp_session_enqueue(&s, t, ul, sizeof(ul), 1, &out),
	    0);
	assert_int_equal(ecp_session_enqueue(&s, t, ul, sizeof(ul), 2, &out),
	    0);
	out.n = 0;
	/* Early tick: nothing. */
	assert_int_equal(ecp_session_tick(&s, t + 2559, &out), 0);
	assert_int_equal(out.n, 0);
	for (int k = 2; k <= 4; k++) {
		t += 2560;
		assert_int_equal(ecp_session_tick(&s, t, &out), 0);
		assert_int_equal(out.n, 1);
		sent(&out, 0, &f);
		assert_int_equal(f.seq, 1);		/* same seq */
		assert_int_equal(out.a[0].tries, k);
		assert_int_equal(out.deadline, t + 2560);
		out.n = 0;
	}
	t += 2560;
	assert_int_equal(ecp_session_tick(&s, t, &out), 0);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.a[0].type, ECP_ACT_TX_ERROR);
	assert_int_equal(out.a[0].cookie, 1);
	assert_int_equal(out.a[0].tries, 4);
	sent(&out, 1, &f);
	assert_int_equal(f.seq, 2);
	assert_int_equal(out.a[1].tries, 1);
	assert_int_equal(s.ctr.tx_pdus, 2);
	assert_int_equal(s.ctr.tx_retrans, 3);
	assert_int_equal(s.ctr.tx_errors, 1);

	/* A late ACK of the abandoned PDU is stray. */
	out.n = 0;
	rx_ack(&s, t, 1, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(s.ctr.rx_stray_acks, 1);

	/* R = 0: one transmission only. */
	assert_int_equal(ecp_session_set_params(&s, 0, 8), 0);
	t += 2560;
	assert_int_equal(ecp_session_tick(&s, t, &out), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.a[0].type, ECP_ACT_TX_ERROR);
	assert_int_equal(out.deadline, TIME_NEVER);
	ecp_session_fini(&s);
	(void)state;
}

static void
rte_change_mid_flight(void **state)
{
	struct ecp_session s;
	struct ecp_session_cfg c;
	struct ecp_actions out = { .n = 0 };

	cfg_default(&c);
	assert_int_equal(ecp_session_init(&s, &c), 0);
	assert_int_equal(ecp_session_enqueue(&s, 0, ul, sizeof(ul), 1, &out),
	    0);
	assert_int_equal(out.deadline, 2560);
	assert_int_equal(ecp_session_set_params(&s, 3, 10), 0);
	assert_int_equal(ecp_session_next_deadline(&s), 2560);	/* kept */
	out.n = 0;
	assert_int_equal(ecp_session_tick(&s, 2560, &out), 0);
	assert_int_equal(out.deadline, 2560 + 10240);	/* new ackTime */

	assert_int_equal(ecp_session_set_params(&s, 8, 8), -EINVAL);
	assert_int_equal(ecp_session_set_params(&s, 7, 32), -EINVAL);
	assert_int_equal(ecp_session_set_params(&s, 7, 31), 0);
	assert_int_equal(ecp_ack_time_us(0), 10);
	assert_int_equal(ecp_ack_time_us(8), 2560);
	assert_int_equal(ecp_ack_time_us(31), 10ULL << 31);
	assert_int_equal(ecp_ack_time_us(200), 10ULL << 31);
	ecp_session_fini(&s);
	(void)state;
}

static void
reject_retransmit_accept(void **state)
{
	struct ecp_session s;
	struct ecp_session_cfg c;
	struct ecp_actions out = { .n = 0 };
	uint8_t b[64];
	size_t n;
	struct ecp_frame f;

	cfg_default(&c);
	assert_int_equal(ecp_session_init(&s, &c), 0);
	n = peer_frame(b, sizeof(b), br_mac, ECP_SUBTYPE_VDP, 7, ul,
	    sizeof(ul));

	/* New: delivered, not ACKed. */
	assert_int_equal(ecp_session_rx(&s, 0, b, n, &out), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.a[0].type, ECP_ACT_DELIVER);
	assert_int_equal(out.a[0].seq, 7);
	assert_ptr_equal(out.a[0].data, b + 18);
	assert_int_equal(out.a[0].len, sizeof(ul));
	assert_memory_equal(out.a[0].peer, br_mac, 6);
	assert_int_equal(s.rx_state, ECP_RX_VERDICT);

	/* Its retransmission while we judge: dropped. */
	out.n = 0;
	assert_int_equal(ecp_session_rx(&s, 1, b, n, &out), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(s.ctr.rx_busy, 1);

	/* Wrong verdicts. */
	assert_int_equal(ecp_session_rx_accept(&s, 2, 8, &out), -ENOENT);
	assert_int_equal(ecp_session_rx_reject(&s, 2, 6, &out), -ENOENT);

	assert_int_equal(ecp_session_rx_reject(&s, 2, 7, &out), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(s.ctr.rx_rejects, 1);
	assert_int_equal(s.rx_state, ECP_RX_READY);
	assert_int_equal(ecp_session_rx_reject(&s, 2, 7, &out), -ENOENT);

	/* The retransmission is judged again, then accepted. */
	assert_int_equal(ecp_session_rx(&s, 3, b, n, &out), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.a[0].type, ECP_ACT_DELIVER);
	out.n = 0;
	assert_int_equal(ecp_session_rx_accept(&s, 4, 7, &out), 0);
	assert_int_equal(out.n, 1);
	sent(&out, 0, &f);
	assert_int_equal(f.op, ECP_OP_ACK);
	assert_int_equal(f.seq, 7);
	assert_memory_equal(f.dst, ecp_mac_ncb, 6);	/* group mode */
	assert_memory_equal(f.src, st_mac, 6);
	assert_int_equal(out.a[0].len, 18);
	assert_int_equal(ecp_session_rx_accept(&s, 4, 7, &out), -ENOENT);

	/* Now a duplicate: ACKed again, not delivered. */
	out.n = 0;
	assert_int_equal(ecp_session_rx(&s, 5, b, n, &out), 0);
	assert_int_equal(out.n, 1);
	sent(&out, 0, &f);
	assert_int_equal(f.seq, 7);
	assert_int_equal(s.ctr.rx_dups, 1);
	assert_int_equal(s.ctr.rx_pdus, 2);
	assert_int_equal(s.ctr.tx_acks, 2);
	ecp_session_fini(&s);
	(void)state;
}

/*
 * Review finding: a request with a new seq must not displace the PDU
 * awaiting its verdict (an unauthenticated frame could push an authentic
 * PDU out); it is dropped and counted in rx_busy.
 */
static void
new_seq_dropped_while_held(void **state)
{
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x66 };
	static const uint8_t forged[] = { 0x0a, 0x10, 9, 9, 9, 9 };
	struct ecp_session s;
	struct ecp_session_cfg c;
	struct ecp_actions out = { .n = 0 };
	uint8_t b[64], b2[64];
	size_t n, n2;
	struct ecp_frame f;

	cfg_default(&c);
	assert_int_equal(ecp_session_init(&s, &c), 0);
	n = peer_frame(b, sizeof(b), br_mac, ECP_SUBTYPE_VDP, 0, ul,
	    sizeof(ul));
	/* The first PDU is new even with seq 0 (nothing accepted yet). */
	assert_int_equal(ecp_session_rx(&s, 0, b, n, &out), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.a[0].type, ECP_ACT_DELIVER);
	assert_int_equal(out.a[0].seq, 0);

	/* New seqs, from the peer or anyone else: dropped, nothing sent. */
	for (uint16_t seq = 1; seq <= 3; seq++) {
		n2 = peer_frame(b2, sizeof(b2), seq == 2 ? other : br_mac,
		    ECP_SUBTYPE_VDP, seq, forged, sizeof(forged));
		out.n = 0;
		assert_int_equal(ecp_session_rx(&s, seq, b2, n2, &out), 0);
		assert_int_equal(out.n, 0);
		assert_int_equal(s.rx_state, ECP_RX_VERDICT);
		assert_int_equal(s.rx_pend_seq, 0);
		assert_memory_equal(s.rx_pend_src, br_mac, 6);
		assert_int_equal(s.ctr.rx_busy, seq);
	}
	assert_int_equal(s.ctr.rx_pdus, 1);
	/* The dropped ones have no verdict slot; the held one still has. */
	assert_int_equal(ecp_session_rx_accept(&s, 4, 1, &out), -ENOENT);
	assert_int_equal(ecp_session_rx_reject(&s, 4, 3, &out), -ENOENT);
	assert_int_equal(ecp_session_rx_accept(&s, 4, 0, &out), 0);
	assert_int_equal(out.n, 1);
	sent(&out, 0, &f);
	assert_int_equal(f.op, ECP_OP_ACK);
	assert_int_equal(f.seq, 0);
	assert_int_equal(s.rx_state, ECP_RX_READY);

	/* Once the verdict is given, the peer's new seq is delivered. */
	out.n = 0;
	n2 = peer_frame(b2, sizeof(b2), br_mac, ECP_SUBTYPE_VDP, 1, ul,
	    sizeof(ul));
	assert_int_equal(ecp_session_rx(&s, 5, b2, n2, &out), 0);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.a[0].type, ECP_ACT_DELIVER);
	assert_int_equal(out.a[0].seq, 1);
	/* while that one is judged, a duplicate of seq 0 is still re-ACKed */
	out.n = 0;
	assert_int_equal(ecp_session_rx(&s, 6, b, n, &out), 0);
	assert_int_equal(out.n, 1);
	sent(&out, 0, &f);
	assert_int_equal(f.op, ECP_OP_ACK);
	assert_int_equal(f.seq, 0);
	assert_int_equal(s.ctr.rx_dups, 1);
	assert_int_equal(s.rx_pend_seq, 1);
	out.n = 0;
	assert_int_equal(ecp_session_rx_reject(&s, 7, 1, &out), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(s.ctr.rx_busy, 3);
	assert_int_equal(s.ctr.rx_pdus, 2);
	ecp_session_fini(&s);
	(void)state;
}

static void
auto_ack_acks_then_delivers(void **state)
{
	struct ecp_session s;
	struct ecp_session_cfg c;
	struct ecp_actions out = { .n = 0 };
	uint8_t b[64];
	size_t n;
	struct ecp_frame f;

	cfg_default(&c);
	c.auto_ack = 1;
	c.pad = 1;
	assert_int_equal(ecp_session_init(&s, &c), 0);
	n = peer_frame(b, sizeof(b), br_mac, ECP_SUBTYPE_VDP, 0x3e9, ul,
	    sizeof(ul));
	assert_int_equal(ecp_session_rx(&s, 0, b, n, &out), 0);
	assert_int_equal(out.n, 2);
	sent(&out, 0, &f);
	assert_int_equal(f.op, ECP_OP_ACK);
	assert_int_equal(f.seq, 0x3e9);
	assert_int_equal(out.a[0].len, 60);		/* pad option */
	assert_int_equal(out.a[1].type, ECP_ACT_DELIVER);
	assert_int_equal(s.rx_state, ECP_RX_READY);
	assert_int_equal(ecp_session_rx_accept(&s, 0, 0x3e9, &out), -ENOENT);
	ecp_session_fini(&s);
	(void)state;
}

static void
addressing_modes(void **state)
{
	struct ecp_session s;
	struct ecp_session_cfg c;
	struct ecp_actions out = { .n = 0 };
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x09 };
	uint8_t b[64];
	size_t n;
	struct ecp_frame f;

	/* Unicast: requests to the peer, ACKs to the PDU's source. */
	cfg_default(&c);
	c.dst_mode = ECP_DST_UNICAST;
	c.auto_ack = 1;
	assert_int_equal(ecp_session_init(&s, &c), 0);
	assert_int_equal(ecp_session_enqueue(&s, 0, ul, sizeof(ul), 1, &out),
	    0);
	sent(&out, 0, &f);
	assert_memory_equal(f.dst, br_mac, 6);
	out.n = 0;
	n = peer_frame(b, sizeof(b), other, ECP_SUBTYPE_VDP, 4, ul,
	    sizeof(ul));
	assert_int_equal(ecp_session_rx(&s, 0, b, n, &out), 0);
	sent(&out, 0, &f);
	assert_memory_equal(f.dst, other, 6);
	out.n = 0;
	assert_int_equal(ecp_session_rx(&s, 0, b, n, &out), 0);	/* dup */
	sent(&out, 0, &f);
	assert_memory_equal(f.dst, other, 6);

	/* Switch to a non-reserved group: requests there, ACKs unicast. */
	assert_int_equal(ecp_session_set_dst(&s, ECP_DST_MCAST, mc_mac), 0);
	out.n = 0;
	rx_ack(&s, 1, 1, &out);
	assert_int_equal(ecp_session_enqueue(&s, 2, ul, sizeof(ul), 2, &out),
	    0);
	sent(&out, 1, &f);
	assert_memory_equal(f.dst, mc_mac, 6);
	out.n = 0;
	n = peer_frame(b, sizeof(b), br_mac, ECP_SUBTYPE_VDP, 5, ul,
	    sizeof(ul));
	assert_int_equal(ecp_session_rx(&s, 0, b, n, &out), 0);
	sent(&out, 0, &f);
	assert_memory_equal(f.dst, br_mac, 6);

	/* Back to the group address: everything to 01-80-C2-00-00-00. */
	assert_int_equal(ecp_session_set_dst(&s, ECP_DST_GROUP, NULL), 0);
	out.n = 0;
	n = peer_frame(b, sizeof(b), br_mac, ECP_SUBTYPE_VDP, 6, ul,
	    sizeof(ul));
	assert_int_equal(ecp_session_rx(&s, 0, b, n, &out), 0);
	sent(&out, 0, &f);
	assert_memory_equal(f.dst, ecp_mac_ncb, 6);
	out.n = 0;
	assert_int_equal(ecp_session_tick(&s, 1 << 20, &out), 0); /* resend */
	sent(&out, 0, &f);
	assert_memory_equal(f.dst, ecp_mac_ncb, 6);
	ecp_session_fini(&s);
	(void)state;
}

static void
destination_checks(void **state)
{
	static const struct {
		enum ecp_dst_mode mode;
		uint8_t mac[6];
		int rc;
	} t[] = {
		{ ECP_DST_GROUP, { 0 }, 0 },
		{ ECP_DST_UNICAST, { 0x02, 0, 0, 0, 0, 2 }, 0 },
		{ ECP_DST_UNICAST, { 0 }, -EINVAL },
		{ ECP_DST_UNICAST, { 0x03, 0, 0, 0, 0, 2 }, -EINVAL },
		{ ECP_DST_MCAST, { 0x03, 0, 0, 0, 0x12, 0x34 }, 0 },
		{ ECP_DST_MCAST, { 0x01, 0x80, 0xc2, 0, 0, 0x10 }, 0 },
		{ ECP_DST_MCAST, { 0x01, 0x80, 0xc2, 0, 0, 0x00 }, -EINVAL },
		{ ECP_DST_MCAST, { 0x01, 0x80, 0xc2, 0, 0, 0x03 }, -EINVAL },
		{ ECP_DST_MCAST, { 0x01, 0x80, 0xc2, 0, 0, 0x0e }, -EINVAL },
		{ ECP_DST_MCAST, { 0x01, 0x80, 0xc2, 0, 0, 0x0f }, -EINVAL },
		{ ECP_DST_MCAST, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		    -EINVAL },
		{ ECP_DST_MCAST, { 0x02, 0, 0, 0, 0, 2 }, -EINVAL },
		{ ECP_DST_MAX, { 0x02, 0, 0, 0, 0, 2 }, -EINVAL },
	};
	struct ecp_session s;
	struct ecp_session_cfg c;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(ecp_check_dst(t[i].mode, t[i].mac), t[i].rc);
	assert_int_equal(ecp_check_dst(ECP_DST_UNICAST, NULL), -EINVAL);
	assert_int_equal(ecp_check_dst(ECP_DST_MCAST, NULL), -EINVAL);

	cfg_default(&c);
	c.dst_mode = ECP_DST_MCAST;
	memcpy(c.mcast_mac, ecp_mac_nb, 6);
	assert_int_equal(ecp_session_init(&s, &c), -EINVAL);
	memcpy(c.mcast_mac, mc_mac, 6);
	assert_int_equal(ecp_session_init(&s, &c), 0);
	assert_int_equal(ecp_session_set_dst(&s, ECP_DST_MCAST, ecp_mac_ncb),
	    -EINVAL);
	assert_int_equal(s.cfg.dst_mode, ECP_DST_MCAST);	/* unchanged */
	assert_memory_equal(s.cfg.mcast_mac, mc_mac, 6);
	ecp_session_fini(&s);
	(void)state;
}

static void
init_errors(void **state)
{
	struct ecp_session s;
	struct ecp_session_cfg c;

	cfg_default(&c);
	assert_int_equal(ecp_session_init(NULL, &c), -EINVAL);
	assert_int_equal(ecp_session_init(&s, NULL), -EINVAL);
	c.r = 8;
	assert_int_equal(ecp_session_init(&s, &c), -EINVAL);
	c.r = 7;
	c.rte = 32;
	assert_int_equal(ecp_session_init(&s, &c), -EINVAL);
	c.rte = 31;
	c.subtype = 0x400;
	assert_int_equal(ecp_session_init(&s, &c), -EINVAL);
	c.subtype = 0;
	c.queue_len = 100000;
	assert_int_equal(ecp_session_init(&s, &c), -EINVAL);
	c.queue_len = 0;
	c.dst_mode = ECP_DST_UNICAST;
	memset(c.peer_mac, 0, 6);
	assert_int_equal(ecp_session_init(&s, &c), -EINVAL);
	c.dst_mode = ECP_DST_GROUP;
	assert_int_equal(ecp_session_init(&s, &c), 0);
	assert_int_equal(s.cfg.subtype, ECP_SUBTYPE_VDP);
	assert_int_equal(s.cfg.queue_len, ECP_QUEUE_DEFAULT);
	ecp_session_fini(&s);
	ecp_session_fini(NULL);
	(void)state;
}

static void
decode_errors_counted(void **state)
{
	struct ecp_session s;
	struct ecp_session_cfg c;
	struct ecp_actions out = { .n = 0 };
	uint8_t b[64];
	size_t n;

	cfg_default(&c);
	assert_int_equal(ecp_session_init(&s, &c), 0);
	n = peer_frame(b, sizeof(b), br_mac, ECP_SUBTYPE_VDP, 1, NULL, 0);
	assert_int_equal(ecp_session_rx(&s, 0, b, n - 1, &out), -EBADMSG);
	b[14] = 0x20;				/* version 2 */
	assert_int_equal(ecp_session_rx(&s, 0, b, n, &out),
	    -EPROTONOSUPPORT);
	assert_int_equal(out.n, 0);
	assert_int_equal(out.deadline, TIME_NEVER);
	assert_int_equal(s.ctr.rx_decode_errors, 2);
	assert_int_equal(s.ctr.rx_derr[ECP_DERR_SHORT], 1);
	assert_int_equal(s.ctr.rx_derr[ECP_DERR_VERSION], 1);
	assert_int_equal(ecp_session_rx_frame(&s, 0, NULL, &out), -EINVAL);
	ecp_session_fini(&s);
	(void)state;
}

static void
name_tables(void **state)
{
	for (int i = 0; i < ECP_ACT_MAX; i++)
		assert_non_null(ecp_act_names[i]);
	for (int i = 0; i < ECP_TX_STATE_MAX; i++)
		assert_non_null(ecp_tx_state_names[i]);
	for (int i = 0; i < ECP_RX_STATE_MAX; i++)
		assert_non_null(ecp_rx_state_names[i]);
	for (int i = 0; i < ECP_TX_EVENT_MAX; i++)
		assert_non_null(ecp_tx_event_names[i]);
	for (int i = 0; i < ECP_RX_EVENT_MAX; i++)
		assert_non_null(ecp_rx_event_names[i]);
	for (int i = 0; i < ECP_DST_MAX; i++)
		assert_non_null(ecp_dst_mode_names[i]);
	(void)state;
}

/*
 * Two sessions of one bridge port sharing a sequence counter (several
 * stations behind a plain bridge hear every group-addressed PDU): the
 * PDUs they send carry one increasing sequence, skipping 0 on wrap, and
 * each session still matches ACKs against its own PDU in flight.
 */
static void
shared_sequence_counter(void **state)
{
	static const uint8_t peer2[6] = { 0x02, 0, 0, 0, 0, 0x09 };
	struct ecp_session a, b;
	struct ecp_session_cfg ca, cb;
	struct ecp_actions out = { .n = 0 };
	struct ecp_frame f;
	uint16_t shared = 0;

	cfg_default(&ca);
	ca.seq_src = &shared;
	cb = ca;
	memcpy(cb.peer_mac, peer2, 6);
	assert_int_equal(ecp_session_init(&a, &ca), 0);
	assert_int_equal(ecp_session_init(&b, &cb), 0);
	assert_int_equal(ecp_session_enqueue(&a, 0, ul, sizeof(ul), 1, &out), 0);
	sent(&out, 0, &f);
	assert_int_equal(f.seq, 1);
	out.n = 0;
	assert_int_equal(ecp_session_enqueue(&b, 0, ul, sizeof(ul), 2, &out), 0);
	sent(&out, 0, &f);
	assert_int_equal(f.seq, 2);
	out.n = 0;
	/* b's seq is 2: an ACK of 1 is stray for b, right for a */
	rx_ack(&b, 5, 1, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(b.ctr.rx_stray_acks, 1);
	rx_ack(&a, 5, 1, &out);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.a[0].type, ECP_ACT_TX_DONE);
	out.n = 0;
	/* wrap: 0xffff then 1, shared by both */
	shared = 0xfffe;
	assert_int_equal(ecp_session_enqueue(&a, 6, ul, sizeof(ul), 3, &out), 0);
	sent(&out, 0, &f);
	assert_int_equal(f.seq, 0xffff);
	out.n = 0;
	rx_ack(&b, 7, 2, &out);
	out.n = 0;
	assert_int_equal(ecp_session_enqueue(&b, 8, ul, sizeof(ul), 4, &out), 0);
	sent(&out, 0, &f);
	assert_int_equal(f.seq, 1);
	assert_int_equal(shared, 1);
	ecp_session_fini(&a);
	ecp_session_fini(&b);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_exchange_with_lldpad_frames),
		cmocka_unit_test(sequence_wraps_skipping_zero),
		cmocka_unit_test(queue_full_and_fifo),
		cmocka_unit_test(shared_sequence_counter),
		cmocka_unit_test(enqueue_errors),
		cmocka_unit_test(ack_mismatch_is_stray),
		cmocka_unit_test(retries_exhausted),
		cmocka_unit_test(rte_change_mid_flight),
		cmocka_unit_test(reject_retransmit_accept),
		cmocka_unit_test(new_seq_dropped_while_held),
		cmocka_unit_test(auto_ack_acks_then_delivers),
		cmocka_unit_test(addressing_modes),
		cmocka_unit_test(destination_checks),
		cmocka_unit_test(init_errors),
		cmocka_unit_test(decode_errors_counted),
		cmocka_unit_test(name_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
