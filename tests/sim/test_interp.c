/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator tier: the classic-BPF interpreter in src/seccomp/sim.c.
 *
 * Expectations never come from the code under test.  They come from:
 *  - hand-computed constants for hand-written programs;
 *  - a plain-C reference of what each libseccomp rule means (64-bit
 *    comparisons), independent of both libseccomp and the interpreter;
 *  - the running kernel: the same programs are loaded for real in a child
 *    and what the child observes must match what the simulator predicts.
 * Kernel tests skip (with a reason) where seccomp filters cannot be loaded.
 */
#ifndef _GNU_SOURCE /* pkg-config may already define it */
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../harness.h"
#include "seccomp/sim.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Field offsets inside struct seccomp_data, spelled out. */
#define OFF_NR 0
#define OFF_ARCH 4
#define OFF_ARG(i) (16 + 8 * (i))

static struct sock_filter stmt(uint16_t code, uint32_t k)
{
	return (struct sock_filter){ .code = code, .k = k };
}

static struct sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
	return (struct sock_filter){ .code = code, .jt = jt, .jf = jf, .k = k };
}

static struct seccomp_data mkdata(int nr, uint32_t arch)
{
	struct seccomp_data d;

	memset(&d, 0, sizeof(d));
	d.nr = nr;
	d.arch = arch;
	return d;
}

/* Distinct values in every field, with high bits set where it matters. */
static struct seccomp_data sample_data(void)
{
	struct seccomp_data d = {
		.nr = 0x01020304,
		.arch = 0xc000003e,
		.instruction_pointer = 0x1122334455667788ULL,
		.args = { 0xa0a1a2a3b0b1b2b3ULL, 0xc0c1c2c3d0d1d2d3ULL, 0x8000000000000001ULL, 0x00000000ffffffffULL,
			  0xffffffff00000000ULL, 0x0123456789abcdefULL },
	};
	return d;
}

/* The 32-bit word the kernel loads at `off`, derived from the field values
 * (not from memory), so it checks the interpreter's byte handling. */
static uint32_t field_word(const struct seccomp_data *d, unsigned off)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const bool second_word_is_high = true;
#else
	const bool second_word_is_high = false;
#endif
	uint64_t v;

	if (off == OFF_NR)
		return (uint32_t)d->nr;
	if (off == OFF_ARCH)
		return d->arch;
	v = off < 16 ? d->instruction_pointer : d->args[(off - 16) / 8];
	if ((off % 8 == 4) == second_word_is_high)
		return (uint32_t)(v >> 32);
	return (uint32_t)v;
}

/* ------------------------------------------------------------------------
 * Hand-written programs, one opcode class at a time.
 * ------------------------------------------------------------------------ */

TEST(interp_loads_every_word)
{
	struct seccomp_data d = sample_data();

	for (unsigned off = 0; off < sizeof(struct seccomp_data); off += 4) {
		struct sock_filter p[] = { stmt(BPF_LD | BPF_W | BPF_ABS, off), stmt(BPF_RET | BPF_A, 0) };
		struct sk_sim_result r;

		CHECK_INT_EQ(sk_sim_run(p, N_ELEMS(p), &d, &r), 0);
		CHECK_MSG(r.ret == field_word(&d, off), "offset %u: got %#x want %#x", off, r.ret,
			  field_word(&d, off));
		CHECK_INT_EQ(r.executed, 2);
	}
	/* Spot-check the little-endian layout the brief promises on x86-64. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	CHECK_INT_EQ(field_word(&d, OFF_ARG(0)), 0xb0b1b2b3);
	CHECK_INT_EQ(field_word(&d, OFF_ARG(0) + 4), 0xa0a1a2a3);
#endif
}

TEST(interp_len_loads)
{
	struct seccomp_data d = sample_data();
	struct sock_filter a[] = { stmt(BPF_LD | BPF_W | BPF_LEN, 0), stmt(BPF_RET | BPF_A, 0) };
	struct sock_filter x[] = { stmt(BPF_LDX | BPF_W | BPF_LEN, 0), stmt(BPF_MISC | BPF_TXA, 0),
				   stmt(BPF_RET | BPF_A, 0) };
	struct sk_sim_result r;

	CHECK_INT_EQ(sk_sim_run(a, N_ELEMS(a), &d, &r), 0);
	CHECK_INT_EQ(r.ret, 64);
	CHECK_INT_EQ(r.executed, 2);
	CHECK_INT_EQ(sk_sim_run(x, N_ELEMS(x), &d, &r), 0);
	CHECK_INT_EQ(r.ret, 64);
	CHECK_INT_EQ(r.executed, 3);
}

TEST(interp_registers_start_at_zero)
{
	struct seccomp_data d = sample_data();
	struct sock_filter a[] = { stmt(BPF_RET | BPF_A, 0) };
	struct sock_filter x[] = { stmt(BPF_MISC | BPF_TXA, 0), stmt(BPF_RET | BPF_A, 0) };
	struct sk_sim_result r;

	CHECK_INT_EQ(sk_sim_run(a, N_ELEMS(a), &d, &r), 0);
	CHECK_INT_EQ(r.ret, 0);
	CHECK_INT_EQ(r.executed, 1);
	CHECK_INT_EQ(sk_sim_run(x, N_ELEMS(x), &d, &r), 0);
	CHECK_INT_EQ(r.ret, 0);
	CHECK_INT_EQ(r.executed, 2);
}

TEST(interp_ret_k_and_misc)
{
	struct seccomp_data d = sample_data();
	struct sock_filter k[] = { stmt(BPF_LD | BPF_IMM, 5), stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	/* A -> X -> A round trip, with A clobbered in between. */
	struct sock_filter m[] = { stmt(BPF_LD | BPF_IMM, 0x00050001), stmt(BPF_MISC | BPF_TAX, 0),
				   stmt(BPF_LD | BPF_IMM, 7), stmt(BPF_MISC | BPF_TXA, 0),
				   stmt(BPF_RET | BPF_A, 0) };
	struct sk_sim_result r;

	CHECK_INT_EQ(sk_sim_run(k, N_ELEMS(k), &d, &r), 0);
	CHECK_INT_EQ(r.ret, 0x7fff0000);
	CHECK_INT_EQ(r.executed, 2);
	CHECK_INT_EQ(sk_sim_run(m, N_ELEMS(m), &d, &r), 0);
	CHECK_INT_EQ(r.ret, 0x00050001);
	CHECK_INT_EQ(r.executed, 5);
}

/*
 * ALU cases.  The program is "A = a; X = xv; A op= operand; return A".  For a
 * K op the X register holds a decoy and for an X op k holds one, so using
 * the wrong operand gives a wrong answer.
 */
struct alu_case {
	uint16_t code;
	uint32_t a, operand, want;
};

#define DECOY 0x5a5a5a5au

static const struct alu_case alu_cases[] = {
	{ BPF_ALU | BPF_ADD | BPF_K, 1, 2, 3 },
	{ BPF_ALU | BPF_ADD | BPF_K, 0xfffffff0, 0x20, 0x10 },
	{ BPF_ALU | BPF_ADD | BPF_X, 0xffffffff, 1, 0 },
	{ BPF_ALU | BPF_SUB | BPF_K, 10, 3, 7 },
	{ BPF_ALU | BPF_SUB | BPF_X, 5, 7, 0xfffffffe },
	{ BPF_ALU | BPF_MUL | BPF_K, 7, 6, 42 },
	{ BPF_ALU | BPF_MUL | BPF_X, 0x10000, 0x10000, 0 },
	{ BPF_ALU | BPF_MUL | BPF_K, 0xffffffff, 0xffffffff, 1 },
	{ BPF_ALU | BPF_DIV | BPF_K, 100, 7, 14 },
	{ BPF_ALU | BPF_DIV | BPF_K, 0xffffffff, 2, 0x7fffffff },
	{ BPF_ALU | BPF_DIV | BPF_X, 0x80000000, 0xffffffff, 0 },
	{ BPF_ALU | BPF_DIV | BPF_X, 7, 7, 1 },
	{ BPF_ALU | BPF_AND | BPF_K, 0xf0f0, 0xff00, 0xf000 },
	{ BPF_ALU | BPF_AND | BPF_X, 0xdeadbeef, 0xffff0000, 0xdead0000 },
	{ BPF_ALU | BPF_OR | BPF_K, 0xf0, 0x0f, 0xff },
	{ BPF_ALU | BPF_OR | BPF_X, 0x80000000, 1, 0x80000001 },
	{ BPF_ALU | BPF_XOR | BPF_K, 0xff, 0x0f, 0xf0 },
	{ BPF_ALU | BPF_XOR | BPF_X, 0xaaaaaaaa, 0xffffffff, 0x55555555 },
	{ BPF_ALU | BPF_LSH | BPF_K, 1, 31, 0x80000000 },
	{ BPF_ALU | BPF_LSH | BPF_K, 0x80000001, 1, 2 },
	{ BPF_ALU | BPF_LSH | BPF_K, 0x12345678, 0, 0x12345678 },
	{ BPF_ALU | BPF_LSH | BPF_X, 0x12345678, 4, 0x23456780 },
	{ BPF_ALU | BPF_RSH | BPF_K, 0x80000000, 31, 1 }, /* logical, not arithmetic */
	{ BPF_ALU | BPF_RSH | BPF_X, 0xf0000000, 4, 0x0f000000 },
	/* Shift counts >= 32 in X are taken modulo 32 (pinned against the
	 * kernel by kernel_agrees_on_alu). */
	{ BPF_ALU | BPF_LSH | BPF_X, 1, 32, 1 },
	{ BPF_ALU | BPF_LSH | BPF_X, 1, 33, 2 },
	{ BPF_ALU | BPF_RSH | BPF_X, 0x80000000, 63, 1 },
	{ BPF_ALU | BPF_RSH | BPF_X, 0xff, 0xffffffe4, 0xf },
	{ BPF_ALU | BPF_NEG, 1, 0, 0xffffffff },
	{ BPF_ALU | BPF_NEG, 0, 0, 0 },
	{ BPF_ALU | BPF_NEG, 5, 0, 0xfffffffb },
	{ BPF_ALU | BPF_NEG, 0x80000000, 0, 0x80000000 },
};

