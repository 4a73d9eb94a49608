/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RFC 8259 JSON, read with positions and written with 64-bit integers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

#define MAX_DEPTH 64

struct parser {
	const char *p, *end;
	const char *line_start;
	int line;
	struct sk_json_error *error;
	bool oom;
};

static int column(const struct parser *ps)
{
	return (int)(ps->p - ps->line_start) + 1;
}

static int fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;

	ps->error->line = ps->line;
	ps->error->column = column(ps);
	va_start(ap, fmt);
	vsnprintf(ps->error->msg, sizeof(ps->error->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;
		if (c == '\n') {
			ps->p++;
			ps->line++;
			ps->line_start = ps->p;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			ps->p++;
		} else {
			break;
		}
	}
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static int hex4(struct parser *ps, unsigned *out)
{
	*out = 0;
	if (ps->end - ps->p < 4)
		return fail(ps, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = *ps->p++;
		*out <<= 4;
		if (c >= '0' && c <= '9')
			*out |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*out |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*out |= (unsigned)(c - 'A' + 10);
		else
			return fail(ps, "invalid \\u escape");
	}
	return 0;
}

static void put_utf8(char *buf, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		buf[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		buf[(*n)++] = (char)(0xc0 | (cp >> 6));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		buf[(*n)++] = (char)(0xe0 | (cp >> 12));
		buf[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		buf[(*n)++] = (char)(0xf0 | (cp >> 18));
		buf[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		buf[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* At the opening quote.  The decoded string is never longer than the raw
 * one, so one allocation of the raw length suffices. */
static int parse_string(struct parser *ps, char **out)
{
	const char *start = ++ps->p;
	const char *q = start;
	char *buf;
	size_t n = 0;

	while (q < ps->end && *q != '"') {
		if (*q == '\\' && q + 1 < ps->end)
			q++;
		q++;
	}
	if (q >= ps->end)
		return fail(ps, "unterminated string");
	buf = malloc((size_t)(q - start) + 1);
	if (!buf) {
		ps->oom = true;
		return -ENOMEM;
	}
	while (*ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;

		if (c < 0x20) {
			free(buf);
			return fail(ps, "control character in a string");
		}
		if (c != '\\') {
			buf[n++] = (char)c;
			ps->p++;
			continue;
		}
		ps->p++;
		switch (*ps->p++) {
		case '"':
			buf[n++] = '"';
			break;
		case '\\':
			buf[n++] = '\\';
			break;
		case '/':
			buf[n++] = '/';
			break;
		case 'b':
			buf[n++] = '\b';
			break;
		case 'f':
			buf[n++] = '\f';
			break;
		case 'n':
			buf[n++] = '\n';
			break;
		case 'r':
			buf[n++] = '\r';
			break;
		case 't':
			buf[n++] = '\t';
			break;
		case 'u': {
			unsigned cp, lo;
			if (hex4(ps, &cp) < 0)
				goto bad;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (!literal(ps, "\\u") || hex4(ps, &lo) < 0 || lo < 0xdc00 || lo >= 0xe000) {
					fail(ps, "unpaired surrogate in a \\u escape");
					goto bad;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				fail(ps, "unpaired surrogate in a \\u escape");
				goto bad;
			}
			if (cp == 0) {
				fail(ps, "\\u0000 is not allowed in a string here");
				goto bad;
			}
			put_utf8(buf, &n, cp);
			break;
		}
		default:
			ps->p--;
			fail(ps, "invalid escape in a string");
			goto bad;
		}
	}
	ps->p++;
	buf[n] = '\0';
	*out = buf;
	return 0;
bad:
	free(buf);
	return -EINVAL;
}

static int parse_number(struct parser *ps, struct sk_json *v)
{
	bool negative = false, integer = true, overflow = false;
	uint64_t u = 0;

	if (*ps->p == '-') {
		negative = true;
		ps->p++;
	}
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
		return fail(ps, "invalid number");
	if (*ps->p == '0' && ps->p + 1 < ps->end && ps->p[1] >= '0' && ps->p[1] <= '9')
		return fail(ps, "numbers may not have leading zeros");
	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
		unsigned d = (unsigned)(*ps->p++ - '0');
		if (u > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			u = u * 10 + d;
	}
	if (ps->p < ps->end && *ps->p == '.') {
		integer = false;
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return fail(ps, "invalid number");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		integer = false;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return fail(ps, "invalid number");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	v->type = SK_JSON_NUMBER;
	v->is_uint = integer && !overflow && (!negative || u == 0);
	v->uint = v->is_uint ? u : 0;
	return 0;
}

static int parse_value(struct parser *ps, struct sk_json *v, int depth);

static int parse_array(struct parser *ps, struct sk_json *v, int depth)
{
	size_t cap = 0;
	int ret;

	v->type = SK_JSON_ARRAY;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (v->n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct sk_json *ni = realloc(v->items, ncap * sizeof(*ni));
			if (!ni) {
				ps->oom = true;
				return -ENOMEM;
			}
			v->items = ni;
			cap = ncap;
		}
		memset(&v->items[v->n], 0, sizeof(v->items[0]));
		ret = parse_value(ps, &v->items[v->n], depth + 1);
		v->n++;
		if (ret < 0)
			return ret;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return 0;
		}
		return fail(ps, "expected `,` or `]` in an array");
	}
}

static int parse_object(struct parser *ps, struct sk_json *v, int depth)
{
	size_t cap = 0;
	int ret;

	v->type = SK_JSON_OBJECT;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		struct sk_json_member *m;

		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '"')
			return fail(ps, "expected a key (a string) in an object");
		if (v->n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct sk_json_member *nm = realloc(v->members, ncap * sizeof(*nm));
			if (!nm) {
				ps->oom = true;
				return -ENOMEM;
			}
			v->members = nm;
			cap = ncap;
		}
		m = &v->members[v->n];
		memset(m, 0, sizeof(*m));
		m->line = ps->line;
		m->column = column(ps);
		v->n++;
		ret = parse_string(ps, &m->key);
		if (ret < 0)
			return ret;
		for (size_t i = 0; i + 1 < v->n; i++) {
			if (strcmp(v->members[i].key, m->key) == 0) {
				ps->error->line = m->line;
				ps->error->column = m->column;
				snprintf(ps->error->msg, sizeof(ps->error->msg),
					 "key `%.60s` appears twice in one object (line %d)", m->key,
					 v->members[i].line);
				return -EINVAL;
			}
		}
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':')
			return fail(ps, "expected `:` after a key");
		ps->p++;
		ret = parse_value(ps, &m->value, depth + 1);
		if (ret < 0)
			return ret;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			return 0;
		}
		return fail(ps, "expected `,` or `}` in an object");
	}
}

static int parse_value(struct parser *ps, struct sk_json *v, int depth)
{
	skip_ws(ps);
	v->line = ps->line;
	v->column = column(ps);
	if (depth > MAX_DEPTH)
		return fail(ps, "nested more than %d deep", MAX_DEPTH);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end of input");
	switch (*ps->p) {
	case '{':
		return parse_object(ps, v, depth);
	case '[':
		return parse_array(ps, v, depth);
	case '"':
		v->type = SK_JSON_STRING;
		return parse_string(ps, &v->str);
	case 't':
	case 'f':
	case 'n':
		if (literal(ps, "true")) {
			v->type = SK_JSON_BOOL;
			v->boolean = true;
			return 0;
		}
		if (literal(ps, "false")) {
			v->type = SK_JSON_BOOL;
			return 0;
		}
		if (literal(ps, "null")) {
			v->type = SK_JSON_NULL;
			return 0;
		}
		return fail(ps, "invalid literal");
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps, v);
		return fail(ps, "unexpected character `%c`", *ps->p);
	}
}

