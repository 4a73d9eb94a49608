/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Built-in presets: policy documents in the same YAML a user writes, parsed
 * by the same parser.  Errors in them are reported as preset:NAME:line:col,
 * and `stockade show --preset NAME` prints what each line decides.
 *
 * Every argument-conditioned syscall in `agent` ends its rules with a
 * catch-all, so the rule set decides the call on its own.  Under agent's
 * allow default the catch-all costs nothing (it is the default and emits no
 * BPF); under strict's ENOSYS default it is what keeps clone(0) working.
 */
#include <string.h>

#include "policy/policy.h"

/* The namespace flags, for clone (CLONE_NEWTIME is 0x80, which clone()
 * reads as part of the exit signal, so only unshare/clone3 can pass it). */
#define NS_FLAGS "CLONE_NEWNS|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET"

/*
 * No setuid or setgid file may be created: it outlives the sandbox, and
 * whoever runs it later gets this user's rights (root's, if the sandbox
 * runs as root).  Every call that sets a file mode is covered: the chmod
 * family, and creation with O_CREAT or O_TMPFILE (0x400000, __O_TMPFILE,
 * the same on x86_64 and aarch64), creat and mknod.  openat2 passes its
 * mode in memory a filter cannot read, so it gets ENOSYS and callers fall
 * back to openat, as clone3 does to clone.  mkdir needs no rule: the kernel
 * drops S_ISUID and S_ISGID from mkdir's mode (a directory inherits S_ISGID
 * from its parent, which grants nothing); `chmod g+s DIR` is refused too,
 * since a filter cannot tell a directory from a file.  These are all
 * @file-system calls, whose allow in `strict` drops inherited rules, so
 * strict restates them; fchmodat2 is in no group and keeps agent's rules.
 */
#define SUID_MODE "S_ISUID|S_ISGID"
#define SUID_WHY "a setuid or setgid file outlives the sandbox, and whoever runs it later gets this user's rights"
#define SUID_CREATE "O_CREAT|0x400000"
#define SUID_RULE(sys, args)                                                                                   \
	"    - syscall: " sys "\n"                                                                                \
	"      args: [" args "]\n"                                                                                \
	"      action: errno:EPERM\n"                                                                             \
	"      reason: " SUID_WHY "\n"                                                                            \
	"    - syscall: " sys "\n"                                                                                \
	"      action: allow\n"
#define SETUID_RULES                                                                                           \
	SUID_RULE("chmod", "\"arg1 & " SUID_MODE "\"")                                                         \
	SUID_RULE("fchmod", "\"arg1 & " SUID_MODE "\"")                                                        \
	SUID_RULE("fchmodat", "\"arg2 & " SUID_MODE "\"")                                                      \
	SUID_RULE("creat", "\"arg1 & " SUID_MODE "\"")                                                         \
	SUID_RULE("open", "\"arg1 & " SUID_CREATE "\", \"arg2 & " SUID_MODE "\"")                             \
	SUID_RULE("openat", "\"arg2 & " SUID_CREATE "\", \"arg3 & " SUID_MODE "\"")                           \
	SUID_RULE("mknod", "\"arg1 & " SUID_MODE "\"")                                                         \
	SUID_RULE("mknodat", "\"arg2 & " SUID_MODE "\"")                                                       \
	"    - syscall: openat2\n"                                                                                \
	"      action: errno:ENOSYS\n"                                                                            \
	"      reason: openat2 passes its mode in memory a filter cannot read (setuid files); ENOSYS makes "   \
	"callers fall back to openat\n"

/*
 * What agent and strict never let a command read: credentials kept in the
 * home directory (docs/landlock.md says why each, and what is not covered).
 * Each is carved out of the grants when the sandbox starts, and only if it
 * exists then.
 */
#define SECRETS                                                                                                \
	"  deny:\n"                                                                                             \
	"    - ~/.ssh/id_*\n"                                                                                   \
	"    - ~/.aws\n"                                                                                        \
	"    - ~/.azure\n"                                                                                      \
	"    - ~/.config/gcloud\n"                                                                              \
	"    - ~/.config/gh/hosts.yml\n"                                                                        \
	"    - ~/.kube\n"                                                                                       \
	"    - ~/.docker/config.json\n"                                                                         \
	"    - ~/.gnupg\n"                                                                                      \
	"    - ~/.password-store\n"                                                                             \
	"    - ~/.local/share/keyrings\n"                                                                       \
	"    - ~/.netrc\n"                                                                                      \
	"    - ~/.git-credentials\n"                                                                            \
	"    - ~/.npmrc\n"                                                                                      \
	"    - ~/.pypirc\n"                                                                                     \
	"    - ~/.cargo/credentials\n"                                                                          \
	"    - ~/.cargo/credentials.toml\n"                                                                     \
	"    - ~/.gem/credentials\n"                                                                            \
	"    - ~/.terraform.d/credentials.tfrc.json\n"                                                          \
	"    - ~/.vault-token\n"                                                                                \
	"    - ~/.*_history\n"

