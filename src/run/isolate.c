/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The command in its own pid, IPC, mount, UTS and cgroup namespaces, under
 * a small init (isolate.h has the picture; docs/isolation.md the why).
 *
 * Who may make them: a process with CAP_SYS_ADMIN (root, or root of a user
 * namespace: an unprivileged container), and otherwise any process through
 * a new user namespace that maps the caller's uid and gid to themselves,
 * never to root, so the command holds no capability in it after execve.
 *
 * init is made with clone(2) rather than unshare() in this process then
 * fork(): that would move the outer process into the new mount and user
 * namespaces too, and a setup that fails could not fall back to running in
 * place cleanly.  init shares the outer process's memory (CLONE_VM, on a
 * stack of its own): no copy of the address space to make at the clone and
 * tear down at its exit (~0.1 ms of CPU a run on a 2-core VM, bench/
 * isolation.c).  The two never run the C library at the same time: the
 * outer process waits in read() until init has made the view and forked
 * the command, and after that both only wait for signals and children
 * (whose failures they do not read from the errno they share).  Under
 * valgrind (which cannot run such a clone) init is a copy, as it was.  The
 * command, forked by init, gets a copy of it all, and goes back to the
 * caller's frames with longjmp() (they are intact in the copy: the outer
 * process is still inside sk_isolate()).  The clone leaves the C library's
 * cached thread id stale in init, so init makes no call that uses it
 * (raise, abort, pthread_*); its fork() sets it right for the command.
 * Dumpability is the shared memory's: init's PR_SET_DUMPABLE 0 covers the
 * outer process too (nothing another process of the user may read of it).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock/landlock.h"
#include "run/exec.h"
#include "base/timing.h"
#include "run/isolate.h"
#include "run/vmchild.h"
#include "run/netns.h"

#define NS_FLAGS (CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)

/* The signals passed on to the command: what a terminal, a harness or a
 * service manager sends to stop, reload or resize it. */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGALRM };

/* What this process's sk_isolate() did, for its status. */
static struct {
	bool tried;
	unsigned long flags;
	bool userns;
	enum stockade_ns_reason why;
	int errnum;
	char step[64];
	struct sk_mount_view view;
} state;

/* init -> outer, once, when the setup is done or failed. */
struct setup_msg {
	int ok;
	int errnum;
	char step[64];
	struct sk_mount_view view;
};

static bool have_sys_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN);
}

static void drop_all_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };

	syscall(SYS_capset, &h, d);
}

/* This process is in the initial user namespace (its uid_map maps all). */
bool sk_in_initial_userns(void)
{
	char buf[128] = "";
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	unsigned long a, b, c;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return true; /* no user namespaces at all */
	buf[n] = '\0';
	return sscanf(buf, "%lu %lu %lu", &a, &b, &c) == 3 && a == 0 && b == 0 && c == 4294967295UL;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : n == (ssize_t)strlen(text) ? 0 : -EIO;
	close(fd);
	return (int)n;
}

/* In init, in its new user namespace: the caller's uid and gid, mapped to
 * themselves.  setgroups must be denied before an unprivileged gid_map. */
static int map_ids(uid_t uid, gid_t gid, char *step, size_t size)
{
	char line[64];
	int ret;

	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if ((ret = write_file("/proc/self/uid_map", line)) < 0) {
		snprintf(step, size, "writing /proc/self/uid_map");
		return ret;
	}
	if ((ret = write_file("/proc/self/setgroups", "deny")) < 0 && ret != -ENOENT) {
		snprintf(step, size, "writing /proc/self/setgroups");
		return ret;
	}
	snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	if ((ret = write_file("/proc/self/gid_map", line)) < 0) {
		snprintf(step, size, "writing /proc/self/gid_map");
		return ret;
	}
	return 0;
}

