/*
 * bench_vdpsta.c - a VDP22 station on the splitnve library that associates
 * N VSIs with a bridge (nnved) as fast as ECP lets it, then de-associates
 * them, and prints what it measured: associations per second, answer
 * latency percentiles, ECPDUs and VSI TLVs per ULPDU in both directions.
 *
 * One thread, one plain ppoll() loop over two AF_PACKET sockets (LLDP and
 * ECP) on one port.  It relies on lib/lldp (the agent in the station role,
 * offering NVO3_CAP_MULTI_TLV and NVO3_CAP_VNI_GROUPID), lib/ecp (one
 * session to the bridge, group destination, auto-ACK), lib/vdp (codec and
 * vdp_batch_plan/vdp_batch_fill) and lib/net/rawsock.  It keeps no VDP
 * station machine per VSI: it matches each response to its request by the
 * VSI ID (a UUID holding the VSI's index) and sends no keep-alives, so a
 * run must end within the bridge's keep-alive timeout.
 *
 * ECP is stop-and-wait: one ULPDU in flight per direction.  We keep one
 * more ULPDU queued in the session, so the session sends it the moment the
 * ACK of the previous one arrives.  A VSI's latency runs from the first
 * transmission of the ULPDU that carried its request to the arrival of the
 * ULPDU that carried its answer, whether the bridge packed answers or not.
 * --window W holds back new requests while W request ULPDUs still await
 * answers: W 1 measures the plain round trip, W 0 (the default) the rate
 * ECP alone allows, queueing included.
 *
 * Benchmarks print figures and never judge them.  Exit status: 0 the run
 * worked, 1 no bridge was heard or nothing was answered, 2 usage or
 * start-up error.
 */
#define _GNU_SOURCE		/* ppoll */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ecp/ecp.h"
#include "ext/nvo3_ext_codes.h"
#include "lldp/lldp.h"
#include "net/rawsock.h"
#include "util/hex.h"
#include "util/mtime.h"
#include "vdp/vdp.h"
#include "vdp/vdp_sm.h"

#define BENCH_MAX_N		1000000u
#define BENCH_TIMEOUT_MAX	60		/* seconds per phase */
#define BENCH_EVB_WAIT_US	(10 * USEC_PER_SEC)
#define BENCH_QUEUE_AHEAD	2		/* ULPDUs held in the session */

/* What became of one VSI in the current phase. */
enum vsi_state {
	VS_IDLE = 0,	/* not sent in this phase */
	VS_SENT,	/* request sent, no answer yet */
	VS_OK,		/* answered with success */
	VS_FAIL,	/* answered with an error */
	VS_LOST,	/* its ULPDU was never acknowledged (ECP gave up) */
};

struct phase {
	const char	*name;
	uint8_t		 mode;		/* VDP_TLV_ASSOC or VDP_TLV_DEASSOC */
	unsigned	 limit;		/* VSIs 0..limit-1 take part */
	unsigned	 next;		/* next VSI to pack */
	unsigned	 npdu;		/* request ULPDUs enqueued */
	unsigned	 outstanding;	/* request ULPDUs with TLVs unanswered */
	unsigned	 answered, ok, failed, lost, late, dups, stray;
	uint64_t	 tx_pdus, tx_retrans, tx_errors, tx_tlvs;
	uint64_t	 rx_pdus, rx_tlvs, rx_bad;
	uint64_t	 t_start, t_end;	/* ns */
	unsigned	 nlat;
	double		 p50, p90, p99, pmax;	/* latency, us */
	bool		 cut;		/* stopped by the time bound */
	unsigned	 fifo[BENCH_QUEUE_AHEAD + 1];	/* awaiting 1st SEND */
	unsigned	 fifo_head, fifo_count;
};

