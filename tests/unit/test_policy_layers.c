/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Policies of several layers: `extends` (presets, files, OCI profiles,
 * chains and their order), a policy that uses every key over agent and the
 * spellings of its values, and the command-line overrides.  Expected
 * decisions are written out by hand here; sk_plan_decide() is only the
 * thing under test.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "plan_helpers.h"
#include "policy_files.h"

static const uint64_t no_args[SK_MAX_ARGS];

/* ---- extends ---- */

TEST(policy_extends_unknown_preset)
{
	stockade_policy *p = NULL;
	stockade_error *err = NULL;
	static const char text[] = "version: 1\nextends: agnet\n";

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK_INT_EQ(stockade_policy_add_text(p, ORIGIN, text, strlen(text), &err), -ENOENT);
	CHECK(err && strcmp(err->msg, ORIGIN ":2:10: extends: unknown preset `agnet`, did you mean `agent`?") == 0);
	CHECK(err && err->line == 2 && err->column == 10 && err->file && strcmp(err->file, ORIGIN) == 0);
	CHECK(err && err->source_line && strcmp(err->source_line, "extends: agnet") == 0);
	CHECK_INT_EQ(p->nlayers, 0);
	stockade_error_free(err);
	stockade_policy_free(p);
}

/* `extends: oci:PATH` names an OCI (Docker, Podman) profile, not a preset or
 * a policy: one that cannot be read is refused, saying which, at the line. */
TEST(policy_extends_oci)
{
	static const char text[] = "version: 1\nextends: \"oci:/nonexistent/stockade-test/profile.json\"\n";
	stockade_policy *p = NULL;
	stockade_error *err = NULL;
	int ret;

	CHECK(stockade_policy_new(&p, NULL) == 0);
	ret = stockade_policy_add_text(p, ORIGIN, text, strlen(text), &err);
	CHECK(ret < 0);
	CHECK(err && err->status == -ret);
	CHECK_STR_CONTAINS(err ? err->msg : NULL, ORIGIN ":2:");
	CHECK_STR_CONTAINS(err ? err->msg : NULL, "/nonexistent/stockade-test/profile.json");
	CHECK(err && err->line == 2 && err->file && strcmp(err->file, ORIGIN) == 0);
	CHECK_INT_EQ(p->nlayers, 0);
	stockade_error_free(err);
	stockade_policy_free(p);
}

TEST(policy_extends_files)
{
	char dir[256], path[512], msg[1024];
	stockade_policy *p = NULL;
	stockade_error *err;
	int ret;

	if (!make_tmpdir(dir, sizeof(dir)))
		return;
	/* A missing file, named relative to the includer. */
	write_file(dir, "a.yaml", "version: 1\nextends: missing.yaml\n");
	snprintf(path, sizeof(path), "%s/a.yaml", dir);
	err = load_file(path, &p, &ret);
	CHECK_INT_EQ(ret, -ENOENT);
	snprintf(msg, sizeof(msg), "%s:2:10: extends: cannot open policy %s/missing.yaml: No such file or directory",
		 path, dir);
	CHECK_MSG(err && strcmp(err->msg, msg) == 0, "%s", err ? err->msg : "");
	CHECK(err && err->line == 2 && err->column == 10 && err->file && strcmp(err->file, path) == 0);
	CHECK_INT_EQ(p->nlayers, 0);
	stockade_error_free(err);
	stockade_policy_free(p);

	/* A policy that includes itself, directly or through another. */
	write_file(dir, "self.yaml", "extends: self.yaml\n");
	snprintf(path, sizeof(path), "%s/self.yaml", dir);
	err = load_file(path, &p, &ret);
	CHECK_INT_EQ(ret, -ELOOP);
	CHECK(err && err->status == ELOOP);
	snprintf(msg, sizeof(msg), "%s: extends is nested more than 16 deep (does a policy include itself?)", path);
	CHECK_MSG(err && strstr(err->msg, msg), "%s", err ? err->msg : "");
	CHECK_INT_EQ(p->nlayers, 0);
	stockade_error_free(err);
	stockade_policy_free(p);

	write_file(dir, "ping.yaml", "extends: ./pong.yaml\n");
	write_file(dir, "pong.yaml", "extends: ping.yaml\n");
	snprintf(path, sizeof(path), "%s/ping.yaml", dir);
	err = load_file(path, &p, &ret);
	CHECK_INT_EQ(ret, -ELOOP);
	CHECK_STR_CONTAINS(err ? err->msg : NULL, "nested more than 16 deep");
	CHECK_INT_EQ(p->nlayers, 0);
	stockade_error_free(err);
	stockade_policy_free(p);

	/* A broken file deep in a chain: nothing of the chain is applied,
	 * layers already there stay. */
	write_file(dir, "top.yaml", "extends: mid.yaml\nseccomp:\n  allow: [ptrace]\n");
	write_file(dir, "mid.yaml", "extends: bad.yaml\n");
	write_file(dir, "bad.yaml", "extends: agent\nseccomp:\n  deny: [memfd_creat]\n");
	snprintf(path, sizeof(path), "%s/top.yaml", dir);
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "minimal", NULL) == 0);
	err = NULL;
	CHECK_INT_EQ(stockade_policy_add_file(p, path, &err), -EINVAL);
	snprintf(msg, sizeof(msg), "%s/bad.yaml:3:10: unknown syscall `memfd_creat`, did you mean `memfd_create`?",
		 dir);
	CHECK_MSG(err && strcmp(err->msg, msg) == 0, "%s", err ? err->msg : "");
	CHECK(err && err->line == 3 && err->column == 10);
	CHECK_INT_EQ(p->nlayers, 1);
	stockade_error_free(err);
	stockade_policy_free(p);

	rm_tree(dir);
}

