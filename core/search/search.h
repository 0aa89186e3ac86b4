// Searching a news database: query parsing driven by the schema table, the
// blended ranking, filters, sorting and paging.
//
// Ranking (see README, "Ranking"): every matching document scores
//   BM25(query, document)
//     + quality_weight * saturate(quality)
//     + heat_weight    * saturate(heat)
// inside Xapian's matcher, as OP_AND_MAYBE of the text query and
// OP_SCALE_WEIGHT'ed ValueWeightPostingSources over slots prepared at index
// time (schema.h); the default weights read the blend stored whole (kPrior),
// from the docid and with early termination on a database in prior order
// (prior_source.h). With both weights 0 the query is the text query alone, so
// the order is plain BM25. With no query text every document (after filters)
// matches with BM25 0, so the blend of quality and heat alone orders them.
#pragma once

#include <xapian.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "schema/schema.h"

namespace news {

enum class SortOrder { kRelevance, kDate, kQuality, kHeat };

// Defaults chosen on the real corpus with bench/rank_eval.cc (README, "Ranking").
struct RankingWeights {
  double quality = schema::kQualityWeight;
  double heat = schema::kHeatWeight;
  double freshness = 1.0;  // used only when a half-life is set
};

struct SearchRequest {
  std::string query;                   // Xapian QueryParser syntax; empty: list everything
  bool match_any = false;              // default operator OR instead of AND
  std::string like_id;                 // documents like this one (relevance feedback)
  std::vector<std::string> topics;     // filters: any of these topics ...
  std::vector<std::string> providers;  // ... and any of these providers (name or domain)
  std::vector<std::string> types;      // ... and any of these types
  std::string since;                   // YYYY, YYYY-MM or YYYY-MM-DD, inclusive
  std::string until;                   // likewise, inclusive
  std::optional<std::int64_t> min_quality;
  RankingWeights weights;
  // Freshness: + weights.freshness * 0.5^(age in days / half_life_days), the
  // age counted from `now` (seconds since the epoch) to the publication day.
  std::optional<double> half_life_days;
  std::int64_t now = 0;
  SortOrder sort = SortOrder::kRelevance;
  Xapian::doccount offset = 0;
  Xapian::doccount limit = 10;
  bool collapse_duplicates = true;  // one result per story (same url or title)
  bool suggest_spelling = true;     // "did you mean"
  bool facets = false;              // count matches by topic, provider, type, month
  bool exact_count = false;         // check every match so the total is exact
  bool explain = false;             // fill SearchHit::parts (two more reads a result)
  // Matches examined at least (beyond the page): the total is exact when
  // fewer match. More costs time on frequent words: the matcher cannot stop
  // early until it has seen this many.
  Xapian::doccount check_at_least = 100;
  std::size_t facet_values = 10;  // values listed per facet
  // Let the matcher stop early on a database kept in prior order (schema.h);
  // the results are the same either way. Off: for tests and benchmarks.
  bool use_prior_order = true;
  std::size_t snippet_chars = 240;
};

// The parts of a score; they add up to it.
struct ScoreParts {
  double relevance = 0, quality = 0, heat = 0, freshness = 0;
};

struct SearchHit {
  Xapian::doccount rank = 0;  // 1-based, across pages
  Xapian::docid docid = 0;
  double score = 0;
  ScoreParts parts;                // with SearchRequest::explain, else all 0
  Xapian::doccount collapsed = 0;  // other copies of this story not shown
  std::string id, title, excerpt, url, provider, domain, type, category;
  std::string snippet;         // the excerpt around the matches, plain text
  std::string snippet_html;    // the same, HTML-escaped, matches in <mark>...</mark>
  std::string snippet_marked;  // plain text, matches between kMatchStart/kMatchEnd
  std::vector<std::string> topics;
  std::string published;  // ISO 8601, empty when unknown
  std::optional<std::int64_t> quality, heat;
};

// Marks around matched words in SearchHit::snippet_marked (private-use code
// points, which terminal_safe() keeps and no real text uses).
inline constexpr const char* kMatchStart = "\xEE\x80\x80";  // U+E000
inline constexpr const char* kMatchEnd = "\xEE\x80\x81";    // U+E001

struct FacetValue {
  std::string value;
  Xapian::doccount count = 0;
};

struct Facet {
  std::string name;                // "topic", "provider", "type", "month"
  std::vector<FacetValue> values;  // most frequent first
};

struct SpellingSuggestion {
  std::string query;           // the corrected query
  Xapian::doccount total = 0;  // its estimated matches (more than the query's)
};

struct SearchResponse {
  std::string query;
  std::string parsed;  // Xapian's description of the final query, for debugging
  Xapian::doccount total_estimate = 0, total_lower = 0, total_upper = 0;
  std::vector<SearchHit> hits;
  std::optional<SpellingSuggestion> suggestion;
  std::vector<Facet> facets;
  bool facets_exact = true;             // false: counted over a sample of the matches
  Xapian::doccount facets_counted = 0;  // matches the facet counts cover
  std::vector<std::string> notices;     // what could not be done, e.g. over remote shards
};

// Owns an open database: one, or the union of several (shards.h). Results
// do not depend on how the documents are split: equal scores are ordered by
// story key (by document id with collapsing off), never by Xapian's docids,
// and a story is listed by its best-scoring copy with the smallest id.
// Thread-compatible, not thread-safe.
// Bounds on what one search may cost. A query longer than either bound is an
// Error(kBadQuery) naming it (Xapian's parser takes seconds over tens of
// thousands of words); a wildcard expanding to more words than
// kMaxWildcardTerms is an Error(kBadQuery) too (search.cc says why).
inline constexpr std::size_t kMaxQueryBytes = 8192;
inline constexpr std::size_t kMaxQueryWords = 256;
inline constexpr Xapian::termcount kMaxWildcardTerms = 1000;

class Searcher {
 public:
  // `specs`: database folders, stub files and tcp://HOST:PORT shard servers,
  // searched as one. Throws Error(kNoDatabase) when there is no database at a
  // path (an empty path or an empty folder included), Error(kDatabase) when
  // one cannot be opened (a folder without a database, a stub file listing
  // none) or a server reached.
  explicit Searcher(const std::vector<std::string>& specs);
  explicit Searcher(const std::string& db_path) : Searcher(std::vector<std::string>{db_path}) {}

