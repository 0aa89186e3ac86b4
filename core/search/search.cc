#include "search/search.h"

#include <date/date.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <unordered_map>

#include "store/database_check.h"
#include "store/db_folder.h"
#include "base/error.h"
#include "index/indexer.h"
#include "prior/blend_source.h"
#include "base/read_retry.h"
#include "schema/schema.h"
#include "store/shards.h"
#include "base/text.h"

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

std::string prefix_of(std::string_view field_name) {
  for (const auto& field : schema::term_fields()) {
    if (field.name == field_name) return std::string(field.prefix);
  }
  throw std::logic_error("no such field in the schema: " + std::string(field_name));
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

namespace {

// The cases where Xapian's own message would not tell the user what is wrong:
// an empty path, and a folder with nothing of a database in it.
void check_local_spec(const std::string& spec) {
  if (spec.empty()) {
    throw Error(Error::Kind::kNoDatabase,
                "an empty path was given as the database (--db '' or db: in the configuration)");
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(spec, ec)) return;
  bool empty = fs::is_empty(spec, ec);
  if (ec) return;  // Xapian names the error
  if (empty) {
    throw Error(Error::Kind::kNoDatabase, "no database at " + spec +
                                              ": it is an empty folder; create one with: "
                                              "news-index --db " +
                                              spec + " FOLDER");
  }
  for (const char* marker : {"iamglass", "iamchert", "iamhoney", "XAPIANDB"}) {
    if (fs::exists(fs::path(spec) / marker, ec)) return;
  }
  throw Error(Error::Kind::kDatabase,
              "cannot open database " + spec +
                  ": the folder holds no Xapian database (no iamglass or XAPIANDB file in it)");
}

}  // namespace

Searcher::Searcher(const std::vector<std::string>& specs) {
  specs_ = specs;
  for (const auto& spec : specs) {
    if (!is_remote_spec(spec)) check_local_spec(spec);
  }
  SearchDatabases opened = open_search_databases(specs);
  if (opened.db.size() == 0) {
    // Xapian opens a stub file that lists nothing as a database of no parts,
    // which it then cannot search.
    throw Error(Error::Kind::kDatabase, "no database at " + specs_text() +
                                            ": the stub file lists no databases (it is empty or "
                                            "holds only comments)");
  }
  db_ = std::move(opened.db);
  remote_ = opened.remote;
  prior_range_end_ = opened.prior_range_end;
  // A database of another program (omega's omindex or scriptindex) has
  // neither of the metadata keys news-index writes with its first commit;
  // its documents lack the values a listing reads.
  bool foreign = read_newest(&db_, [&] {
    return db_.get_doccount() > 0 &&
           db_.get_metadata(std::string(schema::kMetaSchemaVersion)).empty() &&
           db_.get_metadata(kCheckpointKey).empty();
  });
  if (foreign) {
    throw Error(Error::Kind::kDatabase,
                "database " + specs_text() +
                    " was not written by news-index (it has no news:schema metadata): "
                    "news-search searches the databases news-index builds");
  }
}

void Searcher::configure(Xapian::QueryParser& parser, bool match_any) {
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
      parser.add_rangeprocessor((new DayRangeProcessor(range.slot, prefix))->release());
    } else {
      parser.add_rangeprocessor((new CheckedNumberRangeProcessor(range.slot, prefix))->release());
    }
  }
}

Xapian::Query Searcher::parse_query(const std::string& text, bool match_any) {
  Xapian::QueryParser parser;
  configure(parser, match_any);
  try {
    return parser.parse_query(text, kParserFlags);
  } catch (const Xapian::QueryParserError& e) {
    throw Error(Error::Kind::kBadQuery, "cannot parse query '" + text + "': " + e.get_msg());
  }
}

