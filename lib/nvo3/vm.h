/*
 * vm.h - the hypervisor side of RFC 8394 section 2: a VM's lifecycle
 * (RFC 7666 vmState) and what each operation asks of the External NVE.
 *
 * Pure: no I/O, no clock, no allocation.  tnved asks nvo3_vm_plan() what
 * an operation means for a VM in a given state; the plan says which VDP
 * request to send for every TSI of the VM (with which M/S hint and which
 * migration reason), what the VM's state is while the NVE answers, and
 * where the VM ends on success and on failure.  tnved runs the exchange
 * (daemons/tnved/vm.c) and applies the outcome.  The table is drawn in
 * vm.c and replayed by tests/fsm/nvo3_vm.
 *
 * Operations and their VDP request (RFC 8394 section 2, seed):
 *   define       new VM, shutdown      Pre-Assoc       reason create
 *   start        shutdown -> running   Assoc           reason create
 *   pause        running -> paused     none (no change on the NVE)
 *   suspend      running|paused -> suspended  Pre-Assoc (deactivate) pause
 *   resume       paused -> running     none
 *                suspended -> running  Assoc           reason resume
 *   shutdown     running|paused|suspended -> shutdown  De-Assoc shutdown
 *   destroy      any but migrating -> (removed)  De-Assoc shutdown, or
 *                none when nothing is held
 *   migrate      running|paused -> migrating (source, out)  none
 *   migrate-done migrating out -> (removed)  De-Assoc S   reason mig-out
 *   migrate-abort migrating out -> running   none
 *                migrating in -> (removed)   De-Assoc M   reason mig-abort
 *   incoming     new VM -> migrating (destination, in)  Pre-Assoc M
 *                                                     reason mig-in-prepare
 *   start        migrating in -> running   Assoc M    reason mig-in-activate
 *   cold-out     shutdown|running|paused|suspended -> (removed)
 *                                          De-Assoc S  reason mig-out
 *   cold-in      new VM -> shutdown, arrived   Pre-Assoc M  mig-in-prepare
 *   start        shutdown and arrived -> running  Assoc M  mig-in-activate
 *   reannounce   any state: the request that state holds (restart)
 *
 * "the VM is never running in both places": the destination reports
 * running only once its Associate is confirmed; the source stays
 * migrating until told migrate-done.
 */
#ifndef SPLITNVE_NVO3_VM_H
#define SPLITNVE_NVO3_VM_H

#include <stdbool.h>
#include <stdint.h>

/* RFC 7666 vmState values tnved uses (other/unknown left out). */
enum nvo3_vm_state {
	NVO3_VM_NONE,		/* not defined (before define, after remove) */
	NVO3_VM_PREPARING,	/* define or incoming: NVE not answered yet */
	NVO3_VM_SHUTDOWN,
	NVO3_VM_RUNNING,
	NVO3_VM_PAUSED,
	NVO3_VM_SUSPENDED,
	NVO3_VM_MIGRATING,
	NVO3_VM__COUNT
};
extern const char *const nvo3_vm_state_names[NVO3_VM__COUNT];

/* Which way a migrating VM goes (NVO3_VM_MIGRATING only). */
enum nvo3_vm_dir {
	NVO3_VM_DIR_NONE,
	NVO3_VM_DIR_OUT,	/* source: the VM is leaving */
	NVO3_VM_DIR_IN,		/* destination: the VM is arriving */
};
extern const char *const nvo3_vm_dir_names[3];

enum nvo3_vm_op {
	NVO3_VMOP_DEFINE,
	NVO3_VMOP_START,
	NVO3_VMOP_PAUSE,
	NVO3_VMOP_SUSPEND,
	NVO3_VMOP_RESUME,
	NVO3_VMOP_SHUTDOWN,
	NVO3_VMOP_DESTROY,
	NVO3_VMOP_MIGRATE,		/* source: live migration begins */
	NVO3_VMOP_MIGRATE_DONE,		/* source: destination runs it */
	NVO3_VMOP_MIGRATE_ABORT,	/* either side rolls back */
	NVO3_VMOP_INCOMING,		/* destination: live migration */
	NVO3_VMOP_COLD_OUT,		/* source: cold migration */
	NVO3_VMOP_COLD_IN,		/* destination: cold migration */
	NVO3_VMOP_REANNOUNCE,		/* restart: send what is held */
	NVO3_VMOP__COUNT
};
extern const char *const nvo3_vm_op_names[NVO3_VMOP__COUNT];

/* What a VM holds at its NVE(s): the mode its TSIs were confirmed in. */
enum nvo3_vm_hold {
	NVO3_HOLD_NONE,		/* nothing (never associated, de-associated) */
	NVO3_HOLD_ASSOCIATED,	/* Pre-Assoc confirmed: TSI Associated */
	NVO3_HOLD_ACTIVATED,	/* Assoc confirmed: TSI Activated */
};
extern const char *const nvo3_vm_hold_names[3];

/* The VM as the planner sees it. */
struct nvo3_vm_view {
	enum nvo3_vm_state state;
	enum nvo3_vm_dir dir;
	enum nvo3_vm_hold hold;
	bool		arrived;	/* cold-in, not started since */
};

struct nvo3_vm_plan {
	/*
	 * The VDP request every TSI of the VM gets: VDP_TLV_PREASSOC,
	 * VDP_TLV_ASSOC, VDP_TLV_DEASSOC, or 0 (no exchange: the outcome
	 * applies at once).
	 */
	uint8_t		mode;
	uint8_t		hints;		/* VDP_ST_MBIT / VDP_ST_SBIT */
	uint8_t		reason;		/* enum nvo3_reason */
	/* shown while the NVE answers */
	enum nvo3_vm_state during;
	enum nvo3_vm_dir during_dir;
	/* success: the VM's new view; state NONE = remove the VM */
	struct nvo3_vm_view ok;
	/*
	 * failure (a TSI refused, timed out, or its NVE is gone): the view
	 * the VM goes back to (state NONE = remove), and the request that
	 * undoes what the TSIs that did succeed now hold (0: nothing to
	 * undo, e.g. a De-Assoc cannot be undone and never fails).
	 */
	struct nvo3_vm_view fail;
	uint8_t		undo_mode;
	uint8_t		undo_hints;
	uint8_t		undo_reason;
	/* failures are ignored: the VM ends in ok whatever the NVE says */
	bool		best_effort;
};

/*
 * The plan for op on a VM in view v (v->state NVO3_VM_NONE for define,
 * incoming and cold-in).  Returns 0, or -EPERM (op not allowed in that
 * state: resume a running VM, start a running VM, define a defined VM,
 * ...) or -EINVAL (unknown op).  For an op refused with -EPERM, *p is
 * untouched and nothing should change.
 */
int	nvo3_vm_plan(const struct nvo3_vm_view *v, enum nvo3_vm_op op,
	    struct nvo3_vm_plan *p);

/* Name lookups: the index, or -1 when name is not one of them. */
int	nvo3_vm_op_from_name(const char *name);
int	nvo3_vm_state_from_name(const char *name);

#endif /* SPLITNVE_NVO3_VM_H */
