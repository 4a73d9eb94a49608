/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, the mount view's covers (run/mounts.c step 7, landlock/walk.c
 * sk_fs_set_covered, docs/isolation.md): with namespaces, what the policy
 * denies of /sys/kernel is under an empty read-only tmpfs the command
 * cannot take away, and the Landlock walk leaves /sys whole; a policy whose
 * filter allows the mount calls gets no cover and keeps the carve-out;
 * without namespaces the carve-out is what protects it.  The secrets of
 * /etc stay carved out by Landlock (a cover there would be dropped when the
 * host replaces the file).  In a user namespace, where root's files show
 * as the overflow uid (65534), the walk still finds them moot as it does
 * outside (landlock/moot.c, sk_fs_note_moot).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandboxed.h"
#include "stockade.h"

static bool ns_here(void)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;
	stockade_status *st = NULL;
	unsigned long flags = 0;

	if (stockade_policy_new(&p, NULL) == 0 && stockade_policy_add_preset(p, "agent", NULL) == 0 &&
	    stockade_plan_build(p, &plan, NULL) == 0 && stockade_plan_status(plan, &st, NULL) == 0)
		flags = stockade_status_namespaces(st, NULL, NULL);
	stockade_status_free(st);
	stockade_plan_free(plan);
	stockade_policy_free(p);
	return flags != 0;
}

#define NEED_NS()                                                                                              \
	do {                                                                                                   \
		if (!have_binaries())                                                                          \
			return;                                                                                \
		if (!ns_here())                                                                                \
			SKIP("namespaces cannot be made here (`stockade doctor` says why)");                \
	} while (0)

static bool has(const struct run *r, const char *word)
{
	return strstr(r->out, word) != NULL;
}

