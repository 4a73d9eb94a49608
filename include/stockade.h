/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade: run a command under a declarative policy: no_new_privs, a
 * Landlock ruleset and a seccomp-BPF filter.
 *
 * The pipeline is policy (layers of YAML: presets, files, OCI profiles,
 * command-line overrides) -> plan (one resolved action per syscall, with
 * argument rules and the origin of every decision, plus the filesystem,
 * network and scope rules) -> backends (the Landlock ruleset for the
 * running kernel's ABI; the classic-BPF filter, which stockade generates
 * itself from the plan) -> apply, then exec.
 *
 * Linking: `pkg-config --cflags --libs stockade` (add --static for
 * libstockade.a).  The shared library exports exactly the functions below,
 * versioned STOCKADE_0.1; see docs/library.md for what changes the SONAME.
 *
 * Conventions, for every function below unless its comment says otherwise:
 *  - Fallible functions return 0 on success or a negative errno value.
 *    When `err` is not NULL, a failure stores a newly allocated error in
 *    *err that the caller frees with stockade_error_free().  Initialise
 *    *err to NULL: an error already there is freed and replaced.  If even
 *    the error cannot be allocated, *err stays NULL: test the return value,
 *    not *err.
 *  - Strings passed in are copied; the library keeps no pointer to them.
 *    Objects are owned by the caller from the function that returns them
 *    to the matching _free(), which accepts NULL.
 *  - No locking inside objects: use one policy or plan from one thread at a
 *    time.  Distinct objects may be used from different threads at once.
 *  - These functions never print, never exit and install no signal handler.
 *    Only the _apply() and _exec() functions confine anything, and only
 *    the process calling them.
 *  - A plan is never changed once built: any number of programs may be
 *    compiled from it, in any thread, while it lives.
 */
#ifndef STOCKADE_H
#define STOCKADE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with hidden visibility; these declarations are what
 * it exports, and they keep default visibility in a program that is built
 * with -fvisibility=hidden itself. */
#if defined(__GNUC__) && __GNUC__ >= 4
#pragma GCC visibility push(default)
#endif

#define STOCKADE_VERSION "0.1.0"

/* An error with context.  The library allocates it; a caller reads it and
 * frees it, never allocates or copies one (fields may be added at the end in
 * a later release, see docs/library.md).  `file`, `line`, `column` and
 * `source_line` are set for errors located in a policy file (line and column
 * are 1-based, 0 if unknown). */
typedef struct stockade_error {
	int status;		/* positive errno value describing the failure class */
	char *msg;		/* full message, outer context first; NULL if out of memory */
	char *hint;		/* how to fix it, or NULL */
	char *file;		/* policy file or "preset:NAME", or NULL */
	int line;
	int column;
	char *source_line;	/* the offending line of the file, or NULL */
} stockade_error;

/* Free an error and the strings it holds.  NULL is a no-op. */
void stockade_error_free(stockade_error *err);

/* A policy is a stack of layers; later layers override earlier ones. */
typedef struct stockade_policy stockade_policy;

/* Create an empty policy in *out (NULL on failure: -ENOMEM).  An empty policy
 * builds a plan that allows every native syscall (a 32-bit or x32 call
 * kills the process: `compat_arches: refuse`, the default) and has no
 * Landlock rules. */
int stockade_policy_new(stockade_policy **out, stockade_error **err);
/* Free a policy.  Plans built from it stay valid: they copy what they use. */
void stockade_policy_free(stockade_policy *policy);

/* Push a built-in preset: "agent", "strict", "minimal", "none", or one of
 * the overlays "debug" and "sealed-memfd", which go on top of "agent" when
 * nothing is below them.  -ENOENT for an unknown name (the message suggests
 * the nearest one).  Presets are compiled in: no file is read. */
int stockade_policy_add_preset(stockade_policy *policy, const char *name, stockade_error **err);
/* Read a policy file (at most 1 MiB) and push the layers of its `extends:`
 * chain, then the file itself.  Errors in the YAML carry file, line and
 * column; -ENOENT/-EACCES and friends from reading it; -ELOOP for a chain
 * deeper than 16.  After a failure the policy may hold part of the chain:
 * free it rather than build a plan from it. */
