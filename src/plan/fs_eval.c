/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The filesystem lists of a plan as a decision procedure (fs_eval.h says
 * what it models and why).  Rights are kept coarse, as the lists grant them:
 * read (files and listings), write (change a file), make (create and remove
 * entries in a directory), exec.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "plan/fs_eval.h"

#define R_READ 1u
#define R_WRITE 2u
#define R_MAKE 4u
#define R_EXEC 8u

static const char *const op_names[SK_FS_NOPS] = {
	[SK_FS_OP_READ] = "read",     [SK_FS_OP_WRITE] = "write", [SK_FS_OP_CREATE] = "create",
	[SK_FS_OP_REMOVE] = "remove", [SK_FS_OP_EXEC] = "exec",	  [SK_FS_OP_RENAME] = "rename", [SK_FS_OP_LINK] = "link",
};

const char *sk_fs_op_name(enum sk_fs_op op)
{
	return op < SK_FS_NOPS ? op_names[op] : "?";
}

int sk_fs_op_from_name(const char *name, enum sk_fs_op *out)
{
	for (int i = 0; i < SK_FS_NOPS; i++)
		if (!strcmp(name, op_names[i])) {
			*out = (enum sk_fs_op)i;
			return 0;
		}
	return -EINVAL;
}

struct ix_entry {
	const struct sk_fs_path *p;
	char *lex;   /* expanded, "." and ".." folded */
	char *canon; /* where links lead (its directory, for a pattern); NULL if absent */
	size_t lex_len, canon_len;
	bool same; /* canon is lex (no link on the way): one comparison does */
	const char *name; /* a pattern's last component, or NULL */
	/* A carve-out that carves (exists, or its pattern matches): 1, 0, or
	 * -1 for a pattern not listed yet (a lazy index lists its directory
	 * the first time a query needs it). */
	signed char exists;
	/* A lazy index resolves an entry (canon, exists) the first time a
	 * query needs it: one openat2() each, most never asked for. */
	bool resolved;
};

struct sk_fs_index {
	const stockade_plan *plan;
	char *home, *pw_home;
	struct ix_entry *e;
	size_t n;
};

static unsigned kind_rights(enum sk_fs_kind k)
{
	switch (k) {
	case SK_FS_READ:
		return R_READ;
	case SK_FS_EXEC:
		return R_READ | R_EXEC;
	case SK_FS_WRITE:
		return R_READ | R_WRITE | R_MAKE;
	case SK_FS_DENY:
		return R_READ | R_WRITE | R_MAKE | R_EXEC;
	case SK_FS_READ_ONLY:
		return R_WRITE | R_MAKE;
	default:
		return 0;
	}
}

static bool is_carve(const struct ix_entry *x)
{
	return x->p->kind == SK_FS_DENY || x->p->kind == SK_FS_READ_ONLY;
}

static void entry_free(struct ix_entry *x)
{
	free(x->lex);
	free(x->canon);
}

void sk_fs_index_free(struct sk_fs_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->n; i++)
		entry_free(&ix->e[i]);
	free(ix->e);
	free(ix->home);
	free(ix->pw_home);
	free(ix);
}

const char *sk_fs_index_home(const struct sk_fs_index *ix)
{
	return ix->home;
}

static bool has_glob(const char *name)
{
	for (; *name; name++)
		if (sk_path_glob_char(*name))
			return true;
	return false;
}

#ifndef __NR_openat2
#define __NR_openat2 437
#endif

/* realpath() of `lex` (absolute, "." and ".." folded), which asks
 * readlink() of every component, each a lookup from /: one openat2() that
 * refuses links (as landlock/listing.c's sk_open_canonical) says when lex
 * is canonical already, or absent (ENOENT: no link on the way to the
 * missing component, so realpath() finds nothing either).  Otherwise (a
 * link on the way, no openat2, EACCES) realpath() decides. */
