// index_paths (core/indexer.h): incremental re-runs, pruning and identities.
#include "index/indexer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <xapian.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "schema/schema.h"
#include "spelling_check.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

std::string news_file(const std::string& title, int quality = 50) {
  return "---\ntitle: \"" + title + "\"\nexcerpt: \"About " + title +
         ".\"\nquality: " + std::to_string(quality) + "\ntopics:\n  - Testing\n---\n";
}

class CountingObserver : public news::IndexObserver {
 public:
  void rejected(const std::string& file, const std::string& reason) override {
    rejected_files.push_back(file + ": " + reason);
  }
  void skipped(const std::string& file, const std::string&) override {
    skipped_files.push_back(file);
  }
  std::vector<std::string> rejected_files, skipped_files;
};

class Indexer : public ::testing::Test {
 protected:
  void SetUp() override {
    write("a.md", news_file("Alpha story"));
    write("sub/b.md", news_file("Bravo story"));
    write("sub/deeper/c.md", news_file("Charlie story"));
    write("notes.txt", "Just some notes, not a news file.\n");  // no front matter
    write("sub/broken.md", "---\ntitle: [unclosed\n---\n");     // rejected
  }

  void write(const std::string& relative, const std::string& bytes) {
    news::testing::write_file(root() / relative, bytes);
  }
  fs::path root() const { return dir_ / "news"; }
  std::string db_path() const { return (dir_ / "db").string(); }

  news::IndexStats index(bool prune = true, std::vector<std::string> paths = {}) {
    if (paths.empty()) paths = {root().string()};
    news::IndexOptions options;
    options.db_path = db_path();
    options.prune = prune;
    observer_ = CountingObserver();
    return news::index_paths(paths, options, observer_);
  }

  Xapian::doccount doc_count() const { return Xapian::Database(db_path()).get_doccount(); }

  // Every document's identity, from its Q term.
  std::set<std::string> ids() const {
    Xapian::Database db(db_path());
    std::set<std::string> out;
    for (auto it = db.allterms_begin("Q"); it != db.allterms_end("Q"); ++it) {
      EXPECT_EQ(it.get_termfreq(), 1u) << *it << " is not unique";
      out.insert((*it).substr(1));
    }
    return out;
  }

  // Documents whose text contains `word`.
  Xapian::doccount with_word(const std::string& word) const {
    return Xapian::Database(db_path()).get_termfreq(word);
  }

  news::testing::TempDir dir_;
  CountingObserver observer_;
};

TEST_F(Indexer, FirstRunIndexesNewsFiles) {
  news::IndexStats s = index();
  EXPECT_EQ(s.seen, 5u);
  EXPECT_EQ(s.indexed, 3u);
  EXPECT_EQ(s.skipped, 1u);   // notes.txt
  EXPECT_EQ(s.rejected, 1u);  // sub/broken.md
  EXPECT_EQ(s.unchanged, 0u);
  EXPECT_EQ(s.removed, 0u);
  EXPECT_EQ(s.vanished, 0u);
  EXPECT_EQ(s.unreadable, 0u);
  EXPECT_GE(s.commits, 1u);
  EXPECT_EQ(doc_count(), 3u);
  ASSERT_EQ(observer_.rejected_files.size(), 1u);
  EXPECT_NE(observer_.rejected_files[0].find("broken.md"), std::string::npos);
  ASSERT_EQ(observer_.skipped_files.size(), 1u);
  EXPECT_NE(observer_.skipped_files[0].find("notes.txt"), std::string::npos);
}

TEST_F(Indexer, IdsAreRelativePathsWithSlashes) {
  index();
  EXPECT_EQ(ids(), (std::set<std::string>{"a.md", "sub/b.md", "sub/deeper/c.md"}));
  // The stored record carries the same id.
  Xapian::Database db(db_path());
  auto it = db.postlist_begin(news::schema::id_term("sub/deeper/c.md"));
  ASSERT_NE(it, db.postlist_end(news::schema::id_term("sub/deeper/c.md")));
  auto record = nlohmann::json::parse(db.get_document(*it).get_data());
  EXPECT_EQ(record["id"], "sub/deeper/c.md");
  EXPECT_EQ(record["title"], "Charlie story");
}

