/*
 * ext.h - splitnve's NVO3 extensions to VDP: the values of our VDP
 * organizationally defined TLVs, HMAC authentication with replay
 * protection, and the capability agreement that gates all of them.
 *
 * NONE OF THIS IS IEEE 802.1Q OR 802.1Qcy.  The code points live in
 * nvo3_ext_codes.h; docs/nvo3-vdp-extensions.md is the wire specification.
 *
 * Every codec here works on the Org TLV value AFTER the 3-octet OUI/CID
 * (struct vdp_org_tlv .data/.len in lib/vdp/vdp.h), so the first octet is
 * always our subtype.  Codecs are pure: no I/O, no clock, no logging, no
 * allocation.  Functions return 0 or an octet count, or a negative errno.
 *
 * Decoder errors (the same value for the same fault in every decoder):
 *   -EBADMSG          wrong length (short, long, or a partial address)
 *   -ENOMSG           unknown subtype (or not the one the decoder reads)
 *   -EINVAL           VSI ID format outside 1..5 (IPADDR)
 *   -EAFNOSUPPORT     AFI other than 1 (IPv4) or 2 (IPv6) (IPADDR)
 *   -E2BIG            more than NVO3_IPADDR_MAX addresses (IPADDR)
 *   -ERANGE           reason above NVO3_REASON_MAX (MIGRATION)
 *   -EPROTONOSUPPORT  unknown authentication algorithm (AUTH)
 */
#ifndef SPLITNVE_EXT_EXT_H
#define SPLITNVE_EXT_EXT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ext/nvo3_ext_codes.h"

/* ---- IP addresses of a VSI (NVO3_EXT_ST_IPADDR) ---------------------- */

#define NVO3_AFI_IPV4		1	/* IANA address family numbers */
#define NVO3_AFI_IPV6		2
#define NVO3_IPADDR_MAX		16	/* addresses per TLV (ours) */
/* subtype + VSI ID format + VSI ID */
#define NVO3_IPADDR_FIXED_LEN	18
#define NVO3_IPADDR_MIN_LEN	(NVO3_IPADDR_FIXED_LEN + 2 + 4)
#define NVO3_VSIID_LEN		16

struct nvo3_ipaddr {
	uint16_t	afi;		/* NVO3_AFI_IPV4 or _IPV6 */
	uint8_t		addr[16];	/* IPv4 in addr[0..3] */
};

struct nvo3_ipaddr_tlv {
	uint8_t		vsiid_fmt;	/* 1..5, as in the VSI TLV */
	uint8_t		vsiid[NVO3_VSIID_LEN];
	uint8_t		naddr;		/* 1..NVO3_IPADDR_MAX */
	struct nvo3_ipaddr addr[NVO3_IPADDR_MAX];
};

/* ---- migration / lifecycle reason (NVO3_EXT_ST_MIGRATION) ------------ */

/* subtype, reason, flags, seq (4), hint (16) */
#define NVO3_MIGRATION_LEN	23

struct nvo3_migration {
	uint8_t		reason;		/* enum nvo3_reason */
	uint8_t		flags;		/* NVO3_MIGF_*; rest kept */
	uint32_t	seq;		/* mobility seq, 0 = none */
	uint8_t		src_nve[16];	/* IPv6 or v4-mapped; 0 unknown */
};

/* ---- authentication (NVO3_EXT_ST_AUTH) ------------------------------- */

/* subtype, key-id (2), alg, counter (8), MAC (16) */
#define NVO3_AUTH_LEN		28
/* the whole VDP TLV: header, CID, value */
#define NVO3_AUTH_TLV_LEN	(2 + 3 + NVO3_AUTH_LEN)
/* what the MAC covers after the ULPDU: key-id, alg, counter, dir, MAC */
#define NVO3_AUTH_COVERED_TAIL	18

/*
 * The direction octet the MAC also covers (not carried: each side knows
 * which way a PDU travels), so a PDU signed for one direction never
 * verifies in the other; together with the sender's MAC it defeats
 * reflecting a peer's own signed PDU back at it.
 */
#define NVO3_AUTH_DIR_TO_BRIDGE		1	/* station -> bridge */
#define NVO3_AUTH_DIR_TO_STATION	2	/* bridge -> station */

struct nvo3_auth {
	uint16_t	key_id;
	uint8_t		alg;		/* NVO3_AUTH_HMAC_* */
	uint64_t	counter;
	uint8_t		mac[NVO3_AUTH_MAC_LEN];
};

/* ---- any of the three ------------------------------------------------ */

struct nvo3_ext_tlv {
	uint8_t		subtype;	/* selects the member below */
	union {
		struct nvo3_ipaddr_tlv	ip;
		struct nvo3_migration	mig;
		struct nvo3_auth	auth;
	} u;
};

/*
 * Decoders: data/len is the Org TLV value after the OUI.  On success the
 * whole of len was consumed and 0 is returned; on error *out is
 * unspecified and the error is one of the list at the top.
 */