static char *canonical(const char *lex)
{
	struct {
		uint64_t flags, mode, resolve;
	} how = { .flags = O_PATH | O_CLOEXEC, .resolve = 0x04 /* RESOLVE_NO_SYMLINKS */ };
	long fd = syscall(__NR_openat2, AT_FDCWD, lex, &how, sizeof(how));

	if (fd >= 0) {
		close((int)fd);
		return strdup(lex);
	}
	if (errno == ENOENT)
		return NULL;
	return realpath(lex, NULL);
}

/* Names only: a pattern carves what matches it, when it matches. */
static bool pattern_exists(struct ix_entry *x)
{
	if (x->exists < 0) {
		glob_t g;

		x->exists = 0;
		if (glob(x->lex, GLOB_NOSORT | GLOB_PERIOD, NULL, &g) == 0) {
			x->exists = g.gl_pathc > 0;
			globfree(&g);
		}
	}
	return x->exists;
}

/* Fill x from its expanded path: where it leads, whether a carve-out
 * exists.  `last` is the previous entry: the patterns of one directory
 * (agent's /dev list) resolve it once. */
static int resolve_entry(struct ix_entry *x, const struct ix_entry *last)
{
	char *slash = strrchr(x->lex, '/');

	if (x->p->kind >= SK_FS_DENY && slash && has_glob(slash + 1)) {
		size_t len = slash == x->lex ? 1 : (size_t)(slash - x->lex);

		x->name = slash + 1;
		x->exists = -1;
		if (last && last->name && last->name - 1 - last->lex == slash - x->lex &&
		    !strncmp(last->lex, x->lex, len)) {
			if (last->canon && !(x->canon = strdup(last->canon)))
				return -ENOMEM;
		} else {
			_cleanup_free_ char *dir = strndup(x->lex, len);

			if (!dir)
				return -ENOMEM;
			x->canon = canonical(dir);
		}
		return 0; /* listed when a query needs it (pattern_exists) */
	}
	x->canon = canonical(x->lex);
	x->exists = x->canon != NULL;
	return 0;
}

/* Resolve x if it is not yet: `last`, the entry before it, shares its
 * directory when both are patterns of one (agent's /dev list). */
static int ensure(struct ix_entry *x, const struct ix_entry *last)
{
	if (x->resolved)
		return 0;
	x->resolved = true;
	if (resolve_entry(x, last && last->resolved ? last : NULL) < 0)
		return -ENOMEM;
	x->canon_len = x->canon ? strlen(x->canon) : 0;
	x->same = !x->name && x->canon && !strcmp(x->canon, x->lex);
	return 0;
}

/* How many entries of a directory make one listing of it cheaper than a
 * lookup each: the home directory's credentials (agent carves ten right
 * in it), not /etc's four secrets (a listing of /etc reads ~150 entries,
 * ~30 lookups' worth). */
#define LIST_ENTRIES 8

/* Resolve, through one listing of `dir` (len characters of x->lex), the
 * unresolved plain entries directly in it, from x on: absent from the
 * listing is absent (what openat2 would say with ENOENT), present and no
 * link in a directory opened without following links is its own canonical
 * path.  Links and unknown types are asked one by one (ensure). */
