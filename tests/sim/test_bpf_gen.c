/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BPF generator against the plan on rule sets larger than the presets':
 * every rule of a syscall must reach the filter (a fixed-size piece table
 * once dropped the 73rd and later rules without a word).  And its rewrites
 * for a shorter filter: bit rules of one action become one jset, rules of
 * different actions never merge, and random rule sets decide every
 * argument vector tried as the plan does.
 */
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "analysis/analysis.h"
#include "plan/plan.h"
#include "seccomp/sim.h"

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

/* ---- merging: shorter filters, the same decisions ---- */

static stockade_plan *plan_text(const char *preset, const char *text, bool quiet)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	if (stockade_policy_new(&p, &err) < 0 || (preset && stockade_policy_add_preset(p, preset, &err) < 0) ||
	    (text && stockade_policy_add_text(p, "test.yaml", text, strlen(text), &err) < 0) ||
	    stockade_plan_build(p, &plan, &err) < 0) {
		if (!quiet)
			fprintf(stderr, "  %s: %s\n", preset ? preset : text, err && err->msg ? err->msg : "?");
		plan = NULL;
	}
	stockade_error_free(err);
	stockade_policy_free(p);
	return plan;
}

/* The filter's action for name(args) on `abi` against the plan's own; false
 * (and a line on stderr) if they differ. */
static bool filter_agrees(const stockade_plan *plan, const struct sk_filter_prog *f, uint32_t abi, const char *name,
			  const uint64_t args[SK_MAX_ARGS], const char *what)
{
	uint64_t a[SK_MAX_ARGS];
	struct sk_verdict want;
	struct sk_action got;
	uint32_t ret = 0;
	int nr = sk_syscall_nr(abi, name);

	for (int i = 0; i < SK_MAX_ARGS; i++)
		a[i] = sk_arch_args32(abi) ? (uint32_t)args[i] : args[i];
	sk_plan_decide(plan, name, a, &want);
	if (nr >= 0 && sk_filter_run(f, abi, nr, args, &ret, NULL) == 0 && sk_action_from_ret(ret, &got) == 0 &&
	    sk_action_eq(got, want.action))
		return true;
	fprintf(stderr, "  %s: %s %s(%#llx, %#llx, %#llx): filter %#x, policy %d/%d\n", what,
		stockade_arch_name(abi), name, (unsigned long long)a[0], (unsigned long long)a[1],
		(unsigned long long)a[2], ret, want.action.type, want.action.errnum);
	return false;
}

static size_t count_insn(const struct sk_filter_prog *f, uint16_t code, uint32_t k)
{
	size_t n = 0;

	for (size_t i = 0; i < f->len; i++)
		n += f->insns[i].code == code && f->insns[i].k == k;
	return n;
}

#define JSET (BPF_JMP | BPF_JSET | BPF_K)

/*
 * agent denies S_ISUID and S_ISGID in chmod's mode with one rule per bit:
 * the filter tests both in one jset, and creation with O_CREAT or
 * O_TMPFILE and either mode bit (four terms) in two.
 */
TEST(bpf_gen_merges_bit_rules_of_one_action)
{
	stockade_plan *plan = plan_text("agent", NULL, false);
	struct sk_filter_prog f = { 0 };
	uint32_t ret;
	unsigned plain = 0, suid = 0, sgid = 0;
	const uint64_t mode0755[SK_MAX_ARGS] = { 0, 0755 }, mode4755[SK_MAX_ARGS] = { 0, 04755 },
		       mode2755[SK_MAX_ARGS] = { 0, 02755 };
	int nr = sk_syscall_nr(SCMP_ARCH_X86_64, "chmod");

	if (!plan)
		return;
	CHECK(sk_filter_compile(plan, SCMP_ARCH_X86_64, &f, NULL) == 0);
	CHECK(count_insn(&f, JSET, 04000) == 0 && count_insn(&f, JSET, 02000) == 0);
	CHECK(count_insn(&f, JSET, 06000) >= 1);
	CHECK(count_insn(&f, JSET, 0x400000 | 0x40) >= 1); /* __O_TMPFILE | O_CREAT */
	/* Both modes and none go through the same single test. */
	CHECK(sk_filter_run(&f, SCMP_ARCH_X86_64, nr, mode0755, &ret, &plain) == 0 && ret == SECCOMP_RET_ALLOW);
	CHECK(sk_filter_run(&f, SCMP_ARCH_X86_64, nr, mode4755, &ret, &suid) == 0 &&
	      ret == (SECCOMP_RET_ERRNO | EPERM));
	CHECK(sk_filter_run(&f, SCMP_ARCH_X86_64, nr, mode2755, &ret, &sgid) == 0 &&
	      ret == (SECCOMP_RET_ERRNO | EPERM));
	CHECK_MSG(plain == suid && suid == sgid, "chmod paths: %u, %u, %u instructions", plain, suid, sgid);
	/* 329 instructions before merging; 115 when this was written; 160
	 * with the scheduler and limit rules (seven calls, self only). */
	CHECK_MSG(f.len <= 170, "agent's x86_64 filter has %zu instructions", f.len);
	sk_filter_release(&f);
	stockade_plan_free(plan);
}

