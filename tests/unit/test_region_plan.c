/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Property tests for first-match compilation (plan.c): random layers of
 * rules written as policy text, each call's decision checked against a
 * first-match evaluator written here, on many random and boundary argument
 * vectors; and the size of the presets' regions.
 *
 * STOCKADE_TEST_SEED=N reruns with another seed; failures print the seed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "plan_helpers.h"
#include "region_random.h"

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
