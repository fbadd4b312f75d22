/*
 * test_lldp_codec.c - the LLDPDU codec of lib/lldp: lldpad's real frame
 * (lldpad-interop.md 3.4) decoded field by field and re-encoded byte for
 * byte, lldpad's four EVB TLVs, our two TLVs, every error reason with its
 * errno, and the edge lengths (exact fit, one short, one too many).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ext/nvo3_ext_codes.h"
#include "lldp/lldp.h"
#include "util/hex.h"

#define ETH	"01 80 c2 00 00 00 02 00 00 00 00 01 88 cc "
#define CHASSIS	"02 07 04 02 00 00 00 00 01 "
#define PORT	"04 07 03 02 00 00 00 00 01 "
#define TTL	"06 02 00 78 "
#define MAND	ETH CHASSIS PORT TTL
#define EVB_ST	"fe 09 00 80 c2 0d 00 04 68 94 14 "
#define END	"00 00"

/* The frame of lldpad-interop.md 3.4, exactly. */
static const char lldpad_frame[] = MAND EVB_ST END;

static size_t
hx(const char *text, uint8_t *out, size_t cap)
{
	long n = hex_decode(text, out, cap);

	assert_true(n >= 0);
	return (size_t)n;
}

static int
dec(const char *text, struct lldp_pdu *p, enum lldp_err *why)
{
	uint8_t b[1600];
	size_t n = hx(text, b, sizeof(b));

	return lldp_pdu_decode(b, n, p, why);
}

static void
lldpad_frame_field_by_field(void **state)
{
	uint8_t in[128], out[128];
	struct lldp_pdu p;
	enum lldp_err why;
	size_t n = hx(lldpad_frame, in, sizeof(in));
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

	assert_int_equal(n, 49);
	assert_int_equal(lldp_pdu_decode(in, n, &p, &why), 0);
	assert_int_equal(why, LLDP_E_NONE);
	assert_memory_equal(p.dst, lldp_mac_ncb, 6);
	assert_memory_equal(p.src, mac, 6);
	assert_int_equal(p.chassis.subtype, 4);
	assert_int_equal(p.chassis.len, 6);
	assert_memory_equal(p.chassis.id, mac, 6);
	assert_int_equal(p.port.subtype, 3);
	assert_int_equal(p.port.len, 6);
	assert_memory_equal(p.port.id, mac, 6);
	assert_int_equal(p.ttl, 120);
	assert_true(p.has_evb);
	assert_false(p.has_caps);
	assert_false(p.has_ecpdest);
	assert_false(p.no_end);
	assert_int_equal(p.len, 49);
	assert_int_equal(p.nunknown, 0);
	assert_int_equal(p.nunknown_org, 0);
	/* 00 04 68 94 14 */
	assert_false(p.evb.bgid);
	assert_false(p.evb.rrcap);
	assert_false(p.evb.rrctr);
	assert_false(p.evb.sgid);
	assert_true(p.evb.rrreq);
	assert_int_equal(p.evb.rrstat, 0);
	assert_int_equal(p.evb.r, 3);
	assert_int_equal(p.evb.rte, 8);
	assert_int_equal(p.evb.mode, LLDP_EVB_MODE_STATION);
	assert_false(p.evb.rwd_rol);
	assert_int_equal(p.evb.rwd, 20);
	assert_false(p.evb.rka_rol);
	assert_int_equal(p.evb.rka, 20);

	assert_int_equal(lldp_pdu_encode(&p, out, sizeof(out)), 49);
	assert_memory_equal(out, in, 49);
	/* exact fit and one octet short */
	assert_int_equal(lldp_pdu_encode(&p, out, 49), 49);
	assert_int_equal(lldp_pdu_encode(&p, out, 48), -ENOBUFS);
	(void)state;
}

static void
lldpad_frame_padded_and_other_groups(void **state)
{
	struct lldp_pdu p;
	char text[512];

	/* Zero padding to 60 octets after End is ignored. */
	snprintf(text, sizeof(text), "%s 00 00 00 00 00 00 00 00 00 00 00",
	    lldpad_frame);
	assert_int_equal(dec(text, &p, NULL), 0);
	assert_int_equal(p.len, 49);
	/* Garbage after End is ignored too. */
	snprintf(text, sizeof(text), "%s ff ff 01", lldpad_frame);
	assert_int_equal(dec(text, &p, NULL), 0);
	/* Nearest non-TPMR and nearest bridge are accepted. */
	assert_int_equal(dec("01 80 c2 00 00 03 02 00 00 00 00 01 88 cc "
	    CHASSIS PORT TTL END, &p, NULL), 0);
	assert_int_equal(dec("01 80 c2 00 00 0e 02 00 00 00 00 01 88 cc "
	    CHASSIS PORT TTL END, &p, NULL), 0);
	assert_false(p.has_evb);
	(void)state;
}