/* init's loop: reap everything, pass signals on, end with the command. */
static _Noreturn void init_loop(pid_t command, const sigset_t *set, int report)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			/* The terminal signals the whole foreground process
			 * group, the command included: not twice. */
			if (si.si_code != SI_KERNEL)
				kill(command, sig);
			continue;
		}
		for (;;) {
			int st;
			pid_t w = waitpid(-1, &st, WNOHANG);

			if (w <= 0)
				break;
			if (w != command)
				continue;
			/* The raw status, so the outer process can end the
			 * same way; our own exit code says it too for whoever
			 * sees only us.  Everything left in the namespace is
			 * killed when we exit. */
			sk_write_all(report, &st, sizeof(st));
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		}
	}
}

struct init_args {
	const stockade_plan *plan;
	const struct sk_isolate_opts *opts;
	bool userns;
	bool real_root; /* root of the initial user namespace: vm.memfd_noexec, devpts gid=5 */
	uid_t uid;
	gid_t gid;
	int report;	   /* write end: setup_msg, then the command's wait status */
	int alive;	   /* read end: hangs up when the outer process is gone */
	/* The outer process's ends of both pipes, its signalfd and a pidfd
	 * (or -1): init closes them. */
	int outer_ends[4];
	unsigned long flags; /* CLONE_NEW* */
	sigset_t set;	   /* the signals init waits for (blocked since before clone) */
	sigset_t oldmask;  /* the caller's mask, for the command */
	struct sigaction old_chld;
};

/* pid 1.  Returns only in the command's process. */
static void init_main(struct init_args *a)
{
	struct setup_msg m = { .ok = 0 };
	struct pollfd p = { .fd = a->alive, .events = POLLIN };
	stockade_error *e = NULL;
	pid_t command;
	int ret;

	/* (init shares the outer process's memory: its marks are the run's,
	 * and the command's copy has them all.) */
	sk_timing("namespaces: clone");
	/* The outer process's death is ours, and ours the namespace's. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (poll(&p, 1, 0) != 0)
		_exit(125); /* it died before PDEATHSIG was set */
	sk_git_close_fds();
	/* Our own /proc/self/uid_map is ours to write only while we are
	 * dumpable (a supervisor's child is not: it inherited that). */
	if (a->userns) {
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		ret = map_ids(a->uid, a->gid, m.step, sizeof(m.step));
		if (ret < 0)
			goto fail;
	}
	/* Then not the command's to ptrace, read (/proc/1/mem, environ) or
	 * take descriptors from.  The command inherits it until execve. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	ret = sk_mount_view(a->plan, a->real_root, a->opts && a->opts->audit, &m.view, m.step, sizeof(m.step));
	if (ret < 0)
		goto fail;
	sk_timing("namespaces: mount view");
	if (a->opts && a->opts->inside && (ret = a->opts->inside(a->opts->data, &e)) < 0) {
		snprintf(m.step, sizeof(m.step), "%s", e && e->msg ? e->msg : "the setup hook");
		stockade_error_free(e);
		goto fail;
	}
	if (a->opts && a->opts->inside)
		sk_timing("namespaces: network");
	command = fork();
	if (command < 0) {
		ret = -errno;
		snprintf(m.step, sizeof(m.step), "fork");
		goto fail;
	}
	if (command == 0) {
		close(a->report);
		close(a->alive);
		/* In our user namespace the command's process holds every
		 * capability until execve clears them (its uid is not 0 there):
		 * it needs none of them to confine itself. */
		if (a->userns)
			drop_all_caps();
		sigaction(SIGCHLD, &a->old_chld, NULL);
		sigprocmask(SIG_SETMASK, &a->oldmask, NULL);
		state.view = m.view;
		return;
	}
	m.ok = 1;
	sk_write_all(a->report, &m, sizeof(m));
	init_loop(command, &a->set, a->report);
fail:
	m.errnum = -ret;
	sk_write_all(a->report, &m, sizeof(m));
	_exit(125);
}

