/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plan -> classic BPF, generated here rather than by libseccomp.
 *
 * Why: libseccomp 2.5.4 merges the rules of one syscall into a tree and gets
 * it wrong for some sets of rules that compare different arguments with
 * different operators (a rule on `a0 > 3` lands under a sibling `a0 >= 3`;
 * other sets make it loop forever).  The filter would then allow calls the
 * policy denies.  The plan already hands us, per syscall, regions that are
 * disjoint between actions (region.c), so a decision list per syscall is
 * correct in any order of its pieces.
 * libseccomp still provides what it is right about: syscall numbers per
 * architecture and the architecture tokens.
 *
 * Layout:
 *	ld arch; jeq ARCH_i -> L_i ...; ret BADARCH
 *	L_i: ld nr; [x86_64: nr >= 0x40000000 -> x32 or BADARCH]
 *	     binary search over the syscalls that have anything to say
 *	     leaf: for each term: compare its arguments, ret ACTION; ret DEFAULT
 * Conditional jumps reach 255 instructions; farther targets go through an
 * inserted `ja` (layout() below).
 *
 * The kernel's cost to load a filter grows with its length, and a filter is
 * loaded on every `stockade run`, so the generator keeps it short, by
 * rewrites that cannot change a result:
 *  - a leaf's terms are grouped by result (regions of different results are
 *    disjoint, so their order is free) and split into tests of argument
 *    words; terms of one result that differ in one test merge: bits wanted
 *    of one word into one "any of these bits" jset, (C and x&A) or (C and
 *    x&B) = C and x&(A|B) != 0, and touching value ranges into one range;
 *  - the terms are sorted so that equal first tests are tested once (a
 *    trie), and when the rules decide every call of a syscall with results
 *    other than the default, the last result needs no test;
 *  - the search over syscall numbers leaves out comparisons that the bounds
 *    known at that point already answer;
 *  - a `ld` of the word the accumulator holds on every path to it is
 *    dropped, and jumps to `ret X` share one `ret X` within jump reach
 *    (drop_reloads(), share_returns()).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>

#include "plan/plan.h"
#include "seccomp/seccomp.h"

#define X32_SYSCALL_BIT 0x40000000u
#define NONE (-1)

struct insn {
	struct sock_filter f;
	int jt, jf; /* label ids for conditional jumps and ja (jt), or NONE */
	int id;	    /* stable id, for labels bound to instructions */
};

struct gen {
	struct insn *v;
	size_t n, cap;
	int *label_id; /* label -> id of the instruction it precedes (-1 = end) */
	size_t nlabels, labels_cap;
	int next_id;
	int err;
};

static int new_label(struct gen *g)
{
	if (g->nlabels == g->labels_cap) {
		size_t cap = g->labels_cap ? g->labels_cap * 2 : 64;
		int *n = realloc(g->label_id, cap * sizeof(*n));
		if (!n) {
			g->err = -ENOMEM;
			return 0;
		}
		g->label_id = n;
		g->labels_cap = cap;
	}
	g->label_id[g->nlabels] = -2; /* unbound */
	return (int)g->nlabels++;
}

static void push(struct gen *g, uint16_t code, uint32_t k, int jt, int jf)
{
	if (g->err)
		return;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 256;
		struct insn *n = realloc(g->v, cap * sizeof(*n));
		if (!n) {
			g->err = -ENOMEM;
			return;
		}
		g->v = n;
		g->cap = cap;
	}
	g->v[g->n++] = (struct insn){ .f = { .code = code, .k = k }, .jt = jt, .jf = jf, .id = g->next_id++ };
}

/* Bind a label to the next instruction emitted. */
static void bind(struct gen *g, int label)
{
	if (!g->err)
		g->label_id[label] = g->next_id;
}

