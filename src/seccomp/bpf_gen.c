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
 * inserted `ja` (sk_layout(), bpf_emit.c).
 *
 * The kernel's cost to load a filter grows with its length, and a filter is
 * loaded on every `stockade run`, so the generator keeps it short, by
 * rewrites that cannot change a result:
 *  - a leaf's terms are grouped by result (regions of different results are
 *    disjoint, so their order is free) and split into tests of argument
 *    words; terms of one result that differ in one test merge: bits wanted
 *    of one word into one "any of these bits" jset, (C and x&A) or (C and
 *    x&B) = C and x&(A|B) != 0, and touching value ranges into one range
 *    (bpf_terms.c);
 *  - the terms are sorted so that equal first tests are tested once (a
 *    trie), and when the rules decide every call of a syscall with results
 *    other than the default, the last result needs no test (bpf_leaf.c);
 *  - the search over syscall numbers leaves out comparisons that the bounds
 *    known at that point already answer (bpf_tree.c);
 *  - a `ld` of the word the accumulator holds on every path to it is
 *    dropped, and jumps to `ret X` share one `ret X` within jump reach
 *    (sk_drop_reloads(), sk_share_returns(), bpf_rewrite.c).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <string.h>

#include "plan/plan.h"
#include "seccomp/bpf_gen.h"
#include "seccomp/seccomp.h"

#define X32_SYSCALL_BIT 0x40000000u

/* The region holding every argument vector. */
static struct sk_term all_term;
static const struct sk_region all_region = { &all_term, 1, 1 };

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
static void entry_pieces(const stockade_plan *plan, const struct sk_notify *nt, const struct sk_plan_entry *e, uint32_t def,
			 struct leaf *lf)
{
	struct sk_action base = sk_plan_entry_base(plan, e);
	bool med = sk_mediated(nt, e->name);

	for (size_t k = 0; k < e->nrules; k++) {
		const struct sk_region *reg = &e->rules[k].region;
		uint32_t r = sk_filter_action_for(nt, med, e->rules[k].action);
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
	if (sk_filter_action_for(nt, med, base) != def) {
		/* No rules: the base region was never split, it is everything. */
		lf->pieces[lf->npieces++] = (struct piece){ e->nrules ? &e->base_region : &all_region,
							    sk_filter_action_for(nt, med, base), false, 0, 0 };
	}

	/* A call is decided by the first rule it matches, else by the base.
	 * If no rule up to the first catch-all (or the base, when there is no
	 * catch-all) has the default's result, every call lies in a piece:
	 * the region a rule decides is its conditions minus earlier rules of
	 * other actions (plan.c), and each such rule made a piece above. */
	lf->covered = true;
	for (size_t k = 0; k < e->nrules && lf->covered; k++) {
		lf->covered = sk_filter_action_for(nt, med, e->rules[k].action) != def;
		if (e->rules[k].nconds == 0)
			return;
	}
	if (sk_filter_action_for(nt, med, base) == def)
		lf->covered = false;
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
static void mux_pieces(const stockade_plan *plan, const struct sk_notify *nt, const char *mux, uint32_t def,
		       bool skip_default, struct leaf *lf)
{
	for (size_t m = 0; m < sk_multiplexed_len; m++) {
		const struct sk_multiplexed *mx = &sk_multiplexed[m];
		struct sk_action a;

		if (strcmp(mx->mux, mux) != 0 || !sk_plan_multiplexed(plan, mx, &a, NULL))
			continue;
		uint32_t r = sk_filter_action_for(nt, sk_mediated(nt, mx->name), a);
		if (skip_default && r == def)
			continue;
		lf->pieces[lf->npieces++] = (struct piece){ &all_region, r, true, mx->call, mx->call_mask };
	}
}

/* The leaves of one architecture: every syscall with something to say. */
static int arch_leaves(const stockade_plan *plan, const struct sk_notify *nt, uint32_t arch, uint32_t def,
		       struct leaf **out, size_t *n, struct piece **pool_out)
{
	struct leaf *leaves = calloc(plan->nentries + 4 + nt->nmediate, sizeof(*leaves));
	size_t count = 0, pool_len = 2 * sk_multiplexed_len + 1 + nt->nmediate;
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
			mux_pieces(plan, nt, e->name, def, false, lf);
		entry_pieces(plan, nt, e, def, lf);
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
			mux_pieces(plan, nt, muxes[x], def, true, &leaves[count]);
			pool += leaves[count].npieces;
			if (leaves[count].npieces)
				count++;
		}
	}
	/* A mediated syscall the plan does not mention gets the default; where
	 * that allows it, it notifies all the same. */
	for (size_t m = 0; m < nt->nmediate; m++) {
		const char *name = nt->mediate[m];
		uint32_t r = sk_filter_action_for(nt, true, plan->default_action);
		int nr = arch_nr(arch, name);

		if (sk_plan_lookup(plan, name) || nr < 0 || r == def)
			continue;
		leaves[count] = (struct leaf){ .nr = (uint32_t)nr, .pieces = pool };
		*pool++ = (struct piece){ &all_region, r, false, 0, 0 };
		leaves[count].npieces = 1;
		leaves[count++].covered = true;
	}
	qsort(leaves, count, sizeof(*leaves), cmp_leaf);
	*out = leaves;
	*n = count;
	*pool_out = base;
	return 0;
}

