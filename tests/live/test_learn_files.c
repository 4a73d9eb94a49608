/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: `stockade learn` learns file paths (run/learn_files.h).  Under
 * --base strict a command reads a file in a scratch directory outside the
 * base's read roots, writes into a second, execs a script from a third (and
 * one from a directory under TMPDIR), reads a file in the home directory;
 * learn writes the narrowest grants ($TMPDIR/..., ~/... where they are),
 * the same command then runs under the learned policy, and one more path
 * (a fourth directory) is refused.  The credentials (~/.npmrc, a key in
 * ~/.ssh) stay refused during learn and are never written, nor `/` nor ~.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../harness.h"
#include "landlock/landlock.h"
#include "live_util.h"

static void put(const char *path, const char *text, mode_t mode)
{
	CHECK_MSG(write_file(path, text), "cannot write %s", path);
	CHECK(chmod(path, mode) == 0);
}

/* A grant line of the learned text: `    - "PATH"` under `  KIND:`. */
static bool has_grant(const char *text, const char *kind, const char *path)
{
	char head[32], line[PATH_MAX + 16];
	const char *sec, *end;

	snprintf(head, sizeof(head), "\n  %s:\n", kind);
	if (!(sec = strstr(text, head)))
		return false;
	sec += strlen(head);
	/* the section ends at the next line not starting with "    " */
	for (end = sec; *end && !strncmp(end, "    ", 4); end = strchrnul(end, '\n') + (*strchrnul(end, '\n') != 0))
		;
	snprintf(line, sizeof(line), "    - \"%s\"", path);
	for (const char *p = strstr(sec, line); p && p < end; p = strstr(p + 1, line))
		if (p[strlen(line)] == ' ' || p[strlen(line)] == '\n')
			return true;
	return false;
}

