/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The file grants `stockade learn` writes (learn_files.h says which and
 * why).  Pure string work on the refusals mediate_files.c recorded and the
 * base's carve-outs, expanded once for this environment.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "run/learn_files.h"

/* Files of one kind in one directory from which the directory is granted. */
#define COLLAPSE_AT 3

#define R_READ 1u
#define R_CHANGE 2u
#define R_EXEC 4u

static unsigned rights(enum sk_fs_kind k)
{
	return k == SK_FS_WRITE ? R_READ | R_CHANGE : k == SK_FS_EXEC ? R_READ | R_EXEC : R_READ;
}

static const char *kind_name(enum sk_fs_kind k)
{
	return k == SK_FS_WRITE ? "write" : k == SK_FS_EXEC ? "exec" : "read";
}

/* `path` is `dir` or beneath it. */
static bool beneath(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return path[0] == '/';
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

struct ctx {
	struct sk_path_env env;
	char **carves; /* the base's carve-outs, expanded (for ~ also with the passwd home) */
	const char **carve_src;
	size_t ncarves;
	struct sk_learned_files *lf;
	const struct sk_files_mediation *f;
	/* Where links lead: the observed paths are canonical, the
	 * environment's need not be (HOME=/home/u with /home a link). */
	char *real_home, *real_pw_home, *real_cwd, *real_tmp;
	bool oom;
};

static void note(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct ctx *c, const char *fmt, ...)
{
	struct sk_learned_files *lf = c->lf;
	char **n, *s;
	va_list ap;
	int ret;

	if (lf->nnotes >= 64)
		return; /* enough said */
	va_start(ap, fmt);
	ret = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (ret < 0 || !(n = realloc(lf->notes, (lf->nnotes + 1) * sizeof(*n)))) {
		if (ret >= 0)
			free(s);
		c->oom = true;
		return;
	}
	lf->notes = n;
	n[lf->nnotes++] = s;
}

static int push_carve(struct ctx *c, const char *written, char *e);

/* A carve-out where links lead: the whole path if it exists, else its
 * directory (a pattern's) and the last name; NULL if no link is on the way. */
static char *real_carve(const char *e)
{
	char buf[PATH_MAX], *out = NULL;
	const char *slash = strrchr(e, '/');

	if (realpath(e, buf))
		return strcmp(buf, e) ? strdup(buf) : NULL;
	if (!slash || slash == e || (size_t)(slash - e) >= sizeof(buf))
		return NULL;
	char dir[PATH_MAX];

	memcpy(dir, e, (size_t)(slash - e));
	dir[slash - e] = '\0';
	if (!realpath(dir, buf) || !strcmp(buf, dir))
		return NULL;
	if (asprintf(&out, "%s%s", strcmp(buf, "/") ? buf : "", slash) < 0)
		return NULL;
	return out;
}

static int add_carve(struct ctx *c, const char *written, const struct sk_path_env *env)
{
	char *e = NULL, *real;
	int ret;

	if (sk_path_expand(written, env, &e) < 0)
		return 0; /* a variable not set here: it carves nothing here either */
	real = real_carve(e);
	if ((ret = push_carve(c, written, e)) < 0) {
		free(real);
		return ret;
	}
	return real ? push_carve(c, written, real) : 0;
}

static int push_carve(struct ctx *c, const char *written, char *e)
{
	char **n;
	const char **src;

	n = realloc(c->carves, (c->ncarves + 1) * sizeof(*n));
	if (n)
		c->carves = n;
	src = realloc(c->carve_src, (c->ncarves + 1) * sizeof(*src));
	if (src)
		c->carve_src = src;
	if (!n || !src) {
		free(e);
		return -ENOMEM;
	}
	c->carves[c->ncarves] = e;
	c->carve_src[c->ncarves++] = written;
	return 0;
}

/* The carve-out a grant of `dir` would contain or lie in, or NULL. */
static const char *carve_conflict(const struct ctx *c, const char *dir)
{
	for (size_t i = 0; i < c->ncarves; i++) {
		const char *cv = c->carves[i], *slash = strrchr(cv, '/');
		bool glob = false;

		for (const char *p = slash ? slash + 1 : cv; *p && !glob; p++)
			glob = sk_path_glob_char(*p);
		if (beneath(cv, dir))
			return c->carve_src[i];
		if (!glob) {
			if (beneath(dir, cv))
				return c->carve_src[i];
			continue;
		}
		/* dir/NAME...: NAME matching the pattern, in the pattern's directory */
		char pdir[PATH_MAX], comp[PATH_MAX];
		size_t dl = (size_t)(slash - cv);
		const char *rest, *end;

		if (dl >= sizeof(pdir))
			continue;
		memcpy(pdir, cv, dl);
		pdir[dl] = '\0';
		if (!dl)
			strcpy(pdir, "/");
		if (!beneath(dir, pdir) || !strcmp(dir, pdir))
			continue;
		rest = dir + (dl ? dl + 1 : 1);
		end = strchrnul(rest, '/');
		if ((size_t)(end - rest) >= sizeof(comp))
			continue;
		memcpy(comp, rest, (size_t)(end - rest));
		comp[end - rest] = '\0';
		if (fnmatch(slash + 1, comp, 0) == 0)
			return c->carve_src[i];
	}
	return NULL;
}

/* Too broad to learn: /, a top-level directory, one of /usr/X or /var/X,
 * the home directory or one above it. */
static bool broad(const struct ctx *c, const char *dir)
{
	const char *homes[] = { c->env.home, c->env.pw_home, c->real_home, c->real_pw_home };
	const char *second;

	if (!strcmp(dir, "/") || !strchr(dir + 1, '/'))
		return true;
	second = strchr(dir + 1, '/');
	if ((!strncmp(dir, "/usr/", 5) || !strncmp(dir, "/var/", 5)) && !strchr(second + 1, '/'))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(homes); i++)
		if (homes[i] && beneath(homes[i], dir))
			return true;
	return false;
}

