#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Real toolchains inside (docs/toolchains.md), with a scratch HOME laid out
# like a developer's: a pyenv-style shim and versions dir, a cargo home with
# a token, ~/.gitconfig, ~/.npmrc with a token.  Under agent and strict:
# npm install + npm test (local tarball), python3 -m venv + pip install of a
# local wheel, git commit with the user's config, the home toolchain runs
# (strict: through its manager's root; elsewhere only with --exec); the
# tokens stay unreadable; what a sandboxed run can write to a cache is not
# what the next unsandboxed run of the tool reads, and the user's own caches
# (npx's _npx, cargo's extracted registry/src) cannot be planted into.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
# The home must lie outside every write root (the temp dirs), as a real one does.
case ${TMPDIR:-/tmp} in /var/tmp*) echo "SKIP: TMPDIR is under /var/tmp, where the scratch home goes"; exit 77 ;; esac
[ -d /var/tmp ] && [ -w /var/tmp ] || { echo "SKIP: /var/tmp is not writable"; exit 77; }
tmp=$(mktemp -d /var/tmp/stockade-toolchains.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
H=$tmp/home
mkdir -p "$H/.pyenv/shims" "$H/.pyenv/versions/9.9/bin" "$H/.cargo/bin" "$H/.cargo/registry/src/idx" \
	"$H/.other/bin" "$H/.npm/_npx" "$tmp/proj" "$tmp/proj/pkg/package"
real_home=$HOME
real_path=$PATH
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# The developer's home.
printf '#!/bin/sh\necho "pytool $*"\n' >"$H/.pyenv/versions/9.9/bin/pytool"
printf '#!/bin/sh\nexec "$PYENV_ROOT/versions/9.9/bin/pytool" "$@"\n' >"$H/.pyenv/shims/pytool"
printf '#!/bin/sh\necho cargo-fake\n' >"$H/.cargo/bin/cargo-fake"
printf '#!/bin/sh\necho other\n' >"$H/.other/bin/othertool"
chmod +x "$H/.pyenv/versions/9.9/bin/pytool" "$H/.pyenv/shims/pytool" "$H/.cargo/bin/cargo-fake" "$H/.other/bin/othertool"
printf '[registry]\ntoken = "cargo-SECRET"\n' >"$H/.cargo/credentials.toml"
printf '//registry.npmjs.org/:_authToken=npm-SECRET\n' >"$H/.npmrc"
printf '[user]\n\tname = Toolchain Tester\n\temail = tester@example.invalid\n' >"$H/.gitconfig"
HOME=$H
PYENV_ROOT=$H/.pyenv
PATH=$H/.pyenv/shims:$H/.cargo/bin:$H/.other/bin:$PATH
export HOME PYENV_ROOT PATH
unset CARGO_HOME RUSTUP_HOME NVM_DIR GOPATH npm_config_cache PIP_CACHE_DIR XDG_CONFIG_HOME GIT_CONFIG_GLOBAL 2>/dev/null || true
cd "$tmp/proj"

for preset in agent strict; do
	# The home toolchain, through its manager's root.
	out=$("$STOCKADE" run --preset $preset -- pytool hi 2>&1) && [ "$out" = "pytool hi" ] &&
		ok "$preset: a pyenv-style shim runs its version" || fail "$preset: pyenv shim: $out"
	out=$("$STOCKADE" run --preset $preset -- cargo-fake 2>&1) && [ "$out" = cargo-fake ] &&
		ok "$preset: ~/.cargo/bin runs" || fail "$preset: cargo bin: $out"
	# Tokens stay carved out.
	if "$STOCKADE" run --preset $preset -- cat "$H/.cargo/credentials.toml" >/dev/null 2>&1; then
		fail "$preset: read ~/.cargo/credentials.toml"
	else
		ok "$preset: ~/.cargo/credentials.toml is unreadable"
	fi
	if "$STOCKADE" run --preset $preset -- cat "$H/.npmrc" >/dev/null 2>&1; then
		fail "$preset: read ~/.npmrc"
	else
		ok "$preset: ~/.npmrc is unreadable"
	fi
	# The user's caches cannot be planted into.
	if "$STOCKADE" run --preset $preset -- sh -c 'echo "console.log(1)" >"$HOME/.npm/_npx/planted.js"' 2>/dev/null ||
		"$STOCKADE" run --preset $preset -- sh -c 'echo "fn main(){}" >"$HOME/.cargo/registry/src/idx/build.rs"' 2>/dev/null; then
		fail "$preset: planted a file in ~/.npm/_npx or ~/.cargo/registry/src"
	else
		ok "$preset: ~/.npm/_npx and ~/.cargo/registry/src cannot be planted into"
	fi
done

# strict: a toolchain outside any manager's root needs --exec.
if "$STOCKADE" run --preset strict -- othertool >"$tmp/out" 2>&1; then
	fail "strict ran ~/.other/bin/othertool without --exec"
else
	grep -q "exec ~/.other/bin/othertool refused: not under any exec root; fix: --exec ~/.other" "$tmp/out" &&
		ok "strict: a refused command says why and names --exec ~/.other" ||
		fail "strict: no explanation of the refused exec: $(cat "$tmp/out")"
	out=$("$STOCKADE" run --preset strict --exec "$H/.other" -- othertool 2>&1) && [ "$out" = other ] &&
		ok "strict: --exec ~/.other runs ~/.other/bin/othertool" || fail "strict --exec: $out"
fi
out=$("$STOCKADE" explain --preset strict --path "$H/.other/bin/othertool" --access exec)
case $out in *"fix: --exec ~/.other"*) ok "explain --path names the fix --exec ~/.other" ;;
*) fail "explain --path: $out" ;; esac