struct evb_vec {
	const char	*hex;
	bool		 bgid, rrcap, rrctr, sgid, rrreq;
	uint8_t		 rrstat, r, rte, mode;
	bool		 rwd_rol;
	uint8_t		 rwd;
	bool		 rka_rol;
	uint8_t		 rka;
};

/* lldpad's EVB TLVs from lldpad-interop.md 3.4. */
static const struct evb_vec lldpad_evb[] = {
	/* bridge, two-lldpad run */
	{ "fe 09 00 80 c2 0d 03 05 68 74 34", 0, 1, 1, 0, 1, 1, 3, 8,
	  LLDP_EVB_MODE_BRIDGE, 1, 20, 1, 20 },
	/* station, two-lldpad run */
	{ "fe 09 00 80 c2 0d 03 05 68 b4 34", 0, 1, 1, 0, 1, 1, 3, 8,
	  LLDP_EVB_MODE_STATION, 1, 20, 1, 20 },
	/* station, no neighbour */
	{ "fe 09 00 80 c2 0d 00 07 68 94 14", 0, 0, 0, 0, 1, 3, 3, 8,
	  LLDP_EVB_MODE_STATION, 0, 20, 0, 20 },
	/* the hand-built station frame */
	{ "fe 09 00 80 c2 0d 00 04 68 94 14", 0, 0, 0, 0, 1, 0, 3, 8,
	  LLDP_EVB_MODE_STATION, 0, 20, 0, 20 },
	/* every field at its maximum */
	{ "fe 09 00 80 c2 0d 07 0f ff ff 3f", 1, 1, 1, 1, 1, 3, 7, 31,
	  LLDP_EVB_MODE_NVO3, 1, 31, 1, 31 },
};

static void
lldpad_evb_tlvs(void **state)
{
	for (size_t i = 0; i < sizeof(lldpad_evb) / sizeof(lldpad_evb[0]);
	    i++) {
		const struct evb_vec *v = &lldpad_evb[i];
		struct lldp_evb_tlv e;
		uint8_t in[16], out[16];
		size_t n = hx(v->hex, in, sizeof(in));

		assert_int_equal(lldp_evb_tlv_decode(in, n, &e), 0);
		assert_int_equal(e.bgid, v->bgid);
		assert_int_equal(e.rrcap, v->rrcap);
		assert_int_equal(e.rrctr, v->rrctr);
		assert_int_equal(e.sgid, v->sgid);
		assert_int_equal(e.rrreq, v->rrreq);
		assert_int_equal(e.rrstat, v->rrstat);
		assert_int_equal(e.r, v->r);
		assert_int_equal(e.rte, v->rte);
		assert_int_equal(e.mode, v->mode);
		assert_int_equal(e.rwd_rol, v->rwd_rol);
		assert_int_equal(e.rwd, v->rwd);
		assert_int_equal(e.rka_rol, v->rka_rol);
		assert_int_equal(e.rka, v->rka);
		assert_int_equal(lldp_evb_tlv_encode(&e, out, sizeof(out)),
		    11);
		assert_memory_equal(out, in, 11);
		assert_int_equal(lldp_evb_tlv_encode(&e, out, 11), 11);
		assert_int_equal(lldp_evb_tlv_encode(&e, out, 10), -ENOBUFS);
		/* one octet short */
		assert_int_equal(lldp_evb_tlv_decode(in, 10, &e), -EBADMSG);
	}
	(void)state;
}

