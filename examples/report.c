/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * report: the library's supervised path, as an embedder uses it.  Runs a
 * command confined by a preset with stockade_run(), printing one line per
 * call the policy denied (or, in audit mode, would have denied), and asks
 * the plan about one call with stockade_plan_decide().
 *
 *   report [-p PRESET] [-m enforce|report|audit] [-e SYSCALL] [-- COMMAND [ARG]...]
 *
 * Built against the installed library by `make check` (tests/tools/library.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stockade.h>

static void print_error(const char *what, int ret, const stockade_error *err)
{
	fprintf(stderr, "report: %s: %s\n", what, err && err->msg ? err->msg : strerror(-ret));
}

static void on_event(const stockade_event *ev, void *data)
{
	int line = 0, column = 0;
	const char *file = stockade_event_origin(ev, &line, &column);
	unsigned *count = data;

	(*count)++;
	printf("event: %s by %s: %s, %s at %s:%d:%d\n", stockade_event_syscall(ev) ? stockade_event_syscall(ev) : "?",
	       stockade_event_comm(ev), stockade_event_ran(ev) ? "ran" : strerror(stockade_event_errno(ev)),
	       stockade_event_action(ev), file ? file : "default", line, column);
}

int main(int argc, char **argv)
{
	struct stockade_run_options opts = STOCKADE_RUN_OPTIONS_INIT;
	const char *preset = "agent", *mode = "report", *decide = NULL;
	stockade_policy *policy = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	unsigned events = 0;
	int opt, ret, status = 0, rc = 1;

	while ((opt = getopt(argc, argv, "p:m:e:")) != -1) {
		if (opt == 'p')
			preset = optarg;
		else if (opt == 'm')
			mode = optarg;
		else if (opt == 'e')
			decide = optarg;
		else
			return 2;
	}
	if ((ret = stockade_policy_new(&policy, &err)) < 0 || (ret = stockade_policy_add_preset(policy, preset, &err)) < 0 ||
	    (ret = stockade_plan_build(policy, &plan, &err)) < 0) {
		print_error("policy", ret, err);
		goto out;
	}
	if (decide) {
		stockade_decision *d = NULL;
		int line = 0, column = 0;
		const char *file;

		if ((ret = stockade_plan_decide(plan, 0, decide, NULL, &d, &err)) < 0) {
			print_error("decide", ret, err);
			goto out;
		}
		file = stockade_decision_origin(d, &line, &column);
		printf("decide: %s -> %s at %s:%d:%d (%s)\n", decide, stockade_decision_action(d),
		       file ? file : "default", line, column,
		       stockade_decision_filter_agrees(d) ? "the filter agrees" : "THE FILTER DISAGREES");
		stockade_decision_free(d);
	}
	if (optind >= argc) {
		rc = 0;
		goto out;
	}
	opts.mode = !strcmp(mode, "audit")	   ? STOCKADE_RUN_AUDIT
		    : !strcmp(mode, "enforce") ? STOCKADE_RUN_ENFORCE
					       : STOCKADE_RUN_REPORT;
	opts.on_event = on_event;
	opts.data = &events;
	fflush(stdout);
	if ((ret = stockade_run(plan, argv + optind, &opts, &status, &err)) < 0) {
		print_error(argv[optind], ret, err);
		rc = WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 125;
		goto out;
	}
	if (WIFEXITED(status)) {
		printf("report: exited with status %d, %u event%s\n", WEXITSTATUS(status), events, events == 1 ? "" : "s");
		rc = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		printf("report: killed by signal %d, %u event%s\n", WTERMSIG(status), events, events == 1 ? "" : "s");
		rc = 128 + WTERMSIG(status);
	}
out:
	stockade_error_free(err);
	stockade_plan_free(plan);
	stockade_policy_free(policy);
	return rc;
}
