/*
 * vm.c - the VM lifecycle planner of lib/nvo3/vm.h: for a VM in a given
 * view (RFC 7666 state, migration direction, what its NVE holds, cold
 * arrival) and an operation, the VDP request its TSIs get and the view
 * it ends in on success and on failure.  Owns the name arrays of vm.h.
 *
 * Runs in tnved's control thread (daemons/tnved/vm.c asks, runs the
 * exchange and applies the outcome).  Pure: no I/O, no clock, no
 * logging, no allocation.  Relies on lib/vdp/vdp.h for the VDP request
 * types and M/S bits, and on lib/ext/nvo3_ext_codes.h for the reason
 * numbers (both headers only: lib/nvo3 links neither library).  Every
 * (request, hints, reason) it returns satisfies the reason table of
 * docs/nvo3-vdp-extensions.md section 7.3.
 *
 * The rule (RFC 8394 section 2), in our words: a VM's TSIs are
 * associated (VDP Pre-Associate) while it is still shut down, and a
 * failure there keeps it from running; it is reported running only once
 * the NVE confirmed the activation (VDP Associate); pause changes
 * nothing at the NVE, suspend deactivates (Pre-Associate after
 * Associate) and resume activates again; shutdown de-associates.  In a
 * live migration the destination associates with the M bit while the VM
 * moves, activates only when it runs there, and the source stays
 * migrating until told the move is done, then de-associates with the S
 * bit: the VM never runs in both places.  Our extension's reason (7.3)
 * rides along so the NVE knows a move from a create or a shutdown.
 * We differ in / add:
 *   - a VM whose association failed stays defined (shutdown, nothing
 *     held); "define" again retries, and "start" may still try a direct
 *     Associate (VDP allows Associate without Pre-Associate);
 *   - shutdown, destroy and cold-out send nothing when nothing is held;
 *   - every de-associate is best effort: the VM ends where the operation
 *     says whatever the NVE answers (a De-Associate cannot be refused);
 *   - the state shown while the NVE answers ("during") is the state the
 *     VM had, except for a VM being created or arriving (preparing,
 *     migrating in): a VM is never shown in a state not yet confirmed;
 *   - "reannounce" (tnved restarted) sends what the view says is held.
 *
 *   Creation, the life on this host, shutdown ("PA" Pre-Associate, "A"
 *   Associate, "DA" De-Associate, "-" nothing sent; M/S the hints):
 *
 *        define PA,                                incoming PA M
 *        cold-in PA M  (none)                   (none)
 *                        |                         |
 *                        v                         v
 *                  +-----------+             +-----------+
 *                  | PREPARING |             | MIGRATING |
 *                  +-----------+             |    in     |
 *                        | ok, fail          +-----------+
 *                        v                         |
 *      define      +-----------+                   |
 *      (retry) --> | SHUTDOWN  | <--+              |
 *                  +-----------+    | shutdown DA  |
 *                        | start A  | (from        |
 *                        v          |  RUNNING,    | start A M
 *                  +-----------+    |  PAUSED,     |
 *           +----> |  RUNNING  | ---+  SUSPENDED)  |
 *           |      +-----------+ <-----------------+
 *  resume - |        |       ^ \
 *           | pause -|       |  \ suspend PA
 *           |        v       |   v
 *        +-----------+     +-----------+
 *        |  PAUSED   | --> | SUSPENDED |   resume A: SUSPENDED -> RUNNING
 *        +-----------+     +-----------+
 *              suspend PA
 *
 *   Leaving (the VM is removed: "(none)"):
 *
 *   RUNNING, PAUSED --migrate -->  MIGRATING --migrate-done DA S--> (none)
 *          ^                          out     (or shutdown)
 *          +---------- migrate-abort - ---------+  (back to RUNNING)
 *   MIGRATING in    --migrate-abort DA M--> (none)
 *   SHUTDOWN, RUNNING, PAUSED, SUSPENDED --cold-out DA S--> (none)
 *   any state but MIGRATING              --destroy DA----> (none)
 *
 * Transitions (op x state, in nvo3_vm_plan(); "PA" Pre-Associate, "A"
 * Associate, "DA" De-Associate, "-" no exchange; hold after success):
 *   define   NONE                 PA create        -> SHUTDOWN assoc
 *            SHUTDOWN, hold none  (retry; arrived: as cold-in)  plan_define()
 *   start    SHUTDOWN             A create         -> RUNNING activ.
 *            SHUTDOWN arrived     A M mig-in-act.  -> RUNNING      plan_start()
 *            MIGRATING in         A M mig-in-act.  -> RUNNING
 *   pause    RUNNING              -                -> PAUSED        plan_pause()
 *   suspend  RUNNING, PAUSED      PA pause         -> SUSPENDED assoc
 *                                                               plan_suspend()
 *   resume   PAUSED               -                -> RUNNING
 *            SUSPENDED            A resume         -> RUNNING  plan_resume()
 *   shutdown RUNNING, PAUSED,
 *            SUSPENDED            DA shutdown      -> SHUTDOWN none
 *            MIGRATING out        as migrate-done             plan_shutdown()
 *   destroy  all but MIGRATING    DA shutdown      -> removed  plan_destroy()
 *   migrate  RUNNING, PAUSED      -                -> MIGRATING out
 *                                                               plan_migrate()
 *   migrate-done  MIGRATING out   DA S mig-out     -> removed
 *                                                          plan_migrate_done()
 *   migrate-abort MIGRATING out   -                -> RUNNING
 *                 MIGRATING in    DA M mig-abort   -> removed
 *                                                         plan_migrate_abort()
 *   incoming NONE                 PA M mig-in-prep -> MIGRATING in assoc
 *                                                              plan_incoming()
 *   cold-out SHUTDOWN, RUNNING,
 *            PAUSED, SUSPENDED    DA S mig-out     -> removed plan_cold_out()
 *   cold-in  NONE                 PA M mig-in-prep -> SHUTDOWN arrived assoc
 *                                                               plan_cold_in()
 *   reannounce  any but NONE      what hold says   -> unchanged
 *                                                            plan_reannounce()
 *   anything else: -EPERM.  Failure and undo of each are in its function.
 *
 * Checks, in this order, before *p is written: v and p given, op known,
 * the view well formed (state, dir and hold in range; dir set exactly
 * when migrating): -EINVAL; then the table above: -EPERM.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "ext/nvo3_ext_codes.h"
#include "nvo3/vm.h"
#include "vdp/vdp.h"

const char *const nvo3_vm_state_names[NVO3_VM__COUNT] = {
	[NVO3_VM_NONE] = "none",
	[NVO3_VM_PREPARING] = "preparing",
	[NVO3_VM_SHUTDOWN] = "shutdown",
	[NVO3_VM_RUNNING] = "running",
	[NVO3_VM_PAUSED] = "paused",
	[NVO3_VM_SUSPENDED] = "suspended",
	[NVO3_VM_MIGRATING] = "migrating",
};

const char *const nvo3_vm_dir_names[3] = {
	[NVO3_VM_DIR_NONE] = "none",
	[NVO3_VM_DIR_OUT] = "out",
	[NVO3_VM_DIR_IN] = "in",
};

const char *const nvo3_vm_op_names[NVO3_VMOP__COUNT] = {
	[NVO3_VMOP_DEFINE] = "define",
	[NVO3_VMOP_START] = "start",
	[NVO3_VMOP_PAUSE] = "pause",
	[NVO3_VMOP_SUSPEND] = "suspend",
	[NVO3_VMOP_RESUME] = "resume",
	[NVO3_VMOP_SHUTDOWN] = "shutdown",
	[NVO3_VMOP_DESTROY] = "destroy",
	[NVO3_VMOP_MIGRATE] = "migrate",
	[NVO3_VMOP_MIGRATE_DONE] = "migrate-done",
	[NVO3_VMOP_MIGRATE_ABORT] = "migrate-abort",
	[NVO3_VMOP_INCOMING] = "incoming",
	[NVO3_VMOP_COLD_OUT] = "cold-out",
	[NVO3_VMOP_COLD_IN] = "cold-in",
	[NVO3_VMOP_REANNOUNCE] = "reannounce",
};

const char *const nvo3_vm_hold_names[3] = {
	[NVO3_HOLD_NONE] = "none",
	[NVO3_HOLD_ASSOCIATED] = "associated",
	[NVO3_HOLD_ACTIVATED] = "activated",
};

#define M	VDP_ST_MBIT
#define S	VDP_ST_SBIT

/* ---- building a plan ---------------------------------------------------- */

