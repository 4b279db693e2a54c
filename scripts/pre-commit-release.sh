#!/usr/bin/env bash
# Entry of the `mdscrub-bin` pre-commit hooks: runs the released binary of
# the version the hook repository is at (its Cargo.toml), downloaded once
# into ${XDG_CACHE_HOME:-~/.cache}/mdscrub/ by scripts/install-release.sh.
# Arguments are mdscrub's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=v$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mdscrub/$version"
bin="$cache/mdscrub"
[ -x "$bin.exe" ] && bin="$bin.exe"
if [ ! -x "$bin" ]; then
  # The repository pre-commit cloned: github.com/OWNER/NAME(.git).
  url=$(git -C "$root" config --get remote.origin.url)
  repo=$(printf '%s\n' "$url" | sed -E 's#^.*github\.com[:/]##; s#\.git$##')
  bin=$("$root/scripts/install-release.sh" "$repo" "$version" "$cache")
fi
exec "$bin" "$@"
