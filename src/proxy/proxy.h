/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade-proxy's helpers: the address guard and the credential
 * (guard.c), moving bytes (relay.c), the way upstream (resolve.c), and the
 * proxy's own confinement (confine.c).  The proxy is a
 * program of its own (proxy.c); nothing in the library links these.
 */
#ifndef STOCKADE_PROXY_H
#define STOCKADE_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* What stockade hands the proxy (src/cli/proxy_start.c). */
#define SK_PROXY_LISTEN_FD 3
#define SK_PROXY_PIDFD 4

/* The range an address lies in that the proxy does not reach unless the
 * name is pinned ("loopback", "private", "link-local or metadata", ...),
 * or NULL for a public address. */
const char *sk_proxy_private_range(const struct sockaddr *sa);
/* Numeric text of an address; 0 or -1. */
int sk_proxy_addr_text(const struct sockaddr *sa, char *buf, size_t size);
void sk_proxy_set_port(struct sockaddr *sa, unsigned port);
/* A numeric IPv4 or IPv6 address into *out; 0 or -1. */
int sk_proxy_parse_addr(const char *s, struct sockaddr_storage *out, socklen_t *len);
/* "Basic base64(user:password)", malloc'd; NULL on no memory. */
char *sk_proxy_basic_auth(const char *user, const char *password);
/* The header value (len bytes) equals `want`, compared in constant time. */
bool sk_proxy_token_equal(const char *value, size_t len, const char *want);

/* All of buf to fd (MSG_NOSIGNAL); false when the peer is gone. */
bool sk_proxy_write_all(int fd, const void *buf, size_t len);
/* Both ways until both sides are done; a half-close is passed on, and the
 * other way is then dropped after 10 s without traffic (a client that left
 * does not keep an idle upstream open); 10 minutes of silence either way
 * ends it too (relay.c). */
void sk_proxy_relay(int a, int b);
/* A listening socket from the control socket: the descriptor, -1 for a
 * message without one (or not a listening TCP socket), -2 at the end. */
int sk_proxy_recv_listener(int ctl);

/* Not dumpable; no capability left in any set (bounding and ambient
 * included); started by root, uid and gid 65534 (nobody) and no
 * supplementary groups.  0, or -1 with errno. */
int sk_proxy_drop_privileges(void);
/* no_new_privs, then Landlock: read-only files (what the resolver reads),
 * no TCP bind, TCP connect only to `ports` (any port under audit), and
 * signals and abstract sockets scoped.  -1 with errno where the kernel
 * refuses; best effort where it lacks a feature. */
int sk_proxy_confine(const unsigned *ports, size_t nports, bool any_port);
/* Then a seccomp filter with agent's denials, no exec, and sockets that
 * are TCP only (filter.h); -1 with errno. */
int sk_proxy_seccomp(void);
/* All three, in that order, as the proxy does before it serves (and
 * tests/tools/proxy-confine-check.c); 0, or -1 with errno and *step
 * naming the one that failed. */
int sk_proxy_lockdown(const unsigned *ports, size_t nports, bool any_port, const char **step);

/* resolve.c: the way upstream.  A TCP connection to sa, or -1 after
 * SK_PROXY_CONNECT_TIMEOUT_MS. */
#define SK_PROXY_CONNECT_TIMEOUT_MS 15000
#define SK_PROXY_RESOLVE_TIMEOUT_MS 15000 /* to resolve a name, in all */
#define SK_PROXY_RESOLVE_DEADLINE (-1)	  /* sk_proxy_resolve(): the time ran out (no ares status) */
int sk_proxy_connect(const struct sockaddr *sa, socklen_t len);
struct ares_addrinfo;
/* host's addresses, within SK_PROXY_RESOLVE_TIMEOUT_MS in all: ARES_SUCCESS
 * with *out set, an ares status with *out NULL, or SK_PROXY_RESOLVE_DEADLINE. */
int sk_proxy_resolve(const char *host, struct ares_addrinfo **out);
/* A resolv.conf or hosts file that is there but cannot be read (c-ares
 * would take it for an absent one), or NULL; *err its errno. */
const char *sk_proxy_unreadable_resolver_file(int *err);

#endif