static bool alu_uses_x(uint16_t code)
{
	return BPF_OP(code) != BPF_NEG && BPF_SRC(code) == BPF_X;
}

/* Writes "A = a; X = ...; op" into p and returns the count. */
static size_t alu_prefix(struct sock_filter *p, const struct alu_case *c)
{
	bool x = alu_uses_x(c->code);

	p[0] = stmt(BPF_LD | BPF_IMM, c->a);
	p[1] = stmt(BPF_LDX | BPF_IMM, x ? c->operand : DECOY);
	p[2] = stmt(c->code, x ? ~DECOY : c->operand);
	return 3;
}

TEST(interp_alu)
{
	struct seccomp_data d = sample_data();

	for (size_t i = 0; i < N_ELEMS(alu_cases); i++) {
		const struct alu_case *c = &alu_cases[i];
		struct sock_filter p[4];
		struct sk_sim_result r;
		size_t n = alu_prefix(p, c);

		p[n++] = stmt(BPF_RET | BPF_A, 0);
		CHECK_INT_EQ(sk_sim_run(p, n, &d, &r), 0);
		CHECK_MSG(r.ret == c->want, "case %zu (code %#x, a %#x, operand %#x): got %#x want %#x", i, c->code,
			  c->a, c->operand, r.ret, c->want);
		CHECK_INT_EQ(r.executed, 4);
	}
}

TEST(interp_div_by_x_zero_returns_zero)
{
	struct seccomp_data d = sample_data();
	/* The kernel returns 0 (KILL_THREAD) from the DIV itself; nothing
	 * after it runs. */
	struct sock_filter p[] = { stmt(BPF_LD | BPF_IMM, 5), stmt(BPF_LDX | BPF_IMM, 0), stmt(BPF_ALU | BPF_DIV | BPF_X, 0),
				   stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	/* X comes from the syscall argument: zero only for some inputs. */
	struct sock_filter q[] = { stmt(BPF_LD | BPF_W | BPF_ABS, OFF_ARG(0)), stmt(BPF_MISC | BPF_TAX, 0),
				   stmt(BPF_LD | BPF_IMM, 100), stmt(BPF_ALU | BPF_DIV | BPF_X, 0),
				   stmt(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO), stmt(BPF_RET | BPF_A, 0) };
	struct sk_sim_result r;

	CHECK_INT_EQ(sk_sim_run(p, N_ELEMS(p), &d, &r), 0);
	CHECK_INT_EQ(r.ret, 0);
	CHECK_INT_EQ(r.executed, 3);

	d.args[0] = 0x700000000ULL; /* low word 0: divides by zero */
	CHECK_INT_EQ(sk_sim_run(q, N_ELEMS(q), &d, &r), 0);
	CHECK_INT_EQ(r.ret, 0);
	CHECK_INT_EQ(r.executed, 4);
	d.args[0] = 7;
	CHECK_INT_EQ(sk_sim_run(q, N_ELEMS(q), &d, &r), 0);
	CHECK_INT_EQ(r.ret, 0x0005000e);
	CHECK_INT_EQ(r.executed, 6);
}

/* Conditional jumps: "A = a; X = ...; if (A op operand) ret T else ret F". */
struct jmp_case {
	uint16_t code;
	uint32_t a, operand;
	bool taken;
};

static const struct jmp_case jmp_cases[] = {
	{ BPF_JMP | BPF_JEQ | BPF_K, 5, 5, true },
	{ BPF_JMP | BPF_JEQ | BPF_K, 5, 6, false },
	{ BPF_JMP | BPF_JEQ | BPF_X, 0xffffffff, 0xffffffff, true },
	{ BPF_JMP | BPF_JEQ | BPF_X, 0, 1, false },
	{ BPF_JMP | BPF_JGT | BPF_K, 6, 5, true },
	{ BPF_JMP | BPF_JGT | BPF_K, 5, 5, false },
	{ BPF_JMP | BPF_JGT | BPF_K, 0xffffffff, 1, true }, /* unsigned */
	{ BPF_JMP | BPF_JGT | BPF_X, 1, 0xffffffff, false },
	{ BPF_JMP | BPF_JGT | BPF_X, 0x80000000, 0x7fffffff, true },
	{ BPF_JMP | BPF_JGE | BPF_K, 5, 5, true },
	{ BPF_JMP | BPF_JGE | BPF_K, 4, 5, false },
	{ BPF_JMP | BPF_JGE | BPF_X, 0x80000000, 0x7fffffff, true },
	{ BPF_JMP | BPF_JGE | BPF_X, 0x7fffffff, 0x80000000, false },
	{ BPF_JMP | BPF_JSET | BPF_K, 0x10, 0x30, true },
	{ BPF_JMP | BPF_JSET | BPF_K, 0x10, 0x20, false },
	{ BPF_JMP | BPF_JSET | BPF_X, 0x80000000, 0x80000000, true },
	{ BPF_JMP | BPF_JSET | BPF_X, 0x7fffffff, 0x80000000, false },
};

static size_t jmp_prog(struct sock_filter *p, const struct jmp_case *c, uint32_t ret_true, uint32_t ret_false)
{
	bool x = BPF_SRC(c->code) == BPF_X;

	p[0] = stmt(BPF_LD | BPF_IMM, c->a);
	p[1] = stmt(BPF_LDX | BPF_IMM, x ? c->operand : DECOY);
	p[2] = jump(c->code, x ? ~DECOY : c->operand, 1, 0);
	p[3] = stmt(BPF_RET | BPF_K, ret_false);
	p[4] = stmt(BPF_RET | BPF_K, ret_true);
	return 5;
}

TEST(interp_conditional_jumps)
{
	struct seccomp_data d = sample_data();

	for (size_t i = 0; i < N_ELEMS(jmp_cases); i++) {
		const struct jmp_case *c = &jmp_cases[i];
		struct sock_filter p[5];
		struct sk_sim_result r;
		size_t n = jmp_prog(p, c, 200, 100);

		CHECK_INT_EQ(sk_sim_run(p, n, &d, &r), 0);
		CHECK_MSG(r.ret == (c->taken ? 200u : 100u), "case %zu (code %#x, a %#x, operand %#x): got %u", i,
			  c->code, c->a, c->operand, r.ret);
		CHECK_INT_EQ(r.executed, 4);
	}
}

/*
 * Classifies the low word of args[0]: 1 -> 10; 0 and 2..100 -> 20; odd
 * above 100 -> 31; even above 100 -> 30.  Uses jt/jf both ways and JA.
 */
static size_t classifier(struct sock_filter *p, uint32_t base)
{
	size_t n = 0;

	p[n++] = stmt(BPF_LD | BPF_W | BPF_ABS, OFF_ARG(0)); /* 0 */
	p[n++] = jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 4, 0); /* 1: == 1 -> 6 */
	p[n++] = jump(BPF_JMP | BPF_JGT | BPF_K, 100, 0, 2); /* 2: > 100 -> 3, else 5 */
	p[n++] = stmt(BPF_JMP | BPF_JA, 3); /* 3: -> 7 */
	p[n++] = stmt(BPF_RET | BPF_K, base | 0xdead); /* 4: unreachable */
	p[n++] = stmt(BPF_RET | BPF_K, base | 20); /* 5 */
	p[n++] = stmt(BPF_RET | BPF_K, base | 10); /* 6 */
	p[n++] = jump(BPF_JMP | BPF_JSET | BPF_K, 1, 1, 0); /* 7: odd -> 9 */
	p[n++] = stmt(BPF_RET | BPF_K, base | 30); /* 8 */
	p[n++] = stmt(BPF_RET | BPF_K, base | 31); /* 9 */
	return n;
}

struct classify_case {
	uint64_t arg0;
	uint32_t want;
	unsigned executed;
};

