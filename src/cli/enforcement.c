/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The enforcement report, layer by layer (`run --verbose`, `doctor`), and
 * the warnings `run` always prints: a run is never less confined than the
 * policy says without a line on stderr saying so.  The library says what
 * is enforced as data (struct sk_enforcement, plan/enforcement.h); the
 * words are all here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "landlock/landlock.h"
#include "cli.h"
#include "plan/plan.h"

/* A line being put together, cut at the buffer's end. */
struct line {
	char buf[1024];
	size_t len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n < sizeof(l->buf) - l->len ? (size_t)n : sizeof(l->buf) - 1 - l->len;
}

static const char *level_name(enum sk_level level)
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

static const char *mode_name(enum sk_landlock_mode mode)
{
	return mode == SK_LANDLOCK_REQUIRED ? "required" : mode == SK_LANDLOCK_OFF ? "off" : "best_effort";
}

/* Why Landlock is not there, as `doctor` and the report say it. */
static void add_landlock_why(struct line *l, enum stockade_landlock_reason why, int errnum)
{
	switch (why) {
	case STOCKADE_LANDLOCK_POLICY_OFF:
		add(l, "the policy sets `landlock: off`");
		return;
	case STOCKADE_LANDLOCK_NOT_BUILT:
		add(l, "this kernel has no Landlock (built without CONFIG_SECURITY_LANDLOCK)");
		return;
	case STOCKADE_LANDLOCK_NOT_ENABLED:
		add(l, "Landlock is built into this kernel but not enabled (add landlock to the lsm= boot parameter)");
		return;
	case STOCKADE_LANDLOCK_FAILED:
		add(l, "landlock_create_ruleset: %s (a container's seccomp profile may block it)", strerror(errnum));
		return;
	case STOCKADE_LANDLOCK_HIDDEN:
		add(l, "Landlock hidden by STOCKADE_TEST_LANDLOCK_ABI=0");
		return;
	case STOCKADE_LANDLOCK_AVAILABLE:
		break;
	}
	add(l, "Landlock is available");
}

/* What would close a gap: the ABI that has it, or, with no Landlock in
 * use at all, why there is none. */
static void add_needs(struct line *l, const struct sk_enforcement *rep, unsigned gap)
{
	const char *kernel;
	int abi = sk_landlock_gap_abi(gap, &kernel);

	if (rep->abi && rep->mode != SK_LANDLOCK_OFF && abi)
		add(l, "needs Landlock ABI %d, Linux %s", abi, kernel);
	else
		add_landlock_why(l, rep->landlock_why, rep->landlock_errno);
}

static void add_ports(struct line *l, const uint16_t *ports, size_t n)
{
	if (!n) {
		add(l, "no port");
		return;
	}
	add(l, "port%s ", n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		if (i == 12) {
			add(l, ", ... (%zu ports)", n);
			return;
		}
		add(l, "%s%u", i ? ", " : "", ports[i]);
	}
}

static void seccomp_text(struct line *l, const struct sk_enforcement *rep)
{
	char act[48];

	if (rep->seccomp.level == SK_LEVEL_OFF) {
		add(l, "disabled by the policy (no filter)");
		return;
	}
	add(l, "default %s; %zu syscalls decided outright, %zu argument rules; 32-bit and x32 calls %s",
	    sk_action_format(rep->default_action, act, sizeof(act)), rep->decided, rep->arg_rules,
	    rep->compat == SK_COMPAT_FILTER ? "filtered the same way" : "killed");
}

static void landlock_text(struct line *l, const struct sk_enforcement *rep)
{
	if (rep->abi_lowered)
		add(l, "ABI %d, LOWERED from the kernel's ABI %d by STOCKADE_TEST_LANDLOCK_ABI (a testing knob); %s",
		    rep->abi, rep->kernel_abi, mode_name(rep->mode));
	else if (rep->abi)
		add(l, "ABI %d; %s", rep->abi, mode_name(rep->mode));
	else {
		add(l, "not available: ");
		add_landlock_why(l, rep->landlock_why, rep->landlock_errno);
		add(l, "; %s", mode_name(rep->mode));
	}
}