/* Where agent and strict let a command write: the working directory, the
 * temporary directories and the devices every terminal program opens. */
#define WRITE_ROOTS                                                                                            \
	"  write:\n"                                                                                            \
	"    - $CWD\n"                                                                                          \
	"    - $TMPDIR\n"                                                                                       \
	"    - /tmp\n"                                                                                          \
	"    - /dev/null\n"                                                                                     \
	"    - /dev/zero\n"                                                                                     \
	"    - /dev/full\n"                                                                                     \
	"    - /dev/tty\n"                                                                                      \
	"    - /dev/ptmx\n"                                                                                     \
	"    - /dev/pts\n"                                                                                      \
	"    - /dev/shm\n"

static const char agent[] =
	"version: 1\n"
	"name: agent\n"
	"description: >-\n"
	"  The default, for AI coding agents, build scripts and dev tools. Everything\n"
	"  is allowed except the calls that escape a sandbox or reach rarely used,\n"
	"  often exploited kernel code; where a blanket ban would break real tools,\n"
	"  argument rules block only the dangerous forms. Files: read anywhere but\n"
	"  credentials (~/.ssh keys, ~/.aws, ...), write only the working directory\n"
	"  and temp dirs. No network but AF_UNIX (`--net full` allows it); signals\n"
	"  and abstract unix sockets stay inside the sandbox.\n"
	"seccomp:\n"
	"  default_action: allow\n"
	"  deny_action: errno:EPERM\n"
	"  compat_arches: refuse\n"
	"  deny:\n"
	"    - \"@bpf\"\n"
	"    - \"@clock\"\n"
	"    - \"@cpu-emulation\"\n"
	"    - \"@debug\"\n"
	"    - \"@exploit-primitives\"\n"
	"    - \"@io-uring\"\n"
	"    - \"@keyring\"\n"
	"    - \"@module\"\n"
	"    - \"@mount\"\n"
	"    - \"@namespaces\"\n"
	"    - \"@numa\"\n"
	"    - \"@obsolete\"\n"
	"    - \"@privileged\"\n"
	"    - \"@raw-io\"\n"
	"    - \"@reboot\"\n"
	"    - \"@swap\"\n"
	"  allow:\n"
	"    - unshare # decided by the rules below; setns stays denied\n"
	"  rules:\n"
	"    - syscall: clone3\n"
	"      action: errno:ENOSYS\n"
	"      reason: clone3 passes its flags in memory a filter cannot read; ENOSYS makes libc fall back to clone\n"
	"    - syscall: clone\n"
	"      args: [\"arg0 & " NS_FLAGS "\"]\n"
	"      action: errno:EPERM\n"
	"      reason: new namespaces, user namespaces above all, expose kernel code written for root\n"
	"    - syscall: clone\n"
	"      action: allow\n"
	"    - syscall: unshare\n"
	"      args: [\"arg0 & " NS_FLAGS "|CLONE_NEWTIME\"]\n"
	"      action: errno:EPERM\n"
	"      reason: new namespaces, user namespaces above all, expose kernel code written for root\n"
	"    - syscall: unshare\n"
	"      action: allow\n"
	"    - syscall: execveat\n"
	"      args: [\"arg4 & AT_EMPTY_PATH\"]\n"
	"      action: errno:EPERM\n"
	"      reason: executing a descriptor (a memfd) runs code that no path rule ever saw\n"
	"    - syscall: execveat\n"
	"      action: allow\n"
	"    - syscall: memfd_create\n"
	"      args: [\"arg1 & MFD_EXEC\"]\n"
	"      action: errno:EPERM\n"
	"      reason: an explicitly executable memfd serves fileless exec; V8, Wasmtime and runc never ask for one\n"
	"    - syscall: memfd_create\n"
	"      action: allow\n"
	"    - syscall: ioctl\n"
	"      args: [\"arg1 & 0xffffffff == TIOCSTI\"]\n"
	"      action: errno:EPERM\n"
	"      reason: TIOCSTI types into the controlling terminal, so a command runs outside the sandbox\n"
	"    - syscall: ioctl\n"
	"      args: [\"arg1 & 0xffffffff == TIOCLINUX\"]\n"
	"      action: errno:EPERM\n"
	"      reason: TIOCLINUX can paste the console selection into the terminal, like TIOCSTI\n"
	"    - syscall: ioctl\n"
	"      action: allow\n"
	"    - syscall: personality\n"
	"      # The read-only query personality(0xffffffff) sets every flag bit, so\n"
	"      # this denies it too; only gdb asks, and gdb needs the debug overlay,\n"
	"      # which allows it.  Carving it out here would triple the filter.\n"
	"      args: [\"arg0 & READ_IMPLIES_EXEC|MMAP_PAGE_ZERO|ADDR_NO_RANDOMIZE|ADDR_COMPAT_LAYOUT|"
	"ADDR_LIMIT_32BIT|ADDR_LIMIT_3GB|FDPIC_FUNCPTRS|SHORT_INODE|WHOLE_SECONDS|STICKY_TIMEOUTS\"]\n"
	"      action: errno:EPERM\n"
	"      reason: these flags weaken memory protections (executable data, page zero, no ASLR)\n"
	"    - syscall: personality\n"
	"      action: allow\n"
	"    - syscall: socket\n"
	"      args: [\"arg0 == AF_UNIX\"]\n"
	"      action: allow\n"
	"    - syscall: socket\n"
	"      args: [\"arg0 == AF_INET\"]\n"
	"      action: allow\n"
	"    - syscall: socket\n"
	"      args: [\"arg0 == AF_INET6\"]\n"
	"      action: allow\n"
	"    - syscall: socket\n"
	"      args: [\"arg0 == AF_NETLINK\"]\n"
	"      action: allow\n"
	"    - syscall: socket\n"
	"      action: errno:EAFNOSUPPORT\n"
	"      reason: other families (AF_PACKET, AF_VSOCK, AF_ALG, ...) sniff traffic, leave the VM or reach rarely used kernel code\n"
	SETUID_RULES
	SUID_RULE("fchmodat2", "\"arg2 & " SUID_MODE "\"")
	"filesystem:\n"
	"  read: [/]\n"
	"  exec: [/]\n"
	WRITE_ROOTS
	SECRETS
	"network:\n"
	"  mode: none\n"
	"scope:\n"
	"  signals: true\n"
	"  abstract_unix_sockets: true\n";

