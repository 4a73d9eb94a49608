/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: denials that explain themselves.  `stockade run --report`,
 * `--report-json`, `--audit` and `stockade learn`, driven through the real
 * CLI against the probes (tests/probes/deny-storm.c, try-syscall.c).
 *
 * What is checked: the report's count, rule and fix for a call denied many
 * times in several processes (and that the fix works when re-run); that the
 * JSON has every event and the program's errno is the same with and without
 * the supervisor; that audit mode lets everything through and reports it;
 * that a learned policy runs the workload it was learned from and nothing
 * more; and that the supervisor neither hangs nor leaks processes when the
 * confined tree forks, execs and dies by SIGKILL.  Runs as root and as
 * nobody (tiers live and live-unpriv).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../harness.h"

#define SIGNALLED(s) (1000 + (s))
#define RUN_ERROR (-1)
#define RUN_TIMEOUT (-2)
#define TIMEOUT_MS 60000
#define OUT_MAX 65536
#define STOCKADE_FAILED 125

struct result {
	int outcome; /* exit status, SIGNALLED(sig), RUN_ERROR or RUN_TIMEOUT */
	long ms;     /* how long it took */
	char out[OUT_MAX];
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Run argv (NULL-terminated) with stdout+stderr captured; `kill_after_ms`
 * > 0 sends SIGTERM to it after that long. */
static void run_ex(const char *const *argv, struct result *r, long kill_after_ms)
{
	struct rlimit nocore = { 0, 0 };
	long start = now_ms(), deadline = start + TIMEOUT_MS;
	size_t used = 0;
	int pipefd[2], status;
	bool killed = false;
	pid_t pid;

	r->outcome = RUN_ERROR;
	r->out[0] = '\0';
	r->ms = 0;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		if (null >= 0)
			dup2(null, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		setrlimit(RLIMIT_CORE, &nocore);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		fprintf(stderr, "test-live: cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(120);
	}
	close(pipefd[1]);
	for (;;) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		long left = deadline - now_ms();
		char sink[512];
		ssize_t got;
		int ready;

		if (kill_after_ms > 0 && !killed && now_ms() - start >= kill_after_ms) {
			kill(pid, SIGTERM);
			killed = true;
		}
		if (left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(pipefd[0]);
			r->outcome = RUN_TIMEOUT;
			return;
		}
		ready = poll(&p, 1, (int)(left > 50 ? 50 : left));
		if (ready < 0 && errno != EINTR)
			break;
		if (ready <= 0)
			continue;
		if (used + 1 < sizeof(r->out))
			got = read(pipefd[0], r->out + used, sizeof(r->out) - used - 1);
		else
			got = read(pipefd[0], sink, sizeof(sink));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (used + 1 < sizeof(r->out))
			used += (size_t)got;
		r->out[used] = '\0';
	}
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return;
	r->ms = now_ms() - start;
	if (WIFEXITED(status))
		r->outcome = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->outcome = SIGNALLED(WTERMSIG(status));
}

static void run(const char *const *argv, struct result *r)
{
	run_ex(argv, r, 0);
}

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const char *stockade(void)
{
	const char *s = getenv("STOCKADE");

	return s && *s ? s : "build/stockade";
}

static const char *probe(const char *name)
{
	static char buf[4][4096 + 256];
	static int which;
	const char *dir = getenv("PROBES");
	char abs[4096];

	/* Absolute: scripts cd before they run a probe. */
	if (!realpath(dir && *dir ? dir : "build/probes", abs))
		snprintf(abs, sizeof(abs), "%s", dir && *dir ? dir : "build/probes");
	which = (which + 1) % 4;
	snprintf(buf[which], sizeof(buf[which]), "%s/%s", abs, name);
	return buf[which];
}

static bool have_binaries(void)
{
	if (access(stockade(), X_OK) < 0 || access(probe("deny-storm"), X_OK) < 0 ||
	    access(probe("try-syscall"), X_OK) < 0) {
		CHECK_MSG(0, "%s, %s or %s is missing (make check builds them)", stockade(), probe("deny-storm"),
			  probe("try-syscall"));
		return false;
	}
	return true;
}

static void show(const struct result *r)
{
	fprintf(stderr, "    outcome %d after %ld ms; output:\n%s\n", r->outcome, r->ms, r->out);
}

#define CHECK_OUTCOME(r, want, what)                                                                           \
	do {                                                                                                   \
		CHECK_MSG((r)->outcome == (want), "%s: got %d, want %d", what, (r)->outcome, (want));           \
		if ((r)->outcome != (want))                                                                    \
			show(r);                                                                               \
	} while (0)

/* ---- temporary files ---- */

static char tmpdir[4096];

static void rm_rf(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path))) {
		while ((e = readdir(d))) {
			char sub[8192];

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_rf(sub);
		}
		closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static void cleanup_tmp(void)
{
	if (tmpdir[0])
		rm_rf(tmpdir);
}

/* A fresh path under our private temporary directory. */
static const char *tmp_path(const char *name)
{
	static char buf[8][8192];
	static int which;

	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR");

		snprintf(tmpdir, sizeof(tmpdir), "%s/stockade-report.XXXXXX", base && *base ? base : "/tmp");
		if (!mkdtemp(tmpdir)) {
			fprintf(stderr, "test-live: mkdtemp %s: %s\n", tmpdir, strerror(errno));
			exit(2);
		}
		atexit(cleanup_tmp);
	}
	which = (which + 1) % 8;
	snprintf(buf[which], sizeof(buf[which]), "%s/%s", tmpdir, name);
	rm_rf(buf[which]);
	return buf[which];
}

