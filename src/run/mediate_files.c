/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * File denials observed through the supervisor (mediate_files.h): one
 * observe-only mediator per path-taking syscall, inline in the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "landlock/landlock.h"
#include "run/mediate_files.h"

enum file_kind {
	K_OPEN,	  /* flags decide: read, write, create */
	K_CREAT,  /* creat(): create, or write an existing file */
	K_EXEC,
	K_MAKE,	  /* a new entry: mkdir, mknod, symlink */
	K_REMOVE, /* unlink, rmdir */
	K_RENAME,
	K_LINK,	  /* a new name for an existing file */
	K_WRITE,  /* truncate */
};

/* Where a syscall keeps its path(s): argument indexes, -1 for none (the
 * dirfd: AT_FDCWD). */
struct file_sys {
	const char *name;
	enum file_kind kind;
	int dirfd, path;   /* the path judged (for RENAME and LINK: the source) */
	int dirfd2, path2; /* RENAME, LINK, symlink: the new name */
	int flags;	   /* open's flags */
};

static const struct file_sys file_sys[] = {
	{ "open", K_OPEN, -1, 0, -1, -1, 1 },	   { "openat", K_OPEN, 0, 1, -1, -1, 2 },
	{ "creat", K_CREAT, -1, 0, -1, -1, -1 },   { "execve", K_EXEC, -1, 0, -1, -1, -1 },
	{ "execveat", K_EXEC, 0, 1, -1, -1, -1 },  { "mkdir", K_MAKE, -1, 0, -1, -1, -1 },
	{ "mkdirat", K_MAKE, 0, 1, -1, -1, -1 },   { "mknod", K_MAKE, -1, 0, -1, -1, -1 },
	{ "mknodat", K_MAKE, 0, 1, -1, -1, -1 },   { "symlink", K_MAKE, -1, 1, -1, -1, -1 },
	{ "symlinkat", K_MAKE, 1, 2, -1, -1, -1 }, { "unlink", K_REMOVE, -1, 0, -1, -1, -1 },
	{ "unlinkat", K_REMOVE, 0, 1, -1, -1, -1 }, { "rmdir", K_REMOVE, -1, 0, -1, -1, -1 },
	{ "rename", K_RENAME, -1, 0, -1, 1, -1 },  { "renameat", K_RENAME, 0, 1, 2, 3, -1 },
	{ "renameat2", K_RENAME, 0, 1, 2, 3, -1 }, { "link", K_LINK, -1, 0, -1, 1, -1 },
	{ "linkat", K_LINK, 0, 1, 2, 3, -1 },	   { "truncate", K_WRITE, -1, 0, -1, -1, -1 },
};

static const struct file_sys *find_sys(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(file_sys); i++)
		if (!strcmp(file_sys[i].name, name))
			return &file_sys[i];
	return NULL;
}

/* A NUL-terminated string of the caller's, read page by page so that a
 * short string near the end of its mapping reads too. */
static int read_string(const struct sk_mreq *r, uint64_t addr, char *buf, size_t size)
{
	size_t got = 0;

	if (!addr)
		return -EFAULT;
	while (got < size - 1) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		int ret;

		if (chunk > size - 1 - got)
			chunk = size - 1 - got;
		if ((ret = sk_mreq_read(r, addr + got, buf + got, chunk)) < 0)
			return ret;
		if (memchr(buf + got, '\0', chunk))
			return 0;
		got += chunk;
	}
	return -ENAMETOOLONG;
}

/* The directory a relative path of the caller starts from. */
static int start_dir(pid_t pid, int dirfd, char *out, size_t size)
{
	char link[64];
	ssize_t n;

	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, dirfd);
	n = readlink(link, out, size - 1);
	if (n <= 0 || out[0] != '/')
		return -ENOENT;
	out[n] = '\0';
	return 0;
}

/* Names that mean the caller itself (/proc/self, /dev/fd, ...) would
 * resolve to the supervisor here: name the caller instead. */
