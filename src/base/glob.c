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
#include <stdbool.h>
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
 * `*NAME*`: those are an equality, a suffix, a prefix or a substring, told
 * apart by one pass over the pattern. */
enum { SK_GLOB_OTHER, SK_GLOB_EXACT, SK_GLOB_SUFFIX, SK_GLOB_PREFIX, SK_GLOB_INNER };

void sk_glob_compile(struct sk_glob *g, const char *pat)
{
	bool lead = pat[0] == '*', trail = false;
	const char *lit = pat + lead;
	size_t len = 0;

	*g = (struct sk_glob){ .pat = pat, .form = SK_GLOB_OTHER };
	for (;; len++) {
		char c = lit[len];

		if (!c)
			break;
		if (c == '*' && !lit[len + 1]) {
			trail = true;
			break;
		}
		if (c == '*' || c == '?' || c == '[' || c == '\\')
			return;
	}
	g->lit = lit;
	g->len = len;
	g->form = lead ? (trail ? SK_GLOB_INNER : SK_GLOB_SUFFIX) : (trail ? SK_GLOB_PREFIX : SK_GLOB_EXACT);
	if (len < sizeof(g->upper)) {
		sk_glob_upper(lit, len, g->upper, sizeof(g->upper));
		g->needs = sk_glob_letters(g->upper, len);
	}
}

uint64_t sk_glob_letters(const char *s, size_t n)
{
	uint64_t m = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		m |= 1ULL << (c >= 'A' && c <= 'Z' ? c - 'A' : c >= '0' && c <= '9' ? 26 + c - '0' : c == '_' ? 36 : 37);
	}
	return m;
}

bool sk_glob_upper(const char *name, size_t n, char *out, size_t size)
{
	if (n >= size)
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)fold((unsigned char)name[i]);
	out[n] = '\0';
	return true;
}

/* Equal, len bytes (len >= 1): the first byte inline, as most
 * comparisons end there. */
static inline bool same(const char *a, const char *b, size_t len)
{
	return a[0] == b[0] && !memcmp(a + 1, b + 1, len - 1);
}

bool sk_glob_match_upper(const struct sk_glob *g, const char *name, const char *up, size_t nl)
{
	size_t len = g->len;

	if (g->form == SK_GLOB_OTHER || len >= sizeof(g->upper))
		return sk_glob_match(g, name, nl);
	if (nl < len)
		return false;
	if (!len)
		return g->form != SK_GLOB_EXACT || !nl;
	switch (g->form) {
	case SK_GLOB_EXACT:
		return nl == len && same(g->upper, up, len);
	case SK_GLOB_PREFIX:
		return same(g->upper, up, len);
	case SK_GLOB_SUFFIX:
		return same(g->upper, up + nl - len, len);
	default: /* SK_GLOB_INNER */
		for (size_t i = 0; i + len <= nl; i++)
			if (same(g->upper, up + i, len))
				return true;
		return false;
	}
}

static bool general(const char *pat, const char *name);

bool sk_glob_match(const struct sk_glob *g, const char *name, size_t nl)
{
	size_t len = g->len;

	switch (g->form) {
	case SK_GLOB_EXACT:
		return nl == len && same_folded(g->lit, name, len);
	case SK_GLOB_PREFIX:
		return nl >= len && same_folded(g->lit, name, len);
	case SK_GLOB_SUFFIX:
		return nl >= len && same_folded(g->lit, name + nl - len, len);
	case SK_GLOB_INNER:
		if (!len)
			return true;
		for (size_t i = 0; i + len <= nl; i++)
			if (fold((unsigned char)name[i]) == fold((unsigned char)g->lit[0]) &&
			    same_folded(g->lit + 1, name + i + 1, len - 1))
				return true;
		return false;
	default:
		return general(g->pat, name);
	}
}

bool sk_glob_casefold(const char *pat, const char *name)
{
	struct sk_glob g;

	sk_glob_compile(&g, pat);
	return sk_glob_match(&g, name, g.form == SK_GLOB_OTHER ? 0 : strlen(name));
}

/* Any other pattern: a linear match with one backtrack point. */
static bool general(const char *pat, const char *name)
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
