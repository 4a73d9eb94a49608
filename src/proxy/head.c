/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade-proxy: a client's request head, read within one deadline and
 * parsed by Debian's http-parser into the request target and the header
 * fields (pointers into the buffer).  docs/network.md.
 */
#include <errno.h>
#include <http_parser.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "proxy/head.h"


static int on_url(http_parser *p, const char *at, size_t len)
{
	struct head *h = p->data;

	if (!h->url)
		h->url = at;
	h->url_len = (size_t)(at + len - h->url);
	return 0;
}

static int on_field(http_parser *p, const char *at, size_t len)
{
	struct head *h = p->data;

	if (h->in_value || h->nh == 0 || !h->h[h->nh - 1].name) {
		if (h->nh == MAX_HEADERS) {
			h->too_many = true;
			return 1;
		}
		h->h[h->nh].name = at;
		h->h[h->nh].nlen = 0;
		h->h[h->nh].value = NULL;
		h->h[h->nh].vlen = 0;
		h->nh++;
		h->in_value = false;
	}
	h->h[h->nh - 1].nlen = (size_t)(at + len - h->h[h->nh - 1].name);
	return 0;
}

static int on_value(http_parser *p, const char *at, size_t len)
{
	struct head *h = p->data;

	if (h->nh == 0)
		return 1;
	if (!h->in_value) {
		h->h[h->nh - 1].value = at;
		h->in_value = true;
	}
	h->h[h->nh - 1].vlen = (size_t)(at + len - h->h[h->nh - 1].value);
	return 0;
}

static int on_headers_complete(http_parser *p)
{
	struct head *h = p->data;

	h->complete = true;
	return 1; /* no body expected here: the relay forwards it as it comes */
}

const char *sk_proxy_header(const struct head *h, const char *name, size_t *len)
{
	for (size_t i = 0; i < h->nh; i++)
		if (h->h[i].nlen == strlen(name) && !strncasecmp(h->h[i].name, name, h->h[i].nlen) && h->h[i].value) {
			*len = h->h[i].vlen;
			return h->h[i].value;
		}
	return NULL;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read until the blank line, within HEAD_TIMEOUT_MS for the whole head
 * (not per recv: a byte now and then does not keep a slot); 0, or an HTTP
 * status to answer with. */
int sk_proxy_read_head(int fd, struct head *h)
{
	long long deadline = now_ms() + HEAD_TIMEOUT_MS;

	for (;;) {
		char *end;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		int r = left > 0 ? poll(&pfd, 1, (int)left) : 0;
		ssize_t n;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 408;
		n = recv(fd, h->buf + h->len, HEAD_MAX - h->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1; /* gone: nothing to answer */
		h->len += (size_t)n;
		h->buf[h->len] = '\0';
		if ((end = memmem(h->buf, h->len, "\r\n\r\n", 4))) {
			h->head_len = (size_t)(end + 4 - h->buf);
			return 0;
		}
		if (h->len == HEAD_MAX)
			return 431;
	}
}

const http_parser_settings sk_proxy_head_settings = { .on_url = on_url,
						      .on_header_field = on_field,
						      .on_header_value = on_value,
						      .on_headers_complete = on_headers_complete };
