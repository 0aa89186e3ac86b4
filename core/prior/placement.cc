#include "prior/placement.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace news::prior {

double prior_of(const Xapian::Document& doc) {
  std::string value = doc.get_value(schema::kPrior);
  return value.empty() ? 0.0 : Xapian::sortable_unserialise(value);
}

void DocidPlacement::begin(const Xapian::Database& db, bool rebuild, const PartPlan& part) {
  tail_next_ = std::max<Xapian::docid>(part.tail_start, db.get_lastdocid() + 1);
  order_.reset();
  if (db.get_doccount() == 0) {
    order_ = prior::PriorOrder{};
    order_->start = order_->end = order_->covered = part.start;
    order_->floor = part.highest_prior;
  } else if (!rebuild) {
    order_ = prior::read_prior_order(db);
  }
}

bool DocidPlacement::keeps_docid(Xapian::docid old_docid, double old_prior, double prior) {
  return old_docid >= prior::kTailStart || old_prior == prior;
}

Xapian::docid DocidPlacement::place(double prior) {
  Xapian::docid next = order_->end + 1;
  if (next < prior::kTailStart && prior <= order_->floor) {
    if (next >= placed_.size()) placed_.resize(std::max<std::size_t>(next + 1, 2 * placed_.size()));
    placed_[next] = true;
    return order_->append(prior);
  }
  return tail_next_++;
}

std::vector<std::size_t> highest_prior_first(const std::vector<double>& peeked) {
  std::vector<std::size_t> order(peeked.size());
  std::iota(order.begin(), order.end(), std::size_t(0));
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return peeked[a] > peeked[b]; });
  return order;
}

std::optional<prior::PriorOrder> merged_order(const Xapian::Database& high,
                                              const Xapian::Database& low) {
  auto order_of = [](const Xapian::Database& part) {
    return part.get_doccount() == 0 ? prior::PriorOrder{} : prior::read_prior_order(part);
  };
  return prior::join_prior_orders(order_of(high), order_of(low));
}

}  // namespace news::prior
