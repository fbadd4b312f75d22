/*
 * test_ext_auth.c - HMAC authentication of VDP ULPDUs (lib/ext/ext_auth.c):
 * the RFC 4231 HMAC-SHA-256 vectors, the worked ULPDU of
 * docs/nvo3-vdp-extensions.md section 8, sign then verify, one flipped bit
 * anywhere in the covered range, direction and sender binding (reflection),
 * wrong key, replay, commit, the per-peer replay state and its limit, "not
 * last", malformed input, the key table and the sender counter.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ext/ext.h"
#include "util/hex.h"

/* docs section 8: the whole ULPDU; the auth TLV starts at offset 85. */
static const char ulpdu_hex[] =
    "0a 10 00 00 00 00 00 00 00 00 00 00 ff ff c0 00"
    "02 01 06 25 10 00 00 05 01 05 5f 0c 2a 9e 7b 31"
    "4d 2a 9c 4e 1d 2b 3c 4d 5e 6f 04 00 01 00 00 27"
    "10 52 54 00 ab cd ef 00 00 fe 1a ac de 48 03 03"
    "01 00 00 00 2a 00 00 00 00 00 00 00 00 00 00 ff"
    "ff cb 00 71 01 fe 1f ac de 48 04 00 01 01 00 06"
    "60 d0 da c3 e8 00 3d c6 d4 e6 d5 92 06 ef 36 37"
    "f5 25 73 6e ee 41 00 00";
#define AUTH_OFF	85
#define ULPDU_LEN	120
#define CTR		0x000660d0dac3e800ull
#define TOBR		NVO3_AUTH_DIR_TO_BRIDGE
#define TOST		NVO3_AUTH_DIR_TO_STATION
/* docs section 8: the station port that signed the example */
static const uint8_t st_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t br_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
static const char key1_hex[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/*
 * Reads the first code block after the line of docs/nvo3-vdp-extensions.md
 * that contains marker, and collects the two-hex-digit tokens that begin
 * each line (after skip_first leading tokens), stopping at the first other
 * token: the comments.  Returns the octet count, or -1.
 */
static int
doc_block(const char *marker, int skip_first, uint8_t *out, size_t cap)
{
	char line[256];
	FILE *f = fopen(SN_SOURCE_DIR "/docs/nvo3-vdp-extensions.md", "r");
	int state = 0;
	size_t n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *tok, *save = NULL;
		int i = 0;

		if (state == 0) {
			if (strstr(line, marker) != NULL)
				state = 1;
			continue;
		}
		if (strncmp(line, "```", 3) == 0) {
			if (state == 2)
				break;
			state = 2;
			continue;
		}
		if (state != 2)
			continue;
		for (tok = strtok_r(line, " \n", &save); tok != NULL;
		    tok = strtok_r(NULL, " \n", &save), i++) {
			uint8_t v;

			if (i < skip_first)
				continue;
			if (strlen(tok) != 2 || hex_decode(tok, &v, 1) != 1)
				break;
			if (n == cap) {
				fclose(f);
				return -1;
			}
			out[n++] = v;
		}
	}
	fclose(f);
	return state == 2 ? (int)n : -1;
}

struct fx {
	struct nvo3_keytab *kt;
	struct nvo3_replay rs;
	uint8_t		pdu[256];
	size_t		len;
};

static int
setup(void **state)
{
	static struct fx f;
	long n;

	memset(&f, 0, sizeof(f));
	f.kt = nvo3_keytab_new();
	if (f.kt == NULL || nvo3_keytab_set_hex(f.kt, 1, key1_hex) != 0)
		return -1;
	nvo3_replay_init(&f.rs);
	n = hex_decode(ulpdu_hex, f.pdu, sizeof(f.pdu));
	if (n != ULPDU_LEN)
		return -1;
	f.len = (size_t)n;
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	nvo3_keytab_free(f->kt);
	return 0;
}

/* Decodes the auth TLV value at AUTH_OFF of p (header 2 + CID 3). */
static int
auth_at(const uint8_t *p, size_t off, struct nvo3_auth *a)
{
	return nvo3_auth_decode(p + off + 5, NVO3_AUTH_LEN, a);
}

