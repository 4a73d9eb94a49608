/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * File denials observed (mediate.h's observe-only mediators): with an
 * explicit --report or --audit, the calls that take a path (open, exec,
 * mkdir, unlink, rename, ...) notify the supervisor wherever the filter
 * lets them through.  It reads the path from a copy of the caller's memory,
 * resolves it against the caller's working directory or dirfd, asks the
 * plan's path evaluator (plan/fs_eval.h) whether Landlock refuses the
 * access and, if so, records it with the rule and the fix; then it answers
 * CONTINUE: the kernel runs the call and Landlock alone decides it.  The
 * caller can change its memory after the copy, so a racing thread can make
 * a report line wrong about itself, never the decision.
 *
 * Not seen: an access to a path that does not exist (the kernel fails it
 * before Landlock looks), an entry created during the run directly in a
 * directory that carve-outs split (Landlock refuses it; the evaluator
 * thinks it existed at start), calls through io_uring (denied by the
 * presets) and through a foreign ABI.
 */
#ifndef STOCKADE_RUN_MEDIATE_FILES_H
#define STOCKADE_RUN_MEDIATE_FILES_H

#include <limits.h>
#include <sys/types.h>
#include <time.h>

#include "plan/fs_eval.h"
#include "run/mediate.h"

/* At most this many distinct (path, access) refusals are kept; the rest
 * are counted in `dropped`. */
#define SK_FILE_DENIALS_MAX 256

struct sk_file_denial {
	char *path;		       /* canonical, as evaluated */
	char *from;		       /* RENAME, LINK: the first call's source, or NULL */
	enum sk_fs_op op;
	char syscall[24];	       /* of the first (a copy: the supervisor's names go with it) */
	pid_t pid;		       /* the first caller */
	char comm[16];		       /* its name ("?" if gone), raw bytes */
	unsigned long count;	       /* calls */
	unsigned npids;		       /* distinct callers, up to 64 counted */
	pid_t pids[8];
	struct timespec first;	       /* CLOCK_REALTIME */
	enum sk_fs_why why;
	const struct sk_fs_path *rule; /* into the plan, or NULL */
	char *explain, *fix;	       /* the evaluator's words */
	char *shown;		       /* path with ~ */
	bool enforced;		       /* refused by what was enforced (audit: the carve-outs) */
};

struct sk_files_mediation {
	const stockade_plan *plan;
	struct sk_fs_index *ix;
	struct sk_fs_index *enforced_ix; /* audit: what Landlock enforces instead; NULL: the plan */
	struct sk_file_denial *d;
	size_t n;
	unsigned long observed; /* calls the supervisor looked at */
	unsigned long refused;	/* of which the evaluator says Landlock refused */
	unsigned long dropped;	/* refusals beyond SK_FILE_DENIALS_MAX distinct */
	unsigned long long ns;	/* time spent in the handler, for the cost measurement */
};

/* Observe the file calls of a run under `plan` (the plan's filesystem
 * lists; nothing when it does not restrict files).  Adds its mediators to
 * m and its state to m->files_state (freed by sk_mediation_free). */
int sk_files_mediation_setup(const stockade_plan *plan, struct sk_mediation *m, stockade_error **err);
void sk_files_mediation_free(struct sk_files_mediation *f);
/* Audit: Landlock enforces `enforced` (sk_plan_audit_files()) rather than
 * the plan; each refusal then says whether it happened.  NULL drops it
 * (before `enforced` is freed). */
int sk_files_mediation_enforced(struct sk_files_mediation *f, const stockade_plan *enforced, stockade_error **err);

/* Exposed for the tests: the access and path(s) a call of `name` with
 * `args` asks for, resolved as the caller `pid` sees them.  0 when it is
 * to be judged; -ENOENT when the kernel fails it before Landlock (a
 * missing path) or it is not a file access Landlock checks (O_PATH). */
struct sk_file_call {
	enum sk_fs_op op;
	char path[PATH_MAX];
	char from[PATH_MAX]; /* RENAME: the source */
};

#endif
