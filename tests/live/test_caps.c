/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, capabilities (`capabilities.keep`, docs/capabilities.md): as
 * root under agent the command holds exactly the kept set (permitted,
 * effective, bounding) and cannot plant file capabilities; `keep: [all]`
 * drops nothing; as any other user nothing changes and the status says
 * there is nothing to drop.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandboxed.h"
#include "stockade.h"

/* presets/agent.yaml's capabilities.keep, by number (capabilities(7)). */
#define AGENT_KEEP                                                                                             \
	((1ULL << 0) /* CHOWN */ | (1ULL << 1) /* DAC_OVERRIDE */ | (1ULL << 3) /* FOWNER */ |                \
	 (1ULL << 5) /* KILL */ | (1ULL << 6) /* SETGID */ | (1ULL << 7) /* SETUID */ |                         \
	 (1ULL << 10) /* NET_BIND_SERVICE */ | (1ULL << 18) /* SYS_CHROOT */ | (1ULL << 29) /* AUDIT_WRITE */)

/* A "CapXxx:\t<hex>" line of a /proc/PID/status text; false if absent. */
static bool cap_field(const char *text, const char *field, uint64_t *out)
{
	char key[16];
	const char *p;

	snprintf(key, sizeof(key), "%s:", field);
	p = strstr(text, key);
	if (!p)
		return false;
	*out = strtoull(p + strlen(key), NULL, 16);
	return true;
}

static uint64_t own_cap(const char *field)
{
	char *text = read_file("/proc/self/status");
	uint64_t v = 0;

	CHECK(text && cap_field(text, field, &v));
	free(text);
	return v;
}

/* The command's CapPrm, CapEff and CapBnd under `opts` all equal `want`. */
static void check_command_caps(const char *const *opts, uint64_t want, const char *what)
{
	static const char *const fields[] = { "CapPrm", "CapEff", "CapBnd" };
	struct run r;

	cli_run(opts, OPTS("/bin/cat", "/proc/self/status"), &r);
	CHECK_OUTCOME(&r, 0, what);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t got = 0;

		CHECK_MSG(cap_field(r.out, fields[i], &got) && got == want, "%s: %s %016" PRIx64 ", want %016" PRIx64,
			  what, fields[i], got, want);
	}
}

TEST(caps_root_agent_keeps_exactly_the_set)
{
	if (geteuid() != 0)
		SKIP("needs root: another user's command holds no capabilities to drop");
	if (!have_binaries())
		return;
	/* What the kernel can give: the kept set within this process's bounding set. */
	check_command_caps(OPTS("--preset", "agent"), AGENT_KEEP & own_cap("CapBnd"), "agent as root");
	check_command_caps(OPTS("--preset", "strict"), AGENT_KEEP & own_cap("CapBnd"), "strict as root");
	check_command_caps(OPTS("--preset", "agent", "--report"), AGENT_KEEP & own_cap("CapBnd"),
			   "agent --report (supervised) as root");
}

TEST(caps_keep_all_drops_nothing)
{
	const char *pol = write_tmp("caps-all.yaml",
				    "version: 1\n"
				    "extends: agent\n"
				    "capabilities:\n"
				    "  keep: [all]\n",
				    0644);
	struct run r;

	if (!have_binaries())
		return;
	if (geteuid() != 0) {
		cli_run(OPTS("--policy", pol), OPTS("/bin/true"), &r);
		CHECK_OUTCOME(&r, 0, "keep: [all] as another user");
		return;
	}
	check_command_caps(OPTS("--policy", pol), own_cap("CapBnd"), "keep: [all] as root");
	check_command_caps(OPTS("--preset", "minimal"), own_cap("CapBnd"), "minimal (no key) as root");
}

/* A v2 security.capability value granting cap_setuid=ep: setuid by another name. */
static const char setfcap_py[] =
	"import os, struct, sys\n"
	"v = struct.pack('<IIIII', 0x02000001, 1 << 7, 0, 0, 0)\n"
	"try:\n"
	"    os.setxattr(sys.argv[1], 'security.capability', v)\n"
	"except OSError as e:\n"
	"    sys.exit(e.errno)\n";