static void
rfc4231_vectors(void **state)
{
	static const struct {
		const char *key, *data, *mac;
		size_t keyn, datan;	/* repeat counts for 1-octet hex */
	} v[] = {
		{ "0b", "4869205468657265",	/* 1: "Hi There" */
		  "b0344c61d8db38535ca8afceaf0bf12b"
		  "881dc200c9833da726e9376c2e32cff7", 20, 1 },
		{ "4a656665",			/* 2: "Jefe" */
		  "7768617420646f2079612077616e7420"
		  "666f72206e6f7468696e673f",
		  "5bdcc146bf60754e6a042426089575c7"
		  "5a003f089d2739839dec58b964ec3843", 1, 1 },
		{ "aa", "dd",			/* 3 */
		  "773ea91e36800e46854db8ebd09181a7"
		  "2959098b3ef8c122d9635514ced565fe", 20, 50 },
		{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
		  "cd",				/* 4 */
		  "82558a389a443c0ea4cc819899f2083a"
		  "85f0faa3e578f8077a2e3ff46729665b", 1, 50 },
		{ "aa",				/* 6: key > block size */
		  "54657374205573696e67204c61726765"
		  "72205468616e20426c6f636b2d53697a"
		  "65204b6579202d2048617368204b6579"
		  "204669727374",
		  "60e431591ee0b67f0d8a26aacbf5b77f"
		  "8e0bc6213728c5140546040f0ee37f54", 131, 1 },
	};
	uint8_t key[200], data[200], want[32], got[32], one[100];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		long kn = hex_decode(v[i].key, one, sizeof(one));
		size_t klen = 0, dlen = 0;

		for (size_t r = 0; r < v[i].keyn; r++, klen += (size_t)kn)
			memcpy(key + klen, one, (size_t)kn);
		kn = hex_decode(v[i].data, one, sizeof(one));
		for (size_t r = 0; r < v[i].datan; r++, dlen += (size_t)kn)
			memcpy(data + dlen, one, (size_t)kn);
		assert_int_equal(hex_decode(v[i].mac, want, 32), 32);
		assert_int_equal(nvo3_hmac_sha256(key, klen, data, dlen,
		    NULL, 0, got), 0);
		assert_memory_equal(got, want, 32);
		/* split anywhere: same result (two-segment API) */
		assert_int_equal(nvo3_hmac_sha256(key, klen, data, dlen / 3,
		    data + dlen / 3, dlen - dlen / 3, got), 0);
		assert_memory_equal(got, want, 32);
	}
	/* 5: truncation to 128 bits, what our TLV carries */
	memset(key, 0x0c, 20);
	assert_int_equal(nvo3_hmac_sha256(key, 20,
	    (const uint8_t *)"Test With Truncation", 20, NULL, 0, got), 0);
	assert_int_equal(hex_decode("a3b6167473100ee06e0c796c2955552b",
	    want, 16), 16);
	assert_memory_equal(got, want, 16);
	(void)state;
}

static void
golden_ulpdu(void **state)
{
	struct fx *f = *state;
	struct nvo3_auth a, w;

	assert_int_equal(nvo3_auth_sign(f->pdu, AUTH_OFF, f->kt, 1, CTR, TOBR,
	    st_mac, &a), 0);
	assert_int_equal(auth_at(f->pdu, AUTH_OFF, &w), 0);
	assert_int_equal(a.key_id, 1);
	assert_int_equal(a.alg, NVO3_AUTH_HMAC_SHA256_128);
	assert_true(a.counter == CTR);
	assert_memory_equal(a.mac, w.mac, NVO3_AUTH_MAC_LEN);
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &w, f->kt,
	    &f->rs, TOBR, st_mac), 0);
	/* the document shows these very octets */
	{
		uint8_t d[200];

		assert_int_equal(doc_block("`test_ext_auth` `golden_ulpdu`", 1,
		    d, sizeof(d)), ULPDU_LEN);
		assert_memory_equal(d, f->pdu, ULPDU_LEN);
	}
	/* without the End TLV too */
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len - 2, AUTH_OFF, &w,
	    f->kt, &f->rs, TOBR, st_mac), 0);
}

