/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, Landlock: filesystem grants and carve-outs, TCP ports, scoping,
 * ABI handling and the enforcement report, on the real kernel, through the
 * CLI (`$STOCKADE run ... -- $PROBES/fs-op OP ARGS`; fs-op exits with the
 * errno of the call).  Every check that expects a denial first runs the
 * same operation unconfined and skips itself when that fails too, so the
 * tests hold as root and as nobody (tiers live and live-unpriv).  All files
 * live in mkdtemp directories under /tmp; the network tests use 127.0.0.1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "landlock/landlock.h"
#include "../harness.h"
#include "live_util.h"

static const char *fs_op(void)
{
	return probe_path("fs-op");
}

/* `stockade run OPTS -- fs-op ARGS` in cwd, with extra environment
 * entries (opts may be NULL). */
static int confined(const char *cwd, const char *const *env, const char *const *opts, const char *const *args,
		    struct run *r)
{
	struct cmd c = { .n = 0 };

	cmd_push_stockade_run(&c, opts);
	cmd_push(&c, fs_op());
	cmd_push_all(&c, args);
	return cmd_run(&c, &(struct run_opts){ .cwd = cwd, .env = env }, r);
}

static int unconfined(const char *cwd, const char *const *env, const char *const *args)
{
	struct cmd c = { .n = 0 };
	struct run r;

	cmd_push(&c, fs_op());
	cmd_push_all(&c, args);
	return cmd_run(&c, &(struct run_opts){ .cwd = cwd, .env = env }, &r);
}

/* Operations that change nothing, so they can also be tried unconfined. */
static bool harmless(const char *op)
{
	static const char *const ops[] = { "read", "list", "tcp-connect", "tcp-bind", "udp", "kill",
					   "abstract-connect", NULL };

	for (size_t i = 0; ops[i]; i++)
		if (!strcmp(op, ops[i]))
			return true;
	return false;
}

/* The confined answer must be `want`.  A denial of a harmless operation is
 * asserted only where the unconfined answer differs (otherwise the check
 * proves nothing: a note); the others work on the test's own directories,
 * where the test user may do anything. */
#define EXPECT(cwd, env, opts, want, ...)                                                                      \
	expect_op(__LINE__, cwd, env, opts, want, ARGV(__VA_ARGS__))

static bool expect_op(int line, const char *cwd, const char *const *env, const char *const *opts, int want,
		      const char *const *args)
{
	struct run r;

	if (want != 0 && harmless(args[0])) {
		int base = unconfined(cwd, env, args);
		if (base == want) {
			printf("  note: line %d: %s %s: unconfined already gives %d; not asserted\n", line, args[0],
			       args[1] ? args[1] : "", base);
			return true;
		}
	}
	confined(cwd, env, opts, args, &r);
	if (r.outcome != want) {
		fprintf(stderr, "  test_landlock.c:%d: fs-op %s %s%s%s: got %d (%s), want %d (%s)\n", line, args[0],
			args[1] ? args[1] : "", args[1] && args[2] ? " " : "", args[1] && args[2] ? args[2] : "",
			r.outcome, r.outcome > 0 && r.outcome < 200 ? strerrorname_np(r.outcome) : "-", want,
			want > 0 ? strerrorname_np(want) : "success");
		show_run(&r);
		harness_failed_checks++;
		return false;
	}
	return true;
}

/* ---- scratch directories ---- */

/* A fresh directory under /tmp (mode 0755, so the probe can use it). */
static bool scratch(char *out, size_t size)
{
	return make_tmpdir(out, size, "/tmp", "stockade-ll");
}

/* dir/name in out, which it returns. */
static char *path_of(char *out, size_t size, const char *dir, const char *name)
{
	if (snprintf(out, size, "%s/%s", dir, name) >= (int)size)
		abort();
	return out;
}

static void mkdir_in(const char *dir, const char *name)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), dir, name);
	mkdir(p, 0755);
}

static void file_in(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX];

	path_of(p, sizeof(p), dir, name);
	CHECK_MSG(write_file(p, text), "%s: %s", p, strerror(errno));
}

static int kernel_abi(void)
{
	enum stockade_landlock_reason why;
	int errnum;

	return sk_landlock_kernel_abi(&why, &errnum);
}

static bool have_binaries(void)
{
	if (access(stockade_bin(), X_OK) < 0 || access(fs_op(), X_OK) < 0) {
		CHECK_MSG(0, "%s or %s is missing (make build/stockade build/probes/fs-op)", stockade_bin(), fs_op());
		return false;
	}
	return true;
}

#define NEED_LANDLOCK(min)                                                                                     \
	do {                                                                                                   \
		if (!have_binaries())                                                                          \
			return;                                                                                \
		if (kernel_abi() < (min))                                                                      \
			SKIP("this kernel's Landlock ABI is too old for this test");                          \
	} while (0)

/* ---- filesystem ---- */

/* Writes outside the write roots fail with EACCES; inside them they work,
 * renames and hard links between two write roots included. */
