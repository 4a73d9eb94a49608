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
 * What tells "the filter let it through" from "the filter denied it" (the
 * agent preset denies with EPERM, foreign socket families with
 * EAFNOSUPPORT, clone3 with ENOSYS).  "root" and "nobody" are the kernel's
 * unfiltered answers; when they equal the filter's errno the call is not
 * meaningful for that user and the live tier says so instead of asserting.
 *
 *   call                  how it is made                         root        nobody
 *   getpid/getppid/getuid                                         0           0
 *   getcwd                buffer of PATH_MAX                      0           0
 *   mount [FLAGS]         ("none", NOPATH, "tmpfs", FLAGS)        ENOENT      ENOENT
 *   umount2 [FLAGS]       (NOPATH, FLAGS)                         ENOENT      ENOENT
 *   pivot_root            (NOPATH, NOPATH)                        ENOENT      EPERM
 *   fsopen                ("stockade-probe-nofs", 0)              ENODEV      EPERM
 *   fsmount               (-1, 0, 0)                              EBADF       EPERM
 *   fspick                (AT_FDCWD, NOPATH, 0)                   ENOENT      EPERM
 *   move_mount            (AT_FDCWD, NOPATH, AT_FDCWD, NOPATH, 0) ENOENT      EPERM
 *   open_tree             (AT_FDCWD, NOPATH, 0)                   ENOENT      ENOENT
 *   mount_setattr         (AT_FDCWD, NOPATH, 0, NULL, 0)          EINVAL      EINVAL
 *   unshare FLAGS         raw unshare(FLAGS)                      0           0 for 0,
 *                                                                             CLONE_FILES,
 *                                                                             CLONE_NEWUSER
 *                                                                             (if userns on),
 *                                                                             else EPERM
 *   setns [FD [TYPE]]     default (-1, 0)                         EBADF       EBADF
 *   clone FLAGS           syscall(SYS_clone, FLAGS, 0, 0, 0, 0);  0           like unshare
 *                         the child _exit(0)s, the parent waits
 *   clone3 [FLAGS]        struct clone_args {FLAGS, SIGCHLD}      0           like unshare
 *   execveat [FLAGS]      AT_EMPTY_PATH: (-1, "", ...)            EBADF       EBADF
 *                         otherwise (AT_FDCWD, NOPATH, ...)       ENOENT      ENOENT
 *   memfd_create [FLAGS]  ("stockade-probe", FLAGS)               0           0
 *                         (MFD_EXEC is EINVAL before Linux 6.3)
 *   ioctl REQ [FD]        (FD, REQ, &byte), FD defaults to -1     EBADF       EBADF
 *                         refuses TIOCSTI/TIOCLINUX on a tty
 *   socket DOM [TYPE [P]] TYPE defaults to SOCK_DGRAM             0 if the    0 for AF_UNIX,
 *                                                                 family is   INET, INET6,
 *                                                                 built in,   NETLINK;
 *                                                                 else        AF_PACKET EPERM
 *                                                                 EAFNOSUPPORT
 *   ptrace [REQ [PID]]    default (PTRACE_PEEKDATA, pid 0)        ESRCH       ESRCH
 *   process_vm_readv      own memory into own buffer              0           0
 *   process_vm_writev     own buffer into own memory              0           0
 *   perf_event_open       (NULL attr, 0, -1, -1, 0)               EFAULT      EFAULT
 *   pidfd_getfd           (-1, 0, 0)                              EBADF       EBADF
 *   kcmp                  (self, self, type 100, 0, 0)            EINVAL      EINVAL
 *   bpf [CMD]             (CMD default 0xffff, NULL, 0)           EINVAL      EINVAL or EPERM
 *   io_uring_setup        (1, NULL)                               EFAULT      EFAULT
 *   io_uring_enter        (-1, 0, 0, 0, NULL, 0)                  EBADF       EBADF
 *   keyctl [CMD]          CMD defaults to 0xffff (invalid)        EOPNOTSUPP  EOPNOTSUPP
 *   add_key               (NULL type, ...)                        EFAULT      EFAULT
 *   request_key           (NULL type, ...)                        EFAULT      EFAULT
 *   reboot                magic (0, 0): never a valid magic       EINVAL      EPERM
 *   kexec_load            (0, 1000 segments, NULL, 0)             EINVAL      EPERM
 *   kexec_file_load       (-1, -1, 0, NULL, ~0 flags)             EINVAL      EPERM
 *   init_module           (NULL, 0, "")                           ENOEXEC     EPERM
 *   finit_module          (-1, "", 0)                             EBADF       EPERM
 *   delete_module         ("stockade_probe_none", 0)              ENOENT      EPERM
 *   swapon / swapoff      (NOPATH[, 0])                           ENOENT      EPERM
 *   clock_settime         (clock 0x7fffffff, NULL)                EINVAL      EINVAL
 *   clock_adjtime         (clock 0x7fffffff, NULL)                EFAULT      EFAULT
 *   adjtimex              (NULL)                                  EFAULT      EFAULT
 *   personality PERSONA   raw personality(PERSONA)                0           0
 *   userfaultfd [FLAGS]   default UFFD_USER_MODE_ONLY|O_CLOEXEC   0           0
 *   open_by_handle_at     (-1, NULL, 0)                           EFAULT      EFAULT (old
 *                                                                             kernels EPERM)
 *   chroot                (NOPATH)                                ENOENT      ENOENT
 *   sethostname           (NULL, 1000): longer than any name      EINVAL      EPERM
 *   syslog                (SYSLOG_ACTION_SIZE_BUFFER, NULL, 0)    0           0 or EPERM
 *   modify_ldt            (0 = read, NULL, 0 bytes)               0           0
 *   iopl                  (0): the level every process has        0           0
 *   get_mempolicy         (NULL, NULL, 0, NULL, 0)                0           0
 *   uselib                (NOPATH)                                ENOENT, or ENOSYS without
 *                                                                 CONFIG_USELIB
 *   landlock_create_ruleset (NULL, 0, VERSION)                    0           0 (ENOSYS or
 *                                                                 EOPNOTSUPP without Landlock)
 *   process_mrelease      (-1, 0)                                 EBADF       EBADF
 *   seccomp               (SECCOMP_GET_ACTION_AVAIL, 0, &ALLOW)   0           0
 *
 * (The modules, kexec, perf, bpf, io_uring and keys rows turn into ENOSYS on
 * a kernel built without them; the live tier compares with the unconfined
 * run, so it does not need to know the configuration.)
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
#include <limits.h>
#include <sched.h>
#include <linux/seccomp.h>
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
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_ALLOW_SEALING
#define MFD_ALLOW_SEALING 0x0002U
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

