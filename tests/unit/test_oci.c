/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OCI / Docker seccomp profiles: every field the importer reads, every
 * error it must give, the semantics it must reproduce (runc and crun on
 * libseccomp, after Docker's resolution), and loading one through a policy;
 * the export and the round trip are in test_oci_export.c.  Expectations are
 * written from the OCI runtime spec, Docker's profile format and
 * libseccomp's documented behaviour.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <ftw.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "base/json.h"
#include "policy/oci.h"
#include "plan_helpers.h"
#include "seccomp/sim.h"

static const struct sk_oci_env env_x86 = {
	.arch = SCMP_ARCH_X86_64, .caps = 0, .kernel_major = 6, .kernel_minor = 1,
};

/* Import `json` and build the plan; NULL (with *errp set if given) on error. */
static stockade_plan *oci_plan_env(const char *json, const struct sk_oci_env *env, stockade_error **errp)
{
	struct sk_layer *l = NULL;
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;

	if (sk_oci_import("profile.json", json, strlen(json), env, &l, &err) < 0)
		goto out;
	if (stockade_policy_new(&p, &err) < 0 || sk_policy_push(p, l, &err) < 0 ||
	    stockade_plan_build(p, &plan, &err) < 0)
		plan = NULL;
out:
	if (errp)
		*errp = err;
	else
		stockade_error_free(err);
	stockade_policy_free(p);
	return plan;
}

static stockade_plan *oci_plan(const char *json)
{
	stockade_error *err = NULL;
	stockade_plan *plan = oci_plan_env(json, &env_x86, &err);

	CHECK_MSG(plan != NULL, "import failed: %s", err && err->msg ? err->msg : "?");
	stockade_error_free(err);
	return plan;
}

/* The import must fail, with a message containing `want` at line:col. */
static void import_fails(const char *json, const char *want, int line, int col)
{
	stockade_error *err = NULL;
	stockade_plan *plan = oci_plan_env(json, &env_x86, &err);

	CHECK_MSG(plan == NULL, "imported, but should fail with \"%s\"", want);
	CHECK_STR_CONTAINS(err ? err->msg : NULL, want);
	if (err && line) {
		CHECK_MSG(err->line == line && err->column == col, "\"%s\": at %d:%d, want %d:%d", err->msg,
			  err->line, err->column, line, col);
		CHECK(err->file && !strcmp(err->file, "profile.json"));
	}
	stockade_error_free(err);
	stockade_plan_free(plan);
}

/* ---- fields ---- */

TEST(oci_default_action_and_errno)
{
	stockade_plan *plan;

	plan = oci_plan("{\"defaultAction\": \"SCMP_ACT_ERRNO\"}");
	CHECK(plan && plan->default_action.type == SK_ACT_ERRNO && plan->default_action.errnum == EPERM);
	CHECK(plan && plan->seccomp_enabled);
	stockade_plan_free(plan);
	plan = oci_plan("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38}");
	CHECK(plan && plan->default_action.errnum == ENOSYS);
	CHECK(plan && plan->default_at.line == 1 && plan->default_at.column == 19);
	stockade_plan_free(plan);
	/* containers/common's errno names, consistent with the number. */
	plan = oci_plan("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"defaultErrno\": \"ENOSYS\"}");
	CHECK(plan && plan->default_action.errnum == ENOSYS);
	stockade_plan_free(plan);
	plan = oci_plan("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrno\": \"EACCES\"}");
	CHECK(plan && plan->default_action.errnum == EACCES);
	stockade_plan_free(plan);
	/* SCMP_ACT_KILL is libseccomp's kill-thread. */
	plan = oci_plan("{\"defaultAction\": \"SCMP_ACT_KILL\"}");
	CHECK(plan && plan->default_action.type == SK_ACT_KILL_THREAD);
	stockade_plan_free(plan);
	plan = oci_plan("{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\"}");
	CHECK(plan && plan->default_action.type == SK_ACT_KILL_PROCESS);
	stockade_plan_free(plan);
	plan = oci_plan("{\"defaultAction\": \"SCMP_ACT_LOG\"}");
	CHECK(plan && plan->default_action.type == SK_ACT_LOG);
	stockade_plan_free(plan);
	plan = oci_plan("{\"defaultAction\": \"SCMP_ACT_TRAP\"}");
	CHECK(plan && plan->default_action.type == SK_ACT_TRAP);
	stockade_plan_free(plan);
}

TEST(oci_every_entry_field)
{
	static const char json[] =
		"{\n"
		"  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
		"  \"defaultErrnoRet\": 38,\n"
		"  \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],\n"
		"  \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],\n"
		"  \"listenerPath\": \"\",\n"
		"  \"syscalls\": [\n"
		"    {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": null, \"comment\": \"\"},\n"
		"    {\"name\": \"getpid\", \"action\": \"SCMP_ACT_LOG\", \"args\": []},\n"
		"    {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13,\n"
		"     \"comment\": \"no mounts\", \"includes\": {}, \"excludes\": {}},\n"
		"    {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
		"     \"args\": [{\"index\": 0, \"value\": 8, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}]},\n"
		"    {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"comment\": \"no namespaces\",\n"
		"     \"args\": [{\"index\": 0, \"value\": 2114060288, \"op\": \"SCMP_CMP_MASKED_EQ\"}]},\n"
		"    {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 97,\n"
		"     \"args\": [{\"index\": 0, \"value\": 16, \"op\": \"SCMP_CMP_GE\"},\n"
		"              {\"index\": 2, \"value\": 18446744073709551615, \"op\": \"SCMP_CMP_NE\"}]},\n"
		"    {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_TRAP\"},\n"
		"    {\"names\": [\"tkill\"], \"action\": \"SCMP_ACT_KILL_THREAD\"},\n"
		"    {\"names\": [\"tgkill\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"},\n"
		"    {\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, \"value\": 5, \"op\": \"SCMP_CMP_LT\"}]},\n"
		"    {\"names\": [\"dup2\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, \"value\": 5, \"op\": \"SCMP_CMP_LE\"}]},\n"
		"    {\"names\": [\"dup3\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 1, \"value\": 5, \"op\": \"SCMP_CMP_GT\"}]}\n"
		"  ]\n"
		"}\n";
	stockade_plan *plan = oci_plan(json);
	const struct sk_plan_entry *e;
	struct sk_verdict v;
	uint64_t a[6] = { 0 };

	if (!plan)
		return;
	CHECK(plan->compat == SK_COMPAT_FILTER);
	CHECK(decides(plan, "read", "allow", 0, 0, 0));
	CHECK(decides(plan, "write", "allow", 0, 0, 0));
	CHECK(decides(plan, "getpid", "log", 0, 0, 0));
	CHECK(decides(plan, "mount", "errno:EACCES", 0, 0, 0));
	CHECK(decides(plan, "openat", "errno:ENOSYS", 0, 0, 0));
	CHECK(decides(plan, "personality", "allow", 8, 0, 0));
	CHECK(decides(plan, "personality", "errno:ENOSYS", 9, 0, 0));
	/* MASKED_EQ: value is the mask, valueTwo (absent: 0) the result. */
	CHECK(decides(plan, "clone", "allow", 0x11, 0, 0));
	CHECK(decides(plan, "clone", "errno:ENOSYS", 0x10000000, 0, 0));
	/* Arguments of one entry are ANDed; 64-bit values are read whole. */
	CHECK(decides(plan, "socket", "errno:EAFNOSUPPORT", 16, 0, 0));
	CHECK(decides(plan, "socket", "errno:ENOSYS", 16, 0, UINT64_MAX));
	CHECK(decides(plan, "socket", "errno:ENOSYS", 15, 0, 0));
	CHECK(decides(plan, "kill", "trap", 0, 0, 0));
	CHECK(decides(plan, "tkill", "kill-thread", 0, 0, 0));
	CHECK(decides(plan, "tgkill", "kill", 0, 0, 0));
	CHECK(decides(plan, "dup", "allow", 0, 4, 0));
	CHECK(decides(plan, "dup", "errno:ENOSYS", 0, 5, 0));
	CHECK(decides(plan, "dup2", "allow", 0, 5, 0));
	CHECK(decides(plan, "dup2", "errno:ENOSYS", 0, 6, 0));
	CHECK(decides(plan, "dup3", "allow", 0, 6, 0));
	CHECK(decides(plan, "dup3", "errno:ENOSYS", 0, 5, 0));
	/* Origins point at the name in the profile; comments become reasons. */
	sk_plan_decide(plan, "mount", a, &v);
	CHECK(v.at.file && !strcmp(v.at.file, "profile.json") && v.at.line == 10 && v.at.column == 16);
	a[0] = 0x11;
	sk_plan_decide(plan, "clone", a, &v);
	CHECK(v.reason && !strcmp(v.reason, "no namespaces"));
	CHECK(v.at.line == 14);
	e = sk_plan_lookup(plan, "write");
	CHECK(e && e->base_at.line == 8 && e->base_at.column == 24);
	stockade_plan_free(plan);
}

