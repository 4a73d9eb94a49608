#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A harness's timeout kills stockade, and the command dies with it: Python's
# subprocess.run([... 'run', '--report-json', F, '--', 'sleep', N],
# timeout=0.5) SIGKILLs stockade's supervisor; the sleep must not go on.
# The deadline to see it gone is generous (20 s): the assertion is on the
# outcome, not on time.  Also with --audit, and for stockade learn.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-tool.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

STOCKADE=$STOCKADE TMPD=$tmp python3 - <<'PY'
import os, subprocess, sys, time

stockade, tmp = os.environ["STOCKADE"], os.environ["TMPD"]


def sleepers(tag):
    """pids of `sleep TAG` processes (zombies excluded)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            with open(f"/proc/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if argv[:2] == [b"sleep", tag.encode()] and state not in ("Z", "X"):
            found.append(int(pid))
    return found


fails = 0
cases = [
    ("run --report-json", ["run", "--report-json", f"{tmp}/r.json", "--"]),
    ("run --audit", ["run", "--audit", "--"]),
    ("learn", ["learn", "-o", f"{tmp}/l.yaml", "--"]),
]
for i, (name, args) in enumerate(cases):
    tag = f"{37 + i}.{os.getpid() % 1000:03d}"
    try:
        subprocess.run([stockade] + args + ["sleep", tag], timeout=0.5,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"FAIL: {name}: returned before the timeout")
        fails += 1
        continue
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + 20
    while sleepers(tag) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = sleepers(tag)
    if left:
        print(f"FAIL: {name}: the command outlived stockade (pids {left})")
        for pid in left:
            os.kill(pid, 9)
        fails += 1
    else:
        print(f"ok: {name}: killed with stockade")
sys.exit(1 if fails else 0)
PY
