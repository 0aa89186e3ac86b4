#include "search/search.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "base/error.h"
#include "base/read_retry.h"
#include "base/text.h"
#include "index/indexer.h"
#include "prior/blend_source.h"
#include "schema/schema.h"
#include "search/boosts.h"
#include "search/facets.h"
#include "search/hits.h"
#include "search/query_builder.h"
#include "search/relevance.h"
#include "search/spelling.h"
#include "search/story_copies.h"
#include "search/totals.h"
#include "store/database_check.h"
#include "store/db_folder.h"
#include "store/shards.h"

namespace news {
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

// How the matcher orders and collapses the page: by relevance, or by the
// value of the sortable field named request.sort_by, highest first.
void set_result_order(Xapian::Enquire& enquire, const SearchRequest& request,
                      const schema::FieldTable& fields) {
  if (request.collapse_duplicates) enquire.set_collapse_key(schema::kDedupKey);
  if (request.sort_by.empty()) {
    // Equal scores in an order that does not depend on Xapian's docids, so
    // that one database and any split of it into shards list the same
    // results. Collapsing, by story key: the matcher reads that value for
    // every candidate anyway, where a second slot would cost a second value
    // stream (docs/design.md, "Shards"); the copy a story is listed by is
    // then settled by story_copies(). Otherwise by id.
    enquire.set_sort_by_relevance_then_value(
        request.collapse_duplicates ? schema::kDedupKey : schema::kId, false);
    return;
  }
  const schema::Field* field = fields.find(request.sort_by);
  if (!field || !field->supports_all(schema::kSort)) {
    throw Error(Error::Kind::kBadQuery, "cannot sort by '" + request.sort_by + "'");
  }
  enquire.set_sort_by_value_then_relevance(field->slot, true);
}

// Matches the matcher checks at least. Checking more documents than shown
// makes the total exact for small result sets (and the facet counts, for
// larger ones), at a bounded cost.
Xapian::doccount matches_to_check(const SearchRequest& request, const Xapian::Database& db) {
  constexpr Xapian::doccount kExactFacetsBelow = 10000;
  Xapian::doccount check_at_least = std::max(
      request.offset + request.limit, request.facets ? kExactFacetsBelow : request.check_at_least);
  if (request.exact_count) check_at_least = std::max(check_at_least, db.get_doccount());
  return check_at_least;
}

// Counts the other copies of each hit's story and, ranked by relevance, lists
// the story by the copy story_copies() picks.
void apply_story_copies(std::vector<SearchHit>& hits, const std::vector<StoryCopies>& copies,
                        const HitReader& reader) {
  for (std::size_t i = 0; i < copies.size(); ++i) {
    SearchHit& hit = hits[i];
    hit.collapsed = copies[i].others;
    if (!copies[i].listed) continue;
    hit.docid = copies[i].listed->get_docid();
    reader.describe(hit, *copies[i].listed);
  }
}

}  // namespace

Searcher::Searcher(const std::vector<std::string>& specs, schema::FieldTable fields)
    : fields_(std::move(fields)) {
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

Xapian::Query Searcher::parse_query(const std::string& text, bool match_any) {
  return QueryBuilder(db_, fields_).parse(text, match_any);
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

SearchResponse Searcher::search_once(const SearchRequest& request) {
  QueryBuilder builder(db_, fields_);
  const Xapian::Query typed = builder.typed(request);
  Boosts boosts(db_, request, prior_source(request.use_prior_order));
  const ScoredQuery ranked = ScoredQuery(builder.text(request, typed))
                                 .boosted(boosts.query())
                                 .filtered(builder.filters(request));
  Xapian::Enquire enquire = relevance_enquire(db_, ranked);
  set_result_order(enquire, request, fields_);
  std::optional<FacetCounter> facets;
  if (request.facets) facets.emplace(enquire, fields_);
  Xapian::MSet mset =
      enquire.get_mset(request.offset, request.limit, matches_to_check(request, db_));

  SearchResponse response;
  response.query = request.query;
  response.parsed = ranked.query().get_description();
  fill_totals(response, mset, request, enquire, db_);
  HitReader::Explain explain;
  if (request.explain)
    explain = [&boosts](auto& doc, double score) { return boosts.explain(doc, score); };
  HitReader reader(mset, request.snippet_chars, explain);
  std::vector<std::string> story_keys;
  response.hits = reader.read(story_keys);
  if (request.collapse_duplicates) {
    bool by_relevance = request.sort_by.empty();
    apply_story_copies(response.hits,
                       story_copies(db_, ranked, by_relevance, story_keys, response.hits), reader);
  }
  if (facets) {
    response.facets_counted = facets->counted();
    response.facets_exact = response.total_lower == response.total_upper &&
                            response.facets_counted >= response.total_upper;
    response.facets = facets->facets(request.facet_values);
  }
  response.suggestion = suggest(request, typed, mset);
  if (remote_ && request.suggest_spelling && !request.query.empty()) {
    response.notices.push_back(
        "no spelling suggestions: Xapian's remote backend does not serve spelling data, and "
        "some shards are remote (--no-spelling silences this)");
  }
  return response;
}

std::optional<SpellingSuggestion> Searcher::suggest(const SearchRequest& request,
                                                    const Xapian::Query& parsed,
                                                    const Xapian::MSet& mset) {
  if (!request.suggest_spelling || request.query.empty()) return std::nullopt;
  if (remote_) return std::nullopt;  // search_once() says so in a notice
  std::optional<std::string> corrected = spelling_correction(
      db_, QueryBuilder(db_, fields_), request.query, parsed, request.match_any);
  if (!corrected) return std::nullopt;
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
  alternative.query = *corrected;
  alternative.suggest_spelling = false;
  alternative.facets = false;
  alternative.offset = 0;
  alternative.limit = std::max<Xapian::doccount>(request.limit, 1);
  alternative.check_at_least = std::max(request.check_at_least, typed_at_most + 1);
  SearchResponse response = search_once(alternative);
  if (response.total_lower <= typed_at_most) return std::nullopt;
  return SpellingSuggestion{*corrected, response.total_estimate};
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

}  // namespace news
