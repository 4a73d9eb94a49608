/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The linger process (supervise.c forks it before the command): the
 * background supervisor for what outlives the command, and in plain
 * enforcement the mediator from the start; and its protocol with the
 * supervisor.  supervise_linger.h says what each function does.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/supervise_child.h"
#include "run/supervise_linger.h"

/*
 * The background supervisor for descendants that outlive the command.  It
 * is forked before the command, so that its pid and its workers' thread
 * ids are known when the command's fence is built (supervise_harden.c):
 * forked at the end, it would be a process of the same user the command
 * could limit (prlimit64) or signal.  It tells the supervisor who it is
 * (struct linger_hello), then waits: the listener (MSG_LISTENER) makes it
 * answer the command's descendants until they are gone; end of stream
 * makes it exit.
 *
 * In plain enforcement (SK_NOTIFY_NONE: only mediated calls notify) it is
 * the mediator from the start (`from_start`): it sends the child the ids
 * to fence itself (its own and its workers', and the supervisor's), the
 * supervisor hands it the listener as soon as the child sent it, and has
 * no worker of its own.  It keeps the standard streams (a refusal's line)
 * until the supervisor shuts its end of the socket (the command is gone),
 * then lets go of them; when no process holds the filter any more it says
 * how many calls it answered (struct linger_bye) and exits.
 */
struct linger_hello {
	unsigned n;
	pid_t pids[1 + SK_MEDIATE_WORKERS];
};

struct linger_bye {
	unsigned long mediated, events;
};

/* Let go of the terminal and of pipes a caller may be reading to EOF. */
static void let_go_of_stdio(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
}

static _Noreturn void linger(struct sup *s, int sock, int child_sock, bool from_start, pid_t sup)
{
	/* What a harness sends stockade's whole process group (`timeout`
	 * signals the group after the child; a terminal, ^C): for the command,
	 * which the supervisor also relays them to.  The linger process ends
	 * when the supervisor does, or by its SIGKILL; a command that shuts
	 * down gracefully still has its mediated calls answered. */
	static const int quiet[] = { SIGINT,  SIGQUIT, SIGHUP,	SIGTERM, SIGUSR1, SIGUSR2,
				     SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE };
	struct sk_supervise_result res;
	struct linger_hello hello = { .n = 1, .pids = { getpid() } };
	struct handoff_msg m;
	sigset_t none;
	int fd = -1, watch = -1;
	bool hup = false, done = true;

	/* Test hook (tests/live/test_mediate.c): gone before the fence is
	 * sent, which the command's setup must survive, failing closed. */
	if (from_start && getenv("STOCKADE_TEST_LINGER_DIES"))
		_exit(0);
	if (!from_start)
		let_go_of_stdio();
	for (size_t i = 0; i < ARRAY_SIZE(quiet); i++)
		signal(quiet[i], SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_NAME, "stockade-linger", 0, 0, 0);
	/* The parent's workers did not come along: a runtime of our own, its
	 * workers all started now so the fence names them. */
	s->rt = NULL;
	if (sk_sup_start_mediation(s, NULL) < 0)
		s->rt = NULL; /* mediated calls are then refused (EPERM) */
	hello.n += (unsigned)sk_mediate_prestart(s->rt, hello.pids + 1, SK_MEDIATE_WORKERS);
	if (child_sock >= 0) {
		/* Mediating from the start, our ids are the fence's but the
		 * supervisor's own: straight to the child, which waits for
		 * them (the supervisor has no thread to add). */
		struct fence_msg fence = { .kind = MSG_FENCE, .n = 1 + hello.n, .pids = { sup } };

		memcpy(fence.pids + 1, hello.pids, hello.n * sizeof(pid_t));
		while (send(child_sock, &fence, sizeof(fence), MSG_NOSIGNAL) < 0 && errno == EINTR)
			;
		close(child_sock);
	} else if (write(sock, &hello, sizeof(hello)) != (ssize_t)sizeof(hello)) {
		_exit(0);
	}
	if (sk_handoff_recv(sock, &m, &fd) <= 0 || m.kind != MSG_LISTENER || fd < 0)
		_exit(0);
	if (from_start) {
		/* serve() watches (and at end of stream closes) this copy. */
		watch = fcntl(sock, F_DUPFD_CLOEXEC, 3);
		if (watch < 0)
			let_go_of_stdio();
		/* The sandbox's process tree is the supervisor's, pinned: a
		 * pidfd opened while it is still our parent. */
		int pfd = (int)syscall(SYS_pidfd_open, sup, 0);

		if (pfd >= 0 && getppid() == sup)
			sk_mediate_set_supervisor(s->rt, sup, pfd);
		else if (pfd >= 0)
			close(pfd);
	} else {
		close(sock);
		sock = -1;
	}
	s->listener = fd;
	sk_mediate_set_listener(s->rt, fd);
	if (m.fallback && s->plan->net_fallback)
		s->plan = s->plan->net_fallback;
	memset(&res, 0, sizeof(res));
	while (!hup) {
		bool watching = watch >= 0;

		if (sk_sup_serve(s, -1, watching ? &watch : NULL, &hup, -1, 0, &done, &res) < 0)
			break;
		if (watching && watch < 0)
			let_go_of_stdio(); /* the command is gone */
	}
	if (sock >= 0) {
		struct linger_bye bye = { .mediated = s->mediated, .events = s->events };

		if (write(sock, &bye, sizeof(bye)) < 0) {
			/* the supervisor stopped waiting for it */
		}
	}
	_exit(0);
}

