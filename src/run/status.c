/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The seccomp layer of the enforcement status: what the filter that goes
 * with what Landlock enforced decides (exec.c picks that filter), as counts
 * the CLI words.
 */
#include "plan/plan.h"
#include "run/exec.h"

/* rep->seccomp for the plan that will be loaded. */
void sk_enforcement_seccomp(const stockade_plan *plan, struct sk_enforcement *rep)
{
	struct sk_enforcement_item *it = &rep->seccomp;

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
