/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The supervisor's loop (supervise.c), shared with the linger process
 * (supervise_linger.c), and the linger process's side of the supervisor.
 * Private to the run stage.
 */
#ifndef STOCKADE_SUPERVISE_LINGER_H
#define STOCKADE_SUPERVISE_LINGER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "run/mediate.h"
#include "run/supervise.h"
#include "run/supervise_child.h"

struct name_cache {
	uint32_t arch;
	int nr;
	char *name;
};

struct sup {
	const stockade_plan *plan;
	const struct sk_supervise_opts *opts;
	int listener;
	uint32_t native;
	struct name_cache *names;
	size_t nnames;
	char *scratch; /* the name of the last number past SK_NR_LIMIT */
	unsigned long events, mediated;
	struct sk_mediate_rt *rt; /* NULL when nothing is mediated */
	int mediator;		  /* a pidfd of the linger process answering in
				   * our place, watched; -1 */
	bool mediator_lost;	  /* it ended (the caller tells why) */
};

/* ---- supervise.c ---- */

long sk_sup_now_ms(void);
/* The mediation runtime for s (none when nothing is mediated). */
int sk_sup_start_mediation(struct sup *s, stockade_error **err);
/*
 * One turn of the event loop: wait up to timeout_ms (-1: for ever) for the
 * listener, the signals (sigfd, or -1), the handoff socket (*sv, or -1:
 * closed and set to -1 at end of stream) and the mediation runtime, and
 * handle what came.  *hup: the listener is gone (no process holds the
 * filter).  Returns 0, or -errno if poll() failed.
 */
int sk_sup_serve(struct sup *s, int sigfd, int *sv, bool *hup, int timeout_ms, pid_t child, bool *child_done,
		 struct sk_supervise_result *res);

/* ---- supervise_linger.c ---- */

/* Fork the linger process (from_start: it mediates from the start, and
 * sends the child, on sv[0], the fence, unless the child was started
 * before it: then its hello comes to us, as without from_start); *lsock is
 * our end of its socket, -1 when there is none (then nothing lingers). */
pid_t sk_linger_start(struct sup *s, int sigfd, int *sv, int *lsock, bool from_start, bool child_first);
/* Its pids, read from its hello, into the fence (not from_start, or the
 * child first); without them it is ended, and nothing lingers (*lsock -1,
 * -1 returned). */
pid_t sk_linger_hello(struct fence_msg *fence, pid_t pid, int *lsock);
/* Until the child has something to say (true), or the linger process is
 * gone (false). */
bool sk_linger_or_child(int lsock, int child_sock);
/* Wait until `deadline` for no process to hold the filter whose listener
 * is fd; true when none does. */
bool sk_linger_hup_gone(int fd, long deadline);
/* The command is gone: tell the linger process that mediates, and wait
 * until `deadline` for its count of answered calls (res->mediated,
 * res->events); res->lingering if it still answers descendants. */
void sk_linger_bye(int lsock, long deadline, struct sk_supervise_result *res);

#endif
