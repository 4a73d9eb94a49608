/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every fuzz target checks of a result (included by tests/fuzz/fuzz_*.c):
 * errors carry a message and agree with the return value, and a plan that
 * builds compiles to a filter that decides every syscall the plan mentions
 * exactly as sk_plan_decide() says.  A violation abort()s.
 *
 * FUZZ_DIFFERENTIAL=0 in the environment turns the filter/plan comparison
 * off (the filter is still compiled and checked), for a known miscompile
 * that would otherwise stop every run at the same place until it is fixed.
 */
#ifndef STOCKADE_FUZZ_COMMON_H
#define STOCKADE_FUZZ_COMMON_H

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "seccomp/sim.h"

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

	static int compare = -1;

	if (compare < 0) {
		const char *e = getenv("FUZZ_DIFFERENTIAL");
		compare = !(e && strcmp(e, "0") == 0);
	}
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

		if (nr < 0 || !compare)
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

/* A seed for the argument picks, from the input. */
static uint64_t seed_of(const uint8_t *data, size_t size)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL ^ size;

	for (size_t i = 0; i < size && i < 64; i++)
		seed = seed * 31 + data[i];
	return seed ? seed : 1;
}

/* Build the plan of `p` and check it on x86_64 and aarch64. */
static void check_plan(const stockade_policy *p, uint64_t seed)
{
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	int ret = stockade_plan_build(p, &plan, &err);

	check_error(ret, err, "stockade_plan_build");
	if (ret < 0 && plan)
		fail("stockade_plan_build", "failed but returned a plan");
	if (ret == 0 && plan->seccomp_enabled) {
		differential(plan, SCMP_ARCH_X86_64, seed);
		differential(plan, SCMP_ARCH_AARCH64, seed ^ 0x5555);
	}
	stockade_plan_free(plan);
	stockade_error_free(err);
}

#endif
