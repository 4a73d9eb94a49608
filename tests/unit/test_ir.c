/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plan semantics (plan.c): first match wins, a layer's rules before the ones
 * it inherits, a name beats a group in its layer, the scalar settings of the
 * last layer that sets them, and what the built-in presets decide.  Expected
 * actions are written out by hand from the documented semantics.
 */
#include <errno.h>
#include <stdio.h>

#include "plan_helpers.h"

/* Linux ABI values, spelled out here rather than taken from constants.c. */
#define X_CLONE_NEWNS 0x00020000ULL
#define X_CLONE_NEWUSER 0x10000000ULL
#define X_CLONE_NEWNET 0x40000000ULL
#define X_CLONE_NEWTIME 0x00000080ULL
#define X_CLONE_FILES 0x00000400ULL
#define X_SIGCHLD 17ULL
#define X_AF_UNIX 1ULL
#define X_AF_INET 2ULL
#define X_AF_INET6 10ULL
#define X_AF_NETLINK 16ULL
#define X_AF_PACKET 17ULL
#define X_AF_VSOCK 40ULL
#define X_AF_ALG 38ULL
#define X_TIOCSTI 0x5412ULL
#define X_TIOCLINUX 0x541cULL
#define X_TCGETS 0x5401ULL
#define X_AT_EMPTY_PATH 0x1000ULL
#define X_MFD_CLOEXEC 0x1ULL
#define X_MFD_NOEXEC_SEAL 0x8ULL
#define X_MFD_EXEC 0x10ULL
#define X_ADDR_NO_RANDOMIZE 0x0040000ULL
#define X_READ_IMPLIES_EXEC 0x0400000ULL
#define X_MMAP_PAGE_ZERO 0x0100000ULL
#define X_PER_LINUX32 0x8ULL
#define X_UNAME26 0x0020000ULL

static const struct sk_plan_entry *entry(const stockade_plan *plan, const char *name)
{
	const struct sk_plan_entry *e = plan ? sk_plan_lookup(plan, name) : NULL;

	CHECK_MSG(e != NULL, "%s is not in the plan", name);
	return e;
}

/* Does the plan refuse name(a0, a1) (any action but allow and log)? */
static bool denies(const stockade_plan *plan, const char *name, uint64_t a0, uint64_t a1)
{
	uint64_t args[SK_MAX_ARGS] = { a0, a1 };
	struct sk_verdict v;

	if (!plan)
		return false;
	sk_plan_decide(plan, name, args, &v);
	return v.action.type != SK_ACT_ALLOW && v.action.type != SK_ACT_LOG;
}

/* Which of e's rules decided name(a0, a1): its index, or -1 for none. */
static long rule_index(const stockade_plan *plan, const char *name, uint64_t a0, uint64_t a1)
{
	const struct sk_plan_entry *e = plan ? sk_plan_lookup(plan, name) : NULL;
	uint64_t args[SK_MAX_ARGS] = { a0, a1 };
	struct sk_verdict v;

	if (!e)
		return -2;
	sk_plan_decide(plan, name, args, &v);
	return v.rule ? v.rule - e->rules : -1;
}

TEST(ir_first_match_wins)
{
	stockade_plan *plan = plan_of(NULL, "seccomp:\n"
					    "  rules:\n"
					    "    - syscall: socket\n"
					    "      args: [\"arg0 == 1\"]\n"
					    "      action: allow\n"
					    "    - syscall: socket\n"
					    "      args: [\"arg0 <= 2\"]\n"
					    "      action: errno:EACCES\n"
					    "    - syscall: socket\n"
					    "      args: [\"arg1 == 5\"]\n"
					    "      action: kill\n"
					    "    - syscall: socket\n"
					    "      action: trap\n");

	DECIDES(plan, "socket", "allow", 1, 5, 0);
	DECIDES(plan, "socket", "errno:EACCES", 2, 5, 0);
	DECIDES(plan, "socket", "errno:EACCES", 0, 0, 0);
	DECIDES(plan, "socket", "kill", 3, 5, 0);
	DECIDES(plan, "socket", "trap", 3, 4, 0);
	DECIDES(plan, "socket", "trap", UINT64_MAX, UINT64_MAX, 0);
	CHECK_INT_EQ(rule_index(plan, "socket", 1, 5), 0);
	CHECK_INT_EQ(rule_index(plan, "socket", 2, 5), 1);
	CHECK_INT_EQ(rule_index(plan, "socket", 3, 5), 2);
	CHECK_INT_EQ(rule_index(plan, "socket", 3, 6), 3);
	/* Rules keep file order and their origins. */
	const struct sk_plan_entry *e = entry(plan, "socket");
	CHECK(e && e->nrules == 4 && !e->has_base);
	for (size_t i = 0; e && i < e->nrules; i++)
		CHECK(e->rules[i].at.line == 3 + 3 * (int)i && e->rules[i].at.column == 7);
	stockade_plan_free(plan);
}

