/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisor: run a command under a filter whose denials are seccomp
 * user notifications, and answer each with the plan's own verdict.
 *
 * Handing the listener over.  The filter must be installed by the process
 * that execs the command, and its listener must reach the supervisor before
 * the command makes a call the filter notifies: a notified call blocks until
 * someone answers.  Passing the fd with sendmsg() from the confined thread
 * would itself be filtered (a policy may deny sendmsg, and then the call
 * would wait for an answer only the fd's recipient could give).  Where the
 * filter lets that exact sendmsg() through untouched (it usually does:
 * only mediated calls and denials notify), the confined thread sends it
 * itself (supervise_child.c, direct_send).  Otherwise the child starts a
 * helper thread first and installs the filter on its main thread only (no
 * TSYNC): the helper stays unconfined, sends the listener over a
 * socketpair (SCM_RIGHTS), and the main thread waits for it on an atomic
 * flag.  Between seccomp() and execve() the main thread makes only
 * calls the plan allows outright (futex() to wait, if it may), so none of
 * them can wait for an answer or meet a kill action.  execve() then ends the helper; the listener is
 * close-on-exec, so the command never holds it.
 *
 * Answering.  In report mode the filter notifies only where the plan says
 * errno:E, and the answer is -E.  In audit and learn modes the answer is
 * SECCOMP_USER_NOTIF_FLAG_CONTINUE, which runs the call: safe here because
 * those modes allow everything by definition.  No decision ever reads the
 * target's memory, so there is no time-of-check race to guard against;
 * SECCOMP_IOCTL_NOTIF_ID_VALID only makes sure the comm we read from /proc
 * belongs to the process that made the call.
 *
 * Mediation (mediate.h).  The same filter can also notify the syscalls a
 * mediator decides (connect() to a unix socket): wherever the plan lets
 * them through, and only there.  Then the supervisor exists in plain
 * enforcement too (mode SK_NOTIFY_NONE).  The loop that answers polls the
 * listener, the handoff socket and the mediation runtime's completion
 * eventfd (and in the supervisor a signalfd), and blocks nowhere else:
 * mediators that may block run in worker threads, so a connect waiting on
 * a full backlog holds up neither other notifications nor signal
 * forwarding.  In plain enforcement that loop is the linger process's from
 * the start (linger(), from_start): the supervisor starts no thread, and
 * only hands the listener on, forwards signals and reaps.
 *
 * Start-up, in the order that keeps the two CPUs of a small machine busy:
 * the linger process is forked, then the child, which builds its program
 * (the filter, the ruleset) while the linger process (or the supervisor)
 * starts its workers; the child then gets every id to fence (struct
 * fence_msg) and loads the filters.
 *
 * Where the kernel has it (5.19+), SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
 * keeps a signal from interrupting a call we have already received, so the
 * program sees the policy's errno rather than EINTR.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/capability.h>
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
#include <string.h>
#include <sys/ioctl.h>
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
#include "run/supervise_child.h"
#include "run/supervise_linger.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define DEFAULT_GRACE_MS 100

/* ---- the supervisor ---- */

static const char *syscall_name(struct sup *s, uint32_t arch, int nr)
{
	struct name_cache *n;
	char *name;

	/* Only numbers below SK_NR_LIMIT name calls; others (the command
	 * picks them) are looked up but not remembered, so the cache stays
	 * bounded (arches x SK_NR_LIMIT). */
	if (((unsigned)nr & ~0x40000000u) >= SK_NR_LIMIT) {
		free(s->scratch);
		s->scratch = sk_syscall_name(arch, nr);
		return s->scratch;
	}
	for (size_t i = 0; i < s->nnames; i++)
		if (s->names[i].arch == arch && s->names[i].nr == nr)
			return s->names[i].name;
	name = sk_syscall_name(arch, nr);
	n = realloc(s->names, (s->nnames + 1) * sizeof(*n));
	if (!n) {
		free(name);
		return NULL;
	}
	s->names = n;
	n[s->nnames++] = (struct name_cache){ arch, nr, name };
	return name;
}

void sk_supervise_decide(const stockade_plan *plan, uint32_t filter_arch, uint32_t arch, const char *name,
			 const uint64_t args[SK_MAX_ARGS], struct sk_verdict *out, bool *compat_refused)
{
	*compat_refused = false;
	if (!plan->seccomp_enabled) {
		*out = (struct sk_verdict){ .action = { .type = SK_ACT_ALLOW } };
		return;
	}
	/* Only the audit filter lets a foreign-arch call of a compat_arches:
	 * refuse policy reach us (as the bad-arch action). */
	if (arch != (filter_arch ? filter_arch : seccomp_arch_native()) && plan->compat != SK_COMPAT_FILTER) {
		*compat_refused = true;
		*out = (struct sk_verdict){ .action = { .type = SK_ACT_KILL_PROCESS }, .at = plan->compat_at,
					    .reason = "a 32-bit or x32 entry point, which compat_arches: refuse kills" };
		return;
	}
	/* A number libseccomp cannot name has no entry: the default applies,
	 * as in the filter. */
	sk_plan_decide(plan, name ? name : "", args, out);
}

uint32_t sk_notif_arch(uint32_t data_arch, int nr)
{
	/* x32 calls come as x86_64 with __X32_SYSCALL_BIT in the number, as
	 * the filter tests it (seccomp/bpf_gen.c): nr >= 0x40000000 unsigned,
	 * except -1, which is a native number (a tracer skipping the call). */
	if (data_arch == SCMP_ARCH_X86_64 && (uint32_t)nr >= 0x40000000u && nr != -1)
		return SCMP_ARCH_X32;
	return data_arch;
}

/* In audit and learn: a call to answer as the base does instead of letting
 * it run: a designed fallback's ENOSYS, and (learn) a feature probe the
 * base refuses. */
static bool answer_as_base(const struct sup *s, const struct sk_event *ev)
{
	if (ev->compat_refused || ev->verdict.action.type != SK_ACT_ERRNO)
		return false;
	if (sk_designed_fallback(ev->name) && ev->verdict.action.errnum == ENOSYS)
		return true;
	return s->opts->answer_probes && sk_probe_call(ev->name);
}

static void handle_notification(struct sup *s)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct sk_event ev;

	memset(&req, 0, sizeof(req));
	if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return; /* ENOENT: the caller died or a signal withdrew the call */
	memset(&ev, 0, sizeof(ev));
	clock_gettime(CLOCK_REALTIME, &ev.when);
	ev.pid = (pid_t)req.pid;
	ev.nr = req.data.nr;
	ev.arch = sk_notif_arch(req.data.arch, ev.nr);
	ev.ip = req.data.instruction_pointer;
	ev.mode = s->opts->mode;
	ev.plan = s->plan;
	/* On 32-bit ABIs the filter compares the low halves only. */
	for (int i = 0; i < SK_MAX_ARGS; i++)
		ev.args[i] = sk_arch_args32(ev.arch) ? req.data.args[i] & 0xffffffffULL : req.data.args[i];
	ev.name = syscall_name(s, ev.arch, ev.nr);
	sk_supervise_decide(s->plan, 0, ev.arch, ev.name, ev.args, &ev.verdict, &ev.compat_refused);
	/* A call the plan lets through reaches us only because a mediator
	 * asked for it (in audit and learn too: it decides, the call runs). */
	if (s->rt && !ev.compat_refused &&
	    (ev.verdict.action.type == SK_ACT_ALLOW || ev.verdict.action.type == SK_ACT_LOG)) {
		const struct sk_mediator *h = sk_mediation_find(s->opts->mediation, ev.name);

		if (h) {
			s->mediated++;
			sk_mediate_dispatch(s->rt, h, &req, ev.name, ev.arch, ev.args, s->plan);
			return;
		}
	}
	sk_read_comm(ev.pid, ev.comm);
	/* The pid may have been reused if the caller died meanwhile. */
	if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) < 0)
		strcpy(ev.comm, "?");

	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	if (s->opts->mode == SK_NOTIFY_ERRNO || s->opts->mode == SK_NOTIFY_NONE) {
		if (ev.verdict.action.type == SK_ACT_ERRNO) {
			ev.errnum = ev.verdict.action.errnum;
		} else {
			/* Never allow what the filter denied. */
			ev.mismatch = true;
			ev.errnum = EPERM;
		}
		resp.error = -ev.errnum;
	} else if (answer_as_base(s, &ev)) {
		/* Audit and learn let denials run, but not these: clone3
		 * would create namespaces the base forbids, and a probe
		 * answered "yes" would be learned as a need. */
		ev.fallback = true;
		ev.errnum = ev.verdict.action.type == SK_ACT_ERRNO ? ev.verdict.action.errnum : EPERM;
		resp.error = -ev.errnum;
	} else {
		ev.ran = true;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	}
	s->events++;
	if (s->opts->on_event)
		s->opts->on_event(&ev, s->opts->data);
	/* ENOENT: the caller is gone; nothing to answer. */
	ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

