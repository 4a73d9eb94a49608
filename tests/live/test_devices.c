/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, /dev and the system's secrets under agent and strict without
 * namespaces (--isolation off): the devices every program uses keep
 * working (null, zero, full, random, urandom, shm, fd); the kernel log,
 * /sys/kernel, virtual consoles, every device the presets do not name
 * (filesystem.devices) and, as root, /etc/shadow, /etc/gshadow and the
 * like are not readable.  Each "not readable" row first checks
 * that it is readable unconfined as this user (else it is a note: the row
 * could not fail here).  Everything is read, nothing written, outside the
 * test's temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandboxed.h"

static const char *const presets[] = { "agent", "strict" };

TEST(devices_everyday_ones_work)
{
	char script[1024];
	struct run r;

	if (!have_binaries())
		return;
	snprintf(script, sizeof(script),
		 "set -e; cat /dev/null; echo x >/dev/null; head -c 8 /dev/zero | wc -c | grep -q 8; "
		 "head -c 8 /dev/urandom | wc -c | grep -q 8; head -c 8 /dev/random | wc -c | grep -q 8; "
		 "if echo x 2>/dev/null >/dev/full; then exit 3; fi; "
		 "f=/dev/shm/stockade-devtest.$$; echo y >$f; cat $f >/dev/null; rm $f; "
		 "echo z >/dev/fd/1 >/dev/null; echo ok");
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		cli_run(OPTS("--preset", presets[i], "--isolation", "off"), OPTS("/bin/sh", "-c", script), &r);
		CHECK_MSG(r.outcome == 0 && strstr(r.out, "ok"), "%s: the everyday devices: %s", presets[i], r.out);
	}
}

/* The file opens for reading unconfined, and not under either preset.
 * Opened, never read: a console's read would wait for someone to type. */
static int closed_in(const char *path, size_t nmodes)
{
	static const char *const modes[] = { "off", "auto" };
	const char *const cat[] = { "/bin/sh", "-c", "exec 2>/dev/null; : <\"$1\"", "sh", path, NULL };
	struct run_opts o = { .timeout_ms = 10000 };
	struct run r;

	if (access(path, F_OK) != 0 || run_cmd_opts(cat, &o, &r) != 0) {
		printf("  note: %s is not readable here unconfined either: row skipped\n", path);
		return 0;
	}
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		for (size_t m = 0; m < nmodes; m++) {
			cli_run(OPTS("--preset", presets[i], "--isolation", modes[m]), cat, &r);
			CHECK_MSG(r.outcome != 0, "%s, isolation %s: %s is readable", presets[i], modes[m], path);
		}
	return 1;
}

static int closed(const char *path)
{
	return closed_in(path, 1);
}

TEST(devices_kernel_and_consoles_closed)
{
	static const char *const paths[] = { "/dev/kmsg", "/sys/kernel/notes", "/sys/kernel/address_bits",
					     "/dev/vcs1", "/dev/vcsa1", "/dev/tty1", "/dev/console", NULL };
	int n = 0;

	if (!have_binaries())
		return;
	for (size_t i = 0; paths[i]; i++)
		n += closed(paths[i]);
	if (n == 0)
		SKIP("none of the kernel and console files is readable unconfined as this user");
}

TEST(devices_system_secrets_closed)
{
	static const char *const paths[] = { "/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-", NULL };
	int n = 0;

	if (!have_binaries())
		return;
	for (size_t i = 0; paths[i]; i++)
		n += closed(paths[i]);
	if (n == 0)
		SKIP("no system secret is readable unconfined as this user (not root)");
}

/* /dev by name: a device neither preset names, openable unconfined by
 * anyone (/dev/fuse, /dev/net/tun are 0666) or by root, is not, with
 * namespaces or without. */
TEST(devices_unnamed_closed)
{
	static const char *const paths[] = { "/dev/fuse",	 "/dev/net/tun",   "/dev/kvm",	"/dev/loop-control",
					     "/dev/btrfs-control", "/dev/vhost-net", "/dev/uhid", NULL };
	int n = 0;

	if (!have_binaries())
		return;
	for (size_t i = 0; paths[i]; i++)
		n += closed_in(paths[i], 2);
	if (n == 0)
		SKIP("no device outside the presets' names opens unconfined here (/dev/fuse, /dev/net/tun, ...)");
}

