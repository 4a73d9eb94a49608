/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stockade_run(): run a command confined and wait for it, for a program
 * that embeds the library.  The caller's process-wide state is left alone:
 *
 *  - enforce only: a child applies a program compiled here and execs the
 *    command; the parent waits for that one child;
 *  - report or audit: a child becomes the supervisor (it blocks signals,
 *    is the subreaper of the command's orphans, reaps them, turns itself
 *    non-dumpable: sk_supervise_exec() owns that process) and sends each
 *    event up a pipe; the parent calls the callback with it and waits for
 *    that one child.
 *
 * The channel is a socketpair, not a pipe: a confined process of the same
 * user could open a pipe through /proc/PID/fd where Landlock does not stop
 * it, and write records of its own; a socket cannot be opened that way.
 * Even so, a record carries no pointer: the parent decides each event
 * again with its own plan, from the call the supervisor saw.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/exec.h"
#include "run/isolate.h"
#include "run/proxy_run.h"
#include "run/supervise.h"

struct stockade_event {
	struct sk_event ev;
	char name[64]; /* ev.name points here */
	char action[48];
};

enum relay_kind {
	RELAY_EVENT = 1,
	RELAY_DONE,
};

/* One message up the socket (SOCK_SEQPACKET: one record a read).  Plain
 * data only: what the supervisor saw of the call, and the result. */
struct relay {
	uint32_t kind;
	/* RELAY_EVENT */
	struct timespec when;
	int32_t pid;
	char comm[16];
	uint32_t arch;
	int32_t nr;
	char name[64];
	uint64_t args[SK_MAX_ARGS];
	uint8_t ran, fallback;
	int32_t errnum_event;
	/* RELAY_DONE */
	int ret;
	int phase;
	int wstatus;
	int errnum;
	char msg[512];
};

_Static_assert(sizeof(struct relay) <= 4096, "a relay message must fit in PIPE_BUF");

struct relay_out {
	int fd;
	pid_t owner; /* the supervisor: a background linger process it forks sends nothing */
	const stockade_plan *plan;
};

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return got ? -1 : 0;
		got += (size_t)n;
	}
	return 1;
}

static void relay_event(const struct sk_event *ev, void *data)
{
	struct relay_out *o = data;
	struct relay r = { .kind = RELAY_EVENT };

	if (getpid() != o->owner)
		return;
	r.when = ev->when;
	r.pid = ev->pid;
	memcpy(r.comm, ev->comm, sizeof(r.comm));
	r.arch = ev->arch;
	r.nr = ev->nr;
	if (ev->name)
		snprintf(r.name, sizeof(r.name), "%s", ev->name);
	memcpy(r.args, ev->args, sizeof(r.args));
	r.ran = ev->ran;
	r.errnum_event = ev->errnum;
	r.fallback = ev->plan != o->plan;
	sk_write_all(o->fd, &r, sizeof(r));
}

/* Network mode proxy, in the child that stays for the run (the supervisor,
 * or the command's outer process): the proxy ends when it does, and the
 * command starts only once the proxy is confined. */
static int proxy_up(struct sk_proxy *px, const stockade_plan *plan, bool audit, stockade_error **err)
{
	int ret;

	if (!px)
		return 0;
	ret = sk_proxy_spawn(px, plan, audit, err);
	return ret < 0 ? ret : sk_proxy_ready(px, err);
}

static _Noreturn void supervisor_main(const stockade_plan *plan, char *const argv[], enum sk_notify_mode mode,
				      const struct sk_mediation *med, int fd, struct sk_proxy *px)
{
	struct relay_out o = { .fd = fd, .owner = getpid(), .plan = plan };
	struct sk_supervise_opts sopts = { .mode = mode, .on_event = relay_event, .data = &o, .mediation = med,
					   .job_control_blocked = true };
	struct sk_supervise_result res = { .phase = SK_SUP_SETUP_FAILED };
	stockade_error *e = NULL;
	struct relay r = { .kind = RELAY_DONE };

	r.ret = proxy_up(px, plan, mode == SK_NOTIFY_DENY || plan->audit, &e);
	if (r.ret >= 0)
		r.ret = sk_supervise_exec(plan, argv, &sopts, &res, &e);
	r.phase = res.phase;
	r.wstatus = res.wstatus;
	r.errnum = r.ret < 0 ? (e ? e->status : -r.ret) : 0;
	if (e && e->msg)
		snprintf(r.msg, sizeof(r.msg), "%s", e->msg);
	sk_write_all(fd, &r, sizeof(r));
	_exit(0);
}

/* The parent's end: call back for each event until the supervisor is done.
 * The verdict is the parent's own, decided on the call as recorded. */
