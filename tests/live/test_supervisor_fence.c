/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: a supervisor the command cannot touch, and a command that
 * cannot outlive it.  The command (tests/probes/poke-parent.c) cannot
 * signal, limit, get a pidfd of, take descriptors from or ptrace its
 * supervisor, under agent (Landlock) and under a policy without Landlock,
 * with the kernel's Landlock and with Landlock lowered or gone
 * (STOCKADE_TEST_LANDLOCK_ABI), in report and audit mode; as root and as
 * nobody (tiers live and live-unpriv).  SIGKILL to stockade kills the
 * command, and a descendant that survives finds the filter closed (ENOSYS,
 * the call does not run) rather than audit's "allow".  audit and learn
 * leave no process of the command running.  Deadlines are generous: the
 * assertions are on outcomes, never on time.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../harness.h"
#include "live_util.h"

#define DEADLINE_MS 20000

static bool have_binaries(void)
{
	if (access(stockade_bin(), X_OK) < 0 || access(probe_path("poke-parent"), X_OK) < 0 ||
	    access(probe_path("try-syscall"), X_OK) < 0) {
		CHECK_MSG(0, "%s, %s or %s is missing (make check builds them)", stockade_bin(),
			  probe_path("poke-parent"), probe_path("try-syscall"));
		return false;
	}
	return true;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The pid of a child of `parent` whose comm is `comm`, or 0. */
static int parent_of(pid_t pid)
{
	char path[64], buf[512];
	FILE *f;
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	if (fgets(buf, sizeof(buf), f)) {
		char *close = strrchr(buf, ')');

		if (close)
			sscanf(close + 2, "%*c %d", &ppid);
	}
	fclose(f);
	return ppid;
}

/* A descendant of parent named comm: with namespaces the command is the
 * grandchild of the supervisor's child (outer process, init). */
static pid_t child_named(pid_t parent, const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		char path[300], buf[512];
		FILE *f;
		pid_t pid = (pid_t)atoi(e->d_name);
		int ppid = 0;
		char name[64] = "";

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			char *open = strchr(buf, '('), *close = strrchr(buf, ')');

			if (open && close && close > open) {
				snprintf(name, sizeof(name), "%.*s", (int)(close - open - 1), open + 1);
				sscanf(close + 2, "%*c %d", &ppid);
			}
		}
		fclose(f);
		for (int up = 0; up < 4 && ppid > 1 && ppid != parent; up++)
			ppid = parent_of(ppid);
		if (ppid == parent && !strcmp(name, comm))
			found = pid;
	}
	closedir(d);
	return found;
}

/* Gone, or a zombie nobody of ours will wait for. */
static bool gone(pid_t pid)
{
	char path[64], buf[512];
	FILE *f;
	bool zombie = false;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f)) {
		char *close = strrchr(buf, ')');

		zombie = close && (close[2] == 'Z' || close[2] == 'X');
	}
	fclose(f);
	return zombie;
}

static bool wait_gone(pid_t pid)
{
	for (long t = 0; t < DEADLINE_MS; t += 50) {
		if (gone(pid))
			return true;
		sleep_ms(50);
	}
	return gone(pid);
}

/* Start `stockade ARGS...` in the background, stdout/stderr to /dev/null. */
static pid_t spawn(const char *const *argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		setpgid(0, 0);
		char *v[32];
		size_t n = 0;

		for (; argv[n] && n < 31; n++)
			v[n] = strdup(argv[n]);
		v[n] = NULL;
		execv(v[0], v);
		_exit(127);
	}
	return pid;
}