static struct nvo3_vm_view
view(enum nvo3_vm_state state, enum nvo3_vm_dir dir, enum nvo3_vm_hold hold,
    bool arrived)
{
	struct nvo3_vm_view w = {
		.state = state, .dir = dir, .hold = hold, .arrived = arrived,
	};

	return w;
}

/* The removed VM: everything at its zero value. */
static const struct nvo3_vm_view gone = {
	NVO3_VM_NONE, NVO3_VM_DIR_NONE, NVO3_HOLD_NONE, false
};

/*
 * Starts a plan for a VM in v: the request, "during" as the VM is now,
 * success and failure both "unchanged", nothing to undo.
 */
static void
plan_begin(struct nvo3_vm_plan *p, const struct nvo3_vm_view *v,
    uint8_t mode, uint8_t hints, uint8_t reason)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	p->hints = hints;
	p->reason = reason;
	p->during = v->state;
	p->during_dir = v->dir;
	p->ok = *v;
	p->fail = *v;
}

static void
plan_undo(struct nvo3_vm_plan *p, uint8_t mode, uint8_t hints,
    uint8_t reason)
{
	p->undo_mode = mode;
	p->undo_hints = hints;
	p->undo_reason = reason;
}

/*
 * No exchange, or an exchange whose failure changes nothing: the VM
 * ends in ok whatever happens.  Without an exchange, it is shown in ok
 * at once.
 */
