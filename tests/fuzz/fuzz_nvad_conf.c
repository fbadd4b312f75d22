/*
 * fuzz_nvad_conf.c - nvad's configuration parser and canonical printer
 * (daemons/nvad/parse.c, printconf.c, on lib/util/conf.c) on arbitrary
 * text.
 *
 * Input: configuration text (a NUL ends it early, as in a file).
 * Invariants, each an abort():
 *   - the parser returns 0 or a positive error count, and on errors the
 *     configuration holds no array at all;
 *   - a configuration that parses keeps nvad.h's promises: 1..8 distinct
 *     listeners, a complete tls block, 1..8 etcd endpoints when the store
 *     is etcd, names 1..NVA_NAME_MAX octets, nve and tenant names
 *     unique, VN lists sorted, unique and within 1..NVA_VN_MAX, every
 *     tenant with VNs and no VN in two tenants (nvad_conf_tenant_of
 *     agrees), denies between two distinct existing tenants, each pair
 *     once;
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

#include "nvad.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
print_str(const struct nvad_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	nvad_conf_print(c, f);
	fclose(f);
	return buf;
}

static void
check_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > NVA_NAME_MAX)
		abort();
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f)
			abort();
}

static void
check_vns(const uint32_t *vns, unsigned n)
{
	if ((vns == NULL) != (n == 0))
		abort();
	for (unsigned i = 0; i < n; i++)
		if (vns[i] < 1 || vns[i] > NVA_VN_MAX ||
		    (i > 0 && vns[i] <= vns[i - 1]))
			abort();
}

/* What nvad.h promises of a configuration that parsed. */
static void
check(const struct nvad_conf *c)
{
	unsigned i, j;

	check_name(c->name);
	if (c->nlisten < 1 || c->nlisten > 8)
		abort();
	for (i = 0; i < c->nlisten; i++)
		for (j = 0; j < i; j++)
			if (strcmp(c->listen[i].addr, c->listen[j].addr) == 0 &&
			    c->listen[i].port == c->listen[j].port)
				abort();
	if (c->cert[0] == '\0' || c->key[0] == '\0' || c->ca[0] == '\0')
		abort();
	if (c->store == NVAD_STORE_ETCD ? c->netcd < 1 || c->netcd > 8 :
	    c->netcd != 0)
		abort();
	if (c->keepalive_ms < 100 || c->dup_moves < 1 || c->dup_window_s < 1 ||
	    c->max_entries < 1 || c->max_sessions < 1 ||
	    c->session_wq_max < 65536)
		abort();
	for (i = 0; i < c->nnves; i++) {
		check_name(c->nves[i].name);
		check_vns(c->nves[i].vns, c->nves[i].nvns);
		if (nvad_conf_nve(c, c->nves[i].name) != &c->nves[i])
			abort();
	}
	for (i = 0; i < c->ntenants; i++) {
		const struct nvad_tenant *t = &c->tenants[i];

		check_name(t->name);
		check_vns(t->vns, t->nvns);
		if (t->nvns == 0)
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(c->tenants[j].name, t->name) == 0)
				abort();
		for (j = 0; j < t->nvns; j++)
			if (nvad_conf_tenant_of(c, t->vns[j]) != (int)i)
				abort();
	}
	for (i = 0; i < c->ndenies; i++) {
		const struct nvad_deny *d = &c->denies[i];

		if (d->a >= c->ntenants || d->b >= c->ntenants || d->a == d->b)
			abort();
		for (j = 0; j < i; j++)
			if ((c->denies[j].a == d->a && c->denies[j].b == d->b) ||
			    (c->denies[j].a == d->b && c->denies[j].b == d->a))
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvad_conf a, b;
	char *text, *out1, *out2;
	int rc;

	if (size > 65536)
		return 0;
	log_init("fuzz_nvad_conf", 0, LOG_LVL_ERR);
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (strstr(text, "include") != NULL) {
		free(text);
		return 0;
	}
	rc = nvad_conf_parse(&a, "fuzz", text, size);
	free(text);
	if (rc < 0)
		abort();
	if (rc > 0) {
		if (a.listen != NULL || a.etcd != NULL || a.nves != NULL ||
		    a.tenants != NULL || a.denies != NULL ||
		    a.nlisten + a.netcd + a.nnves + a.ntenants + a.ndenies != 0)
			abort();
		return 0;
	}
	check(&a);
	out1 = print_str(&a);
	if (nvad_conf_parse(&b, "canonical", out1, strlen(out1)) != 0)
		abort();
	out2 = print_str(&b);
	if (strcmp(out1, out2) != 0)
		abort();
	free(out1);
	free(out2);
	nvad_conf_free(&a);
	nvad_conf_free(&b);
	return 0;
}
