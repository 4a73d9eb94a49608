/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How the walk finds out what exists without a lookup per path: paths
 * opened canonical in one openat2 call, and directories listed once with
 * getdents64 to answer for every carve-out beneath them (struct listing in
 * walk.h says which).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock/walk.h"

/* openat2(2), Linux 5.6; defined here because the installed headers and
 * libc may predate it. */
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#define SK_RESOLVE_NO_SYMLINKS 0x04

struct sk_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};

/* Open `abs` (absolute, without "", "." or ".." components, as
 * sk_path_expand makes it) if no component of it is a symlink: abs is then
 * its own canonical form, which realpath() would confirm at the cost of a
 * readlink per component.  Without O_NOFOLLOW a link as the last component
 * fails too.  -1 with errno: ENOENT means realpath() would not find it
 * either; anything else (ELOOP for a link on the way, no openat2, EACCES)
 * means ask realpath(). */
int sk_open_canonical(struct walk *w, const char *abs, int flags)
{
	struct sk_open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = SK_RESOLVE_NO_SYMLINKS };
	long fd;

	if (w->no_openat2) {
		errno = ENOSYS;
		return -1;
	}
	fd = syscall(__NR_openat2, AT_FDCWD, abs, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM || errno == EINVAL || errno == E2BIG))
		w->no_openat2 = true;
	return (int)fd;
}

/* The next entry but "." and ".."; NULL at the end, or on an error (as
 * readdir: what could not be listed gets no rule). */
const struct sk_dirent64 *sk_next_entry(struct lister *l)
{
	for (;;) {
		const struct sk_dirent64 *de;

		if (l->pos >= l->len) {
			if (l->fd < 0)
				return NULL;
			long n = syscall(SYS_getdents64, l->fd, l->buf, LIST_BUF);
			if (n <= 0)
				return NULL;
			l->len = (size_t)n;
			l->pos = 0;
		}
		de = (const struct sk_dirent64 *)(const void *)(l->buf + l->pos);
		l->pos += de->d_reclen;
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return de;
	}
}

bool sk_has_pattern(const char *name)
{
	for (const char *s = name; *s; s++)
		if (sk_path_glob_char(*s))
			return true;
	return false;
}

/* Whether `path` is beneath the directory `dir` (len characters). */
static bool beneath(const char *dir, size_t len, const char *path)
{
	if (len == 1)
		return path[1] != '\0'; /* dir is / */
	return !strncmp(path, dir, len) && path[len] == '/';
}

/* A directory of someone else's, for anyone but root, holds carve-outs
 * that are moot or looked at one by one anyway (moot() stats each): /etc's
 * secrets as a user, where a listing reads ~150 entries to answer four.
 * The user's own (the home directory and its credentials) and, for root,
 * every directory (it is split with that listing) are worth it. */
static bool worth_listing(const struct walk *w, struct listing *d)
{
	struct stat st;

	if (w->euid == 0)
		return true;
	if (!d->owner_known) {
		d->owner_known = true;
		/* (An absent one lists as empty at no cost: nothing beneath.) */
		d->mine = stat(d->path, &st) == 0 ? st.st_uid == w->euid : errno == ENOENT;
	}
	return d->mine;
}

/* Which directories to list for the carve-outs (struct listing): count the
 * carve-outs beneath each directory above them and mark the directories of
 * patterns (pass 0), then the nearest directory above each carve-out that
 * has LIST_CARVES beneath it (pass 1).  Past LIST_CANDIDATES directories
 * the others are not counted, so not listed. */
int sk_plan_listings(struct walk *w, const struct sk_plan_access *sb, char *const *expanded)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sb->npaths; i++) {
			const struct sk_fs_path *p = &sb->paths[i];
			const char *abs = expanded[i];
			struct listing *nearest = NULL;
			size_t last;

			if (p->kind != SK_FS_DENY && p->kind != SK_FS_READ_ONLY)
				continue;
			if (!abs || !abs[1])
				continue; /* no home directory; or /, with nothing above */
			last = (size_t)(strrchr(abs, '/') - abs);
			/* The directories above: /, then abs up to each slash. */
			for (size_t k = 0; k <= last; k++) {
				size_t len = k ? k : 1;
				struct listing *d = NULL;

				if (abs[k] != '/')
					continue;
				for (size_t j = 0; j < w->ndirs && !d; j++)
					if (w->dirs[j].plen == len && !memcmp(w->dirs[j].path, abs, len))
						d = &w->dirs[j];
				if (pass == 1) {
					if (d && d->carves >= LIST_CARVES && worth_listing(w, d))
						nearest = d;
					continue;
				}
				if (!d && w->ndirs < LIST_CANDIDATES) {
					d = &w->dirs[w->ndirs];
					if (!(d->path = strndup(abs, len)))
						return -ENOMEM;
					d->plen = len;
					w->ndirs++;
				}
				if (!d)
					continue;
				d->carves++;
				d->planned |= k == last && sk_has_pattern(abs + last + 1);
			}
			if (nearest)
				nearest->planned = true;
		}
	}
	return 0;
}

