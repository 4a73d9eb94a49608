#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The benchmark suite (`make bench`): stockade side by side with no sandbox,
# bubblewrap (with stockade's agent filter, exported as BPF) and firejail
# --seccomp, on this machine, in one run.  Not a test: nothing is asserted.
#
#   bench/run.sh [BUILD_DIR]
#
# Writes docs/benchmarks.md (tables, the machine and kernel named),
# docs/benchmarks.csv and, when gnuplot is there, docs/benchmarks.png.
# As root on Debian it first installs what is missing of hyperfine,
# bubblewrap, firejail and gnuplot-nox; a tool that is still missing
# leaves its rows out, with a note.
#
# Environment: BENCH_RUNS (startup runs, default 300), BENCH_QUICK=1 (a
# fast, rough pass), BENCH_OUT (directory for the three files, default docs).
set -eu

build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
case $build in
/*) ;;
*) build=$src/$build ;;
esac
stockade=$build/stockade
out=${BENCH_OUT:-$src/docs}
work=$build/bench
mkdir -p "$work" "$out"
runs=${BENCH_RUNS:-300}
sys_iters=200000
sys_rounds=7
wl_runs=7
wl_files=32
git_files=5000
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	runs=40
	sys_iters=20000
	sys_rounds=3
	wl_runs=2
	wl_files=8
	git_files=1000
fi
notes=$work/notes.txt
: >"$notes"
note() {
	echo "bench: $*" >&2
	echo "- $*" >>"$notes"
}

# ---- tools ----

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	want=
	command -v hyperfine >/dev/null 2>&1 || want="$want hyperfine"
	command -v bwrap >/dev/null 2>&1 || want="$want bubblewrap"
	command -v firejail >/dev/null 2>&1 || want="$want firejail"
	command -v gnuplot >/dev/null 2>&1 || want="$want gnuplot-nox"
	if [ -n "$want" ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		for p in $want; do
			if apt-cache show "$p" >/dev/null 2>&1; then
				echo "bench: installing $p" >&2
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" \
					>/dev/null 2>&1 || note "could not install $p"
			fi
		done
	fi
fi
have() { command -v "$1" >/dev/null 2>&1; }

cc=${CC:-cc}
flags="-std=gnu11 -O2 -Wall -Wextra"
pkgs=$(pkg-config --libs libseccomp yaml-0.1)
# shellcheck disable=SC2086
{
	$cc $flags -o "$work/startup" "$src/bench/startup.c"
	$cc $flags -o "$work/syscalls" "$src/bench/syscalls.c"
	$cc $flags -o "$work/unixsock" "$src/bench/unixsock.c"
	$cc $flags -I"$src/include" -o "$work/libpath" "$src/bench/libpath.c" "$build/libstockade.a" $pkgs
	$cc $flags -D_GNU_SOURCE -I"$src/include" -I"$src/src" -o "$work/isolation" \
		"$src/bench/isolation.c" "$build/libstockade.a" $pkgs
	$cc $flags -D_GNU_SOURCE -I"$src/include" -I"$src/src" -o "$work/filterdepth" \
		"$src/bench/filterdepth.c" "$build/libstockade.a" $pkgs
}
# The floor is linked like the CLI: statically, against musl when the CLI
# is (the Makefile's $(MUSL_PREFIX)/use.mk), so that what separates the two
# rows is stockade's own work, not the C library's start-up.
musl_prefix="$src/build/musl-deps"
floor_libc=glibc
if grep -qx 'MUSL := 1' "$musl_prefix/use.mk" 2>/dev/null && have musl-gcc &&
	musl-gcc $flags -isystem "$musl_prefix/include" -static -o "$work/allowall" "$src/bench/allowall.c"; then
	floor_libc=musl
elif ! $cc $flags -static -o "$work/allowall" "$src/bench/allowall.c" 2>/dev/null; then
	$cc $flags -o "$work/allowall" "$src/bench/allowall.c"
	note "no static libc here: the floor rows use a dynamically linked bench/allowall.c, which starts slower"
fi

# The agent filter for bubblewrap, exported by stockade itself.
bpf=$work/agent.bpf
if ! "$stockade" compile --preset agent --format bpf -o "$bpf" 2>"$work/compile.log"; then
	note "\`stockade compile\` failed, so bubblewrap runs without a filter: $(head -n 1 "$work/compile.log")"
	bpf=
fi
bwrap_ok=0
if have bwrap; then
	if [ -n "$bpf" ] && bwrap --dev-bind / / --seccomp 9 9<"$bpf" -- /bin/true 2>/dev/null; then
		bwrap_ok=1
	elif bwrap --dev-bind / / -- /bin/true 2>/dev/null; then
		bwrap_ok=2
		[ -n "$bpf" ] && note "bubblewrap refused the exported filter here; its rows run without one"
	else
		note "bubblewrap cannot run here (no namespaces?); its rows are left out"
	fi
else
	note "bubblewrap is not installed; its rows are left out"
fi
fj_ok=0
if have firejail; then
	if firejail --quiet --noprofile --seccomp /bin/true >/dev/null 2>&1; then
		fj_ok=1
	else
		note "firejail cannot run here; its rows are left out"
	fi
else
	note "firejail is not installed; its rows are left out"
fi

# Environments: NAME and the command prefix that runs a command in it.
# `-f 9:FILE` is the timer's way to hand bwrap its filter on fd 9.
envs="bare floor agent agent-noiso strict minimal none"
# agent from a policy file (no preset blob), and the same with a TCP port
# (issue 15: the port list must not cost more than ~1 ms of start-up).
printf 'extends: agent\nnetwork:\n  mode: none\n' >"$work/agent-file.yaml"
printf 'extends: agent\nnetwork:\n  mode: none\n  tcp_connect: [8000]\n' >"$work/agent-tcp.yaml"
# (every name pinned: the proxy never asks DNS, whatever a run does)
printf 'extends: agent\nnetwork:\n  mode: proxy\n  allow: [registry.npmjs.org, "*.githubusercontent.com", github.com:443]\n  hosts: {registry.npmjs.org: 127.0.0.1, raw.githubusercontent.com: 127.0.0.1, github.com: 127.0.0.1}\n' \
	>"$work/agent-proxy.yaml"
envs="$envs agent-file agent-tcp agent-proxy"
# agent without namespaces where a host daemon's socket exists (a stand-in
# tmux socket under the row's own TMPDIR): the supervisor stays and
# mediates connect() (docs/mediation.md).
daemon_tmp=$work/daemon-tmp
mkdir -p "$daemon_tmp/tmux-$(id -u)"
if "$work/unixsock" "$daemon_tmp/tmux-$(id -u)/default" 2>"$work/unixsock.err"; then
	envs="$envs agent-unix"
else
	note "no stand-in daemon socket ($(cat "$work/unixsock.err")): the row for mediated unix connects is left out"
fi
# The same as an unprivileged user (uid 65534, with its passwd home,
# /nonexistent, as HOME: no home, so no caches; setpriv alone would leave
# root's HOME, which it cannot read), where no system secret needs carving
# out of /etc (docs/landlock.md): the path a non-root user, or an
# unprivileged container, takes.  A user with a home pays root's caches
# phase besides (the phases table).
if [ "$(id -u)" = 0 ] && have setpriv && setpriv --reuid 65534 --regid 65534 --clear-groups -- "$work/startup" -n 1 -- /bin/true >/dev/null 2>&1; then
	envs="$envs bare-u agent-u agent-noiso-u"
else
	note "not root, or setpriv cannot run the timer as uid 65534: the unprivileged rows are left out"
fi
[ "$bwrap_ok" -gt 0 ] && envs="$envs bwrap"
[ "$fj_ok" = 1 ] && envs="$envs firejail"
prefix() {
	case $1 in
	bare | bare-u) ;;
	floor) echo "$work/allowall" ;;
	agent | strict | minimal | none) echo "$stockade run --preset $1 --" ;;
	agent-u) echo "$stockade run --preset agent --" ;;
	agent-noiso | agent-unix | agent-noiso-u) echo "$stockade run --preset agent --isolation off --" ;;
	agent-file | agent-tcp | agent-proxy) echo "$stockade run --policy $work/$1.yaml --" ;;
	bwrap)
		if [ "$bwrap_ok" = 1 ]; then
			echo "bwrap --dev-bind / / --seccomp 9 --"
		else
			echo "bwrap --dev-bind / / --"
		fi
		;;
	firejail) echo "firejail --quiet --noprofile --seccomp" ;;
	esac
}
fdopt() {
	if [ "$1" = bwrap ] && [ "$bwrap_ok" = 1 ]; then
		echo "-f 9:$bpf"
	fi
}
label() {
	case $1 in
	bare) echo "no sandbox" ;;
	floor) echo "1-insn filter (floor)" ;;
	agent | strict | minimal | none) echo "stockade $1" ;;
	agent-noiso) echo "stockade agent --isolation off" ;;
	bare-u) echo "no sandbox as uid 65534" ;;
	agent-u) echo "stockade agent as uid 65534" ;;
	agent-noiso-u) echo "stockade agent --isolation off as uid 65534" ;;
	agent-unix) echo "stockade agent --isolation off + unix connects mediated" ;;
	agent-file) echo "stockade agent (policy file)" ;;
	agent-tcp) echo "stockade agent + tcp_connect: [8000]" ;;
	agent-proxy) echo "stockade agent + mode proxy (3 hosts)" ;;
	bwrap)
		if [ "$bwrap_ok" = 1 ]; then echo "bwrap + agent filter"; else echo "bwrap (no filter)"; fi
		;;
	firejail) echo "firejail --seccomp" ;;
	esac
}

csv=$work/benchmarks.csv
echo "section,row,environment,median,unit,ratio_to_bare" >"$csv"
# record SECTION ROW ENV VALUE UNIT BARE
record() {
	awk -v s="$1" -v r="$2" -v e="$3" -v v="$4" -v u="$5" -v b="$6" \
		'BEGIN { printf "%s,%s,%s,%s,%s,%.3f\n", s, r, e, v, u, (b > 0 ? v / b : 0) }' >>"$csv"
}

# ---- startup ----

echo "bench: startup (median of $runs runs each)" >&2
startup_rows=$work/startup.txt
: >"$startup_rows"
bare_us=
bare_u_us=
for e in $envs; do
	# shellcheck disable=SC2046
	row_tmp=${TMPDIR:-/tmp}
	[ "$e" = agent-unix ] && row_tmp=$daemon_tmp
	as=
	case $e in *-u) as="setpriv --reuid 65534 --regid 65534 --clear-groups -- env HOME=/nonexistent" ;; esac
	line=$(TMPDIR=$row_tmp $as "$work/startup" -n "$runs" -w 20 $(fdopt "$e") -- $(prefix "$e") /bin/true) || {
		note "startup under $(label "$e") failed"
		continue
	}
	med=${line%% *}
	[ "$e" = bare ] && bare_us=$med
	[ "$e" = bare-u ] && bare_u_us=$med
	echo "$e $line" >>"$startup_rows"
	case $e in
	*-u) record startup "true" "$(label "$e")" "$med" us "$bare_u_us" ;;
	*) record startup "true" "$(label "$e")" "$med" us "$bare_us" ;;
	esac
done
# The mediated row against its target (issue 14), as soon as it is measured.
[ -n "$bare_us" ] && awk -v b="$bare_us" '$1 == "agent-unix" { printf "bench: target (issue 14): agent --isolation off with unix connects mediated within 1.5 ms of bare `true`: %+.3f ms (%s)\n", ($2 - b) / 1000, (($2 - b) <= 1500 ? "met" : "not met") }' "$startup_rows" >&2
hf=
if have hyperfine; then
	# A cross-check of the two rows that carry the targets, by another timer.
	hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/hf-bare.json" /bin/true >/dev/null 2>&1 &&
		hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/hf-agent.json" \
			"$stockade run -- /bin/true" >/dev/null 2>&1 &&
		hf=1
fi
hf_median() {
	grep -o '"median": *[0-9.e+-]*' "$1" | head -n 1 | sed 's/.*: *//' | awk '{ printf "%.1f", $1 * 1e6 }'
}

