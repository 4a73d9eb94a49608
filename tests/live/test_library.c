/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library's forking entry point, stockade_run(), as an embedder uses it:
 * the command is confined and its denials reach the callback, and the
 * caller's own process is left as it was (its other children are not
 * reaped, its signal mask, subreaper and dumpable flags do not change).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stockade.h"
#include "landlock/landlock.h"
#include "run/mediate.h"
#include "../harness.h"
#include "live_util.h"

static stockade_plan *preset_plan(const char *name)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(p && stockade_policy_add_preset(p, name, NULL) == 0);
	CHECK(p && stockade_plan_build(p, &plan, NULL) == 0);
	stockade_policy_free(p);
	return plan;
}

struct seen {
	unsigned n;
	char syscall[32];
	char action[32];
	char file[64];
	int line, errnum, ran;
};

static void record(const stockade_event *ev, void *data)
{
	struct seen *s = data;
	const char *file = stockade_event_origin(ev, &s->line, NULL);

	if (s->n++)
		return;
	snprintf(s->syscall, sizeof(s->syscall), "%s", stockade_event_syscall(ev) ?: "?");
	snprintf(s->action, sizeof(s->action), "%s", stockade_event_action(ev));
	snprintf(s->file, sizeof(s->file), "%s", file ?: "");
	s->errnum = stockade_event_errno(ev);
	s->ran = stockade_event_ran(ev);
}

/* Report and audit under strict: one event for the denied memfd_create,
 * the errno it got (or that it ran), and the entry that decided. */
TEST(library_run_reports_denials)
{
	stockade_plan *plan = preset_plan("strict");
	char *argv[] = { NULL, "memfd_create", NULL };
	struct stockade_run_options o = STOCKADE_RUN_OPTIONS_INIT;
	struct seen s = { 0 };
	stockade_error *err = NULL;
	char probe[4096];
	int status = -1;

	if (!plan)
		return;
	snprintf(probe, sizeof(probe), "%s", probe_path("try-syscall"));
	argv[0] = probe;
	o.mode = STOCKADE_RUN_REPORT;
	o.on_event = record;
	o.data = &s;
	CHECK_MSG(stockade_run(plan, argv, &o, &status, &err) == 0, "%s", err && err->msg ? err->msg : "");
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == EPERM, "status %#x", status);
	CHECK_INT_EQ(s.n, 1);
	CHECK(!strcmp(s.syscall, "memfd_create") && !strcmp(s.action, "errno:EPERM"));
	CHECK_MSG(!strcmp(s.file, "presets/strict.yaml") && s.line > 0, "%s:%d", s.file, s.line);
	CHECK_INT_EQ(s.errnum, EPERM);
	CHECK(!s.ran);

	memset(&s, 0, sizeof(s));
	o.mode = STOCKADE_RUN_AUDIT;
	CHECK(stockade_run(plan, argv, &o, &status, &err) == 0);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "audit: status %#x", status);
	CHECK_INT_EQ(s.n, 1);
	CHECK(s.ran && s.errnum == 0);

	/* Enforce: no supervisor, no event, the call still fails. */
	memset(&s, 0, sizeof(s));
	o.mode = STOCKADE_RUN_ENFORCE;
	CHECK(stockade_run(plan, argv, &o, &status, &err) == 0);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == EPERM, "enforce: status %#x", status);
	CHECK_INT_EQ(s.n, 0);
	stockade_error_free(err);
	stockade_plan_free(plan);
}

/* A command that cannot be executed: an error with the reason, 127. */
TEST(library_run_not_found)
{
	stockade_plan *plan = preset_plan("agent");
	char *argv[] = { "/nonexistent/stockade-test", NULL };
	struct stockade_run_options o = STOCKADE_RUN_OPTIONS_INIT;
	stockade_error *err = NULL;
	int status = -1;

	for (int mode = STOCKADE_RUN_ENFORCE; plan && mode <= STOCKADE_RUN_REPORT; mode++) {
		o.mode = (enum stockade_run_mode)mode;
		CHECK_INT_EQ(stockade_run(plan, argv, &o, &status, &err), -ENOENT);
		CHECK_MSG(err && err->msg && strstr(err->msg, "No such file"), "mode %d: %s", mode,
			  err && err->msg ? err->msg : "(no message)");
		CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 127, "mode %d: status %#x", mode, status);
		stockade_error_free(err);
		err = NULL;
	}
	stockade_plan_free(plan);
}

