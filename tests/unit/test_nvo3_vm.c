/*
 * test_nvo3_vm.c - the VM lifecycle planner (lib/nvo3/vm.c): the whole
 * operation x state matrix (which pairs are refused, and that a refusal
 * leaves the plan untouched), properties every accepted plan must have
 * (its reasons consistent with the extension's reason table, nothing
 * reported running before the NVE confirmed, de-associates best effort,
 * removed VMs all zero), the exact plan of every accepted pair that
 * sends something, the -EINVAL checks, and the name look-ups.  The
 * step-by-step paths are in tests/fsm/nvo3_vm/.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ext/nvo3_ext_codes.h"
#include "nvo3/vm.h"
#include "vdp/vdp.h"

#define M	VDP_ST_MBIT
#define S	VDP_ST_SBIT
#define PA	VDP_TLV_PREASSOC
#define AS	VDP_TLV_ASSOC
#define DA	VDP_TLV_DEASSOC
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The reason table of docs/nvo3-vdp-extensions.md 7.3 restated (this
 * test links sn_nvo3 only, not lib/ext's nvo3_reason_consistent): the
 * request types a reason may go with and the M/S hints it needs.
 */
enum { MS_ANY, MS_NONE, MS_M, MS_S };
static const struct {
	unsigned	types;		/* 1 << VDP_TLV_* */
	int		ms;
} reason_rule[NVO3_REASON_MAX + 1] = {
	[NVO3_REASON_UNSPEC] = { 1u << PA | 1u << AS | 1u << DA, MS_ANY },
	[NVO3_REASON_CREATE] = { 1u << PA | 1u << AS, MS_NONE },
	[NVO3_REASON_MIG_IN_PREPARE] = { 1u << PA, MS_M },
	[NVO3_REASON_MIG_IN_ACTIVATE] = { 1u << AS, MS_M },
	[NVO3_REASON_MIG_OUT] = { 1u << DA, MS_S },
	[NVO3_REASON_MIG_ABORT] = { 1u << DA, MS_M },
	[NVO3_REASON_SHUTDOWN] = { 1u << DA, MS_NONE },
	[NVO3_REASON_PAUSE] = { 1u << PA | 1u << AS, MS_NONE },
	[NVO3_REASON_RESUME] = { 1u << AS, MS_NONE },
};

static bool
consistent(uint8_t mode, uint8_t hints, uint8_t reason)
{
	if (reason > NVO3_REASON_MAX || mode < PA || mode > DA)
		return false;
	if ((reason_rule[reason].types & 1u << mode) == 0)
		return false;
	switch (reason_rule[reason].ms) {
	case MS_ANY:
		return hints == 0 || hints == M || hints == S;
	case MS_NONE:
		return hints == 0;
	case MS_M:
		return hints == M;
	default:
		return hints == S;
	}
}

/* ---- the views the matrix runs over ------------------------------------ */

enum {
	V_NONE, V_PREP, V_SD0, V_SDA, V_SD0_ARR, V_SDA_ARR, V_RUN, V_PAU,
	V_SUS, V_MOUT, V_MIN, V__COUNT
};

static const struct nvo3_vm_view views[V__COUNT] = {
	[V_NONE] = { NVO3_VM_NONE, NVO3_VM_DIR_NONE, NVO3_HOLD_NONE, false },
	[V_PREP] = { NVO3_VM_PREPARING, NVO3_VM_DIR_NONE, NVO3_HOLD_NONE,
	    false },
	[V_SD0] = { NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE, NVO3_HOLD_NONE, false },
	[V_SDA] = { NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE, NVO3_HOLD_ASSOCIATED,
	    false },
	[V_SD0_ARR] = { NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE, NVO3_HOLD_NONE,
	    true },
	[V_SDA_ARR] = { NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE,
	    NVO3_HOLD_ASSOCIATED, true },
	[V_RUN] = { NVO3_VM_RUNNING, NVO3_VM_DIR_NONE, NVO3_HOLD_ACTIVATED,
	    false },
	[V_PAU] = { NVO3_VM_PAUSED, NVO3_VM_DIR_NONE, NVO3_HOLD_ACTIVATED,
	    false },
	[V_SUS] = { NVO3_VM_SUSPENDED, NVO3_VM_DIR_NONE, NVO3_HOLD_ASSOCIATED,
	    false },
	[V_MOUT] = { NVO3_VM_MIGRATING, NVO3_VM_DIR_OUT, NVO3_HOLD_ACTIVATED,
	    false },
	[V_MIN] = { NVO3_VM_MIGRATING, NVO3_VM_DIR_IN, NVO3_HOLD_ASSOCIATED,
	    false },
};

