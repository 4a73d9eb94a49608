/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The blobs of compiled-in presets: written into a growing buffer, and
 * their fingerprints (base.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

uint64_t sk_hash64(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, sizeof(w));
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

int sk_bytes_append(unsigned char **p, size_t *len, size_t *cap, size_t first, const void *data, size_t n)
{
	if (*len + n > *cap) {
		size_t c = *cap ? *cap : first;
		unsigned char *np;

		while (c < *len + n)
			c *= 2;
		if (!(np = realloc(*p, c)))
			return -ENOMEM;
		*p = np;
		*cap = c;
	}
	memcpy(*p + *len, data, n);
	*len += n;
	return 0;
}
