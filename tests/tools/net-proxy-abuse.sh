#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Network mode proxy (issue 15), loopback only: a local server (started and
# stopped by lib/net-proxy-setup.sh) stands in for a web server, a dumb-http git
# host, an npm registry (packument and tarball) and a pip simple index, under the
# name registry.test pinned to 127.0.0.1 (network.hosts).  No name this test lets
# through resolves anywhere but the pin or /etc/hosts' localhost, so no packet
# leaves loopback.  (net-proxy-pm.sh: package managers; net-proxy-abuse.sh: the
# proxy under abuse.)  Checks:
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
#    lockdown (build/proxy-confine-check) lets it make TCP sockets
#    only; where its lockdown fails it exits and the run does not start; a
#    proxy that cannot be exec'd or ends before its word fails the run (125);
#  - the supervisor keeps its descriptors over 300 mediated connects.
set -eu
. "$(dirname "$0")/lib/net-proxy-setup.sh"

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

# the proxy's confinement from inside (its own confine.o): only TCP
# sockets, no capability, not root
check=$(dirname "$STOCKADE")/proxy-confine-check
if [ -x "$check" ]; then
	out=$("$check" 2>&1) || fail "the proxy's confinement: $out"
	for s in unix udp udp6 raw-icmp packet netlink-route netlink-netfilter mptcp; do
		echo "$out" | grep -q "^$s refused 13$" || fail "the proxy's confinement let a $s socket be made: $out"
	done
	echo "$out" | grep -q '^tcp made$' || fail "the proxy's confinement refused a TCP socket: $out"
	echo "$out" | grep -q '^socketpair-unix-dgram refused 13$' ||
		fail "the proxy's confinement let a unix datagram pair be made: $out"
	# files: what the resolver reads; the libraries only for a proxy
	# linked dynamically (the check is linked as the proxy is)
	echo "$out" | grep -q '^read /etc/hosts opened$' || fail "the proxy cannot read /etc/hosts: $out"
	echo "$out" | grep -q '^read /root refused 13$' || fail "the proxy can read /root: $out"
	if echo "$out" | grep -q '^linked statically$'; then
		echo "$out" | grep -q '^read /usr/bin/env refused 13$' ||
			fail "a static proxy can read the libraries' trees: $out"
	fi
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
# with the reason and stockade's status, 125 (never the command's 126 or
# 127); the command does not run, nothing waits 10 s for it (exec'd in
# place or in namespaces, supervised, audited)
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
		[ $st = 125 ] && [ ! -e "$tmp/work/ran" ] && [ $((t1 - t0)) -lt 8 ] &&
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
echo "net-proxy-abuse (isolation $NET_PROXY_ISOLATION, network namespace: $netns): the proxy under abuse, its lockdown, its end: ok"
