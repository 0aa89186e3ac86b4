// What the programs print, from hostile files and hostile arguments (issue
// #26): no escape sequence reaches a terminal through any output or message,
// ids printed by --ids are taken back by --like, a failed write of standard
// output is an error, NaN and infinities are refused, and a --db that holds
// no database is named with the reason.
#include <gtest/gtest.h>

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
using news::testing::news_index;
using news::testing::news_search;
using news::testing::run_command;
using news::testing::TempDir;
using news::testing::write_file;

// ESC, BEL and CSI (as a byte and as U+009B): what starts what a terminal
// obeys. (Nothing here prints a character whose UTF-8 holds a 0x9B byte.)
void expect_no_terminal_controls(const CommandResult& r, const std::string& what) {
  for (const std::string* stream : {&r.out, &r.err}) {
    const char* name = stream == &r.out ? "stdout" : "stderr";
    EXPECT_EQ(stream->find('\x1b'), std::string::npos) << what << ": ESC on " << name << "\n"
                                                       << describe(r);
    EXPECT_EQ(stream->find('\x07'), std::string::npos) << what << ": BEL on " << name << "\n"
                                                       << describe(r);
    EXPECT_EQ(stream->find('\x9b'), std::string::npos) << what << ": CSI on " << name << "\n"
                                                       << describe(r);
    EXPECT_EQ(stream->find("\xC2\x9B"), std::string::npos) << what << ": U+009B on " << name << "\n"
                                                           << describe(r);
  }
}

// Sets the window title, clears the screen, writes the clipboard (OSC 52) and
// starts an 8-bit CSI (U+009B), in YAML's double-quoted escapes.
const std::string kHostileYaml = "\\e]0;PWNED\\a\\e[2J\\e]52;c;SGVsbG8=\\a\\u009b2J";

class OutputSafetyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    fs::path news = dir_->path() / "news";
    write_file(news / "evil-title.md",
               "---\ntitle: \"Harbour " + kHostileYaml + " cranes\"\nexcerpt: \"harbour " +
                   kHostileYaml + " cranes \\\"quoted\\\"\"\nprovider:\n  name: \"Prov " +
                   kHostileYaml + "\"\ntopics: [\"Topic " + kHostileYaml + "\"]\ntype: \"article" +
                   kHostileYaml + "\"\nquality: 50\n---\n");
    write_file(news / "evil-quality.md",
               "---\ntitle: \"Harbour quality\"\nquality: \"" + kHostileYaml + "\"\n---\n");
    write_file(news / ("evil-name\x1b]0;PWNED\x07\n\x1b[2J.md"),
               "---\ntitle: \"Harbour by name\"\nquality: 40\n---\n");
    write_file(news /
                   "evil-bytes\x9b"
                   "2J.md",
               "---\ntitle: \"Harbour in bytes\"\n---\n");
    write_file(news / "plain.md", "---\ntitle: \"Harbour cranes idle\"\nquality: 30\n---\n");
    db_ = (dir_->path() / "db").string();
    first_ = new CommandResult(news_index({"--db", db_, "-v", news.string()}));
  }
  static void TearDownTestSuite() {
    delete first_;
    delete dir_;
  }

  static TempDir* dir_;
  static std::string db_;
  static CommandResult* first_;
};

TempDir* OutputSafetyTest::dir_ = nullptr;
std::string OutputSafetyTest::db_;
CommandResult* OutputSafetyTest::first_ = nullptr;

TEST_F(OutputSafetyTest, IndexerMessagesShowHostileValuesAndNamesVisibly) {
  const CommandResult& r = *first_;
  EXPECT_EQ(r.status, 1) << describe(r);
  expect_no_terminal_controls(r, "news-index");
  // The rejected quality, quoted, and the two odd file names, one line each.
  EXPECT_CONTAINS(r.err, "evil-quality.md: rejected: quality:");
  EXPECT_CONTAINS(r.err, "\\x1B]0;PWNED\\x07\\x1B[2J");
  EXPECT_CONTAINS(r.err, "evil-bytes\\x9B2J.md: rejected: its path is not valid UTF-8");
  EXPECT_CONTAINS(r.out, "3 indexed");
}