static const struct classify_case classify_cases[] = {
	{ 1, 10, 3 }, { 50, 20, 4 }, { 0, 20, 4 }, { 100, 20, 4 }, { 200, 30, 6 }, { 201, 31, 6 },
	/* Only the low word is loaded: the high word must not matter. */
	{ 0xffffffff00000001ULL, 10, 3 },
};

TEST(interp_jump_offsets)
{
	struct seccomp_data d = sample_data();
	struct sock_filter p[16];
	size_t n = classifier(p, 0);

	for (size_t i = 0; i < N_ELEMS(classify_cases); i++) {
		struct sk_sim_result r;

		d.args[0] = classify_cases[i].arg0;
		CHECK_INT_EQ(sk_sim_run(p, n, &d, &r), 0);
		CHECK_MSG(r.ret == classify_cases[i].want, "arg0 %#llx: got %u want %u",
			  (unsigned long long)classify_cases[i].arg0, r.ret, classify_cases[i].want);
		CHECK_INT_EQ(r.executed, classify_cases[i].executed);
	}
}

TEST(interp_longest_jumps)
{
	struct seccomp_data d = sample_data();
	struct sock_filter p[258];
	struct sk_sim_result r;

	/* jt = 255 lands on the very last instruction. */
	p[0] = stmt(BPF_LD | BPF_IMM, 1);
	p[1] = jump(BPF_JMP | BPF_JEQ | BPF_K, 1, 255, 0);
	p[2] = stmt(BPF_RET | BPF_K, 1);
	for (size_t i = 3; i < 257; i++)
		p[i] = stmt(BPF_RET | BPF_K, 0xbad);
	p[257] = stmt(BPF_RET | BPF_K, 2);
	CHECK_INT_EQ(sk_sim_run(p, N_ELEMS(p), &d, &r), 0);
	CHECK_INT_EQ(r.ret, 2);
	CHECK_INT_EQ(r.executed, 3);

	p[0] = stmt(BPF_LD | BPF_IMM, 0);
	CHECK_INT_EQ(sk_sim_run(p, N_ELEMS(p), &d, &r), 0);
	CHECK_INT_EQ(r.ret, 1);
	CHECK_INT_EQ(r.executed, 3);

	/* JA over everything; its jt/jf fields are ignored. */
	p[0] = jump(BPF_JMP | BPF_JA, 255, 7, 9);
	p[256] = stmt(BPF_RET | BPF_K, 3);
	CHECK_INT_EQ(sk_sim_run(p, N_ELEMS(p), &d, &r), 0);
	CHECK_INT_EQ(r.ret, 3);
	CHECK_INT_EQ(r.executed, 2);
}

/* Stores to and loads from scratch cells, including the first and last. */
static size_t scratch_prog(struct sock_filter *p)
{
	size_t n = 0;

	p[n++] = stmt(BPF_LD | BPF_IMM, 7);
	p[n++] = stmt(BPF_ST, 0); /* M[0] = 7 */
	p[n++] = stmt(BPF_LD | BPF_IMM, 9);
	p[n++] = stmt(BPF_ST, 15); /* M[15] = 9 */
	p[n++] = stmt(BPF_LDX | BPF_IMM, 3);
	p[n++] = stmt(BPF_STX, 8); /* M[8] = 3 */
	p[n++] = stmt(BPF_LD | BPF_IMM, 0);
	p[n++] = stmt(BPF_LDX | BPF_IMM, 0);
	p[n++] = stmt(BPF_LD | BPF_MEM, 0); /* A = 7 */
	p[n++] = stmt(BPF_LDX | BPF_MEM, 15); /* X = 9 */
	p[n++] = stmt(BPF_ALU | BPF_ADD | BPF_X, 0); /* A = 16 */
	p[n++] = stmt(BPF_MISC | BPF_TAX, 0);
	p[n++] = stmt(BPF_LD | BPF_MEM, 8); /* A = 3 */
	p[n++] = stmt(BPF_ALU | BPF_ADD | BPF_X, 0); /* A = 19 */
	p[n++] = stmt(BPF_ST, 0); /* M[0] = 19 */
	p[n++] = stmt(BPF_LD | BPF_MEM, 0);
	p[n++] = stmt(BPF_ALU | BPF_MUL | BPF_K, 2); /* A = 38 */
	return n;
}

TEST(interp_scratch_memory)
{
	struct seccomp_data d = sample_data();
	struct sock_filter p[20];
	struct sk_sim_result r;
	size_t n = scratch_prog(p);

	p[n++] = stmt(BPF_RET | BPF_A, 0);
	CHECK_INT_EQ(sk_sim_run(p, n, &d, &r), 0);
	CHECK_INT_EQ(r.ret, 38);
	CHECK_INT_EQ(r.executed, 18);
}

/* n-1 increments then RET A: returns n-1 after executing n instructions. */
static struct sock_filter *counting_prog(size_t n)
{
	struct sock_filter *p = calloc(n, sizeof(*p));

	if (!p)
		return NULL;
	for (size_t i = 0; i + 1 < n; i++)
		p[i] = stmt(BPF_ALU | BPF_ADD | BPF_K, 1);
	p[n - 1] = stmt(BPF_RET | BPF_A, 0);
	return p;
}

TEST(interp_length_limits)
{
	struct seccomp_data d = sample_data();
	struct sock_filter *p = counting_prog(BPF_MAXINSNS + 1);
	struct sk_sim_result r;

	CHECK(p != NULL);
	if (!p)
		return;
	/* 4096 instructions: the maximum, accepted. */
	CHECK_INT_EQ(sk_sim_check(p + 1, BPF_MAXINSNS), 0);
	CHECK_INT_EQ(sk_sim_run(p + 1, BPF_MAXINSNS, &d, &r), 0);
	CHECK_INT_EQ(r.ret, 4095);
	CHECK_INT_EQ(r.executed, 4096);
	/* 4097: one too many. */
	CHECK_INT_EQ(sk_sim_check(p, BPF_MAXINSNS + 1), -EINVAL);
	CHECK_INT_EQ(sk_sim_run(p, BPF_MAXINSNS + 1, &d, &r), -EINVAL);
	/* A single RET is the shortest program. */
	CHECK_INT_EQ(sk_sim_run(p + BPF_MAXINSNS, 1, &d, &r), 0);
	CHECK_INT_EQ(r.ret, 0);
	CHECK_INT_EQ(r.executed, 1);
	free(p);
}

TEST(interp_bad_arguments)
{
	struct seccomp_data d = sample_data();
	struct sock_filter p[] = { stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sk_sim_result r;

	CHECK_INT_EQ(sk_sim_check(NULL, 1), -EINVAL);
	CHECK_INT_EQ(sk_sim_run(NULL, 1, &d, &r), -EINVAL);
	CHECK_INT_EQ(sk_sim_run(p, 1, NULL, &r), -EINVAL);
	CHECK_INT_EQ(sk_sim_run(p, 1, &d, NULL), -EINVAL);
}

/* ------------------------------------------------------------------------
 * The checker: tables of programs the kernel must refuse or accept.
 * ------------------------------------------------------------------------ */

struct prog_case {
	const char *name;
	const struct sock_filter *prog;
	size_t len;
};

#define PROG_CASE(name, ...)                                                                                   \
	{                                                                                                      \
		name, (const struct sock_filter[]){ __VA_ARGS__ },                                             \
			sizeof((const struct sock_filter[]){ __VA_ARGS__ }) / sizeof(struct sock_filter)        \
	}

#define RET_A BPF_STMT(BPF_RET | BPF_A, 0)
#define RET_ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static const struct prog_case bad_progs[] = {
	PROG_CASE("unaligned load", BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), RET_A),
	PROG_CASE("load at struct end", BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), RET_A),
	PROG_CASE("ancillary load", BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_AD_OFF), RET_A),
	PROG_CASE("half-word load", BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0), RET_A),
	PROG_CASE("byte load", BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), RET_A),
	PROG_CASE("indirect load", BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0), RET_A),
	PROG_CASE("ldx msh", BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0), RET_A),
	PROG_CASE("jt past end", BPF_STMT(BPF_LD | BPF_IMM, 0), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), RET_A),
	PROG_CASE("jf past end", BPF_STMT(BPF_LD | BPF_IMM, 0), BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 1), RET_A),
	PROG_CASE("ja past end", BPF_STMT(BPF_JMP | BPF_JA, 1), RET_A),
	PROG_CASE("ja wrapping", BPF_STMT(BPF_JMP | BPF_JA, 0xffffffff), RET_A),
	PROG_CASE("no final ret", BPF_STMT(BPF_LD | BPF_IMM, 0)),
	PROG_CASE("ret then load", RET_A, BPF_STMT(BPF_LD | BPF_IMM, 0)),
	PROG_CASE("bad opcode", BPF_STMT(0xffff, 0), RET_A),
	PROG_CASE("ret x", BPF_STMT(BPF_RET | BPF_X, 0)),
	PROG_CASE("mod k", BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), RET_A),
	PROG_CASE("mod x", BPF_STMT(BPF_LDX | BPF_IMM, 3), BPF_STMT(BPF_ALU | BPF_MOD | BPF_X, 0), RET_A),
	PROG_CASE("div by constant zero", BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), RET_A),
	PROG_CASE("lsh by 32", BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32), RET_A),
	PROG_CASE("rsh by 32", BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 32), RET_A),
	PROG_CASE("st past scratch", BPF_STMT(BPF_ST, 16), RET_A),
	PROG_CASE("stx past scratch", BPF_STMT(BPF_STX, 16), RET_A),
	PROG_CASE("ld mem past scratch", BPF_STMT(BPF_ST, 0), BPF_STMT(BPF_LD | BPF_MEM, 16), RET_A),
	PROG_CASE("ldx mem past scratch", BPF_STMT(BPF_ST, 0), BPF_STMT(BPF_LDX | BPF_MEM, 16), RET_A),
	PROG_CASE("read before write", BPF_STMT(BPF_LD | BPF_MEM, 0), RET_A),
	PROG_CASE("ldx read before write", BPF_STMT(BPF_ST, 2), BPF_STMT(BPF_LDX | BPF_MEM, 3), RET_A),
	/* M[0] is written only when A != 0; the join reads it. */
	PROG_CASE("written on one path only", BPF_STMT(BPF_LD | BPF_IMM, 0),
		  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), BPF_STMT(BPF_ST, 0), BPF_STMT(BPF_LD | BPF_MEM, 0),
		  RET_A),
	/* A jump target after a RET only inherits what the jump carries. */
	PROG_CASE("read at jump target", BPF_STMT(BPF_LD | BPF_IMM, 0), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0),
		  BPF_STMT(BPF_ST, 0), RET_A, BPF_STMT(BPF_LD | BPF_MEM, 0), RET_A),
};

