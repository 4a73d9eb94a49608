/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A Landlock domain that keeps a supervised command off its supervisor,
 * whatever the policy asks of Landlock (see landlock.h).
 *
 * Landlock confines more than files: a process in a domain cannot ptrace,
 * and so cannot pidfd_getfd(), process_vm_*() or open /proc/PID/mem of, a
 * process outside it (its ptrace hook), and from ABI 6 with
 * LANDLOCK_SCOPE_SIGNAL it cannot signal one.  The supervisor stays outside
 * the command's domains, so one more domain with signals scoped (ABI 6+),
 * or one that handles only LANDLOCK_ACCESS_FS_MAKE_BLOCK (ABI 1-5: creating
 * block devices, which needs CAP_MKNOD besides, is the one right no
 * workload misses), fences it off.  A domain stacks on the policy's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock/abi.h"
#include "landlock/landlock.h"

int sk_landlock_fence(void)
{
	struct sk_ruleset_attr attr = { 0 };
	size_t size;
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	int fd, ret, lower = sk_landlock_abi_override();

	/* STOCKADE_TEST_LANDLOCK_ABI: the tests' older kernel. */
	if (lower >= 0 && lower < abi)
		abi = lower;
	if (abi <= 0)
		return 0; /* no Landlock here: the caller says what that leaves open */
	if (abi >= 6) {
		attr.scoped = LANDLOCK_SCOPE_SIGNAL;
		size = sizeof(attr);
	} else {
		attr.handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_BLOCK;
		size = offsetof(struct sk_ruleset_attr, handled_access_net);
	}
	/* Every domain denies renames and links between directories (REFER)
	 * unless a rule of its own grants it, whether its ruleset handles
	 * REFER or not (the kernel's ABI 1 compatibility): without this, the
	 * fence alone made every cross-directory rename fail with EXDEV.  It
	 * grants REFER under /, and the policy's own domain decides. */
	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	fd = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (fd < 0)
		return -errno;
	if (abi >= 2) {
		int root = open("/", O_PATH | O_CLOEXEC);
		struct sk_path_beneath_attr pb = { .allowed_access = LANDLOCK_ACCESS_FS_REFER, .parent_fd = root };

		if (root < 0 || syscall(__NR_landlock_add_rule, fd, SK_RULE_PATH_BENEATH, &pb, 0) < 0) {
			ret = -errno;
			if (root >= 0)
				close(root);
			close(fd);
			return ret;
		}
		close(root);
	}
	/* restrict_self needs no_new_privs (or CAP_SYS_ADMIN); the program
	 * has set it by now, and setting it again is harmless. */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	ret = (int)syscall(__NR_landlock_restrict_self, fd, 0);
	ret = ret < 0 ? -errno : (abi >= 6 ? 2 : 1);
	close(fd);
	return ret;
}
