// End-to-end tests of the two programs, news-index and news-search, run as a
// user runs them: real processes over the bundled seeds/, checked through
// their exit statuses, stdout/stderr, --json output, Xapian's own tools
// (xapian-check, quest) and the database itself.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <xapian.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "database_dump.h"
#include "program_support.h"
#include "schema/schema.h"
#include "search/relevance.h"
#include "search/search.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using news::testing::command_line;
using news::testing::CommandResult;
using news::testing::describe;
using news::testing::news_index;
using news::testing::news_search;
using news::testing::parse_json;
using news::testing::run_command;
using news::testing::shell_quote;
using news::testing::TempDir;
using news::testing::write_file;
using nlohmann::json;

constexpr std::size_t kSeedFiles = 264;
constexpr std::size_t kSeedDocuments = 263;  // all but the corrupt innereye file
constexpr const char* kCorruptSeed = "2020-12-01-project-innereye-";

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::vector<std::string> ids_of(const json& response) {
  std::vector<std::string> ids;
  if (!response.is_object() || !response.contains("results")) return ids;
  for (const auto& result : response["results"]) ids.push_back(result.value("id", ""));
  return ids;
}

std::string secured_value(const std::string& file_text) {
  static const std::regex kSecured(R"re((?:^|\n)secured:\s*"([^"]*)")re");
  std::smatch m;
  return std::regex_search(file_text, m, kSecured) ? m[1].str() : std::string();
}

std::vector<fs::path> seed_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(NEWS_SEEDS_DIR)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// ---------------------------------------------------------------------------
// The seeds, indexed once per test suite (twice: the second run must change
// nothing) into a database in a throwaway folder.

class CliSeedsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    db_ = (dir_->path() / "db").string();
    first_run_ = news_index({"--db", db_, NEWS_SEEDS_DIR});
    first_doccount_ = doccount();
    second_run_ = news_index({"--db", db_, NEWS_SEEDS_DIR});
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static Xapian::doccount doccount() {
    try {
      return Xapian::Database(db_).get_doccount();
    } catch (const Xapian::Error& e) {
      ADD_FAILURE() << "cannot open " << db_ << ": " << e.get_description();
      return 0;
    }
  }

  // news-search --db DB --json --all ARGS..., expected to succeed (status 0
  // or 1). --all: these tests compare matches with Xapian's own counts and
  // with quest, which know nothing of collapsing copies of a story (the
  // features tests cover that).
  static json search_json(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_, "--json", "--all"});
    CommandResult r = news_search(args);
    EXPECT_TRUE(r.status == 0 || r.status == 1) << describe(r);
    return parse_json(r);
  }

  // Every match of a search: a limit above the corpus size.
  static json search_all(std::vector<std::string> args) {
    args.insert(args.begin(), {"-n", "1000"});
    json response = search_json(args);
    if (response.is_object()) {
      EXPECT_EQ(response["total"], response["results"].size())
          << "with every match on the page, total must be exact";
    }
    return response;
  }

  static std::size_t count_all(const std::vector<std::string>& args) {
    json response = search_all(args);
    return response.is_object() ? response["results"].size() : 0;
  }

  static std::unique_ptr<TempDir> dir_;
  static std::string db_;
  static CommandResult first_run_, second_run_;
  static Xapian::doccount first_doccount_;
};

std::unique_ptr<TempDir> CliSeedsTest::dir_;
std::string CliSeedsTest::db_;
CommandResult CliSeedsTest::first_run_;
CommandResult CliSeedsTest::second_run_;
Xapian::doccount CliSeedsTest::first_doccount_ = 0;

// 1. Indexing the seeds.

TEST_F(CliSeedsTest, FirstIndexRunRejectsOnlyTheCorruptSeedAndExits1) {
  EXPECT_EQ(first_run_.status, 1) << describe(first_run_);
  EXPECT_CONTAINS(first_run_.err, kCorruptSeed);
  EXPECT_CONTAINS(first_run_.err, "rejected");
  // Exactly one file is named as rejected.
  std::istringstream lines(first_run_.err);
  int rejected_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("rejected") != std::string::npos) {
      ++rejected_lines;
      EXPECT_CONTAINS(line, kCorruptSeed);
    }
  }
  EXPECT_EQ(rejected_lines, 1) << first_run_.err;
  EXPECT_CONTAINS(first_run_.out, "264 files seen");
  EXPECT_CONTAINS(first_run_.out, "263 indexed");
  EXPECT_CONTAINS(first_run_.out, "0 unchanged");
  EXPECT_CONTAINS(first_run_.out, "1 rejected");
  EXPECT_EQ(first_doccount_, kSeedDocuments);
  EXPECT_EQ(seed_files().size(), kSeedFiles);
}

TEST_F(CliSeedsTest, SecondIndexRunFindsEverythingUnchanged) {
  EXPECT_EQ(second_run_.status, 1) << describe(second_run_);
  EXPECT_CONTAINS(second_run_.out, "264 files seen");
  EXPECT_CONTAINS(second_run_.out, "0 indexed");
  EXPECT_CONTAINS(second_run_.out, "263 unchanged");
  EXPECT_CONTAINS(second_run_.out, "0 removed");
  EXPECT_CONTAINS(second_run_.out, "1 rejected");
  EXPECT_CONTAINS(second_run_.err, kCorruptSeed);
  EXPECT_EQ(doccount(), first_doccount_);
  EXPECT_EQ(doccount(), kSeedDocuments);
  // news-search agrees with the database about the number of documents.
  json all = search_all({});
  EXPECT_EQ(all["total"], kSeedDocuments);
}

TEST_F(CliSeedsTest, XapianCheckAcceptsTheDatabase) {
  CommandResult r = run_command(shell_quote(XAPIAN_CHECK_BIN) + " " + shell_quote(db_));
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_CONTAINS(r.out, "No errors found");
}

// 3. news-search exit statuses.

TEST_F(CliSeedsTest, SearchExitsZeroWithResults) {
  CommandResult r = news_search({"--db", db_, "facial", "recognition"});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_CONTAINS(r.out, "facial");
}

TEST_F(CliSeedsTest, SearchExitsOneWithNoMatches) {
  CommandResult r = news_search({"--db", db_, "zzyzxqqvnonword"});
  EXPECT_EQ(r.status, 1) << describe(r);
  CommandResult j = news_search({"--db", db_, "--json", "zzyzxqqvnonword"});
  EXPECT_EQ(j.status, 1) << describe(j);
  json response = parse_json(j);
  EXPECT_EQ(response["total"], 0);
  EXPECT_TRUE(response["results"].empty());
}