static int own_names(pid_t pid, const char *in, char *out, size_t size)
{
	/* prefix -> /proc/PID followed by `then` */
	static const struct {
		const char *prefix, *then;
	} own[] = {
		{ "/proc/self/", "/" },	  { "/proc/thread-self/", "/" }, { "/dev/fd/", "/fd/" },
		{ "/dev/stdin", "/fd/0" }, { "/dev/stdout", "/fd/1" },	  { "/dev/stderr", "/fd/2" },
		{ "/proc/self", "" },	  { "/proc/thread-self", "" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(own); i++) {
		size_t n = strlen(own[i].prefix);

		if (strncmp(in, own[i].prefix, n) != 0 || (own[i].prefix[n - 1] != '/' && in[n] && in[n] != '/'))
			continue;
		return (size_t)snprintf(out, size, "/proc/%d%s%s", (int)pid, own[i].then, in + n) >= size ? -ENAMETOOLONG
													   : 0;
	}
	return (size_t)snprintf(out, size, "%s", in) >= size ? -ENAMETOOLONG : 0;
}

/* The caller's path argument (slot `pi`, its dirfd in `di`) made absolute. */
static int caller_path(const struct sk_mreq *r, int di, int pi, char *out, size_t size)
{
	char path[PATH_MAX], base[PATH_MAX];
	int ret = read_string(r, r->args[pi], path, sizeof(path));

	if (ret < 0)
		return ret;
	if (!path[0])
		return -ENOENT; /* AT_EMPTY_PATH and friends: no path to judge */
	char joined[2 * PATH_MAX];

	if (path[0] == '/')
		return own_names(r->pid, path, out, size);
	if ((ret = start_dir(r->pid, di < 0 ? AT_FDCWD : (int)r->args[di], base, sizeof(base))) < 0)
		return ret;
	snprintf(joined, sizeof(joined), "%s/%s", base, path);
	return own_names(r->pid, joined, out, size);
}

/* An existing path as the kernel resolves it, links followed. */
static int canon_existing(const char *abs, char *out)
{
	return realpath(abs, out) ? 0 : -errno;
}

/* A name in an existing directory, the last component not followed: its
 * directory resolved, the name kept.  want_exists: the name must exist
 * (remove, rename's source), else it must not (create). */
static int canon_entry(const char *abs, bool want_exists, char *out)
{
	char dir[PATH_MAX], canon[PATH_MAX];
	const char *slash = strrchr(abs, '/'), *name;
	struct stat st;

	if (!slash)
		return -ENOENT;
	name = slash + 1;
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return -ENOENT;
	snprintf(dir, sizeof(dir), "%.*s", slash == abs ? 1 : (int)(slash - abs), abs);
	if (!realpath(dir, canon))
		return -errno;
	if ((size_t)snprintf(out, PATH_MAX, "%s%s%s", canon, strcmp(canon, "/") ? "/" : "", name) >= PATH_MAX)
		return -ENAMETOOLONG;
	if ((lstat(out, &st) == 0) != want_exists)
		return -ENOENT; /* the kernel fails it first (EEXIST, ENOENT) */
	return 0;
}

/* What the call asks Landlock for, or -ENOENT when Landlock is not asked. */
static int file_call(const struct sk_mreq *r, const struct file_sys *fs, struct sk_file_call *c)
{
	char abs[PATH_MAX], abs2[PATH_MAX];
	int ret;

	memset(c, 0, sizeof(*c));
	if ((ret = caller_path(r, fs->dirfd, fs->path, abs, sizeof(abs))) < 0)
		return ret;
	switch (fs->kind) {
	case K_OPEN:
	case K_CREAT: {
		int flags = fs->kind == K_CREAT ? O_CREAT | O_WRONLY | O_TRUNC : (int)r->args[fs->flags];

		if (flags & O_PATH)
			return -ENOENT; /* Landlock does not check O_PATH opens */
		if (canon_existing(abs, c->path) == 0) {
			if ((flags & O_CREAT) && (flags & O_EXCL))
				return -ENOENT; /* EEXIST */
			c->op = (flags & O_ACCMODE) == O_RDONLY && !(flags & O_TRUNC) ? SK_FS_OP_READ : SK_FS_OP_WRITE;
			return 0;
		}
		if (!(flags & O_CREAT))
			return -ENOENT;
		c->op = SK_FS_OP_CREATE;
		return canon_entry(abs, false, c->path);
	}
	case K_EXEC:
		c->op = SK_FS_OP_EXEC;
		return canon_existing(abs, c->path);
	case K_WRITE:
		c->op = SK_FS_OP_WRITE;
		return canon_existing(abs, c->path);
	case K_MAKE:
		c->op = SK_FS_OP_CREATE;
		return canon_entry(abs, false, c->path);
	case K_REMOVE:
		c->op = SK_FS_OP_REMOVE;
		return canon_entry(abs, true, c->path);
	case K_RENAME:
	case K_LINK:
		if ((ret = caller_path(r, fs->dirfd2, fs->path2, abs2, sizeof(abs2))) < 0)
			return ret;
		if ((ret = canon_entry(abs, true, c->from)) < 0)
			return ret;
		if (fs->kind == K_LINK) {
			c->op = SK_FS_OP_LINK;
			return canon_entry(abs2, false, c->path);
		}
		c->op = SK_FS_OP_RENAME;
		/* The target may exist: rename replaces it. */
		if (canon_entry(abs2, false, c->path) < 0 && canon_entry(abs2, true, c->path) < 0)
			return -ENOENT;
		return 0;
	}
	return -ENOENT;
}

static void record(struct sk_files_mediation *f, const struct sk_mreq *r, const struct sk_file_call *c,
		   const struct sk_fs_verdict *v)
{
	struct sk_file_denial *d = NULL;
	char shown[PATH_MAX];

	f->refused++;
	for (size_t i = 0; i < f->n && !d; i++)
		if (f->d[i].op == c->op && !strcmp(f->d[i].path, c->path))
			d = &f->d[i];
	if (!d) {
		if (f->n >= SK_FILE_DENIALS_MAX) {
			f->dropped++;
			return;
		}
		d = &f->d[f->n];
		memset(d, 0, sizeof(*d));
		sk_fs_show_path(f->ix, c->path, shown, sizeof(shown));
		d->path = strdup(c->path);
		d->shown = strdup(shown);
		d->explain = strdup(v->explain);
		d->fix = strdup(v->fix);
		d->from = c->from[0] ? strdup(c->from) : NULL;
		if (!d->path || !d->shown || !d->explain || !d->fix || (c->from[0] && !d->from)) {
			free(d->path);
			free(d->from);
			free(d->shown);
			free(d->explain);
			free(d->fix);
			f->dropped++;
			return;
		}
		d->op = c->op;
		snprintf(d->syscall, sizeof(d->syscall), "%s", r->name ? r->name : "?");
		d->pid = r->pid;
		d->why = v->why;
		d->rule = v->rule;
		d->enforced = true;
		if (f->enforced_ix) {
			struct sk_fs_verdict e;

			sk_fs_decide(f->enforced_ix, c->path, c->op, c->from[0] ? c->from : NULL, &e);
			d->enforced = !e.allowed;
		}
		clock_gettime(CLOCK_REALTIME, &d->first);
		sk_read_comm(r->pid, d->comm);
		if (!sk_mreq_valid(r))
			strcpy(d->comm, "?");
		f->n++;
	}
	d->count++;
	bool seen = false;
	for (unsigned i = 0; i < d->npids && i < ARRAY_SIZE(d->pids); i++)
		seen |= d->pids[i] == r->pid;
	if (!seen && d->npids < 64) {
		if (d->npids < ARRAY_SIZE(d->pids))
			d->pids[d->npids] = r->pid;
		d->npids++;
	}
}

static void observe(struct sk_mreq *r, void *data)
{
	struct sk_files_mediation *f = data;
	const struct file_sys *fs = find_sys(r->name);
	struct sk_file_call c;
	struct sk_fs_verdict v;
	struct timespec t0, t1;

	/* Whatever happens here, the kernel runs the call and Landlock
	 * decides it. */
	sk_mreq_continue(r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	f->observed++;
	if (fs && file_call(r, fs, &c) == 0) {
		/* (as explain: a directory under a readable one is listed) */
		sk_explain_fs(f->ix, c.path, c.op, c.from[0] ? c.from : NULL, &v);
		if (!v.allowed)
			record(f, r, &c, &v);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	f->ns += (unsigned long long)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
}

void sk_files_mediation_free(struct sk_files_mediation *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->d[i].path);
		free(f->d[i].from);
		free(f->d[i].shown);
		free(f->d[i].explain);
		free(f->d[i].fix);
	}
	free(f->d);
	sk_fs_index_free(f->ix);
	sk_fs_index_free(f->enforced_ix);
	free(f);
}

int sk_files_mediation_setup(const stockade_plan *plan, struct sk_mediation *m, stockade_error **err)
{
	enum stockade_landlock_reason why;
	struct sk_files_mediation *f;
	struct sk_path_env env;
	int errnum, ret;

	/* Nothing to explain: no file rule, or no Landlock to refuse. */
	if (!plan->access.fs || plan->access.landlock == SK_LANDLOCK_OFF || !plan->seccomp_enabled ||
	    sk_landlock_kernel_abi(&why, &errnum) <= 0 || m->files_state)
		return 0;
	if (!(f = calloc(1, sizeof(*f))) || !(f->d = calloc(SK_FILE_DENIALS_MAX, sizeof(*f->d)))) {
		free(f);
		return sk_error(err, ENOMEM, "out of memory");
	}
	f->plan = plan;
	if ((ret = sk_path_env_current(&env, err)) < 0) {
		sk_files_mediation_free(f);
		return ret;
	}
	ret = sk_fs_index_new(plan, &env, &f->ix, err);
	sk_path_env_free(&env);
	if (ret < 0) {
		sk_files_mediation_free(f);
		return ret;
	}
	size_t before = m->n;

	for (size_t i = 0; i < ARRAY_SIZE(file_sys); i++) {
		struct sk_mediator h = { .syscall = file_sys[i].name, .run = SK_MRUN_INLINE, .observe = true,
					 .handle = observe, .data = f };

		ret = sk_mediation_add(m, &h);
		if (ret < 0 && ret != -EEXIST) {
			m->n = before; /* none of ours stays, pointing at f */
			sk_files_mediation_free(f);
			return sk_error(err, -ret, "cannot observe %s: %s", file_sys[i].name, strerror(-ret));
		}
	}
	m->files_state = f;
	return 0;
}

int sk_files_mediation_enforced(struct sk_files_mediation *f, const stockade_plan *enforced, stockade_error **err)
{
	struct sk_path_env env;
	int ret;

	sk_fs_index_free(f->enforced_ix);
	f->enforced_ix = NULL;
	if (!enforced)
		return 0;
	if ((ret = sk_path_env_current(&env, err)) < 0)
		return ret;
	ret = sk_fs_index_new(enforced, &env, &f->enforced_ix, err);
	sk_path_env_free(&env);
	return ret;
}
