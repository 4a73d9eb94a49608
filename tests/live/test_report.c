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
#include "base/json.h"
#include "live_util.h"

static bool have_binaries(void)
{
	if (access(stockade_bin(), X_OK) < 0 || access(probe_path("deny-storm"), X_OK) < 0 ||
	    access(probe_path("try-syscall"), X_OK) < 0) {
		CHECK_MSG(0, "%s, %s or %s is missing (make check builds them)", stockade_bin(),
			  probe_path("deny-storm"), probe_path("try-syscall"));
		return false;
	}
	return true;
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
	struct run r;

	if (!have_binaries())
		return;
	run_cmd(ARGV(probe_path("deny-storm"), "calls", "4", "40", "memfd_create"), &r);
	if (r.outcome != 0)
		SKIP("memfd_create does not work unconfined here");

	/* Enforced without the supervisor: the errno the program sees. */
	run_cmd(ARGV(stockade_bin(), "run", "--preset", "strict", "--", probe_path("deny-storm"), "calls", "4", "40",
		     "memfd_create"),
		&r);
	CHECK_OUTCOME(&r, EPERM, "strict, no report");

	run_cmd(ARGV(stockade_bin(), "run", "--report", "--preset", "strict", "--", probe_path("deny-storm"), "calls",
		     "4", "40", "memfd_create"),
		&r);
	CHECK_OUTCOME(&r, EPERM, "strict --report: the same errno");
	CHECK_INT_EQ(report_lines(r.out, "memfd_create", line, sizeof(line)), 1);
	CHECK_STR_CONTAINS(line, " x40 ");
	CHECK_STR_CONTAINS(line, "(4 processes)");
	CHECK_STR_CONTAINS(line, ": EPERM from deny memfd_create at presets/strict.yaml:");
	CHECK_STR_CONTAINS(line, "; fix: --allow memfd_create");
	CHECK_STR_CONTAINS(r.out, "policy strict denied 40 calls (1 distinct)");
	if (report_lines(r.out, "memfd_create", line, sizeof(line)) != 1)
		show_run(&r);

	/* The fix, as printed, makes the program work. */
	f = strstr(line, "; fix: ");
	if (!f)
		return;
	snprintf(fix, sizeof(fix), "%s", f + 7);
	CHECK(!strncmp(fix, "--allow ", 8));
	run_cmd(ARGV(stockade_bin(), "run", "--report", "--preset", "strict", "--allow", fix + 8, "--",
		     probe_path("deny-storm"), "calls", "4", "40", "memfd_create"),
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
	struct run r, base;

	if (!have_binaries())
		return;
	/* ioctl(-1, TIOCSTI): EBADF when allowed, EPERM from agent's rule. */
	run_cmd(ARGV(probe_path("try-syscall"), "ioctl", "TIOCSTI"), &base);
	if (base.outcome == EPERM || base.outcome >= SIGNALLED(0) || base.outcome < 0)
		SKIP("ioctl(TIOCSTI) cannot be told from a denial here");
	run_cmd(ARGV(stockade_bin(), "run", "--report", "--preset", "agent", "--", probe_path("try-syscall"), "ioctl",
		     "TIOCSTI"),
		&r);
	CHECK_OUTCOME(&r, EPERM, "agent --report: ioctl(TIOCSTI)");
	CHECK_INT_EQ(report_lines(r.out, "ioctl", line, sizeof(line)), 1);
	CHECK_STR_CONTAINS(line, "ioctl(TIOCSTI) x1 by try-syscall (pid ");
	CHECK_STR_CONTAINS(line, ": EPERM from rule at presets/agent.yaml:");
	CHECK_STR_CONTAINS(line, "(TIOCSTI types into the controlling terminal");
	CHECK_STR_CONTAINS(line, "fix: in a policy extending agent, add the rule {syscall: ioctl, args: [\"arg1 & "
				 "0xffffffff == TIOCSTI\"], action: allow}");
	rule = strstr(line, "{syscall:");
	end = rule ? strrchr(rule, '}') : NULL;
	if (!end) {
		show_run(&r);
		return;
	}
	snprintf(policy, sizeof(policy), "version: 1\nextends: agent\nseccomp:\n  rules:\n    - %.*s\n",
		 (int)(end + 1 - rule), rule);
	pol = write_tmp("rule-fix.yaml", policy, 0644);
	run_cmd(ARGV(stockade_bin(), "run", "--report", "--policy", pol, "--", probe_path("try-syscall"), "ioctl",
		     "TIOCSTI"),
		&r);
	CHECK_OUTCOME(&r, base.outcome, "agent + the suggested rule: ioctl(TIOCSTI)");
	/* Exactly that value: the other terminal injection stays denied. */
	run_cmd(ARGV(stockade_bin(), "run", "--policy", pol, "--", probe_path("try-syscall"), "ioctl", "TIOCLINUX"),
		&r);
	CHECK_OUTCOME(&r, EPERM, "agent + the suggested rule: ioctl(TIOCLINUX)");
}

/* The network mode decides before the seccomp rules: the fix says --net. */
TEST(report_network_fix_works)
{
	char line[4096];
	struct run r, base;

	if (!have_binaries())
		return;
	run_cmd(ARGV(probe_path("try-syscall"), "socket", "AF_INET", "SOCK_STREAM"), &base);
	if (base.outcome == EACCES || base.outcome >= SIGNALLED(0) || base.outcome < 0)
		SKIP("socket(AF_INET) cannot be told from a denial here");
	run_cmd(ARGV(stockade_bin(), "run", "--report", "--preset", "agent", "--", probe_path("try-syscall"), "socket",
		     "AF_INET", "SOCK_STREAM"),
		&r);
	if (r.outcome == base.outcome)
		SKIP("agent allows the network here");
	CHECK_INT_EQ(report_lines(r.out, "socket", line, sizeof(line)), 1);
	CHECK_STR_CONTAINS(line, "socket(AF_INET, SOCK_STREAM) x1 by try-syscall");
	CHECK_STR_CONTAINS(line, "; fix: --net full");
	run_cmd(ARGV(stockade_bin(), "run", "--report", "--preset", "agent", "--net", "full", "--",
		     probe_path("try-syscall"), "socket", "AF_INET", "SOCK_STREAM"),
		&r);
	CHECK_OUTCOME(&r, base.outcome, "agent --net full: socket(AF_INET)");
}

/* A JSON report: one object a line, read with the library's parser. */
struct lines {
	struct sk_json *v;
	size_t n;
};

static void load_lines(const char *path, struct lines *all)
{
	char *text = read_file(path), *save = NULL;

	*all = (struct lines){ 0 };
	if (!text)
		return;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct sk_json *v = realloc(all->v, (all->n + 1) * sizeof(*v));
		struct sk_json_error e;

		if (!v)
			break;
		all->v = v;
		CHECK_MSG(sk_json_parse(l, strlen(l), &v[all->n], &e) == 0 && v[all->n].type == SK_JSON_OBJECT,
			  "JSON line does not parse: %s (%s)", l, e.msg);
		all->n++;
	}
	free(text);
}

