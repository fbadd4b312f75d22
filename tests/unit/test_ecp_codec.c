/*
 * test_ecp_codec.c - the ECP22 frame codec (lib/ecp/ecp_codec.c): lldpad's
 * real frames as golden vectors, every decode error with its errno, the
 * edge lengths (17/18/19 octets, 60/61 for ACK padding, 1514/1515 for
 * the MTU), tagged frames, and every encoder error.
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

/* lldpad-interop.md 3.2: station Associate, 71 octets, seq 1. */
static const char lldpad_assoc[] =
    "01 80 c2 00 00 00 02 00 00 00 00 01 89 40 10 01"
    "00 01 0a 10 6d 67 72 31 00 00 00 00 00 00 00 00"
    "00 00 00 00 06 21 00 00 00 05 04 05 00 11 22 33"
    "44 55 66 77 88 99 aa bb cc dd ee ff 02 00 01 52"
    "54 00 11 22 33 00 64";

/* lldpad-interop.md 4.3: bridge ACK of seq 1, 18 octets. */
static const char lldpad_ack[] =
    "01 80 c2 00 00 00 02 00 00 00 00 02 89 40 14 01 00 01";

/* lldpad-interop.md 4.7: bridge-initiated De-Associate, seq 0x25. */
static const char lldpad_deassoc[] =
    "01 80 c2 00 00 00 02 00 00 00 00 02 89 40 10 01"
    "00 25 0a 10 6d 67 72 31 00 00 00 00 00 00 00 00"
    "00 00 00 00 08 21 00 00 00 07 01 05 33 33 33 33"
    "22 22 33 33 44 44 55 55 55 55 55 55 02 00 01 52"
    "54 00 33 33 33 01 2c";

static size_t
hex(const char *text, uint8_t *out, size_t cap)
{
	long n = hex_decode(text, out, cap);

	assert_true(n >= 0);
	return (size_t)n;
}

/* An untagged frame header with the given first ECP word and seq. */
static size_t
mkhdr(uint8_t *b, uint16_t etype, uint16_t w0, uint16_t seq)
{
	memcpy(b, ecp_mac_ncb, 6);
	memcpy(b + 6, "\x02\x00\x00\x00\x00\x01", 6);
	b[12] = (uint8_t)(etype >> 8);
	b[13] = (uint8_t)etype;
	b[14] = (uint8_t)(w0 >> 8);
	b[15] = (uint8_t)w0;
	b[16] = (uint8_t)(seq >> 8);
	b[17] = (uint8_t)seq;
	return 18;
}

static void
expect_derr(const uint8_t *b, size_t len, enum ecp_derr want, int err)
{
	struct ecp_frame f;
	enum ecp_derr why = ECP_DERR_MAX;

	assert_int_equal(ecp_frame_decode(b, len, &f, &why), err);
	assert_int_equal(why, want);
	assert_int_equal(ecp_derr_errno(want), err);
}

static void
golden_lldpad_associate(void **state)
{
	uint8_t b[128], out[128];
	size_t n = hex(lldpad_assoc, b, sizeof(b));
	struct ecp_frame f;
	enum ecp_derr why;

	assert_int_equal(n, 71);
	assert_int_equal(ecp_frame_decode(b, n, &f, &why), 0);
	assert_int_equal(why, ECP_DERR_NONE);
	assert_memory_equal(f.dst, ecp_mac_ncb, 6);
	assert_memory_equal(f.src, "\x02\x00\x00\x00\x00\x01", 6);
	assert_false(f.tagged);
	assert_int_equal(f.vid, -1);
	assert_int_equal(f.version, 1);
	assert_int_equal(f.op, ECP_OP_REQ);
	assert_int_equal(f.subtype, ECP_SUBTYPE_VDP);
	assert_int_equal(f.seq, 1);
	assert_ptr_equal(f.ulpdu, b + 18);
	assert_int_equal(f.ulpdu_len, 53);
	assert_int_equal(f.ulpdu[0], 0x0a);	/* Manager ID TLV */
	assert_int_equal(f.ulpdu[1], 0x10);

	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, 0), 71);
	assert_memory_equal(out, b, 71);
	/* Exact fit, then one octet short. */
	assert_int_equal(ecp_frame_encode(out, 71, &f, 0), 71);
	assert_int_equal(ecp_frame_encode(out, 70, &f, 0), -ENOBUFS);
	(void)state;
}