static void
sign_then_verify(void **state)
{
	struct fx *f = *state;
	uint8_t p[128];
	struct nvo3_auth a, d;
	int n;

	/* build: first 57 octets of the golden PDU (no Org TLVs) + auth */
	memcpy(p, f->pdu, 57);
	assert_int_equal(nvo3_auth_sign(p, 57, f->kt, 1, 77, TOBR, st_mac, &a),
	    0);
	p[57] = 0xfe;
	p[58] = 0x1f;
	p[59] = NVO3_EXT_CID0;
	p[60] = NVO3_EXT_CID1;
	p[61] = NVO3_EXT_CID2;
	n = nvo3_auth_encode(&a, p + 62, sizeof(p) - 62);
	assert_int_equal(n, NVO3_AUTH_LEN);
	assert_int_equal(auth_at(p, 57, &d), 0);
	assert_int_equal(nvo3_auth_verify(p, 57 + NVO3_AUTH_TLV_LEN, 57, &d,
	    f->kt, &f->rs, TOBR, st_mac), 0);
}

static void
flipped_bits(void **state)
{
	struct fx *f = *state;
	struct nvo3_keytab *kt2 = nvo3_keytab_new();
	uint8_t p[ULPDU_LEN];
	struct nvo3_auth a;
	uint8_t other[32];

	/* kt2 knows every key id one bit away from 1, with other secrets */
	memset(other, 0x5a, sizeof(other));
	assert_non_null(kt2);
	assert_int_equal(nvo3_keytab_set_hex(kt2, 1, key1_hex), 0);
	for (size_t off = 0; off < ULPDU_LEN - 2; off++) {
		for (int bit = 0; bit < 8; bit++) {
			int want = -EPERM;

			memcpy(p, f->pdu, ULPDU_LEN);
			p[off] ^= (uint8_t)(1u << bit);
			if (off >= AUTH_OFF && off < AUTH_OFF + 6)
				continue;	/* header..subtype: below */
			if (off == AUTH_OFF + 6 || off == AUTH_OFF + 7) {
				/* key-id: unknown id, then known id */
				uint16_t id = (uint16_t)(1 ^ (off ==
				    AUTH_OFF + 6 ? 0x100u << bit : 1u << bit));

				assert_int_equal(auth_at(p, AUTH_OFF, &a), 0);
				assert_int_equal(nvo3_auth_verify(p, ULPDU_LEN,
				    AUTH_OFF, &a, f->kt, &f->rs, TOBR, st_mac),
				    -ENOKEY);
				assert_int_equal(nvo3_keytab_set(kt2, id, other,
				    sizeof(other)), 0);
				assert_int_equal(nvo3_auth_verify(p, ULPDU_LEN,
				    AUTH_OFF, &a, kt2, &f->rs, TOBR, st_mac),
				    -EPERM);
				assert_int_equal(nvo3_keytab_del(kt2, id), 0);
				continue;
			}
			if (off == AUTH_OFF + 8) {
				/* algorithm: decode refuses it first */
				assert_int_equal(auth_at(p, AUTH_OFF, &a),
				    -EPROTONOSUPPORT);
				a.alg = p[off];
				a.key_id = 1;
				a.counter = CTR;
				memcpy(a.mac, p + AUTH_OFF + 17, 16);
				assert_int_equal(nvo3_auth_verify(p, ULPDU_LEN,
				    AUTH_OFF, &a, f->kt, &f->rs, TOBR, st_mac),
				    -EPROTONOSUPPORT);
				continue;
			}
			assert_int_equal(auth_at(p, AUTH_OFF, &a), 0);
			assert_int_equal(nvo3_auth_verify(p, ULPDU_LEN,
			    AUTH_OFF, &a, f->kt, &f->rs, TOBR, st_mac), want);
		}
	}
	nvo3_keytab_free(kt2);
}

static void
auth_tlv_header_bits(void **state)
{
	struct fx *f = *state;
	uint8_t p[ULPDU_LEN];
	struct nvo3_auth a;

	assert_int_equal(auth_at(f->pdu, AUTH_OFF, &a), 0);
	for (size_t off = AUTH_OFF; off < AUTH_OFF + 6; off++)
		for (int bit = 0; bit < 8; bit++) {
			int rc;

			memcpy(p, f->pdu, ULPDU_LEN);
			p[off] ^= (uint8_t)(1u << bit);
			rc = nvo3_auth_verify(p, ULPDU_LEN, AUTH_OFF, &a,
			    f->kt, &f->rs, TOBR, st_mac);
			if (off >= AUTH_OFF + 2 && off < AUTH_OFF + 5)
				assert_int_equal(rc, 0);  /* CID: caller's */
			else
				assert_int_equal(rc, -EBADMSG);
		}
}

