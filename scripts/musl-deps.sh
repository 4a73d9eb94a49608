#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# scripts/musl-deps.sh PREFIX: build libseccomp, libyaml, mimalloc, c-ares
# and http-parser for musl into PREFIX (lib/, include/), so that
# build/stockade and build/stockade-proxy can be linked statically against
# musl instead of glibc (see "The CLI's C library" in docs/hardening.md,
# and "The proxy's build" in docs/network.md).  glibc's start-up
# identifies the CPU with a few dozen CPUID instructions, and in a virtual
# machine each one traps to the hypervisor: measured here, that is
# ~0.28 ms of every glibc process start, which musl does not spend.  musl's own allocator (mallocng) maps
# and unmaps memory on nearly every new size class; behind libseccomp and
# libyaml that made a run with a policy file ~0.7 ms slower, so the CLI
# links mimalloc in its place (lib/mimalloc.o), behind src/musl/arena.c.
# mimalloc is built to ignore MIMALLOC_* variables (MI_NO_GETENV: a sandbox
# wrapper's allocator is not the environment's to tune), and without its
# load-time constructor: it initialises on its first call instead, which a
# preset run, served by the arena, never makes.
#
# libseccomp, libyaml, c-ares and http-parser are the very ones the glibc
# build links: Debian's source packages of the installed -dev packages' versions, and
# mimalloc is Debian's current source package; Debian's patches applied,
# fetched with apt-get from the machine's own Debian mirrors and verified
# by apt against the archive's signed Release files.  apt runs on a private
# state directory under PREFIX; nothing under /etc changes.
#
# Exit 0 when PREFIX holds the libraries (built now or before), 1 when they
# cannot be built here (the reason is printed); the Makefile then links the
# CLI and the proxy against glibc instead.  As root, missing build tools are installed
# (musl-tools, dpkg-dev, gperf, cmake); otherwise the apt-get line is printed.
set -eu

prefix=${1:?usage: scripts/musl-deps.sh PREFIX}
say() { echo "musl-deps: $*" >&2; }

need=""
command -v musl-gcc >/dev/null 2>&1 || need="$need musl-tools"
command -v dpkg-source >/dev/null 2>&1 || need="$need dpkg-dev"
command -v gperf >/dev/null 2>&1 || need="$need gperf"
command -v cmake >/dev/null 2>&1 || need="$need cmake"
if [ -n "$need" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "installing$need"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >&2 || {
			apt-get update -qq >&2 &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >&2
		} || {
			say "cannot install$need"
			exit 1
		}
	else
		say "missing$need; to build the musl CLI, run as root: apt-get install -y$need"
		exit 1
	fi
fi

# The source packages and versions of the installed -dev packages.
sources=$(dpkg-query -W -f='${source:Package}=${source:Version} ' libseccomp-dev libyaml-dev libc-ares-dev \
	libhttp-parser-dev) || {
	say "dpkg-query cannot name the installed -dev packages"
	exit 1
}
musl=$(dpkg-query -W -f='${Version}' musl-dev 2>/dev/null || echo unknown)
sources="${sources}mimalloc"
# The recipe's own version: bump it when the build steps below change.
stamp="$sources musl=$musl recipe=5"
if [ -f "$prefix/stamp" ] && [ "$(cat "$prefix/stamp")" = "$stamp" ]; then
	exit 0
fi

rm -rf "$prefix"
mkdir -p "$prefix/apt/lists/partial" "$prefix/apt/cache/archives/partial" "$prefix/src" "$prefix/include"
prefix=$(cd "$prefix" && pwd)
apt="$prefix/apt"

# deb-src twins of the machine's Debian sources (one-line and deb822).
: >"$apt/sources.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] && sed -n 's/^deb \(.*debian.*\)/deb-src \1/p' "$f" >>"$apt/sources.list"
done
mkdir -p "$apt/sources.list.d"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	grep -qi 'debian' "$f" || continue
	sed 's/^Types:.*/Types: deb-src/' "$f" >"$apt/sources.list.d/$(basename "$f")"
done
aptopt="-o Dir::Etc::SourceList=$apt/sources.list -o Dir::Etc::SourceParts=$apt/sources.list.d
	-o Dir::State::Lists=$apt/lists -o Dir::Cache=$apt/cache -o Debug::NoLocking=1
	-o APT::Sandbox::User=root -qq"

log="$prefix/build.log"
say "fetching Debian sources: $sources"
# shellcheck disable=SC2086 # $aptopt and $sources are word lists
if ! (apt-get $aptopt update && cd "$prefix/src" && apt-get $aptopt source $sources) >"$log" 2>&1; then
	say "cannot fetch the source packages from the Debian mirror:"
	tail -n 20 "$log" >&2
	rm -rf "$prefix"
	exit 1
fi

# Linux UAPI headers for the musl compiler: only linux/ and asm/, not glibc's.
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -dumpmachine)
ln -s /usr/include/linux "$prefix/include/linux"
ln -s /usr/include/asm-generic "$prefix/include/asm-generic"
ln -s "/usr/include/$multiarch/asm" "$prefix/include/asm"

