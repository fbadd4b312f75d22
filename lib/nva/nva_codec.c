/*
 * nva_codec.c - framing and checked decoding of the NVE <-> NVA protocol
 * (nva.h, nva.proto, docs/nva-protocol.md).
 *
 * Owns: the session receive buffer (struct nva_rx), the 4-octet length
 * prefix, encoding an Envelope into a frame, and nva_decode()'s full
 * check of a received Envelope.  Runs in whichever thread calls it (the
 * loop thread of nvad and nnved, the fuzzer in tests); pure: no I/O, no
 * clock, no logging.  Relies on protobuf-c (unpack with its default
 * allocator, pack, the generated descriptors) and nothing else.
 *
 * Frame layout (octet offsets below):
 *
 *	+--------+--------+--------+--------+-------- ... --------+
 *	|   length N, unsigned, big-endian  | N octets: Envelope  |
 *	+--------+--------+--------+--------+-------- ... --------+
 *	 0        1        2        3        4               3 + N
 *
 * A length of 0 or above max leaves the reader unable to find the next
 * frame: that is the one fault that ends a session, and the receive
 * buffer remembers it.  Everything inside a frame is checked here, so
 * the rest of the code reads decoded values without checking again.
 *
 * Why the checks go further than protobuf-c's: proto3 accepts any
 * integer for an enum, any length for bytes and, in protobuf-c 1.4, any
 * octets in a string (no UTF-8 check, and a NUL inside silently cuts the
 * C string short).  Unknown fields are kept, not refused.  nva_decode()
 * therefore makes four passes over an unpacked Envelope, each reporting
 * the first problem it finds:
 *   1. unpack (undecodable -> MALFORMED);
 *   2. every message at any depth, walked through the descriptors: an
 *      unknown field -> UNKNOWN_FIELD naming its number and where;
 *   3. the wire octets again, through the descriptors: a NUL inside a
 *      string field -> MALFORMED (it would be invisible after unpack);
 *   4. the values, body by body: VNs, address and TSI lengths, MACs,
 *      list bounds, names, texts, enums, subnets.
 * Which code a value problem gets: a list over its limit is TOO_MANY, an
 * address of the wrong length or kind is BAD_ADDRESS, a Report state
 * other than ASSOCIATED/ACTIVATED is BAD_STATE, everything else
 * (missing, out of range, unknown enum value) is MALFORMED.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nva/nva.h"

/* ---- receiving ---------------------------------------------------------- */

#define NVA_RX_MIN	4096u		/* first allocation */
#define NVA_RX_KEEP	(64u * 1024)	/* kept when idle */

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

void
nva_rx_init(struct nva_rx *rx, size_t max)
{
	memset(rx, 0, sizeof(*rx));
	rx->max = max ? max : NVA_FRAME_MAX;
}

void
nva_rx_free(struct nva_rx *rx)
{
	free(rx->buf);
	rx->buf = NULL;
	rx->len = rx->cap = rx->off = 0;
}

/* Marks the buffer broken if a complete header at off is out of range. */
static int
rx_check_head(struct nva_rx *rx)
{
	uint32_t n;

	if (rx->broken)
		return -EBADMSG;
	if (rx->len - rx->off < NVA_HDR_LEN)
		return 0;
	n = get_be32(rx->buf + rx->off);
	if (n == 0 || n > rx->max) {
		rx->broken = 1;
		return -EBADMSG;
	}
	return 0;
}

int
nva_rx_feed(struct nva_rx *rx, const void *p, size_t n)
{
	size_t want;
	uint8_t *nb;

	if (rx->broken)
		return -EBADMSG;
	if (n == 0)
		return 0;
	if (rx->off == rx->len) {
		/* Nothing waits: start over at the front, and give back
		 * what one large frame made us take. */
		rx->off = rx->len = 0;
		if (rx->cap > NVA_RX_KEEP && n <= NVA_RX_KEEP) {
			nb = realloc(rx->buf, NVA_RX_KEEP);
			if (nb != NULL) {
				rx->buf = nb;
				rx->cap = NVA_RX_KEEP;
			}
		}
	}
	if (n > rx->cap - rx->len && rx->off > 0) {
		/* Compact: move what waits to the front. */
		memmove(rx->buf, rx->buf + rx->off, rx->len - rx->off);
		rx->len -= rx->off;
		rx->off = 0;
	}
	if (n > rx->cap - rx->len) {
		if (n > SIZE_MAX / 2 - rx->len)
			return -ENOMEM;
		want = rx->cap ? rx->cap : NVA_RX_MIN;
		while (want < rx->len + n)
			want *= 2;
		nb = realloc(rx->buf, want);
		if (nb == NULL)
			return -ENOMEM;
		rx->buf = nb;
		rx->cap = want;
	}
	memcpy(rx->buf + rx->len, p, n);
	rx->len += n;
	return rx_check_head(rx);
}

