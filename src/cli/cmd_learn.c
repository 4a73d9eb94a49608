/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade learn: run a command in audit mode on a base policy and write
 * the policy that allows what it needed on top of that base.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "run/learn.h"
#include "supervised.h"

static bool is_file(const char *base)
{
	size_t n = strlen(base);

	return strchr(base, '/') || (n > 5 && !strcmp(base + n - 5, ".yaml")) || (n > 4 && !strcmp(base + n - 4, ".yml"));
}

static char *join_command(char **argv)
{
	size_t len = 1;
	char *s;

	for (char **a = argv; *a; a++)
		len += strlen(*a) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (char **a = argv; *a; a++) {
		if (a != argv)
			strcat(s, " ");
		strcat(s, *a);
	}
	return s;
}

/* The learned text must build, and allow every call it was learned from. */
static int verify(const struct sk_learner *l, const char *text, const char *out_name)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	const char *first;
	size_t denied;
	int ret;

	ret = stockade_policy_new(&p, &err);
	if (ret == 0)
		ret = stockade_policy_add_text(p, out_name, text, strlen(text), &err);
	if (ret == 0)
		ret = stockade_plan_build(p, &plan, &err);
	if (ret < 0) {
		fprintf(stderr, "stockade: learn: the learned policy does not load (a bug):\n");
		print_error(err);
		stockade_error_free(err);
		stockade_policy_free(p);
		return -1;
	}
	denied = sk_learner_check(l, plan, &first);
	stockade_plan_free(plan);
	stockade_policy_free(p);
	if (denied) {
		fprintf(stderr, "stockade: learn: the learned policy still denies %zu of the calls, %s first (a bug)\n",
			denied, first);
		return -1;
	}
	return 0;
}

