// Totals: how many documents match, as an estimate with bounds, made exact
// when the page shows the last match or --count asked for it. docs/design.md,
// "Search as parts".
#pragma once

#include <xapian.h>

#include "search/request.h"

namespace news {

// Sets response's total_estimate, total_lower and total_upper for `mset`,
// the page `request` asked of `enquire`; with request.exact_count, counts
// every collapsed match when the bounds differ.
void fill_totals(SearchResponse& response, const Xapian::MSet& mset, const SearchRequest& request,
                 const Xapian::Enquire& enquire, const Xapian::Database& db);

}  // namespace news
