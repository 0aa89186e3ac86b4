// The one way to score documents by relevance: BM25 over the wdfs that the
// indexer scaled by each document's length (schema.h, "Relevance"). The
// scores come out right only when the Enquire uses the matching weighting
// scheme AND the text query carries the factor that undoes its k1 scaling;
// a ScoredQuery carries that factor from its construction, and
// relevance_enquire() is the only place that sets the scheme, so no caller
// can forget either half. docs/design.md, "Ranking with stored lengths".
#pragma once

#include <xapian.h>

namespace news {

// A query whose text part is scored as BM25. Boosts and filters may be added
// around it; they never change the text part's weights.
class ScoredQuery {
 public:
  // `text`: a parsed text query (words, phrases, field terms).
  explicit ScoredQuery(const Xapian::Query& text);

  // OP_AND_MAYBE of this and `boosts` (an empty Query: this, unchanged).
  ScoredQuery boosted(const Xapian::Query& boosts) const;
  // OP_FILTER of this by `filter` (an empty Query: this, unchanged).
  ScoredQuery filtered(const Xapian::Query& filter) const;

  const Xapian::Query& query() const { return query_; }

 private:
  struct Wrapped {};
  ScoredQuery(Wrapped, Xapian::Query query) : query_(std::move(query)) {}
  Xapian::Query query_;
};

// An Enquire over `db` for `query`, weighted by the stored-length BM25.
Xapian::Enquire relevance_enquire(const Xapian::Database& db, const ScoredQuery& query);

}  // namespace news