/* init's stack (init shares the outer process's memory): the setup's
 * deepest path (realpath, the network hook) uses a few tens of KiB; pages
 * never touched cost nothing.  A PROT_NONE page right below it: without
 * one, the outer process's other data lay right under it, which an
 * overflow in init would have overwritten unseen; now it faults, init dies
 * and the setup fails (closed).  The stack stays static, the last page
 * of a padding below it made PROT_NONE once a process: one mprotect, ~2 us
 * (it splits the mapping).  A stack mmap'd for each run with its guard
 * measured 7 to 16 us more a run than the static one on a quiet 2-core VM
 * (bench/isolation.c, its last three rows: static, mapped, static with
 * the guard; under load the three are within the noise).  And where the
 * command's process goes back to the caller's frames. */
#define INIT_STACK_SIZE (512 * 1024)
#define INIT_GUARD_MAX 65536 /* the largest page size (arm64, ppc64) */
static char init_area[INIT_GUARD_MAX + INIT_STACK_SIZE] __attribute__((aligned(INIT_GUARD_MAX)));
static char *const init_stack = init_area + INIT_GUARD_MAX;
static bool init_guarded;
static jmp_buf to_caller;

/* 0, or a negative errno (no page size it can guard, mprotect refused). */
static int init_stack_guard(void)
{
	long page = sysconf(_SC_PAGESIZE);

	if (init_guarded)
		return 0;
	if (page <= 0 || page > INIT_GUARD_MAX)
		return -EINVAL;
	if (mprotect(init_stack - page, (size_t)page, PROT_NONE) < 0)
		return -errno;
	init_guarded = true;
	return 0;
}

static int init_start(void *arg)
{
	struct init_args *a = arg;

	for (size_t i = 0; i < ARRAY_SIZE(a->outer_ends); i++)
		if (a->outer_ends[i] >= 0)
			close(a->outer_ends[i]);
	init_main(a);
	/* the command */
	longjmp(to_caller, 1);
}

/* Clone init; -1 with errno if it cannot be made.  state.flags and
 * state.userns say, before the clone, what the command will have. */
static pid_t clone_init(struct init_args *a)
{
	unsigned long *flags = &a->flags;
	/* (valgrind takes a CLONE_VM clone for a thread and stops at one
	 * without CLONE_THREAD: under it, init is a copy.) */
	unsigned long vm = SK_UNDER_VALGRIND() ? 0 : CLONE_VM;
	pid_t pid;

	state.flags = *flags | (a->opts ? a->opts->joined_flags : 0);
	state.userns = a->userns;
	pid = clone(init_start, init_stack + INIT_STACK_SIZE, (int)(*flags | vm | SIGCHLD), a);
	if (pid < 0 && errno == EINVAL && vm) {
		/* CLONE_VM refused: init gets a copy, as with fork(). */
		vm = 0;
		pid = clone(init_start, init_stack + INIT_STACK_SIZE, (int)(*flags | SIGCHLD), a);
	}
	if (pid < 0 && errno == EPERM && !a->userns) {
		/* CAP_SYS_ADMIN but not over this user namespace's owner
		 * (a container's root): through a user namespace after all. */
		a->userns = true;
		*flags |= CLONE_NEWUSER;
		state.flags = *flags | (a->opts ? a->opts->joined_flags : 0);
		state.userns = true;
		pid = clone(init_start, init_stack + INIT_STACK_SIZE, (int)(*flags | vm | SIGCHLD), a);
	}
	if (pid < 0) {
		int e = errno;

		/* (fallback() says what the caller gets.) */
		state.flags = 0;
		state.userns = false;
		errno = e;
	}
	return pid;
}

/* Signal init, which is in the pid namespace it made: through its pidfd
 * (a pid names a process only in one namespace; init's, here, is this
 * process's unreaped child's, so the bare pid is right where the kernel
 * has no pidfds).  A raw call: errno is init's too while it runs. */
