/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fingerprints of compiled-in presets and their blobs (base.h). */
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