static void free_lines(struct lines *all)
{
	for (size_t i = 0; i < all->n; i++)
		sk_json_free(&all->v[i]);
	free(all->v);
}

/* A member as a string (NULL if absent or not one), an integer (0 if not
 * a non-negative one), a boolean (-1 if not one), an array's length. */
static const char *jstr(const struct sk_json *o, const char *key)
{
	const struct sk_json *v = sk_json_get(o, key);

	return v && v->type == SK_JSON_STRING ? v->str : NULL;
}

static long long jint(const struct sk_json *o, const char *key)
{
	const struct sk_json *v = sk_json_get(o, key);

	return v && v->type == SK_JSON_NUMBER && v->is_uint ? (long long)v->uint : 0;
}

static int jbool(const struct sk_json *o, const char *key)
{
	const struct sk_json *v = sk_json_get(o, key);

	return v && v->type == SK_JSON_BOOL ? v->boolean : -1;
}

static size_t jlen(const struct sk_json *o, const char *key)
{
	const struct sk_json *v = sk_json_get(o, key);

	return v && v->type == SK_JSON_ARRAY ? v->n : 0;
}

TEST(report_json_has_every_event)
{
	const char *json = tmp_path("events.json");
	struct run r;
	struct lines all;
	const struct sk_json *last;
	size_t denials = 0;
	pid_t pids[64];
	size_t npids = 0;

	if (!have_binaries())
		return;
	run_cmd(ARGV(probe_path("deny-storm"), "calls", "4", "40", "memfd_create"), &r);
	if (r.outcome != 0)
		SKIP("memfd_create does not work unconfined here");
	run_cmd(ARGV(stockade_bin(), "run", "--report-json", json, "--preset", "strict", "--", probe_path("deny-storm"),
		     "calls", "4", "40", "memfd_create"),
		&r);
	CHECK_OUTCOME(&r, EPERM, "strict --report-json");
	load_lines(json, &all);
	for (size_t i = 0; i < all.n; i++) {
		const struct sk_json *o = &all.v[i];
		const char *ev = jstr(o, "event");
		const struct sk_json *rule = sk_json_get(o, "rule");
		pid_t pid;
		bool seen = false;

		if (!ev || strcmp(ev, "denial"))
			continue;
		denials++;
		CHECK_MSG(!strcmp(jstr(o, "syscall") ?: "", "memfd_create"), "event %zu: syscall", i);
		CHECK_INT_EQ(jint(o, "errno"), EPERM);
		CHECK(jbool(o, "enforced") == 1);
		CHECK(!strcmp(jstr(o, "action") ?: "", "errno:EPERM"));
		CHECK(!strcmp(jstr(o, "comm") ?: "", "deny-storm"));
		CHECK(jstr(o, "arch") != NULL);
		CHECK(jstr(o, "time") != NULL);
		CHECK_INT_EQ(jlen(o, "args"), 6);
		CHECK(!strcmp(jstr(rule, "file") ?: "", "presets/strict.yaml"));
		CHECK(!strcmp(jstr(rule, "kind") ?: "", "base"));
		CHECK(jint(rule, "line") > 0);
		CHECK(!strcmp(jstr(o, "fix") ?: "", "--allow memfd_create"));
		pid = (pid_t)jint(o, "pid");
		for (size_t k = 0; k < npids; k++)
			seen = seen || pids[k] == pid;
		if (!seen && npids < 64)
			pids[npids++] = pid;
	}
	CHECK_INT_EQ(denials, 40);
	CHECK_INT_EQ(npids, 4);
	last = all.n ? &all.v[all.n - 1] : NULL;
	CHECK(!strcmp(jstr(last, "event") ?: "", "exit"));
	CHECK_INT_EQ(jint(last, "status"), EPERM);
	CHECK_INT_EQ(jint(last, "denials"), 40);
	if (denials != 40)
		show_run(&r);
	free_lines(&all);
}

