/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: `stockade run` beyond the presets: command-line overrides and
 * policy files, what the kernel says about the confined process, exit
 * statuses, and the unprivileged pass.  Rows are checked as test_live.c
 * checks them (sandboxed.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../harness.h"
#include "live_util.h"
#include "sandboxed.h"

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
	cli_run(OPTS("--preset", "strict"), OPTS(py, "-c", code), &r);
	CHECK_MSG(r.outcome != 0 && r.outcome != STOCKADE_FAILED && r.outcome < SIGNALLED(0),
		  "strict without --allow: python's memfd_create should fail with an exception, got %d",
		  r.outcome);
	CHECK_STR_CONTAINS(r.out, "Error");
	cli_run(OPTS("--preset", "strict", "--allow", "memfd_create"), OPTS(py, "-c", code), &r);
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
	cli_run(OPTS("--policy", pol), OPTS(py, "-c", code), &r);
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

	cli_run(OPTS("--preset", preset), OPTS("/bin/cat", "/proc/self/status"), &r);
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
	cli_run(NO_OPTS, OPTS("/bin/sh", "-c", "exit 42"), &r);
	CHECK_OUTCOME(&r, 42, "sh -c 'exit 42'");
	cli_run(NO_OPTS, OPTS("/bin/false"), &r);
	CHECK_OUTCOME(&r, 1, "false");
	cli_run(OPTS("--preset", "strict"), OPTS("/bin/sh", "-c", "exit 3"), &r);
	CHECK_OUTCOME(&r, 3, "strict: sh -c 'exit 3'");
	cli_run(OPTS("--preset", "none"), OPTS("/bin/sh", "-c", "exit 200"), &r);
	CHECK_OUTCOME(&r, 200, "none: sh -c 'exit 200'");
	/* exec in place: the command's own death is ours */
	cli_run(NO_OPTS, OPTS("/bin/sh", "-c", "kill -TERM $$"), &r);
	CHECK_OUTCOME(&r, SIGNALLED(SIGTERM), "sh -c 'kill -TERM $$'");
	/* the command is found through PATH */
	cli_run(NO_OPTS, OPTS("sh", "-c", "exit 5"), &r);
	CHECK_OUTCOME(&r, 5, "sh (PATH lookup) -c 'exit 5'");
}

