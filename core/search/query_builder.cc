#include "search/query_builder.h"

#include <date/date.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <regex>

#include "base/error.h"
#include "base/text.h"
#include "schema/schema.h"

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

// `date:BEGIN..END` takes the dates --since and --until take (YYYY, YYYY-MM or
// YYYY-MM-DD, a year or month meaning all of it) and Xapian's YYYYMMDD; a
// date it cannot read is an error naming it, not "Unknown range operation".
class DayRangeProcessor : public Xapian::RangeProcessor {
 public:
  DayRangeProcessor(Xapian::valueno slot, std::string prefix)
      : Xapian::RangeProcessor(slot, std::move(prefix)) {}
  Xapian::Query operator()(const std::string& begin, const std::string& end) override {
    if (end.empty()) return Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, bound(begin, false));
    if (begin.empty()) return Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, bound(end, true));
    return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, bound(begin, false),
                         bound(end, true));
  }

 private:
  std::string bound(const std::string& text, bool end) const {
    if (text.empty()) return std::string();
    std::string iso = text;
    if (iso.size() == 8 &&
        std::all_of(iso.begin(), iso.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      iso = iso.substr(0, 4) + "-" + iso.substr(4, 2) + "-" + iso.substr(6);
    }
    try {
      return day_bound(iso, end);
    } catch (const Error&) {
      throw Xapian::QueryParserError(str + " '" + text +
                                     "' is not a date (write YYYY, YYYY-MM or YYYY-MM-DD)");
    }
  }
};

// `quality:` and `heat:` ranges as Xapian reads them; a bound that is not a
// number is an error naming it.
class CheckedNumberRangeProcessor : public Xapian::NumberRangeProcessor {
 public:
  CheckedNumberRangeProcessor(Xapian::valueno slot, std::string prefix)
      : Xapian::NumberRangeProcessor(slot, std::move(prefix)) {}
  Xapian::Query operator()(const std::string& begin, const std::string& end) override {
    // Xapian reads "nan" and "inf" (and 1e999, as inf) as numbers; a range
    // with such a bound means nothing, so it is an error naming it.
    for (const std::string* bound : {&begin, &end}) {
      if (bound->empty()) continue;
      char* stop = nullptr;
      double value = std::strtod(bound->c_str(), &stop);
      if (stop != bound->c_str() && !std::isfinite(value)) {
        throw Xapian::QueryParserError(str + " '" + *bound + "' is not a finite number");
      }
    }
    Xapian::Query range = Xapian::NumberRangeProcessor::operator()(begin, end);
    if (range.get_type() != Xapian::Query::OP_INVALID) return range;
    const bool begin_bad =
        !begin.empty() &&
        Xapian::NumberRangeProcessor::operator()(begin, std::string()).get_type() ==
            Xapian::Query::OP_INVALID;
    throw Xapian::QueryParserError(str + " '" + (begin_bad ? begin : end) + "' is not a number");
  }
};

