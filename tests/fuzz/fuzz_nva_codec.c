/*
 * fuzz_nva_codec.c - libFuzzer target for the NVA protocol codec
 * (lib/nva/nva_codec.c, nva_names.c).
 *
 * Input: a byte stream as a session would receive it (frames, each a
 * 4-octet length and an Envelope).  It goes through a receive buffer in
 * two pieces (split where the last octet says), and every frame that
 * comes out is decoded.  Checks, aborting on any violation:
 *   - the receive buffer hands out frames inside what was fed, 1..max
 *     octets each, and once it says -EBADMSG it keeps saying it;
 *   - nva_decode() returns a known code; on refusal no message and a
 *     reason "where: what"; on success a body is set;
 *   - an accepted message encodes to exactly nva_frame_size() octets,
 *     that frame decodes again (accepted, same size), and encoding the
 *     second decode gives the same octets;
 *   - every address of an accepted Report/Withdraw/Query converts to
 *     struct nva_addr, formats, and parses back equal.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nva/nva.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static void
check_addr(const ProtobufCBinaryData *b)
{
	struct nva_addr a, back;
	char text[NVA_ADDR_STRLEN];

	CHECK(nva_addr_from(&a, b) == 0);
	nva_addr_fmt(&a, text);
	CHECK(strlen(text) < NVA_ADDR_STRLEN);
	CHECK(nva_addr_parse(&back, text) == 0);
	CHECK(nva_addr_eq(&a, &back));
}

static void
check_addrs(const Nva__Envelope *e)
{
	Nva__Address **a = NULL;
	size_t n = 0;

	switch (e->body_case) {
	case NVA__ENVELOPE__BODY_REPORT:
		a = e->report->addrs;
		n = e->report->n_addrs;
		break;
	case NVA__ENVELOPE__BODY_WITHDRAW:
		a = e->withdraw->addrs;
		n = e->withdraw->n_addrs;
		break;
	case NVA__ENVELOPE__BODY_QUERY:
		check_addr(&e->query->addr);
		return;
	default:
		return;
	}
	for (size_t i = 0; i < n; i++) {
		check_addr(&a[i]->addr);
		if (a[i]->mac.len != 0)
			check_addr(&a[i]->mac);
	}
}

static void
one_frame(const uint8_t *msg, size_t len)
{
	Nva__Envelope *e = NULL, *d = NULL;
	enum nva_code code;
	char err[256];
	uint8_t *f1, *f2;
	size_t fs;
	ssize_t n;

	code = nva_decode(msg, len, &e, err, sizeof(err));
	CHECK((unsigned)code < NVA_CODE_COUNT);
	if (code != NVA_OK) {
		CHECK(e == NULL);
		CHECK(strstr(err, ": ") != NULL);
		return;
	}
	CHECK(e != NULL && err[0] == '\0');
	CHECK(strcmp(nva_body_name(e->body_case), "?") != 0);
	CHECK(nva_body_from_nve(e->body_case) ||
	    nva_body_from_nva(e->body_case));
	check_addrs(e);

	fs = nva_frame_size(e);
	f1 = malloc(fs);
	f2 = malloc(fs);
	CHECK(f1 != NULL && f2 != NULL);
	n = nva_encode(e, f1, fs);
	CHECK(n > 0 && (size_t)n == fs);
	CHECK(nva_decode(f1 + NVA_HDR_LEN, fs - NVA_HDR_LEN, &d, err,
	    sizeof(err)) == NVA_OK);
	CHECK(d->body_case == e->body_case && d->xid == e->xid);
	CHECK(nva_frame_size(d) == fs);
	CHECK(nva_encode(d, f2, fs) == n);
	CHECK(memcmp(f1, f2, fs) == 0);
	nva_free(d);
	nva_free(e);
	free(f1);
	free(f2);
}

/* Takes every frame out; returns 0, or -EBADMSG once framing broke. */
static int
drain(struct nva_rx *rx, size_t fed)
{
	const uint8_t *msg;
	size_t len;
	int rc;

	while ((rc = nva_rx_next(rx, &msg, &len)) == 1) {
		CHECK(len >= 1 && len <= rx->max);
		CHECK(len <= fed);
		one_frame(msg, len);
	}
	CHECK(rc == 0 || rc == -EBADMSG);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nva_rx rx;
	size_t cut = size ? data[size - 1] % (size + 1) : 0;
	int rc;

	nva_rx_init(&rx, 0);
	rc = nva_rx_feed(&rx, data, cut);
	CHECK(rc == 0 || rc == -EBADMSG);
	if (rc == 0)
		rc = drain(&rx, size);
	if (rc == 0) {
		rc = nva_rx_feed(&rx, data + cut, size - cut);
		CHECK(rc == 0 || rc == -EBADMSG);
		if (rc == 0)
			rc = drain(&rx, size);
	}
	if (rc < 0) {
		const uint8_t *msg;
		size_t len;

		CHECK(rx.broken);
		CHECK(nva_rx_feed(&rx, data, size ? 1 : 0) == -EBADMSG);
		CHECK(nva_rx_next(&rx, &msg, &len) == -EBADMSG);
	}
	nva_rx_free(&rx);
	return 0;
}
