// news-search: search a news database built by news-index.
// A thin front-end: options (and the configuration file) in, core::Searcher,
// a listing, JSON, JSON Lines or CSV out.
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <sstream>

#include "base/config.h"
#include "base/error.h"
#include "base/paths.h"
#include "base/text.h"
#include "document/document.h"
#include "render/format.h"
#include "search/search.h"

namespace {

// Exit statuses (documented in --help and the README, "news-search").
enum Exit : int {
  kFound = 0,     // matches were found
  kNoMatch = 1,   // the search ran and nothing matched
  kUsage = 2,     // bad command line, configuration, query or filter
  kDatabase = 3,  // no database, or it cannot be read
  kOutput = 4,    // the results could not be written (standard output failed)
};

constexpr const char* kManual = R"(
QUERY SYNTAX
  Xapian's QueryParser, with English stemming as at indexing time:
    words              all must match (--any: at least one)
    -word              must not match (or quote the whole query: 'a -b')
    "exact phrase"     the words next to each other, in order
    a AND b, a OR b, a NOT b, +must -mustnot, wild*
    title:word         title:"power apps"
    topic:ai           topic:"computer vision"    (a whole topic, any case)
    provider:reuters   provider:thenextweb.com    (by name or domain)
    type:video  category:news
    date:2020-01-01..2020-06-30   date:2021..   date:..2020-06   (as --since/--until)
    quality:50..   heat:..80
  A query may hold at most 256 words and 8192 bytes, and a wildcard may
  stand for at most 1000 words (write more of the word before the *).

RANKING
  score = BM25 + quality-weight * q/(q+70) + heat-weight * h/(h+70)
          [+ freshness-weight * 0.5^(age in days / half-life)]
  An unknown quality or heat counts as 0.5 (the real corpus' median). Both
  weights 0 give plain BM25 (k1 1, b 0.5, with document lengths applied at
  indexing against a typical 108 weighted words). Freshness is off unless
  --half-life is given; the age is counted back from --now. --explain shows
  each result's parts. Copies of one story (same url, or same title) are shown
  once, with the number of others; --all shows them all.

CONFIGURATION
  Defaults come from a YAML file: --config FILE, else $NEWS_SEARCH_CONFIG,
  else $XDG_CONFIG_HOME/news-search/config.yaml (~/.config/...). Keys: db,
  quality_weight, heat_weight, freshness_weight, half_life, format, limit.
  Options given on the command line win.

SHARDS AND REMOTE DATABASES
  --db takes a database folder, a folder of shards written by news-index
  --shards, a Xapian stub file, or tcp://HOST:PORT for a shard served by
  xapian-tcpsrv; several --db are searched as one. Results are the same
  however the documents are split. Spelling suggestions need local
  databases: with remote shards there are none, and a notice says so.

ENVIRONMENT
  NEWS_SEARCH_DB       the default database (else $XDG_DATA_HOME/news-search/db,
                       else ~/.local/share/news-search/db)
  NEWS_SEARCH_CONFIG   the configuration file
  NO_COLOR             never colour the listing (colour is used only on a terminal)

EXIT STATUS
  0  matches were found
  1  nothing matched
  2  bad command line, configuration, query or filter
  3  no database, the database cannot be read or is damaged (the message names
     the file and the xapian-check to run) or was written by another program,
     a shard server cannot be reached, or out of memory
  4  the results could not be written (e.g. a full disk behind >)

EXAMPLES
  news-search facial recognition
  news-search --json --limit 3 'title:"power apps"'
  news-search --topic AI --since 2021-01 --sort date
  news-search --half-life 30d --now 2021-03-01 --explain robots
  news-search --facets --limit 0 ai
  news-search --like ai-news/2020-04-15-walking-robot-uses-neural-net-to-change-gaits.md
  news-search --count 'type:video'
  news-search                  # everything, ranked by quality and heat
)";

struct Options {
  std::string config;
  std::vector<std::string> dbs;
  std::vector<std::string> words;
  bool any = false;
  std::string like;
  std::vector<std::string> topics, providers, types;
  std::string since, until;
  std::optional<std::int64_t> min_quality;
  double quality_weight = news::RankingWeights{}.quality;
  double heat_weight = news::RankingWeights{}.heat;
  double freshness_weight = news::RankingWeights{}.freshness;
  std::string half_life;
  std::string now;
  std::string sort = "relevance";
  unsigned limit = 10;
  Xapian::doccount offset = 0;
  std::string format = "terminal";
  bool json = false, jsonl = false, csv = false;
  bool all = false;
  bool facets = false;
  std::size_t facet_values = 10;
  bool explain = false;
  bool count = false;
  bool ids = false;
  bool no_spelling = false;
  bool colour = false, no_colour = false;
};

// A weight: a finite number from 0 to 1000 (CLI::Range lets NaN through,
// as every comparison with it is false).
const CLI::Validator kWeight(
    [](std::string& text) -> std::string {
      char* end = nullptr;
      double value = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || !std::isfinite(value) || value < 0 ||
          value > 1000) {
        return "'" + text + "' is not a number from 0 to 1000";
      }
      return std::string();
    },
    "NUMBER in [0 - 1000]");

