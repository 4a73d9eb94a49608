/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator tier: what every preset does, call by call, as data.
 *
 * Each row is (policy, filter arch, entry point, syscall, arguments,
 * expected action), written by hand from the preset text in src/policy/presets.c and
 * the kernel ABI, never from the code under test.  The compiled filter for
 * the row's arch is run in the simulator with the entry point's
 * seccomp_data (AUDIT_ARCH_I386 for int 0x80, AUDIT_ARCH_X86_64 with
 * __X32_SYSCALL_BIT for x32, AUDIT_ARCH_ARM on aarch64); on the native entry
 * point the policy's own semantics (sk_plan_decide) must agree too.
 * Argument rules are probed on both sides of every boundary.
 *
 * When a preset changes, this table is what says how.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>

#include "../harness.h"
#include "analysis/analysis.h"
#include "seccomp/sim.h"

#define X86_64 SCMP_ARCH_X86_64
#define I386 SCMP_ARCH_X86
#define X32 SCMP_ARCH_X32
#define ARM64 SCMP_ARCH_AARCH64
#define ARM SCMP_ARCH_ARM

/* Kernel ABI values, spelled out here rather than taken from stockade. */
#define CLONE_NEWNS_ 0x00020000ULL
#define CLONE_NEWUSER_ 0x10000000ULL
#define CLONE_NEWNET_ 0x40000000ULL
#define CLONE_NEWTIME_ 0x00000080ULL
#define CLONE_FILES_ 0x00000400ULL
#define SIGCHLD_ 17ULL
#define TIOCSTI_ 0x5412ULL
#define TIOCLINUX_ 0x541cULL
#define FIONREAD_ 0x541bULL
#define MFD_CLOEXEC_ 0x1ULL
#define MFD_ALLOW_SEALING_ 0x2ULL
#define MFD_NOEXEC_SEAL_ 0x8ULL
#define MFD_EXEC_ 0x10ULL
#define AT_EMPTY_PATH_ 0x1000ULL
#define ADDR_NO_RANDOMIZE_ 0x0040000ULL
#define READ_IMPLIES_EXEC_ 0x0400000ULL
#define PER_LINUX32_ 0x8ULL
#define S_ISUID_ 04000ULL
#define S_ISGID_ 02000ULL
#define O_CREAT_ 0100ULL

/* The policy of a row: a preset, optionally with text on top. */
#define COMPAT_FILTER "version: 1\nseccomp:\n  compat_arches: filter\n"

struct row {
	const char *preset;
	const char *text;
	uint32_t arch; /* the filter's */
	uint32_t abi;  /* the entry point the call comes through */
	const char *syscall;
	uint64_t a[6];
	const char *want;
};

