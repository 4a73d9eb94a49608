/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Confine, then exec.  Order matters (minijail's):
 *
 *  1. no_new_privs first: an unprivileged process may only install a seccomp
 *     filter or a Landlock ruleset with it set, and it keeps setuid binaries
 *     from escaping either;
 *  2. Landlock next: building the ruleset opens and lists the paths it
 *     grants and calls landlock_*(), which the seccomp filter need not allow
 *     (strict does not), and whether the filter may let TCP sockets through
 *     depends on what Landlock could enforce;
 *  3. the seccomp filter last, so it never has to allow the setup calls that
 *     precede it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "landlock/landlock.h"
#include "run/exec.h"
#include "plan/plan.h"
#include "seccomp/seccomp.h"

/* The plan whose seccomp filter goes with the Landlock outcome in rep. */
static const stockade_plan *seccomp_plan_for(const stockade_plan *plan, const struct sk_enforcement *rep)
{
	/* TCP sockets pass seccomp only where Landlock limits their ports.
	 * (A caller that disabled the filter on its copy of the plan loads
	 * its own and asks about it with the original.) */
	if (plan->seccomp_enabled && plan->net_fallback && plan->access.tcp_sockets && rep->net.level != SK_LEVEL_FULL)
		return plan->net_fallback;
	return plan;
}

int sk_plan_apply_but_seccomp(const stockade_plan *plan, struct sk_enforcement *rep, const stockade_plan **filter,
			      stockade_error **err)
{
	int ret;

	*filter = plan;
	if (plan->prepared) {
		/* stockade_plan_prepare() did the work: enforce it. */
		*rep = plan->prepared->rep;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return sk_error(err, errno, "cannot set no_new_privs: %s", strerror(errno));
		if (plan->prepared->ruleset >= 0 && (ret = sk_landlock_restrict(plan->prepared->ruleset, err)) < 0)
			return ret;
		*filter = plan->prepared->filter;
		return 0;
	}
	memset(rep, 0, sizeof(*rep));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sk_error(err, errno, "cannot set no_new_privs: %s", strerror(errno));
	rep->nnp = true;
	if ((ret = sk_landlock_apply(plan, false, rep, err)) < 0)
		return ret;
	*filter = seccomp_plan_for(plan, rep);
	sk_enforcement_seccomp(*filter, rep);
	return 0;
}

int stockade_plan_prepare(stockade_plan *plan, stockade_error **err)
{
	struct sk_prepared *prep = calloc(1, sizeof(*prep));
	int ret;

	if (!prep)
		return sk_error(err, ENOMEM, "out of memory");
	/* What the kernel enforces, and the ruleset, as apply would work them
	 * out; rep as a child will report it, no_new_privs included. */
	ret = sk_landlock_build(plan, &prep->rep, &prep->ruleset, err);
	if (ret < 0) {
		free(prep);
		return ret;
	}
	prep->rep.nnp = true;
	prep->filter = seccomp_plan_for(plan, &prep->rep);
	sk_enforcement_seccomp(prep->filter, &prep->rep);
	/* The filter too (seccomp_plan_for() returns plan or its fallback). */
	if ((ret = sk_plan_cache_bpf(plan, err)) < 0) {
		sk_prepared_free(prep);
		return ret;
	}
	sk_prepared_free(plan->prepared);
	plan->prepared = prep;
	return 0;
}

int sk_plan_apply_report(const stockade_plan *plan, struct sk_enforcement *rep, stockade_error **err)
{
	struct sk_enforcement local;
	const stockade_plan *filter;
	int ret;

	if (!rep)
		rep = &local;
	if ((ret = sk_plan_apply_but_seccomp(plan, rep, &filter, err)) < 0)
		return ret;
	if ((ret = sk_seccomp_load(filter, err)) < 0)
		return ret;
	rep->applied = true;
	return 0;
}

int sk_plan_dry_run(const stockade_plan *plan, struct sk_enforcement *rep, stockade_error **err)
{
	const stockade_plan *filter;
	void *prog = NULL;
	size_t prog_len = 0;
	int ret;

	memset(rep, 0, sizeof(*rep));
	rep->nnp = true; /* nothing can prevent it */
	if ((ret = sk_landlock_apply(plan, true, rep, err)) < 0)
		return ret;
	filter = seccomp_plan_for(plan, rep);
	sk_enforcement_seccomp(filter, rep);
	if (!filter->seccomp_enabled)
		return 0;
	/* Build the filter without loading it, so its errors show here too. */
	if ((ret = stockade_plan_compile_bpf(filter, 0, &prog, &prog_len, err)) < 0)
		return ret;
	free(prog);
	return 0;
}

int stockade_plan_apply(const stockade_plan *plan, stockade_error **err)
{
	return sk_plan_apply_report(plan, NULL, err);
}

int stockade_exec(const stockade_plan *plan, char *const argv[], stockade_error **err)
{
	return sk_exec_report(plan, argv, NULL, NULL, err);
}

int sk_exec_report(const stockade_plan *plan, char *const argv[],
		   void (*applied)(const struct sk_enforcement *rep, void *ctx), void *ctx, stockade_error **err)
{
	struct sk_enforcement rep;
	int ret = sk_plan_apply_report(plan, &rep, err);

	if (ret < 0)
		return ret;
	if (applied)
		applied(&rep, ctx);
	execvp(argv[0], argv);
	ret = errno;
	sk_error(err, ret, "cannot run %s: %s", argv[0], strerror(ret));
	if (ret == EPERM || ret == ENOSYS)
		sk_error_hint(err, "the policy itself may deny execve; check `stockade show`");
	else if (ret == EACCES && plan->access.fs)
		sk_error_hint(err, "the filesystem rules may not let it run: add its directory to `exec`");
	return -ret;
}