static void ld(struct gen *g, uint32_t off)
{
	push(g, BPF_LD | BPF_W | BPF_ABS, off, NONE, NONE);
}
static void emit_ret(struct gen *g, uint32_t action)
{
	push(g, BPF_RET | BPF_K, action, NONE, NONE);
}
/* A conditional jump; NONE means "fall through to the next instruction". */
static void jmp(struct gen *g, uint16_t op, uint32_t k, int jt, int jf)
{
	push(g, BPF_JMP | op | BPF_K, k, jt, jf);
}
static void ja(struct gen *g, int label)
{
	push(g, BPF_JMP | BPF_JA, 0, label, NONE);
}

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
			ld(g, ARG_HI(c->arg));
			jmp(g, BPF_JEQ, vhi, NONE, fail);
		}
		ld(g, ARG_LO(c->arg));
		jmp(g, BPF_JEQ, vlo, NONE, fail);
		return;
	case SK_OP_NE:
		pass = new_label(g);
		if (!args32) {
			ld(g, ARG_HI(c->arg));
			jmp(g, BPF_JEQ, vhi, NONE, pass);
		}
		ld(g, ARG_LO(c->arg));
		jmp(g, BPF_JEQ, vlo, fail, pass);
		bind(g, pass);
		return;
	case SK_OP_MASKED_EQ:
		if (mhi) {
			ld(g, ARG_HI(c->arg));
			if (mhi != 0xffffffffu)
				push(g, BPF_ALU | BPF_AND | BPF_K, mhi, NONE, NONE);
			jmp(g, BPF_JEQ, vhi & mhi, NONE, fail);
		}
		if (mlo) {
			ld(g, ARG_LO(c->arg));
			if (mlo != 0xffffffffu)
				push(g, BPF_ALU | BPF_AND | BPF_K, mlo, NONE, NONE);
			jmp(g, BPF_JEQ, vlo & mlo, NONE, fail);
		}
		return;
	default:
		break;
	}

	/* Unsigned 64-bit order: the high words decide unless they are equal. */
	bool greater = c->op == SK_OP_GT || c->op == SK_OP_GE;	/* holds above */
	uint16_t lo_op = c->op == SK_OP_GT || c->op == SK_OP_LE ? BPF_JGT : BPF_JGE;

	pass = new_label(g);
	if (!args32) {
		ld(g, ARG_HI(c->arg));
		/* x >= H:0, x > H:ffffffff, x < H:0, x <= H:ffffffff: the
		 * high word alone decides. */
		if ((c->op == SK_OP_GE || c->op == SK_OP_LT) && vlo == 0) {
			jmp(g, BPF_JGE, vhi, greater ? pass : fail, greater ? fail : pass);
			bind(g, pass);
			return;
		}
		if ((c->op == SK_OP_GT || c->op == SK_OP_LE) && vlo == 0xffffffffu) {
			jmp(g, BPF_JGT, vhi, greater ? pass : fail, greater ? fail : pass);
			bind(g, pass);
			return;
		}
		jmp(g, BPF_JGT, vhi, greater ? pass : fail, NONE);
		/* Not above 0 is equal to 0. */
		if (vhi)
			jmp(g, BPF_JEQ, vhi, NONE, greater ? fail : pass);
	}
	ld(g, ARG_LO(c->arg));
	/* GT: lo > v; GE: lo >= v; LT: !(lo >= v); LE: !(lo > v). */
	if (greater)
		jmp(g, lo_op, vlo, pass, fail);
	else
		jmp(g, lo_op, vlo, fail, pass);
	bind(g, pass);
}


/* The region holding every argument vector. */
static struct sk_term all_term;
static const struct sk_region all_region = { &all_term, 1, 1 };

struct piece {
	const struct sk_region *region;
	uint32_t ret;
	/* A derived test for multiplexed calls: (arg0 & call_mask) == call. */
	bool call_test;
	uint32_t call, call_mask;
};

/* A syscall's pieces live in one pool per architecture, sized so that every
 * rule, the base and the multiplexed calls always fit: none is ever dropped. */
struct leaf {
	uint32_t nr;
	struct piece *pieces;
	size_t npieces;
	/* Every call reaches a piece that is not a multiplexed call's: a rule
	 * or the base decides it with a result other than the default. */
	bool covered;
};

static bool region_is_all(const struct sk_region *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->terms[i].n == 0)
			return true;
	return false;
}

static bool regions_equal(const struct sk_region *a, const struct sk_region *b)
{
	if (a->n != b->n)
		return false;
	for (size_t t = 0; t < a->n; t++) {
		if (a->terms[t].n != b->terms[t].n)
			return false;
		for (unsigned c = 0; c < a->terms[t].n; c++) {
			const struct sk_cond *x = &a->terms[t].c[c], *y = &b->terms[t].c[c];
			if (x->arg != y->arg || x->op != y->op || x->mask != y->mask || x->value != y->value)
				return false;
		}
	}
	return true;
}

/* The syscall's regions whose result differs from the default. */
static void entry_pieces(const stockade_plan *plan, const struct sk_plan_entry *e, uint32_t def, struct leaf *lf)
{
	struct sk_action base = sk_plan_entry_base(plan, e);

	for (size_t k = 0; k < e->nrules; k++) {
		const struct sk_region *reg = &e->rules[k].region;
		uint32_t r = sk_filter_action(plan, e->rules[k].action);
		bool seen = false;

		if (r == def || reg->n == 0)
			continue;
		/* Repeated rules (aliases, copies) decide the same calls the
		 * same way: one copy of their tests is enough. */
		for (size_t p = 0; p < lf->npieces && !seen; p++)
			seen = lf->pieces[p].ret == r && !lf->pieces[p].call_test && regions_equal(lf->pieces[p].region, reg);
		if (!seen)
			lf->pieces[lf->npieces++] = (struct piece){ reg, r, false, 0, 0 };
	}
	if (sk_filter_action(plan, base) != def) {
		/* No rules: the base region was never split, it is everything. */
		lf->pieces[lf->npieces++] =
			(struct piece){ e->nrules ? &e->base_region : &all_region, sk_filter_action(plan, base), false, 0, 0 };
	}

	/* A call is decided by the first rule it matches, else by the base.
	 * If no rule up to the first catch-all (or the base, when there is no
	 * catch-all) has the default's result, every call lies in a piece:
	 * the region a rule decides is its conditions minus earlier rules of
	 * other actions (plan.c), and each such rule made a piece above. */
	lf->covered = true;
	for (size_t k = 0; k < e->nrules && lf->covered; k++) {
		lf->covered = sk_filter_action(plan, e->rules[k].action) != def;
		if (e->rules[k].nconds == 0)
			return;
	}
	if (sk_filter_action(plan, base) == def)
		lf->covered = false;
}

