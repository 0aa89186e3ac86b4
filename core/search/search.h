// Searching a news database: the Searcher opens the databases and composes
// the search parts (building the query, the ranking, totals, hits, story
// copies, facets, spelling; each in its own file) into one search.
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
#include "search/query_builder.h"
#include "search/request.h"

namespace news {

// Owns an open database: one, or the union of several (shards.h). Results
// do not depend on how the documents are split: equal scores are ordered by
// story key (by document id with collapsing off), never by Xapian's docids,
// and a story is listed by its best-scoring copy with the smallest id.
// Thread-compatible, not thread-safe.
class Searcher {
 public:
  // `specs`: database folders, stub files and tcp://HOST:PORT shard servers,
  // searched as one. Throws Error(kNoDatabase) when there is no database at a
  // path (an empty path or an empty folder included), Error(kDatabase) when
  // one cannot be opened (a folder without a database, a stub file listing
  // none) or a server reached.
  // `fields`: the field table the databases were built with (fields.h).
  explicit Searcher(const std::vector<std::string>& specs,
                    schema::FieldTable fields = schema::FieldTable::standard());
  explicit Searcher(const std::string& db_path) : Searcher(std::vector<std::string>{db_path}) {}

  // Throws Error(kBadQuery) for a query or filter that cannot be parsed (a
  // filter or sort on a field the table lacks or that does not support it), a
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
  // One search, without the retry over a database that changed meanwhile:
  // a composition of the parts (query_builder.h, boosts.h, relevance.h,
  // totals.h, hits.h, story_copies.h, facets.h, spelling.h).
  SearchResponse search_once(const SearchRequest& request);
  // Adds a notice when the database is empty because its first build, in
  // two parts (indexer.h), has not merged them into it yet.
  void note_unmerged_first_build(SearchResponse& response);
  // The specs, for messages.
  std::string specs_text() const;
  // The corrected query when it finds more than the typed one (`parsed`,
  // whose page was `mset`).
  std::optional<SpellingSuggestion> suggest(const SearchRequest& request,
                                            const Xapian::Query& parsed, const Xapian::MSet& mset);
  // A new posting source for the default blend, the fastest this database allows.
  std::unique_ptr<Xapian::PostingSource> prior_source(bool use_prior_order) const;

  std::vector<std::string> specs_;     // as given
  bool remote_ = false;                // some shards are served remotely: no spelling data
  Xapian::docid prior_range_end_ = 0;  // prior order (shards.h, SearchDatabases)
  Xapian::Database db_;
  schema::FieldTable fields_;
};

}  // namespace news