TEST_F(Indexer, SecondRunChangesNothing) {
  index();
  news::IndexStats s = index();
  EXPECT_EQ(s.indexed, 0u);
  EXPECT_EQ(s.unchanged, 3u);
  EXPECT_EQ(s.removed, 0u);
  EXPECT_EQ(doc_count(), 3u);
  EXPECT_EQ(ids(), (std::set<std::string>{"a.md", "sub/b.md", "sub/deeper/c.md"}));
}

TEST_F(Indexer, TrailingSlashGivesTheSameIdentities) {
  index();
  news::IndexStats s = index(true, {root().string() + "/"});
  EXPECT_EQ(s.unchanged, 3u);
  EXPECT_EQ(s.indexed, 0u);
  EXPECT_EQ(s.removed, 0u);
  EXPECT_EQ(doc_count(), 3u);
}

TEST_F(Indexer, ChangedFileIsReindexedWithoutDuplicates) {
  index();
  ASSERT_EQ(with_word("bravo"), 1u);
  write("sub/b.md", news_file("Zulu story"));
  news::IndexStats s = index();
  EXPECT_EQ(s.indexed, 1u);
  EXPECT_EQ(s.unchanged, 2u);
  EXPECT_EQ(s.removed, 0u);
  EXPECT_EQ(doc_count(), 3u);
  EXPECT_EQ(with_word("bravo"), 0u);  // the old version is gone
  EXPECT_EQ(with_word("zulu"), 1u);
  EXPECT_EQ(ids(), (std::set<std::string>{"a.md", "sub/b.md", "sub/deeper/c.md"}));
}

TEST_F(Indexer, DeletedFileIsRemoved) {
  index();
  fs::remove(root() / "a.md");
  news::IndexStats s = index();
  EXPECT_EQ(s.removed, 1u);
  EXPECT_EQ(s.unchanged, 2u);
  EXPECT_EQ(doc_count(), 2u);
  EXPECT_EQ(ids(), (std::set<std::string>{"sub/b.md", "sub/deeper/c.md"}));
  EXPECT_EQ(with_word("alpha"), 0u);
}

TEST_F(Indexer, DeletedFileIsKeptWithoutPrune) {
  index();
  fs::remove(root() / "a.md");
  news::IndexStats s = index(/*prune=*/false);
  EXPECT_EQ(s.removed, 0u);
  EXPECT_EQ(doc_count(), 3u);
  EXPECT_TRUE(ids().count("a.md"));
  // A later pruning run still removes it.
  EXPECT_EQ(index(/*prune=*/true).removed, 1u);
  EXPECT_EQ(doc_count(), 2u);
}

TEST_F(Indexer, DeletedFolderIsRemoved) {
  index();
  fs::remove_all(root() / "sub");
  news::IndexStats s = index();
  EXPECT_EQ(s.removed, 2u);
  EXPECT_EQ(ids(), std::set<std::string>{"a.md"});
}

TEST_F(Indexer, PruningOnlyTouchesTheWalkedFolder) {
  news::testing::write_file(dir_ / "other" / "x.md", news_file("Xray story"));
  index(true, {root().string(), (dir_ / "other").string()});
  ASSERT_EQ(doc_count(), 4u);
  // Indexing only the first folder must not prune the second one's documents.
  news::IndexStats s = index(true, {root().string()});
  EXPECT_EQ(s.removed, 0u);
  EXPECT_EQ(doc_count(), 4u);
}

TEST_F(Indexer, NamingASubfolderKeepsTheRootsIds) {
  index();
  news::IndexStats s = index(true, {(root() / "sub").string()});
  EXPECT_EQ(s.unchanged, 2u);  // sub/b.md and sub/deeper/c.md, found by their ids
  EXPECT_EQ(s.indexed, 0u);
  EXPECT_EQ(s.removed, 0u);  // a.md is outside the walked folder
  EXPECT_EQ(doc_count(), 3u);
  EXPECT_EQ(ids(), (std::set<std::string>{"a.md", "sub/b.md", "sub/deeper/c.md"}));
}

