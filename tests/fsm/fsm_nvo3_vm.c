/*
 * fsm_nvo3_vm.c - transcript driver for the VM lifecycle planner
 * (lib/nvo3/vm.c).  Reads a script on stdin, prints a transcript on
 * stdout; scripts and goldens are in tests/fsm/nvo3_vm/.  The driver
 * plays tnved's part: it asks for a plan, shows the VM in the plan's
 * "during" state while the NVE answers, and applies the success or the
 * failure the script says the NVE gave.
 *
 * Script words (one command per line):
 *   OP | op OP           plan operation OP (a name of nvo3_vm_op_names,
 *                        or a number for an unknown one) for the VM as
 *                        it is; a plan that sends nothing applies at once
 *   ok                   the NVE confirmed: the VM takes the plan's ok
 *   fail                 the NVE refused (or timed out): the VM takes
 *                        the plan's fail view after the undo request
 *   view STATE [dir=D] [hold=H] [arrived]
 *                        set the VM's view (tnved restarted from its
 *                        state directory, or a state a script needs)
 *   # ...                comment, echoed
 * Transcript: "> line", then for a plan "= rc" and, when rc is 0,
 *   send MODE HINTS REASON [best-effort]   the request every TSI gets
 *   (send nothing [best-effort]            none: applied at once)
 *   during STATE[/DIR]                     shown while the NVE answers
 *   ok VIEW / fail VIEW                    where the VM ends
 *   undo MODE HINTS REASON | undo nothing  after a failure
 * and after every command the VM: "vm VIEW", VIEW being
 * "STATE[/DIR] hold=HOLD[ arrived]" or "(removed)".  MODE is none,
 * pre-assoc, assoc or de-assoc; HINTS "-", "M" or "S".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ext/nvo3_ext_codes.h"
#include "nvo3/vm.h"
#include "vdp/vdp.h"

#define MAXW	8

static struct nvo3_vm_view cur;
static struct nvo3_vm_plan plan;
static int pending;

static const char *const reason_names[NVO3_REASON_MAX + 1] = {
	[NVO3_REASON_UNSPEC] = "unspec",
	[NVO3_REASON_CREATE] = "create",
	[NVO3_REASON_MIG_IN_PREPARE] = "mig-in-prepare",
	[NVO3_REASON_MIG_IN_ACTIVATE] = "mig-in-activate",
	[NVO3_REASON_MIG_OUT] = "mig-out",
	[NVO3_REASON_MIG_ABORT] = "mig-abort",
	[NVO3_REASON_SHUTDOWN] = "shutdown",
	[NVO3_REASON_PAUSE] = "pause",
	[NVO3_REASON_RESUME] = "resume",
};

static __attribute__((noreturn)) void
die(int lineno, const char *why)
{
	fprintf(stderr, "script line %d: %s\n", lineno, why);
	exit(2);
}

static int
split(char *line, char **w)
{
	int n = 0;
	char *p = strtok(line, " \t\r\n");

	while (p && n < MAXW) {
		w[n++] = p;
		p = strtok(NULL, " \t\r\n");
	}
	return n;
}

static const char *
errname(int e)
{
	static char buf[16];

	switch (e) {
	case -EPERM:
		return "-EPERM";
	case -EINVAL:
		return "-EINVAL";
	default:
		snprintf(buf, sizeof(buf), "%d", e);
		return buf;
	}
}

static const char *
mode_name(uint8_t mode)
{
	switch (mode) {
	case 0:
		return "none";
	case VDP_TLV_PREASSOC:
		return "pre-assoc";
	case VDP_TLV_ASSOC:
		return "assoc";
	case VDP_TLV_DEASSOC:
		return "de-assoc";
	default:
		return "?";
	}
}

static const char *
hints_name(uint8_t hints)
{
	switch (hints) {
	case 0:
		return "-";
	case VDP_ST_MBIT:
		return "M";
	case VDP_ST_SBIT:
		return "S";
	default:
		return "?";
	}
}

static const char *
reason_name(uint8_t reason)
{
	return reason <= NVO3_REASON_MAX ? reason_names[reason] : "?";
}

static void
print_view(const char *label, const struct nvo3_vm_view *v)
{
	printf("  %s ", label);
	if (v->state == NVO3_VM_NONE) {
		printf("(removed)\n");
		return;
	}
	printf("%s", nvo3_vm_state_names[v->state]);
	if (v->dir != NVO3_VM_DIR_NONE)
		printf("/%s", nvo3_vm_dir_names[v->dir]);
	printf(" hold=%s%s\n", nvo3_vm_hold_names[v->hold],
	    v->arrived ? " arrived" : "");
}

static void
print_plan(const struct nvo3_vm_plan *p)
{
	if (p->mode == 0)
		printf("  send nothing%s\n",
		    p->best_effort ? " best-effort" : "");
	else
		printf("  send %s %s %s%s\n", mode_name(p->mode),
		    hints_name(p->hints), reason_name(p->reason),
		    p->best_effort ? " best-effort" : "");
	printf("  during %s", nvo3_vm_state_names[p->during]);
	if (p->during_dir != NVO3_VM_DIR_NONE)
		printf("/%s", nvo3_vm_dir_names[p->during_dir]);
	printf("\n");
	print_view("ok", &p->ok);
	print_view("fail", &p->fail);
	if (p->undo_mode == 0)
		printf("  undo nothing\n");
	else
		printf("  undo %s %s %s\n", mode_name(p->undo_mode),
		    hints_name(p->undo_hints), reason_name(p->undo_reason));
}

static void
do_op(int lineno, const char *name)
{
	char *end;
	int op, rc;

	if (pending)
		die(lineno, "an operation is waiting for ok or fail");
	op = nvo3_vm_op_from_name(name);
	if (op < 0) {
		op = (int)strtol(name, &end, 10);
		if (*name == '\0' || *end != '\0')
			die(lineno, "unknown operation");
	}
	rc = nvo3_vm_plan(&cur, (enum nvo3_vm_op)op, &plan);
	printf("  = %s\n", rc == 0 ? "0" : errname(rc));
	if (rc != 0)
		return;
	print_plan(&plan);
	if (plan.mode == 0) {
		cur = plan.ok;
		return;
	}
	cur.state = plan.during;
	cur.dir = plan.during_dir;
	pending = 1;
}

static void
do_view(int lineno, char **w, int n)
{
	int i, s;

	if (pending)
		die(lineno, "an operation is waiting for ok or fail");
	if (n < 2 || (s = nvo3_vm_state_from_name(w[1])) < 0)
		die(lineno, "view STATE [dir=D] [hold=H] [arrived]");
	memset(&cur, 0, sizeof(cur));
	cur.state = (enum nvo3_vm_state)s;
	for (i = 2; i < n; i++) {
		if (strcmp(w[i], "dir=in") == 0)
			cur.dir = NVO3_VM_DIR_IN;
		else if (strcmp(w[i], "dir=out") == 0)
			cur.dir = NVO3_VM_DIR_OUT;
		else if (strcmp(w[i], "hold=associated") == 0)
			cur.hold = NVO3_HOLD_ASSOCIATED;
		else if (strcmp(w[i], "hold=activated") == 0)
			cur.hold = NVO3_HOLD_ACTIVATED;
		else if (strcmp(w[i], "hold=none") == 0)
			cur.hold = NVO3_HOLD_NONE;
		else if (strcmp(w[i], "arrived") == 0)
			cur.arrived = true;
		else
			die(lineno, "unknown view word");
	}
}

int
main(void)
{
	char line[256], copy[256];
	char *w[MAXW];
	int lineno = 0, n;

	while (fgets(line, sizeof(line), stdin) != NULL) {
		lineno++;
		if (line[0] == '#') {
			fputs(line, stdout);
			continue;
		}
		snprintf(copy, sizeof(copy), "%s", line);
		copy[strcspn(copy, "\r\n")] = '\0';
		if ((n = split(line, w)) == 0)
			continue;
		printf("> %s\n", copy);
		if (strcmp(w[0], "ok") == 0 || strcmp(w[0], "fail") == 0) {
			if (!pending)
				die(lineno, "no operation waits for the NVE");
			if (w[0][0] == 'o') {
				cur = plan.ok;
			} else {
				if (plan.undo_mode != 0)
					printf("  undo sent: %s %s %s\n",
					    mode_name(plan.undo_mode),
					    hints_name(plan.undo_hints),
					    reason_name(plan.undo_reason));
				cur = plan.fail;
			}
			pending = 0;
		} else if (strcmp(w[0], "view") == 0) {
			do_view(lineno, w, n);
		} else if (strcmp(w[0], "op") == 0) {
			if (n != 2)
				die(lineno, "op NAME");
			do_op(lineno, w[1]);
		} else {
			if (n != 1)
				die(lineno, "one word per operation");
			do_op(lineno, w[0]);
		}
		print_view("vm", &cur);
	}
	if (pending)
		die(lineno, "script ends with an operation waiting");
	return 0;
}
