/*
 * bench_codec.c - throughput of the pure codecs on lldpad's real frames.
 *
 * Prints, per codec, operations per second and nanoseconds per operation,
 * and the ratio against a reference measured in the same run: copying the
 * same octets with memcpy (the least any codec must do).  Bounded by count
 * (iterations), never by time; it never fails on speed.
 * Run: build/<dir>/bench/bench_codec [iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecp/ecp.h"
#include "lldp/lldp.h"
#include "util/hex.h"
#include "util/mtime.h"
#include "vdp/vdp.h"

/* lldpad's Associate (lldpad-interop.md 3.2) and LLDPDU (3.4). */
static const char assoc_hex[] =
    "01 80 c2 00 00 00 02 00 00 00 00 01 89 40 10 01"
    "00 01 0a 10 6d 67 72 31 00 00 00 00 00 00 00 00"
    "00 00 00 00 06 21 00 00 00 05 04 05 00 11 22 33"
    "44 55 66 77 88 99 aa bb cc dd ee ff 02 00 01 52"
    "54 00 11 22 33 00 64";
static const char lldp_hex[] =
    "01 80 c2 00 00 00 02 00 00 00 00 01 88 cc"
    "02 07 04 02 00 00 00 00 01 04 07 03 02 00 00 00 00 01"
    "06 02 00 78 fe 09 00 80 c2 0d 00 04 68 94 14 00 00";

static volatile uint64_t sink;

static double
per_sec(uint64_t n, uint64_t ns)
{
	return ns ? (double)n * 1e9 / (double)ns : 0;
}

int
main(int argc, char **argv)
{
	static struct vdp_pdu pdu;
	struct vdp_codec_opts o = { 0 };
	struct vdp_filter filters[4];
	struct ecp_frame f;
	struct lldp_pdu lp;
	uint8_t frame[128], lframe[128], out[1600], copy[128];
	long n = 2000000, flen, llen;
	uint64_t t0, t_copy, t_ecp, t_vdp, t_enc, t_lldp;
	enum vdp_err why;
	long bad = 0;

	if (argc > 1)
		n = strtol(argv[1], NULL, 10);
	if (n <= 0 || n > 100000000) {
		fprintf(stderr, "usage: bench_codec [iterations 1..1e8]\n");
		return 2;
	}
	flen = hex_decode(assoc_hex, frame, sizeof(frame));
	llen = hex_decode(lldp_hex, lframe, sizeof(lframe));
	if (flen < 0 || llen < 0 ||
	    ecp_frame_decode(frame, (size_t)flen, &f, NULL) < 0 ||
	    vdp_pdu_decode(f.ulpdu, f.ulpdu_len, &o, &pdu, &why) < 0) {
		fprintf(stderr, "bench_codec: golden frame does not decode\n");
		return 1;
	}
	/* The encoder reads entries from ->filters (decode leaves ->fdata). */
	for (unsigned i = 0; i < pdu.vsi[0].nfilter && i < 4; i++)
		vdp_filter_at(&pdu.vsi[0], i, &filters[i]);
	pdu.vsi[0].filters = filters;
	if (vdp_pdu_encode(&pdu, &o, out, sizeof(out)) != (int)f.ulpdu_len + 2 ||
	    memcmp(out, f.ulpdu, f.ulpdu_len) != 0) {
		fprintf(stderr, "bench_codec: re-encoding differs\n");
		return 1;
	}

	t0 = mono_ns();
	for (long i = 0; i < n; i++) {
		memcpy(copy, frame, (size_t)flen);
		sink += copy[i & 63];
	}
	t_copy = mono_ns() - t0;

	t0 = mono_ns();
	for (long i = 0; i < n; i++)
		sink += (uint64_t)ecp_frame_decode(frame, (size_t)flen, &f, NULL) + f.seq;
	t_ecp = mono_ns() - t0;

	t0 = mono_ns();
	for (long i = 0; i < n; i++)
		sink += (uint64_t)vdp_pdu_decode(f.ulpdu, f.ulpdu_len, &o, &pdu,
		    &why) + pdu.nvsi;
	t_vdp = mono_ns() - t0;

	pdu.vsi[0].filters = filters;	/* the decode loop cleared it */
	t0 = mono_ns();
	for (long i = 0; i < n; i++) {
		pdu.vsi[0].type_id = (uint32_t)i & 0xffff;	/* defeat caching */
		if (vdp_pdu_encode(&pdu, &o, out, sizeof(out)) !=
		    (int)f.ulpdu_len + 2)
			bad++;
		sink += out[40];
	}
	t_enc = mono_ns() - t0;

	t0 = mono_ns();
	for (long i = 0; i < n; i++)
		sink += (uint64_t)lldp_pdu_decode(lframe, (size_t)llen, &lp, NULL) +
		    lp.ttl;
	t_lldp = mono_ns() - t0;

	if (bad) {
		fprintf(stderr, "bench_codec: %ld encodes failed\n", bad);
		return 1;
	}
	printf("bench_codec: %ld iterations each (lldpad's frames)\n", n);
	printf("%-28s %14s %10s %14s\n", "operation", "ops/s", "ns/op",
	    "x memcpy time");
	printf("%-28s %14.0f %10.1f %14.2f\n", "memcpy 71 octets (ref)",
	    per_sec((uint64_t)n, t_copy), (double)t_copy / (double)n, 1.0);
#define ROW(name, t) printf("%-28s %14.0f %10.1f %14.2f\n", name, \
	per_sec((uint64_t)n, t), (double)(t) / (double)n, \
	t_copy ? (double)(t) / (double)t_copy : 0)
	ROW("ecp_frame_decode", t_ecp);
	ROW("vdp_pdu_decode (1 VSI)", t_vdp);
	ROW("vdp_pdu_encode (1 VSI)", t_enc);
	ROW("lldp_pdu_decode (EVB)", t_lldp);
	return 0;
}
