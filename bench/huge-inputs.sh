#!/usr/bin/env bash
# Peak memory and time of mdscrub on huge single files, against the target
# peak <= 64 MiB + 8 x the largest file:
#   - one line of about 30 MB, dense with links and images whose URLs carry
#     tracking parameters (one edit every ~70 bytes);
#   - 100,000 list items, each with a tracked link.
#
#   bench/huge-inputs.sh               # builds a release binary first
#   MDSCRUB=path/to/mdscrub bench/huge-inputs.sh
#
# Settings (environment):
#   MDSCRUB   the binary to measure (default: cargo build --release)
#   LINE_MB   size of the single line in MB (default 30)
#   ITEMS     number of list items (default 100000)
#   WORK      scratch folder (default a new folder under ${TMPDIR:-/tmp})
#
# Each input is measured with `check` (reports every edit) and with `clean`
# (writes in place, on a fresh copy). Peak memory is the maximum resident
# set size from `/usr/bin/time -v` (GNU time).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
LINE_MB=${LINE_MB:-30}
ITEMS=${ITEMS:-100000}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/mdscrub-huge.XXXXXX")}
mkdir -p "$WORK"

if [[ -z "${MDSCRUB:-}" ]]; then
    (cd "$here" && cargo build --release --quiet)
    MDSCRUB="${CARGO_TARGET_DIR:-$here/target}/release/mdscrub"
fi
[[ -x /usr/bin/time ]] || { echo "error: GNU time (/usr/bin/time) is needed" >&2; exit 2; }

python3 - "$WORK" "$LINE_MB" "$ITEMS" <<'EOF'
import sys, os
work, line_mb, items = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
line = os.path.join(work, "line.md")
if not os.path.exists(line):
    target = line_mb * 1000 * 1000
    parts, size, n = [], 0, 0
    while size < target:
        if n % 2 == 0:
            p = f"看[文章{n}](https://example.com/p/{n}?utm_source=wechat&utm_medium=social&id={n}) "
        else:
            p = f"![](https://mmbiz.qpic.cn/a/{n}/640?wx_fmt=png&from=appmsg&wx_lazy=1) "
        parts.append(p)
        size += len(p.encode())
        n += 1
    with open(line, "w") as f:
        f.write("".join(parts))
        f.write("\n")
lst = os.path.join(work, "list.md")
if not os.path.exists(lst):
    with open(lst, "w") as f:
        f.write("# 列表\n\n")
        for i in range(items):
            f.write(f"- 第{i}项 [链接](https://example.com/a/{i}?utm_source=wechat&utm_campaign=x)\n")
EOF

printf '%-10s %-6s %10s %10s %10s %8s %s\n' input command "size MB" "peak MiB" "target" "seconds" verdict
for input in line list; do
    file="$WORK/$input.md"
    size=$(stat -c %s "$file")
    target_kib=$(( 64 * 1024 + 8 * size / 1024 ))
    for cmd in check clean; do
        copy="$WORK/run-$input.md"
        cp "$file" "$copy"
        log="$WORK/time-$input-$cmd.txt"
        set +e
        /usr/bin/time -v "$MDSCRUB" "$cmd" --no-cache --max-file-size 100000000 "$copy" \
            >/dev/null 2>"$log"
        code=$?
        set -e
        peak_kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
        secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
        verdict=ok
        (( peak_kib <= target_kib )) || verdict=OVER
        (( code <= 1 )) || verdict="$verdict (exit $code)"
        printf '%-10s %-6s %10.1f %10.1f %10.1f %8s %s\n' "$input" "$cmd" \
            "$(echo "$size / 1000000" | bc -l)" "$(echo "$peak_kib / 1024" | bc -l)" \
            "$(echo "$target_kib / 1024" | bc -l)" "$secs" "$verdict"
        rm -f "$copy"
    done
done
