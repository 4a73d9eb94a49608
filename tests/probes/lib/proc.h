/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the probes and the live tier read of /proc: a field of
 * /proc/PID/stat, its state, and how many seccomp filters this process
 * runs under.
 */
#ifndef STOCKADE_PROBES_PROC_H
#define STOCKADE_PROBES_PROC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* Field `field` of /proc/PID/stat, counted from the state (1) after the
 * command's name; -1 if it cannot be read. */
static inline long proc_stat_field(pid_t pid, int field)
{
	char path[64], line[1024], *p;
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	if (fgets(line, sizeof(line), f) && (p = strrchr(line, ')'))) {
		p += 2;
		for (int i = 1; i < field && p; i++)
			if ((p = strchr(p, ' ')))
				p++;
		if (p)
			v = strtol(p, NULL, 10);
	}
	fclose(f);
	return v;
}

/* The state letter of /proc/PID/stat (R, S, T, ...), or '?'. */
static inline char proc_state(pid_t pid)
{
	char path[64], line[1024], *p;
	char c = '?';
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return '?';
	if (fgets(line, sizeof(line), f) && (p = strrchr(line, ')')) && p[1] == ' ' && p[2])
		c = p[2];
	fclose(f);
	return c;
}

/* Seccomp_filters: of /proc/self/status, or -1. */
static inline long proc_seccomp_filters(void)
{
	char line[256];
	long n = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Seccomp_filters:", 16))
			n = strtol(line + 16, NULL, 10);
	fclose(f);
	return n;
}

#endif