static const char *write_tmp(const char *name, const char *text)
{
	const char *path = tmp_path(name);
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "test-live: write %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return path;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* The report lines about `syscall` ("stockade:   NAME..."), counted; the
 * first is copied to line. */
static int report_lines(const char *out, const char *syscall, char *line, size_t size)
{
	char prefix[128];
	int n = 0;

	snprintf(prefix, sizeof(prefix), "stockade:   %s", syscall);
	line[0] = '\0';
	for (const char *p = out; p && *p;) {
		const char *end = strchrnul(p, '\n');

		if ((size_t)(end - p) >= strlen(prefix) && !strncmp(p, prefix, strlen(prefix)) &&
		    (p[strlen(prefix)] == ' ' || p[strlen(prefix)] == '(')) {
			if (!n++)
				snprintf(line, size, "%.*s", (int)(end - p), p);
		}
		p = *end ? end + 1 : end;
	}
	return n;
}

/* ---- the report ---- */

/* memfd_create is denied by strict and allowed unconfined. */
TEST(report_counts_denials_across_children)
{
	char line[4096], fix[512];
	const char *f;
	struct result r;

	if (!have_binaries())
		return;
	run(ARGV(probe("deny-storm"), "calls", "4", "40", "memfd_create"), &r);
	if (r.outcome != 0)
		SKIP("memfd_create does not work unconfined here");

	/* Enforced without the supervisor: the errno the program sees. */
	run(ARGV(stockade(), "run", "--preset", "strict", "--", probe("deny-storm"), "calls", "4", "40",
		 "memfd_create"),
	    &r);
	CHECK_OUTCOME(&r, EPERM, "strict, no report");

	run(ARGV(stockade(), "run", "--report", "--preset", "strict", "--", probe("deny-storm"), "calls", "4", "40",
		 "memfd_create"),
	    &r);
	CHECK_OUTCOME(&r, EPERM, "strict --report: the same errno");
	CHECK_INT_EQ(report_lines(r.out, "memfd_create", line, sizeof(line)), 1);
	CHECK_STR_CONTAINS(line, " x40 ");
	CHECK_STR_CONTAINS(line, "(4 processes)");
	CHECK_STR_CONTAINS(line, ": EPERM from deny memfd_create at preset:strict:");
	CHECK_STR_CONTAINS(line, "; fix: --allow memfd_create");
	CHECK_STR_CONTAINS(r.out, "policy strict denied 40 calls (1 distinct)");
	if (report_lines(r.out, "memfd_create", line, sizeof(line)) != 1)
		show(&r);

	/* The fix, as printed, makes the program work. */
	f = strstr(line, "; fix: ");
	if (!f)
		return;
	snprintf(fix, sizeof(fix), "%s", f + 7);
	CHECK(!strncmp(fix, "--allow ", 8));
	run(ARGV(stockade(), "run", "--report", "--preset", "strict", "--allow", fix + 8, "--", probe("deny-storm"),
		 "calls", "4", "40", "memfd_create"),
	    &r);
	CHECK_OUTCOME(&r, 0, "strict with the fix");
	CHECK_STR_CONTAINS(r.out, "report: no call was denied by policy strict");
}

/* A denial decided by an argument rule: the fix is a rule with the exact
 * value (under the rule's 32-bit mask), and it works. */
TEST(report_rule_fix_works)
{
	char line[4096], policy[4096];
	const char *rule, *end, *pol;
	struct result r, base;

	if (!have_binaries())
		return;
	/* ioctl(-1, TIOCSTI): EBADF when allowed, EPERM from agent's rule. */
	run(ARGV(probe("try-syscall"), "ioctl", "TIOCSTI"), &base);
	if (base.outcome == EPERM || base.outcome >= SIGNALLED(0) || base.outcome < 0)
		SKIP("ioctl(TIOCSTI) cannot be told from a denial here");
	run(ARGV(stockade(), "run", "--report", "--preset", "agent", "--", probe("try-syscall"), "ioctl", "TIOCSTI"),
	    &r);
	CHECK_OUTCOME(&r, EPERM, "agent --report: ioctl(TIOCSTI)");
	CHECK_INT_EQ(report_lines(r.out, "ioctl", line, sizeof(line)), 1);
	CHECK_STR_CONTAINS(line, "ioctl(TIOCSTI) x1 by try-syscall (pid ");
	CHECK_STR_CONTAINS(line, ": EPERM from rule at preset:agent:");
	CHECK_STR_CONTAINS(line, "(TIOCSTI types into the controlling terminal");
	CHECK_STR_CONTAINS(line, "fix: in a policy extending agent, add the rule {syscall: ioctl, args: [\"arg1 & "
				 "0xffffffff == TIOCSTI\"], action: allow}");
	rule = strstr(line, "{syscall:");
	end = rule ? strrchr(rule, '}') : NULL;
	if (!end) {
		show(&r);
		return;
	}
	snprintf(policy, sizeof(policy), "version: 1\nextends: agent\nseccomp:\n  rules:\n    - %.*s\n",
		 (int)(end + 1 - rule), rule);
	pol = write_tmp("rule-fix.yaml", policy);
	run(ARGV(stockade(), "run", "--report", "--policy", pol, "--", probe("try-syscall"), "ioctl", "TIOCSTI"), &r);
	CHECK_OUTCOME(&r, base.outcome, "agent + the suggested rule: ioctl(TIOCSTI)");
	/* Exactly that value: the other terminal injection stays denied. */
	run(ARGV(stockade(), "run", "--policy", pol, "--", probe("try-syscall"), "ioctl", "TIOCLINUX"), &r);
	CHECK_OUTCOME(&r, EPERM, "agent + the suggested rule: ioctl(TIOCLINUX)");
}

/* The network mode decides before the seccomp rules: the fix says --net. */
TEST(report_network_fix_works)
{
	char line[4096];
	struct result r, base;

	if (!have_binaries())
		return;
	run(ARGV(probe("try-syscall"), "socket", "AF_INET", "SOCK_STREAM"), &base);
	if (base.outcome == EACCES || base.outcome >= SIGNALLED(0) || base.outcome < 0)
		SKIP("socket(AF_INET) cannot be told from a denial here");
	run(ARGV(stockade(), "run", "--report", "--preset", "agent", "--", probe("try-syscall"), "socket", "AF_INET",
		 "SOCK_STREAM"),
	    &r);
	if (r.outcome == base.outcome)
		SKIP("agent allows the network here");
	CHECK_INT_EQ(report_lines(r.out, "socket", line, sizeof(line)), 1);
	CHECK_STR_CONTAINS(line, "socket(AF_INET, SOCK_STREAM) x1 by try-syscall");
	CHECK_STR_CONTAINS(line, "; fix: --net full");
	run(ARGV(stockade(), "run", "--report", "--preset", "agent", "--net", "full", "--", probe("try-syscall"),
		 "socket", "AF_INET", "SOCK_STREAM"),
	    &r);
	CHECK_OUTCOME(&r, base.outcome, "agent --net full: socket(AF_INET)");
}

static json_t *load_lines(const char *path, size_t *n)
{
	json_t *all = json_array();
	char *text = read_all(path), *save = NULL;

	*n = 0;
	if (!text)
		return all;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		json_error_t e;
		json_t *o = json_loads(l, 0, &e);

		CHECK_MSG(o && json_is_object(o), "JSON line does not parse: %s (%s)", l, e.text);
		if (o)
			json_array_append_new(all, o);
		(*n)++;
	}
	free(text);
	return all;
}

