// The scanner (core/index/scanner.h) alone: a temp folder, no database.
#include "index/scanner.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "index_support.h"
#include "schema/schema.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

// What the database holds, as the test sets it: root terms by id, and
// whether a scope holds documents.
class FakeIndexed : public news::IndexedDocuments {
 public:
  bool any_in(const news::PruneScope& scope) const override {
    for (const auto& [id, root] : root_of) {
      if (root == scope.root_term && id.starts_with(scope.id_prefix)) return true;
    }
    return false;
  }
  std::string root_term_of(const std::string& id) const override {
    auto it = root_of.find(id);
    return it == root_of.end() ? "" : it->second;
  }
  std::map<std::string, std::string> root_of;
};

class ScannerTest : public ::testing::Test {
 protected:
  void write(const std::string& relative, const std::string& bytes = "x") {
    news::testing::write_file(dir_ / relative, bytes);
  }
  fs::path canonical(const std::string& relative) const { return fs::canonical(dir_ / relative); }
  std::string term(const std::string& relative) const {
    return news::schema::root_term(canonical(relative).string());
  }
  std::vector<news::InputFile> scan(const std::vector<std::string>& relative,
                                    std::vector<fs::path> indexed_roots = {}) {
    std::vector<std::string> paths;
    for (const auto& path : relative) paths.push_back((dir_ / path).string());
    options_.db_path = (dir_ / "db").string();
    scanner_ = std::make_unique<news::Scanner>(options_, std::move(indexed_roots), indexed_,
                                               observer_, stats_);
    return scanner_->scan(paths);
  }
  static std::vector<std::string> ids(const std::vector<news::InputFile>& files) {
    std::vector<std::string> out;
    for (const auto& file : files) out.push_back(file.id);
    return out;
  }

  news::testing::TempDir dir_;
  news::IndexOptions options_;
  FakeIndexed indexed_;
  news::testing::RecordingObserver observer_;
  news::IndexStats stats_;
  std::unique_ptr<news::Scanner> scanner_;
};

TEST_F(ScannerTest, FindsFilesInNameOrderWithIdsRelativeToTheRoot) {
  write("news/b.md");
  write("news/a/z.md");
  write("news/a/y.md");
  write("news/.hidden.md");
  auto files = scan({"news"});
  EXPECT_EQ(ids(files), (std::vector<std::string>{"a/y.md", "a/z.md", "b.md"}));
  for (const auto& file : files) EXPECT_EQ(*file.root_term, term("news"));
  EXPECT_EQ(files[2].path, (dir_ / "news/b.md").string());
  EXPECT_EQ(scanner_->roots(), (std::vector<fs::path>{canonical("news")}));
  ASSERT_EQ(scanner_->prune_scopes().size(), 1u);
  EXPECT_EQ(scanner_->prune_scopes()[0].id_prefix, "");
  EXPECT_EQ(stats_.seen, 0u);  // files are counted when the run takes them
}

TEST_F(ScannerTest, SkipsWhatIsNotARegularFileAndCountsIt) {
  write("news/a.md");
  ASSERT_EQ(::mkfifo((dir_ / "news/pipe").c_str(), 0600), 0);
  auto files = scan({"news"});
  EXPECT_EQ(ids(files), (std::vector<std::string>{"a.md"}));
  EXPECT_EQ(stats_.seen, 1u);
  EXPECT_EQ(stats_.skipped, 1u);
  ASSERT_EQ(observer_.skipped_files.size(), 1u);
  EXPECT_CONTAINS(observer_.skipped_files[0], "not a regular file");
}

TEST_F(ScannerTest, AFileNamedDirectlyIsRelativeToItsFolder) {
  write("news/sub/a.md");
  auto files = scan({"news/sub/a.md"});
  EXPECT_EQ(ids(files), (std::vector<std::string>{"a.md"}));
  EXPECT_EQ(*files[0].root_term, term("news/sub"));
  EXPECT_TRUE(scanner_->prune_scopes().empty());  // a file given prunes nothing
}

