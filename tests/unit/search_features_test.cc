// The search features of the core library (core/search.h, core/format.h,
// core/text.h, the spelling dictionary kept by core/indexer.cc): "did you
// mean", snippets, facets, duplicate stories, freshness, --explain's score
// parts, "more like this", the output formats, exact counts and HTML
// entities. The corpora are the small ones in tests/fixtures/features/ (see
// its README.md) and the bundled seeds/, indexed with the real indexer.
#include <gtest/gtest.h>
#include <xapian.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/text.h"
#include "document/document.h"
#include "document/document_builder.h"
#include "fixture_reader.h"
#include "index/indexer.h"
#include "render/format.h"
#include "schema/schema.h"
#include "search/search.h"
#include "spelling_check.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

using news::SearchHit;
using news::SearchRequest;
using news::SearchResponse;
using Ids = std::vector<std::string>;

const fs::path kFeatures = fs::path(NEWS_FIXTURES_DIR) / "features";

// UTF-8 spelled out as bytes so the file's own encoding cannot interfere.
const std::string kRightQuote = "\xE2\x80\x99";  // ’
const std::string kEmDash = "\xE2\x80\x94";      // —

class RecordingObserver : public news::IndexObserver {
 public:
  void rejected(const std::string& file, const std::string& reason) override {
    problems.push_back("rejected " + file + ": " + reason);
  }
  void warning(const std::string& file, const std::string& message) override {
    problems.push_back("warning " + file + ": " + message);
  }
  std::vector<std::string> problems;
};

struct IndexRun {
  news::IndexStats stats;
  std::vector<std::string> problems;
};

IndexRun index_folder(const fs::path& folder, const std::string& db) {
  news::IndexOptions options;
  options.db_path = db;
  RecordingObserver observer;
  IndexRun run;
  run.stats = news::index_paths({folder.string()}, options, observer);
  run.problems = observer.problems;
  return run;
}

// A corpus indexed into a throwaway database, once per test program.
struct Corpus {
  news::testing::TempDir dir;
  std::string db;
  IndexRun run;
};

// "seeds" or the name of a folder under tests/fixtures/features/.
const Corpus& corpus(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Corpus>> corpora;
  auto& slot = corpora[name];
  if (!slot) {
    slot = std::make_unique<Corpus>();
    slot->db = (slot->dir / "db").string();
    fs::path folder = name == "seeds" ? fs::path(NEWS_SEEDS_DIR) : kFeatures / name;
    slot->run = index_folder(folder, slot->db);
  }
  return *slot;
}

// A Searcher over a corpus whose indexing went as expected.
std::unique_ptr<news::Searcher> searcher_for(const std::string& name) {
  const Corpus& c = corpus(name);
  if (name == "seeds") {
    EXPECT_EQ(c.run.stats.rejected, 1u);  // the one corrupt seed
  } else {
    EXPECT_TRUE(c.run.problems.empty()) << c.run.problems.front();
    EXPECT_GT(c.run.stats.indexed, 0u);
  }
  return std::make_unique<news::Searcher>(c.db);
}

SearchRequest request_for(const std::string& query, Xapian::doccount limit = 1000) {
  SearchRequest request;
  request.query = query;
  request.limit = limit;
  return request;
}

Ids ids_of(const SearchResponse& response) {
  Ids ids;
  for (const auto& hit : response.hits) ids.push_back(hit.id);
  return ids;
}

const SearchHit* find_hit(const SearchResponse& response, const std::string& id) {
  for (const auto& hit : response.hits) {
    if (hit.id == id) return &hit;
  }
  return nullptr;
}

std::int64_t epoch_seconds(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return duration_cast<seconds>(sys_days(year(y) / month(m) / day(d)).time_since_epoch()).count();
}

// "2021-02-28T12:00:00Z" -> the day, as days since the epoch.
long day_number(const std::string& iso) {
  using namespace std::chrono;
  int y = std::stoi(iso.substr(0, 4));
  unsigned m = unsigned(std::stoi(iso.substr(5, 2))), d = unsigned(std::stoi(iso.substr(8, 2)));
  return sys_days(year(y) / month(m) / day(d)).time_since_epoch().count();
}

// How often the spelling dictionary holds `word` (0: not at all).
Xapian::doccount spelling_frequency(const std::string& db_path, const std::string& word) {
  return news::testing::spelling_count(Xapian::Database(db_path), word);
}

using news::testing::FixtureDoc;
using news::testing::lower_folded;
using news::testing::read_fixture;

using Counts = std::map<std::string, std::map<std::string, Xapian::doccount>>;

Counts expected_facets(const std::vector<FixtureDoc>& docs) {
  Counts counts;
  for (const auto& doc : docs) {
    std::set<std::string> topics(doc.topics.begin(), doc.topics.end());
    for (const auto& topic : topics) ++counts["topic"][topic];
    if (!doc.provider.empty()) ++counts["provider"][doc.provider];
    if (!doc.type.empty()) ++counts["type"][doc.type];
    if (!doc.month.empty()) ++counts["month"][doc.month];
  }
  for (const char* name : {"topic", "provider", "type", "month"})
    counts[name];  // present, maybe empty
  return counts;
}

