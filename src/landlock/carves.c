/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The carve-outs of the filesystem walk (walk.c) as the kernel will see
 * them: each deny and read_only path resolved to its canonical directory
 * and last component (a pattern listed), under $HOME and, where they differ,
 * the passwd home, as root under every other user's home, and under each
 * entry of a list variable (KUBECONFIG=a:b).  Most carve-outs name nothing
 * here (no ~/.aws): the listings (listing.c) and a home's names listed once
 * say so without a lookup each.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "landlock/landlock.h"
#include "landlock/walk.h"
#include "plan/plan.h"

/* The components of a path, as pointers into the same block, which holds
 * their text after them: one free() releases it all. */
int sk_split_path(const char *path, char ***out, size_t *n)
{
	size_t len = strlen(path), k = 0, i = 0;
	char **v;
	char *text;

	*out = NULL;
	*n = 0;
	for (const char *s = path; *s; s++)
		k += *s != '/' && (s == path || s[-1] == '/');
	v = malloc(k * sizeof(*v) + len + 1);
	if (!v)
		return -ENOMEM;
	text = (char *)(v + k);
	memcpy(text, path, len + 1);
	for (char *save = NULL, *c = strtok_r(text, "/", &save); c; c = strtok_r(NULL, "/", &save))
		v[i++] = c;
	*out = v;
	*n = k;
	return 0;
}

/* A listed path that got no rule: counted, and the first one kept. */
void sk_walk_missing(struct sk_fs_walk_stats *st, const char *path, enum sk_missing_why why, int errnum)
{
	st->missing++;
	if (!st->first_missing[0]) {
		snprintf(st->first_missing, sizeof(st->first_missing), "%s", path);
		st->first_missing_why = why;
		st->first_missing_errno = errnum;
	}
}

void sk_free_carves(struct carve *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].path);
		free(c[i].comps);
	}
	free(c);
}

static int add_carve(struct carve **v, size_t *n, const char *path, bool glob, const struct sk_fs_path *p)
{
	struct carve *nv = realloc(*v, (*n + 1) * sizeof(*nv));
	struct carve *c;

	if (!nv)
		return -ENOMEM;
	*v = nv;
	c = &nv[*n];
	*c = (struct carve){ .glob = glob, .removes = sk_fs_access(p->kind), .layer = p->layer,
			     .read_only = p->kind == SK_FS_READ_ONLY };
	if (!(c->path = strdup(path)) || sk_split_path(path, &c->comps, &c->ncomps) < 0) {
		free(c->path);
		return -ENOMEM;
	}
	(*n)++;
	return 0;
}

/* A carve-out as the kernel will see it: the canonical directory and the
 * last component; for links, their targets too.  Most carve-outs name
 * nothing (no ~/.aws here): the listing of a directory above several of
 * them finds that out for all of them (sk_look_up), otherwise one openat2
 * each, which also finds out that the path is canonical already;
 * realpath() is for paths with a link on the way. */
