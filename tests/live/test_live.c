/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: drive the real CLI, `$STOCKADE run ... -- PROBE ARGS`, and
 * check what the kernel answered the confined probe, preset by preset.
 * Overrides, policy files, exit statuses and the unprivileged pass are in
 * test_live_run.c; running the probe, confined and not, in sandboxed.c.
 *
 * Every probe command line is also run unconfined (the "baseline", cached),
 * as the same user.  A call the policy allows must give exactly the
 * baseline's answer; a denied call must give the policy's errno (or SIGSYS)
 * *and* that answer must differ from the baseline, or the check would prove
 * nothing: as nobody, pivot_root fails with EPERM with or without a filter.
 * Such rows are printed as notes, not asserted.  This makes the same binary
 * correct as root and as nobody (tests/run.sh runs it both ways: tiers
 * `live` and `live-unpriv`) and on kernels built without some subsystem
 * (modules, kexec: ENOSYS unconfined, still EPERM under the filter).
 *
 * Environment: STOCKADE (default build/stockade), PROBES (default
 * build/probes), TMPDIR for policy files, PYTHON for the python checks,
 * LIVE_VERBOSE=1 to print every row.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "../harness.h"
#include "live_util.h"
#include "sandboxed.h"

/* ---- the probes work unconfined ---- */

TEST(probe_unconfined)
{
	if (!have_binaries())
		return;
	CHECK_INT_EQ(baseline("getpid"), 0);
	CHECK_INT_EQ(baseline("socket AF_UNIX SOCK_STREAM"), 0);
	CHECK_INT_EQ(baseline("unshare 0"), 0);
	CHECK_INT_EQ(baseline("clone SIGCHLD"), 0);
	CHECK_INT_EQ(baseline("no-such-call"), PROBE_USAGE);
	CHECK_INT_EQ(baseline("socket AF_NO_SUCH_FAMILY"), PROBE_USAGE);
	CHECK_INT_EQ(baseline("setns"), EBADF);
	CHECK_INT_EQ(baseline("ioctl TIOCSTI"), EBADF);
}

