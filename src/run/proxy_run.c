/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Network mode proxy, the run's side (proxy_run.h, docs/network.md): the
 * proxy's listening socket is bound on 127.0.0.1 before the command's
 * confinement is built, so its port joins the Landlock connect list and
 * its address the supervisor's; then stockade-proxy (src/proxy) is started
 * on it, detached from the command (it is no child the command could wait
 * for) and ending when the process that started it does (a pidfd).  The
 * command gets the proxy variables, whose URL carries the run's
 * credential, once the proxy has said it is confined.
 *
 * Starting and waiting are apart so the proxy's start (exec, its own
 * lockdown) overlaps the command's setup: nothing reaches the proxy before
 * it is confined (it confines itself before it reads a byte), and the
 * command is not started before its word, so a proxy that cannot confine
 * itself fails the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/proxy_run.h"
#include "run/vmchild.h"

#ifndef STOCKADE_LIBEXECDIR
#define STOCKADE_LIBEXECDIR "/usr/local/libexec"
#endif
/* The proxy confines itself well within that. */
#define PROXY_READY_MS 10000

int sk_proxy_listen(struct sk_proxy *px, stockade_error **err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	unsigned char raw[16];
	int ret;

	/* The proxy's events, read back for the report. */
	px->events = memfd_create("stockade-proxy-events", MFD_CLOEXEC);
	if (px->events < 0)
		return sk_error(err, errno, "proxy: memfd_create: %s", strerror(errno));
	if (getrandom(raw, sizeof(raw), 0) != sizeof(raw))
		return sk_error(err, errno, "proxy: no random bytes for its credential: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(px->token + 2 * i, 3, "%02x", raw[i]);
	px->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (px->lfd < 0 || bind(px->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(px->lfd, 128) < 0 ||
	    getsockname(px->lfd, (struct sockaddr *)&sa, &len) < 0) {
		ret = sk_error(err, errno, "proxy: cannot listen on 127.0.0.1: %s", strerror(errno));
		sk_proxy_free(px);
		return ret;
	}
	px->port = ntohs(sa.sin_port);
	return 0;
}

int sk_proxy_prepare(stockade_policy *policy, struct sk_proxy *px, stockade_error **err)
{
	char addr[24];
	int ret;

	if (sk_policy_net_mode(policy) != SK_NET_PROXY)
		return 0;
	if ((ret = sk_proxy_listen(px, err)) < 0)
		return ret;
	/* That address only: the supervisor checks it (run/mediate_tcp.c). */
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", px->port);
	if ((ret = stockade_policy_tcp_connect(policy, addr, err)) < 0) {
		sk_proxy_free(px);
		px->port = 0;
	}
	return ret;
}

/* plan's access with 127.0.0.1:port among the connect entries. */
static int add_port(struct sk_plan_access *a, uint16_t port)
{
	uint16_t *ports = malloc((a->ntcp[SK_TCP_CONNECT] + 1) * sizeof(*ports));
	struct sk_port_ref *addrs = malloc((a->ntcp_addrs + 1) * sizeof(*addrs));
	size_t n = 0;
	bool placed = false;

	if (!ports || !addrs) {
		free(ports);
		free(addrs);
		return -ENOMEM;
	}
	/* sorted and unique, as the plan keeps them */
	for (size_t i = 0; i < a->ntcp[SK_TCP_CONNECT]; i++) {
		uint16_t p = a->tcp[SK_TCP_CONNECT][i];

		if (!placed && p >= port) {
			if (p != port)
				ports[n++] = port;
			placed = true;
		}
		ports[n++] = p;
	}
	if (!placed)
		ports[n++] = port;
	memcpy(addrs, a->tcp_addrs, a->ntcp_addrs * sizeof(*addrs));
	addrs[a->ntcp_addrs] = (struct sk_port_ref){ .port = port, .family = AF_INET, .addr = { 127, 0, 0, 1 },
						     .at = { .file = "network mode proxy" } };
	a->tcp[SK_TCP_CONNECT] = ports;
	a->ntcp[SK_TCP_CONNECT] = n;
	a->tcp_addrs = addrs;
	a->ntcp_addrs++;
	a->tcp_handled[SK_TCP_CONNECT] = true;
	return 0;
}

void sk_proxy_plan_free(stockade_plan *derived)
{
	if (!derived)
		return;
	sk_proxy_plan_free(derived->net_fallback);
	free(derived->access.tcp[SK_TCP_CONNECT]);
	free(derived->access.tcp_addrs);
	free(derived);
}

int sk_proxy_plan(const stockade_plan *plan, unsigned port, stockade_plan **out, stockade_error **err)
{
	stockade_plan *d = malloc(sizeof(*d));

	*out = NULL;
	if (!d)
		return sk_error(err, ENOMEM, "out of memory");
	*d = *plan;
	d->net_fallback = NULL;
	if (add_port(&d->access, (uint16_t)port) < 0) {
		free(d);
		return sk_error(err, ENOMEM, "out of memory");
	}
	if (plan->net_fallback && sk_proxy_plan(plan->net_fallback, port, &d->net_fallback, err) < 0) {
		sk_proxy_plan_free(d);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

/* $STOCKADE_PROXY_BIN; beside this program (the build tree), then
 * ../libexec/stockade/ from it (an install under any PREFIX), then the
 * LIBEXECDIR it was built for. */
static int find_proxy(char *out, size_t size)
{
	const char *env = getenv("STOCKADE_PROXY_BIN");
	char self[PATH_MAX - 64];
	ssize_t n;

	if (env && *env) {
		snprintf(out, size, "%s", env);
		return access(out, X_OK);
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(out, size, "%s/stockade-proxy", self);
			if (access(out, X_OK) == 0)
				return 0;
			/* PREFIX/bin/stockade: PREFIX/libexec/stockade/ */
			snprintf(out, size, "%s/../libexec/stockade/stockade-proxy", self);
			if (access(out, X_OK) == 0)
				return 0;
		}
	}
	snprintf(out, size, "%s/stockade/stockade-proxy", STOCKADE_LIBEXECDIR);
	return access(out, X_OK);
}

/* argv: path, --detach, --audit?, --allow P[:port]..., --pin N=A..., --private P...,
 * NULL; *argc counts what to free (from argv[1]). */
static char **proxy_argv(char *path, const stockade_plan *plan, bool audit, size_t *argc)
{
	const struct sk_plan_access *sb = &plan->access;
	char **argv = calloc(4 + 2 * sb->nhosts + 2 * sb->npins + 2 * sb->nprivate, sizeof(*argv));
	size_t n = 0;

	*argc = 0;
	if (!argv)
		return NULL;
	argv[n++] = path;
	argv[n++] = (char *)"--detach";
	if (audit)
		argv[n++] = (char *)"--audit";
	/* The token goes in the environment: argv is world-readable. */
	for (size_t i = 0; i < sb->nhosts; i++) {
		argv[n++] = (char *)"--allow";
		if ((sb->hosts[i].port ? asprintf(&argv[n], "%s:%u", sb->hosts[i].pattern, sb->hosts[i].port)
				       : asprintf(&argv[n], "%s", sb->hosts[i].pattern)) < 0)
			goto oom;
		n++;
	}
	for (size_t i = 0; i < sb->npins; i++) {
		argv[n++] = (char *)"--pin";
		if (asprintf(&argv[n], "%s=%s", sb->pins[i].name, sb->pins[i].addr) < 0)
			goto oom;
		n++;
	}
	for (size_t i = 0; i < sb->nprivate; i++) {
		argv[n++] = (char *)"--private";
		if (!(argv[n] = strdup(sb->private_hosts[i].pattern)))
			goto oom;
		n++;
	}
	*argc = n;
	return argv;
oom:
	argv[n] = NULL;
	*argc = n;
	return NULL;
}

static void argv_free(char **argv, size_t argc)
{
	for (size_t i = 1; argv && i < argc; i++)
		if (strncmp(argv[i], "--", 2))
			free(argv[i]);
	free(argv);
}

/* The proxy's environment: this process's, and its credential. */
static char **proxy_env(const char *token)
{
	extern char **environ;
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "STOCKADE_PROXY_TOKEN=", 21))
			env[k++] = environ[i];
	if (asprintf(&env[k], "STOCKADE_PROXY_TOKEN=%s", token) < 0) {
		free(env);
		return NULL;
	}
	return env;
}

static void proxy_env_free(char **env)
{
	size_t n = 0;

	if (!env)
		return;
	while (env[n])
		n++;
	/* the last one is ours, the others environ's */
	if (n)
		free(env[n - 1]);
	free(env);
}

/* What the child of spawn_vm() reads: in its own mapping, never in memory
 * this process may change or free while it runs (the environment). */
struct spawn_args {
	const char *path;
	char **argv, **envp;
	int src[5]; /* for descriptors 3 to 7; src[3] the word pipe */
};

static int SK_VMCHILD_FN spawn_child(void *p)
{
	const struct spawn_args *a = p;
	long r = 0;
	int word;

	for (int k = 0; k < 5 && r >= 0; k++)
		r = sk_raw_syscall(SYS_dup3, a->src[k], 3 + k, 0, 0);
	if (r >= 0)
		r = sk_raw_syscall(SYS_execve, (long)a->path, (long)a->argv, (long)a->envp, 0);
	/* Where the proxy's pid would have come: the error, negative. */
	word = (int)r;
	sk_raw_syscall(SYS_write, a->src[3], (long)&word, sizeof(word), 0);
	return 127;
}

static size_t vec_size(char *const *v)
{
	size_t n = sizeof(*v);

	for (; *v; v++)
		n += sizeof(*v) + strlen(*v) + sizeof(void *);
	return n;
}

static char **vec_copy(struct sk_vmchild *c, char *const *v)
{
	size_t n = 0;
	char **out;

	while (v[n])
		n++;
	out = sk_vmchild_alloc(c, (n + 1) * sizeof(*out));
	for (size_t i = 0; out && i < n; i++)
		if (!(out[i] = sk_vmchild_strdup(c, v[i])))
			return NULL;
	return out;
}

/* Start the proxy in a child that does not hold this process up
 * (vmchild.h): 0, a negative errno, or -EINVAL where that child cannot be
 * made here (the caller posix_spawn()s instead). */
static int spawn_vm(struct sk_proxy *px, char *const *argv, char *const *env, const int src[5])
{
	struct sk_vmchild *c = &px->spawn;
	struct spawn_args *a;
	pid_t pid;
	int ret;

	if (!SK_HAVE_RAW_SYSCALL)
		return -EINVAL;
	ret = sk_vmchild_map(c, sizeof(*a) + strlen(px->bin) + 1 + vec_size(argv) + vec_size(env));
	if (ret < 0)
		return ret;
	a = sk_vmchild_alloc(c, sizeof(*a));
	if (!a || !(a->path = sk_vmchild_strdup(c, px->bin)) || !(a->argv = vec_copy(c, argv)) ||
	    !(a->envp = vec_copy(c, env))) {
		sk_vmchild_release(c);
		return -ENOMEM;
	}
	memcpy(a->src, src, sizeof(a->src));
	pid = sk_vmchild_start(c, spawn_child, a, 0);
	if (pid < 0) {
		sk_vmchild_release(c);
		return pid;
	}
	px->starter = pid;
	return 0;
}

int sk_proxy_spawn(struct sk_proxy *px, const stockade_plan *plan, bool audit, stockade_error **err)
{
	char **argv = NULL;
	size_t argc = 0;
	int pidfd = -1, word[2] = { -1, -1 }, ctl[2] = { -1, -1 }, tmp[5] = { -1, -1, -1, -1, -1 }, ret = 0, e;
	posix_spawn_file_actions_t fa;
	bool fa_made = false;
	char **env = NULL;
	pid_t pid;

	if (px->lfd < 0)
		return 0;
	if (find_proxy(px->bin, sizeof(px->bin)) < 0) {
		ret = sk_error(err, ENOENT,
			       "network mode proxy needs stockade-proxy, not found beside this program or as %s", px->bin);
		sk_error_hint(err, "`make install` puts it there; STOCKADE_PROXY_BIN names another");
		goto out;
	}
	if (!(argv = proxy_argv(px->bin, plan, audit, &argc))) {
		ret = sk_error(err, ENOMEM, "out of memory");
		goto out;
	}
	/* word[] carries the proxy's pid first, then its word. */
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0 || pipe2(word, O_CLOEXEC) < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0) {
		ret = sk_error(err, errno, "proxy: %s: %s", pidfd < 0 ? "pidfd_open" : "pipe", strerror(errno));
		goto out;
	}
	/* On descriptors 3 the listener, 4 the pidfd, 5 the events, 6 the
	 * word (its pid, then 0 once it is confined, or -errno), 7 the
	 * control socket; it detaches itself (--detach).  Out of the way
	 * first: any of them may be 3 to 7 already. */
	int src[5] = { px->lfd, pidfd, px->events, word[1], ctl[1] };
	for (int k = 0; k < 5 && ret == 0; k++)
		if ((tmp[k] = fcntl(src[k], F_DUPFD_CLOEXEC, 10)) < 0)
			ret = sk_error(err, errno, "proxy: fcntl: %s", strerror(errno));
	if (ret == 0 && !(env = proxy_env(px->token)))
		ret = sk_error(err, ENOMEM, "out of memory");
	if (ret < 0)
		goto out;
	/* A child that execs it while this process goes on; a failed exec
	 * comes back as a negative pid on word[] (sk_proxy_pid()). */
	ret = spawn_vm(px, argv, env, tmp);
	if (ret != -EINVAL && ret < 0) {
		ret = sk_error(err, -ret, "proxy: cannot start %s: %s", px->bin, strerror(-ret));
		goto out;
	}
	if (ret == -EINVAL) {
		/* Spawned (no copy of this process's memory), waited for
		 * until it has exec'd. */
		ret = 0;
		if (posix_spawn_file_actions_init(&fa) != 0) {
			ret = sk_error(err, ENOMEM, "out of memory");
			goto out;
		}
		fa_made = true;
		for (int k = 0; k < 5 && ret == 0; k++)
			if ((e = posix_spawn_file_actions_adddup2(&fa, tmp[k], 3 + k)) != 0)
				ret = sk_error(err, e, "proxy: %s", strerror(e));
		if (ret == 0 && (e = posix_spawn(&pid, px->bin, &fa, NULL, argv, env)) != 0)
			ret = sk_error(err, e, "proxy: cannot run %s: %s", px->bin, strerror(e));
		if (ret < 0)
			goto out;
		px->starter = pid;
	}
	/* Not waited for here (on two busy cores the forks' scheduling took
	 * milliseconds): its pid and its word come on word[0] later. */
	px->ready = word[0];
	word[0] = -1;
	px->ctl = ctl[0];
	ctl[0] = -1;
out:
	argv_free(argv, argc);
	proxy_env_free(env);
	if (fa_made)
		posix_spawn_file_actions_destroy(&fa);
	for (int k = 0; k < 5; k++)
		if (tmp[k] >= 0)
			close(tmp[k]);
	if (pidfd >= 0)
		close(pidfd);
	for (int k = 0; k < 2; k++) {
		if (word[k] >= 0)
			close(word[k]);
		if (ctl[k] >= 0)
			close(ctl[k]);
	}
	/* The proxy holds the listener now; the command must not. */
	if (px->lfd >= 0)
		close(px->lfd);
	px->lfd = -1;
	return ret;
}