static void
plan_settle(struct nvo3_vm_plan *p, bool best_effort)
{
	p->fail = p->ok;
	plan_undo(p, 0, 0, 0);
	p->best_effort = best_effort;
	if (p->mode == 0) {
		p->during = p->ok.state;
		p->during_dir = p->ok.dir;
	}
}

/* A de-associate (or nothing, when nothing is held) ending in ok. */
static void
plan_release(struct nvo3_vm_plan *p, const struct nvo3_vm_view *v,
    uint8_t hints, uint8_t reason, struct nvo3_vm_view ok)
{
	if (v->hold != NVO3_HOLD_NONE)
		plan_begin(p, v, VDP_TLV_DEASSOC, hints, reason);
	else
		plan_begin(p, v, 0, 0, 0);
	p->ok = ok;
	plan_settle(p, true);
}

/* ---- one function per operation ----------------------------------------- */

/*
 * cold-in (new VM, or define's retry of one whose association failed):
 * the destination of a cold move associates with M; if that fails the
 * VM stays, arrived, with nothing held, and the TSIs that did associate
 * are told the move is off.
 */
static void
cold_in_plan(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	plan_begin(p, v, VDP_TLV_PREASSOC, M, NVO3_REASON_MIG_IN_PREPARE);
	if (v->state == NVO3_VM_NONE)
		p->during = NVO3_VM_PREPARING;
	p->ok = view(NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE, NVO3_HOLD_ASSOCIATED,
	    true);
	p->fail = view(NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE, NVO3_HOLD_NONE,
	    true);
	plan_undo(p, VDP_TLV_DEASSOC, M, NVO3_REASON_MIG_ABORT);
}

static int
plan_cold_in(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	if (v->state != NVO3_VM_NONE)
		return -EPERM;
	cold_in_plan(v, p);
	return 0;
}

/*
 * define: associate while shut down (RFC 8394 2.1).  A failure leaves
 * the VM defined with nothing held, and "define" again retries; for a
 * VM that came by cold migration the retry is cold-in's.
 */
