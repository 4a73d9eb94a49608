#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The supervised child started with clone(CLONE_VM | CLONE_VFORK)
# (src/run/supervise_child.c: plain enforcement, no namespaces, a connect to
# mediate) runs on a stack of its own, in the supervisor's memory until it
# execs.  A command line of 100,000 arguments to a script without #! must
# not take it past that stack: glibc's execvp() runs such a script with
# /bin/sh, an array of argc + 2 pointers on the stack (that overflow once
# crashed the run, and could write into the supervisor's memory).  With
# the musl CLI the script does not run (126, "Exec format error"); with
# the glibc one (build/stockade-dynamic) it runs.  Either way no signal.
set -u
STOCKADE=${STOCKADE:-build/stockade}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-vfork-argv.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

printf 'echo "ran with $# arguments"\n' >"$tmp/noshebang"
chmod 755 "$tmp/noshebang"
seq 1 100000 | sed 's/.*/a/' >"$tmp/args"
ran=0
for bin in "$STOCKADE" "$(dirname "$STOCKADE")/stockade-dynamic"; do
	[ -x "$bin" ] || continue
	ran=$((ran + 1))
	st=0
	# (--tcp-connect with an address: connect() is mediated, no namespaces)
	# shellcheck disable=SC2046 # one word a line
	"$bin" run --isolation off --no-report --tcp-connect 127.0.0.1:9 -- "$tmp/noshebang" $(cat "$tmp/args") \
		>"$tmp/out" 2>&1 </dev/null || st=$?
	case $st in
	0) grep -q "ran with 100000 arguments" "$tmp/out" || fail "$bin: exit 0 without the script's line: $(tail -3 "$tmp/out")" ;;
	126) grep -qi "exec format error" "$tmp/out" || fail "$bin: 126 without saying why: $(tail -3 "$tmp/out")" ;;
	*) fail "$bin: a script without #! and 100,000 arguments: exit $st: $(tail -3 "$tmp/out")" ;;
	esac
	echo "$bin: exit $st"
done
[ "$ran" -gt 0 ] || fail "no stockade binary at $STOCKADE"
[ "$failures" = 0 ] || exit 1
echo "vfork-argv: a script without #! and 100,000 arguments, supervised: ok"
