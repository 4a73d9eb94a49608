/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * confine: embed libstockade through its public header alone.
 *
 *   confine [-p PRESET] [-a NAME]... [-d NAME[=ACTION]]... [-- COMMAND [ARG...]]
 *
 * Builds a policy from a preset (default "agent") and `--allow`/`--deny`
 * style overrides, resolves it into a plan, compiles it into a program, forks, and
 * confines the child: with a COMMAND the child execs it, without one it
 * tries two calls itself, getpid() and unshare(CLONE_NEWUSER), and prints
 * what each returned.  The parent reports how the child ended and exits with
 * its status (128 + N for a signal N, as shells do).
 *
 *   cc -o confine confine.c $(pkg-config --cflags --libs stockade)
 *   ./confine                           # unshare(CLONE_NEWUSER): EPERM
 *   ./confine -d getpid=errno:EACCES    # getpid(): EACCES
 *   ./confine -p strict -- ls /
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stockade.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: confine [-p PRESET] [-a NAME]... [-d NAME[=ACTION]]... [-- COMMAND [ARG...]]\n");
}

/* Print a library error; the library itself never prints. */
static void print_error(const char *what, int ret, const stockade_error *err)
{
	if (!err || !err->msg) {
		fprintf(stderr, "confine: %s: %s\n", what, strerror(-ret));
		return;
	}
	if (err->file && err->line)
		fprintf(stderr, "confine: %s: %s:%d:%d: %s\n", what, err->file, err->line, err->column, err->msg);
	else
		fprintf(stderr, "confine: %s: %s\n", what, err->msg);
	if (err->source_line)
		fprintf(stderr, "    %s\n", err->source_line);
	if (err->hint)
		fprintf(stderr, "  hint: %s\n", err->hint);
}

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case ENOSYS:
		return "ENOSYS";
	case EINVAL:
		return "EINVAL";
	case ENOSPC:
		return "ENOSPC";
	default:
		return "errno";
	}
}

/* One call's outcome, on one line the test can match. */
static void show(const char *call, long ret, int e)
{
	if (ret >= 0)
		printf("%s: ok\n", call);
	else
		printf("%s: %s (%s)\n", call, errno_name(e), strerror(e));
}

/* In the child, once confined.  Raw syscall(): the libc between us and the
 * kernel decides nothing.  Exits with unshare's errno, 0 if it ran. */
static int try_calls(void)
{
	long ret;
	int e;

	errno = 0;
	ret = syscall(SYS_getpid);
	show("getpid()", ret, errno);
	errno = 0;
	ret = syscall(SYS_unshare, CLONE_NEWUSER);
	e = errno;
	show("unshare(CLONE_NEWUSER)", ret, e);
	fflush(stdout);
	return ret < 0 ? e : 0;
}

/* -d NAME=ACTION: the action after '=', or NULL for the policy's own. */
static int deny(stockade_policy *policy, char *arg, stockade_error **err)
{
	char *action = strchr(arg, '=');

	if (action)
		*action++ = '\0';
	return stockade_policy_deny(policy, arg, action, err);
}

int main(int argc, char **argv)
{
	stockade_policy *policy = NULL;
	stockade_plan *plan = NULL;
	stockade_program *prog = NULL;
	stockade_error *err = NULL;
	const char *preset = "agent";
	struct {
		int opt;
		char *arg;
	} *overrides;
	int noverrides = 0, opt, ret, status;
	pid_t pid;

	/* The preset goes below the overrides whatever the order of the
	 * options: collect the overrides, push them after it. */
	overrides = calloc((size_t)argc, sizeof(*overrides));
	if (!overrides) {
		perror("confine");
		return 1;
	}
	while ((opt = getopt(argc, argv, "+p:a:d:h")) != -1) {
		switch (opt) {
		case 'p':
			preset = optarg;
			break;
		case 'a':
		case 'd':
			overrides[noverrides].opt = opt;
			overrides[noverrides++].arg = optarg;
			break;
		case 'h':
			usage(stdout);
			free(overrides);
			return 0;
		default:
			usage(stderr);
			free(overrides);
			return 2;
		}
	}

	ret = stockade_policy_new(&policy, &err);
	if (ret == 0)
		ret = stockade_policy_add_preset(policy, preset, &err);
	for (int i = 0; ret == 0 && i < noverrides; i++) {
		if (overrides[i].opt == 'a')
			ret = stockade_policy_allow(policy, overrides[i].arg, &err);
		else
			ret = deny(policy, overrides[i].arg, &err);
	}
	free(overrides);
	if (ret < 0) {
		print_error("policy", ret, err);
		goto fail;
	}

	ret = stockade_plan_build(policy, &plan, &err);
	if (ret < 0) {
		print_error("plan", ret, err);
		goto fail;
	}
	/* The plan does not need the policy any more. */
	stockade_policy_free(policy);
	policy = NULL;

	/* Resolve paths, build the Landlock ruleset and the filter here, once:
	 * the child then only enforces them, with no allocation, which is what
	 * a multi-threaded parent needs between fork() and exec. */
	ret = stockade_program_new(plan, &prog, &err);
	if (ret < 0) {
		print_error("program", ret, err);
		goto fail;
	}

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("confine: fork");
		goto fail;
	}
	if (pid == 0) {
		if (optind < argc) {
			/* Returns only on failure, confined or not: do not go on. */
			ret = stockade_program_exec(prog, argv + optind, &err);
			print_error(argv[optind], ret, err);
			_exit(ret == -ENOENT ? 127 : 126);
		}
		ret = stockade_program_apply(prog, &err);
		if (ret < 0) {
			print_error("apply", ret, err);
			_exit(125);
		}
		_exit(try_calls());
	}

	stockade_program_free(prog);
	stockade_plan_free(plan);
	if (waitpid(pid, &status, 0) < 0) {
		perror("confine: waitpid");
		return 1;
	}
	if (WIFSIGNALED(status)) {
		printf("confine: child killed by signal %d (%s)\n", WTERMSIG(status), strsignal(WTERMSIG(status)));
		return 128 + WTERMSIG(status);
	}
	printf("confine: child exited with status %d\n", WEXITSTATUS(status));
	return WEXITSTATUS(status);

fail:
	stockade_error_free(err);
	stockade_program_free(prog);
	stockade_plan_free(plan);
	stockade_policy_free(policy);
	return 1;
}
