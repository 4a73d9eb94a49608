/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The calls try-syscall makes by name (try-syscall.c): one invocation each,
 * harmless by construction.
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
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calls.h"

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

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* openat2(AT_FDCWD, NOPATH, {flags}, 24): ENOENT unconfined. */
static long do_openat2(CALL_ARGS)
{
	uint64_t how[3] = { n > 0 ? a[0] : 0, 0, 0 };

	return syscall(SYS_openat2, AT_FDCWD, NOPATH, how, sizeof(how));
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

const struct call calls[] = {
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
	{ "openat2", do_openat2 },
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

const size_t ncalls = sizeof(calls) / sizeof(calls[0]);