SearchResponse Searcher::search(const SearchRequest& request) {
  if (request.query.size() > kMaxQueryBytes) {
    throw Error(Error::Kind::kBadQuery, "the query is " + std::to_string(request.query.size()) +
                                            " bytes long; at most " +
                                            std::to_string(kMaxQueryBytes) + " are allowed");
  }
  if (std::size_t words = count_words(request.query); words > kMaxQueryWords) {
    throw Error(Error::Kind::kBadQuery, "the query has " + std::to_string(words) +
                                            " words; at most " + std::to_string(kMaxQueryWords) +
                                            " are allowed (--like finds documents like one)");
  }
  try {
    SearchResponse response = read_newest(&db_, [&] { return search_once(request); });
    if (db_.get_doccount() == 0) note_unmerged_first_build(response);
    return response;
  } catch (const Xapian::QueryParserError& e) {
    throw Error(Error::Kind::kBadQuery, "cannot parse query: " + e.get_msg());
  } catch (const Xapian::WildcardError& e) {
    throw Error(Error::Kind::kBadQuery,
                "query '" + request.query + "': a wildcard matches more than " +
                    std::to_string(kMaxWildcardTerms) +
                    " words; write more of the word before the '*' (" + e.get_msg() + ")");
  } catch (const Xapian::DatabaseModifiedError&) {
    throw Error(Error::Kind::kDatabase, "database " + specs_text() + " kept changing: try again");
  } catch (const Xapian::Error& e) {
    throw Error(Error::Kind::kDatabase,
                "database " + specs_text() + ": " + describe_database_error(e, specs_text()));
  }
}

namespace {

// The boosts added to the text query, and the same arithmetic for --explain.
class Boosts {
 public:
  // `prior`: the default blend's posting source (Searcher::prior_source).
  Boosts(const Xapian::Database& db, const SearchRequest& request,
         std::unique_ptr<Xapian::PostingSource> prior)
      : weights_(request.weights), prior_(std::move(prior)) {
    if (!request.half_life_days || weights_.freshness <= 0) return;
    // Every publication day the database holds gets its decayed weight; the
    // map travels with the query (ValueMapPostingSource is serialisable).
    std::string lowest = db.get_value_lower_bound(schema::kDay);
    std::string highest = db.get_value_upper_bound(schema::kDay);
    if (lowest.size() != 8 || highest.size() != 8) return;
    auto parse_day = [](const std::string& v) {
      return date::sys_days(date::year_month_day(date::year(std::stoi(v.substr(0, 4))),
                                                 date::month(unsigned(std::stoi(v.substr(4, 2)))),
                                                 date::day(unsigned(std::stoi(v.substr(6, 2))))));
    };
    date::sys_days first = parse_day(lowest), last = parse_day(highest);
    date::sys_days today =
        date::floor<date::days>(date::sys_seconds(std::chrono::seconds(request.now)));
    freshness_ = std::make_unique<Xapian::ValueMapPostingSource>(schema::kDay);
    for (date::sys_days day = first; day <= last; day += date::days(1)) {
      double age = std::max(0.0, double((today - day).count()));
      double decay = std::exp2(-age / *request.half_life_days);
      std::string key = date::format("%Y%m%d", day);
      freshness_->add_mapping(key, decay);
      decay_[key] = decay;
    }
    freshness_->set_default_weight(0);
  }

  Xapian::Query apply(const Xapian::Query& text) {
    std::vector<Xapian::Query> boosts;
    if (weights_.quality == schema::kQualityWeight && weights_.heat == schema::kHeatWeight) {
      // The default blend is stored whole: one source reads it.
      boosts.emplace_back(prior_.release()->release());
    } else {
      if (weights_.quality > 0)
        boosts.push_back(scaled(value_source(schema::kQualityRank), weights_.quality));
      if (weights_.heat > 0)
        boosts.push_back(scaled(value_source(schema::kHeatRank), weights_.heat));
    }
    if (freshness_)
      boosts.push_back(scaled(Xapian::Query(freshness_.release()->release()), weights_.freshness));
    if (boosts.empty()) return text;
    return Xapian::Query(Xapian::Query::OP_AND_MAYBE, text,
                         Xapian::Query(Xapian::Query::OP_OR, boosts.begin(), boosts.end()));
  }