static void fs_text(struct line *l, const struct sk_enforcement *rep)
{
	static const struct {
		unsigned gap;
		const char *what;
	} gaps[] = {
		{ STOCKADE_GAP_FS_REFER, "renames and hard links between directories fail with EXDEV" },
		{ STOCKADE_GAP_FS_TRUNCATE, "truncate(2) works on any file" },
		{ STOCKADE_GAP_FS_IOCTL_DEV, "ioctl(2) works on any device file" },
	};
	const char *sep = ":";

	switch (rep->fs.level) {
	case SK_LEVEL_OFF:
		add(l, "not restricted by the policy");
		return;
	case SK_LEVEL_NONE:
		add(l, "every path is open as far as Unix permissions allow: ");
		add_needs(l, rep, STOCKADE_GAP_FS_PATHS);
		return;
	case SK_LEVEL_FULL:
		add(l, "read, write and execute limited to the listed paths");
		break;
	case SK_LEVEL_PARTIAL:
		add(l, "read, write and execute limited to the listed paths, except");
		for (size_t i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++) {
			if (!(rep->fs.gaps & gaps[i].gap))
				continue;
			add(l, "%s %s (", sep, gaps[i].what);
			add_needs(l, rep, gaps[i].gap);
			add(l, ")");
			sep = ";";
		}
		break;
	}
	if (rep->walked)
		add(l, "; %zu rules", rep->fs_rules);
	/* Landlock has no right for a file's metadata: only a read-only
	 * mount stops chmod, chown, utimensat and setxattr (run/mounts.c). */
	if (rep->ro_view)
		add(l, "; outside the write roots read-only (mount view): modes, owners, times and xattrs cannot "
		       "change (on what was mounted at the start: a filesystem the host mounts later is not made "
		       "read-only)");
	else
		add(l, "; file modes, owners, times and xattrs outside the write roots stay changeable where Unix "
		       "permissions allow: Landlock has no right for them");
}

static void net_text(struct line *l, const stockade_plan *plan, const struct sk_enforcement *rep)
{
	const struct sk_plan_access *sb = &plan->access;
	const char *mode = sk_net_mode_name(rep->net_mode);

	if (rep->net.level == SK_LEVEL_OFF) {
		add(l, "not restricted (mode full)");
		return;
	}
	if (rep->net_mode == SK_NET_FULL) {
		if (rep->net.gaps & STOCKADE_GAP_NET_TCP_PORTS) {
			add(l, "mode full; the TCP port lists are not enforced: ");
			add_needs(l, rep, STOCKADE_GAP_NET_TCP_PORTS);
			return;
		}
		add(l, "mode full; TCP connect: ");
		if (rep->tcp[SK_TCP_CONNECT])
			add_ports(l, sb->tcp[SK_TCP_CONNECT], sb->ntcp[SK_TCP_CONNECT]);
		else
			add(l, "any port");
		add(l, "; TCP bind: ");
		if (rep->tcp[SK_TCP_BIND])
			add_ports(l, sb->tcp[SK_TCP_BIND], sb->ntcp[SK_TCP_BIND]);
		else
			add(l, "any port");
		add(l, " (Landlock)");
		return;
	}
	add(l, "mode %s: %s", mode,
	    rep->net_mode == SK_NET_UNIX    ? "sockets other than AF_UNIX and netlink route fail with EACCES (seccomp)"
	    : rep->net_mode == SK_NET_PROXY &&
			    !(rep->net.gaps & STOCKADE_GAP_NET_TCP_DENIED) &&
			    (!(rep->net.gaps & STOCKADE_GAP_NET_TCP_PORTS) || (rep->ns_flags & CLONE_NEWNET))
		    ? "sockets other than AF_UNIX and plain TCP fail with EACCES (seccomp)"
					    : "sockets other than AF_UNIX fail with EACCES (seccomp)");

	if (rep->net.gaps & STOCKADE_GAP_NET_TCP_DENIED) {
		add(l, "; the listed TCP ports cannot be used: the seccomp policy denies TCP sockets");
	} else if ((rep->net.gaps & STOCKADE_GAP_NET_TCP_PORTS) && rep->net_mode == SK_NET_PROXY &&
		   (rep->ns_flags & CLONE_NEWNET)) {
		add(l, "; Landlock cannot limit TCP ports (");
		add_needs(l, rep, STOCKADE_GAP_NET_TCP_PORTS);
		add(l, "), but the network namespace holds only the proxy's listener and the supervisor checks "
		       "every connect()");
	} else if (rep->net.gaps & STOCKADE_GAP_NET_TCP_PORTS) {
		add(l, ", TCP included: the listed TCP ports cannot be limited (");
		add_needs(l, rep, STOCKADE_GAP_NET_TCP_PORTS);
		add(l, "), so no TCP socket can be opened");
	} else if (rep->tcp[SK_TCP_CONNECT] || rep->tcp[SK_TCP_BIND]) {
		if (!sb->ntcp[SK_TCP_CONNECT] && !sb->ntcp[SK_TCP_BIND] && rep->net_mode == SK_NET_PROXY) {
			add(l, "; TCP bind denied, connect only to the proxy's port once a run starts it (Landlock)");
		} else if (!sb->ntcp[SK_TCP_CONNECT] && !sb->ntcp[SK_TCP_BIND]) {
			add(l, "; TCP bind and connect denied (Landlock)");
		} else {
			add(l, rep->net_mode == SK_NET_PROXY ? "; TCP connect to " : ", except TCP; TCP connect to ");
			add_ports(l, sb->tcp[SK_TCP_CONNECT], sb->ntcp[SK_TCP_CONNECT]);
			add(l, ", bind to ");
			add_ports(l, sb->tcp[SK_TCP_BIND], sb->ntcp[SK_TCP_BIND]);
			add(l, " (Landlock)");
		}
	}
	if (rep->net_mode == SK_NET_PROXY && !(rep->net.gaps & (STOCKADE_GAP_NET_TCP_DENIED | STOCKADE_GAP_NET_TCP_PORTS)))
		add(l, "; stockade's proxy lets %zu host pattern%s through (network.allow)", sb->nhosts,
		    sb->nhosts == 1 ? "" : "s");
	if (sb->ntcp_addrs)
		add(l, "; tcp_connect addresses: connect() checked by the supervisor, MSG_FASTOPEN refused");
}

