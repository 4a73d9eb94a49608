/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A Landlock domain that keeps a supervised command off its supervisor,
 * whatever the policy asks of Landlock (see landlock.h).
 *
 * Landlock confines more than files: a process in a domain cannot ptrace,
 * and so cannot pidfd_getfd(), process_vm_*() or open /proc/PID/mem of, a
 * process outside it (its ptrace hook), and from ABI 6 with
 * LANDLOCK_SCOPE_SIGNAL it cannot signal one.  The supervisor stays outside
 * the command's domains, so one more domain fences it off: with signals
 * scoped on ABI 6+, and handling only LANDLOCK_ACCESS_FS_REFER, granted
 * beneath "/".  REFER because a layer that does not handle it denies every
 * rename or link across directories (EXDEV: the one right denied by
 * default); granted beneath "/" so that this layer allows them all and
 * leaves the decision to the policy's own layers.  On ABI 1 (no REFER)
 * the fence would forbid those renames for good: none is added there.
 * A domain stacks on the policy's own.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock/abi.h"
#include "landlock/landlock.h"

int sk_landlock_fence(bool scope_signals)
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
	if (abi < 2)
		return 0; /* see above: the seccomp fence and non-dumpability remain */
	attr.handled_access_fs = LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 6 && scope_signals) {
		attr.scoped = LANDLOCK_SCOPE_SIGNAL;
		size = sizeof(attr);
	} else {
		size = offsetof(struct sk_ruleset_attr, handled_access_net);
	}
	fd = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (fd < 0)
		return -errno;
	{
		struct sk_path_beneath_attr root = { .allowed_access = LANDLOCK_ACCESS_FS_REFER };

		root.parent_fd = open("/", O_PATH | O_CLOEXEC);
		if (root.parent_fd < 0 ||
		    syscall(__NR_landlock_add_rule, fd, SK_RULE_PATH_BENEATH, &root, 0) < 0) {
			ret = -errno;
			if (root.parent_fd >= 0)
				close(root.parent_fd);
			close(fd);
			return ret;
		}
		close(root.parent_fd);
	}
	/* restrict_self needs no_new_privs (or CAP_SYS_ADMIN); the program
	 * has set it by now, and setting it again is harmless. */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	ret = (int)syscall(__NR_landlock_restrict_self, fd, 0);
	ret = ret < 0 ? -errno : (attr.scoped ? 2 : 1);
	close(fd);
	return ret;
}
