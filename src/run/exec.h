/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one apply sequence (exec.c): no_new_privs, Landlock, seccomp. */
#ifndef STOCKADE_EXEC_H
#define STOCKADE_EXEC_H

#include "plan/plan.h"

/* Everything stockade_plan_apply does except loading the seccomp filter,
 * for a supervisor that loads its own variant of it: *filter is the plan
 * whose filter goes with what Landlock could enforce (plan, or
 * plan->net_fallback). */
int sk_plan_apply_but_seccomp(const stockade_plan *plan, struct sk_enforcement *rep, const stockade_plan **filter,
			      stockade_error **err);
/* stockade_plan_apply, filling the report. */
int sk_plan_apply_report(const stockade_plan *plan, struct sk_enforcement *rep, stockade_error **err);
/* The report `sk_plan_apply_report` would give, without confining anything. */
int sk_plan_dry_run(const stockade_plan *plan, struct sk_enforcement *rep, stockade_error **err);
/* stockade_exec, calling `applied` (if not NULL) with the report between
 * confinement and execve. */
int sk_exec_report(const stockade_plan *plan, char *const argv[],
		   void (*applied)(const struct sk_enforcement *rep, void *ctx), void *ctx, stockade_error **err);

/* rep->seccomp for the plan whose filter will be loaded (status.c). */
void sk_enforcement_seccomp(const stockade_plan *plan, struct sk_enforcement *rep);

#endif
