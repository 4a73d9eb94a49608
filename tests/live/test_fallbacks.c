/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier: the designed ENOSYS fallbacks (clone3, openat2) and feature
 * probes (io_uring_setup), src/tables/fallbacks.c.  They are not denials:
 * the report does not list them and suggests `--allow clone3` nowhere;
 * audit and learn answer them as the base does instead of letting them
 * run (clone3 must not create a namespace the base forbids), and learn
 * writes no allow and no `network: mode: full` for them.  Also: the
 * supervisor answers exactly what the filter would for syscall number -1
 * (native to the filter, not x32).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../harness.h"
#include "live_util.h"
#include "run/supervise.h"

static bool have_binaries(void)
{
	if (access(stockade_bin(), X_OK) < 0 || access(probe_path("try-syscall"), X_OK) < 0) {
		CHECK_MSG(0, "%s or %s is missing (make check builds them)", stockade_bin(), probe_path("try-syscall"));
		return false;
	}
	return true;
}

/* clone3 and openat2 under agent and strict, with --report and JSON. */
TEST(fallbacks_not_reported)
{
	static const char *const presets[] = { "agent", "strict" };
	static const char *const calls[] = { "clone3", "openat2" };
	const char *json = tmp_path("fallback.json");

	if (!have_binaries())
		return;
	for (size_t p = 0; p < 2; p++) {
		for (size_t c = 0; c < 2; c++) {
			struct run r;
			char *text;

			run_cmd(ARGV(stockade_bin(), "run", "--report", "--report-json", json, "--preset", presets[p],
				     "--", probe_path("try-syscall"), calls[c]),
				&r);
			CHECK_MSG(r.outcome == ENOSYS, "%s %s: got %d, want ENOSYS", presets[p], calls[c], r.outcome);
			CHECK_STR_CONTAINS(r.out, "report: no call was denied");
			CHECK_MSG(!strstr(r.out, "--allow"), "%s %s: a fix is suggested:\n%s", presets[p], calls[c],
				  r.out);
			text = read_file(json);
			CHECK_MSG(text && !strstr(text, "\"denial\"") && strstr(text, "\"fallbacks\":1"),
				  "%s %s: JSON: %s", presets[p], calls[c], text ? text : "(none)");
			free(text);
		}
	}
}

/* Audit lets denials run, but answers clone3 as the base: the namespace
 * rules hold even in audit mode. */
TEST(fallbacks_audit_answers_as_base)
{
	struct run r;

	if (!have_binaries())
		return;
	run_cmd(ARGV(stockade_bin(), "run", "--audit", "--preset", "agent", "--", probe_path("try-syscall"), "clone3",
		     "CLONE_NEWUSER|CLONE_NEWNS"),
		&r);
	CHECK_OUTCOME(&r, ENOSYS, "--audit clone3(CLONE_NEWUSER|CLONE_NEWNS)");
	CHECK_MSG(!strstr(r.out, "stockade:   clone3"), "clone3 is in the audit report:\n%s", r.out);
}

/* learn: no allow for the fallbacks, no network for a probe, and the
 * program gets the base's answer during the run. */
TEST(fallbacks_not_learned)
{
	const char *out = tmp_path("fallback-learned.yaml");
	static const char *const rows[][3] = {
		{ "agent", "clone3", "clone3" },
		{ "strict", "openat2", "openat2" },
		{ "strict", "io_uring_setup", "network" },
	};

	if (!have_binaries())
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct run r, base;
		char *text;

		run_cmd(ARGV(stockade_bin(), "run", "--preset", rows[i][0], "--", probe_path("try-syscall"),
			     rows[i][1]),
			&base);
		unlink(out);
		run_cmd(ARGV(stockade_bin(), "learn", "-o", out, "--base", rows[i][0], "--",
			     probe_path("try-syscall"), rows[i][1]),
			&r);
		CHECK_MSG(r.outcome == base.outcome, "learn %s on %s: got %d, the base gives %d", rows[i][1],
			  rows[i][0], r.outcome, base.outcome);
		text = read_file(out);
		CHECK_MSG(text != NULL, "learn %s wrote no policy:\n%s", rows[i][1], r.out);
		if (text) {
			char item[64], rule[64];

			snprintf(item, sizeof(item), "- %s", rows[i][1]);
			snprintf(rule, sizeof(rule), "syscall: %s", rows[i][1]);
			CHECK_MSG(!strstr(text, item) && !strstr(text, rule) && !strstr(text, "\nnetwork:") &&
					  !strstr(text, "seccomp:"),
				  "learn %s on %s learned something:\n%s", rows[i][1], rows[i][0], text);
		}
		free(text);
	}
}

/* Number -1 (a tracer skipping a call) is native on x86_64, as the filter
 * sees it; 0x40000000 and above are x32. */
TEST(notif_arch_minus_one_is_native)
{
	const uint32_t x86_64 = 0xc000003e, x32 = 0x4000003e, aarch64 = 0xc00000b7;

	CHECK_INT_EQ(sk_notif_arch(x86_64, -1), x86_64);
	CHECK_INT_EQ(sk_notif_arch(x86_64, 39), x86_64);
	CHECK_INT_EQ(sk_notif_arch(x86_64, 0x40000000 | 39), x32);
	CHECK_INT_EQ(sk_notif_arch(x86_64, (int)0x80000000u), x32);
	CHECK_INT_EQ(sk_notif_arch(aarch64, -1), aarch64);
}

/* strict answers an unknown number with its default, ENOSYS, with or
 * without the supervisor. */
TEST(report_minus_one_as_filter)
{
	const char *py = "import ctypes, sys; ctypes.CDLL(None, use_errno=True).syscall(-1); "
			 "sys.exit(ctypes.get_errno())";
	const char *pyexe = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : python();
	struct run plain, rep;

	if (!have_binaries())
		return;
	if (!pyexe)
		SKIP("no python3");
	run_cmd(ARGV(stockade_bin(), "run", "--preset", "strict", "--", pyexe, "-c", py), &plain);
	run_cmd(ARGV(stockade_bin(), "run", "--report", "--preset", "strict", "--", pyexe, "-c", py), &rep);
	if (plain.outcome == EXEC_NOT_EXECUTABLE)
		SKIP("python3 does not run under strict here");
	CHECK_OUTCOME(&plain, ENOSYS, "strict: syscall(-1)");
	CHECK_OUTCOME(&rep, ENOSYS, "strict --report: syscall(-1)");
	CHECK_MSG(!strstr(rep.out, "internal error"), "the supervisor disagreed with the filter:\n%s", rep.out);
}
