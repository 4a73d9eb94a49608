#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Run the test tiers against a build directory and print one total line.
#
#   tests/run.sh BUILD_DIR [TIER...]
#
# Tiers (default: all, in this order):
#   unit         BUILD_DIR/test-unit
#   sim          BUILD_DIR/test-sim
#   unit-musl    BUILD_DIR/musl/test-unit and BUILD_DIR/musl/test-sim: the
#   sim-musl     same tiers built as the musl CLI is (its library objects,
#                arena, allocator and link); skipped when the CLI is linked
#                against glibc, so that unit and sim test what it runs
#   arena        BUILD_DIR/test-arena, the musl CLI's allocation front; skipped
#                when the CLI is linked against glibc (it has no arena then)
#   live         BUILD_DIR/test-live, as the invoking user
#   live-unpriv  the same binary as uid/gid 65534 via setpriv (needs root);
#                it runs from a world-readable copy of stockade, the test
#                binary and the probes, with a world-writable TMPDIR
#   tools        every tests/tools/*.sh: exit 0 passes, 77 skips
#   proxy-asan   tests/tools/net-proxy-{abuse,dns}.sh only (`make check-asan` runs
#                them with STOCKADE_PROXY_BIN naming the sanitized proxy)
#
# Each tier's output is shown as it runs; its closing "N passed, N failed[,
# N skipped]" line is added to the totals.  A missing tier binary, or one
# that dies or exits non-zero without reporting a failure, counts as one
# failure.  Ends with exactly one "N passed, N failed[, N skipped]" line and
# exits non-zero if anything failed.
set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 BUILD_DIR [unit|sim|unit-musl|sim-musl|arena|live|live-unpriv|tools|proxy-asan]..." >&2
	exit 2