#define EXIT_USAGE 254
#define EXIT_SETUP 253
#define NOPATH "/nonexistent-stockade-probe/x"
#define X32_SYSCALL_BIT 0x40000000UL
#define MAX_ARGS 6

extern char **environ;

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

/* ---- the calls ---- */

/* Every call takes the parsed numeric arguments; most ignore them. */
#define CALL_ARGS const unsigned long *a __attribute__((unused)), int n __attribute__((unused))
typedef long (*call_fn)(const unsigned long *a, int n);

/* A raw clone-style child: leave at once, without running atexit handlers. */
static long reap(long pid)
{
	int status;

	if (pid < 0)
		return pid;
	if (pid == 0)
		_exit(0);
	if (waitpid((pid_t)pid, &status, __WALL) < 0)
		return -1;
	return 0;
}

static long do_getpid(CALL_ARGS)
{
	return syscall(SYS_getpid);
}

static long do_getppid(CALL_ARGS)
{
	return syscall(SYS_getppid);
}

static long do_getuid(CALL_ARGS)
{
	return syscall(SYS_getuid);
}

static long do_getcwd(CALL_ARGS)
{
	static char buf[PATH_MAX];

	return syscall(SYS_getcwd, buf, sizeof(buf));
}

static long do_mount(CALL_ARGS)
{
	return syscall(SYS_mount, "none", NOPATH, "tmpfs", n > 0 ? a[0] : 0UL, NULL);
}

static long do_umount2(CALL_ARGS)
{
	return syscall(SYS_umount2, NOPATH, n > 0 ? a[0] : 0UL);
}