static const struct prog_case good_progs[] = {
	PROG_CASE("single ret", RET_ALLOW),
	PROG_CASE("load last word", BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 60), RET_A),
	PROG_CASE("len loads", BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0), BPF_STMT(BPF_LDX | BPF_W | BPF_LEN, 0), RET_A),
	PROG_CASE("every alu op", BPF_STMT(BPF_LDX | BPF_IMM, 3), BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
		  BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0), BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 1),
		  BPF_STMT(BPF_ALU | BPF_SUB | BPF_X, 0), BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 1),
		  BPF_STMT(BPF_ALU | BPF_MUL | BPF_X, 0), BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 1),
		  BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0), BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 1),
		  BPF_STMT(BPF_ALU | BPF_AND | BPF_X, 0), BPF_STMT(BPF_ALU | BPF_OR | BPF_K, 1),
		  BPF_STMT(BPF_ALU | BPF_OR | BPF_X, 0), BPF_STMT(BPF_ALU | BPF_XOR | BPF_K, 1),
		  BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0), BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 31),
		  BPF_STMT(BPF_ALU | BPF_LSH | BPF_X, 0), BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 31),
		  BPF_STMT(BPF_ALU | BPF_RSH | BPF_X, 0), BPF_STMT(BPF_ALU | BPF_NEG, 0), RET_A),
	PROG_CASE("every jump op", BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 0), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 0),
		  BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 0, 0, 0), BPF_JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 0),
		  BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0, 0, 0), BPF_JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 0, 0),
		  BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0, 0, 0), BPF_JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 0),
		  BPF_STMT(BPF_JMP | BPF_JA, 0), RET_A),
	PROG_CASE("ja to last", BPF_STMT(BPF_JMP | BPF_JA, 1), RET_ALLOW, RET_A),
	PROG_CASE("every scratch cell", BPF_STMT(BPF_ST, 0), BPF_STMT(BPF_STX, 15), BPF_STMT(BPF_LD | BPF_MEM, 0),
		  BPF_STMT(BPF_LDX | BPF_MEM, 15), RET_A),
	PROG_CASE("written on both paths", BPF_STMT(BPF_LD | BPF_IMM, 0), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
		  BPF_STMT(BPF_ST, 0), BPF_STMT(BPF_JMP | BPF_JA, 1), BPF_STMT(BPF_ST, 0),
		  BPF_STMT(BPF_LD | BPF_MEM, 0), RET_A),
	/* Only jumps reach instruction 6, and both carry M[0]: what was valid
	 * before the JA at 5 must not leak into 6. */
	PROG_CASE("scan resets after ja", BPF_STMT(BPF_LD | BPF_IMM, 0), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
		  BPF_STMT(BPF_ST, 0), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 2), RET_A,
		  BPF_STMT(BPF_JMP | BPF_JA, 1), BPF_STMT(BPF_LD | BPF_MEM, 0), RET_A),
	PROG_CASE("scan resets after jump", BPF_STMT(BPF_LD | BPF_IMM, 0), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 3),
		  BPF_STMT(BPF_ST, 0), BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 2), RET_A,
		  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 1), BPF_STMT(BPF_LD | BPF_MEM, 0), RET_A),
	/* The kernel's scan lets the state before a RET flow into the next
	 * (dead) instruction, so this dead read is accepted. */
	PROG_CASE("dead read after ret", BPF_STMT(BPF_ST, 0), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		  BPF_STMT(BPF_LD | BPF_MEM, 0), RET_A),
};

TEST(check_rejects_malformed)
{
	struct seccomp_data d = sample_data();
	struct sock_filter one[] = { RET_ALLOW };
	struct sk_sim_result r;

	for (size_t i = 0; i < N_ELEMS(bad_progs); i++) {
		const struct prog_case *c = &bad_progs[i];

		CHECK_MSG(sk_sim_check(c->prog, c->len) == -EINVAL, "%s accepted", c->name);
		CHECK_MSG(sk_sim_run(c->prog, c->len, &d, &r) == -EINVAL, "%s ran", c->name);
	}
	/* Empty program. */
	CHECK_INT_EQ(sk_sim_check(one, 0), -EINVAL);
	CHECK_INT_EQ(sk_sim_run(one, 0, &d, &r), -EINVAL);
}

TEST(check_accepts_valid)
{
	struct seccomp_data d = sample_data();
	struct sk_sim_result r;

	for (size_t i = 0; i < N_ELEMS(good_progs); i++) {
		const struct prog_case *c = &good_progs[i];

		CHECK_MSG(sk_sim_check(c->prog, c->len) == 0, "%s refused", c->name);
		CHECK_MSG(sk_sim_run(c->prog, c->len, &d, &r) == 0, "%s did not run", c->name);
		CHECK_MSG(r.executed >= 1 && r.executed <= c->len, "%s: executed %u of %zu", c->name, r.executed,
			  c->len);
	}
}

/* ------------------------------------------------------------------------
 * The kernel as the oracle.  Everything runs in forked children: a loaded
 * filter cannot be removed.
 * ------------------------------------------------------------------------ */

/* Exit codes a child uses to report that it never got to run the filter. */
#define CHILD_REFUSED_EINVAL 42
#define CHILD_SETUP_FAILED 43

/* Stop killed children from dumping core, then allow unprivileged loading. */
static void child_prepare(void)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(CHILD_SETUP_FAILED);
}

static struct sock_filter *dup_prog(const struct sock_filter *prog, size_t len)
{
	struct sock_filter *p = malloc((len ? len : 1) * sizeof(*p));

	if (p && len)
		memcpy(p, prog, len * sizeof(*p));
	return p;
}

/* 1: the kernel accepted the program, 0: refused it with EINVAL, -1: the
 * experiment failed. */
static int kernel_accepts(const struct sock_filter *prog, size_t len)
{
	struct sock_filter *copy = dup_prog(prog, len);
	int status;
	pid_t pid;

	if (!copy)
		return -1;
	pid = fork();
	if (pid < 0) {
		free(copy);
		return -1;
	}
	if (pid == 0) {
		struct sock_fprog fp = { .len = (unsigned short)len, .filter = copy };

		child_prepare();
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
			_exit(errno == EINVAL ? CHILD_REFUSED_EINVAL : CHILD_SETUP_FAILED);
		/* Whatever the filter says about exit_group, end here: a
		 * filtered exit falls through to the trap. */
		syscall(SYS_exit_group, 0);
		__builtin_trap();
	}
	free(copy);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_REFUSED_EINVAL)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_SETUP_FAILED)
		return -1;
	return 1;
}

/* NULL if this process can load seccomp filters, else why not. */
static const char *kernel_unavailable(void)
{
	static int state = -1;
	static const struct sock_filter allow[] = { RET_ALLOW };

	if (state < 0)
		state = kernel_accepts(allow, 1) == 1;
	return state ? NULL : "cannot load seccomp filters here";
}

struct kernel_outcome {
	bool returned; /* the syscall returned (else the child died of sig) */
	long ret;
	int err;
	int sig;
};

/* Loads prog in a child, makes syscall nr with args, reports what happened.
 * The program must allow write and exit_group. */