static void scope_text(struct line *l, const struct sk_enforcement *rep)
{
	const char *what = rep->scope_signals && rep->scope_abstract ? "signals and abstract unix sockets"
			   : rep->scope_signals			      ? "signals"
								      : "abstract unix sockets";

	unsigned gaps = rep->scope.gaps & ~STOCKADE_GAP_SCOPE_PROC_MM;

	switch (rep->scope.level) {
	case SK_LEVEL_OFF:
		add(l, "not asked by the policy");
		return;
	case SK_LEVEL_FULL:
		add(l, "%s limited to processes inside the sandbox", what);
		return;
	case SK_LEVEL_PARTIAL:
	case SK_LEVEL_NONE:
		break;
	}
	if (!gaps) {
		add(l, "%s limited to processes inside the sandbox", what);
	} else {
		add(l, "%s reach processes outside the sandbox: ", what);
		add_needs(l, rep, gaps & STOCKADE_GAP_SCOPE_SIGNALS ? STOCKADE_GAP_SCOPE_SIGNALS
								 : STOCKADE_GAP_SCOPE_ABSTRACT_UNIX);
		if (rep->group_kill_fence)
			add(l, " (but not a whole process group nor every process: kill(0), kill(-PGID) and "
			       "kill(-1) get EPERM from seccomp)");
	}
	if (rep->scope.gaps & STOCKADE_GAP_SCOPE_PROC_MM)
		add(l, "; but the command keeps CAP_SYS_ADMIN or CAP_PERFMON as root, which the kernel honours "
		       "before Landlock's ptrace rule: /proc/PID/environ, maps and memory of processes outside "
		       "stay readable (leave them out of capabilities.keep)%s",
		    rep->ns_flags & CLONE_NEWPID ? "; none is visible in its pid namespace, though" : "");
}