/*
 * A process names itself with any bytes (its executable's name, prctl
 * PR_SET_NAME).  jansson refused a comm that is not UTF-8 and the report
 * silently lost the key; each stray byte now reads as U+FFFD, and the line
 * is still JSON.
 */
TEST(report_json_comm_not_utf8)
{
	const char *link = tmp_path("bad\xff\xfex"), *json = tmp_path("comm.json");
	char *text;
	struct run r;
	struct lines all;
	size_t denials = 0;

	if (!have_binaries())
		return;
	unlink(link);
	if (symlink(probe_path("deny-storm"), link) < 0)
		SKIP("cannot make a symlink in the temporary directory");
	run_cmd(ARGV(link, "calls", "1", "1", "memfd_create"), &r);
	if (r.outcome != 0)
		SKIP("memfd_create does not work unconfined here");
	run_cmd(ARGV(stockade_bin(), "run", "--report-json", json, "--deny", "memfd_create", "--", link, "calls", "1",
		     "1", "memfd_create"),
		&r);
	CHECK_OUTCOME(&r, EPERM, "--deny memfd_create --report-json");
	load_lines(json, &all);
	for (size_t i = 0; i < all.n; i++) {
		if (strcmp(jstr(&all.v[i], "event") ?: "", "denial"))
			continue;
		denials++;
		CHECK_MSG(!strcmp(jstr(&all.v[i], "comm") ?: "(none)", "bad\xef\xbf\xbd\xef\xbf\xbdx"), "comm: %s",
			  jstr(&all.v[i], "comm") ?: "(none)");
	}
	CHECK_INT_EQ(denials, 1);
	text = read_file(json);
	CHECK_STR_CONTAINS(text, "\"comm\":\"bad\\ufffd\\ufffdx\"");
	free(text);
	free_lines(&all);
	unlink(link);
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
		const char *pv[8] = { probe_path("try-syscall"), rows[i][1], rows[i][2], rows[i][3], NULL };
		const char *sv[16] = { stockade_bin(), "run", "--preset", rows[i][0], "--", probe_path("try-syscall"),
				       rows[i][1], rows[i][2], rows[i][3], NULL };
		const char *rv[16] = { stockade_bin(), "run", "--report", "--preset", rows[i][0], "--",
				       probe_path("try-syscall"), rows[i][1], rows[i][2], rows[i][3], NULL };
		struct run plain, enforced, reported;

		run_cmd(pv, &plain);
		run_cmd(sv, &enforced);
		run_cmd(rv, &reported);
		CHECK_MSG(enforced.outcome == reported.outcome, "%s %s: %d without the supervisor, %d with it",
			  rows[i][0], rows[i][1], enforced.outcome, reported.outcome);
		/* A denial is reported, an allowed call is not, nor clone3's
		 * designed ENOSYS (src/tables/fallbacks.c). */
		if (!strcmp(rows[i][1], "clone3"))
			CHECK_STR_CONTAINS(reported.out, "report: no call was denied");
		else if (enforced.outcome != plain.outcome)
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
	struct run r;
	struct lines all;
	size_t events = 0;

	if (!have_binaries())
		return;
	run_cmd(ARGV(probe_path("deny-storm"), "calls", "4", "40", "memfd_create"), &r);
	if (r.outcome != 0)
		SKIP("memfd_create does not work unconfined here");
	run_cmd(ARGV(stockade_bin(), "run", "--audit", "--report-json", json, "--preset", "strict", "--",
		     probe_path("deny-storm"), "calls", "4", "40", "memfd_create"),
		&r);
	CHECK_OUTCOME(&r, 0, "strict --audit: the program succeeds");
	CHECK_STR_CONTAINS(r.out, "audit: nothing was denied; policy strict would have denied 40 calls");
	CHECK_INT_EQ(report_lines(r.out, "memfd_create", line, sizeof(line)), 1);
	CHECK_STR_CONTAINS(line, " x40 ");
	CHECK_STR_CONTAINS(line, ": would be EPERM from deny memfd_create at presets/strict.yaml:");
	load_lines(json, &all);
	for (size_t i = 0; i < all.n; i++) {
		const struct sk_json *o = &all.v[i];

		if (strcmp(jstr(o, "event") ?: "", "denial"))
			continue;
		events++;
		CHECK(jbool(o, "enforced") == 0);
		CHECK(!strcmp(jstr(o, "mode") ?: "", "audit"));
	}
	CHECK_INT_EQ(events, 40);
	free_lines(&all);

	/* The same from the policy: seccomp.mode: audit. */
	pol = write_tmp("audit.yaml", "version: 1\nextends: strict\nseccomp:\n  mode: audit\n", 0644);
	run_cmd(ARGV(stockade_bin(), "run", "--policy", pol, "--", probe_path("deny-storm"), "calls", "4", "40",
		     "memfd_create"),
		&r);
	CHECK_OUTCOME(&r, 0, "seccomp.mode: audit");
	CHECK_STR_CONTAINS(r.out, "would have denied 40 calls");
	/* A higher layer can enforce again. */
	pol = write_tmp("enforce.yaml", "version: 1\nextends: ./audit.yaml\nseccomp:\n  mode: enforce\n", 0644);
	run_cmd(ARGV(stockade_bin(), "run", "--policy", pol, "--", probe_path("deny-storm"), "calls", "4", "40",
		     "memfd_create"),
		&r);
	CHECK_OUTCOME(&r, EPERM, "mode: enforce over mode: audit");

	/* Tools can tell nothing is enforced. */
	run_cmd(ARGV(stockade_bin(), "run", "--audit", "--", "/usr/bin/env"), &r);
	CHECK_OUTCOME(&r, 0, "--audit env");
	CHECK_STR_CONTAINS(r.out, "STOCKADE_MODE=audit");
	CHECK_STR_CONTAINS(r.out, "STOCKADE=1");
}

