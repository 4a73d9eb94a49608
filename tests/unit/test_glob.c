/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tier: sk_glob_casefold() and sk_glob_match_upper() (base/glob.c),
 * the environment rules' matcher, agree with fnmatch(FNM_CASEFOLD) on the policies' patterns and
 * on random patterns and names over a small alphabet.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "base/base.h"

static void check_one(const char *pat, const char *name)
{
	bool want = fnmatch(pat, name, FNM_CASEFOLD) == 0;
	struct sk_glob g;
	char up[64];
	size_t n = strlen(name);

	CHECK_MSG(sk_glob_casefold(pat, name) == want, "pattern %s, name %s: fnmatch says %d", pat, name, want);
	/* The form given the name folded once (the environment rules'). */
	sk_glob_compile(&g, pat);
	CHECK(sk_glob_upper(name, n, up, sizeof(up)));
	CHECK_MSG(sk_glob_match_upper(&g, name, up, n) == want, "pattern %s, name %s (upper %s): fnmatch says %d",
		  pat, name, up, want);
	/* The letters prefilter never turns a match away. */
	if (want)
		CHECK_MSG(!(g.needs & ~sk_glob_letters(up, n)), "pattern %s, name %s: the letters test rejects a match",
			  pat, name);
}

TEST(glob_matches_like_fnmatch)
{
	static const char *const pats[] = { "*_TOKEN", "*SECRET*", "AWS_*", "GITHUB_TOKEN", "*", "", "a*b*c", "?",
					    "*?", "**x", "[ab]*", "x\\*" };
	static const char *const names[] = { "GITHUB_TOKEN", "github_token", "MY_SECRET_THING", "aws_region",
					     "PATH", "", "abc", "aXbYc", "x*", "xx", "_TOKEN", "TOKEN" };

	for (size_t i = 0; i < sizeof(pats) / sizeof(*pats); i++)
		for (size_t j = 0; j < sizeof(names) / sizeof(*names); j++)
			check_one(pats[i], names[j]);
}

TEST(glob_random_agrees_with_fnmatch)
{
	static const char alpha_pat[] = "aAb*?_";
	static const char alpha_name[] = "aAbB_";
	unsigned seed = 12345;

	for (int round = 0; round < 20000; round++) {
		char pat[8], name[10];
		int pl = rand_r(&seed) % 7, nl = rand_r(&seed) % 9;

		for (int i = 0; i < pl; i++)
			pat[i] = alpha_pat[rand_r(&seed) % (sizeof(alpha_pat) - 1)];
		pat[pl] = '\0';
		for (int i = 0; i < nl; i++)
			name[i] = alpha_name[rand_r(&seed) % (sizeof(alpha_name) - 1)];
		name[nl] = '\0';
		check_one(pat, name);
	}
}
