/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade explain: what the policy does with one call and which line of
 * which policy (or preset) is responsible; --all: every syscall of the arch.
 * Each answer comes from the policy's semantics and is checked against the
 * compiled filter run in the simulator.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "cli.h"
#include "landlock/walk.h"
#include "plan/fs_eval.h"

/* "errno EPERM", "allow", "kill". */
static const char *action_text(struct sk_action a, char *buf, size_t size)
{
	char *colon;

	sk_action_format(a, buf, size);
	if ((colon = strchr(buf, ':')))
		*colon = ' ';
	return buf;
}

static void conds_text(const struct sk_plan_rule *r, char *buf, size_t size)
{
	size_t used = 0;
	char c[96];

	buf[0] = '\0';
	if (!r->nconds)
		snprintf(buf, size, "otherwise");
	for (size_t k = 0; k < r->nconds && used < size; k++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", k ? " && " : "",
					 sk_cond_format(&r->conds[k], c, sizeof(c)));
}

/* Who decided: "preset agent line 58, rule `arg0 & 0x10000000`". */
static void responsible(const stockade_plan *plan, const struct sk_verdict *v, char *buf, size_t size)
{
	char from[256], cond[300];

	if (!plan->seccomp_enabled) {
		snprintf(buf, size, "no filter: seccomp is disabled by the policy");
		return;
	}
	sk_origin_describe(&v->at, from, sizeof(from));
	if (v->rule) {
		conds_text(v->rule, cond, sizeof(cond));
		snprintf(buf, size, "%s, rule `%s`", from, cond);
	} else if (v->via) {
		snprintf(buf, size, "%s, group %s", from, v->via);
	} else if (v->at.file == plan->default_at.file && v->at.line == plan->default_at.line &&
		   v->at.column == plan->default_at.column) {
		snprintf(buf, size, "the default action (%s)", from);
	} else {
		snprintf(buf, size, "%s", from);
	}
}

static int explain_one(const stockade_plan *plan, const struct sk_filter_prog *f, const char *sysarg,
		       char **argtexts, int nargs)
{
	uint64_t args[SK_MAX_ARGS] = { 0 };
	struct sk_explanation x;
	stockade_error *err = NULL;
	char act[64], bpf[64], who[600], shown[512];
	_cleanup_free_ char *name = NULL;
	size_t used = 0;
	char *end;
	long num;

	if (nargs > SK_MAX_ARGS) {
		usage_error("explain", "a system call has at most %d arguments", SK_MAX_ARGS);
		return EXIT_STOCKADE;
	}
	num = strtol(sysarg, &end, 10);
	if (*sysarg && !*end) {
		name = sk_syscall_name(f->arch, (int)num);
		if (!name) {
			fprintf(stderr, "stockade: no system call has number %ld on %s\n", num,
				stockade_arch_name(f->arch));
			return EXIT_STOCKADE;
		}
	} else {
		name = strdup(sysarg);
		if (!name)
			return EXIT_STOCKADE;
	}
	for (int i = 0; i < nargs; i++) {
		size_t bad = 0;
		const char *bad_name = NULL;

		if (sk_value_parse(argtexts[i], strlen(argtexts[i]), &args[i], &bad, &bad_name) < 0) {
			const char *sug = bad_name ? sk_constant_suggest(bad_name) : NULL;
			fprintf(stderr, "stockade: explain: argument %d: cannot read `%s`%s%s%s\n", i, argtexts[i],
				sug ? " (did you mean `" : "", sug ? sug : "", sug ? "`?)" : "");
			return EXIT_STOCKADE;
		}
	}
	if (sk_explain(plan, f, name, args, &x, &err) < 0) {
		print_error(err);
		stockade_error_free(err);
		return EXIT_STOCKADE;
	}
	used = (size_t)snprintf(shown, sizeof(shown), "%s(", name);
	for (int i = 0; i < nargs && used < sizeof(shown); i++)
		used += (size_t)snprintf(shown + used, sizeof(shown) - used, "%s%s", i ? ", " : "", argtexts[i]);
	if (used < sizeof(shown))
		snprintf(shown + used, sizeof(shown) - used, ")");
	responsible(plan, &x.verdict, who, sizeof(who));
	printf("%s -> %s: %s\n", shown, action_text(x.verdict.action, act, sizeof(act)), who);
	if (x.verdict.reason)
		printf("  why: %s\n", x.verdict.reason);
	if (x.agree) {
		printf("  filter: %s syscall %d returns %#x after %u instructions (agrees)\n",
		       stockade_arch_name(f->arch), x.nr, x.ret, x.executed);
		return 0;
	}
	if (sk_action_from_ret(x.ret, &x.action) == 0)
		action_text(x.action, bpf, sizeof(bpf));
	else
		snprintf(bpf, sizeof(bpf), "%#x", x.ret);
	printf("  filter: %s syscall %d returns %#x after %u instructions: %s\n", stockade_arch_name(f->arch), x.nr,
	       x.ret, x.executed, bpf);
	fprintf(stderr, "stockade: explain: the compiled filter does `%s`, not what the policy says; the kernel "
			"would do `%s` (please report this)\n", bpf, bpf);
	return 1;
}

