/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: the supervisor's pid fence (src/run/supervise_harden.c) is
 * loaded only for the calls nothing else closes, and the command still
 * cannot act on the supervisor, its workers or the linger process.  Under
 * agent in plain enforcement with connect() mediated (isolation off), on a
 * kernel with Landlock ABI 6 the command's Landlock domain refuses ptrace
 * access and signals out of it and agent's own filter refuses prlimit64,
 * sched_*, setpriority and ioprio_set on any pid but 0: no fence filter is
 * loaded (the command carries one filter fewer, --timings says so), and
 * tests/probes/poke-fence gets nothing through; the same under agent with
 * `landlock: off` (the fence's own domain scopes signals).  A policy that
 * lets prlimit64 name any pid, signals not scoped, or Landlock lowered
 * (STOCKADE_TEST_LANDLOCK_ABI=5: no signal scope; 0: none) keeps the
 * fence, and again nothing gets through.  As root and as nobody (tiers
 * live and live-unpriv).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../harness.h"
#include "live_util.h"
#include "../probes/lib/proc.h"
#include "sandboxed.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif

static long kernel_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1 /* LANDLOCK_CREATE_RULESET_VERSION */);

	return abi < 0 ? 0 : abi;
}

/* A listening unix socket at DIR/tmux-UID/default: a host daemon's, which
 * `run --isolation off` mediates connects to (the bench's agent-unix row).
 * Returns its fd (the caller closes it) or -1. */