Counts actual_facets(const SearchResponse& response) {
  Counts counts;
  for (const auto& facet : response.facets) {
    auto& values = counts[facet.name];
    for (const auto& value : facet.values) {
      std::string label = value.value;
      if (facet.name == "month" && label.size() == 6)
        label = label.substr(0, 4) + "-" + label.substr(4);
      values[label] = value.count;
    }
  }
  for (const char* name : {"topic", "provider", "type", "month"})
    counts[name];  // present, maybe empty
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

// ---------------------------------------------------------------------------
// 1. "Did you mean"

TEST(SpellingFeaturesTest, MisspeltQueryOnSeedsGetsCorrectionWithMoreResults) {
  auto searcher = searcher_for("seeds");
  SearchResponse typed = searcher->search(request_for("facal recogniton"));
  ASSERT_TRUE(typed.suggestion.has_value());
  EXPECT_EQ(typed.suggestion->query, "facial recognition");
  SearchResponse corrected = searcher->search(request_for("facial recognition"));
  EXPECT_EQ(typed.suggestion->total, corrected.total_estimate);
  EXPECT_GT(typed.suggestion->total, typed.total_estimate);
  EXPECT_GE(corrected.hits.size(), 3u);
}

TEST(SpellingFeaturesTest, CorrectlySpeltQueryWithResultsGetsNoSuggestion) {
  auto searcher = searcher_for("seeds");
  for (const char* query : {"facial recognition", "power apps", "robot"}) {
    SearchResponse response = searcher->search(request_for(query));
    EXPECT_FALSE(response.hits.empty()) << query;
    EXPECT_FALSE(response.suggestion.has_value()) << query << " -> " << response.suggestion->query;
  }
}

TEST(SpellingFeaturesTest, CorrectionThatDoesNotGiveMoreResultsIsNotSuggested) {
  auto searcher = searcher_for("seeds");
  // The dictionary does correct "facal" ...
  ASSERT_EQ(searcher->database().get_spelling_suggestion("facal"), "facial");
  // ... but "recognition NOT facial" matches fewer than "recognition NOT facal",
  // and "facial zebra" as few as "facal zebra" (none).
  for (auto [typed, corrected] : {std::pair{"recognition NOT facal", "recognition NOT facial"},
                                  std::pair{"facal zebra", "facial zebra"}}) {
    SearchResponse typed_response = searcher->search(request_for(typed));
    SearchResponse corrected_response = searcher->search(request_for(corrected));
    EXPECT_LE(corrected_response.hits.size(), typed_response.hits.size()) << corrected;
    EXPECT_FALSE(typed_response.suggestion.has_value())
        << typed << " -> " << typed_response.suggestion->query;
  }
}

TEST(SpellingFeaturesTest, AnyWordQueryIsCorrectedWhenTheCorrectionAddsMatches) {
  auto searcher = searcher_for("seeds");
  SearchRequest request = request_for("robot facal");
  request.match_any = true;
  SearchResponse response = searcher->search(request);
  ASSERT_TRUE(response.suggestion.has_value());
  EXPECT_EQ(response.suggestion->query, "robot facial");
  EXPECT_GT(response.suggestion->total, response.total_estimate);
}

TEST(SpellingFeaturesTest, SuggestSpellingFalseSuppressesTheSuggestion) {
  auto searcher = searcher_for("seeds");
  SearchRequest request = request_for("facal recogniton");
  request.suggest_spelling = false;
  EXPECT_FALSE(searcher->search(request).suggestion.has_value());
}

TEST(SpellingFeaturesTest, SuggestionAppearsInJsonAndTerminal) {
  auto searcher = searcher_for("seeds");
  SearchRequest request = request_for("facal recogniton", 10);
  SearchResponse response = searcher->search(request);
  nlohmann::json json = news::to_json(response, request, false);
  ASSERT_TRUE(json["suggestion"].is_object()) << json.dump();
  EXPECT_EQ(json["suggestion"]["query"], "facial recognition");
  EXPECT_EQ(json["suggestion"]["total"], response.suggestion->total);
  std::string listing = news::format_terminal(response, request, {});
  EXPECT_CONTAINS(listing, "Did you mean: facial recognition");

  SearchRequest plain = request_for("facial recognition", 10);
  SearchResponse plain_response = searcher->search(plain);
  EXPECT_TRUE(news::to_json(plain_response, plain, false)["suggestion"].is_null());
  EXPECT_NOT_CONTAINS(news::format_terminal(plain_response, plain, {}), "Did you mean");
}

// Only rare words are looked up, so a common word is never "corrected", even
// where the dictionary holds a near word (Xapian would offer "api" for "ai").
// The rest of the query is kept as typed, capitals included.
TEST(SpellingFeaturesTest, OnlyRareWordsAreCorrectedAndTheRestIsKeptAsTyped) {
  auto searcher = searcher_for("seeds");
  Xapian::Database& db = searcher->database();
  ASSERT_GE(db.get_termfreq("ai"), 10u);  // common
  ASSERT_EQ(db.get_spelling_suggestion("ai"), "api");
  ASSERT_GT(searcher->search(request_for("ai facial")).total_lower, 0u);
  for (auto [typed, corrected] :
       {std::pair{"ai facal", "ai facial"}, std::pair{"AI Facal", "AI facial"},
        std::pair{"facal AND (ai OR robot)", "facial AND (ai OR robot)"}}) {
    SearchResponse response = searcher->search(request_for(typed));
    ASSERT_TRUE(response.suggestion.has_value()) << typed;
    EXPECT_EQ(response.suggestion->query, corrected);
  }
}

// The dictionary follows the documents: a word only a removed document held
// no longer feeds suggestions.
TEST(SpellingFeaturesTest, DictionaryForgetsTheWordsOfARemovedDocument) {
  news::testing::TempDir dir;
  fs::path folder = dir / "news";
  fs::copy(kFeatures / "spelling", folder, fs::copy_options::recursive);
  std::string db = (dir / "db").string();
  IndexRun first = index_folder(folder, db);
  ASSERT_EQ(first.stats.indexed, 4u);
  EXPECT_EQ(spelling_frequency(db, "quokkaburger"), 1u);
  EXPECT_EQ(spelling_frequency(db, "snack"), 4u);  // the provider of all four
  EXPECT_EQ(Xapian::Database(db).get_spelling_suggestion("quokkaburgr"), "quokkaburger");
  {
    news::Searcher searcher(db);
    SearchResponse response = searcher.search(request_for("quokkaburgr"));
    ASSERT_TRUE(response.suggestion.has_value());
    EXPECT_EQ(response.suggestion->query, "quokkaburger");
    EXPECT_EQ(response.suggestion->total, 1u);
  }

  fs::remove(folder / "s-unique.md");
  IndexRun second = index_folder(folder, db);
  ASSERT_EQ(second.stats.removed, 1u);
  EXPECT_EQ(spelling_frequency(db, "quokkaburger"), 0u);
  EXPECT_EQ(spelling_frequency(db, "snack"), 3u);
  EXPECT_EQ(Xapian::Database(db).get_spelling_suggestion("quokkaburgr"), "");
  news::Searcher searcher(db);
  SearchResponse response = searcher.search(request_for("quokkaburgr"));
  EXPECT_FALSE(response.suggestion.has_value()) << response.suggestion->query;
}

TEST(SpellingFeaturesTest, DictionaryCountsSharedWordsAndFollowsEdits) {
  news::testing::TempDir dir;
  fs::path folder = dir / "news";
  fs::copy(kFeatures / "spelling", folder, fs::copy_options::recursive);
  std::string db = (dir / "db").string();
  ASSERT_EQ(index_folder(folder, db).stats.indexed, 4u);
  EXPECT_EQ(spelling_frequency(db, "wombatfries"), 2u);  // once per document

  // One of the two documents removed: the word stays.
  fs::remove(folder / "s-two-a.md");
  ASSERT_EQ(index_folder(folder, db).stats.removed, 1u);
  EXPECT_EQ(spelling_frequency(db, "wombatfries"), 1u);
  {
    news::Searcher searcher(db);
    SearchResponse response = searcher.search(request_for("wombtfries"));
    ASSERT_TRUE(response.suggestion.has_value());
    EXPECT_EQ(response.suggestion->query, "wombatfries");
  }

  // The other edited so that it no longer has the word: gone.
  fs::path edited = folder / "s-two-b.md";
  std::string text = news::testing::read_file(edited);
  text =
      news::replace_all(news::replace_all(text, "Wombatfries", "Potato"), "wombatfries", "potato");
  news::testing::write_file(edited, text);
  ASSERT_EQ(index_folder(folder, db).stats.indexed, 1u);
  EXPECT_EQ(spelling_frequency(db, "wombatfries"), 0u);
  EXPECT_EQ(Xapian::Database(db).get_spelling_suggestion("wombtfries"), "");
  news::Searcher searcher(db);
  EXPECT_FALSE(searcher.search(request_for("wombtfries")).suggestion.has_value());
}

// ---------------------------------------------------------------------------
// 2. Snippets

TEST(SnippetFeaturesTest, LateMatchInALongExcerptGivesAShorterSnippetAroundIt) {
  auto searcher = searcher_for("text");
  SearchResponse response = searcher->search(request_for("zeppelin"));
  ASSERT_EQ(ids_of(response), Ids{"t-long.md"});
  const SearchHit& hit = response.hits[0];
  ASSERT_GT(hit.excerpt.size(), 500u);
  EXPECT_LT(hit.excerpt.find("zeppelin"), hit.excerpt.size());
  EXPECT_GT(hit.excerpt.find("zeppelin"), 400u) << "the fixture matches late";
  EXPECT_CONTAINS(hit.snippet, "zeppelin");
  EXPECT_LT(hit.snippet.size(), hit.excerpt.size());
  // Plain text taken from the excerpt: without the ellipsis, a piece of it.
  std::string inner = hit.snippet;
  const std::string ellipsis = "\xE2\x80\xA6";
  if (inner.starts_with(ellipsis)) inner.erase(0, ellipsis.size());
  if (inner.ends_with(ellipsis)) inner.erase(inner.size() - ellipsis.size());
  EXPECT_CONTAINS(hit.excerpt, inner);
  EXPECT_NOT_CONTAINS(hit.snippet, "<mark>");
  EXPECT_CONTAINS(hit.snippet_html, "<mark>zeppelin</mark>");
  EXPECT_CONTAINS(hit.snippet_marked,
                  std::string(news::kMatchStart) + "zeppelin" + news::kMatchEnd);
}

TEST(SnippetFeaturesTest, SnippetHtmlEscapesTheTextAndSnippetStaysPlain) {
  auto searcher = searcher_for("text");
  SearchResponse response = searcher->search(request_for("laboratory"));
  ASSERT_EQ(ids_of(response), Ids{"t-escape.md"});
  const SearchHit& hit = response.hits[0];
  EXPECT_CONTAINS(hit.excerpt, "R&D <b> laboratory");
  EXPECT_CONTAINS(hit.snippet, "The R&D <b> laboratory asked for more money & time.");
  EXPECT_NOT_CONTAINS(hit.snippet, "&amp;");
  EXPECT_NOT_CONTAINS(hit.snippet, "&lt;");
  EXPECT_CONTAINS(hit.snippet_html,
                  "The R&amp;D &lt;b&gt; <mark>laboratory</mark> asked for more money &amp; time.");
  EXPECT_NOT_CONTAINS(hit.snippet_html, "<b>");
}

TEST(SnippetFeaturesTest, TerminalBoldsMatchesOnlyWithColour) {
  auto searcher = searcher_for("text");
  SearchRequest request = request_for("laboratory", 10);
  SearchResponse response = searcher->search(request);
  news::TerminalStyle colour;
  colour.colour = true;
  EXPECT_CONTAINS(news::format_terminal(response, request, colour), "\x1b[1mlaboratory\x1b[0m");
  std::string plain = news::format_terminal(response, request, {});
  EXPECT_NOT_CONTAINS(plain, "\x1b");
  EXPECT_NOT_CONTAINS(plain, news::kMatchStart);
  EXPECT_NOT_CONTAINS(plain, news::kMatchEnd);
  EXPECT_CONTAINS(plain, "R&D <b> laboratory asked");
}

// ---------------------------------------------------------------------------
// 3. Facets

TEST(FacetFeaturesTest, CountsEqualThoseComputedFromTheFixtureFiles) {
  auto searcher = searcher_for("facets");
  SearchRequest request = request_for("", 0);
  request.facets = true;
  SearchResponse response = searcher->search(request);
  std::vector<FixtureDoc> docs = fixture_docs("facets");
  ASSERT_EQ(docs.size(), 10u);
  EXPECT_EQ(actual_facets(response), expected_facets(docs));
  EXPECT_TRUE(response.facets_exact);
  EXPECT_EQ(response.facets_counted, 10u);
  // The fixture's edge cases: a topic in two cases, a type in capitals, a
  // time zone that moves the document into the next month (UTC).
  Counts counts = actual_facets(response);
  EXPECT_EQ(counts["topic"]["robotics"], 2u);
  EXPECT_EQ(counts["type"]["article"], 7u);
  EXPECT_EQ(counts["month"]["2021-02"], 3u);
}

TEST(FacetFeaturesTest, CountsCoverOnlyTheMatches) {
  auto searcher = searcher_for("facets");
  SearchRequest request = request_for("harbor", 0);
  request.facets = true;
  SearchResponse response = searcher->search(request);
  std::vector<FixtureDoc> matching;
  for (const auto& doc : fixture_docs("facets")) {
    if (doc.text.find("harbor") != std::string::npos) matching.push_back(doc);
  }
  ASSERT_EQ(matching.size(), 5u);
  EXPECT_EQ(actual_facets(response), expected_facets(matching));
  EXPECT_TRUE(response.facets_exact);
  EXPECT_EQ(response.facets_counted, 5u);
}

TEST(FacetFeaturesTest, ValuesAreMostFrequentFirstAndLimited) {
  auto searcher = searcher_for("facets");
  SearchRequest request = request_for("", 0);
  request.facets = true;
  request.facet_values = 2;
  SearchResponse response = searcher->search(request);
  ASSERT_EQ(response.facets.size(), 4u);
  for (const auto& facet : response.facets) {
    EXPECT_LE(facet.values.size(), 2u) << facet.name;
    for (std::size_t i = 1; i < facet.values.size(); ++i) {
      EXPECT_GE(facet.values[i - 1].count, facet.values[i].count) << facet.name;
    }
  }
  EXPECT_EQ(response.facets[2].name, "type");
  EXPECT_EQ(response.facets[2].values[0].value, "article");
  EXPECT_EQ(response.facets[2].values[0].count, 7u);
}

TEST(FacetFeaturesTest, NoFacetsUnlessAsked) {
  auto searcher = searcher_for("facets");
  SearchRequest request = request_for("");
  EXPECT_TRUE(searcher->search(request).facets.empty());
  EXPECT_FALSE(news::to_json(searcher->search(request), request, false).contains("facets"));
}

TEST(FacetFeaturesTest, JsonAndTerminalShowExactCounts) {
  auto searcher = searcher_for("facets");
  SearchRequest request = request_for("", 0);
  request.facets = true;
  SearchResponse response = searcher->search(request);
  nlohmann::json json = news::to_json(response, request, false);
  EXPECT_EQ(json["facets"]["exact"], true);
  EXPECT_EQ(json["facets"]["counted"], 10);
  std::map<std::string, int> months;
  for (const auto& v : json["facets"]["month"]) months[v["value"]] = v["count"];
  EXPECT_EQ(months, (std::map<std::string, int>{
                        {"2020-12", 1}, {"2021-01", 2}, {"2021-02", 3}, {"2021-03", 3}}));
  EXPECT_CONTAINS(news::format_terminal(response, request, {}), "Facets (exact, 10 matches)");
}

// ---------------------------------------------------------------------------
// 4. Duplicate stories

// The stories of tests/fixtures/features/dupes/, by file.
const std::map<std::string, std::string> kStoryOf = {
    {"story-a.md", "zoox"},    {"story-b.md", "zoox"},    {"story-c.md", "zoox"},
    {"title-1.md", "glacier"}, {"title-2.md", "glacier"}, {"url-1.md", "lander"},
    {"url-2.md", "lander"},    {"norm-1.md", "tunnel"},   {"norm-2.md", "tunnel"},
    {"solo-1.md", "bakery"},   {"solo-2.md", "chess"},
};

TEST(DuplicateFeaturesTest, EachStoryIsShownOnceWithTheNumberOfOtherCopies) {
  auto searcher = searcher_for("dupes");
  SearchResponse response = searcher->search(request_for(""));
  std::map<std::string, Xapian::doccount> collapsed;
  for (const auto& hit : response.hits) {
    ASSERT_TRUE(kStoryOf.contains(hit.id)) << hit.id;
    EXPECT_FALSE(collapsed.contains(kStoryOf.at(hit.id))) << "story shown twice: " << hit.id;
    collapsed[kStoryOf.at(hit.id)] = hit.collapsed;
  }
  EXPECT_EQ(
      collapsed,
      (std::map<std::string, Xapian::doccount>{
          {"zoox", 2}, {"glacier", 1}, {"lander", 1}, {"tunnel", 1}, {"bakery", 0}, {"chess", 0}}));
}

TEST(DuplicateFeaturesTest, WithoutCollapsingEveryCopyIsShown) {
  auto searcher = searcher_for("dupes");
  SearchRequest request = request_for("");
  request.collapse_duplicates = false;
  SearchResponse response = searcher->search(request);
  Ids ids = ids_of(response);
  std::sort(ids.begin(), ids.end());
  Ids all;
  for (const auto& [id, story] : kStoryOf) all.push_back(id);
  EXPECT_EQ(ids, all);
  for (const auto& hit : response.hits) EXPECT_EQ(hit.collapsed, 0u) << hit.id;
}

TEST(DuplicateFeaturesTest, AQueryMatchingOneStoryGivesOneResult) {
  auto searcher = searcher_for("dupes");
  SearchResponse response = searcher->search(request_for("lawsuit"));
  ASSERT_EQ(response.hits.size(), 1u);
  EXPECT_EQ(response.hits[0].collapsed, 2u);
  SearchRequest all = request_for("lawsuit");
  all.collapse_duplicates = false;
  EXPECT_EQ(searcher->search(all).hits.size(), 3u);
}

// Two copies that score the same: the story is listed by the one with the
// smaller id whichever Xapian met first (its docids differ between layouts).
TEST(DuplicateFeaturesTest, EqualCopiesAreListedByTheSmallestIdInAnyDocidOrder) {
  const std::string text =
      "---\ntitle: Lighthouse keepers return to the cape\nexcerpt: The lighthouse reopens.\n"
      "quality: 60\nheat: 40\n---\n";
  auto parsed = news::parse_news_file(text);
  ASSERT_EQ(parsed.status, news::ParseStatus::kOk) << parsed.reason;
  for (bool smaller_first : {true, false}) {
    SCOPED_TRACE(smaller_first ? "a-copy.md added first" : "z-copy.md added first");
    news::testing::TempDir dir;
    std::string path = (dir.path() / "db").string();
    {
      Xapian::WritableDatabase db(path, Xapian::DB_CREATE);
      news::DocumentBuilder builder;
      std::vector<std::string> ids = {"a-copy.md", "z-copy.md"};
      if (!smaller_first) std::swap(ids[0], ids[1]);
      for (const auto& id : ids) db.add_document(builder.build(parsed.document, id, "XRroot", ""));
      db.set_metadata(std::string(news::schema::kMetaSchemaVersion),
                      std::string(news::schema::kSchemaVersion));
      db.commit();
    }
    news::Searcher searcher(path);
    for (const auto& weights :
         {news::RankingWeights{}, news::RankingWeights{0, 0, 0}, news::RankingWeights{1, 0, 0}}) {
      SearchRequest request;
      request.query = "lighthouse";
      request.weights = weights;
      SearchResponse response = searcher.search(request);
      ASSERT_EQ(response.hits.size(), 1u);
      EXPECT_EQ(response.hits[0].id, "a-copy.md");
      EXPECT_EQ(response.hits[0].collapsed, 1u);
      EXPECT_CONTAINS(response.hits[0].snippet_html, "<mark>lighthouse</mark>");
    }
  }
}

// Sorted by date, a story is listed by its newest copy, whatever the ids.
TEST(DuplicateFeaturesTest, SortedByDateTheNewestCopyIsListed) {
  auto parse = [](const std::string& date) {
    auto parsed = news::parse_news_file(
        "---\ntitle: Lighthouse keepers return to the cape\nexcerpt: The lighthouse reopens.\n"
        "publishedDateTime: " +
        date + "\nquality: 60\nheat: 40\n---\n");
    EXPECT_EQ(parsed.status, news::ParseStatus::kOk) << parsed.reason;
    return parsed.document;
  };
  news::testing::TempDir dir;
  std::string path = (dir.path() / "db").string();
  {
    Xapian::WritableDatabase db(path, Xapian::DB_CREATE);
    news::DocumentBuilder builder;
    db.add_document(builder.build(parse("2021-03-01T10:00:00Z"), "z-new.md", "XRroot", ""));
    db.add_document(builder.build(parse("2020-03-01T10:00:00Z"), "a-old.md", "XRroot", ""));
    db.set_metadata(std::string(news::schema::kMetaSchemaVersion),
                    std::string(news::schema::kSchemaVersion));
    db.commit();
  }
  news::Searcher searcher(path);
  SearchRequest request;
  request.query = "lighthouse";
  request.sort_by = "published";
  SearchResponse response = searcher.search(request);
  ASSERT_EQ(response.hits.size(), 1u);
  EXPECT_EQ(response.hits[0].id, "z-new.md");
  EXPECT_EQ(response.hits[0].collapsed, 1u);
  request.sort_by = "";  // by relevance: equal scores, the smaller id
  EXPECT_EQ(searcher.search(request).hits.at(0).id, "a-old.md");
}

TEST(DuplicateFeaturesTest, TerminalNamesTheDuplicates) {
  auto searcher = searcher_for("dupes");
  SearchRequest request = request_for("", 20);
  std::string listing = news::format_terminal(searcher->search(request), request, {});
  EXPECT_CONTAINS(listing, "+2 duplicates");
  EXPECT_CONTAINS(listing, "+1 duplicate\n");
  EXPECT_EQ(
      news::to_json(searcher->search(request), request, false)["results"][0].count("collapsed"),
      1u);
}

// ---------------------------------------------------------------------------
// 5. Freshness (tests/fixtures/features/fresh/: five documents that differ only
// in date, title word and url; --now 2021-03-01)

const std::int64_t kNow = epoch_seconds(2021, 3, 1);

SearchRequest fresh_request(std::optional<double> half_life, double weight = 1.0) {
  SearchRequest request = request_for("lunar rover");
  request.half_life_days = half_life;
  request.weights.freshness = weight;
  request.now = kNow;
  request.explain = true;
  return request;
}

TEST(FreshnessFeaturesTest, NewerDocumentsOutrankOtherwiseIdenticalOlderOnes) {
  auto searcher = searcher_for("fresh");
  SearchResponse response = searcher->search(fresh_request(30));
  EXPECT_EQ(ids_of(response),
            (Ids{"fr-future.md", "fr-new.md", "fr-halflife.md", "fr-old.md", "fr-undated.md"}));
  for (std::size_t i = 1; i + 1 < response.hits.size(); ++i) {
    EXPECT_GT(response.hits[i - 1].score, response.hits[i].score) << response.hits[i].id;
  }
}

TEST(FreshnessFeaturesTest, WithoutHalfLifeTheDateDoesNotCount) {
  auto searcher = searcher_for("fresh");
  SearchResponse response = searcher->search(fresh_request(std::nullopt));
  ASSERT_EQ(response.hits.size(), 5u);
  for (const auto& hit : response.hits) {
    EXPECT_DOUBLE_EQ(hit.score, response.hits[0].score) << hit.id;
    EXPECT_EQ(hit.parts.freshness, 0.0) << hit.id;
  }
}

TEST(FreshnessFeaturesTest, FreshnessPartIsWeightTimesHalfToTheAgeOverHalfLife) {
  auto searcher = searcher_for("fresh");
  const double weight = 2.0;
  SearchResponse response = searcher->search(fresh_request(30, weight));
  ASSERT_EQ(response.hits.size(), 5u);
  const long today = day_number("2021-03-01");
  for (const auto& hit : response.hits) {
    if (hit.published.empty()) {
      EXPECT_EQ(hit.parts.freshness, 0.0) << hit.id;
      continue;
    }
    double age = std::max(0L, today - day_number(hit.published));
    EXPECT_NEAR(hit.parts.freshness, weight * std::pow(0.5, age / 30.0), 1e-9) << hit.id;
  }
  // Exactly one half-life old: half the weight.
  ASSERT_NE(find_hit(response, "fr-halflife.md"), nullptr);
  EXPECT_NEAR(find_hit(response, "fr-halflife.md")->parts.freshness, 0.5 * weight, 1e-9);
}

TEST(FreshnessFeaturesTest, DocumentNewerThanNowGetsTheFullWeight) {
  auto searcher = searcher_for("fresh");
  SearchResponse response = searcher->search(fresh_request(30, 1.5));
  ASSERT_NE(find_hit(response, "fr-future.md"), nullptr);
  EXPECT_NEAR(find_hit(response, "fr-future.md")->parts.freshness, 1.5, 1e-9);
}

TEST(FreshnessFeaturesTest, ResultsDependOnNowNotOnTheClock) {
  auto searcher = searcher_for("fresh");
  SearchResponse first = searcher->search(fresh_request(30));
  SearchResponse again = searcher->search(fresh_request(30));
  ASSERT_EQ(ids_of(first), ids_of(again));
  for (std::size_t i = 0; i < first.hits.size(); ++i) {
    EXPECT_EQ(first.hits[i].score, again.hits[i].score);
  }
  // A later "now" ages every dated document.
  SearchRequest later = fresh_request(30);
  later.now = epoch_seconds(2021, 3, 31);
  SearchResponse aged = searcher->search(later);
  EXPECT_NEAR(find_hit(aged, "fr-new.md")->parts.freshness, std::pow(0.5, 31 / 30.0), 1e-9);
  EXPECT_NEAR(find_hit(aged, "fr-halflife.md")->parts.freshness, 0.25, 1e-9);
}

// ---------------------------------------------------------------------------
// 6. The parts of a score

void expect_parts_add_up(const SearchResponse& response, const std::string& what) {
  ASSERT_FALSE(response.hits.empty()) << what;
  for (const auto& hit : response.hits) {
    const auto& p = hit.parts;
    EXPECT_NEAR(p.relevance + p.quality + p.heat + p.freshness, hit.score, 1e-9)
        << what << ": " << hit.id;
    EXPECT_GE(p.relevance, 0.0);
  }
}

SearchRequest explained(const std::string& query) {
  SearchRequest request = request_for(query);
  request.explain = true;
  return request;
}

TEST(ExplainFeaturesTest, PartsAreLeftAtZeroUnlessAsked) {
  auto searcher = searcher_for("seeds");
  SearchResponse response = searcher->search(request_for("ai"));
  ASSERT_FALSE(response.hits.empty());
  for (const auto& hit : response.hits) {
    EXPECT_EQ(hit.parts.relevance + hit.parts.quality + hit.parts.heat, 0.0) << hit.id;
  }
  expect_parts_add_up(searcher->search(explained("ai")), "ai, explained");
}

TEST(ExplainFeaturesTest, PartsAddUpToTheScore) {
  auto searcher = searcher_for("seeds");
  expect_parts_add_up(searcher->search(explained("ai")), "ai");
  expect_parts_add_up(searcher->search(explained("")), "everything");
  SearchRequest fresh = explained("robots");
  fresh.half_life_days = 30;
  fresh.now = epoch_seconds(2021, 3, 1);
  expect_parts_add_up(searcher->search(fresh), "robots, half-life 30");
  SearchRequest heavy = explained("power apps");
  heavy.weights = {3.0, 7.0, 5.0};
  heavy.half_life_days = 7;
  heavy.now = epoch_seconds(2020, 6, 1);
  expect_parts_add_up(searcher->search(heavy), "power apps, heavy weights");
}

// The quality and heat parts are weight * x / (x + 70), 0.5 for unknown.
TEST(ExplainFeaturesTest, QualityAndHeatPartsFollowTheDocumentedFormula) {
  auto searcher = searcher_for("seeds");
  SearchRequest request = explained("ai");
  request.weights.quality = 0.5;
  request.weights.heat = 0.25;
  SearchResponse response = searcher->search(request);
  ASSERT_FALSE(response.hits.empty());
  auto shaped = [](const std::optional<std::int64_t>& v) {
    return v ? double(*v) / (double(*v) + 70.0) : 0.5;
  };
  for (const auto& hit : response.hits) {
    EXPECT_NEAR(hit.parts.quality, 0.5 * shaped(hit.quality), 1e-9) << hit.id;
    EXPECT_NEAR(hit.parts.heat, 0.25 * shaped(hit.heat), 1e-9) << hit.id;
  }
}

TEST(ExplainFeaturesTest, QualityWeightZeroGivesAZeroQualityPart) {
  auto searcher = searcher_for("seeds");
  SearchRequest request = explained("ai");
  request.weights.quality = 0;
  SearchResponse response = searcher->search(request);
  expect_parts_add_up(response, "quality weight 0");
  for (const auto& hit : response.hits) EXPECT_EQ(hit.parts.quality, 0.0) << hit.id;
}

TEST(ExplainFeaturesTest, RelevancePartIsThePlainBm25Score) {
  auto searcher = searcher_for("seeds");
  SearchRequest blended = explained("ai");
  SearchRequest plain = explained("ai");
  plain.weights = {0, 0, 0};
  SearchResponse with = searcher->search(blended), without = searcher->search(plain);
  std::map<std::string, double> bm25;
  for (const auto& hit : without.hits) bm25[hit.id] = hit.score;
  std::size_t compared = 0;
  for (const auto& hit : with.hits) {
    if (!bm25.contains(hit.id)) continue;
    EXPECT_NEAR(hit.parts.relevance, bm25[hit.id], 1e-9) << hit.id;
    ++compared;
  }
  EXPECT_GT(compared, 50u);
}

TEST(ExplainFeaturesTest, JsonAndTerminalShowTheParts) {
  auto searcher = searcher_for("fresh");
  SearchRequest request = fresh_request(30);
  request.limit = 10;
  SearchResponse response = searcher->search(request);
  nlohmann::json json = news::to_json(response, request, true);
  for (const auto& result : json["results"]) {
    const auto& e = result["explain"];
    double sum = e["relevance"].get<double>() + e["quality"].get<double>() +
                 e["heat"].get<double>() + e["freshness"].get<double>();
    EXPECT_NEAR(sum, result["score"].get<double>(), 1e-9);
  }
  EXPECT_FALSE(news::to_json(response, request, false)["results"][0].contains("explain"));
  news::TerminalStyle style;
  style.explain = true;
  std::string listing = news::format_terminal(response, request, style);
  const auto& first = json["results"][0];
  const auto& parts = first["explain"];
  char line[160];
  std::snprintf(line, sizeof line,
                "score %.3f = relevance %.3f + quality %.3f + heat %.3f + freshness %.3f",
                first["score"].get<double>(), parts["relevance"].get<double>(),
                parts["quality"].get<double>(), parts["heat"].get<double>(),
                parts["freshness"].get<double>());
  EXPECT_CONTAINS(listing, line);
  EXPECT_CONTAINS(listing, "+ quality 0.231 + heat 0.091 + freshness 1.000");
}

// ---------------------------------------------------------------------------
// 7. More like this

TEST(LikeFeaturesTest, ReturnsDocumentsSharingWordsRankedAndNotTheSource) {
  auto searcher = searcher_for("like");
  SearchRequest request = request_for("");
  request.like_id = "l-source.md";
  SearchResponse response = searcher->search(request);
  EXPECT_EQ(ids_of(response), (Ids{"l-close.md", "l-some.md"}));
  if (response.hits.size() == 2) {
    EXPECT_GT(response.hits[0].score, response.hits[1].score);
  }
}

TEST(LikeFeaturesTest, UnknownIdIsABadQueryNamingTheId) {
  auto searcher = searcher_for("like");
  SearchRequest request = request_for("");
  request.like_id = "no-such-story.md";
  try {
    searcher->search(request);
    FAIL() << "expected an error";
  } catch (const news::Error& e) {
    EXPECT_EQ(e.kind(), news::Error::Kind::kBadQuery);
    EXPECT_CONTAINS(e.what(), "no-such-story.md");
  }
}

TEST(LikeFeaturesTest, PowerAppsArticleOnSeedsFindsMostlyPowerApps) {
  auto searcher = searcher_for("seeds");
  const std::string source =
      "power-apps/2020-08-21-power-apps-portals-web-api-support-public-preview.md";
  SearchRequest request = request_for("", 10);
  request.like_id = source;
  SearchResponse response = searcher->search(request);
  ASSERT_EQ(response.hits.size(), 10u);
  int power_apps = 0;
  for (const auto& hit : response.hits) {
    EXPECT_NE(hit.id, source);
    power_apps += hit.id.starts_with("power-apps/");
  }
  EXPECT_GE(power_apps, 8) << ::testing::PrintToString(ids_of(response));
  for (std::size_t i = 1; i < response.hits.size(); ++i) {
    EXPECT_GE(response.hits[i - 1].score, response.hits[i].score);
  }
}

// ---------------------------------------------------------------------------
// 8. Output formats

// RFC 4180: fields separated by commas, records by CRLF; quoted fields may
// hold commas, CRLF and doubled quotes. Fails the test on malformed input.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  std::size_t i = 0;
  bool at_field_start = true;
  while (i < text.size()) {
    char c = text[i];
    if (at_field_start && c == '"') {
      ++i;
      while (true) {
        if (i >= text.size()) {
          ADD_FAILURE() << "unterminated quoted field";
          return records;
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
      at_field_start = false;
      if (i < text.size() && text[i] != ',' && text[i] != '\r') {
        ADD_FAILURE() << "text after a closing quote at byte " << i;
        return records;
      }
      continue;
    }
    if (c == ',') {
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

TEST(FormatFeaturesTest, CsvIsRfc4180AndRoundTripsTitles) {
  auto searcher = searcher_for("text");
  SearchResponse response = searcher->search(request_for("budget"));
  ASSERT_EQ(response.hits.size(), 2u);
  auto records = parse_csv(news::format_csv(response));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0],
            (std::vector<std::string>{"rank", "id", "title", "url", "provider", "published", "type",
                                      "quality", "heat", "score", "topics", "collapsed"}));
  std::map<std::string, std::string> titles;
  for (std::size_t i = 1; i < records.size(); ++i) {
    ASSERT_EQ(records[i].size(), 12u);
    EXPECT_EQ(records[i][0], std::to_string(i));
    titles[records[i][1]] = records[i][2];
  }
  EXPECT_EQ(titles["t-csv-comma.md"], "Cats, dogs and the \"big\" budget vote");
  EXPECT_EQ(titles["t-csv-formula.md"], "'=SUM(A1:A9) budget formula leaks");
}

TEST(FormatFeaturesTest, JsonLinesHoldOneResultPerLine) {
  auto searcher = searcher_for("facets");
  SearchRequest request = request_for("", 7);
  SearchResponse response = searcher->search(request);
  std::string text = news::format_jsonl(response, true);
  std::istringstream lines(text);
  std::size_t n = 0;
  nlohmann::json whole = news::to_json(response, request, true);
  for (std::string line; std::getline(lines, line); ++n) {
    nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(object.is_discarded()) << line;
    ASSERT_TRUE(object.is_object());
    EXPECT_EQ(object, whole["results"][n]);
  }
  EXPECT_EQ(n, 7u);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 7);
}

// Columns taken on a terminal, computed here independently of the product:
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
    if (cp == 0xE000 || cp == 0xE001) continue;
    bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0x1F300 && cp <= 0x1FAFF);
    width += wide ? 2 : 1;
  }
  return width;
}