  // Throws Error(kBadQuery) for a query or filter that cannot be parsed, a
  // query over kMaxQueryBytes or kMaxQueryWords, a wildcard over
  // kMaxWildcardTerms and a --like id that names no document (the id as
  // given, else as escape_text writes it), and Error(kDatabase) for a
  // database failure. A database modified by a writer
  // while searching is reopened and the search retried.
  SearchResponse search(const SearchRequest& request);

  // The text-query half of search(), exposed for tests and --explain.
  Xapian::Query parse_query(const std::string& text, bool match_any);

  Xapian::Database& database() { return db_; }

 private:
  static constexpr unsigned kParserFlags = Xapian::QueryParser::FLAG_DEFAULT |
                                           Xapian::QueryParser::FLAG_WILDCARD |
                                           Xapian::QueryParser::FLAG_PURE_NOT;
  void configure(Xapian::QueryParser& parser, bool match_any);
  SearchResponse search_once(const SearchRequest& request);
  // Adds a notice when the database is empty because its first build, in
  // two parts (indexer.h), has not merged them into it yet.
  void note_unmerged_first_build(SearchResponse& response);
  // The specs, for messages.
  std::string specs_text() const;
  Xapian::Query like_query(const std::string& id);
  // The rare plain words of `query` (parsed: `parsed`), as typed in lower
  // case, and their corrections.
  std::map<std::string, std::string> corrections(const std::string& query,
                                                 const Xapian::Query& parsed, bool match_any);
  std::optional<SpellingSuggestion> suggest(const SearchRequest& request,
                                            const Xapian::Query& parsed, const Xapian::MSet& mset);
  // A new posting source for the default blend, the fastest this database allows.
  std::unique_ptr<Xapian::PostingSource> prior_source(bool use_prior_order) const;
  // For each hit of a collapsed page (its story key in `keys`): the other
  // copies of its story among the matches of `ranked`, and, ranked by
  // relevance, the copy to list instead when another copy scores the same and
  // has a smaller id.
  struct StoryCopies {
    Xapian::doccount others = 0;
    std::optional<Xapian::Document> listed;
  };
  std::vector<StoryCopies> story_copies(const Xapian::Query& ranked, bool by_relevance,
                                        const std::vector<std::string>& keys,
                                        const std::vector<SearchHit>& hits);

  std::vector<std::string> specs_;     // as given
  bool remote_ = false;                // some shards are served remotely: no spelling data
  Xapian::docid prior_range_end_ = 0;  // prior order (shards.h, SearchDatabases)
  Xapian::Database db_;
};

// "2020" -> "20200101" (or "20201231" with end=true), "2020-06" -> "20200601"
// ("20200630"), "2020-06-15" -> "20200615". Throws Error(kBadQuery) otherwise.
std::string day_bound(const std::string& text, bool end);

}  // namespace news