/* The calls that act on another process by pid: what the filter closes. */
static void outside_text(struct line *l, const struct sk_enforcement *rep)
{
	const char *sep = "";

	if (rep->ns_flags & CLONE_NEWPID) {
		add(l, "processes outside are not visible in the command's pid namespace");
		return;
	}
	if (!rep->outside_open) {
		add(l, "limits, priorities, affinity, scheduling and I/O priority of other processes closed by "
		       "seccomp (the caller's own only: pid 0)");
	} else {
		add(l, "the filter lets ");
		for (unsigned i = 0; sk_outside_calls[i]; i++)
			if (rep->outside_open & (1u << i)) {
				add(l, "%s%s", sep, sk_outside_calls[i]);
				sep = ", ";
			}
		add(l, " act on other processes of this user (only the kernel's permission checks stop them)");
	}
	if (rep->abi > 0)
		add(l, "; signals: the scope line; /proc/PID memory and environ: Landlock's ptrace rule%s",
		    rep->scope.gaps & STOCKADE_GAP_SCOPE_PROC_MM ? " (not as root with CAP_SYS_ADMIN, above)" : "");
	else
		add(l, "; without Landlock, signals and /proc/PID memory and environ of this user's processes "
		       "are open as the kernel allows");
	add(l, "; other terminals in /dev/pts stay openable, and SysV IPC and /dev/shm stay shared, without namespaces");
	add(l, "; host daemons' pathname sockets: connect() is mediated where any is bound in this network namespace "
	       "when the run starts (a daemon that binds the first one later, or one bound in another network "
	       "namespace, stays reachable), datagrams sent to them (sendto, sendmsg) are not mediated, and a "
	       "socket's file in a write root can be moved and a server of the command's bound in its place");
}

static void add_caps(struct line *l, uint64_t set)
{
	const char *sep = "";
	int n = 0;

	for (int cap = 0; cap < 64; cap++) {
		if (!(set & (1ULL << cap)))
			continue;
		if (sk_cap_name(cap))
			add(l, "%s%s", sep, sk_cap_name(cap));
		else
			add(l, "%scapability %d", sep, cap);
		sep = ", ";
		n++;
	}
	if (!n)
		add(l, "none");
}

static int popcount64(uint64_t v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static void caps_text(struct line *l, const struct sk_enforcement *rep)
{
	if (rep->caps.level == SK_LEVEL_OFF) {
		add(l, "not restricted by the policy");
		return;
	}
	if (!rep->caps_held) {
		add(l, "not running with capabilities (as root, the command would keep ");
		add_caps(l, rep->caps_keep);
		add(l, ")");
		return;
	}
	add(l, "kept ");
	add_caps(l, rep->caps_kept);
	if (rep->caps_keep & ~rep->caps_kept) {
		add(l, " (the policy's ");
		add_caps(l, rep->caps_keep & ~rep->caps_kept);
		add(l, " too, which this process does not hold)");
	}
	if (rep->caps.level == SK_LEVEL_FULL) {
		add(l, "; the rest dropped");
		return;
	}
	add(l, "; the rest dropped from the permitted, effective, inheritable and ambient sets, but %d stay in the "
	       "bounding set (no CAP_SETPCAP to drop them; no_new_privs keeps the command from gaining them)",
	    popcount64(rep->caps_bounding_left));
}

static void add_ns_names(struct line *l, unsigned long flags)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} names[] = {
		{ CLONE_NEWPID, "pid" },   { CLONE_NEWIPC, "IPC" },	  { CLONE_NEWNS, "mount" },
		{ CLONE_NEWUTS, "UTS" },   { CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWNET, "network" },
		{ CLONE_NEWUSER, "user" },
	};
	const char *sep = "";

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & names[i].flag) {
			add(l, "%s%s", sep, names[i].name);
			sep = ", ";
		}
}

/* What only the namespaces close (docs/isolation.md, "Without namespaces"). */
static void ns_gaps_text(struct line *l)
{
	add(l, "; without them, processes outside are visible (the outside line says what is closed), SysV IPC, "
	       "/dev/shm and other terminals in /dev/pts are shared, the working tree's .git hooks and config "
	       "are writable (a hook or core.fsmonitor planted there runs in the next git outside), a plain memfd "
	       "can be executed through /proc/self/fd, and a process the command leaves behind outlives it (where a "
	       "terminal is on stockade's standard streams, stockade ends it with the command: it could read what "
	       "is typed there next)");
}