# git commit with the user's config.
git init -q . && echo x >file
for preset in agent strict; do
	echo $preset >>file
	if "$STOCKADE" run --preset $preset -- sh -c 'git add file && git commit -qm "under '$preset'"' 2>"$tmp/err"; then
		author=$(git log -1 --format=%an)
		[ "$author" = "Toolchain Tester" ] && ok "$preset: git commit with ~/.gitconfig's author" ||
			fail "$preset: author $author"
	else
		fail "$preset: git commit: $(cat "$tmp/err")"
	fi
done

# A linked worktree: strict reads its main repository ($GIT_COMMON_DIR);
# committing takes the writes docs/landlock.md lists.
git -C "$tmp/proj" worktree add -q "$tmp/linked" 2>/dev/null
if (cd "$tmp/linked" && "$STOCKADE" run --preset strict -- git log -1 --format=%an) >"$tmp/out" 2>&1 &&
	[ "$(cat "$tmp/out")" = "Toolchain Tester" ]; then
	ok "strict: git log in a linked worktree"
else
	fail "strict: git log in a linked worktree: $(cat "$tmp/out")"
fi
common=$tmp/proj/.git
echo linked >"$tmp/linked/file"
if (cd "$tmp/linked" && "$STOCKADE" run --preset strict --write "$common/objects" --write "$common/refs" \
	--write "$common/logs" --write "$common/worktrees/linked" -- sh -c 'git add file && git commit -qm linked') \
	>"$tmp/out" 2>&1 && [ "$(git -C "$tmp/linked" log -1 --format=%s)" = linked ]; then
	ok "strict: git commit in a linked worktree with the documented writes"
else
	fail "strict: git commit in a linked worktree: $(cat "$tmp/out")"
fi

