// The ranking blend added to the text query's BM25: quality, heat (or the
// default blend stored whole, read by the prior posting source) and, with a
// half-life, freshness; and the same arithmetic split into a score's parts for
// --explain. search.h states the ranking; docs/design.md, "Ranking".
#pragma once

#include <xapian.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "search/request.h"

namespace news {

class Boosts {
 public:
  // `prior`: the default blend's posting source (Searcher::prior_source).
  Boosts(const Xapian::Database& db, const SearchRequest& request,
         std::unique_ptr<Xapian::PostingSource> prior);

  // The boosts as one query to add to the text query with OP_AND_MAYBE
  // (ScoredQuery::boosted), or an empty Query when every weight is 0. Hands
  // its posting sources over to the query: call it once.
  Xapian::Query query();

  // The parts of `score`, a hit's weight under query(): what each boost gave
  // `doc`, and the rest as relevance.
  ScoreParts explain(const Xapian::Document& doc, double score) const;

 private:
  RankingWeights weights_;
  std::unique_ptr<Xapian::PostingSource> prior_;
  std::unique_ptr<Xapian::ValueMapPostingSource> freshness_;
  std::unordered_map<std::string, double> decay_;
};

}  // namespace news
