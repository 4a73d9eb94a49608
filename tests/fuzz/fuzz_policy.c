/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: policy text -> layers -> plan -> BPF.
 *
 * Beyond "no crash, no leak, no undefined behaviour" (ASan, UBSan and
 * LeakSanitizer), every input is held to the library's contract:
 *
 *  - a failure returns -status with a message, and adds no layer (a policy
 *    is applied whole or not at all);
 *  - a plan that builds compiles to a filter the kernel would accept (or a
 *    clear error), and that filter decides every syscall the plan mentions
 *    exactly as the plan's own semantics, sk_plan_decide(), say: argument
 *    vectors at and around every rule's constants are run through the BPF
 *    simulator on x86_64 and aarch64.
 *
 * A violation abort()s, so libFuzzer saves the input as a crash.
 *
 * Build and run: make fuzz; make fuzz-run FUZZ_TIME=60.
 * Seeds: tests/fuzz/corpus/policy/; dictionary: tests/fuzz/policy.dict.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_policy: contract violated: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static void check_error(int ret, const stockade_error *err, const char *where)
{
	if (ret >= 0)
		return;
	if (!err || !err->msg || !*err->msg)
		fail(where, "failed without an error message");
	if (err->status <= 0 || ret != -err->status)
		fail(where, "return value and error status disagree");
}

/* A small deterministic generator, seeded from the input. */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define MAX_VALUES 48

/* Interesting argument values for one syscall: 0, ~0, and each constant of
 * its rules with its neighbours and mask complements. */
static size_t values_for(const struct sk_plan_entry *e, uint64_t *v)
{
	size_t n = 0;

	v[n++] = 0;
	v[n++] = ~0ULL;
	for (size_t i = 0; i < e->nrules; i++) {
		for (size_t k = 0; k < e->rules[i].nconds && n + 5 <= MAX_VALUES; k++) {
			const struct sk_cond *c = &e->rules[i].conds[k];
			v[n++] = c->value;
			v[n++] = c->value - 1;
			v[n++] = c->value + 1;
			if (c->op == SK_OP_MASKED_EQ) {
				v[n++] = c->value | ~c->mask;
				v[n++] = c->mask;
			}
		}
	}
	return n;
}

/* Fill args so that rule r's conditions hold where it is possible with the
 * value list, otherwise with random picks: both sides of every rule. */
static void pick_args(const struct sk_plan_entry *e, const uint64_t *v, size_t nv, uint64_t *seed,
		      uint64_t args[SK_MAX_ARGS])
{
	for (int a = 0; a < SK_MAX_ARGS; a++)
		args[a] = v[next(seed) % nv];
	if (e->nrules && next(seed) % 2) {
		const struct sk_plan_rule *r = &e->rules[next(seed) % e->nrules];
		for (size_t k = 0; k < r->nconds; k++)
			if (r->conds[k].op == SK_OP_EQ || r->conds[k].op == SK_OP_MASKED_EQ)
				args[r->conds[k].arg] = r->conds[k].value;
	}
}

static void differential(const stockade_plan *plan, uint32_t arch, uint64_t seed)
{
	stockade_error *err = NULL;
	void *raw = NULL;
	size_t bytes = 0, len;
	int ret;

	ret = stockade_plan_compile_bpf(plan, arch, &raw, &bytes, &err);
	check_error(ret, err, "stockade_plan_compile_bpf");
	stockade_error_free(err);
	if (ret < 0)
		return;
	const struct sock_filter *prog = raw;
	len = bytes / sizeof(*prog);
	if (sk_sim_check(prog, len) < 0) {
		/* Too long for the kernel: seccomp_load() refuses it, with an
		 * error, before the command runs.  Anything else is a bug. */
		if (len > BPF_MAXINSNS) {
			free(raw);
			return;
		}
		fail("compiled filter", "the kernel's checks would refuse it");
	}
	for (size_t i = 0; i < plan->nentries; i++) {
		const struct sk_plan_entry *e = &plan->entries[i];
		int nr = seccomp_syscall_resolve_name_arch(arch, e->name);
		uint64_t v[MAX_VALUES];
		size_t nv;
		bool shared = false;

		if (nr < 0)
			continue;
		/* Two names for one number (aliases) merge in the filter. */
		for (size_t j = 0; j < plan->nentries && !shared; j++)
			shared = j != i && seccomp_syscall_resolve_name_arch(arch, plan->entries[j].name) == nr;
		if (shared)
			continue;
		nv = values_for(e, v);
		for (int t = 0; t < 24; t++) {
			struct seccomp_data d = { .nr = nr, .arch = arch };
			struct sk_sim_result r;
			struct sk_verdict want;
			uint64_t args[SK_MAX_ARGS];

			pick_args(e, v, nv, &seed, args);
			memcpy(d.args, args, sizeof(d.args));
			if (sk_sim_run(prog, len, &d, &r) < 0)
				fail("simulator", "refused a checked program");
			sk_plan_decide(plan, e->name, args, &want);
			if (r.ret != sk_action_to_scmp(want.action)) {
				char msg[512];
				snprintf(msg, sizeof(msg),
					 "%s(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx) on %s: filter returns %#x, "
					 "the plan says %#x",
					 e->name, (unsigned long long)args[0], (unsigned long long)args[1],
					 (unsigned long long)args[2], (unsigned long long)args[3],
					 (unsigned long long)args[4], (unsigned long long)args[5],
					 stockade_arch_name(arch), r.ret, sk_action_to_scmp(want.action));
				fail("filter and plan disagree", msg);
			}
		}
	}
	free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	uint64_t seed = 0x9e3779b97f4a7c15ULL ^ size;
	int ret;

	for (size_t i = 0; i < size && i < 64; i++)
		seed = seed * 31 + data[i];
	if (!seed)
		seed = 1;
	if (stockade_policy_new(&p, &err) < 0)
		abort();
	ret = stockade_policy_add_text(p, "fuzz", (const char *)data, size, &err);
	check_error(ret, err, "stockade_policy_add_text");
	if (ret < 0) {
		if (p->nlayers != 0)
			fail("stockade_policy_add_text", "failed but left layers behind");
		goto out;
	}
	stockade_error_free(err);
	err = NULL;
	/* A command-line override on top, as `run --deny` does. */
	ret = stockade_policy_deny(p, "ptrace", NULL, &err);
	check_error(ret, err, "stockade_policy_deny");
	if (ret < 0)
		goto out;
	ret = stockade_plan_build(p, &plan, &err);
	check_error(ret, err, "stockade_plan_build");
	if (ret < 0) {
		if (plan)
			fail("stockade_plan_build", "failed but returned a plan");
		goto out;
	}
	if (plan->seccomp_enabled) {
		differential(plan, SCMP_ARCH_X86_64, seed);
		differential(plan, SCMP_ARCH_AARCH64, seed ^ 0x5555);
	}
out:
	stockade_plan_free(plan);
	stockade_error_free(err);
	stockade_policy_free(p);
	return 0;
}
