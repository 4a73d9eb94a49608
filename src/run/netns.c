/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The inside of a network namespace for network modes none and proxy
 * (netns.h).  A new network namespace has a loopback interface, down, and
 * nothing else: no route out whatever the command does (UDP, raw sockets,
 * a connect to any address), which makes seccomp's family gate and
 * Landlock's port rules a second line.  The proxy needs one way in: its
 * listening socket is made here, inside, bound to 127.0.0.1 on the port
 * the plan's Landlock rule names, and passed to the proxy, which accepts
 * on it from the host's namespace (a socket keeps the namespace it was
 * made in) and connects out from there.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "run/netns.h"

/* This process's command runs in the namespace sk_netns_inside() made
 * (set in init, before it forks the command's side), for that port. */
static uint16_t confined_port;

void sk_netns_forget(void)
{
	confined_port = 0;
}

bool sk_netns_confines_tcp(const stockade_plan *plan)
{
	return confined_port && sk_netns_wanted(plan, confined_port);
}

bool sk_netns_wanted(const stockade_plan *plan, uint16_t proxy_port)
{
	const struct sk_plan_access *a = &plan->access;

	if (!plan->seccomp_enabled || a->ntcp[SK_TCP_BIND])
		return false;
	/* Mode none: seccomp refuses every family but AF_UNIX already, and a
	 * network namespace costs ~0.8 ms a run here (unshare -n, measured):
	 * not worth it on the default path. */
	if (a->net != SK_NET_PROXY || a->ntcp[SK_TCP_CONNECT] != 1 || a->ntcp_addrs != 1 || a->ntcp_bare)
		return false;
	return a->tcp[SK_TCP_CONNECT][0] == proxy_port && a->tcp_addrs[0].family == AF_INET &&
	       a->tcp_addrs[0].addr[0] == 127 && a->tcp_addrs[0].addr[3] == 1 && a->tcp_addrs[0].port == proxy_port;
}

static int lo_up(stockade_error **err)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (fd < 0)
		return sk_error(err, errno, "network namespace: socket: %s", strerror(errno));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		ret = sk_error(err, errno, "network namespace: lo: %s", strerror(errno));
	} else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			ret = sk_error(err, errno, "network namespace: bringing lo up: %s", strerror(errno));
	}
	close(fd);
	return ret;
}

static int send_fd(int ctl, int fd)
{
	char byte = 'L';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;

	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while (sendmsg(ctl, &m, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int sk_netns_inside(void *data, stockade_error **err)
{
	const struct sk_netns_proxy *p = data;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int ret = lo_up(err), fd = -1;

	if (ret == 0 && p->ctl >= 0) {
		sa.sin_port = htons(p->port);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0)
			ret = sk_error(err, errno, "network namespace: the proxy's listener on 127.0.0.1:%u: %s",
				       p->port, strerror(errno));
		else if ((ret = send_fd(p->ctl, fd)) < 0)
			ret = sk_error(err, -ret, "network namespace: handing the listener to the proxy: %s",
				       strerror(-ret));
	}
	if (fd >= 0)
		close(fd);
	if (p->ctl >= 0)
		close(p->ctl);
	if (ret == 0 && p->ctl >= 0)
		confined_port = p->port;
	return ret;
}