int stockade_policy_add_file(stockade_policy *policy, const char *path, stockade_error **err);
/* Push policy text of `len` bytes (no NUL needed, none allowed inside);
 * `origin` names it in errors ("<stdin>", "test").  A relative `extends:`
 * path is taken from the current directory.  Failures as for _add_file(). */
int stockade_policy_add_text(stockade_policy *policy, const char *origin, const char *text, size_t len,
			     stockade_error **err);
/* Command-line style overrides: a syscall name or "@group", applied on top
 * of every layer pushed so far; for one name the last override wins.
 * `action` is NULL for the policy's deny action, or an action string
 * ("errno:EPERM", "trap", "kill", "kill-thread") that denies.  -ENOENT for
 * an unknown syscall or group (with a suggestion), -EINVAL for a bad
 * action. */
int stockade_policy_allow(stockade_policy *policy, const char *name, stockade_error **err);
int stockade_policy_deny(stockade_policy *policy, const char *name, const char *action, stockade_error **err);
/* Push an OCI / Docker seccomp profile (JSON) as a layer, as `extends:
 * oci:PATH` does.  Profiles are resolved the way Docker and Podman resolve
 * them for one machine: `includes`/`excludes` by architecture, capability
 * set and kernel, `archMap` by architecture.  The settings below apply to
 * profiles pushed after them: the architecture (a token from
 * stockade_arch_from_name(), 0 = native, the default), the capabilities
 * ("docker" = Docker's default set, the default; "all", "none", or
 * "CAP_SYS_ADMIN,CAP_SYS_PTRACE,...") and the kernel release for minKernel
 * (NULL or "" = the running kernel's, read with uname()).  The setters
 * return -EINVAL for a value they do not know and then change nothing. */
int stockade_policy_add_oci(stockade_policy *policy, const char *path, stockade_error **err);
int stockade_policy_set_oci_arch(stockade_policy *policy, uint32_t arch, stockade_error **err);
int stockade_policy_set_oci_caps(stockade_policy *policy, const char *caps, stockade_error **err);
int stockade_policy_set_oci_kernel(stockade_policy *policy, const char *release, stockade_error **err);
/* Command-line style sandbox overrides, on top of every layer pushed so far:
 * the network mode ("none", "unix", "proxy" or "full"), and a path added to a
 * filesystem list ("read", "write", "exec", "deny", "read_only"); a path
 * added this way is not affected by the carve-outs of lower layers.  Paths
 * are kept as written; `~`, $HOME, $CWD and $TMPDIR are expanded when the
 * plan is prepared or applied.  -EINVAL for an unknown mode, list or
 * malformed path. */
int stockade_policy_set_network(stockade_policy *policy, const char *mode, stockade_error **err);
int stockade_policy_add_path(stockade_policy *policy, const char *list, const char *path, stockade_error **err);
/* The isolation mode of every plan built from this policy, whatever its
 * layers say (`--isolation`): "auto" (the command runs in its own pid, IPC,
 * mount and UTS namespaces where this process can make them), "required"
 * (running fails without them) or "off" (exec in place).  -EINVAL for
 * another mode. */
int stockade_policy_set_isolation(stockade_policy *policy, const char *mode, stockade_error **err);
/* network.allow and network.tcp_connect on the command line: a host name
 * or "*.domain" pattern with an optional ":PORT" (80 and 443 without),
 * reached through stockade's proxy (this selects network mode "proxy"
 * unless a mode was set on the command line); a tcp_connect entry, "PORT",
 * "A.B.C.D:PORT" or "[IPV6]:PORT".  -EINVAL for a malformed one. */
int stockade_policy_allow_host(stockade_policy *policy, const char *host, stockade_error **err);
int stockade_policy_tcp_connect(stockade_policy *policy, const char *entry, stockade_error **err);
/* The command gets the variables `pattern` (a name, or a shell glob such
 * as "AWS_*") matches although the policy's `environment.drop` would drop
 * them (the CLI's --keep-env).  -EINVAL for a malformed pattern. */
int stockade_policy_keep_env(stockade_policy *policy, const char *pattern, stockade_error **err);
/* Name of the policy (the top layer's `name:` or preset name, "custom" if
 * none), for display.  Never NULL; the string belongs to the policy and
 * lasts until the policy is changed or freed. */
const char *stockade_policy_name(const stockade_policy *policy);

