/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, the system carve-outs with namespaces (landlock/moot.c,
 * docs/isolation.md "What the mount view does not cover"): what agent
 * denies of /sys/kernel and /etc stays out of reach with namespaces, with
 * the mount calls allowed too, and without; in a user namespace, where
 * root's files show as the overflow uid (65534), the walk still finds them
 * moot as it does outside (sk_fs_note_moot), so /etc and /dev are split
 * (or not) as they are without namespaces.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandboxed.h"
#include "stockade.h"

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


TEST(isolation_view_sys_kernel_denied)
{
	const char *file = sys_kernel_file();
	char script[512];
	struct run r;
	const char *const *opts[] = { NO_OPTS, OPTS("--allow", "@mount"), OPTS("--isolation", "off") };
	const char *names[] = { "agent", "agent --allow @mount", "agent --isolation off" };

	NEED_NS();
	if (!file)
		SKIP("no file under /sys/kernel is readable here");
	snprintf(script, sizeof(script),
		 "cat %s >/dev/null 2>&1 && echo READ; umount -l /sys/kernel 2>/dev/null && echo UNMOUNTED; "
		 "cat %s >/dev/null 2>&1 && echo READ-AFTER; echo end",
		 file, file);
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		cli_run(opts[i], ARGV("/bin/sh", "-c", script), &r);
		CHECK_OUTCOME(&r, 0, names[i]);
		CHECK_MSG(!has(&r, "READ"), "%s: %s read: %s", names[i], file, r.out);
	}
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
	/* A filter that lets the mount calls through: the carve-out all the
	 * same (nothing of the mount view stands in for it). */
	cli_run(OPTS("--allow", "@mount"), ARGV("/bin/sh", "-c", "cat /etc/shadow >/dev/null && echo READ; echo end"),
		&r);
	CHECK_MSG(!has(&r, "READ") && has(&r, "Permission denied"), "--allow @mount: /etc/shadow read: %s", r.out);
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

/* As root, another user's home credentials (a 0700 ~/.ssh, which root reads
 * through CAP_DAC_OVERRIDE) are carved out like root's own: a user of
 * /etc/passwd (a copy bound over it in a mount namespace of this test's)
 * whose home is in the test's directory.  Both isolation modes. */
