/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --policy, --preset, --allow, --deny, --arch: shared by run, show, ... */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/base.h"
#include "cli.h"
#include "outfile.h"
#include "plan/plan.h"
#include "policy/policy.h"

static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) == 0 && a[n] == '=')
		return a + n + 1;
	if (strcmp(a, name) != 0)
		return NULL;
	if (*i + 1 >= argc) {
		usage_error(argv[0], "option %s needs a value", name);
		return "";
	}
	return argv[++*i];
}

static int ensure_policy(struct policy_opts *o)
{
	stockade_error *err = NULL;

	if (o->policy)
		return 0;
	if (stockade_policy_new(&o->policy, &err) < 0) {
		print_error(err);
		stockade_error_free(err);
		return -1;
	}
	return 0;
}

/* Options that parse a big document: its parser recycles memory fast, which
 * the musl CLI's arena does not (src/musl/arena.c), so it is stopped before.
 * A policy file or an override on a preset (--policy, --allow, --net, ...)
 * no longer is one: the preset's layers load from the binary
 * (policy/layer_blob.h), the file is a few lines, and the run fits in the
 * arena without starting mimalloc (~0.15 ms of a policy-file run). */
static const char *const building_opts[] = { "--oci-profile", NULL };

static bool is_one_of(const char *arg, const char *const *names)
{
	size_t n = strcspn(arg, "=");

	for (size_t k = 0; names[k]; k++)
		if (strlen(names[k]) == n && !strncmp(arg, names[k], n))
			return true;
	return false;
}

/*
 * OCI profiles are resolved for one architecture, capability set and kernel
 * while they load, so those settings must be known before any profile is:
 * look ahead for them when the first policy option is seen.  The scan stops
 * at `--` and at the first operand (run's command, explain's syscall).
 */
static int prescan_oci(struct policy_opts *o, int argc, char **argv, int from)
{
	const struct cli_command *cmd = cli_command_find(argv[0]);
	stockade_error *err = NULL;
	uint32_t arch;

	for (int j = from; j < argc; j++) {
		const char *a = argv[j], *v = NULL, *eq = strchr(a, '=');
		const struct cli_option *opt = cli_option_find(cmd, a);
		size_t n = eq ? (size_t)(eq - a) : strlen(a);
		int ret = 0;

		if (!strcmp(a, "--") || a[0] != '-')
			break;
		/* Step over the values of the command's own options too. */
		if (opt && opt->arg && !eq && j + 1 < argc)
			v = argv[++j];
		else if (eq)
			v = eq + 1;
		if (!v)
			continue;
		if (!strncmp(a, "--arch", n) && n == 6 && stockade_arch_from_name(v, &arch) == 0)
			ret = stockade_policy_set_oci_arch(o->policy, arch, &err);
		else if (!strncmp(a, "--oci-caps", n) && n == 10)
			ret = stockade_policy_set_oci_caps(o->policy, v, &err);
		else if (!strncmp(a, "--oci-kernel", n) && n == 12)
			ret = stockade_policy_set_oci_kernel(o->policy, v, &err);
		if (ret < 0) {
			print_error(err);
			stockade_error_free(err);
			return -1;
		}
	}
	return 0;
}

