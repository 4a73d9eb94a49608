/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Property tests for the region algebra (region.c) and for first-match
 * compilation (plan.c): random condition sets from a seeded PRNG, with values
 * biased to the points where comparisons change their mind, checked against
 * direct evaluation on many random and boundary argument vectors.  The
 * expected answers come from an evaluator written here, not from region.c.
 *
 * STOCKADE_TEST_SEED=N reruns with another seed; failures print the seed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "plan_helpers.h"

#define ALL UINT64_MAX

/* Sanitizers slow region.c down tenfold: fewer trials there. */
#if defined(__SANITIZE_ADDRESS__)
#define SLOWDOWN 5
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLOWDOWN 5
#endif
#endif
#ifndef SLOWDOWN
#define SLOWDOWN 1
#endif

/* ---- a seeded PRNG (xorshift64*) ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t seed_used;

static void seed(uint64_t salt)
{
	const char *env = getenv("STOCKADE_TEST_SEED");

	seed_used = env && *env ? strtoull(env, NULL, 0) : 0x5eed5eed;
	rng = (seed_used ^ (salt * 0x9e3779b97f4a7c15ULL)) | 1;
}

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* Values where comparisons and masks change their answer. */
static uint64_t interesting(void)
{
	static const uint64_t fixed[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 0x7f, 0x80, 0xff, 0x100, 0x5412, 0x541c, 0x10000000, 0x7fffffff,
		0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffffULL, 0x8000000000000000ULL, ALL - 1, ALL,
	};
	unsigned k = (unsigned)below(64);

	switch (below(10)) {
	case 0:
	case 1:
	case 2:
		return fixed[below(ARRAY_SIZE(fixed))];
	case 3:
		return below(20);
	case 4:
		return (uint64_t)1 << k;
	case 5:
		return ((uint64_t)1 << k) - 1;
	case 6:
		return ~(((uint64_t)1 << k) - 1);
	case 7:
		return rnd() & 0xff;
	case 8:
		return ALL - below(4);
	default:
		return rnd();
	}
}

static uint64_t random_mask(void)
{
	unsigned k = (unsigned)below(64);

	switch (below(9)) {
	case 0:
		return ALL;
	case 1:
		return (uint64_t)1 << k;
	case 2:
		return ((uint64_t)1 << k) - 1 ? ((uint64_t)1 << k) - 1 : 1;
	case 3:
		return ~(((uint64_t)1 << k) - 1);
	case 4:
		return 0xffffffff;
	case 5:
		return ((uint64_t)1 << k) | ((uint64_t)1 << below(64));
	case 6:
		return rnd() & rnd() & rnd();
	case 7:
		return 0; /* trivially true: callers must cope */
	default:
		return rnd();
	}
}

/* ---- conditions and their meaning, independently of region.c ---- */

static bool eval(const struct sk_cond *c, const uint64_t *args)
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
	abort();
}

static bool eval_all(const struct sk_cond *c, size_t n, const uint64_t *args)
{
	for (size_t i = 0; i < n; i++)
		if (!eval(&c[i], args))
			return false;
	return true;
}

static struct sk_cond random_cond(unsigned nargs)
{
	struct sk_cond c = { .arg = (uint8_t)below(nargs), .op = (uint8_t)below(7) };

	if (c.op == SK_OP_MASKED_EQ) {
		c.mask = random_mask();
		/* Now and then a value with bits outside the mask (never true). */
		c.value = below(12) ? interesting() & c.mask : interesting();
	} else {
		c.value = interesting();
	}
	return c;
}

/* Values to test a set of conditions on: their constants and neighbours,
 * masked variants, the interesting points and plain random numbers. */
struct pool {
	uint64_t v[512];
	size_t n;
};

static void pool_add(struct pool *p, uint64_t v)
{
	if (p->n < ARRAY_SIZE(p->v))
		p->v[p->n++] = v;
}