TEST(learn_files_round_trip)
{
	enum stockade_landlock_reason why;
	const char *tmpdir = getenv("TMPDIR");
	char base[512], tdir[512], p[PATH_MAX], home[PATH_MAX + 8], cwd[PATH_MAX], out[PATH_MAX];
	char script[8 * PATH_MAX], more[9 * PATH_MAX], want[PATH_MAX];
	const char *tname;
	int errnum;
	struct run r;
	char *text;

	if (sk_landlock_kernel_abi(&why, &errnum) < 1)
		SKIP("the kernel has no Landlock: learn observes no file refusal");
	if (access(stockade_bin(), X_OK) < 0)
		SKIP("stockade is not built");
	if (tmpdir && !strncmp(tmpdir, "/var/tmp", 8))
		SKIP("TMPDIR is under /var/tmp, where the scratch directories go");
	if (!make_tmpdir(base, sizeof(base), "/var/tmp", "stockade-learn-files"))
		return;
	if (!make_tmpdir(tdir, sizeof(tdir), NULL, "stockade-learn-files")) {
		rm_rf(base);
		return;
	}
	tname = strrchr(tdir, '/') + 1;
	snprintf(home, sizeof(home), "HOME=%s/home", base);
	snprintf(cwd, sizeof(cwd), "%s/cwd", base);
	snprintf(out, sizeof(out), "%s/learned.yaml", base);
	static const char *const dirs[] = { "a", "b", "c", "d", "cwd", "home", "home/.ssh" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", base, dirs[i]);
		CHECK(mkdir(p, 0755) == 0);
	}
	snprintf(p, sizeof(p), "%s/a/in.txt", base);
	put(p, "input\n", 0644);
	snprintf(p, sizeof(p), "%s/c/tool.sh", base);
	put(p, "#!/bin/sh\necho tool ran\n", 0755);
	snprintf(p, sizeof(p), "%s/tool2.sh", tdir);
	put(p, "#!/bin/sh\necho tool2 ran\n", 0755);
	snprintf(p, sizeof(p), "%s/d/more.txt", base);
	put(p, "more\n", 0644);
	snprintf(p, sizeof(p), "%s/home/notes.txt", base);
	put(p, "notes\n", 0644);
	snprintf(p, sizeof(p), "%s/home/.npmrc", base);
	put(p, "//registry.npmjs.org/:_authToken=npm-SECRET\n", 0600);
	snprintf(p, sizeof(p), "%s/home/.ssh/id_ed25519", base);
	put(p, "KEY\n", 0600);

	/* The credentials and / are tried too, and may fail: they are not
	 * what the command needs. */
	snprintf(script, sizeof(script),
		 "cat %s/a/in.txt && echo out >%s/b/out.txt && %s/c/tool.sh && %s/tool2.sh && cat \"$HOME/notes.txt\" && "
		 "{ cat \"$HOME/.npmrc\"; cat \"$HOME/.ssh/id_ed25519\"; touch \"$HOME/.ssh/new\"; ls / \"$HOME\" \"$HOME/.ssh\"; "
		 "true; } >/dev/null 2>&1",
		 base, base, base, tdir);
	snprintf(more, sizeof(more), "%s; cat %s/d/more.txt", script, base);
	struct run_opts o = { .cwd = cwd, .env = (const char *const[]){ home, NULL } };

	run_cmd_opts(ARGV(stockade_bin(), "run", "--preset", "strict", "--", "sh", "-c", script), &o, &r);
	CHECK_MSG(r.outcome != 0, "strict alone lets the command through (nothing to learn)");
	run_cmd_opts(ARGV(stockade_bin(), "learn", "--base", "strict", "-o", out, "--", "sh", "-c", script), &o, &r);
	CHECK_OUTCOME(&r, 0, "learn");
	CHECK_MSG(strstr(r.out, "tool ran") && strstr(r.out, "tool2 ran"), "the command did not run whole:\n%s", r.out);
	text = read_file(out);
	CHECK_MSG(text != NULL, "learn wrote no %s", out);
	if (!text)
		goto out;
	snprintf(want, sizeof(want), "%s/a/in.txt", base);
	CHECK_MSG(has_grant(text, "read", want), "no read of %s in:\n%s", want, text);
	snprintf(want, sizeof(want), "%s/b", base);
	CHECK_MSG(has_grant(text, "write", want), "no write of %s in:\n%s", want, text);
	snprintf(want, sizeof(want), "%s/c", base);
	CHECK_MSG(has_grant(text, "exec", want), "no exec of %s in:\n%s", want, text);
	snprintf(want, sizeof(want), "$TMPDIR/%s", tname);
	CHECK_MSG(has_grant(text, "exec", want), "no exec of %s in:\n%s", want, text);
	CHECK_MSG(has_grant(text, "read", "~/notes.txt"), "no read of ~/notes.txt in:\n%s", text);
	/* Nothing else: not the credentials, not / nor ~, not d. */
	CHECK_MSG(!strstr(text, "\"~/.npmrc\"") && !strstr(text, "\"~/.ssh") && !strstr(text, "\"/\"") &&
			  !strstr(text, "\"~\"") && !strstr(text, "/d\"") && !strstr(text, "/d/"),
		  "learned too much:\n%s", text);
	CHECK_MSG(strstr(text, "# read ~/.npmrc by cat: carved out by deny ~/.npmrc"),
		  "no note on ~/.npmrc in:\n%s", text);
	CHECK_MSG(strstr(text, "needs `read: [~/.ssh]`, which would uncover the base's carve-out ~/.ssh/id_*"),
		  "no note on listing ~/.ssh in:\n%s", text);
	free(text);

	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", out, "--", "sh", "-c", script), &o, &r);
	CHECK_OUTCOME(&r, 0, "the command under the learned policy");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", out, "--", "sh", "-c", more), &o, &r);
	CHECK_MSG(r.outcome != 0, "one path more (%s/d) was read under the learned policy", base);
	CHECK_MSG(strstr(r.out, "more.txt: Permission denied"), "not refused by Landlock:\n%s", r.out);
out:
	rm_rf(tdir);
	rm_rf(base);
}

/* An executable under a toolchain manager's root the base does not
 * execute from is learned as the root, by its variable ($NVM_DIR); one
 * under $CARGO_HOME, which holds a carve-out (credentials), as its own
 * directory. */
