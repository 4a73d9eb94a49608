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
#include "run/supervise.h"

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
	for (int i = 0; sched_family[i]; i++)
		CHECK_MSG(!(open & bit_of(sched_family[i])), "%s fenced under agent", sched_family[i]);
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
		/* setpriority of a process group with who 5: not the fence's form */
		{ "version: 1\nseccomp:\n  rules:\n    - syscall: setpriority\n      args: [\"arg0 == 1\"]\n"
		  "      action: allow\n    - syscall: setpriority\n      args: [\"arg1 == 0\"]\n      action: allow\n"
		  "    - syscall: setpriority\n      action: errno:EPERM\n",
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