void expect_fits(const std::string& listing, std::size_t width) {
  std::istringstream lines(listing);
  for (std::string line; std::getline(lines, line);) {
    std::string trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (trimmed.starts_with("http://") || trimmed.starts_with("https://")) continue;
    EXPECT_LE(columns(line), width) << "[" << line << "]";
  }
}

TEST(FormatFeaturesTest, TerminalListingFitsTheWidth) {
  news::use_utf8_ctype();
  for (const char* name : {"text", "facets", "dupes"}) {
    auto searcher = searcher_for(name);
    SearchRequest request = request_for("", 100);
    request.facets = true;
    SearchResponse response = searcher->search(request);
    for (std::size_t width : {60u, 72u, 100u}) {
      news::TerminalStyle style;
      style.width = width;
      expect_fits(news::format_terminal(response, request, style), width);
    }
  }
}

// Titles and the metadata line are shortened by display columns, not code
// points: a Chinese or Japanese title (two columns a character) once took 85
// columns of a 60-column listing.
TEST(FormatFeaturesTest, TerminalListingWithWideCharactersFitsTheWidth) {
  news::use_utf8_ctype();
  auto searcher = searcher_for("wide");
  SearchRequest request = request_for("robotics", 10);
  SearchResponse response = searcher->search(request);
  ASSERT_EQ(response.hits.size(), 2u);
  news::TerminalStyle style;
  style.width = 60;
  expect_fits(news::format_terminal(response, request, style), 60);
}

