/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Symbolic constants for argument conditions ("arg0 & CLONE_NEWUSER") and
 * errno names for actions ("errno:EPERM").
 *
 * The values are literal kernel ABI numbers, not taken from the build host's
 * headers: the filter must mean the same thing whatever distribution built
 * stockade, and older headers lack newer flags (Debian 12's Linux 6.1
 * headers have no MFD_EXEC).  Every value was checked against the uapi
 * headers (<linux/sched.h>, <asm-generic/fcntl.h>, <asm-generic/mman*.h>,
 * <asm-generic/ioctls.h>, <linux/personality.h>, <linux/prctl.h>,
 * <linux/seccomp.h>, <linux/netlink.h>, <linux/mount.h>, ...; the umount2
 * flags only exist in glibc's <sys/mount.h>); the few newer than Linux 6.1
 * are marked and come from Linux 6.3's uapi headers.
 *
 * Only constants with the same value on x86_64, i386 and aarch64 are here.
 * That rules out, for instance, O_DIRECTORY, O_NOFOLLOW, O_DIRECT,
 * O_LARGEFILE and O_TMPFILE (aarch64 has its own values), MAP_32BIT and
 * PROT_BTI/PROT_MTE (one arch only), F_GETLK & co. (i386's fcntl64 uses
 * other numbers) and PR_SET_PTRACER_ANY (its value depends on word size).
 *
 * Things to know when writing conditions with these:
 *  - flag arguments of type int or unsigned int (ioctl's request,
 *    personality, memfd_create's flags) arrive in 64-bit registers whose
 *    upper half the kernel ignores, so compare them under a 0xffffffff mask;
 *  - CLONE_CLEAR_SIGHAND and CLONE_INTO_CGROUP exist only in clone3's
 *    struct clone_args, which seccomp cannot read;
 *  - AT_FDCWD is -100 as a sign-extended 64-bit value, which is how the
 *    C library passes an int dirfd on 64-bit arches; on i386 libseccomp
 *    compares only the low 32 bits (0xffffff9c), so it works there too.
 *
 * The table is sorted by name (strcmp order) for bsearch; the unit tests
 * check the order and that names are unique.
 */
#include <errno.h>
#include <string.h>

#include "tables/tables.h"

#define AT_FDCWD_VALUE ((uint64_t)(int64_t)-100)

const struct sk_constant sk_constants[] = {
	{ "ADDR_COMPAT_LAYOUT", 0x0200000 },
	{ "ADDR_LIMIT_32BIT", 0x0800000 },
	{ "ADDR_LIMIT_3GB", 0x8000000 },
	{ "ADDR_NO_RANDOMIZE", 0x0040000 },
	{ "AF_ALG", 38 },
	{ "AF_APPLETALK", 5 },
	{ "AF_ASH", 18 },
	{ "AF_ATMPVC", 8 },
	{ "AF_ATMSVC", 20 },
	{ "AF_AX25", 3 },
	{ "AF_BLUETOOTH", 31 },
	{ "AF_BRIDGE", 7 },
	{ "AF_CAIF", 37 },
	{ "AF_CAN", 29 },
	{ "AF_DECnet", 12 },
	{ "AF_ECONET", 19 },
	{ "AF_IB", 27 },
	{ "AF_IEEE802154", 36 },
	{ "AF_INET", 2 },
	{ "AF_INET6", 10 },
	{ "AF_IPX", 4 },
	{ "AF_IRDA", 23 },
	{ "AF_ISDN", 34 },
	{ "AF_IUCV", 32 },
	{ "AF_KCM", 41 },
	{ "AF_KEY", 15 },
	{ "AF_LLC", 26 },
	{ "AF_LOCAL", 1 },
	{ "AF_MCTP", 45 },
	{ "AF_MPLS", 28 },
	{ "AF_NETBEUI", 13 },
	{ "AF_NETLINK", 16 },
	{ "AF_NETROM", 6 },
	{ "AF_NFC", 39 },
	{ "AF_PACKET", 17 },
	{ "AF_PHONET", 35 },
	{ "AF_PPPOX", 24 },
	{ "AF_QIPCRTR", 42 },
	{ "AF_RDS", 21 },
	{ "AF_ROSE", 11 },
	{ "AF_ROUTE", 16 },
	{ "AF_RXRPC", 33 },
	{ "AF_SECURITY", 14 },
	{ "AF_SMC", 43 },
	{ "AF_SNA", 22 },
	{ "AF_TIPC", 30 },
	{ "AF_UNIX", 1 },
	{ "AF_UNSPEC", 0 },
	{ "AF_VSOCK", 40 },
	{ "AF_WANPIPE", 25 },
	{ "AF_X25", 9 },
	{ "AF_XDP", 44 },
	{ "AT_EACCESS", 0x200 },
	{ "AT_EMPTY_PATH", 0x1000 },
	{ "AT_FDCWD", AT_FDCWD_VALUE }, /* sign-extended: see above */
	{ "AT_NO_AUTOMOUNT", 0x800 },
	{ "AT_RECURSIVE", 0x8000 },
	{ "AT_REMOVEDIR", 0x200 },
	{ "AT_STATX_DONT_SYNC", 0x4000 },
	{ "AT_STATX_FORCE_SYNC", 0x2000 },
	{ "AT_STATX_SYNC_AS_STAT", 0 },
	{ "AT_SYMLINK_FOLLOW", 0x400 },
	{ "AT_SYMLINK_NOFOLLOW", 0x100 },
	{ "CLONE_CHILD_CLEARTID", 0x00200000 },
	{ "CLONE_CHILD_SETTID", 0x01000000 },
	{ "CLONE_CLEAR_SIGHAND", 0x100000000 }, /* clone3 only */
	{ "CLONE_DETACHED", 0x00400000 },
	{ "CLONE_FILES", 0x00000400 },
	{ "CLONE_FS", 0x00000200 },
	{ "CLONE_INTO_CGROUP", 0x200000000 }, /* clone3 only */
	{ "CLONE_IO", 0x80000000 },
	{ "CLONE_NEWCGROUP", 0x02000000 },
	{ "CLONE_NEWIPC", 0x08000000 },
	{ "CLONE_NEWNET", 0x40000000 },
	{ "CLONE_NEWNS", 0x00020000 },
	{ "CLONE_NEWPID", 0x20000000 },
	{ "CLONE_NEWTIME", 0x00000080 }, /* unshare/setns/clone3; overlaps CSIGNAL in clone */
	{ "CLONE_NEWUSER", 0x10000000 },
	{ "CLONE_NEWUTS", 0x04000000 },
	{ "CLONE_PARENT", 0x00008000 },
	{ "CLONE_PARENT_SETTID", 0x00100000 },
	{ "CLONE_PIDFD", 0x00001000 },
	{ "CLONE_PTRACE", 0x00002000 },
	{ "CLONE_SETTLS", 0x00080000 },
	{ "CLONE_SIGHAND", 0x00000800 },
	{ "CLONE_SYSVSEM", 0x00040000 },
	{ "CLONE_THREAD", 0x00010000 },
	{ "CLONE_UNTRACED", 0x00800000 },
	{ "CLONE_VFORK", 0x00004000 },
	{ "CLONE_VM", 0x00000100 },
	{ "CSIGNAL", 0x000000ff },
	{ "FDPIC_FUNCPTRS", 0x0080000 },
	{ "FD_CLOEXEC", 1 },
	{ "FIOASYNC", 0x5452 },
	{ "FIOCLEX", 0x5451 },
	{ "FIONBIO", 0x5421 },
	{ "FIONCLEX", 0x5450 },
	{ "FIONREAD", 0x541B },
	{ "F_ADD_SEALS", 1033 },
	{ "F_DUPFD", 0 },
	{ "F_DUPFD_CLOEXEC", 1030 },
	{ "F_GETFD", 1 },
	{ "F_GETFL", 3 },
	{ "F_GETLEASE", 1025 },
	{ "F_GETOWN", 9 },
	{ "F_GETPIPE_SZ", 1032 },
	{ "F_GETSIG", 11 },
	{ "F_GET_SEALS", 1034 },
	{ "F_NOTIFY", 1026 },
	{ "F_OFD_GETLK", 36 },
	{ "F_OFD_SETLK", 37 },
	{ "F_OFD_SETLKW", 38 },
	{ "F_SEAL_EXEC", 0x0020 }, /* Linux 6.3, newer than the build headers */
	{ "F_SEAL_FUTURE_WRITE", 0x0010 },
	{ "F_SEAL_GROW", 0x0004 },
	{ "F_SEAL_SEAL", 0x0001 },
	{ "F_SEAL_SHRINK", 0x0002 },
	{ "F_SEAL_WRITE", 0x0008 },
	{ "F_SETFD", 2 },
	{ "F_SETFL", 4 },
	{ "F_SETLEASE", 1024 },
	{ "F_SETOWN", 8 },
	{ "F_SETPIPE_SZ", 1031 },
	{ "F_SETSIG", 10 },
	{ "IOPRIO_WHO_PGRP", 2 },    /* ioprio_set(which): who is a process group, 0 the caller's */
	{ "IOPRIO_WHO_PROCESS", 1 }, /* ioprio_set(which): who is a thread id, 0 the caller */
	{ "IOPRIO_WHO_USER", 3 },    /* ioprio_set(which): who is a uid, 0 the caller's */
	{ "IPPROTO_ICMP", 1 },
	{ "IPPROTO_ICMPV6", 58 },
	{ "IPPROTO_IP", 0 },
	{ "IPPROTO_IPV6", 41 },
	{ "IPPROTO_MPTCP", 262 },
	{ "IPPROTO_RAW", 255 },
	{ "IPPROTO_SCTP", 132 },
	{ "IPPROTO_TCP", 6 },
	{ "IPPROTO_UDP", 17 },
	{ "IPPROTO_UDPLITE", 136 },
	{ "MAP_ANONYMOUS", 0x20 },
	{ "MAP_DENYWRITE", 0x0800 },
	{ "MAP_EXECUTABLE", 0x1000 },
	{ "MAP_FIXED", 0x10 },
	{ "MAP_FIXED_NOREPLACE", 0x100000 },
	{ "MAP_GROWSDOWN", 0x0100 },
	{ "MAP_HUGETLB", 0x040000 },
	{ "MAP_LOCKED", 0x2000 },
	{ "MAP_NONBLOCK", 0x010000 },
	{ "MAP_NORESERVE", 0x4000 },
	{ "MAP_POPULATE", 0x008000 },
	{ "MAP_PRIVATE", 0x02 },
	{ "MAP_SHARED", 0x01 },
	{ "MAP_SHARED_VALIDATE", 0x03 },
	{ "MAP_STACK", 0x020000 },
	{ "MAP_SYNC", 0x080000 },
	{ "MAP_TYPE", 0x0f },
	{ "MAP_UNINITIALIZED", 0x4000000 },
	{ "MFD_ALLOW_SEALING", 0x0002 },
	{ "MFD_CLOEXEC", 0x0001 },
	{ "MFD_EXEC", 0x0010 }, /* Linux 6.3, newer than the build headers */
	{ "MFD_HUGETLB", 0x0004 },
	{ "MFD_NOEXEC_SEAL", 0x0008 }, /* Linux 6.3, newer than the build headers */
	{ "MMAP_PAGE_ZERO", 0x0100000 },
	{ "MNT_DETACH", 0x2 },
	{ "MNT_EXPIRE", 0x4 },
	{ "MNT_FORCE", 0x1 },
	{ "MS_BIND", 0x1000 },
	{ "MS_DIRSYNC", 0x80 },
	{ "MS_I_VERSION", 0x800000 },
	{ "MS_KERNMOUNT", 0x400000 },
	{ "MS_LAZYTIME", 0x2000000 },
	{ "MS_MANDLOCK", 0x40 },
	{ "MS_MOVE", 0x2000 },
	{ "MS_NOATIME", 0x400 },
	{ "MS_NODEV", 0x4 },
	{ "MS_NODIRATIME", 0x800 },
	{ "MS_NOEXEC", 0x8 },
	{ "MS_NOSUID", 0x2 },
	{ "MS_NOSYMFOLLOW", 0x100 },
	{ "MS_POSIXACL", 0x10000 },
	{ "MS_PRIVATE", 0x40000 },
	{ "MS_RDONLY", 0x1 },
	{ "MS_REC", 0x4000 },
	{ "MS_RELATIME", 0x200000 },
	{ "MS_REMOUNT", 0x20 },
	{ "MS_SHARED", 0x100000 },
	{ "MS_SILENT", 0x8000 },
	{ "MS_SLAVE", 0x80000 },
	{ "MS_STRICTATIME", 0x1000000 },
	{ "MS_SYNCHRONOUS", 0x10 },
	{ "MS_UNBINDABLE", 0x20000 },
	{ "NETLINK_AUDIT", 9 },
	{ "NETLINK_CONNECTOR", 11 },
	{ "NETLINK_CRYPTO", 21 },
	{ "NETLINK_DNRTMSG", 14 },
	{ "NETLINK_ECRYPTFS", 19 },
	{ "NETLINK_FIB_LOOKUP", 10 },
	{ "NETLINK_FIREWALL", 3 },
	{ "NETLINK_GENERIC", 16 },
	{ "NETLINK_INET_DIAG", 4 },
	{ "NETLINK_IP6_FW", 13 },
	{ "NETLINK_ISCSI", 8 },
	{ "NETLINK_KOBJECT_UEVENT", 15 },
	{ "NETLINK_NETFILTER", 12 },
	{ "NETLINK_NFLOG", 5 },
	{ "NETLINK_RDMA", 20 },
	{ "NETLINK_ROUTE", 0 },
	{ "NETLINK_SCSITRANSPORT", 18 },
	{ "NETLINK_SELINUX", 7 },
	{ "NETLINK_SMC", 22 },
	{ "NETLINK_SOCK_DIAG", 4 },
	{ "NETLINK_UNUSED", 1 },
	{ "NETLINK_USERSOCK", 2 },
	{ "NETLINK_XFRM", 6 },
	{ "O_ACCMODE", 00000003 },
	{ "O_APPEND", 00002000 },
	{ "O_ASYNC", 00020000 },
	{ "O_CLOEXEC", 02000000 },
	{ "O_CREAT", 00000100 },
	{ "O_DSYNC", 00010000 },
	{ "O_EXCL", 00000200 },
	{ "O_NOATIME", 01000000 },
	{ "O_NOCTTY", 00000400 },
	{ "O_NONBLOCK", 00004000 },
	{ "O_PATH", 010000000 },
	{ "O_RDONLY", 00000000 },
	{ "O_RDWR", 00000002 },
	{ "O_SYNC", 04010000 },
	{ "O_TRUNC", 00001000 },
	{ "O_WRONLY", 00000001 },
	{ "PERSONALITY_QUERY", 0xffffffff }, /* personality(0xffffffff) reads without setting */
	{ "PER_LINUX", 0x0000 },
	{ "PER_LINUX32", 0x0008 },
	{ "PER_LINUX32_3GB", 0x8000008 },
	{ "PER_LINUX_32BIT", 0x0800000 },
	{ "PER_MASK", 0x00ff },
	{ "PRIO_PGRP", 1 },    /* setpriority(which): who is a process group, 0 the caller's */
	{ "PRIO_PROCESS", 0 }, /* setpriority(which): who is a process id, 0 the caller */
	{ "PRIO_USER", 2 },    /* setpriority(which): who is a uid, 0 the caller's */
	{ "PROT_EXEC", 0x4 },
	{ "PROT_GROWSDOWN", 0x01000000 },
	{ "PROT_GROWSUP", 0x02000000 },
	{ "PROT_NONE", 0x0 },
	{ "PROT_READ", 0x1 },
	{ "PROT_SEM", 0x8 },
	{ "PROT_WRITE", 0x2 },
	{ "PR_CAPBSET_DROP", 24 },
	{ "PR_CAPBSET_READ", 23 },
	{ "PR_CAP_AMBIENT", 47 },
	{ "PR_CAP_AMBIENT_CLEAR_ALL", 4 },
	{ "PR_CAP_AMBIENT_IS_SET", 1 },
	{ "PR_CAP_AMBIENT_LOWER", 3 },
	{ "PR_CAP_AMBIENT_RAISE", 2 },
	{ "PR_GET_CHILD_SUBREAPER", 37 },
	{ "PR_GET_DUMPABLE", 3 },
	{ "PR_GET_IO_FLUSHER", 58 },
	{ "PR_GET_KEEPCAPS", 7 },
	{ "PR_GET_MDWE", 66 }, /* Linux 6.3, newer than the build headers */
	{ "PR_GET_NAME", 16 },
	{ "PR_GET_NO_NEW_PRIVS", 39 },
	{ "PR_GET_PDEATHSIG", 2 },
	{ "PR_GET_SECCOMP", 21 },
	{ "PR_GET_SECUREBITS", 27 },
	{ "PR_GET_SPECULATION_CTRL", 52 },
	{ "PR_GET_TAGGED_ADDR_CTRL", 56 },
	{ "PR_GET_THP_DISABLE", 42 },
	{ "PR_GET_TID_ADDRESS", 40 },
	{ "PR_GET_TIMERSLACK", 30 },
	{ "PR_SCHED_CORE", 62 },
	{ "PR_SET_CHILD_SUBREAPER", 36 },
	{ "PR_SET_DUMPABLE", 4 },
	{ "PR_SET_IO_FLUSHER", 57 },
	{ "PR_SET_KEEPCAPS", 8 },
	{ "PR_SET_MDWE", 65 }, /* Linux 6.3, newer than the build headers */
	{ "PR_SET_MM", 35 },
	{ "PR_SET_NAME", 15 },
	{ "PR_SET_NO_NEW_PRIVS", 38 },
	{ "PR_SET_PDEATHSIG", 1 },
	{ "PR_SET_PTRACER", 0x59616d61 },
	{ "PR_SET_SECCOMP", 22 },
	{ "PR_SET_SECUREBITS", 28 },
	{ "PR_SET_SPECULATION_CTRL", 53 },
	{ "PR_SET_SYSCALL_USER_DISPATCH", 59 },
	{ "PR_SET_TAGGED_ADDR_CTRL", 55 },
	{ "PR_SET_THP_DISABLE", 41 },
	{ "PR_SET_TIMERSLACK", 29 },
	{ "PR_SET_VMA", 0x53564d41 },
	{ "READ_IMPLIES_EXEC", 0x0400000 },
	{ "SECCOMP_FILTER_FLAG_LOG", 2 },
	{ "SECCOMP_FILTER_FLAG_NEW_LISTENER", 8 },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4 },
	{ "SECCOMP_FILTER_FLAG_TSYNC", 1 },
	{ "SECCOMP_FILTER_FLAG_TSYNC_ESRCH", 16 },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 32 },
	{ "SECCOMP_GET_ACTION_AVAIL", 2 },
	{ "SECCOMP_GET_NOTIF_SIZES", 3 },
	{ "SECCOMP_MODE_DISABLED", 0 },
	{ "SECCOMP_MODE_FILTER", 2 },
	{ "SECCOMP_MODE_STRICT", 1 },
	{ "SECCOMP_SET_MODE_FILTER", 1 },
	{ "SECCOMP_SET_MODE_STRICT", 0 },
	{ "SHORT_INODE", 0x1000000 },
	{ "SIGABRT", 6 },
	{ "SIGALRM", 14 },
	{ "SIGBUS", 7 },
	{ "SIGCHLD", 17 },
	{ "SIGCONT", 18 },
	{ "SIGFPE", 8 },
	{ "SIGHUP", 1 },
	{ "SIGILL", 4 },
	{ "SIGINT", 2 },
	{ "SIGIO", 29 },
	{ "SIGIOT", 6 },
	{ "SIGKILL", 9 },
	{ "SIGPIPE", 13 },
	{ "SIGPOLL", 29 },
	{ "SIGPROF", 27 },
	{ "SIGPWR", 30 },
	{ "SIGQUIT", 3 },
	{ "SIGSEGV", 11 },
	{ "SIGSTKFLT", 16 },
	{ "SIGSTOP", 19 },
	{ "SIGSYS", 31 },
	{ "SIGTERM", 15 },
	{ "SIGTRAP", 5 },
	{ "SIGTSTP", 20 },
	{ "SIGTTIN", 21 },
	{ "SIGTTOU", 22 },
	{ "SIGURG", 23 },
	{ "SIGUSR1", 10 },
	{ "SIGUSR2", 12 },
	{ "SIGVTALRM", 26 },
	{ "SIGWINCH", 28 },
	{ "SIGXCPU", 24 },
	{ "SIGXFSZ", 25 },
	{ "SOCK_CLOEXEC", 02000000 },
	{ "SOCK_DCCP", 6 },
	{ "SOCK_DGRAM", 2 },
	{ "SOCK_NONBLOCK", 00004000 },
	{ "SOCK_PACKET", 10 },
	{ "SOCK_RAW", 3 },
	{ "SOCK_RDM", 4 },
	{ "SOCK_SEQPACKET", 5 },
	{ "SOCK_STREAM", 1 },
	{ "STICKY_TIMEOUTS", 0x4000000 },
	{ "S_IFBLK", 0060000 },
	{ "S_IFCHR", 0020000 },
	{ "S_IFDIR", 0040000 },
	{ "S_IFIFO", 0010000 },
	{ "S_IFLNK", 0120000 },
	{ "S_IFMT", 00170000 },
	{ "S_IFREG", 0100000 },
	{ "S_IFSOCK", 0140000 },
	{ "S_ISGID", 0002000 },
	{ "S_ISUID", 0004000 },
	{ "S_ISVTX", 0001000 },
	{ "S_IXGRP", 00010 },
	{ "S_IXOTH", 00001 },
	{ "S_IXUSR", 00100 },
	{ "TCGETS", 0x5401 },
	{ "TCSETS", 0x5402 },
	{ "TCSETSF", 0x5404 },
	{ "TCSETSW", 0x5403 },
	{ "TIOCCONS", 0x541D },
	{ "TIOCEXCL", 0x540C },
	{ "TIOCGETD", 0x5424 },
	{ "TIOCGPGRP", 0x540F },
	{ "TIOCGPTN", 0x80045430 }, /* _IOR('T', 0x30, unsigned int) */
	{ "TIOCGPTPEER", 0x5441 }, /* _IO('T', 0x41) */
	{ "TIOCGWINSZ", 0x5413 },
	{ "TIOCLINUX", 0x541C },
	{ "TIOCNOTTY", 0x5422 },
	{ "TIOCNXCL", 0x540D },
	{ "TIOCSCTTY", 0x540E },
	{ "TIOCSETD", 0x5423 },
	{ "TIOCSPGRP", 0x5410 },
	{ "TIOCSPTLCK", 0x40045431 }, /* _IOW('T', 0x31, int) */
	{ "TIOCSTI", 0x5412 },
	{ "TIOCSWINSZ", 0x5414 },
	{ "UMOUNT_NOFOLLOW", 0x8 },
	{ "UNAME26", 0x0020000 },
	{ "WHOLE_SECONDS", 0x2000000 },
};