/*
 * A leaf term as tests of argument words, so that terms can be merged and
 * can share their first tests.  A test is one of
 *	T_EQ	(word & mask) == k
 *	T_RANGE	min <= word <= max
 *	T_BITS	(word & mask) != 0, "any of these bits": one jset
 *	T_COND	a comparison of the whole argument that needs several jumps
 *		(!=, ranges), emitted by cond()
 * A term's tests are sorted by key (argument; T_COND, then the high word,
 * then the low word; a value test (T_EQ, T_RANGE) before T_BITS), at most
 * one per key.
 */
enum { T_COND, T_EQ, T_RANGE, T_BITS };

struct test {
	uint8_t arg, kind;
	bool hi;
	uint32_t mask, k;    /* T_EQ, T_BITS */
	uint32_t min, max;   /* T_RANGE */
	struct sk_cond c;    /* T_COND */
};

/* Per argument: an equality and a jset on each word, or one T_COND. */
#define TERM_TESTS (4 * SK_MAX_ARGS)

struct lterm {
	uint32_t ret;
	uint8_t n;
	struct test t[TERM_TESTS];
};

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

static int cmp_test(const struct test *x, const struct test *y)
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
static int cmp_lterm(const void *a, const void *b)
{
	const struct lterm *x = a, *y = b;

	for (unsigned i = 0; i < x->n && i < y->n; i++) {
		int r = cmp_test(&x->t[i], &y->t[i]);
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
static bool to_lterm(const struct sk_term *t, uint32_t ret, bool args32, struct lterm *out)
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
static void split_bits(struct lterm *t)
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
	return cmp_test(x, y) == 0;
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
		if (cmp_test(&a->t[i], &b->t[i]) == 0)
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
static size_t merge_terms(struct lterm *t, size_t n)
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
static void simplify_ranges(struct lterm *t)
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

/* Falls through when the test holds, jumps to `fail` otherwise. */
static void emit_test(struct gen *g, const struct test *t, int fail, bool args32)
{
	if (t->kind == T_COND) {
		cond(g, &t->c, fail, args32);
		return;
	}
	ld(g, t->hi ? ARG_HI(t->arg) : ARG_LO(t->arg));
	if (t->kind == T_RANGE) {
		int pass = new_label(g);
		if (t->min)
			jmp(g, BPF_JGE, t->min, t->max == 0xffffffffu ? pass : NONE, fail);
		if (t->max != 0xffffffffu)
			jmp(g, BPF_JGT, t->max, fail, pass);
		bind(g, pass);
	} else if (t->kind == T_BITS) {
		jmp(g, BPF_JSET, t->mask, NONE, fail);
	} else if (t->k == 0 && t->mask != 0xffffffffu) {
		jmp(g, BPF_JSET, t->mask, fail, NONE); /* none of the mask's bits */
	} else {
		if (t->mask != 0xffffffffu)
			push(g, BPF_ALU | BPF_AND | BPF_K, t->mask, NONE, NONE);
		jmp(g, BPF_JEQ, t->k, NONE, fail);
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
			emit_ret(g, t[i].ret);
			return;
		}
		while (j < hi && t[j].n > d && cmp_test(&t[j].t[d], &t[i].t[d]) == 0)
			j++;
		int next = new_label(g);
		emit_test(g, &t[i].t[d], next, args32);
		emit_trie(g, t, i, j, d + 1, args32);
		bind(g, next);
		i = j;
	}
}

/* The multiplexed calls' tests come first: they are not disjoint from the
 * syscall's own pieces and decide before them. */
static void emit_call_tests(struct gen *g, const struct leaf *lf)
{
	for (size_t p = 0; p < lf->npieces; p++) {
		const struct piece *pc = &lf->pieces[p];
		int fail = new_label(g);

		if (!pc->call_test)
			continue;
		ld(g, ARG_LO(0));
		if (pc->call_mask != 0xffffffffu)
			push(g, BPF_ALU | BPF_AND | BPF_K, pc->call_mask, NONE, NONE);
		jmp(g, BPF_JEQ, pc->call, NONE, fail);
		emit_ret(g, pc->ret);
		bind(g, fail);
	}
}

/*
 * A syscall's decision list.  Its pieces (after the multiplexed calls')
 * are disjoint between results, so their terms may be tried in any order:
 * they are merged within each result, then sorted so that equal first
 * tests are shared.  If the pieces cover every call, the result with the
 * most tests is what is left when the others fail, untested.
 */
static void emit_leaf(struct gen *g, const struct leaf *lf, uint32_t def, bool args32)
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
				if (!to_lterm(&pc->region->terms[k], pc->ret, args32, &t[n]))
					continue;
				if (t[n].n == 0) {
					/* Holds for every call: other results' pieces
					 * are empty, nothing else can be decided. */
					emit_ret(g, pc->ret);
					goto out;
				}
				n++;
			}
		}
		/* Values first (ranges, equalities one bit apart), then
		 * single wanted bits split off and merged. */
		n = start[r] + merge_terms(&t[start[r]], n - start[r]);
		for (size_t i = start[r]; i < n; i++)
			split_bits(&t[i]);
		n = start[r] + merge_terms(&t[start[r]], n - start[r]);
		for (size_t i = start[r]; i < n; i++)
			simplify_ranges(&t[i]);
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
	qsort(t, n, sizeof(*t), cmp_lterm);
	emit_trie(g, t, 0, n, 0, args32);
	emit_ret(g, last < nrets ? rets[last] : def);
