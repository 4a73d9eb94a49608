/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: learn -> run round trips under the strict base.  A workload
 * (make building and running a C program; python's unittest with threads,
 * which meet clone3's designed ENOSYS) plus one call strict denies
 * (memfd_create) is learned (and npm test, with a scratch HOME), re-run under the learned policy and passes;
 * the policy holds no clone3 and no network; the same workload asking for
 * one call more (ptrace) is refused.  (git commit: test_report.c.)
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

/* One call strict denies, and one more; python3 under /usr runs under
 * strict where the tier's probes (outside the working directory) do not.
 * The second exits 1 when ptrace(PTRACE_PEEKDATA, 0) gets EPERM (ESRCH
 * when the call is allowed). */
#define MEMFD "/usr/bin/python3 -c 'import os; os.memfd_create(\"x\")'"
#define PTRACE                                                                                                 \
	"/usr/bin/python3 -c 'import ctypes, sys; l = ctypes.CDLL(None, use_errno=True); l.ptrace(2, 0, 0, 0); "  \
	"sys.exit(ctypes.get_errno() == 1)'"

static bool have_binaries(void)
{
	if (access(stockade_bin(), X_OK) < 0 || access(probe_path("try-syscall"), X_OK) < 0) {
		CHECK_MSG(0, "%s or %s is missing (make check builds them)", stockade_bin(), probe_path("try-syscall"));
		return false;
	}
	return true;
}

/* Learn `script` (run in dir) on strict, re-run it under the result, and
 * check `more` (the same plus one call) is refused. */
static void round_trip(const char *what, const char *dir, const char *script, const char *more,
		       const char *const *env)
{
	char out[4200];
	struct run_opts o = { .cwd = dir, .env = env };
	struct run r;
	char *text;

	snprintf(out, sizeof(out), "%s.yaml", dir);
	run_cmd_opts(ARGV("sh", "-c", script), &o, &r);
	if (r.outcome != 0) {
		show_run(&r);
		CHECK_MSG(0, "%s: the workload fails unconfined", what);
		return;
	}
	run_cmd_opts(ARGV(stockade_bin(), "run", "--preset", "strict", "--", "sh", "-c", script), &o, &r);
	CHECK_MSG(r.outcome != 0, "%s: strict alone lets it through (nothing to learn)", what);
	run_cmd_opts(ARGV(stockade_bin(), "learn", "--base", "strict", "-o", out, "--", "sh", "-c", script), &o, &r);
	CHECK_OUTCOME(&r, 0, what);
	text = read_file(out);
	CHECK_MSG(text && strstr(text, "- memfd_create") && !strstr(text, "clone3 #") && !strstr(text, "  mode: full"),
		  "%s: learned:\n%s", what, text ? text : "(none)");
	free(text);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", out, "--", "sh", "-c", script), &o, &r);
	CHECK_OUTCOME(&r, 0, what);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", out, "--", "sh", "-c", more), &o, &r);
	CHECK_MSG(r.outcome != 0, "%s: one call more (ptrace) ran under the learned policy", what);
	unlink(out);
}

TEST(learn_round_trip_make)
{
	char dir[4096], path[4200], script[8400], more[17000];
	const char *cc = find_tool("CC", ARGV("/usr/bin/cc", "/usr/bin/gcc"), "cc");
	char tenv[4200];
	const char *env[2] = { tenv, NULL };

	if (!have_binaries())
		return;
	if (access("/usr/bin/make", X_OK) < 0 || !cc || access("/usr/bin/python3", X_OK) < 0)
		SKIP("make, cc or /usr/bin/python3 is not installed");
	if (!make_tmpdir(dir, sizeof(dir), NULL, "make"))
		return;
	snprintf(path, sizeof(path), "%s/hello.c", dir);
	write_file(path, "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n");
	snprintf(path, sizeof(path), "%s/Makefile", dir);
	write_file(path, "hello: hello.c\n\t$(CC) -o $@ hello.c\ncheck: hello\n\t./hello\n");
	snprintf(script, sizeof(script), "set -e; rm -f hello; make -s CC=%s check; %s", cc, MEMFD);
	snprintf(more, sizeof(more), "%s; %s", script, PTRACE);
	/* cc's temporary files in the working directory, a write root of
	 * strict wherever the tier's TMPDIR is. */
	snprintf(tenv, sizeof(tenv), "TMPDIR=%s", dir);
	round_trip("make", dir, script, more, env);
	rm_rf(dir);
}

TEST(learn_round_trip_python_unittest)
{
	char dir[4096], path[4200], script[8400], more[17000];
	const char *py = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : NULL;

	if (!have_binaries())
		return;
	if (!py)
		SKIP("no /usr/bin/python3");
	if (!make_tmpdir(dir, sizeof(dir), NULL, "pytest"))
		return;
	snprintf(path, sizeof(path), "%s/test_threads.py", dir);
	write_file(path, "import threading, unittest\n"
			 "class T(unittest.TestCase):\n"
			 "    def test_threads(self):\n"
			 "        out = []\n"
			 "        ts = [threading.Thread(target=out.append, args=(i,)) for i in range(4)]\n"
			 "        [t.start() for t in ts]; [t.join() for t in ts]\n"
			 "        self.assertEqual(sorted(out), [0, 1, 2, 3])\n");
	snprintf(script, sizeof(script), "set -e; %s -B -m unittest -q test_threads 2>&1; %s", py, MEMFD);
	snprintf(more, sizeof(more), "%s; %s", script, PTRACE);
	round_trip("python -m unittest", dir, script, more, NULL);
	rm_rf(dir);
}

/* npm test in a package whose test starts a worker thread, with a scratch
 * HOME (npm's cache goes where agent and strict point it). */
TEST(learn_round_trip_npm_test)
{
	char dir[4096], home[4096], henv[4200], path[4200], script[8400], more[17000];
	const char *env[2] = { henv, NULL };

	if (!have_binaries())
		return;
	if (access("/usr/bin/npm", X_OK) < 0 || access("/usr/bin/node", X_OK) < 0 ||
	    access("/usr/bin/python3", X_OK) < 0)
		SKIP("/usr/bin/npm, node or python3 is not installed");
	if (!make_tmpdir(dir, sizeof(dir), NULL, "npm") || !make_tmpdir(home, sizeof(home), NULL, "npmhome"))
		return;
	snprintf(henv, sizeof(henv), "HOME=%s", home);
	snprintf(path, sizeof(path), "%s/package.json", dir);
	write_file(path, "{\"name\": \"rt\", \"version\": \"1.0.0\", \"private\": true,\n"
			 " \"scripts\": {\"test\": \"node t.js\"}}\n");
	snprintf(path, sizeof(path), "%s/t.js", dir);
	write_file(path, "const { Worker } = require('worker_threads');\n"
			 "new Worker('1', { eval: true }).on('exit', () => console.log('ok'));\n");
	snprintf(script, sizeof(script), "set -e; npm test >/dev/null; %s", MEMFD);
	snprintf(more, sizeof(more), "%s; %s", script, PTRACE);
	round_trip("npm test", dir, script, more, env);
	rm_rf(dir);
	rm_rf(home);
}