static void
wrong_key(void **state)
{
	struct fx *f = *state;
	struct nvo3_keytab *kt2 = nvo3_keytab_new();
	struct nvo3_auth a;
	uint8_t k[32];

	assert_int_equal(nvo3_auth_sign(f->pdu, AUTH_OFF, f->kt, 2, CTR, TOBR,
	    st_mac, &a), -ENOKEY);
	assert_int_equal(auth_at(f->pdu, AUTH_OFF, &a), 0);
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &a, kt2,
	    &f->rs, TOBR, st_mac), -ENOKEY);
	/* same id, different secret */
	memset(k, 0x11, sizeof(k));
	assert_int_equal(nvo3_keytab_set(kt2, 1, k, sizeof(k)), 0);
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &a, kt2,
	    &f->rs, TOBR, st_mac), -EPERM);
	nvo3_keytab_free(kt2);
}

static void
replay_and_commit(void **state)
{
	struct fx *f = *state;
	struct nvo3_replay other;
	struct nvo3_auth a, lo, hi;
	uint8_t p[ULPDU_LEN];

	assert_int_equal(auth_at(f->pdu, AUTH_OFF, &a), 0);
	/* not committed yet: verifies again and again */
	for (int i = 0; i < 3; i++)
		assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &a,
		    f->kt, &f->rs, TOBR, st_mac), 0);
	assert_true(nvo3_replay_last(&f->rs, 1) == 0);
	assert_int_equal(nvo3_replay_commit(&f->rs, 1, a.counter), 0);
	assert_true(nvo3_replay_last(&f->rs, 1) == CTR);
	assert_true(nvo3_replay_last(&f->rs, 2) == 0);
	/* now the same PDU is a replay */
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &a, f->kt,
	    &f->rs, TOBR, st_mac), -EALREADY);
	assert_int_equal(nvo3_replay_commit(&f->rs, 1, a.counter),
	    -EALREADY);
	assert_int_equal(nvo3_replay_commit(&f->rs, 1, a.counter - 1),
	    -EALREADY);
	assert_true(nvo3_replay_last(&f->rs, 1) == CTR);
	/* another peer has its own state (the caller's, one per peer) */
	nvo3_replay_init(&other);
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &a, f->kt,
	    &other, TOBR, st_mac), 0);
	/* properly signed but older: refused; newer: accepted */
	memcpy(p, f->pdu, ULPDU_LEN);
	assert_int_equal(nvo3_auth_sign(p, AUTH_OFF, f->kt, 1, CTR - 1, TOBR,
	    st_mac, &lo), 0);
	assert_int_equal(nvo3_auth_encode(&lo, p + AUTH_OFF + 5, 28), 28);
	assert_int_equal(nvo3_auth_verify(p, ULPDU_LEN, AUTH_OFF, &lo, f->kt,
	    &f->rs, TOBR, st_mac), -EALREADY);
	assert_int_equal(nvo3_auth_sign(p, AUTH_OFF, f->kt, 1, CTR + 1, TOBR,
	    st_mac, &hi), 0);
	assert_int_equal(nvo3_auth_encode(&hi, p + AUTH_OFF + 5, 28), 28);
	assert_int_equal(nvo3_auth_verify(p, ULPDU_LEN, AUTH_OFF, &hi, f->kt,
	    &f->rs, TOBR, st_mac), 0);
	assert_int_equal(nvo3_replay_commit(&f->rs, 1, CTR + 1), 0);
	assert_int_equal(nvo3_auth_verify(p, ULPDU_LEN, AUTH_OFF, &hi, f->kt,
	    &f->rs, TOBR, st_mac), -EALREADY);
	/* the MAC is checked before the counter */
	p[20] ^= 1;
	assert_int_equal(nvo3_auth_verify(p, ULPDU_LEN, AUTH_OFF, &hi, f->kt,
	    &f->rs, TOBR, st_mac), -EPERM);
	/* nothing forgets: the old PDU stays a replay for this peer */
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &a, f->kt,
	    &f->rs, TOBR, st_mac), -EALREADY);
	nvo3_replay_init(&f->rs);
}

