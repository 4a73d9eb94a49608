/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * poke-fence: try, harmlessly, every call the supervisor's pid fence is
 * about (src/run/supervise_harden.c) on every thread of the supervisor (its
 * parent under `stockade run --isolation off`) and of the processes it
 * started (the linger process and its workers), and say which got through.
 *
 *   poke-fence [SOCKET-PATH]
 *
 * First a connect() to SOCKET-PATH (default /nonexistent.sock), which a
 * mediating supervisor answers (so its workers exist).  Then, per thread id:
 *   prlimit64 (a read), setpriority, sched_setaffinity, sched_setparam,
 *   sched_setscheduler, ioprio_set (each to the value it has: no change),
 *   kill and tgkill (signal 0), rt_sigqueueinfo (signal 0),
 *   ptrace(PTRACE_SEIZE) (detached at once should it get through; it does
 *   not stop the thread), process_vm_readv (one byte), kcmp (KCMP_VM),
 *   move_pages (no page), migrate_pages (node 0 to node 0: nothing moves);
 * and per process, pidfd_open and with the pidfd pidfd_send_signal
 * (signal 0) and pidfd_getfd (closed at once).  pidfd_open alone is not
 * counted: what the pidfd then gets done is.  Prints a line per call that
 * got through, "filters: N" (this process's seccomp filters) and
 * "poked: T thread(s), P process(es), N call(s) got through".
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
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/proc.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif
#define IOPRIO_WHO_PROCESS 1
#define KCMP_VM 1

static int through;

static void got(const char *call, pid_t id, long ret)
{
	if (ret < 0)
		return;
	printf("%s(%d): got through\n", call, (int)id);
	through++;
}

static void poke(pid_t tid, pid_t tgid)
{
	struct rlimit rl;
	cpu_set_t mask;
	struct sched_param sp;
	siginfo_t si;
	char buf[1];
	struct iovec local = { buf, 1 }, remote = { (void *)4096, 1 };
	unsigned long node0 = 1;
	int status, nice, pol, io;

	got("prlimit64", tid, syscall(SYS_prlimit64, tid, RLIMIT_CORE, NULL, &rl));
	errno = 0;
	nice = getpriority(PRIO_PROCESS, (id_t)tid);
	if (errno == 0)
		got("setpriority", tid, setpriority(PRIO_PROCESS, (id_t)tid, nice));
	if (sched_getaffinity(tid, sizeof(mask), &mask) == 0)
		got("sched_setaffinity", tid, sched_setaffinity(tid, sizeof(mask), &mask));
	if (sched_getparam(tid, &sp) == 0) {
		got("sched_setparam", tid, sched_setparam(tid, &sp));
		if ((pol = sched_getscheduler(tid)) >= 0)
			got("sched_setscheduler", tid, sched_setscheduler(tid, pol, &sp));
	}
	if ((io = (int)syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, tid)) >= 0)
		got("ioprio_set", tid, syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, tid, io));
	got("kill", tid, kill(tid, 0));
	got("tgkill", tid, syscall(SYS_tgkill, tgid, tid, 0));
	memset(&si, 0, sizeof(si));
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	got("rt_sigqueueinfo", tid, syscall(SYS_rt_sigqueueinfo, tid, 0, &si));
	if (ptrace(PTRACE_SEIZE, tid, 0, 0) == 0) {
		got("ptrace", tid, 0);
		ptrace(PTRACE_DETACH, tid, 0, 0);
	}
	/* EFAULT or ESRCH: let in to try; EPERM: refused. */
	if (syscall(SYS_process_vm_readv, tid, &local, 1, &remote, 1, 0) >= 0 || errno != EPERM)
		got("process_vm_readv", tid, 0);
	got("kcmp", tid, syscall(SYS_kcmp, tid, getpid(), KCMP_VM, 0, 0));
	got("move_pages", tid, syscall(SYS_move_pages, tid, 0, NULL, NULL, &status, 0));
	/* from node 0 to node 0: the kernel moves nothing (s == d) */
	got("migrate_pages", tid, syscall(SYS_migrate_pages, tid, 8 * sizeof(node0), &node0, &node0));
}

/* Every thread of pid; *threads counts them. */
static void poke_process(pid_t pid, int *threads)
{
	char path[64];
	struct dirent *e;
	DIR *d;
	int pidfd;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (!(d = opendir(path)))
		return;
	while ((e = readdir(d))) {
		pid_t tid = (pid_t)atoi(e->d_name);

		if (tid <= 0)
			continue;
		(*threads)++;
		poke(tid, pid);
	}
	closedir(d);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		long fd = -1;

		got("pidfd_send_signal", pid, syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0));
		for (int target = 0; target < 64 && fd < 0; target++)
			fd = syscall(SYS_pidfd_getfd, pidfd, target, 0);
		got("pidfd_getfd", pid, fd);
		if (fd >= 0)
			close((int)fd);
		close(pidfd);
	}
}

int main(int argc, char **argv)
{
	pid_t sup = getppid(), self = getpid();
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM, 0), threads = 0, procs = 1;
	struct dirent *e;
	DIR *d;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argc > 1 ? argv[1] : "/nonexistent.sock");
	if (s >= 0) {
		int r = connect(s, (struct sockaddr *)&a, sizeof(a));

		printf("connect(%s): %s\n", a.sun_path, r == 0 ? "ok" : strerror(errno));
		close(s);
	}
	printf("filters: %ld\n", proc_seccomp_filters());
	poke_process(sup, &threads);
	/* The supervisor's other children: the linger process. */
	if ((d = opendir("/proc"))) {
		while ((e = readdir(d))) {
			pid_t pid = (pid_t)atoi(e->d_name);

			if (pid <= 0 || pid == self || proc_stat_field(pid, 2) != sup)
				continue;
			procs++;
			poke_process(pid, &threads);
		}
		closedir(d);
	}
	printf("poked: %d thread(s), %d process(es), %d call(s) got through\n", threads, procs, through);
	return 0;
}
