/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The git part of the command's mount view (mounts.c calls it): nothing the
 * command writes may run later in the user's own, unsandboxed git.  git
 * takes code to run from a repository's hooks and config, and finds those
 * through files of the git dir (commondir, config.worktree, the git dirs of
 * submodules and linked worktrees); all of it stays read-only or pinned,
 * while git add, commit and stash, which write elsewhere in the git dir
 * (objects, refs, logs, index, HEAD, the lock files), keep working.
 *
 * Found by the outer process before the clone (sk_git_find), in the host's
 * view and before anything of the command runs; made by init
 * (sk_mount_git), as root of the new mount namespace:
 *
 *  - pinned (bound on itself: a mount point cannot be renamed or removed):
 *    each repository's working tree top and the directories above it while
 *    they could be renamed (so the project directory cannot be swapped for
 *    a copy with hooks of its own), its .git (or the git dir a .git file names,
 *    that file read-only), its common dir, `modules` and each submodule's
 *    git dir under it, each submodule's checkout (its .git file read-only:
 *    it names the git dir the superproject's git status goes into),
 *    `worktrees` and each linked worktree's dir;
 *  - read-only, in each git dir (the repository's, its common dir's, each
 *    submodule's): hooks, config, config.worktree, commondir; in each
 *    `worktrees/NAME`: commondir, gitdir, config.worktree;
 *  - a git dir without a hooks directory (git init --template=) gets an
 *    empty one, owned as the git dir is, then read-only (git makes it
 *    itself when it needs one; an empty one runs nothing);
 *  - the same for the repositories above it (a submodule checkout's
 *    superprojects).
 *
 * What no mount covers: a file that is absent at the start (no dentry to
 * mount on) which git would read, `commondir`, `config.worktree` and
 * `config`.  The outer process keeps a descriptor of each git dir where one
 * is absent and, once init is gone (with it every process of the pid
 * namespace: nothing of the command runs any more), moves each that
 * appeared aside (sk_git_planted_check) and reports it; and reports a
 * rebase the command left in progress (its todo list may `exec`), which
 * only the user's `git rebase --continue` would run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "run/isolate.h"
#include "run/mount_api.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif
#define GIT_MAX_REPOS 4	  /* the repository and the superprojects above it */
#define GIT_MAX_ENTRIES 256 /* mounts to make */
#define GIT_MAX_WATCH 32    /* git dirs with a file absent at the start */
#define GIT_MAX_DEPTH 4	  /* nested submodules (modules/a/modules/b...) */
#define GIT_MAX_ANCESTORS 16

enum what {
	PIN,	  /* bind on itself, recursive */
	RO,	  /* bind on itself, then read-only (if it exists) */
	HOOKS,	  /* a git dir: its hooks directory made if absent, then RO */
	ANCESTORS, /* a working tree top: it and the directories above it pinned */
};

struct entry {
	enum what what;
	char *path;
};

struct watch {
	int fd;	   /* O_PATH of the git dir, the outer process's */
	char *dir; /* its path, for the report */
	bool absent[5];
};

/* The first three are moved aside; a rebase in progress that the command
 * started is only reported (moving it would lose work a command may
 * rightly leave for the user: a rebase stopped at a conflict). */
static const char *const watched[5] = { "commondir", "config.worktree", "config", "rebase-merge", "rebase-apply" };
#define WATCH_MOVED 3

static struct {
	bool found;
	bool truncated; /* more than the bounds: some left uncovered */
	unsigned repos;
	struct entry e[GIT_MAX_ENTRIES];
	size_t n;
	struct watch w[GIT_MAX_WATCH];
	size_t nw;
} g;

/* ---- finding ---- */

static bool add(enum what what, const char *dir, const char *name)
{
	char path[PATH_MAX];
	int len = name ? snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", name)
		       : snprintf(path, sizeof(path), "%s", dir);

	if (len >= (int)sizeof(path))
		return false;
	for (size_t i = 0; i < g.n; i++)
		if (g.e[i].what == what && !strcmp(g.e[i].path, path))
			return true;
	if (g.n == GIT_MAX_ENTRIES) {
		g.truncated = true;
		return false;
	}
	if (!(g.e[g.n].path = strdup(path)))
		return false;
	g.e[g.n++].what = what;
	return true;
}

/* A regular file's first line: a FIFO planted under the name would block
 * the setup, a link lead anywhere. */
static bool read_line(int dirfd, const char *path, char *buf, size_t size)
{
	int fd = openat(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return false;
	}
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

/* dir/rel (or rel if absolute), resolved, into out. */
static bool resolve(const char *dir, const char *rel, char out[PATH_MAX])
{
	char path[2 * PATH_MAX + 2], *real;
	size_t n;

	if (rel[0] == '/')
		snprintf(path, sizeof(path), "%s", rel);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, rel);
	real = realpath(path, NULL);
	if (!real)
		return false;
	n = strlen(real);
	if (n < PATH_MAX)
		memcpy(out, real, n + 1);
	free(real);
	return n < PATH_MAX;
}

/* A git directory: a HEAD file in it (a linked worktree's has one too). */
static bool is_repo(const char *dir)
{
	char p[PATH_MAX + 8];
	struct stat st;

	snprintf(p, sizeof(p), "%s/HEAD", dir);
	return lstat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_dir_in(const char *dir, const char *name)
{
	char p[PATH_MAX + 16];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return is_dir(p);
}

static void up(char dir[PATH_MAX])
{
	char *slash = strrchr(dir, '/');

	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
}

/* The common dir gitdir's commondir names (a linked worktree's), or itself. */
static void common_of(const char gitdir[PATH_MAX], char common[PATH_MAX])
{
	char path[PATH_MAX + 16], buf[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/commondir", gitdir);
	if (!read_line(AT_FDCWD, path, buf, sizeof(buf)) || !resolve(gitdir, buf, common) || !is_repo(common))
		memcpy(common, gitdir, PATH_MAX);
}

/* The first working tree at or above dir: its top, git dir and common dir
 * (or a git dir itself: then top is that dir).  dir is left at the top. */
static bool find_repo(char dir[PATH_MAX], char gitdir[PATH_MAX], char common[PATH_MAX], bool *gitfile)
{
	char path[PATH_MAX + 16], buf[PATH_MAX + 16];

	for (;;) {
		struct stat st;

		/* A git dir itself: a bare repository (its hooks run on a
		 * push to it), or a working directory inside a .git. */
		if (is_repo(dir) && is_dir_in(dir, "objects") && is_dir_in(dir, "refs")) {
			*gitfile = false;
			memcpy(gitdir, dir, PATH_MAX);
			common_of(gitdir, common);
			return true;
		}
		snprintf(path, sizeof(path), "%s/.git", strcmp(dir, "/") ? dir : "");
		if (lstat(path, &st) == 0 && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))) {
			*gitfile = S_ISREG(st.st_mode);
			if (!*gitfile) {
				/* dir is getcwd()'s or above it: no link in it,
				 * and lstat said .git is none */
				if (strlen(path) >= PATH_MAX)
					return false;
				memcpy(gitdir, path, strlen(path) + 1);
			} else if (!read_line(AT_FDCWD, path, buf, sizeof(buf)) || strncmp(buf, "gitdir: ", 8) != 0 ||
				   !resolve(dir, buf + 8, gitdir)) {
				return false;
			}
			/* What a planted .git file names is no repository (/dev,
			 * /sys): nothing to protect there, and nothing to pin. */
			if (!is_repo(gitdir))
				return false;
			common_of(gitdir, common);
			return true;
		}
		if (!strcmp(dir, "/"))
			return false;
		up(dir);
	}
}

/* A file git would read is absent from dir: keep dir's descriptor, to look
 * again once the command is gone. */
static void watch(const char *dir, bool worktree)
{
	struct watch w = { .fd = -1 };
	bool any = false;
	int fd;

	for (size_t i = 0; i < ARRAY_SIZE(watched); i++) {
		char p[PATH_MAX + 32];
		struct stat st;

		/* (a linked worktree's dir: git reads neither its commondir,
		 * read-only already, nor a config there) */
		if (worktree && i != 1 && i < WATCH_MOVED)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, watched[i]);
		w.absent[i] = lstat(p, &st) < 0 && errno == ENOENT;
		any |= w.absent[i];
	}
	if (!any)
		return;
	for (size_t i = 0; i < g.nw; i++)
		if (!strcmp(g.w[i].dir, dir))
			return;
	if (g.nw == GIT_MAX_WATCH) {
		g.truncated = true;
		return;
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!(w.dir = strdup(dir))) {
		close(fd);
		return;
	}
	w.fd = fd;
	g.w[g.nw++] = w;
}

