#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# sh pipelines under the default preset: pipes, subshells, command
# substitution, background jobs, here-documents and the coreutils in them.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
for tool in seq sort uniq wc awk tr xargs; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-tool.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

fails=0
# check NAME WANT SCRIPT: run SCRIPT with sh under stockade, compare stdout.
check() {
	got=$("$STOCKADE" run -- sh -c "$3" 2>&1) || {
		echo "FAIL: $1: exit status $?: $got"
		fails=$((fails + 1))
		return 0
	}
	if [ "$got" != "$2" ]; then
		echo "FAIL: $1: got \"$got\", want \"$2\""
		fails=$((fails + 1))
		return 0
	fi
	echo "ok: $1"
}

check "seq | sort | uniq | wc" 1000 'seq 1 1000 | sort -r | uniq | wc -l | tr -d " "'
check "duplicates counted" "2 b" 'printf "b\na\nb\nc\n" | sort | uniq -c | sort -rn | head -n 1 | awk "{print \$1, \$2}"'
check "awk sum" 5050 'seq 1 100 | awk "{ s += \$1 } END { print s }"'
check "subshell and substitution" HELLO 'x=$(echo hello); (echo "$x") | tr a-z A-Z'
check "background jobs" "a b" 'echo a >a.txt & echo b >b.txt & wait; echo $(cat a.txt b.txt)'
check "xargs -P2" 55 'seq 1 10 | xargs -n 1 -P 2 echo | awk "{ s += \$1 } END { print s }"'
check "here-document" 3 'wc -l <<END | tr -d " "
one
two
three
END'
check "temp file sort" 100000 'seq 1 100000 | sort -R -S 64K -T . | sort -n | tail -n 1'

[ "$fails" -eq 0 ]
