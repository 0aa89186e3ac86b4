// End-to-end tests of what once hung or crashed the programs: files that
// block when opened or read (FIFOs, devices), limits on memory and on open
// files, stub files that lead back to themselves and damaged version files.
// Every command runs under a time limit, so that a hang fails a test rather
// than stopping the suite.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <xapian.h>

#include <filesystem>
#include <string>
#include <vector>

#include "program_support.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using news::testing::command_line;
using news::testing::CommandResult;
using news::testing::describe;
using news::testing::read_file;
using news::testing::run_command;
using news::testing::TempDir;
using news::testing::write_file;

constexpr std::size_t kSeedDocuments = 263;  // all but the corrupt innereye file

// The exit status of `timeout` when the command ran out of time.
constexpr int kTimedOut = 124;

// Runs a program under a time limit, after `limits` (shell commands such as
// "ulimit -v 100000 && "). A status of 128 + N means signal N.
CommandResult run_bounded(const char* program, const std::vector<std::string>& args,
                          const std::string& limits = "", int seconds = 60) {
  return run_command(limits + "timeout -k 5 " + std::to_string(seconds) + " " +
                     command_line(program, args));
}

CommandResult index_bounded(const std::vector<std::string>& args, const std::string& limits = "") {
  return run_bounded(NEWS_INDEX_BIN, args, limits);
}

CommandResult search_bounded(const std::vector<std::string>& args, const std::string& limits = "") {
  return run_bounded(NEWS_SEARCH_BIN, args, limits);
}

void make_fifo(const fs::path& path) {
  fs::create_directories(path.parent_path());
  ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0) << path;
}

std::string story(const std::string& title) { return "---\ntitle: " + title + "\n---\n"; }

bool under_address_sanitizer() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#endif
#endif
  return false;
}

// 1. Files that block: nothing waits on them, each is named.

TEST(HangsTest, FifoGivenDirectlyOrThroughASymlinkIsRejectedNotWaitedOn) {
  TempDir dir;
  write_file(dir / "corpus" / "good.md", story("Good"));
  make_fifo(dir / "pipe.md");
  fs::create_symlink(dir / "pipe.md", dir / "link.md");
  // One run each: the symlink and the FIFO are one file, so one id.
  for (const char* name : {"pipe.md", "link.md"}) {
    const std::string db = (dir / (std::string("db-") + name)).string();
    CommandResult r = index_bounded({"--db", db, (dir / name).string(), (dir / "corpus").string()});
    ASSERT_NE(r.status, kTimedOut) << "news-index waited on a FIFO";
    EXPECT_EQ(r.status, 1) << describe(r);
    EXPECT_CONTAINS(r.err, std::string(name) + ": rejected: not a regular file (a FIFO)");
    EXPECT_CONTAINS(r.out, "1 indexed");
    EXPECT_EQ(Xapian::Database(db).get_doccount(), 1u);
  }
}

TEST(HangsTest, DeviceGivenDirectlyIsRejectedNotRead) {
  TempDir dir;
  write_file(dir / "good.md", story("Good"));
  CommandResult r =
      index_bounded({"--db", (dir / "db").string(), "/dev/zero", (dir / "good.md").string()});
  ASSERT_NE(r.status, kTimedOut) << "news-index read a device without end";
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_CONTAINS(r.err, "/dev/zero: rejected: not a regular file (a character device)");
  EXPECT_CONTAINS(r.out, "1 indexed");
}

TEST(HangsTest, ConfigurationThatIsNotARegularFileOrIsHugeIsRefused) {
  TempDir dir;
  write_file(dir / "good.md", story("Good"));
  make_fifo(dir / "config.yaml");
  write_file(dir / "huge.yaml", std::string(2 << 20, '#'));
  struct Case {
    std::string config, message;
  };
  for (const Case& c : {Case{(dir / "config.yaml").string(), "not a regular file (a FIFO)"},
                        Case{"/dev/zero", "not a regular file (a character device)"},
                        Case{(dir / "huge.yaml").string(), "file is larger than 1 MiB"}}) {
    CommandResult index =
        index_bounded({"--config", c.config, "--db", (dir / "db").string(), dir.str()});
    ASSERT_NE(index.status, kTimedOut) << c.config;
    EXPECT_EQ(index.status, 2) << describe(index);
    EXPECT_CONTAINS(index.err, "news-index: " + c.config + ": " + c.message);
    CommandResult search = search_bounded({"--config", c.config, "--db", dir.str(), "word"});
    ASSERT_NE(search.status, kTimedOut) << c.config;
    EXPECT_EQ(search.status, 2) << describe(search);
    EXPECT_CONTAINS(search.err, "news-search: " + c.config + ": " + c.message);
  }
}

