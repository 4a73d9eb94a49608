/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Probe for the supervisor's unix-socket mediation (tests/live/test_mediate.c).
 *
 *   unix-connect connect PATH        connect; exit 0, else the errno
 *   unix-connect read PATH           connect and print the first byte the server sends
 *   unix-connect race GOOD BAD N     N connects while a thread flips the address
 *                                    between GOOD and BAD; prints the counts; exits 1
 *                                    if any reached BAD (whose server sends 'F')
 *   unix-connect stall FULL OK       a thread blocks connecting to FULL (a full
 *                                    backlog); then connect to OK must succeed, and
 *                                    SIGTERM must arrive: exits 0 on SIGTERM
 *   unix-connect nodump PATH         make itself non-dumpable, then connect
 *   unix-connect many PATH N         N connects (each closed); exit 0 if all worked
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int connect_path(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = errno;
		close(s);
		return -e;
	}
	return s;
}

static struct sockaddr_un flip_addr;
static char good[108], bad[108];
static atomic_int stop;

static void *flipper(void *p)
{
	(void)p;
	while (!atomic_load(&stop)) {
		memcpy((void *)flip_addr.sun_path, bad, sizeof(bad));
		__asm__ __volatile__("" ::: "memory");
		memcpy((void *)flip_addr.sun_path, good, sizeof(good));
		__asm__ __volatile__("" ::: "memory");
	}
	return NULL;
}

static void *staller(void *p)
{
	int s = connect_path(p);

	/* Not reached while the backlog stays full. */
	printf("stalled connect returned %d\n", s);
	fflush(stdout);
	return NULL;
}

static void on_term(int sig)
{
	static const char msg[] = "signal\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0) {
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: see the comment in unix-connect.c\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(argv[1], "connect") || !strcmp(argv[1], "nodump")) {
		int s;

		if (!strcmp(argv[1], "nodump"))
			prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		s = connect_path(argv[2]);
		if (s < 0) {
			printf("connect: %s\n", strerror(-s));
			return -s;
		}
		printf("connected\n");
		return 0;
	}
	if (!strcmp(argv[1], "read")) {
		char c = 0;
		int s = connect_path(argv[2]);

		if (s < 0) {
			printf("connect: %s\n", strerror(-s));
			return -s;
		}
		if (read(s, &c, 1) != 1)
			return 3;
		printf("got %c\n", c);
		return 0;
	}
	if (!strcmp(argv[1], "race") && argc == 5) {
		int n = atoi(argv[4]), ok = 0, refused = 0, reached_bad = 0;
		pthread_t t;

		snprintf(good, sizeof(good), "%s", argv[2]);
		snprintf(bad, sizeof(bad), "%s", argv[3]);
		flip_addr.sun_family = AF_UNIX;
		memcpy(flip_addr.sun_path, good, sizeof(good));
		pthread_create(&t, NULL, flipper, NULL);
		for (int i = 0; i < n; i++) {
			int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			char c = 0;

			if (connect(s, (struct sockaddr *)&flip_addr, sizeof(flip_addr)) == 0) {
				ok++;
				if (read(s, &c, 1) == 1 && c == 'F')
					reached_bad++;
			} else {
				refused++;
			}
			close(s);
		}
		atomic_store(&stop, 1);
		pthread_join(t, NULL);
		printf("connected=%d refused=%d bad=%d\n", ok, refused, reached_bad);
		return reached_bad ? 1 : 0;
	}
	if (!strcmp(argv[1], "stall") && argc == 4) {
		pthread_t t;
		int s;

		signal(SIGTERM, on_term);
		pthread_create(&t, NULL, staller, argv[2]);
		usleep(300 * 1000);
		s = connect_path(argv[3]);
		if (s < 0) {
			printf("second connect: %s\n", strerror(-s));
			return 4;
		}
		printf("second connect ok\n");
		sleep(20);
		printf("no signal came\n");
		return 5;
	}
	if (!strcmp(argv[1], "many") && argc == 4) {
		int n = atoi(argv[3]), ok = 0;

		for (int i = 0; i < n; i++) {
			int s = connect_path(argv[2]);

			if (s >= 0) {
				ok++;
				close(s);
			} else if (ok + 1 == i + 1 || i == n - 1) {
				printf("connect %d: %s\n", i, strerror(-s));
			}
		}
		printf("%d of %d connected\n", ok, n);
		return ok == n ? 0 : 1;
	}
	fprintf(stderr, "unix-connect: unknown mode %s\n", argv[1]);
	return 2;
}
