#include "prior/prior_source.h"

#include <algorithm>
#include <utility>

#include "schema/schema.h"

namespace news::prior {

void PriorPostingSource::init(const Xapian::Database& db) {
  db_ = db;
  steps_.clear();
  covered_ = end_ = 0;
  step_ = 0;
  did_ = 0;
  at_end_ = in_values_ = false;
  shown_max_ = -1;
  termfreq_ = db.get_value_freq(schema::kPrior);
  std::string highest = db.get_value_upper_bound(schema::kPrior);
  const double upper = highest.empty() ? 0.0 : Xapian::sortable_unserialise(highest);
  tail_bound_ = upper;
  if (auto order = read_prior_order(db)) {
    end_ = order->end;
    covered_ = order->covered;
    steps_ = std::move(order->steps);
    if (db.get_lastdocid() <= end_) tail_bound_ = 0;  // no tail
  }
  // The first ordered docid weighs the most of them; unknown past the steps.
  show_max(covered_ > 0 ? steps_.front().prior : upper);
}

void PriorPostingSource::show_max(double ordered) {
  double max = std::max(ordered, tail_bound_);
  if (max != shown_max_) set_maxweight(shown_max_ = max);
}

void PriorPostingSource::move_to(Xapian::docid did, double min_wt) {
  if (did <= covered_) {
    while (step_ + 1 < steps_.size() && steps_[step_ + 1].first <= did) ++step_;
    double weight = steps_[step_].prior;
    if (weight >= min_wt) {
      did_ = did;
      return show_max(weight);
    }
    // No ordered docid from here on can reach min_wt: on to the tail.
    did = end_ + 1;
  }
  move_in_values(did, min_wt, /*step=*/false);
}

void PriorPostingSource::move_in_values(Xapian::docid did, double min_wt, bool step) {
  if (!in_values_) {
    in_values_ = true;
    value_ = db_.valuestream_begin(schema::kPrior);
    value_end_ = db_.valuestream_end(schema::kPrior);
  }
  if (value_ == value_end_) return finish();
  if (step) {
    ++value_;
  } else {
    value_.skip_to(did);
  }
  settle(min_wt);
}

void PriorPostingSource::settle(double min_wt) {
  if (value_ == value_end_) return finish();
  if (value_.get_docid() <= end_) {  // ordered, not covered by the steps
    double weight = Xapian::sortable_unserialise(*value_);
    if (weight >= min_wt) return show_max(weight);
    value_.skip_to(end_ + 1);
    if (value_ == value_end_) return finish();
  }
  show_max(0);
  if (tail_bound_ < min_wt) finish();
}

void PriorPostingSource::next(double min_wt) {
  if (at_end_) return;
  if (!in_values_) return move_to(did_ + 1, min_wt);
  move_in_values(0, min_wt, /*step=*/true);
}

void PriorPostingSource::skip_to(Xapian::docid did, double min_wt) {
  if (at_end_) return;
  if (!in_values_) return move_to(std::max(did, did_), min_wt);
  move_in_values(did, min_wt, /*step=*/false);
}

bool PriorPostingSource::check(Xapian::docid did, double min_wt) {
  if (at_end_ || did <= covered_ || !in_values_) {
    skip_to(did, min_wt);
    return true;
  }
  // Past the steps, as ValuePostingSource does: false leaves the position
  // unspecified, and the next move (skip_to, next) starts from `did`.
  if (!value_.check(did)) {
    if (value_ == value_end_) finish();
    return at_end_;
  }
  settle(min_wt);
  return true;
}

double PriorPostingSource::get_weight() const {
  if (!in_values_) return steps_[step_].prior;
  return Xapian::sortable_unserialise(*value_);
}

Xapian::docid PriorPostingSource::get_docid() const {
  return in_values_ ? value_.get_docid() : did_;
}

std::string PriorPostingSource::get_description() const {
  return "news::PriorPostingSource(slot " + std::to_string(schema::kPrior) + ", " +
         std::to_string(steps_.size()) + " steps to docid " + std::to_string(covered_) +
         ", in order to " + std::to_string(end_) + ")";
}

}  // namespace news::prior
