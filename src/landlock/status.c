/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What this kernel enforces of the access part, layer by layer (struct
 * sk_enforcement, plan/enforcement.h): the ABI stockade uses, what each of
 * filesystem, network and scope keeps of the policy and, as STOCKADE_GAP_*
 * codes, what it does not; and the refusal under `landlock: required`.
 * Facts only: the CLI words them (src/cli/enforcement.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "landlock/abi.h"
#include "landlock/landlock.h"
#include "landlock/status.h"
#include "plan/plan.h"

static void set_item(struct sk_enforcement_item *it, enum sk_level level, bool weaker, unsigned gaps)
{
	it->level = level;
	it->weaker = weaker;
	it->gaps = gaps;
}

/* The filesystem: without Landlock, no path rule; with it, the rights
 * stockade grants that this ABI cannot handle. */
static void status_fs(const struct sk_plan_access *sb, const struct abi_caps *caps, uint64_t handled,
		      struct sk_enforcement *rep)
{
	uint64_t missing = R_ALL & ~caps->fs;
	unsigned gaps = 0;

	if (!sb->fs) {
		set_item(&rep->fs, SK_LEVEL_OFF, false, 0);
		return;
	}
	if (!handled) {
		set_item(&rep->fs, SK_LEVEL_NONE, true, STOCKADE_GAP_FS_PATHS);
		return;
	}
	if (missing & LANDLOCK_ACCESS_FS_REFER)
		gaps |= STOCKADE_GAP_FS_REFER;
	if (missing & LANDLOCK_ACCESS_FS_TRUNCATE)
		gaps |= STOCKADE_GAP_FS_TRUNCATE;
	if (missing & LANDLOCK_ACCESS_FS_IOCTL_DEV)
		gaps |= STOCKADE_GAP_FS_IOCTL_DEV;
	/* Without REFER, renames across directories fail: stricter. */
	set_item(&rep->fs, gaps ? SK_LEVEL_PARTIAL : SK_LEVEL_FULL, (gaps & ~STOCKADE_GAP_FS_REFER) != 0, gaps);
}

/* The network: the mode is seccomp's and always holds; Landlock limits the
 * TCP ports, or under none/unix the filter falls back to no TCP at all. */
static void status_net(const struct sk_plan_access *sb, uint64_t handled, struct sk_enforcement *rep)
{
	bool want = sb->tcp_handled[SK_TCP_CONNECT] || sb->tcp_handled[SK_TCP_BIND];

	rep->net_mode = sb->net;
	rep->tcp[SK_TCP_CONNECT] = (handled & LANDLOCK_ACCESS_NET_CONNECT_TCP) != 0;
	rep->tcp[SK_TCP_BIND] = (handled & LANDLOCK_ACCESS_NET_BIND_TCP) != 0;
	rep->tcp_sockets = sb->tcp_sockets;
	if (sb->net == SK_NET_FULL) {
		if (!want)
			set_item(&rep->net, SK_LEVEL_OFF, false, 0);
		else if (handled)
			set_item(&rep->net, SK_LEVEL_FULL, false, 0);
		else
			set_item(&rep->net, SK_LEVEL_NONE, true, STOCKADE_GAP_NET_TCP_PORTS);
		return;
	}
	if (handled && (sb->ntcp[SK_TCP_CONNECT] || sb->ntcp[SK_TCP_BIND]) && !sb->tcp_sockets)
		set_item(&rep->net, SK_LEVEL_PARTIAL, false, STOCKADE_GAP_NET_TCP_DENIED);
	else if (!handled && sb->tcp_sockets)
		set_item(&rep->net, SK_LEVEL_PARTIAL, false, STOCKADE_GAP_NET_TCP_PORTS);
	else
		set_item(&rep->net, SK_LEVEL_FULL, false, 0);
}

static unsigned scope_gaps(uint64_t scope)
{
	return ((scope & LANDLOCK_SCOPE_SIGNAL) ? STOCKADE_GAP_SCOPE_SIGNALS : 0) |
	       ((scope & LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET) ? STOCKADE_GAP_SCOPE_ABSTRACT_UNIX : 0);
}

static void status_scope(const struct sk_plan_access *sb, uint64_t want, uint64_t scoped, struct sk_enforcement *rep)
{
	rep->scope_signals = sb->scope_signals;
	rep->scope_abstract = sb->scope_abstract;
	if (!want)
		set_item(&rep->scope, SK_LEVEL_OFF, false, 0);
	else if (scoped == want)
		set_item(&rep->scope, SK_LEVEL_FULL, false, 0);
	else
		set_item(&rep->scope, SK_LEVEL_NONE, true, scope_gaps(want & ~scoped));
}

/* The refusal under `landlock: required`.  An error carries its own words:
 * a line per layer, what it lacks and the ABI that would close each gap.
 * The first row that covers gaps takes them (both scope bits: one phrase). */
static const struct {
	unsigned gaps;
	const char *what;
} gap_words[] = {
	{ STOCKADE_GAP_FS_PATHS, "no path is limited" },
	{ STOCKADE_GAP_FS_REFER, "renames and hard links between directories fail with EXDEV" },
	{ STOCKADE_GAP_FS_TRUNCATE, "truncate(2) works on any file" },
	{ STOCKADE_GAP_FS_IOCTL_DEV, "ioctl(2) works on any device file" },
	{ STOCKADE_GAP_NET_TCP_PORTS, "the TCP ports cannot be limited to the lists" },
	{ STOCKADE_GAP_NET_TCP_DENIED, "the listed TCP ports cannot be used: the seccomp policy denies TCP sockets" },
	{ STOCKADE_GAP_SCOPE_SIGNALS | STOCKADE_GAP_SCOPE_ABSTRACT_UNIX,
	  "signals and abstract unix sockets reach processes outside the sandbox" },
	{ STOCKADE_GAP_SCOPE_SIGNALS, "signals reach processes outside the sandbox" },
	{ STOCKADE_GAP_SCOPE_ABSTRACT_UNIX, "abstract unix sockets reach processes outside the sandbox" },
};

static int refuse(const struct sk_plan_access *sb, const struct sk_enforcement *rep, stockade_error **err)
{
	char what[1536] = "", where[300] = "", abi[160];
	const struct sk_enforcement_item *items[] = { &rep->fs, &rep->net, &rep->scope };
	const char *names[] = { "filesystem", "network", "scope" };
	size_t len = 0;

	for (size_t i = 0; i < ARRAY_SIZE(items); i++) {
		unsigned gaps = items[i]->gaps;
		const char *sep = ":";

		if (items[i]->level != SK_LEVEL_PARTIAL && items[i]->level != SK_LEVEL_NONE)
			continue;
		len += (size_t)snprintf(what + len, sizeof(what) - len, "%s  %s", len ? "\n" : "", names[i]);
		for (size_t g = 0; g < ARRAY_SIZE(gap_words) && len < sizeof(what); g++) {
			const char *kernel;
			int need;

			if ((gaps & gap_words[g].gaps) != gap_words[g].gaps)
				continue;
			gaps &= ~gap_words[g].gaps;
			/* The gaps of one row come with one ABI: ask for the lowest. */
			need = sk_landlock_gap_abi(gap_words[g].gaps & -gap_words[g].gaps, &kernel);
			len += (size_t)snprintf(what + len, sizeof(what) - len, "%s %s", sep, gap_words[g].what);
			if (rep->abi && need && len < sizeof(what))
				len += (size_t)snprintf(what + len, sizeof(what) - len,
							" (needs Landlock ABI %d, Linux %s)", need, kernel);
			sep = ";";
		}
		if (len >= sizeof(what))
			break;
	}
	if (sb->landlock_at.line)
		snprintf(where, sizeof(where), " (%s:%d:%d)", sb->landlock_at.file, sb->landlock_at.line,
			 sb->landlock_at.column);
	if (rep->abi)
		snprintf(abi, sizeof(abi), "ABI %d%s", rep->abi,
			 rep->abi_lowered ? ", lowered by STOCKADE_TEST_LANDLOCK_ABI" : "");
	else if (rep->landlock_why == STOCKADE_LANDLOCK_HIDDEN)
		snprintf(abi, sizeof(abi), "no Landlock: hidden by STOCKADE_TEST_LANDLOCK_ABI=0");
	else if (rep->landlock_why == STOCKADE_LANDLOCK_FAILED)
		snprintf(abi, sizeof(abi), "no Landlock: landlock_create_ruleset: %s", strerror(rep->landlock_errno));
	else
		snprintf(abi, sizeof(abi), "no Landlock: %s",
			 rep->landlock_why == STOCKADE_LANDLOCK_NOT_ENABLED ? "not enabled in this kernel"
									    : "not in this kernel");
	sk_error(err, EOPNOTSUPP,
		 "landlock: required%s, but this kernel's Landlock cannot enforce everything the policy asks "
		 "(%s):\n%s",
		 where, abi, what);
	sk_error_hint(err, "run on a newer kernel, or set `landlock: best_effort` to run with what this kernel "
			   "enforces (stockade then says on stderr what is missing)");
	return -EOPNOTSUPP;
}

int sk_landlock_status(const stockade_plan *plan, struct sk_enforcement *rep, struct sk_ruleset_attr *out,
		       const struct abi_caps **out_caps, stockade_error **err)
{
	const struct sk_plan_access *sb = &plan->access;
	const struct abi_caps *caps;
	struct sk_ruleset_attr attr = { 0 };
	uint64_t want_scope = (sb->scope_signals ? LANDLOCK_SCOPE_SIGNAL : 0) |
			      (sb->scope_abstract ? LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET : 0);
	int abi_override = sk_landlock_abi_override();

	rep->mode = sb->landlock;
	rep->kernel_abi = sk_landlock_kernel_abi(&rep->landlock_why, &rep->landlock_errno);
	rep->abi = rep->kernel_abi;
	if (abi_override >= 0 && abi_override < rep->abi) {
		rep->abi = abi_override;
		rep->abi_lowered = true;
		if (!rep->abi)
			rep->landlock_why = STOCKADE_LANDLOCK_HIDDEN;
	}
	caps = sk_caps_of(rep->abi);
	if (sb->landlock == SK_LANDLOCK_OFF) {
		caps = sk_caps_of(0);
		rep->landlock_why = STOCKADE_LANDLOCK_POLICY_OFF;
		rep->landlock_errno = 0;
	}

	attr.handled_access_fs = sb->fs ? caps->fs : 0;
	/* Under full, a direction is handled only when its list is given. */
	attr.handled_access_net = ((sb->tcp_handled[SK_TCP_CONNECT] ? LANDLOCK_ACCESS_NET_CONNECT_TCP : 0) |
				   (sb->tcp_handled[SK_TCP_BIND] ? LANDLOCK_ACCESS_NET_BIND_TCP : 0)) &
				  caps->net;
	attr.scoped = want_scope & caps->scope;
	status_fs(sb, caps, attr.handled_access_fs, rep);
	status_net(sb, attr.handled_access_net, rep);
	status_scope(sb, want_scope, attr.scoped, rep);
	*out = attr;
	*out_caps = caps;
	if (sb->landlock == SK_LANDLOCK_REQUIRED &&
	    (rep->fs.level >= SK_LEVEL_PARTIAL || rep->net.level >= SK_LEVEL_PARTIAL || rep->scope.level >= SK_LEVEL_PARTIAL))
		return refuse(sb, rep, err);
	return 0;
}

void sk_landlock_status_walk(struct sk_enforcement *rep, const struct sk_fs_walk_stats *st, size_t skipped,
			     const char *first_skipped, const struct sk_path_env *env)
{
	rep->walked = true;
	rep->walk = *st;
	rep->fs_rules = st->rules - skipped;
	rep->skipped = skipped;
	snprintf(rep->first_skipped, sizeof(rep->first_skipped), "%s", skipped ? first_skipped : "");
	rep->wide_cwd[0] = '\0';
	if (env->home && env->cwd && (!strcmp(env->cwd, "/") || !strcmp(env->cwd, env->home)))
		snprintf(rep->wide_cwd, sizeof(rep->wide_cwd), "%s", env->cwd);
}