static void ns_text(struct line *l, const struct sk_enforcement *rep)
{
	if (rep->ns.level == SK_LEVEL_OFF) {
		add(l, "isolation off: the command shares this process's pid, IPC and mount namespaces");
		ns_gaps_text(l);
		return;
	}
	if (!rep->ns_flags) {
		switch (rep->ns_why) {
		case STOCKADE_NS_IN_PLACE:
			add(l, "none: the command is exec'd in place");
			break;
		case STOCKADE_NS_DENIED:
			add(l, "none: this process may not make namespaces (%s: %s; not root, and user namespaces "
			       "are not allowed)",
			    rep->ns_step, strerror(rep->ns_errno));
			break;
		default:
			add(l, "none: setting them up failed (%s: %s)", rep->ns_step, strerror(rep->ns_errno));
			break;
		}
		ns_gaps_text(l);
		add(l, "; connects to host daemons' unix sockets are decided by stockade's supervisor where one "
		       "exists or sockets.allow names one (docs/mediation.md) (isolation: %s)",
		    rep->isolation == SK_ISOLATION_REQUIRED ? "required" : "auto");
		return;
	}
	add(l, "%s ", rep->applied ? "own" : "would get its own");
	add_ns_names(l, rep->ns_flags & ~(unsigned long)CLONE_NEWUSER);
	add(l, " namespaces under a stockade init");
	if (rep->ns_userns)
		add(l, ", in a user namespace mapping uid %u to itself", (unsigned)getuid());
	if (rep->applied) {
		add(l, "; %u host socket%s hidden (bound at the start; one bound later is mediated at the daemons' "
		       "known places only)",
		    rep->sockets_hidden, rep->sockets_hidden == 1 ? "" : "s");
		if (rep->sockets_linked)
			add(l, " (%u of them with another name, a hard link the view does not cover: connects "
			       "mediated)",
			    rep->sockets_linked);
		if (rep->sockets_allowed)
			add(l, ", %u kept by sockets.allow", rep->sockets_allowed);
		if (rep->git_repos) { /* their .git hooks and config read-only */
			add(l, "; .git of %u repositor%s (the working tree's and those above it): hooks, config, "
			       "config.worktree, commondir, submodules' and linked worktrees' read-only, the project "
			       "directory pinned",
			    rep->git_repos, rep->git_repos == 1 ? "y" : "ies");
			if (rep->git_watched)
				add(l, ", commondir/config.worktree absent at the start checked after the run (not during "
				       "it)");
			if (rep->git_truncated)
				add(l, ", NOT all: more submodules or ancestors than stockade covers");
			add(l, "; a submodule the command adds to the index is still run by git outside, a rebase it "
			       "leaves in progress is reported after the run");
		}
		if (rep->ns_shm)
			add(l, "; a /dev/shm of its own");
	} else {
		add(l, "; host daemons' sockets hidden, .git hooks, config and what points git elsewhere read-only "
		       "(a commondir or config.worktree absent at the start moved aside after the run, not during "
		       "it; a submodule the command adds to the index still run by git outside), a /dev/shm of its "
		       "own");
	}
	if (rep->memfd_noexec)
		add(l, "; vm.memfd_noexec=1 (plain memfds cannot be executed)");
	else if (rep->ns.gaps & STOCKADE_GAP_NS_MEMFD_EXEC)
		add(l, "; vm.memfd_noexec not raised (only real root may): a plain memfd can still be executed");
}

/* The layers Landlock enforces, in the report's order. */
enum { FS, NET, SCOPE, NLAYERS };
static const char *const layer_names[NLAYERS] = { "filesystem", "network", "scope" };

static const struct sk_enforcement_item *layer_item(const struct sk_enforcement *rep, int layer)
{
	return layer == FS ? &rep->fs : layer == NET ? &rep->net : &rep->scope;
}

static void layer_text(struct line *l, const stockade_plan *plan, const struct sk_enforcement *rep, int layer)
{
	if (layer == FS)
		fs_text(l, rep);
	else if (layer == NET)
		net_text(l, plan, rep);
	else
		scope_text(l, rep);
}

