#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Network mode proxy (issue 15), loopback only: a local server (started and
# stopped here) stands in for a web server, a dumb-http git host, an npm
# registry (packument and tarball) and a pip simple index, under the name
# registry.test pinned to 127.0.0.1 (network.hosts).  No name this test lets
# through resolves anywhere but the pin or /etc/hosts' localhost, so no
# packet leaves loopback.  Checks:
#  - curl, python urllib, git clone, npm install, pip download/install reach
#    the allowed name through the proxy, under agent with --allow-host and
#    under strict; strict's npm and pip (a home outside its write roots, as
#    a real one is) read their config (the project's .npmrc, pip.conf),
#    not ~/.npmrc's token, and cache in ~/.cache/stockade, not the user's
#    caches; npm's second install is served from there (--offline);
#  - a name not allowed gets a 403 naming it and the fix, a line on stderr,
#    a report line and JSON event (agent and strict; npm under strict from
#    a registry not allowed too); localhost, allowed but not pinned, is
#    refused by the address guard (loopback);
#  - direct connections fail: the server's port, the proxy's port on
#    127.0.0.2, UDP, sendto with MSG_FASTOPEN; a request without the run's
#    credential gets 407;
#  - a tcp_connect entry lets the server's port through;
#  - --audit lets a refused name through and says it would refuse;
#  - the proxy survives hundreds of connections, half-closes, garbage, an
#    oversized head and a client that disappears mid-transfer, with as many
#    descriptors after as before, and is gone when the run ends;
#  - it is gone within 5 s of the run's end although the command left 60
#    idle tunnels and 530 slow clients without the credential hold
#    connections from outside, and the run's requests went through meanwhile;
#    a tunnel whose client half-closed (upstream idle) is dropped in 20 s;
#    past 512 connections the next gets a 503 at once;
#  - it keeps no capability (root: uid 65534, empty bounding set), is not
#    dumpable, has wiped its credential from /proc/PID/environ, and its own
#    lockdown (build/proxy-confine-check) lets it make TCP and unix sockets
#    only; where its lockdown fails it exits and the run does not start;
#    plain HTTP gets a Host; an IPv6 address's 403 suggests a name.
set -eu
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

# ---- curl, python ----
out=$(agent -- curl -sS "$base/index.html" 2>&1) || fail "curl through the proxy: $out"
[ "$out" = hello-from-registry ] || fail "curl got: $out"
out=$(agent -- curl -sS -p "$base/index.html" 2>&1) || fail "curl CONNECT through the proxy: $out"
[ "$out" = hello-from-registry ] || fail "curl CONNECT got: $out"
out=$(agent -- python3 -c "import urllib.request; print(urllib.request.urlopen('$base/index.html').read().decode().strip())" 2>&1) ||
	fail "python urllib through the proxy: $out"
[ "$out" = hello-from-registry ] || fail "python urllib got: $out"
py=/usr/bin/python3
[ -x $py ] || py=python3
out=$(sr --policy "$tmp/strict.yaml" --allow-host "registry.test:$port" -- \
	$py -c "import urllib.request; print(urllib.request.urlopen('$base/index.html').read().decode().strip())" 2>&1) ||
	fail "python urllib under strict: $out"
[ "$out" = hello-from-registry ] || fail "python urllib under strict got: $out"
out=$(sr --policy "$tmp/strict.yaml" --allow-host "registry.test:$port" -- curl -sS "$base/index.html" 2>&1) ||
	fail "curl under strict: $out"
[ "$out" = hello-from-registry ] || fail "curl under strict got: $out"

# the Host header is the host decided on, not the client's (domain fronting)
out=$(agent -- curl -sS -H "Host: evil.test" "$base/echo-host" 2>&1) || fail "echo-host: $out"
[ "$out" = "registry.test:$port" ] || fail "the proxy forwarded Host: $out"
# ... and one is sent where the client sent none (HTTP/1.1 needs it)
out=$(agent -- python3 - "$port" <<'PY' 2>&1
import base64, os, socket, sys
url = os.environ["HTTP_PROXY"]
cred = url.split("//", 1)[1].split("@", 1)[0]
s = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))
s.sendall(b"GET http://registry.test:%s/echo-host HTTP/1.1\r\nProxy-Authorization: Basic %s\r\n\r\n"
          % (sys.argv[1].encode(), base64.b64encode(cred.encode())))
d = b""
while True:
    c = s.recv(4096)
    if not c:
        break
    d += c