static void
evb_tlv_alone_errors(void **state)
{
	uint8_t b[16] = { 0 };
	struct lldp_evb_tlv e;

	assert_int_equal(lldp_evb_tlv_decode(b, 1, &e), -EBADMSG);
	hx("fe 08 00 80 c2 0d 00 04 68 94", b, sizeof(b));
	assert_int_equal(lldp_evb_tlv_decode(b, 10, &e), -EPROTO);
	hx("fe 09 00 80 c2 0e 00 04 68 94 14", b, sizeof(b));
	assert_int_equal(lldp_evb_tlv_decode(b, 11, &e), -EPROTO);
	hx("fe 09 00 1b 3f 0d 00 04 68 94 14", b, sizeof(b));
	assert_int_equal(lldp_evb_tlv_decode(b, 11, &e), -EPROTO);
	hx("08 09 00 80 c2 0d 00 04 68 94 14", b, sizeof(b));
	assert_int_equal(lldp_evb_tlv_decode(b, 11, &e), -EPROTO);
	/* Reserved bits are ignored on receipt and not sent. */
	hx("fe 09 00 80 c2 0d f8 f0 68 94 d4", b, sizeof(b));
	assert_int_equal(lldp_evb_tlv_decode(b, 11, &e), 0);
	assert_false(e.bgid || e.rrcap || e.rrctr || e.sgid || e.rrreq);
	assert_int_equal(e.rka, 20);
	assert_int_equal(lldp_evb_tlv_encode(&e, b, sizeof(b)), 11);
	assert_int_equal(b[6], 0);
	assert_int_equal(b[10], 0x14);
	/* Out-of-range fields refuse to encode. */
	memset(&e, 0, sizeof(e));
	e.r = 8;
	assert_int_equal(lldp_evb_tlv_encode(&e, b, sizeof(b)), -EINVAL);
	e.r = 0;
	e.rka = 32;
	assert_int_equal(lldp_evb_tlv_encode(&e, b, sizeof(b)), -EINVAL);
	e.rka = 0;
	e.mode = 4;
	assert_int_equal(lldp_evb_tlv_encode(&e, b, sizeof(b)), -EINVAL);
	e.mode = 0;
	e.rrstat = 4;
	assert_int_equal(lldp_evb_tlv_encode(&e, b, sizeof(b)), -EINVAL);
	(void)state;
}

static void
our_tlvs_golden(void **state)
{
	struct lldp_pdu p;
	uint8_t in[128], out[128];
	size_t n;
	static const char text[] = MAND EVB_ST
	    "fe 08 ac de 48 01 00 00 00 1f "
	    "fe 0b ac de 48 05 01 02 00 00 00 00 01 " END;

	n = hx(text, in, sizeof(in));
	assert_int_equal(lldp_pdu_decode(in, n, &p, NULL), 0);
	assert_true(p.has_caps);
	assert_int_equal(p.caps, 0x1f);
	assert_true(p.has_ecpdest);
	assert_int_equal(p.ecpdest.kind, NVO3_ECPDEST_UNICAST);
	assert_int_equal(p.ecpdest.mac[5], 1);
	assert_int_equal(lldp_pdu_encode(&p, out, sizeof(out)), (int)n);
	assert_memory_equal(out, in, n);

	/* The three kinds and their MAC rules. */
	assert_int_equal(dec(MAND "fe 0b ac de 48 05 00 01 80 c2 00 00 00 "
	    END, &p, NULL), 0);
	assert_int_equal(p.ecpdest.kind, NVO3_ECPDEST_GROUP);
	assert_int_equal(dec(MAND "fe 0b ac de 48 05 02 03 00 00 00 12 34 "
	    END, &p, NULL), 0);
	assert_int_equal(p.ecpdest.kind, NVO3_ECPDEST_MCAST);
	(void)state;
}

static void
unknown_tlvs_skipped_and_counted(void **state)
{
	struct lldp_pdu p;

	assert_int_equal(dec(MAND
	    "0a 03 68 76 31 "			/* System Name "hv1" */
	    "08 00 "				/* Port Description, empty */
	    "fc 00 "				/* type 126, reserved */
	    "fe 04 00 12 0f 01 "		/* 802.3 org TLV */
	    "fe 05 ac de 48 7f 00 "		/* our CID, unknown subtype */
	    "fe 04 00 80 c2 01 "		/* 802.1, other subtype */
	    EVB_ST END, &p, NULL), 0);
	assert_int_equal(p.nunknown, 3);
	assert_int_equal(p.nunknown_org, 3);
	assert_true(p.has_evb);
	(void)state;
}

