/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The denial report of `stockade run --report / --audit`: text and JSON. */
#ifndef STOCKADE_CLI_REPORT_H
#define STOCKADE_CLI_REPORT_H

#include <stdio.h>

#include "run/supervise.h"

struct report;

/* `json` (may be NULL) gets one JSON object per line for every event, as
 * it happens, and a closing "exit" object.  `policy` names the policy in
 * fixes ("a policy extending NAME"). */
struct report *report_new(const stockade_plan *plan, const char *policy, enum sk_notify_mode mode, FILE *json);
void report_free(struct report *r);

/* The supervisor's callback (data: the report). */
void report_event(const struct sk_event *ev, void *data);

/* After the run: the text report on `out` (if not NULL; `quiet_if_clean`:
 * say nothing when nothing was denied) and the JSON exit record. */
void report_finish(struct report *r, const struct sk_supervise_result *res, FILE *out, bool quiet_if_clean);

/* The file accesses Landlock refused, observed by the supervisor
 * (run/mediate_files.h; NULL: not observed): report_finish() lists them
 * after the calls and in the JSON before the exit record. */
struct sk_files_mediation;
void report_set_files(struct report *r, const struct sk_files_mediation *files);
/* report_files.c */
/* audit: say which were refused all the same (carve-outs) and which ran. */
void report_files_text(const struct sk_files_mediation *f, FILE *out, bool audit);
void report_files_json(const struct sk_files_mediation *f, FILE *json, bool audit);

/* The calls the supervisor's mediators refused (report_mediated.c):
 * report_finish() lists them after the calls, and counts them in the JSON
 * exit record (the events themselves are written as they happen). */
#define MREPORT_MAX 256
struct sk_mreq;
struct mgroup {
	char name[32];	  /* the syscall */
	const char *rule; /* static text of the mediator */
	int error;
	char target[256];
	char comm[16];
	pid_t pid;
	bool many_pids;
	unsigned long count;
};
struct mreport {
	struct mgroup g[MREPORT_MAX];
	size_t n;
	unsigned long calls, over;
};
/* Count a refused call; returns how many of its kind so far (1 for one
 * past MREPORT_MAX kinds: each is new), 0 if r was not refused. */
unsigned long mreport_add(struct mreport *m, const struct sk_mreq *r);
void mreport_text(const struct mreport *m, FILE *out, bool audit);
/* The fix for a refused mediated call (`sockets: allow: ["PATH"]`,
 * `--tcp-connect ADDR:PORT`) in buf, or NULL. */
const char *mreport_fix(const char *name, const char *target, char *buf, size_t size);
void report_set_mediated(struct report *r, const struct mreport *m);

/* A string the command controls, for a terminal (report_files.c):
 * control characters and bytes that are not UTF-8 as \xNN. */
void report_put_escaped(FILE *out, const char *s);

/* Why Landlock denials are not in the report, or NULL if the policy does
 * not use Landlock. */
const char *report_landlock_note(const stockade_plan *plan, char *buf, size_t size);

#endif