/* The resolved plan: what to enforce, independent of the policy it came
 * from.  Opaque; it grows without changing the ABI. */
typedef struct stockade_plan stockade_plan;

/* Resolve the policy's layers into a plan in *out (NULL on failure).  The
 * policy is not changed and may be freed, or built again, afterwards.
 * Errors are the policy's (a conflict, an unknown name in a layer) with
 * their location, or -ENOMEM.  Nothing is applied and no path is looked
 * at yet.  Reads $STOCKADE_NO_PRESET_CACHE (docs/library.md). */
int stockade_plan_build(const stockade_policy *policy, stockade_plan **out, stockade_error **err);
/* Free a plan (NULL is a no-op).  Programs compiled from it must be freed
 * first. */
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

/* Architectures, as libseccomp tokens (SCMP_ARCH_*).  0 means the native
 * one.  _from_name() knows "native", "x86_64" ("amd64"), "i386" ("x86"),
 * "x32", "aarch64" ("arm64"), case-insensitively, and returns -EINVAL (no
 * error object) otherwise.  _name() returns a static string, or NULL for a
 * token stockade does not support. */
int stockade_arch_from_name(const char *name, uint32_t *token);
const char *stockade_arch_name(uint32_t token);

/* Compile the plan's seccomp filter for `arch` (0 = native) into a
 * classic-BPF program: *prog is a malloc'd array of struct sock_filter the
 * caller frees with free(), *len_bytes its size (NULL and 0 on failure).
 * This is the plan's own filter; for an artifact to hand to other tools,
 * which accounts for what only Landlock enforces, use
 * stockade_plan_export(). */
int stockade_plan_compile_bpf(const stockade_plan *plan, uint32_t arch, void **prog, size_t *len_bytes,
			      stockade_error **err);
/* The same filter as a human-readable listing, for review, into a malloc'd
 * string the caller frees with free(): a header naming the policy and `arch`, then one line per
 * instruction, with symbolic loads ([nr], [arch], [arg0 lo]), syscall
 * numbers named per architecture, return values as actions (ALLOW,
 * ERRNO(EPERM), KILL_PROCESS, ...) and jump targets as labels.  The name is
 * historical: this was libseccomp's pseudo-filter code (PFC) once. */
int stockade_plan_compile_pfc(const stockade_plan *plan, uint32_t arch, char **text, stockade_error **err);

/* The policy as an artifact for other consumers:
 *  - STOCKADE_FORMAT_BPF: the struct sock_filter array, for `bwrap --seccomp
 *    FD` / `--add-seccomp-fd FD` and prctl(PR_SET_SECCOMP);
 *  - STOCKADE_FORMAT_OCI: OCI linux.seccomp JSON (also a Docker / Podman
 *    `--security-opt seccomp=FILE` and Kubernetes Localhost profile);
 *  - STOCKADE_FORMAT_LISTING (= STOCKADE_FORMAT_PFC, its old name): the BPF
 *    filter as a listing for review (stockade_plan_compile_pfc());
 *  - STOCKADE_FORMAT_OCI_CONFIG: a fragment of an OCI runtime config.json
 *    for crun and runc to merge: process.noNewPrivileges,
 *    process.capabilities (the kept set; when the policy restricts them),
 *    linux.namespaces, linux.maskedPaths and, as linux.seccomp, what
 *    STOCKADE_FORMAT_OCI writes (with its losses and STOCKADE_EXPORT_LOSSY).
 * A policy with seccomp disabled exports a filter that allows everything.
 * Where the format cannot say what the policy's filter means (OCI: compat
 * arches refused, 64-bit comparisons on 32-bit ABIs; any: audit mode),
 * export fails with -ENOTSUP naming the feature, unless `flags` has
 * STOCKADE_EXPORT_LOSSY.  *dropped (if not NULL) receives a NULL-terminated
 * list of what was lost, plus notes ("note: ...") about the Landlock rules
 * no seccomp filter carries; free it with stockade_strv_free().  *data is
 * malloc'd, freed with free(); *len its size (text formats are also
 * NUL-terminated).  On failure *data and *dropped are NULL.  New formats
 * are added at the end of the enum. */
