/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/startup: the wall-clock time to fork, exec and reap a command,
 * measured N times; prints the median, 10th and 90th percentile and mean in
 * microseconds on one line: "median p10 p90 mean runs".
 *
 *   startup [-n RUNS] [-w WARMUP] [-p PREPARE] [-f FD:FILE] -- COMMAND [ARG]...
 *
 * PREPARE is run with /bin/sh -c before each run, outside the timing (make
 * clean before a build).  -f opens FILE on descriptor FD in the child, for
 * `bwrap --seccomp FD`.  The command's stdin, stdout and stderr are /dev/null;
 * a run that exits non-zero stops the measurement with an error.  This is
 * the fallback timer of bench/run.sh when hyperfine is not installed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const char *fd_file;
static int fd_num = -1;

static int run_once(char **argv, double *us)
{
	double t0 = now_us();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		/* stdin too: an agent harness's runs have no terminal (on one,
		 * stockade supervises, to end what the command leaves behind). */
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		if (fd_file) {
			int fd = open(fd_file, O_RDONLY);
			if (fd < 0 || dup2(fd, fd_num) < 0)
				_exit(126);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	*us = now_us() - t0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	int runs = 200, warmup = 10, opt;
	const char *prepare = NULL;
	double *t, sum = 0;

	while ((opt = getopt(argc, argv, "+n:w:p:f:")) != -1) {
		switch (opt) {
		case 'n':
			runs = atoi(optarg);
			break;
		case 'w':
			warmup = atoi(optarg);
			break;
		case 'p':
			prepare = optarg;
			break;
		case 'f':
			fd_num = atoi(optarg);
			fd_file = strchr(optarg, ':');
			if (!fd_file || fd_num < 3) {
				fprintf(stderr, "startup: -f wants FD:FILE with FD >= 3\n");
				return 2;
			}
			fd_file++;
			break;
		default:
			fprintf(stderr, "usage: %s [-n RUNS] [-w WARMUP] [-p PREPARE] [-f FD:FILE] -- COMMAND [ARG]...\n", argv[0]);
			return 2;
		}
	}
	if (optind >= argc || runs < 1) {
		fprintf(stderr, "usage: %s [-n RUNS] [-w WARMUP] [-p PREPARE] [-f FD:FILE] -- COMMAND [ARG]...\n", argv[0]);
		return 2;
	}
	t = calloc((size_t)runs, sizeof(*t));
	if (!t)
		return 1;
	for (int i = -warmup; i < runs; i++) {
		double us;
		int st;

		if (prepare && system(prepare) != 0) {
			fprintf(stderr, "startup: prepare command failed: %s\n", prepare);
			return 1;
		}
		st = run_once(&argv[optind], &us);
		if (st != 0) {
			fprintf(stderr, "startup: %s exited with status %d\n", argv[optind], st);
			return 1;
		}
		if (i >= 0) {
			t[i] = us;
			sum += us;
		}
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_double);
	printf("%.1f %.1f %.1f %.1f %d\n", t[runs / 2], t[runs / 10], t[runs * 9 / 10], sum / runs, runs);
	free(t);
	return 0;
}