TEST(ir_layer_rules_come_first)
{
	/* Both texts have the same origin name: they are still two layers. */
	static const char lower[] = "seccomp:\n"
				    "  rules:\n"
				    "    - syscall: socket\n"
				    "      args: [\"arg0 == 1\"]\n"
				    "      action: errno:EACCES\n"
				    "    - syscall: socket\n"
				    "      action: allow\n";
	static const char upper[] = "# the upper layer\n"
				    "seccomp:\n"
				    "  rules:\n"
				    "    - syscall: socket\n"
				    "      args: [\"arg0 == 1\"]\n"
				    "      action: allow\n"
				    "    - syscall: socket\n"
				    "      args: [\"arg0 == 2\"]\n"
				    "      action: kill\n";
	stockade_plan *plan = plan_from(lower, upper, (const char *)NULL);
	const struct sk_plan_entry *e = entry(plan, "socket");

	DECIDES(plan, "socket", "allow", 1, 0, 0);
	DECIDES(plan, "socket", "kill", 2, 0, 0);
	DECIDES(plan, "socket", "allow", 3, 0, 0);
	CHECK(e && e->nrules == 4);
	if (e && e->nrules == 4) {
		/* upper's two, then lower's two, each in file order */
		CHECK(e->rules[0].at.line == 4 && e->rules[1].at.line == 7);
		CHECK(e->rules[2].at.line == 3 && e->rules[3].at.line == 6);
	}
	stockade_plan_free(plan);
}

TEST(ir_allow_deny_drop_inherited_rules)
{
	static const char rules[] = "seccomp:\n"
				    "  rules:\n"
				    "    - syscall: clone\n"
				    "      args: [\"arg0 == 1\"]\n"
				    "      action: kill\n"
				    "    - syscall: socket\n"
				    "      args: [\"arg0 == 1\"]\n"
				    "      action: kill\n";
	stockade_plan *plan = plan_from(rules, "seccomp:\n  allow: [clone]\n  deny: [socket]\n", (const char *)NULL);
	const struct sk_plan_entry *e;

	e = entry(plan, "clone");
	CHECK(e && e->nrules == 0 && e->has_base && e->base.type == SK_ACT_ALLOW);
	DECIDES(plan, "clone", "allow", 1, 0, 0);
	e = entry(plan, "socket");
	CHECK(e && e->nrules == 0 && e->has_base);
	DECIDES(plan, "socket", "errno:EPERM", 1, 0, 0);
	DECIDES(plan, "socket", "errno:EPERM", 2, 0, 0);
	stockade_plan_free(plan);

	/* Through a group too (strict's @file-system drops agent's chmod rules). */
	plan = plan_from("seccomp:\n  rules:\n    - syscall: kcmp\n      args: [\"arg0 == 1\"]\n      action: kill\n",
			 "seccomp:\n  default_action: errno:ENOSYS\n  allow: [\"@debug\"]\n", (const char *)NULL);
	e = entry(plan, "kcmp");
	CHECK(e && e->nrules == 0 && e->via && strcmp(e->via, "@debug") == 0);
	DECIDES(plan, "kcmp", "allow", 1, 0, 0);
	stockade_plan_free(plan);

	/* A layer's own rules survive its own allow and deny. */
	plan = plan_of(NULL, "seccomp:\n  allow: [socket]\n  rules:\n    - syscall: socket\n"
			     "      args: [\"arg0 == 1\"]\n      action: kill\n");
	DECIDES(plan, "socket", "kill", 1, 0, 0);
	DECIDES(plan, "socket", "allow", 2, 0, 0);
	stockade_plan_free(plan);
}

TEST(ir_name_beats_group)
{
	stockade_plan *plan = plan_of(NULL, "seccomp:\n  deny: [\"@debug\"]\n  allow: [ptrace]\n");

	DECIDES(plan, "ptrace", "allow", 0, 0, 0);
	DECIDES(plan, "kcmp", "errno:EPERM", 0, 0, 0);
	stockade_plan_free(plan);
	/* The other way round, and the key order in the file does not matter. */
	plan = plan_of(NULL, "seccomp:\n  default_action: kill\n  deny: [ptrace]\n  allow: [\"@debug\"]\n");
	DECIDES(plan, "ptrace", "errno:EPERM", 0, 0, 0);
	DECIDES(plan, "kcmp", "allow", 0, 0, 0);
	DECIDES(plan, "process_vm_readv", "allow", 0, 0, 0);
	stockade_plan_free(plan);
	/* Only within one layer: a higher layer's group beats a lower name. */
	plan = plan_from("seccomp:\n  allow: [ptrace]\n", "seccomp:\n  deny: [\"@debug\"]\n", (const char *)NULL);
	DECIDES(plan, "ptrace", "errno:EPERM", 0, 0, 0);
	stockade_plan_free(plan);
	/* Two groups with the same verdict overlap freely. */
	plan = plan_of(NULL, "seccomp:\n  deny: [\"@module\", \"@obsolete\"]\n");
	DECIDES(plan, "create_module", "errno:EPERM", 0, 0, 0);
	stockade_plan_free(plan);
}