enum stockade_format {
	STOCKADE_FORMAT_BPF = 0,
	STOCKADE_FORMAT_OCI,
	STOCKADE_FORMAT_PFC,
	STOCKADE_FORMAT_LISTING = STOCKADE_FORMAT_PFC,
	STOCKADE_FORMAT_OCI_CONFIG,
};
#define STOCKADE_EXPORT_LOSSY 0x1u
int stockade_plan_export(const stockade_plan *plan, uint32_t arch, enum stockade_format format, unsigned flags,
			 char **data, size_t *len, char ***dropped, stockade_error **err);
/* "bpf", "oci" (or "json"), "listing" (or "pfc"), "oci-config" -> *out; -EINVAL (no error
 * object) otherwise. */
int stockade_format_from_name(const char *name, enum stockade_format *out);
/* Free a NULL-terminated string list from this library, and its strings.
 * NULL is a no-op. */
void stockade_strv_free(char **strv);

/* Confine the calling process, in this order: no_new_privs, then Landlock
 * (filesystem, TCP ports, scoping), then the seccomp filter, last so that it
 * need not allow the setup calls.  None of it can be undone, and it is
 * inherited across fork() and execve(): call it in the process that will
 * run the confined code, usually a child between fork() and execve().
 *
 * Process-wide effects: no_new_privs and Landlock apply to the calling
 * thread (and what it starts afterwards), so call it before starting
 * threads; the seccomp filter is loaded with SECCOMP_FILTER_FLAG_TSYNC into
 * every thread of the process (-ESRCH if one cannot be synchronised).
 * Reads $HOME, $TMPDIR and the current directory to expand paths: it
 * compiles a program (below), applies it and frees it.
 *
 * Errors: -EINVAL for a policy in audit mode (it needs the CLI's
 * supervisor), a Landlock error when the policy says `landlock: required`
 * and the kernel cannot enforce it, or what prctl(), landlock_*() or
 * seccomp() returned.  After a failure the process may be partly confined
 * (no_new_privs, or Landlock without the filter): do not run the untrusted
 * code; exit instead.
 *
 * It allocates memory, so in the child of a multi-threaded program compile
 * a program in the parent first: stockade_program_apply() takes three
 * system calls and no allocation on success. */
int stockade_plan_apply(const stockade_plan *plan, stockade_error **err);

/* A program: a plan compiled for this kernel and this process, ready to be
 * applied, in this process or in any number of forked children.  Compiling
 * works out what the running kernel enforces of the plan (the enforcement
 * status), resolves the paths and builds the Landlock ruleset (a
 * close-on-exec descriptor the program holds) and generates the seccomp
 * filter that goes with what Landlock can enforce.  Paths that appear,
 * vanish or move afterwards, and $HOME, $TMPDIR and the current directory,
 * are as they were here: compile again when they change.  Confines
 * nothing.  The plan must outlive the program; a program is not changed by
 * applying it, so children may apply it concurrently.
 *
 * Errors: as stockade_plan_apply()'s, but for those of the system calls that
 * confine: -EINVAL for audit mode, -EOPNOTSUPP under `landlock: required`
 * when this kernel cannot enforce everything, what landlock_*() returned. */
typedef struct stockade_program stockade_program;
int stockade_program_new(const stockade_plan *plan, stockade_program **out, stockade_error **err);
/* Close the ruleset and free the program (NULL is a no-op). */
void stockade_program_free(stockade_program *prog);
/* Enforce the program on the calling process: no_new_privs, Landlock, the
 * seccomp filter (TSYNC), with no allocation on success.  Process-wide
 * effects and errors as stockade_plan_apply()'s. */
int stockade_program_apply(const stockade_program *prog, stockade_error **err);
/* stockade_plan_apply_environment(), stockade_program_apply(), then
 * execvp(argv[0], argv); returns only on failure, as stockade_exec().
 * -EOPNOTSUPP, before anything is applied, for a plan in network mode
 * proxy: its command needs stockade's proxy for as long as it runs, which
 * a process exec'd in place cannot hold (stockade_run() starts it). */
int stockade_program_exec(const stockade_program *prog, char *const argv[], stockade_error **err);

/* The plan's `environment:` rules applied to this process's environment
 * (environ): variables a drop pattern matches and no keep pattern does are
 * removed (names matched as shell globs, ignoring case), then the set ones
 * are set.  *dropped (if not NULL) receives the names removed, never their
 * values, NULL-terminated (or NULL if none); free it with
 * stockade_strv_free().  Not thread-safe, as setenv().  stockade_exec(),
 * stockade_program_exec() and stockade_run() call it before they confine
 * (stockade_run() in its child); stockade_plan_apply() and
 * stockade_program_apply() leave the environment alone. */