struct Bound {
  CLI::Option* db;
  CLI::Option* quality_weight;
  CLI::Option* heat_weight;
  CLI::Option* freshness_weight;
  CLI::Option* half_life;
  CLI::Option* format;
  CLI::Option* limit;
};

Bound setup(CLI::App& app, Options& opt) {
  app.description(
      "Search news indexed by news-index, ranked by relevance (BM25) blended with quality, heat "
      "and, optionally, freshness. With no query, list everything ranked by quality and heat.");
  app.add_option("QUERY", opt.words, "query words and operators (see QUERY SYNTAX)");
  app.add_option("--config", opt.config, "configuration file (see CONFIGURATION)");
  Bound bound{};
  bound.db = app.add_option("--db", opt.dbs,
                            "database: a folder, a stub file or tcp://HOST:PORT (xapian-tcpsrv); "
                            "repeat to search several as one (default: " +
                                news::default_database_path() + ")")
                 ->allow_extra_args(false);
  app.add_flag("--any", opt.any, "match any of the words instead of all of them");
  app.add_option("--like", opt.like, "documents like this one (its id, as shown in results)");
  app.add_option("--topic", opt.topics, "only this topic (repeatable: any of them)")
      ->allow_extra_args(false);
  app.add_option("--provider", opt.providers, "only this provider, by name or domain (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--type", opt.types, "only this type, e.g. article, video (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--since", opt.since, "published on or after (YYYY, YYYY-MM or YYYY-MM-DD)");
  app.add_option("--until", opt.until, "published on or before (YYYY, YYYY-MM or YYYY-MM-DD)");
  app.add_option("--min-quality", opt.min_quality, "quality at least this (0 to 100000)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{100000}));
  bound.quality_weight =
      app.add_option("--quality-weight", opt.quality_weight, "weight of quality in the ranking")
          ->check(kWeight)
          ->capture_default_str();
  bound.heat_weight =
      app.add_option("--heat-weight", opt.heat_weight, "weight of heat in the ranking")
          ->check(kWeight)
          ->capture_default_str();
  bound.half_life = app.add_option("--half-life", opt.half_life,
                                   "boost recent news: 12h, 30d, 2w, 6m, 1y (off by default)");
  bound.freshness_weight = app.add_option("--freshness-weight", opt.freshness_weight,
                                          "weight of freshness (with --half-life)")
                               ->check(kWeight)
                               ->capture_default_str();
  app.add_option("--now", opt.now, "the date freshness counts back from (default: today)");
  app.add_option("--sort", opt.sort, "relevance (the blend), date, quality or heat")
      ->check(CLI::IsMember({"relevance", "date", "quality", "heat"}))
      ->capture_default_str();
  bound.limit = app.add_option("-n,--limit", opt.limit, "results per page")
                    ->check(CLI::Range(0u, 10000u))
                    ->capture_default_str();
  app.add_option("--offset", opt.offset, "results to skip (paging)")->capture_default_str();
  bound.format = app.add_option("--format", opt.format, "terminal, json, jsonl or csv")
                     ->check(CLI::IsMember({"terminal", "json", "jsonl", "csv"}))
                     ->capture_default_str();
  app.add_flag("--json", opt.json, "same as --format json");
  app.add_flag("--jsonl", opt.jsonl, "same as --format jsonl (one result per line)");
  app.add_flag("--csv", opt.csv, "same as --format csv");
  app.add_flag("--all", opt.all, "show every copy of a story instead of one");
  app.add_flag("--facets", opt.facets, "count matches by topic, provider, type and month");
  app.add_option("--facet-values", opt.facet_values, "values listed per facet")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->capture_default_str();
  app.add_flag("--explain", opt.explain, "show the parts of each score");
  app.add_flag("--count", opt.count, "print only the number of matches (exact)");
  app.add_flag("--ids", opt.ids, "print only the ids of the results, one per line");
  app.add_flag("--no-spelling", opt.no_spelling, "never suggest a spelling correction");
  app.add_flag("--color,--colour", opt.colour, "colour the listing even when not on a terminal");
  app.add_flag("--no-color,--no-colour", opt.no_colour, "never colour the listing");
  app.footer(kManual);
  return bound;
}

// Values from the configuration file fill the options not given on the command line.
void apply_config(const news::Config& config, const Bound& bound, Options& opt) {
  if (bound.db->count() == 0) opt.dbs = {config.db ? *config.db : news::default_database_path()};
  if (config.quality_weight && bound.quality_weight->count() == 0) {
    opt.quality_weight = *config.quality_weight;
  }
  if (config.heat_weight && bound.heat_weight->count() == 0) opt.heat_weight = *config.heat_weight;
  if (config.freshness_weight && bound.freshness_weight->count() == 0) {
    opt.freshness_weight = *config.freshness_weight;
  }
  if (config.half_life && bound.half_life->count() == 0) opt.half_life = *config.half_life;
  if (config.format && bound.format->count() == 0) opt.format = *config.format;
  if (config.limit && bound.limit->count() == 0) opt.limit = *config.limit;
}

std::size_t terminal_width() {
  struct winsize ws {};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    if (int n = std::atoi(columns); n >= 40) return static_cast<std::size_t>(n);
  }
  return 100;
}

