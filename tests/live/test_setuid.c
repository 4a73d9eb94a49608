/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: a sandboxed command cannot create a setuid or setgid file (it
 * would outlive the sandbox), through any call that sets a mode: the chmod
 * family, creation with O_CREAT, mknod, and openat2 (ENOSYS, so callers
 * fall back to openat).  Ordinary modes keep working.
 *
 * The answer is read from the file itself (stat after the run), not from
 * the command's exit status alone.  Every denial is paired with the same
 * command under `--preset none`, which must create the bit, so a kernel or
 * a file system that refuses setuid bits anyway skips instead of passing.
 *
 * Environment: STOCKADE (default build/stockade), TMPDIR, PYTHON.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../harness.h"
#include "live_util.h"

/* stockade run --preset PRESET -- argv...; returns the exit status, or < 0. */
static int run(const char *preset, const char *const *argv)
{
	static struct run r;
	struct cmd c = { .n = 0 };

	cmd_push_stockade_run(&c, ARGV("--preset", preset));
	cmd_push_all(&c, argv);
	cmd_run(&c, NULL, &r);
	if (getenv("LIVE_VERBOSE"))
		fputs(r.out, stderr);
	return r.outcome;
}

static char dir[256];

static bool setup(void)
{
	return make_tmpdir(dir, sizeof(dir), NULL, "stockade-setuid");
}

static void teardown(void)
{
	rm_rf(dir);
}

