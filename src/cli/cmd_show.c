/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stockade show: every syscall of an arch, its action and where it was decided. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plan/plan.h"

static void origin(const struct sk_origin *at, const char *via, char *buf, size_t size)
{
	int n;

	if (!at->file)
		n = snprintf(buf, size, "built-in default");
	else if (at->line)
		n = snprintf(buf, size, "%s:%d:%d", at->file, at->line, at->column);
	else
		n = snprintf(buf, size, "%s", at->file);
	if (via && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " via %s", via);
}

static void show_plan(const stockade_plan *plan, uint32_t arch)
{
	const char *const *all = sk_syscall_all();
	char act[48], from[256], cond[96];

	origin(&plan->default_at, NULL, from, sizeof(from));
	printf("policy: %s\narch: %s\n", plan->name, stockade_arch_name(arch));
	if (!plan->seccomp_enabled) {
		printf("seccomp: disabled (no filter is loaded; no_new_privs is still set)\n");
		return;
	}
	printf("default: %s (%s)\n", sk_action_format(plan->default_action, act, sizeof(act)), from);
	origin(&plan->compat_at, NULL, from, sizeof(from));
	printf("compat arches: %s (%s)\n\n", plan->compat == SK_COMPAT_FILTER ? "filter" : "refuse (kill)", from);
	printf("%-24s %-22s %s\n", "SYSCALL", "ACTION", "DECIDED BY");
	for (size_t i = 0; all && all[i]; i++) {
		const struct sk_plan_entry *e = sk_plan_lookup(plan, all[i]);
		struct sk_action base = sk_plan_entry_base(plan, e);

		if (seccomp_syscall_resolve_name_arch(arch, all[i]) < 0)
			continue;
		if (!e || !e->has_base)
			origin(&plan->default_at, NULL, from, sizeof(from));
		else
			origin(&e->base_at, e->via, from, sizeof(from));
		if (!e || e->nrules == 0) {
			printf("%-24s %-22s %s\n", all[i], sk_action_format(base, act, sizeof(act)),
			       e ? from : "default");
			continue;
		}
		printf("%-24s %-22s\n", all[i], "by argument:");
		for (size_t k = 0; k < e->nrules; k++) {
			const struct sk_plan_rule *r = &e->rules[k];
			char line[300] = "";
			size_t used = 0;

			for (size_t c = 0; c < r->nconds; c++)
				used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s", c ? " && " : "",
							 sk_cond_format(&r->conds[c], cond, sizeof(cond)));
			origin(&r->at, NULL, from, sizeof(from));
			printf("  %-38s -> %-14s %s%s%s\n", r->nconds ? line : "otherwise",
			       sk_action_format(r->action, act, sizeof(act)), from, r->reason ? ": " : "",
			       r->reason ? r->reason : "");
		}
		/* Without a final catch-all rule, calls no rule matches get the base. */
		if (e->rules[e->nrules - 1].nconds > 0) {
			origin(e->has_base ? &e->base_at : &plan->default_at, e->has_base ? e->via : NULL, from,
			       sizeof(from));
			printf("  %-38s -> %-14s %s\n", "otherwise", sk_action_format(base, act, sizeof(act)), from);
		}
	}
}

int cmd_show(int argc, char **argv)
{
	struct policy_opts o = { 0 };
	stockade_plan *plan;
	bool listing = false;
	int ret = 0;

	for (int i = 1; i < argc; i++) {
		/* --pfc: the listing's old name. */
		if (!strcmp(argv[i], "--listing") || !strcmp(argv[i], "--pfc")) {
			listing = true;
			continue;
		}
		if (cli_is_help(argv[i])) {
			policy_opts_free(&o);
			return cli_help(argv[0]);
		}
		int r = policy_opt_parse(&o, argc, argv, &i);
		if (r < 0)
			return EXIT_STOCKADE;
		if (r == 0) {
			unknown_option(argv[0], argv[i]);
			policy_opts_free(&o);
			return EXIT_STOCKADE;
		}
	}
	plan = policy_opts_plan(&o);
	if (!plan) {
		policy_opts_free(&o);
		return EXIT_STOCKADE;
	}
	uint32_t arch = o.arch ? o.arch : seccomp_arch_native();
	if (listing) {
		stockade_error *err = NULL;
		char *text = NULL;
		if (stockade_plan_compile_pfc(plan, arch, &text, &err) < 0) {
			print_error(err);
			stockade_error_free(err);
			ret = EXIT_STOCKADE;
		} else {
			fputs(text, stdout);
			free(text);
		}
	} else {
		show_plan(plan, arch);
	}
	stockade_plan_free(plan);
	policy_opts_free(&o);
	return ret;
}
