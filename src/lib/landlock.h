/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sandbox part of the plan (filesystem, network, scope; built by
 * ir_sandbox.c), its enforcement with Landlock (landlock.c), and the report
 * of what this kernel actually enforces, layer by layer, that `run --verbose`
 * and `doctor` print.
 */
#ifndef STOCKADE_LANDLOCK_H
#define STOCKADE_LANDLOCK_H

#include "policy.h"

/* One entry of the filesystem lists, flattened over the layers. */
struct sk_fs_path {
	const char *path; /* as written ("~/.ssh/id_*"), interned in the plan */
	enum sk_fs_kind kind;
	size_t layer; /* position in the stack: a carve-out applies to grants of its layer and below */
	struct sk_origin at;
};

struct sk_plan_sandbox {
	enum sk_landlock_mode landlock; /* never UNSET in a plan: best_effort by default */
	struct sk_origin landlock_at;
	bool fs;		  /* some layer restricts the filesystem */
	struct sk_fs_path *paths; /* in layer order */
	size_t npaths;
	enum sk_net_mode net; /* never UNSET in a plan: full by default */
	struct sk_origin net_at;
	uint16_t *tcp[SK_TCP_NDIRS]; /* sorted, unique */
	size_t ntcp[SK_TCP_NDIRS];
	bool tcp_handled[SK_TCP_NDIRS]; /* Landlock restricts this direction to the list */
	/* The seccomp filter lets TCP sockets through because ports are listed
	 * under mode none/unix; plan->net_fallback is the same policy without
	 * that exception, for kernels whose Landlock cannot limit the ports. */
	bool tcp_sockets;
	bool scope_signals, scope_abstract;
	struct sk_origin scope_at;
};

/* ---- plan (ir_sandbox.c) ---- */

/* Fill plan->sandbox from the layers and add the network rules to the
 * syscall entries (before their regions are computed).  `tcp_sockets`
 * false builds the fallback variant. */
int sk_plan_sandbox_build(stockade_plan *plan, const stockade_policy *policy, bool tcp_sockets, stockade_error **err);
void sk_plan_sandbox_free(stockade_plan *plan);
/* A copy of `s` owned by the plan (ir.c). */
int sk_plan_intern(stockade_plan *plan, const char *s, const char **out);

/* ---- paths (landlock.c) ---- */

/* What ~, $HOME, $CWD and $TMPDIR stand for, and what relative paths are
 * relative to (cwd). */
struct sk_path_env {
	char *home, *cwd, *tmpdir;
};

/* Check a path as written; pattern: wildcards are allowed in the last
 * component.  On error returns -EINVAL with *msg and *offset (0-based). */
int sk_path_check(const char *path, bool pattern, const char **msg, size_t *offset);
/* Expand variables and make the path absolute (lexically: `.`, `..` and
 * repeated slashes are folded; symlinks are resolved later). */
int sk_path_expand(const char *path, const struct sk_path_env *env, char **out);
/* The environment of the calling process (getcwd, $HOME or the user's
 * entry in /etc/passwd, $TMPDIR or /tmp); free with sk_path_env_free. */
int sk_path_env_current(struct sk_path_env *env, stockade_error **err);
void sk_path_env_free(struct sk_path_env *env);

/* ---- Landlock (landlock.c) ---- */

/* Filesystem rights stockade grants (Landlock access bits). */
uint64_t sk_fs_access(enum sk_fs_kind kind);

/* The rules the filesystem lists expand to on this machine, now: each
 * grant, with carve-outs replaced by the entries beside them.  `emit` gets
 * an O_PATH descriptor (closed after the call), the path and the access
 * bits (already limited to `handled`, and to file rights for non-directories).
 * Paths that do not exist are skipped and counted.  Exposed for the tests. */
