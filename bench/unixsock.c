/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/unixsock: bind a unix socket at PATH and listen on it, then exit,
 * leaving the socket file behind: a stand-in for a host daemon's socket
 * (tmux-UID/default under the row's own TMPDIR), so that `stockade run
 * --isolation off` keeps its supervisor and mediates connect()
 * (docs/mediation.md).  Nothing ever connects to it.  An existing file at
 * PATH is replaced only if it is a socket.
 *
 *   unixsock PATH
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: unixsock PATH\n");
		return 2;
	}
	if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "unixsock: %s: path too long for a unix socket\n", argv[1]);
		return 1;
	}
	strcpy(sa.sun_path, argv[1]);
	if (lstat(argv[1], &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		fprintf(stderr, "unixsock: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}
