#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# git under the default preset: init, add, commit, log and gc in a
# throwaway repository (config is local to it; HOME points into the tmpdir,
# run from beside it: a home directory as the working directory is refused).
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
command -v git >/dev/null 2>&1 || { echo "SKIP: git is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-tool.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
HOME=$tmp/home
mkdir "$HOME"
GIT_CONFIG_NOSYSTEM=1
export HOME GIT_CONFIG_NOSYSTEM

out=$("$STOCKADE" run -- sh -c '
	set -e
	git -c init.defaultBranch=main init -q repo
	cd repo
	git config user.name "Stockade Test"
	git config user.email "stockade-test@example.invalid"
	echo hello >hello.txt
	mkdir sub
	seq 1 200 >sub/numbers.txt
	git add hello.txt sub
	git commit -q -m "first commit"
	echo world >>hello.txt
	git commit -q -am "second commit"
	git gc -q
	git log --format=%s
	git status --porcelain
') || { echo "FAIL: git exited with status $? under stockade"; exit 1; }
want="second commit
first commit"
if [ "$out" != "$want" ]; then
	echo "FAIL: got \"$out\", want \"$want\""
	exit 1
fi
echo "git: two commits, clean tree"