TEST_F(Indexer, PruningIsScopedToTheWalkedSubfolder) {
  index();
  fs::remove(root() / "a.md");
  fs::remove(root() / "sub" / "b.md");
  news::IndexStats s = index(true, {(root() / "sub").string()});
  EXPECT_EQ(s.removed, 1u);  // sub/b.md only
  EXPECT_EQ(ids(), (std::set<std::string>{"a.md", "sub/deeper/c.md"}));
  EXPECT_EQ(index().removed, 1u);  // the whole folder: now a.md too
  EXPECT_EQ(ids(), std::set<std::string>{"sub/deeper/c.md"});
}

TEST_F(Indexer, NamingAParentAbsorbsTheSubfolder) {
  index(true, {(root() / "sub").string()});
  ASSERT_EQ(ids(), (std::set<std::string>{"b.md", "deeper/c.md"}));
  // The parent becomes the root: ids are re-based on it, without duplicates,
  // even when not pruning.
  index(/*prune=*/false);
  EXPECT_EQ(ids(), (std::set<std::string>{"a.md", "sub/b.md", "sub/deeper/c.md"}));
  EXPECT_EQ(doc_count(), 3u);
}

// Pruning a subfolder compares ids, not id terms: an id longer than 200 bytes
// is stored as a hashed term, whose head once hid it from a subfolder's prune.
TEST_F(Indexer, DeletedFileWithLongIdUnderLongSubfolderIsRemoved) {
  const std::string folder = "long-folder-" + std::string(70, 'f');  // 82 bytes
  const std::string file = folder + "/" + std::string(140, 'n') + ".md";
  ASSERT_GT(file.size(), 200u);  // hashed id term
  write(file, news_file("Long story"));
  write(folder + "/other.md", news_file("Other story"));  // the folder is not left empty
  index();
  ASSERT_TRUE(ids().count(news::schema::id_term(file).substr(1)));
  fs::remove(root() / file);
  news::IndexStats s = index(true, {(root() / folder).string()});
  EXPECT_EQ(s.removed, 1u);
  EXPECT_EQ(with_word("long"), 0u);
}

TEST_F(Indexer, DeletedFileWithLongIdIsRemovedWhenTheRootIsWalked) {
  const std::string folder = "long-folder-" + std::string(70, 'f');
  const std::string file = folder + "/" + std::string(140, 'n') + ".md";
  write(file, news_file("Long story"));
  index();
  ASSERT_EQ(with_word("long"), 1u);
  fs::remove(root() / file);
  EXPECT_EQ(index().removed, 1u);
  EXPECT_EQ(with_word("long"), 0u);
}

TEST_F(Indexer, FixedRejectedFileIsIndexed) {
  index();
  write("sub/broken.md", news_file("Fixed story"));
  news::IndexStats s = index();
  EXPECT_EQ(s.indexed, 1u);
  EXPECT_EQ(s.rejected, 0u);
  EXPECT_TRUE(ids().count("sub/broken.md"));
}

TEST_F(Indexer, FileWhosePathIsNotUtf8IsRejectedNamingTheReason) {
  write("bad\xff-name.md", news_file("Badly named story"));
  news::IndexStats s = index();
  EXPECT_EQ(s.indexed, 3u);
  EXPECT_EQ(s.rejected, 2u);  // sub/broken.md and this one
  ASSERT_EQ(observer_.rejected_files.size(), 2u);
  bool named = false;
  for (const auto& line : observer_.rejected_files) {
    named = named || line.find("-name.md: its path is not valid UTF-8") != std::string::npos;
  }
  EXPECT_TRUE(named) << observer_.rejected_files[0] << "\n" << observer_.rejected_files[1];
  EXPECT_EQ(with_word("badly"), 0u);
}

TEST_F(Indexer, FileNamedDirectlyIsRelativeToItsFolder) {
  news::IndexStats s = index(true, {(root() / "sub" / "deeper" / "c.md").string()});
  EXPECT_EQ(s.indexed, 1u);
  EXPECT_EQ(ids(), std::set<std::string>{"c.md"});
}