static int relay_in(int fd, const stockade_plan *plan, const struct stockade_run_options *opts, struct relay *done)
{
	struct relay r;

	for (;;) {
		struct stockade_event e;
		ssize_t n = recv(fd, &r, sizeof(r), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(r))
			return -EPIPE;
		if (r.kind == RELAY_DONE) {
			done->ret = r.ret;
			done->phase = r.phase;
			done->wstatus = r.wstatus;
			done->errnum = r.errnum;
			memcpy(done->msg, r.msg, sizeof(done->msg));
			done->msg[sizeof(done->msg) - 1] = '\0';
			return 0;
		}
		if (r.kind != RELAY_EVENT)
			return -EPROTO;
		memset(&e, 0, sizeof(e));
		e.ev.when = r.when;
		e.ev.pid = r.pid;
		memcpy(e.ev.comm, r.comm, sizeof(e.ev.comm));
		e.ev.comm[sizeof(e.ev.comm) - 1] = '\0';
		e.ev.arch = r.arch;
		e.ev.nr = r.nr;
		memcpy(e.name, r.name, sizeof(e.name));
		e.name[sizeof(e.name) - 1] = '\0';
		e.ev.name = e.name[0] ? e.name : NULL;
		memcpy(e.ev.args, r.args, sizeof(e.ev.args));
		e.ev.ran = r.ran != 0;
		e.ev.errnum = r.errnum_event;
		e.ev.plan = r.fallback && plan->net_fallback ? plan->net_fallback : plan;
		sk_supervise_decide(e.ev.plan, 0, e.ev.arch, e.ev.name, e.ev.args, &e.ev.verdict, &e.ev.compat_refused);
		sk_action_format(e.ev.verdict.action, e.action, sizeof(e.action));
		if (opts->on_event)
			opts->on_event(&e, opts->data);
	}
}

/* A child with a channel to it: *fd is the parent's end; in the child (0
 * returned) it is the child's end.  A negative errno on failure. */
static pid_t fork_with_channel(int *fd, stockade_error **err)
{
	int p[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) < 0)
		return sk_error(err, errno, "socketpair: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		int ret = sk_error(err, errno, "fork: %s", strerror(errno));

		close(p[0]);
		close(p[1]);
		return ret;
	}
	close(pid == 0 ? p[0] : p[1]);
	*fd = pid == 0 ? p[1] : p[0];
	return pid;
}

static int wait_child(pid_t pid, int *wstatus)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (wstatus)
		*wstatus = st;
	return 0;
}

/* Enforce only: confine a child with a program compiled here, exec, wait.
 * A close-on-exec socket carries a failure before or at exec back. */
static int run_enforced(const stockade_plan *plan, char *const argv[], int *wstatus, struct sk_proxy *px,
			stockade_error **err)
{
	stockade_program *prog = NULL;
	struct relay r = { .kind = RELAY_DONE };
	int fd, ret, got;
	pid_t pid;

	if ((ret = stockade_program_new(plan, &prog, err)) < 0)
		return ret;
	pid = fork_with_channel(&fd, err);
	if (pid < 0) {
		stockade_program_free(prog);
		return (int)pid;
	}
	if (pid == 0) {
		stockade_error *e = NULL;

		/* Namespaces (isolate.h): this child stays as their outer
		 * process and ends as the command does. */
		r.ret = proxy_up(px, plan, plan->audit, &e);
		if (r.ret >= 0)
			r.ret = sk_isolate(plan, NULL, &e);
		if (r.ret >= 0)
			r.ret = sk_program_exec(prog, argv, NULL, NULL, &e);
		r.errnum = e ? e->status : -r.ret;
		if (e && e->msg)
			snprintf(r.msg, sizeof(r.msg), "%s", e->msg);
		sk_write_all(fd, &r, sizeof(r));
		_exit(r.errnum == ENOENT ? 127 : 126);
	}
	stockade_program_free(prog);
	if (px)
		sk_proxy_free(px); /* the child's to hand on */
	got = read_all(fd, &r, sizeof(r));
	close(fd);
	r.msg[sizeof(r.msg) - 1] = '\0';
	ret = wait_child(pid, wstatus);
	if (ret == -ECHILD)
		return sk_error(err, ECHILD, "the command's exit status is lost: this process ignores SIGCHLD "
				"(SIG_IGN or SA_NOCLDWAIT), so the kernel reaped it");
	if (got > 0 && r.ret < 0)
		return sk_error(err, r.errnum ? r.errnum : EIO, "%s", r.msg[0] ? r.msg : "cannot run the command");
	if (ret < 0)
		return sk_error(err, -ret, "waitpid: %s", strerror(-ret));
	return 0;
}

static int run_plan(const stockade_plan *plan, char *const argv[], const struct stockade_run_options *opts,
		    int *wstatus, struct sk_proxy *px, stockade_error **err);

