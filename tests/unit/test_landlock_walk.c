/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The expansion of the filesystem lists into rules on a scratch tree: each
 * grant, with carve-outs split into grants of the entries beside them (no
 * Landlock syscall: sk_fs_walk hands the rules to a callback), with and
 * without openat2, through links, unlistable directories and the listings
 * the carve-outs share with the walk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock/landlock.h"
#include "plan_helpers.h"

/* Landlock access bits, as the kernel defines them. */
#define A_EXEC (1ULL << 0)
#define A_WRITE (1ULL << 1)
#define A_READ (1ULL << 2)
#define A_DIR (1ULL << 3)
#define A_MAKE_REG (1ULL << 8)
#define A_REFER (1ULL << 13)
#define A_TRUNCATE (1ULL << 14)

/* ---- carve-outs on a scratch tree ---- */

struct rule_log {
	char paths[256][PATH_MAX];
	uint64_t access[256];
	size_t n;
};

static int log_rule(void *ctx, int fd, const char *path, uint64_t access)
{
	struct rule_log *l = ctx;

	CHECK(fd >= 0);
	if (l->n < 256) {
		snprintf(l->paths[l->n], PATH_MAX, "%s", path);
		l->access[l->n++] = access;
	}
	return 0;
}

/* The access of the rules on `path` (0: no rule of its own). */
static int64_t rule_on(const struct rule_log *l, const char *root, const char *rel)
{
	char want[PATH_MAX];
	int64_t found = 0;

	snprintf(want, sizeof(want), "%s%s%s", root, *rel ? "/" : "", rel);
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->paths[i], want))
			found |= (int64_t)l->access[i];
	return found;
}

