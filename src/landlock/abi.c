/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Landlock ABI: which version this kernel has, what each version can
 * enforce (one row per ABI, not a fall-through switch), and the test hook
 * that pretends the kernel has less.  The kernel ABI decides what can be
 * enforced; stockade uses every right the kernel has (status.c says, per
 * layer, what is enforced and what is not).
 */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock/abi.h"
#include "landlock/landlock.h"

/* What each ABI can enforce.  A newer kernel than the table knows is used
 * as the last row: stockade cannot ask for rights it does not know. */
static const struct abi_caps abi_table[] = {
	{ 1, "5.13", FS_V1, 0, 0, 0, sizeof(uint64_t) },
	{ 2, "5.19", FS_V2, 0, 0, 0, sizeof(uint64_t) },
	{ 3, "6.2", FS_V3, 0, 0, 0, sizeof(uint64_t) },
	{ 4, "6.7", FS_V3, NET_V4, 0, 0, 2 * sizeof(uint64_t) },
	{ 5, "6.10", FS_V5, NET_V4, 0, 0, 2 * sizeof(uint64_t) },
	{ 6, "6.12", FS_V5, NET_V4, SCOPE_V6, 0, sizeof(struct sk_ruleset_attr) },
	{ 7, "6.15", FS_V5, NET_V4, SCOPE_V6, LOG_V7, sizeof(struct sk_ruleset_attr) },
};

static const struct abi_caps no_landlock = { 0 };

const struct abi_caps *sk_caps_of(int abi)
{
	if (abi <= 0)
		return &no_landlock;
	if (abi > abi_table[ARRAY_SIZE(abi_table) - 1].abi)
		return &abi_table[ARRAY_SIZE(abi_table) - 1];
	return &abi_table[abi - 1];
}

const struct abi_caps *sk_first_with(uint64_t fs, uint64_t net, uint64_t scope)
{
	for (size_t i = 0; i < ARRAY_SIZE(abi_table); i++)
		if ((abi_table[i].fs & fs) == fs && (abi_table[i].net & net) == net &&
		    (abi_table[i].scope & scope) == scope)
			return &abi_table[i];
	return &abi_table[ARRAY_SIZE(abi_table) - 1];
}

int sk_landlock_gap_abi(unsigned gap, const char **kernel)
{
	static const struct {
		unsigned gap;
		uint64_t fs, net, scope;
	} needs[] = {
		{ STOCKADE_GAP_FS_PATHS, FS_V1, 0, 0 },
		{ STOCKADE_GAP_FS_REFER, LANDLOCK_ACCESS_FS_REFER, 0, 0 },
		{ STOCKADE_GAP_FS_TRUNCATE, LANDLOCK_ACCESS_FS_TRUNCATE, 0, 0 },
		{ STOCKADE_GAP_FS_IOCTL_DEV, LANDLOCK_ACCESS_FS_IOCTL_DEV, 0, 0 },
		{ STOCKADE_GAP_NET_TCP_PORTS, 0, NET_V4, 0 },
		{ STOCKADE_GAP_SCOPE_SIGNALS, 0, 0, LANDLOCK_SCOPE_SIGNAL },
		{ STOCKADE_GAP_SCOPE_ABSTRACT_UNIX, 0, 0, LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET },
	};

	for (size_t i = 0; i < ARRAY_SIZE(needs); i++)
		if (needs[i].gap == gap) {
			const struct abi_caps *c = sk_first_with(needs[i].fs, needs[i].net, needs[i].scope);
			if (kernel)
				*kernel = c->kernel;
			return c->abi;
		}
	if (kernel)
		*kernel = NULL;
	return 0;
}

uint64_t sk_fs_access(enum sk_fs_kind kind)
{
	switch (kind) {
	case SK_FS_READ:
		return R_READ;
	case SK_FS_WRITE:
		return R_WRITE;
	case SK_FS_EXEC:
		return R_EXEC;
	case SK_FS_DENY:
		return R_ALL; /* what it takes away */
	case SK_FS_READ_ONLY:
		return R_WRITE & ~R_READ;
	case SK_FS_NKINDS:
		break;
	}
	return 0;
}

/* ---- detection ---- */

static int abi_override = -1;

void sk_landlock_set_abi_override(int abi)
{
	abi_override = abi;
}

int sk_landlock_abi_override(void)
{
	return abi_override;
}

int sk_landlock_kernel_abi(enum stockade_landlock_reason *why, int *errnum)
{
	/* Asked once a process (the kernel's answer does not change; the CLI
	 * asks before it builds the plan, and the status again). */
	static long known;
	long abi = known > 0 ? known : syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	*why = STOCKADE_LANDLOCK_AVAILABLE;
	*errnum = 0;
	if (abi > 0)
		return (int)(known = abi);
	if (errno == ENOSYS) {
		*why = STOCKADE_LANDLOCK_NOT_BUILT;
	} else if (errno == EOPNOTSUPP) {
		*why = STOCKADE_LANDLOCK_NOT_ENABLED;
	} else {
		/* A container's seccomp profile, typically (EPERM). */
		*why = STOCKADE_LANDLOCK_FAILED;
		*errnum = errno;
	}
	return 0;
}
