#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# node under the default preset reads its own modules: the built-in ones,
# npm's global tree, and a child process of itself.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
command -v node >/dev/null 2>&1 || { echo "SKIP: node is not installed"; exit 77; }
tmp=$(mktemp -d /tmp/stockade-tool.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
global=
command -v npm >/dev/null 2>&1 && global=$(npm root -g 2>/dev/null || true)
cat >mods.js <<'JS'
'use strict';
const fs = require('fs'), path = require('path'), os = require('os'), cp = require('child_process');
const zlib = require('zlib'), crypto = require('crypto');
const global = process.argv[2];
let n = 0;
if (global && fs.existsSync(path.join(global, 'npm', 'package.json')))
	n = Object.keys(require(path.join(global, 'npm', 'package.json')).dependencies || {}).length;
const v = cp.execFileSync(process.execPath, ['-p', 'process.versions.node']).toString().trim();
const z = zlib.gunzipSync(zlib.gzipSync('ok')).toString();
console.log(`${v === process.versions.node} ${z} ${crypto.createHash('sha256').update('x').digest('hex').length} ${n >= 0}`);
fs.writeFileSync(path.join(os.tmpdir(), `stockade-node-${process.pid}`), 'x');
fs.unlinkSync(path.join(os.tmpdir(), `stockade-node-${process.pid}`));
JS
want="true ok 64 true"
got=$("$STOCKADE" run -- node mods.js "$global") || { echo "FAIL: node exited with status $?"; exit 1; }
[ "$got" = "$want" ] || { echo "FAIL: got \"$got\", want \"$want\""; exit 1; }
echo "node: built-in and global modules, a child node, the temp dir"
