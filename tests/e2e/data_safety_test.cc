// news-index never deletes, overwrites or silently drops what is not its own:
// folders that look like its working folders, folders given as --db by
// mistake, documents of other folders with the same relative path, and
// databases of other programs (db_folder.h, indexer.h).
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <xapian.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "prior/prior_order.h"
#include "program_support.h"
#include "schema/schema.h"
#include "test_support.h"

namespace fs = std::filesystem;
using news::testing::CommandResult;
using news::testing::describe;
using news::testing::news_index;
using news::testing::news_search;
using news::testing::TempDir;
using news::testing::write_file;

namespace {

// A small news file whose title holds `word`.
void write_news(const fs::path& path, const std::string& word, int quality = 50) {
  fs::create_directories(path.parent_path());
  write_file(path, "---\ntitle: \"" + word + " report\"\nexcerpt: \"About " + word +
                       ".\"\npublishedDateTime: 2021-03-01T10:00:00Z\nquality: " +
                       std::to_string(quality) + "\nheat: 10\n---\n");
}

std::set<std::string> ids_in(const fs::path& db) {
  std::set<std::string> ids;
  Xapian::Database database(db.string());
  for (auto it = database.postlist_begin(""); it != database.postlist_end(""); ++it) {
    ids.insert(database.get_document(*it).get_value(news::schema::kId));
  }
  return ids;
}

// Every file under `folder`, relative, with its bytes.
std::map<std::string, std::string> contents(const fs::path& folder) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) {
      out[entry.path().lexically_relative(folder).string()] =
          news::testing::read_file(entry.path());
    }
  }
  return out;
}

// --- Folders named like the indexer's own ---------------------------------

