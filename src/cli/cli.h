/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef STOCKADE_CLI_H
#define STOCKADE_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include "stockade.h"

/* Exit codes shared with env(1) and container runtimes. */
#define EXIT_STOCKADE 125 /* stockade itself failed */
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

/* Options every policy-reading subcommand accepts. */
struct policy_opts {
	stockade_policy *policy;
	bool have_base; /* a --preset or --policy was given */
	const char *arch_name;
	uint32_t arch;
};

/* src/musl/arena.c, linked into the musl CLI only (a weak reference: NULL
 * in the glibc CLI). */
void sk_arena_stop(void) __attribute__((weak));

/* Parse one policy option at argv[*i]; returns 1 if consumed (advancing *i
 * past its value), 0 if argv[*i] is not a policy option, -1 on error (already
 * printed). */
int policy_opt_parse(struct policy_opts *o, int argc, char **argv, int *i);
/* A policy file of o under one of plan's write roots: a warning. */
void warn_writable_policy_files(const struct policy_opts *o, const stockade_plan *plan);
/* Finish: add the default preset when none was given.  -1 on error. */
int policy_opts_finish(struct policy_opts *o);
/* Build the plan; prints errors; NULL on failure. */
stockade_plan *policy_opts_plan(struct policy_opts *o);
void policy_opts_free(struct policy_opts *o);
/* On stderr, a warning for each write path the user's layers (not the
 * presets) list that does not exist: Landlock cannot grant it. */
void warn_missing_write_paths(const stockade_plan *plan);

/* stockade run --timings: the phases of the start so far (timings.c). */
void print_timings(FILE *f);

/* Print an error with file:line:col, the source line, a caret and the hint. */
void print_error(const stockade_error *err);

/*
 * The command table (main.c).  Each cmd_*() gets the arguments after
 * `stockade`, so argv[0] is the command's name: the functions below take
 * it to find the command's usage and options.
 */
struct cli_option {
	const char *name;  /* "--output" */
	const char *alias; /* "-o", or NULL */
	const char *arg;   /* "FILE", or NULL for a flag */
	const char *help;  /* one line */
};

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;		  /* after "stockade NAME"; forms separated by '\n' */
	const char *summary;		  /* one line, for `stockade --help` */
	const char *about;		  /* what `stockade NAME --help` says before the options */
	const struct cli_option *options; /* all it parses itself, then { 0 } */
	bool policy;			  /* it parses cli_policy_options too (policy_opts.c) */
};

/* --preset, --policy, ...: the options policy_opt_parse() takes. */
extern const struct cli_option cli_policy_options[];

const struct cli_command *cli_command_find(const char *name);
/* The option arg names ("--output=x" finds --output), or NULL. */
const struct cli_option *cli_option_find(const struct cli_command *c, const char *arg);
bool cli_is_help(const char *arg);
/* `stockade NAME --help`, on stdout; returns the exit status, 0. */
int cli_help(const char *name);
/* The "Usage:" line(s) of c, or of stockade itself when c is NULL. */
void cli_print_usage(FILE *f, const struct cli_command *c);

/* A usage error (errors.c): "stockade: CMD: message", CMD's usage and where
 * to read more, on stderr.  cmd is NULL for stockade's own.  The caller then
 * exits with EXIT_STOCKADE. */
void usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "unknown option", with the closest option cmd accepts, if one is close. */
void unknown_option(const char *cmd, const char *arg);

/* The enforcement report (enforcement.c) of `plan` (whose TCP port lists
 * it names); struct sk_enforcement is in plan/enforcement.h.  Warnings: one
 * line per layer not enforced as asked; returns how many.  Why Landlock is
 * not available, without a newline.  The env override:
 * STOCKADE_TEST_LANDLOCK_ABI, -1 if invalid. */
struct sk_enforcement;
void print_enforcement(FILE *f, const char *policy, const stockade_plan *plan, const struct sk_enforcement *rep);
int print_enforcement_warnings(FILE *f, const stockade_plan *plan, const struct sk_enforcement *rep);
void print_landlock_why(FILE *f, enum stockade_landlock_reason why, int errnum);
int landlock_override_from_env(void);

/* COMMAND as run and learn execute it: a path as given, or the first
 * regular file of that name in $PATH the user may execute, found before
 * confinement; the confined exec then gets that path, so a policy refusing
 * it fails there (126) instead of execvp() trying the next $PATH entry.
 * 0, or -ENOENT / -EACCES / -ENAMETOOLONG.  cmd_run.c. */
int resolve_command(const char *cmd, char *out, size_t size);

int cmd_run(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_presets(int argc, char **argv);
int cmd_groups(int argc, char **argv);
int cmd_compile(int argc, char **argv);
/* What OCI profile layers were resolved to (stderr, one note each). */
void print_oci_notes(const stockade_policy *policy);
int cmd_explain(int argc, char **argv);
int cmd_stats(int argc, char **argv);

/* Mark every descriptor from 3 + preserve on close-on-exec, except a make
 * jobserver's named in `makeflags` (MAKEFLAGS; may be NULL).  fds.c. */
int keep_only_inherited_fds(unsigned preserve, const char *makeflags);
/* caches.c: set the package managers' cache variables for the plan
 * (run/caches.h); -1 after printing an error. */
int cli_caches_apply(const stockade_plan *plan, bool verbose);

/* What stockade's supervisor does for the run, for the status's
 * "supervisor" line (run_report.c): set before the command is forked, so
 * the child that prints the status has it; empty: exec'd in place. */
extern char cli_supervision[512];
struct sk_mediation;
void cli_describe_supervision(const stockade_plan *plan, const struct sk_mediation *med, bool reporting,
			      bool end_leftovers);
/* The plan's environment rules on this process (cmd_run.c); with verbose,
 * the names dropped on stderr.  -1 (printed) on failure. */
int apply_environment(const stockade_plan *plan, bool verbose);
/* carve_warn.c: a warning on stderr for each credential variable whose
 * carve-out covers the working or the temporary directory. */
void cli_warn_moved_carve_outs(const stockade_plan *plan);
/* exec_hint.c: after the command could not be executed (EACCES), the
 * filesystem rule that refused it and the fix, on stderr. */
void cli_explain_exec_refusal(const stockade_plan *plan, const char *path);

#endif
