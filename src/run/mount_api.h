/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The new mount API (Linux 5.2, mount_setattr 5.12), by number: musl and
 * older C libraries have no wrappers.  The numbers are the same on every
 * architecture.  Used by mount_ro.c and mount_git.c.
 */
#ifndef SK_RUN_MOUNT_API_H
#define SK_RUN_MOUNT_API_H

#include <stdint.h>
#include <sys/syscall.h>

#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#define SK_OPEN_TREE_CLONE 1U
#define SK_AT_RECURSIVE 0x8000U
#define SK_MOVE_MOUNT_F_EMPTY_PATH 0x4U
#define SK_MOVE_MOUNT_T_EMPTY_PATH 0x40U
#define SK_MOUNT_ATTR_RDONLY 0x1U
#define SK_MOUNT_ATTR_NOSUID 0x2U
#define SK_MOUNT_ATTR_NODEV 0x4U
#define SK_RESOLVE_NO_SYMLINKS 0x04U

/* struct mount_attr, for mount_setattr(). */
struct sk_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

#endif
