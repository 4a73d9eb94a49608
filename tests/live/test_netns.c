/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, the network namespace of network modes none and proxy
 * (run/netns.c, docs/network.md): a child in a new network namespace runs
 * the inside hook, which brings lo up and hands a listener on 127.0.0.1:PORT
 * to us outside; we accept on it from the host's namespace what the child
 * connects to inside, while the child cannot reach a server of ours on the
 * host's 127.0.0.1.  And which plans want the namespace.
 */
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../harness.h"
#include "../unit/plan_helpers.h"
#include "run/netns.h"

static int listen_on(uint16_t port, uint16_t *got)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons(port) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*got = ntohs(sa.sin_port);
	return fd;
}

static int connect_to(uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int recv_listener(int ctl)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(ctl, &m, MSG_CMSG_CLOEXEC) <= 0)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* The parent's side of a namespace test: the listener the child made in
 * its namespace comes out of ctl (one connection on it says "hi"), and the
 * child's verdict on the host's port from inside comes on sync ('R':
 * refused, as it must be).  Closes ctl, sync and host, reaps pid.  77 when
 * the child could not make the namespace (the caller skips), else 0. */
static int listener_crossed(int ctl, int sync, pid_t pid, int host, unsigned host_port)
{
	int l = recv_listener(ctl), status = 0;
	char buf[4] = "", result = 0;

	if (l >= 0) {
		int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		CHECK(c >= 0);
		if (c >= 0) {
			CHECK(read(c, buf, 2) == 2 && !memcmp(buf, "hi", 2));
			close(c);
		}
		close(l);
	}
	if (read(sync, &result, 1) != 1)
		result = 0;
	waitpid(pid, &status, 0);
	close(ctl);
	close(sync);
	close(host);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		return 77;
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %#x", status);
	CHECK_MSG(l >= 0, "no listener came out of the namespace");
	CHECK_MSG(result == 'R', "inside the namespace the host's 127.0.0.1:%u %s", host_port,
		  result == 'C' ? "was reachable" : "gave another error");
	return 0;
}

TEST(netns_proxy_listener_crosses_the_namespace)
{
	uint16_t host_port = 0, proxy_port = 0;
	int host = listen_on(0, &host_port), probe = listen_on(0, &proxy_port), ctl[2], sync[2];

	CHECK(host >= 0 && probe >= 0);
	close(probe); /* a port number for the proxy, free on the host too */
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) == 0 && pipe(sync) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct sk_netns_proxy np = { .ctl = ctl[1], .port = proxy_port };
		stockade_error *e = NULL;
		char result = '?';
		int fd;

		close(ctl[0]);
		close(sync[0]);
		/* as root, or as the root of a user namespace of our own */
		if (unshare(CLONE_NEWNET) < 0 && unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
			_exit(errno == EPERM || errno == ENOSPC || errno == EINVAL ? 77 : 2);
		if (sk_netns_inside(&np, &e) < 0)
			_exit(3);
		/* inside: the proxy's port answers, the host's server does not */
		fd = connect_to(proxy_port);
		if (fd < 0)
			_exit(4);
		if (write(fd, "hi", 2) != 2)
			_exit(5);
		close(fd);
		fd = connect_to(host_port);
		result = fd == -ECONNREFUSED ? 'R' : fd >= 0 ? 'C' : 'E';
		if (write(sync[1], &result, 1) != 1)
			_exit(6);
		_exit(0);
	}
	close(ctl[1]);
	close(sync[1]);
	int status = listener_crossed(ctl[0], sync[0], pid, host, host_port);

	if (status == 77)
		SKIP("cannot make a network namespace here (not root, no user namespace)");
}

TEST(netns_wanted_by_a_lone_proxy)
{
	stockade_plan *p = plan_from("preset:agent", (const char *)NULL);
	CHECK(p && !sk_netns_wanted(p, 0)); /* agent: mode none, AF_UNIX only anyway */
	stockade_plan_free(p);
	p = plan_from("preset:agent", "network:\n  tcp_connect: [5432]\n", (const char *)NULL);
	CHECK(p && !sk_netns_wanted(p, 0)); /* a host service needs the host's namespace */
	stockade_plan_free(p);
	p = plan_from("preset:agent", "network:\n  mode: proxy\n  tcp_connect: [\"127.0.0.1:4000\"]\n", (const char *)NULL);
	CHECK(p && sk_netns_wanted(p, 4000) && !sk_netns_wanted(p, 4001));
	stockade_plan_free(p);
	p = plan_from("preset:agent", "network:\n  mode: proxy\n  tcp_connect: [\"127.0.0.1:4000\", \"127.0.0.1:5432\"]\n",
		      (const char *)NULL);
	CHECK(p && !sk_netns_wanted(p, 4000));
	stockade_plan_free(p);
	p = plan_from("preset:agent", "network:\n  mode: full\n", (const char *)NULL);
	CHECK(p && !sk_netns_wanted(p, 0));
	stockade_plan_free(p);
}

/* Made ahead (sk_netns_early, as `stockade run` does as root): the
 * namespace a child made is the one the stand-in for init joins, the
 * proxy's listener comes out of it, the host's 127.0.0.1 is not reachable
 * from it, and the child that made it is gone afterwards. */
TEST(netns_made_ahead_is_joined)
{
	uint16_t host_port = 0, proxy_port = 0;
	int host = listen_on(0, &host_port), probe = listen_on(0, &proxy_port), ctl[2], sync[2];
	char outside[64] = "";

	CHECK(host >= 0 && probe >= 0);
	close(probe);
	CHECK(readlink("/proc/self/ns/net", outside, sizeof(outside) - 1) > 0);
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) == 0 && pipe(sync) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		stockade_policy *pol = NULL;
		stockade_error *e = NULL;
		struct sk_netns_proxy np;
		int st = 0;

		close(ctl[0]);
		close(sync[0]);
		if (stockade_policy_new(&pol, &e) < 0)
			_exit(2);
		sk_netns_early(&np, pol, proxy_port);
		if (np.pidfd < 0)
			_exit(77); /* not started here: no CAP_SYS_ADMIN */
		pid_t maker = np.early.pid;
		if (!sk_netns_use(&np, true))
			_exit(3);
		np.ctl = ctl[1];
		/* init's stand-in */
		pid_t init = fork();
		if (init == 0) {
			char inside[64] = "", result;
			int fd;

			if (sk_netns_inside(&np, &e) < 0)
				_exit(4);
			if (readlink("/proc/self/ns/net", inside, sizeof(inside) - 1) <= 0 || !strcmp(inside, outside))
				_exit(5);
			fd = connect_to(proxy_port);
			if (fd < 0 || write(fd, "hi", 2) != 2)
				_exit(6);
			close(fd);
			fd = connect_to(host_port);
			result = fd == -ECONNREFUSED ? 'R' : fd >= 0 ? 'C' : 'E';
			_exit(write(sync[1], &result, 1) == 1 ? 0 : 7);
		}
		close(ctl[1]);
		while (waitpid(init, &st, 0) < 0 && errno == EINTR)
			;
		sk_netns_close(&np);
		/* reaped by its parent: no such process any more */
		if (kill(maker, 0) == 0 || errno != ESRCH)
			_exit(8);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 9);
	}
	close(ctl[1]);
	close(sync[1]);
	int status = listener_crossed(ctl[0], sync[0], pid, host, host_port);

	if (status == 77)
		SKIP("no CAP_SYS_ADMIN: the namespace is made by init, not ahead (netns_proxy_listener_crosses_the_namespace)");
}
