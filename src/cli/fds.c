/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What descriptors the command inherits: 0, 1 and 2, the next N with
 * --preserve-fds N (as crun and runc take it), and the jobserver of a make
 * that runs us (MAKEFLAGS names its two descriptors).  Anything else the
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
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The jobserver's descriptors in MAKEFLAGS: --jobserver-auth=R,W (GNU make
 * 4.2+) or --jobserver-fds=R,W (before); "fifo:PATH" (4.4) needs none.
 * Returns how many it found (0 or 2). */
static int jobserver_fds(const char *makeflags, int fds[2])
{
	static const char *const keys[] = { "--jobserver-auth=", "--jobserver-fds=" };

	for (const char *p = makeflags; p && *p;) {
		size_t len = strcspn(p, " ");

		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t kl = strlen(keys[k]);
			char *end;
			long r, w;

			if (len <= kl || strncmp(p, keys[k], kl) != 0)
				continue;
			r = strtol(p + kl, &end, 10);
			if (*end != ',')
				continue;
			w = strtol(end + 1, &end, 10);
			if (end != p + len || r < 0 || w < 0 || r > INT_MAX || w > INT_MAX)
				continue;
			fds[0] = (int)r;
			fds[1] = (int)w;
			return 2;
		}
		p += len;
		p += strspn(p, " ");
	}
	return 0;
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
	for (int i = 0; i < njob; i++)
		flags[i] = fcntl(job[i], F_GETFD);
	if (mark_cloexec_from(3 + preserve) < 0)
		return -errno;
	for (int i = 0; i < njob; i++)
		if (flags[i] >= 0 && fcntl(job[i], F_SETFD, flags[i]) < 0)
			return -errno;
	return 0;
}
