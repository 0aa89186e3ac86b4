// End-to-end tests of the search features, through the programs as a user
// runs them: "did you mean", snippets, facets, duplicate stories, freshness,
// --explain, --like, the output formats and COLUMNS, --count and --ids, the
// indexer's progress line, the configuration file, --help, bash completion
// and HTML entities. Corpora: the bundled seeds/ and the small ones in
// tests/fixtures/features/ (see its README.md), each indexed once per test
// program with news-index.
//
// Every command runs with a clean environment for the settings the programs
// read (NEWS_SEARCH_CONFIG, NEWS_SEARCH_DB, NO_COLOR, COLUMNS, and
// XDG_CONFIG_HOME/HOME pointing at an empty folder), so a configuration file
// of the person running the tests cannot change the results.
#include <gtest/gtest.h>
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fixture_reader.h"
#include "program_support.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using news::testing::command_line;
using news::testing::CommandResult;
using news::testing::describe;
using news::testing::environment;
using news::testing::news_index;
using news::testing::news_search;
using news::testing::parse_json;
using news::testing::run_command;
using news::testing::shell_quote;
using news::testing::TempDir;
using news::testing::write_file;
using nlohmann::json;
using Ids = std::vector<std::string>;

const fs::path kFeatures = fs::path(NEWS_FIXTURES_DIR) / "features";
const fs::path kCompletion =
    fs::path(NEWS_SEEDS_DIR).parent_path() / "completions" / "news-search.bash";

const std::string kRightQuote = "\xE2\x80\x99";  // ’

Ids ids_of(const json& response) {
  Ids ids;
  if (!response.is_object() || !response.contains("results")) return ids;
  for (const auto& result : response["results"]) ids.push_back(result.value("id", ""));
  return ids;
}

const json* find_result(const json& response, const std::string& id) {
  for (const auto& result : response["results"]) {
    if (result["id"] == id) return &result;
  }
  return nullptr;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A corpus indexed with news-index into a throwaway database, once per test
// program: "seeds" or a folder of tests/fixtures/features/.
const std::string& db_of(const std::string& name) {
  struct Indexed {
    TempDir dir;
    std::string db;
  };
  static std::map<std::string, std::unique_ptr<Indexed>> dbs;
  auto& slot = dbs[name];
  if (!slot) {
    slot = std::make_unique<Indexed>();
    slot->db = (slot->dir / "db").string();
    bool seeds = name == "seeds";
    fs::path folder = seeds ? fs::path(NEWS_SEEDS_DIR) : kFeatures / name;
    CommandResult r = news_index({"--db", slot->db, folder.string()});
    EXPECT_EQ(r.status, seeds ? 1 : 0) << name << ": " << describe(r);  // one corrupt seed
  }
  return slot->db;
}

// news-search --db DB --json ARGS..., expected to run (status 0 or 1).
json search_json(const std::string& corpus, std::vector<std::string> args,
                 const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), {"--db", db_of(corpus), "--json"});
  CommandResult r = news_search(args, env);
  EXPECT_TRUE(r.status == 0 || r.status == 1) << describe(r);
  return parse_json(r);
}

CommandResult search(const std::string& corpus, std::vector<std::string> args,
                     const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), {"--db", db_of(corpus)});
  return news_search(args, env);
}

using news::testing::FixtureDoc;
using news::testing::lower_folded;
using news::testing::read_fixture;

using Counts = std::map<std::string, std::map<std::string, int>>;

Counts expected_facets(const std::vector<FixtureDoc>& docs) {
  Counts counts;
  for (const char* name : {"topic", "provider", "type", "month"}) counts[name];
  for (const auto& doc : docs) {
    std::set<std::string> topics(doc.topics.begin(), doc.topics.end());
    for (const auto& topic : topics) ++counts["topic"][topic];
    if (!doc.provider.empty()) ++counts["provider"][doc.provider];
    if (!doc.type.empty()) ++counts["type"][doc.type];
    if (!doc.month.empty()) ++counts["month"][doc.month];
  }
  return counts;
}

Counts json_facets(const json& response) {
  Counts counts;
  for (const char* name : {"topic", "provider", "type", "month"}) {
    counts[name];
    if (!response.contains("facets") || !response["facets"].contains(name)) {
      ADD_FAILURE() << "no facet " << name << " in " << response.dump();
      continue;
    }
    for (const auto& value : response["facets"][name]) {
      counts[name][value["value"].get<std::string>()] = value["count"].get<int>();
    }
  }
  return counts;
}

std::vector<FixtureDoc> fixture_docs(const std::string& folder) {
  std::vector<FixtureDoc> docs;
  for (const auto& entry : fs::recursive_directory_iterator(kFeatures / folder)) {
    if (entry.is_regular_file() && entry.path().extension() == ".md") {
      docs.push_back(read_fixture(entry.path()));
    }
  }
  return docs;
}

// RFC 4180: fields separated by commas, records ended by CRLF; a quoted field
// may hold commas, line breaks and doubled quotes. Malformed input fails the test.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool at_field_start = true;
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (at_field_start && c == '"') {
      for (++i;; ++i) {
        if (i >= text.size()) {
          ADD_FAILURE() << "unterminated quoted field";
          return records;
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        field += text[i];
      }
      at_field_start = false;
      if (i < text.size() && text[i] != ',' && text[i] != '\r') {
        ADD_FAILURE() << "text after a closing quote at byte " << i;
        return records;
      }
    } else if (c == ',') {
      record.push_back(field);
      field.clear();
      at_field_start = true;
      ++i;
    } else if (c == '\r') {
      if (i + 1 >= text.size() || text[i + 1] != '\n') {
        ADD_FAILURE() << "CR without LF at byte " << i;
        return records;
      }
      record.push_back(field);
      records.push_back(record);
      record.clear();
      field.clear();
      at_field_start = true;
      i += 2;
    } else {
      if (c == '"' || c == '\n') {
        ADD_FAILURE() << "bare quote or LF in an unquoted field at byte " << i;
        return records;
      }
      field += c;
      at_field_start = false;
      ++i;
    }
  }
  if (!record.empty() || !field.empty()) ADD_FAILURE() << "last record does not end with CRLF";
  return records;
}

// Columns a line takes on a terminal, computed independently of the product:
// East Asian wide characters count 2, everything else 1.
std::size_t columns(const std::string& line) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < line.size();) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    char32_t cp = c;
    std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (len > 1) {
      cp = c & (0xFF >> (len + 1));
      for (std::size_t k = 1; k < len && i + k < line.size(); ++k) {
        cp = (cp << 6) | (static_cast<unsigned char>(line[i + k]) & 0x3F);
      }
    }
    i += len;
    bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0x1F300 && cp <= 0x1FAFF);
    width += wide ? 2 : 1;
  }
  return width;
}

