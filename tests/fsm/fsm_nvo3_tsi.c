/*
 * fsm_nvo3_tsi.c - transcript driver for the TSI machine of RFC 8394
 * Figure 6 (lib/nvo3/tsi.c).  Reads a script on stdin, prints a
 * transcript on stdout; scripts and goldens are in tests/fsm/nvo3_tsi/.
 *
 * Script words:
 *   new NAME UUID PORT        an instance in Init: TSI_ID UUID (32 hex
 *                             digits, dashes allowed), Port PORT
 *   NAME EVENT [KEY=VALUE...] [ADDR... | noaddr | null | nulllist=N]
 *                             one event: associate, activate, deactivate,
 *                             deassociate, update, port, or a number.
 *                             Keys: port, vn, vid (decimal), hints
 *                             (hex: 10 = M, 20 = S), reason (decimal);
 *                             left out, port/vn/vid are the instance's
 *                             and hints/reason 0.  ADDR is written as
 *                             nvo3_addr_fmt() prints it: a MAC, an IPv4
 *                             or IPv6 address, or IP@MAC.  No ADDR: the
 *                             instance's current list; noaddr: an empty
 *                             list; null: no request at all (NULL);
 *                             nulllist=N: a NULL list of N addresses.
 *   +N                        advance time by N microseconds
 *   # ...                     comment, echoed
 * Transcript: "T > line", "T   = rc", the actions, then the instance
 * ("T   NAME STATE port=P vn=V vid=X hints=H reason=R since=T
 * updates=N addrs=[...]").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvo3/nvo3.h"

#define MAXW	40
#define MAXTSI	8
#define MAXLIST	(NVO3_TSI_MAX_ADDR + 4)

static struct {
	char		name[16];
	struct nvo3_tsi	t;
} tsis[MAXTSI];
static unsigned ntsis;

static const struct {
	int		 e;
	const char	*name;
} errnames[] = {
	{ -ENOENT, "-ENOENT" }, { -EINVAL, "-EINVAL" },
	{ -EPERM, "-EPERM" }, { -EXDEV, "-EXDEV" },
	{ -E2BIG, "-E2BIG" }, { -ENOBUFS, "-ENOBUFS" },
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
number(int lineno, const char *w, int base)
{
	char *end;
	unsigned long v = strtoul(w, &end, base);

	if (*w == '\0' || *end != '\0')
		die(lineno, "not a number");
	return v;
}

static int
parse_mac(const char *w, uint8_t mac[6])
{
	unsigned m[6];
	int n = 0, i;

	if (sscanf(w, "%2x:%2x:%2x:%2x:%2x:%2x%n", &m[0], &m[1], &m[2],
	    &m[3], &m[4], &m[5], &n) != 6 || w[n] != '\0')
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	return 0;
}

/* MAC, IPv4, IPv6 or IP@MAC. */
static int
parse_addr(const char *w, struct nvo3_addr *a)
{
	char ip[64];
	const char *at = strchr(w, '@');
	size_t len = at ? (size_t)(at - w) : strlen(w);

	memset(a, 0, sizeof(*a));
	if (!at && parse_mac(w, a->mac) == 0)
		return 0;
	if (len >= sizeof(ip))
		return -1;
	memcpy(ip, w, len);
	ip[len] = '\0';
	if (inet_pton(AF_INET, ip, a->ip) == 1)
		a->family = 4;
	else if (inet_pton(AF_INET6, ip, a->ip) == 1)
		a->family = 6;
	else
		return -1;
	return at ? parse_mac(at + 1, a->mac) : 0;
}

static int
parse_uuid(const char *w, uint8_t id[16])
{
	unsigned n = 0, v;

	for (; *w != '\0'; w++) {
		if (*w == '-')
			continue;
		if (n == 32 || sscanf(w, "%1x", &v) != 1)
			return -1;
		id[n / 2] = (uint8_t)(n % 2 ? id[n / 2] | v : v << 4);
		n++;
	}
	return n == 32 ? 0 : -1;
}

