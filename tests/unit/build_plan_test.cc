// The build plan (core/index/build_plan.h) and the finishing of a split
// build (parts_merge.h), without a whole run.
#include "index/build_plan.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "index/parts_merge.h"
#include "index/writer.h"
#include "index_support.h"
#include "schema/schema.h"
#include "store/db_folder.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

using news::prior::kTailStart;

std::vector<news::InputFile> files_with_priors(const std::vector<double>& priors) {
  std::vector<news::InputFile> files;
  for (std::size_t i = 0; i < priors.size(); ++i) {
    files.push_back({"f" + std::to_string(i), "f" + std::to_string(i), nullptr, 0, priors[i]});
  }
  return files;
}

TEST(BuildPlan, ASplitNeedsALargeNewUnshardedBuildOnTwoThreads) {
  EXPECT_TRUE(news::wants_split_build(100, 1, false, 2, 100));
  EXPECT_FALSE(news::wants_split_build(99, 1, false, 2, 100));          // too few files
  EXPECT_FALSE(news::wants_split_build(100, 2, false, 2, 100));         // sharded
  EXPECT_FALSE(news::wants_split_build(100, 1, true, 2, 100));          // a rebuild
  EXPECT_FALSE(news::wants_split_build(100, 1, false, 1, 100));         // one thread
  EXPECT_FALSE(news::wants_split_build(100, 1, false, 2, 0));           // never
  EXPECT_FALSE(news::wants_split_build(kTailStart, 1, false, 2, 100));  // past one order
}

TEST(BuildPlan, TheLowPartStartsAfterTheHighHalf) {
  auto plan = news::plan_low_part(files_with_priors({0.9, 0.8, 0.7, 0.6, 0.5}));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->start, 3u);
  EXPECT_EQ(plan->highest_prior, 0.7);
  EXPECT_EQ(plan->tail_start, kTailStart);
  // The high half ends in files whose prior is unknown: no split.
  EXPECT_FALSE(news::plan_low_part(files_with_priors({0.9, -1, -1})));
}

TEST(BuildPlan, ThePartsTakeTheirFilesInTurns) {
  auto files = files_with_priors({0.9, 0.8, 0.7, 0.6, 0.5});
  news::interleave_parts(files, *news::plan_low_part(files));
  std::vector<std::string> ids;
  std::vector<unsigned> parts;
  for (const auto& file : files) {
    ids.push_back(file.id);
    parts.push_back(file.shard);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"f0", "f3", "f1", "f4", "f2"}));
  EXPECT_EQ(parts, (std::vector<unsigned>{0, 1, 0, 1, 0}));
}

TEST(BuildPlan, AChangeGoesToItsShardAndAMisreadPriorToTheTail) {
  news::ChangeRouter router;
  news::InputFile file{"a", "a", nullptr, 2, 0.5};
  auto route = router.route(file, 0.5);
  EXPECT_EQ(route.database, 2u);
  EXPECT_FALSE(route.to_tail);
  route = router.route(file, 0.4);  // below what the peek said
  EXPECT_EQ(route.database, 2u);
  EXPECT_TRUE(route.to_tail);
}

TEST(BuildPlan, InASplitBuildWhatTheHighPartCannotPlaceGoesToTheLowPartsTail) {
  news::ChangeRouter router(news::prior::PartPlan{3, kTailStart, 0.5});
  news::InputFile high{"h", "h", nullptr, 0, -1}, low{"l", "l", nullptr, 1, -1};
  EXPECT_EQ(router.route(high, 0.8).database, 0u);
  EXPECT_EQ(router.route(low, 0.3).database, 1u);
  auto above = router.route(high, 0.9);  // above the high part's last prior
  EXPECT_EQ(above.database, 1u);
  EXPECT_TRUE(above.to_tail);
  auto below = router.route(high, 0.4);  // below the high half's lowest
  EXPECT_EQ(below.database, 1u);
  EXPECT_TRUE(below.to_tail);
  EXPECT_EQ(router.route(high, 0.6).database, 0u);
  EXPECT_FALSE(router.route(low, 0.3).to_tail);
}

