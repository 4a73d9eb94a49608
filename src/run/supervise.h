/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Run a command under the plan with a supervisor that sees every call the
 * filter denies (report), would deny (audit) or every call at all (learn
 * --all), through the kernel's seccomp user notifications.
 *
 * Only the filter's return values change: a region the plan denies with an
 * errno returns SECCOMP_RET_USER_NOTIF instead, and the supervisor answers
 * with exactly that errno, decided again by sk_plan_decide() on the
 * notification's (arch, nr, args).  Allowed calls never leave the kernel.
 * Kill and trap actions stay in the filter in report mode (a notification
 * cannot kill atomically); the exit status tells of them.  Pointer
 * arguments are never read.
 */
#ifndef STOCKADE_SUPERVISE_H
#define STOCKADE_SUPERVISE_H

#include <sys/types.h>
#include <time.h>

#include "plan/plan.h"
#include "run/mediate.h"

/* One notification: a call the policy denies (or, audit and learn, would
 * deny), as the supervisor saw and answered it. */
struct sk_event {
	struct timespec when; /* CLOCK_REALTIME */
	pid_t pid;	      /* in the supervisor's pid namespace */
	char comm[16];	      /* "?" if the process was gone before it could be read */
	uint32_t arch;	      /* the ABI, as a libseccomp token (SCMP_ARCH_X32 for x32 calls) */
	int nr;
	const char *name;     /* syscall name, or NULL if libseccomp does not know nr */
	uint64_t args[SK_MAX_ARGS]; /* 32-bit ABIs: the low halves, as the filter compares them */
	uint64_t ip;
	bool compat_refused; /* a foreign-arch call that compat_arches: refuse kills */
	const stockade_plan *plan; /* the plan the filter came from (the policy's, or its net_fallback) */
	struct sk_verdict verdict; /* the policy's decision; points into that plan */
	enum sk_notify_mode mode;
	bool ran;	/* the call was let through (audit, learn) */
	bool fallback;	/* audit, learn: a designed fallback (clone3's ENOSYS) or a
			 * probe answered as the base does (not let through) */
	int errnum;	/* otherwise the errno it got */
	bool mismatch;	/* the filter notified a call the plan allows (a bug): denied with EPERM */
};

typedef void (*sk_event_fn)(const struct sk_event *ev, void *data);

struct sk_supervise_opts {
	enum sk_notify_mode mode; /* SK_NOTIFY_ERRNO, _DENY or _ALL */
	sk_event_fn on_event;	  /* called before the call is answered; may be NULL */
	void *data;
	/* Called in the confined child, between confinement and execve, with
	 * what was enforced (as sk_exec_report's callback); may be NULL. */
	void (*applied)(const struct sk_enforcement *rep, void *applied_data);
	void *applied_data;
	/* After the command exits, how long to keep answering its surviving
	 * descendants before handing them to a background supervisor
	 * (0: the default, 100 ms). */
	unsigned grace_ms;
	/* Syscalls the supervisor mediates (mediate.h), or NULL; borrowed
	 * for the call.  With mediators, mode may be SK_NOTIFY_NONE: plain
	 * enforcement, and only the mediated calls notify. */
	const struct sk_mediation *mediation;
	sk_mediated_fn on_mediation; /* after each mediated call is answered; may be NULL */
	void *mediation_data;
	/* Audit and learn: also answer feature probes (io_uring_setup) the
	 * base refuses as the base does (learn), instead of letting them run.
	 * Designed fallbacks (clone3, openat2) are always answered so. */
	bool answer_probes;
	/* The caller exits as soon as this returns (the CLI): the linger
	 * process that mediated is not asked for its count of calls
	 * (result->mediated, events); that no process holds the filter is
	 * seen on the listener. */
	bool exiting;
	/* The process ends once this returns (the CLI, the library's own
	 * supervisor process): SIGTTOU, SIGTTIN and SIGTSTP, which the
	 * supervisor keeps blocked (supervise.c), stay blocked, so that the
	 * command's descendants cannot stop it through the terminal while it
	 * prints its report. */
	bool job_control_blocked;
	/* Kill what the command leaves running when it exits (as a pid
	 * namespace's end would): the CLI without namespaces, when a terminal
	 * is on its standard streams, where a process left behind could read
	 * what is typed at the shell's prompt next (docs/isolation.md). */
	bool end_leftovers;
};

enum sk_supervise_phase {
	SK_SUP_SETUP_FAILED = 0, /* nothing ran; running without a supervisor is possible */
	SK_SUP_EXEC_FAILED,	 /* confined, but the command could not be executed */
	SK_SUP_RAN,		 /* the command ran; wstatus is its wait status */
};

