/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which calls the supervisor's pid fence still refuses
 * (sk_supervise_fence_open, src/run/supervise_harden.c): those a Landlock
 * domain does not close, and of the scheduler and limit family, those the
 * policy's filter lets name a pid other than 0.  A policy rule counts only
 * where it pins the pid's low 32 bits to 0 (64-bit and 32-bit arguments);
 * anything else, a mediated call, audit and the report modes keep the call
 * fenced.  The live tier (tests/live/test_fence_elide.c) tries the calls.
 */
#include <string.h>

#include "plan_helpers.h"
#include "stockade.h"
#include "run/supervise.h"
#include "plan/preset_plans.h"

/* The bit of fenced call `name`, or 0 (and a failed check). */
static unsigned bit_of(const char *name)
{
	for (unsigned i = 0; sk_supervise_fence_call(i); i++)
		if (!strcmp(sk_supervise_fence_call(i), name))
			return 1u << i;
	CHECK_MSG(false, "%s is not a fenced call", name);
	return 0;
}

static unsigned open_of(const stockade_plan *plan, enum sk_notify_mode mode, const char *mediated, bool ptrace,
			bool signals)
{
	const char *const med[1] = { mediated };
	struct sk_notify nt = { .mode = mode, .mediate = mediated ? med : NULL, .nmediate = mediated ? 1 : 0 };

	return sk_supervise_fence_open(mode, sk_supervise_fence_policy_closed(plan, &nt), ptrace, signals);
}

static const char *const sched_family[] = { "prlimit64",     "sched_setaffinity", "sched_setscheduler",
					    "sched_setparam", "sched_setattr",	   "setpriority",
					    "ioprio_set",    NULL };

/* Where the plan says the policy closes a call of the scheduler family,
 * its compiled filter refuses the call on other pids, on the native ABI and,
 * under `compat_arches: filter`, on i386 and x32 too (the simulator runs
 * it: stockade_plan_decide); pids with high bits set included. */
static void check_filter_refuses(const stockade_plan *plan, const char *call, size_t case_no)
{
	static const uint64_t pids[] = { 1, 2, 7, 4242, 0x7fffffff, 0xffffffff, 0x100000001ULL, 0xffffffff00000007ULL };
	static const char *const arches[] = { NULL, "x86", "x32" };
	unsigned pid_arg = 0;
	uint64_t which = 0;

	if (!strcmp(call, "setpriority"))
		pid_arg = 1; /* which PRIO_PROCESS (0) */
	else if (!strcmp(call, "ioprio_set"))
		pid_arg = 1, which = 1; /* IOPRIO_WHO_PROCESS */
	for (size_t a = 0; a < sizeof(arches) / sizeof(arches[0]); a++) {
		uint32_t arch = 0;

		size_t decided = 0;

		if (arches[a] && (plan->compat != SK_COMPAT_FILTER || stockade_arch_from_name(arches[a], &arch) < 0))
			continue;
		for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
			uint64_t args[6] = { which, 0, 0, 0, 0, 0 };
			stockade_decision *d = NULL;
			stockade_error *err = NULL;
			const char *act;

			args[pid_arg] = pids[i];
			if (stockade_plan_decide(plan, arch, call, args, &d, &err) < 0) {
				stockade_error_free(err);
				continue; /* not a call of that ABI */
			}
			act = stockade_decision_action(d);
			CHECK_MSG(strcmp(act, "allow") && strcmp(act, "log") && stockade_decision_filter_agrees(d),
				  "case %zu: %s(pid %#llx) on %s: %s (the filter %s), yet left out of the fence", case_no,
				  call, (unsigned long long)pids[i], arches[a] ? arches[a] : "native", act,
				  stockade_decision_filter_agrees(d) ? "agrees" : "does not agree");
			stockade_decision_free(d);
			decided++;
		}
		CHECK_MSG(decided == sizeof(pids) / sizeof(pids[0]), "case %zu: %s on %s: %zu of %zu decided", case_no, call,
			  arches[a] ? arches[a] : "native", decided, sizeof(pids) / sizeof(pids[0]));
	}
}

