/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade-proxy's way upstream: a name's addresses from Debian's c-ares
 * (/etc/hosts, then DNS over TCP, which is all the proxy's seccomp filter
 * lets it do), and a connect that gives up in time.  What may be reached
 * is proxy.c's to decide (reach()), on every address before it is used.
 */
#include <ares.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "proxy/proxy.h"

#define RESOLVE_TRY_MS 5000 /* one query to one server (glibc's default) */

int sk_proxy_connect(const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	int err = 0;
	socklen_t elen = sizeof(err);

	if (fd < 0)
		return -1;
	if (connect(fd, sa, len) < 0 && errno != EINPROGRESS)
		goto fail;
	if (poll(&pfd, 1, SK_PROXY_CONNECT_TIMEOUT_MS) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err)
		goto fail;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/* One lookup's outcome, filled in by c-ares's callback. */
struct lookup {
	bool done;
	int status;
	struct ares_addrinfo *res;
};

static void resolved(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct lookup *lk = arg;

	lk->done = true;
	lk->status = status;
	lk->res = res;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* host's addresses (c-ares: /etc/hosts, then the servers of
 * /etc/resolv.conf over TCP), waiting at most SK_PROXY_RESOLVE_TIMEOUT_MS in all.
 * A channel per lookup: a channel is not safe to share between threads,
 * and each lookup reads resolv.conf as it is now.  ARES_SUCCESS with *out
 * set, or an ares status with *out NULL, or SK_PROXY_RESOLVE_DEADLINE. */
int sk_proxy_resolve(const char *host, struct ares_addrinfo **out)
{
	struct ares_options o = {
		/* USEVC: the filter lets no UDP socket be made.  NOSEARCH
		 * and no domains (ares_getaddrinfo() in c-ares 1.18 ignores
		 * the flag; an empty list of its own is what it heeds): the
		 * name asked, never with resolv.conf's search domains
		 * appended (allowed `x.example` must not reach
		 * `x.example.corp`); NOALIASES: nor a HOSTALIASES file's
		 * renaming. */
		.flags = ARES_FLAG_USEVC | ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES,
		.domains = NULL,
		.ndomains = 0,
		.lookups = (char *)"fb",  /* the hosts file, then DNS */
		.timeout = RESOLVE_TRY_MS,
		.tries = 2,
	};
	/* NOSORT: RFC 6724 sorting would ask for a UDP socket per address. */
	struct ares_addrinfo_hints hints = { .ai_flags = ARES_AI_NOSORT, .ai_family = AF_UNSPEC,
					     .ai_socktype = SOCK_STREAM };
	struct lookup lk = { .done = false };
	long long deadline = now_ms() + SK_PROXY_RESOLVE_TIMEOUT_MS;
	ares_channel ch;
	int r;

	*out = NULL;
	r = ares_init_options(&ch, &o,
			      ARES_OPT_FLAGS | ARES_OPT_LOOKUPS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_DOMAINS);
	if (r != ARES_SUCCESS)
		return r;
	/* A hosts file answer comes back before this returns. */
	ares_getaddrinfo(ch, host, NULL, &hints, resolved, &lk);
	while (!lk.done) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		struct pollfd p[ARES_GETSOCK_MAXNUM];
		/* (c-ares's ARES_GETSOCK_WRITABLE shifts a signed 1 by up
		 * to 31: the bits are read unsigned here) */
		unsigned bits = (unsigned)ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
		nfds_t n = 0;
		long long left = deadline - now_ms();
		struct timeval max, tv, *t;

		if (left <= 0)
			break;
		for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			short ev = (short)((bits & (1u << i) ? POLLIN : 0) |
					   (bits & (1u << (i + ARES_GETSOCK_MAXNUM)) ? POLLOUT : 0));
			if (ev)
				p[n++] = (struct pollfd){ .fd = socks[i], .events = ev };
		}
		max = (struct timeval){ .tv_sec = left / 1000, .tv_usec = (left % 1000) * 1000 };
		t = ares_timeout(ch, &max, &tv);
		r = poll(p, n, (int)(t->tv_sec * 1000 + (t->tv_usec + 999) / 1000));
		if (r < 0 && errno != EINTR)
			break;
		/* Timeouts are handled on every call, a socket or none. */
		if (r <= 0)
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		for (nfds_t i = 0; r > 0 && i < n && !lk.done; i++)
			if (p[i].revents)
				ares_process_fd(ch, p[i].revents & (POLLIN | POLLERR | POLLHUP) ? p[i].fd : ARES_SOCKET_BAD,
						p[i].revents & (POLLOUT | POLLERR | POLLHUP) ? p[i].fd : ARES_SOCKET_BAD);
	}
	/* Not answered in time: the callback runs now (ARES_EDESTRUCTION),
	 * which is reported as the time out it was. */
	bool answered = lk.done;
	ares_destroy(ch);
	if (!answered)
		lk.status = SK_PROXY_RESOLVE_DEADLINE;
	else if (lk.status == ARES_SUCCESS && (!lk.res || !lk.res->nodes))
		lk.status = ARES_ENODATA;
	if (lk.status != ARES_SUCCESS) {
		ares_freeaddrinfo(lk.res);
		return lk.status;
	}
	*out = lk.res;
	return ARES_SUCCESS;
}

/* c-ares takes a resolv.conf or hosts file it cannot read for an absent
 * one (127.0.0.1 as the name server, no hosts): a file that is there but
 * unreadable (its mode, a link out of the proxy's Landlock domain) is
 * said instead.  The one that is, or NULL; *err its errno. */
const char *sk_proxy_unreadable_resolver_file(int *err)
{
	static const char *const files[] = { "/etc/resolv.conf", "/etc/hosts" };

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			close(fd);
		else if (errno != ENOENT) {
			*err = errno;
			return files[i];
		}
	}
	return NULL;
}
