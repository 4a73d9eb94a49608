/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every stage uses: ownership helpers, the error object, input files,
 * and argument conditions with their set algebra (region.c).  Not installed. */
#ifndef STOCKADE_INTERNAL_H
#define STOCKADE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "stockade.h"

/* ---- ownership helpers (systemd / bubblewrap style) ---- */

static inline void sk_freep(void *p)
{
	free(*(void **)p);
}
static inline void sk_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_free_ __attribute__((cleanup(sk_freep)))
#define _cleanup_close_ __attribute__((cleanup(sk_closep)))

/* Hand ownership on: returns the pointer and clears the variable. */
#define steal_pointer(pp)                                                                                      \
	({                                                                                                     \
		__typeof__(*(pp)) _p = *(pp);                                                                  \
		*(pp) = NULL;                                                                                  \
		_p;                                                                                            \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Append n bytes to the malloc'd *p of *len bytes (*cap allocated; the
 * first allocation is `first` bytes, then it doubles).  0, or -ENOMEM with
 * *p unchanged (blob.c). */
int sk_bytes_append(unsigned char **p, size_t *len, size_t *cap, size_t first, const void *data, size_t n);

/* FNV-1a over 8-byte words, then the tail bytes (blob.c): the
 * fingerprints of the compiled-in presets and blobs.  Not for secrets. */
uint64_t sk_hash64(uint64_t h, const void *data, size_t n);

/* ---- errors (error.c) ---- */

/* Fill *err (if err != NULL) and return -status.  printf-style message. */
int sk_error(stockade_error **err, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, located in a file; `src` is the whole file text (may be NULL). */
int sk_error_at(stockade_error **err, int status, const char *file, const char *src, int line, int column,
		const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Prefix the existing message with "context: ".  Returns -(*err)->status. */
int sk_error_wrap(stockade_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Attach a hint (replaces any previous one). */
void sk_error_hint(stockade_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- input files (file.c) ---- */

/*
 * Read the regular file `path`, at most `max` bytes, into a NUL-terminated
 * *out (free it) of *len bytes.  `what` names it in errors ("policy",
 * "OCI profile").  0, or a negative errno with *err filled.
 */
int sk_read_file(const char *path, const char *what, size_t max, char **out, size_t *len, stockade_error **err);
/* Write all of buf to fd, past EINTR and short writes; 0 or -errno. */
int sk_write_all(int fd, const void *buf, size_t len);

/* `pat` (`*`, `?`, letters; a bracket or escape goes to fnmatch) matches
 * `name`, ignoring ASCII case: as fnmatch(pat, name, FNM_CASEFOLD) == 0. */
bool sk_glob_casefold(const char *pat, const char *name);
/* The same with the pattern looked at once, for matching many names: the
 * environment rules run every variable against every pattern. */
struct sk_glob {
	const char *pat, *lit; /* lit: the pattern's letters, for the forms below */
	size_t len;
	int form; /* SK_GLOB_* of glob.c */
	char upper[48]; /* lit in upper case, where it fits (len < 48) */
	uint64_t needs; /* sk_glob_letters() of upper: what a matching name holds */
};
void sk_glob_compile(struct sk_glob *g, const char *pat);
/* name_len: strlen(name). */
bool sk_glob_match(const struct sk_glob *g, const char *name, size_t name_len);
/* The same, given name in upper case too (name_upper, name_len bytes): a
 * caller matching one name against many patterns folds it once. */
bool sk_glob_match_upper(const struct sk_glob *g, const char *name, const char *name_upper, size_t name_len);
/* The characters of an upper-case string, one bit each (letters, digits,
 * `_`, the rest together): a pattern's literal whose bits a name lacks
 * cannot match it. */
uint64_t sk_glob_letters(const char *upper, size_t len);
/* ASCII upper case of name into out (size bytes); false if it does not fit. */
bool sk_glob_upper(const char *name, size_t name_len, char *out, size_t size);

/* ---- argument conditions (region.c) ---- */

enum sk_op {
	SK_OP_EQ = 0,
	SK_OP_NE,
	SK_OP_LT,
	SK_OP_LE,
	SK_OP_GT,
	SK_OP_GE,
	SK_OP_MASKED_EQ, /* (arg & mask) == value */
};

struct sk_cond {
	uint8_t arg; /* 0..5 */
	uint8_t op;  /* enum sk_op */
	uint64_t mask;
	uint64_t value;
};

#define SK_MAX_ARGS 6

/* A conjunction of conditions, at most one per argument, sorted by arg. */
struct sk_term {
	uint8_t n;
	struct sk_cond c[SK_MAX_ARGS];
};

/* A union of terms (they may overlap). */
struct sk_region {
	struct sk_term *terms;
	size_t n, cap;
};

bool sk_cond_match(const struct sk_cond *c, const uint64_t args[SK_MAX_ARGS]);
bool sk_term_match(const struct sk_term *t, const uint64_t args[SK_MAX_ARGS]);
bool sk_region_match(const struct sk_region *r, const uint64_t args[SK_MAX_ARGS]);

/* Build a term from up to SK_MAX_ARGS conditions (any order; conditions on
 * the same argument are intersected).  *empty is set if it can never match.
 * May produce several terms (a region) when an intersection is not a single
 * libseccomp comparison.  Returns 0 or -ENOMEM / -E2BIG. */
int sk_region_from_conds(struct sk_region *out, const struct sk_cond *conds, size_t n);
/* The region matching everything (one empty term). */
int sk_region_all(struct sk_region *out);
/* r := r \ t (set difference with one term). */
int sk_region_subtract(struct sk_region *r, const struct sk_term *t);
/* r := r ∩ t */
int sk_region_intersect(struct sk_region *r, const struct sk_term *t);
void sk_region_clear(struct sk_region *r);
/* Restrict a condition to arguments that fit in 32 bits (what a 32-bit ABI
 * hands seccomp): 1 keep (rewritten), 0 always holds, -1 never holds. */
int sk_cond_restrict32(struct sk_cond *c);
int sk_region_copy(struct sk_region *dst, const struct sk_region *src);

/* Upper bound on terms a region may grow to while it is being computed, and
 * on the terms one syscall may compile to (each is a libseccomp rule). */
#define SK_REGION_MAX_WORK 8192
#define SK_REGION_MAX_TERMS 256

/* Argument rules, after each `& MASK` with several bits became one rule per
 * bit: at most this many in a policy (all layers), and per syscall.  Compile
 * time grows with the square of the rules of one syscall, and a seccomp
 * filter holds at most 4096 instructions anyway. */
#define SK_MAX_PLAN_RULES 4096
#define SK_MAX_SYSCALL_RULES 1024

/* ---- "did you mean" (suggest.c) ---- */

/* Feed candidates one by one, for names kept in tables of structs; `best` is
 * then the one stockade_suggest() would return, or NULL.  It points into the
 * candidates, which the caller keeps alive. */
struct sk_suggest {
	const char *word;
	const char *best;
	size_t best_d; /* edits from word to best; 0: nothing can beat it */
};
void sk_suggest_init(struct sk_suggest *s, const char *word);
void sk_suggest_add(struct sk_suggest *s, const char *candidate);
/* Optimal string alignment distance (transpositions count one edit);
 * SIZE_MAX when it cannot allocate. */
size_t sk_edit_distance(const char *a, const char *b);

#endif