int stockade_plan_apply_environment(const stockade_plan *plan, char ***dropped, stockade_error **err);

/* stockade_plan_apply(), then execvp(argv[0], argv) with the environment
 * the plan's `environment:` rules leave (stockade_plan_apply_environment()).  Returns only on failure: the confinement errors above, or
 * the execvp() errno (-ENOENT, -EACCES, ...), after which the process is
 * confined: exit rather than go on.  argv is NULL-terminated.  A plan in
 * network mode proxy is refused with -EOPNOTSUPP before anything is
 * applied (as stockade_program_exec()): use stockade_run(). */
int stockade_exec(const stockade_plan *plan, char *const argv[], stockade_error **err);

/* ---- deciding one call ---- */

/* What the plan decides for syscall(args) on `arch` (0 = native): the
 * action, the policy line that decided it, and whether the compiled filter
 * for that arch agrees (it is run in stockade's classic-BPF simulator).
 * `args` may be NULL (all zero); on 32-bit ABIs only their low halves
 * count, as the kernel passes them.  `arch` is the filter's native arch:
 * with `compat_arches: refuse`, a call of another ABI (i386 or x32 on an
 * x86_64 filter) is killed by the filter whatever this says.  -ENOENT (with a did-you-mean in the
 * message) if `syscall` is not a system call on `arch`.  Confines nothing.
 * The strings a decision returns point into it or into the plan: valid
 * until the decision, or the plan, is freed. */
typedef struct stockade_decision stockade_decision;
int stockade_plan_decide(const stockade_plan *plan, uint32_t arch, const char *syscall, const uint64_t args[6],
			 stockade_decision **out, stockade_error **err);
void stockade_decision_free(stockade_decision *d);
/* "allow", "log", "errno:EPERM", "trap", "kill", "kill-thread". */
const char *stockade_decision_action(const stockade_decision *d);
/* The errno of an errno action, else 0. */
int stockade_decision_errno(const stockade_decision *d);
/* The file ("presets/agent.yaml", a policy path, "command line") and 1-based
 * line and column of the entry that decided; NULL for the built-in default. */
const char *stockade_decision_origin(const stockade_decision *d, int *line, int *column);
/* The rule's `reason:`, or NULL. */
const char *stockade_decision_reason(const stockade_decision *d);
/* The @group an allow or deny entry named, or NULL. */
const char *stockade_decision_group(const stockade_decision *d);
/* The syscall's number on that arch (x32 numbers with their bit). */
int stockade_decision_nr(const stockade_decision *d);
/* 1 when the compiled filter returns the same action (a 0 is a bug). */
int stockade_decision_filter_agrees(const stockade_decision *d);

/* ---- running a command: forking, with denials reported ---- */

/* One call the filter stopped (report) or would have (audit): opaque, so
 * that it can grow; valid only during the callback. */
typedef struct stockade_event stockade_event;
typedef void (*stockade_event_fn)(const stockade_event *ev, void *data);

enum stockade_run_mode {
	STOCKADE_RUN_ENFORCE = 0, /* no supervisor: denied calls fail, nothing is reported */
	STOCKADE_RUN_REPORT,	  /* denied calls fail with the policy's errno, and each is an event */
	STOCKADE_RUN_AUDIT,	  /* nothing is denied; each call the policy would deny is an event */
};

/* Options for stockade_run().  Set `size` to sizeof(struct
 * stockade_run_options) (STOCKADE_RUN_OPTIONS_INIT does): fields are only
 * ever added at the end, and the library reads no further than `size`. */
struct stockade_run_options {
	size_t size;
	enum stockade_run_mode mode;
	stockade_event_fn on_event; /* called in the caller's thread, in order; may be NULL */
	void *data;
};
#define STOCKADE_RUN_OPTIONS_INIT { .size = sizeof(struct stockade_run_options) }