static int daemon_socket(const char *dir, char *path, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char sub[200];
	int fd;

	snprintf(sub, sizeof(sub), "%s/tmux-%u", dir, (unsigned)getuid());
	if (mkdir(sub, 0700) < 0 && errno != EEXIST)
		return -1;
	snprintf(path, size, "%s/default", sub);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST(fence_elided_where_closed_command_still_kept_off)
{
	static const struct {
		const char *what;
		const char *args[3];
		const char *env;
		const char *policy; /* a policy file's text, or NULL: --preset agent */
		bool unix_daemon;   /* mediate a host daemon's socket rather than TCP */
		bool elided;	  /* with the kernel's Landlock at ABI 6 or later */
	} cases[] = {
		{ "agent, connect to 127.0.0.1:9 mediated", { "--tcp-connect=127.0.0.1:9" }, NULL, NULL, false, true },
		{ "agent, a host daemon's socket mediated", { NULL }, NULL, NULL, true, true },
		/* no Landlock of the policy's: the fence's own domain */
		{ "agent with landlock: off", { "--tcp-connect=127.0.0.1:9" }, NULL,
		  "version: 1\nextends: agent\nlandlock: off\n", false, true },
		{ "agent with landlock: off and signals not scoped", { "--tcp-connect=127.0.0.1:9" }, NULL,
		  "version: 1\nextends: agent\nlandlock: off\nscope:\n  signals: false\n", false, false },
		{ "agent letting prlimit64 name any pid", { "--tcp-connect=127.0.0.1:9", "--allow=prlimit64" }, NULL, NULL,
		  false, false },
		{ "agent, Landlock ABI 5 (no signal scope)", { "--tcp-connect=127.0.0.1:9" },
		  "STOCKADE_TEST_LANDLOCK_ABI=5", NULL, false, false },
		{ "agent, no Landlock", { "--tcp-connect=127.0.0.1:9" }, "STOCKADE_TEST_LANDLOCK_ABI=0", NULL, false,
		  false },
	};
	long own = proc_seccomp_filters(), abi = kernel_abi();

	if (access(stockade_bin(), X_OK) < 0 || access(probe_path("poke-fence"), X_OK) < 0) {
		CHECK_MSG(0, "%s or %s is missing (make check builds them)", stockade_bin(), probe_path("poke-fence"));
		return;
	}
	if (own < 0)
		SKIP("no Seccomp_filters line in /proc/self/status (kernel before 5.9?)");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *base = getenv("TMPDIR") && getenv("TMPDIR")[0] == '/' ? getenv("TMPDIR") : "/tmp";
		char dir[128], sock[300] = "", tmpdir[320], policy[160] = "";
		const char *env[3] = { NULL };
		struct run_opts o = { 0 };
		struct cmd c = { 0 };
		struct run r;
		int threads = 0, procs = 0, through = -1, lfd = -1, ne = 0;
		long filters = -1;
		bool elided = cases[i].elided && abi >= 6;
		const char *p;

		snprintf(dir, sizeof(dir), "%s/stockade-fence-XXXXXX", base);
		if (!mkdtemp(dir)) {
			CHECK_MSG(0, "mkdtemp: %s", strerror(errno));
			return;
		}
		if (cases[i].unix_daemon) {
			if ((lfd = daemon_socket(dir, sock, sizeof(sock))) < 0)
				CHECK_MSG(0, "%s: cannot bind a socket in %s: %s", cases[i].what, dir, strerror(errno));
			snprintf(tmpdir, sizeof(tmpdir), "TMPDIR=%s", dir);
			env[ne++] = tmpdir;
		}
		if (cases[i].env)
			env[ne++] = cases[i].env;
		if (cases[i].policy) {
			FILE *f;

			snprintf(policy, sizeof(policy), "%s/policy.yaml", dir);
			if (!(f = fopen(policy, "w")) || fputs(cases[i].policy, f) < 0 || fclose(f) != 0)
				CHECK_MSG(0, "%s: cannot write %s: %s", cases[i].what, policy, strerror(errno));
		}
		o.env = ne ? env : NULL;
		cmd_push_all(&c, ARGV(stockade_bin(), "run", "--isolation", "off", "--timings"));
		if (policy[0])
			cmd_push_all(&c, ARGV("--policy", policy));
		else
			cmd_push_all(&c, ARGV("--preset", "agent"));
		for (int k = 0; k < 3 && cases[i].args[k]; k++)
			cmd_push(&c, cases[i].args[k]);
		cmd_push_all(&c, ARGV("--", probe_path("poke-fence")));
		if (sock[0])
			cmd_push(&c, sock);
		cmd_run(&c, &o, &r);
		cmd_free(&c);
		if (lfd >= 0)
			close(lfd);
		if (sock[0]) {
			unlink(sock);
			*strrchr(sock, '/') = '\0';
			rmdir(sock);
		}
		if (policy[0])
			unlink(policy);
		rmdir(dir);
		if ((p = strstr(r.out, "filters: ")))
			filters = strtol(p + 9, NULL, 10);
		p = strstr(r.out, "poked: ");
		CHECK_MSG(r.outcome == 0 && p &&
				  sscanf(p, "poked: %d thread(s), %d process(es), %d", &threads, &procs, &through) == 3,
			  "%s: poke-fence did not run:\n%s", cases[i].what, r.out);
		/* The workers (the connect was mediated) and the linger process
		 * are there to poke. */
		CHECK_MSG(threads >= 2 && procs >= 2, "%s: no worker or linger process to poke (%d, %d):\n%s",
			  cases[i].what, threads, procs, r.out);
		CHECK_MSG(through == 0, "%s: calls on the supervisor's threads or processes got through:\n%s",
			  cases[i].what, r.out);
		/* The policy's filter, and the fence's where it is kept. */
		CHECK_MSG(filters == own + (elided ? 1 : 2), "%s: %ld seccomp filter(s) on the command, want %ld (%s):\n%s",
			  cases[i].what, filters, own + (elided ? 1 : 2), elided ? "no fence" : "the fence kept", r.out);
		CHECK_MSG(elided ? strstr(r.out, "supervisor: no fence filter") && !strstr(r.out, "fence filter loaded")
				 : strstr(r.out, "supervisor: fence filter loaded") != NULL,
			  "%s: --timings does not say the fence was %s:\n%s", cases[i].what, elided ? "left out" : "loaded",
			  r.out);
	}
}

