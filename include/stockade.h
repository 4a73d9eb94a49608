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
/* Push an OCI / Docker seccomp profile (JSON) as a layer, as `extends:
 * oci:PATH` does.  Profiles are resolved the way Docker and Podman resolve
 * them for one machine: `includes`/`excludes` by architecture, capability
 * set and kernel, `archMap` by architecture.  The settings below apply to
 * profiles pushed after them: the architecture (default native), the
 * capabilities ("docker" = Docker's default set, the default; "all", "none",
 * or "CAP_SYS_ADMIN,CAP_SYS_PTRACE,...") and the kernel release for
 * minKernel (default: the running kernel's). */
int stockade_policy_add_oci(stockade_policy *policy, const char *path, stockade_error **err);
int stockade_policy_set_oci_arch(stockade_policy *policy, uint32_t arch, stockade_error **err);
int stockade_policy_set_oci_caps(stockade_policy *policy, const char *caps, stockade_error **err);
int stockade_policy_set_oci_kernel(stockade_policy *policy, const char *release, stockade_error **err);
/* Command-line style sandbox overrides, on top of every layer pushed so far:
 * the network mode ("none", "unix" or "full"), and a path added to a
 * filesystem list ("read", "write", "exec", "deny", "read_only"); a path
 * added this way is not affected by the carve-outs of lower layers. */
int stockade_policy_set_network(stockade_policy *policy, const char *mode, stockade_error **err);
int stockade_policy_add_path(stockade_policy *policy, const char *list, const char *path, stockade_error **err);
/* Name of the policy (the top layer's `name:` or preset name), for display. */
const char *stockade_policy_name(const stockade_policy *policy);

/* The resolved plan. */
typedef struct stockade_plan stockade_plan;

int stockade_plan_build(const stockade_policy *policy, stockade_plan **out, stockade_error **err);
void stockade_plan_free(stockade_plan *plan);

/* "Did you mean": the name among `candidates` that `word` is most likely a
 * typo of, or NULL if none is close enough.  Reads up to `n` names, stopping
 * early at a NULL entry (pass SIZE_MAX for a NULL-terminated list); returns
 * one of them.  The rule the library's own errors use, so a front end's
 * suggestions agree with them: a name that differs only in case, else the
 * closest within max(length of word / 3, 2) edits (insert, delete, replace,
 * swap two neighbours) and fewer edits than it has characters, the first of
 * equally close ones. */
const char *stockade_suggest(const char *word, const char *const *candidates, size_t n);

/* Architectures, as libseccomp tokens (SCMP_ARCH_*).  0 means the native one. */
int stockade_arch_from_name(const char *name, uint32_t *token);
const char *stockade_arch_name(uint32_t token);

/* Compile the plan's seccomp filter for `arch` into a classic-BPF program
 * (an array of struct sock_filter).  The caller frees *prog with free(). */
int stockade_plan_compile_bpf(const stockade_plan *plan, uint32_t arch, void **prog, size_t *len_bytes,
			      stockade_error **err);
/* Human-readable pseudo-filter code (libseccomp PFC) into a malloc'd string. */
int stockade_plan_compile_pfc(const stockade_plan *plan, uint32_t arch, char **text, stockade_error **err);

/* The policy as an artifact for other consumers (export.c):
 *  - STOCKADE_FORMAT_BPF: the struct sock_filter array, for `bwrap --seccomp
 *    FD` / `--add-seccomp-fd FD` and prctl(PR_SET_SECCOMP);
 *  - STOCKADE_FORMAT_OCI: OCI linux.seccomp JSON (also a Docker / Podman
 *    `--security-opt seccomp=FILE` and Kubernetes Localhost profile);
 *  - STOCKADE_FORMAT_PFC: libseccomp's pseudo-filter code, for review.
 * A policy with seccomp disabled exports a filter that allows everything.
 * Where the format cannot say what the policy's filter means (OCI: compat
 * arches refused, 64-bit comparisons on 32-bit ABIs; any: audit mode),
 * export fails with -ENOTSUP naming the feature, unless `flags` has
 * STOCKADE_EXPORT_LOSSY.  *dropped (if not NULL) receives a NULL-terminated
 * list of what was lost, plus notes ("note: ...") about the Landlock rules
 * no seccomp filter carries; free it with stockade_strv_free().  *data is
 * malloc'd; *len its size (text formats are also NUL-terminated). */
enum stockade_format {
	STOCKADE_FORMAT_BPF = 0,
	STOCKADE_FORMAT_OCI,
	STOCKADE_FORMAT_PFC,
};
#define STOCKADE_EXPORT_LOSSY 0x1u
int stockade_plan_export(const stockade_plan *plan, uint32_t arch, enum stockade_format format, unsigned flags,
			 char **data, size_t *len, char ***dropped, stockade_error **err);
int stockade_format_from_name(const char *name, enum stockade_format *out);
void stockade_strv_free(char **strv);

/* Confine the calling process: no_new_privs, then Landlock (filesystem,
 * TCP ports, scoping), then the seccomp filter.  Call in the process that
 * will execve() the command; it cannot be undone.  Landlock confines the
 * calling thread only: call it before starting threads. */
int stockade_plan_apply(const stockade_plan *plan, stockade_error **err);

/* Optional, for a program that applies one plan in many forked children:
 * do here, once, what does not depend on the child.  Paths are resolved
 * and the Landlock ruleset is built now (a descriptor the plan keeps,
 * close-on-exec, closed by stockade_plan_free()), the seccomp filter is
 * generated now; stockade_plan_apply() then only enforces them (three
 * system calls).  Paths that appear, vanish or move afterwards, and $CWD,
 * are as they were here: prepare again when they change.  Not thread-safe
 * with a concurrent apply of the same plan. */
int stockade_plan_prepare(stockade_plan *plan, stockade_error **err);

/* Apply the plan and execvp() argv.  Returns only on failure: -ENOENT/-EACCES
 * style errors come from exec (the command), others from confinement. */
int stockade_exec(const stockade_plan *plan, char *const argv[], stockade_error **err);

#ifdef __cplusplus
}
#endif

#endif