int
nva_rx_next(struct nva_rx *rx, const uint8_t **msg, size_t *len)
{
	uint32_t n;
	int rc;

	if ((rc = rx_check_head(rx)) < 0)
		return rc;
	if (rx->len - rx->off < NVA_HDR_LEN)
		return 0;
	n = get_be32(rx->buf + rx->off);
	if (rx->len - rx->off - NVA_HDR_LEN < n)
		return 0;
	*msg = rx->buf + rx->off + NVA_HDR_LEN;
	*len = n;
	rx->off += NVA_HDR_LEN + n;
	return 1;
}

/* ---- sending ------------------------------------------------------------ */

size_t
nva_frame_size(const Nva__Envelope *e)
{
	return NVA_HDR_LEN +
	    protobuf_c_message_get_packed_size((const ProtobufCMessage *)e);
}

/*
 * An Envelope with xid 0 and no body packs to nothing; its frame would
 * carry length 0, which the peer must take for broken framing, so it is
 * refused with -EINVAL (nva.h does not list it: it is a caller bug).
 */
ssize_t
nva_encode(const Nva__Envelope *e, uint8_t *buf, size_t cap)
{
	size_t n;

	n = protobuf_c_message_get_packed_size((const ProtobufCMessage *)e);
	if (n == 0)
		return -EINVAL;
	if (n > NVA_FRAME_MAX)
		return -EMSGSIZE;
	if (cap < NVA_HDR_LEN || cap - NVA_HDR_LEN < n)
		return -ENOSPC;
	buf[0] = (uint8_t)(n >> 24);
	buf[1] = (uint8_t)(n >> 16);
	buf[2] = (uint8_t)(n >> 8);
	buf[3] = (uint8_t)n;
	if (protobuf_c_message_pack((const ProtobufCMessage *)e,
	    buf + NVA_HDR_LEN) != n)
		return -EINVAL;
	return (ssize_t)(NVA_HDR_LEN + n);
}

void
nva_free(Nva__Envelope *e)
{
	if (e != NULL)
		nva__envelope__free_unpacked(e, NULL);
}

/* ---- the check: state and reporting ------------------------------------- */

struct chk {
	enum nva_code	 code;		/* NVA_OK until a problem */
	char		*err;
	size_t		 errlen;
	char		 path[160];	/* "report.addrs[2]" */
	size_t		 plen;
};

/* Records the first problem as "path: reason"; returns -1. */
static int __attribute__((format(printf, 3, 4)))
fail(struct chk *c, enum nva_code code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->code != NVA_OK)
		return -1;
	c->code = code;
	if (c->err == NULL || c->errlen == 0)
		return -1;
	n = snprintf(c->err, c->errlen, "%s: ", c->plen ? c->path : "envelope");
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Appends ".name" (or "name" first) and "[idx]" when idx >= 0; returns
 * the length to give back to pop(). */
static size_t
push(struct chk *c, const char *name, long idx)
{
	size_t old = c->plen;
	int n;

	if (idx >= 0)
		n = snprintf(c->path + c->plen, sizeof(c->path) - c->plen,
		    "%s%s[%ld]", c->plen ? "." : "", name, idx);
	else
		n = snprintf(c->path + c->plen, sizeof(c->path) - c->plen,
		    "%s%s", c->plen ? "." : "", name);
	if (n > 0)
		c->plen += (size_t)n;
	if (c->plen >= sizeof(c->path))
		c->plen = sizeof(c->path) - 1;
	return old;
}

