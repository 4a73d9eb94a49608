/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Network mode proxy, the run's side (proxy_run.c, docs/network.md):
 * listen on 127.0.0.1 for the proxy, start stockade-proxy (src/proxy) on
 * that listener, detached from the command, and wait for its word that it
 * is confined.  Used by stockade_run() (run.c) and by the CLI (which
 * prints what these return).
 */
#ifndef STOCKADE_RUN_PROXY_RUN_H
#define STOCKADE_RUN_PROXY_RUN_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "plan/plan.h"
#include "run/vmchild.h"

struct sk_proxy {
	int lfd;       /* the listener until the proxy holds it, -1 */
	unsigned port; /* its port on 127.0.0.1; 0 when the mode is not proxy */
	char token[33];
	pid_t pid;  /* stockade-proxy's, once known (sk_proxy_pid(), sk_proxy_ready()) */
	pid_t starter; /* the short-lived process that forks it, until reaped */
	int pidfd;  /* stockade-proxy's, in the process that started it only, -1 */
	int events; /* a memfd the proxy records its decisions in, -1 */
	int ctl;    /* a unix socket to the proxy: listeners made in a network namespace (run/netns.c), -1 */
	int ready;  /* the pipe its "confined" word comes on, until sk_proxy_ready(), -1 */
	char bin[PATH_MAX]; /* the stockade-proxy started */
	struct sk_vmchild spawn; /* the child that execs it, until it has (vmchild.h) */
};
#define SK_PROXY_INIT { .lfd = -1, .pidfd = -1, .events = -1, .ctl = -1, .ready = -1 }

/* Mode proxy: the events memfd, the credential and the listener on
 * 127.0.0.1 (a port the kernel picks).  0, or a negative errno. */
int sk_proxy_listen(struct sk_proxy *px, stockade_error **err);
/* Before the plan is built: when the policy's mode is proxy,
 * sk_proxy_listen() and the listener's address added to tcp_connect (the
 * supervisor lets the command reach that address only).  0 (nothing to do
 * for another mode: px->port stays 0), or a negative errno. */
int sk_proxy_prepare(stockade_policy *policy, struct sk_proxy *px, stockade_error **err);
/* For a plan built without the listener (stockade_run()): *out is `plan`
 * with 127.0.0.1:port added to its TCP connect lists (Landlock's ports and
 * the supervisor's addresses), and its net_fallback the same.  It shares
 * everything else with `plan`, which must outlive it; free it with
 * sk_proxy_plan_free().  0 or -ENOMEM. */
int sk_proxy_plan(const stockade_plan *plan, unsigned port, stockade_plan **out, stockade_error **err);
void sk_proxy_plan_free(stockade_plan *derived);
/* Start stockade-proxy on the listener with the plan's hosts and pins
 * (every host allowed, and reported, with `audit`), detached: not a child
 * of this process, and ending when this process does (a pidfd).  The
 * listener is closed here either way.  It does not wait for the proxy:
 * sk_proxy_ready() does, before the command may run.  0, or a negative
 * errno. */
int sk_proxy_spawn(struct sk_proxy *px, const stockade_plan *plan, bool audit, stockade_error **err);
/* The proxy's pid, waited for (it is not known when sk_proxy_spawn()
 * returns: that does not wait for the processes it forks).  0, or
 * -ECHILD when the proxy did not start (why: in the message). */
int sk_proxy_pid(struct sk_proxy *px, stockade_error **err);
/* Wait (up to 10 s) for the proxy to say it is confined, then set the
 * proxy variables (HTTP_PROXY... with the credential) in this process's
 * environment.  Fails closed: when the proxy could not confine itself,
 * ended, or said nothing, it is killed and -ECHILD returned (the proxy's
 * own errno is in the message: it is no error of the command's); the
 * command must not run. */
int sk_proxy_ready(struct sk_proxy *px, stockade_error **err);
/* value is the proxy URL sk_proxy_ready() put in the environment (its
 * token is a password in a URL: the environment's value rule spares it). */
bool sk_proxy_is_own_url(const char *value);
/* Leave the wait to the process that will exec the command: the
 * supervisor's child before it confines itself, or stockade_program's exec
 * in place, call sk_proxy_gate(), so the proxy's start overlaps the rest
 * of the setup.  px must stay valid (and this process's) until then. */
void sk_proxy_defer(struct sk_proxy *px);
/* sk_proxy_ready() for a proxy deferred in this process (or the process
 * it was forked from); 0 when there is none.  A failure sticks: every
 * later call fails the same way, so no path runs the command without the
 * proxy's word. */
int sk_proxy_gate(stockade_error **err);
/* Whether sk_proxy_gate() has anything to do (a proxy to wait for, or its
 * failure to say). */
bool sk_proxy_gate_pending(void);
/* Close the listener and the ready pipe (the events memfd and the control
 * socket stay, for the report and the namespace). */
void sk_proxy_free(struct sk_proxy *px);
/* Close everything. */
void sk_proxy_close(struct sk_proxy *px);

#endif