int	nvo3_ipaddr_decode(const uint8_t *data, size_t len,
	    struct nvo3_ipaddr_tlv *out);
int	nvo3_migration_decode(const uint8_t *data, size_t len,
	    struct nvo3_migration *out);
int	nvo3_auth_decode(const uint8_t *data, size_t len,
	    struct nvo3_auth *out);
/* Dispatches on data[0] to one of the three; -ENOMSG for other subtypes. */
int	nvo3_ext_decode(const uint8_t *data, size_t len,
	    struct nvo3_ext_tlv *out);

/*
 * Encoders: write the value after the OUI (subtype first) into buf and
 * return the octet count, or -ENOBUFS (cap too small), or the decoder's
 * error for a field the decoder would refuse (-EINVAL, -EAFNOSUPPORT,
 * -E2BIG, -ERANGE, -EPROTONOSUPPORT; -EBADMSG for naddr == 0).
 */
int	nvo3_ipaddr_encode(const struct nvo3_ipaddr_tlv *in, uint8_t *buf,
	    size_t cap);
int	nvo3_migration_encode(const struct nvo3_migration *in, uint8_t *buf,
	    size_t cap);
int	nvo3_auth_encode(const struct nvo3_auth *in, uint8_t *buf,
	    size_t cap);
int	nvo3_ext_encode(const struct nvo3_ext_tlv *in, uint8_t *buf,
	    size_t cap);

/* Value octets an IPADDR TLV takes (0 if a field is invalid). */
size_t	nvo3_ipaddr_size(const struct nvo3_ipaddr_tlv *in);

/*
 * Is this reason consistent with the VSI TLV it follows?  tlv_type is the
 * VDP TLV type (1..4), status the raw status octet of that TLV.  Only
 * requests carry a reason, so a status with the response bit set is never
 * consistent.  The table is in docs/nvo3-vdp-extensions.md section 7.3.
 */
bool	nvo3_reason_consistent(uint8_t reason, uint8_t tlv_type,
	    uint8_t status);

const char *nvo3_reason_name(uint8_t reason);
const char *nvo3_ext_subtype_name(uint8_t subtype);
const char *nvo3_auth_alg_name(uint8_t alg);

/* ---- keys (ext_auth.c) ----------------------------------------------- */

#define NVO3_KEY_MIN		32
#define NVO3_KEY_MAX		64
#define NVO3_KEYTAB_MAX		8

struct nvo3_keytab;

/* Allocates an empty table, or NULL if out of memory. */
struct nvo3_keytab *nvo3_keytab_new(void);
/* Zeroes every secret (OPENSSL_cleanse) and frees the table; NULL is ok. */
void	nvo3_keytab_free(struct nvo3_keytab *kt);
/*
 * Sets key_id to the secret (replacing and zeroing an older one).
 * Returns 0, -EINVAL (length outside 32..64) or -ENOSPC (table full).
 */
int	nvo3_keytab_set(struct nvo3_keytab *kt, uint16_t key_id,
	    const uint8_t *secret, size_t len);
/* Same, from hex text (hex_decode rules); -EINVAL also for bad text. */
int	nvo3_keytab_set_hex(struct nvo3_keytab *kt, uint16_t key_id,
	    const char *hex);
/* Removes and zeroes key_id; 0 or -ENOKEY. */
int	nvo3_keytab_del(struct nvo3_keytab *kt, uint16_t key_id);
bool	nvo3_keytab_has(const struct nvo3_keytab *kt, uint16_t key_id);

/* ---- replay state (ext_auth.c) --------------------------------------- */

/*
 * The replay state of ONE peer session: per key-id, the highest counter
 * accepted.  The caller keeps one per peer for as long as it remembers
 * the peer, across ECP session restarts and LLDP flaps (nnved keeps it in
 * its station entry for the life of the process), because dropping it
 * would let every PDU recorded before replay.  At most NVO3_KEYTAB_MAX
 * key-ids, the most a key table holds.  Plain memory, no allocation: zero
 * it (or call nvo3_replay_init) before use.
 */
struct nvo3_replay {
	unsigned	n;
	struct {
		uint16_t	key_id;
		uint64_t	last;
	} ent[NVO3_KEYTAB_MAX];
};

void	nvo3_replay_init(struct nvo3_replay *rs);
/* Highest counter accepted so far for key_id; 0 if none. */
uint64_t nvo3_replay_last(const struct nvo3_replay *rs, uint16_t key_id);
/*
 * Records counter as accepted, after the caller decided to accept the
 * PDU that nvo3_auth_verify() passed.  Returns 0, -EALREADY (counter not
 * above the one recorded, or 0; nothing changes) or -ENOSPC (a new key-id
 * while NVO3_KEYTAB_MAX key-ids are already tracked).
 */
int	nvo3_replay_commit(struct nvo3_replay *rs, uint16_t key_id,
	    uint64_t counter);