#define Y	0
#define N	(-EPERM)

/* Expected result of each op (columns, enum nvo3_vm_op order) per view. */
static const int matrix[V__COUNT][NVO3_VMOP__COUNT] = {
	/*           def st  pau sus res sd  des mig mdn mab inc cou cin rea */
	[V_NONE] =    { Y, N,  N,  N,  N,  N,  N,  N,  N,  N,  Y,  N,  Y,  N },
	[V_PREP] =    { N, N,  N,  N,  N,  N,  Y,  N,  N,  N,  N,  N,  N,  Y },
	[V_SD0] =     { Y, Y,  N,  N,  N,  N,  Y,  N,  N,  N,  N,  Y,  N,  Y },
	[V_SDA] =     { N, Y,  N,  N,  N,  N,  Y,  N,  N,  N,  N,  Y,  N,  Y },
	[V_SD0_ARR] = { Y, Y,  N,  N,  N,  N,  Y,  N,  N,  N,  N,  Y,  N,  Y },
	[V_SDA_ARR] = { N, Y,  N,  N,  N,  N,  Y,  N,  N,  N,  N,  Y,  N,  Y },
	[V_RUN] =     { N, N,  Y,  Y,  N,  Y,  Y,  Y,  N,  N,  N,  Y,  N,  Y },
	[V_PAU] =     { N, N,  N,  Y,  Y,  Y,  Y,  Y,  N,  N,  N,  Y,  N,  Y },
	[V_SUS] =     { N, N,  N,  N,  Y,  Y,  Y,  N,  N,  N,  N,  Y,  N,  Y },
	[V_MOUT] =    { N, N,  N,  N,  N,  Y,  N,  N,  Y,  Y,  N,  N,  N,  Y },
	[V_MIN] =     { N, Y,  N,  N,  N,  N,  N,  N,  N,  Y,  N,  N,  N,  Y },
};

static bool
view_eq(const struct nvo3_vm_view *a, const struct nvo3_vm_view *b)
{
	return a->state == b->state && a->dir == b->dir &&
	    a->hold == b->hold && a->arrived == b->arrived;
}

static bool
view_ok(const struct nvo3_vm_view *v)
{
	static const struct nvo3_vm_view gone;

	if (v->state == NVO3_VM_NONE)
		return view_eq(v, &gone);
	return (v->state == NVO3_VM_MIGRATING) == (v->dir != NVO3_VM_DIR_NONE);
}

