/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, "never less confined than asked without a line saying so":
 * the home credentials carved out of the passwd home too when $HOME names
 * another directory; write roots that are /, a system directory or the
 * home directory refused (TMPDIR=/, TMPDIR=$HOME, run from the home
 * directory) unless `filesystem.allow_broad_write`; a grant through a link
 * inside a write root refused; a symlinked policy's relative `extends:`
 * resolved beside the file it links to.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sandboxed.h"
#include "stockade.h"

static int run_in(const char *cwd, const char *const *env, const char *const *opts, const char *const *argv,
		  struct run *r)
{
	struct cmd c = { 0 };
	struct run_opts o = { .cwd = cwd, .env = env };
	int ret;

	cmd_push_stockade_run(&c, opts);
	cmd_push_all(&c, argv);
	ret = cmd_run(&c, &o, r);
	cmd_free(&c);
	return ret;
}

/* HOME=elsewhere: a credential agent carves out of the passwd home stays
 * unreadable.  Only files that exist already are used (read, never
 * written); none: skipped. */
TEST(truth_passwd_home_carved_too)
{
	static const char *const candidates[] = { ".npmrc",	   ".netrc",	   ".git-credentials", ".pypirc",
						  ".vault-token",  ".ssh/id_rsa",  ".ssh/id_ed25519",  ".ssh/id_ecdsa",
						  ".bash_history", ".aws/credentials", NULL };
	struct passwd *pw = getpwuid(getuid());
	char home[PATH_MAX], file[PATH_MAX * 2], henv[PATH_MAX + 8];
	const char *found = NULL;
	struct run r;

	if (!have_binaries())
		return;
	if (!pw || !pw->pw_dir || pw->pw_dir[0] != '/')
		SKIP("this user has no home directory in /etc/passwd");
	for (size_t i = 0; !found && candidates[i]; i++) {
		snprintf(file, sizeof(file), "%s/%s", pw->pw_dir, candidates[i]);
		if (access(file, R_OK) == 0)
			found = candidates[i];
	}
	if (!found)
		SKIP("no credential agent carves out exists in this user's passwd home");
	if (!make_tmpdir(home, sizeof(home), NULL, "fakehome"))
		return;
	snprintf(henv, sizeof(henv), "HOME=%s", home);
	/* Under its own HOME it is denied already; the case is HOME elsewhere. */
	run_in(NULL, ARGV(henv), OPTS("--preset", "agent", "--isolation", "off"), ARGV("/bin/sh", "-c",
		"exec 2>/dev/null; cat \"$1\" >/dev/null && echo READABLE || echo denied", "sh", file), &r);
	CHECK_MSG(r.outcome == 0 && strstr(r.out, "denied") && !strstr(r.out, "READABLE"),
		  "HOME=%s: %s of the passwd home is readable: %s", home, found, r.out);
	rm_rf(home);
}