out:
	free(start);
	free(t);
	free(rets);
}

/* A run of consecutive syscall numbers with one unconditional result, or a
 * single syscall with argument rules (leaf != NULL). */
struct run {
	uint32_t lo, hi;
	uint32_t ret;
	const struct leaf *leaf;
};

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
static size_t make_runs(const struct leaf *leaves, size_t n, struct run *runs)
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
		emit_leaf(g, r->leaf, def, args32);
	else
		emit_ret(g, r->ret);
}

/* Binary search over runs[lo, hi) on the syscall number in A, which is
 * known to lie in [floor, ceil): comparisons these bounds answer are left
 * out. */
static void emit_tree(struct gen *g, const struct run *runs, size_t lo, size_t hi, uint32_t def, bool args32,
		      uint64_t floor, uint64_t ceil)
{
	if (hi - lo <= 3) {
		int body[3], next[4];
		size_t end = hi; /* a run every number left belongs to */
		for (size_t i = lo; i < hi; i++) {
			body[i - lo] = new_label(g);
			next[i - lo] = new_label(g);
		}
		for (size_t i = lo; i < hi && end == hi; i++) {
			const struct run *r = &runs[i];
			bool above = r->hi + 1ULL < ceil, below = r->lo > floor;
			bind(g, next[i - lo]);
			if (!above && !below) {
				end = i;
			} else if (r->lo == r->hi) {
				jmp(g, BPF_JEQ, r->lo, body[i - lo], NONE);
				if (r->lo == floor)
					floor++;
			} else {
				int skip = i + 1 < hi ? next[i + 1 - lo] : new_label(g);
				if (above)
					jmp(g, BPF_JGT, r->hi, skip, below ? NONE : body[i - lo]);
				if (below)
					jmp(g, BPF_JGE, r->lo, body[i - lo], skip);
				else
					floor = r->hi + 1ULL; /* skip is reached only from above */
				if (i + 1 == hi)
					bind(g, skip);
			}
		}
		/* Where the numbers left all belong to one run, its body
		 * comes here untested (the runs after it are unreachable). */
		if (end < hi)
			emit_body(g, &runs[end], def, args32);
		else
			emit_ret(g, def);
		for (size_t i = lo; i < end; i++) {
			bind(g, body[i - lo]);
			emit_body(g, &runs[i], def, args32);
		}
		return;
	}
	size_t mid = lo + (hi - lo) / 2;
	int right = new_label(g);
	jmp(g, BPF_JGE, runs[mid].lo, right, NONE);
	emit_tree(g, runs, lo, mid, def, args32, floor, runs[mid].lo);
	bind(g, right);
	emit_tree(g, runs, mid, hi, def, args32, runs[mid].lo, ceil);
}

static int cmp_leaf(const void *a, const void *b)
{
	uint32_t x = ((const struct leaf *)a)->nr, y = ((const struct leaf *)b)->nr;

	return x < y ? -1 : x > y;
}


/*
 * The syscall number of `name` on `arch`, or -1.  On i386 libseccomp answers
 * the socket and SysV IPC names with a negative placeholder (it thinks of
 * them as socketcall/ipc calls), although the kernel has had direct entry
 * points for them since Linux 4.3 and 5.1: find those by number.
 */
static int arch_nr(uint32_t arch, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, name);

	if (nr >= 0 || arch != SCMP_ARCH_X86)
		return nr;
	for (size_t m = 0; m < sk_multiplexed_len; m++) {
		if (strcmp(sk_multiplexed[m].name, name) != 0)
			continue;
		for (int n = 0; n < 1024; n++) {
			char *found = seccomp_syscall_resolve_num_arch(arch, n);
			bool same = found && strcmp(found, name) == 0;
			free(found);
			if (same)
				return n;
		}
	}
	return -1;
}

/* i386's socketcall(2) and ipc(2) carry the real arguments in memory the
 * filter cannot read: each multiplexed call gets the verdict the plan gives
 * it (plan.c: the strictest its direct syscall can get). */
static void mux_pieces(const stockade_plan *plan, const char *mux, uint32_t def, bool skip_default,
		       struct leaf *lf)
{
	for (size_t m = 0; m < sk_multiplexed_len; m++) {
		const struct sk_multiplexed *mx = &sk_multiplexed[m];
		struct sk_action a;

		if (strcmp(mx->mux, mux) != 0 || !sk_plan_multiplexed(plan, mx, &a, NULL))
			continue;
		uint32_t r = sk_filter_action(plan, a);
		if (skip_default && r == def)
			continue;
		lf->pieces[lf->npieces++] = (struct piece){ &all_region, r, true, mx->call, mx->call_mask };
	}
}