static struct {
	const char	*ifname;
	unsigned	 n;
	uint32_t	 vn;
	unsigned	 window;	/* ULPDUs awaiting answers; 0: no limit */
	unsigned	 hold_ms;
	unsigned	 timeout_s;
	bool		 json;
	bool		 single;
	struct rawsock	 lldp, ecp;
	struct lldp_agent agent;
	struct ecp_session ses;
	bool		 ses_up;
	uint8_t		 mgrid[VDP_MGRID_LEN];
	struct phase	*ph;		/* the phase running, or NULL */
	/* per VSI */
	uint8_t		*st;
	uint16_t	*vid;		/* VID the bridge assigned */
	uint32_t	*pdu_of;	/* request ULPDU that carried it */
	uint64_t	*lat;		/* answer latencies, ns, arrival order */
	/* per request ULPDU of the phase */
	uint64_t	*pdu_t0;	/* first transmission, ns */
	uint32_t	*pdu_first;	/* its first VSI */
	uint16_t	*pdu_left;	/* its VSIs still unanswered */
	uint64_t	 ecp_acks_tx;
	volatile sig_atomic_t stop;
} b;

/* VSI IDs are this prefix followed by the index in 4 octets. */
static const uint8_t uuid_prefix[12] = {
	0xbe, 0x4c, 0x00, 0x00, 0x00, 0x00, 0x4a, 0x00, 0x80, 0x00, 0x00, 0x00
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: bench_vdpsta -i IFNAME -n N [--vn VN] [--window W] [--hold MS]\n"
"                    [--timeout S] [--single] [--json]\n"
"\n"
"Associates N VSIs (UUID = index, filter format 4: GroupID VN, MAC\n"
"52:54:xx:xx:xx:xx from the index, VID 0) with the VDP bridge on IFNAME,\n"
"as many VSI TLVs per ULPDU as fit when the bridge agrees NVO3 multi-TLV,\n"
"then de-associates them, and prints rates and latencies.\n"
"\n"
"  -i, --interface IF  port to use (required)\n"
"  -n, --count N       VSIs to associate (1-%u, required)\n"
"      --vn VN         GroupID of every VSI (default 5000)\n"
"      --window W      most request ULPDUs awaiting answers (0: no limit,\n"
"                      only ECP's stop-and-wait; default 0)\n"
"      --hold MS       pause between the phases (default 0); the line\n"
"                      \"associated N\" goes to stdout before it\n"
"      --timeout S     time bound of each phase, 1-%d s (default %d)\n"
"      --single        do not offer multi-TLV: one VSI TLV per ULPDU\n"
"      --json          print the figures as one JSON object\n",
	    BENCH_MAX_N, BENCH_TIMEOUT_MAX, BENCH_TIMEOUT_MAX);
}

static int
parse_u(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	if (errno || *end || end == s || *out < lo || *out > hi)
		return -EINVAL;
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	b.stop = 1;
}

/* ---- LLDP ------------------------------------------------------------ */

static void
lldp_send(int acts)
{
	uint8_t buf[1500];
	int n, rc;

	if ((n = lldp_agent_tx_frame(&b.agent, acts, buf, sizeof(buf))) <= 0) {
		if (n < 0)
			fprintf(stderr, "bench_vdpsta: LLDP encode: %s\n",
			    strerror(-n));
		return;
	}
	if ((rc = rawsock_send(&b.lldp, buf, (size_t)n)) < 0)
		fprintf(stderr, "bench_vdpsta: LLDP send: %s\n", strerror(-rc));
}

/* ---- responses ------------------------------------------------------- */

static struct vdp_codec_opts
codec_opts(void)
{
	struct vdp_codec_opts o;

	memset(&o, 0, sizeof(o));
	o.group_ids = b.agent.oper.gid;
	o.vni_groupid = (b.agent.caps & NVO3_CAP_VNI_GROUPID) != 0;
	return o;
}

