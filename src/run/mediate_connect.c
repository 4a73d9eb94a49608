/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The connect() mediator: connect(fd, addr, len) decided and performed by
 * the supervisor.
 *
 * It copies the address (at most a sockaddr_storage, as the kernel does),
 * takes the caller's socket with pidfd_getfd(), and hands both to the
 * handler of the socket's own family (SO_DOMAIN of the socket we hold, not
 * the family the address claims: the kernel dispatches on the socket too).
 * Whatever the handler decides, the connect that runs is ours, on that
 * socket, with that copy: the caller cannot swap the address or the
 * descriptor number between the decision and the call, because neither is
 * read again.  The caller sees the result on its own socket (the same open
 * file), non-blocking sockets included (EINPROGRESS, then SO_ERROR).
 *
 * Families without a handler are connected as asked, except that a TCP
 * connect to a port the plan does not list is refused where the plan
 * limits TCP connects, as Landlock would have refused it in the caller.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "run/mediate.h"

#define MAX_FAMILIES 8

struct sk_connect_mediation {
	struct sk_connect_family fam[MAX_FAMILIES];
	size_t n;
};

void sk_connect_perform(struct sk_mreq *r, int sock, const struct sockaddr *addr, socklen_t len)
{
	int ret;

	/* A blocking connect may wait for a listener to accept: we are in a
	 * worker, and the loop interrupts us if the caller goes away. */
	while ((ret = connect(sock, addr, len)) < 0 && errno == EINTR && !sk_mreq_cancelled(r))
		;
	if (ret == 0)
		sk_mreq_answer(r, 0);
	else
		sk_mreq_fail(r, errno);
}

/* What Landlock's TCP connect rule would say about this connect. */
static bool tcp_port_allowed(const stockade_plan *plan, int domain, int type, int protocol,
			     const struct sockaddr_storage *ss, socklen_t len)
{
	const struct sk_plan_access *a = &plan->access;
	uint16_t port;

	if (!a->tcp_handled[SK_TCP_CONNECT] || type != SOCK_STREAM || (protocol != 0 && protocol != IPPROTO_TCP))
		return true;
	if (len >= sizeof(sa_family_t) && ss->ss_family == AF_UNSPEC)
		return true; /* a disconnect */
	if (domain == AF_INET && ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in))
		port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
	else if (domain == AF_INET6 && ss->ss_family == AF_INET6 && len >= SK_SIN6_LEN_MIN)
		port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	else
		return false; /* not understood here: never performed (fail closed) */
	for (size_t i = 0; i < a->ntcp[SK_TCP_CONNECT]; i++)
		if (a->tcp[SK_TCP_CONNECT][i] == port)
			return true;
	return false;
}

int sk_mreq_take_socket(struct sk_mreq *r, int fd, int *domain, int *type, int *protocol)
{
	int sock = sk_mreq_getfd(r, fd);
	socklen_t olen = sizeof(int);

	*domain = *type = *protocol = 0;
	if (sock == -EBADF) {
		sk_mreq_fail(r, EBADF);
		return -1;
	}
	if (sock == -ENOENT) {
		sk_mreq_fail(r, EINTR); /* the call is gone (the caller died): no answer reaches it */
		return -1;
	}
	if (sock < 0) {
		sk_mreq_deny(r, EPERM, "the supervisor cannot take the caller's socket (it is not dumpable)", "fd %d",
			     fd);
		return -1;
	}
	if (getsockopt(sock, SOL_SOCKET, SO_DOMAIN, domain, &olen) < 0) {
		sk_mreq_fail(r, errno); /* ENOTSOCK */
		close(sock);
		return -1;
	}
	olen = sizeof(int);
	getsockopt(sock, SOL_SOCKET, SO_TYPE, type, &olen);
	olen = sizeof(int);
	getsockopt(sock, SOL_SOCKET, SO_PROTOCOL, protocol, &olen);
	return sock;
}

static void connect_handle(struct sk_mreq *r, void *data)
{
	struct sk_connect_mediation *c = data;
	struct sockaddr_storage ss;
	int64_t slen = (int)r->args[2];
	int fd = (int)r->args[0], sock, ret, domain = 0, type = 0, protocol = 0;

	memset(&ss, 0, sizeof(ss));
	/* As move_addr_to_kernel(). */
	if (slen < 0 || slen > (int64_t)sizeof(ss)) {
		sk_mreq_fail(r, EINVAL);
		return;
	}
	ret = sk_mreq_read(r, r->args[1], &ss, (size_t)slen);
	if (ret == -EFAULT) {
		sk_mreq_fail(r, EFAULT);
		return;
	}
	if (ret == -ENOENT) {
		sk_mreq_fail(r, EINTR); /* the call is gone (the caller died): no answer reaches it */
		return;
	}
	if (ret < 0) {
		sk_mreq_deny(r, EPERM, "the supervisor cannot read the caller's memory (it is not dumpable)",
			     "fd %d", fd);
		return;
	}
	sock = sk_mreq_take_socket(r, fd, &domain, &type, &protocol);
	if (sock < 0)
		return;
	for (size_t i = 0; i < c->n; i++) {
		if (c->fam[i].domain == domain) {
			c->fam[i].fn(r, sock, domain, type, &ss, (socklen_t)slen, c->fam[i].data);
			close(sock);
			return;
		}
	}
	if ((domain == AF_INET || domain == AF_INET6) &&
	    !tcp_port_allowed(r->plan, domain, type, protocol, &ss, (socklen_t)slen)) {
		sk_mreq_deny(r, EACCES, "the port is not in the policy's tcp_connect list", "TCP port %u",
			     ntohs(((const struct sockaddr_in *)&ss)->sin_port));
		close(sock);
		return;
	}
	sk_connect_perform(r, sock, (const struct sockaddr *)&ss, (socklen_t)slen);
	close(sock);
}

int sk_connect_family_add(struct sk_mediation *m, const struct sk_connect_family *fam)
{
	struct sk_connect_mediation *c = m->connect_state;

	if (!c) {
		struct sk_mediator h = { .syscall = "connect", .run = SK_MRUN_WORKER, .handle = connect_handle };
		int ret;

		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		h.data = c;
		ret = sk_mediation_add(m, &h);
		if (ret < 0) {
			free(c);
			return ret;
		}
		m->connect_state = c;
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->fam[i].domain == fam->domain)
			return -EEXIST;
	if (c->n >= MAX_FAMILIES)
		return -ENOSPC;
	c->fam[c->n++] = *fam;
	return 0;
}