TEST(learn_files_toolchain_root)
{
	enum stockade_landlock_reason why;
	const char *tmpdir = getenv("TMPDIR");
	char base[512], p[PATH_MAX], home[PATH_MAX], nvm[PATH_MAX], cargo[PATH_MAX], cwd[PATH_MAX], out[PATH_MAX],
		yaml[PATH_MAX], script[3 * PATH_MAX];
	int errnum;
	struct run r;
	char *text;

	if (sk_landlock_kernel_abi(&why, &errnum) < 1)
		SKIP("the kernel has no Landlock: learn observes no file refusal");
	if (access(stockade_bin(), X_OK) < 0)
		SKIP("stockade is not built");
	if (tmpdir && !strncmp(tmpdir, "/var/tmp", 8))
		SKIP("TMPDIR is under /var/tmp, where the scratch directories go");
	if (!make_tmpdir(base, sizeof(base), "/var/tmp", "stockade-learn-tools"))
		return;
	snprintf(home, sizeof(home), "HOME=%s/home", base);
	snprintf(nvm, sizeof(nvm), "NVM_DIR=%s/home/.nvm", base);
	snprintf(cargo, sizeof(cargo), "CARGO_HOME=%s/home/.cargo", base);
	snprintf(cwd, sizeof(cwd), "%s/cwd", base);
	snprintf(out, sizeof(out), "%s/learned.yaml", base);
	snprintf(yaml, sizeof(yaml), "%s/base.yaml", base);
	static const char *const dirs[] = { "cwd", "home", "home/.nvm", "home/.nvm/versions", "home/.nvm/versions/bin",
					    "home/.cargo", "home/.cargo/bin" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", base, dirs[i]);
		CHECK(mkdir(p, 0755) == 0);
	}
	snprintf(p, sizeof(p), "%s/home/.nvm/versions/bin/nodeish", base);
	put(p, "#!/bin/sh\necho nodeish ran\n", 0755);
	snprintf(p, sizeof(p), "%s/home/.cargo/bin/cargoish", base);
	put(p, "#!/bin/sh\necho cargoish ran\n", 0755);
	snprintf(p, sizeof(p), "%s/home/.cargo/credentials.toml", base);
	put(p, "token = \"SECRET\"\n", 0600);
	/* strict without its toolchain roots (its carve-outs stay). */
	put(yaml,
	    "version: 1\nname: no-tools\nextends: strict\nfilesystem:\n  replace: true\n"
	    "  read: [/etc, /proc, /sys, /dev, /run, $CWD, $TMPDIR, /tmp]\n"
	    "  exec: [/usr, /bin, /sbin, /lib, /lib64, $CWD]\n"
	    "  write: [$CWD, $TMPDIR, /tmp, /dev/null]\n",
	    0644);
	snprintf(script, sizeof(script), "\"$NVM_DIR/versions/bin/nodeish\" && \"$CARGO_HOME/bin/cargoish\"");
	struct run_opts o = { .cwd = cwd, .env = (const char *const[]){ home, nvm, cargo, NULL } };

	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", yaml, "--", "sh", "-c", script), &o, &r);
	CHECK_MSG(r.outcome != 0, "the base executes from the toolchain roots (nothing to learn)");
	run_cmd_opts(ARGV(stockade_bin(), "learn", "--base", yaml, "-o", out, "--", "sh", "-c", script), &o, &r);
	CHECK_OUTCOME(&r, 0, "learn");
	text = read_file(out);
	CHECK_MSG(text && has_grant(text, "exec", "$NVM_DIR") && has_grant(text, "exec", "~/.cargo/bin") &&
			  !strstr(text, "$CARGO_HOME\""),
		  "not the toolchain roots:\n%s", text ? text : "(none)");
	free(text);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", out, "--", "sh", "-c", script), &o, &r);
	CHECK_OUTCOME(&r, 0, "the command under the learned policy");
	rm_rf(base);
}

/* The home directory reached through a link: the carve-outs are compared
 * where links lead, so listing ~/.ssh is still not learned. */
TEST(learn_files_linked_home)
{
	enum stockade_landlock_reason why;
	const char *tmpdir = getenv("TMPDIR");
	char base[512], p[PATH_MAX], home[PATH_MAX], cwd[PATH_MAX], out[PATH_MAX];
	int errnum;
	struct run r;
	char *text;

	if (sk_landlock_kernel_abi(&why, &errnum) < 1)
		SKIP("the kernel has no Landlock: learn observes no file refusal");
	if (access(stockade_bin(), X_OK) < 0)
		SKIP("stockade is not built");
	if (tmpdir && !strncmp(tmpdir, "/var/tmp", 8))
		SKIP("TMPDIR is under /var/tmp, where the scratch directories go");
	if (!make_tmpdir(base, sizeof(base), "/var/tmp", "stockade-learn-link"))
		return;
	static const char *const dirs[] = { "cwd", "real", "real/.ssh", "real/data" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", base, dirs[i]);
		CHECK(mkdir(p, 0755) == 0);
	}
	snprintf(p, sizeof(p), "%s/real/.ssh/id_ed25519", base);
	put(p, "KEY\n", 0600);
	snprintf(p, sizeof(p), "%s/real/data/f", base);
	put(p, "data\n", 0644);
	snprintf(p, sizeof(p), "%s/link", base);
	CHECK(symlink("real", p) == 0);
	snprintf(home, sizeof(home), "HOME=%s/link", base);
	snprintf(cwd, sizeof(cwd), "%s/cwd", base);
	snprintf(out, sizeof(out), "%s/learned.yaml", base);
	struct run_opts o = { .cwd = cwd, .env = (const char *const[]){ home, NULL } };

	run_cmd_opts(ARGV(stockade_bin(), "learn", "--base", "strict", "-o", out, "--", "sh", "-c",
			  "ls \"$HOME/.ssh\" && cat \"$HOME/data/f\""),
		     &o, &r);
	CHECK_OUTCOME(&r, 0, "learn");
	text = read_file(out);
	CHECK_MSG(text && has_grant(text, "read", "~/data/f") && !strstr(text, ".ssh\" #") &&
			  strstr(text, "which would uncover the base's carve-out ~/.ssh/id_*"),
		  "learned:\n%s", text ? text : "(none)");
	free(text);
	rm_rf(base);
}
