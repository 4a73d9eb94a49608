/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A classic-BPF interpreter with the kernel's seccomp rules.
 *
 * The point of this file is to answer "what would the kernel do with this
 * filter for this syscall?" without loading anything, so every rule below
 * follows what the kernel does rather than what classic BPF could do in
 * general:
 *
 *  - sk_sim_check() accepts exactly what bpf_check_classic() followed by
 *    seccomp_check_filter() accept.  Notably seccomp has its own opcode
 *    allow-list, narrower than classic BPF's: no BPF_MOD, no byte/half or
 *    indirect loads, no RET X, no ancillary loads.
 *  - sk_sim_run() gives the value the kernel's converted (eBPF) program
 *    returns: A and X start at zero, all arithmetic is unsigned 32-bit, and a
 *    division by X == 0 ends the program with return value 0
 *    (SECCOMP_RET_KILL_THREAD), because the classic-to-eBPF converter emits
 *    "if X == 0 return 0" in front of every DIV X.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "seccomp/sim.h"

/* The checker below relies on one mask bit per scratch cell. */
_Static_assert(BPF_MEMWORDS <= 16, "scratch memory must fit a 16-bit mask");

/* Loads read the struct as it sits in memory, as the kernel does, so the
 * word order of 64-bit fields is the host's. */
static uint32_t load_word(const struct seccomp_data *data, uint32_t off)
{
	uint32_t w;

	memcpy(&w, (const unsigned char *)data + off, sizeof(w));
	return w;
}

/*
 * Exactly the opcodes seccomp_check_filter() lets through.  Classic BPF has
 * more (BPF_MOD, byte and half-word loads, indirect loads, RET X, ancillary
 * loads): seccomp refuses them, so they are absent here.
 */
static const struct sk_bpf_op bpf_ops[256] = {
	[BPF_LD | BPF_W | BPF_ABS] = { "ld", SK_BPF_ABS, false },
	[BPF_LD | BPF_W | BPF_LEN] = { "ld", SK_BPF_LEN, false },
	[BPF_LDX | BPF_W | BPF_LEN] = { "ldx", SK_BPF_LEN, false },
	[BPF_LD | BPF_IMM] = { "ld", SK_BPF_K, false },
	[BPF_LDX | BPF_IMM] = { "ldx", SK_BPF_K, false },
	[BPF_LD | BPF_MEM] = { "ld", SK_BPF_MEM, false },
	[BPF_LDX | BPF_MEM] = { "ldx", SK_BPF_MEM, false },
	[BPF_ST] = { "st", SK_BPF_MEM, false },
	[BPF_STX] = { "stx", SK_BPF_MEM, false },
	[BPF_MISC | BPF_TAX] = { "tax", SK_BPF_NONE, false },
	[BPF_MISC | BPF_TXA] = { "txa", SK_BPF_NONE, false },
	[BPF_ALU | BPF_ADD | BPF_K] = { "add", SK_BPF_K, false },
	[BPF_ALU | BPF_ADD | BPF_X] = { "add", SK_BPF_X, false },
	[BPF_ALU | BPF_SUB | BPF_K] = { "sub", SK_BPF_K, false },
	[BPF_ALU | BPF_SUB | BPF_X] = { "sub", SK_BPF_X, false },
	[BPF_ALU | BPF_MUL | BPF_K] = { "mul", SK_BPF_K, false },
	[BPF_ALU | BPF_MUL | BPF_X] = { "mul", SK_BPF_X, false },
	[BPF_ALU | BPF_DIV | BPF_K] = { "div", SK_BPF_K, false },
	[BPF_ALU | BPF_DIV | BPF_X] = { "div", SK_BPF_X, false },
	[BPF_ALU | BPF_AND | BPF_K] = { "and", SK_BPF_K, false },
	[BPF_ALU | BPF_AND | BPF_X] = { "and", SK_BPF_X, false },
	[BPF_ALU | BPF_OR | BPF_K] = { "or", SK_BPF_K, false },
	[BPF_ALU | BPF_OR | BPF_X] = { "or", SK_BPF_X, false },
	[BPF_ALU | BPF_XOR | BPF_K] = { "xor", SK_BPF_K, false },
	[BPF_ALU | BPF_XOR | BPF_X] = { "xor", SK_BPF_X, false },
	[BPF_ALU | BPF_LSH | BPF_K] = { "lsh", SK_BPF_K, false },
	[BPF_ALU | BPF_LSH | BPF_X] = { "lsh", SK_BPF_X, false },
	[BPF_ALU | BPF_RSH | BPF_K] = { "rsh", SK_BPF_K, false },
	[BPF_ALU | BPF_RSH | BPF_X] = { "rsh", SK_BPF_X, false },
	[BPF_ALU | BPF_NEG] = { "neg", SK_BPF_NONE, false },
	[BPF_JMP | BPF_JA] = { "ja", SK_BPF_K, false },
	[BPF_JMP | BPF_JEQ | BPF_K] = { "jeq", SK_BPF_K, true },
	[BPF_JMP | BPF_JEQ | BPF_X] = { "jeq", SK_BPF_X, true },
	[BPF_JMP | BPF_JGT | BPF_K] = { "jgt", SK_BPF_K, true },
	[BPF_JMP | BPF_JGT | BPF_X] = { "jgt", SK_BPF_X, true },
	[BPF_JMP | BPF_JGE | BPF_K] = { "jge", SK_BPF_K, true },
	[BPF_JMP | BPF_JGE | BPF_X] = { "jge", SK_BPF_X, true },
	[BPF_JMP | BPF_JSET | BPF_K] = { "jset", SK_BPF_K, true },
	[BPF_JMP | BPF_JSET | BPF_X] = { "jset", SK_BPF_X, true },
	[BPF_RET | BPF_K] = { "ret", SK_BPF_K, false },
	[BPF_RET | BPF_A] = { "ret", SK_BPF_NONE, false },
};

