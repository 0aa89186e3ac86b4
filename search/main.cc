// news-search: search a news database built by news-index.
// A thin front-end: options in, core::Searcher, a listing or JSON out.
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <map>

#include "error.h"
#include "format.h"
#include "paths.h"
#include "search.h"

namespace {

// Exit statuses (documented in --help and the README).
enum Exit : int {
  kFound = 0,     // at least one result on the page asked for... or matches exist
  kNoMatch = 1,   // the search ran and nothing matched
  kUsage = 2,     // bad command line or a query that cannot be parsed
  kDatabase = 3,  // no database, or it cannot be read
};

constexpr const char* kExitHelp = R"(
Query syntax (Xapian's QueryParser): words (all must match; --any for either),
"exact phrases", AND OR NOT, +required -excluded, wild*, and the fields
title:word  topic:ai  topic:"computer vision"  provider:techcrunch.com
type:video  category:news  date:2020-01-01..2020-06-30  quality:50..  heat:..80

Ranking: score = BM25 + quality-weight * q/(q+70) + heat-weight * h/(h+70);
an unknown quality or heat counts as 0.5 (the corpus median). Both weights 0
give plain BM25 order.

Exit status:
  0  matches were found
  1  nothing matched
  2  bad command line, or a query or filter that cannot be parsed
  3  no database, or the database cannot be read

Examples:
  news-search facial recognition
  news-search --json --limit 3 'title:"power apps"'
  news-search --topic AI --since 2021-01 --sort date
  news-search                  # ranked listing of everything by quality and heat
)";

struct Options {
  std::string db = news::default_database_path();
  std::vector<std::string> words;
  bool any = false;
  bool json = false;
  std::vector<std::string> topics, providers, types;
  std::string since, until;
  std::optional<std::int64_t> min_quality;
  double quality_weight = news::RankingWeights{}.quality;
  double heat_weight = news::RankingWeights{}.heat;
  std::string sort = "relevance";
  Xapian::doccount limit = 10;
  Xapian::doccount offset = 0;
};

void setup(CLI::App& app, Options& opt) {
  app.description(
      "Search news indexed by news-index, ranked by relevance (BM25), quality and heat.");
  app.add_option("QUERY", opt.words,
                 "query words (none: list everything, ranked by quality and heat)");
  app.add_option("--db", opt.db,
                 "database folder (default: $NEWS_SEARCH_DB, else "
                 "$XDG_DATA_HOME/news-search/db)")
      ->capture_default_str();
  app.add_flag("--any", opt.any, "match any of the words instead of all of them");
  app.add_option("--topic", opt.topics, "only these topics (repeatable; any of them)")
      ->allow_extra_args(false);
  app.add_option("--provider", opt.providers,
                 "only these providers, by name or domain (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--type", opt.types, "only these types, e.g. article, video (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--since", opt.since, "published on or after (YYYY, YYYY-MM or YYYY-MM-DD)");
  app.add_option("--until", opt.until, "published on or before (YYYY, YYYY-MM or YYYY-MM-DD)");
  app.add_option("--min-quality", opt.min_quality, "quality at least this");
  app.add_option("--quality-weight", opt.quality_weight, "weight of quality in the ranking")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  app.add_option("--heat-weight", opt.heat_weight, "weight of heat in the ranking")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  app.add_option("--sort", opt.sort, "order: relevance (the blend), date, quality or heat")
      ->check(CLI::IsMember({"relevance", "date", "quality", "heat"}))
      ->capture_default_str();
  app.add_option("-n,--limit", opt.limit, "results per page")
      ->check(CLI::Range(0u, 10000u))
      ->capture_default_str();
  app.add_option("--offset", opt.offset, "results to skip (paging)")->capture_default_str();
  app.add_flag("--json", opt.json, "print one JSON object");
  app.footer(kExitHelp);
}

std::size_t terminal_width() {
  struct winsize ws {};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    if (int n = std::atoi(columns); n > 20) return static_cast<std::size_t>(n);
  }
  return 100;
}

int run(const Options& opt) {
  static const std::map<std::string, news::SortOrder> kSorts = {
      {"relevance", news::SortOrder::kRelevance},
      {"date", news::SortOrder::kDate},
      {"quality", news::SortOrder::kQuality},
      {"heat", news::SortOrder::kHeat}};
  news::SearchRequest request;
  for (const auto& word : opt.words) request.query += (request.query.empty() ? "" : " ") + word;
  request.match_any = opt.any;
  request.topics = opt.topics;
  request.providers = opt.providers;
  request.types = opt.types;
  request.since = opt.since;
  request.until = opt.until;
  request.min_quality = opt.min_quality;
  request.weights = {opt.quality_weight, opt.heat_weight};
  request.sort = kSorts.at(opt.sort);
  request.limit = opt.limit;
  request.offset = opt.offset;
  bool tty = isatty(STDOUT_FILENO) != 0;
  news::TerminalStyle style{tty && std::getenv("NO_COLOR") == nullptr, terminal_width()};
  try {
    news::Searcher searcher(opt.db);
    news::SearchResponse response = searcher.search(request);
    if (opt.json) {
      std::cout << news::to_json(response, request)
                       .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                << "\n";
    } else {
      std::cout << news::format_terminal(response, request, style);
    }
    return response.total_upper > 0 ? kFound : kNoMatch;
  } catch (const news::Error& e) {
    std::cerr << "news-search: " << e.what() << "\n";
    return e.kind() == news::Error::Kind::kBadQuery ? kUsage : kDatabase;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"news-search"};
  Options opt;
  setup(app, opt);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e);
    return status == 0 ? kFound : kUsage;
  }
  return run(opt);
}