static void signal_init(int pidfd, pid_t init, int sig)
{
	if (pidfd < 0 || syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		syscall(SYS_kill, init, sig);
}

/* The outer process, until the command ends: then end as it did. */
static _Noreturn void outer_loop(pid_t init, int pidfd, const sigset_t *set, int report,
				 const struct sk_isolate_opts *opts)
{
	struct sk_git_planted planted[8];
	int st = 0, cst;

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			if (si.si_code != SI_KERNEL)
				signal_init(pidfd, init, sig);
			continue;
		}
		/* init, and any other child of this process (the proxy's
		 * short-lived starter), which is not left a zombie for the run. */
		pid_t p;
		bool done = false;

		while (!done && (p = waitpid(-1, &cst, WNOHANG)) > 0)
			if (p == init) {
				st = cst;
				done = true;
			}
		if (done)
			break;
	}
	/* init sends the command's status before it exits; without it (init
	 * was killed), init's own. */
	if (read(report, &cst, sizeof(cst)) == (ssize_t)sizeof(cst))
		st = cst;
	/* init is gone, and with it every process of its pid namespace (the
	 * kernel reaps them all before init can be): a file git reads that
	 * was absent and is there now was planted (mount_git.c). */
	size_t n = sk_git_planted_check(planted, ARRAY_SIZE(planted));
	for (size_t i = 0; i < n && i < ARRAY_SIZE(planted); i++)
		if (opts && opts->planted)
			opts->planted(&planted[i]);
	if (WIFSIGNALED(st)) {
		int sig = WTERMSIG(st);
		struct rlimit none = { 0, 0 };
		sigset_t one;

		/* Die of the same signal (the command dumped any core). */
		setrlimit(RLIMIT_CORE, &none);
		signal(sig, SIG_DFL);
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		raise(sig);
		_exit(128 + sig);
	}
	_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 125);
}

/* The signals that stop a run while init sets it up (a terminal's Ctrl-C,
 * a harness's or service manager's stop): the others wait, blocked, for
 * the command. */
static const int stopping[] = { SIGINT, SIGTERM, SIGHUP };

/* A signalfd for them (blocked already), made before the clone: every
 * call that can fail is, since errno is shared with init once it runs.
 * -1 without one (descriptors exhausted): a stalled setup then waits for
 * init, as it did. */
static int stop_fd(void)
{
	sigset_t stop;

	sigemptyset(&stop);
	for (size_t i = 0; i < ARRAY_SIZE(stopping); i++)
		sigaddset(&stop, stopping[i]);
	return signalfd(-1, &stop, SFD_CLOEXEC);
}

/* Wait for init's report on `fd`: its size once read (0 or short: init
 * ended without one).  A stopping signal on `sfd` before it ends the run
 * at once: init is killed through its pidfd, which takes everything in its
 * pid namespace with it, and this process exits as a shell reports a
 * command the signal killed (130, 143, 129).  errno is init's too (shared
 * memory) and not to be read while it runs. */
static ssize_t wait_setup(int fd, struct setup_msg *m, pid_t init, int pidfd, int sfd)
{
	ssize_t got;

	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		struct signalfd_siginfo si;

		if (poll(p, sfd >= 0 ? 2 : 1, -1) < 0)
			continue;
		/* The report first: once the command exists, a signal is
		 * passed on to it (outer_loop), not taken for a stop. */
		if (p[0].revents) {
			if ((got = read(fd, m, sizeof(*m))) >= 0)
				break;
			continue;
		}
		if (!(p[1].revents & POLLIN) || read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		signal_init(pidfd, init, SIGKILL);
		while (waitpid(init, NULL, 0) < 0 && errno == EINTR)
			;
		_exit(128 + (int)si.ssi_signo);
	}
	return got;
}