static void
no_end_tlv_accepted(void **state)
{
	struct lldp_pdu p;

	assert_int_equal(dec(MAND EVB_ST, &p, NULL), 0);
	assert_true(p.no_end);
	assert_true(p.has_evb);
	assert_int_equal(p.len, 47);
	/* Mandatory TLVs only, no End: still a PDU. */
	assert_int_equal(dec(MAND, &p, NULL), 0);
	assert_true(p.no_end);
	assert_int_equal(p.len, 36);
	(void)state;
}

struct bad {
	const char	*hex;
	enum lldp_err	 why;
	int		 err;
};

static const struct bad bad_frames[] = {
	{ "01 80 c2 00 00 00 02 00 00 00 00 01 88", LLDP_E_SHORT_FRAME,
	  -EBADMSG },
	{ "", LLDP_E_SHORT_FRAME, -EBADMSG },
	{ "01 80 c2 00 00 00 02 00 00 00 00 01 89 40 " CHASSIS PORT TTL END,
	  LLDP_E_ETHERTYPE, -ENOMSG },
	{ "01 80 c2 00 00 00 02 00 00 00 00 01 81 00 00 64 88 cc " CHASSIS,
	  LLDP_E_ETHERTYPE, -ENOMSG },
	{ "01 80 c2 00 00 01 02 00 00 00 00 01 88 cc " CHASSIS PORT TTL END,
	  LLDP_E_DST, -ENOMSG },
	{ "02 00 00 00 00 02 02 00 00 00 00 01 88 cc " CHASSIS PORT TTL END,
	  LLDP_E_DST, -ENOMSG },
	/* TLVs past the end */
	{ ETH "02", LLDP_E_TLV_TRUNC, -EBADMSG },
	{ ETH "02 07 04 02 00 00 00 00", LLDP_E_TLV_TRUNC, -EBADMSG },
	{ MAND "fe 09 00 80 c2 0d 00 04 68 94", LLDP_E_TLV_TRUNC, -EBADMSG },
	{ MAND "00", LLDP_E_TLV_TRUNC, -EBADMSG },
	{ MAND "ff ff 00", LLDP_E_TLV_TRUNC, -EBADMSG },
	/* missing / misordered mandatory TLVs */
	{ ETH, LLDP_E_NO_CHASSIS, -EPROTO },
	{ ETH END, LLDP_E_NO_CHASSIS, -EPROTO },
	{ ETH PORT CHASSIS TTL END, LLDP_E_NO_CHASSIS, -EPROTO },
	{ ETH CHASSIS, LLDP_E_NO_PORT, -EPROTO },
	{ ETH CHASSIS TTL PORT END, LLDP_E_NO_PORT, -EPROTO },
	{ ETH CHASSIS PORT, LLDP_E_NO_TTL, -EPROTO },
	{ ETH CHASSIS PORT END, LLDP_E_NO_TTL, -EPROTO },
	{ ETH CHASSIS PORT EVB_ST TTL END, LLDP_E_NO_TTL, -EPROTO },
	/* mandatory lengths */
	{ ETH "02 01 04 " PORT TTL END, LLDP_E_CHASSIS_LEN, -EPROTO },
	{ ETH "02 00 " PORT TTL END, LLDP_E_CHASSIS_LEN, -EPROTO },
	{ ETH CHASSIS "04 01 03 " TTL END, LLDP_E_PORT_LEN, -EPROTO },
	{ ETH CHASSIS PORT "06 01 00 " END, LLDP_E_TTL_LEN, -EPROTO },
	{ ETH CHASSIS PORT "06 03 00 78 00 " END, LLDP_E_TTL_LEN, -EPROTO },
	/* repeated mandatory */
	{ MAND CHASSIS END, LLDP_E_DUP_MANDATORY, -EPROTO },
	{ MAND PORT END, LLDP_E_DUP_MANDATORY, -EPROTO },
	{ MAND TTL END, LLDP_E_DUP_MANDATORY, -EPROTO },
	{ MAND "00 01 00", LLDP_E_END_LEN, -EPROTO },
	/* org TLVs */
	{ MAND "fe 03 00 80 c2 " END, LLDP_E_ORG_LEN, -EPROTO },
	{ MAND "fe 00 " END, LLDP_E_ORG_LEN, -EPROTO },
	{ MAND "fe 08 00 80 c2 0d 00 04 68 94 " END, LLDP_E_EVB_LEN,
	  -EPROTO },
	{ MAND "fe 0a 00 80 c2 0d 00 04 68 94 14 00 " END, LLDP_E_EVB_LEN,
	  -EPROTO },
	{ MAND EVB_ST EVB_ST END, LLDP_E_DUP_EVB, -EPROTO },
	{ MAND "fe 07 ac de 48 01 00 00 00 " END, LLDP_E_CAPS_LEN, -EPROTO },
	{ MAND "fe 09 ac de 48 01 00 00 00 1f 00 " END, LLDP_E_CAPS_LEN,
	  -EPROTO },
	{ MAND "fe 08 ac de 48 01 00 00 00 1f fe 08 ac de 48 01 00 00 00 1f "
	  END, LLDP_E_DUP_CAPS, -EPROTO },
	{ MAND "fe 0a ac de 48 05 01 02 00 00 00 00 " END,
	  LLDP_E_ECPDEST_LEN, -EPROTO },
	{ MAND "fe 0c ac de 48 05 01 02 00 00 00 00 01 00 " END,
	  LLDP_E_ECPDEST_LEN, -EPROTO },
	{ MAND "fe 0b ac de 48 05 01 02 00 00 00 00 01 "
	  "fe 0b ac de 48 05 01 02 00 00 00 00 01 " END,
	  LLDP_E_DUP_ECPDEST, -EPROTO },
	{ MAND "fe 0b ac de 48 05 03 02 00 00 00 00 01 " END,
	  LLDP_E_ECPDEST_KIND, -EINVAL },
	{ MAND "fe 0b ac de 48 05 01 03 00 00 00 00 01 " END,
	  LLDP_E_ECPDEST_MAC, -EINVAL },
	{ MAND "fe 0b ac de 48 05 01 00 00 00 00 00 00 " END,
	  LLDP_E_ECPDEST_MAC, -EINVAL },
	{ MAND "fe 0b ac de 48 05 00 01 80 c2 00 00 03 " END,
	  LLDP_E_ECPDEST_MAC, -EINVAL },
	{ MAND "fe 0b ac de 48 05 02 01 80 c2 00 00 0e " END,
	  LLDP_E_ECPDEST_MAC, -EINVAL },
	{ MAND "fe 0b ac de 48 05 02 ff ff ff ff ff ff " END,
	  LLDP_E_ECPDEST_MAC, -EINVAL },
	{ MAND "fe 0b ac de 48 05 02 02 00 00 00 00 01 " END,
	  LLDP_E_ECPDEST_MAC, -EINVAL },
};

