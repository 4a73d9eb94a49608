/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Landlock kernel ABI as the files of src/landlock use it: syscall
 * numbers, access bits and attributes, what each ABI version enforces
 * (the table is in abi.c), and the rights stockade grants.  Private to
 * src/landlock; the stage's interface is landlock/landlock.h.
 */
#ifndef STOCKADE_LANDLOCK_ABI_H
#define STOCKADE_LANDLOCK_ABI_H

#include <stddef.h>
#include <stdint.h>

/* ---- the kernel ABI (include/uapi/linux/landlock.h), defined here because
 * the installed headers may predate it ---- */

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif
#ifndef __NR_landlock_restrict_self
#define __NR_landlock_restrict_self 446
#endif
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef LANDLOCK_ACCESS_FS_EXECUTE
#define LANDLOCK_ACCESS_FS_EXECUTE (1ULL << 0)
#define LANDLOCK_ACCESS_FS_WRITE_FILE (1ULL << 1)
#define LANDLOCK_ACCESS_FS_READ_FILE (1ULL << 2)
#define LANDLOCK_ACCESS_FS_READ_DIR (1ULL << 3)
#define LANDLOCK_ACCESS_FS_REMOVE_DIR (1ULL << 4)
#define LANDLOCK_ACCESS_FS_REMOVE_FILE (1ULL << 5)
#define LANDLOCK_ACCESS_FS_MAKE_CHAR (1ULL << 6)
#define LANDLOCK_ACCESS_FS_MAKE_DIR (1ULL << 7)
#define LANDLOCK_ACCESS_FS_MAKE_REG (1ULL << 8)
#define LANDLOCK_ACCESS_FS_MAKE_SOCK (1ULL << 9)
#define LANDLOCK_ACCESS_FS_MAKE_FIFO (1ULL << 10)
#define LANDLOCK_ACCESS_FS_MAKE_BLOCK (1ULL << 11)
#define LANDLOCK_ACCESS_FS_MAKE_SYM (1ULL << 12)
#endif
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13) /* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif
#ifndef LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF
#define LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF (1U << 0) /* ABI 7 */
#define LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)
#define LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF (1U << 2)
#endif
/* Rule types are an enum in the header, so they cannot be tested with #ifdef. */
#define SK_RULE_PATH_BENEATH 1
#define SK_RULE_NET_PORT 2 /* ABI 4 */

/* The ABI 6 ruleset attribute; older kernels read a prefix of it. */
struct sk_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;	     /* ABI 6 */
};

struct sk_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct sk_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

#define FS_V1                                                                                                  \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |           \
	 LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |        \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |            \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |         \
	 LANDLOCK_ACCESS_FS_MAKE_SYM)
#define FS_V2 (FS_V1 | LANDLOCK_ACCESS_FS_REFER)
#define FS_V3 (FS_V2 | LANDLOCK_ACCESS_FS_TRUNCATE)
#define FS_V5 (FS_V3 | LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define NET_V4 (LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP)
#define SCOPE_V6 (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL)
#define LOG_V7                                                                                                 \
	(LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF | LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON |                    \
	 LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF)

/* What an ABI can enforce: a row of abi.c's table. */
struct abi_caps {
	int abi;
	const char *kernel;
	uint64_t fs, net, scope;
	uint32_t restrict_flags;
	size_t attr_size;
};

/* The row for `abi`: all zero for 0 (no Landlock), the last row for an ABI
 * newer than the table. */
const struct abi_caps *sk_caps_of(int abi);
/* The first ABI that has every bit of `fs`/`net`/`scope`. */
const struct abi_caps *sk_first_with(uint64_t fs, uint64_t net, uint64_t scope);
/* What sk_landlock_set_abi_override() set, -1 if nothing. */
int sk_landlock_abi_override(void);

/* What stockade grants.  write and exec include read: a file written must
 * be read back, and the kernel opens a program for reading to run it. */
#define R_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define R_EXEC (R_READ | LANDLOCK_ACCESS_FS_EXECUTE)
#define R_WRITE                                                                                                \
	(R_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |    \
	 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |            \
	 LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER |               \
	 LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)
/* Device nodes are never created (MAKE_CHAR and MAKE_BLOCK are handled,
 * never granted). */
#define R_ALL (R_EXEC | R_WRITE)
/* The rights a rule on a file (not a directory) may carry. */
#define R_FILE                                                                                                 \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |           \
	 LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

#endif
