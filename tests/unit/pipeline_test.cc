// The pipeline (core/index/pipeline.h) alone: files and a snapshot in,
// outcomes out, no writer.
#include "index/pipeline.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "document/document_builder.h"
#include "index/snapshot.h"
#include "index_support.h"
#include "schema/schema.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

class PipelineTest : public ::testing::Test {
 protected:
  news::InputFile file(const std::string& id, const std::string& bytes) {
    news::testing::write_file(dir_ / id, bytes);
    return {(dir_ / id).string(), id, &root_term_};
  }
  news::Outcome process(const news::InputFile& input, bool rebuild = false) {
    news::Snapshot snapshot({&db_}, {});
    return news::process(input, snapshot, rebuild, builder_, nullptr);
  }
  // Adds the outcome's document to the database the snapshots are taken of.
  Xapian::docid index(news::Outcome out) { return db_.add_document(out.document); }

  news::testing::TempDir dir_;
  std::string root_term_ = news::schema::root_term("/news");
  news::DocumentBuilder builder_;
  Xapian::WritableDatabase db_{std::string(), Xapian::DB_BACKEND_INMEMORY};
};

TEST_F(PipelineTest, ANewsFileBecomesADocumentWithItsIdWordsAndUrl) {
  auto out =
      process(file("a.md", news::testing::news_text("Alpha story", 50, "https://example.com/a")));
  ASSERT_EQ(out.kind, news::Outcome::Kind::kIndexed) << out.reason;
  EXPECT_EQ(out.document.get_value(news::schema::kId), "a.md");
  EXPECT_FALSE(out.old_docid);
  EXPECT_FALSE(out.url_term.empty());
  EXPECT_NE(std::find(out.words.begin(), out.words.end(), "alpha"), out.words.end());
  EXPECT_FALSE(out.fatal);
}

TEST_F(PipelineTest, AFileWhoseBytesAreIndexedIsUnchangedUnlessRebuilding) {
  auto input = file("a.md", news::testing::news_text("Alpha story"));
  Xapian::docid docid = index(process(input));
  auto again = process(input);
  EXPECT_EQ(again.kind, news::Outcome::Kind::kUnchanged);
  EXPECT_EQ(again.old_docid, docid);
  auto rebuilt = process(input, /*rebuild=*/true);
  EXPECT_EQ(rebuilt.kind, news::Outcome::Kind::kIndexed);
  EXPECT_EQ(rebuilt.old_docid, docid);
}

TEST_F(PipelineTest, AChangedFileIsIndexedAsANewVersion) {
  auto input = file("a.md", news::testing::news_text("Alpha story"));
  Xapian::docid docid = index(process(input));
  news::testing::write_file(dir_ / "a.md", news::testing::news_text("Alpha story, revised"));
  auto out = process(input);
  EXPECT_EQ(out.kind, news::Outcome::Kind::kIndexed);
  EXPECT_EQ(out.old_docid, docid);
}

TEST_F(PipelineTest, WhatIsNotNewsIsSkippedAndBrokenNewsRejected) {
  auto notes = process(file("notes.txt", "Just notes.\n"));
  EXPECT_EQ(notes.kind, news::Outcome::Kind::kNotADocument);
  auto broken = process(file("broken.md", "---\ntitle: [unclosed\n---\n"));
  EXPECT_EQ(broken.kind, news::Outcome::Kind::kRejected);
  EXPECT_FALSE(broken.reason.empty());
}

TEST_F(PipelineTest, AFileGoneSinceTheWalkHasVanished) {
  auto input = file("a.md", news::testing::news_text("Alpha story"));
  fs::remove(input.path);
  EXPECT_EQ(process(input).kind, news::Outcome::Kind::kVanished);
}

TEST_F(PipelineTest, OutcomesComeInTheOrderOfTheFilesWhateverTheThreads) {
  std::vector<news::InputFile> files;
  for (int i = 0; i < 200; ++i) {
    std::string id = "f" + std::to_string(i) + ".md";
    files.push_back(i % 7 == 3 ? file(id, "not news\n")
                               : file(id, news::testing::news_text("Story " + id)));
  }
  news::Snapshot snapshot({&db_}, {});
  news::Pipeline pipeline(files, snapshot, false, /*threads=*/3, /*readers=*/5);
  for (std::size_t i = 0; i < files.size(); ++i) {
    news::Outcome out = pipeline.take(i);
    if (i % 7 == 3) {
      EXPECT_EQ(out.kind, news::Outcome::Kind::kNotADocument) << i;
    } else {
      ASSERT_EQ(out.kind, news::Outcome::Kind::kIndexed) << i;
      EXPECT_EQ(out.document.get_value(news::schema::kId), files[i].id);
    }
  }
}

TEST(Snapshot, KnowsIdsHashesAndOwnersByDatabase) {
  Xapian::WritableDatabase one(std::string(), Xapian::DB_BACKEND_INMEMORY);
  Xapian::WritableDatabase two(std::string(), Xapian::DB_BACKEND_INMEMORY);
  news::Hash hash = news::content_hash("bytes");
  Xapian::Document doc =
      news::testing::plain_document("a.md", 0.5, {}, news::schema::root_term("/second"));
  doc.add_value(news::schema::kContentHash, std::string(news::as_bytes(hash)));
  two.add_document(news::testing::plain_document("b.md", 0.5));
  Xapian::docid docid = two.add_document(doc);
  news::Snapshot snapshot({&one, &two}, {"/first", "/second"});
  EXPECT_FALSE(snapshot.docid(0, news::schema::id_term("a.md")));
  ASSERT_EQ(snapshot.docid(1, news::schema::id_term("a.md")), docid);
  EXPECT_EQ(snapshot.hash(1, docid), hash);
  EXPECT_FALSE(snapshot.hash(1, 1));  // stored without a hash
  ASSERT_NE(snapshot.owner(1, docid), nullptr);
  EXPECT_EQ(*snapshot.owner(1, docid), fs::path("/second"));
  EXPECT_EQ(*snapshot.owner_term(1, docid), news::schema::root_term("/second"));
  EXPECT_EQ(snapshot.owner(1, 1), nullptr);  // its root is not one of those asked about
}

}  // namespace