/* The leaves of one architecture: every syscall with something to say. */
static int arch_leaves(const stockade_plan *plan, uint32_t arch, uint32_t def, struct leaf **out, size_t *n,
		       struct piece **pool_out)
{
	struct leaf *leaves = calloc(plan->nentries + 4, sizeof(*leaves));
	size_t count = 0, pool_len = 2 * sk_multiplexed_len + 1;
	struct piece *pool;

	for (size_t i = 0; i < plan->nentries; i++)
		pool_len += plan->entries[i].nrules + 1;
	struct piece *const base = pool = calloc(pool_len, sizeof(*pool));
	if (!leaves || !pool) {
		free(leaves);
		free(pool);
		return -ENOMEM;
	}
	for (size_t i = 0; i < plan->nentries; i++) {
		const struct sk_plan_entry *e = &plan->entries[i];
		int nr = arch_nr(arch, e->name);
		struct leaf *lf = &leaves[count];

		if (nr < 0)
			continue; /* not a syscall of this architecture */
		*lf = (struct leaf){ .nr = (uint32_t)nr, .pieces = pool };
		/* The multiplexer's derived verdicts come before its own rules. */
		if (arch == SCMP_ARCH_X86)
			mux_pieces(plan, e->name, def, false, lf);
		entry_pieces(plan, e, def, lf);
		pool += lf->npieces;
		if (lf->npieces)
			count++;
	}
	/* socketcall/ipc not mentioned by the policy still need the detour
	 * closed when a multiplexed call is restricted. */
	if (arch == SCMP_ARCH_X86) {
		static const char *const muxes[] = { "socketcall", "ipc" };
		for (size_t x = 0; x < ARRAY_SIZE(muxes); x++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, muxes[x]);
			if (sk_plan_lookup(plan, muxes[x]) || nr < 0)
				continue;
			leaves[count] = (struct leaf){ .nr = (uint32_t)nr, .pieces = pool };
			mux_pieces(plan, muxes[x], def, true, &leaves[count]);
			pool += leaves[count].npieces;
			if (leaves[count].npieces)
				count++;
		}
	}
	qsort(leaves, count, sizeof(*leaves), cmp_leaf);
	*out = leaves;
	*n = count;
	*pool_out = base;
	return 0;
}

/*
 * Two rewrites of the finished program that cannot change what it returns.
 * They work on the instruction list before layout(): jumps name labels,
 * labels name instruction ids, and a removed instruction's id is forwarded
 * (fwd[]) to the one its jumps now land on.
 */

static bool is_ret(const struct insn *in)
{
	return BPF_CLASS(in->f.code) == BPF_RET;
}

static bool is_cond(const struct insn *in)
{
	return BPF_CLASS(in->f.code) == BPF_JMP && BPF_OP(in->f.code) != BPF_JA;
}

/* Whether execution can run on from `in` into the instruction after it. */
static bool falls_through(const struct insn *in)
{
	if (is_ret(in))
		return false;
	if (BPF_CLASS(in->f.code) != BPF_JMP)
		return true;
	return BPF_OP(in->f.code) != BPF_JA && (in->jt == NONE || in->jf == NONE);
}

/* Position of every instruction id (the end has id next_id). */
static int *positions(const struct gen *g)
{
	int *pos = malloc(((size_t)g->next_id + 1) * sizeof(*pos));

	if (!pos)
		return NULL;
	for (int i = 0; i <= g->next_id; i++)
		pos[i] = -1;
	for (size_t i = 0; i < g->n; i++)
		pos[g->v[i].id] = (int)i;
	pos[g->next_id] = (int)g->n;
	return pos;
}

/* Drop the dead instructions and send their labels where fwd[] says. */
static void compact(struct gen *g, const bool *dead, const int *fwd)
{
	size_t k = 0;

	for (size_t i = 0; i < g->n; i++)
		if (!dead[i])
			g->v[k++] = g->v[i];
	g->n = k;
	for (size_t l = 0; l < g->nlabels; l++) {
		int id = g->label_id[l];
		while (id >= 0 && fwd[id] != id)
			id = fwd[id];
		g->label_id[l] = id;
	}
}

struct passes {
	int *pos, *fwd;
	bool *dead;
};

/* The passes follow jumps: each must name a bound label ahead of it. */
static bool jumps_forward(const struct gen *g, const int *pos)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct insn *in = &g->v[i];
		if (BPF_CLASS(in->f.code) != BPF_JMP)
			continue;
		for (int side = 0; side < 2; side++) {
			int label = side ? in->jf : in->jt;
			if (label != NONE && (g->label_id[label] < 0 || pos[g->label_id[label]] <= (int)i))
				return false;
		}
	}
	return true;
}

