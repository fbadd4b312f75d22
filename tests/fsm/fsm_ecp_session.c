/*
 * fsm_ecp_session.c - transcript driver for the ECP22 session
 * (lib/ecp/ecp_session.c).  Reads a script on stdin, prints a transcript
 * on stdout; tests/fsm/ecp_session/<name>.golden holds the expected one.
 *
 * The session under test is our port 02:00:00:00:00:01; the peer is
 * 02:00:00:00:00:02 unless a line says otherwise.  Script lines:
 *
 *   # text                      comment (copied to the transcript)
 *   +<us>                       advance time; ackTimer expiries that fall
 *                               due fire first, each at its own time
 *   config k=v ...              (re)start the session: r, rte, queue,
 *                               auto (0/1), pad (0/1), mode
 *                               (group|unicast|mcast), peer=MAC, mcast=MAC
 *   send <cookie> <hex>         the upper layer queues a ULPDU ("-": empty)
 *   ack <seq> [from=MAC]        the peer's ACK arrives
 *   pdu <seq> <hex> [from=MAC]  the peer's request arrives
 *   raw <hex>                   a whole frame arrives (any bytes)
 *   accept <seq> | reject <seq> the upper layer's verdict
 *   params <r> <rte>            EVB renegotiated R / RTE
 *   dst group | dst unicast MAC | dst mcast MAC
 *   show                        print the counters
 *
 * Transcript lines start with the time in microseconds: "> line" echoes an
 * event, then one line per action, then "= rc" when a call failed and a
 * status line "tx=STATE rx=STATE q=N next=T|never".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecp/ecp.h"
#include "util/hex.h"
#include "util/mtime.h"

static struct ecp_session s;
static struct ecp_session_cfg cfg;
static int started;
static uint64_t now;
static unsigned lineno;

static const uint8_t peer_default[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "line %u: ", lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static const char *
errname(int rc)
{
	switch (-rc) {
	case EINVAL: return "EINVAL";
	case ENOBUFS: return "ENOBUFS";
	case EMSGSIZE: return "EMSGSIZE";
	case ENOSPC: return "ENOSPC";
	case ENOENT: return "ENOENT";
	case EBADMSG: return "EBADMSG";
	case ENOMSG: return "ENOMSG";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case ENODATA: return "ENODATA";
	case EPROTO: return "EPROTO";
	}
	return "?";
}

static void
start(void)
{
	int rc;

	if (started)
		ecp_session_fini(&s);
	rc = ecp_session_init(&s, &cfg);
	if (rc < 0)
		die("config refused: %d", rc);
	started = 1;
}

static void
print_hex(const uint8_t *p, size_t n)
{
	char t[3 * 64 + 1];

	if (n > 32) {
		hex_encode(p, 32, 0, t, sizeof(t));
		printf("%s...(%zu)", t, n);
	} else {
		hex_encode(p, n, 0, t, sizeof(t));
		printf("%s", t);
	}
}

static void
print_actions(struct ecp_actions *out)
{
	char m[18];

	for (unsigned i = 0; i < out->n; i++) {
		struct ecp_action *a = &out->a[i];
		struct ecp_frame f;

		printf("%" PRIu64 " %s", now, ecp_act_names[a->type]);
		switch (a->type) {
		case ECP_ACT_SEND:
			/* Every frame we send must decode as what we meant. */
			if (ecp_frame_decode(a->data, a->len, &f, NULL) < 0 ||
			    f.seq != a->seq || f.op != a->op)
				die("session sent a bad frame");
			printf(" %s seq=%u", f.op == ECP_OP_ACK ? "ack" : "req",
			    f.seq);
			if (f.op == ECP_OP_REQ)
				printf(" try=%u", a->tries);
			printf(" dst=%s len=%zu", mac_fmt(f.dst, m), a->len);
			if (f.op == ECP_OP_REQ) {
				printf(" ulpdu=");
				print_hex(f.ulpdu, f.ulpdu_len);
			} else {
				printf(" frame=");
				print_hex(a->data, a->len);
			}
			break;
		case ECP_ACT_DELIVER:
			printf(" seq=%u from=%s ulpdu=", a->seq,
			    mac_fmt(a->peer, m));
			print_hex(a->data, a->len);
			break;
		case ECP_ACT_TX_DONE:
		case ECP_ACT_TX_ERROR:
			printf(" cookie=%" PRIu64 " seq=%u tries=%u", a->cookie,
			    a->seq, a->tries);
			break;
		case ECP_ACT_MAX:
			break;
		}
		putchar('\n');
	}
	out->n = 0;
}