TEST(fence_open_agent_none_left)
{
	stockade_plan *plan = plan_of("agent", NULL);
	unsigned all = 0;

	if (!plan)
		return;
	for (unsigned i = 0; sk_supervise_fence_call(i); i++)
		all |= 1u << i;
	CHECK_INT_EQ(open_of(plan, SK_NOTIFY_NONE, NULL, true, true), 0);
	/* Without a signal scope: the signals and pidfd_open. */
	unsigned open = open_of(plan, SK_NOTIFY_NONE, NULL, true, false);
	CHECK(open & bit_of("kill"));
	CHECK(open & bit_of("tgkill"));
	CHECK(open & bit_of("rt_sigqueueinfo"));
	CHECK(open & bit_of("pidfd_open"));
	CHECK(!(open & bit_of("prlimit64")));
	CHECK(!(open & bit_of("ptrace")));
	/* Without Landlock: agent's own filter still refuses ptrace and
	 * process_vm_* (@debug) and the scheduler family on another pid. */
	open = open_of(plan, SK_NOTIFY_NONE, NULL, false, false);
	CHECK(open & bit_of("kill"));
	for (int i = 0; sched_family[i]; i++) {
		CHECK_MSG(!(open & bit_of(sched_family[i])), "%s fenced under agent", sched_family[i]);
		check_filter_refuses(plan, sched_family[i], 0);
	}
	/* The report modes, audit and learn keep the whole fence. */
	CHECK_INT_EQ(open_of(plan, SK_NOTIFY_ERRNO, NULL, true, true), all);
	CHECK_INT_EQ(open_of(plan, SK_NOTIFY_DENY, NULL, true, true), all);
	CHECK_INT_EQ(open_of(plan, SK_NOTIFY_ALL, NULL, true, true), all);
	/* A mediated call is the supervisor's to answer. */
	CHECK(open_of(plan, SK_NOTIFY_NONE, "prlimit64", true, true) == bit_of("prlimit64"));
	stockade_plan_free(plan);
}

struct fence_case {
	const char *text;
	const char *call;
	bool fenced;
};

