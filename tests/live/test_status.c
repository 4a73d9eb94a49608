/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, the enforcement status as embedders read it (stockade.h:
 * stockade_plan_status() and the stockade_status_* accessors), on the real
 * kernel's Landlock, lowered with the test override as
 * STOCKADE_TEST_LANDLOCK_ABI lowers it for the CLI.  Nothing is confined:
 * the status is a dry run.
 */
#include <errno.h>
#include <string.h>

#include "landlock/landlock.h"
#include "plan/plan.h"
#include "policy/policy.h"
#include "../harness.h"

/* The status of a policy text under a Landlock ABI lowered to `abi` (-1:
 * the kernel's); NULL, with *ret, if it fails. */
static stockade_status *status_of(const char *text, int abi, int *ret, stockade_error **err)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_status *st = NULL;

	*ret = stockade_policy_new(&p, err);
	if (*ret == 0)
		*ret = stockade_policy_add_text(p, "status-test", text, strlen(text), err);
	if (*ret == 0)
		*ret = stockade_plan_build(p, &plan, err);
	if (*ret == 0) {
		sk_landlock_set_abi_override(abi);
		*ret = stockade_plan_status(plan, &st, err);
		sk_landlock_set_abi_override(-1);
	}
	stockade_plan_free(plan);
	stockade_policy_free(p);
	return st;
}

static stockade_status *must(const char *text, int abi)
{
	stockade_error *err = NULL;
	int ret;
	stockade_status *st = status_of(text, abi, &ret, &err);

	CHECK_MSG(st && ret == 0, "%d: %s", ret, err && err->msg ? err->msg : "");
	stockade_error_free(err);
	return st;
}

static int kernel_abi(void)
{
	enum stockade_landlock_reason why;
	int errnum;

	return sk_landlock_kernel_abi(&why, &errnum);
}

TEST(status_gap_abi_table)
{
	const char *linux_version = "x";

	CHECK_INT_EQ(stockade_gap_landlock_abi(STOCKADE_GAP_FS_PATHS, &linux_version), 1);
	CHECK_INT_EQ(stockade_gap_landlock_abi(STOCKADE_GAP_FS_REFER, NULL), 2);
	CHECK_INT_EQ(stockade_gap_landlock_abi(STOCKADE_GAP_FS_TRUNCATE, &linux_version), 3);
	CHECK(linux_version && !strcmp(linux_version, "6.2"));
	CHECK_INT_EQ(stockade_gap_landlock_abi(STOCKADE_GAP_NET_TCP_PORTS, &linux_version), 4);
	CHECK(linux_version && !strcmp(linux_version, "6.7"));
	CHECK_INT_EQ(stockade_gap_landlock_abi(STOCKADE_GAP_FS_IOCTL_DEV, NULL), 5);
	CHECK_INT_EQ(stockade_gap_landlock_abi(STOCKADE_GAP_SCOPE_SIGNALS, NULL), 6);
	CHECK_INT_EQ(stockade_gap_landlock_abi(STOCKADE_GAP_SCOPE_ABSTRACT_UNIX, NULL), 6);
	/* The policy causes it: no ABI closes it. */
	CHECK_INT_EQ(stockade_gap_landlock_abi(STOCKADE_GAP_NET_TCP_DENIED, &linux_version), 0);
	CHECK(linux_version == NULL);
	CHECK_INT_EQ(stockade_gap_landlock_abi(0, NULL), 0);
}

/* What does not depend on the kernel: seccomp, layers the policy does not
 * ask for, `landlock: off`, a layer the enum does not have. */
TEST(status_levels_without_landlock)
{
	stockade_status *st = must("network:\n  mode: full\nseccomp:\n  enabled: false\nlandlock: off\n"
				   "filesystem:\n  read: [/]\n",
				   -1);
	int kabi = -1, errnum = -1;

	if (!st)
		return;
	CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_SECCOMP), STOCKADE_LEVEL_OFF);
	CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_NETWORK), STOCKADE_LEVEL_OFF);
	CHECK_INT_EQ(stockade_status_weaker(st, STOCKADE_LAYER_NETWORK), 0);
	/* landlock: off, and the policy lists paths: they are not enforced. */
	CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_FILESYSTEM), STOCKADE_LEVEL_NONE);
	CHECK_INT_EQ(stockade_status_weaker(st, STOCKADE_LAYER_FILESYSTEM), 1);
	CHECK_INT_EQ(stockade_status_gaps(st, STOCKADE_LAYER_FILESYSTEM), STOCKADE_GAP_FS_PATHS);
	CHECK_INT_EQ(stockade_status_landlock_abi(st, &kabi), 0);
	CHECK_INT_EQ(kabi, kernel_abi());
	CHECK_INT_EQ(stockade_status_landlock_reason(st, &errnum), STOCKADE_LANDLOCK_POLICY_OFF);
	CHECK_INT_EQ(errnum, 0);
	/* A layer the enum does not have reads as off. */
	CHECK_INT_EQ(stockade_status_level(st, (enum stockade_layer)99), STOCKADE_LEVEL_OFF);
	CHECK_INT_EQ(stockade_status_gaps(st, (enum stockade_layer)99), 0);
	CHECK_INT_EQ(stockade_status_weaker(st, (enum stockade_layer)99), 0);
	stockade_status_free(st);
	stockade_status_free(NULL);
}

