/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Two rewrites of the finished program that cannot change what it returns.
 * They work on the instruction list before sk_layout(): jumps name labels,
 * labels name instruction ids, and a removed instruction's id is forwarded
 * (fwd[]) to the one its jumps now land on.
 */
#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>

#include "seccomp/bpf_gen.h"

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
int sk_drop_reloads(struct gen *g)
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
 * sk_layout() may insert in between for other jumps. */
#define SHARE_REACH 240

/*
 * Let jumps to `ret X` land on the next `ret X` instead, when every jump
 * that reaches it can reach that one, and drop it.  A `ret` that a
 * conditional jump falls into gets that side of the jump pointed at the
 * shared one; a `ret` after a load or ALU step stays.
 */
int sk_share_returns(struct gen *g)
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
			int label = sk_new_label(g);
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
