# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by tests/tools/net-proxy*.sh (not a test of its own): the setup
# they share.  Each pass twice ("$0" is the sourcing script), then: the binaries and tools, a temp dir outside /tmp, the local
# server (started here, stopped by the EXIT trap) standing in for a web
# server, a git host, an npm registry and a pip index under the name
# registry.test pinned to 127.0.0.1, the policies (agent.yaml,
# strict.yaml), and the helpers: sr (stockade run with this pass's
# isolation), agent, strict_pm, fail; $netns says whether the pass has a
# network namespace.  Loopback only: no name resolves anywhere but a pin
# or /etc/hosts' localhost.
# Both ways: without namespaces (Landlock, the supervisor) and with them
# where they can be made (an empty network namespace holding the proxy's
# listener).
if [ -z "${NET_PROXY_ISOLATION:-}" ]; then
	st=0
	NET_PROXY_ISOLATION=off sh "$0" || st=$?
	[ $st -eq 0 ] || [ $st -eq 77 ] || exit $st
	NET_PROXY_ISOLATION=auto sh "$0" || st=$?
	exit $st
fi
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
PROBES=${PROBES:-$(dirname "$STOCKADE")/probes}
[ -x "$(dirname "$STOCKADE")/stockade-proxy" ] || [ -n "${STOCKADE_PROXY_BIN:-}" ] ||
	{ echo "FAIL: stockade-proxy is not built beside $STOCKADE"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is not installed"; exit 77; }
command -v curl >/dev/null 2>&1 || { echo "SKIP: curl is not installed"; exit 77; }
sr() { "$STOCKADE" run --isolation "$NET_PROXY_ISOLATION" "$@"; }
sr --net proxy -- true 2>/dev/null || { echo "SKIP: network mode proxy cannot run here"; exit 77; }
# Outside /tmp (always a write root): the policy files here are none the
# command could rewrite, which stockade would warn about.
tmp=$(mktemp -d /var/tmp/stockade-net.XXXXXX)
server=
holder=
flood=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	for k in $holder $flood; do kill "$k" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
mkdir "$tmp/home" "$tmp/www" "$tmp/work"
HOME=$tmp/home
export HOME
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy NO_PROXY no_proxy

# ---- the server ----
echo hello-from-registry >"$tmp/www/index.html"
head -c 3000000 /dev/urandom >"$tmp/www/big.bin"
python3 - "$tmp/www" "$tmp/port" "$tmp/auth-seen" <<'PY' &
import functools, http.server, os, sys
root, portfile, authfile = sys.argv[1], sys.argv[2], sys.argv[3]
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def end_headers(self):
        if self.path.startswith("/files/"):  # as PyPI's files host: pip caches them
            self.send_header("Cache-Control", "max-age=600")
        super().end_headers()
    def do_GET(self):
        if self.headers.get("Authorization"):  # what a client sent as its credential
            with open(authfile, "a") as f:
                f.write(self.path + " " + self.headers.get("Authorization") + "\n")
        if self.path == "/echo-host":  # what the proxy forwarded as Host
            body = (self.headers.get("Host") or "").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()
class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address): pass  # clients that go away mid-transfer
srv = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=root))
with open(portfile + ".tmp", "w") as f: f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
PY
server=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
port=$(cat "$tmp/port")
base=http://registry.test:$port

cat >"$tmp/agent.yaml" <<EOF
extends: agent
network:
  mode: proxy
  hosts:
    registry.test: 127.0.0.1
EOF
sed 's/extends: agent/extends: strict/' "$tmp/agent.yaml" >"$tmp/strict.yaml"
agent() { sr --policy "$tmp/agent.yaml" --allow-host "registry.test:$port" "$@"; }
# strict's package manager runs get a home outside strict's write roots (the
# temp dirs), as a real one is: their caches must go where strict points
# them (~/.cache/stockade), their config be read and ~/.npmrc refused, as
# strict says.  Without the machine's package manager settings (PIP_*,
# npm_config_*: the config files below say where the index is).
shome=$tmp/strict-home
mkdir "$shome"
shome_outside=yes
case $shome/ in
"${TMPDIR:-/tmp}"/*)
	echo "note: TMPDIR holds $tmp; strict's package manager caches are not checked"
	shome_outside=no
	;;
esac
strict_pm() {
	env -u npm_config_cache -u npm_config_registry -u npm_config_userconfig -u PIP_CACHE_DIR -u PIP_INDEX_URL \
		-u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS -u PIP_TRUSTED_HOST -u PIP_NO_CACHE_DIR -u PIP_CONFIG_FILE \
		-u XDG_CONFIG_HOME -u XDG_CACHE_HOME HOME="$shome" PIP_ROOT_USER_ACTION=ignore \
		"$STOCKADE" run --isolation "$NET_PROXY_ISOLATION" --policy "$tmp/strict.yaml" --allow-host "registry.test:$port" "$@"
}

cd "$tmp/work"

netns=no
if [ "$NET_PROXY_ISOLATION" = auto ]; then
	if sr -v --policy "$tmp/agent.yaml" -- true 2>&1 | grep -q "namespaces .*network namespaces"; then
		netns=yes
		# the command's network namespace has loopback only
		out=$(sr --policy "$tmp/agent.yaml" -- sh -c "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '" 2>&1)
		[ "$out" = lo ] || fail "the network namespace has more than lo: $out"
	else
		echo "note: no namespaces here; the isolation auto pass runs without them"
	fi
fi
