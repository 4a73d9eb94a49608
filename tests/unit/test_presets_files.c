/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The built-in presets are the files under presets/: the table in
 * src/policy/presets.c and the folder agree, each document is named after
 * its preset, and strict restates agent's setuid rules unchanged.
 */
#include <string.h>

#include "policy/policy.h"
#include "../harness.h"

TEST(presets_table_matches_files)
{
	CHECK_INT_EQ(sk_preset_files_len, sk_presets_len);
	for (size_t i = 0; i < sk_presets_len; i++) {
		const struct sk_preset *ps = &sk_presets[i];
		char want[128];
		struct sk_layer *l = NULL;
		char *ext = NULL;
		struct sk_origin ext_at;
		stockade_error *err = NULL;

		snprintf(want, sizeof(want), "presets/%s.yaml", ps->name);
		CHECK_MSG(!strcmp(ps->file, want), "%s: file %s", ps->name, ps->file);
		CHECK_MSG(sk_layer_parse_yaml(ps->file, ps->text, strlen(ps->text), &l, &ext, &ext_at, &err) == 0,
			  "%s: %s", ps->file, err ? err->msg : "");
		/* stockade_policy_name() of a pending preset is its table name. */
		CHECK_MSG(l && l->name && !strcmp(l->name, ps->name), "%s: name: %s", ps->file,
			  l && l->name ? l->name : "(none)");
		CHECK_MSG(!ps->base || sk_preset_lookup(ps->base), "%s: base %s", ps->name, ps->base);
		sk_layer_free(l);
		free(ext);
		stockade_error_free(err);
	}
}

static const struct sk_layer *preset_layer(stockade_policy *p, const char *file)
{
	for (size_t i = 0; i < p->nlayers; i++)
		if (!strcmp(p->layers[i]->file, file))
			return p->layers[i];
	return NULL;
}

static bool same_rule(const struct sk_rule *a, const struct sk_rule *b)
{
	return !strcmp(a->syscall, b->syscall) && a->nconds == b->nconds &&
	       !memcmp(a->conds, b->conds, a->nconds * sizeof(a->conds[0])) && sk_action_eq(a->action, b->action) &&
	       !a->reason == !b->reason && (!a->reason || !strcmp(a->reason, b->reason));
}

/* strict allows @file-system and @process, which drops agent's rules for
 * those calls, so strict.yaml repeats them (the setuid rules, the scheduler
 * and limit rules): they must stay the same as agent.yaml's. */
TEST(presets_strict_restates_agent_setuid_rules)
{
	static const char *const calls[] = { "chmod", "fchmod", "fchmodat", "creat", "open", "openat", "mknod",
					     "mknodat", "openat2", "prlimit64", "setpriority", "ioprio_set",
					     "sched_setaffinity", "sched_setscheduler", "sched_setparam", "sched_setattr" };
	stockade_policy *p = NULL;
	const struct sk_layer *agent, *strict;

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "strict", NULL) == 0);
	CHECK(sk_policy_materialize(p, NULL) == 0);
	agent = preset_layer(p, "presets/agent.yaml");
	strict = preset_layer(p, "presets/strict.yaml");
	CHECK(agent && strict);
	for (size_t c = 0; agent && strict && c < ARRAY_SIZE(calls); c++) {
		size_t na = 0, ns = 0;
		const struct sk_rule *ra[8], *rs[8];

		for (size_t i = 0; i < agent->nrules && na < 8; i++)
			if (!strcmp(agent->rules[i].syscall, calls[c]))
				ra[na++] = &agent->rules[i];
		for (size_t i = 0; i < strict->nrules && ns < 8; i++)
			if (!strcmp(strict->rules[i].syscall, calls[c]))
				rs[ns++] = &strict->rules[i];
		CHECK_MSG(na > 0 && na == ns, "%s: %zu rules in agent, %zu in strict", calls[c], na, ns);
		for (size_t i = 0; i < na && i < ns; i++)
			CHECK_MSG(same_rule(ra[i], rs[i]), "%s: rule %zu differs between agent and strict", calls[c], i);
	}
	stockade_policy_free(p);
}

/* The files and devices agent carves out of its grants, strict carves out
 * of its own (a carve-out reaches only its own layer and those below):
 * every system entry of agent's deny list is in strict's. */
TEST(presets_strict_carves_out_what_agent_does)
{
	stockade_policy *p = NULL;
	const struct sk_layer *agent, *strict;

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "strict", NULL) == 0);
	CHECK(sk_policy_materialize(p, NULL) == 0);
	agent = preset_layer(p, "presets/agent.yaml");
	strict = preset_layer(p, "presets/strict.yaml");
	CHECK(agent && strict);
	for (size_t i = 0; agent && strict && i < agent->nfs[SK_FS_DENY]; i++) {
		const char *a = agent->fs[SK_FS_DENY][i].path;
		bool found = false;

		for (size_t k = 0; k < strict->nfs[SK_FS_DENY] && !found; k++)
			found = !strcmp(strict->fs[SK_FS_DENY][k].path, a);
		CHECK_MSG(found, "agent carves out %s, strict does not", a);
	}
	/* /dev by name in both, and strict names no device agent does not. */
	CHECK(agent && strict && agent->ndevices && strict->ndevices);
	for (size_t i = 0; agent && strict && i < strict->ndevices; i++) {
		bool found = false;

		for (size_t k = 0; k < agent->ndevices && !found; k++)
			found = !strcmp(agent->devices[k].path, strict->devices[i].path);
		CHECK_MSG(found, "strict names %s, agent does not", strict->devices[i].path);
	}
	stockade_policy_free(p);
}

/* The gpu overlay's grants sit above agent's and strict's carve-out of
 * /dev (they name the terminal devices only), so they are not carved
 * (docs/landlock.md). */
TEST(presets_gpu_grants_above_the_carve_outs)
{
	static const char *const bases[] = { "agent", "strict" };

	for (size_t b = 0; b < ARRAY_SIZE(bases); b++) {
		stockade_policy *p = NULL;
		const struct sk_layer *base, *gpu;
		size_t ib = 0, ig = 0;
		bool carved = false, granted = false;

		CHECK(stockade_policy_new(&p, NULL) == 0 && stockade_policy_add_preset(p, bases[b], NULL) == 0 &&
		      stockade_policy_add_preset(p, "gpu", NULL) == 0 && sk_policy_materialize(p, NULL) == 0);
		for (size_t i = 0; i < p->nlayers; i++) {
			if (!strcmp(p->layers[i]->file, "presets/gpu.yaml"))
				ig = i;
			if (p->layers[i]->name && !strcmp(p->layers[i]->name, bases[b]))
				ib = i;
		}
		base = p->layers[ib];
		gpu = p->layers[ig];
		CHECK_MSG(ig > ib, "%s + gpu: gpu is layer %zu, the base %zu", bases[b], ig, ib);
		/* /dev by name: dri is not among the base's names. */
		carved = base->ndevices > 0;
		for (size_t i = 0; i < base->ndevices; i++)
			carved &= strcmp(base->devices[i].path, "/dev/dri") != 0;
		for (size_t i = 0; i < gpu->nfs[SK_FS_WRITE]; i++)
			granted |= !strcmp(gpu->fs[SK_FS_WRITE][i].path, "/dev/dri");
		CHECK_MSG(carved && granted, "%s: /dev/dri carved %d, granted by gpu %d", bases[b], carved, granted);
		stockade_policy_free(p);
	}
}
