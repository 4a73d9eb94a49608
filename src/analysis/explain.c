/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a policy does with one call, and why.  Two answers are computed and
 * must agree: the policy's own semantics (sk_plan_decide: which rule or
 * allow/deny entry decides, and where it was written) and the compiled
 * filter run in the simulator (what the kernel would actually do).  A
 * disagreement is a compiler bug, and explain says so.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "analysis/analysis.h"

const char *sk_origin_describe(const struct sk_origin *o, char *buf, size_t size)
{
	if (!o->file)
		snprintf(buf, size, "the built-in default");
	else if (o->line)
		snprintf(buf, size, "%s:%d:%d", o->file, o->line, o->column);
	else
		snprintf(buf, size, "%s", o->file);
	return buf;
}

int sk_explain(const stockade_plan *plan, const struct sk_filter_prog *f, const char *name,
	       const uint64_t args[SK_MAX_ARGS], struct sk_explanation *out, stockade_error **err)
{
	uint64_t a[SK_MAX_ARGS];
	int ret;

	memset(out, 0, sizeof(*out));
	out->nr = sk_syscall_nr(f->arch, name);
	if (out->nr < 0) {
		const char *best = sk_syscall_known(name) ? NULL : sk_syscall_suggest(name);
		if (best)
			return sk_error(err, ENOENT, "`%s` is not a system call on %s; did you mean `%s`?", name,
					stockade_arch_name(f->arch), best);
		return sk_error(err, ENOENT, "`%s` is not a system call on %s", name, stockade_arch_name(f->arch));
	}
	/* A 32-bit ABI passes 32-bit arguments; the kernel zero-extends them. */
	for (int i = 0; i < SK_MAX_ARGS; i++)
		a[i] = sk_arch_args32(f->arch) ? (uint32_t)args[i] : args[i];
	sk_plan_decide(plan, name, a, &out->verdict);
	ret = sk_filter_run(f, f->arch, out->nr, a, &out->ret, &out->executed);
	if (ret < 0)
		return sk_error(err, -ret, "the simulator refused the compiled filter");
	out->agree = sk_action_from_ret(out->ret, &out->action) == 0 && sk_action_eq(out->action, out->verdict.action);
	return 0;
}
