/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The file part of the denial report: what the supervisor saw Landlock
 * refuse (run/mediate_files.h), as text lines and JSON events shaped like
 * the syscall denials'.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "report.h"
#include "run/mediate_files.h"

static const char *why_kind(enum sk_fs_why why)
{
	switch (why) {
	case SK_FS_WHY_CARVED:
		return "carve-out";
	case SK_FS_WHY_SPLIT:
		return "split";
	case SK_FS_WHY_GAINS:
		return "rename-gains";
	case SK_FS_WHY_NO_GRANT:
		return "no-grant";
	default:
		return "granted";
	}
}

static const char *list_name(enum sk_fs_kind k)
{
	static const char *const names[] = { "read", "write", "exec", "deny", "read_only" };

	return k < SK_FS_NKINDS ? names[k] : "?";
}

/* comm as the text report shows it: printable ASCII, the rest as '?'. */
static void clean_comm(const char *in, char out[16])
{
	size_t i = 0;

	for (; in[i] && i < 15; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[i] = '\0';
}

/* Refused all the same in audit mode (the carve-outs stay). */
static bool enforced(const struct sk_file_denial *d, bool audit)
{
	return !audit || d->enforced;
}

/* A string the command controls (a path it named) for a terminal: control
 * characters, C1 controls and bytes that are not UTF-8 as \xNN, so that
 * no escape sequence reaches the terminal. */
void report_put_escaped(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		bool ok = len > 0;

		for (size_t i = 1; ok && i < len; i++)
			ok = (p[i] & 0xc0) == 0x80;
		if (ok && len == 1 && (*p < 0x20 || *p == 0x7f))
			ok = false;
		if (ok && len == 2 && *p == 0xc2 && p[1] < 0xa0)
			ok = false; /* U+0080-U+009F */
		if (!ok) {
			fprintf(out, "\\x%02x", *p++);
			continue;
		}
		fwrite(p, 1, len, out);
		p += len;
	}
}

void report_files_text(const struct sk_files_mediation *f, FILE *out, bool audit)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct sk_file_denial *d = &f->d[i];
		char comm[16];

		clean_comm(d->comm, comm);
		fprintf(out, "stockade:   %s ", sk_fs_op_name(d->op));
		report_put_escaped(out, d->shown);
		fprintf(out, " x%lu by %s", d->count, comm);
		if (d->npids > 1)
			fprintf(out, " (%u processes)", d->npids);
		fprintf(out, ": %s%s, ", enforced(d, audit) ? "" : "would be ", d->why == SK_FS_WHY_GAINS ? "EXDEV" : "EACCES");
		report_put_escaped(out, d->explain);
		fputs("; fix: ", out);
		report_put_escaped(out, d->fix);
		fputc('\n', out);
	}
	if (f->dropped)
		fprintf(out, "stockade:   (%lu more refusals of other paths are not listed: %d distinct at most)\n",
			f->dropped, SK_FILE_DENIALS_MAX);
}

static void member(struct sk_json_writer *w, const char *key, const char *value)
{
	sk_jw_key(w, key);
	sk_jw_string(w, value);
}

void report_files_json(const struct sk_files_mediation *f, FILE *json, bool audit)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct sk_file_denial *d = &f->d[i];
		struct sk_json_writer w = { 0 };
		char when[64];
		struct tm tm;

		gmtime_r(&d->first.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%06ldZ", d->first.tv_nsec / 1000);
		sk_jw_open(&w, '{');
		member(&w, "event", "file_denial");
		member(&w, "time", when);
		sk_jw_key(&w, "pid");
		sk_jw_int(&w, d->pid);
		member(&w, "comm", d->comm);
		member(&w, "syscall", d->syscall);
		member(&w, "access", sk_fs_op_name(d->op));
		member(&w, "path", d->path);
		sk_jw_key(&w, "count");
		sk_jw_int(&w, (long long)d->count);
		sk_jw_key(&w, "processes");
		sk_jw_int(&w, d->npids);
		member(&w, "errno", d->why == SK_FS_WHY_GAINS ? "EXDEV" : "EACCES");
		member(&w, "mode", audit ? "audit" : "report");
		sk_jw_key(&w, "enforced");
		sk_jw_bool(&w, enforced(d, audit));
		sk_jw_key(&w, "rule");
		sk_jw_open(&w, '{');
		member(&w, "kind", why_kind(d->why));
		if (d->rule) {
			member(&w, "list", list_name(d->rule->kind));
			member(&w, "entry", d->rule->path);
			member(&w, "file", d->rule->at.file);
			if (d->rule->at.line) {
				sk_jw_key(&w, "line");
				sk_jw_int(&w, d->rule->at.line);
			}
		}
		member(&w, "description", d->explain);
		sk_jw_close(&w, '}');
		member(&w, "fix", d->fix);
		sk_jw_close(&w, '}');
		if (!w.buf.failed) {
			fwrite(w.buf.data, 1, w.buf.len, json);
			fputc('\n', json);
		}
		free(w.buf.data);
	}
	fflush(json);
}