/* The planned listing of `dir` (as listed, or to be), if any. */
struct listing *sk_planned_listing(struct walk *w, const char *dir)
{
	for (size_t i = 0; i < w->ndirs; i++)
		if (w->dirs[i].planned && !strcmp(w->dirs[i].path, dir))
			return &w->dirs[i];
	return NULL;
}

/* Room for the largest record getdents64 returns (its header and a
 * 255-byte name, aligned): with less, it fails with EINVAL. */
#define LIST_ROOM 512

/* List d (planned) the first time it is asked, while there is room; true
 * if it is listed.  A directory that is absent lists as empty: nothing
 * beneath it exists either.  One that cannot be read whole is not listed
 * (a part would take the entries it misses for absent): its carve-outs are
 * then looked up one by one. */
bool sk_list_dir(struct walk *w, struct listing *d)
{
	_cleanup_close_ int fd = -1;

	if (d->tried || w->nlisted >= LIST_DIRS)
		return d->listed;
	d->tried = true;
	fd = sk_open_canonical(w, d->path, O_RDONLY | O_DIRECTORY);
	if (fd < 0 && errno != ENOENT)
		return false; /* a link on the way, no openat2, not readable */
	while (fd >= 0) {
		long n = -1;

		/* Read on into the room left, and grow only when it is too
		 * small for a record: a realloc copies the whole buffer, most
		 * of it never touched, at a page fault per page (/etc lists in
		 * a few KiB). */
		if (d->cap - d->len < LIST_ROOM) {
			char *nb = NULL;

			if (w->listed_bytes + d->cap + LIST_BUF <= LIST_BYTES && (nb = realloc(d->buf, d->cap + LIST_BUF))) {
				d->buf = nb;
				d->cap += LIST_BUF;
			}
		}
		if (d->cap - d->len >= LIST_ROOM)
			n = syscall(SYS_getdents64, fd, d->buf + d->len, d->cap - d->len);
		if (n == 0)
			break;
		if (n < 0) {
			free(d->buf);
			d->buf = NULL;
			d->len = d->cap = 0;
			return false;
		}
		d->len += (size_t)n;
	}
	w->listed_bytes += d->cap;
	w->nlisted++;
	d->listed = true;
	return true;
}

/* What the listing of the nearest planned directory above `abs` says of
 * it: the next component of abs is absent there, or it is the last one and
 * no link (the directory was opened with sk_open_canonical, so abs is
 * canonical); anything else is asked: a link or an unknown type, or a path
 * deeper down (~/.config/gcloud with a ~/.config). */
enum lookup sk_look_up(struct walk *w, const char *abs)
{
	struct listing *d = NULL;
	const struct sk_dirent64 *de;
	const char *name;
	struct lister l;
	size_t dlen = 0, nlen;

	for (size_t i = 0; i < w->ndirs; i++) {
		struct listing *c = &w->dirs[i];
		size_t len = c->plen;

		if (c->planned && (!c->tried || c->listed) && len > dlen && beneath(c->path, len, abs)) {
			d = c;
			dlen = len;
		}
	}
	if (!d || !sk_list_dir(w, d))
		return LOOKUP_ASK;
	name = abs + (dlen == 1 ? 1 : dlen + 1);
	nlen = strcspn(name, "/");
	l = (struct lister){ .fd = -1, .buf = d->buf, .len = d->len };
	while ((de = sk_next_entry(&l)) &&
	       (de->d_name[0] != name[0] || strncmp(de->d_name, name, nlen) || de->d_name[nlen]))
		;
	if (!de)
		return LOOKUP_ABSENT;
	if (de->d_type == DT_LNK || de->d_type == DT_UNKNOWN || name[nlen])
		return LOOKUP_ASK;
	return LOOKUP_CANONICAL;
}

void sk_free_listings(struct walk *w)
{
	for (size_t i = 0; i < w->ndirs; i++) {
		free(w->dirs[i].path);
		free(w->dirs[i].buf);
	}
}

