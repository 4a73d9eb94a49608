#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `stockade compile --format pfc` (the filter listing) once never returned
# on two of the fuzzers' policies (tests/fuzz/regressions/policy), when it
# was libseccomp's pseudo-filter code.  Every policy regression must now be
# listed: a header, one line per instruction, ending in a return.  Each run
# is bounded by timeout(1), and the tier by run.sh's; nothing here times
# how fast it is.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
command -v timeout >/dev/null 2>&1 || { echo "SKIP: timeout(1) is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-tool.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
for f in tests/fuzz/regressions/policy/*.yaml; do
	for arch in x86_64 aarch64; do
		status=0
		timeout -k 5 60 "$STOCKADE" compile --format pfc --arch "$arch" --policy "$f" >"$tmp/out" 2>"$tmp/err" ||
			status=$?
		if [ "$status" -ne 0 ]; then
			echo "FAIL: $f ($arch): exit status $status$([ "$status" -eq 124 ] && echo ', timed out')"
			cat "$tmp/err"
			exit 1
		fi
		head -n 1 "$tmp/out" | grep -q "^# stockade seccomp filter: policy .*, architecture $arch, [0-9]* instructions$" || {
			echo "FAIL: $f ($arch): no listing header"
			head -n 3 "$tmp/out"
			exit 1
		}
		tail -n 1 "$tmp/out" | grep -Eq '^ *[0-9]+ .* ret  [A-Z_]+' || {
			echo "FAIL: $f ($arch): the listing does not end in a return"
			tail -n 3 "$tmp/out"
			exit 1
		}
		n=$((n + 1))
	done
done
[ "$n" -gt 0 ] || { echo "FAIL: no policy regressions found"; exit 1; }
echo "$n listings"
