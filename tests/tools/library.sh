#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The library as a program that embeds it gets it: `make check` installs
# into BUILD/stage (PREFIX=/usr, docs/library.md); this checks what was
# installed, that libstockade.so exports the public functions and nothing
# else, and builds examples/confine.c against the staged tree with
# pkg-config, once against libstockade.so and once statically, then has
# each binary confine a child.
set -u
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
stage=${STOCKADE_STAGE:-$(dirname "$STOCKADE")/stage}
CC=${CC:-cc}
command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: pkg-config is not installed"; exit 77; }
command -v nm >/dev/null 2>&1 || { echo "SKIP: nm (binutils) is not installed"; exit 77; }
command -v readelf >/dev/null 2>&1 || { echo "SKIP: readelf (binutils) is not installed"; exit 77; }
[ -d "$stage" ] || { echo "FAIL: $stage is missing: \`make check\` (or \`make stage\`) installs into it"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/stockade-tool.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# ---- what `make install` put there ----
version=$(sed -n 's/^#define STOCKADE_VERSION "\(.*\)"/\1/p' include/stockade.h)
soname=libstockade.so.${version%%.*}
lib=$stage/usr/lib
for f in usr/bin/stockade usr/share/man/man1/stockade.1 usr/include/stockade.h usr/lib/libstockade.a \
	usr/lib/pkgconfig/stockade.pc "usr/lib/libstockade.so.$version" usr/libexec/stockade/stockade-proxy; do
	[ -f "$stage/$f" ] || fail "make install did not install /$f"
done
for l in "$soname" libstockade.so; do
	[ "$(readlink "$lib/$l")" = "libstockade.so.$version" ] || fail "/usr/lib/$l is not a link to libstockade.so.$version"
done
got=$(readelf -d "$lib/libstockade.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$got" = "$soname" ] || fail "SONAME is \"$got\", not $soname"

# ---- the exports: exactly the header's functions, all versioned ----
nm -D --defined-only "$lib/libstockade.so.$version" >"$tmp/dynsym" || fail "nm -D failed"
# The version node itself is an absolute symbol named after it.
bad=$(awk '!($2 == "A" && $3 ~ /^STOCKADE_[0-9.]+$/) && $3 !~ /^stockade_[a-z0-9_]+@@STOCKADE_[0-9.]+$/ { print $3 }' \
	"$tmp/dynsym")
[ -z "$bad" ] || fail "libstockade.so exports more than stockade_* (versioned):" $bad
sed -n 's/@@.*//p' "$tmp/dynsym" | awk '{ print $3 }' | sort >"$tmp/exported"
grep -o '\bstockade_[a-z0-9_]*[[:space:]]*(' include/stockade.h | sed 's/[[:space:](]*$//' | sort -u >"$tmp/declared"
missing=$(comm -13 "$tmp/exported" "$tmp/declared")
extra=$(comm -23 "$tmp/exported" "$tmp/declared")
[ -z "$missing" ] || fail "declared in stockade.h but not exported (add them to a node of src/libstockade.map):" $missing
[ -z "$extra" ] || fail "exported but not declared in stockade.h:" $extra
echo "libstockade.so: $(wc -l <"$tmp/exported") functions exported, nothing else"

# ---- examples/confine.c against the installed tree ----
# The sysroot prefixes the .pc's /usr paths with the stage, as for a
# cross-compilation sysroot; the system's .pc files are found as usual.
export PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage"
pkg-config --exists stockade || fail "pkg-config does not find stockade.pc in $lib/pkgconfig"
cflags=$(pkg-config --cflags stockade)
# The warnings a strict consumer builds with: the header must not trip them.
warn="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Werror"
# shellcheck disable=SC2086
$CC $warn -o "$tmp/confine" examples/confine.c $cflags $(pkg-config --libs stockade) ||
	fail "examples/confine.c does not build against libstockade.so with pkg-config --libs"
# Fully static where the C library has an archive, else only libstockade and
# its dependencies (what Libs.private and Requires.private must cover).
if [ "$($CC -print-file-name=libc.a)" != libc.a ]; then
	static="-static"
	static_libs=$(pkg-config --libs --static stockade)
else
	static=""
	static_libs="-Wl,-Bstatic $(pkg-config --libs --static stockade) -Wl,-Bdynamic"
fi
# shellcheck disable=SC2086
$CC $warn $static -o "$tmp/confine-static" examples/confine.c $cflags $static_libs ||
	fail "examples/confine.c does not link statically with pkg-config --libs --static"

# examples/report.c: stockade_run() with its events, stockade_plan_decide().
$CC $warn -o "$tmp/report" examples/report.c $cflags $(pkg-config --libs stockade) ||
	fail "examples/report.c does not build against libstockade.so with pkg-config --libs"
$CC $warn $static -o "$tmp/report-static" examples/report.c $cflags $static_libs ||
	fail "examples/report.c does not link statically with pkg-config --libs --static"

[ -x "$tmp/confine" ] && ! readelf -d "$tmp/confine" | grep -q "NEEDED.*\[$soname\]" &&
	fail "the shared build of confine does not load $soname"
[ -x "$tmp/confine-static" ] && readelf -d "$tmp/confine-static" | grep -q 'NEEDED.*libstockade' &&
	fail "the static build of confine loads libstockade.so"

# expect BIN WANT_STATUS PATTERN ARGS...: run it, check the status (a
# number, or a signal name for 128 + that signal) and a line of its output.
expect() {
	bin=$1 want=$2 pattern=$3
	shift 3
	LD_LIBRARY_PATH=$lib "$bin" "$@" >"$tmp/out" 2>&1
	st=$?
	case $want in
	[A-Z]*) [ "$st" -gt 128 ] && [ "$(kill -l "$st")" = "$want" ] && st=$want ;;
	esac
	if [ "$st" != "$want" ] || ! grep -qx -- "$pattern" "$tmp/out"; then
		fail "$(basename "$bin") $*: want status $want and a line \"$pattern\", got status $st:"
		sed 's/^/    /' "$tmp/out"
		return
	fi
	echo "$(basename "$bin") $*: $(grep -x -- "$pattern" "$tmp/out" | head -n 1)"
}