static bool kernel_run(const struct sock_filter *prog, size_t len, long nr, const uint64_t args[6],
		       struct kernel_outcome *out)
{
	struct sock_filter *copy = dup_prog(prog, len);
	struct {
		long ret;
		int err;
	} rec;
	int fds[2], status;
	ssize_t got;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (!copy)
		return false;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		free(copy);
		return false;
	}
	pid = fork();
	if (pid < 0) {
		free(copy);
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (pid == 0) {
		struct sock_fprog fp = { .len = (unsigned short)len, .filter = copy };

		close(fds[0]);
		child_prepare();
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) < 0)
			_exit(errno == EINVAL ? CHILD_REFUSED_EINVAL : CHILD_SETUP_FAILED);
		rec.ret = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
		rec.err = errno;
		if (write(fds[1], &rec, sizeof(rec)) != (ssize_t)sizeof(rec))
			_exit(CHILD_SETUP_FAILED);
		_exit(0);
	}
	free(copy);
	close(fds[1]);
	do
		got = read(fds[0], &rec, sizeof(rec));
	while (got < 0 && errno == EINTR);
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid)
		return false;
	if (got == (ssize_t)sizeof(rec) && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		out->returned = true;
		out->ret = rec.ret;
		out->err = rec.err;
		return true;
	}
	if (got == 0 && WIFSIGNALED(status)) {
		out->sig = WTERMSIG(status);
		return true;
	}
	return false;
}

/* Does what the kernel did match the simulator's return value?  `natural`
 * is what the syscall returns when allowed. */
static bool outcome_matches(uint32_t ret, const struct kernel_outcome *k, long natural)
{
	uint32_t data = ret & SECCOMP_RET_DATA;

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return k->returned && k->ret == natural;
	case SECCOMP_RET_ERRNO:
		if (data > 4095) /* the kernel caps it at MAX_ERRNO */
			data = 4095;
		if (data == 0)
			return k->returned && k->ret == 0;
		return k->returned && k->ret == -1 && k->err == (int)data;
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_USER_NOTIF:
		/* No tracer, no listener: the syscall fails with ENOSYS. */
		return k->returned && k->ret == -1 && k->err == ENOSYS;
	default:
		/* KILL_*, TRAP, and unknown actions (treated as KILL_PROCESS). */
		return !k->returned && k->sig == SIGSYS;
	}
}

/*
 * Puts body behind a gate that allows every syscall but getppid, so the
 * child can report back; body decides getppid's fate.
 */
static size_t gate(struct sock_filter *dst, const struct sock_filter *body, size_t n)
{
	dst[0] = stmt(BPF_LD | BPF_W | BPF_ABS, OFF_NR);
	dst[1] = jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 1, 0);
	dst[2] = stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	memcpy(dst + 3, body, n * sizeof(*body));
	return n + 3;
}

/* Runs the gated body in the simulator and in the kernel for getppid(args)
 * and checks they agree.  Returns the simulator's verdict. */
static uint32_t kernel_vs_sim(const struct sock_filter *body, size_t n, const uint64_t args[6], const char *what)
{
	struct sock_filter prog[64];
	struct seccomp_data d = mkdata(SYS_getppid, seccomp_arch_native());
	struct kernel_outcome k;
	struct sk_sim_result r;
	size_t len;

	if (n + 3 > N_ELEMS(prog)) {
		CHECK_MSG(false, "%s: body too long", what);
		return 0;
	}
	len = gate(prog, body, n);
	memcpy(d.args, args, sizeof(d.args));
	CHECK_MSG(sk_sim_run(prog, len, &d, &r) == 0, "%s: simulator refused", what);
	CHECK_MSG(kernel_run(prog, len, SYS_getppid, args, &k), "%s: kernel experiment failed", what);
	CHECK_MSG(outcome_matches(r.ret, &k, getpid()),
		  "%s: simulator says %#x, kernel: returned=%d ret=%ld errno=%d signal=%d", what, r.ret, k.returned,
		  k.ret, k.err, k.sig);
	return r.ret;
}

/*
 * Reads the 32-bit value `body` leaves in A out of the kernel, 12 bits at a
 * time through getppid's errno (ERRNO data is capped at 4095), checking the
 * simulator agrees on each slice.  Returns the value the kernel computed.
 */
static uint32_t kernel_read_a(const struct sock_filter *body, size_t n, const uint64_t args[6], const char *what)
{
	uint32_t v = 0;

	for (unsigned shift = 0; shift < 32; shift += 12) {
		struct sock_filter p[48];
		size_t m = n;
		uint32_t ret;

		memcpy(p, body, n * sizeof(*body));
		if (shift)
			p[m++] = stmt(BPF_ALU | BPF_RSH | BPF_K, shift);
		p[m++] = stmt(BPF_ALU | BPF_AND | BPF_K, 0xfff);
		p[m++] = stmt(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO);
		p[m++] = stmt(BPF_RET | BPF_A, 0);
		ret = kernel_vs_sim(p, m, args, what);
		v |= (ret & 0xfff) << shift;
	}
	return v;
}

static const uint64_t no_args[6];

TEST(kernel_agrees_on_validity)
{
	struct sock_filter *big = counting_prog(BPF_MAXINSNS + 1);
	struct sock_filter one[] = { RET_ALLOW };
	const char *why = kernel_unavailable();

	if (why) {
		free(big);
		SKIP(why);
	}
	for (size_t i = 0; i < N_ELEMS(bad_progs); i++)
		CHECK_MSG(kernel_accepts(bad_progs[i].prog, bad_progs[i].len) == 0, "kernel did not refuse %s",
			  bad_progs[i].name);
	for (size_t i = 0; i < N_ELEMS(good_progs); i++)
		CHECK_MSG(kernel_accepts(good_progs[i].prog, good_progs[i].len) == 1, "kernel did not accept %s",
			  good_progs[i].name);
	CHECK_INT_EQ(kernel_accepts(one, 0), 0);
	CHECK(big != NULL);
	if (big) {
		CHECK_INT_EQ(kernel_accepts(big + 1, BPF_MAXINSNS), 1);
		CHECK_INT_EQ(kernel_accepts(big, BPF_MAXINSNS + 1), 0);
	}
	free(big);
}

TEST(kernel_agrees_on_alu)
{
	const char *why = kernel_unavailable();

	if (why)
		SKIP(why);
	for (size_t i = 0; i < N_ELEMS(alu_cases); i++) {
		const struct alu_case *c = &alu_cases[i];
		struct sock_filter p[4];
		char what[64];
		size_t n = alu_prefix(p, c);
		uint32_t v;

		snprintf(what, sizeof(what), "alu case %zu", i);
		v = kernel_read_a(p, n, no_args, what);
		CHECK_MSG(v == c->want, "%s: kernel computed %#x, want %#x", what, v, c->want);
	}
}

TEST(kernel_agrees_on_jumps)
{
	const char *why = kernel_unavailable();

	if (why)
		SKIP(why);
	for (size_t i = 0; i < N_ELEMS(jmp_cases); i++) {
		struct sock_filter p[5];
		char what[64];
		size_t n = jmp_prog(p, &jmp_cases[i], SECCOMP_RET_ERRNO | 2, SECCOMP_RET_ERRNO | 1);
		uint32_t ret;

		snprintf(what, sizeof(what), "jump case %zu", i);
		ret = kernel_vs_sim(p, n, no_args, what);
		CHECK_MSG(ret == (SECCOMP_RET_ERRNO | (jmp_cases[i].taken ? 2u : 1u)), "%s: got %#x", what, ret);
	}
	for (size_t i = 0; i < N_ELEMS(classify_cases); i++) {
		struct sock_filter p[16];
		uint64_t args[6] = { classify_cases[i].arg0 };
		size_t n = classifier(p, SECCOMP_RET_ERRNO);
		uint32_t ret;

		ret = kernel_vs_sim(p, n, args, "classifier");
		CHECK_INT_EQ(ret, SECCOMP_RET_ERRNO | classify_cases[i].want);
	}
}

TEST(kernel_agrees_on_loads_and_memory)
{
	const char *why = kernel_unavailable();
	struct seccomp_data want = sample_data();
	struct sock_filter p[24];
	uint64_t args[6];
	size_t n;
	uint32_t v;

	if (why)
		SKIP(why);
	memcpy(args, want.args, sizeof(args));
	/* nr and arch are the real ones; ip is unknown and not compared. */
	want.nr = SYS_getppid;
	want.arch = seccomp_arch_native();
	for (unsigned off = 0; off < sizeof(struct seccomp_data); off += 4) {
		char what[64];

		if (off == 8 || off == 12)
			continue;
		snprintf(what, sizeof(what), "load at %u", off);
		p[0] = stmt(BPF_LD | BPF_W | BPF_ABS, off);
		v = kernel_read_a(p, 1, args, what);
		CHECK_MSG(v == field_word(&want, off), "%s: kernel loaded %#x, want %#x", what, v,
			  field_word(&want, off));
	}

	p[0] = stmt(BPF_LD | BPF_W | BPF_LEN, 0);
	CHECK_INT_EQ(kernel_read_a(p, 1, no_args, "len"), 64);

	n = scratch_prog(p);
	CHECK_INT_EQ(kernel_read_a(p, n, no_args, "scratch"), 38);
}

