/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plan -> classic BPF, generated here rather than by libseccomp.
 *
 * Why: libseccomp 2.5.4 merges the rules of one syscall into a tree and gets
 * it wrong for some sets of rules that compare different arguments with
 * different operators (a rule on `a0 > 3` lands under a sibling `a0 >= 3`;
 * other sets make it loop forever).  The filter would then allow calls the
 * policy denies.  The plan already hands us, per syscall, regions that are
 * disjoint between actions (region.c), so a straight decision list per
 * syscall is correct by construction and needs no merging at all.
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
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>

#include "plan.h"
#include "seccomp_backend.h"

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
		jmp(g, BPF_JGT, vhi, greater ? pass : fail, NONE);
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
}

/* A term that tests one bit of one argument word: "argN & bit" rules. */
static bool single_bit(const struct sk_term *t, bool args32, unsigned *arg, bool *hi, uint32_t *bit)
{
	struct sk_cond c;

	if (t->n != 1)
		return false;
	c = t->c[0];
	if (args32 && sk_cond_restrict32(&c) <= 0)
		return false;
	if (c.op != SK_OP_MASKED_EQ || __builtin_popcountll(c.mask) != 1 || c.value != c.mask)
		return false;
	*arg = c.arg;
	*hi = c.mask >> 32 != 0;
	*bit = *hi ? (uint32_t)(c.mask >> 32) : (uint32_t)c.mask;
	return true;
}

static void emit_leaf(struct gen *g, const struct leaf *lf, uint32_t def, bool args32)
{
	for (size_t p = 0; p < lf->npieces; p++) {
		const struct piece *pc = &lf->pieces[p];
		if (region_is_all(pc->region) && !pc->call_test) {
			emit_ret(g, pc->ret);
			return; /* nothing after an unconditional return runs */
		}
		/* A piece's terms share one result, so their order is free:
		 * "any of these bits" tests of one word become a single jset. */
		if (!pc->call_test) {
			for (unsigned arg = 0; arg < SK_MAX_ARGS; arg++) {
				for (int word = 0; word < 2; word++) {
					uint32_t bits = 0, bit;
					unsigned a;
					bool hi;
					for (size_t t = 0; t < pc->region->n; t++)
						if (single_bit(&pc->region->terms[t], args32, &a, &hi, &bit) && a == arg &&
						    hi == (word == 1))
							bits |= bit;
					if (!bits)
						continue;
					int none = new_label(g);
					ld(g, word ? ARG_HI(arg) : ARG_LO(arg));
					jmp(g, BPF_JSET, bits, NONE, none);
					emit_ret(g, pc->ret);
					bind(g, none);
				}
			}
		}
		for (size_t t = 0; t < pc->region->n; t++) {
			const struct sk_term *term = &pc->region->terms[t];
			{
				unsigned a;
				bool hi;
				uint32_t bit;
				if (!pc->call_test && single_bit(term, args32, &a, &hi, &bit))
					continue; /* tested above */
			}
			int fail = new_label(g);
			bool never = false;
			struct sk_cond cs[SK_MAX_ARGS];
			unsigned nc = 0;

			/* On 32-bit ABIs the kernel hands over 32-bit arguments:
			 * a condition needing high bits never holds there, one
			 * about high bits only always does. */
			for (unsigned c = 0; c < term->n && !never; c++) {
				struct sk_cond cc = term->c[c];
				int keep = args32 ? sk_cond_restrict32(&cc) : 1;
				never = keep < 0;
				if (keep > 0)
					cs[nc++] = cc;
			}
			if (never)
				continue;
			if (pc->call_test) {
				ld(g, ARG_LO(0));
				if (pc->call_mask != 0xffffffffu)
					push(g, BPF_ALU | BPF_AND | BPF_K, pc->call_mask, NONE, NONE);
				jmp(g, BPF_JEQ, pc->call, NONE, fail);
			}
			for (unsigned c = 0; c < nc; c++)
				cond(g, &cs[c], fail, args32);
			emit_ret(g, pc->ret);
			bind(g, fail);
		}
	}
	emit_ret(g, def);
}