static int fallback(const stockade_plan *plan, enum stockade_ns_reason why, int errnum, const char *step,
		    stockade_error **err)
{
	sk_fs_note_moot(NULL);
	/* init shared this memory: nothing it set for the command's side may
	 * stand for this process, which runs the command in place. */
	sk_netns_forget();
	sk_mount_host_sockets(false);
	state.why = why;
	state.errnum = errnum;
	snprintf(state.step, sizeof(state.step), "%s", step);
	state.flags = 0;
	if (plan->access.isolation != SK_ISOLATION_REQUIRED)
		return 0;
	if (why == STOCKADE_NS_DENIED) {
		sk_error(err, errnum, "isolation: required, but this process may not make namespaces: %s: %s", step,
			 strerror(errnum));
		sk_error_hint(err, "run as root, allow unprivileged user namespaces (sysctl "
				   "kernel.unprivileged_userns_clone=1, user.max_user_namespaces), or use "
				   "`--isolation auto`");
		return -errnum;
	}
	return sk_error(err, errnum, "isolation: required, but setting up the namespaces failed: %s: %s", step,
			strerror(errnum));
}

/* In the command's process, in the namespaces: a descriptor it inherits
 * (0 to n - 1) that is a directory, or was opened O_PATH (whatever it is:
 * a socket file's would connect), was opened in the host's mount view, and
 * /proc/self/fd/N/... would name paths through it around the view's
 * covers (`cmd < dir`, `3< dir`).  A file, a pipe or a socket is its own
 * object, the same in either view.  1, or -EBADF naming the first one. */
static int view_bypassing_fd(unsigned n, stockade_error **err)
{
	for (unsigned fd = 0; fd < n; fd++) {
		int fl = fcntl((int)fd, F_GETFL);
		char link[32], to[256] = "?";
		struct stat st;
		ssize_t len;

		if (fl < 0 || (!(fl & O_PATH) && (fstat((int)fd, &st) < 0 || !S_ISDIR(st.st_mode))))
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%u", fd);
		if ((len = readlink(link, to, sizeof(to) - 1)) > 0)
			to[len] = '\0';
		sk_error(err, EBADF,
			 "descriptor %u (%s) is a directory or an O_PATH descriptor: opened in the host's mount view, it "
			 "would lead the command around the namespaces' (hidden sockets, read-only .git) through "
			 "/proc/self/fd/%u",
			 fd, to, fd);
		sk_error_hint(err, "pass a file, a pipe or a socket there, or run with --isolation off");
		return -EBADF;
	}
	return 1;
}

