#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# What remains of fileless execution, pinned down: under agent without
# namespaces (or not as real root) a plain memfd can still be executed
# through /proc/self/fd/N (README: "What remains"), and the sealed-memfd
# overlay closes that path.  With namespaces as real root, init sets
# vm.memfd_noexec=1 in the command's pid namespace and closes it too
# (`doctor` says so).  If agent ever blocks it otherwise, this test fails on
# purpose: update the README with it.
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
if ! "$STOCKADE" run --no-report --isolation off -- python3 "$tmp/memexec.py"; then
	echo "FAIL: agent now blocks exec of a plain memfd via /proc: update README's 'What remains'"
	exit 1
fi
status=0
"$STOCKADE" run --no-report -- python3 "$tmp/memexec.py" || status=$?
if "$STOCKADE" doctor | grep -q 'vm.memfd_noexec=1'; then
	if [ "$status" != 3 ]; then
		echo "FAIL: with vm.memfd_noexec=1 in its pid namespace a plain memfd ran (status $status)"
		exit 1
	fi
elif [ "$status" != 0 ]; then
	echo "FAIL: agent without vm.memfd_noexec blocks exec of a plain memfd (status $status): update README"
	exit 1
fi
status=0
"$STOCKADE" run --no-report --preset sealed-memfd -- python3 "$tmp/memexec.py" || status=$?
if [ "$status" != 4 ]; then
	echo "FAIL: under sealed-memfd a plain memfd_create should be refused (status 4), got $status"
	exit 1
fi
echo "memfd via /proc/self/fd: runs under agent without namespaces, refused with vm.memfd_noexec=1 and under sealed-memfd"