// Every line fits `width` columns, except lines that are a URL (not wrapped).
void expect_fits(const CommandResult& r, std::size_t width) {
  EXPECT_LE(r.status, 1) << describe(r);
  for (const auto& line : lines_of(r.out)) {
    std::string trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (trimmed.starts_with("http://") || trimmed.starts_with("https://")) continue;
    EXPECT_LE(columns(line), width) << "[" << line << "]";
  }
}

// ---------------------------------------------------------------------------
// 1. Did you mean

TEST(CliFeaturesSpelling, MisspeltQueryGetsASuggestionWithMoreResults) {
  json typed = search_json("seeds", {"facal", "recogniton"});
  ASSERT_TRUE(typed["suggestion"].is_object()) << typed.dump(2);
  EXPECT_EQ(typed["suggestion"]["query"], "facial recognition");
  int total = typed["suggestion"]["total"].get<int>();
  EXPECT_GT(total, typed["total"].get<int>());
  json corrected = search_json("seeds", {"-n", "100", "facial", "recognition"});
  EXPECT_EQ(total, corrected["total"].get<int>());
  EXPECT_EQ(std::size_t(total), corrected["results"].size());
  EXPECT_TRUE(corrected["suggestion"].is_null()) << corrected["suggestion"].dump();
}

TEST(CliFeaturesSpelling, TerminalSaysDidYouMean) {
  CommandResult r = search("seeds", {"facal", "recogniton"});
  EXPECT_EQ(r.status, 1) << describe(r);  // the typed query itself matches nothing
  int total = search_json("seeds", {"facal", "recogniton"})["suggestion"]["total"].get<int>();
  EXPECT_CONTAINS(r.out,
                  "Did you mean: facial recognition (" + std::to_string(total) + " results)?");
}

TEST(CliFeaturesSpelling, NoSpellingSuppressesTheSuggestion) {
  json response = search_json("seeds", {"--no-spelling", "facal", "recogniton"});
  EXPECT_TRUE(response.contains("suggestion"));
  EXPECT_TRUE(response["suggestion"].is_null()) << response.dump(2);
  CommandResult r = search("seeds", {"--no-spelling", "facal", "recogniton"});
  EXPECT_NOT_CONTAINS(r.out, "Did you mean");
}

TEST(CliFeaturesSpelling, CorrectlySpeltQueryGetsNoSuggestion) {
  for (const char* query : {"facial recognition", "power apps", "robot"}) {
    json response = search_json("seeds", {query});
    EXPECT_FALSE(response["results"].empty()) << query;
    EXPECT_TRUE(response["suggestion"].is_null()) << query << ": " << response["suggestion"];
    EXPECT_NOT_CONTAINS(search("seeds", {query}).out, "Did you mean");
  }
}

TEST(CliFeaturesSpelling, CorrectionWithoutMoreResultsIsNotSuggested) {
  // "facal" would be corrected to "facial" (see the tests above), but these
  // corrections match fewer documents ("recognition NOT facial") or as few
  // (none: "facial zebra") as the query typed.
  json not_query = search_json("seeds", {"-n", "100", "recognition NOT facal"});
  json not_corrected = search_json("seeds", {"-n", "100", "recognition NOT facial"});
  EXPECT_LT(not_corrected["results"].size(), not_query["results"].size());
  EXPECT_TRUE(not_query["suggestion"].is_null()) << not_query["suggestion"];
  json zebra = search_json("seeds", {"facal", "zebra"});
  EXPECT_EQ(search_json("seeds", {"facial", "zebra"})["total"], 0);
  EXPECT_TRUE(zebra["suggestion"].is_null()) << zebra["suggestion"];
  // With --any, "facial" adds matches to "robot": suggested.
  json any = search_json("seeds", {"--any", "robot", "facal"});
  ASSERT_TRUE(any["suggestion"].is_object()) << any.dump(2);
  EXPECT_EQ(any["suggestion"]["query"], "robot facial");
  EXPECT_GT(any["suggestion"]["total"].get<int>(), any["total"].get<int>());
}

bool in_spelling_dictionary(const std::string& db, const std::string& word) {
  Xapian::Database database(db);
  for (auto it = database.spellings_begin(); it != database.spellings_end(); ++it) {
    if (*it == word) return true;
  }
  return false;
}

TEST(CliFeaturesSpelling, DictionaryForgetsTheWordsOfARemovedFile) {
  TempDir dir;
  fs::path folder = dir / "news";
  fs::copy(kFeatures / "spelling", folder, fs::copy_options::recursive);
  std::string db = (dir / "db").string();
  CommandResult first = news_index({"--db", db, folder.string()});
  ASSERT_EQ(first.status, 0) << describe(first);
  EXPECT_TRUE(in_spelling_dictionary(db, "quokkaburger"));
  EXPECT_EQ(Xapian::Database(db).get_spelling_suggestion("quokkaburgr"), "quokkaburger");
  CommandResult before = news_search({"--db", db, "--json", "quokkaburgr"});
  json suggestion = parse_json(before)["suggestion"];
  ASSERT_TRUE(suggestion.is_object()) << describe(before);
  EXPECT_EQ(suggestion["query"], "quokkaburger");
  EXPECT_EQ(suggestion["total"], 1);

  fs::remove(folder / "s-unique.md");
  CommandResult second = news_index({"--db", db, folder.string()});
  ASSERT_EQ(second.status, 0) << describe(second);
  EXPECT_CONTAINS(second.out, "1 removed");
  EXPECT_FALSE(in_spelling_dictionary(db, "quokkaburger"));
  EXPECT_EQ(Xapian::Database(db).get_spelling_suggestion("quokkaburgr"), "");
  EXPECT_TRUE(in_spelling_dictionary(db, "wombatfries"));  // the other files' words stay
  CommandResult after = news_search({"--db", db, "--json", "quokkaburgr"});
  EXPECT_TRUE(parse_json(after)["suggestion"].is_null()) << describe(after);
}

// ---------------------------------------------------------------------------
// 2. Snippets

TEST(CliFeaturesSnippets, SnippetIsThePartOfALongExcerptAroundTheMatch) {
  json response = search_json("text", {"zeppelin"});
  ASSERT_EQ(ids_of(response), Ids{"t-long.md"});
  const json& hit = response["results"][0];
  std::string excerpt = hit["excerpt"], snippet = hit["snippet"], html = hit["snippet_html"];
  EXPECT_GT(excerpt.find("zeppelin"), 400u);
  EXPECT_CONTAINS(snippet, "zeppelin");
  EXPECT_LT(snippet.size(), excerpt.size());
  EXPECT_NOT_CONTAINS(snippet, "<mark>");
  EXPECT_NOT_CONTAINS(snippet, "Volunteers");  // from the start of the excerpt
  EXPECT_CONTAINS(html, "<mark>zeppelin</mark>");
}

