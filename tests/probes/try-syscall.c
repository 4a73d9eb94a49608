/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * try-syscall: perform one raw system call by name and report its errno in
 * the exit status.  The live test tier runs it under `stockade run` and
 * compares the result with an unconfined run of the same command: a call
 * the filter lets through gives the kernel's own answer, a denied one gives
 * the policy's errno (or a SIGSYS death).
 *
 *   try-syscall NAME [ARG...]          one call from the table below
 *   try-syscall int80 NAME [ARG...]    the i386 entry point (int $0x80)
 *   try-syscall x32 NAME [ARG...]      the x32 entry point (nr | 0x40000000)
 *   try-syscall memfd-exec [FLAGS]     copy /bin/true into a memfd, execveat()
 *                                      it with AT_EMPTY_PATH
 *   try-syscall fexecve-memfd [FLAGS]  the same through glibc's fexecve()
 *   try-syscall list                   print the names this probe knows
 *
 * Arguments are numbers (decimal, 0x hex, 0 octal, negative) or symbolic
 * names (CLONE_NEWUSER, AF_PACKET, TIOCSTI, MFD_EXEC, ...) joined with '|'.
 * Pointer arguments are supplied by the probe itself.
 *
 * Exit status: 0 if the call succeeded, its errno if it failed, 254 for a
 * usage error, 253 if the probe could not set up the call (not a result of
 * the call itself).  A process killed by the filter dies of SIGSYS.
 *
 * Every call is made harmless by construction: paths that do not exist,
 * invalid fds, invalid magic numbers, invalid clock ids, NULL buffers the
 * kernel rejects before acting.  Nothing here can reboot, load a module,
 * enable swap, change the clock or inject terminal input.
 *
 * The calls, how each is made and what root and nobody get unconfined are
 * listed in try-syscall/calls.c.
 *
 * int80: i386 numbers, args truncated to 32 bits, string pointers placed
 * below 4 GiB; `int80 socketcall DOMAIN TYPE [PROTO]` goes through the
 * i386 socketcall(SYS_SOCKET, ...) multiplexer.  x32: x86_64 numbers | 0x40000000; ENOSYS unconfined on a
 * kernel without CONFIG_X86_X32_ABI.  Both die of SIGSYS under a filter
 * that does not admit the architecture.
 *
 * memfd-exec / fexecve-memfd: exit 0 if /bin/true ran (the exec happened),
 * else the errno of the step that failed (memfd_create or the exec).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "try-syscall/calls.h"

#define X32_SYSCALL_BIT 0x40000000UL
#define MAX_ARGS 6

struct sym {
	const char *name;
	unsigned long value;
};

