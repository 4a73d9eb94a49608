/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network mode proxy: the run's side (proxy_start.c). */
#ifndef STOCKADE_CLI_PROXY_START_H
#define STOCKADE_CLI_PROXY_START_H

#include <stdbool.h>

#include "plan/plan.h"

struct proxy_run {
	int lfd;       /* the listener, -1 when the mode is not proxy */
	unsigned port; /* its port on 127.0.0.1 */
	char token[33];
	int pid; /* stockade-proxy's, once started */
	int events; /* a memfd the proxy records its decisions in, -1 */
	int ctl;    /* a unix socket to the proxy: listeners made in a network namespace (run/netns.c), -1 */
};

/* Before the plan is built: when the policy's mode is proxy, listen on
 * 127.0.0.1 and add the port to tcp_connect.  0, or -1 (printed). */
int proxy_prepare(stockade_policy *policy, struct proxy_run *pr);
/* After: start stockade-proxy on the listener with the plan's hosts and
 * pins, set the proxy variables; closes the listener either way.  0, or -1
 * (printed). */
int proxy_start(struct proxy_run *pr, const stockade_plan *plan, bool audit);
/* Close the listener (the events memfd stays, for the report). */
void proxy_run_free(struct proxy_run *pr);
/* Close both. */
void proxy_run_close(struct proxy_run *pr);

#endif
