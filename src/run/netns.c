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
#include <poll.h>
#include <signal.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/timing.h"
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

/* What the child reads: in its own mapping. */
struct early_args {
	int done;  /* write end: 0 once the namespace is there, or -errno */
	int hold;  /* read end: it waits there, in the namespace, to be joined */
	int hold_w; /* the write end: its own copy closed, so that EOF comes */
};

/* Sharing this process's memory: raw system calls only (vmchild.h).  It
 * makes the namespace (here, not in the clone: a clone's namespaces are
 * made in its caller's time), brings lo up, says so, and stays in it until
 * init has joined it (setns through a pidfd) and writes a byte to `hold`,
 * or every holder of its write end is gone. */
static int SK_VMCHILD_FN early_child(void *arg)
{
	const struct early_args *a = arg;
	struct ifreq ifr = { .ifr_name = "lo" };
	long fd, r;
	int word;
	char byte;

	sk_raw_syscall(SYS_close, a->hold_w, 0, 0, 0);
	r = sk_raw_syscall(SYS_unshare, CLONE_NEWNET, 0, 0, 0);
	if (r == 0) {
		fd = sk_raw_syscall(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, 0);
		r = fd < 0 ? fd : sk_raw_syscall(SYS_ioctl, fd, SIOCGIFFLAGS, (long)&ifr, 0);
		if (r == 0) {
			ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
			r = sk_raw_syscall(SYS_ioctl, fd, SIOCSIFFLAGS, (long)&ifr, 0);
		}
		if (fd >= 0)
			sk_raw_syscall(SYS_close, fd, 0, 0, 0);
	}
	word = (int)r;
	sk_raw_syscall(SYS_write, a->done, (long)&word, sizeof(word), 0);
	if (r == 0)
		while (sk_raw_syscall(SYS_read, a->hold, (long)&byte, 1, 0) == -EINTR)
			;
	return 0;
}

static bool may_make_netns(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN);
}

/* The child, told to end (a byte where it waits); also killed where this
 * process can (a pidfd signals only within this pid namespace and below). */
static void early_release(const struct sk_netns_proxy *p)
{
	char byte = 0;

	if (p->hold[1] >= 0 && write(p->hold[1], &byte, 1) < 0) {
		/* ended already */
	}
	if (p->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
}

static void early_end(struct sk_netns_proxy *p)
{
	early_release(p);
	if (p->pidfd >= 0)
		close(p->pidfd);
	p->pidfd = -1;
	for (int k = 0; k < 2; k++) {
		if (p->done[k] >= 0)
			close(p->done[k]);
		if (p->hold[k] >= 0)
			close(p->hold[k]);
		p->done[k] = p->hold[k] = -1;
	}
}

void sk_netns_early(struct sk_netns_proxy *p, const stockade_policy *policy, uint16_t port)
{
	struct early_args *a;
	pid_t pid;

	*p = (struct sk_netns_proxy){ .ctl = -1, .port = port, .pidfd = -1, .done = { -1, -1 }, .hold = { -1, -1 } };
	/* Without CAP_SYS_ADMIN, init makes it in its user namespace. */
	if (!port || policy->isolation_override == SK_ISOLATION_OFF || !may_make_netns())
		return;
	if (pipe2(p->done, O_CLOEXEC) < 0 || pipe2(p->hold, O_CLOEXEC) < 0 ||
	    sk_vmchild_map(&p->early, sizeof(*a)) < 0) {
		early_end(p);
		return;
	}
	a = sk_vmchild_alloc(&p->early, sizeof(*a));
	*a = (struct early_args){ .done = p->done[1], .hold = p->hold[0], .hold_w = p->hold[1] };
	pid = sk_vmchild_start(&p->early, early_child, a, 0);
	if (pid < 0) {
		sk_vmchild_release(&p->early);
		early_end(p);
		return;
	}
	/* (Its pid stays ours until it is reaped: the pidfd names it.) */
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	p->owner = getpid();
	/* (hold[0] stays open here too: a byte written after the child has
	 * gone is no SIGPIPE.) */
	close(p->done[1]);
	p->done[1] = -1;
	if (p->pidfd < 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		sk_vmchild_release(&p->early);
		early_end(p);
	}
}

bool sk_netns_use(struct sk_netns_proxy *p, bool use)
{
	if (p->pidfd < 0)
		return false;
	if (use) {
		p->join = true;
		return true;
	}
	/* Not wanted after all: ended, reaped, unmapped. */
	early_release(p);
	while (waitpid(p->early.pid, NULL, 0) < 0 && errno == EINTR)
		;
	sk_vmchild_release(&p->early);
	early_end(p);
	return false;
}

void sk_netns_close(struct sk_netns_proxy *p)
{
	bool parent = p->pidfd >= 0 && p->owner == getpid();

	early_end(p);
	/* In place (no namespaces after all), in the process that made it:
	 * reaped, so the command does not find it among its children.
	 * (Elsewhere its mapping stays: this process's copy, or the outer
	 * process, which ends with the run.) */
	if (parent) {
		while (waitpid(p->early.pid, NULL, 0) < 0 && errno == EINTR)
			;
		sk_vmchild_release(&p->early);
	}
}

/* In init: wait for the child's word, then join its namespace.  0, or a
 * negative errno (init then makes one of its own). */
static int early_join(const struct sk_netns_proxy *p)
{
	struct pollfd pf = { .fd = p->done[0], .events = POLLIN };
	int word = -ECHILD, r;

	while ((r = poll(&pf, 1, 10000)) < 0 && errno == EINTR)
		;
	if (r == 1 && read(p->done[0], &word, sizeof(word)) != (ssize_t)sizeof(word))
		word = -ECHILD;
	if (word == 0 && setns(p->pidfd, CLONE_NEWNET) < 0)
		word = -errno;
	/* In it (or not): the child is done either way. */
	early_release(p);
	return word;
}

int sk_netns_inside(void *data, stockade_error **err)
{
	const struct sk_netns_proxy *p = data;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int ret, fd = -1;

	/* Made ahead, lo up: joined.  Where that fails (it could not be
	 * made, or init is in a user namespace of its own), one of init's
	 * own, as init's clone would have made. */
	if (p->join && early_join(p) < 0 && unshare(CLONE_NEWNET) < 0) {
		ret = sk_error(err, errno, "network namespace: %s", strerror(errno));
		if (p->ctl >= 0)
			close(p->ctl);
		return ret;
	}
	sk_timing("namespaces: network joined");
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
