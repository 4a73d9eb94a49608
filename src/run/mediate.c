/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The mediation framework (mediate.h): the table of mediators, the helpers
 * handlers decide with (copies of the caller's memory and descriptors, its
 * view of paths), and the runtime the supervisor's loop drives: inline
 * handlers, a bounded pool of worker threads, completions back through an
 * eventfd, and cancellation of work whose caller went away.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "run/mediate.h"
#include "run/mediate_files.h"
#include "run/netns.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* ---- the table ---- */

int sk_mediation_add(struct sk_mediation *m, const struct sk_mediator *h)
{
	if (sk_mediation_find(m, h->syscall))
		return -EEXIST;
	if (m->n >= SK_MEDIATORS_MAX)
		return -ENOSPC;
	m->m[m->n] = *h;
	m->names[m->n] = h->syscall;
	m->n++;
	return 0;
}

const struct sk_mediator *sk_mediation_find(const struct sk_mediation *m, const char *syscall)
{
	for (size_t i = 0; m && syscall && i < m->n; i++)
		if (!strcmp(m->m[i].syscall, syscall))
			return &m->m[i];
	return NULL;
}

void sk_mediation_notify(const struct sk_mediation *m, enum sk_notify_mode mode, struct sk_notify *out)
{
	*out = (struct sk_notify){ .mode = mode };
	if (m && m->n) {
		out->mediate = m->names;
		out->nmediate = m->n;
	}
}

static void uring_refuse(struct sk_mreq *r, void *data)
{
	(void)data;
	sk_mreq_deny(r, EPERM, "connect() is mediated, and an io_uring connect would go around it", "a ring");
}

int sk_mediation_setup(const stockade_plan *plan, enum sk_notify_mode mode, struct sk_mediation *m,
		       stockade_error **err)
{
	memset(m, 0, sizeof(*m));
	/* A plan without a filter confines nothing.  Audit and learn let
	 * every call run, but what the mediators would refuse is reported
	 * all the same (and learned). */
	if (!plan->seccomp_enabled)
		return 0;
	m->audit = mode == SK_NOTIFY_DENY || mode == SK_NOTIFY_ALL;
	int ret = sk_unix_mediation_setup(plan, m, err);
	/* In the proxy's network namespace TCP reaches the proxy's listener
	 * and nothing else (run/netns.h): plain enforcement needs no
	 * supervisor for it.  A report keeps it, for who connected and the
	 * refusals' lines. */
	if (ret == 0 && !(mode == SK_NOTIFY_NONE && sk_netns_confines_tcp(plan)))
		ret = sk_tcp_mediation_setup(plan, m, err);
	/* An io_uring connect is no connect() the filter sees: where connects
	 * are decided here, a ring cannot be made (where the plan allows one;
	 * where it denies it, the filter does). */
	if (ret == 0 && sk_mediation_find(m, "connect")) {
		struct sk_mediator h = { .syscall = "io_uring_setup", .run = SK_MRUN_INLINE, .handle = uring_refuse };

		if ((ret = sk_mediation_add(m, &h)) < 0)
			ret = sk_error(err, -ret, "cannot mediate io_uring_setup: %s", strerror(-ret));
	}
	return ret;
}

void sk_mediation_free(struct sk_mediation *m)
{
	if (!m)
		return;
	sk_unix_mediation_free(m->unix_state);
	free(m->connect_state);
	sk_tcp_mediation_free(m->tcp_state);
	sk_files_mediation_free(m->files_state);
	memset(m, 0, sizeof(*m));
}

/* ---- a handler's helpers ---- */

void sk_read_comm(pid_t pid, char comm[16])
{
	char path[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, comm, 15);
		close(fd);
	}
	if (n <= 0) {
		strcpy(comm, "?");
		return;
	}
	comm[n] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

