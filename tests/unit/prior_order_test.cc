// The prior order's record (prior/prior_order.h), alone: placing documents in
// order records a step per prior; the record reads back as written, in a fixed
// format; a record another tool has made stale is not trusted; damaged steps
// leave the order without them; and the orders of a split build's two parts
// join into that of a build in one go.
#include "prior/prior_order.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "test_support.h"

namespace {

using news::prior::kMetaOrder;
using news::prior::kMetaPriorSteps;
using news::prior::PriorOrder;
using news::prior::PriorStep;

// A database at `path` with a document at each of `docids`, committed.
void create_database(const std::string& path, const std::vector<Xapian::docid>& docids) {
  Xapian::WritableDatabase db(path, Xapian::DB_CREATE);
  for (Xapian::docid docid : docids) {
    Xapian::Document doc;
    doc.add_boolean_term("Q" + std::to_string(docid));
    db.replace_document(docid, doc);
  }
  db.commit();
}

// Records `order` in the database at `path` and commits.
void record(const std::string& path, const std::optional<PriorOrder>& order) {
  Xapian::WritableDatabase db(path, Xapian::DB_OPEN);
  news::prior::write_prior_order(db, order);
  db.commit();
}

// Sets one metadata key of the database at `path`, as another tool could.
void set_metadata(const std::string& path, std::string_view key, const std::string& value) {
  Xapian::WritableDatabase db(path, Xapian::DB_OPEN);
  db.set_metadata(std::string(key), value);
  db.commit();
}

// The order of docids 1 to 4: priors 0.7, 0.7, 0.5, 0.25.
PriorOrder four_placed() {
  PriorOrder order;
  for (double prior : {0.7, 0.7, 0.5, 0.25}) order.append(prior);
  return order;
}

TEST(PriorOrder, AppendRecordsAStepPerPriorUpToTheLimit) {
  news::prior::PriorOrder order;
  EXPECT_EQ(order.append(0.7), 1u);
  EXPECT_EQ(order.append(0.7), 2u);
  EXPECT_EQ(order.append(0.5), 3u);
  EXPECT_EQ(order.steps, (std::vector<news::prior::PriorStep>{{1, 0.7}, {3, 0.5}}));
  EXPECT_EQ(order.covered, 3u);
  EXPECT_EQ(order.floor, 0.5);
  // Past the limit the steps stop and so does what they cover; the order
  // itself goes on.
  for (std::size_t i = order.steps.size(); i < news::prior::kMaxPriorSteps; ++i) {
    order.append(0.5 - double(i) * 1e-6);
  }
  Xapian::docid covered = order.covered;
  EXPECT_EQ(order.steps.size(), news::prior::kMaxPriorSteps);
  order.append(order.floor);  // the same prior as the last step: still covered
  EXPECT_EQ(order.covered, covered + 1);
  order.append(0.1);
  order.append(0.1);
  EXPECT_EQ(order.steps.size(), news::prior::kMaxPriorSteps);
  EXPECT_EQ(order.covered, covered + 1);
  EXPECT_EQ(order.end, covered + 3);
}

TEST(PriorOrder, ARecordReadsBackAsWritten) {
  news::testing::TempDir dir;
  const std::string path = (dir / "db").string();
  create_database(path, {1, 2, 3, 4});
  const PriorOrder written = four_placed();
  record(path, written);
  Xapian::Database db(path);
  EXPECT_TRUE(news::prior::in_prior_order(db));
  std::optional<PriorOrder> read = news::prior::read_prior_order(db);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->start, 0u);
  EXPECT_EQ(read->end, 4u);
  EXPECT_EQ(read->floor, 0.25);
  EXPECT_EQ(read->covered, 4u);
  EXPECT_EQ(read->steps, written.steps);

