/*
 * hex.h - hex text <-> octets, for tests, golden files, logs and the CLI.
 */
#ifndef SPLITNVE_UTIL_HEX_H
#define SPLITNVE_UTIL_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses hex digits into out, ignoring spaces, tabs, newlines, ':' and '-'
 * between octets.  Returns the octet count, or -EINVAL (odd digit count or
 * a non-hex character) or -ENOBUFS (more than cap octets).  On error, out
 * may hold the octets decoded before the failure.
 */
long	hex_decode(const char *text, uint8_t *out, size_t cap);

/*
 * Writes n octets as lowercase hex separated by sep (0 for none) into out,
 * always NUL-terminated; returns the length the full text needs (like
 * snprintf), so a result >= outsz means it was cut.
 */
size_t	hex_encode(const uint8_t *in, size_t n, char sep, char *out,
	    size_t outsz);

/* Value of one hex digit (either case), or -1. */
int	hex_nibble(char c);

/* Formats a 6-octet MAC as aa:bb:cc:dd:ee:ff into out (18 octets). */
char	*mac_fmt(const uint8_t mac[6], char out[18]);
/* Parses aa:bb:cc:dd:ee:ff (or with '-'); returns 0 or -EINVAL. */
int	mac_parse(const char *s, uint8_t mac[6]);

#endif /* SPLITNVE_UTIL_HEX_H */
