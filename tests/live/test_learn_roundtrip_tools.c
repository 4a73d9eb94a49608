/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: learn -> run round trips under the strict base for two real
 * toolchains in a scratch project, with a scratch HOME laid out like a
 * developer's (fixtures in ~/fixtures, a cargo home in ~/.cargo):
 * `python3 -m pytest -q` (threads, a fixture read from the home) and
 * `cargo build --offline` of a crate without dependencies that embeds a
 * file from the home.  Strict alone refuses the workload; `stockade learn
 * --base strict -o FILE` learns it (no clone3, no network); `stockade run
 * --policy FILE` passes; the same workload reading one file more (in a
 * directory learn never saw) is refused by Landlock.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../harness.h"
#include "landlock/landlock.h"
#include "live_util.h"

/* A scratch base in /var/tmp (outside every write root of strict, as a real
 * home is): BASE/home with ~/fixtures/data.txt and ~/other/more.txt, and
 * BASE/proj, the working directory.  False: the test is skipped (with its
 * reason) or failed. */
static bool scratch(char *base, size_t size, const char *name)
{
	const char *tmpdir = getenv("TMPDIR");
	enum stockade_landlock_reason why;
	char p[PATH_MAX];
	int errnum;

	if (sk_landlock_kernel_abi(&why, &errnum) < 1) {
		harness_skip_reason = "the kernel has no Landlock: learn observes no file refusal";
		return false;
	}
	if (access(stockade_bin(), X_OK) < 0) {
		CHECK_MSG(0, "%s is missing (make check builds it)", stockade_bin());
		return false;
	}
	if (tmpdir && !strncmp(tmpdir, "/var/tmp", 8)) {
		harness_skip_reason = "TMPDIR is under /var/tmp, where the scratch home goes";
		return false;
	}
	if (!make_tmpdir(base, size, "/var/tmp", name))
		return false;
	static const char *const dirs[] = { "home", "home/fixtures", "home/other", "home/.cargo", "proj" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", base, dirs[i]);
		CHECK(mkdir(p, 0755) == 0);
	}
	snprintf(p, sizeof(p), "%s/home/fixtures/data.txt", base);
	CHECK(write_file(p, "42\n"));
	snprintf(p, sizeof(p), "%s/home/other/more.txt", base);
	CHECK(write_file(p, "more\n"));
	return true;
}

/* Learn `script` in BASE/proj on strict, re-run it under the result, and
 * check `more` is refused by Landlock (`denied` in its output). */
static void round_trip(const char *what, const char *base, const char *script, const char *more,
		       const char *denied, const char *const *env)
{
	char out[PATH_MAX], dir[PATH_MAX];
	struct run r;
	char *text;

	snprintf(dir, sizeof(dir), "%s/proj", base);
	snprintf(out, sizeof(out), "%s/learned.yaml", base);
	struct run_opts o = { .cwd = dir, .env = env };
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
	CHECK_MSG(text && strstr(text, "\"~/fixtures") && !strstr(text, "clone3 #") && !strstr(text, "  mode: full") &&
			  !strstr(text, "~/other"),
		  "%s: learned:\n%s", what, text ? text : "(none)");
	free(text);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", out, "--", "sh", "-c", script), &o, &r);
	CHECK_OUTCOME(&r, 0, what);
	run_cmd_opts(ARGV(stockade_bin(), "run", "--policy", out, "--", "sh", "-c", more), &o, &r);
	CHECK_MSG(r.outcome != 0, "%s: reading ~/other/more.txt ran under the learned policy", what);
	CHECK_MSG(strstr(r.out, denied), "%s: the variant failed, but not by a refusal (%s):\n%s", what, denied, r.out);
	unlink(out);
}

