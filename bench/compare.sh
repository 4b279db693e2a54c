#!/usr/bin/env bash
# Times mdscrub against its parse floor, `cat`, and the Markdown fixers people
# would use instead, on synthetic corpora of WeChat-style exports.
#
#   bench/compare.sh                 # 2,000 and 20,000 files
#   SIZES=2000 bench/compare.sh      # quick rerun: 2,000 files only
#
# Settings (environment):
#   SIZES     corpus sizes, space-separated (default "2000 20000")
#   RUNS      timed runs per command (default 5; 3 above 5,000 files)
#   SEED      corpus seed (default 42)
#   WORK      scratch folder (default a new folder under ${TMPDIR:-/tmp});
#             corpora generated there are reused when it is given again
#   SLOW_MAX  largest corpus on which markdownlint-cli2 and prettier run
#             (default 2000; they take minutes)
#   MEMORY_ONLY=1  one untimed run per mdscrub command and the floor, for
#             the peak-memory column only (quick on 20,000 files)
#   PROFILE=archive  corpora shaped after a real archive of WeChat exports
#             (`gen-corpus --archive`: 10 KB a file, junk in the shares of
#             files found there) instead of the default synthetic one
#   SOURCE=DIR  corpora made of copies of the Markdown files under DIR (a
#             folder of real exports: `../shared/eval/dev/context`,
#             `../shared/corpus`), copy after copy in folders of their own
#             until there are at least as many files as the size asks;
#             overrides PROFILE
#   CARGO_TARGET_DIR  where the binaries are built (as for cargo)
#
# Every command that writes gets its own fresh copy of the corpus before each
# run, synced to disk before the clock starts (an archive being cleaned is on
# disk already; an unsynced copy would let a tool whose renames replace
# never-written files skip their writeback). Timings use hyperfine when it is installed, else repeated runs and the
# median. Peak memory comes from `/usr/bin/time -v` (GNU time). The table
# gives medians and ratios to the parse floor.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${SIZES:-"2000 20000"}
SEED=${SEED:-42}
SLOW_MAX=${SLOW_MAX:-2000}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/mdscrub-bench.XXXXXX")}
mkdir -p "$WORK"
# mdscrub's cache of clean contents lives in the scratch folder. Rows run
# with --no-cache unless they say "cache warm".
export MDSCRUB_CACHE_DIR=$WORK/cache

echo "building (release)..." >&2
(cd "$here" && cargo build --release --quiet --bin mdscrub --example gen-corpus --example parse-floor --example write-floor)
bin=${CARGO_TARGET_DIR:-$here/target}/release
mdscrub=$bin/mdscrub
floor=$bin/examples/parse-floor
write_floor=$bin/examples/write-floor

have() { command -v "$1" >/dev/null 2>&1; }
gnu_time=""
if /usr/bin/time -v true >/dev/null 2>&1; then gnu_time=/usr/bin/time; fi

