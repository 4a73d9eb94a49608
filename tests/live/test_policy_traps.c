/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: policy traps that used to be silent (issue 16, item 5), each
 * an error or a warning with the fix, or fixed: a --policy file without
 * `extends:`; `--policy -`; --oci-profile on agent; read_only and a write
 * beneath it in one layer; `replace: true` and the credential carve-outs;
 * a write path that does not exist.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../harness.h"
#include "live_util.h"

static bool have_binaries(void)
{
	if (access(stockade_bin(), X_OK) < 0 || access(probe_path("try-syscall"), X_OK) < 0) {
		CHECK_MSG(0, "%s or %s is missing (make check builds them)", stockade_bin(), probe_path("try-syscall"));
		return false;
	}
	return true;
}

/* A scratch home with a credential agent carves out. */
static bool scratch_home(char *home, size_t size, char *env, size_t envsize)
{
	char npmrc[4200];

	if (!make_tmpdir(home, size, NULL, "home"))
		return false;
	snprintf(npmrc, sizeof(npmrc), "%s/.npmrc", home);
	if (!write_file(npmrc, "//registry.npmjs.org/:_authToken=secret\n"))
		return false;
	snprintf(env, envsize, "HOME=%s", home);
	return true;
}

TEST(trap_policy_without_extends)
{
	const char *noext = write_tmp("noext.yaml", "version: 1\nseccomp:\n  deny: [memfd_create]\n", 0644);
	const char *none = write_tmp("none.yaml", "version: 1\nextends: none\nseccomp:\n  deny: [memfd_create]\n", 0644);
	struct run r;

	if (!have_binaries())
		return;
	run_cmd(ARGV(stockade_bin(), "run", "--policy", noext, "--", "true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--policy without extends:");
	CHECK_STR_CONTAINS(r.out, "has no `extends:`");
	CHECK_STR_CONTAINS(r.out, "extends: agent");
	CHECK_STR_CONTAINS(r.out, "extends: none");
	/* Said on purpose, it is what it says. */
	run_cmd(ARGV(stockade_bin(), "run", "--policy", none, "--", probe_path("try-syscall"), "memfd_create"), &r);
	CHECK_OUTCOME(&r, EPERM, "--policy with extends: none");
	/* On top of a preset the file is a layer, not a bottom. */
	run_cmd(ARGV(stockade_bin(), "run", "--preset", "agent", "--policy", noext, "--", probe_path("try-syscall"),
		     "memfd_create"),
		&r);
	CHECK_OUTCOME(&r, EPERM, "--preset agent --policy without extends:");
}

TEST(trap_policy_from_stdin)
{
	const char *pol = write_tmp("stdin.yaml", "version: 1\nextends: agent\nseccomp:\n  deny: [memfd_create]\n", 0644);
	const char *bad = write_tmp("stdin-bad.yaml", "version: 1\nseccomp:\n  deny: [memfd_create]\n", 0644);
	struct run_opts o = { .in = pol };
	struct run r;

	if (!have_binaries())
		return;
	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", "-", "--", probe_path("try-syscall"), "memfd_create"), &o,
		     &r);
	CHECK_OUTCOME(&r, EPERM, "--policy - (deny memfd_create)");
	o.in = bad;
	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", "-", "--", "true"), &o, &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "--policy - without extends:");
	CHECK_STR_CONTAINS(r.out, "<stdin>:1:1");
}

/* --oci-profile replaces agent's syscall rules and keeps its files and
 * network. */
TEST(trap_oci_profile_keeps_agent_access)
{
	const char *prof = write_tmp("allow-but-memfd.json",
				     "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"memfd_create\"],"
				     "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}",
				     0644);
	char home[4096], henv[4200], script[8400];
	struct run_opts o = { 0 };
	struct run r, agent;
	const char *env[2] = { henv, NULL };

	if (!have_binaries() || !scratch_home(home, sizeof(home), henv, sizeof(henv)))
		return;
	o.env = env;
	run_cmd_opts(ARGV(stockade_bin(), "run", "--oci-profile", prof, "--", probe_path("try-syscall"), "memfd_create"),
		     &o, &r);
	CHECK_OUTCOME(&r, EPERM, "--oci-profile: the profile's rule");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--", probe_path("try-syscall"), "socket", "AF_INET", "SOCK_STREAM"), &o,
		     &agent);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--oci-profile", prof, "--", probe_path("try-syscall"), "socket",
			  "AF_INET", "SOCK_STREAM"),
		     &o, &r);
	CHECK_MSG(r.outcome == agent.outcome && r.outcome != 0, "--oci-profile: socket(AF_INET) got %d, agent %d",
		  r.outcome, agent.outcome);
	snprintf(script, sizeof(script), "cat '%s/.npmrc'", home);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--oci-profile", prof, "--", "sh", "-c", script), &o, &r);
	CHECK_MSG(r.outcome != 0 && !strstr(r.out, "secret"), "--oci-profile read the carved-out token:\n%s", r.out);
	/* compile exports the profile itself: none of agent's (network)
	 * socket rules in it, which a base would bring. */
	run_cmd(ARGV(stockade_bin(), "compile", "--format", "listing", "--oci-profile", prof), &r);
	CHECK_OUTCOME(&r, 0, "compile --oci-profile");
	CHECK_MSG(!strstr(r.out, "socket"), "compile --oci-profile took agent's rules:\n%s", r.out);
	run_cmd(ARGV(stockade_bin(), "compile", "--format", "listing", "--preset", "agent", "--oci-profile", prof), &r);
	CHECK_MSG(r.outcome == 0 && strstr(r.out, "socket"), "compile --preset agent --oci-profile:\n%s", r.out);
	rm_rf(home);
}