fi
build=$1
shift
[ $# -gt 0 ] || set -- unit sim unit-musl sim-musl arena live live-unpriv tools

srcdir=$(cd "$(dirname "$0")/.." && pwd)
case $build in
/*) ;;
*) build=$PWD/$build ;;
esac
STOCKADE=${STOCKADE:-$build/stockade}
PROBES=${PROBES:-$build/probes}
export STOCKADE PROBES

work=$(mktemp -d "${TMPDIR:-/tmp}/stockade-run.XXXXXX") || exit 1
stage=
unpriv_home=
cleanup() {
	rm -rf "$work"
	[ -n "$stage" ] && rm -rf "$stage"
	[ -n "$unpriv_home" ] && rm -rf "$unpriv_home"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
skipped=0

# Bound a tier's run time when timeout(1) is there.
limit() {
	secs=$1
	shift
	if command -v timeout >/dev/null 2>&1; then
		timeout -k 10 "$secs" "$@"
	else
		"$@"
	fi
}

# tally NAME LOG STATUS: add the closing line of LOG to the totals.
tally() {
	name=$1 log=$2 status=$3
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "run.sh: $name: no closing \"N passed, N failed\" line (exit status $status): counted as one failure"
		failed=$((failed + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
	s=0
	case $line in
	*skipped) s=$(echo "$line" | sed -E 's/.*, ([0-9]+) skipped$/\1/') ;;
	esac
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "run.sh: $name exited with status $status but reported no failure: counted as one failure"
		failed=$((failed + 1))
	fi
}

# run_tier NAME SECONDS COMMAND...: show its output, then tally it.
run_tier() {
	name=$1 secs=$2
	shift 2
	log=$work/$name.log
	{
		(cd "$srcdir" && limit "$secs" "$@") 2>&1
		echo $? >"$work/$name.status"
	} | tee "$log"
	tally "$name" "$log" "$(cat "$work/$name.status")"
}

missing() {
	echo "run.sh: $1: $2 is missing (build it first: make check): counted as one failure"
	failed=$((failed + 1))
}

tier_binary() {
	name=$1 bin=$2
	if [ ! -x "$bin" ]; then
		missing "$name" "$bin"
		return
	fi
	run_tier "$name" 1800 "$bin"
}

# The Makefile builds test-arena with the musl CLI, and says STOCKADE_MUSL=0
# when it links the CLI against glibc, which has no arena.
tier_arena() {
	if [ -x "$build/test-arena" ]; then
		tier_binary arena "$build/test-arena"
	elif [ "${STOCKADE_MUSL:-}" = 0 ]; then
		echo "SKIP arena: the Makefile linked the CLI against glibc (MUSL=0), which it uses without an arena"
		skipped=$((skipped + 1))
	else
		missing arena "$build/test-arena"
	fi
}

# The Makefile builds musl/test-unit and musl/test-sim with the musl CLI.
# Under MUSL=0 the CLI runs the library test-unit and test-sim were linked
# with, glibc's: there is no second build to test.
tier_musl() {
	name=$1 bin=$2
	if [ -x "$bin" ]; then
		tier_binary "$name" "$bin"
	elif [ "${STOCKADE_MUSL:-}" = 0 ]; then
		echo "SKIP $name: the Makefile linked the CLI against glibc (MUSL=0); the ${name%-musl} tier already tests that build"
		skipped=$((skipped + 1))
	else
		missing "$name" "$bin"
	fi
}

tier_live_unpriv() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP live-unpriv: not running as root, so the live tier already ran unprivileged"
		skipped=$((skipped + 1))
		return
	fi
	if ! command -v setpriv >/dev/null 2>&1; then
		echo "run.sh: live-unpriv: setpriv (util-linux) not found: counted as one failure"
		failed=$((failed + 1))
		return
	fi
	for f in "$build/test-live" "$STOCKADE" "$PROBES/try-syscall"; do
		if [ ! -x "$f" ]; then
			missing live-unpriv "$f"
			return
		fi
	done
	# A copy nobody can read and run, wherever the build tree lives.
	stage=$(mktemp -d /tmp/stockade-unpriv.XXXXXX) || {
		failed=$((failed + 1))
		return
	}
	cp "$build/test-live" "$stage/test-live" &&
		cp "$STOCKADE" "$stage/stockade" &&
		{ [ ! -x "$build/stockade-proxy" ] || cp "$build/stockade-proxy" "$stage/stockade-proxy"; } &&
		cp -R "$PROBES" "$stage/probes" &&
		mkdir "$stage/tmp" &&
		chmod -R a+rX "$stage" &&
		chmod 1777 "$stage/tmp" &&
		unpriv_home=$(mktemp -d /tmp/stockade-unpriv-home.XXXXXX) &&
		chown 65534:65534 "$unpriv_home" || {
		echo "run.sh: live-unpriv: cannot stage binaries in $stage: counted as one failure"
		failed=$((failed + 1))
		return
	}
	log=$work/live-unpriv.log
	{
		(cd "$stage" && limit 1800 env STOCKADE="$stage/stockade" PROBES="$stage/probes" \
			TMPDIR="$stage/tmp" HOME="$unpriv_home" \
			PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin \
			setpriv --reuid=65534 --regid=65534 --clear-groups "$stage/test-live") 2>&1
		echo $? >"$work/live-unpriv.status"
	} | tee "$log"
	tally live-unpriv "$log" "$(cat "$work/live-unpriv.status")"
	rm -rf "$stage" "$unpriv_home"
	stage=
}

# tier_tools [SCRIPT...]: those of tests/tools (default: every one)
tier_tools() {
	tp=0 tf=0 ts=0
	[ $# -gt 0 ] || set -- "$srcdir"/tests/tools/*.sh
	for t in "$@"; do
		[ -e "$t" ] || continue
		name=tools/$(basename "$t" .sh)
		out=$work/tool.log
		(cd "$srcdir" && limit 600 sh "$t") >"$out" 2>&1
		st=$?
		sed 's/^/  /' "$out"
		case $st in
		0)
			echo "ok   $name"
			tp=$((tp + 1))
			;;
		77)
			why=$(grep -m 1 '^SKIP:' "$out" | sed 's/^SKIP: *//')
			echo "SKIP $name: ${why:-no reason given}"
			ts=$((ts + 1))
			;;
		*)
			echo "FAIL $name (exit status $st)"
			tf=$((tf + 1))
			;;
		esac
	done
	if [ "$ts" -gt 0 ]; then
		echo "$tp passed, $tf failed, $ts skipped" | tee "$work/tools.log"
	else
		echo "$tp passed, $tf failed" | tee "$work/tools.log"
	fi
	tally tools "$work/tools.log" 0
}

for tier in "$@"; do
	echo "== $tier =="
	case $tier in
	unit | sim | live) tier_binary "$tier" "$build/test-$tier" ;;
	unit-musl | sim-musl) tier_musl "$tier" "$build/musl/test-${tier%-musl}" ;;
	arena) tier_arena ;;
	live-unpriv) tier_live_unpriv ;;
	tools) tier_tools ;;
	proxy-asan) tier_tools "$srcdir/tests/tools/net-proxy-abuse.sh" "$srcdir/tests/tools/net-proxy-dns.sh" ;;
	*)
		echo "run.sh: unknown tier \"$tier\": counted as one failure"
		failed=$((failed + 1))
		;;
	esac
done

echo "== total =="
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
