/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tier: the toolchain roots and $GIT_COMMON_DIR a policy path may
 * start with (policy/paths.c, docs/toolchains.md): their defaults, their
 * variables, the variables that would grant too much, a linked worktree
 * found from the working directory, the syntax check.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy.h"
#include "../harness.h"

static void expands(const struct sk_path_env *env, const char *path, const char *want)
{
	char *out = NULL;
	int ret = sk_path_expand(path, env, &out);

	if (!want) {
		CHECK_MSG(ret == -ENOENT, "%s: got %d (%s), want -ENOENT", path, ret, out ? out : "");
	} else {
		CHECK_MSG(ret == 0 && out && !strcmp(out, want), "%s: got %s, want %s", path, out ? out : "(error)",
			  want);
	}
	free(out);
}

TEST(path_vars_toolchain_roots)
{
	struct sk_path_env env = { .home = "/home/u", .cwd = "/w", .tmpdir = "/tmp" };
	const char *msg;
	size_t off;

	expands(&env, "$PYENV_ROOT", "/home/u/.pyenv");
	expands(&env, "$CARGO_HOME/bin", "/home/u/.cargo/bin");
	expands(&env, "${RUSTUP_HOME}", "/home/u/.rustup");
	expands(&env, "$GOPATH", "/home/u/go");
	expands(&env, "$NVM_DIR", "/home/u/.nvm");
	env.tools[4] = "/opt/cargo"; /* CARGO_HOME, in the order of path_vars */
	expands(&env, "$CARGO_HOME/credentials", "/opt/cargo/credentials");
	env.tools[4] = NULL;
	/* Not in a linked worktree: paths with it are skipped. */
	expands(&env, "$GIT_COMMON_DIR", NULL);
	env.home = NULL;
	expands(&env, "$PYENV_ROOT", NULL);

	CHECK(sk_path_check("$CARGO_HOME/bin", false, &msg, &off) == 0);
	CHECK(sk_path_check("$GIT_COMMON_DIR", false, &msg, &off) == 0);
	CHECK(sk_path_check("$CARGO_HOMEx", false, &msg, &off) == -EINVAL);
	CHECK(sk_path_check("$PYENV", false, &msg, &off) == -EINVAL && strstr(msg, "$PYENV_ROOT"));
}

/* Where the tools keep credentials: their defaults, their variables (a
 * list's first entry), and a value the environment rules dropped from the
 * process (AWS_* goes, AWS_SHARED_CREDENTIALS_FILE with it) still counts. */