TEST(FormatFeaturesTest, JsonSuggestionIsNullWithoutOne) {
  SearchResponse response;
  SearchRequest request;
  EXPECT_TRUE(news::to_json(response, request, false)["suggestion"].is_null());
  response.suggestion = news::SpellingSuggestion{"facial recognition", 4};
  nlohmann::json json = news::to_json(response, request, false);
  EXPECT_EQ(json["suggestion"], (nlohmann::json{{"query", "facial recognition"}, {"total", 4}}));
}

// ---------------------------------------------------------------------------
// 9. Exact counts

TEST(CountFeaturesTest, ExactCountEqualsTheNumberOfResults) {
  for (const char* name : {"facets", "dupes", "fresh"}) {
    auto searcher = searcher_for(name);
    for (const char* query :
         {"", "harbor", "lunar rover", "lawsuit OR tunnel", "harbor OR energy"}) {
      SearchRequest count = request_for(query, 0);
      count.exact_count = true;
      SearchResponse counted = searcher->search(count);
      SearchResponse all = searcher->search(request_for(query, 10000));
      EXPECT_EQ(counted.total_estimate, all.hits.size()) << name << ": " << query;
      EXPECT_EQ(counted.total_lower, counted.total_upper) << name << ": " << query;
    }
  }
}