long sk_sup_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The background supervisor for descendants that outlive the command. */
/* The mediation runtime's answers to the loop's owner. */
static void mediated_done(const struct sk_mreq *r, void *data)
{
	const struct sup *s = data;

	if (s->opts->on_mediation)
		s->opts->on_mediation(r, s->opts->mediation_data);
}

int sk_sup_start_mediation(struct sup *s, stockade_error **err)
{
	return sk_mediate_start(s->opts->mediation, s->listener, mediated_done, s, &s->rt, err);
}

/*
 * One turn of the event loop: wait up to timeout_ms (-1: for ever) for the
 * listener, the signals (sigfd, or -1), the handoff socket (*sv, or -1) and
 * the mediation runtime, and handle what came.  Work in flight shortens the
 * wait to SK_MEDIATE_TICK_MS so a worker whose caller went away is
 * interrupted.  *hup: the listener is gone (no process holds the filter).
 * Returns 0, or -errno if poll() failed.
 */
int sk_sup_serve(struct sup *s, int sigfd, int *sv, bool *hup, int timeout_ms, pid_t child, bool *child_done,
		 struct sk_supervise_result *res)
{
	struct pollfd p[5] = {
		{ .fd = *hup ? -1 : s->listener, .events = POLLIN },
		{ .fd = sigfd, .events = POLLIN },
		{ .fd = sv ? *sv : -1, .events = POLLIN },
		{ .fd = sk_mediate_fd(s->rt), .events = POLLIN },
		{ .fd = s->mediator, .events = POLLIN },
	};
	bool busy = sk_mediate_pending(s->rt) > 0;

