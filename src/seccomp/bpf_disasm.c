/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The generated filter as a listing for review.
 *
 * Why a listing of the program rather than a rendering of the rules: the
 * program is what the kernel runs, so a reviewer who reads it reads the
 * truth, including what the generator's rewrites made of the rules
 * (bpf_gen.c).  It replaces libseccomp's pseudo-filter code, which showed
 * libseccomp's own compilation of the rules: a second compiler, one that
 * mis-merges some rule sets and never returns on others.
 *
 * Instructions are decoded by sim.c's table (sk_bpf_op), the one the
 * checker uses.  Operands are named from what the accumulator holds, which
 * a single forward pass works out (jumps only go forward): the word of
 * struct seccomp_data last loaded, and the architecture that the path to
 * the instruction has compared equal, so that syscall numbers are named on
 * the architecture whose code they are in.
 */
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "seccomp/bpf_disasm.h"
#include "seccomp/seccomp.h"
#include "seccomp/sim.h"

#define X32_SYSCALL_BIT 0x40000000u

/* What the accumulator holds. */
enum acc {
	ACC_OTHER = 0, /* a constant, a computed value, or not the same on every path */
	ACC_ARCH,
	ACC_NR,
	ACC_IP,	 /* instruction_pointer, the word `hi` says */
	ACC_ARG, /* args[arg], the word `hi` says */
};

struct state {
	bool reached;
	enum acc acc;
	uint8_t arg;
	bool hi;	/* the high 32 bits of a 64-bit field */
	uint32_t arch;	/* AUDIT_ARCH_* the path compared equal, or 0 */
};

static void meet(struct state *into, const struct state *s)
{
	if (!into->reached) {
		*into = *s;
		into->reached = true;
		return;
	}
	if (into->acc != s->acc || into->arg != s->arg || into->hi != s->hi)
		into->acc = ACC_OTHER;
	if (into->arch != s->arch)
		into->arch = 0;
}

/* The field at offset k of struct seccomp_data, loaded as it sits in
 * memory: which word of a 64-bit field is the high one is the host's. */
static void load_abs(struct state *s, uint32_t k)
{
	const uint32_t ip = offsetof(struct seccomp_data, instruction_pointer);
	const uint32_t args = offsetof(struct seccomp_data, args);
	bool second = k % 8 == 4;

	s->arg = 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s->hi = second;
#else
	s->hi = !second;
#endif
	if (k == offsetof(struct seccomp_data, nr))
		s->acc = ACC_NR;
	else if (k == offsetof(struct seccomp_data, arch))
		s->acc = ACC_ARCH;
	else if (k >= ip && k < args)
		s->acc = ACC_IP;
	else if (k >= args && k < sizeof(struct seccomp_data))
		s->acc = ACC_ARG, s->arg = (uint8_t)((k - args) / 8);
	else
		s->acc = ACC_OTHER;
}

/* The state after instruction `f`, along one edge (taken: the jump's test
 * held). */
static struct state step(const struct sock_filter *f, const struct sk_bpf_op *op, struct state s, bool taken)
{
	switch (f->code) {
	case BPF_LD | BPF_W | BPF_ABS:
		load_abs(&s, f->k);
		return s;
	case BPF_JMP | BPF_JEQ | BPF_K:
		if (s.acc == ACC_ARCH && taken)
			s.arch = f->k;
		return s;
	default:
		break;
	}
	/* Anything else that writes A leaves something the listing does not
	 * name; jumps, stores and X leave it alone. */
	if (op->cond || BPF_CLASS(f->code) == BPF_JMP || BPF_CLASS(f->code) == BPF_ST ||
	    BPF_CLASS(f->code) == BPF_STX || BPF_CLASS(f->code) == BPF_LDX || f->code == (BPF_MISC | BPF_TAX))
		return s;
	s.acc = ACC_OTHER;
	return s;
}

static void arch_text(uint32_t audit_arch, char *buf, size_t size)
{
	/* SCMP_ARCH_* tokens are the kernel's AUDIT_ARCH_* values; x32 calls
	 * report x86_64's, with the x32 bit in the number. */
	const char *name = audit_arch == SCMP_ARCH_ARM ? "arm" : audit_arch ? stockade_arch_name(audit_arch) : NULL;

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "0x%x", audit_arch);
}

/* A syscall number as compared on `audit_arch` (0: not known here). */
static void nr_text(uint32_t audit_arch, uint16_t code, uint32_t k, char *buf, size_t size)
{
	uint32_t token = audit_arch;
	char *name = NULL;

	if (k == 0xffffffffu) {
		/* What a tracer that skips the call leaves there. */
		snprintf(buf, size, "-1");
		return;
	}
	if (audit_arch == AUDIT_ARCH_X86_64 && k >= X32_SYSCALL_BIT) {
		if (k == X32_SYSCALL_BIT && BPF_OP(code) == BPF_JGE) {
			snprintf(buf, size, "0x%x (x32 numbers)", k);
			return;
		}
		token = SCMP_ARCH_X32;
	}
	if (token)
		name = sk_syscall_name(token, (int)k);
	if (token == SCMP_ARCH_X32)
		snprintf(buf, size, "0x%x+%u", X32_SYSCALL_BIT, k & ~X32_SYSCALL_BIT);
	else
		snprintf(buf, size, "%u", k);
	if (name) {
		size_t n = strlen(buf);

		snprintf(buf + n, size - n, " (%s)", name);
	}
	free(name);
}