TEST(HangsTest, FifoNamedLikeAStubFileInADatabaseFolderIsRefusedByBothPrograms) {
  TempDir dir;
  write_file(dir / "corpus" / "good.md", story("Good"));
  const fs::path db = dir / "db";
  make_fifo(db / "XAPIANDB");
  CommandResult index = index_bounded({"--db", db.string(), (dir / "corpus").string()});
  ASSERT_NE(index.status, kTimedOut) << "news-index waited on the stub file";
  EXPECT_EQ(index.status, 3) << describe(index);
  EXPECT_CONTAINS(index.err,
                  "stub file " + (db / "XAPIANDB").string() + ": not a regular file (a FIFO)");
  CommandResult search = search_bounded({"--db", db.string(), "good"});
  ASSERT_NE(search.status, kTimedOut) << "news-search waited on the stub file";
  EXPECT_EQ(search.status, 3) << describe(search);
  EXPECT_CONTAINS(search.err,
                  "stub file " + (db / "XAPIANDB").string() + ": not a regular file (a FIFO)");
}

TEST(HangsTest, FifoAsADatabaseVersionFileIsRefusedByBothPrograms) {
  TempDir dir;
  write_file(dir / "corpus" / "good.md", story("Good"));
  const fs::path db = dir / "db";
  make_fifo(db / "iamglass");
  CommandResult search = search_bounded({"--db", db.string(), "good"});
  ASSERT_NE(search.status, kTimedOut);
  EXPECT_EQ(search.status, 3) << describe(search);
  EXPECT_CONTAINS(search.err, (db / "iamglass").string() + " is damaged");
  CommandResult index = index_bounded({"--db", db.string(), (dir / "corpus").string()});
  ASSERT_NE(index.status, kTimedOut);
  EXPECT_EQ(index.status, 3) << describe(index);
  EXPECT_CONTAINS(index.err, (db / "iamglass").string() + " is damaged");
  EXPECT_TRUE(fs::is_fifo(db / "iamglass")) << "the user's file was replaced";
}

// 2. Limits: the programs work or stop with exit status 3 and a message;
// never a signal.

// Under a limit on address space (ulimit -v, default stack sizes), from
// little to plenty, several runs each: news-index indexes as without the
// limit, or exits 3 saying it is out of memory or cannot start a thread, and
// the database opens either way. AddressSanitizer reserves far more address
// space than these limits leave, so the sanitizer build skips this test.
TEST(LimitsTest, UnderALimitOnAddressSpaceTheIndexerWorksOrExitsThreeWithAMessage) {
  if (under_address_sanitizer()) GTEST_SKIP() << "AddressSanitizer needs more address space";
  TempDir dir;
  const std::string free_db = (dir / "free").string();
  CommandResult free_run = index_bounded({"-q", "--db", free_db, NEWS_SEEDS_DIR});
  ASSERT_EQ(free_run.status, 1) << describe(free_run);  // the corrupt seed
  for (int megabytes : {50, 75, 100, 150, 300, 600}) {
    for (int run = 0; run < 3; ++run) {
      const std::string db =
          (dir / ("db-" + std::to_string(megabytes) + "-" + std::to_string(run))).string();
      CommandResult r = index_bounded({"-q", "--db", db, NEWS_SEEDS_DIR},
                                      "ulimit -v " + std::to_string(megabytes * 1024) + " && ");
      SCOPED_TRACE(std::to_string(megabytes) + " MB, run " + std::to_string(run) + ": " +
                   describe(r));
      ASSERT_TRUE(r.status == 1 || r.status == 3) << "killed by a signal or hung";
      if (r.status == 1) {
        EXPECT_EQ(r.err, free_run.err);
        EXPECT_EQ(Xapian::Database(db).get_doccount(), kSeedDocuments);
      } else {
        EXPECT_TRUE(r.err.find("news-index: ") == 0 &&
                    (r.err.find("out of memory") != std::string::npos ||
                     r.err.find("cannot start a thread") != std::string::npos));
        if (fs::exists(fs::path(db) / "iamglass")) {
          EXPECT_NO_THROW(Xapian::Database{db});
        }
      }
    }
  }
}

