/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Layers -> plan.  The semantics, in the order they apply:
 *
 *  - layers apply bottom (the preset a policy extends) to top (command line);
 *  - `default_action`, `deny_action`, `compat_arches`, `enabled`: the last
 *    layer that sets one wins;
 *  - `allow` / `deny` set a syscall's base action outright and drop argument
 *    rules inherited from lower layers (seed 000: `allow: [memfd_create]`
 *    must simply allow it).  Within one layer a name beats a @group that
 *    contains it; a syscall both allowed and denied at the same level is an
 *    error;
 *  - `rules` are tried first-match-wins: a layer's rules, in file order, come
 *    before the rules it inherits.  No rule matching means the base action.
 *    A rule that an earlier rule of the same layer makes unreachable is an
 *    error (a contradiction); one overridden by a higher layer is not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"

/* Slots for the syscalls a policy mentions, found through a small hash
 * table.  libseccomp knows fewer than 500 names on all arches together. */
#define SLOTS 1024
#define HASH_SIZE 2048

struct builder {
	stockade_plan *plan;
	const char *names[SLOTS]; /* slot -> syscall name (owned by a table or layer) */
	size_t nall;
	unsigned short hash[HASH_SIZE]; /* slot + 1, 0 = empty */
	struct sk_plan_entry slots[SLOTS];
	bool used[SLOTS];
	/* per-layer bookkeeping for conflicts */
	size_t mark_layer[SLOTS];
	const struct sk_name_ref *mark_ref[SLOTS];
	bool mark_allow[SLOTS], mark_group[SLOTS];
	size_t layer_no;
	const struct sk_layer *layer;
	stockade_error **err;
};