TEST(fence_open_policy_rules)
{
	static const struct fence_case cases[] = {
		/* a later layer lets prlimit64 name any pid */
		{ "version: 1\nseccomp:\n  allow: [prlimit64]\n", "prlimit64", true },
		{ "version: 1\nseccomp:\n  allow: [prlimit64]\n", "sched_setaffinity", false },
		/* agent's rules on 32-bit ABIs too */
		{ "version: 1\nseccomp:\n  compat_arches: filter\n", "prlimit64", false },
		{ "version: 1\nseccomp:\n  compat_arches: filter\n", "ioprio_set", false },
		/* pid <= 0 is pid 0 here, but not a pin: in doubt, fenced */
		{ "version: 1\nseccomp:\n  rules:\n    - syscall: prlimit64\n      args: [\"arg0 <= 0\"]\n"
		  "      action: allow\n",
		  "prlimit64", true },
		/* the low half is what the kernel reads: 0x100000000 is pid 0 */
		{ "version: 1\nseccomp:\n  rules:\n    - syscall: sched_setparam\n      args: [\"arg0 == 0x100000000\"]\n"
		  "      action: allow\n    - syscall: sched_setparam\n      action: errno:EPERM\n",
		  "sched_setparam", false },
		/* a pid of its own */
		{ "version: 1\nseccomp:\n  rules:\n    - syscall: sched_setparam\n      args: [\"arg0 == 7\"]\n"
		  "      action: allow\n    - syscall: sched_setparam\n      action: errno:EPERM\n",
		  "sched_setparam", true },
		/* the base lets run what no rule takes: arg0 == 0 only */
		{ "version: 1\nseccomp:\n  rules:\n    - syscall: sched_setattr\n      args: [\"arg0 != 0\"]\n"
		  "      action: errno:EPERM\n    - syscall: sched_setattr\n      action: allow\n",
		  "sched_setattr", false },
		/* setpriority of any process group: the supervisor's too (attack8) */
		{ "version: 1\nseccomp:\n  rules:\n    - syscall: setpriority\n      args: [\"arg0 == 1\"]\n"
		  "      action: allow\n    - syscall: setpriority\n      args: [\"arg1 == 0\"]\n      action: allow\n"
		  "    - syscall: setpriority\n      action: errno:EPERM\n",
		  "setpriority", true },
		/* the caller's group, as --report's hint writes it */
		{ "version: 1\nseccomp:\n  rules:\n    - syscall: setpriority\n      args: [\"arg0 == 1\", \"arg1 == 0\"]\n"
		  "      action: allow\n",
		  "setpriority", true },
		{ "version: 1\nseccomp:\n  rules:\n    - syscall: ioprio_set\n      args: [\"arg0 == 2\", \"arg1 == 0\"]\n"
		  "      action: allow\n",
		  "ioprio_set", true },
		/* a `which` that names nothing: left out */
		{ "version: 1\nseccomp:\n  rules:\n    - syscall: setpriority\n      args: [\"arg0 == 9\"]\n"
		  "      action: allow\n",
		  "setpriority", false },
		/* who 5 of a process */
		{ "version: 1\nseccomp:\n  rules:\n    - syscall: setpriority\n      args: [\"arg1 == 5\"]\n"
		  "      action: allow\n    - syscall: setpriority\n      action: errno:EPERM\n",
		  "setpriority", true },
		/* logged calls run */
		{ "version: 1\nseccomp:\n  rules:\n    - syscall: prlimit64\n      action: log\n", "prlimit64", true },
		/* audit mode refuses nothing */
		{ "version: 1\nseccomp:\n  mode: audit\n", "prlimit64", true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		stockade_plan *plan = plan_of("agent", cases[i].text);
		unsigned open;

		if (!plan)
			continue;
		open = open_of(plan, SK_NOTIFY_NONE, NULL, true, true);
		CHECK_MSG(!!(open & bit_of(cases[i].call)) == cases[i].fenced, "case %zu: %s %s, want %s:\n%s", i,
			  cases[i].call, open & bit_of(cases[i].call) ? "fenced" : "left out",
			  cases[i].fenced ? "fenced" : "left out", cases[i].text);
		for (int k = 0; sched_family[k]; k++)
			if (!(open & bit_of(sched_family[k])))
				check_filter_refuses(plan, sched_family[k], i);
		stockade_plan_free(plan);
	}
}

TEST(fence_open_no_filter)
{
	stockade_plan *plan = plan_of("none", NULL);

	if (!plan)
		return;
	/* Landlock closes the ptrace family and the signals; nothing closes
	 * the scheduler family. */
	unsigned open = open_of(plan, SK_NOTIFY_NONE, NULL, true, true);
	for (int i = 0; sched_family[i]; i++)
		CHECK_MSG(open & bit_of(sched_family[i]), "%s left out without a policy refusing it", sched_family[i]);
	CHECK(!(open & bit_of("kill")) && !(open & bit_of("ptrace")) && !(open & bit_of("pidfd_open")));
	stockade_plan_free(plan);
}

/* The built-in presets' plans carry what their filter closes of the fence
 * (plan.h: fence_closed, worked out by tools/gen_presets.c): the same as a
 * run works it out, for every preset and overlay sequence, its network
 * fallback and its network variants; a mediated call comes out of it; a
 * plan built from text carries none. */
TEST(fence_closed_from_the_build_is_the_runs)
{
	static const struct sk_notify plain = { .mode = SK_NOTIFY_NONE };
	const char *const prlimit[1] = { "prlimit64" };
	const struct sk_notify med = { .mode = SK_NOTIFY_NONE, .mediate = prlimit, .nmediate = 1 };
	size_t known = 0;

	for (size_t i = 0; i < sk_preset_blobs_len + sk_preset_variants_len; i++) {
		const struct sk_preset_blob *b =
			i < sk_preset_blobs_len ? &sk_preset_blobs[i] : &sk_preset_variants[i - sk_preset_blobs_len].blob;
		const unsigned char *data = b->data;
		size_t len = b->len;
		stockade_plan *plan = NULL;
		uint64_t fp;

		if (!data || len < 16)
			continue;
		memcpy(&fp, data + 8, sizeof(fp));
		CHECK(sk_plan_blob_read(data, len, fp, &plan) == 0);
		for (stockade_plan *p = plan; p; p = p->net_fallback) {
			uint32_t built = p->fence_closed;
			unsigned with_med;

			if (!p->seccomp_enabled || p->audit)
				continue;
			CHECK_MSG(p->fence_known, "blob %zu: no fence mask", i);
			known += p->fence_known;
			with_med = sk_supervise_fence_policy_closed(p, &med);
			p->fence_known = false;
			CHECK_MSG(sk_supervise_fence_policy_closed(p, &plain) == built,
				  "blob %zu (%s): built 0x%x, worked out 0x%x", i, p->name ? p->name : "?", built,
				  sk_supervise_fence_policy_closed(p, &plain));
			CHECK_INT_EQ(with_med, sk_supervise_fence_policy_closed(p, &med));
			CHECK(!(with_med & bit_of("prlimit64")));
		}
		stockade_plan_free(plan);
	}
	CHECK(known > 0);
	/* A file on a preset that leaves its syscall rules alone takes the
	 * preset's filters, and their answer on the fence with them. */
	stockade_plan *f = plan_from("preset:agent", "version: 1\nfilesystem:\n  read: [/opt]\n", NULL);
	if (f) {
		unsigned got = f->fence_known ? f->fence_closed : 0;

		CHECK(f->fence_known);
		f->fence_known = false;
		CHECK_INT_EQ(got, sk_supervise_fence_policy_closed(f, &plain));
		stockade_plan_free(f);
	}
	/* From text: none carried, worked out by the run. */
	stockade_plan *t = plan_from("preset:agent", "version: 1\nseccomp:\n  allow: [prlimit64]\n", NULL);
	if (t) {
		CHECK(!t->fence_known);
		CHECK(!(sk_supervise_fence_policy_closed(t, &plain) & bit_of("prlimit64")));
		stockade_plan_free(t);
	}
}
