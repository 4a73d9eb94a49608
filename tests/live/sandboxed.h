/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Commands under `stockade run` and without it, for the live tier: the
 * try-syscall probe confined and unconfined (the baseline, cached), tables
 * of rows of the outcome each probe command line should have, and any
 * command under stockade (sandboxed.c).
 */
#ifndef STOCKADE_LIVE_SANDBOXED_H
#define STOCKADE_LIVE_SANDBOXED_H

#include <stdbool.h>
#include <stddef.h>

#include "../harness.h"
#include "live_util.h"

#define ALLOWED (-100)	    /* want: the same as unconfined */
#define NOT_BASELINE (-101) /* want: anything but the unconfined answer */

/* Probe exit statuses of its own (tests/probes/try-syscall.c). */
#define PROBE_USAGE 254

/* Both binaries present; otherwise one failed check with a useful message. */
bool have_binaries(void);
/* `stockade run OPTS -- try-syscall ARGS`. */
int sandboxed(const char *const *opts, const char *args, struct run *r);
/* The probe's answer without stockade, as this user. */
int baseline(const char *args);

struct row {
	const char *args; /* probe command line */
	int want;	  /* an outcome, ALLOWED or NOT_BASELINE */
};

#define OPTS(...) ARGV(__VA_ARGS__)
#define NO_OPTS ((const char *const[]){ NULL })
#define ROWS(rows) rows, sizeof(rows) / sizeof((rows)[0])

/*
 * Check each row under `stockade run OPTS`.  Returns how many rows could be
 * asserted; the rest (baseline already gives the wanted answer, or the
 * probe cannot make the call at all here) are printed as notes.
 */
int check_rows(const char *label, const char *const *opts, const struct row *rows, size_t n);

#define CHECK_ROWS(label, opts, rows)                                                                          \
	do {                                                                                                   \
		if (check_rows(label, opts, ROWS(rows)) == 0)                                                  \
			SKIP("no row is meaningful for this user on this kernel (see notes)");               \
	} while (0)

/* Run an arbitrary command under stockade. */
int cli_run(const char *const *opts, const char *const *argv, struct run *r);

/* The run's output holds `word`. */
bool has(const struct run *r, const char *word);
/* find_tool()'s answer, copied (it may be a static buffer), kept for the run. */
const char *tool(const char *name);

/* Whether `stockade run` under agent gets namespaces here (as the
 * library's status says, which is what doctor prints). */
bool ns_here(void);

#define NEED_NS()                                                                                              \
	do {                                                                                                   \
		if (!have_binaries())                                                                          \
			return;                                                                                \
		if (!ns_here())                                                                                \
			SKIP("namespaces cannot be made here (`stockade doctor` says why)");                \
	} while (0)

#endif