/* Run argv[0] (looked up in $PATH) confined by `plan` in a new child and
 * wait for it; *wstatus receives its wait status (WIFEXITED, WIFSIGNALED).
 * `opts` may be NULL (enforce).  A plan in audit mode is supervised in any
 * mode.  The calling process's state is left alone: it forks one child and
 * reaps only that child; the signal mask, subreaper and dumpable flags are
 * changed in that child only (with a supervisor, the child is it: it
 * blocks SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2 and SIGWINCH
 * and forwards them to the command, is the subreaper of the
 * command's orphans and reaps them).  Signal the process group, or wait:
 * the call returns when the command ends.  Descendants of the command
 * that outlive it are answered by a background process until they end;
 * their events are not reported.  The command dies with its supervisor
 * (PR_SET_PDEATHSIG).  The command inherits the caller's environment and
 * every descriptor it holds that is not close-on-exec: mark those it must
 * not have (the CLI passes 0, 1 and 2 only).  With namespaces, a directory
 * or an O_PATH descriptor on 0, 1 or 2 fails the call (-EBADF): opened in
 * the caller's mount view, it would lead around the command's; keep such
 * descriptors close-on-exec.  In a multi-threaded program
 * the child allocates after fork(): call it where that is safe.  A caller that ignores SIGCHLD
 * (SIG_IGN, SA_NOCLDWAIT) loses the status in enforce mode (-ECHILD); the
 * supervisor restores the default for itself, so report and audit keep it.
 *
 * Network mode proxy: the call listens on 127.0.0.1 (a port the kernel
 * picks; the command may connect there and, through the proxy, to the
 * plan's allowed hosts, nowhere else), and its child starts stockade-proxy
 * ($STOCKADE_PROXY_BIN, else beside the calling program, else
 * ../libexec/stockade/ from it, else the LIBEXECDIR the library was built
 * for) and waits for the proxy to be confined before the command starts;
 * the command gets HTTP_PROXY, HTTPS_PROXY, ALL_PROXY (and lower-case),
 * NO_PROXY with the run's credential, and the proxy ends with the run.
 * Such a run is supervised (the supervisor checks each connect's address).
 * A proxy that is missing or cannot confine itself fails the call; the
 * command does not run.
 *
 * Returns 0 when the command ran (whatever its status); a negative errno
 * when it could not be confined, the command could not be executed
 * (-ENOENT, -EACCES; *wstatus then says 127 or 126) or the supervisor
 * failed.  The plan must outlive the call. */
int stockade_run(const stockade_plan *plan, char *const argv[], const struct stockade_run_options *opts,
		 int *wstatus, stockade_error **err);

/* What an event says: the process (pid in the caller's pid namespace; comm
 * "?" if it was gone before it could be read), the call (name, or NULL for
 * a number libseccomp does not know; nr; arch as a SCMP_ARCH_* token,
 * SCMP_ARCH_X32 for x32 calls; arguments, the low halves on 32-bit ABIs),
 * whether it ran (audit) or the errno it got, the policy's action
 * ("errno:EPERM", "kill", ...), and the entry that decided it (file, line,
 * column, reason: strings of the plan, valid while it lives). */
pid_t stockade_event_pid(const stockade_event *ev);
const char *stockade_event_comm(const stockade_event *ev);
const char *stockade_event_syscall(const stockade_event *ev);
int stockade_event_nr(const stockade_event *ev);
uint32_t stockade_event_arch(const stockade_event *ev);
uint64_t stockade_event_arg(const stockade_event *ev, unsigned i);
int stockade_event_ran(const stockade_event *ev);
int stockade_event_errno(const stockade_event *ev);
const char *stockade_event_action(const stockade_event *ev);
const char *stockade_event_origin(const stockade_event *ev, int *line, int *column);
const char *stockade_event_reason(const stockade_event *ev);

/* ---- What this kernel enforces of a plan ----
 *
 * A status says, layer by layer, how much of what a plan asks the running
 * kernel enforces: the seccomp filter always can; the filesystem, network
 * and scope layers depend on the kernel's Landlock ABI; the capabilities
 * layer on whether this process may shrink its bounding set.  It is data, not
 * text: a level per layer, whether that is less confinement than the
 * policy asked, and the gaps as stable codes a program words as it likes
 * (`stockade doctor` and `stockade run --verbose` are one wording of it).
 * Opaque, so that it can grow: new facts come as new accessor functions.
 * Accessors take a status that is not NULL and a layer of the enum; for
 * a layer they do not know they answer as for STOCKADE_LEVEL_OFF. */
