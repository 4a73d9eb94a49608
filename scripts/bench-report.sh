#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# What the denial report costs: `stockade run` with and without --report
# (and audit, learn, learn --all) on commands that make no denied call, so
# every difference is the supervisor's.  Needs hyperfine; the numbers go
# into docs/report.md by hand.
#
#   scripts/bench-report.sh [BUILD_DIR]
set -eu
build=${1:-build}
S=$build/stockade
P=$(cd "$build/probes" && pwd)
command -v hyperfine >/dev/null || { echo "bench-report: hyperfine is not installed" >&2; exit 77; }
[ -x "$S" ] && [ -x "$P/deny-storm" ] || { echo "bench-report: build $S and $P/deny-storm first" >&2; exit 1; }
out=$(mktemp -d "${TMPDIR:-/tmp}/bench-report.XXXXXX")
trap 'rm -rf "$out"' EXIT

echo "== $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -r)"
bench() {
	name=$1
	shift
	hyperfine -N -w 3 -r "${RUNS:-30}" --export-json "$out/$name.json" "$@" >/dev/null 2>&1
	python3 - "$out/$name.json" <<'EOF'
import json, sys, statistics
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["median"]
for x in r:
    print("  %-72s median %8.2f ms  min %8.2f ms  (%+.1f%%)" % (x["command"][-72:], x["median"] * 1e3,
          x["min"] * 1e3, (x["median"] / base - 1) * 100))
EOF
}

echo "== 2,000,000 allowed syscalls (getppid): the supervisor never sees them"
bench spin "$S run --no-report -- $P/deny-storm spin 2000000" \
	"$S run --report -- $P/deny-storm spin 2000000" \
	"$S run --audit -- $P/deny-storm spin 2000000" \
	"$S learn -o $out/l.yaml -- $P/deny-storm spin 2000000"

echo "== start-up: /bin/true"
RUNS=100 bench true "$S run --no-report -- /bin/true" "$S run --report -- /bin/true"

echo "== fork + exec: 200 x /bin/true from sh"
bench forks "$S run --no-report -- sh -c 'i=0; while [ \$i -lt 200 ]; do /bin/true; i=\$((i+1)); done'" \
	"$S run --report -- sh -c 'i=0; while [ \$i -lt 200 ]; do /bin/true; i=\$((i+1)); done'"

echo "== learn --all: every call goes through the supervisor (200,000 getppid)"
RUNS=10 bench all "$S run --no-report -- $P/deny-storm spin 200000" \
	"$S learn --all -o $out/l.yaml -- $P/deny-storm spin 200000"

echo "== path-taking calls: 20,000 open+close of /etc/hostname (python3), observed with an explicit --report"
opens="import os; [os.close(os.open('/etc/hostname', os.O_RDONLY)) for i in range(20000)]"
RUNS=10 bench files "$S run --no-report -- python3 -c \"$opens\"" "$S run --report -- python3 -c \"$opens\""
