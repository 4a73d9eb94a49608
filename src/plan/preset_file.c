/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A policy file on a built-in preset (`extends: agent`): what of its plan
 * the preset's compiled-in plan (plan/preset_plans.h) already holds.
 *
 *  - sk_plan_build_on_preset: a file that adds nothing to the syscall rules
 *    (the filesystem, the environment, isolation, capabilities, the scope,
 *    the network) gets the preset's plan, or the variant of it with the
 *    file's network mode and ports, with its access part flattened again
 *    over all the layers: the entries, rules, regions and filter are the
 *    compiled-in plan's, only the origin of the network rules moves to the
 *    policy's `mode:`.  ~0.1 ms less than building the plan, and the
 *    filter of a TCP port list or mode proxy is not generated (~0.15 ms);
 *  - sk_plan_reuse_preset_filter: any other plan on a preset whose filter
 *    key is the preset's takes the preset's filter instead of generating it.
 *
 * Both are checked against the full build by tests/unit/test_preset_fast.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan/preset_plans.h"

/* The blob of the chain of built-in presets at the bottom of the policy's
 * layers ("agent,strict": layers 0 and 1), if it has one and it is this
 * library's; *k: how many layers it covers. */
static const struct sk_preset_blob *chain_blob(const stockade_policy *policy, size_t *k)
{
	const struct sk_preset_blob *b = NULL;
	char chain[256];
	size_t used = 0, i;
	uint64_t fp;

	chain[0] = '\0';
	for (i = 0; i < policy->nlayers && policy->layers[i]->builtin; i++) {
		const struct sk_preset *ps = NULL;
		int w;

		for (size_t n = 0; n < sk_presets_len && !ps; n++)
			if (!strcmp(sk_presets[n].file, policy->layers[i]->file))
				ps = &sk_presets[n];
		if (!ps)
			break;
		w = snprintf(chain + used, sizeof(chain) - used, "%s%s", used ? "," : "", ps->name);
		if (w < 0 || (size_t)w >= sizeof(chain) - used)
			return NULL;
		used += (size_t)w;
	}
	*k = i;
	if (!used || sk_preset_cache_disabled())
		return NULL;
	for (size_t n = 0; n < sk_preset_blobs_len && !b; n++)
		if (!strcmp(sk_preset_blobs[n].chain, chain))
			b = &sk_preset_blobs[n];
	if (!b || b->len < 16)
		return NULL;
	/* The presets' texts are this library's (as sk_preset_blob_find checks). */
	fp = sk_preset_fingerprint(b->chain);
	if (fp == 0 || memcmp(b->data + 8, &fp, sizeof(fp)) != 0)
		return NULL;
	return b;
}

/* A layer that says anything about the syscall rules. */
static bool touches_seccomp(const struct sk_layer *l)
{
	return l->seccomp_replace || l->nallow || l->ndeny || l->nrules || l->default_set || l->compat_set ||
	       l->mode_set || l->enabled_set || l->deny_action_set;
}

static bool same_origin(const struct sk_origin *a, const struct sk_origin *b)
{
	return a->line == b->line && a->column == b->column &&
	       (a->file == b->file || (a->file && b->file && !strcmp(a->file, b->file)));
}

/* What the network rules are made of, besides the syscall rules below
 * them: the mode, whether TCP ports are listed, whether a tcp_connect entry
 * names an address (access.c: network_rules, fastopen_rules). */
struct netkey {
	enum sk_net_mode net;
	bool ports, addrs;
};

/* As sk_plan_access_flatten will find it: the last mode set, the port
 * lists from the last layer that replaces them. */
static struct netkey layers_netkey(const stockade_policy *policy)
{
	struct netkey k = { .net = SK_NET_FULL };
	size_t first_tcp = 0;

	for (size_t li = 0; li < policy->nlayers; li++) {
		if (policy->layers[li]->net_mode)
			k.net = policy->layers[li]->net_mode;
		if (policy->layers[li]->net_replace)
			first_tcp = li;
	}
	for (size_t li = first_tcp; li < policy->nlayers; li++) {
		const struct sk_layer *l = policy->layers[li];

		k.ports = k.ports || l->ntcp[SK_TCP_CONNECT] || l->ntcp[SK_TCP_BIND];
		for (size_t i = 0; i < l->ntcp[SK_TCP_CONNECT]; i++)
			k.addrs = k.addrs || l->tcp[SK_TCP_CONNECT][i].family != 0;
	}
	return k;
}

static bool netkey_is(const struct sk_plan_access *a, struct netkey k)
{
	return a->net == k.net && (a->ntcp[SK_TCP_CONNECT] || a->ntcp[SK_TCP_BIND]) == k.ports &&
	       (a->ntcp_addrs > 0) == k.addrs;
}

