/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Two plans compared field by field, pointers by what they point to
 * (test_plan_blob.c: a preset's blob against its YAML; test_preset_fast.c:
 * a policy file's plan through the presets' compiled-in forms against the
 * one built from their YAML).
 */
#ifndef STOCKADE_TEST_PLAN_EQ_H
#define STOCKADE_TEST_PLAN_EQ_H

#include <string.h>

#include "plan/plan.h"
#include "../harness.h"

/* Compare the plans' string tables too (see plan_eq). */
static bool plan_eq_tables = true;

static inline bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

#define SAME(cond, ...)                                                                                        \
	do {                                                                                                   \
		if (!(cond)) {                                                                                 \
			CHECK_MSG(cond, __VA_ARGS__);                                                          \
			return false;                                                                          \
		}                                                                                              \
	} while (0)

static inline bool origin_eq(const char *what, const struct sk_origin *a, const struct sk_origin *b)
{
	SAME(str_eq(a->file, b->file) && a->line == b->line && a->column == b->column, "%s: %s:%d:%d vs %s:%d:%d",
	     what, a->file ? a->file : "(null)", a->line, a->column, b->file ? b->file : "(null)", b->line,
	     b->column);
	return true;
}

/* Field by field: struct sk_cond has padding. */
static inline bool conds_eq(const struct sk_cond *a, const struct sk_cond *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].arg != b[i].arg || a[i].op != b[i].op || a[i].mask != b[i].mask || a[i].value != b[i].value)
			return false;
	return true;
}

static inline bool region_eq(const char *what, const struct sk_region *a, const struct sk_region *b)
{
	SAME(a->n == b->n, "%s: %zu vs %zu terms", what, a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		SAME(a->terms[i].n == b->terms[i].n, "%s: term %zu", what, i);
		SAME(conds_eq(a->terms[i].c, b->terms[i].c, a->terms[i].n),
		     "%s: term %zu conditions", what, i);
	}
	return true;
}

