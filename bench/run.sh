#!/usr/bin/env bash
# The benchmark: news-index and news-search against Xapian's own scriptindex
# and quest and against SQLite FTS5, side by side in one run, on the same
# generated corpus. Writes bench/RESULTS.md (or $BENCH_RESULTS).
#
#   bench/run.sh                  N = 100,000 and 1,000,000 (about an hour on 2 cores)
#   bench/run.sh 2000             a smoke run (CI)
#   BENCH_DIR=/big/disk bench/run.sh 100000
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)
work=${BENCH_DIR:-/tmp/news-bench}
results=${BENCH_RESULTS:-$root/bench/RESULTS.md}
queries=${BENCH_QUERIES:-300}
repeat=${BENCH_REPEAT:-3}
sqlite_sample=${BENCH_SQLITE_SAMPLE:-60}

NEWS_WITH_EXTRAS=1 scripts/install-deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DNEWS_TESTS=OFF >/dev/null
cmake --build build-bench -j"$(nproc)" --target news-index news-search gen-corpus query-bench \
  process-bench >/dev/null
bin=$root/build-bench
mkdir -p "$work"

# Runs a command under GNU time; sets $secs and $peak_kb.
timed() {
  local log
  log=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$log" "$@"
  read -r secs peak_kb <"$log"
  rm -f "$log"
}
# Writes back what earlier steps left dirty in the page cache (gen-corpus
# writes N files; each build writes its database), so that no timed step pays
# for the writeback of another.
settle() { sync; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
size_mib() { du -sk "$1" | awk '{ printf "%.0f", $1 / 1024 }'; }

{
  echo "# Benchmark results"
  echo
  echo "Written by \`bench/run.sh ${sizes[*]}\` on $(date -u +%Y-%m-%d); every figure below is"
  echo "measured by that run (nothing is typed in). Re-run it to reproduce."
  echo
  echo "## Machine"
  echo
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
  echo "- Memory: $(free -g | awk '/Mem:/ { print $2 }') GiB; disk: $(df -h "$work" | awk 'NR == 2 { print $1 }')"
  echo "- Debian $(cat /etc/debian_version); Xapian $(dpkg-query -W -f='${Version}' libxapian30);" \
    "yaml-cpp $(dpkg-query -W -f='${Version}' libyaml-cpp0.7); SQLite $(sqlite3 -version | cut -d' ' -f1)"
  echo
  echo "## Method"
  echo
  echo "- Corpus: \`gen-corpus --seeds seeds --count N --seed 42 --queries $queries\` writes N news"
  echo "  files modelled on \`seeds/\` (vocabulary and word frequencies, field lengths, quality and"
  echo "  heat distributions with unknown values, topics, providers, dates over 2016-2022, related"
  echo "  lists, a fifth with CRLF line ends) and the same text and numbers for the peers."
  echo "- Indexing, each into a new database: \`news-index --db DB news/\` (YAML parsing,"
  echo "  positions, spelling data, all values; from 50,000 files on, a new database is built in"
  echo "  two parts side by side and merged into one compacted database, within the time shown);"
  echo "  \`scriptindex DB scriptindex.def scriptindex.txt\`"
  echo "  (pre-flattened fields, the same terms, weights, positions, spelling and values); SQLite"
  echo "  FTS5 \`sqlite3 DB < sqlite-load.sql\` (bulk CSV import and FTS5 build in one transaction,"
  echo "  Porter stemming). Wall time and peak resident memory from GNU time; size from du."
  echo "- Shards: \`news-index --shards K\` builds the same corpus into K shards written in"
  echo "  parallel (a folder with a Xapian stub file); queried locally and, with one"
  echo "  \`xapian-tcpsrv\` per shard on 127.0.0.1, remotely."
  echo "- news-index is linked with jemalloc (Debian's libjemalloc2, its settings in indexer/main.cc)"
  echo "  and deflates Xapian's table entries with libdeflate (core/fast_deflate.h); scriptindex"
  echo "  and sqlite3 run as Debian ships them."
  echo "- Re-run: \`news-index\` again over the unchanged corpus."
  echo "- Compaction: \`xapian-compact\` of news-index's database into a new one (as the README"
  echo "  suggests after a large first build); its queries are the \"1, compacted, local\" row"
  echo "  of the shard table."
  echo "- Before each timed build and before the queries, \`sync\` writes back what the steps before"
  echo "  left in the page cache (gen-corpus's N files, the databases built before), so that no"
  echo "  step pays for another's writeback."
  echo "- Queries: $queries queries taken from held-out generated titles (one to three words, some"
  echo "  phrases, some with a topic filter), top 10. In-process: \`query-bench\` times the search"
  echo "  library ($repeat runs of each query after a warm-up). Whole process: \`process-bench\`"
  echo "  starts one process per query (news-search; quest; sqlite3 with FTS5 \`bm25()\` blended"
  echo "  with quality and heat as news-search does), $repeat runs each after a warm-up; news-search"
  echo "  (both rankings) and quest take turns on each query, so a slow spell of the machine slows"
  echo "  them alike. From"
  echo "  N = 100,000 on, SQLite runs $sqlite_sample of the queries (evenly spread), once each after"
  echo "  a warm-up, each stopped at 10 s and counted as 10 s (a lower bound; stops are listed"
  echo "  under the table)."
} >"$results.tmp"

for n in "${sizes[@]}"; do
  dir=$work/$n
  echo "== N = $n: generating" >&2
  rm -rf "$dir"
  "$bin/bench/gen-corpus" --seeds seeds --count "$n" --seed 42 --out "$dir" --queries "$queries" >&2

  echo "== N = $n: news-index" >&2
  rm -rf "$dir/news.db"
  settle
  timed "$bin/indexer/news-index" -q --db "$dir/news.db" "$dir/news"
  news_secs=$secs news_peak=$peak_kb news_size=$(size_mib "$dir/news.db")
  settle
  timed "$bin/indexer/news-index" -q --db "$dir/news.db" "$dir/news"
  rerun_secs=$secs rerun_peak=$peak_kb

  echo "== N = $n: xapian-compact" >&2
  rm -rf "$dir/news-compact.db"
  settle
  timed xapian-compact "$dir/news.db" "$dir/news-compact.db" >/dev/null
  compact_secs=$secs compact_peak=$peak_kb compact_size=$(size_mib "$dir/news-compact.db")

  for k in 2 4; do
    echo "== N = $n: news-index --shards $k" >&2
    rm -rf "$dir/news-s$k.db"
    settle
    timed "$bin/indexer/news-index" -q --db "$dir/news-s$k.db" --shards "$k" "$dir/news"
    eval "shard${k}_secs=\$secs shard${k}_peak=\$peak_kb"
    eval "shard${k}_size=\$(size_mib \"\$dir/news-s$k.db\")"
  done

  echo "== N = $n: scriptindex" >&2
  rm -rf "$dir/omega.db"
  settle
  timed scriptindex --overwrite "$dir/omega.db" "$dir/scriptindex.def" "$dir/scriptindex.txt" >/dev/null
  omega_secs=$secs omega_peak=$peak_kb omega_size=$(size_mib "$dir/omega.db")

  echo "== N = $n: sqlite3 FTS5" >&2
  rm -f "$dir/news.sqlite"
  settle
  (cd "$dir" && timed sqlite3 news.sqlite <sqlite-load.sql && echo "$secs $peak_kb" >sqlite.time)
  read -r sqlite_secs sqlite_peak <"$dir/sqlite.time"
  sqlite_size=$(size_mib "$dir/news.sqlite")

  echo "== N = $n: queries" >&2
  rm -f "$work/process-bench.log"
  settle
  inproc=$("$bin/bench/query-bench" --db "$dir/news.db" --queries "$dir/queries.txt" --repeat "$repeat" \
    --per-query "$dir/per-query.tsv")
  # news-search and quest in turn on each query (their ratio is the target);
  # SQLite on its own, as it is far slower.
  proc_rows=$("$bin/bench/process-bench" --bin "$bin/search" --queries "$dir/queries.txt" \
    --repeat "$repeat" --system news-blended --db "$dir/news.db" \
    --system news-relevance --db "$dir/news.db" --system quest --db "$dir/omega.db" \
    2>>"$work/process-bench.log")$'\n'
  limits=(--repeat "$repeat")
  if [ "$n" -ge 100000 ]; then
    # SQLite takes seconds a query here: a sample, once each, at most 10 s a run.
    limits=(--repeat 1 --sample "$sqlite_sample" --timeout-ms 10000)
  fi
  proc_rows+=$("$bin/bench/process-bench" --bin "$bin/search" --queries "$dir/queries.txt" \
    --system sqlite-blended --db "$dir/news.sqlite" "${limits[@]}" \
    2>>"$work/process-bench.log")$'\n'
  echo "== N = $n: queries over shards" >&2
  shard_rows=""
  for k in 1 2 4; do
    if [ "$k" = 1 ]; then local_dbs=("$dir/news.db"); else local_dbs=("$dir/news-s$k.db"); fi
    args=()
    for d in "${local_dbs[@]}"; do args+=(--db "$d"); done
    shard_rows+=$("$bin/bench/query-bench" "${args[@]}" --queries "$dir/queries.txt" \
      --repeat "$repeat" --row "$k, local")$'\n'
    if [ "$k" = 1 ]; then
      shard_rows+=$("$bin/bench/query-bench" --db "$dir/news-compact.db" --queries "$dir/queries.txt" \
        --repeat "$repeat" --row "1, compacted, local")$'\n'
    fi
    # The same shards, each served by its own xapian-tcpsrv on the loopback.
    if [ "$k" = 1 ]; then shard_dbs=("$dir/news.db"); else
      shard_dbs=(); for ((i = 0; i < k; i++)); do shard_dbs+=("$dir/news-s$k.db/$(printf 'shard-%02d' "$i")"); done
    fi
    pids=() args=()
    for ((i = 0; i < ${#shard_dbs[@]}; i++)); do
      port=$((47000 + i))
      # setsid: xapian-tcpsrv ends by signalling its whole process group.
      setsid xapian-tcpsrv --quiet --interface 127.0.0.1 --port "$port" "${shard_dbs[$i]}" \
        >/dev/null 2>&1 </dev/null &
      pids+=($!)
      args+=(--db "tcp://127.0.0.1:$port")
    done
    for ((i = 0; i < ${#shard_dbs[@]}; i++)); do
      for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$((47000 + i))") 2>/dev/null && break; sleep 0.1; done
    done
    shard_rows+=$("$bin/bench/query-bench" "${args[@]}" --queries "$dir/queries.txt" \
      --repeat "$repeat" --row "$k, remote (loopback)")$'\n'
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  done

  median_of() { echo "$proc_rows" | awk -F'|' -v s=" $1 " -v c=" $2 " '$2 == s && $3 == c { gsub(/ /, "", $5); print $5 }'; }
  blended_all=$(median_of news-blended all)
  quest_all=$(median_of quest all)
  blended_freq=$(median_of news-blended frequent)
  sqlite_freq=$(median_of sqlite-blended frequent)

  {
    echo
    echo "## N = $n"
    echo
    echo "### Indexing"
    echo
    echo "| system | seconds | documents/s | peak memory MiB | database MiB |"
    echo "| --- | --- | --- | --- | --- |"
    echo "| news-index | $news_secs | $(rate "$n" "$news_secs") | $(mib "$news_peak") | $news_size |"
    echo "| news-index --shards 2 | $shard2_secs | $(rate "$n" "$shard2_secs") | $(mib "$shard2_peak") | $shard2_size |"
    echo "| news-index --shards 4 | $shard4_secs | $(rate "$n" "$shard4_secs") | $(mib "$shard4_peak") | $shard4_size |"
    echo "| scriptindex | $omega_secs | $(rate "$n" "$omega_secs") | $(mib "$omega_peak") | $omega_size |"
    echo "| SQLite FTS5 | $sqlite_secs | $(rate "$n" "$sqlite_secs") | $(mib "$sqlite_peak") | $sqlite_size |"
    echo "| news-index re-run, unchanged | $rerun_secs | $(rate "$n" "$rerun_secs") | $(mib "$rerun_peak") | |"
    echo "| xapian-compact of news-index's database | $compact_secs | | $(mib "$compact_peak") | $compact_size |"
    echo
    echo "- news-index is $(ratio "$omega_secs" "$news_secs") times as fast as scriptindex and" \
      "$(ratio "$sqlite_secs" "$news_secs") times as fast as SQLite FTS5; with --shards 2," \
      "$(ratio "$omega_secs" "$shard2_secs") times, and with --shards 4," \
      "$(ratio "$omega_secs" "$shard4_secs") times as fast as scriptindex."
    echo "- The re-run takes $(ratio "$rerun_secs" "$news_secs") of the full indexing time."
    echo "- news-index followed by xapian-compact is" \
      "$(ratio "$omega_secs" "$(awk -v a="$news_secs" -v b="$compact_secs" 'BEGIN { print a + b }')")" \
      "times as fast as scriptindex; the compacted database is" \
      "$(ratio "$compact_size" "$news_size") of the size."
    echo
    echo "### Queries, in process (search library, top 10)"
    echo
    echo "$inproc"
    echo
    echo "The ten slowest queries (blended; median of the runs, in ms; estimated matches):"
    echo
    echo "| kind | query | topic filter | median ms | matches |"
    echo "| --- | --- | --- | --- | --- |"
    head -10 "$dir/per-query.tsv" | awk -F'\t' '{ printf "| %s | `%s` | %s | %.2f | %s |\n", $1, $2, $3, $4, $5 }'
    echo
    echo "### Queries, whole process (top 10; ms)"
    echo
    echo "| system | queries | count | median | p95 |"
    echo "| --- | --- | --- | --- | --- |"
    printf '%s' "$proc_rows"
    echo
    if grep -q "^process-bench: sqlite" "$work/process-bench.log" 2>/dev/null; then
      grep "^process-bench: sqlite" "$work/process-bench.log" | tail -1 | sed 's/^/- /'
      echo
    fi
    echo "### Queries over shards, in process (search library, blended ranking, top 10; ms)"
    echo
    echo "The same $queries queries over one database and over the --shards 2 and 4 databases,"
    echo "opened locally (a stub folder) and served by one xapian-tcpsrv per shard on 127.0.0.1;"
    echo "and the one database's compacted copy, queried right after the database itself."
    echo
    echo "| shards, access | p50 | p95 | p99 |"
    echo "| --- | --- | --- | --- |"
    printf '%s' "$shard_rows"
    echo
    echo "- news-search (blended) over quest, median of all queries: $(ratio "$blended_all" "$quest_all")."
    echo "- SQLite FTS5 (blended) over news-search (blended), queries with frequent words:" \
      "$(ratio "$sqlite_freq" "$blended_freq") times as slow."
  } >>"$results.tmp"
done
mv "$results.tmp" "$results"
echo "wrote $results" >&2
