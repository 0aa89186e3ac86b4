#include "search/totals.h"

namespace news {

void fill_totals(SearchResponse& response, const Xapian::MSet& mset, const SearchRequest& request,
                 const Xapian::Enquire& enquire, const Xapian::Database& db) {
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
    Xapian::doccount total = enquire.get_mset(0, db.get_doccount()).size();
    response.total_estimate = response.total_lower = response.total_upper = total;
  }
}

}  // namespace news