/* The allow-list: agent's rules, with ENOSYS for every call not listed, so
 * a syscall newer than the policy fails the way libc expects. */
static const char strict[] =
	"version: 1\n"
	"name: strict\n"
	"extends: agent\n"
	"description: >-\n"
	"  An allow-list of the calls ordinary programs make; everything else fails\n"
	"  with ENOSYS. Adds memfd_create and ptrace to agent's denials, and reads\n"
	"  only system directories, the working directory and temp dirs.\n"
	"seccomp:\n"
	"  default_action: errno:ENOSYS\n"
	"  allow:\n"
	"    - \"@basic-io\"\n"
	"    - \"@file-system\"\n"
	"    - \"@ipc\"\n"
	"    - \"@memory\"\n"
	"    - \"@network-io\"\n"
	"    - \"@process\"\n"
	"    - \"@signal\"\n"
	"    - \"@system-info\"\n"
	"    - \"@timer\"\n"
	"  deny:\n"
	"    - memfd_create\n"
	"    - ptrace\n"
	"  rules:\n"
	SETUID_RULES
	"filesystem:\n"
	"  replace: true\n"
	"  read: [/etc, /proc, /sys, /dev, /run, $CWD, $TMPDIR, /tmp]\n"
	"  exec: [/usr, /bin, /sbin, /lib, /lib32, /lib64, /libx32, /opt, $CWD]\n"
	WRITE_ROOTS
	SECRETS;

/* Only the starter blocklist of the bubblewrap seccomp proposal. */
static const char minimal[] =
	"version: 1\n"
	"name: minimal\n"
	"description: >-\n"
	"  The smallest useful blocklist: kernel keyring, eBPF, ptrace, perf,\n"
	"  userfaultfd, mounts (old and new API), namespaces, modules, kexec and\n"
	"  reboot, with clone3 sent back to clone so its flags can be checked.\n"
	"seccomp:\n"
	"  default_action: allow\n"
	"  deny_action: errno:EPERM\n"
	"  compat_arches: refuse\n"
	"  deny:\n"
	"    - add_key\n"
	"    - bpf\n"
	"    - create_module\n"
	"    - delete_module\n"
	"    - finit_module\n"
	"    - fsconfig # the new mount API mounts as surely as mount(2)\n"
	"    - fsmount\n"
	"    - fsopen\n"
	"    - fspick\n"
	"    - init_module\n"
	"    - kexec_file_load\n"
	"    - kexec_load\n"
	"    - keyctl\n"
	"    - mount\n"
	"    - mount_setattr\n"
	"    - move_mount\n"
	"    - open_tree\n"
	"    - perf_event_open\n"
	"    - pivot_root\n"
	"    - ptrace\n"
	"    - reboot\n"
	"    - request_key\n"
	"    - setns\n"
	"    - umount2\n"
	"    - unshare\n"
	"    - userfaultfd\n"
	"  rules:\n"
	"    - syscall: clone\n"
	"      args: [\"arg0 & CLONE_NEWUSER\"]\n"
	"      action: errno:EPERM\n"
	"      reason: a user namespace makes the caller root inside it\n"
	"    - syscall: clone3\n"
	"      action: errno:ENOSYS\n"
	"      reason: clone3's flags are out of the filter's reach; ENOSYS makes libc fall back to clone\n";

