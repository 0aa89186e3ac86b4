// The walk of the folders given, end to end: folders nested past PATH_MAX,
// what the summary line counts, large files that are not news, and a folder
// given that holds nothing (an unmounted disk).
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <xapian.h>

#include <climits>
#include <cstring>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "program_support.h"
#include "schema/schema.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using news::testing::command_line;
using news::testing::CommandResult;
using news::testing::describe;
using news::testing::run_command;
using news::testing::TempDir;
using news::testing::write_file;

std::string news_file(const std::string& title) {
  return "---\ntitle: \"" + title + "\"\nexcerpt: \"About " + title + ".\"\nquality: 50\n---\n";
}

// news-index under `timeout`: a walk that hangs fails the test instead of
// holding up the suite.
CommandResult index_with_timeout(const std::vector<std::string>& args) {
  return run_command("timeout 300 " + command_line(NEWS_INDEX_BIN, args));
}

// Removes a folder and what it holds, however deep: std::filesystem's
// remove_all stops at PATH_MAX, and `rm -rf` takes seconds on thousands of
// levels. Goes down to a folder without sub-folders, empties it, removes it
// from its parent (reached by `..`), and so on up; one descriptor at a time.
void remove_deep(const fs::path& top) {
  int fd = ::open(top.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  std::vector<std::string> names;  // the folders between the top and fd
  while (fd >= 0) {
    std::string sub;
    DIR* dir = ::fdopendir(::dup(fd));
    for (const dirent* entry; dir && (entry = ::readdir(dir));) {
      std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      if (::unlinkat(fd, name.c_str(), 0) != 0 && sub.empty()) sub = name;  // a folder
    }
    if (dir) ::closedir(dir);
    if (!sub.empty()) {
      int child = ::openat(fd, sub.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child < 0) break;
      ::close(fd);
      fd = child;
      names.push_back(sub);
      continue;
    }
    if (names.empty()) break;
    int parent = ::openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(fd);
    fd = parent;
    if (fd >= 0) ::unlinkat(fd, names.back().c_str(), AT_REMOVEDIR);
    names.pop_back();
  }
  if (fd >= 0) ::close(fd);
  std::error_code ec;
  fs::remove_all(top, ec);
}

// A folder whose nested folders may go past PATH_MAX.
class DeepTree {
 public:
  explicit DeepTree(fs::path top) : top_(std::move(top)) { fs::create_directories(top_); }
  ~DeepTree() { remove_deep(top_); }

  // Makes `levels` nested folders "d" under the top (relative to its
  // descriptors, as no path reaches that deep) and writes `bytes` to `name`
  // at the bottom; returns that file's path relative to the top.
  std::string add_deep_file(int levels, const std::string& name, const std::string& bytes) {
    int fd = ::open(top_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    std::string relative;
    for (int i = 0; i < levels && fd >= 0; ++i) {
      ::mkdirat(fd, "d", 0755);
      int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ::close(fd);
      fd = next;
      relative += "d/";
    }
    if (fd < 0) ADD_FAILURE() << "cannot make the deep folders: " << std::strerror(errno);
    int file = ::openat(fd, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (file < 0 || ::write(file, bytes.data(), bytes.size()) != ssize_t(bytes.size())) {
      ADD_FAILURE() << "cannot write the deep file: " << std::strerror(errno);
    }
    ::close(file);
    ::close(fd);
    return relative + name;
  }

  const fs::path& path() const { return top_; }

 private:
  fs::path top_;
};

// The ids of a database's documents.
std::vector<std::string> ids_in(const fs::path& db_path) {
  Xapian::Database db(db_path.string());
  std::vector<std::string> ids;
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    ids.push_back(db.get_document(*it).get_value(news::schema::kId));
  }
  return ids;
}

// A file 3,000 folders deep, its path far past PATH_MAX, is walked, read and
// indexed, and a re-run keeps its document. (Such files were counted as
// skipped without a word, their documents pruned, and the walk took 45 s as
// every folder was resolved again from the top.)
TEST(Walk, FileThreeThousandFoldersDeepIsIndexedAndKept) {
  TempDir dir;
  DeepTree tree(dir / "corpus");
  write_file(tree.path() / "top.md", news_file("Top story"));
  std::string deep = tree.add_deep_file(3000, "deep.md", news_file("Deep story"));
  ASSERT_GT((tree.path() / deep).string().size(), std::size_t(PATH_MAX));
  fs::path db = dir / "db";

  CommandResult first = index_with_timeout({"--db", db.string(), tree.path().string()});
  EXPECT_EQ(first.status, 0) << describe(first);
  EXPECT_CONTAINS(first.out, "2 files seen: 2 indexed, 0 unchanged, 0 skipped");
  std::vector<std::string> ids = ids_in(db);
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_NE(std::find(ids.begin(), ids.end(), deep), ids.end()) << "the deep file is not indexed";

  CommandResult again = index_with_timeout({"--db", db.string(), tree.path().string()});
  EXPECT_EQ(again.status, 0) << describe(again);
  EXPECT_CONTAINS(again.out, "2 files seen: 0 indexed, 2 unchanged, 0 skipped");
  EXPECT_CONTAINS(again.out, "; 0 removed;");
  EXPECT_EQ(ids_in(db).size(), 2u);
}

// An entry the walk cannot make out, here a symlink past PATH_MAX (its
// target cannot be resolved to tell whether it leaves the folder), is
// named, makes the run exit 1, and keeps what was indexed under its name.
TEST(Walk, EntryThatCannotBeReadIsNamedAndItsDocumentKept) {
  TempDir dir;
  DeepTree tree(dir / "corpus");
  write_file(tree.path() / "top.md", news_file("Top story"));
  std::string deep = tree.add_deep_file(2500, "story.md", news_file("Deep story"));
  fs::path db = dir / "db";
  CommandResult first = index_with_timeout({"--db", db.string(), tree.path().string()});
  ASSERT_EQ(first.status, 0) << describe(first);
  ASSERT_EQ(ids_in(db).size(), 2u);

  // story.md becomes a symlink to a file beside it.
  std::string folder = deep.substr(0, deep.size() - std::string("story.md").size());
  tree.add_deep_file(2500, "other.md", "not news\n");
  int fd = ::open(tree.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (int i = 0; i < 2500 && fd >= 0; ++i) {
    int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(fd);
    fd = next;
  }
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::unlinkat(fd, "story.md", 0), 0);
  ASSERT_EQ(::symlinkat("other.md", fd, "story.md"), 0);
  ::close(fd);

  CommandResult again = index_with_timeout({"--db", db.string(), tree.path().string()});
  EXPECT_EQ(again.status, 1) << describe(again);
  EXPECT_CONTAINS(again.err, folder + "story.md: rejected: cannot read: File name too long");
  EXPECT_CONTAINS(again.err, "its documents are kept");
  EXPECT_CONTAINS(again.out, "; 0 removed; 1 folders or entries could not be read");
  std::vector<std::string> ids = ids_in(db);
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_NE(std::find(ids.begin(), ids.end(), deep), ids.end()) << "the document was pruned";
}

struct Summary {
  long seen = -1, indexed = -1, unchanged = -1, skipped = -1, rejected = -1, gone = 0, removed = -1;
};

// The numbers of the summary line; -1 where the line does not have them.
Summary summary_of(const std::string& out) {
  static const std::regex line(
      R"((\d+) files seen: (\d+) indexed, (\d+) unchanged, (\d+) skipped \(not news documents\), )"
      R"((\d+) rejected(, (\d+) gone before they were read)?; (\d+) removed)");
  std::smatch m;
  Summary s;
  if (!std::regex_search(out, m, line)) {
    ADD_FAILURE() << "no summary line in:\n" << out;
    return s;
  }
  s.seen = std::stol(m[1]);
  s.indexed = std::stol(m[2]);
  s.unchanged = std::stol(m[3]);
  s.skipped = std::stol(m[4]);
  s.rejected = std::stol(m[5]);
  if (m[7].matched) s.gone = std::stol(m[7]);
  s.removed = std::stol(m[8]);
  return s;
}

void make_socket(const fs::path& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0)
      << path << ": " << std::strerror(errno);
  ::close(fd);
}

// Every file seen lands in exactly one count, over a folder of every kind of
// entry. (The counts once missed symlinks and counted folders.)
TEST(Walk, SummaryCountsAddUpOverAMixedFolder) {
  TempDir dir;
  fs::path corpus = dir / "c";
  write_file(corpus / "one.md", news_file("One"));
  write_file(corpus / "sub" / "two.md", news_file("Two"));
  write_file(corpus / "notes.txt", "not news\n");
  write_file(corpus / "bad.md", "---\ntitle: [unclosed\n---\n");
  write_file(corpus / "video.mp4", "");
  fs::resize_file(corpus / "video.mp4", 17u << 20);
  write_file(corpus / "huge.md", "---\ntitle: huge\n---\n");
  fs::resize_file(corpus / "huge.md", 17u << 20);
  write_file(corpus / ".hidden.md", news_file("Hidden"));
  write_file(dir / "outside.md", news_file("Outside"));
  fs::create_symlink(dir / "outside.md", corpus / "out-link.md");
  fs::create_symlink("nowhere", corpus / "broken-link");
  fs::create_symlink("one.md", corpus / "one-link.md");
  fs::create_directory_symlink("sub", corpus / "sub-link");
  fs::create_directories(corpus / "empty");
  ASSERT_EQ(::mkfifo((corpus / "pipe").c_str(), 0644), 0);
  make_socket(corpus / "sock");
  fs::path db = dir / "db";

  CommandResult first = index_with_timeout({"--db", db.string(), corpus.string()});
  EXPECT_EQ(first.status, 1) << describe(first);  // bad.md, huge.md
  Summary s = summary_of(first.out);
  // one.md, one-link.md, sub/two.md; notes.txt, video.mp4, out-link.md,
  // broken-link, pipe, sock; bad.md, huge.md
  EXPECT_EQ(s.seen, 11) << first.out;
  EXPECT_EQ(s.indexed, 3) << first.out;
  EXPECT_EQ(s.skipped, 6) << first.out;
  EXPECT_EQ(s.rejected, 2) << first.out;
  EXPECT_EQ(s.indexed + s.unchanged + s.skipped + s.rejected + s.gone, s.seen) << first.out;
  EXPECT_NOT_CONTAINS(first.err, "video.mp4");
  EXPECT_CONTAINS(first.err, "huge.md: rejected: file is larger than 16 MiB");

  fs::remove(corpus / "sub" / "two.md");
  CommandResult again = index_with_timeout({"--db", db.string(), corpus.string()});
  s = summary_of(again.out);
  EXPECT_EQ(s.seen, 10) << again.out;
  EXPECT_EQ(s.unchanged, 2) << again.out;
  EXPECT_EQ(s.removed, 1) << again.out;
  EXPECT_EQ(s.indexed + s.unchanged + s.skipped + s.rejected + s.gone, s.seen) << again.out;
}

// A command prefix that runs a program as user nobody when the tests run as
// root (permissions do not stop root); empty when not root; nullopt when
// root cannot drop to nobody (no setpriv).
std::optional<std::string> as_nobody() {
  if (::geteuid() != 0) return "";
  for (const char* dir : {"/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
    std::string setpriv = std::string(dir) + "/setpriv";
    if (::access(setpriv.c_str(), X_OK) == 0) {
      return setpriv + " --reuid=65534 --regid=65534 --clear-groups ";
    }
  }
  return std::nullopt;
}

// Files and folders that cannot be read: a file is seen and rejected, a
// folder is counted apart, and the counts of the files still add up.
TEST(Walk, SummaryCountsAddUpWithUnreadableFilesAndFolders) {
  std::optional<std::string> prefix = as_nobody();
  if (!prefix) GTEST_SKIP() << "running as root and there is no setpriv to drop to nobody";
  TempDir dir;
  fs::path corpus = dir / "c";
  write_file(corpus / "one.md", news_file("One"));
  write_file(corpus / "notes.txt", "not news\n");
  write_file(corpus / "secret.md", news_file("Secret"));
  write_file(corpus / "locked" / "inside.md", news_file("Inside"));
  fs::create_directories(dir / "dbs");
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown((dir / "dbs").c_str(), 65534, 65534), 0);
  }
  fs::path db = dir / "dbs" / "db";
  fs::permissions(corpus / "secret.md", fs::perms::none);
  fs::permissions(corpus / "locked", fs::perms::none);

  CommandResult r =
      run_command("timeout 300 " + *prefix +
                  command_line(NEWS_INDEX_BIN, {"--db", db.string(), corpus.string()}));
  fs::permissions(corpus / "locked", fs::perms::owner_all);
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_CONTAINS(r.err,
                  (corpus / "secret.md").string() + ": rejected: cannot read: Permission denied");
  EXPECT_CONTAINS(
      r.err, (corpus / "locked").string() + ": rejected: cannot read folder: Permission denied");
  Summary s = summary_of(r.out);
  EXPECT_EQ(s.seen, 3) << r.out;  // one.md, notes.txt, secret.md
  EXPECT_EQ(s.indexed, 1) << r.out;
  EXPECT_EQ(s.skipped, 1) << r.out;
  EXPECT_EQ(s.rejected, 1) << r.out;
  EXPECT_EQ(s.indexed + s.unchanged + s.skipped + s.rejected + s.gone, s.seen) << r.out;
  EXPECT_CONTAINS(r.out,
                  "; 0 removed; 1 folders or entries could not be read (their documents are kept)");
}