static void
pop(struct chk *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

/* ---- pass 2: unknown fields at any depth -------------------------------- */

static int
walk_unknown(struct chk *c, const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const char *base = (const char *)m;

	if (m->n_unknown_fields > 0)
		return fail(c, NVA_UNKNOWN_FIELD, "unknown field %u",
		    m->unknown_fields[0].tag);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		ProtobufCMessage *const *arr;
		const ProtobufCMessage *sub;
		size_t old, cnt;

		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			cnt = *(const size_t *)(base + f->quantifier_offset);
			arr = *(ProtobufCMessage *const *const *)
			    (base + f->offset);
			for (size_t j = 0; j < cnt; j++) {
				if (arr[j] == NULL)
					continue;
				old = push(c, f->name, (long)j);
				if (walk_unknown(c, arr[j]) < 0)
					return -1;
				pop(c, old);
			}
			continue;
		}
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)(base + f->quantifier_offset) != f->id)
			continue;
		sub = *(const ProtobufCMessage *const *)(base + f->offset);
		if (sub == NULL)
			continue;
		old = push(c, f->name, -1);
		if (walk_unknown(c, sub) < 0)
			return -1;
		pop(c, old);
	}
	return 0;
}

/* ---- pass 3: NUL inside a string, seen on the wire ---------------------- */

/*
 * Protobuf wire format, as far as this pass reads it: a field is a
 * varint key (number << 3 | wire type), then by type 0 a varint, 1 eight
 * octets, 2 a varint length and that many octets, 5 four octets.  The
 * input has already unpacked, so it is well formed; the walk still
 * checks every bound and simply stops where it would run out.
 */
static int
wire_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t r = 0;

	for (unsigned sh = 0; *p < end && sh < 64; sh += 7) {
		uint8_t b = *(*p)++;

		r |= (uint64_t)(b & 0x7f) << sh;
		if ((b & 0x80) == 0) {
			*v = r;
			return 0;
		}
	}
	return -1;
}

#define SCAN_FIELDS	32	/* repeated-field counters per message */

static int
scan_strings(struct chk *c, const ProtobufCMessageDescriptor *d,
    const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n;
	unsigned seen[SCAN_FIELDS] = { 0 };

	while (p < end) {
		const ProtobufCFieldDescriptor *f;
		uint64_t key, len;
		unsigned fi;
		long idx;
		size_t old;

		if (wire_varint(&p, end, &key) < 0)
			return 0;
		switch (key & 7) {
		case 0:
			if (wire_varint(&p, end, &len) < 0)
				return 0;
			continue;
		case 1:
			if ((size_t)(end - p) < 8)
				return 0;
			p += 8;
			continue;
		case 5:
			if ((size_t)(end - p) < 4)
				return 0;
			p += 4;
			continue;
		case 2:
			break;
		default:
			return 0;
		}
		if (wire_varint(&p, end, &len) < 0 || len > (size_t)(end - p))
			return 0;
		f = key >> 3 > UINT32_MAX ? NULL :
		    protobuf_c_message_descriptor_get_field(d,
		    (unsigned)(key >> 3));
		if (f == NULL || (f->type != PROTOBUF_C_TYPE_STRING &&
		    f->type != PROTOBUF_C_TYPE_MESSAGE)) {
			p += len;
			continue;
		}
		fi = (unsigned)(f - d->fields);
		idx = -1;
		if (f->label == PROTOBUF_C_LABEL_REPEATED && fi < SCAN_FIELDS)
			idx = seen[fi]++;
		old = push(c, f->name, idx);
		if (f->type == PROTOBUF_C_TYPE_STRING) {
			if (memchr(p, 0, (size_t)len) != NULL)
				return fail(c, NVA_MALFORMED,
				    "NUL inside the string");
		} else if (scan_strings(c, f->descriptor, p, (size_t)len) < 0)
			return -1;
		pop(c, old);
		p += len;
	}
	return 0;
}

/* ---- pass 4: the values ------------------------------------------------- */

static int
chk_vn(struct chk *c, const char *name, long idx, uint32_t vn)
{
	size_t old;

	if (vn >= 1 && vn <= NVA_VN_MAX)
		return 0;
	old = push(c, name, idx);
	fail(c, NVA_MALFORMED, "VN %u out of range 1..%u", vn, NVA_VN_MAX);
	pop(c, old);
	return -1;
}