TEST(oci_errors_unknown_keys)
{
	import_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultActon\": 1}", "unknown key `defaultActon`", 1, 37);
	import_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
		     "\"SCMP_ACT_ERRNO\", \"errnoret\": 1}]}",
		     "did you mean `errnoRet`", 1, 98);
	import_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
		     "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\", \"mask\": 3}]}]}",
		     "unknown key `mask` in an argument condition", 0, 0);
	import_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
		     "\"SCMP_ACT_ERRNO\", \"includes\": {\"kernel\": \"4.8\"}}]}",
		     "unknown key `kernel` in includes", 0, 0);
	import_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", "
		     "\"subArches\": []}]}",
		     "unknown key `subArches` in an archMap entry", 0, 0);
	import_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}", "syscalls must be an array", 1, 49);
}

TEST(oci_errors_values)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "{}", "no `defaultAction`" },
		{ "[]", "a seccomp profile is a JSON object" },
		{ "{\"defaultAction\": \"SCMP_ACT_DENY\"}", "unknown action `SCMP_ACT_DENY`" },
		{ "{\"defaultAction\": \"SCMP_ACT_TRACE\"}", "SCMP_ACT_TRACE hands the call to a ptrace tracer" },
		{ "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "SCMP_ACT_NOTIFY needs a supervisor" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1}", "only SCMP_ACT_ERRNO does" },
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 0}", "defaultErrnoRet 0" },
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 4096}", "at most 4095" },
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}", "unsigned integer" },
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1.5}", "unsigned integer" },
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1, \"defaultErrno\": \"EIO\"}",
		  "contradicts defaultErrnoRet 1" },
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrno\": \"ENOPE\"}", "unknown errno name `ENOPE`" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}",
		  "unknown seccomp flag" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/agent.sock\"}", "SCMP_ACT_NOTIFY" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_NATIVE\"]}",
		  "unknown architecture `SCMP_ARCH_NATIVE`" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\"], \"archMap\": "
		  "[{\"architecture\": \"SCMP_ARCH_X86_64\"}]}",
		  "both `architectures` and `archMap`" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": \"SCMP_ACT_ERRNO\"}]}", "names no syscall" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"]}]}", "has no `action`" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"name\": \"read\", \"names\": [\"read\"], "
		  "\"action\": \"SCMP_ACT_ERRNO\"}]}",
		  "both `name` and `names`" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
		  " \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		  "index must be at most 5" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
		  " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_MASKED\"}]}]}",
		  "unknown comparison `SCMP_CMP_MASKED`" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
		  " \"args\": [{\"index\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		  "needs `index`, `value` and `op`" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
		  " \"args\": [{\"index\": 0, \"value\": 18446744073709551616, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		  "value must be an unsigned integer" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
		  " \"includes\": {\"arches\": [\"amd65\"]}}]}",
		  "unknown architecture `amd65`" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
		  " \"excludes\": {\"caps\": [\"CAP_SYS_ADMN\"]}}]}",
		  "unknown capability `CAP_SYS_ADMN`" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
		  " \"includes\": {\"minKernel\": \"4\"}}]}",
		  "minKernel `4` is not" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
		  " \"includes\": {\"minKernel\": \"0.0\"}}]}",
		  "minKernel `0.0` is not" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		  "an empty syscall name" },
		{ "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\","
		  " \"errnoRet\": 1}]}",
		  "only SCMP_ACT_ERRNO does" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		import_fails(cases[i].json, cases[i].want, 0, 0);
}

