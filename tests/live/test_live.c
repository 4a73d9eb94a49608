/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: drive the real CLI, `$STOCKADE run ... -- PROBE ARGS`, and
 * check what the kernel answered the confined probe.
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
#include <sys/stat.h>
#include <unistd.h>

#include "../harness.h"
#include "live_util.h"

#define ALLOWED (-100)	    /* want: the same as unconfined */
#define NOT_BASELINE (-101) /* want: anything but the unconfined answer */

/* Probe exit statuses of its own (tests/probes/try-syscall.c). */
#define PROBE_USAGE 254

static const char *describe(int outcome, char *buf, size_t size)
{
	if (outcome == ALLOWED)
		snprintf(buf, size, "the unconfined result");
	else if (outcome == NOT_BASELINE)
		snprintf(buf, size, "anything but the unconfined result");
	else if (outcome == PROBE_USAGE)
		snprintf(buf, size, "exit %d (probe usage error)", outcome);
	else
		describe_outcome(outcome, buf, size);
	return buf;
}

/* Both binaries present; otherwise one failed check with a useful message. */
static bool have_binaries(void)
{
	bool ok = true;

	if (access(stockade_bin(), X_OK) < 0) {
		CHECK_MSG(0, "%s: %s (build it, or set STOCKADE)", stockade_bin(), strerror(errno));
		ok = false;
	}
	if (access(probe_path("try-syscall"), X_OK) < 0) {
		CHECK_MSG(0, "%s: %s (make build/probes/try-syscall, or set PROBES)", probe_path("try-syscall"),
			  strerror(errno));
		ok = false;
	}
	return ok;
}

/* ---- probes, confined and not ---- */

static bool verbose(void)
{
	const char *v = getenv("LIVE_VERBOSE");

	return v && *v && strcmp(v, "0");
}

/* `stockade run OPTS -- try-syscall ARGS`. */
static int sandboxed(const char *const *opts, const char *args, struct run *r)
{
	struct cmd c = { .n = 0 };

	cmd_push_stockade_run(&c, opts);
	cmd_push(&c, probe_path("try-syscall"));
	cmd_push_words(&c, args);
	cmd_run(&c, NULL, r);
	cmd_free(&c);
	return r->outcome;
}

struct cached {
	char *args;
	int outcome;
};
static struct cached baselines[256];
static int nbaselines;

/* The probe's answer without stockade, as this user. */
static int baseline(const char *args)
{
	struct cmd c = { .n = 0 };
	struct run r;

	for (int i = 0; i < nbaselines; i++)
		if (!strcmp(baselines[i].args, args))
			return baselines[i].outcome;
	cmd_push(&c, probe_path("try-syscall"));
	cmd_push_words(&c, args);
	cmd_run(&c, NULL, &r);
	cmd_free(&c);
	if (nbaselines < (int)(sizeof(baselines) / sizeof(baselines[0]))) {
		baselines[nbaselines].args = strdup(args);
		baselines[nbaselines].outcome = r.outcome;
		if (baselines[nbaselines].args)
			nbaselines++;
	}
	return r.outcome;
}

struct row {
	const char *args; /* probe command line */
	int want;	  /* an outcome, ALLOWED or NOT_BASELINE */
};

#define OPTS(...) ARGV(__VA_ARGS__)
#define NO_OPTS ((const char *const[]){ NULL })
#define ROWS(rows) rows, sizeof(rows) / sizeof((rows)[0])

/*
 * Check each row under `stockade run OPTS`.  Returns how many rows could be
 * asserted; the rest (baseline already gives the wanted answer, or the
 * probe cannot make the call at all here) are printed as notes.
 */
