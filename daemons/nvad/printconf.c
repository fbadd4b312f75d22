/*
 * printconf.c - struct nvad_conf -> canonical nvad.conf text ("nvad
 * -nv", the round trip in tests/unit/test_nvad_conf.c).
 *
 * Owns the canonical form: one statement per line; block contents
 * indented by one tab; every global setting first, defaults written out
 * (log-level only when set), each listen address with its port; the
 * store with the settings of its kind only; then the tenant blocks and
 * the coattach denies, then the nve blocks, each group in file order
 * after a blank line.  Sizes print with the largest of G, M and K that
 * divides them.  A VN list prints as ascending items, a run of two or
 * more consecutive VNs as A-B, at most VN_PER_LINE items per vn
 * statement.  Includes are already expanded: the output is one file.
 * Parsing the output gives the same configuration, and printing that
 * gives the same text.
 *
 * Thread: nvad's one thread (or nvad -nv).  Writes to the FILE it is
 * given and nowhere else.  Relies on: util/conf (quoting as the
 * tokenizer reads it back), util/log (level names).
 */
#include <stdio.h>

#include "nvad.h"
#include "util/conf.h"
#include "util/log.h"

#define VN_PER_LINE	8

static void
print_size(FILE *f, uint64_t v)
{
	static const struct {
		char		 suffix;
		unsigned	 shift;
	} unit[] = { { 'G', 30 }, { 'M', 20 }, { 'K', 10 } };

	for (unsigned i = 0; i < 3; i++) {
		if (v != 0 && v % (1ULL << unit[i].shift) == 0) {
			fprintf(f, "%llu%c",
			    (unsigned long long)(v >> unit[i].shift),
			    unit[i].suffix);
			return;
		}
	}
	fprintf(f, "%llu", (unsigned long long)v);
}

static void
print_vns(FILE *f, const uint32_t *vns, unsigned n)
{
	unsigned i = 0, j, items = 0;

	while (i < n) {
		for (j = i; j + 1 < n && vns[j + 1] == vns[j] + 1; j++)
			;
		if (items % VN_PER_LINE == 0)
			fprintf(f, "%s\tvn", items ? "\n" : "");
		if (j > i)
			fprintf(f, " %u-%u", vns[i], vns[j]);
		else
			fprintf(f, " %u", vns[i]);
		items++;
		i = j + 1;
	}
	if (items)
		fputc('\n', f);
}

static void
print_store(FILE *f, const struct nvad_conf *c)
{
	switch (c->store) {
	case NVAD_STORE_LMDB:
		fputs("store lmdb {\n\tpath ", f);
		conf_print_quoted(f, c->db);
		fputs("\n\tmap-size ", f);
		print_size(f, c->map_size);
		fprintf(f, "\n\tsync %s\n}\n", c->sync ? "yes" : "no");
		break;
	case NVAD_STORE_MEMORY:
		fputs("store memory\n", f);
		break;
	case NVAD_STORE_ETCD:
		fputs("store etcd {\n", f);
		for (unsigned i = 0; i < c->netcd; i++) {
			fputs("\tendpoint ", f);
			conf_print_quoted(f, c->etcd[i]);
			fputc('\n', f);
		}
		fputs("\tprefix ", f);
		conf_print_quoted(f, c->etcd_prefix);
		fprintf(f, "\n\ttimeout %u\n\tmax-txn-ops %u\n}\n",
		    c->etcd_timeout_ms, c->etcd_txn_ops);
		break;
	}
}

static void
print_globals(FILE *f, const struct nvad_conf *c)
{
	fputs("nva-name ", f);
	conf_print_word(f, c->name);
	fputc('\n', f);
	for (unsigned i = 0; i < c->nlisten; i++)
		fprintf(f, "listen %s port %u\n", c->listen[i].addr,
		    c->listen[i].port);
	fputs("tls {\n\tcert ", f);
	conf_print_quoted(f, c->cert);
	fputs("\n\tkey ", f);
	conf_print_quoted(f, c->key);
	fputs("\n\tca ", f);
	conf_print_quoted(f, c->ca);
	fputs("\n}\ncontrol ", f);
	conf_print_quoted(f, c->control);
	fputc('\n', f);
	if (c->metrics_addr[0] != '\0')
		fprintf(f, "metrics %s port %u\n", c->metrics_addr,
		    c->metrics_port);
	else
		fputs("metrics off\n", f);
	print_store(f, c);
	fprintf(f, "keepalive %u\n", c->keepalive_ms);
	fprintf(f, "duplicate-detection moves %u window %u\n", c->dup_moves,
	    c->dup_window_s);
	fprintf(f, "max-entries %llu\n", (unsigned long long)c->max_entries);
	fprintf(f, "max-sessions %u\n", c->max_sessions);
	fputs("session-queue ", f);
	print_size(f, c->session_wq_max);
	fprintf(f, "\nnve-policy %s\n", c->listed_only ? "listed" : "open");
	if (c->log_level >= 0)
		fprintf(f, "log-level %s\n",
		    log_level_name((enum log_level)c->log_level));
}

void
nvad_conf_print(const struct nvad_conf *c, FILE *f)
{
	unsigned i;

	print_globals(f, c);
	if (c->ntenants)
		fputc('\n', f);
	for (i = 0; i < c->ntenants; i++) {
		fputs("tenant ", f);
		conf_print_word(f, c->tenants[i].name);
		fputs(" {\n", f);
		print_vns(f, c->tenants[i].vns, c->tenants[i].nvns);
		fputs("}\n", f);
	}
	for (i = 0; i < c->ndenies; i++) {
		fputs("coattach deny ", f);
		conf_print_word(f, c->tenants[c->denies[i].a].name);
		fputc(' ', f);
		conf_print_word(f, c->tenants[c->denies[i].b].name);
		fputc('\n', f);
	}
	if (c->nnves)
		fputc('\n', f);
	for (i = 0; i < c->nnves; i++) {
		fputs("nve ", f);
		conf_print_word(f, c->nves[i].name);
		fputs(" {\n", f);
		print_vns(f, c->nves[i].vns, c->nves[i].nvns);
		fputs("}\n", f);
	}
}