/* The index a VSI ID of ours carries, or -1. */
static long
vsi_index(const struct vdp_vsi_tlv *t)
{
	const uint8_t *u = t->vsiid;

	if (t->vsiid_fmt != VDP_VSIID_UUID ||
	    memcmp(u, uuid_prefix, sizeof(uuid_prefix)) != 0)
		return -1;
	return (long)((uint32_t)u[12] << 24 | (uint32_t)u[13] << 16 |
	    (uint32_t)u[14] << 8 | u[15]);
}

static void
pdu_answered(struct phase *ph, uint32_t p)
{
	if (b.pdu_left[p] > 0 && --b.pdu_left[p] == 0 && ph->outstanding > 0)
		ph->outstanding--;
}

/* One response TLV: find its request and judge it. */
static void
answer(struct phase *ph, const struct vdp_vsi_tlv *t, uint64_t now)
{
	struct vdp_filter f;
	long i = vsi_index(t);
	bool ok;

	if (i < 0 || (unsigned long)i >= ph->limit) {
		ph->stray++;
		return;
	}
	switch (b.st[i]) {
	case VS_SENT:
		pdu_answered(ph, b.pdu_of[i]);
		break;
	case VS_LOST:
		ph->lost--;
		ph->late++;
		break;
	case VS_OK:
	case VS_FAIL:
		ph->dups++;
		return;
	default:
		ph->stray++;
		return;
	}
	vdp_filter_at(t, 0, &f);
	ok = t->status == VDP_ST_RESPONSE && t->err == VDP_E_NONE &&
	    t->mode == ph->mode;
	if (ph->mode == VDP_TLV_ASSOC)
		ok = ok && t->nfilter >= 1 && f.vid != 0;
	b.st[i] = ok ? VS_OK : VS_FAIL;
	if (ok)
		ph->ok++;
	else
		ph->failed++;
	if (ph->mode == VDP_TLV_ASSOC)
		b.vid[i] = ok ? f.vid : 0;
	ph->answered++;
	b.lat[ph->nlat++] = now - b.pdu_t0[b.pdu_of[i]];
}

static void
deliver(const struct ecp_action *a, uint64_t now)
{
	static struct vdp_pdu pdu;
	struct vdp_codec_opts o = codec_opts();
	struct phase *ph = b.ph;

	if (ph == NULL)
		return;
	if (vdp_pdu_decode(a->data, a->len, &o, &pdu, NULL) < 0) {
		ph->rx_bad++;
		return;
	}
	ph->rx_pdus++;
	ph->rx_tlvs += pdu.nvsi;
	if (memcmp(pdu.mgrid, b.mgrid, VDP_MGRID_LEN) != 0) {
		ph->stray += pdu.nvsi;
		return;
	}
	for (unsigned k = 0; k < pdu.nvsi; k++)
		answer(ph, &pdu.vsi[k], now);
}

/* ECP gave up on request ULPDU p: its unanswered VSIs are lost. */
static void
pdu_lost(struct phase *ph, uint32_t p)
{
	uint32_t i, end;

	ph->tx_errors++;
	if (p >= ph->npdu || b.pdu_left[p] == 0)
		return;
	end = p + 1 < ph->npdu ? b.pdu_first[p + 1] : ph->next;
	for (i = b.pdu_first[p]; i < end; i++)
		if (b.st[i] == VS_SENT) {
			b.st[i] = VS_LOST;
			ph->lost++;
		}
	b.pdu_left[p] = 0;
	if (ph->outstanding > 0)
		ph->outstanding--;
}

/*
 * Carries out the actions of one session call: every SEND first (their
 * data lives in the session), then DELIVER (data in our receive buffer).
 */
