/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Phase marks for `stockade run --timings` (timing.h). */
#include <time.h>

#include "base/timing.h"

#define MAX_MARKS 48

bool sk_timing_on;
static struct sk_timing_mark marks[MAX_MARKS];
static size_t nmarks;

uint64_t sk_timing_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void sk_timing_start(uint64_t since)
{
	marks[0] = (struct sk_timing_mark){ "start", since };
	nmarks = 1;
	sk_timing_on = true;
}

void sk_timing_record(const char *phase)
{
	if (nmarks < MAX_MARKS)
		marks[nmarks++] = (struct sk_timing_mark){ phase, sk_timing_now() };
}

size_t sk_timing_marks(const struct sk_timing_mark **out)
{
	*out = marks;
	return nmarks;
}