bool sk_mreq_valid(const struct sk_mreq *r)
{
	uint64_t id = r->id;

	return ioctl(r->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

bool sk_mreq_cancelled(const struct sk_mreq *r)
{
	return atomic_load(&r->cancelled);
}

int sk_mreq_read(const struct sk_mreq *r, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n;

	if (len == 0)
		return sk_mreq_valid(r) ? 0 : -ENOENT;
	n = process_vm_readv(r->pid, &local, 1, &remote, 1, 0);
	if (n < 0) {
		int e = errno;

		if (!sk_mreq_valid(r))
			return -ENOENT;
		return e == EFAULT ? -EFAULT : e == ESRCH ? -ENOENT : -EPERM;
	}
	if (!sk_mreq_valid(r))
		return -ENOENT;
	return (size_t)n == len ? 0 : -EFAULT;
}

static int pidfd_of(pid_t tid)
{
	int fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);

	if (fd < 0 && errno == EINVAL) {
		/* Before Linux 6.9: a pidfd names a thread group leader only;
		 * pidfd_getfd() works on the group's shared table either way
		 * unless the thread unshared it (CLONE_FILES off), which such
		 * a kernel cannot tell us: find the group. */
		char path[64], buf[512];
		pid_t tgid = -1;
		ssize_t n;
		int sfd;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
		sfd = open(path, O_RDONLY | O_CLOEXEC);
		if (sfd < 0)
			return -ENOENT;
		n = read(sfd, buf, sizeof(buf) - 1);
		close(sfd);
		if (n > 0) {
			buf[n] = '\0';
			char *t = strstr(buf, "\nTgid:");
			if (t)
				tgid = (pid_t)atoi(t + 6);
		}
		if (tgid <= 0)
			return -ENOENT;
		fd = (int)syscall(SYS_pidfd_open, tgid, 0);
	}
	return fd < 0 ? -errno : fd;
}

int sk_mreq_getfd(const struct sk_mreq *r, int fd)
{
	int pfd = pidfd_of(r->pid), got, e;

	if (pfd < 0)
		return sk_mreq_valid(r) ? -EPERM : -ENOENT;
	/* The pidfd may name another process if the caller died and its pid
	 * was reused: the id check below says it did not. */
	if (!sk_mreq_valid(r)) {
		close(pfd);
		return -ENOENT;
	}
	got = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
	e = errno;
	close(pfd);
	if (got < 0)
		return e == EBADF ? -EBADF : !sk_mreq_valid(r) ? -ENOENT : -EPERM;
	if (!sk_mreq_valid(r)) {
		close(got);
		return -ENOENT;
	}
	return got;
}

int sk_mreq_open(const struct sk_mreq *r, const char *path, int flags, uint64_t resolve)
{
	char dir[64];
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = resolve };
	int dfd, fd, e;

	if (!*path)
		return -ENOENT;
	/* An absolute path starts at the caller's root, with the symlinks on
	 * the way resolved inside it; a relative one at its working
	 * directory (absolute symlinks met there resolve from our root,
	 * which is the caller's unless it is in another mount namespace). */
	snprintf(dir, sizeof(dir), "/proc/%d/%s", (int)r->pid, path[0] == '/' ? "root" : "cwd");
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return sk_mreq_valid(r) ? -EPERM : -ENOENT;
	if (path[0] == '/') {
		how.resolve |= RESOLVE_IN_ROOT;
		while (*path == '/')
			path++;
		if (!*path)
			path = ".";
	}
	fd = (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
	e = errno;
	close(dfd);
	if (fd < 0)
		return sk_mreq_valid(r) ? -e : -ENOENT;
	if (!sk_mreq_valid(r)) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

void sk_mreq_answer(struct sk_mreq *r, int64_t val)
{
	r->answer = SK_MANS_VALUE;
	r->val = val;
	r->error = 0;
}

void sk_mreq_fail(struct sk_mreq *r, int errnum)
{
	r->answer = SK_MANS_ERROR;
	r->error = errnum > 0 ? errnum : EPERM;
}

void sk_mreq_deny(struct sk_mreq *r, int errnum, const char *rule, const char *fmt, ...)
{
	va_list ap;

	sk_mreq_fail(r, errnum);
	r->denied = true;
	r->rule = rule;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

void sk_mreq_continue(struct sk_mreq *r)
{
	r->answer = SK_MANS_CONTINUE;
}

/* ---- the runtime ---- */

struct sk_mediate_rt {
	const struct sk_mediation *med;
	int listener;
	pid_t supervisor;
	int supervisor_pidfd;
	sk_mediated_fn done_fn;
	void *done_data;
	int efd;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_cond_t started; /* a worker put its thread id in tids[] */
	struct sk_mreq *queue, **queue_tail; /* waiting for a worker */
	struct sk_mreq *running;	     /* taken by a worker (linked while running) */
	struct sk_mreq *done;		     /* finished, to answer */
	pthread_t threads[SK_MEDIATE_WORKERS];
	void *stacks; /* the workers' stacks, one mapping (worker_stack) */
	size_t stacks_len;
	pid_t tids[SK_MEDIATE_WORKERS]; /* the workers' thread ids (sk_mediate_prestart) */
	unsigned nthreads, ntids, idle, pending;
	bool stop;
	bool fixed; /* sk_mediate_prestart(): no thread is added later */
	int cancel_sig;
	struct sigaction old_action;
};

static void cancel_handler(int sig)
{
	(void)sig;
}

int sk_mediate_start(const struct sk_mediation *m, int listener, sk_mediated_fn done, void *data,
		     struct sk_mediate_rt **out, stockade_error **err)
{
	struct sk_mediate_rt *rt;
	struct sigaction sa = { .sa_handler = cancel_handler };

	*out = NULL;
	if (!m || !m->n)
		return 0;
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return sk_error(err, ENOMEM, "out of memory");
	rt->med = m;
	rt->listener = listener;
	rt->supervisor = getpid();
	rt->supervisor_pidfd = -1;
	rt->done_fn = done;
	rt->done_data = data;
	rt->queue_tail = &rt->queue;
	rt->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rt->efd < 0) {
		int e = errno;

		free(rt);
		return sk_error(err, e, "eventfd: %s", strerror(e));
	}
	pthread_mutex_init(&rt->lock, NULL);
	pthread_cond_init(&rt->cond, NULL);
	pthread_cond_init(&rt->started, NULL);
	/* Interrupts a worker blocked for a caller that is gone: no
	 * SA_RESTART, so the blocking call returns EINTR.  Only workers
	 * unblock it. */
	rt->cancel_sig = SIGRTMIN + 4;
	sigemptyset(&sa.sa_mask);
	sigaction(rt->cancel_sig, &sa, &rt->old_action);
	*out = rt;
	return 0;
}

int sk_mediate_fd(const struct sk_mediate_rt *rt)
{
	return rt ? rt->efd : -1;
}

unsigned sk_mediate_pending(struct sk_mediate_rt *rt)
{
	unsigned n;

	if (!rt)
		return 0;
	pthread_mutex_lock(&rt->lock);
	n = rt->pending;
	pthread_mutex_unlock(&rt->lock);
	return n;
}

/* Send the answer and tell the loop's owner. */
static void finish(struct sk_mediate_rt *rt, struct sk_mreq *r)
{
	struct seccomp_notif_resp resp = { .id = r->id };

	if (r->answer == SK_MANS_CONTINUE && !r->mediator->observe) {
		/* A deciding mediator never lets the kernel run the call on
		 * memory the caller can still change. */
		r->answer = SK_MANS_ERROR;
		r->error = EPERM;
	}
	if (r->denied && rt->med->audit) {
		/* Audit and learn: reported as refused, run as asked. */
		r->audited = true;
		r->answer = SK_MANS_CONTINUE;
	}
	switch (r->answer) {
	case SK_MANS_VALUE:
		resp.val = r->val;
		break;
	case SK_MANS_CONTINUE:
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		break;
	case SK_MANS_NONE:
		r->error = EPERM;
		/* fall through */
	case SK_MANS_ERROR:
		resp.error = -r->error;
		break;
	}
	/* ENOENT: the caller is gone; nothing to answer. */
	ioctl(rt->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	if (rt->done_fn)
		rt->done_fn(r, rt->done_data);
	free(r);
}

static void *worker_main(void *p)
{
	struct sk_mediate_rt *rt = p;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, rt->cancel_sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	pthread_mutex_lock(&rt->lock);
	if (rt->ntids < SK_MEDIATE_WORKERS)
		rt->tids[rt->ntids++] = (pid_t)syscall(SYS_gettid);
	pthread_cond_signal(&rt->started);
	for (;;) {
		struct sk_mreq *r;
		uint64_t one = 1;

		while (!rt->queue && !rt->stop) {
			rt->idle++;
			pthread_cond_wait(&rt->cond, &rt->lock);
			rt->idle--;
		}
		if (!rt->queue)
			break;
		r = rt->queue;
		rt->queue = r->next;
		if (!rt->queue)
			rt->queue_tail = &rt->queue;
		r->worker = pthread_self();
		atomic_store(&r->running, true);
		r->next = rt->running;
		rt->running = r;
		pthread_mutex_unlock(&rt->lock);

		if (!atomic_load(&r->cancelled))
			r->mediator->handle(r, r->mediator->data);
		else
			sk_mreq_fail(r, EINTR);

		pthread_mutex_lock(&rt->lock);
		for (struct sk_mreq **pp = &rt->running; *pp; pp = &(*pp)->next) {
			if (*pp == r) {
				*pp = r->next;
				break;
			}
		}
		atomic_store(&r->running, false);
		r->next = rt->done;
		rt->done = r;
		if (write(rt->efd, &one, sizeof(one)) < 0) {
			/* the counter cannot overflow at these numbers */
		}
	}
	pthread_mutex_unlock(&rt->lock);
	return NULL;
}

#define WORKER_STACK (256 * 1024)

/* Worker i's stack, with a guard page below it: one mapping for the pool,
 * made while the supervisor has one thread, so that starting and ending a
 * worker maps and unmaps nothing (in a process with threads, every unmap
 * interrupts the CPUs that run them).  NULL: let the C library map one. */
static void *worker_stack(struct sk_mediate_rt *rt, unsigned i)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), slot = WORKER_STACK + page;

	if (!rt->stacks) {
		void *p = mmap(NULL, slot * SK_MEDIATE_WORKERS, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);

		if (p == MAP_FAILED)
			return NULL;
		for (unsigned k = 0; k < SK_MEDIATE_WORKERS; k++)
			if (mprotect((char *)p + k * slot, page, PROT_NONE) < 0) {
				munmap(p, slot * SK_MEDIATE_WORKERS);
				return NULL;
			}
		rt->stacks = p;
		rt->stacks_len = slot * SK_MEDIATE_WORKERS;
	}
	return (char *)rt->stacks + i * slot + page;
}

/* One more worker, if the pool has room; rt->lock held. */
static void spawn_worker(struct sk_mediate_rt *rt)
{
	pthread_attr_t attr;
	sigset_t all, old;
	void *stack;

	if (rt->nthreads >= SK_MEDIATE_WORKERS)
		return;
	pthread_attr_init(&attr);
	if ((stack = worker_stack(rt, rt->nthreads)))
		pthread_attr_setstack(&attr, stack, WORKER_STACK);
	else
		pthread_attr_setstacksize(&attr, WORKER_STACK);
	/* Workers take no signal but the cancel one. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	if (pthread_create(&rt->threads[rt->nthreads], &attr, worker_main, rt) == 0)
		rt->nthreads++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
}

/* The ids of this process's threads but the caller, into tids[] (at most
 * max; more: max + 1 returned); 0 without /proc. */
static size_t other_threads(pid_t *tids, size_t max)
{
	pid_t self = (pid_t)syscall(SYS_gettid);
	char buf[2048];
	size_t n = 0;
	long got;
	int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while ((got = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;) {
			const char *name = buf + off + 19; /* struct linux_dirent64: d_name */
			unsigned short reclen;
			pid_t tid;

			memcpy(&reclen, buf + off + 16, sizeof(reclen));
			off += reclen;
			tid = (pid_t)atoi(name);
			if (tid <= 0 || tid == self)
				continue;
			if (n == max) {
				close(fd);
				return max + 1;
			}
			tids[n++] = tid;
		}
	}
	close(fd);
	return got < 0 ? 0 : n;
}

size_t sk_mediate_prestart(struct sk_mediate_rt *rt, pid_t *tids, size_t max)
{
	size_t n = 0;

	bool workers = false;

	if (!rt)
		return 0;
	/* Only worker mediators (connect) need them: file observation and
	 * the other inline ones are answered in the loop. */
	for (size_t i = 0; i < rt->med->n; i++)
		workers |= rt->med->m[i].run == SK_MRUN_WORKER;
	pthread_mutex_lock(&rt->lock);
	while (workers && rt->nthreads < SK_MEDIATE_WORKERS) {
		unsigned before = rt->nthreads;

		spawn_worker(rt);
		if (rt->nthreads == before)
			break;
	}
	rt->fixed = true;
	/* The kernel lists a thread from the moment it is made: when the
	 * process has no thread but ours and the workers (the supervisor,
	 * the linger process), that is who they are, without waiting for
	 * each to run (on a busy machine, a while). */
	n = other_threads(tids, max);
	if (n == rt->nthreads) {
		pthread_mutex_unlock(&rt->lock);
		return n;
	}
	/* Otherwise until every worker has said who it is. */
	while (rt->ntids < rt->nthreads)
		pthread_cond_wait(&rt->started, &rt->lock);
	for (n = 0; n < rt->ntids && n < max; n++)
		tids[n] = rt->tids[n];
	pthread_mutex_unlock(&rt->lock);
	return n;
}

void sk_mediate_set_listener(struct sk_mediate_rt *rt, int listener)
{
	if (rt)
		rt->listener = listener;
}

void sk_mediate_set_supervisor(struct sk_mediate_rt *rt, pid_t pid, int pidfd)
{
	if (rt) {
		rt->supervisor = pid;
		rt->supervisor_pidfd = pidfd;
	}
}

void sk_mediate_dispatch(struct sk_mediate_rt *rt, const struct sk_mediator *h, const void *req_, const char *name,
			 uint32_t arch, const uint64_t args[SK_MAX_ARGS], const stockade_plan *plan)
{
	const struct seccomp_notif *req = req_;
	struct sk_mreq *r = calloc(1, sizeof(*r));

	if (!r) {
		struct seccomp_notif_resp resp = { .id = req->id, .error = -ENOMEM };

		ioctl(rt->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		return;
	}
	r->id = req->id;
	r->pid = (pid_t)req->pid;
	r->arch = arch;
	r->nr = req->data.nr;
	r->name = name;
	memcpy(r->args, args, sizeof(r->args));
	r->plan = plan;
	r->listener = rt->listener;
	r->supervisor = rt->supervisor;
	r->supervisor_pidfd = rt->supervisor_pidfd;
	r->mediator = h;
	/* A foreign ABI lays out its structures its own way: refused, or,
	 * for an observer (which decides nothing), let through unobserved. */
	if (arch != seccomp_arch_native() && h->observe) {
		sk_mreq_continue(r);
		finish(rt, r);
		return;
	}
	if (arch != seccomp_arch_native()) {
		sk_mreq_deny(r, EACCES, "stockade mediates this call for the native ABI only", "%s ABI",
			     stockade_arch_name(arch) ? stockade_arch_name(arch) : "foreign");
		finish(rt, r);
		return;
	}
	if (h->run == SK_MRUN_INLINE) {
		h->handle(r, h->data);
		finish(rt, r);
		return;
	}
	pthread_mutex_lock(&rt->lock);
	*rt->queue_tail = r;
	rt->queue_tail = &r->next;
	rt->pending++;
	if (rt->idle == 0 && !rt->fixed)
		spawn_worker(rt);
	if (rt->nthreads == 0) {
		/* No thread at all: take it back and refuse. */
		rt->queue = NULL;
		rt->queue_tail = &rt->queue;
		rt->pending--;
		pthread_mutex_unlock(&rt->lock);
		sk_mreq_fail(r, EAGAIN);
		finish(rt, r);
		return;
	}
	pthread_cond_signal(&rt->cond);
	pthread_mutex_unlock(&rt->lock);
}

void sk_mediate_complete(struct sk_mediate_rt *rt)
{
	struct sk_mreq *list, *next;
	uint64_t n;

	if (!rt)
		return;
	if (read(rt->efd, &n, sizeof(n)) < 0) {
		/* EAGAIN: nothing new */
	}
	pthread_mutex_lock(&rt->lock);
	list = rt->done;
	rt->done = NULL;
	for (struct sk_mreq *r = list; r; r = r->next)
		rt->pending--;
	pthread_mutex_unlock(&rt->lock);
	/* Oldest first. */
	struct sk_mreq *rev = NULL;
	for (struct sk_mreq *r = list; r; r = next) {
		next = r->next;
		r->next = rev;
		rev = r;
	}
	for (struct sk_mreq *r = rev; r; r = next) {
		next = r->next;
		finish(rt, r);
	}
}

void sk_mediate_tick(struct sk_mediate_rt *rt)
{
	if (!rt)
		return;
	pthread_mutex_lock(&rt->lock);
	for (struct sk_mreq *r = rt->queue; r; r = r->next)
		if (!atomic_load(&r->cancelled) && !sk_mreq_valid(r))
			atomic_store(&r->cancelled, true);
	for (struct sk_mreq *r = rt->running; r; r = r->next) {
		if (!atomic_load(&r->cancelled) && !sk_mreq_valid(r))
			atomic_store(&r->cancelled, true);
		/* Again on every tick: the first signal may have come before
		 * the worker blocked. */
		if (atomic_load(&r->cancelled))
			pthread_kill(r->worker, rt->cancel_sig);
	}
	pthread_mutex_unlock(&rt->lock);
}

void sk_mediate_stop(struct sk_mediate_rt *rt)
{
	if (!rt)
		return;
	pthread_mutex_lock(&rt->lock);
	rt->stop = true;
	for (struct sk_mreq *r = rt->queue; r; r = r->next)
		atomic_store(&r->cancelled, true);
	for (struct sk_mreq *r = rt->running; r; r = r->next)
		atomic_store(&r->cancelled, true);
	pthread_cond_broadcast(&rt->cond);
	pthread_mutex_unlock(&rt->lock);
	for (;;) {
		bool busy;

		pthread_mutex_lock(&rt->lock);
		busy = rt->running || rt->queue;
		for (struct sk_mreq *r = rt->running; r; r = r->next)
			pthread_kill(r->worker, rt->cancel_sig);
		pthread_mutex_unlock(&rt->lock);
		if (!busy)
			break;
		usleep(1000);
	}
	for (unsigned i = 0; i < rt->nthreads; i++)
		pthread_join(rt->threads[i], NULL);
	if (rt->stacks)
		munmap(rt->stacks, rt->stacks_len);
	sk_mediate_complete(rt);
	sigaction(rt->cancel_sig, &rt->old_action, NULL);
	close(rt->efd);
	pthread_cond_destroy(&rt->cond);
	pthread_cond_destroy(&rt->started);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}