static const char *missing_why(const struct sk_fs_walk_stats *w, char *buf, size_t size)
{
	switch (w->first_missing_why) {
	case SK_MISSING_NO_HOME:
		return "no home directory";
	case SK_MISSING_PATTERN_DIR:
		return "cannot list it for a carve-out, so all of it is carved out";
	case SK_MISSING_UNLISTABLE:
		snprintf(buf, size, "cannot list it: %s", strerror(w->first_missing_errno));
		return buf;
	case SK_MISSING_ERRNO:
		break;
	}
	return strerror(w->first_missing_errno);
}

/* What the filesystem walk left out, or could not do as asked. */
static void print_notes(FILE *f, const struct sk_enforcement *rep)
{
	const struct sk_fs_walk_stats *w = &rep->walk;
	char why[128];

	if (!rep->walked)
		return;
	if (w->split)
		fprintf(f, "  note: carve-outs split %zu director%s (%s): entries created there later get no access\n",
			w->split, w->split == 1 ? "y" : "ies", w->split_dirs);
	if (w->split_write)
		fprintf(f, "  note: no new file can be created directly in %s: a write root split by carve-outs\n",
			w->split_write_dirs);
	if (w->missing)
		fprintf(f, "  note: %zu listed path%s not granted, first %s (%s)\n", w->missing,
			w->missing == 1 ? " is" : "s are", w->first_missing, missing_why(w, why, sizeof(why)));
	if (rep->skipped)
		fprintf(f, "  note: %zu entr%s take no Landlock rule and stay closed, first %s\n", rep->skipped,
			rep->skipped == 1 ? "y" : "ies", rep->first_skipped);
	if (rep->wide_cwd[0])
		fprintf(f, "  note: the working directory is %s: $CWD grants cover all of it\n", rep->wide_cwd);
	if (w->home_in_root[0])
		fprintf(f, "  note: $HOME is inside the write root %s: the command can change its startup files "
			   "(~/.bashrc, ~/.profile, ~/.gitconfig), which run outside the sandbox later; put HOME "
			   "elsewhere, or carve them out (read_only: [~/.bashrc, ~/.gitconfig])\n",
			w->home_in_root);
}

void print_enforcement(FILE *f, const char *policy, const stockade_plan *plan, const struct sk_enforcement *rep)
{
	struct line l = { 0 };

	fprintf(f, "stockade: policy %s%s\n", policy, rep->applied ? "" : " (what it would enforce here)");
	fprintf(f, "  %-13s %s\n", "no_new_privs", rep->nnp ? "enforced" : "NOT set");
	seccomp_text(&l, rep);
	fprintf(f, "  %-13s %s: %s\n", "seccomp", level_name(rep->seccomp.level), l.buf);
	l = (struct line){ 0 };
	landlock_text(&l, rep);
	fprintf(f, "  %-13s %s\n", "landlock", l.buf);
	for (int i = 0; i < NLAYERS; i++) {
		l = (struct line){ 0 };
		layer_text(&l, plan, rep, i);
		fprintf(f, "  %-13s %s: %s\n", layer_names[i], level_name(layer_item(rep, i)->level), l.buf);
	}
	l = (struct line){ 0 };
	caps_text(&l, rep);
	fprintf(f, "  %-13s %s: %s\n", "capabilities", level_name(rep->caps.level), l.buf);
	l = (struct line){ 0 };
	ns_text(&l, rep);
	fprintf(f, "  %-13s %s: %s\n", "namespaces", level_name(rep->ns.level), l.buf);
	l = (struct line){ 0 };
	outside_text(&l, rep);
	/* Without a pid namespace something always stays open (the line
	 * says what): never plain "closed". */
	fprintf(f, "  %-13s %s: %s\n", "outside",
		rep->ns_flags & CLONE_NEWPID ? "closed"
		: !rep->outside_open	     ? "partly closed"
					     : "open",
		l.buf);
	if (rep->applied)
		fprintf(f, "  %-13s %s\n", "supervisor",
			cli_supervision[0]		 ? cli_supervision
			: rep->ns_flags & CLONE_NEWPID ? "none: the command runs under stockade's init (nothing to mediate)"
						       : "none: the command is exec'd in place (nothing to mediate)");
	else if (!strncmp(cli_supervision, "decides ", 8))
		fprintf(f, "  %-13s would decide %s\n", "supervisor", cli_supervision + 8);
	else if (cli_supervision[0])
		fprintf(f, "  %-13s would: %s\n", "supervisor", cli_supervision);
	else
		fprintf(f, "  %-13s none here now: nothing to mediate (a listening host socket, sockets.allow, TCP "
			   "ports or network mode proxy would start one; a terminal, without namespaces)\n",
			"supervisor");
	print_notes(f, rep);
}