const size_t sk_constants_len = ARRAY_SIZE(sk_constants);

static int constant_cmp(const void *key, const void *elem)
{
	const struct sk_constant *c = elem;

	return strcmp(key, c->name);
}

int sk_constant_lookup(const char *name, uint64_t *value)
{
	const struct sk_constant *c;

	if (!name)
		return -ENOENT;
	c = bsearch(name, sk_constants, sk_constants_len, sizeof(sk_constants[0]), constant_cmp);
	if (!c)
		return -ENOENT;
	if (value)
		*value = c->value;
	return 0;
}

const char *sk_constant_suggest(const char *name)
{
	struct sk_suggest s;

	sk_suggest_init(&s, name);
	for (size_t i = 0; i < sk_constants_len; i++)
		sk_suggest_add(&s, sk_constants[i].name);
	return s.best;
}

/* Linux errno values are the same on every supported arch (all use
 * asm-generic/errno.h), and so are the names: the table is the kernel's,
 * not the C library's, so musl and glibc builds name them alike (the unit
 * tests compare it with glibc's strerrorname_np()). */
#define E(name) [name] = #name
static const char *const errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC), E(EBADF),
	E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(ENOTBLK), E(EBUSY), E(EEXIST),
	E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(EDOM),
	E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS), E(ENOTEMPTY), E(ELOOP),
	E(ENOMSG), E(EIDRM), E(ECHRNG), E(EL2NSYNC), E(EL3HLT), E(EL3RST), E(ELNRNG), E(EUNATCH),
	E(ENOCSI), E(EL2HLT), E(EBADE), E(EBADR), E(EXFULL), E(ENOANO), E(EBADRQC), E(EBADSLT),
	E(EBFONT), E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR), E(ENONET), E(ENOPKG), E(EREMOTE),
	E(ENOLINK), E(EADV), E(ESRMNT), E(ECOMM), E(EPROTO), E(EMULTIHOP), E(EDOTDOT), E(EBADMSG),
	E(EOVERFLOW), E(ENOTUNIQ), E(EBADFD), E(EREMCHG), E(ELIBACC), E(ELIBBAD), E(ELIBSCN),
	E(ELIBMAX), E(ELIBEXEC), E(EILSEQ), E(ERESTART), E(ESTRPIPE), E(EUSERS), E(ENOTSOCK),
	E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT),
	E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT), E(EAFNOSUPPORT), E(EADDRINUSE),
	E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH), E(ENETRESET), E(ECONNABORTED),
	E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ESHUTDOWN), E(ETOOMANYREFS),
	E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS),
	E(ESTALE), E(EUCLEAN), E(ENOTNAM), E(ENAVAIL), E(EISNAM), E(EREMOTEIO), E(EDQUOT),
	E(ENOMEDIUM), E(EMEDIUMTYPE), E(ECANCELED), E(ENOKEY), E(EKEYEXPIRED), E(EKEYREVOKED),
	E(EKEYREJECTED), E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL), E(EHWPOISON),
};
#undef E