static bool group_contains(const char *group, const char *name, int depth)
{
	const struct sk_group *g = sk_group_lookup(group);

	for (size_t i = 0; g && depth < 16 && g->members[i]; i++)
		if (strcmp(g->members[i], name) == 0 ||
		    (g->members[i][0] == '@' && group_contains(g->members[i], name, depth + 1)))
			return true;
	return false;
}

/* The first syscall of `in` (expansion order) that `other` also has. */
static const char *first_shared(const char *in, const char *other)
{
	const struct sk_group *g = sk_group_lookup(in);

	for (size_t i = 0; g && g->members[i]; i++) {
		const char *m = g->members[i];
		if (m[0] == '@') {
			const char *s = first_shared(m, other);
			if (s)
				return s;
		} else if (sk_syscall_known(m) && group_contains(other, m, 0)) {
			return m;
		}
	}
	return NULL;
}

TEST(ir_group_conflict)
{
	/* create_module is both @module and @obsolete. */
	const char *shared = first_shared("@obsolete", "@module");
	char want[256];
	stockade_error *err;

	CHECK(shared != NULL);
	if (!shared)
		return;
	err = plan_error("seccomp:\n  deny: [\"@module\"]\n  allow: [\"@obsolete\"]\n", (const char *)NULL);
	snprintf(want, sizeof(want), ORIGIN ":3:12: `@obsolete` allows `%s`, but `@module` at line 2 denies it",
		 shared);
	CHECK_MSG(err && strcmp(err->msg, want) == 0, "\n    got:  %s\n    want: %s", err ? err->msg : "", want);
	CHECK(err && err->status == EINVAL && err->line == 3 && err->column == 12);
	CHECK(err && err->source_line && strcmp(err->source_line, "  allow: [\"@obsolete\"]") == 0);
	stockade_error_free(err);

	/* Denials are applied first, so the allow is the one reported. */
	shared = first_shared("@module", "@obsolete");
	err = plan_error("seccomp:\n  allow: [\"@module\"]\n  deny: [\"@obsolete\"]\n", (const char *)NULL);
	snprintf(want, sizeof(want), ORIGIN ":2:12: `@module` allows `%s`, but `@obsolete` at line 3 denies it",
		 shared ? shared : "?");
	CHECK_MSG(err && strcmp(err->msg, want) == 0, "\n    got:  %s\n    want: %s", err ? err->msg : "", want);
	stockade_error_free(err);

	/* Across layers there is no conflict. */
	stockade_plan *plan = plan_from("seccomp:\n  deny: [\"@module\"]\n", "seccomp:\n  allow: [\"@obsolete\"]\n",
					(const char *)NULL);
	DECIDES(plan, "create_module", "allow", 0, 0, 0);
	DECIDES(plan, "init_module", "errno:EPERM", 0, 0, 0);
	stockade_plan_free(plan);
	/* Command-line flags follow the same rule. */
	stockade_policy *p = NULL;
	err = NULL;
	plan = NULL;
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_deny(p, "@module", NULL, NULL) == 0);
	CHECK(stockade_policy_allow(p, "@obsolete", NULL) == 0);
	CHECK_INT_EQ(stockade_plan_build(p, &plan, &err), -EINVAL);
	CHECK_STR_CONTAINS(err ? err->msg : NULL, "`@obsolete` allows");
	stockade_error_free(err);
	stockade_policy_free(p);
}

