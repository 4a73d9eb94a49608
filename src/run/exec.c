/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A program: a plan compiled for this kernel and this process (the
 * Landlock ruleset, the seccomp filter that goes with what Landlock could
 * enforce, and the enforcement status), then applied, then exec'd.  The
 * plan itself is never changed.  Order matters (minijail's):
 *
 *  0. capabilities first (caps.c): dropping them from the bounding set
 *     needs CAP_SETPCAP and prctl(), which the seccomp filter may deny;
 *  1. no_new_privs: an unprivileged process may only install a seccomp
 *     filter or a Landlock ruleset with it set, and it keeps setuid binaries
 *     (and file capabilities) from escaping any of them;
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
#include <sched.h>
#include <unistd.h>

#include "base/timing.h"
#include "landlock/landlock.h"
#include "run/exec.h"
#include "run/proxy_run.h"
#include "run/isolate.h"
#include "plan/plan.h"
#include "seccomp/seccomp.h"

/* The plan whose seccomp filter goes with the Landlock outcome in rep;
 * NULL where that is the TCP fallback and the plan was built without one
 * (stockade_policy.tcp_fallback_unneeded): never TCP unlimited. */
static const stockade_plan *seccomp_plan_for(const stockade_plan *plan, const struct sk_enforcement *rep)
{
	/* TCP sockets pass seccomp only where Landlock limits their ports,
	 * or (mode proxy) where the command's network namespace holds nothing
	 * but the proxy's listener (run/netns.c): no port leads elsewhere. */
	if (plan->seccomp_enabled && plan->access.tcp_sockets && rep->net.level != SK_LEVEL_FULL &&
	    !(plan->access.net == SK_NET_PROXY && (rep->ns_flags & CLONE_NEWNET)))
		return plan->net_fallback;
	return plan;
}

int sk_program_new(const stockade_plan *plan, const struct sk_notify *nt, stockade_program **out,
		   stockade_error **err)
{
	stockade_program *prog = calloc(1, sizeof(*prog));
	int ret;

	*out = NULL;
	if (!prog)
		return sk_error(err, ENOMEM, "out of memory");
	prog->plan = plan;
	prog->notify = nt->mode;
	prog->ruleset = -1;
	/* What the kernel enforces, and the ruleset; no_new_privs is set by
	 * every apply and nothing can prevent it. */
	ret = sk_landlock_build(plan, &prog->status.rep, &prog->ruleset, err);
	sk_timing("Landlock: ruleset");
	if (ret == 0) {
		prog->status.rep.nnp = true;
		sk_enforcement_isolation(plan, &prog->status.rep);
		prog->filter_plan = seccomp_plan_for(plan, &prog->status.rep);
		if (!prog->filter_plan) {
			ret = sk_error(err, EPERM,
				       "Landlock does not limit TCP ports here, and the plan was built without the filter "
				       "that denies TCP where it cannot");
			sk_error_hint(err, "build the plan without tcp_fallback_unneeded, or run where Landlock has TCP "
					   "rules (Linux 6.7+)");
		}
	}
	if (ret == 0) {
		sk_enforcement_seccomp(prog->filter_plan, &prog->status.rep);
		sk_enforcement_caps(plan, &prog->status.rep);
		/* Signals the policy scopes but this kernel's Landlock does not
		 * (ABI < 6): at least not the caller's process group nor every
		 * process at once (kill(0), kill(-PGID), kill(-1)), which reach
		 * the harness that runs the command, namespaces or not. */
		prog->status.rep.group_kill_fence = plan->seccomp_enabled && !plan->audit && plan->access.scope_signals &&
						    (prog->status.rep.scope.gaps & STOCKADE_GAP_SCOPE_SIGNALS);
		ret = sk_seccomp_filter(prog->filter_plan, nt, &prog->bpf, &prog->bpf_len, &prog->bpf_borrowed,
					err);
		sk_timing("seccomp: filter built");
	}
	if (ret < 0) {
		stockade_program_free(prog);
		return ret;
	}
	*out = prog;
	return 0;
}

const stockade_status *stockade_program_status(const stockade_program *prog)
{
	return &prog->status;
}

int stockade_program_new(const stockade_plan *plan, stockade_program **out, stockade_error **err)
{
	static const struct sk_notify none = { .mode = SK_NOTIFY_NONE };

	return sk_program_new(plan, &none, out, err);
}

void stockade_program_free(stockade_program *prog)
{
	if (!prog)
		return;
	if (prog->ruleset >= 0)
		close(prog->ruleset);
	if (!prog->bpf_borrowed)
		free(prog->bpf);
	free(prog);
}

int sk_program_apply_but_seccomp(const stockade_program *prog, stockade_error **err)
{
	int ret = sk_caps_apply(prog->plan, err);

	sk_timing("capabilities");
	if (ret < 0)
		return ret;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sk_error(err, errno, "cannot set no_new_privs: %s", strerror(errno));
	if (prog->ruleset >= 0)
		ret = sk_landlock_restrict(prog->ruleset, err);
	sk_timing("Landlock: enforced");
	return ret;
}

int stockade_program_apply(const stockade_program *prog, stockade_error **err)
{
	int ret = sk_program_apply_but_seccomp(prog, err);

	if (ret == 0 && prog->bpf)
		ret = sk_seccomp_load(prog->bpf, prog->bpf_len, err);
	if (ret == 0 && prog->status.rep.group_kill_fence)
		ret = sk_seccomp_load_group_kill_fence(err);
	sk_timing("seccomp: filter loaded");
	return ret;
}

int sk_program_exec(const stockade_program *prog, char *const argv[],
		    void (*applied)(const struct sk_enforcement *rep, void *ctx), void *ctx, stockade_error **err)
{
	/* A proxy the CLI started: its word first (run/proxy_run.h). */
	int ret = sk_proxy_gate(err);

	sk_timing("proxy ready");

	if (ret == 0)
		ret = stockade_plan_apply_environment(prog->plan, NULL, err);
	if (ret == 0)
		ret = stockade_program_apply(prog, err);

	if (ret < 0)
		return ret;
	if (applied) {
		struct sk_enforcement rep = prog->status.rep;

		rep.applied = true;
		applied(&rep, ctx);
	}
	execvp(argv[0], argv);
	ret = errno;
	sk_error(err, ret, "cannot run %s: %s", argv[0], strerror(ret));
	if (ret == EPERM || ret == ENOSYS)
		sk_error_hint(err, "the policy itself may deny execve; check `stockade show`");
	else if (ret == EACCES && prog->plan->access.fs)
		sk_error_hint(err, "the filesystem rules may not let it run: add its directory to `exec`");
	return -ret;
}

/* Network mode proxy needs stockade's proxy running for as long as the
 * command does, which a process that execs in place cannot hold: refused,
 * never run without it (stockade_run() starts it). */
static int refuse_proxy(const stockade_plan *plan, stockade_error **err)
{
	if (plan->access.net != SK_NET_PROXY)
		return 0;
	sk_error(err, EOPNOTSUPP,
		 "network mode proxy: the command needs stockade's proxy, which a process exec'd in place cannot "
		 "hold");
	sk_error_hint(err, "run it with stockade_run(), which starts the proxy, or choose another network mode");
	return -EOPNOTSUPP;
}

int stockade_program_exec(const stockade_program *prog, char *const argv[], stockade_error **err)
{
	int ret = refuse_proxy(prog->plan, err);

	return ret < 0 ? ret : sk_program_exec(prog, argv, NULL, NULL, err);
}

/* ---- the plan-level shortcuts: a program made, used and freed ---- */

int sk_plan_dry_run(const stockade_plan *plan, struct sk_enforcement *rep, stockade_error **err)
{
	stockade_program *prog = NULL;
	int ret = stockade_program_new(plan, &prog, err);

	if (ret == 0) {
		*rep = prog->status.rep;
		sk_isolation_probe(plan, rep);
	}
	stockade_program_free(prog);
	return ret;
}

int stockade_plan_apply(const stockade_plan *plan, stockade_error **err)
{
	stockade_program *prog = NULL;
	int ret = stockade_program_new(plan, &prog, err);

	if (ret == 0)
		ret = stockade_program_apply(prog, err);
	stockade_program_free(prog);
	return ret;
}

int sk_exec_report(const stockade_plan *plan, char *const argv[],
		   void (*applied)(const struct sk_enforcement *rep, void *ctx), void *ctx, stockade_error **err)
{
	stockade_program *prog = NULL;
	int ret = stockade_program_new(plan, &prog, err);

	if (ret == 0)
		ret = sk_program_exec(prog, argv, applied, ctx, err);
	stockade_program_free(prog);
	return ret;
}

int stockade_exec(const stockade_plan *plan, char *const argv[], stockade_error **err)
{
	int ret = refuse_proxy(plan, err);

	return ret < 0 ? ret : sk_exec_report(plan, argv, NULL, NULL, err);
}
