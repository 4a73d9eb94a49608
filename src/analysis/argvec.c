/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SECCOMP_RET_* values as actions, and compiled filters run in the
 * simulator (the argument vectors are seccomp/argvec.c's).
 */
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "seccomp/seccomp.h"
#include "seccomp/sim.h"


int sk_action_from_ret(uint32_t ret, struct sk_action *out)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		*out = (struct sk_action){ .type = SK_ACT_KILL_PROCESS };
		return 0;
	case SECCOMP_RET_KILL_THREAD:
		*out = (struct sk_action){ .type = SK_ACT_KILL_THREAD };
		return 0;
	case SECCOMP_RET_TRAP:
		*out = (struct sk_action){ .type = SK_ACT_TRAP };
		return 0;
	case SECCOMP_RET_ERRNO:
		*out = (struct sk_action){ .type = SK_ACT_ERRNO, .errnum = (int)(ret & SECCOMP_RET_DATA) };
		return 0;
	case SECCOMP_RET_LOG:
		*out = (struct sk_action){ .type = SK_ACT_LOG };
		return 0;
	case SECCOMP_RET_ALLOW:
		*out = (struct sk_action){ .type = SK_ACT_ALLOW };
		return 0;
	default:
		return -EINVAL;
	}
}

/* ---- compiled filters ---- */

int sk_filter_compile(const stockade_plan *plan, uint32_t arch, struct sk_filter_prog *out, stockade_error **err)
{
	struct sock_filter *insns = NULL;
	size_t len = 0;
	int ret;

	*out = (struct sk_filter_prog){ 0 };
	if (arch == 0)
		arch = seccomp_arch_native();
	ret = sk_bpf_generate_standalone(plan, arch, &insns, &len, err);
	if (ret < 0)
		return ret;
	if (sk_sim_check(insns, len) < 0) {
		free(insns);
		return sk_error(err, EINVAL, "the compiled filter is not a valid seccomp program");
	}
	out->insns = insns;
	out->len = len;
	out->arch = arch;
	return 0;
}

void sk_filter_release(struct sk_filter_prog *f)
{
	free(f->insns);
	*f = (struct sk_filter_prog){ 0 };
}

int sk_filter_run(const struct sk_filter_prog *f, uint32_t abi, int nr, const uint64_t args[SK_MAX_ARGS],
		  uint32_t *ret, unsigned *executed)
{
	struct seccomp_data d = { .nr = nr, .arch = sk_audit_arch(abi) };
	struct sk_sim_result r;
	int rc;

	for (int i = 0; i < SK_MAX_ARGS; i++)
		d.args[i] = sk_arch_args32(abi) ? (uint32_t)args[i] : args[i];
	rc = sk_sim_run(f->insns, f->len, &d, &r);
	if (rc < 0)
		return rc;
	*ret = r.ret;
	if (executed)
		*executed = r.executed;
	return 0;
}
