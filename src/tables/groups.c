/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Named syscall groups ("@mount", "@debug", ...): data only.
 *
 * A policy names a group instead of listing its calls so that it keeps up
 * with the kernel: when a new mount API call appears, it is added here once.
 *
 * Rules for this table (tests/unit/test_tables.c enforces them):
 *  - groups are sorted by name (bsearch), members sorted within a group;
 *  - every member is a syscall libseccomp 2.5.4 resolves to a real number on
 *    at least one of x86_64, i386 and aarch64, or the name of another group
 *    (no cycles).  Calls that exist only on other architectures (ppc's
 *    subpage_prot and switch_endian, the pciconfig_* and s390_pci_* calls)
 *    are left out: no supported arch could ever make them;
 *  - a call may belong to several groups (create_module is both @module and
 *    @obsolete) when it honestly fits both;
 *  - clone, clone3, personality, ioctl, socket and friends are not in any
 *    group: whether they are dangerous depends on their arguments, so the
 *    presets restrict them with argument rules instead.
 */
#include <string.h>

#include "tables/tables.h"

#define MEMBERS(...) ((const char *const[]){ __VA_ARGS__, NULL })

const struct sk_group sk_groups[] = {
	{
		.name = "@basic-io",
		.help = "read and write open descriptors: the calls every program makes",
		.breaks = "nothing a sandboxed program can work without; listed so allow-list presets can name them",
		.members = MEMBERS("_llseek", "close", "close_range", "copy_file_range", "dup", "dup2", "dup3",
				   "lseek", "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2",
				   "read", "readv", "sendfile", "sendfile64", "splice", "tee", "vmsplice",
				   "write", "writev"),
	},
	{
		.name = "@bpf",
		.help = "load eBPF programs and maps; a large, frequently exploited kernel attack surface",
		.breaks = "bpftool, bpftrace, BCC tools, systemd's BPF firewall and device policy, some network tools",
		.members = MEMBERS("bpf"),
	},
	{
		.name = "@clock",
		.help = "set or slew the system clock, which is global to the host (not namespaced)",
		.breaks = "date -s, hwclock --hctosys, ntpd, chronyd, systemd-timesyncd",
		.members = MEMBERS("adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime", "clock_settime64",
				   "settimeofday", "stime"),
	},
	{
		.name = "@cpu-emulation",
		.help = "x86 legacy CPU modes: per-process LDT segments and vm86 real mode, old exploit vectors",
		.breaks = "Wine (32-bit and 16-bit Windows code), DOSEMU, some old 32-bit x86 binaries",
		.members = MEMBERS("modify_ldt", "vm86", "vm86old"),
	},
	{
		.name = "@debug",
		.help = "inspect or change other processes (ptrace, cross-process memory, fd theft) and profile the kernel",
		.breaks = "strace, ltrace, gdb, lldb, rr, perf, CRIU, crash reporters that attach to the crashing process",
		.members = MEMBERS("kcmp", "lookup_dcookie", "perf_event_open", "pidfd_getfd", "process_vm_readv",
				   "process_vm_writev", "ptrace"),
	},
	{
		/* Calls legitimate software almost never needs but kernel exploits
		 * lean on: userfaultfd stalls a page fault in the kernel to win a
		 * race; open_by_handle_at opens files by inode handle, bypassing
		 * paths (Docker's "shocker" container escape).  name_to_handle_at
		 * stays allowed: it only reads handles, and systemd and fanotify
		 * users rely on it. */
		.name = "@exploit-primitives",
		.help = "calls rarely used by real programs but common in kernel exploits and container escapes",
		.breaks = "CRIU live migration and QEMU postcopy (userfaultfd), user-space NFS servers (open_by_handle_at)",
		.members = MEMBERS("open_by_handle_at", "userfaultfd"),
	},
	{
		.name = "@file-system",
		.help = "open, stat, create, rename and remove files and directories by path or descriptor",
		.breaks = "every file access: allow-list presets must include it",
		.members = MEMBERS("access", "chdir", "chmod", "chown", "chown32", "creat", "faccessat",
				   "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fchdir", "fchmod",
				   "fchmodat", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64",
				   "fdatasync", "fgetxattr", "flistxattr", "flock", "fremovexattr",
				   "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64",
				   "fsync", "ftruncate", "ftruncate64", "futimesat", "getcwd", "getdents",
				   "getdents64", "getxattr", "inotify_add_watch", "inotify_init",
				   "inotify_init1", "inotify_rm_watch", "lchown", "lchown32", "lgetxattr",
				   "link", "linkat", "listxattr", "llistxattr", "lremovexattr", "lsetxattr",
				   "lstat", "lstat64", "mkdir", "mkdirat", "mknod", "mknodat",
				   "name_to_handle_at", "newfstatat", "open", "openat", "openat2", "readahead",
				   "readlink", "readlinkat", "removexattr", "rename", "renameat", "renameat2",
				   "rmdir", "setxattr", "stat", "stat64", "statfs", "statfs64", "statx",
				   "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "truncate",
				   "truncate64", "umask", "unlink", "unlinkat", "utime", "utimensat",
				   "utimensat_time64", "utimes"),
	},
	{
		.name = "@io-uring",
		.help = "io_uring asynchronous I/O; its requests bypass per-syscall seccomp checks entirely",
		.breaks = "programs built for io_uring (some databases, liburing users); most fall back to epoll/aio",
		.members = MEMBERS("io_uring_enter", "io_uring_register", "io_uring_setup"),
	},
	{
		.name = "@ipc",
		.help = "pipes, event and poll descriptors, futexes and System V / POSIX IPC between the sandbox's own processes",
		.breaks = "every multi-process or multi-threaded program: allow-list presets must include it",
		.members = MEMBERS("_newselect", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_pwait",
				   "epoll_pwait2", "epoll_wait", "eventfd", "eventfd2", "futex",
				   "futex_time64", "futex_waitv", "get_robust_list", "ipc", "mq_getsetattr",
				   "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
				   "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget",
				   "msgrcv", "msgsnd", "pipe", "pipe2", "poll", "ppoll", "ppoll_time64",
				   "pselect6", "pselect6_time64", "select", "semctl", "semget", "semop",
				   "semtimedop", "semtimedop_time64", "set_robust_list", "shmat", "shmctl",
				   "shmdt", "shmget"),
	},
	{
		.name = "@keyring",
		.help = "kernel key retention service; keyrings are not fully namespaced and hold secrets",
		.breaks = "keyctl(1), Kerberos with KEYRING caches, ecryptfs, fscrypt, some NFS/CIFS credential helpers",
		.members = MEMBERS("add_key", "keyctl", "request_key"),
	},
	{
		.name = "@memory",
		.help = "map, protect and release memory of the calling process",
		.breaks = "every program: allow-list presets must include it",
		.members = MEMBERS("brk", "madvise", "membarrier", "mincore", "mlock", "mlock2", "mlockall",
				   "mmap", "mmap2", "mprotect", "mremap", "msync", "munlock", "munlockall",
				   "munmap", "pkey_alloc", "pkey_free", "pkey_mprotect"),
	},
	{
		.name = "@module",
		.help = "load and unload kernel modules, i.e. run arbitrary code in the kernel",
		.breaks = "modprobe, insmod, rmmod, kmod; automatic module loading by the kernel itself is unaffected",
		.members = MEMBERS("create_module", "delete_module", "finit_module", "get_kernel_syms", "init_module",
				   "query_module"),
	},
	{
		/* chroot is here rather than on its own: like pivot_root it changes
		 * which tree the process sees, and the same tools need both. */
		.name = "@mount",
		.help = "mount and unmount filesystems (old and new mount API), pivot_root and chroot",
		.breaks = "mount, umount, fusermount (FUSE), bwrap, unshare -m, podman/docker, chroot(8), debootstrap",
		.members = MEMBERS("chroot", "fsconfig", "fsmount", "fsopen", "fspick", "mount", "mount_setattr",
				   "move_mount", "open_tree", "pivot_root", "umount", "umount2"),
	},
	{
		.name = "@namespaces",
		.help = "enter or create namespaces (unshare, setns); clone/clone3 namespace flags are handled by "
			"argument rules in the presets",
		.breaks = "unshare(1), nsenter, bwrap, podman/docker, Chromium's and Firefox's own sandboxes, flatpak",
		.members = MEMBERS("setns", "unshare"),
	},
	{
		.name = "@network-io",
		.help = "use sockets the process already may create: bind, connect, send, receive (socket() itself has argument rules)",
		.breaks = "every networked or client/server program, including local AF_UNIX servers",
		.members = MEMBERS("accept", "accept4", "bind", "connect", "getpeername", "getsockname",
				   "getsockopt", "listen", "recvfrom", "recvmmsg", "recvmmsg_time64",
				   "recvmsg", "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown",
				   "socketcall", "socketpair"),
	},
	{
		.name = "@numa",
		.help = "NUMA memory placement policy and page migration, including pages of other processes",
		.breaks = "numactl, libnuma users, NUMA-aware JVMs, databases and HPC/MPI runtimes",
		.members = MEMBERS("get_mempolicy", "mbind", "migrate_pages", "move_pages", "set_mempolicy",
				   "set_mempolicy_home_node"),
	},
	{
		/* Removed, never implemented, or superseded long ago: denying them
		 * only shrinks attack surface.  remap_file_pages is deprecated but
		 * still works (emulated), so it is not listed; neither are the
		 * i386 old* stat/uname entry points, which still function. */
		.name = "@obsolete",
		.help = "legacy calls that are unimplemented, removed from the kernel or superseded for decades",
		.breaks = "nothing current; only very old binaries (a.out, pre-2.6 module tools, oprofile)",
		.members = MEMBERS("_sysctl", "afs_syscall", "bdflush", "break", "create_module", "epoll_ctl_old",
				   "epoll_wait_old", "ftime", "get_kernel_syms", "getpmsg", "gtty", "idle", "lock",
				   "lookup_dcookie", "mpx", "nfsservctl", "prof", "profil", "putpmsg", "query_module",
				   "security", "sgetmask", "ssetmask", "stime", "stty", "sysfs", "tuxcall", "ulimit",
				   "uselib", "ustat", "vserver"),
	},
	{
		/* What Docker's default profile refuses (or grants only with
		 * CAP_SYS_ADMIN / CAP_SYS_PACCT) that no other group covers. */
		.name = "@privileged",
		.help = "host administration: process accounting, disk quotas, kernel log, hostname, terminal hangup",
		.breaks = "accton, quota tools, dmesg -c/-C/-n, hostname NAME (even in a UTS namespace), agetty and login",
		.members = MEMBERS("acct", "quotactl", "quotactl_fd", "setdomainname", "sethostname", "syslog",
				   "vhangup"),
	},
	{
		.name = "@process",
		.help = "create, run, wait for and inspect processes and threads of the sandbox, and their credentials and limits",
		.breaks = "every program that starts another: allow-list presets must include it",
		.members = MEMBERS("arch_prctl", "capget", "capset", "execve", "exit", "exit_group", "fork",
				   "getcpu", "getegid", "getegid32", "geteuid", "geteuid32", "getgid",
				   "getgid32", "getgroups", "getgroups32", "getpgid", "getpgrp", "getpid",
				   "getppid", "getpriority", "getresgid", "getresgid32", "getresuid",
				   "getresuid32", "getrlimit", "getrusage", "getsid", "gettid", "getuid",
				   "getuid32", "ioprio_get", "ioprio_set", "kill", "pidfd_open",
				   "pidfd_send_signal", "prctl", "prlimit64", "rseq", "sched_get_priority_max",
				   "sched_get_priority_min", "sched_getaffinity", "sched_getattr",
				   "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
				   "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr",
				   "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp",
				   "set_tid_address", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32",
				   "setgid", "setgid32", "setgroups", "setgroups32", "setpgid", "setpriority",
				   "setregid", "setregid32", "setresgid", "setresgid32", "setresuid",
				   "setresuid32", "setreuid", "setreuid32", "setrlimit", "setsid", "setuid",
				   "setuid32", "tgkill", "times", "tkill", "ugetrlimit", "vfork", "wait4",
				   "waitid", "waitpid"),
	},
	{
		/* pciconfig_* (alpha, powerpc, sparc) and s390_pci_mmio_* do not
		 * exist on any supported arch, so only the x86 port calls remain. */
		.name = "@raw-io",
		.help = "direct hardware I/O port access (x86 ioperm/iopl), bypassing every kernel driver",
		.breaks = "hwclock --directisa, flashrom, superiotool, lm-sensors' isadump, X servers with user-mode drivers",
		.members = MEMBERS("ioperm", "iopl"),
	},
	{
		.name = "@reboot",
		.help = "reboot, power off or load a new kernel to boot into",
		.breaks = "reboot, shutdown, poweroff, kexec-tools, systemctl kexec",
		.members = MEMBERS("kexec_file_load", "kexec_load", "reboot"),
	},
	{
		.name = "@signal",
		.help = "install handlers, block, send to self and wait for signals",
		.breaks = "every program: allow-list presets must include it",
		.members = MEMBERS("alarm", "pause", "restart_syscall", "rt_sigaction", "rt_sigpending",
				   "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend",
				   "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
				   "sigaction", "sigaltstack", "signal", "signalfd", "signalfd4", "sigpending",
				   "sigprocmask", "sigreturn", "sigsuspend"),
	},
	{
		.name = "@swap",
		.help = "enable or disable swap areas, a host-wide memory setting",
		.breaks = "swapon, swapoff, mkswap-based setup scripts",
		.members = MEMBERS("swapoff", "swapon"),
	},
	{
		.name = "@system-info",
		.help = "read facts about the system: kernel name and version, load, random bytes",
		.breaks = "uname, Python's platform module, anything that seeds a random number generator",
		.members = MEMBERS("getrandom", "oldolduname", "olduname", "sysinfo", "uname"),
	},
	{
		.name = "@timer",
		.help = "read clocks, sleep and arm timers (setting the clock is @clock)",
		.breaks = "every program: allow-list presets must include it",
		.members = MEMBERS("clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
				   "clock_nanosleep", "clock_nanosleep_time64", "getitimer", "gettimeofday",
				   "nanosleep", "setitimer", "time", "timer_create", "timer_delete",
				   "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
				   "timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
				   "timerfd_settime", "timerfd_settime64"),
	},
};

const size_t sk_groups_len = ARRAY_SIZE(sk_groups);

static int group_cmp(const void *key, const void *elem)
{
	const struct sk_group *g = elem;

	/* Table names carry the '@'; the key has had it stripped. */
	return strcmp(key, g->name + 1);
}

const struct sk_group *sk_group_lookup(const char *name)
{
	if (!name)
		return NULL;
	if (name[0] == '@')
		name++;
	return bsearch(name, sk_groups, sk_groups_len, sizeof(sk_groups[0]), group_cmp);
}