int sk_resolve_carve(struct walk *w, const struct sk_fs_path *p, const char *abs, struct carve **v, size_t *n)
{
	const char *slash = strrchr(abs, '/');
	const char *last = slash + 1;
	_cleanup_free_ char *dir = strndup(abs, slash == abs ? 1 : (size_t)(slash - abs));
	_cleanup_free_ char *cdir = NULL;
	struct lister l = { .fd = -1 };
	bool glob = sk_has_pattern(last), any = false;
	struct listing *listed;
	char *buf = NULL;
	int ret = 0;

	if (!dir)
		return -ENOMEM;
	switch (sk_look_up(w, glob ? dir : abs)) {
	case LOOKUP_ABSENT:
		return 0; /* nothing there to protect */
	case LOOKUP_CANONICAL:
		if (!glob)
			return sk_fs_moot(w->euid, abs) ? 0 : add_carve(v, n, abs, false, p);
		break;
	case LOOKUP_ASK:
		break;
	}
	if (!glob || !*last) {
		int fd = sk_open_canonical(w, abs, O_PATH);
		char *real;

		if (fd >= 0) {
			close(fd);
			return sk_fs_moot(w->euid, abs) ? 0 : add_carve(v, n, abs, false, p);
		}
		if (errno == ENOENT)
			return 0; /* nothing there to protect */
		real = realpath(abs, NULL);
		if (!real)
			return 0;
		ret = add_carve(v, n, real, false, p);
		free(real);
		return ret;
	}
	/* A pattern's directory is planned for listing (and is then split
	 * with the same listing); otherwise, or if that fails, it is read
	 * here. */
	listed = sk_planned_listing(w, dir);
	if (listed && sk_list_dir(w, listed)) {
		l = (struct lister){ .fd = -1, .buf = listed->buf, .len = listed->len };
		cdir = dir; /* listed with sk_open_canonical */
		dir = NULL;
	} else if ((l.fd = sk_open_canonical(w, dir, O_RDONLY | O_DIRECTORY)) >= 0) {
		cdir = dir;
		dir = NULL;
	} else if (errno == ENOENT) {
		return 0;
	} else {
		cdir = realpath(dir, NULL);
		if (!cdir)
			return 0;
		l.fd = open(cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (l.fd < 0) {
			/* The names the pattern would match are unknown: carve
			 * out the whole directory (stricter, never looser). */
			sk_walk_missing(w->st, cdir, SK_MISSING_PATTERN_DIR, 0);
			return add_carve(v, n, cdir, false, p);
		}
	}
	if (l.fd >= 0 && !(l.buf = buf = malloc(LIST_BUF))) {
		close(l.fd);
		return -ENOMEM;
	}
	for (const struct sk_dirent64 *de; ret == 0 && (de = sk_next_entry(&l));) {
		char full[PATH_MAX];
		struct stat sb;

		if (fnmatch(last, de->d_name, 0) != 0)
			continue;
		snprintf(full, sizeof(full), "%s%s%s", cdir, strcmp(cdir, "/") ? "/" : "", de->d_name);
		if (de->d_type != DT_LNK && sk_fs_moot(w->euid, full))
			continue;
		any = true;
		if (de->d_type != DT_LNK && de->d_type != DT_UNKNOWN)
			continue;
		if (de->d_type == DT_LNK || (lstat(full, &sb) == 0 && S_ISLNK(sb.st_mode))) {
			char *real = realpath(full, NULL);
			if (real) {
				ret = add_carve(v, n, real, false, p);
				free(real);
			}
		}
	}
	free(buf);
	if (l.fd >= 0)
		close(l.fd);
	if (ret == 0 && any) {
		_cleanup_free_ char *pat = NULL;
		if (asprintf(&pat, "%s%s%s", cdir, strcmp(cdir, "/") ? "/" : "", last) < 0)
			return -ENOMEM;
		ret = add_carve(v, n, pat, true, p);
	}
	return ret;
}


void sk_home_names_free(struct home_names *hn)
{
	for (size_t i = 0; i < hn->n; i++)
		free(hn->v[i]);
	free(hn->v);
	*hn = (struct home_names){ 0 };
}

int sk_list_home(char *home, struct home_names *hn)
{
	DIR *d = opendir(home);
	struct dirent *e;

	*hn = (struct home_names){ .home = home };
	if (!d)
		return 0;
	hn->listed = true;
	while ((e = readdir(d))) {
		char **nv, *name;

		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		if (hn->n >= 4096) {
			hn->listed = false; /* too many: each is looked up */
			break;
		}
		nv = realloc(hn->v, (hn->n + 1) * sizeof(*nv));
		if (nv)
			hn->v = nv;
		if (!nv || !(name = strdup(e->d_name))) {
			closedir(d);
			return -ENOMEM;
		}
		hn->v[hn->n++] = name;
	}
	closedir(d);
	return 0;
}

/* Whether something in the listed home matches `name` (len bytes; a
 * pattern or not). */
static bool home_has(const struct home_names *hn, const char *name, size_t len)
{
	char first[NAME_MAX + 1];

	if (!hn->listed || len > NAME_MAX)
		return true;
	memcpy(first, name, len);
	first[len] = '\0';
	for (size_t i = 0; i < hn->n; i++)
		if (sk_has_pattern(first) ? fnmatch(first, hn->v[i], 0) == 0 : !strcmp(first, hn->v[i]))
			return true;
	return false;
}

/* The carve-out p, whose path expanded to abs, under another home too
 * (when it is one of the home's: ~/.ssh).  hn: that home's names, or NULL. */
int sk_carve_under(struct walk *w, const struct sk_fs_path *p, const char *abs, const struct sk_path_env *env,
		       char *home, const struct home_names *hn, struct carve **carves, size_t *ncarves)
{
	struct sk_path_env other = *env;
	_cleanup_free_ char *alt = NULL;
	size_t hl = strlen(home);

	if (p->path[0] == '/')
		return 0; /* the same under every home */
	/* ~/NAME...: the first name is enough to know it is not there. */
	if (hn && p->path[0] == '~' && p->path[1] == '/' &&
	    !home_has(hn, p->path + 2, strcspn(p->path + 2, "/")))
		return 0;
	other.home = home;
	if (sk_path_expand(p->path, &other, &alt) == -ENOMEM)
		return -ENOMEM;
	if (!alt || !strcmp(alt, abs))
		return 0;
	if (hn && !strncmp(alt, home, hl) && alt[hl] == '/' && !home_has(hn, alt + hl + 1, strcspn(alt + hl + 1, "/")))
		return 0; /* nothing there by that name */
	return sk_resolve_carve(w, p, alt, carves, ncarves);
}

/* The listings the carve-outs under another home need, planned as
 * $HOME's are (sk_plan_listings). */
int sk_plan_home_listings(struct walk *w, const struct sk_plan_access *sb, const struct sk_path_env *env,
			      char *home)
{
	struct sk_path_env other = *env;
	char **alt = calloc(sb->npaths ? sb->npaths : 1, sizeof(*alt));
	int ret = alt ? 0 : -ENOMEM;

	other.home = home;
	for (size_t i = 0; ret == 0 && i < sb->npaths; i++) {
		const struct sk_fs_path *p = &sb->paths[i];

		/* Only what is under the home: the rest is planned already. */
		if ((p->kind == SK_FS_DENY || p->kind == SK_FS_READ_ONLY) &&
		    (p->path[0] == '~' || !strncmp(p->path, "$HOME", 5)) &&
		    sk_path_expand(p->path, &other, &alt[i]) == -ENOMEM)
			ret = -ENOMEM;
	}
	if (ret == 0)
		ret = sk_plan_listings(w, sb, alt);
	for (size_t i = 0; alt && i < sb->npaths; i++)
		free(alt[i]);
	free(alt);
	return ret;
}

/* The carve-out p, whose path expanded to abs, with toolchain or
 * credential variable t standing for value instead. */
int sk_carve_with_tool(struct walk *w, const struct sk_fs_path *p, const char *abs,
			   const struct sk_path_env *env, size_t t, char *value, struct carve **carves, size_t *ncarves)
{
	struct sk_path_env other = *env;
	_cleanup_free_ char *alt = NULL;

	other.tools[t] = value;
	if (sk_path_expand(p->path, &other, &alt) == -ENOMEM)
		return -ENOMEM;
	return alt && strcmp(alt, abs) ? sk_resolve_carve(w, p, alt, carves, ncarves) : 0;
}

