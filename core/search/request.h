// What a search asks for and what it answers: the request (query, filters,
// ranking weights, sorting, paging), the hits with what each shows, facets,
// the spelling suggestion and the totals. Plain data, shared by the search
// parts (search.h composes them) and the renderers (render/format.h).
#pragma once

#include <xapian.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "schema/schema.h"

namespace news {

// A filter on one field of the field table (schema/fields.h), by its name.
// Values: documents with any of them (a field with exact terms). Bounds: a
// range over the field's slot (a field supporting kRange), each inclusive
// and written as `name:a..b` takes it; an empty bound is open.
struct FieldFilter {
  std::string field;
  std::vector<std::string> any_of;
  std::string from, to;
};
FieldFilter any_of(std::string field, std::vector<std::string> values);
FieldFilter range(std::string field, std::string from, std::string to);

// Defaults chosen on the real corpus with bench/rank_eval.cc (README, "Ranking").
struct RankingWeights {
  double quality = schema::kQualityWeight;
  double heat = schema::kHeatWeight;
  double freshness = 1.0;  // used only when a half-life is set
};

struct SearchRequest {
  std::string query;       // Xapian QueryParser syntax; empty: list everything
  bool match_any = false;  // default operator OR instead of AND
  std::string like_id;     // documents like this one (relevance feedback)
  // Every filter must hold, e.g. any_of("topic", {...}), range("date",
  // since, until) with YYYY, YYYY-MM or YYYY-MM-DD, range("quality", "50", "").
  std::vector<FieldFilter> filters;
  RankingWeights weights;
  // Freshness: + weights.freshness * 0.5^(age in days / half_life_days), the
  // age counted from `now` (seconds since the epoch) to the publication day.
  std::optional<double> half_life_days;
  std::int64_t now = 0;
  // A sortable field's name, highest first ("published", "quality", "heat");
  // empty: by relevance (the blend).
  std::string sort_by;
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
  // The stored fields of rows added to the field table beyond those above,
  // key to value as stored (an object; empty with the standard table). The
  // JSON renderers add them to each result.
  nlohmann::json other_fields = nlohmann::json::object();
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

}  // namespace news
