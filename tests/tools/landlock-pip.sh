#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# pip install of a local wheel into the working tree (a venv there, and
# --target), offline, under the default preset.
set -eu
STOCKADE=${STOCKADE:-build/stockade}
case $STOCKADE in /*) ;; *) STOCKADE=$PWD/$STOCKADE ;; esac
[ -x "$STOCKADE" ] || { echo "FAIL: $STOCKADE is not built"; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is not installed"; exit 77; }
# The interpreter itself, not a version manager's shim (pyenv's rehashes
# its own directory after every pip install).
PY=$(python3 -c 'import sys; print(sys.executable)')
"$PY" -m pip --version >/dev/null 2>&1 || { echo "SKIP: pip is not installed"; exit 77; }
tmp=$(mktemp -d /tmp/stockade-tool.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/home" "$tmp/work"
HOME=$tmp/home
PIP_DISABLE_PIP_VERSION_CHECK=1
export HOME PIP_DISABLE_PIP_VERSION_CHECK
cd "$tmp/work"
# A minimal wheel, built without setuptools or the network.
"$PY" - <<'PYEOF'
import base64, hashlib, zipfile
files = {
    "stockade_tiny/__init__.py": b"def answer():\n    return 42\n",
    "stockade_tiny-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: stockade-tiny\nVersion: 1.0\n",
    "stockade_tiny-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: stockade-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
for name, data in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append(f"{name},sha256={digest},{len(data)}")
record.append("stockade_tiny-1.0.dist-info/RECORD,,")
files["stockade_tiny-1.0.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
with zipfile.ZipFile("stockade_tiny-1.0-py3-none-any.whl", "w") as z:
    for name, data in files.items():
        z.writestr(name, data)
PYEOF

"$STOCKADE" run -- "$PY" -m pip install -q --no-index --no-cache-dir --target ./vendor \
	./stockade_tiny-1.0-py3-none-any.whl || { echo "FAIL: pip install --target exited with status $?"; exit 1; }
out=$("$STOCKADE" run -- "$PY" -c 'import sys; sys.path.insert(0, "vendor"); import stockade_tiny; print(stockade_tiny.answer())')
[ "$out" = 42 ] || { echo "FAIL: got \"$out\" from --target"; exit 1; }
if "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
	"$STOCKADE" run -- "$PY" -m venv .venv || { echo "FAIL: python -m venv exited with status $?"; exit 1; }
	"$STOCKADE" run -- .venv/bin/python -m pip install -q --no-index --no-cache-dir \
		./stockade_tiny-1.0-py3-none-any.whl || { echo "FAIL: pip install into the venv exited with status $?"; exit 1; }
	out=$("$STOCKADE" run -- .venv/bin/python -c 'import stockade_tiny; print(stockade_tiny.answer())')
	[ "$out" = 42 ] || { echo "FAIL: got \"$out\" from the venv"; exit 1; }
fi
echo "pip: installed a local wheel into the working tree, offline"