struct sk_fs_walk_stats {
	size_t rules, missing, split, split_write;
	char first_missing[256];
	char split_dirs[512];	/* the directories carve-outs split, for the report */
	char split_write_dirs[256]; /* those that are also write roots */
};
typedef int (*sk_fs_emit_fn)(void *ctx, int fd, const char *path, uint64_t access);
int sk_fs_walk(const struct sk_plan_sandbox *sb, const struct sk_path_env *env, uint64_t handled, sk_fs_emit_fn emit,
	       void *ctx, struct sk_fs_walk_stats *stats, stockade_error **err);

/* Test hook: pretend the kernel's Landlock ABI is at most `abi` (< 0: no
 * override).  It can only lower what the kernel has. */
void sk_landlock_set_abi_override(int abi);
/* The kernel's Landlock ABI (0 if none) and, when 0 or failing, why. */
int sk_landlock_kernel_abi(char *why, size_t size);

/* ---- the report ---- */

enum sk_level {
	SK_LEVEL_OFF = 0, /* the policy does not ask for it */
	SK_LEVEL_FULL,
	SK_LEVEL_PARTIAL,
	SK_LEVEL_NONE,
};

struct sk_report_item {
	enum sk_level level;
	bool weaker; /* less confined than the policy says */
	char text[1024];
};

#define SK_REPORT_NOTES 8

struct sk_report {
	bool applied; /* false: a dry run (doctor) */
	bool nnp;
	struct sk_report_item seccomp;
	int kernel_abi; /* the kernel's Landlock ABI, 0 if none */
	int abi;	/* the ABI stockade used (lower under the test override) */
	bool abi_lowered;
	enum sk_landlock_mode mode;
	char landlock[512];
	struct sk_report_item fs, net, scope;
	char notes[SK_REPORT_NOTES][512];
	size_t nnotes;
};

const char *sk_level_name(enum sk_level level);

/* Work out what this kernel enforces of the plan and, unless dry_run,
 * enforce the Landlock part on the calling thread (no_new_privs must be set).
 * Under `landlock: required`, fails with -EOPNOTSUPP if anything asked cannot
 * be fully enforced.  A dry run still builds the ruleset, to validate it. */
int sk_landlock_apply(const stockade_plan *plan, bool dry_run, struct sk_report *rep, stockade_error **err);
/* sk_landlock_apply() in two steps: work out rep and build the ruleset
 * (*ruleset: its descriptor, close-on-exec, or -1 when there is nothing for
 * Landlock to enforce), then enforce it on the calling thread.  A ruleset
 * can be built once and enforced in any number of forked children. */
int sk_landlock_build(const stockade_plan *plan, struct sk_report *rep, int *ruleset, stockade_error **err);
int sk_landlock_restrict(int ruleset, stockade_error **err);
/* The plan whose seccomp filter goes with the Landlock outcome in rep. */
const stockade_plan *sk_seccomp_plan_for(const stockade_plan *plan, const struct sk_report *rep);
/* rep->seccomp for the plan that will be loaded. */
void sk_report_seccomp(const stockade_plan *plan, struct sk_report *rep);

/* ---- exec.c ---- */

/* Everything stockade_plan_apply does except loading the seccomp filter,
 * for a supervisor that loads its own variant of it: *filter is the plan
 * whose filter goes with what Landlock could enforce (plan, or
 * plan->net_fallback). */
int sk_plan_apply_but_seccomp(const stockade_plan *plan, struct sk_report *rep, const stockade_plan **filter,
			      stockade_error **err);
/* stockade_plan_apply, filling the report. */
int sk_plan_apply_report(const stockade_plan *plan, struct sk_report *rep, stockade_error **err);
/* The report `sk_plan_apply_report` would give, without confining anything. */
int sk_plan_dry_run(const stockade_plan *plan, struct sk_report *rep, stockade_error **err);
/* stockade_exec, calling `applied` (if not NULL) with the report between
 * confinement and execve. */
int sk_exec_report(const stockade_plan *plan, char *const argv[],
		   void (*applied)(const struct sk_report *rep, void *ctx), void *ctx, stockade_error **err);

#endif