TEST(status_at_the_kernels_abi)
{
	int abi = kernel_abi(), kabi = -1, errnum = -1;
	stockade_status *st;

	if (abi < 6)
		SKIP("needs Landlock ABI 6");
	st = must("extends: agent\n", -1);
	if (!st)
		return;
	CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_SECCOMP), STOCKADE_LEVEL_FULL);
	CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_FILESYSTEM), STOCKADE_LEVEL_FULL);
	CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_NETWORK), STOCKADE_LEVEL_FULL);
	CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_SCOPE), STOCKADE_LEVEL_FULL);
	for (int l = STOCKADE_LAYER_SECCOMP; l <= STOCKADE_LAYER_SCOPE; l++) {
		CHECK_INT_EQ(stockade_status_weaker(st, (enum stockade_layer)l), 0);
		CHECK_INT_EQ(stockade_status_gaps(st, (enum stockade_layer)l), 0);
	}
	CHECK_INT_EQ(stockade_status_landlock_abi(st, &kabi), abi);
	CHECK_INT_EQ(kabi, abi);
	CHECK_INT_EQ(stockade_status_landlock_reason(st, &errnum), STOCKADE_LANDLOCK_AVAILABLE);
	CHECK_INT_EQ(errnum, 0);
	stockade_status_free(st);
}

/* Lowered: each ABI below 6 loses what the table says it lacks. */
TEST(status_lowered_abi)
{
	int abi = kernel_abi(), kabi = -1;
	stockade_status *st;

	if (abi < 6)
		SKIP("needs Landlock ABI 6");

	/* ABI 2: no truncate, no device ioctl (weaker), no scoping. */
	st = must("extends: agent\n", 2);
	if (st) {
		CHECK_INT_EQ(stockade_status_landlock_abi(st, &kabi), 2);
		CHECK_INT_EQ(kabi, abi);
		CHECK_INT_EQ(stockade_status_landlock_reason(st, NULL), STOCKADE_LANDLOCK_AVAILABLE);
		CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_FILESYSTEM), STOCKADE_LEVEL_PARTIAL);
		CHECK_INT_EQ(stockade_status_weaker(st, STOCKADE_LAYER_FILESYSTEM), 1);
		CHECK_INT_EQ(stockade_status_gaps(st, STOCKADE_LAYER_FILESYSTEM),
			     STOCKADE_GAP_FS_TRUNCATE | STOCKADE_GAP_FS_IOCTL_DEV);
		CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_SCOPE), STOCKADE_LEVEL_NONE);
		CHECK_INT_EQ(stockade_status_gaps(st, STOCKADE_LAYER_SCOPE),
			     STOCKADE_GAP_SCOPE_SIGNALS | STOCKADE_GAP_SCOPE_ABSTRACT_UNIX);
		/* Mode none without ports needs no Landlock. */
		CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_NETWORK), STOCKADE_LEVEL_FULL);
		stockade_status_free(st);
	}

	/* ABI 1: renames across directories fail too, which is stricter. */
	st = must("filesystem:\n  read: [/]\n", 1);
	if (st) {
		CHECK_INT_EQ(stockade_status_gaps(st, STOCKADE_LAYER_FILESYSTEM),
			     STOCKADE_GAP_FS_REFER | STOCKADE_GAP_FS_TRUNCATE | STOCKADE_GAP_FS_IOCTL_DEV);
		CHECK_INT_EQ(stockade_status_weaker(st, STOCKADE_LAYER_FILESYSTEM), 1);
		CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_SCOPE), STOCKADE_LEVEL_OFF);
		stockade_status_free(st);
	}

	/* ABI 3, mode full with a port list: the list is not enforced. */
	st = must("network:\n  mode: full\n  tcp_connect: [443]\n", 3);
	if (st) {
		CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_NETWORK), STOCKADE_LEVEL_NONE);
		CHECK_INT_EQ(stockade_status_weaker(st, STOCKADE_LAYER_NETWORK), 1);
		CHECK_INT_EQ(stockade_status_gaps(st, STOCKADE_LAYER_NETWORK), STOCKADE_GAP_NET_TCP_PORTS);
		stockade_status_free(st);
	}
	/* ...and at ABI 4 it is. */
	st = must("network:\n  mode: full\n  tcp_connect: [443]\n", 4);
	if (st) {
		CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_NETWORK), STOCKADE_LEVEL_FULL);
		CHECK_INT_EQ(stockade_status_gaps(st, STOCKADE_LAYER_NETWORK), 0);
		stockade_status_free(st);
	}

	/* ABI 3, mode none with a port list: no TCP at all, stricter. */
	st = must("extends: agent\nnetwork:\n  tcp_connect: [443]\n", 3);
	if (st) {
		CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_NETWORK), STOCKADE_LEVEL_PARTIAL);
		CHECK_INT_EQ(stockade_status_weaker(st, STOCKADE_LAYER_NETWORK), 0);
		CHECK_INT_EQ(stockade_status_gaps(st, STOCKADE_LAYER_NETWORK), STOCKADE_GAP_NET_TCP_PORTS);
		stockade_status_free(st);
	}

	/* ABI 5: everything but scoping. */
	st = must("extends: agent\nscope:\n  signals: false\n", 5);
	if (st) {
		CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_FILESYSTEM), STOCKADE_LEVEL_FULL);
		CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_SCOPE), STOCKADE_LEVEL_NONE);
		CHECK_INT_EQ(stockade_status_weaker(st, STOCKADE_LAYER_SCOPE), 1);
		CHECK_INT_EQ(stockade_status_gaps(st, STOCKADE_LAYER_SCOPE), STOCKADE_GAP_SCOPE_ABSTRACT_UNIX);
		stockade_status_free(st);
	}

	/* ABI 0: hidden. */
	st = must("extends: agent\n", 0);
	if (st) {
		CHECK_INT_EQ(stockade_status_landlock_abi(st, NULL), 0);
		CHECK_INT_EQ(stockade_status_landlock_reason(st, NULL), STOCKADE_LANDLOCK_HIDDEN);
		CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_FILESYSTEM), STOCKADE_LEVEL_NONE);
		CHECK_INT_EQ(stockade_status_gaps(st, STOCKADE_LAYER_FILESYSTEM), STOCKADE_GAP_FS_PATHS);
		CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_SECCOMP), STOCKADE_LEVEL_FULL);
		stockade_status_free(st);
	}
}

