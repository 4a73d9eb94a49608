/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, the child that shares our memory without holding us up
 * (run/vmchild.c, used to exec the proxy and to make its network namespace
 * ahead): the caller goes on while the child is blocked, the child's raw
 * system calls leave the caller's errno alone, its signals are blocked,
 * and it reads its data from its own mapping.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../harness.h"
#include "run/vmchild.h"

struct args {
	int in, out; /* it reads a byte from in, then answers on out */
	int in_w;    /* its copy of in's write end, closed: EOF should the test be gone */
	long failed; /* what a failing raw call returned */
	int blocked; /* SIGTERM was blocked in it */
};

static int SK_VMCHILD_FN child(void *p)
{
	struct args *a = p;
	unsigned long mask = 0;
	char byte = 0;

	sk_raw_syscall(SYS_close, a->in_w, 0, 0, 0);
	/* A call that fails: -EBADF comes back, nothing is written to errno. */
	a->failed = sk_raw_syscall(SYS_close, -1, 0, 0, 0);
	if (sk_raw_syscall(SYS_rt_sigprocmask, SIG_BLOCK, 0, (long)&mask, sizeof(mask)) == 0)
		a->blocked = (mask >> (SIGTERM - 1)) & 1;
	while (sk_raw_syscall(SYS_read, a->in, (long)&byte, 1, 0) == -EINTR)
		;
	byte++;
	sk_raw_syscall(SYS_write, a->out, (long)&byte, 1, 0);
	return 7;
}

/* In a child of the test (a caller held up until the child goes on would
 * wait forever: it is killed after 10 s): 0, or the step that failed. */
static int held_up_body(void)
{
	struct sk_vmchild c = SK_VMCHILD_INIT;
	int to[2], from[2], st = 0;
	char byte = 41;
	struct args *a;

	if (pipe2(to, O_CLOEXEC) < 0 || pipe2(from, O_CLOEXEC) < 0 || sk_vmchild_map(&c, sizeof(*a)) < 0)
		return 1;
	a = sk_vmchild_alloc(&c, sizeof(*a));
	if (!a)
		return 2;
	*a = (struct args){ .in = to[0], .out = from[1], .in_w = to[1], .failed = 1, .blocked = -1 };
	errno = 12345;
	pid_t pid = sk_vmchild_start(&c, child, a, 0);
	/* Back here while the child waits for our byte: no CLONE_VFORK. */
	if (pid <= 0)
		return 3;
	/* Our errno is ours: nothing the child did wrote it. */
	if (errno != 12345)
		return 4;
	if (write(to[1], &byte, 1) != 1 || read(from[0], &byte, 1) != 1 || byte != 42)
		return 5;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return 6;
	if (a->failed != -EBADF)
		return 7; /* the raw call's error comes back as it is */
	if (errno != 12345)
		return 8;
	if (a->blocked != 1)
		return 9; /* every signal blocked in the child */
	sk_vmchild_release(&c);
	return c.map == NULL ? 0 : 10;
}

TEST(vmchild_does_not_hold_the_caller_up)
{
	int st = 0, waited = 0;
	pid_t pid;

	if (!SK_HAVE_RAW_SYSCALL)
		SKIP("no raw system calls for this architecture in run/vmchild.h: posix_spawn is used");
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(held_up_body());
	while (waitpid(pid, &st, WNOHANG) == 0 && waited < 1000) {
		usleep(10000);
		waited++;
	}
	if (waited >= 1000) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	CHECK_MSG(waited < 1000, "the caller was held up until its child went on (10 s)");
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "step %d failed (status %#x)",
		  WIFEXITED(st) ? WEXITSTATUS(st) : -1, st);
}

TEST(vmchild_data_fits_its_mapping)
{
	struct sk_vmchild c = SK_VMCHILD_INIT;

	CHECK(sk_vmchild_map(&c, 100) == 0);
	/* rounded up to a page: 4096 bytes of data, no more */
	char *s = sk_vmchild_strdup(&c, "abc");
	CHECK(s && !strcmp(s, "abc"));
	CHECK(sk_vmchild_alloc(&c, 4000) != NULL);
	CHECK(sk_vmchild_alloc(&c, 200) == NULL);
	sk_vmchild_release(&c);
	CHECK(sk_vmchild_alloc(&c, 1) == NULL);
}
