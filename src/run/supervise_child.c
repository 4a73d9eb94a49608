/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervised child (supervise.c says why it is built this way): it
 * makes its namespaces where the policy asks, confines itself with the
 * notifying filter on its main thread while a helper thread hands the
 * listener to the supervisor, then execs the command.  And the handoff
 * protocol both sides speak.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "landlock/landlock.h"
#include "run/exec.h"
#include "analysis/analysis.h"
#include "run/isolate.h"
#include "run/supervise.h"
#include "base/timing.h"
#include "run/supervise_child.h"
#include "run/proxy_run.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* ---- the handoff protocol (child -> supervisor, SOCK_SEQPACKET) ---- */



int sk_handoff_send_hint(int sock, int kind, int errnum, unsigned flags, bool fallback, int fd, const char *text,
			 const char *hint)
{
	ssize_t n;

	struct handoff_msg m = { .kind = kind, .errnum = errnum, .flags = flags, .fallback = fallback };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (text)
		snprintf(m.text, sizeof(m.text), "%s", text);
	if (hint)
		snprintf(m.hint, sizeof(m.hint), "%s", hint);
	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

int sk_handoff_send(int sock, int kind, int errnum, unsigned flags, bool fallback, int fd, const char *text)
{
	return sk_handoff_send_hint(sock, kind, errnum, flags, fallback, fd, text, NULL);
}

/* Receive one message; *fd gets a passed descriptor or -1.  Returns 1, 0 at
 * end of stream, -errno on error. */
int sk_handoff_recv(int sock, struct handoff_msg *m, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	ssize_t n;

	bool reset = false;

	*fd = -1;
	memset(m, 0, sizeof(*m));
	/* A peer that closed its end with our message unread (a child that
	 * failed before it read its fence) leaves ECONNRESET, reported once
	 * and before what it sent: then read what it sent. */
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && (errno == EINTR || (errno == ECONNRESET && !reset && (reset = true))));
	if (n < 0)
		return -errno;
	/* u.buf has room for one header: the only one to look at (and musl's
	 * CMSG_NXTHDR() trips clang's -Wsign-compare). */
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (n == 0)
		return 0;
	m->text[sizeof(m->text) - 1] = '\0';
	m->hint[sizeof(m->hint) - 1] = '\0';
	return 1;
}

/* ---- the child ---- */

#define LISTENER_PENDING INT_MIN

struct handoff {
	int sock;
	bool fallback;
	bool futex_ok; /* the confined thread may use futex() (see may_call) */
	_Atomic int listener; /* LISTENER_PENDING, the fd, or -errno */
	_Atomic unsigned flags;
	_Atomic int done;     /* 1 sent, -1 failed */
};

static long futex(_Atomic int *addr, int op, int val, const struct timespec *timeout)
{
	return syscall(SYS_futex, addr, op, val, timeout, NULL, 0);
}

/* May the confined thread make this exact call?  Only if the filter lets
 * it through untouched: never a notification (nobody could answer it yet),
 * never a kill. */
static bool may_call(const stockade_plan *sp, const char *name, const uint64_t args[SK_MAX_ARGS])
{
	struct sk_verdict v;

	if (!sp->seccomp_enabled)
		return true;
	sk_plan_decide(sp, name, args, &v);
	return v.action.type == SK_ACT_ALLOW;
}

