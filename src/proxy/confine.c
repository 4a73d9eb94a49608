/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The proxy confines itself before it reads a byte of the sandbox's
 * requests: no_new_privs, then a Landlock domain in which files are
 * read-only and only what the resolver reads (/etc, systemd-resolved's
 * resolv.conf, /dev/urandom for c-ares's query ids) and, when it was
 * dynamically linked, the libraries, TCP
 * cannot be bound and connects only to the ports the allowed hosts are
 * reached on (and 53, DNS over TCP), and signals and abstract unix sockets
 * stay inside.  Best effort: what the kernel's Landlock lacks is left out
 * (docs/network.md).  Then
 * a seccomp filter with agent's denials and no exec (sk_proxy_seccomp):
 * no mount, ptrace, bpf, io_uring, namespaces, module or keyring calls,
 * no execve, no 32-bit entry points; and sockets are TCP (AF_INET,
 * AF_INET6 SOCK_STREAM), nothing else (no unix, raw, packet, netlink or
 * UDP socket; DNS goes over TCP).
 * Before all that it gives up its privileges (sk_proxy_drop_privileges):
 * no capability in any set, and started by root, the uid and gid of
 * nobody; never dumpable, so its memory and environment stay its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock/abi.h"
#include "proxy/filter.h"
#include "proxy/proxy.h"

static const char *const readable[] = { "/etc", "/run/systemd/resolve", "/run/resolvconf" };
/* The libraries, for a proxy the dynamic loader started (the glibc build:
 * glibc loads libgcc_s when a thread ends); a static one (the musl build)
 * reads none of them, and gets none. */
static const char *const libraries[] = { "/usr", "/lib", "/lib64", "/lib32" };
/* Single files: c-ares seeds its DNS query ids from /dev/urandom (with
 * rand() where it cannot read it). */
static const char *const readable_files[] = { "/dev/urandom" };

/* A path_beneath rule for `path` with `access`; a path that is not there
 * is skipped.  0, or -1 with errno. */
static int allow_path(int rfd, const char *path, uint64_t access)
{
	struct sk_path_beneath_attr pb = { .allowed_access = access };
	int r;

	pb.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return 0;
	r = (int)syscall(__NR_landlock_add_rule, rfd, SK_RULE_PATH_BENEATH, &pb, 0);
	close(pb.parent_fd);
	return r < 0 ? -1 : 0;
}

int sk_proxy_confine(const unsigned *ports, size_t nports, bool any_port)
{
	struct sk_ruleset_attr attr = { 0 };
	size_t size = sizeof(attr.handled_access_fs);
	int abi, rfd;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	abi = (int)syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return 0; /* no Landlock: stockade says so (docs/network.md) */
	attr.handled_access_fs = abi >= 5 ? FS_V5 : abi >= 3 ? FS_V3 : abi >= 2 ? FS_V2 : FS_V1;
	if (abi >= 4) {
		attr.handled_access_net = any_port ? LANDLOCK_ACCESS_NET_BIND_TCP : NET_V4;
		size = offsetof(struct sk_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = SCOPE_V6;
		size = sizeof(attr);
	}
	rfd = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (rfd < 0)
		return -1;
	for (size_t i = 0; i < sizeof(readable) / sizeof(readable[0]); i++)
		if (allow_path(rfd, readable[i], LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR) < 0) {
			close(rfd);
			return -1;
		}
	/* (AT_BASE: where the kernel put the program's interpreter; 0 for
	 * a static binary, which has none.) */
	for (size_t i = 0; getauxval(AT_BASE) != 0 && i < sizeof(libraries) / sizeof(libraries[0]); i++)
		if (allow_path(rfd, libraries[i], LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR) < 0) {
			close(rfd);
			return -1;
		}
	/* resolv.conf and hosts where they really are: a link of the
	 * system's out of /etc (WSL's /mnt/wsl/resolv.conf, NetworkManager's
	 * /run/NetworkManager/resolv.conf). */
	static const char *const resolver_files[] = { "/etc/resolv.conf", "/etc/hosts" };
	for (size_t i = 0; i < sizeof(resolver_files) / sizeof(resolver_files[0]); i++) {
		char real[PATH_MAX];

		if (realpath(resolver_files[i], real) && strcmp(real, resolver_files[i]) &&
		    allow_path(rfd, real, LANDLOCK_ACCESS_FS_READ_FILE) < 0) {
			close(rfd);
			return -1;
		}
	}
	for (size_t i = 0; i < sizeof(readable_files) / sizeof(readable_files[0]); i++)
		if (allow_path(rfd, readable_files[i], LANDLOCK_ACCESS_FS_READ_FILE) < 0) {
			close(rfd);
			return -1;
		}
	for (size_t i = 0; abi >= 4 && !any_port && i < nports; i++) {
		struct sk_net_port_attr np = { .allowed_access = LANDLOCK_ACCESS_NET_CONNECT_TCP, .port = ports[i] };
		if (syscall(__NR_landlock_add_rule, rfd, SK_RULE_NET_PORT, &np, 0) < 0 && errno != EEXIST) {
			close(rfd);
			return -1;
		}
	}
	if (syscall(__NR_landlock_restrict_self, rfd, 0) < 0) {
		close(rfd);
		return -1;
	}
	close(rfd);
	return 0;
}


#define NOBODY 65534

static bool any_capability(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (syscall(SYS_capget, &h, d) < 0)
		return true; /* cannot tell: not dropped */
	return d[0].effective || d[0].permitted || d[0].inheritable || d[1].effective || d[1].permitted ||
	       d[1].inheritable;
}

int sk_proxy_drop_privileges(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[2] = { { 0 } };

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -1;
	if (any_capability()) {
		/* The bounding set first: dropping it needs CAP_SETPCAP. */
		for (int cap = 0; cap < 64; cap++)
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
				return -1;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
			return -1;
	}
	/* Root: nobody's uid and gid (what it needs is open already: the
	 * listener, the pidfd, the events file, the control socket). */
	if (geteuid() == 0 || getuid() == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
		    setresuid(NOBODY, NOBODY, NOBODY) < 0)
			return -1;
	}
	if (any_capability() && syscall(SYS_capset, &h, none) < 0)
		return -1;
	if (any_capability()) {
		errno = EPERM;
		return -1;
	}
	/* Again: a change of credentials resets it. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -1;
	return 0;
}

int sk_proxy_seccomp(void)
{
	/* Compiled when stockade was built (proxy/filter.h): nothing to
	 * parse or generate here, and no library to load for it. */
	struct sock_fprog fp = { .len = sk_proxy_filter_len, .filter = (struct sock_filter *)(uintptr_t)sk_proxy_filter };

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp, 0, 0) < 0 ? -1 : 0;
}

int sk_proxy_lockdown(const unsigned *ports, size_t nports, bool any_port, const char **step)
{
	*step = "cannot drop its privileges";
	if (sk_proxy_drop_privileges() < 0)
		return -1;
	*step = "cannot confine itself";
	if (sk_proxy_confine(ports, nports, any_port) < 0)
		return -1;
	*step = "cannot load its seccomp filter";
	return sk_proxy_seccomp();
}
