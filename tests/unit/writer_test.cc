// The writer (core/index/writer.h, writer_thread.h) driven through its own
// API: add, replace, remove, commit, then reopen the database with Xapian.
#include "index/writer.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "index/writer_thread.h"
#include "index_support.h"
#include "schema/schema.h"
#include "spelling_check.h"
#include "test_support.h"

namespace {

using news::testing::plain_document;

class WriterTest : public ::testing::Test {
 protected:
  std::string path() const { return (dir_ / "db").string(); }
  std::unique_ptr<news::DatabaseWriter> open(std::size_t batch_size = 100) {
    options_.db_path = path();
    options_.batch_size = batch_size;
    auto writer = std::make_unique<news::DatabaseWriter>(path(), options_, observer_);
    writer->begin(false, R"(["/news"])");
    return writer;
  }
  Xapian::Database reopen() const { return Xapian::Database(path()); }
  static nlohmann::json checkpoint(const Xapian::Database& db) {
    return nlohmann::json::parse(db.get_metadata(news::kCheckpointKey));
  }

  news::testing::TempDir dir_;
  news::IndexOptions options_;
  news::testing::RecordingObserver observer_;
};

TEST_F(WriterTest, ACommitLeavesADatabaseThatOpensWithItsCheckpoint) {
  auto writer = open();
  writer->put(plain_document("a.md", 0.9, {"alpha"}));
  writer->put(plain_document("b.md", 0.5, {"bravo"}));
  writer->commit();
  Xapian::Database db = reopen();
  EXPECT_EQ(db.get_doccount(), 2u);
  EXPECT_EQ(checkpoint(db)["documents"], 2);
  EXPECT_EQ(checkpoint(db)["commits"], 1);
  EXPECT_EQ(db.get_metadata(news::kRootsKey), R"(["/news"])");
  EXPECT_EQ(db.get_metadata(std::string(news::schema::kMetaSchemaVersion)),
            news::schema::kSchemaVersion);
  EXPECT_EQ(news::testing::spelling_count(db, "alpha"), 1u);
  EXPECT_TRUE(news::prior::read_prior_order(db).has_value());
}

TEST_F(WriterTest, WhatIsNotCommittedIsNotInTheDatabase) {
  auto writer = open();
  writer->put(plain_document("a.md", 0.9));
  writer->commit();
  writer->put(plain_document("b.md", 0.5));
  writer->close();
  writer.reset();
  Xapian::Database db = reopen();
  EXPECT_EQ(db.get_doccount(), 1u);
  EXPECT_EQ(checkpoint(db)["documents"], 1);
}

TEST_F(WriterTest, ReplacingAFilesDocumentKeepsOneDocumentForIt) {
  auto writer = open();
  Xapian::docid first = writer->put(plain_document("a.md", 0.5, {"alpha"}));
  ASSERT_EQ(writer->find("a.md"), first);
  // Same prior: the new version keeps the docid (its place in order fits).
  EXPECT_EQ(writer->put(plain_document("a.md", 0.5, {"omega"}), first), first);
  writer->commit();
  Xapian::Database db = reopen();
  EXPECT_EQ(db.get_doccount(), 1u);
  EXPECT_EQ(db.get_termfreq("omega"), 1u);
  EXPECT_EQ(db.get_termfreq("alpha"), 0u);
  EXPECT_EQ(news::testing::spelling_count(db, "alpha"), 0u);
  EXPECT_EQ(news::testing::spelling_count(db, "omega"), 1u);
}

TEST_F(WriterTest, ANewVersionWithAnotherPriorMovesWhereOrderPutsIt) {
  auto writer = open();
  Xapian::docid first = writer->put(plain_document("a.md", 0.5));
  Xapian::docid moved = writer->put(plain_document("a.md", 0.9), first);
  EXPECT_EQ(moved, news::prior::kTailStart);  // above the floor: to the tail
  writer->commit();
  Xapian::Database db = reopen();
  EXPECT_EQ(db.get_doccount(), 1u);
  EXPECT_EQ(writer->find("a.md"), moved);
}

TEST_F(WriterTest, RemovingADocumentTakesItAndItsWordsAway) {
  auto writer = open();
  Xapian::docid docid = writer->put(plain_document("a.md", 0.5, {"alpha"}));
  writer->put(plain_document("b.md", 0.4, {"bravo"}));
  writer->commit();
  EXPECT_TRUE(writer->remove(docid));
  EXPECT_FALSE(writer->remove(docid));
  writer->commit();
  EXPECT_EQ(writer->removed(), 1u);
  Xapian::Database db = reopen();
  EXPECT_EQ(db.get_doccount(), 1u);
  EXPECT_EQ(checkpoint(db)["commits"], 2);
  EXPECT_TRUE(news::testing::spelling_mismatches(db).empty());
  EXPECT_EQ(news::testing::spelling_count(db, "alpha"), 0u);
}

TEST_F(WriterTest, EveryBatchSizeChangesAreCommitted) {
  auto writer = open(/*batch_size=*/2);
  for (const char* id : {"a.md", "b.md", "c.md"}) writer->put(plain_document(id, 0.5));
  EXPECT_EQ(writer->commits(), 1u);
  EXPECT_EQ(reopen().get_doccount(), 2u);  // the third waits for the next commit
}

TEST_F(WriterTest, NewDocumentsArePlacedInPriorOrderAndRecorded) {
  auto writer = open();
  EXPECT_EQ(writer->put(plain_document("a.md", 0.9)), 1u);
  EXPECT_EQ(writer->put(plain_document("b.md", 0.7)), 2u);
  EXPECT_EQ(writer->put(plain_document("c.md", 0.8)), news::prior::kTailStart);
  EXPECT_EQ(writer->put(plain_document("d.md", 0.7)), 3u);
  writer->commit();
  auto order = news::prior::read_prior_order(reopen());
  ASSERT_TRUE(order);
  EXPECT_EQ(order->end, 3u);
  EXPECT_EQ(order->floor, 0.7);
}

TEST_F(WriterTest, FinishPrunesTheScopesButKeepsWhatIsKeptOrUnreadable) {
  auto writer = open();
  for (const char* id : {"a.md", "gone.md", "locked/b.md"}) writer->put(plain_document(id, 0.5));
  writer->commit();
  writer.reset();
  writer = open();  // a new run: nothing placed by it yet
  news::Finish finish;
  finish.scopes = {{"XR/news", "", false, ""}};
  finish.kept = {false, true, false, false};  // docid 1: a.md was seen again
  finish.unreadable = {"locked/"};
  writer->finish(std::move(finish));
  EXPECT_EQ(writer->removed(), 1u);
  Xapian::Database db = reopen();
  EXPECT_EQ(db.get_doccount(), 2u);
  EXPECT_EQ(db.get_termfreq(news::schema::id_term("gone.md")), 0u);
}

TEST_F(WriterTest, AnIncompleteFinishPrunesNothing) {
  auto writer = open();
  writer->put(plain_document("a.md", 0.5));
  writer->commit();
  news::Finish finish;
  finish.complete = false;
  finish.scopes = {{"XR/news", "", false, ""}};
  finish.kept = {false, false};
  writer->finish(std::move(finish));
  EXPECT_EQ(reopen().get_doccount(), 1u);
}

TEST_F(WriterTest, AWriterThreadAppliesTheChangesInOrderAndCommitsInBatches) {
  options_.db_path = path();
  options_.batch_size = 3;
  news::WriterThread thread(path(), options_, observer_);
  thread.start(false, "[]");
  for (int i = 0; i < 10; ++i) {
    news::Change change;
    change.document = plain_document("f" + std::to_string(i) + ".md", 1.0 - i * 0.01, {"word"});
    change.words = {"word"};
    ASSERT_TRUE(thread.push(std::move(change)));
  }
  thread.finish({});
  EXPECT_FALSE(thread.join());
  EXPECT_EQ(thread.writer().commits(), 4u);  // three batches and the final commit
  Xapian::Database db(path());
  EXPECT_EQ(db.get_doccount(), 10u);
  EXPECT_EQ(news::testing::spelling_count(db, "word"), 10u);
  for (Xapian::docid docid = 1; docid <= 10; ++docid) {
    EXPECT_EQ(db.get_document(docid).get_value(news::schema::kId),
              "f" + std::to_string(docid - 1) + ".md");
  }
}

TEST_F(WriterTest, ALockedDatabaseIsRefused) {
  auto writer = open();
  options_.wait_for_lock = false;
  try {
    news::DatabaseWriter second(path(), options_, observer_);
    FAIL() << "a second writer opened the database";
  } catch (const news::Error& e) {
    EXPECT_EQ(e.kind(), news::Error::Kind::kLocked);
  }
}

}  // namespace
