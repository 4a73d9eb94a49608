/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tier: the proxy's address guard (src/proxy/guard.c), which an
 * allowed name's answers pass before the proxy connects: every range that
 * reaches the host, the LAN or an IPv4 address in disguise is refused, a
 * public address is not.  (The live side: tests/tools/net-proxy*.sh.)
 */
#include <arpa/inet.h>
#include <string.h>

#include "../harness.h"
#include "proxy/proxy.h"

static const char *range(const char *text)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (sk_proxy_parse_addr(text, &ss, &len) < 0)
		return "(unparsed)";
	return sk_proxy_private_range((const struct sockaddr *)&ss);
}

TEST(proxy_guard_refuses_every_inner_range)
{
	static const char *const refused[] = {
		"0.0.0.0", "10.1.2.3", "100.64.0.1", "127.0.0.2", "169.254.169.254", "172.16.0.1", "172.31.255.255",
		"192.0.0.8", "192.168.1.1", "198.18.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::", "::1",
		"::ffff:127.0.0.1", "::ffff:8.8.8.8", "::127.0.0.1", "::ffff:0:10.0.0.1", "::ffff:0:8.8.8.8",
		"64:ff9b::a00:1", "64:ff9b:1::a00:1", "2002:a00:1::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
		"fc00::1", "fd12:3456::1", "fe80::1", "fec0::1", "ff02::1", "2001:db8::1",
	};
	static const char *const allowed[] = { "8.8.8.8", "1.1.1.1", "151.101.1.1", "172.32.0.1", "100.128.0.1",
					       "2606:4700::1111", "2001:4860:4860::8888", "2001:1::1" };

	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		const char *r = range(refused[i]);
		CHECK_MSG(r != NULL && strcmp(r, "(unparsed)") != 0, "%s: not refused (%s)", refused[i], r ? r : "none");
	}
	for (size_t i = 0; i < sizeof(allowed) / sizeof(*allowed); i++) {
		const char *r = range(allowed[i]);
		CHECK_MSG(r == NULL, "%s: refused as %s", allowed[i], r ? r : "");
	}
}
