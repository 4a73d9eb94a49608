/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan: every syscall the policy mentions, with its base action, its
 * argument rules in the order they are tried, and where each came from.
 * Built by ir.c; read by the seccomp backend, `show` and `explain`.
 */
#ifndef STOCKADE_PLAN_H
#define STOCKADE_PLAN_H

#include "policy.h"

struct sk_plan_rule {
	struct sk_cond conds[SK_MAX_ARGS];
	size_t nconds;
	struct sk_action action;
	struct sk_origin at;
	const char *reason;
	/* The calls this rule decides: its conditions minus every earlier rule.
	 * Regions of different actions are disjoint, so libseccomp's own
	 * evaluation order cannot change the outcome.  Left empty when the
	 * action is the filter default (nothing to emit). */
	struct sk_region region;
};

struct sk_plan_entry {
	const char *name;
	bool has_base;		/* set by allow/deny; otherwise the default applies */
	struct sk_action base;
	struct sk_origin base_at;
	const char *via;	/* the @group that allow/deny named, or NULL */
	struct sk_plan_rule *rules;
	size_t nrules;
	struct sk_region base_region; /* where no rule matches; empty if the base is the default */
};

struct stockade_plan {
	char *name;
	bool seccomp_enabled;
	struct sk_action default_action;
	struct sk_origin default_at;
	enum sk_compat compat;
	struct sk_origin compat_at;
	struct sk_plan_entry *entries; /* sorted by name, only syscalls the policy mentions */
	size_t nentries;
	char **strings; /* copies of origin names and reasons the plan points into */
	size_t nstrings;
};

struct sk_verdict {
	struct sk_action action;
	struct sk_origin at; /* file is NULL for the built-in fallback */
	const char *via;
	const char *reason;
	const struct sk_plan_rule *rule; /* the rule that decided, or NULL */
};

const struct sk_plan_entry *sk_plan_lookup(const stockade_plan *plan, const char *name);
/* What the plan does with `name(args)`, by the policy's own semantics (no BPF). */
void sk_plan_decide(const stockade_plan *plan, const char *name, const uint64_t args[SK_MAX_ARGS],
		    struct sk_verdict *out);
/* The action a syscall gets when no argument matters (entries without rules). */
struct sk_action sk_plan_entry_base(const stockade_plan *plan, const struct sk_plan_entry *e);

#endif
