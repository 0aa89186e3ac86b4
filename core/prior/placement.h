// Docid placement: the writer's side of prior order (prior_order.h).
//
// Contract: a new database (and each shard) is kept with its docids below
// kTailStart in non-increasing order of prior, so that a search can stop
// early and read a document's prior from its docid. DocidPlacement decides
// the docid of each document a writer adds: the next docid in order when its
// prior is no higher than the last placed there, else the next docid of the
// tail (from kTailStart, or the part's tail). It records what it placed in
// the order metadata at every commit. A database that is not in prior order
// (built by an older version, renumbered by another tool, or rebuilt) stays
// as it is: Xapian numbers its documents. Also here: the order a new
// database's files are taken in (highest peeked prior first) and the order
// of a database merged from two parts. docs/design.md, "Prior order".
#pragma once

#include <xapian.h>

#include <cstddef>
#include <limits>
#include <optional>
#include <vector>

#include "prior/prior_order.h"
#include "schema/schema.h"

namespace news::prior {

// The prior stored in a document (kPrior); 0 if none.
double prior_of(const Xapian::Document& doc);

// A part of a new database built in two parts side by side (build_plan.h):
// the docids it places in order start after `start`, its tail at
// `tail_start`, and the first prior it places in order is at most
// `highest_prior`.
struct PartPlan {
  Xapian::docid start = 0;
  Xapian::docid tail_start = prior::kTailStart;
  double highest_prior = std::numeric_limits<double>::infinity();
};

class DocidPlacement {
 public:
  // For `db`, about to be written: an empty one starts an order (as `part`
  // plans); one in order goes on with its recorded order, unless `rebuild`
  // (every document is written again, so the old order no longer holds).
  void begin(const Xapian::Database& db, bool rebuild, const PartPlan& part = {});

  // Whether the database is kept in prior order.
  bool in_order() const { return order_.has_value(); }
  // Whether a new version with `prior` of the document at `old_docid`, whose
  // prior was `old_prior`, keeps that docid (in order only).
  static bool keeps_docid(Xapian::docid old_docid, double old_prior, double prior);
  // The docid for a document with this prior (in order only).
  Xapian::docid place(double prior);
  // The next docid in the tail, whatever the prior (in order only).
  Xapian::docid place_in_tail() { return tail_next_++; }
  // Whether this writer placed `docid` in order (a document it wrote).
  bool placed(Xapian::docid docid) const { return docid < placed_.size() && placed_[docid]; }
  // The order as far as placed: recorded with the next commit.
  const std::optional<prior::PriorOrder>& order() const { return order_; }
  void record(Xapian::WritableDatabase& db) const { prior::write_prior_order(db, order_); }

 private:
  std::optional<prior::PriorOrder> order_;  // nullopt: not in order
  Xapian::docid tail_next_ = prior::kTailStart;
  std::vector<bool> placed_;  // by docid: placed in order by this writer
};

// The order in which a new database takes its files, given each file's
// peeked prior (-1: unknown): highest first, unknown last, ties as found.
// Returns indexes into `peeked`.
std::vector<std::size_t> highest_prior_first(const std::vector<double>& peeked);

// The order of a database merged from the two committed parts of a split
// build, `high` (docids from 1) and `low` (after the high part's); nullopt
// if either is not in order. A part that has committed nothing has placed
// nothing.
std::optional<prior::PriorOrder> merged_order(const Xapian::Database& high,
                                              const Xapian::Database& low);

}  // namespace news::prior
