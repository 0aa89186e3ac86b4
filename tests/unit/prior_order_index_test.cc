// Prior order through whole index runs and searches (prior/prior_order.h): a
// new database keeps its documents in decreasing order of the default blend,
// so the matcher can stop early; documents that cannot be placed in order go
// to the tail; a split build gives the order of a build in one go; and
// searching with the early stop gives exactly the results of searching
// without it. The module's parts alone: prior_order_test.cc,
// prior_peek_test.cc, prior_blend_source_test.cc.
#include <gtest/gtest.h>
#include <xapian.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "database_dump.h"
#include "index/indexer.h"
#include "prior/prior_order.h"
#include "schema/schema.h"
#include "search/search.h"
#include "signal_files.h"
#include "store/shards.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

using news::prior::kTailStart;
using news::testing::news_file_with_signals;

news::IndexStats index_folder(const fs::path& folder, const std::string& db, unsigned shards = 0) {
  news::IndexOptions options;
  options.db_path = db;
  options.shards = shards;
  options.batch_size = 7;  // several commits
  news::IndexObserver quiet;
  return news::index_paths({folder.string()}, options, quiet);
}

double prior_of(const Xapian::Document& doc) {
  return Xapian::sortable_unserialise(doc.get_value(news::schema::kPrior));
}

// Docids below kTailStart in non-increasing prior order; how many are past it.
Xapian::doccount check_order(const Xapian::Database& db) {
  double previous = 1e9;
  Xapian::doccount tail = 0;
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    if (*it >= kTailStart) {
      ++tail;
      continue;
    }
    double prior = prior_of(db.get_document(*it));
    EXPECT_LE(prior, previous) << "docid " << *it;
    previous = prior;
  }
  return tail;
}

// The same non-empty page: ids, scores and collapsed copies, rank by rank.
void expect_same_hits(const news::SearchResponse& got, const news::SearchResponse& want) {
  ASSERT_EQ(got.hits.size(), want.hits.size());
  ASSERT_GT(got.hits.size(), 0u);
  for (std::size_t i = 0; i < got.hits.size(); ++i) {
    EXPECT_EQ(got.hits[i].id, want.hits[i].id) << "rank " << i + 1;
    EXPECT_DOUBLE_EQ(got.hits[i].score, want.hits[i].score) << "rank " << i + 1;
    EXPECT_EQ(got.hits[i].collapsed, want.hits[i].collapsed) << "rank " << i + 1;
  }
}

// Every query gives the same page with and without the early stop.
void expect_same_results(news::Searcher& searcher) {
  const std::vector<std::string> queries = {
      "", "story", "wire", "story alpha", "\"story beta\"", "NOT gamma", "delta OR epsilon"};
  for (const auto& query : queries) {
    for (Xapian::doccount offset : {0u, 3u}) {
      news::SearchRequest request;
      request.query = query;
      request.offset = offset;
      request.limit = 5;
      request.check_at_least = 0;  // let the matcher stop as early as it can
      request.suggest_spelling = false;
      news::SearchResponse fast = searcher.search(request);
      request.use_prior_order = false;
      news::SearchResponse slow = searcher.search(request);
      SCOPED_TRACE("query '" + query + "' offset " + std::to_string(offset));
      expect_same_hits(fast, slow);
    }
  }
}

const char* const kWords[] = {"alpha", "beta", "gamma", "delta", "epsilon"};

// 40 files, with priors in no particular order of their names.
void write_corpus(const fs::path& folder) {
  for (int i = 0; i < 40; ++i) {
    std::string quality = i % 9 == 0 ? "" : std::to_string((i * 37) % 101);
    std::string heat = i % 4 == 0 ? "-1" : std::to_string((i * 53) % 97);
    news::testing::write_file(
        folder / ("story-" + std::to_string(100 + i) + ".md"),
        news_file_with_signals(
            "Story " + std::string(kWords[i % 5]) + " number " + std::to_string(i), quality, heat));
  }
}

// A file whose quick look guesses its prior wrong: of two `quality:` and
// `heat:` lines the look takes the last (`looks` for both), yaml-cpp the first
// (1 for both), so it is indexed as nearly the worst of write_corpus()'s files.
void write_misguessed(const fs::path& folder, const std::string& looks) {
  std::string text = news_file_with_signals("Story gamma looks better than it is", "1", "1");
  // Lines that the look takes for the file's quality and heat but that YAML
  // reads inside a flow sequence of a key the parser does not use.
  text.insert(text.find("provider:"),
              "notes: [\nquality: " + looks + "\n]\nmore: [\nheat: " + looks + "\n]\n");
  news::testing::write_file(folder / "misguessed.md", text);
}

