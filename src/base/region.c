/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sets of argument vectors, as unions of libseccomp-expressible terms.
 *
 * Why this exists: libseccomp evaluates overlapping rules of one syscall in an
 * order of its own, silently drops conditional rules when an unconditional
 * rule exists for the same syscall, refuses rules whose action is the default
 * and refuses two comparisons on one argument.  A policy says "the first
 * matching rule wins, otherwise the syscall's base action"; to compile that
 * faithfully we hand libseccomp only regions that are disjoint between
 * different actions, so its evaluation order cannot matter.
 *
 * A term is a conjunction of at most one native comparison per argument.  A
 * region is a union of terms.  Complements and intersections stay native
 * where one comparison can express the result (EQ/NE, LT/GE, masked cubes)
 * and otherwise fall back to ternary cubes (mask, value), which any set of
 * 64-bit values can be split into.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

#define ALL_ONES UINT64_MAX

/* A small list of alternative conditions for one argument. */
struct alts {
	size_t n;
	struct sk_cond c[130]; /* an interval splits into at most 128 cubes */
};

static void alts_add(struct alts *a, struct sk_cond c)
{
	if (a->n < ARRAY_SIZE(a->c))
		a->c[a->n++] = c;
}

bool sk_cond_match(const struct sk_cond *c, const uint64_t args[SK_MAX_ARGS])
{
	uint64_t x = args[c->arg];

	switch (c->op) {
	case SK_OP_EQ:
		return x == c->value;
	case SK_OP_NE:
		return x != c->value;
	case SK_OP_LT:
		return x < c->value;
	case SK_OP_LE:
		return x <= c->value;
	case SK_OP_GT:
		return x > c->value;
	case SK_OP_GE:
		return x >= c->value;
	case SK_OP_MASKED_EQ:
		return (x & c->mask) == c->value;
	}
	return false;
}

bool sk_term_match(const struct sk_term *t, const uint64_t args[SK_MAX_ARGS])
{
	for (unsigned i = 0; i < t->n; i++)
		if (!sk_cond_match(&t->c[i], args))
			return false;
	return true;
}

bool sk_region_match(const struct sk_region *r, const uint64_t args[SK_MAX_ARGS])
{
	for (size_t i = 0; i < r->n; i++)
		if (sk_term_match(&r->terms[i], args))
			return true;
	return false;
}

static bool value_match(const struct sk_cond *c, uint64_t x)
{
	uint64_t args[SK_MAX_ARGS] = { 0 };

	args[c->arg] = x;
	return sk_cond_match(c, args);
}

enum trivial { NONTRIVIAL, ALWAYS, NEVER };

/* Canonicalise a condition and say whether it is constant. */
static enum trivial normalize(struct sk_cond *c)
{
	switch (c->op) {
	case SK_OP_LT:
		return c->value == 0 ? NEVER : NONTRIVIAL;
	case SK_OP_GT:
		return c->value == ALL_ONES ? NEVER : NONTRIVIAL;
	case SK_OP_LE:
		return c->value == ALL_ONES ? ALWAYS : NONTRIVIAL;
	case SK_OP_GE:
		return c->value == 0 ? ALWAYS : NONTRIVIAL;
	case SK_OP_MASKED_EQ:
		if (c->value & ~c->mask)
			return NEVER;
		if (c->mask == 0)
			return ALWAYS;
		if (c->mask == ALL_ONES) {
			c->op = SK_OP_EQ;
			c->mask = 0;
		}
		return NONTRIVIAL;
	default:
		c->mask = 0;
		return NONTRIVIAL;
	}
}

static struct sk_cond cube(uint8_t arg, uint64_t mask, uint64_t value)
{
	struct sk_cond c = { .arg = arg, .op = SK_OP_MASKED_EQ, .mask = mask, .value = value & mask };

	normalize(&c);
	return c;
}

/* Split [lo, hi] into aligned power-of-two blocks, each one cube. */
static void interval_cubes(uint8_t arg, uint64_t lo, uint64_t hi, struct alts *out)
{
	for (;;) {
		/* The largest block aligned at lo that ends at or before hi;
		 * lo is a multiple of 2^k, so lo + 2^k - 1 cannot overflow. */
		unsigned k = lo ? (unsigned)__builtin_ctzll(lo) : 64;
		uint64_t last;

		for (;; k--) {
			last = k == 64 ? ALL_ONES : lo + (((uint64_t)1 << k) - 1);
			if (last <= hi)
				break;
		}
		alts_add(out, cube(arg, k == 64 ? 0 : ~(((uint64_t)1 << k) - 1), lo));
		if (last >= hi)
			return;
		lo = last + 1;
	}
}

