/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Name patterns as policies write them (`environment:`'s `*_TOKEN`): `*`,
 * `?` and letters, matched without regard to ASCII case.  A linear match
 * with one backtrack point: musl's fnmatch spends ~60 instructions a
 * character, and the environment rules run every variable against every
 * pattern at each start.  A bracket expression or an escape met on the way
 * hands the whole match to fnmatch(FNM_CASEFOLD), which this agrees with
 * (tests/unit/test_glob.c checks it against fnmatch).
 */
#include <fnmatch.h>
#include <string.h>

#include "base/base.h"

static int fold(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

static bool same_folded(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
			return false;
	return true;
}

/* The policies' patterns are nearly all a name, `*NAME`, `NAME*` or
 * `*NAME*`: those are an equality, a suffix, a prefix or a substring,
 * told apart by one pass over the pattern.  1: matches, 0: does not,
 * -1: some other pattern. */
static int literal_match(const char *pat, const char *name)
{
	bool lead = pat[0] == '*', trail = false;
	const char *lit = pat + lead;
	size_t len = 0, nl;

	for (;; len++) {
		char c = lit[len];

		if (!c)
			break;
		if (c == '*' && !lit[len + 1]) {
			trail = true;
			break;
		}
		if (c == '*' || c == '?' || c == '[' || c == '\\')
			return -1;
	}
	nl = strlen(name);
	if (nl < len)
		return 0;
	if (!lead)
		return (trail || nl == len) && same_folded(lit, name, len);
	if (!trail)
		return same_folded(lit, name + nl - len, len);
	for (size_t i = 0; i + len <= nl; i++)
		if (same_folded(lit, name + i, len))
			return 1;
	return 0;
}

bool sk_glob_casefold(const char *pat, const char *name)
{
	int lit = literal_match(pat, name);

	if (lit >= 0)
		return lit;
	const char *star = NULL, *resume = NULL, *const pat0 = pat, *const name0 = name;

	while (*name) {
		if (*pat == '[' || *pat == '\\')
			return fnmatch(pat0, name0, FNM_CASEFOLD) == 0;
		if (*pat == '*') {
			star = pat++;
			resume = name;
		} else if (*pat && (*pat == '?' || fold((unsigned char)*pat) == fold((unsigned char)*name))) {
			pat++;
			name++;
		} else if (star) {
			pat = star + 1;
			name = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}
