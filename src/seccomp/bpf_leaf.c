/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A syscall's decision list: the multiplexed calls' tests, then its terms
 * grouped by result as a trie of argument tests, each leaf a `ret`.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/bpf_gen.h"

#define ARG_LO(i) ((uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i)))
#define ARG_HI(i) (ARG_LO(i) + 4) /* little-endian: every supported arch */

/*
 * One comparison.  Falls through when it holds, jumps to `fail` otherwise.
 * On 32-bit ABIs the kernel reads 32-bit arguments, so only the low word is
 * compared (the plan's conditions were restricted to 32-bit values).
 */
static void cond(struct gen *g, const struct sk_cond *c, int fail, bool args32)
{
	uint32_t vhi = (uint32_t)(c->value >> 32), vlo = (uint32_t)c->value;
	uint32_t mhi = (uint32_t)(c->mask >> 32), mlo = (uint32_t)c->mask;
	int pass;

	if (args32)
		vhi = 0, mhi = 0;
	switch (c->op) {
	case SK_OP_EQ:
		if (!args32) {
			sk_ld(g, ARG_HI(c->arg));
			sk_jmp(g, BPF_JEQ, vhi, NONE, fail);
		}
		sk_ld(g, ARG_LO(c->arg));
		sk_jmp(g, BPF_JEQ, vlo, NONE, fail);
		return;
	case SK_OP_NE:
		pass = sk_new_label(g);
		if (!args32) {
			sk_ld(g, ARG_HI(c->arg));
			sk_jmp(g, BPF_JEQ, vhi, NONE, pass);
		}
		sk_ld(g, ARG_LO(c->arg));
		sk_jmp(g, BPF_JEQ, vlo, fail, pass);
		sk_bind(g, pass);
		return;
	case SK_OP_MASKED_EQ:
		if (mhi) {
			sk_ld(g, ARG_HI(c->arg));
			if (mhi != 0xffffffffu)
				sk_push(g, BPF_ALU | BPF_AND | BPF_K, mhi, NONE, NONE);
			sk_jmp(g, BPF_JEQ, vhi & mhi, NONE, fail);
		}
		if (mlo) {
			sk_ld(g, ARG_LO(c->arg));
			if (mlo != 0xffffffffu)
				sk_push(g, BPF_ALU | BPF_AND | BPF_K, mlo, NONE, NONE);
			sk_jmp(g, BPF_JEQ, vlo & mlo, NONE, fail);
		}
		return;
	default:
		break;
	}

	/* Unsigned 64-bit order: the high words decide unless they are equal. */
	bool greater = c->op == SK_OP_GT || c->op == SK_OP_GE;	/* holds above */
	uint16_t lo_op = c->op == SK_OP_GT || c->op == SK_OP_LE ? BPF_JGT : BPF_JGE;

	pass = sk_new_label(g);
	if (!args32) {
		sk_ld(g, ARG_HI(c->arg));
		/* x >= H:0, x > H:ffffffff, x < H:0, x <= H:ffffffff: the
		 * high word alone decides. */
		if ((c->op == SK_OP_GE || c->op == SK_OP_LT) && vlo == 0) {
			sk_jmp(g, BPF_JGE, vhi, greater ? pass : fail, greater ? fail : pass);
			sk_bind(g, pass);
			return;
		}
		if ((c->op == SK_OP_GT || c->op == SK_OP_LE) && vlo == 0xffffffffu) {
			sk_jmp(g, BPF_JGT, vhi, greater ? pass : fail, greater ? fail : pass);
			sk_bind(g, pass);
			return;
		}
		sk_jmp(g, BPF_JGT, vhi, greater ? pass : fail, NONE);
		/* Not above 0 is equal to 0. */
		if (vhi)
			sk_jmp(g, BPF_JEQ, vhi, NONE, greater ? fail : pass);
	}
	sk_ld(g, ARG_LO(c->arg));
	/* GT: lo > v; GE: lo >= v; LT: !(lo >= v); LE: !(lo > v). */
	if (greater)
		sk_jmp(g, lo_op, vlo, pass, fail);
	else
		sk_jmp(g, lo_op, vlo, fail, pass);
	sk_bind(g, pass);
}

/* Falls through when the test holds, jumps to `fail` otherwise. */
static void emit_test(struct gen *g, const struct test *t, int fail, bool args32)
{
	if (t->kind == T_COND) {
		cond(g, &t->c, fail, args32);
		return;
	}
	sk_ld(g, t->hi ? ARG_HI(t->arg) : ARG_LO(t->arg));
	if (t->kind == T_RANGE) {
		int pass = sk_new_label(g);
		if (t->min)
			sk_jmp(g, BPF_JGE, t->min, t->max == 0xffffffffu ? pass : NONE, fail);
		if (t->max != 0xffffffffu)
			sk_jmp(g, BPF_JGT, t->max, fail, pass);
		sk_bind(g, pass);
	} else if (t->kind == T_BITS) {
		sk_jmp(g, BPF_JSET, t->mask, NONE, fail);
	} else if (t->k == 0 && t->mask != 0xffffffffu) {
		sk_jmp(g, BPF_JSET, t->mask, fail, NONE); /* none of the mask's bits */
	} else {
		if (t->mask != 0xffffffffu)
			sk_push(g, BPF_ALU | BPF_AND | BPF_K, t->mask, NONE, NONE);
		sk_jmp(g, BPF_JEQ, t->k, NONE, fail);
	}
}

