/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Layers -> plan.  The semantics, in the order they apply:
 *
 *  - layers apply bottom (the preset a policy extends) to top (command line);
 *  - `default_action`, `deny_action`, `compat_arches`, `enabled`: the last
 *    layer that sets one wins; a layer with `allow`, `deny`, `rules` or
 *    `default_action` and no `enabled` of its own sets `enabled: true`;
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

#include "plan/plan.h"
#include "plan/preset_plans.h"

/* Slots for the syscalls a policy mentions, found through a small hash
 * table.  libseccomp knows fewer than 500 names on all arches together. */
#define SLOTS 1024
#define HASH_SIZE 2048

struct slot {
	struct sk_plan_entry e;
	const char *name; /* owned by a table or layer */
	bool used;
	/* per-layer bookkeeping for conflicts */
	bool mark_allow, mark_group;
	size_t mark_layer;
	const struct sk_name_ref *mark_ref;
	size_t inserted; /* rules the current layer added (add_layer_rules) */
};

struct builder {
	stockade_plan *plan;
	/* Grown as syscalls are named (a few hundred), not SLOTS at once:
	 * a plan is built at every start of a policy-file run, and the pages
	 * it touches are part of that start. */
	struct slot *slots;
	size_t nall, cap;
	unsigned short hash[HASH_SIZE]; /* slot + 1, 0 = empty */
	size_t layer_no;
	const struct sk_layer *layer;
	stockade_error **err;
	/* The last string interned for an origin or group (the layers, which
	 * outlive the builder, pass the same pointer for hundreds of
	 * entries): its copy in the plan. */
	const char *last_in[2], *last_out[2];
};

/* (plan/intern.c) */
static int intern(stockade_plan *plan, const char *s, const char **out)
{
	return sk_plan_intern(plan, s, out);
}

static int intern_origin(stockade_plan *plan, struct sk_origin *o)
{
	return intern(plan, o->file, &o->file);
}

/* intern() for strings of the policy's layers, which stay as they are
 * while the builder lives: a pointer seen last time is not hashed again. */
static int intern_layer_str(struct builder *b, int which, const char *s, const char **out)
{
	int ret;

	if (s && s == b->last_in[which]) {
		*out = b->last_out[which];
		return 0;
	}
	if ((ret = intern(b->plan, s, out)) == 0 && s) {
		b->last_in[which] = s;
		b->last_out[which] = *out;
	}
	return ret;
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
		if (strcmp(b->slots[v - 1].name, name) == 0)
			return v - 1;
	}
	if (b->nall == SLOTS || !sk_syscall_known(name))
		return -1;
	if (b->nall == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 128;
		struct slot *n = realloc(b->slots, cap * sizeof(*n));
		if (!n)
			return -2;
		memset(n + b->cap, 0, (cap - b->cap) * sizeof(*n));
		b->slots = n;
		b->cap = cap;
	}
	b->slots[b->nall].name = name;
	b->hash[h] = (unsigned short)++b->nall;
	return (long)b->nall - 1;
}

