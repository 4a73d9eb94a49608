/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Package managers' caches redirected to ~/.cache/stockade/<tool> (caches.h
 * says why).  Which variable each tool reads, and where its cache is when
 * the variable is not set: the tools' own documentation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "plan/fs_eval.h"
#include "run/caches.h"

struct cache_tool {
	const char *tool, *var;
	const char *home_default; /* beneath the home directory */
	const char *sub;	  /* beneath ~/.cache/stockade */
};

/*
 * cargo is not here: it has no variable for its cache alone, and moving
 * CARGO_HOME would move its bin directory and config (and what strict's
 * $CARGO_HOME grants).  Its registry stays the user's, read-only, so a
 * sandboxed run cannot plant a build.rs there (docs/toolchains.md).
 */
static const struct cache_tool tools[] = {
	{ "npm", "npm_config_cache", "/.npm", "npm" },
	{ "pip", "PIP_CACHE_DIR", "/.cache/pip", "pip" },
	{ "uv", "UV_CACHE_DIR", "/.cache/uv", "uv" },
	{ "go", "GOMODCACHE", "/go/pkg/mod", "go/mod" },
	{ "go", "GOCACHE", "/.cache/go-build", "go/build" },
	{ "gradle", "GRADLE_USER_HOME", "/.gradle", "gradle" },
	{ "maven", "MAVEN_OPTS", "/.m2/repository", "maven" },
	{ "yarn", "YARN_CACHE_FOLDER", "/.cache/yarn", "yarn" },
	{ "bun", "BUN_INSTALL_CACHE_DIR", "/.bun/install/cache", "bun" },
	{ "pre-commit", "PRE_COMMIT_HOME", "/.cache/pre-commit", "pre-commit" },
};

static char *join(const char *a, const char *b, const char *c)
{
	char *s = malloc(strlen(a) + strlen(b) + strlen(c) + 1);

	if (s)
		strcpy(stpcpy(stpcpy(s, a), b), c);
	return s;
}

#ifndef __NR_openat2
#define __NR_openat2 437
#endif

/* `home`/.cache/stockade, made if missing: a descriptor, or -errno.
 * ~/.cache may be a link of the user's (another disk); from `stockade` down
 * the tree is the sandbox's to write, so a link an earlier run planted
 * there is never followed: O_NOFOLLOW, and a link or non-directory refuses
 * the caches (-ELOOP, -ENOTDIR).  Nothing is created or chmodded outside
 * the tree. */
static int open_cache_root(const char *home)
{
	_cleanup_free_ char *cache = join(home, "/.cache", "");
	_cleanup_close_ int fd = -1;
	int sub;

	if (!cache)
		return -ENOMEM;
	fd = open(cache, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && (mkdir(cache, 0700) == 0 || errno == EEXIST))
		fd = open(cache, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	sub = openat(fd, "stockade", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0 && errno == ENOENT && (mkdirat(fd, "stockade", 0700) == 0 || errno == EEXIST))
		sub = openat(fd, "stockade", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return sub < 0 ? -errno : sub;
}

/* `sub` beneath the cache root `root_fd`, made if missing.  One openat2()
 * that refuses links and leaving the tree finds it when it is there (every
 * run but the first); otherwise each step is mkdirat() + openat(O_NOFOLLOW)
 * from the one above. */
static int make_cache_dir(int root_fd, const char *sub)
{
	struct {
		uint64_t flags, mode, resolve;
	} how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = 0x08 | 0x04 /* RESOLVE_BENEATH, NO_SYMLINKS */ };
	_cleanup_free_ char *rel = strdup(sub);
	long found = syscall(__NR_openat2, root_fd, sub, &how, sizeof(how));
	int fd, ret = 0;

	if (found >= 0) {
		close((int)found);
		return 0;
	}
	if (errno != ENOENT && errno != ENOSYS && errno != EPERM)
		return -errno; /* a link (ELOOP), a file (ENOTDIR) */
	if (!rel)
		return -ENOMEM;
	fd = dup(root_fd);
	if (fd < 0)
		return -errno;
	for (char *name = rel, *next; name && *name; name = next) {
		int sub_fd;

		next = strchr(name, '/');
		if (next)
			*next++ = '\0';
		if (mkdirat(fd, name, 0700) < 0 && errno != EEXIST) {
			ret = -errno;
			break;
		}
		sub_fd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub_fd < 0) {
			ret = -errno;
			break;
		}
		close(fd);
		fd = sub_fd;
	}
	close(fd);
	return ret;
}

/* The answers so far, by the directory the entry would be created in: the
 * tools' missing caches mostly share one (~/.cache). */
struct answers {
	char *dir[ARRAY_SIZE(tools) + 1];
	bool ok[ARRAY_SIZE(tools) + 1];
	size_t n;
	/* Directories looked at on the way up (~/.cache, ~ for most). */
	char *seen[2 * ARRAY_SIZE(tools)];
	bool there[2 * ARRAY_SIZE(tools)];
	size_t nseen;
};

static bool exists_dir(struct answers *a, const char *path)
{
	struct stat st;
	bool there;

	for (size_t i = 0; i < a->nseen; i++)
		if (!strcmp(a->seen[i], path))
			return a->there[i];
	there = stat(path, &st) == 0;
	if (a->nseen < ARRAY_SIZE(a->seen) && (a->seen[a->nseen] = strdup(path)))
		a->there[a->nseen++] = there;
	return there;
}