/* The proxy URL set_env() gave the command last, or "". */
static char own_url[128];

bool sk_proxy_is_own_url(const char *value)
{
	return own_url[0] && !strcmp(value, own_url);
}

static int set_env(const struct sk_proxy *px)
{
	static const char *const names[] = { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
					     "ALL_PROXY",  "all_proxy" };
	static const char no_proxy[] = "localhost,127.0.0.1,::1";
	char *url = own_url;

	snprintf(own_url, sizeof(own_url), "http://stockade:%s@127.0.0.1:%u", px->token, px->port);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (setenv(names[i], url, 1) < 0)
			return -errno;
	if (setenv("NO_PROXY", no_proxy, 1) < 0 || setenv("no_proxy", no_proxy, 1) < 0)
		return -errno;
	return 0;
}

/* Read one int-sized value from the proxy's pipe, within the timeout:
 * sizeof(*v), 0 at EOF, -1 on a timeout or an error. */
static ssize_t read_word(int fd, void *v, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n = -1;
	int r;

	while ((r = poll(&p, 1, PROXY_READY_MS)) < 0 && errno == EINTR)
		;
	if (r == 1)
		while ((n = read(fd, v, size)) < 0 && errno == EINTR)
			;
	return n;
}

/* A pidfd of the proxy, in the process that started it (the only one
 * sure to share its pid namespace: elsewhere, in the command's, px->pid
 * names another process, or none), or -1.  Its pid is its own while it
 * lives, and it lives while it holds the ready pipe's write end (nothing
 * else does): open first, then see the pipe not hung up. */