TEST_F(Indexer, HiddenFilesAreIgnored) {
  write(".hidden.md", news_file("Hidden story"));
  write(".git/config.md", news_file("Git story"));
  index();
  EXPECT_EQ(ids(), (std::set<std::string>{"a.md", "sub/b.md", "sub/deeper/c.md"}));
}

TEST_F(Indexer, CheckpointRecordsTheDocumentCount) {
  index();
  Xapian::Database db(db_path());
  auto checkpoint = nlohmann::json::parse(db.get_metadata(news::kCheckpointKey));
  EXPECT_EQ(checkpoint["documents"], 3);
  EXPECT_EQ(db.get_metadata(std::string(news::schema::kMetaSchemaVersion)),
            news::schema::kSchemaVersion);
}

TEST_F(Indexer, SmallBatchesCommitMoreOften) {
  news::IndexOptions options;
  options.db_path = db_path();
  options.batch_size = 1;
  CountingObserver observer;
  news::IndexStats s = news::index_paths({root().string()}, options, observer);
  EXPECT_EQ(s.indexed, 3u);
  EXPECT_GE(s.commits, 3u);
  EXPECT_EQ(doc_count(), 3u);
}

// The spelling dictionary counts each plain word once per document holding
// it, however the run is cut into batches (the words of a batch reach the
// writer with the change that closes it; the rest with the end of the run),
// and follows replaced and removed documents, pruned in batches of their own.
TEST_F(Indexer, SpellingDictionaryFollowsTheDocumentsWhateverTheBatches) {
  const std::vector<std::string> titles = {
      "Harbour ferries resume service",   "Ferries strike ends at harbour",
      "Quokka census counts record year", "Record harvest for apple growers",
      "Apple growers fear early frost",   "Frost warning for harbour towns",
      "Census shows towns growing",
  };
  for (std::size_t batch : {1u, 2u, 3u, 5000u}) {
    SCOPED_TRACE("batch size " + std::to_string(batch));
    fs::remove_all(db_path());
    fs::remove_all(root());
    for (std::size_t i = 0; i < titles.size(); ++i) {
      write("s" + std::to_string(i) + ".md", news_file(titles[i]));
    }
    news::IndexOptions options;
    options.db_path = db_path();
    options.batch_size = batch;
    CountingObserver observer;
    news::IndexStats first = news::index_paths({root().string()}, options, observer);
    ASSERT_EQ(first.indexed, titles.size());
    {
      Xapian::Database db(db_path());
      EXPECT_EQ(news::testing::spelling_count(db, "harbour"), 3u);
      EXPECT_EQ(news::testing::spelling_count(db, "quokka"), 1u);
      EXPECT_EQ(news::testing::spelling_mismatches(db), std::vector<std::string>{});
    }

    write("s0.md", news_file("Harbour ferries cancelled by storm"));
    write("s3.md", news_file("Wombat sightings double"));
    fs::remove(root() / "s2.md");
    fs::remove(root() / "s6.md");
    news::IndexStats second = news::index_paths({root().string()}, options, observer);
    EXPECT_EQ(second.indexed, 2u);
    EXPECT_EQ(second.removed, 2u);
    Xapian::Database db(db_path());
    EXPECT_EQ(news::testing::spelling_count(db, "quokka"), 0u);
    EXPECT_EQ(news::testing::spelling_count(db, "census"), 0u);
    EXPECT_EQ(news::testing::spelling_count(db, "harvest"), 0u);
    EXPECT_EQ(news::testing::spelling_count(db, "wombat"), 1u);
    EXPECT_EQ(news::testing::spelling_count(db, "harbour"), 3u);
    EXPECT_EQ(news::testing::spelling_mismatches(db), std::vector<std::string>{});
  }
}