TEST(policy_extends_chain_order)
{
	char dir[256], sub[300], path[512];
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err;
	int ret;

	if (!make_tmpdir(dir, sizeof(dir)))
		return;
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	CHECK(mkdir(sub, 0700) == 0);
	/* child (in sub/) -> ../parent.yaml -> sub/grand.yaml -> strict -> agent.
	 * Relative names resolve against the including file's directory, not
	 * the current directory. */
	write_file(sub, "child.yaml", "version: 1\nname: child\nextends: ../parent.yaml\nseccomp:\n"
				      "  allow: [memfd_create]\n  deny: [getpid]\n");
	write_file(dir, "parent.yaml",
		   "version: 1\nname: parent\nextends: sub/grand.yaml\nseccomp:\n  deny_action: errno:EACCES\n"
		   "  allow: [getpid, ptrace]\n  deny: [getppid]\n");
	write_file(sub, "grand.yaml", "version: 1\nextends: strict\nseccomp:\n  default_action: errno:ENXIO\n"
				      "  deny: [getppid, gettid]\n");
	snprintf(path, sizeof(path), "%s/child.yaml", sub);
	err = load_file(path, &p, &ret);
	CHECK_MSG(ret == 0, "%s", err ? err->msg : "");
	stockade_error_free(err);
	CHECK_INT_EQ(p->nlayers, 5);
	if (p->nlayers == 5) {
		CHECK(strcmp(p->layers[0]->file, "presets/agent.yaml") == 0);
		CHECK(strcmp(p->layers[1]->file, "presets/strict.yaml") == 0);
		CHECK_MSG(strstr(p->layers[2]->file, "grand.yaml") != NULL, "%s", p->layers[2]->file);
		CHECK_MSG(strstr(p->layers[3]->file, "parent.yaml") != NULL, "%s", p->layers[3]->file);
		CHECK(strcmp(p->layers[4]->file, path) == 0);
	}
	CHECK(strcmp(stockade_policy_name(p), "child") == 0);
	err = NULL;
	CHECK(stockade_plan_build(p, &plan, &err) == 0);
	stockade_error_free(err);
	if (plan) {
		CHECK(strcmp(plan->name, "child") == 0);
		/* grand's default wins over strict's; nobody above sets one. */
		DECIDES(plan, unmentioned(plan), "errno:ENXIO", 0, 0, 0);
		DECIDES(plan, "getpid", "errno:EACCES", 0, 0, 0);  /* child denies with parent's deny_action */
		DECIDES(plan, "getppid", "errno:EACCES", 0, 0, 0); /* parent re-denies: its deny_action */
		DECIDES(plan, "gettid", "errno:EPERM", 0, 0, 0);   /* grand denied it under agent's */
		DECIDES(plan, "ptrace", "allow", 0, 0, 0);	    /* strict denies, parent allows */
		DECIDES(plan, "memfd_create", "allow", 0, 0x10, 0); /* strict denies, child allows all */
		DECIDES(plan, "clone", "errno:EPERM", 0x10000000, 0, 0);
		DECIDES(plan, "clone", "allow", 17, 0, 0);
	}
	stockade_plan_free(plan);
	stockade_policy_free(p);

	/* A symlink to a policy loads like the file itself. */
	char link[512], target[512];
	snprintf(link, sizeof(link), "%s/link.yaml", dir);
	snprintf(target, sizeof(target), "%s/parent.yaml", dir);
	CHECK(symlink(target, link) == 0);
	err = load_file(link, &p, &ret);
	CHECK_MSG(ret == 0, "%s", err ? err->msg : "");
	stockade_error_free(err);
	CHECK_INT_EQ(p->nlayers, 4);
	plan = NULL;
	err = NULL;
	CHECK(stockade_plan_build(p, &plan, &err) == 0);
	stockade_error_free(err);
	DECIDES(plan, "getppid", "errno:EACCES", 0, 0, 0);
	DECIDES(plan, "ptrace", "allow", 0, 0, 0);
	stockade_plan_free(plan);
	stockade_policy_free(p);
	/* A dangling one fails like a missing file. */
	snprintf(link, sizeof(link), "%s/dangling.yaml", dir);
	snprintf(target, sizeof(target), "%s/nowhere.yaml", dir);
	CHECK(symlink(target, link) == 0);
	err = load_file(link, &p, &ret);
	CHECK_INT_EQ(ret, -ENOENT);
	stockade_error_free(err);
	stockade_policy_free(p);
	rm_tree(dir);
}