// With duplicates collapsed (the default) Xapian's bounds stay loose even when
// every match is checked ("harbor NOT seals": 4 results, bounds 4..5), so an
// exact count counts the collapsed matches themselves.
TEST(CountFeaturesTest, ExactCountIsExactForQueriesWithNot) {
  auto searcher = searcher_for("facets");
  SearchRequest count = request_for("harbor NOT seals", 0);
  count.exact_count = true;
  SearchResponse counted = searcher->search(count);
  SearchResponse all = searcher->search(request_for("harbor NOT seals", 10000));
  EXPECT_EQ(all.hits.size(), 4u);
  EXPECT_EQ(counted.total_estimate, all.hits.size());
  EXPECT_EQ(counted.total_lower, counted.total_upper);
}

// ---------------------------------------------------------------------------
// 14. HTML character references

std::string decoded(std::string text, bool expect_change) {
  EXPECT_EQ(news::decode_html_entities(text), expect_change) << text;
  return text;
}

TEST(EntityFeaturesTest, DecodesNumericReferences) {
  EXPECT_EQ(decoded("It&#8217;s", true), "It" + kRightQuote + "s");
  EXPECT_EQ(decoded("It&#x2019;s", true), "It" + kRightQuote + "s");
  EXPECT_EQ(decoded("It&#X2019;s", true), "It" + kRightQuote + "s");
  EXPECT_EQ(decoded("&#65;&#x42;&#x63;", true), "ABc");
  EXPECT_EQ(decoded("&#128512;", true), "\xF0\x9F\x98\x80");  // 😀
}

