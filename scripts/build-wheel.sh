#!/usr/bin/env bash
# Builds the wheel (maturin, bin bindings), installs it into a fresh virtual
# environment and checks the installed binary: `mdscrub --version` gives the
# crate's version, and `mdscrub check` finds the fixture's junk (exit 1) and
# passes the fixture's expected output (exit 0).
#
#   scripts/build-wheel.sh [OUT_DIR]     (default target/wheels)
#
# Needs python3 (with venv) and cargo; maturin comes from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/wheels}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/build"
"$work/build/bin/pip" install --quiet 'maturin>=1.7,<2.0'
"$work/build/bin/maturin" build --release --locked --out "$out" --quiet
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
wheel=$(ls "$out"/mdscrub-"$version"-*.whl | head -1)
echo "built: $wheel"

python3 -m venv "$work/try"
"$work/try/bin/pip" install --quiet "$wheel"
bin="$work/try/bin/mdscrub"
got=$("$bin" --version)
[ "$got" = "mdscrub $version" ] || { echo "error: --version says '$got'" >&2; exit 1; }
cp fixtures/strip-query/input.md "$work/input.md"
cp fixtures/strip-query/expected.md "$work/expected.md"
status=0
"$bin" check --rules fixtures/strip-query/rules.toml "$work/input.md" >/dev/null || status=$?
[ "$status" -eq 1 ] || { echo "error: check of the input exited $status, not 1" >&2; exit 1; }
"$bin" check --rules fixtures/strip-query/rules.toml "$work/expected.md" >/dev/null
echo "ok: $got from the wheel; check finds the fixture's junk and passes its expected output"
