#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# git commit under the default preset (Landlock on) in a working tree that
# existed before the sandbox started: the index, objects and refs under
# .git are written, renamed and linked inside the working directory.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
command -v git >/dev/null 2>&1 || { echo "SKIP: git is not installed"; exit 77; }
tmp=$(mktemp -d /tmp/stockade-tool.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/home" "$tmp/repo"
HOME=$tmp/home
GIT_CONFIG_NOSYSTEM=1
export HOME GIT_CONFIG_NOSYSTEM
cd "$tmp/repo"
git -c init.defaultBranch=main init -q .
git config user.name "Stockade Test"
git config user.email "stockade-test@example.invalid"
echo one >file.txt
git add file.txt
git commit -q -m "outside"

"$STOCKADE" run -- sh -c '
	set -e
	echo two >>file.txt
	mkdir -p src/deep
	echo "int x;" >src/deep/x.c
	git add -A
	git commit -q -m "inside"
	git mv src/deep/x.c src/y.c
	git commit -q -m "renamed"
	git gc -q
' || { echo "FAIL: git exited with status $? under stockade"; exit 1; }
got=$(git log --format=%s | tr '\n' ' ')
if [ "$got" != "renamed inside outside " ]; then
	echo "FAIL: got log \"$got\""
	exit 1
fi
echo "git: commits inside a pre-existing working tree under Landlock"