  ScoreParts explain(const Xapian::Document& doc, double score) const {
    ScoreParts parts;
    auto shaped = [&](Xapian::valueno slot) {
      std::string v = doc.get_value(slot);
      return v.empty() ? 0.0 : Xapian::sortable_unserialise(v);
    };
    if (weights_.quality > 0) parts.quality = weights_.quality * shaped(schema::kQualityRank);
    if (weights_.heat > 0) parts.heat = weights_.heat * shaped(schema::kHeatRank);
    if (!decay_.empty()) {
      auto it = decay_.find(doc.get_value(schema::kDay));
      if (it != decay_.end()) parts.freshness = weights_.freshness * it->second;
    }
    parts.relevance = std::max(0.0, score - parts.quality - parts.heat - parts.freshness);
    return parts;
  }

 private:
  static Xapian::Query value_source(Xapian::valueno slot) {
    return Xapian::Query((new Xapian::ValueWeightPostingSource(slot))->release());
  }
  static Xapian::Query scaled(const Xapian::Query& q, double weight) {
    return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q, weight);
  }

  RankingWeights weights_;
  std::unique_ptr<Xapian::PostingSource> prior_;
  std::unique_ptr<Xapian::ValueMapPostingSource> freshness_;
  std::unordered_map<std::string, double> decay_;
};

// Terms worth expanding a "more like this" query with: plain words only.
class PlainWords : public Xapian::ExpandDecider {
 public:
  bool operator()(const std::string& term) const override {
    return !schema::is_prefixed(term) && term.size() > 2;
  }
};

struct FacetSpec {
  const char* name;
  Xapian::valueno slot;
  bool multi;  // several values joined by '\x1f'
};
constexpr FacetSpec kFacets[] = {
    {"topic", schema::kTopics, true},
    {"provider", schema::kProvider, false},
    {"type", schema::kType, false},
    {"month", schema::kMonth, false},
};