TEST(PriorOrder, ANewDatabaseIsBuiltInPriorOrder) {
  news::testing::TempDir dir;
  write_corpus(dir / "news");
  std::string db_path = (dir / "db").string();
  ASSERT_EQ(index_folder(dir / "news", db_path).indexed, 40u);
  Xapian::Database db(db_path);
  EXPECT_TRUE(news::prior::in_prior_order(db));
  EXPECT_EQ(check_order(db), 0u) << "every file's prior was guessed right: none in the tail";
  // The first docid holds the highest prior of all.
  double highest = 0;
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    highest = std::max(highest, prior_of(db.get_document(*it)));
  }
  EXPECT_EQ(prior_of(db.get_document(1)), highest);
}

using Build = std::function<news::IndexStats(const fs::path& folder, const std::string& db)>;

// Indexes write_corpus()'s files, then new files above every prior in the
// database (tail), one at the very bottom (placed in order), one document's
// prior changed (moved), one rewritten with its prior unchanged (in place),
// one removed: the order and the results hold.
void expect_later_changes_keep_the_order(const Build& build) {
  news::testing::TempDir dir;
  write_corpus(dir / "news");
  std::string db_path = (dir / "db").string();
  build(dir / "news", db_path);

  news::testing::write_file(dir / "news" / "late-high.md",
                            news_file_with_signals("Story alpha late and hot", "1000", "1000"));
  news::testing::write_file(dir / "news" / "late-low.md",
                            news_file_with_signals("Story beta late and cold", "0", "0"));
  news::testing::write_file(dir / "news" / "story-101.md",
                            news_file_with_signals("Story beta number 1 revised", "999", "999"));
  std::string same = news::testing::read_file(dir / "news" / "story-102.md");
  news::testing::write_file(dir / "news" / "story-102.md",
                            same.replace(same.find("in detail"), 9, "in more detail"));
  fs::remove(dir / "news" / "story-103.md");
  news::IndexStats stats = build(dir / "news", db_path);
  EXPECT_EQ(stats.indexed, 4u);
  EXPECT_EQ(stats.removed, 1u);

  Xapian::Database db(db_path);
  EXPECT_TRUE(news::prior::in_prior_order(db));
  EXPECT_EQ(db.get_doccount(), 41u);
  EXPECT_EQ(check_order(db), 2u) << "the new high prior and the raised one go to the tail";

  news::Searcher searcher(db_path);
  expect_same_results(searcher);
  // A third run with nothing changed keeps everything, tail included.
  EXPECT_EQ(build(dir / "news", db_path).unchanged, 41u);
  EXPECT_EQ(Xapian::Database(db_path).get_doccount(), 41u);
}

TEST(PriorOrder, LaterChangesKeepTheOrderAndTheResults) {
  expect_later_changes_keep_the_order(
      [](const fs::path& folder, const std::string& db) { return index_folder(folder, db); });
}

TEST(PriorOrder, ShardsAreEachInOrder) {
  news::testing::TempDir dir;
  write_corpus(dir / "news");
  std::string db_path = (dir / "db").string();
  index_folder(dir / "news", db_path, 3);
  for (int s = 0; s < 3; ++s) {
    Xapian::Database shard((dir / "db" / ("shard-0" + std::to_string(s))).string());
    EXPECT_TRUE(news::prior::in_prior_order(shard)) << s;
    EXPECT_EQ(check_order(shard), 0u) << s;
  }
  {
    news::Searcher searcher(db_path);
    expect_same_results(searcher);
  }
  // A later file above every prior goes to its shard's tail; the other
  // shards have none. The search stays exact over all three.
  news::testing::write_file(dir / "news" / "late-high.md",
                            news_file_with_signals("Story alpha late and hot", "1000", "1000"));
  ASSERT_EQ(index_folder(dir / "news", db_path).indexed, 1u);
  Xapian::doccount tails = 0;
  for (int s = 0; s < 3; ++s) {
    Xapian::Database shard((dir / "db" / ("shard-0" + std::to_string(s))).string());
    EXPECT_TRUE(news::prior::in_prior_order(shard)) << s;
    tails += check_order(shard);
  }
  EXPECT_EQ(tails, 1u);
  news::Searcher searcher(db_path);
  expect_same_results(searcher);
}