TEST(ir_deny_action_carries_up)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	static const char *const layers[] = {
		"seccomp:\n  deny_action: errno:EACCES\n  deny: [getpid]\n",
		"seccomp:\n  deny: [gettid, \"@swap\"]\n",
		"seccomp:\n  deny: [getuid]\n  deny_action: kill\n", /* applies to its own deny */
	};

	CHECK(stockade_policy_new(&p, NULL) == 0);
	for (size_t i = 0; i < ARRAY_SIZE(layers); i++)
		CHECK(stockade_policy_add_text(p, ORIGIN, layers[i], strlen(layers[i]), NULL) == 0);
	CHECK(stockade_policy_deny(p, "getgid", NULL, NULL) == 0);
	CHECK(stockade_plan_build(p, &plan, NULL) == 0);
	stockade_policy_free(p);
	DECIDES(plan, "getpid", "errno:EACCES", 0, 0, 0);
	DECIDES(plan, "gettid", "errno:EACCES", 0, 0, 0);
	DECIDES(plan, "swapon", "errno:EACCES", 0, 0, 0);
	DECIDES(plan, "getuid", "kill", 0, 0, 0);
	DECIDES(plan, "getgid", "kill", 0, 0, 0);
	DECIDES(plan, "getppid", "allow", 0, 0, 0);
	stockade_plan_free(plan);
}

TEST(ir_default_action_from_a_higher_layer)
{
	static const char lower[] = "seccomp:\n"
				    "  default_action: allow\n"
				    "  deny: [getpid]\n"
				    "  allow: [getppid]\n"
				    "  rules:\n"
				    "    - syscall: socket\n"
				    "      args: [\"arg0 == 1\"]\n"
				    "      action: errno:EACCES\n";
	stockade_plan *plan = plan_from(lower, "\nseccomp:\n  default_action: kill\n", (const char *)NULL);
	struct sk_verdict v;
	uint64_t args[SK_MAX_ARGS] = { 2 };

	CHECK(plan && plan->default_action.type == SK_ACT_KILL_PROCESS && plan->default_at.line == 3);
	DECIDES(plan, "getpid", "errno:EPERM", 0, 0, 0);   /* an explicit base stays */
	DECIDES(plan, "getppid", "allow", 0, 0, 0);	    /* so does an explicit allow */
	DECIDES(plan, "socket", "errno:EACCES", 1, 0, 0); /* the rule still matches */
	DECIDES(plan, "socket", "kill", 2, 0, 0);	    /* no rule, no base: the new default */
	DECIDES(plan, unmentioned(plan), "kill", 0, 0, 0);
	if (plan) {
		sk_plan_decide(plan, "socket", args, &v);
		CHECK(v.rule == NULL && v.via == NULL && v.at.line == 3);
	}
	stockade_plan_free(plan);
	/* Without any default_action the plan allows. */
	plan = plan_of(NULL, "seccomp:\n  deny: [getpid]\n");
	CHECK(plan && plan->default_action.type == SK_ACT_ALLOW && plan->default_at.file == NULL);
	DECIDES(plan, unmentioned(plan), "allow", 0, 0, 0);
	stockade_plan_free(plan);
}

TEST(ir_enabled)
{
	stockade_plan *plan = plan_of("minimal", "seccomp:\n  enabled: false\n");

	CHECK(plan && !plan->seccomp_enabled);
	DECIDES(plan, "ptrace", "allow", 0, 0, 0);
	DECIDES(plan, "clone", "allow", X_CLONE_NEWUSER, 0, 0);
	stockade_plan_free(plan);
	/* The last layer that says wins; one that says nothing changes nothing. */
	plan = plan_from("preset:minimal", "seccomp:\n  enabled: false\n", "seccomp:\n  enabled: true\n",
			 "seccomp:\n  deny: [getpid]\n", (const char *)NULL);
	CHECK(plan && plan->seccomp_enabled);
	DECIDES(plan, "ptrace", "errno:EPERM", 0, 0, 0);
	stockade_plan_free(plan);
	plan = plan_of("none", NULL);
	CHECK(plan && !plan->seccomp_enabled && plan->nentries == 0);
	DECIDES(plan, "kexec_load", "allow", 0, 0, 0);
	stockade_plan_free(plan);
	/* A layer on top of `none` that says what the filter does turns it on:
	 * its denials hold (and only they). */
	plan = plan_of("none", "seccomp:\n  deny: [ptrace]\n");
	CHECK(plan && plan->seccomp_enabled);
	DECIDES(plan, "ptrace", "errno:EPERM", 0, 0, 0);
	DECIDES(plan, "kexec_load", "allow", 0, 0, 0);
	stockade_plan_free(plan);
	plan = plan_of("none", "seccomp:\n  default_action: errno:ENOSYS\n  allow: [read]\n");
	CHECK(plan && plan->seccomp_enabled);
	DECIDES(plan, "write", "errno:ENOSYS", 0, 0, 0);
	stockade_plan_free(plan);
	/* ... unless it also says `enabled: false`; a layer with no seccomp
	 * content (filesystem only) leaves the filter off. */
	plan = plan_of("none", "seccomp:\n  enabled: false\n  deny: [ptrace]\n");
	CHECK(plan && !plan->seccomp_enabled);
	stockade_plan_free(plan);
	plan = plan_of("none", "filesystem:\n  read: [/]\n");
	CHECK(plan && !plan->seccomp_enabled);
	stockade_plan_free(plan);
}

