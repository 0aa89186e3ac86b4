#!/usr/bin/env bash
# Two builds of the project side by side on one corpus: indexing in
# interleaved rounds (A, B, then B, A, ...) and the in-process query benchmark
# on each build's own database, also interleaved, so that a slow spell of a
# shared machine falls on both. Quotes medians and their ratios. For a change
# that must not cost speed (a refactor): build the commit before it and the
# commit after it, each with bench/run.sh's settings, and compare.
#
#   bench/compare-builds.sh BUILD_A BUILD_B [N [ROUNDS]]   (N = 100,000, 3 rounds)
#
# BUILD_A and BUILD_B are Release build folders holding indexer/news-index and
# bench/query-bench (cmake -DCMAKE_BUILD_TYPE=Release -DNEWS_TESTS=OFF). The
# corpus is bench/run.sh's ($BENCH_DIR/N, seed 42), generated if missing.
# Writes Markdown to standard output.
set -euo pipefail
a=$(realpath "$1") b=$(realpath "$2")
n=${3:-100000}
rounds=${4:-3}
work=${BENCH_DIR:-/tmp/news-bench}
dir=$work/$n
if [ ! -d "$dir/news" ] || [ ! -f "$dir/queries.txt" ]; then
  echo "== N = $n: generating" >&2
  rm -rf "$dir"
  mkdir -p "$work"
  "$b/bench/gen-corpus" --seeds "$(dirname "$0")/../seeds" --count "$n" --seed 42 --out "$dir" \
    --queries 300 >&2
fi
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
seconds() { time_fields '%e' "$@"; }
index_with() {  # build label -> seconds
  rm -rf "$dir/compare-$2.db" "$dir/compare-$2.db.parts"
  sync
  seconds "$1/indexer/news-index" -q --db "$dir/compare-$2.db" "$dir/news"
}
query_with() {  # build label -> p50 ms of the blended ranking
  "$1/bench/query-bench" --db "$dir/compare-$2.db" --queries "$dir/queries.txt" --repeat 3 \
    --row "$2" | awk -F'|' '{ gsub(/ /, "", $3); print $3 }'
}
ia=() ib=() qa=() qb=()
rows=""
for r in $(seq 1 "$rounds"); do
  echo "== round $r of $rounds" >&2
  if [ $((r % 2)) -eq 1 ]; then
    ta=$(index_with "$a" a) tb=$(index_with "$b" b)
    pa=$(query_with "$a" a) pb=$(query_with "$b" b)
  else
    tb=$(index_with "$b" b) ta=$(index_with "$a" a)
    pb=$(query_with "$b" b) pa=$(query_with "$a" a)
  fi
  ia+=("$ta") ib+=("$tb") qa+=("$pa") qb+=("$pb")
  rows+="| $r | $ta | $tb | $pa | $pb |"$'\n'
done
ma=$(printf '%s\n' "${ia[@]}" | median) mb=$(printf '%s\n' "${ib[@]}" | median)
pa=$(printf '%s\n' "${qa[@]}" | median) pb=$(printf '%s\n' "${qb[@]}" | median)
echo "| round | A index s | B index s | A query p50 ms | B query p50 ms |"
echo "| --- | --- | --- | --- | --- |"
printf '%s' "$rows"
echo
echo "- A: $a; B: $b; N = $n, $rounds rounds, $(nproc) cores, on $(date -u +%Y-%m-%d)."
echo "- Indexing medians: A $ma s, B $mb s; B/A = $(awk -v x="$mb" -v y="$ma" 'BEGIN { printf "%.3f", x / y }')."
echo "- Query p50 medians (blended ranking, 300 queries x 3, in-process): A $pa ms, B $pb ms;" \
  "B/A = $(awk -v x="$pb" -v y="$pa" 'BEGIN { printf "%.3f", x / y }')."
