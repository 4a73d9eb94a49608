/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisor's mediation framework: seccomp user notifications whose
 * answer needs work (a connect, an open), and the handlers that do it.
 *
 * The filter decides what it can from the syscall number and the argument
 * registers.  Some decisions need more: the address a connect() points to,
 * the path an openat() names.  Those live in the caller's memory, which
 * the caller can change after anyone reads it, so "read it, then let the
 * kernel run the call" (SECCOMP_USER_NOTIF_FLAG_CONTINUE) decides on one
 * copy and runs on another.  A mediator therefore decides on its own copy
 * and then performs the call itself, on the caller's objects (its socket
 * through pidfd_getfd(), a descriptor it installs with
 * SECCOMP_IOCTL_NOTIF_ADDFD), and answers with the result.
 *
 * Registering.  A struct sk_mediation lists the mediators of a run, one per
 * syscall name, before the command starts: the set decides the filter
 * (seccomp.h, struct sk_notify: a mediated syscall notifies wherever the
 * plan would let it through, and nowhere else; the plan's denials stay in
 * the kernel).  Built-in mediators are set up by sk_mediation_setup(), the
 * one place a new one is added (unix connect today; TCP connect and file
 * observation next).  Several families of one syscall share one mediator:
 * connect() is mediate_connect.c, which takes the socket and the address
 * and hands them to the handler of the socket's family (sk_connect_family).
 *
 * Running.  The supervisor's event loop (supervise.c) polls the listener,
 * a signalfd, the handoff socket and the completion eventfd of the worker
 * pool here, and never blocks anywhere else.  For a notification of a
 * mediated syscall it builds a struct sk_mreq and
 *  - SK_MRUN_INLINE: calls the handler at once, in the loop: for cheap work
 *    that never blocks (reading a path, a table lookup);
 *  - SK_MRUN_WORKER: queues it for a bounded pool of threads (created on
 *    demand, at most SK_MEDIATE_WORKERS; the supervisor starts them all
 *    before the command, sk_mediate_prestart()): for work that may block (a
 *    connect to a listener whose backlog is full, a DNS answer).  The
 *    answer comes back through the eventfd and is sent from the loop, so
 *    one slow call never holds up another notification or a signal.
 * Calls through an ABI other than the native one are refused (EACCES) by
 * the framework before any handler sees them.
 *
 * A handler's contract:
 *  - decide only on copies made by the supervisor: sk_mreq_read() copies
 *    the caller's memory and then checks that the notification is still
 *    live (SECCOMP_IOCTL_NOTIF_ID_VALID), so the pid was not reused;
 *    sk_mreq_getfd() takes the caller's descriptor, sk_mreq_open() opens a
 *    path as the caller sees it (its cwd, its root);
 *  - act, do not continue: answer with sk_mreq_answer() (the call's
 *    result), sk_mreq_fail() (an errno the call itself produced) or
 *    sk_mreq_deny() (the policy refuses: reported).  sk_mreq_continue() is
 *    for observe-only mediators (.observe, e.g. reporting the files a
 *    command opens while Landlock decides): from any other it is turned
 *    into EPERM;
 *  - fail closed: where the supervisor cannot copy or take what it needs
 *    (the caller made itself non-dumpable, a pidfd_getfd() EPERM), deny;
 *  - WORKER handlers run concurrently: data shared between calls needs its
 *    own lock.  A blocking call must expect EINTR: when the caller goes
 *    away (killed, or its call withdrawn) the loop notices within
 *    SK_MEDIATE_TICK_MS and interrupts the worker with a signal;
 *    sk_mreq_cancelled() then says so and the handler returns.
 *  - no printing (library code): r->detail and r->rule tell the report
 *    what was decided about; on_mediation (struct sk_supervise_opts) is
 *    called with the request, in the loop, after the answer was sent.
 */
#ifndef STOCKADE_MEDIATE_H
#define STOCKADE_MEDIATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "seccomp/seccomp.h"

#define SK_MEDIATORS_MAX 32 /* file observation takes 20 (mediate_files.c) */
#define SK_MEDIATE_WORKERS 4
#define SK_MEDIATE_TICK_MS 100
#define SK_SIN6_LEN_MIN 24 /* SIN6_LEN_RFC2133: the shortest IPv6 address connect() takes */