static int
chk_vns(struct chk *c, const char *name, const uint32_t *vn, size_t n)
{
	size_t old;

	old = push(c, name, -1);
	if (n == 0)
		return fail(c, NVA_MALFORMED, "no VN");
	if (n > NVA_VNLIST_MAX)
		return fail(c, NVA_TOO_MANY, "%zu VNs, over %u", n,
		    NVA_VNLIST_MAX);
	pop(c, old);
	for (size_t i = 0; i < n; i++)
		if (chk_vn(c, name, (long)i, vn[i]) < 0)
			return -1;
	return 0;
}

/* Number of elements of list name within min..max. */
static int
chk_count(struct chk *c, const char *name, const char *what, size_t n,
    size_t min, size_t max)
{
	size_t old;

	if (n >= min && n <= max)
		return 0;
	old = push(c, name, -1);
	if (n < min)
		fail(c, NVA_MALFORMED, "no %s", what);
	else
		fail(c, NVA_TOO_MANY, "%zu %s, over %zu", n, what, max);
	pop(c, old);
	return -1;
}

static int
chk_tsi(struct chk *c, const ProtobufCBinaryData *b)
{
	size_t old;

	if (b->len == 0 || b->len == NVA_TSI_LEN)
		return 0;
	old = push(c, "tsi", -1);
	fail(c, NVA_MALFORMED, "TSI of %zu octets, not %u", b->len,
	    NVA_TSI_LEN);
	pop(c, old);
	return -1;
}

/* A name: 1..NVA_NAME_MAX printable ASCII octets, no space. */
static int
chk_name(struct chk *c, const char *field, const char *s)
{
	size_t n = s ? strlen(s) : 0, old;

	old = push(c, field, -1);
	if (n == 0)
		return fail(c, NVA_MALFORMED, "empty name");
	if (n > NVA_NAME_MAX)
		return fail(c, NVA_MALFORMED, "name of %zu octets, over %u",
		    n, NVA_NAME_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return fail(c, NVA_MALFORMED,
			    "octet 0x%02x at %zu in the name",
			    (unsigned char)s[i], i);
	pop(c, old);
	return 0;
}

/* Length of the UTF-8 sequence at s (at most n octets), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * A free text (Error.text, Verdict.reason, Discrepancy.reason): at most
 * NVA_TEXT_MAX octets of UTF-8 without control characters, because it
 * ends up in logs and in JSON views.  Empty is fine.
 */
static int
chk_text(struct chk *c, const char *field, const char *s)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)u), old, k;

	old = push(c, field, -1);
	if (n > NVA_TEXT_MAX)
		return fail(c, NVA_MALFORMED, "text of %zu octets, over %u",
		    n, NVA_TEXT_MAX);
	for (size_t i = 0; i < n; i += k) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return fail(c, NVA_MALFORMED,
			    "control octet 0x%02x at %zu", u[i], i);
		if ((k = utf8_seq(u + i, n - i)) == 0)
			return fail(c, NVA_MALFORMED,
			    "invalid UTF-8 at octet %zu", i);
	}
	pop(c, old);
	return 0;
}

/* An IP address (underlay, audit entry): 4 or 16 octets. */
static int
chk_ip(struct chk *c, const char *field, long idx,
    const ProtobufCBinaryData *b)
{
	size_t old;

	if (b->len == 4 || b->len == 16)
		return 0;
	old = push(c, field, idx);
	fail(c, NVA_BAD_ADDRESS, "IP address of %zu octets", b->len);
	pop(c, old);
	return -1;
}