/* A git dir: hooks, config, config.worktree and commondir read-only. */
static void git_dir(const char *dir)
{
	for (size_t i = 0; i < g.n; i++)
		if (g.e[i].what == HOOKS && !strcmp(g.e[i].path, dir))
			return; /* the common dir of a repository that is its own */
	add(HOOKS, dir, NULL);
	add(RO, dir, "config");
	add(RO, dir, "config.worktree");
	add(RO, dir, "commondir");
	watch(dir, false);
}

/* A submodule's checkout, named by its git dir's core.worktree: its .git
 * file says which git dir git uses there (the superproject's git status
 * goes into it), so the checkout is pinned and the file read-only. */
static void checkout(const char *gitdir)
{
	char config[PATH_MAX + 8], wt[PATH_MAX], *save = NULL;
	_cleanup_free_ char *text = malloc(65536);
	struct stat st;
	int fd;
	ssize_t n;

	if (!text)
		return;

	snprintf(config, sizeof(config), "%s/config", gitdir);
	fd = open(config, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	n = read(fd, text, 65535);
	close(fd);
	if (n <= 0)
		return;
	text[n] = '\0';
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *v = line + strspn(line, " \t");

		if (strncmp(v, "worktree", 8) != 0)
			continue;
		v += 8 + strspn(v + 8, " \t");
		if (*v != '=')
			continue;
		v += 1 + strspn(v + 1, " \t");
		/* The whole value: a path may hold blanks ("my lib"), and
		 * be quoted (\" and \\ escaped). */
		size_t len = strlen(v);
		while (len && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
			v[--len] = '\0';
		if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
			char *w = v;

			v[len - 1] = '\0';
			for (char *r = v + 1; *r; r++) {
				if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
					r++;
				*w++ = *r;
			}
			*w = '\0';
		}
		if (*v && resolve(gitdir, v, wt) && is_dir(wt)) {
			add(PIN, wt, NULL);
			add(RO, wt, ".git");
		}
		break;
	}
}