/* Every field of the plan; pointers compared by what they point to. */
static inline bool plan_eq(const char *key, const stockade_plan *a, const stockade_plan *b)
{
	const struct sk_plan_access *sa = &a->access, *sb = &b->access;

	SAME(str_eq(a->name, b->name), "%s: name", key);
	SAME(a->seccomp_enabled == b->seccomp_enabled && a->audit == b->audit &&
		     a->compat == b->compat && sk_action_eq(a->default_action, b->default_action) &&
		     a->default_action.errnum == b->default_action.errnum,
	     "%s: scalar fields", key);
	if (!origin_eq(key, &a->audit_at, &b->audit_at) || !origin_eq(key, &a->default_at, &b->default_at) ||
	    !origin_eq(key, &a->compat_at, &b->compat_at))
		return false;
	/* A plan loaded from a built-in blob owns no strings: they point into
	 * the blob.  Plans that own theirs own the same ones.  (A plan made
	 * from a blob and the layers above it owns a few: plan_eq_tables
	 * false compares only what the plan's fields point to.) */
	SAME(!plan_eq_tables || !a->nstrings || !b->nstrings || a->nstrings == b->nstrings, "%s: %zu vs %zu strings",
	     key, a->nstrings, b->nstrings);
	for (size_t i = 0; plan_eq_tables && a->nstrings && i < b->nstrings; i++)
		SAME(!strcmp(a->strings[i], b->strings[i]), "%s: string %zu", key, i);
	SAME(a->nentries == b->nentries, "%s: %zu vs %zu entries", key, a->nentries, b->nentries);
	for (size_t i = 0; i < a->nentries; i++) {
		const struct sk_plan_entry *x = &a->entries[i], *y = &b->entries[i];
		SAME(str_eq(x->name, y->name) && x->has_base == y->has_base && x->base.type == y->base.type &&
			     x->base.errnum == y->base.errnum && str_eq(x->via, y->via) && x->nrules == y->nrules,
		     "%s: entry %s", key, x->name);
		if (!origin_eq(x->name, &x->base_at, &y->base_at) ||
		    !region_eq(x->name, &x->base_region, &y->base_region))
			return false;
		for (size_t j = 0; j < x->nrules; j++) {
			const struct sk_plan_rule *r = &x->rules[j], *s = &y->rules[j];
			SAME(r->nconds == s->nconds && conds_eq(r->conds, s->conds, r->nconds) &&
				     r->action.type == s->action.type && r->action.errnum == s->action.errnum &&
				     str_eq(r->reason, s->reason),
			     "%s: %s rule %zu", key, x->name, j);
			if (!origin_eq(x->name, &r->at, &s->at) || !region_eq(x->name, &r->region, &s->region))
				return false;
		}
	}
	SAME(sa->landlock == sb->landlock && sa->fs == sb->fs && sa->npaths == sb->npaths && sa->net == sb->net &&
		     sa->tcp_sockets == sb->tcp_sockets && sa->scope_signals == sb->scope_signals &&
		     sa->scope_abstract == sb->scope_abstract && sa->caps == sb->caps &&
		     sa->caps_keep == sb->caps_keep && sa->isolation == sb->isolation &&
		     sa->nsockets == sb->nsockets,
	     "%s: sandbox scalars", key);
	if (!origin_eq(key, &sa->landlock_at, &sb->landlock_at) || !origin_eq(key, &sa->net_at, &sb->net_at) ||
	    !origin_eq(key, &sa->tcp_at, &sb->tcp_at) ||
	    !origin_eq(key, &sa->scope_at, &sb->scope_at) || !origin_eq(key, &sa->caps_at, &sb->caps_at) ||
	    !origin_eq(key, &sa->isolation_at, &sb->isolation_at))
		return false;
	for (size_t i = 0; i < sa->nsockets; i++) {
		SAME(str_eq(sa->sockets[i].path, sb->sockets[i].path), "%s: socket %zu", key, i);
		if (!origin_eq(key, &sa->sockets[i].at, &sb->sockets[i].at))
			return false;
	}
	for (size_t i = 0; i < sa->npaths; i++) {
		SAME(str_eq(sa->paths[i].path, sb->paths[i].path) && sa->paths[i].kind == sb->paths[i].kind &&
			     sa->paths[i].layer == sb->paths[i].layer,
		     "%s: path %zu", key, i);
		if (!origin_eq(key, &sa->paths[i].at, &sb->paths[i].at))
			return false;
	}
	for (int d = 0; d < SK_TCP_NDIRS; d++) {
		SAME(sa->ntcp[d] == sb->ntcp[d] && sa->tcp_handled[d] == sb->tcp_handled[d] &&
			     !memcmp(sa->tcp[d], sb->tcp[d], sa->ntcp[d] * sizeof(*sa->tcp[d])),
		     "%s: tcp ports", key);
	}
	SAME(sa->broad_write == sb->broad_write && sa->nenv == sb->nenv && sa->nhosts == sb->nhosts &&
		     sa->npins == sb->npins && sa->nprivate == sb->nprivate && sa->ntcp_addrs == sb->ntcp_addrs &&
		     sa->ntcp_bare == sb->ntcp_bare,
	     "%s: environment, proxy and address lists", key);
	for (size_t i = 0; i < sa->nenv; i++) {
		SAME(str_eq(sa->env[i].text, sb->env[i].text) && sa->env[i].kind == sb->env[i].kind,
		     "%s: environment entry %zu", key, i);
		if (!origin_eq(key, &sa->env[i].at, &sb->env[i].at))
			return false;
	}
	for (size_t i = 0; i < sa->nhosts; i++)
		SAME(str_eq(sa->hosts[i].pattern, sb->hosts[i].pattern) && sa->hosts[i].port == sb->hosts[i].port,
		     "%s: proxy host %zu", key, i);
	for (size_t i = 0; i < sa->nprivate; i++)
		SAME(str_eq(sa->private_hosts[i].pattern, sb->private_hosts[i].pattern),
		     "%s: private host %zu", key, i);
	for (size_t i = 0; i < sa->npins; i++)
		SAME(str_eq(sa->pins[i].name, sb->pins[i].name) && str_eq(sa->pins[i].addr, sb->pins[i].addr),
		     "%s: pin %zu", key, i);
	for (size_t i = 0; i < sa->ntcp_addrs; i++)
		SAME(sa->tcp_addrs[i].port == sb->tcp_addrs[i].port && sa->tcp_addrs[i].family == sb->tcp_addrs[i].family &&
			     !memcmp(sa->tcp_addrs[i].addr, sb->tcp_addrs[i].addr, sizeof(sa->tcp_addrs[i].addr)),
		     "%s: tcp_connect address %zu", key, i);
	SAME(!sa->ntcp_bare || !memcmp(sa->tcp_bare, sb->tcp_bare, sa->ntcp_bare * sizeof(*sa->tcp_bare)),
	     "%s: tcp_connect ports without address", key);
	SAME(!a->net_fallback == !b->net_fallback, "%s: net fallback", key);
	return !a->net_fallback || plan_eq(key, a->net_fallback, b->net_fallback);
}

#endif