	if (busy && (timeout_ms < 0 || timeout_ms > SK_MEDIATE_TICK_MS))
		timeout_ms = SK_MEDIATE_TICK_MS;
	if (poll(p, 5, timeout_ms) < 0)
		return errno == EINTR ? 0 : -errno;
	if (p[4].revents) {
		/* The linger process that answers for us ended (killed from
		 * outside, a crash): the caller lets go of the listener. */
		close(s->mediator);
		s->mediator = -1;
		s->mediator_lost = true;
	}
	if (p[3].revents & POLLIN)
		sk_mediate_complete(s->rt);
	if (p[0].revents & POLLIN)
		handle_notification(s);
	else if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
		*hup = true;
	if (sv && *sv >= 0 && (p[2].revents & (POLLIN | POLLHUP | POLLERR))) {
		struct handoff_msg m;
		int extra;

		if (sk_handoff_recv(*sv, &m, &extra) > 0 && m.kind == MSG_EXEC_FAILED) {
			res->phase = SK_SUP_EXEC_FAILED;
			res->exec_errno = m.errnum;
		}
		if (extra >= 0)
			close(extra);
		/* The command's end closes on exec: done with it. */
		close(*sv);
		*sv = -1;
	}
	if (sigfd >= 0 && (p[1].revents & POLLIN))
		sk_sup_handle_signals(sigfd, child, child_done, res);
	if (busy)
		sk_mediate_tick(s->rt);
	return 0;
}

/* Our mediation workers, their ids into the fence. */
static int start_own_workers(struct sup *s, struct fence_msg *fence, stockade_error **err)
{
	pid_t workers[FENCE_MAX];
	size_t n;
	int ret = sk_sup_start_mediation(s, err);

	if (ret < 0)
		return ret;
	n = sk_mediate_prestart(s->rt, workers, FENCE_MAX);
	for (size_t i = 0; i < n && fence->n < FENCE_MAX; i++)
		fence->pids[fence->n++] = workers[i];
	return 0;
}

