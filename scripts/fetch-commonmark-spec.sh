#!/usr/bin/env bash
# Fetches the CommonMark spec text (commonmark-spec 0.31.2 from npm) for
# tests/commonmark_spec.rs. The text is CC-BY-SA-4.0 and not kept in the
# repository. Writes target/commonmark-spec/spec.txt, or the path named by
# MDSCRUB_COMMONMARK_SPEC.
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.31.2
dest="${MDSCRUB_COMMONMARK_SPEC:-target/commonmark-spec/spec.txt}"
if [ -s "$dest" ]; then
  exit 0
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "commonmark-spec@$version" >/dev/null)
tar -xzf "$tmp/commonmark-spec-$version.tgz" -C "$tmp" package/spec.txt
mkdir -p "$(dirname "$dest")"
mv "$tmp/package/spec.txt" "$dest"
echo "commonmark-spec $version: $dest"