static const struct row rows[] = {
	/* ---- agent, x86_64 ---- */
	{ "agent", NULL, X86_64, X86_64, "read", { 0 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "getpid", { 0 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "mount", { 0 }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "setns", { 0 }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "ptrace", { 0 }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "bpf", { 0 }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "io_uring_setup", { 0 }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "reboot", { 0 }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "init_module", { 0 }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "keyctl", { 0 }, "errno:EPERM" },
	/* unshare: any namespace flag, CLONE_NEWTIME included */
	{ "agent", NULL, X86_64, X86_64, "unshare", { 0 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "unshare", { CLONE_FILES_ }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "unshare", { CLONE_NEWUSER_ }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "unshare", { CLONE_NEWNS_ | CLONE_FILES_ }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "unshare", { CLONE_NEWTIME_ }, "errno:EPERM" },
	/* clone: 0x80 is part of the exit signal for clone(), not NEWTIME */
	{ "agent", NULL, X86_64, X86_64, "clone", { SIGCHLD_ }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "clone", { CLONE_NEWTIME_ }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "clone", { CLONE_NEWUSER_ | SIGCHLD_ }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "clone", { CLONE_NEWNET_ }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "clone3", { 0 }, "errno:ENOSYS" },
	/* ioctl: the low 32 bits of the request decide */
	{ "agent", NULL, X86_64, X86_64, "ioctl", { 0, TIOCSTI_ }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "ioctl", { 0, TIOCSTI_ - 1 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "ioctl", { 0, TIOCSTI_ + 1 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "ioctl", { 0, 0x100000000ULL | TIOCSTI_ }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "ioctl", { 0, TIOCLINUX_ }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "ioctl", { 0, FIONREAD_ }, "allow" },
	/* memfd_create: MFD_EXEC only */
	{ "agent", NULL, X86_64, X86_64, "memfd_create", { 0, 0 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "memfd_create", { 0, MFD_CLOEXEC_ | MFD_ALLOW_SEALING_ }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "memfd_create", { 0, MFD_EXEC_ }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "memfd_create", { 0, MFD_EXEC_ | MFD_CLOEXEC_ }, "errno:EPERM" },
	/* execveat: only with AT_EMPTY_PATH (arg4) */
	{ "agent", NULL, X86_64, X86_64, "execveat", { 3, 0, 0, 0, 0 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "execveat", { 3, 0, 0, 0, AT_EMPTY_PATH_ }, "errno:EPERM" },
	/* personality: flag bits that weaken memory protections; the query
	 * 0xffffffff sets them all */
	{ "agent", NULL, X86_64, X86_64, "personality", { 0 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "personality", { PER_LINUX32_ }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "personality", { ADDR_NO_RANDOMIZE_ }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "personality", { READ_IMPLIES_EXEC_ }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "personality", { 0xffffffffULL }, "errno:EPERM" },
	/* network: none, so AF_UNIX only (EACCES), before the family rules */
	{ "agent", NULL, X86_64, X86_64, "socket", { 1, 1 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "socket", { 2, 1 }, "errno:EACCES" },
	{ "agent", NULL, X86_64, X86_64, "socket", { 17, 3 }, "errno:EACCES" },
	{ "agent", NULL, X86_64, X86_64, "socket", { 0x100000001ULL, 1 }, "errno:EACCES" },
	/* setuid and setgid files */
	{ "agent", NULL, X86_64, X86_64, "chmod", { 0, 0755 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "chmod", { 0, S_ISUID_ | 0755 }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "fchmodat", { 0, 0, S_ISGID_ }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "fchmodat", { 0, 0, 0644 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "openat", { 0, 0, O_CREAT_, 0644 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "openat", { 0, 0, O_CREAT_, S_ISUID_ }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "openat", { 0, 0, 0, S_ISUID_ }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "openat2", { 0 }, "errno:ENOSYS" },
	/* the other entry points are refused: the process dies */
	{ "agent", NULL, X86_64, I386, "read", { 0 }, "kill" },
	{ "agent", NULL, X86_64, I386, "socket", { 1 }, "kill" },
	{ "agent", NULL, X86_64, I386, "socketcall", { 1 }, "kill" },
	{ "agent", NULL, X86_64, X32, "read", { 0 }, "kill" },
	{ "agent", NULL, X86_64, X32, "getpid", { 0 }, "kill" },

	/* ---- agent, aarch64 ---- */
	{ "agent", NULL, ARM64, ARM64, "read", { 0 }, "allow" },
	{ "agent", NULL, ARM64, ARM64, "mount", { 0 }, "errno:EPERM" },
	{ "agent", NULL, ARM64, ARM64, "clone", { CLONE_NEWUSER_ }, "errno:EPERM" },
	{ "agent", NULL, ARM64, ARM64, "clone", { SIGCHLD_ }, "allow" },
	{ "agent", NULL, ARM64, ARM64, "ioctl", { 0, TIOCSTI_ }, "errno:EPERM" },
	{ "agent", NULL, ARM64, ARM64, "ioctl", { 0, FIONREAD_ }, "allow" },
	{ "agent", NULL, ARM64, ARM64, "socket", { 1 }, "allow" },
	{ "agent", NULL, ARM64, ARM64, "socket", { 10 }, "errno:EACCES" },
	{ "agent", NULL, ARM64, ARM64, "fchmodat", { 0, 0, S_ISUID_ }, "errno:EPERM" },
	{ "agent", NULL, ARM64, ARM64, "clone3", { 0 }, "errno:ENOSYS" },
	{ "agent", NULL, ARM64, ARM, "read", { 0 }, "kill" },

	/* ---- agent with compat_arches: filter: the same rules through
	 * int 0x80 and x32, on 32-bit arguments ---- */
	{ "agent", COMPAT_FILTER, X86_64, I386, "read", { 0 }, "allow" },
	{ "agent", COMPAT_FILTER, X86_64, I386, "mount", { 0 }, "errno:EPERM" },
	{ "agent", COMPAT_FILTER, X86_64, I386, "unshare", { CLONE_NEWUSER_ }, "errno:EPERM" },
	{ "agent", COMPAT_FILTER, X86_64, I386, "unshare", { 0 }, "allow" },
	{ "agent", COMPAT_FILTER, X86_64, I386, "socket", { 1 }, "allow" },
	{ "agent", COMPAT_FILTER, X86_64, I386, "socket", { 2 }, "errno:EACCES" },
	/* a 32-bit ABI cannot pass the high word: the request is 0x5412 */
	{ "agent", COMPAT_FILTER, X86_64, I386, "ioctl", { 0, 0x100000000ULL | TIOCSTI_ }, "errno:EPERM" },
	{ "agent", COMPAT_FILTER, X86_64, I386, "ioctl", { 0, FIONREAD_ }, "allow" },
	{ "agent", COMPAT_FILTER, X86_64, X32, "read", { 0 }, "allow" },
	{ "agent", COMPAT_FILTER, X86_64, X32, "ioctl", { 0, TIOCSTI_ }, "errno:EPERM" },
	{ "agent", COMPAT_FILTER, X86_64, X32, "memfd_create", { 0, MFD_EXEC_ }, "errno:EPERM" },
	{ "agent", COMPAT_FILTER, X86_64, X32, "memfd_create", { 0, MFD_CLOEXEC_ }, "allow" },
	{ "agent", COMPAT_FILTER, ARM64, ARM, "read", { 0 }, "allow" },
	{ "agent", COMPAT_FILTER, ARM64, ARM, "mount", { 0 }, "errno:EPERM" },

	/* ---- strict: agent's rules, an allow-list, ENOSYS for the rest ---- */
	{ "strict", NULL, X86_64, X86_64, "read", { 0 }, "allow" },
	{ "strict", NULL, X86_64, X86_64, "openat", { 0, 0, 0, 0 }, "allow" },
	{ "strict", NULL, X86_64, X86_64, "memfd_create", { 0, 0 }, "errno:EPERM" },
	{ "strict", NULL, X86_64, X86_64, "ptrace", { 0 }, "errno:EPERM" },
	{ "strict", NULL, X86_64, X86_64, "mount", { 0 }, "errno:EPERM" },
	{ "strict", NULL, X86_64, X86_64, "clone", { SIGCHLD_ }, "allow" },
	{ "strict", NULL, X86_64, X86_64, "clone", { CLONE_NEWUSER_ }, "errno:EPERM" },
	{ "strict", NULL, X86_64, X86_64, "clone3", { 0 }, "errno:ENOSYS" },
	{ "strict", NULL, X86_64, X86_64, "chmod", { 0, S_ISUID_ }, "errno:EPERM" },
	{ "strict", NULL, X86_64, X86_64, "chmod", { 0, 0644 }, "allow" },
	{ "strict", NULL, X86_64, X86_64, "socket", { 1 }, "allow" },
	{ "strict", NULL, X86_64, X86_64, "socket", { 2 }, "errno:EACCES" },
	{ "strict", NULL, X86_64, X86_64, "fanotify_init", { 0 }, "errno:ENOSYS" },
	{ "strict", NULL, X86_64, I386, "read", { 0 }, "kill" },
	{ "strict", NULL, ARM64, ARM64, "read", { 0 }, "allow" },
	{ "strict", NULL, ARM64, ARM64, "memfd_create", { 0, 0 }, "errno:EPERM" },
	{ "strict", NULL, ARM64, ARM, "read", { 0 }, "kill" },

	/* ---- minimal: the bubblewrap proposal's starter list ---- */
	{ "minimal", NULL, X86_64, X86_64, "read", { 0 }, "allow" },
	{ "minimal", NULL, X86_64, X86_64, "mount", { 0 }, "errno:EPERM" },
	{ "minimal", NULL, X86_64, X86_64, "fsopen", { 0 }, "errno:EPERM" },
	{ "minimal", NULL, X86_64, X86_64, "unshare", { 0 }, "errno:EPERM" },
	{ "minimal", NULL, X86_64, X86_64, "ptrace", { 0 }, "errno:EPERM" },
	{ "minimal", NULL, X86_64, X86_64, "clone", { CLONE_NEWUSER_ }, "errno:EPERM" },
	{ "minimal", NULL, X86_64, X86_64, "clone", { CLONE_NEWNET_ }, "allow" },
	{ "minimal", NULL, X86_64, X86_64, "clone", { SIGCHLD_ }, "allow" },
	{ "minimal", NULL, X86_64, X86_64, "clone3", { 0 }, "errno:ENOSYS" },
	{ "minimal", NULL, X86_64, X86_64, "socket", { 17 }, "allow" },
	{ "minimal", NULL, X86_64, X86_64, "personality", { ADDR_NO_RANDOMIZE_ }, "allow" },
	{ "minimal", NULL, X86_64, I386, "read", { 0 }, "kill" },
	{ "minimal", NULL, X86_64, X32, "read", { 0 }, "kill" },
	{ "minimal", NULL, ARM64, ARM64, "mount", { 0 }, "errno:EPERM" },
	{ "minimal", NULL, ARM64, ARM64, "clone", { CLONE_NEWUSER_ }, "errno:EPERM" },
	{ "minimal", NULL, ARM64, ARM, "read", { 0 }, "kill" },

	/* ---- debug (alone: on top of agent) ---- */
	{ "debug", NULL, X86_64, X86_64, "ptrace", { 0 }, "allow" },
	{ "debug", NULL, X86_64, X86_64, "process_vm_readv", { 0 }, "allow" },
	{ "debug", NULL, X86_64, X86_64, "mount", { 0 }, "errno:EPERM" },
	{ "debug", NULL, X86_64, X86_64, "personality", { 0xffffffffULL }, "allow" },
	{ "debug", NULL, X86_64, X86_64, "personality", { ADDR_NO_RANDOMIZE_ }, "allow" },
	{ "debug", NULL, X86_64, X86_64, "personality", { ADDR_NO_RANDOMIZE_ | PER_LINUX32_ }, "allow" },
	{ "debug", NULL, X86_64, X86_64, "personality", { READ_IMPLIES_EXEC_ }, "errno:EPERM" },
	{ "debug", NULL, X86_64, X86_64, "personality", { 0x10000000ULL }, "errno:EPERM" },
	{ "debug", NULL, X86_64, X86_64, "personality", { 0x0fffffffULL }, "errno:EPERM" },
	{ "debug", NULL, X86_64, X86_64, "personality", { 0xfffffffeULL }, "errno:EPERM" },
	{ "debug", NULL, X86_64, X86_64, "personality", { 0x100000000ULL }, "errno:EPERM" },
	{ "debug", NULL, ARM64, ARM64, "ptrace", { 0 }, "allow" },

	/* ---- sealed-memfd (alone: on top of agent) ---- */
	/* ---- the scheduler and limit calls: the caller only (pid 0) ---- */
	{ "agent", NULL, X86_64, X86_64, "prlimit64", { 0, 4 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "prlimit64", { 1234, 4 }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "setpriority", { 0, 0, 10 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "setpriority", { 0, 1234, 10 }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "ioprio_set", { 1, 0, 0 }, "allow" },
	{ "agent", NULL, X86_64, X86_64, "ioprio_set", { 2, 0, 0 }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "ioprio_set", { 1, 1234, 0 }, "errno:EPERM" },
	{ "agent", NULL, ARM64, ARM64, "sched_setaffinity", { 0 }, "allow" },
	{ "agent", NULL, ARM64, ARM64, "sched_setaffinity", { 1234 }, "errno:EPERM" },
	{ "agent", NULL, ARM64, ARM64, "sched_setattr", { 1234 }, "errno:EPERM" },
	{ "agent", NULL, X86_64, X86_64, "process_madvise", { 3 }, "errno:EPERM" },
	{ "strict", NULL, X86_64, X86_64, "prlimit64", { 0, 4 }, "allow" },
	{ "strict", NULL, X86_64, X86_64, "prlimit64", { 1234, 4 }, "errno:EPERM" },
	{ "strict", NULL, X86_64, X86_64, "sched_setscheduler", { 1234, 3 }, "errno:EPERM" },
	{ "strict", NULL, ARM64, ARM64, "sched_setparam", { 0 }, "allow" },
	{ "strict", NULL, ARM64, ARM64, "sched_setparam", { 1234 }, "errno:EPERM" },
	/* ---- gpu: a filesystem overlay on agent; agent's filter ---- */
	{ "gpu", NULL, X86_64, X86_64, "read", { 0 }, "allow" },
	{ "gpu", NULL, X86_64, X86_64, "mount", { 0 }, "errno:EPERM" },
	{ "gpu", NULL, X86_64, X86_64, "prlimit64", { 1234, 4 }, "errno:EPERM" },
	{ "gpu", NULL, ARM64, ARM64, "mount", { 0 }, "errno:EPERM" },
	{ "gpu", NULL, X86_64, I386, "read", { 0 }, "kill" },
	{ "sealed-memfd", NULL, X86_64, X86_64, "memfd_create", { 0, MFD_NOEXEC_SEAL_ }, "allow" },
	{ "sealed-memfd", NULL, X86_64, X86_64, "memfd_create", { 0, MFD_NOEXEC_SEAL_ | MFD_CLOEXEC_ }, "allow" },
	{ "sealed-memfd", NULL, X86_64, X86_64, "memfd_create", { 0, 0 }, "errno:EPERM" },
	{ "sealed-memfd", NULL, X86_64, X86_64, "memfd_create", { 0, MFD_CLOEXEC_ }, "errno:EPERM" },
	{ "sealed-memfd", NULL, X86_64, X86_64, "memfd_create", { 0, MFD_EXEC_ }, "errno:EPERM" },
	{ "sealed-memfd", NULL, X86_64, X86_64, "mount", { 0 }, "errno:EPERM" },
	{ "sealed-memfd", NULL, ARM64, ARM64, "memfd_create", { 0, MFD_NOEXEC_SEAL_ }, "allow" },
	{ "sealed-memfd", NULL, ARM64, ARM64, "memfd_create", { 0, 0 }, "errno:EPERM" },

	/* ---- none: no filter; the export allows every entry point ---- */
	{ "none", NULL, X86_64, X86_64, "mount", { 0 }, "allow" },
	{ "none", NULL, X86_64, X86_64, "ptrace", { 0 }, "allow" },
	{ "none", NULL, X86_64, I386, "read", { 0 }, "allow" },
	{ "none", NULL, X86_64, X32, "read", { 0 }, "allow" },
	{ "none", NULL, ARM64, ARM, "read", { 0 }, "allow" },
};

static stockade_plan *plan_for(const struct row *r)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	if (stockade_policy_new(&p, &err) < 0 || stockade_policy_add_preset(p, r->preset, &err) < 0 ||
	    (r->text && stockade_policy_add_text(p, "row", r->text, strlen(r->text), &err) < 0) ||
	    stockade_plan_build(p, &plan, &err) < 0)
		fprintf(stderr, "  %s: %s\n", r->preset, err && err->msg ? err->msg : "?");
	stockade_error_free(err);
	stockade_policy_free(p);
	return plan;
}

static const char *abi_name(uint32_t abi)
{
	return abi == ARM ? "arm" : stockade_arch_name(abi);
}

TEST(presets_table)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		stockade_plan *plan = plan_for(r);
		struct sk_filter_prog f;
		struct sk_action want, got;
		uint32_t ret = 0;
		int nr;

		CHECK_MSG(plan != NULL, "row %zu", i);
		if (!plan)
			continue;
		CHECK_MSG(sk_action_parse(r->want, &want) == 0, "row %zu: bad expectation %s", i, r->want);
		CHECK(sk_filter_compile(plan, r->arch, &f, NULL) == 0);
		nr = sk_syscall_nr(r->abi, r->syscall);
		/* Numbers from the kernel ABI for a few well-known calls. */
		if (r->abi == I386 && !strcmp(r->syscall, "read"))
			CHECK_INT_EQ(nr, 3);
		if (r->abi == X32 && !strcmp(r->syscall, "read"))
			CHECK_INT_EQ(nr, 0x40000000);
		if (r->abi == ARM && !strcmp(r->syscall, "read"))
			CHECK_INT_EQ(nr, 3);
		CHECK_MSG(nr >= 0, "row %zu: %s is not a syscall on %s", i, r->syscall, abi_name(r->abi));
		if (nr >= 0 && f.insns) {
			CHECK(sk_filter_run(&f, r->abi, nr, r->a, &ret, NULL) == 0);
			CHECK_MSG(sk_action_from_ret(ret, &got) == 0 && sk_action_eq(got, want),
				  "row %zu: %s %s on %s via %s (%#llx, %#llx, %#llx, %#llx, %#llx): filter returns %#x, want "
				  "%s",
				  i, r->preset, r->syscall, stockade_arch_name(r->arch), abi_name(r->abi),
				  (unsigned long long)r->a[0], (unsigned long long)r->a[1], (unsigned long long)r->a[2],
				  (unsigned long long)r->a[3], (unsigned long long)r->a[4], ret, r->want);
		}
		if (r->abi == r->arch) {
			struct sk_verdict v;
			char buf[48];
			sk_plan_decide(plan, r->syscall, r->a, &v);
			CHECK_MSG(sk_action_eq(v.action, want), "row %zu: %s %s: the policy says %s, want %s", i,
				  r->preset, r->syscall, sk_action_format(v.action, buf, sizeof(buf)), r->want);
		}
		sk_filter_release(&f);
		stockade_plan_free(plan);
	}
}

/* Every preset has rows, on both architectures and through a compat entry. */
TEST(presets_table_covers_every_preset)
{
	for (size_t p = 0; p < sk_presets_len; p++) {
		bool x86 = false, arm = false, compat = false;

		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			if (strcmp(rows[i].preset, sk_presets[p].name) != 0)
				continue;
			x86 |= rows[i].arch == X86_64;
			arm |= rows[i].arch == ARM64;
			compat |= rows[i].abi != rows[i].arch;
		}
		CHECK_MSG(x86 && arm, "preset %s needs rows on x86_64 and aarch64", sk_presets[p].name);
		CHECK_MSG(compat || !strcmp(sk_presets[p].name, "sealed-memfd") || !strcmp(sk_presets[p].name, "debug"),
			  "preset %s needs a compat entry-point row", sk_presets[p].name);
	}
}