int stockade_run(const stockade_plan *plan, char *const argv[], const struct stockade_run_options *opts,
		 int *wstatus, stockade_error **err)
{
	struct stockade_run_options o = { .size = sizeof(o) };
	struct sk_proxy px = SK_PROXY_INIT;
	stockade_plan *with_proxy = NULL;
	int ret;

	if (wstatus)
		*wstatus = 0;
	if (!argv || !argv[0])
		return sk_error(err, EINVAL, "no command to run");
	if (opts) {
		/* A caller built against an older header passes a smaller struct. */
		if (opts->size < offsetof(struct stockade_run_options, data) + sizeof(opts->data))
			return sk_error(err, EINVAL, "stockade_run_options: size %zu is too small", opts->size);
		memcpy(&o, opts, opts->size < sizeof(o) ? opts->size : sizeof(o));
	}
	if (plan->access.net != SK_NET_PROXY)
		return run_plan(plan, argv, &o, wstatus, NULL, err);
	/* Network mode proxy: its listener first, its address in the plan
	 * (Landlock's port, the supervisor's address), then the run, whose
	 * child starts the proxy (proxy_up). */
	ret = sk_proxy_listen(&px, err);
	if (ret == 0)
		ret = sk_proxy_plan(plan, px.port, &with_proxy, err);
	if (ret == 0)
		ret = run_plan(with_proxy, argv, &o, wstatus, &px, err);
	sk_proxy_plan_free(with_proxy);
	sk_proxy_close(&px);
	return ret;
}

static int run_plan(const stockade_plan *plan, char *const argv[], const struct stockade_run_options *opts,
		    int *wstatus, struct sk_proxy *px, stockade_error **err)
{
	struct stockade_run_options o = *opts;
	enum sk_notify_mode mode;
	struct sk_mediation med;
	struct relay done;
	int fd, ret;
	pid_t pid;

	switch (o.mode) {
	case STOCKADE_RUN_ENFORCE:
		/* audit mode needs the supervisor; so do mediated calls */
		mode = plan->audit ? SK_NOTIFY_DENY : SK_NOTIFY_NONE;
		break;
	case STOCKADE_RUN_REPORT:
		mode = plan->audit ? SK_NOTIFY_DENY : SK_NOTIFY_ERRNO;
		break;
	case STOCKADE_RUN_AUDIT:
		mode = SK_NOTIFY_DENY;
		break;
	default:
		return sk_error(err, EINVAL, "unknown run mode %d", (int)o.mode);
	}
	if (!plan->seccomp_enabled)
		return run_enforced(plan, argv, wstatus, px, err);
	if ((ret = sk_mediation_setup(plan, mode, &med, err)) < 0)
		return ret;
	if (mode == SK_NOTIFY_NONE && !med.n)
		return run_enforced(plan, argv, wstatus, px, err);

	pid = fork_with_channel(&fd, err);
	if (pid < 0) {
		sk_mediation_free(&med);
		return (int)pid;
	}
	if (pid == 0)
		supervisor_main(plan, argv, mode, &med, fd, px);
	sk_mediation_free(&med);
	if (px)
		sk_proxy_free(px); /* the child's to hand on */
	ret = relay_in(fd, plan, &o, &done);
	close(fd);
	if (ret < 0) {
		/* The supervisor died without saying how the command ended. */
		kill(pid, SIGKILL);
		wait_child(pid, NULL);
		return sk_error(err, -ret, "the supervisor ended without a result");
	}
	/* ECHILD: this process ignores SIGCHLD and the kernel reaped the
	 * supervisor; the command's status came in its last record. */
	if ((ret = wait_child(pid, NULL)) < 0 && ret != -ECHILD)
		return sk_error(err, -ret, "waitpid: %s", strerror(-ret));
	/* Inside another supervisor, whose filter and mediators still
	 * hold: plain enforcement, as without mediation. */
	if (mode == SK_NOTIFY_NONE && done.ret < 0 && done.phase == SK_SUP_SETUP_FAILED && done.errnum == EBUSY &&
	    !px)
		return run_enforced(plan, argv, wstatus, NULL, err);
	if (wstatus)
		*wstatus = done.wstatus;
	if (done.ret < 0)
		return sk_error(err, done.errnum ? done.errnum : EIO, "%s", done.msg[0] ? done.msg : "cannot run");
	return 0;
}

/* ---- events ---- */

pid_t stockade_event_pid(const stockade_event *ev)
{
	return ev->ev.pid;
}

const char *stockade_event_comm(const stockade_event *ev)
{
	return ev->ev.comm;
}

const char *stockade_event_syscall(const stockade_event *ev)
{
	return ev->ev.name;
}

int stockade_event_nr(const stockade_event *ev)
{
	return ev->ev.nr;
}

uint32_t stockade_event_arch(const stockade_event *ev)
{
	return ev->ev.arch;
}

uint64_t stockade_event_arg(const stockade_event *ev, unsigned i)
{
	return i < SK_MAX_ARGS ? ev->ev.args[i] : 0;
}

int stockade_event_ran(const stockade_event *ev)
{
	return ev->ev.ran;
}

int stockade_event_errno(const stockade_event *ev)
{
	return ev->ev.ran ? 0 : ev->ev.errnum;
}

const char *stockade_event_action(const stockade_event *ev)
{
	return ev->action;
}

const char *stockade_event_origin(const stockade_event *ev, int *line, int *column)
{
	if (line)
		*line = ev->ev.verdict.at.line;
	if (column)
		*column = ev->ev.verdict.at.column;
	return ev->ev.verdict.at.file;
}

const char *stockade_event_reason(const stockade_event *ev)
{
	return ev->ev.verdict.reason;
}
