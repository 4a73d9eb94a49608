/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Syscall numbers per ABI, argument vectors that exercise a plan's rules,
 * and compiled filters run in the simulator.
 */
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "seccomp/seccomp.h"
#include "seccomp/sim.h"


int sk_action_from_ret(uint32_t ret, struct sk_action *out)
{
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		*out = (struct sk_action){ .type = SK_ACT_KILL_PROCESS };
		return 0;
	case SECCOMP_RET_KILL_THREAD:
		*out = (struct sk_action){ .type = SK_ACT_KILL_THREAD };
		return 0;
	case SECCOMP_RET_TRAP:
		*out = (struct sk_action){ .type = SK_ACT_TRAP };
		return 0;
	case SECCOMP_RET_ERRNO:
		*out = (struct sk_action){ .type = SK_ACT_ERRNO, .errnum = (int)(ret & SECCOMP_RET_DATA) };
		return 0;
	case SECCOMP_RET_LOG:
		*out = (struct sk_action){ .type = SK_ACT_LOG };
		return 0;
	case SECCOMP_RET_ALLOW:
		*out = (struct sk_action){ .type = SK_ACT_ALLOW };
		return 0;
	default:
		return -EINVAL;
	}
}

/* ---- argument vectors ---- */

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

/* ---- compiled filters ---- */

int sk_filter_compile(const stockade_plan *plan, uint32_t arch, struct sk_filter_prog *out, stockade_error **err)
{
	struct sock_filter *insns = NULL;
	size_t len = 0;
	int ret;

	*out = (struct sk_filter_prog){ 0 };
	if (arch == 0)
		arch = seccomp_arch_native();
	ret = sk_bpf_generate_standalone(plan, arch, &insns, &len, err);
	if (ret < 0)
		return ret;
	if (sk_sim_check(insns, len) < 0) {
		free(insns);
		return sk_error(err, EINVAL, "the compiled filter is not a valid seccomp program");
	}
	out->insns = insns;
	out->len = len;
	out->arch = arch;
	return 0;
}

void sk_filter_release(struct sk_filter_prog *f)
{
	free(f->insns);
	*f = (struct sk_filter_prog){ 0 };
}

int sk_filter_run(const struct sk_filter_prog *f, uint32_t abi, int nr, const uint64_t args[SK_MAX_ARGS],
		  uint32_t *ret, unsigned *executed)
{
	struct seccomp_data d = { .nr = nr, .arch = sk_audit_arch(abi) };
	struct sk_sim_result r;
	int rc;

	for (int i = 0; i < SK_MAX_ARGS; i++)
		d.args[i] = sk_arch_args32(abi) ? (uint32_t)args[i] : args[i];
	rc = sk_sim_run(f->insns, f->len, &d, &r);
	if (rc < 0)
		return rc;
	*ret = r.ret;
	if (executed)
		*executed = r.executed;
	return 0;
}