/* The caller's process is its own: a child it started before is still its
 * to reap, and its signal mask, subreaper and dumpable flags are unchanged. */
TEST(library_run_leaves_the_caller_alone)
{
	stockade_plan *plan = preset_plan("strict");
	char *argv[] = { NULL, "memfd_create", NULL };
	struct stockade_run_options o = STOCKADE_RUN_OPTIONS_INIT;
	sigset_t before, after;
	int sub_before = -1, sub_after = -1, dump_before, dump_after, status;
	char probe[4096];
	pid_t other;

	if (!plan)
		return;
	snprintf(probe, sizeof(probe), "%s", probe_path("try-syscall"));
	argv[0] = probe;
	other = fork();
	if (other == 0) {
		pause();
		_exit(0);
	}
	CHECK(other > 0);
	/* (the kernel fills only its part of a sigset_t) */
	sigemptyset(&before);
	sigemptyset(&after);
	sigprocmask(SIG_SETMASK, NULL, &before);
	prctl(PR_GET_CHILD_SUBREAPER, &sub_before, 0, 0, 0);
	dump_before = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	for (int mode = STOCKADE_RUN_ENFORCE; mode <= STOCKADE_RUN_AUDIT; mode++) {
		o.mode = (enum stockade_run_mode)mode;
		CHECK(stockade_run(plan, argv, &o, &status, NULL) == 0);
	}
	sigprocmask(SIG_SETMASK, NULL, &after);
	prctl(PR_GET_CHILD_SUBREAPER, &sub_after, 0, 0, 0);
	dump_after = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	for (int sig = 1; sig < 65; sig++)
		CHECK_MSG(sigismember(&before, sig) == sigismember(&after, sig), "signal %d: blocked %d before, %d after", sig,
			  sigismember(&before, sig), sigismember(&after, sig));
	CHECK_INT_EQ(sub_after, sub_before);
	CHECK_INT_EQ(dump_after, dump_before);
	/* Still running, and still ours. */
	CHECK_MSG(other > 0 && waitpid(other, &status, WNOHANG) == 0, "the caller's other child was reaped");
	if (other > 0) {
		kill(other, SIGKILL);
		CHECK(waitpid(other, &status, 0) == other && WIFSIGNALED(status));
	}
	stockade_plan_free(plan);
}

/* What a plan decides, through the public header. */
TEST(library_decide)
{
	stockade_plan *plan = preset_plan("agent");
	const uint64_t newuser[6] = { 0x10000000 };
	stockade_decision *d = NULL;
	stockade_error *err = NULL;
	int line = 0;

	if (!plan)
		return;
	CHECK(stockade_plan_decide(plan, 0, "unshare", newuser, &d, &err) == 0);
	CHECK(d && !strcmp(stockade_decision_action(d), "errno:EPERM") && stockade_decision_errno(d) == EPERM);
	CHECK(d && !strcmp(stockade_decision_origin(d, &line, NULL) ?: "", "presets/agent.yaml") && line > 0);
	CHECK(d && stockade_decision_filter_agrees(d));
	stockade_decision_free(d);
	d = NULL;
	CHECK(stockade_plan_decide(plan, 0, "getpid", NULL, &d, &err) == 0);
	/* agent's default_action decides it. */
	CHECK(d && !strcmp(stockade_decision_action(d), "allow") && stockade_decision_errno(d) == 0);
	CHECK(d && !strcmp(stockade_decision_origin(d, NULL, NULL) ?: "", "presets/agent.yaml"));
	stockade_decision_free(d);
	d = NULL;
	CHECK_INT_EQ(stockade_plan_decide(plan, 0, "getpidd", NULL, &d, &err), -ENOENT);
	CHECK(err && strstr(err->msg, "did you mean `getpid`"));
	stockade_error_free(err);
	stockade_plan_free(plan);
}

/* A program's status is what stockade_plan_status() works out, layer by
 * layer; the filter is always fully enforced. */
