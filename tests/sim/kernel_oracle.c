/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel as the oracle (kernel_oracle.h): programs loaded for real in
 * forked children.
 */
#ifndef _GNU_SOURCE /* pkg-config may already define it */
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../harness.h"
#include "kernel_oracle.h"
#include "seccomp/sim.h"

void child_prepare(void)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(CHILD_SETUP_FAILED);
}

static struct sock_filter *dup_prog(const struct sock_filter *prog, size_t len)
{
	struct sock_filter *p = malloc((len ? len : 1) * sizeof(*p));

	if (p && len)
		memcpy(p, prog, len * sizeof(*p));
	return p;
}

int kernel_accepts(const struct sock_filter *prog, size_t len)
{
	struct sock_filter *copy = dup_prog(prog, len);
	int status;
	pid_t pid;

	if (!copy)
		return -1;
	pid = fork();
	if (pid < 0) {
		free(copy);
		return -1;
	}
	if (pid == 0) {
		struct sock_fprog fp = { .len = (unsigned short)len, .filter = copy };

		child_prepare();
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
			_exit(errno == EINVAL ? CHILD_REFUSED_EINVAL : CHILD_SETUP_FAILED);
		/* Whatever the filter says about exit_group, end here: a
		 * filtered exit falls through to the trap. */
		syscall(SYS_exit_group, 0);
		__builtin_trap();
	}
	free(copy);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_REFUSED_EINVAL)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_SETUP_FAILED)
		return -1;
	return 1;
}

const char *kernel_unavailable(void)
{
	static int state = -1;
	static const struct sock_filter allow[] = { RET_ALLOW };

	if (state < 0)
		state = kernel_accepts(allow, 1) == 1;
	return state ? NULL : "cannot load seccomp filters here";
}

struct kernel_outcome {
	bool returned; /* the syscall returned (else the child died of sig) */
	long ret;
	int err;
	int sig;
};

/* Loads prog in a child, makes syscall nr with args, reports what happened.
 * The program must allow write and exit_group. */
static bool kernel_run(const struct sock_filter *prog, size_t len, long nr, const uint64_t args[6],
		       struct kernel_outcome *out)
{
	struct sock_filter *copy = dup_prog(prog, len);
	struct {
		long ret;
		int err;
	} rec;
	int fds[2], status;
	ssize_t got;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (!copy)
		return false;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		free(copy);
		return false;
	}
	pid = fork();
	if (pid < 0) {
		free(copy);
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (pid == 0) {
		struct sock_fprog fp = { .len = (unsigned short)len, .filter = copy };

		close(fds[0]);
		child_prepare();
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
			_exit(errno == EINVAL ? CHILD_REFUSED_EINVAL : CHILD_SETUP_FAILED);
		rec.ret = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
		rec.err = errno;
		if (write(fds[1], &rec, sizeof(rec)) != (ssize_t)sizeof(rec))
			_exit(CHILD_SETUP_FAILED);
		_exit(0);
	}
	free(copy);
	close(fds[1]);
	do
		got = read(fds[0], &rec, sizeof(rec));
	while (got < 0 && errno == EINTR);
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid)
		return false;
	if (got == (ssize_t)sizeof(rec) && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		out->returned = true;
		out->ret = rec.ret;
		out->err = rec.err;
		return true;
	}
	if (got == 0 && WIFSIGNALED(status)) {
		out->sig = WTERMSIG(status);
		return true;
	}
	return false;
}

/* Does what the kernel did match the simulator's return value?  `natural`
 * is what the syscall returns when allowed. */
static bool outcome_matches(uint32_t ret, const struct kernel_outcome *k, long natural)
{
	uint32_t data = ret & SECCOMP_RET_DATA;

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return k->returned && k->ret == natural;
	case SECCOMP_RET_ERRNO:
		if (data > 4095) /* the kernel caps it at MAX_ERRNO */
			data = 4095;
		if (data == 0)
			return k->returned && k->ret == 0;
		return k->returned && k->ret == -1 && k->err == (int)data;
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_USER_NOTIF:
		/* No tracer, no listener: the syscall fails with ENOSYS. */
		return k->returned && k->ret == -1 && k->err == ENOSYS;
	default:
		/* KILL_*, TRAP, and unknown actions (treated as KILL_PROCESS). */
		return !k->returned && k->sig == SIGSYS;
	}
}

/*
 * Puts body behind a gate that allows every syscall but getppid, so the
 * child can report back; body decides getppid's fate.
 */
static size_t gate(struct sock_filter *dst, const struct sock_filter *body, size_t n)
{
	dst[0] = stmt(BPF_LD | BPF_W | BPF_ABS, OFF_NR);
	dst[1] = jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 1, 0);
	dst[2] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	memcpy(dst + 3, body, n * sizeof(*body));
	return n + 3;
}

/* Runs the gated body in the simulator and in the kernel for getppid(args)
 * and checks they agree.  Returns the simulator's verdict. */
uint32_t kernel_vs_sim(const struct sock_filter *body, size_t n, const uint64_t args[6], const char *what)
{
	struct sock_filter prog[64];
	struct seccomp_data d = mkdata(SYS_getppid, seccomp_arch_native());
	struct kernel_outcome k;
	struct sk_sim_result r;
	size_t len;

	if (n + 3 > N_ELEMS(prog)) {
		CHECK_MSG(false, "%s: body too long", what);
		return 0;
	}
	len = gate(prog, body, n);
	memcpy(d.args, args, sizeof(d.args));
	CHECK_MSG(sk_sim_run(prog, len, &d, &r) == 0, "%s: simulator refused", what);
	CHECK_MSG(kernel_run(prog, len, SYS_getppid, args, &k), "%s: kernel experiment failed", what);
	CHECK_MSG(outcome_matches(r.ret, &k, getpid()),
		  "%s: simulator says %#x, kernel: returned=%d ret=%ld errno=%d signal=%d", what, r.ret, k.returned,
		  k.ret, k.err, k.sig);
	return r.ret;
}

/*
 * Reads the 32-bit value `body` leaves in A out of the kernel, 12 bits at a
 * time through getppid's errno (ERRNO data is capped at 4095), checking the
 * simulator agrees on each slice.  Returns the value the kernel computed.
 */
uint32_t kernel_read_a(const struct sock_filter *body, size_t n, const uint64_t args[6], const char *what)
{
	uint32_t v = 0;

	for (unsigned shift = 0; shift < 32; shift += 12) {
		struct sock_filter p[48];
		size_t m = n;
		uint32_t ret;

		memcpy(p, body, n * sizeof(*body));
		if (shift)
			p[m++] = stmt(BPF_ALU | BPF_RSH | BPF_K, shift);
		p[m++] = stmt(BPF_ALU | BPF_AND | BPF_K, 0xfff);
		p[m++] = stmt(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO);
		p[m++] = stmt(BPF_RET | BPF_A, 0);
		ret = kernel_vs_sim(p, m, args, what);
		v |= (ret & 0xfff) << shift;
	}
	return v;
}