int sk_json_parse(const char *text, size_t len, struct sk_json *out, struct sk_json_error *error)
{
	struct parser ps = { .p = text, .end = text + len, .line_start = text, .line = 1, .error = error };
	int ret;

	memset(out, 0, sizeof(*out));
	memset(error, 0, sizeof(*error));
	/* A UTF-8 byte order mark is tolerated, as most readers do. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		ps.p += 3, ps.line_start += 3;
	ret = parse_value(&ps, out, 0);
	if (ret == 0) {
		skip_ws(&ps);
		if (ps.p < ps.end)
			ret = fail(&ps, "unexpected text after the JSON value");
	}
	if (ret < 0) {
		sk_json_free(out);
		return ps.oom ? -ENOMEM : ret;
	}
	return 0;
}

void sk_json_free(struct sk_json *v)
{
	if (!v)
		return;
	for (size_t i = 0; v->type == SK_JSON_ARRAY && i < v->n; i++)
		sk_json_free(&v->items[i]);
	for (size_t i = 0; v->type == SK_JSON_OBJECT && i < v->n; i++) {
		free(v->members[i].key);
		sk_json_free(&v->members[i].value);
	}
	free(v->items);
	free(v->members);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

const struct sk_json *sk_json_get(const struct sk_json *o, const char *key)
{
	if (!o || o->type != SK_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->members[i].key, key) == 0)
			return &o->members[i].value;
	return NULL;
}

const char *sk_json_type_name(enum sk_json_type t)
{
	switch (t) {
	case SK_JSON_NULL:
		return "null";
	case SK_JSON_BOOL:
		return "a boolean";
	case SK_JSON_NUMBER:
		return "a number";
	case SK_JSON_STRING:
		return "a string";
	case SK_JSON_ARRAY:
		return "an array";
	case SK_JSON_OBJECT:
		return "an object";
	}
	return "?";
}

/* ---- output ---- */

static bool buf_reserve(struct sk_buf *b, size_t more)
{
	if (b->failed)
		return false;
	if (b->len + more + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 1024;
		char *nd;
		while (ncap < b->len + more + 1)
			ncap *= 2;
		nd = realloc(b->data, ncap);
		if (!nd) {
			b->failed = true;
			return false;
		}
		b->data = nd;
		b->cap = ncap;
	}
	return true;
}

void sk_buf_printf(struct sk_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_reserve(b, (size_t)n)) {
		b->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/*
 * The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 if none starts there.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0; /* a continuation byte, an overlong lead (c0, c1), f5..ff */
	/* The second byte's range is narrower after e0, ed, f0 and f4. */
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || (c == 0xf0 && s[1] < 0x90) ||
	    (c == 0xf4 && s[1] > 0x8f))
		return 0;
	/* A NUL stops this loop too: it is no continuation byte. */
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * Escaped as jansson escapes (so what its output looked like does not
 * change): \" \\ \b \f \n \r \t, other control characters as \u00XX, the
 * rest as it is.  Where jansson refused a string that is not UTF-8 (and a
 * caller's json_object_set_new() then silently dropped the key), each byte
 * that is not part of a well-formed sequence becomes U+FFFD, written
 * \ufffd: the key stays, and the output is valid JSON.
 */
void sk_buf_json_string(struct sk_buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	sk_buf_printf(b, "\"");
	while (*s) {
		size_t n = utf8_len(s);
		unsigned char c = *s;

		if (n == 0) {
			sk_buf_printf(b, "\\ufffd");
			s++;
			continue;
		}
		switch (c) {
		case '"':
			sk_buf_printf(b, "\\\"");
			break;
		case '\\':
			sk_buf_printf(b, "\\\\");
			break;
		case '\b':
			sk_buf_printf(b, "\\b");
			break;
		case '\f':
			sk_buf_printf(b, "\\f");
			break;
		case '\n':
			sk_buf_printf(b, "\\n");
			break;
		case '\r':
			sk_buf_printf(b, "\\r");
			break;
		case '\t':
			sk_buf_printf(b, "\\t");
			break;
		default:
			if (c < 0x20)
				sk_buf_printf(b, "\\u%04X", c);
			else
				sk_buf_printf(b, "%.*s", (int)n, (const char *)s);
			break;
		}
		s += n;
	}
	sk_buf_printf(b, "\"");
}

/* ---- a compact writer ---- */

/* A comma goes before every member and item but a container's first. */
static void separate(struct sk_json_writer *w)
{
	if (w->comma)
		sk_buf_printf(&w->buf, ",");
	w->comma = true;
}

void sk_jw_open(struct sk_json_writer *w, char bracket)
{
	separate(w);
	sk_buf_printf(&w->buf, "%c", bracket);
	w->comma = false;
}

void sk_jw_close(struct sk_json_writer *w, char bracket)
{
	sk_buf_printf(&w->buf, "%c", bracket);
	w->comma = true;
}

void sk_jw_key(struct sk_json_writer *w, const char *key)
{
	separate(w);
	sk_buf_json_string(&w->buf, key);
	sk_buf_printf(&w->buf, ":");
	w->comma = false; /* the value follows the colon */
}

void sk_jw_string(struct sk_json_writer *w, const char *s)
{
	separate(w);
	if (s)
		sk_buf_json_string(&w->buf, s);
	else
		sk_buf_printf(&w->buf, "null");
}

void sk_jw_int(struct sk_json_writer *w, long long v)
{
	separate(w);
	sk_buf_printf(&w->buf, "%lld", v);
}

void sk_jw_bool(struct sk_json_writer *w, bool v)
{
	separate(w);
	sk_buf_printf(&w->buf, "%s", v ? "true" : "false");
}

void sk_jw_null(struct sk_json_writer *w)
{
	separate(w);
	sk_buf_printf(&w->buf, "null");
}