TEST(CliFeaturesSnippets, SnippetHtmlIsEscapedAndSnippetIsPlain) {
  json response = search_json("text", {"laboratory"});
  ASSERT_EQ(ids_of(response), Ids{"t-escape.md"});
  const json& hit = response["results"][0];
  EXPECT_EQ(hit["snippet"], "The R&D <b> laboratory asked for more money & time.");
  EXPECT_EQ(hit["snippet_html"],
            "The R&amp;D &lt;b&gt; <mark>laboratory</mark> asked for more money &amp; time.");
}

TEST(CliFeaturesSnippets, ColourBoldsTheMatchesAndPipedOutputHasNoEscapes) {
  CommandResult colour = search("text", {"--color", "laboratory"});
  EXPECT_EQ(colour.status, 0) << describe(colour);
  EXPECT_CONTAINS(colour.out, "\x1b[1mlaboratory\x1b[0m");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"laboratory"}, {"zeppelin"}, {"--facets", "--explain", "budget"}, {}}) {
    CommandResult plain = search("text", args);
    EXPECT_EQ(plain.status, 0) << describe(plain);
    EXPECT_NOT_CONTAINS(plain.out, "\x1b");
    EXPECT_NOT_CONTAINS(plain.out, "\xEE\x80\x80");  // the match markers
    EXPECT_NOT_CONTAINS(plain.out, "\xEE\x80\x81");
  }
  EXPECT_CONTAINS(search("text", {"laboratory"}).out, "The R&D <b> laboratory asked");
}

// ---------------------------------------------------------------------------
// 3. Facets

TEST(CliFeaturesFacets, CountsEqualThoseComputedFromTheFiles) {
  json response = search_json("facets", {"--facets", "--limit", "0"});
  std::vector<FixtureDoc> docs = fixture_docs("facets");
  ASSERT_EQ(docs.size(), 10u);
  EXPECT_EQ(json_facets(response), expected_facets(docs));
  EXPECT_EQ(response["facets"]["exact"], true);
  EXPECT_EQ(response["facets"]["counted"], 10);

  json harbor = search_json("facets", {"--facets", "harbor"});
  std::vector<FixtureDoc> matching;
  for (const auto& doc : docs) {
    if (doc.text.find("harbor") != std::string::npos) matching.push_back(doc);
  }
  ASSERT_EQ(matching.size(), 5u);
  EXPECT_EQ(json_facets(harbor), expected_facets(matching));
  EXPECT_EQ(harbor["facets"]["exact"], true);
}

TEST(CliFeaturesFacets, TerminalShowsExactFacets) {
  CommandResult r = search("facets", {"--facets", "--limit", "0"});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_CONTAINS(r.out, "Facets (exact, 10 matches)");
  EXPECT_CONTAINS(r.out, "type:     article (7) \xC2\xB7 video (2) \xC2\xB7 podcast (1)");
  CommandResult harbor = search("facets", {"--facets", "harbor"});
  EXPECT_CONTAINS(harbor.out, "Facets (exact, 5 matches)");
  EXPECT_NOT_CONTAINS(search("facets", {"harbor"}).out, "Facets");
}

// ---------------------------------------------------------------------------
// 4. Duplicate stories

const std::map<std::string, std::string> kStoryOf = {
    {"story-a.md", "zoox"},    {"story-b.md", "zoox"},    {"story-c.md", "zoox"},
    {"title-1.md", "glacier"}, {"title-2.md", "glacier"}, {"url-1.md", "lander"},
    {"url-2.md", "lander"},    {"norm-1.md", "tunnel"},   {"norm-2.md", "tunnel"},
    {"solo-1.md", "bakery"},   {"solo-2.md", "chess"},
};

TEST(CliFeaturesDuplicates, EachStoryIsShownOnceWithItsCopiesCounted) {
  json response = search_json("dupes", {"-n", "100"});
  std::map<std::string, int> collapsed;
  for (const auto& result : response["results"]) {
    std::string id = result["id"];
    ASSERT_TRUE(kStoryOf.contains(id)) << id;
    EXPECT_FALSE(collapsed.contains(kStoryOf.at(id))) << "story shown twice: " << id;
    collapsed[kStoryOf.at(id)] = result["collapsed"].get<int>();
  }
  EXPECT_EQ(
      collapsed,
      (std::map<std::string, int>{
          {"zoox", 2}, {"glacier", 1}, {"lander", 1}, {"tunnel", 1}, {"bakery", 0}, {"chess", 0}}));
}

TEST(CliFeaturesDuplicates, AllShowsEveryCopy) {
  json response = search_json("dupes", {"--all", "-n", "100"});
  Ids ids = ids_of(response);
  std::sort(ids.begin(), ids.end());
  Ids expected;
  for (const auto& [id, story] : kStoryOf) expected.push_back(id);
  EXPECT_EQ(ids, expected);
  for (const auto& result : response["results"]) EXPECT_EQ(result["collapsed"], 0);
  json lawsuit = search_json("dupes", {"lawsuit"});
  ASSERT_EQ(lawsuit["results"].size(), 1u);
  EXPECT_EQ(lawsuit["results"][0]["collapsed"], 2);
  EXPECT_EQ(search_json("dupes", {"--all", "lawsuit"})["results"].size(), 3u);
}

TEST(CliFeaturesDuplicates, TerminalShowsTheNumberOfDuplicates) {
  CommandResult r = search("dupes", {"-n", "100"});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_CONTAINS(r.out, "+2 duplicates");
  EXPECT_CONTAINS(r.out, "+1 duplicate\n");
  EXPECT_NOT_CONTAINS(search("dupes", {"--all", "-n", "100"}).out, "duplicate");
}

// ---------------------------------------------------------------------------
// 5. Freshness (tests/fixtures/features/fresh/)

const std::vector<std::string> kFresh = {"--half-life", "30d", "--now", "2021-03-01"};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(CliFeaturesFreshness, NewerDocumentOutranksAnOtherwiseIdenticalOlderOne) {
  json response = search_json("fresh", with(kFresh, {"--explain", "lunar", "rover"}));
  EXPECT_EQ(ids_of(response),
            (Ids{"fr-future.md", "fr-new.md", "fr-halflife.md", "fr-old.md", "fr-undated.md"}));
}