TEST(policy_extends_text_preset)
{
	stockade_plan *plan = plan_of(NULL, "version: 1\nname: mine\nextends: minimal\nseccomp:\n  deny: [getpid]\n");

	DECIDES(plan, "getpid", "errno:EPERM", 0, 0, 0);
	DECIDES(plan, "ptrace", "errno:EPERM", 0, 0, 0);
	DECIDES(plan, "bpf", "errno:EPERM", 0, 0, 0);
	DECIDES(plan, "io_uring_setup", "allow", 0, 0, 0); /* agent denies it, minimal does not */
	CHECK(plan && strcmp(plan->name, "mine") == 0);
	stockade_plan_free(plan);
	/* An overlay as the base of a policy goes on top of its own base. */
	plan = plan_of(NULL, "extends: debug\n");
	DECIDES(plan, "ptrace", "allow", 0, 0, 0);
	DECIDES(plan, "io_uring_setup", "errno:EPERM", 0, 0, 0);
	stockade_plan_free(plan);
}

/* Through the API a layer without `extends:` is taken as it is (the CLI's
 * --policy refuses it: src/cli/policy_opts.c); the policy remembers it. */
TEST(policy_api_layer_without_extends)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	static const char text[] = "version: 1\nseccomp:\n  deny: [getpid]\n";

	CHECK_INT_EQ(stockade_policy_new(&p, &err), 0);
	CHECK_INT_EQ(stockade_policy_add_text(p, "api.yaml", text, sizeof(text) - 1, &err), 0);
	CHECK(p && p->unanchored != NULL);
	CHECK_INT_EQ(stockade_plan_build(p, &plan, &err), 0);
	DECIDES(plan, "getpid", "errno:EPERM", 0, 0, 0);
	stockade_plan_free(plan);
	stockade_policy_free(p);
	/* On top of a preset it is no bottom layer. */
	CHECK_INT_EQ(stockade_policy_new(&p, &err), 0);
	CHECK_INT_EQ(stockade_policy_add_preset(p, "agent", &err), 0);
	CHECK_INT_EQ(stockade_policy_add_text(p, "api.yaml", text, sizeof(text) - 1, &err), 0);
	CHECK(p && p->unanchored == NULL);
	stockade_policy_free(p);
	stockade_error_free(err);
}

/* ---- a policy using every key ---- */