static int proxy_pidfd(const struct sk_proxy *px)
{
	int fd = (int)syscall(SYS_pidfd_open, px->pid, 0);
	struct pollfd p = { .fd = px->ready, .events = 0 };

	if (fd >= 0 && (poll(&p, 1, 0) != 0 || p.revents)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int sk_proxy_pid(struct sk_proxy *px, stockade_error **err)
{
	int st;

	if (px->pid)
		return 0;
	if (px->ready < 0)
		return sk_error(err, EINVAL, "proxy: not started");
	ssize_t n = read_word(px->ready, &px->pid, sizeof(px->pid));
	int e = n == (ssize_t)sizeof(px->pid) && px->pid < 0 ? -px->pid : 0;
	bool reaped = false;

	if (n != (ssize_t)sizeof(px->pid) || px->pid <= 0)
		px->pid = 0;
	/* The starter is ours where this is the process that forked it
	 * (elsewhere, ECHILD: its parent reaps it). */
	if (px->starter > 0) {
		pid_t w;

		while ((w = waitpid(px->starter, &st, 0)) < 0 && errno == EINTR)
			;
		if (w == px->starter)
			px->pidfd = proxy_pidfd(px);
		/* Reaped; or not this process's child (ECHILD): then it does
		 * not run in this process's memory either. */
		reaped = w == px->starter || (w < 0 && errno == ECHILD);
		px->starter = 0;
	}
	/* Its child's stack: unused once it has exec'd (the pid comes from
	 * the proxy) or ended (reaped, or the pipe at its end). */
	if (px->pid || reaped || n == 0)
		sk_vmchild_release(&px->spawn);
	/* (ECHILD for every way the proxy fails: its own errno, in the
	 * message, must not read as the command's, 126 or 127.) */
	if (e)
		return sk_error(err, ECHILD, "proxy: cannot run %s: %s", px->bin, strerror(e));
	if (!px->pid)
		return sk_error(err, ECHILD, "proxy: %s ended or did not answer before it started; the run does not start",
				px->bin);
	return 0;
}

int sk_proxy_ready(struct sk_proxy *px, stockade_error **err)
{
	ssize_t n = -1;
	int e = 0, ret;

	if (px->ready < 0)
		return px->pid ? 0 : sk_error(err, EINVAL, "proxy: not started");
	if ((ret = sk_proxy_pid(px, err)) < 0) {
		close(px->ready);
		px->ready = -1;
		return ret;
	}
	n = read_word(px->ready, &e, sizeof(e));
	close(px->ready);
	px->ready = -1;
	if (n != sizeof(e) || e != 0) {
		/* Ours, started above: gone already, or not serving.  Only
		 * through its pidfd: in another pid namespace (the command's,
		 * where this wait may be), its pid names another process; it
		 * ends anyway with the process that started it, which this
		 * failure ends. */
		if ((n != sizeof(e) || e < 0) && px->pidfd >= 0)
			syscall(SYS_pidfd_send_signal, px->pidfd, SIGKILL, NULL, 0);
		if (n == sizeof(e) && e > 0)
			return sk_error(err, ECHILD, "proxy: cannot run %s: %s", px->bin, strerror(e));
		if (n == sizeof(e))
			return sk_error(err, ECHILD, "proxy: it could not confine itself (%s); the run does not start",
					strerror(-e));
		return sk_error(err, ECHILD,
				"proxy: %s ended or did not answer before it was confined; the run does not start",
				px->bin);
	}
	if ((ret = set_env(px)) < 0)
		return sk_error(err, -ret, "proxy: setenv: %s", strerror(-ret));
	return 0;
}

/* The deferred proxy, and a failed wait's error (it sticks). */
static struct sk_proxy *deferred;
static int gate_errno;
static char gate_msg[256];

void sk_proxy_defer(struct sk_proxy *px)
{
	deferred = px->ready >= 0 ? px : NULL;
}

bool sk_proxy_gate_pending(void)
{
	return deferred || gate_errno;
}

int sk_proxy_gate(stockade_error **err)
{
	struct sk_proxy *px = deferred;
	int ret;

	if (gate_errno)
		return sk_error(err, gate_errno, "%s", gate_msg);
	if (!px)
		return 0;
	deferred = NULL;
	stockade_error *e = NULL;
	ret = sk_proxy_ready(px, &e);
	if (ret < 0) {
		gate_errno = -ret;
		snprintf(gate_msg, sizeof(gate_msg), "%s", e && e->msg ? e->msg : "proxy: it did not start");
		stockade_error_free(e);
		return sk_error(err, gate_errno, "%s", gate_msg);
	}
	return 0;
}

void sk_proxy_free(struct sk_proxy *px)
{
	if (px->pidfd >= 0)
		close(px->pidfd);
	px->pidfd = -1;
	if (px->lfd >= 0)
		close(px->lfd);
	px->lfd = -1;
	if (px->ready >= 0)
		close(px->ready);
	px->ready = -1;
}

void sk_proxy_close(struct sk_proxy *px)
{
	sk_proxy_free(px);
	if (px->events >= 0)
		close(px->events);
	px->events = -1;
	if (px->ctl >= 0)
		close(px->ctl);
	px->ctl = -1;
}