TEST(CliFeaturesFreshness, WithoutHalfLifeTheDateDoesNotCount) {
  json response = search_json("fresh", {"--explain", "--now", "2021-03-01", "lunar", "rover"});
  ASSERT_EQ(response["results"].size(), 5u);
  double first = response["results"][0]["score"];
  for (const auto& result : response["results"]) {
    EXPECT_DOUBLE_EQ(result["score"].get<double>(), first) << result["id"];
    EXPECT_EQ(result["explain"]["freshness"], 0.0) << result["id"];
  }
}

TEST(CliFeaturesFreshness, FreshnessPartIsWeightTimesHalfToTheAgeInHalfLives) {
  json response = search_json(
      "fresh", with(kFresh, {"--freshness-weight", "2", "--explain", "lunar", "rover"}));
  const std::map<std::string, double> age_days = {
      {"fr-future.md", 0}, {"fr-new.md", 1}, {"fr-halflife.md", 30}, {"fr-old.md", 365}};
  for (const auto& [id, age] : age_days) {
    const json* result = find_result(response, id);
    ASSERT_NE(result, nullptr) << id;
    EXPECT_NEAR((*result)["explain"]["freshness"].get<double>(), 2 * std::pow(0.5, age / 30), 1e-9)
        << id;
  }
  EXPECT_NEAR((*find_result(response, "fr-halflife.md"))["explain"]["freshness"].get<double>(), 1.0,
              1e-9);
  EXPECT_EQ((*find_result(response, "fr-undated.md"))["explain"]["freshness"], 0.0);
}

TEST(CliFeaturesFreshness, DocumentNewerThanNowGetsTheFullWeight) {
  json response = search_json(
      "fresh", with(kFresh, {"--freshness-weight", "1.5", "--explain", "lunar", "rover"}));
  ASSERT_NE(find_result(response, "fr-future.md"), nullptr);
  EXPECT_NEAR((*find_result(response, "fr-future.md"))["explain"]["freshness"].get<double>(), 1.5,
              1e-9);
}

TEST(CliFeaturesFreshness, SameNowGivesTheSameResults) {
  CommandResult a = search("fresh", with(kFresh, {"--json", "--explain", "lunar", "rover"}));
  CommandResult b = search("fresh", with(kFresh, {"--json", "--explain", "lunar", "rover"}));
  EXPECT_EQ(a.status, 0) << describe(a);
  EXPECT_EQ(a.out, b.out);
  // The freshness is counted from --now, not from the clock: without --now
  // (today, years after the fixture's dates) the same document is far staler.
  json today = search_json("fresh", {"--half-life", "30d", "--explain", "lunar", "rover"});
  ASSERT_NE(find_result(today, "fr-new.md"), nullptr);
  EXPECT_LT((*find_result(today, "fr-new.md"))["explain"]["freshness"].get<double>(), 1e-6);
  // A date-time --now counts its day.
  json later = search_json("fresh", {"--half-life", "30d", "--now", "2021-03-01T18:30:00Z",
                                     "--explain", "lunar", "rover"});
  EXPECT_EQ(ids_of(later), ids_of(parse_json(a)));
}

TEST(CliFeaturesFreshness, BadHalfLifeOrNowExitsTwo) {
  CommandResult r = search("fresh", {"--half-life", "soon", "lunar"});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_CONTAINS(r.err, "soon");
  CommandResult n = search("fresh", {"--half-life", "30d", "--now", "yesterday", "lunar"});
  EXPECT_EQ(n.status, 2) << describe(n);
  EXPECT_CONTAINS(n.err, "yesterday");
}

// ---------------------------------------------------------------------------
// 6. --explain

void expect_parts_add_up(const json& response, const std::string& what) {
  ASSERT_FALSE(response["results"].empty()) << what;
  for (const auto& result : response["results"]) {
    ASSERT_TRUE(result.contains("explain")) << what;
    const json& e = result["explain"];
    double sum = e["relevance"].get<double>() + e["quality"].get<double>() +
                 e["heat"].get<double>() + e["freshness"].get<double>();
    EXPECT_NEAR(sum, result["score"].get<double>(), 1e-9) << what << ": " << result["id"];
  }
}

TEST(CliFeaturesExplain, PartsAddUpToTheScoreForEveryResult) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"ai"},
           {},
           {"--half-life", "30d", "--now", "2021-03-01", "robots"},
           {"--quality-weight", "3", "--heat-weight", "7", "--half-life", "7d", "--now",
            "2020-06-01", "--freshness-weight", "5", "power", "apps"},
           {"--sort", "date", "ai"},
           {"--like", "ai-news/2020-04-15-walking-robot-uses-neural-net-to-change-gaits.md"}}) {
    std::string what = ::testing::PrintToString(args);
    expect_parts_add_up(search_json("seeds", with({"--explain", "-n", "300"}, args)), what);
  }
}

TEST(CliFeaturesExplain, QualityWeightZeroGivesZeroQualityParts) {
  json response = search_json("seeds", {"--explain", "-n", "300", "--quality-weight", "0", "ai"});
  expect_parts_add_up(response, "quality weight 0");
  for (const auto& result : response["results"]) {
    EXPECT_EQ(result["explain"]["quality"], 0.0) << result["id"];
  }
  // With the default weight the parts are weight * q / (q + 70), unknown 0.5.
  json blended = search_json("seeds", {"--explain", "-n", "300", "ai"});
  for (const auto& result : blended["results"]) {
    double q = result["quality"].is_null()
                   ? 0.5
                   : result["quality"].get<double>() / (result["quality"].get<double>() + 70);
    EXPECT_NEAR(result["explain"]["quality"].get<double>(), 0.5 * q, 1e-9) << result["id"];
  }
}

TEST(CliFeaturesExplain, TerminalShowsTheSum) {
  CommandResult r = search(
      "seeds", {"--explain", "--half-life", "30d", "--now", "2021-03-01", "-n", "5", "robots"});
  EXPECT_EQ(r.status, 0) << describe(r);
  static const std::regex kLine(
      R"(score (\d+\.\d{3}) = relevance (\d+\.\d{3}) \+ quality (\d+\.\d{3}) \+ heat (\d+\.\d{3}) \+ freshness (\d+\.\d{3}))");
  int shown = 0;
  for (const auto& line : lines_of(r.out)) {
    std::smatch m;
    if (!std::regex_search(line, m, kLine)) continue;
    ++shown;
    double parts = std::stod(m[2]) + std::stod(m[3]) + std::stod(m[4]) + std::stod(m[5]);
    EXPECT_NEAR(std::stod(m[1]), parts, 0.0025) << line;  // rounding to 3 places
  }
  json response = search_json("seeds", {"-n", "5", "robots"});
  EXPECT_EQ(std::size_t(shown), response["results"].size()) << r.out;
  EXPECT_NOT_CONTAINS(search("seeds", {"-n", "5", "robots"}).out, "= relevance");
}

