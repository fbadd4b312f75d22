/*
 * fuzz_tnved_conf.c - tnved's configuration parser and canonical printer
 * (daemons/tnved/parse.c, printconf.c, on lib/util/conf.c) on arbitrary
 * text.
 *
 * Input: configuration text (a NUL ends it early, as in a file).
 * Invariants, each an abort():
 *   - the parser returns 0 or a positive error count (never -errno for
 *     a string) and, on errors, leaves nothing allocated;
 *   - a configuration that parses has at least one nve, every vn lists
 *     1..TNVED_VN_NVES known nves in a mode that fits their number, and
 *     every key an nve names exists;
 *   - it prints a canonical form that parses without error and prints
 *     the same text again.
 * Inputs that mention "include" are skipped: an include reads whatever
 * file it names (a FIFO or a terminal would block the run).  Warnings
 * are filtered out by the log level, so the run stays quiet.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tnved.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
print_str(const struct tnved_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	tnved_conf_print(f, c);
	fclose(f);
	return buf;
}

/* What tnved.h promises of a configuration that parsed. */
static void
check(const struct tnved_conf *c)
{
	if (c->nnves == 0 || c->nnves > TNVED_MAX_NVES)
		abort();
	for (unsigned i = 0; i < c->nnves; i++) {
		const struct tnved_nve_conf *n = &c->nves[i];

		if (n->key_id >= 0 &&
		    tnved_conf_key(c, (uint16_t)n->key_id) == NULL)
			abort();
		for (unsigned j = 0; j < i; j++)
			if (strcmp(c->nves[j].ifname, n->ifname) == 0 &&
			    (!n->peer_set || !c->nves[j].peer_set ||
			    memcmp(n->peer, c->nves[j].peer, 6) == 0))
				abort();
	}
	for (unsigned i = 0; i < c->nvns; i++) {
		const struct tnved_vn_conf *v = &c->vns[i];

		if (v->nnves == 0 || v->nnves > TNVED_VN_NVES ||
		    (v->mode == TNVED_VN_SINGLE) != (v->nnves == 1))
			abort();
		for (unsigned j = 0; j < v->nnves; j++)
			if (tnved_conf_nve(c, v->nves[j]) == NULL)
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tnved_conf a, b;
	char *text, *out1, *out2;
	int rc;

	if (size > 65536)
		return 0;
	log_init("fuzz_tnved_conf", 0, LOG_LVL_ERR);
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strstr(text, "include") != NULL) {
		free(text);
		return 0;
	}
	rc = tnved_conf_parse_string(text, "fuzz", &a);
	free(text);
	if (rc < 0)
		abort();
	if (rc > 0) {
		if (a.nves != NULL || a.vns != NULL || a.keys != NULL ||
		    a.nnves + a.nvns + a.nkeys != 0)
			abort();
		return 0;
	}
	check(&a);
	out1 = print_str(&a);
	if (tnved_conf_parse_string(out1, "canonical", &b) != 0)
		abort();
	out2 = print_str(&b);
	if (strcmp(out1, out2) != 0)
		abort();
	free(out1);
	free(out2);
	tnved_conf_free(&a);
	tnved_conf_free(&b);
	return 0;
}
