#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# python3 multiprocessing under the default preset: a Pool with each start
# method (fork; spawn, which re-executes python; forkserver, which passes
# descriptors over a unix socket), POSIX semaphores and pipes.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-tool.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

cat >pool.py <<'PY'
import multiprocessing as mp


def square(x):
    return x * x


if __name__ == "__main__":
    for method in ("fork", "spawn", "forkserver"):
        with mp.get_context(method).Pool(2) as pool:
            total = sum(pool.map(square, range(100)))
        assert total == 328350, (method, total)
        print(method, total)
PY

python3 pool.py >/dev/null 2>&1 || { echo "SKIP: multiprocessing does not work here even unconfined"; exit 77; }
"$STOCKADE" run -- python3 pool.py || { echo "FAIL: python3 exited with status $? under stockade"; exit 1; }
