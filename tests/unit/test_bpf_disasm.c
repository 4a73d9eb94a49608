/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tier: the filter listing (bpf_disasm.c), `compile --format listing`
 * and `show --listing`.  A small policy lists as exactly the lines below;
 * syscall numbers are named on the architecture whose code they are in
 * (i386 and x32 bodies too); every opcode seccomp accepts has a rendering;
 * and the listing is of the very program stockade_plan_compile_bpf()
 * returns, one line per instruction.
 */
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>

#include "../harness.h"
#include "seccomp/bpf_disasm.h"
#include "plan/plan.h"

static stockade_plan *plan_of(const char *text)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	if (stockade_policy_new(&p, &err) < 0 || stockade_policy_add_text(p, "demo.yaml", text, strlen(text), &err) < 0 ||
	    stockade_plan_build(p, &plan, &err) < 0) {
		CHECK_MSG(0, "%s", err && err->msg ? err->msg : "?");
		plan = NULL;
	}
	stockade_error_free(err);
	stockade_policy_free(p);
	return plan;
}

static char *listing(const stockade_plan *plan, uint32_t arch)
{
	stockade_error *err = NULL;
	char *text = NULL;

	CHECK_MSG(stockade_plan_compile_pfc(plan, arch, &text, &err) == 0, "%s", err && err->msg ? err->msg : "?");
	stockade_error_free(err);
	return text;
}

/* The instruction lines of a listing: the ones that do not start with '#'. */
static const char *body(const char *text)
{
	while (text && *text == '#') {
		const char *nl = strchr(text, '\n');
		text = nl ? nl + 1 : NULL;
	}
	return text;
}

static const char demo[] = "version: 1\n"
			   "name: demo\n"
			   "seccomp:\n"
			   "  default_action: errno:EPERM\n"
			   "  allow: [read, write, exit_group]\n"
			   "  rules:\n"
			   "    - {syscall: socket, args: [\"arg0 == 1\"], action: allow}\n"
			   "    - {syscall: ioctl, args: [\"arg1 & 0xff00 == 0x5400\"], action: kill}\n";

TEST(disasm_small_policy_exact)
{
	static const char want[] = "   0        ld   [arch]\n"
				   "   1        jeq  aarch64                      next   L10\n"
				   "   2        ld   [nr]\n"
				   "   3        jge  94 (exit_group)              L11    next\n"
				   "   4        jeq  29 (ioctl)                   L7     next\n"
				   "   5        jgt  64 (write)                   L18    next\n"
				   "   6        jge  63 (read)                    L17    L18\n"
				   "   7 L7:    ld   [arg1 lo]\n"
				   "   8        and  0xff00\n"
				   "   9        jeq  0x5400                       next   L18\n"
				   "  10 L10:   ret  KILL_PROCESS\n"
				   "  11 L11:   jeq  94 (exit_group)              L17    next\n"
				   "  12        jeq  198 (socket)                 next   L18\n"
				   "  13        ld   [arg0 hi]\n"
				   "  14        jeq  0                            next   L18\n"
				   "  15        ld   [arg0 lo]\n"
				   "  16        jeq  1                            next   L18\n"
				   "  17 L17:   ret  ALLOW\n"
				   "  18 L18:   ret  ERRNO(EPERM)\n";
	stockade_plan *plan = plan_of(demo);
	char *text = plan ? listing(plan, SCMP_ARCH_AARCH64) : NULL;

	CHECK(text && !strncmp(text, "# stockade seccomp filter: policy \"demo\", architecture aarch64, 19 instructions\n",
			       80));
	CHECK_MSG(text && !strcmp(body(text), want), "got:\n%s", text ? body(text) : "(null)");
	free(text);
	stockade_plan_free(plan);
}

/* x86_64: the x32 split, the -1 of a skipped call, native names. */
TEST(disasm_x86_64_names)
{
	stockade_plan *plan = plan_of(demo);
	char *text = plan ? listing(plan, SCMP_ARCH_X86_64) : NULL;

	CHECK_STR_CONTAINS(text, "architecture x86_64");
	CHECK_STR_CONTAINS(text, "   1        jeq  x86_64                       next   L11\n");
	CHECK_STR_CONTAINS(text, "   3        jge  0x40000000 (x32 numbers)     next   L5\n");
	CHECK_STR_CONTAINS(text, "   4        jeq  -1                           L18    L11\n");
	CHECK_STR_CONTAINS(text, " jeq  41 (socket) ");
	CHECK_STR_CONTAINS(text, " jeq  231 (exit_group) ");
	CHECK_STR_CONTAINS(text, " ret  KILL_PROCESS\n");
	free(text);
	stockade_plan_free(plan);
}