/* Every syscall of the arch, by number. */
static int explain_all(const stockade_plan *plan, const struct sk_filter_prog *f)
{
	char act[64], who[600], from[256];
	const uint64_t zero[SK_MAX_ARGS] = { 0 };
	int status = 0;

	sk_origin_describe(&plan->default_at, from, sizeof(from));
	printf("policy: %s\narch: %s\n", plan->name, stockade_arch_name(f->arch));
	if (plan->seccomp_enabled)
		printf("default: %s (%s)\n", action_text(plan->default_action, act, sizeof(act)), from);
	else
		printf("default: allow (seccomp is disabled by the policy)\n");
	printf("\n%-5s %-24s %-22s %s\n", "NR", "SYSCALL", "ACTION", "DECIDED BY");
	for (int n = 0; n < SK_NR_LIMIT; n++) {
		_cleanup_free_ char *name = sk_syscall_name(f->arch, n);
		const struct sk_plan_entry *e;
		struct sk_argvec *vecs = NULL;
		struct sk_explanation x;
		stockade_error *err = NULL;
		size_t nvecs = 0;
		bool agree = true;

		if (!name || sk_syscall_nr(f->arch, name) != (f->arch == SCMP_ARCH_X32 ? n | 0x40000000 : n))
			continue;
		e = plan->seccomp_enabled ? sk_plan_lookup(plan, name) : NULL;
		if (sk_explain(plan, f, name, zero, &x, &err) < 0) {
			print_error(err);
			stockade_error_free(err);
			return EXIT_STOCKADE;
		}
		/* The table shows the zero-argument call; every rule is also
		 * checked at its boundaries. */
		if (e && e->nrules && sk_probe_args(plan, name, &vecs, &nvecs) == 0) {
			for (size_t v = 0; v < nvecs && agree; v++) {
				struct sk_explanation y;
				if (sk_explain(plan, f, name, vecs[v].a, &y, NULL) < 0 || !y.agree)
					agree = false;
			}
			free(vecs);
		}
		agree = agree && x.agree;
		if (e && e->nrules) {
			/* Rules decide: list the actions they can give. */
			char acts[128] = "";
			size_t used = 0, nseen = 0;
			struct sk_action seen[8];
			bool catch_all = false;
			for (size_t k = 0; k <= e->nrules; k++) {
				struct sk_action a;
				bool dup = false;
				if (k < e->nrules) {
					a = e->rules[k].action;
					catch_all |= e->rules[k].nconds == 0;
				} else if (!catch_all) {
					a = sk_plan_entry_base(plan, e);
				} else {
					break; /* a catch-all rule: the base never applies */
				}
				for (size_t s = 0; s < nseen; s++)
					dup |= sk_action_eq(seen[s], a);
				if (dup || nseen == ARRAY_SIZE(seen) || used >= sizeof(acts))
					continue;
				seen[nseen++] = a;
				used += (size_t)snprintf(acts + used, sizeof(acts) - used, "%s%s", nseen > 1 ? "|" : "",
							 action_text(a, act, sizeof(act)));
			}
			sk_origin_describe(&e->rules[0].at, from, sizeof(from));
			snprintf(who, sizeof(who), "%zu argument rule%s, %s", e->nrules, e->nrules > 1 ? "s" : "",
				 from);
			printf("%-5d %-24s %-22s %s%s\n", n, name, acts, who, agree ? "" : "  [FILTER DISAGREES]");
		} else {
			responsible(plan, &x.verdict, who, sizeof(who));
			printf("%-5d %-24s %-22s %s%s\n", n, name, action_text(x.verdict.action, act, sizeof(act)), who,
			       agree ? "" : "  [FILTER DISAGREES]");
		}
		if (!agree)
			status = 1;
	}
	if (status)
		fprintf(stderr, "stockade: explain: the compiled filter disagrees with the policy on the rows marked "
				"(please report this)\n");
	return status;
}