static void
print_addr(const struct nvo3_addr *a)
{
	char buf[NVO3_ADDR_STRLEN];

	if (nvo3_addr_fmt(a, buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "?");
	printf("%s", buf);
}

static void
print_tsi(uint64_t now, const char *name, const struct nvo3_tsi *t)
{
	unsigned i;

	printf("%" PRIu64 "   %s %s port=%" PRIu32 " vn=%" PRIu32 " vid=%u"
	    " hints=%02x reason=%u since=%" PRIu64 " updates=%" PRIu32
	    " addrs=[", now, name, nvo3_tsi_state_names[t->state], t->port,
	    t->vn, t->vid, t->hints, t->reason, t->since, t->updates);
	for (i = 0; i < t->naddr; i++) {
		printf("%s", i ? " " : "");
		print_addr(&t->addr[i]);
	}
	printf("]\n");
}

static void
print_acts(uint64_t now, const struct nvo3_tsi_acts *acts)
{
	unsigned i;

	for (i = 0; i < acts->n; i++) {
		const struct nvo3_tsi_action *a = &acts->a[i];

		printf("%" PRIu64 "   %s", now, nvo3_tsi_act_names[a->kind]);
		switch (a->kind) {
		case NVO3_TSIA_ADDR_ADD:
		case NVO3_TSIA_ADDR_DEL:
			printf(" ");
			print_addr(&a->addr);
			break;
		case NVO3_TSIA_RESERVE:
		case NVO3_TSIA_RELEASE:
			printf(" port=%" PRIu32, a->port);
			break;
		case NVO3_TSIA_PORT_MOVE:
			printf(" port=%" PRIu32 " old=%" PRIu32, a->port,
			    a->old_port);
			break;
		default:
			break;
		}
		printf("\n");
	}
}

static int
find(const char *name)
{
	unsigned i;

	for (i = 0; i < ntsis; i++)
		if (strcmp(tsis[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
parse_event(int lineno, const char *w)
{
	int e;

	for (e = 0; e < NVO3_TSIE__COUNT; e++)
		if (strcmp(w, nvo3_tsi_event_names[e]) == 0)
			return e;
	return (int)number(lineno, w, 10);
}

int
main(void)
{
	char line[1024], copy[1024];
	uint64_t now = 0;
	int lineno = 0;

	while (fgets(line, sizeof(line), stdin)) {
		char *w[MAXW];
		struct nvo3_addr list[MAXLIST];
		struct nvo3_tsi_req req;
		struct nvo3_tsi_acts acts;
		struct nvo3_tsi *t;
		bool null_req = false, have_list = false;
		int n, i, k, rc, ev;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (line[0] == '#') {
			printf("%s\n", line);
			continue;
		}
		if (line[0] == '+') {
			now += number(lineno, line + 1, 10);
			continue;
		}
		snprintf(copy, sizeof(copy), "%s", line);
		n = split(copy, w);
		if (n == 0)
			continue;
		printf("%" PRIu64 " > %s\n", now, line);
		if (strcmp(w[0], "new") == 0) {
			uint8_t id[16];

			if (n != 4 || find(w[1]) >= 0 || ntsis == MAXTSI ||
			    strlen(w[1]) >= sizeof(tsis[0].name) ||
			    parse_uuid(w[2], id) < 0)
				die(lineno, "new NAME UUID PORT");
			k = (int)ntsis++;
			snprintf(tsis[k].name, sizeof(tsis[k].name), "%s",
			    w[1]);
			nvo3_tsi_init(&tsis[k].t, 1, id,
			    (uint32_t)number(lineno, w[3], 10));
			print_tsi(now, tsis[k].name, &tsis[k].t);
			continue;
		}
		if (n < 2 || (k = find(w[0])) < 0)
			die(lineno, "unknown instance");
		t = &tsis[k].t;
		ev = parse_event(lineno, w[1]);
		memset(&req, 0, sizeof(req));
		req.port = t->port;
		req.vn = t->vn;
		req.vid = t->vid;
		for (i = 2; i < n; i++) {
			char *eq = strchr(w[i], '=');

			if (strcmp(w[i], "null") == 0) {
				null_req = true;
			} else if (strcmp(w[i], "noaddr") == 0) {
				have_list = true;
			} else if (eq && strncmp(w[i], "nulllist=", 9) == 0) {
				req.naddr = (uint16_t)number(lineno, eq + 1,
				    10);
				have_list = true;
			} else if (eq && strncmp(w[i], "port=", 5) == 0) {
				req.port = (uint32_t)number(lineno, eq + 1,
				    10);
			} else if (eq && strncmp(w[i], "vn=", 3) == 0) {
				req.vn = (uint32_t)number(lineno, eq + 1, 10);
			} else if (eq && strncmp(w[i], "vid=", 4) == 0) {
				req.vid = (uint16_t)number(lineno, eq + 1,
				    10);
			} else if (eq && strncmp(w[i], "hints=", 6) == 0) {
				req.hints = (uint8_t)number(lineno, eq + 1,
				    16);
			} else if (eq && strncmp(w[i], "reason=", 7) == 0) {
				req.reason = (uint8_t)number(lineno, eq + 1,
				    10);
			} else {
				if (req.naddr == MAXLIST ||
				    parse_addr(w[i], &list[req.naddr]) < 0)
					die(lineno, "bad address");
				req.addr = list;
				req.naddr++;
				have_list = true;
			}
		}
		if (!have_list) {
			memcpy(list, t->addr, t->naddr * sizeof(list[0]));
			req.addr = list;
			req.naddr = t->naddr;
		}
		acts.n = 0;
		rc = nvo3_tsi_event(t, now, (enum nvo3_tsi_event)ev,
		    null_req ? NULL : &req, &acts);
		printf("%" PRIu64 "   = %s\n", now, errname(rc));
		print_acts(now, &acts);
		print_tsi(now, tsis[k].name, t);
	}
	return 0;
}
