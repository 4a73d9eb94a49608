/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A classic-BPF interpreter over struct seccomp_data, with the kernel's
 * seccomp rules: runs any filter for any architecture without loading it.
 * Powers `stockade explain`, `stockade stats` and the simulator test tier.
 */
#ifndef STOCKADE_SIM_H
#define STOCKADE_SIM_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sk_sim_result {
	uint32_t ret;	     /* raw SECCOMP_RET_* value the filter returned */
	unsigned executed;   /* instructions executed, including the final ret */
};

/*
 * The instructions seccomp accepts, decoded: one table serves the checker
 * below and the filter listing (bpf_disasm.c), so the two cannot disagree
 * on what an opcode is.
 */
enum sk_bpf_operand {
	SK_BPF_NONE,	/* ret A, tax, txa, neg */
	SK_BPF_K,	/* the immediate k: ALU, jumps, ret, ld/ldx #k */
	SK_BPF_X,	/* the X register: ALU and jumps */
	SK_BPF_ABS,	/* the word of struct seccomp_data at offset k */
	SK_BPF_MEM,	/* scratch cell k */
	SK_BPF_LEN,	/* sizeof(struct seccomp_data) */
};

struct sk_bpf_op {
	const char *name;	       /* "ld", "jeq", "add", ... (bpf_asm's) */
	enum sk_bpf_operand operand;
	bool cond;		       /* a conditional jump: jt and jf */
};

/* The decoding of `code`, or NULL when seccomp refuses the opcode. */
const struct sk_bpf_op *sk_bpf_op(uint16_t code);

/* Check a program the way the kernel's seccomp_check_filter() does: length
 * 1..BPF_MAXINSNS, only the opcodes seccomp accepts, loads only from aligned
 * offsets inside struct seccomp_data, jumps in range, ends in a return.
 * Returns 0 or -EINVAL. */
int sk_sim_check(const struct sock_filter *prog, size_t len);

/* Run a checked program on `data`.  Returns 0 or -EINVAL. */
int sk_sim_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *data,
	       struct sk_sim_result *out);

#endif
