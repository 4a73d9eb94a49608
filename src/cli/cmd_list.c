/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade presets / groups: the built-in tables, as a list or as the
 * Markdown in docs/ (generated, so the docs cannot drift from the code).
 */
#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "plan/plan.h"

/* "123" or "-" when the syscall does not exist on that arch. */
static const char *nr_on(uint32_t arch, const char *name, char *buf, size_t size)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, name);

	if (nr < 0)
		return "-";
	snprintf(buf, size, "%d", nr);
	return buf;
}

static void syscall_cell(const char *name)
{
	char a[16], b[16];

	printf("`%s` (%s / %s)", name, nr_on(SCMP_ARCH_X86_64, name, a, sizeof(a)),
	       nr_on(SCMP_ARCH_AARCH64, name, b, sizeof(b)));
}

static void escape_cell(const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else if (*s == '\n')
			fputc(' ', stdout);
		else
			fputc(*s, stdout);
	}
}

static stockade_plan *preset_plan(const char *name)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	if (stockade_policy_new(&p, &err) < 0 || stockade_policy_add_preset(p, name, &err) < 0 ||
	    stockade_plan_build(p, &plan, &err) < 0)
		print_error(err);
	stockade_error_free(err);
	stockade_policy_free(p);
	return plan;
}

/* The filesystem, network and scope part of a preset (docs/landlock.md). */
static void access_markdown(const stockade_plan *plan)
{
	static const char *const kinds[SK_FS_NKINDS] = { "read", "write", "exec", "deny", "read_only" };
	const struct sk_plan_access *sb = &plan->access;
	static const char *const net[] = { "", "full", "unix", "none" };

	if (!sb->fs && sb->net == SK_NET_FULL && !sb->scope_signals && !sb->scope_abstract)
		return;
	printf("### Files, network, scope\n\nEnforced with Landlock; see `docs/landlock.md`.\n\n| | |\n|---|---|\n");
	for (int k = 0; k < SK_FS_NKINDS; k++) {
		bool any = false;
		for (size_t i = 0; i < sb->npaths; i++) {
			/* The devices a layer names have a place of their own (plan.h). */
			if (sb->paths[i].kind != (enum sk_fs_kind)k || sk_fs_place_of(sb->paths[i].layer) == SK_FS_AT_DEVICES)
				continue;
			if (!any)
				printf("| %s | ", kinds[k]);
			printf("%s`%s`", any ? ", " : "", sb->paths[i].path);
			any = true;
		}
		if (any)
			printf(" |\n");
		else if (k <= SK_FS_EXEC)
			printf("| %s | %s |\n", kinds[k], sb->fs ? "nothing" : "anything");
	}
	bool dev = false;
	for (size_t i = 0; i < sb->npaths; i++) {
		if (sk_fs_place_of(sb->paths[i].layer) != SK_FS_AT_DEVICES)
			continue;
		printf("%s`%s`", dev ? ", " : "| devices (the rest of `/dev` is carved out) | ", sb->paths[i].path + 5);
		dev = true;
	}
	if (dev)
		printf(" |\n");
	printf("| network | `%s` |\n", net[sb->net]);
	printf("| scope | %s |\n",
	       sb->scope_signals && sb->scope_abstract ? "signals and abstract unix sockets stay in the sandbox"
	       : sb->scope_signals			? "signals stay in the sandbox"
	       : sb->scope_abstract			? "abstract unix sockets stay in the sandbox"
							: "none");
	printf("| landlock | `%s` |\n\n",
	       sb->landlock == SK_LANDLOCK_REQUIRED ? "required" : sb->landlock == SK_LANDLOCK_OFF ? "off" : "best_effort");
}

/* What a command run as root keeps (docs/capabilities.md). */
static void caps_markdown(const stockade_plan *plan)
{
	const char *sep = "";

	if (!plan->access.caps)
		return;
	printf("### Capabilities\n\nWhat a command run as root keeps; every other capability is dropped "
	       "before it runs (see `docs/capabilities.md`): ");
	for (int cap = 0; cap < 64; cap++)
		if (plan->access.caps_keep & (1ULL << cap)) {
			printf("%s`%s`", sep, sk_cap_name(cap) ? sk_cap_name(cap) : "?");
			sep = ", ";
		}
	printf("%s.\n\n", *sep ? "" : "none");
}

