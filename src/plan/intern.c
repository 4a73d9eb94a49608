/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plan's strings (plan.h: strings, string_index): one copy of each
 * origin name, reason, syscall name and path the plan points into.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"

/* The intern index's hash: the length and at most the first and last 16
 * bytes, 8 at a time.  Reasons run to a hundred bytes and are interned
 * once per rule; strings that share both ends only probe further. */
static uint32_t str_hash(const char *s)
{
	size_t n = strlen(s);
	uint64_t h = 0xcbf29ce484222325ull ^ n, w;

	for (size_t i = 0; i < 2 && i * 8 + 8 <= n; i++) {
		memcpy(&w, s + i * 8, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (size_t i = 0; i < 2 && n >= 16 && i * 8 + 8 <= n - 16; i++) {
		memcpy(&w, s + n - 8 - i * 8, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	if (n < 16)
		for (size_t i = n & ~(size_t)7; i < n; i++)
			h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

/* Keep one copy of each string the plan points into (origins, reasons,
 * names), found through an open-addressing index of string numbers + 1. */
int sk_plan_intern(stockade_plan *plan, const char *s, const char **out)
{
	uint32_t h;

	if (!s) {
		*out = NULL;
		return 0;
	}
	if (plan->nstrings * 2 >= plan->index_cap) {
		size_t cap = plan->index_cap ? plan->index_cap * 2 : 256;
		uint32_t *idx = calloc(cap, sizeof(*idx));
		char **n = realloc(plan->strings, cap / 2 * sizeof(*n));
		if (!idx || !n) {
			free(idx);
			if (n)
				plan->strings = n;
			return -ENOMEM;
		}
		plan->strings = n;
		for (size_t i = 0; i < plan->nstrings; i++) {
			uint32_t k = str_hash(n[i]) & (uint32_t)(cap - 1);
			while (idx[k])
				k = (k + 1) & (uint32_t)(cap - 1);
			idx[k] = (uint32_t)i + 1;
		}
		free(plan->string_index);
		plan->string_index = idx;
		plan->index_cap = cap;
	}
	for (h = str_hash(s) & (uint32_t)(plan->index_cap - 1); plan->string_index[h];
	     h = (h + 1) & (uint32_t)(plan->index_cap - 1)) {
		char *c = plan->strings[plan->string_index[h] - 1];
		if (strcmp(c, s) == 0) {
			*out = c;
			return 0;
		}
	}
	if (!(plan->strings[plan->nstrings] = strdup(s)))
		return -ENOMEM;
	plan->string_index[h] = (uint32_t)++plan->nstrings;
	*out = plan->strings[plan->nstrings - 1];
	return 0;
}
