/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What descriptors the command inherits: 0, 1 and 2, the next N with
 * --preserve-fds N (as crun and runc take it), and the jobserver of a make
 * that runs us (MAKEFLAGS names its two descriptors; kept only when they
 * are pipes).  Anything else the
 * caller left open (a harness's pipe, a socket, a file it writes) must not
 * reach an untrusted command: each is marked close-on-exec here, so it is
 * closed when the command starts, and stockade itself can go on using its
 * own until then.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The jobserver's descriptors in MAKEFLAGS: --jobserver-auth=R,W (GNU make
 * 4.2+) or --jobserver-fds=R,W (before); "fifo:PATH" (4.4) needs none.  The
 * last occurrence of either counts, as make 4.4 takes it (a MAKEFLAGS
 * built up by appending, the innermost make's last).  Returns how many it
 * found (0 or 2). */
static int jobserver_fds(const char *makeflags, int fds[2])
{
	static const char *const keys[] = { "--jobserver-auth=", "--jobserver-fds=" };
	int found = 0;

	for (const char *p = makeflags; p && *p;) {
		size_t len = strcspn(p, " ");

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t kl = strlen(keys[k]);
			char *end;
			long r, w;

			if (len <= kl || strncmp(p, keys[k], kl) != 0)
				continue;
			/* The last one names something else (fifo:PATH, or
			 * what this parser cannot read): no descriptors. */
			found = 0;
			r = strtol(p + kl, &end, 10);
			if (*end != ',')
				continue;
			w = strtol(end + 1, &end, 10);
			if (end != p + len || r < 0 || w < 0 || r > INT_MAX || w > INT_MAX)
				continue;
			fds[0] = (int)r;
			fds[1] = (int)w;
			found = 2;
		}
		p += len;
		p += strspn(p, " ");
	}
	return found;
}

/* A jobserver's descriptor is a pipe's end.  MAKEFLAGS is the caller's
 * word, and a make that runs a recipe without `+` leaves it naming
 * descriptors it has closed: whatever the harness opened on those numbers
 * since (a file, a socket) must not be handed on in its name. */
static bool is_pipe(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

static int mark_cloexec_from(unsigned first)
{
	if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	/* Before Linux 5.11: one at a time. */
	for (int fd = (int)first; fd < 65536; fd++) {
		int fl = fcntl(fd, F_GETFD);

		if (fl >= 0 && !(fl & FD_CLOEXEC) && fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
			return -errno;
	}
	return 0;
}

int keep_only_inherited_fds(unsigned preserve, const char *makeflags)
{
	int job[2], njob = jobserver_fds(makeflags, job), flags[2] = { -1, -1 };

	if (preserve > 65536 - 3)
		return -EINVAL;
	/* The jobserver's descriptors keep what they had: if they were
	 * close-on-exec, make did not mean to hand them on. */
	if (njob && (!is_pipe(job[0]) || !is_pipe(job[1])))
		njob = 0;
	for (int i = 0; i < njob; i++)
		flags[i] = fcntl(job[i], F_GETFD);
	if (mark_cloexec_from(3 + preserve) < 0)
		return -errno;
	for (int i = 0; i < njob; i++)
		if (flags[i] >= 0 && fcntl(job[i], F_SETFD, flags[i]) < 0)
			return -errno;
	return 0;
}
