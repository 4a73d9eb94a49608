#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Network mode proxy (issue 15), loopback only: a local server (started and
# stopped by lib/net-proxy-setup.sh) stands in for a web server, a dumb-http git
# host, an npm registry (packument and tarball) and a pip simple index, under the
# name registry.test pinned to 127.0.0.1 (network.hosts).  No name this test lets
# through resolves anywhere but the pin or /etc/hosts' localhost, so no packet
# leaves loopback.  (net-proxy-pm.sh: package managers; net-proxy-abuse.sh: the
# proxy under abuse.)  Checks:
#  - curl and python urllib reach the allowed name through the proxy, under
#    agent with --allow-host and under strict; the Host forwarded is the one
#    decided on; plain HTTP gets a Host; an IPv6 address's 403 suggests a name;
#  - a name not allowed gets a 403 naming it and the fix, a line on stderr,
#    a report line and JSON event; localhost, allowed but not pinned, is
#    refused by the address guard (loopback);
#  - the proxy is no child of the command;
#  - direct connections fail: the server's port, the proxy's port on
#    127.0.0.2, UDP, sendto with MSG_FASTOPEN; a request without the run's
#    credential gets 407;
#  - a tcp_connect entry lets the server's port through;
#  - --audit lets a refused name through and says it would refuse; the
#    report suggests the narrowest fix, not `--net full`; learn writes the
#    hosts reached as network.allow and the learned policy re-runs.
set -eu
. "$(dirname "$0")/lib/net-proxy-setup.sh"

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


[ $fails -eq 0 ] || exit 1
echo "net-proxy (isolation $NET_PROXY_ISOLATION, network namespace: $netns): curl, urllib through the proxy; refusals, guard, bypasses, tcp_connect, audit, report, learn: ok"
