/*
 * test_nva_codec.c - the NVA protocol codec (lib/nva/nva_codec.c,
 * lib/nva/nva_names.c): a round trip of every body, the receive buffer
 * (split feeds, several frames at once, compaction, length 0 and over
 * the limit, exact limit), every check of nva_decode() with its code
 * and reason, unknown fields at the top and deep inside, NUL inside a
 * string, and the encoder's errors.  Names and address text:
 * test_nva_names.c.
 *
 * Messages are built with the generated structs in one fixture (F) that
 * mk() fills with a valid Envelope of a body; a test breaks one field
 * and expects the code and the exact reason.  Hand-encoded protobuf
 * (w_*) is used where the generated code cannot produce the input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nva/nva.h"

static uint8_t ip4[4] = { 198, 51, 100, 10 };
static uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0x10 };
static uint8_t mac1[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static uint8_t mac2[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static uint8_t ul4[4] = { 203, 0, 113, 1 };
static uint8_t ul6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0x01 };
static uint8_t tsi[16] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
	0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0 };
static uint8_t junk[32];	/* octets of wrong lengths */

#define BIN(p, n)	((ProtobufCBinaryData){ .len = (n), .data = (p) })

#define NADDR	(NVA_ADDRS_MAX + 1)
#define NMAP	4

/* Every piece a valid Envelope of any body needs. */
static struct fx {
	Nva__Envelope	 e;
	Nva__Hello	 hello;
	Nva__Welcome	 welcome;
	Nva__Subscribe	 sub;
	Nva__Unsubscribe unsub;
	Nva__SyncDone	 sync;
	Nva__Report	 rep;
	Nva__Withdraw	 wd;
	Nva__Query	 q;
	Nva__Answer	 ans;
	Nva__Update	 upd;
	Nva__Moved	 moved;
	Nva__Subnet	 subnet;
	Nva__Audit	 audit;
	Nva__AuditResult ares;
	Nva__Discrepancy disc, *dp[1];
	Nva__Authorize	 authz;
	Nva__Verdict	 verdict;
	Nva__KeepAlive	 ka;
	Nva__Ack	 ack;
	Nva__Error	 error;
	Nva__Address	 a[NADDR], *ap[NADDR];
	Nva__Mapping	 m[NMAP], *mp[NMAP];
	ProtobufCBinaryData ul[NVA_UNDERLAY_MAX + 1];
	ProtobufCBinaryData mul[NMAP][NVA_UNDERLAY_MAX + 1];
	uint32_t	 vns[NVA_VNLIST_MAX + 1];
	char		 name[NVA_NAME_MAX + 2];
	char		 text[NVA_TEXT_MAX + 2];
} F;

static uint8_t pk[NVA_FRAME_MAX + 64];	/* packed messages */

static void
fill_mapping(unsigned i)
{
	Nva__Mapping *m = &F.m[i];

	nva__mapping__init(m);
	m->vn = 100;
	m->addr = BIN(ip4, 4);
	m->mac = BIN(mac1, 6);
	m->nve = (char *)"nve2";
	F.mul[i][0] = BIN(ul4, 4);
	m->underlay = F.mul[i];
	m->n_underlay = 1;
	m->state = NVA__STATE__ACTIVATED;
	m->seq = 3;
	m->rev = 9;
	F.mp[i] = m;
}

/* F.e becomes a valid Envelope (xid 7) with body c. */
static Nva__Envelope *
mk(Nva__Envelope__BodyCase c)
{
	memset(&F, 0, sizeof(F));
	nva__envelope__init(&F.e);
	F.e.xid = 7;
	F.e.body_case = c;
	for (unsigned i = 0; i < NADDR; i++) {
		nva__address__init(&F.a[i]);
		F.a[i].addr = BIN(ip4, 4);
		F.a[i].mac = BIN(mac1, 6);
		F.ap[i] = &F.a[i];
	}
	for (unsigned i = 0; i < NMAP; i++)
		fill_mapping(i);
	for (unsigned i = 0; i <= NVA_UNDERLAY_MAX; i++)
		F.ul[i] = BIN(i & 1 ? ul6 : ul4, i & 1 ? 16 : 4);
	for (unsigned i = 0; i <= NVA_VNLIST_MAX; i++)
		F.vns[i] = 100 + i;
	switch (c) {
	case NVA__ENVELOPE__BODY_HELLO:
		nva__hello__init(&F.hello);
		F.hello.nve = (char *)"nve1";
		F.hello.underlay = F.ul;
		F.hello.n_underlay = 2;
		F.hello.keepalive_ms = 3000;
		F.e.hello = &F.hello;
		break;
	case NVA__ENVELOPE__BODY_WELCOME:
		nva__welcome__init(&F.welcome);
		F.welcome.nva = (char *)"nva1";
		F.welcome.epoch = 5;
		F.welcome.rev = 9;
		F.welcome.keepalive_ms = 3000;
		F.e.welcome = &F.welcome;
		break;
	case NVA__ENVELOPE__BODY_SUBSCRIBE:
		nva__subscribe__init(&F.sub);
		F.sub.vn = F.vns;
		F.sub.n_vn = 2;
		F.sub.since_rev = 3;
		F.sub.epoch = 5;
		F.e.subscribe = &F.sub;
		break;
	case NVA__ENVELOPE__BODY_UNSUBSCRIBE:
		nva__unsubscribe__init(&F.unsub);
		F.unsub.vn = F.vns;
		F.unsub.n_vn = 1;
		F.e.unsubscribe = &F.unsub;
		break;
	case NVA__ENVELOPE__BODY_SYNC_DONE:
		nva__sync_done__init(&F.sync);
		F.sync.vn = F.vns;
		F.sync.n_vn = 1;
		F.sync.rev = 9;
		F.sync.full = 1;
		F.e.sync_done = &F.sync;
		break;
	case NVA__ENVELOPE__BODY_REPORT:
		nva__report__init(&F.rep);
		F.rep.vn = 100;
		F.rep.tsi = BIN(tsi, 16);
		F.rep.state = NVA__STATE__ACTIVATED;
		/* a MAC alone, an IPv4 and an IPv6 address with the MAC */
		F.a[0].addr = BIN(mac1, 6);
		F.a[0].mac = BIN(NULL, 0);
		F.a[2].addr = BIN(ip6, 16);
		F.rep.addrs = F.ap;
		F.rep.n_addrs = 3;
		F.rep.migration = 1;
		F.e.report = &F.rep;
		break;
	case NVA__ENVELOPE__BODY_WITHDRAW:
		nva__withdraw__init(&F.wd);
		F.wd.vn = 100;
		F.wd.tsi = BIN(tsi, 16);
		F.a[0].mac = BIN(NULL, 0);
		F.wd.addrs = F.ap;
		F.wd.n_addrs = 1;
		F.e.withdraw = &F.wd;
		break;
	case NVA__ENVELOPE__BODY_QUERY:
		nva__query__init(&F.q);
		F.q.vn = 100;
		F.q.addr = BIN(ip4, 4);
		F.e.query = &F.q;
		break;
	case NVA__ENVELOPE__BODY_ANSWER:
		nva__answer__init(&F.ans);
		F.ans.mappings = F.mp;
		F.ans.n_mappings = 1;
		F.e.answer = &F.ans;
		break;
	case NVA__ENVELOPE__BODY_UPDATE:
		nva__update__init(&F.upd);
		F.m[1].addr = BIN(ip6, 16);
		F.m[1].state = NVA__STATE__WITHDRAWN;
		F.m[1].seq = 4;
		F.m[1].rev = 10;
		F.m[1].frozen = 1;
		F.mul[1][1] = BIN(ul6, 16);
		F.m[1].n_underlay = 2;
		F.upd.mappings = F.mp;
		F.upd.n_mappings = 2;
		F.e.update = &F.upd;
		break;
	case NVA__ENVELOPE__BODY_MOVED:
		nva__moved__init(&F.moved);
		F.moved.mapping = &F.m[0];
		F.moved.from_nve = (char *)"nve1";
		F.e.moved = &F.moved;
		break;
	case NVA__ENVELOPE__BODY_SUBNET:
		nva__subnet__init(&F.subnet);
		F.subnet.vn = 100;
		F.subnet.prefix = BIN(junk, 4);
		memcpy(junk, "\xc6\x33\x64\x00", 4);	/* 198.51.100.0 */
		F.subnet.plen = 24;
		F.subnet.attach = 1;
		F.e.subnet = &F.subnet;
		break;
	case NVA__ENVELOPE__BODY_AUDIT:
		nva__audit__init(&F.audit);
		F.audit.vn = 100;
		F.a[1].addr = BIN(ip6, 16);
		F.a[1].mac = BIN(mac2, 6);
		F.audit.entries = F.ap;
		F.audit.n_entries = 2;
		F.e.audit = &F.audit;
		break;
	case NVA__ENVELOPE__BODY_AUDIT_RESULT:
		nva__audit_result__init(&F.ares);
		nva__discrepancy__init(&F.disc);
		F.a[0].mac = BIN(mac2, 6);
		F.disc.entry = &F.a[0];
		F.disc.directory = &F.m[0];
		F.disc.reason = (char *)"mac-differs";
		F.ares.checked = 2;
		F.dp[0] = &F.disc;
		F.ares.bad = F.dp;
		F.ares.n_bad = 1;
		F.e.audit_result = &F.ares;
		break;
	case NVA__ENVELOPE__BODY_AUTHORIZE:
		nva__authorize__init(&F.authz);
		F.authz.vn = 100;
		F.authz.tsi = BIN(tsi, 16);
		F.authz.addrs = F.ap;
		F.authz.n_addrs = 1;
		F.e.authorize = &F.authz;
		break;
	case NVA__ENVELOPE__BODY_VERDICT:
		nva__verdict__init(&F.verdict);
		F.verdict.allow = 0;
		F.verdict.code = NVA__CODE__COATTACH;
		F.verdict.reason = (char *)"tenants red and blue";
		F.e.verdict = &F.verdict;
		break;
	case NVA__ENVELOPE__BODY_KEEPALIVE:
		nva__keep_alive__init(&F.ka);
		F.ka.rev = 9;
		F.e.keepalive = &F.ka;
		break;
	case NVA__ENVELOPE__BODY_ACK:
		nva__ack__init(&F.ack);
		F.ack.rev = 9;
		F.e.ack = &F.ack;
		break;
	case NVA__ENVELOPE__BODY_ERROR:
		nva__error__init(&F.error);
		F.error.code = NVA__CODE__NOT_OWNER;
		F.error.text = (char *)"198.51.100.10 belongs to nve2";
		F.e.error = &F.error;
		break;
	default:
		break;
	}
	return &F.e;
}