/* ---- the presets ---- */

TEST(ir_preset_agent)
{
	stockade_plan *plan = plan_of("agent", NULL);

	if (!plan)
		return;
	CHECK(strcmp(plan->name, "agent") == 0);
	CHECK(plan->seccomp_enabled && plan->default_action.type == SK_ACT_ALLOW);
	CHECK(plan->compat == SK_COMPAT_REFUSE);
	/* socket: AF_UNIX allowed; the families that sniff traffic, leave the
	 * VM or reach rare kernel code refused; compared as 64-bit values
	 * (high bits do not sneak a family through).  (Whether AF_INET is
	 * allowed depends on the network mode, tested with it.) */
	DECIDES(plan, "socket", "allow", X_AF_UNIX, 1, 0);
	static const uint64_t bad_families[] = { X_AF_PACKET, X_AF_VSOCK, X_AF_ALG, 0, 0x100000001ULL, 0x10000000aULL };
	for (size_t i = 0; i < ARRAY_SIZE(bad_families); i++)
		CHECK_MSG(denies(plan, "socket", bad_families[i], 1), "socket(%#" PRIx64 ")", bad_families[i]);
	(void)X_AF_INET;
	(void)X_AF_INET6;
	(void)X_AF_NETLINK;
	/* clone3's flags live in memory: ENOSYS, libc falls back to clone. */
	DECIDES(plan, "clone3", "errno:ENOSYS", 0, 0, 0);
	DECIDES(plan, "clone", "allow", X_SIGCHLD, 0, 0);
	DECIDES(plan, "clone", "allow", 0, 0, 0);
	DECIDES(plan, "clone", "errno:EPERM", X_CLONE_NEWUSER | X_SIGCHLD, 0, 0);
	DECIDES(plan, "clone", "errno:EPERM", X_CLONE_NEWNET, 0, 0);
	DECIDES(plan, "clone", "errno:EPERM", X_CLONE_NEWNS, 0, 0);
	DECIDES(plan, "unshare", "errno:EPERM", X_CLONE_NEWUSER, 0, 0);
	DECIDES(plan, "unshare", "errno:EPERM", X_CLONE_NEWTIME, 0, 0);
	DECIDES(plan, "unshare", "allow", X_CLONE_FILES, 0, 0);
	DECIDES(plan, "setns", "errno:EPERM", 3, 0, 0);
	/* ioctl: TIOCSTI and TIOCLINUX, also with high bits set (the kernel
	 * reads 32 bits). */
	DECIDES(plan, "ioctl", "errno:EPERM", 0, X_TIOCSTI, 0);
	DECIDES(plan, "ioctl", "errno:EPERM", 0, 0x100005412ULL, 0);
	DECIDES(plan, "ioctl", "errno:EPERM", 0, 0xffffffff00005412ULL, 0);
	DECIDES(plan, "ioctl", "errno:EPERM", 0, X_TIOCLINUX, 0);
	DECIDES(plan, "ioctl", "errno:EPERM", 0, 0x80000000541cULL, 0);
	DECIDES(plan, "ioctl", "allow", 0, X_TCGETS, 0);
	DECIDES(plan, "ioctl", "allow", 0, 0x5413, 0);
	DECIDES(plan, "ioctl", "allow", 0, 0x15412, 0);
	/* execveat's AT_EMPTY_PATH is arg4 */
	uint64_t exec_args[SK_MAX_ARGS] = { 3, 0, 0, 0, X_AT_EMPTY_PATH };
	struct sk_verdict v;
	sk_plan_decide(plan, "execveat", exec_args, &v);
	CHECK(v.action.type == SK_ACT_ERRNO && v.action.errnum == EPERM);
	exec_args[4] = 0x100;
	sk_plan_decide(plan, "execveat", exec_args, &v);
	CHECK(v.action.type == SK_ACT_ALLOW);
	DECIDES(plan, "memfd_create", "errno:EPERM", 0, X_MFD_EXEC, 0);
	DECIDES(plan, "memfd_create", "allow", 0, X_MFD_CLOEXEC, 0);
	DECIDES(plan, "memfd_create", "allow", 0, X_MFD_NOEXEC_SEAL, 0);
	DECIDES(plan, "personality", "allow", 0, 0, 0);
	DECIDES(plan, "personality", "allow", X_PER_LINUX32, 0, 0);
	DECIDES(plan, "personality", "errno:EPERM", X_ADDR_NO_RANDOMIZE, 0, 0);
	DECIDES(plan, "personality", "errno:EPERM", X_READ_IMPLIES_EXEC, 0, 0);
	DECIDES(plan, "personality", "errno:EPERM", X_MMAP_PAGE_ZERO, 0, 0);
	/* Group denials. */
	static const char *const denied[] = {
		"ptrace", "bpf", "mount", "fsopen", "init_module", "kexec_load", "io_uring_setup",
		"add_key", "userfaultfd", "swapon", "reboot", "iopl", "modify_ldt", "settimeofday",
	};
	for (size_t i = 0; i < ARRAY_SIZE(denied); i++)
		DECIDES(plan, denied[i], "errno:EPERM", 0, 0, 0);
	static const char *const allowed[] = { "read", "openat", "mmap", "execve", "prctl", "seccomp", "getpid" };
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		DECIDES(plan, allowed[i], "allow", 0, 0, 0);
	uint64_t none_args[SK_MAX_ARGS] = { 0 };
	sk_plan_decide(plan, "mount", none_args, &v);
	CHECK(v.via && strcmp(v.via, "@mount") == 0 && v.at.file && strcmp(v.at.file, "presets/agent.yaml") == 0);
	stockade_plan_free(plan);
}

