/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: the path evaluator (plan/fs_eval.c) says what Landlock does.
 * For agent, strict and a policy with a read_only carve-out in the working
 * tree, each access of a table (read, write, create, remove, exec, a
 * cross-root rename) is decided by the evaluator, then attempted by a
 * forked child under the plan (stockade_plan_apply), and the two must
 * agree: allowed iff the call succeeded.  The scratch home lies in
 * /var/tmp, outside every write root, as a real one does.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock/landlock.h"
#include "plan/fs_eval.h"
#include "../harness.h"
#include "live_util.h"

struct fx {
	char base[256], home[300], cwd[300], tmp[PATH_MAX];
};

static void put(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	CHECK_MSG(fd >= 0, "create %s: %s", path, strerror(errno));
	if (fd < 0)
		return;
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static void dir(const char *root, const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	CHECK_MSG(mkdir(p, 0700) == 0 || errno == EEXIST, "mkdir %s: %s", p, strerror(errno));
}

/* A fresh layout for one policy. */
static void layout(struct fx *f)
{
	char p[PATH_MAX + 64];

	rm_rf(f->home);
	rm_rf(f->cwd);
	CHECK(mkdir(f->home, 0700) == 0 && mkdir(f->cwd, 0700) == 0);
	dir(f->home, "dir");
	dir(f->home, "dir/ro");
	dir(f->home, ".other");
	dir(f->home, ".other/bin");
	dir(f->home, ".pyenv");
	dir(f->home, ".pyenv/bin");
	dir(f->cwd, "sub");
	dir(f->cwd, "sub/out");
	snprintf(p, sizeof(p), "%s/.npmrc", f->home);
	put(p, "//registry/:_authToken=x\n", 0600);
	/* A credential that is a link (the evaluator lists the home once and
	 * asks about links one by one): agent's ~/.aws carves out its target. */
	snprintf(p, sizeof(p), "%s/.aws", f->home);
	CHECK_MSG(symlink(".other", p) == 0, "symlink %s: %s", p, strerror(errno));
	snprintf(p, sizeof(p), "%s/dir/file", f->home);
	put(p, "home\n", 0600);
	snprintf(p, sizeof(p), "%s/dir/ro/file", f->home);
	put(p, "ro\n", 0600);
	snprintf(p, sizeof(p), "%s/.other/bin/tool", f->home);
	put(p, "#!/bin/sh\nexit 0\n", 0700);
	snprintf(p, sizeof(p), "%s/.pyenv/bin/tool", f->home);
	put(p, "#!/bin/sh\nexit 0\n", 0700);
	snprintf(p, sizeof(p), "%s/file", f->cwd);
	put(p, "cwd\n", 0600);
	snprintf(p, sizeof(p), "%s/victim", f->cwd);
	put(p, "x\n", 0600);
	snprintf(p, sizeof(p), "%s/sub/file", f->cwd);
	put(p, "sub\n", 0600);
	snprintf(p, sizeof(p), "%s/sub/out/file", f->cwd);
	put(p, "out\n", 0600);
	snprintf(p, sizeof(p), "%s/moved", f->tmp);
	put(p, "moved\n", 0600);
	snprintf(p, sizeof(p), "%s/tolink", f->tmp);
	put(p, "tolink\n", 0600);
}

struct access_case {
	char root; /* 'h' home, 'c' cwd, 't' tmp, '/' absolute */
	const char *rel;
	enum sk_fs_op op;
	char from_root; /* rename */
	const char *from;
};

static void abs_of(const struct fx *f, char root, const char *rel, char *out, size_t size)
{
	const char *b = root == 'h' ? f->home : root == 'c' ? f->cwd : root == 't' ? f->tmp : "";

	if ((size_t)snprintf(out, size, "%s/%s", b, rel) >= size)
		out[0] = '\0';
}

/* In a forked child under the plan: 0 if the access worked, else errno. */
static int attempt(const stockade_plan *plan, enum sk_fs_op op, const char *path, const char *from)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = -1, ret = 0;

		if (stockade_plan_apply(plan, NULL) < 0)
			_exit(200);
		switch (op) {
		case SK_FS_OP_READ:
			fd = open(path, O_RDONLY | O_CLOEXEC);
			break;
		case SK_FS_OP_WRITE:
			fd = open(path, O_WRONLY | O_CLOEXEC);
			break;
		case SK_FS_OP_CREATE:
			fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			break;
		case SK_FS_OP_REMOVE:
			ret = unlink(path);
			break;
		case SK_FS_OP_EXEC:
			execl(path, path, (char *)NULL);
			ret = -1;
			break;
		case SK_FS_OP_RENAME:
			ret = rename(from, path);
			break;
		case SK_FS_OP_LINK:
			ret = link(from, path);
			break;
		default:
			_exit(201);
		}
		if (fd < 0 && op != SK_FS_OP_REMOVE && op != SK_FS_OP_EXEC && op != SK_FS_OP_RENAME && op != SK_FS_OP_LINK)
			ret = -1;
		_exit(ret < 0 ? (errno & 0xff) : 0);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void agree(struct fx *f, const char *name, const char *policy_text)
{
	static const struct access_case cases[] = {
		{ 'h', ".npmrc", SK_FS_OP_READ, 0, NULL },
		{ 'h', "dir/file", SK_FS_OP_READ, 0, NULL },
		{ 'h', "dir/file", SK_FS_OP_WRITE, 0, NULL },
		{ 'h', "dir/new", SK_FS_OP_CREATE, 0, NULL },
		{ 'h', "dir/ro/file", SK_FS_OP_WRITE, 0, NULL },
		{ 'h', ".other/bin/tool", SK_FS_OP_EXEC, 0, NULL },
		{ 'h', ".pyenv/bin/tool", SK_FS_OP_EXEC, 0, NULL },
		{ 'c', "file", SK_FS_OP_READ, 0, NULL },
		{ 'c', "file", SK_FS_OP_WRITE, 0, NULL },
		{ 'c', "new", SK_FS_OP_CREATE, 0, NULL },
		{ 'c', "victim", SK_FS_OP_REMOVE, 0, NULL },
		{ 'c', "sub/file", SK_FS_OP_WRITE, 0, NULL },
		{ 'c', "sub/new", SK_FS_OP_CREATE, 0, NULL },
		{ 'c', "sub/out/file", SK_FS_OP_WRITE, 0, NULL },
		{ 'c', "sub/out/new", SK_FS_OP_CREATE, 0, NULL },
		{ 'c', "arrived", SK_FS_OP_RENAME, 't', "moved" },
		{ 'c', "linked", SK_FS_OP_LINK, 't', "tolink" },
		{ '/', "etc/passwd", SK_FS_OP_READ, 0, NULL },
		{ '/', "etc/stockade-fs-eval-new", SK_FS_OP_CREATE, 0, NULL },
	};
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	struct sk_fs_index *ix = NULL, *lix = NULL, *nix = NULL;
	struct sk_path_env env;
	char old_cwd[PATH_MAX];
	int ret;

	layout(f);
	CHECK(getcwd(old_cwd, sizeof(old_cwd)) != NULL);
	CHECK(chdir(f->cwd) == 0);
	CHECK(stockade_policy_new(&p, NULL) == 0);
	if (policy_text)
		ret = stockade_policy_add_text(p, name, policy_text, strlen(policy_text), NULL);
	else
		ret = stockade_policy_add_preset(p, name, NULL);
	CHECK_MSG(ret == 0, "%s: cannot load", name);
	CHECK(stockade_plan_build(p, &plan, NULL) == 0);
	CHECK(sk_path_env_current(&env, NULL) == 0);
	CHECK(plan && sk_fs_index_new(plan, &env, &ix, NULL) == 0);
	/* A lazy index (the caches', explain's, learn's) resolves its
	 * entries through listings when a query needs them: the same answers. */
	CHECK(plan && sk_fs_index_new_lazy(plan, &env, &lix, NULL) == 0);
	/* One only ever asked the near way (the caches' question). */
	CHECK(plan && sk_fs_index_new_lazy(plan, &env, &nix, NULL) == 0);
	for (size_t i = 0; plan && ix && i < ARRAY_SIZE(cases); i++) {
		const struct access_case *c = &cases[i];
		char path[PATH_MAX + 64], from[PATH_MAX + 64] = "";
		struct sk_fs_verdict v;
		int got;

		abs_of(f, c->root, c->rel, path, sizeof(path));
		if (c->from)
			abs_of(f, c->from_root, c->from, from, sizeof(from));
		sk_fs_decide(ix, path, c->op, c->from ? from : NULL, &v);
		if (lix) {
			struct sk_fs_verdict lv;

			sk_fs_decide(lix, path, c->op, c->from ? from : NULL, &lv);
			CHECK_MSG(lv.allowed == v.allowed && lv.why == v.why,
				  "%s: %s %s: the lazy index says %s (%s), the full one %s (%s)", name,
				  sk_fs_op_name(c->op), path, lv.allowed ? "allowed" : "refused", lv.explain,
				  v.allowed ? "allowed" : "refused", v.explain);
			/* (A move is judged with its source: decide's job.) */
			CHECK_MSG(c->from || sk_fs_allows(lix, path, c->op) == v.allowed,
				  "%s: %s %s: sk_fs_allows disagrees", name, sk_fs_op_name(c->op), path);
			/* The caches' near answer: the same, where no link on
			 * the way brings an entry written elsewhere near. */
			CHECK_MSG(c->op != SK_FS_OP_CREATE || !nix || sk_fs_may_create_near(nix, path) == v.allowed,
				  "%s: create %s: sk_fs_may_create_near disagrees", name, path);
		}
		got = attempt(plan, c->op, path, c->from ? from : NULL);
		/* Root passes DAC: a refusal it sees is Landlock's.  Another
		 * user meets DAC first on /etc: only a success proves anything. */
		if (got == EACCES && v.allowed && geteuid() != 0 && c->root == '/')
			continue;
		CHECK_MSG(v.allowed == (got == 0),
			  "%s: %s %s: the evaluator says %s (%s), the kernel answered %s", name,
			  sk_fs_op_name(c->op), path, v.allowed ? "allowed" : "refused", v.explain,
			  got == 0 ? "success" : strerror(got));
		if (!v.allowed)
			CHECK_MSG(*v.fix, "%s: %s %s: no fix", name, sk_fs_op_name(c->op), path);
		if (!v.allowed && got != 0)
			CHECK_MSG(got == (v.why == SK_FS_WHY_GAINS ? EXDEV : EACCES), "%s: %s %s: errno %s", name,
				  sk_fs_op_name(c->op), path, strerror(got));
	}
	sk_fs_index_free(ix);
	sk_fs_index_free(lix);
	sk_fs_index_free(nix);
	sk_path_env_free(&env);
	stockade_plan_free(plan);
	stockade_policy_free(p);
	CHECK(chdir(old_cwd) == 0);
}

TEST(fs_eval_agrees_with_landlock)
{
	enum stockade_landlock_reason why;
	const char *tmpdir = getenv("TMPDIR");
	char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	struct fx f;
	int errnum;

	if (sk_landlock_kernel_abi(&why, &errnum) < 3)
		SKIP("the kernel's Landlock is older than ABI 3 (no truncate, no refer between roots)");
	if (tmpdir && !strncmp(tmpdir, "/var/tmp", 8))
		SKIP("TMPDIR is under /var/tmp, where the scratch home goes");
	snprintf(f.base, sizeof(f.base), "/var/tmp/stockade-fs-eval.XXXXXX");
	if (!mkdtemp(f.base))
		SKIP("cannot create a directory in /var/tmp");
	snprintf(f.home, sizeof(f.home), "%s/home", f.base);
	snprintf(f.cwd, sizeof(f.cwd), "%s/cwd", f.base);
	if ((size_t)snprintf(f.tmp, sizeof(f.tmp), "%s/stockade-fs-eval.XXXXXX",
			     tmpdir && *tmpdir == '/' && strlen(tmpdir) < 1024 ? tmpdir : "/tmp") >= sizeof(f.tmp))
		SKIP("TMPDIR is too long");
	CHECK(mkdtemp(f.tmp) != NULL);
	setenv("HOME", f.home, 1);
	unsetenv("PYENV_ROOT");
	agree(&f, "agent", NULL);
	agree(&f, "strict", NULL);
	agree(&f, "carve.yaml", "version: 1\nextends: agent\nfilesystem:\n  read_only: [$CWD/sub]\n");
	/* One layer: read_only above a write, the more specific path wins. */
	agree(&f, "specific.yaml",
	      "version: 1\nextends: agent\nfilesystem:\n  read_only: [$CWD/sub]\n  write: [$CWD/sub/out]\n");
	/* One layer: read_only beneath a write carves it (and splits ~/dir). */
	agree(&f, "beneath.yaml", "version: 1\nextends: agent\nfilesystem:\n  write: [~/dir]\n  read_only: [~/dir/ro]\n");
	/* A grant inside a carve-out of a layer above it gives way. */
	{
		char base_yaml[PATH_MAX], text[PATH_MAX + 128];

		snprintf(base_yaml, sizeof(base_yaml), "%s/base.yaml", f.base);
		put(base_yaml, "version: 1\nextends: agent\nfilesystem:\n  write: [$CWD/sub]\n", 0600);
		snprintf(text, sizeof(text), "version: 1\nextends: %s\nfilesystem:\n  read_only: [$CWD]\n", base_yaml);
		agree(&f, "inside.yaml", text);
	}
	if (old_home)
		setenv("HOME", old_home, 1);
	free(old_home);
	rm_rf(f.tmp);
	rm_rf(f.base);
}