TEST(landlock_write_roots)
{
	char base[PATH_MAX], cwd[PATH_MAX], other[PATH_MAX], out[PATH_MAX], pol[PATH_MAX], text[1024];
	char p1[PATH_MAX], p2[PATH_MAX], p3[PATH_MAX], p4[PATH_MAX];

	NEED_LANDLOCK(2);
	if (!scratch(base, sizeof(base)))
		return;
	path_of(cwd, sizeof(cwd), base, "work");
	path_of(other, sizeof(other), base, "other");
	path_of(out, sizeof(out), base, "outside");
	mkdir(cwd, 0755);
	mkdir(other, 0755);
	mkdir(out, 0755);
	file_in(out, "existing", "keep me\n");
	if (snprintf(text, sizeof(text),
		 "extends: agent\n"
		 "filesystem:\n"
		 "  replace: true\n"
		 "  read: [/]\n"
		 "  exec: [/]\n"
		 "  write: [$CWD, %s]\n",
		 other) >= (int)sizeof(text))
		abort();
	path_of(pol, sizeof(pol), base, "policy.yaml");
	file_in(base, "policy.yaml", text);
	/* Landlock alone: with namespaces the mount view is read-only
	 * outside the write roots (EROFS before Landlock's EACCES), and two
	 * write roots are two mounts (EXDEV between them): docs/isolation.md,
	 * test_isolation_ro.c. */
	const char *const *opts = ARGV("--policy", pol, "--isolation", "off");

	path_of(p1, sizeof(p1), out, "new");
	EXPECT(cwd, NOENV, opts, EACCES, "write", p1);
	path_of(p1, sizeof(p1), out, "dir");
	EXPECT(cwd, NOENV, opts, EACCES, "mkdir", p1);
	path_of(p1, sizeof(p1), out, "existing");
	EXPECT(cwd, NOENV, opts, EACCES, "append", p1);
	if (kernel_abi() >= 3)
		EXPECT(cwd, NOENV, opts, EACCES, "truncate", p1);
	EXPECT(cwd, NOENV, opts, 0, "read", p1);
	EXPECT(cwd, NOENV, opts, 0, "list", out);

	path_of(p1, sizeof(p1), other, "a2");
	path_of(p2, sizeof(p2), other, "b");
	path_of(p3, sizeof(p3), cwd, "c");
	path_of(p4, sizeof(p4), out, "d");
	EXPECT(cwd, NOENV, opts, 0, "write", "a");
	EXPECT(cwd, NOENV, opts, 0, "mkdir", "sub");
	EXPECT(cwd, NOENV, opts, 0, "write", p2);
	EXPECT(cwd, NOENV, opts, 0, "truncate", p2);
	/* Between the two write roots (LANDLOCK_ACCESS_FS_REFER; without it,
	 * EXDEV, which is what broke npm under other Landlock tools). */
	EXPECT(cwd, NOENV, opts, 0, "rename", "a", p1);
	EXPECT(cwd, NOENV, opts, 0, "link", p2, p3);
	EXPECT(cwd, NOENV, opts, 0, "rename", "sub", "sub2");
	/* Out of the write roots, neither. */
	EXPECT(cwd, NOENV, opts, EACCES, "rename", p3, p4);
	EXPECT(cwd, NOENV, opts, EACCES, "link", p2, p4);
	rm_rf(base);
}

/* agent: the working directory, the temp dirs and /dev/null are writable,
 * other places (here /var/tmp) are not. */
