/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: the report channel the command cannot touch.  A symlink or a
 * FIFO an earlier sandboxed run left at the --report-json path is refused
 * (the link's target is not truncated, stockade does not block); a file
 * with a second hard link is refused; `--report-json -` is standard output
 * (no file named `-`); `--report-fd N` reaches stockade only, the command
 * does not inherit N; a report file the command can write is warned about
 * before the run, and one it replaced during the run after it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../harness.h"
#include "base/json.h"
#include "live_util.h"

static bool have_stockade(void)
{
	if (access(stockade_bin(), X_OK) < 0 || access(probe_path("try-syscall"), X_OK) < 0) {
		CHECK_MSG(0, "%s or %s is missing (make check builds them)", stockade_bin(), probe_path("try-syscall"));
		return false;
	}
	return true;
}

/* How many lines of text parse as JSON objects whose "event" is `event`. */
static int count_events(const char *text, const char *event)
{
	char *copy = strdup(text ? text : ""), *save = NULL;
	int n = 0;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct sk_json v;
		struct sk_json_error e;
		const struct sk_json *ev;

		if (l[0] != '{' || sk_json_parse(l, strlen(l), &v, &e) < 0)
			continue;
		ev = sk_json_get(&v, "event");
		if (v.type == SK_JSON_OBJECT && ev && ev->type == SK_JSON_STRING && !strcmp(ev->str, event))
			n++;
		sk_json_free(&v);
	}
	free(copy);
	return n;
}

/* A symlink at the path: stockade refuses it and the target keeps its text. */
TEST(report_json_refuses_symlink)
{
	const char *victim = write_tmp("victim.txt", "keep me\n", 0644), *json = tmp_path("link.json");
	char *text;
	struct run r;

	if (!have_stockade())
		return;
	CHECK(symlink(victim, json) == 0);
	run_cmd(ARGV(stockade_bin(), "run", "--report-json", json, "--", "true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--report-json on a symlink");
	CHECK_STR_CONTAINS(r.out, "symbolic link");
	text = read_file(victim);
	CHECK_MSG(text && !strcmp(text, "keep me\n"), "the link's target was changed: %s", text ? text : "(gone)");
	free(text);
	unlink(json);
}

/* A FIFO with no reader: refused at once, not waited on (the deadline is
 * generous; the assertion is on the outcome). */
TEST(report_json_refuses_fifo)
{
	const char *json = tmp_path("fifo.json");
	struct run_opts o = { .timeout_ms = 30000 };
	struct run r;

	if (!have_stockade())
		return;
	CHECK(mkfifo(json, 0600) == 0);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--report-json", json, "--", "true"), &o, &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--report-json on a FIFO");
	CHECK_STR_CONTAINS(r.out, "regular file");
	unlink(json);
}