// The steps of a database's order give the stored prior of every document
// they cover.
void expect_steps_match(const Xapian::Database& db) {
  auto order = news::prior::read_prior_order(db);
  ASSERT_TRUE(order.has_value());
  ASSERT_FALSE(order->steps.empty());
  EXPECT_EQ(order->steps.front().first, 1u);
  std::size_t step = 0, checked = 0;
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    if (*it > order->covered) break;
    while (step + 1 < order->steps.size() && order->steps[step + 1].first <= *it) ++step;
    EXPECT_EQ(order->steps[step].prior, prior_of(db.get_document(*it))) << "docid " << *it;
    ++checked;
  }
  EXPECT_GT(checked, 0u);
}

// A misguessed file is not placed in order (where it would lower the floor
// below every later file's prior, sending them all to the tail): it alone
// goes to the tail, whether it looks like the best file or a middling one,
// in one database and in each shard.
TEST(PriorOrder, AMisguessedPriorAloneGoesToTheTail) {
  for (const char* looks : {"1000", "30"}) {
    for (unsigned shards : {1u, 2u}) {
      SCOPED_TRACE(std::string("looks ") + looks + ", shards " + std::to_string(shards));
      news::testing::TempDir dir;
      write_corpus(dir / "news");
      write_misguessed(dir / "news", looks);
      std::string db_path = (dir / "db").string();
      ASSERT_EQ(index_folder(dir / "news", db_path, shards).indexed, 41u);
      Xapian::Database db(db_path);
      Xapian::doccount tails = 0;
      for (unsigned s = 0; s < shards; ++s) {
        Xapian::Database part =
            shards == 1 ? db : Xapian::Database((dir / "db" / news::shard_name(s)).string());
        EXPECT_TRUE(news::prior::in_prior_order(part)) << s;
        tails += check_order(part);
        expect_steps_match(part);
        auto it = part.postlist_begin(news::schema::id_term("misguessed.md"));
        if (it != part.postlist_end(news::schema::id_term("misguessed.md"))) {
          EXPECT_GE(*it, kTailStart);
        }
      }
      EXPECT_EQ(tails, 1u) << "the misguessed file alone is in the tail";
      news::Searcher searcher(db_path);
      expect_same_results(searcher);
    }
  }
}

TEST(PriorOrder, StepsDescribeTheDocidsTheyCover) {
  news::testing::TempDir dir;
  write_corpus(dir / "news");
  std::string db_path = (dir / "db").string();
  index_folder(dir / "news", db_path);
  {
    Xapian::Database db(db_path);
    auto order = news::prior::read_prior_order(db);
    ASSERT_TRUE(order.has_value());
    EXPECT_EQ(order->covered, order->end) << "a new database is covered whole";
    EXPECT_GT(order->steps.size(), 10u);
    expect_steps_match(db);
  }
  // Changes after the build: a file placed at the bottom is covered too.
  news::testing::write_file(dir / "news" / "late-low.md",
                            news_file_with_signals("Story beta late and cold", "0", "0"));
  news::testing::write_file(dir / "news" / "late-high.md",
                            news_file_with_signals("Story alpha late and hot", "1000", "1000"));
  index_folder(dir / "news", db_path);
  Xapian::Database db(db_path);
  auto order = news::prior::read_prior_order(db);
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->covered, order->end);
  EXPECT_EQ(order->end, 41u);
  expect_steps_match(db);
}

// Rewrites the steps of the database at `db_path` to cover only the first
// `keep` of them (0: none, as in a database ordered before steps were
// recorded); checks the search still gives the same results.
void expect_same_results_with_steps(const std::string& db_path, std::size_t keep) {
  SCOPED_TRACE("steps kept: " + std::to_string(keep));
  auto full = news::prior::read_prior_order(Xapian::Database(db_path));
  ASSERT_TRUE(full.has_value());
  ASSERT_GT(full->steps.size(), keep);
  news::prior::PriorOrder part = *full;
  part.steps.resize(keep);
  part.covered = keep == 0 ? 0 : part.steps.back().first;
  {
    Xapian::WritableDatabase db(db_path);
    news::prior::write_prior_order(db, part);
    db.commit();
  }
  auto read = news::prior::read_prior_order(Xapian::Database(db_path));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->covered, part.covered);
  {
    news::Searcher searcher(db_path);
    expect_same_results(searcher);
  }
  Xapian::WritableDatabase db(db_path);  // back as it was
  news::prior::write_prior_order(db, full);
  db.commit();
}