/* What every accepted plan must satisfy. */
static void
check_properties(const struct nvo3_vm_view *v, enum nvo3_vm_op op,
    const struct nvo3_vm_plan *p)
{
	assert_true(view_ok(&p->ok));
	assert_true(view_ok(&p->fail));
	assert_true((p->during == NVO3_VM_MIGRATING) ==
	    (p->during_dir != NVO3_VM_DIR_NONE));
	if (p->mode != 0)
		assert_true(consistent(p->mode, p->hints, p->reason));
	else
		assert_true(p->hints == 0 && p->reason == 0);
	if (p->undo_mode != 0)
		assert_true(consistent(p->undo_mode, p->undo_hints,
		    p->undo_reason));
	else
		assert_true(p->undo_hints == 0 && p->undo_reason == 0);
	/* nothing sent: applied at once, cannot fail */
	if (p->mode == 0) {
		assert_true(view_eq(&p->fail, &p->ok));
		assert_int_equal(p->undo_mode, 0);
		assert_int_equal(p->during, p->ok.state);
		assert_int_equal(p->during_dir, p->ok.dir);
	}
	/* a de-associate cannot be refused, and nothing undoes it */
	if (p->mode == DA)
		assert_true(p->best_effort);
	if (p->best_effort) {
		assert_true(view_eq(&p->fail, &p->ok));
		assert_int_equal(p->undo_mode, 0);
	}
	/* never reported running before the NVE confirmed */
	if (p->ok.state == NVO3_VM_RUNNING && v->state != NVO3_VM_RUNNING &&
	    p->mode != 0)
		assert_int_not_equal(p->during, NVO3_VM_RUNNING);
	/* what is held after success matches what was asked */
	if (p->mode == PA)
		assert_int_equal(p->ok.hold, NVO3_HOLD_ASSOCIATED);
	if (p->mode == AS)
		assert_int_equal(p->ok.hold, NVO3_HOLD_ACTIVATED);
	if (p->mode == DA || p->ok.state == NVO3_VM_NONE)
		assert_int_equal(p->ok.hold, NVO3_HOLD_NONE);
	/* an exchange that may fail puts the VM back where the op found
	 * it, except where a new VM was being created or arriving */
	if (p->mode != 0 && !p->best_effort && v->state != NVO3_VM_NONE &&
	    !(op == NVO3_VMOP_START && v->state == NVO3_VM_MIGRATING))
		assert_true(view_eq(&p->fail, v));
	/* a refused new VM is not left half-there: shut down, or gone */
	if (v->state == NVO3_VM_NONE)
		assert_true(p->fail.state == NVO3_VM_NONE ||
		    (p->fail.state == NVO3_VM_SHUTDOWN &&
		    p->fail.hold == NVO3_HOLD_NONE));
}

static void
test_matrix(void **state)
{
	struct nvo3_vm_plan p, untouched;
	unsigned vi, op;
	int rc;

	(void)state;
	for (vi = 0; vi < V__COUNT; vi++) {
		for (op = 0; op < NVO3_VMOP__COUNT; op++) {
			memset(&p, 0xa5, sizeof(p));
			memcpy(&untouched, &p, sizeof(p));
			rc = nvo3_vm_plan(&views[vi], op, &p);
			if (rc != matrix[vi][op])
				fail_msg("view %u op %s: rc %d, want %d", vi,
				    nvo3_vm_op_names[op], rc, matrix[vi][op]);
			if (rc != 0)
				assert_memory_equal(&p, &untouched, sizeof(p));
			else
				check_properties(&views[vi], op, &p);
		}
	}
}

/* ---- exact plans --------------------------------------------------------- */

struct want {
	int		vi;
	enum nvo3_vm_op	op;
	uint8_t		mode, hints, reason;
	enum nvo3_vm_state during;
	enum nvo3_vm_dir during_dir;
	struct nvo3_vm_view ok, fail;
	uint8_t		undo_mode, undo_hints, undo_reason;
	bool		best_effort;
};

#define VW(st, d, h, a) { NVO3_VM_##st, NVO3_VM_DIR_##d, NVO3_HOLD_##h, a }
#define GONE	VW(NONE, NONE, NONE, false)