static void pool_cond(struct pool *p, const struct sk_cond *c)
{
	pool_add(p, c->value);
	pool_add(p, c->value + 1);
	pool_add(p, c->value - 1);
	if (c->op == SK_OP_MASKED_EQ) {
		pool_add(p, c->value | ~c->mask);
		pool_add(p, c->value ^ (c->mask & -c->mask)); /* lowest masked bit flipped */
		pool_add(p, c->mask);
		pool_add(p, ~c->mask);
	}
}

static uint64_t pick(const struct pool *p)
{
	switch (below(6)) {
	case 0:
		return interesting();
	case 1:
		return rnd();
	case 2:
		return p->n ? p->v[below(p->n)] ^ ((uint64_t)1 << below(64)) : 0;
	default:
		return p->n ? p->v[below(p->n)] : 0;
	}
}

static void random_args(const struct pool *p, uint64_t args[SK_MAX_ARGS])
{
	for (unsigned i = 0; i < SK_MAX_ARGS; i++)
		args[i] = pick(p);
}

static void print_conds(const char *what, const struct sk_cond *c, size_t n)
{
	char buf[128];

	fprintf(stderr, "    %s:", what);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " [%s]", sk_cond_format(&c[i], buf, sizeof(buf)));
	fprintf(stderr, "\n");
}

static void print_args(const uint64_t *a)
{
	fprintf(stderr, "    args:");
	for (int i = 0; i < SK_MAX_ARGS; i++)
		fprintf(stderr, " %#" PRIx64, a[i]);
	fprintf(stderr, "\n");
}

/* A term is what libseccomp can take as one rule: at most one comparison
 * per argument, sorted, each one canonical and not trivially true or false. */
static bool term_ok(const struct sk_term *t, char *why, size_t size)
{
	if (t->n > SK_MAX_ARGS)
		return snprintf(why, size, "%u conditions", t->n), false;
	for (unsigned i = 0; i < t->n; i++) {
		const struct sk_cond *c = &t->c[i];

		if (c->arg >= SK_MAX_ARGS || c->op > SK_OP_MASKED_EQ)
			return snprintf(why, size, "bad arg %u or op %u", c->arg, c->op), false;
		if (i > 0 && t->c[i - 1].arg >= c->arg)
			return snprintf(why, size, "arguments not sorted or repeated (arg%u)", c->arg), false;
		if (c->op == SK_OP_MASKED_EQ && (c->value & ~c->mask))
			return snprintf(why, size, "value outside the mask"), false;
		if (c->op == SK_OP_MASKED_EQ && (c->mask == 0 || c->mask == ALL))
			return snprintf(why, size, "mask %#" PRIx64 " (not canonical)", c->mask), false;
		if (c->op != SK_OP_MASKED_EQ && c->mask != 0)
			return snprintf(why, size, "a mask on a plain comparison"), false;
		if ((c->op == SK_OP_LT && c->value == 0) || (c->op == SK_OP_GT && c->value == ALL) ||
		    (c->op == SK_OP_LE && c->value == ALL) || (c->op == SK_OP_GE && c->value == 0))
			return snprintf(why, size, "a trivial comparison"), false;
	}
	return true;
}

static bool region_ok(const struct sk_region *r, const char *what)
{
	char why[128];

	for (size_t i = 0; i < r->n; i++) {
		if (!term_ok(&r->terms[i], why, sizeof(why))) {
			char buf[128];
			fprintf(stderr, "  %s: term %zu: %s:", what, i, why);
			for (unsigned k = 0; k < r->terms[i].n; k++)
				fprintf(stderr, " [%s]", sk_cond_format(&r->terms[i].c[k], buf, sizeof(buf)));
			fprintf(stderr, "\n");
			return false;
		}
	}
	return true;
}

/* A term from conditions on distinct arguments, sorted, as given (not
 * normalised: trivial conditions are allowed). */
static struct sk_term raw_term(const struct sk_cond *c, size_t n)
{
	struct sk_term t = { 0 };

	for (uint8_t arg = 0; arg < SK_MAX_ARGS; arg++)
		for (size_t i = 0; i < n; i++)
			if (c[i].arg == arg) {
				t.c[t.n++] = c[i];
				break;
			}
	return t;
}

