/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The mount view's read-only part (mounts.c makes the rest): every mount
 * read-only but the write roots, so that the calls Landlock has no right
 * for (chmod, chown, utimensat, setxattr) fail with EROFS outside them.
 * Made with the new mount API (open_tree, mount_setattr, move_mount) by
 * init, in its new mount namespace, before /proc and devpts are mounted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "run/isolate.h"
#include "run/mount_api.h"

static int fail(struct sk_mount_ro *v, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct sk_mount_ro *v, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->step, v->step_size, fmt, ap);
	va_end(ap);
	return -errnum;
}


struct root {
	char *named; /* as expanded */
	char *canon; /* canonical */
	int fd;	     /* O_PATH of canon, opened without following a link */
	int clone;   /* its tree, cloned before the view is made read-only */
	bool keep;
};

/* O_PATH of path if no component of it is a link; -1 with errno. */
static int open_no_links(const char *path)
{
	struct {
		uint64_t flags, mode, resolve;
	} how = { .flags = O_PATH | O_CLOEXEC, .resolve = SK_RESOLVE_NO_SYMLINKS };

	return (int)syscall(__NR_openat2, AT_FDCWD, path, &how, sizeof(how));
}

/* path is root or beneath it (both canonical). */
static bool within(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return true;
	return !strncmp(root, path, n) && (path[n] == '\0' || path[n] == '/');
}

/* A write root named through a link that sits inside a write root: an
 * earlier sandboxed run may have planted it (landlock/roots.c refuses such
 * a grant; the view leaves it read-only). */
static bool planted(const char *named, const struct root *roots, size_t n)
{
	char prefix[PATH_MAX];

	if ((size_t)snprintf(prefix, sizeof(prefix), "%s", named) >= sizeof(prefix))
		return true;
	for (char *slash = prefix + 1;; slash++) {
		struct stat st;
		char save;

		slash = strchrnul(slash, '/');
		save = *slash;
		*slash = '\0';
		if (lstat(prefix, &st) == 0 && S_ISLNK(st.st_mode)) {
			char *cut = strrchr(prefix, '/'), *dir;

			*cut = '\0';
			dir = realpath(cut == prefix ? "/" : prefix, NULL);
			*cut = '/';
			for (size_t i = 0; dir && i < n; i++)
				if (strcmp(roots[i].canon, "/") && within(roots[i].canon, dir)) {
					free(dir);
					return true;
				}
			free(dir);
		}
		*slash = save;
		if (!save)
			return false;
	}
}

bool sk_isolation_wants_ro_view(const stockade_plan *plan)
{
	if (!plan->access.fs || plan->access.landlock == SK_LANDLOCK_OFF)
		return false; /* the policy does not restrict files */
	if (plan->audit)
		return false; /* seccomp.mode: audit denies nothing (its files included) */
	for (size_t i = 0; i < plan->access.npaths; i++)
		if (plan->access.paths[i].kind == SK_FS_WRITE && !strcmp(plan->access.paths[i].path, "/"))
			return false; /* a write root of /: nothing to make read-only */
	return true;
}

/* The plan's write grants (roots: room for all its paths) as the Landlock
 * walk resolves them: expanded, existing, canonical; a root named through
 * a link planted inside another is dropped (read-only, as the walk refuses
 * it).  A write root of / leaves nothing read-only: *everything is set. */
static int write_roots(struct sk_mount_ro *v, struct root *roots, size_t *n, bool *everything)
{
	const struct sk_plan_access *sb = &v->plan->access;
	struct sk_path_env env = { 0 };
	stockade_error *e = NULL;
	int ret = 0;

	*n = 0;
	*everything = false;
	if ((ret = sk_path_env_current(&env, &e)) < 0) {
		stockade_error_free(e);
		return fail(v, -ret, "the write roots (the path environment)");
	}
	for (size_t i = 0; i < sb->npaths && ret == 0; i++) {
		char *abs = NULL, *canon;
		int fd;

		if (sb->paths[i].kind != SK_FS_WRITE)
			continue;
		if (sk_path_expand(sb->paths[i].path, &env, &abs) == -ENOMEM) {
			ret = fail(v, ENOMEM, "the write roots");
			break;
		}
		if (!abs)
			continue; /* no home directory, an unset variable: no grant */
		fd = open_no_links(abs);
		if (fd >= 0) {
			canon = abs;
			abs = NULL;
		} else {
			canon = errno == ENOENT ? NULL : realpath(abs, NULL);
			fd = canon ? open_no_links(canon) : -1;
		}
		if (fd < 0) {
			/* absent (no grant), or moved since: read-only */
			free(abs);
			free(canon);
			continue;
		}
		if (!strcmp(canon, "/"))
			*everything = true;
		roots[(*n)++] = (struct root){ .named = abs, .canon = canon, .fd = fd, .clone = -1, .keep = true };
	}
	sk_path_env_free(&env);
	for (size_t i = 0; i < *n; i++)
		if (roots[i].named && planted(roots[i].named, roots, *n))
			roots[i].keep = false;
	return ret;
}

