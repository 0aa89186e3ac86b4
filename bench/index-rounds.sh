#!/usr/bin/env bash
# Indexing only: news-index against Xapian's scriptindex on the same corpus,
# in interleaved rounds (news-index, scriptindex, news-index, ...), so that a
# slow spell of a shared machine falls on both. One build of a million
# documents moves by several percent from run to run, so this quotes the
# median of each and the ratio of the medians. Writes bench/INDEX-ROUNDS.md
# (or $BENCH_ROUNDS_RESULTS).
#
#   bench/index-rounds.sh                 N = 1,000,000, 3 rounds (about 45 minutes on 2 cores)
#   bench/index-rounds.sh 100000 5
#
# Uses the corpus bench/run.sh generated in $BENCH_DIR/N (the same seed), or
# generates it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
n=${1:-1000000}
rounds=${2:-3}
work=${BENCH_DIR:-/tmp/news-bench}
results=${BENCH_ROUNDS_RESULTS:-$root/bench/INDEX-ROUNDS.md}
dir=$work/$n

NEWS_WITH_EXTRAS=1 scripts/install-deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DNEWS_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target news-index gen-corpus >/dev/null
bin=$root/build-bench
if [ ! -f "$dir/scriptindex.txt" ] || [ ! -d "$dir/news" ]; then
  echo "== N = $n: generating" >&2
  rm -rf "$dir"
  mkdir -p "$work"
  "$bin/bench/gen-corpus" --seeds seeds --count "$n" --seed 42 --out "$dir" --queries 300 >&2
fi

# shellcheck source=bench/common.sh
source bench/common.sh
# Runs a command under GNU time; prints "seconds user system peak-KiB".
timed() { time_fields '%e %U %S %M' "$@"; }

news=() omega=()
rows=""
for r in $(seq 1 "$rounds"); do
  echo "== round $r of $rounds: news-index" >&2
  rm -rf "$dir/rounds-news.db" "$dir/rounds-news.db.parts"
  sync
  read -r ns nu nsys npeak < <(timed "$bin/indexer/news-index" -q --db "$dir/rounds-news.db" "$dir/news")
  echo "== round $r of $rounds: scriptindex" >&2
  rm -rf "$dir/rounds-omega.db"
  sync
  read -r os ou osys opeak < <(timed scriptindex --overwrite "$dir/rounds-omega.db" \
    "$dir/scriptindex.def" "$dir/scriptindex.txt")
  news+=("$ns") omega+=("$os")
  rows+="| $r | $ns | $nu | $nsys | $((npeak / 1024)) | $os | $ou | $osys | $((opeak / 1024)) | $(awk -v a="$os" -v b="$ns" 'BEGIN { printf "%.2f", a / b }') |"$'\n'
done
rm -rf "$dir/rounds-news.db" "$dir/rounds-omega.db"
news_median=$(printf '%s\n' "${news[@]}" | median)
omega_median=$(printf '%s\n' "${omega[@]}" | median)

{
  echo "# Indexing in rounds"
  echo
  echo "Written by \`bench/index-rounds.sh $n $rounds\` on $(date -u +%Y-%m-%d); every figure"
  echo "below is measured by that run (nothing is typed in). Re-run it to reproduce."
  echo
  echo "- Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores," \
    "$(free -g | awk '/Mem:/ { print $2 }') GiB; Xapian $(dpkg-query -W -f='${Version}' libxapian30)"
  echo "- Corpus: \`gen-corpus --seeds seeds --count $n --seed 42\`, as in \`bench/RESULTS.md\`."
  echo "- Each round builds a new database with \`news-index -q --db DB news/\` (YAML parsing,"
  if [ "$n" -ge 50000 ]; then
    echo "  positions, spelling data, all values; from 50,000 files on, a new database is built in"
    echo "  two parts side by side and merged, within the time shown), then with \`scriptindex --overwrite DB"
  else
    echo "  positions, spelling data, all values), then with \`scriptindex --overwrite DB"
  fi
  echo "  scriptindex.def scriptindex.txt\` (pre-flattened text, the same terms, spelling and"
  echo "  values), each after \`sync\`. Seconds, user and system CPU seconds and peak memory"
  echo "  from GNU time."
  echo
  echo "| round | news-index s | user | system | peak MiB | scriptindex s | user | system | peak MiB | speed ratio |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  printf '%s' "$rows"
  echo
  echo "- Medians: news-index $news_median s ($(awk -v n="$n" -v s="$news_median" 'BEGIN { printf "%.0f", n / s }') documents/s)," \
    "scriptindex $omega_median s ($(awk -v n="$n" -v s="$omega_median" 'BEGIN { printf "%.0f", n / s }') documents/s)."
  echo "- news-index is $(awk -v a="$omega_median" -v b="$news_median" 'BEGIN { printf "%.2f", a / b }')" \
    "times as fast as scriptindex (ratio of the medians)."
} >"$results"
echo "== wrote $results" >&2
