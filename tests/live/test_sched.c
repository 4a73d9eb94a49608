/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, the scheduler and limit family (presets/agent.yaml, "only the
 * caller itself"): an outside process of the same user, started by the
 * test, cannot have its limits (RLIMIT_CORE, RLIMIT_CPU), niceness, CPU
 * affinity, scheduling policy or I/O priority changed from inside agent or
 * strict, while the command can still change its own (ulimit, nice,
 * taskset, ionice, chrt and prlimit running a command).
 *
 * Each row starts its own victim, runs the util-linux command under
 * stockade and checks that nothing of the victim changed; then runs the
 * same command unconfined and checks that it does change the victim, so
 * that the row can fail (a row whose command cannot act here even
 * unconfined is a note, not a pass).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandboxed.h"

#define IOPRIO_WHO_PROCESS 1

/* Everything the rows may change about pid, as one comparable text: its
 * limits, nice value (stat field 19), policy (field 41), affinity and I/O
 * priority.  NULL if it cannot be read. */
static char *summary(pid_t pid)
{
	char path[64], *limits, *stat, *status, *out = NULL, nice[32] = "?", policy[32] = "?";
	const char *cpus, *p;
	long ioprio;
	size_t size;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	limits = read_file(path);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	stat = read_file(path);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	status = read_file(path);
	ioprio = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, (int)pid);
	if (limits && stat && status && (p = strrchr(stat, ')'))) {
		/* Field 3 follows the command name's closing parenthesis. */
		p += 2;
		for (int field = 3; *p && field <= 41; field++) {
			size_t n = strcspn(p, " \n");

			if (field == 19)
				snprintf(nice, sizeof(nice), "%.*s", (int)n, p);
			if (field == 41)
				snprintf(policy, sizeof(policy), "%.*s", (int)n, p);
			p += n + (p[n] == ' ');
		}
		cpus = strstr(status, "Cpus_allowed_list:");
		size = strlen(limits) + 256;
		out = malloc(size);
		if (out)
			snprintf(out, size, "%snice %s policy %s\n%.*s\nioprio %ld\n", limits, nice, policy,
				 cpus ? (int)strcspn(cpus, "\n") : 0, cpus ? cpus : "", ioprio);
	}
	free(limits);
	free(stat);
	free(status);
	return out;
}

static pid_t start_victim(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execle("/bin/sleep", "sleep", "60", (char *)NULL, (char *const[]){ "MARKER=sched-victim", NULL });
		_exit(127);
	}
	usleep(50000);
	return pid;
}

static void stop_victim(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

struct act {
	const char *what;
	const char *argv[8]; /* "PID" is replaced by the victim's pid */
};

static const struct act acts[] = {
	{ "prlimit RLIMIT_CORE", { "prlimit", "--pid", "PID", "--core=4242:4242", NULL } },
	{ "prlimit RLIMIT_CPU", { "prlimit", "--pid", "PID", "--cpu=4242:4242", NULL } },
	{ "renice", { "renice", "-n", "7", "-p", "PID", NULL } },
	{ "taskset", { "taskset", "-p", "1", "PID", NULL } },
	{ "chrt SCHED_BATCH", { "chrt", "-b", "-p", "0", "PID", NULL } },
	{ "ionice idle class", { "ionice", "-c", "3", "-p", "PID", NULL } },
};

static int run_act(const struct act *a, pid_t pid, const char *const *opts, struct run *r)
{
	const char *argv[8] = { 0 };
	char pidbuf[16];

	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	for (size_t i = 0; i < 7 && a->argv[i]; i++)
		argv[i] = strcmp(a->argv[i], "PID") ? a->argv[i] : pidbuf;
	return opts ? cli_run(opts, argv, r) : run_cmd(argv, r);
}

static void outside_untouched(const char *preset, const char *isolation)
{
	const char *const opts[] = { "--preset", preset, "--isolation", isolation, NULL };
	int meaningful = 0;

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		pid_t pid = start_victim();
		char *before = pid > 0 ? summary(pid) : NULL, *after = NULL, *unconfined = NULL;
		struct run r;

		CHECK(pid > 0 && before);
		if (!before) {
			stop_victim(pid);
			continue;
		}
		run_act(&acts[i], pid, opts, &r);
		after = summary(pid);
		CHECK_MSG(r.outcome != 0, "%s, isolation %s: %s on an outside process succeeded: %s", preset, isolation,
			  acts[i].what, r.out);
		CHECK_MSG(after && !strcmp(before, after), "%s, isolation %s: %s changed the outside process:\n%s\n---\n%s",
			  preset, isolation, acts[i].what, before, after ? after : "(gone)");
		/* The same command unconfined does change it: the row can fail. */
		if (run_act(&acts[i], pid, NULL, &r) == 0 && (unconfined = summary(pid)) && strcmp(before, unconfined))
			meaningful++;
		else
			printf("  note: %s: %s does not change the victim unconfined either here (exit %d)\n", preset,
			       acts[i].what, r.outcome);
		free(before);
		free(after);
		free(unconfined);
		stop_victim(pid);
	}
	CHECK_MSG(meaningful >= 3, "%s: only %d of the rows could be checked against an unconfined run", preset,
		  meaningful);
}