typedef struct stockade_status stockade_status;

/* The layers of a plan.  Values may be appended. */
enum stockade_layer {
	STOCKADE_LAYER_SECCOMP = 0, /* the seccomp filter */
	STOCKADE_LAYER_FILESYSTEM,  /* Landlock: the paths the plan grants */
	STOCKADE_LAYER_NETWORK,	    /* the network mode (seccomp) and TCP ports (Landlock) */
	STOCKADE_LAYER_SCOPE,	    /* Landlock: signals and abstract unix sockets */
	STOCKADE_LAYER_CAPABILITIES, /* capabilities.keep: what a command run as root keeps */
	STOCKADE_LAYER_NAMESPACES,   /* isolation: the command's own pid, IPC, mount and UTS namespaces */
};

/* How much of a layer is enforced.  Values may be appended. */
enum stockade_level {
	STOCKADE_LEVEL_OFF = 0,	/* the policy asks nothing of this layer */
	STOCKADE_LEVEL_FULL,	/* everything the policy asks of it */
	STOCKADE_LEVEL_PARTIAL, /* some of it: stockade_status_gaps() says what not */
	STOCKADE_LEVEL_NONE,	/* none of it */
};

/* What a layer does not enforce of the policy, as bits of the value
 * stockade_status_gaps() returns.  Bits may be added. */
#define STOCKADE_GAP_FS_PATHS 0x01u	    /* no path rule at all: every path is open as Unix permissions allow */
#define STOCKADE_GAP_FS_REFER 0x02u	    /* renames and hard links between directories fail with EXDEV
					     * (stricter than asked, not weaker) */
#define STOCKADE_GAP_FS_TRUNCATE 0x04u	    /* truncate(2) works on any file */
#define STOCKADE_GAP_FS_IOCTL_DEV 0x08u	    /* ioctl(2) works on any device file */
#define STOCKADE_GAP_NET_TCP_PORTS 0x10u    /* Landlock cannot limit TCP ports: under network mode full
					     * the port lists are not enforced; under none or unix no TCP
					     * socket can be opened (the filter denies them all) */
#define STOCKADE_GAP_NET_TCP_DENIED 0x20u   /* the policy lists TCP ports, but its seccomp rules deny TCP
					     * sockets: the ports cannot be used */
#define STOCKADE_GAP_SCOPE_SIGNALS 0x40u    /* signals reach processes outside the sandbox */
#define STOCKADE_GAP_SCOPE_ABSTRACT_UNIX 0x80u /* abstract unix sockets reach processes outside it */
#define STOCKADE_GAP_CAPS_BOUNDING 0x100u   /* no CAP_SETPCAP: the capabilities not kept stay in the
					     * command's bounding set (no_new_privs keeps it from gaining
					     * them; its permitted set is the kept set) */
#define STOCKADE_GAP_SCOPE_PROC_MM 0x200u   /* (scope) root's command keeps CAP_SYS_ADMIN or CAP_PERFMON,
					     * which the kernel's mm_access() honours before Landlock's
					     * ptrace rule: /proc/PID/environ, maps and memory of
					     * processes outside stay readable */

#define STOCKADE_GAP_NS_PROCESSES 0x10000u  /* no pid namespace: processes outside are visible, and
					     * reachable where seccomp and Landlock do not stop it */
#define STOCKADE_GAP_NS_IPC 0x20000u	    /* no IPC namespace: the host's SysV IPC objects are reachable */
#define STOCKADE_GAP_NS_MOUNTS 0x40000u	    /* no mount view: host daemons' sockets, other terminals in
					     * /dev/pts and the working tree's .git hooks are reachable */
#define STOCKADE_GAP_NS_MEMFD_EXEC 0x80000u /* vm.memfd_noexec is not raised in the command's pid
					     * namespace (only real root may): a plain memfd can still be
					     * executed through /proc/self/fd */

/* Why the command gets no namespaces of its own.  Values may be appended. */
enum stockade_ns_reason {
	STOCKADE_NS_AVAILABLE = 0, /* it gets them */
	STOCKADE_NS_POLICY_OFF,	   /* `isolation: off`, or no layer sets it */
	STOCKADE_NS_DENIED,	   /* this process may not make them (no CAP_SYS_ADMIN, and user
				    * namespaces are not allowed: errno says how they failed) */
	STOCKADE_NS_FAILED,	   /* they were made, but setting them up failed (errno) */
	STOCKADE_NS_IN_PLACE,	   /* stockade_exec() and stockade_program_exec() exec in place:
				    * only stockade_run() and the CLI make namespaces */
};

