/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Keeping a supervised command off its supervisor (supervise.c).  The
 * supervisor holds the seccomp listener: a command that could take it
 * (pidfd_getfd), ptrace it, stop or kill it, or lower its limits would
 * answer its own denials, or leave them unanswered.  Three fences:
 *
 *  - the supervisor is not dumpable while it runs (supervise.c), so
 *    without CAP_SYS_PTRACE nothing of the same user may ptrace it or use
 *    what ptrace access guards (pidfd_getfd, process_vm_*, /proc/PID/mem);
 *  - a Landlock domain of the command's own (landlock/fence.c): ptrace
 *    access to processes outside the domain refused, even for root with
 *    CAP_SYS_PTRACE, and from Landlock ABI 6 signals to them too;
 *  - this seccomp filter, installed in the child before the policy's (so
 *    it holds without Landlock too): the calls that name the supervisor's
 *    pid (kill, tgkill, prlimit64, ptrace, pidfd_open, sched_setaffinity,
 *    ...) get EPERM; and where signals are not scoped (and should be), so
 *    do kill(-1), kill(0) and kill(-PGID) when the command shares the
 *    supervisor's process group, and pidfd_send_signal.  pidfd_getfd needs
 *    a pidfd, which only pidfd_open() (refused for the supervisor's pid)
 *    or clone() (of one's own children) gives: a /proc/PID directory is
 *    not one; so pidfd_getfd itself stays the policy's (debug allows it).
 *
 * Pids are compared on their low 32 bits, as the kernel reads a pid_t.
 * EPERM stacks over the policy's filter (an errno outranks a user
 * notification), so these calls are refused before the policy sees them.
 *
 * The pid rules assume the command sees the supervisor under the pid it
 * has here (same pid namespace).  When the command has a pid namespace of
 * its own (isolation, run/isolate.c), the supervisor is invisible to it
 * (kill(-1) stays inside the namespace too) and supervise.c loads no
 * filter: the same number could name one of the command's processes.
 *
 * What remains open without Landlock (kernels before 5.13, or Landlock
 * disabled): root keeping CAP_SYS_PTRACE can still open /proc/PID/mem of
 * the supervisor; docs/report.md says so.
 */
#include <dirent.h>
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/supervise.h"

#define PID32(arg, v) SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, 0xffffffffULL, (uint64_t)(uint32_t)(v))

static int deny(scmp_filter_ctx ctx, const char *name, unsigned n, const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0; /* not on this arch */
	return seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM), nr, n, cmp);
}

int sk_supervise_harden(pid_t sup, bool signals_scoped)
{
	static const char *const by_pid0[] = { "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
					       "pidfd_open", "prlimit64", "process_vm_readv", "process_vm_writev",
					       "sched_setaffinity", "sched_setscheduler", "sched_setparam",
					       "sched_setattr", "migrate_pages", "move_pages", "kcmp" };
	pid_t pgrp = getpgrp();
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int ret = 0;

	if (!ctx)
		return -ENOMEM;
	/* no_new_privs is the program's to set; the filter must not fail
	 * for want of it (it is set by now). */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* The policy's filter decides which entry points exist; this one
	 * covers the native and compat ones and lets anything else by. */
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	{
		uint32_t compat[2];
		size_t n = 0;

		sk_compat_arches(seccomp_arch_native(), compat, &n);
		for (size_t i = 0; i < n; i++)
			seccomp_arch_add(ctx, compat[i]);
	}
	for (size_t i = 0; ret == 0 && i < ARRAY_SIZE(by_pid0); i++) {
		struct scmp_arg_cmp c = PID32(0, sup);

		ret = deny(ctx, by_pid0[i], 1, &c);
	}
	if (ret == 0) {
		struct scmp_arg_cmp c = PID32(1, sup); /* kcmp(pid1, pid2, ...) */

		ret = deny(ctx, "kcmp", 1, &c);
	}
	if (ret == 0) {
		struct scmp_arg_cmp c = PID32(1, sup); /* ptrace(request, pid, ...) */

		ret = deny(ctx, "ptrace", 1, &c);
	}
	if (ret == 0) {
		struct scmp_arg_cmp c[2] = { PID32(0, 0 /* PRIO_PROCESS */), PID32(1, sup) };

		ret = deny(ctx, "setpriority", 2, c);
	}
	if (ret == 0) {
		struct scmp_arg_cmp c[2] = { PID32(0, 1 /* IOPRIO_WHO_PROCESS */), PID32(1, sup) };

		ret = deny(ctx, "ioprio_set", 2, c);
	}
	if (ret == 0 && !signals_scoped) {
		struct scmp_arg_cmp all = PID32(0, -1), grp = PID32(0, -pgrp), own = PID32(0, 0);

		ret = deny(ctx, "kill", 1, &all);
		if (ret == 0 && pgrp > 1)
			ret = deny(ctx, "kill", 1, &grp);
		if (ret == 0 && pgrp == getpgid(sup))
			ret = deny(ctx, "kill", 1, &own);
		if (ret == 0)
			ret = deny(ctx, "pidfd_send_signal", 0, NULL);
	}
	if (ret == 0)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	return ret;
}

/* ---- what audit and learn leave behind ---- */

/* A field of /proc/PID/status as a number, or -1. */
static long status_field(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

unsigned sk_supervise_kill_leftovers(void)
{
	pid_t self = getpid();
	long ours = status_field(self, "Seccomp_filters");
	unsigned killed = 0;

	/* Each round kills our confined children and reaps them; their
	 * children are ours by then (we are their subreaper), for the next
	 * round.  A child is the command's if it carries more seccomp filters
	 * than we do: a caller's own children (the library's) are left alone.
	 * An unreaped child's pid cannot be reused, so kill() hits it. */
	for (int round = 0; round < 100000; round++) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		unsigned found = 0;

		if (!d)
			break;
		while ((e = readdir(d))) {
			pid_t pid = (pid_t)strtol(e->d_name, NULL, 10);

			if (pid <= 0 || status_field(pid, "PPid") != self)
				continue;
			if (ours >= 0 && status_field(pid, "Seccomp_filters") <= ours)
				continue;
			if (kill(pid, SIGKILL) == 0) {
				found++;
				while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
					;
			}
		}
		closedir(d);
		killed += found;
		if (!found)
			break;
	}
	return killed;
}
