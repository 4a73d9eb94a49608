/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Random conditions and argument vectors from a seeded PRNG, and their
 * meaning independently of region.c, for test_region.c and
 * test_region_plan.c (region_random.c).  STOCKADE_TEST_SEED=N reruns with
 * another seed; failures print the seed.
 */
#ifndef STOCKADE_TEST_REGION_RANDOM_H
#define STOCKADE_TEST_REGION_RANDOM_H

#include <stdbool.h>
#include <stdint.h>

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

/* Argument vectors each trial is checked on. */
enum { VECTORS = 200 };

/* The seed of this run (failures print it). */
extern uint64_t seed_used;

/* Seed the PRNG for one test: STOCKADE_TEST_SEED (or a fixed seed) mixed
 * with `salt`. */
void seed(uint64_t salt);
uint64_t rnd(void);
/* A random number below n (0 if n is 0). */
uint64_t below(uint64_t n);

/* Do the arguments satisfy every one of the n conditions? */
bool eval_all(const struct sk_cond *c, size_t n, const uint64_t *args);
/* A random condition on one of the first nargs arguments. */
struct sk_cond random_cond(unsigned nargs);

/* Values to test a set of conditions on: their constants and neighbours,
 * masked variants, the interesting points and plain random numbers. */
struct pool {
	uint64_t v[512];
	size_t n;
};

void pool_add(struct pool *p, uint64_t v);
/* A condition's constant, its neighbours and masked variants. */
void pool_cond(struct pool *p, const struct sk_cond *c);
/* Arguments picked from the pool, the interesting points, or at random. */
void random_args(const struct pool *p, uint64_t args[SK_MAX_ARGS]);
void print_conds(const char *what, const struct sk_cond *c, size_t n);
void print_args(const uint64_t *a);
/* Every term of r is one libseccomp can take as a rule (else says why). */
bool region_ok(const struct sk_region *r, const char *what);
/* A term from conditions on distinct arguments, sorted, as given (not
 * normalised: trivial conditions are allowed). */
struct sk_term raw_term(const struct sk_cond *c, size_t n);

#endif