TEST_F(CliSeedsTest, UnparseableQueryExitsTwoAndNamesTheQuery) {
  for (const std::string query : {"foo AND (", "AND", "OR OR", "quality:abc.."}) {
    SCOPED_TRACE(query);
    CommandResult r = news_search({"--db", db_, query});
    EXPECT_EQ(r.status, 2) << describe(r);
    EXPECT_CONTAINS(r.err, "'" + query + "'");
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  // Whatever the query, the program never crashes (no signal, no abort):
  // Xapian's parser falls back to plain words where it can.
  for (const std::string query : {"title:(", "\"unclosed AND OR", "*", "((((((((", "NOT", "-",
                                  "date:..", "topic:", "\x01\x1b[2J", "\xff\xfe bad utf8"}) {
    CommandResult r = news_search({"--db", db_, query});
    EXPECT_LE(r.status, 2) << query << ": " << describe(r);
    CommandResult j = news_search({"--db", db_, "--json", query});
    EXPECT_LE(j.status, 2) << query << ": " << describe(j);
    if (j.status < 2) parse_json(j);
  }
}

TEST_F(CliSeedsTest, BadOptionsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--no-such-option", "ai"},
           {"--sort", "sideways", "ai"},
           {"--limit", "many", "ai"},
           {"--quality-weight", "-1", "ai"},
       }) {
    std::vector<std::string> full = {"--db", db_};
    full.insert(full.end(), args.begin(), args.end());
    CommandResult r = news_search(full);
    EXPECT_EQ(r.status, 2) << args.front() << ": " << describe(r);
    EXPECT_FALSE(r.err.empty()) << args.front();
  }
  // A filter that cannot be parsed is also status 2.
  CommandResult r = news_search({"--db", db_, "--since", "last tuesday", "ai"});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_CONTAINS(r.err, "last tuesday");
}

TEST(CliTest, SearchWithMissingDatabaseExitsThreeAndSaysHowToCreateOne) {
  TempDir dir;
  std::string missing = (dir / "no-such-db").string();
  CommandResult r = news_search({"--db", missing, "ai"});
  EXPECT_EQ(r.status, 3) << describe(r);
  EXPECT_CONTAINS(r.err, missing);
  EXPECT_CONTAINS(r.err, "news-index");
  EXPECT_FALSE(fs::exists(missing)) << "searching must not create a database";
}

// A database inside the folder being indexed, the run's own or another, is
// walked past: its files are not news documents, and reading them as such
// would reject each one (exit status 1) on every run.
TEST(CliTest, DatabasesInsideTheIndexedFolderAreWalkedPast) {
  TempDir dir;
  const fs::path corpus = dir / "corpus";
  for (const char* name : {"one.md", "sub/two.md"}) {
    write_file(corpus / name, std::string("---\ntitle: Story ") + name + "\n---\n");
  }
  { Xapian::WritableDatabase other((corpus / "sub" / "other-db").string(), Xapian::DB_CREATE); }
  const std::string db = (corpus / "db").string();
  // A first build in two parts (the parts' folder is beside the database,
  // so inside the corpus too), then a re-run over the database as it is.
  CommandResult first =
      news_index({"--db", db, "--split-from", "1", "--threads", "2", "-v", corpus.string()});
  EXPECT_EQ(first.status, 0) << describe(first);
  EXPECT_CONTAINS(first.err, "other-db: skipped: a Xapian database");
  EXPECT_CONTAINS(first.out, "2 files seen: 2 indexed");
  CommandResult again = news_index({"--db", db, corpus.string()});
  EXPECT_EQ(again.status, 0) << describe(again);
  EXPECT_CONTAINS(again.out, "2 files seen: 0 indexed, 2 unchanged");
  EXPECT_EQ(Xapian::Database(db).get_doccount(), 2u);
}

// The system may refuse threads. Under a limit on address space, with thread
// stacks as large as the stack limit, news-index gets a few of the threads it
// asks for (1 GiB stacks in 4 GiB: its 64 readers cannot all start) and
// indexes on those; it gets none with 4 GiB stacks in 3 GiB, and then stops
// with exit status 3 and says why. AddressSanitizer reserves far more address
// space than either limit leaves, so the sanitizer build skips this test.
TEST(CliTest, IndexesOnTheThreadsTheSystemGrantsAndExitsThreeWithoutAny) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer needs more address space than the limits leave";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  GTEST_SKIP() << "AddressSanitizer needs more address space than the limits leave";
#endif
#endif
  rlimit stack{};
  if (getrlimit(RLIMIT_STACK, &stack) != 0 ||
      (stack.rlim_max != RLIM_INFINITY && stack.rlim_max < (rlim_t{4} << 30))) {
    GTEST_SKIP() << "the stack limit cannot be raised to 4 GiB here";
  }
  TempDir dir;
  auto index = [&](const std::string& limits, const std::string& db) {
    return run_command(limits + command_line(NEWS_INDEX_BIN, {"-q", "--db", db, NEWS_SEEDS_DIR}));
  };
  const std::string free_db = (dir / "free").string(), few_db = (dir / "few").string();
  CommandResult free_run = index("", free_db);
  ASSERT_EQ(free_run.status, 1) << describe(free_run);  // the corrupt seed
  CommandResult few = index("ulimit -s 1048576 && ulimit -v 4194304 && ", few_db);
  EXPECT_EQ(few.status, 1) << describe(few);
  EXPECT_EQ(few.err, free_run.err);
  EXPECT_EQ(Xapian::Database(few_db).get_doccount(), kSeedDocuments);
  EXPECT_EQ(news::testing::dump_database(few_db), news::testing::dump_database(free_db));

  const std::string none_db = (dir / "none").string();
  CommandResult none = index("ulimit -s 4194304 && ulimit -v 3145728 && ", none_db);
  EXPECT_EQ(none.status, 3) << describe(none);
  EXPECT_CONTAINS(none.err, "news-index: cannot start a thread");
  EXPECT_EQ(Xapian::Database(none_db).get_doccount(), 0u) << "the database is left whole";
}

// 4. JSON output and paging.