struct sk_supervise_result {
	enum sk_supervise_phase phase;
	unsigned long mediated; /* mediated calls answered in the foreground */
	int wstatus;	       /* the command's wait status (SK_SUP_RAN) */
	int exec_errno;	       /* SK_SUP_EXEC_FAILED: why */
	unsigned long events;  /* notifications answered in the foreground */
	unsigned orphans_sigsys; /* descendants we reaped that died of SIGSYS */
	unsigned killed_leftovers; /* audit, learn, end_leftovers: descendants still running when the
				    * command exited, killed (never left with audit's
				    * permissions) */
	bool lingering;	       /* descendants outlived the command: a background
				* process answers for them until they are gone */
	pid_t linger_pid;
	bool killable_wait;    /* the kernel has SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV */
	bool mediator_lost;    /* the linger process answering mediated calls ended
				* before the command: from then on they failed
				* (refused before the hand-over, ENOSYS after) */
};

/*
 * Fork; the child confines itself like stockade_plan_apply() (no_new_privs,
 * then any other layer, then seccomp last) with the notifying filter, hands
 * the listener to this process and execs argv (argv[0] a path or a name
 * looked up in PATH).  This process answers notifications, forwards SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and SIGWINCH (unless the
 * terminal sent them to the whole process group), reaps the command and, as
 * a child subreaper, its orphans, and returns when the command has exited.
 *
 * Returns 0 when the command ran (result->phase SK_SUP_RAN) and a negative
 * errno with *err set otherwise; result->phase says whether anything ran.
 * The calling process is non-dumpable while it supervises, so a confined
 * process cannot ptrace it or take the listener.
 */
int sk_supervise_exec(const stockade_plan *plan, char *const argv[], const struct sk_supervise_opts *opts,
		      struct sk_supervise_result *result, stockade_error **err);

/* In the child, before the policy's filter: a seccomp filter that refuses
 * (EPERM) the calls of `open` (sk_supervise_fence_open) that would let the
 * command signal, stop, limit, ptrace or get a pidfd of the supervisor:
 * pids[0] is its pid, the others every other thread or process of it
 * (mediation workers, the linger process and its workers); none if `open`
 * is 0.  Unless signals_scoped (a Landlock domain scopes the command's
 * signals), the routes that name no id too: kill(-1), kill(0) and kill of
 * the supervisor's group, pidfd_send_signal, F_SETOWN (its ids or group),
 * F_SETOWN_EX, FIOSETOWN and SIOCSPGRP.  0 or -errno.
 * supervise_harden.c. */
int sk_supervise_harden(const pid_t *pids, size_t npids, unsigned open, bool signals_scoped);
/* Which of the fenced calls (a bit per call, as sk_supervise_harden takes
 * them) sp's filter made for nt refuses on every id the fence would: in
 * plain enforcement, not mediated, and each form of the call that the
 * filter lets run names pid 0 (the caller).  Allocates: not in a child
 * that shares the supervisor's memory. */
unsigned sk_supervise_fence_policy_closed(const stockade_plan *sp, const struct sk_notify *nt);
/* Work it out for plan (and its network fallback) now, with nothing
 * mediated, into plan->fence_closed: tools/gen_presets.c does, for the
 * built-in presets' plans, so that a run does not. */
void sk_supervise_fence_attach(stockade_plan *plan);
/* Which of them the command could still make on a fenced id: not closed
 * by the policy (policy_closed), nor by a Landlock domain of its own
 * (ll_ptrace: ptrace access out of it refused; ll_signals: it scopes
 * signals).  Only plain enforcement (mode) closes any. */
unsigned sk_supervise_fence_open(enum sk_notify_mode mode, unsigned policy_closed, bool ll_ptrace, bool ll_signals);
/* The name of the fenced call of bit `bit`, or NULL past the last. */
const char *sk_supervise_fence_call(unsigned bit);
/* What sk_supervise_harden() can do before it knows the pids (look the
 * fenced calls' numbers up); it does it itself otherwise. */
void sk_supervise_harden_prepare(void);

/* After an audit or learn run: SIGKILL what is left of the command's tree
 * (our children carrying more seccomp filters than we do, and theirs as
 * they come to us, the subreaper), reaping each.  Returns how many.  A
 * process left running would keep audit's permissions: everything allowed,
 * with nobody reporting it.  supervise_harden.c. */
unsigned sk_supervise_kill_leftovers(void);
/* Before the command is forked: this process's children now (a caller's
 * background job, started before it exec'd stockade) are never taken for
 * the command's leftovers, whatever filters they carry. */
void sk_supervise_note_own_children(void);

/* The ABI of a notified call (libseccomp token) from seccomp_data's arch
 * and nr, as the filter tells them apart: x32 for x86_64 numbers with the
 * x32 bit, but not -1. */
uint32_t sk_notif_arch(uint32_t data_arch, int nr);

/* The verdict sk_supervise_exec() answers a notification with, exposed for
 * tests: filter_arch is the arch the filter was compiled for (0: native),
 * arch the call's ABI (libseccomp tokens), args as the filter compares them
 * (low halves on 32-bit ABIs). */
void sk_supervise_decide(const stockade_plan *plan, uint32_t filter_arch, uint32_t arch, const char *name,
			 const uint64_t args[SK_MAX_ARGS], struct sk_verdict *out, bool *compat_refused);

#endif
