// The build plan: which databases a run writes, where each change goes, and
// when a first build is split.
//
// Contract: a run writes the database at the path as it is laid out (one
// database, or the shards it was built with; a new one as many shards as
// asked). A large new database that is not sharded may instead be built in
// two parts side by side (a "split first build", in the folder DB.parts),
// each with a writer of its own, and merged at the end (parts_merge.h): the
// files are taken highest peeked prior first, the high part takes the first
// half and the low part the rest, interleaved so that both writers work all
// along. A change goes to its file's shard; in a split build, a document of
// the high half that cannot be placed in order there goes to the low part's
// tail instead (ChangeRouter). docs/design.md, "Split first builds".
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "index/indexer.h"
#include "index/scanner.h"
#include "prior/placement.h"
#include "store/shards.h"

namespace news {

// The layout the run writes: the one at the path, or a new one with the
// shards asked for. Throws Error(kConfig) for a remote spec, or for a shard
// count other than the existing database's: moving documents between shards
// is a new build.
Layout decide_layout(const IndexOptions& options);

// Whether a new database of `files` files is large enough, and the run
// able, to be built in two parts: not sharded, not a rebuild, two threads or
// more, at least IndexOptions::split_from files, and few enough for the
// order of one database.
bool wants_split_build(std::size_t files, unsigned shards, bool rebuild, unsigned threads,
                       std::size_t split_from);

// The most disk a split build of files holding `input_bytes` takes at once
// (both parts, then the merged database beside them), with a margin
// (bench/DISK-SPACE.md).
std::uintmax_t split_build_peak_bytes(std::uintmax_t input_bytes);

// Whether the disk of `db_path` has room for a split build's peak; if not,
// the observer is told that the build is done in one go. Unknown: yes.
bool split_fits_on_disk(const std::string& db_path, std::uintmax_t input_bytes,
                        IndexObserver& observer);

// Orders a new database's files highest prior first (highest_prior_first),
// as a quick read of each says (peek_prior, kept in InputFile::peeked_prior),
// so that nearly every document lands in prior order; unreadable and unclear
// files last. Reads on up to kDiskThreads threads, until `stop` is set.
// Returns the bytes the files hold. Throws Error(kSystem) when memory runs out.
std::uintmax_t order_by_peeked_prior(std::vector<InputFile>& files, unsigned threads,
                                     const std::atomic<int>* stop);

// The low part's plan for a split of `files`, taken highest peeked prior
// first: the high part takes the first half, the low part the rest, its
// docids after the high half's. nullopt when the high half's lowest prior is
// unknown (mostly unclear files: one database).
std::optional<prior::PartPlan> plan_low_part(const std::vector<InputFile>& files);

// Deals `files` to the parts as `low_part` plans (shard 0: the high part, 1:
// the low part), one from each half in turn, so that both writers work all
// along; each still gets its own files in prior order.
void interleave_parts(std::vector<InputFile>& files, const prior::PartPlan& low_part);

// "12 MiB", rounded up.
std::string mebibytes(std::uintmax_t bytes);

// Where each new document goes.
class ChangeRouter {
 public:
  // `split`: a split build, whose low part's plan is `low_part`.
  explicit ChangeRouter(std::optional<prior::PartPlan> low_part = std::nullopt);

  struct Route {
    unsigned database;  // the shard, or the part
    bool to_tail;       // placed in that database's tail, whatever its prior
  };
  // A document with `prior` of `file`. A document whose prior is below what
  // the peek at its file said (the peek misread it) goes to the tail: placed
  // in order it would lower the floor below the next files' priors and send
  // all of them to the tail. In a split build the high part places every
  // document in order, so that its docids stay below the low part's: a
  // document of its half whose prior does not fit there goes to the low
  // part's tail. This follows prior::DocidPlacement::place over the same documents
  // in the same order.
  Route route(const InputFile& file, double prior);

 private:
  bool split_ = false;
  double high_part_last_prior_ = std::numeric_limits<double>::infinity();
  double high_part_lowest_prior_ = 0;  // the lowest prior the high half peeked
};

}  // namespace news