TEST(report_json_has_every_event)
{
	const char *json = tmp_path("events.json");
	struct result r;
	json_t *all, *last;
	size_t n, denials = 0, i;
	pid_t pids[64];
	size_t npids = 0;
	json_t *o;

	if (!have_binaries())
		return;
	run(ARGV(probe("deny-storm"), "calls", "4", "40", "memfd_create"), &r);
	if (r.outcome != 0)
		SKIP("memfd_create does not work unconfined here");
	run(ARGV(stockade(), "run", "--report-json", json, "--preset", "strict", "--", probe("deny-storm"), "calls",
		 "4", "40", "memfd_create"),
	    &r);
	CHECK_OUTCOME(&r, EPERM, "strict --report-json");
	all = load_lines(json, &n);
	json_array_foreach(all, i, o)
	{
		const char *ev = json_string_value(json_object_get(o, "event"));
		json_t *rule = json_object_get(o, "rule");
		pid_t pid;
		bool seen = false;

		if (!ev || strcmp(ev, "denial"))
			continue;
		denials++;
		CHECK_MSG(!strcmp(json_string_value(json_object_get(o, "syscall")) ?: "", "memfd_create"),
			  "event %zu: syscall", i);
		CHECK_INT_EQ(json_integer_value(json_object_get(o, "errno")), EPERM);
		CHECK(json_is_true(json_object_get(o, "enforced")));
		CHECK(!strcmp(json_string_value(json_object_get(o, "action")) ?: "", "errno:EPERM"));
		CHECK(!strcmp(json_string_value(json_object_get(o, "comm")) ?: "", "deny-storm"));
		CHECK(json_string_value(json_object_get(o, "arch")) != NULL);
		CHECK(json_string_value(json_object_get(o, "time")) != NULL);
		CHECK_INT_EQ(json_array_size(json_object_get(o, "args")), 6);
		CHECK(!strcmp(json_string_value(json_object_get(rule, "file")) ?: "", "preset:strict"));
		CHECK(!strcmp(json_string_value(json_object_get(rule, "kind")) ?: "", "base"));
		CHECK(json_integer_value(json_object_get(rule, "line")) > 0);
		CHECK(!strcmp(json_string_value(json_object_get(o, "fix")) ?: "", "--allow memfd_create"));
		pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
		for (size_t k = 0; k < npids; k++)
			seen = seen || pids[k] == pid;
		if (!seen && npids < 64)
			pids[npids++] = pid;
	}
	CHECK_INT_EQ(denials, 40);
	CHECK_INT_EQ(npids, 4);
	last = json_array_get(all, json_array_size(all) - 1);
	CHECK(!strcmp(json_string_value(json_object_get(last, "event")) ?: "", "exit"));
	CHECK_INT_EQ(json_integer_value(json_object_get(last, "status")), EPERM);
	CHECK_INT_EQ(json_integer_value(json_object_get(last, "denials")), 40);
	if (denials != 40)
		show(&r);
	json_decref(all);
}