  // A part of a split build: its order starts after `start`.
  PriorOrder part;
  part.start = part.end = part.covered = 2;
  part.floor = 0.6;
  part.append(0.5);
  part.append(0.4);
  record(path, part);
  read = news::prior::read_prior_order(Xapian::Database(path));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->start, 2u);
  EXPECT_EQ(read->end, 4u);
  EXPECT_EQ(read->covered, 4u);
  EXPECT_EQ(read->steps, (std::vector<PriorStep>{{3, 0.5}, {4, 0.4}}));
}

// The database format: the JSON record and 12 bytes a step, big-endian.
TEST(PriorOrder, TheRecordHasAFixedFormat) {
  news::testing::TempDir dir;
  const std::string path = (dir / "db").string();
  create_database(path, {1, 2, 3, 4});
  record(path, four_placed());
  Xapian::Database db(path);
  auto stored = nlohmann::json::parse(db.get_metadata(std::string(kMetaOrder)));
  EXPECT_EQ(stored, nlohmann::json::parse(R"({"end":4,"covered":4,"last":4,"floor":0.25})"));
  const std::string steps = db.get_metadata(std::string(kMetaPriorSteps));
  // 0.7 is 0x3FE6666666666666, 0.5 0x3FE0000000000000, 0.25 0x3FD0000000000000.
  const std::string want(
      "\0\0\0\x01\x3F\xE6\x66\x66\x66\x66\x66\x66"
      "\0\0\0\x03\x3F\xE0\0\0\0\0\0\0"
      "\0\0\0\x04\x3F\xD0\0\0\0\0\0\0",
      36);
  EXPECT_EQ(steps, want);

  // Nothing placed yet: no floor.
  record(path, PriorOrder{});
  stored = nlohmann::json::parse(Xapian::Database(path).get_metadata(std::string(kMetaOrder)));
  EXPECT_EQ(stored, nlohmann::json::parse(R"({"end":0,"covered":0,"last":4})"));
  // A part of a split build records where its order starts, and the highest
  // prior it may place (its floor until it places one).
  PriorOrder empty_part;
  empty_part.start = empty_part.end = empty_part.covered = 4;
  empty_part.floor = 0.6;
  record(path, empty_part);
  stored = nlohmann::json::parse(Xapian::Database(path).get_metadata(std::string(kMetaOrder)));
  EXPECT_EQ(stored,
            nlohmann::json::parse(R"({"end":4,"covered":4,"last":4,"floor":0.6,"start":4})"));

  // Not in order: both keys removed.
  record(path, std::nullopt);
  Xapian::Database cleared(path);
  EXPECT_EQ(cleared.get_metadata(std::string(kMetaOrder)), "");
  EXPECT_EQ(cleared.get_metadata(std::string(kMetaPriorSteps)), "");
  EXPECT_FALSE(news::prior::in_prior_order(cleared));
  EXPECT_FALSE(news::prior::read_prior_order(cleared).has_value());
}

// A document added by another tool moves the last docid past the recorded
// one: the record no longer describes the database.
TEST(PriorOrder, ARecordOfAnotherLastDocidIsNotTrusted) {
  news::testing::TempDir dir;
  const std::string path = (dir / "db").string();
  create_database(path, {1, 2, 3, 4});
  record(path, four_placed());
  {
    Xapian::WritableDatabase db(path, Xapian::DB_OPEN);
    EXPECT_EQ(db.add_document(Xapian::Document()), 5u);
    db.commit();
  }
  Xapian::Database db(path);
  EXPECT_FALSE(news::prior::in_prior_order(db));
  EXPECT_FALSE(news::prior::read_prior_order(db).has_value());
  // A record that is not JSON, or lacks its end, is not trusted either.
  for (const char* record_text : {"damaged", R"({"last":5,"covered":4})"}) {
    set_metadata(path, kMetaOrder, record_text);
    EXPECT_FALSE(news::prior::in_prior_order(Xapian::Database(path))) << record_text;
  }
}

