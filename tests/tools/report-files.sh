#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# File denials explained (docs/report.md): with --report, each read, write,
# create, remove, exec and cross-root rename that Landlock refuses appears
# with its path, the rule (or its absence) and the fix; applying the fix
# makes the command pass; --report-json carries the same as JSON events.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is not installed (JSON checks, renames)"; exit 77; }
py=$(command -v python3)
case $py in "$HOME"/*) py=/usr/bin/python3 ;; esac # a home toolchain would not see the scratch home
[ -x "$py" ] || { echo "SKIP: no system python3"; exit 77; }
abi=$("$py" -c 'import ctypes,os; l=ctypes.CDLL(None,use_errno=True); print(l.syscall(444,0,0,1))' 2>/dev/null || echo 0)
[ "${abi:-0}" -ge 1 ] 2>/dev/null || { echo "SKIP: the kernel has no Landlock"; exit 77; }
case ${TMPDIR:-/tmp} in /var/tmp*) echo "SKIP: TMPDIR is under /var/tmp, where the scratch home goes"; exit 77 ;; esac
[ -d /var/tmp ] && [ -w /var/tmp ] || { echo "SKIP: /var/tmp is not writable"; exit 77; }
tmp=$(mktemp -d /var/tmp/stockade-report-files.XXXXXX)
side=$(mktemp -d "${TMPDIR:-/tmp}/stockade-report-files.XXXXXX")
trap 'rm -rf "$tmp" "$side"' EXIT
trap 'exit 130' INT TERM HUP
H=$tmp/home
mkdir -p "$H/dir" "$H/.other/bin" "$tmp/proj"
printf '//registry.npmjs.org/:_authToken=npm-SECRET\n' >"$H/.npmrc"
echo old >"$H/existing"
echo gone >"$H/dir/victim"
printf '#!/bin/sh\necho other\n' >"$H/.other/bin/othertool"
chmod +x "$H/.other/bin/othertool"
HOME=$H
export HOME
cd "$tmp/proj"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# check NAME "REPORT LINE PATTERN" "FIX" PRESET COMMAND...: refused and
# reported, then passes with the fix.
check() {
	name=$1 pattern=$2 fix=$3 preset=$4
	shift 4
	if "$STOCKADE" run --preset "$preset" --report -- "$@" >"$tmp/out" 2>&1; then
		fail "$name: the command passed without the fix"
		return
	fi
	if grep -q -- "$pattern" "$tmp/out"; then
		ok "$name: reported"
	else
		fail "$name: no line matching \"$pattern\" in:"
		sed 's/^/    /' "$tmp/out"
		return
	fi
	grep -q -- "; fix: $fix\$" "$tmp/out" || { fail "$name: the fix is not \"$fix\""; sed 's/^/    /' "$tmp/out"; return; }
	# The fix as the report writes it, ~ for the home directory.
	fixarg=$(echo "$fix" | sed "s|^\(--[a-z]*\) ~|\1 $H|")
	if "$STOCKADE" run --preset "$preset" "${fixarg%% *}" "${fixarg#* }" -- "$@" >"$tmp/out" 2>&1; then
		ok "$name: passes with $fix"
	else
		fail "$name: still fails with $fix:"
		sed 's/^/    /' "$tmp/out"
	fi
}

check read "read ~/.npmrc x1 by cat: EACCES, carved out by deny ~/.npmrc at presets/agent.yaml:[0-9]*" \
	"--read ~/.npmrc" agent cat "$H/.npmrc"
check write "write ~/existing x1 by sh: EACCES, not under any write root" "--write ~/existing" \
	agent sh -c 'echo new >>"$HOME/existing"'
check create "create ~/dir/new x1 by touch: EACCES, not under any write root" "--write ~/dir" \
	agent touch "$H/dir/new"
check remove "remove ~/dir/victim x1 by rm: EACCES, not under any write root" "--write ~/dir" agent rm -f "$H/dir/victim"
# A new entry directly in the home directory: --write ~ would be refused as
# too broad, so the fix is a policy that says so.
"$STOCKADE" run --report -- touch "$H/newfile" >"$tmp/out" 2>&1 || true
grep -q "create ~/newfile x1 by touch: EACCES, not under any write root.*; fix: a policy with \`write: \[~\]\` and \`allow_broad_write: true\`" "$tmp/out" &&
	ok "create directly in ~: the fix is a policy with allow_broad_write" ||
	{ fail "create in ~:"; sed 's/^/    /' "$tmp/out"; }
check exec "exec ~/.other/bin/othertool x1 by sh: EACCES, not under any exec root" "--exec ~/.other" \
	strict sh -c '"$HOME/.other/bin/othertool"'
# A rename from a temp dir (no exec under strict) into the working tree
# (exec) would give the file a right: Landlock says EXDEV.  The working
# tree inside the temp dir: with namespaces two write roots are two mounts,
# and a rename between them is EXDEV whatever Landlock says
# (docs/isolation.md, "Limits").
mkdir "$side/proj"
cd "$side/proj"
echo data >"$side/moved"
check rename "rename $PWD/moved x1 by python3: EXDEV, moving a file from $side to $PWD would give it exec rights" \
	"--exec $side" strict "$py" -c "import os; os.rename('$side/moved', 'moved')"
cd "$tmp/proj"

# The JSON events carry the same.
"$STOCKADE" run --report-json "$tmp/events.jsonl" -- sh -c 'cat "$HOME/.npmrc"; touch "$HOME/dir/x"' >/dev/null 2>&1 || true
if "$py" - "$tmp/events.jsonl" "$H" <<'PY'; then
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
home = sys.argv[2]
files = {(e["access"], e["path"]): e for e in events if e["event"] == "file_denial"}
r = files[("read", home + "/.npmrc")]
assert r["rule"]["kind"] == "carve-out" and r["rule"]["list"] == "deny" and r["rule"]["entry"] == "~/.npmrc", r
assert r["rule"]["file"] == "presets/agent.yaml" and r["rule"]["line"] > 0, r
assert r["fix"] == "--read ~/.npmrc" and r["errno"] == "EACCES" and r["comm"] == "cat" and r["count"] == 1, r
c = files[("create", home + "/dir/x")]
assert c["rule"]["kind"] == "no-grant" and c["fix"] == "--write ~/dir", c
exit_ = events[-1]
assert exit_["event"] == "exit" and exit_["file_denials"] == 2 and exit_["file_distinct"] == 2, exit_
PY
	ok "JSON: file_denial events parse and carry path, rule and fix"
else
	fail "JSON events:"
	sed 's/^/    /' "$tmp/events.jsonl"
fi

# Audit covers files: nothing refused but the carve-outs, every would-be
# refusal listed.
rm -f "$H/dir/audited"
"$STOCKADE" run --audit -- sh -c 'touch "$HOME/dir/audited"; cat "$HOME/.npmrc"' >"$tmp/out" 2>&1 || true
if [ -e "$H/dir/audited" ] && ! grep -q npm-SECRET "$tmp/out" &&
	grep -q "create ~/dir/audited x1 by touch: would be EACCES, not under any write root" "$tmp/out" &&
	grep -q "read ~/.npmrc x1 by cat: EACCES, carved out by deny ~/.npmrc" "$tmp/out" &&
	grep -q "audit mode covers files too" "$tmp/out"; then
	ok "audit: the create ran and is listed as would-be refused; the carve-out still refused ~/.npmrc"
else
	fail "audit:"
	sed 's/^/    /' "$tmp/out"
fi

# A path the command names cannot write escape sequences to the terminal.
"$STOCKADE" run --report -- sh -c 'touch "$HOME/dir/$(printf "\033[31mred\007")"' >"$tmp/out" 2>&1 || true
if grep -q 'create ~/dir/\\x1b\[31mred\\x07 x1' "$tmp/out" && ! grep -q "$(printf '\033')" "$tmp/out"; then
	ok "a hostile file name is escaped in the text report"
else
	fail "hostile file name:"
	od -c "$tmp/out" | sed 's/^/    /' | head -20
fi

# The default report (stderr a terminal) observes no file but says, when
# the command failed, how to see them; nothing when it succeeded.
if command -v script >/dev/null 2>&1; then
	script -qec "'$STOCKADE' run -- touch '$H/dir/tty-new'" /dev/null >"$tmp/out" 2>&1 || true
	script -qec "'$STOCKADE' run -- true" /dev/null >"$tmp/out2" 2>&1 || true
	if grep -q "the command failed; if a file access was refused (EACCES), \`--report\` lists each one" "$tmp/out" &&
		! grep -q "Landlock refused" "$tmp/out" && ! grep -q "stockade:" "$tmp/out2"; then
		ok "the default terminal report says how to see file denials when the command failed"
	else
		fail "default terminal report:"
		sed 's/^/    /' "$tmp/out" "$tmp/out2"
	fi
else
	echo "skip: script(1) is not installed: the default terminal report not tried"
fi

# Nothing refused, nothing reported: a command that only reads and writes
# where the policy lets it.
# /proc/self and /dev/fd name the command, not the supervisor.
"$STOCKADE" run --report -- sh -c 'cat /etc/hostname >/dev/null; echo x >inside; exec 3<inside 4>>inside;
	cat /proc/self/fd/3 /dev/fd/3 /dev/stdin </etc/hostname >/dev/null; echo y >/proc/self/fd/4; rm inside' >"$tmp/out" 2>&1 ||
	fail "a clean command failed"
if grep -q "Landlock refused" "$tmp/out"; then
	fail "a clean command got file denials:"
	sed 's/^/    /' "$tmp/out"
else
	ok "a clean command reports no file denial"
fi

[ $fails -eq 0 ] || { echo "FAIL: $fails check(s) failed"; exit 1; }
echo "report-files: all checks passed"