// ---------------------------------------------------------------------------
// 7. --like

TEST(CliFeaturesLike, PowerAppsArticleFindsMostlyPowerAppsArticles) {
  const std::string source =
      "power-apps/2020-08-21-power-apps-portals-web-api-support-public-preview.md";
  json response = search_json("seeds", {"--like", source});
  Ids ids = ids_of(response);
  ASSERT_EQ(ids.size(), 10u);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), source), 0);
  long power_apps = std::count_if(
      ids.begin(), ids.end(), [](const std::string& id) { return id.starts_with("power-apps/"); });
  EXPECT_GE(power_apps, 8) << ::testing::PrintToString(ids);
  for (std::size_t i = 1; i < response["results"].size(); ++i) {
    EXPECT_GE(response["results"][i - 1]["score"].get<double>(),
              response["results"][i]["score"].get<double>());
  }
  EXPECT_EQ(response["like"], source);
}

TEST(CliFeaturesLike, FindsTheDocumentsSharingWordsInOrder) {
  json response = search_json("like", {"--like", "l-source.md", "-n", "100"});
  EXPECT_EQ(ids_of(response), (Ids{"l-close.md", "l-some.md"}));
  CommandResult r = search("like", {"--like", "l-source.md"});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_CONTAINS(r.out, "documents like l-source.md");
}

TEST(CliFeaturesLike, UnknownIdExitsTwoNamingIt) {
  CommandResult r = search("seeds", {"--like", "no/such-story.md"});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_CONTAINS(r.err, "no/such-story.md");
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// ---------------------------------------------------------------------------
// 8. Output formats

TEST(CliFeaturesFormats, JsonLinesHaveOneObjectPerResult) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"-n", "7", "ai"}, {"-n", "100", "power", "apps"}, {"robot"}}) {
    CommandResult r = search("seeds", with({"--jsonl"}, args));
    EXPECT_EQ(r.status, 0) << describe(r);
    json whole = search_json("seeds", args);
    std::vector<std::string> lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), whole["results"].size());
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), long(lines.size()));
    for (std::size_t i = 0; i < lines.size(); ++i) {
      json object = json::parse(lines[i], nullptr, false);
      ASSERT_FALSE(object.is_discarded()) << lines[i];
      EXPECT_TRUE(object.is_object());
      EXPECT_EQ(object, whole["results"][i]);
    }
  }
  CommandResult none = search("seeds", {"--jsonl", "zzyzxqqvnonword"});
  EXPECT_EQ(none.status, 1);
  EXPECT_TRUE(none.out.empty()) << none.out;
}

TEST(CliFeaturesFormats, CsvParsesAsRfc4180AndRoundTripsTitles) {
  CommandResult r = search("text", {"--csv", "budget"});
  EXPECT_EQ(r.status, 0) << describe(r);
  auto records = parse_csv(r.out);
  ASSERT_EQ(records.size(), 3u) << r.out;
  EXPECT_EQ(records[0],
            (std::vector<std::string>{"rank", "id", "title", "url", "provider", "published", "type",
                                      "quality", "heat", "score", "topics", "collapsed"}));
  std::map<std::string, std::string> titles;
  for (std::size_t i = 1; i < records.size(); ++i) {
    ASSERT_EQ(records[i].size(), 12u);
    titles[records[i][1]] = records[i][2];
  }
  EXPECT_EQ(titles["t-csv-comma.md"], "Cats, dogs and the \"big\" budget vote");
  EXPECT_EQ(titles["t-csv-formula.md"], "'=SUM(A1:A9) budget formula leaks");

  // One row per result, in the JSON order, on a bigger result set.
  CommandResult seeds = search("seeds", {"--csv", "-n", "50", "power", "apps"});
  auto rows = parse_csv(seeds.out);
  Ids json_ids = ids_of(search_json("seeds", {"-n", "50", "power", "apps"}));
  ASSERT_EQ(rows.size(), json_ids.size() + 1);
  for (std::size_t i = 0; i < json_ids.size(); ++i) EXPECT_EQ(rows[i + 1][1], json_ids[i]);
}

TEST(CliFeaturesFormats, FormatOptionEqualsTheShortFlags) {
  for (auto [format, flag] :
       {std::pair{"json", "--json"}, std::pair{"jsonl", "--jsonl"}, std::pair{"csv", "--csv"}}) {
    CommandResult long_form = search("seeds", {"--format", format, "-n", "5", "ai"});
    CommandResult short_form = search("seeds", {flag, "-n", "5", "ai"});
    EXPECT_EQ(long_form.status, 0) << describe(long_form);
    EXPECT_FALSE(long_form.out.empty());
    EXPECT_EQ(long_form.out, short_form.out) << format;
  }
}

TEST(CliFeaturesFormats, TerminalListingFitsColumns) {
  for (const auto& [corpus, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"text", {"-n", "100", "--facets"}},
           {"text", {"zeppelin"}},
           {"facets", {"-n", "100", "--facets"}},
           {"dupes", {"-n", "100"}},
           {"seeds", {"-n", "100", "--facets", "power", "apps"}},
           {"seeds", {"facal", "recogniton"}},
           {"seeds", {"-n", "300"}}}) {
    SCOPED_TRACE(corpus + " " + ::testing::PrintToString(args));
    expect_fits(search(corpus, args, {"COLUMNS=60"}), 60);
  }
}

// Titles and the metadata line fit COLUMNS in display columns (a Japanese
// title once took 85 of 60).
TEST(CliFeaturesFormats, TerminalListingWithWideCharactersFitsColumns) {
  CommandResult r = search("wide", {"robotics"}, {"COLUMNS=60"});
  EXPECT_CONTAINS(r.out, "\xE6\x9D\xB1\xE4\xBA\xAC");  // 東京
  expect_fits(r, 60);
}

// The --explain line wraps to COLUMNS (it once took 81 of 60).
TEST(CliFeaturesFormats, ExplainLineFitsColumns) {
  expect_fits(search("text", {"--explain"}, {"COLUMNS=60"}), 60);
}

// The first line ("N results for "QUERY" (showing 1-N):") wraps to COLUMNS
// however long the query.
TEST(CliFeaturesFormats, HeaderWithALongQueryFitsColumns) {
  expect_fits(search("text", {"regional transport authority announces sweeping timetable overhaul"},
                     {"COLUMNS=60"}),
              60);
}

// ---------------------------------------------------------------------------
// 9. --count and --ids