/* The submodules' git dirs under dir (a common dir's `modules`): a
 * submodule named a/b is modules/a/b, and has modules of its own. */
static void submodules(const char *dir, unsigned depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > GIT_MAX_DEPTH) {
		g.truncated = true;
		return;
	}
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX];

		/* (a submodule's name may start with a dot: .vim/bundle/x) */
		if ((de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2]))) ||
		    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (!is_dir(path))
			continue;
		if (is_repo(path)) {
			add(PIN, path, NULL);
			git_dir(path);
			checkout(path);
			snprintf(path + strlen(path), sizeof(path) - strlen(path), "/modules");
			if (is_dir(path)) {
				add(PIN, path, NULL);
				submodules(path, depth + 1);
			}
		} else {
			submodules(path, depth + 1);
		}
	}
	closedir(d);
}

/* The linked worktrees' dirs in common/worktrees. */
static void worktrees(const char *common)
{
	char dir[PATH_MAX];
	DIR *d;
	struct dirent *de;

	if (snprintf(dir, sizeof(dir), "%s/worktrees", common) >= (int)sizeof(dir) || !is_dir(dir) ||
	    !(d = opendir(dir)))
		return;
	add(PIN, dir, NULL);
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (de->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path) ||
		    lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		add(PIN, path, NULL);
		add(RO, path, "commondir");
		add(RO, path, "gitdir");
		add(RO, path, "config.worktree");
		watch(path, true);
	}
	closedir(d);
}

