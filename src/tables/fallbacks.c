/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Calls a policy answers with ENOSYS by design, and calls programs make
 * only to probe for a feature.  Data only; see tables.h.
 *
 * A designed fallback: the call passes what the policy must check in
 * memory a seccomp filter cannot read (clone3's flags, openat2's mode), so
 * the presets answer ENOSYS, which libc and programs take for "an older
 * kernel" and fall back to the call the filter can check (clone, openat).
 * That answer is the policy working, not a denial: reporting it would
 * suggest `--allow clone3`, which lets clone3(CLONE_NEWUSER) through, and
 * learning it would write that allow into a policy.
 *
 * A probe: programs try io_uring_setup to see whether io_uring is there,
 * and do without it when it is not.  A policy with network none or unix
 * refuses io_uring (its sockets escape the socket() rules), so learning
 * from the probe would widen the network to full for nothing.
 */
#include <string.h>

#include "tables/tables.h"

static const char *const fallbacks[] = { "clone3", "openat2" };
static const char *const probes[] = { "io_uring_setup" };

static bool listed(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

bool sk_designed_fallback(const char *name)
{
	return listed(fallbacks, ARRAY_SIZE(fallbacks), name);
}

bool sk_probe_call(const char *name)
{
	return listed(probes, ARRAY_SIZE(probes), name);
}
