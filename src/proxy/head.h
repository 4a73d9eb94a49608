/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade-proxy's request head (head.c).
 */
#ifndef STOCKADE_PROXY_HEAD_H
#define STOCKADE_PROXY_HEAD_H

#include <http_parser.h>
#include <stdbool.h>
#include <stddef.h>

#define HEAD_MAX (16 * 1024)	/* request line and headers */
#define MAX_HEADERS 100
#define HEAD_TIMEOUT_MS 10000	/* to send the whole request head */

struct head {
	char buf[HEAD_MAX + 1];
	size_t len, head_len; /* bytes read; the head's, through the blank line */
	const char *url;
	size_t url_len;
	struct {
		const char *name, *value;
		size_t nlen, vlen;
	} h[MAX_HEADERS];
	size_t nh;
	bool in_value, complete, too_many;
};

/* The callbacks that fill a struct head (p->data). */
extern const http_parser_settings sk_proxy_head_settings;
/* Read until the blank line, within HEAD_TIMEOUT_MS for the whole head
 * (not per recv); 0, -1 if the client went away, or an HTTP status to
 * answer with (408, 431). */
int sk_proxy_read_head(int fd, struct head *h);
/* The value of header `name` (case-insensitive) and its length, or NULL. */
const char *sk_proxy_header(const struct head *h, const char *name, size_t *len);

#endif
