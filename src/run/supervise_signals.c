/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisor's signals (supervise.c): the ones it takes through its
 * signalfd, what it passes on to the command, reaping, and following the
 * command's job-control stops.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run/supervise_linger.h"

/* Signals a supervisor passes on to the command. */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
/* The job-control signals: taken through the signalfd, so that they never
 * stop us by themselves.  The terminal sends SIGTTOU or SIGTTIN to a whole
 * background process group when one of its members changes or reads it,
 * and SIGTSTP to the foreground group on its suspend character, as the
 * kernel: no kill() the fence or Landlock's scope could refuse.  A command
 * could have them stop us for as long as it liked (attack8, attack9: a
 * group of its own made the foreground one with a child left in ours; the
 * suspend character set to ESC and the terminal's answer to `ESC [6n`).
 * The command gets them as the caller's disposition says; under a job-
 * control shell we stop when it stops (stop_with), as a job is stopped
 * when its process is, and SIGTSTP sent to us alone is passed on
 * (sk_sup_handle_signals). */
static const int job_control[] = { SIGTTOU, SIGTTIN, SIGTSTP };

void sk_sup_signal_set(sigset_t *set)
{
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(set, forwarded[i]);
	sk_sup_job_control_set(set);
}

void sk_sup_job_control_set(sigset_t *set)
{
	for (size_t i = 0; i < ARRAY_SIZE(job_control); i++)
		sigaddset(set, job_control[i]);
}

/* The state letter of /proc/PID/stat ('T' stopped, 'Z' gone...), or 0;
 * async-signal-safe (a forked child of a supervisor with threads). */
static char state_of(pid_t pid)
{
	char path[40] = "/proc/", digits[16], buf[512];
	unsigned v = (unsigned)pid;
	size_t len = 0;
	ssize_t n;
	int fd;

	do
		digits[len++] = (char)('0' + v % 10);
	while ((v /= 10) && len < sizeof(digits));
	for (size_t i = 0; i < len; i++)
		path[6 + i] = digits[len - 1 - i];
	memcpy(path + 6 + len, "/stat", 6);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	/* The state follows the command name's last ')'. */
	while (n > 2 && buf[n - 1] != ')')
		n--;
	return n > 0 && n + 1 < (ssize_t)sizeof(buf) - 1 && buf[n] == ' ' ? buf[n + 1] : 0;
}

/* While we are stopped with the command (stop_with), a process of ours
 * watches it: once it is no longer stopped (a process of its own sent it
 * SIGCONT, or it is gone) while we still are, we are continued too, so
 * that the command never runs on while its supervisor is stopped
 * (attack10).  We end it once we run again.  It holds none of our
 * descriptors (the linger process waits for the end of our socket). */
static pid_t start_waker(pid_t child)
{
	pid_t self = getpid(), w = fork();

	if (w != 0)
		return w;
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
		for (int fd = 3; fd < 4096; fd++)
			close(fd);
	while (getppid() == self) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };
		char us = state_of(self), cmd = state_of(child);

		if ((us == 'T' || us == 't') && cmd != 'T' && cmd != 't') {
			kill(self, SIGCONT);
			_exit(0);
		}
		nanosleep(&ts, NULL);
	}
	_exit(0);
}

/* The command stopped (Ctrl-Z, or a SIGTSTP, SIGSTOP or SIGTT* of its
 * own): under a job-control shell, stop as well, so that the shell sees
 * the job stopped and takes the terminal back; once continued (fg, bg: the
 * group gets SIGCONT; or the waker, when the command went on without us),
 * continue the command too, should only we have been. */
static void stop_with(pid_t child, int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	sigset_t one;
	pid_t parent = getppid(), waker;

	/* Only for a job-control shell, which put us in a group of our own
	 * in its session and continues the job with fg or bg: anyone else
	 * (a harness, `setsid`, a pipeline's sh -c) would leave us stopped
	 * with the command, its other processes waiting on our answers. */
	if (getsid(parent) != getsid(0) || getpgid(parent) == getpgrp())
		return;
	/* Without a watcher, no stop: never stopped while the command runs. */
	if ((waker = start_waker(child)) < 0)
		return;
	/* The same signal where it is one of ours (the shell then says
	 * "Stopped", not "Stopped (signal)"): raised while blocked, then let
	 * in for the moment. */
	if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU) {
		kill(getpid(), SIGSTOP);
	} else {
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigaction(sig, &dfl, &old);
		kill(getpid(), sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		sigprocmask(SIG_BLOCK, &one, NULL);
		sigaction(sig, &old, NULL);
	}
	/* Running again: the watcher's work is done (reaped as any child). */
	kill(waker, SIGKILL);
	kill(child, SIGCONT);
}

/* Reap every child that has exited; note the command's status. */
static void reap(pid_t child, bool *child_done, struct sk_supervise_result *res)
{
	for (;;) {
		int st;
		pid_t w = waitpid(-1, &st, WNOHANG | WUNTRACED);

		if (w <= 0)
			return;
		if (WIFSTOPPED(st)) {
			if (w == child)
				stop_with(child, WSTOPSIG(st));
			continue; /* (a descendant of ours that stopped: still there) */
		}
		if (w == child) {
			*child_done = true;
			res->wstatus = st;
		} else if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS) {
			res->orphans_sigsys++;
		}
	}
}

/* Read pending signals: reap on SIGCHLD, pass the others to the command. */
void sk_sup_handle_signals(int sigfd, pid_t child, bool *child_done, struct sk_supervise_result *res)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			reap(child, child_done, res);
			continue;
		}
		if (si.ssi_signo == SIGTTOU || si.ssi_signo == SIGTTIN)
			continue; /* the terminal's, for the group: never ours */
		/* The terminal signals the whole foreground process group,
		 * the command included: do not deliver it twice. */
		if (si.ssi_code == SI_KERNEL)
			continue;
		if (!*child_done)
			kill(child, (int)si.ssi_signo);
	}
}
