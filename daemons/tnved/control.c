/*
 * control.c - tnved's control socket: the commands nvectl(8) sends, on
 * the shared JSON-lines server of lib/ctl.
 *
 * Owns the command table and the "nves" and "counters" rows; the VM
 * commands are handed to vm.c, which answers when the NVEs have (so a
 * "vm start" reply means the TSIs are activated).  Runs in tnved's one
 * thread.  The request shapes are listed in tnved.h and docs/tnved.8.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "ctl/ctl.h"
#include "tnved.h"
#include "util/hex.h"
#include "util/log.h"
#include "util/mtime.h"

static void	cmd_show(struct ctl_req *, void *);
static void	cmd_vm_spec(struct ctl_req *, void *);
static void	cmd_vm_name(struct ctl_req *, void *);
static void	cmd_addr(struct ctl_req *, void *);
static void	cmd_reload(struct ctl_req *, void *);

#define ARG_NAME	{ "name", CTL_T_STRING, true, 0, 0 }
#define ARG_SPEC	{ "vm", CTL_T_OBJECT, true, 0, 0 }

static const struct ctl_cmd cmds[] = {
	{ "show", cmd_show, { { "table", CTL_T_STRING, true, 0, 0 } } },
	{ "vm-define", cmd_vm_spec, { ARG_SPEC } },
	{ "vm-incoming", cmd_vm_spec, { ARG_SPEC,
		{ "from", CTL_T_STRING, false, 0, 0 } } },
	{ "vm-cold-in", cmd_vm_spec, { ARG_SPEC } },
	{ "vm-start", cmd_vm_name, { ARG_NAME } },
	{ "vm-pause", cmd_vm_name, { ARG_NAME } },
	{ "vm-suspend", cmd_vm_name, { ARG_NAME } },
	{ "vm-resume", cmd_vm_name, { ARG_NAME } },
	{ "vm-shutdown", cmd_vm_name, { ARG_NAME } },
	{ "vm-destroy", cmd_vm_name, { ARG_NAME } },
	{ "vm-migrate", cmd_vm_name, { ARG_NAME,
		{ "to", CTL_T_STRING, false, 0, 0 } } },
	{ "vm-migrate-done", cmd_vm_name, { ARG_NAME } },
	{ "vm-migrate-abort", cmd_vm_name, { ARG_NAME } },
	{ "vm-cold-out", cmd_vm_name, { ARG_NAME } },
	{ "tsi-addr-add", cmd_addr, { ARG_NAME,
		{ "tsi", CTL_T_UINT, true, 0, TNVED_MAX_TSI - 1 },
		{ "addr", CTL_T_STRING, true, 0, 0 } } },
	{ "tsi-addr-del", cmd_addr, { ARG_NAME,
		{ "tsi", CTL_T_UINT, true, 0, TNVED_MAX_TSI - 1 },
		{ "addr", CTL_T_STRING, true, 0, 0 } } },
	{ "reload", cmd_reload, { { NULL, 0, false, 0, 0 } } },
};

/* "vm-start" -> NVO3_VMOP_START, ... */
static const struct {
	const char	*cmd;
	enum nvo3_vm_op	 op;
} vm_ops[] = {
	{ "vm-define", NVO3_VMOP_DEFINE },
	{ "vm-incoming", NVO3_VMOP_INCOMING },
	{ "vm-cold-in", NVO3_VMOP_COLD_IN },
	{ "vm-start", NVO3_VMOP_START },
	{ "vm-pause", NVO3_VMOP_PAUSE },
	{ "vm-suspend", NVO3_VMOP_SUSPEND },
	{ "vm-resume", NVO3_VMOP_RESUME },
	{ "vm-shutdown", NVO3_VMOP_SHUTDOWN },
	{ "vm-destroy", NVO3_VMOP_DESTROY },
	{ "vm-migrate", NVO3_VMOP_MIGRATE },
	{ "vm-migrate-done", NVO3_VMOP_MIGRATE_DONE },
	{ "vm-migrate-abort", NVO3_VMOP_MIGRATE_ABORT },
	{ "vm-cold-out", NVO3_VMOP_COLD_OUT },
};

static int
op_of(const struct ctl_req *r)
{
	const char *name = ctl_req_cmd(r)->name;

	for (size_t i = 0; i < sizeof(vm_ops) / sizeof(vm_ops[0]); i++)
		if (strcmp(vm_ops[i].cmd, name) == 0)
			return (int)vm_ops[i].op;
	return -1;
}

static void
cmd_vm_spec(struct ctl_req *r, void *arg)
{
	struct tnved *d = arg;

	vm_op_request(d, (enum nvo3_vm_op)op_of(r),
	    json_object_get(ctl_req_json(r), "vm"), r, mono_us());
}

static void
cmd_vm_name(struct ctl_req *r, void *arg)
{
	struct tnved *d = arg;
	const json_t *name = json_object_get(ctl_req_json(r), "name");

	if (op_of(r) == NVO3_VMOP_MIGRATE && ctl_req_str(r, "to") != NULL)
		log_info("VM %s: migrating to %s", json_string_value(name),
		    ctl_req_str(r, "to"));
	vm_op_request(d, (enum nvo3_vm_op)op_of(r), name, r, mono_us());
}

