/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Programs (exec.c): a plan compiled for this kernel and this process, then
 * applied (no_new_privs, Landlock, seccomp) and exec'd.
 */
#ifndef STOCKADE_EXEC_H
#define STOCKADE_EXEC_H

#include <linux/filter.h>

#include "plan/plan.h"
#include "seccomp/seccomp.h"

struct stockade_program {
	const stockade_plan *plan;	  /* borrowed: outlives the program */
	const stockade_plan *filter_plan; /* plan, or plan->net_fallback where Landlock cannot limit TCP ports */
	enum sk_notify_mode notify;	  /* a supervisor's filter: which denials notify */
	int ruleset;			  /* Landlock ruleset, close-on-exec; -1 if none */
	struct sock_filter *bpf;	  /* the native filter; NULL when seccomp is disabled */
	size_t bpf_len;
	bool bpf_borrowed;		  /* bpf is filter_plan->bpf (a built-in preset's) */
	struct stockade_status status;	  /* what this kernel enforces (status.rep.applied: false) */
};

/* stockade_program_new() with a supervisor's filter: which denials notify,
 * which syscalls it mediates (nt is only read during the call). */
int sk_program_new(const stockade_plan *plan, const struct sk_notify *nt, stockade_program **out,
		   stockade_error **err);
/* Everything stockade_program_apply() does but loading the filter, for a
 * supervisor that loads prog->bpf itself (with a listener). */
int sk_program_apply_but_seccomp(const stockade_program *prog, stockade_error **err);
/* stockade_program_exec(), calling `applied` (if not NULL) with what was
 * enforced between confinement and execve. */
int sk_program_exec(const stockade_program *prog, char *const argv[],
		    void (*applied)(const struct sk_enforcement *rep, void *ctx), void *ctx, stockade_error **err);

/* What applying the plan would enforce here, without confining anything
 * (builds, and throws away, the ruleset and the filter: their errors show). */
int sk_plan_dry_run(const stockade_plan *plan, struct sk_enforcement *rep, stockade_error **err);
/* A program made, applied (with `applied` called) and exec'd. */
/* For a one-shot caller (the CLI) that applied the plan's environment
 * rules itself and adds only variables of its own after (STOCKADE_*, the
 * caches', the proxy's): the exec path does not apply them a second time.
 * The public calls never mark a plan so. */
void sk_environment_applied(const stockade_plan *plan);
/* stockade_plan_apply_environment(), and with whys (if not NULL) why each
 * of *dropped went: NULL for a drop pattern, else what the value rule
 * (drop_values: credentials) saw, a static phrase; free the array alone. */
int sk_apply_environment(const stockade_plan *plan, char ***dropped, const char ***whys, stockade_error **err);
/* What the value of a variable is, when it is a credential (env_values.c):
 * "a URL with a password", "a GitHub token", ...; NULL otherwise. */
const char *sk_env_credential_value(const char *value);
/* Whether the plan's last drop_values says credentials. */
bool sk_env_drop_values(const stockade_plan *plan);
int sk_exec_report(const stockade_plan *plan, char *const argv[],
		   void (*applied)(const struct sk_enforcement *rep, void *ctx), void *ctx, stockade_error **err);

/* rep->caps: what dropping the capabilities the plan does not keep will
 * achieve for this process (caps.c). */
void sk_enforcement_caps(const stockade_plan *plan, struct sk_enforcement *rep);
/* Drop every capability the plan does not keep (caps.c): the first step
 * of an apply.  0 when the plan keeps all. */
int sk_caps_apply(const stockade_plan *plan, stockade_error **err);

/* rep->seccomp for the plan whose filter will be loaded (status.c). */
void sk_enforcement_seccomp(const stockade_plan *plan, struct sk_enforcement *rep);

#endif