/* ---- sender counter (ext_auth.c) ------------------------------------- */

/*
 * A 64-bit counter that only grows.  Seed it with the wall clock in
 * microseconds at start-up: as long as a sender signs fewer PDUs than one
 * per microsecond on average, a restarted sender starts above every
 * counter it used before, without storing anything.
 */
struct nvo3_counter {
	uint64_t	last;
};

void	nvo3_counter_init(struct nvo3_counter *c, uint64_t seed_wall_us);
/* Returns the next value (last + 1); never 0, never repeats. */
uint64_t nvo3_counter_next(struct nvo3_counter *c);

/* ---- HMAC (ext_auth.c) ----------------------------------------------- */

/*
 * HMAC-SHA-256 over d1 then d2 (either may be empty), full 32 octets.
 * Returns 0 or -EIO (OpenSSL failure).  Exposed for the test vectors.
 */
int	nvo3_hmac_sha256(const uint8_t *key, size_t klen, const uint8_t *d1,
	    size_t n1, const uint8_t *d2, size_t n2, uint8_t out[32]);

/*
 * Signs a ULPDU: ulpdu/len are the octets written so far (Manager ID TLV
 * first, ECP header excluded); the auth TLV will be appended right after
 * them.  dir is the way the PDU travels (NVO3_AUTH_DIR_*), sender the MAC
 * of the port that sends it (the ECP source address).  Fills *out (key
 * id, algorithm, counter, MAC).  Returns 0, -ENOKEY (key_id not in kt),
 * -EINVAL (counter 0, dir not 1 or 2, NULL sender, NULL ulpdu with
 * len > 0) or -EIO.
 */
int	nvo3_auth_sign(const uint8_t *ulpdu, size_t len,
	    const struct nvo3_keytab *kt, uint16_t key_id, uint64_t counter,
	    uint8_t dir, const uint8_t sender[6], struct nvo3_auth *out);

/*
 * Verifies a received ULPDU.  ulpdu/len is the whole ULPDU (End TLV and
 * zero padding may follow the auth TLV), auth_off the offset of the auth
 * TLV's 2-octet header, a the decode of that TLV's value, rs the replay
 * state of the session it came on, dir the way it travelled (a station
 * verifies NVO3_AUTH_DIR_TO_STATION, a bridge _TO_BRIDGE) and sender the
 * peer's MAC (the ECP source address).  Checks, in this order:
 *   -EINVAL           dir not 1 or 2, or NULL sender
 *   -EBADMSG          auth_off does not hold a whole type-127 TLV of
 *                     NVO3_AUTH_TLV_LEN octets with our subtype, or *a
 *                     differs from what those octets say
 *   -EPROTO           a non-zero octet follows the auth TLV (not last)
 *   -EPROTONOSUPPORT  unknown algorithm
 *   -ENOKEY           key id not in kt
 *   -EPERM            MAC mismatch (constant-time compare): also a PDU
 *                     signed for the other direction or by another sender
 *   -EALREADY         counter not above the last one committed in rs
 *                     for the key id
 *   -EIO              OpenSSL failure
 * Returns 0 if all pass.  Does NOT update rs: call nvo3_replay_commit()
 * once the PDU is accepted (ECP ACKs only after that).
 */
int	nvo3_auth_verify(const uint8_t *ulpdu, size_t len, size_t auth_off,
	    const struct nvo3_auth *a, const struct nvo3_keytab *kt,
	    const struct nvo3_replay *rs, uint8_t dir, const uint8_t sender[6]);

/* ---- capability agreement (ext_caps.c) ------------------------------- */

/* nvo3_caps_agree() lives in nvo3_ext_codes.h, shared with lib/lldp. */

bool	nvo3_ext_use_ip_filters(uint32_t agreed);
bool	nvo3_ext_use_migration(uint32_t agreed);
bool	nvo3_ext_use_ecpdest(uint32_t agreed);
bool	nvo3_ext_use_auth(uint32_t agreed);
bool	nvo3_ext_use_vni_groupid(uint32_t agreed);
bool	nvo3_ext_use_multi_tlv(uint32_t agreed);
bool	nvo3_ext_use_deactivate(uint32_t agreed);
bool	nvo3_ext_use_ipaddr_tlv(uint32_t agreed);

/* Name of one capability bit ("ipfilter", ...), "?" if unknown. */
const char *nvo3_cap_name(uint32_t bit);
/*
 * Formats a bitmap as comma-separated names ("none" if empty; unknown
 * bits as 0x...); returns the length the full text needs (snprintf-like).
 */
size_t	nvo3_caps_format(uint32_t caps, char *out, size_t outsz);
/*
 * Parses comma-separated names (or "all", "none") into *caps.  Returns 0
 * or -EINVAL (unknown name).
 */
int	nvo3_caps_parse(const char *text, uint32_t *caps);

#endif /* SPLITNVE_EXT_EXT_H */
