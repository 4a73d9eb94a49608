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

bool sk_glob_casefold(const char *pat, const char *name)
{
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