TEST(library_program_status)
{
	stockade_plan *plan = preset_plan("agent");
	stockade_program *prog = NULL;
	stockade_status *st = NULL;
	const stockade_status *ps;

	if (!plan)
		return;
	CHECK(stockade_program_new(plan, &prog, NULL) == 0);
	CHECK(stockade_plan_status(plan, &st, NULL) == 0);
	ps = prog ? stockade_program_status(prog) : NULL;
	CHECK(ps && st);
	CHECK(ps && stockade_status_level(ps, STOCKADE_LAYER_SECCOMP) == STOCKADE_LEVEL_FULL);
	for (int layer = STOCKADE_LAYER_SECCOMP; ps && st && layer <= STOCKADE_LAYER_SCOPE; layer++) {
		CHECK_MSG(stockade_status_level(ps, (enum stockade_layer)layer) ==
				  stockade_status_level(st, (enum stockade_layer)layer),
			  "layer %d", layer);
		CHECK_MSG(stockade_status_gaps(ps, (enum stockade_layer)layer) ==
				  stockade_status_gaps(st, (enum stockade_layer)layer),
			  "layer %d", layer);
	}
	stockade_status_free(st);
	stockade_program_free(prog);
	stockade_plan_free(plan);
}

/* A caller that ignores SIGCHLD (daemons, some Python harnesses) still gets
 * the command's status from a supervised run, and does not hang. */
TEST(library_run_with_sigchld_ignored)
{
	stockade_plan *plan = preset_plan("agent");
	char *argv[] = { "sh", "-c", "exit 7", NULL };
	struct stockade_run_options o = STOCKADE_RUN_OPTIONS_INIT;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	stockade_error *err = NULL;
	int status = -1;

	if (!plan)
		return;
	/* The plain path: no supervisor even where a host daemon's socket
	 * would have one mediate (run/mediate.h); it would keep the status. */
	sk_unix_mediation_force(0);
	sigaction(SIGCHLD, &ign, &old);
	alarm(60); /* a hang fails the tier instead of stalling it */
	o.mode = STOCKADE_RUN_REPORT;
	CHECK_MSG(stockade_run(plan, argv, &o, &status, &err) == 0, "%s", err && err->msg ? err->msg : "");
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 7, "status %#x", status);
	stockade_error_free(err);
	err = NULL;
	/* Enforce mode: with a supervisor (something mediated here, e.g. a
	 * host daemon's socket exists) the status comes over its channel;
	 * with the command exec'd in the child, it cannot know: it says so. */
	o.mode = STOCKADE_RUN_ENFORCE;
	status = -1;
	int got = stockade_run(plan, argv, &o, &status, &err);
	if (got == 0)
		CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 7, "enforce: status %#x", status);
	else {
		CHECK_INT_EQ(got, -ECHILD);
		CHECK(err && strstr(err->msg, "ignores SIGCHLD"));
	}
	alarm(0);
	sigaction(SIGCHLD, &old, NULL);
	sk_unix_mediation_force(-1);
	stockade_error_free(err);
	stockade_plan_free(plan);
}

/* The event channel cannot be written by the command: without Landlock (as
 * on a kernel that lacks it) a confined process of the same user can open a
 * pipe of the caller through /proc/PID/fd and forge records; the channel is
 * a socket, which open() refuses.  The command tries every pipe and socket
 * the caller (its supervisor's parent) opened for the run: those it had
 * before are passed in to be left alone. */
TEST(library_run_channel_not_writable_by_the_command)
{
	stockade_plan *plan = preset_plan("minimal");
	char before[1024] = " ", script[2048];
	char *argv[] = { "sh", "-c", script, NULL };
	struct stockade_run_options o = STOCKADE_RUN_OPTIONS_INIT;
	stockade_error *err = NULL;
	struct dirent *d;
	DIR *dir;
	int status = -1;

	if (!plan)
		return;
	dir = opendir("/proc/self/fd");
	CHECK(dir != NULL);
	while (dir && (d = readdir(dir)))
		if (d->d_name[0] != '.' && strlen(before) + strlen(d->d_name) + 2 < sizeof(before))
			strcat(strcat(before, d->d_name), " ");
	if (dir)
		closedir(dir);
	snprintf(script, sizeof(script),
		 "caller=$(cut -d' ' -f4 /proc/$PPID/stat); "
		 "for f in /proc/$caller/fd/*; do case '%s' in *\" ${f##*/} \"*) continue;; esac; "
		 "case $(readlink $f) in pipe:*|socket:*) if (printf x >$f) 2>/dev/null; then exit 3; fi;; esac; "
		 "done; exit 0",
		 before);
	sk_landlock_set_abi_override(0);
	o.mode = STOCKADE_RUN_REPORT;
	CHECK_MSG(stockade_run(plan, argv, &o, &status, &err) == 0, "%s", err && err->msg ? err->msg : "");
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "status %#x (3: the command wrote into the caller's event channel)", status);
	sk_landlock_set_abi_override(-1);
	stockade_error_free(err);
	stockade_plan_free(plan);
}