int print_enforcement_warnings(FILE *f, const stockade_plan *plan, const struct sk_enforcement *rep)
{
	struct line l = { 0 };
	int n = 0;

	if (rep->abi_lowered) {
		landlock_text(&l, rep);
		fprintf(f, "stockade: warning: Landlock %s\n", l.buf);
		n++;
	}
	for (int i = 0; i < NLAYERS; i++) {
		const struct sk_enforcement_item *it = layer_item(rep, i);

		if (it->level != SK_LEVEL_PARTIAL && it->level != SK_LEVEL_NONE)
			continue;
		l = (struct line){ 0 };
		layer_text(&l, plan, rep, i);
		fprintf(f, "stockade: warning: %s %s%s: %s\n", layer_names[i], level_name(it->level),
			it->weaker ? " (less than the policy asks)" : "", l.buf);
		n++;
	}
	/* Namespaces that could be made but whose setup failed (isolation:
	 * auto then runs without them): always said, unlike a kernel or
	 * container that does not allow them (doctor says that). */
	if (rep->ns_why == STOCKADE_NS_FAILED) {
		fprintf(f, "stockade: warning: namespaces NOT enforced: setting them up failed (%s: %s); the command "
			   "runs without them (`isolation: required` refuses instead)\n",
			rep->ns_step, strerror(rep->ns_errno));
		n++;
	}
	/* A write root split by carve-outs beneath it ($HOME under /tmp, as CI
	 * sets it: ~/.ssh carved out of /tmp) takes no new file directly in
	 * it: compilers' and mktemp's temporary files fail there, with their
	 * own message only (acceptd D4).  Always said. */
	if (rep->walked && rep->walk.split_write) {
		fprintf(f, "stockade: warning: no new file can be made directly in %s: carve-outs beneath split "
			   "that write root (%s)%s\n",
			rep->walk.split_write_dirs,
			rep->walk.home_in_root[0] ? "$HOME is inside it, and its credentials are carved out"
						  : "`stockade run --verbose` lists the split directories",
			rep->walk.home_in_root[0] ? "; put HOME outside it, or TMPDIR at a directory of its own" : "");
		n++;
	}
	/* Landlock limits ports, not addresses; the supervisor checks the
	 * address of each connect() (run/mediate_tcp.c), through the filter. */
	for (size_t i = 0; !plan->seccomp_enabled && i < plan->access.ntcp_addrs; i++) {
		const struct sk_port_ref *a = &plan->access.tcp_addrs[i];
		char host[INET6_ADDRSTRLEN] = "?";
		inet_ntop(a->family, a->addr, host, sizeof(host));
		fprintf(f, "stockade: warning: network.tcp_connect %s%s%s:%u: only the port is enforced, on any host "
			   "(address checks need the seccomp filter, which this policy disables)\n",
			a->family == AF_INET6 ? "[" : "", host, a->family == AF_INET6 ? "]" : "", a->port);
		n++;
	}
	return n;
}

void print_landlock_why(FILE *f, enum stockade_landlock_reason why, int errnum)
{
	struct line l = { 0 };

	add_landlock_why(&l, why, errnum);
	fputs(l.buf, f);
}

int landlock_override_from_env(void)
{
	const char *v = getenv("STOCKADE_TEST_LANDLOCK_ABI");
	char *end;
	long abi;

	if (!v || !*v)
		return 0;
	errno = 0;
	abi = strtol(v, &end, 10);
	if (*end || errno || abi < 0 || abi > 1000) {
		fprintf(stderr, "stockade: STOCKADE_TEST_LANDLOCK_ABI=%s: not an ABI number\n", v);
		return -1;
	}
	/* It can only lower what the kernel has (src/landlock). */
	sk_landlock_set_abi_override((int)abi);
	return 0;
}