/* Every combination of `bits` (and a high bit) in arg1 of getpriority, on
 * x86_64 and i386, against the plan. */
static void check_bit_combinations(const char *text, const uint64_t *bits, size_t nbits, const char *what)
{
	static const uint32_t abis[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86 };
	stockade_plan *plan = plan_text(NULL, text, false);
	size_t bad = 0;

	CHECK_MSG(plan != NULL, "%s", what);
	for (size_t k = 0; plan && k < ARRAY_SIZE(abis); k++) {
		struct sk_filter_prog f = { 0 };
		CHECK(sk_filter_compile(plan, abis[k], &f, NULL) == 0);
		for (uint64_t m = 0; f.insns && m < (2ULL << nbits) && bad < 5; m++) {
			uint64_t a[SK_MAX_ARGS] = { 0 };
			for (size_t b = 0; b < nbits; b++)
				a[1] |= m >> b & 1 ? bits[b] : 0;
			a[1] |= m >> nbits & 1 ? 1ULL << 40 : 0;
			bad += !filter_agrees(plan, &f, abis[k], "getpriority", a, what);
		}
		sk_filter_release(&f);
	}
	CHECK_MSG(bad == 0, "%s", what);
	stockade_plan_free(plan);
}

/* Bit rules of different actions are never one test: 0xc00 gets the
 * first rule's EPERM, 0x800 alone EACCES. */
TEST(bpf_gen_keeps_bit_rules_of_different_actions_apart)
{
	static const char text[] = "version: 1\n"
				   "seccomp:\n"
				   "  default_action: allow\n"
				   "  rules:\n"
				   "    - {syscall: getpriority, args: [\"arg1 & 0x400\"], action: \"errno:EPERM\"}\n"
				   "    - {syscall: getpriority, args: [\"arg1 & 0x800\"], action: \"errno:EACCES\"}\n";
	static const uint64_t bits[] = { 0x400, 0x800 };
	stockade_plan *plan = plan_text(NULL, text, false);
	struct sk_filter_prog f = { 0 };

	if (plan && sk_filter_compile(plan, SCMP_ARCH_X86_64, &f, NULL) == 0)
		CHECK(count_insn(&f, JSET, 0xc00) == 0);
	sk_filter_release(&f);
	stockade_plan_free(plan);
	check_bit_combinations(text, bits, ARRAY_SIZE(bits), "two actions");
}

/*
 * Two bit rules of one action with a rule of another action between them:
 * a call with the later bit and the middle rule's bit belongs to the middle
 * rule, so the two must not become one "any of these bits" test.  The
 * middle rule may also have the default's action (it emits no test of its
 * own), and with a catch-all last rule the call needs no default at all.
 */
TEST(bpf_gen_does_not_merge_across_another_action)
{
	static const char *const middle[] = { "errno:EACCES", "allow", "kill" };
	static const char *const defaults[] = { "allow", "errno:ENOSYS" };
	static const uint64_t bits[] = { 0x400, 0x800, 0x1000, 1ULL << 33 };

	for (size_t m = 0; m < ARRAY_SIZE(middle); m++) {
		for (size_t d = 0; d < ARRAY_SIZE(defaults); d++) {
			for (int catch_all = 0; catch_all < 2; catch_all++) {
				char text[1024], what[128];
				snprintf(text, sizeof(text),
					 "version: 1\n"
					 "seccomp:\n"
					 "  default_action: \"%s\"\n"
					 "  rules:\n"
					 "    - {syscall: getpriority, args: [\"arg1 & 0x400\"], action: errno:EPERM}\n"
					 "    - {syscall: getpriority, args: [\"arg1 & 0x1000\"], action: \"%s\"}\n"
					 "    - {syscall: getpriority, args: [\"arg1 & 0x800\"], action: errno:EPERM}\n"
					 "%s",
					 defaults[d], middle[m],
					 catch_all ? "    - {syscall: getpriority, action: \"trap\"}\n" : "");
				snprintf(what, sizeof(what), "middle %s, default %s%s", middle[m], defaults[d],
					 catch_all ? ", catch-all" : "");
				check_bit_combinations(text, bits, ARRAY_SIZE(bits), what);
			}
		}
	}
}

/* A small deterministic generator (xorshift64), so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Low-word bits, the high word's lowest bits and its top bit. */
static const uint64_t rng_bits[] = {
	1, 2, 0x20, 0x400, 0x800, 0x1000, 0x80000000ULL, 1ULL << 32, 1ULL << 33, 1ULL << 63,
};