TEST(isolation_view_other_users_homes_carved_as_root)
{
	char dir[512], home[600], key[700], passwd[600], script[4096];
	struct run r;
	char *text;

	if (geteuid() != 0)
		SKIP("only root reads another user's 0700 home unconfined");
	if (!have_binaries() || !make_tmpdir(dir, sizeof(dir), NULL, "otherhome"))
		return;
	snprintf(home, sizeof(home), "%s/alice", dir);
	snprintf(key, sizeof(key), "%s/.ssh", home);
	CHECK(mkdir(home, 0700) == 0 && mkdir(key, 0700) == 0);
	snprintf(key, sizeof(key), "%s/.ssh/id_test", home);
	CHECK(write_file(key, "OTHER-USERS-KEY\n"));
	{
		char p[700];

		chmod(key, 0600);
		if (chown(key, 4242, 4242) || chown(home, 4242, 4242))
			CHECK_MSG(0, "chown: %s", strerror(errno));
		snprintf(p, sizeof(p), "%s/.ssh", home);
		if (chown(p, 4242, 4242))
			CHECK_MSG(0, "chown: %s", strerror(errno));
	}
	text = read_file("/etc/passwd");
	snprintf(passwd, sizeof(passwd), "%s/passwd", dir);
	{
		char *line = NULL;

		/* A gecos longer than any fixed line buffer (attack11 F6). */
		char gecos[1501];

		memset(gecos, 'x', sizeof(gecos) - 1);
		gecos[sizeof(gecos) - 1] = '\0';
		if (asprintf(&line, "%salice-stockade-test:x:4242:4242:%s:%s:/bin/sh\n", text ? text : "", gecos, home) <
		    0)
			line = NULL;
		CHECK(line && write_file(passwd, line));
		free(line);
	}
	free(text);
	/* And as a write root: the home, or a dot-directory in it, refused
	 * as root's own would be (accepte F2). */
	snprintf(script, sizeof(script),
		 "mount --bind '%s' /etc/passwd || exit 9; "
		 "cat '%s' && echo UNCONFINED-READ; "
		 "for m in off auto; do '%s' run --isolation $m -- cat '%s' 2>/dev/null && echo \"READ-$m\"; done; "
		 "'%s' run --write '%s' -- true 2>&1 | grep -q \"(another user's home directory)\" && echo REFUSED-HOME; "
		 "'%s' run --write '%s/.ssh' -- true 2>&1 | grep -q 'dot-directory of another user' && echo REFUSED-DOT; "
		 "echo end",
		 passwd, key, stockade_bin(), key, stockade_bin(), home, stockade_bin(), home);
	run_cmd(ARGV("unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script), &r);
	if (r.outcome == 9 || !has(&r, "UNCONFINED-READ")) {
		rm_rf(dir);
		SKIP("cannot bind a passwd copy in a mount namespace here");
	}
	CHECK_MSG(!has(&r, "READ-off") && !has(&r, "READ-auto") && has(&r, "end"),
		  "another user's key was read as root: %s", r.out);
	CHECK_MSG(has(&r, "REFUSED-HOME") && has(&r, "REFUSED-DOT"),
		  "another user's home (or its ~/.ssh) taken as a write root: %s", r.out);
	rm_rf(dir);
}

/* A directory the command inherits was opened in the host's mount view:
 * /proc/self/fd/N/... would lead around the namespaces' covers (a hidden
 * socket, the read-only .git/hooks).  With namespaces such a descriptor is
 * refused (O_PATH ones too), the run does not start; a file passes, and
 * without namespaces there is no view to go around. */
TEST(isolation_inherited_directory_refused)
{
	char dir[PATH_MAX], hook[PATH_MAX + 32], file[PATH_MAX + 16];
	const char *write_hook = "mkdir -p /proc/self/fd/3/.git/hooks 2>/dev/null; "
				 "echo planted > /proc/self/fd/3/.git/hooks/pre-commit && echo WROTE; echo end";
	struct run_opts o = { 0 };
	struct cmd c = { 0 };
	struct run r;
	int fd;

	NEED_NS();
	if (!make_tmpdir(dir, sizeof(dir), NULL, "fdview"))
		return;
	snprintf(hook, sizeof(hook), "%s/.git", dir);
	snprintf(file, sizeof(file), "%s/plain", dir);
	CHECK(mkdir(hook, 0755) == 0);
	strcat(hook, "/hooks");
	CHECK(mkdir(hook, 0755) == 0);
	strcat(hook, "/pre-commit");
	CHECK(write_file(file, "content\n"));

	/* --preserve-fds 1 with a directory on 3 */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	o.fd3 = fd;
	cmd_push_stockade_run(&c, OPTS("--preserve-fds", "1"));
	cmd_push_all(&c, ARGV("/bin/sh", "-c", write_hook));
	cmd_run(&c, &o, &r);
	cmd_free(&c);
	CHECK_OUTCOME(&r, 125, "a directory on descriptor 3");
	CHECK_MSG(has(&r, "descriptor 3") && !has(&r, "WROTE"), "%s", r.out);
	CHECK_MSG(access(hook, F_OK) != 0, "the hook was planted through the inherited directory");
	close(fd);

	/* The same directory as standard input, no option needed */
	o = (struct run_opts){ .in = dir };
	cmd_push_stockade_run(&c, NO_OPTS);
	cmd_push_all(&c, ARGV("/bin/sh", "-c", "ls /proc/self/fd/0/ >/dev/null && echo LISTED; echo end"));
	cmd_run(&c, &o, &r);
	cmd_free(&c);
	CHECK_OUTCOME(&r, 125, "a directory on standard input");
	CHECK_MSG(has(&r, "descriptor 0") && !has(&r, "LISTED"), "%s", r.out);

	/* O_PATH, of a file: refused as well (a socket's would connect) */
	fd = open(file, O_PATH | O_CLOEXEC);
	CHECK(fd >= 0);
	o = (struct run_opts){ .fd3 = fd };
	cmd_push_stockade_run(&c, OPTS("--preserve-fds", "1"));
	cmd_push_all(&c, ARGV("/bin/true"));
	cmd_run(&c, &o, &r);
	cmd_free(&c);
	CHECK_OUTCOME(&r, 125, "an O_PATH descriptor on 3");
	close(fd);

	/* Controls: a file is handed on; without namespaces the directory
	 * is too (Landlock judges the paths through it as any other). */
	fd = open(file, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	o = (struct run_opts){ .fd3 = fd };
	cmd_push_stockade_run(&c, OPTS("--preserve-fds", "1"));
	cmd_push_all(&c, ARGV("/bin/sh", "-c", "cat <&3"));
	cmd_run(&c, &o, &r);
	cmd_free(&c);
	CHECK_OUTCOME(&r, 0, "a file on descriptor 3");
	CHECK_MSG(has(&r, "content"), "%s", r.out);
	close(fd);
	o = (struct run_opts){ .in = dir };
	cmd_push_stockade_run(&c, OPTS("--isolation", "off"));
	cmd_push_all(&c, ARGV("/bin/sh", "-c", "ls /proc/self/fd/0/ >/dev/null && echo LISTED; echo end"));
	cmd_run(&c, &o, &r);
	cmd_free(&c);
	CHECK_OUTCOME(&r, 0, "a directory on standard input, --isolation off");
	CHECK_MSG(has(&r, "LISTED"), "%s", r.out);
	rm_rf(dir);
}

/* A host socket the view hides by its name (the one /proc/net/unix
 * lists) reached by another: a hard link an earlier run without
 * namespaces planted in a write root (acceptd D2).  The view sees the
 * second name (st_nlink > 1) and has the command's connects mediated:
 * refused by the socket's inode, whatever the name. */
TEST(isolation_hard_linked_host_socket_refused)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[64], name2[128], other[96];
	struct run r;
	int s;

	NEED_NS();
	if (!make_tmpdir(dir, sizeof(dir), "/tmp", "linksock"))
		return;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/srv", dir);
	snprintf(other, sizeof(other), "%s/keep", dir);
	snprintf(name2, sizeof(name2), "%s/keep/t", dir);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(s, 4) == 0);
	CHECK(mkdir(other, 0755) == 0 && link(sa.sun_path, name2) == 0);
	cli_run(OPTS("--verbose"), ARGV(probe_path("unix-connect"), "connect", name2), &r);
	CHECK_MSG(r.outcome == EACCES && has(&r, "with another name"), "connect through a hard link: %s", r.out);
	unlink(name2);
	cli_run(OPTS("--verbose"), ARGV("/bin/true"), &r);
	CHECK_OUTCOME(&r, 0, "the same socket, one name");
	CHECK_MSG(!has(&r, "with another name"), "%s", r.out);
	close(s);
	rm_rf(dir);
}
