/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * poke-ttystop: try to have the terminal stop the supervisor (this probe's
 * parent under `stockade run --isolation off` with something mediated).
 * The kernel sends SIGTTOU (SIGTTIN) to a whole background process group
 * when one of its members changes (reads) the terminal, as itself: no
 * kill() the fence or Landlock's signal scope could see.  So:
 *
 *   1. a child moves to a new process group and makes it the terminal's
 *      foreground group (SIGTTOU blocked, as a job-control shell does):
 *      the supervisor's group is now in the background;
 *   2. another child, still in the supervisor's group, does a tcsetattr()
 *      of the same settings, then a read(): SIGTTOU, then SIGTTIN, to that
 *      group;
 *   3. the probe reads the supervisor's state (/proc/PID/stat) for 0.3 s,
 *      gives the terminal back to the supervisor's group and ends its
 *      children.
 *
 * Needs a controlling terminal with job control (bash -m under script).
 * Prints "supervisor: stopped" or "supervisor: running", or "skipped: WHY".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/proc.h"

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(void)
{
	pid_t sup = getppid(), group = getpgid(sup), front, member;
	int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
	sigset_t ttou;
	bool stopped = false;

	if (tty < 0) {
		printf("skipped: no terminal (%s)\n", strerror(errno));
		return 0;
	}
	if (tcgetpgrp(tty) != group) {
		printf("skipped: the supervisor's group %d is not the terminal's foreground group\n", (int)group);
		return 0;
	}
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, NULL);
	front = fork();
	if (front == 0) {
		setpgid(0, 0);
		tcsetpgrp(tty, getpid());
		pause();
		_exit(0);
	}
	pause_ms(100);
	member = fork();
	if (member == 0) {
		struct termios t;
		char c;

		sigprocmask(SIG_UNBLOCK, &ttou, NULL);
		if (tcgetattr(tty, &t) == 0)
			tcsetattr(tty, TCSANOW, &t);
		if (read(tty, &c, 1) < 0) {
			/* EIO: an orphaned group; nothing sent */
		}
		_exit(0);
	}
	for (int i = 0; i < 30; i++) {
		pause_ms(10);
		stopped |= proc_state(sup) == 'T';
	}
	tcsetpgrp(tty, group);
	kill(front, SIGKILL);
	kill(member, SIGKILL);
	waitpid(front, NULL, 0);
	waitpid(member, NULL, 0);
	if (proc_state(sup) == 'T')
		kill(sup, SIGCONT); /* (in vain if the fence holds kill: the test ends it) */
	printf("supervisor: %s\n", stopped ? "stopped" : "running");
	return 0;
}