TEST(EntityFeaturesTest, DecodesNamedReferences) {
  EXPECT_EQ(decoded("R&amp;D", true), "R&D");
  EXPECT_EQ(decoded("&lt;b&gt; &quot;x&quot; &apos;y&apos;", true), "<b> \"x\" 'y'");
  EXPECT_EQ(decoded("a &mdash; b &hellip;", true), "a " + kEmDash + " b \xE2\x80\xA6");
  EXPECT_EQ(decoded("&amp;amp;", true), "&amp;");  // once only
}

TEST(EntityFeaturesTest, LeavesMalformedAndUnknownReferencesAlone) {
  for (const char* text : {"&#;", "&#x;", "&#xZZ;", "&#12a;", "&bogus;", "R&D", "a & b", "&amp",
                           "&#8217", "fish &chips; peas"}) {
    EXPECT_EQ(decoded(text, false), text);
  }
}

TEST(EntityFeaturesTest, LeavesNulControlsAndSurrogatesAlone) {
  for (const char* text : {"&#0;", "&#x0;", "&#1;", "&#9;", "&#10;", "&#27;", "&#x1B;", "&#127;",
                           "&#x85;", "&#x9F;", "&#xD800;", "&#x110000;", "&#99999999;"}) {
    EXPECT_EQ(decoded(text, false), text);
  }
}