TEST(path_vars_credential_locations)
{
	static const char *const vars[] = { "HOME", "GNUPGHOME", "KUBECONFIG", "AWS_SHARED_CREDENTIALS_FILE",
					    "XDG_CONFIG_HOME" };
	char *old[sizeof(vars) / sizeof(*vars)];
	struct sk_path_env env;

	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++) {
		old[i] = getenv(vars[i]) ? strdup(getenv(vars[i])) : NULL;
		unsetenv(vars[i]);
	}
	setenv("HOME", "/home/u", 1);
	CHECK(sk_path_env_current(&env, NULL) == 0);
	expands(&env, "$GNUPGHOME", "/home/u/.gnupg");
	expands(&env, "$DOCKER_CONFIG/config.json", "/home/u/.docker/config.json");
	expands(&env, "$XDG_CONFIG_HOME/gh/hosts.yml", "/home/u/.config/gh/hosts.yml");
	expands(&env, "$AWS_SHARED_CREDENTIALS_FILE", "/home/u/.aws/credentials");
	expands(&env, "$AWS_CONFIG_FILE", "/home/u/.aws/config");
	expands(&env, "$KUBECONFIG", "/home/u/.kube/config");
	expands(&env, "$CLOUDSDK_CONFIG", "/home/u/.config/gcloud");
	sk_path_env_free(&env);
	setenv("GNUPGHOME", "/mnt/gnupg/", 1);
	setenv("KUBECONFIG", "/mnt/kube/a:rel::/:/home/u:/mnt/kube/b/:", 1);
	setenv("XDG_CONFIG_HOME", "/home/u", 1); /* the home itself: the default */
	sk_path_env_dropped("AWS_SHARED_CREDENTIALS_FILE=/mnt/aws/creds");
	CHECK(sk_path_env_current(&env, NULL) == 0);
	expands(&env, "$GNUPGHOME", "/mnt/gnupg");
	expands(&env, "$KUBECONFIG", "/mnt/kube/a");
	/* KUBECONFIG, in the order of path_vars: "rel" is under $CWD, as
	 * kubectl reads it; "/" and the home are left out. */
	char rel[PATH_MAX + 8];
	snprintf(rel, sizeof(rel), "%s/rel", strcmp(env.cwd, "/") ? env.cwd : "");
	CHECK(env.tool_more[13] && env.tool_more[13][0] && !strcmp(env.tool_more[13][0], rel) &&
	      env.tool_more[13][1] && !strcmp(env.tool_more[13][1], "/mnt/kube/b") && !env.tool_more[13][2]);
	CHECK(!env.tool_more[8]);
	expands(&env, "$XDG_CONFIG_HOME/gh/hosts.yml", "/home/u/.config/gh/hosts.yml");
	expands(&env, "$AWS_SHARED_CREDENTIALS_FILE", "/mnt/aws/creds");
	sk_path_env_free(&env);
	/* The environment's own value wins; forgotten with the next drop. */
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/srv/creds", 1);
	CHECK(sk_path_env_current(&env, NULL) == 0);
	expands(&env, "$AWS_SHARED_CREDENTIALS_FILE", "/srv/creds");
	sk_path_env_free(&env);
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	sk_path_env_dropped(NULL);
	CHECK(sk_path_env_current(&env, NULL) == 0);
	expands(&env, "$AWS_SHARED_CREDENTIALS_FILE", "/home/u/.aws/credentials");
	sk_path_env_free(&env);
	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++) {
		old[i] ? setenv(vars[i], old[i], 1) : unsetenv(vars[i]);
		free(old[i]);
	}
}

/* The tools resolve a relative value against their working directory and
 * botocore and gpg expand ~/: so do the carve-outs (KUBECONFIG=../kube/config
 * from /w/proj is /w/kube/config).  One that folds to / or the home is
 * still the default.  KRB5CCNAME: FILE:/p, DIR:/d, a bare path, or the
 * default /tmp/krb5cc_UID when unset or a kind with no file. */