std::int64_t parse_now(const std::string& text) {
  if (text.empty()) {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  auto when = news::parse_iso_datetime(text);
  if (!when) {
    throw news::Error(news::Error::Kind::kBadQuery,
                      "--now '" + text + "' is not a date (YYYY-MM-DD or an ISO 8601 time)");
  }
  return *when;
}

// The filter options as filters on the fields of the table (fields.h).
std::vector<news::FieldFilter> make_filters(const Options& opt) {
  std::vector<news::FieldFilter> filters;
  if (!opt.topics.empty()) filters.push_back(news::any_of("topic", opt.topics));
  if (!opt.providers.empty()) filters.push_back(news::any_of("provider", opt.providers));
  if (!opt.types.empty()) filters.push_back(news::any_of("type", opt.types));
  if (!opt.since.empty()) filters.push_back(news::range("date", opt.since, ""));
  if (!opt.until.empty()) filters.push_back(news::range("date", "", opt.until));
  if (opt.min_quality)
    filters.push_back(news::range("quality", std::to_string(*opt.min_quality), ""));
  return filters;
}

news::SearchRequest make_request(const Options& opt) {
  // --sort's words and the fields they sort by; relevance is the blend.
  static const std::map<std::string, std::string> kSortFields = {
      {"relevance", ""}, {"date", "published"}, {"quality", "quality"}, {"heat", "heat"}};
  news::SearchRequest request;
  for (const auto& word : opt.words) request.query += (request.query.empty() ? "" : " ") + word;
  request.match_any = opt.any;
  request.like_id = opt.like;
  request.filters = make_filters(opt);
  request.weights = {opt.quality_weight, opt.heat_weight, opt.freshness_weight};
  if (!opt.half_life.empty()) {
    request.half_life_days = news::parse_half_life_days(opt.half_life);
    request.now = parse_now(opt.now);
  }
  request.sort_by = kSortFields.at(opt.sort);
  request.limit = opt.count ? 0 : opt.limit;
  request.offset = opt.offset;
  request.collapse_duplicates = !opt.all;
  request.suggest_spelling = !opt.no_spelling && !opt.count && !opt.ids;
  request.facets = opt.facets;
  request.facet_values = opt.facet_values;
  request.exact_count = opt.count;
  request.explain = opt.explain;
  return request;
}

// Flushes standard output; false, with a message, when anything written to
// it was lost (a full disk, an I/O error).
bool stdout_written() {
  std::string error = news::flush_standard_output();
  if (error.empty()) return true;
  std::cerr << "news-search: cannot write the results to standard output: " << error << "\n";
  return false;
}

int run(Options opt, const Bound& bound) {
  try {
    apply_config(news::load_config(opt.config), bound, opt);
    if (opt.json) opt.format = "json";
    if (opt.jsonl) opt.format = "jsonl";
    if (opt.csv) opt.format = "csv";
    news::SearchRequest request = make_request(opt);
    news::Searcher searcher(opt.dbs);
    news::SearchResponse response = searcher.search(request);
    for (const auto& notice : response.notices) {
      std::cerr << "news-search: " << news::escape_text(notice) << "\n";
    }
    if (opt.count) {
      std::cout << response.total_estimate << "\n";
    } else if (opt.ids) {
      // escape_text: one id a line, whatever it holds, and --like takes it back.
      for (const auto& hit : response.hits) std::cout << news::escape_text(hit.id) << "\n";
    } else if (opt.format == "json") {
      std::cout << news::dump_json(news::to_json(response, request, opt.explain), 2) << "\n";
    } else if (opt.format == "jsonl") {
      std::cout << news::format_jsonl(response, opt.explain);
    } else if (opt.format == "csv") {
      std::cout << news::format_csv(response);
    } else {
      news::use_utf8_ctype();  // character widths; the other formats need none
      bool tty = isatty(STDOUT_FILENO) != 0;
      news::TerminalStyle style;
      style.colour = !opt.no_colour && (opt.colour || (tty && std::getenv("NO_COLOR") == nullptr));
      style.width = terminal_width();
      style.explain = opt.explain;
      std::cout << news::format_terminal(response, request, style);
    }
    if (!stdout_written()) return kOutput;
    return response.total_upper > 0 ? kFound : kNoMatch;
  } catch (const news::Error& e) {
    std::cerr << "news-search: " << news::escape_text(e.what()) << "\n";
    using Kind = news::Error::Kind;
    return e.kind() == Kind::kBadQuery || e.kind() == Kind::kConfig ? kUsage : kDatabase;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"news-search"};
  Options opt;
  Bound bound = setup(app, opt);
  // `news-search recognition -facial`: a word after a single '-' is a query
  // word (an exclusion), not an option; unknown `--options` are still errors.
  app.allow_extras();
  try {
    app.parse(argc, argv);
    bool only_words = false;  // after a "--"
    for (const auto& extra : app.remaining()) {
      if (extra == "--" && !only_words) {
        only_words = true;
      } else if (!only_words && (extra.starts_with("--") || extra.size() < 2)) {
        throw CLI::ExtrasError({extra});
      } else {
        opt.words.push_back(extra);
      }
    }
  } catch (const CLI::ParseError& e) {
    // CLI11's message quotes what was typed: through escape_text like every
    // message. Help goes to standard output as it is.
    std::ostringstream error;
    int status = app.exit(e, std::cout, error);
    std::istringstream lines(error.str());
    for (std::string line; std::getline(lines, line);) {
      std::cerr << news::escape_text(line) << "\n";
    }
    if (status == 0) return stdout_written() ? kFound : kOutput;
    return kUsage;
  }
  try {
    return run(opt, bound);
  } catch (const std::bad_alloc&) {
    std::cerr << "news-search: " << news::kOutOfMemory << "\n";
    return kDatabase;
  }
}