static void resolve_listed(struct ix_entry *e, size_t n, size_t from, size_t len)
{
	const char *lex = e[from].lex;
	_cleanup_free_ char *dir = strndup(lex, len ? len : 1);
	struct {
		uint64_t flags, mode, resolve;
	} how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC, .resolve = 0x04 /* RESOLVE_NO_SYMLINKS */ };
	long fd;
	DIR *d;

	if (!dir)
		return;
	fd = syscall(__NR_openat2, AT_FDCWD, dir, &how, sizeof(how));
	if (fd < 0) {
		if (errno != ENOENT)
			return; /* a link on the way, not readable: one by one */
		for (size_t i = from; i < n; i++) {
			struct ix_entry *x = &e[i];

			if (!x->resolved && !x->name && x->lex_len > len && !strncmp(x->lex, lex, len) && x->lex[len] == '/' &&
			    !strchr(x->lex + len + 1, '/')) {
				x->resolved = true; /* canon NULL, exists 0: the directory is not there */
			}
		}
		return;
	}
	if (!(d = fdopendir((int)fd))) {
		close((int)fd);
		return;
	}
	struct ent {
		char *name;
		unsigned char type;
	} *ents = NULL;
	size_t nents = 0, cap = 0;
	bool complete = true;

	for (struct dirent *de; (errno = 0, de = readdir(d));) {
		if (nents == cap) {
			struct ent *g = realloc(ents, (cap = cap ? 2 * cap : 64) * sizeof(*g));
			if (!g) {
				complete = false;
				break;
			}
			ents = g;
		}
		if (!(ents[nents].name = strdup(de->d_name))) {
			complete = false;
			break;
		}
		ents[nents++].type = de->d_type;
	}
	if (errno)
		complete = false;
	closedir(d);
	for (size_t i = from; complete && i < n; i++) {
		struct ix_entry *x = &e[i];
		const char *name = x->lex + len + 1;
		size_t k;

		if (x->resolved || x->name || x->lex_len <= len || strncmp(x->lex, lex, len) || x->lex[len] != '/' ||
		    strchr(name, '/'))
			continue;
		for (k = 0; k < nents && strcmp(ents[k].name, name); k++)
			;
		if (k == nents) {
			x->resolved = true; /* absent */
		} else if (ents[k].type != DT_LNK && ents[k].type != DT_UNKNOWN) {
			if (!(x->canon = strdup(x->lex)))
				continue; /* asked one by one */
			x->resolved = true;
			x->exists = 1;
			x->canon_len = x->lex_len;
			x->same = true;
		}
	}
	for (size_t k = 0; k < nents; k++)
		free(ents[k].name);
	free(ents);
}

/* Every entry resolved: the directories that hold LIST_ENTRIES of them
 * listed once, the rest one by one. */
static void resolve_all(struct ix_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ix_entry *x = &e[i];
		const char *slash;
		size_t len, same = 0;

		if (x->resolved || x->name || !(slash = strrchr(x->lex, '/')))
			continue;
		len = (size_t)(slash - x->lex);
		for (size_t j = i; j < n && same < LIST_ENTRIES; j++) {
			const struct ix_entry *y = &e[j];

			same += !y->resolved && !y->name && y->lex_len > len && !strncmp(y->lex, x->lex, len) &&
				y->lex[len] == '/' && !strchr(y->lex + len + 1, '/');
		}
		if (same >= LIST_ENTRIES)
			resolve_listed(e, n, i, len);
	}
	for (size_t j = 0; j < n; j++)
		ensure(&e[j], j ? &e[j - 1] : NULL); /* out of memory: taken for absent */
}

static int index_new(const stockade_plan *plan, const struct sk_path_env *env, bool lazy, struct sk_fs_index **out,
		     stockade_error **err)
{
	const struct sk_plan_access *sb = &plan->access;
	struct sk_fs_index *ix = calloc(1, sizeof(*ix));

	*out = NULL;
	if (!ix || !(ix->e = calloc(sb->npaths ? sb->npaths : 1, sizeof(*ix->e))))
		goto oom;
	ix->plan = plan;
	if ((env->home && !(ix->home = strdup(env->home))) || (env->pw_home && !(ix->pw_home = strdup(env->pw_home))))
		goto oom;
	for (size_t i = 0; i < sb->npaths; i++) {
		struct ix_entry *x = &ix->e[ix->n];
		int ret = sk_path_expand(sb->paths[i].path, env, &x->lex);

		if (ret == -ENOMEM)
			goto oom;
		if (ret < 0)
			continue; /* ~ without a home: skipped, as the walk does */
		x->p = &sb->paths[i];
		x->lex_len = strlen(x->lex);
		if (!lazy && ensure(x, ix->n ? &ix->e[ix->n - 1] : NULL) < 0) {
			entry_free(x);
			goto oom;
		}
		if (!lazy && x->name)
			pattern_exists(x);
		ix->n++;
	}
	*out = ix;
	return 0;
oom:
	sk_fs_index_free(ix);
	return sk_error(err, ENOMEM, "out of memory");
}

