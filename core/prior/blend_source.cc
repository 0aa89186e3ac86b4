#include "prior/blend_source.h"

#include <algorithm>

#include "prior/prior_order.h"
#include "prior/prior_source.h"
#include "schema/schema.h"

namespace news::prior {

Xapian::docid remote_range_end(const std::vector<Xapian::Database>& parts) {
  Xapian::docid end = parts.empty() ? 0 : kTailStart - 1;
  for (const auto& part : parts) {
    if (part.size() != 1 || !in_prior_order(part)) return 0;
    if (part.get_lastdocid() >= kTailStart) {
      end = std::min<Xapian::docid>(end, part.get_doccount() - 1);
    }
  }
  return end;
}

std::unique_ptr<Xapian::PostingSource> blend_source(const OpenedDatabases& opened,
                                                    bool use_prior_order) {
  if (use_prior_order && !opened.remote) return std::make_unique<PriorPostingSource>();
  if (use_prior_order && opened.remote_range_end > 0) {
    return std::make_unique<Xapian::DecreasingValueWeightPostingSource>(schema::kPrior, 1,
                                                                        opened.remote_range_end);
  }
  return std::make_unique<Xapian::ValueWeightPostingSource>(schema::kPrior);
}

}  // namespace news::prior
