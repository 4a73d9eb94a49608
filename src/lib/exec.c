/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Confine, then exec.  Order matters (minijail's): no_new_privs first, since
 * an unprivileged process may only install a filter with it set and it keeps
 * setuid binaries from escaping; then the seccomp filter last, so the filter
 * never has to allow the setup calls that precede it.  Landlock will slot in
 * between the two.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "plan.h"
#include "seccomp_backend.h"

int stockade_plan_apply(const stockade_plan *plan, stockade_error **err)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sk_error(err, errno, "cannot set no_new_privs: %s", strerror(errno));
	return sk_seccomp_load(plan, err);
}

int stockade_exec(const stockade_plan *plan, char *const argv[], stockade_error **err)
{
	int ret = stockade_plan_apply(plan, err);

	if (ret < 0)
		return ret;
	execvp(argv[0], argv);
	ret = errno;
	sk_error(err, ret, "cannot run %s: %s", argv[0], strerror(ret));
	if (ret == EPERM || ret == ENOSYS)
		sk_error_hint(err, "the policy itself may deny execve; check `stockade show`");
	return -ret;
}