print(d.split(b"\r\n\r\n", 1)[-1].decode())
PY
) || fail "no-Host request: $out"
[ "$out" = "registry.test:$port" ] || fail "without a Host from the client the proxy forwarded Host: $out"
# an IPv6 address: the fix is a name for it (network.allow lists names only)
out=$(agent -- curl -sS -p -w '%{http_code}' "http://[::ffff:127.0.0.1]:$port/" 2>"$tmp/err") || true
grep -q "proxy refused CONNECT ::ffff:127.0.0.1:$port: not in network.allow (a name for it: network.hosts: {NAME: \"::ffff:127.0.0.1\"} and --allow-host NAME:$port)" \
	"$tmp/err" || fail "the 403 for an IPv6 address: $out $(cat "$tmp/err")"

# Landlock without TCP rules (ABI 3, Debian 12's kernel): without a network
# namespace no TCP socket can be opened (fail closed); in one, the proxy is
# all there is to reach
out=$(STOCKADE_TEST_LANDLOCK_ABI=3 agent -- curl -sS "$base/index.html" 2>/dev/null) || true
if [ "$netns" = yes ]; then
	[ "$out" = hello-from-registry ] || fail "Landlock ABI 3 in a network namespace: got $out"
else
	[ -z "$out" ] || fail "Landlock ABI 3 without a network namespace let TCP through: $out"
fi

# ---- refused: not allowed, the address guard ----
out=$(agent -- curl -sS -w '%{http_code}' "http://evil.test:$port/" 2>"$tmp/err") || true
case $out in
*"evil.test:$port is not reachable"*"--allow-host evil.test:$port"*403) ;;
*) fail "a name not allowed: got $out" ;;
esac
grep -q "stockade: proxy refused GET evil.test:$port: not in network.allow" "$tmp/err" ||
	fail "no refusal line on stderr: $(cat "$tmp/err")"
out=$(agent -- curl -sS -p -w '%{http_code}' "https://evil.test/" 2>"$tmp/err") || true
grep -q "proxy refused CONNECT evil.test:443: not in network.allow (--allow-host evil.test" "$tmp/err" ||
	fail "CONNECT to a name not allowed: $out $(cat "$tmp/err")"
# ... and so under strict: the 403 naming the host and the fix, the line on
# stderr, the report's line and JSON event
out=$(sr --policy "$tmp/strict.yaml" --allow-host "registry.test:$port" --report --report-json "$tmp/strict.json" -- \
	curl -sS -w '%{http_code}' "http://evil.test:$port/" 2>"$tmp/err") || true
case $out in
*"evil.test:$port is not reachable"*"--allow-host evil.test:$port"*403) ;;
*) fail "a name not allowed under strict: got $out" ;;
esac
grep -q "stockade: proxy refused GET evil.test:$port: not in network.allow" "$tmp/err" &&
	grep -q "^  GET evil.test:$port (1 time by curl (pid [0-9]*)): network.allow; --allow-host evil.test:$port" "$tmp/err" ||
	fail "a name not allowed under strict: no refusal and report line: $(cat "$tmp/err")"
grep -q "\"event\":\"network\",\"method\":\"GET\",\"host\":\"evil.test\",\"port\":$port,.*\"fix\":\"--allow-host evil.test:$port\"" \
	"$tmp/strict.json" || fail "a name not allowed under strict: no network event in the JSON report: $(cat "$tmp/strict.json")"
grep -q "fix: --net full" "$tmp/err" && fail "the report suggests --net full under strict's mode proxy: $(cat "$tmp/err")"
if grep -q '^127\.0\.0\.1[[:space:]].*localhost' /etc/hosts; then
	out=$(sr --policy "$tmp/agent.yaml" --allow-host "localhost:$port" -- \
		curl -sS --noproxy '' -w '%{http_code}' "http://localhost:$port/index.html" 2>&1) || true
	case $out in
	*"localhost resolves to "*"loopback"*403*) ;; # 127.0.0.1 or ::1, whichever /etc/hosts lists first
	*) fail "the guard let localhost (loopback, not pinned) through: $out" ;;
	esac
	# network.private: the same name, its private answer accepted
	printf 'network:\n  private: [localhost]\n' >"$tmp/private.yaml"
	out=$(sr --policy "$tmp/agent.yaml" --policy "$tmp/private.yaml" --allow-host "localhost:$port" -- \
		curl -sS --noproxy '' "http://localhost:$port/index.html" 2>&1) || true
	[ "$out" = hello-from-registry ] || fail "network.private: [localhost] did not let its loopback answer through: $out"
else
	echo "note: /etc/hosts has no 127.0.0.1 localhost line; the guard's resolver case is skipped"
fi

# ---- the proxy is no child of the command (it detaches itself) ----
out=$(agent -- python3 -c "
import os
p = os.getpid()
f = '/proc/%d/task/%d/children' % (p, p)
print((open(f).read().strip() or 'none') if os.path.exists(f) else 'no-file')" 2>&1) ||
	fail "the children probe did not run: $out"
case $out in
none) ;;
no-file) echo "note: no /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN): the children check is skipped" ;;
*) fail "the command has children at its start (the proxy's?): $out" ;;
esac