/* A SECCOMP_RET_* value as the action it is. */
static void ret_text(uint32_t k, char *buf, size_t size)
{
	uint32_t data = k & SECCOMP_RET_DATA;
	const char *name = NULL, *e;

	switch (k & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		name = "KILL_PROCESS";
		break;
	case SECCOMP_RET_KILL_THREAD:
		name = "KILL_THREAD";
		break;
	case SECCOMP_RET_TRAP:
		snprintf(buf, size, data ? "TRAP(%u)" : "TRAP", data);
		return;
	case SECCOMP_RET_ERRNO:
		if ((e = sk_errno_name((int)data)))
			snprintf(buf, size, "ERRNO(%s)", e);
		else
			snprintf(buf, size, "ERRNO(%u)", data);
		return;
	case SECCOMP_RET_USER_NOTIF:
		name = "USER_NOTIF";
		break;
	case SECCOMP_RET_TRACE:
		snprintf(buf, size, "TRACE(%u)", data);
		return;
	case SECCOMP_RET_LOG:
		name = "LOG";
		break;
	case SECCOMP_RET_ALLOW:
		name = "ALLOW";
		break;
	default:
		/* The kernel treats unknown actions as KILL_PROCESS. */
		snprintf(buf, size, "0x%08x (unknown: KILL_PROCESS)", k);
		return;
	}
	/* These actions ignore their data; show it when it is there. */
	if (data)
		snprintf(buf, size, "%s (0x%08x)", name, k);
	else
		snprintf(buf, size, "%s", name);
}

static void field_text(const struct state *s, uint32_t k, char *buf, size_t size)
{
	switch (s->acc) {
	case ACC_ARCH:
		snprintf(buf, size, "[arch]");
		break;
	case ACC_NR:
		snprintf(buf, size, "[nr]");
		break;
	case ACC_IP:
		snprintf(buf, size, "[ip %s]", s->hi ? "hi" : "lo");
		break;
	case ACC_ARG:
		snprintf(buf, size, "[arg%u %s]", s->arg, s->hi ? "hi" : "lo");
		break;
	default:
		snprintf(buf, size, "[%u]", k);
		break;
	}
}

/* Masks read best in hex, small numbers (flags values, families, lengths)
 * in decimal. */
static bool bitwise(uint16_t code)
{
	switch (code) {
	case BPF_JMP | BPF_JSET | BPF_K:
	case BPF_ALU | BPF_AND | BPF_K:
	case BPF_ALU | BPF_OR | BPF_K:
	case BPF_ALU | BPF_XOR | BPF_K:
		return true;
	default:
		return false;
	}
}

/* The operand of `f`; `s` is the state before it (what A holds). */
static void operand_text(const struct sock_filter *f, const struct sk_bpf_op *op, const struct state *s,
			 char *buf, size_t size)
{
	struct state after;

	switch (op->operand) {
	case SK_BPF_NONE:
		snprintf(buf, size, "%s", f->code == (BPF_RET | BPF_A) ? "A" : "");
		return;
	case SK_BPF_X:
		snprintf(buf, size, "X");
		return;
	case SK_BPF_LEN:
		snprintf(buf, size, "len");
		return;
	case SK_BPF_MEM:
		snprintf(buf, size, "M[%u]", f->k);
		return;
	case SK_BPF_ABS:
		after = *s;
		load_abs(&after, f->k);
		field_text(&after, f->k, buf, size);
		return;
	case SK_BPF_K:
		break;
	}
	if (BPF_CLASS(f->code) == BPF_RET)
		ret_text(f->k, buf, size);
	else if (op->cond && BPF_OP(f->code) != BPF_JSET && s->acc == ACC_ARCH)
		arch_text(f->k, buf, size);
	else if (op->cond && BPF_OP(f->code) != BPF_JSET && s->acc == ACC_NR)
		nr_text(s->arch, f->code, f->k, buf, size);
	else if (f->k < (bitwise(f->code) ? 10u : 4096u))
		snprintf(buf, size, "%u", f->k);
	else
		snprintf(buf, size, "0x%x", f->k);
}

static void target_text(size_t pc, uint32_t off, char *buf, size_t size)
{
	if (off == 0)
		snprintf(buf, size, "next");
	else
		snprintf(buf, size, "L%zu", pc + 1 + off);
}

