/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef STOCKADE_SECCOMP_BACKEND_H
#define STOCKADE_SECCOMP_BACKEND_H

#include "plan/plan.h"

#include <linux/filter.h>

/* What the filter returns for a plan action: the action itself, or a user
 * notification when the plan is a supervisor's copy (plan->notify). */
uint32_t sk_filter_action(const stockade_plan *plan, struct sk_action a);
/* What calls through an architecture the filter does not cover get. */
uint32_t sk_filter_badarch(const stockade_plan *plan);

/* Generate the filter for `arch` (0 = native) from the plan's regions
 * (bpf_gen.c); the caller frees *prog.  This is what is loaded and
 * exported, and what the review listing shows (bpf_disasm.c): libseccomp's
 * own rule merging mis-compiles some rule sets. */
int sk_bpf_generate(const stockade_plan *plan, uint32_t arch, struct sock_filter **prog, size_t *len,
		    stockade_error **err);

/* The filter of a plan for a consumer with no Landlock beside it (export,
 * explain, stats): the TCP fallback when the plan has one, and a filter
 * that allows everything when seccomp is disabled. */
int sk_bpf_generate_standalone(const stockade_plan *plan, uint32_t arch, struct sock_filter **prog, size_t *len,
			       stockade_error **err);

/* Compile for the native arch and load into the calling process. */
int sk_seccomp_load(const stockade_plan *plan, stockade_error **err);

#endif
