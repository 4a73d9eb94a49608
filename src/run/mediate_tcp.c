/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TCP connect() decided by address (docs/network.md): a tcp_connect entry
 * that names an address ("127.0.0.1:5432", and the proxy's own listener in
 * network mode proxy) means that address only.  Landlock can limit the
 * port and no more, so where the plan has such entries the supervisor
 * mediates connect() on AF_INET and AF_INET6 sockets: it decides on its own
 * copy of the address (mediate_connect.c made it, and took the socket with
 * pidfd_getfd) and performs the connect itself, on the caller's socket.  A
 * port also listed bare (9000) goes anywhere, as without an address; a
 * port not listed is refused, as Landlock would.  IPv4-mapped IPv6
 * addresses (::ffff:127.0.0.1) are compared as the IPv4 address they are.
 *
 * sendto()/sendmsg() with MSG_FASTOPEN, the one other way a TCP socket
 * connects, are refused by the filter when addresses are checked
 * (plan/access.c), so they cannot go around this.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "run/mediate.h"

/* The destination as (family, 16 bytes, port); false for an address the
 * kernel itself refuses on this socket (left to it). */
static bool destination(int domain, const struct sockaddr_storage *ss, socklen_t len, int *family, uint8_t addr[16],
			uint16_t *port)
{
	memset(addr, 0, 16);
	if (domain == AF_INET && ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
		*family = AF_INET;
		memcpy(addr, &in->sin_addr, 4);
		*port = ntohs(in->sin_port);
		return true;
	}
	if (domain == AF_INET6 && ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
		static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
		*port = ntohs(in6->sin6_port);
		if (!memcmp(in6->sin6_addr.s6_addr, mapped, 12)) {
			*family = AF_INET;
			memcpy(addr, in6->sin6_addr.s6_addr + 12, 4);
		} else {
			*family = AF_INET6;
			memcpy(addr, in6->sin6_addr.s6_addr, 16);
		}
		return true;
	}
	return false;
}

static void tcp_connect(struct sk_mreq *r, int sock, int domain, int type, const struct sockaddr_storage *ss,
			socklen_t len, void *data)
{
	const struct sk_plan_access *a = &r->plan->access;
	uint8_t addr[16];
	uint16_t port;
	int family;
	bool port_listed = false, bare = false, match = false;
	char text[INET6_ADDRSTRLEN] = "?";

	(void)data;
	/* Not TCP (UDP under mode full), a disconnect, or an address the
	 * kernel refuses: the call as asked. */
	if (type != SOCK_STREAM || len < sizeof(sa_family_t) || ss->ss_family == AF_UNSPEC ||
	    !destination(domain, ss, len, &family, addr, &port)) {
		sk_connect_perform(r, sock, (const struct sockaddr *)ss, len);
		return;
	}
	for (size_t i = 0; i < a->ntcp[SK_TCP_CONNECT]; i++)
		port_listed |= a->tcp[SK_TCP_CONNECT][i] == port;
	for (size_t i = 0; i < a->ntcp_bare; i++)
		bare |= a->tcp_bare[i] == port;
	for (size_t i = 0; i < a->ntcp_addrs && !match; i++)
		match = a->tcp_addrs[i].port == port && a->tcp_addrs[i].family == family &&
			!memcmp(a->tcp_addrs[i].addr, addr, family == AF_INET ? 4 : 16);
	inet_ntop(family, addr, text, sizeof(text));
	if (a->tcp_handled[SK_TCP_CONNECT] && !port_listed) {
		sk_mreq_deny(r, EACCES, "the port is not in the policy's tcp_connect list", "TCP %s%s%s:%u",
			     family == AF_INET6 ? "[" : "", text, family == AF_INET6 ? "]" : "", port);
		return;
	}
	if (port_listed && !bare && !match) {
		sk_mreq_deny(r, EACCES, "tcp_connect lists this port for other addresses only", "TCP %s%s%s:%u",
			     family == AF_INET6 ? "[" : "", text, family == AF_INET6 ? "]" : "", port);
		return;
	}
	sk_connect_perform(r, sock, (const struct sockaddr *)ss, len);
}

int sk_tcp_mediation_setup(const stockade_plan *plan, struct sk_mediation *m, stockade_error **err)
{
	int ret = 0;

	if (!plan->access.ntcp_addrs)
		return 0;
	for (int f = 0; f < 2 && ret == 0; f++) {
		struct sk_connect_family fam = { .domain = f ? AF_INET6 : AF_INET, .fn = tcp_connect };
		ret = sk_connect_family_add(m, &fam);
	}
	if (ret < 0)
		return sk_error(err, -ret, "cannot mediate TCP connects: %s", strerror(-ret));
	return 0;
}
