/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stockade stats: the compiled filter's size, its paths, and what the kernel caches. */
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "analysis/analysis.h"
#include "cli.h"

/* Names, wrapped at 100 columns, indented by two. */
static void name_list(const struct sk_stats *s, bool want_const, bool want_allowed)
{
	size_t col = 2;

	printf("  ");
	for (size_t i = 0; i < s->ncalls; i++) {
		const struct sk_stats_call *c = &s->calls[i];
		size_t w = strlen(c->name) + 1;

		if (c->const_allow != want_const || (!want_const && c->allowed_zero != want_allowed))
			continue;
		if (col + w > 100) {
			printf("\n  ");
			col = 2;
		}
		printf("%s ", c->name);
		col += w;
	}
	printf("\n");
}

int cmd_stats(int argc, char **argv)
{
	struct policy_opts o = { 0 };
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	struct sk_stats s = { 0 };
	bool list = false;
	size_t nargs = 0, ndenied = 0;
	unsigned minpath = ~0u, maxpath = 0;
	char vec[200];
	int ret = EXIT_STOCKADE;

	for (int i = 1; i < argc; i++) {
		int r;

		if (cli_is_help(argv[i])) {
			ret = cli_help(argv[0]);
			goto done;
		}
		if (!strcmp(argv[i], "--list")) {
			list = true;
			continue;
		}
		r = policy_opt_parse(&o, argc, argv, &i);
		if (r < 0)
			goto done;
		if (r == 0) {
			unknown_option(argv[0], argv[i]);
			goto done;
		}
	}
	plan = policy_opts_plan(&o);
	if (!plan)
		goto done;
	if (sk_stats_compute(plan, o.arch ? o.arch : seccomp_arch_native(), &s, &err) < 0) {
		print_error(err);
		stockade_error_free(err);
		goto done;
	}
	for (size_t i = 0; i < s.ncalls; i++) {
		const struct sk_stats_call *c = &s.calls[i];
		if (c->path < minpath)
			minpath = c->path;
		if (c->path > maxpath)
			maxpath = c->path;
		if (!c->const_allow && c->allowed_zero)
			nargs++;
		else if (!c->const_allow)
			ndenied++;
	}
	snprintf(vec, sizeof(vec), "0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx",
		 (unsigned long long)s.longest_args.a[0], (unsigned long long)s.longest_args.a[1],
		 (unsigned long long)s.longest_args.a[2], (unsigned long long)s.longest_args.a[3],
		 (unsigned long long)s.longest_args.a[4], (unsigned long long)s.longest_args.a[5]);
	printf("policy: %s\narch: %s (%zu syscalls)\n", plan->name, stockade_arch_name(s.arch), s.ncalls);
	printf("instructions: %zu (the kernel accepts up to %d)\n", s.insns, BPF_MAXINSNS);
	printf("path per syscall, all arguments 0: mean %.1f, shortest %u, longest %u instructions\n", s.mean,
	       s.ncalls ? minpath : 0, maxpath);
	if (s.longest_call)
		printf("longest path: %u instructions, %s(%s)\n", s.longest, s.longest_call->name, vec);
	printf("cached by the kernel as always allowed (no filter run, Linux 5.11+): %zu syscalls\n", s.nconst);
	if (s.arch == SCMP_ARCH_X32)
		printf("  (x32 numbers are outside the kernel's cache: every x32 call runs the filter)\n");
	printf("run the filter on every call: %zu syscalls\n", s.ncalls - s.nconst);
	printf(" allowed unless an argument rule says otherwise (%zu):\n", nargs);
	name_list(&s, false, true);
	printf(" denied, logged or killed with all arguments 0 (%zu):\n", ndenied);
	name_list(&s, false, false);
	if (list) {
		printf("\n%-5s %-24s %-6s %-8s %s\n", "NR", "SYSCALL", "PATH", "LONGEST", "KERNEL CACHE");
		for (size_t i = 0; i < s.ncalls; i++) {
			const struct sk_stats_call *c = &s.calls[i];
			printf("%-5d %-24s %-6u %-8u %s\n", c->nr, c->name, c->path, c->longest,
			       c->const_allow ? "always allowed" : "runs the filter");
		}
	}
	ret = 0;
done:
	sk_stats_free(&s);
	stockade_plan_free(plan);
	policy_opts_free(&o);
	return ret;
}
