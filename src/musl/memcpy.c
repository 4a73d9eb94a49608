/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * memcpy() for the musl CLI, in front of musl's (-Wl,--wrap=memcpy, as the
 * allocation front of arena.c): every memcpy() of the static link, libc's
 * own (printf's output, strdup, realpath) and the compilers' included,
 * lands here.
 *
 * Why: musl's x86_64 memcpy is `rep movsq` for every size, and a string
 * instruction costs ~30 ns to start on the VMs this runs in (no fast short
 * `rep`), whatever it copies; glibc's takes ~2 ns for a short copy.  A
 * `stockade run` makes ~2800 copies, nearly all under 100 bytes: ~80 us of
 * a start.  Short copies go by words here, long ones to musl's, for which
 * the start no longer matters.  Forward, as musl's: code that (wrongly)
 * copies onto an overlapping later address gets what it got before.
 *
 * The empty asm in the loops keeps the compiler from seeing a copy loop
 * and calling memcpy() for it, which would come back here.
 */
#include <stddef.h>
#include <stdint.h>

#define SHORT_COPY 512

typedef uint64_t __attribute__((may_alias, aligned(1))) word;

void *__real_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *__wrap_memcpy(void *restrict dst, const void *restrict src, size_t n);

void *__wrap_memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	size_t i = 0;

	if (n >= SHORT_COPY)
		return __real_memcpy(dst, src, n);
	for (; i + sizeof(word) <= n; i += sizeof(word)) {
		*(word *)(void *)(d + i) = *(const word *)(const void *)(s + i);
		__asm__("" : "+r"(i));
	}
	for (; i < n; i++) {
		d[i] = s[i];
		__asm__("" : "+r"(i));
	}
	return dst;
}
