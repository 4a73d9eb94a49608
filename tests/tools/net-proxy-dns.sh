#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The proxy's resolver against a real DNS server (c-ares, DNS over TCP), as
# root, in a mount and network namespace this test makes (unshare -m -n):
# only lo, brought up; a resolv.conf naming 127.0.0.1 to 127.0.0.4 and a
# hosts file bind-mounted over /etc/resolv.conf and /etc/hosts in that mount
# namespace only (the host's stay as they are); a small DNS-over-TCP server
# started here on port 53 of those addresses that answers the test's names
# and NXDOMAIN for the rest.  No query can reach any other resolver: the namespace has
# no route but lo.  Both isolation modes (lib/net-proxy-setup.sh).  Checks:
#  - a name the server answers with 127.0.0.1, listed in network.private,
#    reaches the local server through the proxy (CONNECT and plain HTTP);
#  - a name answered with 127.0.0.2, not private, gets the address guard's
#    403 naming the address;
#  - a name answered NXDOMAIN gets "cannot resolve NAME" (502); one never
#    answered by any of the four servers in resolv.conf (5 s each), "no
#    answer within 15 s", the lookup's bound (in one pass only);
#  - an answer of 40 A records (too big for UDP's 512 bytes), the reachable
#    one last, works: the proxy read all of it, over TCP;
#  - a name in the hosts file is answered from it, and the server is never
#    asked for it; every query the server saw came over TCP (it has no UDP
#    socket at all) and asked for the test's names only;
#  - the query ids differ from run to run (c-ares reads /dev/urandom, which
#    the proxy's Landlock domain must let it);
#  - resolv.conf's search domain is never appended (the server answers
#    missing.test.corp.test, and is never asked it);
#  - a resolv.conf the proxy cannot read gets "cannot read /etc/resolv.conf"
#    (502), not c-ares's silent fallback to 127.0.0.1.
set -eu
if [ -z "${NET_PROXY_DNS_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (a mount and network namespace with its own resolv.conf and a DNS server on port 53)"; exit 77; }
	command -v unshare >/dev/null 2>&1 || { echo "SKIP: unshare (util-linux) is not installed"; exit 77; }
	command -v ip >/dev/null 2>&1 || { echo "SKIP: ip (iproute2) is not installed"; exit 77; }
	command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is not installed"; exit 77; }
	unshare -m -n true 2>/dev/null || { echo "SKIP: cannot make a mount and network namespace here"; exit 77; }
	NET_PROXY_DNS_NS=1 exec unshare -m -n --propagation private sh "$0" "$@"
fi

# ---- once, in the namespaces: lo, resolv.conf, hosts, the DNS server ----
if [ -z "${NET_PROXY_DNS_QUERIES:-}" ]; then
	ip link set lo up
	dns=$(mktemp -d /var/tmp/stockade-dns.XXXXXX)
	chmod 755 "$dns"
	dns_pid=
	trap '[ -z "$dns_pid" ] || kill "$dns_pid" 2>/dev/null; rm -rf "$dns"' EXIT
	# four servers, all the one below: a name never answered is asked of
	# each for 5 s, and the lookup's 15 s end first
	printf 'nameserver 127.0.0.%s\n' 1 2 3 4 >"$dns/resolv.conf"
	# a search domain, which the proxy must never append (an allowed
	# name must not reach another: missing.test.corp.test is answered)
	printf 'options ndots:1\nsearch corp.test\n' >>"$dns/resolv.conf"
	printf '127.0.0.1 localhost\n127.0.0.1 hostsfile.test\n' >"$dns/hosts"
	chmod 644 "$dns/resolv.conf" "$dns/hosts"
	mount --bind "$dns/resolv.conf" /etc/resolv.conf
	mount --bind "$dns/hosts" /etc/hosts
	python3 - "$dns/queries" "$dns/ready" <<'PY' &
import ctypes, os, signal, socket, struct, sys, threading
log, ready = sys.argv[1], sys.argv[2]
# gone with the shell that started it, however that ends (PR_SET_PDEATHSIG)
ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
if os.getppid() == 1:
    sys.exit(1)
answers = {
    "web.test": ["127.0.0.1"],
    "guarded.test": ["127.0.0.2"],
    # 39 addresses nothing listens on (refused at once on lo), then the server
    "many.test": ["127.0.1.%d" % i for i in range(1, 40)] + ["127.0.0.1"],
    "missing.test.corp.test": ["127.0.0.1"],
}
lock = threading.Lock()
def recv_exact(c, n):
    d = b""
    while len(d) < n:
        b = c.recv(n - len(d))
        if not b:
            return None
        d += b
    return d
def answer(q):
    qid, flags, qd = struct.unpack(">HHH", q[:6])
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
        i += 1 + q[i]
    qtype, = struct.unpack(">H", q[i + 1:i + 3])
    question = q[12:i + 5]
    name = ".".join(labels).lower()
    with lock, open(log, "a") as f:
        f.write("tcp %s %d %d\n" % (name, qtype, qid))
    if name == "silent.test":
        return None
    if name not in answers:
        return struct.pack(">HHHHHH", qid, 0x8183, 1, 0, 0, 0) + question  # NXDOMAIN
    rrs = [b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(a)
           for a in answers[name]] if qtype == 1 else []  # A; no AAAA
    return struct.pack(">HHHHHH", qid, 0x8180, 1, len(rrs), 0, 0) + question + b"".join(rrs)