/* Which roots get their tree back: not one inside another (the outer
 * clone holds it, as it was), not a device (a character device is written
 * on a read-only mount all the same, and its mode then stays put), not
 * /dev/pts (a new instance goes there). */
static void pick_roots(struct root *roots, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (!roots[i].keep)
			continue;
		if (fstat(roots[i].fd, &st) < 0 || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
		    within("/dev/pts", roots[i].canon)) {
			roots[i].keep = false;
			continue;
		}
		for (size_t j = 0; j < n; j++)
			if (j != i && roots[j].keep && within(roots[j].canon, roots[i].canon) &&
			    (strcmp(roots[j].canon, roots[i].canon) || j < i)) {
				roots[i].keep = false;
				break;
			}
	}
}

static void close_roots(struct root *roots, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (roots[i].clone >= 0)
			close(roots[i].clone);
		close(roots[i].fd);
		free(roots[i].named);
		free(roots[i].canon);
	}
}

static int enter_cwd(struct sk_mount_ro *v)
{
	char cwd[PATH_MAX];
	int fd, ret = 0;

	if (!getcwd(cwd, sizeof(cwd)))
		return 0; /* removed, or out of this view: nothing to enter */
	fd = open_no_links(cwd);
	if (fd < 0 || fchdir(fd) < 0)
		ret = fail(v, errno, "entering the working directory again");
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Every mount read-only but the write roots, each mount's own flags kept
 * inside them (a read-only mount under $CWD stays read-only): clone each
 * root's tree as it is, make the whole view read-only with one
 * mount_setattr, and put the clones back on the roots.  The command cannot
 * undo it: the filter denies the mount calls, Landlock denies mount,
 * umount and move_mount, and it holds no CAP_SYS_ADMIN here
 * (docs/isolation.md, "Read-only outside the write roots"). */
int sk_mount_ro_view(struct sk_mount_ro *v)
{
	struct root *roots = calloc(v->plan->access.npaths ? v->plan->access.npaths : 1, sizeof(*roots));
	struct sk_mount_attr attr = { .attr_set = SK_MOUNT_ATTR_RDONLY };
	bool everything = false;
	size_t n = 0;
	int ret;

	if (!sk_isolation_wants_ro_view(v->plan)) {
		free(roots);
		return 0;
	}
	if (!roots)
		return fail(v, ENOMEM, "the write roots");
	ret = write_roots(v, roots, &n, &everything);
	if (ret < 0 || everything)
		goto out;
	pick_roots(roots, n);
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (!roots[i].keep)
			continue;
		roots[i].clone = (int)syscall(__NR_open_tree, roots[i].fd, "",
					      AT_EMPTY_PATH | SK_OPEN_TREE_CLONE | O_CLOEXEC | SK_AT_RECURSIVE);
		if (roots[i].clone < 0)
			ret = errno == ENOSYS ? 1 : fail(v, errno, "cloning the write root %s (open_tree)", roots[i].canon);
	}
	if (ret == 0 && syscall(__NR_mount_setattr, AT_FDCWD, "/", SK_AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		ret = errno == ENOSYS ? 1 : fail(v, errno, "making the view read-only (mount_setattr)");
	/* A kernel without the calls (open_tree: Linux 5.2, mount_setattr:
	 * 5.12), nothing changed yet: the view stays writable and the status
	 * says so (ro_view false), rather than losing the namespaces too. */
	if (ret == 1) {
		ret = 0;
		goto out;
	}
	for (size_t i = 0; i < n && ret == 0; i++) {
		if (roots[i].clone < 0)
			continue;
		if (syscall(__NR_move_mount, roots[i].clone, "", roots[i].fd, "",
			    SK_MOVE_MOUNT_F_EMPTY_PATH | SK_MOVE_MOUNT_T_EMPTY_PATH) < 0)
			ret = fail(v, errno, "putting the write root %s back (move_mount)", roots[i].canon);
		else
			v->out->rw_roots++;
	}
	/* The working directory is still the one beneath: entered again, it
	 * is the clone on top. */
	if (ret == 0 && v->out->rw_roots)
		ret = enter_cwd(v);
	if (ret == 0)
		v->out->ro_view = true;
out:
	close_roots(roots, n);
	free(roots);
	return ret;
}
