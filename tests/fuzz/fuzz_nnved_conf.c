/*
 * fuzz_nnved_conf.c - nnved's configuration parser and canonical printer
 * (daemons/nnved/parse.c, printconf.c) on arbitrary text.
 *
 * Input: configuration text (a NUL ends it early, as in a file).
 * Invariants, each an abort():
 *   - the parser returns 0 or a positive error count (never -errno for
 *     a string) and, on errors, leaves nothing allocated;
 *   - a configuration that parses prints a canonical form that parses
 *     without error and prints the same text again.
 * Inputs that mention "include" are skipped: an include reads whatever
 * file it names (a FIFO or a terminal would block the run).  Warnings
 * are filtered out by the log level, so the run stays quiet.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnved.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
print_str(const struct nnved_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	nnved_conf_print(f, c);
	fclose(f);
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nnved_conf a, b;
	char *text, *out1, *out2;
	int rc;

	if (size > 65536)
		return 0;
	log_init("fuzz_nnved_conf", 0, LOG_LVL_ERR);
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strstr(text, "include") != NULL) {
		free(text);
		return 0;
	}
	rc = nnved_conf_parse_string(text, "fuzz", &a);
	free(text);
	if (rc < 0)
		abort();
	if (rc > 0) {
		if (a.ports != NULL || a.stations != NULL || a.vns != NULL ||
		    a.keys != NULL || a.domains != NULL)
			abort();
		return 0;
	}
	out1 = print_str(&a);
	if (nnved_conf_parse_string(out1, "canonical", &b) != 0)
		abort();
	out2 = print_str(&b);
	if (strcmp(out1, out2) != 0)
		abort();
	free(out1);
	free(out2);
	nnved_conf_free(&a);
	nnved_conf_free(&b);
	return 0;
}