static int check_rows(const char *label, const char *const *opts, const struct row *rows, size_t n)
{
	char same[1024] = "";
	int meaningful = 0;

	if (!have_binaries())
		return 1;
	for (size_t i = 0; i < n; i++) {
		char b1[64], b2[64], b3[64];
		int base = baseline(rows[i].args);
		int want = rows[i].want;
		struct run r;

		if (base == RUN_ERROR || base == RUN_TIMEOUT || base == PROBE_USAGE) {
			CHECK_MSG(0, "[%s] %s: the probe itself fails unconfined: %s", label, rows[i].args,
				  describe(base, b1, sizeof(b1)));
			continue;
		}
		if (want >= 0 && base == want) {
			size_t len = strlen(same);

			snprintf(same + len, sizeof(same) - len, "%s%s (%s)", len ? ", " : "", rows[i].args,
				 describe(base, b1, sizeof(b1)));
			continue;
		}
		if (want != ALLOWED && base >= SIGNALLED(0)) {
			printf("  note: [%s] %s: the probe cannot make this call here (unconfined: %s)\n", label,
			       rows[i].args, describe(base, b1, sizeof(b1)));
			continue;
		}
		meaningful++;
		sandboxed(opts, rows[i].args, &r);
		if (want == ALLOWED)
			want = base;
		if (verbose())
			printf("  [%s] %-40s -> %-28s (unconfined %s)\n", label, rows[i].args,
			       describe(r.outcome, b1, sizeof(b1)), describe(base, b2, sizeof(b2)));
		if (rows[i].want == NOT_BASELINE) {
			CHECK_MSG(r.outcome != base && r.outcome != STOCKADE_FAILED && r.outcome >= 0,
				  "[%s] %s: got %s, want a denial (unconfined: %s)", label, rows[i].args,
				  describe(r.outcome, b1, sizeof(b1)), describe(base, b3, sizeof(b3)));
			if (r.outcome == base || r.outcome == STOCKADE_FAILED || r.outcome < 0)
				show_run(&r);
			continue;
		}
		CHECK_MSG(r.outcome == want, "[%s] %s: got %s, want %s (unconfined: %s)", label, rows[i].args,
			  describe(r.outcome, b1, sizeof(b1)), describe(want, b2, sizeof(b2)),
			  describe(base, b3, sizeof(b3)));
		if (r.outcome != want)
			show_run(&r);
	}
	if (same[0])
		printf("  note: [%s] not asserted for uid %u, the kernel already answers so without a filter: %s\n",
		       label, (unsigned)getuid(), same);
	return meaningful;
}

#define CHECK_ROWS(label, opts, rows)                                                                          \
	do {                                                                                                   \
		if (check_rows(label, opts, ROWS(rows)) == 0)                                                  \
			SKIP("no row is meaningful for this user on this kernel (see notes)");               \
	} while (0)