static const struct want wants[] = {
	/* define: PA create; a failure keeps the VM, nothing held */
	{ V_NONE, NVO3_VMOP_DEFINE, PA, 0, NVO3_REASON_CREATE,
	  NVO3_VM_PREPARING, NVO3_VM_DIR_NONE,
	  VW(SHUTDOWN, NONE, ASSOCIATED, false),
	  VW(SHUTDOWN, NONE, NONE, false),
	  DA, 0, NVO3_REASON_SHUTDOWN, false },
	/* define again after a failed association */
	{ V_SD0, NVO3_VMOP_DEFINE, PA, 0, NVO3_REASON_CREATE,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE,
	  VW(SHUTDOWN, NONE, ASSOCIATED, false),
	  VW(SHUTDOWN, NONE, NONE, false),
	  DA, 0, NVO3_REASON_SHUTDOWN, false },
	/* ... of a VM that arrived cold: cold-in's request */
	{ V_SD0_ARR, NVO3_VMOP_DEFINE, PA, M, NVO3_REASON_MIG_IN_PREPARE,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE,
	  VW(SHUTDOWN, NONE, ASSOCIATED, true),
	  VW(SHUTDOWN, NONE, NONE, true),
	  DA, M, NVO3_REASON_MIG_ABORT, false },
	/* start: A create, shown shut down until confirmed */
	{ V_SDA, NVO3_VMOP_START, AS, 0, NVO3_REASON_CREATE,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE,
	  VW(RUNNING, NONE, ACTIVATED, false),
	  VW(SHUTDOWN, NONE, ASSOCIATED, false),
	  PA, 0, NVO3_REASON_UNSPEC, false },
	{ V_SD0, NVO3_VMOP_START, AS, 0, NVO3_REASON_CREATE,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE,
	  VW(RUNNING, NONE, ACTIVATED, false),
	  VW(SHUTDOWN, NONE, NONE, false),
	  DA, 0, NVO3_REASON_SHUTDOWN, false },
	/* first start after a cold arrival: A M mig-in-activate */
	{ V_SDA_ARR, NVO3_VMOP_START, AS, M, NVO3_REASON_MIG_IN_ACTIVATE,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE,
	  VW(RUNNING, NONE, ACTIVATED, false),
	  VW(SHUTDOWN, NONE, ASSOCIATED, true),
	  PA, M, NVO3_REASON_MIG_IN_PREPARE, false },
	{ V_SD0_ARR, NVO3_VMOP_START, AS, M, NVO3_REASON_MIG_IN_ACTIVATE,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE,
	  VW(RUNNING, NONE, ACTIVATED, false),
	  VW(SHUTDOWN, NONE, NONE, true),
	  DA, M, NVO3_REASON_MIG_ABORT, false },
	/* live migration destination runs the VM */
	{ V_MIN, NVO3_VMOP_START, AS, M, NVO3_REASON_MIG_IN_ACTIVATE,
	  NVO3_VM_MIGRATING, NVO3_VM_DIR_IN,
	  VW(RUNNING, NONE, ACTIVATED, false),
	  VW(MIGRATING, IN, ASSOCIATED, false),
	  PA, M, NVO3_REASON_MIG_IN_PREPARE, false },
	/* pause / resume from pause: nothing sent */
	{ V_RUN, NVO3_VMOP_PAUSE, 0, 0, 0,
	  NVO3_VM_PAUSED, NVO3_VM_DIR_NONE,
	  VW(PAUSED, NONE, ACTIVATED, false),
	  VW(PAUSED, NONE, ACTIVATED, false), 0, 0, 0, false },
	{ V_PAU, NVO3_VMOP_RESUME, 0, 0, 0,
	  NVO3_VM_RUNNING, NVO3_VM_DIR_NONE,
	  VW(RUNNING, NONE, ACTIVATED, false),
	  VW(RUNNING, NONE, ACTIVATED, false), 0, 0, 0, false },
	/* suspend: deactivate (PA pause) */
	{ V_RUN, NVO3_VMOP_SUSPEND, PA, 0, NVO3_REASON_PAUSE,
	  NVO3_VM_RUNNING, NVO3_VM_DIR_NONE,
	  VW(SUSPENDED, NONE, ASSOCIATED, false),
	  VW(RUNNING, NONE, ACTIVATED, false),
	  AS, 0, NVO3_REASON_RESUME, false },
	{ V_PAU, NVO3_VMOP_SUSPEND, PA, 0, NVO3_REASON_PAUSE,
	  NVO3_VM_PAUSED, NVO3_VM_DIR_NONE,
	  VW(SUSPENDED, NONE, ASSOCIATED, false),
	  VW(PAUSED, NONE, ACTIVATED, false),
	  AS, 0, NVO3_REASON_RESUME, false },
	/* resume from suspended: A resume */
	{ V_SUS, NVO3_VMOP_RESUME, AS, 0, NVO3_REASON_RESUME,
	  NVO3_VM_SUSPENDED, NVO3_VM_DIR_NONE,
	  VW(RUNNING, NONE, ACTIVATED, false),
	  VW(SUSPENDED, NONE, ASSOCIATED, false),
	  PA, 0, NVO3_REASON_PAUSE, false },
	/* shutdown: DA shutdown, best effort */
	{ V_RUN, NVO3_VMOP_SHUTDOWN, DA, 0, NVO3_REASON_SHUTDOWN,
	  NVO3_VM_RUNNING, NVO3_VM_DIR_NONE,
	  VW(SHUTDOWN, NONE, NONE, false), VW(SHUTDOWN, NONE, NONE, false),
	  0, 0, 0, true },
	{ V_SUS, NVO3_VMOP_SHUTDOWN, DA, 0, NVO3_REASON_SHUTDOWN,
	  NVO3_VM_SUSPENDED, NVO3_VM_DIR_NONE,
	  VW(SHUTDOWN, NONE, NONE, false), VW(SHUTDOWN, NONE, NONE, false),
	  0, 0, 0, true },
	/* shutdown of a source whose move completed = migrate-done */
	{ V_MOUT, NVO3_VMOP_SHUTDOWN, DA, S, NVO3_REASON_MIG_OUT,
	  NVO3_VM_MIGRATING, NVO3_VM_DIR_OUT, GONE, GONE, 0, 0, 0, true },
	/* destroy: DA shutdown when something is held, else nothing */
	{ V_PAU, NVO3_VMOP_DESTROY, DA, 0, NVO3_REASON_SHUTDOWN,
	  NVO3_VM_PAUSED, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_SD0, NVO3_VMOP_DESTROY, 0, 0, 0,
	  NVO3_VM_NONE, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_PREP, NVO3_VMOP_DESTROY, 0, 0, 0,
	  NVO3_VM_NONE, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	/* live migration, source */
	{ V_PAU, NVO3_VMOP_MIGRATE, 0, 0, 0,
	  NVO3_VM_MIGRATING, NVO3_VM_DIR_OUT,
	  VW(MIGRATING, OUT, ACTIVATED, false),
	  VW(MIGRATING, OUT, ACTIVATED, false), 0, 0, 0, false },
	{ V_MOUT, NVO3_VMOP_MIGRATE_DONE, DA, S, NVO3_REASON_MIG_OUT,
	  NVO3_VM_MIGRATING, NVO3_VM_DIR_OUT, GONE, GONE, 0, 0, 0, true },
	{ V_MOUT, NVO3_VMOP_MIGRATE_ABORT, 0, 0, 0,
	  NVO3_VM_RUNNING, NVO3_VM_DIR_NONE,
	  VW(RUNNING, NONE, ACTIVATED, false),
	  VW(RUNNING, NONE, ACTIVATED, false), 0, 0, 0, false },
	/* live migration, destination */
	{ V_NONE, NVO3_VMOP_INCOMING, PA, M, NVO3_REASON_MIG_IN_PREPARE,
	  NVO3_VM_MIGRATING, NVO3_VM_DIR_IN,
	  VW(MIGRATING, IN, ASSOCIATED, false), GONE,
	  DA, M, NVO3_REASON_MIG_ABORT, false },
	{ V_MIN, NVO3_VMOP_MIGRATE_ABORT, DA, M, NVO3_REASON_MIG_ABORT,
	  NVO3_VM_MIGRATING, NVO3_VM_DIR_IN, GONE, GONE, 0, 0, 0, true },
	/* cold migration */
	{ V_SDA, NVO3_VMOP_COLD_OUT, DA, S, NVO3_REASON_MIG_OUT,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_RUN, NVO3_VMOP_COLD_OUT, DA, S, NVO3_REASON_MIG_OUT,
	  NVO3_VM_RUNNING, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_SD0, NVO3_VMOP_COLD_OUT, 0, 0, 0,
	  NVO3_VM_NONE, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_NONE, NVO3_VMOP_COLD_IN, PA, M, NVO3_REASON_MIG_IN_PREPARE,
	  NVO3_VM_PREPARING, NVO3_VM_DIR_NONE,
	  VW(SHUTDOWN, NONE, ASSOCIATED, true),
	  VW(SHUTDOWN, NONE, NONE, true),
	  DA, M, NVO3_REASON_MIG_ABORT, false },
	/* reannounce: what the hold says, the view unchanged */
	{ V_RUN, NVO3_VMOP_REANNOUNCE, AS, 0, NVO3_REASON_UNSPEC,
	  NVO3_VM_RUNNING, NVO3_VM_DIR_NONE,
	  VW(RUNNING, NONE, ACTIVATED, false),
	  VW(RUNNING, NONE, ACTIVATED, false), 0, 0, 0, true },
	{ V_SUS, NVO3_VMOP_REANNOUNCE, PA, 0, NVO3_REASON_UNSPEC,
	  NVO3_VM_SUSPENDED, NVO3_VM_DIR_NONE,
	  VW(SUSPENDED, NONE, ASSOCIATED, false),
	  VW(SUSPENDED, NONE, ASSOCIATED, false), 0, 0, 0, true },
	{ V_MIN, NVO3_VMOP_REANNOUNCE, PA, M, NVO3_REASON_MIG_IN_PREPARE,
	  NVO3_VM_MIGRATING, NVO3_VM_DIR_IN,
	  VW(MIGRATING, IN, ASSOCIATED, false),
	  VW(MIGRATING, IN, ASSOCIATED, false), 0, 0, 0, true },
	{ V_SDA_ARR, NVO3_VMOP_REANNOUNCE, PA, M, NVO3_REASON_MIG_IN_PREPARE,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE,
	  VW(SHUTDOWN, NONE, ASSOCIATED, true),
	  VW(SHUTDOWN, NONE, ASSOCIATED, true), 0, 0, 0, true },
	{ V_MOUT, NVO3_VMOP_REANNOUNCE, AS, 0, NVO3_REASON_UNSPEC,
	  NVO3_VM_MIGRATING, NVO3_VM_DIR_OUT,
	  VW(MIGRATING, OUT, ACTIVATED, false),
	  VW(MIGRATING, OUT, ACTIVATED, false), 0, 0, 0, true },
	{ V_SD0, NVO3_VMOP_REANNOUNCE, 0, 0, 0,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE,
	  VW(SHUTDOWN, NONE, NONE, false),
	  VW(SHUTDOWN, NONE, NONE, false), 0, 0, 0, true },
	/* the same rules from the other states they apply to */
	{ V_SDA, NVO3_VMOP_DESTROY, DA, 0, NVO3_REASON_SHUTDOWN,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_SD0_ARR, NVO3_VMOP_DESTROY, 0, 0, 0,
	  NVO3_VM_NONE, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_SDA_ARR, NVO3_VMOP_DESTROY, DA, 0, NVO3_REASON_SHUTDOWN,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_RUN, NVO3_VMOP_DESTROY, DA, 0, NVO3_REASON_SHUTDOWN,
	  NVO3_VM_RUNNING, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_SUS, NVO3_VMOP_DESTROY, DA, 0, NVO3_REASON_SHUTDOWN,
	  NVO3_VM_SUSPENDED, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_SD0_ARR, NVO3_VMOP_COLD_OUT, 0, 0, 0,
	  NVO3_VM_NONE, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_SDA_ARR, NVO3_VMOP_COLD_OUT, DA, S, NVO3_REASON_MIG_OUT,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_PAU, NVO3_VMOP_COLD_OUT, DA, S, NVO3_REASON_MIG_OUT,
	  NVO3_VM_PAUSED, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_SUS, NVO3_VMOP_COLD_OUT, DA, S, NVO3_REASON_MIG_OUT,
	  NVO3_VM_SUSPENDED, NVO3_VM_DIR_NONE, GONE, GONE, 0, 0, 0, true },
	{ V_PAU, NVO3_VMOP_SHUTDOWN, DA, 0, NVO3_REASON_SHUTDOWN,
	  NVO3_VM_PAUSED, NVO3_VM_DIR_NONE,
	  VW(SHUTDOWN, NONE, NONE, false), VW(SHUTDOWN, NONE, NONE, false),
	  0, 0, 0, true },
	{ V_RUN, NVO3_VMOP_MIGRATE, 0, 0, 0,
	  NVO3_VM_MIGRATING, NVO3_VM_DIR_OUT,
	  VW(MIGRATING, OUT, ACTIVATED, false),
	  VW(MIGRATING, OUT, ACTIVATED, false), 0, 0, 0, false },
	{ V_PREP, NVO3_VMOP_REANNOUNCE, 0, 0, 0,
	  NVO3_VM_PREPARING, NVO3_VM_DIR_NONE,
	  VW(PREPARING, NONE, NONE, false),
	  VW(PREPARING, NONE, NONE, false), 0, 0, 0, true },
	{ V_SDA, NVO3_VMOP_REANNOUNCE, PA, 0, NVO3_REASON_UNSPEC,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE,
	  VW(SHUTDOWN, NONE, ASSOCIATED, false),
	  VW(SHUTDOWN, NONE, ASSOCIATED, false), 0, 0, 0, true },
	{ V_SD0_ARR, NVO3_VMOP_REANNOUNCE, 0, 0, 0,
	  NVO3_VM_SHUTDOWN, NVO3_VM_DIR_NONE,
	  VW(SHUTDOWN, NONE, NONE, true),
	  VW(SHUTDOWN, NONE, NONE, true), 0, 0, 0, true },
	{ V_PAU, NVO3_VMOP_REANNOUNCE, AS, 0, NVO3_REASON_UNSPEC,
	  NVO3_VM_PAUSED, NVO3_VM_DIR_NONE,
	  VW(PAUSED, NONE, ACTIVATED, false),
	  VW(PAUSED, NONE, ACTIVATED, false), 0, 0, 0, true },
};

static void
test_exact_plans(void **state)
{
	struct nvo3_vm_plan p;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(wants); i++) {
		const struct want *w = &wants[i];

		memset(&p, 0, sizeof(p));
		if (nvo3_vm_plan(&views[w->vi], w->op, &p) != 0)
			fail_msg("want %zu: refused", i);
		if (p.mode != w->mode || p.hints != w->hints ||
		    p.reason != w->reason || p.during != w->during ||
		    p.during_dir != w->during_dir ||
		    !view_eq(&p.ok, &w->ok) || !view_eq(&p.fail, &w->fail) ||
		    p.undo_mode != w->undo_mode ||
		    p.undo_hints != w->undo_hints ||
		    p.undo_reason != w->undo_reason ||
		    p.best_effort != w->best_effort)
			fail_msg("want %zu (%s): plan differs", i,
			    nvo3_vm_op_names[w->op]);
	}
}

