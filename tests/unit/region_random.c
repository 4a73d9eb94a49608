/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The region tests' raw material (region_random.h): a seeded PRNG, random
 * conditions and argument vectors biased to the points where comparisons
 * change their mind, and what conditions mean, written here independently
 * of region.c.
 */
#include <stdio.h>
#include <stdlib.h>

#include "region_random.h"

/* ---- a seeded PRNG (xorshift64*) ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
uint64_t seed_used;

void seed(uint64_t salt)
{
	const char *env = getenv("STOCKADE_TEST_SEED");

	seed_used = env && *env ? strtoull(env, NULL, 0) : 0x5eed5eed;
	rng = (seed_used ^ (salt * 0x9e3779b97f4a7c15ULL)) | 1;
}

uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

uint64_t below(uint64_t n)
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

bool eval_all(const struct sk_cond *c, size_t n, const uint64_t *args)
{
	for (size_t i = 0; i < n; i++)
		if (!eval(&c[i], args))
			return false;
	return true;
}

struct sk_cond random_cond(unsigned nargs)
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

void pool_add(struct pool *p, uint64_t v)
{
	if (p->n < ARRAY_SIZE(p->v))
		p->v[p->n++] = v;
}

void pool_cond(struct pool *p, const struct sk_cond *c)
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

void random_args(const struct pool *p, uint64_t args[SK_MAX_ARGS])
{
	for (unsigned i = 0; i < SK_MAX_ARGS; i++)
		args[i] = pick(p);
}

void print_conds(const char *what, const struct sk_cond *c, size_t n)
{
	char buf[128];

	fprintf(stderr, "    %s:", what);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " [%s]", sk_cond_format(&c[i], buf, sizeof(buf)));
	fprintf(stderr, "\n");
}

void print_args(const uint64_t *a)
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

bool region_ok(const struct sk_region *r, const char *what)
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
struct sk_term raw_term(const struct sk_cond *c, size_t n)
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
