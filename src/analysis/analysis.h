/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Looking at a policy without running it: argument vectors that exercise
 * every rule (argvec.c), the verdict for one call and who is responsible
 * (explain.c), what the run does with one path (fs_explain.c), and what
 * the compiled filter costs (stats.c).  All of it runs
 * compiled filters in the simulator (sim.c), never in the kernel.
 */
#ifndef STOCKADE_ANALYSIS_H
#define STOCKADE_ANALYSIS_H

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "plan/fs_eval.h"
#include "plan/plan.h"
#include "seccomp/argvec.h"

/* What a SECCOMP_RET_* value means as an action; -EINVAL for the ones a
 * stockade policy never produces (TRACE, USER_NOTIF). */
int sk_action_from_ret(uint32_t ret, struct sk_action *out);

/* ---- a compiled filter in the simulator ---- */

struct sk_filter_prog {
	struct sock_filter *insns;
	size_t len;
	uint32_t arch;
};

/* Compile (sk_bpf_generate_standalone: a disabled plan allows everything). */
int sk_filter_compile(const stockade_plan *plan, uint32_t arch, struct sk_filter_prog *out, stockade_error **err);
void sk_filter_release(struct sk_filter_prog *f);
/* Run it on one call of `abi` (the filter's arch or one of its compat
 * arches).  Returns 0 or -EINVAL. */
int sk_filter_run(const struct sk_filter_prog *f, uint32_t abi, int nr, const uint64_t args[SK_MAX_ARGS],
		  uint32_t *ret, unsigned *executed);

/* ---- explain.c ---- */

struct sk_explanation {
	struct sk_verdict verdict; /* by the policy's own semantics */
	int nr;
	uint32_t ret;		   /* what the compiled filter returned */
	struct sk_action action;   /* ... as an action */
	unsigned executed;	   /* instructions it ran */
	bool agree;		   /* policy and filter say the same */
};

/* Explain `name(args)` on the filter's arch.  -ENOENT if the call does not
 * exist there. */
int sk_explain(const stockade_plan *plan, const struct sk_filter_prog *f, const char *name,
	       const uint64_t args[SK_MAX_ARGS], struct sk_explanation *out, stockade_error **err);
/* "presets/agent.yaml:58:7" / "./p.yaml:12:7" / "the built-in default". */
const char *sk_origin_describe(const struct sk_origin *o, char *buf, size_t size);

/* ---- explain --path (fs_explain.c) ---- */

/* `path` (absolute, or relative to the working directory) leads, through
 * a link on the way, into this process's own /proc (/dev/stdin ->
 * /proc/self/fd/0, /dev/fd/N): the first such link and its target are
 * copied out.  Resolved here, it would name explain's own descriptors, not
 * the command's. */
bool sk_explain_self_link(const char *path, char *link, size_t lsize, char *target, size_t tsize);
/* sk_fs_decide() on `path` (canonical) as the run enforces it: besides the
 * lists, a directory under a readable one is listed (READ_DIR is
 * inherited, also into carve-outs: `ls /dev` under agent). */
void sk_explain_fs(const struct sk_fs_index *ix, const char *path, enum sk_fs_op op, const char *from,
		   struct sk_fs_verdict *out);

/* ---- stats.c ---- */

/* The kernel's action cache test (kernel/seccomp.c, seccomp_is_const_allow):
 * does the filter allow `nr` on `audit_arch` without ever reading an
 * argument or the instruction pointer? */
bool sk_filter_const_allow(const struct sock_filter *prog, size_t len, uint32_t audit_arch, int nr);

struct sk_stats_call {
	int nr;
	char *name;
	unsigned path;	   /* instructions for all-zero arguments */
	unsigned longest;  /* over every probe vector */
	bool const_allow;  /* the kernel caches it: no filter run at all */
	bool allowed_zero; /* allowed with all-zero arguments */
};

struct sk_stats {
	uint32_t arch;
	size_t insns;
	struct sk_stats_call *calls; /* every syscall of the arch, by number */
	size_t ncalls;
	unsigned longest;
	const struct sk_stats_call *longest_call;
	struct sk_argvec longest_args;
	double mean; /* mean of `path` over calls */
	size_t nconst;
};

int sk_stats_compute(const stockade_plan *plan, uint32_t arch, struct sk_stats *out, stockade_error **err);
void sk_stats_free(struct sk_stats *s);

#endif