static void
print_status(int rc)
{
	uint64_t d = ecp_session_next_deadline(&s);

	if (rc < 0)
		printf("%" PRIu64 " = %d %s\n", now, rc, errname(rc));
	printf("%" PRIu64 " tx=%s rx=%s q=%u next=", now,
	    ecp_tx_state_names[s.tx_state], ecp_rx_state_names[s.rx_state],
	    s.q_count);
	if (d == TIME_NEVER)
		printf("never\n");
	else
		printf("%" PRIu64 "\n", d);
}

static void
show(void)
{
	const struct ecp_counters *c = &s.ctr;

	printf("%" PRIu64 " counters tx_pdus=%" PRIu64 " tx_retrans=%" PRIu64
	    " tx_errors=%" PRIu64 " tx_acks=%" PRIu64 " rx_acks=%" PRIu64
	    " rx_stray_acks=%" PRIu64 " rx_pdus=%" PRIu64 " rx_dups=%" PRIu64
	    " rx_rejects=%" PRIu64 " rx_busy=%" PRIu64
	    " rx_other_subtype=%" PRIu64 " rx_decode_errors=%" PRIu64 "\n",
	    now, c->tx_pdus, c->tx_retrans, c->tx_errors, c->tx_acks,
	    c->rx_acks, c->rx_stray_acks, c->rx_pdus, c->rx_dups,
	    c->rx_rejects, c->rx_busy, c->rx_other_subtype,
	    c->rx_decode_errors);
	for (int i = 1; i < ECP_DERR_MAX; i++)
		if (c->rx_derr[i])
			printf("%" PRIu64 " counters derr %s=%" PRIu64 "\n",
			    now, ecp_derr_names[i], c->rx_derr[i]);
}

static void
advance(uint64_t to, struct ecp_actions *out)
{
	for (;;) {
		uint64_t d = ecp_session_next_deadline(&s);

		if (d == TIME_NEVER || d > to)
			break;
		now = d;
		printf("%" PRIu64 " timer\n", now);
		if (ecp_session_tick(&s, now, out) < 0)
			die("tick failed");
		print_actions(out);
		print_status(0);
	}
	now = to;
}

static unsigned long
num(const char *t)
{
	char *end;
	unsigned long v;

	if (t == NULL)
		die("missing number");
	errno = 0;
	v = strtoul(t, &end, 0);
	if (errno || *end)
		die("bad number '%s'", t);
	return v;
}

static void
mac(const char *t, uint8_t out[6])
{
	if (t == NULL || mac_parse(t, out) < 0)
		die("bad MAC '%s'", t ? t : "");
}

static size_t
hexarg(const char *t, uint8_t *out, size_t cap)
{
	long n;

	if (t == NULL)
		die("missing hex");
	if (strcmp(t, "-") == 0)	/* "-" stands for no octets */
		return 0;
	n = hex_decode(t, out, cap);
	if (n < 0)
		die("bad hex");
	return (size_t)n;
}

/* Optional trailing "from=MAC". */
static void
from_arg(char *t, uint8_t src[6])
{
	memcpy(src, peer_default, 6);
	if (t == NULL)
		return;
	if (strncmp(t, "from=", 5) != 0)
		die("unexpected '%s'", t);
	mac(t + 5, src);
}

/* A frame from the peer to the group address. */
static size_t
peer_frame(uint8_t *b, size_t cap, const uint8_t src[6], uint16_t seq,
    const uint8_t *u, size_t ulen)
{
	struct ecp_frame f;
	int n;

	memset(&f, 0, sizeof(f));
	memcpy(f.dst, ecp_mac_ncb, 6);
	memcpy(f.src, src, 6);
	f.version = ECP_VERSION;
	f.op = u ? ECP_OP_REQ : ECP_OP_ACK;
	f.subtype = s.cfg.subtype;
	f.seq = seq;
	f.ulpdu = u;
	f.ulpdu_len = ulen;
	n = ecp_frame_encode(b, cap, &f, 0);
	if (n < 0)
		die("cannot build the peer's frame: %d", n);
	return (size_t)n;
}

static void
defaults(void)
{
	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.local_mac, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(cfg.peer_mac, peer_default, 6);
	cfg.r = ECP_R_DEFAULT;
	cfg.rte = ECP_RTE_DEFAULT;
}