/* The supervisor answers with exactly the policy's errno, whatever it is. */
TEST(report_keeps_every_errno)
{
	static const char *const rows[][4] = {
		{ "agent", "socket", "AF_VSOCK", "SOCK_STREAM" },
		{ "agent", "clone3", NULL, NULL },
		{ "agent", "mount", NULL, NULL },
		{ "agent", "unshare", "CLONE_NEWUSER", NULL },
		{ "agent", "ioctl", "TIOCSTI", NULL },
		{ "agent", "getpid", NULL, NULL },
		{ "strict", "landlock_create_ruleset", NULL, NULL },
		{ "strict", "process_mrelease", NULL, NULL },
		{ "strict", "getcwd", NULL, NULL },
	};

	if (!have_binaries())
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *pv[8] = { probe("try-syscall"), rows[i][1], rows[i][2], rows[i][3], NULL };
		const char *sv[16] = { stockade(), "run", "--preset", rows[i][0], "--", probe("try-syscall"),
				       rows[i][1], rows[i][2], rows[i][3], NULL };
		const char *rv[16] = { stockade(), "run", "--report", "--preset", rows[i][0], "--",
				       probe("try-syscall"), rows[i][1], rows[i][2], rows[i][3], NULL };
		struct result plain, enforced, reported;

		run(pv, &plain);
		run(sv, &enforced);
		run(rv, &reported);
		CHECK_MSG(enforced.outcome == reported.outcome, "%s %s: %d without the supervisor, %d with it",
			  rows[i][0], rows[i][1], enforced.outcome, reported.outcome);
		/* A denial is reported, an allowed call is not. */
		if (enforced.outcome != plain.outcome)
			CHECK_MSG(strstr(reported.out, "denied 1 call"), "%s %s: no report line:\n%s", rows[i][0],
				  rows[i][1], reported.out);
		else if (!strcmp(rows[i][1], "getpid") || !strcmp(rows[i][1], "getcwd"))
			CHECK_STR_CONTAINS(reported.out, "report: no call was denied");
	}
}