TEST(supervisor_fenced_from_command)
{
	static const char *const policies[][4] = {
		{ "--preset", "agent", NULL, NULL },
		{ "--preset", "none", "--deny", "memfd_create" },
	};
	static const char *const abis[] = { NULL, "STOCKADE_TEST_LANDLOCK_ABI=5", "STOCKADE_TEST_LANDLOCK_ABI=0" };
	static const char *const modes[] = { "--report", "--audit" };
	bool root = geteuid() == 0;

	if (!have_binaries())
		return;
	for (size_t p = 0; p < 2; p++)
		for (size_t a = 0; a < 3; a++)
			for (size_t m = 0; m < 2; m++) {
				const char *const env[] = { abis[a], NULL };
				struct run_opts o = { .env = abis[a] ? env : NULL };
				struct cmd c = { 0 };
				struct run r;
				int allowed = 0;

				/* The supervisor as the command's parent: without
				 * namespaces (with them, its parent is init and
				 * the supervisor is not in its pid namespace). */
				cmd_push_all(&c, ARGV(stockade_bin(), "run", "--isolation", "off", modes[m]));
				for (int k = 0; k < 4 && policies[p][k]; k++)
					cmd_push(&c, policies[p][k]);
				cmd_push_all(&c, ARGV("--", probe_path("poke-parent")));
				cmd_run(&c, &o, &r);
				cmd_free(&c);
				/* Without any Landlock, root keeping CAP_SYS_PTRACE
				 * still opens /proc/PID/mem of a non-dumpable
				 * process: the documented gap (docs/report.md). */
				if (root && a == 2 && p == 1)
					allowed = 32;
				CHECK_MSG(r.outcome >= 0 && r.outcome < 64 && (r.outcome & ~allowed) == 0,
					  "%s %s %s: poke-parent got through (bits %d):\n%s", policies[p][1],
					  abis[a] ? abis[a] : "kernel ABI", modes[m], r.outcome, r.out);
			}
}

/* "WHAT: T thread(s), P ..., N call(s) got through" of poke-workers. */
static bool poked(const char *out, const char *what, int *threads, int *procs, int *through)
{
	const char *p = strstr(out, what);

	return p && sscanf(p + strlen(what), ": %d thread(s), %d %*s process(es), %d", threads, procs, through) == 3;
}

/* Every thread and process of the supervisor is fenced, not only its pid:
 * the mediation workers (a mediated connect makes them work) and the linger
 * process that answers what outlives the command, with its workers, under
 * policies that let prlimit64 and sched_setaffinity name another pid. */
TEST(supervisor_threads_fenced)
{
	/* --tcp-connect: connect() is mediated (the probe's connect goes
	 * through the workers). */
	static const char *const policies[][4] = {
		{ "--preset", "minimal", "--tcp-connect=127.0.0.1:9", NULL },
		{ "--preset", "agent", "--tcp-connect=127.0.0.1:9", "--allow=prlimit64" },
	};

	if (!have_binaries() || access(probe_path("poke-workers"), X_OK) < 0) {
		CHECK_MSG(0, "%s is missing (make check builds it)", probe_path("poke-workers"));
		return;
	}
	for (size_t p = 0; p < 2; p++) {
		struct cmd c = { 0 };
		struct run r;
		int threads = 0, procs = 0, through = -1, lthreads = 0, lprocs = 0, lthrough = -1;

		cmd_push_all(&c, ARGV(stockade_bin(), "run", "--isolation", "off"));
		for (int k = 0; k < 4 && policies[p][k]; k++)
			cmd_push(&c, policies[p][k]);
		cmd_push_all(&c, ARGV("--", probe_path("poke-workers")));
		cmd_run(&c, NULL, &r);
		cmd_free(&c);
		CHECK_MSG(r.outcome == 0 && poked(r.out, "main", &threads, &procs, &through) &&
				  poked(r.out, "linger", &lthreads, &lprocs, &lthrough),
			  "%s: poke-workers did not run:\n%s", policies[p][1], r.out);
		/* Workers exist (the connect was mediated), and a linger. */
		CHECK_MSG(threads >= 2 && lprocs >= 1, "%s: no worker or linger process to poke (%d, %d):\n%s",
			  policies[p][1], threads, lprocs, r.out);
		CHECK_MSG(through == 0 && lthrough == 0, "%s: calls on the supervisor's threads got through:\n%s",
			  policies[p][1], r.out);
	}
}

/* SIGKILL to stockade (what a harness's timeout does) kills the command. */
TEST(supervisor_killed_kills_command)
{
	static const char *const modes[] = { "--report", "--audit" };

	if (!have_binaries())
		return;
	for (size_t m = 0; m < 2; m++) {
		pid_t st = spawn(ARGV(stockade_bin(), "run", modes[m], "--preset", "strict", "--", "sleep", "67"));
		pid_t cmd = 0;
		int status;

		for (long t = 0; t < DEADLINE_MS && !cmd; t += 20) {
			cmd = child_named(st, "sleep");
			if (!cmd)
				sleep_ms(20);
		}
		CHECK_MSG(cmd > 0, "%s: the command did not start", modes[m]);
		kill(st, SIGKILL);
		waitpid(st, &status, 0);
		if (cmd > 0) {
			CHECK_MSG(wait_gone(cmd), "%s: the command (pid %d) outlived its supervisor", modes[m],
				  (int)cmd);
			if (!gone(cmd))
				kill(cmd, SIGKILL);
		}
	}
}

