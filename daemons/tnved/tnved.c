/*
 * tnved.c - main of tnved, the hypervisor's control-plane daemon: the VDP
 * station that tells the External NVE(s) about the VMs of this host,
 * driven by the VM lifecycle (RFC 8394 section 2).
 *
 * Owns struct tnved and its life: options, the config (parse.c; -n
 * checks it, -nv prints the canonical form), the key table, the event
 * loop (lib/loop: SIGHUP reloads, SIGINT/SIGTERM stop), the one timer
 * heap (util/theap) and its dispatch by kind, the per-turn flush of the
 * NVE uplinks, then the uplinks (nve.c), the VM registry restored from
 * the state directory (vm.c, store.c) and the control socket
 * (control.c).  One thread.
 *
 * Restart: VMs and the tags their NVEs gave them are in the state
 * directory; at start-up every VSI is requested again in the mode its VM
 * holds, which an NVE that still knows it takes as a keep-alive, so no
 * VM notices.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tnved.h"
#include "util/log.h"
#include "util/mtime.h"

#ifndef SN_VERSION
#define SN_VERSION	"0.1.0"
#endif

static struct tnved tnved;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: tnved [-dhnVv] [-f FILE] [-s SOCKET] [-S DIR] [-l LEVEL] [--syslog]\n"
"\n"
"The hypervisor's side of the Split-NVE control plane (RFC 8394): follows\n"
"each VM's lifecycle and associates, activates, deactivates and\n"
"de-associates its TSIs at the External NVE(s) with VDP22 over ECP22.\n"
"\n"
"  -f, --config FILE    configuration file (default %s)\n"
"  -n, --check          check the configuration and exit (0 good, 1 bad)\n"
"  -v, --verbose        with -n: print the canonical configuration\n"
"  -s, --socket PATH    control socket (overrides the config)\n"
"  -S, --state-dir DIR  state directory (overrides the config)\n"
"  -l, --log-level LVL  err, warn, info (default) or debug\n"
"  -d, --debug          same as --log-level debug\n"
"      --syslog         log to syslog instead of standard error\n"
"  -V, --version        print the version and exit\n"
"  -h, --help           this text\n"
"\n"
"Signals: SIGHUP re-reads the configuration (keys, VN to NVE mapping,\n"
"limits; NVE uplinks need a restart); SIGINT/SIGTERM stop without\n"
"de-associating anything (a restart re-announces every VSI).\n"
"See tnved(8), tnved.conf(5), nvectl(8).\n", TNVED_CONF_DEFAULT);
}

/* ---- timers --------------------------------------------------------------- */

void
tnved_timer_set(struct tnved *d, struct sn_timer *t, uint64_t at)
{
	static struct log_rl rl;

	if (sn_theap_set(&d->timers, t, at) < 0)
		log_rl(&rl, mono_us(), LOG_LVL_ERR, "timer heap: %s",
		    strerror(ENOMEM));
}

static void
timers_run(struct tnved *d, uint64_t now)
{
	unsigned budget = 65536;	/* the rest runs on the next turn */
	struct sn_timer *t;

	while (budget-- > 0 && (t = sn_theap_pop_due(&d->timers, now)) != NULL) {
		switch (t->kind) {
		case TNVED_T_BIND:
			vm_bind_timer(HMAP_CONTAINER(t, struct tnved_bind,
			    timer), now);
			break;
		case TNVED_T_NVE_LLDP:
			nve_lldp_timer(HMAP_CONTAINER(t, struct tnved_nve,
			    lldp_timer), now);
			break;
		case TNVED_T_NVE_ECP:
			nve_ecp_timer(HMAP_CONTAINER(t, struct tnved_nve,
			    ecp_timer), now);
			break;
		case TNVED_T_OP: {
			struct tnved_op *op = HMAP_CONTAINER(t,
			    struct tnved_op, timer);

			vm_op_timer(op->vm, now);
			break;
		}
		default:
			break;
		}
	}
}

