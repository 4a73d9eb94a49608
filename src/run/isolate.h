/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process model with namespaces (isolate.c, mounts.c; docs/isolation.md):
 *
 *   outer stockade ──clone(NEWPID|NEWNS|NEWIPC|NEWUTS|NEWCGROUP[|NEWUSER])──>
 *     init (pid 1): the mount view, then fork ──> the command (confined, exec'd)
 *
 * The outer process relays signals to init and, when init reports the
 * command's end, ends the same way (its exit code, or death by the same
 * signal).  Init reaps orphans, forwards signals to the command and exits
 * when the command does, which kills whatever is left in the namespace.
 * Init dies with the outer process (PR_SET_PDEATHSIG).
 */
#ifndef STOCKADE_ISOLATE_H
#define STOCKADE_ISOLATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "plan/plan.h"

struct sk_git_planted;

struct sk_isolate_opts {
	/* More CLONE_NEW* flags for the clone that makes init (the network
	 * work adds CLONE_NEWNET). */
	unsigned long extra_flags;
	/* Namespaces the hook joins (setns) rather than the clone making
	 * them: counted as made, in the status (run/netns.c: CLONE_NEWNET). */
	unsigned long joined_flags;
	/* The hook for work that must happen inside the namespaces, as their
	 * root, before the command exists: called in init after the mount view
	 * is made (bring up lo, open a listening socket to pass on...).  A
	 * negative errno with *err set fails the setup: `auto` then runs the
	 * command without namespaces, `required` refuses to run. */
	int (*inside)(void *data, stockade_error **err);
	void *data;
	/* `run --audit`: nothing is denied, so the mount view stays writable
	 * outside the write roots too (as under seccomp.mode: audit). */
	bool audit;
	/* Called in the outer process after the run, once for each file of a
	 * git dir that was absent at the start, appeared during the run and
	 * was moved aside (sk_git_planted_check): the CLI says so. */
	void (*planted)(const struct sk_git_planted *p);
	/* The descriptors the command inherits are 0 to inherited - 1 (the
	 * CLI: 3 + --preserve-fds); 0 means 3.  sk_isolate() refuses to go on
	 * when one of them is a directory or was opened O_PATH: opened in the
	 * host's view, /proc/self/fd/N/... would lead around the mount view
	 * (the covered sockets, the read-only .git). */
	unsigned inherited;
};

/*
 * Where the plan's isolation asks for namespaces and this process can make
 * them: clone init into new namespaces; init makes the mount view and forks
 * the command.
 *
 *  - in the command's process: returns 1; the caller confines and execs as
 *    it would have in place (the signal mask and SIGCHLD disposition are
 *    the caller's again);
 *  - in the calling (outer) process: never returns; it relays signals to
 *    init until the command ends, then exits as the command did;
 *  - returns 1 at once in a process that is already the command's side
 *    of namespaces it made (the CLI isolates before its supervisor forks);
 *  - returns 0, in the calling process, when the command runs in place:
 *    isolation off, or `auto` where namespaces cannot be made here;
 *  - a negative errno with *err set: `required` and they cannot be made
 *    (the error names why), or the clone failed otherwise.
 *
 * Call it single-threaded (the supervisor's child, stockade_run()'s child,
 * the CLI), with no stdio output pending.  The outcome is kept for this
 * process's status (sk_enforcement_isolation).
 */
int sk_isolate(const stockade_plan *plan, const struct sk_isolate_opts *opts, stockade_error **err);

/* rep's namespace facts: what sk_isolate() did in this process, or (not
 * called) that a program exec'd in place gets none. */
void sk_enforcement_isolation(const stockade_plan *plan, struct sk_enforcement *rep);
/* The same for a dry run (doctor): whether a child could make them here. */
void sk_isolation_probe(const stockade_plan *plan, struct sk_enforcement *rep);

/* This process is in the initial user namespace. */
bool sk_in_initial_userns(void);
/* In the command's process: sk_isolate() put it in a pid namespace of its
 * own (whose processes all end with it). */
bool sk_isolated(void);
/* In the command's process: host sockets the mount view hid that have
 * another name besides (struct sk_mount_view.linked). */
unsigned sk_isolation_linked_sockets(void);

/* ---- the mount view (mounts.c), made by init ---- */

