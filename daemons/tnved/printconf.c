/*
 * printconf.c - struct tnved_conf -> canonical tnved.conf text ("tnved
 * -nv", the round trip in tests/unit/test_tnved_conf.c).
 *
 * Owns the canonical form: one statement per line; block contents
 * indented by one tab; every global setting first (log-level only when
 * set), then the keys, the nve blocks and the vn blocks, each group in
 * file order after a blank line.  An nve block prints what it sets; a vn
 * block prints its NVE list on one line and its mode always.  The
 * manager id prints as IPv4 when it is v4-mapped, else as IPv6.
 * Includes are already expanded: the output is one file.  Parsing the
 * output gives the same configuration, and printing that gives the same
 * text.
 *
 * Thread: tnved's one thread (or tnved -nv).  Writes to the FILE it is
 * given and nowhere else.  Relies on: util/conf (quoting as the
 * tokenizer reads it back), ext/ext.h (extension names), util/hex (MACs,
 * secrets), util/log (level names).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "tnved.h"
#include "util/conf.h"
#include "util/hex.h"
#include "util/log.h"

static const uint8_t v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static void
print_caps(FILE *f, const char *indent, uint32_t caps)
{
	char buf[128];

	if (caps == NVO3_CAP_ALL)
		snprintf(buf, sizeof(buf), "all");
	else
		nvo3_caps_format(caps, buf, sizeof(buf));
	fprintf(f, "%sextensions %s\n", indent, buf);
}

static void
print_globals(FILE *f, const struct tnved_conf *c)
{
	char addr[INET6_ADDRSTRLEN];

	fputs("control ", f);
	conf_print_quoted(f, c->control);
	fputs("\nstate-dir ", f);
	conf_print_quoted(f, c->state_dir);
	fprintf(f, "\nstate-sync %s\n", c->state_sync ? "yes" : "no");
	if (c->log_level >= 0)
		fprintf(f, "log-level %s\n",
		    log_level_name((enum log_level)c->log_level));
	fprintf(f, "evb {\n\tretries %u\n\trte %u\n\trwd %u\n\trka %u\n}\n",
	    c->r, c->rte, c->rwd, c->rka);
	print_caps(f, "", c->caps);
	if (memcmp(c->mgrid, v4mapped, sizeof(v4mapped)) == 0)
		inet_ntop(AF_INET, c->mgrid + 12, addr, sizeof(addr));
	else
		inet_ntop(AF_INET6, c->mgrid, addr, sizeof(addr));
	fprintf(f, "manager-id %s\n", addr);
	fprintf(f, "vsi-type %u %u\n", c->type_id, c->type_ver);
	fprintf(f, "max-vms %u\n", c->max_vms);
	fprintf(f, "op-timeout %u\n", c->op_timeout_ms);
}

static void
print_nve(FILE *f, const struct tnved_nve_conf *n)
{
	char mac[18];

	fprintf(f, "nve %s {\n\tinterface ", n->name);
	conf_print_word(f, n->ifname);
	fputc('\n', f);
	if (n->peer_set)
		fprintf(f, "\tpeer %s\n", mac_fmt(n->peer, mac));
	if (n->key_id >= 0)
		fprintf(f, "\tkey %d\n", n->key_id);
	if (n->caps_set)
		print_caps(f, "\t", n->caps);
	fputs("}\n", f);
}

static void
print_vn(FILE *f, const struct tnved_vn_conf *v)
{
	fprintf(f, "vn %u {\n\tnve", v->vn);
	for (unsigned i = 0; i < v->nnves; i++)
		fprintf(f, " %s", v->nves[i]);
	fprintf(f, "\n\tmode %s\n}\n", tnved_vn_mode_names[v->mode]);
}

void
tnved_conf_print(FILE *f, const struct tnved_conf *c)
{
	char hex[2 * NVO3_KEY_MAX + 1];
	unsigned i;

	print_globals(f, c);
	if (c->nkeys)
		fputc('\n', f);
	for (i = 0; i < c->nkeys; i++) {
		hex_encode(c->keys[i].secret, c->keys[i].len, 0, hex,
		    sizeof(hex));
		fprintf(f, "key %u \"%s\"\n", c->keys[i].id, hex);
	}
	explicit_bzero(hex, sizeof(hex));
	if (c->nnves)
		fputc('\n', f);
	for (i = 0; i < c->nnves; i++)
		print_nve(f, &c->nves[i]);
	if (c->nvns)
		fputc('\n', f);
	for (i = 0; i < c->nvns; i++)
		print_vn(f, &c->vns[i]);
}