/* read_only: [$CWD] and write: [$CWD/out] in one layer: out/ is writable,
 * the rest read-only. */
TEST(trap_read_only_then_write_beneath)
{
	char dir[4096], out[4200];
	const char *pol = write_tmp("ro-write.yaml",
				    "version: 1\nextends: agent\nfilesystem:\n  read_only: [$CWD]\n  write: [$CWD/out]\n",
				    0644);
	struct run_opts o = { 0 };
	struct run r;

	if (!have_binaries() || !make_tmpdir(dir, sizeof(dir), NULL, "rowrite"))
		return;
	snprintf(out, sizeof(out), "%s/out", dir);
	CHECK(mkdir(out, 0755) == 0);
	o.cwd = dir;
	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", pol, "--", "sh", "-c", "touch out/made"), &o, &r);
	CHECK_OUTCOME(&r, 0, "write beneath read_only in one layer");
	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", pol, "--", "sh", "-c", "touch beside"), &o, &r);
	CHECK_MSG(r.outcome != 0, "read_only: [$CWD] did not hold beside out/");
	rm_rf(dir);
}

/* replace: true keeps the lower layers' credential carve-outs, unless
 * undeny: names them. */
TEST(trap_replace_keeps_carve_outs)
{
	const char *keep = write_tmp("replace.yaml",
				     "version: 1\nextends: agent\nfilesystem:\n  replace: true\n  read: [/]\n"
				     "  exec: [/usr, /bin, /lib, /lib64]\n  write: [/dev/null]\n",
				     0644);
	const char *drop = write_tmp("undeny.yaml",
				     "version: 1\nextends: agent\nfilesystem:\n  replace: true\n  read: [/]\n"
				     "  exec: [/usr, /bin, /lib, /lib64]\n  write: [/dev/null]\n  undeny: [~/.npmrc]\n",
				     0644);
	char home[4096], henv[4200];
	struct run_opts o = { 0 };
	struct run r;
	const char *env[2] = { henv, NULL };

	if (!have_binaries() || !scratch_home(home, sizeof(home), henv, sizeof(henv)))
		return;
	o.env = env;
	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", keep, "--", "sh", "-c", "cat ~/.npmrc"), &o, &r);
	CHECK_MSG(r.outcome != 0 && !strstr(r.out, "secret"), "replace: true dropped the carve-out:\n%s", r.out);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", drop, "--", "sh", "-c", "cat ~/.npmrc"), &o, &r);
	CHECK_MSG(r.outcome == 0 && strstr(r.out, "secret"), "undeny: [~/.npmrc] did not drop it:\n%s", r.out);
	rm_rf(home);
}

TEST(trap_missing_write_path_warned)
{
	char dir[4096], missing[4200];
	struct run r;

	if (!have_binaries() || !make_tmpdir(dir, sizeof(dir), NULL, "missing"))
		return;
	snprintf(missing, sizeof(missing), "%s/not-yet", dir);
	run_cmd(ARGV(stockade_bin(), "run", "--write", missing, "--", "true"), &r);
	CHECK_OUTCOME(&r, 0, "--write of a missing path");
	CHECK_STR_CONTAINS(r.out, "does not exist");
	CHECK_STR_CONTAINS(r.out, "mkdir -p");
	rm_rf(dir);
}

/* A policy file the command could rewrite for the next run (inside one of
 * the run's write roots, here $TMPDIR) is said. */
TEST(trap_policy_file_in_write_root_warned)
{
	const char *pol = write_tmp("inroot.yaml", "version: 1\nextends: agent\n", 0644);
	struct run r;

	if (!have_binaries())
		return;
	run_cmd(ARGV(stockade_bin(), "run", "--policy", pol, "--", "true"), &r);
	CHECK_OUTCOME(&r, 0, "a policy file inside a write root still runs");
	CHECK_STR_CONTAINS(r.out, "warning: policy file");
	CHECK_STR_CONTAINS(r.out, "inroot.yaml is under");
	CHECK_STR_CONTAINS(r.out, "which the command may write");
}