// Steps that cover part of the order, none (a database ordered before steps
// were recorded) or that are damaged: the rest is read from the values, with
// the same results, with and without a tail.
TEST(PriorOrder, ResultsAreTheSameWhateverTheStepsCover) {
  news::testing::TempDir dir;
  write_corpus(dir / "news");
  std::string db_path = (dir / "db").string();
  index_folder(dir / "news", db_path);
  for (std::size_t keep : {0, 1, 12}) expect_same_results_with_steps(db_path, keep);
  news::testing::write_file(dir / "news" / "late-high.md",
                            news_file_with_signals("Story alpha late and hot", "1000", "1000"));
  index_folder(dir / "news", db_path);
  ASSERT_GE(Xapian::Database(db_path).get_lastdocid(), kTailStart);
  for (std::size_t keep : {0, 1, 12}) expect_same_results_with_steps(db_path, keep);

  auto full = news::prior::read_prior_order(Xapian::Database(db_path));
  {
    Xapian::WritableDatabase db(db_path);
    news::prior::write_prior_order(db, full);
    db.set_metadata(std::string(news::prior::kMetaPriorSteps), "damaged");
    db.commit();
  }
  auto read = news::prior::read_prior_order(Xapian::Database(db_path));
  ASSERT_TRUE(read.has_value()) << "the order itself still holds";
  EXPECT_EQ(read->covered, 0u);
  EXPECT_TRUE(read->steps.empty());
  news::Searcher searcher(db_path);
  expect_same_results(searcher);
}

// Indexes the corpus into dir/db and compacts it, as xapian-compact does,
// into dir/compacted; returns that path.
std::string index_and_compact(const fs::path& dir) {
  write_corpus(dir / "news");
  std::string db_path = (dir / "db").string(), compacted = (dir / "compacted").string();
  index_folder(dir / "news", db_path);
  Xapian::Database(db_path).compact(compacted);
  return compacted;
}

// xapian-compact (which the README suggests after a large first build) keeps
// a single database's docids: the copy is in the same order, searches give
// the same pages, and a later run finds every file unchanged and keeps the
// order with the new file placed.
TEST(PriorOrder, ACompactedDatabaseSearchesAndUpdatesAsTheOriginal) {
  news::testing::TempDir dir;
  std::string db_path = (dir / "db").string(), compacted = index_and_compact(dir.path());
  {
    Xapian::Database db(compacted);
    EXPECT_TRUE(news::prior::in_prior_order(db));
    EXPECT_EQ(check_order(db), 0u);
  }
  news::Searcher original(db_path), copy(compacted);
  for (const std::string query : {"story", "alpha OR beta", "\"story gamma\"", ""}) {
    news::SearchRequest request;
    request.query = query;
    request.limit = 8;
    news::SearchResponse want = original.search(request), got = copy.search(request);
    SCOPED_TRACE("query '" + query + "'");
    EXPECT_EQ(got.total_estimate, want.total_estimate);
    expect_same_hits(got, want);
  }
  expect_same_results(copy);

  news::testing::write_file(dir / "news" / "late-low.md",
                            news_file_with_signals("Story beta late and cold", "0", "0"));
  news::IndexStats stats = index_folder(dir / "news", compacted);
  EXPECT_EQ(stats.unchanged, 40u);
  EXPECT_EQ(stats.indexed, 1u);
  Xapian::Database db(compacted);
  EXPECT_TRUE(news::prior::in_prior_order(db));
  EXPECT_EQ(check_order(db), 0u) << "the new lowest prior is placed in order";
  EXPECT_EQ(db.get_doccount(), 41u);
}

TEST(PriorOrder, ADatabaseWrittenByAnotherToolIsNotTrusted) {
  news::testing::TempDir dir;
  // xapian-compact keeps the docids of a single database: still in order.
  std::string compacted = index_and_compact(dir.path());
  EXPECT_TRUE(news::prior::in_prior_order(Xapian::Database(compacted)));

  // A document added with Xapian directly lands after the others, out of
  // order, and the stored layout no longer describes the database.
  {
    Xapian::WritableDatabase db(compacted);
    Xapian::Document doc = db.get_document(1);
    doc.set_data(R"({"id":"added-by-hand.md","title":"Story alpha by hand"})");
    doc.add_value(news::schema::kId, "added-by-hand.md");
    doc.add_value(news::schema::kDedupKey, "by-hand!");
    doc.add_boolean_term(news::schema::story_term("by-hand!"));
    doc.add_value(news::schema::kPrior, Xapian::sortable_serialise(5.0));
    EXPECT_EQ(db.add_document(doc), 41u);
    db.commit();
  }
  Xapian::Database db(compacted);
  EXPECT_FALSE(news::prior::in_prior_order(db));

  news::Searcher searcher(compacted);
  news::SearchRequest request;
  request.query = "story";
  request.limit = 3;
  request.check_at_least = 0;  // let the matcher stop as early as it can
  request.suggest_spelling = false;
  news::SearchResponse got = searcher.search(request);
  ASSERT_EQ(got.hits.size(), 3u);
  EXPECT_EQ(got.hits.front().id, "added-by-hand.md");
}

