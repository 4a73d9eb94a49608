/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tier, init and the outer process during the namespace setup
 * (run/isolate.c), through the library's sk_isolate() with a setup hook
 * the test controls (struct sk_isolate_opts.inside, which runs in init
 * after the mount view): init's stack has a PROT_NONE guard page below it
 * (an overflow faults rather than writing over the outer process's data,
 * whose memory init shares); a setup that stalls still ends at SIGINT,
 * SIGTERM or SIGHUP, with init and everything in its namespace, and the
 * outer process exits 130, 143, 129 as a shell would say.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/isolate.h"
#include "sandboxed.h"
#include "stockade.h"

/* How long a state may take to come before the test gives up: a bound
 * for a failure, never a timing the test depends on. */
#define BOUND_MS 30000

static stockade_plan *agent_plan(void)
{
	stockade_policy *p = NULL;
	stockade_plan *plan = NULL;

	CHECK(stockade_policy_new(&p, NULL) == 0);
	CHECK(p && stockade_policy_add_preset(p, "agent", NULL) == 0);
	CHECK(p && stockade_plan_build(p, &plan, NULL) == 0);
	stockade_policy_free(p);
	return plan;
}

/* One byte from fd within BOUND_MS: the byte, 0 at EOF, -1 on none. */
static int byte_from(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;
	int r;

	while ((r = poll(&p, 1, BOUND_MS)) < 0 && errno == EINTR)
		;
	if (r != 1)
		return -1;
	r = (int)read(fd, &c, 1);
	return r == 1 ? (unsigned char)c : r == 0 ? 0 : -1;
}

/* waitpid() within BOUND_MS (polled: the child's end is the state);
 * SIGKILL and false if it does not end by then. */
static bool ended(pid_t pid, int *st)
{
	for (long start = now_ms(); now_ms() - start < BOUND_MS;) {
		pid_t w = waitpid(pid, st, WNOHANG);

		if (w == pid)
			return true;
		if (w < 0 && errno != EINTR)
			return false;
		usleep(2000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, st, 0);
	return false;
}

/* ---- the guard page ---- */

struct guard_probe {
	int report; /* write end: 'G' guarded, 'N' not, '?' cannot tell */
};

/* In init, on its own stack: the mapping that holds this frame, and the
 * one right below it, from /proc/self/maps (init's /proc, its memory
 * the outer process's). */
static int probe_guard(void *data, stockade_error **err)
{
	struct guard_probe *g = data;
	uintptr_t here = (uintptr_t)&g, below_end = 0;
	char buf[65536], answer = '?', below_perms[5] = "";
	size_t len = 0;
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	while (fd >= 0 && len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	if (fd >= 0)
		close(fd);
	buf[len] = '\0';
	for (char *line = buf; *line;) {
		char *next = strchr(line, '\n'), perms[5] = "";
		unsigned long lo, hi;

		if (next)
			*next = '\0';
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3) {
			if (here >= lo && here < hi) {
				answer = below_end == lo && !strcmp(below_perms, "---p") ? 'G' : 'N';
				break;
			}
			below_end = hi;
			memcpy(below_perms, perms, sizeof(below_perms));
		}
		if (!next)
			break;
		line = next + 1;
	}
	if (write(g->report, &answer, 1) != 1)
		return sk_error(err, EIO, "the guard probe could not report");
	return 0;
}

TEST(isolation_init_stack_has_guard_page)
{
	stockade_plan *plan;
	int p[2], st = 0, got;
	pid_t pid;

	NEED_NS();
	plan = agent_plan();
	if (!plan)
		return;
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	pid = fork();
	if (pid == 0) {
		struct guard_probe g = { .report = p[1] };
		struct sk_isolate_opts o = { .inside = probe_guard, .data = &g };
		int ret = sk_isolate(plan, &o, NULL);

		/* the command's side: 1; in place: 0 */
		_exit(ret == 1 ? 0 : ret == 0 ? 3 : 4);
	}
	close(p[1]);
	got = byte_from(p[0]);
	close(p[0]);
	CHECK_MSG(ended(pid, &st), "the run did not end");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
		SKIP("sk_isolate() ran in place here (no namespaces for this process)");
	CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the run ended with status %#x", st);
	CHECK_MSG(got == 'G', "init's stack: %s",
		  got == 'N'   ? "no PROT_NONE page right below it"
		  : got == '?' ? "not found in /proc/self/maps"
			       : "the probe said nothing");
	stockade_plan_free(plan);
}

/* ---- a stalled setup and the stopping signals ---- */

struct stall {
	int ready; /* write end: 'r' once the hook runs */
	int hold;  /* read end whose writers include init: never answers */
};

/* In init: say so, then wait for what never comes (until init dies). */
static int stall_setup(void *data, stockade_error **err)
{
	struct stall *s = data;
	char c;

	if (write(s->ready, "r", 1) != 1)
		return sk_error(err, EIO, "the stalling hook could not report");
	while (read(s->hold, &c, 1) < 0 && errno == EINTR)
		;
	return sk_error(err, EIO, "the stalling hook was released");
}

TEST(isolation_stalled_setup_ends_at_ctrl_c)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	stockade_plan *plan;

	NEED_NS();
	plan = agent_plan();
	if (!plan)
		return;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int ready[2], hold[2], st = 0, got;
		pid_t pid;

		CHECK(pipe2(ready, O_CLOEXEC) == 0 && pipe2(hold, O_CLOEXEC) == 0);
		pid = fork();
		if (pid == 0) {
			struct stall s = { .ready = ready[1], .hold = hold[0] };
			struct sk_isolate_opts o = { .inside = stall_setup, .data = &s };
			int ret;

			close(ready[0]);
			ret = sk_isolate(plan, &o, NULL);
			_exit(ret == 1 ? 0 : ret == 0 ? 3 : 4);
		}
		close(ready[1]);
		close(hold[0]);
		got = byte_from(ready[0]);
		if (got != 'r') {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			close(ready[0]);
			close(hold[1]);
			if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
				SKIP("sk_isolate() ran in place here (no namespaces for this process)");
			CHECK_MSG(0, "the setup hook did not run (status %#x)", st);
			break;
		}
		/* init is in the hook now, the outer process waiting for it */
		CHECK(kill(pid, sigs[i]) == 0);
		CHECK_MSG(ended(pid, &st), "%s during the setup: the run did not end", strsignal(sigs[i]));
		CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 128 + sigs[i],
			  "%s during the setup: status %#x, want exit %d", strsignal(sigs[i]), st, 128 + sigs[i]);
		/* init held the ready pipe's write end: EOF once it is gone. */
		CHECK_MSG(byte_from(ready[0]) == 0, "%s during the setup: init is still there", strsignal(sigs[i]));
		close(ready[0]);
		close(hold[1]);
	}
	stockade_plan_free(plan);
}