/* isolation off: the filter alone (an unprivileged container, or a policy
 * that turns namespaces off); auto: also a pid namespace where one can be
 * made, in which the victim's pid names nothing. */
TEST(sched_outside_process_untouched_agent)
{
	if (!have_binaries())
		return;
	outside_untouched("agent", "off");
	outside_untouched("agent", "auto");
}

TEST(sched_outside_process_untouched_strict)
{
	if (!have_binaries())
		return;
	outside_untouched("strict", "off");
	outside_untouched("strict", "auto");
}

/* What real tools do to themselves keeps working: every call passes 0. */
static const char self_script[] = "ulimit -c 0 && ulimit -t 100000 && nice -n 5 true && taskset -c 0 true && "
				  "ionice -c 3 true && chrt -b 0 true && prlimit --core=0 --cpu=100000 true && "
				  "test \"$(nice -n 3 nice)\" -ge 3";

TEST(sched_command_changes_itself)
{
	struct run r;

	if (!have_binaries())
		return;
	if (run_cmd(OPTS("/bin/sh", "-c", self_script), &r) != 0)
		SKIP("the util-linux commands fail unconfined here");
	cli_run(OPTS("--preset", "agent", "--isolation", "off"), OPTS("/bin/sh", "-c", self_script), &r);
	CHECK_OUTCOME(&r, 0, "agent, isolation off: ulimit, nice, taskset, ionice, chrt, prlimit on itself");
	cli_run(OPTS("--preset", "strict", "--isolation", "off"), OPTS("/bin/sh", "-c", self_script), &r);
	CHECK_OUTCOME(&r, 0, "strict, isolation off: ulimit, nice, taskset, ionice, chrt, prlimit on itself");
	cli_run(OPTS("--preset", "agent"), OPTS("/bin/sh", "-c", self_script), &r);
	CHECK_OUTCOME(&r, 0, "agent: ulimit, nice, taskset, ionice, chrt, prlimit on itself");
}

/* A pid, even the caller's own, is refused: the filter cannot know it. */
TEST(sched_explicit_own_pid_is_refused)
{
	struct run r;

	if (!have_binaries())
		return;
	cli_run(OPTS("--preset", "agent", "--isolation", "off"), OPTS("/bin/sh", "-c", "exec renice -n 2 -p $$"), &r);
	CHECK_MSG(r.outcome != 0 && strstr(r.out, "not permitted"), "agent: renice -p $$: %s", r.out);
}

/*
 * setpriority(PRIO_PGRP, 0) and ioprio_set(IOPRIO_WHO_PGRP, 0) name the
 * caller's own process group, which holds whoever started stockade in the
 * same group (a harness run with `setsid`, the supervisor): refused.  The
 * victim shares the group run_cmd() gives the run, so the unconfined row
 * touches nothing but the victim and the shell itself.  (The PRIO_USER
 * form reaches every process of the uid: asserted through explain, never
 * tried unconfined.)
 */
/* The niceness and I/O priority lines of summary(pid), or NULL. */
static char *nice_and_ioprio(pid_t pid)
{
	char *all = summary(pid), *out = NULL;
	const char *n = all ? strstr(all, "\nnice ") : NULL, *io = all ? strstr(all, "\nioprio ") : NULL;

	if (n && io && asprintf(&out, "%.*s / %.*s", (int)strcspn(n + 6, " \n") + 5, n + 1,
				(int)strcspn(io + 1, "\n"), io + 1) < 0)
		out = NULL;
	free(all);
	return out;
}

static void group_form_refused(const char *preset, const char *isolation)
{
	static const char *const cmds[] = { "renice -n 7 -g 0", "ionice -c 3 -P 0" };
	const char *pidfile = tmp_path("sched-group-victim");
	char *mine = nice_and_ioprio(getpid());

	CHECK(mine != NULL);
	for (size_t i = 0; mine && i < 2; i++) {
		for (int confined = 1; confined >= 0; confined--) {
			char script[512], *text, *victim;
			struct run r;
			pid_t pid;

			/* The victim inherits the test's niceness and I/O priority. */
			snprintf(script, sizeof(script),
				 "sleep 60 </dev/null >/dev/null 2>&1 & echo $! > %s; sleep 0.05; exec %s%s%s%s%s%s",
				 pidfile, confined ? "\"$0\" run --preset " : "", confined ? preset : "",
				 confined ? " --isolation " : "", confined ? isolation : "", confined ? " -- " : "", cmds[i]);
			run_cmd(OPTS("/bin/sh", "-c", script, stockade_bin()), &r);
			text = read_file(pidfile);
			pid = text ? (pid_t)atoi(text) : 0;
			free(text);
			CHECK_MSG(pid > 0, "`%s`: no victim started: %s", cmds[i], r.out);
			if (pid <= 0)
				break;
			victim = nice_and_ioprio(pid);
			if (confined) {
				CHECK_MSG(r.outcome != 0, "%s, isolation %s: `%s` succeeded: %s", preset, isolation,
					  cmds[i], r.out);
				CHECK_MSG(victim && !strcmp(victim, mine),
					  "%s, isolation %s: `%s` changed a process of its group: %s, was %s", preset,
					  isolation, cmds[i], victim ? victim : "(gone)", mine);
			} else if (r.outcome != 0 || !victim || !strcmp(victim, mine)) {
				/* The same command unconfined must change it, or the row proves nothing. */
				CHECK_MSG(false, "`%s` unconfined did not change its group (exit %d, %s): %s", cmds[i],
					  r.outcome, victim ? victim : "(gone)", r.out);
			}
			free(victim);
			stop_victim(pid);
		}
	}
	free(mine);
}

