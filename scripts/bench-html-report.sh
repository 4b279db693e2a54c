#!/usr/bin/env bash
# Builds an HTML report of a synthetic archive (default 10,000 changed
# articles) and measures: report generation time and size, and how long
# headless Chromium takes to open it (script start to first render, as the
# page records it in <html data-ready>, and the whole browser run).
#
#   scripts/bench-html-report.sh [FILES] [FILLER_PARAGRAPHS]
#
# Needs: cargo, awk, GNU date, and chromium (for the browser figures).
set -euo pipefail
cd "$(dirname "$0")/.."

files=${1:-10000}
filler=${2:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
bin=target/release/mdscrub
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# The bundled example article, with its title and a number varied per file,
# plus unchanged filler paragraphs (what folds look like in a long article).
awk -v n="$files" -v filler="$filler" -v dir="$work/archive" '
  { lines[NR] = $0 }
  END {
    for (i = 0; i < n; i++) {
      sub_dir = sprintf("%s/%03d", dir, int(i / 100))
      if (i % 100 == 0) system("mkdir -p " sub_dir)
      path = sprintf("%s/article-%05d.md", sub_dir, i)
      for (l = 1; l <= NR; l++) {
        line = lines[l]
        if (l == 1) line = line " 第" i "篇"
        print line > path
        if (l == 9) {
          for (f = 0; f < filler; f++)
            print "\n第" f "段：这是一段没有需要清理的正文，用来撑起文章的长度，第" i "篇。" > path
        }
      }
      close(path)
    }
  }' examples/exports/wechat/城市夜跑的十年.md

du -sh "$work/archive" | awk '{print "archive: " $1 " on disk"}'
start=$(date +%s.%N)
"$bin" diff --html "$work/report.html" "$work/archive" -q || true
end=$(date +%s.%N)
size=$(stat -c %s "$work/report.html")
echo "generate: $(elapsed "$start" "$end") s for $files files"
echo "report:   $((size / 1024 / 1024)) MiB ($size bytes)"

chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chromium" ]; then
  echo "chromium not found; skipping the browser figures"
  exit 0
fi
# A small page opens the report in a frame and reports, once the report has
# rendered: when its script finished (ms since the report's navigation
# started), when the frame finished loading (ms since the harness started),
# and the report's file count line. Dumping the small harness instead of the
# report keeps the 60 MB report DOM out of the measurement.
cat > "$work/harness.html" <<'HTML'
<!DOCTYPE html><pre id="out">pending</pre><iframe id="f" style="width:1280px;height:900px"></iframe>
<script>
var f = document.getElementById("f"), t0 = performance.now();
f.onload = function () {
  var d = f.contentDocument;
  requestAnimationFrame(function () {
    document.getElementById("out").textContent = "script " + d.documentElement.getAttribute("data-ready") +
      " ms, loaded " + Math.round(performance.now() - t0) + " ms; " + d.getElementById("count").textContent;
  });
};
f.src = "report.html" + location.hash;
</script>
HTML
open_page() {
  local profile
  profile=$(mktemp -d)
  "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --allow-file-access-from-files --user-data-dir="$profile" --dump-dom "$1" 2>/dev/null
  rm -rf "$profile"
}
open_page "file://$work/harness.html" >/dev/null # warm the disk cache
last=$(printf '%s/archive/%03d/article-%05d.md' "$work" $(((files - 1) / 100)) $((files - 1)))
for label in "list" "rule filter + last file open, side by side" "text search"; do
  case $label in
    list) hash="" ;;
    rule*) hash="#rule=tidy&view=split&file=$last" ;;
    text*) hash="#q=%E7%AC%AC$((files - 1))%E7%AF%87" ;;
  esac
  start=$(date +%s.%N)
  out=$(open_page "file://$work/harness.html$hash" | grep -o '<pre id="out">[^<]*' | sed 's/.*>//')
  end=$(date +%s.%N)
  echo "browser, $label: $out (chromium run $(elapsed "$start" "$end") s)"
done