/* A second name for the file could be anything the user owns. */
TEST(report_json_refuses_hard_link)
{
	const char *victim = write_tmp("victim2.txt", "keep me too\n", 0644), *json = tmp_path("hard.json");
	char *text;
	struct run r;

	if (!have_stockade())
		return;
	if (link(victim, json) < 0)
		SKIP("cannot make a hard link in the temporary directory");
	run_cmd(ARGV(stockade_bin(), "run", "--report-json", json, "--", "true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--report-json on a file with two links");
	CHECK_STR_CONTAINS(r.out, "hard links");
	text = read_file(victim);
	CHECK_MSG(text && !strcmp(text, "keep me too\n"), "the other name's file was changed: %s",
		  text ? text : "(gone)");
	free(text);
	unlink(json);
}

/* `-` is standard output; no file named `-` appears. */
TEST(report_json_dash_is_stdout)
{
	char dir[4096], dash[4200];
	struct run_opts o = { 0 };
	struct run r;

	if (!have_stockade() || !make_tmpdir(dir, sizeof(dir), NULL, "dash"))
		return;
	o.cwd = dir;
	run_cmd_opts(ARGV(stockade_bin(), "run", "--report-json", "-", "--deny", "getppid", "--",
			  probe_path("try-syscall"), "getppid"),
		     &o, &r);
	CHECK_OUTCOME(&r, EPERM, "--report-json - --deny getppid");
	CHECK_INT_EQ(count_events(r.out, "denial"), 1);
	CHECK_INT_EQ(count_events(r.out, "exit"), 1);
	snprintf(dash, sizeof(dash), "%s/-", dir);
	CHECK_MSG(access(dash, F_OK) < 0, "a file named - was created");
	rm_rf(dir);
}

/* --report-fd N: the events arrive on N, and the command finds N closed,
 * so it can neither write events into it nor read them. */
TEST(report_fd_not_inherited)
{
	const char *json = tmp_path("fd.json");
	struct run_opts o = { 0 };
	struct run r;
	char *text;
	int fd;

	if (!have_stockade())
		return;
	fd = open(json, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	o.fd3 = fd;
	run_cmd_opts(ARGV(stockade_bin(), "run", "--report-fd", "3", "--deny", "memfd_create", "--", "sh", "-c",
			  "echo '{\"event\":\"denial\",\"forged\":true}' >&3 && echo forged; "
			  "exec \"$0\" memfd_create",
			  probe_path("try-syscall")),
		     &o, &r);
	close(fd);
	CHECK_OUTCOME(&r, EPERM, "--report-fd 3 --deny memfd_create");
	CHECK_MSG(!strstr(r.out, "\nforged") && strncmp(r.out, "forged", 6), "the command wrote to descriptor 3:\n%s",
		  r.out);
	text = read_file(json);
	CHECK_INT_EQ(count_events(text, "denial"), 1);
	CHECK_INT_EQ(count_events(text, "exit"), 1);
	CHECK_MSG(text && !strstr(text, "forged"), "a forged event is in the report:\n%s", text ? text : "");
	free(text);

	run_cmd(ARGV(stockade_bin(), "run", "--report-fd", "1", "--", "true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--report-fd 1");
	CHECK_STR_CONTAINS(r.out, "shares descriptors 0-2");
	run_cmd(ARGV(stockade_bin(), "run", "--preserve-fds", "2", "--report-fd", "4", "--", "true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--report-fd 4 --preserve-fds 2");
	CHECK_STR_CONTAINS(r.out, "--preserve-fds passes to the command");
}

/* A report file in the working directory (agent's write root) is warned
 * about before the run, and its replacement by the command after it. */
TEST(report_json_writable_warned)
{
	char dir[4096];
	struct run_opts o = { 0 };
	struct run r;

	if (!have_stockade() || !make_tmpdir(dir, sizeof(dir), NULL, "cwdjson"))
		return;
	o.cwd = dir;
	run_cmd_opts(ARGV(stockade_bin(), "run", "--report-json", "events.jsonl", "--", "sh", "-c",
			  "rm events.jsonl && echo '{\"event\":\"exit\",\"status\":0}' >events.jsonl"),
		     &o, &r);
	CHECK_OUTCOME(&r, 0, "--report-json events.jsonl in the working directory");
	CHECK_STR_CONTAINS(r.out, "which the command may write");
	CHECK_STR_CONTAINS(r.out, "docs/report.md");
	CHECK_STR_CONTAINS(r.out, "was replaced while the command ran");
	rm_rf(dir);
}

/* ---- stockade learn's output ---- */

/* -o on a symlink: refused before the run, the target untouched. */
TEST(learn_output_refuses_symlink)
{
	const char *victim = write_tmp("victim3.txt", "keep\n", 0644), *out = tmp_path("learned-link.yaml");
	char *text;
	struct run r;

	if (!have_stockade())
		return;
	CHECK(symlink(victim, out) == 0);
	run_cmd(ARGV(stockade_bin(), "learn", "-o", out, "--", "true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "learn -o on a symlink");
	CHECK_STR_CONTAINS(r.out, "symbolic link");
	text = read_file(victim);
	CHECK_MSG(text && !strcmp(text, "keep\n"), "the link's target was changed: %s", text ? text : "(gone)");
	free(text);
	unlink(out);
}

/* The command replaces -o's file while it runs: the learned policy is
 * written whole at the end over whatever is there, and the user is warned
 * that the command could write there. */
TEST(learn_output_written_whole_at_the_end)
{
	char dir[4096], out[4200], script[8400];
	struct run_opts o = { 0 };
	struct run r;
	char *text;

	if (!have_stockade() || !make_tmpdir(dir, sizeof(dir), NULL, "learnout"))
		return;
	snprintf(out, sizeof(out), "%s/tool.yaml", dir);
	snprintf(script, sizeof(script), "printf 'version: 1\\nextends: none\\n' >'%s'", out);
	o.cwd = dir;
	run_cmd_opts(ARGV(stockade_bin(), "learn", "--base", "strict", "-o", out, "--", "sh", "-c", script), &o, &r);
	CHECK_OUTCOME(&r, 0, "learn -o in the working directory");
	CHECK_STR_CONTAINS(r.out, "which the command may write");
	text = read_file(out);
	CHECK_MSG(text && strstr(text, "\nextends: strict") && !strstr(text, "\nextends: none"),
		  "the command's file survived:\n%s", text ? text : "(none)");
	free(text);
	rm_rf(dir);
}

/* Without -o the policy goes to stdout and the command's output does not
 * land in it; with stdout and stderr the same file, learn says to use -o. */
TEST(learn_stdout_policy_only)
{
	const char *yaml = tmp_path("stdout.yaml");
	char script[8400];
	struct run r;
	char *text;

	if (!have_stockade())
		return;
	snprintf(script, sizeof(script), "'%s' learn --base strict -- sh -c 'echo COMMAND-OUTPUT-MARK' >'%s'",
		 stockade_bin(), yaml);
	run_cmd(ARGV("sh", "-c", script), &r);
	CHECK_OUTCOME(&r, 0, "learn >file");
	CHECK_STR_CONTAINS(r.out, "COMMAND-OUTPUT-MARK");
	text = read_file(yaml);
	CHECK_MSG(text && strstr(text, "extends: strict") && !strstr(text, "\nCOMMAND-OUTPUT-MARK"),
		  "the policy on stdout:\n%s", text ? text : "(none)");
	free(text);

	run_cmd(ARGV(stockade_bin(), "learn", "--base", "strict", "--", "true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "learn with stdout and stderr the same pipe");
	CHECK_STR_CONTAINS(r.out, "use -o FILE");
}

/*
 * learn runs the file run runs.  A PATH entry the policy cannot execute
 * from comes first (pyenv's shims under strict): run fails with 126; learn
 * must exec that same file (not fall back to the next PATH entry as
 * execvp() does) and so learn `exec:` of its directory, under which run
 * then passes.  Had learn run /usr/bin/true, nothing would be learned and
 * run would still give 126.
 */
TEST(learn_resolves_like_run)
{
	char shims[4096], tool[4200], pathenv[8400];
	struct run_opts o = { 0 };
	struct run ran, learned;
	const char *env[2] = { pathenv, NULL };

	if (!have_stockade())
		return;
	if (!make_tmpdir(shims, sizeof(shims), "/var/tmp", "shims"))
		return;
	snprintf(tool, sizeof(tool), "%s/true", shims);
	if (!write_file(tool, "#!/bin/sh\nexit 0\n") || chmod(tool, 0755) < 0) {
		rm_rf(shims);
		SKIP("cannot write a script in /var/tmp");
	}
	snprintf(pathenv, sizeof(pathenv), "PATH=%s:/usr/bin:/bin", shims);
	o.env = env;
	run_cmd_opts(ARGV(stockade_bin(), "run", "--preset", "strict", "--", "true"), &o, &ran);
	const char *learned_yaml = tmp_path("shim.yaml");

	run_cmd_opts(ARGV(stockade_bin(), "learn", "--base", "strict", "-o", learned_yaml, "--", "true"), &o, &learned);
	if (ran.outcome == 0) {
		rm_rf(shims);
		SKIP("strict executes from /var/tmp here: no shim case to test");
	}
	CHECK_MSG(ran.outcome == EXEC_NOT_EXECUTABLE, "run gives %d:\n%s", ran.outcome, ran.out);
	CHECK_OUTCOME(&learned, 0, "learn");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", learned_yaml, "--", "true"), &o, &ran);
	CHECK_OUTCOME(&ran, 0, "run under the learned policy");
	rm_rf(shims);
}