static void
replay_table_limits(void **state)
{
	struct nvo3_replay rs;

	nvo3_replay_init(&rs);
	assert_int_equal(rs.n, 0);
	assert_int_equal(nvo3_replay_commit(&rs, 1, 0), -EALREADY);
	assert_int_equal(rs.n, 0);
	/* as many key-ids as a key table holds */
	for (uint16_t id = 0; id < NVO3_KEYTAB_MAX; id++)
		assert_int_equal(nvo3_replay_commit(&rs, (uint16_t)(id * 1000),
		    100 + id), 0);
	assert_int_equal(rs.n, NVO3_KEYTAB_MAX);
	assert_int_equal(nvo3_replay_commit(&rs, 65535, 5), -ENOSPC);
	assert_true(nvo3_replay_last(&rs, 65535) == 0);
	/* key-ids already tracked still move up */
	assert_int_equal(nvo3_replay_commit(&rs, 5000, 106), 0);
	assert_true(nvo3_replay_last(&rs, 5000) == 106);
	assert_int_equal(nvo3_replay_commit(&rs, 7000, 107), -EALREADY);
	assert_int_equal(nvo3_replay_commit(&rs, 7000, UINT64_MAX), 0);
	assert_true(nvo3_replay_last(&rs, 7000) == UINT64_MAX);
	assert_int_equal(nvo3_replay_commit(&rs, 7000, UINT64_MAX),
	    -EALREADY);
	assert_true(nvo3_replay_last(&rs, 0) == 100);
	(void)state;
}

/*
 * Reflection (review finding): the MAC binds the direction and the
 * sender, so the station's own PDU sent back to it, or the same PDU
 * under another source MAC, fails as a MAC mismatch.
 */
static void
direction_and_sender(void **state)
{
	struct fx *f = *state;
	struct nvo3_auth a, r;
	uint8_t m[6];

	assert_int_equal(auth_at(f->pdu, AUTH_OFF, &a), 0);
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &a, f->kt,
	    &f->rs, TOBR, st_mac), 0);
	/* reflected at the station: wrong direction */
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &a, f->kt,
	    &f->rs, TOST, st_mac), -EPERM);
	/* reflected with the bridge's source address */
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &a, f->kt,
	    &f->rs, TOST, br_mac), -EPERM);
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &a, f->kt,
	    &f->rs, TOBR, br_mac), -EPERM);
	/* every single bit of the sender matters */
	for (int i = 0; i < 48; i++) {
		memcpy(m, st_mac, 6);
		m[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &a,
		    f->kt, &f->rs, TOBR, m), -EPERM);
	}
	/* the docs' reflected MAC: what dir 2 would have needed */
	assert_int_equal(nvo3_auth_sign(f->pdu, AUTH_OFF, f->kt, 1, CTR, TOST,
	    st_mac, &r), 0);
	{
		uint8_t want[16];

		assert_int_equal(hex_decode("de43b85d13bdb876af5c5f40fb55d6f3",
		    want, 16), 16);
		assert_memory_equal(r.mac, want, 16);
	}
	assert_memory_not_equal(r.mac, a.mac, NVO3_AUTH_MAC_LEN);
	/* a bridge-signed PDU verifies at the station only */
	{
		uint8_t p[ULPDU_LEN];
		struct nvo3_auth b;

		memcpy(p, f->pdu, ULPDU_LEN);
		assert_int_equal(nvo3_auth_sign(p, AUTH_OFF, f->kt, 1, CTR,
		    TOST, br_mac, &b), 0);
		assert_int_equal(nvo3_auth_encode(&b, p + AUTH_OFF + 5, 28),
		    28);
		assert_int_equal(nvo3_auth_verify(p, ULPDU_LEN, AUTH_OFF, &b,
		    f->kt, &f->rs, TOST, br_mac), 0);
		assert_int_equal(nvo3_auth_verify(p, ULPDU_LEN, AUTH_OFF, &b,
		    f->kt, &f->rs, TOBR, br_mac), -EPERM);
	}
	/* directions other than 1 and 2, and no sender: caller errors */
	for (unsigned d = 0; d < 256; d++) {
		int want = d == TOBR || d == TOST ? 0 : -EINVAL;

		if (d == TOST)
			want = -EPERM;
		assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &a,
		    f->kt, &f->rs, (uint8_t)d, st_mac), want);
		assert_int_equal(nvo3_auth_sign(f->pdu, AUTH_OFF, f->kt, 1,
		    CTR, (uint8_t)d, st_mac, &r),
		    d == TOBR || d == TOST ? 0 : -EINVAL);
	}
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &a, f->kt,
	    &f->rs, TOBR, NULL), -EINVAL);
	assert_int_equal(nvo3_auth_sign(f->pdu, AUTH_OFF, f->kt, 1, CTR, TOBR,
	    NULL, &r), -EINVAL);
	/* -EINVAL comes before everything else, even a malformed PDU */
	assert_int_equal(nvo3_auth_verify(NULL, 0, 0, &a, f->kt, &f->rs, 0,
	    st_mac), -EINVAL);
}

