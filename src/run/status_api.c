/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The enforcement status for embedders (stockade.h): an opaque handle on
 * struct sk_enforcement (plan/enforcement.h) and its accessors.  The CLI
 * reads the struct itself; a program that links the library reads it
 * through these, so that the struct can grow without an ABI break.
 */
#include <errno.h>
#include <stdlib.h>

#include "landlock/landlock.h"
#include "plan/plan.h"
#include "run/exec.h"

int stockade_plan_status(const stockade_plan *plan, stockade_status **out, stockade_error **err)
{
	stockade_status *st;
	int ret;

	*out = NULL;
	if (!plan)
		return sk_error(err, EINVAL, "stockade_plan_status: no plan");
	st = calloc(1, sizeof(*st));
	if (!st)
		return sk_error(err, ENOMEM, "out of memory");
	if ((ret = sk_plan_dry_run(plan, &st->rep, err)) < 0) {
		free(st);
		return ret;
	}
	*out = st;
	return 0;
}

void stockade_status_free(stockade_status *status)
{
	free(status);
}

static const struct sk_enforcement_item *item(const stockade_status *status, enum stockade_layer layer)
{
	switch (layer) {
	case STOCKADE_LAYER_SECCOMP:
		return &status->rep.seccomp;
	case STOCKADE_LAYER_FILESYSTEM:
		return &status->rep.fs;
	case STOCKADE_LAYER_NETWORK:
		return &status->rep.net;
	case STOCKADE_LAYER_SCOPE:
		return &status->rep.scope;
	case STOCKADE_LAYER_CAPABILITIES:
		return &status->rep.caps;
	case STOCKADE_LAYER_NAMESPACES:
		return &status->rep.ns;
	}
	return NULL;
}

enum stockade_level stockade_status_level(const stockade_status *status, enum stockade_layer layer)
{
	const struct sk_enforcement_item *it = item(status, layer);

	return it ? (enum stockade_level)it->level : STOCKADE_LEVEL_OFF;
}

int stockade_status_weaker(const stockade_status *status, enum stockade_layer layer)
{
	const struct sk_enforcement_item *it = item(status, layer);

	return it && it->weaker;
}

unsigned stockade_status_gaps(const stockade_status *status, enum stockade_layer layer)
{
	const struct sk_enforcement_item *it = item(status, layer);

	return it ? it->gaps : 0;
}

int stockade_status_landlock_abi(const stockade_status *status, int *kernel_abi)
{
	if (kernel_abi)
		*kernel_abi = status->rep.kernel_abi;
	return status->rep.mode == SK_LANDLOCK_OFF ? 0 : status->rep.abi;
}

enum stockade_landlock_reason stockade_status_landlock_reason(const stockade_status *status, int *errnum)
{
	if (errnum)
		*errnum = status->rep.landlock_why == STOCKADE_LANDLOCK_FAILED ? status->rep.landlock_errno : 0;
	return status->rep.landlock_why;
}

unsigned long stockade_status_namespaces(const stockade_status *status, enum stockade_ns_reason *reason,
					 int *errnum)
{
	if (reason)
		*reason = status->rep.ns_why;
	if (errnum)
		*errnum = status->rep.ns_errno;
	return status->rep.ns_flags;
}

int stockade_gap_landlock_abi(unsigned gap, const char **linux_version)
{
	return sk_landlock_gap_abi(gap, linux_version);
}