TEST(stockade_runs_a_command)
{
	struct run r;

	if (!have_binaries())
		return;
	cli_run(NO_OPTS, OPTS("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "stockade run -- /bin/true");
	sandboxed(NO_OPTS, "getpid", &r);
	CHECK_OUTCOME(&r, 0, "stockade run -- try-syscall getpid");
}

/* ---- agent: the default preset ---- */

static const struct row agent_groups[] = {
	/* @mount */
	{ "mount", EPERM },
	{ "umount2", EPERM },
	{ "pivot_root", EPERM },
	{ "fsopen", EPERM },
	{ "fsmount", EPERM },
	{ "fspick", EPERM },
	{ "move_mount", EPERM },
	{ "open_tree", EPERM },
	{ "mount_setattr", EPERM },
	{ "chroot", EPERM },
	/* @module */
	{ "init_module", EPERM },
	{ "finit_module", EPERM },
	{ "delete_module", EPERM },
	/* @reboot */
	{ "reboot", EPERM },
	{ "kexec_load", EPERM },
	{ "kexec_file_load", EPERM },
	/* @swap */
	{ "swapon", EPERM },
	{ "swapoff", EPERM },
	/* @clock */
	{ "clock_settime", EPERM },
	{ "clock_adjtime", EPERM },
	{ "adjtimex", EPERM },
	/* @keyring */
	{ "keyctl", EPERM },
	{ "add_key", EPERM },
	{ "request_key", EPERM },
	/* @debug */
	{ "ptrace", EPERM },
	{ "process_vm_readv", EPERM },
	{ "process_vm_writev", EPERM },
	{ "perf_event_open", EPERM },
	{ "pidfd_getfd", EPERM },
	{ "kcmp", EPERM },
	/* @bpf, @io-uring */
	{ "bpf", EPERM },
	{ "io_uring_setup", EPERM },
	{ "io_uring_enter", EPERM },
	/* @namespaces */
	{ "setns", EPERM },
	/* exploit primitives */
	{ "userfaultfd", EPERM },
	{ "open_by_handle_at", EPERM },
	/* @privileged, @cpu-emulation, @raw-io, @numa, @obsolete */
	{ "sethostname", EPERM },
	{ "syslog", EPERM },
	{ "modify_ldt", EPERM },
	{ "iopl", EPERM },
	{ "get_mempolicy", EPERM },
	{ "uselib", EPERM },
};

static const struct row agent_allowed[] = {
	{ "getpid", ALLOWED },
	{ "getppid", ALLOWED },
	{ "getuid", ALLOWED },
	{ "getcwd", ALLOWED },
	{ "seccomp", ALLOWED },
	{ "landlock_create_ruleset", ALLOWED },
	{ "process_mrelease", ALLOWED },
};

static const struct row agent_namespaces[] = {
	{ "unshare 0", ALLOWED },
	{ "unshare CLONE_FILES", ALLOWED },
	{ "unshare CLONE_FS|CLONE_FILES|CLONE_SYSVSEM", ALLOWED },
	{ "unshare CLONE_NEWUSER", EPERM },
	{ "unshare CLONE_NEWNS", EPERM },
	{ "unshare CLONE_NEWNET", EPERM },
	{ "unshare CLONE_NEWPID", EPERM },
	{ "unshare CLONE_NEWUTS", EPERM },
	{ "unshare CLONE_NEWIPC", EPERM },
	{ "unshare CLONE_NEWCGROUP", EPERM },
	{ "unshare CLONE_NEWTIME", EPERM },
	{ "unshare CLONE_NEWUSER|CLONE_NEWNS", EPERM },
	{ "unshare CLONE_FILES|CLONE_NEWUSER", EPERM },
};

static const struct row agent_clone[] = {
	{ "clone SIGCHLD", ALLOWED },
	{ "clone 0", ALLOWED },
	{ "clone CLONE_FILES|SIGCHLD", ALLOWED },
	{ "clone CLONE_NEWUSER|SIGCHLD", EPERM },
	{ "clone CLONE_NEWNS|SIGCHLD", EPERM },
	{ "clone CLONE_NEWNET|SIGCHLD", EPERM },
	{ "clone CLONE_NEWPID|SIGCHLD", EPERM },
	{ "clone CLONE_NEWUSER|CLONE_NEWNS|SIGCHLD", EPERM },
	/* clone3 passes its flags in memory the filter cannot read: ENOSYS
	 * makes libc fall back to clone, whose flags it can. */
	{ "clone3", ENOSYS },
	{ "clone3 CLONE_NEWUSER", ENOSYS },
};

static const struct row agent_exec_memfd[] = {
	{ "execveat", ALLOWED },
	{ "execveat AT_SYMLINK_NOFOLLOW", ALLOWED },
	{ "execveat AT_EMPTY_PATH", EPERM },
	{ "execveat AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW", EPERM },
	{ "memfd-exec", EPERM },
	{ "fexecve-memfd", EPERM },
	{ "memfd_create", ALLOWED },
	{ "memfd_create MFD_CLOEXEC", ALLOWED },
	{ "memfd_create MFD_CLOEXEC|MFD_ALLOW_SEALING", ALLOWED },
	{ "memfd_create MFD_NOEXEC_SEAL", ALLOWED },
	{ "memfd_create MFD_EXEC", EPERM },
	{ "memfd_create MFD_EXEC|MFD_CLOEXEC", EPERM },
	/* memfd_create's flags are an unsigned int: high bits must not help */
	{ "memfd_create 0x100000010", EPERM },
};

static const struct row agent_ioctl[] = {
	{ "ioctl TCGETS", ALLOWED },
	{ "ioctl FIONREAD", ALLOWED },
	{ "ioctl FIOCLEX", ALLOWED },
	{ "ioctl TIOCSTI", EPERM },
	{ "ioctl TIOCLINUX", EPERM },
	/* The kernel truncates the request to 32 bits: a filter comparing all
	 * 64 would let 0x1_00005412 through as TIOCSTI. */
	{ "ioctl 0x100005412", EPERM },
	{ "ioctl 0xffffffff00005412", EPERM },
};

static const struct row agent_socket[] = {
	{ "socket AF_UNIX SOCK_STREAM", ALLOWED },
	{ "socket AF_UNIX SOCK_DGRAM", ALLOWED },
	{ "socket AF_UNIX SOCK_SEQPACKET|SOCK_CLOEXEC", ALLOWED },
	{ "socket AF_INET SOCK_STREAM", ALLOWED },
	{ "socket AF_INET SOCK_DGRAM", ALLOWED },
	{ "socket AF_INET6 SOCK_STREAM", ALLOWED },
	{ "socket AF_INET6 SOCK_DGRAM", ALLOWED },
	{ "socket AF_NETLINK SOCK_RAW", ALLOWED },
	{ "socket AF_NETLINK SOCK_DGRAM", ALLOWED },
	{ "socket AF_PACKET SOCK_RAW", EAFNOSUPPORT },
	{ "socket AF_PACKET SOCK_DGRAM", EAFNOSUPPORT },
	{ "socket AF_VSOCK SOCK_STREAM", EAFNOSUPPORT },
	{ "socket AF_ALG SOCK_SEQPACKET", EAFNOSUPPORT },
	/* family is an int: AF_PACKET with high bits set is still AF_PACKET */
	{ "socket 0x100000011 SOCK_RAW", NOT_BASELINE },
};

static const struct row agent_personality[] = {
	{ "personality 0", ALLOWED },
	{ "personality PER_LINUX32", ALLOWED },
	/* the query sets every flag bit; agent denies it, debug allows it */
	{ "personality PERSONALITY_QUERY", EPERM },
	{ "personality READ_IMPLIES_EXEC", EPERM },
	{ "personality ADDR_NO_RANDOMIZE", EPERM },
	{ "personality MMAP_PAGE_ZERO", EPERM },
	{ "personality PER_LINUX32|ADDR_NO_RANDOMIZE", EPERM },
	{ "personality PER_LINUX32|READ_IMPLIES_EXEC", EPERM },
};

/* i386 and x32 entry points: the bad-arch action kills the process. */
static const struct row compat_refused[] = {
	{ "int80 getpid", SIGNALLED(SIGSYS) },
	{ "int80 unshare CLONE_NEWUSER", SIGNALLED(SIGSYS) },
	{ "int80 socket AF_PACKET SOCK_RAW", SIGNALLED(SIGSYS) },
	{ "x32 getpid", SIGNALLED(SIGSYS) },
	{ "x32 unshare CLONE_NEWUSER", SIGNALLED(SIGSYS) },
};

TEST(agent_denies_dangerous_groups)
{
	CHECK_ROWS("agent", OPTS("--preset", "agent"), agent_groups);
}

TEST(agent_allows_ordinary_calls)
{
	CHECK_ROWS("agent", OPTS("--preset", "agent"), agent_allowed);
}

TEST(agent_unshare_argument_conditions)
{
	CHECK_ROWS("agent", OPTS("--preset", "agent"), agent_namespaces);
}

TEST(agent_clone_argument_conditions)
{
	CHECK_ROWS("agent", OPTS("--preset", "agent"), agent_clone);
}

TEST(agent_exec_from_memfd)
{
	CHECK_ROWS("agent", OPTS("--preset", "agent"), agent_exec_memfd);
}

TEST(agent_ioctl_terminal_injection)
{
	CHECK_ROWS("agent", OPTS("--preset", "agent"), agent_ioctl);
}

/* The family rules decide once the network is open (network.mode: full). */
TEST(agent_socket_families)
{
	const char *pol = write_tmp("net-full.yaml",
				     "version: 1\n"
				     "extends: agent\n"
				     "network: {mode: full}\n",
				     0644);

	CHECK_ROWS("agent, network full", OPTS("--policy", pol), agent_socket);
}

/* agent's default network mode is none: only AF_UNIX sockets. */
TEST(agent_network_none_sockets)
{
	static const struct row rows[] = {
		{ "socket AF_UNIX SOCK_STREAM", ALLOWED },
		{ "socket AF_UNIX SOCK_DGRAM", ALLOWED },
		{ "socket AF_INET SOCK_STREAM", EACCES },
		{ "socket AF_INET6 SOCK_DGRAM", EACCES },
		{ "socket AF_NETLINK SOCK_RAW", EACCES },
		{ "socket AF_PACKET SOCK_RAW", EACCES },
		{ "socket AF_VSOCK SOCK_STREAM", EACCES },
	};

	CHECK_ROWS("agent", OPTS("--preset", "agent"), rows);
}

TEST(agent_personality_flags)
{
	CHECK_ROWS("agent", OPTS("--preset", "agent"), agent_personality);
}

TEST(agent_compat_entry_points_killed)
{
	CHECK_ROWS("agent", OPTS("--preset", "agent"), compat_refused);
}

/* No --preset at all means agent. */
TEST(default_preset_is_agent)
{
	static const struct row rows[] = {
		{ "getpid", ALLOWED },
		{ "mount", EPERM },
		{ "unshare CLONE_NEWUSER", EPERM },
		{ "unshare 0", ALLOWED },
		{ "socket AF_PACKET SOCK_RAW", EACCES }, /* network mode none */
		{ "clone3", ENOSYS },
		{ "ioctl TIOCSTI", EPERM },
		{ "int80 getpid", SIGNALLED(SIGSYS) },
	};

	CHECK_ROWS("default", NO_OPTS, rows);
}

/* Threads: glibc's pthread_create tries clone3 first and must fall back. */
TEST(agent_threads_and_fork_work)
{
	const char *py = python();
	struct run r;

	if (!have_binaries())
		return;
	if (!py)
		SKIP("python3 not found");
	if (run_cmd(OPTS(py, "-c", "import os"), &r) != 0)
		SKIP("python3 does not run unconfined for this user");
	cli_run(OPTS("--preset", "agent"),
		     OPTS(py, "-c",
			  "import os, threading\n"
			  "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
			  "pid = os.fork()\n"
			  "if pid == 0: os._exit(7)\n"
			  "_, st = os.waitpid(pid, 0)\n"
			  "assert os.waitstatus_to_exitcode(st) == 7\n"),
		     &r);
	CHECK_OUTCOME(&r, 0, "agent: python thread + fork");
}

/* ---- debug: agent plus the debugger's calls ---- */

TEST(debug_reallows_debugging)
{
	static const struct row rows[] = {
		/* the whole of @debug comes back */
		{ "ptrace", ALLOWED },
		{ "perf_event_open", ALLOWED },
		{ "process_vm_readv", ALLOWED },
		{ "process_vm_writev", ALLOWED },
		{ "kcmp", ALLOWED },
		{ "pidfd_getfd", ALLOWED },
		/* gdb and setarch -R turn ASLR off */
		{ "personality ADDR_NO_RANDOMIZE", ALLOWED },
		{ "personality PER_LINUX32|ADDR_NO_RANDOMIZE", ALLOWED },
		{ "personality PERSONALITY_QUERY", ALLOWED },
		/* the rest of agent stays */
		{ "mount", EPERM },
		{ "bpf", EPERM },
		{ "keyctl", EPERM },
		{ "userfaultfd", EPERM },
		{ "unshare CLONE_NEWUSER", EPERM },
		{ "unshare 0", ALLOWED },
		{ "clone CLONE_NEWUSER|SIGCHLD", EPERM },
		{ "socket AF_PACKET SOCK_RAW", EACCES }, /* network mode none */
		{ "socket AF_UNIX SOCK_STREAM", ALLOWED },
		{ "clone3", ENOSYS },
		{ "ioctl TIOCSTI", EPERM },
		{ "memfd_create MFD_EXEC", EPERM },
		{ "execveat AT_EMPTY_PATH", EPERM },
		{ "getpid", ALLOWED },
	};

	CHECK_ROWS("debug", OPTS("--preset", "debug"), rows);
}

TEST(debug_compat_entry_points_killed)
{
	CHECK_ROWS("debug", OPTS("--preset", "debug"), compat_refused);
}

/* setarch -R is what debuggers do to disable ASLR. */
TEST(debug_setarch_no_randomize)
{
	const char *setarch = find_tool(NULL, OPTS("/usr/bin/setarch"), "setarch");
	struct run r;

	if (!have_binaries())
		return;
	if (!setarch)
		SKIP("setarch not found");
	if (run_cmd(OPTS(setarch, "-R", "/bin/true"), &r) != 0)
		SKIP("setarch -R does not work unconfined");
	cli_run(OPTS("--preset", "debug"), OPTS(setarch, "-R", "/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "debug: setarch -R true");
	cli_run(OPTS("--preset", "agent"), OPTS(setarch, "-R", "/bin/true"), &r);
	CHECK_MSG(r.outcome != 0 && r.outcome != STOCKADE_FAILED && r.outcome < SIGNALLED(0),
		  "agent: setarch -R true should fail (personality denied), got %d", r.outcome);
}

/* ---- strict: an allow-list ---- */

static const struct row strict_rows[] = {
	/* the allow-list */
	{ "getpid", ALLOWED },
	{ "getcwd", ALLOWED },
	{ "seccomp", ALLOWED },
	{ "socket AF_UNIX SOCK_STREAM", ALLOWED },
	/* network mode none, inherited from agent */
	{ "socket AF_INET SOCK_STREAM", EACCES },
	{ "socket AF_NETLINK SOCK_RAW", EACCES },
	/* agent's argument rules end in a catch-all allow */
	{ "unshare 0", ALLOWED },
	{ "clone SIGCHLD", ALLOWED },
	{ "ioctl TCGETS", ALLOWED },
	{ "personality 0", ALLOWED },
	{ "execveat", ALLOWED },
	/* strict's own denials */
	{ "memfd_create", EPERM },
	{ "memfd_create MFD_CLOEXEC", EPERM },
	{ "memfd_create MFD_NOEXEC_SEAL", EPERM },
	{ "memfd-exec", EPERM },
	{ "ptrace", EPERM },
	/* and agent's, inherited */
	{ "mount", EPERM },
	{ "umount2", EPERM },
	{ "pivot_root", EPERM },
	{ "fsopen", EPERM },
	{ "chroot", EPERM },
	{ "init_module", EPERM },
	{ "reboot", EPERM },
	{ "kexec_load", EPERM },
	{ "swapon", EPERM },
	{ "clock_settime", EPERM },
	{ "keyctl", EPERM },
	{ "bpf", EPERM },
	{ "io_uring_setup", EPERM },
	{ "perf_event_open", EPERM },
	{ "process_vm_readv", EPERM },
	{ "setns", EPERM },
	{ "userfaultfd", EPERM },
	{ "open_by_handle_at", EPERM },
	{ "unshare CLONE_NEWUSER", EPERM },
	{ "clone CLONE_NEWUSER|SIGCHLD", EPERM },
	{ "clone3", ENOSYS },
	{ "execveat AT_EMPTY_PATH", EPERM },
	{ "ioctl TIOCSTI", EPERM },
	{ "socket AF_PACKET SOCK_RAW", EACCES },
	{ "socket AF_VSOCK SOCK_STREAM", EACCES },
	{ "personality READ_IMPLIES_EXEC", EPERM },
	{ "personality ADDR_NO_RANDOMIZE", EPERM },
};

TEST(strict_allow_list)
{
	CHECK_ROWS("strict", OPTS("--preset", "strict"), strict_rows);
}

TEST(strict_compat_entry_points_killed)
{
	CHECK_ROWS("strict", OPTS("--preset", "strict"), compat_refused);
}

/* A harmless call nobody listed: strict answers ENOSYS, so programs take
 * their "old kernel" fallback instead of failing hard. */
TEST(strict_unknown_call_is_enosys)
{
	static const struct row rows[] = {
		{ "landlock_create_ruleset", ENOSYS },
		{ "process_mrelease", ENOSYS },
	};

	CHECK_ROWS("strict", OPTS("--preset", "strict"), rows);
}

/* ---- minimal: deny the worst, allow the rest ---- */

TEST(minimal_preset)
{
	static const struct row rows[] = {
		{ "add_key", EPERM },
		{ "request_key", EPERM },
		{ "keyctl", EPERM },
		{ "bpf", EPERM },
		{ "init_module", EPERM },
		{ "finit_module", EPERM },
		{ "delete_module", EPERM },
		{ "kexec_load", EPERM },
		{ "kexec_file_load", EPERM },
		{ "reboot", EPERM },
		{ "mount", EPERM },
		{ "umount2", EPERM },
		{ "pivot_root", EPERM },
		{ "ptrace", EPERM },
		{ "perf_event_open", EPERM },
		{ "userfaultfd", EPERM },
		{ "setns", EPERM },
		{ "unshare 0", EPERM },
		{ "unshare CLONE_NEWUSER", EPERM },
		{ "clone CLONE_NEWUSER|SIGCHLD", EPERM },
		/* clone3 carries the same flag where no filter can see it: it must
		 * not be a way around the clone rule */
		{ "clone3 CLONE_NEWUSER", NOT_BASELINE },
		/* everything else is left alone */
		{ "getpid", ALLOWED },
		{ "clone SIGCHLD", ALLOWED },
		{ "clone CLONE_NEWNS|SIGCHLD", ALLOWED },
		{ "socket AF_UNIX SOCK_STREAM", ALLOWED },
		{ "socket AF_PACKET SOCK_RAW", ALLOWED },
		{ "memfd_create MFD_EXEC", ALLOWED },
		{ "memfd-exec", ALLOWED },
		{ "swapon", ALLOWED },
		{ "chroot", ALLOWED },
		{ "io_uring_setup", ALLOWED },
		{ "personality ADDR_NO_RANDOMIZE", ALLOWED },
	};

	CHECK_ROWS("minimal", OPTS("--preset", "minimal"), rows);
}

TEST(minimal_compat_entry_points_killed)
{
	CHECK_ROWS("minimal", OPTS("--preset", "minimal"), compat_refused);
}

/* ---- sealed-memfd: only never-executable memfds ---- */

TEST(sealed_memfd_overlay)
{
	static const struct row rows[] = {
		{ "memfd_create MFD_NOEXEC_SEAL", ALLOWED },
		{ "memfd_create MFD_NOEXEC_SEAL|MFD_CLOEXEC", ALLOWED },
		{ "memfd_create", EPERM },
		{ "memfd_create MFD_CLOEXEC", EPERM },
		{ "memfd_create MFD_EXEC", EPERM },
		{ "memfd-exec", EPERM },
		{ "mount", EPERM },
		{ "unshare CLONE_NEWUSER", EPERM },
		{ "getpid", ALLOWED },
	};

	CHECK_ROWS("sealed-memfd", OPTS("--preset", "sealed-memfd"), rows);
}

/* ---- none: no filter at all ---- */

TEST(none_allows_everything)
{
	static const struct row rows[] = {
		{ "getpid", ALLOWED },
		{ "mount", ALLOWED },
		{ "umount2", ALLOWED },
		{ "pivot_root", ALLOWED },
		{ "fsopen", ALLOWED },
		{ "reboot", ALLOWED },
		{ "kexec_load", ALLOWED },
		{ "init_module", ALLOWED },
		{ "swapon", ALLOWED },
		{ "clock_settime", ALLOWED },
		{ "keyctl", ALLOWED },
		{ "ptrace", ALLOWED },
		{ "process_vm_readv", ALLOWED },
		{ "perf_event_open", ALLOWED },
		{ "bpf", ALLOWED },
		{ "io_uring_setup", ALLOWED },
		{ "setns", ALLOWED },
		{ "unshare CLONE_NEWUSER", ALLOWED },
		{ "unshare CLONE_NEWNS", ALLOWED },
		{ "clone CLONE_NEWUSER|SIGCHLD", ALLOWED },
		{ "clone3", ALLOWED },
		{ "clone3 CLONE_NEWUSER", ALLOWED },
		{ "execveat AT_EMPTY_PATH", ALLOWED },
		{ "memfd-exec", ALLOWED },
		{ "fexecve-memfd", ALLOWED },
		{ "memfd_create MFD_EXEC", ALLOWED },
		{ "ioctl TIOCSTI", ALLOWED },
		{ "socket AF_PACKET SOCK_RAW", ALLOWED },
		{ "socket AF_VSOCK SOCK_STREAM", ALLOWED },
		{ "personality READ_IMPLIES_EXEC", ALLOWED },
		{ "personality ADDR_NO_RANDOMIZE", ALLOWED },
		{ "userfaultfd", ALLOWED },
		{ "open_by_handle_at", ALLOWED },
		{ "int80 getpid", ALLOWED },
		{ "int80 unshare CLONE_NEWUSER", ALLOWED },
		{ "x32 getpid", ALLOWED },
	};

	CHECK_ROWS("none", OPTS("--preset", "none"), rows);
}
