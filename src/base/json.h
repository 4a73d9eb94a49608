/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small JSON reader and writer, for seccomp profiles and the CLI's JSON
 * report.
 *
 * Why not jansson: OCI argument values are unsigned 64-bit (jansson stops at
 * INT64_MAX), and an importer that calls anything it does not understand an
 * error must say where, so every value here keeps its line and column.  On
 * output, jansson refuses a string that is not UTF-8, which made callers
 * drop the key (a process's `comm` is any bytes it chose); the writer here
 * replaces such bytes instead.
 */
#ifndef STOCKADE_JSON_H
#define STOCKADE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sk_json_type {
	SK_JSON_NULL = 0,
	SK_JSON_BOOL,
	SK_JSON_NUMBER,
	SK_JSON_STRING,
	SK_JSON_ARRAY,
	SK_JSON_OBJECT,
};

struct sk_json_member;

struct sk_json {
	enum sk_json_type type;
	int line, column; /* 1-based, where the value starts */
	bool boolean;
	char *str;	  /* STRING: NUL-terminated (\u0000 is refused) */
	bool is_uint;	  /* NUMBER: a non-negative integer that fits in 64 bits */
	uint64_t uint;
	size_t n;	  /* ARRAY: items; OBJECT: members */
	struct sk_json *items;
	struct sk_json_member *members;
};

struct sk_json_member {
	char *key;
	int line, column; /* of the key */
	struct sk_json value;
};

struct sk_json_error {
	int line, column;
	char msg[160];
};

/* Parse `text` (len bytes).  Duplicate keys in one object are an error.
 * Returns 0, -EINVAL (with *error filled) or -ENOMEM. */
int sk_json_parse(const char *text, size_t len, struct sk_json *out, struct sk_json_error *error);
void sk_json_free(struct sk_json *v);
const struct sk_json *sk_json_get(const struct sk_json *object, const char *key);
const char *sk_json_type_name(enum sk_json_type t);

/* A growing output buffer; `failed` sticks after an allocation failure. */
struct sk_buf {
	char *data;
	size_t len, cap;
	bool failed;
};

void sk_buf_printf(struct sk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal, quoted and escaped; a byte of `s` that is not
 * part of well-formed UTF-8 is written as U+FFFD (\ufffd), never dropped. */
void sk_buf_json_string(struct sk_buf *b, const char *s);

/*
 * A JSON text written as it is built, compact (no blank anywhere, as
 * jansson's JSON_COMPACT): open a container, then in an object a key before
 * every value.  The caller owns w->buf.data; w->buf.failed says whether an
 * allocation failed on the way.
 */
struct sk_json_writer {
	struct sk_buf buf;
	bool comma; /* a value was written at this level: the next needs a comma */
};

void sk_jw_open(struct sk_json_writer *w, char bracket);	/* '{' or '[' */
void sk_jw_close(struct sk_json_writer *w, char bracket); /* '}' or ']' */
void sk_jw_key(struct sk_json_writer *w, const char *key);
void sk_jw_string(struct sk_json_writer *w, const char *s); /* NULL: null */
void sk_jw_int(struct sk_json_writer *w, long long v);
void sk_jw_bool(struct sk_json_writer *w, bool v);
void sk_jw_null(struct sk_json_writer *w);

#endif
