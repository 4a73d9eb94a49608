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

#include "plan/plan.h"
#include "policy/policy.h"
#include "run/vmchild.h"

struct sk_netns_proxy {
	int ctl;       /* a unix socket to the proxy (SCM_RIGHTS), or -1 (mode none) */
	uint16_t port; /* the proxy's port, the same inside as outside */
	/* The namespace made ahead (sk_netns_early()): init joins nsfd
	 * rather than its clone making one. */
	bool join;
	int nsfd;
	struct sk_vmchild early; /* the child making it, until sk_netns_ready() */
	int early_lfd, early_err;
	char early_step[48];
};

/* Does the plan's command get an empty network namespace?  Mode proxy
 * whose only TCP destination is the proxy (127.0.0.1:proxy_port): a
 * tcp_connect to a host service would need a relay (the namespace's
 * 127.0.0.1 is not the host's), so such a policy keeps the host's
 * namespace, confined by Landlock and the supervisor.  Not mode none:
 * seccomp leaves it AF_UNIX only, and the namespace would cost every
 * default run ~0.8 ms. */
bool sk_netns_wanted(const stockade_plan *plan, uint16_t proxy_port);

/* Mode proxy, as soon as the proxy's port is known (before the plan is
 * built): start making the command's network namespace in a child that
 * does not hold this process up (vmchild.h: unshare(CLONE_NEWNET), lo up,
 * the proxy's listener on 127.0.0.1:port inside it), so that its cost
 * (~0.3 ms here) overlaps the rest of the setup.  Only where this process
 * may make it (CAP_SYS_ADMIN) and namespaces are not turned off
 * (--isolation off); otherwise nothing is started and init's clone makes
 * the namespace, as before.  *p is initialised here (ctl -1). */
void sk_netns_early(struct sk_netns_proxy *p, const stockade_policy *policy, uint16_t port);
/* Wait for that child.  With `use` and its namespace made: its listener
 * is sent to the proxy over ctl (which stays open, for init) and p->join
 * set, true returned: init joins the namespace (setns) in
 * sk_netns_inside().  False otherwise (nothing was started, it failed, or
 * not `use`): whatever it made is closed, and init's clone makes the
 * namespace where one is wanted. */
bool sk_netns_ready(struct sk_netns_proxy *p, bool use);
/* The namespace's descriptor, once init has it (or it is not used). */
void sk_netns_close(struct sk_netns_proxy *p);

/* In the new namespace, as its root: bring `lo` up and, for the proxy,
 * listen on 127.0.0.1:port there and send the listener over ctl; ctl is
 * closed either way.  With p->join, the namespace made ahead is joined
 * instead (it has all that already); where that fails (a user namespace of
 * init's own), a new one is made here, as without.  0, or a negative
 * errno with *err set.  The shape of the isolation hook (data: struct
 * sk_netns_proxy). */
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
