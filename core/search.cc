#include "search.h"

#include <date/date.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "error.h"
#include "schema.h"

namespace news {
namespace {

// `topic:`, `provider:`, `type:` ...: the value is normalised the same way the
// indexer normalised it, so `topic:"computer vision"` finds "Computer Vision".
class BooleanFieldProcessor : public Xapian::FieldProcessor {
 public:
  explicit BooleanFieldProcessor(std::string prefix) : prefix_(std::move(prefix)) {}
  Xapian::Query operator()(const std::string& value) override {
    return Xapian::Query(schema::boolean_term(prefix_, value));
  }

 private:
  std::string prefix_;
};

Xapian::Query boolean_any(const std::string& prefix, const std::vector<std::string>& values) {
  std::vector<Xapian::Query> terms;
  for (const auto& value : values) terms.emplace_back(schema::boolean_term(prefix, value));
  return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

std::string prefix_of(std::string_view field_name) {
  for (const auto& field : schema::term_fields()) {
    if (field.name == field_name) return std::string(field.prefix);
  }
  throw std::logic_error("no such field in the schema: " + std::string(field_name));
}

Xapian::Query weighted_source(Xapian::valueno slot, double weight) {
  Xapian::Query source((new Xapian::ValueWeightPostingSource(slot))->release());
  return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, source, weight);
}

// The text query blended with quality and heat; see search.h.
Xapian::Query blend(const Xapian::Query& text, const RankingWeights& weights) {
  std::vector<Xapian::Query> boosts;
  if (weights.quality > 0) boosts.push_back(weighted_source(schema::kQualityRank, weights.quality));
  if (weights.heat > 0) boosts.push_back(weighted_source(schema::kHeatRank, weights.heat));
  if (boosts.empty()) return text;
  return Xapian::Query(Xapian::Query::OP_AND_MAYBE, text,
                       Xapian::Query(Xapian::Query::OP_OR, boosts.begin(), boosts.end()));
}

std::string optional_string(const nlohmann::json& record, const char* key) {
  auto it = record.find(key);
  return (it != record.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

std::optional<std::int64_t> optional_int(const nlohmann::json& record, const char* key) {
  auto it = record.find(key);
  if (it == record.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace

std::string day_bound(const std::string& text, bool end) {
  static const std::regex kPattern(R"((\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?)");
  std::smatch m;
  if (!std::regex_match(text, m, kPattern)) {
    throw Error(Error::Kind::kBadQuery,
                "'" + text + "' is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)");
  }
  date::year year{std::stoi(m[1])};
  date::month month{m[2].matched ? unsigned(std::stoi(m[2])) : (end ? 12u : 1u)};
  date::year_month_day day = date::year_month_day_last(year, date::month_day_last(month));
  if (m[3].matched) {
    day = date::year_month_day(year, month, date::day(unsigned(std::stoi(m[3]))));
  } else if (!end) {
    day = date::year_month_day(year, month, date::day(1));
  }
  if (!day.ok()) throw Error(Error::Kind::kBadQuery, "'" + text + "' is not a valid date");
  return date::format("%Y%m%d", day);
}

Searcher::Searcher(const std::string& db_path) : path_(db_path) {
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) {
    throw Error(
        Error::Kind::kNoDatabase,
        "no database at " + db_path + "; create one with: news-index --db " + db_path + " FOLDER");
  }
  try {
    db_ = Xapian::Database(db_path);
  } catch (const Xapian::Error& e) {
    throw Error(Error::Kind::kDatabase,
                "cannot open database " + db_path + ": " + e.get_description());
  }
}

Xapian::Query Searcher::parse_query(const std::string& text, bool match_any) {
  Xapian::QueryParser parser;
  parser.set_stemmer(Xapian::Stem("english"));
  parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  parser.set_database(db_);
  parser.set_default_op(match_any ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
  for (const auto& field : schema::term_fields()) {
    if (field.name.empty()) continue;
    if (field.kind == schema::FieldKind::kFreeText) {
      parser.add_prefix(std::string(field.name), std::string(field.prefix));
    } else {
      parser.add_boolean_prefix(std::string(field.name),
                                (new BooleanFieldProcessor(std::string(field.prefix)))->release());
    }
  }
  for (const auto& range : schema::range_fields()) {
    std::string prefix = std::string(range.name) + ":";
    if (range.kind == schema::RangeKind::kDate) {
      parser.add_rangeprocessor((new Xapian::DateRangeProcessor(range.slot, prefix))->release());
    } else {
      parser.add_rangeprocessor((new Xapian::NumberRangeProcessor(range.slot, prefix))->release());
    }
  }
  unsigned flags = Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_WILDCARD |
                   Xapian::QueryParser::FLAG_PURE_NOT;
  try {
    return parser.parse_query(text, flags);
  } catch (const Xapian::QueryParserError& e) {
    throw Error(Error::Kind::kBadQuery, "cannot parse query '" + text + "': " + e.get_msg());
  }
}

SearchResponse Searcher::search(const SearchRequest& request) {
  for (int attempt = 0;; ++attempt) {
    try {
      return search_once(request);
    } catch (const Xapian::DatabaseModifiedError&) {
      // A writer committed twice while we read: see the newest revision.
      if (attempt >= 10) throw Error(Error::Kind::kDatabase, "database kept changing: try again");
      db_.reopen();
    } catch (const Xapian::QueryParserError& e) {
      throw Error(Error::Kind::kBadQuery, "cannot parse query: " + e.get_msg());
    } catch (const Xapian::Error& e) {
      throw Error(Error::Kind::kDatabase, "database " + path_ + ": " + e.get_description());
    }
  }
}

SearchResponse Searcher::search_once(const SearchRequest& request) {
  Xapian::Query text =
      request.query.find_first_not_of(" \t\r\n") == std::string::npos
          ? Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query::MatchAll, 0)
          : parse_query(request.query, request.match_any);
  Xapian::Query query = blend(text, request.weights);

  std::vector<Xapian::Query> filters;
  if (!request.topics.empty()) filters.push_back(boolean_any(prefix_of("topic"), request.topics));
  if (!request.providers.empty()) {
    filters.push_back(boolean_any(prefix_of("provider"), request.providers));
  }
  if (!request.types.empty()) filters.push_back(boolean_any(prefix_of("type"), request.types));
  if (!request.since.empty()) {
    filters.emplace_back(Xapian::Query::OP_VALUE_GE, schema::kDay, day_bound(request.since, false));
  }
  if (!request.until.empty()) {
    filters.emplace_back(Xapian::Query::OP_VALUE_LE, schema::kDay, day_bound(request.until, true));
  }
  if (request.min_quality) {
    filters.emplace_back(Xapian::Query::OP_VALUE_GE, schema::kQuality,
                         Xapian::sortable_serialise(double(*request.min_quality)));
  }
  if (!filters.empty()) {
    query = Xapian::Query(Xapian::Query::OP_FILTER, query,
                          Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end()));
  }

  Xapian::Enquire enquire(db_);
  enquire.set_query(query);
  switch (request.sort) {
    case SortOrder::kRelevance:
      break;
    case SortOrder::kDate:
      enquire.set_sort_by_value_then_relevance(schema::kPublished, true);
      break;
    case SortOrder::kQuality:
      enquire.set_sort_by_value_then_relevance(schema::kQuality, true);
      break;
    case SortOrder::kHeat:
      enquire.set_sort_by_value_then_relevance(schema::kHeat, true);
      break;
  }
  // Checking a few more documents than shown makes the total exact for small
  // result sets, at a cost bounded by kExactCountBelow.
  constexpr Xapian::doccount kExactCountBelow = 100;
  Xapian::MSet mset = enquire.get_mset(request.offset, request.limit,
                                       std::max(request.offset + request.limit, kExactCountBelow));

  SearchResponse response;
  response.query = request.query;
  response.parsed = query.get_description();
  response.total_estimate = mset.get_matches_estimated();
  response.total_lower = mset.get_matches_lower_bound();
  response.total_upper = mset.get_matches_upper_bound();
  Xapian::Stem stemmer("english");
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    SearchHit hit;
    hit.rank = it.get_rank() + 1;  // get_rank() counts from the first match, not the page
    hit.docid = *it;
    hit.score = it.get_weight();
    auto record = nlohmann::json::parse(it.get_document().get_data(), nullptr, false);
    if (record.is_discarded()) record = nlohmann::json::object();
    hit.id = optional_string(record, "id");
    hit.title = optional_string(record, "title");
    hit.excerpt = optional_string(record, "excerpt");
    hit.url = optional_string(record, "url");
    hit.provider = optional_string(record, "provider");
    hit.domain = optional_string(record, "domain");
    hit.type = optional_string(record, "type");
    hit.category = optional_string(record, "category");
    hit.published = optional_string(record, "published");
    hit.quality = optional_int(record, "quality");
    hit.heat = optional_int(record, "heat");
    if (auto topics = record.find("topics"); topics != record.end() && topics->is_array()) {
      for (const auto& topic : *topics) {
        if (topic.is_string()) hit.topics.push_back(topic.get<std::string>());
      }
    }
    hit.snippet =
        mset.snippet(hit.excerpt, request.snippet_chars, stemmer, Xapian::MSet::SNIPPET_EXHAUSTIVE,
                     request.highlight_start, request.highlight_end, "…");
    response.hits.push_back(std::move(hit));
  }
  return response;
}

}  // namespace news