const struct sk_bpf_op *sk_bpf_op(uint16_t code)
{
	if (code >= sizeof(bpf_ops) / sizeof(bpf_ops[0]) || !bpf_ops[code].name)
		return NULL;
	return &bpf_ops[code];
}

static bool is_cond_jump(uint16_t code)
{
	const struct sk_bpf_op *op = sk_bpf_op(code);

	return op && op->cond;
}

/* Per-instruction checks: the union of what the classic checker and
 * seccomp's allow-list demand of a single instruction. */
static int check_insn(const struct sock_filter *f, size_t pc, size_t len)
{
	uint32_t k = f->k;

	if (is_cond_jump(f->code)) {
		/* Both targets must land inside the program. */
		if (pc + f->jt + 1 >= len || pc + f->jf + 1 >= len)
			return -EINVAL;
		return 0;
	}

	switch (f->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		/* Whole, aligned words of struct seccomp_data only. */
		if (k >= sizeof(struct seccomp_data) || (k & 3))
			return -EINVAL;
		return 0;
	case BPF_ALU | BPF_DIV | BPF_K:
		if (k == 0)
			return -EINVAL;
		return 0;
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_K:
		if (k >= 32)
			return -EINVAL;
		return 0;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
		if (k >= BPF_MEMWORDS)
			return -EINVAL;
		return 0;
	case BPF_JMP | BPF_JA:
		/* k is unsigned: a huge k must not wrap around into range. */
		if ((size_t)k >= len - pc - 1)
			return -EINVAL;
		return 0;
	default:
		/* The rest need no check of k; BPF_MOD and the other opcodes
		 * classic BPF has and seccomp refuses are not in the table. */
		return sk_bpf_op(f->code) ? 0 : -EINVAL;
	}
}

/*
 * The classic checker refuses any program that may read a scratch cell
 * before writing it, on any path.  It does so with a single forward pass
 * (jumps only go forward): memvalid is the set of cells written on the
 * fall-through path, masks[pc] the intersection over jumps into pc.  We
 * mirror the algorithm exactly, including its quirk that the fall-through
 * state after a RET still flows into the next instruction, so that we reject
 * precisely the programs the kernel rejects.
 */
static int check_scratch(const struct sock_filter *prog, size_t len)
{
	uint16_t masks[BPF_MAXINSNS];
	uint16_t memvalid = 0;

	memset(masks, 0xff, len * sizeof(masks[0]));
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];

		memvalid &= masks[pc];
		switch (f->code) {
		case BPF_ST:
		case BPF_STX:
			memvalid |= (uint16_t)(1u << f->k);
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (!(memvalid & (1u << f->k)))
				return -EINVAL;
			break;
		case BPF_JMP | BPF_JA:
			masks[pc + 1 + f->k] &= memvalid;
			memvalid = 0xffff;
			break;
		default:
			if (is_cond_jump(f->code)) {
				masks[pc + 1 + f->jt] &= memvalid;
				masks[pc + 1 + f->jf] &= memvalid;
				memvalid = 0xffff;
			}
			break;
		}
	}
	return 0;
}

int sk_sim_check(const struct sock_filter *prog, size_t len)
{
	uint16_t last;
	int r;

	if (!prog || len == 0 || len > BPF_MAXINSNS)
		return -EINVAL;

	for (size_t pc = 0; pc < len; pc++) {
		r = check_insn(&prog[pc], pc, len);
		if (r < 0)
			return r;
	}

	/* Every path must end in a return; with forward-only, in-range jumps
	 * that holds exactly when the last instruction is one. */
	last = prog[len - 1].code;
	if (last != (BPF_RET | BPF_K) && last != (BPF_RET | BPF_A))
		return -EINVAL;

	/* Runs after the per-instruction checks, which bound every k used to
	 * index masks[] and the scratch bits. */
	return check_scratch(prog, len);
}