TEST_F(CliSeedsTest, JsonOutputHasTheDocumentedShape) {
  json response = search_json({"--limit", "7", "--offset", "0", "power", "apps"});
  ASSERT_TRUE(response.is_object());
  for (const char* key : {"query", "total", "offset", "limit", "results"}) {
    EXPECT_TRUE(response.contains(key)) << key;
  }
  EXPECT_EQ(response["query"], "power apps");
  EXPECT_EQ(response["offset"], 0);
  EXPECT_EQ(response["limit"], 7);
  EXPECT_GT(response["total"].get<int>(), 7);
  ASSERT_TRUE(response["results"].is_array());
  ASSERT_EQ(response["results"].size(), 7u);
  int expected_rank = 1;
  for (const auto& result : response["results"]) {
    for (const char* key : {"rank", "id", "title", "excerpt", "url", "provider", "topics",
                            "published", "type", "quality", "heat", "score"}) {
      EXPECT_TRUE(result.contains(key)) << key << " missing in " << result.dump();
    }
    EXPECT_EQ(result["rank"], expected_rank++);
    EXPECT_TRUE(result["id"].is_string());
    EXPECT_FALSE(result["id"].get<std::string>().empty());
    EXPECT_TRUE(result["title"].is_string());
    EXPECT_TRUE(result["topics"].is_array());
    EXPECT_TRUE(result["score"].is_number());
    EXPECT_TRUE(result["quality"].is_null() || result["quality"].is_number_integer());
    EXPECT_TRUE(result["heat"].is_null() || result["heat"].is_number_integer());
    EXPECT_TRUE(result["published"].is_null() || result["published"].is_string());
  }
}

TEST_F(CliSeedsTest, LimitAndOffsetPageConsistently) {
  json six = search_json({"--limit", "6", "apps"});
  json page2 = search_json({"--offset", "3", "--limit", "3", "apps"});
  ASSERT_EQ(six["results"].size(), 6u);
  ASSERT_EQ(page2["results"].size(), 3u);
  EXPECT_EQ(page2["offset"], 3);
  EXPECT_EQ(page2["limit"], 3);
  for (int i = 0; i < 3; ++i) {
    const json& a = six["results"][i + 3];
    const json& b = page2["results"][i];
    EXPECT_EQ(a["id"], b["id"]) << "result " << i + 4;
    EXPECT_EQ(a["rank"], i + 4);
    EXPECT_DOUBLE_EQ(a["score"].get<double>(), b["score"].get<double>());
  }
  // Paging through everything three at a time visits each match once, in order.
  json all = search_all({"apps"});
  std::vector<std::string> paged;
  for (std::size_t offset = 0; offset < all["results"].size(); offset += 3) {
    auto page = ids_of(search_json({"--offset", std::to_string(offset), "--limit", "3", "apps"}));
    paged.insert(paged.end(), page.begin(), page.end());
  }
  EXPECT_EQ(paged, ids_of(all));
  // A page past the end is empty.
  json past = search_json({"--offset", "100000", "apps"});
  EXPECT_TRUE(past["results"].empty());
}

// Ranks continue across pages: Xapian's MSetIterator::get_rank() already
// counts from the first match, so the offset must not be added again (it once
// was: `--offset 3 --limit 3` numbered its results 7, 8, 9).
TEST_F(CliSeedsTest, RanksWithAnOffsetContinueFromThePreviousPage) {
  json page2 = search_json({"--offset", "3", "--limit", "3", "apps"});
  ASSERT_EQ(page2["results"].size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(page2["results"][i]["rank"], i + 4);
  CommandResult terminal = news_search({"--db", db_, "--offset", "3", "--limit", "3", "apps"});
  EXPECT_EQ(terminal.status, 0) << describe(terminal);
  EXPECT_CONTAINS(terminal.out, "showing 4-6");
  EXPECT_CONTAINS(terminal.out, "\n  4. ");
  EXPECT_NOT_CONTAINS(terminal.out, "\n  7. ");
}

// 5. Plain BM25: the same matches as Xapian's own `quest`, in the order
// Xapian's matcher gives with the relevance scheme (schema.h: BM25 with the
// length normalisation stored in the wdfs, which quest's plain BM25 would
// apply a second time).

struct QuestHit {
  Xapian::docid docid;
  double weight;
  std::string id;
};

std::vector<QuestHit> run_quest(const std::string& db, const std::string& query,
                                std::string* matches_line) {
  CommandResult r =
      run_command(shell_quote(QUEST_BIN) + " -d " + shell_quote(db) +
                  " -o and -m 1000 -p title:S -f default,wildcard,pure_not " + shell_quote(query));
  EXPECT_EQ(r.status, 0) << describe(r);
  static const std::regex kHit(R"(^(\d+): \[([^\]]*)\]$)");
  std::vector<QuestHit> hits;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (line.starts_with("Exactly ") || line.starts_with("Between ")) *matches_line = line;
    if (!std::regex_match(line, m, kHit)) continue;
    QuestHit hit{static_cast<Xapian::docid>(std::stoul(m[1])), std::stod(m[2]), ""};
    std::string data;
    std::getline(lines, data);
    json record = json::parse(data, nullptr, false);
    EXPECT_FALSE(record.is_discarded()) << "document data is not JSON: " << data;
    if (!record.is_discarded()) hit.id = record.value("id", "");
    hits.push_back(hit);
  }
  return hits;
}

// What quest does, in this process, with the relevance scheme: the same parser
// set-up, full-precision weights.
std::vector<std::pair<std::string, double>> quest_in_process(const std::string& db_path,
                                                             const std::string& query) {
  Xapian::Database db(db_path);
  Xapian::QueryParser parser;
  parser.set_database(db);
  parser.set_stemmer(Xapian::Stem("english"));
  parser.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
  parser.set_default_op(Xapian::Query::OP_AND);
  parser.add_prefix("title", "S");
  Xapian::Enquire enquire = news::relevance_enquire(
      db, news::ScoredQuery(parser.parse_query(query, Xapian::QueryParser::FLAG_DEFAULT |
                                                          Xapian::QueryParser::FLAG_WILDCARD |
                                                          Xapian::QueryParser::FLAG_PURE_NOT)));
  std::vector<std::pair<std::string, double>> hits;
  Xapian::MSet mset = enquire.get_mset(0, 1000);
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    json record = json::parse(it.get_document().get_data());
    hits.emplace_back(record.value("id", ""), it.get_weight());
  }
  return hits;
}

