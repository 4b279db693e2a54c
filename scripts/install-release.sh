#!/usr/bin/env bash
# Downloads a released mdscrub binary for this machine and unpacks it into
# DEST; prints the binary's path. The composite action (action.yml) and the
# `mdscrub-bin` pre-commit hooks use it, so neither compiles anything.
#
#   scripts/install-release.sh REPO VERSION DEST
#
# REPO is owner/name on GitHub; VERSION a release tag (`v0.1.0`) or `latest`.
# MDSCRUB_RELEASE_URL replaces https://github.com/REPO/releases (a mirror, or
# a local folder as file:///… laid out as download/TAG/ASSET).
set -euo pipefail
repo=$1 version=$2 dest=$3

os=$(uname -s) arch=$(uname -m)
case "$os/$arch" in
  Linux/x86_64) target=x86_64-unknown-linux-musl ;;
  Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
  Darwin/x86_64) target=x86_64-apple-darwin ;;
  Darwin/arm64) target=aarch64-apple-darwin ;;
  MINGW*/* | MSYS*/* | CYGWIN*/* | Windows_NT/*) target=x86_64-pc-windows-msvc ;;
  *) echo "error: no released mdscrub binary for $os/$arch" >&2; exit 1 ;;
esac
case $target in
  *windows*) asset="mdscrub-$target.zip" exe=mdscrub.exe ;;
  *) asset="mdscrub-$target.tar.gz" exe=mdscrub ;;
esac
base=${MDSCRUB_RELEASE_URL:-https://github.com/$repo/releases}
if [ "$version" = latest ]; then
  url="$base/latest/download/$asset"
else
  url="$base/download/$version/$asset"
fi

mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl --fail --silent --show-error --location --retry 3 --output "$tmp/$asset" "$url" ||
  { echo "error: cannot download $url" >&2; exit 1; }
case $asset in
  *.zip) unzip -q -o "$tmp/$asset" -d "$tmp" ;;
  *) tar -xzf "$tmp/$asset" -C "$tmp" ;;
esac
mv -f "$tmp/mdscrub-$target/$exe" "$dest/$exe"
chmod +x "$dest/$exe"
echo "$dest/$exe"