TEST(oci_errors_json)
{
	import_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [,]}", "invalid JSON", 2, 16);
	import_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultAction\": \"SCMP_ACT_ERRNO\"}",
		     "appears twice", 1, 37);
	import_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\"} x", "unexpected text after", 1, 37);
	import_fails("{\"defaultAction\": \"SCMP_\\u0000\"}", "\\u0000", 0, 0);
	import_fails("", "unexpected end of input", 1, 1);
}

/* ---- semantics ---- */

TEST(oci_entries_restating_the_default_are_dropped)
{
	/* runc and crun skip them (libseccomp refuses them): the other entry
	 * for socket decides alone. */
	stockade_plan *plan = oci_plan("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
				       "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
				       "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},"
				       "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");

	CHECK(decides(plan, "socket", "errno:EPERM", 1, 0, 0));
	CHECK(decides(plan, "socket", "errno:EPERM", 2, 0, 0));
	stockade_plan_free(plan);
}

TEST(oci_first_unconditional_entry_wins)
{
	/* libseccomp keeps the first unconditional rule of a syscall and
	 * ignores later ones and every conditional one, in any order. */
	stockade_plan *plan = oci_plan("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
				       "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13, \"args\": "
				       "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},"
				       "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 2},"
				       "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 3}]}");

	CHECK(decides(plan, "socket", "errno:ENOENT", 1, 0, 0));
	CHECK(decides(plan, "socket", "errno:ENOENT", 5, 0, 0));
	stockade_plan_free(plan);
}

