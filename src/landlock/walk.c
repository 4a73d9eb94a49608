/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The filesystem rules of the plan as Landlock rules: each grant, with the
 * carve-outs inside it split off (sk_fs_walk).
 *
 * Landlock only grants: a rule on a directory gives its rights to the whole
 * tree beneath it.  A carve-out (deny, read_only) inside a granted tree is
 * therefore made by granting, instead of the tree, every entry beside the
 * carved path, level by level down to it; the directories on the way keep
 * only the rights the carve-out leaves (and READ_DIR, so they can still be
 * listed).  This happens when the sandbox starts and is a snapshot: an entry
 * created later directly in one of those split directories gets no rule, so
 * it is not accessible, and a carve-out that matches nothing at start
 * protects nothing created later (docs/landlock.md).
 *
 * Symlinks are never granted while splitting: Landlock checks the file a
 * path resolves to, wherever it is, so a link is governed by its target.
 * Carve-outs are resolved too (a denied ~/.aws that is a link denies the
 * target).
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

#include "base/timing.h"
#include "landlock/abi.h"
#include "landlock/landlock.h"
#include "landlock/walk.h"
#include "plan/plan.h"

#define MAX_RULES 100000

/* How many grants keep the descriptor their path was checked canonical
 * with until they are walked (the others open it again then), so that a
 * policy with thousands of paths cannot run out of descriptors. */
#define GRANT_FDS 64

struct grant {
	char *path; /* canonical */
	char **comps;
	size_t ncomps;
	uint64_t access;
	size_t layer;
	bool write;
	int fd;	  /* O_PATH, from the canonical check; -1: opened when walked */
	bool dir; /* fd was opened with O_DIRECTORY */
};

struct pending {
	const struct carve *c;
	size_t next; /* index of the component to match at this level */
};

/* Add item to a ", " list; false if it was there already. */
static bool append_list(char *buf, size_t size, const char *item)
{
	size_t len = strlen(buf), n = strlen(item);

	for (const char *at = buf; (at = strstr(at, item)); at += n)
		if ((at == buf || at[-1] == ' ') && (at[n] == ',' || at[n] == '\0'))
			return false;
	if (len + 1 >= size)
		return true;
	if (len + strlen(item) + 6 >= size) {
		if (!strstr(buf, ", ..."))
			snprintf(buf + len, size - len, ", ...");
		return true; /* counted, not shown */
	}
	snprintf(buf + len, size - len, "%s%s", len ? ", " : "", item);
	return true;
}

static int emit(struct walk *w, int fd, const char *path, uint64_t access, bool dir)
{
	access &= w->handled;
	if (!dir)
		access &= R_FILE;
	if (!access)
		return 0;
	if (++w->st->rules > MAX_RULES)
		return sk_error(w->err, E2BIG, "the filesystem rules expand to more than %d Landlock rules", MAX_RULES);
	return w->emit(w->ctx, fd, path, access);
}

static bool comp_match(const struct carve *c, size_t i, const char *name)
{
	if (c->glob && i == c->ncomps - 1)
		return fnmatch(c->comps[i], name, 0) == 0;
	return c->comps[i][0] == name[0] && strcmp(c->comps[i], name) == 0;
}

static int expand(struct walk *w, int dirfd, const char *path, uint64_t access, const struct pending *p, size_t np,
		  int depth);

/* dir/name into out (PATH_MAX bytes); too long, cut short as snprintf()
 * would.  (These paths name what the report lists; what is granted is the
 * descriptor.)  By hand: it runs for every entry the walk splits. */
static void child_path(char *out, const char *dir, size_t dirlen, const char *name)
{
	size_t dlen = dirlen == 1 && dir[0] == '/' ? 0 : dirlen, nlen = strlen(name);

	if (dlen + 1 + nlen >= PATH_MAX) {
		snprintf(out, PATH_MAX, "%s/%s", dlen ? dir : "", name);
		return;
	}
	memcpy(out, dir, dlen);
	out[dlen] = '/';
	memcpy(out + dlen + 1, name, nlen + 1);
}

/* In a directory that cannot be listed: the entries the carve-outs name
 * on their way down (not their last, carved, component). */
