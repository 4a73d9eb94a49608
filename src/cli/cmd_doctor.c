/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade doctor: what this kernel can enforce, and what it would enforce
 * of a policy (default: agent), layer by layer, without running anything.
 * The Landlock ruleset and the seccomp filter are built, not applied.
 * Exit status: 0 everything the policy asks is enforced, 1 something is
 * not, 125 error.
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "run/exec.h"
#include "cli.h"
#include "run/mediate.h"
#include "landlock/landlock.h"

/* "Seccomp:", "Seccomp_filters:" and "NoNewPrivs:" of /proc/self/status. */
static void process_status(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		int v;
		if (sscanf(line, "NoNewPrivs: %d", &v) == 1 && v)
			printf("  this process    already runs with no_new_privs\n");
		else if (sscanf(line, "Seccomp_filters: %d", &v) == 1 && v)
			printf("  this process    already runs under %d seccomp filter%s (a container's or a "
			       "sandbox's); stockade's comes on top\n",
			       v, v == 1 ? "" : "s");
	}
	fclose(f);
}

/* Landlock access bits as letters: r read file, d list dir, x execute,
 * w write file, c create, u remove, t truncate, l rename/link across
 * directories, i ioctl on devices. */
static int print_rule(void *ctx, int fd, const char *path, uint64_t access)
{
	static const struct {
		uint64_t bits;
		char c;
	} letters[] = { { 1ULL << 2, 'r' },	     { 1ULL << 3, 'd' },  { 1ULL << 0, 'x' },
			{ 1ULL << 1, 'w' },	     { 0x1780ULL, 'c' }, { 0x30ULL, 'u' },
			{ 1ULL << 14, 't' },	     { 1ULL << 13, 'l' }, { 1ULL << 15, 'i' } };
	char buf[16];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(letters) / sizeof(letters[0]); i++)
		buf[n++] = (access & letters[i].bits) ? letters[i].c : '-';
	buf[n] = '\0';
	printf("  %s %s\n", buf, path);
	return 0;
}

static int list_rules(const stockade_plan *plan)
{
	struct sk_fs_walk_stats st;
	struct sk_path_env env;
	stockade_error *err = NULL;
	int ret;

	if (!plan->access.fs) {
		printf("no filesystem rules: the policy does not restrict the filesystem\n");
		return 0;
	}
	if (sk_path_env_current(&env, &err) < 0) {
		print_error(err);
		stockade_error_free(err);
		return -1;
	}
	printf("filesystem rules (r read, d list, x exec, w write, c create, u remove, t truncate, l move across "
	       "directories, i device ioctl):\n");
	ret = sk_fs_walk(&plan->access, &env, ~0ULL, print_rule, NULL, &st, &err);
	if (ret < 0) {
		print_error(err);
		stockade_error_free(err);
	}
	sk_path_env_free(&env);
	return ret;
}

int cmd_doctor(int argc, char **argv)
{
	struct policy_opts o = { 0 };
	stockade_plan *plan;
	stockade_error *err = NULL;
	struct sk_enforcement rep;
	struct utsname u;
	enum stockade_landlock_reason why;
	bool rules = false;
	int abi, errnum, ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rules")) {
			rules = true;
			continue;
		}
		if (cli_is_help(argv[i])) {
			policy_opts_free(&o);
			return cli_help(argv[0]);
		}
		ret = policy_opt_parse(&o, argc, argv, &i);
		if (ret < 0)
			return EXIT_STOCKADE;
		if (ret == 0) {
			unknown_option(argv[0], argv[i]);
			policy_opts_free(&o);
			return EXIT_STOCKADE;
		}
	}
	if (landlock_override_from_env() < 0)
		return EXIT_STOCKADE;
	if (uname(&u) == 0)
		printf("kernel: %s %s %s\n", u.sysname, u.release, u.machine);
	abi = sk_landlock_kernel_abi(&why, &errnum);
	if (abi) {
		printf("landlock: ABI %d\n", abi);
	} else {
		printf("landlock: not available: ");
		print_landlock_why(stdout, why, errnum);
		putchar('\n');
	}
	process_status();

	plan = policy_opts_plan(&o);
	if (!plan) {
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	ret = sk_plan_dry_run(plan, &rep, &err);
	if (ret < 0) {
		print_error(err);
		stockade_error_free(err);
		stockade_plan_free(plan);
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	{
		/* What a run's supervisor would decide here (host sockets
		 * listening now, TCP rules): doctor has none of its own. */
		struct sk_mediation med;
		stockade_error *merr = NULL;

		/* (With namespaces, as the probe says a run gets them, only
		 * the daemons' known places turn mediation on.) */
		sk_unix_mediation_assume_isolated((rep.ns_flags & CLONE_NEWPID) != 0);
		if (sk_mediation_setup(plan, SK_NOTIFY_NONE, &med, &merr) == 0) {
			cli_describe_supervision(plan, &med, false, false);
			sk_mediation_free(&med);
		}
		stockade_error_free(merr);
	}
	print_enforcement(stdout, stockade_policy_name(o.policy), plan, &rep);
	if (rules && list_rules(plan) < 0)
		rep.abi_lowered = true; /* exit 1 */
	ret = rep.fs.level >= SK_LEVEL_PARTIAL || rep.net.level >= SK_LEVEL_PARTIAL ||
	      rep.scope.level >= SK_LEVEL_PARTIAL || rep.abi_lowered;
	stockade_plan_free(plan);
	policy_opts_free(&o);
	return ret;
}
