/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Argument vectors that exercise a plan's rules (argvec.c). */
#ifndef STOCKADE_SECCOMP_ARGVEC_H
#define STOCKADE_SECCOMP_ARGVEC_H

#include "plan/plan.h"

struct sk_argvec {
	uint64_t a[SK_MAX_ARGS];
};

/* Vectors that exercise every condition of the plan's rules for `name` at
 * its boundaries (below, at, above, high word set, each mask bit flipped),
 * alone and together with the rest of its rule, plus all-zero and garbage
 * vectors.  Sorted and unique; the caller frees *out. */
int sk_probe_args(const stockade_plan *plan, const char *name, struct sk_argvec **out, size_t *n);

#endif