/* Every accepted (view, op) pair of the matrix is spelled out above. */
static void
test_exact_plans_cover_matrix(void **state)
{
	unsigned vi, op, missing = 0;
	size_t i;
	bool found;

	(void)state;
	for (vi = 0; vi < V__COUNT; vi++)
		for (op = 0; op < NVO3_VMOP__COUNT; op++) {
			if (matrix[vi][op] != 0)
				continue;
			found = false;
			for (i = 0; i < NELEM(wants); i++)
				if (wants[i].vi == (int)vi &&
				    wants[i].op == op)
					found = true;
			if (!found) {
				print_message("view %u op %s: no exact plan\n",
				    vi, nvo3_vm_op_names[op]);
				missing++;
			}
		}
	assert_int_equal(missing, 0);
}

static void
test_einval(void **state)
{
	struct nvo3_vm_view v = views[V_RUN];
	struct nvo3_vm_plan p, untouched;

	(void)state;
	memset(&p, 0x5a, sizeof(p));
	memcpy(&untouched, &p, sizeof(p));
	assert_int_equal(nvo3_vm_plan(NULL, NVO3_VMOP_PAUSE, &p), -EINVAL);
	assert_int_equal(nvo3_vm_plan(&v, NVO3_VMOP_PAUSE, NULL), -EINVAL);
	assert_int_equal(nvo3_vm_plan(&v, NVO3_VMOP__COUNT, &p), -EINVAL);
	assert_int_equal(nvo3_vm_plan(&v, (enum nvo3_vm_op)-1, &p), -EINVAL);
	/* -EINVAL before -EPERM: an unknown op on a VM that could not
	 * take any op */
	assert_int_equal(nvo3_vm_plan(&views[V_NONE], NVO3_VMOP__COUNT, &p),
	    -EINVAL);
	v.state = NVO3_VM__COUNT;
	assert_int_equal(nvo3_vm_plan(&v, NVO3_VMOP_PAUSE, &p), -EINVAL);
	v = views[V_RUN];
	v.dir = (enum nvo3_vm_dir)3;
	assert_int_equal(nvo3_vm_plan(&v, NVO3_VMOP_PAUSE, &p), -EINVAL);
	v = views[V_RUN];
	v.hold = (enum nvo3_vm_hold)3;
	assert_int_equal(nvo3_vm_plan(&v, NVO3_VMOP_PAUSE, &p), -EINVAL);
	/* a direction outside migrating, migrating without one */
	v = views[V_RUN];
	v.dir = NVO3_VM_DIR_OUT;
	assert_int_equal(nvo3_vm_plan(&v, NVO3_VMOP_PAUSE, &p), -EINVAL);
	v = views[V_MOUT];
	v.dir = NVO3_VM_DIR_NONE;
	assert_int_equal(nvo3_vm_plan(&v, NVO3_VMOP_MIGRATE_DONE, &p),
	    -EINVAL);
	assert_memory_equal(&p, &untouched, sizeof(p));
}