static int expand_by_name(struct walk *w, int dirfd, const char *path, uint64_t access, const struct pending *p,
			  size_t np, int depth)
{
	size_t pathlen = strlen(path);
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < np; i++) {
		const char *name = p[i].c->comps[p[i].next];
		struct pending *sub;
		size_t nsub = 0;
		bool seen = false;
		struct stat st;
		char child[PATH_MAX];
		int fd;

		if (p[i].next + 1 == p[i].c->ncomps)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = p[j].next + 1 < p[j].c->ncomps && !strcmp(p[j].c->comps[p[j].next], name);
		if (seen)
			continue;
		fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		sub = calloc(np, sizeof(*sub));
		if (!sub) {
			close(fd);
			return sk_error(w->err, ENOMEM, "out of memory");
		}
		for (size_t j = 0; j < np; j++)
			if (p[j].next + 1 < p[j].c->ncomps && !strcmp(p[j].c->comps[p[j].next], name))
				sub[nsub++] = (struct pending){ p[j].c, p[j].next + 1 };
		child_path(child, path, pathlen, name);
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			ret = expand(w, fd, child, access, sub, nsub, depth + 1);
		free(sub);
		close(fd);
	}
	return ret;
}

/* Grant `access` on the tree at dirfd/path except what the pending
 * carve-outs take away beneath it. */
static int expand(struct walk *w, int dirfd, const char *path, uint64_t access, const struct pending *p, size_t np,
		  int depth)
{
	const struct listing *d = sk_planned_listing(w, path);
	bool listed = d && d->listed;
	size_t pathlen = strlen(path);
	uint64_t passing = 0;
	struct lister l = { .fd = -1 };
	struct pending *sub;
	char *buf = NULL;
	int ret = 0;

	for (size_t i = 0; i < np; i++)
		passing |= p[i].c->removes;
	if (append_list(w->st->split_dirs, sizeof(w->st->split_dirs), path))
		w->st->split++;
	if (w->g->write && (passing & LANDLOCK_ACCESS_FS_MAKE_REG) &&
	    append_list(w->st->split_write_dirs, sizeof(w->st->split_write_dirs), path))
		w->st->split_write++;
	/* The directory itself: what no carve-out beneath takes away, plus
	 * listing it. */
	ret = emit(w, dirfd, path, (access & ~passing) | (access & LANDLOCK_ACCESS_FS_READ_DIR), true);
	if (ret < 0)
		return ret;
	if (depth > 64)
		return sk_error(w->err, ELOOP, "%s: carve-outs nested too deep", path);
	/* A directory listed for the carve-outs already is not read again.
	 * Its path is canonical, so dirfd is that directory, or one put in
	 * its place since: then what the old one had and it has not fails to
	 * open, and what it has besides gets no rule, as an entry created
	 * after the listing. */
	if (listed) {
		l = (struct lister){ .fd = -1, .buf = d->buf, .len = d->len };
	} else {
		/* dirfd is O_PATH: listing needs a descriptor of its own.
		 * (Opening the entry for reading in the first place would
		 * trigger an automount there, which O_PATH does not.) */
		l.fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (l.fd < 0) {
			/* Entries we cannot list get no rule (stricter, never
			 * looser), but the way to the carve-outs is known by
			 * name: a home directory under a /home that can be
			 * searched, not read. */
			sk_walk_missing(w->st, path, SK_MISSING_UNLISTABLE, errno);
			return expand_by_name(w, dirfd, path, access, p, np, depth);
		}
		l.buf = buf = malloc(LIST_BUF);
	}
	sub = calloc(np, sizeof(*sub));
	if ((!listed && !buf) || !sub) {
		free(buf);
		free(sub);
		if (l.fd >= 0)
			close(l.fd);
		return sk_error(w->err, ENOMEM, "out of memory");
	}
	for (const struct sk_dirent64 *de; ret == 0 && (de = sk_next_entry(&l));) {
		const char *name = de->d_name;
		uint64_t ea = access;
		size_t nsub = 0;
		struct stat st;
		char child[PATH_MAX];
		bool dir, known;
		int fd;

		for (size_t i = 0; i < np; i++) {
			if (!comp_match(p[i].c, p[i].next, name))
				continue;
			if (p[i].next + 1 == p[i].c->ncomps)
				ea &= ~p[i].c->removes;
			else
				sub[nsub++] = (struct pending){ p[i].c, p[i].next + 1 };
		}
		if (!(ea & w->handled) || de->d_type == DT_LNK)
			continue;
		/* The type the listing gives spares an fstat, except on the way
		 * to a carve-out or when it is unknown.  Should the entry change
		 * type before the open, its rule is no looser: file rights on a
		 * new directory, nothing through a link (Landlock checks the
		 * target), and a file gets file rights (add_path_rule). */
		dir = de->d_type == DT_DIR;
		known = de->d_type != DT_UNKNOWN && !nsub;
		if (known && !dir && !(ea & w->handled & R_FILE))
			continue; /* emit() would drop it */
		fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue; /* gone meanwhile */
		if (!known) {
			if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode)) {
				close(fd);
				continue;
			}
			dir = S_ISDIR(st.st_mode);
		}
		child_path(child, path, pathlen, name);
		if (nsub && dir)
			ret = expand(w, fd, child, ea, sub, nsub, depth + 1);
		else
			ret = emit(w, fd, child, ea, dir);
		close(fd);
	}
	free(sub);
	free(buf);
	if (l.fd >= 0)
		close(l.fd);
	return ret;
}

