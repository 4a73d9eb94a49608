/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * deny-storm: many processes making the same call, for the denial report's
 * live tests.
 *
 *   deny-storm calls K N CALL     fork K children that make CALL N times in
 *                                 all (N/K each, the first ones one more);
 *                                 exit with the errno every call got (0 if
 *                                 all succeeded), 252 if the children saw
 *                                 different answers
 *   deny-storm tree K DIR NAME    the abrupt end of a process tree: set the
 *                                 comm to NAME, fork K children that each
 *                                 leave an unreaped zombie behind and exec
 *                                 `deny-storm late DIR I`; then kill itself
 *                                 with SIGKILL without waiting for anyone
 *   deny-storm late DIR I         (the tree's children) wait until the
 *                                 parent is gone and 300 ms more (the
 *                                 command has exited by then), call ptrace
 *                                 once and write the errno it got to DIR/I
 *   deny-storm distinct N         make N calls of N distinct unknown
 *                                 numbers, print the parent's VmHWM
 *   deny-storm spin N             make N getppid() calls (allowed: the
 *                                 cost of the supervisor when nothing is
 *                                 denied) and print the time per call
 *
 * CALL is memfd_create, ptrace (PTRACE_PEEKDATA on pid 0: ESRCH when
 * allowed), socket-packet (socket(AF_PACKET, SOCK_RAW, 0)) or
 * clone-newuser (unshare(CLONE_NEWUSER)).  Every call is harmless.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 254
#define EXIT_SETUP 253
#define EXIT_MIXED 252

/* One call: 0 on success, else its errno. */
static int one_call(const char *call)
{
	long r;

	errno = 0;
	if (!strcmp(call, "memfd_create")) {
		r = syscall(SYS_memfd_create, "deny-storm", 0);
		if (r >= 0)
			close((int)r);
	} else if (!strcmp(call, "ptrace")) {
		r = syscall(SYS_ptrace, PTRACE_PEEKDATA, 0, 0, 0);
	} else if (!strcmp(call, "socket-packet")) {
		r = syscall(SYS_socket, 17 /* AF_PACKET */, SOCK_RAW, 0);
		if (r >= 0)
			close((int)r);
	} else if (!strcmp(call, "clone-newuser")) {
		/* In a child: a new user namespace must not stick to us. */
		pid_t pid = fork();
		int st;

		if (pid == 0)
			_exit(syscall(SYS_unshare, CLONE_NEWUSER) < 0 ? errno : 0);
		if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
			return -1;
		return WEXITSTATUS(st);
	} else {
		return -1;
	}
	return r < 0 ? errno : 0;
}

static int run_calls(int k, int n, const char *call)
{
	int answer = -2, st;

	if (k < 1 || n < 0)
		return EXIT_USAGE;
	if (strcmp(call, "memfd_create") && strcmp(call, "ptrace") && strcmp(call, "socket-packet") &&
	    strcmp(call, "clone-newuser")) {
		fprintf(stderr, "deny-storm: unknown call %s\n", call);
		return EXIT_USAGE;
	}
	for (int i = 0; i < k; i++) {
		int mine = n / k + (i < n % k);
		pid_t pid = fork();

		if (pid < 0) {
			perror("deny-storm: fork");
			return EXIT_SETUP;
		}
		if (pid == 0) {
			int first = -2;

			for (int c = 0; c < mine; c++) {
				int e = one_call(call);

				if (first == -2)
					first = e;
				else if (e != first)
					_exit(EXIT_MIXED);
			}
			_exit(first < 0 ? 0 : first);
		}
	}
	for (int i = 0; i < k; i++) {
		int e;

		if (wait(&st) < 0)
			return EXIT_SETUP;
		e = WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_SETUP;
		if (answer == -2)
			answer = e;
		else if (answer != e)
			answer = EXIT_MIXED;
	}
	fprintf(stderr, "deny-storm: %d calls of %s in %d children: %s (%d)\n", n, call, k,
		answer == 0 ? "ok" : answer == EXIT_MIXED ? "mixed answers" : strerror(answer), answer);
	return answer < 0 ? 0 : answer;
}

static int run_tree(int k, const char *dir, const char *name, const char *self)
{
	char idx[16];

	prctl(PR_SET_NAME, name, 0, 0, 0);
	for (int i = 0; i < k; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return EXIT_SETUP;
		if (pid == 0) {
			/* A grandchild nobody reaps: a zombie once its parent execs. */
			if (fork() == 0)
				_exit(0);
			snprintf(idx, sizeof(idx), "%d", i);
			execl(self, self, "late", dir, idx, name, (char *)NULL);
			_exit(EXIT_SETUP);
		}
	}
	/* The abrupt end: nobody waited for, nothing cleaned up. */
	raise(SIGKILL);
	return EXIT_SETUP;
}

static int run_late(const char *dir, const char *idx, const char *name)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	char path[4096], buf[32];
	int fd, e, n;

	if (name)
		prctl(PR_SET_NAME, name, 0, 0, 0);
	/* Until the tree's parent is gone (we are reparented). */
	for (int i = 0; i < 250 && getppid() != 1; i++) {
		char stat[64];
		FILE *f;

		snprintf(stat, sizeof(stat), "/proc/%d/comm", (int)getppid());
		f = fopen(stat, "r");
		if (f) {
			char comm[32] = "";
			bool same = fgets(comm, sizeof(comm), f) && name && !strncmp(comm, name, strlen(name));

			fclose(f);
			if (!same)
				break;
		}
		nanosleep(&nap, NULL);
	}
	nap.tv_nsec = 300 * 1000 * 1000;
	nanosleep(&nap, NULL);
	e = one_call("ptrace");
	snprintf(path, sizeof(path), "%s/%s", dir, idx);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return EXIT_SETUP;
	n = snprintf(buf, sizeof(buf), "%d\n", e);
	if (write(fd, buf, (size_t)n) != n)
		return EXIT_SETUP;
	close(fd);
	return 0;
}

/* N calls of N distinct numbers no kernel has (100000 + i: the filter's
 * default action, a distinct denial each), then the parent's peak
 * resident size (the supervisor's, under stockade run --report) on stdout
 * as "parent_vmhwm_kb=K".  Exits with the errno of the last call. */
static int run_distinct(long n)
{
	char path[64], line[256];
	long e = 0, hwm = -1;
	FILE *f;

	for (long i = 0; i < n; i++)
		e = syscall(100000 + i) < 0 ? errno : 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)getppid());
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			hwm = atol(line + 6);
	if (f)
		fclose(f);
	printf("parent_vmhwm_kb=%ld\n", hwm);
	return (int)e;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "distinct"))
		return run_distinct(atol(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "calls"))
		return run_calls(atoi(argv[2]), atoi(argv[3]), argv[4]);
	if (argc == 5 && !strcmp(argv[1], "tree"))
		return run_tree(atoi(argv[2]), argv[3], argv[4], argv[0]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "late"))
		return run_late(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	if (argc == 3 && !strcmp(argv[1], "spin")) {
		long n = atol(argv[2]);
		struct timespec t0, t1;
		double ns;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
		fprintf(stderr, "deny-storm: %ld getppid() in %.1f ms, %.1f ns each\n", n, ns / 1e6, n ? ns / (double)n : 0);
		return 0;
	}
	fprintf(stderr, "usage: deny-storm calls K N CALL | distinct N | tree K DIR NAME | late DIR I [NAME] | spin N\n");
	return EXIT_USAGE;
}
