/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Argument vectors that exercise a plan's rules at their boundaries: what
 * `explain`, the export's check of its OCI profile (export/oci_verify.c)
 * and the simulator tier run filters on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/argvec.h"

struct vecs {
	struct sk_argvec *v;
	size_t n, cap;
	bool failed;
};

#define MAX_VECTORS 4096
#define FILLER 0xdeadbeefcafef00dULL

static void push(struct vecs *vs, const uint64_t a[SK_MAX_ARGS])
{
	if (vs->n == MAX_VECTORS)
		return;
	if (vs->n == vs->cap) {
		size_t ncap = vs->cap ? vs->cap * 2 : 64;
		struct sk_argvec *nv = realloc(vs->v, ncap * sizeof(*nv));
		if (!nv) {
			vs->failed = true;
			return;
		}
		vs->v = nv;
		vs->cap = ncap;
	}
	memcpy(vs->v[vs->n++].a, a, sizeof(vs->v[0].a));
}

/* Values on both sides of a condition's boundaries. */
static size_t boundary_values(const struct sk_cond *c, uint64_t *out)
{
	const uint64_t v = c->value, hi = 1ULL << 32;
	size_t n = 0;

	out[n++] = 0;
	out[n++] = v;
	out[n++] = v - 1;
	out[n++] = v + 1;
	out[n++] = v ^ hi;		/* the same low word, another high word */
	out[n++] = v & 0xffffffffULL;	/* what a 32-bit ABI can pass */
	out[n++] = UINT64_MAX;
	if (c->op == SK_OP_MASKED_EQ) {
		uint64_t m = c->mask;
		out[n++] = v | ~m;	/* every bit outside the mask set */
		out[n++] = v ^ m;
		out[n++] = m;
		for (int b = 0, k = 0; b < 64 && k < 24; b++)
			if (m & (1ULL << b)) {
				out[n++] = v ^ (1ULL << b);
				k++;
			}
	}
	return n;
}

/* A value for which the condition holds. */
static uint64_t satisfying(const struct sk_cond *c)
{
	switch (c->op) {
	case SK_OP_NE:
		return c->value ^ 1;
	case SK_OP_LT:
		return c->value ? c->value - 1 : 0;
	case SK_OP_GT:
		return c->value + 1;
	default:
		return c->value;
	}
}

static void conds_vectors(struct vecs *vs, const struct sk_cond *conds, size_t n)
{
	uint64_t sat[SK_MAX_ARGS] = { 0 }, vals[40];

	for (size_t i = 0; i < n; i++)
		sat[conds[i].arg] = satisfying(&conds[i]);
	push(vs, sat);
	for (size_t i = 0; i < n; i++) {
		size_t nv = boundary_values(&conds[i], vals);
		for (size_t k = 0; k < nv; k++) {
			uint64_t a[SK_MAX_ARGS], g[SK_MAX_ARGS];
			memcpy(a, sat, sizeof(a));
			a[conds[i].arg] = vals[k];
			push(vs, a);
			/* The same, with garbage in every other argument. */
			for (int j = 0; j < SK_MAX_ARGS; j++)
				g[j] = FILLER;
			g[conds[i].arg] = vals[k];
			push(vs, g);
		}
	}
}

static int cmp_vec(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct sk_argvec));
}

int sk_probe_args(const stockade_plan *plan, const char *name, struct sk_argvec **out, size_t *n)
{
	const struct sk_plan_entry *e = sk_plan_lookup(plan, name);
	struct vecs vs = { 0 };
	uint64_t zero[SK_MAX_ARGS] = { 0 }, fill[SK_MAX_ARGS];
	size_t u = 0;

	*out = NULL;
	*n = 0;
	for (int j = 0; j < SK_MAX_ARGS; j++)
		fill[j] = FILLER;
	push(&vs, zero);
	push(&vs, fill);
	for (size_t i = 0; e && i < e->nrules; i++) {
		const struct sk_plan_rule *r = &e->rules[i];
		conds_vectors(&vs, r->conds, r->nconds);
		for (size_t t = 0; t < r->region.n; t++)
			conds_vectors(&vs, r->region.terms[t].c, r->region.terms[t].n);
	}
	for (size_t t = 0; e && t < e->base_region.n; t++)
		conds_vectors(&vs, e->base_region.terms[t].c, e->base_region.terms[t].n);
	if (vs.failed) {
		free(vs.v);
		return -ENOMEM;
	}
	qsort(vs.v, vs.n, sizeof(*vs.v), cmp_vec);
	for (size_t i = 0; i < vs.n; i++)
		if (u == 0 || memcmp(&vs.v[u - 1], &vs.v[i], sizeof(*vs.v)) != 0)
			vs.v[u++] = vs.v[i];
	*out = vs.v;
	*n = u;
	return 0;
}

