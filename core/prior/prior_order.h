// Prior order: the layout of a database's docids by the default blend (slot
// kPrior, schema.h), and its record in the database's metadata.
//
// A database (each shard) keeps its documents with docids below kTailStart in
// non-increasing order of kPrior, so that the default ranking can let the
// matcher stop once no later document can reach the page, and can tell a
// document's prior from its docid alone (prior_source.h). Documents that
// cannot be placed in order (added later with a higher prior) go to docids
// from kTailStart on, read in full. docs/design.md, "Prior order", gives the
// reasons.
//
// This file is the record's format and nothing else: a PriorOrder in memory,
// read from and written to a database's metadata, and the join of the orders
// of a split build's two parts. Where a writer places a document is the
// indexer's (index/), which source a search uses is blend_source.h's.
#pragma once

#include <xapian.h>

#include <cstddef>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

namespace news::prior {

// The first docid of the tail. One constant for every shard, so that one
// posting source serves them all (store/shards.h, SearchDatabases): 2^24
// documents per shard in order, and docids that stay below 2^32 when 64
// shards are interleaved.
inline constexpr Xapian::docid kTailStart = Xapian::docid(1) << 24;

// Metadata of a database kept in prior order: JSON {"end": last docid used
// below kTailStart, "floor": its prior, "covered": see PriorOrder, "last":
// get_lastdocid() at the commit, "start": see PriorOrder, only when not 0},
// and the steps under kMetaPriorSteps (12 bytes each: the first docid,
// big-endian, and the prior's IEEE 754 bits, big-endian). Absent: not in
// order. A "last" that differs from the database's means something else wrote
// it since (another tool): not trusted.
inline constexpr std::string_view kMetaOrder = "news:order";
inline constexpr std::string_view kMetaPriorSteps = "news:prior-steps";

// The most steps recorded: one per distinct prior among the ordered docids.
// It bounds the metadata every search reads (48 KiB); past it the prior is
// read from kPrior, still in order.
inline constexpr std::size_t kMaxPriorSteps = 4096;

struct PriorStep {
  Xapian::docid first;  // the first docid with this prior
  double prior;
  bool operator==(const PriorStep&) const = default;
};

struct PriorOrder {
  // 0 for a database. A part of a database built in two parts side by side
  // (a split build, index/indexer.h) whose docids follow the first part's: the
  // order starts after docid `start` (end and covered start there too, and so
  // do the steps).
  Xapian::docid start = 0;
  Xapian::docid end = 0;  // the last docid placed in order; 0 (start): none yet
  double floor = std::numeric_limits<double>::infinity();  // the prior placed at `end`
  // The prior of every docid from start + 1 to `covered` (<= end), as steps with
  // decreasing priors: a docid's prior is that of the last step at or before
  // it (for the docids in use; deleted ones are never asked for). Past
  // `covered` the prior is read from kPrior: a database ordered before steps
  // were recorded, or one with more than kMaxPriorSteps of them.
  std::vector<PriorStep> steps;
  Xapian::docid covered = 0;

  // Places a document with this prior (no higher than `floor`) at end + 1,
  // which must be below kTailStart, and returns that docid.
  Xapian::docid append(double prior);
};

// A single database's (one shard's) prior order, or nullopt when it is not in
// it. Steps that are malformed leave the order with none (covered = start).
std::optional<PriorOrder> read_prior_order(const Xapian::Database& db);

// Whether it is in prior order, without reading the steps.
bool in_prior_order(const Xapian::Database& db);

// Records `order` with the database's last docid (nullopt: not in order), for
// the next commit.
void write_prior_order(Xapian::WritableDatabase& db, const std::optional<PriorOrder>& order);

// The order of the union of two parts whose docids in order do not overlap:
// `low` starts where `high`'s planned docids end (low.start), and none of its
// priors is above any of `high`'s in order. nullopt if either is not in order.
// Up to `covered`, the steps are those of one database built in one go, cut
// at kMaxPriorSteps alike.
std::optional<PriorOrder> join_prior_orders(const std::optional<PriorOrder>& high,
                                            const std::optional<PriorOrder>& low);

}  // namespace news::prior