int sk_isolate(const stockade_plan *plan, const struct sk_isolate_opts *opts, stockade_error **err)
{
	static const struct sigaction dfl = { .sa_handler = SIG_DFL };
	struct init_args a = { .plan = plan, .opts = opts, .uid = getuid(), .gid = getgid(),
				.flags = NS_FLAGS | (opts ? opts->extra_flags : 0) };
	struct setup_msg m;
	int rep[2], alive[2], st, ret, pidfd, sfd, probe;
	ssize_t got;
	pid_t pid;

	/* Already in namespaces of our own (the CLI made them, and its
	 * supervisor's child asks again): go on as the command. */
	if (state.flags)
		return 1;
	memset(&state, 0, sizeof(state));
	state.tried = true;
	if (plan->access.isolation == SK_ISOLATION_OFF) {
		state.why = STOCKADE_NS_POLICY_OFF;
		return 0;
	}
	a.userns = !have_sys_admin();
	if (a.userns) {
		a.flags |= CLONE_NEWUSER;
		/* Who owns the system's files, while we can still tell. */
		if (plan->access.fs)
			sk_fs_note_moot(&plan->access);
	}
	a.real_root = getuid() == 0 && sk_in_initial_userns();
	if ((ret = init_stack_guard()) < 0)
		return sk_error(err, -ret, "init's stack: its guard page (mprotect): %s", strerror(-ret));
	if (pipe2(rep, O_CLOEXEC) < 0)
		return sk_error(err, errno, "pipe: %s", strerror(errno));
	if (pipe2(alive, O_CLOEXEC) < 0) {
		close(rep[0]);
		close(rep[1]);
		return sk_error(err, errno, "pipe: %s", strerror(errno));
	}
	sigemptyset(&a.set);
	sigaddset(&a.set, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&a.set, forwarded[i]);
	/* Blocked before the clone, so none is lost before either loop
	 * waits for it; the command gets the caller's mask back.  Exit
	 * statuses must come to us even if the caller ignores SIGCHLD. */
	sigprocmask(SIG_BLOCK, &a.set, &a.oldmask);
	sigaction(SIGCHLD, &dfl, &a.old_chld);
	/* Whether this kernel has pidfds (Linux 5.3), asked before the
	 * clone; its descriptor is closed for init's after it, so that one
	 * cannot fail for want of a slot either. */
	sfd = stop_fd();
	probe = (int)syscall(SYS_pidfd_open, getpid(), 0);

	a.report = rep[1];
	a.alive = alive[0];
	a.outer_ends[0] = rep[0];
	a.outer_ends[1] = alive[1];
	a.outer_ends[2] = sfd;
	a.outer_ends[3] = probe;
	/* The command's process comes back here, from init_start(), with a
	 * copy of this frame: what it needs is in `state` already (locals
	 * changed after setjmp are not to be read there). */
	if (setjmp(to_caller)) {
		state.why = STOCKADE_NS_AVAILABLE;
		return view_bypassing_fd(opts && opts->inherited ? opts->inherited : 3, err);
	}
	/* The host's socket list, for init to hide what is bound now. */
	sk_mount_host_sockets(true);
	/* And the repositories to cover, with the git dirs to look at after. */
	sk_git_find();
	sk_timing("namespaces: repositories found");
	pid = clone_init(&a);
	close(rep[1]);
	close(alive[0]);
	if (pid < 0) {
		int e = errno;

		close(rep[0]);
		close(alive[1]);
		if (sfd >= 0)
			close(sfd);
		if (probe >= 0)
			close(probe);
		sigaction(SIGCHLD, &a.old_chld, NULL);
		sigprocmask(SIG_SETMASK, &a.oldmask, NULL);
		sk_git_forget();
		return fallback(plan, STOCKADE_NS_DENIED, e, a.userns ? "clone(CLONE_NEWUSER|CLONE_NEWPID|...)"
								     : "clone(CLONE_NEWPID|CLONE_NEWNS|...)",
				err);
	}
	/* Our unreaped child: its pid is its own until we wait for it. */
	if (probe >= 0)
		close(probe);
	pidfd = probe >= 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	got = wait_setup(rep[0], &m, pid, pidfd, sfd);
	if (sfd >= 0)
		close(sfd);
	sk_mount_host_sockets(false); /* init is done with it (its setup is over) */
	if (got == (ssize_t)sizeof(m) && m.ok)
		outer_loop(pid, pidfd, &a.set, rep[0], opts);
	if (pidfd >= 0)
		close(pidfd);

	/* The setup failed: init has exited (or is about to). */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	sk_git_forget();
	close(rep[0]);
	close(alive[1]);
	sigaction(SIGCHLD, &a.old_chld, NULL);
	sigprocmask(SIG_SETMASK, &a.oldmask, NULL);
	if (got != (ssize_t)sizeof(m))
		return fallback(plan, STOCKADE_NS_FAILED, EIO, "init ended during the setup", err);
	/* A user namespace that maps nothing: the kernel refused it. */
	return fallback(plan, a.userns && !strncmp(m.step, "writing /proc/self/", 19) ? STOCKADE_NS_DENIED
										 : STOCKADE_NS_FAILED,
			m.errnum ? m.errnum : EIO, m.step, err);
}