static void
every_error(void **state)
{
	bool seen[LLDP_E__COUNT] = { false };

	for (size_t i = 0; i < sizeof(bad_frames) / sizeof(bad_frames[0]);
	    i++) {
		struct lldp_pdu p;
		enum lldp_err why = LLDP_E_NONE;
		int rc = dec(bad_frames[i].hex, &p, &why);

		if (rc != bad_frames[i].err || why != bad_frames[i].why)
			fail_msg("sample %zu: rc %d why %s, want %d %s", i,
			    rc, lldp_err_name(why), bad_frames[i].err,
			    lldp_err_name(bad_frames[i].why));
		assert_int_equal(lldp_err_errno(why), rc);
		seen[why] = true;
	}
	for (int e = 1; e < LLDP_E__COUNT; e++)
		if (!seen[e])
			fail_msg("no sample for %s", lldp_err_name(e));
	assert_string_equal(lldp_err_name(LLDP_E__COUNT), "?");
	assert_int_equal(lldp_err_errno(LLDP_E_NONE), 0);
	(void)state;
}

/* A frame that is truncated at every offset never decodes as valid
 * except at the TLV boundaries, and never reads past the end. */
static void
every_truncation(void **state)
{
	uint8_t in[128];
	size_t n = hx(lldpad_frame, in, sizeof(in));

	for (size_t len = 0; len < n; len++) {
		struct lldp_pdu p;
		int rc = lldp_pdu_decode(in, len, &p, NULL);
		/* boundaries: after TTL (36) and after EVB (47) */
		bool ok = len == 36 || len == 47;

		assert_int_equal(rc == 0, ok);
	}
	(void)state;
}

