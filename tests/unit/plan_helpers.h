/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the policy, plan and region tests: build a plan from
 * presets and policy text, and ask it what it does with a call.
 */
#ifndef STOCKADE_TEST_PLAN_HELPERS_H
#define STOCKADE_TEST_PLAN_HELPERS_H

#include <errno.h>
#include <stdarg.h>

#include "plan/plan.h"
#include "../harness.h"

#define ORIGIN "test.yaml"

/*
 * A plan from presets and texts: each argument is "preset:NAME" or policy
 * text (origin ORIGIN), pushed in order; the list ends with NULL.  Returns
 * NULL (and fails the test) if any step fails.
 */
static inline stockade_plan *plan_from(const char *first, ...)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	va_list ap;
	int ret = 0;

	if (stockade_policy_new(&p, &err) < 0)
		goto fail;
	va_start(ap, first);
	for (const char *s = first; s && ret == 0; s = va_arg(ap, const char *)) {
		if (strncmp(s, "preset:", 7) == 0)
			ret = stockade_policy_add_preset(p, s + 7, &err);
		else
			ret = stockade_policy_add_text(p, ORIGIN, s, strlen(s), &err);
	}
	va_end(ap);
	if (ret < 0 || stockade_plan_build(p, &plan, &err) < 0)
		goto fail;
	stockade_policy_free(p);
	return plan;
fail:
	CHECK_MSG(false, "building the plan: %s", err && err->msg ? err->msg : "(no message)");
	stockade_error_free(err);
	stockade_policy_free(p);
	return NULL;
}

/* The plan for an optional preset plus optional text. */
static inline stockade_plan *plan_of(const char *preset, const char *text)
{
	char buf[64];

	if (preset) {
		snprintf(buf, sizeof(buf), "preset:%s", preset);
		return plan_from(buf, text, (const char *)NULL);
	}
	return plan_from(text, (const char *)NULL);
}

/* An action from its policy spelling; a typo in a test fails the test. */
static inline struct sk_action act(const char *s)
{
	struct sk_action a = { .type = SK_ACT_KILL_THREAD, .errnum = -1 };

	CHECK_MSG(sk_action_parse(s, &a) == 0, "bad action in a test: %s", s);
	return a;
}

/* Does `name(a0, a1, a2, 0, 0, 0)` get `want`?  Says what it got if not. */
static inline bool decides(const stockade_plan *plan, const char *name, const char *want, uint64_t a0, uint64_t a1,
			   uint64_t a2)
{
	uint64_t args[SK_MAX_ARGS] = { a0, a1, a2 };
	struct sk_verdict v;
	char buf[64];

	if (!plan)
		return false;
	sk_plan_decide(plan, name, args, &v);
	if (sk_action_eq(v.action, act(want)))
		return true;
	fprintf(stderr, "  %s(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ") -> %s, want %s\n", name, a0, a1, a2,
		sk_action_format(v.action, buf, sizeof(buf)), want);
	return false;
}

#define DECIDES(plan, name, want, ...) CHECK(decides(plan, name, want, __VA_ARGS__))

/* A syscall the plan does not mention (so the default decides it). */
static inline const char *unmentioned(const stockade_plan *plan)
{
	for (const char *const *n = sk_syscall_all(); plan && n && *n; n++)
		if (!sk_plan_lookup(plan, *n))
			return *n;
	CHECK(!"every syscall is mentioned");
	return "read";
}

/* Build a plan that must fail; returns the error (caller frees). */
static inline stockade_error *plan_error(const char *first, ...)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_error *err = NULL;
	va_list ap;
	int ret = 0;

	CHECK(stockade_policy_new(&p, NULL) == 0);
	va_start(ap, first);
	for (const char *s = first; s && ret == 0; s = va_arg(ap, const char *)) {
		if (strncmp(s, "preset:", 7) == 0)
			ret = stockade_policy_add_preset(p, s + 7, &err);
		else
			ret = stockade_policy_add_text(p, ORIGIN, s, strlen(s), &err);
	}
	va_end(ap);
	CHECK_MSG(ret == 0, "adding a layer: %s", err && err->msg ? err->msg : "");
	if (ret == 0) {
		ret = stockade_plan_build(p, &plan, &err);
		CHECK_MSG(ret < 0, "the plan was built");
		CHECK(plan == NULL);
		CHECK(err != NULL);
		CHECK(err == NULL || err->status == -ret);
	}
	stockade_plan_free(plan);
	stockade_policy_free(p);
	return err;
}

#endif