/* A path the policy takes as it is: no pattern, no quoting to get wrong. */
static bool plain(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("-_./+:@,=%", *p)))
			return false;
	return true;
}

/* `path` as the policy writes it: $CWD/..., $TMPDIR/..., ~/... (the
 * longest of them), else as it is. */
static char *shown(const struct ctx *c, const char *path)
{
	const char *roots[] = { c->env.cwd, c->env.tmpdir, c->env.home, c->real_cwd, c->real_tmp, c->real_home };
	const char *names[] = { "$CWD", "$TMPDIR", "~", "$CWD", "$TMPDIR", "~" };
	size_t best = 0, blen = 0;
	char *s;

	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		size_t n = roots[i] ? strlen(roots[i]) : 0;

		if (n > 1 && n > blen && beneath(path, roots[i])) {
			best = i;
			blen = n;
		}
	}
	if (!blen)
		return strdup(path);
	if (asprintf(&s, "%s%s", names[best], path + blen) < 0)
		return NULL;
	return s;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* One grant: merged with an equal one, else added. */
static void grant(struct ctx *c, const char *path, const char *as, enum sk_fs_kind kind,
		  const struct sk_file_denial *d)
{
	struct sk_learned_files *lf = c->lf;
	struct sk_file_grant *g;

	for (size_t i = 0; i < lf->n; i++)
		if (lf->g[i].kind == kind && !strcmp(lf->g[i].path, path)) {
			lf->g[i].count += d->count;
			return;
		}
	g = realloc(lf->g, (lf->n + 1) * sizeof(*g));
	if (!g) {
		c->oom = true;
		return;
	}
	lf->g = g;
	g = &g[lf->n];
	memset(g, 0, sizeof(*g));
	g->path = strdup(path);
	g->shown = as ? strdup(as) : shown(c, path);
	if (!g->path || !g->shown) {
		free(g->path);
		free(g->shown);
		c->oom = true;
		return;
	}
	g->kind = kind;
	g->count = d->count;
	g->pid = d->pid;
	memcpy(g->comm, d->comm, sizeof(g->comm));
	lf->n++;
}

/* Whether `path` can be granted; if not, a note says why. */
static bool grantable(struct ctx *c, const struct sk_file_denial *d, const char *path, enum sk_fs_kind kind)
{
	char *s = shown(c, path);
	const char *carve;
	bool ok = false;

	if (!s) {
		c->oom = true;
		return false;
	}
	if (!plain(path))
		note(c, "%s %s by %s: not learned, the path is not one learn writes as it is", sk_fs_op_name(d->op),
		     d->shown, d->comm);
	else if (!strncmp(path, "/proc/", 6) && path[6] >= '0' && path[6] <= '9')
		note(c, "%s %s by %s: a path of one process (its pid); not learned", sk_fs_op_name(d->op), d->shown,
		     d->comm);
	else if (broad(c, path))
		note(c, "%s %s by %s: needs `%s: [%s]`, too broad to learn; grant it yourself if you mean it",
		     sk_fs_op_name(d->op), d->shown, d->comm, kind_name(kind), s);
	else if ((carve = carve_conflict(c, path)))
		note(c, "%s %s by %s: needs `%s: [%s]`, which would uncover the base's carve-out %s; not learned",
		     sk_fs_op_name(d->op), d->shown, d->comm, kind_name(kind), s, carve);
	else
		ok = true;
	free(s);
	return ok;
}

