/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Files stockade writes for the user (the JSON report, a learned policy),
 * opened so that what a sandboxed run left at the path cannot redirect,
 * block or forge them.  See outfile.h.
 *
 * Why each step: fopen("w") follows a symlink at the path (an earlier run
 * that could write the working directory leaves `events.jsonl -> ~/.bashrc`
 * and the next report truncates it), and blocks in open() on a FIFO with no
 * reader.  O_NOFOLLOW refuses the link (ELOOP), O_NONBLOCK makes a FIFO
 * fail at once (ENXIO) or open without waiting, and fstat() then refuses
 * anything but a regular file before anything is truncated.  A regular
 * file with a second hard link is refused too: the other name may be a
 * file the user cares about.  Links in the directories above the file are
 * followed as the user wrote them; that the command could change those is
 * what outfile_warn_writable() says.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "outfile.h"
#include "policy/policy.h"

static int refuse_stat(const struct stat *st, char *why, size_t size)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(why, size, "not a regular file (a FIFO, device, socket or directory); stockade writes only "
				    "regular files");
		return -EINVAL;
	}
	if (st->st_nlink > 1) {
		snprintf(why, size, "the file has %lu hard links; stockade does not write a file another name shares",
			 (unsigned long)st->st_nlink);
		return -EMLINK;
	}
	return 0;
}

static void why_errno(int errnum, char *why, size_t size)
{
	if (errnum == ELOOP)
		snprintf(why, size, "a symbolic link; stockade does not write through a link (a sandboxed run may have "
				    "left it): remove it or choose another path");
	else if (errnum == ENXIO)
		snprintf(why, size, "a FIFO or socket with no reader; stockade writes only regular files");
	else
		snprintf(why, size, "%s", strerror(errnum));
}

int outfile_open(const char *path, char *why, size_t size)
{
	struct stat st;
	int fd, ret, fl;

	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0666);
	if (fd < 0) {
		ret = -errno;
		why_errno(-ret, why, size);
		return ret;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		why_errno(-ret, why, size);
		close(fd);
		return ret;
	}
	ret = refuse_stat(&st, why, size);
	if (ret == 0 && ftruncate(fd, 0) < 0) {
		ret = -errno;
		why_errno(-ret, why, size);
	}
	if (ret == 0 && ((fl = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)) {
		ret = -errno;
		why_errno(-ret, why, size);
	}
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

int outfile_check(const char *path, char *why, size_t size)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		why_errno(errno, why, size);
		return -errno;
	}
	if (S_ISLNK(st.st_mode)) {
		why_errno(ELOOP, why, size);
		return -ELOOP;
	}
	if (!S_ISREG(st.st_mode)) {
		refuse_stat(&st, why, size);
		return -EINVAL;
	}
	return 0;
}

int outfile_replace(const char *path, const char *text, char *why, size_t size)
{
	_cleanup_free_ char *copy = strdup(path), *tmp = NULL;
	const char *dir, *base;
	size_t len = strlen(text);
	mode_t mask;
	int fd, ret = 0;

	if (!copy) {
		why_errno(ENOMEM, why, size);
		return -ENOMEM;
	}
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	dir = dirname(copy);
	if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, base) < 0) {
		tmp = NULL;
		why_errno(ENOMEM, why, size);
		return -ENOMEM;
	}
	/* mkostemp() creates with O_EXCL: nothing at the name is followed. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		why_errno(-ret, why, size);
		return ret;
	}
	mask = umask(0);
	umask(mask);
	for (size_t off = 0; off < len && ret == 0;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno != EINTR)
			ret = -errno;
		else if (n > 0)
			off += (size_t)n;
	}
	if (ret == 0 && fchmod(fd, 0666 & ~mask) < 0)
		ret = -errno;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	/* rename() replaces a link at path; it never follows it. */
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0) {
		why_errno(-ret, why, size);
		unlink(tmp);
	}
	return ret;
}

/* The canonical form of path, which may not exist yet: its directory's
 * real path and its last component. */
static char *canonical_target(const char *path)
{
	_cleanup_free_ char *copy = strdup(path), *copy2 = strdup(path);
	char dir[PATH_MAX], *out = NULL;
	const char *base;

	if (!copy || !copy2)
		return NULL;
	base = basename(copy2);
	if (!realpath(dirname(copy), dir))
		return NULL;
	if (!strcmp(base, "/") || !strcmp(base, ".") || !strcmp(base, ".."))
		return realpath(path, NULL);
	if (asprintf(&out, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", base) < 0)
		return NULL;
	return out;
}

static bool under(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (n == 1 && root[0] == '/')
		return true;
	return !strncmp(root, path, n) && (path[n] == '/' || path[n] == '\0');
}

void outfile_warn_writable(const stockade_plan *plan, const char *what, const char *path)
{
	const struct sk_plan_access *sb = &plan->access;
	_cleanup_free_ char *target = canonical_target(path);
	struct sk_path_env env = { 0 };
	stockade_error *err = NULL;

	if (!target)
		return;
	if (!sb->fs) {
		fprintf(stderr,
			"stockade: warning: %s %s: the policy does not restrict the filesystem, so the command can "
			"replace or write this file while it runs; trust it only as far as the command (see "
			"docs/report.md)\n",
			what, path);
		return;
	}
	if (sk_path_env_current(&env, &err) < 0) {
		stockade_error_free(err);
		return;
	}
	for (size_t i = 0; i < sb->npaths; i++) {
		const struct sk_fs_path *p = &sb->paths[i];
		_cleanup_free_ char *abs = NULL;
		char root[PATH_MAX];

		if (p->kind != SK_FS_WRITE || strpbrk(p->path, "*?["))
			continue;
		if (sk_path_expand(p->path, &env, &abs) < 0 || !realpath(abs, root))
			continue;
		if (!under(root, target))
			continue;
		fprintf(stderr,
			"stockade: warning: %s %s is under %s, which the command may write (`write: %s`", what, path,
			root, p->path);
		if (p->at.file && p->at.line)
			fprintf(stderr, " at %s:%d", p->at.file, p->at.line);
		fprintf(stderr, "): it can replace or write this file while it runs; put it outside the run's write "
				"roots (see docs/report.md)\n");
		break;
	}
	sk_path_env_free(&env);
}

void outfile_warn_replaced(int fd, const char *what, const char *path)
{
	struct stat a, b;

	if (fd < 0 || fstat(fd, &a) < 0)
		return;
	if (lstat(path, &b) < 0)
		fprintf(stderr, "stockade: warning: %s %s was removed while the command ran\n", what, path);
	else if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		fprintf(stderr,
			"stockade: warning: %s %s was replaced while the command ran: the file now at that path is "
			"not stockade's\n",
			what, path);
}