# median_of FILE: median of the numbers in FILE, one per line.
median_of() { sort -g "$1" | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# time_cmd NAME PREPARE COMMAND: prints the median wall time in seconds.
# PREPARE runs before every timed run, untimed.
time_cmd() {
    local name=$1 prepare=$2 cmd=$3 out="$WORK/t-$1.json"
    if [ "${MEMORY_ONLY:-}" = 1 ]; then
        echo nan
    elif have hyperfine; then
        rm -f "$out"
        hyperfine --style none --warmup "$warmup" --runs "$runs" -i --prepare "$prepare" \
            --export-json "$out" "$cmd" >/dev/null 2>&1 || true
        python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$out" 2>/dev/null || echo nan
    else
        : >"$WORK/t-$name.txt"
        bash -c "$prepare" && bash -c "$cmd" >/dev/null 2>&1 || true
        for _ in $(seq "$runs"); do
            bash -c "$prepare"
            local t0 t1
            t0=$(date +%s.%N)
            bash -c "$cmd" >/dev/null 2>&1 || true
            t1=$(date +%s.%N)
            echo "$t1 - $t0" | bc -l >>"$WORK/t-$name.txt"
        done
        median_of "$WORK/t-$name.txt"
    fi
}

# copy_source DIR DEST N: copies of DIR (its Markdown files counted) in
# DEST/copy-1, DEST/copy-2, ... until DEST holds at least N files.
copy_source() {
    local src=$1 dest=$2 want=$3 have=0 k=0 per
    per=$(find "$src" -name '*.md' | wc -l)
    [ "$per" -gt 0 ] || { echo "no Markdown files under $src" >&2; exit 2; }
    mkdir -p "$dest"
    while [ "$have" -lt "$want" ]; do
        k=$((k + 1))
        mkdir -p "$dest/copy-$k"
        cp -r "$src/." "$dest/copy-$k"
        have=$((have + per))
    done
    chmod -R u+w "$dest"
}

# peak_mib PREPARE COMMAND: peak resident memory of COMMAND in MiB.
peak_mib() {
    if [ -z "$gnu_time" ]; then echo "-"; return; fi
    bash -c "$1"
    $gnu_time -v bash -c "exec $2" 2>"$WORK/mem.txt" >/dev/null || true
    awk -F: '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$WORK/mem.txt"
}

echo "machine: $(nproc) cores, $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ //'), $(uname -sr)"
echo "mdscrub: $(cd "$here" && git describe --always --dirty 2>/dev/null || echo unknown)"
[ -n "$gnu_time" ] || echo "note: GNU time not found (apt-get install time): no memory figures" >&2
have hyperfine || echo "note: hyperfine not found: medians of plain repeated runs" >&2

for n in $SIZES; do
    runs=${RUNS:-$([ "$n" -gt 5000 ] && echo 3 || echo 5)}
    warmup=1
    profile=${PROFILE:-default}
    [ -n "${SOURCE:-}" ] && profile=copies-$(basename "$SOURCE")
    corpus=$WORK/corpus-$profile-$n-$SEED
    if [ ! -f "$corpus.done" ]; then
        rm -rf "$corpus"
        if [ -n "${SOURCE:-}" ]; then
            copy_source "$SOURCE" "$corpus" "$n"
        else
            "$bin/examples/gen-corpus" $([ "$profile" = archive ] && echo --archive) "$corpus" "$n" "$SEED" >&2
        fi
        touch "$corpus.done"
    fi
    bytes=$(du -sb "$corpus" | cut -f1)
    cleaned=$WORK/cleaned-$n
    # This clean also records its output in the cache (the warm rows).
    rm -rf "$cleaned" && cp -r "$corpus" "$cleaned" && "$mdscrub" clean -q "$cleaned" || true
    run=$WORK/run
    fresh="rm -rf '$run' && cp -r '$corpus' '$run' && sync"
    none="true"

    echo
    echo "## $n files, $((bytes / 1000000)) MB, $runs runs"
    echo
    echo "| command | median (s) | vs floor | peak MiB |"
    echo "|---|---:|---:|---:|"
    row() { # NAME PREPARE COMMAND [MEMORY]
        local t m ratio
        t=$(time_cmd "$1-$n" "$2" "$3")
        ratio=$(awk -v t="$t" -v f="${floor_t:-$t}" 'BEGIN {printf "%.2fx", t / f}')
        m=$([ "${4:-yes}" = yes ] && peak_mib "$2" "$3" || echo "-")
        printf '| %s | %.3f | %s | %s |\n' "$1" "$t" "$ratio" "$m"
        eval "t_$(echo "$1" | tr -c 'a-z0-9\n' '_')=$t"
    }
    floor_t=""
    row "parse floor (comrak, same options, rayon)" "$none" "'$floor' '$corpus'"
    floor_t=$t_parse_floor__comrak__same_options__rayon_
    row "cat of all files" "$none" "find '$corpus' -name '*.md' -print0 | xargs -0 cat >/dev/null" no
    row "write floor (rewrite every file atomically, no parse)" "$fresh" "'$write_floor' '$run'" no
    row "mdscrub clean" "$fresh" "'$mdscrub' clean -q --no-cache '$run'"
    row "mdscrub check (cleaned copy)" "$none" "'$mdscrub' check -q --no-cache '$cleaned'"
    row "mdscrub check (dirty copy)" "$none" "'$mdscrub' check -q --no-cache '$corpus'"
    row "mdscrub check (cleaned copy, cache warm)" "$none" "'$mdscrub' check -q '$cleaned'"
    if [ "${MEMORY_ONLY:-}" = 1 ]; then continue; fi
    row "mdscrub clean --no-fsync" "$fresh" "'$mdscrub' clean -q --no-cache --no-fsync '$run'" no
    row "mdscrub clean -j 1" "$fresh" "'$mdscrub' clean -q --no-cache -j 1 '$run'" no
    row "mdscrub clean -j 2" "$fresh" "'$mdscrub' clean -q --no-cache -j 2 '$run'" no
    row "mdscrub check -j 1 (cleaned)" "$none" "'$mdscrub' check -q --no-cache -j 1 '$cleaned'" no
    row "mdscrub check -j 2 (cleaned)" "$none" "'$mdscrub' check -q --no-cache -j 2 '$cleaned'" no
    if have rumdl; then
        row "rumdl check --fix" "$fresh" "rumdl check --fix --no-cache '$run'" no
    fi
    if [ "$n" -le "$SLOW_MAX" ]; then
        saved=$runs
        runs=1
        warmup=0
        if have markdownlint-cli2; then
            row "markdownlint-cli2 --fix" "$fresh" "markdownlint-cli2 --fix '$run/**/*.md'" no
        fi
        if have prettier; then
            row "prettier --write" "$fresh" "prettier --write --log-level silent '$run'" no
        fi
        runs=$saved
        warmup=1
    fi
    awk -v a="$t_mdscrub_clean__j_1" -v b="$t_mdscrub_clean__j_2" \
        -v c="$t_mdscrub_check__j_1__cleaned_" -v d="$t_mdscrub_check__j_2__cleaned_" \
        'BEGIN {printf "\n-j 2 vs -j 1: clean %.2fx faster, check %.2fx faster\n", a / b, c / d}'
    awk -v c="$t_mdscrub_clean" -v p="$floor_t" -v w="$t_write_floor__rewrite_every_file_atomically__no_parse_" \
        'BEGIN {printf "mdscrub clean vs parse floor + write floor: %.2fx\n", c / (p + w)}'
    awk -v c="$t_mdscrub_clean" -v w="$t_write_floor__rewrite_every_file_atomically__no_parse_" \
        -v k="$t_mdscrub_check__cleaned_copy_" -v d="$t_mdscrub_check__dirty_copy_" -v p="$floor_t" \
        'BEGIN {printf "clean / write floor: %.2fx; check (cleaned, no cache) / parse floor: %.2fx; check (dirty) / parse floor: %.2fx\n", c / w, k / p, d / p}'
    if have rumdl; then
        awk -v r="$t_rumdl_check___fix" -v m="$t_mdscrub_clean" \
            'BEGIN {printf "mdscrub clean vs rumdl check --fix: %.1fx faster\n", r / m}'
        awk -v r="$t_rumdl_check___fix" -v m="$t_mdscrub_clean___no_fsync" \
            'BEGIN {printf "mdscrub clean --no-fsync vs rumdl check --fix (neither syncing): %.1fx faster\n", r / m}'
    fi
done
rm -rf "$WORK/run"
echo
echo "scratch folder: $WORK"
