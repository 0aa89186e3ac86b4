// Which posting source a search uses for the default blend (slot kPrior,
// schema.h), given the databases it opened (store/shards.h,
// open_search_databases).
//
// - Every part local: PriorPostingSource (prior_source.h), which reads each
//   shard's prior order from its own metadata and takes the prior from the
//   docid.
// - Some part remote (xapian-tcpsrv knows only Xapian's own, serialisable
//   sources) and every part in prior order: Xapian's
//   DecreasingValueWeightPostingSource over kPrior with a range_end that is
//   right for every part (remote_range_end), so the matcher still stops early.
// - Otherwise, or when the caller asks for no early stop: Xapian's
//   ValueWeightPostingSource over kPrior, which reads every value.
// All three give every document the same weight, sortable_unserialise(kPrior),
// so the results are the same whichever is chosen (docs/design.md, "Prior
// order").
#pragma once

#include <xapian.h>

#include <memory>
#include <vector>

namespace news::prior {

// The range_end of a DecreasingValueWeightPostingSource over kPrior that is
// right for every one of `parts` (each a database opened on its own: a shard,
// a remote database), or 0 when some part is not in prior order or is itself
// a union (a stub file's parts, whose orders cannot be read one by one).
// Xapian reads the documents after range_end in full only in a part with more
// than range_end documents, so the range ends below the document count of
// every part that has a tail. Reads each part's metadata: called once, when
// the databases are opened.
Xapian::docid remote_range_end(const std::vector<Xapian::Database>& parts);

// What the choice needs to know of the opened databases.
struct OpenedDatabases {
  bool remote = false;                 // some part is served remotely
  Xapian::docid remote_range_end = 0;  // remote_range_end() of the parts; 0: not all in order
};

// A new posting source for the default blend over `opened`; with
// use_prior_order false, the plain one whatever the order.
std::unique_ptr<Xapian::PostingSource> blend_source(const OpenedDatabases& opened,
                                                    bool use_prior_order);

}  // namespace news::prior
