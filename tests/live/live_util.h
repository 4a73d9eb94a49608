/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared plumbing of the live tier: running a command with its output
 * captured, the paths of stockade and the probes, temporary files and
 * directories, for every test file of the tier.
 */
#ifndef STOCKADE_LIVE_UTIL_H
#define STOCKADE_LIVE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* An outcome is an exit status 0..255, SIGNALLED(sig), or one of these. */
#define SIGNALLED(s) (1000 + (s))
#define RUN_ERROR (-1)	     /* could not fork/exec at all */
#define RUN_TIMEOUT (-2)     /* killed after the timeout */
#define RUN_EXEC_FAILED 120  /* our own child could not exec argv[0] */
#define RUN_TIMEOUT_MS 60000 /* the default timeout */
#define RUN_OUT_MAX 65536

/* Exit statuses of stockade itself. */
#define STOCKADE_FAILED 125
#define EXEC_NOT_EXECUTABLE 126
#define EXEC_NOT_FOUND 127

/* A NULL-terminated string list literal, for argv and option lists. */
#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NOENV ((const char *const[]){ NULL })

struct run {
	int outcome;		/* exit status, SIGNALLED(sig), RUN_ERROR or RUN_TIMEOUT */
	long ms;		/* how long it took */
	char out[RUN_OUT_MAX];	/* stdout and stderr, truncated */
};

/* Everything optional; a zeroed struct is run_cmd()'s behaviour. */
struct run_opts {
	const char *cwd;	 /* run there (NULL: here) */
	const char *const *env;	 /* extra "NAME=VALUE" entries, NULL-terminated */
	const char *in;		 /* stdin from this file (NULL: /dev/null) */
	int fd3;		 /* > 0: becomes the child's descriptor 3 */
	long timeout_ms;	 /* 0: RUN_TIMEOUT_MS */
	long term_after_ms;	 /* > 0: SIGTERM the child after this long */
};

/*
 * Run argv (PATH lookup for bare names) in its own process group, with
 * stdout+stderr captured into r->out and no core files (SIGSYS deaths are
 * expected).  Returns r->outcome.
 */
int run_cmd_opts(const char *const *argv, const struct run_opts *o, struct run *r);
int run_cmd(const char *const *argv, struct run *r);

/* An argv under construction; cmd_free() releases what it owns. */
#define CMD_MAX_ARGV 64
struct cmd {
	const char *v[CMD_MAX_ARGV + 1];
	int n;
	char *owned[4];
	int nowned;
};

void cmd_push(struct cmd *c, const char *s);
void cmd_push_all(struct cmd *c, const char *const *list);
void cmd_push_words(struct cmd *c, const char *words); /* split on spaces */
/* `stockade run OPTS --` (opts may be NULL). */
void cmd_push_stockade_run(struct cmd *c, const char *const *opts);
int cmd_run(struct cmd *c, const struct run_opts *o, struct run *r);
void cmd_free(struct cmd *c);

long now_ms(void);

/* "exit 13 (EACCES)", "killed by SIGSYS", "timed out", ... */
const char *describe_outcome(int outcome, char *buf, size_t size);
/* The outcome and the last of the output, indented, on stderr. */
void show_run(const struct run *r);

#define CHECK_OUTCOME(r, want, what)                                                                           \
	do {                                                                                                   \
		char _b1[64], _b2[64];                                                                         \
		CHECK_MSG((r)->outcome == (want), "%s: got %s, want %s", what,                                \
			  describe_outcome((r)->outcome, _b1, sizeof(_b1)),                                   \
			  describe_outcome(want, _b2, sizeof(_b2)));                                          \
		if ((r)->outcome != (want))                                                                    \
			show_run(r);                                                                           \
	} while (0)

/* $STOCKADE (default build/stockade) and $PROBES/NAME (default
 * build/probes), both made absolute: some tests change directory. */
const char *stockade_bin(void);
const char *probe_path(const char *name);

/* $ENV if set, else the first executable candidate, else NAME on $PATH;
 * NULL if none.  The result may be a static buffer. */
const char *find_tool(const char *env, const char *const *candidates, const char *name);
const char *python(void);

/* ---- files ---- */

/* A fresh mode-0755 directory BASE/NAME.XXXXXX (BASE NULL: $TMPDIR or
 * /tmp) in out; false, and a failed check, if it cannot be made. */
bool make_tmpdir(char *out, size_t size, const char *base, const char *name);
void rm_rf(const char *path);
/* A path in the tier's private temporary directory (removed at exit);
 * whatever was there is removed. */
const char *tmp_path(const char *name);
/* tmp_path(name) holding text, with that mode; exits if it cannot. */
const char *write_tmp(const char *name, const char *text, mode_t mode);
bool write_file(const char *path, const char *text);
/* The whole file, NUL-terminated, to free(); NULL if unreadable. */
char *read_file(const char *path);

#endif