TEST(BuildPlan, ANewDatabaseGetsTheShardsAskedAndAnOldOneKeepsItsOwn) {
  news::testing::TempDir dir;
  news::IndexOptions options;
  options.db_path = (dir / "db").string();
  EXPECT_EQ(news::decide_layout(options).shards, 1u);
  options.shards = 3;
  EXPECT_EQ(news::decide_layout(options).paths.size(), 3u);
  Xapian::WritableDatabase(options.db_path, Xapian::DB_CREATE_OR_OPEN).close();
  try {
    news::decide_layout(options);
    FAIL() << "a one-shard database was split";
  } catch (const news::Error& e) {
    EXPECT_EQ(e.kind(), news::Error::Kind::kConfig);
  }
  options.db_path = "tcp://localhost:1";
  EXPECT_THROW(news::decide_layout(options), news::Error);
}

TEST(BuildPlan, ASplitBuildIsPlannedWithinTheDiskAndItsPeak) {
  EXPECT_GT(news::split_build_peak_bytes(1000), 4400u);
  EXPECT_EQ(news::mebibytes(1), "1 MiB");
  EXPECT_EQ(news::mebibytes(3u << 20), "3 MiB");
  news::testing::TempDir dir;
  news::testing::RecordingObserver observer;
  EXPECT_TRUE(news::split_fits_on_disk((dir / "db").string(), 1000, observer));
  EXPECT_FALSE(news::split_fits_on_disk((dir / "db").string(),
                                        std::numeric_limits<std::uintmax_t>::max() / 8, observer));
  ASSERT_EQ(observer.warnings.size(), 1u);
  EXPECT_CONTAINS(observer.warnings[0], "built in one go");
}

// The parts of a split build, written by DatabaseWriters as a run would.
class PartsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.db_path = (dir_ / "db").string();
    Xapian::WritableDatabase(options_.db_path, Xapian::DB_CREATE_OR_OPEN).close();
    news::create_parts_folder(parts(), options_.db_path);
  }
  fs::path parts() const { return dir_ / "db.parts"; }
  void write_part(const std::string& name, const news::prior::PartPlan& plan,
                  const std::vector<std::pair<std::string, double>>& documents) {
    news::DatabaseWriter writer((parts() / name).string(), options_, observer_);
    writer.plan_part(plan);
    writer.begin();
    for (const auto& [id, prior] : documents) {
      writer.put(news::testing::plain_document(id, prior, {"word"}));
    }
    writer.finish({});
  }
  void write_both_parts() {
    write_part("0", {}, {{"a", 0.9}, {"b", 0.8}});
    write_part("1", {2, kTailStart, 0.8}, {{"c", 0.7}, {"d", 0.95}});
  }

  news::testing::TempDir dir_;
  news::IndexOptions options_;
  news::testing::RecordingObserver observer_;
};

TEST_F(PartsTest, MergingPutsOneDatabaseInOrderInPlace) {
  write_both_parts();
  news::merge_parts(options_.db_path, parts());
  Xapian::Database db(options_.db_path);
  EXPECT_EQ(db.get_doccount(), 4u);
  EXPECT_EQ(db.get_document(3).get_value(news::schema::kId), "c");
  EXPECT_EQ(db.get_document(kTailStart).get_value(news::schema::kId), "d");
  auto checkpoint = nlohmann::json::parse(db.get_metadata(news::kCheckpointKey));
  EXPECT_EQ(checkpoint["commits"], 3);  // one per part, and the merge's
  EXPECT_EQ(checkpoint["documents"], 4);
  auto order = news::prior::read_prior_order(db);
  ASSERT_TRUE(order);
  EXPECT_EQ(order->end, 3u);
  news::remove_parts(parts(), observer_);
  EXPECT_FALSE(fs::exists(parts()));
}

TEST_F(PartsTest, TheCommittedPartsOfACutShortBuildAreSettledBeforeARun) {
  write_both_parts();
  news::settle_parts(options_, observer_);
  EXPECT_EQ(Xapian::Database(options_.db_path).get_doccount(), 4u);
  EXPECT_FALSE(fs::exists(parts()));
  ASSERT_EQ(observer_.warnings.size(), 1u);
  EXPECT_CONTAINS(observer_.warnings[0], "was cut short");
}

TEST_F(PartsTest, PartsBesideADatabaseThatHoldsDocumentsAreOnlyRemoved) {
  write_both_parts();
  {
    news::DatabaseWriter writer(options_.db_path, options_, observer_);
    writer.begin();
    writer.put(news::testing::plain_document("merged", 0.5));
    writer.finish({});
  }
  news::settle_parts(options_, observer_);
  EXPECT_EQ(Xapian::Database(options_.db_path).get_doccount(), 1u);
  EXPECT_FALSE(fs::exists(parts()));
}

}  // namespace
