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
 *
 * listen() is mediated too wherever the plan limits TCP bind and lets TCP
 * sockets be made (bare ports too, with no address): on a socket with no
 * port, the kernel binds an ephemeral one on every address (autobind),
 * which no bind() rule of Landlock sees; the supervisor refuses that, and
 * performs any other listen() on the caller's socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "run/mediate.h"

#define WHO_MAX 1024

/* Who connected from which local port (to loopback), a ring. */
struct sk_tcp_mediation {
	pthread_mutex_t lock;
	struct {
		uint16_t port;
		pid_t pid;
		char comm[16];
	} who[WHO_MAX];
	size_t next, n;
};

static void remember(struct sk_tcp_mediation *t, const struct sk_mreq *r, int sock)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char path[64], comm[16] = "";
	uint16_t port;
	int fd;

	if (getsockname(sock, (struct sockaddr *)&ss, &len) < 0)
		return;
	port = ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
				       : ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)r->pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		ssize_t n = read(fd, comm, sizeof(comm) - 1);
		comm[n > 0 ? n : 0] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		close(fd);
	}
	pthread_mutex_lock(&t->lock);
	t->who[t->next].port = port;
	t->who[t->next].pid = r->pid;
	memcpy(t->who[t->next].comm, comm, sizeof(comm));
	t->next = (t->next + 1) % WHO_MAX;
	if (t->n < WHO_MAX)
		t->n++;
	pthread_mutex_unlock(&t->lock);
}

bool sk_tcp_mediation_who(const struct sk_mediation *m, uint16_t port, pid_t *pid, char comm[16])
{
	struct sk_tcp_mediation *t = m ? m->tcp_state : NULL;
	bool found = false;

	if (!t || !port)
		return false;
	pthread_mutex_lock(&t->lock);
	/* newest first: a port is reused */
	for (size_t k = 0; k < t->n && !found; k++) {
		size_t i = (t->next + WHO_MAX - 1 - k) % WHO_MAX;
		if (t->who[i].port == port) {
			*pid = t->who[i].pid;
			memcpy(comm, t->who[i].comm, 16);
			found = true;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return found;
}

void sk_tcp_mediation_free(struct sk_tcp_mediation *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

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
	/* The kernel takes an IPv6 address from 24 bytes (RFC 2133's struct,
	 * without sin6_scope_id); ss is zeroed beyond what was read. */
	if (domain == AF_INET6 && ss->ss_family == AF_INET6 && len >= SK_SIN6_LEN_MIN) {
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

	/* Not TCP (UDP under mode full), or a disconnect: the call as asked. */
	if (type != SOCK_STREAM || (len >= sizeof(sa_family_t) && ss->ss_family == AF_UNSPEC)) {
		sk_connect_perform(r, sock, (const struct sockaddr *)ss, len);
		return;
	}
	/* An address not understood here is never connected to by the
	 * supervisor, which no Landlock port rule confines: fail closed,
	 * with the error the kernel gives a malformed one. */
	if (len < sizeof(sa_family_t) || !destination(domain, ss, len, &family, addr, &port)) {
		sk_mreq_fail(r, len >= sizeof(sa_family_t) && ss->ss_family != domain ? EAFNOSUPPORT : EINVAL);
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
	/* to loopback (the proxy, a local service): remember who, for the
	 * report; a non-blocking connect has its local port already */
	if (data && ((r->answer == SK_MANS_VALUE) || (r->answer == SK_MANS_ERROR && r->error == EINPROGRESS)) &&
	    ((family == AF_INET && addr[0] == 127) ||
	     (family == AF_INET6 && !memcmp(addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16))))
		remember(data, r, sock);
}

static void listen_handle(struct sk_mreq *r, void *data)
{
	int fd = (int)r->args[0], domain, type, protocol;
	int sock = sk_mreq_take_socket(r, fd, &domain, &type, &protocol);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	(void)data;
	if (sock < 0)
		return;
	if ((domain == AF_INET || domain == AF_INET6) && type == SOCK_STREAM &&
	    getsockname(sock, (struct sockaddr *)&ss, &len) == 0 &&
	    (ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
				     : ((struct sockaddr_in6 *)&ss)->sin6_port) == 0) {
		sk_mreq_deny(r, EACCES,
			     "listen() on a TCP socket with no port would bind an ephemeral one on every address "
			     "(autobind); bind a port of tcp_bind first",
			     "TCP listen, fd %d", fd);
		close(sock);
		return;
	}
	if (listen(sock, (int)r->args[1]) == 0)
		sk_mreq_answer(r, 0);
	else
		sk_mreq_fail(r, errno);
	close(sock);
}

int sk_tcp_mediation_setup(const stockade_plan *plan, struct sk_mediation *m, stockade_error **err)
{
	const struct sk_plan_access *a = &plan->access;
	/* Autobind needs a TCP socket: where the filter lets one be made and
	 * Landlock limits bind to a list, bare ports or none. */
	bool guard_listen = a->tcp_handled[SK_TCP_BIND] && (a->ntcp_addrs || a->net == SK_NET_FULL || a->tcp_sockets);
	int ret = 0;

	if (!a->ntcp_addrs && !guard_listen)
		return 0;
	m->tcp_state = calloc(1, sizeof(*m->tcp_state));
	if (!m->tcp_state)
		return sk_error(err, ENOMEM, "out of memory");
	pthread_mutex_init(&m->tcp_state->lock, NULL);
	for (int f = 0; f < 2 && ret == 0 && a->ntcp_addrs; f++) {
		struct sk_connect_family fam = { .domain = f ? AF_INET6 : AF_INET, .fn = tcp_connect, .data = m->tcp_state };
		ret = sk_connect_family_add(m, &fam);
	}
	if (ret == 0 && guard_listen) {
		struct sk_mediator h = { .syscall = "listen", .run = SK_MRUN_INLINE, .handle = listen_handle };
		ret = sk_mediation_add(m, &h);
	}
	if (ret < 0)
		return sk_error(err, -ret, "cannot mediate TCP connects: %s", strerror(-ret));
	return 0;
}