# ---- the namespace setup, layer by layer ----

echo "bench: namespace layers" >&2
iso_rows=$work/isolation.txt
if ! "$work/isolation" -n "$runs" >"$iso_rows" 2>"$work/isolation.err"; then
	note "the namespace layers could not be measured here: $(cat "$work/isolation.err")"
	: >"$iso_rows"
fi
while IFS="$(printf '\t')" read -r row us; do
	record isolation "$row" "clone, mounts, fork" "$us" us "$bare_us"
done <"$iso_rows"

# ---- where the start goes, phase by phase ----

# `stockade run --timings` under agent (its own clock, from the first option
# to the command's exec): the median of each phase, with namespaces and
# without, as root and as uid 65534 where the startup rows ran as it.
phase_runs=$((runs / 3))
[ "$phase_runs" -ge 20 ] || phase_runs=20
echo "bench: start-up phases (median of $phase_runs runs each)" >&2
phase_cols=
phase_rows=$work/phases.txt
: >"$phase_rows"
for e in agent agent-noiso agent-u agent-noiso-u; do
	case " $envs " in *" $e "*) ;; *) continue ;; esac
	as=
	case $e in *-u) as="setpriv --reuid 65534 --regid 65534 --clear-groups -- env HOME=/nonexistent" ;; esac
	iso=auto
	case $e in agent-noiso*) iso=off ;; esac
	i=0
	: >"$work/phases-$e.txt"
	while [ "$i" -lt "$phase_runs" ]; do
		# shellcheck disable=SC2086
		$as "$stockade" run --preset agent --isolation "$iso" --timings -- /bin/true 2>&1 >/dev/null |
			sed -n 's/^stockade:   //p' >>"$work/phases-$e.txt" || true
		i=$((i + 1))
	done
	# (phase names have spaces; the number is the last field)
	awk -v col="$e" '{ v = $NF; $NF = ""; sub(/ +$/, ""); if (!($0 in n)) order[++k] = $0; vals[$0, ++n[$0]] = v }
		END { for (i = 1; i <= k; i++) { p = order[i]; m = n[p]
			for (a = 1; a <= m; a++) x[a] = vals[p, a]
			for (a = 2; a <= m; a++) { t = x[a]; for (b = a - 1; b >= 1 && x[b] > t; b--) x[b + 1] = x[b]; x[b + 1] = t }
			printf "%s\t%s\t%.1f\n", col, p, (m % 2 ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2) } }' \
		"$work/phases-$e.txt" >>"$phase_rows"
	phase_cols="$phase_cols $e"