#define SYM(x) { #x, (unsigned long)(x) }
static const struct sym syms[] = {
	SYM(CLONE_NEWUSER), SYM(CLONE_NEWNS), SYM(CLONE_NEWNET), SYM(CLONE_NEWPID), SYM(CLONE_NEWUTS),
	SYM(CLONE_NEWIPC), SYM(CLONE_NEWCGROUP), SYM(CLONE_NEWTIME), SYM(CLONE_FILES), SYM(CLONE_FS),
	SYM(CLONE_SYSVSEM), SYM(CLONE_VM), SYM(SIGCHLD),
	SYM(AF_UNIX), SYM(AF_LOCAL), SYM(AF_INET), SYM(AF_INET6), SYM(AF_NETLINK), SYM(AF_PACKET),
	SYM(AF_VSOCK), SYM(AF_ALG), SYM(AF_BLUETOOTH), SYM(AF_KEY), SYM(AF_APPLETALK), SYM(AF_X25),
	SYM(AF_CAN), SYM(AF_TIPC), SYM(AF_XDP), SYM(AF_RDS), SYM(AF_NFC),
	SYM(SOCK_STREAM), SYM(SOCK_DGRAM), SYM(SOCK_RAW), SYM(SOCK_SEQPACKET), SYM(SOCK_CLOEXEC),
	SYM(SOCK_NONBLOCK),
	SYM(TIOCSTI), SYM(TIOCLINUX), SYM(TCGETS), SYM(FIONREAD), SYM(FIOCLEX),
	SYM(AT_EMPTY_PATH), SYM(AT_FDCWD), SYM(AT_SYMLINK_NOFOLLOW),
	SYM(MFD_CLOEXEC), SYM(MFD_ALLOW_SEALING), SYM(MFD_NOEXEC_SEAL), SYM(MFD_EXEC),
	SYM(O_CLOEXEC), SYM(O_NONBLOCK), SYM(UFFD_USER_MODE_ONLY),
	SYM(PER_LINUX), SYM(PER_LINUX32), SYM(PER_BSD), SYM(PER_SVR4), SYM(READ_IMPLIES_EXEC),
	SYM(ADDR_NO_RANDOMIZE), SYM(MMAP_PAGE_ZERO), SYM(ADDR_COMPAT_LAYOUT), SYM(ADDR_LIMIT_32BIT),
	SYM(ADDR_LIMIT_3GB), SYM(SHORT_INODE), SYM(WHOLE_SECONDS), SYM(STICKY_TIMEOUTS),
	SYM(FDPIC_FUNCPTRS), SYM(UNAME26),
	{ "PERSONALITY_QUERY", 0xffffffffUL },
	SYM(PTRACE_TRACEME), SYM(PTRACE_PEEKDATA), SYM(PTRACE_ATTACH), SYM(PTRACE_SEIZE),
	SYM(PTRACE_CONT),
};

static int parse_one(const char *tok, size_t len, unsigned long *out)
{
	char buf[64];
	char *end;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	if ((buf[0] >= '0' && buf[0] <= '9') || buf[0] == '-') {
		errno = 0;
		if (buf[0] == '-')
			*out = (unsigned long)strtol(buf, &end, 0);
		else
			*out = strtoul(buf, &end, 0);
		return (errno || *end) ? -1 : 0;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if (!strcmp(syms[i].name, buf)) {
			*out = syms[i].value;
			return 0;
		}
	}
	return -1;
}

/* "A|B|0x10" -> the bitwise or of its parts. */
static int parse_arg(const char *s, unsigned long *out)
{
	unsigned long v = 0, part;

	for (;;) {
		const char *bar = strchr(s, '|');
		size_t len = bar ? (size_t)(bar - s) : strlen(s);

		if (parse_one(s, len, &part) < 0)
			return -1;
		v |= part;
		if (!bar)
			break;
		s = bar + 1;
	}
	*out = v;
	return 0;
}

/* ---- foreign entry points ---- */

/*
 * Calls reachable through int80 and x32.  `nr32` is the i386 number, `nr64`
 * the x86_64 one; `strs` says which arguments are strings the probe supplies
 * (bit i: argument i), the rest come from the command line.
 */
struct compat_call {
	const char *name;
	long nr32, nr64;
	unsigned strs;
	const char *str[3];
};

static const struct compat_call compat_calls[] = {
	{ "getpid", 20, SYS_getpid, 0, { NULL } },
	{ "getppid", 64, SYS_getppid, 0, { NULL } },
	{ "getuid", 199, SYS_getuid, 0, { NULL } }, /* getuid32 */
	{ "unshare", 310, SYS_unshare, 0, { NULL } },
	{ "setns", 346, SYS_setns, 0, { NULL } },
	{ "personality", 136, SYS_personality, 0, { NULL } },
	{ "socket", 359, SYS_socket, 0, { NULL } },
	{ "ptrace", 26, SYS_ptrace, 0, { NULL } },
	{ "memfd_create", 356, SYS_memfd_create, 1u << 0, { "stockade-probe" } },
	{ "mount", 21, SYS_mount, 7u << 0, { "none", NOPATH, "tmpfs" } },
	{ "umount2", 52, SYS_umount2, 1u << 0, { NOPATH } },
	/* i386 only: socketcall(SYS_SOCKET, {DOMAIN, TYPE, PROTO}), the
	 * multiplexer whose arguments sit in memory a filter cannot read */
	{ "socketcall", 102, -1, 0, { NULL } },
};

