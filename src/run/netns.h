/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Network mode proxy in a network namespace of its own
 * (netns.c, docs/network.md): the namespace holds only loopback and the
 * proxy's listening socket, made inside it and handed to the proxy, which
 * runs outside and connects out from the host's namespace.  For the
 * isolation work's hook (struct sk_isolate_opts: CLONE_NEWNET and a
 * callback run in init before the command exists).
 */
#ifndef STOCKADE_RUN_NETNS_H
#define STOCKADE_RUN_NETNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "policy/policy.h"
#include "run/vmchild.h"

struct sk_netns_proxy {
	int ctl;       /* a unix socket to the proxy (SCM_RIGHTS), or -1 (mode none) */
	uint16_t port; /* the proxy's port, the same inside as outside */
	/* The namespace made ahead (sk_netns_early()): init joins it rather
	 * than its clone making one. */
	bool join;
	int pidfd;   /* the child holding it, -1 */
	pid_t owner; /* its parent */
	int done[2]; /* its word: 0 once it is made, or -errno */
	int hold[2]; /* it waits on hold[0] for a byte (joined), or for EOF */
	struct sk_vmchild early;
};

/* Does the plan's command get an empty network namespace?  Mode proxy
 * whose only TCP destination is the proxy (127.0.0.1:proxy_port): a
 * tcp_connect to a host service would need a relay (the namespace's
 * 127.0.0.1 is not the host's), so such a policy keeps the host's
 * namespace, confined by Landlock and the supervisor.  Not mode none:
 * seccomp leaves it AF_UNIX only, and the namespace would cost every
 * default run ~0.8 ms. */
bool sk_netns_wanted(const stockade_plan *plan, uint16_t proxy_port);

/* Mode proxy, as soon as the policy is loaded: start making the
 * command's network namespace in a child that does not hold this process
 * up (vmchild.h: unshare(CLONE_NEWNET), lo up), so that its cost (~0.3 ms
 * here, more with the last run's namespace still being torn down)
 * overlaps the rest of the setup; init waits for it only when it needs
 * it.  Only where this process may make it (CAP_SYS_ADMIN) and namespaces
 * are not turned off (--isolation off); otherwise nothing is started and
 * init makes the namespace, as before.  *p is initialised here (ctl -1). */
void sk_netns_early(struct sk_netns_proxy *p, const stockade_policy *policy, uint16_t port);
/* True when init is to join that namespace (`use`: the plan wants one,
 * sk_netns_wanted(), and namespaces are on) instead of its clone making
 * one: the caller clones init without CLONE_NEWNET (it counts it as
 * joined, sk_isolate_opts).  Otherwise the child is ended. */
bool sk_netns_use(struct sk_netns_proxy *p, bool use);
/* After sk_isolate(), on the command's side or in place: this process's
 * handles on that child, closed (the child ended). */
void sk_netns_close(struct sk_netns_proxy *p);

/* In the new namespace, as its root: bring `lo` up and, for the proxy,
 * listen on 127.0.0.1:port there and send the listener over ctl; ctl is
 * closed either way.  With p->join, it first waits for the namespace made
 * ahead and joins it; where that fails, a new one is made here.  0, or a
 * negative errno with *err set.  The shape of the isolation hook (data:
 * struct sk_netns_proxy). */
int sk_netns_inside(void *data, stockade_error **err);

/* In the command's side of namespaces sk_netns_inside() set up for the
 * proxy, for this plan (sk_netns_wanted() with that port): TCP reaches the
 * proxy's listener and nothing else there (no route, nothing else
 * listening), so connects need no supervisor to check their address
 * (run/mediate_tcp.c).  False anywhere else. */
bool sk_netns_confines_tcp(const stockade_plan *plan);
/* After a failed setup (init shares this memory): the command runs in
 * place, in no namespace netns.c made. */
void sk_netns_forget(void);

#endif
