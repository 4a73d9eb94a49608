/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Paths as a policy writes them ("~/.ssh/id_*", "$CWD/build", "out"): the
 * syntax check the parser runs, and the expansion of ~, $HOME, $CWD and
 * $TMPDIR against the environment of the process that applies the plan.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy.h"

/* The first three are the sandbox's; then toolchain managers' roots
 * (docs/toolchains.md), then the places tools keep credentials when their
 * own variable moves them (GNUPGHOME=/mnt/gnupg: agent and strict carve
 * out $GNUPGHOME as well as ~/.gnupg), with their defaults beneath the home
 * directory, in the order of sk_path_env.tools. */
#define NFIXED 3
#define GIT_COMMON (NFIXED + SK_PATH_NTOOLS)
static const char *const path_vars[GIT_COMMON + 1] = {
	"HOME",	   "CWD",	 "TMPDIR",     "PYENV_ROOT", "NVM_DIR",
	"ASDF_DATA_DIR", "RUSTUP_HOME", "CARGO_HOME", "VOLTA_HOME", "SDKMAN_DIR",
	"GOPATH", "GNUPGHOME", "DOCKER_CONFIG", "XDG_CONFIG_HOME", "AWS_SHARED_CREDENTIALS_FILE",
	"AWS_CONFIG_FILE", "KUBECONFIG", "CLOUDSDK_CONFIG", "PASSWORD_STORE_DIR",
	"AZURE_CONFIG_DIR", "KRB5CCNAME", "GIT_COMMON_DIR",
};
static const char *const tool_default[SK_PATH_NTOOLS] = {
	"/.pyenv", "/.nvm", "/.asdf", "/.rustup", "/.cargo", "/.volta", "/.sdkman", "/go",
	"/.gnupg", "/.docker", "/.config", "/.aws/credentials", "/.aws/config", "/.kube/config",
	"/.config/gcloud", "/.password-store", "/.azure",
	NULL, /* KRB5CCNAME: /tmp/krb5cc_UID, set by sk_path_env_current */
};
#define KRB5CC (SK_PATH_NTOOLS - 1)