/* ---- the region algebra ---- */

enum { VECTORS = 200 };

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

/* ---- first-match compilation, through the policy text ---- */

enum gkind { G_EQ, G_NE, G_LT, G_LE, G_GT, G_GE, G_MEQ, G_MNE, G_MANY, G_KINDS };

struct gcond {
	unsigned arg;
	enum gkind kind;
	uint64_t mask, value;
};

struct grule {
	struct gcond c[3];
	size_t n;
	const char *action;
	int line; /* where the rule starts in its text */
};

struct glayer {
	struct grule rules[4];
	size_t nrules;
	const char *base;	/* NULL, "allow" or "deny" */
	const char *deny_action; /* NULL or an action */
	const char *default_action;
};

static const char *const gactions[] = { "allow", "log", "errno:EPERM", "errno:EACCES", "trap", "kill", "kill-thread" };
static const char *const gdeny[] = { "errno:EPERM", "errno:ENOSYS", "trap", "kill" };

/*
 * Rules like the ones people write: mostly equality and flag tests, some
 * ranges and !=, on a few values shared between the rules of a trial so
 * that they overlap and their order matters.  (Fully random conditions are
 * left to the tests above: they make regions of thousands of terms, which
 * region.c refuses, slowly.)
 */
static uint64_t anchors[4];

static void new_anchors(void)
{
	/* Mostly small: two excluded points far apart (`!= 0`, `!= 2^63`)
	 * leave an interval that takes a hundred cubes, per term. */
	static const uint64_t common[] = { 0, 1, 2, 3, 8, 10, 16, 17, 0x80, 0x100, 0x1000, 0x5412 };
	static const uint64_t big[] = { 0x10000000, 0x80000000, 0xffffffff, 0x100000000, 0x8000000000000000ULL,
					ALL - 1, ALL };

	for (size_t i = 0; i < ARRAY_SIZE(anchors); i++)
		anchors[i] = below(16) ? common[below(ARRAY_SIZE(common))] : big[below(ARRAY_SIZE(big))];
}

static uint64_t anchor_value(void)
{
	uint64_t v = anchors[below(ARRAY_SIZE(anchors))];

	switch (below(5)) {
	case 0:
		return v + 1;
	case 1:
		return v - 1;
	default:
		return v;
	}
}

/* One to three bits, mostly low ones. */
static uint64_t flag_mask(void)
{
	uint64_t m = 0;

	for (uint64_t n = 1 + below(3); n > 0; n--)
		m |= (uint64_t)1 << (below(3) ? below(8) : below(64));
	return m;
}

/*
 * arg0 gets comparisons (like a socket family or a size), arg1 flag tests
 * (like open flags), arg2 equality; a rule tests each argument at most once.
 * Ranges and flag tests on one argument are what make regions big (see
 * region_known_slow); the algebra tests above cover them.
 */
static struct gcond random_gcond(unsigned arg)
{
	struct gcond c = { .arg = arg };
	uint64_t r = below(12);

	if (arg == 2 || r < 4) {
		c.kind = G_EQ;
		c.value = anchor_value();
	} else if (arg == 0) {
		c.kind = r < 6 ? G_NE : (enum gkind)(G_LT + below(4));
		c.value = anchor_value();
	} else if (r < 8) {
		c.kind = G_MEQ;
		/* Wide masks (ioctl's 0xffffffff) are left to the presets: each
		 * rule after one multiplies the terms by the mask's width. */
		c.mask = flag_mask();
		c.value = (below(2) ? anchor_value() : rnd()) & c.mask;
	} else if (r < 11) {
		c.kind = G_MANY;
		c.mask = flag_mask();
	} else {
		c.kind = G_MNE;
		c.mask = flag_mask();
		c.value = rnd() & c.mask;
	}
	return c;
}

