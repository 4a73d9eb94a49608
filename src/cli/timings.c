/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade run --timings: where the start went, phase by phase, printed by
 * the process about to exec the command (base/timing.h).
 */
#include <stdio.h>

#include "base/timing.h"
#include "cli.h"

void print_timings(FILE *f)
{
	const struct sk_timing_mark *m;
	size_t n = sk_timing_marks(&m);

	if (n < 2)
		return;
	fprintf(f, "stockade: timings, µs (from its first option to the command's exec; `make bench` has medians):\n");
	for (size_t i = 1; i < n; i++)
		fprintf(f, "stockade:   %-30s %8.1f\n", m[i].phase, (double)(m[i].ns - m[i - 1].ns) / 1e3);
	fprintf(f, "stockade:   %-30s %8.1f\n", "total", (double)(m[n - 1].ns - m[0].ns) / 1e3);
}