/* Second names for values the table names once. */
static const struct {
	const char *alias;
	int value;
} errno_aliases[] = {
	{ "EDEADLOCK", EDEADLK },
	{ "ENOTSUP", EOPNOTSUPP },
	{ "EWOULDBLOCK", EAGAIN },
};

int sk_errno_lookup(const char *name, int *value)
{
	int found = 0;

	if (!name || name[0] != 'E')
		return -ENOENT;
	for (size_t i = 0; i < ARRAY_SIZE(errno_aliases) && !found; i++)
		if (strcmp(name, errno_aliases[i].alias) == 0)
			found = errno_aliases[i].value;
	for (size_t e = 1; e < ARRAY_SIZE(errno_names) && !found; e++)
		if (errno_names[e] && strcmp(errno_names[e], name) == 0)
			found = (int)e;
	if (!found)
		return -ENOENT;
	if (value)
		*value = found;
	return 0;
}

const char *sk_errno_name(int value)
{
	if (value < 1 || (size_t)value >= ARRAY_SIZE(errno_names))
		return NULL;
	return errno_names[value];
}

const char *sk_signal_name(int value)
{
	for (size_t i = 0; i < ARRAY_SIZE(sk_constants); i++)
		if (strncmp(sk_constants[i].name, "SIG", 3) == 0 && sk_constants[i].value == (uint64_t)value)
			return sk_constants[i].name;
	return NULL;
}