int cmd_learn(int argc, char **argv)
{
	const char *out_path = NULL, *base = "strict", *name = "learned";
	char base_abs[PATH_MAX], *command = NULL, *text = NULL;
	struct sk_supervise_opts sopts = { .mode = SK_NOTIFY_DENY };
	struct sk_supervise_result res;
	struct sk_learner *l = NULL;
	stockade_policy *policy = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	bool all = false;
	FILE *outf = NULL;
	int i, ret, status = EXIT_STOCKADE;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (cli_is_help(a))
			return cli_help(argv[0]);
		if (!strcmp(a, "--all")) {
			all = true;
			continue;
		}
		if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--base") || !strcmp(a, "--name")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				usage_error(argv[0], "option %s needs a value", a);
				return EXIT_STOCKADE;
			}
			if (a[1] == 'o' || a[2] == 'o')
				out_path = argv[++i];
			else if (a[2] == 'b')
				base = argv[++i];
			else
				name = argv[++i];
			continue;
		}
		unknown_option(argv[0], a);
		return EXIT_STOCKADE;
	}
	if (i >= argc) {
		usage_error(argv[0], "no command given");
		return EXIT_STOCKADE;
	}
	if (is_file(base)) {
		if (!realpath(base, base_abs)) {
			fprintf(stderr, "stockade: learn: --base %s: %s\n", base, strerror(errno));
			return EXIT_STOCKADE;
		}
		base = base_abs;
	}
	ret = stockade_policy_new(&policy, &err);
	if (ret == 0)
		ret = is_file(base) ? stockade_policy_add_file(policy, base, &err)
				    : stockade_policy_add_preset(policy, base, &err);
	if (ret == 0)
		ret = stockade_plan_build(policy, &plan, &err);
	if (ret < 0) {
		print_error(err);
		goto out;
	}
	if (!plan->seccomp_enabled) {
		fprintf(stderr, "stockade: learn: the base %s has no seccomp filter: there is nothing to learn on top of it\n",
			base);
		goto out;
	}
	/* Fail before the run, not after it. */
	if (out_path && !(outf = fopen(out_path, "we"))) {
		fprintf(stderr, "stockade: learn: cannot write %s: %s\n", out_path, strerror(errno));
		goto out;
	}
	command = join_command(&argv[i]);
	if (sk_learner_new(plan, &l) < 0 || !command) {
		fprintf(stderr, "stockade: out of memory\n");
		goto out;
	}
	/* As `run`: package managers fill the sandbox's caches. */
	if (cli_caches_apply(plan, false) < 0)
		goto out;
	setenv("STOCKADE", "1", 1);
	setenv("STOCKADE_POLICY", stockade_policy_name(policy), 1);
	setenv("STOCKADE_MODE", "learn", 1);
	/* As `run`: only 0, 1, 2 (and a make jobserver's) reach the command. */
	if ((ret = keep_only_inherited_fds(0, getenv("MAKEFLAGS"))) < 0) {
		fprintf(stderr, "stockade: cannot close inherited descriptors: %s\n", strerror(-ret));
		goto out;
	}
	sopts.mode = all ? SK_NOTIFY_ALL : SK_NOTIFY_DENY;
	sopts.on_event = sk_learner_event;
	sopts.answer_probes = true;
	sopts.data = l;
	ret = sk_supervise_exec(plan, &argv[i], &sopts, &res, &err);
	if (ret < 0) {
		print_error(err);
		status = res.phase == SK_SUP_EXEC_FAILED ? (res.exec_errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC)
							 : EXIT_STOCKADE;
		goto out;
	}
	{
		struct sk_learn_meta meta = { .extends = base, .name = name, .command = command, .list_all = all };

		ret = sk_learner_yaml(l, &meta, &text, &err);
	}
	if (ret < 0) {
		print_error(err);
		goto out;
	}
	if (verify(l, text, out_path ? out_path : "<learned>") < 0)
		goto out;
	if (outf) {
		ret = fputs(text, outf) < 0 ? -1 : 0;
		if (fclose(outf) != 0)
			ret = -1;
		outf = NULL;
		if (ret < 0) {
			fprintf(stderr, "stockade: learn: cannot write %s: %s\n", out_path, strerror(errno));
			unlink(out_path);
			goto out;
		}
	} else {
		fputs(text, stdout);
		fflush(stdout);
	}
	fprintf(stderr, "stockade: learn: %zu entr%s beyond %s, from %lu call%s %s%s%s\n", sk_learner_entries(l),
		sk_learner_entries(l) == 1 ? "y" : "ies", base, sk_learner_calls(l), sk_learner_calls(l) == 1 ? "" : "s",
		all ? "in all" : "the base would deny", out_path ? "; wrote " : "", out_path ? out_path : "");
	if (res.killed_leftovers)
		fprintf(stderr, "stockade: learn: %u process%s outlived the command and %s killed; what %s did after "
				"the command exited is not in the policy\n",
			res.killed_leftovers, res.killed_leftovers == 1 ? "" : "es",
			res.killed_leftovers == 1 ? "was" : "were", res.killed_leftovers == 1 ? "it" : "they");
	if (res.lingering)
		fprintf(stderr, "stockade: learn: some processes outlived the command; calls they make from now on "
				"are not in the policy\n");
	if (WIFEXITED(res.wstatus) && WEXITSTATUS(res.wstatus))
		fprintf(stderr, "stockade: learn: the command exited with status %d; the policy covers only what it "
				"did before\n",
			WEXITSTATUS(res.wstatus));
	else if (WIFSIGNALED(res.wstatus))
		fprintf(stderr, "stockade: learn: the command was killed by signal %d; the policy covers only what "
				"it did before\n",
			WTERMSIG(res.wstatus));
	status = WIFEXITED(res.wstatus) ? WEXITSTATUS(res.wstatus) : 128 + WTERMSIG(res.wstatus);
out:
	if (outf) {
		/* Nothing learned: no half-written policy either. */
		fclose(outf);
		unlink(out_path);
	}
	stockade_error_free(err);
	free(text);
	free(command);
	sk_learner_free(l);
	stockade_plan_free(plan);
	stockade_policy_free(policy);
	return status;
}