std::string unescape_html(std::string text) {
  static const std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (text[i] == '&') {
      for (auto [entity, plain] : kEntities) {
        if (text.compare(i, entity.size(), entity) == 0) {
          out += plain;
          i += entity.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

}  // namespace

Xapian::Query Searcher::like_query(const std::string& id) {
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

// Looking a word up in the spelling table costs about as much as the search
// itself, common words most (their letter triples are everywhere), and a
// common word is spelt as the archive spells it. So only the rare plain words
// are looked up: those in fewer than max(10, N / 10000) of the N documents
// (absent words are rare too). Field terms (title:, topic: ...) are not, as
// Xapian's own spelling correction does not look at them either.
std::map<std::string, std::string> Searcher::corrections(const std::string& query,
                                                         const Xapian::Query& parsed,
                                                         bool match_any) {
  Xapian::doccount rare = std::max<Xapian::doccount>(10, db_.get_doccount() / 10000);
  std::vector<std::string> rare_terms;
  for (auto t = parsed.get_unique_terms_begin(); t != parsed.get_unique_terms_end(); ++t) {
    const std::string& term = *t;
    std::string_view word = term;
    if (word.size() > 1 && word.front() == 'Z') word.remove_prefix(1);  // stemmed
    if (schema::is_prefixed(word)) continue;                            // a field's term
    if (db_.get_termfreq(term) < rare) rare_terms.push_back(term);
  }
  if (rare_terms.empty()) return {};
  // The words as typed behind each term: parse again, keeping the parser.
  Xapian::QueryParser parser;
  configure(parser, match_any);
  parser.parse_query(query, kParserFlags);
  std::map<std::string, std::string> fixes;
  for (const auto& term : rare_terms) {
    std::vector<std::string> typed(parser.unstem_begin(term), parser.unstem_end(term));
    if (typed.empty() && term[0] != 'Z') typed.push_back(term);
    for (const auto& as_typed : typed) {  // as typed: "Facal" stays unstemmed
      std::string word = Xapian::Unicode::tolower(as_typed);
      std::string fix = db_.get_spelling_suggestion(word);
      if (!fix.empty() && fix != word) fixes.emplace(word, std::move(fix));
    }
  }
  return fixes;
}

std::optional<SpellingSuggestion> Searcher::suggest(const SearchRequest& request,
                                                    const Xapian::Query& parsed,
                                                    const Xapian::MSet& mset) {
  if (!request.suggest_spelling || request.query.empty()) return std::nullopt;
  if (remote_) return std::nullopt;  // search_once() says so in a notice
  std::string corrected;
  try {
    auto fixes = corrections(request.query, parsed, request.match_any);
    if (fixes.empty()) return std::nullopt;
    corrected = replace_words(request.query, fixes);
  } catch (const Xapian::QueryParserError&) {
    return std::nullopt;
  }
  if (corrected == request.query) return std::nullopt;
  // Only a correction that surely finds more: estimates of similar queries
  // differ by noise (and stemming often makes "app" find "apps" anyway). The
  // corrected query is run as its first page would be, so its total is the
  // one the user will see, and checks just enough matches to prove it finds
  // more than the typed one (a page of none could not stop early: Xapian
  // would check every match). Past kEnough matches, no suggestion.
  constexpr Xapian::doccount kEnough = 10000;
  Xapian::doccount typed_at_most = mset.get_matches_upper_bound();
  if (typed_at_most >= kEnough) return std::nullopt;
  SearchRequest alternative = request;
  alternative.query = corrected;
  alternative.suggest_spelling = false;
  alternative.facets = false;
  alternative.offset = 0;
  alternative.limit = std::max<Xapian::doccount>(request.limit, 1);
  alternative.check_at_least = std::max(request.check_at_least, typed_at_most + 1);
  SearchResponse response = search_once(alternative);
  if (response.total_lower <= typed_at_most) return std::nullopt;
  return SpellingSuggestion{corrected, response.total_estimate};
}

// Xapian's collapse counts are lower bounds: the matcher may stop before it
// meets every copy, and remote shards merge their counts approximately. The
// copies of the stories on the page are counted exactly instead, by their
// story terms, in one pass over the few documents holding them. Ranked by
// relevance, the same pass picks the copy each story is listed by: of its
// best-scoring copies, the one with the smallest id (the matcher breaks equal
// scores by story key and then by Xapian's docid, which differs between shard
// layouts). Sorted by a value, the matcher's copy, first by that value, stands.
std::vector<Searcher::StoryCopies> Searcher::story_copies(const Xapian::Query& ranked,
                                                          bool by_relevance,
                                                          const std::vector<std::string>& keys,
                                                          const std::vector<SearchHit>& hits) {
  std::vector<StoryCopies> out(hits.size());
  // A story held by one document in the whole database has no copies: only
  // the others are looked at (most stories, and so most pages, have none).
  std::vector<Xapian::Query> stories;
  Xapian::doccount held = 0;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    std::string story = schema::story_term(keys[i]);
    Xapian::doccount copies = db_.get_termfreq(story);
    if (copies <= 1) continue;
    stories.emplace_back(story);
    held += copies;
  }
  if (stories.empty()) return out;
  Xapian::Enquire enquire(db_);
  enquire.set_query(
      Xapian::Query(Xapian::Query::OP_FILTER, ranked,
                    Xapian::Query(Xapian::Query::OP_OR, stories.begin(), stories.end())));
  if (by_relevance) {
    enquire.set_weighting_scheme(schema::relevance_weight());
  } else {
    enquire.set_weighting_scheme(Xapian::BoolWeight());  // only counted
  }
  Xapian::MSet copies = enquire.get_mset(0, held, held);
  // Scores equal to 12 significant digits count as equal: a shard layout
  // can move the last bits of a sum of term weights (README, "Shards").
  auto same = [](double a, double b) {
    return std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b));
  };
  struct Story {
    Xapian::doccount count = 0;
    double best = 0;
    std::string id;
    Xapian::Document doc;
  };
  std::map<std::string, Story> by_key;
  for (auto it = copies.begin(); it != copies.end(); ++it) {
    Xapian::Document doc = it.get_document();
    Story& story = by_key[doc.get_value(schema::kDedupKey)];
    std::string id = doc.get_value(schema::kId);
    double weight = it.get_weight();  // in falling order: the first is the best
    bool first = story.count++ == 0;
    if (first) story.best = weight;
    if (first || (same(weight, story.best) && id < story.id)) {
      story.id = std::move(id);
      story.doc = doc;
    }
  }
  for (std::size_t i = 0; i < hits.size(); ++i) {
    auto found = by_key.find(keys[i]);
    if (found == by_key.end()) continue;
    const Story& story = found->second;
    out[i].others = story.count - 1;
    if (by_relevance && story.doc.get_docid() != hits[i].docid && same(story.best, hits[i].score)) {
      out[i].listed = story.doc;
    }
  }
  return out;
}

// The default blend (kPrior): the source the opened databases allow
// (prior/blend_source.h).
std::unique_ptr<Xapian::PostingSource> Searcher::prior_source(bool use_prior_order) const {
  return prior::blend_source({.remote = remote_, .remote_range_end = prior_range_end_},
                             use_prior_order);
}

std::string Searcher::specs_text() const {
  std::string text;
  for (const auto& spec : specs_) text += (text.empty() ? "" : ", ") + spec;
  return text;
}

void Searcher::note_unmerged_first_build(SearchResponse& response) {
  for (const auto& spec : specs_) {
    if (is_remote_spec(spec)) continue;
    std::string parts = parts_path(spec);
    if (!is_own_parts_folder(parts, spec)) continue;
    response.notices.push_back("database " + spec +
                               " has no documents yet: its first build keeps them in " + parts +
                               " until it merges them (or, if it was stopped, until the next "
                               "news-index run does)");
  }
}

SearchResponse Searcher::search_once(const SearchRequest& request) {
  bool no_text = request.query.find_first_not_of(" \t\r\n") == std::string::npos;
  const Xapian::Query typed =
      no_text ? Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, Xapian::Query::MatchAll, 0)
              : parse_query(request.query, request.match_any);
  Xapian::Query text = typed;
  if (!request.like_id.empty()) {
    Xapian::Query like = like_query(request.like_id);
    text = no_text ? like : Xapian::Query(Xapian::Query::OP_AND, text, like);
  }
  Boosts boosts(db_, request, prior_source(request.use_prior_order));
  Xapian::Query query = boosts.apply(schema::relevance_query(text));

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
    Xapian::Query all(Xapian::Query::OP_AND, filters.begin(), filters.end());
    query = Xapian::Query(Xapian::Query::OP_FILTER, query, all);
  }

  Xapian::Enquire enquire(db_);
  enquire.set_query(query);
  enquire.set_weighting_scheme(schema::relevance_weight());
  if (request.collapse_duplicates) enquire.set_collapse_key(schema::kDedupKey);
  switch (request.sort) {
    case SortOrder::kRelevance:
      // Equal scores in an order that does not depend on Xapian's docids, so
      // that one database and any split of it into shards list the same
      // results. Collapsing, by story key: the matcher reads that value for
      // every candidate anyway, where a second slot would cost a second value
      // stream (a quarter of the matcher's time at 1M documents); the copy a
      // story is listed by is then settled by story_copies(). Otherwise by id.
      enquire.set_sort_by_relevance_then_value(
          request.collapse_duplicates ? schema::kDedupKey : schema::kId, false);
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
  std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
  if (request.facets) {
    for (const auto& facet : kFacets) {
      spies.push_back(std::make_unique<Xapian::ValueCountMatchSpy>(facet.slot));
      enquire.add_matchspy(spies.back().get());
    }
  }
  // Checking more documents than shown makes the total exact for small
  // result sets (and the facet counts, for larger ones), at a bounded cost.
  constexpr Xapian::doccount kExactFacetsBelow = 10000;
  Xapian::doccount check_at_least = std::max(
      request.offset + request.limit, request.facets ? kExactFacetsBelow : request.check_at_least);
  if (request.exact_count) check_at_least = std::max(check_at_least, db_.get_doccount());
  Xapian::MSet mset = enquire.get_mset(request.offset, request.limit, check_at_least);

  SearchResponse response;
  response.query = request.query;
  response.parsed = query.get_description();
  response.total_estimate = mset.get_matches_estimated();
  response.total_lower = mset.get_matches_lower_bound();
  response.total_upper = mset.get_matches_upper_bound();
  if (mset.size() < request.limit) {
    // A page that is not full holds the last match: the total is known.
    Xapian::doccount total = request.offset + mset.size();
    if (mset.size() > 0 || request.offset == 0) {
      response.total_estimate = response.total_lower = response.total_upper = total;
    }
  } else if (request.exact_count && response.total_lower != response.total_upper) {
    // Collapsing makes Xapian's bounds loose even when every match was
    // checked; counting the collapsed matches themselves is exact.
    Xapian::doccount total = enquire.get_mset(0, db_.get_doccount()).size();
    response.total_estimate = response.total_lower = response.total_upper = total;
  }
  Xapian::Stem stemmer("english");
  // Fills what a hit shows from its document.
  auto describe = [&](SearchHit& hit, const Xapian::Document& doc) {
    if (request.explain) hit.parts = boosts.explain(doc, hit.score);
    auto record = nlohmann::json::parse(doc.get_data(), nullptr, false);
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
    hit.topics.clear();
    if (auto topics = record.find("topics"); topics != record.end() && topics->is_array()) {
      for (const auto& topic : *topics) {
        if (topic.is_string()) hit.topics.push_back(topic.get<std::string>());
      }
    }
    // MSet::snippet escapes HTML; the plain forms undo that.
    std::string marked_html =
        mset.snippet(hit.excerpt, request.snippet_chars, stemmer, Xapian::MSet::SNIPPET_EXHAUSTIVE,
                     kMatchStart, kMatchEnd, "…");
    // Xapian escapes & < > only; quotes too, so the HTML is safe inside an
    // attribute's value as well as in an element.
    hit.snippet_html =
        replace_all(replace_all(replace_all(replace_all(marked_html, "\"", "&quot;"), "'", "&#39;"),
                                kMatchStart, "<mark>"),
                    kMatchEnd, "</mark>");
    hit.snippet_marked = unescape_html(marked_html);
    hit.snippet = replace_all(replace_all(hit.snippet_marked, kMatchStart, ""), kMatchEnd, "");
  };
  std::vector<std::string> story_keys;
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    SearchHit hit;
    hit.rank = it.get_rank() + 1;  // get_rank() counts from the first match, not the page
    hit.docid = *it;
    hit.score = it.get_weight();
    hit.collapsed = it.get_collapse_count();
    if (request.collapse_duplicates) story_keys.push_back(it.get_collapse_key());
    describe(hit, it.get_document());
    response.hits.push_back(std::move(hit));
  }

  if (request.collapse_duplicates) {
    std::vector<StoryCopies> copies =
        story_copies(query, request.sort == SortOrder::kRelevance, story_keys, response.hits);
    for (std::size_t i = 0; i < copies.size(); ++i) {
      SearchHit& hit = response.hits[i];
      hit.collapsed = copies[i].others;
      if (!copies[i].listed) continue;
      hit.docid = copies[i].listed->get_docid();
      describe(hit, *copies[i].listed);
    }
  }

  if (request.facets) {
    response.facets_counted = spies.front()->get_total();
    response.facets_exact = response.total_lower == response.total_upper &&
                            response.facets_counted >= response.total_upper;
    for (std::size_t i = 0; i < spies.size(); ++i) {
      std::map<std::string, Xapian::doccount> counts;
      for (auto v = spies[i]->values_begin(); v != spies[i]->values_end(); ++v) {
        if (!kFacets[i].multi) {
          counts[*v] += v.get_termfreq();
          continue;
        }
        std::string joined = *v;
        for (std::size_t start = 0; start <= joined.size();) {
          std::size_t end = joined.find('\x1f', start);
          if (end == std::string::npos) end = joined.size();
          if (end > start) counts[joined.substr(start, end - start)] += v.get_termfreq();
          start = end + 1;
        }
      }
      Facet facet{kFacets[i].name, {}};
      for (const auto& [value, count] : counts) facet.values.push_back({value, count});
      std::stable_sort(facet.values.begin(), facet.values.end(),
                       [](const FacetValue& a, const FacetValue& b) { return a.count > b.count; });
      if (facet.values.size() > request.facet_values) facet.values.resize(request.facet_values);
      response.facets.push_back(std::move(facet));
    }
  }
  response.suggestion = suggest(request, typed, mset);
  if (remote_ && request.suggest_spelling && !request.query.empty()) {
    response.notices.push_back(
        "no spelling suggestions: Xapian's remote backend does not serve spelling data, and "
        "some shards are remote (--no-spelling silences this)");
  }
  return response;
}

}  // namespace news