# A commit signed through ssh-agent, under strict, when the policy names
# the agent's socket (sockets: allow); refused when it does not.
if command -v ssh-agent >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1 && command -v ssh-add >/dev/null 2>&1; then
	agent_out=$(ssh-agent -a "$tmp/agent.sock") && eval "$agent_out" >/dev/null
	trap 'kill "${SSH_AGENT_PID:-0}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
	ssh-keygen -q -t ed25519 -N '' -C signer -f "$tmp/signkey" >/dev/null && ssh-add -q "$tmp/signkey" 2>/dev/null
	printf 'version: 1\nextends: strict\nsockets:\n  allow: [$SSH_AUTH_SOCK]\n' >"$tmp/agent-sock.yaml"
	GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0=gpg.format GIT_CONFIG_VALUE_0=ssh GIT_CONFIG_KEY_1=user.signingkey
	GIT_CONFIG_VALUE_1="key::$(cat "$tmp/signkey.pub")"
	export GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0 GIT_CONFIG_KEY_1 GIT_CONFIG_VALUE_1
	echo signed >>file
	git add file
	# Refused (mediated connect) or out of sight (a mount namespace): either
	# way ssh-keygen finds no agent and git writes no commit.
	before=$(git rev-parse HEAD)
	if "$STOCKADE" run --preset strict -- git commit -q -S -m unsigned >"$tmp/out" 2>&1; then
		fail "strict signed a commit through an ssh-agent socket the policy does not name"
	elif [ "$(git rev-parse HEAD)" = "$before" ] && grep -qiE "sockets: allow|private key|agent" "$tmp/out"; then
		ok "strict: the ssh-agent socket is out of reach unless the policy names it"
	else
		fail "unsigned commit failed for another reason: $(cat "$tmp/out")"
	fi
	if "$STOCKADE" run --policy "$tmp/agent-sock.yaml" -- git commit -q -S -m signed >"$tmp/out" 2>&1 &&
		git cat-file -p HEAD | grep -q '^gpgsig -----BEGIN SSH SIGNATURE'; then
		ok "strict + sockets: allow [\$SSH_AUTH_SOCK]: git commit -S signed through ssh-agent"
	else
		fail "signed commit: $(cat "$tmp/out")"
	fi
	kill "$SSH_AGENT_PID" 2>/dev/null || true
	unset GIT_CONFIG_COUNT GIT_CONFIG_KEY_0 GIT_CONFIG_VALUE_0 GIT_CONFIG_KEY_1 GIT_CONFIG_VALUE_1
else
	echo "skip: ssh-agent, ssh-keygen or ssh-add is not installed: signed commits not tried"
fi

# npm install + npm test of a local tarball, the cache the sandbox's own.
if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
	echo '{"name":"localdep","version":"1.0.0","main":"index.js"}' >"$tmp/proj/pkg/package/package.json"
	echo 'module.exports = () => 42;' >"$tmp/proj/pkg/package/index.js"
	(cd "$tmp/proj/pkg" && tar czf localdep-1.0.0.tgz package)
	cat >package.json <<'JSON'
{"name":"proj","version":"1.0.0","scripts":{"test":"node -e \"process.exit(require('localdep')() === 42 ? 0 : 1)\""},"dependencies":{"localdep":"file:pkg/localdep-1.0.0.tgz"}}
JSON
	for preset in agent strict; do
		rm -rf node_modules package-lock.json
		if "$STOCKADE" run --preset $preset -- npm install --offline --no-audit --no-fund >"$tmp/err" 2>&1 &&
			"$STOCKADE" run --preset $preset -- npm test >>"$tmp/err" 2>&1; then
			ok "$preset: npm install + npm test"
		else
			fail "$preset: npm: $(tail -5 "$tmp/err")"
		fi
	done
	[ -d "$H/.cache/stockade/npm/_cacache" ] && ok "npm's cache went to ~/.cache/stockade/npm" ||
		fail "no npm cache in ~/.cache/stockade/npm"
	inside=$("$STOCKADE" run -- npm config get cache 2>/dev/null)
	outside=$(npm config get cache 2>/dev/null)
	[ "$inside" = "$H/.cache/stockade/npm" ] && [ "$outside" = "$H/.npm" ] &&
		ok "the sandbox's npm cache is not the one an unsandboxed npm (and npx) uses" ||
		fail "npm cache inside $inside, outside $outside"