# ---- no way around the proxy ----
out=$(agent -- python3 - "$port" <<'PY'
import os, socket, sys
port = int(sys.argv[1])
proxy = int(os.environ["HTTP_PROXY"].rsplit(":", 1)[1])
def attempt(what, f):
    try:
        f()
        print("REACHED", what)
    except OSError as e:
        print("refused", what, e.errno)
def tcp(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect(addr)
attempt("server port", lambda: tcp(("127.0.0.1", port)))
attempt("proxy port on 127.0.0.2", lambda: tcp(("127.0.0.2", proxy)))
attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", port)))
def fastopen():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.sendto(b"GET / HTTP/1.0\r\n\r\n", socket.MSG_FASTOPEN, ("127.0.0.1", port))
    if not s.recv(10):
        raise OSError(0, "nothing")
attempt("MSG_FASTOPEN", fastopen)
def noauth():
    s = socket.create_connection(("127.0.0.1", proxy))
    s.sendall(b"GET http://registry.test:%d/index.html HTTP/1.1\r\nHost: x\r\n\r\n" % port)
    r = s.recv(100)
    if not r.startswith(b"HTTP/1.1 407"):
        raise SystemExit("no credential, and no 407: %r" % r)
    raise OSError(407, "407")
attempt("no credential", noauth)
def autobind():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.listen()
attempt("listen autobind", autobind)
PY
) 2>"$tmp/err" || fail "the bypass probes did not run: $out $(cat "$tmp/err")"
if [ "$netns" = yes ]; then
	# In the proxy's network namespace no supervisor checks addresses
	# (plain enforcement): the namespace refuses what leads elsewhere (111:
	# nothing listens on 127.0.0.2 there), and a listener autobound in it
	# is the command's own (nothing outside the namespace reaches it).
	case $out in
	*"REACHED server port"* | *"REACHED proxy port"* | *"REACHED udp"* | *"REACHED MSG_FASTOPEN"* | \
		*"REACHED no credential"*) fail "a connection bypassed the proxy: $out" ;;
	esac
	echo "$out" | grep -q "^refused proxy port on 127.0.0.2 111$" ||
		fail "the namespace did not refuse the proxy's port on 127.0.0.2: $out"
	[ "$(echo "$out" | grep -c '^refused')" -ge 5 ] || fail "bypass probes: $out"
	grep -q "connect TCP" "$tmp/err" && fail "a supervisor mediated TCP in the namespace: $(cat "$tmp/err")"
else
	case $out in
	*REACHED*) fail "a connection bypassed the proxy: $out" ;;
	esac
	[ "$(echo "$out" | grep -c '^refused')" = 6 ] || fail "bypass probes: $out"
	# the proxy's port on another loopback address: Landlock lets the port
	# through, the supervisor's connect() check refuses the address
	grep -q "stockade: connect TCP 127.0.0.2:[0-9]* refused (Permission denied): tcp_connect lists this port for other addresses only" \
		"$tmp/err" || fail "no mediated refusal for 127.0.0.2: $(cat "$tmp/err")"
fi
# With a report, TCP is mediated in the namespace too (who connected):
# the same refusal as without one
if [ "$netns" = yes ]; then
	out=$(agent --report -- python3 -c "
import os, socket
proxy = int(os.environ['HTTP_PROXY'].rsplit(':', 1)[1])
s = socket.socket()
try:
    s.connect(('127.0.0.2', proxy)); print('ok')
except OSError as e: print(e.errno)" 2>"$tmp/err") || true
	[ "$out" = 13 ] && grep -q "stockade: connect TCP 127.0.0.2:[0-9]* refused (Permission denied)" "$tmp/err" ||
		fail "--report in the namespace: no mediated refusal for 127.0.0.2: $out $(cat "$tmp/err")"
fi

# ---- tcp_connect with an address ----
out=$(sr --tcp-connect "127.0.0.1:$port" -- curl -sS "http://127.0.0.1:$port/index.html" 2>&1) ||
	fail "--tcp-connect 127.0.0.1:$port did not let the port through: $out"
case $out in *hello-from-registry) ;; *) fail "--tcp-connect got: $out" ;; esac