static void touch(const char *root, const char *rel, bool dir)
{
	char p[PATH_MAX];
	int len = snprintf(p, sizeof(p), "%s/%s", root, rel);

	CHECK(len > 0 && (size_t)len < sizeof(p));
	if (dir) {
		mkdir(p, 0755);
	} else {
		int fd = open(p, O_WRONLY | O_CREAT, 0644);
		if (fd >= 0)
			close(fd);
	}
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* A scratch directory (root, a mkdtemp template) and its canonical path,
 * with home and work in it, and a rule log; NULL (a failed check) if not. */
static struct rule_log *scratch_tree(char *root, char *real)
{
	struct rule_log *log = calloc(1, sizeof(*log));

	if (!log || !mkdtemp(root) || !realpath(root, real)) {
		CHECK(!"scratch dir");
		free(log);
		return NULL;
	}
	touch(real, "home", true);
	touch(real, "work", true);
	return log;
}

/* Walk `text` (a policy) with HOME and CWD at root/home and root/work. */
static stockade_plan *walk(const char *root, const char *text, struct rule_log *log, struct sk_fs_walk_stats *st,
			   const char *upper)
{
	char home[PATH_MAX], cwd[PATH_MAX], tmp[] = "/nonexistent-tmp";
	struct sk_path_env env = { .home = home, .cwd = cwd, .tmpdir = tmp };
	stockade_plan *plan = plan_from(text, upper, (const char *)NULL);
	stockade_error *err = NULL;

	snprintf(home, sizeof(home), "%s/home", root);
	snprintf(cwd, sizeof(cwd), "%s/work", root);
	memset(log, 0, sizeof(*log));
	if (plan && sk_fs_walk(&plan->access, &env, ~0ULL, log_rule, log, st, &err) < 0)
		CHECK_MSG(0, "walk: %s", err && err->msg ? err->msg : "?");
	stockade_error_free(err);
	return plan;
}

TEST(landlock_carve_outs_expand_to_siblings)
{
	char root[] = "/tmp/stockade-unit-ll.XXXXXX", real[PATH_MAX], link[PATH_MAX], target[PATH_MAX];
	struct sk_fs_walk_stats st;
	struct rule_log *log = scratch_tree(root, real);
	stockade_plan *p;

	if (!log)
		return;
	touch(real, "home/.ssh", true);
	touch(real, "home/.ssh/id_rsa", false);
	touch(real, "home/.ssh/id_rsa.pub", false);
	touch(real, "home/.ssh/known_hosts", false);
	touch(real, "home/.aws", true);
	touch(real, "home/.aws/credentials", false);
	touch(real, "home/proj", true);
	touch(real, "home/.profile", false);
	touch(real, "work/.git", true);
	touch(real, "work/.git/hooks", true);
	touch(real, "work/.git/objects", true);
	touch(real, "work/.git/config", false);
	touch(real, "work/src", true);
	if (snprintf(link, sizeof(link), "%s/home/aws-link", real) >= (int)sizeof(link) ||
	    snprintf(target, sizeof(target), "%s/home/.aws", real) >= (int)sizeof(target))
		abort();
	CHECK(symlink(target, link) == 0);

	/* read ~ minus ~/.ssh/id_* and ~/.aws (and a pattern matching nothing) */
	p = walk(real, "filesystem:\n  read: [~]\n  deny: [~/.ssh/id_*, ~/.aws, ~/.gnupg, \"~/.*_history\"]\n", log,
		 &st, NULL);
	CHECK_INT_EQ(rule_on(log, real, "home"), A_DIR);     /* listable, nothing more */
	CHECK_INT_EQ(rule_on(log, real, "home/.ssh"), A_DIR);
	CHECK_INT_EQ(rule_on(log, real, "home/.ssh/known_hosts"), A_READ);
	CHECK_INT_EQ(rule_on(log, real, "home/.ssh/id_rsa"), 0);
	CHECK_INT_EQ(rule_on(log, real, "home/.ssh/id_rsa.pub"), 0);
	CHECK_INT_EQ(rule_on(log, real, "home/.aws"), 0);
	CHECK_INT_EQ(rule_on(log, real, "home/aws-link"), 0); /* links are never granted */
	CHECK_INT_EQ(rule_on(log, real, "home/proj"), A_READ | A_DIR);
	CHECK_INT_EQ(rule_on(log, real, "home/.profile"), A_READ);
	CHECK_INT_EQ(st.split, 2);
	CHECK_INT_EQ(st.missing, 0);
	stockade_plan_free(p);

	/* A denied path behind a link is denied at its target. */
	p = walk(real, "filesystem:\n  read: [~]\n  deny: [~/aws-link]\n", log, &st, NULL);
	CHECK_INT_EQ(rule_on(log, real, "home/.aws"), 0);
	CHECK_INT_EQ(rule_on(log, real, "home/.ssh"), A_READ | A_DIR);
	stockade_plan_free(p);

	/* Same layer: a grant inside a carve-out is dropped; a higher layer's is kept. */
	p = walk(real, "filesystem:\n  read: [~, ~/.aws/credentials]\n  deny: [~/.aws]\n", log, &st, NULL);
	CHECK_INT_EQ(rule_on(log, real, "home/.aws/credentials"), 0);
	stockade_plan_free(p);
	p = walk(real, "filesystem:\n  read: [~]\n  deny: [~/.aws]\n", log, &st,
		 "filesystem:\n  read: [~/.aws/credentials]\n");
	CHECK_INT_EQ(rule_on(log, real, "home/.aws/credentials"), A_READ);
	stockade_plan_free(p);

	/* read_only: the write grant is split, the read rights stay. */
	p = walk(real, "filesystem:\n  write: [$CWD]\n  read_only: [$CWD/.git/hooks, $CWD/.git/config]\n", log, &st,
		 NULL);
	int64_t w = rule_on(log, real, "work"), g = rule_on(log, real, "work/.git");
	CHECK((w & A_READ) && (w & A_DIR) && !(w & A_MAKE_REG) && !(w & A_WRITE));
	CHECK((g & A_READ) && !(g & A_MAKE_REG));
	CHECK_INT_EQ(rule_on(log, real, "work/.git/hooks"), A_READ | A_DIR);
	CHECK_INT_EQ(rule_on(log, real, "work/.git/config"), A_READ);
	int64_t o = rule_on(log, real, "work/.git/objects"), s = rule_on(log, real, "work/src");
	CHECK((o & A_MAKE_REG) && (o & A_REFER) && (o & A_TRUNCATE) && (o & A_WRITE));
	CHECK(s == o);
	CHECK_INT_EQ(st.split_write, 2);
	stockade_plan_free(p);

	/* A missing grant is skipped and counted; exec includes read. */
	p = walk(real, "filesystem:\n  read: [$CWD/nope]\n  exec: [$CWD/src]\n", log, &st, NULL);
	CHECK_INT_EQ(st.missing, 1);
	CHECK_INT_EQ(rule_on(log, real, "work/src"), A_EXEC | A_READ | A_DIR);
	CHECK_INT_EQ(st.split, 0);
	stockade_plan_free(p);

	/* Rights a file cannot hold are dropped for files. */
	p = walk(real, "filesystem:\n  write: [~/.profile]\n", log, &st, NULL);
	int64_t f = rule_on(log, real, "home/.profile");
	CHECK((f & A_WRITE) && (f & A_READ) && !(f & A_DIR) && !(f & A_MAKE_REG));
	stockade_plan_free(p);

	nftw(real, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(log);
}

/* How many rules `path` got (a path walked by two grants gets two). */
static int rules_on(const struct rule_log *l, const char *root, const char *rel)
{
	char want[PATH_MAX];
	int n = 0, len = snprintf(want, sizeof(want), "%s%s%s", root, *rel ? "/" : "", rel);

	CHECK(len > 0 && (size_t)len < sizeof(want));
	for (size_t i = 0; i < l->n; i++)
		n += !strcmp(l->paths[i], want);
	return n;
}

static void link_at(const char *root, const char *target, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	CHECK(symlink(target, p) == 0);
}

/* The tree of the two tests below: links as carve-outs, in the middle of
 * carve-outs and as entries of split directories; carve-outs that name
 * nothing; a fifo; a working directory reached through a link. */
static bool links_tree(char *real)
{
	char root[] = "/tmp/stockade-unit-ll.XXXXXX", p[PATH_MAX];

	if (!mkdtemp(root) || !realpath(root, real))
		return false;
	touch(real, "home", true);
	touch(real, "work", true);
	touch(real, "elsewhere", true);
	touch(real, "elsewhere/netrc", false);
	touch(real, "elsewhere/other", false);
	touch(real, "elsewhere/hist", true);
	touch(real, "home/.config", true);
	touch(real, "home/.config/gh", true);
	touch(real, "home/.config/gh/hosts.yml", false);
	touch(real, "home/.config/gh/config.yml", false);
	touch(real, "home/.bash_history", false);
	touch(real, "home/plain", false);
	touch(real, "home/sub", true);
	link_at(real, "../elsewhere/netrc", "home/.netrc");   /* the last component is a link */
	link_at(real, "/nonexistent-stockade", "home/.npmrc"); /* dangling */
	link_at(real, ".config", "home/cfglink");	       /* a link on the way */
	link_at(real, "../elsewhere/hist", "home/.python_history");
	link_at(real, "sub", "home/link");
	link_at(real, "work", "worklink");
	snprintf(p, sizeof(p), "%s/home/fifo", real);
	CHECK(mkfifo(p, 0644) == 0);
	return true;
}

/* Walk the links tree with HOME at root/home and CWD at root/worklink. */
static stockade_plan *walk_links(const char *real, struct rule_log *log, struct sk_fs_walk_stats *st)
{
	char home[PATH_MAX], cwd[PATH_MAX], text[4 * PATH_MAX], tmp[] = "/nonexistent-tmp";
	struct sk_path_env env = { .home = home, .cwd = cwd, .tmpdir = tmp };
	stockade_error *err = NULL;
	stockade_plan *plan;

	snprintf(home, sizeof(home), "%s/home", real);
	snprintf(cwd, sizeof(cwd), "%s/worklink", real);
	snprintf(text, sizeof(text),
		 "filesystem:\n  read: [%s]\n  write: [$CWD, %s/work]\n"
		 "  deny: [~/.ssh/id_*, ~/.aws, ~/nothere/x, ~/.netrc, ~/.npmrc, ~/cfglink/gh/hosts.yml,"
		 " \"~/.*_history\", \"~/nothere/*\"]\n",
		 real, real);
	plan = plan_from(text, (const char *)NULL);
	memset(log, 0, sizeof(*log));
	memset(st, 0, sizeof(*st));
	if (plan && sk_fs_walk(&plan->access, &env, ~0ULL, log_rule, log, st, &err) < 0)
		CHECK_MSG(0, "walk: %s", err && err->msg ? err->msg : "?");
	stockade_error_free(err);
	return plan;
}

TEST(landlock_carve_outs_through_links_and_missing)
{
	char real[PATH_MAX];
	struct sk_fs_walk_stats st;
	struct rule_log *log = calloc(1, sizeof(*log));
	stockade_plan *p;

	if (!log || !links_tree(real)) {
		CHECK(!"scratch dir");
		free(log);
		return;
	}
	p = walk_links(real, log, &st);
	/* A carve-out that is a link carves its target; one with a link on
	 * the way carves the path the link leads to. */
	CHECK_INT_EQ(rule_on(log, real, "elsewhere"), A_DIR);
	CHECK_INT_EQ(rule_on(log, real, "elsewhere/netrc"), 0);
	CHECK_INT_EQ(rule_on(log, real, "elsewhere/hist"), 0);
	CHECK_INT_EQ(rule_on(log, real, "elsewhere/other"), A_READ);
	CHECK_INT_EQ(rule_on(log, real, "home/.config/gh"), A_DIR);
	CHECK_INT_EQ(rule_on(log, real, "home/.config/gh/hosts.yml"), 0);
	CHECK_INT_EQ(rule_on(log, real, "home/.config/gh/config.yml"), A_READ);
	CHECK_INT_EQ(rule_on(log, real, "home/.bash_history"), 0);
	/* Links in a split directory get no rule; a fifo gets file rights. */
	CHECK_INT_EQ(rule_on(log, real, "home"), A_DIR);
	CHECK_INT_EQ(rules_on(log, real, "home/.netrc") + rules_on(log, real, "home/.npmrc") +
			     rules_on(log, real, "home/cfglink") + rules_on(log, real, "home/link") +
			     rules_on(log, real, "home/.python_history") + rules_on(log, real, "worklink"),
		     0);
	CHECK_INT_EQ(rule_on(log, real, "home/fifo"), A_READ);
	CHECK_INT_EQ(rule_on(log, real, "home/plain"), A_READ);
	CHECK_INT_EQ(rule_on(log, real, "home/sub"), A_READ | A_DIR);
	/* $CWD through a link and the same directory by name: one grant. */
	CHECK_INT_EQ(rules_on(log, real, "work"), 2); /* read (split root) and write */
	/* Carve-outs that name nothing (~/.ssh, ~/.aws, ~/nothere, the
	 * dangling ~/.npmrc) are neither missing grants nor splits. */
	CHECK_INT_EQ(st.missing, 0);
	CHECK_INT_EQ(st.split, 5); /* root, elsewhere, home, .config, .config/gh */
	CHECK_INT_EQ(st.rules, log->n);
	stockade_plan_free(p);

	/* With nothing to carve, a grant stays one rule. */
	p = walk(real, "filesystem:\n  read: [~]\n  deny: [~/.ssh/id_*, ~/.aws, ~/nothere/x, ~/.npmrc]\n", log, &st,
		 NULL);
	CHECK_INT_EQ(log->n, 1);
	CHECK_INT_EQ(rule_on(log, real, "home"), A_READ | A_DIR);
	CHECK_INT_EQ(st.split, 0);
	CHECK_INT_EQ(st.missing, 0);
	stockade_plan_free(p);

	nftw(real, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(log);
}

/* openat2 (Linux 5.6) spares the walk a readlink per path component; where
 * it is missing or filtered, realpath() gives the same rules. */
TEST(landlock_walk_without_openat2)
{
	char real[PATH_MAX];
	struct sk_fs_walk_stats st, *fst;
	struct rule_log *log = calloc(1, sizeof(*log)), *flog;
	void *shared = mmap(NULL, sizeof(*flog) + sizeof(*fst), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			    -1, 0);
	stockade_plan *p;
	int status = -1;
	pid_t pid;

	if (!log || shared == MAP_FAILED || !links_tree(real)) {
		CHECK(!"scratch dir");
		free(log);
		return;
	}
	flog = shared;
	fst = (struct sk_fs_walk_stats *)(flog + 1);
	p = walk_links(real, log, &st);
	stockade_plan_free(p);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

		if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0) < 0 ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(ctx) < 0)
			_exit(2);
		stockade_plan_free(walk_links(real, flog, fst));
		_exit(harness_failed_checks ? 1 : 0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2) {
		nftw(real, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(log);
		munmap(shared, sizeof(*flog) + sizeof(*fst));
		SKIP("cannot load a seccomp filter here");
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_INT_EQ(flog->n, log->n);
	for (size_t i = 0; i < log->n && i < flog->n; i++) {
		CHECK_MSG(!strcmp(flog->paths[i], log->paths[i]), "%s vs %s", flog->paths[i], log->paths[i]);
		CHECK_INT_EQ(flog->access[i], log->access[i]);
	}
	CHECK_INT_EQ(fst->split, st.split);
	CHECK_INT_EQ(fst->missing, st.missing);
	CHECK_INT_EQ(fst->rules, st.rules);
	nftw(real, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(log);
	munmap(shared, sizeof(*flog) + sizeof(*fst));
}

static int chown_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return lchown(path, 65534, 65534) < 0 ? -1 : 0;
}

/* A pattern carve-out (~/.ssh/id_*) in a directory stockade cannot list:
 * the names it would match are unknown, so the whole directory is carved
 * out rather than none of it. */
TEST(landlock_unlistable_pattern_dir_is_carved_whole)
{
	char root[] = "/tmp/stockade-unit-ll.XXXXXX", ssh[PATH_MAX];
	int status = -1;
	pid_t pid;

	if (!mkdtemp(root)) {
		CHECK(!"scratch dir");
		return;
	}
	touch(root, "home", true);
	touch(root, "home/.ssh", true);
	touch(root, "home/.ssh/id_ed25519", false);
	touch(root, "home/.ssh/known_hosts", false);
	touch(root, "home/plain", false);
	touch(root, "work", true);
	snprintf(ssh, sizeof(ssh), "%s/home/.ssh", root);
	if (geteuid() == 0 && nftw(root, chown_entry, 16, FTW_PHYS) != 0) {
		nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		SKIP("cannot hand the scratch tree to nobody");
	}
	CHECK(chmod(ssh, 0311) == 0); /* search, no listing */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct rule_log *log = calloc(1, sizeof(*log));
		struct sk_fs_walk_stats st;
		stockade_plan *p;

		if (geteuid() == 0 && (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0))
			_exit(3);
		if (!log)
			_exit(4);
		p = walk(root, "filesystem:\n  read: [~]\n  deny: [~/.ssh/id_*]\n", log, &st, NULL);
		CHECK_INT_EQ(rule_on(log, root, "home/plain"), A_READ);
		CHECK_INT_EQ(rules_on(log, root, "home/.ssh"), 0);
		CHECK_INT_EQ(rules_on(log, root, "home/.ssh/known_hosts"), 0);
		CHECK_INT_EQ(rules_on(log, root, "home/.ssh/id_ed25519"), 0);
		CHECK_INT_EQ(st.missing, 1);
		stockade_plan_free(p);
		free(log);
		_exit(harness_failed_checks ? 1 : 0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	chmod(ssh, 0755);
	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the listings the carve-outs share with the walk ---- */

/* A directory with several carve-outs beneath it (agent's home directory)
 * is listed once: the listing says which of them exist, without looking
 * each up, and the walk splits the directory with the same listing. */
TEST(landlock_carve_outs_from_a_listing)
{
	char root[] = "/tmp/stockade-unit-ll.XXXXXX", real[PATH_MAX], text[2 * PATH_MAX];
	struct sk_fs_walk_stats st;
	struct rule_log *log = scratch_tree(root, real);
	stockade_plan *p;

	if (!log)
		return;
	touch(real, "elsewhere", true);
	touch(real, "elsewhere/npmrc", false);
	touch(real, "elsewhere/other", false);
	touch(real, "home/.netrc", false);
	touch(real, "home/.profile", false);
	touch(real, "home/.config", true);
	touch(real, "home/.config/gcloud", true);
	touch(real, "home/.config/gcloud/token", false);
	touch(real, "home/.config/other", false);
	link_at(real, "../elsewhere/npmrc", "home/.npmrc");

	/* None of them there: nothing carved, the grant stays one rule. */
	p = walk(real, "filesystem:\n  read: [~]\n  deny: [~/.aws, ~/.kube, ~/.gnupg, ~/.docker/config.json]\n", log,
		 &st, NULL);
	CHECK_INT_EQ(log->n, 1);
	CHECK_INT_EQ(rule_on(log, real, "home"), A_READ | A_DIR);
	CHECK_INT_EQ(st.split, 0);
	CHECK_INT_EQ(st.missing, 0);
	stockade_plan_free(p);

	/* A file there is carved out, a link carves its target out, and a
	 * carve-out deeper down (under an existing ~/.config) works; the
	 * absent ones beside them (~/.aws, ~/.config/gh/hosts.yml with no
	 * ~/.config/gh, ~/.docker/config.json with no ~/.docker) carve
	 * nothing. */
	snprintf(text, sizeof(text),
		 "filesystem:\n  read: [%s]\n  deny: [~/.aws, ~/.netrc, ~/.npmrc, ~/.config/gcloud,"
		 " ~/.config/gh/hosts.yml, ~/.docker/config.json]\n",
		 real);
	p = walk(real, text, log, &st, NULL);
	CHECK_INT_EQ(rule_on(log, real, ""), A_DIR);
	CHECK_INT_EQ(rule_on(log, real, "home"), A_DIR);
	CHECK_INT_EQ(rules_on(log, real, "home/.netrc"), 0);
	CHECK_INT_EQ(rules_on(log, real, "home/.npmrc"), 0); /* links are never granted */
	CHECK_INT_EQ(rule_on(log, real, "home/.profile"), A_READ);
	CHECK_INT_EQ(rule_on(log, real, "elsewhere"), A_DIR);
	CHECK_INT_EQ(rules_on(log, real, "elsewhere/npmrc"), 0);
	CHECK_INT_EQ(rule_on(log, real, "elsewhere/other"), A_READ);
	CHECK_INT_EQ(rule_on(log, real, "home/.config"), A_DIR);
	CHECK_INT_EQ(rules_on(log, real, "home/.config/gcloud"), 0);
	CHECK_INT_EQ(rules_on(log, real, "home/.config/gcloud/token"), 0);
	CHECK_INT_EQ(rule_on(log, real, "home/.config/other"), A_READ);
	CHECK_INT_EQ(rule_on(log, real, "work"), A_READ | A_DIR);
	CHECK_INT_EQ(st.split, 4); /* root, elsewhere, home, .config */
	CHECK_INT_EQ(st.missing, 0);
	stockade_plan_free(p);

	nftw(real, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(log);
}

/* root/rel, into a PATH_MAX buffer. */
static void join(char *out, const char *root, const char *rel)
{
	if (snprintf(out, PATH_MAX, "%s/%s", root, rel) >= PATH_MAX)
		abort();
}

static char race_root[PATH_MAX];

/* log_rule, but the first rule creates home/late and removes home/gone:
 * after the carve-outs were resolved, before the walk splits home. */
static int log_rule_racing(void *ctx, int fd, const char *path, uint64_t access)
{
	char gone[PATH_MAX];

	if (race_root[0]) {
		touch(race_root, "home/late", false);
		join(gone, race_root, "home/gone");
		CHECK(unlink(gone) == 0);
		race_root[0] = '\0';
	}
	return log_rule(ctx, fd, path, access);
}

/* Whether this process may call openat2 (a seccomp filter may refuse it). */
static bool have_openat2(void)
{
	struct {
		uint64_t flags, mode, resolve;
	} how = { .flags = O_PATH | O_CLOEXEC };
	long fd = syscall(437 /* openat2 */, AT_FDCWD, "/", &how, sizeof(how));

	if (fd < 0)
		return false;
	close((int)fd);
	return true;
}

/* The walk splits a listed directory with the listing the carve-outs were
 * resolved with: an entry gone since gets no rule (its open fails), and an
 * entry created since gets none either (stricter), as one created after
 * the walk. */
TEST(landlock_listing_is_one_snapshot)
{
	char root[] = "/tmp/stockade-unit-ll.XXXXXX", real[PATH_MAX], home[PATH_MAX], cwd[PATH_MAX],
	     tmp[] = "/nonexistent-tmp", text[2 * PATH_MAX];
	struct sk_path_env env = { .home = home, .cwd = cwd, .tmpdir = tmp };
	struct sk_fs_walk_stats st;
	struct rule_log *log = scratch_tree(root, real);
	stockade_error *err = NULL;
	stockade_plan *p;

	if (!log)
		return;
	touch(real, "home/.netrc", false);
	touch(real, "home/.profile", false);
	touch(real, "home/gone", false);
	join(home, real, "home");
	join(cwd, real, "work");
	snprintf(text, sizeof(text), "filesystem:\n  read: [%s]\n  deny: [~/.aws, ~/.kube, ~/.netrc]\n", real);
	snprintf(race_root, sizeof(race_root), "%s", real);
	p = plan_from(text, (const char *)NULL);
	if (p && sk_fs_walk(&p->access, &env, ~0ULL, log_rule_racing, log, &st, &err) < 0)
		CHECK_MSG(0, "walk: %s", err && err->msg ? err->msg : "?");
	CHECK(!race_root[0]); /* it raced */
	CHECK_INT_EQ(rule_on(log, real, "home"), A_DIR);
	CHECK_INT_EQ(rule_on(log, real, "home/.profile"), A_READ);
	CHECK_INT_EQ(rules_on(log, real, "home/.netrc"), 0);
	CHECK_INT_EQ(rules_on(log, real, "home/gone"), 0);
	/* Listing ahead needs openat2 (it proves the directory canonical).
	 * Without it (under agent's own filter, say: the dogfood run) home is
	 * listed by the walk itself, after the race, and late gets its rule. */
	CHECK_INT_EQ(rules_on(log, real, "home/late"), have_openat2() ? 0 : 1);
	stockade_error_free(err);
	stockade_plan_free(p);
	nftw(real, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(log);
}

/* This process's open descriptors. */
static size_t open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;

	if (!d)
		return 0;
	for (struct dirent *de; (de = readdir(d));)
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* d's own */
}

static size_t peak_fds;

static int log_rule_counting_fds(void *ctx, int fd, const char *path, uint64_t access)
{
	size_t n = open_fds();

	if (n > peak_fds)
		peak_fds = n;
	return log_rule(ctx, fd, path, access);
}

/* Grants keep the descriptor of their canonical check, up to a bound
 * (GRANT_FDS, 64): with more paths, the others are opened again when
 * walked, each gets the rights of its type all the same, and no
 * descriptor is left open. */
TEST(landlock_many_grants)
{
	char root[] = "/tmp/stockade-unit-ll.XXXXXX", real[PATH_MAX], home[PATH_MAX], cwd[PATH_MAX],
	     tmp[] = "/nonexistent-tmp", name[32];
	struct sk_path_env env = { .home = home, .cwd = cwd, .tmpdir = tmp };
	struct sk_fs_walk_stats st;
	struct rule_log *log = calloc(1, sizeof(*log));
	stockade_error *err = NULL;
	size_t size = 64 * 1024, len, before;
	char *text = malloc(size);
	stockade_plan *p;

	if (!log || !text || !mkdtemp(root) || !realpath(root, real)) {
		CHECK(!"scratch dir");
		free(log);
		free(text);
		return;
	}
	join(home, real, "home");
	join(cwd, real, "work");
	len = (size_t)snprintf(text, size, "filesystem:\n  read:\n");
	for (int i = 0; i < 120; i++) {
		snprintf(name, sizeof(name), "%c%03d", i % 2 ? 'f' : 'd', i);
		touch(real, name, i % 2 == 0);
		len += (size_t)snprintf(text + len, size - len, "    - %s/%s\n", real, name);
	}
	/* Grants of the same path in one layer become one. */
	snprintf(text + len, size - len, "  write: [%s/d000, %s/f119]\n", real, real);
	p = plan_from(text, (const char *)NULL);
	before = open_fds();
	peak_fds = 0;
	if (p && sk_fs_walk(&p->access, &env, ~0ULL, log_rule_counting_fds, log, &st, &err) < 0)
		CHECK_MSG(0, "walk: %s", err && err->msg ? err->msg : "?");
	CHECK_INT_EQ(open_fds(), before);
	CHECK_MSG(peak_fds <= before + 64 + 2, "%zu descriptors open during the walk, %zu before", peak_fds, before);
	CHECK_INT_EQ(log->n, 120);
	CHECK_INT_EQ(st.missing, 0);
	for (int i = 1; i < 119; i++) {
		snprintf(name, sizeof(name), "%c%03d", i % 2 ? 'f' : 'd', i);
		CHECK_MSG(rule_on(log, real, name) == (int64_t)(i % 2 ? A_READ : A_READ | A_DIR), "%s: %#llx", name,
			  (unsigned long long)rule_on(log, real, name));
	}
	int64_t d = rule_on(log, real, "d000"), f = rule_on(log, real, "f119");
	CHECK((d & A_DIR) && (d & A_MAKE_REG) && (d & A_WRITE));
	CHECK((f & A_READ) && (f & A_WRITE) && !(f & A_DIR) && !(f & A_MAKE_REG));
	stockade_error_free(err);
	stockade_plan_free(p);
	nftw(real, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(text);
	free(log);
}