int sk_plan_build_on_preset(const stockade_policy *policy, stockade_plan **out, stockade_error **err)
{
	const struct sk_preset_blob *b;
	stockade_plan *plan = NULL;
	struct sk_origin old_at;
	struct netkey want;
	bool tcp_sockets, variant = false;
	size_t k;
	int ret;

	*out = NULL;
	if (!(b = chain_blob(policy, &k)))
		return 0;
	for (size_t i = k; i < policy->nlayers; i++)
		if (touches_seccomp(policy->layers[i]))
			return 0;
	/* The chain's plan, or its variant with the file's network
	 * (plan/preset_plans.h: sk_preset_variant). */
	want = layers_netkey(policy);
	for (size_t i = 0; i < sk_preset_variants_len; i++) {
		const struct sk_preset_variant *v = &sk_preset_variants[i];
		if (!strcmp(v->chain, b->chain) && v->net == want.net && v->ports == want.ports && v->addrs == want.addrs) {
			b = &v->blob; /* (the same presets: the fingerprint checked above) */
			variant = true;
			break;
		}
	}
	if ((ret = sk_preset_blob_load(b, &plan)) < 0)
		return ret == -ENOMEM ? sk_error(err, ENOMEM, "out of memory") : 0;
	/* A plan with a fallback is not one a variant is (gen_presets), and
	 * the socket rules must be the ones this network would get (a blob
	 * keeps no tcp_connect address: the variant's table entry says). */
	if (plan->net_fallback || plan->access.net != want.net ||
	    (plan->access.ntcp[SK_TCP_CONNECT] || plan->access.ntcp[SK_TCP_BIND]) != want.ports ||
	    (!variant && want.addrs))
		goto not_here;
	tcp_sockets = plan->access.tcp_sockets;
	old_at = plan->access.net_at;
	sk_plan_access_free(plan);
	plan->net_fallback = NULL;
	if ((ret = sk_plan_access_flatten(plan, policy, err)) < 0)
		goto fail;
	if (!netkey_is(&plan->access, want))
		goto not_here;
	/* (network_rules decided it from the same syscall rules, mode and
	 * ports) */
	plan->access.tcp_sockets = tcp_sockets;
	/* The run needs the plan that denies TCP too (a kernel whose
	 * Landlock cannot limit ports, or Landlock off): built in full. */
	if (tcp_sockets && !(policy->tcp_fallback_unneeded && plan->access.landlock != SK_LANDLOCK_OFF))
		goto not_here;
	/* The network rules (and the Fast Open ones) name where the mode was
	 * set: the preset's line, or the variant's, becomes this policy's.
	 * Always re-pointed, even to the same place: the flattening interned
	 * its own copy of the file name, and a rule is known as a network rule
	 * by that very pointer (run/denial.c: is_net_rule). */
	for (size_t i = 0; i < plan->nentries; i++)
		for (size_t j = 0; j < plan->entries[i].nrules; j++)
			if (same_origin(&plan->entries[i].rules[j].at, &old_at))
				plan->entries[i].rules[j].at = plan->access.net_at;
	free(plan->name);
	if (!(plan->name = strdup(stockade_policy_name(policy)))) {
		ret = sk_error(err, ENOMEM, "out of memory");
		goto fail;
	}
	*out = plan;
	return 1;
not_here:
	stockade_plan_free(plan);
	return 0;
fail:
	stockade_plan_free(plan);
	return ret;
}

static int copy_filter(const stockade_plan *plan, struct sock_filter **to, size_t *to_len, const struct sock_filter *bpf,
		       size_t len)
{
	if (!len || !plan->seccomp_enabled || plan->audit || *to)
		return 0;
	if (!(*to = malloc(len * sizeof(*bpf))))
		return -ENOMEM;
	memcpy(*to, bpf, len * sizeof(*bpf));
	*to_len = len;
	return 0;
}

int sk_plan_reuse_preset_filter(stockade_plan *plan, const stockade_policy *policy)
{
	const struct sk_preset_blob *b;
	stockade_plan *fb = plan->net_fallback;
	size_t k;
	int ret;

	if (plan->bpf || plan->mbpf || !plan->seccomp_enabled || plan->audit || !(b = chain_blob(policy, &k)) ||
	    !b->filter_key || !sk_plan_filter_key_is(plan, b->filter_key, b->filter_key_len))
		return 0;
	ret = copy_filter(plan, &plan->bpf, &plan->bpf_len, b->bpf, b->bpf_len);
	if (ret == 0)
		ret = copy_filter(plan, &plan->mbpf, &plan->mbpf_len, b->mbpf, b->mbpf_len);
	if (ret == 0 && fb)
		ret = copy_filter(fb, &fb->bpf, &fb->bpf_len, b->fallback_bpf, b->fallback_bpf_len);
	if (ret == 0 && fb)
		ret = copy_filter(fb, &fb->mbpf, &fb->mbpf_len, b->fallback_mbpf, b->fallback_mbpf_len);
	/* The same rules: the same answer on the fence. */
	if (ret == 0 && b->fence_known) {
		plan->fence_closed = b->fence_closed;
		plan->fence_known = true;
		if (fb) {
			fb->fence_closed = b->fallback_fence_closed;
			fb->fence_known = true;
		}
	}
	if (ret < 0) {
		for (stockade_plan *p = plan; p; p = p->net_fallback) {
			free(p->bpf);
			free(p->mbpf);
			p->bpf = p->mbpf = NULL;
			p->bpf_len = p->mbpf_len = 0;
		}
	}
	return ret;
}
