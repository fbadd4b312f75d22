/*
 * nvad.c - main of nvad, the Network Virtualization Authority: the
 * directory of (VN, address) -> NVE that the NVEs report to, subscribe
 * to and ask (RFC 8014 section 7, RFC 8394, draft-ietf-nvo3-vmm).
 *
 * Owns struct nvad and its life: options, the config (parse.c; -n checks
 * it, -nv prints the canonical form), the store (LMDB by default, or
 * memory) and the directory loaded from it, the event loop (lib/loop:
 * SIGHUP reloads the policy, SIGINT/SIGTERM stop), then the NVE sessions
 * (session.c), the control socket (control.c) and the metrics endpoint
 * (metrics.c).  One thread (plus libmicrohttpd's, which only copies a
 * text the loop thread prepared).
 *
 * Start-up order matters: the directory is whole (loaded from the store)
 * before the first NVE is accepted, so a resync after a restart serves
 * exactly what was acknowledged before it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NVAD_DAEMON 1
#include "nvad.h"
#include "ctl/ctl.h"
#include "util/log.h"
#include "util/mtime.h"

#ifndef SN_VERSION
#define SN_VERSION	"0.1.0"
#endif

static struct nvad nvad;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: nvad [-dhnVv] [-f FILE] [-s SOCKET] [-l LEVEL] [--syslog]\n"
"\n"
"The Network Virtualization Authority: keeps the directory of\n"
"(VN, address) -> NVE with mobility sequence numbers, pushes changes to\n"
"the NVEs subscribed to a VN, answers queries, tells an NVE where an\n"
"address went, detects duplicates and audits ARP/ND caches.  NVEs reach\n"
"it over TCP with mutual TLS 1.3 (docs/nva-protocol.md).\n"
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
"Signals: SIGHUP re-reads the policy (nve blocks, tenants, co-attachment,\n"
"duplicate detection, limits, log level; listen, tls and store need a\n"
"restart); SIGINT/SIGTERM stop.  See nvad(8), nvad.conf(5), nvectl(8).\n",
	    NVAD_DEFAULT_CONF);
}

/* ---- the store and the directory -------------------------------------------- */

static int
load_one(void *arg, const struct nvad_rec *r)
{
	return dir_load_rec(arg, r);
}

static int
open_store(struct nvad *nd)
{
	uint64_t epoch = 0, rev = 0;
	char err[256];
	int rc;

	switch (nd->conf.store) {
	case NVAD_STORE_MEMORY:
		rc = nvad_store_mem_open(&nd->store);
		if (rc < 0)
			log_err("store memory: %s", strerror(-rc));
		else
			log_warn("store memory: the directory lives in memory "
			    "only and is lost when nvad stops");
		break;
	case NVAD_STORE_LMDB:
		rc = nvad_store_lmdb_open(&nd->store, nd->conf.db,
		    nd->conf.map_size, nd->conf.sync, err, sizeof(err));
		if (rc < 0)
			log_err("store lmdb %s: %s", nd->conf.db, err);
		break;
	case NVAD_STORE_ETCD:
	default:
		rc = nvad_store_etcd_open(&nd->store, &nd->conf, err,
		    sizeof(err));
		if (rc < 0)
			log_err("store etcd: %s", err);
		break;
	}
	if (rc < 0)
		return rc;
	if ((rc = dir_new(&nd->dir, &nd->conf)) < 0) {
		log_err("directory: %s", strerror(-rc));
		return rc;
	}
	if ((rc = nd->store->ops->load(nd->store, load_one, nd->dir)) < 0) {
		log_err("store %s: loading the directory failed: %s",
		    nd->store->ops->name, nd->store->err);
		return rc;
	}
	if ((rc = nd->store->ops->meta(nd->store, &epoch, &rev)) < 0) {
		log_err("store %s: %s", nd->store->ops->name, nd->store->err);
		return rc;
	}
	dir_set_epoch(nd->dir, epoch);
	dir_set_rev(nd->dir, rev);
	log_info("directory: %zu mapping%s, %u NVE%s, revision %llu, "
	    "epoch %016llx (store %s)", dir_count(nd->dir),
	    dir_count(nd->dir) == 1 ? "" : "s", dir_nve_count(nd->dir),
	    dir_nve_count(nd->dir) == 1 ? "" : "s", (unsigned long long)rev,
	    (unsigned long long)epoch, nd->store->ops->name);
	return 0;
}

/* ---- reload and stop ------------------------------------------------------- */