int sk_fs_index_new(const stockade_plan *plan, const struct sk_path_env *env, struct sk_fs_index **out,
		    stockade_error **err)
{
	return index_new(plan, env, false, out, err);
}

int sk_fs_index_new_lazy(const stockade_plan *plan, const struct sk_path_env *env, struct sk_fs_index **out,
			 stockade_error **err)
{
	return index_new(plan, env, true, out, err);
}

/* `base` is `path` or one of its directories. */
static bool is_under(const char *base, const char *path)
{
	size_t n = strlen(base);

	if (!strcmp(base, "/"))
		return path[0] == '/';
	return !strncmp(base, path, n) && (path[n] == '\0' || path[n] == '/');
}

/* is_under() with base's length known: the queries compare every entry. */
static bool under_n(const char *base, size_t n, const char *path)
{
	if (n == 1 && base[0] == '/')
		return path[0] == '/';
	return !strncmp(base, path, n) && (path[n] == '\0' || path[n] == '/');
}

/* `path` is a directory above `base` (not base itself). */
static bool is_above(const char *path, const char *base)
{
	return strcmp(path, base) != 0 && is_under(path, base);
}

/* The entry names `path` or one of its directories. */
static bool covers(const struct ix_entry *x, const char *path)
{
	if (x->name) {
		/* x->canon is a directory above path. */
		if (!x->canon || !under_n(x->canon, x->canon_len, path) || !path[x->canon_len])
			return false;
		/* The component right below the pattern's directory. */
		const char *c = path + (x->canon_len > 1 ? x->canon_len + 1 : 1);
		size_t len = strcspn(c, "/");
		char comp[NAME_MAX + 1];

		if (len > NAME_MAX)
			return false;
		memcpy(comp, c, len);
		comp[len] = '\0';
		return fnmatch(x->name, comp, 0) == 0;
	}
	return under_n(x->lex, x->lex_len, path) || (x->canon && !x->same && under_n(x->canon, x->canon_len, path));
}

/* `path` is a directory the walk splits to reach carve-out c. */
static bool splits(const struct ix_entry *c, const char *path)
{
	if (!c->canon)
		return false;
	return c->name ? is_under(path, c->canon) : is_above(path, c->canon);
}

/* Grant g gives way to carve-out c (landlock/walk.c decides the same): c
 * is of g's layer or above it, and lies beneath g (it splits it) or holds
 * it (the grant is inside the carve-out); but within one layer, the most
 * specific path decides between read_only and a grant beneath it
 * (read_only: [$CWD] with write: [$CWD/out]). */
static bool carves(const struct ix_entry *g, struct ix_entry *c)
{
	const char *where = c->canon ? c->canon : c->lex;
	bool below, inside;

	if (!is_carve(c) || c->p->layer < g->p->layer || !(c->name ? pattern_exists(c) : c->exists))
		return false;
	below = is_under(g->lex, where) || (g->canon && is_under(g->canon, where));
	inside = covers(c, g->lex) || (g->canon && covers(c, g->canon));
	if (inside && !below && c->p->kind == SK_FS_READ_ONLY &&
	    sk_fs_layer_of(c->p->layer) == sk_fs_layer_of(g->p->layer))
		return false;
	return below || inside;
}

struct rights {
	unsigned have;
	const struct ix_entry *grant;	/* one grant that gives the wanted right */
	const struct ix_entry *partial; /* a grant that covers the path without it */
	const struct ix_entry *carved;	/* the carve-out that took the wanted right */
	bool split;
};

/* A carve-out that neither covers nor splits `path` changes nothing for
 * it: asked before carves(), as it is cheap and spares a pattern's listing. */
static bool on_the_way(const struct ix_entry *c, const char *path, bool *on_path)
{
	return is_carve(c) && ((*on_path = covers(c, path)) || splits(c, path));
}