/* Audit mode covers what report mode leaves in the filter: kill actions. */
TEST(audit_reports_kill_actions)
{
	const char *pol;
	struct run r;

	if (!have_binaries())
		return;
	pol = write_tmp("kill.yaml", "version: 1\nextends: agent\nseccomp:\n  deny: [getppid]\n  deny_action: kill\n",
			0644);
	run_cmd(ARGV(stockade_bin(), "run", "--report", "--policy", pol, "--", probe_path("try-syscall"), "getppid"),
		&r);
	CHECK_OUTCOME(&r, SIGNALLED(SIGSYS), "kill action under --report");
	CHECK_STR_CONTAINS(r.out, "the command was killed by the policy (SIGSYS)");
	CHECK_STR_CONTAINS(r.out, "getppid");
	run_cmd(ARGV(stockade_bin(), "run", "--audit", "--policy", pol, "--", probe_path("try-syscall"), "getppid"),
		&r);
	CHECK_OUTCOME(&r, 0, "kill action under --audit");
	CHECK_STR_CONTAINS(r.out, "getppid x1 by try-syscall");
	CHECK_STR_CONTAINS(r.out, "would be kill from deny getppid at ");
}

/* ---- learn ---- */

static bool git_works(const char *home)
{
	struct run r;

	setenv("HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	run_cmd(ARGV("git", "--version"), &r);
	return r.outcome == 0;
}

TEST(learn_git_commit_then_enforce)
{
	const char *home = tmp_path("home"), *out = tmp_path("learned.yaml"), *repo = tmp_path("repo");
	char script[8192], *text;
	struct run r;

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
		 repo, repo, repo, probe_path("try-syscall"));
	run_cmd(ARGV("sh", "-c", script), &r);
	if (r.outcome != 0)
		SKIP("the git workload does not run unconfined here");
	run_cmd(ARGV(stockade_bin(), "run", "--preset", "strict", "--", "sh", "-c", script), &r);
	CHECK_OUTCOME(&r, EPERM, "the workload under strict alone");

	run_cmd(ARGV(stockade_bin(), "learn", "-o", out, "--base", "strict", "--", "sh", "-c", script), &r);
	CHECK_OUTCOME(&r, 0, "stockade learn");
	text = read_file(out);
	CHECK_STR_CONTAINS(text, "extends: strict\n");
	CHECK_STR_CONTAINS(text, "    - memfd_create # used by try-syscall (pid ");
	free(text);

	run_cmd(ARGV(stockade_bin(), "run", "--report", "--policy", out, "--", "sh", "-c", script), &r);
	CHECK_OUTCOME(&r, 0, "the workload under the learned policy");
	CHECK_STR_CONTAINS(r.out, "report: no call was denied");

	/* What the workload never did stays denied. */
	run_cmd(ARGV(stockade_bin(), "run", "--policy", out, "--", probe_path("try-syscall"), "ptrace"), &r);
	CHECK_OUTCOME(&r, EPERM, "ptrace under the learned policy");
	run_cmd(ARGV(stockade_bin(), "run", "--policy", out, "--", probe_path("try-syscall"), "mount"), &r);
	CHECK_OUTCOME(&r, EPERM, "mount under the learned policy");
}

