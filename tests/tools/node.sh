#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# node under the default preset: a hot loop the JIT compiles, and a tiny
# WebAssembly module instantiated from inline bytes (executable memory for
# generated code, worker threads, the libuv event loop).
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
command -v node >/dev/null 2>&1 || { echo "SKIP: node is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-tool.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

cat >jit-wasm.js <<'JS'
'use strict';
function hot(n) {
	let s = 0;
	for (let i = 0; i < n; i++)
		s = (s + i * i) % 1000003;
	return s;
}
let r = 0;
for (let k = 0; k < 300; k++)
	r = hot(100000);

// (module (func (export "add") (param i32 i32) (result i32)
//   local.get 0 local.get 1 i32.add))
const bytes = new Uint8Array([
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,
	0x03, 0x02, 0x01, 0x00,
	0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00,
	0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,
]);
WebAssembly.instantiate(bytes).then(({ instance }) => {
	console.log(`hot=${r} add=${instance.exports.add(40, 2)}`);
}).catch((e) => {
	console.error(e);
	process.exit(1);
});
JS

want=$(node jit-wasm.js) || { echo "SKIP: node cannot run the script even unconfined"; exit 77; }
case $want in
*add=42) ;;
*) echo "SKIP: unexpected unconfined output: $want"; exit 77 ;;
esac
got=$("$STOCKADE" run -- node jit-wasm.js) || { echo "FAIL: node exited with status $? under stockade"; exit 1; }
if [ "$got" != "$want" ]; then
	echo "FAIL: got \"$got\", want \"$want\""
	exit 1
fi
echo "node: $got"