// Xapian 1.4 reads how many documents it buffers before writing them into
// its tables from the environment: the indexer sets its measured figure, and
// keeps one the user set.
TEST_F(Indexer, SetsXapiansFlushThresholdUnlessTheUserDid) {
  const char* before = std::getenv("XAPIAN_FLUSH_THRESHOLD");
  std::optional<std::string> saved = before ? std::optional<std::string>(before) : std::nullopt;
  ::unsetenv("XAPIAN_FLUSH_THRESHOLD");
  index();
  const char* set = std::getenv("XAPIAN_FLUSH_THRESHOLD");
  ASSERT_NE(set, nullptr);
  EXPECT_GT(std::atoi(set), 0);
  EXPECT_LT(std::atoi(set), 10000);  // Xapian's own default
  ::setenv("XAPIAN_FLUSH_THRESHOLD", "777", 1);
  write("d.md", news_file("Delta story"));
  index();
  EXPECT_STREQ(std::getenv("XAPIAN_FLUSH_THRESHOLD"), "777");
  if (saved) {
    ::setenv("XAPIAN_FLUSH_THRESHOLD", saved->c_str(), 1);
  } else {
    ::unsetenv("XAPIAN_FLUSH_THRESHOLD");
  }
}

TEST_F(Indexer, MissingPathThrowsNoSuchPath) {
  try {
    index(true, {(dir_ / "nowhere").string()});
    ADD_FAILURE() << "no error";
  } catch (const news::Error& e) {
    EXPECT_EQ(e.kind(), news::Error::Kind::kNoSuchPath);
  }
  EXPECT_FALSE(fs::exists(db_path()));  // nothing half-written
}

// Every file seen is counted once: indexed, unchanged, skipped, rejected or gone.
void expect_sum_holds(const news::IndexStats& s) {
  EXPECT_EQ(s.indexed + s.unchanged + s.skipped + s.rejected + s.vanished, s.seen)
      << s.indexed << " indexed, " << s.unchanged << " unchanged, " << s.skipped << " skipped, "
      << s.rejected << " rejected, " << s.vanished << " vanished";
}

// Deletes a file when the walk reports the FIFO named before it: the walk has
// listed the file by then, and reading it comes later.
class DeletingObserver : public CountingObserver {
 public:
  fs::path fifo, doomed;
  void skipped(const std::string& file, const std::string& reason) override {
    CountingObserver::skipped(file, reason);
    if (file == fifo.string()) fs::remove(doomed);
  }
};

// A file deleted between the walk and its reading is gone, not "not a news
// document": counted as such, and its document pruned with the vanished
// files'. (It was once counted as skipped and its document kept.)
TEST_F(Indexer, FileDeletedAfterTheWalkIsCountedAsGoneAndItsDocumentRemoved) {
  ASSERT_EQ(index().indexed, 3u);
  ASSERT_EQ(::mkfifo((root() / "0-fifo").c_str(), 0644), 0);
  DeletingObserver observer;
  observer.fifo = root() / "0-fifo";
  observer.doomed = root() / "a.md";
  news::IndexOptions options;
  options.db_path = db_path();
  news::IndexStats s = news::index_paths({root().string()}, options, observer);
  EXPECT_FALSE(fs::exists(root() / "a.md"));
  EXPECT_EQ(s.vanished, 1u);
  EXPECT_EQ(s.seen, 6u);  // the FIFO too
  EXPECT_EQ(s.skipped, 2u);
  EXPECT_EQ(s.removed, 1u);
  expect_sum_holds(s);
  EXPECT_EQ(ids(), (std::set<std::string>{"sub/b.md", "sub/deeper/c.md"}));
}

// Non-news files of any size beside the news are skipped, not rejected; a
// news file over the size limit is still rejected, with its reason.
TEST_F(Indexer, LargeFileIsSkippedUnlessItOpensAsANewsFile) {
  write("video.mp4", "");
  fs::resize_file(root() / "video.mp4", 17u << 20);  // zeros, no front matter
  write("huge.md", "---\ntitle: huge\n---\n");
  fs::resize_file(root() / "huge.md", 17u << 20);
  news::IndexStats s = index();
  EXPECT_EQ(s.skipped, 2u);   // notes.txt, video.mp4
  EXPECT_EQ(s.rejected, 2u);  // sub/broken.md, huge.md
  expect_sum_holds(s);
  std::string rejected;
  for (const auto& line : observer_.rejected_files) rejected += line + "\n";
  EXPECT_NE(rejected.find("huge.md: file is larger than 16 MiB"), std::string::npos) << rejected;
  EXPECT_EQ(rejected.find("video.mp4"), std::string::npos) << rejected;
}

