/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/filterdepth: how many BPF instructions a syscall runs through in the
 * compiled filter, measured with the simulator (src/seccomp/sim.c) for every
 * syscall number of x86_64.  For the presets, and for synthetic policies
 * that deny n syscalls (n = 8 .. 128) with and without an argument rule on
 * each: the longest path should grow like log n (a binary search over the
 * syscall numbers), not like n.
 *
 * Output lines: "preset NAME insns longest mean worst_syscall" and
 * "synthetic KIND n insns longest mean".
 */
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"
#include "seccomp/sim.h"

#define MAX_NR 512

struct depth {
	size_t insns;
	unsigned longest;
	double mean;
	int worst_nr;
};

/* Deepest path over a few argument vectors for each syscall number. */
static int measure(const stockade_plan *plan, struct depth *d)
{
	static const uint64_t fills[] = { 0, ~0ULL, 1, 0x40, 0x800 };
	void *raw = NULL;
	size_t bytes = 0, n;
	double sum = 0;
	int count = 0;

	if (stockade_plan_compile_bpf(plan, SCMP_ARCH_X86_64, &raw, &bytes, NULL) < 0)
		return -1;
	n = bytes / sizeof(struct sock_filter);
	*d = (struct depth){ .insns = n, .worst_nr = -1 };
	for (int nr = 0; nr < MAX_NR; nr++) {
		unsigned deepest = 0;
		for (size_t f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
			struct seccomp_data sd = { .nr = nr, .arch = AUDIT_ARCH_X86_64 };
			struct sk_sim_result r;
			for (int a = 0; a < 6; a++)
				sd.args[a] = fills[f];
			if (sk_sim_run(raw, n, &sd, &r) < 0) {
				free(raw);
				return -1;
			}
			if (r.executed > deepest)
				deepest = r.executed;
		}
		if (deepest > d->longest) {
			d->longest = deepest;
			d->worst_nr = nr;
		}
		sum += deepest;
		count++;
	}
	d->mean = sum / count;
	free(raw);
	return 0;
}

static stockade_plan *plan_of_text(const char *preset, const char *text)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	int ret = stockade_policy_new(&p, &err);

	if (ret == 0 && preset)
		ret = stockade_policy_add_preset(p, preset, &err);
	if (ret == 0 && text)
		ret = stockade_policy_add_text(p, "synthetic", text, strlen(text), &err);
	if (ret == 0)
		ret = stockade_plan_build(p, &plan, &err);
	if (ret < 0)
		fprintf(stderr, "filterdepth: %s\n", err && err->msg ? err->msg : "error");
	stockade_error_free(err);
	stockade_policy_free(p);
	return plan;
}

/* Deny n x86_64 syscalls, every other number from 0 up, so that no two are
 * neighbours a compiler could fold into one range; with_args gives each an
 * argument rule instead. */
static char *synthetic(int n, int with_args)
{
	size_t cap = 64 + (size_t)n * 200, used = 0;
	char *s = malloc(cap);
	int added = 0;

	used += (size_t)snprintf(s + used, cap - used, "version: 1\nseccomp:\n  default_action: allow\n%s",
				 with_args ? "  rules:\n" : "  deny:\n");
	for (int nr = 0; nr < MAX_NR && added < n; nr += 2) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
		if (!name)
			continue;
		if (with_args)
			used += (size_t)snprintf(s + used, cap - used,
						 "    - {syscall: %s, args: [\"arg0 == 0x%x\"], action: \"errno:EPERM\"}\n",
						 name, 0x1000 + nr);
		else
			used += (size_t)snprintf(s + used, cap - used, "    - %s\n", name);
		free(name);
		added++;
	}
	return s;
}

int main(void)
{
	static const char *const presets[] = { "agent", "strict", "minimal" };
	struct depth d;

	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		stockade_plan *plan = plan_of_text(presets[i], NULL);
		if (!plan || measure(plan, &d) < 0)
			return 1;
		char *worst = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, d.worst_nr);
		printf("preset %s %zu %u %.1f %s\n", presets[i], d.insns, d.longest, d.mean, worst ? worst : "?");
		free(worst);
		stockade_plan_free(plan);
	}
	for (int with_args = 0; with_args < 2; with_args++) {
		for (int n = 8; n <= 128; n *= 2) {
			char *text = synthetic(n, with_args);
			stockade_plan *plan = plan_of_text(NULL, text);
			free(text);
			if (!plan || measure(plan, &d) < 0)
				return 1;
			printf("synthetic %s %d %zu %u %.1f\n", with_args ? "arg-rules" : "deny", n, d.insns, d.longest,
			       d.mean);
			stockade_plan_free(plan);
		}
	}
	return 0;
}