static void
not_last(void **state)
{
	struct fx *f = *state;
	uint8_t p[ULPDU_LEN + 40];
	struct nvo3_auth a;

	assert_int_equal(auth_at(f->pdu, AUTH_OFF, &a), 0);
	memset(p, 0, sizeof(p));
	memcpy(p, f->pdu, ULPDU_LEN);
	/* End TLV then zero padding to 60+ octets: fine */
	assert_int_equal(nvo3_auth_verify(p, sizeof(p), AUTH_OFF, &a, f->kt,
	    &f->rs, TOBR, st_mac), 0);
	/* one non-zero octet anywhere after the auth TLV */
	for (size_t off = AUTH_OFF + NVO3_AUTH_TLV_LEN; off < sizeof(p);
	    off++) {
		p[off] = 0x01;
		assert_int_equal(nvo3_auth_verify(p, sizeof(p), AUTH_OFF, &a,
		    f->kt, &f->rs, TOBR, st_mac), -EPROTO);
		p[off] = 0;
	}
	/* another Org TLV after it */
	memcpy(p + AUTH_OFF + NVO3_AUTH_TLV_LEN, "\xfe\x04\xac\xde\x48\x03",
	    6);
	assert_int_equal(nvo3_auth_verify(p, sizeof(p), AUTH_OFF, &a, f->kt,
	    &f->rs, TOBR, st_mac), -EPROTO);
}

static void
malformed(void **state)
{
	struct fx *f = *state;
	struct nvo3_auth a, b;
	size_t end = AUTH_OFF + NVO3_AUTH_TLV_LEN;

	assert_int_equal(auth_at(f->pdu, AUTH_OFF, &a), 0);
	/* exact fit, then one octet short of the auth TLV */
	assert_int_equal(nvo3_auth_verify(f->pdu, end, AUTH_OFF, &a, f->kt,
	    &f->rs, TOBR, st_mac), 0);
	assert_int_equal(nvo3_auth_verify(f->pdu, end - 1, AUTH_OFF, &a, f->kt,
	    &f->rs, TOBR, st_mac), -EBADMSG);
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, f->len + 1, &a,
	    f->kt, &f->rs, TOBR, st_mac), -EBADMSG);
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, SIZE_MAX, &a,
	    f->kt, &f->rs, TOBR, st_mac), -EBADMSG);
	/* offsets that hold other TLVs */
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, 0, &a, f->kt,
	    &f->rs, TOBR, st_mac), -EBADMSG);
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, 57, &a, f->kt,
	    &f->rs, TOBR, st_mac), -EBADMSG);
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF - 1, &a,
	    f->kt, &f->rs, TOBR, st_mac), -EBADMSG);
	assert_int_equal(nvo3_auth_verify(NULL, 0, 0, &a, f->kt, &f->rs,
	    TOBR, st_mac), -EBADMSG);
	/* a value that is not what the octets say */
	b = a;
	b.counter++;
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &b, f->kt,
	    &f->rs, TOBR, st_mac), -EBADMSG);
	b = a;
	b.mac[3] ^= 1;
	assert_int_equal(nvo3_auth_verify(f->pdu, f->len, AUTH_OFF, &b, f->kt,
	    &f->rs, TOBR, st_mac), -EBADMSG);
	/* counter 0 is never signed */
	assert_int_equal(nvo3_auth_sign(f->pdu, AUTH_OFF, f->kt, 1, 0, TOBR,
	    st_mac, &b), -EINVAL);
	assert_int_equal(nvo3_auth_sign(NULL, 4, f->kt, 1, 1, TOBR, st_mac,
	    &b), -EINVAL);
	assert_int_equal(nvo3_auth_sign(NULL, 0, f->kt, 1, 1, TOBR, st_mac,
	    &b), 0);
}

