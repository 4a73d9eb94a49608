/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hide-denial: try to hide one denial from the report behind many others.
 *
 *   hide-denial N    N socket() calls of N distinct (made-up) families and
 *                    types, each a distinct denial, then one add_key() (on
 *                    the process keyring, which goes with the process):
 *                    the call the report must still show
 *
 * Prints what add_key returned; exits 0.  Every call is harmless: the
 * families do not exist, and a key added anyway lives as long as we do.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEY_SPEC_PROCESS_KEYRING -2

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	long ret;

	for (int i = 0; i < n; i++) {
		int fd = socket(100 + i, i, 0);

		if (fd >= 0)
			close(fd);
	}
	ret = syscall(SYS_add_key, "user", "hide-denial", "x", (size_t)1, KEY_SPEC_PROCESS_KEYRING);
	printf("add_key: %s\n", ret >= 0 ? "ok" : strerror(errno));
	return 0;
}