static void free_grants(struct grant *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(g[i].path);
		free(g[i].comps);
		if (g[i].fd >= 0)
			close(g[i].fd);
	}
	free(g);
}

/* The grant of this layer on this canonical path, if any. */
static struct grant *find_grant(struct grant *g, size_t n, size_t layer, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (g[i].layer == layer && !strcmp(g[i].path, path))
			return &g[i];
	return NULL;
}

/* A grant whose path, as the policy names it, went through a link: checked
 * against the write roots once they are all known (roots.c). */
struct via {
	char *path; /* expanded, not resolved */
	const struct sk_fs_path *p;
};

static int check_via(const struct via *v, const struct grant *grants, size_t ngrants, stockade_error **err)
{
	const char **roots = calloc(ngrants ? ngrants : 1, sizeof(*roots));
	size_t n = 0;
	int ret;

	if (!roots)
		return sk_error(err, ENOMEM, "out of memory");
	/* A write root of / (allow_broad_write, or audit's relaxed plan) holds
	 * every link there is: nothing to tell apart, the policy chose it. */
	for (size_t i = 0; i < ngrants; i++)
		if (grants[i].write && strcmp(grants[i].path, "/"))
			roots[n++] = grants[i].path;
	ret = sk_check_link_grant(v->path, v->p, roots, n, err);
	free(roots);
	return ret;
}

/* $HOME's canonical path, asked once a walk (NULL: none, or not there). */
static const char *real_home(struct walk *w, const struct sk_path_env *env)
{
	if (!w->real_home_asked) {
		w->real_home = env->home ? realpath(env->home, NULL) : NULL;
		w->real_home_asked = true;
	}
	return w->real_home;
}

