/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/libpath: the library path.  An embedding program builds a plan once,
 * then for each command forks, calls stockade_plan_apply() in the child and
 * execs; compared with a plain fork + exec of the same command.  A second
 * plan is also compiled once into a stockade_program (stockade_program_new()), so that its children only
 * enforce.  The three are interleaved so drift hits them alike.
 *
 *   libpath [-n RUNS] [-p PRESET] [COMMAND]     (default: /bin/true)
 *
 * Prints three lines, "plain median p10 p90", "apply median p10 p90" and
 * "prepared median p10 p90", in microseconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stockade.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double run(const stockade_plan *plan, const stockade_program *prog, char *const argv[])
{
	static char *const envp[] = { "PATH=/usr/bin:/bin", NULL };
	double t0 = now_us();
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		if (prog ? stockade_program_apply(prog, NULL) < 0 : plan && stockade_plan_apply(plan, NULL) < 0)
			_exit(125);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("waitpid");
			exit(1);
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "libpath: %s failed (status %#x)%s\n", argv[0], status,
			plan ? " under the plan" : "");
		exit(1);
	}
	return now_us() - t0;
}

static void report(const char *name, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	printf("%s %.1f %.1f %.1f\n", name, t[n / 2], t[n / 10], t[n * 9 / 10]);
}

int main(int argc, char **argv)
{
	const char *preset = "agent";
	char *cmd[] = { "/bin/true", NULL };
	stockade_policy *policy = NULL;
	stockade_plan *plan = NULL;
	stockade_program *prepared = NULL;
	stockade_error *err = NULL;
	int runs = 400, opt;
	double *plain, *apply, *prep;

	while ((opt = getopt(argc, argv, "n:p:")) != -1) {
		if (opt == 'n')
			runs = atoi(optarg);
		else if (opt == 'p')
			preset = optarg;
		else
			return 2;
	}
	if (optind < argc)
		cmd[0] = argv[optind];
	if (runs < 10)
		return 2;
	if (stockade_policy_new(&policy, &err) < 0 || stockade_policy_add_preset(policy, preset, &err) < 0 ||
	    stockade_plan_build(policy, &plan, &err) < 0 ||
	    stockade_program_new(plan, &prepared, &err) < 0) {
		fprintf(stderr, "libpath: %s\n", err && err->msg ? err->msg : "cannot build the plan");
		return 1;
	}
	plain = calloc((size_t)runs, sizeof(*plain));
	apply = calloc((size_t)runs, sizeof(*apply));
	prep = calloc((size_t)runs, sizeof(*prep));
	if (!plain || !apply || !prep)
		return 1;
	for (int i = 0; i < 20; i++) {
		run(NULL, NULL, cmd);
		run(plan, NULL, cmd);
		run(NULL, prepared, cmd);
	}
	for (int i = 0; i < runs; i++) {
		plain[i] = run(NULL, NULL, cmd);
		apply[i] = run(plan, NULL, cmd);
		prep[i] = run(NULL, prepared, cmd);
	}
	report("plain", plain, runs);
	report("apply", apply, runs);
	report("prepared", prep, runs);
	free(plain);
	free(apply);
	free(prep);
	stockade_program_free(prepared);
	stockade_plan_free(plan);
	stockade_policy_free(policy);
	return 0;
}