#define ANY_NR 0, 1ULL << 32

/* The filter for one architecture, the syscall number in A and known to
 * lie in [floor, ceil). */
static int arch_body(struct gen *g, const stockade_plan *plan, const struct sk_notify *nt, uint32_t arch, uint32_t def,
		     uint64_t floor, uint64_t ceil)
{
	struct leaf *leaves = NULL;
	struct piece *pool = NULL;
	size_t n = 0;
	struct run *runs = NULL;
	int ret = arch_leaves(plan, nt, arch, def, &leaves, &n, &pool);

	if (ret == 0 && !(runs = calloc(n ? n : 1, sizeof(*runs))))
		ret = -ENOMEM;
	if (ret == 0 && n)
		sk_emit_tree(g, runs, 0, sk_make_runs(leaves, n, runs), def, sk_arch_args32(arch), floor, ceil);
	else if (ret == 0)
		sk_emit_ret(g, def);
	free(runs);
	free(leaves);
	free(pool);
	return ret < 0 ? ret : g->err;
}

int sk_bpf_generate_mediated(const stockade_plan *plan, const struct sk_notify *nt, uint32_t arch,
			     struct sock_filter **prog, size_t *len, stockade_error **err)
{
	struct gen g = { 0 };
	uint32_t def = sk_filter_action(nt->mode, plan->default_action), badarch = sk_filter_badarch(nt->mode);
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
	sk_ld(&g, offsetof(struct seccomp_data, arch));
	body_label[nbody] = sk_new_label(&g);
	sk_jmp(&g, BPF_JEQ, arch == SCMP_ARCH_X32 ? AUDIT_ARCH_X86_64 : arch, body_label[nbody++], NONE);
	for (size_t i = 0; i < nextra; i++) {
		if (extra[i] == SCMP_ARCH_X32) {
			x32 = true;
			continue;
		}
		body_label[nbody] = sk_new_label(&g);
		sk_jmp(&g, BPF_JEQ, extra[i], body_label[nbody++], NONE);
	}
	sk_emit_ret(&g, badarch);

	/* The primary architecture. */
	sk_bind(&g, body_label[0]);
	sk_ld(&g, offsetof(struct seccomp_data, nr));
	if (arch == SCMP_ARCH_X86_64) {
		int native = sk_new_label(&g), x32body = sk_new_label(&g), minus1 = sk_new_label(&g);
		sk_jmp(&g, BPF_JGE, X32_SYSCALL_BIT, NONE, native);
		/* nr -1 (a tracer skipping the call) is no x32 call. */
		sk_jmp(&g, BPF_JEQ, 0xffffffffu, minus1, NONE);
		if (x32)
			sk_ja(&g, x32body);
		else
			sk_emit_ret(&g, badarch);
		sk_bind(&g, minus1);
		sk_emit_ret(&g, def);
		sk_bind(&g, native);
		ret = arch_body(&g, plan, nt, arch, def, 0, X32_SYSCALL_BIT);
		if (ret == 0 && x32) {
			sk_bind(&g, x32body);
			ret = arch_body(&g, plan, nt, SCMP_ARCH_X32, def, X32_SYSCALL_BIT, 1ULL << 32);
		}
		/* An unused label still needs a home. */
		if (ret == 0 && !x32)
			g.label_id[x32body] = g.label_id[minus1];
	} else if (arch == SCMP_ARCH_X32) {
		int ok = sk_new_label(&g);
		sk_jmp(&g, BPF_JGE, X32_SYSCALL_BIT, ok, NONE);
		sk_emit_ret(&g, badarch);
		sk_bind(&g, ok);
		ret = arch_body(&g, plan, nt, arch, def, X32_SYSCALL_BIT, 1ULL << 32);
	} else {
		ret = arch_body(&g, plan, nt, arch, def, ANY_NR);
	}
	for (size_t i = 0, b = 1; ret == 0 && i < nextra; i++) {
		if (extra[i] == SCMP_ARCH_X32)
			continue;
		sk_bind(&g, body_label[b++]);
		sk_ld(&g, offsetof(struct seccomp_data, nr));
		ret = arch_body(&g, plan, nt, extra[i], def, ANY_NR);
	}
	if (ret == 0)
		ret = g.err;
	if (ret == 0)
		ret = sk_drop_reloads(&g);
	if (ret == 0)
		ret = sk_share_returns(&g);
	if (ret == 0)
		ret = sk_layout(&g, prog, len);
	free(g.v);
	free(g.label_id);
	if (ret == -E2BIG)
		return sk_error(err, E2BIG, "the filter needs more than %d BPF instructions", BPF_MAXINSNS);
	if (ret < 0)
		return sk_error(err, -ret, "cannot generate the filter: %s", strerror(-ret));
	return 0;
}

int sk_bpf_generate_notify(const stockade_plan *plan, enum sk_notify_mode nm, uint32_t arch, struct sock_filter **prog,
			   size_t *len, stockade_error **err)
{
	const struct sk_notify nt = { .mode = nm };

	return sk_bpf_generate_mediated(plan, &nt, arch, prog, len, err);
}

int sk_bpf_generate(const stockade_plan *plan, uint32_t arch, struct sock_filter **prog, size_t *len,
		    stockade_error **err)
{
	return sk_bpf_generate_notify(plan, SK_NOTIFY_NONE, arch, prog, len, err);
}