static bool geval(const struct gcond *c, const uint64_t *args)
{
	uint64_t x = args[c->arg];

	switch (c->kind) {
	case G_EQ:
		return x == c->value;
	case G_NE:
		return x != c->value;
	case G_LT:
		return x < c->value;
	case G_LE:
		return x <= c->value;
	case G_GT:
		return x > c->value;
	case G_GE:
		return x >= c->value;
	case G_MEQ:
		return (x & c->mask) == c->value;
	case G_MNE:
		return (x & c->mask) != c->value;
	case G_MANY:
		return (x & c->mask) != 0;
	default:
		abort();
	}
}

static bool grule_match(const struct grule *r, const uint64_t *args)
{
	for (size_t i = 0; i < r->n; i++)
		if (!geval(&r->c[i], args))
			return false;
	return true;
}

static void gcond_text(const struct gcond *c, char *buf, size_t size)
{
	static const char *const op[] = { "==", "!=", "<", "<=", ">", ">=" };

	if (c->kind <= G_GE)
		snprintf(buf, size, "arg%u %s %#" PRIx64, c->arg, op[c->kind], c->value);
	else if (c->kind == G_MANY)
		snprintf(buf, size, "arg%u & %#" PRIx64, c->arg, c->mask);
	else
		snprintf(buf, size, "arg%u & %#" PRIx64 " %s %#" PRIx64, c->arg, c->mask,
			 c->kind == G_MEQ ? "==" : "!=", c->value);
}

/* Write a layer as policy text; records each rule's line. */
static void glayer_text(struct glayer *l, char *buf, size_t size)
{
	size_t len = 0;
	int line = 1;

#define EMIT(...) (len += (size_t)snprintf(buf + len, size - len, __VA_ARGS__))
	if (!l->default_action && !l->deny_action && !l->base && !l->nrules) {
		EMIT("seccomp: {}\n");
		CHECK(len < size);
		return;
	}
	EMIT("seccomp:\n");
	line++;
	if (l->default_action)
		EMIT("  default_action: %s\n", l->default_action), line++;
	if (l->deny_action)
		EMIT("  deny_action: %s\n", l->deny_action), line++;
	if (l->base)
		EMIT("  %s: [socket]\n", l->base), line++;
	if (l->nrules)
		EMIT("  rules:\n"), line++;
	for (size_t i = 0; i < l->nrules; i++) {
		struct grule *r = &l->rules[i];
		r->line = line;
		EMIT("    - syscall: socket\n      action: %s\n", r->action);
		line += 2;
		if (r->n) {
			EMIT("      args: [");
			for (size_t k = 0; k < r->n; k++) {
				char c[96];
				gcond_text(&r->c[k], c, sizeof(c));
				EMIT("%s\"%s\"", k ? ", " : "", c);
			}
			EMIT("]\n");
			line++;
		}
	}
#undef EMIT
	CHECK(len < size);
}

static void random_glayer(struct glayer *l)
{
	memset(l, 0, sizeof(*l));
	l->nrules = below(ARRAY_SIZE(l->rules) + 1);
	for (size_t i = 0; i < l->nrules; i++) {
		struct grule *r = &l->rules[i];
		/* A condition-less rule shadows everything after it: mostly last. */
		unsigned first = (unsigned)below(3);
		r->n = i + 1 == l->nrules ? below(3) : 1 + below(2);
		for (size_t k = 0; k < r->n; k++)
			r->c[k] = random_gcond((first + (unsigned)k) % 3);
		r->action = gactions[below(ARRAY_SIZE(gactions))];
	}
	if (!below(3))
		l->base = below(2) ? "allow" : "deny";
	if (!below(3))
		l->deny_action = gdeny[below(ARRAY_SIZE(gdeny))];
	if (!below(3))
		l->default_action = gactions[below(ARRAY_SIZE(gactions))];
}

static void gpool(const struct glayer *l, struct pool *p)
{
	for (size_t i = 0; i < l->nrules; i++)
		for (size_t k = 0; k < l->rules[i].n; k++) {
			const struct gcond *c = &l->rules[i].c[k];
			pool_add(p, c->value);
			pool_add(p, c->value + 1);
			pool_add(p, c->value - 1);
			pool_add(p, c->mask);
			pool_add(p, c->value | ~c->mask);
			pool_add(p, c->value ^ (c->mask & -c->mask));
		}
}

