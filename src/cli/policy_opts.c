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
		usage_error("option %s needs a value", name);
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

int policy_opt_parse(struct policy_opts *o, int argc, char **argv, int *i)
{
	stockade_error *err = NULL;
	const char *v;
	int ret = 0;

	if (ensure_policy(o) < 0)
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
	} else if ((v = opt_value(argc, argv, i, "--arch"))) {
		if (!*v)
			return -1;
		if (stockade_arch_from_name(v, &o->arch) < 0) {
			usage_error("unknown architecture `%s` (x86_64, aarch64, i386, x32, native)", v);
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