static void
on_deadline(struct sn_deadline *dl, void *arg)
{
	struct tnved *d = arg;

	(void)dl;
	timers_run(d, mono_us());
	/*
	 * The check handle runs only after the next poll returns, which may
	 * be much later: send what the timers queued (keep-alives) now.
	 */
	vm_turn(d, mono_us());
	nve_flush_all(d);
	sn_deadline_set(&d->deadline, sn_theap_first(&d->timers));
}

/* After every loop turn: send what the turn packed, re-arm the timer. */
static void
on_check(uv_check_t *h)
{
	struct tnved *d = h->data;

	vm_turn(d, mono_us());
	nve_flush_all(d);
	sn_deadline_set(&d->deadline, sn_theap_first(&d->timers));
}

/* ---- keys and reload ---------------------------------------------------- */

static int
build_keys(const struct tnved_conf *c, struct nvo3_keytab **out)
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

int
tnved_reload(struct tnved *d)
{
	struct tnved_conf nc;
	struct nvo3_keytab *kt = NULL;
	int rc;

	log_info("re-reading %s", d->conf_path);
	if ((rc = tnved_conf_parse(d->conf_path, &nc)) != 0) {
		log_warn("%s: %s; keeping the running configuration",
		    d->conf_path, rc < 0 ? strerror(-rc) : "errors");
		return -EINVAL;
	}
	if (nc.nnves != d->nnves) {
		log_warn("reload: NVEs added or removed; restart tnved to "
		    "apply that; keeping the running configuration");
		tnved_conf_free(&nc);
		return -EINVAL;
	}
	for (unsigned i = 0; i < d->nnves; i++) {
		const struct tnved_nve_conf *a = &d->nves[i].conf[0];
		const struct tnved_nve_conf *b = tnved_conf_nve(&nc, a->name);

		if (b == NULL || strcmp(a->ifname, b->ifname) != 0) {
			log_warn("reload: nve %s renamed or moved to another "
			    "interface; restart tnved to apply that; keeping "
			    "the running configuration", a->name);
			tnved_conf_free(&nc);
			return -EINVAL;
		}
	}
	if (build_keys(&nc, &kt) < 0) {
		tnved_conf_free(&nc);
		return -EINVAL;
	}
	/* commit: nothing below can fail */
	snprintf(nc.control, sizeof(nc.control), "%s", d->conf.control);
	snprintf(nc.state_dir, sizeof(nc.state_dir), "%s", d->conf.state_dir);
	for (unsigned i = 0; i < d->nnves; i++)
		d->nves[i].conf = tnved_conf_nve(&nc, d->nves[i].name);
	tnved_conf_free(&d->conf);
	d->conf = nc;
	nvo3_keytab_free(d->keys);
	d->keys = kt;
	if (d->conf.log_level >= 0)
		log_set_level((enum log_level)d->conf.log_level);
	log_info("configuration reloaded");
	return 0;
}

/* ---- loop hooks ---------------------------------------------------------- */

static void
on_reload(void *arg)
{
	tnved_reload(arg);
}

static void
on_stop(void *arg)
{
	struct tnved *d = arg;

	d->stopping = true;
	log_info("stopping: %u VMs kept in %s", d->nvms, d->state_dir);
	ctl_close(d);
	nve_flush_all(d);
	nve_close_all(d);
	uv_check_stop(&d->flush);
	uv_close((uv_handle_t *)&d->flush, NULL);
	sn_deadline_close(&d->deadline);
}

