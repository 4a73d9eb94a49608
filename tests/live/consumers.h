/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The consumer tests' fixture (test_consumers.c): a container rootfs with a
 * static busybox and the try-syscall probe, which consumers run here, and
 * the probe's calls with the verdicts the policy gives them.  Also used by
 * test_consumer_config.c (the OCI config fragment in crun).
 */
#ifndef STOCKADE_TEST_CONSUMERS_H
#define STOCKADE_TEST_CONSUMERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../harness.h"
#include "live_util.h"
#include "plan/plan.h"

/* One call of the probe, and what it is to the policy. */
struct call {
	const char *probe; /* try-syscall arguments */
	const char *name;  /* the syscall, NULL for another entry point */
	uint64_t a[6];	   /* the arguments rules can look at */
};

extern const struct call calls[];
extern const size_t ncalls;

enum consumer { C_STOCKADE, C_BWRAP, C_CRUN, NCONSUMERS };

struct fixture {
	char dir[512];
	char rootfs[600]; /* bin/sh (busybox), probe, run.sh (every call, "R <call> = <status>") */
	const char *skip[NCONSUMERS];
	char why[NCONSUMERS][600];
	bool hybrid_cgroups; /* crun 1.8 then runs in `unshare -m` with cgroup2 hidden */
};

bool fixture_init(struct fixture *fx);
void fixture_free(struct fixture *fx);
/* argv in cwd (NULL: here), the extra fd `fd3` (if > 0) as descriptor 3. */
void run_in(const char *cwd, const char *const *argv, int fd3, struct run *r);
bool exists_in_path(const char *name);
/* Every capability of our bounding set, as a JSON list. */
void bounding_caps(char *buf, size_t size);
/* The status of `call` in the probe script's output, or -1. */
int status_of(const char *out, const struct call *c);
/* "allow" (the unconfined answer), "killed", "errno:E" or "missing". */
const char *verdict(int got, int base, char *buf, size_t size);
/* What the policy says of the call, in verdict()'s words. */
void expected(const stockade_plan *plan, const struct call *c, char *buf, size_t size);
stockade_plan *preset_plan(const char *name);

#endif
