/*
 * nnved.c - main of nnved, the External NVE's control-plane daemon: the
 * VDP bridge on the hypervisor-facing ports, with the RFC 8394 VN (VAP)
 * and TSI state machines, local tag allocation and the station policy.
 *
 * Owns struct nnved and its life: options, the config (parse.c; -n
 * checks it, -nv prints the canonical form), the tag spaces (one per
 * port, or per named bridged domain), the key table, the event loop
 * (lib/loop: SIGHUP reloads, SIGINT/SIGTERM stop), the timer heap
 * (timers.c), the ports (port.c), the control socket (control.c) and
 * the NVA client (nva.c, only with an nva block).
 * One thread.  State is soft: after a restart, the stations'
 * keep-alives re-announce every VSI and nnved rebuilds its tables.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nnved.h"
#include "util/log.h"
#include "util/mtime.h"

#ifndef SN_VERSION
#define SN_VERSION	"0.1.0"
#endif

static struct nnved nnved;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: nnved [-dhnVv] [-f FILE] [-s SOCKET] [-l LEVEL] [--syslog]\n"
"\n"
"The External NVE's control plane (RFC 8394): VDP22 bridge on the ports\n"
"named in the config, VN and TSI state machines, local VLAN tag\n"
"allocation, station and address policy.\n"
"\n"
"  -f, --config FILE    configuration file (default %s)\n"
"  -n, --check          check the configuration and exit (0 good, 1 bad)\n"
"  -v, --verbose        with -n: print the canonical configuration\n"
"  -s, --socket PATH    control socket (overrides the config)\n"
"  -l, --log-level LVL  err, warn, info (default) or debug\n"
"  -d, --debug          same as --log-level debug\n"
"      --syslog         log to syslog instead of standard error\n"
"  -V, --version        print the version and exit\n"
"  -h, --help           this text\n"
"\n"
"Signals: SIGHUP re-reads the configuration (policy, keys, limits, tag\n"
"ranges; port changes need a restart); SIGINT/SIGTERM stop.\n"
"See nnved(8), nnved.conf(5), nvectl(8).\n", NNVED_CONF_DEFAULT);
}

/* ---- set-up from the config -------------------------------------------- */

static struct nnved_domain *
domain_get(struct nnved *d, const char *name, uint16_t lo, uint16_t hi)
{
	struct nnved_domain *dom = vsi_domain_find(d, name);

	if (dom != NULL) {
		dom->nports++;
		return dom;
	}
	if ((dom = calloc(1, sizeof(*dom))) == NULL)
		return NULL;
	snprintf(dom->name, sizeof(dom->name), "%s", name);
	if (nvo3_tags_init(&dom->tags, lo, hi) < 0 ||
	    hmap_init(&dom->vaps, 64) < 0) {
		free(dom);
		return NULL;
	}
	dom->nports = 1;
	dom->next = d->domains;
	d->domains = dom;
	return dom;
}

static int
build_keys(const struct nnved_conf *c, struct nvo3_keytab **out)
{
	struct nvo3_keytab *kt = nvo3_keytab_new();
	int rc;

	if (kt == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < c->nkeys; i++)
		if ((rc = nvo3_keytab_set(kt, c->keys[i].id, c->keys[i].secret,
		    c->keys[i].len)) < 0) {
			log_warn("%s:%d: key %u: %s", c->path, c->keys[i].line,
			    c->keys[i].id, rc == -ENOSPC ? "too many keys" :
			    strerror(-rc));
			nvo3_keytab_free(kt);
			return rc;
		}
	*out = kt;
	return 0;
}

static int
setup(struct nnved *d)
{
	const struct nnved_conf *c = &d->conf;

	if (c->nports == 0) {
		log_err("%s: no port configured; nothing to serve", c->path);
		return -EINVAL;
	}
	if (build_keys(c, &d->keys) < 0)
		return -EINVAL;
	if (hmap_init(&d->vsis, 1024) < 0 || hmap_init(&d->addrs, 1024) < 0)
		return -ENOMEM;
	if ((d->ports = calloc(c->nports, sizeof(*d->ports))) == NULL)
		return -ENOMEM;
	d->nports = c->nports;
	for (unsigned i = 0; i < c->nports; i++) {
		struct nnved_port *p = &d->ports[i];
		const struct nnved_port_conf *pc = &c->ports[i];
		uint16_t lo, hi;

		p->d = d;
		p->index = i;
		p->conf = pc;
		snprintf(p->ifname, sizeof(p->ifname), "%s", pc->ifname);
		policy_vid_range(c, pc, &lo, &hi);
		p->dom = domain_get(d, pc->domain[0] ? pc->domain : pc->ifname,
		    lo, hi);
		if (p->dom == NULL)
			return -ENOMEM;
	}
	if (c->nstations == 0)
		log_warn("%s: no station rule: every station will be refused",
		    c->path);
	return 0;
}

/* ---- reload ----------------------------------------------------------- */

/* The nva blocks say the same (line numbers and authorize* aside). */
static bool
nva_conf_same(const struct nnved_nva_conf *a, const struct nnved_nva_conf *b)
{
	struct nnved_nva_conf x = *a, y = *b;

	x.line = y.line = 0;
	/* authorisation settings take effect on reload (vsi.c reads them) */
	x.authorize = y.authorize;
	x.authorize_timeout_ms = y.authorize_timeout_ms;
	x.authorize_fallback = y.authorize_fallback;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

int
nnved_reload(struct nnved *d)
{
	struct nnved_conf nc;
	struct nvo3_keytab *kt = NULL;
	struct nnved_domain *dom;
	int rc;

	log_info("re-reading %s", d->conf_path);
	if ((rc = nnved_conf_parse(d->conf_path, &nc)) != 0) {
		log_warn("%s: %s; keeping the running configuration",
		    d->conf_path, rc < 0 ? strerror(-rc) : "errors");
		return -EINVAL;
	}
	if (nc.nports != d->nports)
		log_warn("reload: ports added or removed; restart nnved to "
		    "apply that");
	for (unsigned i = 0; i < d->nports; i++) {
		const struct nnved_port_conf *pc =
		    policy_port(&nc, d->ports[i].ifname);

		if (pc == NULL)
			continue;
		if (strcmp(pc->domain, d->ports[i].conf->domain) != 0 ||
		    pc->ecp_dst != d->ports[i].conf->ecp_dst)
			log_warn("reload: %s: domain or ECP destination "
			    "changed; restart nnved to apply that",
			    pc->ifname);
	}
	if (!nva_conf_same(&nc.nva, &d->conf.nva))
		log_warn("reload: nva block changed; restart nnved to apply "
		    "that");
	if (build_keys(&nc, &kt) < 0) {
		nnved_conf_free(&nc);
		return -EINVAL;
	}
	/* commit: nothing below can fail */
	if (d->conf.control[0] && strcmp(nc.control, d->conf.control) != 0)
		log_warn("reload: control socket path changes at restart");
	snprintf(nc.control, sizeof(nc.control), "%s", d->conf.control);
	for (unsigned i = 0; i < d->nports; i++) {
		struct nnved_port *p = &d->ports[i];
		const struct nnved_port_conf *pc = policy_port(&nc, p->ifname);
		static const struct nnved_port_conf gone;

		/* a port removed from the file keeps serving, unmapped */
		p->conf = pc ? pc : &gone;
	}
	nnved_conf_free(&d->conf);
	d->conf = nc;
	nvo3_keytab_free(d->keys);
	d->keys = kt;
	for (dom = d->domains; dom != NULL; dom = dom->next) {
		uint16_t lo = d->conf.vid_lo, hi = d->conf.vid_hi;
		const struct nnved_domain_conf *dc =
		    policy_domain(&d->conf, dom->name);
		const struct nnved_port_conf *pc =
		    policy_port(&d->conf, dom->name);

		if (dc != NULL) {
			lo = dc->vid_lo;
			hi = dc->vid_hi;
		} else if (pc != NULL) {
			policy_vid_range(&d->conf, pc, &lo, &hi);
		}
		nvo3_tags_set_range(&dom->tags, lo, hi);
	}
	if (d->conf.log_level >= 0)
		log_set_level((enum log_level)d->conf.log_level);
	log_info("configuration reloaded");
	return 0;
}

/* ---- loop hooks ---------------------------------------------------------- */

static void
on_deadline(struct sn_deadline *dl, void *arg)
{
	struct nnved *d = arg;
	uint64_t now = mono_us();

	(void)dl;
	timer_run(d, now);
	/* the NVA timer's owner checks its own deadline (nva.c) */
	nnved_nva_timer(d, now);
	/*
	 * The flush check runs only after the next poll returns, which may
	 * be much later: send what the timers queued (an unsolicited
	 * De-Assoc, a withdrawal to the NVA) now.
	 */
	port_flush_all(d);
	nnved_nva_flush(d);
	timer_arm(d);
}

static void
on_reload(void *arg)
{
	nnved_reload(arg);
}

static void
on_stop(void *arg)
{
	struct nnved *d = arg;

	log_info("stopping: %zu VSIs, %u stations", hmap_count(&d->vsis),
	    d->nstations);
	ctl_close(d);
	port_close_all(d);	/* the NVA hears the withdrawals */
	nnved_nva_close(d);
	sn_deadline_close(&d->deadline);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "socket", required_argument, NULL, 's' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "debug", no_argument, NULL, 'd' },
		{ "syslog", no_argument, NULL, 1 },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct nnved *d = &nnved;
	const char *path = NNVED_CONF_DEFAULT, *sock = NULL;
	enum log_level level = LOG_LVL_INFO;
	bool check = false, verbose = false, level_set = false;
	int c, rc, use_syslog = 0;
	struct timespec wall;

	while ((c = getopt_long(argc, argv, "f:nvs:l:dVh", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'f': path = optarg; break;
		case 'n': check = true; break;
		case 'v': verbose = true; break;
		case 's': sock = optarg; break;
		case 'l':
			if (log_parse_level(optarg, &level) < 0) {
				fprintf(stderr, "nnved: unknown log level '%s' "
				    "(err, warn, info, debug)\n", optarg);
				return 2;
			}
			level_set = true;
			break;
		case 'd': level = LOG_LVL_DEBUG; level_set = true; break;
		case 1: use_syslog = 1; break;
		case 'V': printf("nnved %s\n", SN_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nnved: unexpected argument '%s'\n",
		    argv[optind]);
		usage(stderr);
		return 2;
	}
	log_init("nnved", check ? 0 : use_syslog, level);

	if ((rc = nnved_conf_parse(path, &d->conf)) != 0) {
		if (rc < 0)
			log_err("%s: %s", path, strerror(-rc));
		else
			log_err("%s: %d error%s", path, rc, rc == 1 ? "" : "s");
		return 1;
	}
	if (check) {
		if (verbose)
			nnved_conf_print(stdout, &d->conf);
		else
			fprintf(stderr, "%s: configuration OK\n", path);
		nnved_conf_free(&d->conf);
		return 0;
	}
	if (sock != NULL)
		snprintf(d->conf.control, sizeof(d->conf.control), "%s", sock);
	if (!level_set && d->conf.log_level >= 0)
		log_set_level((enum log_level)d->conf.log_level);
	d->conf_path = path;

	if ((rc = setup(d)) < 0)
		fatal("start-up: %s", strerror(-rc));
	clock_gettime(CLOCK_REALTIME, &wall);
	nvo3_counter_init(&d->auth_ctr, (uint64_t)wall.tv_sec * 1000000u +
	    (uint64_t)wall.tv_nsec / 1000u);
	if ((rc = sn_loop_init(&d->loop)) < 0)
		fatal("event loop: %s", uv_strerror(rc));
	d->loop.on_reload = on_reload;
	d->loop.on_stop = on_stop;
	d->loop.arg = d;
	if ((rc = sn_deadline_init(&d->loop, &d->deadline, on_deadline, d)) < 0)
		fatal("timer: %s", uv_strerror(rc));
	d->started = mono_us();
	if ((rc = ctl_open(d)) < 0)
		fatal("control socket %s: %s", d->conf.control, strerror(-rc));
	if ((rc = port_open_all(d)) < 0)
		fatal("no port could be opened");
	if ((rc = nnved_nva_open(d)) < 0)
		fatal("NVA client: %s", strerror(-rc));
	timer_arm(d);
	log_info("nnved %s: %u port%s, control socket %s", SN_VERSION,
	    d->nports, d->nports == 1 ? "" : "s", d->conf.control);
	sn_loop_run(&d->loop);
	sn_loop_close(&d->loop);

	/* tidy up so ASan's leak check sees real leaks only */
	while (d->domains != NULL) {
		struct nnved_domain *dom = d->domains;
		struct hmap_iter it;
		struct hnode *n;

		d->domains = dom->next;
		hmap_iter_init(&dom->vaps, &it);
		while ((n = hmap_iter_next(&dom->vaps, &it)) != NULL)
			free(HMAP_CONTAINER(n, struct nnved_vap, node));
		hmap_fini(&dom->vaps);
		free(dom);
	}
	hmap_fini(&d->vsis);
	hmap_fini(&d->addrs);
	sn_theap_free(&d->timers);
	free(d->ports);
	nvo3_keytab_free(d->keys);
	nnved_conf_free(&d->conf);
	log_info("stopped");
	return 0;
}