/* Why Landlock enforces nothing.  Values may be appended. */
enum stockade_landlock_reason {
	STOCKADE_LANDLOCK_AVAILABLE = 0, /* it is used */
	STOCKADE_LANDLOCK_POLICY_OFF,	 /* the policy says `landlock: off` */
	STOCKADE_LANDLOCK_NOT_BUILT,	 /* the kernel has no Landlock (ENOSYS) */
	STOCKADE_LANDLOCK_NOT_ENABLED,	 /* built in, not enabled: not in the lsm= boot parameter (EOPNOTSUPP) */
	STOCKADE_LANDLOCK_FAILED,	 /* landlock_create_ruleset() failed otherwise, e.g. EPERM from a
					  * container's seccomp profile */
	STOCKADE_LANDLOCK_HIDDEN,	 /* STOCKADE_TEST_LANDLOCK_ABI=0, the CLI's testing knob */
};

/* What this kernel would enforce of `plan`, worked out without confining
 * anything, in *out (NULL on failure): the Landlock ABI is probed, paths
 * are resolved and the ruleset and the filter are built, then dropped.
 * Reads $HOME, $TMPDIR and the current directory.  Fails as
 * stockade_plan_apply() would, without confining: under `landlock:
 * required`, -EOPNOTSUPP when the kernel cannot enforce everything, the
 * error naming what.  Free it with stockade_status_free(). */
int stockade_plan_status(const stockade_plan *plan, stockade_status **out, stockade_error **err);
/* Free a status from stockade_plan_status().  NULL is a no-op. */
void stockade_status_free(stockade_status *status);
/* What a program enforces where it was compiled (the status the CLI's
 * `run --verbose` prints): owned by the program, valid while it lives. */
const stockade_status *stockade_program_status(const stockade_program *prog);
/* How much of `layer` is enforced. */
enum stockade_level stockade_status_level(const stockade_status *status, enum stockade_layer layer);
/* 1 if `layer` is less confined than the policy asks (some gap lets
 * through what the policy denies), 0 if not: a layer can be PARTIAL and
 * not weaker, when what it lacks makes it stricter. */
int stockade_status_weaker(const stockade_status *status, enum stockade_layer layer);
/* What `layer` does not enforce: STOCKADE_GAP_* bits, 0 for a layer at
 * STOCKADE_LEVEL_FULL or OFF. */
unsigned stockade_status_gaps(const stockade_status *status, enum stockade_layer layer);
/* The Landlock ABI stockade enforces with (0: none, see
 * stockade_status_landlock_reason()) and, if kernel_abi is not NULL, the
 * kernel's in *kernel_abi (0 if it has none).  Lower than the kernel's
 * only under the CLI's STOCKADE_TEST_LANDLOCK_ABI testing knob. */
int stockade_status_landlock_abi(const stockade_status *status, int *kernel_abi);
/* Why Landlock enforces nothing, STOCKADE_LANDLOCK_AVAILABLE if it is
 * used; for STOCKADE_LANDLOCK_FAILED the errno in *errnum (if not NULL),
 * else 0 there. */
enum stockade_landlock_reason stockade_status_landlock_reason(const stockade_status *status, int *errnum);
/* The first Landlock ABI that closes `gap` (one STOCKADE_GAP_* bit) and,
 * if linux_version is not NULL, the Linux release that brought it
 * ("6.7", a static string); 0 (and NULL) for a gap no ABI closes, such as
 * STOCKADE_GAP_NET_TCP_DENIED, which the policy causes. */
/* The namespaces the command gets (or, for a status of
 * stockade_plan_status(), would get here), as CLONE_NEW* bits; 0 with the
 * reason in *reason and the errno in *errnum (either may be NULL). */
unsigned long stockade_status_namespaces(const stockade_status *status, enum stockade_ns_reason *reason,
					 int *errnum);
int stockade_gap_landlock_abi(unsigned gap, const char **linux_version);

#if defined(__GNUC__) && __GNUC__ >= 4
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif
