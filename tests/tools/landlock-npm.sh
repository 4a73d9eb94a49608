#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# npm install of a local package into the working tree, offline, under the
# default preset: npm extracts to temporary directories and renames into
# node_modules (EXDEV under Landlock tools that do not grant REFER).  agent
# does not let npm write ~/.npm (a package cache is a persistence vector),
# so the cache goes in the working tree, as docs/landlock.md says.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
command -v node >/dev/null 2>&1 || { echo "SKIP: node is not installed"; exit 77; }
command -v npm >/dev/null 2>&1 || { echo "SKIP: npm is not installed"; exit 77; }
tmp=$(mktemp -d /tmp/stockade-tool.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/home" "$tmp/pkg" "$tmp/app"
HOME=$tmp/home
export HOME
cd "$tmp/pkg"
cat >package.json <<'JSON'
{ "name": "stockade-tiny", "version": "1.0.0", "main": "index.js", "bin": { "stockade-tiny": "bin.js" } }
JSON
echo 'module.exports = () => 42;' >index.js
printf '#!/usr/bin/env node\nconsole.log("tiny " + require("./index.js")());\n' >bin.js
npm_config_cache=$tmp/pack-cache npm pack --silent >/dev/null 2>&1 || { echo "SKIP: npm pack does not work here"; exit 77; }
cd "$tmp/app"
echo '{ "name": "app", "version": "1.0.0" }' >package.json

npm_config_cache=$PWD/.npm-cache "$STOCKADE" run -- npm install --offline --no-audit --no-fund \
	"$tmp/pkg/stockade-tiny-1.0.0.tgz" || { echo "FAIL: npm install exited with status $?"; exit 1; }
out=$("$STOCKADE" run -- node -e 'console.log(require("stockade-tiny")())') ||
	{ echo "FAIL: node could not load the package"; exit 1; }
[ "$out" = 42 ] || { echo "FAIL: got \"$out\""; exit 1; }
out=$("$STOCKADE" run -- ./node_modules/.bin/stockade-tiny) || { echo "FAIL: the package's bin did not run"; exit 1; }
[ "$out" = "tiny 42" ] || { echo "FAIL: got \"$out\""; exit 1; }
echo "npm: installed a local package into the working tree, offline"
