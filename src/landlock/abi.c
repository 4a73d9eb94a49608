/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Landlock ABI: which version this kernel has, what each version can
 * enforce (one row per ABI, not a fall-through switch), and the test hook
 * that pretends the kernel has less.  The kernel ABI decides what can be
 * enforced; stockade uses every right the kernel has (status.c says, per
 * layer, what is enforced and what is not).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
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

int sk_landlock_kernel_abi(char *why, size_t size)
{
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	if (abi > 0)
		return (int)abi;
	if (errno == ENOSYS)
		snprintf(why, size, "this kernel has no Landlock (built without CONFIG_SECURITY_LANDLOCK)");
	else if (errno == EOPNOTSUPP)
		snprintf(why, size, "Landlock is built into this kernel but not enabled (add landlock to the lsm= "
				    "boot parameter)");
	else
		snprintf(why, size, "landlock_create_ruleset: %s (a container's seccomp profile may block it)",
			 strerror(errno));
	return 0;
}