/* The rule of `l` a call reaches first, or -1. */
static long first_rule(const struct glayer *l, const uint64_t *args)
{
	for (size_t i = 0; i < l->nrules; i++)
		if (grule_match(&l->rules[i], args))
			return (long)i;
	return -1;
}

/* What the two layers decide, by the documented semantics. */
static struct sk_action expected(const struct glayer *lo, const struct glayer *hi, const uint64_t *args)
{
	const char *deny_lo = lo->deny_action ? lo->deny_action : "errno:EPERM";
	const char *deny_hi = hi->deny_action ? hi->deny_action : deny_lo;
	const char *def = hi->default_action ? hi->default_action : lo->default_action ? lo->default_action : "allow";
	long r;

	if ((r = first_rule(hi, args)) >= 0)
		return act(hi->rules[r].action);
	if (hi->base) /* a base in the upper layer drops the lower rules */
		return act(strcmp(hi->base, "allow") == 0 ? "allow" : deny_hi);
	if ((r = first_rule(lo, args)) >= 0)
		return act(lo->rules[r].action);
	if (lo->base)
		return act(strcmp(lo->base, "allow") == 0 ? "allow" : deny_lo);
	return act(def);
}

static void print_glayers(const char *lo, const char *hi)
{
	fprintf(stderr, "  --- lower.yaml ---\n%s  --- upper.yaml ---\n%s", lo, hi);
}

/* An error that a rule never matches must be true: no vector may reach it. */
static bool refute_unreachable(const struct glayer *l, int line, const struct pool *p)
{
	long k = -1;

	for (size_t i = 0; i < l->nrules; i++)
		if (l->rules[i].line == line)
			k = (long)i;
	if (k < 0)
		return false;
	for (int v = 0; v < 5000; v++) {
		uint64_t x[SK_MAX_ARGS];
		random_args(p, x);
		if (first_rule(l, x) == k) {
			print_args(x);
			return true;
		}
	}
	return false;
}