/*
 * Sorted terms t[lo, hi), which share their first d tests (passed), as a
 * trie: terms with the same next test share it, and when it fails the
 * terms after them are tried.  Falls through if no term holds.
 */
static void emit_trie(struct gen *g, const struct lterm *t, size_t lo, size_t hi, unsigned d, bool args32)
{
	for (size_t i = lo; i < hi;) {
		size_t j = i + 1;

		if (t[i].n == d) {
			/* Every test passed.  The terms after it in the range
			 * extend it: a call they hold for, it holds for. */
			sk_emit_ret(g, t[i].ret);
			return;
		}
		while (j < hi && t[j].n > d && sk_cmp_test(&t[j].t[d], &t[i].t[d]) == 0)
			j++;
		int next = sk_new_label(g);
		emit_test(g, &t[i].t[d], next, args32);
		emit_trie(g, t, i, j, d + 1, args32);
		sk_bind(g, next);
		i = j;
	}
}

/* The multiplexed calls' tests come first: they are not disjoint from the
 * syscall's own pieces and decide before them. */
static void emit_call_tests(struct gen *g, const struct leaf *lf)
{
	for (size_t p = 0; p < lf->npieces; p++) {
		const struct piece *pc = &lf->pieces[p];
		int fail = sk_new_label(g);

		if (!pc->call_test)
			continue;
		sk_ld(g, ARG_LO(0));
		if (pc->call_mask != 0xffffffffu)
			sk_push(g, BPF_ALU | BPF_AND | BPF_K, pc->call_mask, NONE, NONE);
		sk_jmp(g, BPF_JEQ, pc->call, NONE, fail);
		sk_emit_ret(g, pc->ret);
		sk_bind(g, fail);
	}
}

/*
 * A syscall's decision list.  Its pieces (after the multiplexed calls')
 * are disjoint between results, so their terms may be tried in any order:
 * they are merged within each result, then sorted so that equal first
 * tests are shared.  If the pieces cover every call, the result with the
 * most tests is what is left when the others fail, untested.
 */
void sk_emit_leaf(struct gen *g, const struct leaf *lf, uint32_t def, bool args32)
{
	size_t nterms = 0, n = 0, nrets = 0, last;
	size_t *start = NULL;
	struct lterm *t;
	uint32_t *rets;

	emit_call_tests(g, lf);
	for (size_t p = 0; p < lf->npieces; p++)
		nterms += lf->pieces[p].call_test ? 0 : lf->pieces[p].region->n;
	t = calloc(nterms ? nterms : 1, sizeof(*t));
	rets = calloc(lf->npieces ? lf->npieces : 1, sizeof(*rets));
	start = calloc(lf->npieces + 1, sizeof(*start));
	if (!t || !rets || !start) {
		g->err = -ENOMEM;
		goto out;
	}
	/* Results in the order the pieces first name them. */
	for (size_t p = 0; p < lf->npieces; p++) {
		const struct piece *pc = &lf->pieces[p];
		size_t r = 0;

		while (r < nrets && rets[r] != pc->ret)
			r++;
		if (!pc->call_test && r == nrets)
			rets[nrets++] = pc->ret;
	}
	/* Terms grouped by result, merged within each group. */
	for (size_t r = 0; r < nrets; r++) {
		start[r] = n;
		for (size_t p = 0; p < lf->npieces; p++) {
			const struct piece *pc = &lf->pieces[p];
			if (pc->call_test || pc->ret != rets[r])
				continue;
			for (size_t k = 0; k < pc->region->n; k++) {
				if (!sk_to_lterm(&pc->region->terms[k], pc->ret, args32, &t[n]))
					continue;
				if (t[n].n == 0) {
					/* Holds for every call: other results' pieces
					 * are empty, nothing else can be decided. */
					sk_emit_ret(g, pc->ret);
					goto out;
				}
				n++;
			}
		}
		/* Values first (ranges, equalities one bit apart), then
		 * single wanted bits split off and merged. */
		n = start[r] + sk_merge_terms(&t[start[r]], n - start[r]);
		for (size_t i = start[r]; i < n; i++)
			sk_split_bits(&t[i]);
		n = start[r] + sk_merge_terms(&t[start[r]], n - start[r]);
		for (size_t i = start[r]; i < n; i++)
			sk_simplify_ranges(&t[i]);
	}
	start[nrets] = n;

	/* With every call covered, the group with the most tests goes last
	 * and is not tested: a call that fails the others is in it. */
	last = nrets;
	if (lf->covered && nrets) {
		size_t best = 0;
		for (size_t r = 0; r < nrets; r++) {
			size_t cost = 0;
			for (size_t i = start[r]; i < start[r + 1]; i++)
				cost += 1 + t[i].n;
			if (cost >= best) {
				best = cost;
				last = r;
			}
		}
		/* Its terms are not tested: drop them. */
		memmove(&t[start[last]], &t[start[last + 1]], (n - start[last + 1]) * sizeof(*t));
		n -= start[last + 1] - start[last];
	}
	qsort(t, n, sizeof(*t), sk_cmp_lterm);
	emit_trie(g, t, 0, n, 0, args32);
	sk_emit_ret(g, last < nrets ? rets[last] : def);
out:
	free(start);
	free(t);
	free(rets);
}
