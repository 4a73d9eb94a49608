/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade-proxy's confinement, tried from inside (tests/tools/net-proxy-abuse.sh):
 * sk_proxy_lockdown() exactly as the proxy's main() calls it (the proxy's
 * own confine.o), then the sockets a compromised proxy would want.  Nothing
 * is sent: sockets are only made and closed.  One line per attempt,
 * "NAME made" or "NAME refused ERRNO", then the capabilities and uid left;
 * exit 0 when every line is as the confinement promises, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proxy/proxy.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

int main(void)
{
	static const struct {
		const char *name;
		int domain, type, protocol;
		bool allowed;
	} tries[] = {
		{ "tcp", AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, true },
		{ "tcp6", AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP, true },
		{ "unix", AF_UNIX, SOCK_STREAM, 0, false },
		{ "udp", AF_INET, SOCK_DGRAM, 0, false },
		{ "udp6", AF_INET6, SOCK_DGRAM, 0, false },
		{ "raw-icmp", AF_INET, SOCK_RAW, IPPROTO_ICMP, false },
		{ "icmp-dgram", AF_INET, SOCK_DGRAM, IPPROTO_ICMP, false },
		{ "packet", AF_PACKET, SOCK_RAW, 0, false },
		{ "netlink-route", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, false },
		{ "netlink-netfilter", AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER, false },
		{ "mptcp", AF_INET, SOCK_STREAM, IPPROTO_MPTCP, false },
		{ "sctp", AF_INET, SOCK_STREAM, IPPROTO_SCTP, false },
	};
	unsigned ports[] = { 53 };
	const char *step = "";
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	int ok = 1, sv[2];

	if (sk_proxy_lockdown(ports, 1, false, &step) < 0) {
		printf("lockdown failed: %s: %s\n", step, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		int fd = socket(tries[i].domain, tries[i].type, tries[i].protocol);
		if (fd >= 0) {
			printf("%s made\n", tries[i].name);
			close(fd);
		} else {
			printf("%s refused %d\n", tries[i].name, errno);
		}
		/* allowed ones may still fail for want of support (e.g. no IPv6) */
		if (!tries[i].allowed && fd >= 0)
			ok = 0;
	}
	/* Files: what the resolver reads, and nothing of the libraries when
	 * the proxy has no dynamic loader to need them (it is linked as this
	 * program is: the Makefile links both alike). */
	static const struct {
		const char *path;
		bool allowed;
	} files[] = { { "/etc/hosts", true }, { "/dev/urandom", true }, { "/usr/bin/env", false }, { "/root", false } };
	bool dynamic = getauxval(AT_BASE) != 0;

	printf("linked %s\n", dynamic ? "dynamically" : "statically");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		bool want = files[i].allowed || (dynamic && !strncmp(files[i].path, "/usr/", 5));
		int fd = open(files[i].path, O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			printf("read %s opened\n", files[i].path);
			close(fd);
		} else {
			printf("read %s refused %d\n", files[i].path, errno);
		}
		/* (refused for want of the file is no failure: only EACCES) */
		if ((fd >= 0) != want && !(fd < 0 && errno != EACCES))
			ok = 0;
	}
	if (socketpair(AF_INET, SOCK_STREAM, 0, sv) == 0) {
		printf("socketpair-inet made\n");
		ok = 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		printf("socketpair-unix refused %d\n", errno);
		ok = 0;
	}
	/* a datagram pair could send to any pathname datagram socket */
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0 || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0) {
		printf("socketpair-unix-dgram made\n");
		ok = 0;
	} else {
		printf("socketpair-unix-dgram refused %d\n", errno);
	}
	if (syscall(SYS_capget, &h, d) < 0 || d[0].effective || d[0].permitted || d[1].effective || d[1].permitted ||
	    d[0].inheritable || d[1].inheritable) {
		printf("capabilities left: %08x%08x\n", d[1].effective, d[0].effective);
		ok = 0;
	}
	if (prctl(PR_CAPBSET_READ, 21 /* CAP_SYS_ADMIN */, 0, 0, 0) != 0) {
		printf("CAP_SYS_ADMIN still in the bounding set\n");
		ok = 0;
	}
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) {
		printf("dumpable\n");
		ok = 0;
	}
	printf("uid %u euid %u\n", (unsigned)getuid(), (unsigned)geteuid());
	if (getuid() == 0 || geteuid() == 0)
		ok = 0;
	return ok ? 0 : 1;
}