static void
golden_lldpad_ack(void **state)
{
	uint8_t b[32], out[64];
	size_t n = hex(lldpad_ack, b, sizeof(b));
	struct ecp_frame f;

	assert_int_equal(n, 18);
	assert_int_equal(ecp_frame_decode(b, n, &f, NULL), 0);
	assert_int_equal(f.op, ECP_OP_ACK);
	assert_int_equal(f.subtype, ECP_SUBTYPE_VDP);
	assert_int_equal(f.seq, 1);
	assert_null(f.ulpdu);
	assert_int_equal(f.ulpdu_len, 0);
	assert_int_equal(f.pad, 0);
	assert_memory_equal(f.src, "\x02\x00\x00\x00\x00\x02", 6);

	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, 0), 18);
	assert_memory_equal(out, b, 18);
	assert_int_equal(ecp_frame_encode(out, 18, &f, 0), 18);
	assert_int_equal(ecp_frame_encode(out, 17, &f, 0), -ENOBUFS);

	/* Padded form: 60 octets, zeros after the header. */
	memset(out, 0xee, sizeof(out));
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, ECP_ENC_PAD),
	    60);
	assert_memory_equal(out, b, 18);
	for (size_t i = 18; i < 60; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(out[60], 0xee);
	assert_int_equal(ecp_frame_encode(out, 59, &f, ECP_ENC_PAD), -ENOBUFS);
	(void)state;
}

static void
golden_lldpad_deassoc(void **state)
{
	uint8_t b[128], out[128];
	size_t n = hex(lldpad_deassoc, b, sizeof(b));
	struct ecp_frame f;

	assert_int_equal(ecp_frame_decode(b, n, &f, NULL), 0);
	assert_int_equal(f.seq, 0x25);
	assert_int_equal(f.ulpdu[18], 0x08);	/* De-Assoc TLV */
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, 0), (int)n);
	assert_memory_equal(out, b, n);
	(void)state;
}

/* wire-formats.md 1.2: request word 0x1001, its ACK 0x1401 (seq 0x1224). */
static void
header_words(void **state)
{
	static const uint8_t ul[] = { 0x0a, 0x10 };
	uint8_t out[64];
	struct ecp_frame f;

	memset(&f, 0, sizeof(f));
	memcpy(f.dst, ecp_mac_ncb, 6);
	f.version = ECP_VERSION;
	f.op = ECP_OP_REQ;
	f.subtype = ECP_SUBTYPE_VDP;
	f.seq = 0x1224;
	f.ulpdu = ul;
	f.ulpdu_len = sizeof(ul);
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, 0), 20);
	assert_memory_equal(out + 12, "\x89\x40\x10\x01\x12\x24\x0a\x10", 8);

	f.op = ECP_OP_ACK;
	f.ulpdu = NULL;
	f.ulpdu_len = 0;
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, 0), 18);
	assert_memory_equal(out + 12, "\x89\x40\x14\x01\x12\x24", 6);

	f.subtype = ECP_SUBTYPE_PECSP;
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, 0), 18);
	assert_memory_equal(out + 14, "\x14\x02", 2);
	assert_int_equal(ecp_frame_decode(out, 18, &f, NULL), 0);
	assert_int_equal(f.subtype, ECP_SUBTYPE_PECSP);
	(void)state;
}

static void
edge_lengths(void **state)
{
	uint8_t b[2048];
	struct ecp_frame f;

	memset(b, 0, sizeof(b));
	mkhdr(b, ETH_P_ECP22, 0x1001, 5);
	expect_derr(b, 0, ECP_DERR_SHORT, -EBADMSG);
	expect_derr(b, 13, ECP_DERR_SHORT, -EBADMSG);	/* no EtherType */
	expect_derr(b, 14, ECP_DERR_SHORT, -EBADMSG);	/* no ECP header */
	expect_derr(b, 17, ECP_DERR_SHORT, -EBADMSG);	/* one short */
	expect_derr(b, 18, ECP_DERR_EMPTY, -ENODATA);	/* request, no data */
	assert_int_equal(ecp_frame_decode(b, 19, &f, NULL), 0);
	assert_int_equal(f.ulpdu_len, 1);

	mkhdr(b, ETH_P_ECP22, 0x1401, 5);
	expect_derr(b, 17, ECP_DERR_SHORT, -EBADMSG);
	assert_int_equal(ecp_frame_decode(b, 18, &f, NULL), 0);
	assert_int_equal(f.pad, 0);
	assert_int_equal(ecp_frame_decode(b, 19, &f, NULL), 0);
	assert_int_equal(f.pad, 1);

	/* MTU: 1496 octets after the ECP header fit, 1497 do not. */
	mkhdr(b, ETH_P_ECP22, 0x1001, 5);
	assert_int_equal(ecp_frame_decode(b, 18 + ECP_MAX_PAYLOAD, &f, NULL), 0);
	assert_int_equal(f.ulpdu_len, 1496);
	expect_derr(b, 18 + ECP_MAX_PAYLOAD + 1, ECP_DERR_OVERSIZE, -EMSGSIZE);
	(void)state;
}