/* The helper thread: unconfined, it carries the listener to the supervisor. */
static void *handoff_thread(void *p)
{
	struct handoff *h = p;
	struct timespec tick = { 0, 200 * 1000 };
	int fd;

	/* Unconfined, this thread may make any call.  The main thread wakes
	 * it if it may; otherwise the timeout does. */
	while ((fd = atomic_load(&h->listener)) == LISTENER_PENDING) {
		if (h->futex_ok)
			futex(&h->listener, FUTEX_WAIT_PRIVATE, LISTENER_PENDING, &tick);
		else
			sched_yield();
	}
	if (fd >= 0) {
		sk_handoff_send(h->sock, MSG_LISTENER, 0, atomic_load(&h->flags), h->fallback, fd, NULL);
		atomic_store(&h->done, 1);
	} else {
		char text[200];

		snprintf(text, sizeof(text), "cannot install the seccomp filter with a listener: %s", strerror(-fd));
		sk_handoff_send(h->sock, MSG_SETUP_FAILED, -fd, 0, false, -1, text);
		atomic_store(&h->done, -1);
	}
	futex(&h->done, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
	return NULL;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}


/*
 * Sending the listener from the confined thread itself, where the filter
 * lets that exact sendmsg() through (may_call): no helper thread to start
 * and to end at execve().  Everything the call reads is set up before the
 * filter (static, so its address is known to may_call) but the descriptor
 * and the flags; it is made with syscall() so that the arguments the
 * filter sees are the ones checked (a C library may copy the msghdr).
 */
struct direct_send {
	struct handoff_msg m;
	struct iovec iov;
	struct msghdr mh;
	int sock;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u; /* last: CMSG_SPACE is no constant to clang */
};

static struct direct_send direct;

static bool direct_prepare(struct direct_send *d, int sock, bool fallback)
{
#ifdef SYS_sendmsg
	struct cmsghdr *c;

	memset(d, 0, sizeof(*d));
	d->m = (struct handoff_msg){ .kind = MSG_LISTENER, .fallback = fallback };
	d->iov = (struct iovec){ .iov_base = &d->m, .iov_len = sizeof(d->m) };
	d->mh.msg_iov = &d->iov;
	d->mh.msg_iovlen = 1;
	d->mh.msg_control = d->u.buf;
	d->mh.msg_controllen = sizeof(d->u.buf);
	c = CMSG_FIRSTHDR(&d->mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	d->sock = sock;
	return true;
#else
	(void)d;
	(void)sock;
	(void)fallback;
	return false; /* socketcall(): not this way */
#endif
}

static int direct_send(struct direct_send *d, int fd, unsigned flags)
{
#ifdef SYS_sendmsg
	long n;

	d->m.flags = flags;
	memcpy(CMSG_DATA(CMSG_FIRSTHDR(&d->mh)), &fd, sizeof(int));
	do
		n = syscall(SYS_sendmsg, d->sock, &d->mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
#else
	(void)d;
	(void)fd;
	(void)flags;
	return -1;
#endif
}

static _Noreturn void child_fail(int sock, int errnum, const char *what, stockade_error *e)
{
	char text[400];

	if (e && e->msg)
		snprintf(text, sizeof(text), "%s", e->msg);
	else
		snprintf(text, sizeof(text), "%s: %s", what, strerror(errnum));
	sk_handoff_send_hint(sock, MSG_SETUP_FAILED, errnum, 0, false, -1, text, e ? e->hint : NULL);
	_exit(CHILD_SETUP_FAILED);
}

/*
 * Vforked (below), the supervisor waits for us and so cannot send the
 * fence in the linger process's place should that die first: we watch it
 * (a pidfd) and make that fence ourselves, the supervisor's pid alone, as
 * it would (supervise.c).  The sizes as recv() returns them.
 */
static ssize_t fence_from_linger(const struct child_args *a, struct fence_msg *fm)
{
	int pidfd = (int)syscall(SYS_pidfd_open, a->linger, 0);
	ssize_t got = -1;

	if (pidfd < 0) /* it could not know whether one comes */
		child_fail(a->sock, errno, "cannot watch the linger process (pidfd_open)", NULL);
	for (;;) {
		struct pollfd p[2] = { { .fd = a->sock, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			while ((got = recv(a->sock, fm, sizeof(*fm), 0)) < 0 && errno == EINTR)
				;
			break;
		}
		if (p[1].revents) {
			/* gone: what it sent before it went, or ours */
			got = recv(a->sock, fm, sizeof(*fm), MSG_DONTWAIT);
			if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				*fm = (struct fence_msg){ .kind = MSG_FENCE, .n = 1, .pids = { a->supervisor } };
				got = (ssize_t)sizeof(*fm);
			}
			break;
		}
	}
	close(pidfd);
	return got;
}

/* The program's own Landlock domain scopes signals (ABI 6 and the
 * policy's `scope: signals`, no gap). */
static bool policy_scopes_signals(const stockade_program *p)
{
	const struct sk_enforcement *rep = &p->status.rep;

	return p->ruleset >= 0 && rep->scope_signals && rep->abi >= 6 && !(rep->scope.gaps & STOCKADE_GAP_SCOPE_SIGNALS);
}

_Noreturn void sk_supervise_child(struct child_args *a)
{
	static struct handoff h = { .listener = LISTENER_PENDING };
	const stockade_plan *sp;
	stockade_program *program = NULL;
	struct sk_enforcement rep;
	stockade_error *e = NULL;
	unsigned flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	struct sock_fprog prog;
	static const uint64_t no_args[SK_MAX_ARGS];
	bool yield_ok;
	void *insns = NULL;
	size_t len = 0;
	pthread_t helper;
	long fd;
	int ret;

	/* (static: under sk_supervise_vfork, the supervisor's own copy) */
	atomic_store(&h.listener, LISTENER_PENDING);
	atomic_store(&h.flags, 0);
	atomic_store(&h.done, 0);
	h.sock = a->sock;
	/* The command does not outlive its supervisor: killed with it, it
	 * cannot go on unanswered nor unwatched by whoever waits for us. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != a->supervisor)
		_exit(CHILD_SETUP_FAILED);
	/* Namespaces (isolate.h): this process stays as their outer one; the
	 * rest runs in the command's. */
	if ((ret = sk_isolate(a->plan, NULL, &e)) < 0)
		child_fail(a->sock, -ret, "cannot isolate the command", e);
	/* The supervisor only blocked signals and took SIGCHLD back to its
	 * default; dispositions are the caller's. */
	sk_timing("supervisor: its child forked, isolated");
	if (!a->vforked || a->old_chld.sa_handler == SIG_DFL || a->old_chld.sa_handler == SIG_IGN)
		sigaction(SIGCHLD, &a->old_chld, NULL);
	/* (vforked: no handler of the caller's runs in its memory; the
	 * exec resets a handler to the default anyway) */
	sigprocmask(SIG_SETMASK, &a->oldmask, NULL);
	/* The program of the plan with its denials turned into notifications:
	 * the ruleset, and the filter of sp, the plan that goes with what
	 * Landlock could enforce (the plan or its TCP fallback). */
	struct sk_notify nt;

	sk_mediation_notify(a->opts->mediation, a->opts->mode, &nt);
	program = a->program;
	if (!program && (ret = sk_program_new(a->plan, &nt, &program, &e)) < 0)
		child_fail(a->sock, -ret, "cannot confine the command", e);
	/* A proxy the CLI started: nothing runs before its word that it is
	 * confined (run/proxy_run.h); its start overlapped ours. */
	if ((ret = sk_proxy_gate(&e)) < 0)
		child_fail(a->sock, -ret, "network mode proxy", e);
	sp = program->filter_plan;
	rep = program->status.rep;
	rep.applied = true;
	h.fallback = sp != a->plan;
	/* Everything stockade_program_apply() does before the filter
	 * (no_new_privs, Landlock). */
	ret = sk_program_apply_but_seccomp(program, &e);
	if (ret < 0)
		child_fail(a->sock, -ret, "cannot confine the command", e);
	/* Whatever the policy says of Landlock, the command is kept off its
	 * supervisor (supervise_harden.c).  Signals are scoped for a report,
	 * an audit or learn; a supervisor that only mediates keeps the
	 * policy's own choice (`scope: signals: false` means what it says:
	 * outside processes may be signalled), and the supervisor's ids, its
	 * process group and the id-less forms are fenced with seccomp
	 * (sk_supervise_harden). */
	bool fence_signals = a->opts->mode != SK_NOTIFY_NONE;

	/* A Landlock domain keeps ptrace within itself: where the policy's
	 * own was applied above and no signal scope is to be added, the
	 * fence domain would add nothing (ret 0: signals as the policy says). */
	if (fence_signals || program->ruleset < 0)
		ret = sk_landlock_fence(fence_signals || a->plan->access.scope_signals);
	else
		ret = 0;
	if (ret < 0)
		child_fail(a->sock, -ret, "cannot fence the command off its supervisor (Landlock)", NULL);
	sk_timing("supervisor: Landlock fence");
	/* What the pid fence need not refuse (supervise_harden.c): ptrace
	 * access out of the command's Landlock domain (the policy's applied
	 * above, or the fence's) is refused, and so are signals where either
	 * scopes them; and calls the policy's filter refuses for any pid but
	 * the caller's own. */
	bool ll_ptrace = ret > 0 || program->ruleset >= 0;
	/* Where no Landlock domain scopes the command's signals (the policy
	 * says `signals: false`, or Landlock before ABI 6), the forms that
	 * name no pid are fenced too (kill(-1), kill(0) and kill(-PGID) of
	 * the supervisor's group, pidfd_send_signal, whose pidfd may be a
	 * /proc/PID directory's fd): the command would stop or kill its
	 * supervisor, which would then leave it running unwatched. */
	bool ll_signals = ret == 2 || policy_scopes_signals(program);
	unsigned fence_open = sk_supervise_fence_open(
		nt.mode, a->fence_policy_known ? a->fence_policy_closed : sk_supervise_fence_policy_closed(sp, &nt),
		ll_ptrace, ll_signals);

	sk_supervise_harden_prepare();
	insns = program->bpf;
	len = program->bpf_len;
	prog.len = (unsigned short)len;
	prog.filter = insns;
	/* After seccomp(), this thread makes only calls the filter lets
	 * through untouched.  Where that includes sendmsg() on our socket,
	 * it sends the listener itself; otherwise the helper thread does,
	 * and this one wakes it and waits with futex() (what a policy that
	 * allows threads allows), else sched_yield(), else none. */
	struct direct_send *ds = &direct;
	bool direct_ok;
	{
		const uint64_t wake[SK_MAX_ARGS] = { (uintptr_t)&h.listener, FUTEX_WAKE_PRIVATE, 1 };
		const uint64_t wait[SK_MAX_ARGS] = { (uintptr_t)&h.done, FUTEX_WAIT_PRIVATE, 0 };

		/* (learn --all notifies every call.) */
		bool any = a->opts->mode != SK_NOTIFY_ALL;

		direct_ok = any && direct_prepare(ds, a->sock, h.fallback) &&
			    may_call(sp, "sendmsg", (const uint64_t[SK_MAX_ARGS]){ (uint64_t)a->sock, (uintptr_t)&ds->mh,
										 MSG_NOSIGNAL });
		h.futex_ok = any && may_call(sp, "futex", wake) && may_call(sp, "futex", wait);
		yield_ok = any && may_call(sp, "sched_yield", no_args);
	}
	if (!direct_ok && a->vforked)
		child_fail(a->sock, EINVAL, "cannot hand the listener over from the command's thread", NULL);
	if (!direct_ok) {
		ret = pthread_create(&helper, NULL, handoff_thread, &h);
		if (ret != 0)
			child_fail(a->sock, ret, "cannot start the handoff thread", NULL);
		pthread_detach(helper);
	}
	/* The supervisor's pids and thread ids: it started its workers and
	 * the linger process while we built the program (supervise.c). */
	struct fence_msg fm;
	ssize_t got;

	if (a->early) {
		/* Started before the linger process, on the supervisor's word
		 * that nothing is left to fence (sk_supervise_fence_none):
		 * checked, not trusted. */
		if (fence_open || !ll_signals)
			child_fail(a->sock, EPERM, "the command was started before its supervisor's fence could name its ids",
				   NULL);
		fm = (struct fence_msg){ .kind = MSG_FENCE, .n = 1, .pids = { a->supervisor } };
		got = (ssize_t)sizeof(fm);
	} else {
		got = a->vforked ? fence_from_linger(a, &fm) : -1;
	}
	while (!a->vforked && (got = recv(a->sock, &fm, sizeof(fm), 0)) < 0 && errno == EINTR)
		;
	if (got != (ssize_t)sizeof(fm) || fm.kind != MSG_FENCE || fm.n < 1 || fm.n > FENCE_MAX ||
	    fm.pids[0] != a->supervisor)
		_exit(CHILD_SETUP_FAILED); /* the supervisor gave up: it says why */
	sk_timing(a->early ? "supervisor: no ids needed (started first)" : "supervisor: its ids received");
	/* In a pid namespace of its own (isolate.c) the command cannot name
	 * the supervisor, its threads or the linger process at all: no pid
	 * rules then. */
	ret = getppid() == a->supervisor ? sk_supervise_harden(fm.pids, fm.n, fence_open, ll_signals) : 0;
	if (ret < 0)
		child_fail(a->sock, -ret, "cannot fence the command off its supervisor (seccomp)", NULL);
	sk_timing(fence_open || !ll_signals ? "supervisor: fence filter loaded"
						: "supervisor: no fence filter (its calls closed already)");

	/* From here on, this thread makes no system call but those allowed
	 * above until execve(). */
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (fd < 0 && errno == EINVAL) {
		/* Before Linux 5.19: no WAIT_KILLABLE_RECV.  The filter was
		 * refused, so we are still unconfined here. */
		flags &= ~(unsigned)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	}
	sk_timing("seccomp: filter loaded (notifying)");
	if (direct_ok) {
		if (fd < 0) /* still unconfined */
			child_fail(a->sock, errno, "cannot install the seccomp filter with a listener", NULL);
		if (direct_send(ds, (int)fd, flags) < 0)
			_exit(CHILD_SETUP_FAILED); /* the supervisor says the handoff failed */
	} else {
		atomic_store(&h.flags, flags);
		atomic_store(&h.listener, fd < 0 ? -errno : (int)fd);
		if (h.futex_ok)
			futex(&h.listener, FUTEX_WAKE_PRIVATE, 1, NULL);
		while (atomic_load(&h.done) == 0) {
			if (h.futex_ok)
				futex(&h.done, FUTEX_WAIT_PRIVATE, 0, NULL);
			else if (yield_ok)
				sched_yield();
			else
				cpu_relax();
		}
		if (atomic_load(&h.done) < 0)
			_exit(CHILD_SETUP_FAILED);
	}
	sk_timing("supervisor: listener handed over");
	rep.applied = true;
	if (a->opts->applied)
		a->opts->applied(&rep, a->opts->applied_data);

	execvp(a->argv[0], a->argv);
	/* Confined now: these calls go through the filter like the command's. */
	ret = errno;
	sk_handoff_send(a->sock, MSG_EXEC_FAILED, ret, 0, false, -1, NULL);
	_exit(ret == ENOENT ? 127 : 126);
}

/*
 * The child without a copy of the supervisor (clone(CLONE_VM |
 * CLONE_VFORK), as posix_spawn() starts a program): fork() copies the
 * page tables of a process of some 3 MB, and every page either process
 * then writes is copied first (this way: 15 page faults fewer, 25-33 µs a
 * run, docs/mediation.md).  The supervisor is
 * suspended until the child execs the command or exits, so nothing runs
 * in its memory at the same time, and no code but ours runs in it: the
 * command has a memory of its own from its exec on.  Only where the child
 * needs nothing of the supervisor while it confines itself
 * (sk_supervise_vfork_ok):
 *
 *  - plain enforcement with the linger process mediating from the start:
 *    the linger process sends the fence, and the child sends the
 *    listener, which the supervisor reads once it runs again;
 *  - the program built before the fork (no namespaces: no unshare, which
 *    a process sharing its memory may not do), no proxy to wait for;
 *  - the listener sent by the confined thread itself (may_call): no
 *    helper thread, which would be a thread of the supervisor's memory;
 *  - no other thread in this process (a library's caller's): it would run
 *    on in the memory the child shares while this thread is suspended.
 *
 * The child gets a stack of its own and every signal blocked; it sets the
 * caller's signal handlers (its own copies) back to the default before
 * it lets signals in, so that none of them runs in the supervisor's
 * memory (the exec would reset them anyway).  It leaves only by _exit()
 * or the exec.
 */
#define VFORK_STACK (256 * 1024)

#if defined(__SANITIZE_ADDRESS__)
#define SK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SK_ASAN 1
#endif
#endif

/* No other thread of the caller's runs in the memory the child shares
 * (/proc/self/stat: num_threads, the 20th field). */
static bool single_threaded(void)
{
	char buf[1024], *p;
	ssize_t n;
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (!(p = strrchr(buf, ')')))
		return false;
	for (int field = 2; field < 20 && p; field++)
		p = strchr(p + 1, ' ');
	return p && strtol(p + 1, NULL, 10) == 1;
}

bool sk_supervise_vfork_ok(const struct child_args *a)
{
	const stockade_plan *sp;

#ifdef SK_ASAN
	return false; /* (its shadow stack bookkeeping and a stack switch under CLONE_VM) */
#endif

	/* (Asked before the linger process is forked, a->linger not known
	 * yet: the caller checks that it started.) */
	if (!a->program || a->opts->mode != SK_NOTIFY_NONE || a->plan->access.isolation != SK_ISOLATION_OFF ||
	    sk_proxy_gate_pending() || !single_threaded())
		return false;
	sp = a->program->filter_plan;
	return direct_prepare(&direct, a->sock, sp != a->plan) &&
	       may_call(sp, "sendmsg", (const uint64_t[SK_MAX_ARGS]){ (uint64_t)a->sock, (uintptr_t)&direct.mh,
									MSG_NOSIGNAL });
}

bool sk_supervise_fence_none(const struct child_args *a)
{
	/* As the child decides (sk_supervise_child) where the policy's own
	 * Landlock domain is applied: it then adds no fence domain. */
	if (!a->program || a->program->ruleset < 0 || !a->fence_policy_known || a->opts->mode != SK_NOTIFY_NONE ||
	    !policy_scopes_signals(a->program))
		return false;
	return sk_supervise_fence_open(SK_NOTIFY_NONE, a->fence_policy_closed, true, true) == 0;
}

static int vfork_child(void *p)
{
	struct child_args *a = p;
	static const struct sigaction dfl = { .sa_handler = SIG_DFL };

	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction old;

		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &old) == 0 && old.sa_handler != SIG_DFL &&
		    old.sa_handler != SIG_IGN)
			sigaction(sig, &dfl, NULL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(a->close_fds); i++)
		if (a->close_fds[i] >= 0)
			close(a->close_fds[i]);
	sk_supervise_child(a);
}

pid_t sk_supervise_vfork(struct child_args *a)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	sigset_t all, saved;
	char *stack;
	pid_t pid;
	int e;

	/* Room for what the exec takes on the stack as well: glibc's
	 * execvp(), given a script without #!, runs /bin/sh with an array of
	 * argc + 2 pointers on the stack (as posix_spawn() sizes its child's
	 * stack from argv); 100,000 arguments jumped the guard page. */
	size_t argc = 0, size;

	while (a->argv[argc])
		argc++;
	size = VFORK_STACK + ((argc + 2) * sizeof(char *) + page - 1) / page * page;
	stack = mmap(NULL, size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -errno;
	/* a guard page below it */
	if (mprotect(stack, page, PROT_NONE) < 0) {
		e = errno;
		munmap(stack, size + page);
		return -e;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	a->vforked = true;
	pid = clone(vfork_child, stack + page + size, CLONE_VM | CLONE_VFORK | SIGCHLD, a);
	e = errno;
	a->vforked = false;
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	munmap(stack, size + page);
	return pid < 0 ? -e : pid;
}
