/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A leaf term as tests of argument words (struct lterm, bpf_gen.h), and
 * the rewrites that shorten a result's terms: bits wanted of one word
 * merged into one jset, touching value ranges into one range, ranges
 * written as equalities where that is shorter, and the order that lets
 * equal first tests be shared.
 */
#include <stdlib.h>
#include <string.h>

#include "seccomp/bpf_gen.h"

static unsigned test_key(const struct test *t)
{
	if (t->kind == T_COND)
		return t->arg * 5u;
	return t->arg * 5u + (t->hi ? 1 : 3) + (t->kind == T_BITS);
}

static int cmp_u64(uint64_t x, uint64_t y)
{
	return x < y ? -1 : x > y;
}

int sk_cmp_test(const struct test *x, const struct test *y)
{
	int r = cmp_u64(test_key(x), test_key(y));

	if (r == 0 && x->kind == T_COND) {
		if ((r = cmp_u64(x->c.op, y->c.op)) == 0 && (r = cmp_u64(x->c.mask, y->c.mask)) == 0)
			r = cmp_u64(x->c.value, y->c.value);
		return r;
	}
	if (r == 0 && (r = cmp_u64(x->kind, y->kind)) == 0 && (r = cmp_u64(x->mask, y->mask)) == 0 &&
	    (r = cmp_u64(x->k, y->k)) == 0 && (r = cmp_u64(x->min, y->min)) == 0)
		r = cmp_u64(x->max, y->max);
	return r;
}

/* Terms in the order that puts equal first tests next to each other. */
int sk_cmp_lterm(const void *a, const void *b)
{
	const struct lterm *x = a, *y = b;

	for (unsigned i = 0; i < x->n && i < y->n; i++) {
		int r = sk_cmp_test(&x->t[i], &y->t[i]);
		if (r)
			return r;
	}
	return cmp_u64(x->n, y->n);
}

/* (word & m) == v as a test; false if it never holds. */
static bool word_test(struct lterm *out, uint8_t arg, bool hi, uint32_t m, uint32_t v)
{
	if (v & ~m)
		return false;
	if (m)
		out->t[out->n++] = (struct test){ .arg = arg, .kind = T_EQ, .hi = hi, .mask = m, .k = v };
	return true;
}

static void sort_tests(struct lterm *t)
{
	for (unsigned i = 1; i < t->n; i++)
		for (unsigned j = i; j > 0 && test_key(&t->t[j]) < test_key(&t->t[j - 1]); j--) {
			struct test x = t->t[j];
			t->t[j] = t->t[j - 1];
			t->t[j - 1] = x;
		}
}

/*
 * A plan term as tests; false if it never holds.  On 32-bit ABIs the kernel
 * hands over 32-bit arguments: a condition needing high bits never holds
 * there, one about high bits only always does, and no high word is read.
 */
bool sk_to_lterm(const struct sk_term *t, uint32_t ret, bool args32, struct lterm *out)
{
	out->ret = ret;
	out->n = 0;
	for (unsigned i = 0; i < t->n; i++) {
		struct sk_cond c = t->c[i];
		int keep = args32 ? sk_cond_restrict32(&c) : 1;
		uint32_t vhi = (uint32_t)(c.value >> 32), vlo = (uint32_t)c.value;

		if (keep < 0)
			return false;
		if (keep == 0)
			continue;
		if (c.op == SK_OP_EQ || c.op == SK_OP_MASKED_EQ) {
			uint64_t m = c.op == SK_OP_EQ ? UINT64_MAX : c.mask;
			if ((!args32 && !word_test(out, c.arg, true, (uint32_t)(m >> 32), vhi)) ||
			    !word_test(out, c.arg, false, (uint32_t)m, vlo))
				return false;
		} else {
			out->t[out->n++] = (struct test){ .arg = c.arg, .kind = T_COND, .c = c };
		}
	}
	sort_tests(out);
	return true;
}

/*
 * Where one bit of a masked word is wanted, (w & m) == b: that bit set and
 * the others clear, two jsets, as short as `and; jeq`, and the bit can then
 * merge with other terms' bits.
 */
void sk_split_bits(struct lterm *t)
{
	unsigned n = t->n, k = 0;

	for (unsigned i = 0; i < n; i++) {
		struct test *x = &t->t[i];
		if (x->kind != T_EQ || x->mask == 0xffffffffu || __builtin_popcount(x->k) != 1)
			continue;
		t->t[t->n++] = (struct test){ .arg = x->arg, .kind = T_BITS, .hi = x->hi, .mask = x->k };
		x->mask &= ~x->k;
		x->k = 0;
	}
	/* Drop the equalities left with no bit to test. */
	for (unsigned i = 0; i < t->n; i++)
		if (t->t[i].kind != T_EQ || t->t[i].mask != 0)
			t->t[k++] = t->t[i];
	t->n = (uint8_t)k;
	sort_tests(t);
}

/* The words a value test holds for, when they are one interval. */
static bool test_interval(const struct test *t, uint32_t *min, uint32_t *max)
{
	if (t->kind == T_RANGE) {
		*min = t->min;
		*max = t->max;
		return true;
	}
	if (t->kind != T_EQ || (~t->mask & (~t->mask + 1)) != 0)
		return false; /* the mask's clear bits are not the lowest ones */
	*min = t->k;
	*max = t->k | ~t->mask;
	return true;
}

