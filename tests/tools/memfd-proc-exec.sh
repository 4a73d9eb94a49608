#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# What remains of fileless execution, pinned down: under agent a plain memfd
# can still be executed through /proc/self/fd/N (README: "What remains"), and
# the sealed-memfd overlay closes that path.  If agent ever blocks it, this
# test fails on purpose: update the README with it.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-tool.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/memexec.py" <<'PY'
import os, sys
try:
    fd = os.memfd_create("payload", 0)
except OSError as e:
    print("memfd_create:", e)
    sys.exit(4)
os.write(fd, open("/bin/true", "rb").read())
try:
    os.execv("/proc/self/fd/%d" % fd, ["true"])
except OSError as e:
    print("execve(/proc/self/fd/N):", e)
    sys.exit(3)
PY
python3 "$tmp/memexec.py" || { echo "SKIP: memfd exec does not work even unconfined here"; exit 77; }
if ! "$STOCKADE" run --no-report -- python3 "$tmp/memexec.py"; then
	echo "FAIL: agent now blocks exec of a plain memfd via /proc: update README's 'What remains'"
	exit 1
fi
status=0
"$STOCKADE" run --no-report --preset sealed-memfd -- python3 "$tmp/memexec.py" || status=$?
if [ "$status" != 4 ]; then
	echo "FAIL: under sealed-memfd a plain memfd_create should be refused (status 4), got $status"
	exit 1
fi
echo "memfd via /proc/self/fd: runs under agent, refused under sealed-memfd"
