/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The seccomp layer of the enforcement status: what the filter that goes
 * with what Landlock enforced decides (exec.c picks that filter), as counts
 * the CLI words.
 */
#include <string.h>

#include "plan/plan.h"
#include "run/exec.h"

/* rep->seccomp for the plan that will be loaded. */
const char *const sk_outside_calls[] = { "prlimit64",	  "setpriority",	 "ioprio_set",
					  "sched_setaffinity", "sched_setscheduler", "sched_setparam",
					  "sched_setattr",     "process_madvise",    "migrate_pages",
					  "move_pages",	       "kcmp",		     NULL };

/* Which of sk_outside_calls the filter lets act on another process: each
 * asked with pid 1 (setpriority and ioprio_set: who 1, of a process). */
static unsigned outside_open(const stockade_plan *plan)
{
	unsigned open = 0;

	for (unsigned i = 0; sk_outside_calls[i]; i++) {
		const char *name = sk_outside_calls[i];
		uint64_t args[SK_MAX_ARGS] = { 1, 1, 0, 0, 0, 0 };
		struct sk_verdict v;

		if (!strcmp(name, "setpriority"))
			args[0] = 0; /* PRIO_PROCESS */
		if (!plan->seccomp_enabled) {
			open |= 1u << i;
			continue;
		}
		sk_plan_decide(plan, name, args, &v);
		if (v.action.type == SK_ACT_ALLOW || v.action.type == SK_ACT_LOG)
			open |= 1u << i;
	}
	return open;
}

void sk_enforcement_seccomp(const stockade_plan *plan, struct sk_enforcement *rep)
{
	struct sk_enforcement_item *it = &rep->seccomp;

	rep->outside_open = outside_open(plan);

	it->weaker = false;
	it->gaps = 0;
	rep->decided = rep->arg_rules = 0;
	rep->default_action = plan->default_action;
	rep->compat = plan->compat;
	if (!plan->seccomp_enabled) {
		it->level = SK_LEVEL_OFF;
		return;
	}
	for (size_t i = 0; i < plan->nentries; i++) {
		const struct sk_plan_entry *e = &plan->entries[i];
		rep->arg_rules += e->nrules;
		if (!e->nrules && !sk_action_eq(sk_plan_entry_base(plan, e), plan->default_action))
			rep->decided++;
	}
	it->level = SK_LEVEL_FULL;
}
