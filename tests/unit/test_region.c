/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Property tests for the region algebra (region.c): random condition sets
 * from a seeded PRNG, with values biased to the points where comparisons
 * change their mind, checked against direct evaluation on many random and
 * boundary argument vectors.  The expected answers come from an evaluator
 * written for the tests (region_random.c), not from region.c.  First-match
 * compilation through the plan is in test_region_plan.c.
 *
 * STOCKADE_TEST_SEED=N reruns with another seed; failures print the seed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "plan_helpers.h"
#include "region_random.h"

/* ---- the region algebra ---- */

TEST(region_from_conds_matches_conditions)
{
	int bad = 0, big = 0;

	seed(1);
	for (int trial = 0; trial < 1500 / SLOWDOWN && bad < 5; trial++) {
		struct sk_cond c[5];
		size_t n = below(6);
		unsigned nargs = 1 + (unsigned)below(3);
		struct sk_region r = { 0 };
		struct pool p = { .n = 0 };

		for (size_t i = 0; i < n; i++) {
			c[i] = random_cond(nargs);
			pool_cond(&p, &c[i]);
		}
		int ret = sk_region_from_conds(&r, c, n);
		/* Several range and != conditions on one argument can need
		 * thousands of cubes: refused, never wrong. */
		if (ret == -E2BIG) {
			big++;
			continue;
		}
		CHECK_MSG(ret == 0, "from_conds: %d", ret);
		if (ret < 0)
			continue;
		if (!region_ok(&r, "from_conds")) {
			print_conds("conds", c, n);
			bad++;
			CHECK(!"a term libseccomp cannot take");
		}
		for (int v = 0; v < VECTORS; v++) {
			uint64_t a[SK_MAX_ARGS];
			random_args(&p, a);
			bool want = eval_all(c, n, a);
			if (sk_region_match(&r, a) != want) {
				fprintf(stderr, "  seed %#" PRIx64 " trial %d: region says %d\n", seed_used, trial,
					!want);
				print_conds("conds", c, n);
				print_args(a);
				bad++;
				CHECK(!"from_conds disagrees with the conditions");
				break;
			}
		}
		sk_region_clear(&r);
	}
	CHECK_MSG(big < 15 / SLOWDOWN + 1, "%d of %d condition sets were too complex", big, 1500 / SLOWDOWN);
}

TEST(region_subtract_and_intersect)
{
	int bad = 0, big = 0;

	seed(2);
	for (int trial = 0; trial < 1500 / SLOWDOWN && bad < 5; trial++) {
		struct sk_cond a[4], b[4];
		size_t na = below(4), nb = 1 + below(3);
		unsigned nargs = 1 + (unsigned)below(3);
		struct sk_region sub = { 0 }, isect = { 0 }, bregion = { 0 };
		struct pool p = { .n = 0 };
		struct sk_term t;
		bool via_terms = below(2);
		int ret;

		for (size_t i = 0; i < na; i++) {
			a[i] = random_cond(nargs);
			pool_cond(&p, &a[i]);
		}
		for (size_t i = 0; i < nb; i++) {
			b[i] = random_cond(nargs);
			pool_cond(&p, &b[i]);
		}
		ret = sk_region_from_conds(&sub, a, na);
		if (ret == 0)
			ret = sk_region_copy(&isect, &sub);
		CHECK(ret == 0);
		if (ret < 0)
			goto next;
		/* Either subtract B as the terms from_conds makes of it (what
		 * plan/plan.c does), or as one raw term (one condition per argument). */
		if (via_terms) {
			ret = sk_region_from_conds(&bregion, b, nb);
			for (size_t i = 0; ret == 0 && i < bregion.n; i++)
				ret = sk_region_subtract(&sub, &bregion.terms[i]);
		} else {
			t = raw_term(b, nb);
			nb = t.n;
			memcpy(b, t.c, nb * sizeof(b[0]));
			ret = sk_region_subtract(&sub, &t);
			if (ret == 0)
				ret = sk_region_intersect(&isect, &t);
		}
		if (ret == -E2BIG) {
			big++;
			goto next;
		}
		CHECK_MSG(ret == 0, "%d", ret);
		if (ret < 0)
			goto next;
		if (!region_ok(&sub, "a \\ b") || (!via_terms && !region_ok(&isect, "a & b"))) {
			print_conds("a", a, na);
			print_conds("b", b, nb);
			bad++;
			CHECK(!"a term libseccomp cannot take");
		}
		for (int v = 0; v < VECTORS; v++) {
			uint64_t x[SK_MAX_ARGS];
			random_args(&p, x);
			bool in_a = eval_all(a, na, x), in_b = eval_all(b, nb, x);
			bool got_sub = sk_region_match(&sub, x), got_isect = sk_region_match(&isect, x);
			if (got_sub != (in_a && !in_b) || (!via_terms && got_isect != (in_a && in_b))) {
				fprintf(stderr,
					"  seed %#" PRIx64 " trial %d (%s): a=%d b=%d, a\\b says %d, a&b says %d\n",
					seed_used, trial, via_terms ? "terms" : "raw term", in_a, in_b, got_sub,
					got_isect);
				print_conds("a", a, na);
				print_conds("b", b, nb);
				print_args(x);
				bad++;
				CHECK(!"subtract/intersect disagree with the conditions");
				break;
			}
		}
	next:
		sk_region_clear(&sub);
		sk_region_clear(&isect);
		sk_region_clear(&bregion);
	}
	/* Several range and != conditions on one argument can need thousands
	 * of cubes (refused, never wrong): rare. */
	CHECK_MSG(big < 15 / SLOWDOWN + 1, "%d of %d trials were too complex", big, 1500 / SLOWDOWN);
}