/* compat_arches: filter puts i386 and x32 bodies in one program; each
 * number is named on its own ABI. */
TEST(disasm_compat_bodies_named_per_abi)
{
	static const char text_policy[] = "version: 1\nextends: agent\nseccomp:\n  compat_arches: filter\n";
	stockade_plan *plan = plan_of(text_policy);
	char *text = plan ? listing(plan, SCMP_ARCH_X86_64) : NULL;

	CHECK_STR_CONTAINS(text, " jeq  i386 ");
	CHECK_STR_CONTAINS(text, " (x32 numbers) ");
	/* x32 socket is 41 with the x32 bit; i386's direct socket(2) is 359,
	 * and i386 has setpriority (97) where x86_64 has getrlimit. */
	CHECK_STR_CONTAINS(text, "0x40000000+41 (socket)");
	CHECK_STR_CONTAINS(text, " 359 (socket) ");
	CHECK_STR_CONTAINS(text, " 97 (setpriority) ");
	free(text);
	text = plan ? listing(plan, SCMP_ARCH_AARCH64) : NULL;
	CHECK_STR_CONTAINS(text, " jeq  arm ");
	CHECK_STR_CONTAINS(text, " 198 (socket) ");
	CHECK_STR_CONTAINS(text, " 281 (socket) "); /* arm's */
	free(text);
	stockade_plan_free(plan);
}

/* One line per instruction of the program compile_bpf returns, in order. */
TEST(disasm_lists_the_compiled_program)
{
	static const char *const presets[] = { "agent", "strict", "minimal" };
	static const uint32_t arches[] = { SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, SCMP_ARCH_X86, SCMP_ARCH_X32 };

	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		char text_policy[64];
		stockade_plan *plan;

		snprintf(text_policy, sizeof(text_policy), "version: 1\nextends: %s\n", presets[i]);
		plan = plan_of(text_policy);
		for (size_t a = 0; plan && a < sizeof(arches) / sizeof(arches[0]); a++) {
			void *prog = NULL;
			size_t bytes = 0, n = 0;
			char *text = listing(plan, arches[a]);
			const char *line = body(text);

			CHECK(stockade_plan_compile_bpf(plan, arches[a], &prog, &bytes, NULL) == 0);
			for (; line && *line; n++) {
				const char *nl = strchr(line, '\n');
				const struct sock_filter *f = (const struct sock_filter *)prog + n;

				CHECK_MSG(n < bytes / sizeof(struct sock_filter) && strtoul(line, NULL, 10) == n,
					  "%s: line %zu: %.40s", presets[i], n, line);
				if (n < bytes / sizeof(struct sock_filter) && BPF_CLASS(f->code) == BPF_RET)
					CHECK_MSG(strstr(line, " ret  ") && strstr(line, " ret  ") < nl, "%.60s", line);
				CHECK(!strstr(line, "unreachable") || strstr(line, "unreachable") > nl);
				line = nl ? nl + 1 : NULL;
			}
			CHECK_INT_EQ(n, bytes / sizeof(struct sock_filter));
			free(prog);
			free(text);
		}
		stockade_plan_free(plan);
	}
}

/* Every operand kind, on a program no policy compiles to. */
TEST(disasm_every_operand_kind)
{
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),		       /* 0 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 12),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 11, 0, 1),	       /* execve on i386 */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 7),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 8),		       /* 5: ip lo */
		BPF_STMT(BPF_ST, 2),
		BPF_STMT(BPF_LDX | BPF_MEM, 2),
		BPF_STMT(BPF_LD | BPF_IMM, 0x1234),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_X, 0),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),		       /* 10 */
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_A, 0),
		BPF_STMT(BPF_JMP | BPF_JA, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG),	       /* other arches */
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),		       /* 15 */
		BPF_STMT(BPF_ALU | BPF_NEG, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 60),		       /* arg5 hi */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x10000, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 4095), /* 20 */
	};
	static const char *const want[] = {
		"   0        ld   [arch]\n",
		"   1        jeq  i386                         next   L14\n",
		"   3        jgt  11 (execve)                  next   L5\n",
		"   4        ret  TRACE(7)\n",
		"   5 L5:    ld   [ip lo]\n",
		"   6        st   M[2]\n",
		"   7        ldx  M[2]\n",
		"   8        ld   0x1234\n",
		"   9        add  X\n",
		"  10        tax\n",
		"  11        jset X                            next   L13\n",
		"  12        ret  A\n",
		"  13 L13:   ja   L15\n",
		"  14 L14:   ret  LOG\n",
		"  15 L15:   ld   len\n",
		"  16        neg\n",
		"  17        ld   [arg5 hi]\n",
		"  18        jge  0x10000                      next   L20\n",
		"  19        ret  USER_NOTIF\n",
		"  20 L20:   ret  ERRNO(4095)\n",
	};
	char *text = NULL;

	CHECK_INT_EQ(sk_bpf_disasm(prog, sizeof(prog) / sizeof(prog[0]), SCMP_ARCH_X86, "hand-made", &text), 0);
	CHECK_STR_CONTAINS(text, "policy \"hand-made\", architecture i386, 21 instructions\n");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK_STR_CONTAINS(text, want[i]);
	free(text);
}

