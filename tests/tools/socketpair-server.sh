#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The fork-server pattern (cargo/clippy drivers, jobservers): socketpair,
# fork, request/reply round trips and a descriptor passed with SCM_RIGHTS.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
PROBES=${PROBES:-build/probes}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
[ -x "$PROBES/socketpair-server" ] || { echo "FAIL: $PROBES/socketpair-server is not built"; exit 1; }

"$STOCKADE" run -- "$PROBES/socketpair-server" || { echo "FAIL: exited with status $? under stockade"; exit 1; }