/* The ports are listed, but the policy's own rules deny TCP sockets. */
TEST(status_tcp_ports_denied_by_the_policy)
{
	stockade_status *st;

	if (kernel_abi() < 4)
		SKIP("needs Landlock ABI 4");
	st = must("extends: agent\nnetwork:\n  tcp_connect: [443]\nseccomp:\n  deny: [socket]\n", -1);
	if (!st)
		return;
	CHECK_INT_EQ(stockade_status_level(st, STOCKADE_LAYER_NETWORK), STOCKADE_LEVEL_PARTIAL);
	CHECK_INT_EQ(stockade_status_weaker(st, STOCKADE_LAYER_NETWORK), 0);
	CHECK_INT_EQ(stockade_status_gaps(st, STOCKADE_LAYER_NETWORK), STOCKADE_GAP_NET_TCP_DENIED);
	stockade_status_free(st);
}

/* `landlock: required` the kernel cannot meet: an error saying what, and
 * no status, as stockade_plan_apply() would fail. */
TEST(status_required_refused)
{
	stockade_error *err = NULL;
	stockade_status *st;
	int ret;

	if (kernel_abi() < 4)
		SKIP("needs Landlock ABI 4");
	st = status_of("extends: agent\nlandlock: required\nnetwork:\n  tcp_connect: [8080]\n", 3, &ret, &err);
	CHECK(st == NULL);
	CHECK_INT_EQ(ret, -EOPNOTSUPP);
	CHECK(err != NULL);
	if (err) {
		CHECK_STR_CONTAINS(err->msg, "landlock: required");
		CHECK_STR_CONTAINS(err->msg, "network: the TCP ports cannot be limited to the lists (needs Landlock "
					     "ABI 4, Linux 6.7)");
		CHECK(err->hint != NULL);
	}
	stockade_error_free(err);
	stockade_status_free(st);
}

/* A plan built without its TCP fallback (the CLI does so where Landlock
 * limits TCP ports) is refused, never run with TCP unlimited, where
 * Landlock turns out not to limit them: the program cannot be made. */
TEST(status_no_tcp_fallback_fails_closed)
{
	static const char text[] = "extends: agent\nnetwork:\n  mode: none\n  tcp_connect: [8000]\n";
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_program *prog = NULL;
	stockade_error *err = NULL;

	if (kernel_abi() < 4)
		SKIP("this kernel's Landlock has no TCP rules (ABI 4): the CLI builds the fallback here");
	CHECK(stockade_policy_new(&p, NULL) == 0 && stockade_policy_add_text(p, "t", text, strlen(text), NULL) == 0);
	p->tcp_fallback_unneeded = true;
	CHECK(stockade_plan_build(p, &plan, NULL) == 0);
	CHECK_MSG(plan && plan->access.tcp_sockets && !plan->net_fallback, "the plan carries a fallback");
	/* Where Landlock does limit the ports, the program is made. */
	CHECK(plan && stockade_program_new(plan, &prog, NULL) == 0);
	stockade_program_free(prog);
	prog = NULL;
	/* Where it does not (ABI 3), it is refused. */
	sk_landlock_set_abi_override(3);
	CHECK(plan && stockade_program_new(plan, &prog, &err) == -EPERM && !prog);
	CHECK_MSG(err && err->msg && strstr(err->msg, "Landlock does not limit TCP ports here"), "%s",
		  err && err->msg ? err->msg : "(none)");
	sk_landlock_set_abi_override(-1);
	stockade_error_free(err);
	stockade_plan_free(plan);
	stockade_policy_free(p);
}