static void
on_reload(void *arg)
{
	struct nvad *nd = arg;
	struct nvad_conf nc;

	memset(&nc, 0, sizeof(nc));
	if (nvad_conf_load(&nc, nd->conf_path) != 0) {
		log_err("reload: %s has errors; keeping the running "
		    "configuration", nd->conf_path);
		nvad_conf_free(&nc);
		return;
	}
	/* what needs a restart stays as it is, said once */
	if (nc.store != nd->conf.store || strcmp(nc.db, nd->conf.db) != 0 ||
	    strcmp(nc.cert, nd->conf.cert) != 0 ||
	    strcmp(nc.key, nd->conf.key) != 0 ||
	    strcmp(nc.ca, nd->conf.ca) != 0 || nc.nlisten != nd->conf.nlisten)
		log_warn("reload: listen, tls and store changes take effect "
		    "at the next restart");
	/* keep the running ones of those */
	nc.store = nd->conf.store;
	snprintf(nc.db, sizeof(nc.db), "%s", nd->conf.db);
	snprintf(nc.control, sizeof(nc.control), "%s", nd->conf.control);
	{
		struct nvad_conf old = nd->conf;

		nd->conf = nc;
		dir_set_conf(nd->dir, &nd->conf);
		nvad_conf_free(&old);
	}
	if (nd->conf.log_level >= 0)
		log_set_level((enum log_level)nd->conf.log_level);
	log_info("reloaded %s: %u nve block%s, %u tenant%s, %u "
	    "co-attachment rule%s", nd->conf_path, nd->conf.nnves,
	    nd->conf.nnves == 1 ? "" : "s", nd->conf.ntenants,
	    nd->conf.ntenants == 1 ? "" : "s", nd->conf.ndenies,
	    nd->conf.ndenies == 1 ? "" : "s");
}

static void
on_stop(void *arg)
{
	struct nvad *nd = arg;

	log_info("stopping");
	nvad_metrics_stop(nd);
	nvad_control_close(nd);
	nvad_sessions_stop(nd);
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
		{ NULL, 0, NULL, 0 }
	};
	struct nvad *nd = &nvad;
	const char *path = NVAD_DEFAULT_CONF, *sock = NULL;
	enum log_level level = LOG_LVL_INFO;
	bool check = false, verbose = false, level_set = false;
	int c, rc, use_syslog = 0;

	while ((c = getopt_long(argc, argv, "f:nvs:l:dVh", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'f': path = optarg; break;
		case 'n': check = true; break;
		case 'v': verbose = true; break;
		case 's': sock = optarg; break;
		case 'l':
			if (log_parse_level(optarg, &level) < 0) {
				fprintf(stderr, "nvad: unknown log level '%s' "
				    "(err, warn, info, debug)\n", optarg);
				return 2;
			}
			level_set = true;
			break;
		case 'd': level = LOG_LVL_DEBUG; level_set = true; break;
		case 1: use_syslog = 1; break;
		case 'V': printf("nvad %s\n", SN_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nvad: unexpected argument '%s'\n",
		    argv[optind]);
		usage(stderr);
		return 2;
	}
	log_init("nvad", check ? 0 : use_syslog, level);

	if ((rc = nvad_conf_load(&nd->conf, path)) != 0) {
		if (rc < 0)
			log_err("%s: %s", path, strerror(-rc));
		else
			log_err("%s: %d error%s", path, rc, rc == 1 ? "" : "s");
		nvad_conf_free(&nd->conf);
		return 1;
	}
	if (check) {
		if (verbose)
			nvad_conf_print(&nd->conf, stdout);
		else
			fprintf(stderr, "%s: configuration OK\n", path);
		nvad_conf_free(&nd->conf);
		return 0;
	}
	if (sock != NULL)
		snprintf(nd->conf.control, sizeof(nd->conf.control), "%s",
		    sock);
	if (!level_set && nd->conf.log_level >= 0)
		log_set_level((enum log_level)nd->conf.log_level);
	nd->conf_path = path;

	if (open_store(nd) < 0)
		fatal("start-up failed: no directory");
	if ((rc = sn_loop_init(&nd->loop)) < 0)
		fatal("event loop: %s", uv_strerror(rc));
	nd->loop.on_reload = on_reload;
	nd->loop.on_stop = on_stop;
	nd->loop.arg = nd;
	nd->start_us = mono_us();
	if ((rc = nvad_control_open(nd)) < 0)
		fatal("control socket %s: %s", nd->conf.control, strerror(-rc));
	if ((rc = nvad_sessions_start(nd)) < 0)
		fatal("NVE sessions: %s", strerror(-rc));
	if ((rc = nvad_metrics_start(nd)) < 0)
		fatal("metrics: %s", strerror(-rc));
	log_info("nvad %s (%s): serving, control socket %s", SN_VERSION,
	    nd->conf.name, nd->conf.control);
	sn_loop_run(&nd->loop);
	sn_loop_close(&nd->loop);

	/* tidy up so ASan's leak check sees real leaks only */
	nvad_sessions_free(nd);
	if (nd->store != NULL)	/* a shared store closed at stop */
		nd->store->ops->close(nd->store);
	dir_free(nd->dir);
	nvad_conf_free(&nd->conf);
	log_info("stopped");
	return 0;
}