static long do_pivot_root(CALL_ARGS)
{
	return syscall(SYS_pivot_root, NOPATH, NOPATH);
}

static long do_fsopen(CALL_ARGS)
{
	return syscall(SYS_fsopen, "stockade-probe-nofs", 0);
}

static long do_fsmount(CALL_ARGS)
{
	return syscall(SYS_fsmount, -1, 0, 0);
}

static long do_fspick(CALL_ARGS)
{
	return syscall(SYS_fspick, AT_FDCWD, NOPATH, 0);
}

static long do_move_mount(CALL_ARGS)
{
	return syscall(SYS_move_mount, AT_FDCWD, NOPATH, AT_FDCWD, NOPATH, 0);
}

static long do_open_tree(CALL_ARGS)
{
	return syscall(SYS_open_tree, AT_FDCWD, NOPATH, 0);
}

static long do_mount_setattr(CALL_ARGS)
{
	return syscall(SYS_mount_setattr, AT_FDCWD, NOPATH, 0, NULL, 0);
}

static long do_unshare(CALL_ARGS)
{
	return syscall(SYS_unshare, n > 0 ? a[0] : 0UL);
}

static long do_setns(CALL_ARGS)
{
	return syscall(SYS_setns, n > 0 ? (long)a[0] : -1L, n > 1 ? a[1] : 0UL);
}

static long do_clone(CALL_ARGS)
{
	unsigned long flags = n > 0 ? a[0] : SIGCHLD;

	/* Without a stack of its own a CLONE_VM child would scribble on ours. */
	if (flags & (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_SETTLS | CLONE_VFORK)) {
		fprintf(stderr, "try-syscall: clone: refusing CLONE_VM/THREAD/SIGHAND/SETTLS/VFORK\n");
		exit(EXIT_USAGE);
	}
	/* x86_64 argument order: flags, stack, parent_tid, child_tid, tls. */
	return reap(syscall(SYS_clone, flags, 0, 0, 0, 0));
}

struct probe_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static long do_clone3(CALL_ARGS)
{
	struct probe_clone_args args = { .flags = n > 0 ? a[0] : 0, .exit_signal = SIGCHLD };

	if (args.flags & (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_SETTLS | CLONE_VFORK)) {
		fprintf(stderr, "try-syscall: clone3: refusing CLONE_VM/THREAD/SIGHAND/SETTLS/VFORK\n");
		exit(EXIT_USAGE);
	}
	return reap(syscall(SYS_clone3, &args, sizeof(args)));
}

static long do_execveat(CALL_ARGS)
{
	unsigned long flags = n > 0 ? a[0] : 0;
	char *argv[] = { (char *)"true", NULL };

	if (flags & AT_EMPTY_PATH)
		return syscall(SYS_execveat, -1, "", argv, environ, flags);
	return syscall(SYS_execveat, AT_FDCWD, NOPATH, argv, environ, flags);
}

static long do_memfd_create(CALL_ARGS)
{
	return syscall(SYS_memfd_create, "stockade-probe", n > 0 ? a[0] : 0UL);
}

static long do_ioctl(CALL_ARGS)
{
	static char byte = '#';
	unsigned long req;
	int fd = n > 1 ? (int)a[1] : -1;

	if (n < 1) {
		fprintf(stderr, "try-syscall: ioctl REQ [FD]\n");
		exit(EXIT_USAGE);
	}
	req = a[0];
	if ((req == TIOCSTI || req == TIOCLINUX) && isatty(fd)) {
		fprintf(stderr, "try-syscall: refusing to push input into a terminal\n");
		exit(EXIT_USAGE);
	}
	return syscall(SYS_ioctl, fd, req, &byte);
}

static long do_socket(CALL_ARGS)
{
	if (n < 1) {
		fprintf(stderr, "try-syscall: socket DOMAIN [TYPE [PROTOCOL]]\n");
		exit(EXIT_USAGE);
	}
	return syscall(SYS_socket, a[0], n > 1 ? a[1] : (unsigned long)SOCK_DGRAM, n > 2 ? a[2] : 0UL);
}

static long do_ptrace(CALL_ARGS)
{
	return syscall(SYS_ptrace, n > 0 ? a[0] : (unsigned long)PTRACE_PEEKDATA, n > 1 ? a[1] : 0UL, 0, 0);
}