/* The entry's path as written names `path`, a directory above it, or
 * something beneath it (for a pattern, its directory). */
static bool lexically_near(const struct ix_entry *x, const char *path)
{
	size_t len = x->lex_len;

	if (x->name) {
		const char *slash = strrchr(x->lex, '/');

		len = slash && slash != x->lex ? (size_t)(slash - x->lex) : 1;
	}
	return under_n(x->lex, len, path) || is_under(path, x->lex);
}

/* near: only the entries written near path are resolved (lexically_near);
 * the others are taken as they are written, and a carve-out not resolved
 * carves nothing. */
static void rights_of(const struct sk_fs_index *ix, const char *path, unsigned want, struct rights *r, bool near)
{
	/* The carve-outs on the way to path, found once for all the grants
	 * (without memory, each grant looks through the whole list). */
	struct hit {
		struct ix_entry *c;
		bool on_path;
	} *hits = malloc(ix->n * sizeof(*hits) + 1);
	size_t nhits = 0;

	*r = (struct rights){ 0 };
	if (!near)
		resolve_all(ix->e, ix->n);
	else
		for (size_t j = 0; j < ix->n; j++)
			if (lexically_near(&ix->e[j], path))
				ensure(&ix->e[j], j ? &ix->e[j - 1] : NULL);
	for (size_t j = 0; hits && j < ix->n; j++)
		if (on_the_way(&ix->e[j], path, &hits[nhits].on_path))
			hits[nhits++].c = &ix->e[j];
	for (size_t i = 0; i < ix->n; i++) {
		const struct ix_entry *g = &ix->e[i];
		unsigned have;

		if (is_carve(g) || !covers(g, path))
			continue;
		have = kind_rights(g->p->kind);
		for (size_t j = 0; j < (hits ? nhits : ix->n); j++) {
			struct ix_entry *c = hits ? hits[j].c : &ix->e[j];
			unsigned before = have;
			bool on_path = hits && hits[j].on_path;

			if ((!hits && !on_the_way(c, path, &on_path)) || !carves(g, c))
				continue;
			if (on_path)
				have &= ~kind_rights(c->p->kind);
			else
				have = (have & ~kind_rights(c->p->kind)) | (have & R_READ);
			/* The highest layer's names the cause (`devices: []`
			 * over agent's /dev, not agent's own). */
			if ((before & want) && !(have & want) && (!r->carved || c->p->layer > r->carved->p->layer)) {
				r->carved = c;
				r->split = !on_path;
			}
		}
		if ((have & want) == want && !r->grant)
			r->grant = g;
		else if (!(kind_rights(g->p->kind) & want) && !r->partial)
			r->partial = g;
		r->have |= have;
	}
	free(hits);
}

void sk_fs_show_path(const struct sk_fs_index *ix, const char *path, char *buf, size_t size)
{
	if (ix->home && strcmp(ix->home, "/") && is_under(ix->home, path))
		snprintf(buf, size, "~%s", path + strlen(ix->home));
	else
		snprintf(buf, size, "%s", path);
}

static void show_origin(const struct sk_fs_path *p, char *buf, size_t size)
{
	static const char *const kinds[] = { "read", "write", "exec", "deny", "read_only" };

	if (p->at.line)
		snprintf(buf, size, "%s %s at %s:%d", kinds[p->kind], p->path, p->at.file, p->at.line);
	else
		snprintf(buf, size, "%s %s (%s)", kinds[p->kind], p->path, p->at.file ? p->at.file : "command line");
}

static char *parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return strndup(path, slash && slash != path ? (size_t)(slash - path) : 1);
}

/* The narrowest root that lets a program run: a toolchain's directory in
 * the home (~/.pyenv, ~/.cargo), else the program's own directory. */
