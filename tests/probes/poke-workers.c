/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * poke-workers: try, harmlessly, what a confined command would do to the
 * threads and processes of its supervisor (its parent under `stockade run
 * --isolation off`) other than the supervisor's own pid: its mediation
 * workers (/proc/PPID/task), the linger process (a child of the
 * supervisor, or the process named stockade-linger in our process group
 * once the command is gone) and its workers.
 *
 *   poke-workers [SOCKET-PATH]
 *
 * First a connect() to SOCKET-PATH (default /nonexistent.sock), which a
 * mediating supervisor answers.  Then, for each thread id found:
 *   prlimit64(tid, RLIMIT_CORE, {0, 0})   (core files: the supervisor is
 *                                          not dumpable, it writes none)
 *   sched_setaffinity(tid, its own mask)  (the mask it has: no change)
 *   setpriority(PRIO_PROCESS, tid, its own nice value)
 *   kill(tid, 0)
 * and prints "main: N thread(s), M call(s) got through".  A child does the
 * same to the linger process once the command has exited and prints
 * "linger: ...".  A call that gets through changes nothing that matters.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/proc.h"

static int poke(pid_t tid)
{
	struct rlimit zero = { 0, 0 };
	cpu_set_t mask;
	int n = 0, nice;

	if (syscall(SYS_prlimit64, tid, RLIMIT_CORE, &zero, NULL) == 0) {
		printf("prlimit64(%d): ok\n", (int)tid);
		n++;
	}
	if (sched_getaffinity(tid, sizeof(mask), &mask) == 0 && sched_setaffinity(tid, sizeof(mask), &mask) == 0) {
		printf("sched_setaffinity(%d): ok\n", (int)tid);
		n++;
	}
	errno = 0;
	nice = getpriority(PRIO_PROCESS, (id_t)tid);
	if (errno == 0 && setpriority(PRIO_PROCESS, (id_t)tid, nice) == 0) {
		printf("setpriority(%d): ok\n", (int)tid);
		n++;
	}
	if (kill(tid, 0) == 0) {
		printf("kill(%d, 0): ok\n", (int)tid);
		n++;
	}
	return n;
}

/* Poke every thread of pid; *threads counts them. */
static int poke_process(pid_t pid, int *threads)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (!(d = opendir(path)))
		return 0;
	while ((e = readdir(d))) {
		pid_t tid = (pid_t)atoi(e->d_name);

		if (tid <= 0)
			continue;
		(*threads)++;
		n += poke(tid);
	}
	closedir(d);
	return n;
}

static bool comm_is(pid_t pid, const char *name)
{
	char path[64], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (!(f = fopen(path, "r")))
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return strcmp(buf, name) == 0;
}

/* The processes whose parent is ppid (field 2) or, with ppid 0, those
 * named stockade-linger in process group pgrp (field 3), only `only` if
 * not 0. */
static pid_t linger_seen;

static int poke_children(pid_t ppid, pid_t pgrp, pid_t only, int *procs, int *threads)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0 || pid == getpid() || (only && pid != only))
			continue;
		if (ppid ? proc_stat_field(pid, 2) != ppid
			 : (proc_stat_field(pid, 3) != pgrp || !comm_is(pid, "stockade-linger")))
			continue;
		(*procs)++;
		if (comm_is(pid, "stockade-linger"))
			linger_seen = pid;
		n += poke_process(pid, threads);
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	pid_t sup = getppid(), pgrp = getpgrp();
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0), threads = 0, procs = 0, n;
	pid_t child, self = getpid();

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argc > 1 ? argv[1] : "/nonexistent.sock");
	if (s >= 0) {
		int r = connect(s, (struct sockaddr *)&a, sizeof(a));

		printf("connect(%s): %s\n", a.sun_path, r == 0 ? "ok" : strerror(errno));
		close(s);
	}
	/* The supervisor's threads, and its children but us (a linger
	 * process forked early). */
	n = poke_process(sup, &threads);
	n += poke_children(sup, 0, 0, &procs, &threads);
	printf("main: %d thread(s), %d other process(es), %d call(s) got through\n", threads, procs, n);
	fflush(stdout);
	child = fork();
	if (child == 0) {
		/* Outlive the command: the linger process answers us then
		 * (the one seen above if it was forked early: in our process
		 * group, another run's may still be going). */
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		threads = procs = n = 0;
		for (int i = 0; i < 200 && !procs; i++) {
			nanosleep(&ts, NULL);
			if (getppid() != self && getppid() != sup) /* both gone */
				n = poke_children(0, pgrp, linger_seen, &procs, &threads);
		}
		printf("linger: %d thread(s), %d linger process(es), %d call(s) got through\n", threads, procs, n);
		return 0;
	}
	return 0;
}
