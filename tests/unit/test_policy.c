/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The policy parser: every error path with its exact message and location,
 * and the guarantee that a refused policy adds nothing.  `extends` chains
 * and the command-line overrides are in test_policy_layers.c.  Expected
 * decisions are written out by hand here; sk_plan_decide() is only the
 * thing under test.
 */
#include <errno.h>
#include <stdio.h>

#include "plan_helpers.h"
#include "policy_files.h"

/* ---- helpers ---- */

/* Line `line` (1-based) of `text`, without its newline, into buf. */
static const char *nth_line(const char *text, int line, char *buf, size_t size)
{
	const char *p = text;

	for (int i = 1; i < line; i++) {
		p = strchr(p, '\n');
		if (!p)
			return NULL;
		p++;
	}
	size_t n = strcspn(p, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/*
 * Add `text` to a policy that already holds `preload` layers of presets (or
 * none) and expect it refused with exactly `msg` at line:col.  `token`, when
 * not NULL, is what the column must point at in the offending line: a check
 * of the column that does not depend on counting by hand.
 */
static void expect_error_in(int at, const char *preset, const char *text, size_t len, int status, const char *msg,
			    int line, int col, const char *token)
{
	stockade_policy *p = NULL;
	stockade_error *err = NULL;
	size_t before;
	char want_src[512];
	int ret;

	if (stockade_policy_new(&p, NULL) < 0) {
		CHECK(!"stockade_policy_new");
		return;
	}
	if (preset)
		CHECK(stockade_policy_add_preset(p, preset, NULL) == 0);
	CHECK(sk_policy_materialize(p, NULL) == 0); /* presets are parsed on demand */
	before = p->nlayers;
	ret = stockade_policy_add_text(p, ORIGIN, text, len, &err);
	CHECK_MSG(ret == -status, "line %d: returned %d, want %d", at, ret, -status);
	CHECK_MSG(p->nlayers == before, "line %d: %zu layers after a refused policy, had %zu", at, p->nlayers,
		  before);
	CHECK_MSG(err != NULL, "line %d: no error object", at);
	if (!err)
		goto out;
	CHECK_MSG(err->status == status, "line %d: status %d, want %d", at, err->status, status);
	CHECK_MSG(err->msg && strcmp(err->msg, msg) == 0, "line %d: message\n    got:  %s\n    want: %s", at,
		  err->msg ? err->msg : "(null)", msg);
	CHECK_MSG(err->line == line && err->column == col, "line %d: at %d:%d, want %d:%d", at, err->line,
		  err->column, line, col);
	if (line > 0) {
		CHECK_MSG(err->file && strcmp(err->file, ORIGIN) == 0, "line %d: file %s", at,
			  err->file ? err->file : "(null)");
		if (nth_line(text, line, want_src, sizeof(want_src)))
			CHECK_MSG(err->source_line && strcmp(err->source_line, want_src) == 0,
				  "line %d: source line\n    got:  %s\n    want: %s", at,
				  err->source_line ? err->source_line : "(null)", want_src);
	}
	if (token) {
		const char *s = err->source_line;
		CHECK_MSG(s && col >= 1 && strlen(s) >= (size_t)col - 1 &&
				  strncmp(s + col - 1, token, strlen(token)) == 0,
			  "line %d: column %d of \"%s\" is not at `%s`", at, col, s ? s : "(null)", token);
	}
out:
	stockade_error_free(err);
	stockade_policy_free(p);
}

#define EXPECT_ERROR(text, msg, line, col, token)                                                              \
	expect_error_in(__LINE__, NULL, text, strlen(text), EINVAL, msg, line, col, token)

/* The text parses, but building a plan from it fails with `msg`. */
static void expect_plan_error(const char *text, const char *msg)
{
	stockade_error *err = plan_error(text, (const char *)NULL);

	CHECK_MSG(err && err->status == EINVAL && strcmp(err->msg, msg) == 0, "\n    got:  %s\n    want: %s",
		  err ? err->msg : "(none)", msg);
	stockade_error_free(err);
}

/* ---- the document ---- */

TEST(policy_yaml_syntax_error)
{
	EXPECT_ERROR("version: 1\nname: a: b\n",
		     ORIGIN ":2:8: YAML syntax error: mapping values are not allowed in this context", 2, 8, ": b");
	EXPECT_ERROR("version: 1\nseccomp:\n  allow: [read\n",
		     ORIGIN ":4:1: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence",
		     4, 1, NULL);
	EXPECT_ERROR("seccomp:\n  allow: [read]\n\tdeny: [ptrace]\n",
		     ORIGIN ":3:1: YAML syntax error: found character that cannot start any token while scanning "
			    "for the next token",
		     3, 1, "\t");
}

TEST(policy_empty)
{
	EXPECT_ERROR("", ORIGIN ": the policy is empty", 1, 1, NULL);
	EXPECT_ERROR("# only a comment\n\n", ORIGIN ": the policy is empty", 1, 1, "# only");
}

TEST(policy_root_not_mapping)
{
	EXPECT_ERROR("- read\n- write\n", ORIGIN ":1:1: a policy is a mapping (version, extends, seccomp, ...)", 1, 1,
		     "- read");
	EXPECT_ERROR("agent\n", ORIGIN ":1:1: a policy is a mapping (version, extends, seccomp, ...)", 1, 1,
		     "agent");
}

TEST(policy_unknown_keys)
{
	EXPECT_ERROR("version: 1\nsecomp:\n  allow: [read]\n",
		     ORIGIN ":2:1: unknown key `secomp` in the policy, did you mean `seccomp`?", 2, 1, "secomp");
	EXPECT_ERROR("frobnicate: true\n", ORIGIN ":1:1: unknown key `frobnicate` in the policy", 1, 1,
		     "frobnicate");
	EXPECT_ERROR("seccomp:\n  allow: [read]\n  dney: [ptrace]\n",
		     ORIGIN ":3:3: unknown key `dney` in seccomp, did you mean `deny`?", 3, 3, "dney");
	EXPECT_ERROR("seccomp:\n  defualt_action: allow\n",
		     ORIGIN ":2:3: unknown key `defualt_action` in seccomp, did you mean `default_action`?", 2, 3,
		     "defualt_action");
	EXPECT_ERROR("seccomp:\n  landlock: {}\n", ORIGIN ":2:3: unknown key `landlock` in seccomp", 2, 3,
		     "landlock");
	EXPECT_ERROR("? [a, b]\n: c\n", ORIGIN ":1:3: keys in the policy must be plain names", 1, 3, "[a, b]");
	EXPECT_ERROR("seccomp:\n  rules:\n    - syscall: clone\n      arg: [\"arg0 == 0\"]\n      action: allow\n",
		     ORIGIN ":4:7: unknown key `arg` in a rule, did you mean `args`?", 4, 7, "arg:");
}

TEST(policy_duplicate_keys)
{
	EXPECT_ERROR("version: 1\nname: a\nversion: 1\n", ORIGIN ":3:1: `version` is given twice in the policy", 3, 1,
		     "version");
	EXPECT_ERROR("seccomp:\n  allow: [read]\n  deny: [ptrace]\n  allow: [write]\n",
		     ORIGIN ":4:3: `allow` is given twice in seccomp", 4, 3, "allow");
	EXPECT_ERROR("seccomp:\n  rules:\n    - syscall: clone\n      action: allow\n      action: kill\n",
		     ORIGIN ":5:7: `action` is given twice in a rule", 5, 7, "action");
}

TEST(policy_scalar_values)
{
	EXPECT_ERROR("version: 2\n", ORIGIN ":1:10: unsupported policy version `2`; this stockade reads version 1", 1,
		     10, "2");
	EXPECT_ERROR("version: 1.0\n",
		     ORIGIN ":1:10: unsupported policy version `1.0`; this stockade reads version 1", 1, 10, "1.0");
	EXPECT_ERROR("version: [1]\n", ORIGIN ":1:10: version must be a single value", 1, 10, "[1]");
	EXPECT_ERROR("name: {a: b}\n", ORIGIN ":1:7: name must be a single value", 1, 7, "{a: b}");
	EXPECT_ERROR("name: \"a\\0b\"\n", ORIGIN ":1:7: name contains a NUL byte", 1, 7, "\"a\\0b\"");
	EXPECT_ERROR("seccomp: [read]\n", ORIGIN ":1:10: seccomp must be a mapping", 1, 10, "[read]");
	EXPECT_ERROR("seccomp:\n  enabled: maybe\n",
		     ORIGIN ":2:12: seccomp.enabled must be true or false, not `maybe`", 2, 12, "maybe");
}

TEST(policy_actions)
{
	EXPECT_ERROR("seccomp:\n  default_action: deny\n",
		     ORIGIN ":2:19: unknown action `deny`; one of: allow, log, errno:NAME, trap, kill, kill-thread", 2,
		     19, "deny");
	EXPECT_ERROR("seccomp:\n  default_action: errno:EPERMM\n",
		     ORIGIN ":2:19: unknown errno name in `errno:EPERMM` (use a name such as EPERM, or a number)", 2,
		     19, "errno:EPERMM");
	/* Quoted: the column points at the value, not at the quote. */
	EXPECT_ERROR("seccomp:\n  deny_action: \"errno:EPERMM\"\n",
		     ORIGIN ":2:17: unknown errno name in `errno:EPERMM` (use a name such as EPERM, or a number)", 2,
		     17, "errno:EPERMM");
	EXPECT_ERROR("seccomp:\n  default_action: errno:4096\n",
		     ORIGIN ":2:19: errno in `errno:4096` must be between 1 and 4095", 2, 19, "errno:4096");
	EXPECT_ERROR("seccomp:\n  default_action: errno:0\n",
		     ORIGIN ":2:19: errno in `errno:0` must be between 1 and 4095", 2, 19, "errno:0");
	EXPECT_ERROR("seccomp:\n  deny_action: allow\n",
		     ORIGIN ":2:16: deny_action must deny: errno:NAME, trap, kill or kill-thread", 2, 16, "allow");
	EXPECT_ERROR("seccomp:\n  deny_action: log\n",
		     ORIGIN ":2:16: deny_action must deny: errno:NAME, trap, kill or kill-thread", 2, 16, "log");
	EXPECT_ERROR("seccomp:\n  rules:\n    - syscall: clone\n      action: deny\n",
		     ORIGIN ":4:15: unknown action `deny`; one of: allow, log, errno:NAME, trap, kill, kill-thread", 4,
		     15, "deny");

	/* The limits themselves are fine. */
	stockade_plan *plan = plan_of(NULL, "seccomp:\n  default_action: errno:4095\n  deny_action: errno:1\n"
					    "  deny: [getpid]\n");
	DECIDES(plan, "getpid", "errno:EPERM", 0, 0, 0);
	DECIDES(plan, "getppid", "errno:4095", 0, 0, 0);
	stockade_plan_free(plan);
}

TEST(policy_compat_arches)
{
	EXPECT_ERROR("seccomp:\n  compat_arches: both\n",
		     ORIGIN ":2:18: compat_arches is `refuse` (kill 32-bit and x32 calls) or `filter`", 2, 18, "both");
	EXPECT_ERROR("seccomp:\n  compat_arches: [refuse]\n", ORIGIN ":2:18: compat_arches must be a single value",
		     2, 18, "[refuse]");
}

TEST(policy_name_lists)
{
	EXPECT_ERROR("seccomp:\n  allow: read\n", ORIGIN ":2:10: allow must be a list of syscall or @group names", 2,
		     10, "read");
	EXPECT_ERROR("seccomp:\n  deny: {ptrace: yes}\n",
		     ORIGIN ":2:9: deny must be a list of syscall or @group names", 2, 9, "{ptrace");
	EXPECT_ERROR("seccomp:\n  deny: [[ptrace]]\n", ORIGIN ":2:10: deny must be a single value", 2, 10, "[ptrace]");
	/* Block list, flow list, quoted: the column is the name's first letter. */
	EXPECT_ERROR("seccomp:\n  allow:\n    - read\n    - memfd_creat\n",
		     ORIGIN ":4:7: unknown syscall `memfd_creat`, did you mean `memfd_create`?", 4, 7, "memfd_creat");
	EXPECT_ERROR("seccomp:\n  allow: [read, memfd_creat]\n",
		     ORIGIN ":2:17: unknown syscall `memfd_creat`, did you mean `memfd_create`?", 2, 17,
		     "memfd_creat");
	EXPECT_ERROR("seccomp:\n  allow: [read, \"memfd_creat\"]\n",
		     ORIGIN ":2:18: unknown syscall `memfd_creat`, did you mean `memfd_create`?", 2, 18,
		     "memfd_creat");
	EXPECT_ERROR("seccomp:\n  deny:\n    - 'memfd_creat'\n",
		     ORIGIN ":3:8: unknown syscall `memfd_creat`, did you mean `memfd_create`?", 3, 8, "memfd_creat");
	EXPECT_ERROR("seccomp:\n  deny: [zzzzzzzzzzzzzzzzzz]\n",
		     ORIGIN ":2:10: unknown syscall `zzzzzzzzzzzzzzzzzz` on x86_64, i386, x32 and aarch64", 2, 10,
		     "zzzz");
	EXPECT_ERROR("seccomp:\n  deny: [\"@mount\", \"@mout\"]\n",
		     ORIGIN ":2:21: unknown syscall group `@mout`, did you mean `@mount`?", 2, 21, "@mout\"");
	EXPECT_ERROR("seccomp:\n  deny: [\"@qqqqqqqqqqqqq\"]\n",
		     ORIGIN ":2:11: unknown syscall group `@qqqqqqqqqqqqq` (`stockade groups` lists them)", 2, 11,
		     "@qqq");
	EXPECT_ERROR("seccomp:\n  deny: [read, write, read]\n", ORIGIN ":2:23: `read` is listed twice in deny", 2,
		     23, "read]");
	EXPECT_ERROR("seccomp:\n  allow: [\"@mount\", \"@mount\"]\n", ORIGIN ":2:22: `@mount` is listed twice in allow",
		     2, 22, "@mount\"]");
	EXPECT_ERROR("seccomp:\n  allow: [getpid, ptrace]\n  deny:\n    - read\n    - ptrace\n",
		     ORIGIN ":5:7: `ptrace` is both allowed (line 2) and denied", 5, 7, "ptrace");
	EXPECT_ERROR("seccomp:\n  allow: [\"@debug\"]\n  deny: [\"@debug\"]\n",
		     ORIGIN ":3:11: `@debug` is both allowed (line 2) and denied", 3, 11, "@debug");
}

/* ---- rules ---- */

#define RULE(sys, args, action)                                                                                \
	"seccomp:\n  rules:\n    - syscall: " sys "\n      args: " args "\n      action: " action "\n"

TEST(policy_rule_shape)
{
	EXPECT_ERROR("seccomp:\n  rules: clone\n", ORIGIN ":2:10: rules must be a list", 2, 10, "clone");
	EXPECT_ERROR("seccomp:\n  rules: [clone]\n",
		     ORIGIN ":2:11: a rule is a mapping with syscall, args, action and reason", 2, 11, "clone");
	EXPECT_ERROR("seccomp:\n  rules:\n    - action: allow\n", ORIGIN ":3:7: this rule has no `syscall`", 3, 7,
		     "action");
	EXPECT_ERROR("seccomp:\n  rules:\n    - syscall: clone\n      reason: x\n",
		     ORIGIN ":3:7: this rule has no `action` (allow, errno:NAME, kill, ...)", 3, 7, "syscall");
	EXPECT_ERROR("seccomp:\n  rules:\n    - syscall: \"@mount\"\n      action: allow\n",
		     ORIGIN ":3:17: rules apply to one syscall; groups go in allow or deny (`@mount`)", 3, 17,
		     "@mount");
	EXPECT_ERROR("seccomp:\n  rules:\n    - syscall: memfd_creat\n      action: allow\n",
		     ORIGIN ":3:16: unknown syscall `memfd_creat`, did you mean `memfd_create`?", 3, 16,
		     "memfd_creat");
	EXPECT_ERROR("seccomp:\n  rules:\n    - syscall: [clone]\n      action: allow\n",
		     ORIGIN ":3:16: syscall must be a single value", 3, 16, "[clone]");
	EXPECT_ERROR("seccomp:\n  rules:\n    - syscall: clone\n      action: allow\n      reason: [a]\n",
		     ORIGIN ":5:15: reason must be a single value", 5, 15, "[a]");
	EXPECT_ERROR(RULE("clone", "\"arg0 == 1\"", "allow"),
		     ORIGIN ":4:13: args must be a list of conditions such as \"arg0 == AF_UNIX\"", 4, 13,
		     "\"arg0 == 1\"");
	EXPECT_ERROR(RULE("clone", "[[arg0 == 1]]", "allow"), ORIGIN ":4:14: a condition must be a single value", 4,
		     14, "[arg0");
	EXPECT_ERROR(RULE("clone",
			  "[arg0 == 1, arg1 == 1, arg2 == 1, arg3 == 1, arg4 == 1, arg5 == 1, arg0 == 2]", "allow"),
		     ORIGIN ":4:13: a rule has at most 6 conditions", 4, 13, "[arg0");
	/* 8 x 8 alternatives are fine, 8 x 8 x 2 are not. */
	EXPECT_ERROR(RULE("clone", "[\"arg0 & 0xff\", \"arg1 & 0xff\", \"arg2 & 3\"]", "allow"),
		     ORIGIN ":4:44: these conditions expand to more than 64 rules; split the rule", 4, 44,
		     "\"arg2 & 3\"");
	stockade_plan *plan = plan_of(NULL, RULE("clone", "[\"arg0 & 0xff\", \"arg1 & 0xff\"]", "kill"));
	const struct sk_plan_entry *e = plan ? sk_plan_lookup(plan, "clone") : NULL;
	CHECK(e && e->nrules == 64);
	DECIDES(plan, "clone", "kill", 0x80, 0x1, 0);
	DECIDES(plan, "clone", "allow", 0x100, 0x1, 0);
	DECIDES(plan, "clone", "allow", 0x1, 0x0, 0);
	stockade_plan_free(plan);
}

TEST(policy_conditions)
{
	/* `token` pins the column to the part of the condition at fault. */
	EXPECT_ERROR(RULE("clone", "[\"x0 == 1\"]", "allow"),
		     ORIGIN ":4:15: a condition starts with the argument: arg0 .. arg5", 4, 15, "x0");
	EXPECT_ERROR(RULE("clone", "[\"args0 == 1\"]", "allow"),
		     ORIGIN ":4:15: a condition starts with the argument: arg0 .. arg5", 4, 15, "args0");
	EXPECT_ERROR(RULE("clone", "[\"  arg7 == 1\"]", "allow"),
		     ORIGIN ":4:17: syscalls have six arguments: arg0 .. arg5", 4, 17, "arg7");
	EXPECT_ERROR(RULE("clone", "[arg6 == 1]", "allow"), ORIGIN ":4:14: syscalls have six arguments: arg0 .. arg5",
		     4, 14, "arg6");
	EXPECT_ERROR(RULE("clone", "[arg10 == 1]", "allow"),
		     ORIGIN ":4:14: syscalls have six arguments: arg0 .. arg5", 4, 14, "arg10");
	EXPECT_ERROR(RULE("clone", "[arg0 = 1]", "allow"),
		     ORIGIN ":4:19: expected an operator after the argument: == != < <= > >= or &", 4, 19, "= 1");
	EXPECT_ERROR(RULE("clone", "[arg0]", "allow"),
		     ORIGIN ":4:18: expected an operator after the argument: == != < <= > >= or &", 4, 18, "]");
	EXPECT_ERROR(RULE("clone", "[\"arg0 & CLONE_NEWNS|CLONE_NEWUSR\"]", "allow"),
		     ORIGIN ":4:34: unknown constant `CLONE_NEWUSR`, did you mean `CLONE_NEWUSER`?", 4, 34,
		     "CLONE_NEWUSR");
	EXPECT_ERROR(RULE("clone", "[arg0 == CLONE_NEWUSR]", "allow"),
		     ORIGIN ":4:22: unknown constant `CLONE_NEWUSR`, did you mean `CLONE_NEWUSER`?", 4, 22,
		     "CLONE_NEWUSR");
	EXPECT_ERROR(RULE("socket", "[\"arg0 == AF_QQQQQQQQQQQQQQQQQQQQQQ\"]", "allow"),
		     ORIGIN ":4:23: unknown constant `AF_QQQQQQQQQQQQQQQQQQQQQQ`", 4, 23, "AF_QQ");
	EXPECT_ERROR(RULE("clone", "[arg0 == 0x1g]", "allow"), ORIGIN ":4:22: expected a number or a constant name",
		     4, 22, "0x1g");
	EXPECT_ERROR(RULE("clone", "[arg0 == 18446744073709551616]", "allow"),
		     ORIGIN ":4:22: expected a number or a constant name", 4, 22, "18446744073709551616");
	EXPECT_ERROR(RULE("clone", "[\"arg0 == -1\"]", "allow"),
		     ORIGIN ":4:23: expected a number or a constant name", 4, 23, "-1");
	EXPECT_ERROR(RULE("clone", "[\"arg0 == 1 | \"]", "allow"),
		     ORIGIN ":4:27: expected a number or a constant name", 4, 27, "\"]");
	EXPECT_ERROR(RULE("clone", "[\"arg0 == 1 2\"]", "allow"),
		     ORIGIN ":4:25: expected a number or a constant name", 4, 25, "2\"");
	EXPECT_ERROR(RULE("clone", "[\"arg0 & 0xf == \"]", "allow"),
		     ORIGIN ":4:29: expected a number or a constant name", 4, 29, "\"]");
	/* The caret goes under the mask or the value, not the blanks before it. */
	EXPECT_ERROR(RULE("clone", "[\"arg0 &  0 == 0\"]", "allow"),
		     ORIGIN ":4:23: a mask of 0 matches nothing or everything", 4, 23, "0 == 0");
	EXPECT_ERROR(RULE("clone", "[\"arg0 & 0xf ==  0x10\"]", "allow"),
		     ORIGIN ":4:30: the value has bits outside the mask, so it can never match", 4, 30, "0x10");
	EXPECT_ERROR(RULE("clone", "[\"arg0 & 0xf !=0x10\"]", "allow"),
		     ORIGIN ":4:28: the value has bits outside the mask, so it can never match", 4, 28, "0x10");
}

/* The condition forms parse to what they say. */
TEST(policy_condition_forms)
{
	stockade_plan *plan = plan_of(NULL, "seccomp:\n"
					    "  rules:\n"
					    "    - syscall: socket\n"
					    "      args: [\"arg0 == AF_UNIX\", \"arg1 & SOCK_CLOEXEC|SOCK_NONBLOCK\"]\n"
					    "      action: errno:EACCES\n"
					    "    - syscall: socket\n"
					    "      args: [\"arg1 & 0xf0 == 0x30\"]\n"
					    "      action: errno:EBUSY\n"
					    "    - syscall: socket\n"
					    "      args: [\"arg1 & 0xf00 != 0x100\"]\n"
					    "      action: errno:EIO\n"
					    "    - syscall: socket\n"
					    "      args: [\"arg2 >= 10\", \"arg2 < 0x14\", arg0 != 0]\n"
					    "      action: errno:ENXIO\n"
					    "    - syscall: socket\n"
					    "      args: [\"arg2 > 0777\", \"arg2 <= 01000\"]\n"
					    "      action: errno:E2BIG\n");
	DECIDES(plan, "socket", "errno:EACCES", 1, 02000000, 0);
	DECIDES(plan, "socket", "errno:EACCES", 1, 04000, 0);
	DECIDES(plan, "socket", "errno:EIO", 2, 04000, 0);   /* not AF_UNIX: 0x800 & 0xf00 != 0x100 */
	DECIDES(plan, "socket", "errno:EBUSY", 2, 0x830, 0); /* not AF_UNIX */
	DECIDES(plan, "socket", "errno:EBUSY", 1, 0x30, 0);
	DECIDES(plan, "socket", "errno:EBUSY", 1, 0x13f, 0);
	DECIDES(plan, "socket", "errno:EIO", 1, 0x200, 0);
	DECIDES(plan, "socket", "errno:EIO", 1, 0x000, 0);
	DECIDES(plan, "socket", "allow", 1, 0x100, 0);
	DECIDES(plan, "socket", "errno:ENXIO", 1, 0x100, 10);
	DECIDES(plan, "socket", "errno:ENXIO", 1, 0x100, 19);
	DECIDES(plan, "socket", "allow", 1, 0x100, 20);
	DECIDES(plan, "socket", "allow", 0, 0x100, 15);
	DECIDES(plan, "socket", "allow", 1, 0x100, 9);
	DECIDES(plan, "socket", "allow", 1, 0x100, 511);
	DECIDES(plan, "socket", "errno:E2BIG", 1, 0x100, 512);
	DECIDES(plan, "socket", "allow", 1, 0x100, 513);
	stockade_plan_free(plan);
}

TEST(policy_shadowed_rule)
{
	static const char text[] = "seccomp:\n"
				   "  rules:\n"
				   "    - syscall: socket\n"
				   "      args: [\"arg0 <= 10\"]\n"
				   "      action: allow\n"
				   "    - syscall: socket\n"
				   "      args: [\"arg0 == AF_INET6\"]\n"
				   "      action: kill\n";
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_text(p, ORIGIN, text, strlen(text), &err) == 0);
	CHECK_INT_EQ(stockade_plan_build(p, &plan, &err), -EINVAL);
	CHECK(plan == NULL);
	CHECK(err && strcmp(err->msg, ORIGIN ":6:7: this rule for `socket` never matches: earlier rules in the same "
				      "file already decide every call it covers") == 0);
	/* Located like every other policy error. */
	CHECK(err && err->line == 6 && err->column == 7);
	CHECK(err && err->file && strcmp(err->file, ORIGIN) == 0);
	CHECK(err && err->source_line && strcmp(err->source_line, "    - syscall: socket") == 0);
	stockade_error_free(err);
	stockade_policy_free(p);

	/* Overlapping but not covering is fine, and so is a rule a higher
	 * layer makes unreachable. */
	plan = plan_of(NULL, "seccomp:\n  rules:\n    - syscall: socket\n      args: [\"arg0 <= 10\"]\n"
			     "      action: allow\n    - syscall: socket\n      args: [\"arg0 <= 11\"]\n"
			     "      action: kill\n");
	DECIDES(plan, "socket", "allow", 10, 0, 0);
	DECIDES(plan, "socket", "kill", 11, 0, 0);
	DECIDES(plan, "socket", "allow", 12, 0, 0);
	stockade_plan_free(plan);
	plan = plan_of("agent", "seccomp:\n  rules:\n    - syscall: socket\n      action: errno:EACCES\n");
	DECIDES(plan, "socket", "errno:EACCES", 1, 0, 0);
	stockade_plan_free(plan);
}

/* A rule whose conditions expand into alternatives is one rule: it is
 * reachable if any alternative is. */
TEST(policy_alternatives_are_one_rule)
{
	/* (bit 0 or bit 1) and bit 0 clear: only bit 1 can decide it. */
	stockade_plan *plan = plan_of(NULL, RULE("clone", "[\"arg0 & 0x3\", \"arg0 & 0x1 == 0\"]", "kill"));
	DECIDES(plan, "clone", "kill", 2, 0, 0);
	DECIDES(plan, "clone", "allow", 1, 0, 0);
	DECIDES(plan, "clone", "allow", 3, 0, 0);
	stockade_plan_free(plan);
	/* (bit 0 or 1) and (bit 1 or 2): the (1, 2) alternative is inside (1, 1). */
	plan = plan_of(NULL, RULE("clone", "[\"arg0 & 0x3\", \"arg0 & 0x6\"]", "kill"));
	DECIDES(plan, "clone", "kill", 2, 0, 0);
	DECIDES(plan, "clone", "kill", 5, 0, 0);
	DECIDES(plan, "clone", "allow", 1, 0, 0);
	DECIDES(plan, "clone", "allow", 4, 0, 0);
	stockade_plan_free(plan);
	/* But a rule all of whose alternatives are empty is still refused. */
	expect_plan_error(RULE("clone", "[\"arg0 & 0x3\", \"arg0 & 0x3 == 0\"]", "kill"),
			  ORIGIN ":3:7: this rule for `clone` never matches: earlier rules in the same file already "
				 "decide every call it covers");
}

TEST(policy_second_document)
{
	EXPECT_ERROR("version: 1\n---\nversion: 1\n", ORIGIN ":3:1: only one YAML document per policy file", 3, 1,
		     "version");
	EXPECT_ERROR("version: 1\n---\nseccomp:\n  allow: [read]\n",
		     ORIGIN ":3:1: only one YAML document per policy file", 3, 1, "seccomp");
	/* A broken second document is no better than a good one. */
	EXPECT_ERROR("version: 1\n---\n[unclosed\n",
		     ORIGIN ":4:1: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence",
		     4, 1, NULL);
}

TEST(policy_nul_byte)
{
	static const char text[] = "version: 1\nseccomp:\n  deny: [ptrace]\0\n  allow: [ptrace]\n";

	expect_error_in(__LINE__, NULL, text, sizeof(text) - 1, EINVAL, ORIGIN ": the policy contains a NUL byte", 0,
			0, NULL);
	expect_error_in(__LINE__, "agent", text, sizeof(text) - 1, EINVAL, ORIGIN ": the policy contains a NUL byte",
			0, 0, NULL);
}

TEST(policy_too_large)
{
	const size_t limit = 1024 * 1024;
	char *text = malloc(limit + 2), msg[1024];
	stockade_policy *p = NULL;

	CHECK(text != NULL);
	if (!text)
		return;
	/* A valid policy padded with a comment to exactly the limit... */
	memset(text, ' ', limit + 1);
	memcpy(text, "version: 1\n#", 12);
	text[limit - 1] = '\n';
	text[limit] = '\0';
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK_INT_EQ(stockade_policy_add_text(p, ORIGIN, text, limit, NULL), 0);
	CHECK_INT_EQ(p->nlayers, 1);
	stockade_policy_free(p);
	/* ...and one byte more. */
	text[limit] = '\n';
	text[limit + 1] = '\0';
	snprintf(msg, sizeof(msg), ORIGIN ": the policy is %zu bytes; the limit is %zu", limit + 1, limit);
	expect_error_in(__LINE__, NULL, text, limit + 1, EFBIG, msg, 0, 0, NULL);

	/* The same through a file. */
	char dir[256], path[300];
	stockade_error *err;
	int ret;
	if (make_tmpdir(dir, sizeof(dir))) {
		snprintf(path, sizeof(path), "%s/big.yaml", dir);
		FILE *f = fopen(path, "w");
		CHECK(f != NULL);
		if (f) {
			fwrite(text, 1, limit + 1, f);
			fclose(f);
		}
		err = load_file(path, &p, &ret);
		CHECK_INT_EQ(ret, -EFBIG);
		snprintf(msg, sizeof(msg), "policy %s is %zu bytes; the limit is %zu", path, limit + 1, limit);
		CHECK(err && strcmp(err->msg, msg) == 0);
		CHECK_INT_EQ(p->nlayers, 0);
		stockade_error_free(err);
		stockade_policy_free(p);

		/* A directory is not a policy. */
		err = load_file(dir, &p, &ret);
		CHECK_INT_EQ(ret, -EINVAL);
		snprintf(msg, sizeof(msg), "policy %s is not a regular file", dir);
		CHECK(err && strcmp(err->msg, msg) == 0);
		stockade_error_free(err);
		stockade_policy_free(p);
		rm_tree(dir);
	}
	free(text);
}

/* ---- capabilities ---- */

#define CAPBIT(name) (1ULL << sk_cap_lookup(name))

TEST(policy_capabilities_keep)
{
	const uint64_t agent = CAPBIT("CAP_CHOWN") | CAPBIT("CAP_DAC_OVERRIDE") | CAPBIT("CAP_FOWNER") |
			       CAPBIT("CAP_KILL") | CAPBIT("CAP_SETGID") | CAPBIT("CAP_SETUID") |
			       CAPBIT("CAP_NET_BIND_SERVICE") | CAPBIT("CAP_SYS_CHROOT") | CAPBIT("CAP_AUDIT_WRITE");
	static const char *const keeps_agents[] = { "agent", "strict", "debug", "sealed-memfd" };
	stockade_plan *plan;

	for (size_t i = 0; i < ARRAY_SIZE(keeps_agents); i++) {
		plan = plan_of(keeps_agents[i], NULL);
		CHECK_MSG(plan && plan->access.caps && plan->access.caps_keep == agent, "%s keeps agent's set",
			  keeps_agents[i]);
		stockade_plan_free(plan);
	}
	plan = plan_of("minimal", NULL);
	CHECK(plan && !plan->access.caps);
	stockade_plan_free(plan);
	plan = plan_of("none", NULL);
	CHECK(plan && !plan->access.caps);
	stockade_plan_free(plan);
	/* A file without the key inherits agent's; the last layer that sets it wins. */
	plan = plan_of("agent", "version: 1\nname: x\n");
	CHECK(plan && plan->access.caps && plan->access.caps_keep == agent);
	stockade_plan_free(plan);
	plan = plan_of("agent", "capabilities:\n  keep: [CAP_SYS_PTRACE]\n");
	CHECK(plan && plan->access.caps && plan->access.caps_keep == CAPBIT("CAP_SYS_PTRACE"));
	CHECK(plan && plan->access.caps_at.line == 2 && strcmp(plan->access.caps_at.file, ORIGIN) == 0);
	stockade_plan_free(plan);
	plan = plan_of("agent", "capabilities:\n  keep: []\n");
	CHECK(plan && plan->access.caps && plan->access.caps_keep == 0);
	stockade_plan_free(plan);
	plan = plan_of("agent", "capabilities:\n  keep: [all]\n");
	CHECK(plan && !plan->access.caps);
	stockade_plan_free(plan);
	plan = plan_of("minimal", "capabilities:\n  keep: [CAP_KILL]\n");
	CHECK(plan && plan->access.caps && plan->access.caps_keep == CAPBIT("CAP_KILL"));
	stockade_plan_free(plan);
	/* capabilities: without keep changes nothing. */
	plan = plan_of("agent", "capabilities: {}\n");
	CHECK(plan && plan->access.caps && plan->access.caps_keep == agent);
	stockade_plan_free(plan);
}

TEST(policy_capabilities_errors)
{
	EXPECT_ERROR("version: 1\ncapabilities:\n  keep:\n    - CAP_CHOWN\n    - CAP_SYS_ADMN\n",
		     ORIGIN ":5:7: capabilities.keep: unknown capability `CAP_SYS_ADMN`, did you mean `CAP_SYS_ADMIN`?",
		     5, 7, "CAP_SYS_ADMN");
	EXPECT_ERROR("capabilities:\n  keep: [SYS_PTRACE]\n",
		     ORIGIN ":2:10: capabilities.keep: unknown capability `SYS_PTRACE`, did you mean `CAP_SYS_PTRACE`?",
		     2, 10, "SYS_PTRACE");
	EXPECT_ERROR("capabilities:\n  keep: [cap_kill]\n",
		     ORIGIN ":2:10: capabilities.keep: unknown capability `cap_kill`, did you mean `CAP_KILL`?", 2, 10,
		     "cap_kill");
	EXPECT_ERROR("capabilities:\n  keep: [CAP_XYZZY_FROB]\n",
		     ORIGIN ":2:10: capabilities.keep: unknown capability `CAP_XYZZY_FROB` (names as in "
			    "capabilities(7), such as CAP_CHOWN, or `all`)",
		     2, 10, "CAP_XYZZY_FROB");
	EXPECT_ERROR("capabilities:\n  keep: [CAP_KILL, CAP_KILL]\n",
		     ORIGIN ":2:20: `CAP_KILL` is listed twice in capabilities.keep", 2, 20, "CAP_KILL");
	EXPECT_ERROR("capabilities:\n  kep: [CAP_KILL]\n",
		     ORIGIN ":2:3: unknown key `kep` in capabilities, did you mean `keep`?", 2, 3, "kep");
	EXPECT_ERROR("capabilities:\n  keep: CAP_KILL\n",
		     ORIGIN ":2:9: capabilities.keep must be a list of capability names (CAP_CHOWN, ...) or [all]", 2,
		     9, "CAP_KILL");
	EXPECT_ERROR("capabilities: [CAP_KILL]\n", ORIGIN ":1:15: capabilities must be a mapping (keep)", 1, 15,
		     "[CAP_KILL]");
	EXPECT_ERROR("capabilities:\n  keep: [all, CAP_KILL]\n",
		     ORIGIN ":2:9: capabilities.keep: `all` keeps everything; list no names beside it", 2, 9, "[all");
	EXPECT_ERROR("capabilitys:\n  keep: [all]\n",
		     ORIGIN ":1:1: unknown key `capabilitys` in the policy, did you mean `capabilities`?", 1, 1,
		     "capabilitys");
}

/* ---- isolation, sockets ---- */

TEST(policy_isolation)
{
	static const char *const autos[] = { "agent", "strict", "debug", "sealed-memfd" };
	stockade_policy *p = NULL;
	stockade_plan *plan;

	for (size_t i = 0; i < ARRAY_SIZE(autos); i++) {
		plan = plan_of(autos[i], NULL);
		CHECK_MSG(plan && plan->access.isolation == SK_ISOLATION_AUTO, "%s: isolation auto", autos[i]);
		stockade_plan_free(plan);
	}
	/* No layer sets it: off (exec in place). */
	plan = plan_of("minimal", NULL);
	CHECK(plan && plan->access.isolation == SK_ISOLATION_OFF);
	stockade_plan_free(plan);
	plan = plan_of("none", NULL);
	CHECK(plan && plan->access.isolation == SK_ISOLATION_OFF);
	stockade_plan_free(plan);
	plan = plan_of("agent", "isolation: required\n");
	CHECK(plan && plan->access.isolation == SK_ISOLATION_REQUIRED && plan->access.isolation_at.line == 1);
	stockade_plan_free(plan);
	plan = plan_of("minimal", "isolation: off\n");
	CHECK(plan && plan->access.isolation == SK_ISOLATION_OFF);
	stockade_plan_free(plan);

	/* --isolation overrides every layer, and keeps the preset's plan. */
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "agent", NULL) == 0);
	CHECK(stockade_policy_set_isolation(p, "off", NULL) == 0);
	CHECK(p->npending == 1);
	plan = NULL;
	CHECK(stockade_plan_build(p, &plan, NULL) == 0);
	CHECK(plan && plan->access.isolation == SK_ISOLATION_OFF &&
	      strcmp(plan->access.isolation_at.file, "--isolation") == 0);
	stockade_plan_free(plan);
	stockade_error *err = NULL;
	CHECK(stockade_policy_set_isolation(p, "sometimes", &err) == -EINVAL);
	CHECK(err && strcmp(err->msg, "--isolation sometimes: the mode is auto, required or off") == 0);
	stockade_error_free(err);
	stockade_policy_free(p);
}

