/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, network mode proxy through the library (run/proxy_run.c):
 * stockade_run() on a mode proxy plan starts stockade-proxy itself, so the
 * command reaches a pinned loopback host (a server this test starts)
 * through it, and is refused (403) for a name the plan does not allow;
 * stockade_exec() and stockade_program_exec() cannot hold a proxy and
 * refuse such a plan before confining anything.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stockade.h"
#include "../harness.h"
#include "../unit/plan_helpers.h"

static const char body[] = "hello-through-the-proxy";

/* A server on 127.0.0.1 that answers every request with `body`, in a child
 * this test kills. */
static pid_t serve(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	*port = ntohs(sa.sin_port);
	pid = fork();
	if (pid == 0) {
		char buf[4096], reply[256];
		int n = snprintf(reply, sizeof(reply),
				 "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
				 sizeof(body) - 1, body);
		for (;;) {
			int c = accept(fd, NULL, NULL);
			if (c < 0)
				continue;
			if (read(c, buf, sizeof(buf)) > 0 && write(c, reply, (size_t)n) < 0)
				_exit(1);
			close(c);
		}
	}
	close(fd);
	return pid;
}

/* The proxy beside this test binary (the build tree), or where
 * STOCKADE_PROXY_BIN says, as the library looks for it. */
static bool proxy_found(void)
{
	const char *env = getenv("STOCKADE_PROXY_BIN");
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 32);

	if (env && *env)
		return access(env, X_OK) == 0;
	if (n <= 0)
		return false;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return false;
	strcpy(slash + 1, "stockade-proxy");
	return access(self, X_OK) == 0;
}

static int run_sh(const stockade_plan *plan, char *script, stockade_error **err)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", script, NULL };
	int status = -1;

	int ret = stockade_run(plan, argv, NULL, &status, err);
	if (ret < 0)
		return ret;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(library_run_starts_the_proxy)
{
	const char *curl = access("/usr/bin/curl", X_OK) == 0 ? "/usr/bin/curl" : NULL;
	char text[512], script[1024];
	stockade_error *err = NULL;
	uint16_t port = 0;
	pid_t server;

	if (!curl)
		SKIP("curl not found (/usr/bin/curl)");
	if (!proxy_found())
		SKIP("stockade-proxy is not beside this test binary (nor STOCKADE_PROXY_BIN)");
	server = serve(&port);
	CHECK(server > 0);
	if (server <= 0)
		return;
	/* Only pinned names: the proxy never asks DNS for them. */
	snprintf(text, sizeof(text),
		 "network:\n  mode: proxy\n  allow: [\"pinned.test:%u\"]\n  hosts:\n    pinned.test: 127.0.0.1\n"
		 "    other.test: 127.0.0.1\n",
		 port);
	stockade_plan *plan = plan_from("preset:agent", text, (const char *)NULL);
	if (plan) {
		/* the pinned, allowed name: through the proxy to our server */
		snprintf(script, sizeof(script), "test \"$(%s -sS http://pinned.test:%u/)\" = %s", curl, port, body);
		int got = run_sh(plan, script, &err);
		CHECK_MSG(got == 0, "an allowed, pinned name through the proxy: %d %s", got,
			  err && err->msg ? err->msg : "");
		stockade_error_free(err);
		err = NULL;
		/* another name (pinned to the same server, not allowed): 403 */
		snprintf(script, sizeof(script),
			 "test \"$(%s -s -o /dev/null -w '%%{http_code}' http://other.test:%u/)\" = 403", curl, port);
		got = run_sh(plan, script, &err);
		CHECK_MSG(got == 0, "a name not allowed: want the proxy's 403: %d %s", got, err && err->msg ? err->msg : "");
		stockade_error_free(err);
		err = NULL;
		/* around the proxy, straight to the server: refused */
		snprintf(script, sizeof(script), "%s -s --noproxy '*' -o /dev/null http://127.0.0.1:%u/", curl, port);
		got = run_sh(plan, script, &err);
		CHECK_MSG(got != 0 && got != 126 && got != 127, "a direct connect around the proxy: %d %s", got,
			  err && err->msg ? err->msg : "");
		stockade_error_free(err);
		err = NULL;
		/* and the caller's environment is its own: no proxy variables */
		CHECK(getenv("HTTP_PROXY") == NULL || strstr(getenv("HTTP_PROXY"), "stockade:") == NULL);
	}
	stockade_plan_free(plan);
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
}

