#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The sandbox's package-manager caches (run/caches.c) live beneath the
# home directory: a HOME that does not exist (daemon users' /nonexistent)
# is not created, and the command still runs.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-caches.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/proj"
fail=0

out=$(cd "$tmp/proj" && HOME="$tmp/missing/home" "$STOCKADE" run -- sh -c 'echo ran' 2>&1) || {
	echo "FAIL: HOME that does not exist: stockade failed: $out"
	fail=1
}
[ "$out" = ran ] || { echo "FAIL: HOME that does not exist: got '$out'"; fail=1; }
if [ -e "$tmp/missing" ]; then
	echo "FAIL: stockade created the missing home: $(find "$tmp/missing" | head -5)"
	fail=1
else
	echo "ok: a missing HOME is not created"
fi

exit $fail
