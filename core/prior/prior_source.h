// The default blend (slot kPrior, schema.h) as a Xapian posting source that
// reads a database kept in prior order cheaply.
//
// Gives every document the weight sortable_unserialise(kPrior), as Xapian's
// ValueWeightPostingSource over kPrior does, with two differences that make
// it faster on a database in prior order (prior_order.h):
// - up to the order's `covered` docid the prior comes from the order's steps
//   (walked forward with the docid), not from the value stream, whose chunks
//   Xapian decodes entry by entry;
// - over the ordered docids its maximum weight falls with the docid, so the
//   matcher stops once no later document can reach the page, and it skips
//   past them once their prior cannot help any more (as Xapian's
//   DecreasingValueWeightPostingSource does); the tail is read in full.
// On a database not in order it reads every value, like
// ValueWeightPostingSource. Each shard of a union gets its own clone,
// initialised from that shard's metadata. docs/design.md, "Prior order", says
// why.
//
// Contract: use it only where another subquery decides what matches (the
// right side of OP_AND_MAYBE, as search.cc does). Inside the covered range it
// yields every docid, including those of deleted documents, and counts on the
// other side never to match them. It is not serialisable: remote shards
// (xapian-tcpsrv) get Xapian's built-in sources instead (blend_source.h).
#pragma once

#include <xapian.h>

#include <string>
#include <vector>

#include "prior/prior_order.h"

namespace news::prior {

class PriorPostingSource : public Xapian::PostingSource {
 public:
  PriorPostingSource() = default;

  PriorPostingSource* clone() const override { return new PriorPostingSource; }
  void init(const Xapian::Database& db) override;

  Xapian::doccount get_termfreq_min() const override { return 0; }
  Xapian::doccount get_termfreq_est() const override { return termfreq_; }
  Xapian::doccount get_termfreq_max() const override { return termfreq_; }

  void next(double min_wt) override;
  void skip_to(Xapian::docid did, double min_wt) override;
  bool check(Xapian::docid did, double min_wt) override;
  bool at_end() const override { return at_end_; }
  Xapian::docid get_docid() const override;
  double get_weight() const override;
  std::string get_description() const override;

 private:
  // Moves to `did` (or on, to where a weight of min_wt is possible) while
  // inside the steps; then on into the values.
  void move_to(Xapian::docid did, double min_wt);
  // In the value stream: one entry on (`step`) or to `did`; then settle().
  void move_in_values(Xapian::docid did, double min_wt, bool step);
  // At a value: past the ordered ones once they cannot reach min_wt, and to
  // the end once the tail cannot either.
  void settle(double min_wt);
  // Tells the matcher the most any document from here on can weigh, given
  // the most an ordered one can (`ordered`), when that changes.
  void show_max(double ordered);
  void finish() { at_end_ = true; }

  Xapian::Database db_;
  std::vector<PriorStep> steps_;
  Xapian::docid covered_ = 0;  // steps_ give the prior of docids 1..covered_
  Xapian::docid end_ = 0;      // docids up to end_ are in order (0: none)
  double tail_bound_ = 0;      // no docid past end_ weighs more (0: none there)
  double shown_max_ = -1;
  Xapian::doccount termfreq_ = 0;
  std::size_t step_ = 0;  // the step holding did_ (while not in the values)
  Xapian::docid did_ = 0;
  bool at_end_ = false, in_values_ = false;
  Xapian::ValueIterator value_, value_end_;
};

}  // namespace news::prior
