#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Network mode proxy (issue 15), loopback only: a local server (started and
# stopped by lib/net-proxy-setup.sh) stands in for a web server, a dumb-http git
# host, an npm registry (packument and tarball) and a pip simple index, under the
# name registry.test pinned to 127.0.0.1 (network.hosts).  No name this test lets
# through resolves anywhere but the pin or /etc/hosts' localhost, so no packet
# leaves loopback.  (net-proxy-pm.sh: package managers; net-proxy-abuse.sh: the
# proxy under abuse.)  Checks:
#  - git clone, npm install and pip download/install reach the allowed name
#    through the proxy, under agent with --allow-host and under strict;
#    strict's npm and pip (a home outside its write roots, as a real one is)
#    read their config (the project's .npmrc, pip.conf), not ~/.npmrc's token,
#    and cache in ~/.cache/stockade, not the user's caches; npm's second
#    install is served from there (--offline); npm under strict from a
#    registry not allowed is refused and reported.
set -eu
. "$(dirname "$0")/lib/net-proxy-setup.sh"

# ---- git clone over dumb http ----
if command -v git >/dev/null 2>&1; then
	git init -q "$tmp/src" && git -C "$tmp/src" -c user.name=t -c user.email=t@t commit -q --allow-empty -m first &&
		git clone -q --bare "$tmp/src" "$tmp/www/repo.git" && git -C "$tmp/www/repo.git" update-server-info ||
		fail "cannot make the git repository"
	agent -- git clone -q "$base/repo.git" cloned >"$tmp/err" 2>&1 || fail "git clone through the proxy: $(cat "$tmp/err")"
	[ "$(git -C cloned log --format=%s 2>/dev/null)" = first ] || fail "git clone: no commit"
	rm -rf cloned
	sr --policy "$tmp/strict.yaml" --allow-host "registry.test:$port" -- git clone -q "$base/repo.git" cloned \
		>"$tmp/err" 2>&1 || fail "git clone under strict: $(cat "$tmp/err")"
else
	echo "note: git is not installed; its case is skipped"
fi

# ---- npm install from a registry stand-in ----
if command -v npm >/dev/null 2>&1; then
	mkdir "$tmp/pkg" "$tmp/app"
	(cd "$tmp/pkg" && echo '{ "name": "stockade-tiny", "version": "1.0.0", "main": "index.js" }' >package.json &&
		echo 'module.exports = () => 42;' >index.js &&
		npm_config_cache=$tmp/pack-cache npm pack --silent >/dev/null 2>&1) || fail "npm pack"
	mkdir -p "$tmp/www/stockade-tiny/-"
	cp "$tmp/pkg/stockade-tiny-1.0.0.tgz" "$tmp/www/stockade-tiny/-/"
	python3 - "$tmp/www" "$base" <<'PY'