struct sk_mreq;
typedef void (*sk_mediate_fn)(struct sk_mreq *r, void *data);

enum sk_mrun {
	SK_MRUN_INLINE = 0, /* in the loop: cheap, never blocks */
	SK_MRUN_WORKER,	    /* in a worker thread: may block */
};

struct sk_mediator {
	const char *syscall; /* "connect" */
	enum sk_mrun run;
	bool observe; /* observe-only: may answer CONTINUE, never decides */
	sk_mediate_fn handle;
	void *data;
};

/* The mediators of one run. */
struct sk_mediation {
	struct sk_mediator m[SK_MEDIATORS_MAX];
	const char *names[SK_MEDIATORS_MAX]; /* m[i].syscall, for struct sk_notify */
	size_t n;
	/* what sk_mediation_setup() allocated, freed by sk_mediation_free() */
	struct sk_unix_mediation *unix_state;
	struct sk_connect_mediation *connect_state;
	struct sk_tcp_mediation *tcp_state;
	struct sk_files_mediation *files_state; /* mediate_files.h */
	/* Audit and learn (sk_mediation_setup's mode): the mediators decide,
	 * and a refusal is reported (r->audited) but the call runs as asked
	 * (the kernel runs it: nothing is enforced there anyway). */
	bool audit;
};

/* Add a mediator; -EEXIST if its syscall has one, -ENOSPC if full. */
int sk_mediation_add(struct sk_mediation *m, const struct sk_mediator *h);
/* The filter's notification set: `mode` plus m's syscalls (m may be NULL;
 * the names point into m). */
void sk_mediation_notify(const struct sk_mediation *m, enum sk_notify_mode mode, struct sk_notify *out);
const struct sk_mediator *sk_mediation_find(const struct sk_mediation *m, const char *syscall);

/* The built-in mediators this plan needs here (none: m->n == 0, and the
 * command can be exec'd in place).  `mode` is the supervisor's: in audit
 * and learn (SK_NOTIFY_DENY, SK_NOTIFY_ALL) they decide and report, and
 * every call runs (m->audit); in plain enforcement (SK_NOTIFY_NONE) TCP
 * connects are left to the proxy's network namespace where the command
 * is in one (run/netns.h). */
int sk_mediation_setup(const stockade_plan *plan, enum sk_notify_mode mode, struct sk_mediation *m,
		       stockade_error **err);
void sk_mediation_free(struct sk_mediation *m);

/* ---- one notification ---- */

enum sk_manswer {
	SK_MANS_NONE = 0, /* not answered yet: the framework denies (EPERM) */
	SK_MANS_VALUE,	  /* the call returns val */
	SK_MANS_ERROR,	  /* the call fails with error */
	SK_MANS_CONTINUE, /* observe-only: the kernel runs the call */
};

struct sk_mreq {
	/* The call, as the kernel reported it. */
	uint64_t id;
	pid_t pid; /* the calling thread, in the supervisor's pid namespace */
	uint32_t arch;
	int nr;
	const char *name;
	uint64_t args[SK_MAX_ARGS];
	const stockade_plan *plan; /* the plan whose filter notified */
	int listener;
	pid_t supervisor; /* the supervisor's pid: the root of the sandbox's process tree */
	int supervisor_pidfd; /* its pidfd when it is another process than ours, else -1 */
	const struct sk_mediator *mediator;
	/* The answer. */
	enum sk_manswer answer;
	int64_t val;
	int error;
	bool denied;	  /* refused by the policy (sk_mreq_deny), not by the call */
	bool audited;	  /* denied, but let run: audit or learn (struct sk_mediation) */
	const char *rule; /* why it was refused (static text) */
	char detail[256]; /* what was decided about: a path, an address */
	/* The framework's. */
	atomic_bool cancelled;
	atomic_bool running;
	pthread_t worker;
	struct sk_mreq *next;
};

