/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Never less confined than asked without a line saying so: the checks the
 * walk (walk.c) makes of the write roots it is about to grant.  A write
 * root that is /, a system directory, inside the system's trees or the
 * state that runs code later (/var/spool, /var/lib/dpkg...), or the home
 * directory (as root, any user's, and its dot-directories) is refused unless `filesystem.allow_broad_write`
 * says so, and so is $TMPDIR (or $CWD) in a dot-directory of the home; a grant whose path goes
 * through a link inside a write root (one a sandboxed run could have
 * planted) is refused.  docs/landlock.md, "Refused write roots".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "landlock/walk.h"
#include "plan/plan.h"

/* canon is beneath (or is) root, both canonical. */
static bool within(const char *root, const char *canon)
{
	size_t len = strlen(root);

	if (!strcmp(root, "/"))
		return true;
	return !strncmp(root, canon, len) && (canon[len] == '\0' || canon[len] == '/');
}

/* A link on the way to a grant that sits inside a write root may have
 * been planted by an earlier sandboxed run (`--write ./out` where ./out
 * became a link to ~/.config): the grant would follow it out.  Each link
 * on the path is looked at; one whose directory is inside a write root
 * refuses the grant (to name the target instead is the fix).  Links
 * elsewhere (/tmp -> /private/tmp, a home on another disk) are the
 * system's, and followed. */
int sk_check_link_grant(const char *named, const struct sk_fs_path *p, const char *const *roots, size_t nroots,
			stockade_error **err)
{
	_cleanup_free_ char *prefix = strdup(named);
	struct stat sbuf;

	if (!prefix)
		return sk_error(err, ENOMEM, "out of memory");
	for (char *slash = prefix + 1;; slash++) {
		char save;

		slash = strchrnul(slash, '/');
		save = *slash;
		*slash = '\0';
		if (lstat(prefix, &sbuf) == 0 && S_ISLNK(sbuf.st_mode)) {
			char *cut = strrchr(prefix, '/');
			_cleanup_free_ char *dir = strndup(prefix, cut == prefix ? 1 : (size_t)(cut - prefix));
			_cleanup_free_ char *cdir = dir ? realpath(dir, NULL) : NULL;

			for (size_t i = 0; cdir && i < nroots; i++) {
				if (!within(roots[i], cdir))
					continue;
				if (p->at.line)
					sk_error(err, EPERM,
						 "%s:%d:%d: `%s` goes through the link %s, inside the write root %s: "
						 "a sandboxed command may have put it there",
						 p->at.file, p->at.line, p->at.column, p->path, prefix,
						 roots[i]);
				else
					sk_error(err, EPERM,
						 "%s: `%s` goes through the link %s, inside the write root %s: a "
						 "sandboxed command may have put it there",
						 p->at.file ? p->at.file : "command line", p->path, prefix,
						 roots[i]);
				sk_error_hint(err, "name the directory the link points to, if that is meant, or "
						   "remove the link");
				return -EPERM;
			}
		}
		*slash = save;
		if (!save)
			return 0;
	}
}

/* canon is inside a dot-directory of home (~/.config, ~/.config/x, ~/.ssh),
 * or is one; its name (".config") in buf.  stockade's own caches
 * (~/.cache/stockade, a write root of agent and strict) are not. */
static bool in_home_dot_dir(const char *home, const char *canon, char *buf, size_t size)
{
	size_t len = home ? strlen(home) : 0;
	const char *rest = canon + len;

	if (!len || !strcmp(home, "/") || strncmp(home, canon, len) || rest[0] != '/' || rest[1] != '.')
		return false;
	if (!strncmp(rest, "/.cache/stockade", 16) && (rest[16] == '\0' || rest[16] == '/'))
		return false;
	snprintf(buf, size, "~/%.*s", (int)strcspn(rest + 1, "/"), rest + 1);
	return strcmp(buf, "~/.") && strcmp(buf, "~/..");
}

/* The implicit write roots inside a dot-directory of the home: TMPDIR in
 * any (TMPDIR=~/.config made ~/.config writable without a word: autostart,
 * systemd user units, git's config); the working directory in ~/.config
 * or ~/.local (~/.local/bin is on PATH), or a dot-directory itself
 * (harnesses keep worktrees in ~/.cache/TOOL/..., which stays allowed).
 * NULL, or what to say; buf holds the directory. */
static const char *implicit_in_dot_dir(const struct sk_fs_path *p, const char *canon, const struct sk_path_env *env,
				       const char *real_home, char *buf, size_t size)
{
	bool tmp = !strcmp(p->path, "$TMPDIR"), cwd = !strcmp(p->path, "$CWD");

	if (!tmp && !cwd)
		return NULL;
	/* canon is canonical: so must the homes be (HOME=/home/u with /home
	 * a link to /usr/home). */
	_cleanup_free_ char *real_pw = env->pw_home ? realpath(env->pw_home, NULL) : NULL;
	const char *homes[] = { env->home, env->pw_home, real_home, real_pw };

	for (size_t i = 0; i < ARRAY_SIZE(homes); i++) {
		if (!in_home_dot_dir(homes[i], canon, buf, size))
			continue;
		if (tmp)
			return "inside a dot-directory of the home directory";
		if (!strcmp(buf, "~/.config") || !strcmp(buf, "~/.local"))
			return "inside ~/.config or ~/.local";
		if (!strcmp(canon + strlen(homes[i]) + 1 + strlen(buf + 2), ""))
			return "a dot-directory of the home directory";
	}
	return NULL;
}

/* A write root that would let the command change the system or the
 * user's whole home (TMPDIR=/, TMPDIR=$HOME, a policy's `write: [~]`, run
 * from the home directory) is refused unless the policy says
 * `filesystem.allow_broad_write: true`: never less confined than asked
 * without a line saying so.  `canon` is the root's canonical path,
 * `real_home` $HOME's (NULL if it has none): HOME as the caller spelled it
 * (/h/, /h/., //h) is /h. */
int sk_check_write_root(const struct sk_fs_path *p, const char *canon, const struct sk_path_env *env,
			const char *real_home, stockade_error **err)
{
	static const char *const system_dirs[] = { "/bin", "/boot", "/dev",   "/etc",  "/home", "/lib",
						   "/lib32", "/lib64", "/libx32", "/opt", "/proc", "/root",
						   "/run", "/sbin", "/srv", "/sys", "/usr", "/var", NULL };
	/* $HOME itself, and the passwd home or a directory above it (/home):
	 * a scratch HOME under /tmp (CI, tests) leaves /tmp a write root. */
	const char *pw = env->pw_home;
	const char *what = NULL;
	char dot[64] = "";

	if (!strcmp(canon, "/"))
		what = "the root directory";
	else if ((env->home && !strcmp(env->home, canon)) || (real_home && !strcmp(real_home, canon)) ||
		 (pw && !strcmp(pw, canon)))
		what = "the home directory";
	else if (pw && within(canon, pw))
		what = "a parent of the home directory";
	/* and anything beneath the system's own trees (/etc/cron.d, /usr/local,
	 * /usr/lib): as dangerous for root as the directory itself */
	static const char *const system_trees[] = { "/bin", "/boot", "/etc", "/lib", "/lib32", "/lib64",
						     "/libx32", "/proc", "/sbin", "/sys", "/usr", NULL };
	/* and the system's state that runs code later, as root or as its
	 * users: crontabs and at jobs, package maintainer scripts, units and
	 * timers, cloud-init's scripts, polkit rules, container engines */
	static const char *const state_trees[] = { "/var/spool", "/var/mail", "/var/lib/dpkg", "/var/lib/apt",
						    "/var/lib/ucf", "/var/cache/debconf", "/var/lib/systemd",
						    "/var/lib/cloud", "/var/lib/polkit-1", "/var/lib/sudo", "/var/lib/dbus",
						    "/var/lib/docker", "/var/lib/containers", "/var/lib/snapd",
						    "/var/lib/rpm", "/var/lib/dnf", "/var/lib/AccountsService",
						    "/run/systemd", "/run/user", "/var/run/systemd", "/var/run/user", NULL };
	for (size_t i = 0; !what && system_dirs[i]; i++)
		if (!strcmp(canon, system_dirs[i]))
			what = "a system directory";
	if (!what && (!strcmp(canon, "/var/lib") || !strcmp(canon, "/var/cache") || !strcmp(canon, "/var/log")))
		what = "a system directory";
	for (size_t i = 0; !what && system_trees[i]; i++)
		if (within(system_trees[i], canon))
			what = "inside a system directory";
	for (size_t i = 0; !what && state_trees[i]; i++)
		if (within(state_trees[i], canon))
			what = "inside the system's state that runs code later";
	/* As root, the other users' homes: the home itself and a
	 * dot-directory in it (a service account's ~/.bashrc,
	 * ~/.ssh/authorized_keys).  The directories above them are /home and
	 * /var/lib, refused above, or a scratch one (/tmp) that stays a write
	 * root, as it does above a scratch $HOME. */
	for (size_t i = 0; !what && env->other_homes && env->other_homes[i]; i++) {
		const char *h = env->other_homes[i];
		size_t hl = strlen(h);

		if (!strcmp(canon, h))
			what = "another user's home directory";
		else if (!strncmp(canon, h, hl) && canon[hl] == '/' && canon[hl + 1] == '.')
			what = "inside a dot-directory of another user's home directory";
	}
	if (!what && (what = implicit_in_dot_dir(p, canon, env, real_home, dot, sizeof(dot)))) {
		if (p->at.line)
			sk_error(err, EPERM, "%s:%d:%d: write root `%s` is %s (%s, in %s): the command could plant "
				 "what runs outside the sandbox later (autostart entries, user services, tool "
				 "configuration)",
				 p->at.file, p->at.line, p->at.column, p->path, what, canon, dot);
		else
			sk_error(err, EPERM, "%s: write root `%s` is %s (%s, in %s): the command could plant what runs "
				 "outside the sandbox later (autostart entries, user services, tool configuration)",
				 p->at.file ? p->at.file : "command line", p->path, what, canon, dot);
		sk_error_hint(err, "%s; or set `filesystem: allow_broad_write: true` in a policy if that is meant",
			      !strcmp(p->path, "$TMPDIR") ? "point TMPDIR at a directory of its own (unset it: /tmp)"
							  : "run the command from a project directory");
		return -EPERM;
	}
	if (!what)
		return 0;
	if (p->at.line)
		sk_error(err, EPERM, "%s:%d:%d: write root `%s` is %s (%s): the command could change everything in it",
			 p->at.file, p->at.line, p->at.column, p->path, canon, what);
	else
		sk_error(err, EPERM, "%s: write root `%s` is %s (%s): the command could change everything in it",
			 p->at.file ? p->at.file : "command line", p->path, canon, what);
	sk_error_hint(err, "%s; or set `filesystem: allow_broad_write: true` in a policy if that is meant",
		      !strcmp(p->path, "$TMPDIR") ? "point TMPDIR at a directory of its own"
		      : !strcmp(p->path, "$CWD") ? "run the command from a project directory"
		      : strstr(what, "another user's") ? "name a directory of your own, a project's"
		      : !strncmp(what, "inside", 6) ? "name a directory outside /etc, /usr, /var/lib and the like"
						    : "name a narrower directory");
	return -EPERM;
}