/* Whether the policy lets the command create entries in `dir`, and, if
 * dir does not exist (exists false), dir itself in its nearest existing
 * directory. */
static bool writable(const struct sk_fs_index *ix, struct answers *a, const char *dir, bool exists)
{
	_cleanup_free_ char *probe = join(dir, "/", "x");
	bool ok;

	if (!probe)
		return false;
	while (!exists) {
		char *slash = strrchr(probe, '/');

		if (!slash || slash == probe)
			break;
		*slash = '\0';
		slash = strrchr(probe, '/');
		if (!slash || slash == probe)
			break;
		*slash = '\0';
		exists = exists_dir(a, probe);
		*slash = '/';
	}
	char *last = strrchr(probe, '/');
	for (size_t i = 0; last && i < a->n; i++)
		if (!strncmp(a->dir[i], probe, (size_t)(last - probe)) && !a->dir[i][last - probe])
			return a->ok[i];
	ok = sk_fs_may_create_near(ix, probe);
	if (last && a->n < ARRAY_SIZE(a->dir) && (a->dir[a->n] = strndup(probe, (size_t)(last - probe))))
		a->ok[a->n++] = ok;
	return ok;
}

void sk_caches_free(struct sk_caches *c)
{
	free(c->root);
	for (size_t i = 0; i < c->n; i++)
		free(c->set[i].value);
	*c = (struct sk_caches){ 0 };
}

int sk_caches_prepare(const stockade_plan *plan, const struct sk_path_env *env, struct sk_caches *c,
		      stockade_error **err)
{
	struct sk_fs_index *ix = NULL;
	struct answers answers = { .n = 0 };
	int root_fd = -1;
	bool root_tried = false;
	int ret;

	*c = (struct sk_caches){ 0 };
	struct stat hs;

	if (!plan->access.fs || !env->home || !strcmp(env->home, "/"))
		return 0;
	/* A home that is not there (daemon users' /nonexistent) is not made:
	 * the caches are beneath it or nowhere. */
	if (stat(env->home, &hs) < 0 || !S_ISDIR(hs.st_mode))
		return 0;
	if ((ret = sk_fs_index_new_lazy(plan, env, &ix, err)) < 0)
		return ret;
	_cleanup_free_ char *root = join(env->home, "/.cache/stockade", "");
	if (!root) {
		ret = sk_error(err, ENOMEM, "out of memory");
		goto out;
	}
	/* The policy grants the tree (agent and strict do), made below before
	 * the sandbox starts.  Only the grant is asked, not a carve-out inside
	 * it: resolving every carve-out cost a lookup each, and a cache the
	 * policy carved out would fail the tool as its own read-only one does. */
	if (!sk_fs_write_granted(ix, root))
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
		const struct cache_tool *t = &tools[i];
		const char *cur = getenv(t->var);
		bool maven = !strcmp(t->var, "MAVEN_OPTS");
		_cleanup_free_ char *own = NULL, *dir = NULL;

		/* The cache the tool would use: its variable's, or its default. */
		if (maven && cur && strstr(cur, "maven.repo.local"))
			continue; /* the user chose a repository: theirs to grant */
		own = !maven && cur && cur[0] == '/' ? strdup(cur) : join(env->home, t->home_default, "");
		if (!own || !(dir = join(root, "/", t->sub))) {
			ret = sk_error(err, ENOMEM, "out of memory");
			goto out;
		}
		struct stat st;

		if (writable(ix, &answers, own, stat(own, &st) == 0)) {
			c->kept[c->nkept++] = t->tool;
			continue;
		}
		if (!root_tried) {
			root_tried = true;
			root_fd = open_cache_root(env->home);
		}
		if ((ret = root_fd < 0 ? root_fd : make_cache_dir(root_fd, t->sub)) < 0) {
			if (ret == -ENOMEM) {
				ret = sk_error(err, ENOMEM, "out of memory");
				goto out;
			}
			/* A link or a file where the cache should be (planted by
			 * an earlier run), or no room: this tool keeps its own
			 * cache, which the policy leaves read-only. */
			ret = 0;
			continue;
		}
		struct sk_cache_setting *s = &c->set[c->n];
		*s = (struct sk_cache_setting){ .tool = t->tool, .var = t->var };
		if (maven)
			s->value = join(cur && *cur ? cur : "", cur && *cur ? " -Dmaven.repo.local=" : "-Dmaven.repo.local=",
					dir);
		else
			s->value = strdup(dir);
		if (!s->value) {
			ret = sk_error(err, ENOMEM, "out of memory");
			goto out;
		}
		c->n++;
	}
	c->root = root;
	root = NULL;
	ret = 0;
out:
	if (root_fd >= 0)
		close(root_fd);
	for (size_t i = 0; i < answers.n; i++)
		free(answers.dir[i]);
	for (size_t i = 0; i < answers.nseen; i++)
		free(answers.seen[i]);
	sk_fs_index_free(ix);
	if (ret < 0)
		sk_caches_free(c);
	return ret;
}