static int
plan_define(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	bool fresh = v->state == NVO3_VM_NONE;

	if (!fresh && !(v->state == NVO3_VM_SHUTDOWN &&
	    v->hold == NVO3_HOLD_NONE))
		return -EPERM;
	if (v->arrived) {
		cold_in_plan(v, p);
		return 0;
	}
	plan_begin(p, v, VDP_TLV_PREASSOC, 0, NVO3_REASON_CREATE);
	if (fresh)
		p->during = NVO3_VM_PREPARING;
	p->ok = view(NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE, NVO3_HOLD_ASSOCIATED,
	    false);
	p->fail = view(NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE, NVO3_HOLD_NONE,
	    false);
	plan_undo(p, VDP_TLV_DEASSOC, 0, NVO3_REASON_SHUTDOWN);
	return 0;
}

/*
 * start: activate before the VM is reported running.  Three cases: a
 * VM created here, one that came by cold migration (first start after
 * cold-in: M, the move completes) and the destination of a live
 * migration.  A failure puts back what was held before.
 */
static int
plan_start(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	struct nvo3_vm_view running = view(NVO3_VM_RUNNING, NVO3_VM_DIR_NONE,
	    NVO3_HOLD_ACTIVATED, false);

	if (v->state == NVO3_VM_MIGRATING && v->dir == NVO3_VM_DIR_IN) {
		plan_begin(p, v, VDP_TLV_ASSOC, M,
		    NVO3_REASON_MIG_IN_ACTIVATE);
		p->ok = running;
		p->fail = view(NVO3_VM_MIGRATING, NVO3_VM_DIR_IN,
		    NVO3_HOLD_ASSOCIATED, false);
		plan_undo(p, VDP_TLV_PREASSOC, M, NVO3_REASON_MIG_IN_PREPARE);
		return 0;
	}
	if (v->state != NVO3_VM_SHUTDOWN)
		return -EPERM;
	if (v->arrived) {
		plan_begin(p, v, VDP_TLV_ASSOC, M,
		    NVO3_REASON_MIG_IN_ACTIVATE);
		if (v->hold == NVO3_HOLD_ASSOCIATED)
			plan_undo(p, VDP_TLV_PREASSOC, M,
			    NVO3_REASON_MIG_IN_PREPARE);
		else
			plan_undo(p, VDP_TLV_DEASSOC, M,
			    NVO3_REASON_MIG_ABORT);
	} else {
		plan_begin(p, v, VDP_TLV_ASSOC, 0, NVO3_REASON_CREATE);
		/* back from Associate to Pre-Associate is a deactivate:
		 * reason 0 or pause (ext spec 5.1); the VM is not paused */
		if (v->hold == NVO3_HOLD_ASSOCIATED)
			plan_undo(p, VDP_TLV_PREASSOC, 0,
			    NVO3_REASON_UNSPEC);
		else
			plan_undo(p, VDP_TLV_DEASSOC, 0,
			    NVO3_REASON_SHUTDOWN);
	}
	p->ok = running;
	/* fail: unchanged (shut down, the hold it had) */
	return 0;
}

/* pause: the VM stops being scheduled; the NVE keeps forwarding. */
static int
plan_pause(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	if (v->state != NVO3_VM_RUNNING)
		return -EPERM;
	plan_begin(p, v, 0, 0, 0);
	p->ok.state = NVO3_VM_PAUSED;
	plan_settle(p, false);
	return 0;
}

/* suspend: deactivate, keep the association (RFC 8394 2.4). */
static int
plan_suspend(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	if (v->state != NVO3_VM_RUNNING && v->state != NVO3_VM_PAUSED)
		return -EPERM;
	plan_begin(p, v, VDP_TLV_PREASSOC, 0, NVO3_REASON_PAUSE);
	p->ok.state = NVO3_VM_SUSPENDED;
	p->ok.hold = NVO3_HOLD_ASSOCIATED;
	plan_undo(p, VDP_TLV_ASSOC, 0, NVO3_REASON_RESUME);
	return 0;
}

