/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Network mode proxy, the run's side (docs/network.md): stockade binds the
 * proxy's listening socket on 127.0.0.1 before the plan is built, so its
 * port joins the Landlock connect list, and after the plan starts
 * stockade-proxy (src/proxy) on it, detached from the command (it is no
 * child the command could wait for) and ending when the command's process
 * does (a pidfd).  The command gets the proxy variables, whose URL carries
 * the run's credential.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "plan/plan.h"
#include "proxy_start.h"

#ifndef STOCKADE_LIBEXECDIR
#define STOCKADE_LIBEXECDIR "/usr/local/libexec"
#endif
/* The proxy confines itself within that (it compiles agent's filter). */
#define PROXY_READY_MS 10000

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

int proxy_prepare(stockade_policy *policy, struct proxy_run *pr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	stockade_error *err = NULL;
	unsigned char raw[16];
	char port[24];

	*pr = (struct proxy_run){ .lfd = -1, .events = -1, .ctl = -1 };
	if (sk_policy_net_mode(policy) != SK_NET_PROXY)
		return 0;
	/* The proxy's events, read back for the report (proxy_report). */
	pr->events = memfd_create("stockade-proxy-events", MFD_CLOEXEC);
	if (pr->events < 0) {
		fprintf(stderr, "stockade: proxy: memfd_create: %s\n", strerror(errno));
		return -1;
	}
	if (getrandom(raw, sizeof(raw), 0) != sizeof(raw)) {
		fprintf(stderr, "stockade: proxy: no random bytes for its credential: %s\n", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(pr->token + 2 * i, 3, "%02x", raw[i]);
	pr->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (pr->lfd < 0 || bind(pr->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(pr->lfd, 128) < 0 ||
	    getsockname(pr->lfd, (struct sockaddr *)&sa, &len) < 0) {
		fprintf(stderr, "stockade: proxy: cannot listen on 127.0.0.1: %s\n", strerror(errno));
		proxy_run_free(pr);
		return -1;
	}
	pr->port = ntohs(sa.sin_port);
	/* That address only: the supervisor checks it (run/mediate_tcp.c). */
	snprintf(port, sizeof(port), "127.0.0.1:%u", pr->port);
	if (stockade_policy_tcp_connect(policy, port, &err) < 0) {
		print_error(err);
		stockade_error_free(err);
		proxy_run_free(pr);
		return -1;
	}
	return 0;
}

/* Beside this binary (the build tree), then ../libexec/stockade/ from it
 * (an install under any PREFIX), then the LIBEXECDIR it was built for. */
static int find_proxy(char *out, size_t size)
{
	const char *env = getenv("STOCKADE_PROXY_BIN");
	char self[PATH_MAX - 64];
	ssize_t n;

	if (env && *env) {
		snprintf(out, size, "%s", env);
		return access(out, X_OK);
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(out, size, "%s/stockade-proxy", self);
			if (access(out, X_OK) == 0)
				return 0;
			/* PREFIX/bin/stockade: PREFIX/libexec/stockade/ */
			snprintf(out, size, "%s/../libexec/stockade/stockade-proxy", self);
			if (access(out, X_OK) == 0)
				return 0;
		}
	}
	snprintf(out, size, "%s/stockade/stockade-proxy", STOCKADE_LIBEXECDIR);
	return access(out, X_OK);
}

static int set_env(const struct proxy_run *pr)
{
	static const char *const names[] = { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
					     "ALL_PROXY",  "all_proxy" };
	static const char no_proxy[] = "localhost,127.0.0.1,::1";
	char url[128];

	snprintf(url, sizeof(url), "http://stockade:%s@127.0.0.1:%u", pr->token, pr->port);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (setenv(names[i], url, 1) < 0)
			return -1;
	if (setenv("NO_PROXY", no_proxy, 1) < 0 || setenv("no_proxy", no_proxy, 1) < 0)
		return -1;
	return 0;
}

int proxy_start(struct proxy_run *pr, const stockade_plan *plan, bool audit)
{
	const struct sk_plan_access *sb = &plan->access;
	char path[PATH_MAX], **argv = NULL;
	size_t argc = 0;
	int pidfd = -1, status, report[2] = { -1, -1 }, ctl[2] = { -1, -1 }, ret = -1;
	pid_t pid;

	if (pr->lfd < 0)
		return 0;
	if (find_proxy(path, sizeof(path)) < 0) {
		fprintf(stderr,
			"stockade: network mode proxy needs stockade-proxy, not found beside stockade or as %s "
			"(`make install` puts it there; STOCKADE_PROXY_BIN names another)\n",
			path);
		goto out;
	}
	/* argv: path, --audit?, --token T, --allow P:port..., --pin N=A..., NULL */
	argv = calloc(3 + 2 * sb->nhosts + 2 * sb->npins + 2 * sb->nprivate, sizeof(*argv));
	if (!argv)
		goto out;
	argv[argc++] = path;
	if (audit)
		argv[argc++] = (char *)"--audit";
	/* The token goes in the environment: argv is world-readable. */
	for (size_t i = 0; i < sb->nhosts; i++) {
		char *a = NULL;
		if ((sb->hosts[i].port ? asprintf(&a, "%s:%u", sb->hosts[i].pattern, sb->hosts[i].port)
				       : asprintf(&a, "%s", sb->hosts[i].pattern)) < 0)
			goto out;
		argv[argc++] = (char *)"--allow";
		argv[argc++] = a;
	}
	for (size_t i = 0; i < sb->npins; i++) {
		char *a = NULL;
		if (asprintf(&a, "%s=%s", sb->pins[i].name, sb->pins[i].addr) < 0)
			goto out;
		argv[argc++] = (char *)"--pin";
		argv[argc++] = a;
	}
	for (size_t i = 0; i < sb->nprivate; i++) {
		char *a = strdup(sb->private_hosts[i].pattern);
		if (!a)
			goto out;
		argv[argc++] = (char *)"--private";
		argv[argc++] = a;
	}
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0 || pipe2(report, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0) {
		fprintf(stderr, "stockade: proxy: %s: %s\n", pidfd < 0 ? "pidfd_open" : "pipe", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "stockade: proxy: fork: %s\n", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* A grandchild: the command (this process, after exec) never
		 * sees it among its children. */
		pid_t p = fork();
		if (p != 0)
			_exit(p < 0);
		pid_t self = getpid();
		if (write(report[1], &self, sizeof(self)) < 0)
			_exit(127);
		if (setenv("STOCKADE_PROXY_TOKEN", pr->token, 1) < 0)
			_exit(127);
		/* 3 the listener, 4 the pidfd, 5 the events, 6 the report
		 * (an errno where exec fails; after exec the proxy writes 0
		 * once it is confined, or -errno), 7 the control socket.  Out
		 * of the way first: any of them may be 3 to 7 already; dup2()
		 * clears close-on-exec. */
		int src[5] = { pr->lfd, pidfd, pr->events, report[1], ctl[1] }, tmp[5] = { -1, -1, -1, -1, -1 }, e = 0;
		for (int k = 0; k < 5 && !e; k++)
			if ((tmp[k] = fcntl(src[k], F_DUPFD_CLOEXEC, 10)) < 0)
				e = errno;
		for (int k = 0; k < 5 && !e; k++)
			if (dup2(tmp[k], 3 + k) < 0)
				e = errno;
		int rfd = e ? report[1] : 6;
		if (!e) {
			syscall(SYS_close_range, 8, ~0U, 0);
			execv(path, argv);
			e = errno;
		}
		if (write(rfd, &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(report[1]);
	report[1] = -1;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "stockade: proxy: cannot start it\n");
		goto out;
	}
	int e = 0;
	ssize_t n;
	while ((n = read(report[0], &pr->pid, sizeof(pr->pid))) < 0 && errno == EINTR)
		;
	if (n != sizeof(pr->pid)) {
		fprintf(stderr, "stockade: proxy: cannot start it\n");
		goto out;
	}
	/* Nothing runs before the proxy is confined (fail closed). */
	struct pollfd ready = { .fd = report[0], .events = POLLIN };
	int r;
	while ((r = poll(&ready, 1, PROXY_READY_MS)) < 0 && errno == EINTR)
		;
	n = -1;
	if (r == 1)
		while ((n = read(report[0], &e, sizeof(e))) < 0 && errno == EINTR)
			;
	if (n != sizeof(e) || e != 0) {
		if (n == sizeof(e) && e > 0)
			fprintf(stderr, "stockade: proxy: cannot run %s: %s\n", path, strerror(e));
		else if (n == sizeof(e))
			fprintf(stderr, "stockade: proxy: it could not confine itself (%s); the run does not start\n",
				strerror(-e));
		else
			fprintf(stderr, "stockade: proxy: %s ended or did not answer before it was confined; the run "
					"does not start\n", path);
		if (n != sizeof(e) || e < 0)
			kill(pr->pid, SIGKILL); /* ours, started above; gone already or not serving */
		goto out;
	}
	if (set_env(pr) < 0)
		goto out;
	ret = 0;
out:
	for (size_t i = 0; argv && i < argc; i++)
		if (argv[i] != path && strncmp(argv[i], "--", 2))
			free(argv[i]);
	free(argv);
	if (pidfd >= 0)
		close(pidfd);
	if (report[0] >= 0)
		close(report[0]);
	if (report[1] >= 0)
		close(report[1]);
	if (ctl[1] >= 0)
		close(ctl[1]);
	/* Ours: a listener made in a network namespace goes to the proxy
	 * through it (run/netns.c). */
	if (ret == 0)
		pr->ctl = ctl[0];
	else if (ctl[0] >= 0)
		close(ctl[0]);
	/* The proxy holds the listener now; the command must not. */
	proxy_run_free(pr);
	return ret;
}

void proxy_run_free(struct proxy_run *pr)
{
	if (pr->lfd >= 0)
		close(pr->lfd);
	pr->lfd = -1;
}

void proxy_run_close(struct proxy_run *pr)
{
	proxy_run_free(pr);
	if (pr->events >= 0)
		close(pr->events);
	pr->events = -1;
	if (pr->ctl >= 0)
		close(pr->ctl);
	pr->ctl = -1;
}
