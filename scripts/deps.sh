#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# scripts/deps.sh [build] [musl] [test]: make sure what these need is
# installed, all from Debian's archive (default: build).
#
#   build  pkg-config and the -dev packages of libseccomp, libyaml,
#          http-parser and c-ares (stockade-proxy)
#   musl   what scripts/musl-deps.sh builds the musl CLI's libraries with
#   test   what `make check`'s tiers use beyond the build: the real consumers
#          (bubblewrap, crun, busybox-static for their rootfs), Docker's
#          default seccomp profile (golang-github-containers-common), node,
#          npm, pip and venv for the tool tests, pytest, util-linux's setpriv,
#          setarch and unshare, git, python3, curl; tmux, ssh-agent, script
#          and gdb for the isolation tests
#
# As root with apt-get, whatever is missing is installed in one step, with
# one line saying what; apt's output is shown only when it fails.  Otherwise
# the apt-get line to run as root is printed.  A missing build dependency
# then stops the build (exit 1); the rest does not: the CLI falls back to
# glibc, and a test that lacks its tool skips, saying why.
#
# A tool found on PATH counts, wherever it comes from: a newer node and npm
# from elsewhere are not replaced by Debian's.
set -eu

[ $# -gt 0 ] || set -- build
need=""
required=""

# want PACKAGE [required]: PACKAGE is missing; it goes on the one install line.
want() {
	case " $need " in
	*" $1 "*) ;;
	*) need="${need:+$need }$1" ;;
	esac
	[ $# -lt 2 ] || required="${required:+$required }$1"
}
have() { command -v "$1" >/dev/null 2>&1; }

for group in "$@"; do
	case $group in
	build)
		have pkg-config || want pkg-config required
		pkg-config --exists libseccomp 2>/dev/null || want libseccomp-dev required
		pkg-config --exists yaml-0.1 2>/dev/null || want libyaml-dev required
		# stockade-proxy (src/proxy): Debian's http-parser 2.9 (no .pc file)
		[ -r /usr/include/http_parser.h ] || want libhttp-parser-dev required
		[ -r /usr/include/ares.h ] || want libc-ares-dev required
		;;
	musl)
		# The same checks as scripts/musl-deps.sh.
		have musl-gcc || want musl-tools
		have dpkg-source || want dpkg-dev
		have gperf || want gperf
		have cmake || want cmake
		;;
	test)
		# tests/live/test_consumers.c: a static busybox ($BUSYBOX).
		[ -n "${BUSYBOX:-}" ] ||
			[ "$(dpkg-query -W -f='${db:Status-Status}' busybox-static 2>/dev/null)" = installed ] ||
			want busybox-static
		have bwrap || want bubblewrap
		have crun || want crun
		# tests/sim/test_equivalence.c: either Docker default profile.
		[ -r /usr/share/containers/seccomp.json ] ||
			[ -r /usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json ] ||
			want golang-github-containers-common
		have node || want nodejs
		have npm || want npm
		have python3 || want python3
		python3 -m pip --version >/dev/null 2>&1 || want python3-pip
		# tests/tools/landlock-pip.sh also tries a venv where it can.
		python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || want python3-venv
		# tests/live/test_learn_roundtrip_tools.c: Debian's python3 with
		# pytest.  (Its cargo round trip uses a cargo on PATH: Debian's
		# cargo brings ~280 MB of Rust, too much for one test.)
		/usr/bin/python3 -c 'import pytest' >/dev/null 2>&1 || want python3-pytest
		for t in setpriv setarch unshare; do
			have $t || want util-linux
		done
		have git || want git
		# tests/live/test_isolation.c: host servers the sandbox must
		# not reach, and a terminal session under script(1).
		have tmux || want tmux
		have ssh-agent || want openssh-client
		have script || want bsdutils
		# tests/live/test_isolation_tools.c: gdb under the debug preset.
		have gdb || want gdb
		# tests/tools/net-proxy*.sh: curl through stockade's proxy;
		# net-proxy-dns.sh brings up lo in a network namespace of its own
		have curl || want curl
		have ip || want iproute2
		;;
	*)
		echo "usage: $0 [build] [musl] [test]" >&2
		exit 2
		;;
	esac
done
[ -n "$need" ] || exit 0

line="apt-get install -y --no-install-recommends $need"
if [ "$(id -u)" = 0 ] && have apt-get; then
	echo "deps: installing $need" >&2
	log=$(mktemp "${TMPDIR:-/tmp}/stockade-deps.XXXXXX")
	export DEBIAN_FRONTEND=noninteractive
	# Empty or stale package lists (a fresh image) fail the first try.
	if $line >"$log" 2>&1 ||
		{ apt-get update >>"$log" 2>&1 && $line >>"$log" 2>&1; }; then
		rm -f "$log"
		exit 0
	fi
	cat "$log" >&2
	rm -f "$log"
	echo "deps: apt-get could not install $need (its output is above)" >&2
	then=""
else
	echo "deps: missing $need; to install them, run as root:" >&2
	echo "  apt-get update && $line" >&2
	then=": run that as root, then make again"
fi
if [ -n "$required" ]; then
	echo "deps: cannot build without $required$then" >&2
	exit 1
fi
echo "deps: going on without them (what needs them falls back or skips, saying why)" >&2
