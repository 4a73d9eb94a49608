/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The musl CLI's allocation front (arena.c).  malloc() and friends reach
 * it through the linker's --wrap; these are for the CLI and the test.
 */
#ifndef STOCKADE_ARENA_H
#define STOCKADE_ARENA_H

#include <stdbool.h>
#include <stddef.h>

/* Hand every allocation from now on to the allocator behind. */
void sk_arena_stop(void);
/* The arena's size, and how much of it has been handed out. */
size_t sk_arena_size(void);
size_t sk_arena_used(void);
/* Whether ptr is an arena block (else the allocator behind owns it). */
bool sk_arena_owns(const void *ptr);

#endif