int sk_fs_walk(const struct sk_plan_access *sb, const struct sk_path_env *env, uint64_t handled, sk_fs_emit_fn fn,
	       void *ctx, struct sk_fs_walk_stats *st, stockade_error **err)
{
	struct grant *grants = NULL;
	struct carve *carves = NULL;
	size_t ngrants = 0, ncarves = 0;
	struct walk w = { .handled = handled, .emit = fn, .ctx = ctx, .st = st, .err = err, .euid = geteuid() };
	size_t nheld = 0, nvias = 0;
	struct via *vias = NULL;
	/* Each path expanded once: NULL where it needs a home directory and
	 * there is none. */
	char **expanded = calloc(sb->npaths ? sb->npaths : 1, sizeof(*expanded));
	int ret = expanded ? 0 : -ENOMEM;

	*st = (struct sk_fs_walk_stats){ 0 };
	for (size_t i = 0; ret == 0 && i < sb->npaths; i++)
		if (sk_path_expand(sb->paths[i].path, env, &expanded[i]) == -ENOMEM)
			ret = -ENOMEM;
	if (ret == 0)
		ret = sk_plan_listings(&w, sb, expanded);
	/* The passwd home, where $HOME names another, unless it is not there
	 * at all (a service user's /nonexistent), and as root the other
	 * users' homes: the same carve-outs under each, their directories
	 * planned for listing as $HOME's are (one getdents a home tells that
	 * most of them name nothing there). */
	bool pw_home_there = env->pw_home && (access(env->pw_home, F_OK) == 0 || errno != ENOENT);
	bool pw_alt = pw_home_there && (!env->home || strcmp(env->pw_home, env->home));
	if (ret == 0 && pw_alt)
		ret = sk_plan_home_listings(&w, sb, env, env->pw_home);
	size_t nhomes = 0;
	while (env->other_homes && env->other_homes[nhomes])
		nhomes++;
	struct home_names *homes = calloc(nhomes ? nhomes : 1, sizeof(*homes));
	if (!homes && ret == 0)
		ret = -ENOMEM;
	for (size_t h = 0; ret == 0 && h < nhomes; h++)
		ret = sk_list_home(env->other_homes[h], &homes[h]);
	sk_timing("Landlock: directories listed");
	for (size_t i = 0; ret == 0 && i < sb->npaths; i++) {
		const struct sk_fs_path *p = &sb->paths[i];
		_cleanup_free_ char *abs = steal_pointer(&expanded[i]);
		_cleanup_close_ int fd = -1;

		if (!abs) {
			sk_walk_missing(st, p->path, SK_MISSING_NO_HOME, 0);
			continue;
		}
		if (p->kind == SK_FS_DENY || p->kind == SK_FS_READ_ONLY) {
			ret = sk_resolve_carve(&w, p, abs, &carves, &ncarves);
			/* The same carve-out under the passwd home, when $HOME
			 * names another directory: HOME=/elsewhere must not leave
			 * the real ~/.ssh keys readable. */
			if (ret == 0 && pw_alt)
				ret = sk_carve_under(&w, p, abs, env, env->pw_home, NULL, &carves, &ncarves);
			/* As root, every user's: root reads a 0700 home all the
			 * same (CAP_DAC_OVERRIDE). */
			for (size_t h = 0; ret == 0 && h < nhomes; h++)
				ret = sk_carve_under(&w, p, abs, env, env->other_homes[h], &homes[h], &carves, &ncarves);
			/* And under every entry of a list variable it starts
			 * with (KUBECONFIG=a:b carves b out too). */
			for (size_t t = 0; ret == 0 && p->path[0] == '$' && t < SK_PATH_NTOOLS; t++)
				for (size_t j = 0; ret == 0 && env->tool_more[t] && env->tool_more[t][j]; j++)
					ret = sk_carve_with_tool(&w, p, abs, env, t, env->tool_more[t][j], &carves, &ncarves);
			continue;
		}
		/* read: [/] and exec: [/] of one layer: one walk.  A path that
		 * is a grant's canonical path already needs no lookup ($TMPDIR
		 * and /tmp).  Otherwise checking that it is canonical opens it,
		 * a directory in one call, anything else in two (O_DIRECTORY
		 * fails with ENOTDIR first), and the first GRANT_FDS grants
		 * keep that descriptor for the walk. */
		struct grant *same = find_grant(grants, ngrants, p->layer, abs);
		bool dir = false;
		char *real = NULL;

		if (!same && sk_fs_place_of(p->layer) == SK_FS_AT_DEVICES) {
			/* Devices are mostly not directories: one open, and
			 * fstat() says which (/dev/pts, /dev/shm are). */
			struct stat dst;

			fd = sk_open_canonical(&w, abs, O_PATH);
			if (fd >= 0 && fstat(fd, &dst) < 0) {
				close(fd);
				fd = -1;
			}
			dir = fd >= 0 && S_ISDIR(dst.st_mode);
		} else if (!same) {
			fd = sk_open_canonical(&w, abs, O_PATH | O_DIRECTORY);
			dir = fd >= 0;
			if (fd < 0 && errno == ENOTDIR)
				fd = sk_open_canonical(&w, abs, O_PATH);
		}
		if (!same) {
			if (fd >= 0) {
				real = abs;
				abs = NULL;
			} else if (errno == ENOENT) {
				sk_walk_missing(st, abs, SK_MISSING_ERRNO, errno);
				continue;
			} else if (sk_fs_place_of(p->layer) == SK_FS_AT_DEVICES && !w.no_openat2) {
				/* A device is granted by its own name, never through
				 * a link (/dev/stdin, /dev/fd/N lead to files). */
				sk_walk_missing(st, abs, SK_MISSING_ERRNO, errno);
				continue;
			} else {
				real = realpath(abs, NULL);
				if (!real) {
					sk_walk_missing(st, abs, SK_MISSING_ERRNO, errno);
					continue;
				}
				same = find_grant(grants, ngrants, p->layer, real);
				/* Reached through a link: checked against the
				 * write roots once they are all known. */
				struct via *nv = realloc(vias, (nvias + 1) * sizeof(*nv));
				if (!nv) {
					free(real);
					ret = -ENOMEM;
					break;
				}
				vias = nv;
				vias[nvias++] = (struct via){ .path = steal_pointer(&abs), .p = p };
			}
		}
		if (p->kind == SK_FS_WRITE && !sb->broad_write &&
		    (ret = sk_check_write_root(p, same ? same->path : real, env, real_home(&w, env), err)) < 0) {
			free(real);
			break;
		}
		if (same) {
			/* (Nothing is held by then: fd is open only for a new
			 * canonical path.) */
			same->access |= sk_fs_access(p->kind);
			same->write |= p->kind == SK_FS_WRITE;
			free(real);
			continue;
		}
		struct grant *ng = realloc(grants, (ngrants + 1) * sizeof(*ng));
		if (!ng) {
			free(real);
			ret = -ENOMEM;
			break;
		}
		grants = ng;
		ng[ngrants] = (struct grant){ .path = real, .access = sk_fs_access(p->kind), .layer = p->layer,
					      .write = p->kind == SK_FS_WRITE, .fd = -1 };
		if (sk_split_path(real, &ng[ngrants].comps, &ng[ngrants].ncomps) < 0) {
			free(real);
			ret = -ENOMEM;
			break;
		}
		if (fd >= 0 && nheld < GRANT_FDS) {
			ng[ngrants].fd = fd;
			ng[ngrants].dir = dir;
			fd = -1;
			nheld++;
		}
		ngrants++;
	}
	if (ret == -ENOMEM)
		ret = sk_error(err, ENOMEM, "out of memory");
	sk_timing("Landlock: paths resolved");
	/* $HOME inside a write root (HOME under /tmp, as in CI): its startup
	 * files (~/.bashrc, ~/.gitconfig) are the command's to change; said. */
	if (ret == 0 && env->home) {
		for (size_t gi = 0; gi < ngrants && !st->home_in_root[0]; gi++) {
			size_t n = strlen(grants[gi].path);
			const char *home;

			if (!grants[gi].write || !strcmp(grants[gi].path, "/"))
				continue;
			if (!(home = real_home(&w, env)))
				break;
			if (!strncmp(home, grants[gi].path, n) && home[n] == '/')
				snprintf(st->home_in_root, sizeof(st->home_in_root), "%s", grants[gi].path);
		}
	}
	for (size_t i = 0; ret == 0 && i < nvias; i++)
		ret = check_via(&vias[i], grants, ngrants, err);
	for (size_t i = 0; i < nvias; i++)
		free(vias[i].path);
	free(vias);

	for (size_t gi = 0; ret == 0 && gi < ngrants; gi++) {
		struct grant *g = &grants[gi];
		struct pending *inside = calloc(ncarves ? ncarves : 1, sizeof(*inside));
		uint64_t access = g->access;
		size_t nin = 0;

		if (!inside) {
			ret = sk_error(err, ENOMEM, "out of memory");
			break;
		}
		/* Carve-outs of this layer or above that take something away. */
		for (size_t ci = 0; ci < ncarves; ci++) {
			const struct carve *c = &carves[ci];
			size_t m = c->ncomps < g->ncomps ? c->ncomps : g->ncomps;
			bool prefix = true;

			if (c->layer < g->layer || !(c->removes & access))
				continue;
			for (size_t i = 0; i < m && prefix; i++)
				prefix = comp_match(c, i, g->comps[i]);
			if (!prefix)
				continue;
			/* Within one layer the most specific path decides
			 * between read_only and a grant beneath it:
			 * read_only: [$CWD] with write: [$CWD/out]. */
			if (c->read_only && sk_fs_layer_of(c->layer) == sk_fs_layer_of(g->layer) && c->ncomps < g->ncomps)
				continue;
			if (c->ncomps <= g->ncomps)
				access &= ~c->removes; /* the grant is inside the carve-out */
			else
				inside[nin++] = (struct pending){ c, g->ncomps };
		}
		if (access & handled) {
			/* A descriptor opened with O_DIRECTORY is a directory.
			 * One opened without was none when checked, but may be
			 * one put in its place since: where carve-outs reach
			 * inside, fstat says (a directory taken for a file would
			 * keep them), elsewhere it gets a file's rights, fewer
			 * than the grant's.  A grant that holds none is opened
			 * again, and asked. */
			bool ask = g->fd < 0 || (nin && !g->dir);
			struct stat sbuf;

			if (g->fd < 0)
				g->fd = open(g->path, O_PATH | O_CLOEXEC);
			if (g->fd < 0 || (ask && fstat(g->fd, &sbuf) < 0)) {
				sk_walk_missing(st, g->path, SK_MISSING_ERRNO, errno);
			} else {
				bool dir = ask ? S_ISDIR(sbuf.st_mode) : g->dir;

				w.g = g;
				/* Only the carve-outs that reach into this tree split it. */
				if (nin && dir)
					ret = expand(&w, g->fd, g->path, access, inside, nin, 0);
				else
					ret = emit(&w, g->fd, g->path, access, dir);
			}
		}
		if (g->fd >= 0) {
			close(g->fd);
			g->fd = -1;
		}
		free(inside);
	}
	sk_timing("Landlock: rules added");
	for (size_t h = 0; homes && h < nhomes; h++)
		sk_home_names_free(&homes[h]);
	free(homes);
	for (size_t i = 0; expanded && i < sb->npaths; i++)
		free(expanded[i]);
	free(expanded);
	free_grants(grants, ngrants);
	sk_free_carves(carves, ncarves);
	sk_free_listings(&w);
	free(w.real_home);
	return ret;
}
