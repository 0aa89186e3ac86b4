// The choice of the default blend's posting source (prior/blend_source.h),
// alone: local databases get PriorPostingSource; remote parts all in prior
// order get Xapian's serialisable DecreasingValueWeightPostingSource with a
// range_end right for every part; otherwise ValueWeightPostingSource. Each
// gives every document its stored prior.
#include <gtest/gtest.h>
#include <xapian.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "prior/blend_source.h"
#include "prior/prior_order.h"
#include "prior/prior_source.h"
#include "schema/schema.h"
#include "test_support.h"

namespace {

using news::prior::kTailStart;
using news::prior::OpenedDatabases;
using Weights = std::map<Xapian::docid, double>;

// Creates a database at `path` holding `priors` (docid: prior) and records
// its order: docids below kTailStart in order, the rest in the tail. `ordered`
// false: no record, as a database of schema 7 or older.
void create_database(const std::string& path, const Weights& priors, bool ordered = true) {
  Xapian::WritableDatabase db(path, Xapian::DB_CREATE);
  news::prior::PriorOrder order;
  for (const auto& [docid, prior] : priors) {
    Xapian::Document doc;
    doc.add_value(news::schema::kPrior, Xapian::sortable_serialise(prior));
    db.replace_document(docid, doc);
    if (docid < kTailStart) {
      EXPECT_EQ(order.append(prior), docid);
    }
  }
  if (ordered) news::prior::write_prior_order(db, order);
  db.commit();
}

const Weights kInOrder = {{1, 0.7}, {2, 0.7}, {3, 0.5}, {4, 0.3}};
const Weights kWithTail = {{1, 0.6}, {2, 0.4}, {kTailStart, 0.74}};

// The weight the source gives each document of `db`, read as a matcher would
// with no minimum weight.
Weights weights_of(Xapian::PostingSource& source, const Xapian::Database& db) {
  Weights out;
  source.init(db);
  for (source.next(0); !source.at_end(); source.next(0)) {
    out[source.get_docid()] = source.get_weight();
  }
  return out;
}

TEST(BlendSource, LocalDatabasesGetThePriorPostingSource) {
  auto source = news::prior::blend_source(OpenedDatabases{.remote = false}, true);
  EXPECT_NE(dynamic_cast<news::prior::PriorPostingSource*>(source.get()), nullptr);
  EXPECT_EQ(source->get_description().rfind("news::PriorPostingSource(", 0), 0u)
      << source->get_description();
  // Without the early stop: the plain source.
  auto plain = news::prior::blend_source(OpenedDatabases{.remote = false}, false);
  EXPECT_EQ(plain->name(), "Xapian::ValueWeightPostingSource");
}

TEST(BlendSource, RemotePartsInOrderGetADecreasingSourceThatTravels) {
  auto source = news::prior::blend_source({.remote = true, .remote_range_end = 41}, true);
  EXPECT_EQ(source->name(), "Xapian::DecreasingValueWeightPostingSource");
  auto* decreasing = dynamic_cast<Xapian::DecreasingValueWeightPostingSource*>(source.get());
  ASSERT_NE(decreasing, nullptr);
  EXPECT_EQ(decreasing->get_slot(), news::schema::kPrior);
  // Serialisable, as xapian-tcpsrv needs, with the range it was given: docids
  // 1 to 41 (the serialised form holds the slot and the range).
  const std::string sent = source->serialise();
  EXPECT_EQ(sent,
            Xapian::DecreasingValueWeightPostingSource(news::schema::kPrior, 1, 41).serialise());
  EXPECT_NE(sent,
            Xapian::DecreasingValueWeightPostingSource(news::schema::kPrior, 1, 40).serialise());
  std::unique_ptr<Xapian::PostingSource> received(source->unserialise(sent));
  EXPECT_EQ(received->serialise(), sent);
}

TEST(BlendSource, RemotePartsNotInOrderGetTheValueWeightSource) {
  for (bool use_prior_order : {true, false}) {
    auto source =
        news::prior::blend_source({.remote = true, .remote_range_end = 0}, use_prior_order);
    EXPECT_EQ(source->name(), "Xapian::ValueWeightPostingSource");
    auto* plain = dynamic_cast<Xapian::ValueWeightPostingSource*>(source.get());
    ASSERT_NE(plain, nullptr);
    EXPECT_EQ(plain->get_slot(), news::schema::kPrior);
  }
  auto source = news::prior::blend_source({.remote = true, .remote_range_end = 41}, false);
  EXPECT_EQ(source->name(), "Xapian::ValueWeightPostingSource");
}

TEST(BlendSource, TheRangeEndIsRightForEveryPart) {
  news::testing::TempDir dir;
  const std::string ordered = (dir / "ordered").string(), tailed = (dir / "tailed").string(),
                    unordered = (dir / "unordered").string();
  create_database(ordered, kInOrder);
  create_database(tailed, kWithTail);
  create_database(unordered, kInOrder, /*ordered=*/false);
  using news::prior::remote_range_end;
  Xapian::Database in_order(ordered), with_tail(tailed), not_in_order(unordered);
  EXPECT_EQ(remote_range_end({}), 0u);
  EXPECT_EQ(remote_range_end({in_order}), kTailStart - 1) << "no tail: the whole order";
  // A part with a tail: below its document count (3), whatever the others.
  EXPECT_EQ(remote_range_end({with_tail}), 2u);
  EXPECT_EQ(remote_range_end({in_order, with_tail}), 2u);
  EXPECT_EQ(remote_range_end({in_order, not_in_order}), 0u);
  // A union (a stub file's parts): its parts' orders cannot be read.
  Xapian::Database both;
  both.add_database(in_order);
  both.add_database(with_tail);
  EXPECT_EQ(remote_range_end({both}), 0u);
}

// Whichever source is chosen, every document weighs its stored prior.
TEST(BlendSource, EverySourceGivesEachDocumentItsStoredPrior) {
  news::testing::TempDir dir;
  for (const Weights& priors : {kInOrder, kWithTail}) {
    const std::string path = (dir / std::to_string(priors.size())).string();
    create_database(path, priors);
    Xapian::Database db(path);
    const Xapian::docid range_end = news::prior::remote_range_end({db});
    ASSERT_GT(range_end, 0u);
    for (const OpenedDatabases& opened :
         {OpenedDatabases{.remote = false},
          OpenedDatabases{.remote = true, .remote_range_end = range_end},
          OpenedDatabases{.remote = true, .remote_range_end = 0}}) {
      auto source = news::prior::blend_source(opened, true);
      SCOPED_TRACE(source->get_description());
      EXPECT_EQ(weights_of(*source, db), priors);
    }
  }
}

}  // namespace
