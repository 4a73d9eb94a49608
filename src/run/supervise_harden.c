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
 *    pid or the id of any other thread or process of it (kill, tgkill,
 *    prlimit64, ptrace, pidfd_open, sched_setaffinity, ...) get EPERM.
 *    rlimits are the process's: prlimit64() on one worker thread's id
 *    limits the whole supervisor.  So every such id exists before the
 *    command does (supervise.c starts the whole worker pool and forks the
 *    linger process, which starts its own, before the child that becomes
 *    the command loads this filter: it waits for their ids)
 *    and none is added later; and where signals are not scoped (and should be), so
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
#include <endian.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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

/*
 * The pid fence is written as classic BPF here rather than through
 * libseccomp: one rule per pid and call costs libseccomp time quadratic in
 * the rules of a call (some 60 pids, the supervisor's threads and the
 * linger process's: 0.1-0.2 s a run), where one list of comparisons per
 * argument, shared by every call, is linear:
 *
 *	ld arch; per arch: jeq -> its dispatch;		ret ALLOW
 *	dispatch: ld nr; a binary search (emit_search) -> a call's block, or ret ALLOW
 *	blocks: ld the low half of the pid argument; jeq pid_i -> EPERM ...
 *
 * x32 calls come with the x86_64 arch and numbers carrying the x32 bit
 * (libseccomp's numbers for SCMP_ARCH_X32 have it).
 */
enum fence_block { B_ARG0, B_ARG1, B_KCMP, B_SETPRIO, B_IOPRIO, B_COUNT };

static const struct {
	const char *name;
	enum fence_block block;
} fenced[] = {
	{ "kill", B_ARG0 },
	{ "tkill", B_ARG0 },
	{ "tgkill", B_ARG0 },
	{ "rt_sigqueueinfo", B_ARG0 },
	{ "rt_tgsigqueueinfo", B_ARG0 },
	{ "pidfd_open", B_ARG0 },
	{ "prlimit64", B_ARG0 },
	{ "process_vm_readv", B_ARG0 },
	{ "process_vm_writev", B_ARG0 },
	{ "sched_setaffinity", B_ARG0 },
	{ "sched_setscheduler", B_ARG0 },
	{ "sched_setparam", B_ARG0 },
	{ "sched_setattr", B_ARG0 },
	{ "migrate_pages", B_ARG0 },
	{ "move_pages", B_ARG0 },
	{ "kcmp", B_KCMP },	   /* kcmp(pid1, pid2, ...) */
	{ "ptrace", B_ARG1 },	   /* ptrace(request, pid, ...) */
	{ "setpriority", B_SETPRIO }, /* setpriority(PRIO_PROCESS, pid, ...) */
	{ "ioprio_set", B_IOPRIO },   /* ioprio_set(IOPRIO_WHO_PROCESS, pid, ...) */
};

#define FENCE_MAX_PIDS 200 /* a jeq jumps at most 255 ahead */
#define FENCE_MAX_INSNS 1024
#define ARG_LO(i) ((uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i) + (__BYTE_ORDER == __LITTLE_ENDIAN ? 0 : 4)))

struct bpf_out {
	struct sock_filter f[FENCE_MAX_INSNS];
	size_t n;
	bool full;
};

static size_t emit(struct bpf_out *o, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (o->n >= FENCE_MAX_INSNS) {
		o->full = true;
		return o->n;
	}
	o->f[o->n] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
	return o->n++;
}

/* Point the `ja` at `at` to `target`. */
static void patch(struct bpf_out *o, size_t at, size_t target)
{
	if (at < o->n)
		o->f[at].k = (uint32_t)(target - at - 1);
}

/* ld the low half of argument `arg`; EPERM if it is one of pids[], else
 * go on to `next` (a ja to patch, returned through *next_ja) or allow. */
