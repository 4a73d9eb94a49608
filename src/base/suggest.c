/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * "Did you mean": one closeness rule for every name a user can mistype,
 * syscalls, groups, presets, constants, policy and OCI keys, and the CLI's
 * commands and options, so the same typo gets the same answer everywhere.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/base.h"

/*
 * Typos worth correcting stay within a third of the word, but never demand
 * fewer than two edits: short names have little room, and a transposed pair
 * ("rnu" for "run") is already one.
 */
static size_t suggest_limit(const char *word)
{
	size_t third = strlen(word) / 3;

	return third > 2 ? third : 2;
}

void sk_suggest_init(struct sk_suggest *s, const char *word)
{
	s->word = word;
	s->best = NULL;
	/* An empty word is close to every short name: suggest nothing. */
	s->best_d = word && *word ? suggest_limit(word) + 1 : 0;
}

void sk_suggest_add(struct sk_suggest *s, const char *candidate)
{
	size_t d;

	/* best_d 0: no word, or a case-only match, which nothing beats. */
	if (!candidate || s->best_d == 0)
		return;
	/* Wrong case is the most likely mistake of all ("af_inet" is six
	 * edits from AF_INET but obviously meant). */
	if (strcasecmp(candidate, s->word) == 0) {
		if (strcmp(candidate, s->word) != 0) {
			s->best = candidate;
			s->best_d = 0;
		}
		return;
	}
	/* Strictly smaller keeps the first of equals, so the answer does not
	 * depend on anything but the order of the candidates.  A name the word
	 * shares nothing with is no suggestion ("--x" is two edits from "-h"). */
	d = sk_edit_distance(s->word, candidate);
	if (d > 0 && d < s->best_d && d < strlen(candidate)) {
		s->best = candidate;
		s->best_d = d;
	}
}

const char *stockade_suggest(const char *word, const char *const *candidates, size_t n)
{
	struct sk_suggest s;

	sk_suggest_init(&s, word);
	for (size_t i = 0; candidates && i < n && candidates[i]; i++)
		sk_suggest_add(&s, candidates[i]);
	return s.best;
}

#define MIN3(a, b, c) ((a) < (b) ? ((a) < (c) ? (a) : (c)) : ((b) < (c) ? (b) : (c)))

/*
 * Optimal string alignment distance: Levenshtein (insert, delete,
 * substitute) plus swapping two adjacent characters as one edit, the most
 * common typing slip ("mmpa" for "mmap").  Three rolling rows; returns
 * SIZE_MAX if the rows cannot be allocated, which callers treat as "far".
 */
size_t sk_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d;
	size_t stack[3 * 65];
	size_t *buf = stack, *prev2, *prev, *cur, *t;

	if (lb + 1 > ARRAY_SIZE(stack) / 3) {
		if (lb >= SIZE_MAX / (3 * sizeof(size_t)))
			return SIZE_MAX;
		buf = malloc(3 * (lb + 1) * sizeof(size_t));
		if (!buf)
			return SIZE_MAX;
	}
	prev2 = buf;
	prev = buf + (lb + 1);
	cur = buf + 2 * (lb + 1);

	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];

			cur[j] = MIN3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
		/* Rotate: prev2 <- prev <- cur, reuse the oldest row. */
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	d = prev[lb];
	if (buf != stack)
		free(buf);
	return d;
}
