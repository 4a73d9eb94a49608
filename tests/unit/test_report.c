/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tier: what the denial report and `stockade learn` say (denial.c,
 * learn.c).  Argument decoding, values that read back as the same number,
 * and fixes: for every preset and every argument vector at the rules'
 * boundaries that the preset denies, the learned policy (the fix, written
 * as YAML by the learner) must allow that call and change nothing else.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>

#include "../harness.h"
#include "analysis/analysis.h"
#include "run/learn.h"
#include "policy/policy.h"

static stockade_plan *build(const char *preset, const char *text)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	if (stockade_policy_new(&p, &err) < 0 || (preset && stockade_policy_add_preset(p, preset, &err) < 0) ||
	    (text && stockade_policy_add_text(p, "learned.yaml", text, strlen(text), &err) < 0) ||
	    stockade_plan_build(p, &plan, &err) < 0) {
		CHECK_MSG(0, "%s: %s%s%s", preset ? preset : "text", err && err->msg ? err->msg : "?", text ? "\n" : "",
			  text ? text : "");
		plan = NULL;
	}
	stockade_error_free(err);
	stockade_policy_free(p);
	return plan;
}

static const char *decode(const char *name, uint64_t a0, uint64_t a1, uint64_t a2)
{
	static char buf[256];
	const uint64_t args[SK_MAX_ARGS] = { a0, a1, a2 };

	return sk_decode_args(name, args, buf, sizeof(buf));
}

#define CHECK_STR_EQ(a, b)                                                                                     \
	do {                                                                                                   \
		const char *_a = (a), *_b = (b);                                                               \
		CHECK_MSG(_a && !strcmp(_a, _b), "got \"%s\", want \"%s\"", _a ? _a : "(null)", _b);            \
	} while (0)

