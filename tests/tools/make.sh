#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# make -j2 under the default preset: a jobserver, parallel compiler
# processes and a link step.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
command -v make >/dev/null 2>&1 || { echo "SKIP: make is not installed"; exit 77; }
command -v cc >/dev/null 2>&1 || { echo "SKIP: no C compiler (cc)"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-tool.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

for n in 1 2 3 4 5 6; do
	printf 'int f%s(void) { return %s; }\n' "$n" "$n" >"f$n.c"
done
cat >main.c <<'C'
#include <stdio.h>
int f1(void), f2(void), f3(void), f4(void), f5(void), f6(void);
int main(void)
{
	printf("%d\n", f1() + f2() + f3() + f4() + f5() + f6());
	return 0;
}
C
{
	printf 'OBJS := main.o f1.o f2.o f3.o f4.o f5.o f6.o\n'
	printf 'prog: $(OBJS)\n\t$(CC) -o $@ $(OBJS)\n'
	printf '%%.o: %%.c\n\t$(CC) -O2 -c $< -o $@\n'
} >Makefile

"$STOCKADE" run -- make -s -j2 || { echo "FAIL: make exited with status $? under stockade"; exit 1; }
out=$("$STOCKADE" run -- ./prog)
if [ "$out" != "21" ]; then
	echo "FAIL: got \"$out\", want \"21\""
	exit 1
fi
echo "make -j2: built and ran prog ($out)"
