#!/usr/bin/env bash
# Tests scripts/install-release.sh and scripts/pre-commit-release.sh against
# a release laid out in a local folder (as the release workflow names its
# archives), with the binary built here standing in for the released one.
#
#   scripts/test-release-install.sh [BINARY]   (default: cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
  bin=$1
else
  cargo build --release --quiet
  bin="${CARGO_TARGET_DIR:-target}/release/mdscrub"
fi
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) target=x86_64-unknown-linux-musl ;;
  Linux/aarch64) target=aarch64-unknown-linux-musl ;;
  Darwin/x86_64) target=x86_64-apple-darwin ;;
  Darwin/arm64) target=aarch64-apple-darwin ;;
  *) echo "this test runs on Linux and macOS"; exit 0 ;;
esac
version=v$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/release/download/$version/mdscrub-$target"
cp "$bin" "$work/release/download/$version/mdscrub-$target/mdscrub"
tar -czf "$work/release/download/$version/mdscrub-$target.tar.gz" \
  -C "$work/release/download/$version" "mdscrub-$target"
export MDSCRUB_RELEASE_URL="file://$work/release"

got=$(scripts/install-release.sh owner/mdscrub "$version" "$work/bin")
[ "$got" = "$work/bin/mdscrub" ] || { echo "error: installed at $got" >&2; exit 1; }
"$got" --version

# The pre-commit entry, from a clone whose origin is on GitHub: downloads
# once into the cache, then runs it.
git clone --quiet . "$work/hooks"
git -C "$work/hooks" remote set-url origin https://github.com/owner/mdscrub.git
cp scripts/*.sh "$work/hooks/scripts/"
cp fixtures/strip-query/input.md "$work/a.md"
export XDG_CACHE_HOME="$work/cache"
status=0
"$work/hooks/scripts/pre-commit-release.sh" check --rules fixtures/strip-query/rules.toml "$work/a.md" >/dev/null || status=$?
[ "$status" -eq 1 ] || { echo "error: the hook's check exited $status, not 1" >&2; exit 1; }
[ -x "$work/cache/mdscrub/$version/mdscrub" ] || { echo "error: nothing cached" >&2; exit 1; }
# Cached: no download the second time (the release is gone).
rm -rf "$work/release"
"$work/hooks/scripts/pre-commit-release.sh" clean --rules fixtures/strip-query/rules.toml --quiet "$work/a.md"
cmp "$work/a.md" fixtures/strip-query/expected.md
echo "ok: installed from a release, and the pre-commit entry cleans with the cached binary"