else
	echo "skip: npm or node is not installed: npm install + npm test not tried"
fi

# python3 -m venv + pip install of a local wheel, no network.
py=/usr/bin/python3
if [ -x $py ] && $py -c 'import venv, ensurepip' 2>/dev/null; then
	mkdir -p "$tmp/proj/whl/tinypkg" "$tmp/proj/whl/tinypkg-1.0.dist-info"
	echo 'VALUE = 42' >"$tmp/proj/whl/tinypkg/__init__.py"
	printf 'Metadata-Version: 2.1\nName: tinypkg\nVersion: 1.0\n' >"$tmp/proj/whl/tinypkg-1.0.dist-info/METADATA"
	printf 'Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n' \
		>"$tmp/proj/whl/tinypkg-1.0.dist-info/WHEEL"
	printf 'tinypkg/__init__.py,,\ntinypkg-1.0.dist-info/METADATA,,\ntinypkg-1.0.dist-info/WHEEL,,\ntinypkg-1.0.dist-info/RECORD,,\n' \
		>"$tmp/proj/whl/tinypkg-1.0.dist-info/RECORD"
	(cd "$tmp/proj/whl" && $py -c 'import zipfile,os
z=zipfile.ZipFile("tinypkg-1.0-py3-none-any.whl","w")
[z.write(os.path.join(d,f)) for d in ("tinypkg","tinypkg-1.0.dist-info") for f in os.listdir(d)]')
	for preset in agent strict; do
		rm -rf venv
		if "$STOCKADE" run --preset $preset -- $py -m venv venv >"$tmp/err" 2>&1 &&
			"$STOCKADE" run --preset $preset -- ./venv/bin/pip install -q --no-index \
				"$tmp/proj/whl/tinypkg-1.0-py3-none-any.whl" >>"$tmp/err" 2>&1 &&
			out=$("$STOCKADE" run --preset $preset -- ./venv/bin/python -c 'import tinypkg; print(tinypkg.VALUE)') &&
			[ "$out" = 42 ]; then
			ok "$preset: python3 -m venv + pip install of a local wheel"
		else
			fail "$preset: venv/pip: $(tail -5 "$tmp/err")"
		fi
	done
else
	echo "skip: $py has no venv/ensurepip (python3-venv): venv + pip not tried"
fi

# cargo build --offline of a crate without dependencies, with the invoking
# user's rustup toolchain (its roots from $RUSTUP_HOME and $CARGO_HOME).
if cargo=$(PATH=$real_path command -v cargo) && [ -d "${RUSTUP_HOME:-$real_home/.rustup}" ]; then
	mkdir -p crate/src
	printf '[package]\nname = "crate"\nversion = "0.1.0"\nedition = "2021"\n' >crate/Cargo.toml
	echo 'fn main() { println!("built"); }' >crate/src/main.rs
	for preset in agent strict; do
		rm -rf crate/target
		if (cd crate && RUSTUP_HOME=${RUSTUP_HOME:-$real_home/.rustup} CARGO_HOME=${CARGO_HOME:-$(dirname "$(dirname "$cargo")")} \
			"$STOCKADE" run --preset $preset -- "$cargo" build --offline -q) >"$tmp/err" 2>&1 &&
			[ "$(crate/target/debug/crate)" = built ]; then
			ok "$preset: cargo build --offline"
		else
			fail "$preset: cargo build: $(tail -5 "$tmp/err")"
		fi
	done
else
	echo "skip: cargo (with a rustup home) is not installed: cargo build --offline not tried"
fi

[ $fails -eq 0 ] || { echo "FAIL: $fails check(s) failed"; exit 1; }
echo "toolchains: all checks passed"