static void preset_markdown(const struct sk_preset *ps)
{
	stockade_plan *plan = preset_plan(ps->name);
	char act[48], cond[96];

	if (!plan)
		return;
	printf("## `%s`\n\n%s.", ps->name, ps->summary);
	if (ps->base)
		printf(" An overlay: alone it applies on top of `%s`; stack it with `--preset X --preset %s`.",
		       ps->base, ps->name);
	printf("\n\n");
	if (!plan->seccomp_enabled) {
		printf("No seccomp filter is loaded. `no_new_privs` is still set.\n\n");
		stockade_plan_free(plan);
		return;
	}
	printf("Default action: `%s`. 32-bit and x32 entry points: %s.\n\n",
	       sk_action_format(plan->default_action, act, sizeof(act)),
	       plan->compat == SK_COMPAT_FILTER ? "filtered with the same rules" : "refused (the process is killed)");

	/* Whole-syscall decisions that differ from the default, by group. */
	printf("### Syscalls decided outright\n\n");
	printf("Numbers are x86_64 / aarch64; `-` means the call does not exist there.\n\n");
	printf("| group or syscall | action | syscalls | why | what it breaks |\n|---|---|---|---|---|\n");
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < plan->nentries; i++) {
			const struct sk_plan_entry *e = &plan->entries[i];
			if (!e->has_base || e->nrules || sk_action_eq(e->base, plan->default_action))
				continue;
			if ((pass == 0) != (e->via != NULL))
				continue;
			/* A group row lists all its members with this action, once. */
			if (e->via) {
				bool first = true;
				for (size_t j = 0; j < i; j++)
					if (plan->entries[j].via == e->via && plan->entries[j].has_base &&
					    !plan->entries[j].nrules && sk_action_eq(plan->entries[j].base, e->base))
						first = false;
				if (!first)
					continue;
				const struct sk_group *g = sk_group_lookup(e->via);
				printf("| `%s` | `%s` | ", e->via, sk_action_format(e->base, act, sizeof(act)));
				bool sep = false;
				for (size_t j = i; j < plan->nentries; j++) {
					const struct sk_plan_entry *f = &plan->entries[j];
					if (f->via != e->via || !f->has_base || f->nrules || !sk_action_eq(f->base, e->base))
						continue;
					if (sep)
						printf(", ");
					syscall_cell(f->name);
					sep = true;
				}
				printf(" | ");
				escape_cell(g ? g->help : "");
				printf(" | ");
				escape_cell(g ? g->breaks : "");
				printf(" |\n");
			} else {
				printf("| `%s` | `%s` | ", e->name, sk_action_format(e->base, act, sizeof(act)));
				syscall_cell(e->name);
				printf(" | named in the preset | see below |\n");
			}
		}
	}
	printf("\n### Argument rules\n\n");
	printf("Tried top to bottom; the first match decides.\n\n");
	printf("| syscall | condition | action | why |\n|---|---|---|---|\n");
	for (size_t i = 0; i < plan->nentries; i++) {
		const struct sk_plan_entry *e = &plan->entries[i];
		for (size_t k = 0; k < e->nrules; k++) {
			const struct sk_plan_rule *r = &e->rules[k];
			printf("| ");
			syscall_cell(e->name);
			printf(" | ");
			for (size_t c = 0; c < r->nconds; c++)
				printf("%s`%s`", c ? " and " : "", sk_cond_format(&r->conds[c], cond, sizeof(cond)));
			if (!r->nconds)
				printf("otherwise");
			printf(" | `%s` | ", sk_action_format(r->action, act, sizeof(act)));
			escape_cell(r->reason ? r->reason : "");
			printf(" |\n");
		}
	}
	printf("\n");
	access_markdown(plan);
	caps_markdown(plan);
	stockade_plan_free(plan);
}

/* Both take --markdown and nothing else.  Returns 1 to go on, or the exit
 * status. */
static int list_opts(int argc, char **argv, bool *md)
{
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i]))
			return cli_help(argv[0]);
		if (!strcmp(argv[i], "--markdown")) {
			*md = true;
			continue;
		}
		if (argv[i][0] == '-')
			unknown_option(argv[0], argv[i]);
		else
			usage_error(argv[0], "takes no arguments");
		return EXIT_STOCKADE;
	}
	return 1;
}

int cmd_presets(int argc, char **argv)
{
	bool md = false;
	int ret = list_opts(argc, argv, &md);

	if (ret != 1)
		return ret;
	if (md)
		printf("# Presets\n\nGenerated by `stockade presets --markdown` from the built-in tables; do not edit.\n\n");
	for (size_t i = 0; i < sk_presets_len; i++) {
		if (md)
			preset_markdown(&sk_presets[i]);
		else
			printf("%-14s %s\n", sk_presets[i].name, sk_presets[i].summary);
	}
	return 0;
}

int cmd_groups(int argc, char **argv)
{
	bool md = false;
	int ret = list_opts(argc, argv, &md);

	if (ret != 1)
		return ret;
	if (md)
		printf("# Syscall groups\n\nGenerated by `stockade groups --markdown`; do not edit. "
		       "Numbers are x86_64 / aarch64.\n\n");
	for (size_t i = 0; i < sk_groups_len; i++) {
		const struct sk_group *g = &sk_groups[i];
		if (!md) {
			printf("%-20s %s\n", g->name, g->help);
			continue;
		}
		printf("## `%s`\n\n%s.\n\nDenying it breaks: %s.\n\n", g->name, g->help, g->breaks);
		for (size_t k = 0; g->members[k]; k++) {
			printf("%s", k ? ", " : "");
			if (g->members[k][0] == '@')
				printf("`%s`", g->members[k]);
			else
				syscall_cell(g->members[k]);
		}
		printf("\n\n");
	}
	return 0;
}
