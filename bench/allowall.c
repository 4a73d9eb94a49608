/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/allowall: the floor of any seccomp sandbox.  Sets no_new_privs,
 * loads a one-instruction filter that allows every call, and execs the
 * command.  Statically linked by bench/run.sh, it is the cheapest wrapper
 * that puts a process under seccomp: its startup row is one extra exec plus
 * a filter load, and its syscall row is what the kernel charges a filtered
 * process per call whatever the filter says (the entry path that seccomp
 * switches on), which no filter design can avoid.
 *
 *   allowall COMMAND [ARG]...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sock_filter allow[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog prog = { .len = 1, .filter = allow };

	if (argc < 2) {
		fprintf(stderr, "usage: allowall COMMAND [ARG]...\n");
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		fprintf(stderr, "allowall: cannot load the filter: %s\n", strerror(errno));
		return 125;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "allowall: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