TEST_F(OutputSafetyTest, NoOutputFormatPassesEscapeSequencesOn) {
  for (const std::vector<std::string>& options : std::vector<std::vector<std::string>>{
           {},
           {"--explain", "--facets"},
           {"--json", "--facets"},
           {"--jsonl"},
           {"--csv"},
           {"--ids"},
           {"--count"},
       }) {
    std::vector<std::string> args = {"--db", db_, "--all"};
    args.insert(args.end(), options.begin(), options.end());
    args.push_back("harbour");
    CommandResult r = news_search(args);
    std::string what = "news-search";
    for (const auto& option : options) what += " " + option;
    EXPECT_EQ(r.status, 0) << what << ": " << describe(r);
    expect_no_terminal_controls(r, what);
    if (options.empty()) {
      EXPECT_CONTAINS(r.out, "Harbour \\x1B]0;PWNED\\x07");
    }
  }
}

TEST_F(OutputSafetyTest, MessagesQuotingTheQueryOrAnIdShowItVisibly) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"title:(\x1b]0;PWNED\x07 AND"},
           {"quality:\x1b[2J.."},
           {"--like", "no-such\x1b]0;PWNED\x07"},
           {"--sort", "\x1b]0;PWNED\x07", "harbour"},
           {"--since",
            "\x9b"
            "2J",
            "harbour"},
       }) {
    std::vector<std::string> full = {"--db", db_};
    full.insert(full.end(), args.begin(), args.end());
    CommandResult r = news_search(full);
    EXPECT_EQ(r.status, 2) << describe(r);
    expect_no_terminal_controls(r, args.front());
    EXPECT_FALSE(r.err.empty());
  }
}

TEST_F(OutputSafetyTest, IdsPrintedByIdsAreTakenBackByLike) {
  CommandResult ids = news_search({"--db", db_, "--ids", "--all", "harbour"});
  ASSERT_EQ(ids.status, 0) << describe(ids);
  std::string odd;
  std::size_t lines = 0;
  for (std::size_t start = 0, end; (end = ids.out.find('\n', start)) != std::string::npos;
       start = end + 1) {
    std::string id = ids.out.substr(start, end - start);
    ++lines;
    if (id.starts_with("evil-name")) odd = id;
  }
  EXPECT_EQ(lines, 3u) << "one line per result, whatever the id holds: " << ids.out;
  ASSERT_EQ(odd, "evil-name\\x1B]0;PWNED\\x07\\n\\x1B[2J.md");
  CommandResult like = news_search({"--db", db_, "--ids", "--like", odd});
  EXPECT_LE(like.status, 1) << describe(like);
  EXPECT_NOT_CONTAINS(like.err, "no document");
  EXPECT_NOT_CONTAINS(like.out, odd);  // the document itself is not among its likes
}

TEST_F(OutputSafetyTest, AFailedWriteOfStandardOutputIsAnError) {
  CommandResult search =
      run_command(command_line(NEWS_SEARCH_BIN, {"--db", db_, "harbour"}) + " >/dev/full");
  EXPECT_EQ(search.status, 4) << describe(search);
  EXPECT_CONTAINS(search.err, "news-search: cannot write the results to standard output: No space");
  CommandResult json = run_command(
      command_line(NEWS_SEARCH_BIN, {"--db", db_, "--json", "harbour"}) + " >/dev/full");
  EXPECT_EQ(json.status, 4) << describe(json);
  CommandResult index = run_command(
      command_line(NEWS_INDEX_BIN, {"--db", db_, (dir_->path() / "news" / "plain.md").string()}) +
      " >/dev/full");
  EXPECT_EQ(index.status, 5) << describe(index);
  EXPECT_CONTAINS(index.err, "news-index: cannot write the summary to standard output: No space");
}