/* Every word x holds for, y holds for (x and y have one key). */
static bool test_implies(const struct test *x, const struct test *y)
{
	uint32_t xmin, xmax, ymin, ymax;

	if (x->kind == T_BITS)
		return (x->mask & ~y->mask) == 0;
	if (test_interval(x, &xmin, &xmax) && test_interval(y, &ymin, &ymax))
		return ymin <= xmin && xmax <= ymax;
	return sk_cmp_test(x, y) == 0;
}

/* b is a subset of a: each of a's tests is implied by b's of that key. */
static bool term_covers(const struct lterm *a, const struct lterm *b)
{
	unsigned j = 0;

	for (unsigned i = 0; i < a->n; i++) {
		unsigned key = test_key(&a->t[i]);
		while (j < b->n && test_key(&b->t[j]) < key)
			j++;
		if (j == b->n || test_key(&b->t[j]) != key || !test_implies(&b->t[j], &a->t[i]))
			return false;
	}
	return true;
}

/*
 * x := x or y for two tests of one key, where one test says it:
 *  - "any of these bits": w&A or w&B = w&(A|B);
 *  - values in two intervals that touch: one interval;
 *  - an equality under one mask with values one bit apart:
 *    w&m == k or w&m == k^b = w&(m^b) == k&~b.
 * Sets *always if the result holds for every word.
 */
static bool test_merge(struct test *x, const struct test *y, bool *always)
{
	uint32_t xmin, xmax, ymin, ymax;

	*always = false;
	if (x->kind == T_BITS) {
		x->mask |= y->mask;
		return true;
	}
	if (x->kind == T_COND)
		return false;
	if (test_interval(x, &xmin, &xmax) && test_interval(y, &ymin, &ymax) &&
	    (uint64_t)(xmin > ymin ? xmin : ymin) <= (uint64_t)(xmax < ymax ? xmax : ymax) + 1) {
		xmin = xmin < ymin ? xmin : ymin;
		xmax = xmax > ymax ? xmax : ymax;
		*always = xmin == 0 && xmax == 0xffffffffu;
		*x = (struct test){ .arg = x->arg, .kind = T_RANGE, .hi = x->hi, .min = xmin, .max = xmax };
		return true;
	}
	if (x->kind == T_EQ && y->kind == T_EQ && x->mask == y->mask && __builtin_popcount(x->k ^ y->k) == 1) {
		x->mask &= ~(x->k ^ y->k);
		x->k &= x->mask;
		*always = x->mask == 0;
		return true;
	}
	return false;
}

/* a := a or b, if the terms differ in one test and test_merge() says it:
 * (C and x) or (C and y) = C and (x or y). */
static bool term_merge(struct lterm *a, const struct lterm *b)
{
	int differ = -1;
	bool always;

	if (a->n != b->n)
		return false;
	for (unsigned i = 0; i < a->n; i++) {
		if (test_key(&a->t[i]) != test_key(&b->t[i]))
			return false;
		if (sk_cmp_test(&a->t[i], &b->t[i]) == 0)
			continue;
		if (differ >= 0)
			return false;
		differ = (int)i;
	}
	if (differ < 0)
		return true; /* the same term */
	if (!test_merge(&a->t[differ], &b->t[differ], &always))
		return false;
	if (always) {
		memmove(&a->t[differ], &a->t[differ + 1], (a->n - differ - 1) * sizeof(a->t[0]));
		a->n--;
	}
	return true;
}

/* Beyond this many terms of one result, merging (quadratic per round) is
 * left out: such a leaf would hardly fit in a filter anyway. */
#define MERGE_MAX_TERMS 1024

/* Merge the terms t[0, n) of one result until no two merge; the new count. */
size_t sk_merge_terms(struct lterm *t, size_t n)
{
	bool changed = n <= MERGE_MAX_TERMS;

	while (changed) {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			for (size_t j = i + 1; j < n; j++) {
				if (term_covers(&t[j], &t[i]))
					t[i] = t[j];
				else if (!term_covers(&t[i], &t[j]) && !term_merge(&t[i], &t[j]))
					continue;
				memmove(&t[j], &t[j + 1], (n - j - 1) * sizeof(*t));
				n--;
				j = i; /* t[i] changed: try the others again */
				changed = true;
			}
		}
	}
	return n;
}

/* Ranges that are one value or "none of the low bits above" are shorter
 * as an equality. */
void sk_simplify_ranges(struct lterm *t)
{
	for (unsigned i = 0; i < t->n; i++) {
		struct test *x = &t->t[i];
		uint32_t span;
		if (x->kind != T_RANGE)
			continue;
		span = x->max - x->min;
		if (x->min == x->max)
			*x = (struct test){ .arg = x->arg, .kind = T_EQ, .hi = x->hi, .mask = ~0u, .k = x->min };
		else if (x->min == 0 && (span & (span + 1)) == 0)
			*x = (struct test){ .arg = x->arg, .kind = T_EQ, .hi = x->hi, .mask = ~span, .k = 0 };
	}
}