static char vm_src[16] = "stockade-probe", vm_dst[16];

static long do_process_vm_readv(CALL_ARGS)
{
	struct iovec local = { vm_dst, sizeof(vm_dst) }, remote = { vm_src, sizeof(vm_src) };

	return syscall(SYS_process_vm_readv, getpid(), &local, 1, &remote, 1, 0);
}

static long do_process_vm_writev(CALL_ARGS)
{
	struct iovec local = { vm_src, sizeof(vm_src) }, remote = { vm_dst, sizeof(vm_dst) };

	return syscall(SYS_process_vm_writev, getpid(), &local, 1, &remote, 1, 0);
}

static long do_perf_event_open(CALL_ARGS)
{
	return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
}

static long do_pidfd_getfd(CALL_ARGS)
{
	return syscall(SYS_pidfd_getfd, -1, 0, 0);
}

static long do_kcmp(CALL_ARGS)
{
	return syscall(SYS_kcmp, getpid(), getpid(), 100, 0, 0);
}

static long do_bpf(CALL_ARGS)
{
	return syscall(SYS_bpf, n > 0 ? a[0] : 0xffffUL, NULL, 0);
}

static long do_io_uring_setup(CALL_ARGS)
{
	return syscall(SYS_io_uring_setup, 1, NULL);
}

static long do_io_uring_enter(CALL_ARGS)
{
	return syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0);
}

static long do_keyctl(CALL_ARGS)
{
	return syscall(SYS_keyctl, n > 0 ? a[0] : 0xffffUL, 0, 0, 0, 0);
}

static long do_add_key(CALL_ARGS)
{
	return syscall(SYS_add_key, NULL, "stockade-probe", NULL, 0, 0);
}

static long do_request_key(CALL_ARGS)
{
	return syscall(SYS_request_key, NULL, "stockade-probe", NULL, 0);
}

/* Never a valid magic pair: the kernel answers EINVAL (or EPERM) and stops. */
static long do_reboot(CALL_ARGS)
{
	return syscall(SYS_reboot, 0, 0, 0, NULL);
}

static long do_kexec_load(CALL_ARGS)
{
	return syscall(SYS_kexec_load, 0, 1000, NULL, 0);
}

static long do_kexec_file_load(CALL_ARGS)
{
	return syscall(SYS_kexec_file_load, -1, -1, 0, NULL, ~0UL);
}

static long do_init_module(CALL_ARGS)
{
	return syscall(SYS_init_module, NULL, 0, "");
}

static long do_finit_module(CALL_ARGS)
{
	return syscall(SYS_finit_module, -1, "", 0);
}

static long do_delete_module(CALL_ARGS)
{
	return syscall(SYS_delete_module, "stockade_probe_none", 0);
}

static long do_swapon(CALL_ARGS)
{
	return syscall(SYS_swapon, NOPATH, 0);
}

static long do_swapoff(CALL_ARGS)
{
	return syscall(SYS_swapoff, NOPATH);
}

/* An id no clock has, and no time to set: EINVAL before anything changes. */
static long do_clock_settime(CALL_ARGS)
{
	return syscall(SYS_clock_settime, 0x7fffffff, NULL);
}

static long do_clock_adjtime(CALL_ARGS)
{
	return syscall(SYS_clock_adjtime, 0x7fffffff, NULL);
}

static long do_adjtimex(CALL_ARGS)
{
	return syscall(SYS_adjtimex, NULL);
}

static long do_personality(CALL_ARGS)
{
	return syscall(SYS_personality, n > 0 ? a[0] : 0xffffffffUL);
}

static long do_userfaultfd(CALL_ARGS)
{
	return syscall(SYS_userfaultfd, n > 0 ? a[0] : (unsigned long)(UFFD_USER_MODE_ONLY | O_CLOEXEC));
}

static long do_open_by_handle_at(CALL_ARGS)
{
	return syscall(SYS_open_by_handle_at, -1, NULL, 0);
}

static long do_chroot(CALL_ARGS)
{
	return syscall(SYS_chroot, NOPATH);
}

