#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The main job in one screen: run an untrusted script under the default
# preset; real tools keep working, escape paths are denied.
set -u
stockade=${1:-build/stockade}
probe=$(dirname "$stockade")/probes/try-syscall
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/untrusted.sh" <<'SCRIPT'
#!/bin/sh
# What an AI agent's tool call might do.
echo "== real work"
printf 'int main(void){return 0;}\n' > "$TMPDIR/a.c" && cc -o "$TMPDIR/a" "$TMPDIR/a.c" && "$TMPDIR/a" && echo "gcc: compiled and ran a program"
git init -q "$TMPDIR/repo" && echo "git: init ok"
python3 -c 'import os; fd = os.memfd_create("jit"); print("python: memfd_create ok (V8/Wasmtime JIT need this)")'
seq 1 1000 | sort -n | tail -1 | sed 's/^/pipeline: /'
echo "== escape attempts"
unshare -U true 2>&1 | sed 's/^/unshare -U: /'
python3 -c 'import ctypes; r = ctypes.CDLL(None).mount(b"none", b"/mnt", b"tmpfs", 0, None); print("mount:", "denied" if r else "succeeded")'
python3 -c 'import socket
try:
    socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    print("AF_PACKET socket: created")
except OSError as e:
    print("AF_PACKET socket:", e)'
SCRIPT
chmod +x "$tmp/untrusted.sh"

echo "\$ stockade run -- ./untrusted.sh"
TMPDIR=$tmp "$stockade" run -- "$tmp/untrusted.sh"
if [ -x "$probe" ]; then
	echo
	echo "\$ stockade run -- try-syscall ptrace      (exit status = errno; 1 = EPERM)"
	"$stockade" run -- "$probe" ptrace; echo "exit $?"
fi
echo
echo "Every decision and where it came from:  $stockade show | less"