TEST(EntityFeaturesTest, IndexedTextIsStoredDecoded) {
  auto searcher = searcher_for("text");
  SearchRequest request = request_for("foster", 10);
  SearchResponse response = searcher->search(request);
  ASSERT_EQ(ids_of(response), Ids{"t-entities.md"});
  const SearchHit& hit = response.hits[0];
  EXPECT_EQ(hit.title, "Zoox" + kRightQuote + "s R&D lab opens in Foster City");
  EXPECT_EQ(hit.excerpt, "It" + kRightQuote + "s the company" + kRightQuote + "s first R&D hub " +
                             kEmDash + " with two hundred engineers.");
  std::string listing = news::format_terminal(response, request, {});
  EXPECT_CONTAINS(listing, "Zoox" + kRightQuote + "s R&D lab opens in Foster City");
  EXPECT_NOT_CONTAINS(listing, "&#8217;");
  EXPECT_NOT_CONTAINS(listing, "&amp;");
  // The decoded words are searchable.
  EXPECT_EQ(ids_of(searcher->search(request_for("title:zoox"))), Ids{"t-entities.md"});
}

// ---------------------------------------------------------------------------
// 15. wrap() and display_width()

TEST(TextFeaturesTest, DisplayWidthCountsWideCharactersTwiceAndMarkersNever) {
  news::use_utf8_ctype();
  EXPECT_EQ(news::display_width("abc"), 3u);
  EXPECT_EQ(news::display_width("\xE6\x9D\xB1\xE4\xBA\xAC"), 4u);  // 東京
  EXPECT_EQ(news::display_width("\xE3\x83\xAD\xE3\x83\x9C"), 4u);  // ロボ
  EXPECT_EQ(news::display_width(std::string(news::kMatchStart) + "ab" + news::kMatchEnd), 2u);
  EXPECT_EQ(news::display_width(std::string(news::kMatchStart) + news::kMatchEnd), 0u);
  EXPECT_EQ(news::display_width("caf\xC3\xA9"), 4u);   // precomposed é
  EXPECT_EQ(news::display_width("cafe\xCC\x81"), 4u);  // e + combining acute
  EXPECT_EQ(news::display_width(""), 0u);
}