done
while IFS="$(printf '\t')" read -r e phase us; do
	record phases "$phase" "$(label "$e")" "$us" us 0
done <"$phase_rows"

# ---- the library path ----

echo "bench: library path" >&2
lp=$("$work/libpath" -n "$runs")
lp_plain=$(echo "$lp" | awk '$1 == "plain" { print $2 }')
lp_apply=$(echo "$lp" | awk '$1 == "apply" { print $2 }')
lp_prep=$(echo "$lp" | awk '$1 == "prepared" { print $2 }')
record libpath "fork+exec /bin/true" "plain" "$lp_plain" us "$lp_plain"
record libpath "fork+exec /bin/true" "stockade_plan_apply(agent)" "$lp_apply" us "$lp_plain"
record libpath "fork+exec /bin/true" "stockade_program_new(agent) once" "$lp_prep" us "$lp_plain"

# ---- the syscall loop ----

echo "bench: syscall loop" >&2
sys_envs=
for e in $envs; do
	case $e in
	minimal | agent-file | agent-tcp | agent-noiso | agent-proxy | agent-unix | *-u) continue ;; # startup only: their filters are (near) agent's
	esac
	f=$work/sys-$e.txt
	if [ "$e" = bwrap ] && [ "$bwrap_ok" = 1 ]; then
		# shellcheck disable=SC2046
		bwrap --dev-bind / / --seccomp 9 -- "$work/syscalls" -n "$sys_iters" -r "$sys_rounds" \
			9<"$bpf" >"$f" 2>/dev/null || { note "syscall loop failed under $(label "$e")"; continue; }
	else
		# shellcheck disable=SC2046
		$(prefix "$e") "$work/syscalls" -n "$sys_iters" -r "$sys_rounds" >"$f" 2>/dev/null ||
			{ note "syscall loop failed under $(label "$e")"; continue; }
	fi
	sys_envs="$sys_envs $e"