static void
ecp_actions(struct ecp_actions *acts)
{
	struct phase *ph = b.ph;
	uint64_t now;
	int rc;

	for (unsigned k = 0; k < acts->n; k++) {
		struct ecp_action *a = &acts->a[k];

		switch (a->type) {
		case ECP_ACT_SEND:
			now = mono_ns();
			if ((rc = rawsock_send(&b.ecp, a->data, a->len)) < 0)
				fprintf(stderr, "bench_vdpsta: ECP send: %s\n",
				    strerror(-rc));
			if (a->op == ECP_OP_ACK) {
				b.ecp_acks_tx++;
				break;
			}
			if (ph == NULL)
				break;
			if (a->tries > 1) {
				ph->tx_retrans++;
				break;
			}
			ph->tx_pdus++;
			if (ph->fifo_count > 0) {
				b.pdu_t0[ph->fifo[ph->fifo_head]] = now;
				ph->fifo_head = (ph->fifo_head + 1) %
				    (BENCH_QUEUE_AHEAD + 1);
				ph->fifo_count--;
			}
			break;
		case ECP_ACT_TX_ERROR:
			if (ph != NULL)
				pdu_lost(ph, (uint32_t)a->cookie);
			break;
		default:
			break;
		}
	}
	now = mono_ns();
	for (unsigned k = 0; k < acts->n; k++)
		if (acts->a[k].type == ECP_ACT_DELIVER)
			deliver(&acts->a[k], now);
	acts->n = 0;
}

/* ---- requests -------------------------------------------------------- */

static void
make_tlv(const struct phase *ph, unsigned i, struct vdp_vsi_tlv *t,
    struct vdp_filter *f)
{
	memset(t, 0, sizeof(*t));
	memset(f, 0, sizeof(*f));
	t->mode = ph->mode;
	t->type_id = 1;
	t->type_ver = 1;
	t->vsiid_fmt = VDP_VSIID_UUID;
	memcpy(t->vsiid, uuid_prefix, sizeof(uuid_prefix));
	t->vsiid[12] = (uint8_t)(i >> 24);
	t->vsiid[13] = (uint8_t)(i >> 16);
	t->vsiid[14] = (uint8_t)(i >> 8);
	t->vsiid[15] = (uint8_t)i;
	t->ffmt = VDP_FIF_GROUP_MAC_VID;
	t->nfilter = 1;
	t->filters = f;
	f->group = b.vn;
	f->mac[0] = 0x52;
	f->mac[1] = 0x54;
	f->mac[2] = (uint8_t)(i >> 24);
	f->mac[3] = (uint8_t)(i >> 16);
	f->mac[4] = (uint8_t)(i >> 8);
	f->mac[5] = (uint8_t)i;
	f->vid = ph->mode == VDP_TLV_ASSOC ? 0 : b.vid[i];
}

/*
 * Packs the next ULPDU (as many VSIs as vdp_batch_plan puts in the first
 * one) and hands it to ECP.  Returns 0 or -errno.
 */
static int
send_next(struct phase *ph)
{
	static struct vdp_vsi_tlv tlv[VDP_MAX_VSI];
	static struct vdp_filter flt[VDP_MAX_VSI];
	static struct vdp_pdu pdu;
	struct vdp_batch_item items[VDP_MAX_VSI];
	struct vdp_ulpdu_plan plan[VDP_MAX_VSI];
	uint16_t order[VDP_MAX_VSI];
	struct vdp_codec_opts o = codec_opts();
	struct ecp_actions acts = { .n = 0 };
	uint8_t buf[VDP_MAX_ULPDU + 2];
	unsigned k, c, p = ph->npdu;
	int n, rc;

	k = ph->limit - ph->next;
	if (k > VDP_MAX_VSI)
		k = VDP_MAX_VSI;
	for (unsigned j = 0; j < k; j++) {
		make_tlv(ph, ph->next + j, &tlv[j], &flt[j]);
		items[j].mgrid = b.mgrid;
		items[j].tlv = &tlv[j];
		items[j].extra = 0;
	}
	rc = vdp_batch_plan(items, k, b.agent.caps, &o, order, plan,
	    VDP_MAX_VSI);
	if (rc < 0)
		return rc;
	if ((rc = vdp_batch_fill(items, k, order, &plan[0], &pdu)) < 0)
		return rc;
	if ((n = vdp_pdu_encode(&pdu, &o, buf, sizeof(buf))) < 0)
		return n;
	c = plan[0].count;
	rc = ecp_session_enqueue(&b.ses, mono_us(), buf, (size_t)n, p, &acts);
	if (rc < 0)
		return rc;
	b.pdu_first[p] = ph->next;
	b.pdu_left[p] = (uint16_t)c;
	b.pdu_t0[p] = 0;
	for (unsigned j = 0; j < c; j++) {
		b.st[ph->next + j] = VS_SENT;
		b.pdu_of[ph->next + j] = p;
	}
	ph->fifo[(ph->fifo_head + ph->fifo_count) % (BENCH_QUEUE_AHEAD + 1)] =
	    p;
	ph->fifo_count++;
	ph->next += c;
	ph->npdu++;
	ph->outstanding++;
	ph->tx_tlvs += c;
	ecp_actions(&acts);
	return 0;
}

