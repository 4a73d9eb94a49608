/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, network mode proxy with the command in a pid namespace
 * (run/proxy_run.c, run/isolate.c): the proxy's pid is a pid of the
 * namespace stockade started it from, so the wait for its word, which runs
 * in the command's process inside the new one, never signals by that pid
 * (there it names another process: pid 2 is the command's side); a proxy
 * is signalled through a pidfd of the process that started it only.  A
 * stand-in proxy that says pid 2 and that it could not confine itself must
 * leave a refused run (125, saying why), not one killed from inside.  And
 * the real proxy ends with the run.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandboxed.h"

/* How long the proxy may take to go once the run has ended: a bound for
 * a failure, not a timing the test depends on. */
#define BOUND_MS 30000

/* The proxy's protocol (run/proxy_run.c), in shell: descriptor 6 gets its
 * pid (here 2, a pid inside the command's namespace), then its word (-1:
 * it could not confine itself); then it is gone. */
static const char fake_proxy[] = "#!/bin/sh\n"
				 "printf '\\002\\000\\000\\000\\377\\377\\377\\377' >&6\n";

TEST(proxy_refused_in_pid_namespace_signals_no_pid_inside)
{
	char env[PATH_MAX + 32];
	struct run_opts o = { 0 };
	struct cmd c = { .n = 0 };
	struct run r;

	NEED_NS();
	snprintf(env, sizeof(env), "STOCKADE_PROXY_BIN=%s", write_tmp("fake-proxy", fake_proxy, 0755));
	o.env = ARGV(env);
	cmd_push_stockade_run(&c, OPTS("--net", "proxy"));
	cmd_push_all(&c, ARGV("/bin/echo", "RAN"));
	cmd_run(&c, &o, &r);
	cmd_free(&c);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "a proxy that could not confine itself, with namespaces");
	CHECK_MSG(has(&r, "could not confine itself") && !has(&r, "RAN"), "the refusal: %s", r.out);
}

/* The proxy stockade started (`-v` says its pid) is gone once the run is:
 * polled for, within BOUND_MS. */
TEST(proxy_ends_with_the_run_in_pid_namespace)
{
	char path[64], *cmdline = NULL;
	struct run r;
	const char *at;
	int pid;
	bool gone = false;

	NEED_NS();
	cli_run(OPTS("-v", "--allow-host", "example.invalid"), ARGV("/bin/echo", "RAN"), &r);
	if (has(&r, "stockade-proxy, not found"))
		SKIP("stockade-proxy is not built beside stockade");
	CHECK_OUTCOME(&r, 0, "a run with the proxy, with namespaces");
	at = strstr(r.out, "proxy pid ");
	CHECK_MSG(at && (pid = atoi(at + 10)) > 1, "-v names no proxy pid: %s", r.out);
	if (!at || pid <= 1)
		return;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	for (long start = now_ms(); !gone && now_ms() - start < BOUND_MS;) {
		free(cmdline);
		/* gone, or its pid another process's already */
		cmdline = read_file(path);
		gone = !cmdline || !strstr(cmdline, "stockade-proxy");
		if (!gone)
			usleep(5000);
	}
	CHECK_MSG(gone, "the proxy (pid %d) outlived the run", pid);
	free(cmdline);
}
