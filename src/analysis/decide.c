/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade_plan_decide(): what a plan decides for one call, who decided it,
 * and whether the compiled filter agrees (run in the simulator), for an
 * embedder.  `stockade explain` is the same question asked from the CLI.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"

struct stockade_decision {
	struct sk_explanation ex;
	char action[48];
};

int stockade_plan_decide(const stockade_plan *plan, uint32_t arch, const char *syscall, const uint64_t args[6],
			 stockade_decision **out, stockade_error **err)
{
	static const uint64_t zero[SK_MAX_ARGS];
	struct sk_filter_prog f;
	stockade_decision *d;
	int ret;

	*out = NULL;
	if (!syscall)
		return sk_error(err, EINVAL, "no system call named");
	if (arch == 0)
		arch = seccomp_arch_native();
	if (!stockade_arch_name(arch))
		return sk_error(err, EINVAL, "unsupported architecture token 0x%x", arch);
	if (!(d = calloc(1, sizeof(*d))))
		return sk_error(err, ENOMEM, "out of memory");
	ret = sk_filter_compile(plan, arch, &f, err);
	if (ret == 0) {
		ret = sk_explain(plan, &f, syscall, args ? args : zero, &d->ex, err);
		sk_filter_release(&f);
	}
	if (ret < 0) {
		free(d);
		return ret;
	}
	sk_action_format(d->ex.verdict.action, d->action, sizeof(d->action));
	*out = d;
	return 0;
}

void stockade_decision_free(stockade_decision *d)
{
	free(d);
}

const char *stockade_decision_action(const stockade_decision *d)
{
	return d->action;
}

int stockade_decision_errno(const stockade_decision *d)
{
	return d->ex.verdict.action.type == SK_ACT_ERRNO ? d->ex.verdict.action.errnum : 0;
}

const char *stockade_decision_origin(const stockade_decision *d, int *line, int *column)
{
	if (line)
		*line = d->ex.verdict.at.line;
	if (column)
		*column = d->ex.verdict.at.column;
	return d->ex.verdict.at.file;
}

const char *stockade_decision_reason(const stockade_decision *d)
{
	return d->ex.verdict.reason;
}

const char *stockade_decision_group(const stockade_decision *d)
{
	return d->ex.verdict.via;
}

int stockade_decision_nr(const stockade_decision *d)
{
	return d->ex.nr;
}

int stockade_decision_filter_agrees(const stockade_decision *d)
{
	return d->ex.agree;
}