TEST(sched_own_process_group_untouched)
{
	if (!have_binaries())
		return;
	group_form_refused("agent", "off");
	group_form_refused("strict", "off");
	group_form_refused("agent", "auto");
}

/*
 * A policy may allow the group form (as `--report`'s fix for a refused
 * `renice -g 0` writes it): then the caller's group is the policy's to
 * renice, but not the supervisor in it, which the fence keeps out of reach
 * whenever one runs (a mediated connect here).  As root the kernel already
 * refuses it (a process with fewer capabilities may not renice one with
 * more, cap_task_setnice): meaningful as the unprivileged user.
 */
TEST(sched_group_form_allowed_spares_the_supervisor)
{
	const char *pol = write_tmp("sched-group.yaml",
				    "version: 1\nextends: agent\nseccomp:\n  rules:\n"
				    "    - {syscall: setpriority, args: [\"arg0 == PRIO_PGRP\", \"arg1 == 0\"], action: allow}\n",
				    0644);
	const char *pidfile = tmp_path("sched-group-victim");
	char *mine = nice_and_ioprio(getpid());

	if (!have_binaries() || !mine) {
		free(mine);
		return;
	}
	for (int mediated = 1; mediated >= 0; mediated--) {
		char script[768], *text, *victim;
		struct run r;
		pid_t pid;

		snprintf(script, sizeof(script),
			 "sleep 60 </dev/null >/dev/null 2>&1 & echo $! > %s; sleep 0.05; "
			 "exec \"$0\" run --verbose --policy %s --isolation off %s -- renice -n 7 -g 0",
			 pidfile, pol, mediated ? "--tcp-connect=127.0.0.1:9" : "");
		run_cmd(OPTS("/bin/sh", "-c", script, stockade_bin()), &r);
		text = read_file(pidfile);
		pid = text ? (pid_t)atoi(text) : 0;
		free(text);
		CHECK_MSG(pid > 0, "no victim started: %s", r.out);
		if (pid <= 0)
			break;
		victim = nice_and_ioprio(pid);
		/* A listening socket elsewhere on this machine (another test's,
		 * a daemon's) makes the plain case mediated too: the fence
		 * then holds, as under --tcp-connect. */
		if (!mediated && strstr(r.out, "supervisor    decides"))
			printf("  note: the unmediated case ran supervised here (a host socket listens)\n");
		if (mediated || strstr(r.out, "supervisor    decides"))
			CHECK_MSG(r.outcome != 0 && victim && !strcmp(victim, mine),
				  "under a supervisor, the group form reached the group (exit %d, %s, was %s): %s",
				  r.outcome, victim ? victim : "(gone)", mine, r.out);
		else if (getuid() != 0)
			CHECK_MSG(r.outcome == 0 && victim && strcmp(victim, mine),
				  "without a supervisor, the policy's allowed group form did not act (exit %d, %s): %s",
				  r.outcome, victim ? victim : "(gone)", r.out);
		free(victim);
		stop_victim(pid);
	}
	free(mine);
}

/* --verbose and doctor say what the filter closes of the calls that act on
 * other processes, and when it does not. */
TEST(sched_verbose_says_what_is_closed)
{
	struct run r;

	if (!have_binaries())
		return;
	cli_run(OPTS("--preset", "agent", "--isolation", "off", "--verbose"), OPTS("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "agent --verbose");
	CHECK_MSG(strstr(r.out, "  outside       partly closed: limits, priorities, affinity, scheduling and I/O "
				"priority of other processes closed by seccomp"),
		  "agent: %s", r.out);
	/* What stays open without namespaces is said, not hidden. */
	CHECK_MSG(strstr(r.out, "other terminals in /dev/pts stay openable") &&
			  strstr(r.out, "datagrams sent to them (sendto, sendmsg) are not mediated"),
		  "agent: %s", r.out);
	cli_run(OPTS("--preset", "minimal", "--isolation", "off", "--verbose"), OPTS("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "minimal --verbose");
	CHECK_MSG(strstr(r.out, "  outside       open: the filter lets prlimit64, setpriority"), "minimal: %s", r.out);
}
