/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How errors look on a terminal: message, source line, caret, hint. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void print_error(const stockade_error *err)
{
	if (!err) {
		fprintf(stderr, "stockade: unknown error\n");
		return;
	}
	fprintf(stderr, "stockade: %s\n", err->msg ? err->msg : "error");
	if (err->source_line && err->line > 0) {
		int width = fprintf(stderr, "  %5d | ", err->line) - 2;
		fprintf(stderr, "%s\n", err->source_line);
		fprintf(stderr, "  %*s", width, "| ");
		/* Tabs in the source keep their width under the caret. */
		for (int i = 1; i < err->column && err->source_line[i - 1]; i++)
			fputc(err->source_line[i - 1] == '\t' ? '\t' : ' ', stderr);
		fprintf(stderr, "^\n");
	}
	if (err->hint)
		fprintf(stderr, "hint: %s\n", err->hint);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "stockade: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'stockade --help' for more information.\n");
}