TEST(kernel_agrees_on_div_by_x_zero)
{
	const char *why = kernel_unavailable();
	struct sock_filter p[] = { stmt(BPF_LD | BPF_IMM, 5), stmt(BPF_LDX | BPF_IMM, 0), stmt(BPF_ALU | BPF_DIV | BPF_X, 0),
				   stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 7) };

	if (why)
		SKIP(why);
	/* The simulator says 0, KILL_THREAD: the child must die of SIGSYS. */
	CHECK_INT_EQ(kernel_vs_sim(p, N_ELEMS(p), no_args, "div by X = 0"), 0);
}

/* ------------------------------------------------------------------------
 * Filters generated by libseccomp.
 * ------------------------------------------------------------------------ */

struct rule_spec {
	const char *name;
	uint32_t action;
	int arg; /* -1: no condition */
	enum scmp_compare op;
	uint64_t a, b; /* datum; for MASKED_EQ mask (a) and value (b) */
};

#define DEFAULT_ACTION SCMP_ACT_ERRNO(EPERM)

static const struct rule_spec rules[] = {
	{ "read", SCMP_ACT_ALLOW, -1, 0, 0, 0 },
	{ "openat", SCMP_ACT_ERRNO(EACCES), -1, 0, 0, 0 },
	{ "close", SCMP_ACT_TRAP, -1, 0, 0, 0 },
	{ "getpid", SCMP_ACT_LOG, -1, 0, 0, 0 },
	{ "kill", SCMP_ACT_KILL_THREAD, -1, 0, 0, 0 },
	{ "write", SCMP_ACT_ALLOW, 0, SCMP_CMP_EQ, 1, 0 },
	{ "lseek", SCMP_ACT_ERRNO(EINVAL), 1, SCMP_CMP_EQ, 0x100000000ULL, 0 },
	{ "ioctl", SCMP_ACT_ERRNO(ENOTTY), 1, SCMP_CMP_GT, 0x100000000ULL, 0 },
	{ "madvise", SCMP_ACT_ERRNO(ENOMEM), 2, SCMP_CMP_GE, 0x200000000ULL, 0 },
	{ "prctl", SCMP_ACT_ALLOW, 0, SCMP_CMP_LT, 0x100000000ULL, 0 },
	{ "mprotect", SCMP_ACT_ERRNO(EFAULT), 2, SCMP_CMP_LE, 0x100000005ULL, 0 },
	{ "dup3", SCMP_ACT_ERRNO(EBUSY), 2, SCMP_CMP_NE, 0x8000000000000000ULL, 0 },
	{ "fcntl", SCMP_ACT_ERRNO(EOVERFLOW), 1, SCMP_CMP_MASKED_EQ, 0xff000000000000ffULL, 0x1200000000000034ULL },
};

/* Values around every datum and mask boundary above. */
static const uint64_t probe_values[] = {
	0,
	1,
	5,
	6,
	0x34,
	0xffffffffULL,
	0x100000000ULL,
	0x100000001ULL,
	0x100000005ULL,
	0x100000006ULL,
	0x100000034ULL,
	0x1ffffffffULL,
	0x200000000ULL,
	0x200000001ULL,
	0xffffffff00000000ULL,
	0x8000000000000000ULL,
	0x8000000000000001ULL,
	0xffffffffffffffffULL,
	0x1200000000000034ULL,
	0x12ffffffffffff34ULL,
	0x1300000000000034ULL,
	0x1200000000000035ULL,
};

/* What a rule means, in plain C. */
static bool ref_match(enum scmp_compare op, uint64_t v, uint64_t a, uint64_t b)
{
	switch (op) {
	case SCMP_CMP_NE:
		return v != a;
	case SCMP_CMP_LT:
		return v < a;
	case SCMP_CMP_LE:
		return v <= a;
	case SCMP_CMP_EQ:
		return v == a;
	case SCMP_CMP_GE:
		return v >= a;
	case SCMP_CMP_GT:
		return v > a;
	case SCMP_CMP_MASKED_EQ:
		return (v & a) == b;
	default:
		return false;
	}
}

/*
 * On 32-bit architectures libseccomp compares only the low words: both the
 * argument (the kernel's args are 32-bit there anyway) and, surprisingly,
 * the 64-bit datum, which it truncates.  So "a1 == 0x100000000" on x86
 * matches a1 == 0.  This models that.
 */
static bool ref_match_arch(const struct rule_spec *r, uint64_t v, bool wide)
{
	if (wide)
		return ref_match(r->op, v, r->a, r->b);
	return ref_match(r->op, (uint32_t)v, (uint32_t)r->a, (uint32_t)r->b);
}

static int add_rule(scmp_filter_ctx ctx, const struct rule_spec *r)
{
	/* Native number: libseccomp translates it for each arch by name. */
	int nr = seccomp_syscall_resolve_name(r->name);
	struct scmp_arg_cmp cmp;

	if (nr == __NR_SCMP_ERROR)
		return -ENOENT;
	if (r->arg < 0)
		return seccomp_rule_add(ctx, r->action, nr, 0);
	cmp = (struct scmp_arg_cmp){ .arg = (unsigned)r->arg, .op = r->op, .datum_a = r->a, .datum_b = r->b };
	return seccomp_rule_add_array(ctx, r->action, nr, 1, &cmp);
}

/* A filter for exactly `arches`, bad-arch action KILL_PROCESS. */
static scmp_filter_ctx build_filter(uint32_t def_action, const uint32_t *arches, size_t narches,
				    const struct rule_spec *rs, size_t nrules)
{
	scmp_filter_ctx ctx;
	uint32_t native = seccomp_arch_native();
	bool keep_native = false;

	/*
	 * Where seccomp() is hidden (old kernel, or a sandbox around the
	 * tests) libseccomp detects API level 1 and refuses KILL_PROCESS and
	 * LOG.  The exported program does not depend on the running kernel,
	 * so claim level 3; the kernel tests skip there anyway.
	 */
	if (seccomp_api_get() < 3 && seccomp_api_set(3) < 0)
		return NULL;
	ctx = seccomp_init(def_action);
	if (!ctx)
		return NULL;
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) < 0)
		goto fail;
	/* Arches first: a rule only lands in the arches present when it is
	 * added. */
	for (size_t i = 0; i < narches; i++) {
		if (arches[i] == native)
			keep_native = true;
		else if (seccomp_arch_add(ctx, arches[i]) < 0)
			goto fail;
	}
	if (!keep_native && seccomp_arch_remove(ctx, native) < 0)
		goto fail;
	for (size_t i = 0; i < nrules; i++) {
		int rc = add_rule(ctx, &rs[i]);

		if (rc < 0) {
			fprintf(stderr, "  rule for %s: %s\n", rs[i].name, strerror(-rc));
			goto fail;
		}
	}
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

/* The filter as the kernel would receive it. */
static struct sock_filter *export_filter(scmp_filter_ctx ctx, size_t *len)
{
	struct sock_filter *prog = NULL;
	int fd = memfd_create("stockade-sim-test", MFD_CLOEXEC);
	off_t size;

	*len = 0;
	if (fd < 0)
		return NULL;
	if (seccomp_export_bpf(ctx, fd) < 0)
		goto out;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(*prog))
		goto out;
	prog = malloc((size_t)size);
	if (prog && pread(fd, prog, (size_t)size, 0) != size) {
		free(prog);
		prog = NULL;
	}
	if (prog)
		*len = (size_t)size / sizeof(*prog);
out:
	close(fd);
	return prog;
}

static struct sock_filter *build_and_export(const uint32_t *arches, size_t narches, size_t *len)
{
	scmp_filter_ctx ctx = build_filter(DEFAULT_ACTION, arches, narches, rules, N_ELEMS(rules));
	struct sock_filter *prog;

	*len = 0;
	if (!ctx)
		return NULL;
	prog = export_filter(ctx, len);
	seccomp_release(ctx);
	return prog;
}

static uint32_t sim_ret(const struct sock_filter *prog, size_t len, const struct seccomp_data *d)
{
	struct sk_sim_result r;

	if (sk_sim_run(prog, len, d, &r) < 0) {
		CHECK_MSG(false, "simulator refused a libseccomp filter");
		return 0xffffffff;
	}
	CHECK(r.executed >= 1 && r.executed <= len);
	return r.ret;
}

static int resolve(uint32_t arch, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, name);

	CHECK_MSG(nr >= 0, "%s unknown on arch %#x", name, arch);
	return nr;
}