// A split build (indexer.h): a new database of at least split_from files is
// built in two parts side by side and merged.
news::IndexStats index_split(const fs::path& folder, const std::string& db,
                             std::size_t split_from = 1) {
  news::IndexOptions options;
  options.db_path = db;
  options.batch_size = 7;
  options.threads = 2;
  options.split_from = split_from;
  news::IndexObserver quiet;
  return news::index_paths({folder.string()}, options, quiet);
}

TEST(SplitBuild, GivesTheDatabaseOfABuildInOneGoCompacted) {
  news::testing::TempDir dir;
  write_corpus(dir / "news");
  const std::string one = (dir / "one").string(), two = (dir / "two").string();
  ASSERT_EQ(index_split(dir / "news", one, /*split_from=*/0).indexed, 40u);
  news::IndexStats stats = index_split(dir / "news", two);
  EXPECT_EQ(stats.indexed, 40u);
  EXPECT_FALSE(fs::exists(dir / "two.parts")) << "the parts are removed once merged";
  EXPECT_EQ(news::testing::dump_database(two), news::testing::dump_database(one));
  // The same page, scores included, with and without the early stop.
  news::Searcher searcher(two);
  expect_same_results(searcher);
  expect_steps_match(Xapian::Database(two));
  auto checkpoint = nlohmann::json::parse(Xapian::Database(two).get_metadata(news::kCheckpointKey));
  EXPECT_EQ(checkpoint["documents"], 40);
  // Compacted: Xapian's tables are written full, so the files are smaller.
  auto bytes = [](const std::string& path) {
    std::uintmax_t total = 0;
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.path().extension() == ".glass") total += entry.file_size();
    }
    return total;
  };
  EXPECT_LT(bytes(two), bytes(one));
  // (xapian-check runs on split builds in RobustKill.SigkillDuringASplitBuildIsMergedByTheNextRun:
  // Xapian::Database::check itself trips AddressSanitizer inside libxapian 1.4.22.)
}

TEST(SplitBuild, BelowTheThresholdTheBuildIsInOneGo) {
  news::testing::TempDir dir;
  write_corpus(dir / "news");
  // With 40 files and a threshold of 41 no parts are made:
  // Xapian's B-trees grown batch by batch hold more blocks than a compacted
  // copy, which a split build always is.
  const std::string db = (dir / "db").string();
  index_split(dir / "news", db, /*split_from=*/41);
  const std::string copy = (dir / "copy").string();
  Xapian::Database(db).compact(copy);
  auto table = [](const std::string& path) {
    return fs::file_size(fs::path(path) / "postlist.glass");
  };
  EXPECT_GT(table(db), table(copy));
}

TEST(SplitBuild, LaterRunsUpdateItAsAnyOther) {
  expect_later_changes_keep_the_order(
      [](const fs::path& folder, const std::string& db) { return index_split(folder, db); });
}

// A misguessed file in either half: each part places only what fits its
// order (so that the high part's docids stay below the low part's), and the
// misfit goes to the tail.
TEST(SplitBuild, AMisguessedPriorInEitherHalfGoesToTheTail) {
  // Looks like the best of all (the first in the high half); like one in
  // the low half.
  for (const char* looks : {"1000", "30"}) {
    SCOPED_TRACE(std::string("looks ") + looks);
    news::testing::TempDir dir;
    write_corpus(dir / "news");
    write_misguessed(dir / "news", looks);
    const std::string db_path = (dir / "db").string();
    ASSERT_EQ(index_split(dir / "news", db_path).indexed, 41u);
    Xapian::Database db(db_path);
    EXPECT_TRUE(news::prior::in_prior_order(db));
    EXPECT_EQ(check_order(db), 1u) << "the misguessed file alone is in the tail";
    auto misguessed = db.postlist_begin(news::schema::id_term("misguessed.md"));
    ASSERT_NE(misguessed, db.postlist_end(news::schema::id_term("misguessed.md")));
    EXPECT_GE(*misguessed, kTailStart);
    expect_steps_match(db);
    news::Searcher searcher(db_path);
    expect_same_results(searcher);
  }
}

}  // namespace