done
while IFS= read -r line; do
	name=${line% *}
	bare_ns=${line##* }
	for e in $sys_envs; do
		v=$(grep -F "$name " "$work/sys-$e.txt" | head -n 1 | awk '{ print $NF }')
		[ -n "$v" ] && record syscalls "$name" "$(label "$e")" "$v" ns "$bare_ns"
	done
done <"$work/sys-bare.txt"

# ---- workloads ----

echo "bench: workloads" >&2
"$src/bench/workload.sh" make "$work/wl-make" "$wl_files"
"$src/bench/workload.sh" git "$work/wl-git" "$git_files"
# No user configuration: the same work everywhere (and strict hides $HOME).
export HOME=/nonexistent-stockade-bench-home XDG_CONFIG_HOME=/nonexistent-stockade-bench-home
for wl in make git; do
	bare_w=
	for e in bare agent strict bwrap firejail; do
		case " $envs " in *" $e "*) ;; *) continue ;; esac
		if [ $wl = make ]; then
			# shellcheck disable=SC2046
			line=$("$work/startup" -n "$wl_runs" -w 1 -p "make -s -C $work/wl-make clean" $(fdopt "$e") -- \
				$(prefix "$e") make -s -C "$work/wl-make" -j2) || { note "make under $(label "$e") failed"; continue; }
			row="make -j2 ($wl_files C files)"
		else
			# shellcheck disable=SC2046
			line=$("$work/startup" -n "$((wl_runs * 4))" -w 2 $(fdopt "$e") -- \
				$(prefix "$e") git -C "$work/wl-git" status --porcelain) || { note "git under $(label "$e") failed"; continue; }
			row="git status ($git_files files)"
		fi
		med=${line%% *}
		[ "$e" = bare ] && bare_w=$med
		record workload "$row" "$(label "$e")" "$(awk -v v="$med" 'BEGIN { printf "%.1f", v / 1000 }')" ms \
			"$(awk -v v="$bare_w" 'BEGIN { printf "%.1f", v / 1000 }')"
	done