out=$(sr --tcp-connect "127.0.0.1:$port" -- python3 - "$port" <<'PY' 2>"$tmp/err"
import socket, sys
port = int(sys.argv[1])
def attempt(family, addr):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect(addr)
        return "ok"
    except OSError as e:
        return str(e.errno)
print(attempt(socket.AF_INET, ("127.0.0.1", port)), attempt(socket.AF_INET, ("127.0.0.2", port)),
      attempt(socket.AF_INET6, ("::ffff:127.0.0.1", port)), attempt(socket.AF_INET, ("127.0.0.1", port + 1)))
PY
) || fail "--tcp-connect probe: $out $(cat "$tmp/err")"
# 127.0.0.1 and its IPv4-mapped form connect; 127.0.0.2 and another port: EACCES (13)
[ "$out" = "ok 13 ok 13" ] || fail "--tcp-connect 127.0.0.1:$port: got $out $(cat "$tmp/err")"
# The kernel takes a 24-byte IPv6 address (no sin6_scope_id): the
# supervisor must judge it too, never connect it unjudged.
out=$(sr --tcp-connect "127.0.0.1:$port" -- python3 -c "
import ctypes, socket, struct
libc = ctypes.CDLL(None, use_errno=True)
s = socket.socket(socket.AF_INET6)
a = struct.pack('=H', socket.AF_INET6) + struct.pack('!HI', $port, 0) + socket.inet_pton(socket.AF_INET6, '::ffff:127.0.0.2')
r = libc.connect(s.fileno(), a, len(a))
print(len(a), 0 if r == 0 else ctypes.get_errno())" 2>/dev/null) || true
[ "$out" = "24 13" ] || fail "--tcp-connect 127.0.0.1:$port: a 24-byte IPv6 address to 127.0.0.2 got '$out', want '24 13'"
# An io_uring connect is no connect() the filter sees: where connects are
# mediated, no ring is made, even where the policy allows io_uring.
st=0
sr --no-report --preset minimal --tcp-connect "127.0.0.1:$port" -- \
	"$PROBES/try-syscall" io_uring_setup >/dev/null 2>&1 || st=$?
[ "$st" = 1 ] || fail "io_uring_setup with connect() mediated: exit $st, want 1 (EPERM)"
out=$(sr --tcp-connect "$port" -- python3 -c "
import socket
s = socket.socket()
try:
    s.connect(('127.0.0.2', $port)); print('ok')
except OSError as e: print(e.errno)" 2>&1) || true
[ "$out" = 111 ] || fail "--tcp-connect $port (any host): 127.0.0.2 should be refused by the kernel (111), got $out"

# ---- audit ----
out=$(sr --audit --no-report --policy "$tmp/agent.yaml" -- curl -sS "$base/index.html" 2>"$tmp/err") ||
	fail "--audit: the proxy did not let a name through: $out $(cat "$tmp/err")"
[ "$out" = hello-from-registry ] || fail "--audit got: $out"
grep -q "proxy would refuse GET registry.test:$port: not in network.allow" "$tmp/err" ||
	fail "--audit did not say it would refuse: $(cat "$tmp/err")"

# ---- the report: JSON events with the fix, no `--net full` ----
sr --report --report-json "$tmp/work/r.json" --policy "$tmp/agent.yaml" --allow-host "registry.test:$port" -- \
	sh -c "curl -s -o /dev/null http://evil.test:$port/; curl -s -o /dev/null http://evil.test:$port/; python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)' 2>/dev/null; true" \
	2>"$tmp/err" || fail "the reported run failed: $(cat "$tmp/err")"
grep -q "\"event\":\"network\",\"method\":\"GET\",\"host\":\"evil.test\",\"port\":$port,\"count\":2,\"pid\":[0-9]*,\"comm\":\"curl\",.*\"fix\":\"--allow-host evil.test:$port\"" "$tmp/work/r.json" ||
	fail "no network event with its fix in the JSON report: $(cat "$tmp/work/r.json")"
grep -q "GET evil.test:$port (2 times by curl (pid [0-9]*)): network.allow; --allow-host evil.test:$port" "$tmp/err" ||
	fail "no refusal in the text report: $(cat "$tmp/err")"
grep -q "socket(AF_INET, SOCK_DGRAM.*fix: --allow-host HOST, through stockade's proxy" "$tmp/err" ||
	fail "the UDP socket's fix is not the proxy: $(cat "$tmp/err")"
grep -q "fix: --net full" "$tmp/err" && fail "the report suggests --net full under mode proxy: $(cat "$tmp/err")"

# ---- learn: the hosts reached become network.allow, and the policy re-runs ----
"$STOCKADE" learn --isolation "$NET_PROXY_ISOLATION" --base "$tmp/agent.yaml" -o "$tmp/learned.yaml" -- curl -s -o /dev/null "$base/index.html" \
	2>"$tmp/err" || fail "learn failed: $(cat "$tmp/err")"
grep -q "^    - \"registry.test:$port\"" "$tmp/learned.yaml" ||
	fail "learn did not write the host: $(cat "$tmp/learned.yaml")"
out=$(sr --policy "$tmp/learned.yaml" -- curl -sS "$base/index.html" 2>&1) ||
	fail "the learned policy does not run: $out"
[ "$out" = hello-from-registry ] || fail "the learned policy got: $out"
out=$(sr --policy "$tmp/learned.yaml" -- curl -sS "http://other.test:$port/" 2>&1) || true
case $out in *"other.test:$port is not reachable"*) ;; *) fail "the learned policy let other.test through: $out" ;; esac

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