static void exec_root(const struct sk_fs_index *ix, const char *path, char *buf, size_t size)
{
	if (ix->home && strcmp(ix->home, "/") && is_above(ix->home, path)) {
		const char *c = path + strlen(ix->home) + 1;
		size_t len = strcspn(c, "/");

		if (c[0] == '.' && len > 1) {
			snprintf(buf, size, "~/%.*s", (int)len, c);
			return;
		}
	}
	_cleanup_free_ char *dir = parent_of(path);
	sk_fs_show_path(ix, dir ? dir : path, buf, size);
}

/* A directory `--write` refuses as a write root (landlock/roots.c keeps
 * the same list): /, a system directory, the home directory or a parent of
 * it.  The fix for it is a policy that says allow_broad_write. */
static bool broad_root(const struct sk_fs_index *ix, const char *dir)
{
	static const char *const system_dirs[] = { "/bin", "/boot", "/dev",   "/etc",  "/home", "/lib",
						   "/lib32", "/lib64", "/libx32", "/opt", "/proc", "/root",
						   "/run", "/sbin", "/srv", "/sys", "/usr", "/var", NULL };

	if (!strcmp(dir, "/") || (ix->home && !strcmp(ix->home, dir)) || (ix->pw_home && is_under(dir, ix->pw_home)))
		return true;
	for (size_t i = 0; system_dirs[i]; i++)
		if (!strcmp(dir, system_dirs[i]))
			return true;
	return false;
}

static const char *root_word(unsigned want)
{
	return want == R_EXEC ? "exec" : want == R_READ ? "read" : "write";
}

static const char *flag_for(unsigned want)
{
	return want == R_EXEC ? "--exec" : want == R_READ ? "--read" : "--write";
}

void sk_fs_decide(const struct sk_fs_index *ix, const char *path, enum sk_fs_op op, const char *from,
		  struct sk_fs_verdict *out)
{
	static const unsigned want_of[SK_FS_NOPS] = {
		[SK_FS_OP_READ] = R_READ,   [SK_FS_OP_WRITE] = R_WRITE, [SK_FS_OP_CREATE] = R_MAKE,
		[SK_FS_OP_REMOVE] = R_MAKE, [SK_FS_OP_EXEC] = R_EXEC,	[SK_FS_OP_RENAME] = R_MAKE, [SK_FS_OP_LINK] = R_MAKE,
	};
	unsigned want = op < SK_FS_NOPS ? want_of[op] : R_READ;
	bool moves = op == SK_FS_OP_RENAME || op == SK_FS_OP_LINK;
	bool in_parent = op == SK_FS_OP_CREATE || op == SK_FS_OP_REMOVE || moves;
	_cleanup_free_ char *where = in_parent ? parent_of(path) : NULL;
	char shown[PATH_MAX], at[PATH_MAX + 64];
	struct rights r;

	memset(out, 0, sizeof(*out));
	if (!ix->plan->access.fs) {
		out->allowed = true;
		snprintf(out->explain, sizeof(out->explain), "the policy does not restrict files");
		return;
	}
	if (in_parent && !where)
		where = NULL; /* out of memory: judge the path itself */
	const char *dir = where ? where : path;

