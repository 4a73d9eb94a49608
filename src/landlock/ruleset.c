/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Landlock ruleset: handled rights as status.c works them out for this
 * kernel, a rule per path the walk emits and per TCP port, then
 * landlock_restrict_self().  Built once, it can be enforced in any number
 * of forked children (a stockade_program).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock/abi.h"
#include "landlock/landlock.h"
#include "landlock/status.h"
#include "plan/plan.h"

struct rules_ctx {
	int ruleset;
	stockade_error **err;
	size_t skipped;
	char first_skipped[256];
};

static int add_path_rule(void *ctx, int fd, const char *path, uint64_t access)
{
	struct rules_ctx *r = ctx;
	struct sk_path_beneath_attr attr = { .allowed_access = access, .parent_fd = fd };

	if (syscall(__NR_landlock_add_rule, r->ruleset, SK_RULE_PATH_BENEATH, &attr, 0) == 0)
		return 0;
	/* A directory (by the listing's d_type) replaced by a file since: a
	 * file's rights only, as the walk would have given it. */
	struct stat st;
	if (errno == EINVAL && (access & ~R_FILE) && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) {
		attr.allowed_access = access & R_FILE;
		if (!attr.allowed_access ||
		    syscall(__NR_landlock_add_rule, r->ruleset, SK_RULE_PATH_BENEATH, &attr, 0) == 0)
			return 0;
	}
	/* Some pseudo-filesystems take no rule: that entry stays closed. */
	if (errno == EBADFD || errno == EBADF) {
		if (!r->skipped++)
			snprintf(r->first_skipped, sizeof(r->first_skipped), "%s", path);
		return 0;
	}
	return sk_error(r->err, errno, "landlock_add_rule %s: %s", path, strerror(errno));
}

int sk_landlock_build(const stockade_plan *plan, struct sk_enforcement *rep, int *ruleset, stockade_error **err)
{
	const struct sk_plan_access *sb = &plan->access;
	const struct abi_caps *caps;
	struct sk_ruleset_attr attr;
	int ret = 0;

	*ruleset = -1;
	if ((ret = sk_landlock_status(plan, rep, &attr, &caps, err)) < 0)
		return ret;
	if (!attr.handled_access_fs && !attr.handled_access_net && !attr.scoped)
		return 0;

	_cleanup_close_ int rfd = (int)syscall(__NR_landlock_create_ruleset, &attr, caps->attr_size, 0);
	if (rfd < 0)
		return sk_error(err, errno, "landlock_create_ruleset: %s", strerror(errno));

	if (attr.handled_access_fs) {
		struct rules_ctx rc = { .ruleset = rfd, .err = err };
		struct sk_fs_walk_stats st;
		struct sk_path_env env;

		if ((ret = sk_path_env_current(&env, err)) < 0)
			return ret;
		ret = sk_fs_walk(sb, &env, attr.handled_access_fs, add_path_rule, &rc, &st, err);
		if (ret == 0)
			sk_landlock_status_walk(rep, &st, rc.skipped, rc.first_skipped, &env);
		sk_path_env_free(&env);
		if (ret < 0)
			return ret;
	}
	for (int d = 0; d < SK_TCP_NDIRS; d++) {
		uint64_t right = d == SK_TCP_CONNECT ? LANDLOCK_ACCESS_NET_CONNECT_TCP : LANDLOCK_ACCESS_NET_BIND_TCP;
		if (!(attr.handled_access_net & right))
			continue;
		for (size_t i = 0; i < sb->ntcp[d]; i++) {
			struct sk_net_port_attr pa = { .allowed_access = right, .port = sb->tcp[d][i] };
			if (syscall(__NR_landlock_add_rule, rfd, SK_RULE_NET_PORT, &pa, 0) < 0)
				return sk_error(err, errno, "landlock_add_rule port %u: %s", sb->tcp[d][i],
						strerror(errno));
		}
	}
	*ruleset = rfd;
	rfd = -1;
	return 0;
}

int sk_landlock_restrict(int ruleset, stockade_error **err)
{
	/* Denials of the confined program go to the audit log, where the
	 * kernel logs Landlock at all, with the kernel's default flags. */
	if (syscall(__NR_landlock_restrict_self, ruleset, 0) < 0)
		return sk_error(err, errno, "landlock_restrict_self: %s", strerror(errno));
	return 0;
}

int sk_landlock_apply(const stockade_plan *plan, bool dry_run, struct sk_enforcement *rep, stockade_error **err)
{
	int rfd, ret = sk_landlock_build(plan, rep, &rfd, err);

	if (ret == 0 && rfd >= 0 && !dry_run)
		ret = sk_landlock_restrict(rfd, err);
	if (rfd >= 0)
		close(rfd);
	return ret;
}