/* ---- audit mode ---- */

TEST(audit_allows_and_reports)
{
	char line[4096];
	const char *pol, *json = tmp_path("audit.json");
	struct result r;
	json_t *all, *o;
	size_t n, i, events = 0;

	if (!have_binaries())
		return;
	run(ARGV(probe("deny-storm"), "calls", "4", "40", "memfd_create"), &r);
	if (r.outcome != 0)
		SKIP("memfd_create does not work unconfined here");
	run(ARGV(stockade(), "run", "--audit", "--report-json", json, "--preset", "strict", "--", probe("deny-storm"),
		 "calls", "4", "40", "memfd_create"),
	    &r);
	CHECK_OUTCOME(&r, 0, "strict --audit: the program succeeds");
	CHECK_STR_CONTAINS(r.out, "audit: nothing was denied; policy strict would have denied 40 calls");
	CHECK_INT_EQ(report_lines(r.out, "memfd_create", line, sizeof(line)), 1);
	CHECK_STR_CONTAINS(line, " x40 ");
	CHECK_STR_CONTAINS(line, ": would be EPERM from deny memfd_create at preset:strict:");
	all = load_lines(json, &n);
	json_array_foreach(all, i, o)
	{
		if (strcmp(json_string_value(json_object_get(o, "event")) ?: "", "denial"))
			continue;
		events++;
		CHECK(json_is_false(json_object_get(o, "enforced")));
		CHECK(!strcmp(json_string_value(json_object_get(o, "mode")) ?: "", "audit"));
	}
	CHECK_INT_EQ(events, 40);
	json_decref(all);

	/* The same from the policy: seccomp.mode: audit. */
	pol = write_tmp("audit.yaml", "version: 1\nextends: strict\nseccomp:\n  mode: audit\n");
	run(ARGV(stockade(), "run", "--policy", pol, "--", probe("deny-storm"), "calls", "4", "40", "memfd_create"),
	    &r);
	CHECK_OUTCOME(&r, 0, "seccomp.mode: audit");
	CHECK_STR_CONTAINS(r.out, "would have denied 40 calls");
	/* A higher layer can enforce again. */
	pol = write_tmp("enforce.yaml", "version: 1\nextends: ./audit.yaml\nseccomp:\n  mode: enforce\n");
	run(ARGV(stockade(), "run", "--policy", pol, "--", probe("deny-storm"), "calls", "4", "40", "memfd_create"),
	    &r);
	CHECK_OUTCOME(&r, EPERM, "mode: enforce over mode: audit");

	/* Tools can tell nothing is enforced. */
	run(ARGV(stockade(), "run", "--audit", "--", "/usr/bin/env"), &r);
	CHECK_OUTCOME(&r, 0, "--audit env");
	CHECK_STR_CONTAINS(r.out, "STOCKADE_MODE=audit");
	CHECK_STR_CONTAINS(r.out, "STOCKADE=1");
}