TEST(disasm_unreachable_and_refused)
{
	static const struct sock_filter dead[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_THREAD | 3),
	};
	static const struct sock_filter mod[] = {
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	char *text = NULL;

	CHECK_INT_EQ(sk_bpf_disasm(dead, 2, SCMP_ARCH_AARCH64, NULL, &text), 0);
	CHECK_STR_CONTAINS(text, "policy \"(unnamed)\"");
	CHECK_STR_CONTAINS(text, "   1        ret  KILL_THREAD (0x00000003)  (unreachable)\n");
	free(text);
	/* What the kernel would refuse is not listed. */
	text = (char *)1;
	CHECK_INT_EQ(sk_bpf_disasm(mod, 2, SCMP_ARCH_AARCH64, NULL, &text), -EINVAL);
	CHECK(text == NULL);
	CHECK_INT_EQ(sk_bpf_disasm(mod, 0, SCMP_ARCH_AARCH64, NULL, &text), -EINVAL);
}

/* The export and the CLI names: pfc stays, listing is the same format. */
TEST(disasm_export_format_names)
{
	stockade_plan *plan = plan_of(demo);
	enum stockade_format fmt = STOCKADE_FORMAT_BPF;
	char *data = NULL, *direct = NULL;
	size_t len = 0;

	CHECK(stockade_format_from_name("listing", &fmt) == 0 && fmt == STOCKADE_FORMAT_LISTING);
	CHECK(stockade_format_from_name("pfc", &fmt) == 0 && fmt == STOCKADE_FORMAT_PFC);
	CHECK(STOCKADE_FORMAT_PFC == STOCKADE_FORMAT_LISTING);
	if (!plan)
		return;
	CHECK_INT_EQ(stockade_plan_export(plan, SCMP_ARCH_X86_64, STOCKADE_FORMAT_LISTING, 0, &data, &len, NULL, NULL),
		     0);
	direct = listing(plan, SCMP_ARCH_X86_64);
	CHECK(data && direct && len == strlen(data) && !strcmp(data, direct));
	free(data);
	free(direct);
	stockade_plan_free(plan);
}

/*
 * Policies libseccomp 2.5.4 never returned on, when the listing was its
 * pseudo-filter code.  Now listed like any other; the unit tier runs under
 * run.sh's timeout, so a hang fails the tier rather than stalling it.
 */
TEST(disasm_libseccomp_hang_regressions)
{
	static const char *const files[] = {
		"tests/fuzz/regressions/policy/libseccomp-cmp-then-hiword.yaml",
		"tests/fuzz/regressions/policy/libseccomp-socket-allowlist-hang.yaml",
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		stockade_policy *p = NULL;
		stockade_plan *plan = NULL;
		stockade_error *err = NULL;
		char *text = NULL;

		if (stockade_policy_new(&p, &err) == 0 && stockade_policy_add_file(p, files[i], &err) == 0 &&
		    stockade_plan_build(p, &plan, &err) == 0)
			text = listing(plan, SCMP_ARCH_X86_64);
		CHECK_MSG(text != NULL, "%s: %s", files[i], err && err->msg ? err->msg : "no listing");
		CHECK_STR_CONTAINS(text, "# stockade seccomp filter: policy ");
		CHECK_STR_CONTAINS(text, " ret  ALLOW\n");
		free(text);
		stockade_error_free(err);
		stockade_plan_free(plan);
		stockade_policy_free(p);
	}
}

/* A policy's name is its author's text: a newline in it cannot add a line
 * to the listing that reads like an instruction. */
TEST(disasm_policy_name_cannot_add_lines)
{
	static const struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	char *text = NULL;

	CHECK_INT_EQ(sk_bpf_disasm(allow, 1, SCMP_ARCH_X86_64, "x\"\n   0        ret  ALLOW\n#", &text), 0);
	CHECK(text && strstr(text, "policy \"x?") != NULL);
	/* The header's lines, then the one instruction. */
	for (const char *p = text, *nl; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		CHECK_MSG(*p == '#' || nl == strrchr(text, '\n'), "a line that is not the header's: %.*s",
			  (int)(nl - p), p);
	}
	free(text);
}
