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

void usage_error(const char *cmd, const char *fmt, ...)
{
	const struct cli_command *c = cli_command_find(cmd);
	va_list ap;

	fprintf(stderr, "stockade: %s%s", c ? c->name : "", c ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_print_usage(stderr, c);
	fprintf(stderr, "Try 'stockade %s%s--help' for more information.\n", c ? c->name : "", c ? " " : "");
}

void unknown_option(const char *cmd, const char *arg)
{
	const struct cli_command *c = cli_command_find(cmd);
	const struct cli_option *lists[] = { c ? c->options : NULL, c && c->policy ? cli_policy_options : NULL };
	const char *names[64], *best;
	const size_t max = sizeof(names) / sizeof(names[0]);
	size_t n = 0;
	char word[64];

	/* The option's name: its value is no part of the typo. */
	snprintf(word, sizeof(word), "%.*s", (int)strcspn(arg, "="), arg);
	for (size_t l = 0; l < 2; l++) {
		for (const struct cli_option *o = lists[l]; o && o->name && n + 4 <= max; o++) {
			names[n++] = o->name;
			if (o->alias)
				names[n++] = o->alias;
		}
	}
	names[n++] = "--help";
	names[n++] = "-h";
	best = stockade_suggest(word, names, n);
	if (best)
		usage_error(cmd, "unknown option `%s`, did you mean `%s`?", word, best);
	else
		usage_error(cmd, "unknown option `%s`", word);
}
