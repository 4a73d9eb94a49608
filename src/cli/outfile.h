/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Files stockade writes for the user while a confined command runs: the
 * JSON report and a learned policy.  The command may have prepared the path
 * (an earlier run left a symlink or a FIFO there) or may be able to write
 * next to it, so they are opened without following a link, refused unless
 * a regular file, never blocked on, and warned about when the policy lets
 * the command replace them.  outfile.c.
 */
#ifndef STOCKADE_CLI_OUTFILE_H
#define STOCKADE_CLI_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "plan/plan.h"

/* Open PATH to write: O_NOFOLLOW (a symlink at PATH is refused),
 * O_NONBLOCK until fstat() has shown a regular file with one link (a FIFO or
 * device is refused, not waited on), truncated only then, close-on-exec.
 * Returns the descriptor, or -errno with a sentence for people in why. */
int outfile_open(const char *path, char *why, size_t size);

/* Check PATH may be replaced by outfile_replace(): absent, or a regular
 * file (not a link, FIFO, directory...).  0 or -errno with why. */
int outfile_check(const char *path, char *why, size_t size);

/* Write text to PATH whole: a new file beside it (O_EXCL), then renamed
 * over PATH, so a reader never sees half of it and a link at PATH is
 * replaced, not followed.  0 or -errno with why. */
int outfile_replace(const char *path, const char *text, char *why, size_t size);

/* On stderr, a warning when PATH (which may not exist yet) lies where the
 * plan lets the command write: it could replace or fill the file while it
 * runs.  `what` names the option ("--report-json"). */
void outfile_warn_writable(const stockade_plan *plan, const char *what, const char *path);

/* After the run: a warning when PATH no longer names the file fd has open
 * (the command removed or replaced it). */
void outfile_warn_replaced(int fd, const char *what, const char *path);

#endif
