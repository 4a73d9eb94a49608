/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tier: the JSON writer of json.c, which writes the CLI's JSON report
 * and the OCI export.  Escapes as jansson escaped (the report's bytes did
 * not change), and what jansson could not write, a string that is not
 * UTF-8, is written with U+FFFD for each stray byte instead of losing the
 * key; every output reads back with the parser.
 */
#include "../harness.h"
#include "base/json.h"

/* `s` as a JSON string literal (static buffer). */
static const char *quoted(const char *s)
{
	static char out[512];
	struct sk_buf b = { 0 };

	sk_buf_json_string(&b, s);
	snprintf(out, sizeof(out), "%s", b.failed ? "(failed)" : b.data);
	free(b.data);
	return out;
}

#define CHECK_QUOTED(in, want)                                                                                 \
	do {                                                                                                   \
		const char *_got = quoted(in);                                                                 \
		CHECK_MSG(!strcmp(_got, (want)), "got %s, want %s", _got, (want));                             \
	} while (0)

TEST(json_string_escapes_like_jansson)
{
	CHECK_QUOTED("", "\"\"");
	CHECK_QUOTED("plain text / slash", "\"plain text / slash\"");
	CHECK_QUOTED("q\"b\\", "\"q\\\"b\\\\\"");
	CHECK_QUOTED("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	CHECK_QUOTED("\x01\x1f", "\"\\u0001\\u001F\"");
	CHECK_QUOTED("del\x7f", "\"del\x7f\"");
}

TEST(json_string_keeps_utf8)
{
	CHECK_QUOTED("caf\xc3\xa9", "\"caf\xc3\xa9\"");			  /* U+00E9 */
	CHECK_QUOTED("\xe2\x82\xac", "\"\xe2\x82\xac\"");		  /* U+20AC */
	CHECK_QUOTED("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");	  /* U+1F600 */
	CHECK_QUOTED("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");		  /* U+FFFD itself */
	CHECK_QUOTED("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");	  /* U+10FFFF, the last */
}

/* Each byte that is not part of a well-formed sequence: \ufffd, the rest
 * of the string as it is. */
TEST(json_string_replaces_invalid_utf8)
{
	CHECK_QUOTED("bad\xff\xfex", "\"bad\\ufffd\\ufffdx\"");
	CHECK_QUOTED("\x80", "\"\\ufffd\"");		    /* a continuation byte alone */
	CHECK_QUOTED("a\xe2\x82", "\"a\\ufffd\\ufffd\"");   /* cut short at the end */
	CHECK_QUOTED("\xe2\x82z", "\"\\ufffd\\ufffdz\"");   /* cut short by an ASCII byte */
	CHECK_QUOTED("\xc0\xaf", "\"\\ufffd\\ufffd\"");	    /* overlong '/' */
	CHECK_QUOTED("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""); /* overlong, 3 bytes */
	CHECK_QUOTED("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* a UTF-16 surrogate */
	CHECK_QUOTED("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* above U+10FFFF */
	CHECK_QUOTED("\xf5\x80", "\"\\ufffd\\ufffd\"");
	CHECK_QUOTED("\xc3\xa9\xff\xc3\xa9", "\"\xc3\xa9\\ufffd\xc3\xa9\"");
	/* Escapes still apply around replaced bytes. */
	CHECK_QUOTED("\xff\n\"", "\"\\ufffd\\n\\\"\"");
}

TEST(json_writer_layout_and_round_trip)
{
	static const char want[] = "{\"event\":\"denial\",\"pid\":42,\"comm\":\"x\\ufffd\",\"syscall\":null,"
				   "\"args\":[\"0x1\",\"0x2\"],\"rule\":{\"file\":null,\"line\":-3},\"enforced\":true,"
				   "\"mismatch\":false,\"empty\":{},\"none\":[]}";
	struct sk_json_writer w = { 0 };
	struct sk_json v;
	struct sk_json_error e;
	const struct sk_json *comm;

	sk_jw_open(&w, '{');
	sk_jw_key(&w, "event");
	sk_jw_string(&w, "denial");
	sk_jw_key(&w, "pid");
	sk_jw_int(&w, 42);
	sk_jw_key(&w, "comm");
	sk_jw_string(&w, "x\xff");
	sk_jw_key(&w, "syscall");
	sk_jw_string(&w, NULL);
	sk_jw_key(&w, "args");
	sk_jw_open(&w, '[');
	sk_jw_string(&w, "0x1");
	sk_jw_string(&w, "0x2");
	sk_jw_close(&w, ']');
	sk_jw_key(&w, "rule");
	sk_jw_open(&w, '{');
	sk_jw_key(&w, "file");
	sk_jw_null(&w);
	sk_jw_key(&w, "line");
	sk_jw_int(&w, -3);
	sk_jw_close(&w, '}');
	sk_jw_key(&w, "enforced");
	sk_jw_bool(&w, true);
	sk_jw_key(&w, "mismatch");
	sk_jw_bool(&w, false);
	sk_jw_key(&w, "empty");
	sk_jw_open(&w, '{');
	sk_jw_close(&w, '}');
	sk_jw_key(&w, "none");
	sk_jw_open(&w, '[');
	sk_jw_close(&w, ']');
	sk_jw_close(&w, '}');
	CHECK(!w.buf.failed);
	CHECK_MSG(w.buf.data && !strcmp(w.buf.data, want), "got %s", w.buf.data ? w.buf.data : "(null)");

	/* It reads back, with the key that jansson would have dropped. */
	CHECK_INT_EQ(sk_json_parse(w.buf.data, w.buf.len, &v, &e), 0);
	comm = sk_json_get(&v, "comm");
	CHECK(comm && comm->type == SK_JSON_STRING && !strcmp(comm->str, "x\xef\xbf\xbd"));
	CHECK(sk_json_get(&v, "syscall") && sk_json_get(&v, "syscall")->type == SK_JSON_NULL);
	sk_json_free(&v);
	free(w.buf.data);
}

/* Whatever bytes a string holds, the output is JSON that reads back. */
TEST(json_string_any_bytes_read_back)
{
	char s[4];

	for (unsigned a = 1; a < 256; a++) {
		for (unsigned b = 0; b < 256; b += 17) {
			struct sk_buf buf = { 0 };
			struct sk_json v;
			struct sk_json_error e;

			s[0] = (char)a, s[1] = (char)b, s[2] = (char)(b ? 0x80 : 0), s[3] = '\0';
			sk_buf_json_string(&buf, s);
			CHECK_MSG(!buf.failed && sk_json_parse(buf.data, buf.len, &v, &e) == 0 && v.type == SK_JSON_STRING,
				  "%02x %02x: %s", a, b, buf.data ? buf.data : "(null)");
			sk_json_free(&v);
			free(buf.data);
		}
	}
}
