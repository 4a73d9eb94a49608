/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * socketpair-server: the fork-server pattern build tools use (cargo's and
 * clippy's driver, jobservers, compiler servers): a socketpair, a forked
 * child that serves requests on its end, and file descriptors handed over
 * with SCM_RIGHTS.  Exits 0 when every round trip worked, 1 otherwise.
 *
 * Protocol on the stream: a request is one line.  "echo TEXT" is answered
 * with "TEXT"; "fd" comes with a descriptor attached, the child writes
 * "via-fd\n" into it, closes it and answers "done"; EOF ends the child.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 200

static int fail(const char *what)
{
	fprintf(stderr, "socketpair-server: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Read one '\n'-terminated line (without the newline); 0 on EOF, -1 on error. */
static ssize_t read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		ssize_t r = read(fd, buf + n, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return n ? -1 : 0;
		if (buf[n] == '\n') {
			buf[n] = '\0';
			return (ssize_t)n + 1;
		}
		n++;
	}
	errno = EMSGSIZE;
	return -1;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

static int send_fd(int sock, int fd, const char *line)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)line, strlen(line) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;

	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == (ssize_t)strlen(line) ? 0 : -1;
}

/* Receive a line that carries a descriptor; the line is short and arrives whole. */
static int recv_fd(int sock, char *line, size_t size, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { line, size - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	ssize_t r;

	r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (r <= 0)
		return -1;
	line[r] = '\0';
	*fd = -1;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	return *fd >= 0 ? 0 : -1;
}

static int serve(int sock)
{
	char line[256];
	ssize_t r;

	for (;;) {
		/* A descriptor only ever arrives with "fd\n"; peek to tell. */
		char first;

		r = recv(sock, &first, 1, MSG_PEEK);
		if (r == 0)
			return 0;
		if (r < 0)
			return 1;
		if (first == 'f') {
			int fd;

			if (recv_fd(sock, line, sizeof(line), &fd) < 0 || strcmp(line, "fd\n"))
				return 1;
			if (write_all(fd, "via-fd\n", 7) < 0)
				return 1;
			close(fd);
			if (write_all(sock, "done\n", 5) < 0)
				return 1;
			continue;
		}
		r = read_line(sock, line, sizeof(line));
		if (r == 0)
			return 0;
		if (r < 0 || strncmp(line, "echo ", 5))
			return 1;
		strcat(line, "\n");
		if (write_all(sock, line + 5, strlen(line + 5)) < 0)
			return 1;
	}
}

int main(void)
{
	char req[64], want[64], got[256];
	int sv[2], pfd[2], status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return fail("socketpair");
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		close(sv[0]);
		_exit(serve(sv[1]));
	}
	close(sv[1]);

	for (int i = 0; i < ROUNDS; i++) {
		snprintf(req, sizeof(req), "echo request %d\n", i);
		snprintf(want, sizeof(want), "request %d", i);
		if (write_all(sv[0], req, strlen(req)) < 0)
			return fail("write request");
		if (read_line(sv[0], got, sizeof(got)) <= 0)
			return fail("read reply");
		if (strcmp(got, want)) {
			fprintf(stderr, "socketpair-server: got \"%s\", want \"%s\"\n", got, want);
			return 1;
		}
	}

	/* Hand the child the write end of a pipe and read what it wrote there. */
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return fail("pipe2");
	if (send_fd(sv[0], pfd[1], "fd\n") < 0)
		return fail("sendmsg SCM_RIGHTS");
	close(pfd[1]);
	if (read_line(sv[0], got, sizeof(got)) <= 0 || strcmp(got, "done"))
		return fail("fd reply");
	if (read_line(pfd[0], got, sizeof(got)) <= 0 || strcmp(got, "via-fd")) {
		fprintf(stderr, "socketpair-server: nothing came through the passed descriptor\n");
		return 1;
	}

	close(sv[0]);
	if (waitpid(pid, &status, 0) < 0)
		return fail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "socketpair-server: server child failed (status 0x%x)\n", status);
		return 1;
	}
	printf("socketpair-server: %d round trips and one SCM_RIGHTS descriptor: ok\n", ROUNDS);
	return 0;
}