TEST(policy_every_key)
{
	static const char text[] = "version: 1\n"
				   "name: everything\n"
				   "description: uses every key once\n"
				   "extends: agent\n"
				   "seccomp:\n"
				   "  enabled: yes\n"
				   "  default_action: errno:ENOSYS\n"
				   "  deny_action: kill-thread\n"
				   "  compat_arches: filter\n"
				   "  allow: [\"@basic-io\", getpid, ptrace]\n"
				   "  deny:\n"
				   "    - \"@debug\"\n"
				   "    - getppid\n"
				   "  rules:\n"
				   "    - syscall: socket\n"
				   "      args: [\"arg0 == AF_UNIX\", \"arg1 & SOCK_CLOEXEC == SOCK_CLOEXEC\"]\n"
				   "      action: allow\n"
				   "      reason: local sockets, close-on-exec\n"
				   "    - syscall: socket\n"
				   "      action: errno:EACCES\n";
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	struct sk_verdict v;
	uint64_t args[SK_MAX_ARGS] = { 1, 02000001 };

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_text(p, ORIGIN, text, strlen(text), &err) == 0);
	CHECK_INT_EQ(p->nlayers, 2);
	if (p->nlayers == 2) {
		const struct sk_layer *l = p->layers[1];

		CHECK(strcmp(l->name, "everything") == 0);
		CHECK(strcmp(l->description, "uses every key once") == 0);
		CHECK(l->enabled_set && l->enabled);
		CHECK(l->default_set && l->default_at.line == 7 && l->default_at.column == 19);
		CHECK(l->deny_action_set && l->deny_action.type == SK_ACT_KILL_THREAD);
		CHECK(l->compat_set && l->compat == SK_COMPAT_FILTER && l->compat_at.line == 9);
		CHECK_INT_EQ(l->nallow, 3);
		CHECK_INT_EQ(l->ndeny, 2);
		/* A quoted name's column is its first letter, as in errors. */
		CHECK(l->nallow == 3 && strcmp(l->allow[0].name, "@basic-io") == 0 && l->allow[0].at.line == 10 &&
		      l->allow[0].at.column == 12);
		CHECK(l->nallow == 3 && strcmp(l->allow[1].name, "getpid") == 0 && l->allow[1].at.column == 24);
		CHECK(l->ndeny == 2 && strcmp(l->deny[1].name, "getppid") == 0 && l->deny[1].at.line == 13 &&
		      l->deny[1].at.column == 7);
		CHECK_INT_EQ(l->nrules, 2);
		if (l->nrules == 2) {
			CHECK(strcmp(l->rules[0].syscall, "socket") == 0);
			CHECK_INT_EQ(l->rules[0].nconds, 2);
			CHECK(l->rules[0].at.line == 15 && l->rules[0].at.column == 7);
			CHECK(strcmp(l->rules[0].reason, "local sockets, close-on-exec") == 0);
			CHECK(l->rules[1].reason == NULL && l->rules[1].nconds == 0);
		}
	}
	CHECK(stockade_plan_build(p, &plan, &err) == 0);
	if (err)
		fprintf(stderr, "  %s\n", err->msg);
	stockade_error_free(err);
	stockade_policy_free(p);
	if (!plan)
		return;
	CHECK(strcmp(plan->name, "everything") == 0);
	CHECK(plan->seccomp_enabled);
	CHECK(plan->compat == SK_COMPAT_FILTER && plan->compat_at.line == 9 &&
	      strcmp(plan->compat_at.file, ORIGIN) == 0);
	CHECK(plan->default_at.line == 7 && strcmp(plan->default_at.file, ORIGIN) == 0);
	DECIDES(plan, unmentioned(plan), "errno:ENOSYS", 0, 0, 0); /* mentioned nowhere */
	DECIDES(plan, "read", "allow", 0, 0, 0);
	DECIDES(plan, "getpid", "allow", 0, 0, 0);
	DECIDES(plan, "getppid", "kill-thread", 0, 0, 0);
	DECIDES(plan, "kcmp", "kill-thread", 0, 0, 0);
	DECIDES(plan, "ptrace", "allow", 0, 0, 0); /* the name beats @debug */
	DECIDES(plan, "socket", "allow", 1, 02000001, 0);
	DECIDES(plan, "socket", "errno:EACCES", 1, 1, 0);
	DECIDES(plan, "socket", "errno:EACCES", 2, 02000001, 0); /* before agent's AF_INET rule */
	DECIDES(plan, "mount", "errno:EPERM", 0, 0, 0);	  /* agent's deny stays */
	DECIDES(plan, "clone", "errno:EPERM", 0x10000000, 0, 0);
	sk_plan_decide(plan, "socket", args, &v);
	CHECK(v.rule && v.reason && strcmp(v.reason, "local sockets, close-on-exec") == 0);
	CHECK(v.at.line == 15 && v.at.column == 7 && strcmp(v.at.file, ORIGIN) == 0);
	sk_plan_decide(plan, "kcmp", no_args, &v);
	CHECK(v.rule == NULL && v.via && strcmp(v.via, "@debug") == 0 && v.at.line == 12);
	sk_plan_decide(plan, unmentioned(plan), no_args, &v);
	CHECK(v.at.line == 7 && v.via == NULL && v.rule == NULL);
	stockade_plan_free(plan);
}