struct sk_mount_view {
	unsigned hidden, allowed;
	unsigned pinned; /* directories above covered sockets, bound on themselves */
	bool memfd_noexec;
	/* mount_git.c: repositories covered, their git dirs' hooks and
	 * config read-only (the working tree's and those above it), git dirs
	 * with a file absent at the start (looked at after the run), and
	 * whether a bound was reached (some left uncovered) */
	unsigned git_repos, git_watched;
	bool git_truncated;
	bool shm; /* a tmpfs of its own on /dev/shm */
	bool ro_view;	   /* every mount read-only but the write roots' */
	unsigned rw_roots; /* write roots whose tree was put back read-write */
	/* hidden sockets with another name (a hard link, st_nlink > 1): that
	 * name may be in view, so the command's connects are mediated */
	unsigned linked;
};

/* In init, as root of the new namespaces: / MS_SLAVE|MS_REC, every mount
 * read-only but the write roots (sk_isolation_wants_ro_view), a /proc for
 * the pid namespace, a devpts instance on /dev/pts (and /dev/ptmx), a tmpfs
 * on /dev/shm, host
 * sockets hidden but those sockets.allow names, the repositories' git dirs
 * covered (mount_git.c), the working directory entered again; vm.memfd_noexec=1 when real_root and the plan
 * denies executable memfds.  On failure a negative errno, with the step
 * that failed in `step`. */
/* The plan restricts the filesystem (Landlock not off) and no write root
 * is /: everything outside the write roots is made read-only. */
bool sk_isolation_wants_ro_view(const stockade_plan *plan);
/* The plan denies memfd_create(MFD_EXEC): vm.memfd_noexec=1 goes with it. */
bool sk_isolation_wants_memfd_noexec(const stockade_plan *plan);
int sk_mount_view(const stockade_plan *plan, bool real_root, bool audit, struct sk_mount_view *out, char *step,
		  size_t step_size);
/* Every mount read-only but the write roots (mount_ro.c), the first step
 * of sk_mount_view(): nothing when the plan does not want it
 * (sk_isolation_wants_ro_view) or the kernel lacks the new mount API (then
 * out->ro_view stays false).  On failure a negative errno, with the step
 * in `step`. */
struct sk_mount_ro {
	const stockade_plan *plan;
	struct sk_mount_view *out;
	char *step;
	size_t step_size;
};
int sk_mount_ro_view(struct sk_mount_ro *v);
/* The host's list of unix sockets, opened by the outer process before the
 * clone: init reads it after, from a network namespace of its own whose
 * list is empty (mode none, proxy).  -1 to close it. */
void sk_mount_host_sockets(bool open_it);
/* dir (PATH_MAX bytes, cut as it goes) and the directories above it, each
 * bound on itself while a rename could move it here (not a mount's root,
 * in a directory this process may write): a mount point cannot be renamed.
 * Stops at the first that could not move, or one that changed meanwhile.
 * How many were pinned; -E2BIG once max are and more could be; another
 * -errno if a bind failed (mounts.c). */
int sk_mount_pin_upward(char dir[PATH_MAX], unsigned max);

/* ---- .git (mount_git.c) ---- */

/* In the outer process, before the clone: find the repositories at and
 * above the current directory, what of them to pin and make read-only,
 * and keep a descriptor of each git dir where a file git reads
 * (commondir, config.worktree, config) is absent. */
void sk_git_find(void);
/* Forget it all (the descriptors closed). */
void sk_git_forget(void);
/* In init: close its copies of those descriptors, changing nothing in
 * memory it may share with the outer process. */
void sk_git_close_fds(void);
/* In init, after the read-only view: the pins and read-only binds (found
 * now if sk_git_find was not called).  A negative errno with the step. */
int sk_mount_git(struct sk_mount_view *out, char *step, size_t size);
/* In the outer process once init is gone (no process of the command is
 * left): each watched file that appeared is renamed to
 * NAME.stockade-planted-PID beside it (a rebase-merge or rebase-apply the
 * command started is reported only).  Fills up to max, returns how many
 * were found. */
struct sk_git_planted {
	char path[PATH_MAX + 32]; /* what appeared */
	char aside[64];		  /* its new name, in the same directory */
	int errnum;		  /* the rename failed (it stays where it was) */
	bool moved;		  /* renamed to aside; false: a rebase left in progress, reported only */
};
size_t sk_git_planted_check(struct sk_git_planted *out, size_t max);

#endif
