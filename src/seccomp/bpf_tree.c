/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The search over syscall numbers: consecutive calls with one result as
 * ranges, and a binary search over them that leaves out the comparisons
 * the bounds known at each point already answer.
 */
#include <linux/filter.h>

#include "seccomp/bpf_gen.h"

static bool region_is_all(const struct sk_region *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->terms[i].n == 0)
			return true;
	return false;
}

/* One result for every call: a piece holding everything (pieces of other
 * results are then empty), or one result covering every call. */
static bool leaf_simple(const struct leaf *lf, uint32_t *r)
{
	bool one = lf->npieces > 0;

	for (size_t p = 0; p < lf->npieces; p++) {
		if (lf->pieces[p].call_test)
			return false;
		one = one && lf->pieces[p].ret == lf->pieces[0].ret;
	}
	for (size_t p = 0; p < lf->npieces; p++) {
		if (region_is_all(lf->pieces[p].region)) {
			*r = lf->pieces[p].ret;
			return true;
		}
	}
	if (!one || !lf->covered)
		return false;
	*r = lf->pieces[0].ret;
	return true;
}

/* Dense allow-lists (strict) have long runs of calls with one verdict:
 * testing ranges instead of numbers keeps the filter small. */
size_t sk_make_runs(const struct leaf *leaves, size_t n, struct run *runs)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t r;
		bool simple = leaf_simple(&leaves[i], &r);

		if (simple && k && !runs[k - 1].leaf && runs[k - 1].ret == r && runs[k - 1].hi + 1 == leaves[i].nr) {
			runs[k - 1].hi = leaves[i].nr;
			continue;
		}
		runs[k++] = (struct run){ leaves[i].nr, leaves[i].nr, simple ? r : 0, simple ? NULL : &leaves[i] };
	}
	return k;
}

static void emit_body(struct gen *g, const struct run *r, uint32_t def, bool args32)
{
	if (r->leaf)
		sk_emit_leaf(g, r->leaf, def, args32);
	else
		sk_emit_ret(g, r->ret);
}

/* Binary search over runs[lo, hi) on the syscall number in A, which is
 * known to lie in [floor, ceil): comparisons these bounds answer are left
 * out. */
void sk_emit_tree(struct gen *g, const struct run *runs, size_t lo, size_t hi, uint32_t def, bool args32,
		  uint64_t floor, uint64_t ceil)
{
	if (hi - lo <= 3) {
		int body[3], next[4];
		size_t end = hi; /* a run every number left belongs to */
		for (size_t i = lo; i < hi; i++) {
			body[i - lo] = sk_new_label(g);
			next[i - lo] = sk_new_label(g);
		}
		for (size_t i = lo; i < hi && end == hi; i++) {
			const struct run *r = &runs[i];
			bool above = r->hi + 1ULL < ceil, below = r->lo > floor;
			sk_bind(g, next[i - lo]);
			if (!above && !below) {
				end = i;
			} else if (r->lo == r->hi) {
				sk_jmp(g, BPF_JEQ, r->lo, body[i - lo], NONE);
				if (r->lo == floor)
					floor++;
			} else {
				int skip = i + 1 < hi ? next[i + 1 - lo] : sk_new_label(g);
				if (above)
					sk_jmp(g, BPF_JGT, r->hi, skip, below ? NONE : body[i - lo]);
				if (below)
					sk_jmp(g, BPF_JGE, r->lo, body[i - lo], skip);
				else
					floor = r->hi + 1ULL; /* skip is reached only from above */
				if (i + 1 == hi)
					sk_bind(g, skip);
			}
		}
		/* Where the numbers left all belong to one run, its body
		 * comes here untested (the runs after it are unreachable). */
		if (end < hi)
			emit_body(g, &runs[end], def, args32);
		else
			sk_emit_ret(g, def);
		for (size_t i = lo; i < end; i++) {
			sk_bind(g, body[i - lo]);
			emit_body(g, &runs[i], def, args32);
		}
		return;
	}
	size_t mid = lo + (hi - lo) / 2;
	int right = sk_new_label(g);
	sk_jmp(g, BPF_JGE, runs[mid].lo, right, NONE);
	sk_emit_tree(g, runs, lo, mid, def, args32, floor, runs[mid].lo);
	sk_bind(g, right);
	sk_emit_tree(g, runs, mid, hi, def, args32, runs[mid].lo, ceil);
}