/* resume: from paused nothing to do; from suspended activate again. */
static int
plan_resume(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	if (v->state == NVO3_VM_PAUSED) {
		plan_begin(p, v, 0, 0, 0);
		p->ok.state = NVO3_VM_RUNNING;
		plan_settle(p, false);
		return 0;
	}
	if (v->state != NVO3_VM_SUSPENDED)
		return -EPERM;
	plan_begin(p, v, VDP_TLV_ASSOC, 0, NVO3_REASON_RESUME);
	p->ok.state = NVO3_VM_RUNNING;
	p->ok.hold = NVO3_HOLD_ACTIVATED;
	plan_undo(p, VDP_TLV_PREASSOC, 0, NVO3_REASON_PAUSE);
	return 0;
}

/*
 * migrate-done: the destination runs the VM; the source lets go with
 * the S bit and forgets it.
 */
static int
plan_migrate_done(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	if (v->state != NVO3_VM_MIGRATING || v->dir != NVO3_VM_DIR_OUT)
		return -EPERM;
	plan_release(p, v, S, NVO3_REASON_MIG_OUT, gone);
	return 0;
}

/*
 * shutdown: de-associate (RFC 8394 2.3).  On a source whose move has
 * completed, QEMU stopping is the end of the migration.
 */
static int
plan_shutdown(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	switch (v->state) {
	case NVO3_VM_RUNNING:
	case NVO3_VM_PAUSED:
	case NVO3_VM_SUSPENDED:
		plan_release(p, v, 0, NVO3_REASON_SHUTDOWN,
		    view(NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE, NVO3_HOLD_NONE,
		    false));
		return 0;
	case NVO3_VM_MIGRATING:
		return plan_migrate_done(v, p);
	default:
		return -EPERM;
	}
}

/* destroy: forget the VM; a migration must be finished or aborted. */
static int
plan_destroy(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	if (v->state == NVO3_VM_NONE || v->state == NVO3_VM_MIGRATING)
		return -EPERM;
	plan_release(p, v, 0, NVO3_REASON_SHUTDOWN, gone);
	return 0;
}

/* migrate: the source starts a live move; nothing changes at the NVE. */
static int
plan_migrate(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	if (v->state != NVO3_VM_RUNNING && v->state != NVO3_VM_PAUSED)
		return -EPERM;
	plan_begin(p, v, 0, 0, 0);
	p->ok.state = NVO3_VM_MIGRATING;
	p->ok.dir = NVO3_VM_DIR_OUT;
	plan_settle(p, false);
	return 0;
}

/*
 * migrate-abort: the source runs on as before (its NVE never stopped
 * forwarding); the destination lets go with M and reason mig-abort.
 */
static int
plan_migrate_abort(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	if (v->state != NVO3_VM_MIGRATING)
		return -EPERM;
	if (v->dir == NVO3_VM_DIR_OUT) {
		plan_begin(p, v, 0, 0, 0);
		p->ok.state = NVO3_VM_RUNNING;
		p->ok.dir = NVO3_VM_DIR_NONE;
		plan_settle(p, false);
		return 0;
	}
	plan_release(p, v, M, NVO3_REASON_MIG_ABORT, gone);
	return 0;
}

/*
 * incoming: the destination of a live move associates with M while the
 * VM is copied; if that fails the VM is forgotten here (the source then
 * aborts) and what did associate is released.
 */
static int
plan_incoming(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	if (v->state != NVO3_VM_NONE)
		return -EPERM;
	plan_begin(p, v, VDP_TLV_PREASSOC, M, NVO3_REASON_MIG_IN_PREPARE);
	p->during = NVO3_VM_MIGRATING;
	p->during_dir = NVO3_VM_DIR_IN;
	p->ok = view(NVO3_VM_MIGRATING, NVO3_VM_DIR_IN, NVO3_HOLD_ASSOCIATED,
	    false);
	p->fail = gone;
	plan_undo(p, VDP_TLV_DEASSOC, M, NVO3_REASON_MIG_ABORT);
	return 0;
}

/* cold-out: the VM leaves for another host; let go with S. */
static int
plan_cold_out(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	switch (v->state) {
	case NVO3_VM_SHUTDOWN:
	case NVO3_VM_RUNNING:
	case NVO3_VM_PAUSED:
	case NVO3_VM_SUSPENDED:
		plan_release(p, v, S, NVO3_REASON_MIG_OUT, gone);
		return 0;
	default:
		return -EPERM;
	}
}