TEST(exit_status_exec_failures)
{
	const char *noexec, *dir;
	struct run r;

	if (!have_binaries())
		return;
	cli_run(NO_OPTS, OPTS("/nonexistent-stockade-test/cmd"), &r);
	CHECK_OUTCOME(&r, EXEC_NOT_FOUND, "missing command by path");
	cli_run(NO_OPTS, OPTS("stockade-no-such-command-xyzzy"), &r);
	CHECK_OUTCOME(&r, EXEC_NOT_FOUND, "missing command on PATH");
	noexec = write_tmp("not-executable", "#!/bin/sh\nexit 0\n", 0644);
	cli_run(NO_OPTS, OPTS(noexec), &r);
	CHECK_OUTCOME(&r, EXEC_NOT_EXECUTABLE, "file without x bit");
	dir = tmp_path("a-directory");
	mkdir(dir, 0755);
	cli_run(NO_OPTS, OPTS(dir), &r);
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

	cli_run(OPTS("--policy", bad_yaml), OPTS("/bin/sh", "-c", touch), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "YAML syntax error");
	CHECK_STR_CONTAINS(r.out, "bad-syntax.yaml");
	cli_run(OPTS("--policy", bad_call), OPTS("/bin/sh", "-c", touch), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "unknown syscall in a policy file");
	CHECK_STR_CONTAINS(r.out, "no_such_call");
	cli_run(OPTS("--policy", bad_action), OPTS("/bin/sh", "-c", touch), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "unknown errno in deny_action");
	cli_run(OPTS("--policy", bad_extends), OPTS("/bin/sh", "-c", touch), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "extends an unknown preset");
	cli_run(OPTS("--policy", "/nonexistent-stockade-test/policy.yaml"), OPTS("/bin/sh", "-c", touch),
		     &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "missing policy file");
	cli_run(OPTS("--preset", "no-such-preset"), OPTS("/bin/sh", "-c", touch), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "unknown preset");
	cli_run(OPTS("--allow", "no_such_syscall_xyz"), OPTS("/bin/sh", "-c", touch), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--allow an unknown syscall");
	cli_run(OPTS("--deny", "no_such_syscall_xyz"), OPTS("/bin/sh", "-c", touch), &r);
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
	cli_run(OPTS("--preset", "agent"),
		     OPTS(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", probe_path("try-syscall"),
			  "unshare", "CLONE_NEWUSER"),
		     &r);
	CHECK_OUTCOME(&r, EPERM, "agent: setpriv to nobody, then unshare(CLONE_NEWUSER)");
}

/* Descriptors the caller left open above stderr do not reach the command
 * (a harness's pipe, a file it writes): only with --preserve-fds, and a
 * make jobserver's named in MAKEFLAGS. */
TEST(cli_inherited_fds_closed)
{
	static const char probe[] = "test -e /proc/self/fd/3 && exit 9; exit 0";
	const char *file = tmp_path("held-fd");
	char flags[128];
	struct run_opts ro = { 0 };
	struct run r;
	int fd;

	if (!have_binaries())
		return;
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	ro.fd3 = fd;
	/* Unconfined, the probe sees the descriptor: the test can tell. */
	run_cmd_opts(ARGV("sh", "-c", probe), &ro, &r);
	CHECK_OUTCOME(&r, 9, "sh without stockade sees descriptor 3");
	/* (Not under `make check`'s own jobserver: MAKEFLAGS may name 3.) */
	run_cmd_opts(ARGV("env", "-u", "MAKEFLAGS", stockade_bin(), "run", "--", "sh", "-c", probe), &ro, &r);
	CHECK_OUTCOME(&r, 0, "stockade run: descriptor 3 is closed");
	run_cmd_opts(ARGV("env", "-u", "MAKEFLAGS", stockade_bin(), "run", "--report", "--", "sh", "-c", probe), &ro,
		     &r);
	CHECK_OUTCOME(&r, 0, "stockade run --report: descriptor 3 is closed");
	run_cmd_opts(ARGV("env", "-u", "MAKEFLAGS", stockade_bin(), "run", "--preserve-fds", "1", "--", "sh", "-c",
			  probe),
		     &ro, &r);
	CHECK_OUTCOME(&r, 9, "stockade run --preserve-fds 1: descriptor 3 passed on");
	/* MAKEFLAGS naming a regular file: not a jobserver, closed. */
	snprintf(flags, sizeof(flags), "MAKEFLAGS= -j2 --jobserver-auth=3,3");
	ro.env = (const char *const[]){ flags, NULL };
	run_cmd_opts(ARGV(stockade_bin(), "run", "--", "sh", "-c", probe), &ro, &r);
	CHECK_OUTCOME(&r, 0, "stockade run, MAKEFLAGS naming descriptor 3, a regular file: closed");
	snprintf(flags, sizeof(flags), "MAKEFLAGS= -j2 --jobserver-fds=3,3");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--", "sh", "-c", probe), &ro, &r);
	CHECK_OUTCOME(&r, 0, "stockade run, --jobserver-fds naming a regular file: closed");
	/* A pipe, as make's jobserver is: passed on, if the last occurrence
	 * names it (make 4.4 takes the last). */
	int pfd[2];
	CHECK(pipe2(pfd, O_CLOEXEC) == 0);
	ro.fd3 = pfd[0];
	snprintf(flags, sizeof(flags), "MAKEFLAGS= -j2 --jobserver-auth=3,3");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--", "sh", "-c", probe), &ro, &r);
	CHECK_OUTCOME(&r, 9, "stockade run under a make jobserver on descriptor 3 (a pipe): passed on");
	snprintf(flags, sizeof(flags), "MAKEFLAGS= -j2 --jobserver-auth=7,8 --jobserver-fds=3,3");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--", "sh", "-c", probe), &ro, &r);
	CHECK_OUTCOME(&r, 9, "the last of --jobserver-auth and --jobserver-fds counts: 3 passed on");
	snprintf(flags, sizeof(flags), "MAKEFLAGS= -j2 --jobserver-auth=3,3 --jobserver-auth=fifo:/nonexistent");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--", "sh", "-c", probe), &ro, &r);
	CHECK_OUTCOME(&r, 0, "the last occurrence is fifo:PATH: descriptor 3 closed");
	close(pfd[0]);
	close(pfd[1]);
	ro.fd3 = fd;
	run_cmd_opts(ARGV(stockade_bin(), "run", "--preserve-fds", "x", "--", "true"), &ro, &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--preserve-fds x is refused");
	close(fd);
	unlink(file);
}

/* --timings: every phase of the start, in order, before the command's own
 * output; nothing without it, and the command's exit status either way. */
TEST(cli_timings)
{
	static const char *const phases[] = { "options", "plan", "environment", "caches", "host sockets",
					      "Landlock: rules added", "capabilities", "Landlock: enforced",
					      "seccomp: filter loaded", "total" };
	static const char *const modes[] = { "off", "auto" };
	struct run r;

	if (!have_binaries())
		return;
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		const char *at = NULL;

		cli_run(OPTS("--timings", "--isolation", modes[m]), OPTS("sh", "-c", "echo payload; exit 3"), &r);
		CHECK_OUTCOME(&r, 3, "stockade run --timings: the command's status");
		at = r.out;
		for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]) && at; i++) {
			char want[64];

			snprintf(want, sizeof(want), "stockade:   %s ", phases[i]);
			at = strstr(at, want);
			CHECK_MSG(at != NULL, "--isolation %s: phase \"%s\" printed, after the ones before it:\n%s", modes[m],
				  phases[i], r.out);
		}
		CHECK_MSG(at && strstr(at, "payload"), "the timings come before the command's output:\n%s", r.out);
	}
	cli_run(OPTS("--isolation", "off"), OPTS("sh", "-c", "echo payload; exit 3"), &r);
	CHECK_OUTCOME(&r, 3, "stockade run: the command's status");
	CHECK_MSG(!strstr(r.out, "timings"), "no timings unless asked:\n%s", r.out);
}