/* `path` as the kernel would resolve it: links followed, and for a name
 * that does not exist yet, its directory's. */
static char *canonical(const char *path)
{
	char *c = realpath(path, NULL), *dir, *res;
	const char *base;

	if (c || errno != ENOENT)
		return c;
	base = strrchr(path, '/');
	dir = base ? strndup(path, base == path ? 1 : (size_t)(base - path)) : strdup(".");
	base = base ? base + 1 : path;
	c = dir ? realpath(dir, NULL) : NULL;
	free(dir);
	if (!c || !*base)
		return c;
	res = malloc(strlen(c) + strlen(base) + 2);
	if (res)
		sprintf(res, "%s%s%s", c, strcmp(c, "/") ? "/" : "", base);
	free(c);
	return res;
}

/* explain --path: what the filesystem lists do with one access. */
static int explain_path(const stockade_plan *plan, const char *path, const char *access, const char *from)
{
	struct sk_fs_index *ix = NULL;
	struct sk_path_env env;
	stockade_error *err = NULL;
	struct sk_fs_verdict v;
	enum sk_fs_op op = SK_FS_OP_READ;
	_cleanup_free_ char *abs = NULL, *src = NULL;
	char shown[PATH_MAX], link[PATH_MAX], target[PATH_MAX];

	if (access && sk_fs_op_from_name(access, &op) < 0) {
		usage_error("explain", "unknown access `%s` (read, write, create, remove, exec, rename, link)", access);
		return EXIT_STOCKADE;
	}
	if ((op == SK_FS_OP_RENAME || op == SK_FS_OP_LINK) != (from != NULL)) {
		usage_error("explain", "--from SOURCE goes with --access rename or link, and only with them");
		return EXIT_STOCKADE;
	}
	/* Through a link into /proc/self (/dev/stdin): explain's own, not
	 * the command's.  The answer depends on what the command's descriptor
	 * is open on, which explain cannot see. */
	if (plan->access.fs && sk_explain_self_link(path, link, sizeof(link), target, sizeof(target))) {
		printf("%s %s -> depends: %s is a link to %s, the command's own descriptor, and the access is "
		       "checked on what that is open on: a pipe or a socket always opens (Landlock does not govern "
		       "them); a terminal or a file is checked as its own path; the link itself grants nothing (a "
		       "device is granted by its own name)\n",
		       sk_fs_op_name(op), path, link, target);
		printf("  to know: stockade explain --path FILE for the file or terminal it is open on\n");
		return 0;
	}
	if (!(abs = canonical(path)) || (from && !(src = canonical(from)))) {
		fprintf(stderr, "stockade: explain: %s: %s\n", abs ? from : path, strerror(errno));
		return EXIT_STOCKADE;
	}
	if (sk_path_env_current(&env, &err) < 0 || sk_fs_index_new_lazy(plan, &env, &ix, &err) < 0) {
		print_error(err);
		stockade_error_free(err);
		sk_path_env_free(&env);
		return EXIT_STOCKADE;
	}
	/* A write root that `run` refuses (TMPDIR=/etc) grants nothing: the
	 * run does not start. */
	_cleanup_free_ char *real_home = env.home ? realpath(env.home, NULL) : NULL;

	for (size_t i = 0; plan->access.fs && !plan->access.broad_write && i < plan->access.npaths; i++) {
		const struct sk_fs_path *p = &plan->access.paths[i];
		_cleanup_free_ char *root = NULL, *canon = NULL;

		if (p->kind != SK_FS_WRITE || sk_path_expand(p->path, &env, &root) < 0 || !root ||
		    !(canon = realpath(root, NULL)))
			continue;
		if (sk_check_write_root(p, canon, &env, real_home, &err) < 0) {
			printf("%s %s -> refused: `stockade run` would not start\n", sk_fs_op_name(op), path);
			print_error(err);
			stockade_error_free(err);
			sk_fs_index_free(ix);
			sk_path_env_free(&env);
			return EXIT_STOCKADE;
		}
	}
	sk_explain_fs(ix, abs, op, src, &v);
	sk_fs_show_path(ix, abs, shown, sizeof(shown));
	printf("%s %s -> %s: %s\n", sk_fs_op_name(op), shown, v.allowed ? "allowed" : v.why == SK_FS_WHY_GAINS ? "refused (EXDEV)" : "refused (EACCES)", v.explain);
	if (!v.allowed)
		printf("  fix: %s\n", v.fix);
	sk_fs_index_free(ix);
	sk_path_env_free(&env);
	return 0;
}