/* Every rule, every probe value, on one arch of a filter. */
static void check_rules_on_arch(const struct sock_filter *prog, size_t len, uint32_t arch, bool wide)
{
	/* Garbage in the arguments a rule does not look at. */
	const uint64_t filler = 0xdeadbeefcafef00dULL;

	for (size_t i = 0; i < N_ELEMS(rules); i++) {
		const struct rule_spec *r = &rules[i];
		struct seccomp_data d = mkdata(resolve(arch, r->name), arch);

		for (int j = 0; j < 6; j++)
			d.args[j] = filler;
		if (r->arg < 0) {
			uint32_t got = sim_ret(prog, len, &d);

			CHECK_MSG(got == r->action, "arch %#x %s: got %#x want %#x", arch, r->name, got, r->action);
			continue;
		}
		for (size_t j = 0; j < N_ELEMS(probe_values); j++) {
			uint64_t v = probe_values[j];
			uint32_t want = ref_match_arch(r, v, wide) ? r->action : DEFAULT_ACTION;
			uint32_t got;

			d.args[r->arg] = v;
			got = sim_ret(prog, len, &d);
			CHECK_MSG(got == want, "arch %#x %s(a%d = %#llx): got %#x want %#x", arch, r->name, r->arg,
				  (unsigned long long)v, got, want);
		}
	}

	/* A syscall no rule names gets the default action. */
	struct seccomp_data d = mkdata(resolve(arch, "getppid"), arch);

	CHECK_INT_EQ(sim_ret(prog, len, &d), DEFAULT_ACTION);
}

TEST(libseccomp_syscall_numbers)
{
	/* Independent of libseccomp: the ABI tables, spelled out, so that the
	 * per-arch tests below are not trusting a broken resolver. */
	CHECK_INT_EQ(seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, "read"), 0);
	CHECK_INT_EQ(seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, "openat"), 257);
	CHECK_INT_EQ(seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, "read"), 63);
	CHECK_INT_EQ(seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, "openat"), 56);
	CHECK_INT_EQ(seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, "read"), 3);
	CHECK_INT_EQ(seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, "openat"), 295);
	/* SCMP_ARCH_* tokens are the kernel's AUDIT_ARCH_* values. */
	CHECK_INT_EQ(SCMP_ARCH_X86_64, AUDIT_ARCH_X86_64);
	CHECK_INT_EQ(SCMP_ARCH_AARCH64, AUDIT_ARCH_AARCH64);
	CHECK_INT_EQ(SCMP_ARCH_X86, AUDIT_ARCH_I386);
}

TEST(libseccomp_x86_64_rules)
{
	const uint32_t arches[] = { SCMP_ARCH_X86_64 };
	size_t len;
	struct sock_filter *prog = build_and_export(arches, N_ELEMS(arches), &len);

	CHECK(prog != NULL);
	if (!prog)
		return;
	CHECK_INT_EQ(sk_sim_check(prog, len), 0);
	check_rules_on_arch(prog, len, SCMP_ARCH_X86_64, true);

	/* Exact return values, spelled out once. */
	struct seccomp_data d = mkdata(257, AUDIT_ARCH_X86_64); /* openat */

	CHECK_INT_EQ(sim_ret(prog, len, &d), 0x0005000d); /* ERRNO(EACCES) */
	d.nr = 3;					   /* close */
	CHECK_INT_EQ(sim_ret(prog, len, &d), 0x00030000); /* TRAP */
	d.nr = 62;					   /* kill */
	CHECK_INT_EQ(sim_ret(prog, len, &d), 0x00000000); /* KILL_THREAD */
	d.nr = 8;					   /* lseek(_, 1 << 32) */
	d.args[1] = 0x100000000ULL;
	CHECK_INT_EQ(sim_ret(prog, len, &d), 0x00050016); /* ERRNO(EINVAL) */
	d.args[1] = 0;
	CHECK_INT_EQ(sim_ret(prog, len, &d), 0x00050001); /* default ERRNO(EPERM) */
	free(prog);
}

TEST(libseccomp_three_arches)
{
	const uint32_t arches[] = { SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, SCMP_ARCH_X86 };
	size_t len;
	struct sock_filter *prog = build_and_export(arches, N_ELEMS(arches), &len);

	CHECK(prog != NULL);
	if (!prog)
		return;
	CHECK_INT_EQ(sk_sim_check(prog, len), 0);
	check_rules_on_arch(prog, len, SCMP_ARCH_X86_64, true);
	check_rules_on_arch(prog, len, SCMP_ARCH_AARCH64, true);
	check_rules_on_arch(prog, len, SCMP_ARCH_X86, false);

	/* An arch not in the filter: the bad-arch action. */
	struct seccomp_data d = mkdata(0, AUDIT_ARCH_ARM);

	CHECK_INT_EQ(sim_ret(prog, len, &d), SECCOMP_RET_KILL_PROCESS);
	/* The same number means different syscalls per arch: 63 is read on
	 * aarch64 (allowed) but uname on x86_64 (default). */
	d = mkdata(63, AUDIT_ARCH_AARCH64);
	CHECK_INT_EQ(sim_ret(prog, len, &d), SECCOMP_RET_ALLOW);
	d.arch = AUDIT_ARCH_X86_64;
	CHECK_INT_EQ(sim_ret(prog, len, &d), DEFAULT_ACTION);
	/* aarch64 has no x32-style split: a high number is just unknown. */
	d = mkdata(0x40000000 | 63, AUDIT_ARCH_AARCH64);
	CHECK_INT_EQ(sim_ret(prog, len, &d), DEFAULT_ACTION);
	free(prog);
}

TEST(libseccomp_x86_truncates_64bit_datums)
{
	/* Pins the surprising libseccomp behaviour modelled in
	 * ref_match_arch(): on x86 the rule "lseek a1 == 1 << 32" fires for
	 * lseek(fd, 0), a call a 64-bit arch lets through. */
	const uint32_t arches[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86 };
	size_t len;
	struct sock_filter *prog = build_and_export(arches, N_ELEMS(arches), &len);
	struct seccomp_data d;

	CHECK(prog != NULL);
	if (!prog)
		return;
	d = mkdata(19, AUDIT_ARCH_I386); /* lseek */
	CHECK_INT_EQ(sim_ret(prog, len, &d), SCMP_ACT_ERRNO(EINVAL));
	d = mkdata(8, AUDIT_ARCH_X86_64);
	CHECK_INT_EQ(sim_ret(prog, len, &d), DEFAULT_ACTION);
	/* "prctl a0 < 1 << 32" becomes "a0 < 0": never allowed on x86. */
	d = mkdata(172, AUDIT_ARCH_I386);
	d.args[0] = 1;
	CHECK_INT_EQ(sim_ret(prog, len, &d), DEFAULT_ACTION);
	d = mkdata(157, AUDIT_ARCH_X86_64);
	d.args[0] = 1;
	CHECK_INT_EQ(sim_ret(prog, len, &d), SCMP_ACT_ALLOW);
	free(prog);
}

TEST(libseccomp_bad_arch_and_x32)
{
	const uint32_t x86_64[] = { SCMP_ARCH_X86_64 };
	const uint32_t both[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X32 };
	const uint32_t x32[] = { SCMP_ARCH_X32 };
	size_t len;
	struct sock_filter *prog = build_and_export(x86_64, N_ELEMS(x86_64), &len);
	struct seccomp_data d;
	struct sk_sim_result r;
	const uint32_t other_arches[] = { AUDIT_ARCH_AARCH64, AUDIT_ARCH_I386, AUDIT_ARCH_ARM, 0, 0xffffffff };

	CHECK(prog != NULL);
	if (!prog)
		return;
	/* Wrong arch: load arch, compare, return. */
	for (size_t i = 0; i < N_ELEMS(other_arches); i++) {
		d = mkdata(0, other_arches[i]);
		CHECK_INT_EQ(sk_sim_run(prog, len, &d, &r), 0);
		CHECK_MSG(r.ret == SECCOMP_RET_KILL_PROCESS, "arch %#x: got %#x", other_arches[i], r.ret);
		CHECK_INT_EQ(r.executed, 3);
	}
	/* x32 syscalls (same AUDIT_ARCH, bit 30 set in nr) on an x86_64-only
	 * filter: libseccomp sends every nr >= 0x40000000 to the bad-arch
	 * action, even where the low bits name an allowed syscall... */
	d = mkdata(0x40000000 | 0, AUDIT_ARCH_X86_64); /* x32 read */
	CHECK_INT_EQ(sim_ret(prog, len, &d), SECCOMP_RET_KILL_PROCESS);
	d.nr = 0x40000000 | 257; /* x32 openat */
	CHECK_INT_EQ(sim_ret(prog, len, &d), SECCOMP_RET_KILL_PROCESS);
	d.nr = 0x7fffffff;
	CHECK_INT_EQ(sim_ret(prog, len, &d), SECCOMP_RET_KILL_PROCESS);
	d.nr = (int)0x80000000; /* the comparison is unsigned */
	CHECK_INT_EQ(sim_ret(prog, len, &d), SECCOMP_RET_KILL_PROCESS);
	/* ...except nr == -1, which the kernel uses for "skip this syscall":
	 * it falls through to the default action. */
	d.nr = -1;
	CHECK_INT_EQ(sim_ret(prog, len, &d), DEFAULT_ACTION);
	d.nr = 0; /* native read still allowed */
	CHECK_INT_EQ(sim_ret(prog, len, &d), SECCOMP_RET_ALLOW);
	free(prog);

	/* With x32 in the filter too, x32 numbers get their own rules and an
	 * unknown one the default action instead of bad-arch. */
	prog = build_and_export(both, N_ELEMS(both), &len);
	CHECK(prog != NULL);
	if (!prog)
		return;
	d = mkdata(resolve(SCMP_ARCH_X32, "read"), AUDIT_ARCH_X86_64);
	CHECK_INT_EQ(d.nr, 0x40000000);
	CHECK_INT_EQ(sim_ret(prog, len, &d), SECCOMP_RET_ALLOW);
	d.nr = resolve(SCMP_ARCH_X32, "openat");
	CHECK_INT_EQ(sim_ret(prog, len, &d), SCMP_ACT_ERRNO(EACCES));
	d.nr = resolve(SCMP_ARCH_X32, "getppid");
	CHECK_INT_EQ(sim_ret(prog, len, &d), DEFAULT_ACTION);
	d.nr = 0;
	CHECK_INT_EQ(sim_ret(prog, len, &d), SECCOMP_RET_ALLOW);
	free(prog);

	/* An x32-only filter turns it around: native numbers are bad-arch. */
	prog = build_and_export(x32, N_ELEMS(x32), &len);
	CHECK(prog != NULL);
	if (!prog)
		return;
	d = mkdata(0, AUDIT_ARCH_X86_64);
	CHECK_INT_EQ(sim_ret(prog, len, &d), SECCOMP_RET_KILL_PROCESS);
	d.nr = 0x40000000;
	CHECK_INT_EQ(sim_ret(prog, len, &d), SECCOMP_RET_ALLOW);
	free(prog);
}