/* Argument rules are learned as rules with the exact values: ioctl
 * TIOCSTI (agent's rule) is learned as that request only. */
TEST(learn_argument_values)
{
	const char *out = tmp_path("learned-ioctl.yaml");
	struct run base, r;
	char *text;

	if (!have_binaries())
		return;
	run_cmd(ARGV(probe_path("try-syscall"), "ioctl", "TIOCSTI"), &base);
	run_cmd(ARGV(stockade_bin(), "learn", "-o", out, "--base", "agent", "--", probe_path("try-syscall"), "ioctl",
		     "TIOCSTI"),
		&r);
	CHECK_OUTCOME(&r, base.outcome, "learn ioctl(TIOCSTI)");
	text = read_file(out);
	CHECK_STR_CONTAINS(text, "    - syscall: ioctl # used by try-syscall (pid ");
	CHECK_STR_CONTAINS(text, "      args: [\"arg1 & 0xffffffff == TIOCSTI\"]\n      action: allow\n");
	free(text);
	run_cmd(ARGV(stockade_bin(), "run", "--policy", out, "--", probe_path("try-syscall"), "ioctl", "TIOCSTI"), &r);
	CHECK_OUTCOME(&r, base.outcome, "ioctl(TIOCSTI) under the learned policy");
	run_cmd(ARGV(stockade_bin(), "run", "--policy", out, "--", probe_path("try-syscall"), "ioctl", "TIOCLINUX"),
		&r);
	CHECK_OUTCOME(&r, EPERM, "ioctl(TIOCLINUX) under the learned policy");
}