static void header(struct sk_buf *b, size_t len, uint32_t arch, const char *policy)
{
	char a[32], name[128];
	size_t n = 0;

	arch_text(arch, a, sizeof(a));
	/* The policy's name is the policy author's text: a newline in it must
	 * not start a line of the listing that looks like an instruction. */
	for (const char *p = policy ? policy : "(unnamed)"; *p && n + 1 < sizeof(name); p++)
		name[n++] = (unsigned char)*p < 0x20 || *p == 0x7f || *p == '"' ? '?' : *p;
	name[n] = '\0';
	sk_buf_printf(b,
		      "# stockade seccomp filter: policy \"%s\", architecture %s, %zu instructions\n"
		      "#\n"
		      "# The classic-BPF program stockade generates for this policy: what\n"
		      "# `stockade run` loads in enforce mode and `stockade compile --format bpf`\n"
		      "# exports, one instruction a line: index, label where a jump lands,\n"
		      "# instruction.  [nr], [arch], [argN lo|hi] are words of struct\n"
		      "# seccomp_data; syscall numbers are named on the architecture the path\n"
		      "# has checked.  A conditional jump names where it goes when its test\n"
		      "# holds, then where it goes when not; \"next\" is the line below.\n"
		      "# `stockade explain SYSCALL` follows one call through it.\n"
		      "#\n",
		      name, a, len);
}

int sk_bpf_disasm(const struct sock_filter *prog, size_t len, uint32_t arch, const char *policy, char **text)
{
	_cleanup_free_ struct state *st = NULL;
	_cleanup_free_ bool *label = NULL;
	struct sk_buf b = { 0 };
	int ret;

	*text = NULL;
	/* Checked first: every jump below lands inside the program. */
	if ((ret = sk_sim_check(prog, len)) < 0)
		return ret;
	if (arch == 0)
		arch = seccomp_arch_native();
	st = calloc(len, sizeof(*st));
	label = calloc(len, sizeof(*label));
	if (!st || !label)
		return -ENOMEM;

	/* A starts at zero: ACC_OTHER, like any constant. */
	st[0].reached = true;
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		const struct sk_bpf_op *op = sk_bpf_op(f->code);
		struct state s = st[pc];

		if (op->cond) {
			struct state t = step(f, op, s, true), e = step(f, op, s, false);

			label[pc + 1 + f->jt] |= f->jt != 0;
			label[pc + 1 + f->jf] |= f->jf != 0;
			if (s.reached) {
				meet(&st[pc + 1 + f->jt], &t);
				meet(&st[pc + 1 + f->jf], &e);
			}
		} else if (f->code == (BPF_JMP | BPF_JA)) {
			label[pc + 1 + f->k] |= f->k != 0;
			if (s.reached)
				meet(&st[pc + 1 + f->k], &s);
		} else if (BPF_CLASS(f->code) != BPF_RET && s.reached) {
			struct state n = step(f, op, s, false);
			meet(&st[pc + 1], &n);
		}
	}

	header(&b, len, arch, policy);
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		const struct sk_bpf_op *op = sk_bpf_op(f->code);
		char lab[24] = "", opnd[96], jt[24], jf[24];

		if (label[pc])
			snprintf(lab, sizeof(lab), "L%zu:", pc);
		operand_text(f, op, &st[pc], opnd, sizeof(opnd));
		sk_buf_printf(&b, "%4zu %-6s ", pc, lab);
		if (op->cond) {
			target_text(pc, f->jt, jt, sizeof(jt));
			target_text(pc, f->jf, jf, sizeof(jf));
			sk_buf_printf(&b, "%-4s %-28s %-6s %s", op->name, opnd, jt, jf);
		} else if (f->code == (BPF_JMP | BPF_JA)) {
			target_text(pc, f->k, jt, sizeof(jt));
			sk_buf_printf(&b, "%-4s %s", op->name, jt);
		} else if (*opnd) {
			sk_buf_printf(&b, "%-4s %s", op->name, opnd);
		} else {
			sk_buf_printf(&b, "%s", op->name);
		}
		if (!st[pc].reached)
			sk_buf_printf(&b, "%s(unreachable)", *opnd || op->cond ? "  " : " ");
		sk_buf_printf(&b, "\n");
	}
	if (b.failed) {
		free(b.data);
		return -ENOMEM;
	}
	*text = b.data;
	return 0;
}

int stockade_plan_compile_pfc(const stockade_plan *plan, uint32_t arch, char **text, stockade_error **err)
{
	_cleanup_free_ struct sock_filter *prog = NULL;
	size_t n = 0;
	int ret;

	*text = NULL;
	if (arch == 0)
		arch = seccomp_arch_native();
	/* The very generator stockade_plan_compile_bpf() and loading use. */
	if ((ret = sk_bpf_generate(plan, arch, &prog, &n, err)) < 0)
		return ret;
	if ((ret = sk_bpf_disasm(prog, n, arch, plan->name, text)) < 0)
		return sk_error(err, -ret, "cannot list the filter: %s", strerror(-ret));
	return 0;
}