/* Length of a leading $VAR or ${VAR} (0 if none), and which one (-1 unknown). */
static size_t var_at(const char *p, int *which)
{
	size_t n, skip = 1;
	bool brace = p[1] == '{';

	*which = -1;
	if (p[0] != '$')
		return 0;
	if (brace)
		skip = 2;
	n = strspn(p + skip, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
	for (int i = 0; i < (int)ARRAY_SIZE(path_vars); i++)
		if (strlen(path_vars[i]) == n && strncmp(p + skip, path_vars[i], n) == 0)
			*which = i;
	if (brace && p[skip + n] != '}')
		*which = -2;
	return skip + n + (brace && p[skip + n] == '}');
}

int sk_path_check(const char *p, bool pattern, const char **msg, size_t *offset)
{
	size_t len = strlen(p), start = 0, last = 0;

	*offset = 0;
	while (len > 1 && p[len - 1] == '/')
		len--;
	if (!len) {
		*msg = "an empty path";
		return -EINVAL;
	}
	if (p[0] == '~') {
		if (p[1] && p[1] != '/') {
			*msg = "`~user` is not supported; write ~/..., $HOME/... or an absolute path";
			return -EINVAL;
		}
		start = 1;
	} else if (p[0] == '$') {
		int which;
		size_t n = var_at(p, &which);
		if (which == -2) {
			*msg = "`${` without its `}`";
			return -EINVAL;
		}
		if (which < 0) {
			*msg = "unknown variable; paths may start with $HOME, $CWD, $TMPDIR, a toolchain's root "
			       "($PYENV_ROOT, $NVM_DIR, $ASDF_DATA_DIR, $RUSTUP_HOME, $CARGO_HOME, $VOLTA_HOME, "
			       "$SDKMAN_DIR, $GOPATH), a tool's credentials ($GNUPGHOME, $DOCKER_CONFIG, "
			       "$XDG_CONFIG_HOME, $AWS_SHARED_CREDENTIALS_FILE, $AWS_CONFIG_FILE, $KUBECONFIG, "
			       "$CLOUDSDK_CONFIG) or $GIT_COMMON_DIR";
			return -EINVAL;
		}
		if (p[n] && p[n] != '/') {
			*offset = n;
			*msg = "a variable is a whole path component: $HOME/x, not $HOMEx";
			return -EINVAL;
		}
		start = n;
	}
	for (size_t i = 0; i < len; i++)
		if (p[i] == '/' && i + 1 < len)
			last = i + 1;
	for (size_t i = start; i < len; i++) {
		if (p[i] == '$') {
			*offset = i;
			*msg = "`$` is only allowed at the start of a path ($HOME, $CWD, $TMPDIR)";
			return -EINVAL;
		}
		if (sk_path_glob_char(p[i]) && !pattern) {
			*offset = i;
			*msg = "wildcards are only allowed in deny and read_only";
			return -EINVAL;
		}
		if (sk_path_glob_char(p[i]) && i < last) {
			*offset = i;
			*msg = "wildcards are only allowed in the last component (~/.ssh/id_*)";
			return -EINVAL;
		}
	}
	return 0;
}

int sk_path_expand(const char *path, const struct sk_path_env *env, char **out)
{
	const char *base = NULL, *rest = path;
	_cleanup_free_ char *joined = NULL, *tool = NULL;
	char *res;
	size_t n = 0;

	*out = NULL;
	if (path[0] == '~') {
		base = env->home;
		rest = path + 1;
	} else if (path[0] == '$') {
		int which;
		rest = path + var_at(path, &which);
		base = which == 0 ? env->home : which == 1 ? env->cwd : which == 2 ? env->tmpdir : NULL;
		if (which < 0)
			return -EINVAL;
		if (which == GIT_COMMON) {
			if (!(base = env->git_common))
				return -ENOENT; /* not in a linked worktree */
		} else if (which >= NFIXED) {
			base = env->tools[which - NFIXED];
			if (!base && env->home && tool_default[which - NFIXED]) {
				const char *d = tool_default[which - NFIXED];
				if (!(tool = malloc(strlen(env->home) + strlen(d) + 1)))
					return -ENOMEM;
				strcpy(stpcpy(tool, env->home), d);
				base = tool;
			}
			if (!base)
				return -ENOENT;
		}
	} else if (path[0] != '/') {
		base = env->cwd;
	}
	if (path[0] != '/' && !base)
		return -ENOENT; /* no home directory, say */
	/* base/rest, joined by hand: musl's asprintf() formats twice, and this
	 * runs for every path of the policy on every run. */
	size_t blen = base ? strlen(base) : 0, rlen = strlen(rest);
	if (!(joined = malloc(blen + rlen + 2)))
		return -ENOMEM;
	if (blen)
		memcpy(joined, base, blen);
	joined[blen] = '/';
	memcpy(joined + blen + 1, rest, rlen + 1);
	res = malloc(blen + rlen + 3);
	if (!res)
		return -ENOMEM;
	/* Fold "", "." and ".." components. */
	for (char *save = NULL, *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			while (n > 0 && res[--n] != '/')
				;
			continue;
		}
		res[n++] = '/';
		memcpy(res + n, c, strlen(c));
		n += strlen(c);
	}
	if (n == 0)
		res[n++] = '/';
	res[n] = '\0';
	*out = res;
	return 0;
}

