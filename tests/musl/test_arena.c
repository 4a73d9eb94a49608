/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The musl CLI's allocation front (src/musl/arena.c), linked as the CLI is:
 * statically against musl and mimalloc, with the same -Wl,--wrap list.  The
 * arena is process-wide and only fills, so the tests run in this order:
 * small blocks first, then threads that fill it, then what lies beyond.
 */
#define HARNESS_MAIN
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"
#include "../harness.h"

static bool aligned(const void *p)
{
	return ((uintptr_t)p & (alignof(max_align_t) - 1)) == 0;
}

static bool all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

TEST(small_blocks_share_pages)
{
	size_t before = sk_arena_used();
	char *a = malloc(24), *b = malloc(40);

	CHECK(a && b && a != b);
	CHECK(sk_arena_owns(a) && sk_arena_owns(b));
	CHECK(aligned(a) && aligned(b));
	/* handed out in order, a header apart: on one page, not one page per size */
	CHECK(b > a && (size_t)(b - a) <= 64);
	CHECK(sk_arena_used() > before);
	CHECK(malloc_usable_size(a) >= 24);
	memset(a, 'a', 24);
	memset(b, 'b', 40);
	CHECK(all_bytes((unsigned char *)a, 24, 'a'));
	free(a);
	free(b);
	free(NULL);
	void *z = malloc(0);
	CHECK(z && sk_arena_owns(z));
	free(z);
}

TEST(calloc_zeroes_and_checks_overflow)
{
	unsigned char *p = calloc(100, 3);

	CHECK(p && sk_arena_owns(p) && all_bytes(p, 300, 0));
	free(p);
	volatile size_t half = SIZE_MAX / 2; /* (a constant, gcc would flag at build time) */

	errno = 0;
	CHECK(calloc(half, 3) == NULL);
	CHECK_INT_EQ(errno, ENOMEM);
}

TEST(realloc_grows_the_last_block_in_place)
{
	char *p = malloc(100), *q;

	memcpy(p, "0123456789abcdef", 16);
	q = realloc(p, 200);
	CHECK(q == p);
	CHECK(memcmp(q, "0123456789abcdef", 16) == 0);
	CHECK(malloc_usable_size(q) >= 200);
	uintptr_t at = (uintptr_t)q;
	q = realloc(q, 8); /* shrinking keeps the block */
	CHECK((uintptr_t)q == at);
	free(q);
}

TEST(realloc_moves_an_earlier_block)
{
	char *p = malloc(32), *q;
	/* a block after p, kept where the compiler cannot drop it */
	static char *volatile after;
	volatile size_t half = SIZE_MAX / 2;

	after = malloc(8);
	memset(p, 'x', 32);
	uintptr_t at = (uintptr_t)p;
	q = realloc(p, 4000);
	CHECK(q && (uintptr_t)q != at && sk_arena_owns(q));
	CHECK(all_bytes((unsigned char *)q, 32, 'x'));
	free(q);
	free(after);
	q = realloc(NULL, 10);
	CHECK(q && sk_arena_owns(q));
	errno = 0;
	CHECK(reallocarray(q, half, 3) == NULL);
	CHECK_INT_EQ(errno, ENOMEM);
	free(q);
}

/* The wrap covers libc too: musl's own strdup() and getline() allocate
 * through it, and their blocks can be freed and grown like ours. */
TEST(libc_allocates_through_the_arena)
{
	char *s = strdup("stockade");
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fmemopen((char[]){ "a line of text\nsecond\n" }, 22, "r");

	CHECK(s && sk_arena_owns(s) && strcmp(s, "stockade") == 0);
	free(s);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(getline(&line, &cap, f) == 15);
	CHECK(line && strcmp(line, "a line of text\n") == 0);
	CHECK(getline(&line, &cap, f) == 7);
	free(line);
	fclose(f);
}

/* In a child, so the arena stays open for the tests after this one. */
TEST(a_stopped_arena_hands_out_nothing)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		void *before = malloc(16);
		size_t used = sk_arena_used();
		sk_arena_stop();
		void *after = malloc(16);
		char *grown = realloc(before, 64);
		_exit(sk_arena_owns(before) && !sk_arena_owns(after) && !sk_arena_owns(grown) &&
		      sk_arena_used() == used ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", (unsigned)status);
}