TEST(CliFeaturesCountIds, CountPrintsOnlyTheExactNumberOfResults) {
  static const std::regex kNumber(R"(\d+\n)");
  for (const auto& [corpus, query] :
       std::vector<std::pair<std::string, std::string>>{{"seeds", ""},
                                                        {"seeds", "ai"},
                                                        {"seeds", "power apps"},
                                                        {"seeds", "type:video"},
                                                        {"seeds", "facial recognition"},
                                                        {"facets", "harbor"},
                                                        {"dupes", ""},
                                                        {"fresh", "lunar rover"}}) {
    CommandResult r = search(corpus, {"--count", query});
    EXPECT_TRUE(std::regex_match(r.out, kNumber)) << corpus << " [" << query << "]: " << r.out;
    EXPECT_TRUE(r.err.empty()) << r.err;
    json all = search_json(corpus, {"-n", "10000", query});
    EXPECT_EQ(std::stoul(r.out), all["results"].size()) << corpus << " [" << query << "]";
  }
}

// --count is exact with duplicates collapsed, for NOT and OR queries too (it
// once printed 6 for the 2 results of 'recognition NOT facial' on the seeds),
// and a page that holds the last match reports the exact total.
TEST(CliFeaturesCountIds, CountIsExactForQueriesWithNot) {
  for (const auto& [corpus, query] :
       std::vector<std::pair<std::string, std::string>>{{"seeds", "recognition NOT facial"},
                                                        {"seeds", "data OR model"},
                                                        {"facets", "harbor NOT seals"}}) {
    CommandResult r = search(corpus, {"--count", query});
    json all = search_json(corpus, {"-n", "10000", query});
    EXPECT_EQ(r.out, std::to_string(all["results"].size()) + "\n")
        << corpus << " [" << query << "]";
  }
}

TEST(CliFeaturesCountIds, IdsArePrintedAloneInTheJsonOrder) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"-n", "20", "ai"},
                                             {"--offset", "5", "-n", "10", "power", "apps"},
                                             {"--sort", "date", "-n", "30"},
                                             {"--all", "-n", "100", "power", "apps"}}) {
    CommandResult r = search("seeds", with({"--ids"}, args));
    EXPECT_EQ(r.status, 0) << describe(r);
    Ids json_ids = ids_of(search_json("seeds", args));
    EXPECT_FALSE(json_ids.empty());
    EXPECT_EQ(lines_of(r.out), json_ids) << ::testing::PrintToString(args);
  }
}

// ---------------------------------------------------------------------------
// 10. The indexer's progress line

bool have_script() { return run_command("command -v script >/dev/null 2>&1").status == 0; }

// A few thousand news files: the seeds copied 30 times under new names (7920 files).
void make_big_corpus(const fs::path& folder) {
  int copy = 0;
  for (int round = 0; round < 30; ++round) {
    for (const auto& entry : fs::recursive_directory_iterator(NEWS_SEEDS_DIR)) {
      if (!entry.is_regular_file()) continue;
      fs::path relative = fs::relative(entry.path(), NEWS_SEEDS_DIR);
      fs::path target = folder / ("copy" + std::to_string(round)) / relative.parent_path() /
                        ("c" + std::to_string(++copy) + "-" + relative.filename().string());
      fs::create_directories(target.parent_path());
      fs::copy_file(entry.path(), target);
    }
  }
}

TEST(CliFeaturesIndexer, ProgressOnATerminalOnly) {
  if (!have_script()) GTEST_SKIP() << "script (util-linux) is not installed";
  TempDir dir;
  make_big_corpus(dir / "news");
  // On a pseudo-terminal: a progress line with the rate.
  std::string index =
      command_line(NEWS_INDEX_BIN, {"--db", (dir / "tty-db").string(), (dir / "news").string()});
  auto start = std::chrono::steady_clock::now();
  CommandResult tty = run_command("script -qc " + shell_quote(index) + " /dev/null </dev/null");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string shown = tty.out + tty.err;
  EXPECT_CONTAINS(shown, "\r\x1b[Knews-index: ");
  EXPECT_CONTAINS(shown, "/7920 files");
  EXPECT_CONTAINS(shown, "7920 files seen");
  // The rate is shown once a second has passed; this run takes longer than
  // that wherever it was tried (several seconds), but a far faster machine
  // may finish first.
  if (seconds >= 2.5) {
    EXPECT_CONTAINS(shown, "files/s");
  } else {
    std::cerr << "indexing took only " << seconds << " s: the rate was not checked\n";
  }

  // Piped: no progress at all, only the summary and the rejected files.
  CommandResult piped = news_index({"--db", (dir / "piped-db").string(), (dir / "news").string()});
  EXPECT_EQ(piped.status, 1) << describe(piped);  // the corrupt seed, 30 times
  EXPECT_CONTAINS(piped.out, "7920 files seen");
  EXPECT_NOT_CONTAINS(piped.err, "\r");
  EXPECT_NOT_CONTAINS(piped.err, "files/s");
  EXPECT_NOT_CONTAINS(piped.out, "\r");
  EXPECT_NOT_CONTAINS(piped.out, "files/s");
  EXPECT_NOT_CONTAINS(piped.err, "\x1b");
}

// ---------------------------------------------------------------------------
// 11. The configuration file

class CliFeaturesConfig : public ::testing::Test {
 protected:
  std::string config(const std::string& text, const std::string& name = "config.yaml") {
    fs::path path = dir_ / name;
    write_file(path, text);
    return path.string();
  }
  TempDir dir_;
};

TEST_F(CliFeaturesConfig, ConfigOptionFileIsApplied) {
  std::string file = config("limit: 2\nformat: jsonl\ndb: " + db_of("facets") + "\n");
  CommandResult r = news_search({"--config", file});
  EXPECT_EQ(r.status, 0) << describe(r);
  std::vector<std::string> lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  for (const auto& line : lines) {
    json object = json::parse(line, nullptr, false);
    ASSERT_TRUE(object.is_object()) << line;
    EXPECT_TRUE(object["id"].get<std::string>().starts_with("f")) << "from the facets db";
  }
}

TEST_F(CliFeaturesConfig, EnvironmentVariableFileIsApplied) {
  std::string file = config("limit: 2\nformat: jsonl\ndb: " + db_of("facets") + "\n");
  CommandResult r = news_search({}, {"NEWS_SEARCH_CONFIG=" + file});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(lines_of(r.out).size(), 2u) << r.out;
  EXPECT_TRUE(json::parse(lines_of(r.out)[0], nullptr, false).is_object());
}

