/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BPF generator against the plan on rule sets larger than the presets':
 * every rule of a syscall must reach the filter (a fixed-size piece table
 * once dropped the 73rd and later rules without a word).
 */
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "analysis.h"
#include "plan.h"
#include "sim.h"

TEST(bpf_gen_keeps_every_rule)
{
	char *text = malloc(200 * 120), *p = text;
	stockade_policy *pol = NULL;
	stockade_plan *plan = NULL;
	void *prog = NULL;
	size_t bytes = 0;
	int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, "getpriority");

	p += sprintf(p, "version: 1\nseccomp:\n  default_action: allow\n  rules:\n");
	for (int i = 0; i < 200; i++)
		p += sprintf(p, "    - {syscall: getpriority, args: [\"arg1 == %d\"], action: \"errno:%d\"}\n", i,
			     1 + i % 2);
	CHECK(stockade_policy_new(&pol, NULL) == 0);
	CHECK(stockade_policy_add_text(pol, "many.yaml", text, strlen(text), NULL) == 0);
	CHECK(stockade_plan_build(pol, &plan, NULL) == 0);
	CHECK(plan && stockade_plan_compile_bpf(plan, SCMP_ARCH_X86_64, &prog, &bytes, NULL) == 0);
	for (uint64_t v = 0; plan && prog && v <= 201; v++) {
		struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64, .args = { 0, v } };
		struct sk_sim_result res;
		struct sk_verdict want;
		struct sk_action got;

		const uint64_t args[SK_MAX_ARGS] = { d.args[0], d.args[1] };

		sk_plan_decide(plan, "getpriority", args, &want);
		CHECK(sk_sim_run(prog, bytes / sizeof(struct sock_filter), &d, &res) == 0);
		CHECK_MSG(sk_action_from_ret(res.ret, &got) == 0 && sk_action_eq(got, want.action),
			  "arg1 = %llu: filter returns %#x", (unsigned long long)v, res.ret);
	}
	free(prog);
	stockade_plan_free(plan);
	stockade_policy_free(pol);
	free(text);
}
