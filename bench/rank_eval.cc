// rank-eval: how much do the quality and heat weights move results away from
// plain BM25 on a real corpus? For each candidate pair of weights it reports,
// over a fixed set of queries, how often BM25's best result stays first, how
// many of BM25's top 10 stay in the top 10, and how far the blend moves
// results. Used to choose the default weights (docs/design.md, "Ranking";
// the figures are in bench/HISTORY.md).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "search/search.h"

namespace {

// Queries a reader of this archive types: topics, products, companies, phrases.
const std::vector<std::string> kQueries = {
    "facial recognition",
    "power apps",
    "self-driving",
    "machine learning",
    "covid",
    "healthcare",
    "portals",
    "canvas app",
    "robot",
    "speech",
    "nvidia",
    "dataverse",
    "power automate",
    "microsoft teams",
    "chatbot",
    "autonomous vehicles",
    "deep learning",
    "computer vision",
    "privacy",
    "startup funding",
    "ai ethics",
    "release wave",
    "model-driven apps",
    "power bi",
    "cancer",
    "drones",
    "natural language",
    "amazon",
    "google",
    "security",
    "education",
    "climate",
};

std::vector<std::string> ids(news::Searcher& searcher, const std::string& query,
                             news::RankingWeights weights, std::size_t n) {
  news::SearchRequest request;
  request.query = query;
  request.weights = weights;
  request.limit = static_cast<Xapian::doccount>(n);
  std::vector<std::string> out;
  for (const auto& hit : searcher.search(request).hits) out.push_back(hit.id);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rank-eval: compare blended rankings with plain BM25 on a database"};
  std::string db;
  app.add_option("--db", db, "database to evaluate")->required();
  CLI11_PARSE(app, argc, argv);

  news::Searcher searcher(db);
  // The scale the weights act on: BM25 of the best result, and its lead.
  std::vector<double> top, lead;
  for (const auto& query : kQueries) {
    news::SearchRequest request;
    request.query = query;
    request.weights = {0, 0};
    request.limit = 2;
    auto hits = searcher.search(request).hits;
    if (hits.size() < 2) continue;
    top.push_back(hits[0].score);
    lead.push_back(hits[0].score - hits[1].score);
  }
  auto median = [](std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf("BM25 of the best result: median %.2f; its lead over the second: median %.2f\n\n",
              median(top), median(lead));
  const std::vector<std::pair<double, double>> candidates = {
      {0.25, 0.125}, {0.5, 0.25}, {1, 0.5}, {1, 1}, {2, 1}, {4, 2}, {8, 4}};
  std::printf("%-8s %-8s %8s %10s %12s %14s\n", "quality", "heat", "queries", "top1 kept",
              "top10 kept", "mean |shift|");
  for (auto [wq, wh] : candidates) {
    int queries = 0, top1_kept = 0;
    double kept_sum = 0, shift_sum = 0;
    int shift_n = 0;
    for (const auto& query : kQueries) {
      auto bm25 = ids(searcher, query, {0, 0}, 10);
      if (bm25.size() < 3) continue;  // too few matches to say anything
      auto blended = ids(searcher, query, {wq, wh}, 10);
      ++queries;
      if (!blended.empty() && blended.front() == bm25.front()) ++top1_kept;
      int kept = 0;
      for (std::size_t i = 0; i < bm25.size(); ++i) {
        auto it = std::find(blended.begin(), blended.end(), bm25[i]);
        if (it == blended.end()) continue;
        ++kept;
        shift_sum += std::abs(double(it - blended.begin()) - double(i));
        ++shift_n;
      }
      kept_sum += double(kept) / double(bm25.size());
    }
    std::printf("%-8g %-8g %8d %9.0f%% %11.0f%% %14.2f\n", wq, wh, queries,
                100.0 * top1_kept / std::max(queries, 1), 100.0 * kept_sum / std::max(queries, 1),
                shift_n ? shift_sum / shift_n : 0.0);
  }
  return 0;
}