/*
 * A descendant that survives its supervisor (it is not the command, so
 * the parent-death signal does not reach it) meets a filter whose listener
 * is gone: the kernel answers ENOSYS and the call does not run.  In audit
 * mode the supervisor would have let it run: closed, not open.
 */
TEST(supervisor_killed_fails_closed)
{
	char dir[4096], script[8192], result[4200];
	pid_t st, cmd = 0;
	int status;
	char *text = NULL;

	if (!have_binaries() || !make_tmpdir(dir, sizeof(dir), NULL, "closed"))
		return;
	snprintf(result, sizeof(result), "%s/result", dir);
	/* The result goes out through a descriptor opened before: after the
	 * supervisor is gone, path-taking calls it observed (audit covers
	 * files) fail closed too. */
	snprintf(script, sizeof(script), "exec 3>\"%s\"; (sleep 1; \"%s\" memfd_create; echo $? >&3) & exec sleep 68 3>&-",
		 result, probe_path("try-syscall"));
	/* A survivor of the supervisor needs no namespaces: with them, the
	 * whole pid namespace dies with stockade (test_isolation.c). */
	st = spawn(ARGV(stockade_bin(), "run", "--isolation", "off", "--audit", "--preset", "strict", "--write", dir,
			"--", "sh", "-c", script));
	for (long t = 0; t < DEADLINE_MS && !cmd; t += 20) {
		cmd = child_named(st, "sleep");
		if (!cmd)
			sleep_ms(20);
	}
	CHECK_MSG(cmd > 0, "the command did not start");
	kill(st, SIGKILL);
	waitpid(st, &status, 0);
	for (long t = 0; t < DEADLINE_MS; t += 50) {
		free(text);
		text = read_file(result);
		if (text && strchr(text, '\n'))
			break;
		sleep_ms(50);
	}
	/* ENOSYS from the call; or 126: with files observed (audit), the
	 * execve of the probe already met the missing listener.  Either is
	 * closed; 0 would be open. */
	CHECK_MSG(text && (atoi(text) == ENOSYS || atoi(text) == 126),
		  "the survivor's denied call got %s, want ENOSYS (%d) or 126 (its exec refused)",
		  text ? text : "(no result)", ENOSYS);
	free(text);
	if (cmd > 0 && !gone(cmd))
		kill(cmd, SIGKILL);
	rm_rf(dir);
}

/* audit and learn: once the command exits, nothing of it keeps running
 * with everything allowed. */
TEST(audit_and_learn_leave_nothing_running)
{
	static const char *const verbs[] = { "audit", "learn" };
	char dir[4096], script[8192], pidfile[4200];

	if (!have_binaries() || !make_tmpdir(dir, sizeof(dir), NULL, "leftover"))
		return;
	snprintf(pidfile, sizeof(pidfile), "%s/pid", dir);
	snprintf(script, sizeof(script), "(sleep 69 & echo $! >\"%s\"; wait) & sleep 0.2; echo done", pidfile);
	for (size_t v = 0; v < 2; v++) {
		struct run r;
		char *text;
		pid_t left;

		unlink(pidfile);
		/* Without namespaces (the pid written is the host's; with
		 * them the pid namespace dies with the command anyway). */
		if (v == 0)
			run_cmd(ARGV(stockade_bin(), "run", "--isolation", "off", "--audit", "--preset", "strict",
				     "--write", dir, "--", "sh", "-c", script),
				&r);
		else
			run_cmd(ARGV(stockade_bin(), "learn", "--isolation", "off", "--base", "agent", "-o",
				     tmp_path("leftover.yaml"), "--", "sh", "-c", script),
				&r);
		CHECK_OUTCOME(&r, 0, verbs[v]);
		text = read_file(pidfile);
		left = text ? (pid_t)atoi(text) : 0;
		free(text);
		CHECK_MSG(left > 0, "%s: no pid written:\n%s", verbs[v], r.out);
		if (left <= 0)
			continue;
		CHECK_MSG(gone(left), "%s: pid %d still runs after stockade returned", verbs[v], (int)left);
		CHECK_STR_CONTAINS(r.out, v == 0 ? "killed, so none keeps audit's permissions" : "killed");
		if (!gone(left))
			kill(left, SIGKILL);
	}
	rm_rf(dir);
}

