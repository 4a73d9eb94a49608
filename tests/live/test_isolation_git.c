/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, the git part of the mount view (run/mount_git.c,
 * docs/isolation.md): with namespaces, nothing the command plants in a
 * repository runs in the user's next git OUTSIDE.  Each test sets up
 * repositories in its temp dir, lets `stockade run` plant what the
 * reviewers' reproducers planted (acceptb finding 1, acceptc 1 and 3): a
 * commondir, a config.worktree where it was absent, a submodule's config
 * and hooks, a hooks directory where there was none, the superproject's
 * hooks from a submodule checkout, a renamed project directory, relative
 * writes from a working directory inside .git; then runs the real git
 * outside (status, commit) with every planted hook and fsmonitor writing a
 * marker into the temp dir, and asserts no marker.  And that git add,
 * commit and stash still work inside.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandboxed.h"

/* What each planted hook and fsmonitor runs: a line in MARK. */
#define HOOK(dir, tag) "printf '#!/bin/sh\\necho " tag " >> " dir "/MARK\\n' > "
#define FSMON(dir, tag) "\"echo " tag " >> " dir "/MARK; false\""

static int in_dir(const char *cwd, const char *script, struct run *r)
{
	struct run_opts o = { .cwd = cwd, .env = ARGV("GIT_CONFIG_NOSYSTEM=1") };

	return run_cmd_opts(ARGV("/bin/sh", "-c", script), &o, r);
}

static int stockade_in(const char *cwd, const char *script, struct run *r)
{
	struct cmd c = { .n = 0 };
	struct run_opts o = { .cwd = cwd, .env = ARGV("GIT_CONFIG_NOSYSTEM=1") };
	int ret;

	cmd_push_stockade_run(&c, NULL);
	cmd_push_all(&c, ARGV("/bin/sh", "-c", script));
	ret = cmd_run(&c, &o, r);
	cmd_free(&c);
	return ret;
}

