#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# gcc under the default preset, writing its temporary files and its output
# to /tmp (a write root) from a working directory elsewhere, and the result
# running confined too.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
command -v gcc >/dev/null 2>&1 || { echo "SKIP: gcc is not installed"; exit 77; }
src=$(mktemp -d /tmp/stockade-tool.XXXXXX)
out=$(mktemp -d /tmp/stockade-tool.XXXXXX)
trap 'rm -rf "$src" "$out"' EXIT
cd "$src"
printf '#include <stdio.h>\nint main(void) { puts("built in /tmp"); return 0; }\n' >hello.c
TMPDIR=/tmp "$STOCKADE" run -- gcc -O2 -save-temps=obj -o "$out/hello" hello.c ||
	{ echo "FAIL: gcc exited with status $?"; exit 1; }
[ -f "$out/hello.s" ] || [ -f "$out/hello-hello.s" ] || ls "$out" | grep -q '\.s$' ||
	{ echo "FAIL: no temporary files in $out"; exit 1; }
got=$("$STOCKADE" run -- "$out/hello") || { echo "FAIL: the program exited with status $?"; exit 1; }
[ "$got" = "built in /tmp" ] || { echo "FAIL: got \"$got\""; exit 1; }
echo "gcc: wrote $out/hello and its temporaries under Landlock"
