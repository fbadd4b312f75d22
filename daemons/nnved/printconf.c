/*
 * printconf.c - struct nnved_conf -> canonical nnved.conf text ("nnved
 * -nv", tests/config/nnved goldens).
 *
 * Owns the canonical form: one statement per line; block contents
 * indented by one tab; global settings first, all of them printed
 * (control, log-level only when set, evb, extensions, vids, max-vsi,
 * max-stations), then the domains, ports, keys, stations and VN blocks,
 * each group in file order after a blank line, and last the nva block;
 * inside a block only what differs from the defaults, and one prefix per
 * "allow", one VN per "vn" and one address per "underlay" line.  Includes are already expanded: the output is one file.
 * Parsing the output gives the same configuration, and printing that
 * gives the same text (tests/unit/test_nnved_conf.c checks both).
 *
 * Thread: nnved's one thread (or nnved -nv).  Writes to the FILE it is
 * given and nowhere else.  Relies on: ext/ext.h (extension names),
 * util/hex.h (MACs, secrets), util/log.h (level names).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "nnved.h"
#include "util/conf.h"
#include "util/hex.h"
#include "util/log.h"

static void
print_prefix(FILE *f, const struct nnved_prefix *pf)
{
	char buf[INET6_ADDRSTRLEN];

	switch (pf->family) {
	case 0:
		fprintf(f, "mac %s/%u", mac_fmt(pf->addr, buf), pf->len);
		break;
	case 4:
		inet_ntop(AF_INET, pf->addr, buf, sizeof(buf));
		fprintf(f, "%s/%u", buf, pf->len);
		break;
	default:
		inet_ntop(AF_INET6, pf->addr, buf, sizeof(buf));
		fprintf(f, "%s/%u", buf, pf->len);
		break;
	}
}

static void
print_globals(FILE *f, const struct nnved_conf *c)
{
	char caps[128];

	fputs("control ", f);
	conf_print_quoted(f, c->control);
	fputc('\n', f);
	if (c->log_level >= 0)
		fprintf(f, "log-level %s\n",
		    log_level_name((enum log_level)c->log_level));
	fprintf(f, "evb retries %u rte %u rwd %u rka %u\n", c->r, c->rte,
	    c->rwd, c->rka);
	if (c->caps == NVO3_CAP_ALL)
		snprintf(caps, sizeof(caps), "all");
	else
		nvo3_caps_format(c->caps, caps, sizeof(caps));
	fprintf(f, "extensions %s\n", caps);
	fprintf(f, "vids %u-%u\n", c->vid_lo, c->vid_hi);
	fprintf(f, "max-vsi %u\n", c->max_vsi);
	fprintf(f, "max-stations %u\n", c->max_stations);
}

static void
print_port(FILE *f, const struct nnved_port_conf *p)
{
	char mac[18];

	fputs("port ", f);
	conf_print_word(f, p->ifname);
	fputs(" {\n", f);
	if (p->domain[0] != '\0') {
		fputs("\tdomain ", f);
		conf_print_word(f, p->domain);
		fputc('\n', f);
	}
	if (p->vid_lo != 0)
		fprintf(f, "\tvids %u-%u\n", p->vid_lo, p->vid_hi);
	if (p->ecp_dst == ECP_DST_UNICAST)
		fputs("\tecp-destination unicast\n", f);
	else if (p->ecp_dst == ECP_DST_MCAST)
		fprintf(f, "\tecp-destination multicast %s\n",
		    mac_fmt(p->mcast, mac));
	if (p->default_vn != 0)
		fprintf(f, "\tdefault-vn %u\n", p->default_vn);
	for (unsigned i = 0; i < p->nvlans; i++)
		fprintf(f, "\tvlan %u vn %u\n", p->vlans[i].vid,
		    p->vlans[i].vn);
	fputs("}\n", f);
}

static void
print_station(FILE *f, const struct nnved_station_conf *s)
{
	char mac[18];

	if (s->any)
		fputs("station any {\n", f);
	else
		fprintf(f, "station %s {\n", mac_fmt(s->mac, mac));
	if (s->port[0] != '\0') {
		fputs("\tport ", f);
		conf_print_word(f, s->port);
		fputc('\n', f);
	}
	if (s->key_id >= 0)
		fprintf(f, "\tkey %d\n", s->key_id);
	if (s->vn_any)
		fputs("\tvn any\n", f);
	for (unsigned i = 0; i < s->nvns; i++)
		fprintf(f, "\tvn %u\n", s->vns[i]);
	fputs("}\n", f);
}

static void
print_vn(FILE *f, const struct nnved_vn_conf *v)
{
	fprintf(f, "vn %u {\n", v->vn);
	if (v->context != 0)
		fprintf(f, "\tcontext %u\n", v->context);
	for (unsigned i = 0; i < v->nallow; i++) {
		fputs("\tallow ", f);
		print_prefix(f, &v->allow[i]);
		fputc('\n', f);
	}
	fputs("}\n", f);
}

static void
print_ip(FILE *f, const struct nnved_ip *ip)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->addr, buf,
	    sizeof(buf));
	fputs(buf, f);
}

static void
print_nva(FILE *f, const struct nnved_nva_conf *n)
{
	fputs("nva {\n", f);
	for (unsigned i = 0; i < n->nserver; i++) {
		fputs("\tserver ", f);
		print_ip(f, &n->server[i].ip);
		if (n->server[i].port != NNVED_NVA_PORT_DEFAULT)
			fprintf(f, " port %u", n->server[i].port);
		fputc('\n', f);
	}
	if (n->server_name[0] != '\0') {
		fputs("\tserver-name ", f);
		conf_print_word(f, n->server_name);
		fputc('\n', f);
	}
	fputs("\ttls {\n\t\tcert ", f);
	conf_print_quoted(f, n->cert);
	fputs("\n\t\tkey ", f);
	conf_print_quoted(f, n->key);
	fputs("\n\t\tca ", f);
	conf_print_quoted(f, n->ca);
	fputs("\n\t}\n", f);
	for (unsigned i = 0; i < n->nunderlay; i++) {
		fputs("\tunderlay ", f);
		print_ip(f, &n->underlay[i]);
		fputc('\n', f);
	}
	if (n->keepalive_ms != 0)
		fprintf(f, "\tkeepalive %u\n", n->keepalive_ms);
	if (n->retry_min_ms != NNVED_NVA_RETRY_MIN_DEFAULT ||
	    n->retry_max_ms != NNVED_NVA_RETRY_MAX_DEFAULT)
		fprintf(f, "\tretry %u %u\n", n->retry_min_ms,
		    n->retry_max_ms);
	if (n->authorize)
		fputs("\tauthorize yes\n", f);
	if (n->authorize_timeout_ms != NNVED_AUTH_TIMEOUT_DEFAULT)
		fprintf(f, "\tauthorize-timeout %u\n",
		    n->authorize_timeout_ms);
	if (n->authorize_fallback == NNVED_AUTH_FALLBACK_REFUSE)
		fputs("\tauthorize-fallback refuse\n", f);
	fputs("}\n", f);
}

void
nnved_conf_print(FILE *f, const struct nnved_conf *c)
{
	char hex[2 * NVO3_KEY_MAX + 1];
	unsigned i;

	print_globals(f, c);
	if (c->ndomains)
		fputc('\n', f);
	for (i = 0; i < c->ndomains; i++) {
		fputs("domain ", f);
		conf_print_word(f, c->domains[i].name);
		fputs(" {\n", f);
		if (c->domains[i].vid_lo != 0)
			fprintf(f, "\tvids %u-%u\n", c->domains[i].vid_lo,
			    c->domains[i].vid_hi);
		fputs("}\n", f);
	}
	if (c->nports)
		fputc('\n', f);
	for (i = 0; i < c->nports; i++)
		print_port(f, &c->ports[i]);
	if (c->nkeys)
		fputc('\n', f);
	for (i = 0; i < c->nkeys; i++) {
		hex_encode(c->keys[i].secret, c->keys[i].len, 0, hex,
		    sizeof(hex));
		fprintf(f, "key %u \"%s\"\n", c->keys[i].id, hex);
	}
	explicit_bzero(hex, sizeof(hex));
	if (c->nstations)
		fputc('\n', f);
	for (i = 0; i < c->nstations; i++)
		print_station(f, &c->stations[i]);
	if (c->nvns)
		fputc('\n', f);
	for (i = 0; i < c->nvns; i++)
		print_vn(f, &c->vns[i]);
	if (c->nva.present) {
		fputc('\n', f);
		print_nva(f, &c->nva);
	}
}