TEST(libseccomp_arch_added_late_gets_no_rules)
{
	/* Why build_filter() adds arches first: libseccomp does not replay
	 * earlier rules into an arch added later, silently. */
	scmp_filter_ctx ctx = seccomp_init(DEFAULT_ACTION);
	struct sock_filter *prog = NULL;
	struct seccomp_data d;
	size_t len = 0;

	CHECK(ctx != NULL);
	if (!ctx)
		return;
	if (seccomp_arch_native() == SCMP_ARCH_AARCH64) {
		seccomp_release(ctx);
		SKIP("needs a native arch other than aarch64");
	}
	CHECK_INT_EQ(add_rule(ctx, &rules[0]), 0); /* read: allow */
	CHECK_INT_EQ(seccomp_arch_add(ctx, SCMP_ARCH_AARCH64), 0);
	prog = export_filter(ctx, &len);
	seccomp_release(ctx);
	CHECK(prog != NULL);
	if (!prog)
		return;
	d = mkdata(resolve(seccomp_arch_native(), "read"), seccomp_arch_native());
	CHECK_INT_EQ(sim_ret(prog, len, &d), SECCOMP_RET_ALLOW);
	d = mkdata(resolve(SCMP_ARCH_AARCH64, "read"), SCMP_ARCH_AARCH64);
	CHECK_INT_EQ(sim_ret(prog, len, &d), DEFAULT_ACTION);
	free(prog);
}

/* ------------------------------------------------------------------------
 * A libseccomp filter, loaded for real, against the simulator.
 * ------------------------------------------------------------------------ */

struct probe {
	long nr;
	uint64_t args[6];
	int want_errno; /* 0: allowed */
};

struct probe_result {
	long ret;
	int err;
};

static struct probe_result do_probe(const struct probe *p)
{
	struct probe_result r;

	errno = 0;
	r.ret = syscall(p->nr, p->args[0], p->args[1], p->args[2], p->args[3], p->args[4], p->args[5]);
	r.err = r.ret == -1 ? errno : 0;
	return r;
}

TEST(kernel_matches_libseccomp_filter)
{
	/* Allowed calls fail harmlessly on their own (closed fds, fd -1). */
	static const struct rule_spec krules[] = {
		{ "getppid", SCMP_ACT_ERRNO(61), -1, 0, 0, 0 },
		{ "dup", SCMP_ACT_ERRNO(62), 0, SCMP_CMP_EQ, 1000, 0 },
		{ "lseek", SCMP_ACT_ERRNO(63), 1, SCMP_CMP_EQ, 0x100000000ULL, 0 },
		{ "fcntl", SCMP_ACT_ERRNO(64), 1, SCMP_CMP_MASKED_EQ, 0xff00000000000000ULL, 0x1200000000000000ULL },
		{ "getpgid", SCMP_ACT_ERRNO(65), 0, SCMP_CMP_GT, 0x100000000ULL, 0 },
	};
	static const struct probe probes[] = {
		{ SYS_getppid, { 0 }, 61 },
		{ SYS_dup, { 1000 }, 62 },
		{ SYS_dup, { 1001 }, 0 },
		{ SYS_dup, { 1000 | (1ULL << 32) }, 0 }, /* same fd to the kernel, other value to the filter */
		{ SYS_lseek, { ~0ULL, 0x100000000ULL }, 63 },
		{ SYS_lseek, { ~0ULL, 0 }, 0 },
		{ SYS_lseek, { ~0ULL, 0x100000001ULL }, 0 },
		{ SYS_lseek, { ~0ULL, 0x200000000ULL }, 0 },
		{ SYS_fcntl, { ~0ULL, 0x1200000000000000ULL }, 64 },
		{ SYS_fcntl, { ~0ULL, 0x12ffffffffffffffULL }, 64 },
		{ SYS_fcntl, { ~0ULL, 0x1300000000000000ULL }, 0 },
		{ SYS_fcntl, { ~0ULL, 1 }, 0 },
		{ SYS_getpgid, { 0x100000001ULL }, 65 },
		{ SYS_getpgid, { 0x200000000ULL }, 65 },
		{ SYS_getpgid, { 0x100000000ULL }, 0 },
		{ SYS_getpgid, { 0xffffffffULL }, 0 },
	};
	const uint32_t native[] = { seccomp_arch_native() };
	const char *why = kernel_unavailable();
	struct probe_result pre[N_ELEMS(probes)], post[N_ELEMS(probes)];
	scmp_filter_ctx ctx;
	struct sock_filter *prog;
	size_t len;
	int fds[2], status;
	ssize_t got1, got2;
	pid_t pid;

	if (why)
		SKIP(why);
	ctx = build_filter(SCMP_ACT_ALLOW, native, 1, krules, N_ELEMS(krules));
	CHECK(ctx != NULL);
	if (!ctx)
		return;
	prog = export_filter(ctx, &len);
	CHECK(prog != NULL);
	if (!prog) {
		seccomp_release(ctx);
		return;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		CHECK_MSG(false, "pipe2: %s", strerror(errno));
		goto out;
	}
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		close(1000);
		close(1001);
		for (size_t i = 0; i < N_ELEMS(probes); i++)
			pre[i] = do_probe(&probes[i]);
		child_prepare();
		if (seccomp_load(ctx) < 0)
			_exit(CHILD_SETUP_FAILED);
		for (size_t i = 0; i < N_ELEMS(probes); i++)
			post[i] = do_probe(&probes[i]);
		if (write(fds[1], pre, sizeof(pre)) != (ssize_t)sizeof(pre) ||
		    write(fds[1], post, sizeof(post)) != (ssize_t)sizeof(post))
			_exit(CHILD_SETUP_FAILED);
		_exit(0);
	}
	close(fds[1]);
	got1 = read(fds[0], pre, sizeof(pre));
	got2 = read(fds[0], post, sizeof(post));
	close(fds[0]);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(got1 == (ssize_t)sizeof(pre) && got2 == (ssize_t)sizeof(post));
	if (got1 != (ssize_t)sizeof(pre) || got2 != (ssize_t)sizeof(post))
		goto out;

	for (size_t i = 0; i < N_ELEMS(probes); i++) {
		const struct probe *p = &probes[i];
		struct seccomp_data d = mkdata((int)p->nr, native[0]);
		struct probe_result predicted;
		uint32_t ret;

		memcpy(d.args, p->args, sizeof(d.args));
		ret = sim_ret(prog, len, &d);
		/* The simulator against the rule's meaning... */
		CHECK_MSG(ret == (p->want_errno ? SCMP_ACT_ERRNO((uint32_t)p->want_errno) : SCMP_ACT_ALLOW),
			  "probe %zu (nr %ld): simulator says %#x", i, p->nr, ret);
		/* ...and against what the kernel did. */
		if ((ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
			predicted = (struct probe_result){ -1, (int)(ret & SECCOMP_RET_DATA) };
		else
			predicted = pre[i];
		CHECK_MSG(post[i].ret == predicted.ret && post[i].err == predicted.err,
			  "probe %zu (nr %ld): kernel gave %ld/errno %d, simulator predicted %ld/errno %d", i, p->nr,
			  post[i].ret, post[i].err, predicted.ret, predicted.err);
	}
out:
	seccomp_release(ctx);
	free(prog);
}
