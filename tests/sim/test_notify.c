/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator tier: the supervisor's filters.  `run --report` and `--audit`
 * load the plan's filter with some return values turned into user
 * notifications (seccomp.c, filter_action), and the supervisor answers each
 * notification with sk_supervise_decide().  For every preset, with and
 * without compat_arches: filter, on x86_64 and aarch64, through every entry
 * point, for every syscall number and argument vectors at each rule's
 * boundaries, this checks against the enforcing filter:
 *
 *   report  notifies exactly where the enforcing filter returns an errno,
 *           and the supervisor's answer is that errno; elsewhere the same
 *           return value (allowed calls never reach the supervisor);
 *   audit   notifies exactly where the enforcing filter does not allow (or
 *           log), and the supervisor names the same action (kill for a
 *           refused foreign ABI); elsewhere the same return value;
 *   learn   (--all) notifies every call.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "../harness.h"
#include "analysis/analysis.h"
#include "policy/oci.h"
#include "seccomp/seccomp.h"
#include "seccomp/sim.h"
#include "run/supervise.h"

#define X32_BIT 0x40000000

static stockade_plan *plan_of(const char *preset, const char *text)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	if (stockade_policy_new(&p, &err) < 0 || stockade_policy_add_preset(p, preset, &err) < 0 ||
	    (text && stockade_policy_add_text(p, "test", text, strlen(text), &err) < 0) ||
	    stockade_plan_build(p, &plan, &err) < 0) {
		fprintf(stderr, "  %s: %s\n", preset, err && err->msg ? err->msg : "?");
		plan = NULL;
	}
	stockade_error_free(err);
	stockade_policy_free(p);
	return plan;
}

static struct sock_filter *compile(const stockade_plan *plan, enum sk_notify_mode mode, uint32_t arch, size_t *len)
{
	stockade_error *err = NULL;
	struct sock_filter *prog = NULL;

	if (sk_bpf_generate_notify(plan, mode, arch, &prog, len, &err) < 0) {
		CHECK_MSG(0, "compile (mode %d): %s", mode, err && err->msg ? err->msg : "?");
		stockade_error_free(err);
		*len = 0;
		return NULL;
	}
	return prog;
}

static uint32_t run(const struct sock_filter *p, size_t len, uint32_t abi, int nr, const uint64_t a[6])
{
	struct seccomp_data d = { .nr = nr, .arch = sk_audit_arch(abi) };
	struct sk_sim_result r;

	for (int i = 0; i < 6; i++)
		d.args[i] = a[i];
	if (sk_sim_run(p, len, &d, &r) < 0)
		return 0xffffffff;
	return r.ret;
}

struct progs {
	struct sock_filter *enforce, *report, *audit, *learn;
	size_t nenforce, nreport, naudit, nlearn;
};

static size_t check_abi(const char *what, const stockade_plan *plan, const struct progs *p, uint32_t arch,
			uint32_t abi)
{
	static const uint64_t zero[6] = { 0 };
	size_t bad = 0, calls = 0;

	for (int n = 0; n < SK_NR_LIMIT && bad < 10; n++) {
		int nr = abi == SCMP_ARCH_X32 ? n | X32_BIT : n;
		char *name = sk_syscall_name(abi, nr);
		struct sk_argvec *vecs = NULL;
		size_t nvecs = 0;

		if (name && sk_probe_args(plan, name, &vecs, &nvecs) < 0)
			nvecs = 0;
		for (size_t v = 0; v < (nvecs ? nvecs : 1) && bad < 10; v++) {
			uint64_t a[6];
			uint32_t re, rr, ra, rl;
			struct sk_action want;
			struct sk_verdict vd;
			bool compat;

			for (int i = 0; i < 6; i++)
				a[i] = sk_arch_args32(abi) ? (uint32_t)(vecs ? vecs[v].a[i] : zero[i])
							   : (vecs ? vecs[v].a[i] : zero[i]);
			re = run(p->enforce, p->nenforce, abi, nr, a);
			rr = run(p->report, p->nreport, abi, nr, a);
			ra = run(p->audit, p->naudit, abi, nr, a);
			rl = run(p->learn, p->nlearn, abi, nr, a);
			calls++;
			if (sk_action_from_ret(re, &want) < 0) {
				CHECK_MSG(0, "%s: enforcing filter returned %#x", what, re);
				bad++;
				continue;
			}
			sk_supervise_decide(plan, arch, abi, name, a, &vd, &compat);
			/* report */
			if (want.type == SK_ACT_ERRNO) {
				if (rr != SECCOMP_RET_USER_NOTIF || !sk_action_eq(vd.action, want)) {
					fprintf(stderr, "  %s %s %s(%#llx, %#llx): report %#x, answer %d/%d, want errno %d\n",
						what, stockade_arch_name(abi), name ? name : "?", (unsigned long long)a[0],
						(unsigned long long)a[1], rr, vd.action.type, vd.action.errnum, want.errnum);
					bad++;
				}
			} else if (rr != re) {
				fprintf(stderr, "  %s %s %s: report %#x, enforce %#x\n", what, stockade_arch_name(abi),
					name ? name : "?", rr, re);
				bad++;
			}
			/* audit */
			if (want.type == SK_ACT_ALLOW || want.type == SK_ACT_LOG) {
				if (ra != re) {
					fprintf(stderr, "  %s %s %s: audit %#x, enforce %#x\n", what,
						stockade_arch_name(abi), name ? name : "?", ra, re);
					bad++;
				}
			} else if (ra != SECCOMP_RET_USER_NOTIF || !sk_action_eq(vd.action, want)) {
				fprintf(stderr, "  %s %s %s(%#llx): audit %#x, answer says %d, enforce %#x\n", what,
					stockade_arch_name(abi), name ? name : "?", (unsigned long long)a[0], ra,
					vd.action.type, re);
				bad++;
			}
			/* learn --all */
			if (rl != SECCOMP_RET_USER_NOTIF) {
				fprintf(stderr, "  %s %s %s: learn %#x\n", what, stockade_arch_name(abi), name ? name : "?",
					rl);
				bad++;
			}
		}
		free(vecs);
		free(name);
	}
	CHECK(calls > 300);
	return bad;
}