static int intern(stockade_plan *plan, const char *s, const char **out)
{
	char **n;

	if (!s) {
		*out = NULL;
		return 0;
	}
	for (size_t i = 0; i < plan->nstrings; i++)
		if (strcmp(plan->strings[i], s) == 0) {
			*out = plan->strings[i];
			return 0;
		}
	n = realloc(plan->strings, (plan->nstrings + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	plan->strings = n;
	if (!(n[plan->nstrings] = strdup(s)))
		return -ENOMEM;
	*out = n[plan->nstrings++];
	return 0;
}

static int intern_origin(stockade_plan *plan, struct sk_origin *o)
{
	return intern(plan, o->file, &o->file);
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The slot for a syscall name, created on first use; -1 if libseccomp knows
 * no such syscall (a group member of another arch: nothing to filter). */
static long slot_of(struct builder *b, const char *name)
{
	uint32_t h = name_hash(name) & (HASH_SIZE - 1);

	for (;; h = (h + 1) & (HASH_SIZE - 1)) {
		unsigned short v = b->hash[h];
		if (v == 0)
			break;
		if (strcmp(b->names[v - 1], name) == 0)
			return v - 1;
	}
	if (b->nall == SLOTS || !sk_syscall_known(name))
		return -1;
	b->names[b->nall] = name;
	b->hash[h] = (unsigned short)++b->nall;
	return (long)b->nall - 1;
}

static int cmp_slot(const void *x, const void *y, void *arg)
{
	const struct builder *b = arg;

	return strcmp(b->names[*(const size_t *)x], b->names[*(const size_t *)y]);
}

static void free_rules(struct sk_plan_entry *e)
{
	for (size_t i = 0; i < e->nrules; i++)
		sk_region_clear(&e->rules[i].region);
	free(e->rules);
	e->rules = NULL;
	e->nrules = 0;
}

static int set_base(struct builder *b, const char *sys, const struct sk_name_ref *ref, bool allow, bool group,
		    const char *via, struct sk_action action)
{
	long i = slot_of(b, sys);
	struct sk_plan_entry *e;
	const struct sk_layer *l = b->layer;

	if (i < 0)
		return 0; /* a group member unknown to libseccomp: nothing to filter */
	e = &b->slots[i];
	if (b->mark_layer[i] == b->layer_no + 1) {
		/* Already decided in this layer. */
		if (b->mark_group[i] && !group)
			goto decide; /* a direct name beats a group */
		if (!b->mark_group[i] && group)
			return 0;
		if (b->mark_allow[i] == allow)
			return 0;
		const struct sk_name_ref *o = b->mark_ref[i];
		return sk_error_at(b->err, EINVAL, l->file, l->text, ref->at.line, ref->at.column,
				   "%s:%d:%d: `%s` %s `%s`, but `%s` at line %d %s it", l->file, ref->at.line,
				   ref->at.column, ref->name, allow ? "allows" : "denies", sys, o->name, o->at.line,
				   allow ? "denies" : "allows");
	}
decide:
	b->mark_layer[i] = b->layer_no + 1;
	b->mark_ref[i] = ref;
	b->mark_allow[i] = allow;
	b->mark_group[i] = group;
	b->used[i] = true;
	free_rules(e);
	e->has_base = true;
	e->base = action;
	e->base_at = ref->at;
	return intern(b->plan, via, &e->via) < 0 || intern_origin(b->plan, &e->base_at) < 0 ? -ENOMEM : 0;
}

static int expand(struct builder *b, const char *name, const struct sk_name_ref *ref, bool allow, bool group,
		  const char *via, struct sk_action action, int depth)
{
	const struct sk_group *g;

	if (name[0] != '@')
		return set_base(b, name, ref, allow, group, via, action);
	if (depth > 16)
		return sk_error(b->err, ELOOP, "syscall group %s includes itself", name);
	g = sk_group_lookup(name);
	if (!g)
		return sk_error(b->err, ENOENT, "unknown syscall group %s", name);
	for (size_t i = 0; g->members[i]; i++) {
		int ret = expand(b, g->members[i], ref, allow, true, via ? via : g->name, action, depth + 1);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int apply_names(struct builder *b, const struct sk_name_ref *refs, size_t n, bool allow, bool groups,
		       struct sk_action deny_action)
{
	for (size_t i = 0; i < n; i++) {
		const struct sk_name_ref *r = &refs[i];
		struct sk_action action = deny_action;

		if ((r->name[0] == '@') != groups)
			continue;
		if (allow)
			action = (struct sk_action){ .type = SK_ACT_ALLOW };
		else if (r->has_action)
			action = r->action;
		int ret = expand(b, r->name, r, allow, groups, NULL, action, 0);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int add_layer_rules(struct builder *b)
{
	const struct sk_layer *l = b->layer;
	size_t *inserted = calloc(SLOTS, sizeof(*inserted));

	if (!inserted)
		return sk_error(b->err, ENOMEM, "out of memory");
	for (size_t k = 0; k < l->nrules; k++) {
		const struct sk_rule *r = &l->rules[k];
		long i = slot_of(b, r->syscall);
		struct sk_plan_entry *e;
		struct sk_plan_rule *n;

		if (i < 0)
			continue;
		e = &b->slots[i];
		n = realloc(e->rules, (e->nrules + 1) * sizeof(*n));
		if (!n) {
			free(inserted);
			return sk_error(b->err, ENOMEM, "out of memory");
		}
		e->rules = n;
		/* This layer's rules go before inherited ones, in file order. */
		memmove(&n[inserted[i] + 1], &n[inserted[i]], (e->nrules - inserted[i]) * sizeof(*n));
		n[inserted[i]] = (struct sk_plan_rule){ .nconds = r->nconds, .action = r->action, .at = r->at };
		memcpy(n[inserted[i]].conds, r->conds, sizeof(r->conds));
		if (intern_origin(b->plan, &n[inserted[i]].at) < 0 ||
		    intern(b->plan, r->reason, &n[inserted[i]].reason) < 0) {
			free(inserted);
			return sk_error(b->err, ENOMEM, "out of memory");
		}
		inserted[i]++;
		e->nrules++;
		b->used[i] = true;
	}
	free(inserted);
	return 0;
}

/* The scalar settings: the last layer that sets one wins. */
static int apply_layer(struct builder *b)
{
	const struct sk_layer *l = b->layer;
	stockade_plan *p = b->plan;

	if (l->enabled_set)
		p->seccomp_enabled = l->enabled;
	if (l->default_set) {
		p->default_action = l->default_action;
		p->default_at = l->default_at;
		if (intern_origin(p, &p->default_at) < 0)
			return sk_error(b->err, ENOMEM, "out of memory");
	}
	if (l->compat_set) {
		p->compat = l->compat;
		p->compat_at = l->compat_at;
		if (intern_origin(p, &p->compat_at) < 0)
			return sk_error(b->err, ENOMEM, "out of memory");
	}
	return 0;
}

/* Built-in presets are checked for unreachable rules by the unit tests; a
 * policy file is checked on every load. */
static bool from_preset(const struct sk_plan_rule *r)
{
	return r->at.file && strncmp(r->at.file, "preset:", 7) == 0;
}

/*
 * Compute where each rule decides (its conditions minus every earlier rule)
 * and where the base applies.  Only sets whose action differs from the
 * filter default are ever emitted, so the others are left empty: under
 * agent's allow default, the catch-all rules cost nothing here either.
 */
static int resolve_regions(stockade_plan *plan, struct sk_plan_entry *e, stockade_error **err)
{
	struct sk_region *own = calloc(e->nrules ? e->nrules : 1, sizeof(*own));
	struct sk_action base = sk_plan_entry_base(plan, e);
	int ret = own ? 0 : -ENOMEM;

	for (size_t i = 0; ret == 0 && i < e->nrules; i++)
		ret = sk_region_from_conds(&own[i], e->rules[i].conds, e->rules[i].nconds);

	for (size_t i = 0; ret == 0 && i < e->nrules; i++) {
		struct sk_plan_rule *r = &e->rules[i];

		/* A rule no earlier rule of its own file lets through is a
		 * contradiction in that file. */
		if (!from_preset(r)) {
			struct sk_region reach = { 0 };
			ret = sk_region_copy(&reach, &own[i]);
			for (size_t j = 0; ret == 0 && j < i; j++)
				for (size_t t = 0; ret == 0 && e->rules[j].at.file == r->at.file && t < own[j].n; t++)
					ret = sk_region_subtract(&reach, &own[j].terms[t]);
			bool unreachable = ret == 0 && reach.n == 0;
			sk_region_clear(&reach);
			if (unreachable) {
				ret = sk_error(err, EINVAL,
					       "%s:%d:%d: this rule for `%s` never matches: earlier rules in the same "
					       "file already decide every call it covers",
					       r->at.file, r->at.line, r->at.column, e->name);
				goto out;
			}
		}
		if (sk_action_eq(r->action, plan->default_action))
			continue;
		ret = sk_region_copy(&r->region, &own[i]);
		for (size_t j = 0; ret == 0 && j < i; j++)
			for (size_t t = 0; ret == 0 && t < own[j].n; t++)
				ret = sk_region_subtract(&r->region, &own[j].terms[t]);
		if (ret == 0 && r->region.n > SK_REGION_MAX_TERMS)
			ret = -E2BIG;
		if (ret == -E2BIG) {
			ret = sk_error(err, E2BIG,
				       "%s:%d:%d: the rules for `%s` need more than %d comparisons to compile; "
				       "simplify them (fewer != and range conditions on one argument)",
				       r->at.file, r->at.line, r->at.column, e->name, SK_REGION_MAX_TERMS);
			goto out;
		}
	}
	if (ret == 0 && !sk_action_eq(base, plan->default_action)) {
		ret = sk_region_all(&e->base_region);
		for (size_t j = 0; ret == 0 && j < e->nrules; j++)
			for (size_t t = 0; ret == 0 && t < own[j].n; t++)
				ret = sk_region_subtract(&e->base_region, &own[j].terms[t]);
		if (ret == 0 && e->base_region.n > SK_REGION_MAX_TERMS)
			ret = -E2BIG;
		if (ret == -E2BIG) {
			ret = sk_error(err, E2BIG, "the rules for `%s` leave a remainder too complex to compile",
				       e->name);
			goto out;
		}
	}
	if (ret < 0)
		ret = sk_error(err, -ret, "out of memory");
out:
	for (size_t i = 0; own && i < e->nrules; i++)
		sk_region_clear(&own[i]);
	free(own);
	return ret;
}

void stockade_plan_free(stockade_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->nentries; i++) {
		free_rules(&plan->entries[i]);
		sk_region_clear(&plan->entries[i].base_region);
	}
	for (size_t i = 0; i < plan->nstrings; i++)
		free(plan->strings[i]);
	free(plan->strings);
	free(plan->entries);
	free(plan->name);
	free(plan);
}

int stockade_plan_build(const stockade_policy *policy, stockade_plan **out, stockade_error **err)
{
	struct builder *bp = calloc(1, sizeof(*bp));
	stockade_plan *plan = calloc(1, sizeof(*plan));
	struct sk_action deny_action = { .type = SK_ACT_ERRNO, .errnum = EPERM };
	size_t order[SLOTS];
	int ret = 0;

	*out = NULL;
	if (!bp || !plan) {
		ret = sk_error(err, ENOMEM, "out of memory");
		goto out;
	}
	struct builder *b = bp;
	b->err = err;
	b->plan = plan;
	plan->seccomp_enabled = true;
	plan->default_action = (struct sk_action){ .type = SK_ACT_ALLOW };
	plan->name = strdup(stockade_policy_name(policy));
	if (!plan->name) {
		ret = sk_error(err, ENOMEM, "out of memory");
		goto out;
	}

	for (size_t li = 0; li < policy->nlayers; li++) {
		const struct sk_layer *l = policy->layers[li];

		b->layer = l;
		b->layer_no = li;
		if ((ret = apply_layer(b)) < 0)
			goto out;
		if (l->deny_action_set)
			deny_action = l->deny_action;
		/* Groups first, then names, so a name overrides its group. */
		for (int groups = 1; groups >= 0; groups--) {
			if ((ret = apply_names(b, l->deny, l->ndeny, false, groups, deny_action)) < 0)
				goto out;
			if ((ret = apply_names(b, l->allow, l->nallow, true, groups, deny_action)) < 0)
				goto out;
		}
		if ((ret = add_layer_rules(b)) < 0)
			goto out;
	}

	/* Collect the syscalls the policy mentions, in name order. */
	for (size_t i = 0; i < b->nall; i++)
		if (b->used[i])
			order[plan->nentries++] = i;
	qsort_r(order, plan->nentries, sizeof(order[0]), cmp_slot, b);
	plan->entries = calloc(plan->nentries ? plan->nentries : 1, sizeof(*plan->entries));
	if (!plan->entries) {
		ret = sk_error(err, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < plan->nentries; k++) {
		size_t i = order[k];
		plan->entries[k] = b->slots[i];
		b->slots[i] = (struct sk_plan_entry){ 0 };
		if ((ret = intern(plan, b->names[i], &plan->entries[k].name)) < 0) {
			ret = sk_error(err, ENOMEM, "out of memory");
			goto out;
		}
	}
	for (size_t i = 0; i < plan->nentries; i++)
		if ((ret = resolve_regions(plan, &plan->entries[i], err)) < 0)
			goto out;
	*out = steal_pointer(&plan);
out:
	if (bp)
		for (size_t i = 0; i < bp->nall; i++)
			free_rules(&bp->slots[i]);
	free(bp);
	stockade_plan_free(plan);
	return ret;
}

const struct sk_plan_entry *sk_plan_lookup(const stockade_plan *plan, const char *name)
{
	size_t lo = 0, hi = plan->nentries;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, plan->entries[mid].name);
		if (c == 0)
			return &plan->entries[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

struct sk_action sk_plan_entry_base(const stockade_plan *plan, const struct sk_plan_entry *e)
{
	return e && e->has_base ? e->base : plan->default_action;
}

void sk_plan_decide(const stockade_plan *plan, const char *name, const uint64_t args[SK_MAX_ARGS],
		    struct sk_verdict *out)
{
	const struct sk_plan_entry *e = sk_plan_lookup(plan, name);

	*out = (struct sk_verdict){ .action = plan->default_action, .at = plan->default_at };
	if (!plan->seccomp_enabled) {
		out->action = (struct sk_action){ .type = SK_ACT_ALLOW };
		return;
	}
	if (!e)
		return;
	for (size_t i = 0; i < e->nrules; i++) {
		const struct sk_plan_rule *r = &e->rules[i];
		bool match = true;
		for (size_t k = 0; k < r->nconds && match; k++)
			match = sk_cond_match(&r->conds[k], args);
		if (match) {
			out->action = r->action;
			out->at = r->at;
			out->reason = r->reason;
			out->rule = r;
			return;
		}
	}
	if (e->has_base) {
		out->action = e->base;
		out->at = e->base_at;
		out->via = e->via;
	}
}