/* The interval a range comparison denotes. */
static bool cond_interval(const struct sk_cond *c, uint64_t *lo, uint64_t *hi)
{
	switch (c->op) {
	case SK_OP_LT:
		*lo = 0, *hi = c->value - 1;
		return true;
	case SK_OP_LE:
		*lo = 0, *hi = c->value;
		return true;
	case SK_OP_GT:
		*lo = c->value + 1, *hi = ALL_ONES;
		return true;
	case SK_OP_GE:
		*lo = c->value, *hi = ALL_ONES;
		return true;
	case SK_OP_EQ:
		*lo = *hi = c->value;
		return true;
	default:
		return false;
	}
}

/* Express any normalised condition as cubes. */
static void cond_cubes(const struct sk_cond *c, struct alts *out)
{
	uint64_t lo, hi;

	switch (c->op) {
	case SK_OP_EQ:
	case SK_OP_MASKED_EQ:
		alts_add(out, *c);
		return;
	case SK_OP_NE:
		/* Everything that differs from v first at bit b, for each b. */
		for (int b = 63; b >= 0; b--) {
			uint64_t bit = (uint64_t)1 << b;
			uint64_t mask = ~(bit - 1);
			alts_add(out, cube(c->arg, mask, (c->value & ~bit) | (~c->value & bit)));
		}
		return;
	default:
		if (cond_interval(c, &lo, &hi))
			interval_cubes(c->arg, lo, hi, out);
	}
}

/* A condition with exactly the given interval, natively where possible. */
static void interval_cond(uint8_t arg, uint64_t lo, uint64_t hi, struct alts *out)
{
	if (lo > hi)
		return;
	if (lo == hi)
		alts_add(out, (struct sk_cond){ .arg = arg, .op = SK_OP_EQ, .value = lo });
	else if (lo == 0)
		alts_add(out, (struct sk_cond){ .arg = arg, .op = SK_OP_LE, .value = hi });
	else if (hi == ALL_ONES)
		alts_add(out, (struct sk_cond){ .arg = arg, .op = SK_OP_GE, .value = lo });
	else
		interval_cubes(arg, lo, hi, out);
}

/* a ∧ b for two normalised, non-trivial conditions on the same argument. */
static void cond_intersect(const struct sk_cond *a, const struct sk_cond *b, struct alts *out)
{
	uint64_t lo1, hi1, lo2, hi2;

	if (a->op == b->op && a->mask == b->mask && a->value == b->value) {
		alts_add(out, *a);
		return;
	}
	if (a->op == SK_OP_EQ || b->op == SK_OP_EQ) {
		const struct sk_cond *eq = a->op == SK_OP_EQ ? a : b, *other = eq == a ? b : a;
		if (value_match(other, eq->value))
			alts_add(out, *eq);
		return;
	}
	if (a->op == SK_OP_NE || b->op == SK_OP_NE) {
		const struct sk_cond *ne = a->op == SK_OP_NE ? a : b, *other = ne == a ? b : a;
		if (!value_match(other, ne->value)) {
			alts_add(out, *other);
			return;
		}
		if (other->op == SK_OP_NE) {
			/* Two excluded points leave three intervals. */
			uint64_t lo = a->value < b->value ? a->value : b->value;
			uint64_t hi = a->value < b->value ? b->value : a->value;
			if (lo > 0)
				interval_cond(a->arg, 0, lo - 1, out);
			if (hi - lo > 1)
				interval_cond(a->arg, lo + 1, hi - 1, out);
			if (hi < ALL_ONES)
				interval_cond(a->arg, hi + 1, ALL_ONES, out);
			return;
		}
		if (cond_interval(other, &lo1, &hi1)) {
			/* An interval minus one point is at most two intervals. */
			if (ne->value > lo1)
				interval_cond(a->arg, lo1, ne->value - 1, out);
			if (ne->value < hi1)
				interval_cond(a->arg, ne->value + 1, hi1, out);
			return;
		}
	} else if (a->op == SK_OP_MASKED_EQ && b->op == SK_OP_MASKED_EQ) {
		if ((a->value ^ b->value) & a->mask & b->mask)
			return;
		alts_add(out, cube(a->arg, a->mask | b->mask, a->value | b->value));
		return;
	} else if (cond_interval(a, &lo1, &hi1) && cond_interval(b, &lo2, &hi2)) {
		interval_cond(a->arg, lo1 > lo2 ? lo1 : lo2, hi1 < hi2 ? hi1 : hi2, out);
		return;
	}

	/* General case: intersect cube by cube. */
	struct alts ca = { 0 }, cb = { 0 };
	cond_cubes(a, &ca);
	cond_cubes(b, &cb);
	for (size_t i = 0; i < ca.n; i++) {
		for (size_t j = 0; j < cb.n; j++) {
			const struct sk_cond *x = &ca.c[i], *y = &cb.c[j];
			uint64_t mx = x->op == SK_OP_EQ ? ALL_ONES : x->mask;
			uint64_t my = y->op == SK_OP_EQ ? ALL_ONES : y->mask;
			if ((x->value ^ y->value) & mx & my)
				continue;
			alts_add(out, cube(a->arg, mx | my, x->value | y->value));
		}
	}
}