done

# ---- filter shape ----

echo "bench: filter depth" >&2
"$work/filterdepth" >"$work/depth.txt"

# ---- the report ----

cpu=$(grep -m 1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: *//')
[ -n "$cpu" ] || cpu=$(uname -m)
distro=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
ver() { "$@" 2>/dev/null | head -n 1; }
md=$work/benchmarks.md

# table SECTION: a Markdown table of one section of the CSV, rows down,
# environments across, "value (ratio)".
table() {
	awk -F, -v sec="$1" -v unit="$2" '
	NR > 1 && $1 == sec {
		if (!($2 in seen_r)) { seen_r[$2] = 1; rows[nr++] = $2 }
		if (!($3 in seen_e)) { seen_e[$3] = 1; envs[ne++] = $3 }
		cell[$2, $3] = sprintf("%s (%.2f×)", $4, $6)
	}
	END {
		printf "| %s |", unit
		for (j = 0; j < ne; j++) printf " %s |", envs[j]
		printf "\n|---|"
		for (j = 0; j < ne; j++) printf "---:|"
		printf "\n"
		for (i = 0; i < nr; i++) {
			printf "| %s |", rows[i]
			for (j = 0; j < ne; j++) printf " %s |", ((rows[i], envs[j]) in cell) ? cell[rows[i], envs[j]] : "-"
			printf "\n"
		}
	}' "$csv"
}

{
	echo "# Benchmarks"
	echo
	echo "Generated by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d); do not edit."
	echo "Rerun it to measure your own machine: it installs hyperfine, bubblewrap,"
	echo "firejail and gnuplot from Debian when they are missing. Medians; in"
	echo "parentheses, the ratio to the same thing without a sandbox."
	echo
	echo "| machine | |"
	echo "|---|---|"
	echo "| CPU | $cpu, $(nproc) cores |"
	echo "| kernel | $(uname -sr) ($(uname -m)) |"
	echo "| system | $distro |"
	echo "| stockade | $(ver "$stockade" --version), libseccomp $(pkg-config --modversion libseccomp) |"
	have bwrap && echo "| bubblewrap | $(ver bwrap --version) |"
	have firejail && echo "| firejail | $(ver firejail --version) |"
	have hyperfine && echo "| hyperfine | $(ver hyperfine --version) |"
	echo
	echo "## Startup: \`run -- /bin/true\`"
	echo
	echo "Fork, exec, wait: microseconds (median of $runs runs, bench/startup.c, CLOCK_MONOTONIC)."
	echo "stockade applies the preset's whole sandbox (no_new_privs, Landlock where the preset"
	echo "has file rules, the seccomp filter); bwrap gets the agent filter that"
	echo "\`stockade compile --format bpf\` exports, and its own mount namespace."
	echo "\`1-insn filter (floor)\` is bench/allowall.c, statically linked against $floor_libc like"
	echo "the CLI: no_new_privs, a one-instruction allow-all filter, exec; the least any seccomp"
	echo "wrapper can cost."
	echo
	table startup "µs"
	echo
	if [ -n "$bare_us" ]; then
		awk -v b="$bare_us" '$1 == "floor" { f = $2 } $1 == "agent" { a = $2 } $1 == "agent-noiso" { n = $2 }
			END { if (a) printf "Targets (issue 14), as root: agent with namespaces within 1.5 ms of bare `true`: %+.3f ms (%s)", (a - b) / 1000, ((a - b) <= 1500 ? "met" : "not met")
			      if (n) printf "; without them (--isolation off) within 0.5 ms: %+.3f ms (%s)", (n - b) / 1000, ((n - b) <= 500 ? "met" : "not met")
			      if (a && f) printf "; the floor is %+.3f ms, so stockade'"'"'s own work under agent is %+.3f ms", (f - b) / 1000, (a - f) / 1000
			      if (a) printf ".\n" }' "$startup_rows"
		echo
		awk '$1 == "agent-file" { f = $2 } $1 == "agent-tcp" { t = $2 } $1 == "agent-proxy" { p = $2 }
			END { if (f && t) printf "Target (issue 15): a TCP port list within 1 ms of the same policy without one: %+.3f ms (%s)", (t - f) / 1000, ((t - f) <= 1000 ? "met" : "not met")
			      if (f && p) printf "; mode proxy with an allow list (stockade-proxy started for the run): %+.3f ms (%s)", (p - f) / 1000, ((p - f) <= 1000 ? "met" : "not met")
			      if (f && t) printf ".\n" }' "$startup_rows"
		echo
		awk '$1 == "bare-u" { b = $2 } $1 == "agent-u" { a = $2 } $1 == "agent-noiso-u" { n = $2 }
			END { if (b && a && n) printf "As uid 65534 (no system secrets to carve out of /etc): agent with namespaces %+.3f ms over bare `true` (target 1.5: %s), --isolation off %+.3f ms (target 0.5: %s).\n\n", (a - b) / 1000, ((a - b) <= 1500 ? "met" : "not met"), (n - b) / 1000, ((n - b) <= 500 ? "met" : "not met") }' "$startup_rows"
		awk -v b="$bare_us" '$1 == "agent-noiso" { n = $2 } $1 == "agent-unix" { u = $2 }
			END { if (u) printf "Target (issue 14): agent with unix connects mediated (a host daemon socket present, no namespaces) within 1.5 ms of bare `true`: %+.3f ms (%s)", (u - b) / 1000, ((u - b) <= 1500 ? "met" : "not met")
			      if (u && n) printf "; the supervisor costs %+.3f ms over agent --isolation off", (u - n) / 1000
			      if (u) printf ".\n" }' "$startup_rows"
	fi
	if [ -n "$hf" ]; then
		echo
		echo "Cross-check with hyperfine -N: bare $(hf_median "$work/hf-bare.json") µs, agent $(hf_median "$work/hf-agent.json") µs."
	fi
	echo
	if [ -s "$iso_rows" ]; then
		echo "## The namespace setup, layer by layer"
		echo
		echo "bench/isolation.c, each step on top of the one before, interleaved, median of $runs"
		echo "(µs): what \`stockade agent\` above pays for its own pid, IPC, mount, UTS and cgroup"
		echo "namespaces ($(if [ "$(id -u)" = 0 ]; then echo "as root: no user namespace"; else echo "through a user namespace"; fi))."
		echo "Against \`stockade agent --isolation off\`, the startup table shows the whole of it."
		echo
		echo "| step | µs |"
		echo "|---|---:|"
		awk -F'\t' '{ printf "| %s | %s |\n", $1, $2 }' "$iso_rows"
		echo
		awk -v b="$bare_us" '$1 == "agent" { a = $2 } $1 == "agent-noiso" { o = $2 }
			END { if (a && o) printf "Targets: with namespaces within 1.5 ms of bare `true`: %+.3f ms (%s); without, within 0.5 ms: %+.3f ms (%s).\n", (a - b) / 1000, ((a - b) <= 1500 ? "met" : "not met"), (o - b) / 1000, ((o - b) <= 500 ? "met" : "not met") }' "$startup_rows"
		echo
	fi
	if [ -s "$phase_rows" ]; then
		echo "## Where the start goes, phase by phase"
		echo
		echo "\`stockade run --timings\` under agent, median of $phase_runs runs per column (µs, stockade's"
		echo "own clock from its first option to the command's exec: the exec of stockade itself"
		echo "and the command's run are not in it). Without namespaces most of it is the Landlock"
		echo "walk (a rule per entry beside each carve-out: as root, every entry of \`/etc\` beside"
		echo "the system secrets) and the seccomp filter's load (the kernel checks, translates and"
		echo "JIT-compiles it, and runs it once per syscall number for its cache)."
		echo
		printf "| phase |"
		for e in $phase_cols; do printf " %s |" "$(label "$e")"; done
		echo
		printf "|---|"
		for e in $phase_cols; do printf -- "---:|"; done
		echo
		awk -F'\t' -v cols="$phase_cols" 'BEGIN { nc = split(cols, c, " ") }
			{ if (!($2 in seen)) { seen[$2] = 1; order[++k] = $2 } v[$1, $2] = $3 }
			END { for (i = 1; i <= k; i++) { printf "| %s |", order[i]
				for (j = 1; j <= nc; j++) printf " %s |", ((c[j], order[i]) in v ? v[c[j], order[i]] : "")
				printf "\n" } }' "$phase_rows"
		echo
	fi
	echo "## The library path"
	echo
	echo "An embedding program builds the agent plan once, then per command forks, calls"
	echo "\`stockade_plan_apply()\` in the child and execs /bin/true (bench/libpath.c), against"
	echo "a plain fork + exec, interleaved; microseconds, median of $runs.  In the last column the"
	echo "program called \`stockade_program_new()\` once first: the Landlock ruleset and the"
	echo "filter are built in the parent, and each child only enforces them."
	echo
	table libpath "µs"
	echo
	awk -v p="$lp_plain" -v a="$lp_apply" -v q="$lp_prep" 'BEGIN { printf "Target: within 0.1 ms of a plain fork+exec: prepared %+.3f ms (%s); without prepare %+.3f ms.\n", (q - p) / 1000, ((q - p) <= 100 ? "met" : "not met"), (a - p) / 1000 }'
	echo
	echo "## The syscall loop"
	echo
	echo "Nanoseconds per iteration, median of $sys_rounds rounds of $sys_iters (bench/syscalls.c). The"
	echo "first rows have no argument rules under agent; \`openat(O_CREAT)\`, \`ioctl\` and \`socket\`"
	echo "are checked by argument (setuid modes, TIOCSTI, address families). \`stockade agent\`"
	echo "also applies agent's Landlock file rules, which calls taking a path pay for; the"
	echo "\`bwrap + agent filter\` column is the same seccomp filter without Landlock."
	echo "\`stockade none\` loads no filter at all: its column is this machine's run-to-run noise."
	echo "\`1-insn filter (floor)\` runs under a filter that allows everything in one instruction:"
	echo "what the kernel charges any process under seccomp per call, whatever its filter says."
	echo
	table syscalls "ns"
	echo
	awk -F, 'NR > 1 && $1 == "syscalls" && $3 == "stockade agent" {
			if ($2 ~ /^(openat|ioctl|socket)/) { if ($6 > worst) { worst = $6; wn = $2 } }
			else if ($2 !~ /^mix/ && $6 > plain) { plain = $6; pn = $2 }
			if ($2 ~ /^mix/) { mix = $6; mixv = $4 }
		}
		NR > 1 && $1 == "syscalls" && $3 ~ /floor/ && $2 ~ /^mix/ { floor = $6; floorv = $4 }
		END {
			printf "Targets: the mix under agent costs %.2f× bare (within 2%%: %s); the slowest call without argument rules, %s, %.2f×; the worst argument-checked call, %s, %.2f×.", mix, (mix <= 1.02 ? "met" : "not met"), pn, plain, wn, worst
			if (floor) printf " Under the one-instruction filter the mix costs %.2f× bare: agent'"'"'s filter and Landlock rules add %.2f× over the floor that any seccomp filter pays on this kernel.", floor, mixv / floorv
			printf "\n"
		}' "$csv"
	echo
	echo "## Workloads"
	echo
	echo "Milliseconds, median of $wl_runs builds (\`make clean\` between them, not timed) and of"
	echo "$((wl_runs * 4)) \`git status\` runs; trees made by bench/workload.sh."
	echo
	table workload "ms"
	echo
	echo "## The filter's shape"
	echo
	echo "Instructions a syscall runs through in the compiled x86_64 filter, measured with the"
	echo "BPF simulator for every syscall number (bench/filterdepth.c). The synthetic policies deny"
	echo "n syscalls, or give each an argument rule: the longest path grows like log n,"
	echo "because the filter finds a syscall by binary search over the numbers it decides."
	echo
	echo "| filter | instructions | longest path | mean path | deepest syscall |"
	echo "|---|---:|---:|---:|---|"
	awk '$1 == "preset" { printf "| preset %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6 }' "$work/depth.txt"
	awk '$1 == "synthetic" { printf "| %s, n = %s | %s | %s | %s | |\n", ($2 == "deny" ? "deny n syscalls" : "an argument rule on n syscalls"), $3, $4, $5, $6 }' "$work/depth.txt"
	if have gnuplot; then
		echo
		echo "![longest path against the number of rules](benchmarks.png)"
	fi
	if [ -s "$notes" ]; then
		echo
		echo "## Notes"
		echo
		cat "$notes"
	fi
	echo
	echo "The same numbers as CSV: [benchmarks.csv](benchmarks.csv)."
} >"$md"