static int passes_init(struct gen *g, struct passes *p)
{
	int ret = 0;

	p->pos = positions(g);
	p->fwd = malloc(((size_t)g->next_id + 1) * sizeof(*p->fwd));
	p->dead = calloc(g->n ? g->n : 1, sizeof(*p->dead));
	if (!p->pos || !p->fwd || !p->dead)
		ret = -ENOMEM;
	else if (!jumps_forward(g, p->pos))
		ret = -EINVAL;
	if (ret < 0) {
		free(p->pos);
		free(p->fwd);
		free(p->dead);
		return ret;
	}
	for (int i = 0; i <= g->next_id; i++)
		p->fwd[i] = i;
	return 0;
}

static void passes_done(struct gen *g, struct passes *p)
{
	compact(g, p->dead, p->fwd);
	free(p->pos);
	free(p->fwd);
	free(p->dead);
}

/* Where a jump side lands: its label's instruction, or the next one. */
static int target(const struct gen *g, const int *pos, size_t i, int label)
{
	return label == NONE ? (int)i + 1 : pos[g->label_id[label]];
}

#define ACC_UNSET (-2)	 /* no path reaches here yet */
#define ACC_UNKNOWN (-1) /* the paths here disagree, or A was computed */

static void acc_meet(int *at, int value)
{
	if (*at == ACC_UNSET)
		*at = value;
	else if (*at != value)
		*at = ACC_UNKNOWN;
}

/*
 * Drop `ld W` where every path to it already holds W in the accumulator
 * (the same argument word loaded for the previous test, with no jump
 * landing in between from a path that loaded something else).  Jumps only
 * go forward, so one pass in order sees every path into an instruction
 * before the instruction itself.
 */
static int drop_reloads(struct gen *g)
{
	struct passes p;
	int ret = g->err ? g->err : passes_init(g, &p);
	int *acc;

	if (ret < 0)
		return ret;
	acc = malloc((g->n + 1) * sizeof(*acc));
	if (!acc) {
		passes_done(g, &p);
		return -ENOMEM;
	}
	for (size_t i = 0; i <= g->n; i++)
		acc[i] = ACC_UNSET;
	acc[0] = ACC_UNKNOWN;
	for (size_t i = 0; i < g->n; i++) {
		const struct insn *in = &g->v[i];
		int a = acc[i] == ACC_UNSET ? ACC_UNKNOWN : acc[i];

		if (in->f.code == (BPF_LD | BPF_W | BPF_ABS)) {
			if (a == (int)in->f.k && i + 1 < g->n) {
				p.dead[i] = true;
				p.fwd[in->id] = g->v[i + 1].id;
			}
			a = (int)in->f.k;
		} else if (BPF_CLASS(in->f.code) != BPF_JMP && !is_ret(in)) {
			a = ACC_UNKNOWN;
		}
		if (is_ret(in))
			continue;
		if (BPF_CLASS(in->f.code) != BPF_JMP) {
			acc_meet(&acc[i + 1], a);
		} else if (BPF_OP(in->f.code) == BPF_JA) {
			acc_meet(&acc[target(g, p.pos, i, in->jt)], a);
		} else {
			acc_meet(&acc[target(g, p.pos, i, in->jt)], a);
			acc_meet(&acc[target(g, p.pos, i, in->jf)], a);
		}
	}
	free(acc);
	passes_done(g, &p);
	return 0;
}

/* How far a shared `ret` may be from the jumps that reach it: conditional
 * jumps reach 255 instructions; the margin leaves room for the `ja` that
 * layout() may insert in between for other jumps. */
#define SHARE_REACH 240

/*
 * Let jumps to `ret X` land on the next `ret X` instead, when every jump
 * that reaches it can reach that one, and drop it.  A `ret` that a
 * conditional jump falls into gets that side of the jump pointed at the
 * shared one; a `ret` after a load or ALU step stays.
 */
static int share_returns(struct gen *g)
{
	size_t kept[16]; /* the nearest `ret` kept after i, one per value */
	size_t nkept = 0;
	struct passes p;
	int ret = g->err ? g->err : passes_init(g, &p);
	int *from; /* per position: the first instruction that jumps there */

	if (ret < 0)
		return ret;
	from = malloc((g->n + 1) * sizeof(*from));
	if (!from) {
		passes_done(g, &p);
		return -ENOMEM;
	}
	for (size_t i = 0; i <= g->n; i++)
		from[i] = (int)i;
	for (size_t i = 0; i < g->n; i++) {
		const struct insn *in = &g->v[i];
		if (BPF_CLASS(in->f.code) != BPF_JMP)
			continue;
		for (int side = 0; side < 2; side++) {
			int label = side ? in->jf : in->jt;
			int t = label == NONE ? -1 : p.pos[g->label_id[label]];
			if (t >= 0 && (int)i < from[t])
				from[t] = (int)i;
		}
	}
	for (size_t i = g->n; i-- > 0;) {
		struct insn *in = &g->v[i], *prev = i ? &g->v[i - 1] : NULL;
		bool fall = prev && falls_through(prev);
		int first = fall && from[i] > (int)i - 1 ? (int)i - 1 : from[i];
		size_t s = 0;

		if (!is_ret(in))
			continue;
		while (s < nkept && g->v[kept[s]].f.k != in->f.k)
			s++;
		/* The last `ret X` stays, and so does one a load or ALU step
		 * runs into or one too far from its jumps: the next before it
		 * is shared in its place. */
		if (s == nkept || (fall && !is_cond(prev)) || (int)kept[s] - first - 1 > SHARE_REACH) {
			if (s < ARRAY_SIZE(kept)) {
				kept[s] = i;
				nkept += s == nkept;
			}
			continue;
		}
		size_t j = kept[s];
		if (fall) {
			int label = new_label(g);
			if (g->err)
				break;
			g->label_id[label] = g->v[j].id;
			if (prev->jt == NONE)
				prev->jt = label;
			if (prev->jf == NONE)
				prev->jf = label;
		}
		p.dead[i] = true;
		p.fwd[in->id] = g->v[j].id;
		if (first < from[j])
			from[j] = first;
	}
	free(from);
	passes_done(g, &p);
	return g->err;
}