static size_t
pack(const Nva__Envelope *e)
{
	size_t n = protobuf_c_message_get_packed_size(&e->base);

	assert_true(n <= sizeof(pk));
	assert_int_equal(protobuf_c_message_pack(&e->base, pk), n);
	return n;
}

static void
expect_bytes(const uint8_t *p, size_t n, enum nva_code code, const char *why)
{
	Nva__Envelope *out = (Nva__Envelope *)&F;	/* must be cleared */
	char err[256];

	memset(err, 'x', sizeof(err));
	assert_int_equal(nva_decode(p, n, &out, err, sizeof(err)), code);
	if (code == NVA_OK) {
		assert_non_null(out);
		assert_string_equal(err, "");
		nva_free(out);
		return;
	}
	assert_null(out);
	assert_string_equal(err, why);
}

/* Packs F.e and expects code with reason why. */
static void
expect(enum nva_code code, const char *why)
{
	size_t n = pack(&F.e);

	expect_bytes(pk, n, code, why);
}

/* ---- hand-encoded protobuf ---------------------------------------------- */

struct wbuf {
	uint8_t		 b[512];
	size_t		 n;
};

static void
w_varint(struct wbuf *w, uint64_t v)
{
	do {
		assert_true(w->n < sizeof(w->b));
		w->b[w->n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

static void
w_raw(struct wbuf *w, const void *p, size_t n)
{
	assert_true(w->n + n <= sizeof(w->b));
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

/* Field num with wire type 2 and the given contents. */
static void
w_len(struct wbuf *w, unsigned num, const void *p, size_t n)
{
	w_varint(w, (uint64_t)num << 3 | 2);
	w_varint(w, n);
	w_raw(w, p, n);
}

static void
w_msg(struct wbuf *w, const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);

	assert_true(w->n + n <= sizeof(w->b));
	protobuf_c_message_pack(m, w->b + w->n);
	w->n += n;
}

/* ---- round trips -------------------------------------------------------- */

static void
roundtrip_every_body(void **state)
{
	static uint8_t frame[4096], again[4096];
	unsigned from_nve = 0, from_nva = 0, both = 0;

	(void)state;
	for (int c = NVA__ENVELOPE__BODY_HELLO; c <= NVA__ENVELOPE__BODY_ERROR;
	    c++) {
		Nva__Envelope *e = mk((Nva__Envelope__BodyCase)c), *d;
		struct nva_rx rx;
		const uint8_t *msg;
		size_t len, fs = nva_frame_size(e);
		ssize_t n;
		char err[128];

		n = nva_encode(e, frame, sizeof(frame));
		assert_int_equal(n, (ssize_t)fs);
		assert_int_equal(frame[0] << 24 | frame[1] << 16 |
		    frame[2] << 8 | frame[3], fs - NVA_HDR_LEN);
		nva_rx_init(&rx, 0);
		assert_int_equal(nva_rx_feed(&rx, frame, (size_t)n), 0);
		assert_int_equal(nva_rx_next(&rx, &msg, &len), 1);
		assert_int_equal(len, fs - NVA_HDR_LEN);
		assert_int_equal(nva_decode(msg, len, &d, err, sizeof(err)),
		    NVA_OK);
		assert_int_equal(d->body_case, c);
		assert_int_equal(d->xid, 7);
		/* Same octets out as in: every field came through. */
		assert_int_equal(nva_encode(d, again, sizeof(again)), n);
		assert_memory_equal(frame, again, (size_t)n);
		nva_free(d);
		assert_int_equal(nva_rx_next(&rx, &msg, &len), 0);
		nva_rx_free(&rx);

		assert_true(nva_body_from_nve(c) || nva_body_from_nva(c));
		if (nva_body_from_nve(c) && nva_body_from_nva(c))
			both++;
		else if (nva_body_from_nve(c))
			from_nve++;
		else
			from_nva++;
	}
	assert_int_equal(both, 1);		/* keepalive */
	assert_true(nva_body_from_nve(NVA__ENVELOPE__BODY_KEEPALIVE));
	assert_int_equal(from_nve, 9);
	assert_int_equal(from_nva, 9);
	assert_false(nva_body_from_nve(NVA__ENVELOPE__BODY_ERROR));
	assert_true(nva_body_from_nva(NVA__ENVELOPE__BODY_ERROR));
	assert_false(nva_body_from_nve(NVA__ENVELOPE__BODY__NOT_SET));
	assert_false(nva_body_from_nva(NVA__ENVELOPE__BODY__NOT_SET));
}

/* Values come back, not only octets: one report looked at closely. */
static void
roundtrip_report_values(void **state)
{
	Nva__Envelope *d;
	size_t n;
	struct nva_addr a;
	char buf[NVA_ADDR_STRLEN];

	(void)state;
	mk(NVA__ENVELOPE__BODY_REPORT);
	n = pack(&F.e);
	assert_int_equal(nva_decode(pk, n, &d, NULL, 0), NVA_OK);
	assert_int_equal(d->report->vn, 100);
	assert_int_equal(d->report->state, NVA__STATE__ACTIVATED);
	assert_true(d->report->migration);
	assert_int_equal(d->report->n_addrs, 3);
	assert_memory_equal(d->report->tsi.data, tsi, 16);
	assert_int_equal(nva_addr_from(&a, &d->report->addrs[0]->addr), 0);
	assert_string_equal(nva_addr_fmt(&a, buf), "02:00:00:00:00:01");
	assert_int_equal(d->report->addrs[0]->mac.len, 0);
	assert_int_equal(nva_addr_from(&a, &d->report->addrs[2]->addr), 0);
	assert_string_equal(nva_addr_fmt(&a, buf), "2001:db8:100::10");
	assert_memory_equal(d->report->addrs[2]->mac.data, mac1, 6);
	nva_free(d);
	nva_free(NULL);
}

/* The worked frames of docs/nva-protocol.md section 2, both ways. */
static void
golden_frames(void **state)
{
	static const uint8_t ka[] = { 0x00, 0x00, 0x00, 0x05,
		0xd2, 0x01, 0x02, 0x08, 0x09 };
	static const uint8_t query[] = { 0x00, 0x00, 0x00, 0x0d,
		0x08, 0x07, 0x8a, 0x01, 0x08, 0x08, 0x64,
		0x12, 0x04, 0xc6, 0x33, 0x64, 0x0a };
	uint8_t buf[64];
	Nva__Envelope *d;

	(void)state;
	mk(NVA__ENVELOPE__BODY_KEEPALIVE);
	F.e.xid = 0;
	assert_int_equal(nva_encode(&F.e, buf, sizeof(buf)), sizeof(ka));
	assert_memory_equal(buf, ka, sizeof(ka));
	assert_int_equal(nva_decode(ka + 4, sizeof(ka) - 4, &d, NULL, 0),
	    NVA_OK);
	assert_int_equal(d->body_case, NVA__ENVELOPE__BODY_KEEPALIVE);
	assert_int_equal(d->keepalive->rev, 9);
	nva_free(d);

	mk(NVA__ENVELOPE__BODY_QUERY);
	assert_int_equal(nva_encode(&F.e, buf, sizeof(buf)), sizeof(query));
	assert_memory_equal(buf, query, sizeof(query));
	assert_int_equal(nva_decode(query + 4, sizeof(query) - 4, &d, NULL,
	    0), NVA_OK);
	assert_int_equal(d->xid, 7);
	assert_int_equal(d->query->vn, 100);
	assert_int_equal(d->query->addr.len, 4);
	assert_memory_equal(d->query->addr.data, ip4, 4);
	nva_free(d);
}

/* ---- the receive buffer ------------------------------------------------- */

/* A frame whose payload is n octets of v (not decoded here). */
static size_t
raw_frame(uint8_t *b, uint32_t n, uint8_t v)
{
	b[0] = (uint8_t)(n >> 24);
	b[1] = (uint8_t)(n >> 16);
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	memset(b + 4, v, n);
	return NVA_HDR_LEN + n;
}

static void
expect_frame(struct nva_rx *rx, size_t n, uint8_t v)
{
	const uint8_t *msg = NULL;
	size_t len = 0;

	assert_int_equal(nva_rx_next(rx, &msg, &len), 1);
	assert_int_equal(len, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(msg[i], v);
}

static void
rx_split_one_octet(void **state)
{
	uint8_t b[64];
	size_t n = 0;
	struct nva_rx rx;
	const uint8_t *msg;
	size_t len;

	(void)state;
	n += raw_frame(b + n, 5, 0x11);
	n += raw_frame(b + n, 1, 0x22);
	n += raw_frame(b + n, 9, 0x33);
	nva_rx_init(&rx, 0);
	assert_int_equal(rx.max, NVA_FRAME_MAX);
	assert_int_equal(nva_rx_next(&rx, &msg, &len), 0);
	assert_int_equal(nva_rx_feed(&rx, b, 0), 0);
	/* Nothing comes out until the last octet of each frame is in. */
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(nva_rx_feed(&rx, b + i, 1), 0);
		if (i == 8)
			expect_frame(&rx, 5, 0x11);
		else if (i == 13)
			expect_frame(&rx, 1, 0x22);
		else if (i == n - 1)
			expect_frame(&rx, 9, 0x33);
		else
			assert_int_equal(nva_rx_next(&rx, &msg, &len), 0);
	}
	assert_int_equal(nva_rx_next(&rx, &msg, &len), 0);
	nva_rx_free(&rx);
	nva_rx_free(&rx);	/* twice is harmless */
}

static void
rx_several_in_one_feed(void **state)
{
	uint8_t b[64];
	size_t n = 0;
	struct nva_rx rx;
	const uint8_t *msg;
	size_t len;

	(void)state;
	n += raw_frame(b + n, 3, 0x01);
	n += raw_frame(b + n, 4, 0x02);
	n += raw_frame(b + n, 2, 0x03);
	nva_rx_init(&rx, 0);
	/* All three and the first 5 octets of a fourth. */
	raw_frame(b + n, 6, 0x04);
	assert_int_equal(nva_rx_feed(&rx, b, n + 5), 0);
	expect_frame(&rx, 3, 0x01);
	expect_frame(&rx, 4, 0x02);
	expect_frame(&rx, 2, 0x03);
	assert_int_equal(nva_rx_next(&rx, &msg, &len), 0);
	assert_int_equal(nva_rx_feed(&rx, b + n + 5, 5), 0);
	expect_frame(&rx, 6, 0x04);
	assert_int_equal(rx.off, rx.len);
	nva_rx_free(&rx);
}

/* A frame straddling the end of the buffer is moved to the front. */
static void
rx_compaction(void **state)
{
	static uint8_t b[8192];
	size_t a, n;
	struct nva_rx rx;

	(void)state;
	a = raw_frame(b, 3000, 0xaa);
	n = a + raw_frame(b + a, 2500, 0xbb);
	nva_rx_init(&rx, 0);
	assert_int_equal(nva_rx_feed(&rx, b, a + 1000), 0);
	assert_int_equal(rx.cap, 4096);
	expect_frame(&rx, 3000, 0xaa);
	assert_int_equal(nva_rx_feed(&rx, b + a + 1000, n - a - 1000), 0);
	assert_int_equal(rx.cap, 4096);		/* moved, not grown */
	assert_int_equal(rx.off, 0);
	expect_frame(&rx, 2500, 0xbb);
	nva_rx_free(&rx);
}

/* After one large frame an idle buffer shrinks back. */
static void
rx_shrinks_when_idle(void **state)
{
	uint8_t *b = malloc(300000);
	size_t n;
	struct nva_rx rx;

	(void)state;
	assert_non_null(b);
	n = raw_frame(b, 200000, 0x5c);
	nva_rx_init(&rx, 0);
	assert_int_equal(nva_rx_feed(&rx, b, n), 0);
	assert_true(rx.cap >= n);
	expect_frame(&rx, 200000, 0x5c);
	n = raw_frame(b, 10, 0x5d);
	assert_int_equal(nva_rx_feed(&rx, b, n), 0);
	assert_int_equal(rx.cap, 64 * 1024);
	expect_frame(&rx, 10, 0x5d);
	nva_rx_free(&rx);
	free(b);
}

static void
rx_length_zero_sticks(void **state)
{
	uint8_t b[32];
	size_t n;
	struct nva_rx rx;
	const uint8_t *msg;
	size_t len;

	(void)state;
	n = raw_frame(b, 2, 0x01);
	memset(b + n, 0, 4);			/* length 0 */
	n += 4;
	n += raw_frame(b + n, 2, 0x02);		/* never reached */
	nva_rx_init(&rx, 0);
	assert_int_equal(nva_rx_feed(&rx, b, n), 0);
	expect_frame(&rx, 2, 0x01);
	assert_int_equal(nva_rx_next(&rx, &msg, &len), -EBADMSG);
	assert_int_equal(rx.broken, 1);
	assert_int_equal(nva_rx_next(&rx, &msg, &len), -EBADMSG);
	assert_int_equal(nva_rx_feed(&rx, b, 6), -EBADMSG);
	assert_int_equal(nva_rx_next(&rx, &msg, &len), -EBADMSG);
	nva_rx_free(&rx);

	/* At the head of the buffer the feed itself says so, once the four
	 * octets are in. */
	nva_rx_init(&rx, 0);
	assert_int_equal(nva_rx_feed(&rx, "\0\0\0", 3), 0);
	assert_int_equal(nva_rx_next(&rx, &msg, &len), 0);
	assert_int_equal(nva_rx_feed(&rx, "\0", 1), -EBADMSG);
	assert_int_equal(nva_rx_next(&rx, &msg, &len), -EBADMSG);
	nva_rx_free(&rx);
}

static void
rx_limit(void **state)
{
	uint8_t b[64];
	size_t n;
	struct nva_rx rx;
	const uint8_t *msg;
	size_t len;

	(void)state;
	/* Exactly max: fine. */
	nva_rx_init(&rx, 16);
	n = raw_frame(b, 16, 0x77);
	assert_int_equal(nva_rx_feed(&rx, b, n), 0);
	expect_frame(&rx, 16, 0x77);
	/* max + 1: broken at the header, before the payload arrives. */
	n = raw_frame(b, 17, 0x78);
	assert_int_equal(nva_rx_feed(&rx, b, 4), -EBADMSG);
	assert_int_equal(nva_rx_next(&rx, &msg, &len), -EBADMSG);
	assert_int_equal(nva_rx_feed(&rx, b + 4, 17), -EBADMSG);
	assert_int_equal(nva_rx_next(&rx, &msg, &len), -EBADMSG);
	nva_rx_free(&rx);

	/* The default limit: 0xffffffff and NVA_FRAME_MAX + 1 refused. */
	nva_rx_init(&rx, 0);
	assert_int_equal(nva_rx_feed(&rx, "\xff\xff\xff\xff", 4), -EBADMSG);
	nva_rx_free(&rx);
	nva_rx_init(&rx, 0);
	assert_int_equal(nva_rx_feed(&rx, "\x00\x10\x00\x01", 4), -EBADMSG);
	nva_rx_free(&rx);
}

static void
rx_exact_frame_max(void **state)
{
	uint8_t *b = malloc(NVA_HDR_LEN + NVA_FRAME_MAX);
	size_t n;
	struct nva_rx rx;
	const uint8_t *msg;
	size_t len;

	(void)state;
	assert_non_null(b);
	n = raw_frame(b, NVA_FRAME_MAX, 0x42);
	nva_rx_init(&rx, 0);
	assert_int_equal(nva_rx_feed(&rx, b, n - 1), 0);
	assert_int_equal(nva_rx_next(&rx, &msg, &len), 0);
	assert_int_equal(nva_rx_feed(&rx, b + n - 1, 1), 0);
	assert_int_equal(nva_rx_next(&rx, &msg, &len), 1);
	assert_int_equal(len, NVA_FRAME_MAX);
	assert_int_equal(msg[0], 0x42);
	assert_int_equal(msg[NVA_FRAME_MAX - 1], 0x42);
	nva_rx_free(&rx);
	free(b);
}

/* ---- the encoder -------------------------------------------------------- */

static void
encode_errors(void **state)
{
	uint8_t buf[256];
	size_t fs;
	uint8_t *big;

	(void)state;
	mk(NVA__ENVELOPE__BODY_QUERY);
	fs = nva_frame_size(&F.e);
	assert_true(fs < sizeof(buf));
	assert_int_equal(nva_encode(&F.e, buf, fs - 1), -ENOSPC);
	assert_int_equal(nva_encode(&F.e, buf, 3), -ENOSPC);
	assert_int_equal(nva_encode(&F.e, buf, 0), -ENOSPC);
	assert_int_equal(nva_encode(&F.e, buf, fs), (ssize_t)fs);

	/* An Envelope of nothing would be a length-0 frame. */
	nva__envelope__init(&F.e);
	assert_int_equal(nva_frame_size(&F.e), NVA_HDR_LEN);
	assert_int_equal(nva_encode(&F.e, buf, sizeof(buf)), -EINVAL);

	/* Over NVA_FRAME_MAX: refused whatever room there is. */
	big = calloc(1, NVA_FRAME_MAX);
	assert_non_null(big);
	mk(NVA__ENVELOPE__BODY_QUERY);
	F.q.addr = BIN(big, NVA_FRAME_MAX);
	assert_true(nva_frame_size(&F.e) > NVA_HDR_LEN + NVA_FRAME_MAX);
	assert_int_equal(nva_encode(&F.e, pk, sizeof(pk)), -EMSGSIZE);
	assert_int_equal(nva_encode(&F.e, buf, 0), -EMSGSIZE);
	/* Exactly NVA_FRAME_MAX octets of Envelope fits. */
	F.q.addr.len = NVA_FRAME_MAX - (nva_frame_size(&F.e) - NVA_HDR_LEN -
	    NVA_FRAME_MAX) - 1;	/* length varints stay 3 octets */
	assert_int_equal(nva_frame_size(&F.e), NVA_HDR_LEN + NVA_FRAME_MAX - 1);
	F.q.addr.len++;
	assert_int_equal(nva_frame_size(&F.e), NVA_HDR_LEN + NVA_FRAME_MAX);
	assert_int_equal(nva_encode(&F.e, pk, sizeof(pk)),
	    NVA_HDR_LEN + NVA_FRAME_MAX);
	assert_int_equal(pk[1], 0x10);
	assert_int_equal(pk[0] | pk[2] | pk[3], 0);
	free(big);
}

/* ---- decoding: before the values ---------------------------------------- */

static void
decode_undecodable(void **state)
{
	static const uint8_t trunc[] = { 0x08, 0x05, 0x08 };
	static const uint8_t wrongwt[] = { 0x0a, 0x01, 0x00 };
	static const uint8_t overrun[] = { 0x7a, 0x05, 0x08 };	/* 15 */
	Nva__Envelope *out;
	char err[8];
	uint8_t *big;

	(void)state;
	expect_bytes(trunc, sizeof(trunc), NVA_MALFORMED,
	    "envelope: undecodable protobuf (3 octets)");
	expect_bytes(wrongwt, sizeof(wrongwt), NVA_MALFORMED,
	    "envelope: undecodable protobuf (3 octets)");
	expect_bytes(overrun, sizeof(overrun), NVA_MALFORMED,
	    "envelope: undecodable protobuf (3 octets)");
	expect_bytes(trunc, 0, NVA_MALFORMED, "envelope: no body");
	expect_bytes(NULL, 3, NVA_MALFORMED, "envelope: no octets");
	big = calloc(1, NVA_FRAME_MAX + 1);
	assert_non_null(big);
	expect_bytes(big, NVA_FRAME_MAX + 1, NVA_MALFORMED,
	    "envelope: message of 1048577 octets, over 1048576");
	free(big);

	/* No room for a reason, or little: the code still comes. */
	assert_int_equal(nva_decode(trunc, sizeof(trunc), &out, NULL, 0),
	    NVA_MALFORMED);
	assert_null(out);
	assert_int_equal(nva_decode(trunc, sizeof(trunc), &out, err,
	    sizeof(err)), NVA_MALFORMED);
	assert_string_equal(err, "envelop");
	assert_int_equal(nva_decode(trunc, sizeof(trunc), &out, err, 3),
	    NVA_MALFORMED);
	assert_string_equal(err, "en");
}

static void
decode_no_body(void **state)
{
	(void)state;
	mk(NVA__ENVELOPE__BODY__NOT_SET);
	expect(NVA_MALFORMED, "envelope: no body");
}

static void
decode_unknown_top(void **state)
{
	struct wbuf w = { .n = 0 };

	(void)state;
	mk(NVA__ENVELOPE__BODY_KEEPALIVE);
	w_msg(&w, &F.e.base);
	w_varint(&w, 99 << 3);		/* tag 99, varint 1 */
	w_varint(&w, 1);
	expect_bytes(w.b, w.n, NVA_UNKNOWN_FIELD, "envelope: unknown field 99");

	/* A body number this side does not know (a newer peer). */
	w.n = 0;
	w_varint(&w, 1 << 3);
	w_varint(&w, 5);
	w_len(&w, 29, "\x08\x01", 2);
	expect_bytes(w.b, w.n, NVA_UNKNOWN_FIELD, "envelope: unknown field 29");

	/* Unknown fixed32 and fixed64 fields are unknown too. */
	w.n = 0;
	w_msg(&w, &F.e.base);
	w_varint(&w, 40 << 3 | 5);
	w_raw(&w, "\1\2\3\4", 4);
	expect_bytes(w.b, w.n, NVA_UNKNOWN_FIELD, "envelope: unknown field 40");
	w.n = 0;
	w_msg(&w, &F.e.base);
	w_varint(&w, 41 << 3 | 1);
	w_raw(&w, "\1\2\3\4\5\6\7\10", 8);
	expect_bytes(w.b, w.n, NVA_UNKNOWN_FIELD, "envelope: unknown field 41");
}

static void
decode_unknown_nested(void **state)
{
	struct wbuf addr = { .n = 0 }, rep = { .n = 0 }, env = { .n = 0 };
	struct wbuf map = { .n = 0 }, disc = { .n = 0 }, ares = { .n = 0 };

	(void)state;
	/* report.addrs[1] carries tag 99. */
	mk(NVA__ENVELOPE__BODY_REPORT);
	w_msg(&addr, &F.a[1].base);
	w_varint(&addr, 99 << 3);
	w_varint(&addr, 1);
	F.rep.n_addrs = 1;
	w_msg(&rep, &F.rep.base);			/* vn, tsi, addrs[0] */
	w_len(&rep, 4, addr.b, addr.n);			/* addrs[1] */
	w_varint(&env, 1 << 3);
	w_varint(&env, 7);
	w_len(&env, 15, rep.b, rep.n);
	expect_bytes(env.b, env.n, NVA_UNKNOWN_FIELD,
	    "report.addrs[1]: unknown field 99");

	/* Three levels down: audit_result.bad[0].directory. */
	mk(NVA__ENVELOPE__BODY_AUDIT_RESULT);
	w_msg(&map, &F.m[0].base);
	w_len(&map, 99, "zz", 2);
	F.disc.directory = NULL;
	w_msg(&disc, &F.disc.base);
	w_len(&disc, 2, map.b, map.n);
	w_len(&ares, 2, disc.b, disc.n);
	env.n = 0;
	w_len(&env, 23, ares.b, ares.n);
	expect_bytes(env.b, env.n, NVA_UNKNOWN_FIELD,
	    "audit_result.bad[0].directory: unknown field 99");

	/* The same without the extra field decodes: the test above failed
	 * for the reason it names. */
	map.n = disc.n = ares.n = env.n = 0;
	w_msg(&map, &F.m[0].base);
	w_msg(&disc, &F.disc.base);
	w_len(&disc, 2, map.b, map.n);
	w_len(&ares, 2, disc.b, disc.n);
	w_len(&env, 23, ares.b, ares.n);
	expect_bytes(env.b, env.n, NVA_OK, NULL);
}

static void
decode_nul_in_string(void **state)
{
	struct wbuf w = { .n = 0 }, in = { .n = 0 };
	struct wbuf ares = { .n = 0 }, disc = { .n = 0 };

	(void)state;
	/* hello { nve "nve1\0x" underlay 203.0.113.1 }: protobuf-c would
	 * hand out "nve1". */
	w_len(&in, 1, "nve1\0x", 6);
	w_len(&in, 2, ul4, 4);
	w_len(&w, 10, in.b, in.n);
	expect_bytes(w.b, w.n, NVA_MALFORMED,
	    "hello.nve: NUL inside the string");

	/* Second discrepancy's reason. */
	mk(NVA__ENVELOPE__BODY_AUDIT_RESULT);
	F.disc.reason = (char *)"";
	w_msg(&disc, &F.disc.base);
	w_len(&ares, 2, disc.b, disc.n);
	w_len(&disc, 3, "ab\0", 3);
	w_len(&ares, 2, disc.b, disc.n);
	w.n = 0;
	w_len(&w, 23, ares.b, ares.n);
	expect_bytes(w.b, w.n, NVA_MALFORMED,
	    "audit_result.bad[1].reason: NUL inside the string");
}

/* ---- decoding: the values, body by body --------------------------------- */

static void
decode_hello(void **state)
{
	(void)state;
	mk(NVA__ENVELOPE__BODY_HELLO);
	F.hello.nve = (char *)"";
	expect(NVA_MALFORMED, "hello.nve: empty name");
	mk(NVA__ENVELOPE__BODY_HELLO);
	memset(F.name, 'n', NVA_NAME_MAX);
	F.hello.nve = F.name;
	expect(NVA_OK, NULL);
	F.name[NVA_NAME_MAX] = 'n';
	expect(NVA_MALFORMED, "hello.nve: name of 64 octets, over 63");
	mk(NVA__ENVELOPE__BODY_HELLO);
	F.hello.nve = (char *)"nve 1";
	expect(NVA_MALFORMED, "hello.nve: octet 0x20 at 3 in the name");
	F.hello.nve = (char *)"nve\x7f";
	expect(NVA_MALFORMED, "hello.nve: octet 0x7f at 3 in the name");
	F.hello.nve = (char *)"n\xc3\xa9";
	expect(NVA_MALFORMED, "hello.nve: octet 0xc3 at 1 in the name");
	F.hello.nve = (char *)"\t";
	expect(NVA_MALFORMED, "hello.nve: octet 0x09 at 0 in the name");
	F.hello.nve = (char *)"!~";
	expect(NVA_OK, NULL);

	mk(NVA__ENVELOPE__BODY_HELLO);
	F.hello.n_underlay = 0;
	expect(NVA_MALFORMED, "hello.underlay: no addresses");
	F.hello.n_underlay = NVA_UNDERLAY_MAX;
	expect(NVA_OK, NULL);
	F.hello.n_underlay = NVA_UNDERLAY_MAX + 1;
	expect(NVA_TOO_MANY, "hello.underlay: 9 addresses, over 8");
	F.hello.n_underlay = 3;
	F.ul[2] = BIN(mac1, 6);
	expect(NVA_BAD_ADDRESS, "hello.underlay[2]: IP address of 6 octets");
	F.ul[2] = BIN(NULL, 0);
	expect(NVA_BAD_ADDRESS, "hello.underlay[2]: IP address of 0 octets");
}

static void
decode_welcome(void **state)
{
	(void)state;
	mk(NVA__ENVELOPE__BODY_WELCOME);
	F.welcome.nva = (char *)"";
	expect(NVA_MALFORMED, "welcome.nva: empty name");
	F.welcome.nva = (char *)"nva\n";
	expect(NVA_MALFORMED, "welcome.nva: octet 0x0a at 3 in the name");
}

static void
decode_vn_lists(void **state)
{
	(void)state;
	mk(NVA__ENVELOPE__BODY_SUBSCRIBE);
	F.sub.n_vn = 0;
	expect(NVA_MALFORMED, "subscribe.vn: no VN");
	F.sub.n_vn = NVA_VNLIST_MAX;
	expect(NVA_OK, NULL);
	F.sub.n_vn = NVA_VNLIST_MAX + 1;
	expect(NVA_TOO_MANY, "subscribe.vn: 4097 VNs, over 4096");
	F.sub.n_vn = 3;
	F.vns[2] = 0;
	expect(NVA_MALFORMED, "subscribe.vn[2]: VN 0 out of range 1..16777215");
	F.vns[2] = NVA_VN_MAX + 1;
	expect(NVA_MALFORMED,
	    "subscribe.vn[2]: VN 16777216 out of range 1..16777215");
	F.vns[2] = NVA_VN_MAX;
	expect(NVA_OK, NULL);
	F.vns[0] = 1;
	expect(NVA_OK, NULL);

	mk(NVA__ENVELOPE__BODY_UNSUBSCRIBE);
	F.unsub.n_vn = 0;
	expect(NVA_MALFORMED, "unsubscribe.vn: no VN");
	F.unsub.n_vn = NVA_VNLIST_MAX + 1;
	expect(NVA_TOO_MANY, "unsubscribe.vn: 4097 VNs, over 4096");
	F.unsub.n_vn = 1;
	F.vns[0] = 0xffffffff;
	expect(NVA_MALFORMED,
	    "unsubscribe.vn[0]: VN 4294967295 out of range 1..16777215");

	mk(NVA__ENVELOPE__BODY_SYNC_DONE);
	F.sync.n_vn = 0;
	expect(NVA_MALFORMED, "sync_done.vn: no VN");
	F.sync.n_vn = 1;
	F.vns[0] = 0;
	expect(NVA_MALFORMED, "sync_done.vn[0]: VN 0 out of range 1..16777215");
}

static void
decode_report(void **state)
{
	(void)state;
	mk(NVA__ENVELOPE__BODY_REPORT);
	F.rep.vn = 0;
	expect(NVA_MALFORMED, "report.vn: VN 0 out of range 1..16777215");

	mk(NVA__ENVELOPE__BODY_REPORT);
	F.rep.tsi = BIN(tsi, 15);
	expect(NVA_MALFORMED, "report.tsi: TSI of 15 octets, not 16");
	F.rep.tsi = BIN(junk, 17);
	expect(NVA_MALFORMED, "report.tsi: TSI of 17 octets, not 16");
	F.rep.tsi = BIN(NULL, 0);
	expect(NVA_OK, NULL);

	mk(NVA__ENVELOPE__BODY_REPORT);
	F.rep.state = NVA__STATE__STATE_NONE;
	expect(NVA_BAD_STATE,
	    "report.state: state none, not associated or activated");
	F.rep.state = NVA__STATE__WITHDRAWN;
	expect(NVA_BAD_STATE,
	    "report.state: state withdrawn, not associated or activated");
	F.rep.state = (Nva__State)4;
	expect(NVA_MALFORMED, "report.state: unknown state 4");
	F.rep.state = (Nva__State)-1;
	expect(NVA_MALFORMED, "report.state: unknown state -1");
	F.rep.state = NVA__STATE__ASSOCIATED;
	expect(NVA_OK, NULL);

	mk(NVA__ENVELOPE__BODY_REPORT);
	F.rep.n_addrs = 0;
	expect(NVA_MALFORMED, "report.addrs: no addresses");
	F.rep.n_addrs = NVA_ADDRS_MAX;
	expect(NVA_OK, NULL);
	F.rep.n_addrs = NVA_ADDRS_MAX + 1;
	expect(NVA_TOO_MANY, "report.addrs: 65 addresses, over 64");
}

/* Address rules, through report.addrs[2] (and a few other holders). */
static void
decode_addresses(void **state)
{
	static uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static uint8_t zero[6];

	(void)state;
	mk(NVA__ENVELOPE__BODY_REPORT);
	F.a[2].addr = BIN(junk, 5);
	expect(NVA_BAD_ADDRESS, "report.addrs[2].addr: address of 5 octets");
	F.a[2].addr = BIN(NULL, 0);
	expect(NVA_BAD_ADDRESS, "report.addrs[2].addr: address of 0 octets");
	F.a[2].addr = BIN(junk, 17);
	expect(NVA_BAD_ADDRESS, "report.addrs[2].addr: address of 17 octets");
	F.a[2].addr = BIN(ip6, 16);
	F.a[2].mac = BIN(mac1, 5);
	expect(NVA_BAD_ADDRESS, "report.addrs[2].mac: MAC of 5 octets");
	F.a[2].mac = BIN(junk, 7);
	expect(NVA_BAD_ADDRESS, "report.addrs[2].mac: MAC of 7 octets");
	F.a[2].mac = BIN(mcast, 6);
	expect(NVA_BAD_ADDRESS,
	    "report.addrs[2].mac: multicast MAC 01:00:5e:00:00:01");
	F.a[2].mac = BIN(zero, 6);
	expect(NVA_BAD_ADDRESS,
	    "report.addrs[2].mac: zero MAC 00:00:00:00:00:00");
	F.a[2].mac = BIN(NULL, 0);
	expect(NVA_OK, NULL);		/* an IP without its MAC is fine */

	F.a[2].addr = BIN(mac2, 6);
	F.a[2].mac = BIN(mac1, 6);
	expect(NVA_BAD_ADDRESS,
	    "report.addrs[2].mac: MAC beside a MAC address");
	F.a[2].mac = BIN(NULL, 0);
	expect(NVA_OK, NULL);
	F.a[2].addr = BIN(bcast, 6);
	expect(NVA_BAD_ADDRESS,
	    "report.addrs[2].addr: multicast MAC ff:ff:ff:ff:ff:ff");
	F.a[2].addr = BIN(zero, 6);
	expect(NVA_BAD_ADDRESS,
	    "report.addrs[2].addr: zero MAC 00:00:00:00:00:00");

	/* Withdraw: same rules, at least one address, TSI 0 or 16. */
	mk(NVA__ENVELOPE__BODY_WITHDRAW);
	F.wd.n_addrs = 0;
	expect(NVA_MALFORMED, "withdraw.addrs: no addresses");
	F.wd.n_addrs = NVA_ADDRS_MAX + 1;
	expect(NVA_TOO_MANY, "withdraw.addrs: 65 addresses, over 64");
	F.wd.n_addrs = 1;
	F.a[0].addr = BIN(junk, 3);
	expect(NVA_BAD_ADDRESS, "withdraw.addrs[0].addr: address of 3 octets");
	mk(NVA__ENVELOPE__BODY_WITHDRAW);
	F.wd.vn = NVA_VN_MAX + 1;
	expect(NVA_MALFORMED,
	    "withdraw.vn: VN 16777216 out of range 1..16777215");
	F.wd.vn = 5;
	F.wd.tsi = BIN(tsi, 1);
	expect(NVA_MALFORMED, "withdraw.tsi: TSI of 1 octets, not 16");

	/* Authorize: no address is fine, the rest as Report. */
	mk(NVA__ENVELOPE__BODY_AUTHORIZE);
	F.authz.n_addrs = 0;
	expect(NVA_OK, NULL);
	F.authz.n_addrs = NVA_ADDRS_MAX + 1;
	expect(NVA_TOO_MANY, "authorize.addrs: 65 addresses, over 64");
	F.authz.n_addrs = 1;
	F.a[0].mac = BIN(bcast, 6);
	expect(NVA_BAD_ADDRESS,
	    "authorize.addrs[0].mac: multicast MAC ff:ff:ff:ff:ff:ff");
	mk(NVA__ENVELOPE__BODY_AUTHORIZE);
	F.authz.vn = 0;
	expect(NVA_MALFORMED, "authorize.vn: VN 0 out of range 1..16777215");
	F.authz.vn = 1;
	F.authz.tsi = BIN(junk, 20);
	expect(NVA_MALFORMED, "authorize.tsi: TSI of 20 octets, not 16");
}

static void
decode_query(void **state)
{
	(void)state;
	mk(NVA__ENVELOPE__BODY_QUERY);
	F.q.addr = BIN(mac1, 6);
	expect(NVA_OK, NULL);
	F.q.addr = BIN(ip6, 16);
	expect(NVA_OK, NULL);
	F.q.addr = BIN(NULL, 0);
	expect(NVA_BAD_ADDRESS, "query.addr: address of 0 octets");
	F.q.addr = BIN(junk, 8);
	expect(NVA_BAD_ADDRESS, "query.addr: address of 8 octets");
	F.q.addr = BIN(ip4, 4);
	F.q.vn = 0;
	expect(NVA_MALFORMED, "query.vn: VN 0 out of range 1..16777215");
}

static void
decode_mappings(void **state)
{
	(void)state;
	mk(NVA__ENVELOPE__BODY_ANSWER);
	F.ans.n_mappings = 0;
	expect(NVA_OK, NULL);			/* unknown address */

	mk(NVA__ENVELOPE__BODY_UPDATE);
	F.m[1].vn = 0;
	expect(NVA_MALFORMED,
	    "update.mappings[1].vn: VN 0 out of range 1..16777215");
	mk(NVA__ENVELOPE__BODY_UPDATE);
	F.m[1].addr = BIN(junk, 2);
	expect(NVA_BAD_ADDRESS, "update.mappings[1].addr: address of 2 octets");
	mk(NVA__ENVELOPE__BODY_UPDATE);
	F.m[1].mac = BIN(junk, 1);
	expect(NVA_BAD_ADDRESS, "update.mappings[1].mac: MAC of 1 octets");
	mk(NVA__ENVELOPE__BODY_UPDATE);
	F.m[0].nve = (char *)"";
	expect(NVA_MALFORMED, "update.mappings[0].nve: empty name");
	/* A withdrawn entry may have lost its owner (m[1] is withdrawn),
	 * but a name it has must be a name. */
	mk(NVA__ENVELOPE__BODY_UPDATE);
	F.m[1].nve = (char *)"";
	F.m[1].n_underlay = 0;
	expect(NVA_OK, NULL);
	F.m[1].nve = (char *)"nve 2";
	expect(NVA_MALFORMED,
	    "update.mappings[1].nve: octet 0x20 at 3 in the name");
	F.m[1].nve = (char *)"";
	F.m[1].state = NVA__STATE__ASSOCIATED;
	expect(NVA_MALFORMED, "update.mappings[1].nve: empty name");
	mk(NVA__ENVELOPE__BODY_UPDATE);
	F.m[1].n_underlay = 0;
	expect(NVA_OK, NULL);
	F.m[1].n_underlay = NVA_UNDERLAY_MAX + 1;
	expect(NVA_TOO_MANY,
	    "update.mappings[1].underlay: 9 addresses, over 8");
	F.m[1].n_underlay = 1;
	F.mul[1][0] = BIN(junk, 5);
	expect(NVA_BAD_ADDRESS,
	    "update.mappings[1].underlay[0]: IP address of 5 octets");
	mk(NVA__ENVELOPE__BODY_UPDATE);
	F.m[0].state = NVA__STATE__STATE_NONE;
	expect(NVA_OK, NULL);
	F.m[0].state = (Nva__State)7;
	expect(NVA_MALFORMED, "update.mappings[0].state: unknown state 7");

	/* The list limit, on both holders. */
	{
		Nva__Mapping **many = calloc(NVA_MAPPINGS_MAX + 1,
		    sizeof(*many));

		assert_non_null(many);
		for (unsigned i = 0; i <= NVA_MAPPINGS_MAX; i++)
			many[i] = &F.m[2];
		mk(NVA__ENVELOPE__BODY_ANSWER);
		F.ans.mappings = many;
		F.ans.n_mappings = NVA_MAPPINGS_MAX;
		expect(NVA_OK, NULL);
		F.ans.n_mappings = NVA_MAPPINGS_MAX + 1;
		expect(NVA_TOO_MANY,
		    "answer.mappings: 4097 mappings, over 4096");
		mk(NVA__ENVELOPE__BODY_UPDATE);
		F.upd.mappings = many;
		F.upd.n_mappings = NVA_MAPPINGS_MAX + 1;
		expect(NVA_TOO_MANY,
		    "update.mappings: 4097 mappings, over 4096");
		free(many);
	}
}

static void
decode_moved(void **state)
{
	(void)state;
	mk(NVA__ENVELOPE__BODY_MOVED);
	F.moved.mapping = NULL;
	expect(NVA_MALFORMED, "moved.mapping: no mapping");
	mk(NVA__ENVELOPE__BODY_MOVED);
	F.m[0].nve = (char *)"a b";
	expect(NVA_MALFORMED, "moved.mapping.nve: octet 0x20 at 1 in the name");
	mk(NVA__ENVELOPE__BODY_MOVED);
	F.moved.from_nve = (char *)"";
	expect(NVA_MALFORMED, "moved.from_nve: empty name");
}

static void
decode_subnet(void **state)
{
	static uint8_t p6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00 };

	(void)state;
	mk(NVA__ENVELOPE__BODY_SUBNET);
	F.subnet.vn = 0;
	expect(NVA_MALFORMED, "subnet.vn: VN 0 out of range 1..16777215");
	mk(NVA__ENVELOPE__BODY_SUBNET);
	F.subnet.prefix = BIN(junk, 6);
	expect(NVA_BAD_ADDRESS, "subnet.prefix: prefix of 6 octets");
	F.subnet.prefix = BIN(junk, 4);
	F.subnet.plen = 33;
	expect(NVA_MALFORMED, "subnet.plen: prefix length 33 over 32");
	F.subnet.plen = 32;
	expect(NVA_OK, NULL);
	F.subnet.plen = 23;
	expect(NVA_OK, NULL);			/* 198.51.100.0/23 */
	F.subnet.plen = 22;
	expect(NVA_OK, NULL);			/* 100 = 0x64 */
	F.subnet.plen = 21;
	expect(NVA_BAD_ADDRESS, "subnet.prefix: host bits set past /21");
	F.subnet.plen = 0;
	expect(NVA_BAD_ADDRESS, "subnet.prefix: host bits set past /0");
	junk[3] = 1;
	F.subnet.plen = 24;
	expect(NVA_BAD_ADDRESS, "subnet.prefix: host bits set past /24");
	F.subnet.plen = 31;
	expect(NVA_BAD_ADDRESS, "subnet.prefix: host bits set past /31");
	F.subnet.plen = 32;
	expect(NVA_OK, NULL);

	F.subnet.prefix = BIN(p6, 16);
	F.subnet.plen = 64;
	expect(NVA_OK, NULL);
	F.subnet.plen = 40;
	expect(NVA_OK, NULL);
	F.subnet.plen = 39;
	expect(NVA_BAD_ADDRESS, "subnet.prefix: host bits set past /39");
	F.subnet.plen = 129;
	expect(NVA_MALFORMED, "subnet.plen: prefix length 129 over 128");
	F.subnet.plen = 128;
	p6[15] = 0x80;
	expect(NVA_OK, NULL);
	F.subnet.plen = 127;
	expect(NVA_OK, NULL);
	F.subnet.plen = 120;
	expect(NVA_BAD_ADDRESS, "subnet.prefix: host bits set past /120");
	p6[15] = 0;
	F.subnet.plen = 0;
	memset(p6, 0, sizeof(p6));
	expect(NVA_OK, NULL);			/* ::/0 */
}

static void
decode_audit(void **state)
{
	Nva__Address **many;

	(void)state;
	mk(NVA__ENVELOPE__BODY_AUDIT);
	F.audit.n_entries = 0;
	expect(NVA_OK, NULL);
	F.audit.n_entries = 2;
	F.audit.vn = NVA_VN_MAX + 1;
	expect(NVA_MALFORMED, "audit.vn: VN 16777216 out of range 1..16777215");
	mk(NVA__ENVELOPE__BODY_AUDIT);
	F.a[1].addr = BIN(mac1, 6);
	expect(NVA_BAD_ADDRESS,
	    "audit.entries[1].addr: IP address of 6 octets");
	mk(NVA__ENVELOPE__BODY_AUDIT);
	F.a[1].mac = BIN(NULL, 0);
	expect(NVA_BAD_ADDRESS, "audit.entries[1].mac: MAC of 0 octets, not 6");
	F.a[1].mac = BIN(junk, 16);
	expect(NVA_BAD_ADDRESS,
	    "audit.entries[1].mac: MAC of 16 octets, not 6");
	memset(junk, 0, 6);
	F.a[1].mac = BIN(junk, 6);
	expect(NVA_BAD_ADDRESS,
	    "audit.entries[1].mac: zero MAC 00:00:00:00:00:00");

	many = calloc(NVA_AUDIT_MAX + 1, sizeof(*many));
	assert_non_null(many);
	mk(NVA__ENVELOPE__BODY_AUDIT);
	for (unsigned i = 0; i <= NVA_AUDIT_MAX; i++)
		many[i] = &F.a[0];
	F.audit.entries = many;
	F.audit.n_entries = NVA_AUDIT_MAX;
	expect(NVA_OK, NULL);
	F.audit.n_entries = NVA_AUDIT_MAX + 1;
	expect(NVA_TOO_MANY, "audit.entries: 4097 entries, over 4096");
	free(many);
}

static void
decode_audit_result(void **state)
{
	Nva__Discrepancy **many;

	(void)state;
	mk(NVA__ENVELOPE__BODY_AUDIT_RESULT);
	F.disc.entry = NULL;
	expect(NVA_MALFORMED, "audit_result.bad[0]: no entry");
	mk(NVA__ENVELOPE__BODY_AUDIT_RESULT);
	F.a[0].mac = BIN(NULL, 0);
	expect(NVA_BAD_ADDRESS,
	    "audit_result.bad[0].entry.mac: MAC of 0 octets, not 6");
	mk(NVA__ENVELOPE__BODY_AUDIT_RESULT);
	F.disc.directory = NULL;
	expect(NVA_OK, NULL);			/* nothing in the dir */
	F.disc.directory = &F.m[0];
	F.m[0].nve = (char *)"";
	expect(NVA_MALFORMED, "audit_result.bad[0].directory.nve: empty name");
	mk(NVA__ENVELOPE__BODY_AUDIT_RESULT);
	memset(F.text, 'r', NVA_TEXT_MAX + 1);
	F.disc.reason = F.text;
	expect(NVA_MALFORMED,
	    "audit_result.bad[0].reason: text of 256 octets, over 255");
	F.text[NVA_TEXT_MAX] = '\0';
	expect(NVA_OK, NULL);

	many = calloc(NVA_AUDIT_MAX + 1, sizeof(*many));
	assert_non_null(many);
	mk(NVA__ENVELOPE__BODY_AUDIT_RESULT);
	F.disc.directory = NULL;
	for (unsigned i = 0; i <= NVA_AUDIT_MAX; i++)
		many[i] = &F.disc;
	F.ares.bad = many;
	F.ares.n_bad = NVA_AUDIT_MAX + 1;
	expect(NVA_TOO_MANY, "audit_result.bad: 4097 entries, over 4096");
	F.ares.n_bad = NVA_AUDIT_MAX;
	expect(NVA_OK, NULL);
	free(many);
}

static void
decode_texts_and_codes(void **state)
{
	(void)state;
	mk(NVA__ENVELOPE__BODY_ERROR);
	F.error.code = (Nva__Code)NVA_CODE_COUNT;
	expect(NVA_MALFORMED, "error.code: unknown code 16");
	F.error.code = (Nva__Code)NVA_INTERNAL;
	expect(NVA_OK, NULL);
	F.error.text = (char *)"";
	expect(NVA_OK, NULL);
	F.error.text = (char *)"line\nbreak";
	expect(NVA_MALFORMED, "error.text: control octet 0x0a at 4");
	F.error.text = (char *)"del\x7f";
	expect(NVA_MALFORMED, "error.text: control octet 0x7f at 3");
	F.error.text = (char *)"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
	expect(NVA_OK, NULL);			/* UTF-8 is fine */
	F.error.text = (char *)"bad \xc3";
	expect(NVA_MALFORMED, "error.text: invalid UTF-8 at octet 4");
	F.error.text = (char *)"bad \xff";
	expect(NVA_MALFORMED, "error.text: invalid UTF-8 at octet 4");
	F.error.text = (char *)"over \xc0\xaf";
	expect(NVA_MALFORMED, "error.text: invalid UTF-8 at octet 5");
	F.error.text = (char *)"over \xe0\x80\xaf";
	expect(NVA_MALFORMED, "error.text: invalid UTF-8 at octet 5");
	F.error.text = (char *)"half \xed\xa0\x80";	/* surrogate */
	expect(NVA_MALFORMED, "error.text: invalid UTF-8 at octet 5");
	F.error.text = (char *)"past \xf4\x90\x80\x80";	/* > U+10FFFF */
	expect(NVA_MALFORMED, "error.text: invalid UTF-8 at octet 5");
	F.error.text = (char *)"cut \xe2\x82";
	expect(NVA_MALFORMED, "error.text: invalid UTF-8 at octet 4");

	mk(NVA__ENVELOPE__BODY_VERDICT);
	F.verdict.code = (Nva__Code)-3;
	expect(NVA_MALFORMED, "verdict.code: unknown code -3");
	F.verdict.code = NVA__CODE__OK;
	F.verdict.allow = 1;
	memset(F.text, 'v', NVA_TEXT_MAX + 1);
	F.verdict.reason = F.text;
	expect(NVA_MALFORMED, "verdict.reason: text of 256 octets, over 255");
	F.text[NVA_TEXT_MAX] = '\0';
	expect(NVA_OK, NULL);

	/* Empty bodies are bodies. */
	mk(NVA__ENVELOPE__BODY_KEEPALIVE);
	F.ka.rev = 0;
	F.e.xid = 0;
	expect(NVA_OK, NULL);
	mk(NVA__ENVELOPE__BODY_ACK);
	F.ack.rev = 0;
	expect(NVA_OK, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip_every_body),
		cmocka_unit_test(roundtrip_report_values),
		cmocka_unit_test(golden_frames),
		cmocka_unit_test(rx_split_one_octet),
		cmocka_unit_test(rx_several_in_one_feed),
		cmocka_unit_test(rx_compaction),
		cmocka_unit_test(rx_shrinks_when_idle),
		cmocka_unit_test(rx_length_zero_sticks),
		cmocka_unit_test(rx_limit),
		cmocka_unit_test(rx_exact_frame_max),
		cmocka_unit_test(encode_errors),
		cmocka_unit_test(decode_undecodable),
		cmocka_unit_test(decode_no_body),
		cmocka_unit_test(decode_unknown_top),
		cmocka_unit_test(decode_unknown_nested),
		cmocka_unit_test(decode_nul_in_string),
		cmocka_unit_test(decode_hello),
		cmocka_unit_test(decode_welcome),
		cmocka_unit_test(decode_vn_lists),
		cmocka_unit_test(decode_report),
		cmocka_unit_test(decode_addresses),
		cmocka_unit_test(decode_query),
		cmocka_unit_test(decode_mappings),
		cmocka_unit_test(decode_moved),
		cmocka_unit_test(decode_subnet),
		cmocka_unit_test(decode_audit),
		cmocka_unit_test(decode_audit_result),
		cmocka_unit_test(decode_texts_and_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