/* The first line of a small file, without its newline; NULL if none. */
static char *first_line(const char *path)
{
	char buf[PATH_MAX + 16];
	/* A regular file only: a FIFO planted under the name would block the
	 * open (and every later run in that directory), a link lead anywhere. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	FILE *f;
	size_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "re"))) {
		close(fd);
		return NULL;
	}
	n = fgets(buf, sizeof(buf), f) ? strcspn(buf, "\n") : 0;
	fclose(f);
	return n ? strndup(buf, n) : NULL;
}

/* `rel` relative to the directory `dir` (unless absolute), resolved. */
static char *resolve_from(const char *dir, const char *rel)
{
	char joined[2 * PATH_MAX + 2];

	if (rel[0] == '/')
		snprintf(joined, sizeof(joined), "%s", rel);
	else
		snprintf(joined, sizeof(joined), "%s/%s", dir, rel);
	return realpath(joined, NULL);
}

/* `gitdir` is COMMON/worktrees/NAME, and COMMON a repository of the
 * caller's (HEAD, objects, refs), not / nor a directory above $HOME. */
static bool worktree_of(const char *common, const char *gitdir)
{
	size_t n = strlen(common);
	const char *home = getenv("HOME");
	char p[PATH_MAX + 16];
	struct stat st;

	if (!strcmp(common, "/") || strncmp(gitdir, common, n) || strncmp(gitdir + n, "/worktrees/", 11) ||
	    !gitdir[n + 11] || strchr(gitdir + n + 11, '/'))
		return false;
	if (home && home[0] == '/' && !strncmp(home, common, n) && (home[n] == '/' || home[n] == '\0'))
		return false;
	if (stat(common, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
		return false;
	snprintf(p, sizeof(p), "%s/HEAD", common);
	if (stat(p, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	snprintf(p, sizeof(p), "%s/objects", common);
	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	snprintf(p, sizeof(p), "%s/refs", common);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* When cwd is in a linked worktree (its .git a file naming a gitdir that
 * has a `commondir`), the main repository's .git; else NULL.  A submodule's
 * .git file names a gitdir without one: not a worktree. */
static char *git_common_dir(const char *cwd)
{
	char dir[PATH_MAX], dotgit[PATH_MAX + 8];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", cwd);
	for (;;) {
		snprintf(dotgit, sizeof(dotgit), "%s/.git", strcmp(dir, "/") ? dir : "");
		if (lstat(dotgit, &st) == 0) {
			_cleanup_free_ char *line = S_ISREG(st.st_mode) ? first_line(dotgit) : NULL;
			_cleanup_free_ char *gitdir = NULL, *rel = NULL, *common = NULL;
			char cd[PATH_MAX + 16];

			/* The .git file names what strict then reads: only one of
			 * the caller's own (another user's in /tmp, or a sandboxed
			 * run's, is a plant), naming a linked worktree's directory
			 * (COMMON/worktrees/NAME) whose commondir is that COMMON,
			 * itself a repository (git's own layout). */
			if (!line || st.st_uid != getuid() || strncmp(line, "gitdir: ", 8) != 0 ||
			    !(gitdir = resolve_from(dir, line + 8)))
				return NULL;
			snprintf(cd, sizeof(cd), "%s/commondir", gitdir);
			if (!(rel = first_line(cd)) || !(common = resolve_from(gitdir, rel)))
				return NULL;
			return worktree_of(common, gitdir) ? steal_pointer(&common) : NULL;
		}
		char *slash = strrchr(dir, '/');
		if (!slash || !strcmp(dir, "/"))
			return NULL;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

/* The home directory /etc/passwd gives this user, for when $HOME is not
 * set; NULL if none.  The file is read directly, not through glibc's
 * getpwuid(): a statically linked stockade cannot count on loading the NSS
 * modules that needs, and an account that only a network directory knows
 * (LDAP, sssd) has $HOME set by its login anyway.  musl has no NSS: its
 * getpwuid_r() reads /etc/passwd (then asks nscd, if one runs). */
static char *passwd_home(uid_t uid)
{
	struct passwd pw, *found = NULL;
	char buf[4096], *home = NULL;
#ifdef __GLIBC__
	FILE *f = fopen("/etc/passwd", "re");

	if (!f)
		return NULL;
	while (fgetpwent_r(f, &pw, buf, sizeof(buf), &found) == 0)
		if (found->pw_uid == uid)
			break;
	fclose(f);
#else
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) != 0)
		found = NULL;
#endif
	if (found && found->pw_uid == uid && found->pw_dir && found->pw_dir[0] == '/')
		home = strdup(found->pw_dir);
	return home;
}

/* The values of the path variables the environment rules took from this
 * process (AWS_SHARED_CREDENTIALS_FILE goes with AWS_*): the credentials
 * are where they said all the same, and the command may know it. */
static char *dropped_vals[SK_PATH_NTOOLS];

void sk_path_env_dropped(const char *entry)
{
	size_t n = entry ? strcspn(entry, "=") : 0;

	if (!entry) {
		for (size_t i = 0; i < SK_PATH_NTOOLS; i++) {
			free(dropped_vals[i]);
			dropped_vals[i] = NULL;
		}
		return;
	}
	for (size_t i = 0; entry[n] == '=' && i < SK_PATH_NTOOLS; i++)
		if (strlen(path_vars[NFIXED + i]) == n && !strncmp(entry, path_vars[NFIXED + i], n)) {
			free(dropped_vals[i]);
			dropped_vals[i] = strdup(entry + n + 1); /* out of memory: the default */
		}
}

#define MAX_OTHER_HOMES 1024

/* As root: the homes of the other users /etc/passwd lists (uid 1000 and
 * above but 65534, and system accounts' homes under /home, /var/lib, /srv
 * and /opt: a service's home holds deploy keys as well), other
 * than `skip` and `skip2`, that exist and are directories of their own
 * (not /, no system directory, nothing under /proc, /sys, /dev, /usr or
 * /boot: daemon's /usr/sbin); NULL if
 * none.  Read by hand, the way the file is: the same answer with glibc and
 * musl, and no NSS module loaded into the CLI.  Lines of any length. */
static char **passwd_other_homes(const char *skip, const char *skip2)
{
	static const char *const system_dirs[] = { "/",	  "/bin",  "/boot", "/dev", "/etc", "/home", "/lib",
						   "/opt", "/proc", "/root", "/run", "/sbin", "/srv",  "/sys",
						   "/tmp", "/usr",  "/var" };
	char **homes = NULL, *line = NULL;
	size_t n = 0, cap = 0;
	FILE *f;

	if (geteuid() != 0 || !(f = fopen("/etc/passwd", "re")))
		return NULL;
	while (n < MAX_OTHER_HOMES && getline(&line, &cap, f) > 0) {
		char *field[7], *p = line, *end;
		size_t nf = 0;
		unsigned long uid;
		bool skip_it = false;
		struct stat st;

		line[strcspn(line, "\n")] = '\0';
		while (nf < 7) {
			field[nf++] = p;
			if (!(p = strchr(p, ':')))
				break;
			*p++ = '\0';
		}
		if (nf < 6)
			continue;
		errno = 0;
		uid = strtoul(field[2], &end, 10);
		if (errno || end == field[2] || *end || uid == 0 || uid == 65534 || field[5][0] != '/')
			continue;
		/* A system account's home where services keep state of their
		 * own (jenkins, gitlab-runner, postgres: deploy keys), not the
		 * spools and caches (/var/mail, /var/backups, /var/cache/man). */
		if (uid < 1000 && strncmp(field[5], "/home/", 6) && strncmp(field[5], "/var/lib/", 9) &&
		    strncmp(field[5], "/srv/", 5) && strncmp(field[5], "/opt/", 5))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(system_dirs) && !skip_it; i++)
			skip_it = !strcmp(field[5], system_dirs[i]);
		skip_it = skip_it || !strncmp(field[5], "/proc/", 6) || !strncmp(field[5], "/sys/", 5) ||
			  !strncmp(field[5], "/dev/", 5) || !strncmp(field[5], "/usr/", 5) ||
			  !strncmp(field[5], "/boot/", 6);
		if (skip_it || (skip && !strcmp(field[5], skip)) || (skip2 && !strcmp(field[5], skip2)))
			continue;
		for (size_t i = 0; i < n && !skip_it; i++)
			skip_it = !strcmp(homes[i], field[5]);
		/* Most service accounts' homes are not there (/nonexistent). */
		if (skip_it || stat(field[5], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		char **nh = realloc(homes, (n + 2) * sizeof(*nh));
		if (!nh || !(nh[n] = strdup(field[5]))) {
			homes = nh ? nh : homes;
			break;
		}
		homes = nh;
		homes[++n] = NULL;
	}
	free(line);
	fclose(f);
	if (homes)
		homes[n] = NULL;
	return homes;
}

static void free_homes(char **homes)
{
	for (size_t i = 0; homes && homes[i]; i++)
		free(homes[i]);
	free(homes);
}

/* The environment a one-shot caller pinned (sk_path_env_pin), if any. */
static struct sk_path_env pinned;
static bool is_pinned;

/* A copy of a NULL-terminated list (free_homes frees it), or NULL. */
static char **strv_dup(char *const *v)
{
	size_t n = 0;
	char **to;

	while (v[n])
		n++;
	if (!(to = calloc(n + 1, sizeof(*to))))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(to[i] = strdup(v[i]))) {
			free_homes(to);
			return NULL;
		}
	return to;
}

static int env_dup(struct sk_path_env *to, const struct sk_path_env *from)
{
	char **const dst[] = { &to->home, &to->cwd, &to->tmpdir, &to->pw_home, &to->git_common };
	char *const src[] = { from->home, from->cwd, from->tmpdir, from->pw_home, from->git_common };

	*to = (struct sk_path_env){ 0 };
	for (size_t i = 0; i < ARRAY_SIZE(dst); i++)
		if (src[i] && !(*dst[i] = strdup(src[i])))
			goto oom;
	for (size_t i = 0; i < SK_PATH_NTOOLS; i++)
		if (from->tools[i] && !(to->tools[i] = strdup(from->tools[i])))
			goto oom;
	if (from->other_homes && !(to->other_homes = strv_dup(from->other_homes)))
		goto oom;
	for (size_t i = 0; i < SK_PATH_NTOOLS; i++)
		if (from->tool_more[i] && !(to->tool_more[i] = strv_dup(from->tool_more[i])))
			goto oom;
	return 0;
oom:
	sk_path_env_free(to);
	return -ENOMEM;
}

int sk_path_env_pin(stockade_error **err)
{
	struct sk_path_env env;
	int ret;

	sk_path_env_unpin();
	if ((ret = sk_path_env_current(&env, err)) < 0)
		return ret;
	pinned = env;
	is_pinned = true;
	return 0;
}

void sk_path_env_unpin(void)
{
	if (is_pinned)
		sk_path_env_free(&pinned);
	is_pinned = false;
}

/* The file a Kerberos ccache name stands for: FILE:/p, DIR:/d or a bare
 * path; NULL for the kinds that keep no file (KEYRING:, KCM:, MEMORY:). */
static const char *krb5_ccache_file(const char *v)
{
	size_t n = strcspn(v, ":/");

	if (v[n] != ':')
		return v;
	if ((n == 4 && !strncmp(v, "FILE", 4)) || (n == 3 && !strncmp(v, "DIR", 3)))
		return v + n + 1;
	return NULL;
}

/* A tool variable's entry (len bytes of v) as the tool resolves it, folded:
 * "~/x" is $HOME/x, a relative one is under $CWD.  *out NULL for an empty
 * entry or ~user. */
static int tool_value(const char *v, size_t len, const struct sk_path_env *env, char **out)
{
	_cleanup_free_ char *raw = NULL;

	*out = NULL;
	if (!len || (v[0] == '~' && len > 1 && v[1] != '/') || (v[0] == '~' && !env->home))
		return 0;
	/* "./" before a relative entry: a leading $ is no variable here. */
	if (!(raw = malloc(len + 3)))
		return -ENOMEM;
	if (v[0] == '/' || v[0] == '~')
		memcpy(raw, v, len), raw[len] = '\0';
	else
		memcpy(raw, "./", 2), memcpy(raw + 2, v, len), raw[len + 2] = '\0';
	int r = sk_path_expand(raw, env, out);
	return r == -ENOMEM ? r : 0;
}

/* The default of tool i (beneath the home) as one more entry of its list. */
static int more_default(struct sk_path_env *env, size_t i)
{
	size_t n = 0;
	char **grown, *d;

	while (env->tool_more[i] && env->tool_more[i][n])
		n++;
	if (!(grown = realloc(env->tool_more[i], (n + 2) * sizeof(*grown))))
		return -ENOMEM;
	if (!n)
		grown[0] = NULL;
	env->tool_more[i] = grown;
	if (!(d = malloc(strlen(env->home) + strlen(tool_default[i]) + 1)))
		return -ENOMEM;
	strcpy(stpcpy(d, env->home), tool_default[i]);
	grown[n] = d;
	grown[n + 1] = NULL;
	return 0;
}

int sk_path_env_current(struct sk_path_env *env, stockade_error **err)
{
	const char *home, *tmp;
	char *cwd;

	if (is_pinned)
		return env_dup(env, &pinned) < 0 ? sk_error(err, ENOMEM, "out of memory") : 0;
	home = getenv("HOME");
	tmp = getenv("TMPDIR");
	cwd = getcwd(NULL, 0);
	*env = (struct sk_path_env){ 0 };
	if (!cwd)
		return sk_error(err, errno, "cannot tell the working directory ($CWD): %s", strerror(errno));
	if (!tmp || tmp[0] != '/')
		tmp = "/tmp";
	env->cwd = cwd;
	env->pw_home = passwd_home(getuid());
	if (home && home[0] == '/')
		env->home = strdup(home);
	else if ((home = env->pw_home))
		env->home = strdup(home);
	env->tmpdir = strdup(tmp);
	env->other_homes = passwd_other_homes(env->home, env->pw_home);
	/* A manager's variable counts when it names a directory of its own:
	 * CARGO_HOME=/ or =$HOME would grant everything beneath.  GOPATH and
	 * KUBECONFIG are lists: the first entry is the variable's value, the
	 * others are carved out too (tool_more).  A value is read as the tool
	 * reads it: relative to the working directory, or ~/ for the home. */
	_cleanup_free_ char *home_abs = NULL;
	if (env->home && sk_path_expand(env->home, env, &home_abs) == -ENOMEM) {
		sk_path_env_free(env);
		return sk_error(err, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < SK_PATH_NTOOLS; i++) {
		const char *v = getenv(path_vars[NFIXED + i]);

		if (!v)
			v = dropped_vals[i];
		if (v && i == KRB5CC)
			v = krb5_ccache_file(v);
		/* A relative first entry: some tools ignore it (XDG_CONFIG_HOME,
		 * by the XDG spec) and use the default, carved out as well. */
		bool relative = v && v[0] && v[0] != '/' && v[0] != '~';
		for (size_t first = 1, nmore = 0; v && (first || *v); first = 0) {
			size_t len = i == KRB5CC ? strlen(v) : strcspn(v, ":"), whole = len;
			char *entry = NULL, **grown = NULL;
			int r = tool_value(v, len, env, &entry);

			if (entry && (!strcmp(entry, "/") || (home_abs && !strcmp(entry, home_abs)))) {
				free(entry);
				entry = NULL;
			}
			if (r == -ENOMEM ||
			    (entry && !first && !(grown = realloc(env->tool_more[i], (nmore + 2) * sizeof(*grown))))) {
				free(entry);
				sk_path_env_free(env);
				return sk_error(err, ENOMEM, "out of memory");
			}
			if (entry && first)
				env->tools[i] = entry;
			else if (entry) {
				env->tool_more[i] = grown;
				grown[nmore++] = entry;
				grown[nmore] = NULL;
			}
			v += whole + (v[whole] == ':');
		}
		if (relative && env->tools[i] && tool_default[i] && env->home && more_default(env, i) < 0) {
			sk_path_env_free(env);
			return sk_error(err, ENOMEM, "out of memory");
		}
	}
	if (!env->tools[KRB5CC] && asprintf(&env->tools[KRB5CC], "/tmp/krb5cc_%u", (unsigned)getuid()) < 0) {
		env->tools[KRB5CC] = NULL;
		sk_path_env_free(env);
		return sk_error(err, ENOMEM, "out of memory");
	}
	env->git_common = git_common_dir(cwd);
	if ((home && !env->home) || !env->tmpdir) {
		sk_path_env_free(env);
		return sk_error(err, ENOMEM, "out of memory");
	}
	return 0;
}

void sk_path_env_free(struct sk_path_env *env)
{
	free(env->home);
	free(env->pw_home);
	free_homes(env->other_homes);
	env->other_homes = NULL;
	free(env->cwd);
	free(env->tmpdir);
	for (size_t i = 0; i < SK_PATH_NTOOLS; i++) {
		free(env->tools[i]);
		free_homes(env->tool_more[i]);
	}
	free(env->git_common);
	*env = (struct sk_path_env){ 0 };
}
