/*
 * nva_names.c - names of the NVA protocol's bodies, codes and states,
 * which end may send which body, and addresses as raw octets and text
 * (nva.h).
 *
 * Owns: the code and state name arrays, the direction rule, struct
 * nva_addr conversions.  Runs in any thread; pure (inet_pton/inet_ntop
 * are plain libc conversions).  Relies on the generated Envelope
 * descriptor for body names (so they follow nva.proto by themselves)
 * and on util/hex for MAC text.
 *
 * Direction: an NVE sends hello, subscribe, unsubscribe, report,
 * withdraw, query, subnet, audit, authorize; the NVA sends welcome,
 * sync_done, answer, update, moved, audit_result, verdict, ack, error.
 * keepalive goes both ways.  Error is the NVA's only: an NVE that cannot
 * make sense of what the NVA sent logs it and, if the framing broke,
 * closes; it has nobody to complain to.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "nva/nva.h"
#include "util/hex.h"

static const char *const code_names[NVA_CODE_COUNT] = {
	[NVA_OK] = "ok",
	[NVA_MALFORMED] = "malformed",
	[NVA_UNKNOWN_FIELD] = "unknown-field",
	[NVA_NOT_REGISTERED] = "not-registered",
	[NVA_NOT_OWNER] = "not-owner",
	[NVA_VN_REFUSED] = "vn-refused",
	[NVA_COATTACH] = "coattach",
	[NVA_FROZEN] = "frozen",
	[NVA_NOT_FOUND] = "not-found",
	[NVA_TOO_MANY] = "too-many",
	[NVA_STORE] = "store",
	[NVA_BAD_ADDRESS] = "bad-address",
	[NVA_BAD_STATE] = "bad-state",
	[NVA_NAME_MISMATCH] = "name-mismatch",
	[NVA_INTERNAL] = "internal",
	[NVA_CONFLICT] = "conflict",
};

static const char *const state_names[NVA_ST_COUNT] = {
	[NVA_ST_NONE] = "none",
	[NVA_ST_ASSOCIATED] = "associated",
	[NVA_ST_ACTIVATED] = "activated",
	[NVA_ST_WITHDRAWN] = "withdrawn",
};

const char *
nva_body_name(Nva__Envelope__BodyCase c)
{
	const ProtobufCFieldDescriptor *f;

	if (c == NVA__ENVELOPE__BODY__NOT_SET || (int)c < 0)
		return "?";
	f = protobuf_c_message_descriptor_get_field(&nva__envelope__descriptor,
	    (unsigned)c);
	if (f == NULL || (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) == 0)
		return "?";
	return f->name;
}

const char *
nva_code_name(enum nva_code c)
{
	if ((unsigned)c >= NVA_CODE_COUNT)
		return "?";
	return code_names[c];
}

const char *
nva_state_name(enum nva_state s)
{
	if ((unsigned)s >= NVA_ST_COUNT)
		return "?";
	return state_names[s];
}

bool
nva_body_from_nve(Nva__Envelope__BodyCase c)
{
	switch (c) {
	case NVA__ENVELOPE__BODY_HELLO:
	case NVA__ENVELOPE__BODY_SUBSCRIBE:
	case NVA__ENVELOPE__BODY_UNSUBSCRIBE:
	case NVA__ENVELOPE__BODY_REPORT:
	case NVA__ENVELOPE__BODY_WITHDRAW:
	case NVA__ENVELOPE__BODY_QUERY:
	case NVA__ENVELOPE__BODY_SUBNET:
	case NVA__ENVELOPE__BODY_AUDIT:
	case NVA__ENVELOPE__BODY_AUTHORIZE:
	case NVA__ENVELOPE__BODY_KEEPALIVE:
		return true;
	default:
		return false;
	}
}

bool
nva_body_from_nva(Nva__Envelope__BodyCase c)
{
	switch (c) {
	case NVA__ENVELOPE__BODY_WELCOME:
	case NVA__ENVELOPE__BODY_SYNC_DONE:
	case NVA__ENVELOPE__BODY_ANSWER:
	case NVA__ENVELOPE__BODY_UPDATE:
	case NVA__ENVELOPE__BODY_MOVED:
	case NVA__ENVELOPE__BODY_AUDIT_RESULT:
	case NVA__ENVELOPE__BODY_VERDICT:
	case NVA__ENVELOPE__BODY_KEEPALIVE:
	case NVA__ENVELOPE__BODY_ACK:
	case NVA__ENVELOPE__BODY_ERROR:
		return true;
	default:
		return false;
	}
}

/* ---- addresses ------------------------------------------------------- */

int
nva_addr_from(struct nva_addr *a, const ProtobufCBinaryData *b)
{
	if (b->len != 4 && b->len != 6 && b->len != 16)
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	a->len = (uint8_t)b->len;
	memcpy(a->a, b->data, b->len);
	return 0;
}

/* Dotted IPv4 first, then a MAC, then IPv6: the three never overlap (a
 * MAC has six groups and no "::", which IPv6 text cannot do). */
int
nva_addr_parse(struct nva_addr *a, const char *s)
{
	struct nva_addr t;

	if (s == NULL)
		return -EINVAL;
	memset(&t, 0, sizeof(t));
	if (inet_pton(AF_INET, s, t.a) == 1)
		t.len = 4;
	else if (mac_parse(s, t.a) == 0)
		t.len = 6;
	else if (inet_pton(AF_INET6, s, t.a) == 1)
		t.len = 16;
	else
		return -EINVAL;
	*a = t;
	return 0;
}

char *
nva_addr_fmt(const struct nva_addr *a, char *buf)
{
	switch (a->len) {
	case 4:
		if (inet_ntop(AF_INET, a->a, buf, NVA_ADDR_STRLEN) == NULL)
			strcpy(buf, "?");
		break;
	case 16:
		if (inet_ntop(AF_INET6, a->a, buf, NVA_ADDR_STRLEN) == NULL)
			strcpy(buf, "?");
		break;
	case 6:
		mac_fmt(a->a, buf);
		break;
	default:
		strcpy(buf, "?");
		break;
	}
	return buf;
}

bool
nva_addr_eq(const struct nva_addr *x, const struct nva_addr *y)
{
	return x->len == y->len && x->len <= sizeof(x->a) &&
	    memcmp(x->a, y->a, x->len) == 0;
}