/* Overlay for strace, gdb, perf and rr on top of another preset. */
static const char debug[] =
	"version: 1\n"
	"name: debug\n"
	"description: >-\n"
	"  An overlay that re-allows what debuggers and profilers need: ptrace and\n"
	"  the rest of @debug (strace, gdb, rr, perf), the persona query, and\n"
	"  personality with ADDR_NO_RANDOMIZE (gdb and setarch -R turn off ASLR for\n"
	"  the debuggee). The other dangerous persona flags stay denied.\n"
	"seccomp:\n"
	"  allow:\n"
	"    - \"@debug\"\n"
	"    - personality # replaced by the rules below\n"
	"  rules:\n"
	"    - syscall: personality\n"
	"      args: [\"arg0 == PERSONALITY_QUERY\"]\n"
	"      action: allow\n"
	"      reason: personality(0xffffffff) only reads the current persona (gdb asks first)\n"
	"    - syscall: personality\n"
	"      args: [\"arg0 >= 0x10000000\"]\n"
	"      action: errno:EPERM\n"
	"      reason: no persona uses bits 28 and up\n"
	"    - syscall: personality\n"
	"      # bits 28 and up are decided above, which keeps this rule small\n"
	"      args: [\"arg0 & READ_IMPLIES_EXEC|MMAP_PAGE_ZERO|ADDR_COMPAT_LAYOUT|ADDR_LIMIT_32BIT|"
	"ADDR_LIMIT_3GB|FDPIC_FUNCPTRS|SHORT_INODE|WHOLE_SECONDS|STICKY_TIMEOUTS\", \"arg0 < 0x10000000\"]\n"
	"      action: errno:EPERM\n"
	"      reason: these flags weaken memory protections (executable data, page zero)\n";

/* The middle option OpenShell users asked for. */
static const char sealed_memfd[] =
	"version: 1\n"
	"name: sealed-memfd\n"
	"description: >-\n"
	"  An overlay that allows memfd_create only with MFD_NOEXEC_SEAL, so no\n"
	"  memfd can ever be executed (Linux 6.3+). Programs that create plain\n"
	"  memfds, V8 among them, get EPERM and must fall back.\n"
	"seccomp:\n"
	"  rules:\n"
	"    - syscall: memfd_create\n"
	"      args: [\"arg1 & MFD_NOEXEC_SEAL\"]\n"
	"      action: allow\n"
	"    - syscall: memfd_create\n"
	"      action: errno:EPERM\n"
	"      reason: only sealed, never-executable memfds are allowed\n";

static const char none[] = "version: 1\n"
			   "name: none\n"
			   "description: >-\n"
			   "  No seccomp filter (no_new_privs is still set). A layer on top that\n"
			   "  allows, denies or adds rules (--deny X) loads a filter for just those.\n"
			   "seccomp:\n"
			   "  enabled: false\n";

const struct sk_preset sk_presets[] = {
	{ "agent", "default: blocks escapes and risky kernel APIs, keeps dev tools working", NULL, agent },
	{ "debug", "overlay: re-allows ptrace, perf and ASLR-off personality for debuggers", "agent", debug },
	{ "minimal", "only the bubblewrap proposal's starter blocklist", NULL, minimal },
	{ "none", "no syscall filter", NULL, none },
	{ "sealed-memfd", "overlay: memfd_create only with MFD_NOEXEC_SEAL", "agent", sealed_memfd },
	{ "strict", "allow-list; unknown syscalls get ENOSYS; no memfd, no ptrace", NULL, strict },
};

const size_t sk_presets_len = ARRAY_SIZE(sk_presets);

const struct sk_preset *sk_preset_lookup(const char *name)
{
	for (size_t i = 0; i < sk_presets_len; i++)
		if (strcmp(sk_presets[i].name, name) == 0)
			return &sk_presets[i];
	return NULL;
}
