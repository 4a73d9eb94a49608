/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator tier: a supervisor's filter with mediated syscalls
 * (seccomp.h, struct sk_notify).  For the presets, native ABI, every
 * syscall number and argument vectors at each rule's boundaries: the
 * mediated syscall notifies exactly where the enforcing filter allows it,
 * and every other result is the enforcing filter's, in plain enforcement
 * and in report mode ("the supervisor adds nothing to syscalls it does not
 * mediate").
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <linux/seccomp.h>
#include <seccomp.h>

#include "../harness.h"
#include "analysis/analysis.h"
#include "seccomp/seccomp.h"
#include "seccomp/sim.h"

static stockade_plan *plan_of(const char *preset)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	if (stockade_policy_new(&p, &err) < 0 || stockade_policy_add_preset(p, preset, &err) < 0 ||
	    stockade_plan_build(p, &plan, &err) < 0)
		plan = NULL;
	stockade_error_free(err);
	stockade_policy_free(p);
	return plan;
}

static uint32_t run(const struct sock_filter *p, size_t len, int nr, const uint64_t a[6])
{
	struct seccomp_data d = { .nr = nr, .arch = sk_audit_arch(seccomp_arch_native()) };
	struct sk_sim_result r;

	for (int i = 0; i < 6; i++)
		d.args[i] = a[i];
	return sk_sim_run(p, len, &d, &r) < 0 ? 0xffffffff : r.ret;
}

static void check(const char *preset, enum sk_notify_mode mode)
{
	static const char *const med[] = { "connect" };
	const struct sk_notify plain = { .mode = mode }, nt = { .mode = mode, .mediate = med, .nmediate = 1 };
	stockade_plan *plan = plan_of(preset);
	struct sock_filter *base = NULL, *mf = NULL;
	size_t nbase = 0, nmf = 0, bad = 0, notified = 0;
	stockade_error *err = NULL;
	uint32_t native = seccomp_arch_native();

	CHECK_MSG(plan != NULL, "plan of %s", preset);
	if (!plan)
		return;
	if (sk_bpf_generate_mediated(plan, &plain, 0, &base, &nbase, &err) < 0 ||
	    sk_bpf_generate_mediated(plan, &nt, 0, &mf, &nmf, &err) < 0) {
		CHECK_MSG(0, "%s: %s", preset, err && err->msg ? err->msg : "?");
		goto out;
	}
	for (int nr = 0; nr < 1024 && bad < 10; nr++) {
		char *name = sk_syscall_name(native, nr);
		struct sk_argvec *vecs = NULL;
		size_t nvecs = 0;

		if (name && sk_probe_args(plan, name, &vecs, &nvecs) < 0)
			nvecs = 0;
		for (size_t v = 0; v < (nvecs ? nvecs : 1); v++) {
			uint64_t a[6] = { 0 };
			uint32_t rb, rm;
			bool mediated = name && !strcmp(name, "connect");

			for (int i = 0; vecs && i < 6; i++)
				a[i] = vecs[v].a[i];
			rb = run(base, nbase, nr, a);
			rm = run(mf, nmf, nr, a);
			if (mediated && (rb == SECCOMP_RET_ALLOW || (rb & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_LOG)) {
				notified += rm == SECCOMP_RET_USER_NOTIF;
				if (rm != SECCOMP_RET_USER_NOTIF) {
					fprintf(stderr, "  %s: connect allowed but not notified (%#x)\n", preset, rm);
					bad++;
				}
			} else if (rm != rb) {
				fprintf(stderr, "  %s mode %d: %s: mediated filter %#x, plain %#x\n", preset, (int)mode,
					name ? name : "?", rm, rb);
				bad++;
			}
		}
		free(vecs);
		free(name);
	}
	CHECK_INT_EQ(bad, 0);
	CHECK_MSG(notified > 0, "%s: connect never notified", preset);
out:
	stockade_error_free(err);
	free(base);
	free(mf);
	stockade_plan_free(plan);
}

TEST(mediate_filter_notifies_only_the_mediated_call)
{
	check("agent", SK_NOTIFY_NONE);
	check("agent", SK_NOTIFY_ERRNO);
	check("strict", SK_NOTIFY_NONE);
	check("strict", SK_NOTIFY_ERRNO);
	check("minimal", SK_NOTIFY_NONE);
}