TEST(ir_preset_strict)
{
	stockade_plan *plan = plan_of("strict", NULL);

	if (!plan)
		return;
	CHECK(strcmp(plan->name, "strict") == 0);
	CHECK(plan->default_action.type == SK_ACT_ERRNO && plan->default_action.errnum == ENOSYS);
	DECIDES(plan, unmentioned(plan), "errno:ENOSYS", 0, 0, 0);
	/* agent's clone rules decide clone by themselves: the namespace rule
	 * stays, and clone(0) is allowed although the default is ENOSYS. */
	const struct sk_plan_entry *e = entry(plan, "clone");
	CHECK(e && !e->has_base);
	DECIDES(plan, "clone", "errno:EPERM", X_CLONE_NEWUSER | X_SIGCHLD, 0, 0);
	DECIDES(plan, "clone", "errno:EPERM", X_CLONE_NEWNS, 0, 0);
	DECIDES(plan, "clone", "allow", 0, 0, 0);
	DECIDES(plan, "clone", "allow", X_SIGCHLD | X_CLONE_FILES, 0, 0);
	DECIDES(plan, "clone3", "errno:ENOSYS", 0, 0, 0);
	DECIDES(plan, "memfd_create", "errno:EPERM", 0, 0, 0);
	DECIDES(plan, "ptrace", "errno:EPERM", 0, 0, 0);
	DECIDES(plan, "socket", "allow", X_AF_UNIX, 1, 0);
	CHECK(denies(plan, "socket", X_AF_PACKET, 1));
	DECIDES(plan, "ioctl", "errno:EPERM", 0, 0x100005412ULL, 0);
	DECIDES(plan, "ioctl", "allow", 0, X_TCGETS, 0);
	DECIDES(plan, "read", "allow", 0, 0, 0);
	DECIDES(plan, "mount", "errno:EPERM", 0, 0, 0);
	stockade_plan_free(plan);
}

/* The scheduler and limit family acts on the caller alone: who (or pid) 0
 * of the process form.  setpriority's and ioprio_set's group and user forms
 * with who 0 name the caller's process group and uid, which hold outside
 * processes (the supervisor, a harness in the same group, every process of
 * the user): refused. */
#define X_PRIO_PROCESS 0ULL
#define X_PRIO_PGRP 1ULL
#define X_PRIO_USER 2ULL
#define X_IOPRIO_WHO_PROCESS 1ULL
#define X_IOPRIO_WHO_PGRP 2ULL
#define X_IOPRIO_WHO_USER 3ULL

TEST(ir_preset_scheduler_family_caller_only)
{
	static const char *const presets[] = { "agent", "strict" };

	for (size_t i = 0; i < ARRAY_SIZE(presets); i++) {
		stockade_plan *plan = plan_of(presets[i], NULL);

		if (!plan)
			continue;
		DECIDES(plan, "setpriority", "allow", X_PRIO_PROCESS, 0, 0);
		DECIDES(plan, "setpriority", "errno:EPERM", X_PRIO_PROCESS, 4242, 0);
		DECIDES(plan, "setpriority", "errno:EPERM", X_PRIO_PGRP, 0, 0);
		DECIDES(plan, "setpriority", "errno:EPERM", X_PRIO_USER, 0, 0);
		DECIDES(plan, "setpriority", "errno:EPERM", X_PRIO_PROCESS | (1ULL << 32), 0, 0);
		DECIDES(plan, "ioprio_set", "allow", X_IOPRIO_WHO_PROCESS, 0, 0);
		DECIDES(plan, "ioprio_set", "errno:EPERM", X_IOPRIO_WHO_PGRP, 0, 0);
		DECIDES(plan, "ioprio_set", "errno:EPERM", X_IOPRIO_WHO_USER, 0, 0);
		DECIDES(plan, "prlimit64", "allow", 0, 4, 0);
		DECIDES(plan, "prlimit64", "errno:EPERM", 4242, 4, 0);
		DECIDES(plan, "sched_setaffinity", "allow", 0, 8, 0);
		DECIDES(plan, "sched_setaffinity", "errno:EPERM", 4242, 8, 0);
		stockade_plan_free(plan);
	}
}

