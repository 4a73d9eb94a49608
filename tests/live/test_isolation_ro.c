/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, the read-only mount view (run/mount_ro.c, docs/isolation.md
 * "Read-only outside the write roots"): Landlock has no right for a file's
 * metadata, so with namespaces everything outside the write roots is a
 * read-only mount.  chmod, chown, utimensat and setxattr (user.*) of a file
 * the test made outside the write roots (under /var/tmp, the command run
 * from another directory there) fail with EROFS and leave it as it was;
 * inside the write roots ($CWD, /tmp) they work; /dev/null, a pty,
 * /dev/shm, git commit and node still work; a read-only mount inside $CWD
 * stays read-only; the mount calls allowed change nothing of it;
 * `--isolation off` keeps the gap, and `--verbose` says which.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sandboxed.h"

/* Each call on argv[1], one line each: "chmod OK", "chown EROFS", ... */
static const char meta_py[] = "import errno, os, sys\n"
			      "p = sys.argv[1]\n"
			      "calls = [('chmod', lambda: os.chmod(p, 0o606)),\n"
			      "         ('chown', lambda: os.chown(p, os.getuid(), os.getgid())),\n"
			      "         ('utime', lambda: os.utime(p, (1000000, 1000000))),\n"
			      "         ('setxattr', lambda: os.setxattr(p, 'user.stockade', b'x'))]\n"
			      "for name, call in calls:\n"
			      "    try:\n"
			      "        call()\n"
			      "        print(name, 'OK')\n"
			      "    except OSError as e:\n"
			      "        print(name, errno.errorcode.get(e.errno, e.errno))\n";

/* Two directories under /var/tmp, outside every write root of agent: one
 * holding the file, one to run the command from (its $CWD). */
struct place {
	char outside[256], cwd[256], file[300];
	bool xattrs; /* the filesystem takes user.* xattrs (unconfined) */
	struct stat before;
};

