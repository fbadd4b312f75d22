/*
 * ext_caps.c - which of our NVO3 extensions a session may use, from the
 * capability bitmaps both sides sent in our LLDP capability TLV.
 *
 * Thread: any (pure: no I/O, clock, logging or allocation).
 * Relies on: the NVO3_CAP_* bits of nvo3_ext_codes.h.  lib/lldp encodes and
 * decodes the TLV itself; this file only decides.
 *
 * The rule (ours, docs/nvo3-vdp-extensions.md section 3): an extension is
 * used on a session only when both ends offered it.  A peer that sent no
 * capability TLV at all is a standard 802.1Q peer (lldpad, a switch) and
 * gets none, so it never sees a code point of ours.  Bits we do not know
 * are dropped from the agreement, so a newer peer's extra bits are
 * harmless.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ext/ext.h"

static const struct {
	uint32_t	bit;
	const char	*name;
} cap_names[] = {
	{ NVO3_CAP_IPFILTER, "ipfilter" },
	{ NVO3_CAP_MIGRATION, "migration" },
	{ NVO3_CAP_ECPDEST, "ecpdest" },
	{ NVO3_CAP_AUTH, "auth" },
	{ NVO3_CAP_VNI_GROUPID, "vni-groupid" },
	{ NVO3_CAP_MULTI_TLV, "multi-tlv" },
	{ NVO3_CAP_DEACTIVATE, "deactivate" },
	{ NVO3_CAP_IPADDR_TLV, "ipaddr-tlv" },
};
#define NCAPS	(sizeof(cap_names) / sizeof(cap_names[0]))

bool
nvo3_ext_use_ip_filters(uint32_t agreed)
{
	return (agreed & NVO3_CAP_IPFILTER) != 0;
}

bool
nvo3_ext_use_migration(uint32_t agreed)
{
	return (agreed & NVO3_CAP_MIGRATION) != 0;
}

bool
nvo3_ext_use_ecpdest(uint32_t agreed)
{
	return (agreed & NVO3_CAP_ECPDEST) != 0;
}

bool
nvo3_ext_use_auth(uint32_t agreed)
{
	return (agreed & NVO3_CAP_AUTH) != 0;
}

bool
nvo3_ext_use_vni_groupid(uint32_t agreed)
{
	return (agreed & NVO3_CAP_VNI_GROUPID) != 0;
}

bool
nvo3_ext_use_multi_tlv(uint32_t agreed)
{
	return (agreed & NVO3_CAP_MULTI_TLV) != 0;
}

bool
nvo3_ext_use_deactivate(uint32_t agreed)
{
	return (agreed & NVO3_CAP_DEACTIVATE) != 0;
}

bool
nvo3_ext_use_ipaddr_tlv(uint32_t agreed)
{
	return (agreed & NVO3_CAP_IPADDR_TLV) != 0;
}

const char *
nvo3_cap_name(uint32_t bit)
{
	for (size_t i = 0; i < NCAPS; i++)
		if (cap_names[i].bit == bit)
			return cap_names[i].name;
	return "?";
}

/* Appends s to out at *o, keeping the snprintf-like total in *o. */
static void
put(char *out, size_t outsz, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (*o < outsz) {
		size_t room = outsz - *o - 1;

		memcpy(out + *o, s, n < room ? n : room);
	}
	*o += n;
}

size_t
nvo3_caps_format(uint32_t caps, char *out, size_t outsz)
{
	size_t o = 0;
	uint32_t left = caps;
	char extra[16];

	if (caps == 0)
		put(out, outsz, &o, "none");
	for (size_t i = 0; i < NCAPS; i++) {
		if ((caps & cap_names[i].bit) == 0)
			continue;
		if (left != caps)
			put(out, outsz, &o, ",");
		put(out, outsz, &o, cap_names[i].name);
		left &= ~cap_names[i].bit;
	}
	if (left) {
		if (left != caps)
			put(out, outsz, &o, ",");
		snprintf(extra, sizeof(extra), "0x%x", left);
		put(out, outsz, &o, extra);
	}
	if (outsz)
		out[o < outsz ? o : outsz - 1] = '\0';
	return o;
}

int
nvo3_caps_parse(const char *text, uint32_t *caps)
{
	uint32_t v = 0;
	const char *p = text;

	if (text == NULL)
		return -EINVAL;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		size_t i;

		if (n == 3 && strncmp(p, "all", 3) == 0)
			v |= NVO3_CAP_ALL;
		else if (!(n == 4 && strncmp(p, "none", 4) == 0)) {
			for (i = 0; i < NCAPS; i++)
				if (strlen(cap_names[i].name) == n &&
				    strncmp(p, cap_names[i].name, n) == 0)
					break;
			if (i == NCAPS)
				return -EINVAL;
			v |= cap_names[i].bit;
		}
		if (e == NULL)
			break;
		p = e + 1;
		if (*p == '\0')
			return -EINVAL;		/* trailing comma */
	}
	if (p == text && *p == '\0')
		return -EINVAL;			/* empty */
	*caps = v;
	return 0;
}
