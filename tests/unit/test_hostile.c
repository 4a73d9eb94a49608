/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hostile input: oversized policies, deep nesting, rule floods, alias bombs,
 * NUL bytes, self-including and symlinked policy paths, FIFOs, unknown
 * architectures, and the inputs the fuzzers found (tests/fuzz/).
 *
 * Each must give a clear error (or a bounded-time result), never a crash,
 * and never a partially applied policy: every case starts from the agent
 * preset and checks that a refused input added no layer and that the plan
 * still builds.  Inputs that could run away are run in a child under a
 * generous watchdog, so a regression fails the test instead of hanging
 * the tier; no case asserts a speed.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plan/plan.h"
#include "seccomp/sim.h"
#include "../harness.h"

#define WATCHDOG_SECONDS 120

/* ---- helpers ---- */

/* A text built with repeated pieces: head, `n` times piece, tail. */
static char *repeat(const char *head, const char *piece, size_t n, const char *tail, size_t *len)
{
	size_t hl = strlen(head), pl = strlen(piece), tl = strlen(tail);
	char *s = malloc(hl + pl * n + tl + 1), *p = s;

	if (!s)
		abort();
	memcpy(p, head, hl);
	p += hl;
	for (size_t i = 0; i < n; i++, p += pl)
		memcpy(p, piece, pl);
	memcpy(p, tail, tl);
	p += tl;
	*p = '\0';
	*len = (size_t)(p - s);
	return s;
}

/* A policy holding the agent preset. */
static stockade_policy *agent_policy(void)
{
	stockade_policy *p = NULL;

	if (stockade_policy_new(&p, NULL) < 0 || stockade_policy_add_preset(p, "agent", NULL) < 0)
		abort();
	return p;
}

/* After a refusal: nothing was added, and what was there still builds. */
static void check_untouched(stockade_policy *p, size_t nlayers, int line)
{
	stockade_plan *plan = NULL;

	CHECK_MSG(p->nlayers == nlayers, "line %d: %zu layers after a refused input, want %zu", line, p->nlayers,
		  nlayers);
	CHECK_MSG(stockade_plan_build(p, &plan, NULL) == 0, "line %d: the remaining policy no longer builds", line);
	stockade_plan_free(plan);
}

/* Push `text` on top of agent: it must fail with `status` and a message
 * containing `want`. */
static void expect_text_error(int line, const char *text, size_t len, int status, const char *want)
{
	stockade_policy *p = agent_policy();
	stockade_error *err = NULL;
	int ret = stockade_policy_add_text(p, "hostile.yaml", text, len, &err);

	CHECK_MSG(ret == -status, "line %d: returned %d, want %d (%s)", line, ret, -status,
		  err && err->msg ? err->msg : "no message");
	CHECK_MSG(err && err->msg && strstr(err->msg, want), "line %d: message \"%s\" lacks \"%s\"", line,
		  err && err->msg ? err->msg : "(none)", want);
	check_untouched(p, 1, line);
	stockade_error_free(err);
	stockade_policy_free(p);
}

/* Push `text` on top of agent (it parses), then building must fail with
 * `status` and a message containing `want`. */
static void expect_build_error(int line, const char *text, size_t len, int status, const char *want)
{
	stockade_policy *p = agent_policy();
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	int ret = stockade_policy_add_text(p, "hostile.yaml", text, len, &err);

	CHECK_MSG(ret == 0, "line %d: the text should parse: %s", line, err && err->msg ? err->msg : "?");
	if (ret == 0) {
		ret = stockade_plan_build(p, &plan, &err);
		CHECK_MSG(ret == -status, "line %d: build returned %d, want %d (%s)", line, ret, -status,
			  err && err->msg ? err->msg : "no message");
		CHECK_MSG(err && err->msg && strstr(err->msg, want), "line %d: message \"%s\" lacks \"%s\"", line,
			  err && err->msg ? err->msg : "(none)", want);
		CHECK_MSG(plan == NULL, "line %d: a failed build returned a plan", line);
	}
	stockade_plan_free(plan);
	stockade_error_free(err);
	stockade_policy_free(p);
}

