/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A child sharing this process's memory, not waited for (vmchild.h).
 * posix_spawn() suspends its caller until the child has exec'd (CLONE_VFORK:
 * ~0.3 ms here, the exec's first half on this process's time); fork()
 * would copy the page tables and make every page this process writes
 * afterwards fault once.  This is the clone posix_spawn makes, without the
 * wait: the child's stack and data are a mapping of their own, which the
 * caller unmaps once the child has exec'd or ended.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "run/vmchild.h"


/* The child's frames are a few hundred bytes (raw calls only). */
#define STACK_SIZE (64 * 1024)

int sk_vmchild_map(struct sk_vmchild *c, size_t data)
{
	size_t page = 4096;

	data = (data + page - 1) / page * page;
	c->size = data + STACK_SIZE;
	c->used = 0;
	c->pid = 0;
	c->map = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		return -errno;
	}
	return 0;
}

void *sk_vmchild_alloc(struct sk_vmchild *c, size_t size)
{
	size_t at = (c->used + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *);

	if (!c->map || at + size > c->size - STACK_SIZE)
		return NULL;
	c->used = at + size;
	return (char *)c->map + at;
}

char *sk_vmchild_strdup(struct sk_vmchild *c, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = sk_vmchild_alloc(c, n);

	if (d)
		memcpy(d, s, n);
	return d;
}

pid_t sk_vmchild_start(struct sk_vmchild *c, int (*fn)(void *), void *arg, unsigned long flags)
{
	sigset_t all, old;
	pid_t pid;
	int e;

	if (!SK_HAVE_RAW_SYSCALL || SK_UNDER_VALGRIND() || !c->map)
		return -EINVAL;
	/* Blocked before the clone: no handler of ours runs in the child. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = clone(fn, (char *)c->map + c->size, (int)(flags | CLONE_VM | SIGCHLD), arg);
	e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0)
		return -e;
	c->pid = pid;
	return pid;
}

void sk_vmchild_release(struct sk_vmchild *c)
{
	if (c->map)
		munmap(c->map, c->size);
	c->map = NULL;
	c->size = c->used = 0;
}