static void check_plan(const char *what, const stockade_plan *plan)
{
	static const uint32_t arches[] = { SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64 };

	if (!plan->seccomp_enabled)
		return;
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
		struct progs p = { 0 };
		uint32_t extra[2];
		size_t nextra, bad;

		p.enforce = compile(plan, SK_NOTIFY_NONE, arches[i], &p.nenforce);
		p.report = compile(plan, SK_NOTIFY_ERRNO, arches[i], &p.nreport);
		p.audit = compile(plan, SK_NOTIFY_DENY, arches[i], &p.naudit);
		p.learn = compile(plan, SK_NOTIFY_ALL, arches[i], &p.nlearn);
		if (p.enforce && p.report && p.audit && p.learn) {
			bad = check_abi(what, plan, &p, arches[i], arches[i]);
			sk_compat_arches(arches[i], extra, &nextra);
			for (size_t k = 0; k < nextra; k++)
				bad += check_abi(what, plan, &p, arches[i], extra[k]);
			CHECK_MSG(bad == 0, "%s on %s: %zu mismatches", what, stockade_arch_name(arches[i]), bad);
		}
		free(p.enforce);
		free(p.report);
		free(p.audit);
		free(p.learn);
	}
}

TEST(notify_filters_match_the_plan)
{
	for (size_t i = 0; i < sk_presets_len; i++) {
		stockade_plan *plan = plan_of(sk_presets[i].name, NULL);

		CHECK_MSG(plan != NULL, "preset %s", sk_presets[i].name);
		if (plan)
			check_plan(sk_presets[i].name, plan);
		stockade_plan_free(plan);
	}
}

TEST(notify_filters_match_the_plan_compat_filter)
{
	static const char text[] = "version: 1\nseccomp:\n  compat_arches: filter\n";

	for (size_t i = 0; i < sk_presets_len; i++) {
		stockade_plan *plan = plan_of(sk_presets[i].name, text);

		if (plan)
			check_plan(sk_presets[i].name, plan);
		stockade_plan_free(plan);
	}
}

/* Actions mixed in one syscall: errno, kill and allow by argument. */
TEST(notify_filters_mixed_actions)
{
	static const char text[] = "version: 1\n"
				   "seccomp:\n"
				   "  enabled: true\n"
				   "  default_action: errno:ENOSYS\n"
				   "  allow: [read, write, exit_group]\n"
				   "  deny: [getppid]\n"
				   "  deny_action: kill\n"
				   "  rules:\n"
				   "    - syscall: prctl\n"
				   "      args: [\"arg0 == PR_SET_NAME\"]\n"
				   "      action: allow\n"
				   "    - syscall: prctl\n"
				   "      args: [\"arg0 == PR_SET_SECCOMP\"]\n"
				   "      action: trap\n"
				   "    - syscall: prctl\n"
				   "      args: [\"arg0 > 100\"]\n"
				   "      action: log\n"
				   "    - syscall: prctl\n"
				   "      action: errno:EPERM\n";
	stockade_plan *plan = plan_of("none", text);

	CHECK(plan != NULL);
	if (plan)
		check_plan("mixed", plan);
	stockade_plan_free(plan);
}
