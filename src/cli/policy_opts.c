/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --policy, --preset, --allow, --deny, --arch: shared by run, show, ... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

/* Options that make the policy more than built-in presets, whose plans load
 * from the binary: a file to parse, or a plan to build.  libyaml and
 * libseccomp recycle memory fast then, which the musl CLI's arena does not
 * (src/musl/arena.c), so it is stopped before. */
static const char *const building_opts[] = { "--policy", "--oci-profile", "--allow", "--deny",
					     "--net",	  "--read",	   "--write", "--exec", "--allow-host", "--tcp-connect", NULL };

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
		ret = stockade_policy_add_file(o->policy, v, &err);
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
		ret = stockade_policy_add_oci(o->policy, v, &err);
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

void policy_opts_free(struct policy_opts *o)
{
	stockade_policy_free(o->policy);
	o->policy = NULL;
}