Xapian::Query boolean_any(const std::string& prefix, const std::vector<std::string>& values) {
  std::vector<Xapian::Query> terms;
  for (const auto& value : values) terms.emplace_back(schema::boolean_term(prefix, value));
  return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

// A bound of a range filter over `field`'s slot, encoded as the slot is.
std::string range_bound(const schema::Field& field, const std::string& text, bool end) {
  if (field.encoding == schema::Encoding::kDay) return day_bound(text, end);
  char* stop = nullptr;
  double value = std::strtod(text.c_str(), &stop);
  if (stop == text.c_str() || *stop != '\0' || !std::isfinite(value)) {
    throw Error(Error::Kind::kBadQuery, field.name + " '" + text + "' is not a number");
  }
  return Xapian::sortable_serialise(value);
}

// Terms worth expanding a "more like this" query with: plain words only.
class PlainWords : public Xapian::ExpandDecider {
 public:
  bool operator()(const std::string& term) const override {
    return !schema::is_prefixed(term) && term.size() > 2;
  }
};

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

void QueryBuilder::configure(Xapian::QueryParser& parser, bool match_any) const {
  parser.set_stemmer(Xapian::Stem("english"));
  parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  parser.set_database(db_);
  parser.set_default_op(match_any ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
  // A wildcard that would expand to more words is an error (search() says
  // so), not a search of some of them: results are never silently missing
  // matches, and one document holding thousands of words with a common
  // prefix cannot make a search read thousands of posting lists.
  parser.set_max_expansion(kMaxWildcardTerms, Xapian::Query::WILDCARD_LIMIT_ERROR,
                           Xapian::QueryParser::FLAG_WILDCARD | Xapian::QueryParser::FLAG_PARTIAL);
  for (const auto& field : fields_.fields()) {
    if (field.name.empty()) continue;
    if (field.terms == schema::Terms::kWords && !field.prefix.empty()) {
      parser.add_prefix(field.name, field.prefix);
    } else if (field.terms == schema::Terms::kExact) {
      parser.add_boolean_prefix(field.name, (new BooleanFieldProcessor(field.prefix))->release());
    }
  }
  for (const auto& field : fields_.fields()) {
    if (field.name.empty() || !field.supports_all(schema::kRange)) continue;
    std::string prefix = field.name + ":";
    if (field.encoding == schema::Encoding::kDay) {
      parser.add_rangeprocessor((new DayRangeProcessor(field.slot, prefix))->release());
    } else {
      parser.add_rangeprocessor((new CheckedNumberRangeProcessor(field.slot, prefix))->release());
    }
  }
}

Xapian::Query QueryBuilder::parse(const std::string& text, bool match_any) const {
  Xapian::QueryParser parser;
  configure(parser, match_any);
  try {
    return parser.parse_query(text, kParserFlags);
  } catch (const Xapian::QueryParserError& e) {
    throw Error(Error::Kind::kBadQuery, "cannot parse query '" + text + "': " + e.get_msg());
  }
}

Xapian::Query QueryBuilder::typed(const SearchRequest& request) const {
  bool no_text = request.query.find_first_not_of(" \t\r\n") == std::string::npos;
  if (no_text) return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query::MatchAll, 0);
  return parse(request.query, request.match_any);
}

Xapian::Query QueryBuilder::text(const SearchRequest& request, const Xapian::Query& typed) const {
  if (request.like_id.empty()) return typed;
  Xapian::Query similar = like(request.like_id);
  bool no_text = request.query.find_first_not_of(" \t\r\n") == std::string::npos;
  return no_text ? similar : Xapian::Query(Xapian::Query::OP_AND, typed, similar);
}

Xapian::Query QueryBuilder::filters(const SearchRequest& request) const {
  std::vector<Xapian::Query> filters;
  for (const auto& filter : request.filters) add_filter(filter, filters);
  if (filters.empty()) return Xapian::Query();
  return Xapian::Query(Xapian::Query::OP_AND, filters.begin(), filters.end());
}

void QueryBuilder::add_filter(const FieldFilter& filter, std::vector<Xapian::Query>& out) const {
  const schema::Field* field = fields_.find(filter.field);
  if (!field) throw Error(Error::Kind::kBadQuery, "no field '" + filter.field + "' to filter by");
  if (!filter.any_of.empty()) {
    if (field->terms != schema::Terms::kExact) {
      throw Error(Error::Kind::kBadQuery,
                  "field '" + filter.field + "' has no values to filter by");
    }
    out.push_back(boolean_any(field->prefix, filter.any_of));
  }
  if (filter.from.empty() && filter.to.empty()) return;
  if (!field->supports_all(schema::kRange)) {
    throw Error(Error::Kind::kBadQuery, "field '" + filter.field + "' has no range to filter by");
  }
  if (!filter.from.empty()) {
    out.emplace_back(Xapian::Query::OP_VALUE_GE, field->slot,
                     range_bound(*field, filter.from, false));
  }
  if (!filter.to.empty()) {
    out.emplace_back(Xapian::Query::OP_VALUE_LE, field->slot, range_bound(*field, filter.to, true));
  }
}

FieldFilter any_of(std::string field, std::vector<std::string> values) {
  return FieldFilter{std::move(field), std::move(values), {}, {}};
}

FieldFilter range(std::string field, std::string from, std::string to) {
  return FieldFilter{std::move(field), {}, std::move(from), std::move(to)};
}

Xapian::Query QueryBuilder::like(const std::string& id) const {
  std::string term = schema::id_term(id);
  Xapian::PostingIterator it = db_.postlist_begin(term);
  if (it == db_.postlist_end(term)) {
    // An id as --ids and the other outputs show it (escape_text), when the
    // id as typed names no document.
    if (auto unescaped = unescape_text(id); unescaped && *unescaped != id) {
      term = schema::id_term(*unescaped);
      it = db_.postlist_begin(term);
    }
  }
  if (it == db_.postlist_end(term)) {
    throw Error(Error::Kind::kBadQuery, "--like: no document with id '" + id + "'");
  }
  Xapian::RSet rset;
  rset.add_document(*it);
  Xapian::Enquire enquire(db_);
  PlainWords plain;
  Xapian::ESet eset = enquire.get_eset(40, rset, &plain);
  // In term order, not weight order: the scores are sums over the terms, and
  // one order of summing gives the same scores however the database is split.
  std::vector<std::string> words(eset.begin(), eset.end());
  std::sort(words.begin(), words.end());
  std::vector<Xapian::Query> terms(words.begin(), words.end());
  return Xapian::Query(Xapian::Query::OP_AND_NOT,
                       Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()),
                       Xapian::Query(term));
}

}  // namespace news