TEST(TextFeaturesTest, WrapNeverExceedsTheWidthExceptForOneLongWord) {
  news::use_utf8_ctype();
  const std::vector<std::string> words = {
      "a",
      "to",
      "news",
      "search",
      "recognition",
      "\xE6\x9D\xB1\xE4\xBA\xAC",                          // 東京 (4 columns)
      "\xE3\x83\xAD\xE3\x83\x9C\xE3\x83\x83\xE3\x83\x88",  // ロボット (8 columns)
      std::string(news::kMatchStart) + "marked" + news::kMatchEnd,
      "supercalifragilisticexpialidocious",
      "caf\xC3\xA9",
      "x"};
  std::mt19937 random(20240501);
  for (int round = 0; round < 500; ++round) {
    std::string text;
    int n = int(random() % 40);
    for (int i = 0; i < n; ++i) {
      text += words[random() % words.size()];
      text += (random() % 5 == 0) ? "  \t " : " ";
    }
    std::size_t width = 1 + random() % 50;
    std::vector<std::string> lines = news::wrap(text, width);
    std::string joined;
    for (const auto& line : lines) {
      EXPECT_FALSE(line.empty());
      if (news::display_width(line) > width) {
        EXPECT_EQ(line.find(' '), std::string::npos)
            << "only a single over-long word may exceed " << width << ": [" << line << "]";
      }
      joined += (joined.empty() ? "" : " ") + line;
    }
    EXPECT_EQ(joined, news::collapse_whitespace(text)) << "wrap must keep every word";
  }
}

TEST(TextFeaturesTest, WrapCountsColumnsNotBytes) {
  news::use_utf8_ctype();
  // Five 4-column words in width 9: two per line (4 + 1 + 4).
  std::string tokyo = "\xE6\x9D\xB1\xE4\xBA\xAC";
  std::vector<std::string> lines =
      news::wrap(tokyo + " " + tokyo + " " + tokyo + " " + tokyo + " " + tokyo, 9);
  EXPECT_EQ(lines, (std::vector<std::string>{tokyo + " " + tokyo, tokyo + " " + tokyo, tokyo}));
  // Markers take no room: "ab" marked fits in width 2.
  std::string marked = std::string(news::kMatchStart) + "ab" + news::kMatchEnd;
  EXPECT_EQ(news::wrap(marked + " cd", 5), (std::vector<std::string>{marked + " cd"}));
}

}  // namespace