static int
setup(struct tnved *d)
{
	const struct tnved_conf *c = &d->conf;

	if (build_keys(c, &d->keys) < 0)
		return -EINVAL;
	if (hmap_init(&d->vms, 1024) < 0 || hmap_init(&d->binds, 1024) < 0 ||
	    hmap_init(&d->addrs, 1024) < 0)
		return -ENOMEM;
	if ((d->nves = calloc(c->nnves, sizeof(*d->nves))) == NULL)
		return -ENOMEM;
	d->nnves = c->nnves;
	for (unsigned i = 0; i < c->nnves; i++) {
		struct tnved_nve *n = &d->nves[i];

		n->d = d;
		n->index = i;
		n->conf = &c->nves[i];
		snprintf(n->name, sizeof(n->name), "%s", c->nves[i].name);
		snprintf(n->ifname, sizeof(n->ifname), "%s",
		    c->nves[i].ifname);
	}
	sn_theap_init(&d->timers);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "debug", no_argument, NULL, 'd' },
		{ "syslog", no_argument, NULL, 1 },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tnved *d = &tnved;
	const char *path = TNVED_CONF_DEFAULT, *sock = NULL, *sdir = NULL;
	enum log_level level = LOG_LVL_INFO;
	bool check = false, verbose = false, level_set = false;
	int c, rc, use_syslog = 0;
	struct timespec wall;

	while ((c = getopt_long(argc, argv, "f:nvs:S:l:dVh", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'f': path = optarg; break;
		case 'n': check = true; break;
		case 'v': verbose = true; break;
		case 's': sock = optarg; break;
		case 'S': sdir = optarg; break;
		case 'l':
			if (log_parse_level(optarg, &level) < 0) {
				fprintf(stderr, "tnved: unknown log level '%s' "
				    "(err, warn, info, debug)\n", optarg);
				return 2;
			}
			level_set = true;
			break;
		case 'd': level = LOG_LVL_DEBUG; level_set = true; break;
		case 1: use_syslog = 1; break;
		case 'V': printf("tnved %s\n", SN_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tnved: unexpected argument '%s'\n",
		    argv[optind]);
		usage(stderr);
		return 2;
	}
	log_init("tnved", check ? 0 : use_syslog, level);

	if ((rc = tnved_conf_parse(path, &d->conf)) != 0) {
		if (rc < 0)
			log_err("%s: %s", path, strerror(-rc));
		else
			log_err("%s: %d error%s", path, rc, rc == 1 ? "" : "s");
		return 1;
	}
	if (check) {
		if (verbose)
			tnved_conf_print(stdout, &d->conf);
		else
			fprintf(stderr, "%s: configuration OK\n", path);
		tnved_conf_free(&d->conf);
		return 0;
	}
	if (sock != NULL)
		snprintf(d->conf.control, sizeof(d->conf.control), "%s", sock);
	if (sdir != NULL)
		snprintf(d->conf.state_dir, sizeof(d->conf.state_dir), "%s",
		    sdir);
	d->state_dir = d->conf.state_dir;
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
	uv_check_init(&d->loop.uv, &d->flush);
	d->flush.data = d;
	uv_check_start(&d->flush, on_check);
	d->started = mono_us();
	if ((rc = ctl_open(d)) < 0)
		fatal("control socket %s: %s", d->conf.control, strerror(-rc));
	if ((rc = nve_open_all(d)) < 0)
		fatal("no NVE uplink could be opened");
	if ((rc = vm_restore(d, mono_us())) < 0)
		fatal("state directory %s: %s", d->state_dir, strerror(-rc));
	log_info("tnved %s: %u NVE%s, %u VM%s restored, control socket %s",
	    SN_VERSION, d->nnves, d->nnves == 1 ? "" : "s", d->nvms,
	    d->nvms == 1 ? "" : "s", d->conf.control);
	sn_loop_run(&d->loop);
	sn_loop_close(&d->loop);

	/* tidy up so ASan's leak check sees real leaks only */
	vm_free_all(d);
	hmap_fini(&d->vms);
	hmap_fini(&d->binds);
	hmap_fini(&d->addrs);
	sn_theap_free(&d->timers);
	free(d->nves);
	nvo3_keytab_free(d->keys);
	tnved_conf_free(&d->conf);
	log_info("stopped");
	return 0;
}
