/*
 * fsm_nvo3_vap.c - transcript driver for the VAP machine of RFC 8394
 * Figure 5 (lib/nvo3/vap.c) and the tag space it draws from (tag.c).
 * Reads a script on stdin, prints a transcript on stdout; scripts and
 * goldens are in tests/fsm/nvo3_vap/.
 *
 * One tag space (one port or bridged domain) and one VAP per VN named in
 * the script, created DISCONNECTED on first mention.  Script words:
 *   range LO HI           a fresh tag space (nvo3_tags_init); every VAP
 *                         goes back to DISCONNECTED
 *   set-range LO HI       nvo3_tags_set_range (a reload: owners stay)
 *   claim VN VID          a VID held outside any VAP (nvo3_tags_claim)
 *   release VN VID        nvo3_tags_release
 *   connect VN [VID]      explicit VN_Connect (VID 0 if left out)
 *   tsi-add VN [VID]      a TSI associated: implicit VN_Connect
 *   tsi-del VN [VID]      a TSI left
 *   disconnect VN         explicit VN_Disconnect
 *   +N                    advance time by N microseconds
 *   # ...                 comment, echoed
 * Transcript: "T > line", "T   = rc", the actions, then the VAP named
 * ("T   vn N STATE tags=[VID/refs...] tsi=N pinned|- since=T") and the
 * tag space ("T   tags used=N free=N range=LO-HI owners=[VID:VN ...]").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvo3/nvo3.h"

#define MAXW	8
#define MAXVAP	16

static struct nvo3_tags tags;
static struct nvo3_vap vaps[MAXVAP];
static unsigned nvaps;

static const struct {
	int		 e;
	const char	*name;
} errnames[] = {
	{ -ENOENT, "-ENOENT" }, { -EINVAL, "-EINVAL" },
	{ -ENOSPC, "-ENOSPC" }, { -EADDRINUSE, "-EADDRINUSE" },
	{ -ERANGE, "-ERANGE" }, { -E2BIG, "-E2BIG" },
	{ -ENOBUFS, "-ENOBUFS" },
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

static __attribute__((noreturn)) void
die(int lineno, const char *why)
{
	fprintf(stderr, "script line %d: %s\n", lineno, why);
	exit(2);
}

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

static unsigned long
number(int lineno, const char *w)
{
	char *end;
	unsigned long v = strtoul(w, &end, 10);

	if (*w == '\0' || *end != '\0')
		die(lineno, "not a number");
	return v;
}

static struct nvo3_vap *
vap_of(int lineno, uint32_t vn)
{
	unsigned i;

	for (i = 0; i < nvaps; i++)
		if (vaps[i].vn == vn)
			return &vaps[i];
	if (nvaps == MAXVAP)
		die(lineno, "too many VNs");
	nvo3_vap_init(&vaps[nvaps], vn);
	return &vaps[nvaps++];
}

static void
print_vap(uint64_t now, const struct nvo3_vap *v)
{
	unsigned i;

	printf("%" PRIu64 "   vn %" PRIu32 " %s tags=[", now, v->vn,
	    nvo3_vap_state_names[v->state]);
	for (i = 0; i < v->ntags; i++)
		printf("%s%u/%" PRIu32, i ? " " : "", v->tags[i], v->refs[i]);
	printf("] tsi=%" PRIu32 " %s since=%" PRIu64 "\n", v->num_tsi,
	    v->pinned ? "pinned" : "-", v->since);
}

static void
print_tags(uint64_t now)
{
	unsigned vid, n = 0;

	printf("%" PRIu64 "   tags used=%" PRIu32 " free=%u range=%u-%u"
	    " owners=[", now, tags.used, nvo3_tags_free(&tags), tags.lo,
	    tags.hi);
	for (vid = NVO3_VID_MIN; vid <= NVO3_VID_MAX; vid++) {
		if (nvo3_tags_owner(&tags, (uint16_t)vid) == 0)
			continue;
		printf("%s%u:%" PRIu32, n++ ? " " : "", vid,
		    nvo3_tags_owner(&tags, (uint16_t)vid));
	}
	printf("]\n");
}

static void
print_acts(uint64_t now, const struct nvo3_vap_acts *acts)
{
	unsigned i;

	for (i = 0; i < acts->n; i++) {
		const struct nvo3_vap_action *a = &acts->a[i];

		printf("%" PRIu64 "   %s", now, nvo3_vap_act_names[a->kind]);
		if (a->kind == NVO3_VAPA_DEASSOC_TSIS)
			printf(" count=%" PRIu32, a->count);
		else if (a->kind != NVO3_VAPA_DISCONNECTED)
			printf(" vid=%u", a->vid);
		printf("\n");
	}
}

int
main(void)
{
	char line[512], copy[512];
	uint64_t now = 0;
	int lineno = 0;
	unsigned i;

	if (nvo3_tags_init(&tags, 100, 4000) < 0)
		die(0, "tags init");
	while (fgets(line, sizeof(line), stdin)) {
		char *w[MAXW];
		struct nvo3_vap_acts acts;
		struct nvo3_vap *v = NULL;
		uint16_t vid;
		int n, rc;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (line[0] == '#') {
			printf("%s\n", line);
			continue;
		}
		if (line[0] == '+') {
			now += number(lineno, line + 1);
			continue;
		}
		snprintf(copy, sizeof(copy), "%s", line);
		n = split(copy, w);
		if (n == 0)
			continue;
		printf("%" PRIu64 " > %s\n", now, line);
		acts.n = 0;
		if (n == 3 && strcmp(w[0], "range") == 0) {
			rc = nvo3_tags_init(&tags,
			    (uint16_t)number(lineno, w[1]),
			    (uint16_t)number(lineno, w[2]));
			for (i = 0; rc == 0 && i < nvaps; i++)
				nvo3_vap_init(&vaps[i], vaps[i].vn);
		} else if (n == 3 && strcmp(w[0], "set-range") == 0) {
			rc = nvo3_tags_set_range(&tags,
			    (uint16_t)number(lineno, w[1]),
			    (uint16_t)number(lineno, w[2]));
		} else if (n == 3 && strcmp(w[0], "claim") == 0) {
			rc = nvo3_tags_claim(&tags,
			    (uint32_t)number(lineno, w[1]),
			    (uint16_t)number(lineno, w[2]));
		} else if (n == 3 && strcmp(w[0], "release") == 0) {
			rc = nvo3_tags_release(&tags,
			    (uint32_t)number(lineno, w[1]),
			    (uint16_t)number(lineno, w[2]));
		} else if (n >= 2 && n <= 3) {
			v = vap_of(lineno, (uint32_t)number(lineno, w[1]));
			vid = n == 3 ? (uint16_t)number(lineno, w[2]) : 0;
			if (strcmp(w[0], "connect") == 0)
				rc = nvo3_vap_connect(v, &tags, vid, now,
				    &acts);
			else if (strcmp(w[0], "tsi-add") == 0)
				rc = nvo3_vap_tsi_add(v, &tags, vid, now,
				    &acts);
			else if (strcmp(w[0], "tsi-del") == 0)
				rc = nvo3_vap_tsi_del(v, &tags, vid, now,
				    &acts);
			else if (n == 2 && strcmp(w[0], "disconnect") == 0)
				rc = nvo3_vap_disconnect(v, &tags, now, &acts);
			else
				die(lineno, "unknown word");
		} else
			die(lineno, "unknown word");
		printf("%" PRIu64 "   = %s\n", now, errname(rc));
		print_acts(now, &acts);
		if (v != NULL)
			print_vap(now, v);
		print_tags(now);
	}
	return 0;
}