static bool make_place(struct place *p)
{
	int fd;

	if (access("/var/tmp", W_OK) != 0)
		return false;
	if (!make_tmpdir(p->outside, sizeof(p->outside), "/var/tmp", "stockade-ro-out") ||
	    !make_tmpdir(p->cwd, sizeof(p->cwd), "/var/tmp", "stockade-ro-cwd"))
		return false;
	snprintf(p->file, sizeof(p->file), "%s/file", p->outside);
	fd = open(p->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return false;
	close(fd);
	chmod(p->file, 0640);
	p->xattrs = setxattr(p->file, "user.probe", "1", 1, 0) == 0;
	if (p->xattrs)
		removexattr(p->file, "user.probe");
	return stat(p->file, &p->before) == 0;
}

/* What every test here needs first: namespaces, python3 where it runs
 * meta_py, and the place.  NULL when all is there, else why not ("" when
 * have_binaries() has said so already). */
static const char *place_for(struct place *p, bool need_python)
{
	*p = (struct place){ .xattrs = false };
	if (!have_binaries())
		return "";
	if (!ns_here())
		return "namespaces cannot be made here (`stockade doctor` says why)";
	if (need_python && !python())
		return "python3 is not installed";
	if (!make_place(p))
		return "cannot make directories under /var/tmp here";
	return NULL;
}

/* The preamble of each test: `p` made, or the test skipped saying why. */
#define NEED_PLACE(p, need_python)                                                                             \
	do {                                                                                                   \
		const char *why_ = place_for(p, need_python);                                                  \
		if (why_ && *why_)                                                                             \
			SKIP(why_);                                                                            \
		if (why_)                                                                                      \
			return;                                                                                \
	} while (0)

static void drop_place(struct place *p)
{
	rm_rf(p->outside);
	rm_rf(p->cwd);
}

/* `stockade run OPTS -- python3 meta.py PATH`, run from cwd. */
static void meta(const struct place *p, const char *const *opts, const char *path, struct run *r)
{
	const char *py = write_tmp("ro-meta.py", meta_py, 0644);
	struct run_opts o = { .cwd = p->cwd };
	struct cmd c = { .n = 0 };

	cmd_push_stockade_run(&c, opts);
	cmd_push_all(&c, ARGV(python(), py, path));
	cmd_run(&c, &o, r);
	cmd_free(&c);
}

static bool unchanged(const struct place *p)
{
	struct stat st;
	char v[8];

	return stat(p->file, &st) == 0 && st.st_mode == p->before.st_mode && st.st_uid == p->before.st_uid &&
	       st.st_gid == p->before.st_gid && st.st_mtime == p->before.st_mtime &&
	       st.st_ctim.tv_sec == p->before.st_ctim.tv_sec && st.st_ctim.tv_nsec == p->before.st_ctim.tv_nsec &&
	       getxattr(p->file, "user.stockade", v, sizeof(v)) < 0;
}

TEST(isolation_ro_metadata_outside_write_roots)
{
	struct place p;
	struct run r;

	NEED_PLACE(&p, true);
	meta(&p, NO_OPTS, p.file, &r);
	CHECK_OUTCOME(&r, 0, "agent: metadata calls outside the write roots");
	CHECK_MSG(has(&r, "chmod EROFS") && has(&r, "chown EROFS") && has(&r, "utime EROFS"),
		  "outside the write roots: %s", r.out);
	if (p.xattrs)
		CHECK_MSG(has(&r, "setxattr EROFS"), "setxattr outside the write roots: %s", r.out);
	CHECK_MSG(unchanged(&p), "%s changed from inside: %s", p.file, r.out);
	/* The mount calls let through by the filter: the command has no
	 * CAP_SYS_ADMIN (dropped as root, none in its user namespace), so
	 * nothing is remounted read-write. */
	const char *py = write_tmp("ro-meta.py", meta_py, 0644);
	char script[1024];
	struct run_opts o = { .cwd = p.cwd };
	struct cmd c = { .n = 0 };

	snprintf(script, sizeof(script),
		 "mount -o remount,bind,rw / 2>/dev/null && echo REMOUNTED; "
		 "mount -o remount,bind,rw %s 2>/dev/null && echo REMOUNTED; umount -l / 2>/dev/null && echo UNMOUNTED; "
		 "%s %s %s",
		 p.outside, python(), py, p.file);
	cmd_push_stockade_run(&c, OPTS("--allow", "@mount"));
	cmd_push_all(&c, ARGV("/bin/sh", "-c", script));
	cmd_run(&c, &o, &r);
	cmd_free(&c);
	CHECK_MSG(!has(&r, "REMOUNTED") && !has(&r, "UNMOUNTED") && has(&r, "chmod EROFS"),
		  "--allow @mount: %s", r.out);
	CHECK_MSG(unchanged(&p), "%s changed from inside with the mount calls allowed: %s", p.file, r.out);
	drop_place(&p);
}

TEST(isolation_ro_metadata_inside_write_roots)
{
	struct place p;
	char tmpdir[256], in_cwd[300], in_tmp[300];
	struct run r;
	int fd;

	NEED_PLACE(&p, true);
	if (!make_tmpdir(tmpdir, sizeof(tmpdir), NULL, "stockade-ro-tmp")) {
		drop_place(&p);
		return;
	}
	snprintf(in_cwd, sizeof(in_cwd), "%s/f", p.cwd);
	snprintf(in_tmp, sizeof(in_tmp), "%s/f", tmpdir);
	for (int i = 0; i < 2; i++) {
		const char *path = i ? in_tmp : in_cwd;
		bool xattrs;

		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
		CHECK(fd >= 0);
		if (fd >= 0)
			close(fd);
		xattrs = setxattr(path, "user.probe", "1", 1, 0) == 0;
		meta(&p, NO_OPTS, path, &r);
		CHECK_OUTCOME(&r, 0, path);
		CHECK_MSG(has(&r, "chmod OK") && has(&r, "chown OK") && has(&r, "utime OK"), "%s: %s", path, r.out);
		if (xattrs)
			CHECK_MSG(has(&r, "setxattr OK"), "%s: %s", path, r.out);
		struct stat st;
		CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0606 && st.st_mtime == 1000000);
	}
	rm_rf(tmpdir);
	drop_place(&p);
}