/* The toolchain managers' roots (docs/toolchains.md): their variable, or
 * their default beneath the home directory (sk_path_expand knows which). */
static const char *const tool_vars[] = { "$PYENV_ROOT", "$NVM_DIR",    "$ASDF_DATA_DIR", "$RUSTUP_HOME",
					 "$CARGO_HOME", "$VOLTA_HOME", "$SDKMAN_DIR",	 "$GOPATH" };

/* The root of the toolchain `path` is in, that a grant would not uncover a
 * carve-out from ($CARGO_HOME holds credentials), or NULL; *as its name. */
static char *tool_root(const struct ctx *c, const char *path, const char **as)
{
	for (size_t i = 0; i < ARRAY_SIZE(tool_vars); i++) {
		char *root = NULL;

		if (sk_path_expand(tool_vars[i], &c->env, &root) < 0)
			continue;
		if (strcmp(root, path) && beneath(path, root) && plain(root) && !carve_conflict(c, root)) {
			*as = tool_vars[i];
			return root;
		}
		free(root);
	}
	return NULL;
}

static void learn_one(struct ctx *c, const struct sk_file_denial *d, bool *learned)
{
	char *dir = NULL, *fdir = NULL;
	enum sk_fs_kind kind = SK_FS_WRITE;
	const char *at = d->path, *as = NULL;

	*learned = false;
	if (d->enforced) {
		/* In the words of what Landlock kept: the carve-out. */
		struct sk_fs_verdict v;

		if (c->f->enforced_ix)
			sk_fs_decide(c->f->enforced_ix, d->path, d->op, d->from, &v);
		note(c, "%s %s by %s: %s; the base's carve-outs hold in learn too: not learned", sk_fs_op_name(d->op),
		     d->shown, d->comm, c->f->enforced_ix ? v.explain : d->explain);
		return;
	}
	switch (d->op) {
	case SK_FS_OP_READ:
		kind = SK_FS_READ;
		break;
	case SK_FS_OP_WRITE:
		break;
	case SK_FS_OP_EXEC:
		kind = SK_FS_EXEC;
		/* A toolchain manager's root, as its variable, where it can
		 * be granted; else the executable's directory. */
		if ((dir = tool_root(c, d->path, &as)) && broad(c, dir)) {
			free(dir);
			dir = NULL;
			as = NULL;
		}
		at = dir ? dir : (dir = dir_of(d->path));
		break;
	case SK_FS_OP_RENAME:
	case SK_FS_OP_LINK:
		/* The source's directory too, where the base does not let
		 * entries go from it: a rename removes one, and Landlock
		 * refuses either where the target grants more. */
		if (d->from && !sk_fs_allows(c->f->ix, d->from, SK_FS_OP_REMOVE) && !(fdir = dir_of(d->from)))
			c->oom = true;
		/* fall through */
	default: /* CREATE, REMOVE: an entry of the directory */
		at = dir = dir_of(d->path);
		break;
	}
	if (!at || c->oom) {
		c->oom = true;
		goto out;
	}
	if (!grantable(c, d, at, kind) || (fdir && !grantable(c, d, fdir, SK_FS_WRITE)))
		goto out;
	grant(c, at, as, kind, d);
	if (fdir)
		grant(c, fdir, NULL, SK_FS_WRITE, d);
	*learned = true;
out:
	free(dir);
	free(fdir);
}

static void drop(struct sk_learned_files *lf, size_t i)
{
	free(lf->g[i].path);
	free(lf->g[i].shown);
	memmove(&lf->g[i], &lf->g[i + 1], (lf->n - i - 1) * sizeof(*lf->g));
	lf->n--;
}