/* ¬c as a union of native conditions (may overlap). */
static void cond_complement(const struct sk_cond *c, struct alts *out)
{
	struct sk_cond n = *c;

	switch (c->op) {
	case SK_OP_EQ:
		n.op = SK_OP_NE;
		break;
	case SK_OP_NE:
		n.op = SK_OP_EQ;
		break;
	case SK_OP_LT:
		n.op = SK_OP_GE;
		break;
	case SK_OP_LE:
		n.op = SK_OP_GT;
		break;
	case SK_OP_GT:
		n.op = SK_OP_LE;
		break;
	case SK_OP_GE:
		n.op = SK_OP_LT;
		break;
	case SK_OP_MASKED_EQ:
		/* A cube whose mask is every bit from some k up is the interval
		 * [value, value + 2^k - 1] (interval_cubes() makes them): its
		 * complement is two range comparisons, not one cube per masked
		 * bit (62 for [4, 7], and each term they split multiplies). */
		if (c->mask && (c->mask | ((c->mask & -c->mask) - 1)) == ALL_ONES) {
			struct sk_cond lt = { .arg = c->arg, .op = SK_OP_LT, .value = c->value };
			struct sk_cond gt = { .arg = c->arg, .op = SK_OP_GT, .value = c->value | ~c->mask };
			if (normalize(&lt) == NONTRIVIAL)
				alts_add(out, lt);
			if (normalize(&gt) == NONTRIVIAL)
				alts_add(out, gt);
			return;
		}
		/* Some masked bit differs from the expected value. */
		for (int b = 0; b < 64; b++) {
			uint64_t bit = (uint64_t)1 << b;
			if (c->mask & bit)
				alts_add(out, cube(c->arg, bit, ~c->value & bit));
		}
		return;
	}
	if (normalize(&n) == NONTRIVIAL)
		alts_add(out, n);
}

