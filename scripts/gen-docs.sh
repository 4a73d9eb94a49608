#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Regenerate docs/presets.md and docs/groups.md from the code's own tables;
# with --check, fail if the committed copies differ (the docs cannot drift).
set -eu
stockade=$1
mode=${2:-write}
status=0
for what in presets groups; do
	out=docs/$what.md
	tmp=$(mktemp)
	"$stockade" "$what" --markdown >"$tmp"
	if [ "$mode" = --check ]; then
		if ! cmp -s "$tmp" "$out"; then
			echo "docs-check: $out is out of date; run 'make docs'" >&2
			status=1
		fi
		rm -f "$tmp"
	else
		mv "$tmp" "$out"
	fi
done
exit $status