/* script with every ^ replaced by dir (the scripts name the temp dir ^). */
static char *subst(const char *script, const char *dir)
{
	size_t n = 1, dl = strlen(dir);
	char *out, *o;

	for (const char *s = script; *s; s++)
		n += *s == '^' ? dl : 1;
	o = out = malloc(n);
	if (!out)
		exit(1);
	for (const char *s = script; *s; s++) {
		if (*s == '^') {
			memcpy(o, dir, dl);
			o += dl;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

static void outside(const char *dir, const char *where, const char *script, struct run *r)
{
	char cwd[512];
	char *s = subst(script, dir);

	snprintf(cwd, sizeof(cwd), "%s/%s", dir, where);
	in_dir(cwd, s, r);
	free(s);
}

static void inside(const char *dir, const char *where, const char *script, struct run *r)
{
	char cwd[512];
	char *s = subst(script, dir);

	snprintf(cwd, sizeof(cwd), "%s/%s", dir, where);
	stockade_in(cwd, s, r);
	free(s);
}

/* The marker: nothing planted ran outside. */
static void no_marker(const char *dir, const char *what)
{
	char path[512], *text;

	snprintf(path, sizeof(path), "%s/MARK", dir);
	text = read_file(path);
	CHECK_MSG(!text, "%s: git outside ran what the command planted: %s", what, text ? text : "");
	free(text);
}

static bool setup(char *dir, size_t size, const char *name, const char *script)
{
	struct run r;
	char *s;

	if (!tool("git")) {
		harness_skip_reason = "git is not installed";
		return false;
	}
	if (!make_tmpdir(dir, size, NULL, name))
		return false;
	s = subst(script, dir);
	in_dir(dir, s, &r);
	free(s);
	CHECK_OUTCOME(&r, 0, "git setup");
	return r.outcome == 0;
}

#define IDENT "git config user.email t@example.com && git config user.name t"

/* acceptb 1a, 1d; acceptc 1: a commondir planted in the main git dir (git
 * then takes config and hooks from where it points), a config.worktree
 * where it was absent (extensions.worktreeConfig), the linked worktree's
 * own commondir and config.worktree. */
TEST(isolation_git_commondir_and_config_worktree)
{
	char dir[256];
	struct run r;

	NEED_NS();
	if (!setup(dir, sizeof(dir), "stockade-git-cd",
		   "git init -q repo && cd repo && " IDENT " && git config extensions.worktreeConfig true && "
		   "echo a > f && git add f && git commit -qm one && git worktree add -q ^/wt 2>&1"))
		return;
	inside(dir, "repo",
	       /* git works inside, before anything is planted */
	       "echo b >> f && git add f && git commit -qm two && echo COMMITTED; echo c >> f && git stash -q && "
	       "git stash pop -q && echo STASHED; "
	       /* an evil common dir, and everything that could point at it */
	       "E=$PWD/.git/evil; mkdir -p $E/hooks && cp -r .git/objects .git/refs .git/HEAD $E/ && "
	       "printf '[core]\\n\\trepositoryformatversion = 0\\n\\tfsmonitor = " FSMON("^", "commondir") "\\n' > "
	       "$E/config && " HOOK("^", "commondir-hook") "$E/hooks/pre-commit && chmod +x $E/hooks/pre-commit; "
	       "echo $E > .git/commondir && echo PLANTED-COMMONDIR; "
	       "printf '[core]\\n\\tfsmonitor = " FSMON("^", "config-worktree") "\\n' > .git/config.worktree && "
	       "echo PLANTED-CONFIG-WORKTREE; "
	       "echo $E > .git/worktrees/wt/commondir 2>/dev/null && echo PLANTED-WT-COMMONDIR; "
	       "printf '[core]\\n\\tfsmonitor = " FSMON("^", "wt-config-worktree") "\\n' > "
	       ".git/worktrees/wt/config.worktree && echo PLANTED-WT-CONFIG-WORKTREE; true",
	       &r);
	CHECK_OUTCOME(&r, 0, "planting");
	CHECK_MSG(has(&r, "COMMITTED") && has(&r, "STASHED"), "git inside failed: %s", r.out);
	CHECK_MSG(!has(&r, "PLANTED-WT-COMMONDIR"), "the linked worktree's commondir was rewritten: %s", r.out);
	/* Absent at the start: no mount could cover them; moved aside after
	 * the run, with a line each. */
	if (has(&r, "PLANTED-COMMONDIR"))
		CHECK_MSG(strstr(r.out, ".git/commondir, which git outside would read: moved aside"),
			  "a planted commondir is not reported: %s", r.out);
	if (has(&r, "PLANTED-CONFIG-WORKTREE"))
		CHECK_MSG(strstr(r.out, ".git/config.worktree, which git outside would read: moved aside"),
			  "a planted config.worktree is not reported: %s", r.out);
	outside(dir, "repo", "git status >/dev/null 2>&1; echo d >> f; git commit -qam three >/dev/null 2>&1; true",
		&r);
	outside(dir, "wt", "git status >/dev/null 2>&1; echo d >> f; git commit -qam four >/dev/null 2>&1; true", &r);
	no_marker(dir, "commondir, config.worktree");
	rm_rf(dir);
}

/* acceptb 1b, 1c: a repository made without hooks (git init
 * --template=), a submodule's config and hooks (its git dir in
 * .git/modules, itself without hooks), the submodule checkout's .git file
 * (which git dir the superproject's git status goes into). */
TEST(isolation_git_submodules_and_absent_hooks)
{
	char dir[256];
	struct run r;

	NEED_NS();
	if (!setup(dir, sizeof(dir), "stockade-git-sm",
		   "git init -q --template= lib && cd lib && " IDENT " && echo l > l && git add l && git commit -qm l && "
		   "cd .. && git init -q --template= repo && cd repo && " IDENT " && "
		   "git -c protocol.file.allow=always submodule add -q ../lib sub && git commit -qm sub && "
		   "rm -rf .git/modules/sub/hooks && git -C sub config user.email t@example.com && "
		   "git -C sub config user.name t && test ! -e .git/hooks"))
		return;
	inside(dir, "repo",
	       "echo b > f && git add f && git commit -qm two && echo COMMITTED; echo c >> f && git stash -q && "
	       "echo STASHED; "
	       "mkdir -p .git/hooks; " HOOK("^", "hook") ".git/hooks/pre-commit && chmod +x .git/hooks/pre-commit "
	       "&& echo PLANTED-HOOK; "
	       "git -C sub config core.fsmonitor " FSMON("^", "sub-fsmonitor") " && echo PLANTED-SUB-CONFIG; "
	       "mkdir -p .git/modules/sub/hooks; " HOOK("^", "sub-hook") ".git/modules/sub/hooks/pre-commit && "
	       "chmod +x .git/modules/sub/hooks/pre-commit && echo PLANTED-SUB-HOOK; "
	       "mv .git/modules/sub .git/modules/sub.x 2>/dev/null && echo MOVED-SUB; "
	       /* the checkout's .git file pointed at a git dir of the command's */
	       "cp -r .git/modules/sub .git/modules/evil && git config -f .git/modules/evil/config core.fsmonitor "
	       FSMON("^", "sub-gitfile") " && { echo 'gitdir: ../.git/modules/evil' > sub/.git; } 2>/dev/null && "
	       "echo PLANTED-SUB-GITFILE; mv sub sub.x 2>/dev/null && echo MOVED-SUB; true",
	       &r);
	CHECK_OUTCOME(&r, 0, "planting");
	CHECK_MSG(has(&r, "COMMITTED") && has(&r, "STASHED"), "git inside failed: %s", r.out);
	CHECK_MSG(!has(&r, "PLANTED-") && !has(&r, "MOVED-SUB"), "planted: %s", r.out);
	outside(dir, "repo",
		"git status >/dev/null 2>&1; git commit -q --allow-empty -m x >/dev/null 2>&1; "
		"git -C sub commit -q --allow-empty -m y >/dev/null 2>&1; git -C sub status >/dev/null 2>&1; true",
		&r);
	no_marker(dir, "hooks absent, submodule");
	rm_rf(dir);
}

/* acceptb 1f, 1g: from a submodule checkout, the superproject's hooks and
 * config; the project directory renamed and a copy with hooks of its own
 * put in its place. */
TEST(isolation_git_superproject_and_renamed_project)
{
	char dir[256];
	struct run r;

	NEED_NS();
	if (!setup(dir, sizeof(dir), "stockade-git-sp",
		   "git init -q lib && cd lib && " IDENT " && echo l > l && git add l && git commit -qm l && "
		   "cd .. && git init -q repo && cd repo && " IDENT " && "
		   "git -c protocol.file.allow=always submodule add -q ../lib sub && git commit -qm sub"))
		return;
	inside(dir, "repo/sub",
	       HOOK("^", "super-hook") "../.git/hooks/pre-commit 2>/dev/null && chmod +x ../.git/hooks/pre-commit && "
	       "echo PLANTED-SUPER-HOOK; "
	       "git -C .. config core.fsmonitor " FSMON("^", "super-fsmonitor") " 2>/dev/null && "
	       "echo PLANTED-SUPER-CONFIG; "
	       "cd ../.. && mv repo repo.orig 2>/dev/null && echo RENAMED; "
	       "cd ^/repo && mv sub sub.x 2>/dev/null && echo RENAMED-SUB; true",
	       &r);
	CHECK_OUTCOME(&r, 0, "planting");
	CHECK_MSG(!has(&r, "PLANTED-") && !has(&r, "RENAMED"), "planted: %s", r.out);
	outside(dir, "repo", "git status >/dev/null 2>&1; git commit -q --allow-empty -m x >/dev/null 2>&1; true", &r);
	no_marker(dir, "superproject, renamed project");
	rm_rf(dir);
}

/* acceptc 3: a working directory inside what is covered (.git,
 * .git/hooks) is entered again once it is covered. */
TEST(isolation_git_cwd_inside_git_dir)
{
	char dir[256];
	struct run r;

	NEED_NS();
	if (!setup(dir, sizeof(dir), "stockade-git-cwd",
		   "git init -q repo && cd repo && " IDENT " && echo a > f && git add f && git commit -qm one && "
		   "mkdir -p .git/hooks"))
		return;
	inside(dir, "repo/.git",
	       "printf '[core]\\n\\tfsmonitor = " FSMON("^", "cwd-fsmonitor") "\\n' >> config 2>/dev/null && "
	       "echo PLANTED-CONFIG; " HOOK("^", "cwd-hook") "hooks/pre-commit 2>/dev/null && echo PLANTED-HOOK; true",
	       &r);
	CHECK_OUTCOME(&r, 0, "planting from .git");
	CHECK_MSG(!has(&r, "PLANTED-"), "planted from .git: %s", r.out);
	inside(dir, "repo/.git/hooks",
	       HOOK("^", "cwd-hook2") "pre-commit 2>/dev/null && chmod +x pre-commit && echo PLANTED-HOOK; true", &r);
	CHECK_OUTCOME(&r, 0, "planting from .git/hooks");
	CHECK_MSG(!has(&r, "PLANTED-"), "planted from .git/hooks: %s", r.out);
	outside(dir, "repo", "git status >/dev/null 2>&1; echo b >> f; git commit -qam two >/dev/null 2>&1; true", &r);
	no_marker(dir, "cwd inside .git");
	rm_rf(dir);
}

/* A bare repository as the working directory (its hooks run on a push to
 * it), and a rebase the command leaves in progress with an `exec` line in
 * its todo list (acceptb 1e: only the user's git rebase --continue would
 * run it): reported after the run. */
TEST(isolation_git_bare_and_rebase_left)
{
	char dir[256];
	struct run r;

	NEED_NS();
	if (!setup(dir, sizeof(dir), "stockade-git-bare",
		   "git init -q --bare bare.git && git init -q work && cd work && " IDENT " && "
		   "git remote add origin ^/bare.git && echo a > f && git add f && git commit -qm one && "
		   "echo b >> f && git commit -qam two && git push -q origin HEAD:refs/heads/main 2>&1 && "
		   "printf '#!/bin/sh\\necho break > \"$1\"\\necho \"exec echo rebase >> ^/MARK\" >> \"$1\"\\n' > "
		   "^/ed.sh"))
		return;
	inside(dir, "bare.git",
	       HOOK("^", "bare-hook") "hooks/post-receive 2>/dev/null && chmod +x hooks/post-receive && "
	       "echo PLANTED-BARE-HOOK; git config stockade.planted yes 2>/dev/null && echo PLANTED-BARE-CONFIG; true",
	       &r);
	CHECK_OUTCOME(&r, 0, "planting in a bare repository");
	CHECK_MSG(!has(&r, "PLANTED-"), "planted in a bare repository: %s", r.out);
	inside(dir, "work", "GIT_SEQUENCE_EDITOR='sh ^/ed.sh' git rebase -i HEAD~1 >/dev/null 2>&1; "
			    "test -d .git/rebase-merge && echo REBASE-LEFT; true",
	       &r);
	CHECK_OUTCOME(&r, 0, "a rebase left in progress");
	CHECK_MSG(has(&r, "REBASE-LEFT"), "the rebase did not stop: %s", r.out);
	CHECK_MSG(strstr(r.out, "the command left a rebase in progress") && strstr(r.out, ".git/rebase-merge"),
		  "a rebase left in progress is not reported: %s", r.out);
	outside(dir, "work",
		"git rebase --abort; echo c >> f && git commit -qam three >/dev/null 2>&1; git push -q origin HEAD:refs/heads/main "
		">/dev/null 2>&1; true",
		&r);
	no_marker(dir, "bare repository");
	rm_rf(dir);
}

/* attack12 G1, G2: a submodule whose path holds a blank and one whose
 * name starts with a dot (their checkouts' .git files), a submodule whose
 * git dir is embedded in its checkout, and, run from a workspace above
 * them, two clones side by side: each covered. */
TEST(isolation_git_odd_submodules_and_nested_clones)
{
	char dir[256];
	struct run r;

	NEED_NS();
	if (!setup(dir, sizeof(dir), "stockade-git-odd",
		   "git init -q lib && cd lib && " IDENT " && echo l > l && git add l && git commit -qm l && cd .. && "
		   "git init -q repo && cd repo && " IDENT " && "
		   "git -c protocol.file.allow=always submodule add -q ../lib 'my lib' && "
		   "git -c protocol.file.allow=always submodule add -q ../lib .vim/bundle/x && "
		   "git clone -q ../lib emb && git commit -qm subs && cd .. && "
		   "mkdir ws && git clone -q lib ws/a && git clone -q lib ws/b && "
		   "for d in ws/a ws/b; do git -C $d config user.email t@example.com; git -C $d config user.name t; done"))
		return;
	inside(dir, "repo",
	       "cp -r .git/modules/x .git/modules/evil 2>/dev/null || cp -r '.git/modules/my lib' .git/modules/evil; "
	       "git config -f .git/modules/evil/config core.fsmonitor " FSMON("^", "evil") "; "
	       "{ echo 'gitdir: ../.git/modules/evil' > 'my lib/.git'; } 2>/dev/null && echo PLANTED-SPACE; "
	       "{ echo 'gitdir: ../../../.git/modules/evil' > .vim/bundle/x/.git; } 2>/dev/null && echo PLANTED-DOT; "
	       "git -C emb config core.fsmonitor " FSMON("^", "embedded") " 2>/dev/null && echo PLANTED-EMBEDDED; true",
	       &r);
	CHECK_OUTCOME(&r, 0, "planting in the submodules");
	CHECK_MSG(!has(&r, "PLANTED-"), "planted: %s", r.out);
	inside(dir, "ws",
	       "git -C a config core.fsmonitor " FSMON("^", "clone-a") " 2>/dev/null && echo PLANTED-A; "
	       "mkdir -p b/.git/hooks; " HOOK("^", "clone-b") "b/.git/hooks/pre-commit 2>/dev/null && "
	       "chmod +x b/.git/hooks/pre-commit && echo PLANTED-B; true",
	       &r);
	CHECK_OUTCOME(&r, 0, "planting in the clones");
	CHECK_MSG(!has(&r, "PLANTED-"), "planted in a workspace's clones: %s", r.out);
	outside(dir, "repo", "git status >/dev/null 2>&1; git -C emb status >/dev/null 2>&1; true", &r);
	outside(dir, "ws",
		"git -C a status >/dev/null 2>&1; git -C b commit -q --allow-empty -m z >/dev/null 2>&1; true", &r);
	no_marker(dir, "odd submodules, nested clones");
	rm_rf(dir);
}
