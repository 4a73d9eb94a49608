/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Commands under `stockade run` and without it (sandboxed.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../harness.h"
#include "live_util.h"
#include "sandboxed.h"
#include "stockade.h"

static const char *describe(int outcome, char *buf, size_t size)
{
	if (outcome == ALLOWED)
		snprintf(buf, size, "the unconfined result");
	else if (outcome == NOT_BASELINE)
		snprintf(buf, size, "anything but the unconfined result");
	else if (outcome == PROBE_USAGE)
		snprintf(buf, size, "exit %d (probe usage error)", outcome);
	else
		describe_outcome(outcome, buf, size);
	return buf;
}

/* Both binaries present; otherwise one failed check with a useful message. */
bool have_binaries(void)
{
	bool ok = true;

	if (access(stockade_bin(), X_OK) < 0) {
		CHECK_MSG(0, "%s: %s (build it, or set STOCKADE)", stockade_bin(), strerror(errno));
		ok = false;
	}
	if (access(probe_path("try-syscall"), X_OK) < 0) {
		CHECK_MSG(0, "%s: %s (make build/probes/try-syscall, or set PROBES)", probe_path("try-syscall"),
			  strerror(errno));
		ok = false;
	}
	return ok;
}

/* ---- probes, confined and not ---- */

static bool verbose(void)
{
	const char *v = getenv("LIVE_VERBOSE");

	return v && *v && strcmp(v, "0");
}

/* `stockade run OPTS -- try-syscall ARGS`. */
int sandboxed(const char *const *opts, const char *args, struct run *r)
{
	struct cmd c = { .n = 0 };

	cmd_push_stockade_run(&c, opts);
	cmd_push(&c, probe_path("try-syscall"));
	cmd_push_words(&c, args);
	cmd_run(&c, NULL, r);
	cmd_free(&c);
	return r->outcome;
}

struct cached {
	char *args;
	int outcome;
};
static struct cached baselines[256];
static int nbaselines;

/* The probe's answer without stockade, as this user. */
int baseline(const char *args)
{
	struct cmd c = { .n = 0 };
	struct run r;

	for (int i = 0; i < nbaselines; i++)
		if (!strcmp(baselines[i].args, args))
			return baselines[i].outcome;
	cmd_push(&c, probe_path("try-syscall"));
	cmd_push_words(&c, args);
	cmd_run(&c, NULL, &r);
	cmd_free(&c);
	if (nbaselines < (int)(sizeof(baselines) / sizeof(baselines[0]))) {
		baselines[nbaselines].args = strdup(args);
		baselines[nbaselines].outcome = r.outcome;
		if (baselines[nbaselines].args)
			nbaselines++;
	}
	return r.outcome;
}

/*
 * Check each row under `stockade run OPTS`.  Returns how many rows could be
 * asserted; the rest (baseline already gives the wanted answer, or the
 * probe cannot make the call at all here) are printed as notes.
 */
int check_rows(const char *label, const char *const *opts, const struct row *rows, size_t n)
{
	char same[1024] = "";
	int meaningful = 0;

	if (!have_binaries())
		return 1;
	for (size_t i = 0; i < n; i++) {
		char b1[64], b2[64], b3[64];
		int base = baseline(rows[i].args);
		int want = rows[i].want;
		struct run r;

		if (base == RUN_ERROR || base == RUN_TIMEOUT || base == PROBE_USAGE) {
			CHECK_MSG(0, "[%s] %s: the probe itself fails unconfined: %s", label, rows[i].args,
				  describe(base, b1, sizeof(b1)));
			continue;
		}
		if (want >= 0 && base == want) {
			size_t len = strlen(same);

			snprintf(same + len, sizeof(same) - len, "%s%s (%s)", len ? ", " : "", rows[i].args,
				 describe(base, b1, sizeof(b1)));
			continue;
		}
		if (want != ALLOWED && base >= SIGNALLED(0)) {
			printf("  note: [%s] %s: the probe cannot make this call here (unconfined: %s)\n", label,
			       rows[i].args, describe(base, b1, sizeof(b1)));
			continue;
		}
		meaningful++;
		sandboxed(opts, rows[i].args, &r);
		if (want == ALLOWED)
			want = base;
		if (verbose())
			printf("  [%s] %-40s -> %-28s (unconfined %s)\n", label, rows[i].args,
			       describe(r.outcome, b1, sizeof(b1)), describe(base, b2, sizeof(b2)));
		if (rows[i].want == NOT_BASELINE) {
			CHECK_MSG(r.outcome != base && r.outcome != STOCKADE_FAILED && r.outcome >= 0,
				  "[%s] %s: got %s, want a denial (unconfined: %s)", label, rows[i].args,
				  describe(r.outcome, b1, sizeof(b1)), describe(base, b3, sizeof(b3)));
			if (r.outcome == base || r.outcome == STOCKADE_FAILED || r.outcome < 0)
				show_run(&r);
			continue;
		}
		CHECK_MSG(r.outcome == want, "[%s] %s: got %s, want %s (unconfined: %s)", label, rows[i].args,
			  describe(r.outcome, b1, sizeof(b1)), describe(want, b2, sizeof(b2)),
			  describe(base, b3, sizeof(b3)));
		if (r.outcome != want)
			show_run(&r);
	}
	if (same[0])
		printf("  note: [%s] not asserted for uid %u, the kernel already answers so without a filter: %s\n",
		       label, (unsigned)getuid(), same);
	return meaningful;
}

int cli_run(const char *const *opts, const char *const *argv, struct run *r)
{
	struct cmd c = { .n = 0 };

	cmd_push_stockade_run(&c, opts);
	cmd_push_all(&c, argv);
	return cmd_run(&c, NULL, r);
}

bool ns_here(void)
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

bool has(const struct run *r, const char *word)
{
	return strstr(r->out, word) != NULL;
}

const char *tool(const char *name)
{
	const char *t = find_tool(NULL, NULL, name);

	return t ? strdup(t) : NULL;
}