TEST(isolation_ro_devices_pty_git_node_work)
{
	struct place p;
	struct run_opts o = { 0 };
	struct cmd c = { .n = 0 };
	char script[2048];
	const char *git = find_tool(NULL, NULL, "git") ? "git" : NULL;
	bool node = find_tool(NULL, NULL, "node") != NULL;
	bool shm = access("/dev/shm", W_OK) == 0;
	struct run r;

	NEED_PLACE(&p, true);
	o.cwd = p.cwd;
	snprintf(script, sizeof(script),
		 "echo x >/dev/null && echo NULL-OK; "
		 "%s"
		 "%s -c 'import os, pty; m, s = pty.openpty(); os.write(s, b\"hi\\n\"); "
		 "print(\"PTY-OK\" if os.read(m, 16).startswith(b\"hi\") else \"PTY-BAD\")'; "
		 "%s"
		 "%s"
		 "echo end",
		 shm ? "f=/dev/shm/stockade-ro-$$; echo x >$f && cat $f >/dev/null && rm $f && echo SHM-OK; " : "",
		 python(),
		 git ? "git init -q repo && cd repo && echo a >f && git add f && "
		       "git -c user.email=t@example.com -c user.name=t commit -qm one && echo GIT-OK; cd ..; "
		     : "",
		 node ? "node -e 'const fs = require(\"fs\"); fs.writeFileSync(\"n.txt\", \"x\"); "
			"fs.chmodSync(\"n.txt\", 0o600); console.log(\"NODE-OK\")'; "
		      : "");
	cmd_push_stockade_run(&c, NULL);
	cmd_push_all(&c, ARGV("/bin/sh", "-c", script));
	cmd_run(&c, &o, &r);
	cmd_free(&c);
	CHECK_OUTCOME(&r, 0, "devices, pty, git, node");
	CHECK_MSG(has(&r, "NULL-OK") && has(&r, "PTY-OK"), "/dev/null or pty: %s", r.out);
	if (shm)
		CHECK_MSG(has(&r, "SHM-OK"), "/dev/shm: %s", r.out);
	else
		printf("  note: no writable /dev/shm here: not checked\n");
	if (git)
		CHECK_MSG(has(&r, "GIT-OK"), "git commit in $CWD: %s", r.out);
	else
		printf("  note: git is not installed: git commit not checked\n");
	if (node)
		CHECK_MSG(has(&r, "NODE-OK"), "node: %s", r.out);
	else
		printf("  note: node is not installed: node not checked\n");
	drop_place(&p);
}

/* A read-only bind mount inside $CWD stays read-only in the view (its
 * tree is cloned with its flags before the rest is made read-only). */
