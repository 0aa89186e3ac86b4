// query-bench: in-process latency of the search library on a query set.
//
// Reads queries in the generator's format (kind TAB query TAB topic-filter
// [TAB frequency]), opens the database once, and times Searcher::search for
// each query, top 10, in two modes: the product's default blended ranking and
// plain relevance (quality and heat weights 0). Each query runs --repeat
// times after a warm-up pass; the figures are percentiles over every run.
// Prints a Markdown table, and with --json the raw percentiles; with --row
// LABEL only one table row for the blended ranking over all queries. --db may
// be repeated (shards, stub files, tcp://HOST:PORT), as for news-search.
// --per-query FILE writes each query's median time (blended ranking), slowest
// first, to find the tail.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "queries.h"
#include "search/search.h"

namespace {

using news::bench::percentile;
using news::bench::Query;
using news::bench::read_queries;

struct Mode {
  const char* name;
  news::RankingWeights weights;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"query-bench: in-process search latency (top 10) over a query set"};
  std::vector<std::string> dbs;
  std::string queries_path, row;
  int repeat = 3;
  std::string per_query_path;
  bool json = false;
  app.add_option("--db", dbs, "database (repeatable: searched as one)")->required();
  Xapian::doccount check_at_least = news::SearchRequest{}.check_at_least;
  app.add_option("--check-at-least", check_at_least, "matches examined at least (see search.h)")
      ->capture_default_str();
  app.add_option("--row", row, "print one row, LABEL | p50 | p95 | p99, blended ranking only");
  app.add_option("--queries", queries_path, "queries file (gen-corpus --queries)")->required();
  app.add_option("--repeat", repeat, "timed runs of each query")->capture_default_str();
  app.add_flag("--json", json, "print the figures as JSON");
  app.add_option("--per-query", per_query_path,
                 "write kind TAB query TAB topic TAB median ms TAB estimated matches, slowest "
                 "first (blended ranking)");
  CLI11_PARSE(app, argc, argv);

  std::vector<Query> queries = read_queries(queries_path);
  news::Searcher searcher(dbs);
  std::vector<Mode> modes = {{"blended", news::RankingWeights{}}, {"relevance", {0, 0, 0}}};
  if (!row.empty()) modes.resize(1);
  nlohmann::json report = nlohmann::json::object();
  if (!json && row.empty()) {
    std::printf("| mode | kind | queries | p50 ms | p95 ms | p99 ms | mean results |\n");
    std::printf("| --- | --- | --- | --- | --- | --- | --- |\n");
  }
  // Per query (blended ranking): its times and its estimated matches.
  std::vector<std::vector<double>> query_times(queries.size());
  std::vector<Xapian::doccount> query_matches(queries.size());
  for (const auto& mode : modes) {
    const bool blended = &mode == &modes.front();
    std::map<std::string, std::vector<double>> by_kind;
    std::map<std::string, double> results_by_kind;
    for (int pass = -1; pass < repeat; ++pass) {  // pass -1 warms the caches
      for (std::size_t i = 0; i < queries.size(); ++i) {
        const Query& query = queries[i];
        news::SearchRequest request;
        request.query = query.text;
        if (!query.topic.empty()) request.filters = {news::any_of("topic", {query.topic})};
        request.weights = mode.weights;
        request.limit = 10;
        request.check_at_least = check_at_least;
        request.suggest_spelling = row.empty();  // remote shards have no spelling data
        auto start = std::chrono::steady_clock::now();
        news::SearchResponse response = searcher.search(request);
        double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        if (pass < 0) continue;
        if (blended) {
          query_times[i].push_back(ms);
          query_matches[i] = response.total_estimate;
        }
        for (const std::string& kind : {std::string("all"), query.kind, query.frequency}) {
          if (kind.empty()) continue;
          by_kind[kind].push_back(ms);
          results_by_kind[kind] += double(response.hits.size());
        }
      }
    }
    for (const auto& [kind, times] : by_kind) {
      double p50 = percentile(times, 50), p95 = percentile(times, 95), p99 = percentile(times, 99);
      double mean_results = results_by_kind[kind] / double(times.size());
      report[mode.name][kind] = {{"runs", times.size()},
                                 {"p50_ms", p50},
                                 {"p95_ms", p95},
                                 {"p99_ms", p99},
                                 {"mean_results", mean_results}};
      if (!row.empty()) {
        if (kind == "all") std::printf("| %s | %.3f | %.3f | %.3f |\n", row.c_str(), p50, p95, p99);
      } else if (!json) {
        std::printf("| %s | %s | %zu | %.3f | %.3f | %.3f | %.1f |\n", mode.name, kind.c_str(),
                    times.size() / std::size_t(repeat), p50, p95, p99, mean_results);
      }
    }
  }
  if (json) std::printf("%s\n", report.dump(2).c_str());
  if (!per_query_path.empty()) {
    std::vector<std::size_t> order(queries.size());
    std::vector<double> medians(queries.size());
    for (std::size_t i = 0; i < queries.size(); ++i) {
      order[i] = i;
      medians[i] = percentile(query_times[i], 50);
    }
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return medians[a] > medians[b]; });
    std::ofstream out(per_query_path);
    for (std::size_t i : order)
      out << queries[i].kind << '\t' << queries[i].text << '\t' << queries[i].topic << '\t'
          << medians[i] << '\t' << query_matches[i] << '\n';
    if (!out) {
      std::fprintf(stderr, "query-bench: cannot write %s\n", per_query_path.c_str());
      return 1;
    }
  }
  return 0;
}