import base64, hashlib, json, sys
www, base = sys.argv[1], sys.argv[2]
data = open(www + "/stockade-tiny/-/stockade-tiny-1.0.0.tgz", "rb").read()
doc = {"name": "stockade-tiny", "dist-tags": {"latest": "1.0.0"}, "versions": {"1.0.0": {
    "name": "stockade-tiny", "version": "1.0.0", "main": "index.js",
    "dist": {"tarball": base + "/stockade-tiny/-/stockade-tiny-1.0.0.tgz",
             "shasum": hashlib.sha1(data).hexdigest(),
             "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()}}}}
open(www + "/stockade-tiny/index.html", "w").write(json.dumps(doc))
PY
	cd "$tmp/app"
	echo '{ "name": "app", "version": "1.0.0" }' >package.json
	npm_config_cache=$PWD/.npm-cache agent -- npm install --no-audit --no-fund --registry "$base/" stockade-tiny \
		>"$tmp/err" 2>&1 || fail "npm install through the proxy: $(tail -5 "$tmp/err")"
	[ -f node_modules/stockade-tiny/index.js ] || fail "npm install: the package is not there"
	# under strict: the registry named in the project's .npmrc (npm's config,
	# read inside), ~/.npmrc (a token for that registry) refused and npm
	# going on without it, the cache the sandbox's own, and warm the next time
	mkdir "$tmp/app-strict"
	cd "$tmp/app-strict"
	echo '{ "name": "app", "version": "1.0.0" }' >package.json
	echo "registry=$base/" >.npmrc
	printf '//registry.test:%s/:_authToken=npm-SECRET\n' "$port" >"$shome/.npmrc"
	strict_pm -- npm install --no-audit --no-fund stockade-tiny >"$tmp/err" 2>&1 ||
		fail "npm install under strict: $(tail -5 "$tmp/err")"
	[ -f node_modules/stockade-tiny/index.js ] || fail "npm install under strict: the package is not there"
	if [ $shome_outside = yes ]; then
		[ -n "$(find "$shome/.cache/stockade/npm/_cacache/content-v2" -type f 2>/dev/null)" ] ||
			fail "npm under strict: nothing in the sandbox's cache ~/.cache/stockade/npm: $(tail -5 "$tmp/err")"
		[ ! -e "$shome/.npm" ] || fail "npm under strict wrote the user's cache ~/.npm"
		rm -rf node_modules package-lock.json
		strict_pm -- npm install --offline --no-audit --no-fund stockade-tiny >"$tmp/err" 2>&1 &&
			[ -f node_modules/stockade-tiny/index.js ] ||
			fail "npm install --offline under strict (the sandbox's cache, warm): $(tail -5 "$tmp/err")"
	fi
	# the server records credentials (checked with one that may be sent)
	strict_pm -- curl -sS -o /dev/null -H "Authorization: Bearer control-token" "$base/index.html" 2>"$tmp/err" ||
		fail "curl with a credential under strict: $(cat "$tmp/err")"
	grep -q "control-token" "$tmp/auth-seen" 2>/dev/null || fail "the server did not record a credential"
	grep -q "npm-SECRET" "$tmp/auth-seen" 2>/dev/null && fail "the token in ~/.npmrc reached the registry from strict: $(cat "$tmp/auth-seen")"
	# a registry not allowed: npm fails, the proxy's refusal is on stderr
	# and in the report, with the fix
	st=0
	strict_pm --report -- npm install --no-audit --no-fund --registry "http://evil.test:$port/" stockade-tiny \
		>"$tmp/out" 2>"$tmp/err" || st=$?
	[ $st != 0 ] || fail "npm install from a registry not allowed succeeded under strict"
	grep -q "stockade: proxy refused GET evil.test:$port: not in network.allow" "$tmp/err" &&
		grep -q "^  GET evil.test:$port ([0-9]* times* by .*): network.allow; --allow-host evil.test:$port" "$tmp/err" ||
		fail "npm from a registry not allowed under strict: no refusal and report line: $(cat "$tmp/out" "$tmp/err")"
	cd "$tmp/work"
else
	echo "note: npm is not installed; its case is skipped"
fi

# ---- pip from a simple index ----
# the interpreter itself, not a version manager's shim (pyenv's rehashes after pip install)
pyexe=$(python3 -c 'import sys; print(sys.executable)')
if "$pyexe" -m pip --version >/dev/null 2>&1; then
	mkdir -p "$tmp/www/simple/stockade-tiny" "$tmp/www/files"
	python3 - "$tmp/www" <<'PY'
import base64, hashlib, sys, zipfile
www = sys.argv[1]
name = "stockade_tiny-1.0-py3-none-any.whl"
files = {"stockade_tiny/__init__.py": b"VALUE = 42\n",
         "stockade_tiny-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: stockade-tiny\nVersion: 1.0\n",
         "stockade_tiny-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: stockade-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
record = ""
for path, data in files.items():
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record += "%s,sha256=%s,%d\n" % (path, h, len(data))
record += "stockade_tiny-1.0.dist-info/RECORD,,\n"
with zipfile.ZipFile(www + "/files/" + name, "w") as z:
    for path, data in files.items():
        z.writestr(path, data)
    z.writestr("stockade_tiny-1.0.dist-info/RECORD", record)
digest = hashlib.sha256(open(www + "/files/" + name, "rb").read()).hexdigest()
open(www + "/simple/stockade-tiny/index.html", "w").write(
    '<html><body><a href="../../files/%s#sha256=%s">%s</a></body></html>\n' % (name, digest, name))
PY
	PIP_ROOT_USER_ACTION=ignore agent -- "$pyexe" -m pip download -q --no-cache-dir --disable-pip-version-check --no-deps \
		--trusted-host registry.test --index-url "$base/simple/" -d "$tmp/work/dl" stockade-tiny >"$tmp/err" 2>&1 ||
		fail "pip download through the proxy: $(tail -5 "$tmp/err")"
	[ -f "$tmp/work/dl/stockade_tiny-1.0-py3-none-any.whl" ] || fail "pip download: no wheel"
	PIP_ROOT_USER_ACTION=ignore agent -- "$pyexe" -m pip install -q --no-cache-dir --disable-pip-version-check --no-deps \
		--trusted-host registry.test --index-url "$base/simple/" --target "$tmp/work/site" stockade-tiny >"$tmp/err" 2>&1 ||
		fail "pip install through the proxy: $(tail -5 "$tmp/err")"
	[ -f "$tmp/work/site/stockade_tiny/__init__.py" ] || fail "pip install: the package is not there"
	# under strict: the index and trusted host from ~/.config/pip/pip.conf
	# (pip's config, read inside), the cache the sandbox's own (pip caches
	# the wheel: its response says max-age); Debian's python3 where it has
	# pip (strict runs it from /usr whatever the home)
	pyst=$pyexe
	[ -x /usr/bin/python3 ] && /usr/bin/python3 -m pip --version >/dev/null 2>&1 && pyst=/usr/bin/python3
	mkdir -p "$shome/.config/pip"
	printf '[global]\nindex-url = %s/simple/\ntrusted-host = registry.test\n' "$base" >"$shome/.config/pip/pip.conf"
	strict_pm -- "$pyst" -m pip download -q --no-deps -d "$tmp/work/sdl" stockade-tiny >"$tmp/err" 2>&1 ||
		fail "pip download under strict: $(tail -5 "$tmp/err")"
	[ -f "$tmp/work/sdl/stockade_tiny-1.0-py3-none-any.whl" ] || fail "pip download under strict: no wheel"
	grep -qi "cache" "$tmp/err" && fail "pip under strict warned about its cache: $(cat "$tmp/err")"
	strict_pm -- "$pyst" -m pip install -q --no-deps --target "$tmp/work/ssite" stockade-tiny >"$tmp/err" 2>&1 ||
		fail "pip install under strict: $(tail -5 "$tmp/err")"
	[ -f "$tmp/work/ssite/stockade_tiny/__init__.py" ] || fail "pip install under strict: the package is not there"
	if [ $shome_outside = yes ]; then
		[ -n "$(find "$shome/.cache/stockade/pip" -type f 2>/dev/null)" ] ||
			fail "pip under strict: nothing in the sandbox's cache ~/.cache/stockade/pip"
		[ ! -e "$shome/.cache/pip" ] || fail "pip under strict wrote the user's cache ~/.cache/pip"
	fi
else
	echo "note: pip is not installed; its case is skipped"
fi


[ $fails -eq 0 ] || exit 1
echo "net-proxy-pm (isolation $NET_PROXY_ISOLATION, network namespace: $netns): git, npm, pip through the proxy: ok"