static bool
can_send(const struct phase *ph)
{
	return ph != NULL && b.ses_up && ph->next < ph->limit &&
	    b.ses.q_count < BENCH_QUEUE_AHEAD &&
	    (b.window == 0 || ph->outstanding < b.window);
}

static bool
phase_done(const struct phase *ph)
{
	return ph->next >= ph->limit && ph->outstanding == 0;
}

/* ---- the loop -------------------------------------------------------- */

static void
recv_all(void)
{
	static uint8_t buf[2048];
	struct ecp_actions acts = { .n = 0 };
	ssize_t n;
	int rc;

	while ((n = rawsock_recv(&b.lldp, buf, sizeof(buf))) > 0)
		lldp_send(lldp_agent_rx(&b.agent, buf, (size_t)n, mono_us()));
	while ((n = rawsock_recv(&b.ecp, buf, sizeof(buf))) > 0) {
		if (!b.ses_up)
			continue;
		rc = ecp_session_rx(&b.ses, mono_us(), buf, (size_t)n, &acts);
		if (rc == -ENOSPC)
			fprintf(stderr, "bench_vdpsta: ECP actions full\n");
		ecp_actions(&acts);
	}
}

static void
tick(void)
{
	struct ecp_actions acts = { .n = 0 };
	uint64_t now = mono_us();

	if (lldp_agent_next(&b.agent) <= now)
		lldp_send(lldp_agent_tick(&b.agent, now));
	if (b.ses_up && ecp_session_next_deadline(&b.ses) <= now) {
		ecp_session_tick(&b.ses, now, &acts);
		ecp_actions(&acts);
	}
}

/*
 * Runs the loop until done() says so, the deadline (us) passes or a
 * signal arrives.  Returns true when done() ended it.
 */
static bool
run(bool (*done)(void), uint64_t deadline)
{
	struct pollfd pfd[2] = {
		{ .fd = b.lldp.fd, .events = POLLIN },
		{ .fd = b.ecp.fd, .events = POLLIN },
	};
	struct timespec ts;
	uint64_t now, d;
	int rc;

	for (;;) {
		tick();
		while (can_send(b.ph))
			if ((rc = send_next(b.ph)) < 0) {
				fprintf(stderr, "bench_vdpsta: cannot send: "
				    "%s\n", strerror(-rc));
				return false;
			}
		if (done())
			return true;
		now = mono_us();
		if (b.stop || now >= deadline)
			return false;
		d = deadline;
		if (lldp_agent_next(&b.agent) < d)
			d = lldp_agent_next(&b.agent);
		if (b.ses_up && ecp_session_next_deadline(&b.ses) < d)
			d = ecp_session_next_deadline(&b.ses);
		d = d > now ? d - now : 0;
		ts.tv_sec = (time_t)(d / USEC_PER_SEC);
		ts.tv_nsec = (long)(d % USEC_PER_SEC) * 1000;
		rc = ppoll(pfd, 2, &ts, NULL);
		if (rc < 0 && errno != EINTR) {
			perror("bench_vdpsta: ppoll");
			return false;
		}
		if (rc > 0)
			recv_all();
	}
}