const std::vector<std::string> kComparisonQueries = {
    "azure",                   // one word
    "recognition",             // one word, stemmed
    "facial recognition",      // two words (AND)
    "power apps",              // two common words
    "\"power apps portals\"",  // a phrase
    "\"artificial intelligence\"",
    "title:azure",              // a field
    "title:teams integration",  // a field and a word
    "apps NOT azure",           // NOT
    "apps -teams",              // lovehate
    "azure OR teams",           // OR
    "recogni*",                 // wildcard
    "NOT azure",                // pure NOT: every other document, weight 0
};

TEST_F(CliSeedsTest, ZeroWeightsGiveQuestsMatchesAndXapiansOrder) {
  for (const std::string& query : kComparisonQueries) {
    SCOPED_TRACE("query: " + query);
    std::string matches_line;
    std::vector<QuestHit> quest = run_quest(db_, query, &matches_line);
    json ours = search_all({"--quality-weight", "0", "--heat-weight", "0", query});
    ASSERT_TRUE(ours.is_object());
    const json& results = ours["results"];
    ASSERT_FALSE(quest.empty()) << "the comparison needs a query that matches";
    EXPECT_EQ(matches_line, "Exactly " + std::to_string(quest.size()) + " matches");
    ASSERT_EQ(results.size(), quest.size());
    std::set<std::string> quest_ids, our_ids;
    for (const auto& hit : quest) quest_ids.insert(hit.id);
    for (const auto& result : results) our_ids.insert(result["id"].get<std::string>());
    EXPECT_EQ(our_ids, quest_ids);
    // At full precision, against the same search done the way quest does it
    // with the relevance scheme, equal weights in id order.
    auto exact = quest_in_process(db_, query);
    std::stable_sort(exact.begin(), exact.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    ASSERT_EQ(exact.size(), results.size());
    for (std::size_t i = 0; i < exact.size(); ++i) {
      EXPECT_EQ(results[i]["id"], exact[i].first) << "rank " << i + 1;
      EXPECT_NEAR(results[i]["score"].get<double>(), exact[i].second, 1e-9) << "rank " << i + 1;
    }
  }
}

// The quest comparison is not vacuous: the default weights change the order.
// And every score is BM25 + quality-weight * q/(q+70) + heat-weight * h/(h+70),
// an unknown quality or heat counting as 0.5 (the formula in --help).
void expect_blend(const json& plain, const json& blended, double quality_weight,
                  double heat_weight) {
  ASSERT_EQ(plain["results"].size(), blended["results"].size());
  std::map<std::string, double> bm25;
  for (const auto& r : plain["results"]) {
    bm25[r["id"].get<std::string>()] = r["score"].get<double>();
  }
  auto saturate = [](const json& v) {
    if (v.is_null()) return 0.5;
    double x = v.get<double>();
    return x <= 0 ? 0.0 : x / (x + 70.0);
  };
  double previous = INFINITY;
  for (const auto& r : blended["results"]) {
    std::string id = r["id"];
    ASSERT_TRUE(bm25.contains(id)) << "the weights change the order, not the matches: " << id;
    double expected =
        bm25[id] + quality_weight * saturate(r["quality"]) + heat_weight * saturate(r["heat"]);
    EXPECT_NEAR(r["score"].get<double>(), expected, 1e-9) << id;
    EXPECT_LE(r["score"].get<double>(), previous) << "ranked by score at " << id;
    previous = r["score"].get<double>();
  }
}

TEST_F(CliSeedsTest, DefaultWeightsBlendQualityAndHeatIntoBm25) {
  // The defaults are whatever the library ships (chosen by bench/rank_eval);
  // news-search --help shows the same numbers.
  const news::RankingWeights defaults;
  ASSERT_GT(defaults.quality, 0);
  ASSERT_GT(defaults.heat, 0);
  CommandResult help = run_command(shell_quote(NEWS_SEARCH_BIN) + " --help");
  std::ostringstream q, h;
  q << "=" << defaults.quality;
  h << "=" << defaults.heat;
  EXPECT_CONTAINS(help.out, q.str());
  EXPECT_CONTAINS(help.out, h.str());
  int reordered = 0;
  for (const std::string& query : kComparisonQueries) {
    SCOPED_TRACE("query: " + query);
    json plain = search_all({"--quality-weight", "0", "--heat-weight", "0", query});
    json blended = search_all({query});
    if (ids_of(plain) != ids_of(blended)) ++reordered;
    expect_blend(plain, blended, defaults.quality, defaults.heat);
    // Explicit weights, each alone and together.
    expect_blend(plain, search_all({"--quality-weight", "2", "--heat-weight", "0", query}), 2, 0);
    expect_blend(plain, search_all({"--quality-weight", "0", "--heat-weight", "3", query}), 0, 3);
    expect_blend(plain, search_all({"--quality-weight", "1.5", "--heat-weight", "0.75", query}),
                 1.5, 0.75);
  }
  EXPECT_GE(reordered, 3) << "the default weights should reorder several queries";
  // In particular this one.
  EXPECT_NE(ids_of(search_all({"--quality-weight", "0", "--heat-weight", "0", "azure"})),
            ids_of(search_all({"azure"})));
}

// 6. Filters.

TEST_F(CliSeedsTest, TopicFilterIsCaseInsensitiveAndTakesMultiWordTopics) {
  std::size_t everything = count_all({});
  for (std::string topic : {"Power Apps", "power apps", "POWER   APPS", "ai", "AI"}) {
    SCOPED_TRACE("--topic " + topic);
    json response = search_all({"--topic", topic});
    std::string wanted = lower(topic).starts_with("power") ? "power apps" : "ai";
    ASSERT_FALSE(response["results"].empty());
    EXPECT_LT(response["results"].size(), everything);
    for (const auto& r : response["results"]) {
      bool has = false;
      for (const auto& t : r["topics"]) has = has || lower(t.get<std::string>()) == wanted;
      EXPECT_TRUE(has) << r.dump();
    }
  }
  EXPECT_EQ(count_all({"--topic", "Power Apps"}), count_all({"--topic", "pOwEr aPpS"}));
  // Repeated: any of them.
  std::size_t either = 0;
  json all = search_all({});
  for (const auto& r : all["results"]) {
    bool has = false;
    for (const auto& t : r["topics"]) {
      has =
          has || lower(t.get<std::string>()) == "ai" || lower(t.get<std::string>()) == "power apps";
    }
    if (has) ++either;
  }
  EXPECT_GT(either, count_all({"--topic", "Power Apps"}));
  EXPECT_EQ(count_all({"--topic", "Power Apps", "--topic", "AI"}), either);
  EXPECT_EQ(count_all({"--topic", "no such topic"}), 0u);
}

TEST_F(CliSeedsTest, ProviderFilterMatchesNameOrDomain) {
  std::size_t everything = count_all({});
  struct Case {
    std::string filter;
    std::string name, domain;
  };
  for (const Case& c : {Case{"Microsoft", "Microsoft", "microsoft.com"},
                        Case{"microsoft.com", "Microsoft", "microsoft.com"},
                        Case{"Electronic Design", "Electronic Design", ""},
                        Case{"venturebeat.com", "", "venturebeat.com"}}) {
    SCOPED_TRACE("--provider " + c.filter);
    json response = search_all({"--provider", c.filter});
    ASSERT_FALSE(response["results"].empty());
    EXPECT_LT(response["results"].size(), everything);
    for (const auto& r : response["results"]) {
      bool ok = (!c.name.empty() && r["provider"] == c.name) ||
                (!c.domain.empty() && r["domain"] == c.domain);
      EXPECT_TRUE(ok) << r.dump();
    }
  }
  EXPECT_EQ(count_all({"--provider", "Microsoft"}), count_all({"--provider", "microsoft.com"}));
}

TEST_F(CliSeedsTest, TypeFilterKeepsOnlyVideos) {
  json all = search_all({});
  json videos = search_all({"--type", "video"});
  ASSERT_FALSE(videos["results"].empty());
  EXPECT_LT(videos["results"].size(), all["results"].size());
  for (const auto& r : videos["results"]) EXPECT_EQ(lower(r["type"]), "video") << r.dump();
  EXPECT_EQ(count_all({"--type", "VIDEO"}), videos["results"].size());
  EXPECT_EQ(count_all({"--type", "video"}) + count_all({"--type", "article"}),
            all["results"].size());
}

TEST_F(CliSeedsTest, DateFiltersAreInclusive) {
  std::size_t everything = count_all({});
  json q1 = search_all({"--since", "2021-01", "--until", "2021-03"});
  ASSERT_FALSE(q1["results"].empty());
  EXPECT_LT(q1["results"].size(), everything);
  for (const auto& r : q1["results"]) {
    ASSERT_TRUE(r["published"].is_string()) << r.dump();
    std::string day = r["published"].get<std::string>().substr(0, 10);
    EXPECT_GE(day, "2021-01-01") << r.dump();
    EXPECT_LE(day, "2021-03-31") << r.dump();
  }
  std::size_t since = count_all({"--since", "2021"});
  std::size_t until = count_all({"--until", "2020-12-31"});
  EXPECT_GT(since, 0u);
  EXPECT_GT(until, 0u);
  EXPECT_EQ(since + until, everything) << "every seed is dated; the two halves partition them";
  json since_2021 = search_all({"--since", "2021"});
  for (const auto& r : since_2021["results"]) {
    EXPECT_GE(r["published"].get<std::string>(), "2021-01-01") << r.dump();
  }
  // A whole day is inclusive at both ends: take a real publication day.
  std::string day = q1["results"][0]["published"].get<std::string>().substr(0, 10);
  json one_day = search_all({"--since", day, "--until", day});
  for (const auto& r : one_day["results"]) {
    EXPECT_EQ(r["published"].get<std::string>().substr(0, 10), day);
  }
  EXPECT_GE(count_all({"--since", day, "--until", day}), 1u);
}

TEST_F(CliSeedsTest, MinQualityFilter) {
  std::size_t everything = count_all({});
  json response = search_all({"--min-quality", "100"});
  ASSERT_FALSE(response["results"].empty());
  EXPECT_LT(response["results"].size(), everything);
  for (const auto& r : response["results"]) {
    ASSERT_TRUE(r["quality"].is_number()) << "unknown quality must not pass: " << r.dump();
    EXPECT_GE(r["quality"].get<int>(), 100) << r.dump();
  }
  // Nothing with quality >= 100 is left out.
  std::size_t expected = 0;
  json all = search_all({});
  for (const auto& r : all["results"]) {
    if (r["quality"].is_number() && r["quality"].get<int>() >= 100) ++expected;
  }
  EXPECT_EQ(response["results"].size(), expected);
}

TEST_F(CliSeedsTest, FiltersCombineWithAQuery) {
  json plain = search_all({"ai"});
  json filtered = search_all({"ai", "--type", "video"});
  ASSERT_FALSE(plain["results"].empty());
  EXPECT_LT(filtered["results"].size(), plain["results"].size());
  std::set<std::string> plain_ids;
  for (const auto& id : ids_of(plain)) plain_ids.insert(id);
  for (const auto& r : filtered["results"]) {
    EXPECT_EQ(r["type"], "video");
    EXPECT_TRUE(plain_ids.contains(r["id"].get<std::string>())) << "a filter only removes matches";
  }
}

TEST_F(CliSeedsTest, QuerySyntaxFilters) {
  std::size_t everything = count_all({});
  {
    json response = search_all({"topic:ai"});
    ASSERT_FALSE(response["results"].empty());
    EXPECT_LT(response["results"].size(), everything);
    for (const auto& r : response["results"]) {
      bool has = false;
      for (const auto& t : r["topics"]) has = has || lower(t.get<std::string>()) == "ai";
      EXPECT_TRUE(has) << r.dump();
    }
    EXPECT_EQ(response["results"].size(), count_all({"--topic", "AI"}));
    EXPECT_EQ(count_all({"topic:\"power apps\""}), count_all({"--topic", "Power Apps"}));
  }
  {
    json response = search_all({"type:video"});
    ASSERT_FALSE(response["results"].empty());
    EXPECT_LT(response["results"].size(), everything);
    for (const auto& r : response["results"]) EXPECT_EQ(r["type"], "video") << r.dump();
  }
  {
    json response = search_all({"date:2021-01-01..2021-12-31"});
    ASSERT_FALSE(response["results"].empty());
    EXPECT_LT(response["results"].size(), everything);
    for (const auto& r : response["results"]) {
      EXPECT_TRUE(r["published"].get<std::string>().starts_with("2021-")) << r.dump();
    }
    EXPECT_EQ(response["results"].size(), count_all({"--since", "2021", "--until", "2021"}));
  }
  {
    json response = search_all({"title:azure"});
    json anywhere = search_all({"azure"});
    ASSERT_FALSE(response["results"].empty());
    EXPECT_LT(response["results"].size(), anywhere["results"].size())
        << "title: is narrower than a plain word";
    for (const auto& r : response["results"]) {
      EXPECT_CONTAINS(lower(r["title"]), "azure");
    }
  }
  {
    json response = search_all({"provider:microsoft.com apps"});
    EXPECT_LT(response["results"].size(), search_all({"apps"})["results"].size());
    ASSERT_FALSE(response["results"].empty());
    for (const auto& r : response["results"]) EXPECT_EQ(r["domain"], "microsoft.com");
  }
}

// --topic, --provider and --type take one value per use, so the query words
// after them stay query words (they once were swallowed as extra topics).
TEST_F(CliSeedsTest, QueryWordsAfterAFilterOptionAreNotFilterValues) {
  json words_first = search_all({"facial", "recognition", "--topic", "AI"});
  ASSERT_FALSE(words_first["results"].empty());
  json words_last = search_all({"--topic", "AI", "facial", "recognition"});
  EXPECT_EQ(words_last["query"], "facial recognition");
  EXPECT_EQ(ids_of(words_last), ids_of(words_first));
  json type_last = search_all({"--type", "video", "ai"});
  EXPECT_EQ(type_last["query"], "ai");
  EXPECT_EQ(ids_of(type_last), ids_of(search_all({"ai", "--type", "video"})));
  json provider_last = search_all({"--provider", "Microsoft", "azure"});
  EXPECT_EQ(provider_last["query"], "azure");
}

// 7. Sort orders.

TEST_F(CliSeedsTest, SortByDateIsNewestFirst) {
  for (const std::vector<std::string>& query :
       std::vector<std::vector<std::string>>{{}, {"apps"}, {"ai"}}) {
    std::vector<std::string> args = {"--sort", "date"};
    args.insert(args.end(), query.begin(), query.end());
    json response = search_all(args);
    ASSERT_GT(response["results"].size(), 2u);
    std::string previous = "9999";
    for (const auto& r : response["results"]) {
      ASSERT_TRUE(r["published"].is_string()) << r.dump();
      std::string published = r["published"];
      EXPECT_LE(published, previous) << "not newest first at rank " << r["rank"];
      previous = published;
    }
  }
  // Differs from the relevance order.
  EXPECT_NE(ids_of(search_all({"--sort", "date", "apps"})), ids_of(search_all({"apps"})));
}

void expect_descending_with_unknown_last(const json& response, const char* key) {
  bool seen_unknown = false, seen_known = false;
  std::int64_t previous = INT64_MAX;
  for (const auto& r : response["results"]) {
    if (r[key].is_null()) {
      seen_unknown = true;
      continue;
    }
    seen_known = true;
    EXPECT_FALSE(seen_unknown) << key << " known after an unknown one at rank " << r["rank"];
    std::int64_t value = r[key];
    EXPECT_LE(value, previous) << key << " rises at rank " << r["rank"];
    previous = value;
  }
  EXPECT_TRUE(seen_known);
}

TEST_F(CliSeedsTest, SortByQualityAndHeatDescendingUnknownLast) {
  for (const char* key : {"quality", "heat"}) {
    SCOPED_TRACE(key);
    json listing = search_all({"--sort", key});
    ASSERT_EQ(listing["results"].size(), kSeedDocuments);
    expect_descending_with_unknown_last(listing, key);
    // The seeds have documents of unknown quality and heat: the check above bites.
    bool any_unknown = false;
    for (const auto& r : listing["results"]) any_unknown = any_unknown || r[key].is_null();
    EXPECT_TRUE(any_unknown);
    expect_descending_with_unknown_last(search_all({"--sort", key, "ai"}), key);
  }
}

// 8. No query: everything, ranked by quality and heat.

TEST_F(CliSeedsTest, NoQueryListsEveryDocument) {
  json response = search_all({});
  EXPECT_EQ(response["total"], kSeedDocuments);
  ASSERT_EQ(response["results"].size(), kSeedDocuments);
  std::set<std::string> ids;
  double previous = INFINITY;
  for (std::size_t i = 0; i < kSeedDocuments; ++i) {
    const json& r = response["results"][i];
    EXPECT_EQ(r["rank"], i + 1);
    ids.insert(r["id"].get<std::string>());
    EXPECT_LE(r["score"].get<double>(), previous);
    previous = r["score"].get<double>();
  }
  EXPECT_EQ(ids.size(), kSeedDocuments) << "every document once";
  EXPECT_FALSE(ids.contains("ai-news/" + std::string(kCorruptSeed))) << "the rejected file";
  // The default page of the listing: exit 0, ten results.
  CommandResult r = news_search({"--db", db_, "--json", "--all"});
  EXPECT_EQ(r.status, 0) << describe(r);
  json page = parse_json(r);
  EXPECT_EQ(page["results"].size(), 10u);
  EXPECT_EQ(page["total"], kSeedDocuments);
  EXPECT_EQ(page["query"], "");
}

// 9. Terminal output.

TEST_F(CliSeedsTest, TerminalOutputShowsRankTitleUrlQualityAndHeat) {
  json top = search_json({"--limit", "3", "facial", "recognition"});
  ASSERT_FALSE(top["results"].empty());
  CommandResult r = news_search({"--db", db_, "--limit", "3", "facial", "recognition"});
  EXPECT_EQ(r.status, 0) << describe(r);
  std::string title = top["results"][0]["title"];
  EXPECT_CONTAINS(r.out, "\n  1. " + title.substr(0, 40));
  EXPECT_CONTAINS(r.out, "\n  2. ");
  EXPECT_CONTAINS(r.out, "\n  3. ");
  EXPECT_NOT_CONTAINS(r.out, "\n  4. ");
  EXPECT_CONTAINS(r.out, title);
  EXPECT_CONTAINS(r.out, top["results"][0]["url"].get<std::string>());
  EXPECT_CONTAINS(r.out, "quality");
  EXPECT_CONTAINS(r.out, "heat");
  EXPECT_NOT_CONTAINS(r.out, "\x1b") << "no colour when stdout is not a terminal";
  // No matches: a readable message, status 1.
  CommandResult none = news_search({"--db", db_, "zzyzxqqvnonword"});
  EXPECT_EQ(none.status, 1);
  EXPECT_CONTAINS(none.out, "No results");
}

// 11. `secured` never reaches the database or the output.

TEST_F(CliSeedsTest, SecuredValuesNeverReachTheDatabaseOrOutput) {
  // Every seed's secured blob: its 20-character head, and every 12-character
  // window of its alphanumeric runs (lower case: terms are lower-cased).
  std::vector<std::string> heads;
  std::unordered_set<std::string> windows;
  constexpr std::size_t kWindow = 12;
  for (const auto& file : seed_files()) {
    std::string secured = secured_value(news::testing::read_file(file));
    if (secured.size() < 20) continue;
    heads.push_back(secured.substr(0, 20));
    std::string run;
    auto flush = [&] {
      for (std::size_t i = 0; i + kWindow <= run.size(); ++i)
        windows.insert(run.substr(i, kWindow));
      run.clear();
    };
    for (char c : secured) {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        run += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      } else {
        flush();
      }
    }
    flush();
  }
  ASSERT_GE(heads.size(), kSeedFiles - 1) << "the seeds carry secured blobs to look for";

  Xapian::Database db(db_);
  std::size_t terms = 0;
  for (auto it = db.allterms_begin(); it != db.allterms_end(); ++it) {
    ++terms;
    std::string term = lower(*it);
    for (const auto& head : heads) {
      ASSERT_EQ(term.find(lower(head)), std::string::npos) << "term " << *it;
    }
    for (std::size_t i = 0; i + kWindow <= term.size(); ++i) {
      ASSERT_FALSE(windows.contains(term.substr(i, kWindow))) << "term " << *it;
    }
  }
  EXPECT_GT(terms, 1000u);
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    std::string data = db.get_document(*it).get_data();
    EXPECT_NOT_CONTAINS(data, "secured");
    for (const auto& head : heads) ASSERT_EQ(data.find(head), std::string::npos) << data;
    for (Xapian::valueno slot = 0; slot <= 11; ++slot) {
      std::string value = db.get_document(*it).get_value(slot);
      for (const auto& head : heads) ASSERT_EQ(value.find(head), std::string::npos);
    }
  }
  // Nor in what news-search prints.
  CommandResult j = news_search({"--db", db_, "--json", "-n", "1000"});
  CommandResult t = news_search({"--db", db_, "-n", "1000"});
  ASSERT_EQ(j.status, 0);
  ASSERT_EQ(t.status, 0);
  EXPECT_NOT_CONTAINS(j.out, "secured");
  for (const auto& head : heads) {
    ASSERT_EQ(j.out.find(head), std::string::npos) << head;
    ASSERT_EQ(t.out.find(head), std::string::npos) << head;
  }
}

