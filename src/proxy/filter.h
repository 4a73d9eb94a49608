/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The proxy's seccomp policy (src/proxy/confine.c, docs/network.md), as
 * policy text: tools/gen_proxy_filter.c compiles it with libstockade when
 * stockade is built, into $(BUILD)/gen/proxy_filter.c, the filter
 * stockade-proxy loads (sk_proxy_filter); the proxy itself links no
 * libstockade, libseccomp or libyaml and compiles nothing at its start.
 */
#ifndef STOCKADE_PROXY_FILTER_H
#define STOCKADE_PROXY_FILTER_H

#include <linux/filter.h>

/* The compiled filter, for the architecture stockade was built on. */
extern const struct sock_filter sk_proxy_filter[];
extern const unsigned short sk_proxy_filter_len;

#ifdef SK_PROXY_POLICY_TEXT
/* agent's denials, without its file rules (the proxy has its own
 * Landlock domain), and no exec at all, which the proxy never needs.
 * socket() makes TCP sockets only: c-ares needs nothing else, and an
 * AF_UNIX socket could connect to any pathname socket the proxy's uid may
 * open (Landlock does not fence those): an ssh agent, a container
 * engine's.  socketpair() stays for stream sockets, which reach nothing but
 * each other (a datagram one could sendto() any pathname datagram socket:
 * /dev/log, the journal's, notify sockets). */
static const char sk_proxy_policy[] =
	"name: stockade-proxy\n"
	"seccomp:\n"
	"  default_action: allow\n"
	"  deny_action: errno:EPERM\n"
	"  compat_arches: refuse\n"
	"  deny: [\"@bpf\", \"@clock\", \"@cpu-emulation\", \"@debug\", \"@exploit-primitives\", \"@io-uring\",\n"
	"         \"@keyring\", \"@module\", \"@mount\", \"@namespaces\", \"@numa\", \"@obsolete\", \"@privileged\",\n"
	"         \"@raw-io\", \"@reboot\", \"@swap\", process_madvise, execve, execveat]\n"
	"  rules:\n"
	"    - syscall: socket\n"
	"      args: [\"arg0 == AF_INET\", \"arg1 & 0xf == SOCK_STREAM\", \"arg2 == 0\"]\n"
	"      action: allow\n"
	"    - syscall: socket\n"
	"      args: [\"arg0 == AF_INET\", \"arg1 & 0xf == SOCK_STREAM\", \"arg2 == IPPROTO_TCP\"]\n"
	"      action: allow\n"
	"    - syscall: socket\n"
	"      args: [\"arg0 == AF_INET6\", \"arg1 & 0xf == SOCK_STREAM\", \"arg2 == 0\"]\n"
	"      action: allow\n"
	"    - syscall: socket\n"
	"      args: [\"arg0 == AF_INET6\", \"arg1 & 0xf == SOCK_STREAM\", \"arg2 == IPPROTO_TCP\"]\n"
	"      action: allow\n"
	"    - syscall: socket\n"
	"      action: errno:EACCES\n"
	"    - syscall: socketpair\n"
	"      args: [\"arg0 == AF_UNIX\", \"arg1 & 0xf == SOCK_STREAM\"]\n"
	"      action: allow\n"
	"    - syscall: socketpair\n"
	"      action: errno:EACCES\n"
	"    - syscall: clone3\n"
	"      action: errno:ENOSYS\n"
	"    - syscall: clone\n"
	"      args: [\"arg0 & CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|"
	"CLONE_NEWNET\"]\n"
	"      action: errno:EPERM\n"
	"    - syscall: clone\n"
	"      action: allow\n";
#endif

#endif
