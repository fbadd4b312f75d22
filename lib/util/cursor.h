/*
 * cursor.h - bounds-checked byte cursors for every codec in splitnve.
 *
 * A reader (struct cur) and a writer (struct wcur) walk a caller-owned
 * buffer.  Every access is checked; the first failure is latched in ->err
 * and every later access becomes a no-op that reads zeros, so a decoder can
 * read a whole header field by field and test cur_err() once at the end.
 * Multi-octet integers are big-endian (network order), as on every wire
 * splitnve speaks.  No allocation, no I/O: safe in any thread.
 *
 * Errors (negative errno, the lib/ convention):
 *   -EBADMSG  a read ran past the end of the input (truncated input)
 *   -ENOBUFS  a write ran past the end of the output buffer
 *   other     set by the codec itself through cur_fail()/wcur_fail()
 */
#ifndef SPLITNVE_UTIL_CURSOR_H
#define SPLITNVE_UTIL_CURSOR_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cur {
	const uint8_t	*base;
	size_t		 len;	/* octets in base */
	size_t		 off;	/* next octet to read */
	int		 err;	/* 0 or the first error, sticky */
};

struct wcur {
	uint8_t		*base;
	size_t		 cap;	/* octets available in base */
	size_t		 off;	/* octets written so far */
	int		 err;	/* 0 or the first error, sticky */
};

/* ---- reader ---------------------------------------------------------- */

static inline void
cur_init(struct cur *c, const void *buf, size_t len)
{
	c->base = buf;
	c->len = buf ? len : 0;
	c->off = 0;
	c->err = 0;
}

/* Latch err unless an earlier error is already latched; returns c->err. */
static inline int
cur_fail(struct cur *c, int err)
{
	if (c->err == 0)
		c->err = err;
	return c->err;
}

static inline int	cur_err(const struct cur *c) { return c->err; }
static inline size_t	cur_off(const struct cur *c) { return c->off; }

static inline size_t
cur_left(const struct cur *c)
{
	return c->err ? 0 : c->len - c->off;
}

/*
 * Returns a pointer to the next n octets and advances past them, or NULL
 * (latching -EBADMSG) when fewer than n remain.
 */
static inline const uint8_t *
cur_take(struct cur *c, size_t n)
{
	const uint8_t *p;

	if (c->err)
		return NULL;
	if (n > c->len - c->off) {
		cur_fail(c, -EBADMSG);
		return NULL;
	}
	p = c->base + c->off;
	c->off += n;
	return p;
}

static inline void
cur_skip(struct cur *c, size_t n)
{
	(void)cur_take(c, n);
}

static inline uint8_t
cur_u8(struct cur *c)
{
	const uint8_t *p = cur_take(c, 1);

	return p ? p[0] : 0;
}

static inline uint16_t
cur_be16(struct cur *c)
{
	const uint8_t *p = cur_take(c, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static inline uint32_t
cur_be24(struct cur *c)
{
	const uint8_t *p = cur_take(c, 3);

	return p ? (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2] : 0;
}

static inline uint32_t
cur_be32(struct cur *c)
{
	const uint8_t *p = cur_take(c, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3] : 0;
}

static inline uint64_t
cur_be64(struct cur *c)
{
	uint64_t hi = cur_be32(c);

	return hi << 32 | cur_be32(c);
}

/* Copies n octets to dst; on failure dst is zero-filled. */
static inline void
cur_copy(struct cur *c, void *dst, size_t n)
{
	const uint8_t *p = cur_take(c, n);

	if (p)
		memcpy(dst, p, n);
	else if (n)
		memset(dst, 0, n);
}

/*
 * Splits off the next n octets as an independent cursor and advances the
 * parent past them.  If fewer than n remain, both the parent and the
 * returned cursor carry -EBADMSG.
 */
static inline struct cur
cur_sub(struct cur *c, size_t n)
{
	struct cur s;
	const uint8_t *p = cur_take(c, n);

	cur_init(&s, p, p ? n : 0);
	if (!p)
		s.err = c->err;
	return s;
}

/* ---- writer ---------------------------------------------------------- */

static inline void
wcur_init(struct wcur *w, void *buf, size_t cap)
{
	w->base = buf;
	w->cap = buf ? cap : 0;
	w->off = 0;
	w->err = 0;
}

static inline int
wcur_fail(struct wcur *w, int err)
{
	if (w->err == 0)
		w->err = err;
	return w->err;
}

static inline int	wcur_err(const struct wcur *w) { return w->err; }
static inline size_t	wcur_len(const struct wcur *w) { return w->off; }

static inline size_t
wcur_room(const struct wcur *w)
{
	return w->err ? 0 : w->cap - w->off;
}

/*
 * Reserves the next n octets and returns a pointer to them (for a field
 * filled in later, such as a length), or NULL latching -ENOBUFS.
 */
static inline uint8_t *
wcur_reserve(struct wcur *w, size_t n)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	if (n > w->cap - w->off) {
		wcur_fail(w, -ENOBUFS);
		return NULL;
	}
	p = w->base + w->off;
	w->off += n;
	return p;
}

static inline void
wcur_u8(struct wcur *w, uint8_t v)
{
	uint8_t *p = wcur_reserve(w, 1);

	if (p)
		p[0] = v;
}

static inline void
wcur_be16(struct wcur *w, uint16_t v)
{
	uint8_t *p = wcur_reserve(w, 2);

	if (p) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

static inline void
wcur_be24(struct wcur *w, uint32_t v)
{
	uint8_t *p = wcur_reserve(w, 3);

	if (p) {
		p[0] = (uint8_t)(v >> 16);
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)v;
	}
}

static inline void
wcur_be32(struct wcur *w, uint32_t v)
{
	uint8_t *p = wcur_reserve(w, 4);

	if (p) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

static inline void
wcur_be64(struct wcur *w, uint64_t v)
{
	wcur_be32(w, (uint32_t)(v >> 32));
	wcur_be32(w, (uint32_t)v);
}

static inline void
wcur_bytes(struct wcur *w, const void *src, size_t n)
{
	uint8_t *p = wcur_reserve(w, n);

	if (p && n)
		memcpy(p, src, n);
}

static inline void
wcur_zero(struct wcur *w, size_t n)
{
	uint8_t *p = wcur_reserve(w, n);

	if (p && n)
		memset(p, 0, n);
}

/* Writes a big-endian 16-bit value at a position reserved earlier. */
static inline void
put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t
get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The n low octets of v, big-endian, at p (n <= 8). */
static inline void
put_be_n(uint8_t *p, uint64_t v, unsigned n)
{
	while (n-- > 0) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

/* n octets at p, big-endian (n <= 8). */
static inline uint64_t
get_be_n(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

#endif /* SPLITNVE_UTIL_CURSOR_H */