/* A value made of 1 to 3 of the pool's bits. */
static uint64_t rng_value(void)
{
	uint64_t v = 0;

	for (uint64_t n = 1 + rng() % 3; n > 0; n--)
		v |= rng_bits[rng() % ARRAY_SIZE(rng_bits)];
	return v;
}

static int random_cond(char *buf, size_t size, unsigned arg)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	uint64_t v = rng_value(), m = v | rng_value();

	switch (rng() % 4) {
	case 0:
	case 1: /* "any of these bits": one rule per bit */
		return snprintf(buf, size, "\"arg%u & %#llx\"", arg, (unsigned long long)v);
	case 2:
		return snprintf(buf, size, "\"arg%u & %#llx == %#llx\"", arg, (unsigned long long)m,
				(unsigned long long)(rng() % 2 ? v : 0));
	default:
		return snprintf(buf, size, "\"arg%u %s %#llx\"", arg, ops[rng() % ARRAY_SIZE(ops)],
				(unsigned long long)(rng() % 4 ? v : v - 1));
	}
}

/*
 * Random small rule sets on one syscall, with bit conditions above all,
 * against the plan's own semantics on x86_64 and i386: every single bit of
 * each argument, pairs of the pool's bits, each condition's values and
 * their neighbours, and random vectors.
 */
TEST(bpf_gen_random_rule_sets_match_the_plan)
{
	static const char *const actions[] = { "allow", "errno:EPERM", "errno:EACCES", "kill", "log", "trap" };
	static const char *const defaults[] = { "allow", "errno:ENOSYS", "kill" };
	static const uint32_t abis[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86 };
	size_t built = 0, bad = 0;

	for (int round = 0; round < 400 && bad < 5; round++) {
		char text[4096], *p = text;
		size_t nrules = 1 + rng() % 5;
		stockade_plan *plan;

		p += sprintf(p, "version: 1\nseccomp:\n  default_action: \"%s\"\n",
			     defaults[rng() % ARRAY_SIZE(defaults)]);
		if (rng() % 4 == 0)
			p += sprintf(p, "  %s: [getpriority]\n", rng() % 2 ? "allow" : "deny");
		p += sprintf(p, "  rules:\n");
		for (size_t r = 0; r < nrules; r++) {
			unsigned ncond = r + 1 == nrules && rng() % 3 == 0 ? 0 : 1 + rng() % 2;
			unsigned first = (unsigned)(rng() % 3);
			p += sprintf(p, "    - {syscall: getpriority, action: \"%s\"",
				     actions[rng() % ARRAY_SIZE(actions)]);
			if (ncond) {
				p += sprintf(p, ", args: [");
				for (unsigned c = 0; c < ncond; c++) {
					p += c ? sprintf(p, ", ") : 0;
					p += random_cond(p, 200, (first + c) % 3);
				}
				p += sprintf(p, "]");
			}
			p += sprintf(p, "}\n");
		}
		plan = plan_text(NULL, text, true);
		if (!plan)
			continue; /* e.g. a rule that earlier ones make unreachable */
		built++;
		for (size_t k = 0; k < ARRAY_SIZE(abis) && bad < 5; k++) {
			struct sk_filter_prog f = { 0 };
			if (sk_filter_compile(plan, abis[k], &f, NULL) < 0) {
				CHECK_MSG(false, "does not compile:\n%s", text);
				bad++;
				continue;
			}
			for (unsigned v = 0; v < 64 * 3 + 300 && bad < 5; v++) {
				uint64_t a[SK_MAX_ARGS] = { 0 };
				if (v < 64 * 3) {
					a[v / 64] = 1ULL << (v % 64);
				} else if (v < 64 * 3 + 100) {
					for (unsigned i = 0; i < 3; i++)
						a[i] = rng_bits[rng() % ARRAY_SIZE(rng_bits)] |
						       (rng() % 2 ? rng_bits[rng() % ARRAY_SIZE(rng_bits)] : 0);
				} else if (v < 64 * 3 + 200) {
					for (unsigned i = 0; i < 3; i++) {
						uint64_t x = rng_value();
						a[i] = rng() % 3 == 0 ? x - 1 : rng() % 2 ? x + 1 : x;
					}
				} else {
					for (unsigned i = 0; i < 3; i++)
						a[i] = rng() % 2 ? rng() : rng() & 0xffffffffu;
				}
				if (!filter_agrees(plan, &f, abis[k], "getpriority", a, "random rules")) {
					fprintf(stderr, "%s", text);
					bad++;
				}
			}
			sk_filter_release(&f);
		}
		stockade_plan_free(plan);
	}
	CHECK_MSG(bad == 0, "%zu mismatches", bad);
	CHECK_MSG(built >= 200, "only %zu of 400 random policies built", built);
}
