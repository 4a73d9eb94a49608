/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A tiny test harness: each TEST is a function, registered at load time; the
 * runner calls them in order and ends with "N passed, N failed[, N skipped]".
 * A test fails if any CHECK fails; SKIP(reason) marks it skipped and says why.
 * Usage: one file per tier defines tests and includes harness.h; exactly one
 * translation unit per binary defines HARNESS_MAIN before including it.
 */
#ifndef STOCKADE_TEST_HARNESS_H
#define STOCKADE_TEST_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct harness_test {
	const char *name;
	void (*fn)(void);
	struct harness_test *next;
};

extern struct harness_test *harness_head, **harness_tail;
extern int harness_failed_checks;
extern const char *harness_skip_reason;

void harness_register(struct harness_test *t);

#define TEST(name)                                                                                             \
	static void test_##name(void);                                                                         \
	static struct harness_test harness_t_##name = { #name, test_##name, NULL };                            \
	__attribute__((constructor)) static void harness_reg_##name(void)                                      \
	{                                                                                                      \
		harness_register(&harness_t_##name);                                                           \
	}                                                                                                      \
	static void test_##name(void)

#define CHECK(cond)                                                                                            \
	do {                                                                                                   \
		if (!(cond)) {                                                                                 \
			fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);             \
			harness_failed_checks++;                                                               \
		}                                                                                              \
	} while (0)

#define CHECK_MSG(cond, ...)                                                                                   \
	do {                                                                                                   \
		if (!(cond)) {                                                                                 \
			fprintf(stderr, "  %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);             \
			fprintf(stderr, __VA_ARGS__);                                                          \
			fputc('\n', stderr);                                                                   \
			harness_failed_checks++;                                                               \
		}                                                                                              \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                                                     \
	do {                                                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);                                            \
		if (_a != _b) {                                                                                \
			fprintf(stderr, "  %s:%d: %s == %s: got %lld, want %lld\n", __FILE__, __LINE__, #a, #b, \
				_a, _b);                                                                       \
			harness_failed_checks++;                                                               \
		}                                                                                              \
	} while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                                                        \
	do {                                                                                                   \
		const char *_h = (hay), *_n = (needle);                                                        \
		if (!_h || !strstr(_h, _n)) {                                                                  \
			fprintf(stderr, "  %s:%d: expected \"%s\" in \"%s\"\n", __FILE__, __LINE__, _n,          \
				_h ? _h : "(null)");                                                           \
			harness_failed_checks++;                                                               \
		}                                                                                              \
	} while (0)

/* Mark the current test skipped (with a reason printed) and return. */
#define SKIP(reason)                                                                                           \
	do {                                                                                                   \
		harness_skip_reason = (reason);                                                                \
		return;                                                                                        \
	} while (0)

#ifdef HARNESS_MAIN
struct harness_test *harness_head, **harness_tail = &harness_head;
int harness_failed_checks;
const char *harness_skip_reason;

void harness_register(struct harness_test *t)
{
	*harness_tail = t;
	harness_tail = &t->next;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;
	const char *only = argc > 1 ? argv[1] : NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (struct harness_test *t = harness_head; t; t = t->next) {
		if (only && !strstr(t->name, only))
			continue;
		int before = harness_failed_checks;
		harness_skip_reason = NULL;
		t->fn();
		fflush(stderr);
		if (harness_failed_checks != before) {
			printf("FAIL %s\n", t->name);
			failed++;
		} else if (harness_skip_reason) {
			printf("SKIP %s: %s\n", t->name, harness_skip_reason);
			skipped++;
		} else {
			printf("ok   %s\n", t->name);
			passed++;
		}
	}
	if (skipped)
		printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	else
		printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
#endif

#endif
