#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The stages of src/ and what each may include (docs/architecture.md,
# "Layout").  Reads every #include "STAGE/..." line under src/ and fails on
# one that points up, or sideways, the pipeline.  A stage includes its own
# headers, the public include/stockade.h, and those of the stages listed for
# it; the lists are closed downwards (a stage may include what its allowed
# stages may), so no circle can form.
set -eu
cd "$(dirname "$0")/.."

allowed() {
	case $1 in
	base) echo "" ;;
	tables) echo "base" ;;
	policy) echo "base tables" ;;
	plan) echo "base tables policy" ;;
	seccomp) echo "base tables policy plan" ;;
	landlock) echo "base tables policy plan" ;;
	export) echo "base tables policy plan seccomp" ;;
	analysis) echo "base tables policy plan seccomp" ;;
	run) echo "base tables policy plan seccomp landlock analysis" ;;
	cli) echo "base tables policy plan seccomp landlock export analysis run" ;;
	musl) echo "" ;;
	proxy) echo "base tables policy plan landlock" ;; # stockade-proxy, a program of its own: landlock/abi.h
	*) return 1 ;;
	esac
}

bad=0
for dir in src/*/; do
	stage=$(basename "$dir")
	if ! ok=$(allowed "$stage"); then
		echo "check-layers: src/$stage is not a known stage (add it to $0 and docs/architecture.md)" >&2
		bad=$((bad + 1))
		continue
	fi
	for f in "$dir"*.c "$dir"*.h; do
		[ -e "$f" ] || continue
		grep -n '^#include "[^"]*/' "$f" | while IFS= read -r line; do
			n=${line%%:*}
			target=$(echo "$line" | sed -E 's/^[0-9]+:#include "([^/"]+)\/.*/\1/')
			[ "$target" = "$stage" ] && continue
			case " $ok " in
			*" $target "*) continue ;;
			esac
			echo "$f:$n: $stage includes $target (allowed: ${ok:-nothing})"
		done
	done
done >"${TMPDIR:-/tmp}/check-layers.$$"
if [ -s "${TMPDIR:-/tmp}/check-layers.$$" ]; then
	cat "${TMPDIR:-/tmp}/check-layers.$$" >&2
	bad=$((bad + $(wc -l <"${TMPDIR:-/tmp}/check-layers.$$")))
fi
rm -f "${TMPDIR:-/tmp}/check-layers.$$"
if [ "$bad" -gt 0 ]; then
	echo "check-layers: $bad include(s) against the direction of the pipeline" >&2
	exit 1
fi
echo "check-layers: every include follows base -> tables -> policy -> plan -> {seccomp, landlock} -> {export, analysis} -> run -> cli"
