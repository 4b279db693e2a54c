#!/usr/bin/env bash
# Checks that two mdscrub binaries clean the same files to the same bytes:
#   bench/same-output.sh OLD_BINARY NEW_BINARY DIR...
# Each DIR is copied twice into a temporary folder, cleaned once by each
# binary (with --force, so refusals do not hide differences), and the copies
# are compared byte for byte, along with each binary's `check` report.
# FILES_ONLY=1 compares the cleaned files only: for a change that reaches the
# same text by other edits (fewer passes, other hit ranges), so the reports
# differ by design.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 OLD_BINARY NEW_BINARY DIR..." >&2
    exit 2
fi
old=$(realpath "$1") new=$(realpath "$2")
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for dir in "$@"; do
    name=$(basename "$dir")
    for which in old new; do
        mkdir -p "$work/$which"
        cp -r "$dir" "$work/$which/$name"
        bin=$old
        [ $which = new ] && bin=$new
        # Each binary starts with its own empty cache of clean contents, so
        # that neither answers from what the other recorded.
        export MDSCRUB_CACHE_DIR="$work/cache-$which-$name"
        # The summary line ends with the run's duration: leave that out.
        (cd "$work/$which" && "$bin" check --format json "$name" 2>&1 || true) |
            sed -E 's/ in [0-9.]+s$//' >"$work/$which-$name-check.json"
        (cd "$work/$which" && "$bin" clean --force "$name" 2>&1 || true) |
            sed -E 's/ in [0-9.]+s$//' >"$work/$which-$name-clean.txt"
    done
    if diff -r "$work/old/$name" "$work/new/$name" >/dev/null && [ -n "${FILES_ONLY:-}" ]; then
        echo "same files: $dir ($(find "$dir" -type f | wc -l) files)"
    elif diff -r "$work/old/$name" "$work/new/$name" >/dev/null &&
        cmp -s "$work/old-$name-check.json" "$work/new-$name-check.json" &&
        cmp -s "$work/old-$name-clean.txt" "$work/new-$name-clean.txt"; then
        echo "same: $dir ($(find "$dir" -type f | wc -l) files)"
    else
        echo "DIFFERENT: $dir" >&2
        diff -r "$work/old/$name" "$work/new/$name" | head -20 >&2 || true
        diff "$work/old-$name-check.json" "$work/new-$name-check.json" | head -10 >&2 || true
        diff "$work/old-$name-clean.txt" "$work/new-$name-clean.txt" | head -10 >&2 || true
        status=1
    fi
done
exit $status