/* Audit mode covers what report mode leaves in the filter: kill actions. */
TEST(audit_reports_kill_actions)
{
	const char *pol;
	struct result r;

	if (!have_binaries())
		return;
	pol = write_tmp("kill.yaml", "version: 1\nextends: agent\nseccomp:\n  deny: [getppid]\n  deny_action: kill\n");
	run(ARGV(stockade(), "run", "--report", "--policy", pol, "--", probe("try-syscall"), "getppid"), &r);
	CHECK_OUTCOME(&r, SIGNALLED(SIGSYS), "kill action under --report");
	CHECK_STR_CONTAINS(r.out, "the command was killed by the policy (SIGSYS)");
	CHECK_STR_CONTAINS(r.out, "getppid");
	run(ARGV(stockade(), "run", "--audit", "--policy", pol, "--", probe("try-syscall"), "getppid"), &r);
	CHECK_OUTCOME(&r, 0, "kill action under --audit");
	CHECK_STR_CONTAINS(r.out, "getppid x1 by try-syscall");
	CHECK_STR_CONTAINS(r.out, "would be kill from deny getppid at ");
}

/* ---- learn ---- */

static bool git_works(const char *home)
{
	struct result r;

	setenv("HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	run(ARGV("git", "--version"), &r);
	return r.outcome == 0;
}

TEST(learn_git_commit_then_enforce)
{
	const char *home = tmp_path("home"), *out = tmp_path("learned.yaml"), *repo = tmp_path("repo");
	char script[8192], *text;
	struct result r;

	if (!have_binaries())
		return;
	mkdir(home, 0700);
	if (!git_works(home))
		SKIP("git is not installed");
	/* git init and commit, and one call strict denies (memfd_create), so
	 * the learned policy has something to say. */
	snprintf(script, sizeof(script),
		 "set -e; rm -rf '%s'; git -c init.defaultBranch=main init -q '%s'; cd '%s';"
		 "git config user.name 'Stockade Test'; git config user.email test@example.invalid;"
		 "echo hello >hello.txt; git add hello.txt; git commit -q -m first;"
		 "echo world >>hello.txt; git commit -q -am second; git log --format=%%s | wc -l;"
		 "'%s' memfd_create",
		 repo, repo, repo, probe("try-syscall"));
	run(ARGV("sh", "-c", script), &r);
	if (r.outcome != 0)
		SKIP("the git workload does not run unconfined here");
	run(ARGV(stockade(), "run", "--preset", "strict", "--", "sh", "-c", script), &r);
	CHECK_OUTCOME(&r, EPERM, "the workload under strict alone");

	run(ARGV(stockade(), "learn", "-o", out, "--base", "strict", "--", "sh", "-c", script), &r);
	CHECK_OUTCOME(&r, 0, "stockade learn");
	text = read_all(out);
	CHECK_STR_CONTAINS(text, "extends: strict\n");
	CHECK_STR_CONTAINS(text, "    - memfd_create # used by try-syscall (pid ");
	free(text);

	run(ARGV(stockade(), "run", "--report", "--policy", out, "--", "sh", "-c", script), &r);
	CHECK_OUTCOME(&r, 0, "the workload under the learned policy");
	CHECK_STR_CONTAINS(r.out, "report: no call was denied");

	/* What the workload never did stays denied. */
	run(ARGV(stockade(), "run", "--policy", out, "--", probe("try-syscall"), "ptrace"), &r);
	CHECK_OUTCOME(&r, EPERM, "ptrace under the learned policy");
	run(ARGV(stockade(), "run", "--policy", out, "--", probe("try-syscall"), "mount"), &r);
	CHECK_OUTCOME(&r, EPERM, "mount under the learned policy");
}

/* Argument rules are learned as rules with the exact values. */
TEST(learn_argument_values)
{
	const char *out = tmp_path("learned-socket.yaml");
	struct result base, r;
	char *text;

	if (!have_binaries())
		return;
	run(ARGV(probe("try-syscall"), "socket", "AF_PACKET", "SOCK_RAW"), &base);
	if (base.outcome == EAFNOSUPPORT || base.outcome >= SIGNALLED(0) || base.outcome < 0)
		SKIP("socket(AF_PACKET) cannot be told from a denial here");
	run(ARGV(stockade(), "learn", "-o", out, "--base", "agent", "--", probe("try-syscall"), "socket", "AF_PACKET",
		 "SOCK_RAW"),
	    &r);
	CHECK_OUTCOME(&r, base.outcome, "learn socket(AF_PACKET)");
	text = read_all(out);
	CHECK_STR_CONTAINS(text, "\nnetwork:\n  mode: full # used by try-syscall (pid ");
	CHECK_STR_CONTAINS(text, "    - syscall: socket # used by try-syscall (pid ");
	CHECK_STR_CONTAINS(text, "      args: [\"arg0 == AF_PACKET\"]\n      action: allow\n");
	free(text);
	run(ARGV(stockade(), "run", "--policy", out, "--", probe("try-syscall"), "socket", "AF_PACKET", "SOCK_RAW"),
	    &r);
	CHECK_OUTCOME(&r, base.outcome, "socket(AF_PACKET) under the learned policy");
	run(ARGV(stockade(), "run", "--policy", out, "--", probe("try-syscall"), "socket", "AF_VSOCK", "SOCK_STREAM"),
	    &r);
	CHECK_OUTCOME(&r, EAFNOSUPPORT, "socket(AF_VSOCK) under the learned policy");
}

/* ---- the supervisor's process handling ---- */

static bool comm_is(pid_t pid, const char *comm)
{
	char path[64], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return !strcmp(buf, comm);
}

/* Processes (zombies included) whose comm is `comm`. */
static int count_comm(const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && comm_is((pid_t)atoi(e->d_name), comm))
			n++;
	closedir(d);
	return n;
}