# ---- the proxy under abuse ----
out=$(agent -v -- python3 - "$port" <<'PY' 2>"$tmp/err"
import os, socket, sys, time
port = int(sys.argv[1])
url = os.environ["HTTP_PROXY"]
cred = url.split("//", 1)[1].split("@", 1)[0]
proxy = ("127.0.0.1", int(url.rsplit(":", 1)[1]))
import base64
auth = b"Proxy-Authorization: Basic " + base64.b64encode(cred.encode()) + b"\r\n"
def fds():
    pid = os.environ.get("PROXY_PID")
    return None
socks = []
for i in range(300):  # hundreds at once, then gone
    s = socket.create_connection(proxy)
    socks.append(s)
for s in socks:
    s.close()
for i in range(50):  # half-closed before the head is complete
    s = socket.create_connection(proxy)
    s.sendall(b"GET http://registry.test:%d/ HTTP/1.1\r\n" % port)
    s.shutdown(socket.SHUT_WR)
    s.recv(100)
    s.close()
for junk in (b"\x16\x03\x01\x00\xff" + os.urandom(300) + b"\r\n\r\n", b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n",
             b"CONNECT registry.test HTTP/1.1\r\n" + auth + b"\r\n"):
    s = socket.create_connection(proxy)
    s.sendall(junk)
    r = s.recv(100)
    if not r.startswith(b"HTTP/1.1 4"):
        print("garbage answered with", r[:40])
    s.close()
s = socket.create_connection(proxy)  # an oversized head
s.sendall(b"GET http://registry.test:%d/ HTTP/1.1\r\n" % port + auth + b"X-Big: " + b"a" * 40000 + b"\r\n\r\n")
r = s.recv(100)
if not r.startswith(b"HTTP/1.1 431"):
    print("oversized head answered with", r[:40])
s.close()
for i in range(20):  # a client that goes away mid-transfer
    s = socket.create_connection(proxy)
    s.sendall(b"GET http://registry.test:%d/big.bin HTTP/1.1\r\nHost: x\r\n" % port + auth + b"\r\n")
    s.recv(1000)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()
time.sleep(0.5)
import urllib.request
print(urllib.request.urlopen("http://registry.test:%d/index.html" % port).read().decode().strip())
sys.stdout.flush()
time.sleep(0.5)
PY
) || fail "the abuse client failed: $out $(cat "$tmp/err")"
[ "$(echo "$out" | tail -n 1)" = hello-from-registry ] || fail "the proxy did not serve after the abuse: $out"
case $out in *answered*) fail "$out" ;; esac
pid=$(sed -n 's/^stockade: proxy pid \([0-9]*\) .*/\1/p' "$tmp/err")
[ -n "$pid" ] || fail "no proxy pid in --verbose: $(head -3 "$tmp/err")"
i=0
while [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/stat" 2>/dev/null | awk '{ print $3 }')" != Z ] &&
	[ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ] &&
	fail "the proxy (pid $pid) outlived the run"

