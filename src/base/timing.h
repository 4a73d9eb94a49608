/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where a start goes (`stockade run --timings`): each stage marks the end of
 * a phase with the monotonic clock.  Marks are kept only once
 * sk_timing_start() has been called; otherwise a mark costs a load and a
 * branch.  One process's marks (a fork copies them; the command's process
 * prints them before its exec).  Not installed.
 */
#ifndef STOCKADE_TIMING_H
#define STOCKADE_TIMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sk_timing_mark {
	const char *phase; /* what ended here: a string literal */
	uint64_t ns;	   /* CLOCK_MONOTONIC */
};

extern bool sk_timing_on;

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t sk_timing_now(void);
/* Start keeping marks, the first one at `since` (an sk_timing_now()). */
void sk_timing_start(uint64_t since);
void sk_timing_record(const char *phase);

static inline void sk_timing(const char *phase)
{
	if (__builtin_expect(sk_timing_on, 0))
		sk_timing_record(phase);
}

/* The marks so far, the first being the start; their number. */
size_t sk_timing_marks(const struct sk_timing_mark **marks);

#endif
