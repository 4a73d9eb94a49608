/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * poke-sigroutes: send the supervisor (this probe's parent under `stockade
 * run --isolation off` with something mediated) a SIGWINCH along every
 * route that names no pid of it directly, and say which reached it.  The
 * supervisor passes SIGWINCH on to the command, this probe: one that
 * arrives beyond those the route sends the probe itself came through the
 * supervisor.  SIGWINCH is what a terminal resize sends; nothing else is
 * signalled (kill(-1) is left out: it would reach every process of the
 * user).
 *
 *   poke-sigroutes [SOCKET-PATH]
 *
 * First a connect() to SOCKET-PATH (default /nonexistent.sock), which a
 * mediating supervisor answers.  Then, each printed as "ROUTE: reached",
 * "ROUTE: refused (ERRNO)", "ROUTE: not reached" or "ROUTE: skipped (WHY)":
 *   kill-0       kill(0) (when the probe is in the supervisor's group)
 *   kill-pgrp    kill(-PGID of the supervisor)
 *   pidfd-proc   pidfd_send_signal on an fd of the /proc/PID directory
 *   setown       fcntl(F_SETOWN, pid) + F_SETSIG + O_ASYNC on a pipe
 *   setown-pgrp  fcntl(F_SETOWN, -PGID) likewise
 *   setown-ex    fcntl(F_SETOWN_EX, F_OWNER_PID pid) likewise
 *   fiosetown    ioctl(FIOSETOWN, pid) + O_ASYNC on a socket
 * and a last line "reached: N".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef FIOSETOWN
#define FIOSETOWN 0x8901
#endif

static volatile sig_atomic_t winches;

static void on_winch(int sig)
{
	(void)sig;
	winches++;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int reached;

/* Wait for what the supervisor passes on; `own` is how many SIGWINCHes
 * the route sent the probe itself. */
static void outcome(const char *route, long ret, int before, int own)
{
	if (ret < 0) {
		printf("%s: refused (%s)\n", route, strerrorname_np(errno) ? strerrorname_np(errno) : "?");
		return;
	}
	for (int i = 0; i < 40 && winches - before <= own; i++)
		pause_ms(10);
	if (winches - before > own) {
		printf("%s: reached\n", route);
		reached++;
	} else {
		printf("%s: not reached\n", route);
	}
}

/* Make fd's owner `who` (by `how`), ask for SIGWINCH on I/O, and make I/O
 * ready by writing to `wr`. */
static void by_owner(const char *route, int fd, int wr, int how, pid_t who, int own)
{
	int before = winches;
	long ret;

	if (how == F_SETOWN_EX) {
		struct f_owner_ex ex = { F_OWNER_PID, who };

		ret = fcntl(fd, F_SETOWN_EX, &ex);
	} else if (how == FIOSETOWN) {
		ret = ioctl(fd, FIOSETOWN, &who);
	} else {
		ret = fcntl(fd, F_SETOWN, who);
	}
	if (ret >= 0 && (fcntl(fd, F_SETSIG, SIGWINCH) < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC) < 0)) {
		printf("%s: skipped (F_SETSIG or O_ASYNC: %s)\n", route, strerror(errno));
		return;
	}
	if (ret >= 0 && write(wr, "x", 1) != 1) {
		printf("%s: skipped (write: %s)\n", route, strerror(errno));
		return;
	}
	outcome(route, ret, before, own);
}

int main(int argc, char **argv)
{
	pid_t sup = getppid(), pgrp = getpgid(sup);
	bool same_group = pgrp == getpgrp();
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct sigaction sa = { .sa_handler = on_winch };
	int s = socket(AF_UNIX, SOCK_STREAM, 0), p[2], sp[2];
	char path[64];

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argc > 1 ? argv[1] : "/nonexistent.sock");
	if (s >= 0) {
		int r = connect(s, (struct sockaddr *)&a, sizeof(a));

		printf("connect(%s): %s\n", a.sun_path, r == 0 ? "ok" : strerror(errno));
		close(s);
	}
	sigaction(SIGWINCH, &sa, NULL);
	printf("supervisor %d, its group %d, ours %d\n", (int)sup, (int)pgrp, (int)getpgrp());

	if (same_group) {
		int before = winches;
		long ret = kill(0, SIGWINCH);

		outcome("kill-0", ret, before, 1);
	} else {
		printf("kill-0: skipped (not in the supervisor's group)\n");
	}
	if (pgrp > 1) {
		int before = winches;
		long ret = kill(-pgrp, SIGWINCH);

		outcome("kill-pgrp", ret, before, same_group);
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)sup);
	{
		int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), before = winches;
		long ret = dfd < 0 ? -1 : syscall(SYS_pidfd_send_signal, dfd, SIGWINCH, NULL, 0);

		if (dfd < 0)
			printf("pidfd-proc: skipped (%s: %s)\n", path, strerror(errno));
		else
			outcome("pidfd-proc", ret, before, 0);
		if (dfd >= 0)
			close(dfd);
	}
	if (pipe(p) == 0) {
		by_owner("setown", p[0], p[1], F_SETOWN, sup, 0);
		close(p[0]);
		close(p[1]);
	}
	if (pgrp > 1 && pipe(p) == 0) {
		by_owner("setown-pgrp", p[0], p[1], F_SETOWN, -pgrp, same_group);
		close(p[0]);
		close(p[1]);
	}
	if (pipe(p) == 0) {
		by_owner("setown-ex", p[0], p[1], F_SETOWN_EX, sup, 0);
		close(p[0]);
		close(p[1]);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0) {
		by_owner("fiosetown", sp[0], sp[1], FIOSETOWN, sup, 0);
		close(sp[0]);
		close(sp[1]);
	}
	printf("reached: %d\n", reached);
	return 0;
}