/* Drop the grants another one covers (same or more rights, at or above). */
static void drop_covered(struct sk_learned_files *lf)
{
	for (size_t i = 0; i < lf->n;) {
		bool covered = false;

		for (size_t k = 0; k < lf->n && !covered; k++)
			covered = k != i && (rights(lf->g[k].kind) & rights(lf->g[i].kind)) == rights(lf->g[i].kind) &&
				  beneath(lf->g[i].path, lf->g[k].path) &&
				  (strcmp(lf->g[i].path, lf->g[k].path) || k < i);
		if (!covered) {
			i++;
			continue;
		}
		for (size_t k = 0; k < lf->n; k++)
			if (k != i && beneath(lf->g[i].path, lf->g[k].path) &&
			    (rights(lf->g[k].kind) & rights(lf->g[i].kind)) == rights(lf->g[i].kind)) {
				lf->g[k].count += lf->g[i].count;
				break;
			}
		drop(lf, i);
	}
}

/* A directory now (a file, or gone: an entry). */
static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* COLLAPSE_AT or more grants of one kind for files in one directory: the
 * directory (grants of directories stay apart: their parent is wider). */
static bool collapse_once(struct ctx *c)
{
	struct sk_learned_files *lf = c->lf;

	for (size_t i = 0; i < lf->n; i++) {
		char *dir = dir_of(lf->g[i].path);
		size_t same = 0;

		if (!dir) {
			c->oom = true;
			return false;
		}
		for (size_t k = 0; k < lf->n; k++) {
			char *dk = dir_of(lf->g[k].path);

			same += dk && lf->g[k].kind == lf->g[i].kind && !strcmp(dk, dir) && !is_dir(lf->g[k].path);
			free(dk);
		}
		if (same < COLLAPSE_AT || !plain(dir) || broad(c, dir) || carve_conflict(c, dir)) {
			free(dir);
			continue;
		}
		struct sk_file_denial d = { .count = 0, .pid = lf->g[i].pid };

		memcpy(d.comm, lf->g[i].comm, sizeof(d.comm));
		grant(c, dir, NULL, lf->g[i].kind, &d); /* drop_covered() moves the counts */
		free(dir);
		drop_covered(lf);
		return true;
	}
	return false;
}

static int cmp_grants(const void *a, const void *b)
{
	const struct sk_file_grant *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->shown, y->shown);
}

/* The command's own exec: not always seen by the supervisor (it may run
 * before the first notification can), so judged here, on the file run
 * will exec. */
static void learn_command(struct ctx *c, const char *command)
{
	struct sk_file_denial d = { .op = SK_FS_OP_EXEC, .count = 1, .enforced = true };
	char canon[PATH_MAX], shown_buf[PATH_MAX], expl[] = "";
	const struct sk_files_mediation *f = c->f;
	const char *name;
	bool learned;

	if (!command || !realpath(command, canon) || sk_fs_allows(f->ix, canon, SK_FS_OP_EXEC))
		return;
	for (size_t i = 0; i < f->n; i++)
		if (f->d[i].op == SK_FS_OP_EXEC && !strcmp(f->d[i].path, canon))
			return; /* seen: learned with the rest */
	sk_fs_show_path(f->ix, canon, shown_buf, sizeof(shown_buf));
	d.path = canon;
	d.shown = shown_buf;
	d.explain = d.fix = expl;
	snprintf(d.syscall, sizeof(d.syscall), "execve");
	name = strrchr(canon, '/') + 1;
	snprintf(d.comm, sizeof(d.comm), "%.15s", name);
	if (f->enforced_ix)
		d.enforced = !sk_fs_allows(f->enforced_ix, canon, SK_FS_OP_EXEC);
	learn_one(c, &d, &learned);
	if (learned && !(c->lf->command = strdup(canon)))
		c->oom = true;
}

int sk_learn_files(const struct sk_files_mediation *f, const stockade_plan *base, const char *command,
		   struct sk_learned_files *out, stockade_error **err)
{
	struct ctx c = { .lf = out, .f = f };
	int ret;