TEST_F(CliFeaturesConfig, XdgConfigFileIsApplied) {
  config("limit: 2\nformat: jsonl\ndb: " + db_of("facets") + "\n", "xdg/news-search/config.yaml");
  CommandResult r = news_search({}, {"XDG_CONFIG_HOME=" + (dir_ / "xdg").string()});
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(lines_of(r.out).size(), 2u) << r.out;
  EXPECT_TRUE(json::parse(lines_of(r.out)[0], nullptr, false).is_object());
  // Without XDG_CONFIG_HOME: $HOME/.config/news-search/config.yaml.
  config("limit: 3\nformat: jsonl\ndb: " + db_of("facets") + "\n",
         "home/.config/news-search/config.yaml");
  CommandResult home = news_search({}, {"HOME=" + (dir_ / "home").string(), "XDG_CONFIG_HOME="});
  EXPECT_EQ(home.status, 0) << describe(home);
  EXPECT_EQ(lines_of(home.out).size(), 3u) << home.out;
}

TEST_F(CliFeaturesConfig, CommandLineOverridesTheFile) {
  std::string file = config("limit: 2\nformat: jsonl\ndb: " + db_of("facets") + "\n");
  EXPECT_EQ(lines_of(news_search({"--config", file, "--limit", "4"}).out).size(), 4u);
  EXPECT_EQ(lines_of(news_search({"--config", file, "-n", "5"}).out).size(), 5u);
  CommandResult as_json = news_search({"--config", file, "--json"});
  json response = parse_json(as_json);
  EXPECT_EQ(response["results"].size(), 2u);
  CommandResult as_csv = news_search({"--config", file, "--format", "csv"});
  EXPECT_TRUE(as_csv.out.starts_with("rank,id,title")) << as_csv.out;
  CommandResult other_db = news_search({"--config", file, "--db", db_of("dupes"), "--ids"});
  EXPECT_EQ(other_db.status, 0) << describe(other_db);
  for (const auto& id : lines_of(other_db.out)) EXPECT_TRUE(kStoryOf.contains(id)) << id;
  // --config wins over the variable, which wins over the XDG file.
  std::string bad = config("limit: lots\n", "bad.yaml");
  config("limit: wrong\n", "xdg/news-search/config.yaml");
  std::vector<std::string> env = {"NEWS_SEARCH_CONFIG=" + bad,
                                  "XDG_CONFIG_HOME=" + (dir_ / "xdg").string()};
  EXPECT_EQ(news_search({"--config", file}, env).status, 0);
  CommandResult from_variable = news_search({}, env);
  EXPECT_EQ(from_variable.status, 2);
  EXPECT_CONTAINS(from_variable.err, bad);
}

TEST_F(CliFeaturesConfig, RankingKeysAreApplied) {
  std::string file = config(
      "quality_weight: 0\nheat_weight: 0\nhalf_life: 30d\n"
      "freshness_weight: 2\nformat: json\n");
  CommandResult r = news_search({"--config", file, "--db", db_of("fresh"), "--explain", "--now",
                                 "2021-03-01", "lunar", "rover"});
  json response = parse_json(r);
  ASSERT_NE(find_result(response, "fr-halflife.md"), nullptr) << describe(r);
  const json& e = (*find_result(response, "fr-halflife.md"))["explain"];
  EXPECT_EQ(e["quality"], 0.0);
  EXPECT_EQ(e["heat"], 0.0);
  EXPECT_NEAR(e["freshness"].get<double>(), 1.0, 1e-9);
  // The command line's weight wins.
  json overridden =
      parse_json(news_search({"--config", file, "--db", db_of("fresh"), "--explain", "--now",
                              "2021-03-01", "--quality-weight", "1", "lunar", "rover"}));
  EXPECT_GT((*find_result(overridden, "fr-halflife.md"))["explain"]["quality"].get<double>(), 0);
}

TEST_F(CliFeaturesConfig, BadValuesExitTwoNamingFileKeyAndReason) {
  struct Case {
    std::string text, key, reason;
  };
  for (const Case& c :
       std::vector<Case>{{"quality_weight: abc\n", "quality_weight", "expected a number"},
                         {"colour: always\n", "colour", "unknown key"},
                         {"format: xml\n", "format", "'xml' is not one of"},
                         {"limit: -1\n", "limit", "between 0 and 10000"},
                         {"heat_weight: -2\n", "heat_weight", "between 0 and 1000"},
                         {"half_life: soon\n", "half_life", "soon"}}) {
    SCOPED_TRACE(c.text);
    std::string file = config(c.text, "bad.yaml");
    CommandResult r = news_search({"--config", file, "--db", db_of("facets")});
    EXPECT_EQ(r.status, 2) << describe(r);
    EXPECT_CONTAINS(r.err, file);
    EXPECT_CONTAINS(r.err, c.key);
    EXPECT_CONTAINS(r.err, c.reason);
    EXPECT_TRUE(r.out.empty()) << r.out;
    // The same through the variable and the XDG file.
    EXPECT_EQ(news_search({"--db", db_of("facets")}, {"NEWS_SEARCH_CONFIG=" + file}).status, 2);
    std::string xdg = config(c.text, "xdg/news-search/config.yaml");
    CommandResult from_xdg =
        news_search({"--db", db_of("facets")}, {"XDG_CONFIG_HOME=" + (dir_ / "xdg").string()});
    EXPECT_EQ(from_xdg.status, 2) << describe(from_xdg);
    EXPECT_CONTAINS(from_xdg.err, xdg);
    EXPECT_CONTAINS(from_xdg.err, c.key);
  }
}

TEST_F(CliFeaturesConfig, MissingConfigFileExitsTwo) {
  std::string missing = (dir_ / "missing.yaml").string();
  CommandResult r = news_search({"--config", missing, "--db", db_of("facets")});
  EXPECT_EQ(r.status, 2) << describe(r);
  EXPECT_CONTAINS(r.err, missing);
  CommandResult v = news_search({"--db", db_of("facets")}, {"NEWS_SEARCH_CONFIG=" + missing});
  EXPECT_EQ(v.status, 2) << describe(v);
  EXPECT_CONTAINS(v.err, missing);
  // A missing XDG file is fine: it is optional.
  CommandResult x =
      news_search({"--db", db_of("facets")}, {"XDG_CONFIG_HOME=" + (dir_ / "nowhere").string()});
  EXPECT_EQ(x.status, 0) << describe(x);
}

// ---------------------------------------------------------------------------
// 12. --help

TEST(CliFeaturesHelp, HelpHasTheManualSections) {
  CommandResult r = news_search({"--help"});
  EXPECT_EQ(r.status, 0) << describe(r);
  std::set<std::string> lines;
  for (const auto& line : lines_of(r.out)) lines.insert(line);
  for (const char* section :
       {"QUERY SYNTAX", "RANKING", "CONFIGURATION", "ENVIRONMENT", "EXIT STATUS", "EXAMPLES"}) {
    EXPECT_TRUE(lines.contains(section)) << "no section heading " << section << " in:\n" << r.out;
  }
}

