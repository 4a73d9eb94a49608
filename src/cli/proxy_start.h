/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network mode proxy: the CLI's side prints; the work is the library's
 * (run/proxy_run.h). */
#ifndef STOCKADE_CLI_PROXY_START_H
#define STOCKADE_CLI_PROXY_START_H

#include <stdbool.h>

#include "plan/plan.h"
#include "run/proxy_run.h"

/* Before the plan is built: sk_proxy_prepare().  0, or -1 (printed). */
int proxy_prepare(stockade_policy *policy, struct sk_proxy *pr);
/* After: sk_proxy_spawn() (start it; the listener is closed either way).
 * 0, or -1 (printed). */
int proxy_spawn(struct sk_proxy *pr, const stockade_plan *plan, bool audit);
/* Before the command runs: sk_proxy_ready() (its word, the variables).
 * 0, or -1 (printed). */
int proxy_ready(struct sk_proxy *pr);
/* Both. */
int proxy_start(struct sk_proxy *pr, const stockade_plan *plan, bool audit);
/* Close the listener (the events memfd stays, for the report). */
void proxy_run_free(struct sk_proxy *pr);
/* Close everything. */
void proxy_run_close(struct sk_proxy *pr);

#endif
