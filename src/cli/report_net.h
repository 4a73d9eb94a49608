/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* stockade-proxy's decisions in the report and in learn (report_net.c). */
#ifndef STOCKADE_CLI_REPORT_NET_H
#define STOCKADE_CLI_REPORT_NET_H

#include <stdio.h>

#include "run/mediate.h"

struct proxy_event {
	char kind[12]; /* refused, would (audit), reached */
	char method[16];
	char host[256];
	unsigned port;
	char rule[32]; /* network.allow, address guard */
	char fix[320]; /* the fix, or why */
	unsigned count;
	unsigned client_port; /* the first client's */
};

/* The events the proxy recorded in `fd` (a memfd), once per kind, method,
 * host and port; *out malloc'd.  0 (nothing when fd < 0), -1. */
int proxy_events_read(int fd, struct proxy_event **out, size_t *n);
/* Refusals (and, under audit, would-be refusals) as lines on `text` and
 * "network" events on `json` (either may be NULL), with the process that
 * asked where the supervisor mediated its connect (med, may be NULL). */
void proxy_report(int fd, FILE *text, FILE *json, const struct sk_mediation *med);

#endif