TEST(caps_root_cannot_plant_file_capabilities)
{
	const char *py = python();
	const char *file = write_tmp("caps-target", "#!/bin/sh\n", 0755);
	const char *pol = write_tmp("caps-all-setfcap.yaml",
				    "version: 1\n"
				    "extends: agent\n"
				    "capabilities:\n"
				    "  keep: [all]\n",
				    0644);
	struct run r;

	if (geteuid() != 0)
		SKIP("needs root: only CAP_SETFCAP can set security.capability");
	if (!have_binaries())
		return;
	if (!py)
		SKIP("python3 not found");
	if (run_cmd(OPTS(py, "-c", setfcap_py, file), &r) != 0)
		SKIP("setxattr security.capability fails unconfined here (filesystem or container)");
	cli_run(OPTS("--preset", "agent"), OPTS(py, "-c", setfcap_py, file), &r);
	CHECK_OUTCOME(&r, EPERM, "agent as root: setxattr security.capability (CAP_SETFCAP dropped)");
	cli_run(OPTS("--policy", pol), OPTS(py, "-c", setfcap_py, file), &r);
	CHECK_OUTCOME(&r, 0, "keep: [all] as root: setxattr security.capability");
}

TEST(caps_unknown_name_is_an_error)
{
	const char *pol = write_tmp("caps-typo.yaml",
				    "version: 1\n"
				    "extends: agent\n"
				    "capabilities:\n"
				    "  keep: [CAP_CHOWN, CAP_SETUDI]\n",
				    0644);
	struct run r;

	if (!have_binaries())
		return;
	cli_run(OPTS("--policy", pol), OPTS("/bin/true"), &r);
	CHECK_OUTCOME(&r, STOCKADE_FAILED, "an unknown capability name");
	CHECK_MSG(strstr(r.out, ":4:21: capabilities.keep: unknown capability `CAP_SETUDI`, did you mean `CAP_SETUID`?"),
		  "message: %s", r.out);
}

TEST(caps_status_line)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_status *st = NULL;
	struct run r;

	if (!have_binaries())
		return;
	cli_run(OPTS("--preset", "agent", "--verbose"), OPTS("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "agent --verbose");
	if (geteuid() == 0)
		CHECK_MSG(strstr(r.out, "capabilities  enforced: kept CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER,") ||
				  strstr(r.out, "capabilities  partly enforced: kept CAP_CHOWN,"),
			  "root: %s", r.out);
	else
		CHECK_MSG(strstr(r.out, "capabilities  enforced: not running with capabilities"), "not root: %s", r.out);
	cli_run(OPTS("--preset", "minimal", "--verbose"), OPTS("/bin/true"), &r);
	CHECK_MSG(strstr(r.out, "capabilities  off: not restricted by the policy"), "minimal: %s", r.out);

	/* The same through the public accessors. */
	CHECK(stockade_policy_new(&p, NULL) == 0 && stockade_policy_add_preset(p, "agent", NULL) == 0 &&
	      stockade_plan_build(p, &plan, NULL) == 0 && stockade_plan_status(plan, &st, NULL) == 0);
	if (st) {
		enum stockade_level lv = stockade_status_level(st, STOCKADE_LAYER_CAPABILITIES);
		CHECK(lv == STOCKADE_LEVEL_FULL ||
		      (lv == STOCKADE_LEVEL_PARTIAL &&
		       stockade_status_gaps(st, STOCKADE_LAYER_CAPABILITIES) == STOCKADE_GAP_CAPS_BOUNDING));
		CHECK(!stockade_status_weaker(st, STOCKADE_LAYER_CAPABILITIES));
	}
	stockade_status_free(st);
	stockade_plan_free(plan);
	stockade_policy_free(p);
}

/* With CAP_SYS_ADMIN and CAP_PERFMON gone, the kernel's mm_access() no
 * longer skips Landlock's ptrace check: another process's environment
 * (an agent harness's API keys) stays unreadable, root or not. */
TEST(caps_root_cannot_read_outside_environ)
{
	char path[64];
	struct run r;
	pid_t pid;

	if (!have_binaries())
		return;
	pid = fork();
	if (pid == 0) {
		execle("/bin/sleep", "sleep", "30", (char *)NULL, (char *const[]){ "SECRET=caps-test", NULL });
		_exit(127);
	}
	CHECK(pid > 0);
	if (pid <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	usleep(100000);
	if (run_cmd(OPTS("/bin/cat", path), &r) != 0 || !strstr(r.out, "SECRET=caps-test")) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		SKIP("cannot read the outside process's environ unconfined either");
	}
	cli_run(OPTS("--preset", "agent"), OPTS("/bin/cat", path), &r);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	CHECK_MSG(r.outcome != 0 && !strstr(r.out, "SECRET=caps-test"), "agent: read %s: %s", path, r.out);
}