TEST(region_plan_first_match)
{
	enum { TRIALS = 1200 / SLOWDOWN };
	static char lo_text[4096], hi_text[4096];
	int built = 0, unreachable = 0, complex = 0, bad = 0;

	seed(4);
	for (int trial = 0; trial < TRIALS && bad < 3; trial++) {
		struct glayer lo, hi;
		struct pool p = { .n = 0 };
		stockade_policy *pol = NULL;
		stockade_plan *plan = NULL;
		stockade_error *err = NULL;
		int ret;

		new_anchors();
		random_glayer(&lo);
		random_glayer(&hi);
		if (below(3) == 0)
			memset(&hi, 0, sizeof(hi)); /* one layer: more rules get a say */
		glayer_text(&lo, lo_text, sizeof(lo_text));
		glayer_text(&hi, hi_text, sizeof(hi_text));
		gpool(&lo, &p);
		gpool(&hi, &p);
		CHECK(stockade_policy_new(&pol, NULL) == 0);
		ret = stockade_policy_add_text(pol, "lower.yaml", lo_text, strlen(lo_text), &err);
		if (ret == 0)
			ret = stockade_policy_add_text(pol, "upper.yaml", hi_text, strlen(hi_text), &err);
		CHECK_MSG(ret == 0, "%s", err ? err->msg : "");
		if (ret == 0)
			ret = stockade_plan_build(pol, &plan, &err);
		stockade_policy_free(pol);
		if (ret == -EINVAL && err && strstr(err->msg, "never matches")) {
			/* Check the claim: sample for a call that reaches the rule. */
			bool upper = err->file && strcmp(err->file, "upper.yaml") == 0;
			unreachable++;
			if (refute_unreachable(upper ? &hi : &lo, err->line, &p)) {
				fprintf(stderr, "  seed %#" PRIx64 " trial %d: %s, but the call above reaches it\n",
					seed_used, trial, err->msg);
				print_glayers(lo_text, hi_text);
				bad++;
				CHECK(!"a reachable rule was refused");
			}
			goto next;
		}
		if (ret == -E2BIG) {
			complex++;
			goto next;
		}
		CHECK_MSG(ret == 0, "%s", err ? err->msg : "");
		if (ret < 0) {
			print_glayers(lo_text, hi_text);
			bad++;
			goto next;
		}
		built++;

		const struct sk_plan_entry *e = sk_plan_lookup(plan, "socket");
		struct sk_action def = plan->default_action;
		if (e) {
			for (size_t i = 0; i < e->nrules; i++) {
				CHECK(e->rules[i].region.n <= SK_REGION_MAX_TERMS);
				if (!region_ok(&e->rules[i].region, "rule region")) {
					bad++;
					CHECK(!"a term libseccomp cannot take");
				}
			}
			CHECK(e->base_region.n <= SK_REGION_MAX_TERMS);
			if (!region_ok(&e->base_region, "base region")) {
				bad++;
				CHECK(!"a term libseccomp cannot take");
			}
		}
		for (int v = 0; v < VECTORS && bad < 3; v++) {
			uint64_t x[SK_MAX_ARGS];
			struct sk_verdict verdict;
			struct sk_action want, emitted = def;
			int hits = 0;
			char b1[64], b2[64], b3[64];

			random_args(&p, x);
			want = expected(&lo, &hi, x);
			sk_plan_decide(plan, "socket", x, &verdict);
			/* What the filter does: the emitted regions that hold the
			 * call, or the default.  Regions of different actions are
			 * disjoint; regions of one action may overlap. */
			bool clash = false;
			for (size_t i = 0; e && i < e->nrules; i++)
				if (sk_region_match(&e->rules[i].region, x)) {
					clash |= hits && !sk_action_eq(emitted, e->rules[i].action);
					hits++, emitted = e->rules[i].action;
				}
			if (e && sk_region_match(&e->base_region, x)) {
				clash |= hits && !sk_action_eq(emitted, sk_plan_entry_base(plan, e));
				hits++, emitted = sk_plan_entry_base(plan, e);
			}
			if (!sk_action_eq(verdict.action, want) || !sk_action_eq(emitted, want) || clash) {
				fprintf(stderr,
					"  seed %#" PRIx64 " trial %d: want %s, sk_plan_decide %s, regions %s (%d hold "
					"it)\n",
					seed_used, trial, sk_action_format(want, b1, sizeof(b1)),
					sk_action_format(verdict.action, b2, sizeof(b2)),
					sk_action_format(emitted, b3, sizeof(b3)), hits);
				print_args(x);
				print_glayers(lo_text, hi_text);
				bad++;
				CHECK(!"the plan disagrees with first-match semantics");
			}
		}
	next:
		stockade_plan_free(plan);
		stockade_error_free(err);
	}
	/* The generator must mostly produce policies that build. */
	CHECK_MSG(built > TRIALS / 2, "only %d of %d random policies built (%d unreachable, %d too complex)", built,
		  TRIALS, unreachable, complex);
	CHECK_MSG(complex < TRIALS / 40, "%d random policies were too complex", complex);
}

/* ---- the presets stay small ---- */

static size_t entry_terms(const struct sk_plan_entry *e, size_t *max_region)
{
	size_t total = e->base_region.n;

	*max_region = e->base_region.n;
	for (size_t i = 0; i < e->nrules; i++) {
		total += e->rules[i].region.n;
		if (e->rules[i].region.n > *max_region)
			*max_region = e->rules[i].region.n;
	}
	return total;
}