/* A layer's own deny and read_only reach the devices it names (they sit
 * above them): `devices: [shm]` with `deny: [/dev/shm/NAME]` refuses NAME,
 * with `read_only: [/dev/shm]` nothing new is made there. */
TEST(devices_own_carve_outs_hold)
{
	char dir[256], pol[400], ro[400], secret[128], text[700], made[160];
	const char *const cat[] = { "/bin/sh", "-c", "exec 2>/dev/null; cat \"$1\"", "sh", secret, NULL };
	const char *const mk[] = { "/bin/sh", "-c", "exec 2>/dev/null; : >\"$1\"", "sh", made, NULL };
	struct run r;

	if (!have_binaries() || access("/dev/shm", W_OK) != 0)
		return;
	if (!make_tmpdir(dir, sizeof(dir), "/var/tmp", "stockade-devices"))
		return;
	snprintf(secret, sizeof(secret), "/dev/shm/stockade-devtest-%d", (int)getpid());
	snprintf(made, sizeof(made), "/dev/shm/stockade-devtest-made-%d", (int)getpid());
	CHECK(write_file(secret, "SECRET\n"));
	snprintf(pol, sizeof(pol), "%s/deny.yaml", dir);
	snprintf(text, sizeof(text), "extends: agent\nfilesystem:\n  devices: [null, shm]\n  deny: [%s]\n", secret);
	CHECK(write_file(pol, text));
	snprintf(ro, sizeof(ro), "%s/ro.yaml", dir);
	CHECK(write_file(ro, "extends: agent\nfilesystem:\n  devices: [null, shm]\n  read_only: [/dev/shm]\n"));
	/* (With namespaces the command's /dev/shm is its own: the host's file
	 * is not there to deny; the read_only one holds in both.) */
	cli_run(OPTS("--isolation", "off"), cat, &r);
	CHECK_MSG(r.outcome == 0 && strstr(r.out, "SECRET"), "agent alone reads %s: %s", secret, r.out);
	cli_run(OPTS("--isolation", "off", "--policy", pol), cat, &r);
	CHECK_MSG(r.outcome != 0 && !strstr(r.out, "SECRET"), "deny under a named device: %s", r.out);
	for (int m = 0; m < 2; m++) {
		const char *iso = m ? "auto" : "off";

		cli_run(OPTS("--isolation", iso, "--policy", ro), mk, &r);
		CHECK_MSG(r.outcome != 0 && access(made, F_OK) != 0, "isolation %s: read_only /dev/shm: made %s",
			  iso, made);
		unlink(made);
	}
	unlink(secret);
	rm_rf(dir);
}

/* `devices: []` on top of agent: no device of agent's is left, /dev/null
 * included (the run refuses it; explain says the same); without the key,
 * /dev/null opens. */
TEST(devices_empty_list_leaves_none)
{
	char dir[256], pol[300], same[300];
	const char *const wr[] = { "/bin/sh", "-c", "exec 2>&-; echo x >/dev/null && echo NULL-OK", NULL };
	struct run r;

	if (!have_binaries())
		return;
	if (!make_tmpdir(dir, sizeof(dir), "/var/tmp", "stockade-devices"))
		return;
	snprintf(pol, sizeof(pol), "%s/none.yaml", dir);
	CHECK(write_file(pol, "extends: agent\nfilesystem:\n  devices: []\n"));
	snprintf(same, sizeof(same), "%s/same.yaml", dir);
	CHECK(write_file(same, "extends: agent\n"));
	for (int m = 0; m < 2; m++) {
		const char *iso = m ? "auto" : "off";

		cli_run(OPTS("--isolation", iso, "--policy", same), wr, &r);
		CHECK_MSG(r.outcome == 0 && has(&r, "NULL-OK"), "isolation %s, no devices key: %s", iso, r.out);
		cli_run(OPTS("--isolation", iso, "--policy", pol), wr, &r);
		CHECK_MSG(r.outcome != 0 && !has(&r, "NULL-OK"), "isolation %s, devices: []: /dev/null opened: %s",
			  iso, r.out);
	}
	{
		struct cmd c = { .n = 0 };

		cmd_push(&c, stockade_bin());
		cmd_push_all(&c, ARGV("explain", "--policy", pol, "--path", "/dev/null", "--access", "write"));
		cmd_run(&c, NULL, &r);
		cmd_free(&c);
		CHECK_MSG(has(&r, "refused"), "explain, devices: []: %s", r.out);
	}
	rm_rf(dir);
}