TEST(oci_conditional_entries_are_ored)
{
	stockade_plan *plan = oci_plan("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
				       "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
				       "[{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]},"
				       "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
				       "[{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]},"
				       /* overlapping, same action: fine, and the covered one adds nothing */
				       "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
				       "[{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_LE\"}]},"
				       "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
				       "[{\"index\": 0, \"value\": 4, \"op\": \"SCMP_CMP_EQ\"}]}]}");
	const struct sk_plan_entry *e = sk_plan_lookup(plan, "personality");

	CHECK(decides(plan, "personality", "allow", 0, 0, 0));
	CHECK(decides(plan, "personality", "allow", 8, 0, 0));
	CHECK(decides(plan, "personality", "allow", 5, 0, 0));
	CHECK(decides(plan, "personality", "errno:EPERM", 9, 0, 0));
	CHECK(e && e->nrules == 3);
	stockade_plan_free(plan);
}

TEST(oci_same_argument_twice_is_an_or)
{
	/* runc and crun: two conditions on one argument make one rule each. */
	stockade_plan *plan = oci_plan("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
				       "{\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
				       "{\"index\": 1, \"value\": 21522, \"op\": \"SCMP_CMP_EQ\"},"
				       "{\"index\": 1, \"value\": 21532, \"op\": \"SCMP_CMP_EQ\"}]}]}");

	CHECK(decides(plan, "ioctl", "errno:EPERM", 0, 21522, 0));
	CHECK(decides(plan, "ioctl", "errno:EPERM", 0, 21532, 0));
	CHECK(decides(plan, "ioctl", "allow", 0, 21523, 0));
	stockade_plan_free(plan);
}