// Videos beside the news are not news: skipped, and the run succeeds. (Every
// file over 16 MiB was rejected, so every run exited 1.)
TEST(Walk, LargeFilesThatAreNotNewsAreSkipped) {
  TempDir dir;
  fs::path corpus = dir / "c";
  write_file(corpus / "story.md", news_file("Story"));
  write_file(corpus / "clip.mp4", std::string("\0\0\0\x20"
                                              "ftypisom",
                                              12));
  fs::resize_file(corpus / "clip.mp4", 20u << 20);
  CommandResult r = index_with_timeout({"--db", (dir / "db").string(), corpus.string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_CONTAINS(r.out,
                  "2 files seen: 1 indexed, 0 unchanged, 1 skipped (not news documents), "
                  "0 rejected");
}

// A folder given that holds no files at all, while the database holds its
// documents (a disk not mounted), keeps them and says so; --prune-empty
// removes them. (They were all pruned, with exit status 0.)
TEST(Walk, EmptyFolderKeepsItsDocumentsUnlessPruneEmpty) {
  TempDir dir;
  fs::path corpus = dir / "archive";
  write_file(corpus / "a.md", news_file("Alpha"));
  write_file(corpus / "2021" / "b.md", news_file("Bravo"));
  fs::path db = dir / "db";
  ASSERT_EQ(index_with_timeout({"--db", db.string(), corpus.string()}).status, 0);

  fs::remove_all(corpus);
  fs::create_directories(corpus);
  CommandResult kept = index_with_timeout({"--db", db.string(), corpus.string()});
  EXPECT_EQ(kept.status, 0) << describe(kept);
  EXPECT_CONTAINS(kept.err, corpus.string() +
                                ": holds no files, but the database holds "
                                "documents from it: they are kept");
  EXPECT_CONTAINS(kept.err, "--prune-empty");
  EXPECT_CONTAINS(kept.out, "0 files seen");
  EXPECT_CONTAINS(kept.out, "; 0 removed;");
  EXPECT_EQ(ids_in(db).size(), 2u);

  CommandResult pruned =
      index_with_timeout({"--db", db.string(), "--prune-empty", corpus.string()});
  EXPECT_EQ(pruned.status, 0) << describe(pruned);
  EXPECT_CONTAINS(pruned.out, "; 2 removed;");
  EXPECT_NOT_CONTAINS(pruned.err, "holds no files");
  EXPECT_EQ(ids_in(db).size(), 0u);
}

}  // namespace
