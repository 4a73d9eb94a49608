/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `stockade learn` for files: the file accesses the base policy would
 * refuse (observed by mediate_files.c while Landlock keeps only the
 * carve-outs, sk_plan_audit_files) become the narrowest `filesystem:`
 * grants: a file read -> read: [FILE], a listing -> read: [DIR], a changed
 * file -> write: [FILE], an entry made or removed -> write: [its DIR], an
 * exec -> exec: [the executable's DIR, or its toolchain root: $NVM_DIR].  Three or more files of one kind
 * in a directory collapse into the directory.  Never learned (a comment
 * says so): what a carve-out refuses (credentials), a grant that would
 * contain a carve-out of the base (it would uncover it: a carve-out takes
 * rights only from its own layer and below), and broad roots (/, the
 * top-level and /usr, /var system directories, the home directory and the
 * directories above it).  Paths under the working directory, TMPDIR and
 * the home directory are written as $CWD/..., $TMPDIR/..., ~/...
 */
#ifndef STOCKADE_RUN_LEARN_FILES_H
#define STOCKADE_RUN_LEARN_FILES_H

#include <stdio.h>

#include "run/mediate_files.h"

struct sk_file_grant {
	char *path;  /* canonical, absolute */
	char *shown; /* as the policy writes it ($CWD/x, ~/x) */
	enum sk_fs_kind kind; /* SK_FS_READ, SK_FS_WRITE or SK_FS_EXEC */
	unsigned long count;  /* accesses it allows */
	pid_t pid;	      /* the first process that needed it */
	char comm[16];
};

struct sk_learned_files {
	struct sk_file_grant *g;
	size_t n;
	char **notes; /* comments: what was not learned and why */
	size_t nnotes;
	const struct sk_files_mediation *f; /* the observations (sk_learned_files_check) */
	bool *learned;			    /* f->d[i] is covered by a grant */
	char *command;			    /* the command's own exec, learned here */
};

/* The grants for the refusals f recorded (f may be NULL: none), and for
 * the exec of `command` (the file run execs; NULL: none) where the base
 * refuses it: the supervisor does not always see that first exec. */
int sk_learn_files(const struct sk_files_mediation *f, const stockade_plan *base, const char *command,
		   struct sk_learned_files *out, stockade_error **err);
void sk_learned_files_free(struct sk_learned_files *lf);
/* The `filesystem:` section (nothing without grants) and the notes as
 * comments. */
void sk_learned_files_put(FILE *out, const struct sk_learned_files *lf);
/* How many learned accesses `plan` (the learned policy, built) still
 * refuses; *first names the first path. */
size_t sk_learned_files_check(const struct sk_learned_files *lf, const stockade_plan *plan, const char **first,
			      stockade_error **err);

#endif
