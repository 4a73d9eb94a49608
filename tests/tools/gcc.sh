#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# gcc under the default preset: the driver spawns cc1, as and ld (vfork or
# posix_spawn through clone), then the program it built runs confined too.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
command -v gcc >/dev/null 2>&1 || { echo "SKIP: gcc is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-tool.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

cat >hello.c <<'C'
#include <pthread.h>
#include <stdio.h>

static void *greet(void *arg)
{
	puts(arg);
	return NULL;
}

int main(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, greet, "hello, world"))
		return 1;
	return pthread_join(t, NULL);
}
C
"$STOCKADE" run -- gcc -O2 -Wall -pthread -o hello hello.c || { echo "FAIL: gcc exited with status $?"; exit 1; }
out=$("$STOCKADE" run -- ./hello) || { echo "FAIL: the compiled program exited with status $?"; exit 1; }
if [ "$out" != "hello, world" ]; then
	echo "FAIL: got \"$out\", want \"hello, world\""
	exit 1
fi
echo "gcc: $out"