/* Fork the linger process; *lsock is its end of the socket, -1 when
 * there is none (then nothing lingers).  Its hello is read later
 * (linger_hello): it starts its workers while we start ours. */
pid_t sk_linger_start(struct sup *s, int sigfd, int *sv, int *lsock, bool from_start, bool child_first)
{
	int l[2];
	pid_t pid, parent = getpid();

	*lsock = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, l) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(l[0]);
		close(sigfd);
		if (sv[1] >= 0)
			close(sv[1]);
		if (!from_start || child_first) {
			close(sv[0]);
			sv[0] = -1;
		}
		linger(s, l[1], sv[0], from_start, parent);
	}
	close(l[1]);
	if (pid < 0) {
		close(l[0]);
		return -1;
	}
	*lsock = l[0];
	return pid;
}

/* Learn the linger process's pids (into the fence); without them it is
 * ended, and nothing lingers (*lsock -1, -1 returned). */
pid_t sk_linger_hello(struct fence_msg *fence, pid_t pid, int *lsock)
{
	struct linger_hello hello;

	if (pid < 0)
		return -1;
	if (read(*lsock, &hello, sizeof(hello)) != (ssize_t)sizeof(hello) || hello.n < 1 ||
	    hello.n > ARRAY_SIZE(hello.pids) || hello.pids[0] != pid) {
		close(*lsock);
		*lsock = -1;
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return -1;
	}
	for (unsigned i = 0; i < hello.n && fence->n < FENCE_MAX; i++)
		fence->pids[fence->n++] = hello.pids[i];
	return pid;
}

/* Until the child has something to say (true), or the linger process
 * is gone (false). */
bool sk_linger_or_child(int lsock, int child_sock)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = child_sock, .events = POLLIN }, { .fd = lsock, .events = POLLIN } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (p[0].revents)
			return true;
		if (p[1].revents)
			return false;
	}
}

/* Wait until `deadline` for no process to hold the filter whose listener
 * is fd; true when none does. */
bool sk_linger_hup_gone(int fd, long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = 0 };
		long left = deadline - sk_sup_now_ms();
		int r = poll(&p, 1, left > 0 ? (int)left : 0);

		if (r < 0 && errno == EINTR)
			continue;
		return r > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
	}
}

/* The command is gone: tell the linger process that mediates (it lets go
 * of the standard streams) and wait until `deadline` for it to say it is
 * done, no process holding the filter any more.  Otherwise its command's
 * descendants still run: res->lingering. */
void sk_linger_bye(int lsock, long deadline, struct sk_supervise_result *res)
{
	struct linger_bye bye;
	ssize_t n = -1;

	shutdown(lsock, SHUT_WR);
	for (;;) {
		struct pollfd p = { .fd = lsock, .events = POLLIN };
		long left = deadline - sk_sup_now_ms();
		int r = poll(&p, 1, left > 0 ? (int)left : 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0) {
			n = read(lsock, &bye, sizeof(bye));
			if (n < 0 && errno == ECONNRESET) /* it died, our message unread */
				n = 0;
		}
		break;
	}
	if (n == (ssize_t)sizeof(bye)) {
		res->mediated += bye.mediated;
		res->events += bye.events;
	} else if (n < 0) {
		res->lingering = true; /* still answering */
	}
	/* (end of stream: it died; nothing answers the descendants, whose
	 * notified calls fail, ENOSYS) */
}