/* A file under /sys/kernel this user can read unconfined. */
static const char *sys_kernel_file(void)
{
	static const char *const candidates[] = { "/sys/kernel/uevent_seqnum", "/sys/kernel/address_bits",
						  "/sys/kernel/fscaps", "/sys/kernel/profiling",
						  "/sys/kernel/rcu_expedited", NULL };

	for (int i = 0; candidates[i]; i++) {
		int fd = open(candidates[i], O_RDONLY | O_CLOEXEC);
		char c;

		if (fd >= 0 && read(fd, &c, 1) == 1) {
			close(fd);
			return candidates[i];
		}
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

/* The "carve-outs split" note of `run -v` names dir. */
static bool split(const struct run *r, const char *dir)
{
	const char *note = strstr(r->out, "carve-outs split");
	const char *end = note ? strchr(note, '\n') : NULL;
	size_t n = note ? (end ? (size_t)(end - note) : strlen(note)) : 0;
	char line[1024];

	if (!note)
		return false;
	snprintf(line, sizeof(line), "%.*s", (int)n, note);
	for (const char *at = line; (at = strstr(at, dir)); at++)
		if ((at[-1] == ' ' || at[-1] == '(') && (at[strlen(dir)] == ',' || at[strlen(dir)] == ')'))
			return true;
	return false;
}

static bool sys_split(const struct run *r)
{
	return split(r, "/sys");
}

TEST(isolation_view_sys_kernel_covered)
{
	const char *file = sys_kernel_file();
	char script[1024];
	struct run r;

	NEED_NS();
	if (!file)
		SKIP("no file under /sys/kernel is readable here");
	snprintf(script, sizeof(script),
		 "cat %s >/dev/null 2>&1 && echo READ; ls -A /sys/kernel | wc -l | sed 's/^/ENTRIES=/'; "
		 "touch /sys/kernel/x 2>&1; umount -l /sys/kernel 2>/dev/null && echo UNMOUNTED; "
		 "cat %s >/dev/null 2>&1 && echo READ-AFTER; echo end",
		 file, file);
	/* Under agent: empty, read-only, there to stay. */
	cli_run(NO_OPTS, ARGV("/bin/sh", "-c", script), &r);
	CHECK_OUTCOME(&r, 0, "agent");
	CHECK_MSG(!has(&r, "READ") && has(&r, "ENTRIES=0"), "/sys/kernel not covered: %s", r.out);
	CHECK_MSG(has(&r, "Read-only file system") || has(&r, "Permission denied"), "%s", r.out);
	CHECK_MSG(!has(&r, "UNMOUNTED"), "the command unmounted the cover: %s", r.out);
	/* ...so Landlock leaves /sys whole. */
	cli_run(OPTS("--verbose"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "agent -v");
	CHECK_MSG(!sys_split(&r), "/sys still split under the cover: %s", r.out);
	/* With Landlock off the mount view alone hides it. */
	{
		struct cmd c = { .n = 0 };
		struct run_opts ro = { .env = ARGV("STOCKADE_TEST_LANDLOCK_ABI=0") };

		cmd_push_stockade_run(&c, NULL);
		cmd_push_all(&c, ARGV("/bin/sh", "-c", script));
		cmd_run(&c, &ro, &r);
		cmd_free(&c);
		CHECK_MSG(!has(&r, "READ") && has(&r, "ENTRIES=0"), "Landlock ABI 0: /sys/kernel read: %s", r.out);
	}
	/* A filter that lets mount calls through: no cover, the carve-out
	 * stays (the file is there, and denied). */
	cli_run(OPTS("--allow", "@mount"), ARGV("/bin/sh", "-c", script), &r);
	CHECK_MSG(!has(&r, "READ") && !has(&r, "ENTRIES=0"), "--allow @mount: %s", r.out);
	cli_run(OPTS("--allow", "@mount", "--verbose"), ARGV("/bin/true"), &r);
	CHECK_MSG(sys_split(&r), "--allow @mount: the carve-out of /sys/kernel is gone: %s", r.out);
	/* Without namespaces: the carve-out. */
	cli_run(OPTS("--isolation", "off"), ARGV("/bin/sh", "-c", script), &r);
	CHECK_MSG(!has(&r, "READ") && !has(&r, "ENTRIES=0"), "--isolation off: %s", r.out);
}

TEST(isolation_view_etc_secrets_still_carved)
{
	struct run r;

	NEED_NS();
	if (geteuid() != 0)
		SKIP("only root can read /etc/shadow unconfined (for others it is moot)");
	if (access("/etc/shadow", R_OK) != 0)
		SKIP("no readable /etc/shadow here");
	cli_run(NO_OPTS, ARGV("/bin/sh", "-c", "cat /etc/shadow >/dev/null && echo READ; echo end"), &r);
	CHECK_OUTCOME(&r, 0, "agent");
	CHECK_MSG(!has(&r, "READ") && has(&r, "Permission denied"), "/etc/shadow read with namespaces: %s", r.out);
}

TEST(isolation_view_userns_sees_moot_as_outside)
{
	struct stat st;
	struct run in, out;

	if (geteuid() == 0)
		SKIP("root makes no user namespace (the live-unpriv tier runs this as uid 65534)");
	NEED_NS();
	if (stat("/etc/shadow", &st) != 0 || st.st_uid == geteuid() || access("/etc/shadow", R_OK) == 0)
		SKIP("no /etc/shadow of another user here");
	/* Without namespaces the owners are as they are: /etc/shadow and the
	 * like are moot, and /etc is split only if something else there is
	 * not.  In the user namespace the same. */
	cli_run(OPTS("--verbose", "--isolation", "off"), ARGV("/bin/true"), &out);
	cli_run(OPTS("--verbose"), ARGV("/bin/true"), &in);
	CHECK_OUTCOME(&in, 0, "agent -v");
	CHECK_OUTCOME(&out, 0, "agent -v --isolation off");
	CHECK_MSG(has(&in, "user namespace"), "no user namespace: %s", in.out);
	CHECK_MSG(split(&in, "/etc") == split(&out, "/etc"), "/etc split %s with namespaces, %s without: %s",
		  split(&in, "/etc") ? "" : "not", split(&out, "/etc") ? "" : "not", in.out);
	CHECK_MSG(split(&in, "/dev") == split(&out, "/dev"), "/dev split %s with namespaces, %s without: %s",
		  split(&in, "/dev") ? "" : "not", split(&out, "/dev") ? "" : "not", in.out);
	/* And still unreadable. */
	cli_run(NO_OPTS, ARGV("/bin/sh", "-c", "cat /etc/shadow >/dev/null 2>&1 && echo READ; echo end"), &in);
	CHECK_MSG(!has(&in, "READ"), "/etc/shadow read: %s", in.out);
}