/* `len` bytes below 4 GiB, where a 32-bit pointer can reach them. */
static void *low_alloc(size_t len)
{
	static char *page;
	static size_t used;
	char *p;

	if (!page) {
		page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		if (page == MAP_FAILED) {
			perror("try-syscall: mmap(MAP_32BIT)");
			exit(EXIT_SETUP);
		}
	}
	used = (used + 7) & ~(size_t)7;
	if (used + len > 4096)
		exit(EXIT_SETUP);
	p = page + used;
	used += len;
	return p;
}

static unsigned long low_string(const char *s)
{
	char *p = low_alloc(strlen(s) + 1);

	strcpy(p, s);
	return (unsigned long)p;
}

static long int80(long nr, const unsigned long *a)
{
	long ret;

	/* int $0x80 takes ebx, ecx, edx, esi, edi (ebp, the sixth, is unused here). */
	asm volatile("int $0x80"
		     : "=a"(ret)
		     : "0"(nr), "b"(a[0]), "c"(a[1]), "d"(a[2]), "S"(a[3]), "D"(a[4])
		     : "memory", "cc", "r8", "r9", "r10", "r11");
	ret = (int)ret; /* a 32-bit result: sign-extend -errno */
	if (ret < 0 && ret >= -4095) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

static int run_compat(const char *how, int argc, char **argv)
{
	unsigned long a[MAX_ARGS] = { 0 };
	const struct compat_call *c = NULL;
	int i, user = 0;
	long ret;

	if (argc < 1) {
		fprintf(stderr, "try-syscall: %s NAME [ARG...]\n", how);
		return EXIT_USAGE;
	}
	for (size_t k = 0; k < sizeof(compat_calls) / sizeof(compat_calls[0]); k++)
		if (!strcmp(compat_calls[k].name, argv[0]))
			c = &compat_calls[k];
	if (!c) {
		fprintf(stderr, "try-syscall: %s: no such call in the compat table: %s\n", how, argv[0]);
		return EXIT_USAGE;
	}
	for (i = 0; i < 5; i++) {
		if (c->strs & (1u << i)) {
			a[i] = low_string(c->str[i]);
		} else if (1 + user < argc) {
			if (parse_arg(argv[1 + user], &a[i]) < 0) {
				fprintf(stderr, "try-syscall: bad argument: %s\n", argv[1 + user]);
				return EXIT_USAGE;
			}
			user++;
		}
	}
	if (c->nr64 < 0 && strcmp(how, "int80")) {
		fprintf(stderr, "try-syscall: %s: %s exists only on i386\n", how, c->name);
		return EXIT_USAGE;
	}
	if (!strcmp(c->name, "socketcall")) {
		uint32_t *args = low_alloc(3 * sizeof(uint32_t));

		for (i = 0; i < 3; i++)
			args[i] = (uint32_t)a[i];
		a[0] = 1; /* SYS_SOCKET */
		a[1] = (unsigned long)args;
		a[2] = 0;
	}
	if (!strcmp(how, "int80"))
		ret = int80(c->nr32, a);
	else
		ret = syscall(c->nr64 | (long)X32_SYSCALL_BIT, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (ret < 0) {
		int e = errno;

		fprintf(stderr, "try-syscall: %s %s: %s (errno %d)\n", how, c->name, strerror(e), e);
		return e > 0 && e < 253 ? e : EXIT_SETUP;
	}
	fprintf(stderr, "try-syscall: %s %s: ok (%ld)\n", how, c->name, ret);
	return 0;
}

/* ---- exec from a memfd ---- */

static int memfd_with_true(unsigned flags)
{
	char buf[65536];
	ssize_t r;
	int fd, src;

	fd = (int)syscall(SYS_memfd_create, "stockade-probe-true", flags);
	if (fd < 0)
		return -errno;
	src = open("/bin/true", O_RDONLY | O_CLOEXEC);
	if (src < 0) {
		perror("try-syscall: /bin/true");
		exit(EXIT_SETUP);
	}
	while ((r = read(src, buf, sizeof(buf))) > 0) {
		if (write(fd, buf, (size_t)r) != r) {
			perror("try-syscall: write memfd");
			exit(EXIT_SETUP);
		}
	}
	if (r < 0) {
		perror("try-syscall: read /bin/true");
		exit(EXIT_SETUP);
	}
	close(src);
	return fd;
}

static int run_memfd_exec(int use_fexecve, int argc, char **argv)
{
	unsigned long flags = MFD_CLOEXEC;
	char *args[] = { (char *)"true", NULL };
	const char *what = use_fexecve ? "fexecve-memfd" : "memfd-exec";
	int fd, e;

	if (argc > 0 && parse_arg(argv[0], &flags) < 0) {
		fprintf(stderr, "try-syscall: bad argument: %s\n", argv[0]);
		return EXIT_USAGE;
	}
	fd = memfd_with_true((unsigned)flags);
	if (fd < 0) {
		fprintf(stderr, "try-syscall: %s: memfd_create: %s (errno %d)\n", what, strerror(-fd), -fd);
		return -fd;
	}
	if (use_fexecve)
		fexecve(fd, args, environ);
	else
		syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH);
	e = errno;
	fprintf(stderr, "try-syscall: %s: exec: %s (errno %d)\n", what, strerror(e), e);
	return e > 0 && e < 253 ? e : EXIT_SETUP;
}

static void usage(void)
{
	fprintf(stderr, "usage: try-syscall NAME [ARG...]\n"
			"       try-syscall int80|x32 NAME [ARG...]\n"
			"       try-syscall memfd-exec|fexecve-memfd [MFD_FLAGS]\n"
			"       try-syscall list\n");
}

int main(int argc, char **argv)
{
	unsigned long a[MAX_ARGS] = { 0 };
	const struct call *c = NULL;
	long ret;
	int n, e;

	if (argc < 2) {
		usage();
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "int80") || !strcmp(argv[1], "x32"))
		return run_compat(argv[1], argc - 2, argv + 2);
	if (!strcmp(argv[1], "memfd-exec"))
		return run_memfd_exec(0, argc - 2, argv + 2);
	if (!strcmp(argv[1], "fexecve-memfd"))
		return run_memfd_exec(1, argc - 2, argv + 2);
	if (!strcmp(argv[1], "list")) {
		for (size_t i = 0; i < ncalls; i++)
			printf("%s\n", calls[i].name);
		return 0;
	}
	for (size_t i = 0; i < ncalls; i++)
		if (!strcmp(calls[i].name, argv[1]))
			c = &calls[i];
	if (!c) {
		fprintf(stderr, "try-syscall: unknown call: %s\n", argv[1]);
		usage();
		return EXIT_USAGE;
	}
	n = argc - 2;
	if (n > MAX_ARGS) {
		usage();
		return EXIT_USAGE;
	}
	for (int i = 0; i < n; i++) {
		if (parse_arg(argv[2 + i], &a[i]) < 0) {
			fprintf(stderr, "try-syscall: bad argument: %s\n", argv[2 + i]);
			return EXIT_USAGE;
		}
	}
	errno = 0;
	ret = c->fn(a, n);
	if (ret < 0) {
		e = errno;
		fprintf(stderr, "try-syscall: %s: %s (errno %d)\n", c->name, strerror(e), e);
		return e > 0 && e < 253 ? e : EXIT_SETUP;
	}
	fprintf(stderr, "try-syscall: %s: ok (%ld)\n", c->name, ret);
	return 0;
}