TEST(region_preset_sizes)
{
	static const char *const presets[] = { "preset:agent", "preset:strict" };

	for (size_t i = 0; i < ARRAY_SIZE(presets); i++) {
		stockade_plan *plan = plan_from(presets[i], (const char *)NULL);
		const struct sk_plan_entry *e;
		size_t total, max;

		if (!plan)
			continue;
		/* socket's allow-list: four families and the rest. */
		e = sk_plan_lookup(plan, "socket");
		CHECK(e != NULL);
		if (e) {
			total = entry_terms(e, &max);
			CHECK_MSG(max <= 8, "%s: socket has a region of %zu terms", presets[i], max);
			CHECK_MSG(e->base_region.n <= 8, "%s: socket's base region has %zu terms", presets[i],
				  e->base_region.n);
			CHECK_MSG(total <= 16, "%s: socket compiles to %zu terms", presets[i], total);
		}
		/* ioctl: two 32-bit request numbers. */
		e = sk_plan_lookup(plan, "ioctl");
		CHECK(e != NULL);
		if (e) {
			total = entry_terms(e, &max);
			CHECK_MSG(total <= 64, "%s: ioctl compiles to %zu terms", presets[i], total);
		}
		/* Nothing in a preset comes near the limit. */
		for (size_t k = 0; k < plan->nentries; k++) {
			total = entry_terms(&plan->entries[k], &max);
			CHECK_MSG(total <= 64, "%s: %s compiles to %zu terms", presets[i], plan->entries[k].name,
				  total);
		}
		stockade_plan_free(plan);
	}
}

/*
 * A four-rule policy that takes seconds to plan (2-4 s of CPU at the time of
 * writing): the rules are subtracted cube by cube and region_simplify() is
 * quadratic in the thousands of intermediate terms.  Skipped unless
 * STOCKADE_TEST_SLOW is set; then it checks the answer and says how long.
 */
TEST(region_known_slow)
{
	static const char text[] = "seccomp:\n"
				   "  default_action: errno:EACCES\n"
				   "  rules:\n"
				   "    - syscall: socket\n"
				   "      action: log\n"
				   "      args: [\"arg0 == 0x80\", \"arg1 & 0xffffffff == 0x8\"]\n"
				   "    - syscall: socket\n"
				   "      action: kill\n"
				   "      args: [\"arg0 != 0xfffffffffffffffe\", \"arg0 > 0x8\"]\n"
				   "    - syscall: socket\n"
				   "      action: kill\n"
				   "      args: [\"arg2 < 0x5412\", \"arg1 == 0x5412\"]\n"
				   "    - syscall: socket\n"
				   "      action: allow\n";
	static const struct {
		uint64_t a[3];
		const char *want;
	} calls[] = {
		{ { 0x80, 8, 0 }, "log" },	      { { 0x80, 0x100000008, 0 }, "log" },
		{ { 9, 0, 0 }, "kill" },	      { { ALL - 1, 0x5412, 0 }, "kill" },
		{ { ALL - 1, 0x5412, 0x5412 }, "allow" }, { { ALL - 1, 0, 0 }, "allow" },
		{ { 8, 0, 0 }, "allow" },	      { { ALL, 0, 0 }, "kill" },
	};
	const char *env = getenv("STOCKADE_TEST_SLOW");
	stockade_plan *plan;

	if (!env || !*env)
		SKIP("takes seconds (planning cost grows with intermediate regions); STOCKADE_TEST_SLOW=1 runs it");
	plan = plan_of(NULL, text);
	for (size_t i = 0; plan && i < ARRAY_SIZE(calls); i++) {
		const struct sk_plan_entry *e = sk_plan_lookup(plan, "socket");
		uint64_t x[SK_MAX_ARGS] = { calls[i].a[0], calls[i].a[1], calls[i].a[2] };
		struct sk_action emitted = plan->default_action;

		DECIDES(plan, "socket", calls[i].want, x[0], x[1], x[2]);
		for (size_t k = 0; e && k < e->nrules; k++)
			if (sk_region_match(&e->rules[k].region, x))
				emitted = e->rules[k].action;
		CHECK_MSG(sk_action_eq(emitted, act(calls[i].want)), "call %zu: the regions disagree", i);
	}
	stockade_plan_free(plan);
}
