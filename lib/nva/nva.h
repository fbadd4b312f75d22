/*
 * nva.h - the NVE <-> NVA directory protocol: framing, checked decoding,
 * encoding and the names of its codes (nva.proto holds the messages;
 * docs/nva-protocol.md describes the protocol for readers).
 *
 * Frame: a 4-octet big-endian length N (1..NVA_FRAME_MAX), then N octets:
 * one protobuf-encoded nva.Envelope.  A length of 0 or above the limit is
 * broken framing: the reader cannot find the next message, so the session
 * must close.  Anything else wrong (undecodable protobuf, unknown field,
 * value out of range) is a bad message: answer it with an Error and go
 * on with the next frame.
 *
 * Everything here is pure: no I/O, no clock, no logging.  Allocation
 * only through protobuf-c's default allocator (decoded messages) and the
 * receive buffer.
 */
#ifndef SPLITNVE_NVA_NVA_H
#define SPLITNVE_NVA_NVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nva/nva.pb-c.h"

#define NVA_HDR_LEN	4
#define NVA_FRAME_MAX	(1u << 20)	/* largest Envelope, octets */
#define NVA_NAME_MAX	63		/* NVE / NVA names, octets */
#define NVA_VN_MAX	0xffffffu	/* VNs are 1..NVA_VN_MAX */
#define NVA_ADDRS_MAX	64		/* addresses per Report/Withdraw */
#define NVA_UNDERLAY_MAX 8		/* underlay addresses per NVE */
#define NVA_VNLIST_MAX	4096		/* VNs per Subscribe/Unsubscribe */
#define NVA_MAPPINGS_MAX 4096		/* mappings per Update/Answer */
#define NVA_AUDIT_MAX	4096		/* entries per Audit */
#define NVA_TEXT_MAX	255		/* Error.text, Verdict.reason */
#define NVA_TSI_LEN	16		/* VSI ID octets */

/* Same numbers as nva.Code. */
enum nva_code {
	NVA_OK = 0,
	NVA_MALFORMED = 1,
	NVA_UNKNOWN_FIELD = 2,
	NVA_NOT_REGISTERED = 3,
	NVA_NOT_OWNER = 4,
	NVA_VN_REFUSED = 5,
	NVA_COATTACH = 6,
	NVA_FROZEN = 7,
	NVA_NOT_FOUND = 8,
	NVA_TOO_MANY = 9,
	NVA_STORE = 10,
	NVA_BAD_ADDRESS = 11,
	NVA_BAD_STATE = 12,
	NVA_NAME_MISMATCH = 13,
	NVA_INTERNAL = 14,
	NVA_CONFLICT = 15,
	NVA_CODE_COUNT
};

/* Same numbers as nva.State. */
enum nva_state {
	NVA_ST_NONE = 0,
	NVA_ST_ASSOCIATED = 1,
	NVA_ST_ACTIVATED = 2,
	NVA_ST_WITHDRAWN = 3,
	NVA_ST_COUNT
};

/* An address as the directory keys it: len 6 (MAC), 4 or 16 (IP). */
struct nva_addr {
	uint8_t		 len;
	uint8_t		 a[16];
};

/* "hello", "welcome", ... (the oneof member names); "?" when unknown. */
const char *nva_body_name(Nva__Envelope__BodyCase c);
/* "ok", "malformed", "unknown-field", ... "not-owner", ... */
const char *nva_code_name(enum nva_code c);
/* "none", "associated", "activated", "withdrawn" */
const char *nva_state_name(enum nva_state s);
/* Whether an NVE may send this body to the NVA (and the reverse). */
bool	nva_body_from_nve(Nva__Envelope__BodyCase c);
bool	nva_body_from_nva(Nva__Envelope__BodyCase c);

/* ---- addresses ------------------------------------------------------- */

/* From protobuf bytes: 0, or -EINVAL for a length other than 4, 6, 16. */
int	nva_addr_from(struct nva_addr *a, const ProtobufCBinaryData *b);
/* Text: aa:bb:cc:dd:ee:ff, dotted IPv4, IPv6 (inet_pton forms).
 * 0 or -EINVAL. */
int	nva_addr_parse(struct nva_addr *a, const char *s);
/* Text of a (buffer of NVA_ADDR_STRLEN); returns buf. */
#define NVA_ADDR_STRLEN	46
char	*nva_addr_fmt(const struct nva_addr *a, char *buf);
bool	nva_addr_eq(const struct nva_addr *x, const struct nva_addr *y);

/* ---- receiving ------------------------------------------------------- */

/*
 * A session's receive buffer.  nva_rx_feed() appends octets as they
 * arrive; nva_rx_next() hands out complete frames in order (the pointer
 * is valid until the next feed).  A broken length makes both return
 * -EBADMSG from then on.
 */
struct nva_rx {
	uint8_t		*buf;
	size_t		 len, cap, off;	/* data is buf[off .. len) */
	size_t		 max;		/* largest frame accepted */
	int		 broken;
};
void	nva_rx_init(struct nva_rx *rx, size_t max);	/* max 0: NVA_FRAME_MAX */
void	nva_rx_free(struct nva_rx *rx);
/* 0, -ENOMEM, or -EBADMSG (framing broken, now or before). */
int	nva_rx_feed(struct nva_rx *rx, const void *p, size_t n);
/* 1 with *msg and *len set, 0 when no complete frame waits, -EBADMSG. */
int	nva_rx_next(struct nva_rx *rx, const uint8_t **msg, size_t *len);

/*
 * Decodes one Envelope and checks it all: body set, no unknown field at
 * any depth, VNs 1..NVA_VN_MAX, address and TSI lengths, list bounds,
 * names (1..NVA_NAME_MAX printable ASCII, no space), enum values, subnet
 * prefix length and zero host bits, Report.state ASSOCIATED/ACTIVATED.
 * Returns NVA_OK with *out set (free with nva_free()), or the code to
 * answer with and a one-line reason in err (*out NULL).  Direction
 * (nva_body_from_nve) is the caller's check.
 */
enum nva_code nva_decode(const uint8_t *p, size_t n, Nva__Envelope **out,
	    char *err, size_t errlen);
void	nva_free(Nva__Envelope *e);

/* ---- sending --------------------------------------------------------- */

/* Octets nva_encode() will write for e (header included). */
size_t	nva_frame_size(const Nva__Envelope *e);
/*
 * Writes the 4-octet length and the packed e into buf; returns the
 * octets written, -ENOSPC when cap is too small, -EMSGSIZE when the
 * message is over NVA_FRAME_MAX.
 */
ssize_t	nva_encode(const Nva__Envelope *e, uint8_t *buf, size_t cap);

#endif /* SPLITNVE_NVA_NVA_H */