# ---- the plot ----

if have gnuplot; then
	awk '$1 == "synthetic" && $2 == "deny" { print $3, $5 }' "$work/depth.txt" >"$work/depth-deny.dat"
	awk '$1 == "synthetic" && $2 == "arg-rules" { print $3, $5 }' "$work/depth.txt" >"$work/depth-args.dat"
	gnuplot <<GP 2>"$work/gnuplot.log" || note "gnuplot failed: $(head -n 1 "$work/gnuplot.log")"
set terminal pngcairo size 640,360 font ",10" noenhanced
set output "$work/benchmarks.png"
set title "Longest path through the compiled filter (x86_64)"
set xlabel "rules (syscalls denied, or with an argument rule)"
set ylabel "BPF instructions"
set logscale x 2
set key top left
set grid
set yrange [0:*]
plot "$work/depth-deny.dat" using 1:2 with linespoints title "deny n syscalls", \
     "$work/depth-args.dat" using 1:2 with linespoints title "argument rule on n syscalls"
GP
fi

cp "$md" "$out/benchmarks.md"
cp "$csv" "$out/benchmarks.csv"
[ -f "$work/benchmarks.png" ] && cp "$work/benchmarks.png" "$out/benchmarks.png"
echo "bench: wrote $out/benchmarks.md, $out/benchmarks.csv$([ -f "$work/benchmarks.png" ] && echo ", $out/benchmarks.png")" >&2
