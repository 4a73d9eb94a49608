/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The musl CLI's allocation front.  build/stockade is linked with
 * -Wl,--wrap for each name below, so every malloc() in the static link,
 * libc's and the three libraries' included, lands here first; __real_*
 * is the allocator behind (mimalloc, see scripts/musl-deps.sh).
 *
 * Why: `stockade run` with a built-in preset makes ~300 allocations of
 * ~40 different sizes, then execs the command and the image is gone.  A
 * size-class allocator gives each size its own page, so those ~40 sizes
 * cost ~40 first-touch page faults, and mimalloc initialises itself too
 * (a 32 MiB reservation, /proc and /sys probes): ~0.1 ms of the 0.5 ms
 * start-up budget in a VM.  Here the first ARENA_SIZE bytes are handed out
 * in order from one zeroed static array, so small blocks share pages, and
 * mimalloc is not touched at all on that path.
 *
 * Arena blocks are never reused: free() of one does nothing, and realloc()
 * grows one in place only when it is the last block handed out.  That
 * waste is bounded by ARENA_SIZE; what does not fit (a supervisor's long
 * run) goes to the allocator behind, whose blocks free() and realloc()
 * recognise by their address.  A process about to recycle memory fast
 * stops the arena first (sk_arena_stop(): the CLI does, before it parses a
 * policy file or builds a plan), or its first 384 KiB would cost a page
 * fault per page where the allocator behind reuses a few hot ones.
 *
 * Only for a static link: with shared libraries, a library's own malloc
 * calls would bypass the wrap and its free() would get arena pointers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

/* Big enough for a preset run (~190 KiB, most of it directory-listing
 * buffers that are mostly untouched), for one that keeps a supervisor to
 * mediate (~280 KiB: its notifying filter is compiled, not the preset's;
 * at 256 KiB mimalloc's start cost it 0.1 ms) and for a policy-file run on
 * a preset (~400 KiB: libyaml's 64 KiB of buffers, the preset's layer, a
 * plan built): an untouched page of it costs nothing. */
#define ARENA_SIZE (512 * 1024)
#define ALIGN alignof(max_align_t)

/* Each block: its size in a header of ALIGN bytes, then the bytes. */
struct header {
	alignas(max_align_t) size_t size;
};

static alignas(max_align_t) unsigned char arena[ARENA_SIZE];
static size_t arena_used; /* bytes handed out, headers included; grows only */
/* Closed by sk_arena_stop(), or when less than a 64th is left: from then
 * on an allocation goes straight to the allocator behind. */
static bool arena_closed;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;
static bool real_ready; /* real_init() has run: spares a call per allocation */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *ptr, size_t size);
void __real_free(void *ptr);
size_t __real_malloc_usable_size(void *ptr);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
void *__wrap_reallocarray(void *ptr, size_t n, size_t size);
void __wrap_free(void *ptr);
size_t __wrap_malloc_usable_size(void *ptr);

bool sk_arena_owns(const void *ptr)
{
	return (const unsigned char *)ptr >= arena && (const unsigned char *)ptr < arena + ARENA_SIZE;
}

static size_t footprint(size_t size)
{
	return sizeof(struct header) + ((size + ALIGN - 1) & ~(ALIGN - 1));
}

static struct header *header_of(void *ptr)
{
	return (struct header *)ptr - 1;
}

/* The allocator behind initialises on its first call, which is then the
 * first call of every thread that gets there at once (a supervisor's
 * helper thread and the main thread): make that first call once. */
static void real_init(void)
{
	__real_free(__real_malloc(1));
	__atomic_store_n(&real_ready, true, __ATOMIC_RELEASE);
}

static void real_start(void)
{
	if (!__atomic_load_n(&real_ready, __ATOMIC_ACQUIRE))
		pthread_once(&real_once, real_init);
}

static bool arena_open(void)
{
	return !__atomic_load_n(&arena_closed, __ATOMIC_RELAXED);
}

static void *arena_take(size_t size)
{
	size_t need, used;

	if (size > ARENA_SIZE)
		return NULL;
	need = footprint(size);
	used = __atomic_load_n(&arena_used, __ATOMIC_RELAXED);
	while (need <= ARENA_SIZE - used) {
		if (__atomic_compare_exchange_n(&arena_used, &used, used + need, true, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED)) {
			struct header *h = (struct header *)(void *)(arena + used);
			h->size = size;
			return h + 1;
		}
	}
	if (ARENA_SIZE - used < ARENA_SIZE / 64)
		__atomic_store_n(&arena_closed, true, __ATOMIC_RELAXED);
	return NULL;
}

/* Grow the last block handed out, in place. */
static bool arena_grow(void *ptr, size_t size)
{
	struct header *h = header_of(ptr);
	size_t start = (size_t)((unsigned char *)h - arena);
	size_t end = start + footprint(h->size);

	if (!arena_open() || size > ARENA_SIZE || footprint(size) > ARENA_SIZE - start)
		return false;
	if (!__atomic_compare_exchange_n(&arena_used, &end, start + footprint(size), false, __ATOMIC_RELAXED,
					 __ATOMIC_RELAXED))
		return false;
	h->size = size;
	return true;
}

void *__wrap_malloc(size_t size)
{
	void *ptr;

	if (arena_open() && (ptr = arena_take(size)))
		return ptr;
	real_start();
	return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	size_t total;
	void *ptr;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	/* Arena bytes are handed out once, and the array starts zeroed. */
	if (arena_open() && (ptr = arena_take(total)))
		return ptr;
	real_start();
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *ptr, size_t size)
{
	void *moved;
	size_t old;

	if (!ptr)
		return __wrap_malloc(size);
	if (!sk_arena_owns(ptr))
		return __real_realloc(ptr, size);
	old = header_of(ptr)->size;
	if (size <= old || arena_grow(ptr, size))
		return ptr;
	if (!(moved = __wrap_malloc(size)))
		return NULL;
	memcpy(moved, ptr, old);
	return moved;
}

void *__wrap_reallocarray(void *ptr, size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return __wrap_realloc(ptr, total);
}

void __wrap_free(void *ptr)
{
	if (!sk_arena_owns(ptr))
		__real_free(ptr);
}

size_t __wrap_malloc_usable_size(void *ptr)
{
	if (!ptr)
		return 0;
	return sk_arena_owns(ptr) ? header_of(ptr)->size : __real_malloc_usable_size(ptr);
}

void sk_arena_stop(void)
{
	__atomic_store_n(&arena_closed, true, __ATOMIC_RELAXED);
}

size_t sk_arena_size(void)
{
	return ARENA_SIZE;
}

size_t sk_arena_used(void)
{
	return __atomic_load_n(&arena_used, __ATOMIC_RELAXED);
}