/* A run that needed the network gets a comment, not `network: mode:
 * full`, and the learned policy still refuses the socket (the program
 * needed more than learn grants). */
TEST(learn_never_grants_the_network)
{
	const char *out = tmp_path("learned-socket.yaml");
	struct run enforced, r;
	char *text;

	if (!have_binaries())
		return;
	run_cmd(ARGV(stockade_bin(), "run", "--", probe_path("try-syscall"), "socket", "AF_PACKET", "SOCK_RAW"),
		&enforced);
	run_cmd(ARGV(stockade_bin(), "learn", "-o", out, "--base", "agent", "--", probe_path("try-syscall"), "socket",
		     "AF_PACKET", "SOCK_RAW"),
		&r);
	text = read_file(out);
	CHECK_MSG(text && !strstr(text, "\nnetwork:") && strstr(text, "does not grant `network: mode: full`"),
		  "learned:\n%s", text ? text : "(none)");
	CHECK_STR_CONTAINS(r.out, "the policy does not grant them");
	free(text);
	run_cmd(ARGV(stockade_bin(), "run", "--policy", out, "--", probe_path("try-syscall"), "socket", "AF_PACKET",
		     "SOCK_RAW"),
		&r);
	CHECK_OUTCOME(&r, enforced.outcome, "socket(AF_PACKET) under the learned policy, as under agent");
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

/* The parent of pid, from /proc/PID/stat (after the comm, which may hold
 * spaces and parentheses); 0 if it is gone. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[512];
	const char *close_paren;
	FILE *f;
	size_t n;
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	close_paren = strrchr(buf, ')');
	if (!close_paren || sscanf(close_paren + 1, " %*c %d", &ppid) != 1)
		return 0;
	return (pid_t)ppid;
}

/* pid is this test process's descendant (its own run's, not another
 * test's running meanwhile on the same machine). */
static bool mine(pid_t pid)
{
	pid_t self = getpid();

	for (int depth = 0; pid > 1 && depth < 64; depth++) {
		pid = parent_of(pid);
		if (pid == self)
			return true;
	}
	return false;
}

/* This test's processes (zombies included) whose comm is `comm`. */
static int count_comm(const char *comm)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && comm_is((pid_t)atoi(e->d_name), comm) &&
		    mine((pid_t)atoi(e->d_name)))
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
	struct run r;
	long deadline;
	struct lines all;
	size_t events = 0;

	if (!have_binaries())
		return;
	mkdir(dir, 0755);
	snprintf(name, sizeof(name), "dst%d", (int)getpid() % 100000);
	prctl(PR_GET_CHILD_SUBREAPER, &old, 0, 0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	/* Without namespaces: in its own pid namespace the tree dies with
	 * the command (test_isolation.c). */
	run_cmd(ARGV(stockade_bin(), "run", "--isolation", "off", "--report", "--report-json", json, "--",
		     probe_path("deny-storm"), "tree", "20", dir, name),
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
		text = read_file(path);
		ok += text && atoi(text) == EPERM;
		free(text);
	}
	CHECK_MSG(ok == 20, "%d of 20 late ptrace calls got EPERM", ok);

	load_lines(json, &all);
	for (size_t i = 0; i < all.n; i++)
		events += !strcmp(jstr(&all.v[i], "event") ?: "", "denial");
	CHECK_INT_EQ(events, 20);
	free_lines(&all);
	if (answered != 20 || ok != 20 || events != 20)
		show_run(&r);
}