static bool
peer_ready(void)
{
	return b.agent.oper.peer_ok;
}

static bool
never(void)
{
	return false;
}

static bool
cur_phase_done(void)
{
	return phase_done(b.ph);
}

static int
u64cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, c = *(const uint64_t *)y;

	return a < c ? -1 : a > c;
}

/* Percentile pct of the phase's sorted latencies, in microseconds. */
static double
pctl(const struct phase *ph, unsigned pct)
{
	if (ph->nlat == 0)
		return 0;
	return (double)b.lat[(size_t)(ph->nlat - 1) * pct / 100] / 1000.0;
}

static void
run_phase(struct phase *ph)
{
	b.ph = ph;
	ph->t_start = mono_ns();
	ph->cut = !run(cur_phase_done, mono_us() +
	    (uint64_t)b.timeout_s * USEC_PER_SEC);
	ph->t_end = mono_ns();
	/* answers still trickling in after a cut are not counted */
	b.ph = NULL;
	qsort(b.lat, ph->nlat, sizeof(b.lat[0]), u64cmp);
	ph->p50 = pctl(ph, 50);
	ph->p90 = pctl(ph, 90);
	ph->p99 = pctl(ph, 99);
	ph->pmax = pctl(ph, 100);
}

static double
secs(const struct phase *ph)
{
	return (double)(ph->t_end - ph->t_start) / 1e9;
}

static double
rate(const struct phase *ph)
{
	return secs(ph) > 0 ? ph->ok / secs(ph) : 0;
}

static double
per_pdu(uint64_t tlvs, uint64_t pdus)
{
	return pdus ? (double)tlvs / (double)pdus : 0;
}

static void
print_phase_text(const struct phase *ph)
{
	printf("%s: N %u sent %u answered %u ok %u failed %u lost %u%s\n",
	    ph->name, ph->limit, ph->next, ph->answered, ph->ok, ph->failed,
	    ph->lost, ph->cut ? " (CUT SHORT by the time bound)" : "");
	printf("  elapsed %.3f s, %.0f %ss/s\n", secs(ph), rate(ph),
	    ph->mode == VDP_TLV_ASSOC ? "association" : "de-association");
	printf("  latency us: p50 %.1f p90 %.1f p99 %.1f max %.1f\n",
	    ph->p50, ph->p90, ph->p99, ph->pmax);
	printf("  ECPDUs: tx %llu (retrans %llu, given up %llu) rx %llu "
	    "(undecodable %llu)\n", (unsigned long long)ph->tx_pdus,
	    (unsigned long long)ph->tx_retrans,
	    (unsigned long long)ph->tx_errors,
	    (unsigned long long)ph->rx_pdus, (unsigned long long)ph->rx_bad);
	printf("  VSI TLVs per ULPDU: tx %.1f rx %.1f; late %u dup %u "
	    "stray %u\n", per_pdu(ph->tx_tlvs, ph->npdu),
	    per_pdu(ph->rx_tlvs, ph->rx_pdus), ph->late, ph->dups, ph->stray);
}

static void
print_phase_json(const struct phase *ph)
{
	printf("\"%s\":{\"n\":%u,\"sent\":%u,\"answered\":%u,\"ok\":%u,"
	    "\"failed\":%u,\"lost\":%u,\"cut\":%s,\"elapsed_s\":%.6f,"
	    "\"per_s\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,"
	    "\"max_us\":%.1f,\"ecpdu_tx\":%llu,\"ecpdu_retrans\":%llu,"
	    "\"ecpdu_rx\":%llu,\"tlv_per_ulpdu_tx\":%.2f,"
	    "\"tlv_per_ulpdu_rx\":%.2f,\"late\":%u,\"dups\":%u,\"stray\":%u}",
	    ph->name, ph->limit, ph->next, ph->answered, ph->ok, ph->failed,
	    ph->lost, ph->cut ? "true" : "false", secs(ph), rate(ph),
	    ph->p50, ph->p90, ph->p99, ph->pmax,
	    (unsigned long long)ph->tx_pdus,
	    (unsigned long long)ph->tx_retrans,
	    (unsigned long long)ph->rx_pdus,
	    per_pdu(ph->tx_tlvs, ph->npdu), per_pdu(ph->rx_tlvs, ph->rx_pdus),
	    ph->late, ph->dups, ph->stray);
}