/*
 * Does only an ancestor of the command get to read its memory and take its
 * descriptors (process_vm_readv, pidfd_getfd: ptrace's attach check)?  So
 * Yama says at ptrace_scope 1 and up, to a process without CAP_SYS_PTRACE:
 * then the linger process, the command's sibling, cannot mediate for it,
 * and the supervisor, its parent, does.  Unsure: yes.
 */
static bool ancestor_needed(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	char scope = '1';
	int fd = open("/proc/sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno != ENOENT; /* no Yama here */
	if (read(fd, &scope, 1) != 1)
		scope = '1';
	close(fd);
	if (scope == '0')
		return false;
	memset(d, 0, sizeof(d));
	return syscall(SYS_capget, &h, d) < 0 || !(d[CAP_SYS_PTRACE / 32].effective & (1u << (CAP_SYS_PTRACE % 32)));
}

int sk_supervise_exec(const stockade_plan *plan, char *const argv[], const struct sk_supervise_opts *opts,
		      struct sk_supervise_result *res, stockade_error **err)
{
	struct sup s = { .plan = plan, .opts = opts, .listener = -1, .native = seccomp_arch_native(), .mediator = -1 };
	struct child_args a = { .supervisor = getpid(), .plan = plan, .opts = opts, .argv = argv };
	struct fence_msg fence = { .kind = MSG_FENCE, .n = 1, .pids = { getpid() } };
	struct sigaction chld_dfl = { .sa_handler = SIG_DFL };
	struct handoff_msg m;
	sigset_t set;
	int sv[2] = { -1, -1 }, sigfd = -1, old_subreaper = 0, old_dumpable = -1, ret, fd, lsock = -1, hup_fd = -1;
	pid_t linger_pid = -1;
	bool child_done = false, hup = false;
	bool mediating = opts->mediation && opts->mediation->n;
	/* Plain enforcement: the linger process mediates from the start,
	 * unless only an ancestor of the command may (Yama). */
	bool delegate = opts->mode == SK_NOTIFY_NONE && !ancestor_needed();
	pid_t child;

	memset(res, 0, sizeof(*res));
	if (opts->mode == SK_NOTIFY_NONE && !mediating)
		return sk_error(err, EINVAL, "the supervisor needs a notification mode or a mediator");
	if (!plan->seccomp_enabled)
		return sk_error(err, EINVAL, "the policy has no seccomp filter to supervise");
	/* The command's environment is the policy's (run/env.c); the
	 * supervisor's own is its to change (the CLI, stockade_run's child). */
	if ((ret = stockade_plan_apply_environment(plan, NULL, err)) < 0)
		return ret;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return sk_error(err, errno, "socketpair: %s", strerror(errno));
	sigemptyset(&set);
	sk_sup_signal_set(&set);
	/* Exit statuses must come to us: a caller that ignores SIGCHLD (or
	 * sets SA_NOCLDWAIT) would have the kernel reap the command, and we
	 * would wait for it forever.  Put back at the end. */
	sigaction(SIGCHLD, &chld_dfl, &a.old_chld);
	sigprocmask(SIG_BLOCK, &set, &a.oldmask);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		ret = sk_error(err, errno, "signalfd: %s", strerror(errno));
		goto out;
	}
	sk_supervise_note_own_children();
	prctl(PR_GET_CHILD_SUBREAPER, &old_subreaper, 0, 0, 0);
	/* Orphans of the command come to us, so none lingers as a zombie and
	 * SIGSYS deaths among them are seen. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

	/* A confined process of the same user must not ptrace us or take the
	 * listener with pidfd_getfd(): not dumpable before the child exists
	 * (it execs the command as soon as the listener is sent, which does
	 * not wait for us), back as it was when we return. */
	old_dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	/* Without namespaces to make first, the command's program (the
	 * filter, the ruleset) is built here, before any fork: built in the
	 * child, every page it writes of what it shares with us would be
	 * copied first (some 115 page faults a run, 0.2 ms). */
	if (plan->access.isolation == SK_ISOLATION_OFF) {
		struct sk_notify nt;

		sk_mediation_notify(opts->mediation, opts->mode, &nt);
		if ((ret = sk_program_new(plan, &nt, &a.program, err)) < 0) {
			res->phase = SK_SUP_SETUP_FAILED;
			goto restore;
		}
	}
	/* The linger process (not for audit and learn, which leave nothing
	 * running), then the child, which confines itself (and builds its
	 * program first where namespaces come first) while the linger
	 * process starts its workers (and we ours, if we have any), both
	 * forked from this process while it still has one thread.  Every
	 * process and thread of ours exists before the command does, so the
	 * fence it loads names them all (supervise_harden.c): the child
	 * waits for their ids before it loads it.  Workers are never added
	 * later. */
	/* Where it is safe, the child does not copy us (supervise_child.c:
	 * sk_supervise_vfork): we wait while it confines itself and execs.
	 * Whether it is, and what the policy closes of the fence (the
	 * vforked child allocates nothing in our memory), is worked out
	 * before the linger process is forked: after it, every page of ours
	 * that this work writes would be copied first (0.1-0.15 ms a run). */
	bool vfork_ok = false, early = false;

	a.sock = sv[1];
	child = -1;
	if (delegate && sk_supervise_vfork_ok(&a)) {
		struct sk_notify fnt;

		sk_mediation_notify(opts->mediation, opts->mode, &fnt);
		a.fence_policy_closed = sk_supervise_fence_policy_closed(a.program->filter_plan, &fnt);
		a.fence_policy_known = true;
		vfork_ok = true;
	}
	/* Where the child will load no fence (sk_supervise_fence_none), it
	 * needs none of our ids: started first, it confines itself and execs
	 * while the linger process is forked, off the command's path, with
	 * nothing of ours shared copy-on-write yet.  Its listener waits in
	 * sv[0]; a mediated call waits until the linger process has it. */
	if (vfork_ok && sk_supervise_fence_none(&a)) {
		a.early = true;
		a.linger = -1;
		a.close_fds[0] = sv[0];
		a.close_fds[1] = sigfd;
		a.close_fds[2] = -1;
		child = sk_supervise_vfork(&a);
		early = child > 0;
		a.early = early;
		if (early) {
			close(sv[1]);
			sv[1] = -1;
		}
	}
	if (opts->mode != SK_NOTIFY_DENY && opts->mode != SK_NOTIFY_ALL)
		linger_pid = sk_linger_start(&s, sigfd, sv, &lsock, delegate, early);
	delegate = delegate && linger_pid > 0;
	a.linger = linger_pid;
	a.close_fds[0] = sv[0];
	a.close_fds[1] = sigfd;
	a.close_fds[2] = lsock;
	if (!early && delegate && vfork_ok)
		child = sk_supervise_vfork(&a);
	if (!early && child < 0)
		child = fork();
	if (child < 0) {
		ret = sk_error(err, errno, "fork: %s", strerror(errno));
		goto restore;
	}
	if (child == 0) {
		close(sv[0]);
		close(sigfd);
		if (lsock >= 0)
			close(lsock);
		a.sock = sv[1];
		sk_supervise_child(&a);
	}
	if (sv[1] >= 0)
		close(sv[1]);
	sv[1] = -1;
	if (delegate && early) {
		/* Its hello says its workers run; there is no fence to send.
		 * Without it, nothing mediates (the calls are refused). */
		struct fence_msg unused = { .n = 0 };

		if ((linger_pid = sk_linger_hello(&unused, linger_pid, &lsock)) < 0) {
			delegate = false;
			res->mediator_lost = true;
		}
	} else if (delegate) {
		/* The linger process sends the child the fence itself.  If it
		 * dies first, the child gets one naming us alone, and nothing
		 * mediates (the calls are refused: no worker can be fenced
		 * now, as the child may have the linger's already). */
		if (!sk_linger_or_child(lsock, sv[0])) {
			delegate = false;
			res->mediator_lost = true;
			while (send(sv[0], &fence, sizeof(fence), MSG_NOSIGNAL) < 0 && errno == EINTR)
				;
		}
	} else {
		/* Ours while the linger process starts its own. */
		if ((ret = start_own_workers(&s, &fence, err)) < 0)
			goto setup_failed;
		linger_pid = sk_linger_hello(&fence, linger_pid, &lsock);
		/* A child that failed already says why below (EPIPE here). */
		while (send(sv[0], &fence, sizeof(fence), MSG_NOSIGNAL) < 0 && errno == EINTR)
			;
	}

	ret = sk_handoff_recv(sv[0], &m, &fd);
	if (ret <= 0 || m.kind != MSG_LISTENER || fd < 0) {
		int st;

		if (fd >= 0)
			close(fd);
		while (waitpid(child, &st, 0) < 0 && errno == EINTR)
			;
		if (ret == 0 && WIFSIGNALED(st)) {
			/* Killed during setup (Ctrl-C): end the same way, and
			 * do not run it again without a supervisor. */
			res->phase = SK_SUP_RAN;
			res->wstatus = st;
			ret = 0;
			goto restore;
		}
		if (ret > 0 && m.kind == MSG_SETUP_FAILED) {
			ret = sk_error(err, m.errnum ? m.errnum : EIO, "%s", m.text);
			if (m.hint[0])
				sk_error_hint(err, "%s", m.hint);
		} else
			ret = sk_error(err, EIO, "the sandbox's setup ended before handing over the seccomp listener");
		res->phase = SK_SUP_SETUP_FAILED;
		goto restore;
	}
	s.listener = fd;
	sk_mediate_set_listener(s.rt, fd);
	if (delegate) {
		/* The linger process answers from now on; without it (it
		 * died) we keep the listener and refuse mediated calls. */
		if (sk_handoff_send(lsock, MSG_LISTENER, 0, m.flags, m.fallback, fd, NULL) == 0) {
			/* Kept only to see when no process holds the filter
			 * (POLLHUP); never read. */
			hup_fd = fd;
			s.listener = -1;
			hup = true;
			/* Watched: should it end before the command, no call may
			 * wait for an answer that cannot come. */
			s.mediator = (int)syscall(SYS_pidfd_open, linger_pid, 0);
		} else {
			delegate = false;
			res->mediator_lost = true;
		}
	}
	/* Decide with the plan whose filter the child loaded. */
	if (m.fallback && plan->net_fallback)
		s.plan = plan->net_fallback;
	res->killable_wait = (m.flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) != 0;
	res->phase = SK_SUP_RAN;

	/* Until the command exits. */
	ret = 0;
	while (!child_done) {
		int r = sk_sup_serve(&s, sigfd, &sv[0], &hup, -1, child, &child_done, res);

		if (r < 0) {
			ret = sk_error(err, -r, "poll: %s", strerror(-r));
			break;
		}
		if (s.mediator_lost && hup_fd >= 0) {
			struct pollfd held = { .fd = hup_fd, .events = POLLIN };

			/* It ends by itself once no process holds the filter
			 * (POLLHUP); before that, it was lost: our copy of the
			 * listener let go, and with none left the kernel fails
			 * the calls waiting and every later one with ENOSYS
			 * (fail closed; nothing passes unanswered). */
			s.mediator_lost = false;
			if (poll(&held, 1, 0) >= 0 && !(held.revents & POLLHUP)) {
				close(hup_fd);
				hup_fd = -1;
				delegate = false;
				res->mediator_lost = true;
			}
		}
	}

	/* The command is gone.  What it left behind ends with it where the
	 * caller asked (a terminal, no pid namespace).  Otherwise answer its
	 * descendants a little longer; if any remain, a background supervisor
	 * answers them until they are gone, so the policy means the same for
	 * them. */
	if (child_done && opts->end_leftovers)
		res->killed_leftovers = sk_supervise_kill_leftovers();
	if (child_done) {
		long deadline = sk_sup_now_ms() + (opts->grace_ms ? opts->grace_ms : DEFAULT_GRACE_MS);

		if (delegate && opts->exiting) {
			/* No process holds the filter any more: the linger
			 * process ends too (reaped below: left to our exit, it
			 * would be a zombie wherever PID 1 does not reap), no
			 * count of its calls asked for.  Otherwise it answers
			 * the descendants, and lets go of the standard
			 * streams. */
			if (!sk_linger_hup_gone(hup_fd, deadline)) {
				res->lingering = true;
				res->linger_pid = linger_pid;
				linger_pid = -1;
				shutdown(lsock, SHUT_WR);
			}
		} else if (delegate) {
			sk_linger_bye(lsock, deadline, res);
			if (res->lingering) {
				res->linger_pid = linger_pid;
				linger_pid = -1;
			}
		}

		while (!hup) {
			long left = deadline - sk_sup_now_ms();

			if (left <= 0)
				break;
			if (sk_sup_serve(&s, sigfd, NULL, &hup, (int)left, child, &child_done, res) < 0)
				break;
		}
		/* Nothing left to answer: the linger process may go (it exits
		 * at end of stream) while we stop our workers (ours: the one
		 * that mediates goes by itself). */
		if (hup && lsock >= 0 && !delegate) {
			close(lsock);
			lsock = -1;
		}
		/* Finish (or cut short) the work in flight before the linger
		 * process, with workers of its own, takes the listener. */
		sk_mediate_stop(s.rt);
		s.rt = NULL;
		if (!hup && (opts->mode == SK_NOTIFY_DENY || opts->mode == SK_NOTIFY_ALL)) {
			/* Audit and learn: nothing keeps running with
			 * everything allowed once the command is done. */
			res->killed_leftovers = sk_supervise_kill_leftovers();
		} else if (!hup && lsock >= 0) {
			/* The linger process takes over the listener (if it is
			 * still there: killed, the descendants' calls fail,
			 * ENOSYS, once we are gone). */
			struct pollfd alive = { .fd = lsock, .events = POLLIN };

			if (poll(&alive, 1, 0) == 0) {
				sk_handoff_send(lsock, MSG_LISTENER, 0, 0, s.plan != plan, s.listener, NULL);
				res->lingering = true;
				res->linger_pid = linger_pid;
				linger_pid = -1;
			}
		}
		ret = res->phase == SK_SUP_EXEC_FAILED
			      ? sk_error(err, res->exec_errno, "cannot run %s: %s", argv[0], strerror(res->exec_errno))
			      : 0;
		if (res->phase == SK_SUP_EXEC_FAILED && (res->exec_errno == EPERM || res->exec_errno == ENOSYS))
			sk_error_hint(err, "the policy itself may deny execve; check `stockade show`");
	}
	res->events += s.events;
	res->mediated += s.mediated;
	goto restore;

setup_failed:
	/* (only before the linger process's hello: it is read here) */
	linger_pid = sk_linger_hello(&fence, linger_pid, &lsock);
	kill(child, SIGKILL);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	res->phase = SK_SUP_SETUP_FAILED;
restore:
	if (a.program)
		stockade_program_free(a.program);
	if (hup_fd >= 0)
		close(hup_fd);
	if (s.mediator >= 0)
		close(s.mediator);
	if (lsock >= 0)
		close(lsock); /* a linger process not handed the listener exits */
	sk_mediate_stop(s.rt);
	s.rt = NULL;
	if (old_dumpable >= 0)
		prctl(PR_SET_DUMPABLE, old_dumpable, 0, 0, 0);
out:
	prctl(PR_SET_CHILD_SUBREAPER, old_subreaper, 0, 0, 0);
	if (sigfd >= 0) {
		/* Consume what arrived since (the command is gone: nothing to
		 * forward), so unblocking does not deliver it to the caller. */
		if (child_done)
			sk_sup_handle_signals(sigfd, 0, &child_done, res);
		close(sigfd);
	}
	{
		sigset_t back = a.oldmask;

		/* A caller that exits now (the CLI, which prints the report
		 * first) keeps them blocked: the command's descendants may
		 * still be at it (attack9). */
		if (opts->job_control_blocked && res->phase == SK_SUP_RAN)
			sk_sup_job_control_set(&back);
		sigprocmask(SIG_SETMASK, &back, NULL);
	}
	sigaction(SIGCHLD, &a.old_chld, NULL);
	if (s.listener >= 0)
		close(s.listener);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	for (size_t i = 0; i < s.nnames; i++)
		free(s.names[i].name);
	free(s.names);
	free(s.scratch);
	/* Last, so that the linger process's exit (it ended with the command,
	 * or was not handed the listener) overlaps the above. */
	if (linger_pid > 0)
		while (waitpid(linger_pid, NULL, 0) < 0 && errno == EINTR)
			;
	return ret;
}
