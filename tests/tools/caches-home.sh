#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The sandbox's package-manager caches (run/caches.c) live beneath the
# home directory: a HOME that does not exist (daemon users' /nonexistent)
# is not created, and the command still runs; a link planted in the
# sandbox's cache tree is not followed.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-caches.XXXXXX")
# A home outside agent's write roots (/tmp is one), so that the caches are
# redirected beneath it.
vt=$(mktemp -d /var/tmp/stockade-caches.XXXXXX)
trap 'rm -rf "$tmp" "$vt"' EXIT
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

# A link an earlier run planted in ~/.cache/stockade (the sandbox may write
# there) is not followed: nothing is created where it points.
mkdir -p "$vt/home/.cache/stockade" "$vt/victim"
ln -s "$vt/victim" "$vt/home/.cache/stockade/go"
(cd "$tmp/proj" && HOME="$vt/home" "$STOCKADE" run --isolation off -- true) || {
	echo "FAIL: a planted link in the caches: exit $?"
	fail=1
}
if [ -n "$(ls -A "$vt/victim")" ]; then
	echo "FAIL: stockade created $(ls -A "$vt/victim") through the planted link"
	fail=1
elif [ ! -d "$vt/home/.cache/stockade/npm" ]; then
	echo "FAIL: the other caches were not made beside the planted link"
	fail=1
else
	echo "ok: a link planted in ~/.cache/stockade is not followed"
fi
exit $fail