TEST(CliFeaturesHelp, EveryExampleRunsOnTheSeeds) {
  CommandResult help = news_search({"--help"});
  std::vector<std::string> examples;
  bool in_examples = false;
  for (const auto& line : lines_of(help.out)) {
    if (!line.empty() && line[0] != ' ') in_examples = line == "EXAMPLES";
    if (in_examples && line.starts_with("  news-search")) examples.push_back(line.substr(2));
  }
  ASSERT_GE(examples.size(), 5u) << help.out;
  for (const auto& example : examples) {
    // "news-search ARGS" -> "BIN --db SEEDS_DB ARGS", run by the shell as written.
    std::string command = environment({}) + " " + shell_quote(NEWS_SEARCH_BIN) + " --db " +
                          shell_quote(db_of("seeds")) +
                          example.substr(std::string("news-search").size());
    CommandResult r = run_command(command + " </dev/null");
    EXPECT_TRUE(r.status == 0 || r.status == 1) << example << "\n" << describe(r);
    EXPECT_TRUE(r.err.empty()) << example << "\n" << r.err;
  }
}

// ---------------------------------------------------------------------------
// 13. Bash completion

const char* kBashCompletion = "/usr/share/bash-completion/bash_completion";

// Completes `words` (the last one being completed) with _news_search after
// sourcing `preamble`; news-search is found on PATH.
std::vector<std::string> complete(const std::string& preamble,
                                  const std::vector<std::string>& words) {
  std::string array, line;
  for (const auto& word : words) {
    array += " " + shell_quote(word);
    line += (line.empty() ? "" : " ") + word;
  }
  std::string script =
      preamble + "\nsource " + shell_quote(kCompletion.string()) + "\nCOMP_WORDS=(" + array +
      ")\nCOMP_CWORD=" + std::to_string(words.size() - 1) + "\nCOMP_LINE=" + shell_quote(line) +
      "\nCOMP_POINT=${#COMP_LINE}\n_news_search\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
  std::string path = fs::path(NEWS_SEARCH_BIN).parent_path().string();
  CommandResult r = run_command(environment({}) + " PATH=" + shell_quote(path) +
                                ":\"$PATH\" bash -c " + shell_quote(script) + " </dev/null");
  EXPECT_EQ(r.status, 0) << describe(r);
  std::vector<std::string> out;
  for (const auto& reply : lines_of(r.out)) {
    if (!reply.empty()) out.push_back(reply);
  }
  return out;
}

// Stand-ins for the two bash-completion helpers the script uses, so the
// script's own logic is tested where bash-completion is not installed.
const char* kStubs =
    "_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; }\n"
    "_filedir() { :; }";

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

void expect_completions(const std::string& preamble) {
  EXPECT_EQ(complete(preamble, {"news-search", "--so"}), std::vector<std::string>{"--sort"});
  EXPECT_EQ(sorted(complete(preamble, {"news-search", "--sort", ""})),
            sorted({"relevance", "date", "quality", "heat"}));
  EXPECT_EQ(complete(preamble, {"news-search", "--sort", "q"}),
            std::vector<std::string>{"quality"});
  EXPECT_EQ(sorted(complete(preamble, {"news-search", "--format", ""})),
            sorted({"terminal", "json", "jsonl", "csv"}));
  // Topics come from the database named by --db.
  std::vector<std::string> expected_topics;
  std::set<std::string> unique;
  for (const auto& doc : fixture_docs("facets"))
    unique.insert(doc.topics.begin(), doc.topics.end());
  expected_topics.assign(unique.begin(), unique.end());
  EXPECT_EQ(sorted(complete(preamble, {"news-search", "--db", db_of("facets"), "--topic", ""})),
            expected_topics);
  EXPECT_EQ(complete(preamble, {"news-search", "--db", db_of("facets"), "--topic", "log"}),
            std::vector<std::string>{"logistics"});
  EXPECT_EQ(sorted(complete(preamble, {"news-search", "--db", db_of("facets"), "--type", ""})),
            sorted({"article", "video", "podcast"}));
}

TEST(CliFeaturesCompletion, CompletesWithBashCompletion) {
  if (!fs::exists(kBashCompletion)) {
    GTEST_SKIP() << kBashCompletion << " is missing (package bash-completion not installed); "
                 << "CliFeaturesCompletion.CompletesWithStandInHelpers covers the script";
  }
  if (run_command("command -v bash >/dev/null").status != 0) GTEST_SKIP() << "no bash";
  expect_completions(std::string("source ") + kBashCompletion);
}

TEST(CliFeaturesCompletion, CompletesWithStandInHelpers) {
  if (run_command("command -v bash >/dev/null").status != 0) GTEST_SKIP() << "no bash";
  expect_completions(kStubs);
}

// `--topic ""` offers every topic of the database, not only the ten most
// frequent that --facets lists by default.
TEST(CliFeaturesCompletion, TopicCompletionOffersEveryTopicOfTheDatabase) {
  std::set<std::string> all;
  Xapian::Database db(db_of("seeds"));
  for (auto it = db.allterms_begin("K"); it != db.allterms_end("K"); ++it) {
    all.insert((*it).substr(1));
  }
  ASSERT_GT(all.size(), 10u);
  std::vector<std::string> offered =
      complete(kStubs, {"news-search", "--db", db_of("seeds"), "--topic", ""});
  EXPECT_EQ(sorted(offered), std::vector<std::string>(all.begin(), all.end()));
}

// ---------------------------------------------------------------------------
// 14. HTML entities are decoded when indexing

TEST(CliFeaturesEntities, TitleAndExcerptAreStoredAndShownDecoded) {
  json response = search_json("text", {"foster"});
  ASSERT_EQ(ids_of(response), Ids{"t-entities.md"});
  const json& hit = response["results"][0];
  EXPECT_EQ(hit["title"], "Zoox" + kRightQuote + "s R&D lab opens in Foster City");
  EXPECT_EQ(hit["excerpt"], "It" + kRightQuote + "s the company" + kRightQuote +
                                "s first R&D hub \xE2\x80\x94 with two hundred engineers.");
  CommandResult r = search("text", {"foster"});
  EXPECT_CONTAINS(r.out, "Zoox" + kRightQuote + "s R&D lab opens in Foster City");
  EXPECT_NOT_CONTAINS(r.out, "&#8217;");
  EXPECT_NOT_CONTAINS(r.out, "&amp;");
  CommandResult csv = search("text", {"--csv", "foster"});
  EXPECT_CONTAINS(csv.out, "\"Zoox" + kRightQuote + "s R&D lab opens in Foster City\"");
}

}  // namespace