TEST(oci_overlaps_of_different_actions_are_refused)
{
	/* libseccomp orders these by its own tree: no defined meaning. */
	import_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [\n"
		     "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1, \"args\": "
		     "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},\n"
		     "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 2, \"args\": "
		     "[{\"index\": 1, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		     "can match the same `socket` call with different actions", 3, 12);
	/* Disjoint ones are fine (Docker's socket/AUDIT_WRITE entries). */
	stockade_plan *plan = oci_plan("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"syscalls\": [\n"
				       "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 22, \"args\": "
				       "[{\"index\": 0, \"value\": 16, \"op\": \"SCMP_CMP_EQ\"},"
				       "{\"index\": 2, \"value\": 9, \"op\": \"SCMP_CMP_EQ\"}]},\n"
				       "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
				       "[{\"index\": 2, \"value\": 9, \"op\": \"SCMP_CMP_NE\"}]},\n"
				       "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
				       "[{\"index\": 0, \"value\": 16, \"op\": \"SCMP_CMP_NE\"}]},\n"
				       "{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
				       "[{\"index\": 2, \"value\": 9, \"op\": \"SCMP_CMP_NE\"}]}]}");
	CHECK(decides(plan, "socket", "errno:EINVAL", 16, 3, 9));
	CHECK(decides(plan, "socket", "allow", 16, 3, 0));
	CHECK(decides(plan, "socket", "allow", 2, 3, 9));
	stockade_plan_free(plan);
}

TEST(oci_unknown_names_are_skipped_and_listed)
{
	static const char json[] = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
				   "{\"names\": [\"read\", \"no_such_syscall_yet\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";
	struct sk_layer *l = NULL;
	stockade_error *err = NULL;

	CHECK_INT_EQ(sk_oci_import("p.json", json, strlen(json), &env_x86, &l, &err), 0);
	CHECK_STR_CONTAINS(l ? l->description : NULL, "no_such_syscall_yet");
	CHECK(l && l->nallow == 1 && !strcmp(l->allow[0].name, "read"));
	CHECK_STR_CONTAINS(l ? l->name : NULL, "oci:p.json");
	sk_layer_free(l);
	stockade_error_free(err);
}

TEST(oci_architectures_map_to_compat)
{
	static const char *const listed[] = {
		"\"architectures\": [\"SCMP_ARCH_X86_64\"]",
		"\"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]",
		"\"architectures\": [\"x86_64\", \"x86\"]", /* crun's spelling; partial */
		("\"archMap\": [{\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": [\"SCMP_ARCH_ARM\"]},"
		 "{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]}]"),
		"\"archMap\": [{\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": [\"SCMP_ARCH_ARM\"]}]",
	};
	static const enum sk_compat want[] = { SK_COMPAT_REFUSE, SK_COMPAT_FILTER, SK_COMPAT_REFUSE, SK_COMPAT_FILTER,
					       SK_COMPAT_REFUSE };

	for (size_t i = 0; i < ARRAY_SIZE(listed); i++) {
		char json[512];
		stockade_plan *plan;

		snprintf(json, sizeof(json), "{\"defaultAction\": \"SCMP_ACT_ALLOW\", %s}", listed[i]);
		plan = oci_plan(json);
		CHECK_MSG(plan && plan->compat == want[i], "case %zu", i);
		stockade_plan_free(plan);
	}
	/* On aarch64, the arm entry point. */
	struct sk_oci_env arm = env_x86;
	arm.arch = SCMP_ARCH_AARCH64;
	stockade_plan *plan = oci_plan_env("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [{\"architecture\": "
					   "\"SCMP_ARCH_AARCH64\", \"subArchitectures\": [\"SCMP_ARCH_ARM\"]}]}",
					   &arm, NULL);
	CHECK(plan && plan->compat == SK_COMPAT_FILTER);
	stockade_plan_free(plan);
}

TEST(oci_includes_and_excludes)
{
	static const char json[] =
		"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		"{\"names\": [\"arch_prctl\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"arches\": [\"amd64\", \"x32\"]}},"
		"{\"names\": [\"sync_file_range\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"arches\": [\"arm64\"]}},"
		"{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
		"{\"names\": [\"kcmp\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": [\"CAP_SYS_PTRACE\", "
		"\"CAP_SYS_ADMIN\"]}},"
		"{\"names\": [\"chroot\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13, \"excludes\": {\"caps\": "
		"[\"CAP_SYS_CHROOT\", \"CAP_SYS_ADMIN\"]}},"
		"{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"4.8\"}},"
		"{\"names\": [\"bpf\"], \"action\": \"SCMP_ACT_ALLOW\", \"excludes\": {\"minKernel\": \"5.10\"}}]}";
	struct sk_oci_env env = env_x86;
	stockade_plan *plan;

	/* x86_64, no capabilities, Linux 6.1. */
	plan = oci_plan_env(json, &env, NULL);
	CHECK(decides(plan, "arch_prctl", "allow", 0, 0, 0));
	CHECK(decides(plan, "sync_file_range", "allow", 0, 0, 0));
	CHECK(decides(plan, "mount", "errno:EPERM", 0, 0, 0));
	CHECK(decides(plan, "kcmp", "errno:EPERM", 0, 0, 0));
	CHECK(decides(plan, "chroot", "errno:EACCES", 0, 0, 0));
	CHECK(decides(plan, "ptrace", "allow", 0, 0, 0));
	CHECK(decides(plan, "bpf", "errno:EPERM", 0, 0, 0));
	stockade_plan_free(plan);

	/* aarch64, CAP_SYS_ADMIN only (all of includes.caps are needed; any of
	 * excludes.caps is enough), Linux 4.4. */
	env.arch = SCMP_ARCH_AARCH64;
	env.caps = 1ULL << sk_cap_lookup("CAP_SYS_ADMIN");
	env.kernel_major = 4;
	env.kernel_minor = 4;
	plan = oci_plan_env(json, &env, NULL);
	CHECK(decides(plan, "sync_file_range", "errno:EPERM", 0, 0, 0));
	CHECK(decides(plan, "mount", "allow", 0, 0, 0));
	CHECK(decides(plan, "kcmp", "errno:EPERM", 0, 0, 0));
	CHECK(decides(plan, "chroot", "errno:EPERM", 0, 0, 0));
	CHECK(decides(plan, "ptrace", "errno:EPERM", 0, 0, 0));
	CHECK(decides(plan, "bpf", "allow", 0, 0, 0));
	stockade_plan_free(plan);
}

/* ---- loading through a policy ---- */

static char *tmpdir_with(const char *name, const char *text)
{
	char tmpl[] = "/tmp/stockade-oci-XXXXXX", path[512];
	char *dir = mkdtemp(tmpl) ? strdup(tmpl) : NULL;
	FILE *f;

	if (!dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	return dir;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

TEST(oci_extends_and_layers_on_top)
{
	char *dir = tmpdir_with("docker.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [\n"
					       "  {\"names\": [\"read\", \"write\", \"mount\"], \"action\": \"SCMP_ACT_ALLOW\"}]}\n");
	char path[600], yaml[800];
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	struct sk_verdict v;
	uint64_t a[6] = { 0 };

	if (!dir)
		return;
	/* A relative oci: path is relative to the policy file. */
	snprintf(yaml, sizeof(yaml), "version: 1\nextends: oci:docker.json\nseccomp:\n  deny: [mount]\n");
	snprintf(path, sizeof(path), "%s/p.yaml", dir);
	FILE *f = fopen(path, "we");
	if (f) {
		fputs(yaml, f);
		fclose(f);
	}
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK_INT_EQ(stockade_policy_add_file(p, path, &err), 0);
	CHECK_INT_EQ(stockade_plan_build(p, &plan, &err), 0);
	if (err)
		fprintf(stderr, "  %s\n", err->msg);
	CHECK(decides(plan, "read", "allow", 0, 0, 0));
	CHECK(decides(plan, "mount", "errno:EPERM", 0, 0, 0));
	CHECK(decides(plan, "openat", "errno:EPERM", 0, 0, 0));
	sk_plan_decide(plan, "write", a, &v);
	CHECK(v.at.file && strstr(v.at.file, "docker.json") && v.at.line == 2);
	stockade_plan_free(plan);
	stockade_policy_free(p);
	p = NULL;

	/* A missing profile names itself and the extends line. */
	snprintf(yaml, sizeof(yaml), "version: 1\nextends: oci:missing.json\n");
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(stockade_policy_add_text(p, "t.yaml", yaml, strlen(yaml), &err) < 0);
	CHECK_STR_CONTAINS(err ? err->msg : NULL, "missing.json");
	CHECK(err && err->line == 2);
	stockade_error_free(err);
	err = NULL;
	stockade_policy_free(p);

	/* The settings apply to profiles pushed after them. */
	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK_INT_EQ(stockade_policy_set_oci_caps(p, "sys_admin,CAP_SYS_PTRACE", NULL), 0);
	CHECK(p->oci_caps == ((1ULL << 21) | (1ULL << 19)));
	CHECK_INT_EQ(stockade_policy_set_oci_caps(p, "CAP_NOPE", &err), -EINVAL);
	CHECK_STR_CONTAINS(err ? err->msg : NULL, "CAP_NOPE");
	stockade_error_free(err);
	err = NULL;
	CHECK_INT_EQ(stockade_policy_set_oci_kernel(p, "5.15.0-91-generic", NULL), 0);
	CHECK_INT_EQ(stockade_policy_set_oci_kernel(p, "five", NULL), -EINVAL);
	CHECK_INT_EQ(stockade_policy_set_oci_arch(p, SCMP_ARCH_AARCH64, NULL), 0);
	struct sk_oci_env env;
	CHECK_INT_EQ(sk_oci_env_of(p, &env, NULL), 0);
	CHECK(env.arch == SCMP_ARCH_AARCH64 && env.kernel_major == 5 && env.kernel_minor == 15);
	stockade_policy_free(p);
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(dir);
}