/* Run fn in a child under a watchdog; its failed checks fail this test. */
static void bounded(const char *what, void (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	CHECK(pid >= 0);
	if (pid < 0)
		return;
	if (pid == 0) {
		int before = harness_failed_checks;
		alarm(WATCHDOG_SECONDS);
		fn();
		fflush(stderr);
		_exit(harness_failed_checks != before ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		CHECK_MSG(false, "%s: killed by signal %d%s", what, WTERMSIG(status),
			  WTERMSIG(status) == SIGALRM ? " (still running after the watchdog's 120 s)" : "");
	else
		CHECK_MSG(WEXITSTATUS(status) == 0, "%s: failed (see above)", what);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static bool make_tmpdir(char *buf, size_t size)
{
	const char *base = getenv("TMPDIR");

	snprintf(buf, size, "%s/stockade-hostile-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(buf)) {
		CHECK_MSG(false, "mkdtemp: %s", strerror(errno));
		return false;
	}
	return true;
}

static void put_file(const char *dir, const char *name, const char *text, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK_MSG(f != NULL, "%s: %s", path, strerror(errno));
	if (!f)
		return;
	CHECK(fwrite(text, 1, len, f) == len);
	fclose(f);
}

/* Load dir/name on top of agent: it must fail with `status` and a message
 * containing `want` (or succeed when status is 0). */
static void expect_file(int line, const char *dir, const char *name, int status, const char *want)
{
	char path[4096];
	stockade_policy *p = agent_policy();
	stockade_error *err = NULL;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = stockade_policy_add_file(p, path, &err);
	CHECK_MSG(ret == -status, "line %d: %s: returned %d, want %d (%s)", line, name, ret, -status,
		  err && err->msg ? err->msg : "no message");
	if (status) {
		CHECK_MSG(err && err->msg && strstr(err->msg, want), "line %d: message \"%s\" lacks \"%s\"", line,
			  err && err->msg ? err->msg : "(none)", want);
		check_untouched(p, 1, line);
	}
	stockade_error_free(err);
	stockade_policy_free(p);
}

/* ---- size ---- */

static void ten_megabytes(void)
{
	size_t len;
	/* Valid YAML all the way: a comment of 10 MB. */
	char *text = repeat("version: 1\n# ", "0123456789abcdef", 10 * 1024 * 1024 / 16, "\n", &len);
	char dir[256];

	expect_text_error(__LINE__, text, len, EFBIG, "the limit is");
	if (make_tmpdir(dir, sizeof(dir))) {
		put_file(dir, "big.yaml", text, len);
		expect_file(__LINE__, dir, "big.yaml", EFBIG, "the limit is");
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	free(text);
}

TEST(hostile_ten_megabyte_policy)
{
	bounded("10 MB policy", ten_megabytes);
}

/* ---- nesting ---- */

static void deep_nesting(void)
{
	size_t len, len2;
	char *open, *both, *block, *maps;

	/* libyaml's scanner takes O(depth) per token in flow collections:
	 * 100k nested `[` took minutes (a million, hours).  The depth is
	 * checked first; no stack overflow either way. */
	open = repeat("version: 1\nname: ", "[", 100000, "\n", &len);
	expect_text_error(__LINE__, open, len, EINVAL, "nested more than 64 levels deep");
	free(open);

	/* Closed, so valid YAML. */
	open = repeat("version: 1\nname: ", "[", 100000, "", &len);
	both = repeat(open, "]", 100000, "\n", &len2);
	expect_text_error(__LINE__, both, len2, EINVAL, "hostile.yaml:2:");
	expect_text_error(__LINE__, both, len2, EINVAL, "nested more than 64 levels deep");
	free(open);
	free(both);

	/* Flow mappings, and block sequences ("- - - - x") as deep. */
	open = repeat("version: 1\nseccomp: ", "{a: ", 50000, "", &len);
	maps = repeat(open, "}", 50000, "\n", &len2);
	expect_text_error(__LINE__, maps, len2, EINVAL, "nested more than 64 levels deep");
	free(open);
	free(maps);
	block = repeat("version: 1\nname:\n", "- ", 100000, "x\n", &len);
	expect_text_error(__LINE__, block, len, EINVAL, "nested more than 64 levels deep");
	free(block);

	/* Just under the limit is still only a misplaced list. */
	open = repeat("version: 1\nname: ", "[", 63, "", &len);
	both = repeat(open, "]", 63, "\n", &len2);
	expect_text_error(__LINE__, both, len2, EINVAL, "name must be a single value");
	free(open);
	free(both);
}

TEST(hostile_deep_nesting)
{
	bounded("deeply nested YAML", deep_nesting);
}

/* ---- rule floods ---- */

static void rule_floods(void)
{
	size_t len;
	char *text;

	/* 100k rules through aliases (7 bytes each): over the list limit. */
	text = repeat("version: 1\nseccomp:\n  rules:\n  - &r {syscall: getpid, args: [\"arg0 == 1\"], action: allow}\n",
		      "  - *r\n", 100000, "", &len);
	expect_text_error(__LINE__, text, len, EINVAL, "too many rules; the limit is 4096");
	free(text);

	/* 1000 aliased copies of one rule: one node, so one origin, like the
	 * alternatives of a `& MASK` rule; accepted, and compiled in bounded
	 * time (libseccomp merges the copies). */
	text = repeat("version: 1\nseccomp:\n  rules:\n  - &r {syscall: getpid, args: [\"arg0 == 1\"], action: kill}\n",
		      "  - *r\n", 1000, "", &len);
	{
		stockade_policy *p = agent_policy();
		stockade_plan *plan = NULL;
		void *prog = NULL;
		size_t bytes = 0;
		CHECK(stockade_policy_add_text(p, "aliases.yaml", text, len, NULL) == 0);
		CHECK(stockade_plan_build(p, &plan, NULL) == 0);
		if (plan)
			CHECK(stockade_plan_compile_bpf(plan, 0, &prog, &bytes, NULL) == 0 && bytes > 0);
		free(prog);
		stockade_plan_free(plan);
		stockade_policy_free(p);
	}
	free(text);

	/* 256 rules of 64 alternatives each (one per bit of the mask) are
	 * 16384 rules: refused when parsed, instead of a planner that would
	 * take minutes (the square of the rules of one syscall). */
	{
		char *buf = malloc(256 * 128 + 64), *p = buf;
		p += sprintf(p, "version: 1\nseccomp:\n  rules:\n");
		for (int k = 0; k < 256; k++)
			p += sprintf(p, "  - {syscall: getpid, args: [\"arg0 == %d\", \"arg1 & 0xffffffffffffffff\"], "
					"action: allow}\n", k + 1);
		expect_text_error(__LINE__, buf, (size_t)(p - buf), EINVAL, "the rules expand to more than 4096");
		free(buf);
	}

	/* 1025 distinct rules on one syscall: refused by the planner. */
	{
		char *buf = malloc(1025 * 80 + 64), *p = buf;
		p += sprintf(p, "version: 1\nseccomp:\n  rules:\n");
		for (int k = 0; k < 1025; k++)
			p += sprintf(p, "  - {syscall: getpid, args: [\"arg0 == %d\"], action: allow}\n", k + 1);
		expect_build_error(__LINE__, buf, (size_t)(p - buf), E2BIG, "more than 1024 argument rules");
		free(buf);
	}

	/* 3000 rules in each of two layers: over the policy-wide limit. */
	{
		char *buf = malloc(3000 * 80 + 64), *p = buf;
		stockade_policy *pol = agent_policy();
		stockade_plan *plan = NULL;
		stockade_error *err = NULL;
		static const char *const calls[] = { "getpid", "getppid", "getuid", "getgid" };

		p += sprintf(p, "version: 1\nseccomp:\n  rules:\n");
		for (int k = 0; k < 3000; k++)
			p += sprintf(p, "  - {syscall: %s, args: [\"arg0 == %d\"], action: allow}\n", calls[k % 4], k + 1);
		CHECK(stockade_policy_add_text(pol, "a.yaml", buf, (size_t)(p - buf), NULL) == 0);
		CHECK(stockade_policy_add_text(pol, "b.yaml", buf, (size_t)(p - buf), NULL) == 0);
		CHECK_INT_EQ(stockade_plan_build(pol, &plan, &err), -E2BIG);
		CHECK_STR_CONTAINS(err ? err->msg : NULL, "the limit is 4096");
		stockade_plan_free(plan);
		stockade_error_free(err);
		stockade_policy_free(pol);
		free(buf);
	}
}

TEST(hostile_rule_floods)
{
	bounded("rule floods", rule_floods);
}

/* ---- aliases ---- */

static void alias_bombs(void)
{
	/* The "billion laughs": libyaml's loader shares aliased nodes, and
	 * the parser refuses a list where a value is expected. */
	static const char laughs[] = "version: 1\n"
				     "name: &a9\n"
				     "  - &a8 [&a7 [&a6 [&a5 [&a4 [&a3 [&a2 [&a1 [lol, lol, lol, lol]]]]]]]]\n"
				     "seccomp:\n"
				     "  allow: [*a9, *a9, *a9, *a9, *a9, *a9, *a9, *a9, *a9]\n"
				     "  deny: [*a8, *a8, *a8, *a8, *a8, *a8, *a8, *a8, *a8]\n";
	expect_text_error(__LINE__, laughs, sizeof(laughs) - 1, EINVAL, "name must be a single value");

	/* Wide fan-out where lists are allowed: 4096 aliases of a 4096-entry
	 * list, each entry a group (the duplicate check stops it). */
	{
		size_t len;
		char *text = repeat("version: 1\nseccomp:\n  allow: &l [\"@basic-io\"", ", \"@basic-io\"", 4095,
				    "]\n  deny: *l\n", &len);
		expect_text_error(__LINE__, text, len, EINVAL, "listed twice");
		free(text);
	}

	/* A node that refers to itself. */
	static const char cycle[] = "version: 1\nseccomp: &s {rules: *s}\n";
	stockade_policy *p = agent_policy();
	stockade_error *err = NULL;
	CHECK(stockade_policy_add_text(p, "cycle.yaml", cycle, sizeof(cycle) - 1, &err) == -EINVAL);
	CHECK(err && err->msg && *err->msg);
	check_untouched(p, 1, __LINE__);
	stockade_error_free(err);
	stockade_policy_free(p);

	/* Merge keys are not special: an unknown key. */
	static const char merge[] = "version: 1\nseccomp:\n  <<: {allow: [ptrace]}\n";
	expect_text_error(__LINE__, merge, sizeof(merge) - 1, EINVAL, "unknown key `<<`");
}

TEST(hostile_alias_bombs)
{
	bounded("YAML aliases", alias_bombs);
}

/* ---- bytes ---- */

TEST(hostile_bytes)
{
	static const char raw_nul[] = "version: 1\nseccomp:\n  deny: [ptrace]\0  allow: [ptrace]\n";
	static const char esc_nul[] = "version: 1\nseccomp:\n  deny: [\"ptr\\0ace\"]\n";
	static const char esc_nul_cond[] =
		"version: 1\nseccomp:\n  rules:\n  - {syscall: kill, args: [\"arg1 == 9\\0 | 1\"], action: allow}\n";
	static const char bad_utf8[] = "version: 1\nname: \xff\xfe\n";
	static const char big_num[] = "version: 1\nseccomp:\n  rules:\n"
				      "  - {syscall: kill, args: [\"arg1 == 99999999999999999999999\"], action: allow}\n";
	static const char wide_num[] = "version: 1\nseccomp:\n  rules:\n"
				       "  - {syscall: kill, args: [\"arg1 == 0x1ffffffffffffffff\"], action: allow}\n";
	static const char neg_num[] = "version: 1\nseccomp:\n  rules:\n"
				      "  - {syscall: kill, args: [\"arg1 == -1\"], action: allow}\n";

	expect_text_error(__LINE__, raw_nul, sizeof(raw_nul) - 1, EINVAL, "NUL byte");
	expect_text_error(__LINE__, esc_nul, sizeof(esc_nul) - 1, EINVAL, "NUL byte");
	expect_text_error(__LINE__, esc_nul_cond, sizeof(esc_nul_cond) - 1, EINVAL, "NUL byte");
	expect_text_error(__LINE__, bad_utf8, sizeof(bad_utf8) - 1, EINVAL, "YAML syntax error");
	expect_text_error(__LINE__, big_num, sizeof(big_num) - 1, EINVAL, "expected a number");
	expect_text_error(__LINE__, wide_num, sizeof(wide_num) - 1, EINVAL, "expected a number");
	expect_text_error(__LINE__, neg_num, sizeof(neg_num) - 1, EINVAL, "expected a number");

	/* A constant name longer than any buffer that holds one. */
	{
		size_t len;
		char *text = repeat("version: 1\nseccomp:\n  rules:\n  - {syscall: kill, args: [\"arg1 == ", "A", 5000,
				    "\"], action: allow}\n", &len);
		expect_text_error(__LINE__, text, len, EINVAL, "unknown constant");
		free(text);
	}
	/* A syscall name as long as a line can be. */
	{
		size_t len;
		char *text = repeat("version: 1\nseccomp:\n  deny: [", "x", 500000, "]\n", &len);
		expect_text_error(__LINE__, text, len, EINVAL, "unknown syscall");
		free(text);
	}
}

/* ---- paths ---- */

TEST(hostile_self_include)
{
	char dir[256], path[512];
	stockade_policy *p;

	if (!make_tmpdir(dir, sizeof(dir)))
		return;
	put_file(dir, "self.yaml", "version: 1\nextends: self.yaml\n", 30);
	expect_file(__LINE__, dir, "self.yaml", ELOOP, "does a policy include itself?");
	put_file(dir, "a.yaml", "version: 1\nextends: ./b.yaml\n", 29);
	put_file(dir, "b.yaml", "version: 1\nextends: ./a.yaml\n", 29);
	expect_file(__LINE__, dir, "a.yaml", ELOOP, "does a policy include itself?");
	/* By absolute path too. */
	snprintf(path, sizeof(path), "version: 1\nextends: %s/abs.yaml\n", dir);
	put_file(dir, "abs.yaml", path, strlen(path));
	expect_file(__LINE__, dir, "abs.yaml", ELOOP, "does a policy include itself?");
	/* A chain of 20 distinct files: as deep as a loop. */
	for (int i = 0; i < 20; i++) {
		char name[32], text[64];
		snprintf(name, sizeof(name), "c%d.yaml", i);
		snprintf(text, sizeof(text), "version: 1\nextends: c%d.yaml\n", i + 1);
		put_file(dir, name, text, strlen(text));
	}
	put_file(dir, "c20.yaml", "version: 1\n", 11);
	expect_file(__LINE__, dir, "c0.yaml", ELOOP, "nested more than");
	/* Whatever was loaded of the chain before the error is gone. */
	p = agent_policy();
	snprintf(path, sizeof(path), "%s/c0.yaml", dir);
	CHECK(stockade_policy_add_file(p, path, NULL) == -ELOOP);
	CHECK_INT_EQ(p->nlayers, 1);
	stockade_policy_free(p);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TEST(hostile_symlinks)
{
	char dir[256], target[512], link[512];
	stockade_policy *p;
	stockade_plan *plan = NULL;

	if (!make_tmpdir(dir, sizeof(dir)))
		return;
	CHECK(snprintf(target, sizeof(target), "%s/real", dir) > 0 && mkdir(target, 0755) == 0);
	static const char linked[] = "version: 1\nname: linked\nextends: agent\nseccomp: {deny: [getpid]}\n";
	put_file(target, "policy.yaml", linked, sizeof(linked) - 1);

	/* A symlinked policy works, and errors name the path as given. */
	snprintf(target, sizeof(target), "%s/real/policy.yaml", dir);
	snprintf(link, sizeof(link), "%s/link.yaml", dir);
	CHECK(symlink(target, link) == 0);
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK_INT_EQ(stockade_policy_add_file(p, link, NULL), 0);
	CHECK_INT_EQ(p->nlayers, 2);
	CHECK(stockade_plan_build(p, &plan, NULL) == 0);
	if (plan)
		CHECK_STR_CONTAINS(plan->name, "linked");
	stockade_plan_free(plan);
	stockade_policy_free(p);

	/* A loop of links, a dangling link, a link to a directory. */
	snprintf(target, sizeof(target), "%s/loop2.yaml", dir);
	snprintf(link, sizeof(link), "%s/loop1.yaml", dir);
	CHECK(symlink(target, link) == 0 && symlink(link, target) == 0);
	expect_file(__LINE__, dir, "loop1.yaml", ELOOP, "cannot open policy");
	snprintf(target, sizeof(target), "%s/nowhere.yaml", dir);
	snprintf(link, sizeof(link), "%s/dangling.yaml", dir);
	CHECK(symlink(target, link) == 0);
	expect_file(__LINE__, dir, "dangling.yaml", ENOENT, "cannot open policy");
	snprintf(target, sizeof(target), "%s/real", dir);
	snprintf(link, sizeof(link), "%s/dir.yaml", dir);
	CHECK(symlink(target, link) == 0);
	expect_file(__LINE__, dir, "dir.yaml", EINVAL, "is not a regular file");
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char fifo_dir[256];

static void open_fifo(void)
{
	expect_file(__LINE__, fifo_dir, "fifo.yaml", EINVAL, "is not a regular file");
}

TEST(hostile_special_files)
{
	char path[512];

	/* A FIFO nobody writes to must be refused, not waited on. */
	if (make_tmpdir(fifo_dir, sizeof(fifo_dir))) {
		snprintf(path, sizeof(path), "%s/fifo.yaml", fifo_dir);
		CHECK(mkfifo(path, 0600) == 0);
		bounded("a FIFO as the policy", open_fifo);
		nftw(fifo_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	expect_file(__LINE__, "/dev", "zero", EINVAL, "is not a regular file");
	expect_file(__LINE__, "/dev", "null", EINVAL, "is not a regular file");
	expect_file(__LINE__, "/", "", EINVAL, "is not a regular file");
	/* /proc files claim to be empty and are not: an error either way. */
	{
		stockade_policy *p = agent_policy();
		stockade_error *err = NULL;
		CHECK(stockade_policy_add_file(p, "/proc/self/status", &err) < 0);
		CHECK(err && err->msg && *err->msg);
		check_untouched(p, 1, __LINE__);
		stockade_error_free(err);
		stockade_policy_free(p);
	}
}

/* ---- architectures ---- */

TEST(hostile_arch_names)
{
	static const char *const bad[] = { "", "sparc", "x86-64", "x86_64 ", " x86_64", "x86_64\n", "arm64e",
					   "aarch64\x01", "SCMP_ARCH_X86_64", "0xc000003e", "nativ" };
	char longname[5000];
	uint32_t token = 12345;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		token = 12345;
		CHECK_MSG(stockade_arch_from_name(bad[i], &token) == -EINVAL, "`%s` accepted", bad[i]);
		CHECK_MSG(token == 12345, "`%s` changed the token on failure", bad[i]);
	}
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_INT_EQ(stockade_arch_from_name(longname, &token), -EINVAL);
	CHECK_INT_EQ(stockade_arch_from_name(NULL, &token), -EINVAL);
	CHECK_INT_EQ(stockade_arch_from_name("x86_64", NULL), -EINVAL);
	CHECK(stockade_arch_from_name("X86_64", &token) == 0 && token == SCMP_ARCH_X86_64);
	CHECK(stockade_arch_name(0x12345678) == NULL);
	CHECK(stockade_arch_name(SCMP_ARCH_PPC64) == NULL);

	/* Compiling for an unknown token is an error, not a filter. */
	stockade_policy *p = agent_policy();
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	void *prog = (void *)1;
	size_t len = 99;
	CHECK(stockade_plan_build(p, &plan, NULL) == 0);
	if (plan) {
		CHECK_INT_EQ(stockade_plan_compile_bpf(plan, 0x12345678, &prog, &len, &err), -EINVAL);
		CHECK(prog == NULL && len == 0);
		CHECK_STR_CONTAINS(err ? err->msg : NULL, "architecture");
	}
	stockade_error_free(err);
	stockade_plan_free(plan);
	stockade_policy_free(p);
}

/* ---- found by the fuzzers (tests/fuzz/regressions/) ---- */

TEST(hostile_fuzz_oci_empty_syscalls)
{
	/* fuzz_oci: a profile whose syscalls all drop out reached
	 * qsort(NULL, 0, ...), undefined behaviour (UBSan). */
	static const char profile[] = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[]}";
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	char dir[256], path[512];

	if (!make_tmpdir(dir, sizeof(dir)))
		return;
	put_file(dir, "empty.json", profile, sizeof(profile) - 1);
	snprintf(path, sizeof(path), "%s/empty.json", dir);
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK_INT_EQ(stockade_policy_add_oci(p, path, NULL), 0);
	CHECK(stockade_plan_build(p, &plan, NULL) == 0);
	stockade_plan_free(plan);
	stockade_policy_free(p);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- found by the fuzzers: the filter compiler (tests/fuzz/regressions/policy) ---- */

/* What the compiled x86_64 filter of `text` (on its own, no preset) returns
 * for name(args), through the BPF simulator; 0xdead if it cannot say. */
static uint32_t filter_says(const char *text, const char *name, uint64_t a0, uint64_t a1, uint64_t a2,
			    uint64_t a5)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	void *prog = NULL;
	size_t bytes = 0;
	uint32_t ret = 0xdead;
	struct seccomp_data d = { .arch = SCMP_ARCH_X86_64, .args = { a0, a1, a2, 0, 0, a5 } };
	struct sk_sim_result r;

	d.nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);
	if (stockade_policy_new(&p, &err) == 0 &&
	    stockade_policy_add_text(p, "fuzz.yaml", text, strlen(text), &err) == 0 &&
	    stockade_plan_build(p, &plan, &err) == 0 &&
	    stockade_plan_compile_bpf(plan, SCMP_ARCH_X86_64, &prog, &bytes, &err) == 0 &&
	    sk_sim_run(prog, bytes / sizeof(struct sock_filter), &d, &r) == 0)
		ret = r.ret;
	else
		CHECK_MSG(false, "%s: %s", name, err && err->msg ? err->msg : "the simulator refused the filter");
	free(prog);
	stockade_error_free(err);
	stockade_plan_free(plan);
	stockade_policy_free(p);
	return ret;
}

#define RET_ALLOW 0x7fff0000u
#define RET_ERRNO(e) (0x00050000u | (e))

static void libseccomp_patterns(void)
{
	/* libseccomp 2.5.4 never returned from seccomp_rule_add_array(). */
	static const char hiword[] = "version: 1\nseccomp:\n  rules:\n"
				     "    - {syscall: mmap, args: [\"arg1 > 5\", \"arg2 == 0x100000000\"], action: \"errno:EPERM\"}\n"
				     "    - {syscall: mmap, args: [\"arg1 > 5\", \"arg2 == 0x200000000\"], action: \"errno:EPERM\"}\n";
	static const char socket_list[] = "version: 1\nseccomp:\n  rules:\n"
					  "    - {syscall: socket, args: [\"arg0 == 10\"], action: allow}\n"
					  "    - {syscall: socket, args: [\"arg5 == 2\"], action: allow}\n"
					  "    - {syscall: socket, args: [\"arg5 == 16\"], action: allow}\n"
					  "    - {syscall: socket, action: \"errno:EAFNOSUPPORT\"}\n";
	/* libseccomp 2.5.4 dropped the second rule: getpid(8, ..., 1) passed. */
	static const char dropped[] = "version: 1\nseccomp:\n  rules:\n"
				      "    - {syscall: getpid, args: [\"arg5 == 0\"], action: \"errno:EPERM\"}\n"
				      "    - {syscall: getpid, args: [\"arg0 == 8\"], action: \"errno:EPERM\"}\n";

	CHECK_INT_EQ(filter_says(hiword, "mmap", 0, 6, 0x100000000, 0), RET_ERRNO(EPERM));
	CHECK_INT_EQ(filter_says(hiword, "mmap", 0, 6, 0x200000000, 0), RET_ERRNO(EPERM));
	CHECK_INT_EQ(filter_says(hiword, "mmap", 0, 5, 0x100000000, 0), RET_ALLOW);
	CHECK_INT_EQ(filter_says(hiword, "mmap", 0, 6, 0x300000000, 0), RET_ALLOW);

	CHECK_INT_EQ(filter_says(socket_list, "socket", 10, 1, 0, 0), RET_ALLOW);
	CHECK_INT_EQ(filter_says(socket_list, "socket", 1, 1, 0, 2), RET_ALLOW);
	CHECK_INT_EQ(filter_says(socket_list, "socket", 1, 1, 0, 16), RET_ALLOW);
	CHECK_INT_EQ(filter_says(socket_list, "socket", 1, 1, 0, 4), RET_ERRNO(EAFNOSUPPORT));
	CHECK_INT_EQ(filter_says(socket_list, "socket", 1, 1, 0, 0x100000002), RET_ERRNO(EAFNOSUPPORT));

	CHECK_INT_EQ(filter_says(dropped, "getpid", 8, 0, 0, 1), RET_ERRNO(EPERM));
	CHECK_INT_EQ(filter_says(dropped, "getpid", 7, 0, 0, 0), RET_ERRNO(EPERM));
	CHECK_INT_EQ(filter_says(dropped, "getpid", 7, 0, 0, 1), RET_ALLOW);
}

TEST(hostile_fuzz_libseccomp_patterns)
{
	bounded("policies libseccomp 2.5.4 hung on or miscompiled", libseccomp_patterns);
}