static void
padded_ack(void **state)
{
	uint8_t b[80];
	struct ecp_frame f;

	memset(b, 0, sizeof(b));
	mkhdr(b, ETH_P_ECP22, 0x1401, 0x1224);
	assert_int_equal(ecp_frame_decode(b, 60, &f, NULL), 0);
	assert_int_equal(f.op, ECP_OP_ACK);
	assert_int_equal(f.seq, 0x1224);
	assert_int_equal(f.pad, 42);
	/* Padding content is not ours to check. */
	b[59] = 0x5a;
	assert_int_equal(ecp_frame_decode(b, 60, &f, NULL), 0);
	/* Past the minimum frame it is data, which an ACK may not carry. */
	expect_derr(b, 61, ECP_DERR_ACK_DATA, -EPROTO);
	(void)state;
}

static void
tagged_frames(void **state)
{
	uint8_t b[128], t[140], out[140];
	size_t n = hex(lldpad_assoc, b, sizeof(b));
	struct ecp_frame f;

	/* Insert 81 00 20 64 (PCP 1, VID 100) after the source MAC. */
	memcpy(t, b, 12);
	memcpy(t + 12, "\x81\x00\x20\x64", 4);
	memcpy(t + 16, b + 12, n - 12);
	assert_int_equal(ecp_frame_decode(t, n + 4, &f, NULL), 0);
	assert_true(f.tagged);
	assert_int_equal(f.tci, 0x2064);
	assert_int_equal(f.vid, 100);
	assert_int_equal(f.seq, 1);
	assert_ptr_equal(f.ulpdu, t + 22);
	assert_int_equal(f.ulpdu_len, 53);
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, 0), (int)n + 4);
	assert_memory_equal(out, t, n + 4);

	/* Tagged edges: 21 short, 22 is a whole ACK, 64 padded ACK, 65 not. */
	memset(t, 0, sizeof(t));
	memcpy(t + 12, "\x81\x00\x00\x05\x89\x40\x14\x01\x00\x09", 10);
	expect_derr(t, 15, ECP_DERR_SHORT, -EBADMSG);	/* half a tag */
	expect_derr(t, 17, ECP_DERR_SHORT, -EBADMSG);	/* no EtherType */
	expect_derr(t, 21, ECP_DERR_SHORT, -EBADMSG);
	assert_int_equal(ecp_frame_decode(t, 22, &f, NULL), 0);
	assert_int_equal(f.vid, 5);
	assert_int_equal(f.seq, 9);
	assert_int_equal(ecp_frame_decode(t, 64, &f, NULL), 0);
	assert_int_equal(f.pad, 42);
	expect_derr(t, 65, ECP_DERR_ACK_DATA, -EPROTO);

	/* Two tags: the inner 0x8100 is not our EtherType. */
	memcpy(t + 12, "\x81\x00\x00\x05\x81\x00\x00\x06\x89\x40\x14\x01", 12);
	expect_derr(t, 30, ECP_DERR_ETHERTYPE, -ENOMSG);
	(void)state;
}