static int
setup(void)
{
	struct lldp_agent_config acfg;
	int rc;

	if ((rc = rawsock_open(&b.lldp, b.ifname, LLDP_ETHERTYPE)) < 0 ||
	    (rc = rawsock_open(&b.ecp, b.ifname, ETH_P_ECP22)) < 0) {
		fprintf(stderr, "bench_vdpsta: %s: %s\n", b.ifname,
		    strerror(-rc));
		return rc;
	}
	lldp_agent_config_default(&acfg, EVB_ROLE_STATION, b.lldp.mac);
	acfg.evb.gid = true;
	acfg.evb.caps = NVO3_CAP_VNI_GROUPID |
	    (b.single ? 0 : NVO3_CAP_MULTI_TLV);
	if ((rc = lldp_agent_init(&b.agent, &acfg)) < 0) {
		fprintf(stderr, "bench_vdpsta: LLDP agent: %s\n", strerror(-rc));
		return rc;
	}
	b.st = calloc(b.n, sizeof(*b.st));
	b.vid = calloc(b.n, sizeof(*b.vid));
	b.pdu_of = calloc(b.n, sizeof(*b.pdu_of));
	b.lat = calloc(b.n, sizeof(*b.lat));
	b.pdu_t0 = calloc(b.n, sizeof(*b.pdu_t0));
	b.pdu_first = calloc(b.n, sizeof(*b.pdu_first));
	b.pdu_left = calloc(b.n, sizeof(*b.pdu_left));
	if (!b.st || !b.vid || !b.pdu_of || !b.lat || !b.pdu_t0 ||
	    !b.pdu_first || !b.pdu_left) {
		fprintf(stderr, "bench_vdpsta: out of memory\n");
		return -ENOMEM;
	}
	memcpy(b.mgrid, "bench", 5);
	return 0;
}

static int
open_session(void)
{
	struct ecp_session_cfg cfg;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.local_mac, b.ecp.mac, ECP_MAC_LEN);
	memcpy(cfg.peer_mac, b.agent.peer.src, ECP_MAC_LEN);
	cfg.dst_mode = ECP_DST_GROUP;
	cfg.r = b.agent.oper.r;
	cfg.rte = b.agent.oper.rte;
	cfg.queue_len = BENCH_QUEUE_AHEAD;
	cfg.auto_ack = 1;
	if ((rc = ecp_session_init(&b.ses, &cfg)) < 0)
		return rc;
	b.ses_up = true;
	return 0;
}