TEST(decode_arguments)
{
	CHECK_STR_EQ(decode("socket", 17, 3, 0), "AF_PACKET, SOCK_RAW");
	CHECK_STR_EQ(decode("socket", 1, 1 | 02000000, 0), "AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC");
	CHECK_STR_EQ(decode("socket", 16, 3, 0), "AF_NETLINK, SOCK_RAW");
	CHECK_STR_EQ(decode("socket", 999, 15, 0), "0x3e7, 0xf");
	CHECK_STR_EQ(decode("clone", 0x10000000 | 17, 0, 0), "CLONE_NEWUSER|SIGCHLD");
	CHECK_STR_EQ(decode("clone", 0, 0, 0), "0");
	CHECK_STR_EQ(decode("clone", 0x01200000 | 17, 0, 0), "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	CHECK_STR_EQ(decode("unshare", 0x80 | 0x20000, 0, 0), "CLONE_NEWNS|CLONE_NEWTIME");
	CHECK_STR_EQ(decode("ioctl", 1, 0x5412, 0), "TIOCSTI");
	CHECK_STR_EQ(decode("ioctl", 1, 0x100005412ULL, 0), "0x100005412");
	CHECK_STR_EQ(decode("memfd_create", 0, 0x10 | 1, 0), "MFD_CLOEXEC|MFD_EXEC");
	CHECK_STR_EQ(decode("memfd_create", 0, 0x10 | 0x100, 0), "MFD_EXEC|0x100");
	CHECK_STR_EQ(decode("getpid", 1, 2, 3), "");
	CHECK_STR_EQ(decode("openat", 1, 2, 3), "");
	CHECK_STR_EQ(decode(NULL, 1, 2, 3), "");
}

/* What the report and learn write as a value reads back as that value. */
TEST(formatted_values_parse_back)
{
	static const struct {
		const char *name;
		unsigned arg;
	} args[] = { { "socket", 0 },	 { "socket", 1 },  { "clone", 0 },	  { "unshare", 0 },
		     { "ioctl", 1 },	 { "memfd_create", 1 }, { "execveat", 4 }, { "personality", 0 },
		     { "mount", 3 },	 { "prctl", 0 },	{ "getpid", 0 },   { "umount2", 1 } };
	uint64_t values[64];
	size_t nv = 0;

	values[nv++] = 0;
	values[nv++] = 1;
	values[nv++] = 0xffffffffULL;
	values[nv++] = 0xffffffffffffffffULL;
	values[nv++] = 0x100005412ULL;
	values[nv++] = 0x8000000000000000ULL;
	for (size_t i = 0; i < sk_constants_len && nv < 56; i += 9)
		values[nv++] = sk_constants[i].value;
	for (uint64_t x = 0x9e3779b97f4a7c15ULL; nv < 64; x = x * 6364136223846793005ULL + 1442695040888963407ULL)
		values[nv++] = x >> (x & 31);
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		for (size_t k = 0; k < nv; k++) {
			char buf[256];
			uint64_t back = 0;
			size_t bad = 0;
			const char *bad_name = NULL;

			sk_format_arg(args[i].name, args[i].arg, values[k], buf, sizeof(buf));
			CHECK_MSG(sk_value_parse(buf, strlen(buf), &back, &bad, &bad_name) == 0 && back == values[k],
				  "%s arg%u: %#llx formats as \"%s\", which reads back as %#llx", args[i].name,
				  args[i].arg, (unsigned long long)values[k], buf, (unsigned long long)back);
		}
}

static struct sk_fix fix_of(const stockade_plan *plan, const char *name, uint64_t a0, uint64_t a1)
{
	const uint64_t args[SK_MAX_ARGS] = { a0, a1 };
	struct sk_verdict v;
	struct sk_fix f;

	sk_plan_decide(plan, name, args, &v);
	sk_fix_for(plan, name, args, &v, false, &f);
	return f;
}

TEST(fix_kinds)
{
	stockade_plan *agent = build("agent", NULL), *strict = build("strict", NULL);
	struct sk_fix f;
	char buf[512];

	if (!agent || !strict)
		goto out;
	/* allowed: nothing to fix */
	f = fix_of(agent, "getpid", 0, 0);
	CHECK_INT_EQ(f.kind, SK_FIX_NONE);
	/* denied through a group, no argument rules: allow the name */
	f = fix_of(agent, "ptrace", 0, 0);
	CHECK_INT_EQ(f.kind, SK_FIX_ALLOW);
	/* strict's default: allow the name */
	f = fix_of(strict, "landlock_create_ruleset", 0, 0);
	CHECK_INT_EQ(f.kind, SK_FIX_ALLOW);
	/* decided by an argument rule: a rule with the exact value */
	f = fix_of(agent, "memfd_create", 0, 0x10);
	CHECK_INT_EQ(f.kind, SK_FIX_RULE);
	CHECK_INT_EQ(f.nconds, 1);
	CHECK_STR_EQ(sk_fix_rule_format("memfd_create", &f, buf, sizeof(buf)),
		     "{syscall: memfd_create, args: [\"arg1 == MFD_EXEC\"], action: allow}");
	/* a rule under a 32-bit mask keeps the mask */
	f = fix_of(agent, "ioctl", 1, 0x5412);
	CHECK_STR_EQ(sk_fix_rule_format("ioctl", &f, buf, sizeof(buf)),
		     "{syscall: ioctl, args: [\"arg1 & 0xffffffff == TIOCSTI\"], action: allow}");
	CHECK_INT_EQ(f.net, SK_NET_UNSET);
	/* the network mode decides first */
	if (agent->access.net != SK_NET_FULL) {
		f = fix_of(agent, "socket", 2 /* AF_INET */, 1);
		CHECK_INT_EQ(f.net, SK_NET_FULL);
		CHECK_INT_EQ(f.kind, SK_FIX_NONE);
		f = fix_of(agent, "socket", 40 /* AF_VSOCK */, 1);
		CHECK_INT_EQ(f.net, SK_NET_FULL);
		CHECK_INT_EQ(f.kind, SK_FIX_RULE);
		f = fix_of(agent, "socket", 16 /* AF_NETLINK */, 3);
		CHECK_INT_EQ(f.net, SK_NET_UNIX);
	}
out:
	stockade_plan_free(agent);
	stockade_plan_free(strict);
}

static struct sk_event event(const stockade_plan *plan, const char *name, const uint64_t args[SK_MAX_ARGS],
			     pid_t pid)
{
	struct sk_event ev = { .pid = pid, .arch = 0, .name = name, .plan = plan,
			       .mode = SK_NOTIFY_DENY, .ran = true };

	strcpy(ev.comm, "unit");
	memcpy(ev.args, args, sizeof(ev.args));
	sk_plan_decide(plan, name ? name : "", args, &ev.verdict);
	return ev;
}

static bool allowed(const stockade_plan *plan, const char *name, const uint64_t args[SK_MAX_ARGS])
{
	struct sk_verdict v;

	sk_plan_decide(plan, name, args, &v);
	return v.action.type == SK_ACT_ALLOW || v.action.type == SK_ACT_LOG;
}

static bool same_verdict(const stockade_plan *a, const stockade_plan *b, const char *name,
			 const uint64_t args[SK_MAX_ARGS])
{
	struct sk_verdict va, vb;

	sk_plan_decide(a, name, args, &va);
	sk_plan_decide(b, name, args, &vb);
	return sk_action_eq(va.action, vb.action);
}

/* Does the learned entry for (name, args) cover `other`? */
static bool covered(const stockade_plan *base, const char *name, const uint64_t args[SK_MAX_ARGS],
		    const uint64_t other[SK_MAX_ARGS])
{
	struct sk_verdict v;
	struct sk_fix f;

	sk_plan_decide(base, name, args, &v);
	sk_fix_for(base, name, args, &v, false, &f);
	for (size_t i = 0; i < f.nconds; i++)
		if (!sk_cond_match(&f.conds[i], other))
			return false;
	return f.kind != SK_FIX_NONE || f.net != SK_NET_UNSET;
}

/*
 * The property: for each denied vector of each syscall a preset names, the
 * learned policy allows it, and every vector the entry does not cover keeps
 * the preset's verdict.  (A network-mode fix changes the mode for every
 * socket call; those vectors are left out of the second half.)
 */
static void check_fixes(const char *preset)
{
	stockade_plan *base = build(preset, NULL);
	size_t checked = 0;

	if (!base || !base->seccomp_enabled)
		goto out;
	for (size_t i = 0; i < base->nentries && checked < 4000; i++) {
		const char *name = base->entries[i].name;
		struct sk_argvec *vecs = NULL;
		size_t nvecs = 0;

		if (sk_probe_args(base, name, &vecs, &nvecs) < 0)
			continue;
		for (size_t v = 0; v < nvecs; v++) {
			struct sk_learner *l = NULL;
			struct sk_learn_meta meta = { .extends = preset, .command = "unit" };
			struct sk_event ev;
			stockade_plan *learned;
			stockade_error *err = NULL;
			const char *first;
			char *text = NULL;

			if (allowed(base, name, vecs[v].a))
				continue;
			if (sk_learner_new(base, &l) < 0)
				break;
			ev = event(base, name, vecs[v].a, 42);
			sk_learner_event(&ev, l);
			/* clone3's ENOSYS is no denial: nothing to learn. */
			if (sk_verdict_is_fallback(name, &ev.verdict)) {
				CHECK_INT_EQ(sk_learner_entries(l), 0);
				sk_learner_free(l);
				continue;
			}
			/* learn never grants the whole network: the call stays
			 * denied, and the policy says so in a comment. */
			{
				struct sk_fix nf;

				sk_fix_for(base, name, vecs[v].a, &ev.verdict, false, &nf);
				if (nf.net == SK_NET_FULL) {
					CHECK_INT_EQ(sk_learner_yaml(l, &meta, &text, &err), 0);
					CHECK_MSG(text && !strstr(text, "\nnetwork:") &&
							  strstr(text, "does not grant `network: mode: full`"),
						  "%s: %s: %s", preset, name, text ? text : "");
					free(text);
					text = NULL;
					sk_learner_free(l);
					continue;
				}
			}
			CHECK_INT_EQ(sk_learner_yaml(l, &meta, &text, &err), 0);
			learned = text ? build(NULL, text) : NULL;
			checked++;
			if (learned) {
				CHECK_MSG(allowed(learned, name, vecs[v].a), "%s: %s(%#llx, %#llx, %#llx) still denied by\n%s",
					  preset, name, (unsigned long long)vecs[v].a[0],
					  (unsigned long long)vecs[v].a[1], (unsigned long long)vecs[v].a[2], text);
				CHECK_INT_EQ(sk_learner_check(l, learned, &first), 0);
				for (size_t w = 0; w < nvecs; w++) {
					struct sk_fix f;
					struct sk_verdict vd;

					sk_plan_decide(base, name, vecs[v].a, &vd);
					sk_fix_for(base, name, vecs[v].a, &vd, false, &f);
					if (f.net != SK_NET_UNSET || covered(base, name, vecs[v].a, vecs[w].a))
						continue;
					CHECK_MSG(same_verdict(base, learned, name, vecs[w].a),
						  "%s: learning %s(%#llx, %#llx) changed %s(%#llx, %#llx)", preset, name,
						  (unsigned long long)vecs[v].a[0], (unsigned long long)vecs[v].a[1], name,
						  (unsigned long long)vecs[w].a[0], (unsigned long long)vecs[w].a[1]);
				}
			}
			stockade_plan_free(learned);
			stockade_error_free(err);
			free(text);
			sk_learner_free(l);
		}
		free(vecs);
	}
	CHECK_MSG(checked > 10, "%s: only %zu denied vectors", preset, checked);
out:
	stockade_plan_free(base);
}

TEST(learned_fix_allows_exactly_the_call_agent)
{
	check_fixes("agent");
}

TEST(learned_fix_allows_exactly_the_call_strict)
{
	check_fixes("strict");
}

TEST(learned_fix_allows_exactly_the_call_minimal)
{
	check_fixes("minimal");
}

TEST(learner_yaml)
{
	stockade_plan *base = build("strict", NULL), *learned = NULL;
	struct sk_learner *l = NULL;
	struct sk_learn_meta meta = { .extends = "strict", .name = "my-tool", .command = "tool --flag\nnewline" };
	static const uint64_t none[SK_MAX_ARGS], exec[SK_MAX_ARGS] = { 0, 0x10 }, getpid_args[SK_MAX_ARGS];
	stockade_error *err = NULL;
	struct sk_event ev;
	const char *first;
	char *text = NULL;

	if (!base || sk_learner_new(base, &l) < 0)
		goto out;
	/* three calls by two processes, one entry */
	ev = event(base, "ptrace", none, 10);
	sk_learner_event(&ev, l);
	sk_learner_event(&ev, l);
	ev = event(base, "ptrace", none, 11);
	strcpy(ev.comm, "bad\ncomm");
	sk_learner_event(&ev, l);
	/* allowed by the base: counted, not written */
	ev = event(base, "getpid", getpid_args, 10);
	sk_learner_event(&ev, l);
	/* memfd_create is denied outright by strict: allow the name */
	ev = event(base, "memfd_create", exec, 12);
	sk_learner_event(&ev, l);
	/* a number nobody can name */
	ev = event(base, NULL, none, 13);
	sk_learner_event(&ev, l);
	CHECK_INT_EQ(sk_learner_entries(l), 2);
	CHECK_INT_EQ(sk_learner_calls(l), 6);
	CHECK_INT_EQ(sk_learner_unnamed(l), 1);
	CHECK_INT_EQ(sk_learner_yaml(l, &meta, &text, &err), 0);
	CHECK_STR_CONTAINS(text, "# Learned by `stockade learn` from a run of: tool --flag?newline\n");
	CHECK_STR_CONTAINS(text, "name: my-tool\nextends: strict\n");
	CHECK_STR_CONTAINS(text, "  allow:\n    - memfd_create # used by unit (pid 12), 1 call\n"
				 "    - ptrace # used by unit (pid 10), bad?comm (pid 11), 3 calls\n");
	CHECK_STR_CONTAINS(text, "# 1 call had numbers libseccomp cannot name");
	learned = text ? build(NULL, text) : NULL;
	if (learned)
		CHECK_INT_EQ(sk_learner_check(l, learned, &first), 0);
out:
	stockade_plan_free(learned);
	stockade_plan_free(base);
	stockade_error_free(err);
	free(text);
	sk_learner_free(l);
}
