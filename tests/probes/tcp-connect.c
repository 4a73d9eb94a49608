/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tcp-connect ADDR PORT: one TCP connect() to ADDR:PORT (a loopback
 * address in the tests); exit 0 if it connected, else the errno.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int s;

	if (argc != 3 || inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) {
		fprintf(stderr, "usage: tcp-connect ADDR PORT\n");
		return 2;
	}
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;

		printf("tcp-connect %s:%s: %s\n", argv[1], argv[2], strerror(e));
		return e;
	}
	printf("tcp-connect %s:%s: connected\n", argv[1], argv[2]);
	close(s);
	return 0;
}