static void
cmd_addr(struct ctl_req *r, void *arg)
{
	struct tnved *d = arg;

	vm_addr_request(d, ctl_req_str(r, "name"),
	    (unsigned)ctl_req_int(r, "tsi", 0), ctl_req_str(r, "addr"),
	    strcmp(ctl_req_cmd(r)->name, "tsi-addr-add") == 0, r, mono_us());
}

static void
cmd_reload(struct ctl_req *r, void *arg)
{
	if (tnved_reload(arg) < 0)
		ctl_reply_error(r, "reload failed: the configuration has "
		    "errors or changes that need a restart (see the log); "
		    "the running one is kept");
	else
		ctl_reply_result(r, json_object());
}

/* ---- tables ----------------------------------------------------------- */

#define NCTR(f)	{ #f, offsetof(struct tnved_nve_counters, f) }
static const struct ctl_counter_field nve_ctrs[] = {
	NCTR(rx_frames), NCTR(rx_bad), NCTR(rx_pdus), NCTR(rx_bad_pdus),
	NCTR(rx_tlvs), NCTR(rx_unknown_vsi), NCTR(tx_frames),
	NCTR(tx_errors), NCTR(tx_giveups), NCTR(lldp_rx), NCTR(lldp_tx),
	NCTR(lldp_bad), NCTR(auth_ok), NCTR(auth_fail), NCTR(auth_replay),
	NCTR(auth_signed), NCTR(downs),
};

#define DCTR(f)	{ #f, offsetof(struct tnved_counters, f) }
static const struct ctl_counter_field d_ctrs[] = {
	DCTR(ops_ok), DCTR(ops_failed), DCTR(ops_refused), DCTR(ops_timeout),
	DCTR(tsi_nve_deassoc), DCTR(failovers), DCTR(addr_updates),
	DCTR(store_writes), DCTR(store_errors),
};

static json_t *
table_nves(struct tnved *d, uint64_t now)
{
	json_t *rows = json_array();

	for (unsigned i = 0; i < d->nnves; i++) {
		const struct tnved_nve *n = &d->nves[i];
		json_t *o = json_object();
		char m[18], caps[128];

		ctl_set_str(o, "name", n->name);
		ctl_set_str(o, "interface", n->ifname);
		ctl_set_str(o, "peer", n->peer_known ? mac_fmt(n->peer_mac, m) :
		    NULL);
		ctl_set_str(o, "health", tnved_nve_health_names[n->health]);
		ctl_set_str(o, "why", n->health == TNVED_NVE_DOWN ?
		    n->down_why : NULL);
		ctl_set_secs(o, "since", now, n->health_since);
		nvo3_caps_format(n->caps, caps, sizeof(caps));
		ctl_set_str(o, "caps", caps);
		ctl_set_bool(o, "auth", n->conf->key_id >= 0);
		ctl_set_int(o, "binds", n->nbinds);
		ctl_set_counters(o, &n->ctr, nve_ctrs,
		    sizeof(nve_ctrs) / sizeof(nve_ctrs[0]));
		json_array_append_new(rows, o);
	}
	return rows;
}

static json_t *
table_counters(struct tnved *d)
{
	json_t *o = json_object();

	ctl_set_int(o, "vms", d->nvms);
	ctl_set_int(o, "binds", hmap_count(&d->binds));
	ctl_set_counters(o, &d->ctr, d_ctrs,
	    sizeof(d_ctrs) / sizeof(d_ctrs[0]));
	if (d->fo.took_us != 0 || d->fo.pending != 0) {
		ctl_set_str(o, "failover_from", d->fo.from);
		ctl_set_str(o, "failover_to", d->fo.to);
		ctl_set_int(o, "failover_tsis", d->fo.moved);
		ctl_set_int(o, "failover_pending", d->fo.pending);
		ctl_set_int(o, "failover_ms", d->fo.took_us / 1000);
	}
	return json_pack("[o]", o);
}

static void
cmd_show(struct ctl_req *r, void *arg)
{
	struct tnved *d = arg;
	const char *t = ctl_req_str(r, "table");
	uint64_t now = mono_us();

	if (strcmp(t, "vms") == 0)
		ctl_reply_rows(r, vm_table_vms(d, now));
	else if (strcmp(t, "tsis") == 0)
		ctl_reply_rows(r, vm_table_tsis(d, now));
	else if (strcmp(t, "nves") == 0)
		ctl_reply_rows(r, table_nves(d, now));
	else if (strcmp(t, "counters") == 0)
		ctl_reply_rows(r, table_counters(d));
	else
		ctl_reply_error(r, "show: unknown table \"%.64s\" (valid: vms, "
		    "tsis, nves, counters)", t);
}

int
ctl_open(struct tnved *d)
{
	return ctl_server_open(&d->ctl, &d->loop.uv, d->conf.control, cmds,
	    sizeof(cmds) / sizeof(cmds[0]), d);
}

void
ctl_close(struct tnved *d)
{
	ctl_server_close(d->ctl);
	d->ctl = NULL;
}
