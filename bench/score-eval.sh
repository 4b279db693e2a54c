#!/usr/bin/env bash
# Scores mdscrub on the labelled exports: a copy of EVAL_DIR (default
# ../shared/eval/dev) is cleaned with the default rules, with --learn (the
# folder's own recurring boilerplate, learned in the same run), and with
# --learn --apply review; each copy is scored by EVAL_DIR/../score.py.
#   bench/score-eval.sh [MDSCRUB_BINARY]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/target/release/mdscrub}
eval_dir=${EVAL_DIR:-$here/../shared/eval/dev}
score=$(dirname "$eval_dir")/score.py
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() {
    local name=$1
    shift
    cp -r "$eval_dir" "$work/$name"
    chmod -R u+w "$work/$name"
    "$bin" clean --no-cache -q "$@" "$work/$name" || true
    printf '%-28s ' "$name"
    python3 "$score" "$eval_dir" "$work/$name" | tail -n 1
}
run default
run learn --learn
run learn-apply-review --learn --apply review