/* SIGTERM to stockade reaches the command; stockade ends the way it did. */
TEST(supervisor_forwards_signals)
{
	struct run r;

	if (!have_binaries())
		return;
	run_cmd_opts(ARGV(stockade_bin(), "run", "--report", "--", "sleep", "30"),
		     &(struct run_opts){ .term_after_ms = 300 }, &r);
	CHECK_OUTCOME(&r, SIGNALLED(SIGTERM), "SIGTERM to stockade --report -- sleep 30");
	CHECK_MSG(r.ms < 10000, "took %ld ms", r.ms);
}

/* The command's own exit status, and exec failures, as without --report. */
TEST(supervisor_exit_status)
{
	struct run r;

	if (!have_binaries())
		return;
	run_cmd(ARGV(stockade_bin(), "run", "--report", "--", "sh", "-c", "exit 42"), &r);
	CHECK_OUTCOME(&r, 42, "exit 42");
	run_cmd(ARGV(stockade_bin(), "run", "--report", "--", "/nonexistent/command"), &r);
	CHECK_OUTCOME(&r, 127, "a command that does not exist");
	/* The policy denies execve itself: the report says so. */
	run_cmd(ARGV(stockade_bin(), "run", "--report", "--deny", "execve", "--", "/bin/true"), &r);
	CHECK_OUTCOME(&r, 126, "execve denied");
	CHECK_STR_CONTAINS(r.out, "stockade:   execve x1 by ");
	CHECK_STR_CONTAINS(r.out, "fix: --allow execve");
}

/* One listener per process tree: a nested --report says why it cannot. */
TEST(supervisor_nested)
{
	struct run r;

	if (!have_binaries())
		return;
	run_cmd(ARGV(stockade_bin(), "run", "--report", "--", stockade_bin(), "run", "--", "/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "plain run inside --report");
	run_cmd(ARGV(stockade_bin(), "run", "--report", "--", stockade_bin(), "run", "--report", "--", "/bin/true"),
		&r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--report inside --report");
	CHECK_STR_CONTAINS(r.out, "another seccomp supervisor");
}