TEST(policy_sockets)
{
	stockade_plan *plan = plan_of("agent", "sockets:\n  allow: [$SSH_AUTH_SOCK, /run/x.sock, ~/.s]\n");

	CHECK(plan && plan->access.nsockets == 3);
	if (plan && plan->access.nsockets == 3) {
		CHECK(strcmp(plan->access.sockets[0].path, "$SSH_AUTH_SOCK") == 0);
		CHECK(strcmp(plan->access.sockets[2].path, "~/.s") == 0);
		CHECK(plan->access.sockets[1].at.line == 2);
	}
	stockade_plan_free(plan);
	plan = plan_of("agent", NULL);
	CHECK(plan && plan->access.nsockets == 0);
	stockade_plan_free(plan);

	EXPECT_ERROR("isolation: maybe\n",
		     ORIGIN ":1:12: isolation is `auto` (namespaces where this kernel lets stockade make them), "
			    "`required` (refuse to run without them) or `off`, not `maybe`",
		     1, 12, "maybe");
	EXPECT_ERROR("sockets:\n  allow: [relative.sock]\n",
		     ORIGIN ":2:11: sockets.allow: a socket path starts with /, ~/ or $VARIABLE", 2, 11,
		     "relative.sock");
	EXPECT_ERROR("sockets:\n  allow: [/a, /a]\n", ORIGIN ":2:15: `/a` is listed twice in sockets.allow", 2, 15,
		     "/a");
	EXPECT_ERROR("sockets: [/a]\n", ORIGIN ":1:10: sockets must be a mapping (allow)", 1, 10, "[/a]");
}