/* Is the notification still live (the caller waiting, its pid its own)? */
/* The command name of pid ("?" if unknown), as /proc/PID/comm says it. */
void sk_read_comm(pid_t pid, char comm[16]);
bool sk_mreq_valid(const struct sk_mreq *r);
/* The caller's socket `fd` as the supervisor's own descriptor, with its
 * SO_DOMAIN, SO_TYPE, SO_PROTOCOL; -1 after answering r (EBADF, ENOTSOCK,
 * or refused: it cannot be taken). */
int sk_mreq_take_socket(struct sk_mreq *r, int fd, int *domain, int *type, int *protocol);
bool sk_mreq_cancelled(const struct sk_mreq *r);
/* Copy len bytes of the caller's memory at addr into buf, then check the
 * notification is live.  0, or -EFAULT (bad address), -EPERM (no right to
 * read it: the caller is not dumpable), -ENOENT (the caller is gone). */
int sk_mreq_read(const struct sk_mreq *r, uint64_t addr, void *buf, size_t len);
/* The caller's descriptor fd, as a close-on-exec descriptor of ours
 * (pidfd_getfd), then checked live; -EBADF, -EPERM, -ENOENT. */
int sk_mreq_getfd(const struct sk_mreq *r, int fd);
/* Open `path` as the calling thread sees it: relative to its working
 * directory, absolute from its root (/proc/PID/cwd, /proc/PID/root), with
 * openat2() flags and RESOLVE_* bits; then checked live.  -EPERM where
 * the supervisor may not look (a non-dumpable caller). */
int sk_mreq_open(const struct sk_mreq *r, const char *path, int flags, uint64_t resolve);

