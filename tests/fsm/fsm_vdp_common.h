/*
 * fsm_vdp_common.h - script parsing and printing shared by the VDP
 * station and bridge transcript drivers (fsm_vdp_station.c,
 * fsm_vdp_bridge.c).  Test code only; single translation unit each.
 *
 * Words common to both scripts:
 *   params R RTE RWD RKA [deact]   negotiated EVB values (default 3 8 20 20)
 *   +N                             advance time by N microseconds
 *   # ...                          comment (echoed, blank lines skipped)
 * A filter entry is written VNI/MAC/VID[/pPCP]: GroupID (VNI) in decimal,
 * MAC as aa:bb:cc:dd:ee:ff, VID in decimal, and PCP with PS set when the
 * /pN suffix is present.  Every VSI uses one identity: Type ID 5,
 * version 4, UUID 00112233-4455-6677-8899-aabbccddeeff, filter format 4
 * (GroupID/MAC/VID).
 */
#ifndef FSM_VDP_COMMON_H
#define FSM_VDP_COMMON_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mtime.h"
#include "vdp/vdp_sm.h"

#define MAXW	24

static const struct {
	int		 e;
	const char	*name;
} errnames[] = {
	{ 0, "0" }, { -EBUSY, "-EBUSY" }, { -EPERM, "-EPERM" },
	{ -ENOENT, "-ENOENT" }, { -EINVAL, "-EINVAL" },
	{ -EPROTO, "-EPROTO" }, { -E2BIG, "-E2BIG" },
	{ -ESHUTDOWN, "-ESHUTDOWN" },
};

static const char *
errname(int e)
{
	static char buf[32];
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].e == e)
			return errnames[i].name;
	snprintf(buf, sizeof(buf), "%d", e);
	return buf;
}

static const char *const modenames[] = {
	"end", "preassoc", "preassoc-rr", "assoc", "deassoc",
};

static const char *
modename(uint8_t m)
{
	return m <= VDP_TLV_DEASSOC ? modenames[m] : "?";
}

static int
parse_mode(const char *w)
{
	int m;

	for (m = VDP_TLV_PREASSOC; m <= VDP_TLV_DEASSOC; m++)
		if (strcmp(w, modenames[m]) == 0)
			return m;
	return -1;
}

static int
parse_entry(const char *w, struct vdp_filter *f)
{
	unsigned vni, mac[6], vid, pcp;
	int n = 0;

	memset(f, 0, sizeof(*f));
	if (sscanf(w, "%u/%x:%x:%x:%x:%x:%x/%u%n", &vni, &mac[0], &mac[1],
	    &mac[2], &mac[3], &mac[4], &mac[5], &vid, &n) != 8)
		return -1;
	f->group = vni;
	for (int i = 0; i < 6; i++)
		f->mac[i] = (uint8_t)mac[i];
	f->vid = (uint16_t)vid;
	if (w[n] == '/') {
		if (sscanf(w + n, "/p%u", &pcp) != 1)
			return -1;
		f->ps = 1;
		f->pcp = (uint8_t)pcp;
	} else if (w[n] != '\0')
		return -1;
	return 0;
}

static void
print_entries(const struct vdp_vsi_tlv *t)
{
	struct vdp_filter f;
	unsigned i;

	printf(" [");
	for (i = 0; i < t->nfilter; i++) {
		vdp_filter_at(t, i, &f);
		printf("%s%" PRIu32 "/%02x:%02x:%02x:%02x:%02x:%02x/%u",
		    i ? " " : "", f.group, f.mac[0], f.mac[1], f.mac[2],
		    f.mac[3], f.mac[4], f.mac[5], f.vid);
		if (f.ps)
			printf("/p%u", f.pcp);
	}
	printf("]");
}

static void
set_identity(struct vdp_vsi_tlv *t)
{
	static const uint8_t uuid[16] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};

	memset(t, 0, sizeof(*t));
	t->type_id = 5;
	t->type_ver = 4;
	t->vsiid_fmt = VDP_VSIID_UUID;
	memcpy(t->vsiid, uuid, sizeof(uuid));
	t->ffmt = VDP_FIF_GROUP_MAC_VID;
}

/* Splits line into words; returns the count. */
static int
split(char *line, char **w)
{
	int n = 0;
	char *p = strtok(line, " \t\r\n");

	while (p && n < MAXW) {
		w[n++] = p;
		p = strtok(NULL, " \t\r\n");
	}
	return n;
}

static int
parse_params(char **w, int n, struct vdp_params *p)
{
	if (n < 5)
		return -1;
	memset(p, 0, sizeof(*p));
	p->r = (uint8_t)atoi(w[1]);
	p->rte = (uint8_t)atoi(w[2]);
	p->rwd = (uint8_t)atoi(w[3]);
	p->rka = (uint8_t)atoi(w[4]);
	p->deactivate_ok = n > 5 && strcmp(w[5], "deact") == 0;
	return 0;
}

static void
print_deadline(uint64_t d)
{
	if (d == TIME_NEVER)
		printf(" timer=none\n");
	else
		printf(" timer=%" PRIu64 "\n", d);
}

static __attribute__((noreturn)) void
die(int lineno, const char *why)
{
	fprintf(stderr, "script line %d: %s\n", lineno, why);
	exit(2);
}

#endif /* FSM_VDP_COMMON_H */