// A folder given that holds no files (an unmounted disk's mount point) keeps
// its documents, and its roots, unless prune_empty says otherwise.
TEST_F(Indexer, EmptyFolderKeepsItsDocumentsUnlessPruneEmpty) {
  ASSERT_EQ(index().indexed, 3u);
  std::set<std::string> before = ids();
  fs::remove_all(root());
  fs::create_directories(root() / "empty-sub");
  news::IndexStats s = index();
  EXPECT_EQ(s.removed, 0u);
  EXPECT_EQ(ids(), before);

  news::IndexOptions options;
  options.db_path = db_path();
  options.prune_empty = true;
  CountingObserver observer;
  s = news::index_paths({root().string()}, options, observer);
  EXPECT_EQ(s.removed, 3u);
  EXPECT_EQ(doc_count(), 0u);
}

TEST_F(Indexer, EmptySubfolderGivenKeepsItsDocuments) {
  ASSERT_EQ(index().indexed, 3u);
  fs::remove(root() / "sub" / "deeper" / "c.md");
  news::IndexStats s = index(true, {(root() / "sub" / "deeper").string()});
  EXPECT_EQ(s.removed, 0u);
  EXPECT_EQ(doc_count(), 3u);
  // Walked from above, the folder is one among others: its vanished file goes.
  EXPECT_EQ(index().removed, 1u);
}

// A folder whose documents are all gone already is no reason to warn.
TEST_F(Indexer, EmptyFolderWithNoDocumentsIsNoConcern) {
  fs::create_directories(dir_ / "nothing");
  news::IndexStats s = index(true, {(dir_ / "nothing").string()});
  EXPECT_EQ(s.seen, 0u);
  EXPECT_EQ(doc_count(), 0u);
}

TEST_F(Indexer, SummaryCountsAddUpOverAMixedFolder) {
  write(".hidden.md", news_file("Hidden"));
  write("big.bin", "");
  fs::resize_file(root() / "big.bin", 17u << 20);
  ASSERT_EQ(::mkfifo((root() / "pipe").c_str(), 0644), 0);
  fs::create_symlink("nowhere", root() / "broken-link");
  fs::create_symlink("a.md", root() / "link-to-a.md");
  fs::create_directory_symlink("sub", root() / "link-to-sub");
  fs::create_directory_symlink(dir_.path(), root() / "link-out");
  write("../outside.md", news_file("Outside"));
  fs::create_symlink(dir_ / "outside.md", root() / "link-out.md");
  fs::create_directories(root() / "empty");
  news::IndexStats s = index();
  // a.md, link-to-a.md, sub/b.md, sub/deeper/c.md, notes.txt, sub/broken.md,
  // big.bin, pipe, broken-link, link-out.md
  EXPECT_EQ(s.seen, 10u);
  EXPECT_EQ(s.indexed, 4u);
  EXPECT_EQ(s.rejected, 1u);
  EXPECT_EQ(s.skipped, 5u);
  expect_sum_holds(s);
  s = index();
  EXPECT_EQ(s.unchanged, 4u);
  expect_sum_holds(s);
}

TEST(IndexerSeeds, SeedsIndexWithOneRejection) {
  news::testing::TempDir dir;
  news::IndexOptions options;
  options.db_path = (dir / "db").string();
  CountingObserver observer;
  news::IndexStats s = news::index_paths({NEWS_SEEDS_DIR}, options, observer);
  EXPECT_EQ(s.rejected, 1u);
  ASSERT_EQ(observer.rejected_files.size(), 1u);
  EXPECT_NE(observer.rejected_files[0].find("project-innereye"), std::string::npos);
  EXPECT_EQ(s.indexed + s.rejected + s.skipped, s.seen);
  EXPECT_EQ(Xapian::Database(options.db_path).get_doccount(), s.indexed);
  EXPECT_GT(s.indexed, 200u);
}

}  // namespace