static void
config(char *save)
{
	char *t;

	defaults();
	while ((t = strtok_r(NULL, " \t", &save)) != NULL) {
		char *v = strchr(t, '=');

		if (v == NULL)
			die("config wants key=value, got '%s'", t);
		*v++ = '\0';
		if (strcmp(t, "r") == 0)
			cfg.r = (uint8_t)num(v);
		else if (strcmp(t, "rte") == 0)
			cfg.rte = (uint8_t)num(v);
		else if (strcmp(t, "queue") == 0)
			cfg.queue_len = (unsigned)num(v);
		else if (strcmp(t, "auto") == 0)
			cfg.auto_ack = num(v) != 0;
		else if (strcmp(t, "pad") == 0)
			cfg.pad = num(v) != 0;
		else if (strcmp(t, "peer") == 0)
			mac(v, cfg.peer_mac);
		else if (strcmp(t, "mcast") == 0)
			mac(v, cfg.mcast_mac);
		else if (strcmp(t, "mode") == 0) {
			int m;

			for (m = 0; m < ECP_DST_MAX; m++)
				if (strcmp(v, ecp_dst_mode_names[m]) == 0)
					break;
			if (m == ECP_DST_MAX)
				die("bad mode '%s'", v);
			cfg.dst_mode = m;
		} else
			die("unknown config key '%s'", t);
	}
	start();
}

static void
event(char *line, struct ecp_actions *out)
{
	static uint8_t buf[4096], frame[ECP_MAX_FRAME + 64];
	char *save, *cmd, *a1, *a2, *a3;
	uint8_t src[6];
	size_t n;
	int rc = 0;

	printf("%" PRIu64 " > %s\n", now, line);
	if (!started)
		start();
	if (strncmp(line, "raw ", 4) == 0) {
		/* The hex may contain spaces: take the rest of the line. */
		n = hexarg(line + 4, frame, sizeof(frame));
		rc = ecp_session_rx(&s, now, frame, n, out);
		print_actions(out);
		print_status(rc);
		return;
	}
	cmd = strtok_r(line, " \t", &save);
	if (cmd == NULL)
		die("empty event");
	if (strcmp(cmd, "config") == 0) {
		config(save);
		print_status(0);
		return;
	}
	a1 = strtok_r(NULL, " \t", &save);
	a2 = strtok_r(NULL, " \t", &save);
	a3 = strtok_r(NULL, " \t", &save);

	if (strcmp(cmd, "send") == 0) {
		n = hexarg(a2, buf, sizeof(buf));
		rc = ecp_session_enqueue(&s, now, buf, n, num(a1), out);
	} else if (strcmp(cmd, "ack") == 0) {
		from_arg(a2, src);
		n = peer_frame(frame, sizeof(frame), src, (uint16_t)num(a1),
		    NULL, 0);
		rc = ecp_session_rx(&s, now, frame, n, out);
	} else if (strcmp(cmd, "pdu") == 0) {
		from_arg(a3, src);
		n = hexarg(a2, buf, sizeof(buf));
		n = peer_frame(frame, sizeof(frame), src, (uint16_t)num(a1),
		    buf, n);
		rc = ecp_session_rx(&s, now, frame, n, out);
	} else if (strcmp(cmd, "accept") == 0) {
		rc = ecp_session_rx_accept(&s, now, (uint16_t)num(a1), out);
	} else if (strcmp(cmd, "reject") == 0) {
		rc = ecp_session_rx_reject(&s, now, (uint16_t)num(a1), out);
	} else if (strcmp(cmd, "params") == 0) {
		rc = ecp_session_set_params(&s, (uint8_t)num(a1),
		    (uint8_t)num(a2));
	} else if (strcmp(cmd, "dst") == 0) {
		if (a1 && strcmp(a1, "group") == 0)
			rc = ecp_session_set_dst(&s, ECP_DST_GROUP, NULL);
		else if (a1 && strcmp(a1, "unicast") == 0) {
			mac(a2, src);
			rc = ecp_session_set_dst(&s, ECP_DST_UNICAST, src);
		} else if (a1 && strcmp(a1, "mcast") == 0) {
			mac(a2, src);
			rc = ecp_session_set_dst(&s, ECP_DST_MCAST, src);
		} else
			die("dst group|unicast MAC|mcast MAC");
	} else if (strcmp(cmd, "show") == 0) {
		show();
		return;
	} else
		die("unknown event '%s'", cmd);
	print_actions(out);
	print_status(rc);
}

int
main(void)
{
	static char line[8192];
	struct ecp_actions out = { .n = 0 };

	setvbuf(stdout, NULL, _IOLBF, 0);
	defaults();
	while (fgets(line, sizeof(line), stdin) != NULL) {
		size_t len = strlen(line);

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
		    line[len - 1] == ' '))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (line[0] == '#') {
			printf("%s\n", line);
			continue;
		}
		if (line[0] == '+') {
			if (!started)
				start();
			advance(now + num(line + 1), &out);
			continue;
		}
		event(line, &out);
	}
	if (started)
		ecp_session_fini(&s);
	return 0;
}
