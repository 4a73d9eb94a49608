/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A child that shares this process's memory and is not waited for
 * (vmchild.c): clone(CLONE_VM) on a stack of its own, without CLONE_VFORK,
 * so this process goes on with its own work while the child runs on the
 * other core (an exec, a network namespace made, docs/network.md).
 *
 * The child runs at the same time as this process in the same memory, so
 * it makes raw system calls only (sk_raw_syscall): no C library call,
 * which could write this process's errno (the thread pointer is shared) or
 * take one of its locks.  It reads what it needs from its own mapping
 * (sk_vmchild_alloc), never from memory this process may change or free
 * meanwhile.  Every signal is blocked in it (a handler would run on this
 * process's data); an exec'd program starts with them blocked.
 */
#ifndef STOCKADE_RUN_VMCHILD_H
#define STOCKADE_RUN_VMCHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Running under valgrind, which takes a CLONE_VM clone for a thread and
 * stops at one without CLONE_THREAD (its header, where installed: the
 * request is a no-op outside valgrind). */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define SK_UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef SK_UNDER_VALGRIND
#define SK_UNDER_VALGRIND() 0
#endif

/* Raw system calls, where this file knows the calling convention; other
 * architectures take the slower paths (posix_spawn, the namespace made in
 * init's clone). */
#if defined(__x86_64__) && !defined(__ILP32__)
#define SK_HAVE_RAW_SYSCALL 1
static inline long sk_raw_syscall(long n, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define SK_HAVE_RAW_SYSCALL 1
static inline long sk_raw_syscall(long n, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory", "cc");
	return x0;
}
#else
#define SK_HAVE_RAW_SYSCALL 0
#endif

/* A child's function: no instrumentation that could call into a runtime. */
#define SK_VMCHILD_FN __attribute__((no_sanitize("address", "undefined"), noinline))

struct sk_vmchild {
	void *map;   /* the child's data, then its stack; NULL */
	size_t size; /* of map */
	size_t used; /* of its data part (sk_vmchild_alloc) */
	pid_t pid;   /* the child, once started; 0 */
};
#define SK_VMCHILD_INIT { .map = NULL }

/* The mapping, with `data` bytes for the child's data (zeroed) before its
 * stack.  0 or a negative errno. */
int sk_vmchild_map(struct sk_vmchild *c, size_t data);
/* `size` bytes of the data part (zeroed, aligned for a pointer), or NULL
 * when they do not fit. */
void *sk_vmchild_alloc(struct sk_vmchild *c, size_t size);
char *sk_vmchild_strdup(struct sk_vmchild *c, const char *s);
/* Start fn(arg) in the child, with clone flags `flags` (CLONE_VM and the
 * exit signal SIGCHLD added), every signal blocked in it.  Its pid, or a
 * negative errno (EINVAL where CLONE_VM cannot be used here, valgrind: the
 * caller takes its slower path). */
pid_t sk_vmchild_start(struct sk_vmchild *c, int (*fn)(void *), void *arg, unsigned long flags);
/* Unmap, once the child no longer runs in this memory (it has exec'd or
 * ended): c->pid is left as it is. */
void sk_vmchild_release(struct sk_vmchild *c);

#endif