int cmd_explain(int argc, char **argv)
{
	const char *path = NULL, *access = NULL, *from = NULL;
	struct policy_opts o = { 0 };
	struct sk_filter_prog f = { 0 };
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	bool all = false;
	int i, ret = EXIT_STOCKADE;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || (a[1] >= '0' && a[1] <= '9'))
			break;
		if (cli_is_help(a)) {
			ret = cli_help(argv[0]);
			goto done;
		}
		if (!strcmp(a, "--all")) {
			all = true;
			continue;
		}
		if (!strcmp(a, "--path") || !strcmp(a, "--access") || !strcmp(a, "--from")) {
			if (i + 1 >= argc) {
				usage_error(argv[0], "option %s needs a value", a);
				goto done;
			}
			*(a[2] == 'p' ? &path : a[2] == 'a' ? &access : &from) = argv[++i];
			continue;
		}
		r = policy_opt_parse(&o, argc, argv, &i);
		if (r < 0)
			goto done;
		if (r == 0) {
			unknown_option(argv[0], a);
			goto done;
		}
	}
	if (path || access || from) {
		if (!path || all || i < argc) {
			usage_error(argv[0], path ? "--path takes no syscall" : "--access and --from go with --path");
			goto done;
		}
		plan = policy_opts_plan(&o);
		if (plan)
			ret = explain_path(plan, path, access, from);
		goto done;
	}
	if (all == (i < argc)) {
		usage_error(argv[0], all ? "--all takes no syscall" : "which syscall? (or --all)");
		goto done;
	}
	plan = policy_opts_plan(&o);
	if (!plan)
		goto done;
	if (all)
		print_oci_notes(o.policy);
	if (sk_filter_compile(plan, o.arch ? o.arch : seccomp_arch_native(), &f, &err) < 0) {
		print_error(err);
		stockade_error_free(err);
		goto done;
	}
	ret = all ? explain_all(plan, &f) : explain_one(plan, &f, argv[i], argv + i + 1, argc - i - 1);
done:
	sk_filter_release(&f);
	stockade_plan_free(plan);
	policy_opts_free(&o);
	return ret;
}
