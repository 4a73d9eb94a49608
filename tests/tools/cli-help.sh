#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every option the CLI parses is in its --help: for each subcommand (each
# `int cmd_NAME(` in src/cli), the option string literals ("--report",
# "-o", "--output=") of its source file and of the *_opt_parse() files it
# calls must appear in `stockade NAME --help`, and all of them in `stockade
# --help`.  Also: -h, --help and `stockade help NAME` agree, and mistyped
# commands and options get a usage error with a suggestion.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
[ -d src/cli ] || { echo "FAIL: run from the source tree (src/cli is not here)"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-tool.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# has FILE OPTION: OPTION appears in FILE as a whole word ("--report" is
# not found in "--report-json").
has() {
	grep -qE -- "(^|[^a-zA-Z0-9-])$2([^a-zA-Z0-9-]|\$)" "$1"
}

# The option literals a C file compares arguments with.
literals() {
	grep -ohE '"-(-[a-z][a-z0-9-]*|[a-zA-Z])=?"' "$@" | tr -d '"=' | sort -u
}

"$STOCKADE" --help >"$tmp/top" 2>&1 || fail "stockade --help exits $?"
has "$tmp/top" --version || fail "stockade --help does not mention --version"

ncmds=0
nopts=0
for def in $(grep -lE '^int cmd_[a-z]+\(int argc' src/cli/*.c); do
	for name in $(sed -nE 's/^int cmd_([a-z]+)\(int argc.*/\1/p' "$def"); do
		ncmds=$((ncmds + 1))
		# The file itself, and those defining the *_opt_parse() it calls.
		files=$def
		for fn in $(grep -ohE '\b[a-z_]+_opt_parse\(' "$def" | tr -d '(' | sort -u); do
			files="$files $(grep -lE "^int $fn\(" src/cli/*.c)"
		done
		"$STOCKADE" "$name" --help >"$tmp/help" 2>&1 || fail "stockade $name --help exits $?"
		"$STOCKADE" "$name" -h >"$tmp/h" 2>&1 || fail "stockade $name -h exits $?"
		"$STOCKADE" help "$name" >"$tmp/helpcmd" 2>&1 || fail "stockade help $name exits $?"
		cmp -s "$tmp/help" "$tmp/h" || fail "stockade $name -h differs from --help"
		cmp -s "$tmp/help" "$tmp/helpcmd" || fail "stockade help $name differs from $name --help"
		missing=
		for opt in $(literals $files); do
			nopts=$((nopts + 1))
			has "$tmp/help" "$opt" || missing="$missing $opt"
			has "$tmp/top" "$opt" || fail "stockade --help does not mention $name's $opt"
		done
		if [ -n "$missing" ]; then
			fail "stockade $name --help does not mention:$missing (parsed in$(echo " $files" | sed 's| src/cli/| |g'))"
		else
			echo "ok: $name --help lists every option it parses ($(echo $files | wc -w) file(s))"
		fi

		# A mistyped option: exit 125, the usage, where to read more.
		st=0
		"$STOCKADE" "$name" --no-such-option-at-all </dev/null >"$tmp/out" 2>"$tmp/err" || st=$?
		if [ "$st" -ne 125 ] || ! grep -q "unknown option \`--no-such-option-at-all\`" "$tmp/err" ||
			! grep -q "^Usage: stockade $name" "$tmp/err" ||
			! grep -q "Try 'stockade $name --help'" "$tmp/err"; then
			fail "stockade $name --no-such-option-at-all: exit $st, stderr: $(cat "$tmp/err")"
		fi
	done
done
# A broken pattern must not pass for an empty one.
[ "$ncmds" -ge 9 ] || fail "found only $ncmds cmd_*() functions in src/cli"
[ "$nopts" -ge 40 ] || fail "found only $nopts option literals in src/cli"

# expect_error WANT ARG...: exit 125 and WANT on stderr.
expect_error() {
	want=$1
	shift
	st=0
	"$STOCKADE" "$@" </dev/null >"$tmp/out" 2>"$tmp/err" || st=$?
	if [ "$st" -eq 125 ] && grep -qF -- "$want" "$tmp/err"; then
		echo "ok: stockade $*: $want"
	else
		fail "stockade $*: exit $st, want 125 and \"$want\"; stderr: $(cat "$tmp/err")"
	fi
}

expect_error "unknown command \`rnu\`, did you mean \`run\`?" rnu
expect_error "unknown command \`lern\`, did you mean \`learn\`?" help lern
expect_error "did you mean \`--version\`?" --verison
expect_error "run: unknown option \`--reprot\`, did you mean \`--report\`?" run --reprot -- true
expect_error "did you mean \`--report-json\`?" run --report-jsn=x.json -- true
expect_error "show: unknown option \`--prest\`, did you mean \`--preset\`?" show --prest strict
expect_error "did you mean \`--markdown\`?" presets --markdwn
expect_error "Try 'stockade run --help'" run
expect_error "Try 'stockade --help'" frobnicate
# Past `--` nothing is an option: run looks for a command of that name.
st=0
"$STOCKADE" run -- --reprot </dev/null >"$tmp/out" 2>"$tmp/err" || st=$?
[ "$st" -eq 127 ] || fail "stockade run -- --reprot: exit $st, want 127 (command not found)"

[ "$fails" -eq 0 ]
