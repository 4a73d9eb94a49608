#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Replay the fuzz regressions, then fuzz each target for a bounded time.
#
#   tests/fuzz/run.sh FUZZ_BUILD SECONDS TARGET...
#
# For TARGET (fuzz_policy, ...): the seeds are tests/fuzz/corpus/NAME/ (NAME
# is TARGET without "fuzz_"), the dictionary tests/fuzz/NAME.dict if there is
# one, and every file in tests/fuzz/regressions/NAME/ (inputs that once
# crashed) is run first.  New corpus entries go to FUZZ_BUILD/corpus/NAME, so
# the checked-in seeds stay small; a crash is saved under
# FUZZ_BUILD/artifacts/ and the script exits non-zero.  Ends with
# "fuzz: N passed, N failed", counting targets.  FUZZ_JOBS=N runs N
# libFuzzer processes in parallel (-fork=N).
set -eu

if [ $# -lt 3 ]; then
	echo "usage: $0 FUZZ_BUILD SECONDS TARGET..." >&2
	exit 2
fi
build=$1
secs=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
status=0
passed=0
failed=0

for target in "$@"; do
	name=${target#fuzz_}
	bin=$build/$target
	seeds=$src/corpus/$name
	work=$build/corpus/$name
	art=$build/artifacts/$name
	mkdir -p "$work" "$art"
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin is missing (make fuzz)" >&2
		exit 1
	fi
	dict=
	[ -f "$src/$name.dict" ] && dict=-dict=$src/$name.dict

	if [ -d "$src/regressions/$name" ] && [ -n "$(ls -A "$src/regressions/$name")" ]; then
		echo "== $target: replaying regressions"
		# A single run over each file: libFuzzer exits non-zero on a crash.
		"$bin" -runs=1 "$src/regressions/$name"/* >"$build/$target.replay.log" 2>&1 || {
			cat "$build/$target.replay.log"
			echo "FAIL $target: a regression input fails again" >&2
			status=1
			failed=$((failed + 1))
			continue
		}
	fi

	# The system's containers profile, when installed, is a good OCI seed
	# (not checked in; the first byte picks the environment, see fuzz_oci.c).
	extra=
	if [ "$name" = oci ] && [ -f /usr/share/containers/seccomp.json ]; then
		extra=$build/extra-seeds/oci
		mkdir -p "$extra"
		{ printf '\000'; cat /usr/share/containers/seccomp.json; } >"$extra/containers-seccomp.json"
	fi

	echo "== $target: fuzzing for ${secs}s"
	log=$build/$target.log
	# -timeout: one input taking 10 s is a finding (bounded time is part of
	# the contract); -rss_limit_mb likewise for memory.  With
	# FUZZ_IGNORE_TIMEOUTS=1 (fork mode) slow inputs are saved and listed
	# but do not fail the run: for a known, reported hang that would
	# otherwise stop every run at the same place.
	mode=
	if [ "${FUZZ_IGNORE_TIMEOUTS:-0}" = 1 ]; then
		mode="-fork=${FUZZ_JOBS:-1} -ignore_timeouts=1 -ignore_ooms=0 -ignore_crashes=0"
	elif [ "${FUZZ_JOBS:-1}" -gt 1 ]; then
		mode=-fork=$FUZZ_JOBS
	fi
	if "$bin" $dict $mode -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$art/" "$work" "$seeds" $extra >"$log" 2>&1; then
		grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE|^#[0-9]+: cov' "$log" | tail -n 1 || true
		for t in "$art"/timeout-*; do
			[ -e "$t" ] && echo "WARNING: $target: slow input kept (over 10 s): $t"
		done
		echo "ok   $target"
		passed=$((passed + 1))
	else
		tail -n 60 "$log"
		echo "FAIL $target: see $log and $art/" >&2
		status=1
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
exit $status