	memset(out, 0, sizeof(*out));
	if (!f)
		return 0;
	out->f = f;
	if (!(out->learned = calloc(f->n ? f->n : 1, sizeof(*out->learned))))
		return sk_error(err, ENOMEM, "out of memory");
	if ((ret = sk_path_env_current(&c.env, err)) < 0)
		return ret;
	c.real_home = c.env.home ? realpath(c.env.home, NULL) : NULL;
	c.real_pw_home = c.env.pw_home ? realpath(c.env.pw_home, NULL) : NULL;
	c.real_cwd = c.env.cwd ? realpath(c.env.cwd, NULL) : NULL;
	c.real_tmp = c.env.tmpdir ? realpath(c.env.tmpdir, NULL) : NULL;
	for (size_t i = 0; i < base->access.npaths && !c.oom; i++) {
		const struct sk_fs_path *p = &base->access.paths[i];

		if (p->kind != SK_FS_DENY && p->kind != SK_FS_READ_ONLY)
			continue;
		if (add_carve(&c, p->path, &c.env) < 0)
			c.oom = true;
		if (c.env.pw_home && c.env.home && strcmp(c.env.pw_home, c.env.home) &&
		    (p->path[0] == '~' || !strncmp(p->path, "$HOME", 5))) {
			struct sk_path_env pw = c.env;

			pw.home = c.env.pw_home;
			if (add_carve(&c, p->path, &pw) < 0)
				c.oom = true;
		}
	}
	for (size_t i = 0; i < f->n && !c.oom; i++)
		learn_one(&c, &f->d[i], &out->learned[i]);
	if (!c.oom)
		learn_command(&c, command);
	drop_covered(out);
	while (!c.oom && collapse_once(&c))
		;
	if (f->dropped)
		note(&c, "%lu more file access%s the base refuses were not recorded (past %d distinct); not learned",
		     f->dropped, f->dropped == 1 ? "" : "es", SK_FILE_DENIALS_MAX);
	if (out->n)
		qsort(out->g, out->n, sizeof(*out->g), cmp_grants);
	for (size_t i = 0; i < c.ncarves; i++)
		free(c.carves[i]);
	free(c.carves);
	free(c.carve_src);
	sk_path_env_free(&c.env);
	free(c.real_home);
	free(c.real_pw_home);
	free(c.real_cwd);
	free(c.real_tmp);
	if (c.oom) {
		sk_learned_files_free(out);
		return sk_error(err, ENOMEM, "out of memory while learning file paths");
	}
	return 0;
}

void sk_learned_files_free(struct sk_learned_files *lf)
{
	for (size_t i = 0; i < lf->n; i++) {
		free(lf->g[i].path);
		free(lf->g[i].shown);
	}
	for (size_t i = 0; i < lf->nnotes; i++)
		free(lf->notes[i]);
	free(lf->g);
	free(lf->notes);
	free(lf->learned);
	free(lf->command);
	memset(lf, 0, sizeof(*lf));
}

/* Printable ASCII only (a comm, a path in a comment). */
static void put_clean(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s >= 0x20 && *s < 0x7f ? *s : '?', f);
}

void sk_learned_files_put(FILE *out, const struct sk_learned_files *lf)
{
	if (lf->n)
		fputs("filesystem:\n", out);
	for (int k = SK_FS_READ; k <= SK_FS_EXEC && lf->n; k++) {
		bool any = false;

		for (size_t i = 0; i < lf->n; i++) {
			const struct sk_file_grant *g = &lf->g[i];

			if ((int)g->kind != k)
				continue;
			if (!any)
				fprintf(out, "  %s:\n", kind_name(g->kind));
			any = true;
			/* plain(): nothing in it to escape */
			fprintf(out, "    - \"%s\" # ", g->shown);
			if (g->pid > 0) {
				fputs("used by ", out);
				put_clean(out, g->comm);
				fprintf(out, " (pid %d), ", (int)g->pid);
			} else {
				fputs("the command's own exec, ", out);
			}
			fprintf(out, "%lu access%s\n", g->count, g->count == 1 ? "" : "es");
		}
	}
	for (size_t i = 0; i < lf->nnotes; i++) {
		fputs("# ", out);
		put_clean(out, lf->notes[i]);
		fputc('\n', out);
	}
}

size_t sk_learned_files_check(const struct sk_learned_files *lf, const stockade_plan *plan, const char **first,
			      stockade_error **err)
{
	struct sk_path_env env;
	struct sk_fs_index *ix = NULL;
	size_t denied = 0;

	*first = NULL;
	if (!lf->f || !lf->n)
		return 0;
	if (sk_path_env_current(&env, err) < 0)
		return 1;
	if (sk_fs_index_new_lazy(plan, &env, &ix, err) < 0) {
		sk_path_env_free(&env);
		return 1;
	}
	if (lf->command && !sk_fs_allows(ix, lf->command, SK_FS_OP_EXEC) && !denied++)
		*first = lf->command;
	for (size_t i = 0; i < lf->f->n; i++) {
		const struct sk_file_denial *d = &lf->f->d[i];
		struct sk_fs_verdict v;

		if (!lf->learned[i])
			continue;
		sk_fs_decide(ix, d->path, d->op, d->from, &v);
		if (!v.allowed && !denied++)
			*first = d->shown;
	}
	sk_fs_index_free(ix);
	sk_path_env_free(&env);
	return denied;
}