static int
chk_ips(struct chk *c, const char *field, const ProtobufCBinaryData *b,
    size_t n, size_t min)
{
	if (chk_count(c, field, "addresses", n, min, NVA_UNDERLAY_MAX) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (chk_ip(c, field, (long)i, &b[i]) < 0)
			return -1;
	return 0;
}

/* A MAC a TSI may own: neither group (I/G bit) nor all zeros. */
static int
chk_unicast(struct chk *c, const char *field, const uint8_t *m)
{
	static const uint8_t zero[6];
	size_t old;

	if ((m[0] & 0x01) == 0 && memcmp(m, zero, 6) != 0)
		return 0;
	old = push(c, field, -1);
	fail(c, NVA_BAD_ADDRESS, "%s MAC %02x:%02x:%02x:%02x:%02x:%02x",
	    (m[0] & 0x01) ? "multicast" : "zero", m[0], m[1], m[2], m[3],
	    m[4], m[5]);
	pop(c, old);
	return -1;
}

/*
 * An address with its optional MAC (Address, Mapping): addr 4, 6 or 16
 * octets; mac empty or 6, and only beside an IP address; no group or
 * zero MAC in either.
 */
static int
chk_addr_mac(struct chk *c, const ProtobufCBinaryData *addr,
    const ProtobufCBinaryData *mac)
{
	size_t old;

	if (addr->len != 4 && addr->len != 6 && addr->len != 16) {
		old = push(c, "addr", -1);
		fail(c, NVA_BAD_ADDRESS, "address of %zu octets", addr->len);
		pop(c, old);
		return -1;
	}
	if (addr->len == 6 && chk_unicast(c, "addr", addr->data) < 0)
		return -1;
	if (mac->len == 0)
		return 0;
	old = push(c, "mac", -1);
	if (mac->len != 6)
		return fail(c, NVA_BAD_ADDRESS, "MAC of %zu octets", mac->len);
	if (addr->len == 6)
		return fail(c, NVA_BAD_ADDRESS, "MAC beside a MAC address");
	pop(c, old);
	return chk_unicast(c, "mac", mac->data);
}

static int
chk_addrs(struct chk *c, const char *field, Nva__Address *const *a,
    size_t n, size_t min)
{
	size_t old;

	if (chk_count(c, field, "addresses", n, min, NVA_ADDRS_MAX) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		old = push(c, field, (long)i);
		if (chk_addr_mac(c, &a[i]->addr, &a[i]->mac) < 0)
			return -1;
		pop(c, old);
	}
	return 0;
}

/* An ARP/ND entry: IPv4 or IPv6 address with a unicast 6-octet MAC. */
static int
chk_entry(struct chk *c, const Nva__Address *a)
{
	size_t old;

	if (chk_ip(c, "addr", -1, &a->addr) < 0)
		return -1;
	if (a->mac.len != 6) {
		old = push(c, "mac", -1);
		fail(c, NVA_BAD_ADDRESS, "MAC of %zu octets, not 6",
		    a->mac.len);
		pop(c, old);
		return -1;
	}
	return chk_unicast(c, "mac", a->mac.data);
}

static int
chk_state(struct chk *c, Nva__State st)
{
	size_t old;

	if ((unsigned)st < NVA_ST_COUNT)
		return 0;
	old = push(c, "state", -1);
	fail(c, NVA_MALFORMED, "unknown state %d", (int)st);
	pop(c, old);
	return -1;
}

static int
chk_code(struct chk *c, Nva__Code code)
{
	size_t old;

	if ((unsigned)code < NVA_CODE_COUNT)
		return 0;
	old = push(c, "code", -1);
	fail(c, NVA_MALFORMED, "unknown code %d", (int)code);
	pop(c, old);
	return -1;
}

/*
 * A directory entry.  Its NVE is named, except that a withdrawn entry
 * may have none: the directory keeps withdrawn addresses (for their
 * seq) and one restored from the store need not remember its last owner.
 */
static int
chk_mapping(struct chk *c, const Nva__Mapping *m)
{
	bool ownerless = m->state == NVA__STATE__WITHDRAWN &&
	    (m->nve == NULL || m->nve[0] == '\0');

	if (chk_vn(c, "vn", -1, m->vn) < 0 ||
	    chk_addr_mac(c, &m->addr, &m->mac) < 0 ||
	    (!ownerless && chk_name(c, "nve", m->nve) < 0) ||
	    chk_ips(c, "underlay", m->underlay, m->n_underlay, 0) < 0 ||
	    chk_state(c, m->state) < 0)
		return -1;
	return 0;
}

static int
chk_mappings(struct chk *c, Nva__Mapping *const *m, size_t n)
{
	size_t old;

	if (chk_count(c, "mappings", "mappings", n, 0, NVA_MAPPINGS_MAX) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		old = push(c, "mappings", (long)i);
		if (chk_mapping(c, m[i]) < 0)
			return -1;
		pop(c, old);
	}
	return 0;
}

static int
chk_subnet(struct chk *c, const Nva__Subnet *s)
{
	unsigned bits = (unsigned)s->prefix.len * 8, full;
	size_t old;

	if (chk_vn(c, "vn", -1, s->vn) < 0)
		return -1;
	old = push(c, "prefix", -1);
	if (s->prefix.len != 4 && s->prefix.len != 16)
		return fail(c, NVA_BAD_ADDRESS, "prefix of %zu octets",
		    s->prefix.len);
	pop(c, old);
	old = push(c, "plen", -1);
	if (s->plen > bits)
		return fail(c, NVA_MALFORMED, "prefix length %u over %u",
		    s->plen, bits);
	pop(c, old);
	full = s->plen / 8;
	for (unsigned i = full; i < s->prefix.len; i++) {
		uint8_t mask = i == full ? 0xff >> (s->plen % 8) : 0xff;

		if (s->prefix.data[i] & mask) {
			old = push(c, "prefix", -1);
			return fail(c, NVA_BAD_ADDRESS,
			    "host bits set past /%u", s->plen);
		}
	}
	return 0;
}

static int
chk_audit_result(struct chk *c, const Nva__AuditResult *r)
{
	size_t old, o2;

	if (chk_count(c, "bad", "entries", r->n_bad, 0, NVA_AUDIT_MAX) < 0)
		return -1;
	for (size_t i = 0; i < r->n_bad; i++) {
		const Nva__Discrepancy *d = r->bad[i];

		old = push(c, "bad", (long)i);
		if (d->entry == NULL)
			return fail(c, NVA_MALFORMED, "no entry");
		o2 = push(c, "entry", -1);
		if (chk_entry(c, d->entry) < 0)
			return -1;
		pop(c, o2);
		if (d->directory != NULL) {
			o2 = push(c, "directory", -1);
			if (chk_mapping(c, d->directory) < 0)
				return -1;
			pop(c, o2);
		}
		if (chk_text(c, "reason", d->reason) < 0)
			return -1;
		pop(c, old);
	}
	return 0;
}

static int
chk_body(struct chk *c, const Nva__Envelope *e)
{
	size_t old;

	switch (e->body_case) {
	case NVA__ENVELOPE__BODY_HELLO:
		return chk_name(c, "nve", e->hello->nve) < 0 ||
		    chk_ips(c, "underlay", e->hello->underlay,
		    e->hello->n_underlay, 1) < 0 ? -1 : 0;
	case NVA__ENVELOPE__BODY_WELCOME:
		return chk_name(c, "nva", e->welcome->nva);
	case NVA__ENVELOPE__BODY_SUBSCRIBE:
		return chk_vns(c, "vn", e->subscribe->vn, e->subscribe->n_vn);
	case NVA__ENVELOPE__BODY_UNSUBSCRIBE:
		return chk_vns(c, "vn", e->unsubscribe->vn,
		    e->unsubscribe->n_vn);
	case NVA__ENVELOPE__BODY_SYNC_DONE:
		return chk_vns(c, "vn", e->sync_done->vn, e->sync_done->n_vn);
	case NVA__ENVELOPE__BODY_REPORT:
		if (chk_vn(c, "vn", -1, e->report->vn) < 0 ||
		    chk_tsi(c, &e->report->tsi) < 0 ||
		    chk_state(c, e->report->state) < 0)
			return -1;
		if (e->report->state != NVA__STATE__ASSOCIATED &&
		    e->report->state != NVA__STATE__ACTIVATED) {
			old = push(c, "state", -1);
			return fail(c, NVA_BAD_STATE,
			    "state %s, not associated or activated",
			    nva_state_name((enum nva_state)e->report->state));
		}
		return chk_addrs(c, "addrs", e->report->addrs,
		    e->report->n_addrs, 1);
	case NVA__ENVELOPE__BODY_WITHDRAW:
		return chk_vn(c, "vn", -1, e->withdraw->vn) < 0 ||
		    chk_tsi(c, &e->withdraw->tsi) < 0 ||
		    chk_addrs(c, "addrs", e->withdraw->addrs,
		    e->withdraw->n_addrs, 1) < 0 ? -1 : 0;
	case NVA__ENVELOPE__BODY_QUERY:
		if (chk_vn(c, "vn", -1, e->query->vn) < 0)
			return -1;
		old = push(c, "addr", -1);
		if (e->query->addr.len != 4 && e->query->addr.len != 6 &&
		    e->query->addr.len != 16)
			return fail(c, NVA_BAD_ADDRESS, "address of %zu octets",
			    e->query->addr.len);
		pop(c, old);
		return 0;
	case NVA__ENVELOPE__BODY_ANSWER:
		return chk_mappings(c, e->answer->mappings,
		    e->answer->n_mappings);
	case NVA__ENVELOPE__BODY_UPDATE:
		return chk_mappings(c, e->update->mappings,
		    e->update->n_mappings);
	case NVA__ENVELOPE__BODY_MOVED:
		old = push(c, "mapping", -1);
		if (e->moved->mapping == NULL)
			return fail(c, NVA_MALFORMED, "no mapping");
		if (chk_mapping(c, e->moved->mapping) < 0)
			return -1;
		pop(c, old);
		return chk_name(c, "from_nve", e->moved->from_nve);
	case NVA__ENVELOPE__BODY_SUBNET:
		return chk_subnet(c, e->subnet);
	case NVA__ENVELOPE__BODY_AUDIT:
		if (chk_vn(c, "vn", -1, e->audit->vn) < 0 ||
		    chk_count(c, "entries", "entries", e->audit->n_entries, 0,
		    NVA_AUDIT_MAX) < 0)
			return -1;
		for (size_t i = 0; i < e->audit->n_entries; i++) {
			old = push(c, "entries", (long)i);
			if (chk_entry(c, e->audit->entries[i]) < 0)
				return -1;
			pop(c, old);
		}
		return 0;
	case NVA__ENVELOPE__BODY_AUDIT_RESULT:
		return chk_audit_result(c, e->audit_result);
	case NVA__ENVELOPE__BODY_AUTHORIZE:
		return chk_vn(c, "vn", -1, e->authorize->vn) < 0 ||
		    chk_tsi(c, &e->authorize->tsi) < 0 ||
		    chk_addrs(c, "addrs", e->authorize->addrs,
		    e->authorize->n_addrs, 0) < 0 ? -1 : 0;
	case NVA__ENVELOPE__BODY_VERDICT:
		return chk_code(c, e->verdict->code) < 0 ||
		    chk_text(c, "reason", e->verdict->reason) < 0 ? -1 : 0;
	case NVA__ENVELOPE__BODY_KEEPALIVE:
	case NVA__ENVELOPE__BODY_ACK:
		return 0;
	case NVA__ENVELOPE__BODY_ERROR:
		return chk_code(c, e->error->code) < 0 ||
		    chk_text(c, "text", e->error->text) < 0 ? -1 : 0;
	case NVA__ENVELOPE__BODY__NOT_SET:
	default:
		return fail(c, NVA_MALFORMED, "no body");
	}
}

enum nva_code
nva_decode(const uint8_t *p, size_t n, Nva__Envelope **out, char *err,
    size_t errlen)
{
	struct chk c = { .code = NVA_OK, .err = err, .errlen = errlen };
	Nva__Envelope *e;
	size_t old;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (p == NULL && n > 0) {
		fail(&c, NVA_MALFORMED, "no octets");
		return c.code;
	}
	if (n > NVA_FRAME_MAX) {
		fail(&c, NVA_MALFORMED, "message of %zu octets, over %u", n,
		    NVA_FRAME_MAX);
		return c.code;
	}
	e = nva__envelope__unpack(NULL, n, p);
	if (e == NULL) {
		fail(&c, NVA_MALFORMED, "undecodable protobuf (%zu octets)",
		    n);
		return c.code;
	}
	if (walk_unknown(&c, &e->base) == 0 &&
	    scan_strings(&c, &nva__envelope__descriptor, p, n) == 0) {
		old = push(&c, nva_body_name(e->body_case), -1);
		if (e->body_case == NVA__ENVELOPE__BODY__NOT_SET)
			pop(&c, old);
		chk_body(&c, e);
	}
	if (c.code != NVA_OK) {
		nva_free(e);
		return c.code;
	}
	*out = e;
	return NVA_OK;
}
