#include "search/relevance.h"

#include "schema/schema.h"

namespace news {
namespace {

// b = 0: the lengths are in the wdfs already; k2 = 0 and k3 = 1 as Xapian's
// defaults. k1 is counted in wdf units (schema::kWdfScale per occurrence).
Xapian::BM25Weight relevance_weight() {
  return Xapian::BM25Weight(schema::kBm25K1 * schema::kWdfScale, 0, 1, 0,
                            schema::kBm25MinNormLength);
}

// The factor that turns relevance_weight()'s term-frequency part back into
// BM25's: (k1 + 1) / (k1 * S + 1), S = kWdfScale.
Xapian::Query relevance_scaled(const Xapian::Query& text) {
  return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, text,
                       (schema::kBm25K1 + 1) / (schema::kBm25K1 * schema::kWdfScale + 1));
}

}  // namespace

ScoredQuery::ScoredQuery(const Xapian::Query& text) : query_(relevance_scaled(text)) {}

ScoredQuery ScoredQuery::boosted(const Xapian::Query& boosts) const {
  if (boosts.empty()) return *this;
  return ScoredQuery(Wrapped{}, Xapian::Query(Xapian::Query::OP_AND_MAYBE, query_, boosts));
}

ScoredQuery ScoredQuery::filtered(const Xapian::Query& filter) const {
  if (filter.empty()) return *this;
  return ScoredQuery(Wrapped{}, Xapian::Query(Xapian::Query::OP_FILTER, query_, filter));
}

Xapian::Enquire relevance_enquire(const Xapian::Database& db, const ScoredQuery& query) {
  Xapian::Enquire enquire(db);
  enquire.set_query(query.query());
  enquire.set_weighting_scheme(relevance_weight());
  return enquire;
}

}  // namespace news
