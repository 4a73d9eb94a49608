/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `stockade learn`: collect the calls a run needed beyond a base policy
 * (from the supervisor's audit events) and write the policy that allows
 * exactly those on top of the base.
 */
#ifndef STOCKADE_LEARN_H
#define STOCKADE_LEARN_H

#include "run/denial.h"
#include "run/supervise.h"

struct sk_learner;

int sk_learner_new(const stockade_plan *base, struct sk_learner **out);
void sk_learner_free(struct sk_learner *l);

/* Record one event (an sk_event_fn: data is the learner).  A call the base
 * already allows is only counted (learn --all lists them). */
void sk_learner_event(const struct sk_event *ev, void *data);

struct sk_learn_meta {
	const char *extends; /* a preset name or an absolute path */
	const char *name;    /* the policy's name: */
	const char *command; /* for the header comment */
	bool list_all;	     /* append every call seen (learn --all) */
};

/* The policy, YAML text in a malloc'd string. */
int sk_learner_yaml(const struct sk_learner *l, const struct sk_learn_meta *meta, char **out,
		    stockade_error **err);

/* How many entries the policy has beyond the base: allow names, rules,
 * network: mode: unix and compat_arches: filter.  (It never writes
 * network: mode: full; a run that needed it gets a comment.) */
size_t sk_learner_entries(const struct sk_learner *l);
/* The run opened sockets the base refuses, which learn does not grant
 * (the policy says so in a comment). */
bool sk_learner_wanted_network(const struct sk_learner *l);
/* The supervisor's on_mediation callback (data: the learner): a connect
 * the base's mediators would refuse becomes a `sockets: allow` entry (not
 * for a host daemon's socket) or a `network: tcp_connect` one. */
struct sk_mreq;
void sk_learner_mediated(const struct sk_mreq *r, void *data);

/* The file grants learned (learn_files.h): written into the policy and
 * counted in sk_learner_entries(); lf must outlive the learner's use. */
struct sk_learned_files;
void sk_learner_set_files(struct sk_learner *l, const struct sk_learned_files *lf);

/* Calls seen in all, and calls libseccomp could not name (never learnable). */
unsigned long sk_learner_calls(const struct sk_learner *l);
unsigned long sk_learner_unnamed(const struct sk_learner *l);

/* Check `plan` (the learned policy, built) allows one sample call of every
 * entry.  Returns how many are still denied; *first names the first. */
size_t sk_learner_check(const struct sk_learner *l, const stockade_plan *plan, const char **first);

#endif
