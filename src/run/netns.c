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
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

/* ---- made ahead ---- */

/* What the child reads and writes: in its own mapping. */
struct early_args {
	uint16_t port;
	int lfd, nsfd; /* made in the shared descriptor table (CLONE_FILES) */
	int err;       /* an errno, and the step it came from */
	const char *step;
};

/* Sharing this process's memory and descriptors: raw system calls only
 * (vmchild.h). */
static int SK_VMCHILD_FN early_child(void *arg)
{
	struct early_args *a = arg;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(a->port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct ifreq ifr = { .ifr_name = "lo" };
	long fd, r;

	/* Here, not in the clone: the clone's namespaces are made in the
	 * caller's time. */
	a->step = "unshare(CLONE_NEWNET)";
	fd = sk_raw_syscall(SYS_unshare, CLONE_NEWNET, 0, 0, 0);
	if (fd < 0)
		goto fail;
	a->step = "socket";
	fd = sk_raw_syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, 0);
	if (fd < 0)
		goto fail;
	a->step = "bringing lo up";
	r = sk_raw_syscall(SYS_ioctl, fd, SIOCGIFFLAGS, (long)&ifr, 0);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		r = sk_raw_syscall(SYS_ioctl, fd, SIOCSIFFLAGS, (long)&ifr, 0);
	}
	sk_raw_syscall(SYS_close, fd, 0, 0, 0);
	if ((fd = r) < 0)
		goto fail;
	a->step = "the proxy's listener";
	fd = a->lfd = (int)sk_raw_syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, 0);
	if (fd < 0 || (fd = sk_raw_syscall(SYS_bind, a->lfd, (long)&sa, sizeof(sa), 0)) < 0 ||
	    (fd = sk_raw_syscall(SYS_listen, a->lfd, 128, 0, 0)) < 0)
		goto fail;
	a->step = "opening /proc/self/ns/net";
	fd = a->nsfd = (int)sk_raw_syscall(SYS_openat, AT_FDCWD, (long)"/proc/self/ns/net", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	return 0;
fail:
	a->err = (int)-fd;
	return 1;
}

static bool may_make_netns(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN);
}

void sk_netns_early(struct sk_netns_proxy *p, const stockade_policy *policy, uint16_t port)
{
	struct early_args *a;

	*p = (struct sk_netns_proxy){ .ctl = -1, .port = port, .nsfd = -1, .early_lfd = -1 };
	/* Without CAP_SYS_ADMIN, init makes it in its user namespace. */
	if (!port || policy->isolation_override == SK_ISOLATION_OFF || !may_make_netns())
		return;
	if (sk_vmchild_map(&p->early, sizeof(*a)) < 0)
		return;
	a = sk_vmchild_alloc(&p->early, sizeof(*a));
	*a = (struct early_args){ .port = port, .lfd = -1, .nsfd = -1 };
	if (sk_vmchild_start(&p->early, early_child, a, CLONE_FILES) < 0)
		sk_vmchild_release(&p->early);
}

bool sk_netns_ready(struct sk_netns_proxy *p, bool use)
{
	struct early_args *a = p->early.map;
	int st = 0, ret;

	if (!p->early.map)
		return false;
	while ((ret = waitpid(p->early.pid, &st, 0)) < 0 && errno == EINTR)
		;
	/* (Reaped: its stack is unused; what it wrote is there to read.) */
	if (ret == p->early.pid && WIFEXITED(st) && WEXITSTATUS(st) == 0 && use && p->ctl >= 0 &&
	    send_fd(p->ctl, a->lfd) == 0) {
		p->nsfd = a->nsfd;
		p->join = true;
	} else {
		p->early_err = a->err ? a->err : ECHILD;
		snprintf(p->early_step, sizeof(p->early_step), "%s", a->step ? a->step : "clone");
		if (a->nsfd >= 0)
			close(a->nsfd);
	}
	if (a->lfd >= 0)
		close(a->lfd);
	sk_vmchild_release(&p->early);
	return p->join;
}

void sk_netns_close(struct sk_netns_proxy *p)
{
	if (p->nsfd >= 0)
		close(p->nsfd);
	p->nsfd = -1;
}

int sk_netns_inside(void *data, stockade_error **err)
{
	const struct sk_netns_proxy *p = data;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int ret, fd = -1;

	/* Made ahead: everything is there.  (nsfd stays open here: the
	 * command's side closes its copy, sk_netns_close().) */
	if (p->join) {
		if (setns(p->nsfd, CLONE_NEWNET) == 0) {
			if (p->ctl >= 0)
				close(p->ctl);
			confined_port = p->port;
			return 0;
		}
		/* Not ours to join (init is in a user namespace of its own):
		 * one of its own, as init's clone would have made. */
		if (unshare(CLONE_NEWNET) < 0) {
			ret = sk_error(err, errno, "network namespace: %s", strerror(errno));
			if (p->ctl >= 0)
				close(p->ctl);
			return ret;
		}
	}
	ret = lo_up(err);

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