TEST(LimitsTest, UnderALimitOnAddressSpaceTheSearchWorksOrExitsThreeWithAMessage) {
  if (under_address_sanitizer()) GTEST_SKIP() << "AddressSanitizer needs more address space";
  TempDir dir;
  const std::string db = (dir / "db").string();
  ASSERT_EQ(index_bounded({"-q", "--db", db, NEWS_SEEDS_DIR}).status, 1);
  CommandResult free_run = search_bounded({"--db", db, "--json", "power", "apps"});
  ASSERT_EQ(free_run.status, 0) << describe(free_run);
  for (int megabytes : {20, 30, 50, 100}) {
    for (int run = 0; run < 3; ++run) {
      CommandResult r = search_bounded({"--db", db, "--json", "power", "apps"},
                                       "ulimit -v " + std::to_string(megabytes * 1024) + " && ");
      SCOPED_TRACE(std::to_string(megabytes) + " MB: " + describe(r));
      ASSERT_TRUE(r.status == 0 || r.status == 3) << "killed by a signal or hung";
      if (r.status == 0) {
        EXPECT_EQ(r.out, free_run.out);
      } else {
        EXPECT_CONTAINS(r.err, "news-search: out of memory");
      }
    }
  }
}

// Under a low limit on open files (ulimit -n), each run (a first build and a
// re-run, several times) indexes every file as without the limit, or stops
// once with exit status 3 and says so; no file is rejected for want of a
// descriptor.
TEST(LimitsTest, UnderALowLimitOnOpenFilesNoFileIsRejectedForWantOfADescriptor) {
  // The sanitizers' runtimes need descriptors of their own (UBSan's check of
  // a dynamic type reads the process's memory map and reports a false error
  // when it cannot): the normal build runs this test.
  if (under_address_sanitizer()) GTEST_SKIP() << "the sanitizers need descriptors of their own";
  TempDir dir;
  const std::string free_db = (dir / "free").string();
  CommandResult free_run = index_bounded({"--db", free_db, NEWS_SEEDS_DIR});
  ASSERT_EQ(free_run.status, 1) << describe(free_run);
  for (int limit : {16, 20, 24}) {
    const std::string db = (dir / ("db-" + std::to_string(limit))).string();
    const std::string ulimit = "ulimit -n " + std::to_string(limit) + " && ";
    for (int run = 0; run < 4; ++run) {
      CommandResult r = index_bounded({"--db", db, NEWS_SEEDS_DIR}, ulimit);
      SCOPED_TRACE("ulimit -n " + std::to_string(limit) + ", run " + std::to_string(run) + ": " +
                   describe(r));
      EXPECT_NOT_CONTAINS(r.err, "rejected: cannot read: Too many open files");
      ASSERT_TRUE(r.status == 1 || r.status == 3) << "killed by a signal or hung";
      if (r.status == 3) {
        EXPECT_CONTAINS(r.err, "open files");
        continue;
      }
      EXPECT_EQ(r.err, free_run.err);
      EXPECT_CONTAINS(r.out, "264 files seen: ");
      EXPECT_CONTAINS(r.out, " 0 skipped (not news documents), 1 rejected");
      EXPECT_EQ(Xapian::Database(db).get_doccount(), kSeedDocuments);
    }
  }
}

// 3. Stub files that lead back to themselves, and damaged version files.

