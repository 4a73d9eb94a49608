/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade: run a command under a declarative seccomp-BPF policy.
 *
 * The pipeline is policy (layers of YAML: presets, files, command-line
 * overrides) -> plan (one resolved action per syscall, with argument rules
 * and the origin of every decision) -> backends (libseccomp filter) -> exec.
 *
 * Conventions: fallible functions return 0 or a negative errno value and, when
 * `err` is not NULL, store a newly allocated error the caller frees with
 * stockade_error_free().  The library never prints and never exits.
 */
#ifndef STOCKADE_H
#define STOCKADE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STOCKADE_VERSION "0.1.0"

/* An error with context.  `file`, `line`, `column` and `source_line` are set
 * for errors located in a policy file (line/column are 1-based, 0 if unknown). */
typedef struct stockade_error {
	int status;		/* positive errno value describing the failure class */
	char *msg;		/* full message, outer context first */
	char *hint;		/* how to fix it, or NULL */
	char *file;		/* policy file or "preset:NAME", or NULL */
	int line;
	int column;
	char *source_line;	/* the offending line of the file, or NULL */
} stockade_error;

void stockade_error_free(stockade_error *err);

/* A policy is a stack of layers; later layers override earlier ones. */
typedef struct stockade_policy stockade_policy;

int stockade_policy_new(stockade_policy **out, stockade_error **err);
void stockade_policy_free(stockade_policy *policy);

/* Push a built-in preset ("agent", "strict", "minimal", "debug", "none"). */
int stockade_policy_add_preset(stockade_policy *policy, const char *name, stockade_error **err);
/* Push a policy file, after its own `extends:` chain. */
int stockade_policy_add_file(stockade_policy *policy, const char *path, stockade_error **err);
/* Push policy text; `origin` names it in errors ("<stdin>", "test"). */
int stockade_policy_add_text(stockade_policy *policy, const char *origin, const char *text, size_t len,
			     stockade_error **err);
/* Command-line style overrides: a syscall name or "@group", applied on top
 * of every layer pushed so far.  `action` is NULL for allow; for deny it is
 * an action string ("errno:EPERM", "kill", ...) or NULL for the policy's
 * deny action. */
int stockade_policy_allow(stockade_policy *policy, const char *name, stockade_error **err);
int stockade_policy_deny(stockade_policy *policy, const char *name, const char *action, stockade_error **err);
/* Name of the policy (the top layer's `name:` or preset name), for display. */
const char *stockade_policy_name(const stockade_policy *policy);

/* The resolved plan. */
typedef struct stockade_plan stockade_plan;

int stockade_plan_build(const stockade_policy *policy, stockade_plan **out, stockade_error **err);
void stockade_plan_free(stockade_plan *plan);

/* Architectures, as libseccomp tokens (SCMP_ARCH_*).  0 means the native one. */
int stockade_arch_from_name(const char *name, uint32_t *token);
const char *stockade_arch_name(uint32_t token);

/* Compile the plan's seccomp filter for `arch` into a classic-BPF program
 * (an array of struct sock_filter).  The caller frees *prog with free(). */
int stockade_plan_compile_bpf(const stockade_plan *plan, uint32_t arch, void **prog, size_t *len_bytes,
			      stockade_error **err);
/* Human-readable pseudo-filter code (libseccomp PFC) into a malloc'd string. */
int stockade_plan_compile_pfc(const stockade_plan *plan, uint32_t arch, char **text, stockade_error **err);

/* Confine the calling process: no_new_privs, then the seccomp filter.  Call
 * in the process that will execve() the command; it cannot be undone. */
int stockade_plan_apply(const stockade_plan *plan, stockade_error **err);

/* Apply the plan and execvp() argv.  Returns only on failure: -ENOENT/-EACCES
 * style errors come from exec (the command), others from confinement. */
int stockade_exec(const stockade_plan *plan, char *const argv[], stockade_error **err);

#ifdef __cplusplus
}
#endif

#endif