/* Resolve labels into offsets, inserting `ja` where a conditional jump
 * cannot reach.  Returns the final program or -E2BIG. */
static int layout(struct gen *g, struct sock_filter **prog, size_t *len)
{
	/* Every jump must name a bound label (pos[] is indexed by it below). */
	for (size_t i = 0; i < g->n; i++) {
		const struct insn *in = &g->v[i];
		if (BPF_CLASS(in->f.code) != BPF_JMP)
			continue;
		if ((in->jt != NONE && g->label_id[in->jt] < 0) || (in->jf != NONE && g->label_id[in->jf] < 0))
			return -EINVAL;
	}
	for (;;) {
		/* id -> position */
		int *pos = malloc(((size_t)g->next_id + 1) * sizeof(*pos));
		bool changed = false;

		if (!pos)
			return -ENOMEM;
		for (size_t i = 0; i < g->n; i++)
			pos[g->v[i].id] = (int)i;
		pos[g->next_id] = (int)g->n;
		for (size_t i = 0; i < g->n && !changed; i++) {
			struct insn *in = &g->v[i];
			if (BPF_CLASS(in->f.code) != BPF_JMP || BPF_OP(in->f.code) == BPF_JA)
				continue;
			for (int side = 0; side < 2 && !changed; side++) {
				int label = side ? in->jf : in->jt;
				if (label == NONE)
					continue;
				int target = pos[g->label_id[label]];
				if (target - (int)i - 1 <= 255)
					continue;
				/* Jump to a new `ja` right after this instruction.  A
				 * fall-through on the other side meant the instruction
				 * that follows now: pin it there before inserting. */
				int other = side ? in->jt : in->jf;
				if (other == NONE) {
					int next = new_label(g);
					if (g->err) {
						free(pos);
						return g->err;
					}
					g->label_id[next] = i + 1 < g->n ? g->v[i + 1].id : g->next_id;
					if (side)
						in->jt = next;
					else
						in->jf = next;
				}
				int tramp = new_label(g);
				size_t at = i + 1;
				push(g, 0, 0, NONE, NONE); /* grow by one */
				if (g->err) {
					free(pos);
					return g->err;
				}
				memmove(&g->v[at + 1], &g->v[at], (g->n - 1 - at) * sizeof(g->v[0]));
				in = &g->v[i];
				g->v[at] = (struct insn){ .f = { .code = BPF_JMP | BPF_JA }, .jt = label, .jf = NONE,
							  .id = g->next_id++ };
				g->label_id[tramp] = g->v[at].id;
				if (side)
					in->jf = tramp;
				else
					in->jt = tramp;
				changed = true;
			}
		}
		if (changed) {
			free(pos);
			continue;
		}
		if (g->n > BPF_MAXINSNS) {
			free(pos);
			return -E2BIG;
		}
		/* Classic BPF only jumps forward; every label is bound after its
		 * jumps by construction.  Refuse rather than emit a wrapped offset. */
		for (size_t i = 0; i < g->n; i++) {
			const struct insn *in = &g->v[i];
			if (BPF_CLASS(in->f.code) != BPF_JMP)
				continue;
			for (int side = 0; side < 2; side++) {
				int label = side ? in->jf : in->jt;
				if (label != NONE && (g->label_id[label] < 0 || pos[g->label_id[label]] <= (int)i)) {
					free(pos);
					return -EINVAL;
				}
			}
		}
		struct sock_filter *out = calloc(g->n ? g->n : 1, sizeof(*out));
		if (!out) {
			free(pos);
			return -ENOMEM;
		}
		for (size_t i = 0; i < g->n; i++) {
			struct insn *in = &g->v[i];
			out[i] = in->f;
			if (BPF_CLASS(in->f.code) != BPF_JMP)
				continue;
			if (BPF_OP(in->f.code) == BPF_JA) {
				out[i].k = (uint32_t)(pos[g->label_id[in->jt]] - (int)i - 1);
				continue;
			}
			out[i].jt = in->jt == NONE ? 0 : (uint8_t)(pos[g->label_id[in->jt]] - (int)i - 1);
			out[i].jf = in->jf == NONE ? 0 : (uint8_t)(pos[g->label_id[in->jf]] - (int)i - 1);
		}
		free(pos);
		*prog = out;
		*len = g->n;
		return 0;
	}
}