static void
keytab(void **state)
{
	struct nvo3_keytab *kt = nvo3_keytab_new();
	uint8_t k[NVO3_KEY_MAX + 1];
	char hex[2 * (NVO3_KEY_MAX + 1) + 1];

	memset(k, 0x42, sizeof(k));
	assert_non_null(kt);
	assert_int_equal(nvo3_keytab_set(kt, 1, k, NVO3_KEY_MIN - 1), -EINVAL);
	assert_int_equal(nvo3_keytab_set(kt, 1, k, NVO3_KEY_MIN), 0);
	assert_int_equal(nvo3_keytab_set(kt, 1, k, NVO3_KEY_MAX), 0);
	assert_int_equal(nvo3_keytab_set(kt, 1, k, NVO3_KEY_MAX + 1), -EINVAL);
	assert_int_equal(nvo3_keytab_set(kt, 1, NULL, 32), -EINVAL);
	for (uint16_t id = 2; id <= NVO3_KEYTAB_MAX; id++)
		assert_int_equal(nvo3_keytab_set(kt, id, k, 32), 0);
	assert_int_equal(nvo3_keytab_set(kt, 100, k, 32), -ENOSPC);
	assert_int_equal(nvo3_keytab_set(kt, 3, k, 40), 0);   /* replace */
	assert_true(nvo3_keytab_has(kt, 3));
	assert_int_equal(nvo3_keytab_del(kt, 3), 0);
	assert_false(nvo3_keytab_has(kt, 3));
	assert_int_equal(nvo3_keytab_del(kt, 3), -ENOKEY);
	assert_int_equal(nvo3_keytab_set(kt, 100, k, 32), 0);
	/* hex text */
	memset(hex, 'a', sizeof(hex));
	hex[64] = '\0';
	assert_int_equal(nvo3_keytab_set_hex(kt, 100, hex), 0);
	hex[62] = '\0';				/* 31 octets */
	assert_int_equal(nvo3_keytab_set_hex(kt, 100, hex), -EINVAL);
	memset(hex, 'a', sizeof(hex));
	hex[128] = '\0';			/* 64 octets */
	assert_int_equal(nvo3_keytab_set_hex(kt, 100, hex), 0);
	hex[128] = 'a';
	hex[130] = '\0';			/* 65 octets */
	assert_int_equal(nvo3_keytab_set_hex(kt, 100, hex), -EINVAL);
	hex[63] = '\0';				/* odd digit count */
	assert_int_equal(nvo3_keytab_set_hex(kt, 100, hex), -EINVAL);
	assert_int_equal(nvo3_keytab_set_hex(kt, 100,
	    "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e"),
	    -EINVAL);
	assert_int_equal(nvo3_keytab_set_hex(kt, 100, NULL), -EINVAL);
	assert_int_equal(nvo3_keytab_set_hex(kt, 100, "00:01:02:03:04:05:06:"
	    "07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14:15:16:17:18:19:1a:1b:"
	    "1c:1d:1e:1f"), 0);
	nvo3_keytab_free(kt);
	nvo3_keytab_free(NULL);
	(void)state;
}

static void
counter(void **state)
{
	struct nvo3_counter c;
	uint64_t a, b;

	nvo3_counter_init(&c, 1795300000000000ull);
	a = nvo3_counter_next(&c);
	b = nvo3_counter_next(&c);
	assert_true(a == 1795300000000001ull);
	assert_true(b == a + 1);
	/* a restart one second later starts above everything used */
	nvo3_counter_init(&c, 1795300001000000ull);
	assert_true(nvo3_counter_next(&c) > b);
	nvo3_counter_init(&c, 0);
	assert_true(nvo3_counter_next(&c) == 1);	/* never 0 */
	nvo3_counter_init(&c, UINT64_MAX);
	assert_true(nvo3_counter_next(&c) == 1);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc4231_vectors),
		cmocka_unit_test_setup_teardown(golden_ulpdu, setup, teardown),
		cmocka_unit_test_setup_teardown(sign_then_verify, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(flipped_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(auth_tlv_header_bits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(wrong_key, setup, teardown),
		cmocka_unit_test_setup_teardown(replay_and_commit, setup,
		    teardown),
		cmocka_unit_test(replay_table_limits),
		cmocka_unit_test_setup_teardown(direction_and_sender, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(not_last, setup, teardown),
		cmocka_unit_test_setup_teardown(malformed, setup, teardown),
		cmocka_unit_test(keytab),
		cmocka_unit_test(counter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