// ---------------------------------------------------------------------------
// Tests with a corpus of their own.

// Copies some good seeds (no corrupt one) into `folder`.
std::size_t copy_good_seeds(const fs::path& folder, std::size_t count) {
  std::size_t copied = 0;
  fs::create_directories(folder);
  for (const auto& file : seed_files()) {
    if (file.filename().string().starts_with(kCorruptSeed)) continue;
    fs::copy_file(file, folder / file.filename());
    if (++copied == count) break;
  }
  return copied;
}

// 2. news-index exit statuses.

TEST(CliTest, IndexExitsZeroWhenEveryFileIsGood) {
  TempDir dir;
  std::size_t copied = copy_good_seeds(dir / "corpus", 12);
  ASSERT_EQ(copied, 12u);
  std::string db = (dir / "db").string();
  CommandResult r = news_index({"--db", db, (dir / "corpus").string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_CONTAINS(r.out, "12 files seen");
  EXPECT_CONTAINS(r.out, "12 indexed");
  EXPECT_CONTAINS(r.out, "0 rejected");
  EXPECT_NOT_CONTAINS(r.err, "rejected");
  EXPECT_EQ(Xapian::Database(db).get_doccount(), 12u);
  // Again: unchanged, still 0.
  CommandResult again = news_index({"--db", db, (dir / "corpus").string()});
  EXPECT_EQ(again.status, 0) << describe(again);
  EXPECT_CONTAINS(again.out, "12 unchanged");
  // A vanished file is pruned.
  fs::remove(*fs::directory_iterator(dir / "corpus"));
  CommandResult pruned = news_index({"--db", db, (dir / "corpus").string()});
  EXPECT_EQ(pruned.status, 0) << describe(pruned);
  EXPECT_CONTAINS(pruned.out, "1 removed");
  EXPECT_EQ(Xapian::Database(db).get_doccount(), 11u);
}

TEST(CliTest, IndexBadCommandLineExitsTwo) {
  TempDir dir;
  std::string db = (dir / "db").string();
  CommandResult unknown = news_index({"--db", db, "--no-such-option", NEWS_SEEDS_DIR});
  EXPECT_EQ(unknown.status, 2) << describe(unknown);
  EXPECT_CONTAINS(unknown.err, "--no-such-option");
  CommandResult no_path = news_index({"--db", db});
  EXPECT_EQ(no_path.status, 2) << describe(no_path);
  EXPECT_CONTAINS(no_path.err, "PATH");
  CommandResult bad_batch = news_index({"--db", db, "--batch-size", "0", NEWS_SEEDS_DIR});
  EXPECT_EQ(bad_batch.status, 2) << describe(bad_batch);
  EXPECT_FALSE(fs::exists(db)) << "a bad command line writes nothing";
}

TEST(CliTest, IndexMissingPathExitsThreeAndNamesIt) {
  TempDir dir;
  std::string db = (dir / "db").string();
  std::string missing = (dir / "no-such-folder").string();
  CommandResult r = news_index({"--db", db, missing});
  EXPECT_EQ(r.status, 3) << describe(r);
  EXPECT_CONTAINS(r.err, missing);
  // Also when it comes after a good path: nothing is half-done.
  copy_good_seeds(dir / "corpus", 2);
  CommandResult mixed = news_index({"--db", db, (dir / "corpus").string(), missing});
  EXPECT_EQ(mixed.status, 3) << describe(mixed);
  EXPECT_CONTAINS(mixed.err, missing);
}

TEST(CliTest, IndexLockedDatabaseExitsFour) {
  TempDir dir;
  copy_good_seeds(dir / "corpus", 3);
  std::string db = (dir / "db").string();
  {
    Xapian::WritableDatabase holder(db, Xapian::DB_CREATE_OR_OPEN);
    CommandResult r = news_index({"--db", db, (dir / "corpus").string()});
    EXPECT_EQ(r.status, 4) << describe(r);
    EXPECT_CONTAINS(r.err, "locked");
    EXPECT_CONTAINS(r.err, db);
  }
  // Released: the same run now works.
  CommandResult r = news_index({"--db", db, (dir / "corpus").string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(Xapian::Database(db).get_doccount(), 3u);
}

// 9. A title carrying a terminal escape sequence.

TEST(CliTest, EscapeSequencesAreStrippedForTheTerminalAndEscapedInJson) {
  TempDir dir;
  // YAML double-quoted escapes: \e and \x1b are ESC, \a is BEL.
  write_file(dir / "corpus" / "evil.md", R"(---
category: news
title: "\e[2J Evil title \x1b[31mred"
excerpt: "An evil excerpt \e]0;pwned\a that sets the window title."
publishedDateTime: 2021-02-03T04:05:06Z
webUrl: "https://example.com/evil\e[5m"
type: article
quality: 50
heat: 60
provider:
  name: "Evil\e[1m Corp"
  domain: evil.example
topics:
  - "AI\e[0m"
secured: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
---
)");
  copy_good_seeds(dir / "corpus", 2);
  std::string db = (dir / "db").string();
  CommandResult index = news_index({"--db", db, (dir / "corpus").string()});
  ASSERT_EQ(index.status, 0) << describe(index);
  ASSERT_EQ(Xapian::Database(db).get_doccount(), 3u);

  CommandResult terminal = news_search({"--db", db, "evil"});
  EXPECT_EQ(terminal.status, 0) << describe(terminal);
  EXPECT_CONTAINS(terminal.out, "Evil title");
  EXPECT_CONTAINS(terminal.out, "https://example.com/evil");
  EXPECT_EQ(terminal.out.find('\x1b'), std::string::npos) << "ESC byte in terminal output";
  EXPECT_EQ(terminal.out.find('\a'), std::string::npos) << "BEL byte in terminal output";
  // The listing with no query too.
  CommandResult listing = news_search({"--db", db});
  EXPECT_EQ(listing.status, 0) << describe(listing);
  EXPECT_CONTAINS(listing.out, "Evil title");
  EXPECT_EQ(listing.out.find('\x1b'), std::string::npos);

  CommandResult raw = news_search({"--db", db, "--json", "evil"});
  EXPECT_EQ(raw.status, 0) << describe(raw);
  EXPECT_EQ(raw.out.find('\x1b'), std::string::npos) << "JSON must escape control characters";
  EXPECT_CONTAINS(raw.out, "\\u001b[2J Evil title");
  json response = parse_json(raw);
  ASSERT_EQ(response["results"].size(), 1u);
  // Escaped, not lost: the JSON string decodes to the original title.
  EXPECT_EQ(response["results"][0]["title"], "\x1b[2J Evil title \x1b[31mred");
  EXPECT_EQ(response["results"][0]["provider"], "Evil\x1b[1m Corp");
}

// 10. The default database, shared through $NEWS_SEARCH_DB.

TEST(CliTest, MissingDefaultDatabaseExitsThree) {
  TempDir dir;
  std::string missing = (dir / "nowhere" / "db").string();
  CommandResult r = news_search({"ai"}, {"NEWS_SEARCH_DB=" + missing});
  EXPECT_EQ(r.status, 3) << describe(r);
  EXPECT_CONTAINS(r.err, missing);
  EXPECT_CONTAINS(r.err, "news-index");
  // Without $NEWS_SEARCH_DB the default is under $XDG_DATA_HOME.
  std::string xdg = (dir / "xdg").string();
  CommandResult x = news_search({"ai"}, {"NEWS_SEARCH_DB=", "XDG_DATA_HOME=" + xdg});
  EXPECT_EQ(x.status, 3) << describe(x);
  EXPECT_CONTAINS(x.err, xdg + "/news-search/db");
}

TEST(CliTest, BothProgramsShareTheDefaultDatabase) {
  TempDir dir;
  std::string db = (dir / "db").string();
  std::vector<std::string> env = {"NEWS_SEARCH_DB=" + db};
  CommandResult index = news_index({NEWS_SEEDS_DIR}, env);
  EXPECT_EQ(index.status, 1) << describe(index);
  EXPECT_CONTAINS(index.out, db);
  ASSERT_TRUE(fs::exists(db));
  EXPECT_EQ(Xapian::Database(db).get_doccount(), kSeedDocuments);
  CommandResult search = news_search({"--json", "ai"}, env);
  EXPECT_EQ(search.status, 0) << describe(search);
  json response = parse_json(search);
  EXPECT_FALSE(response["results"].empty());
  // And through $XDG_DATA_HOME when $NEWS_SEARCH_DB is unset.
  std::string xdg = (dir / "xdg").string();
  std::vector<std::string> xdg_env = {"NEWS_SEARCH_DB=", "XDG_DATA_HOME=" + xdg};
  copy_good_seeds(dir / "corpus", 4);
  CommandResult xdg_index = news_index({(dir / "corpus").string()}, xdg_env);
  EXPECT_EQ(xdg_index.status, 0) << describe(xdg_index);
  EXPECT_TRUE(fs::exists(xdg + "/news-search/db"));
  CommandResult xdg_search = news_search({"--json"}, xdg_env);
  EXPECT_EQ(xdg_search.status, 0) << describe(xdg_search);
  EXPECT_EQ(parse_json(xdg_search)["total"], 4);
}

// 12. --help.

TEST(CliTest, HelpDocumentsExitStatuses) {
  for (const char* program : {NEWS_INDEX_BIN, NEWS_SEARCH_BIN}) {
    SCOPED_TRACE(program);
    CommandResult r = run_command(shell_quote(program) + " --help");
    EXPECT_EQ(r.status, 0) << describe(r);
    EXPECT_CONTAINS(r.out, "EXIT STATUS");
    EXPECT_CONTAINS(r.out, "--db");
    for (const char* status : {"  0  ", "  1  ", "  2  ", "  3  "}) {
      EXPECT_CONTAINS(r.out, status);
    }
  }
  CommandResult index = run_command(shell_quote(NEWS_INDEX_BIN) + " --help");
  EXPECT_CONTAINS(index.out, "  4  ");
  EXPECT_CONTAINS(index.out, "locked");
}

}  // namespace