/* The planner reads the view only: v and p may even be the same
 * caller's copy afterwards; check the view is not written. */
static void
test_view_const(void **state)
{
	struct nvo3_vm_view v = views[V_RUN];
	struct nvo3_vm_plan p;

	(void)state;
	assert_int_equal(nvo3_vm_plan(&v, NVO3_VMOP_SHUTDOWN, &p), 0);
	assert_true(view_eq(&v, &views[V_RUN]));
}

static void
test_names(void **state)
{
	unsigned i, j;

	(void)state;
	for (i = 0; i < NVO3_VMOP__COUNT; i++) {
		assert_non_null(nvo3_vm_op_names[i]);
		assert_int_equal(nvo3_vm_op_from_name(nvo3_vm_op_names[i]),
		    (int)i);
		for (j = 0; j < i; j++)
			assert_string_not_equal(nvo3_vm_op_names[i],
			    nvo3_vm_op_names[j]);
	}
	for (i = 0; i < NVO3_VM__COUNT; i++) {
		assert_non_null(nvo3_vm_state_names[i]);
		assert_int_equal(nvo3_vm_state_from_name(
		    nvo3_vm_state_names[i]), (int)i);
	}
	for (i = 0; i < 3; i++) {
		assert_non_null(nvo3_vm_dir_names[i]);
		assert_non_null(nvo3_vm_hold_names[i]);
	}
	assert_string_equal(nvo3_vm_op_names[NVO3_VMOP_MIGRATE_DONE],
	    "migrate-done");
	assert_string_equal(nvo3_vm_op_names[NVO3_VMOP_COLD_IN], "cold-in");
	assert_string_equal(nvo3_vm_state_names[NVO3_VM_RUNNING], "running");
	assert_string_equal(nvo3_vm_state_names[NVO3_VM_NONE], "none");
	assert_string_equal(nvo3_vm_dir_names[NVO3_VM_DIR_IN], "in");
	assert_string_equal(nvo3_vm_hold_names[NVO3_HOLD_ACTIVATED],
	    "activated");
	assert_int_equal(nvo3_vm_op_from_name("migrate_done"), -1);
	assert_int_equal(nvo3_vm_op_from_name("Start"), -1);
	assert_int_equal(nvo3_vm_op_from_name("star"), -1);
	assert_int_equal(nvo3_vm_op_from_name(""), -1);
	assert_int_equal(nvo3_vm_op_from_name(NULL), -1);
	assert_int_equal(nvo3_vm_state_from_name("RUNNING"), -1);
	assert_int_equal(nvo3_vm_state_from_name("other"), -1);
	assert_int_equal(nvo3_vm_state_from_name(NULL), -1);
}

/* The restated rule itself: a few pairs it must refuse. */
static void
test_reason_rule(void **state)
{
	(void)state;
	assert_true(consistent(PA, 0, NVO3_REASON_CREATE));
	assert_false(consistent(DA, 0, NVO3_REASON_CREATE));
	assert_false(consistent(PA, 0, NVO3_REASON_MIG_IN_PREPARE));
	assert_false(consistent(AS, M, NVO3_REASON_MIG_IN_PREPARE));
	assert_false(consistent(DA, M, NVO3_REASON_MIG_OUT));
	assert_false(consistent(DA, S, NVO3_REASON_MIG_ABORT));
	assert_false(consistent(PA, 0, NVO3_REASON_RESUME));
	assert_false(consistent(0, 0, NVO3_REASON_UNSPEC));
	assert_false(consistent(AS, 0, NVO3_REASON_MAX + 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reason_rule),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_exact_plans),
		cmocka_unit_test(test_exact_plans_cover_matrix),
		cmocka_unit_test(test_einval),
		cmocka_unit_test(test_view_const),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