/* Longer chains: r = all; then a random sequence of subtractions and
 * intersections, replayed on each vector. */
TEST(region_chains)
{
	int bad = 0;

	seed(3);
	for (int trial = 0; trial < 300 / SLOWDOWN && bad < 3; trial++) {
		struct {
			bool subtract;
			struct sk_cond c[3];
			size_t n;
		} ops[4];
		size_t nops = 1 + below(ARRAY_SIZE(ops));
		unsigned nargs = 1 + (unsigned)below(2);
		struct sk_region r = { 0 };
		struct pool p = { .n = 0 };
		int ret = sk_region_all(&r);

		for (size_t k = 0; ret == 0 && k < nops; k++) {
			struct sk_region tmp = { 0 };
			ops[k].subtract = below(3) != 0;
			ops[k].n = 1 + below(2);
			for (size_t i = 0; i < ops[k].n; i++) {
				ops[k].c[i] = random_cond(nargs);
				pool_cond(&p, &ops[k].c[i]);
			}
			if (ops[k].subtract) {
				ret = sk_region_from_conds(&tmp, ops[k].c, ops[k].n);
				for (size_t i = 0; ret == 0 && i < tmp.n; i++)
					ret = sk_region_subtract(&r, &tmp.terms[i]);
				sk_region_clear(&tmp);
			} else {
				struct sk_term t = raw_term(ops[k].c, ops[k].n);
				ops[k].n = t.n;
				memcpy(ops[k].c, t.c, t.n * sizeof(t.c[0]));
				ret = sk_region_intersect(&r, &t);
			}
		}
		if (ret == -E2BIG) {
			sk_region_clear(&r);
			continue;
		}
		CHECK_MSG(ret == 0, "%d", ret);
		if (!region_ok(&r, "chain")) {
			bad++;
			CHECK(!"a term libseccomp cannot take");
		}
		for (int v = 0; ret == 0 && v < VECTORS; v++) {
			uint64_t x[SK_MAX_ARGS];
			bool want = true;
			random_args(&p, x);
			for (size_t k = 0; k < nops; k++) {
				bool in = eval_all(ops[k].c, ops[k].n, x);
				want = ops[k].subtract ? want && !in : want && in;
			}
			if (sk_region_match(&r, x) != want) {
				fprintf(stderr, "  seed %#" PRIx64 " trial %d: region says %d\n", seed_used, trial,
					!want);
				for (size_t k = 0; k < nops; k++)
					print_conds(ops[k].subtract ? "minus" : "and", ops[k].c, ops[k].n);
				print_args(x);
				bad++;
				CHECK(!"a chain of operations disagrees with the conditions");
				break;
			}
		}
		sk_region_clear(&r);
	}
}