TEST(ir_preset_overlays)
{
	stockade_policy *p = NULL;

	/* Alone, an overlay goes on top of agent. */
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "debug", NULL) == 0);
	/* Built-in presets are parsed when their layers are needed. */
	CHECK(sk_policy_materialize(p, NULL) == 0);
	CHECK_INT_EQ(p->nlayers, 2);
	CHECK(p->nlayers == 2 && strcmp(p->layers[0]->file, "presets/agent.yaml") == 0 &&
	      strcmp(p->layers[1]->file, "presets/debug.yaml") == 0);
	CHECK(strcmp(stockade_policy_name(p), "debug") == 0);
	stockade_policy_free(p);
	/* On top of something else, it stays an overlay. */
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "minimal", NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "debug", NULL) == 0);
	CHECK(sk_policy_materialize(p, NULL) == 0);
	CHECK_INT_EQ(p->nlayers, 2);
	stockade_policy_free(p);

	stockade_plan *plan = plan_of("debug", NULL);
	DECIDES(plan, "ptrace", "allow", 0, 0, 0);
	DECIDES(plan, "process_vm_readv", "allow", 0, 0, 0);
	DECIDES(plan, "perf_event_open", "allow", 0, 0, 0);
	/* personality: the query and ASLR-off personas, not the dangerous flags. */
	DECIDES(plan, "personality", "allow", 0xffffffff, 0, 0);
	DECIDES(plan, "personality", "allow", X_ADDR_NO_RANDOMIZE, 0, 0);
	DECIDES(plan, "personality", "allow", X_ADDR_NO_RANDOMIZE | X_PER_LINUX32 | X_UNAME26, 0, 0);
	DECIDES(plan, "personality", "allow", 0, 0, 0);
	DECIDES(plan, "personality", "errno:EPERM", X_READ_IMPLIES_EXEC, 0, 0);
	DECIDES(plan, "personality", "errno:EPERM", X_ADDR_NO_RANDOMIZE | X_MMAP_PAGE_ZERO, 0, 0);
	DECIDES(plan, "personality", "errno:EPERM", 0x10000000, 0, 0);
	DECIDES(plan, "mount", "errno:EPERM", 0, 0, 0); /* the rest of agent stays */
	DECIDES(plan, "clone", "errno:EPERM", X_CLONE_NEWUSER, 0, 0);
	stockade_plan_free(plan);

	plan = plan_of("sealed-memfd", NULL);
	DECIDES(plan, "memfd_create", "allow", 0, X_MFD_NOEXEC_SEAL, 0);
	DECIDES(plan, "memfd_create", "allow", 0, X_MFD_NOEXEC_SEAL | X_MFD_CLOEXEC, 0);
	DECIDES(plan, "memfd_create", "errno:EPERM", 0, 0, 0);
	DECIDES(plan, "memfd_create", "errno:EPERM", 0, X_MFD_CLOEXEC, 0);
	DECIDES(plan, "memfd_create", "errno:EPERM", 0, X_MFD_EXEC, 0);
	DECIDES(plan, "ptrace", "errno:EPERM", 0, 0, 0);
	stockade_plan_free(plan);

	/* Overlays on strict: debug re-allows ptrace over strict's deny. */
	plan = plan_from("preset:strict", "preset:debug", "preset:sealed-memfd", (const char *)NULL);
	DECIDES(plan, "ptrace", "allow", 0, 0, 0);
	DECIDES(plan, "memfd_create", "allow", 0, X_MFD_NOEXEC_SEAL, 0);
	DECIDES(plan, "memfd_create", "errno:EPERM", 0, 0, 0);
	DECIDES(plan, unmentioned(plan), "errno:ENOSYS", 0, 0, 0);
	stockade_plan_free(plan);
}