TEST(path_vars_relative_and_tilde_values)
{
	static const char *const vars[] = { "HOME", "GNUPGHOME", "KUBECONFIG", "DOCKER_CONFIG", "CLOUDSDK_CONFIG",
					    "XDG_CONFIG_HOME", "AWS_CONFIG_FILE", "KRB5CCNAME" };
	char *old[sizeof(vars) / sizeof(*vars)], want[PATH_MAX + 64], parent[PATH_MAX], here[PATH_MAX];
	struct sk_path_env env;

	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++) {
		old[i] = getenv(vars[i]) ? strdup(getenv(vars[i])) : NULL;
		unsetenv(vars[i]);
	}
	CHECK(getcwd(parent, sizeof(parent)) != NULL);
	if (strrchr(parent, '/') && strrchr(parent, '/') != parent)
		*strrchr(parent, '/') = '\0';
	else
		strcpy(parent, "");
	setenv("HOME", "/home/u", 1);
	setenv("KUBECONFIG", "../cred/kube/config", 1);
	setenv("GNUPGHOME", "~/../../srv/gnupg", 1);
	setenv("DOCKER_CONFIG", "./docker/", 1);
	setenv("CLOUDSDK_CONFIG", "~", 1);		/* the home: the default */
	setenv("XDG_CONFIG_HOME", "~/a/..", 1);		/* the home again */
	setenv("AWS_CONFIG_FILE", "~other/.aws/config", 1); /* not resolved */
	setenv("KRB5CCNAME", "FILE:/srv/krb/cc", 1);
	CHECK(sk_path_env_current(&env, NULL) == 0);
	snprintf(want, sizeof(want), "%s/cred/kube/config", parent);
	expands(&env, "$KUBECONFIG", want);
	/* and the default too, for tools that ignore a relative value */
	CHECK(env.tool_more[13] && !strcmp(env.tool_more[13][0], "/home/u/.kube/config") && !env.tool_more[13][1]);
	CHECK(!env.tool_more[8]); /* GNUPGHOME: ~/ is no relative value */
	expands(&env, "$GNUPGHOME", "/srv/gnupg");
	snprintf(want, sizeof(want), "%s/docker/config.json", strcmp(env.cwd, "/") ? env.cwd : "");
	expands(&env, "$DOCKER_CONFIG/config.json", want);
	expands(&env, "$CLOUDSDK_CONFIG", "/home/u/.config/gcloud");
	expands(&env, "$XDG_CONFIG_HOME/gh/hosts.yml", "/home/u/.config/gh/hosts.yml");
	expands(&env, "$AWS_CONFIG_FILE", "/home/u/.aws/config");
	expands(&env, "$KRB5CCNAME", "/srv/krb/cc");
	sk_path_env_free(&env);
	setenv("KUBECONFIG", "..", 1); /* from a directory of the home: not the home */
	setenv("KRB5CCNAME", "/srv/krb/bare", 1);
	CHECK(getcwd(here, sizeof(here)) != NULL);
	CHECK(chdir("/") == 0); /* ".." is / */
	CHECK(sk_path_env_current(&env, NULL) == 0);
	CHECK(chdir(here) == 0);
	expands(&env, "$KRB5CCNAME", "/srv/krb/bare");
	expands(&env, "$KUBECONFIG", "/home/u/.kube/config");
	sk_path_env_free(&env);
	setenv("KRB5CCNAME", "KEYRING:persistent:1000", 1);
	CHECK(sk_path_env_current(&env, NULL) == 0);
	snprintf(want, sizeof(want), "/tmp/krb5cc_%u", (unsigned)getuid());
	expands(&env, "$KRB5CCNAME", want);
	sk_path_env_free(&env);
	unsetenv("KRB5CCNAME");
	CHECK(sk_path_env_current(&env, NULL) == 0);
	expands(&env, "$KRB5CCNAME", want);
	sk_path_env_free(&env);
	setenv("KRB5CCNAME", "DIR:/srv/krb/dir", 1);
	CHECK(sk_path_env_current(&env, NULL) == 0);
	expands(&env, "$KRB5CCNAME", "/srv/krb/dir");
	sk_path_env_free(&env);
	for (size_t i = 0; i < sizeof(vars) / sizeof(*vars); i++) {
		old[i] ? setenv(vars[i], old[i], 1) : unsetenv(vars[i]);
		free(old[i]);
	}
}

/* A variable naming / or the home directory would grant all beneath: it
 * counts as unset (the default applies). */
TEST(path_vars_too_broad_are_ignored)
{
	struct sk_path_env env;
	char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	char *old_cargo = getenv("CARGO_HOME") ? strdup(getenv("CARGO_HOME")) : NULL;
	char *old_gopath = getenv("GOPATH") ? strdup(getenv("GOPATH")) : NULL;

	setenv("HOME", "/home/u", 1);
	setenv("CARGO_HOME", "/", 1);
	setenv("GOPATH", "/home/u/:/other", 1);
	CHECK(sk_path_env_current(&env, NULL) == 0);
	expands(&env, "$CARGO_HOME", "/home/u/.cargo");
	expands(&env, "$GOPATH", "/home/u/go");
	sk_path_env_free(&env);
	setenv("CARGO_HOME", "/opt/cargo/", 1);
	setenv("GOPATH", "/srv/go:/other", 1);
	CHECK(sk_path_env_current(&env, NULL) == 0);
	expands(&env, "$CARGO_HOME/bin", "/opt/cargo/bin");
	expands(&env, "$GOPATH", "/srv/go");
	sk_path_env_free(&env);
	old_home ? setenv("HOME", old_home, 1) : unsetenv("HOME");
	old_cargo ? setenv("CARGO_HOME", old_cargo, 1) : unsetenv("CARGO_HOME");
	old_gopath ? setenv("GOPATH", old_gopath, 1) : unsetenv("GOPATH");
	free(old_home);
	free(old_cargo);
	free(old_gopath);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* $GIT_COMMON_DIR: from a linked worktree's .git file (and from a
 * directory below it), never from a submodule's. */
