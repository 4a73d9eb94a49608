/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, `stockade explain --path` on /dev against a run of agent
 * (analysis/fs_explain.c, landlock/walk.c): for /dev itself (listed: `/`'s
 * rule carries the list right into the carve-out agent's `devices:` make),
 * a named device, /dev/pts and /dev/shm, and a device agent does not name,
 * explain says allowed exactly where the run opens it.  /dev/stdin, a link
 * to /proc/self/fd/0, is answered as a link (refused: a device is granted
 * by its own name, never through a link), not followed to explain's own
 * standard input (/dev/null here, which agent grants): a run whose
 * standard input is a file the policy carves out cannot read it either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandboxed.h"

/* `stockade explain OPTS --path PATH --access ACCESS`: 1 allowed, 0
 * refused, -1 neither said. */
static int explained(const char *const *opts, const char *path, const char *access, struct run *r)
{
	struct cmd c = { .n = 0 };

	cmd_push(&c, stockade_bin());
	cmd_push(&c, "explain");
	cmd_push_all(&c, opts);
	cmd_push_all(&c, ARGV("--path", path, "--access", access));
	cmd_run(&c, NULL, r);
	cmd_free(&c);
	return has(r, "-> allowed") ? 1 : has(r, "-> refused") ? 0 : -1;
}

struct dev_row {
	const char *path, *access;
	const char *script; /* sh -c SCRIPT sh PATH: exit 0 where the run allows it */
};

TEST(explain_dev_agrees_with_the_run)
{
	static const char *const unnamed[] = { "/dev/fuse", "/dev/loop-control", "/dev/btrfs-control",
					       "/dev/net/tun", "/dev/vhost-net", "/dev/kvm", NULL };
	struct dev_row rows[8] = {
		{ "/dev", "read", "ls \"$1\" >/dev/null" },
		{ "/dev/null", "write", "echo x >\"$1\"" },
		{ "/dev/null", "read", ": <\"$1\"" },
		{ "/dev/pts", "read", "ls \"$1\" >/dev/null" },
	};
	size_t n = 4;
	struct run r;

	if (!have_binaries())
		return;
	if (access("/dev/shm", R_OK) == 0)
		rows[n++] = (struct dev_row){ "/dev/shm", "read", "ls \"$1\" >/dev/null" };
	/* A device agent does not name, if one opens unconfined here. */
	for (size_t i = 0; unnamed[i]; i++) {
		const char *const probe[] = { "/bin/sh", "-c", "exec 2>/dev/null; : <\"$1\"", "sh", unnamed[i], NULL };

		if (access(unnamed[i], F_OK) == 0 && run_cmd(probe, &r) == 0) {
			rows[n++] = (struct dev_row){ unnamed[i], "read", ": <\"$1\"" };
			break;
		}
	}
	if (n == 4 + (access("/dev/shm", R_OK) == 0))
		printf("  note: no device outside agent's names opens unconfined here: that row is not checked\n");
	for (size_t i = 0; i < n; i++) {
		const char *const sh[] = { "/bin/sh", "-c", rows[i].script, "sh", rows[i].path, NULL };
		int said = explained(NO_OPTS, rows[i].path, rows[i].access, &r);
		char out[512];

		snprintf(out, sizeof(out), "%.500s", r.out);
		CHECK_MSG(said >= 0, "explain %s %s said neither: %s", rows[i].access, rows[i].path, out);
		for (int m = 0; said >= 0 && m < 2; m++) {
			const char *iso = m ? "auto" : "off";

			cli_run(OPTS("--isolation", iso), sh, &r);
			CHECK_MSG((r.outcome == 0) == (said == 1),
				  "%s %s: explain says %s, the run (isolation %s) %s: %s%s", rows[i].access, rows[i].path,
				  said ? "allowed" : "refused", iso, r.outcome == 0 ? "allows it" : "refuses it", out,
				  r.out);
		}
	}
}

TEST(explain_dev_stdin_is_a_link_not_followed)
{
	char dir[256], secret[300], pol[300], text[400];
	const char *const cat[] = { "/bin/sh", "-c", "exec 2>&-; cat /dev/stdin", NULL };
	struct run_opts o = { 0 };
	struct cmd c = { .n = 0 };
	struct run r;
	struct stat st;

	if (!have_binaries())
		return;
	if (lstat("/dev/stdin", &st) != 0 || !S_ISLNK(st.st_mode))
		SKIP("/dev/stdin is no link here");
	/* explain's own standard input is /dev/null (run_cmd's), which agent
	 * grants: following the link here would say allowed. */
	explained(NO_OPTS, "/dev/stdin", "read", &r);
	CHECK_MSG(has(&r, "-> depends") && has(&r, "link") && has(&r, "pipe"), "explain /dev/stdin: %s", r.out);
	/* A run whose standard input is a file the policy carves out. */
	if (!make_tmpdir(dir, sizeof(dir), "/var/tmp", "stockade-explain-dev"))
		return;
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	CHECK(write_file(secret, "SECRET\n"));
	snprintf(pol, sizeof(pol), "%s/p.yaml", dir);
	snprintf(text, sizeof(text), "extends: agent\nfilesystem:\n  deny: [%s]\n", secret);
	CHECK(write_file(pol, text));
	explained(OPTS("--policy", pol), "/dev/stdin", "read", &r);
	CHECK_MSG(has(&r, "-> depends") && has(&r, "link"), "explain --policy, /dev/stdin: %s", r.out);
	o.in = secret;
	cmd_push_stockade_run(&c, OPTS("--policy", pol, "--isolation", "off"));
	cmd_push_all(&c, cat);
	cmd_run(&c, &o, &r);
	cmd_free(&c);
	CHECK_MSG(r.outcome != 0 && !has(&r, "SECRET"), "the run read a carved-out file through /dev/stdin: %s",
		  r.out);
	/* What explain says of a pipe: it opens, in both isolation modes. */
	for (int iso = 0; iso < 2; iso++) {
		const char *const piped[] = { "/bin/sh", "-c", "echo through-the-pipe | cat /dev/stdin", NULL };

		cmd_push_stockade_run(&c, OPTS("--policy", pol, "--isolation", iso ? "auto" : "off"));
		cmd_push_all(&c, piped);
		cmd_run(&c, NULL, &r);
		cmd_free(&c);
		CHECK_MSG(r.outcome == 0 && has(&r, "through-the-pipe"), "isolation %s: cat /dev/stdin from a pipe: %s",
			  iso ? "auto" : "off", r.out);
	}
	rm_rf(dir);
}

/* The run's report asks the same evaluator: `ls /dev` under agent is no
 * refused access (it works), reading a device agent does not name is. */
TEST(explain_dev_report_agrees)
{
	struct run r;

	if (!have_binaries())
		return;
	cli_run(OPTS("--isolation", "off", "--report"), ARGV("/bin/ls", "/dev"), &r);
	CHECK_OUTCOME(&r, 0, "ls /dev under agent");
	CHECK_MSG(!has(&r, "read /dev x"), "the report says listing /dev was refused: %s", r.out);
}

/* A write root `run` refuses (TMPDIR=/etc) grants nothing: explain says the
 * run would not start, rather than "allowed" (acceptb 8). */
TEST(explain_refused_write_root_grants_nothing)
{
	struct run r;

	if (!have_binaries())
		return;
	run_cmd_opts(ARGV(stockade_bin(), "explain", "--path", "/etc/passwd", "--access", "write"),
		     &(struct run_opts){ .env = ARGV("TMPDIR=/etc") }, &r);
	CHECK_OUTCOME(&r, 125, "explain under TMPDIR=/etc");
	CHECK_STR_CONTAINS(r.out, "would not start");
	CHECK_STR_CONTAINS(r.out, "a system directory");
	CHECK_MSG(!strstr(r.out, "allowed"), "explain allowed a write under a refused root: %s", r.out);
}
