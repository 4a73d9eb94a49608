/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Temporary directories and policy files for the policy tests
 * (test_policy.c, test_policy_layers.c).
 */
#ifndef STOCKADE_TEST_POLICY_FILES_H
#define STOCKADE_TEST_POLICY_FILES_H

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "plan_helpers.h"

static inline int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static inline void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static inline bool make_tmpdir(char *buf, size_t size)
{
	const char *base = getenv("TMPDIR");

	snprintf(buf, size, "%s/stockade-test-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(buf)) {
		CHECK_MSG(false, "mkdtemp: %s", strerror(errno));
		return false;
	}
	return true;
}

static inline void write_file(const char *dir, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static inline void write_file(const char *dir, const char *name, const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK_MSG(f != NULL, "%s: %s", path, strerror(errno));
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

/* Load a file into a new policy; returns the error (caller frees) or NULL. */
static inline stockade_error *load_file(const char *path, stockade_policy **out, int *ret)
{
	stockade_error *err = NULL;

	CHECK(stockade_policy_new(out, NULL) == 0);
	*ret = stockade_policy_add_file(*out, path, &err);
	return err;
}

#endif
