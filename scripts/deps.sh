#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Make sure the build dependencies (all from Debian's archive) are present:
# install them when running as root, otherwise print the exact apt-get line.
set -eu
need=""
pkg-config --exists libseccomp 2>/dev/null || need="$need libseccomp-dev"
pkg-config --exists yaml-0.1 2>/dev/null || need="$need libyaml-dev"
command -v pkg-config >/dev/null 2>&1 || need="pkg-config $need"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing$need" >&2
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >&2
else
	echo "deps: missing build dependencies; run as root:" >&2
	echo "  apt-get install -y$need" >&2
	exit 1
fi