void sk_mreq_answer(struct sk_mreq *r, int64_t val);
void sk_mreq_fail(struct sk_mreq *r, int errnum);
void sk_mreq_deny(struct sk_mreq *r, int errnum, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void sk_mreq_continue(struct sk_mreq *r);

/* ---- the supervisor's side (supervise.c) ---- */

typedef void (*sk_mediated_fn)(const struct sk_mreq *r, void *data);

struct sk_mediate_rt;

/* Start the runtime for `m` on `listener` (no thread yet: workers start on
 * demand).  *out NULL and 0 when m has no mediator. */
int sk_mediate_start(const struct sk_mediation *m, int listener, sk_mediated_fn done, void *data,
		     struct sk_mediate_rt **out, stockade_error **err);
/* Start every worker of the pool now and none later, and put their thread
 * ids in tids[] (at most max; returns how many): the supervisor fences
 * them off the command (supervise_harden.c) before the command exists, so
 * the pool is whole before the command's fence is loaded.  Returns once
 * every worker has said who it is; fork nothing after (supervise.c forks
 * the child and the linger process before). */
size_t sk_mediate_prestart(struct sk_mediate_rt *rt, pid_t *tids, size_t max);
/* The listener, for a runtime started before it existed (listener -1). */
void sk_mediate_set_listener(struct sk_mediate_rt *rt, int listener);
/* The root of the sandbox's process tree when it is another process than
 * the runtime's (the linger process mediating for its parent): its pid,
 * and a pidfd that pins it (borrowed; a decision that needs the tree holds
 * only while that process lives). */
void sk_mediate_set_supervisor(struct sk_mediate_rt *rt, pid_t pid, int pidfd);
/* Handle a notification of a mediated syscall: answered now, or later
 * through sk_mediate_complete().  Takes the fields it needs from req. */
void sk_mediate_dispatch(struct sk_mediate_rt *rt, const struct sk_mediator *h, const void *req, const char *name,
			 uint32_t arch, const uint64_t args[SK_MAX_ARGS], const stockade_plan *plan);
/* The eventfd to poll for finished work (-1 without a runtime). */
int sk_mediate_fd(const struct sk_mediate_rt *rt);
/* Answer what the workers finished. */
void sk_mediate_complete(struct sk_mediate_rt *rt);
/* Requests queued or running (0 without a runtime). */
unsigned sk_mediate_pending(struct sk_mediate_rt *rt);
/* Interrupt work whose caller is gone; call every SK_MEDIATE_TICK_MS while
 * sk_mediate_pending() is not 0. */
void sk_mediate_tick(struct sk_mediate_rt *rt);
/* Interrupt every worker, answer what is left (EINTR where the work was
 * cut short), join the threads and free the runtime (NULL is fine).  Before
 * a fork: the child starts a runtime of its own. */
void sk_mediate_stop(struct sk_mediate_rt *rt);

/* ---- connect() (mediate_connect.c) ---- */

/* A family's connect handler: `sock` is the supervisor's copy of the
 * caller's socket (its domain `domain`, type `type`), `addr`/`len` the
 * supervisor's copy of the address.  It answers r (usually by connecting
 * `sock` itself); the caller closes sock. */
typedef void (*sk_connect_fn)(struct sk_mreq *r, int sock, int domain, int type, const struct sockaddr_storage *addr,
			      socklen_t len, void *data);

struct sk_connect_family {
	int domain; /* AF_UNIX, AF_INET, AF_INET6 */
	sk_connect_fn fn;
	void *data;
};

/* Install the connect mediator (WORKER) if it is not there yet, and hand
 * sockets of `fam->domain` to fam->fn.  A family without a handler is
 * connected as asked, except TCP ports the plan limits (as Landlock would). */
int sk_connect_family_add(struct sk_mediation *m, const struct sk_connect_family *fam);
/* Connect sock (the caller's socket) to addr, retrying on EINTR until the
 * request is cancelled; answer r with the result. */
void sk_connect_perform(struct sk_mreq *r, int sock, const struct sockaddr *addr, socklen_t len);

/* ---- TCP connect by address (mediate_tcp.c) ---- */

/* Mediate AF_INET and AF_INET6 connects when tcp_connect names addresses
 * (network mode proxy's listener among them); nothing otherwise. */
int sk_tcp_mediation_setup(const stockade_plan *plan, struct sk_mediation *m, stockade_error **err);
void sk_tcp_mediation_free(struct sk_tcp_mediation *t);
/* Which process connected a TCP socket whose local port is `port` (the
 * last 1024 mediated connects to loopback): the proxy sees a port, the
 * report names the process.  False if unknown. */
bool sk_tcp_mediation_who(const struct sk_mediation *m, uint16_t port, pid_t *pid, char comm[16]);

/* ---- AF_UNIX pathname sockets (mediate_unix.c) ---- */

enum {
	SK_HOST_SOCKET_NONE = 0,
	SK_HOST_SOCKET_LISTED, /* a pathname socket of this network namespace, elsewhere */
	SK_HOST_SOCKET_KNOWN,  /* at a known daemon's place */
};
/* The first host daemon socket found, into `where`: at the known places
 * (tmux, screen, X11, ssh-agent, the user's runtime directory, docker,
 * podman, containerd, D-Bus, nscd, systemd-resolved), else any pathname
 * socket of this network namespace this process may connect to. */
int sk_host_daemon_socket(char *where, size_t size);
/* The path of a /proc/net/unix line (spaces included), cut at its end of
 * line in place; NULL for an abstract or unnamed socket. */
char *sk_unix_list_path(char *line);
/* Set up unix connect mediation when the plan names sockets or a host
 * daemon's socket exists; nothing otherwise. */
int sk_unix_mediation_setup(const stockade_plan *plan, struct sk_mediation *m, stockade_error **err);
void sk_unix_mediation_free(struct sk_unix_mediation *u);
/* Test hook: consider host daemon sockets present (1), absent (0), or look
 * (-1, the default). */
void sk_unix_mediation_force(int present);
/* Decide as a run in namespaces would (its mount view hides every socket
 * bound at the start): what `stockade doctor` says after its probe. */
void sk_unix_mediation_assume_isolated(bool on);
/* The answer sk_host_daemon_socket() gives from now on in this process:
 * a one-shot caller (the CLI) looks once, in the host's view, before the
 * mount view hides the sockets, and the run's later questions get that
 * answer instead of a second scan (/proc/net/unix can be long). */
void sk_host_daemon_socket_pin(int present, const char *where);
/* The host socket sk_host_daemon_socket_pin() was given, or NULL. */
const char *sk_host_daemon_socket_where(void);

#endif