/* A proxy that cannot be exec'd, or that ends before its word: the run
 * fails with the reason, the command never runs, and nothing waits for
 * the 10 s a silent proxy gets. */
TEST(library_run_fails_when_the_proxy_cannot_start)
{
	static const struct {
		const char *script, *want;
	} cases[] = {
		/* passes access(X_OK), execve fails (ENOENT: no interpreter) */
		{ "#!/nonexistent/interpreter\n", "cannot run" },
		/* runs, and ends without a pid or a word */
		{ "#!/bin/sh\nexit 0\n", "did not answer before it started" },
	};
	char dir[] = "/tmp/stockade-proxy-fail.XXXXXX", bin[64], ran[64], script[128];
	const char *old = getenv("STOCKADE_PROXY_BIN");
	char *saved = old ? strdup(old) : NULL;
	stockade_plan *plan = plan_from("preset:agent", "network:\n  mode: proxy\n  allow: [pinned.test]\n"
						       "  hosts: {pinned.test: 127.0.0.1}\n",
					(const char *)NULL);

	CHECK(mkdtemp(dir) != NULL);
	snprintf(bin, sizeof(bin), "%s/proxy", dir);
	snprintf(ran, sizeof(ran), "%s/ran", dir);
	snprintf(script, sizeof(script), "touch %s", ran);
	for (size_t i = 0; plan && i < sizeof(cases) / sizeof(cases[0]); i++) {
		stockade_error *err = NULL;
		FILE *f = fopen(bin, "w");

		CHECK(f != NULL);
		if (!f)
			break;
		fputs(cases[i].script, f);
		fclose(f);
		CHECK(chmod(bin, 0755) == 0);
		setenv("STOCKADE_PROXY_BIN", bin, 1);
		time_t t0 = time(NULL);
		int got = run_sh(plan, script, &err);
		CHECK_MSG(got < 0 && err && err->msg && strstr(err->msg, cases[i].want),
			  "proxy %s: want an error with \"%s\", got %d %s", cases[i].script, cases[i].want, got,
			  err && err->msg ? err->msg : "");
		CHECK_MSG(access(ran, F_OK) != 0, "the command ran without its proxy (%s)", cases[i].script);
		CHECK_MSG(time(NULL) - t0 < 8, "a proxy that cannot start was waited for %ld s", (long)(time(NULL) - t0));
		stockade_error_free(err);
		unlink(ran);
	}
	if (saved)
		setenv("STOCKADE_PROXY_BIN", saved, 1);
	else
		unsetenv("STOCKADE_PROXY_BIN");
	free(saved);
	unlink(bin);
	rmdir(dir);
	stockade_plan_free(plan);
}

TEST(library_exec_refuses_a_proxy_plan)
{
	stockade_plan *plan = plan_from("preset:agent", "network:\n  mode: proxy\n", (const char *)NULL);
	stockade_program *prog = NULL;
	stockade_error *err = NULL;
	int pipefd[2], st = -1, nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);

	if (!plan)
		return;
	CHECK(pipe(pipefd) == 0);
	/* In a child: had it gone on, it would be confined and exec'd. */
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)"/bin/true", NULL };
		int r1 = stockade_exec(plan, argv, &err), r2 = -1;
		bool msg = err && err->msg && strstr(err->msg, "network mode proxy");
		stockade_error_free(err);
		err = NULL;
		if (stockade_program_new(plan, &prog, &err) == 0)
			r2 = stockade_program_exec(prog, argv, &err);
		msg = msg && err && err->msg && strstr(err->msg, "network mode proxy");
		/* and nothing was confined: no_new_privs is still off */
		char line[3] = { (char)(r1 == -EOPNOTSUPP && r2 == -EOPNOTSUPP && msg ? 'y' : 'n'),
				 (char)('0' + prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)), 0 };
		if (write(pipefd[1], line, 2) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	char got[3] = "";
	CHECK(read(pipefd[0], got, 2) == 2);
	close(pipefd[0]);
	waitpid(pid, &st, 0);
	CHECK_MSG(got[0] == 'y', "stockade_exec/stockade_program_exec on a mode proxy plan: %s", got);
	CHECK_MSG(got[1] == '0' + nnp, "no_new_privs changed before the refusal: %s (was %d)", got, nnp);
	stockade_plan_free(plan);
}
