/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Between the supervisor (supervise.c) and the child that confines itself
 * and execs the command (supervise_child.c): the handoff protocol over a
 * SOCK_SEQPACKET socketpair, and what the child is given.  Private to the
 * run stage.
 */
#ifndef STOCKADE_SUPERVISE_CHILD_H
#define STOCKADE_SUPERVISE_CHILD_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "run/exec.h"
#include "run/mediate.h"
#include "run/supervise.h"

/* A child that failed before exec exits with this (never seen by the user:
 * the supervisor reports the error it sent). */
#define CHILD_SETUP_FAILED 125

enum msg_kind {
	MSG_LISTENER = 1, /* carries the listener fd */
	MSG_SETUP_FAILED, /* confinement failed; nothing ran */
	MSG_EXEC_FAILED,  /* confined, execve() failed */
	MSG_FENCE,	  /* supervisor -> child: struct fence_msg */
};

struct handoff_msg {
	int kind;
	int errnum;
	unsigned flags;	  /* MSG_LISTENER: the filter flags that worked */
	bool fallback;	  /* MSG_LISTENER: the filter is plan->net_fallback's */
	char text[400];
	char hint[200];
};

/* Every pid the command must not name: the supervisor, its mediation
 * workers, the linger process and its workers (supervise_harden.c). */
#define FENCE_MAX (2 + 2 * SK_MEDIATE_WORKERS)

/* The supervisor's pids and thread ids, sent to the child once they all
 * exist (the child meanwhile builds its program: supervise.c). */
struct fence_msg {
	int kind; /* MSG_FENCE */
	unsigned n;
	pid_t pids[FENCE_MAX]; /* pids[0] is the supervisor */
};

struct child_args {
	pid_t supervisor;
	const stockade_plan *plan;
	const struct sk_supervise_opts *opts;
	stockade_program *program; /* built by the supervisor before the fork, or NULL: the child builds it */
	int sock;
	char *const *argv;
	sigset_t oldmask;
	struct sigaction old_chld; /* the caller's SIGCHLD disposition, for the command */
	/* sk_supervise_vfork(): the child runs in our memory until it execs */
	bool vforked;
	pid_t linger;	  /* the linger process that sends the fence (vforked) */
	/* sk_supervise_fence_policy_closed() of the program, computed before a
	 * vforked child (which allocates nothing); else the child's to do */
	bool fence_policy_known;
	unsigned fence_policy_closed;
	int close_fds[3]; /* the supervisor's, for the child to close (vforked; -1: none) */
	/* vforked before the linger process exists: no fence at all to wait
	 * for (sk_supervise_fence_none), else the child fails closed */
	bool early;
};

/* 0, or -errno if the message could not be sent. */
int sk_handoff_send_hint(int sock, int kind, int errnum, unsigned flags, bool fallback, int fd, const char *text,
			  const char *hint);
int sk_handoff_send(int sock, int kind, int errnum, unsigned flags, bool fallback, int fd, const char *text);
/* One message, and the fd it carries (or -1); <= 0 on EOF or error. */
int sk_handoff_recv(int sock, struct handoff_msg *m, int *fd);

/* The child: confine itself with the notifying filter, hand the listener
 * over, exec the command; never returns. */
_Noreturn void sk_supervise_child(struct child_args *a);
/* Start the child without copying this process (supervise_child.c says
 * when that is safe: sk_supervise_vfork_ok).  Returns when it has exec'd
 * the command or exited: its pid, or -errno (then nothing was started:
 * fork() instead). */
bool sk_supervise_vfork_ok(const struct child_args *a); /* (a linger process aside: the caller's) */
/* With a->fence_policy_closed known: the child of a->program will load no
 * fence filter at all (every fenced call closed by its Landlock domain,
 * signals scoped, and the policy's filter), so it needs no id of ours and
 * may be started before the linger process (a->early). */
bool sk_supervise_fence_none(const struct child_args *a);
pid_t sk_supervise_vfork(struct child_args *a);

#endif