TEST(isolation_ro_mount_in_cwd_stays_read_only)
{
	struct place p;
	char ro[300], script[600];
	struct run r = { .outcome = RUN_ERROR };
	int pipefd[2];
	pid_t pid;

	if (geteuid() != 0)
		SKIP("making a read-only mount needs root (the live tier as root checks it)");
	NEED_PLACE(&p, false);
	snprintf(ro, sizeof(ro), "%s/ro", p.cwd);
	CHECK(mkdir(ro, 0755) == 0);
	snprintf(script, sizeof(script),
		 "touch ro/x 2>/dev/null && echo RO-WRITTEN; chmod 700 ro 2>/dev/null && echo RO-CHMOD; "
		 "touch y && echo CWD-OK");
	/* In a mount namespace of the test's own, so the host sees nothing. */
	CHECK(pipe(pipefd) == 0);
	pid = fork();
	if (pid == 0) {
		struct run rr;
		struct run_opts o = { .cwd = p.cwd };
		struct cmd c = { .n = 0 };

		close(pipefd[0]);
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0 ||
		    mount(ro, ro, NULL, MS_BIND, NULL) < 0 ||
		    mount(NULL, ro, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
			_exit(3);
		cmd_push_stockade_run(&c, NULL);
		cmd_push_all(&c, ARGV("/bin/sh", "-c", script));
		cmd_run(&c, &o, &rr);
		if (write(pipefd[1], &rr, sizeof(rr)) != (ssize_t)sizeof(rr))
			_exit(4);
		_exit(0);
	}
	close(pipefd[1]);
	size_t got = 0;
	ssize_t n;
	while (got < sizeof(r) && (n = read(pipefd[0], (char *)&r + got, sizeof(r) - got)) > 0)
		got += (size_t)n;
	close(pipefd[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3) {
		drop_place(&p);
		SKIP("cannot make a mount namespace with a read-only bind mount here");
	}
	CHECK_MSG(got == sizeof(r), "the child reported nothing (status %d)", st);
	CHECK_OUTCOME(&r, 0, "read-only mount in $CWD");
	CHECK_MSG(!has(&r, "RO-WRITTEN") && !has(&r, "RO-CHMOD") && has(&r, "CWD-OK"),
		  "read-only mount in $CWD: %s", r.out);
	drop_place(&p);
}

/* --isolation off: the gap stays (Landlock has no right for it), and
 * --verbose says so; with the view, it says what the view closes. */
TEST(isolation_ro_off_keeps_gap_and_says_which)
{
	struct place p;
	struct run r;

	NEED_PLACE(&p, true);
	meta(&p, OPTS("--isolation", "off", "-v"), p.file, &r);
	CHECK_OUTCOME(&r, 0, "--isolation off");
	CHECK_MSG(has(&r, "chmod OK") && has(&r, "utime OK"), "--isolation off: %s", r.out);
	CHECK_MSG(has(&r, "times and xattrs outside the write roots stay changeable"), "-v, isolation off: %s",
		  r.out);
	CHECK_MSG(has(&r, "isolation off: the command shares") && has(&r, ".git hooks and config are writable") &&
			  has(&r, "a plain memfd can be executed"),
		  "-v, isolation off, the namespaces line: %s", r.out);
	struct stat st;
	CHECK(stat(p.file, &st) == 0 && (st.st_mode & 07777) == 0606);
	meta(&p, OPTS("-v"), p.file, &r);
	CHECK_MSG(has(&r, "outside the write roots read-only (mount view)") && has(&r, "chmod EROFS"),
		  "-v, with namespaces: %s", r.out);
	drop_place(&p);
}

/* What stockade itself writes outside the write roots (--report-json) is
 * opened in the host's view; --audit denies nothing, EROFS included. */
TEST(isolation_ro_report_file_and_audit)
{
	struct place p;
	char json[320], made[320], script[700];
	struct run_opts o = { 0 };
	struct cmd c = { .n = 0 };
	struct stat st;
	struct run r;

	NEED_PLACE(&p, false);
	o.cwd = p.cwd;
	snprintf(json, sizeof(json), "%s/report.json", p.outside);
	cmd_push_stockade_run(&c, OPTS("--report-json", json));
	cmd_push_all(&c, ARGV("/bin/true"));
	cmd_run(&c, &o, &r);
	cmd_free(&c);
	CHECK_OUTCOME(&r, 0, "--report-json outside the write roots");
	CHECK_MSG(stat(json, &st) == 0 && st.st_size > 0, "--report-json %s not written: %s", json, r.out);
	snprintf(made, sizeof(made), "%s/audited", p.outside);
	snprintf(script, sizeof(script), "touch %s && chmod 600 %s && echo AUDIT-OK", made, p.file);
	c = (struct cmd){ .n = 0 };
	cmd_push_stockade_run(&c, OPTS("--audit", "--no-report"));
	cmd_push_all(&c, ARGV("/bin/sh", "-c", script));
	cmd_run(&c, &o, &r);
	cmd_free(&c);
	CHECK_MSG(has(&r, "AUDIT-OK") && access(made, F_OK) == 0, "--audit outside the write roots: %s", r.out);
	drop_place(&p);
}
