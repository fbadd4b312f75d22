/*
 * ethinject.c - sends Ethernet frames given as hex on one port: the labs'
 * way to put malformed, truncated or forged frames on the wire (bad ECP
 * headers, wrong-length VDP TLVs, replayed PDUs) and check that a daemon
 * counts and survives them.
 *
 * One frame per argument, whole frame from the destination MAC on, no
 * FCS; frames shorter than 60 octets are sent as they are (veth does not
 * pad).  "-" reads one frame per line from standard input.  A test tool:
 * it refuses to run on an interface name it cannot open, and sends
 * nothing but what it is given.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/rawsock.h"
#include "util/hex.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: ethinject -i IFNAME [-c COUNT] HEXFRAME... | -\n"
	    "Sends each frame (hex, from the destination MAC on) COUNT times\n"
	    "(default 1) on IFNAME.\n");
}

static int
send_hex(struct rawsock *s, const char *hex, unsigned count)
{
	uint8_t buf[9216];
	long n;
	int rc;

	n = hex_decode(hex, buf, sizeof(buf));
	if (n < 14) {
		fprintf(stderr, "ethinject: bad frame '%.40s': %s\n", hex,
		    n < 0 ? "not hex" : "shorter than an Ethernet header");
		return -EINVAL;
	}
	for (unsigned i = 0; i < count; i++)
		if ((rc = rawsock_send(s, buf, (size_t)n)) < 0) {
			fprintf(stderr, "ethinject: send: %s\n", strerror(-rc));
			return rc;
		}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *ifname = NULL;
	unsigned long count = 1;
	struct rawsock s;
	char line[20000];
	int c, rc, bad = 0;

	while ((c = getopt(argc, argv, "i:c:h")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'c':
			count = strtoul(optarg, NULL, 10);
			if (count == 0 || count > 100000) {
				fprintf(stderr, "ethinject: -c 1..100000\n");
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (ifname == NULL || optind >= argc) {
		usage(stderr);
		return 2;
	}
	/* bound to the local experimental EtherType: we only send */
	if ((rc = rawsock_open(&s, ifname, 0x88b5)) < 0) {
		fprintf(stderr, "ethinject: %s: %s\n", ifname, strerror(-rc));
		return 2;
	}
	for (; optind < argc; optind++) {
		if (strcmp(argv[optind], "-") != 0) {
			bad |= send_hex(&s, argv[optind], (unsigned)count) < 0;
			continue;
		}
		while (fgets(line, sizeof(line), stdin) != NULL) {
			line[strcspn(line, "\r\n")] = '\0';
			if (line[0] != '\0' && line[0] != '#')
				bad |= send_hex(&s, line, (unsigned)count) < 0;
		}
	}
	rawsock_close(&s);
	return bad ? 1 : 0;
}