	rights_of(ix, dir, want, &r, false);
	if ((r.have & want) == want && moves && from) {
		/* Landlock refuses a move that would give the file rights it
		 * does not have where it is (EXDEV). */
		_cleanup_free_ char *src = parent_of(from);
		struct rights s;

		rights_of(ix, src ? src : from, R_MAKE, &s, false);
		if (op == SK_FS_OP_RENAME && !(s.have & R_MAKE)) {
			char why[sizeof(out->explain)];

			sk_fs_decide(ix, from, SK_FS_OP_REMOVE, NULL, out);
			memcpy(why, out->explain, sizeof(why));
			snprintf(out->explain, sizeof(out->explain), "the source: %.*s", (int)sizeof(why) - 16, why);
			return;
		}
		unsigned gained = r.have & ~s.have & (R_READ | R_WRITE | R_EXEC);
		if (src && strcmp(src, dir) && gained) {
			char sshown[PATH_MAX];
			unsigned need = gained & R_EXEC ? R_EXEC : gained & R_WRITE ? R_WRITE : R_READ;

			sk_fs_show_path(ix, src, sshown, sizeof(sshown));
			sk_fs_show_path(ix, dir, shown, sizeof(shown));
			out->why = SK_FS_WHY_GAINS;
			out->rule = r.grant ? r.grant->p : NULL;
			snprintf(out->explain, sizeof(out->explain),
				 "%s a file from %s to %s would give it %s rights it lacks there (EXDEV)",
				 op == SK_FS_OP_LINK ? "linking" : "moving", sshown, shown, root_word(need));
			snprintf(out->fix, sizeof(out->fix), "%s %s", flag_for(need), sshown);
			return;
		}
	}
	if ((r.have & want) == want) {
		out->allowed = true;
		out->why = SK_FS_WHY_GRANTED;
		out->rule = r.grant ? r.grant->p : NULL;
		if (r.grant)
			show_origin(r.grant->p, at, sizeof(at));
		snprintf(out->explain, sizeof(out->explain), "granted by %s", r.grant ? at : "the policy");
		return;
	}
	sk_fs_show_path(ix, dir, shown, sizeof(shown));
	if (r.carved) {
		show_origin(r.carved->p, at, sizeof(at));
		out->rule = r.carved->p;
		if (r.split) {
			out->why = SK_FS_WHY_SPLIT;
			snprintf(out->explain, sizeof(out->explain),
				 "no new entry directly in %s: the carve-out %s splits it", shown, at);
		} else {
			out->why = SK_FS_WHY_CARVED;
			snprintf(out->explain, sizeof(out->explain), "carved out by %s", at);
		}
	} else {
		out->why = SK_FS_WHY_NO_GRANT;
		out->rule = r.partial ? r.partial->p : NULL;
		if (r.partial) {
			show_origin(r.partial->p, at, sizeof(at));
			snprintf(out->explain, sizeof(out->explain), "not under any %s root (%s grants less)",
				 root_word(want & R_MAKE ? R_WRITE : want), at);
		} else {
			snprintf(out->explain, sizeof(out->explain), "not under any %s root",
				 root_word(want & R_MAKE ? R_WRITE : want));
		}
	}
	if (want == R_EXEC)
		exec_root(ix, path, shown, sizeof(shown));
	if ((want & (R_MAKE | R_WRITE)) && broad_root(ix, dir))
		snprintf(out->fix, sizeof(out->fix), "a policy with `write: [%s]` and `allow_broad_write: true` (too broad for --write)",
			 shown);
	else
		snprintf(out->fix, sizeof(out->fix), "%s %s", flag_for(want & R_MAKE ? R_WRITE : want), shown);
}

/* near: a grant written elsewhere (the devices, $TMPDIR) is not looked up. */
static bool write_granted(const struct sk_fs_index *ix, const char *path, bool near)
{
	/* As written first: most answers need no lookup. */
	for (size_t i = 0; i < ix->n; i++)
		if (ix->e[i].p->kind == SK_FS_WRITE && under_n(ix->e[i].lex, ix->e[i].lex_len, path))
			return true;
	for (size_t i = 0; i < ix->n; i++) {
		struct ix_entry *g = &ix->e[i];

		if (g->p->kind != SK_FS_WRITE || (near && !lexically_near(g, path)))
			continue;
		ensure(g, i ? &ix->e[i - 1] : NULL);
		if (covers(g, path))
			return true;
	}
	return false;
}

bool sk_fs_write_granted(const struct sk_fs_index *ix, const char *path)
{
	return write_granted(ix, path, false);
}

