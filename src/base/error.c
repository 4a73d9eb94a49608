/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Error objects with context, after crun's libcrun_error_t. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"

void stockade_error_free(stockade_error *err)
{
	if (!err)
		return;
	free(err->msg);
	free(err->hint);
	free(err->file);
	free(err->source_line);
	free(err);
}

static stockade_error *error_new(int status, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static stockade_error *error_new(int status, const char *fmt, va_list ap)
{
	stockade_error *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->status = status;
	if (vasprintf(&e->msg, fmt, ap) < 0)
		e->msg = NULL;
	return e;
}

int sk_error(stockade_error **err, int status, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -status;
	stockade_error_free(*err);
	va_start(ap, fmt);
	*err = error_new(status, fmt, ap);
	va_end(ap);
	return -status;
}

/* Copy line number `line` (1-based) of `src` without its newline. */
static char *copy_line(const char *src, int line)
{
	const char *p = src, *end;

	for (int i = 1; i < line && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return NULL;
	end = strchr(p, '\n');
	return strndup(p, end ? (size_t)(end - p) : strlen(p));
}

int sk_error_at(stockade_error **err, int status, const char *file, const char *src, int line, int column,
		const char *fmt, ...)
{
	va_list ap;
	stockade_error *e;

	if (!err)
		return -status;
	stockade_error_free(*err);
	va_start(ap, fmt);
	e = error_new(status, fmt, ap);
	va_end(ap);
	*err = e;
	if (!e)
		return -status;
	e->file = file ? strdup(file) : NULL;
	e->line = line;
	e->column = column;
	if (src && line > 0)
		e->source_line = copy_line(src, line);
	return -status;
}

int sk_error_wrap(stockade_error **err, const char *fmt, ...)
{
	va_list ap;
	char *ctx = NULL, *msg = NULL;

	if (!err || !*err)
		return -EINVAL;
	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		ctx = NULL;
	va_end(ap);
	if (ctx && asprintf(&msg, "%s: %s", ctx, (*err)->msg ? (*err)->msg : "") >= 0) {
		free((*err)->msg);
		(*err)->msg = msg;
	}
	free(ctx);
	return -(*err)->status;
}

void sk_error_hint(stockade_error **err, const char *fmt, ...)
{
	va_list ap;
	char *hint = NULL;

	if (!err || !*err)
		return;
	va_start(ap, fmt);
	if (vasprintf(&hint, fmt, ap) < 0)
		hint = NULL;
	va_end(ap);
	free((*err)->hint);
	(*err)->hint = hint;
}