static void repo(const char *top, const char *gitdir, const char *common, bool gitfile)
{
	add(ANCESTORS, top, NULL);
	/* A linked worktree's (or a submodule checkout's) .git file points
	 * at its git dir: read-only, or it could point elsewhere. */
	if (gitfile)
		add(RO, top, ".git");
	if (strcmp(common, gitdir))
		add(PIN, common, NULL);
	add(PIN, gitdir, NULL);
	git_dir(common);
	/* A linked worktree's git dir (git reads neither hooks nor config
	 * there): what points it at the common dir, and its own config. */
	if (strcmp(common, gitdir)) {
		add(RO, gitdir, "hooks");
		add(RO, gitdir, "commondir");
		add(RO, gitdir, "gitdir");
		add(RO, gitdir, "config.worktree");
		watch(gitdir, true);
	}
	{
		char modules[PATH_MAX];

		if (snprintf(modules, sizeof(modules), "%s/modules", common) < (int)sizeof(modules) &&
		    is_dir(modules)) {
			add(PIN, modules, NULL);
			submodules(modules, 1);
		}
	}
	worktrees(common);
}

#define GIT_MAX_NESTED 4	/* repositories found one level below */
#define GIT_MAX_LISTED 32	/* directories looked through for them */

/* The repositories one level below dir (a workspace of clones run from
 * above them, a submodule whose git dir is embedded in its checkout,
 * vendored clones): each covered as the working directory's is. */