static void
start_phase(struct phase *ph, const char *name, uint8_t mode, unsigned limit)
{
	memset(ph, 0, sizeof(*ph));
	ph->name = name;
	ph->mode = mode;
	ph->limit = limit;
	memset(b.st, VS_IDLE, b.n);
	run_phase(ph);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "vn", required_argument, NULL, 1 },
		{ "window", required_argument, NULL, 2 },
		{ "hold", required_argument, NULL, 3 },
		{ "timeout", required_argument, NULL, 4 },
		{ "single", no_argument, NULL, 5 },
		{ "json", no_argument, NULL, 6 },
		{ NULL, 0, NULL, 0 },
	};
	struct phase as, ds;
	struct sigaction sa;
	char m[18];
	unsigned long v;
	int c, rc;

	b.vn = 5000;
	b.timeout_s = BENCH_TIMEOUT_MAX;
	while ((c = getopt_long(argc, argv, "i:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': b.ifname = optarg; break;
		case 'n':
			if (parse_u(optarg, 1, BENCH_MAX_N, &v)) goto bad;
			b.n = (unsigned)v;
			break;
		case 'h': usage(stdout); return 0;
		case 1:
			if (parse_u(optarg, 1, 0xffffff, &v)) goto bad;
			b.vn = (uint32_t)v;
			break;
		case 2:
			if (parse_u(optarg, 0, 1u << 20, &v)) goto bad;
			b.window = (unsigned)v;
			break;
		case 3:
			if (parse_u(optarg, 0, 3600000, &v)) goto bad;
			b.hold_ms = (unsigned)v;
			break;
		case 4:
			if (parse_u(optarg, 1, BENCH_TIMEOUT_MAX, &v)) goto bad;
			b.timeout_s = (unsigned)v;
			break;
		case 5: b.single = true; break;
		case 6: b.json = true; break;
		default:
			usage(stderr);
			return 2;
		}
		continue;
bad:
		fprintf(stderr, "bench_vdpsta: invalid value '%s' (see "
		    "--help for the ranges)\n", optarg);
		return 2;
	}
	if (b.ifname == NULL || b.n == 0 || optind < argc) {
		usage(stderr);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (setup() < 0)
		return 2;

	lldp_send(lldp_agent_start(&b.agent, mono_us()));
	if (!run(peer_ready, mono_us() + BENCH_EVB_WAIT_US)) {
		fprintf(stderr, "bench_vdpsta: no bridge EVB TLV on %s within "
		    "10 s\n", b.ifname);
		return 1;
	}
	if ((rc = open_session()) < 0) {
		fprintf(stderr, "bench_vdpsta: ECP session: %s\n",
		    strerror(-rc));
		return 2;
	}
	if (!b.json)
		printf("bridge %s on %s: R %u RTE %u, GroupID %s, agreed NVO3 "
		    "caps 0x%02x (multi-TLV %s)\n", mac_fmt(b.agent.peer.src, m),
		    b.ifname, b.agent.oper.r, b.agent.oper.rte,
		    b.agent.oper.gid ? "yes" : "no", b.agent.caps,
		    b.agent.caps & NVO3_CAP_MULTI_TLV ? "yes" : "no");

	start_phase(&as, "associate", VDP_TLV_ASSOC, b.n);
	if (!b.json)
		print_phase_text(&as);
	printf("associated %u\n", as.ok);
	fflush(stdout);
	if (b.hold_ms > 0 && !b.stop)
		run(never, mono_us() + (uint64_t)b.hold_ms * USEC_PER_MSEC);

	/* every VSI sent gets a De-Associate, so the bridge ends empty */
	start_phase(&ds, "deassociate", VDP_TLV_DEASSOC, as.next);
	if (b.json) {
		printf("{\"interface\":\"%s\",\"caps\":%u,\"multi_tlv\":%s,",
		    b.ifname, b.agent.caps,
		    b.agent.caps & NVO3_CAP_MULTI_TLV ? "true" : "false");
		print_phase_json(&as);
		printf(",");
		print_phase_json(&ds);
		printf(",\"ecp_acks_tx\":%llu}\n",
		    (unsigned long long)b.ecp_acks_tx);
	} else {
		print_phase_text(&ds);
		printf("ECP ACKs sent: %llu\n",
		    (unsigned long long)b.ecp_acks_tx);
	}
	fflush(stdout);
	lldp_send(lldp_agent_stop(&b.agent, mono_us()));
	ecp_session_fini(&b.ses);
	rawsock_close(&b.lldp);
	rawsock_close(&b.ecp);
	free(b.st);
	free(b.vid);
	free(b.pdu_of);
	free(b.lat);
	free(b.pdu_t0);
	free(b.pdu_first);
	free(b.pdu_left);
	return as.answered > 0 ? 0 : 1;
}