/*
 * The routes to the supervisor that name none of its ids (attack7): where
 * no Landlock domain scopes the command's signals (the policy's `signals:
 * false`, Landlock ABI 5 or none), kill(0) and kill(-PGID) of its group,
 * pidfd_send_signal on a /proc/PID directory's fd, and a descriptor's
 * owner (F_SETOWN to its pid or group, F_SETOWN_EX, FIOSETOWN) are each
 * refused; under agent the scope keeps them off it.  tests/probes/
 * poke-sigroutes sends SIGWINCH, which the supervisor passes back to it:
 * "reached" means it got to the supervisor.  An outside process of the
 * test's own is still signalled where the policy says `signals: false`.
 */
TEST(fence_signal_routes_closed)
{
	static const struct {
		const char *what;
		const char *env;
		const char *policy; /* NULL: --preset agent */
		bool unscoped;	    /* every route must be refused by the fence */
	} cases[] = {
		{ "agent", NULL, NULL, false },
		{ "agent, signals: false", NULL, "version: 1\nextends: agent\nscope:\n  signals: false\n", true },
		{ "agent, Landlock ABI 5", "STOCKADE_TEST_LANDLOCK_ABI=5", NULL, true },
		{ "agent, no Landlock", "STOCKADE_TEST_LANDLOCK_ABI=0", NULL, true },
	};
	static const char *const routes[] = { "kill-0",	    "kill-pgrp", "pidfd-proc", "setown",
					      "setown-pgrp", "setown-ex", "fiosetown" };
	long abi = kernel_abi();

	if (access(stockade_bin(), X_OK) < 0 || access(probe_path("poke-sigroutes"), X_OK) < 0) {
		CHECK_MSG(0, "%s or %s is missing (make check builds them)", stockade_bin(),
			  probe_path("poke-sigroutes"));
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *env[2] = { cases[i].env, NULL }, *policy = NULL;
		struct run_opts o = { .env = cases[i].env ? env : NULL };
		struct cmd c = { 0 };
		struct run r;
		bool unscoped = cases[i].unscoped || abi < 6;

		if (cases[i].policy)
			policy = write_tmp("sigroutes.yaml", cases[i].policy, 0644);
		cmd_push_all(&c, ARGV(stockade_bin(), "run", "--isolation", "off", "--tcp-connect=127.0.0.1:9"));
		if (policy)
			cmd_push_all(&c, ARGV("--policy", policy));
		else
			cmd_push_all(&c, ARGV("--preset", "agent"));
		cmd_push_all(&c, ARGV("--", probe_path("poke-sigroutes")));
		cmd_run(&c, &o, &r);
		cmd_free(&c);
		CHECK_MSG(r.outcome == 0 && strstr(r.out, "reached: "), "%s: poke-sigroutes did not run:\n%s",
			  cases[i].what, r.out);
		CHECK_MSG(strstr(r.out, "reached: 0\n") != NULL, "%s: a signal got to the supervisor:\n%s", cases[i].what,
			  r.out);
		for (size_t k = 0; unscoped && k < sizeof(routes) / sizeof(routes[0]); k++) {
			char want[64];

			snprintf(want, sizeof(want), "%s: refused (EPERM)\n", routes[k]);
			CHECK_MSG(strstr(r.out, want) != NULL, "%s: %s not refused:\n%s", cases[i].what, routes[k], r.out);
		}
	}

	/* `signals: false` still reaches an outside process by its pid. */
	pid_t victim = fork();

	if (victim == 0) {
		execl("/bin/sleep", "sleep", "60", (char *)NULL);
		_exit(127);
	}
	if (victim > 0) {
		const char *policy = write_tmp("sigroutes.yaml", cases[1].policy, 0644);
		char script[64];
		struct cmd c = { 0 };
		struct run r;
		int status = 0;

		snprintf(script, sizeof(script), "kill -TERM %d", (int)victim);
		cmd_push_stockade_run(&c, ARGV("--policy", policy, "--isolation", "off", "--tcp-connect=127.0.0.1:9"));
		cmd_push_all(&c, ARGV("/bin/sh", "-c", script));
		cmd_run(&c, NULL, &r);
		cmd_free(&c);
		CHECK_OUTCOME(&r, 0, "signals: false, kill -TERM of an outside process");
		if (r.outcome != 0)
			kill(victim, SIGKILL);
		CHECK(waitpid(victim, &status, 0) == victim && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	}
}

/*
 * The terminal cannot stop the supervisor (attack8): the command makes a
 * group of its own the terminal's foreground one, and a child it left in
 * the supervisor's group changes the terminal and reads it, for which the
 * kernel stops that whole background group (SIGTTOU, SIGTTIN) without a
 * kill() that the fence or Landlock's scope could refuse.  Under a job-
 * control shell on a pty (bash -m under script), as the user runs it.
 */
TEST(fence_terminal_cannot_stop_the_supervisor)
{
	const char *script = tool("script"), *bash = tool("bash");
	char line[2048];
	struct run r;

	if (!script || !bash)
		SKIP("script (bsdutils) or bash is not installed");
	if (access(stockade_bin(), X_OK) < 0 || access(probe_path("poke-ttystop"), X_OK) < 0) {
		CHECK_MSG(0, "%s or %s is missing (make check builds them)", stockade_bin(), probe_path("poke-ttystop"));
		return;
	}
	snprintf(line, sizeof(line),
		 "%s -c 'set -m; %s run --isolation off --tcp-connect=127.0.0.1:9 --preset agent -- %s; echo rc=$?; "
		 "kill -KILL %%1 2>/dev/null'",
		 bash, stockade_bin(), probe_path("poke-ttystop"));
	run_cmd_opts(ARGV(script, "-qec", line, "/dev/null"), &(struct run_opts){ .timeout_ms = 30000 }, &r);
	if (strstr(r.out, "skipped: ")) {
		printf("  note: %s", strstr(r.out, "skipped: "));
		SKIP("poke-ttystop could not set up the terminal here");
	}
	CHECK_MSG(strstr(r.out, "supervisor: running") && strstr(r.out, "rc=0") && !strstr(r.out, "Stopped"),
		  "the supervisor was stopped through the terminal:\n%s", r.out);
}

/* A job-control shell on a pty that answers the cursor query (ESC [6n)
 * the way terminal emulators do; prints what the terminal showed. */
static const char answering_pty_py[] =
	"import os, pty, select, sys, time\n"
	"pid, fd = pty.fork()\n"
	"if pid == 0:\n"
	"    os.execvp(sys.argv[1], sys.argv[1:])\n"
	"out = b''\n"
	"end = time.time() + 20\n"
	"while time.time() < end:\n"
	"    r = select.select([fd], [], [], 0.05)[0]\n"
	"    if not r: continue\n"
	"    try: d = os.read(fd, 4096)\n"
	"    except OSError: break\n"
	"    if not d: break\n"
	"    out += d\n"
	"    if b'\\x1b[6n' in d: os.write(fd, b'\\x1b[5;1R')\n"
	"sys.stdout.write(out.decode(errors='replace').replace('\\x1b', '<ESC>'))\n"
	"try: os.kill(pid, 9)\n"
	"except ProcessLookupError: pass\n"
	"os.waitpid(pid, 0)\n";

/*
 * The terminal's suspend character (attack9): the command makes ESC the
 * suspend character and asks where the cursor is; the terminal's answer
 * sends SIGTSTP to the foreground group, the supervisor's, which keeps it
 * blocked and stops only when the command does.  And that: a command that
 * suspends itself (kill -TSTP 0, what vim and `suspend` do) stops the job,
 * the shell takes the terminal back, and `fg` goes on.
 */
TEST(fence_suspend_character_cannot_stop_the_supervisor)
{
	const char *py = write_tmp("answering_pty.py", answering_pty_py, 0644), *bash = tool("bash");
	char line[2048];
	struct run r;

	if (!bash)
		SKIP("bash is not installed");
	if (access(stockade_bin(), X_OK) < 0 || access(probe_path("poke-ttystop"), X_OK) < 0) {
		CHECK_MSG(0, "%s or %s is missing (make check builds them)", stockade_bin(), probe_path("poke-ttystop"));
		return;
	}
	snprintf(line, sizeof(line),
		 "%s run --isolation off --tcp-connect=127.0.0.1:9 --preset agent -- %s suspend; echo rc=$?; "
		 "kill -KILL %%1 2>/dev/null; exit 0",
		 stockade_bin(), probe_path("poke-ttystop"));
	run_cmd_opts(ARGV(python(), py, bash, "-m", "-c", line), &(struct run_opts){ .timeout_ms = 40000 }, &r);
	if (strstr(r.out, "skipped: ")) {
		printf("  note: %s", strstr(r.out, "skipped: "));
		SKIP("poke-ttystop could not set up the terminal here");
	}
	CHECK_MSG(strstr(r.out, "supervisor: running") && strstr(r.out, "rc=0") && !strstr(r.out, "Stopped"),
		  "the supervisor was stopped by the suspend character:\n%s", r.out);

	snprintf(line, sizeof(line),
		 "%s run --isolation off --tcp-connect=127.0.0.1:9 --preset agent -- %s -c 'kill -TSTP 0; echo RE\"\"SUMED'; "
		 "echo rc=$?; fg; echo rc2=$?",
		 stockade_bin(), bash);
	run_cmd_opts(ARGV(python(), py, bash, "-m", "-c", line), &(struct run_opts){ .timeout_ms = 40000 }, &r);
	CHECK_MSG(strstr(r.out, "Stopped") && strstr(r.out, "rc=148") && strstr(r.out, "RESUMED") &&
			  strstr(r.out, "rc2=0"),
		  "a command that suspends itself: the job should stop, then go on with fg:\n%s", r.out);
}

/*
 * A command that stops itself and is continued by a process of its own
 * (attack10): the supervisor, which stops with the command under a job-
 * control shell, is continued with it (its watcher), and elsewhere does not
 * stop at all; either way the run ends with the command's status, in plain
 * enforcement with a mediated call, and with --report (where the
 * supervisor answers the calls itself) under setsid.  Run as run_cmd()
 * runs it (a group of its own, as a job-control shell does) and under
 * setsid.
 */
TEST(fence_command_continued_by_itself_does_not_wedge_the_supervisor)
{
	static const char script[] = "(i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; kill -CONT $$) & "
				     "kill -STOP $$; echo RE\"\"SUMED; exit 7";
	static const char *const modes[] = { "--tcp-connect=127.0.0.1:9", "--report" };

	if (access(stockade_bin(), X_OK) < 0) {
		CHECK_MSG(0, "%s is missing", stockade_bin());
		return;
	}
	for (size_t i = 0; i < 2; i++)
		for (int setsid_too = 0; setsid_too < 2; setsid_too++) {
			struct cmd c = { 0 };
			struct run r;

			/* Under a job-control shell with --report, the job is
			 * stopped until fg: the supervisor answers the calls
			 * and stops with the command, and a process of the
			 * command waiting on it cannot continue it (documented,
			 * docs/report.md).  No shell here to fg it. */
			if (i == 1 && !setsid_too)
				continue;
			if (setsid_too)
				cmd_push_all(&c, ARGV("setsid", "-w"));
			cmd_push_all(&c, ARGV(stockade_bin(), "run", "--isolation", "off", modes[i], "--", "/bin/sh", "-c",
					      script));
			cmd_run(&c, &(struct run_opts){ .timeout_ms = 20000 }, &r);
			cmd_free(&c);
			CHECK_MSG(r.outcome == 7 && strstr(r.out, "RESUMED"),
				  "%s%s: the run did not end with the command's status (outcome %d):\n%s", modes[i],
				  setsid_too ? " under setsid" : "", r.outcome, r.out);
		}
}
