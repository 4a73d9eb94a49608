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
 *    and none is added later.  Where no Landlock domain scopes the
 *    command's signals (the policy's `signals: false`, Landlock before
 *    ABI 6), so do the routes that name no id of it: kill(-1), kill(0)
 *    and kill(-PGID) of the supervisor's process group, pidfd_send_signal
 *    (whose pidfd may be an fd of a /proc/PID directory), and a
 *    descriptor's owner, which gets SIGIO or any signal F_SETSIG names
 *    (fcntl F_SETOWN to its ids or -PGID; F_SETOWN_EX and the ioctls
 *    FIOSETOWN and SIOCSPGRP, which pass the id through memory).  Stopped
 *    or killed, the supervisor would leave the command running unwatched
 *    and its mediated calls unanswered.  pidfd_getfd needs
 *    a pidfd, which only pidfd_open() (refused for the supervisor's pid
 *    where fenced) or clone() (of one's own children) gives: a /proc/PID
 *    directory is not one; so pidfd_getfd itself stays the policy's (debug
 *    allows it), and Landlock's ptrace hook refuses it where pidfd_open is
 *    left out.
 *
 * In plain enforcement the filter holds only the calls nothing else closes
 * for those ids (sk_supervise_fence_open, sk_supervise_fence_policy_closed;
 * docs/mediation.md "The pid fence"), and none is loaded when nothing is
 * left (~50 µs a run: the kernel runs a new filter once per syscall
 * number).  A call is closed by
 * the command's Landlock domain, which never holds the supervisor: the
 * ptrace family by its ptrace hook (each goes through ptrace_may_access(),
 * whose last step, security_ptrace_access_check(), Landlock refuses for a
 * process outside the domain, root's CAP_SYS_PTRACE notwithstanding), the
 * signals by its signal scope (check_kill_permission() ->
 * security_task_kill()), pidfd_open by both (it checks nothing itself; a
 * pidfd is good for pidfd_send_signal, pidfd_getfd and process_madvise,
 * which those two refuse); or by the policy's own filter, which must let no
 * form of the call the fence refuses run (prlimit64, sched_*, setpriority,
 * ioprio_set: Landlock hooks none of them).  A report, an audit and learn
 * turn the policy's refusals into notifications: they keep every call.
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
#include <sys/syscall.h>
#include <fcntl.h>
#include <poll.h>
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
enum fence_block { B_ARG0, B_ARG1, B_KCMP, B_SETPRIO, B_IOPRIO, B_SETOWN, B_IOCTL, B_KILL, B_DENY, B_COUNT };

/* What else may close a fenced call for the fenced ids (sk_supervise_fence_open):
 * only the policy's filter, or also a Landlock domain of the command's
 * (which never holds the supervisor, its threads or the linger process)
 * through its ptrace hook, or through its signal scope (ABI 6). */
enum fence_cover { C_POLICY, C_PTRACE, C_SIGNAL, C_PIDFD };

static const struct {
	const char *name;
	enum fence_block block;
	enum fence_cover cover;
} fenced[] = {
	/* check_kill_permission() -> security_task_kill(): Landlock's
	 * signal scope (hook_task_kill) */
	{ "kill", B_KILL, C_SIGNAL }, /* and, unscoped, kill(-1), kill(-PGID), kill(0) */
	{ "tkill", B_ARG0, C_SIGNAL },
	{ "tgkill", B_ARG0, C_SIGNAL },
	{ "rt_sigqueueinfo", B_ARG0, C_SIGNAL },
	{ "rt_tgsigqueueinfo", B_ARG0, C_SIGNAL },
	/* pidfd_open() checks nothing; what a pidfd then does to the
	 * supervisor does: pidfd_send_signal (signal scope), pidfd_getfd and
	 * process_madvise (ptrace access) */
	{ "pidfd_open", B_ARG0, C_PIDFD },
	/* security_task_prlimit, _setscheduler, _setnice, _setioprio:
	 * Landlock hooks none of them */
	{ "prlimit64", B_ARG0, C_POLICY },
	/* mm_access() -> ptrace_may_access() */
	{ "process_vm_readv", B_ARG0, C_PTRACE },
	{ "process_vm_writev", B_ARG0, C_PTRACE },
	{ "sched_setaffinity", B_ARG0, C_POLICY },
	{ "sched_setscheduler", B_ARG0, C_POLICY },
	{ "sched_setparam", B_ARG0, C_POLICY },
	{ "sched_setattr", B_ARG0, C_POLICY },
	/* kernel_migrate_pages(), find_mm_struct(): ptrace_may_access() */
	{ "migrate_pages", B_ARG0, C_PTRACE },
	{ "move_pages", B_ARG0, C_PTRACE },
	{ "kcmp", B_KCMP, C_PTRACE },	    /* kcmp(pid1, pid2, ...): ptrace_may_access() on both */
	{ "ptrace", B_ARG1, C_PTRACE },	    /* ptrace(request, pid, ...): ptrace_attach() */
	{ "setpriority", B_SETPRIO, C_POLICY }, /* setpriority(PRIO_PROCESS, pid), (PRIO_PGRP, 0 or its group), (PRIO_USER, any) */
	{ "ioprio_set", B_IOPRIO, C_POLICY },	/* ioprio_set(IOPRIO_WHO_PROCESS, pid), _PGRP, _USER likewise */
	/* A descriptor's owner gets SIGIO, or the signal F_SETSIG names
	 * (SIGKILL too), when I/O is ready: send_sigio() checks the uid and
	 * security_file_send_sigiotask(), Landlock's signal scope.
	 * fcntl(F_SETOWN, pid or -pgrp); F_SETOWN_EX and the sockets' ioctls
	 * FIOSETOWN and SIOCSPGRP take the id through a pointer: refused. */
	{ "fcntl", B_SETOWN, C_SIGNAL },
	{ "fcntl64", B_SETOWN, C_SIGNAL },
	{ "ioctl", B_IOCTL, C_SIGNAL },
	/* Its pidfd may be an fd of a /proc/PID directory, which pidfd_open()
	 * never saw: refused whenever signals are not scoped. */
	{ "pidfd_send_signal", B_DENY, C_SIGNAL },
};

#define X_F_SETOWN 8
#define X_F_SETOWN_EX 15
#define X_FIOSETOWN 0x8901
#define X_SIOCSPGRP 0x8902

#define FENCE_MAX_PIDS 200 /* a jeq jumps at most 255 ahead */
#define FENCE_MAX_INSNS 2048 /* five pid lists of up to FENCE_MAX_PIDS + 3 */
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
	uint8_t call[3][2 * ARRAY_SIZE(fenced)]; /* its index in fenced[] */
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
			calls.call[g][calls.ncall[g]++] = (uint8_t)c;
		}
	}
	/* By number, for the search (emit_search). */
	for (size_t g = 0; g < calls.ngroups; g++)
		for (size_t i = 1; i < calls.ncall[g]; i++)
			for (size_t j = i; j > 0 && calls.nr[g][j - 1] > calls.nr[g][j]; j--) {
				uint32_t nr = calls.nr[g][j];
				uint8_t c = calls.call[g][j];

				calls.nr[g][j] = calls.nr[g][j - 1];
				calls.call[g][j] = calls.call[g][j - 1];
				calls.nr[g][j - 1] = nr;
				calls.call[g][j - 1] = c;
			}
	calls.done = true;
}

