/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What this kernel enforces of a plan, layer by layer: filled by the
 * Landlock and seccomp backends when a plan is applied (or dry-run), worded
 * by the CLI (`run --verbose`, `doctor`, the warnings of `run`) and read by
 * embedders through the accessors of stockade.h (run/status_api.c).  Facts
 * only: the library makes no sentence of them.  The TCP port lists are not
 * copied: they are the plan's (plan->access).
 */
#ifndef STOCKADE_ENFORCEMENT_H
#define STOCKADE_ENFORCEMENT_H

#include "policy/policy.h"

enum sk_level {
	SK_LEVEL_OFF = STOCKADE_LEVEL_OFF, /* the policy does not ask for it */
	SK_LEVEL_FULL = STOCKADE_LEVEL_FULL,
	SK_LEVEL_PARTIAL = STOCKADE_LEVEL_PARTIAL,
	SK_LEVEL_NONE = STOCKADE_LEVEL_NONE,
};

struct sk_enforcement_item {
	enum sk_level level;
	bool weaker;   /* less confined than the policy says */
	unsigned gaps; /* STOCKADE_GAP_*: what is not enforced */
};

/* Why a listed path got no rule (the first one, sk_fs_walk_stats). */
enum sk_missing_why {
	SK_MISSING_ERRNO = 0,	/* it cannot be opened: errnum (ENOENT: it does not exist) */
	SK_MISSING_NO_HOME,	/* under ~, and there is no home directory */
	SK_MISSING_UNLISTABLE,	/* a directory carve-outs split that cannot be listed: errnum */
	SK_MISSING_PATTERN_DIR, /* the directory of a pattern carve-out cannot be listed, so all of it
				 * is carved out */
};

/* What the filesystem walk did (landlock/walk.c): rules emitted, listed
 * paths that got none, directories carve-outs split.  The directory lists
 * are paths separated by ", ", ending in ", ..." when they do not fit. */
struct sk_fs_walk_stats {
	size_t rules, missing, split, split_write;
	char first_missing[256];
	enum sk_missing_why first_missing_why;
	int first_missing_errno;
	char split_dirs[512];	    /* the directories carve-outs split */
	char split_write_dirs[256]; /* those that are also write roots */
	char home_in_root[256];	    /* a write root that $HOME lies inside (HOME under /tmp), or "" */
};

struct sk_enforcement {
	bool applied; /* false: a dry run (doctor) */
	bool nnp;

	/* The seccomp filter loaded (the plan's, or its net_fallback). */
	struct sk_enforcement_item seccomp;
	struct sk_action default_action;
	size_t decided;	  /* syscalls with an action other than the default and no argument rule */
	size_t arg_rules; /* argument rules, all syscalls */
	enum sk_compat compat;

	/* Landlock */
	int kernel_abi; /* the kernel's Landlock ABI, 0 if none */
	int abi;	/* the ABI stockade used (lower under the test override) */
	bool abi_lowered;
	enum sk_landlock_mode mode;
	/* Why Landlock enforces nothing (STOCKADE_LANDLOCK_AVAILABLE when it
	 * does); landlock_errno for STOCKADE_LANDLOCK_FAILED. */
	enum stockade_landlock_reason landlock_why;
	int landlock_errno;

	struct sk_enforcement_item fs, net, scope;

	/* filesystem: set once the ruleset is built (walked) */
	bool walked;
	size_t fs_rules; /* rules in the ruleset */
	struct sk_fs_walk_stats walk;
	size_t skipped; /* entries of pseudo-filesystems that take no rule */
	char first_skipped[256];
	char wide_cwd[256]; /* the working directory, when it is / or $HOME ($CWD grants all of it) */

	/* network */
	enum sk_net_mode net_mode;
	bool tcp[SK_TCP_NDIRS]; /* Landlock limits this TCP direction to the plan's list */
	bool tcp_sockets;	/* the plan's filter lets TCP sockets through to Landlock */

	/* scope: what the policy asks (the gaps say what is not scoped) */
	bool scope_signals, scope_abstract;

	/* capabilities (run/caps.c): OFF when the policy keeps all */
	struct sk_enforcement_item caps;
	uint64_t caps_keep;	     /* what the policy keeps: bit N, capability N */
	bool caps_held;		     /* this process has capabilities, or is root (execve grants them) */
	uint64_t caps_kept;	     /* of caps_keep, what the command will hold (root: the bounding set's) */
	uint64_t caps_bounding_left; /* not kept, but staying in the bounding set (no CAP_SETPCAP) */

	/* Calls that act on another process by pid (run/status.c,
	 * sk_outside_calls): bit i set when the filter lets
	 * sk_outside_calls[i] reach a process other than the caller. */
	unsigned outside_open;

	/* namespaces (run/isolate.c): OFF under isolation off, FULL when the
	 * command got them (PARTIAL: vm.memfd_noexec not raised), NONE when
	 * it did not (ns_why, ns_errno, ns_step: the step that failed) */
	struct sk_enforcement_item ns;
	enum sk_isolation isolation;
	unsigned long ns_flags;	  /* CLONE_NEW* */
	bool ns_userns;		  /* through a user namespace mapping the caller's uid to itself */
	enum stockade_ns_reason ns_why;
	int ns_errno;
	char ns_step[64];
	unsigned sockets_hidden;  /* host sockets and socket directories made unreachable */
	unsigned sockets_linked;  /* of those, sockets with another name (a hard link): mediated */
	bool group_kill_fence;	  /* signals unscoped: kill(pid <= 0) refused by a second filter */
	unsigned sockets_allowed; /* left reachable by sockets.allow */
	bool memfd_noexec;	  /* vm.memfd_noexec=1 in the command's pid namespace */
	bool ns_shm;		  /* a tmpfs of the command's own on /dev/shm */
	unsigned git_repos;	  /* repositories covered (the working tree's, those above) */
	unsigned git_watched;	  /* git dirs where a file git reads was absent: looked at after */
	bool git_truncated;	  /* a bound was reached: some git dirs left uncovered */
	bool ro_view;		  /* every mount read-only outside the write roots (mounts.c) */
};

/* The scheduler and limit family and its kin: the calls that act on
 * another process named by pid, which no namespace-less Landlock layer
 * covers (docs/outside.md).  NULL-terminated. */
extern const char *const sk_outside_calls[];

/* The public handle (stockade.h): the report, as the library fills it. */
struct stockade_status {
	struct sk_enforcement rep;
};

#endif