#define ANY_NR 0, 1ULL << 32

/* The filter for one architecture, the syscall number in A and known to
 * lie in [floor, ceil). */
static int arch_body(struct gen *g, const stockade_plan *plan, uint32_t arch, uint32_t def, uint64_t floor,
		     uint64_t ceil)
{
	struct leaf *leaves = NULL;
	struct piece *pool = NULL;
	size_t n = 0;
	struct run *runs = NULL;
	int ret = arch_leaves(plan, arch, def, &leaves, &n, &pool);

	if (ret == 0 && !(runs = calloc(n ? n : 1, sizeof(*runs))))
		ret = -ENOMEM;
	if (ret == 0 && n)
		emit_tree(g, runs, 0, make_runs(leaves, n, runs), def, sk_arch_args32(arch), floor, ceil);
	else if (ret == 0)
		emit_ret(g, def);
	free(runs);
	free(leaves);
	free(pool);
	return ret < 0 ? ret : g->err;
}

int sk_bpf_generate(const stockade_plan *plan, uint32_t arch, struct sock_filter **prog, size_t *len,
		    stockade_error **err)
{
	struct gen g = { 0 };
	uint32_t def = sk_filter_action(plan, plan->default_action), badarch = sk_filter_badarch(plan);
	uint32_t extra[2];
	size_t nextra = 0;
	bool x32 = false;
	int ret;

	*prog = NULL;
	*len = 0;
	if (arch == 0)
		arch = seccomp_arch_native();
	if (!stockade_arch_name(arch))
		return sk_error(err, EINVAL, "unsupported architecture token 0x%x", arch);
	if (plan->compat == SK_COMPAT_FILTER)
		sk_compat_arches(arch, extra, &nextra);

	/* SCMP_ARCH_* tokens are the kernel's AUDIT_ARCH_* values, except x32,
	 * which the kernel reports as x86_64 with the x32 bit in the number. */
	int body_label[3];
	size_t nbody = 0;
	ld(&g, offsetof(struct seccomp_data, arch));
	body_label[nbody] = new_label(&g);
	jmp(&g, BPF_JEQ, arch == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : arch, body_label[nbody++], NONE);
	for (size_t i = 0; i < nextra; i++) {
		if (extra[i] == SCMP_ARCH_X32) {
			x32 = true;
			continue;
		}
		body_label[nbody] = new_label(&g);
		jmp(&g, BPF_JEQ, extra[i], body_label[nbody++], NONE);
	}
	emit_ret(&g, badarch);

	/* The primary architecture. */
	bind(&g, body_label[0]);
	ld(&g, offsetof(struct seccomp_data, nr));
	if (arch == SCMP_ARCH_X86_64) {
		int native = new_label(&g), x32body = new_label(&g), minus1 = new_label(&g);
		jmp(&g, BPF_JGE, X32_SYSCALL_BIT, NONE, native);
		/* nr -1 (a tracer skipping the call) is no x32 call. */
		jmp(&g, BPF_JEQ, 0xffffffffu, minus1, NONE);
		if (x32)
			ja(&g, x32body);
		else
			emit_ret(&g, badarch);
		bind(&g, minus1);
		emit_ret(&g, def);
		bind(&g, native);
		ret = arch_body(&g, plan, arch, def, 0, X32_SYSCALL_BIT);
		if (ret == 0 && x32) {
			bind(&g, x32body);
			ret = arch_body(&g, plan, SCMP_ARCH_X32, def, X32_SYSCALL_BIT, 1ULL << 32);
		}
		/* An unused label still needs a home. */
		if (ret == 0 && !x32)
			g.label_id[x32body] = g.label_id[minus1];
	} else if (arch == SCMP_ARCH_X32) {
		int ok = new_label(&g);
		jmp(&g, BPF_JGE, X32_SYSCALL_BIT, ok, NONE);
		emit_ret(&g, badarch);
		bind(&g, ok);
		ret = arch_body(&g, plan, arch, def, X32_SYSCALL_BIT, 1ULL << 32);
	} else {
		ret = arch_body(&g, plan, arch, def, ANY_NR);
	}
	for (size_t i = 0, b = 1; ret == 0 && i < nextra; i++) {
		if (extra[i] == SCMP_ARCH_X32)
			continue;
		bind(&g, body_label[b++]);
		ld(&g, offsetof(struct seccomp_data, nr));
		ret = arch_body(&g, plan, extra[i], def, ANY_NR);
	}
	if (ret == 0)
		ret = g.err;
	if (ret == 0)
		ret = drop_reloads(&g);
	if (ret == 0)
		ret = share_returns(&g);
	if (ret == 0)
		ret = layout(&g, prog, len);
	free(g.v);
	free(g.label_id);
	if (ret == -E2BIG)
		return sk_error(err, E2BIG, "the filter needs more than %d BPF instructions", BPF_MAXINSNS);
	if (ret < 0)
		return sk_error(err, -ret, "cannot generate the filter: %s", strerror(-ret));
	return 0;
}