/* From `ld nr`: jump to the block of nr[lo..hi) (each a `ja` to
 * patch, in call_ja[]) or allow, by binary search.  The kernel runs a new
 * filter once for every syscall number when it is loaded (to find the
 * numbers it always allows), so the depth of this search is paid some
 * 900 times: a list of 19 comparisons cost 0.1 ms a run. */
static void emit_search(struct bpf_out *o, const uint32_t *nr, size_t lo, size_t hi, size_t *call_ja)
{
	size_t mid = (lo + hi) / 2, at;

	if (hi - lo <= 3) {
		for (size_t c = lo; c < hi; c++) {
			emit(o, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, nr[c]);
			call_ja[c] = emit(o, BPF_JMP | BPF_JA, 0, 0, 0);
		}
		emit(o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
		return;
	}
	at = emit(o, BPF_JMP | BPF_JGE | BPF_K, 0, 0, nr[mid]);
	emit_search(o, nr, lo, mid, call_ja);
	if (o->n - at - 1 > 255)
		o->full = true;
	else if (at < o->n)
		o->f[at].jt = (uint8_t)(o->n - at - 1);
	emit_search(o, nr, mid, hi, call_ja);
}

/* The pid fence for the calls of `open` (bit i: fenced[i]); none when
 * that is empty. */
static int load_pid_fence(const pid_t *pids, size_t npids, pid_t pgrp, bool same_group, unsigned open,
			  bool signals_scoped)
{
	static struct bpf_out o;
	/* the calls of each arch group still open, by number */
	uint32_t nr[3][2 * ARRAY_SIZE(fenced)];
	enum fence_block block[3][2 * ARRAY_SIZE(fenced)];
	size_t ncall[3] = { 0 };
	/* the jas to patch: per arch group, per call to its block */
	size_t arch_ja[3], call_ja[3][2 * ARRAY_SIZE(fenced)];
	size_t block_at[B_COUNT], to_arg1[3], to_group[2], to_deny[2], group_at, setown_ex;
	/* F_SETOWN's id: a process (any of its threads' ids) or -pgrp;
	 * kill's: those, and unscoped, -1, -pgrp and 0 (the caller's group) */
	pid_t owners[FENCE_MAX_PIDS + 1], killed[FENCE_MAX_PIDS + 3];
	size_t nkilled = npids;

	if (!open)
		return 0;
	if (npids > FENCE_MAX_PIDS)
		return -E2BIG;
	memcpy(owners, pids, npids * sizeof(*pids));
	owners[npids] = pgrp > 1 ? -pgrp : pids[0];
	memcpy(killed, pids, npids * sizeof(*pids));
	if (!signals_scoped) {
		killed[nkilled++] = -1;
		if (pgrp > 1)
			killed[nkilled++] = -pgrp;
		if (same_group)
			killed[nkilled++] = 0;
	} else {
		/* A Landlock scope refuses these per target (hook_task_kill,
		 * hook_file_send_sigiotask): a report, an audit or learn,
		 * which keep every other call, need not pay for fcntl and
		 * ioctl. */
		for (size_t c = 0; c < ARRAY_SIZE(fenced); c++)
			if (fenced[c].block == B_SETOWN || fenced[c].block == B_IOCTL || fenced[c].block == B_DENY)
				open &= ~(1u << c);
		if (!open)
			return 0;
	}
	sk_supervise_harden_prepare();
	for (size_t g = 0; g < calls.ngroups; g++)
		for (size_t c = 0; c < calls.ncall[g]; c++)
			if (open & (1u << calls.call[g][c])) {
				nr[g][ncall[g]] = calls.nr[g][c];
				block[g][ncall[g]++] = fenced[calls.call[g][c]].block;
			}
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
		emit_search(&o, nr[g], 0, ncall[g], call_ja[g]);
	}
	/* The blocks. */
	/* setpriority(which, who) and ioprio_set(which, who): the process
	 * form names a pid (the pid list of arg1), the group form a process
	 * group (who 0: the caller's, the supervisor's while the command
	 * stays in it), the user form every process of a uid (who 0: the
	 * caller's, the supervisor's too): refused. */
	for (int k = 0; k < 2; k++) {
		uint32_t process = k ? 1 /* IOPRIO_WHO_PROCESS */ : 0 /* PRIO_PROCESS */;

		block_at[k ? B_IOPRIO : B_SETPRIO] = o.n;
		emit(&o, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(0));
		emit(&o, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, process);
		to_arg1[k] = emit(&o, BPF_JMP | BPF_JA, 0, 0, 0);
		emit(&o, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, process + 1 /* the group form */);
		to_group[k] = emit(&o, BPF_JMP | BPF_JA, 0, 0, 0);
		emit(&o, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, process + 2 /* the user form */);
		to_deny[k] = emit(&o, BPF_JMP | BPF_JA, 0, 0, 0);
		emit(&o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	}
	group_at = o.n;
	emit(&o, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(1));
	emit(&o, BPF_JMP | BPF_JEQ | BPF_K, 2, 0, (uint32_t)(pgrp > 1 ? pgrp : -1));
	emit(&o, BPF_JMP | BPF_JEQ | BPF_K, same_group ? 1 : 0, 0, 0);
	emit(&o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	emit(&o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
	block_at[B_DENY] = o.n;
	emit(&o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
	block_at[B_KILL] = o.n;
	pid_list(&o, 0, killed, nkilled, NULL);
	block_at[B_IOCTL] = o.n;
	emit(&o, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(1));
	emit(&o, BPF_JMP | BPF_JEQ | BPF_K, 2, 0, X_FIOSETOWN);
	emit(&o, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, X_SIOCSPGRP);
	emit(&o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	emit(&o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));
	block_at[B_SETOWN] = o.n;
	emit(&o, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(1));
	setown_ex = emit(&o, BPF_JMP | BPF_JEQ | BPF_K, 0, 0, X_F_SETOWN_EX);
	emit(&o, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, X_F_SETOWN);
	emit(&o, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	pid_list(&o, 2, owners, npids + 1, NULL);
	/* F_SETOWN_EX to pid_list's EPERM, its last instruction */
	if (setown_ex < o.n && o.n - 1 - setown_ex - 1 <= 255)
		o.f[setown_ex].jt = (uint8_t)(o.n - 1 - setown_ex - 1);
	else
		o.full = true;
	block_at[B_KCMP] = o.n;
	pid_list(&o, 0, pids, npids, &to_arg1[2]);
	block_at[B_ARG1] = o.n;
	pid_list(&o, 1, pids, npids, NULL);
	block_at[B_ARG0] = o.n;
	pid_list(&o, 0, pids, npids, NULL);
	for (size_t i = 0; i < 3; i++)
		patch(&o, to_arg1[i], block_at[B_ARG1]);
	for (size_t k = 0; k < 2; k++) {
		patch(&o, to_group[k], group_at);
		patch(&o, to_deny[k], block_at[B_DENY]);
	}
	for (size_t g = 0; g < calls.ngroups; g++)
		for (size_t c = 0; c < ncall[g]; c++)
			patch(&o, call_ja[g][c], block_at[block[g][c]]);
	if (o.full)
		return -E2BIG;

	struct sock_fprog prog = { .len = (unsigned short)o.n, .filter = o.f };

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0 ? -errno : 0;
}

/* ---- what the command cannot do to the fenced ids anyway ---- */

/* The low half of argument `arg` (what the kernel reads as a pid_t or an
 * int) that every call of term t has, into *v; false if t leaves it free.
 * A term that can never hold pins it too. */
static bool pinned(const struct sk_term *t, unsigned arg, uint32_t *v)
{
	for (unsigned k = 0; k < t->n; k++) {
		const struct sk_cond *c = &t->c[k];

		if (c->arg != arg)
			continue;
		if (c->op == SK_OP_EQ || (c->op == SK_OP_MASKED_EQ && (c->mask & 0xffffffffULL) == 0xffffffffULL)) {
			*v = (uint32_t)c->value;
			return true;
		}
	}
	return false;
}

/* Every call of t lies outside what the fence refuses in block b (its
 * pid arguments are 0, the caller itself, never a fenced id; or `which`
 * is not the PRIO_PROCESS / IOPRIO_WHO_PROCESS form the fence checks). */
static bool term_outside(const struct sk_term *t, enum fence_block b)
{
	uint32_t v0 = 0, v1 = 0;
	bool p0 = pinned(t, 0, &v0), p1 = pinned(t, 1, &v1);

	switch (b) {
	case B_ARG0:
		return p0 && v0 == 0;
	case B_ARG1:
		return p1 && v1 == 0;
	case B_KCMP:
		return p0 && v0 == 0 && p1 && v1 == 0;
	case B_SETPRIO: /* the process form of the caller, or no form at all */
		return p0 && ((v0 == 0 /* PRIO_PROCESS */ && p1 && v1 == 0) || v0 > 2 /* PRIO_USER */);
	case B_IOPRIO:
		return p0 && ((v0 == 1 /* IOPRIO_WHO_PROCESS */ && p1 && v1 == 0) || v0 == 0 ||
			      v0 > 3 /* IOPRIO_WHO_USER */);
	case B_SETOWN:
		return p1 && v1 != X_F_SETOWN && v1 != X_F_SETOWN_EX;
	case B_IOCTL:
		return p1 && v1 != X_FIOSETOWN && v1 != X_SIOCSPGRP;
	case B_KILL: /* (and what the scope leaves, but pid 0 is the caller's group) */
		return false;
	case B_DENY:
	case B_COUNT:
		break;
	}
	return false;
}

static bool region_outside(const struct sk_region *r, enum fence_block b)
{
	for (size_t i = 0; i < r->n; i++)
		if (!term_outside(&r->terms[i], b))
			return false;
	return true;
}

static bool refuses(struct sk_action a)
{
	return a.type != SK_ACT_ALLOW && a.type != SK_ACT_LOG;
}

/*
 * Does the policy's filter refuse every call of `name` the fence would (block
 * b)?  By the plan's semantics (sk_plan_decide: the first rule that matches,
 * else the base): each rule that lets calls run must hold only calls outside
 * the fence's (what it decides: its conditions less every earlier rule's),
 * and so must what no rule matches if the base lets it run.  narrow32: the same on a 32-bit ABI, where the filter sees each
 * argument's low half (sk_cond_restrict32).  Any doubt (no memory, a region
 * too big) says no.
 */
static bool policy_closes(const stockade_plan *sp, const char *name, enum fence_block b, bool narrow32)
{
	const struct sk_plan_entry *e = sk_plan_lookup(sp, name);
	struct sk_region rest = { 0 };
	bool ok = true;

	if (!e)
		return refuses(sp->default_action);
	if (sk_region_all(&rest) < 0)
		return false;
	for (size_t i = 0; ok && i < e->nrules; i++) {
		const struct sk_plan_rule *r = &e->rules[i];
		struct sk_cond conds[SK_MAX_ARGS];
		struct sk_region own = { 0 };
		size_t n = 0;
		bool never = false;

		for (size_t k = 0; k < r->nconds && k < SK_MAX_ARGS; k++) {
			struct sk_cond c = r->conds[k];
			int keep = narrow32 ? sk_cond_restrict32(&c) : 1;

			never |= keep < 0;
			if (keep > 0)
				conds[n++] = c;
		}
		if (never)
			continue; /* it matches no call here */
		if (sk_region_from_conds(&own, conds, n) < 0) {
			ok = false;
			break;
		}
		/* What it decides: its conditions less every earlier rule's. */
		for (size_t t = 0; ok && !refuses(r->action) && t < own.n; t++) {
			struct sk_region decided;

			ok = sk_region_copy(&decided, &rest) == 0 && sk_region_intersect(&decided, &own.terms[t]) == 0 &&
			     region_outside(&decided, b);
			sk_region_clear(&decided);
		}
		for (size_t t = 0; ok && t < own.n; t++)
			ok = sk_region_subtract(&rest, &own.terms[t]) == 0 && rest.n <= SK_REGION_MAX_WORK;
		sk_region_clear(&own);
	}
	if (ok && !refuses(sk_plan_entry_base(sp, e)))
		ok = region_outside(&rest, b);
	sk_region_clear(&rest);
	return ok;
}

void sk_supervise_fence_attach(stockade_plan *plan)
{
	static const struct sk_notify none = { .mode = SK_NOTIFY_NONE };

	for (stockade_plan *p = plan; p; p = p->net_fallback) {
		p->fence_known = false;
		p->fence_closed = sk_supervise_fence_policy_closed(p, &none);
		p->fence_known = true;
	}
}

const char *sk_supervise_fence_call(unsigned bit)
{
	return bit < ARRAY_SIZE(fenced) ? fenced[bit].name : NULL;
}

unsigned sk_supervise_fence_policy_closed(const stockade_plan *sp, const struct sk_notify *nt)
{
	unsigned closed = 0;

	/* Only plain enforcement: a report, an audit or learn turns the
	 * policy's refusals into notifications the supervisor answers (or
	 * lets run). */
	if (nt->mode != SK_NOTIFY_NONE || !sp->seccomp_enabled || sp->audit)
		return 0;
	/* A built-in preset's, worked out when stockade was built (with
	 * nothing mediated): the calls mediated here are taken out. */
	if (sp->fence_known) {
		closed = sp->fence_closed;
		for (size_t c = 0; c < ARRAY_SIZE(fenced); c++)
			if (sk_mediated(nt, fenced[c].name))
				closed &= ~(1u << c);
		return closed;
	}
	for (size_t c = 0; c < ARRAY_SIZE(fenced); c++)
		/* A mediated call notifies: the supervisor decides, not the
		 * filter. */
		if (!sk_mediated(nt, fenced[c].name) && policy_closes(sp, fenced[c].name, fenced[c].block, false) &&
		    policy_closes(sp, fenced[c].name, fenced[c].block, true))
			closed |= 1u << c;
	return closed;
}

unsigned sk_supervise_fence_open(enum sk_notify_mode mode, unsigned policy_closed, bool ll_ptrace, bool ll_signals)
{
	unsigned open = 0;

	for (size_t c = 0; c < ARRAY_SIZE(fenced); c++) {
		bool closed = false;

		switch (fenced[c].cover) {
		case C_PTRACE:
			closed = ll_ptrace;
			break;
		case C_SIGNAL:
			closed = ll_signals;
			break;
		case C_PIDFD:
			closed = ll_ptrace && ll_signals;
			break;
		case C_POLICY:
			break;
		}
		/* The report modes, audit and learn keep every call. */
		if (mode != SK_NOTIFY_NONE || !(closed || (policy_closed & (1u << c))))
			open |= 1u << c;
	}
	return open;
}

int sk_supervise_harden(const pid_t *pids, size_t npids, unsigned open, bool signals_scoped)
{
	pid_t group = getpgid(pids[0]);

	return load_pid_fence(pids, npids, group, group == getpgrp(), open, signals_scoped);
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

/* Children that were ours before the command (sk_supervise_note_own_children),
 * each with a pidfd: once one of them has exited, its pid may be a process
 * of the command's (one that forked until it got it), no longer ours. */
#define OWN_CHILDREN_MAX 256
static struct {
	pid_t pid;
	int pidfd;
} own_children[OWN_CHILDREN_MAX];
static size_t nown_children;

void sk_supervise_note_own_children(void)
{
	char path[64];
	FILE *f;
	long pid;

	for (size_t i = 0; i < nown_children; i++)
		if (own_children[i].pidfd >= 0)
			close(own_children[i].pidfd);
	nown_children = 0;
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
	if (!(f = fopen(path, "re")))
		return;
	while (nown_children < OWN_CHILDREN_MAX && fscanf(f, "%ld", &pid) == 1) {
		/* Without a pidfd (Linux < 5.3) it cannot be told apart from a
		 * recycled pid: not kept (killed if it carries more filters). */
		int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);

		if (fd < 0)
			continue; /* (a pidfd is close-on-exec) */
		own_children[nown_children].pid = (pid_t)pid;
		own_children[nown_children++].pidfd = fd;
	}
	fclose(f);
}

static bool own_child(pid_t pid)
{
	for (size_t i = 0; i < nown_children; i++) {
		struct pollfd p = { .fd = own_children[i].pidfd, .events = POLLIN };

		if (own_children[i].pid == pid)
			return poll(&p, 1, 0) == 0; /* still the same process, running */
	}
	return false;
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

			if (pid <= 0 || own_child(pid) || status_field(pid, "PPid") != self)
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