def serve(c):
    with c:
        while True:
            n = recv_exact(c, 2)
            q = n and recv_exact(c, struct.unpack(">H", n)[0])
            if not q:
                return
            a = answer(q)
            if a:  # silent.test: never answered
                c.sendall(struct.pack(">H", len(a)) + a)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 53))  # the namespace's lo only
s.listen(64)
open(ready, "w").close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
	dns_pid=$!
	i=0
	while [ ! -e "$dns/ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -e "$dns/ready" ] || { echo "FAIL: the DNS server did not start"; exit 1; }
	st=0
	# both isolation modes (lib/net-proxy-setup.sh runs this script twice)
	NET_PROXY_DNS_QUERIES=$dns/queries sh "$0" || st=$?
	[ $st -ne 77 ] || exit 77
	# whatever was asked, over TCP, for the test's names only, as asked
	# (no search domain appended), never hostsfile.test
	if [ -s "$dns/queries" ]; then
		bad=$(grep -v -E '^tcp (web|guarded|missing|many|silent)\.test (1|28) [0-9]+$' "$dns/queries" || true)
		[ -z "$bad" ] || { echo "FAIL: the DNS server was asked: $bad"; st=1; }
		! grep -q hostsfile "$dns/queries" || { echo "FAIL: a name in /etc/hosts was asked of DNS"; st=1; }
		# query ids from /dev/urandom: c-ares falls back to an unseeded
		# rand(), the same ids in every proxy, where it cannot read it
		total=$(wc -l <"$dns/queries")
		distinct=$(cut -d' ' -f4 "$dns/queries" | sort -u | wc -l)
		[ $((distinct * 2)) -gt "$total" ] ||
			{ echo "FAIL: $distinct distinct DNS query ids in $total queries (predictable ids)"; st=1; }
	else
		echo "FAIL: the DNS server was never asked"
		st=1
	fi
	exit $st
fi

. "$(dirname "$0")/lib/net-proxy-setup.sh"
# The names are not pinned: the proxy resolves them.
printf 'network:\n  private: [web.test, many.test, hostsfile.test]\n' >"$tmp/private.yaml"
dr() { sr --policy "$tmp/agent.yaml" --policy "$tmp/private.yaml" "$@"; }

# reached by a name the DNS server answers (network.private: its loopback answer)
for how in "" -p; do
	out=$(dr --allow-host "web.test:$port" -- curl -sS $how "http://web.test:$port/index.html" 2>&1) ||
		fail "web.test ${how:-(plain)}: $out"
	[ "$out" = hello-from-registry ] || fail "web.test ${how:-(plain)} got: $out"
done
# the address guard: answered with 127.0.0.2, not private
out=$(dr --allow-host "guarded.test:$port" -- curl -sS -w '%{http_code}' "http://guarded.test:$port/" 2>"$tmp/err") || true
case $out in
*"guarded.test resolves to 127.0.0.2 (loopback"*403) ;;
*) fail "guarded.test (127.0.0.2, not private): got $out $(cat "$tmp/err")" ;;
esac
# NXDOMAIN
out=$(dr --allow-host "missing.test:$port" -- curl -sS -w '%{http_code}' "http://missing.test:$port/" 2>&1) || true
case $out in
*"cannot resolve missing.test: "*502) ;;
*) fail "missing.test (NXDOMAIN): got $out" ;;
esac
# a resolv.conf the proxy cannot read (it runs as nobody): said, not taken
# for an absent one (c-ares would then ask 127.0.0.1)
chmod 600 /etc/resolv.conf
out=$(dr --allow-host "web.test:$port" -- curl -sS -w '%{http_code}' "http://web.test:$port/" 2>&1) || true
chmod 644 /etc/resolv.conf
case $out in
*"cannot resolve web.test: cannot read /etc/resolv.conf: Permission denied"*502) ;;
*) fail "an unreadable resolv.conf: got $out" ;;
esac
# never answered: the lookup gives up after 15 s (the same either way: one pass)
if [ "$NET_PROXY_ISOLATION" = off ]; then
	out=$(dr --allow-host "silent.test:$port" -- curl -sS --max-time 60 -w '%{http_code}' "http://silent.test:$port/" 2>&1) ||
		true
	case $out in
	*"cannot resolve silent.test: no answer within 15 s"*502) ;;
	*) fail "silent.test (never answered): got $out" ;;
	esac
fi
# 40 A records, the one that answers last
out=$(dr --allow-host "many.test:$port" -- curl -sS -p "http://many.test:$port/index.html" 2>&1) ||
	fail "many.test (40 A records): $out"
[ "$out" = hello-from-registry ] || fail "many.test (40 A records) got: $out"
# the hosts file first
out=$(dr --allow-host "hostsfile.test:$port" -- curl -sS "http://hostsfile.test:$port/index.html" 2>&1) ||
	fail "hostsfile.test (/etc/hosts): $out"
[ "$out" = hello-from-registry ] || fail "hostsfile.test (/etc/hosts) got: $out"
grep -q '^tcp web\.test 1 ' "$NET_PROXY_DNS_QUERIES" || fail "the server saw no A query for web.test: $(cat "$NET_PROXY_DNS_QUERIES")"

[ "$fails" -eq 0 ] || exit 1
echo "ok: the proxy resolved through a local DNS server over TCP ($NET_PROXY_ISOLATION)"