static int cmp_slot(const void *x, const void *y, void *arg)
{
	const struct builder *b = arg;

	return strcmp(b->slots[*(const size_t *)x].name, b->slots[*(const size_t *)y].name);
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
	struct slot *sl;
	const struct sk_layer *l = b->layer;

	if (i == -2)
		return sk_error(b->err, ENOMEM, "out of memory");
	if (i < 0)
		return 0; /* a group member unknown to libseccomp: nothing to filter */
	sl = &b->slots[i];
	e = &sl->e;
	if (sl->mark_layer == b->layer_no + 1) {
		/* Already decided in this layer. */
		if (sl->mark_group && !group)
			goto decide; /* a direct name beats a group */
		if (!sl->mark_group && group)
			return 0;
		if (sl->mark_allow == allow)
			return 0;
		const struct sk_name_ref *o = sl->mark_ref;
		return sk_error_at(b->err, EINVAL, l->file, l->text, ref->at.line, ref->at.column,
				   "%s:%d:%d: `%s` %s `%s`, but `%s` at line %d %s it", l->file, ref->at.line,
				   ref->at.column, ref->name, allow ? "allows" : "denies", sys, o->name, o->at.line,
				   allow ? "denies" : "allows");
	}
decide:
	sl->mark_layer = b->layer_no + 1;
	sl->mark_ref = ref;
	sl->mark_allow = allow;
	sl->mark_group = group;
	sl->used = true;
	free_rules(e);
	e->has_base = true;
	e->base = action;
	e->base_at = ref->at;
	return intern_layer_str(b, 0, via, &e->via) < 0 ||
			       intern_layer_str(b, 1, e->base_at.file, &e->base_at.file) < 0 ?
		       -ENOMEM :
		       0;
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

/* Built-in presets are checked for unreachable rules by the unit tests; a
 * policy file is checked on every load. */
static bool layer_is_preset(const struct sk_layer *l)
{
	return l->builtin;
}

static bool same_origin(const struct sk_origin *a, const struct sk_origin *b)
{
	return a->file == b->file && a->line == b->line && a->column == b->column;
}

/* r := r minus the calls `rule` matches. */
static int subtract_rule(struct sk_region *r, const struct sk_plan_rule *rule)
{
	struct sk_region prev = { 0 };
	int ret = sk_region_from_conds(&prev, rule->conds, rule->nconds);

	for (size_t t = 0; ret == 0 && t < prev.n && r->n; t++)
		ret = sk_region_subtract(r, &prev.terms[t]);
	sk_region_clear(&prev);
	return ret;
}

/*
 * A rule that earlier rules of the same layer make unreachable is an error
 * (one a higher layer overrides is not, and neither is the same file loaded
 * twice).  The layer's rules are e->rules[0 .. count).  The rules one policy
 * rule expands to ("arg0 & 0x3" is one per bit) share its origin and count as
 * one: the policy rule is reachable if any of them is.
 */
static int check_reachable(struct builder *b, const struct sk_plan_entry *e, const char *name, size_t count)
{
	const struct sk_layer *l = b->layer;
	int ret = 0;

	for (size_t start = 0, end; start < count; start = end) {
		const struct sk_plan_rule *r = &e->rules[start];
		bool live = false;

		for (end = start + 1; end < count && same_origin(&e->rules[end].at, &r->at); end++)
			;
		for (size_t k = start; ret == 0 && k < end && !live; k++) {
			struct sk_region own = { 0 };
			ret = sk_region_from_conds(&own, e->rules[k].conds, e->rules[k].nconds);
			for (size_t j = 0; ret == 0 && j < start && own.n; j++)
				ret = subtract_rule(&own, &e->rules[j]);
			live = ret == 0 && own.n > 0;
			sk_region_clear(&own);
		}
		if (ret == -E2BIG)
			return sk_error_at(b->err, E2BIG, l->file, l->text, r->at.line, r->at.column,
					   "%s:%d:%d: the rules for `%s` are too complex to compile", l->file,
					   r->at.line, r->at.column, name);
		if (ret < 0)
			return sk_error(b->err, -ret, "out of memory");
		if (!live)
			return sk_error_at(b->err, EINVAL, l->file, l->text, r->at.line, r->at.column,
					   "%s:%d:%d: this rule for `%s` never matches: earlier rules in the same file "
					   "already decide every call it covers",
					   l->file, r->at.line, r->at.column, name);
	}
	return 0;
}

static int add_layer_rules(struct builder *b)
{
	const struct sk_layer *l = b->layer;

	/* Room for the layer's rules first, once per syscall (counted in
	 * .inserted, which then counts them in). */
	for (size_t i = 0; i < b->nall; i++)
		b->slots[i].inserted = 0;
	for (size_t k = 0; k < l->nrules; k++) {
		long i = slot_of(b, l->rules[k].syscall);
		if (i == -2)
			return sk_error(b->err, ENOMEM, "out of memory");
		if (i >= 0)
			b->slots[i].inserted++;
	}
	for (size_t i = 0; i < b->nall; i++) {
		struct sk_plan_entry *e = &b->slots[i].e;
		struct sk_plan_rule *n;
		size_t add = b->slots[i].inserted;

		b->slots[i].inserted = 0;
		if (!add)
			continue;
		if (add > SK_MAX_SYSCALL_RULES - e->nrules)
			add = SK_MAX_SYSCALL_RULES - e->nrules; /* (refused below, at the rule past the limit) */
		if (!add)
			continue;
		n = realloc(e->rules, (e->nrules + add) * sizeof(*n));
		if (!n)
			return sk_error(b->err, ENOMEM, "out of memory");
		e->rules = n;
	}
	for (size_t k = 0; k < l->nrules; k++) {
		const struct sk_rule *r = &l->rules[k];
		long i = slot_of(b, r->syscall);
		struct sk_plan_entry *e;
		struct sk_plan_rule *n;
		size_t at;

		if (i == -2)
			return sk_error(b->err, ENOMEM, "out of memory");
		if (i < 0)
			continue;
		e = &b->slots[i].e;
		if (e->nrules >= SK_MAX_SYSCALL_RULES)
			return sk_error(b->err, E2BIG, "%s:%d:%d: `%s` has more than %d argument rules; that is the limit",
					r->at.file, r->at.line, r->at.column, r->syscall, SK_MAX_SYSCALL_RULES);
		n = e->rules; /* (room made above) */
		/* This layer's rules go before inherited ones, in file order. */
		at = b->slots[i].inserted;
		memmove(&n[at + 1], &n[at], (e->nrules - at) * sizeof(*n));
		n[at] = (struct sk_plan_rule){ .nconds = r->nconds, .action = r->action, .at = r->at };
		memcpy(n[at].conds, r->conds, sizeof(r->conds));
		if (intern_layer_str(b, 1, n[at].at.file, &n[at].at.file) < 0 ||
		    intern(b->plan, r->reason, &n[at].reason) < 0)
			return sk_error(b->err, ENOMEM, "out of memory");
		b->slots[i].inserted++;
		e->nrules++;
		b->slots[i].used = true;
	}
	for (size_t i = 0; i < b->nall && !layer_is_preset(l); i++) {
		int ret = b->slots[i].inserted ?
				  check_reachable(b, &b->slots[i].e, b->slots[i].name, b->slots[i].inserted) :
				  0;
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The scalar settings: the last layer that sets one wins. */
static int apply_layer(struct builder *b)
{
	const struct sk_layer *l = b->layer;
	stockade_plan *p = b->plan;

	/* A layer that says what the filter does turns it back on unless it
	 * says `enabled: false` itself: `extends: none` plus `deny: [ptrace]`
	 * denies ptrace, rather than running the command unfiltered. */
	if (l->enabled_set)
		p->seccomp_enabled = l->enabled;
	else if (l->nallow || l->ndeny || l->nrules || l->default_set)
		p->seccomp_enabled = true;
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
	if (l->mode_set) {
		p->audit = l->audit;
		p->audit_at = l->mode_at;
		if (intern_origin(p, &p->audit_at) < 0)
			return sk_error(b->err, ENOMEM, "out of memory");
	}
	return 0;
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
	bool base_emitted = !sk_action_eq(base, plan->default_action);
	int ret = own ? 0 : -ENOMEM;

	/* A rule's own region is needed where something is emitted from it:
	 * its own action (not the default), a later rule of another emitted
	 * action, or the base's remainder.  Under agent most rules end in a
	 * catch-all of the default, which none of these needs. */
	for (size_t i = 0; ret == 0 && i < e->nrules; i++) {
		struct sk_action a = e->rules[i].action;
		bool needed = !sk_action_eq(a, plan->default_action) || (base_emitted && !sk_action_eq(a, base));

		for (size_t k = i + 1; !needed && k < e->nrules; k++)
			needed = !sk_action_eq(e->rules[k].action, plan->default_action) &&
				 !sk_action_eq(e->rules[k].action, a);
		if (needed)
			ret = sk_region_from_conds(&own[i], e->rules[i].conds, e->rules[i].nconds);
	}

	for (size_t i = 0; ret == 0 && i < e->nrules; i++) {
		struct sk_plan_rule *r = &e->rules[i];

		/* (Unreachable rules were refused layer by layer, in
		 * add_layer_rules.) */
		if (sk_action_eq(r->action, plan->default_action))
			continue;
		/* Earlier rules with the same action need not be subtracted: a
		 * call both match gets that action from either.  Regions of
		 * different actions stay disjoint, which is all the backends
		 * rely on, and the regions stay small. */
		ret = sk_region_copy(&r->region, &own[i]);
		for (size_t j = 0; ret == 0 && j < i; j++)
			for (size_t t = 0; ret == 0 && !sk_action_eq(e->rules[j].action, r->action) && t < own[j].n; t++)
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
	if (ret == 0 && base_emitted) {
		ret = sk_region_all(&e->base_region);
		for (size_t j = 0; ret == 0 && j < e->nrules; j++)
			for (size_t t = 0; ret == 0 && !sk_action_eq(e->rules[j].action, base) && t < own[j].n; t++)
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
	free(plan->string_index);
	free(plan->entries);
	free(plan->name);
	sk_plan_access_free(plan);
	free(plan->bpf);
	free(plan->mbpf);
	free(plan);
}

/* tcp_sockets: see sk_plan_access_build (plan/access.c). */
static int plan_build(const stockade_policy *policy, bool tcp_sockets, stockade_plan **out, stockade_error **err)
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
	/* Bounded work whatever the input: see SK_MAX_PLAN_RULES. */
	size_t total_rules = 0;
	for (size_t li = 0; li < policy->nlayers; li++)
		total_rules += policy->layers[li]->nrules;
	if (total_rules > SK_MAX_PLAN_RULES) {
		ret = sk_error(err, E2BIG, "the policy has %zu argument rules (counting one per bit of each `& MASK`); "
			       "the limit is %d", total_rules, SK_MAX_PLAN_RULES);
		goto out;
	}

	/* A layer that replaces the syscall rules starts them over. */
	size_t first_sc = 0;
	for (size_t li = 0; li < policy->nlayers; li++)
		if (policy->layers[li]->seccomp_replace)
			first_sc = li;
	for (size_t li = first_sc; li < policy->nlayers; li++) {
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
		if (b->slots[i].used)
			order[plan->nentries++] = i;
	qsort_r(order, plan->nentries, sizeof(order[0]), cmp_slot, b);
	plan->entries = calloc(plan->nentries ? plan->nentries : 1, sizeof(*plan->entries));
	if (!plan->entries) {
		ret = sk_error(err, ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < plan->nentries; k++) {
		size_t i = order[k];
		plan->entries[k] = b->slots[i].e;
		b->slots[i].e = (struct sk_plan_entry){ 0 };
		if ((ret = intern(plan, b->slots[i].name, &plan->entries[k].name)) < 0) {
			ret = sk_error(err, ENOMEM, "out of memory");
			goto out;
		}
	}
	/* Filesystem, network, scope; the network mode adds socket rules. */
	if ((ret = sk_plan_access_build(plan, policy, tcp_sockets, err)) < 0)
		goto out;
	for (size_t i = 0; i < plan->nentries; i++)
		if ((ret = resolve_regions(plan, &plan->entries[i], err)) < 0)
			goto out;
	*out = steal_pointer(&plan);
out:
	if (bp) {
		for (size_t i = 0; i < bp->nall; i++)
			free_rules(&bp->slots[i].e);
		free(bp->slots);
	}
	free(bp);
	stockade_plan_free(plan);
	return ret;
}

int sk_plan_build_pending(const stockade_policy *policy, const struct sk_preset_blob *blob, stockade_plan **out,
			  stockade_error **err)
{
	stockade_policy *parsed = NULL;
	int ret;

	if (blob && sk_preset_blob_load(blob, out) == 0)
		return 0;
	ret = sk_policy_parsed_copy(policy, &parsed, err);
	if (ret == 0)
		ret = stockade_plan_build(parsed, out, err);
	stockade_policy_free(parsed);
	return ret;
}

/* --isolation: the policy's override, set on the plan however it was built. */
static int isolation_override(const stockade_policy *policy, int ret, stockade_plan **out)
{
	if (ret == 0 && policy->isolation_override) {
		stockade_plan *plan = *out;

		plan->access.isolation = policy->isolation_override;
		plan->access.isolation_at = (struct sk_origin){ .file = "--isolation" };
	}
	return ret;
}

int stockade_plan_build(const stockade_policy *policy, stockade_plan **out, stockade_error **err)
{
	int ret;

	/* Only built-in presets: their plan was computed at build time
	 * (plan/preset_plans.h); if it does not load, parse them after all. */
	if (policy->npending)
		return isolation_override(policy, sk_plan_build_pending(policy, sk_preset_blob_for(policy), out, err),
					  out);
	/* A file on a preset that leaves the syscall and network rules as
	 * they are: the preset's plan, flattened again (plan/preset_file.c). */
	if ((ret = sk_plan_build_on_preset(policy, out, err)) != 0)
		return isolation_override(policy, ret < 0 ? ret : 0, out);
	ret = plan_build(policy, true, out, err);

	/* TCP ports under network mode none/unix: also build the filter that
	 * denies TCP, for kernels whose Landlock cannot limit the ports. */
	if (ret == 0 && (*out)->access.tcp_sockets &&
	    !(policy->tcp_fallback_unneeded && (*out)->access.landlock != SK_LANDLOCK_OFF)) {
		ret = plan_build(policy, false, &(*out)->net_fallback, err);
		if (ret < 0) {
			stockade_plan_free(*out);
			*out = NULL;
		}
	}
	/* A file on a preset that changes nothing the filter is made of
	 * loads the preset's compiled-in filter (plan/preset_plans.h). */
	if (ret == 0 && (ret = sk_plan_reuse_preset_filter(*out, policy)) < 0) {
		stockade_plan_free(*out);
		*out = NULL;
		ret = sk_error(err, -ret, "out of memory");
	}
	return isolation_override(policy, ret, out);
}


#define SOCKETCALL(n, c) { "socketcall", n, c, 0xffffffffu }
#define IPC(n, c) { "ipc", n, c, 0xffffu }

const struct sk_multiplexed sk_multiplexed[] = {
	SOCKETCALL("socket", 1),      SOCKETCALL("bind", 2),	     SOCKETCALL("connect", 3),
	SOCKETCALL("listen", 4),      SOCKETCALL("accept", 5),	     SOCKETCALL("getsockname", 6),
	SOCKETCALL("getpeername", 7), SOCKETCALL("socketpair", 8),   SOCKETCALL("sendto", 11),
	SOCKETCALL("recvfrom", 12),   SOCKETCALL("shutdown", 13),    SOCKETCALL("setsockopt", 14),
	SOCKETCALL("getsockopt", 15), SOCKETCALL("sendmsg", 16),     SOCKETCALL("recvmsg", 17),
	SOCKETCALL("accept4", 18),    SOCKETCALL("recvmmsg", 19),    SOCKETCALL("sendmmsg", 20),
	IPC("semop", 1),	      IPC("semget", 2),		     IPC("semctl", 3),
	IPC("semtimedop", 4),	      IPC("msgsnd", 11),	     IPC("msgrcv", 12),
	IPC("msgget", 13),	      IPC("msgctl", 14),	     IPC("shmat", 21),
	IPC("shmdt", 22),	      IPC("shmget", 23),	     IPC("shmctl", 24),
};
const size_t sk_multiplexed_len = ARRAY_SIZE(sk_multiplexed);

/* Kernel precedence between filter results: higher is stricter. */
static int strictness(struct sk_action a)
{
	switch (a.type) {
	case SK_ACT_KILL_PROCESS:
		return 6;
	case SK_ACT_KILL_THREAD:
		return 5;
	case SK_ACT_TRAP:
		return 4;
	case SK_ACT_ERRNO:
		return 3;
	case SK_ACT_LOG:
		return 2;
	case SK_ACT_ALLOW:
		return 1;
	}
	return 6;
}

bool sk_plan_multiplexed(const stockade_plan *plan, const struct sk_multiplexed *mx, struct sk_action *action,
			 const struct sk_plan_entry **entry)
{
	const struct sk_plan_entry *e = sk_plan_lookup(plan, mx->name);
	struct sk_action worst;

	if (entry)
		*entry = e;
	if (!e)
		return false;
	worst = sk_plan_entry_base(plan, e);
	for (size_t k = 0; k < e->nrules; k++)
		if (strictness(e->rules[k].action) > strictness(worst))
			worst = e->rules[k].action;
	/* Rules ending in a catch-all leave no room for the base. */
	if (e->nrules && e->rules[e->nrules - 1].nconds == 0) {
		worst = e->rules[0].action;
		for (size_t k = 1; k < e->nrules; k++)
			if (strictness(e->rules[k].action) > strictness(worst))
				worst = e->rules[k].action;
	}
	*action = worst;
	return true;
}

const struct sk_plan_entry *sk_plan_find(const stockade_plan *plan, const char *name, size_t *at)
{
	size_t lo = 0, hi = plan->nentries;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, plan->entries[mid].name);
		if (c == 0) {
			lo = mid;
			break;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (at)
		*at = lo;
	return lo < plan->nentries && !strcmp(name, plan->entries[lo].name) ? &plan->entries[lo] : NULL;
}

const struct sk_plan_entry *sk_plan_lookup(const stockade_plan *plan, const char *name)
{
	return sk_plan_find(plan, name, NULL);
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
	if (!strcmp(name, "socketcall") || !strcmp(name, "ipc")) {
		for (size_t m = 0; m < sk_multiplexed_len; m++) {
			const struct sk_multiplexed *mx = &sk_multiplexed[m];
			const struct sk_plan_entry *direct;
			struct sk_action a;

			if (strcmp(mx->mux, name) != 0 || (args[0] & mx->call_mask) != mx->call ||
			    !sk_plan_multiplexed(plan, mx, &a, &direct))
				continue;
			out->action = a;
			out->at = direct->has_base ? direct->base_at : plan->default_at;
			out->via = direct->via;
			out->reason = "the real arguments are in memory the filter cannot read, so the call gets "
				      "the strictest result its direct syscall can get";
			return;
		}
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