TEST(policy_bool_spellings)
{
	static const char *const off[] = { "false", "no", "off" }, *const on[] = { "true", "yes", "on" };
	char text[128];

	for (size_t i = 0; i < ARRAY_SIZE(off); i++) {
		snprintf(text, sizeof(text), "seccomp:\n  enabled: %s\n  default_action: kill\n", off[i]);
		stockade_plan *plan = plan_of(NULL, text);
		CHECK(plan && !plan->seccomp_enabled);
		DECIDES(plan, "ptrace", "allow", 0, 0, 0);
		stockade_plan_free(plan);
		snprintf(text, sizeof(text), "seccomp:\n  enabled: %s\n  default_action: kill\n", on[i]);
		plan = plan_of(NULL, text);
		CHECK(plan && plan->seccomp_enabled);
		DECIDES(plan, "ptrace", "kill", 0, 0, 0);
		stockade_plan_free(plan);
	}
}

/* ---- command-line overrides ---- */

TEST(policy_overrides)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	const struct sk_plan_entry *e;

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "agent", NULL) == 0);
	CHECK(stockade_policy_allow(p, "memfd_create", NULL) == 0);
	CHECK(stockade_policy_deny(p, "getpid", NULL, NULL) == 0);
	CHECK(stockade_policy_deny(p, "gettid", "errno:EACCES", NULL) == 0);
	CHECK(stockade_policy_deny(p, "getppid", "kill", NULL) == 0);
	/* The last flag for a name wins... */
	CHECK(stockade_policy_deny(p, "getuid", NULL, NULL) == 0);
	CHECK(stockade_policy_allow(p, "getuid", NULL) == 0);
	CHECK(stockade_policy_allow(p, "getgid", NULL) == 0);
	CHECK(stockade_policy_deny(p, "getgid", "trap", NULL) == 0);
	/* ...including its action. */
	CHECK(stockade_policy_deny(p, "geteuid", "kill", NULL) == 0);
	CHECK(stockade_policy_deny(p, "geteuid", "errno:EACCES", NULL) == 0);
	CHECK(stockade_policy_allow(p, "@debug", NULL) == 0);
	CHECK(stockade_policy_deny(p, "ptrace", NULL, NULL) == 0);
	/* All flags share one layer on top. */
	CHECK_INT_EQ(p->nlayers, 2);
	CHECK(strcmp(p->layers[1]->file, "command line") == 0);
	CHECK(strcmp(stockade_policy_name(p), "agent") == 0);
	CHECK(stockade_plan_build(p, &plan, &err) == 0);
	stockade_error_free(err);
	stockade_policy_free(p);
	if (!plan)
		return;
	e = sk_plan_lookup(plan, "memfd_create");
	CHECK(e && e->nrules == 0 && e->has_base); /* agent's MFD_EXEC rule is gone */
	DECIDES(plan, "memfd_create", "allow", 0, 0x10, 0);
	DECIDES(plan, "getpid", "errno:EPERM", 0, 0, 0);
	DECIDES(plan, "gettid", "errno:EACCES", 0, 0, 0);
	DECIDES(plan, "getppid", "kill", 0, 0, 0);
	DECIDES(plan, "getuid", "allow", 0, 0, 0);
	DECIDES(plan, "getgid", "trap", 0, 0, 0);
	DECIDES(plan, "geteuid", "errno:EACCES", 0, 0, 0);
	DECIDES(plan, "kcmp", "allow", 0, 0, 0);
	DECIDES(plan, "ptrace", "errno:EPERM", 0, 0, 0);
	e = sk_plan_lookup(plan, "getpid");
	CHECK(e && e->base_at.file && strcmp(e->base_at.file, "command line") == 0 && e->base_at.line == 0);
	stockade_plan_free(plan);
}

