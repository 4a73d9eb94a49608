/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fs-op: one filesystem, network or signal operation, for the Landlock live
 * tests.  The exit status is the errno of the first call that failed, 0 on
 * success, 254 on a usage error.
 *
 *   fs-op write PATH           open(O_WRONLY|O_CREAT|O_TRUNC) and write
 *   fs-op append PATH          open(O_WRONLY|O_APPEND) an existing file
 *   fs-op read PATH            open(O_RDONLY) and read
 *   fs-op list DIR             opendir and readdir
 *   fs-op mkdir PATH
 *   fs-op rename FROM TO
 *   fs-op link FROM TO         hard link
 *   fs-op truncate PATH        truncate(2) to 0 bytes
 *   fs-op exec PATH            execv(PATH) (exit status: the program's)
 *   fs-op tcp-connect PORT     to 127.0.0.1
 *   fs-op tcp-bind PORT        on 127.0.0.1
 *   fs-op udp                  socket(AF_INET, SOCK_DGRAM)
 *   fs-op kill PID             kill(PID, 0)
 *   fs-op abstract-connect NAME    connect to the abstract unix socket @NAME
 *   fs-op abstract-self NAME   listen on @NAME, then connect to it from a child
 *   fs-op signal-child         fork a child, then kill(child, 0)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define USAGE 254

static int fail(void)
{
	return errno ? errno : 255;
}

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strncpy(a->sun_path + 1, name, sizeof(a->sun_path) - 2);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a->sun_path + 1));
}

static struct sockaddr_in loopback(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(port)) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";
	const char *a = argc > 2 ? argv[2] : NULL, *b = argc > 3 ? argv[3] : NULL;
	char buf[64];
	int fd;

	errno = 0;
	if (!strcmp(op, "write") && a) {
		fd = open(a, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "x\n", 2) != 2)
			return fail();
		return close(fd) < 0 ? fail() : 0;
	}
	if (!strcmp(op, "append") && a) {
		fd = open(a, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0 || write(fd, "x\n", 2) != 2)
			return fail();
		return close(fd) < 0 ? fail() : 0;
	}
	if (!strcmp(op, "read") && a) {
		fd = open(a, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
			return fail();
		return 0;
	}
	if (!strcmp(op, "list") && a) {
		DIR *d = opendir(a);
		if (!d)
			return fail();
		while (readdir(d))
			;
		return 0;
	}
	if (!strcmp(op, "mkdir") && a)
		return mkdir(a, 0755) < 0 ? fail() : 0;
	if (!strcmp(op, "rename") && a && b)
		return rename(a, b) < 0 ? fail() : 0;
	if (!strcmp(op, "link") && a && b)
		return link(a, b) < 0 ? fail() : 0;
	if (!strcmp(op, "truncate") && a)
		return truncate(a, 0) < 0 ? fail() : 0;
	if (!strcmp(op, "exec") && a) {
		execv(a, argv + 2);
		return fail();
	}
	if ((!strcmp(op, "tcp-connect") || !strcmp(op, "tcp-bind")) && a) {
		struct sockaddr_in sa = loopback(a);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return fail();
		if (!strcmp(op, "tcp-connect"))
			return connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? fail() : 0;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 }, sizeof(int));
		return bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? fail() : 0;
	}
	if (!strcmp(op, "udp"))
		return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) < 0 ? fail() : 0;
	if (!strcmp(op, "kill") && a)
		return kill((pid_t)atoi(a), 0) < 0 ? fail() : 0;
	if (!strcmp(op, "abstract-connect") && a) {
		struct sockaddr_un sa;
		socklen_t len = abstract_addr(&sa, a);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, len) < 0)
			return fail();
		return 0;
	}
	if (!strcmp(op, "abstract-self") && a) {
		struct sockaddr_un sa;
		socklen_t len = abstract_addr(&sa, a);
		int status;
		pid_t pid;

		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 4) < 0)
			return fail();
		pid = fork();
		if (pid < 0)
			return fail();
		if (pid == 0) {
			int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			_exit(c < 0 || connect(c, (struct sockaddr *)&sa, len) < 0 ? fail() : 0);
		}
		if (waitpid(pid, &status, 0) < 0)
			return fail();
		return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
	}
	if (!strcmp(op, "signal-child")) {
		int status, ret;
		pid_t pid = fork();

		if (pid < 0)
			return fail();
		if (pid == 0) {
			pause();
			_exit(0);
		}
		ret = kill(pid, 0) < 0 ? fail() : 0;
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return ret;
	}
	fprintf(stderr, "fs-op: usage: fs-op OP ARGS (see the source)\n");
	return USAGE;
}