/* The mode bits of dir/name, or -1 if it does not exist. */
static int mode_of(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void fresh(const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	CHECK_MSG(fd >= 0, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	chmod(path, 0644);
}

/*
 * One way of setting a mode: a command line, with the file's path appended,
 * run under none (the control), then agent and strict.  When `mode` has
 * S_ISUID or S_ISGID the sandboxed run must fail and leave the file without
 * them; otherwise it must succeed with exactly that mode.
 */
struct way {
	const char *what;
	const char *argv[8]; /* the command; the file's path is appended */
	bool creates;	     /* the command creates the file (else: chmod an existing one) */
	int mode;	     /* the mode it asks for */
};

static void try_way(const struct way *w)
{
	static const char *const presets[] = { "agent", "strict" };
	const char *argv[10];
	char path[512];
	int n = 0, status, m;

	snprintf(path, sizeof(path), "%s/f", dir);
	while (n < 8 && w->argv[n]) {
		argv[n] = w->argv[n];
		n++;
	}
	argv[n++] = path;
	argv[n] = NULL;

	/* The control: unconfined (no filter), the bits must appear. */
	if (w->creates)
		unlink(path);
	else
		fresh("f");
	status = run("none", argv);
	m = mode_of("f");
	if (status != 0 || m < 0 || (m & 06000) != (w->mode & 06000)) {
		fprintf(stderr, "  %s: without a filter it gives exit %d, mode %o: not checked here\n", w->what,
			status, m);
		return;
	}
	for (size_t p = 0; p < sizeof(presets) / sizeof(presets[0]); p++) {
		if (w->creates)
			unlink(path);
		else
			fresh("f");
		status = run(presets[p], argv);
		m = mode_of("f");
		if (w->mode & 06000) {
			CHECK_MSG(status != 0, "[%s] %s: exit 0, want a failure", presets[p], w->what);
			CHECK_MSG(m < 0 || !(m & 06000), "[%s] %s: the file has mode %o", presets[p], w->what, m);
		} else {
			CHECK_MSG(status == 0, "[%s] %s: exit %d, want 0", presets[p], w->what, status);
			CHECK_MSG(m == w->mode, "[%s] %s: mode %o, want %o", presets[p], w->what, m, w->mode);
		}
	}
}

TEST(setuid_chmod)
{
	static const struct way ways[] = {
		{ "chmod 4755", { "chmod", "4755", NULL }, false, 04755 },
		{ "chmod 2755", { "chmod", "2755", NULL }, false, 02755 },
		{ "chmod u+s", { "chmod", "u+s", NULL }, false, 04644 },
		{ "chmod 6777", { "chmod", "6777", NULL }, false, 06777 },
		{ "chmod 0755", { "chmod", "0755", NULL }, false, 0755 },
		{ "chmod 1777 (sticky is fine)", { "chmod", "1777", NULL }, false, 01777 },
		{ "install -m 4755", { "install", "-m", "4755", "/dev/null", NULL }, true, 04755 },
		{ "install -m 0755", { "install", "-m", "0755", "/dev/null", NULL }, true, 0755 },
	};

	if (!setup())
		return;
	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++)
		try_way(&ways[i]);
	teardown();
}

/* Python reaches the raw calls: open(O_CREAT, mode), fchmod, mknod,
 * chmod, and fchmodat2 through a raw syscall. */
TEST(setuid_raw_calls)
{
	const char *py = python();
	/* The script takes the path last, like the commands above. */
	static const char fchmod_py[] = "import os,sys\n"
					"fd = os.open(sys.argv[1], os.O_WRONLY)\n"
					"os.fchmod(fd, 0o4755)\n";
	static const char fchmod_ok_py[] = "import os,sys\n"
					   "fd = os.open(sys.argv[1], os.O_WRONLY)\n"
					   "os.fchmod(fd, 0o755)\n";
	static const char open_py[] = "import os,sys\n"
				      "os.umask(0)\n"
				      "os.close(os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY, 0o4755))\n";
	static const char open_ok_py[] = "import os,sys\n"
					 "os.umask(0)\n"
					 "os.close(os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY, 0o755))\n";
	static const char mknod_py[] = "import os,stat,sys\n"
				       "os.umask(0)\n"
				       "os.mknod(sys.argv[1], stat.S_IFREG | 0o2755)\n";
	static const char fchmodat2_py[] = "import ctypes,os,sys\n"
					   "libc = ctypes.CDLL(None, use_errno=True)\n"
					   "r = libc.syscall(452, -100, sys.argv[1].encode(), 0o4755, 0)\n"
					   "sys.exit(0 if r == 0 else 1)\n";

	if (!py)
		SKIP("python3 not found");
	const struct way ways[] = {
		{ "fchmod 4755", { py, "-c", fchmod_py, NULL }, false, 04755 },
		{ "fchmod 0755", { py, "-c", fchmod_ok_py, NULL }, false, 0755 },
		{ "open(O_CREAT, 04755)", { py, "-c", open_py, NULL }, true, 04755 },
		{ "open(O_CREAT, 0755)", { py, "-c", open_ok_py, NULL }, true, 0755 },
		{ "mknod(S_IFREG | 02755)", { py, "-c", mknod_py, NULL }, true, 02755 },
		{ "fchmodat2 4755", { py, "-c", fchmodat2_py, NULL }, false, 04755 },
	};
	if (!setup())
		return;
	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++)
		try_way(&ways[i]);
	teardown();
}

/* openat2 passes the mode in memory: ENOSYS, so callers use openat. */
TEST(setuid_openat2_enosys)
{
	const char *py = python();
	static const char code[] =
		"import ctypes,errno,os,struct,sys\n"
		"libc = ctypes.CDLL(None, use_errno=True)\n"
		"how = struct.pack('QQQ', os.O_CREAT | os.O_WRONLY, 0o644, 0)\n"
		"fd = libc.syscall(437, -100, sys.argv[1].encode(), how, len(how))\n"
		"sys.exit(0 if fd >= 0 else (38 if ctypes.get_errno() == errno.ENOSYS else 1))\n";
	const char *argv[] = { py, "-c", code, NULL, NULL };
	char path[512];
	int base, got;

	if (!py)
		SKIP("python3 not found");
	if (!setup())
		return;
	snprintf(path, sizeof(path), "%s/o", dir);
	argv[3] = path;
	base = run("none", argv);
	unlink(path);
	got = run("agent", argv);
	teardown();
	if (base != 0)
		SKIP("openat2 does not work here without a filter");
	CHECK_MSG(got == 38, "agent: openat2 gave exit %d, want 38 (ENOSYS)", got);
}