/* Hand-picked cases at the edges of the arithmetic. */
TEST(region_edges)
{
	static const struct {
		struct sk_cond c[2];
		size_t n;
		size_t max_terms;
	} cases[] = {
		{ { { 0, SK_OP_LT, 0, 0 } }, 1, 0 },		       /* nothing */
		{ { { 0, SK_OP_GE, 0, 0 } }, 1, 1 },		       /* everything */
		{ { { 0, SK_OP_LE, 0, ALL } }, 1, 1 },
		{ { { 0, SK_OP_GT, 0, ALL } }, 1, 0 },
		{ { { 0, SK_OP_MASKED_EQ, 0, 0 } }, 1, 1 },	       /* mask 0: everything */
		{ { { 0, SK_OP_MASKED_EQ, 1, 2 } }, 1, 0 },	       /* value outside the mask */
		{ { { 0, SK_OP_MASKED_EQ, ALL, 5 } }, 1, 1 },	       /* just == 5 */
		{ { { 0, SK_OP_GT, 0, 5 }, { 0, SK_OP_LT, 0, 6 } }, 2, 0 },
		{ { { 0, SK_OP_GE, 0, 5 }, { 0, SK_OP_LE, 0, 5 } }, 2, 1 },
		{ { { 0, SK_OP_NE, 0, 0 }, { 0, SK_OP_NE, 0, ALL } }, 2, 128 }, /* [1, 2^64-2]: cubes */
		{ { { 0, SK_OP_NE, 0, 3 }, { 0, SK_OP_NE, 0, 4 } }, 2, 2 },
		{ { { 0, SK_OP_NE, 0, 3 }, { 0, SK_OP_NE, 0, 5 } }, 2, 3 },
		{ { { 0, SK_OP_GT, 0, 1 }, { 0, SK_OP_LT, 0, ALL } }, 2, 128 },
		{ { { 0, SK_OP_MASKED_EQ, 0xff, 0x12 }, { 0, SK_OP_LT, 0, 0x1000 } }, 2, 16 },
		{ { { 0, SK_OP_MASKED_EQ, 0xffffffff, 0x5412 }, { 0, SK_OP_NE, 0, 0x5412 } }, 2, 64 },
		{ { { 1, SK_OP_EQ, 0, 7 }, { 0, SK_OP_EQ, 0, 7 } }, 2, 1 },
	};
	uint64_t probes[] = { 0, 1, 2, 3, 4, 5, 6, 7, 0x12, 0x112, 0x1012, 0xfff, 0x1000, 0x5412, 0x105412, 0x100005412,
			      ALL - 1, ALL };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sk_region r = { 0 };

		CHECK(sk_region_from_conds(&r, cases[i].c, cases[i].n) == 0);
		CHECK_MSG(r.n <= cases[i].max_terms, "case %zu: %zu terms, want at most %zu", i, r.n,
			  cases[i].max_terms);
		CHECK(region_ok(&r, "edge case"));
		for (size_t a = 0; a < ARRAY_SIZE(probes); a++)
			for (size_t b = 0; b < 3; b++) {
				uint64_t x[SK_MAX_ARGS] = { probes[a], probes[(a + b) % ARRAY_SIZE(probes)] };
				CHECK_MSG(sk_region_match(&r, x) == eval_all(cases[i].c, cases[i].n, x),
					  "case %zu at %#" PRIx64 ", %#" PRIx64, i, x[0], x[1]);
			}
		sk_region_clear(&r);
	}
	/* Subtracting the empty term empties; subtracting a never-true term
	 * changes nothing. */
	struct sk_region r = { 0 };
	struct sk_term empty = { 0 }, never = { 1, { { 0, SK_OP_LT, 0, 0 } } };
	struct sk_term never2 = { 1, { { 2, SK_OP_MASKED_EQ, 1, 2 } } };
	uint64_t x[SK_MAX_ARGS] = { 0 };
	CHECK(sk_region_all(&r) == 0);
	CHECK(sk_region_subtract(&r, &never) == 0);
	CHECK(sk_region_subtract(&r, &never2) == 0);
	CHECK(sk_region_match(&r, x));
	CHECK(sk_region_subtract(&r, &empty) == 0 && r.n == 0);
	CHECK(!sk_region_match(&r, x));
	sk_region_clear(&r);
}

/* An interval cube (mask: every bit from some k up) is subtracted as two
 * range comparisons, not one cube per masked bit: `extends: agent` plus a
 * TCP port subtracted [4, 7] and [8, 9] this way and took ~10 ms. */
TEST(region_subtract_interval_cube)
{
	const struct sk_term i47 = { 1, { { 0, SK_OP_MASKED_EQ, ~(uint64_t)3, 4 } } };
	const struct sk_term i89 = { 1, { { 0, SK_OP_MASKED_EQ, ~(uint64_t)1, 8 } } };
	const struct sk_term low = { 1, { { 0, SK_OP_MASKED_EQ, ~(uint64_t)0xff, 0 } } }; /* [0, 255] */
	const struct sk_term sock = { 2, { { 0, SK_OP_EQ, 0, 2 }, { 1, SK_OP_MASKED_EQ, 0xf, 1 } } };
	struct sk_region r = { 0 };

	CHECK(sk_region_all(&r) == 0);
	CHECK(sk_region_subtract(&r, &sock) == 0);
	CHECK(sk_region_subtract(&r, &i47) == 0);
	CHECK(sk_region_subtract(&r, &i89) == 0);
	CHECK_MSG(r.n <= 16, "%zu terms", r.n);
	CHECK(region_ok(&r, "interval cubes"));
	for (uint64_t a0 = 0; a0 < 12; a0++)
		for (uint64_t a1 = 0; a1 < 20; a1++) {
			uint64_t x[SK_MAX_ARGS] = { a0, a1 };
			bool in = !(a0 == 2 && (a1 & 0xf) == 1) && !(a0 >= 4 && a0 <= 9);
			CHECK_MSG(sk_region_match(&r, x) == in, "at %" PRIu64 ", %" PRIu64, a0, a1);
		}
	uint64_t top[SK_MAX_ARGS] = { ~(uint64_t)0, 0 };
	CHECK(sk_region_match(&r, top));
	CHECK(sk_region_subtract(&r, &low) == 0);
	uint64_t x255[SK_MAX_ARGS] = { 255, 0 }, x256[SK_MAX_ARGS] = { 256, 0 };
	CHECK(!sk_region_match(&r, x255) && sk_region_match(&r, x256) && sk_region_match(&r, top));
	sk_region_clear(&r);
}
