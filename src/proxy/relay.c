/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade-proxy's byte moving: a whole buffer out, a tunnel relayed both
 * ways, and a listening socket received from stockade (proxy.h).  No
 * parsing and no policy here: proxy.c decides, these move what it let
 * through.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proxy/proxy.h"

#define IDLE_TIMEOUT_MS 600000 /* a tunnel with no traffic either way */
#define HALF_CLOSED_MS 10000   /* after one side closed, with no traffic the other way */

bool sk_proxy_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Both ways until both sides are done; a half-close is passed on, and
 * the other way is then dropped after HALF_CLOSED_MS without traffic (a
 * client that left does not keep an idle upstream open). */
void sk_proxy_relay(int a, int b)
{
	char buf[32 * 1024];
	bool open_in[2] = { true, true };
	int fds[2] = { a, b };

	while (open_in[0] || open_in[1]) {
		struct pollfd p[2] = { { .fd = open_in[0] ? a : -1, .events = POLLIN },
				       { .fd = open_in[1] ? b : -1, .events = POLLIN } };
		int r = poll(p, 2, open_in[0] && open_in[1] ? IDLE_TIMEOUT_MS : HALF_CLOSED_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		for (int i = 0; i < 2; i++) {
			if (!open_in[i] || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = recv(fds[i], buf, sizeof(buf), 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				open_in[i] = false;
				shutdown(fds[1 - i], SHUT_WR);
				if (n < 0)
					return; /* a reset: drop both */
				continue;
			}
			if (!sk_proxy_write_all(fds[1 - i], buf, (size_t)n))
				return;
		}
	}
}

/* A listening socket from the control socket: the descriptor, -1 for a
 * message without one (or not a listening TCP socket), -2 at the end. */
int sk_proxy_recv_listener(int ctl)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	int fd = -1, type = 0, listening = 0;
	socklen_t len = sizeof(int);
	ssize_t n = recvmsg(ctl, &m, MSG_CMSG_CLOEXEC);

	if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
		return -2;
	if (n < 0)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 || !listening) {
		close(fd);
		return -1;
	}
	return fd;
}