static void fill(const stockade_plan *plan, struct sk_enforcement *rep, bool dry, bool real_root)
{
	rep->isolation = plan->access.isolation;
	rep->ns_flags = state.flags;
	rep->ns_userns = state.userns;
	rep->ns_why = state.why;
	rep->ns_errno = state.errnum;
	snprintf(rep->ns_step, sizeof(rep->ns_step), "%s", state.step);
	rep->sockets_hidden = state.view.hidden;
	rep->sockets_linked = state.view.linked;
	rep->sockets_allowed = state.view.allowed;
	rep->git_repos = state.view.git_repos;
	rep->git_watched = state.view.git_watched;
	rep->git_truncated = state.view.git_truncated;
	rep->memfd_noexec = state.view.memfd_noexec;
	rep->ns_shm = state.view.shm;
	rep->ro_view = state.view.ro_view;
	rep->ns = (struct sk_enforcement_item){ .level = SK_LEVEL_OFF };
	if (plan->access.isolation == SK_ISOLATION_OFF)
		return;
	if (!state.flags) {
		rep->ns.level = SK_LEVEL_NONE;
		rep->ns.weaker = true;
		rep->ns.gaps = STOCKADE_GAP_NS_PROCESSES | STOCKADE_GAP_NS_IPC | STOCKADE_GAP_NS_MOUNTS |
			       STOCKADE_GAP_NS_MEMFD_EXEC;
		return;
	}
	rep->ns.level = SK_LEVEL_FULL;
	if (dry) {
		rep->memfd_noexec = real_root && access("/proc/sys/vm/memfd_noexec", F_OK) == 0;
		rep->ro_view = sk_isolation_wants_ro_view(plan);
	}
	if (!rep->memfd_noexec && sk_isolation_wants_memfd_noexec(plan)) {
		rep->ns.level = SK_LEVEL_PARTIAL;
		rep->ns.gaps = STOCKADE_GAP_NS_MEMFD_EXEC;
	}
}

bool sk_isolated(void)
{
	return state.tried && (state.flags & CLONE_NEWPID);
}

unsigned sk_isolation_linked_sockets(void)
{
	return sk_isolated() ? state.view.linked : 0;
}

void sk_enforcement_isolation(const stockade_plan *plan, struct sk_enforcement *rep)
{
	if (!state.tried) {
		memset(&state, 0, sizeof(state));
		state.why = plan->access.isolation == SK_ISOLATION_OFF ? STOCKADE_NS_POLICY_OFF : STOCKADE_NS_IN_PLACE;
	}
	fill(plan, rep, false, false);
	if (!state.tried)
		memset(&state, 0, sizeof(state));
}

void sk_isolation_probe(const stockade_plan *plan, struct sk_enforcement *rep)
{
	unsigned long flags = NS_FLAGS;
	bool userns = !have_sys_admin();
	int st;
	pid_t pid;

	memset(&state, 0, sizeof(state));
	if (plan->access.isolation == SK_ISOLATION_OFF) {
		state.why = STOCKADE_NS_POLICY_OFF;
	} else {
		if (userns)
			flags |= CLONE_NEWUSER;
		/* A child that makes them, maps its ids and exits at once. */
		pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
		if (pid == 0) {
			char step[64];

			_exit(userns && map_ids(getuid(), getgid(), step, sizeof(step)) < 0 ? 1 : 0);
		}
		if (pid < 0) {
			state.why = STOCKADE_NS_DENIED;
			state.errnum = errno;
			snprintf(state.step, sizeof(state.step), "clone(%sCLONE_NEWPID|...)",
				 userns ? "CLONE_NEWUSER|" : "");
		} else {
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
				state.flags = flags;
				state.userns = userns;
			} else {
				state.why = STOCKADE_NS_DENIED;
				state.errnum = EPERM;
				snprintf(state.step, sizeof(state.step), "writing /proc/self/uid_map");
			}
		}
	}
	fill(plan, rep, true, !userns && getuid() == 0 && sk_in_initial_userns());
	memset(&state, 0, sizeof(state));
}
