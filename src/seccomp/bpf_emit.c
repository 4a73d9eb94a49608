/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The generator's instruction list: instructions whose jumps name labels,
 * labels bound to the instruction they precede, and the layout that turns
 * them into jump offsets once the program is complete.  Conditional jumps
 * reach 255 instructions; farther targets go through an inserted `ja`.
 */
#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp/bpf_gen.h"

int sk_new_label(struct gen *g)
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

void sk_push(struct gen *g, uint16_t code, uint32_t k, int jt, int jf)
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
void sk_bind(struct gen *g, int label)
{
	if (!g->err)
		g->label_id[label] = g->next_id;
}

void sk_ld(struct gen *g, uint32_t off)
{
	sk_push(g, BPF_LD | BPF_W | BPF_ABS, off, NONE, NONE);
}
void sk_emit_ret(struct gen *g, uint32_t action)
{
	sk_push(g, BPF_RET | BPF_K, action, NONE, NONE);
}
/* A conditional jump; NONE means "fall through to the next instruction". */
void sk_jmp(struct gen *g, uint16_t op, uint32_t k, int jt, int jf)
{
	sk_push(g, BPF_JMP | op | BPF_K, k, jt, jf);
}
void sk_ja(struct gen *g, int label)
{
	sk_push(g, BPF_JMP | BPF_JA, 0, label, NONE);
}

/* Resolve labels into offsets, inserting `ja` where a conditional jump
 * cannot reach.  Returns the final program or -E2BIG. */
int sk_layout(struct gen *g, struct sock_filter **prog, size_t *len)
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
					int next = sk_new_label(g);
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
				int tramp = sk_new_label(g);
				size_t at = i + 1;
				sk_push(g, 0, 0, NONE, NONE); /* grow by one */
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