TEST(truth_broad_write_roots_refused)
{
	char home[PATH_MAX], henv[PATH_MAX + 8], tenv[PATH_MAX + 8];
	const char *pol = write_tmp("broad.yaml",
				    "version: 1\n"
				    "extends: agent\n"
				    "filesystem:\n"
				    "  allow_broad_write: true\n",
				    0644);
	struct run r;

	if (!have_binaries())
		return;
	if (!make_tmpdir(home, sizeof(home), NULL, "broadhome"))
		return;
	snprintf(henv, sizeof(henv), "HOME=%s", home);
	snprintf(tenv, sizeof(tenv), "TMPDIR=%s", home);

	run_in(NULL, ARGV("TMPDIR=/"), OPTS("--preset", "agent"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "TMPDIR=/");
	CHECK_MSG(strstr(r.out, "write root `$TMPDIR` is / (the root directory)"), "TMPDIR=/: %s", r.out);

	run_in(NULL, ARGV(henv, tenv), OPTS("--preset", "agent"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "TMPDIR=$HOME");
	CHECK_MSG(strstr(r.out, "(the home directory)"), "TMPDIR=$HOME: %s", r.out);

	run_in(home, ARGV(henv), OPTS("--preset", "strict"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "strict run from the home directory");
	CHECK_MSG(strstr(r.out, "write root `$CWD`"), "cwd = HOME: %s", r.out);
	/* HOME spelled otherwise is the same directory (attack13 A6). */
	{
		char slashed[PATH_MAX + 16];

		snprintf(slashed, sizeof(slashed), "HOME=%s/.", home);
		run_in(home, ARGV(slashed), OPTS("--preset", "strict"), ARGV("/bin/true"), &r);
		CHECK_OUTCOME(&r, STOCKADE_FAILED, "strict run from the home directory, HOME=.../.");
		CHECK_MSG(strstr(r.out, "(the home directory)"), "cwd = HOME/.: %s", r.out);
	}

	run_in(NULL, NULL, OPTS("--preset", "agent", "--write", "/etc"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--write /etc");
	CHECK_MSG(strstr(r.out, "is /etc (a system directory)"), "--write /etc: %s", r.out);
	/* Beneath the system's trees too: as dangerous for root. */
	run_in(NULL, NULL, OPTS("--preset", "agent", "--write", "/usr/local"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--write /usr/local");
	CHECK_MSG(strstr(r.out, "(inside a system directory)"), "--write /usr/local: %s", r.out);
	/* The system's state that runs code later (accepte F2): package
	 * maintainer scripts here, crontabs, units. */
	run_in(NULL, NULL, OPTS("--preset", "agent", "--write", "/var/lib/dpkg/info"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--write /var/lib/dpkg/info");
	CHECK_MSG(strstr(r.out, "(inside the system's state"), "--write /var/lib/dpkg/info: %s", r.out);
	run_in(NULL, NULL, OPTS("--preset", "agent", "--write", "/var/lib"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--write /var/lib");
	CHECK_MSG(strstr(r.out, "is /var/lib (a system directory)"), "--write /var/lib: %s", r.out);

	/* Said explicitly: it runs. */
	run_in(NULL, ARGV("TMPDIR=/"), OPTS("--policy", pol), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "TMPDIR=/ with allow_broad_write: true");
	/* And a narrow TMPDIR is no broad write root. */
	run_in(NULL, ARGV(henv), OPTS("--preset", "agent"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "agent with HOME set to a scratch directory");
	rm_rf(home);
}

/* TMPDIR in a dot-directory of the home made it writable without a word
 * (TMPDIR=~/.config: autostart, user services, git's config); so did a
 * working directory in ~/.config.  Refused; stockade's own caches and a
 * harness's worktree under ~/.cache are not. */
static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX + 32];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, mode) < 0 && errno != EEXIST ? -1 : 0;
}

TEST(truth_dot_dir_write_roots_refused)
{
	static const char *const dirs[] = { ".config/x", ".ssh", ".cache/stockade/tmp", ".cache/tool/wt", ".dotfiles",
					    "work" };
	char home[PATH_MAX], henv[PATH_MAX + 8], tenv[PATH_MAX + 32], d[PATH_MAX + 32];
	const char *pol = write_tmp("broad-dot.yaml", "version: 1\nextends: agent\nfilesystem:\n  allow_broad_write: true\n",
				    0644);
	struct run r;

	if (!have_binaries())
		return;
	if (!make_tmpdir(home, sizeof(home), NULL, "dothome"))
		return;
	snprintf(henv, sizeof(henv), "HOME=%s", home);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		snprintf(d, sizeof(d), "%s/%s", home, dirs[i]);
		CHECK(mkdir_p(d, 0755) == 0);
	}
	snprintf(tenv, sizeof(tenv), "TMPDIR=%s/.config", home);
	run_in(NULL, ARGV(henv, tenv), OPTS("--preset", "agent"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "TMPDIR=~/.config");
	CHECK_MSG(strstr(r.out, "write root `$TMPDIR` is inside a dot-directory of the home directory") &&
			  strstr(r.out, "in ~/.config") && strstr(r.out, "hint: point TMPDIR at a directory of its own"),
		  "TMPDIR=~/.config: %s", r.out);
	snprintf(tenv, sizeof(tenv), "TMPDIR=%s/.ssh", home);
	run_in(NULL, ARGV(henv, tenv), OPTS("--preset", "strict"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "strict, TMPDIR=~/.ssh");
	snprintf(tenv, sizeof(tenv), "TMPDIR=%s/.cache/stockade/tmp", home);
	run_in(NULL, ARGV(henv, tenv), OPTS("--preset", "agent"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "TMPDIR=~/.cache/stockade/tmp (stockade's own)");

	snprintf(d, sizeof(d), "%s/.config/x", home);
	run_in(d, ARGV(henv), OPTS("--preset", "agent"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "run from ~/.config/x");
	CHECK_MSG(strstr(r.out, "write root `$CWD` is inside ~/.config or ~/.local"), "cwd ~/.config/x: %s", r.out);
	snprintf(d, sizeof(d), "%s/.dotfiles", home);
	run_in(d, ARGV(henv), OPTS("--preset", "agent"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "run from ~/.dotfiles");
	snprintf(d, sizeof(d), "%s/.cache/tool/wt", home);
	run_in(d, ARGV(henv), OPTS("--preset", "agent"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "run from a worktree under ~/.cache");
	snprintf(d, sizeof(d), "%s/work", home);
	run_in(d, ARGV(henv), OPTS("--preset", "agent"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "run from ~/work");

	/* Said explicitly: it runs. */
	snprintf(tenv, sizeof(tenv), "TMPDIR=%s/.config", home);
	run_in(NULL, ARGV(henv, tenv), OPTS("--policy", pol), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "TMPDIR=~/.config with allow_broad_write: true");
	rm_rf(home);
}

/* --write ./out where ./out is a link (planted by an earlier run) to a
 * directory outside the write roots. */
TEST(truth_grant_through_planted_link_refused)
{
	char base[PATH_MAX], work[PATH_MAX + 8], target[PATH_MAX + 8], link[PATH_MAX * 2];
	struct run r;

	if (!have_binaries())
		return;
	if (!make_tmpdir(base, sizeof(base), NULL, "planted"))
		return;
	snprintf(work, sizeof(work), "%s/work", base);
	snprintf(target, sizeof(target), "%s/config", base);
	snprintf(link, sizeof(link), "%s/out", work);
	CHECK(mkdir(work, 0755) == 0 && mkdir(target, 0755) == 0 && symlink(target, link) == 0);

	run_in(work, NULL, OPTS("--preset", "agent", "--write", "./out"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--write through a link inside $CWD");
	CHECK_MSG(strstr(r.out, "goes through the link") && strstr(r.out, "inside the write root"), "%s", r.out);
	/* The target named itself is fine. */
	run_in(work, NULL, OPTS("--preset", "agent", "--write", target), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "--write naming the target");
	rm_rf(base);
}

/* A policy symlinked into another directory takes its relative `extends:`
 * from beside the file it links to, not from beside the link. */
TEST(truth_symlinked_policy_extends_from_its_real_directory)
{
	char base[PATH_MAX], real_dir[PATH_MAX + 8], link_dir[PATH_MAX + 8], p[PATH_MAX * 2], l[PATH_MAX * 2];
	struct run r;

	if (!have_binaries())
		return;
	if (!make_tmpdir(base, sizeof(base), NULL, "policylink"))
		return;
	snprintf(real_dir, sizeof(real_dir), "%s/real", base);
	snprintf(link_dir, sizeof(link_dir), "%s/planted", base);
	CHECK(mkdir(real_dir, 0755) == 0 && mkdir(link_dir, 0755) == 0);
	snprintf(p, sizeof(p), "%s/policy.yaml", real_dir);
	CHECK(write_file(p, "version: 1\nextends: base.yaml\n"));
	snprintf(p, sizeof(p), "%s/base.yaml", real_dir);
	CHECK(write_file(p, "version: 1\nextends: agent\nseccomp:\n  deny: [uname]\n"));
	/* What a sandboxed run could plant beside the link: no filter. */
	snprintf(p, sizeof(p), "%s/base.yaml", link_dir);
	CHECK(write_file(p, "version: 1\nextends: none\n"));
	snprintf(p, sizeof(p), "%s/policy.yaml", real_dir);
	snprintf(l, sizeof(l), "%s/policy.yaml", link_dir);
	CHECK(symlink(p, l) == 0);

	run_in(NULL, NULL, OPTS("--policy", l), ARGV("/bin/uname"), &r);
	CHECK_MSG(r.outcome != 0 && r.outcome != STOCKADE_FAILED,
		  "uname under the linked policy ran (the planted base was used): %s", r.out);
	rm_rf(base);
}

/* As root, a policy that keeps CAP_SYS_ADMIN: the scope layer is not
 * "enforced" (mm_access() lets root read other processes' environ past
 * Landlock); the default kept set leaves it enforced. */
TEST(truth_scope_not_enforced_with_sys_admin_kept)
{
	const char *pol = write_tmp("keep-admin.yaml",
				    "version: 1\n"
				    "extends: agent\n"
				    "capabilities:\n"
				    "  keep: [CAP_SYS_ADMIN]\n",
				    0644);
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_status *st = NULL;
	struct run r;

	if (!have_binaries())
		return;
	if (geteuid() != 0)
		SKIP("needs root: another user's command holds no CAP_SYS_ADMIN");
	cli_run(OPTS("--policy", pol, "--isolation", "off", "--verbose"), OPTS("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "keep CAP_SYS_ADMIN --verbose");
	CHECK_MSG(strstr(r.out, "  scope         partly enforced: ") && strstr(r.out, "/proc/PID/environ"), "%s", r.out);
	cli_run(OPTS("--preset", "agent", "--isolation", "off", "--verbose"), OPTS("/bin/true"), &r);
	CHECK_MSG(strstr(r.out, "  scope         enforced: "), "agent: %s", r.out);

	CHECK(stockade_policy_new(&p, NULL) == 0 && stockade_policy_add_file(p, pol, NULL) == 0 &&
	      stockade_plan_build(p, &plan, NULL) == 0 && stockade_plan_status(plan, &st, NULL) == 0);
	if (st) {
		CHECK(stockade_status_level(st, STOCKADE_LAYER_SCOPE) == STOCKADE_LEVEL_PARTIAL);
		CHECK(stockade_status_gaps(st, STOCKADE_LAYER_SCOPE) & STOCKADE_GAP_SCOPE_PROC_MM);
		CHECK(stockade_status_weaker(st, STOCKADE_LAYER_SCOPE));
	}
	stockade_status_free(st);
	stockade_plan_free(plan);
	stockade_policy_free(p);
}

/* --verbose and doctor say what the supervisor decides (issue 14 item 6):
 * connect() by TCP address, listen() where TCP bind is limited; with
 * nothing to decide, that the command runs without one. */
TEST(truth_supervisor_line)
{
	const char *pol = write_tmp("truth-tcp-bare.yaml",
				    "extends: agent\n"
				    "network:\n"
				    "  tcp_connect: [18094]\n",
				    0644);
	struct run r;

	if (!have_binaries())
		return;
	cli_run(OPTS("--isolation", "off", "--tcp-connect", "127.0.0.1:9", "--verbose"), OPTS("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "--tcp-connect --verbose");
	CHECK_MSG(strstr(r.out, "  supervisor    decides ") && strstr(r.out, "TCP by address)"), "%s", r.out);
	cli_run(OPTS("--policy", pol, "--verbose"), OPTS("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "bare TCP ports --verbose");
	CHECK_MSG(strstr(r.out, "  supervisor    decides ") && strstr(r.out, "listen()"), "%s", r.out);
	run_cmd(ARGV(stockade_bin(), "doctor"), &r);
	CHECK_MSG(strstr(r.out, "  supervisor    "), "doctor: %s", r.out);
}

/* A HOME inside a write root (HOME under /tmp, as in CI) leaves its
 * startup files writable: --verbose says so (attack12 H1). */
TEST(truth_home_inside_a_write_root_said)
{
	char home[512], env[600];
	struct run r;

	if (!have_binaries() || !make_tmpdir(home, sizeof(home), "/tmp", "truth-home"))
		return;
	snprintf(env, sizeof(env), "HOME=%s", home);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--verbose", "--", "/bin/true"),
		     &(struct run_opts){ .env = ARGV(env) }, &r);
	CHECK_OUTCOME(&r, 0, "HOME under /tmp");
	CHECK_STR_CONTAINS(r.out, "note: $HOME is inside the write root /tmp");
	/* With a key in it, agent's carve-out splits /tmp: no new file can
	 * be made directly in it (gcc's temporary files), said on every run
	 * (acceptd D4). */
	{
		char key[600];

		snprintf(key, sizeof(key), "%s/.ssh", home);
		CHECK(mkdir(key, 0700) == 0);
		snprintf(key, sizeof(key), "%s/.ssh/id_truth", home);
		CHECK(write_file(key, "KEY\n"));
	}
	run_cmd_opts(ARGV(stockade_bin(), "run", "--isolation", "off", "--", "/bin/sh", "-c",
			  "mktemp /tmp/truth.XXXXXX >/dev/null 2>&1 || echo NO-TEMP"),
		     &(struct run_opts){ .env = ARGV(env) }, &r);
	CHECK_OUTCOME(&r, 0, "HOME under /tmp with a key");
	CHECK_STR_CONTAINS(r.out, "NO-TEMP");
	CHECK_STR_CONTAINS(r.out, "warning: no new file can be made directly in /tmp");
	rm_rf(home);
}

/* doctor's supervisor line is the run's: with namespaces, a listening
 * socket outside the daemons' known places is hidden by the mount view
 * and turns no mediation on, in the run or in doctor (accepte F3);
 * without them, both say connect() is decided. */
TEST(truth_doctor_supervisor_matches_the_run)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[64];
	struct run r, d;
	int s;

	if (!have_binaries() || !make_tmpdir(dir, sizeof(dir), "/tmp", "truth-sock"))
		return;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/listener", dir);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(s, 1) == 0);
	for (int off = 0; off < 2; off++) {
		const char *const *opts = off ? OPTS("--isolation", "off", "--verbose") : OPTS("--verbose");

		cli_run(opts, OPTS("/bin/true"), &r);
		CHECK_OUTCOME(&r, 0, off ? "--isolation off --verbose" : "--verbose");
		run_cmd(off ? ARGV(stockade_bin(), "doctor", "--isolation", "off") : ARGV(stockade_bin(), "doctor"), &d);
		bool ns = strstr(r.out, "under a stockade init") != NULL;
		bool run_decides = strstr(r.out, "  supervisor    decides ") && strstr(r.out, "connect()");
		bool doctor_decides = strstr(d.out, "  supervisor    would decide connect()") != NULL;

		CHECK_MSG(run_decides == doctor_decides, "run and doctor disagree (%s):\n%s\n---\n%s",
			  off ? "off" : "auto", r.out, d.out);
		if (!ns)
			CHECK_MSG(run_decides, "no namespaces, a listening host socket, nothing mediated: %s", r.out);
	}
	close(s);
	rm_rf(dir);
}
