/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The access part of the plan (filesystem, network, scope) enforced with
 * Landlock: the kernel's ABI (abi.c), the walk that turns path lists into
 * rules (walk.c, listing.c), the ruleset (ruleset.c), and what this kernel
 * enforces of it (status.c, plan/enforcement.h).
 */
#ifndef STOCKADE_LANDLOCK_H
#define STOCKADE_LANDLOCK_H

#include "plan/plan.h"

/* ---- Landlock (src/landlock) ---- */

/* Filesystem rights stockade grants (Landlock access bits). */
uint64_t sk_fs_access(enum sk_fs_kind kind);

/* The rules the filesystem lists expand to on this machine, now: each
 * grant, with carve-outs replaced by the entries beside them.  `emit` gets
 * an O_PATH descriptor (closed after the call), the path and the access
 * bits (already limited to `handled`, and to file rights for non-directories).
 * Paths that do not exist are skipped and counted (struct sk_fs_walk_stats,
 * plan/enforcement.h).  Exposed for the tests. */
typedef int (*sk_fs_emit_fn)(void *ctx, int fd, const char *path, uint64_t access);
int sk_fs_walk(const struct sk_plan_access *sb, const struct sk_path_env *env, uint64_t handled, sk_fs_emit_fn emit,
	       void *ctx, struct sk_fs_walk_stats *stats, stockade_error **err);

/* Before entering a user namespace that maps only this process's own ids:
 * note, with the owners as they really are, which of the plan's carve-outs
 * written as absolute paths protect nothing for this user (files of
 * others it cannot read, write or search).  In the namespace every file of
 * an unmapped owner shows as the overflow uid, 65534, so a walk there as
 * uid 65534 would take root's /etc/shadow for its own and keep the
 * carve-out, splitting /etc and /dev.  The walk adds these to what it
 * finds moot itself (never fewer).  sb NULL forgets them. */
void sk_fs_note_moot(const struct sk_plan_access *sb);

/* Add a Landlock domain that keeps the caller's future descendants off
 * processes outside it (a supervisor): scoped signals on ABI 6+ when
 * scope_signals, and from
 * ABI 2 Landlock's ptrace rule (no ptrace, pidfd_getfd, process_vm_*,
 * /proc/PID/mem of a process outside the domain); it restricts nothing
 * else.  Returns 2 (ptrace and signals), 1 (ptrace only, ABI 2-5), 0 (no
 * fence: no Landlock, or ABI 1) or -errno.  Sets no_new_privs.  fence.c. */
int sk_landlock_fence(bool scope_signals);

/* Test hook: pretend the kernel's Landlock ABI is at most `abi` (< 0: no
 * override).  It can only lower what the kernel has. */
void sk_landlock_set_abi_override(int abi);
/* The kernel's Landlock ABI, or 0 if it has none: then *why (and, for
 * STOCKADE_LANDLOCK_FAILED, *errnum; else 0) say why. */
int sk_landlock_kernel_abi(enum stockade_landlock_reason *why, int *errnum);
/* The first ABI that closes `gap` (a STOCKADE_GAP_* bit) and the Linux
 * release that brought it; 0 and NULL for a gap no ABI closes. */
int sk_landlock_gap_abi(unsigned gap, const char **kernel);

/* Work out what this kernel enforces of the plan and, unless dry_run,
 * enforce the Landlock part on the calling thread (no_new_privs must be set).
 * Under `landlock: required`, fails with -EOPNOTSUPP if anything asked cannot
 * be fully enforced.  A dry run still builds the ruleset, to validate it. */
int sk_landlock_apply(const stockade_plan *plan, bool dry_run, struct sk_enforcement *rep, stockade_error **err);
/* sk_landlock_apply() in two steps: work out rep and build the ruleset
 * (*ruleset: its descriptor, close-on-exec, or -1 when there is nothing for
 * Landlock to enforce), then enforce it on the calling thread.  A ruleset
 * can be built once and enforced in any number of forked children. */
int sk_landlock_build(const stockade_plan *plan, struct sk_enforcement *rep, int *ruleset, stockade_error **err);
int sk_landlock_restrict(int ruleset, stockade_error **err);

#endif