bool sk_fs_allows(const struct sk_fs_index *ix, const char *path, enum sk_fs_op op)
{
	unsigned want = op == SK_FS_OP_READ ? R_READ : op == SK_FS_OP_WRITE ? R_WRITE : op == SK_FS_OP_EXEC ? R_EXEC : R_MAKE;
	struct sk_fs_verdict v;
	struct rights r;

	if (op == SK_FS_OP_RENAME || op == SK_FS_OP_LINK || op >= SK_FS_NOPS) {
		sk_fs_decide(ix, path, op, NULL, &v);
		return v.allowed;
	}
	if (!ix->plan->access.fs)
		return true;
	_cleanup_free_ char *where = op == SK_FS_OP_CREATE || op == SK_FS_OP_REMOVE ? parent_of(path) : NULL;

	/* Write and create rights come from write grants only: where none
	 * covers the path, the answer is no without resolving the rest (the
	 * package managers' caches ask this of ~/.npm and the like). */
	if ((want & (R_WRITE | R_MAKE)) && !sk_fs_write_granted(ix, where ? where : path))
		return false;
	rights_of(ix, where ? where : path, want, &r, false);
	return (r.have & want) == want;
}

bool sk_fs_may_create_near(const struct sk_fs_index *ix, const char *path)
{
	_cleanup_free_ char *where = parent_of(path);
	struct rights r;

	if (!ix->plan->access.fs)
		return true;
	if (!where || !write_granted(ix, where, true))
		return false;
	rights_of(ix, where, R_MAKE, &r, true);
	return (r.have & R_MAKE) == R_MAKE;
}

/* plan's lists with / granted at the bottom; *paths: the new array. */
static int relax(const stockade_plan *plan, stockade_plan *out, struct sk_fs_path **paths)
{
	static const struct sk_origin at = { .file = "audit mode (files are not enforced)" };
	const struct sk_plan_access *sb = &plan->access;
	struct sk_fs_path *p = calloc(sb->npaths + 2, sizeof(*p));

	if (!p)
		return -ENOMEM;
	*out = *plan;
	size_t n = 2, lowest = SIZE_MAX;

	p[0] = (struct sk_fs_path){ .path = "/", .kind = SK_FS_WRITE, .layer = 0, .at = at };
	p[1] = (struct sk_fs_path){ .path = "/", .kind = SK_FS_EXEC, .layer = 0, .at = at };
	for (size_t i = 0; i < sb->npaths; i++)
		if ((sb->paths[i].kind == SK_FS_DENY || sb->paths[i].kind == SK_FS_READ_ONLY) && sb->paths[i].layer < lowest)
			lowest = sb->paths[i].layer;
	/* Every carve-out stays; a grant only where it can give back what a
	 * carve-out of a lower layer took (--read ~/.npmrc on agent): the
	 * others add nothing to / but rules to walk. */
	for (size_t i = 0; i < sb->npaths; i++) {
		const struct sk_fs_path *q = &sb->paths[i];

		if (q->kind == SK_FS_DENY || q->kind == SK_FS_READ_ONLY || (lowest != SIZE_MAX && q->layer > lowest))
			p[n++] = *q;
	}
	out->access.paths = p;
	out->access.npaths = n;
	out->access.fs = true;
	/* The relaxation is ours, not a write root the policy asked for. */
	out->access.broad_write = true;
	/* The preset's filter blob was made for the plan itself; a notifying
	 * filter is generated anyway. */
	out->bpf = NULL;
	out->bpf_len = 0;
	out->mbpf = NULL;
	out->mbpf_len = 0;
	*paths = p;
	return 0;
}

int sk_plan_audit_files(const stockade_plan *plan, struct sk_audit_plan *out, stockade_error **err)
{
	memset(out, 0, sizeof(*out));
	if (relax(plan, &out->plan, &out->paths) < 0)
		return sk_error(err, ENOMEM, "out of memory");
	out->plan.net_fallback = NULL;
	if (plan->net_fallback) {
		if (relax(plan->net_fallback, &out->fallback, &out->fallback_paths) < 0) {
			sk_audit_plan_free(out);
			return sk_error(err, ENOMEM, "out of memory");
		}
		out->fallback.net_fallback = NULL;
		out->plan.net_fallback = &out->fallback;
	}
	return 0;
}

void sk_audit_plan_free(struct sk_audit_plan *a)
{
	free(a->paths);
	free(a->fallback_paths);
	memset(a, 0, sizeof(*a));
}