// Steps that do not add up (malformed, not starting at docid 1, rising in
// prior) leave the order itself, with its prior read from the values.
TEST(PriorOrder, DamagedStepsLeaveTheOrderWithoutThem) {
  news::testing::TempDir dir;
  const std::string path = (dir / "db").string();
  create_database(path, {1, 2, 3, 4});
  record(path, four_placed());
  const std::string one_step = std::string("\0\0\0\x01\x3F\xE0\0\0\0\0\0\0", 12);
  const std::string from_two = std::string("\0\0\0\x02\x3F\xE0\0\0\0\0\0\0", 12);
  const std::string rising =
      one_step + std::string("\0\0\0\x02\x3F\xE6\x66\x66\x66\x66\x66\x66", 12);
  for (const std::string& steps : {std::string("damaged"), from_two, rising}) {
    set_metadata(path, kMetaPriorSteps, steps);
    std::optional<PriorOrder> read = news::prior::read_prior_order(Xapian::Database(path));
    ASSERT_TRUE(read.has_value()) << "the order itself still holds";
    EXPECT_EQ(read->end, 4u);
    EXPECT_EQ(read->covered, 0u);
    EXPECT_TRUE(read->steps.empty());
  }
  set_metadata(path, kMetaPriorSteps, one_step);  // well formed: covers what it claims
  std::optional<PriorOrder> read = news::prior::read_prior_order(Xapian::Database(path));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->steps, (std::vector<PriorStep>{{1, 0.5}}));
}

TEST(PriorOrder, JoinedStepsGoOnAcrossTheGapAndStopAtTheLimit) {
  using news::prior::PriorOrder;
  PriorOrder high;
  high.append(0.7);
  high.append(0.6);  // docids 1, 2 of a planned 3
  PriorOrder low;
  low.start = low.end = low.covered = 3;
  low.floor = 0.6;
  low.append(0.6);
  low.append(0.5);  // docids 4, 5
  auto joined = news::prior::join_prior_orders(high, low);
  ASSERT_TRUE(joined.has_value());
  EXPECT_EQ(joined->steps, (std::vector<news::prior::PriorStep>{{1, 0.7}, {2, 0.6}, {5, 0.5}}));
  EXPECT_EQ(joined->end, 5u);
  EXPECT_EQ(joined->covered, 5u);
  EXPECT_EQ(joined->floor, 0.5);
  EXPECT_EQ(joined->start, 0u);
  // A high part that placed nothing: the low part's steps start at docid 1.
  auto low_only = news::prior::join_prior_orders(PriorOrder{}, low);
  ASSERT_TRUE(low_only.has_value());
  EXPECT_EQ(low_only->steps.front(), (news::prior::PriorStep{1, 0.6}));
  // A low part that placed nothing: the high part's order.
  PriorOrder empty_low;
  empty_low.start = empty_low.end = empty_low.covered = 3;
  EXPECT_EQ(news::prior::join_prior_orders(high, empty_low)->end, 2u);
  // Either part not in order: neither is the whole.
  EXPECT_FALSE(news::prior::join_prior_orders(std::nullopt, low).has_value());
  EXPECT_FALSE(news::prior::join_prior_orders(high, std::nullopt).has_value());
  // At the limit the steps stop, and so does what they cover.
  PriorOrder full;
  for (std::size_t i = 0; i < news::prior::kMaxPriorSteps; ++i) full.append(1.0 - double(i) * 1e-6);
  ASSERT_EQ(full.covered, full.end);
  PriorOrder after;
  after.start = after.end = after.covered = full.end;
  after.floor = 0;
  after.append(0.0);
  auto cut = news::prior::join_prior_orders(full, after);
  ASSERT_TRUE(cut.has_value());
  EXPECT_EQ(cut->steps.size(), news::prior::kMaxPriorSteps);
  EXPECT_EQ(cut->covered, full.end);
  EXPECT_EQ(cut->end, full.end + 1);
}

}  // namespace
