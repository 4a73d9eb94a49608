/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Commands that run under the supervisor: run --report/--audit, learn. */
#ifndef STOCKADE_CLI_SUPERVISED_H
#define STOCKADE_CLI_SUPERVISED_H

#include <stdbool.h>

#include "plan/plan.h"

/* The report options of `stockade run`. */
struct run_report_opts {
	int report;	       /* 1 --report, 0 --no-report, -1 (default): when stderr is a terminal */
	bool audit;	       /* --audit */
	const char *json_path; /* --report-json FILE ("-": standard output) */
	int json_fd;	       /* --report-fd N, or -1 */
	int proxy_events;      /* network mode proxy: the memfd of its decisions (report_net.c), or -1 */
	int json_file;	       /* --report-json FILE opened by run_report_open(), or -1 */
	/* No pid namespace, and a terminal on standard input, output or
	 * error: supervised, and what the command leaves running is killed
	 * when it exits (sk_supervise_opts.end_leftovers). */
	bool end_leftovers;
};

#define RUN_REPORT_OPTS_INIT { .report = -1, .json_fd = -1, .proxy_events = -1, .json_file = -1 }

/* Parse one option at argv[*i]: 1 consumed, 0 not ours, -1 error (printed). */
int run_report_opt_parse(struct run_report_opts *o, int argc, char **argv, int *i);

/* Open --report-json FILE now, in the host's mount view: the command's
 * is read-only outside its write roots (docs/isolation.md).  -1 if it
 * cannot be (said on stderr). */
int run_report_open(struct run_report_opts *o);

/* Run argv (argv[0] resolved) under the supervisor when the options, the
 * policy (seccomp.mode: audit) or a terminal ask for it.  Returns the exit
 * status for stockade, or -1 if the command should be exec'd in place. */
int run_supervised(const struct run_report_opts *o, const stockade_plan *plan, const char *policy, char **argv,
		   void (*applied)(const struct sk_enforcement *rep, void *data), void *applied_data);

int cmd_learn(int argc, char **argv);

#endif