/* A run of consecutive syscall numbers with one unconditional result, or a
 * single syscall with argument rules (leaf != NULL). */
struct run {
	uint32_t lo, hi;
	uint32_t ret;
	const struct leaf *leaf;
};

static bool leaf_simple(const struct leaf *lf, uint32_t *r)
{
	if (lf->npieces == 0 || lf->pieces[0].call_test || !region_is_all(lf->pieces[0].region))
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

/* Binary search over runs[lo, hi) on the syscall number in A. */
static void emit_tree(struct gen *g, const struct run *runs, size_t lo, size_t hi, uint32_t def, bool args32)
{
	if (hi - lo <= 3) {
		int body[3], next[4];
		for (size_t i = lo; i < hi; i++) {
			body[i - lo] = new_label(g);
			next[i - lo] = new_label(g);
		}
		for (size_t i = lo; i < hi; i++) {
			const struct run *r = &runs[i];
			bind(g, next[i - lo]);
			if (r->lo == r->hi) {
				jmp(g, BPF_JEQ, r->lo, body[i - lo], NONE);
			} else {
				int skip = i + 1 < hi ? next[i + 1 - lo] : new_label(g);
				jmp(g, BPF_JGT, r->hi, skip, NONE);
				jmp(g, BPF_JGE, r->lo, body[i - lo], skip);
				if (i + 1 == hi)
					bind(g, skip);
			}
		}
		emit_ret(g, def);
		for (size_t i = lo; i < hi; i++) {
			bind(g, body[i - lo]);
			if (runs[i].leaf)
				emit_leaf(g, runs[i].leaf, def, args32);
			else
				emit_ret(g, runs[i].ret);
		}
		return;
	}
	size_t mid = lo + (hi - lo) / 2;
	int right = new_label(g);
	jmp(g, BPF_JGE, runs[mid].lo, right, NONE);
	emit_tree(g, runs, lo, mid, def, args32);
	bind(g, right);
	emit_tree(g, runs, mid, hi, def, args32);
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
 * it (ir.c: the strictest its direct syscall can get). */
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

static int arch_body(struct gen *g, const stockade_plan *plan, uint32_t arch, uint32_t def)
{
	struct leaf *leaves = NULL;
	struct piece *pool = NULL;
	size_t n = 0;
	struct run *runs = NULL;
	int ret = arch_leaves(plan, arch, def, &leaves, &n, &pool);

	if (ret == 0 && !(runs = calloc(n ? n : 1, sizeof(*runs))))
		ret = -ENOMEM;
	if (ret == 0 && n)
		emit_tree(g, runs, 0, make_runs(leaves, n, runs), def, sk_arch_is_32bit(arch));
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
		ret = arch_body(&g, plan, arch, def);
		if (ret == 0 && x32) {
			bind(&g, x32body);
			ret = arch_body(&g, plan, SCMP_ARCH_X32, def);
		}
		/* An unused label still needs a home. */
		if (ret == 0 && !x32)
			g.label_id[x32body] = g.label_id[minus1];
	} else if (arch == SCMP_ARCH_X32) {
		int ok = new_label(&g);
		jmp(&g, BPF_JGE, X32_SYSCALL_BIT, ok, NONE);
		emit_ret(&g, badarch);
		bind(&g, ok);
		ret = arch_body(&g, plan, arch, def);
	} else {
		ret = arch_body(&g, plan, arch, def);
	}
	for (size_t i = 0, b = 1; ret == 0 && i < nextra; i++) {
		if (extra[i] == SCMP_ARCH_X32)
			continue;
		bind(&g, body_label[b++]);
		ld(&g, offsetof(struct seccomp_data, nr));
		ret = arch_body(&g, plan, extra[i], def);
	}
	if (ret == 0)
		ret = g.err;
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