TEST(DamagedDatabaseTest, StubFilesThatLeadBackToThemselvesAreRefusedByBothPrograms) {
  TempDir dir;
  write_file(dir / "corpus" / "good.md", story("Good"));
  write_file(dir / "self.stub", "auto self.stub\n");
  write_file(dir / "a.stub", "auto b.stub\n");
  write_file(dir / "b.stub", "# the other way\nauto a.stub\n");
  write_file(dir / "folder" / "XAPIANDB", "auto ../folder\n");
  write_file(dir / "deep" / "XAPIANDB", "auto ../deep.stub\n");
  write_file(dir / "deep.stub", "auto deep\n");
  for (const char* name : {"self.stub", "a.stub", "b.stub", "folder", "deep"}) {
    const std::string db = (dir / name).string();
    CommandResult search = search_bounded({"--db", db, "good"});
    EXPECT_EQ(search.status, 3) << name << ": " << describe(search);
    EXPECT_CONTAINS(search.err, "leads back to itself");
    CommandResult index = index_bounded({"--db", db, (dir / "corpus").string()});
    EXPECT_EQ(index.status, 3) << name << ": " << describe(index);
    // news-index writes no stub files: a stub given as --db is not a folder it can write.
    EXPECT_TRUE(index.err.find("leads back to itself") != std::string::npos ||
                index.err.find("is a stub file that news-index did not write") !=
                    std::string::npos ||
                index.err.find("is not a folder") != std::string::npos)
        << describe(index);
  }
  // A shard folder of a sharded database that holds a stub naming itself.
  const fs::path sharded = dir / "sharded";
  ASSERT_EQ(
      index_bounded({"-q", "--db", sharded.string(), "--shards", "2", (dir / "corpus").string()})
          .status,
      0);
  fs::remove_all(sharded / "shard-01");
  write_file(sharded / "shard-01" / "XAPIANDB", "auto .\n");
  CommandResult search = search_bounded({"--db", sharded.string(), "good"});
  EXPECT_EQ(search.status, 3) << describe(search);
  EXPECT_CONTAINS(search.err, "shard-01/XAPIANDB leads back to itself");
  CommandResult index = index_bounded({"--db", sharded.string(), (dir / "corpus").string()});
  EXPECT_EQ(index.status, 3) << describe(index);
  EXPECT_CONTAINS(index.err, "shard-01/XAPIANDB leads back to itself");
}

// Every byte of a real version file but its UUID (which neither program
// reads), changed to a few other values in turn: neither program dies of a
// signal; each either works (the byte did not matter) or exits 3 naming the
// damaged database, and a message that blames the version file says which
// command shows the damage.
TEST(DamagedDatabaseTest, NoOneByteChangeOfTheVersionFileKillsEitherProgram) {
  TempDir dir;
  const fs::path base = dir / "base";
  write_file(dir / "corpus" / "a.md", "---\ntitle: Power apps\nquality: 50\nheat: 20\n---\n");
  write_file(dir / "corpus" / "b.md", "---\ntitle: Power tools\nquality: 10\nheat: 90\n---\n");
  write_file(dir / "extra" / "c.md", story("Another power story"));
  ASSERT_EQ(index_bounded({"-q", "--db", base.string(), (dir / "corpus").string()}).status, 0);
  const std::string version = read_file(base / "iamglass");
  ASSERT_GT(version.size(), 40u);
  const fs::path copy = dir / "copy";
  int damaged = 0;
  for (std::size_t pos = 0; pos < version.size(); ++pos) {
    if (pos >= 16 && pos < 32) continue;  // the UUID
    auto original = static_cast<unsigned char>(version[pos]);
    // 0x40 and 0x7f in a table's level byte crashed libxapian (a B-tree of
    // 16 or 31 levels); the others flip flags and lengths.
    for (unsigned value : {0x00u, 0x40u, 0x7fu, original ^ 0x01u, original ^ 0x80u}) {
      if (value == original) continue;
      fs::remove_all(copy);
      fs::copy(base, copy);
      std::string changed = version;
      changed[pos] = static_cast<char>(value);
      write_file(copy / "iamglass", changed);
      SCOPED_TRACE("byte " + std::to_string(pos) + " set to " + std::to_string(value));
      for (bool search : {true, false}) {
        CommandResult r =
            search ? run_bounded(NEWS_SEARCH_BIN, {"--db", copy.string(), "power"}, "", 30)
                   : run_bounded(NEWS_INDEX_BIN,
                                 {"-q", "--db", copy.string(), (dir / "extra").string()}, "", 30);
        ASSERT_TRUE(r.status == 0 || r.status == 1 || r.status == 3)
            << (search ? "news-search" : "news-index")
            << " was killed by a signal or hung: " << describe(r);
        if (r.status != 3) continue;
        ++damaged;
        EXPECT_CONTAINS(r.err, copy.string());
        if (r.err.find("iamglass") != std::string::npos) {
          EXPECT_CONTAINS(r.err, "xapian-check " + copy.string());
        }
      }
    }
  }
  EXPECT_GT(damaged, 0) << "no change was noticed at all";
}

}  // namespace