/* --policy -: the policy text on standard input. */
static int add_stdin(stockade_policy *p, stockade_error **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0, size = 0;
	ssize_t n;

	for (;;) {
		if (len + 4096 > size) {
			char *t = realloc(text, size = size ? size * 2 : 8192);

			if (!t)
				return sk_error(err, ENOMEM, "out of memory");
			text = t;
		}
		n = read(STDIN_FILENO, text + len, size - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sk_error(err, errno, "--policy -: reading standard input: %s", strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > (16u << 20))
			return sk_error(err, EFBIG, "--policy -: more than 16 MiB on standard input");
	}
	if (!text)
		text = strdup("");
	if (!text)
		return sk_error(err, ENOMEM, "out of memory");
	text[len] = '\0';
	return stockade_policy_add_text(p, "<stdin>", text, len, err);
}

/*
 * A --policy file whose bottom layer has no `extends:` starts from nothing:
 * no filesystem rules, the whole network, namespaces allowed.  That is
 * almost never what its author meant (it looks like "agent plus my
 * changes"), so the CLI asks for the base to be named; `extends: none`
 * keeps the empty start on purpose.
 */
static int unanchored_error(const struct sk_layer *l, stockade_error **err)
{
	sk_error_at(err, EINVAL, l->file, l->text, 1, 1,
		    "%s:1:1: this policy has no `extends:`, so it starts from nothing: no filesystem rules, the "
		    "whole network, namespaces and every syscall it does not name allowed",
		    l->file);
	sk_error_hint(err, "add `extends: agent` (the default preset) to build on it, or `extends: none` to start "
			   "from nothing on purpose");
	return -EINVAL;
}

static int opt_parse(struct policy_opts *o, int argc, char **argv, int *i)
{
	stockade_error *err = NULL;
	bool fresh = !o->policy;
	const char *v;
	int ret = 0;

	if (sk_arena_stop && is_one_of(argv[*i], building_opts))
		sk_arena_stop();
	if (ensure_policy(o) < 0)
		return -1;
	if (fresh && prescan_oci(o, argc, argv, *i) < 0)
		return -1;
	if ((v = opt_value(argc, argv, i, "--policy"))) {
		if (!*v)
			return -1;
		ret = !strcmp(v, "-") ? add_stdin(o->policy, &err) : stockade_policy_add_file(o->policy, v, &err);
		if (ret == 0 && o->policy->unanchored)
			ret = unanchored_error(o->policy->unanchored, &err);
		o->have_base = true;
	} else if ((v = opt_value(argc, argv, i, "--preset"))) {
		if (!*v)
			return -1;
		ret = stockade_policy_add_preset(o->policy, v, &err);
		o->have_base = true;
	} else if ((v = opt_value(argc, argv, i, "--allow"))) {
		if (!*v)
			return -1;
		/* Overrides go on top of the base: load the default first. */
		if (policy_opts_finish(o) < 0)
			return -1;
		ret = stockade_policy_allow(o->policy, v, &err);
	} else if ((v = opt_value(argc, argv, i, "--deny"))) {
		if (!*v)
			return -1;
		if (policy_opts_finish(o) < 0)
			return -1;
		ret = stockade_policy_deny(o->policy, v, NULL, &err);
	} else if ((v = opt_value(argc, argv, i, "--oci-profile"))) {
		if (!*v)
			return -1;
		/* The profile replaces the syscall rules of the base (agent
		 * unless one was named) and keeps its files and network, as
		 * --allow stacks on agent.  compile exports the profile itself
		 * (a filter for another runtime), as `extends: oci:FILE` does. */
		bool export_only = !strcmp(argv[0], "compile") && !o->have_base;

		if (!export_only && policy_opts_finish(o) < 0)
			return -1;
		ret = stockade_policy_add_oci(o->policy, v, &err);
		if (ret == 0 && !export_only && o->policy->nlayers)
			o->policy->layers[o->policy->nlayers - 1]->seccomp_replace = true;
		o->have_base = true;
	} else if ((v = opt_value(argc, argv, i, "--oci-caps"))) {
		if (!*v)
			return -1;
		ret = stockade_policy_set_oci_caps(o->policy, v, &err);
	} else if ((v = opt_value(argc, argv, i, "--oci-kernel"))) {
		if (!*v)
			return -1;
		ret = stockade_policy_set_oci_kernel(o->policy, v, &err);
	} else if ((v = opt_value(argc, argv, i, "--net"))) {
		if (!*v)
			return -1;
		if (policy_opts_finish(o) < 0)
			return -1;
		ret = stockade_policy_set_network(o->policy, v, &err);
	} else if ((v = opt_value(argc, argv, i, "--allow-host"))) {
		if (!*v || policy_opts_finish(o) < 0)
			return -1;
		ret = stockade_policy_allow_host(o->policy, v, &err);
	} else if ((v = opt_value(argc, argv, i, "--tcp-connect"))) {
		if (!*v || policy_opts_finish(o) < 0)
			return -1;
		ret = stockade_policy_tcp_connect(o->policy, v, &err);
	} else if ((v = opt_value(argc, argv, i, "--read"))) {
		if (!*v || policy_opts_finish(o) < 0)
			return -1;
		ret = stockade_policy_add_path(o->policy, "read", v, &err);
	} else if ((v = opt_value(argc, argv, i, "--write"))) {
		if (!*v || policy_opts_finish(o) < 0)
			return -1;
		ret = stockade_policy_add_path(o->policy, "write", v, &err);
	} else if ((v = opt_value(argc, argv, i, "--keep-env"))) {
		if (!*v || policy_opts_finish(o) < 0)
			return -1;
		ret = stockade_policy_keep_env(o->policy, v, &err);
	} else if ((v = opt_value(argc, argv, i, "--exec"))) {
		if (!*v || policy_opts_finish(o) < 0)
			return -1;
		ret = stockade_policy_add_path(o->policy, "exec", v, &err);
	} else if ((v = opt_value(argc, argv, i, "--isolation"))) {
		/* Set on the plan, not a layer: presets' plans still load
		 * from the binary. */
		if (!*v)
			return -1;
		ret = stockade_policy_set_isolation(o->policy, v, &err);
	} else if ((v = opt_value(argc, argv, i, "--arch"))) {
		if (!*v)
			return -1;
		if (stockade_arch_from_name(v, &o->arch) < 0) {
			usage_error(argv[0], "unknown architecture `%s` (x86_64, aarch64, i386, x32, native)", v);
			return -1;
		}
		o->arch_name = v;
	} else {
		return 0;
	}
	if (ret < 0) {
		print_error(err);
		stockade_error_free(err);
		return -1;
	}
	return 1;
}

/* On an error the policy is freed: every caller gives up then. */
int policy_opt_parse(struct policy_opts *o, int argc, char **argv, int *i)
{
	int ret = opt_parse(o, argc, argv, i);

	if (ret < 0)
		policy_opts_free(o);
	return ret;
}

int policy_opts_finish(struct policy_opts *o)
{
	stockade_error *err = NULL;

	if (ensure_policy(o) < 0)
		return -1;
	if (o->have_base)
		return 0;
	o->have_base = true;
	if (stockade_policy_add_preset(o->policy, "agent", &err) < 0) {
		print_error(err);
		stockade_error_free(err);
		return -1;
	}
	return 0;
}

stockade_plan *policy_opts_plan(struct policy_opts *o)
{
	stockade_error *err = NULL;
	stockade_plan *plan = NULL;

	if (policy_opts_finish(o) < 0)
		return NULL;
	if (stockade_plan_build(o->policy, &plan, &err) < 0) {
		print_error(err);
		stockade_error_free(err);
		return NULL;
	}
	return plan;
}

/* A policy file (or a file its extends: chain names) inside one of the
 * run's write roots: the command can rewrite the policy of the next run
 * (add a socket, a broad write root).  Said, as for report files. */
void warn_writable_policy_files(const struct policy_opts *o, const stockade_plan *plan)
{
	for (size_t i = 0; o->policy && i < o->policy->nlayers; i++) {
		const struct sk_layer *l = o->policy->layers[i];

		if (l->builtin || !l->file || l->file[0] == '<' || access(l->file, F_OK) < 0)
			continue;
		outfile_warn_writable(plan, "policy file", l->file);
	}
}

static bool users_write_path(const struct sk_fs_path *p)
{
	return p->kind == SK_FS_WRITE && !(p->at.file && !strncmp(p->at.file, "presets/", 8));
}

void warn_missing_write_paths(const stockade_plan *plan)
{
	const struct sk_plan_access *sb = &plan->access;
	struct sk_path_env env = { 0 };
	stockade_error *err = NULL;
	bool any = false;

	/* The presets list caches that may not exist on this machine: only
	 * what the user wrote is worth a warning (and a look at the
	 * environment: most runs have nothing to check). */
	for (size_t i = 0; sb->fs && i < sb->npaths && !any; i++)
		any = users_write_path(&sb->paths[i]);
	if (!any || sk_path_env_current(&env, &err) < 0) {
		stockade_error_free(err);
		return;
	}
	for (size_t i = 0; i < sb->npaths; i++) {
		const struct sk_fs_path *p = &sb->paths[i];
		_cleanup_free_ char *abs = NULL;

		if (!users_write_path(p))
			continue;
		if (sk_path_expand(p->path, &env, &abs) < 0 || access(abs, F_OK) == 0 || errno != ENOENT)
			continue;
		fprintf(stderr, "stockade: warning: write path %s", p->path);
		if (strcmp(abs, p->path))
			fprintf(stderr, " (%s)", abs);
		if (p->at.file && p->at.line)
			fprintf(stderr, " at %s:%d", p->at.file, p->at.line);
		else if (p->at.file)
			fprintf(stderr, " (%s)", p->at.file);
		fprintf(stderr, " does not exist, so nothing is granted there (Landlock grants paths that exist when "
				"the sandbox starts); create it first: mkdir -p %s\n",
			abs);
	}
	sk_path_env_free(&env);
}

void policy_opts_free(struct policy_opts *o)
{
	stockade_policy_free(o->policy);
	o->policy = NULL;
}