/*
 * The tree forks 20 children that each leave an unreaped zombie and exec;
 * its top dies by SIGKILL; its children make a denied call after stockade
 * has returned.  stockade must return at once with the command's status,
 * the late calls must still get the policy's errno (not ENOSYS: someone
 * still answers them), every event must reach the JSON report, and no
 * process of the tree may be left, zombie or not.  This test process is a
 * child subreaper meanwhile, as a proper init is (PID 1 of some containers
 * and VMs never reaps): what stockade leaves behind comes here.
 */
TEST(supervisor_survives_abrupt_tree)
{
	const char *dir = tmp_path("tree"), *json = tmp_path("tree.json");
	char name[16], path[8192], *text;
	int left = -1, answered = 0, ok = 0, old = 0;
	struct result r;
	long deadline;
	json_t *all, *o;
	size_t n, i, events = 0;

	if (!have_binaries())
		return;
	mkdir(dir, 0755);
	snprintf(name, sizeof(name), "dst%d", (int)getpid() % 100000);
	prctl(PR_GET_CHILD_SUBREAPER, &old, 0, 0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	run(ARGV(stockade(), "run", "--report", "--report-json", json, "--", probe("deny-storm"), "tree", "20", dir,
		 name),
	    &r);
	CHECK_OUTCOME(&r, SIGNALLED(SIGKILL), "the tree's top died of SIGKILL");
	CHECK_MSG(r.ms < 10000, "stockade took %ld ms to return", r.ms);

	deadline = now_ms() + 20000;
	while (now_ms() < deadline) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		answered = 0;
		for (int k = 0; k < 20; k++) {
			snprintf(path, sizeof(path), "%s/%d", dir, k);
			answered += access(path, F_OK) == 0;
		}
		left = count_comm(name);
		if (answered == 20 && left == 0 && count_comm("stockade-linger") == 0)
			break;
		usleep(20000);
	}
	prctl(PR_SET_CHILD_SUBREAPER, old, 0, 0, 0);
	CHECK_INT_EQ(answered, 20);
	CHECK_INT_EQ(left, 0);
	CHECK_INT_EQ(count_comm("stockade-linger"), 0);
	for (int k = 0; k < 20; k++) {
		snprintf(path, sizeof(path), "%s/%d", dir, k);
		text = read_all(path);
		ok += text && atoi(text) == EPERM;
		free(text);
	}
	CHECK_MSG(ok == 20, "%d of 20 late ptrace calls got EPERM", ok);

	all = load_lines(json, &n);
	json_array_foreach(all, i, o)
		events += !strcmp(json_string_value(json_object_get(o, "event")) ?: "", "denial");
	CHECK_INT_EQ(events, 20);
	json_decref(all);
	if (answered != 20 || ok != 20 || events != 20)
		show(&r);
}

