// Retrying a read that raced a writer (core/read_retry.h).
#include "base/read_retry.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <chrono>
#include <string>
#include <thread>

#include "test_support.h"

namespace {

using Clock = std::chrono::steady_clock;

// A reader slowed down by a loaded machine can meet a newer commit on many
// attempts in a row; within the retry time it still gets through.
TEST(ReadNewest, KeepsRetryingPastTheMinimumWhileTheRetryTimeLasts) {
  int attempts = 0;
  const int failing = news::kReadRetries * 3;
  int value = news::read_newest(nullptr, [&] {
    if (++attempts <= failing) {
      if (attempts % 2 == 0) throw Xapian::DatabaseCorruptError("Db block overwritten");
      throw Xapian::DatabaseModifiedError("The revision being read has been discarded");
    }
    return 42;
  });
  EXPECT_EQ(value, 42);
  EXPECT_EQ(attempts, failing + 1);
}

// Real damage does not go away: the error comes out unchanged, after at least
// the minimum number of retries and the retry time, not forever.
TEST(ReadNewest, GivesUpAfterTheRetryTimeWithTheErrorUnchanged) {
  int attempts = 0;
  const auto start = Clock::now();
  try {
    news::read_newest(nullptr, [&]() -> int {
      ++attempts;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      throw Xapian::DatabaseCorruptError("Expected block 7 to be level 1, not 0");
    });
    FAIL() << "no error after " << attempts << " attempts";
  } catch (const Xapian::DatabaseCorruptError& e) {
    EXPECT_EQ(e.get_msg(), "Expected block 7 to be level 1, not 0");
  }
  EXPECT_GT(attempts, news::kReadRetries);
  EXPECT_GE(Clock::now() - start, news::kReadRetryTime);
}

TEST(ReadNewest, OtherErrorsAreNotRetried) {
  int attempts = 0;
  EXPECT_THROW(news::read_newest(nullptr,
                                 [&]() -> int {
                                   ++attempts;
                                   throw Xapian::DatabaseOpeningError("no such database");
                                 }),
               Xapian::DatabaseOpeningError);
  EXPECT_EQ(attempts, 1);
}

// Each retry reads the newest revision: the database is reopened first.
TEST(ReadNewest, ReopensTheDatabaseBeforeEachRetry) {
  news::testing::TempDir tmp;
  const std::string path = (tmp.path() / "db").string();
  Xapian::WritableDatabase writer(path, Xapian::DB_CREATE);
  writer.commit();
  Xapian::Database db(path);
  writer.add_document(Xapian::Document());
  writer.commit();
  ASSERT_EQ(db.get_doccount(), 0u) << "the reader should still see the first revision";
  int attempts = 0;
  Xapian::doccount seen = news::read_newest(&db, [&] {
    if (++attempts == 1) throw Xapian::DatabaseModifiedError("discarded");
    return db.get_doccount();
  });
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(seen, 1u);
}

}  // namespace