TEST_F(OutputSafetyTest, NaNAndInfinitiesAreRefusedNamingTheOption) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--freshness-weight", "nan", "--half-life", "30d"},
           {"--quality-weight", "nan"},
           {"--heat-weight", "-nan"},
           {"--quality-weight", "inf"},
           {"--min-quality", "9223372036854775807"},
           {"--min-quality", "-9223372036854775808"},
           {"--half-life", std::string(400, '9') + "d"},
       }) {
    std::vector<std::string> full = {"--db", db_};
    full.insert(full.end(), args.begin(), args.end());
    full.push_back("harbour");
    CommandResult r = news_search(full);
    EXPECT_EQ(r.status, 2) << args[0] << " " << args[1] << ": " << describe(r);
    EXPECT_CONTAINS(r.err, args[0] == "--half-life" ? "half-life" : args[0]);
    EXPECT_CONTAINS(r.err, args[0] == "--half-life" ? "finite" : args[1]);
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  for (const std::string query : {"quality:nan..", "quality:..inf", "heat:1e999.."}) {
    CommandResult r = news_search({"--db", db_, query});
    EXPECT_EQ(r.status, 2) << query << ": " << describe(r);
    EXPECT_CONTAINS(r.err, "is not a finite number");
  }
}

TEST_F(OutputSafetyTest, ADbThatHoldsNoDatabaseIsNamedWithTheReason) {
  TempDir dir;
  fs::create_directories(dir / "empty");
  write_file(dir / "stub", "");
  struct Case {
    std::string db, message;
  } cases[] = {
      {(dir / "empty").string(),
       "no database at " + (dir / "empty").string() + ": it is an empty folder"},
      {(dir / "stub").string(),
       "no database at " + (dir / "stub").string() + ": the stub file lists no databases"},
      {"", "an empty path was given as the database"},
  };
  for (const auto& c : cases) {
    CommandResult r = news_search({"--db", c.db, "harbour"});
    EXPECT_EQ(r.status, 3) << describe(r);
    EXPECT_CONTAINS(r.err, c.message);
  }
}

TEST_F(OutputSafetyTest, OneDocumentCannotMakeAWildcardSearchSlow) {
  TempDir dir;
  std::string excerpt;
  // 2,000 words: more than a wildcard may expand to, fewer than a document
  // may add (kMaxDocumentTerms counts each word and its stem).
  for (int i = 0; i < 2000; ++i) excerpt += "w0" + std::to_string(10000 + i) + " ";
  write_file(dir / "news" / "many.md", "---\ntitle: \"Many\"\nexcerpt: \"" + excerpt + "\"\n---\n");
  write_file(dir / "news" / "few.md", "---\ntitle: \"Few w0nders\"\n---\n");
  std::string db = (dir / "db").string();
  CommandResult index = news_index({"--db", db, (dir / "news").string()});
  EXPECT_EQ(index.status, 0) << describe(index);
  CommandResult wide = news_search({"--db", db, "w0*"});
  EXPECT_EQ(wide.status, 2) << describe(wide);
  EXPECT_CONTAINS(wide.err, "a wildcard matches more than 1000 words");
  CommandResult narrow = news_search({"--db", db, "--ids", "w0n*"});
  EXPECT_EQ(narrow.status, 0) << describe(narrow);
  EXPECT_EQ(narrow.out, "few.md\n");
  std::string words;
  for (int i = 0; i < 30000; ++i) words += "w" + std::to_string(i) + " ";
  words.resize(8000);
  CommandResult long_query = news_search({"--db", db, words});
  EXPECT_EQ(long_query.status, 2) << describe(long_query);
  EXPECT_CONTAINS(long_query.err, "words; at most 256 are allowed");
}

}  // namespace