/*
 * reannounce (tnved restarted): the request that keeps what the view
 * says is held, so the NVE sees a refresh and the VM nothing.
 */
static int
plan_reannounce(const struct nvo3_vm_view *v, struct nvo3_vm_plan *p)
{
	if (v->state == NVO3_VM_NONE)
		return -EPERM;
	switch (v->hold) {
	case NVO3_HOLD_ASSOCIATED:
		if (v->dir == NVO3_VM_DIR_IN || v->arrived)
			plan_begin(p, v, VDP_TLV_PREASSOC, M,
			    NVO3_REASON_MIG_IN_PREPARE);
		else
			plan_begin(p, v, VDP_TLV_PREASSOC, 0,
			    NVO3_REASON_UNSPEC);
		break;
	case NVO3_HOLD_ACTIVATED:
		plan_begin(p, v, VDP_TLV_ASSOC, 0, NVO3_REASON_UNSPEC);
		break;
	default:
		plan_begin(p, v, 0, 0, 0);
		break;
	}
	plan_settle(p, true);
	return 0;
}

/* ---- entry points ------------------------------------------------------- */

static bool
view_valid(const struct nvo3_vm_view *v)
{
	if ((unsigned)v->state >= NVO3_VM__COUNT ||
	    (unsigned)v->dir > NVO3_VM_DIR_IN ||
	    (unsigned)v->hold > NVO3_HOLD_ACTIVATED)
		return false;
	return (v->state == NVO3_VM_MIGRATING) == (v->dir != NVO3_VM_DIR_NONE);
}

int
nvo3_vm_plan(const struct nvo3_vm_view *v, enum nvo3_vm_op op,
    struct nvo3_vm_plan *p)
{
	struct nvo3_vm_plan np;
	int rc;

	if (v == NULL || p == NULL || (unsigned)op >= NVO3_VMOP__COUNT ||
	    !view_valid(v))
		return -EINVAL;
	switch (op) {
	case NVO3_VMOP_DEFINE:
		rc = plan_define(v, &np);
		break;
	case NVO3_VMOP_START:
		rc = plan_start(v, &np);
		break;
	case NVO3_VMOP_PAUSE:
		rc = plan_pause(v, &np);
		break;
	case NVO3_VMOP_SUSPEND:
		rc = plan_suspend(v, &np);
		break;
	case NVO3_VMOP_RESUME:
		rc = plan_resume(v, &np);
		break;
	case NVO3_VMOP_SHUTDOWN:
		rc = plan_shutdown(v, &np);
		break;
	case NVO3_VMOP_DESTROY:
		rc = plan_destroy(v, &np);
		break;
	case NVO3_VMOP_MIGRATE:
		rc = plan_migrate(v, &np);
		break;
	case NVO3_VMOP_MIGRATE_DONE:
		rc = plan_migrate_done(v, &np);
		break;
	case NVO3_VMOP_MIGRATE_ABORT:
		rc = plan_migrate_abort(v, &np);
		break;
	case NVO3_VMOP_INCOMING:
		rc = plan_incoming(v, &np);
		break;
	case NVO3_VMOP_COLD_OUT:
		rc = plan_cold_out(v, &np);
		break;
	case NVO3_VMOP_COLD_IN:
		rc = plan_cold_in(v, &np);
		break;
	case NVO3_VMOP_REANNOUNCE:
		rc = plan_reannounce(v, &np);
		break;
	default:
		return -EINVAL;
	}
	if (rc == 0)
		*p = np;
	return rc;
}

static int
name_index(const char *const *names, int n, const char *name)
{
	int i;

	if (name == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return i;
	return -1;
}

int
nvo3_vm_op_from_name(const char *name)
{
	return name_index(nvo3_vm_op_names, NVO3_VMOP__COUNT, name);
}

int
nvo3_vm_state_from_name(const char *name)
{
	return name_index(nvo3_vm_state_names, NVO3_VM__COUNT, name);
}
