/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * poke-parent: try, harmlessly, what a confined command would do to take
 * over its supervisor (its parent under `stockade run --report`), and say
 * which attempts got through.
 *
 *   poke-parent        each attempt on getppid(); prints NAME=RESULT lines
 *                      and exits with a bit set per attempt that succeeded:
 *                        1 kill(ppid, 0)        (may signal it)
 *                        2 prlimit64(ppid) read (may change its limits)
 *                        4 pidfd_open(ppid)     (a handle for pidfd_getfd)
 *                        8 pidfd_getfd          (took one of its fds)
 *                       16 process_vm_readv     (ptrace access)
 *                       32 open /proc/ppid/mem  (ptrace access)
 *
 * Nothing is changed: signal 0, a limit read, a one-byte read, an fd
 * taken and closed at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static int result(const char *name, long ret)
{
	printf("%s=%s\n", name, ret >= 0 ? "ok" : strerror(errno));
	return ret >= 0;
}

int main(void)
{
	pid_t pp = getppid();
	struct rlimit rl;
	char buf[1], path[64];
	struct iovec local = { buf, 1 }, remote = { (void *)4096, 1 };
	int bits = 0, pidfd, fd;
	long ret;

	bits |= result("kill", kill(pp, 0)) << 0;
	bits |= result("prlimit", syscall(SYS_prlimit64, pp, RLIMIT_NOFILE, NULL, &rl)) << 1;
	pidfd = (int)syscall(SYS_pidfd_open, pp, 0);
	bits |= result("pidfd_open", pidfd) << 2;
	ret = -1;
	for (int target = 3; pidfd >= 0 && target < 64 && ret < 0; target++)
		ret = syscall(SYS_pidfd_getfd, pidfd, target, 0);
	if (pidfd < 0) {
		/* Still try the call: a filter must refuse it by name. */
		ret = syscall(SYS_pidfd_getfd, 0, 3, 0);
	}
	bits |= result("pidfd_getfd", ret) << 3;
	if (ret >= 0)
		close((int)ret);
	/* A read from an unmapped page: EFAULT/ESRCH if allowed to try,
	 * EPERM if ptrace access is refused. */
	ret = syscall(SYS_process_vm_readv, pp, &local, 1, &remote, 1, 0);
	bits |= (ret >= 0 || errno != EPERM) << 4;
	printf("process_vm_readv=%s\n", ret >= 0 ? "ok" : strerror(errno));
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pp);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	bits |= result("mem", fd) << 5;
	if (fd >= 0)
		close(fd);
	return bits;
}