TEST(ir_preset_minimal)
{
	stockade_plan *plan = plan_of("minimal", NULL);

	DECIDES(plan, "ptrace", "errno:EPERM", 0, 0, 0);
	DECIDES(plan, "keyctl", "errno:EPERM", 0, 0, 0);
	DECIDES(plan, "clone", "errno:EPERM", X_CLONE_NEWUSER, 0, 0);
	DECIDES(plan, "clone", "allow", X_CLONE_NEWNET, 0, 0);
	DECIDES(plan, "io_uring_setup", "allow", 0, 0, 0);
	DECIDES(plan, "socket", "allow", X_AF_PACKET, 0, 0);
	stockade_plan_free(plan);
}

/* Every preset builds alone, under each overlay, and twice over. */
TEST(ir_preset_combinations)
{
	char a[64], b[64];

	for (size_t i = 0; i < sk_presets_len; i++) {
		snprintf(a, sizeof(a), "preset:%s", sk_presets[i].name);
		stockade_plan *plan = plan_from(a, (const char *)NULL);
		CHECK_MSG(plan != NULL, "%s", a);
		stockade_plan_free(plan);
		plan = plan_from(a, a, (const char *)NULL);
		CHECK_MSG(plan != NULL, "%s twice", a);
		stockade_plan_free(plan);
		for (size_t j = 0; j < sk_presets_len; j++) {
			if (!sk_presets[j].base)
				continue;
			snprintf(b, sizeof(b), "preset:%s", sk_presets[j].name);
			plan = plan_from(a, b, (const char *)NULL);
			CHECK_MSG(plan != NULL, "%s + %s", a, b);
			stockade_plan_free(plan);
		}
	}
}

/* Presets skip the load-time reachability check; check it here.  Each
 * preset's rules for a syscall, grouped by origin (a rule's alternatives),
 * must each match some call no earlier rule of that preset matches. */
static bool reachable(const struct sk_rule *rules, size_t n, size_t start, size_t end)
{
	bool live = false;

	for (size_t k = start; k < end && !live; k++) {
		struct sk_region own = { 0 };
		int ret = sk_region_from_conds(&own, rules[k].conds, rules[k].nconds);

		for (size_t j = 0; ret == 0 && j < start; j++) {
			struct sk_region prev = { 0 };
			if (strcmp(rules[j].syscall, rules[k].syscall) != 0)
				continue;
			ret = sk_region_from_conds(&prev, rules[j].conds, rules[j].nconds);
			for (size_t t = 0; ret == 0 && t < prev.n; t++)
				ret = sk_region_subtract(&own, &prev.terms[t]);
			sk_region_clear(&prev);
		}
		CHECK(ret == 0);
		live = own.n > 0;
		sk_region_clear(&own);
	}
	return live;
}

TEST(ir_preset_rules_reachable)
{
	for (size_t i = 0; i < sk_presets_len; i++) {
		stockade_policy *p = NULL;

		CHECK(stockade_policy_new(&p, NULL) == 0);
		CHECK(stockade_policy_add_text(p, "preset", sk_presets[i].text, strlen(sk_presets[i].text), NULL) == 0);
		for (size_t li = 0; li < p->nlayers; li++) {
			const struct sk_layer *l = p->layers[li];
			if (strcmp(l->file, "preset") != 0)
				continue; /* an extended preset: checked on its own */
			for (size_t start = 0, end; start < l->nrules; start = end) {
				const struct sk_rule *r = &l->rules[start];
				for (end = start + 1; end < l->nrules && l->rules[end].at.line == r->at.line &&
						      l->rules[end].at.column == r->at.column;
				     end++)
					;
				CHECK_MSG(reachable(l->rules, l->nrules, start, end),
					  "preset %s, line %d: the rule for %s never matches", sk_presets[i].name,
					  r->at.line, r->syscall);
			}
		}
		stockade_policy_free(p);
	}
}

TEST(ir_plan_entries)
{
	stockade_plan *plan = plan_of("strict", NULL);

	if (!plan)
		return;
	CHECK(plan->nentries > 100);
	for (size_t i = 1; i < plan->nentries; i++)
		CHECK_MSG(strcmp(plan->entries[i - 1].name, plan->entries[i].name) < 0, "%s before %s",
			  plan->entries[i - 1].name, plan->entries[i].name);
	for (size_t i = 0; i < plan->nentries; i++) {
		CHECK(sk_plan_lookup(plan, plan->entries[i].name) == &plan->entries[i]);
		CHECK(sk_syscall_known(plan->entries[i].name));
		CHECK(plan->entries[i].has_base || plan->entries[i].nrules > 0);
	}
	CHECK(sk_plan_lookup(plan, "") == NULL);
	CHECK(sk_plan_lookup(plan, "zzzz") == NULL);
	CHECK(sk_plan_lookup(plan, "@mount") == NULL);
	/* An unknown name is decided by the default. */
	DECIDES(plan, "no_such_syscall", "errno:ENOSYS", 0, 0, 0);
	stockade_plan_free(plan);
}