TEST_F(ScannerTest, ASubfolderOfAnIndexedRootKeepsTheRootsIdsAndPrunesOnlyItself) {
  write("news/sub/a.md");
  auto files = scan({"news/sub"}, {canonical("news")});
  EXPECT_EQ(ids(files), (std::vector<std::string>{"sub/a.md"}));
  ASSERT_EQ(scanner_->prune_scopes().size(), 1u);
  EXPECT_EQ(scanner_->prune_scopes()[0].root_term, term("news"));
  EXPECT_EQ(scanner_->prune_scopes()[0].id_prefix, "sub/");
}

TEST_F(ScannerTest, AFolderThatHoldsAnIndexedRootEnclosesIt) {
  write("news/sub/a.md");
  auto files = scan({"news"}, {canonical("news/sub")});
  EXPECT_EQ(ids(files), (std::vector<std::string>{"sub/a.md"}));
  EXPECT_EQ(scanner_->roots(), (std::vector<fs::path>{canonical("news")}));
  const auto& scopes = scanner_->prune_scopes();
  ASSERT_EQ(scopes.size(), 2u);
  EXPECT_TRUE(scopes[0].enclosed_root);
  EXPECT_EQ(scopes[0].root_term, term("news/sub"));
  EXPECT_EQ(scopes[0].relocated, "sub/");
  // The enclosed root's old documents go even with --no-prune.
  options_.prune = false;
  ASSERT_EQ(scanner_->prunable().size(), 1u);
  EXPECT_TRUE(scanner_->prunable()[0].enclosed_root);
}

TEST_F(ScannerTest, TwoRootsWithOneIdRejectTheSecondByName) {
  write("one/a.md");
  write("two/a.md");
  auto files = scan({"one", "two"});
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(*files[0].root_term, term("one"));
  EXPECT_EQ(stats_.rejected, 1u);
  ASSERT_EQ(observer_.rejected_files.size(), 1u);
  EXPECT_CONTAINS(observer_.rejected_files[0], (dir_ / "two/a.md").string());
  EXPECT_CONTAINS(observer_.rejected_files[0], "already that of");
}

TEST_F(ScannerTest, TheRootThatHoldsTheIdInTheDatabaseKeepsIt) {
  write("one/a.md");
  write("two/a.md");
  indexed_.root_of["a.md"] = term("two");
  auto files = scan({"one", "two"});
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(*files[0].root_term, term("two"));
  ASSERT_EQ(observer_.rejected_files.size(), 1u);
  EXPECT_CONTAINS(observer_.rejected_files[0], (dir_ / "one/a.md").string());
}

TEST_F(ScannerTest, AnEmptyFolderWithDocumentsChangesNothing) {
  fs::create_directories(dir_ / "news");
  indexed_.root_of["a.md"] = term("news");
  auto files = scan({"news"}, {canonical("news")});
  EXPECT_TRUE(files.empty());
  EXPECT_TRUE(scanner_->prune_scopes().empty());
  ASSERT_EQ(observer_.warnings.size(), 1u);
  EXPECT_CONTAINS(observer_.warnings[0], "holds no files");
}

TEST_F(ScannerTest, AnEmptyFolderIsPrunedWhenToldTo) {
  fs::create_directories(dir_ / "news");
  indexed_.root_of["a.md"] = term("news");
  options_.prune_empty = true;
  scan({"news"}, {canonical("news")});
  EXPECT_EQ(scanner_->prune_scopes().size(), 1u);
  EXPECT_TRUE(observer_.warnings.empty());
}

TEST_F(ScannerTest, AnUnreadableFolderIsNamedAndItsIdsKept) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every folder";
  write("news/a.md");
  write("news/locked/b.md");
  fs::permissions(dir_ / "news/locked", fs::perms::none);
  auto files = scan({"news"});
  EXPECT_EQ(ids(files), (std::vector<std::string>{"a.md"}));
  EXPECT_EQ(stats_.unreadable, 1u);
  EXPECT_EQ(scanner_->unreadable(), (std::vector<std::string>{"locked/"}));
  EXPECT_TRUE(news::is_under("locked/b.md", "locked/"));
  EXPECT_FALSE(news::is_under("lockedness.md", "locked"));
}

TEST_F(ScannerTest, StoredRootsAreReadFromTheirMetadata) {
  EXPECT_EQ(news::stored_roots(R"(["/a", "/b/c", 3])"), (std::vector<fs::path>{"/a", "/b/c"}));
  EXPECT_TRUE(news::stored_roots("").empty());
}

}  // namespace