static void
every_decode_error(void **state)
{
	static const struct {
		uint16_t etype, w0;
		enum ecp_derr why;
		int err;
	} t[] = {
		{ 0x88cc, 0x1001, ECP_DERR_ETHERTYPE, -ENOMSG },
		{ 0x88b7, 0x1001, ECP_DERR_ETHERTYPE, -ENOMSG },  /* draft 0.2 */
		{ 0x8940, 0x0001, ECP_DERR_VERSION, -EPROTONOSUPPORT },
		{ 0x8940, 0x2001, ECP_DERR_VERSION, -EPROTONOSUPPORT },
		{ 0x8940, 0xf401, ECP_DERR_VERSION, -EPROTONOSUPPORT },
		{ 0x8940, 0x1801, ECP_DERR_OP, -EOPNOTSUPP },
		{ 0x8940, 0x1c01, ECP_DERR_OP, -EOPNOTSUPP },
		{ 0x8940, 0x1000, ECP_DERR_SUBTYPE, -ENOPROTOOPT },
		{ 0x8940, 0x1003, ECP_DERR_SUBTYPE, -ENOPROTOOPT },
		{ 0x8940, 0x13ff, ECP_DERR_SUBTYPE, -ENOPROTOOPT },
		{ 0x8940, 0x1001, ECP_DERR_NONE, 0 },
		{ 0x8940, 0x1002, ECP_DERR_NONE, 0 },
	};
	uint8_t b[40];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(b, 0x11, sizeof(b));
		mkhdr(b, t[i].etype, t[i].w0, 1);
		expect_derr(b, sizeof(b), t[i].why, t[i].err);
	}

	/* Arguments. */
	struct ecp_frame f;

	assert_int_equal(ecp_frame_decode(NULL, 18, &f, NULL), -EINVAL);
	assert_int_equal(ecp_frame_decode(b, 18, NULL, NULL), -EINVAL);
	(void)state;
}

static void
reason_table(void **state)
{
	for (int i = 0; i < ECP_DERR_MAX; i++) {
		assert_non_null(ecp_derr_names[i]);
		/* Every reason has its own errno. */
		for (int j = 0; j < i; j++)
			assert_int_not_equal(ecp_derr_errno(i), ecp_derr_errno(j));
	}
	assert_int_equal(ecp_derr_errno(ECP_DERR_NONE), 0);
	assert_int_equal(ecp_derr_errno(ECP_DERR_MAX), -EINVAL);
	assert_string_equal(ecp_derr_names[ECP_DERR_ACK_DATA], "ack-with-data");
	(void)state;
}

static void
encode_errors(void **state)
{
	static uint8_t big[ECP_MAX_PAYLOAD + 1];
	uint8_t out[ECP_MAX_FRAME + 8];
	struct ecp_frame f, g;

	memset(&f, 0, sizeof(f));
	f.version = ECP_VERSION;
	f.op = ECP_OP_REQ;
	f.subtype = ECP_SUBTYPE_VDP;
	f.ulpdu = big;
	f.ulpdu_len = ECP_MAX_PAYLOAD;

	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, 0),
	    18 + ECP_MAX_PAYLOAD);
	assert_int_equal(ecp_frame_decode(out, 18 + ECP_MAX_PAYLOAD, &g, NULL),
	    0);
	f.ulpdu_len = ECP_MAX_PAYLOAD + 1;
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, 0), -EMSGSIZE);
	f.ulpdu_len = 0;
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, 0), -EINVAL);
	f.ulpdu_len = 4;
	f.ulpdu = NULL;
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, 0), -EINVAL);
	f.ulpdu = big;

	g = f;
	g.version = 2;
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &g, 0), -EINVAL);
	g = f;
	g.op = 2;
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &g, 0), -EINVAL);
	g.op = 3;
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &g, 0), -EINVAL);
	g = f;
	g.subtype = 0x400;
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &g, 0), -EINVAL);
	g.subtype = 0x3ff;	/* encodable, even though decode refuses it */
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &g, 0), 22);
	g = f;
	g.op = ECP_OP_ACK;	/* an ACK with data */
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &g, 0), -EINVAL);

	assert_int_equal(ecp_frame_encode(NULL, 10, &f, 0), -EINVAL);
	assert_int_equal(ecp_frame_encode(out, sizeof(out), NULL, 0), -EINVAL);
	assert_int_equal(ecp_frame_encode(out, 0, &f, 0), -ENOBUFS);

	/* A short request is padded; one already longer than 60 is not. */
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, ECP_ENC_PAD),
	    60);
	f.ulpdu_len = 50;
	assert_int_equal(ecp_frame_encode(out, sizeof(out), &f, ECP_ENC_PAD),
	    68);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(golden_lldpad_associate),
		cmocka_unit_test(golden_lldpad_ack),
		cmocka_unit_test(golden_lldpad_deassoc),
		cmocka_unit_test(header_words),
		cmocka_unit_test(edge_lengths),
		cmocka_unit_test(padded_ack),
		cmocka_unit_test(tagged_frames),
		cmocka_unit_test(every_decode_error),
		cmocka_unit_test(reason_table),
		cmocka_unit_test(encode_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
