/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What try-syscall.c and its table of calls (calls.c) share: the kernel
 * constants older headers may lack, the exit statuses, the path that never
 * exists, and the table itself.
 */
#ifndef STOCKADE_PROBE_TRY_SYSCALL_CALLS_H
#define STOCKADE_PROBE_TRY_SYSCALL_CALLS_H

#include <stddef.h>

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

#define EXIT_USAGE 254
#define EXIT_SETUP 253
#define NOPATH "/nonexistent-stockade-probe/x"

extern char **environ;

/* Every call takes the parsed numeric arguments; most ignore them. */
#define CALL_ARGS const unsigned long *a __attribute__((unused)), int n __attribute__((unused))
typedef long (*call_fn)(const unsigned long *a, int n);

struct call {
	const char *name;
	call_fn fn;
};

/* Every call the probe knows, by name (calls.c). */
extern const struct call calls[];
extern const size_t ncalls;

#endif
