/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The proxy's address guard (an allowed name must not lead to the host's
 * loopback, the LAN or a cloud metadata service) and its credential.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy/proxy.h"

struct range4 {
	uint32_t net, mask;
	const char *what;
};

static const struct range4 ranges4[] = {
	{ 0x00000000, 0xff000000, "\"this network\" (0.0.0.0/8)" },
	{ 0x0a000000, 0xff000000, "private (10.0.0.0/8)" },
	{ 0x64400000, 0xffc00000, "CGNAT (100.64.0.0/10)" },
	{ 0x7f000000, 0xff000000, "loopback (127.0.0.0/8)" },
	{ 0xa9fe0000, 0xffff0000, "link-local and cloud metadata (169.254.0.0/16)" },
	{ 0xac100000, 0xfff00000, "private (172.16.0.0/12)" },
	{ 0xc0000000, 0xffffff00, "IETF protocol assignments (192.0.0.0/24)" },
	{ 0xc0a80000, 0xffff0000, "private (192.168.0.0/16)" },
	{ 0xc6120000, 0xfffe0000, "benchmarking (198.18.0.0/15)" },
	{ 0xe0000000, 0xf0000000, "multicast (224.0.0.0/4)" },
	{ 0xf0000000, 0xf0000000, "reserved and broadcast (240.0.0.0/4)" },
};

static const char *range_of4(uint32_t a)
{
	for (size_t i = 0; i < sizeof(ranges4) / sizeof(ranges4[0]); i++)
		if ((a & ranges4[i].mask) == ranges4[i].net)
			return ranges4[i].what;
	return NULL;
}

const char *sk_proxy_private_range(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return range_of4(ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr));
	if (sa->sa_family != AF_INET6)
		return "not an IP address";
	const uint8_t *b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	static const uint8_t zero[16];
	if (!memcmp(b, zero, 15) && (b[15] == 0 || b[15] == 1))
		return b[15] ? "loopback (::1)" : "unspecified (::)";
	/* ::ffff:a.b.c.d, and the deprecated ::a.b.c.d: an IPv4 address in
	 * disguise, refused whatever it maps to. */
	if (!memcmp(b, zero, 10) && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0)))
		return "IPv4-mapped or -compatible (::ffff:0:0/96)";
	/* ::ffff:0:a.b.c.d (SIIT's IPv4-translated form) */
	if (!memcmp(b, zero, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
		return "IPv4-translated (::ffff:0:0:0/96)";
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)
		return "Teredo (2001::/32), which embeds an IPv4 address";
	if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
		return "NAT64 (64:ff9b::/96), which can reach private IPv4";
	if (b[0] == 0x20 && b[1] == 0x02)
		return "6to4 (2002::/16), which embeds an IPv4 address";
	if ((b[0] & 0xfe) == 0xfc)
		return "unique local (fc00::/7)";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return "link-local (fe80::/10)";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return "site-local (fec0::/10)";
	if (b[0] == 0xff)
		return "multicast (ff00::/8)";
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return "documentation (2001:db8::/32)";
	return NULL;
}

int sk_proxy_addr_text(const struct sockaddr *sa, char *buf, size_t size)
{
	const void *a = sa->sa_family == AF_INET ? (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr
						 : (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	return inet_ntop(sa->sa_family, a, buf, (socklen_t)size) ? 0 : -1;
}

void sk_proxy_set_port(struct sockaddr *sa, unsigned port)
{
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)(void *)sa)->sin_port = htons((uint16_t)port);
	else if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)sa)->sin6_port = htons((uint16_t)port);
}

int sk_proxy_parse_addr(const char *s, struct sockaddr_storage *out, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

char *sk_proxy_basic_auth(const char *user, const char *password)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t ul = strlen(user), pl = strlen(password), n = ul + 1 + pl;
	unsigned char *in = malloc(n);
	char *out = malloc(6 + (n + 2) / 3 * 4 + 1), *o;

	if (!in || !out) {
		free(in);
		free(out);
		return NULL;
	}
	memcpy(in, user, ul);
	in[ul] = ':';
	memcpy(in + ul + 1, password, pl);
	o = out + sprintf(out, "Basic ");
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = '\0';
	free(in);
	return out;
}

bool sk_proxy_token_equal(const char *value, size_t len, const char *want)
{
	size_t wl = strlen(want);
	unsigned char diff = 0;

	/* "Basic" is case-insensitive; the rest is not. */
	if (len != wl || len < 6)
		return false;
	for (size_t i = 0; i < 5; i++)
		diff |= (unsigned char)((value[i] | 0x20) ^ (want[i] | 0x20));
	for (size_t i = 5; i < len; i++)
		diff |= (unsigned char)(value[i] ^ want[i]);
	return diff == 0;
}