static int region_push(struct sk_region *r, const struct sk_term *t)
{
	if (r->n == r->cap) {
		/* Most regions hold one term of ~150 bytes: start there, so
		 * a plan's few hundred regions touch few pages. */
		size_t cap = r->cap ? r->cap * 2 : 1;
		if (r->n >= SK_REGION_MAX_WORK)
			return -E2BIG;
		struct sk_term *n = realloc(r->terms, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		r->terms = n;
		r->cap = cap;
	}
	r->terms[r->n++] = *t;
	return 0;
}

void sk_region_clear(struct sk_region *r)
{
	free(r->terms);
	*r = (struct sk_region){ 0 };
}

int sk_region_copy(struct sk_region *dst, const struct sk_region *src)
{
	*dst = (struct sk_region){ 0 };
	if (src->n) {
		if (!(dst->terms = malloc(src->n * sizeof(*dst->terms))))
			return -ENOMEM;
		dst->cap = src->n;
	}
	for (size_t i = 0; i < src->n; i++) {
		int ret = region_push(dst, &src->terms[i]);
		if (ret < 0) {
			sk_region_clear(dst);
			return ret;
		}
	}
	return 0;
}

int sk_region_all(struct sk_region *out)
{
	struct sk_term t = { 0 };

	*out = (struct sk_region){ 0 };
	return region_push(out, &t);
}

/* t ∧ c, appended to out as zero or more terms. */
static int term_and_cond(const struct sk_term *t, const struct sk_cond *c, struct sk_region *out)
{
	struct sk_cond cc = *c;
	enum trivial tr = normalize(&cc);
	struct alts alts;
	int ret = 0;

	if (tr == NEVER)
		return 0;
	if (tr == ALWAYS)
		return region_push(out, t);

	unsigned pos = 0;
	while (pos < t->n && t->c[pos].arg < cc.arg)
		pos++;
	if (pos == t->n || t->c[pos].arg != cc.arg) {
		struct sk_term n = *t;
		memmove(&n.c[pos + 1], &n.c[pos], (n.n - pos) * sizeof(n.c[0]));
		n.c[pos] = cc;
		n.n++;
		return region_push(out, &n);
	}

	alts.n = 0;
	cond_intersect(&t->c[pos], &cc, &alts);
	if (alts.n == ARRAY_SIZE(alts.c))
		ret = -E2BIG;
	for (size_t i = 0; ret == 0 && i < alts.n; i++) {
		struct sk_term n = *t;
		n.c[pos] = alts.c[i];
		ret = region_push(out, &n);
	}
	return ret;
}

static bool cond_equal(const struct sk_cond *a, const struct sk_cond *b)
{
	return a->arg == b->arg && a->op == b->op && a->mask == b->mask && a->value == b->value;
}

/* Does every vector matching a also match b?  (Conservative: false if unsure.) */
static bool cond_implies(const struct sk_cond *a, const struct sk_cond *b)
{
	uint64_t lo1, hi1, lo2, hi2;

	if (cond_equal(a, b))
		return true;
	if (a->op == SK_OP_EQ)
		return value_match(b, a->value);
	if (a->op == SK_OP_MASKED_EQ && b->op == SK_OP_MASKED_EQ)
		return (b->mask & ~a->mask) == 0 && (a->value & b->mask) == b->value;
	if (b->op == SK_OP_NE && a->op == SK_OP_MASKED_EQ)
		return !value_match(a, b->value);
	if (cond_interval(a, &lo1, &hi1) && cond_interval(b, &lo2, &hi2))
		return lo1 >= lo2 && hi1 <= hi2;
	if (b->op == SK_OP_NE && cond_interval(a, &lo1, &hi1))
		return b->value < lo1 || b->value > hi1;
	return false;
}

static bool term_implies(const struct sk_term *a, const struct sk_term *b)
{
	if (b->n > a->n)
		return false;
	for (unsigned j = 0; j < b->n; j++) {
		bool found = false;
		for (unsigned i = 0; i < a->n && !found; i++)
			found = a->c[i].arg == b->c[j].arg && cond_implies(&a->c[i], &b->c[j]);
		if (!found)
			return false;
	}
	return true;
}

/* Drop terms contained in another term: fewer rules, same set. */
static void region_simplify(struct sk_region *r)
{
	size_t out = 0;

	for (size_t i = 0; i < r->n; i++) {
		bool redundant = false;
		for (size_t j = 0; j < r->n && !redundant; j++) {
			if (i == j || !term_implies(&r->terms[i], &r->terms[j]))
				continue;
			/* Equal terms: keep the first only. */
			redundant = !term_implies(&r->terms[j], &r->terms[i]) || j < i;
		}
		if (!redundant)
			r->terms[out++] = r->terms[i];
	}
	r->n = out;
}

int sk_region_intersect(struct sk_region *r, const struct sk_term *t)
{
	for (unsigned k = 0; k < t->n; k++) {
		struct sk_region next = { 0 };
		for (size_t i = 0; i < r->n; i++) {
			int ret = term_and_cond(&r->terms[i], &t->c[k], &next);
			if (ret < 0) {
				sk_region_clear(&next);
				return ret;
			}
		}
		sk_region_clear(r);
		*r = next;
		region_simplify(r);
	}
	return 0;
}

/* Can no vector match both conditions (same argument)? */
static bool conds_disjoint(const struct sk_cond *a, const struct sk_cond *b)
{
	uint64_t lo1, hi1, lo2, hi2;
	struct alts alts = { 0 };

	if (a->op == SK_OP_EQ)
		return !value_match(b, a->value);
	if (b->op == SK_OP_EQ)
		return !value_match(a, b->value);
	if (a->op == SK_OP_MASKED_EQ && b->op == SK_OP_MASKED_EQ)
		return ((a->value ^ b->value) & a->mask & b->mask) != 0;
	if (a->op != SK_OP_NE && b->op != SK_OP_NE && cond_interval(a, &lo1, &hi1) && cond_interval(b, &lo2, &hi2))
		return hi1 < lo2 || hi2 < lo1;
	cond_intersect(a, b, &alts);
	return alts.n == 0;
}

/* Can a vector match both terms? */
static bool terms_intersect(const struct sk_term *a, const struct sk_term *b)
{
	for (unsigned i = 0; i < a->n; i++)
		for (unsigned j = 0; j < b->n; j++)
			if (a->c[i].arg == b->c[j].arg && conds_disjoint(&a->c[i], &b->c[j]))
				return false;
	return true;
}

int sk_region_subtract(struct sk_region *r, const struct sk_term *raw)
{
	struct sk_region next = { 0 };
	struct sk_term norm = { 0 }, *t = &norm;
	struct alts alts;
	int ret = 0;

	/* The splitting below takes canonical, non-trivial conditions (the
	 * complement of a never-true condition would come out empty). */
	for (unsigned k = 0; k < raw->n; k++) {
		struct sk_cond c = raw->c[k];
		enum trivial tr = normalize(&c);
		if (tr == NEVER)
			return 0; /* r \ ∅ = r */
		if (tr == NONTRIVIAL)
			norm.c[norm.n++] = c;
	}
	if (t->n == 0) {
		r->n = 0;
		return 0;
	}
	for (size_t i = 0; i < r->n && ret == 0; i++) {
		const struct sk_term *u = &r->terms[i];

		/* Most terms of a region miss the subtracted term entirely or
		 * lie inside it; only the rest need splitting. */
		if (!terms_intersect(u, t)) {
			ret = region_push(&next, u);
			continue;
		}
		if (term_implies(u, t))
			continue;
		/* u \ (c1 ∧ c2 ...) = (u ∧ ¬c1) ∪ (u ∧ ¬c2) ∪ ... */
		for (unsigned k = 0; k < t->n && ret == 0; k++) {
			alts.n = 0;
			cond_complement(&t->c[k], &alts);
			for (size_t a = 0; a < alts.n && ret == 0; a++)
				ret = term_and_cond(u, &alts.c[a], &next);
		}
	}
	if (ret < 0) {
		sk_region_clear(&next);
		return ret;
	}
	sk_region_clear(r);
	*r = next;
	region_simplify(r);
	return 0;
}

int sk_region_from_conds(struct sk_region *out, const struct sk_cond *conds, size_t n)
{
	struct sk_term t = { 0 };
	int ret;

	ret = sk_region_all(out);
	if (ret < 0)
		return ret;
	/* Feed the conditions one at a time so same-argument ones intersect. */
	for (size_t i = 0; i < n; i++) {
		t.n = 1;
		t.c[0] = conds[i];
		ret = sk_region_intersect(out, &t);
		if (ret < 0) {
			sk_region_clear(out);
			return ret;
		}
	}
	return 0;
}

/*
 * Restrict a condition to arguments that fit in 32 bits.  On 32-bit ABIs the
 * kernel hands seccomp zero-extended 32-bit arguments, and libseccomp silently
 * keeps only the low half of every 64-bit datum, so a term that needs high
 * bits (never true there) would otherwise match on its low half.
 * Returns 1 to keep `c` (rewritten), 0 if it always holds (drop it), -1 if
 * it never holds (drop the whole term).
 */
int sk_cond_restrict32(struct sk_cond *c)
{
	const uint64_t lo = 0xffffffffULL;

	switch (c->op) {
	case SK_OP_EQ:
		return c->value > lo ? -1 : 1;
	case SK_OP_NE:
		return c->value > lo ? 0 : 1;
	case SK_OP_LT:
		return c->value == 0 ? -1 : c->value > lo ? 0 : 1;
	case SK_OP_LE:
		return c->value >= lo ? 0 : 1;
	case SK_OP_GT:
		return c->value >= lo ? -1 : 1;
	case SK_OP_GE:
		return c->value == 0 ? 0 : c->value > lo ? -1 : 1;
	case SK_OP_MASKED_EQ:
		if (c->value > lo)
			return -1;
		c->mask &= lo;
		return c->mask ? 1 : 0;
	}
	return 1;
}