/* parent_vmhwm_kb=K from deny-storm's output, or -1. */
static long vmhwm(const char *out)
{
	const char *p = strstr(out, "parent_vmhwm_kb=");

	return p ? atol(p + 16) : -1;
}

/* The last line of a file holding `key`, as a number after "key": . */
static long json_count(const char *text, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = text ? strstr(text, "\"event\":\"exit\"") : NULL;
	p = p ? strstr(p, pat) : NULL;
	return p ? atol(p + strlen(pat)) : -1;
}

static long count_lines(const char *text)
{
	long n = 0;

	for (const char *p = text; p && *p; p++)
		n += *p == '\n';
	return n;
}

/*
 * A storm of distinct denials (each call a number no kernel has) is capped:
 * 4096 distinct kept and listed in the JSON, the rest counted; the
 * supervisor's peak memory grows by little between a 500-kind and a
 * 20000-kind storm (it grew ~14 MiB before the cap).  Counts and memory,
 * not time.
 */
TEST(report_storm_bounded)
{
	const char *json = tmp_path("storm.json");
	long small = -1, big = -1;

	if (access(probe_path("deny-storm"), X_OK) < 0 || !have_binaries())
		return;
	for (int k = 0; k < 2; k++) {
		const char *n = k ? "20000" : "500";
		struct run r;
		char *text;

		run_cmd(ARGV(stockade_bin(), "run", "--report", "--report-json", json, "--preset", "strict", "--",
			     probe_path("deny-storm"), "distinct", n),
			&r);
		CHECK_OUTCOME(&r, ENOSYS, "strict --report: deny-storm distinct");
		text = read_file(json);
		CHECK_INT_EQ(json_count(text, "denials"), atol(n));
		/* Numbers nobody can name: one name, 1024 kinds kept. */
		CHECK_INT_EQ(json_count(text, "distinct"), k ? 1024 : 500);
		CHECK_INT_EQ(json_count(text, "not_listed"), k ? 20000 - 1024 : 0);
		CHECK_MSG(count_lines(text) == (k ? 1025 : 501), "%ld JSON lines", count_lines(text));
		/* The text report lists a screenful and counts the rest. */
		CHECK_MSG(count_lines(r.out) < 100, "%ld lines of text report", count_lines(r.out));
		free(text);
		if (k)
			big = vmhwm(r.out);
		else
			small = vmhwm(r.out);
	}
	CHECK_MSG(small > 0 && big > 0, "the supervisor's VmHWM was not readable (%ld, %ld kB)", small, big);
	CHECK_MSG(big - small < 8 * 1024, "the supervisor grew by %ld kB between 500 and 20000 distinct denials",
		  big - small);
}

/* A command cannot hide a denial from the JSON report behind thousands of
 * distinct junk denials of another call (4096 filled the report before):
 * each call keeps at most 64 kinds, and the hidden call is listed, in the
 * JSON and in the text. */
TEST(report_denial_not_hidden_by_junk)
{
	const char *json = tmp_path("hide.json");

	if (!have_binaries() || access(probe_path("hide-denial"), X_OK) < 0) {
		CHECK_MSG(0, "%s is missing (make check builds it)", probe_path("hide-denial"));
		return;
	}
	for (int k = 0; k < 2; k++) {
		const char *n = k ? "5000" : "0";
		struct run r;
		char *text;

		unlink(json);
		run_cmd(ARGV(stockade_bin(), "run", "--report", "--report-json", json, "--preset", "agent", "--",
			     probe_path("hide-denial"), n),
			&r);
		CHECK_MSG(r.outcome == 0 && strstr(r.out, "add_key: Operation not permitted"), "hide-denial %s:\n%s",
			  n, r.out);
		text = read_file(json);
		CHECK_MSG(text && strstr(text, "\"syscall\":\"add_key\""), "hide-denial %s: no add_key event in the JSON",
			  n);
		CHECK_MSG(strstr(r.out, "add_key"), "hide-denial %s: add_key is not in the text report:\n%s", n, r.out);
		if (k)
			CHECK_MSG(json_count(text ?: "", "distinct") <= 65, "%ld distinct kept",
				  json_count(text ?: "", "distinct"));
		free(text);
	}
	unlink(json);
}