# descriptors: the same after the abuse as before it (a run whose proxy we can watch)
agent -v -- sh -c 'echo "$HTTP_PROXY" >"$1/proxy-url"; sleep 2' sh "$tmp/work" 2>"$tmp/err2" &
runner=$!
i=0
while ! grep -q "proxy pid" "$tmp/err2" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
pid=$(sed -n 's/^stockade: proxy pid \([0-9]*\) on 127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/err2")
pport=$(sed -n 's/^stockade: proxy pid \([0-9]*\) on 127.0.0.1:\([0-9]*\)$/\2/p' "$tmp/err2")
if [ -n "$pid" ] && [ -d "/proc/$pid/fd" ]; then
	# the proxy confined itself: no_new_privs and a seccomp filter
	grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$pid/status" && grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid/status" ||
		fail "the proxy is not confined: $(grep -E 'NoNewPrivs|Seccomp' "/proc/$pid/status")"
	# no capability, and started by root, nobody's uid and an empty bounding set
	grep -q '^CapEff:[[:space:]]*0000000000000000$' "/proc/$pid/status" &&
		grep -q '^CapPrm:[[:space:]]*0000000000000000$' "/proc/$pid/status" ||
		fail "the proxy kept capabilities: $(grep '^Cap' "/proc/$pid/status")"
	if [ "$(id -u)" = 0 ]; then
		grep -q '^CapBnd:[[:space:]]*0000000000000000$' "/proc/$pid/status" ||
			fail "the proxy kept a bounding set: $(grep '^CapBnd' "/proc/$pid/status")"
		grep -q '^Uid:[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534[[:space:]]*65534$' "/proc/$pid/status" ||
			fail "the proxy, started by root, runs as $(grep '^Uid' "/proc/$pid/status")"
	fi
	# the credential is not in its environment's memory (unsetenv() alone leaves it there)
	i=0
	while [ ! -s "$tmp/work/proxy-url" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	token=$(sed -n 's|^http://stockade:\([0-9a-f]*\)@.*|\1|p' "$tmp/work/proxy-url")
	[ ${#token} = 32 ] || fail "no credential in the run's HTTP_PROXY: $(cat "$tmp/work/proxy-url")"
	if { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -q "$token"; then
		fail "the credential is readable in /proc/$pid/environ"
	fi
	# not dumpable: its /proc files stay root's although it runs as another uid
	if [ "$(id -u)" = 0 ]; then
		[ "$(stat -c %u "/proc/$pid/environ")" = 0 ] || fail "the proxy is dumpable: $(ls -l "/proc/$pid/environ")"
	fi
	before=$(ls "/proc/$pid/fd" | wc -l)
	python3 - "$pport" <<'PY'
import socket, sys
p = int(sys.argv[1])
for i in range(200):
    s = socket.create_connection(("127.0.0.1", p))
    s.sendall(b"GARBAGE\r\n\r\n" if i % 2 else b"GET http://x/ HTTP/1.1\r\n\r\n")
    s.recv(100)
    s.close()
PY
	sleep 0.3
	after=$(ls "/proc/$pid/fd" | wc -l)
	[ "$before" = "$after" ] || fail "the proxy's descriptors: $before before 200 bad clients, $after after"
else
	fail "could not find the proxy of a running sandbox: $(cat "$tmp/err2")"
fi
wait "$runner" || fail "the watched run failed"

# the proxy's confinement from inside (its own confine.o): only TCP and
# unix sockets, no capability, not root
check=$(dirname "$STOCKADE")/proxy-confine-check
if [ -x "$check" ]; then
	out=$("$check" 2>&1) || fail "the proxy's confinement: $out"
	for s in udp udp6 raw-icmp packet netlink-route netlink-netfilter mptcp; do
		echo "$out" | grep -q "^$s refused 13$" || fail "the proxy's confinement let a $s socket be made: $out"
	done
	echo "$out" | grep -q '^tcp made$' || fail "the proxy's confinement refused a TCP socket: $out"
else
	fail "$check is not built (make $check)"
fi

# fail closed: a proxy that cannot drop its capabilities (root without
# CAP_SETPCAP, so the bounding set stays) says so and exits, it does not
# serve on the listener it was given (serving, it would run until killed)
proxy_bin=${STOCKADE_PROXY_BIN:-$(dirname "$STOCKADE")/stockade-proxy}
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	st=0
	STOCKADE_PROXY_TOKEN=0123456789abcdef0123456789abcdef timeout 10 python3 - "$proxy_bin" <<'PY' >"$tmp/out5" 2>&1 || st=$?
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)  # inheritable
os.set_inheritable(3, True)
os.execvp("setpriv", ["setpriv", "--bounding-set", "-setpcap", "--inh-caps", "-all", sys.argv[1],
                      "--allow", "registry.test:1"])
PY
	[ $st = 1 ] && grep -q "stockade: proxy: cannot drop its privileges: .*; it does not serve" "$tmp/out5" ||
		fail "a proxy whose confinement failed: exit $st, $(cat "$tmp/out5")"
	# ... and stockade waits for the proxy's word: the command does not run
	# (waited for in the command's process: exec'd in place, supervised,
	# reported, audited)
	for how in --no-report --report --audit; do
		rm -f "$tmp/work/ran"
		st=0
		setpriv --bounding-set -setpcap --inh-caps -all "$STOCKADE" run --isolation "$NET_PROXY_ISOLATION" $how \
			--policy "$tmp/agent.yaml" --allow-host "registry.test:$port" -- touch "$tmp/work/ran" >"$tmp/out5" 2>&1 || st=$?
		[ $st != 0 ] && [ ! -e "$tmp/work/ran" ] &&
			grep -q "stockade: proxy: it could not confine itself (.*); the run does not start" "$tmp/out5" ||
			fail "a run ($how) whose proxy could not confine itself: exit $st, ran: $([ -e "$tmp/work/ran" ] && echo yes || echo no), $(cat "$tmp/out5")"
	done
fi

# fail closed, and at once: a proxy that cannot be exec'd (its interpreter
# is missing: it passes the X_OK check, execve fails in the child that
# does not hold stockade up) or that ends before its word fails the run
# with the reason; the command does not run, nothing waits 10 s for it
# (exec'd in place or in namespaces, supervised, audited)
printf '#!/nonexistent/interpreter\n' >"$tmp/noexec-proxy"
printf '#!/bin/sh\nexit 0\n' >"$tmp/gone-proxy"
chmod 755 "$tmp/noexec-proxy" "$tmp/gone-proxy"
for bad in "noexec-proxy:cannot run $tmp/noexec-proxy" "gone-proxy:did not answer before it started; the run does not start"; do
	for how in --no-report --report --audit; do
		rm -f "$tmp/work/ran"
		st=0
		t0=$(date +%s)
		STOCKADE_PROXY_BIN="$tmp/${bad%%:*}" timeout 20 "$STOCKADE" run --isolation "$NET_PROXY_ISOLATION" $how \
			--policy "$tmp/agent.yaml" --allow-host "registry.test:$port" -- touch "$tmp/work/ran" \
			>"$tmp/out6" 2>&1 || st=$?
		t1=$(date +%s)
		[ $st != 0 ] && [ $st != 124 ] && [ ! -e "$tmp/work/ran" ] && [ $((t1 - t0)) -lt 8 ] &&
			grep -q "${bad#*:}" "$tmp/out6" ||
			fail "a run ($how) whose proxy is ${bad%%:*}: exit $st in $((t1 - t0)) s, ran: $([ -e "$tmp/work/ran" ] && echo yes || echo no), $(cat "$tmp/out6")"
	done
done

# ---- the proxy ends with the run, whatever its clients do ----
# Inside: 60 CONNECT tunnels to an upstream that never closes, left open
# when the command ends.  Outside, with no credential: 530 connections
# sending a byte of head now and then (more than the proxy serves at once).
# The run's own requests still go through, and the proxy is gone soon
# after the run.
python3 - "$tmp/hport" <<'PY' &
import os, resource, socket, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1024)
with open(sys.argv[1] + ".tmp", "w") as f: f.write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
keep = []
while True:
    keep.append(s.accept()[0])
PY
holder=$!
i=0
while [ ! -s "$tmp/hport" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
hport=$(cat "$tmp/hport")
rm -f "$tmp/work/go"
agent --allow-host "registry.test:$hport" -v -- python3 - "$hport" "$port" "$tmp/work" <<'PY' >"$tmp/out4" 2>"$tmp/err4" &
import base64, os, socket, sys, time, urllib.request
hport, port, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
url = os.environ["HTTP_PROXY"]
cred = url.split("//", 1)[1].split("@", 1)[0]
proxy = ("127.0.0.1", int(url.rsplit(":", 1)[1]))
while not os.path.exists(d + "/go"):
    time.sleep(0.02)
import threading
def half_closed():  # the client's side closed, the upstream idle: dropped after a grace
    s = socket.create_connection(proxy)
    s.sendall(b"CONNECT registry.test:%d HTTP/1.1\r\nProxy-Authorization: Basic %s\r\n\r\n"
              % (hport, base64.b64encode(cred.encode())))
    s.settimeout(25)
    r = s.recv(100)
    s.shutdown(socket.SHUT_WR)
    t0 = time.time()
    try:
        while s.recv(100):
            pass
        half.append("half-closed tunnel dropped" if time.time() - t0 < 20 else "half-closed tunnel kept")
    except OSError as e:
        half.append("half-closed tunnel kept: %s" % e)
half = []
th = threading.Thread(target=half_closed)
th.start()
tunnels, up = [], 0
for i in range(60):
    s = socket.create_connection(proxy)
    s.settimeout(5)
    s.sendall(b"CONNECT registry.test:%d HTTP/1.1\r\nProxy-Authorization: Basic %s\r\n\r\n"
              % (hport, base64.b64encode(cred.encode())))
    try:
        if s.recv(100).startswith(b"HTTP/1.1 200"):
            up += 1
    except OSError:
        break
    tunnels.append(s)
print("tunnels", up, flush=True)
try:
    print(urllib.request.urlopen("http://registry.test:%d/index.html" % port, timeout=5).read().decode().strip())
except OSError as e:
    print("request failed:", e)
th.join()
print(half[0] if half else "half-closed: no answer", flush=True)
# more tunnels than the proxy serves at once: a 503 at once, not a wait
import resource
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 2048), hard))
except (OSError, ValueError):
    pass
answer = "no 503 in 600 tunnels"
for i in range(600):
    try:
        s = socket.create_connection(proxy)
        s.settimeout(5)
        s.sendall(b"CONNECT registry.test:%d HTTP/1.1\r\nProxy-Authorization: Basic %s\r\n\r\n"
                  % (hport, base64.b64encode(cred.encode())))
        r = s.recv(100)
    except OSError as e:
        answer = "tunnel %d: %s" % (i, e)
        break
    tunnels.append(s)
    if r.startswith(b"HTTP/1.1 503"):
        answer = "503 when full"
        break
print(answer, flush=True)
# the tunnels and the slow clients stay: the run ends here
PY
runner=$!
i=0
while ! grep -q "proxy pid" "$tmp/err4" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
pid=$(sed -n 's/^stockade: proxy pid \([0-9]*\) on 127.0.0.1:\([0-9]*\)$/\1/p' "$tmp/err4")
pport=$(sed -n 's/^stockade: proxy pid \([0-9]*\) on 127.0.0.1:\([0-9]*\)$/\2/p' "$tmp/err4")
flood=
if [ -n "$pport" ]; then
	python3 - "$pport" "$tmp/flooded" <<'PY' &
import resource, socket, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
socks = []
for i in range(530):
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
        s.sendall(b"G")
        socks.append(s)
    except OSError:
        pass
open(sys.argv[2], "w").write(str(len(socks)))
for t in range(60):  # a byte each now and then, never a whole head
    time.sleep(1)
    for s in socks:
        try:
            s.send(b"E", socket.MSG_DONTWAIT)
        except OSError:
            pass
PY
	flood=$!
	i=0
	while [ ! -s "$tmp/flooded" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
else
	fail "no proxy pid in --verbose: $(cat "$tmp/err4")"
fi
touch "$tmp/work/go"
wait "$runner" || fail "the run with tunnels and slow clients failed: $(cat "$tmp/out4") $(cat "$tmp/err4")"
i=0
while [ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ] &&
	[ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ] &&
	fail "the proxy (pid $pid) outlived by 5 s a run that left 60 tunnels and 530 slow clients"
for k in $flood $holder; do
	kill "$k" 2>/dev/null || true
	wait "$k" 2>/dev/null || true
done
flood=
holder=
[ "$(head -n 1 "$tmp/out4")" = "tunnels 60" ] || fail "tunnels under a flood of slow clients: $(cat "$tmp/out4")"
[ "$(sed -n 2p "$tmp/out4")" = hello-from-registry ] ||
	fail "a request of the run under a flood of slow clients: $(cat "$tmp/out4")"
[ "$(sed -n 3p "$tmp/out4")" = "half-closed tunnel dropped" ] ||
	fail "a tunnel whose client side closed (upstream idle) stayed 20 s: $(cat "$tmp/out4")"
[ "$(sed -n 4p "$tmp/out4")" = "503 when full" ] ||
	fail "more tunnels than the proxy serves: $(cat "$tmp/out4")"

# the supervisor's descriptors: the same after 300 mediated connects (allowed
# and refused) as before them
sr --policy "$tmp/agent.yaml" --allow-host "registry.test:$port" -- python3 - "$tmp/work" fdprobe-marker <<'PY' 2>"$tmp/err3" &
import os, socket, sys, time
d = sys.argv[1]
proxy = int(os.environ["HTTP_PROXY"].rsplit(":", 1)[1])
open(d + "/ready", "w").close()
while not os.path.exists(d + "/go"):
    time.sleep(0.02)
for i in range(300):
    s = socket.socket()
    try:
        s.connect(("127.0.0.1" if i % 2 else "127.0.0.2", proxy))
    except OSError:
        pass
    s.close()
open(d + "/done", "w").close()
while not os.path.exists(d + "/end"):
    time.sleep(0.02)
PY
runner=$!
i=0
while [ ! -e "$tmp/work/ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
# the supervisor: the sandboxed python's parent (with namespaces, not the
# outer stockade but init's child)
sup=
for d in /proc/[0-9]*; do
	if { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -q "python3 - $tmp/work fdprobe-marker"; then
		sup=$(awk '{ print $4 }' "$d/stat" 2>/dev/null)
		break
	fi
done
[ -n "$sup" ] || fail "cannot find the sandboxed probe's supervisor"
before=$(ls "/proc/$sup/fd" 2>/dev/null | wc -l)
touch "$tmp/work/go"
i=0
while [ ! -e "$tmp/work/done" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.2
after=$(ls "/proc/$sup/fd" 2>/dev/null | wc -l)
touch "$tmp/work/end"
wait "$runner" || fail "the mediated run failed: $(cat "$tmp/err3")"
[ "$before" -gt 0 ] && [ "$before" = "$after" ] ||
	fail "the supervisor's descriptors: $before before 300 mediated connects, $after after"

[ $fails -eq 0 ] || exit 1
echo "net-proxy (isolation $NET_PROXY_ISOLATION, network namespace: $netns): curl, urllib, git, npm, pip through the proxy; refusals, guard, bypasses, audit, abuse: ok"