TEST(path_vars_git_common_dir)
{
	char base[] = "/tmp/stockade-gitvars.XXXXXX", p[PATH_MAX], old[PATH_MAX], want[PATH_MAX];
	struct sk_path_env env;

	CHECK(getcwd(old, sizeof(old)) != NULL);
	if (!mkdtemp(base))
		SKIP("cannot create a temporary directory");
	const char *dirs[] = { "main",	  "main/.git", "main/.git/objects", "main/.git/refs", "main/.git/worktrees",
			       "main/.git/worktrees/wt", "main/.git/modules", "main/.git/modules/sub", "wt", "wt/deep",
			       "sub",	  "plant",     "fake",		    "fifo",	      "ff" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", base, dirs[i]);
		CHECK(mkdir(p, 0700) == 0);
	}
	snprintf(p, sizeof(p), "%s/wt/.git", base);
	snprintf(want, sizeof(want), "gitdir: %s/main/.git/worktrees/wt\n", base);
	put(p, want);
	snprintf(p, sizeof(p), "%s/main/.git/worktrees/wt/commondir", base);
	put(p, "../..\n");
	snprintf(p, sizeof(p), "%s/main/.git/HEAD", base);
	put(p, "ref: refs/heads/main\n");
	snprintf(p, sizeof(p), "%s/sub/.git", base);
	put(p, "gitdir: ../main/.git/modules/sub\n");
	/* Planted by a sandboxed run: a .git file whose commondir is / (strict
	 * would read everything), and one whose commondir is a FIFO (an open
	 * of it would block every later run). */
	snprintf(p, sizeof(p), "%s/plant/.git", base);
	put(p, "gitdir: ../fake\n");
	snprintf(p, sizeof(p), "%s/fake/commondir", base);
	put(p, "/\n");
	snprintf(p, sizeof(p), "%s/fifo/.git", base);
	put(p, "gitdir: ../ff\n");
	snprintf(p, sizeof(p), "%s/ff/commondir", base);
	CHECK(mkfifo(p, 0600) == 0);
	snprintf(want, sizeof(want), "%s/main/.git", base);

	snprintf(p, sizeof(p), "%s/wt/deep", base);
	CHECK(chdir(p) == 0);
	CHECK(sk_path_env_current(&env, NULL) == 0);
	expands(&env, "$GIT_COMMON_DIR/objects", strcat(strcpy(p, want), "/objects"));
	sk_path_env_free(&env);

	snprintf(p, sizeof(p), "%s/sub", base);
	CHECK(chdir(p) == 0);
	CHECK(sk_path_env_current(&env, NULL) == 0);
	CHECK_MSG(env.git_common == NULL, "a submodule is no worktree: %s", env.git_common);
	sk_path_env_free(&env);

	snprintf(p, sizeof(p), "%s/main", base);
	CHECK(chdir(p) == 0);
	CHECK(sk_path_env_current(&env, NULL) == 0);
	CHECK_MSG(env.git_common == NULL, "the main repository is no linked worktree: %s", env.git_common);
	sk_path_env_free(&env);

	const char *planted[] = { "plant", "fifo" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", base, planted[i]);
		CHECK(chdir(p) == 0);
		CHECK(sk_path_env_current(&env, NULL) == 0);
		CHECK_MSG(env.git_common == NULL, "%s: a planted .git gave $GIT_COMMON_DIR %s", planted[i],
			  env.git_common);
		sk_path_env_free(&env);
	}

	CHECK(chdir(old) == 0);
	snprintf(p, sizeof(p), "rm -rf '%s'", base);
	CHECK(system(p) == 0);
}
