/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The data tables: actions, syscall groups and names, architectures and
 * symbolic constants.  Not installed. */
#ifndef STOCKADE_TABLES_H
#define STOCKADE_TABLES_H

#include "base/base.h"

/* ---- actions ---- */

enum sk_action_type {
	SK_ACT_ALLOW = 0,
	SK_ACT_LOG,
	SK_ACT_ERRNO,
	SK_ACT_TRAP,
	SK_ACT_KILL_THREAD,
	SK_ACT_KILL_PROCESS,
};

struct sk_action {
	enum sk_action_type type;
	int errnum; /* SK_ACT_ERRNO only */
};

static inline bool sk_action_eq(struct sk_action a, struct sk_action b)
{
	return a.type == b.type && (a.type != SK_ACT_ERRNO || a.errnum == b.errnum);
}

/* "allow", "log", "errno:EPERM", "errno:38", "trap", "kill", "kill-process",
 * "kill-thread".  Returns 0 or -EINVAL. */
int sk_action_parse(const char *text, struct sk_action *out);
/* Formats into buf ("errno:EPERM"). */
const char *sk_action_format(struct sk_action a, char *buf, size_t size);
/* libseccomp action value (SCMP_ACT_*). */
uint32_t sk_action_to_scmp(struct sk_action a);

/* ---- syscall groups (groups.c: data only) ---- */

struct sk_group {
	const char *name;	    /* "@mount" */
	const char *help;	    /* one line: what the calls do and why a sandbox cares */
	const char *breaks;	    /* what denying the group breaks, one line */
	const char *const *members; /* syscall names and "@group" names, NULL-terminated */
};

extern const struct sk_group sk_groups[];
extern const size_t sk_groups_len;
/* Lookup by name with or without the leading '@'. */
const struct sk_group *sk_group_lookup(const char *name);

/* ---- syscall names (syscalls.c) ---- */

/* The architectures stockade compiles for, as SCMP_ARCH_* tokens. */
extern const uint32_t sk_arches[];
extern const size_t sk_arches_len;
/* True if `name` is a syscall on at least one supported architecture. */
bool sk_syscall_known(const char *name);
/* Closest known syscall name for a typo, or NULL. */
const char *sk_syscall_suggest(const char *name);
/* All known names, sorted, NULL-terminated (built once, owned by the library). */
const char *const *sk_syscall_all(void);

/* ---- symbolic constants (constants.c) ---- */

struct sk_constant {
	const char *name;
	uint64_t value;
};
extern const struct sk_constant sk_constants[];
extern const size_t sk_constants_len;
int sk_constant_lookup(const char *name, uint64_t *value);
const char *sk_constant_suggest(const char *name);
/* errno names: "EPERM" <-> 1.  Lookup returns 0 or -ENOENT. */
int sk_errno_lookup(const char *name, int *value);
const char *sk_errno_name(int value);
/* A signal's name ("SIGKILL"), NULL for one the table lacks (real-time). */
const char *sk_signal_name(int value);

/* ---- designed fallbacks and probes (fallbacks.c) ---- */

/* clone3, openat2: calls a policy answers with ENOSYS by design, so that
 * callers fall back to a call the filter can check.  Answered so, they are
 * never reported as denials, suggested or learned as allows. */
bool sk_designed_fallback(const char *name);
/* io_uring_setup: a call programs make to see whether a feature exists and
 * do without it.  learn answers it as the base does and learns nothing. */
bool sk_probe_call(const char *name);

/* ---- capabilities (caps.c) ---- */

/* The capabilities stockade knows by name (0 to CAP_CHECKPOINT_RESTORE). */
#define SK_CAP_COUNT 41
/* "CAP_SYS_ADMIN" -> 21, or -1. */
int sk_cap_lookup(const char *name);
/* 21 -> "CAP_SYS_ADMIN"; NULL for a number the table lacks. */
const char *sk_cap_name(int cap);
/* The closest known name, for "did you mean"; NULL if none is close. */
const char *sk_cap_suggest(const char *name);

/* ---- architectures and syscall numbers (arches.c) ---- */

/* The value the kernel puts in seccomp_data.arch for calls of `arch`
 * (x32 calls report AUDIT_ARCH_X86_64). */
uint32_t sk_audit_arch(uint32_t arch);
/* The number seccomp_data.nr carries for `name` on `arch` (x32 numbers with
 * __X32_SYSCALL_BIT), or -1 if the call does not exist there. */
int sk_syscall_nr(uint32_t arch, const char *name);
/* The name of number `nr` on `arch` (malloc'd), or NULL. */
char *sk_syscall_name(uint32_t arch, int nr);
/* Arguments on this ABI are 32 bits wide (the kernel zero-extends them). */
bool sk_arch_args32(uint32_t arch);
/* Largest number worth trying on any arch (numbers above get the default). */
#define SK_NR_LIMIT 1024

/* The other entry points of `arch` (i386 and x32 for x86_64, arm for
 * aarch64). */
void sk_compat_arches(uint32_t arch, uint32_t out[2], size_t *n);

#endif