/* SIGTERM to stockade reaches the command; stockade ends the way it did. */
TEST(supervisor_forwards_signals)
{
	struct result r;

	if (!have_binaries())
		return;
	run_ex(ARGV(stockade(), "run", "--report", "--", "sleep", "30"), &r, 300);
	CHECK_OUTCOME(&r, SIGNALLED(SIGTERM), "SIGTERM to stockade --report -- sleep 30");
	CHECK_MSG(r.ms < 10000, "took %ld ms", r.ms);
}

/* The command's own exit status, and exec failures, as without --report. */
TEST(supervisor_exit_status)
{
	struct result r;

	if (!have_binaries())
		return;
	run(ARGV(stockade(), "run", "--report", "--", "sh", "-c", "exit 42"), &r);
	CHECK_OUTCOME(&r, 42, "exit 42");
	run(ARGV(stockade(), "run", "--report", "--", "/nonexistent/command"), &r);
	CHECK_OUTCOME(&r, 127, "a command that does not exist");
	/* The policy denies execve itself: the report says so. */
	run(ARGV(stockade(), "run", "--report", "--deny", "execve", "--", "/bin/true"), &r);
	CHECK_OUTCOME(&r, 126, "execve denied");
	CHECK_STR_CONTAINS(r.out, "stockade:   execve x1 by ");
	CHECK_STR_CONTAINS(r.out, "fix: --allow execve");
}

/* One listener per process tree: a nested --report says why it cannot. */
TEST(supervisor_nested)
{
	struct result r;

	if (!have_binaries())
		return;
	run(ARGV(stockade(), "run", "--report", "--", stockade(), "run", "--", "/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "plain run inside --report");
	run(ARGV(stockade(), "run", "--report", "--", stockade(), "run", "--report", "--", "/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--report inside --report");
	CHECK_STR_CONTAINS(r.out, "another seccomp supervisor");
}
