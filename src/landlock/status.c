/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What this kernel enforces of the access part, layer by layer (struct
 * sk_enforcement, plan/enforcement.h): the ABI stockade uses, what each of
 * filesystem, network and scope keeps of the policy and, for what it does
 * not, which ABI and kernel would; and the refusal under `landlock: required`.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "landlock/abi.h"
#include "landlock/landlock.h"
#include "landlock/status.h"
#include "plan/plan.h"

const char *sk_level_name(enum sk_level level)
{
	switch (level) {
	case SK_LEVEL_OFF:
		return "off";
	case SK_LEVEL_FULL:
		return "enforced";
	case SK_LEVEL_PARTIAL:
		return "partly enforced";
	case SK_LEVEL_NONE:
		return "NOT enforced";
	}
	return "?";
}

static void set_item(struct sk_enforcement_item *it, enum sk_level level, bool weaker, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_item(struct sk_enforcement_item *it, enum sk_level level, bool weaker, const char *fmt, ...)
{
	va_list ap;

	it->level = level;
	it->weaker = weaker;
	va_start(ap, fmt);
	vsnprintf(it->text, sizeof(it->text), fmt, ap);
	va_end(ap);
}

static void append(struct sk_enforcement_item *it, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void append(struct sk_enforcement_item *it, const char *fmt, ...)
{
	size_t len = strlen(it->text);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(it->text + len, sizeof(it->text) - len, fmt, ap);
	va_end(ap);
}

static void note(struct sk_enforcement *rep, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct sk_enforcement *rep, const char *fmt, ...)
{
	va_list ap;

	if (rep->nnotes >= SK_ENFORCEMENT_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(rep->notes[rep->nnotes++], sizeof(rep->notes[0]), fmt, ap);
	va_end(ap);
}

static void ports_text(char *buf, size_t size, const uint16_t *ports, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	if (!n) {
		snprintf(buf, size, "no port");
		return;
	}
	used = (size_t)snprintf(buf, size, "port%s ", n == 1 ? "" : "s");
	for (size_t i = 0; i < n && used + 16 < size; i++) {
		if (i == 12) {
			snprintf(buf + used, size - used, ", ... (%zu ports)", n);
			return;
		}
		used += (size_t)snprintf(buf + used, size - used, "%s%u", i ? ", " : "", ports[i]);
	}
}

/* Why an ABI is missing something: "needs Landlock ABI 4 (Linux 6.7)". */
static const char *needs(uint64_t fs, uint64_t net, uint64_t scope, char *buf, size_t size)
{
	const struct abi_caps *c = sk_first_with(fs, net, scope);

	snprintf(buf, size, "needs Landlock ABI %d, Linux %s", c->abi, c->kernel);
	return buf;
}

static void report_fs(const struct sk_plan_access *sb, const struct abi_caps *caps, uint64_t handled,
		      const char *why, struct sk_enforcement *rep)
{
	uint64_t missing = R_ALL & ~caps->fs;
	char nb[64];

	if (!sb->fs) {
		set_item(&rep->fs, SK_LEVEL_OFF, false, "not restricted by the policy");
		return;
	}
	if (!handled) {
		set_item(&rep->fs, SK_LEVEL_NONE, true, "every path is open as far as Unix permissions allow: %s",
			 why);
		return;
	}
	if (!missing) {
		set_item(&rep->fs, SK_LEVEL_FULL, false, "read, write and execute limited to the listed paths");
		return;
	}
	set_item(&rep->fs, SK_LEVEL_PARTIAL, (missing & ~LANDLOCK_ACCESS_FS_REFER) != 0,
		 "read, write and execute limited to the listed paths, except:");
	if (missing & LANDLOCK_ACCESS_FS_REFER)
		append(&rep->fs, " renames and hard links between directories fail with EXDEV (%s);",
		       needs(LANDLOCK_ACCESS_FS_REFER, 0, 0, nb, sizeof(nb)));
	if (missing & LANDLOCK_ACCESS_FS_TRUNCATE)
		append(&rep->fs, " truncate(2) works on any file (%s);",
		       needs(LANDLOCK_ACCESS_FS_TRUNCATE, 0, 0, nb, sizeof(nb)));
	if (missing & LANDLOCK_ACCESS_FS_IOCTL_DEV)
		append(&rep->fs, " ioctl(2) works on any device file (%s);",
		       needs(LANDLOCK_ACCESS_FS_IOCTL_DEV, 0, 0, nb, sizeof(nb)));
	rep->fs.text[strlen(rep->fs.text) - 1] = '\0';
}

static void report_net(const stockade_plan *plan, const struct abi_caps *caps, uint64_t handled, const char *why,
		       struct sk_enforcement *rep)
{
	const struct sk_plan_access *sb = &plan->access;
	bool want = sb->tcp_handled[SK_TCP_CONNECT] || sb->tcp_handled[SK_TCP_BIND];
	char cp[128], bp[128], nb[64];

	ports_text(cp, sizeof(cp), sb->tcp[SK_TCP_CONNECT], sb->ntcp[SK_TCP_CONNECT]);
	ports_text(bp, sizeof(bp), sb->tcp[SK_TCP_BIND], sb->ntcp[SK_TCP_BIND]);
	if (sb->net == SK_NET_FULL && !want) {
		set_item(&rep->net, SK_LEVEL_OFF, false, "not restricted (mode full)");
		return;
	}
	if (sb->net == SK_NET_FULL) {
		if (handled)
			set_item(&rep->net, SK_LEVEL_FULL, false, "mode full; TCP connect: %s; TCP bind: %s (Landlock)",
				 sb->tcp_handled[SK_TCP_CONNECT] ? cp : "any port",
				 sb->tcp_handled[SK_TCP_BIND] ? bp : "any port");
		else
			set_item(&rep->net, SK_LEVEL_NONE, true, "mode full; the TCP port lists are not enforced: %s",
				 caps->abi ? needs(0, NET_V4, 0, nb, sizeof(nb)) : why);
		return;
	}
	const char *families = sb->net == SK_NET_NONE ? "sockets other than AF_UNIX fail with EACCES (seccomp)"
						      : "sockets other than AF_UNIX and netlink route fail with "
							"EACCES (seccomp)";
	if (handled) {
		if (!sb->ntcp[SK_TCP_CONNECT] && !sb->ntcp[SK_TCP_BIND])
			set_item(&rep->net, SK_LEVEL_FULL, false, "mode %s: %s; TCP bind and connect denied (Landlock)",
				 sb->net == SK_NET_NONE ? "none" : "unix", families);
		else if (sb->tcp_sockets)
			set_item(&rep->net, SK_LEVEL_FULL, false,
				 "mode %s: %s, except TCP; TCP connect to %s, bind to %s (Landlock)",
				 sb->net == SK_NET_NONE ? "none" : "unix", families, cp, bp);
		else
			set_item(&rep->net, SK_LEVEL_PARTIAL, false,
				 "mode %s: %s; the listed TCP ports cannot be used: the seccomp policy denies TCP "
				 "sockets",
				 sb->net == SK_NET_NONE ? "none" : "unix", families);
		return;
	}
	if (sb->tcp_sockets)
		set_item(&rep->net, SK_LEVEL_PARTIAL, false,
			 "mode %s: %s, TCP included: the listed TCP ports cannot be limited (%s), so no TCP socket "
			 "can be opened",
			 sb->net == SK_NET_NONE ? "none" : "unix", families, caps->abi ? needs(0, NET_V4, 0, nb, sizeof(nb)) : why);
	else
		set_item(&rep->net, SK_LEVEL_FULL, false, "mode %s: %s", sb->net == SK_NET_NONE ? "none" : "unix",
			 families);
}

static void report_scope(const struct sk_plan_access *sb, const struct abi_caps *caps, uint64_t want,
			 uint64_t scoped, const char *why, struct sk_enforcement *rep)
{
	char nb[64];
	const char *what = want == SCOPE_V6			? "signals and abstract unix sockets"
			   : want == LANDLOCK_SCOPE_SIGNAL ? "signals"
							   : "abstract unix sockets";

	if (!want)
		set_item(&rep->scope, SK_LEVEL_OFF, false, "not asked by the policy");
	else if (scoped == want)
		set_item(&rep->scope, SK_LEVEL_FULL, false, "%s limited to processes inside the sandbox", what);
	else
		set_item(&rep->scope, SK_LEVEL_NONE, true, "%s reach processes outside the sandbox: %s", what,
			 caps->abi ? needs(0, 0, want, nb, sizeof(nb)) : why);
}

static int refuse(const struct sk_plan_access *sb, const struct sk_enforcement *rep, stockade_error **err)
{
	char what[1536] = "", where[300] = "";
	const struct sk_enforcement_item *items[] = { &rep->fs, &rep->net, &rep->scope };
	const char *names[] = { "filesystem", "network", "scope" };

	for (size_t i = 0; i < ARRAY_SIZE(items); i++)
		if (items[i]->level == SK_LEVEL_PARTIAL || items[i]->level == SK_LEVEL_NONE) {
			size_t len = strlen(what);
			snprintf(what + len, sizeof(what) - len, "%s  %s: %s", len ? "\n" : "", names[i],
				 items[i]->text);
		}
	if (sb->landlock_at.line)
		snprintf(where, sizeof(where), " (%s:%d:%d)", sb->landlock_at.file, sb->landlock_at.line,
			 sb->landlock_at.column);
	sk_error(err, EOPNOTSUPP,
		 "landlock: required%s, but this kernel's Landlock cannot enforce everything the policy asks "
		 "(%s%d%s):\n%s",
		 where, rep->abi ? "ABI " : "", rep->abi, rep->abi_lowered ? ", lowered by STOCKADE_TEST_LANDLOCK_ABI" : "",
		 what);
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
	char why[256] = "";
	int abi_override = sk_landlock_abi_override();

	rep->mode = sb->landlock;
	rep->kernel_abi = sk_landlock_kernel_abi(why, sizeof(why));
	rep->abi = rep->kernel_abi;
	if (abi_override >= 0 && abi_override < rep->abi) {
		rep->abi = abi_override;
		rep->abi_lowered = true;
		if (!rep->abi)
			snprintf(why, sizeof(why), "Landlock hidden by STOCKADE_TEST_LANDLOCK_ABI=0");
	}
	caps = sk_caps_of(rep->abi);
	if (sb->landlock == SK_LANDLOCK_OFF) {
		caps = sk_caps_of(0);
		snprintf(why, sizeof(why), "the policy sets `landlock: off`");
	}
	const char *mode = sb->landlock == SK_LANDLOCK_REQUIRED ? "required"
			   : sb->landlock == SK_LANDLOCK_OFF	? "off"
								: "best_effort";
	if (rep->abi_lowered)
		snprintf(rep->landlock, sizeof(rep->landlock),
			 "ABI %d, LOWERED from the kernel's ABI %d by STOCKADE_TEST_LANDLOCK_ABI (a testing knob); %s",
			 rep->abi, rep->kernel_abi, mode);
	else if (rep->abi)
		snprintf(rep->landlock, sizeof(rep->landlock), "ABI %d; %s", rep->abi, mode);
	else
		snprintf(rep->landlock, sizeof(rep->landlock), "not available: %s; %s", why, mode);

	attr.handled_access_fs = sb->fs ? caps->fs : 0;
	attr.handled_access_net = ((sb->tcp_handled[SK_TCP_CONNECT] ? LANDLOCK_ACCESS_NET_CONNECT_TCP : 0) |
				   (sb->tcp_handled[SK_TCP_BIND] ? LANDLOCK_ACCESS_NET_BIND_TCP : 0)) &
				  caps->net;
	attr.scoped = want_scope & caps->scope;
	/* Under full, a direction is handled only when its list is given. */
	report_fs(sb, caps, attr.handled_access_fs, why, rep);
	report_net(plan, caps, attr.handled_access_net, why, rep);
	report_scope(sb, caps, want_scope, attr.scoped, why, rep);
	*out = attr;
	*out_caps = caps;
	if (sb->landlock == SK_LANDLOCK_REQUIRED &&
	    (rep->fs.level >= SK_LEVEL_PARTIAL || rep->net.level >= SK_LEVEL_PARTIAL || rep->scope.level >= SK_LEVEL_PARTIAL))
		return refuse(sb, rep, err);
	return 0;
}

void sk_landlock_report_walk(struct sk_enforcement *rep, const struct sk_fs_walk_stats *st, size_t skipped,
			     const char *first_skipped, const struct sk_path_env *env)
{
	append(&rep->fs, "; %zu rules", st->rules - skipped);
	if (st->split)
		note(rep, "carve-outs split %zu director%s (%s): entries created there later get no access",
		     st->split, st->split == 1 ? "y" : "ies", st->split_dirs);
	if (st->split_write)
		note(rep, "no new file can be created directly in %s: a write root split by carve-outs",
		     st->split_write_dirs);
	if (st->missing)
		note(rep, "%zu listed path%s not granted, first %s", st->missing,
		     st->missing == 1 ? " is" : "s are", st->first_missing);
	if (skipped)
		note(rep, "%zu entr%s take no Landlock rule and stay closed, first %s", skipped,
		     skipped == 1 ? "y" : "ies", first_skipped);
	if (env->home && env->cwd && (!strcmp(env->cwd, "/") || !strcmp(env->cwd, env->home)))
		note(rep, "the working directory is %s: $CWD grants cover all of it", env->cwd);
}