/* In a child too: it takes the whole arena. */
TEST(the_last_block_grows_to_the_end_and_no_further)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		char *p = malloc(16);
		size_t room = sk_arena_size() - sk_arena_used() + 16; /* p's bytes and all after them */
		char *q = realloc(p, room);
		bool full = q == p && sk_arena_used() == sk_arena_size();
		char *r = realloc(q, room + 1);
		_exit(full && r && r != q && !sk_arena_owns(r) && sk_arena_used() == sk_arena_size() ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %#x", (unsigned)status);
}

#define THREADS 4
#define PER_THREAD 6000

struct filler {
	unsigned char tag;
	unsigned char *blocks[PER_THREAD];
	size_t sizes[PER_THREAD];
	int failed;
};

static void *fill(void *arg)
{
	struct filler *f = arg;

	for (size_t i = 0; i < PER_THREAD; i++) {
		size_t n = 8 + (i * 7 + f->tag) % 90;
		unsigned char *p = malloc(n);

		if (!p) {
			f->failed++;
			continue;
		}
		memset(p, f->tag, n);
		f->blocks[i] = p;
		f->sizes[i] = n;
		if (i % 3 == 0) { /* some grow, wherever they live */
			unsigned char *q = realloc(p, n + 40);
			if (!q) {
				f->failed++;
				continue;
			}
			memset(q + n, f->tag, 40);
			f->blocks[i] = q;
			f->sizes[i] = n + 40;
		}
	}
	return NULL;
}

/* Four threads allocate ~1.5 MiB at once: past the arena's end, into the
 * allocator behind, which they reach for the first time together. */
TEST(threads_fill_the_arena_without_overlap)
{
	static struct filler fillers[THREADS];
	pthread_t t[THREADS];
	size_t in_arena = 0, behind = 0;

	for (int i = 0; i < THREADS; i++) {
		fillers[i].tag = (unsigned char)('A' + i);
		CHECK(pthread_create(&t[i], NULL, fill, &fillers[i]) == 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < THREADS; i++) {
		struct filler *f = &fillers[i];
		CHECK_INT_EQ(f->failed, 0);
		for (size_t k = 0; k < PER_THREAD; k++) {
			if (!f->blocks[k])
				continue;
			CHECK_MSG(all_bytes(f->blocks[k], f->sizes[k], f->tag), "thread %d block %zu overwritten", i, k);
			if (sk_arena_owns(f->blocks[k]))
				in_arena++;
			else
				behind++;
			free(f->blocks[k]);
		}
	}
	CHECK(in_arena > 0 && behind > 0);
	CHECK(sk_arena_used() <= sk_arena_size());
	/* It closes when less than a 64th is left: no more CAS loops then. */
	CHECK_MSG(sk_arena_size() - sk_arena_used() < sk_arena_size() / 64, "%zu bytes left in the arena",
		  sk_arena_size() - sk_arena_used());
}

TEST(beyond_the_arena)
{
	char *p = malloc(100), *q;
	unsigned char *z;

	if (!p) {
		CHECK(p != NULL);
		return;
	}
	memset(p, 'p', 100);
	CHECK(!sk_arena_owns(p));
	q = realloc(p, 100000);
	CHECK(q && all_bytes((unsigned char *)q, 100, 'p'));
	free(q);
	z = calloc(1000, 8);
	CHECK(z && !sk_arena_owns(z) && all_bytes(z, 8000, 0));
	free(z);
	CHECK(malloc_usable_size(NULL) == 0);
}

/* src/musl/memcpy.c, behind the same link's --wrap=memcpy: every size on
 * both sides of its switch to musl's, at every alignment, and the bytes
 * around the copy left alone.  (Compiled with -fno-builtin: these are
 * calls, as libc's own are.) */
TEST(memcpy_copies_every_size_and_alignment)
{
	static unsigned char src[1200], dst[1200];
	void *(*volatile copy)(void *, const void *, size_t) = memcpy;
	bool ok = true;

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 1);
	for (size_t n = 0; n <= 1040 && ok; n++)
		for (size_t so = 0; so < 8 && ok; so++)
			for (size_t d = 0; d < 8 && ok; d++) {
				memset(dst, 0xee, sizeof(dst));
				ok = copy(dst + 16 + d, src + so, n) == dst + 16 + d &&
				     all_bytes(dst, 16 + d, 0xee) && all_bytes(dst + 16 + d + n, 64, 0xee);
				for (size_t k = 0; k < n && ok; k++)
					ok = dst[16 + d + k] == src[so + k];
				CHECK_MSG(ok, "memcpy of %zu bytes, source offset %zu, destination offset %zu", n, so, d);
			}
}
