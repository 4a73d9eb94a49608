/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What this kernel enforces of the access part (status.c), for the ruleset
 * that enforces it (ruleset.c).  Private to src/landlock.
 */
#ifndef STOCKADE_LANDLOCK_STATUS_H
#define STOCKADE_LANDLOCK_STATUS_H

#include "landlock/abi.h"
#include "landlock/landlock.h"

/* Work out rep (the Landlock ABI in use, and per layer what is enforced)
 * and what the ruleset handles (*attr) with the ABI's caps (*caps).  Under
 * `landlock: required`, -EOPNOTSUPP if anything asked cannot be fully
 * enforced. */
int sk_landlock_status(const stockade_plan *plan, struct sk_enforcement *rep, struct sk_ruleset_attr *attr,
		       const struct abi_caps **caps, stockade_error **err);
/* What the filesystem walk that filled the ruleset did (rep->walk): `skipped`
 * entries took no rule, the first being `first_skipped`. */
void sk_landlock_status_walk(struct sk_enforcement *rep, const struct sk_fs_walk_stats *st, size_t skipped,
			     const char *first_skipped, const struct sk_path_env *env);

#endif