TEST(learn_round_trip_pytest)
{
	char base[512], p[PATH_MAX], henv[PATH_MAX + 8], script[1024], more[1024];
	const char *env[2] = { henv, NULL };
	struct run r;

	if (access("/usr/bin/python3", X_OK) < 0)
		SKIP("no /usr/bin/python3 (scripts/deps.sh test installs it)");
	run_cmd(ARGV("/usr/bin/python3", "-c", "import pytest"), &r);
	if (r.outcome != 0)
		SKIP("/usr/bin/python3 has no pytest (Debian's python3-pytest: scripts/deps.sh test)");
	if (!scratch(base, sizeof(base), "stockade-rt-pytest"))
		return;
	snprintf(henv, sizeof(henv), "HOME=%s/home", base);
	snprintf(p, sizeof(p), "%s/proj/test_fixture.py", base);
	CHECK(write_file(p, "import os, threading\n"
			    "def test_fixture():\n"
			    "    with open(os.path.expanduser('~/fixtures/data.txt')) as f:\n"
			    "        assert f.read() == '42\\n'\n"
			    "def test_threads():\n"
			    "    out = []\n"
			    "    ts = [threading.Thread(target=out.append, args=(i,)) for i in range(4)]\n"
			    "    [t.start() for t in ts]; [t.join() for t in ts]\n"
			    "    assert sorted(out) == [0, 1, 2, 3]\n"));
	snprintf(p, sizeof(p), "%s/proj/test_more.py", base);
	CHECK(write_file(p, "import os\n"
			    "def test_more():\n"
			    "    with open(os.path.expanduser('~/other/more.txt')) as f:\n"
			    "        assert f.read() == 'more\\n'\n"));
	snprintf(script, sizeof(script), "set -e; rm -rf .pytest_cache; /usr/bin/python3 -B -m pytest -q test_fixture.py");
	snprintf(more, sizeof(more), "set -e; /usr/bin/python3 -B -m pytest -q test_fixture.py test_more.py");
	round_trip("pytest", base, script, more, "PermissionError", env);
	rm_rf(base);
}

/* The cargo to use: Debian's, else the toolchain behind a rustup proxy on
 * PATH, else a cargo on PATH; its bin directory, so that rustc is the one
 * beside it. */
static bool find_cargo(char *bin, size_t size)
{
	struct run r;
	char *nl;

	if (access("/usr/bin/cargo", X_OK) == 0 && access("/usr/bin/rustc", X_OK) == 0) {
		snprintf(bin, size, "/usr/bin");
		return true;
	}
	run_cmd(ARGV("sh", "-c", "if command -v rustup >/dev/null; then rustup which cargo; else command -v cargo; fi"), &r);
	if (r.outcome != 0 || r.out[0] != '/')
		return false;
	if ((nl = strchr(r.out, '\n')))
		*nl = 0;
	if (strlen(r.out) >= size)
		return false;
	memcpy(bin, r.out, strlen(r.out) + 1);
	if (!(nl = strrchr(bin, '/')))
		return false;
	*nl = 0;
	return true;
}

TEST(learn_round_trip_cargo_build)
{
	char base[512], bin[1024], p[PATH_MAX], script[2 * PATH_MAX], more[3 * PATH_MAX];
	char henv[PATH_MAX + 8], cenv[PATH_MAX + 16], renv[PATH_MAX + 8], penv[PATH_MAX + 32];
	const char *env[] = { henv, cenv, renv, penv, "CARGO_TERM_COLOR=never", NULL };

	if (!find_cargo(bin, sizeof(bin)))
		SKIP("no cargo: neither Debian's /usr/bin/cargo nor a rustup toolchain this user can reach");
	snprintf(p, sizeof(p), "%s/cargo", bin);
	if (access(p, X_OK) < 0 || (snprintf(p, sizeof(p), "%s/rustc", bin), access(p, X_OK) < 0))
		SKIP("cargo or rustc beside the toolchain found is not executable by this user");
	if (!scratch(base, sizeof(base), "stockade-rt-cargo"))
		return;
	snprintf(henv, sizeof(henv), "HOME=%s/home", base);
	snprintf(cenv, sizeof(cenv), "CARGO_HOME=%s/home/.cargo", base);
	snprintf(renv, sizeof(renv), "RUSTC=%s/rustc", bin);
	/* the linker (cc) from /usr/bin */
	snprintf(penv, sizeof(penv), "PATH=%s:/usr/bin:/bin", bin);
	snprintf(p, sizeof(p), "%s/proj/Cargo.toml", base);
	CHECK(write_file(p, "[package]\nname = \"rt\"\nversion = \"0.1.0\"\nedition = \"2018\"\n\n[dependencies]\n"));
	snprintf(p, sizeof(p), "%s/proj/src", base);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/proj/src/main.rs", base);
	snprintf(script, sizeof(script),
		 "const DATA: &str = include_str!(\"%s/home/fixtures/data.txt\");\n"
		 "fn main() {\n"
		 "    let t = std::thread::spawn(|| DATA.trim().to_string());\n"
		 "    println!(\"{}\", t.join().unwrap());\n"
		 "    if let Some(p) = std::env::args().nth(1) {\n"
		 "        print!(\"{}\", std::fs::read_to_string(p).expect(\"read\"));\n"
		 "    }\n"
		 "}\n",
		 base);
	CHECK(write_file(p, script));
	snprintf(script, sizeof(script), "set -e; rm -rf target; %s/cargo build --offline -q; ./target/debug/rt", bin);
	snprintf(more, sizeof(more), "%s %s/home/other/more.txt", script, base);
	round_trip("cargo build", base, script, more, "PermissionDenied", env);
	rm_rf(base);
}
