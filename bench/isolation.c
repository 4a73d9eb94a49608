/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/isolation: what each layer of the namespace setup (src/run/isolate.c,
 * src/run/mounts.c) costs, measured side by side in one run, each step on
 * top of the one before: a child forked and reaped; the same child made by
 * clone() into new pid, IPC, mount, UTS and cgroup namespaces (with a user
 * namespace when not root); then / made MS_SLAVE|MS_REC; then a /proc; then
 * a devpts instance and /dev/ptmx; then the whole mount view (sockets,
 * .git, memfd) but nothing read-only; then with everything outside the
 * write roots read-only, as stockade makes it; then init forking a child
 * of its own; then init sharing the caller's memory (CLONE_VM), on a static
 * stack, on one mapped for the run (mmap, a PROT_NONE guard page below
 * it), and, as stockade does, on the static one with its lowest page made
 * PROT_NONE (one mprotect a process; here each round).
 * Prints "ROW median_us" lines (median of N rounds, CLOCK_MONOTONIC).
 *
 *   isolation [-n ROUNDS]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run/isolate.h"
#include "stockade.h"

enum step { FORK, CLONE, SLAVE, PROC, DEVPTS, VIEW_RW, VIEW, INIT_FORK, INIT_VM, INIT_MAPPED, INIT_GUARD, NSTEPS };
static const char *const names[NSTEPS] = {
	"fork+wait (no namespaces)",
	"clone() into new pid, mount, IPC, UTS, cgroup namespaces",
	"+ / made MS_SLAVE, MS_REC",
	"+ mount /proc",
	"+ devpts newinstance, /dev/ptmx",
	"+ the rest of the view: sockets; .git; memfd",
	"+ read-only outside the write roots (clones, mount_setattr, move_mount)",
	"+ init forks the command",
	"the same with init sharing the caller's memory (CLONE_VM), on a static stack",
	"the same, init's stack mapped for the run with a guard page below it (not taken)",
	"the same on the static stack with a PROT_NONE page below it: stockade's whole setup",
};

static const stockade_plan *plan;
static unsigned long userns;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static uid_t uid;
static gid_t gid;

static void map_self(void)
{
	char line[64];
	FILE *f;

	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if ((f = fopen("/proc/self/uid_map", "w"))) {
		fputs(line, f);
		fclose(f);
	}
	if ((f = fopen("/proc/self/setgroups", "w"))) {
		fputs("deny", f);
		fclose(f);
	}
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	if ((f = fopen("/proc/self/gid_map", "w"))) {
		fputs(line, f);
		fclose(f);
	}
}

static char stack[256 * 1024] __attribute__((aligned(65536)));

static _Noreturn void child(enum step s)
{
	struct sk_mount_view v;
	char step[64];
	int st;

	if (userns)
		map_self();
	if (s >= SLAVE && s < VIEW_RW && mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		_exit(2);
	if (s >= PROC && s < VIEW_RW && mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		_exit(3);
	if (s >= DEVPTS && s < VIEW_RW &&
	    (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666") < 0 ||
	     mount("/dev/pts/ptmx", "/dev/ptmx", NULL, MS_BIND, NULL) < 0))
		_exit(4);
	/* (VIEW_RW: the view as `run --audit` makes it, nothing read-only) */
	if (s >= VIEW_RW && sk_mount_view(plan, !userns && getuid() == 0, s == VIEW_RW, &v, step, sizeof(step)) < 0)
		_exit(5);
	if (s >= VIEW && !v.ro_view)
		_exit(6);
	if (s >= INIT_FORK) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		waitpid(p, &st, 0);
	}
	_exit(0);
}

static int child_start(void *arg)
{
	child((enum step)(long)arg);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int rounds = argc > 2 && !strcmp(argv[1], "-n") ? atoi(argv[2]) : 200;
	double *t[NSTEPS];
	stockade_policy *p = NULL;
	stockade_plan *pl = NULL;

	if (stockade_policy_new(&p, NULL) < 0 || stockade_policy_add_preset(p, "agent", NULL) < 0 ||
	    stockade_plan_build(p, &pl, NULL) < 0) {
		fprintf(stderr, "isolation: cannot build agent's plan\n");
		return 1;
	}
	plan = pl;
	uid = getuid();
	gid = getgid();
	userns = getuid() != 0 ? CLONE_NEWUSER : 0;
	for (int s = 0; s < NSTEPS; s++)
		t[s] = calloc((size_t)rounds, sizeof(double));
	/* Interleaved: every round runs each step once. */
	for (int r = 0; r < rounds; r++)
		for (int s = 0; s < NSTEPS; s++) {
			unsigned long flags = s == FORK ? 0 : CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS |
								       CLONE_NEWCGROUP | userns;
			/* A run's process meets the static stack cold: its pages
			 * dropped first, outside the time, as a new process has
			 * them. */
			size_t page = (size_t)sysconf(_SC_PAGESIZE), len = page + sizeof(stack);
			char *top = stack + sizeof(stack), *m = NULL;

			if (s == INIT_VM || s == INIT_GUARD)
				madvise(stack, sizeof(stack), MADV_DONTNEED);
			double t0 = now_us();
			if (s == INIT_MAPPED) {
				m = mmap(NULL, len, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
				if (m == MAP_FAILED || mprotect(m, page, PROT_NONE) < 0) {
					fprintf(stderr, "isolation: init's stack: %s\n", strerror(errno));
					return 1;
				}
				top = m + len;
			}
			/* (the static stack's lowest page: what it grows into) */
			if (s == INIT_GUARD && mprotect(stack, page, PROT_NONE) < 0) {
				fprintf(stderr, "isolation: init's guard page: %s\n", strerror(errno));
				return 1;
			}
			pid_t pid = clone(child_start, top, (int)(flags | (s >= INIT_VM ? CLONE_VM : 0) | SIGCHLD),
					  (void *)(long)(s >= INIT_VM ? INIT_VM : s));
			int st;
			bool ok = pid >= 0 && waitpid(pid, &st, 0) >= 0 && WIFEXITED(st) && !WEXITSTATUS(st);

			/* (A run unmaps it only when the setup fails: otherwise
			 * its exit does, as it frees a static stack.) */
			t[s][r] = now_us() - t0;
			if (m)
				munmap(m, len);
			if (s == INIT_GUARD)
				mprotect(stack, page, PROT_READ | PROT_WRITE);
			if (!ok) {
				fprintf(stderr, "isolation: step `%s` failed (%s)\n", names[s],
					pid < 0 ? strerror(errno) : "child failed");
				return 1;
			}
		}
	for (int s = 0; s < NSTEPS; s++) {
		qsort(t[s], (size_t)rounds, sizeof(double), cmp_double);
		printf("%s\t%.0f\n", names[s], t[s][rounds / 2]);
	}
	stockade_plan_free(pl);
	stockade_policy_free(p);
	return 0;
}