/* Longer than any host name: EINVAL (or EPERM) before anything is set. */
static long do_sethostname(CALL_ARGS)
{
	return syscall(SYS_sethostname, NULL, 1000);
}

/* SYSLOG_ACTION_SIZE_BUFFER: only reads the log buffer's size. */
static long do_syslog(CALL_ARGS)
{
	return syscall(SYS_syslog, 10, NULL, 0);
}

/* Read zero bytes of the LDT. */
static long do_modify_ldt(CALL_ARGS)
{
	return syscall(SYS_modify_ldt, 0, NULL, 0);
}

/* Level 0 is where every process already is. */
static long do_iopl(CALL_ARGS)
{
	return syscall(SYS_iopl, 0);
}

static long do_get_mempolicy(CALL_ARGS)
{
	return syscall(SYS_get_mempolicy, NULL, NULL, 0, NULL, 0);
}

static long do_uselib(CALL_ARGS)
{
	return syscall(SYS_uselib, NOPATH);
}

/* LANDLOCK_CREATE_RULESET_VERSION: asks for the ABI version, creates nothing. */
static long do_landlock_create_ruleset(CALL_ARGS)
{
	return syscall(SYS_landlock_create_ruleset, NULL, 0, 1);
}

static long do_process_mrelease(CALL_ARGS)
{
	return syscall(SYS_process_mrelease, -1, 0);
}

static long do_seccomp(CALL_ARGS)
{
	static uint32_t action = SECCOMP_RET_ALLOW;

	return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action);
}

struct call {
	const char *name;
	call_fn fn;
};

static const struct call calls[] = {
	{ "getpid", do_getpid },
	{ "getppid", do_getppid },
	{ "getuid", do_getuid },
	{ "getcwd", do_getcwd },
	{ "mount", do_mount },
	{ "umount2", do_umount2 },
	{ "pivot_root", do_pivot_root },
	{ "fsopen", do_fsopen },
	{ "fsmount", do_fsmount },
	{ "fspick", do_fspick },
	{ "move_mount", do_move_mount },
	{ "open_tree", do_open_tree },
	{ "mount_setattr", do_mount_setattr },
	{ "unshare", do_unshare },
	{ "setns", do_setns },
	{ "clone", do_clone },
	{ "clone3", do_clone3 },
	{ "execveat", do_execveat },
	{ "memfd_create", do_memfd_create },
	{ "ioctl", do_ioctl },
	{ "socket", do_socket },
	{ "ptrace", do_ptrace },
	{ "process_vm_readv", do_process_vm_readv },
	{ "process_vm_writev", do_process_vm_writev },
	{ "perf_event_open", do_perf_event_open },
	{ "pidfd_getfd", do_pidfd_getfd },
	{ "kcmp", do_kcmp },
	{ "bpf", do_bpf },
	{ "io_uring_setup", do_io_uring_setup },
	{ "io_uring_enter", do_io_uring_enter },
	{ "keyctl", do_keyctl },
	{ "add_key", do_add_key },
	{ "request_key", do_request_key },
	{ "reboot", do_reboot },
	{ "kexec_load", do_kexec_load },
	{ "kexec_file_load", do_kexec_file_load },
	{ "init_module", do_init_module },
	{ "finit_module", do_finit_module },
	{ "delete_module", do_delete_module },
	{ "swapon", do_swapon },
	{ "swapoff", do_swapoff },
	{ "clock_settime", do_clock_settime },
	{ "clock_adjtime", do_clock_adjtime },
	{ "adjtimex", do_adjtimex },
	{ "personality", do_personality },
	{ "userfaultfd", do_userfaultfd },
	{ "open_by_handle_at", do_open_by_handle_at },
	{ "chroot", do_chroot },
	{ "sethostname", do_sethostname },
	{ "syslog", do_syslog },
	{ "modify_ldt", do_modify_ldt },
	{ "iopl", do_iopl },
	{ "get_mempolicy", do_get_mempolicy },
	{ "uselib", do_uselib },
	{ "landlock_create_ruleset", do_landlock_create_ruleset },
	{ "process_mrelease", do_process_mrelease },
	{ "seccomp", do_seccomp },
};

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
		for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
			printf("%s\n", calls[i].name);
		return 0;
	}
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
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