static void nested(const char *dir)
{
	unsigned found = 0, seen = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	/* A crowded directory (/tmp, a home) is no workspace of clones, and
	 * listing it costs more than the start: its link count says how many
	 * directories it holds (2 + subdirectories, on every Linux file system
	 * but btrfs, which says 1: listed then, up to the bound). */
	if (stat(dir, &st) < 0 || st.st_nlink > 2 + GIT_MAX_LISTED)
		return; /* (docs/isolation.md, "Limits") */
	if (!(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		char top[PATH_MAX], path[PATH_MAX + 8], gitdir[PATH_MAX], common[PATH_MAX];
		bool gitfile;

		if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		if (!strcmp(de->d_name, ".git") || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if (++seen > GIT_MAX_LISTED || found == GIT_MAX_NESTED) {
			g.truncated = true;
			break;
		}
		if (snprintf(top, sizeof(top), "%s/%s", strcmp(dir, "/") ? dir : "", de->d_name) >= (int)sizeof(top))
			continue;
		snprintf(path, sizeof(path), "%s/.git", top);
		/* (lstat: a link named .git is no repository of this tree's) */
		if (lstat(path, &st) < 0 || !(S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) || lstat(top, &st) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (find_repo(top, gitdir, common, &gitfile) && !strncmp(top, dir, strlen(dir))) {
			repo(top, gitdir, common, gitfile);
			found++;
		}
	}
	closedir(d);
}

void sk_git_find(void)
{
	char cwd[PATH_MAX], dir[PATH_MAX], gitdir[PATH_MAX], common[PATH_MAX], first[PATH_MAX] = "";
	bool gitfile;

	sk_git_forget();
	g.found = true;
	if (!getcwd(cwd, sizeof(cwd)))
		return;
	memcpy(dir, cwd, sizeof(dir));
	/* The repository, then those above it (a submodule's superproject,
	 * a repository inside another's working tree). */
	while (g.repos < GIT_MAX_REPOS && find_repo(dir, gitdir, common, &gitfile)) {
		repo(dir, gitdir, common, gitfile);
		if (!g.repos)
			memcpy(first, dir, sizeof(first));
		g.repos++;
		if (!strcmp(dir, "/"))
			break;
		up(dir);
	}
	/* And those one level below the working directory, and below the
	 * working tree's top where that is above it. */
	nested(cwd);
	if (first[0] && strcmp(first, cwd))
		nested(first);
}

void sk_git_forget(void)
{
	for (size_t i = 0; i < g.n; i++)
		free(g.e[i].path);
	for (size_t i = 0; i < g.nw; i++) {
		close(g.w[i].fd);
		free(g.w[i].dir);
	}
	memset(&g, 0, sizeof(g));
}

void sk_git_close_fds(void)
{
	/* init's copies (it may share the outer process's memory: nothing
	 * written). */
	for (size_t i = 0; i < g.nw; i++)
		close(g.w[i].fd);
}

/* ---- the mounts, in init ---- */

static const char *fd_path(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

static int fail(char *step, size_t size, int errnum, const char *what, const char *path)
{
	snprintf(step, size, "%s %s", what, path);
	return -errnum;
}

static int pin(const char *path, char *step, size_t size)
{
	char t[32];
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC), ret;

	if (fd < 0)
		return 0;
	ret = mount(fd_path(fd, t), fd_path(fd, t), NULL, MS_BIND | MS_REC, NULL);
	close(fd);
	return ret < 0 ? fail(step, size, errno, "pinning (bind)", path) : 0;
}

/* path and the directories above it, innermost first, each bound on
 * itself while it could be renamed: up to the first that is a mount's
 * root already (a write root, a file system's) or whose parent is not
 * writable here (read-only in the view, or not ours): the project
 * directory cannot be swapped for a copy with hooks of its own.  (Asked
 * here, in the view, not by the outer process: the write roots are mounts
 * of their own only now.) */
static int pin_ancestors(const char *path, char *step, size_t size, bool *truncated)
{
	char dir[PATH_MAX];
	int n;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return 0;
	n = sk_mount_pin_upward(dir, GIT_MAX_ANCESTORS);
	if (n == -E2BIG)
		*truncated = true;
	else if (n < 0)
		return fail(step, size, -n, "pinning (bind) the directories above", path);
	return 0;
}


/* Read-only: a clone of the mount at path's descriptor made read-only and
 * moved onto that same descriptor (the new mount API), so the path is
 * looked up once: a process outside that swaps it meanwhile cannot make
 * the setup fail (nor `auto` run without namespaces).  Where the kernel
 * has no mount_setattr (before 5.12): bind, then remount. */
static int read_only(const char *path, char *step, size_t size)
{
	struct sk_mount_attr attr = { .attr_set = SK_MOUNT_ATTR_RDONLY | SK_MOUNT_ATTR_NOSUID | SK_MOUNT_ATTR_NODEV };
	char t[32];
	int fd, tree, ret;

	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0; /* none there, or a symlink: left as it is */
	tree = (int)syscall(__NR_open_tree, fd, "", SK_OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH);
	if (tree >= 0) {
		ret = (int)syscall(__NR_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr));
		if (ret == 0)
			ret = (int)syscall(__NR_move_mount, tree, "", fd, "",
					   SK_MOVE_MOUNT_F_EMPTY_PATH | SK_MOVE_MOUNT_T_EMPTY_PATH);
		int e = errno;
		close(tree);
		if (ret == 0 || e != ENOSYS) {
			close(fd);
			return ret < 0 ? fail(step, size, e, "making read-only", path) : 0;
		}
	}
	ret = mount(fd_path(fd, t), fd_path(fd, t), NULL, MS_BIND, NULL);
	close(fd);
	if (ret < 0)
		return fail(step, size, errno, "making read-only (bind)", path);
	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC); /* the new mount */
	if (fd < 0)
		return fail(step, size, errno, "making read-only (reopen)", path);
	ret = mount(NULL, fd_path(fd, t), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
	close(fd);
	return ret < 0 ? fail(step, size, errno, "making read-only (remount)", path) : 0;
}

/* An empty hooks directory where the git dir has none, owned as the git dir
 * is (we may be real root in another user's repository).  Where it cannot
 * be made (a read-only mount), the command cannot make one either. */
static int make_hooks(const char *gitdir, char *step, size_t size)
{
	int fd = open(gitdir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), ret = 0;
	struct stat st;

	if (fd < 0)
		return 0;
	if (fstatat(fd, "hooks", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		int dir = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		int h = -1;

		/* The mode and owner through a descriptor of the directory
		 * made, never a name that could be a link by then. */
		if (dir < 0 || mkdirat(dir, "hooks", 0755) < 0) {
			if (errno != EROFS && errno != EACCES && errno != EPERM && errno != EEXIST)
				ret = fail(step, size, errno, "making an empty hooks directory in", gitdir);
		} else if ((h = openat(dir, "hooks", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
			if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
				ret = fail(step, size, errno, "opening the new hooks directory in", gitdir);
		} else if (fchmod(h, 0755) < 0 || fstat(dir, &st) < 0) {
			ret = fail(step, size, errno, "making an empty hooks directory (mode) in", gitdir);
		} else if (geteuid() == 0 && fchown(h, st.st_uid, st.st_gid) < 0 && errno != EINVAL && errno != EPERM) {
			/* (EINVAL: an owner our user namespace does not map) */
			ret = fail(step, size, errno, "owning the new hooks directory in", gitdir);
		}
		if (h >= 0)
			close(h);
		if (dir >= 0)
			close(dir);
	}
	close(fd);
	return ret;
}

int sk_mount_git(struct sk_mount_view *out, char *step, size_t size)
{
	bool truncated = false;
	int ret = 0;

	if (!g.found)
		sk_git_find(); /* not found before the clone: found here */
	for (size_t i = 0; i < g.n && ret == 0; i++) {
		const char *p = g.e[i].path;

		switch (g.e[i].what) {
		case PIN:
			ret = pin(p, step, size);
			break;
		case ANCESTORS:
			ret = pin_ancestors(p, step, size, &truncated);
			break;
		case RO:
			ret = read_only(p, step, size);
			break;
		case HOOKS: {
			char hooks[PATH_MAX + 8];

			struct stat lst;

			snprintf(hooks, sizeof(hooks), "%s/hooks", p);
			if ((ret = make_hooks(p, step, size)) == 0)
				ret = read_only(hooks, step, size);
			/* hooks a link (into the working tree, say): what it
			 * leads to, a directory, is read-only too. */
			if (ret == 0 && lstat(hooks, &lst) == 0 && S_ISLNK(lst.st_mode)) {
				char *target = realpath(hooks, NULL);
				struct stat tst;

				if (target && stat(target, &tst) == 0 && S_ISDIR(tst.st_mode))
					ret = read_only(target, step, size);
				free(target);
			}
			break;
		}
		}
	}
	if (ret == 0 && g.repos) {
		out->git_repos = g.repos;
		out->git_watched = (unsigned)g.nw;
		out->git_truncated = g.truncated || truncated;
	}
	return ret;
}

/* ---- after the run, in the outer process ---- */

size_t sk_git_planted_check(struct sk_git_planted *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < g.nw; i++)
		for (size_t j = 0; j < ARRAY_SIZE(watched); j++) {
			struct stat st;
			char aside[64];
			int e = 0;

			if (!g.w[i].absent[j] || fstatat(g.w[i].fd, watched[j], &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			/* A name the command could not have made ready for us
			 * (a directory there would make the rename fail): the
			 * pid and a random part, and never over anything. */
			uint32_t rnd = 0;

			if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
				rnd = (uint32_t)st.st_ino ^ (uint32_t)st.st_mtim.tv_nsec;
			snprintf(aside, sizeof(aside), "%s.stockade-planted-%d-%08x", watched[j], (int)getpid(), rnd);
			/* The name itself is moved, a link as a link. */
			if (j < WATCH_MOVED && syscall(SYS_renameat2, g.w[i].fd, watched[j], g.w[i].fd, aside,
						       RENAME_NOREPLACE) < 0) {
				e = errno;
				/* Cannot be moved: a file or link is removed
				 * (git outside must not read it); a directory,
				 * which git cannot read as the file, stays. */
				if (!S_ISDIR(st.st_mode) && unlinkat(g.w[i].fd, watched[j], 0) == 0) {
					e = 0;
					snprintf(aside, sizeof(aside), "(removed)");
				}
			}
			if (n < max) {
				out[n] = (struct sk_git_planted){ .errnum = e, .moved = j < WATCH_MOVED && !e };
				snprintf(out[n].path, sizeof(out[n].path), "%s/%s", g.w[i].dir, watched[j]);
				if (out[n].moved)
					snprintf(out[n].aside, sizeof(out[n].aside), "%s", aside);
				n++;
			}
		}
	return n;
}
