/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef STOCKADE_SECCOMP_BACKEND_H
#define STOCKADE_SECCOMP_BACKEND_H

#include "plan/plan.h"

#include <linux/filter.h>

/* What the filter returns for a plan action: the action itself, or a user
 * notification when the plan is a supervisor's copy (plan->notify). */
uint32_t sk_filter_action(enum sk_notify_mode notify, struct sk_action a);

/*
 * A supervisor's filter: which denials notify (mode), and the syscalls it
 * mediates (run/mediate.h): wherever the plan lets one of those through
 * (allow or log), the filter notifies instead, and the supervisor answers
 * the call itself.  Nothing else changes: a syscall the supervisor does not
 * mediate is decided in the kernel exactly as without it.
 */
struct sk_notify {
	enum sk_notify_mode mode;
	const char *const *mediate; /* syscall names */
	size_t nmediate;
};
/* The usual mediation: a run without namespaces mediating connects (to
 * host daemons' unix sockets) in plain enforcement, and io_uring_setup
 * with them (run/mediate.c).  A built-in preset's plan carries its
 * notifying filter for this set, generated at build time (plan->mbpf). */
extern const char *const sk_usual_mediation[2];
/* Is nt exactly that: plain enforcement, those syscalls (in any order)? */
bool sk_notify_is_usual(const struct sk_notify *nt);
/* Is `name` among nt's mediated syscalls? */
bool sk_mediated(const struct sk_notify *nt, const char *name);
/* sk_filter_action(), for a syscall that is mediated or not. */
uint32_t sk_filter_action_for(const struct sk_notify *nt, bool mediated, struct sk_action a);
/* What calls through an architecture the filter does not cover get. */
uint32_t sk_filter_badarch(enum sk_notify_mode notify);

/* Generate the filter for `arch` (0 = native) from the plan's regions
 * (bpf_gen.c); the caller frees *prog.  This is what is loaded and
 * exported, and what the review listing shows (bpf_disasm.c): libseccomp's
 * own rule merging mis-compiles some rule sets. */
int sk_bpf_generate(const stockade_plan *plan, uint32_t arch, struct sock_filter **prog, size_t *len,
		    stockade_error **err);
/* The same with denials turned into user notifications, as `notify` says
 * (a supervisor's filter). */
int sk_bpf_generate_notify(const stockade_plan *plan, enum sk_notify_mode notify, uint32_t arch, struct sock_filter **prog,
			   size_t *len, stockade_error **err);
/* The same with mediated syscalls notifying where the plan allows them. */
int sk_bpf_generate_mediated(const stockade_plan *plan, const struct sk_notify *nt, uint32_t arch,
			     struct sock_filter **prog, size_t *len, stockade_error **err);

/* The plan of a disabled filter, as an exported one says it: every call of
 * every ABI allowed (name and default origin taken from `plan`). */
stockade_plan sk_plan_allow_all(const stockade_plan *plan);
/* The filter of a plan for a consumer with no Landlock beside it (export,
 * explain, stats): the TCP fallback when the plan has one, and a filter
 * that allows everything when seccomp is disabled. */
int sk_bpf_generate_standalone(const stockade_plan *plan, uint32_t arch, struct sock_filter **prog, size_t *len,
			       stockade_error **err);

/* The native filter to load for `plan` (nothing when seccomp is disabled
 * and nothing notifies: *prog NULL): the built-in preset's (plan->bpf, or
 * plan->mbpf for the usual mediation), which *borrowed
 * says the caller must not free, or generated now.  Audit mode without
 * notifications is refused. */
int sk_seccomp_filter(const stockade_plan *plan, const struct sk_notify *nt, struct sock_filter **prog, size_t *len,
		      bool *borrowed, stockade_error **err);
/* For the preset generator (tools/gen_presets.c), while it builds a
 * plan: generate and keep plan->bpf and plan->mbpf, and its fallback's. */
int sk_plan_attach_filters(stockade_plan *plan, stockade_error **err);
/* Load a filter into the calling process, every thread (TSYNC). */
int sk_seccomp_load(const struct sock_filter *prog, size_t len, stockade_error **err);
/* A second filter refusing kill() of a process group or of every process
 * (pid <= 0) with EPERM: where Landlock cannot scope signals (seccomp.c). */
int sk_seccomp_load_group_kill_fence(stockade_error **err);

#endif