TEST(landlock_agent_writes)
{
	char base[PATH_MAX], probe[PATH_MAX];
	struct stat st;

	NEED_LANDLOCK(1);
	if (!scratch(base, sizeof(base)))
		return;
	EXPECT(base, NOENV, ARGV("--preset", "agent"), 0, "write", "in-cwd");
	EXPECT(base, NOENV, ARGV("--preset", "agent"), 0, "write", "/dev/null");
	EXPECT(base, NOENV, NULL, 0, "read", "/etc/passwd");
	if (stat("/var/tmp", &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(probe, sizeof(probe), "/var/tmp/stockade-ll-%d", (int)getpid());
		/* Only where this user may write there at all. */
		if (unconfined(base, NOENV, ARGV("write", probe)) == 0) {
			unlink(probe);
			/* Landlock's answer; the mount view's (namespaces) is EROFS. */
			EXPECT(base, NOENV, ARGV("--preset", "agent", "--isolation", "off"), EACCES, "write", probe);
		}
		unlink(probe);
	}
	rm_rf(base);
}

/* A read_only carve-out: the working tree's .git/hooks and .git/config
 * (agent itself cannot: see docs/landlock.md). */
TEST(landlock_git_hooks_read_only)
{
	char base[PATH_MAX], pol[PATH_MAX];

	NEED_LANDLOCK(1);
	if (!scratch(base, sizeof(base)))
		return;
	mkdir_in(base, ".git");
	mkdir_in(base, ".git/hooks");
	mkdir_in(base, ".git/objects");
	mkdir_in(base, "src");
	file_in(base, ".git/config", "[core]\n");
	file_in(base, ".git/hooks/pre-commit.sample", "#!/bin/sh\n");
	file_in(base, "src/main.c", "int main;\n");
	path_of(pol, sizeof(pol), base, "policy.yaml");
	file_in(base, "policy.yaml",
		"extends: agent\n"
		"filesystem:\n"
		"  read_only: [$CWD/.git/hooks, $CWD/.git/config]\n");
	/* Landlock's own carve-outs: without the mount namespace that makes
	 * them read-only first (EROFS; test_isolation.c). */
	const char *const *opts = ARGV("--policy", pol, "--isolation", "off");

	EXPECT(base, NOENV, opts, EACCES, "write", ".git/hooks/pre-commit");
	EXPECT(base, NOENV, opts, EACCES, "append", ".git/hooks/pre-commit.sample");
	EXPECT(base, NOENV, opts, EACCES, "rename", ".git/hooks/pre-commit.sample", ".git/hooks/pre-commit");
	EXPECT(base, NOENV, opts, EACCES, "append", ".git/config");
	EXPECT(base, NOENV, opts, EACCES, "rename", ".git/hooks", ".git/hooks.old");
	EXPECT(base, NOENV, opts, 0, "read", ".git/config");
	EXPECT(base, NOENV, opts, 0, "read", ".git/hooks/pre-commit.sample");
	EXPECT(base, NOENV, opts, 0, "write", "src/main.c");
	EXPECT(base, NOENV, opts, 0, "write", ".git/objects/ab");
	rm_rf(base);
}

/* agent's secrets: ~/.ssh private keys, ~/.aws, ... are not readable;
 * what is beside them is. */
TEST(landlock_secrets_carved_out)
{
	char base[PATH_MAX], home[PATH_MAX], cwd[PATH_MAX], henv[PATH_MAX + 8], p[PATH_MAX], target[PATH_MAX];

	NEED_LANDLOCK(1);
	if (!scratch(base, sizeof(base)))
		return;
	path_of(home, sizeof(home), base, "home");
	path_of(cwd, sizeof(cwd), base, "work");
	mkdir(home, 0755);
	mkdir(cwd, 0755);
	mkdir_in(home, ".ssh");
	mkdir_in(home, ".aws");
	mkdir_in(home, ".config");
	mkdir_in(home, ".config/gcloud");
	file_in(home, ".ssh/id_ed25519", "PRIVATE\n");
	file_in(home, ".ssh/id_rsa", "PRIVATE\n");
	file_in(home, ".ssh/known_hosts", "host key\n");
	file_in(home, ".ssh/config", "Host *\n");
	file_in(home, ".aws/credentials", "secret\n");
	file_in(home, ".config/gcloud/token", "secret\n");
	file_in(home, ".config/other.conf", "fine\n");
	file_in(home, ".netrc", "machine x password y\n");
	file_in(home, ".bash_history", "export TOKEN=y\n");
	file_in(home, ".profile", "fine\n");
	path_of(target, sizeof(target), home, ".aws");
	path_of(p, sizeof(p), home, "aws-link");
	if (symlink(target, p) < 0)
		CHECK_MSG(0, "symlink: %s", strerror(errno));
	snprintf(henv, sizeof(henv), "HOME=%s", home);
	const char *const env[] = { henv, NULL };

	EXPECT(cwd, env, NULL, EACCES, "read", path_of(p, sizeof(p), home, ".ssh/id_ed25519"));
	EXPECT(cwd, env, NULL, EACCES, "read", path_of(p, sizeof(p), home, ".ssh/id_rsa"));
	EXPECT(cwd, env, NULL, EACCES, "read", path_of(p, sizeof(p), home, ".aws/credentials"));
	EXPECT(cwd, env, NULL, EACCES, "read", path_of(p, sizeof(p), home, "aws-link/credentials"));
	EXPECT(cwd, env, NULL, EACCES, "read", path_of(p, sizeof(p), home, ".config/gcloud/token"));
	EXPECT(cwd, env, NULL, EACCES, "read", path_of(p, sizeof(p), home, ".netrc"));
	EXPECT(cwd, env, NULL, EACCES, "read", path_of(p, sizeof(p), home, ".bash_history"));
	/* Beside them. */
	EXPECT(cwd, env, NULL, 0, "read", path_of(p, sizeof(p), home, ".ssh/known_hosts"));
	EXPECT(cwd, env, NULL, 0, "read", path_of(p, sizeof(p), home, ".ssh/config"));
	EXPECT(cwd, env, NULL, 0, "read", path_of(p, sizeof(p), home, ".config/other.conf"));
	EXPECT(cwd, env, NULL, 0, "read", path_of(p, sizeof(p), home, ".profile"));
	EXPECT(cwd, env, NULL, 0, "list", path_of(p, sizeof(p), home, ".ssh"));
	/* A layer above the preset may give one back. */
	path_of(p, sizeof(p), home, ".aws/credentials");
	EXPECT(cwd, env, ARGV("--read", p), 0, "read", p);
	rm_rf(base);
}

/* agent lists the home directory once for its carve-outs and splits it
 * with that listing: a secret there is carved out (a link carves its
 * target, deeper ones under an existing directory work), what is beside
 * it stays readable, and a home with none of them is not split at all. */
TEST(landlock_carve_outs_in_a_listed_home)
{
	char base[PATH_MAX], home[PATH_MAX], bare[PATH_MAX], cwd[PATH_MAX], other[PATH_MAX];
	char henv[PATH_MAX + 8], p[PATH_MAX], target[PATH_MAX];
	struct run r;

	NEED_LANDLOCK(1);
	if (!scratch(base, sizeof(base)))
		return;
	path_of(home, sizeof(home), base, "home");
	path_of(bare, sizeof(bare), base, "bare");
	path_of(cwd, sizeof(cwd), base, "work");
	path_of(other, sizeof(other), base, "elsewhere");
	mkdir(home, 0755);
	mkdir(bare, 0755);
	mkdir(cwd, 0755);
	mkdir(other, 0755);
	mkdir_in(home, ".config");
	mkdir_in(home, ".config/gh");
	mkdir_in(home, ".cargo");
	file_in(home, ".git-credentials", "https://u:token@host\n");
	file_in(home, ".config/gh/hosts.yml", "oauth_token: x\n");
	file_in(home, ".config/gh/config.yml", "fine\n");
	file_in(home, ".cargo/credentials.toml", "token = \"x\"\n");
	file_in(home, ".cargo/config.toml", "fine\n");
	file_in(home, ".profile", "fine\n");
	file_in(other, "npmrc", "//registry/:_authToken=x\n");
	file_in(other, "other", "fine\n");
	path_of(target, sizeof(target), other, "npmrc");
	path_of(p, sizeof(p), home, ".npmrc");
	if (symlink(target, p) < 0)
		CHECK_MSG(0, "symlink: %s", strerror(errno));
	file_in(bare, ".profile", "fine\n");
	snprintf(henv, sizeof(henv), "HOME=%s", home);
	const char *const env[] = { henv, NULL };

	EXPECT(cwd, env, NULL, EACCES, "read", path_of(p, sizeof(p), home, ".git-credentials"));
	EXPECT(cwd, env, NULL, EACCES, "read", path_of(p, sizeof(p), home, ".npmrc"));
	EXPECT(cwd, env, NULL, EACCES, "read", target);
	EXPECT(cwd, env, NULL, EACCES, "read", path_of(p, sizeof(p), home, ".config/gh/hosts.yml"));
	EXPECT(cwd, env, NULL, EACCES, "read", path_of(p, sizeof(p), home, ".cargo/credentials.toml"));
	/* Beside them. */
	EXPECT(cwd, env, NULL, 0, "read", path_of(p, sizeof(p), home, ".profile"));
	EXPECT(cwd, env, NULL, 0, "read", path_of(p, sizeof(p), home, ".config/gh/config.yml"));
	EXPECT(cwd, env, NULL, 0, "read", path_of(p, sizeof(p), home, ".cargo/config.toml"));
	EXPECT(cwd, env, NULL, 0, "read", path_of(p, sizeof(p), other, "other"));
	EXPECT(cwd, env, NULL, 0, "list", home);
	confined(cwd, env, ARGV("--verbose"), ARGV("read", "/etc/passwd"), &r);
	CHECK_INT_EQ(r.outcome, 0);
	CHECK_STR_CONTAINS(r.out, "carve-outs split");

	/* None of agent's secrets in this one: nothing is carved out of it
	 * (the passwd home's are, when it holds some: HOME names another). */
	snprintf(henv, sizeof(henv), "HOME=%s", bare);
	EXPECT(cwd, env, NULL, 0, "read", path_of(p, sizeof(p), bare, ".profile"));
	confined(cwd, env, ARGV("--verbose"), ARGV("read", p), &r);
	CHECK_INT_EQ(r.outcome, 0);
	const char *split = strstr(r.out, "carve-outs split");
	CHECK_MSG(!split || !memmem(split, strcspn(split, "\n"), bare, strlen(bare)),
		  "a home without secrets was split:\n%s", r.out);
	rm_rf(base);
}

/* The tools' own variables move their credentials out of the home
 * (GNUPGHOME=/mnt/gnupg, KUBECONFIG=...): agent and strict carve them out
 * there too, AWS_* ones included although the environment rules drop
 * them from the command's environment. */
TEST(landlock_carve_outs_follow_the_tools_variables)
{
	static const char *const secrets[] = { "gnupg/private-keys-v1.d", "docker/config.json", "xdg/gh/hosts.yml",
					       "xdg/git/credentials", "aws/credentials", "aws/config", "kube/config",
					       "kube/second", "gcloud/credentials.db" };
	static const char *const presets[] = { "agent", "strict" };
	char base[PATH_MAX], home[PATH_MAX], cwd[PATH_MAX], other[PATH_MAX], p[PATH_MAX];
	char vars[8][2 * PATH_MAX + 64];

	NEED_LANDLOCK(1);
	if (!scratch(base, sizeof(base)))
		return;
	path_of(home, sizeof(home), base, "home");
	path_of(cwd, sizeof(cwd), base, "work");
	path_of(other, sizeof(other), base, "elsewhere");
	mkdir(home, 0755);
	mkdir(cwd, 0755);
	mkdir(other, 0755);
	static const char *const dirs[] = { "gnupg", "docker", "xdg", "xdg/gh", "xdg/git", "aws", "kube", "gcloud" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		mkdir_in(other, dirs[i]);
	file_in(other, "gnupg/private-keys-v1.d", "key\n");
	file_in(other, "docker/config.json", "{\"auths\":{}}\n");
	file_in(other, "docker/daemon.json", "fine\n");
	file_in(other, "xdg/gh/hosts.yml", "oauth_token: x\n");
	file_in(other, "xdg/gh/config.yml", "fine\n");
	file_in(other, "xdg/git/credentials", "https://u:token@host\n");
	file_in(other, "xdg/git/config", "fine\n");
	file_in(other, "aws/credentials", "secret\n");
	file_in(other, "aws/config", "secret\n");
	file_in(other, "kube/config", "token: x\n");
	file_in(other, "kube/second", "token: x\n");
	file_in(other, "gcloud/credentials.db", "secret\n");
	snprintf(vars[0], sizeof(vars[0]), "HOME=%s", home);
	snprintf(vars[1], sizeof(vars[1]), "GNUPGHOME=%s/gnupg", other);
	snprintf(vars[2], sizeof(vars[2]), "DOCKER_CONFIG=%s/docker", other);
	snprintf(vars[3], sizeof(vars[3]), "XDG_CONFIG_HOME=%s/xdg", other);
	snprintf(vars[4], sizeof(vars[4]), "AWS_SHARED_CREDENTIALS_FILE=%s/aws/credentials", other);
	snprintf(vars[5], sizeof(vars[5]), "AWS_CONFIG_FILE=%s/aws/config", other);
	snprintf(vars[6], sizeof(vars[6]), "KUBECONFIG=%s/kube/config:/nonexistent::%s/kube/second", other, other);
	snprintf(vars[7], sizeof(vars[7]), "CLOUDSDK_CONFIG=%s/gcloud", other);
	const char *const env[] = { vars[0], vars[1], vars[2], vars[3], vars[4], vars[5], vars[6], vars[7], NULL };
	const char *const home_only[] = { vars[0], NULL };

	char probes[PATH_MAX];
	snprintf(probes, sizeof(probes), "%s", fs_op());
	*strrchr(probes, '/') = '\0';
	for (size_t k = 0; k < sizeof(presets) / sizeof(*presets); k++) {
		/* (strict runs the probe from its directory only with --exec) */
		const char *const opts[] = { "--preset", presets[k], "--exec", probes, NULL };

		for (size_t i = 0; i < sizeof(secrets) / sizeof(*secrets); i++)
			EXPECT(cwd, env, opts, EACCES, "read", path_of(p, sizeof(p), other, secrets[i]));
		/* Beside them. */
		EXPECT(cwd, env, opts, 0, "read", path_of(p, sizeof(p), other, "docker/daemon.json"));
		EXPECT(cwd, env, opts, 0, "read", path_of(p, sizeof(p), other, "xdg/gh/config.yml"));
		EXPECT(cwd, env, opts, 0, "read", path_of(p, sizeof(p), other, "xdg/git/config"));
	}
	/* Relative values (the tools resolve them against the working
	 * directory), ~/ ones (botocore, gpg), and the Kerberos ticket cache. */
	file_in(other, "krb5cc", "ticket\n");
	mkdir_in(other, "pass");
	mkdir_in(other, "azure");
	file_in(other, "pass/bank.gpg", "secret\n");
	file_in(other, "azure/msal_token_cache.json", "secret\n");
	char rel[10][PATH_MAX + 64];
	snprintf(rel[0], sizeof(rel[0]), "HOME=%s", home);
	snprintf(rel[1], sizeof(rel[1]), "GNUPGHOME=~/../elsewhere/gnupg");
	snprintf(rel[2], sizeof(rel[2]), "DOCKER_CONFIG=../elsewhere/docker");
	snprintf(rel[3], sizeof(rel[3]), "XDG_CONFIG_HOME=../elsewhere/xdg/");
	snprintf(rel[4], sizeof(rel[4]), "AWS_SHARED_CREDENTIALS_FILE=../elsewhere/aws/credentials");
	snprintf(rel[5], sizeof(rel[5]), "KUBECONFIG=../elsewhere/kube/config:~/../elsewhere/kube/second");
	snprintf(rel[6], sizeof(rel[6]), "CLOUDSDK_CONFIG=./../elsewhere/gcloud");
	snprintf(rel[7], sizeof(rel[7]), "KRB5CCNAME=FILE:%s/krb5cc", other);
	snprintf(rel[8], sizeof(rel[8]), "PASSWORD_STORE_DIR=../elsewhere/pass");
	snprintf(rel[9], sizeof(rel[9]), "AZURE_CONFIG_DIR=%s/azure", other);
	const char *const renv[] = { rel[0], rel[1], rel[2], rel[3], rel[4], rel[5], rel[6], rel[7], rel[8], rel[9], NULL };
	static const char *const rsecrets[] = { "gnupg/private-keys-v1.d", "docker/config.json", "xdg/gh/hosts.yml",
						"aws/credentials", "kube/config", "kube/second", "gcloud/credentials.db",
						"krb5cc", "pass/bank.gpg", "azure/msal_token_cache.json" };
	for (size_t k = 0; k < sizeof(presets) / sizeof(*presets); k++) {
		const char *const opts[] = { "--preset", presets[k], "--exec", probes, NULL };

		for (size_t i = 0; i < sizeof(rsecrets) / sizeof(*rsecrets); i++)
			EXPECT(cwd, renv, opts, EACCES, "read", path_of(p, sizeof(p), other, rsecrets[i]));
		EXPECT(cwd, renv, opts, 0, "read", path_of(p, sizeof(p), other, "docker/daemon.json"));
	}
	/* The test can fail: without the variables they are readable. */
	const char *const opts[] = { "--preset", "agent", NULL };
	EXPECT(cwd, home_only, opts, 0, "read", path_of(p, sizeof(p), other, "krb5cc"));
	EXPECT(cwd, home_only, opts, 0, "read", path_of(p, sizeof(p), other, "pass/bank.gpg"));
	EXPECT(cwd, home_only, opts, 0, "read", path_of(p, sizeof(p), other, "kube/config"));
	EXPECT(cwd, home_only, opts, 0, "read", path_of(p, sizeof(p), other, "kube/second"));
	EXPECT(cwd, home_only, opts, 0, "read", path_of(p, sizeof(p), other, "aws/credentials"));
	rm_rf(base);
}

/* The reverse: a variable naming the working directory (GNUPGHOME=.)
 * carves all of it out, as gpg would keep its keys there.  That fails
 * closed; stockade says which variable did it. */
TEST(landlock_carve_out_over_the_cwd_is_named)
{
	char base[PATH_MAX], home[PATH_MAX], cwd[PATH_MAX], other[PATH_MAX], p[PATH_MAX], v[2][PATH_MAX + 32];
	struct run r;

	NEED_LANDLOCK(1);
	if (!scratch(base, sizeof(base)))
		return;
	path_of(home, sizeof(home), base, "home");
	path_of(cwd, sizeof(cwd), base, "work");
	path_of(other, sizeof(other), base, "elsewhere");
	mkdir(home, 0755);
	mkdir(cwd, 0755);
	mkdir(other, 0755);
	file_in(cwd, "src.c", "int x;\n");
	snprintf(v[0], sizeof(v[0]), "HOME=%s", home);
	snprintf(v[1], sizeof(v[1]), "GNUPGHOME=.");
	const char *const env[] = { v[0], v[1], NULL };
	const char *const opts[] = { "--preset", "agent", NULL };
	const char *const args[] = { "read", path_of(p, sizeof(p), cwd, "src.c"), NULL };

	confined(cwd, env, opts, args, &r);
	CHECK_MSG(strstr(r.out, "warning: GNUPGHOME names ") && strstr(r.out, cwd) &&
			  strstr(r.out, "the working directory: the carve-out `$GNUPGHOME`"),
		  "GNUPGHOME=.: %s", r.out);
	EXPECT(cwd, env, opts, EACCES, "read", p);
	/* Elsewhere: no word, and the project reads. */
	snprintf(v[1], sizeof(v[1]), "GNUPGHOME=%s/gnupg", other);
	confined(cwd, env, opts, args, &r);
	CHECK_MSG(!strstr(r.out, "GNUPGHOME names"), "GNUPGHOME elsewhere: %s", r.out);
	EXPECT(cwd, env, opts, 0, "read", p);
	rm_rf(base);
}

/* ---- network ---- */

static int listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		CHECK_MSG(0, "loopback listener: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* A port nothing listens on (bound, then released). */
static int free_port(void)
{
	int port = 0, fd = listener(&port);

	if (fd >= 0)
		close(fd);
	return port;
}

TEST(landlock_network_none_and_ports)
{
	char base[PATH_MAX], pol[PATH_MAX], pol2[PATH_MAX], text[512], ps[16], ps2[16], qs[16], qs2[16];
	int port = 0, port2 = 0, fd, fd2, q, q2;

	NEED_LANDLOCK(4);
	if (!scratch(base, sizeof(base)))
		return;
	fd = listener(&port);
	fd2 = listener(&port2);
	q = free_port();
	q2 = free_port();
	if (fd < 0 || fd2 < 0 || !q || !q2 || q == q2)
		goto out;
	snprintf(ps, sizeof(ps), "%d", port);
	snprintf(ps2, sizeof(ps2), "%d", port2);
	snprintf(qs, sizeof(qs), "%d", q);
	snprintf(qs2, sizeof(qs2), "%d", q2);

	/* agent: network mode none. */
	EXPECT(base, NOENV, NULL, EACCES, "tcp-connect", ps);
	EXPECT(base, NOENV, NULL, EACCES, "tcp-bind", qs);
	EXPECT(base, NOENV, NULL, EACCES, "udp");
	EXPECT(base, NOENV, ARGV("--net", "full"), 0, "tcp-connect", ps);
	EXPECT(base, NOENV, ARGV("--net", "full"), 0, "udp");

	/* tcp_connect: exactly that port. */
	snprintf(text, sizeof(text), "extends: agent\nnetwork:\n  tcp_connect: [%d]\n  tcp_bind: [%d]\n", port, q);
	path_of(pol, sizeof(pol), base, "ports.yaml");
	file_in(base, "ports.yaml", text);
	EXPECT(base, NOENV, ARGV("--policy", pol), 0, "tcp-connect", ps);
	EXPECT(base, NOENV, ARGV("--policy", pol), EACCES, "tcp-connect", ps2);
	EXPECT(base, NOENV, ARGV("--policy", pol), 0, "tcp-bind", qs);
	EXPECT(base, NOENV, ARGV("--policy", pol), EACCES, "tcp-bind", qs2);
	/* UDP is never let through: Landlock could not limit it. */
	EXPECT(base, NOENV, ARGV("--policy", pol), EACCES, "udp");

	/* Under mode full, a port list restricts that direction only. */
	snprintf(text, sizeof(text), "extends: agent\nnetwork:\n  mode: full\n  tcp_connect: [%d]\n", port);
	path_of(pol2, sizeof(pol2), base, "full.yaml");
	file_in(base, "full.yaml", text);
	EXPECT(base, NOENV, ARGV("--policy", pol2), 0, "tcp-connect", ps);
	EXPECT(base, NOENV, ARGV("--policy", pol2), EACCES, "tcp-connect", ps2);
	EXPECT(base, NOENV, ARGV("--policy", pol2), 0, "tcp-bind", qs);
out:
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
	rm_rf(base);
}

/* ---- scoping ---- */

TEST(landlock_scope_signals_and_abstract_sockets)
{
	char base[PATH_MAX], pid[16], name[64];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd, status;
	pid_t child;

	NEED_LANDLOCK(6);
	if (!scratch(base, sizeof(base)))
		return;
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(pid, sizeof(pid), "%d", (int)child);
	snprintf(name, sizeof(name), "stockade-ll-%d", (int)getpid());
	strncpy(sa.sun_path + 1, name, sizeof(sa.sun_path) - 2);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 16) < 0)
		CHECK_MSG(0, "abstract listener: %s", strerror(errno));

	/* From inside to outside: refused (by Landlock: with a pid namespace,
	 * the pid is not even there, test_isolation.c). */
	const char *const *off = ARGV("--isolation", "off");
	EXPECT(base, NOENV, off, EPERM, "kill", pid);
	EXPECT(base, NOENV, off, EPERM, "abstract-connect", name);
	/* Inside the sandbox: both still work. */
	EXPECT(base, NOENV, NULL, 0, "signal-child");
	char inner[80];
	snprintf(inner, sizeof(inner), "%s-inner", name);
	EXPECT(base, NOENV, NULL, 0, "abstract-self", inner);
	/* Scoping is the policy's to turn off. */
	file_in(base, "noscope.yaml", "extends: agent\nscope:\n  signals: false\n  abstract_unix_sockets: false\n");
	char pol[PATH_MAX];
	path_of(pol, sizeof(pol), base, "noscope.yaml");
	EXPECT(base, NOENV, ARGV("--policy", pol, "--isolation", "off"), 0, "kill", pid);
	EXPECT(base, NOENV, ARGV("--policy", pol), 0, "abstract-connect", name);

	if (fd >= 0)
		close(fd);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	rm_rf(base);
}

/* ---- ABI handling and the report ---- */

/* `landlock: required` with a policy that needs a newer ABI than the
 * kernel's (simulated: STOCKADE_TEST_LANDLOCK_ABI only lowers) fails closed. */
TEST(landlock_required_fails_closed_on_old_abi)
{
	char base[PATH_MAX], pol[PATH_MAX];
	struct run r;

	NEED_LANDLOCK(4);
	if (!scratch(base, sizeof(base)))
		return;
	path_of(pol, sizeof(pol), base, "required.yaml");
	file_in(base, "required.yaml", "extends: agent\nlandlock: required\nnetwork:\n  tcp_connect: [8080]\n");
	confined(base, ARGV("STOCKADE_TEST_LANDLOCK_ABI=3"), ARGV("--policy", pol), ARGV("write", "f"), &r);
	CHECK_INT_EQ(r.outcome, STOCKADE_FAILED);
	CHECK_STR_CONTAINS(r.out, "landlock: required");
	CHECK_STR_CONTAINS(r.out, "ABI 4");
	CHECK_STR_CONTAINS(r.out, "hint:");
	CHECK(access(pol, F_OK) == 0);
	/* Nothing ran. */
	path_of(pol, sizeof(pol), base, "f");
	CHECK(access(pol, F_OK) < 0);

	/* The same policy on the kernel's own ABI runs. */
	path_of(pol, sizeof(pol), base, "required.yaml");
	if (kernel_abi() >= 6) {
		confined(base, NOENV, ARGV("--policy", pol), ARGV("write", "f"), &r);
		CHECK_INT_EQ(r.outcome, 0);
		if (r.outcome)
			show_run(&r);
	}
	rm_rf(base);
}

/* best_effort on an older ABI runs, and says on stderr what is missing. */
TEST(landlock_best_effort_says_what_is_missing)
{
	char base[PATH_MAX], pid[16];
	struct run r;
	int status;
	pid_t child;

	NEED_LANDLOCK(6);
	if (!scratch(base, sizeof(base)))
		return;
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(pid, sizeof(pid), "%d", (int)child);
	/* (The outside pid is not in a pid namespace of the command's.) */
	confined(base, ARGV("STOCKADE_TEST_LANDLOCK_ABI=5"), ARGV("--isolation", "off"), ARGV("kill", pid), &r);
	CHECK_INT_EQ(r.outcome, 0); /* less confined... */
	CHECK_STR_CONTAINS(r.out, "warning: scope NOT enforced"); /* ...and said so */
	CHECK_STR_CONTAINS(r.out, "LOWERED");
	/* The knob cannot raise the ABI above the kernel's. */
	confined(base, ARGV("STOCKADE_TEST_LANDLOCK_ABI=99"), ARGV("--verbose", "--isolation", "off"), ARGV("kill", pid),
		 &r);
	CHECK_INT_EQ(r.outcome, EPERM);
	CHECK(strstr(r.out, "LOWERED") == NULL);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	/* No Landlock at all: the filesystem rules are not enforced, loudly. */
	confined(base, ARGV("STOCKADE_TEST_LANDLOCK_ABI=0"), NULL, ARGV("write", "/dev/null"), &r);
	CHECK_INT_EQ(r.outcome, 0);
	CHECK_STR_CONTAINS(r.out, "warning: filesystem NOT enforced");
	rm_rf(base);
}

TEST(landlock_verbose_and_doctor_report)
{
	char base[PATH_MAX];
	struct run r;
	int abi;

	if (!have_binaries())
		return;
	if (!scratch(base, sizeof(base)))
		return;
	abi = kernel_abi();
	confined(base, NOENV, ARGV("--verbose"), ARGV("write", "f"), &r);
	CHECK_INT_EQ(r.outcome, 0);
	CHECK_STR_CONTAINS(r.out, "no_new_privs");
	CHECK_STR_CONTAINS(r.out, "seccomp       enforced");
	CHECK_STR_CONTAINS(r.out, "landlock");
	CHECK_STR_CONTAINS(r.out, "filesystem");
	CHECK_STR_CONTAINS(r.out, "network");
	CHECK_STR_CONTAINS(r.out, "scope");
	if (abi >= 6) {
		CHECK_STR_CONTAINS(r.out, "filesystem    enforced");
		CHECK_STR_CONTAINS(r.out, "network       enforced: mode none");
		CHECK_STR_CONTAINS(r.out, "scope         enforced");
	}
	run_cmd_opts(ARGV(stockade_bin(), "doctor"), &(struct run_opts){ .cwd = base }, &r);
	CHECK_INT_EQ(r.outcome, abi >= 5 ? 0 : 1);
	CHECK_STR_CONTAINS(r.out, "landlock");
	CHECK_STR_CONTAINS(r.out, "filesystem");
	run_cmd_opts(ARGV(stockade_bin(), "doctor"),
		     &(struct run_opts){ .cwd = base, .env = ARGV("STOCKADE_TEST_LANDLOCK_ABI=0") }, &r);
	CHECK_INT_EQ(r.outcome, 1);
	CHECK_STR_CONTAINS(r.out, "NOT enforced");
	rm_rf(base);
}

/* A scratch directory with two empty ones in it, "in" and "out"; each
 * buffer PATH_MAX long. */
static bool in_and_out(char *base, char *inside, char *outside)
{
	if (!scratch(base, PATH_MAX))
		return false;
	path_of(inside, PATH_MAX, base, "in");
	path_of(outside, PATH_MAX, base, "out");
	return mkdir(inside, 0755) == 0 && mkdir(outside, 0755) == 0;
}

/* The library on its own, in a child: stockade_plan_apply confines the
 * calling process. */
TEST(landlock_library_apply_in_child)
{
	char base[PATH_MAX], inside[PATH_MAX], outside[PATH_MAX], text[512];
	int status;
	pid_t pid;

	NEED_LANDLOCK(1);
	if (!in_and_out(base, inside, outside))
		return;
	if (snprintf(text, sizeof(text), "filesystem:\n  read: [/]\n  write: [%s]\n", inside) >= (int)sizeof(text))
		abort();
	pid = fork();
	if (pid == 0) {
		stockade_policy *p = NULL;
		stockade_plan *plan = NULL;
		char f[PATH_MAX];
		int fd;

		if (stockade_policy_new(&p, NULL) < 0 || stockade_policy_add_text(p, "test", text, strlen(text), NULL) < 0 ||
		    stockade_plan_build(p, &plan, NULL) < 0 || stockade_plan_apply(plan, NULL) < 0)
			_exit(100);
		path_of(f, sizeof(f), inside, "ok");
		fd = open(f, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			_exit(101);
		close(fd);
		path_of(f, sizeof(f), outside, "no");
		fd = open(f, O_WRONLY | O_CREAT, 0644);
		_exit(fd < 0 && errno == EACCES ? 0 : 102);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	rm_rf(base);
}

/* stockade_program_new: the ruleset and the filter are built once in the
 * parent; every forked child that applies the program is confined by them
 * (files by Landlock, calls by seccomp), and the parent is not. */
TEST(landlock_library_program_then_apply_in_children)
{
	char base[PATH_MAX], inside[PATH_MAX], outside[PATH_MAX], text[512], f[PATH_MAX];
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_program *prog = NULL, *again = NULL;
	int fd;

	NEED_LANDLOCK(1);
	if (!in_and_out(base, inside, outside))
		return;
	if (snprintf(text, sizeof(text),
		     "filesystem:\n  read: [/]\n  write: [%s]\nseccomp:\n  deny: [uname]\n",
		     inside) >= (int)sizeof(text))
		abort();
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(p && stockade_policy_add_text(p, "test", text, strlen(text), NULL) == 0);
	CHECK(p && stockade_plan_build(p, &plan, NULL) == 0);
	CHECK(plan && stockade_program_new(plan, &prog, NULL) == 0);
	for (int child = 0; prog && child < 3; child++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			struct utsname u;

			if (stockade_program_apply(prog, NULL) < 0)
				_exit(100);
			path_of(f, sizeof(f), inside, child ? "ok2" : "ok");
			fd = open(f, O_WRONLY | O_CREAT, 0644);
			if (fd < 0)
				_exit(101);
			close(fd);
			path_of(f, sizeof(f), outside, "no");
			fd = open(f, O_WRONLY | O_CREAT, 0644);
			if (fd >= 0 || errno != EACCES)
				_exit(102);
			_exit(uname(&u) < 0 && errno == EPERM ? 0 : 103);
		}
		CHECK(waitpid(pid, &status, 0) == pid);
		CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d: status %#x", child, status);
	}
	/* The parent only compiled: it is still free. */
	path_of(f, sizeof(f), outside, "parent");
	fd = open(f, O_WRONLY | O_CREAT, 0644);
	CHECK_MSG(fd >= 0, "the parent was confined by compiling: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	/* A second program of the same plan, while the first lives: the plan is
	 * not changed by compiling it. */
	CHECK(plan && stockade_program_new(plan, &again, NULL) == 0);
	stockade_program_free(again);
	stockade_program_free(prog);
	stockade_plan_free(plan);
	stockade_policy_free(p);
	rm_rf(base);
}