static void
id_lengths(void **state)
{
	uint8_t f[600], out[600];
	struct lldp_pdu p;
	enum lldp_err why;
	size_t off;

	for (unsigned vlen = 0; vlen <= 257; vlen++) {
		size_t idlen = vlen ? vlen - 1 : 0;

		off = hx(ETH, f, sizeof(f));
		f[off++] = (uint8_t)(LLDP_TLV_CHASSIS << 1 | vlen >> 8);
		f[off++] = (uint8_t)vlen;
		if (vlen) {
			f[off++] = 7;
			memset(f + off, 0x41, idlen);
			off += idlen;
		}
		off += hx(PORT TTL END, f + off, sizeof(f) - off);
		int rc = lldp_pdu_decode(f, off, &p, &why);
		if (vlen >= 2 && vlen <= 256) {
			assert_int_equal(rc, 0);
			assert_int_equal(p.chassis.len, idlen);
			assert_int_equal(lldp_pdu_encode(&p, out,
			    sizeof(out)), (int)off);
			assert_memory_equal(out, f, off);
		} else {
			assert_int_equal(rc, -EPROTO);
			assert_int_equal(why, LLDP_E_CHASSIS_LEN);
		}
	}
	(void)state;
}

static void
encode_errors_and_shutdown(void **state)
{
	uint8_t in[128], out[128];
	struct lldp_pdu p;
	size_t n = hx(lldpad_frame, in, sizeof(in));
	static const char shut[] = ETH CHASSIS PORT "06 02 00 00 " END;
	uint8_t want[64];
	size_t wn = hx(shut, want, sizeof(want));

	assert_int_equal(lldp_pdu_decode(in, n, &p, NULL), 0);
	assert_int_equal(lldp_pdu_encode_shutdown(&p, out, sizeof(out)),
	    (int)wn);
	assert_memory_equal(out, want, wn);
	assert_int_equal(lldp_pdu_encode_shutdown(&p, out, wn - 1),
	    -ENOBUFS);
	/* the shutdown frame decodes with TTL 0 */
	assert_int_equal(lldp_pdu_decode(out, wn, &p, NULL), 0);
	assert_int_equal(p.ttl, 0);

	assert_int_equal(lldp_pdu_decode(in, n, &p, NULL), 0);
	p.dst[5] = 0x01;
	assert_int_equal(lldp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	assert_int_equal(lldp_pdu_encode_shutdown(&p, out, sizeof(out)),
	    -EINVAL);
	p.dst[5] = 0x0e;
	assert_int_equal(lldp_pdu_encode(&p, out, sizeof(out)), (int)n);
	p.chassis.len = 0;
	assert_int_equal(lldp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	p.chassis.len = 6;
	p.port.len = 0;
	assert_int_equal(lldp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	p.port.len = 6;
	p.evb.rte = 32;
	assert_int_equal(lldp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	p.evb.rte = 8;
	p.has_ecpdest = true;
	p.ecpdest.kind = 9;
	assert_int_equal(lldp_pdu_encode(&p, out, sizeof(out)), -EINVAL);
	p.ecpdest.kind = NVO3_ECPDEST_GROUP;
	memcpy(p.ecpdest.mac, lldp_mac_ncb, 6);
	assert_int_equal(lldp_pdu_encode(&p, out, sizeof(out)),
	    (int)n + 13);
	assert_int_equal(lldp_pdu_encode(&p, out, 0), -ENOBUFS);
	assert_int_equal(lldp_pdu_encode(&p, NULL, 100), -ENOBUFS);
	(void)state;
}

static void
names(void **state)
{
	assert_string_equal(lldp_evb_mode_name(1), "bridge");
	assert_string_equal(lldp_evb_mode_name(3), "nvo3");
	assert_string_equal(lldp_evb_mode_name(4), "?");
	assert_string_equal(lldp_err_name(LLDP_E_DUP_EVB), "duplicate-evb");
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lldpad_frame_field_by_field),
		cmocka_unit_test(lldpad_frame_padded_and_other_groups),
		cmocka_unit_test(lldpad_evb_tlvs),
		cmocka_unit_test(evb_tlv_alone_errors),
		cmocka_unit_test(our_tlvs_golden),
		cmocka_unit_test(unknown_tlvs_skipped_and_counted),
		cmocka_unit_test(no_end_tlv_accepted),
		cmocka_unit_test(every_error),
		cmocka_unit_test(every_truncation),
		cmocka_unit_test(id_lengths),
		cmocka_unit_test(encode_errors_and_shutdown),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
