// One folder holding every kind of bad input the indexer must survive, next to
// good files: each bad file gets exactly one line on stderr naming it and the
// reason, the good files are indexed, and the run ends with status 1.
#include <gtest/gtest.h>
#include <unistd.h>
#include <xapian.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>

#include "schema/schema.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using news::testing::CommandResult;
using news::testing::run_command;
using news::testing::shell_quote;
using news::testing::TempDir;
using news::testing::write_file;

std::string good_file(const std::string& title) {
  return "---\ntitle: \"" + title +
         "\"\nexcerpt: \"A perfectly ordinary excerpt.\"\n"
         "publishedDateTime: 2021-02-03T04:05:06Z\nquality: 50\nheat: 60\n---\n";
}

// "Billion laughs": nine levels of nine aliases each; expanded, 9^9 strings.
std::string alias_bomb() {
  std::string yaml = "---\ntitle: laughs\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  std::string previous = "a";
  for (char level = 'b'; level <= 'j'; ++level) {
    std::string name(1, level);
    yaml += name + ": &" + name + " [";
    for (int i = 0; i < 9; ++i) yaml += (i ? ",*" : "*") + previous;
    yaml += "]\n";
    previous = name;
  }
  return yaml + "topics: *" + previous + "\n---\n";
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    corpus_ = dir_ / "corpus";
    fs::create_directories(corpus_);
    write_file(corpus_ / "good-1.md", good_file("First good story"));
    write_file(corpus_ / "sub" / "good-2.md", good_file("Second good story"));
    write_file(corpus_ / "good-latin1.md",
               "---\ntitle: \"Caf\xe9 culture\"\nexcerpt: \"written in Windows-1252\"\n---\n");
    bad("empty.md", "", "empty");
    bad("binary.md", std::string("---\ntitle: x\0\0\0\x01\n---\n", 21), "binary");
    bad("unparseable.md", "---\ntitle: [unclosed\nexcerpt: x\n---\n", "YAML does not parse");
    bad("no-end.md", "---\ntitle: \"open\nexcerpt: never closed", "YAML does not parse");
    bad("huge.md", "---\ntitle: big\nexcerpt: \"" + std::string(2 << 20, 'x') + "\"\n---\n",
        "larger than");
    bad("deep-lists.md", "---\ntitle: deep\nx: " + std::string(100000, '[') + "\n---\n",
        "nested too deeply");
    bad("deep-maps.md", "---\ntitle: deep\nx: " + repeat("{a: ", 30000) + "\n---\n",
        "nested too deeply");
    bad("aliases.md", alias_bomb(), "topics: expected a list of strings");
    bad("aliases-long.md",
        "---\ntitle: &t " + std::string(100000, 'x') + "\nrelated:\n" +
            repeat("  - title: *t\n", 40) + "---\n",
        "related: title: YAML aliases repeat more than 3 MiB of text");
    bad("title-list.md", "---\ntitle: [a, b]\n---\n", "title: expected a string");
    bad("topics-map.md", "---\ntitle: t\ntopics: {a: b}\n---\n", "topics: expected a list");
    bad("quality-word.md", "---\ntitle: t\nquality: lots\n---\n",
        "quality: expected a whole number");
    bad("heat-range.md", "---\ntitle: t\nheat: 99999999999\n---\n",
        "heat: 99999999999 is out of range");
    bad("date.md", "---\ntitle: t\npublishedDateTime: last tuesday\n---\n",
        "publishedDateTime: 'last tuesday' is not an ISO 8601 date");
    // A symlink loop and a symlink out of the folder.
    fs::create_directories(corpus_ / "loop");
    fs::create_directory_symlink("..", corpus_ / "loop" / "up");
    write_file(dir_ / "outside.md", good_file("Outside the corpus"));
    fs::create_symlink(dir_ / "outside.md", corpus_ / "escape.md");
  }

  static std::string repeat(const std::string& text, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += text;
    return out;
  }

  void bad(const std::string& name, const std::string& bytes, const std::string& reason) {
    write_file(corpus_ / name, bytes);
    expected_[name] = reason;
  }

  CommandResult index() {
    return run_command(shell_quote(NEWS_INDEX_BIN) + " --db " +
                       shell_quote((dir_ / "db").string()) + " " + shell_quote(corpus_.string()));
  }

  TempDir dir_;
  fs::path corpus_;
  std::map<std::string, std::string> expected_;  // bad file -> part of its reason
};

TEST_F(BadInputTest, EveryBadFileGetsOneLineAndTheGoodFilesAreIndexed) {
  CommandResult r = index();
  EXPECT_EQ(r.status, 1) << "some files were rejected\n" << r.err;

  std::vector<std::string> lines;
  std::istringstream err(r.err);
  for (std::string line; std::getline(err, line);) lines.push_back(line);
  for (const auto& [name, reason] : expected_) {
    int naming = 0;
    for (const auto& line : lines) {
      if (line.find((corpus_ / name).string() + ":") == std::string::npos) continue;
      ++naming;
      EXPECT_NE(line.find(reason), std::string::npos) << name << ": " << line;
    }
    EXPECT_EQ(naming, 1) << name << " should be named on exactly one line:\n" << r.err;
  }
  auto line_about = [&](const std::string& what) {
    for (const auto& line : lines) {
      if (line.find(what) != std::string::npos) return line;
    }
    return std::string();
  };
  EXPECT_NE(line_about("loop/up").find("symlink loop"), std::string::npos) << r.err;
  EXPECT_NE(line_about("escape.md").find("leads out of the indexed folder"), std::string::npos)
      << r.err;
  EXPECT_NE(line_about("good-latin1.md").find("Windows-1252"), std::string::npos) << r.err;

  // The good files, and only they, are in the database.
  Xapian::Database db((dir_ / "db").string());
  EXPECT_EQ(db.get_doccount(), 3u);
  for (const char* id : {"good-1.md", "sub/good-2.md", "good-latin1.md"}) {
    EXPECT_EQ(db.get_termfreq(news::schema::id_term(id)), 1u) << id;
  }
  EXPECT_EQ(db.get_termfreq(news::schema::id_term("escape.md")), 0u) << "followed a symlink out";
  EXPECT_EQ(db.get_termfreq("caf\xc3\xa9"), 1u) << "Windows-1252 text read as such";
  EXPECT_NE(r.out.find("3 indexed"), std::string::npos) << r.out;
}

TEST_F(BadInputTest, FollowSymlinksFollowsALinkOutOfTheFolderWhenAsked) {
  CommandResult r =
      run_command(shell_quote(NEWS_INDEX_BIN) + " --follow-symlinks --db " +
                  shell_quote((dir_ / "db").string()) + " " + shell_quote(corpus_.string()));
  EXPECT_EQ(r.status, 1) << r.err;
  Xapian::Database db((dir_ / "db").string());
  EXPECT_EQ(db.get_termfreq(news::schema::id_term("escape.md")), 1u) << r.err;
}

TEST_F(BadInputTest, ARerunReportsTheSameProblemsAndKeepsTheDatabase) {
  CommandResult first = index();
  CommandResult second = index();
  EXPECT_EQ(second.status, 1);
  EXPECT_NE(second.out.find("0 indexed, 3 unchanged"), std::string::npos) << second.out;
  Xapian::Database db((dir_ / "db").string());
  EXPECT_EQ(db.get_doccount(), 3u);
}

}  // namespace