/* Run an arbitrary command under stockade. */
static int stockade_run(const char *const *opts, const char *const *argv, struct run *r)
{
	struct cmd c = { .n = 0 };

	cmd_push_stockade_run(&c, opts);
	cmd_push_all(&c, argv);
	return cmd_run(&c, NULL, r);
}

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
	stockade_run(NO_OPTS, OPTS("/bin/true"), &r);
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
	stockade_run(OPTS("--preset", "agent"),
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
	stockade_run(OPTS("--preset", "debug"), OPTS(setarch, "-R", "/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "debug: setarch -R true");
	stockade_run(OPTS("--preset", "agent"), OPTS(setarch, "-R", "/bin/true"), &r);
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

/* ---- command-line overrides and policy files ---- */

TEST(strict_allow_memfd_create_for_python)
{
	const char *py = python();
	const char *code = "import os; os.close(os.memfd_create('x'))";
	struct run r;

	if (!have_binaries())
		return;
	if (!py)
		SKIP("python3 not found");
	if (run_cmd(OPTS(py, "-c", code), &r) != 0)
		SKIP("python3 cannot memfd_create unconfined here");
	stockade_run(OPTS("--preset", "strict"), OPTS(py, "-c", code), &r);
	CHECK_MSG(r.outcome != 0 && r.outcome != STOCKADE_FAILED && r.outcome < SIGNALLED(0),
		  "strict without --allow: python's memfd_create should fail with an exception, got %d",
		  r.outcome);
	CHECK_STR_CONTAINS(r.out, "Error");
	stockade_run(OPTS("--preset", "strict", "--allow", "memfd_create"), OPTS(py, "-c", code), &r);
	CHECK_OUTCOME(&r, 0, "strict --allow memfd_create: python memfd_create");
}

TEST(policy_file_allow_memfd_create)
{
	const char *py = python();
	const char *code = "import os; os.close(os.memfd_create('x'))";
	const char *pol;
	struct run r;

	if (!have_binaries())
		return;
	if (!py)
		SKIP("python3 not found");
	if (run_cmd(OPTS(py, "-c", code), &r) != 0)
		SKIP("python3 cannot memfd_create unconfined here");
	pol = write_tmp("strict-memfd.yaml",
			 "version: 1\n"
			 "extends: strict\n"
			 "seccomp:\n"
			 "  allow: [memfd_create]\n",
			 0644);
	stockade_run(OPTS("--policy", pol), OPTS(py, "-c", code), &r);
	CHECK_OUTCOME(&r, 0, "policy extends strict, allow memfd_create: python memfd_create");
}

TEST(cli_deny_with_policy_deny_action)
{
	const char *pol;

	pol = write_tmp("eacces.yaml",
			 "version: 1\n"
			 "extends: agent\n"
			 "seccomp:\n"
			 "  deny: [getcwd]\n"
			 "  deny_action: errno:EACCES\n",
			 0644);
	{
		const struct row rows[] = {
			{ "getpid", ALLOWED },
			{ "getcwd", EACCES },
			/* deny_action is this file's: agent's own denials keep
			 * theirs (and where the kernel already refuses, as in a
			 * chroot, the row is a note, not a check) */
			{ "unshare CLONE_NEWUSER", EPERM },
		};
		CHECK_ROWS("policy deny_action", OPTS("--policy", pol), rows);
	}
	{
		const struct row rows[] = {
			{ "getpid", EACCES },
			{ "getcwd", EACCES },
			{ "getppid", ALLOWED },
		};
		CHECK_ROWS("policy + --deny getpid", OPTS("--policy", pol, "--deny", "getpid"), rows);
	}
	{
		const struct row rows[] = {
			{ "getpid", EPERM },
			{ "getppid", ALLOWED },
		};
		CHECK_ROWS("agent --deny getpid", OPTS("--deny", "getpid"), rows);
	}
	{
		const struct row rows[] = {
			{ "memfd_create", EPERM },
			{ "memfd_create MFD_CLOEXEC", EPERM },
			{ "getpid", ALLOWED },
		};
		CHECK_ROWS("agent --deny memfd_create", OPTS("--preset", "agent", "--deny", "memfd_create"), rows);
	}
	{
		const struct row rows[] = {
			{ "ptrace", ALLOWED },
			{ "mount", EPERM },
		};
		CHECK_ROWS("agent --allow ptrace", OPTS("--preset", "agent", "--allow", "ptrace"), rows);
	}
}

TEST(policy_compat_arches_filter)
{
	const char *pol;

	pol = write_tmp("compat.yaml",
			 "version: 1\n"
			 "extends: agent\n"
			 "seccomp: {compat_arches: filter}\n",
			 0644);
	{
		const struct row rows[] = {
			{ "int80 getpid", ALLOWED },
			{ "int80 getppid", ALLOWED },
			{ "int80 unshare 0", ALLOWED },
			{ "int80 unshare CLONE_NEWUSER", EPERM },
			{ "int80 mount", EPERM },
			{ "int80 memfd_create 0", ALLOWED },
			{ "int80 socket AF_UNIX SOCK_STREAM", ALLOWED },
			{ "int80 socket AF_PACKET SOCK_RAW", EACCES }, /* network none */
			/* socketcall hides its arguments in memory: it must not
			 * become a way around the family rule */
			{ "int80 socketcall AF_PACKET SOCK_RAW", NOT_BASELINE },
			{ "x32 getpid", ALLOWED },
			{ "x32 unshare CLONE_NEWUSER", EPERM },
			{ "getpid", ALLOWED },
			{ "unshare CLONE_NEWUSER", EPERM },
		};
		CHECK_ROWS("compat filter", OPTS("--policy", pol), rows);
	}
}

/* ---- what the kernel says about the confined process ---- */

static void check_status_fields(const char *preset, const char *seccomp_mode)
{
	char want[64];
	struct run r;

	stockade_run(OPTS("--preset", preset), OPTS("/bin/cat", "/proc/self/status"), &r);
	CHECK_OUTCOME(&r, 0, preset);
	if (r.outcome != 0)
		return;
	CHECK_STR_CONTAINS(r.out, "NoNewPrivs:\t1\n");
	snprintf(want, sizeof(want), "Seccomp:\t%s\n", seccomp_mode);
	CHECK_STR_CONTAINS(r.out, want);
}

/* no_new_privs always; a filter (mode 2) for every preset but none. */
TEST(no_new_privs_and_seccomp_mode)
{
	if (!have_binaries())
		return;
	check_status_fields("agent", "2");
	check_status_fields("strict", "2");
	check_status_fields("minimal", "2");
	check_status_fields("debug", "2");
	check_status_fields("none", "0");
}

/* ---- exit statuses ---- */

TEST(exit_status_passthrough)
{
	struct run r;

	if (!have_binaries())
		return;
	stockade_run(NO_OPTS, OPTS("/bin/sh", "-c", "exit 42"), &r);
	CHECK_OUTCOME(&r, 42, "sh -c 'exit 42'");
	stockade_run(NO_OPTS, OPTS("/bin/false"), &r);
	CHECK_OUTCOME(&r, 1, "false");
	stockade_run(OPTS("--preset", "strict"), OPTS("/bin/sh", "-c", "exit 3"), &r);
	CHECK_OUTCOME(&r, 3, "strict: sh -c 'exit 3'");
	stockade_run(OPTS("--preset", "none"), OPTS("/bin/sh", "-c", "exit 200"), &r);
	CHECK_OUTCOME(&r, 200, "none: sh -c 'exit 200'");
	/* exec in place: the command's own death is ours */
	stockade_run(NO_OPTS, OPTS("/bin/sh", "-c", "kill -TERM $$"), &r);
	CHECK_OUTCOME(&r, SIGNALLED(SIGTERM), "sh -c 'kill -TERM $$'");
	/* the command is found through PATH */
	stockade_run(NO_OPTS, OPTS("sh", "-c", "exit 5"), &r);
	CHECK_OUTCOME(&r, 5, "sh (PATH lookup) -c 'exit 5'");
}

TEST(exit_status_exec_failures)
{
	const char *noexec, *dir;
	struct run r;

	if (!have_binaries())
		return;
	stockade_run(NO_OPTS, OPTS("/nonexistent-stockade-test/cmd"), &r);
	CHECK_OUTCOME(&r, EXEC_NOT_FOUND, "missing command by path");
	stockade_run(NO_OPTS, OPTS("stockade-no-such-command-xyzzy"), &r);
	CHECK_OUTCOME(&r, EXEC_NOT_FOUND, "missing command on PATH");
	noexec = write_tmp("not-executable", "#!/bin/sh\nexit 0\n", 0644);
	stockade_run(NO_OPTS, OPTS(noexec), &r);
	CHECK_OUTCOME(&r, EXEC_NOT_EXECUTABLE, "file without x bit");
	dir = tmp_path("a-directory");
	mkdir(dir, 0755);
	stockade_run(NO_OPTS, OPTS(dir), &r);
	CHECK_OUTCOME(&r, EXEC_NOT_EXECUTABLE, "a directory");
}

TEST(exit_status_stockade_errors)
{
	const char *bad_yaml, *bad_call, *bad_action, *bad_extends, *marker;
	char touch[4096 + 64];
	struct run r;

	if (!have_binaries())
		return;
	bad_yaml = write_tmp("bad-syntax.yaml", "version: 1\nseccomp:\n  allow: [getpid\n  deny: ]\n", 0644);
	bad_call = write_tmp("bad-call.yaml", "version: 1\nextends: agent\nseccomp:\n  deny: [no_such_call]\n",
			      0644);
	bad_action = write_tmp("bad-action.yaml",
				"version: 1\nextends: agent\nseccomp:\n  deny_action: errno:ENOTANERRNO\n", 0644);
	bad_extends = write_tmp("bad-extends.yaml", "version: 1\nextends: no-such-preset\n", 0644);
	marker = tmp_path("ran-anyway");
	unlink(marker);
	snprintf(touch, sizeof(touch), "echo ran > '%s'", marker);

	stockade_run(OPTS("--policy", bad_yaml), OPTS("/bin/sh", "-c", touch), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "YAML syntax error");
	CHECK_STR_CONTAINS(r.out, "bad-syntax.yaml");
	stockade_run(OPTS("--policy", bad_call), OPTS("/bin/sh", "-c", touch), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "unknown syscall in a policy file");
	CHECK_STR_CONTAINS(r.out, "no_such_call");
	stockade_run(OPTS("--policy", bad_action), OPTS("/bin/sh", "-c", touch), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "unknown errno in deny_action");
	stockade_run(OPTS("--policy", bad_extends), OPTS("/bin/sh", "-c", touch), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "extends an unknown preset");
	stockade_run(OPTS("--policy", "/nonexistent-stockade-test/policy.yaml"), OPTS("/bin/sh", "-c", touch),
		     &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "missing policy file");
	stockade_run(OPTS("--preset", "no-such-preset"), OPTS("/bin/sh", "-c", touch), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "unknown preset");
	stockade_run(OPTS("--allow", "no_such_syscall_xyz"), OPTS("/bin/sh", "-c", touch), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--allow an unknown syscall");
	stockade_run(OPTS("--deny", "no_such_syscall_xyz"), OPTS("/bin/sh", "-c", touch), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--deny an unknown syscall");
	CHECK_MSG(access(marker, F_OK) < 0, "the command ran although stockade failed");
}

/* ---- the unprivileged pass ---- */

static int read_sysctl(const char *path)
{
	char buf[32];
	FILE *f = fopen(path, "r");
	int v = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = atoi(buf);
	fclose(f);
	return v;
}

/*
 * As nobody the interesting denial is the user namespace: the kernel lets
 * an unprivileged process create one (the usual first step of a container
 * escape), the filter must not.
 */
TEST(unprivileged_user_namespaces)
{
	static const struct row agent_rows[] = {
		{ "unshare CLONE_NEWUSER", EPERM },
		{ "unshare CLONE_NEWUSER|CLONE_NEWNS", EPERM },
		{ "clone CLONE_NEWUSER|SIGCHLD", EPERM },
		{ "clone3 CLONE_NEWUSER", ENOSYS },
		{ "unshare 0", ALLOWED },
	};
	static const struct row strict_rows_userns[] = {
		{ "unshare CLONE_NEWUSER", NOT_BASELINE },
		{ "clone CLONE_NEWUSER|SIGCHLD", NOT_BASELINE },
	};
	static const struct row none_rows[] = {
		{ "unshare CLONE_NEWUSER", ALLOWED },
	};
	int v;

	if (geteuid() == 0)
		SKIP("runs in the unprivileged pass (tier live-unpriv)");
	if (!have_binaries())
		return;
	if ((v = read_sysctl("/proc/sys/user/max_user_namespaces")) == 0)
		SKIP("user.max_user_namespaces is 0: unprivileged user namespaces are disabled");
	if ((v = read_sysctl("/proc/sys/kernel/unprivileged_userns_clone")) == 0)
		SKIP("kernel.unprivileged_userns_clone is 0: unprivileged user namespaces are disabled");
	if (read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
		printf("  note: kernel.apparmor_restrict_unprivileged_userns is 1\n");
	if (baseline("unshare CLONE_NEWUSER") != 0)
		SKIP("unshare(CLONE_NEWUSER) fails for this user even without a filter");
	check_rows("agent/nobody", OPTS("--preset", "agent"), ROWS(agent_rows));
	check_rows("strict/nobody", OPTS("--preset", "strict"), ROWS(strict_rows_userns));
	check_rows("none/nobody", OPTS("--preset", "none"), ROWS(none_rows));
}

/* Privileges dropped inside the sandbox keep the filter (no_new_privs). */
TEST(filter_survives_privilege_drop)
{
	const char *setpriv = find_tool(NULL, OPTS("/usr/bin/setpriv"), "setpriv");
	struct run r;

	if (geteuid() != 0)
		SKIP("needs root to drop privileges");
	if (!have_binaries())
		return;
	if (!setpriv)
		SKIP("setpriv not found");
	if (baseline("unshare CLONE_NEWUSER") != 0)
		SKIP("unshare(CLONE_NEWUSER) fails even without a filter");
	if (run_cmd(OPTS(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", probe_path("try-syscall"),
			   "unshare", "CLONE_NEWUSER"),
		      &r) != 0)
		SKIP("nobody cannot create a user namespace here, or cannot run the probe");
	stockade_run(OPTS("--preset", "agent"),
		     OPTS(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", probe_path("try-syscall"),
			  "unshare", "CLONE_NEWUSER"),
		     &r);
	CHECK_OUTCOME(&r, EPERM, "agent: setpriv to nobody, then unshare(CLONE_NEWUSER)");
}
