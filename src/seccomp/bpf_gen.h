/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BPF generator's shared parts, private to src/seccomp: the instruction
 * list and its labels (bpf_emit.c), the rewrites of the finished list
 * (bpf_rewrite.c), a syscall's pieces and its decision list as terms of
 * word tests (bpf_terms.c, bpf_leaf.c), the search over syscall numbers
 * (bpf_tree.c).  bpf_gen.c puts them together per architecture.
 */
#ifndef STOCKADE_SECCOMP_BPF_GEN_H
#define STOCKADE_SECCOMP_BPF_GEN_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan/plan.h"

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

/* ---- the instruction list (bpf_emit.c) ---- */

int sk_new_label(struct gen *g);
void sk_push(struct gen *g, uint16_t code, uint32_t k, int jt, int jf);
/* Bind a label to the next instruction emitted. */
void sk_bind(struct gen *g, int label);
void sk_ld(struct gen *g, uint32_t off);
void sk_emit_ret(struct gen *g, uint32_t action);
/* A conditional jump; NONE means "fall through to the next instruction". */
void sk_jmp(struct gen *g, uint16_t op, uint32_t k, int jt, int jf);
void sk_ja(struct gen *g, int label);
/* Resolve labels into offsets, inserting `ja` where a conditional jump
 * cannot reach.  Returns the final program or -E2BIG. */
int sk_layout(struct gen *g, struct sock_filter **prog, size_t *len);

/* ---- rewrites of the finished list that cannot change a result (bpf_rewrite.c) ---- */

/* Drop `ld W` where every path to it already holds W. */
int sk_drop_reloads(struct gen *g);
/* Let jumps to `ret X` land on a nearby `ret X` instead, and drop it. */
int sk_share_returns(struct gen *g);

/* ---- a syscall's pieces (bpf_gen.c) ---- */

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

/* ---- terms as tests of argument words (bpf_terms.c) ---- */

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

/* Terms in the order that puts equal first tests next to each other. */
int sk_cmp_lterm(const void *a, const void *b);
int sk_cmp_test(const struct test *x, const struct test *y);
/* A region's term as tests; false if it never holds. */
bool sk_to_lterm(const struct sk_term *t, uint32_t ret, bool args32, struct lterm *out);
/* Single wanted bits of an equality split off as T_BITS tests. */
void sk_split_bits(struct lterm *t);
/* Terms of one result merged where they differ in one test; the new count. */
size_t sk_merge_terms(struct lterm *t, size_t n);
/* Ranges that are one value or "none of the low bits above" as equalities. */
void sk_simplify_ranges(struct lterm *t);

/* ---- a syscall's decision list (bpf_leaf.c) ---- */

void sk_emit_leaf(struct gen *g, const struct leaf *lf, uint32_t def, bool args32);

/* ---- the search over syscall numbers (bpf_tree.c) ---- */

/* A run of consecutive syscall numbers with one unconditional result, or a
 * single syscall with argument rules (leaf != NULL). */
struct run {
	uint32_t lo, hi;
	uint32_t ret;
	const struct leaf *leaf;
};

/* Consecutive leaves with one result as runs; the number of runs. */
size_t sk_make_runs(const struct leaf *leaves, size_t n, struct run *runs);
/* Binary search over runs[lo, hi) on the syscall number in A, known to lie
 * in [floor, ceil). */
void sk_emit_tree(struct gen *g, const struct run *runs, size_t lo, size_t hi, uint32_t def, bool args32,
		  uint64_t floor, uint64_t ceil);

#endif
