/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/syscalls: the cost of cheap system calls, to run bare and under a
 * sandbox and compare.  Each row loops over one call (or one pair) and
 * reports the median of several rounds in nanoseconds per iteration; the
 * "mix" row does all of them in one loop.
 *
 *   syscalls [-n ITERATIONS] [-r ROUNDS]
 *
 * Output, one row per line: "NAME ns_per_iteration".  The calls are the
 * issue's list (getppid, stat, open/close, read of /dev/zero, a raw
 * clock_gettime syscall, getrandom, a socketpair write and read) plus the
 * argument-checked ones of the agent preset that ordinary programs make
 * (openat with O_CREAT, ioctl, socket, clone through fork is too slow to
 * matter here).  Raw syscall() is used where libc might answer from the
 * vDSO or a cache.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int zero_fd, sp[2];
static char path[256];

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void do_getppid(void)
{
	syscall(SYS_getppid);
}

static void do_stat(void)
{
	struct stat st;

	if (stat("/", &st) < 0)
		die("stat");
}

static void do_open_close(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open");
	close(fd);
}

static void do_creat_close(void)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		die("open O_CREAT");
	close(fd);
}

static void do_read(void)
{
	char buf[64];

	if (read(zero_fd, buf, sizeof(buf)) != sizeof(buf))
		die("read");
}

static void do_clock(void)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
}

static void do_getrandom(void)
{
	char buf[16];

	if (getrandom(buf, sizeof(buf), 0) != sizeof(buf))
		die("getrandom");
}

static void do_socketpair_io(void)
{
	char c = 'x';

	if (write(sp[0], &c, 1) != 1 || read(sp[1], &c, 1) != 1)
		die("socketpair io");
}

static void do_ioctl(void)
{
	int n;

	if (ioctl(sp[1], FIONREAD, &n) < 0)
		die("ioctl");
}

static void do_socket(void)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	close(fd);
}

static void do_mix(void)
{
	do_getppid();
	do_stat();
	do_open_close();
	do_read();
	do_clock();
	do_getrandom();
	do_socketpair_io();
}

static const struct row {
	const char *name;
	void (*fn)(void);
} rows[] = {
	{ "getppid", do_getppid },
	{ "stat", do_stat },
	{ "open+close", do_open_close },
	{ "read(/dev/zero)", do_read },
	{ "clock_gettime(raw)", do_clock },
	{ "getrandom", do_getrandom },
	{ "socketpair write+read", do_socketpair_io },
	{ "mix(all above)", do_mix },
	{ "openat(O_CREAT)+close", do_creat_close },
	{ "ioctl(FIONREAD)", do_ioctl },
	{ "socket(AF_UNIX)+close", do_socket },
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	long iters = 200000;
	int rounds = 7, opt;
	const char *tmp = getenv("TMPDIR");

	while ((opt = getopt(argc, argv, "n:r:")) != -1) {
		if (opt == 'n')
			iters = atol(optarg);
		else if (opt == 'r')
			rounds = atoi(optarg);
		else
			return 2;
	}
	if (iters < 1 || rounds < 1 || rounds > 99)
		return 2;
	zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (zero_fd < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		die("setup");
	snprintf(path, sizeof(path), "%s/stockade-bench-%d", tmp && *tmp ? tmp : "/tmp", (int)getpid());
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		double per[99];
		long n = iters;

		/* The mix is seven calls: fewer iterations, the same time. */
		if (rows[r].fn == do_mix)
			n = iters / 7 + 1;
		for (long i = 0; i < n / 10; i++) /* warm up */
			rows[r].fn();
		for (int k = 0; k < rounds; k++) {
			double t0 = now_ns();
			for (long i = 0; i < n; i++)
				rows[r].fn();
			per[k] = (now_ns() - t0) / (double)n;
		}
		qsort(per, (size_t)rounds, sizeof(per[0]), cmp_double);
		printf("%s %.1f\n", rows[r].name, per[rounds / 2]);
		fflush(stdout);
	}
	unlink(path);
	return 0;
}