static void pid_list(struct bpf_out *o, unsigned arg, const pid_t *pids, size_t npids, size_t *next_ja)
{
	emit(o, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(arg));
	for (size_t i = 0; i < npids; i++)
		emit(o, BPF_JMP | BPF_JEQ | BPF_K, (uint8_t)(npids - i), 0, (uint32_t)pids[i]);
	if (next_ja)
		*next_ja = emit(o, BPF_JMP | BPF_JA, 0, 0, 0);
	else
		emit(o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	emit(o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
}

/* The fenced calls' numbers per arch group (the audit arch the kernel
 * reports), resolved once: libseccomp looks each name up in a list, some
 * 60 names a run, which the child does while it waits for the pids
 * (sk_supervise_harden_prepare). */
static struct {
	bool done;
	size_t ngroups;
	uint32_t audit[3];
	size_t ncall[3];
	uint32_t nr[3][2 * ARRAY_SIZE(fenced)];
	enum fence_block block[3][2 * ARRAY_SIZE(fenced)];
} calls;

void sk_supervise_harden_prepare(void)
{
	uint32_t tokens[3] = { seccomp_arch_native() };
	size_t ntokens = 1, ncompat = 0;
	uint32_t compat[2];

	if (calls.done)
		return;
	sk_compat_arches(tokens[0], compat, &ncompat);
	for (size_t i = 0; i < ncompat && ntokens < 3; i++)
		tokens[ntokens++] = compat[i];
	for (size_t t = 0; t < ntokens; t++) {
		uint32_t a = tokens[t] == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : tokens[t];
		size_t g = 0;

		while (g < calls.ngroups && calls.audit[g] != a)
			g++;
		if (g == calls.ngroups)
			calls.audit[calls.ngroups++] = a;
		for (size_t c = 0; c < ARRAY_SIZE(fenced) && calls.ncall[g] < ARRAY_SIZE(calls.nr[g]); c++) {
			int nr = seccomp_syscall_resolve_name_arch(tokens[t], fenced[c].name);

			if (nr < 0)
				continue; /* not on this arch */
			calls.nr[g][calls.ncall[g]] = (uint32_t)nr;
			calls.block[g][calls.ncall[g]++] = fenced[c].block;
		}
	}
	/* By number, for the search (emit_search). */
	for (size_t g = 0; g < calls.ngroups; g++)
		for (size_t i = 1; i < calls.ncall[g]; i++)
			for (size_t j = i; j > 0 && calls.nr[g][j - 1] > calls.nr[g][j]; j--) {
				uint32_t nr = calls.nr[g][j];
				enum fence_block b = calls.block[g][j];

				calls.nr[g][j] = calls.nr[g][j - 1];
				calls.block[g][j] = calls.block[g][j - 1];
				calls.nr[g][j - 1] = nr;
				calls.block[g][j - 1] = b;
			}
	calls.done = true;
}

/* From `ld nr`: jump to the block of calls.nr[g][lo..hi) (each a `ja` to
 * patch, in call_ja[]) or allow, by binary search.  The kernel runs a new
 * filter once for every syscall number when it is loaded (to find the
 * numbers it always allows), so the depth of this search is paid some
 * 900 times: a list of 19 comparisons cost 0.1 ms a run. */
static void emit_search(struct bpf_out *o, size_t g, size_t lo, size_t hi, size_t *call_ja)
{
	size_t mid = (lo + hi) / 2, at;

	if (hi - lo <= 3) {
		for (size_t c = lo; c < hi; c++) {
			emit(o, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, calls.nr[g][c]);
			call_ja[c] = emit(o, BPF_JMP | BPF_JA, 0, 0, 0);
		}
		emit(o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
		return;
	}
	at = emit(o, BPF_JMP | BPF_JGE | BPF_K, 0, 0, calls.nr[g][mid]);
	emit_search(o, g, lo, mid, call_ja);
	if (o->n - at - 1 > 255)
		o->full = true;
	else if (at < o->n)
		o->f[at].jt = (uint8_t)(o->n - at - 1);
	emit_search(o, g, mid, hi, call_ja);
}

static int load_pid_fence(const pid_t *pids, size_t npids)
{
	static struct bpf_out o;
	/* the jas to patch: per arch group, per call to its block */
	size_t arch_ja[3], call_ja[3][2 * ARRAY_SIZE(fenced)];
	size_t block_at[B_COUNT], to_arg1[3];

	if (npids > FENCE_MAX_PIDS)
		return -E2BIG;
	sk_supervise_harden_prepare();
	memset(&o, 0, sizeof(o));
	emit(&o, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, arch));
	for (size_t g = 0; g < calls.ngroups; g++) {
		emit(&o, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, calls.audit[g]);
		arch_ja[g] = emit(&o, BPF_JMP | BPF_JA, 0, 0, 0);
	}
	emit(&o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	for (size_t g = 0; g < calls.ngroups; g++) {
		patch(&o, arch_ja[g], o.n);
		emit(&o, BPF_LD | BPF_W | BPF_ABS, 0, 0, (uint32_t)offsetof(struct seccomp_data, nr));
		emit_search(&o, g, 0, calls.ncall[g], call_ja[g]);
	}
	/* The blocks. */
	block_at[B_SETPRIO] = o.n;
	emit(&o, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(0));
	emit(&o, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0 /* PRIO_PROCESS */);
	to_arg1[0] = emit(&o, BPF_JMP | BPF_JA, 0, 0, 0);
	emit(&o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	block_at[B_IOPRIO] = o.n;
	emit(&o, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(0));
	emit(&o, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 1 /* IOPRIO_WHO_PROCESS */);
	to_arg1[1] = emit(&o, BPF_JMP | BPF_JA, 0, 0, 0);
	emit(&o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	block_at[B_KCMP] = o.n;
	pid_list(&o, 0, pids, npids, &to_arg1[2]);
	block_at[B_ARG1] = o.n;
	pid_list(&o, 1, pids, npids, NULL);
	block_at[B_ARG0] = o.n;
	pid_list(&o, 0, pids, npids, NULL);
	for (size_t i = 0; i < 3; i++)
		patch(&o, to_arg1[i], block_at[B_ARG1]);
	for (size_t g = 0; g < calls.ngroups; g++)
		for (size_t c = 0; c < calls.ncall[g]; c++)
			patch(&o, call_ja[g][c], block_at[calls.block[g][c]]);
	if (o.full)
		return -E2BIG;

	struct sock_fprog prog = { .len = (unsigned short)o.n, .filter = o.f };

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0 ? -errno : 0;
}

int sk_supervise_harden(const pid_t *pids, size_t npids, bool signals_scoped)
{
	pid_t sup = pids[0];
	pid_t pgrp = getpgrp();
	scmp_filter_ctx ctx;
	int ret = load_pid_fence(pids, npids);

	if (ret < 0 || signals_scoped)
		return ret;
	/* Where signals are not scoped: kill(-1), kill(-PGID), kill(0) of
	 * the supervisor's group, pidfd_send_signal. */
	if (!(ctx = seccomp_init(SCMP_ACT_ALLOW)))
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
	{
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