TEST(DataSafetyFolders, AFolderNamedLikeThePartsFolderIsIndexedNotDeleted) {
  TempDir tmp;
  fs::path db = tmp / "r1" / "news";
  fs::path user = tmp / "r1" / "news.parts";
  for (int i = 0; i < 3; ++i) write_news(user / ("doc" + std::to_string(i) + ".md"), "walrus");
  auto before = contents(user);

  CommandResult r = news_index({"--db", db.string(), user.string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(contents(user), before) << "the user's folder was changed";
  EXPECT_EQ(ids_in(db).size(), 3u);
  // A second run does not take it for the parts of a build cut short.
  r = news_index({"--db", db.string(), user.string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(contents(user), before);
}

TEST(DataSafetyFolders, AUsersPartsFolderBesideTheDatabaseIsLeftAloneByASplitBuild) {
  TempDir tmp;
  fs::path corpus = tmp / "corpus";
  for (int i = 0; i < 40; ++i) write_news(corpus / ("n" + std::to_string(i) + ".md"), "otter", i);
  fs::path db = tmp / "pdb";
  fs::path user = tmp / "pdb.parts";
  write_news(user / "mine.md", "heron");
  write_file(user / "notes.txt", "keep me\n");
  auto before = contents(user);

  // --split-from 1 would build in two parts in pdb.parts: the folder is not
  // the indexer's, so it builds in one go instead.
  CommandResult r =
      news_index({"--db", db.string(), "--split-from", "1", "--threads", "2", corpus.string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_NE(r.err.find("was not made by news-index"), std::string::npos) << describe(r);
  EXPECT_EQ(contents(user), before) << "the user's folder was changed";
  EXPECT_EQ(ids_in(db).size(), 40u);
  r = news_index({"--db", db.string(), corpus.string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(contents(user), before);
}

TEST(DataSafetyFolders, ASplitBuildStillUsesAndRemovesItsOwnPartsFolder) {
  TempDir tmp;
  fs::path corpus = tmp / "corpus";
  for (int i = 0; i < 40; ++i) write_news(corpus / ("n" + std::to_string(i) + ".md"), "otter", i);
  fs::path db = tmp / "db";
  CommandResult r =
      news_index({"--db", db.string(), "--split-from", "1", "--threads", "2", corpus.string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(r.err.find("one go"), std::string::npos) << describe(r);
  EXPECT_FALSE(fs::exists(tmp / "db.parts"));
  EXPECT_TRUE(news::prior::in_prior_order(Xapian::Database(db.string())));
  EXPECT_EQ(ids_in(db).size(), 40u);
}

TEST(DataSafetyFolders, ANonEmptyFolderThatIsNotADatabaseIsRefusedUntouched) {
  TempDir tmp;
  fs::path corpus = tmp / "corpus";
  write_news(corpus / "a.md", "badger");
  for (const std::vector<std::string>& names :
       {std::vector<std::string>{"holiday.glass", "draft.tmp", "notes.txt"},
        std::vector<std::string>{"postlist.glass", "termlist.glass"},
        std::vector<std::string>{"report.pdf"}}) {
    fs::path folder = tmp / ("downloads-" + names[0]);
    for (const auto& name : names) write_file(folder / name, "the user's " + name + "\n");
    auto before = contents(folder);
    CommandResult r = news_index({"--db", folder.string(), corpus.string()});
    EXPECT_EQ(r.status, 3) << describe(r);
    EXPECT_NE(r.err.find(folder.string()), std::string::npos) << describe(r);
    EXPECT_NE(r.err.find("new or empty folders"), std::string::npos) << describe(r);
    EXPECT_EQ(contents(folder), before) << "files in " << folder << " were changed";
  }
  // --db naming a file.
  fs::path file = tmp / "file";
  write_file(file, "text\n");
  CommandResult r = news_index({"--db", file.string(), corpus.string()});
  EXPECT_EQ(r.status, 3) << describe(r);
  EXPECT_EQ(news::testing::read_file(file), "text\n");
}

TEST(DataSafetyFolders, AnEmptyDatabasePathIsABadCommandLine) {
  TempDir tmp;
  write_news(tmp / "corpus" / "a.md", "badger");
  CommandResult r = news_index({"--db", "", (tmp / "corpus").string()});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_NE(r.err.find("database path is empty"), std::string::npos) << describe(r);
}

TEST(DataSafetyFolders, AnEmptyFolderBecomesTheDatabase) {
  TempDir tmp;
  write_news(tmp / "corpus" / "a.md", "badger");
  fs::create_directories(tmp / "empty");
  CommandResult r = news_index({"--db", (tmp / "empty").string(), (tmp / "corpus").string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(ids_in(tmp / "empty").size(), 1u);
  EXPECT_FALSE(fs::exists(tmp / "empty" / "news-index-creating"));
}

TEST(DataSafetyFolders, AShardedCreationCutShortIsClearedNotBuiltBeside) {
  TempDir tmp;
  fs::path corpus = tmp / "corpus";
  for (int i = 0; i < 6; ++i) write_news(corpus / ("n" + std::to_string(i) + ".md"), "lynx");
  fs::path db = tmp / "db";
  ASSERT_EQ(news_index({"--db", db.string(), "--shards", "3", corpus.string()}).status, 0);
  // As a creation cut short before its stub was written leaves it.
  fs::remove(db / "XAPIANDB");
  write_file(db / "news-index-creating", "");
  CommandResult r = news_index({"--db", db.string(), corpus.string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_NE(r.err.find("created anew"), std::string::npos) << describe(r);
  EXPECT_FALSE(fs::exists(db / "shard-00"));
  EXPECT_EQ(ids_in(db).size(), 6u);

  // Without the marker (not provably the indexer's), the folder is refused.
  fs::path other = tmp / "other";
  ASSERT_EQ(news_index({"--db", other.string(), "--shards", "2", corpus.string()}).status, 0);
  fs::remove(other / "XAPIANDB");
  r = news_index({"--db", other.string(), corpus.string()});
  EXPECT_EQ(r.status, 3) << describe(r);
  EXPECT_TRUE(fs::exists(other / "shard-00" / "iamglass"));
}

// --- Ids that two files would share -----------------------------------------

TEST(DataSafetyIds, SameNameUnderTwoFoldersIndexedInTurnIsACollisionNotAReplacement) {
  TempDir tmp;
  fs::path archive = tmp / "archive";
  write_news(archive / "2021" / "budget.md", "austerity");
  write_news(archive / "2022" / "budget.md", "stimulus");
  fs::path db = tmp / "db";
  ASSERT_EQ(news_index({"--db", db.string(), (archive / "2021").string()}).status, 0);
  CommandResult r = news_index({"--db", db.string(), (archive / "2022").string()});
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_NE(r.err.find((archive / "2022" / "budget.md").string()), std::string::npos)
      << describe(r);
  EXPECT_NE(r.err.find((archive / "2021" / "budget.md").string()), std::string::npos)
      << describe(r);
  EXPECT_NE(r.out.find(
                "1 files seen: 0 indexed, 0 unchanged, 0 skipped (not news documents), 1 rejected"),
            std::string::npos)
      << describe(r);
  // The first is still there, unchanged.
  CommandResult found = news_search({"--db", db.string(), "--count", "austerity"});
  EXPECT_EQ(found.out, "1\n") << describe(found);

  // Indexing the folder that holds both gives each an id of its own.
  r = news_index({"--db", db.string(), archive.string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(ids_in(db), (std::set<std::string>{"2021/budget.md", "2022/budget.md"}));
}

TEST(DataSafetyIds, SameNameUnderTwoFoldersInOneRunIsReportedAndCounted) {
  TempDir tmp;
  write_news(tmp / "arch" / "reuters" / "x.md", "reindeer");
  write_news(tmp / "arch" / "reuters" / "y.md", "yak");
  write_news(tmp / "arch" / "bbc" / "x.md", "bison");
  fs::path db = tmp / "db";
  CommandResult r = news_index(
      {"--db", db.string(), (tmp / "arch" / "reuters").string(), (tmp / "arch" / "bbc").string()});
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_NE(r.out.find("3 files seen: 2 indexed"), std::string::npos) << describe(r);
  EXPECT_NE(r.err.find((tmp / "arch" / "bbc" / "x.md").string()), std::string::npos) << describe(r);

  // Two files given directly with one name.
  fs::path db2 = tmp / "db2";
  r = news_index({"--db", db2.string(), (tmp / "arch" / "reuters" / "x.md").string(),
                  (tmp / "arch" / "bbc" / "x.md").string()});
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_NE(r.out.find("2 files seen: 1 indexed"), std::string::npos) << describe(r);

  // One file named twice (a folder and a folder inside it) is read once, quietly.
  fs::path db3 = tmp / "db3";
  r = news_index(
      {"--db", db3.string(), (tmp / "arch").string(), (tmp / "arch" / "reuters").string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(ids_in(db3).size(), 3u);
}

TEST(DataSafetyIds, AMovedFolderKeepsItsDocumentsWithoutACollision) {
  TempDir tmp;
  write_news(tmp / "old" / "archive" / "a.md", "gazelle");
  write_news(tmp / "old" / "archive" / "b.md", "ibex");
  fs::path db = tmp / "db";
  ASSERT_EQ(news_index({"--db", db.string(), (tmp / "old" / "archive").string()}).status, 0);
  fs::create_directories(tmp / "new");
  fs::rename(tmp / "old" / "archive", tmp / "new" / "archive");
  CommandResult r = news_index({"--db", db.string(), (tmp / "new" / "archive").string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(ids_in(db), (std::set<std::string>{"a.md", "b.md"}));
}

TEST(DataSafetyIds, ABrokenSymlinkOnTheCommandLineTakesNothingAway) {
  TempDir tmp;
  write_news(tmp / "archive" / "2021" / "a.md", "kestrel");
  write_news(tmp / "archive" / "2021" / "b.md", "merlin");
  fs::path db = tmp / "db";
  ASSERT_EQ(news_index({"--db", db.string(), (tmp / "archive" / "2021").string()}).status, 0);
  fs::create_symlink(tmp / "nowhere", tmp / "broken");
  fs::create_symlink(tmp / "loop", tmp / "loop");
  for (const char* link : {"broken", "loop"}) {
    CommandResult r = news_index({"--db", db.string(), (tmp / link).string()});
    EXPECT_EQ(r.status, 1) << describe(r);
    EXPECT_NE(r.err.find("cannot be resolved"), std::string::npos) << describe(r);
    EXPECT_EQ(ids_in(db), (std::set<std::string>{"a.md", "b.md"})) << link;
  }
  // And the next run still gives the files their own ids.
  write_news(tmp / "archive" / "2021" / "c.md", "hobby");
  CommandResult r = news_index({"--db", db.string(), (tmp / "archive" / "2021").string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(ids_in(db), (std::set<std::string>{"a.md", "b.md", "c.md"}));
}

TEST(DataSafetyIds, AFileGivenBesideAnIndexedFolderTakesNothingFromIt) {
  TempDir tmp;
  fs::path archive = tmp / "archive";
  write_news(archive / "2021" / "a.md", "kestrel");
  write_news(archive / "2021" / "b.md", "merlin");
  write_news(archive / "notes.md", "osprey");
  fs::path db = tmp / "db";
  ASSERT_EQ(news_index({"--db", db.string(), (archive / "2021").string()}).status, 0);
  CommandResult r = news_index({"--db", db.string(), (archive / "notes.md").string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(ids_in(db), (std::set<std::string>{"a.md", "b.md", "notes.md"}));
  // The folder walked later re-roots all of them, once each.
  r = news_index({"--db", db.string(), archive.string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(ids_in(db), (std::set<std::string>{"2021/a.md", "2021/b.md", "notes.md"}));
}

TEST(DataSafetyIds, AFileNamedLikeALongIdsTermIsADocumentOfItsOwn) {
  TempDir tmp;
  fs::path corpus = tmp / "corpus";
  std::string long_name = std::string(230, 'l') + ".md";
  // The name of the term a long id is given, taken as a file name.
  std::string term = news::schema::id_term(long_name);
  std::string lookalike = term.substr(news::schema::kIdPrefix.size());
  ASSERT_LE(lookalike.size(), 250u);
  write_news(corpus / long_name, "pelican");
  write_news(corpus / lookalike, "cormorant");
  fs::path db = tmp / "db";
  CommandResult r = news_index({"--db", db.string(), corpus.string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(ids_in(db), (std::set<std::string>{long_name, lookalike}));
  EXPECT_NE(news::schema::id_term(long_name), news::schema::id_term(lookalike));
}

// --- Databases of other programs --------------------------------------------

TEST(DataSafetyForeign, ADatabaseOfAnotherProgramIsNeitherWrittenNorSearched) {
  TempDir tmp;
  write_news(tmp / "corpus" / "a.md", "marmot");
  fs::path db = tmp / "omega";
  {
    Xapian::WritableDatabase omega(db.string(), Xapian::DB_CREATE);
    Xapian::Document doc;
    doc.set_data("url=/a.html\nsample=marmot");
    doc.add_term("marmot");
    omega.add_document(doc);
    omega.commit();
  }
  CommandResult r = news_index({"--db", db.string(), (tmp / "corpus").string()});
  EXPECT_EQ(r.status, 3) << describe(r);
  EXPECT_NE(r.err.find("not written by news-index"), std::string::npos) << describe(r);
  EXPECT_EQ(Xapian::Database(db.string()).get_doccount(), 1u);
  r = news_search({"--db", db.string(), "marmot"});
  EXPECT_NE(r.status, 0) << describe(r);
  EXPECT_NE(r.err.find("not written by news-index"), std::string::npos) << describe(r);
}

// --- A first build on a disk with little room ---------------------------------

// A tmpfs of `megabytes`, unmounted when it goes; not mounted (and skipped)
// where the test may not mount.
class SmallDisk {
 public:
  SmallDisk(const fs::path& at, int megabytes) : at_(at) {
    fs::create_directories(at);
    std::string options = "size=" + std::to_string(megabytes) + "m";
    mounted_ = ::mount("tmpfs", at.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(at_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  fs::path at_;
  bool mounted_ = false;
};

std::uintmax_t folder_bytes(const fs::path& folder) {
  std::uintmax_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

TEST(DataSafetyDisk, AFirstBuildTooLargeToSplitOnTheDiskIsBuiltInOneGo) {
  TempDir tmp;
  // 3,000 news files: the seeds, each title given a word of its own.
  fs::path corpus = tmp / "corpus";
  std::vector<std::string> seeds;
  for (const auto& entry : fs::recursive_directory_iterator(NEWS_SEEDS_DIR)) {
    if (entry.is_regular_file()) seeds.push_back(news::testing::read_file(entry.path()));
  }
  ASSERT_GT(seeds.size(), 100u);
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = seeds[std::size_t(i) % seeds.size()];
    std::size_t title = bytes.find("\ntitle: ");
    if (title != std::string::npos) bytes.insert(title + 8, "w" + std::to_string(i) + "x ");
    write_file(corpus / ("n" + std::to_string(i) + ".md"), bytes);
  }
  // A disk with room for a build in one go and a third more, which a split
  // build (both parts, then the merged database beside them) does not fit.
  fs::path reference = tmp / "reference";
  CommandResult one_go =
      news_index({"--db", reference.string(), "--split-from", "0", corpus.string()});
  ASSERT_LE(one_go.status, 1) << describe(one_go);
  const std::uintmax_t one_go_bytes = folder_bytes(reference);
  SmallDisk disk(tmp / "disk", int(one_go_bytes * 4 / 3 / (1 << 20)) + 1);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here";

  fs::path db = tmp / "disk" / "db";
  CommandResult r =
      news_index({"--db", db.string(), "--split-from", "1", "--threads", "2", corpus.string()});
  EXPECT_EQ(r.status, one_go.status) << describe(r);
  EXPECT_NE(r.err.find("built in one go"), std::string::npos) << describe(r);
  EXPECT_EQ(Xapian::Database(db.string()).get_doccount(),
            Xapian::Database(reference.string()).get_doccount());
  EXPECT_FALSE(fs::exists(tmp / "disk" / "db.parts"));
}

}  // namespace