TEST(policy_override_layers)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	static const char text[] = "seccomp:\n  deny_action: errno:EACCES\n  allow: [getpid]\n";

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "agent", NULL) == 0);
	CHECK(stockade_policy_deny(p, "getpid", NULL, NULL) == 0);
	/* A file after a flag goes above it; later flags get a new layer. */
	CHECK(stockade_policy_add_text(p, ORIGIN, text, strlen(text), NULL) == 0);
	CHECK(stockade_policy_deny(p, "gettid", NULL, NULL) == 0);
	CHECK_INT_EQ(p->nlayers, 4);
	CHECK(stockade_plan_build(p, &plan, NULL) == 0);
	DECIDES(plan, "getpid", "allow", 0, 0, 0);
	DECIDES(plan, "gettid", "errno:EACCES", 0, 0, 0);
	stockade_plan_free(plan);
	stockade_policy_free(p);
}

TEST(policy_override_errors)
{
	stockade_policy *p = NULL;
	stockade_error *err = NULL;

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK_INT_EQ(stockade_policy_allow(p, "memfd_creat", &err), -ENOENT);
	CHECK(err && strcmp(err->msg, "--allow memfd_creat: unknown syscall `memfd_creat`, did you mean "
				      "`memfd_create`?") == 0);
	CHECK_INT_EQ(stockade_policy_deny(p, "@mout", NULL, &err), -ENOENT);
	CHECK(err && strcmp(err->msg, "--deny @mout: unknown syscall group `@mout`, did you mean `@mount`?") == 0);
	CHECK_INT_EQ(stockade_policy_deny(p, "ptrace", "bogus", &err), -EINVAL);
	CHECK(err && strcmp(err->msg, "--deny ptrace: unknown action `bogus`") == 0);
	/* A deny that allows is no deny. */
	CHECK_INT_EQ(stockade_policy_deny(p, "ptrace", "allow", &err), -EINVAL);
	CHECK_STR_CONTAINS(err ? err->msg : NULL, "--deny ptrace:");
	CHECK_INT_EQ(stockade_policy_deny(p, "ptrace", "log", &err), -EINVAL);
	/* Nothing was added by the failures. */
	CHECK_INT_EQ(p->nlayers, 0);
	stockade_error_free(err);
	stockade_policy_free(p);
}

/* The same preset twice (`--preset agent --preset strict`) is not a
 * contradiction: each copy is its own layer. */
TEST(policy_same_source_twice)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "agent", NULL) == 0);
	CHECK(stockade_policy_add_preset(p, "strict", NULL) == 0);
	CHECK(sk_policy_materialize(p, NULL) == 0);
	CHECK_INT_EQ(p->nlayers, 3);
	CHECK_MSG(stockade_plan_build(p, &plan, &err) == 0, "%s", err ? err->msg : "");
	DECIDES(plan, "clone", "errno:EPERM", 0x10000000, 0, 0);
	DECIDES(plan, "clone", "allow", 17, 0, 0);
	stockade_plan_free(plan);
	stockade_error_free(err);
	stockade_policy_free(p);

	static const char text[] = "seccomp:\n  rules:\n    - syscall: socket\n      args: [\"arg0 == 1\"]\n"
				   "      action: kill\n    - syscall: socket\n      action: allow\n";
	plan = NULL;
	err = NULL;
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_text(p, ORIGIN, text, strlen(text), NULL) == 0);
	CHECK(stockade_policy_add_text(p, ORIGIN, text, strlen(text), NULL) == 0);
	CHECK_MSG(stockade_plan_build(p, &plan, &err) == 0, "%s", err ? err->msg : "");
	DECIDES(plan, "socket", "kill", 1, 0, 0);
	DECIDES(plan, "socket", "allow", 2, 0, 0);
	stockade_plan_free(plan);
	stockade_error_free(err);
	stockade_policy_free(p);
}
