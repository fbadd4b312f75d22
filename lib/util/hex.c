/*
 * hex.c - hex and MAC text conversions (hex.h).  Pure; any thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hex.h"

int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
hex_decode(const char *text, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (const char *p = text; *p; p++) {
		int v;

		if (strchr(" \t\r\n:-", *p)) {
			if (hi >= 0)
				return -EINVAL;	/* separator inside an octet */
			continue;
		}
		v = hex_nibble(*p);
		if (v < 0)
			return -EINVAL;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -ENOBUFS;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return -EINVAL;
	return (long)n;
}

size_t
hex_encode(const uint8_t *in, size_t n, char sep, char *out, size_t outsz)
{
	static const char digits[] = "0123456789abcdef";
	size_t need = n ? n * 2 + (sep ? n - 1 : 0) : 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (sep && i && o + 1 < outsz)
			out[o++] = sep;
		if (o + 1 < outsz)
			out[o++] = digits[in[i] >> 4];
		if (o + 1 < outsz)
			out[o++] = digits[in[i] & 15];
	}
	if (outsz)
		out[o] = '\0';
	return need;
}

char *
mac_fmt(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
	    mac[2], mac[3], mac[4], mac[5]);
	return out;
}

int
mac_parse(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		int hi = hex_nibble(s[0]), lo = hi < 0 ? -1 : hex_nibble(s[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5) {
			if (*s != ':' && *s != '-')
				return -EINVAL;
			s++;
		}
	}
	return *s ? -EINVAL : 0;
}
