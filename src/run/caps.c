/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capabilities: what a command run as root keeps (`capabilities.keep`,
 * docs/capabilities.md).  Root's command gets, on execve, every capability
 * in the bounding set, so the apply sequence (exec.c) starts here:
 *
 *  1. every capability not kept leaves the bounding set (PR_CAPBSET_DROP
 *     needs CAP_SETPCAP in the effective set, so this goes before step 2
 *     drops it, and before a seccomp filter that may deny prctl);
 *  2. permitted and effective are cut to the kept set and inheritable is
 *     set to it (within what the kernel lets this process raise), so no
 *     capability outside it comes back through the inheritable set; the
 *     kernel lowers an ambient capability with its permitted or
 *     inheritable one, so none outside the set stays ambient.
 *
 * Then execve gives root exactly the kept set.  A process without
 * CAP_SETPCAP cannot do step 1; step 2 and no_new_privs (set right
 * after) still keep its command from gaining a capability outside the set
 * (with no_new_privs, execve never raises the permitted set), but the
 * command's bounding set lists them: the status says so.
 *
 * No libcap: capget/capset with <linux/capability.h>'s version 3 (64 bits).
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "run/exec.h"

#define BIT(cap) (1ULL << (cap))

struct caps {
	uint64_t eff, perm, inh;
};

static int caps_get(struct caps *c)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	c->eff = d[0].effective | (uint64_t)d[1].effective << 32;
	c->perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	c->inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	return 0;
}

static int caps_set(const struct caps *c)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = {
		{ (uint32_t)c->eff, (uint32_t)c->perm, (uint32_t)c->inh },
		{ (uint32_t)(c->eff >> 32), (uint32_t)(c->perm >> 32), (uint32_t)(c->inh >> 32) },
	};

	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* Which capabilities of `which` the bounding set holds, up to the kernel's
 * last (EINVAL beyond): a prctl each, so only those asked about. */
static uint64_t bounding(uint64_t which)
{
	uint64_t set = 0;

	for (int cap = 0; cap < 64 && (which >> cap); cap++) {
		if (!(which & BIT(cap)))
			continue;
		int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (r < 0)
			break;
		if (r == 1)
			set |= BIT(cap);
	}
	return set;
}

void sk_enforcement_caps(const stockade_plan *plan, struct sk_enforcement *rep)
{
	struct caps c = { 0 };
	uint64_t keep = plan->access.caps_keep, left;

	rep->caps = (struct sk_enforcement_item){ .level = SK_LEVEL_OFF };
	rep->caps_keep = keep;
	rep->caps_bounding_left = 0;
	(void)caps_get(&c);
	/* Root's command gets the bounding set on execve; anyone else's only
	 * what this process holds and passes on (ambient capabilities are
	 * always permitted and inheritable too). */
	rep->caps_held = c.perm || c.inh || getuid() == 0 || geteuid() == 0;
	/* What the status may call kept: root's command gets what the
	 * bounding set holds (none in a container that dropped it), anyone
	 * else's what this process passes on. */
	rep->caps_kept = !rep->caps_held			  ? 0
			 : getuid() == 0 || geteuid() == 0 ? keep & bounding(keep)
							   : keep & (c.perm | c.inh);
	/* Scope is not "enforced" where root keeps what mm_access() honours
	 * before Landlock's ptrace rule (the command holds CAP_SYS_ADMIN or
	 * CAP_PERFMON: permitted, or root's bounding set on execve). */
	if (rep->scope.level == SK_LEVEL_FULL || rep->scope.level == SK_LEVEL_PARTIAL) {
		uint64_t mm = BIT(CAP_SYS_ADMIN) | BIT(CAP_PERFMON);
		uint64_t holds = getuid() == 0 || geteuid() == 0 ? bounding(mm) : c.perm;

		if (holds & mm & (plan->access.caps ? keep : ~0ULL)) {
			rep->scope.level = SK_LEVEL_PARTIAL;
			rep->scope.weaker = true;
			rep->scope.gaps |= STOCKADE_GAP_SCOPE_PROC_MM;
		}
	}
	if (!plan->access.caps)
		return;
	rep->caps.level = SK_LEVEL_FULL;
	if (c.eff & BIT(CAP_SETPCAP))
		return; /* the bounding set will be cut */
	if (!rep->caps_held)
		return; /* nothing to keep from the command: a prctl per capability spared */
	left = bounding(~keep);
	if (left) {
		rep->caps_bounding_left = left;
		if (rep->caps_held) {
			rep->caps.level = SK_LEVEL_PARTIAL;
			rep->caps.gaps = STOCKADE_GAP_CAPS_BOUNDING;
		}
	}
}

static int drop_failed(stockade_error **err, int cap, const char *what, int errnum)
{
	const char *name = sk_cap_name(cap);
	char num[16];

	if (!name) {
		snprintf(num, sizeof(num), "capability %d", cap);
		name = num;
	}
	sk_error(err, errnum, "cannot drop %s from the %s set: %s", name, what, strerror(errnum));
	sk_error_hint(err, "a seccomp filter or security module already in place may deny prctl/capset; "
			   "`capabilities: keep: [all]` runs without dropping any");
	return -errnum;
}

int sk_caps_apply(const stockade_plan *plan, stockade_error **err)
{
	uint64_t keep = plan->access.caps_keep;
	struct caps c, want;
	int ret;

	if (!plan->access.caps)
		return 0;
	if ((ret = caps_get(&c)) < 0)
		return sk_error(err, -ret, "cannot read this process's capabilities: %s", strerror(-ret));
	/* Dropping one already gone succeeds; EINVAL past the kernel's last. */
	if (c.eff & BIT(CAP_SETPCAP))
		for (int cap = 0; cap < 64; cap++) {
			if (keep & BIT(cap))
				continue;
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
				if (errno == EINVAL)
					break;
				return drop_failed(err, cap, "bounding", errno);
			}
		}
	/* Without CAP_SETPCAP, inheritable may only take what is permitted
	 * or already inheritable, and never what the bounding set lacks.
	 * Lowering a capability in permitted or inheritable lowers it in the
	 * ambient set too (capabilities(7)), so no ambient one outside the
	 * kept set survives this. */
	want = (struct caps){
		.eff = c.eff & keep,
		.perm = c.perm & keep,
		.inh = keep & (c.inh | c.perm) & (c.inh | bounding(keep & c.perm & ~c.inh)),
	};
	if (memcmp(&want, &c, sizeof(c)) != 0 && (ret = caps_set(&want)) < 0) {
		for (int cap = 0; cap < 64; cap++)
			if ((c.perm | c.inh) & ~keep & BIT(cap))
				return drop_failed(err, cap, "permitted", -ret);
		return sk_error(err, -ret, "cannot set the inheritable capabilities: %s", strerror(-ret));
	}
	return 0;
}
