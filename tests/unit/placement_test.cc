// Docid placement (core/prior/placement.h) alone, on in-memory databases.
#include "prior/placement.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <string>
#include <vector>

#include "index_support.h"
#include "schema/schema.h"
#include "test_support.h"

namespace {

using news::prior::kTailStart;

Xapian::WritableDatabase in_memory() {
  return Xapian::WritableDatabase(std::string(), Xapian::DB_BACKEND_INMEMORY);
}

TEST(Placement, PlacesDocidsInNonIncreasingPriorAndTheRestInTheTail) {
  Xapian::WritableDatabase db = in_memory();
  news::prior::DocidPlacement placement;
  placement.begin(db, /*rebuild=*/false);
  ASSERT_TRUE(placement.in_order());
  EXPECT_EQ(placement.place(0.9), 1u);
  EXPECT_EQ(placement.place(0.9), 2u);
  EXPECT_EQ(placement.place(0.5), 3u);
  EXPECT_EQ(placement.place(0.7), kTailStart);  // above the last placed: the tail
  EXPECT_EQ(placement.place(0.4), 4u);
  EXPECT_EQ(placement.place_in_tail(), kTailStart + 1);
  EXPECT_TRUE(placement.placed(3));
  EXPECT_FALSE(placement.placed(kTailStart));
  EXPECT_FALSE(placement.placed(5));
  EXPECT_EQ(placement.order()->end, 4u);
  EXPECT_EQ(placement.order()->floor, 0.4);
}

TEST(Placement, TheTailStartsPastTheLastDocidEverUsed) {
  // On disk: the in-memory backend allocates every docid up to the last.
  news::testing::TempDir dir;
  Xapian::WritableDatabase db((dir / "db").string(), Xapian::DB_CREATE);
  db.replace_document(kTailStart + 5, news::testing::plain_document("old.md", 0.5));
  db.delete_document(kTailStart + 5);
  news::prior::DocidPlacement placement;
  placement.begin(db, false);
  EXPECT_EQ(placement.place(1.0), 1u);
  EXPECT_EQ(placement.place(2.0), kTailStart + 6);
}

TEST(Placement, APartPlacesAfterItsStartBelowItsHighestPrior) {
  Xapian::WritableDatabase db = in_memory();
  news::prior::DocidPlacement placement;
  placement.begin(db, false, {10, kTailStart, 0.5});
  EXPECT_EQ(placement.place(0.6), kTailStart);
  EXPECT_EQ(placement.place(0.5), 11u);
  EXPECT_EQ(placement.order()->start, 10u);
}

TEST(Placement, WhatIsPlacedIsRecordedAndReadBack) {
  Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
  news::prior::DocidPlacement placement;
  placement.begin(db, false);
  for (double prior : {0.9, 0.8, 0.8}) {
    db.replace_document(placement.place(prior), news::testing::plain_document("x", prior));
  }
  placement.record(db);
  db.commit();
  auto order = news::prior::read_prior_order(db);
  ASSERT_TRUE(order);
  EXPECT_EQ(order->end, 3u);
  ASSERT_EQ(order->steps.size(), 2u);
  EXPECT_EQ(order->steps[1], (news::prior::PriorStep{2, 0.8}));
  // A later writer goes on with the recorded order.
  news::prior::DocidPlacement later;
  later.begin(db, false);
  EXPECT_EQ(later.place(0.8), 4u);
  // A rebuild does not: Xapian numbers its documents.
  news::prior::DocidPlacement rebuild;
  rebuild.begin(db, true);
  EXPECT_FALSE(rebuild.in_order());
}

TEST(Placement, ANewVersionKeepsItsDocidInTheTailOrWithTheSamePrior) {
  EXPECT_TRUE(news::prior::DocidPlacement::keeps_docid(3, 0.5, 0.5));
  EXPECT_FALSE(news::prior::DocidPlacement::keeps_docid(3, 0.5, 0.6));
  EXPECT_TRUE(news::prior::DocidPlacement::keeps_docid(kTailStart, 0.5, 0.9));
}

TEST(Placement, FilesAreTakenHighestPeekedPriorFirstUnknownLast) {
  EXPECT_EQ(news::prior::highest_prior_first({0.2, -1, 0.9, 0.2, 0.5}),
            (std::vector<std::size_t>{2, 4, 0, 3, 1}));
}

TEST(Placement, PriorOfAStoredDocument) {
  EXPECT_EQ(news::prior::prior_of(news::testing::plain_document("a", 0.25)), 0.25);
  EXPECT_EQ(news::prior::prior_of(Xapian::Document()), 0.0);
}

TEST(Placement, TheOrderOfTwoMergedPartsJoinsThem) {
  Xapian::WritableDatabase high = in_memory(), low = in_memory();
  news::prior::DocidPlacement high_placement, low_placement;
  high_placement.begin(high, false);
  low_placement.begin(low, false, {2, kTailStart, 0.5});
  for (double prior : {0.9, 0.5}) {
    high.replace_document(high_placement.place(prior), news::testing::plain_document("h", prior));
  }
  low.replace_document(low_placement.place(0.4), news::testing::plain_document("l", 0.4));
  high_placement.record(high);
  low_placement.record(low);
  high.commit();
  low.commit();
  auto merged = news::prior::merged_order(high, low);
  ASSERT_TRUE(merged);
  EXPECT_EQ(merged->end, 3u);
  EXPECT_EQ(merged->floor, 0.4);
  // A part that committed nothing placed nothing.
  Xapian::WritableDatabase empty = in_memory();
  auto alone = news::prior::merged_order(high, empty);
  ASSERT_TRUE(alone);
  EXPECT_EQ(alone->end, 2u);
}

}  // namespace