cflags="-O2 -g -fPIE -isystem $prefix/include"
build() {
	say "building $1 for musl"
	if ! (cd "$prefix/src"/"$1"-[0-9]* && shift && "$@") >>"$log" 2>&1; then
		say "building for musl failed; the end of $log:"
		tail -n 20 "$log" >&2
		exit 1
	fi
}
build libseccomp sh -c "./configure --prefix='$prefix' --disable-shared --enable-static --disable-python \
	CC=musl-gcc CFLAGS='$cflags' && make -j2 -C src install && make -C include install"
build libyaml sh -c "cmake -S . -B musl-build -DCMAKE_C_COMPILER=musl-gcc -DCMAKE_C_FLAGS='$cflags' \
	-DCMAKE_BUILD_TYPE=None -DCMAKE_INSTALL_PREFIX='$prefix' -DCMAKE_INSTALL_LIBDIR=lib \
	-DBUILD_SHARED_LIBS=OFF -DBUILD_TESTING=OFF && cmake --build musl-build -j2 && cmake --install musl-build"
build mimalloc sh -c "cmake -S . -B musl-build -DCMAKE_C_COMPILER=musl-gcc -DCMAKE_C_FLAGS='$cflags -DMI_NO_GETENV' \
	-DCMAKE_BUILD_TYPE=Release -DMI_BUILD_SHARED=OFF -DMI_BUILD_STATIC=OFF -DMI_BUILD_OBJECT=ON \
	-DMI_BUILD_TESTS=OFF -DMI_OVERRIDE=ON && cmake --build musl-build -j2 &&
	cp musl-build/CMakeFiles/mimalloc-obj.dir/src/static.c.o '$prefix/lib/mimalloc-eager.o'"
# c-ares as Debian configures it (no tests), static only; it reads
# /dev/urandom for its query ids (CARES_RANDOM_FILE).
build c-ares sh -c "./configure --prefix='$prefix' --disable-shared --enable-static --enable-symbol-hiding \
	--disable-tests CC=musl-gcc CFLAGS='$cflags' && make -j2 -C src/lib install && make -C include install"
grep -q '^#define CARES_RANDOM_FILE' "$prefix"/src/c-ares-[0-9]*/src/lib/ares_config.h || {
	say "c-ares for musl was configured without a random file (see $log)"
	exit 1
}
# http-parser: its own Makefile's `package' target (the static archive).
build http-parser sh -c "make package CC=musl-gcc CFLAGS='$cflags' &&
	cp libhttp_parser.a '$prefix/lib/' && cp http_parser.h '$prefix/include/'"
# Its one constructor is mi_process_load(); should a later mimalloc have
# more, keep them all (and the eager start) rather than drop one unseen.
ctors=$(objdump -h "$prefix/lib/mimalloc-eager.o" | awk '$2 == ".init_array" { print $3 }')
if [ "$ctors" = 00000008 ]; then
	objcopy --remove-section=.init_array "$prefix/lib/mimalloc-eager.o" "$prefix/lib/mimalloc.o"
else
	say "mimalloc has .init_array size ${ctors:-none}, not one constructor: linking it as it is"
	cp "$prefix/lib/mimalloc-eager.o" "$prefix/lib/mimalloc.o"
fi
rm -f "$prefix/lib/mimalloc-eager.o"
for lib in libseccomp.a libyaml.a mimalloc.o libcares.a libhttp_parser.a; do
	[ -f "$prefix/lib/$lib" ] || {
		say "$lib was not built (see $log)"
		exit 1
	}
done
rm -rf "$apt" "$prefix/src"
echo "$stamp" >"$prefix/stamp"
say "done: $prefix"