for bin in "$tmp/confine" "$tmp/confine-static"; do
	[ -x "$bin" ] || continue
	# agent: the raw unshare(CLONE_NEWUSER) gets the filter's EPERM (the
	# child exits with it), getpid still works.
	expect "$bin" 1 'unshare(CLONE_NEWUSER): EPERM .*' -p agent
	expect "$bin" 1 'getpid(): ok' -p agent
	# Overrides: a deny with its own errno, then an allow on top of it.
	expect "$bin" 1 'getpid(): EACCES .*' -d getpid=errno:EACCES
	expect "$bin" 1 'getpid(): ok' -d getpid=errno:EACCES -a getpid
	# A kill action: the parent sees SIGSYS.
	expect "$bin" SYS 'confine: child killed by signal [0-9]* .*' -d unshare=kill
	# A command: exec'd confined, its status passed on.
	expect "$bin" 3 'confine: child exited with status 3' -p strict -- sh -c 'exit 3'
	# Errors come back as values, with the library's message.
	expect "$bin" 1 'confine: policy: unknown preset `nope`.*' -p nope
done

probes=${PROBES:-build/probes}
case $probes in /*) ;; *) probes=$PWD/$probes ;; esac
for bin in "$tmp/report" "$tmp/report-static"; do
	[ -x "$bin" ] || continue
	expect "$bin" 0 'decide: memfd_create -> errno:EPERM at presets/strict.yaml:[0-9]*:[0-9]* (the filter agrees)' \
		-p strict -e memfd_create
	# The denied call fails with the policy's errno (try-syscall exits
	# with it) and comes back as an event naming the line that denied it.
	expect "$bin" 1 'event: memfd_create by try-syscall: Operation not permitted, errno:EPERM at presets/strict.yaml:[0-9]*:[0-9]*' \
		-p strict -m report -- "$probes/try-syscall" memfd_create
	expect "$bin" 0 'event: memfd_create by try-syscall: ran, errno:EPERM at presets/strict.yaml:[0-9]*:[0-9]*' \
		-p strict -m audit -- "$probes/try-syscall" memfd_create
	expect "$bin" 1 'report: exited with status 1, 0 events' -p strict -m enforce -- "$probes/try-syscall" memfd_create
	expect "$bin" 127 'report: /nonexistent/stockade-test: cannot run .*' -p agent -- /nonexistent/stockade-test
done

[ "$failures" -eq 0 ] || exit 1
