/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The seccomp layer's line of the enforcement status: what the filter that
 * goes with what Landlock enforced decides (exec.c picks that filter).
 */
#include <stdio.h>
#include <string.h>

#include "plan/plan.h"
#include "run/exec.h"

/* rep->seccomp for the plan that will be loaded. */
void sk_enforcement_seccomp(const stockade_plan *plan, struct sk_enforcement *rep)
{
	struct sk_enforcement_item *it = &rep->seccomp;
	size_t decided = 0, rules = 0;
	char act[48];

	it->weaker = false;
	if (!plan->seccomp_enabled) {
		it->level = SK_LEVEL_OFF;
		snprintf(it->text, sizeof(it->text), "disabled by the policy (no filter)");
		return;
	}
	for (size_t i = 0; i < plan->nentries; i++) {
		const struct sk_plan_entry *e = &plan->entries[i];
		rules += e->nrules;
		if (!e->nrules && !sk_action_eq(sk_plan_entry_base(plan, e), plan->default_action))
			decided++;
	}
	it->level = SK_LEVEL_FULL;
	snprintf(it->text, sizeof(it->text),
		 "default %s; %zu syscalls decided outright, %zu argument rules; 32-bit and x32 calls %s",
		 sk_action_format(plan->default_action, act, sizeof(act)), decided, rules,
		 plan->compat == SK_COMPAT_FILTER ? "filtered the same way" : "killed");
}