int sk_sim_run(const struct sock_filter *prog, size_t len, const struct seccomp_data *data,
	       struct sk_sim_result *out)
{
	/* M[] is zeroed although the checker makes reads of unwritten cells
	 * impossible: it keeps the interpreter deterministic regardless. */
	uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = { 0 };
	unsigned executed = 0;
	size_t pc = 0;
	int r;

	if (out)
		*out = (struct sk_sim_result){ 0 };
	if (!data || !out)
		return -EINVAL;

	/* Checking on every run keeps the loop below free of bounds tests and
	 * guarantees we never evaluate a program the kernel would refuse. */
	r = sk_sim_check(prog, len);
	if (r < 0)
		return r;

	/* The check guarantees pc stays in range and the loop ends at a RET:
	 * jumps only go forward and the last instruction returns. */
	while (pc < len) {
		const struct sock_filter *f = &prog[pc++];
		uint32_t k = f->k;

		executed++;
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			A = load_word(data, k);
			break;
		case BPF_LD | BPF_W | BPF_LEN:
			A = sizeof(struct seccomp_data);
			break;
		case BPF_LDX | BPF_W | BPF_LEN:
			X = sizeof(struct seccomp_data);
			break;
		case BPF_LD | BPF_IMM:
			A = k;
			break;
		case BPF_LDX | BPF_IMM:
			X = k;
			break;
		case BPF_LD | BPF_MEM:
			A = M[k];
			break;
		case BPF_LDX | BPF_MEM:
			X = M[k];
			break;
		case BPF_ST:
			M[k] = A;
			break;
		case BPF_STX:
			M[k] = X;
			break;
		case BPF_MISC | BPF_TAX:
			X = A;
			break;
		case BPF_MISC | BPF_TXA:
			A = X;
			break;

		case BPF_ALU | BPF_ADD | BPF_K:
			A += k;
			break;
		case BPF_ALU | BPF_ADD | BPF_X:
			A += X;
			break;
		case BPF_ALU | BPF_SUB | BPF_K:
			A -= k;
			break;
		case BPF_ALU | BPF_SUB | BPF_X:
			A -= X;
			break;
		case BPF_ALU | BPF_MUL | BPF_K:
			A *= k;
			break;
		case BPF_ALU | BPF_MUL | BPF_X:
			A *= X;
			break;
		case BPF_ALU | BPF_DIV | BPF_K:
			A /= k; /* k != 0: the checker refused k == 0 */
			break;
		case BPF_ALU | BPF_DIV | BPF_X:
			if (X == 0) {
				/* The kernel's converted program returns 0
				 * here: the filter's verdict is KILL_THREAD. */
				out->ret = 0;
				out->executed = executed;
				return 0;
			}
			A /= X;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			A &= k;
			break;
		case BPF_ALU | BPF_AND | BPF_X:
			A &= X;
			break;
		case BPF_ALU | BPF_OR | BPF_K:
			A |= k;
			break;
		case BPF_ALU | BPF_OR | BPF_X:
			A |= X;
			break;
		case BPF_ALU | BPF_XOR | BPF_K:
			A ^= k;
			break;
		case BPF_ALU | BPF_XOR | BPF_X:
			A ^= X;
			break;
		case BPF_ALU | BPF_LSH | BPF_K:
			A <<= k; /* k < 32: checked */
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			A >>= k;
			break;
		/*
		 * A shift by X >= 32 is undefined in C and unchecked by the
		 * kernel; what runs is a 32-bit shift instruction, which on
		 * x86-64 and arm64 (JIT or interpreter) uses the count modulo
		 * 32.  The test suite pins this against the running kernel.
		 */
		case BPF_ALU | BPF_LSH | BPF_X:
			A <<= (X & 31);
			break;
		case BPF_ALU | BPF_RSH | BPF_X:
			A >>= (X & 31);
			break;
		case BPF_ALU | BPF_NEG:
			A = -A;
			break;

		case BPF_JMP | BPF_JA:
			pc += k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += (A == k) ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JEQ | BPF_X:
			pc += (A == X) ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += (A > k) ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_X:
			pc += (A > X) ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += (A >= k) ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_X:
			pc += (A >= X) ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += (A & k) ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_X:
			pc += (A & X) ? f->jt : f->jf;
			break;

		case BPF_RET | BPF_K:
			out->ret = k;
			out->executed = executed;
			return 0;
		case BPF_RET | BPF_A:
			out->ret = A;
			out->executed = executed;
			return 0;
		default:
			/* Unreachable after sk_sim_check(); kept so that a
			 * mismatch between checker and interpreter fails
			 * closed instead of skipping an instruction. */
			return -EINVAL;
		}
	}
	return -EINVAL;
}
