// Searching (core/search.h) over the small corpus in tests/fixtures/ranking/,
// indexed with the real indexer (core/indexer.h).
//
// The corpus: five "glacier drone" documents whose text is built to score
// (nearly) the same for the query "glacier drone", and seven fillers that
// contain neither word (so the query words are rare enough for BM25 to give
// them a clear weight).
//
//   id                          quality heat topics             provider      type    published
//   glacier-low.md                 20    20  Climate,Robotics   Polar Times   article 2019-03-01
//   glacier-quality.md             95    30  Climate,Science    Science Wire  article 2020-02-29
//   glacier-hot.md                 30    99  Robotics,Aviation  Polar Times   video   2020-03-01
//   glacier-unknown-heat.md        60    -1  Climate,Oceans     Ice Report    article 2020-12-31
//   glacier-heat-70.md             60    70  Climate,Oceans     Ice Report    article 2021-01-01
//   more/2018/filler-coffee.md     50    50  Markets            Market Watch. article 2018-07-15
//   more/misc/filler-chess.md       -     -  Games,AI           Board Games.. video   2021-06-10
//   more/misc/filler-garden.md     75    10  Cities             City Desk     article 2022-02-28
//   more/misc/filler-rail.md       85    60  Transport,Smart Cities City Desk podcast 2019-11-05
//   more/misc/filler-bakery.md      5    90  Food               Polar Times   article 2020-02-28
//   more/misc/filler-museum.md     40    -1  Culture            (none)        article (none)
//   more/misc/filler-harbour.md    70    70  Events             Harbour News  article 2019-02-28
//
// The five have the same number of words; glacier-low.md has "glacier" in its
// excerpt where the others have "small", so plain BM25 ranks it first (the
// other four score exactly alike). It also has the lowest quality and heat of
// the five, so the blend should push it down. glacier-unknown-heat.md and
// glacier-heat-70.md differ only in heat (unknown vs the half point 70), date,
// url and one title word ("tracks"/"follows", so that they are not copies of
// one story; the word counts, and so BM25, are the same).
#include <gtest/gtest.h>
#include <xapian.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "index/indexer.h"
#include "schema/schema.h"
#include "search/relevance.h"
#include "search/search.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

using news::SearchRequest;
using news::SearchResponse;
using Ids = std::vector<std::string>;
using IdSet = std::set<std::string>;

const fs::path kCorpus = fs::path(NEWS_FIXTURES_DIR) / "ranking";
const Ids kGlacier = {"glacier-low.md", "glacier-quality.md", "glacier-hot.md",
                      "glacier-unknown-heat.md", "glacier-heat-70.md"};
constexpr std::size_t kCorpusSize = 12;

class RecordingObserver : public news::IndexObserver {
 public:
  void rejected(const std::string& file, const std::string& reason) override {
    problems.push_back("rejected " + file + ": " + reason);
  }
  void skipped(const std::string& file, const std::string& reason) override {
    problems.push_back("skipped " + file + ": " + reason);
  }
  void warning(const std::string& file, const std::string& message) override {
    problems.push_back("warning " + file + ": " + message);
  }
  std::vector<std::string> problems;
};

// The corpus indexed once for all the tests in this file.
class Ranking : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (dir_) return;  // shared by the suites derived from this one
    dir_ = std::make_unique<news::testing::TempDir>();
    news::IndexOptions options;
    options.db_path = (*dir_ / "db").string();
    RecordingObserver observer;
    stats_ = news::index_paths({kCorpus.string()}, options, observer);
    problems_ = observer.problems;
  }
  // The suites share the database; it is removed when the process exits.

  void SetUp() override {
    ASSERT_TRUE(problems_.empty()) << problems_.front();
    ASSERT_EQ(stats_.indexed, kCorpusSize);
    searcher_ = std::make_unique<news::Searcher>(db_path());
  }

  static std::string db_path() { return (*dir_ / "db").string(); }

  SearchResponse run(SearchRequest request) {
    if (request.limit == 10) request.limit = 100;  // every match unless a test pages
    return searcher_->search(request);
  }
  SearchResponse run(const std::string& query, news::RankingWeights weights = {}) {
    SearchRequest request;
    request.query = query;
    request.weights = weights;
    return run(request);
  }
  static Ids ids(const SearchResponse& response) {
    Ids out;
    for (const auto& hit : response.hits) out.push_back(hit.id);
    return out;
  }
  static IdSet id_set(const SearchResponse& response) {
    Ids v = ids(response);
    return IdSet(v.begin(), v.end());
  }
  static std::size_t position(const Ids& ids, const std::string& id) {
    auto it = std::find(ids.begin(), ids.end(), id);
    EXPECT_NE(it, ids.end()) << id << " not found";
    return static_cast<std::size_t>(it - ids.begin());
  }
  const news::SearchHit& hit(const SearchResponse& response, const std::string& id) {
    for (const auto& h : response.hits) {
      if (h.id == id) return h;
    }
    ADD_FAILURE() << id << " not among the hits";
    static news::SearchHit none;
    return none;
  }
  // The blend a document should get on top of BM25, from its own metadata.
  static double blend(const news::SearchHit& h, news::RankingWeights w) {
    auto rank = [](const std::optional<std::int64_t>& v) {
      return v ? news::schema::saturate(double(*v)) : news::schema::kUnknownRank;
    };
    return w.quality * rank(h.quality) + w.heat * rank(h.heat);
  }

  static std::unique_ptr<news::testing::TempDir> dir_;
  static news::IndexStats stats_;
  static std::vector<std::string> problems_;
  std::unique_ptr<news::Searcher> searcher_;
};
std::unique_ptr<news::testing::TempDir> Ranking::dir_;
news::IndexStats Ranking::stats_;
std::vector<std::string> Ranking::problems_;

class RankingFilters : public Ranking {};
class RankingSort : public Ranking {};
class RankingPaging : public Ranking {};
class RankingErrors : public Ranking {};

const news::RankingWeights kNoBlend{0, 0};

TEST_F(Ranking, CorpusIsIndexedWithRelativeIds) {
  SearchResponse all = run("");
  EXPECT_EQ(all.hits.size(), kCorpusSize);
  IdSet found = id_set(all);
  EXPECT_TRUE(found.count("more/2018/filler-coffee.md"));
  EXPECT_TRUE(found.count("glacier-low.md"));
  for (const auto& id : found) EXPECT_FALSE(id.starts_with("/")) << id;
}

TEST_F(Ranking, QueryMatchesTheGlacierDocuments) {
  SearchResponse r = run("glacier drone");
  EXPECT_EQ(id_set(r), IdSet(kGlacier.begin(), kGlacier.end()));
  for (const auto& h : r.hits) EXPECT_GT(h.score, 0) << h.id;
}

TEST_F(Ranking, WithoutBlendTheMostRelevantTextWins) {
  SearchResponse r = run("glacier drone", kNoBlend);
  ASSERT_EQ(r.hits.size(), kGlacier.size());
  // glacier-low.md has "glacier" in its excerpt too; the others only in the title.
  EXPECT_EQ(r.hits.front().id, "glacier-low.md");
}

TEST_F(Ranking, TextRelevanceIsNearlyEqual) {
  // The premise of the blend tests: glacier-low.md's lead in BM25 is smaller
  // than what it loses to each of the others in the blend (default weights).
  SearchResponse r = run("glacier drone", kNoBlend);
  ASSERT_EQ(r.hits.size(), kGlacier.size());
  const news::SearchHit low = hit(r, "glacier-low.md");
  const double equal_score = hit(r, "glacier-quality.md").score;
  news::RankingWeights defaults;
  ASSERT_GT(defaults.quality, 0);
  ASSERT_GT(defaults.heat, 0);
  for (const auto& h : r.hits) {
    EXPECT_GT(h.score, 0) << h.id;
    if (h.id == low.id) continue;
    // The other four have the same words, so exactly the same BM25.
    EXPECT_DOUBLE_EQ(h.score, equal_score) << h.id;
    EXPECT_GT(low.score, h.score) << h.id;
    EXPECT_LT(low.score - h.score, blend(h, defaults) - blend(low, defaults)) << h.id;
  }
}

TEST_F(Ranking, DefaultWeightsChangeTheOrder) {
  Ids plain = ids(run("glacier drone", kNoBlend));
  Ids blended = ids(run("glacier drone"));
  ASSERT_EQ(plain.size(), kGlacier.size());
  ASSERT_EQ(blended.size(), kGlacier.size());
  EXPECT_NE(plain, blended);
  // Lowest quality and heat of the five: first by text, last once blended.
  EXPECT_EQ(plain.front(), "glacier-low.md");
  EXPECT_EQ(blended.back(), "glacier-low.md");
}

TEST_F(Ranking, BlendedScoreIsBm25PlusTheBlend) {
  news::RankingWeights defaults;
  SearchResponse plain = run("glacier drone", kNoBlend);
  SearchResponse blended = run("glacier drone", defaults);
  for (const auto& h : blended.hits) {
    double bm25 = hit(plain, h.id).score;
    EXPECT_NEAR(h.score, bm25 + blend(h, defaults), 1e-9) << h.id;
  }
}

// Equal scores: by story key when copies are collapsed (the default), by id
// when they are not; never by Xapian's docids, which depend on the layout.
TEST_F(Ranking, ZeroWeightsEqualPlainBm25) {
  Xapian::Enquire enquire = news::relevance_enquire(
      searcher_->database(), news::ScoredQuery(searcher_->parse_query("glacier drone", false)));
  Xapian::MSet mset = enquire.get_mset(0, 100);
  ASSERT_GT(mset.size(), 0u);

  for (bool collapse : {true, false}) {
    SCOPED_TRACE(collapse ? "collapsed" : "every copy");
    SearchRequest request;
    request.query = "glacier drone";
    request.weights = kNoBlend;
    request.collapse_duplicates = collapse;
    SearchResponse r = run(request);
    ASSERT_EQ(r.hits.size(), mset.size());
    struct Expected {
      double weight;
      std::string tie_break, id;
    };
    std::vector<Expected> expected;
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      Xapian::Document doc = it.get_document();
      std::string id = doc.get_value(news::schema::kId);
      expected.push_back(
          {it.get_weight(), collapse ? doc.get_value(news::schema::kDedupKey) : id, id});
    }
    std::stable_sort(expected.begin(), expected.end(), [](const auto& a, const auto& b) {
      return a.weight != b.weight ? a.weight > b.weight : a.tie_break < b.tie_break;
    });
    bool ties = false;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(r.hits[i].id, expected[i].id) << "rank " << i;
      EXPECT_DOUBLE_EQ(r.hits[i].score, expected[i].weight) << "rank " << i;
      if (i > 0 && expected[i].weight == expected[i - 1].weight) ties = true;
    }
    EXPECT_TRUE(ties) << "the fixture needs equal scores to check their order";
  }
}

TEST_F(Ranking, RaisingQualityWeightMovesHighQualityUp) {
  Ids heat_only = ids(run("glacier drone", {0, 0.5}));
  Ids quality_heavy = ids(run("glacier drone", {4, 0.5}));
  std::size_t before = position(heat_only, "glacier-quality.md");
  std::size_t after = position(quality_heavy, "glacier-quality.md");
  EXPECT_LT(after, before);
  EXPECT_EQ(after, 0u);                            // quality 95, the highest of the five
  EXPECT_EQ(heat_only.front(), "glacier-hot.md");  // heat 99 wins when only heat counts
}

TEST_F(Ranking, RaisingHeatWeightMovesHotDocumentUp) {
  Ids plain = ids(run("glacier drone", {1, 0}));
  Ids hot = ids(run("glacier drone", {1, 4}));
  EXPECT_LT(position(hot, "glacier-hot.md"), position(plain, "glacier-hot.md"));
  EXPECT_EQ(hot.front(), "glacier-hot.md");
}

TEST_F(Ranking, UnknownHeatScoresLikeTheHalfPoint) {
  ASSERT_DOUBLE_EQ(news::schema::saturate(news::schema::kRankHalfPoint), 0.5);
  for (news::RankingWeights w :
       {news::RankingWeights{}, news::RankingWeights{0, 3}, news::RankingWeights{2, 10}}) {
    SearchResponse r = run("glacier drone", w);
    const auto& unknown = hit(r, "glacier-unknown-heat.md");
    const auto& seventy = hit(r, "glacier-heat-70.md");
    ASSERT_FALSE(unknown.heat.has_value());
    ASSERT_EQ(seventy.heat, 70);
    EXPECT_NEAR(unknown.score, seventy.score, 1e-9) << "heat weight " << w.heat;
  }
}

TEST_F(Ranking, UnknownHeatIsBetweenLowAndHighHeat) {
  // With only heat counting, unknown (0.5) beats heat 30 and loses to heat 99.
  SearchResponse r = run("glacier drone", {0, 5});
  double unknown = hit(r, "glacier-unknown-heat.md").score;
  EXPECT_GT(unknown, hit(r, "glacier-quality.md").score);  // heat 30
  EXPECT_LT(unknown, hit(r, "glacier-hot.md").score);      // heat 99
}

TEST_F(Ranking, EmptyQueryListsByTheBlend) {
  news::RankingWeights defaults;
  SearchResponse r = run("", defaults);
  ASSERT_EQ(r.hits.size(), kCorpusSize);
  for (std::size_t i = 0; i < r.hits.size(); ++i) {
    EXPECT_NEAR(r.hits[i].score, blend(r.hits[i], defaults), 1e-9) << r.hits[i].id;
    if (i > 0) {
      EXPECT_GE(r.hits[i - 1].score, r.hits[i].score);
    }
  }
  // Not the index order: the blend really reorders the listing.
  EXPECT_NE(ids(r), ids(run("", kNoBlend)));
}

TEST_F(Ranking, EmptyQueryFollowsTheWeights) {
  // Only heat: the hottest document (99) first; only quality: the best (95).
  EXPECT_EQ(run("", {0, 1}).hits.front().id, "glacier-hot.md");
  EXPECT_EQ(run("", {1, 0}).hits.front().id, "glacier-quality.md");
}

TEST_F(Ranking, EmptyQueryWithoutWeightsListsEverything) {
  SearchResponse r = run("", kNoBlend);
  EXPECT_EQ(r.hits.size(), kCorpusSize);
}

TEST_F(Ranking, FieldQueries) {
  EXPECT_EQ(id_set(run("title:films")), IdSet{"glacier-hot.md"});
  EXPECT_EQ(id_set(run("topic:\"smart cities\"")), IdSet{"more/misc/filler-rail.md"});
  EXPECT_EQ(id_set(run("topic:Food")), IdSet{"more/misc/filler-bakery.md"});
  EXPECT_EQ(id_set(run("provider:polartimes.example glacier")),
            (IdSet{"glacier-low.md", "glacier-hot.md"}));
  EXPECT_EQ(id_set(run("type:video")), (IdSet{"glacier-hot.md", "more/misc/filler-chess.md"}));
}

TEST_F(Ranking, RangeQueries) {
  EXPECT_EQ(id_set(run("quality:90..")), IdSet{"glacier-quality.md"});
  EXPECT_EQ(id_set(run("glacier date:20200101..20201231")),
            (IdSet{"glacier-quality.md", "glacier-hot.md", "glacier-unknown-heat.md"}));
}

TEST_F(Ranking, MatchAnyWidensTheQuery) {
  SearchRequest all_words;
  all_words.query = "glacier coffee";
  EXPECT_TRUE(run(all_words).hits.empty());
  SearchRequest any_word = all_words;
  any_word.match_any = true;
  EXPECT_EQ(run(any_word).hits.size(), kGlacier.size() + 1);
}

// --- filters --------------------------------------------------------------

SearchRequest filtered(const std::string& query = "") {
  SearchRequest r;
  r.query = query;
  return r;
}

TEST_F(RankingFilters, Topics) {
  auto r = filtered();
  r.filters = {news::any_of("topic", {"climate"})};
  EXPECT_EQ(id_set(run(r)), (IdSet{"glacier-low.md", "glacier-quality.md",
                                   "glacier-unknown-heat.md", "glacier-heat-70.md"}));
  r.filters = {news::any_of("topic", {"ROBOTICS"})};
  EXPECT_EQ(id_set(run(r)), (IdSet{"glacier-low.md", "glacier-hot.md"}));
  r.filters = {news::any_of("topic", {"Climate", "Robotics"})};  // any of them
  EXPECT_EQ(id_set(run(r)), IdSet(kGlacier.begin(), kGlacier.end()));
}

TEST_F(RankingFilters, TopicsMatchWholeNormalisedValues) {
  auto r = filtered();
  r.filters = {news::any_of("topic", {"  smart   CITIES "})};
  EXPECT_EQ(id_set(run(r)), IdSet{"more/misc/filler-rail.md"});
  r.filters = {news::any_of("topic", {"cities"})};  // a whole topic, not a word of one
  EXPECT_EQ(id_set(run(r)), IdSet{"more/misc/filler-garden.md"});
  r.filters = {news::any_of("topic", {"clim"})};
  EXPECT_TRUE(run(r).hits.empty());
}

TEST_F(RankingFilters, ProvidersByNameAndDomain) {
  const IdSet polar = {"glacier-low.md", "glacier-hot.md", "more/misc/filler-bakery.md"};
  for (const char* provider :
       {"Polar Times", "polar times", "POLAR  TIMES", "polartimes.example", "PolarTimes.Example"}) {
    auto r = filtered();
    r.filters = {news::any_of("provider", {provider})};
    EXPECT_EQ(id_set(run(r)), polar) << provider;
  }
  auto r = filtered();
  r.filters = {news::any_of("provider", {"Polar"})};
  EXPECT_TRUE(run(r).hits.empty());
  r.filters = {news::any_of("provider", {"icereport.example", "City Desk"})};
  EXPECT_EQ(id_set(run(r)), (IdSet{"glacier-unknown-heat.md", "glacier-heat-70.md",
                                   "more/misc/filler-garden.md", "more/misc/filler-rail.md"}));
}

TEST_F(RankingFilters, Types) {
  auto r = filtered();
  r.filters = {news::any_of("type", {"Video"})};
  EXPECT_EQ(id_set(run(r)), (IdSet{"glacier-hot.md", "more/misc/filler-chess.md"}));
  r.filters = {news::any_of("type", {"video", "podcast"})};
  EXPECT_EQ(id_set(run(r)),
            (IdSet{"glacier-hot.md", "more/misc/filler-chess.md", "more/misc/filler-rail.md"}));
}

TEST_F(RankingFilters, SinceAndUntilYear) {
  auto r = filtered();
  r.filters = {news::range("date", "2020", "2020")};
  EXPECT_EQ(id_set(run(r)), (IdSet{"more/misc/filler-bakery.md", "glacier-quality.md",
                                   "glacier-hot.md", "glacier-unknown-heat.md"}));
}

TEST_F(RankingFilters, SinceAndUntilMonthInALeapYear) {
  auto r = filtered();
  r.filters = {news::range("date", "2020-02", "2020-02")};  // up to and including February 29th
  EXPECT_EQ(id_set(run(r)), (IdSet{"more/misc/filler-bakery.md", "glacier-quality.md"}));
}

TEST_F(RankingFilters, SinceAndUntilMonthInACommonYear) {
  auto r = filtered();
  r.filters = {news::range("date", "2019-02", "2019-02")};
  EXPECT_EQ(id_set(run(r)), IdSet{"more/misc/filler-harbour.md"});
}

TEST_F(RankingFilters, SinceAndUntilDay) {
  auto r = filtered();
  r.filters = {news::range("date", "2020-03-01", "2020-03-01")};
  EXPECT_EQ(id_set(run(r)), IdSet{"glacier-hot.md"});
  r.filters = {news::range("date", "2020-02-29", "2020-02-29")};
  EXPECT_EQ(id_set(run(r)), IdSet{"glacier-quality.md"});
}

TEST_F(RankingFilters, OpenEndedRanges) {
  auto r = filtered();
  r.filters = {news::range("date", "2021", "")};
  EXPECT_EQ(id_set(run(r)), (IdSet{"glacier-heat-70.md", "more/misc/filler-chess.md",
                                   "more/misc/filler-garden.md"}));
  r = filtered();
  r.filters = {news::range("date", "", "2018-12-31")};
  EXPECT_EQ(id_set(run(r)), IdSet{"more/2018/filler-coffee.md"});
}

TEST_F(RankingFilters, DateFiltersExcludeUndatedDocuments) {
  auto r = filtered();
  r.filters = {news::range("date", "1900", "")};
  SearchResponse response = run(r);
  EXPECT_EQ(response.hits.size(), kCorpusSize - 1);
  EXPECT_FALSE(id_set(response).count("more/misc/filler-museum.md"));
}

TEST_F(RankingFilters, MinQuality) {
  auto r = filtered();
  r.filters = {news::range("quality", "85", "")};  // inclusive
  EXPECT_EQ(id_set(run(r)), (IdSet{"glacier-quality.md", "more/misc/filler-rail.md"}));
  r.filters = {news::range("quality", "0", "")};  // every document with a known quality
  SearchResponse all_known = run(r);
  EXPECT_EQ(all_known.hits.size(), kCorpusSize - 1);
  EXPECT_FALSE(id_set(all_known).count("more/misc/filler-chess.md"));
}

TEST_F(RankingFilters, FiltersCombineWithAnd) {
  auto r = filtered("glacier drone");
  r.filters = {news::any_of("topic", {"climate"}), news::range("date", "2020-06", "")};
  EXPECT_EQ(id_set(run(r)), (IdSet{"glacier-unknown-heat.md", "glacier-heat-70.md"}));
  r.filters.push_back(news::any_of("provider", {"Ice Report"}));
  r.filters.push_back(news::range("quality", "61", ""));
  EXPECT_TRUE(run(r).hits.empty());
}

TEST_F(RankingFilters, FiltersDoNotChangeScores) {
  SearchResponse all = run("glacier drone");
  auto r = filtered("glacier drone");
  r.filters = {news::any_of("topic", {"climate"})};
  for (const auto& h : run(r).hits) EXPECT_DOUBLE_EQ(h.score, hit(all, h.id).score) << h.id;
}

// `date:` takes the dates --since and --until take: a year or a month means
// all of it, so each form selects what the matching filters select.
TEST_F(Ranking, DateRangesTakeYearsAndMonthsAsSinceAndUntilDo) {
  const IdSet in_2020 = id_set(run("glacier date:20200101..20201231"));
  ASSERT_FALSE(in_2020.empty());
  ASSERT_NE(in_2020, id_set(run("glacier")));
  EXPECT_EQ(id_set(run("glacier date:2020..2020")), in_2020);
  EXPECT_EQ(id_set(run("glacier date:2020-01..2020-12")), in_2020);
  EXPECT_EQ(id_set(run("glacier date:2020-01-01..2020-12-31")), in_2020);
  for (const auto& [since, until] : std::vector<std::pair<std::string, std::string>>{
           {"2019", "2019"}, {"2020-06", ""}, {"", "2020-06"}, {"2021", ""}}) {
    SCOPED_TRACE(since + ".." + until);
    auto request = filtered("glacier");
    request.filters = {news::range("date", since, until)};
    EXPECT_EQ(id_set(run("glacier date:" + since + ".." + until)), id_set(run(request)));
  }
}

TEST_F(Ranking, RangeBoundsThatAreNotDatesOrNumbersAreErrorsNamingThem) {
  for (const auto& [query, named] : std::vector<std::pair<std::string, std::string>>{
           {"date:2020-13-01..", "date: '2020-13-01' is not a date"},
           {"glacier date:..June", "date: 'June' is not a date"},
           {"date:2020..2020-02-30", "date: '2020-02-30' is not a date"},
           {"quality:abc..", "quality: 'abc' is not a number"},
           {"heat:10..x", "heat: 'x' is not a number"}}) {
    try {
      run(query);
      ADD_FAILURE() << "no error for '" << query << "'";
    } catch (const news::Error& e) {
      EXPECT_EQ(e.kind(), news::Error::Kind::kBadQuery) << query;
      EXPECT_NE(std::string(e.what()).find(named), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("'" + query + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(RankingDayBound, Years) {
  EXPECT_EQ(news::day_bound("2020", false), "20200101");
  EXPECT_EQ(news::day_bound("2020", true), "20201231");
}

TEST(RankingDayBound, Months) {
  EXPECT_EQ(news::day_bound("2020-06", false), "20200601");
  EXPECT_EQ(news::day_bound("2020-06", true), "20200630");
  EXPECT_EQ(news::day_bound("2020-01", true), "20200131");
  EXPECT_EQ(news::day_bound("2020-12", true), "20201231");
}

TEST(RankingDayBound, LeapYears) {
  EXPECT_EQ(news::day_bound("2020-02", true), "20200229");  // divisible by 4
  EXPECT_EQ(news::day_bound("2019-02", true), "20190228");
  EXPECT_EQ(news::day_bound("1900-02", true), "19000228");  // by 100 but not 400
  EXPECT_EQ(news::day_bound("2000-02", true), "20000229");  // by 400
  EXPECT_EQ(news::day_bound("2020-02-29", true), "20200229");
}

TEST(RankingDayBound, Days) {
  EXPECT_EQ(news::day_bound("2020-06-15", false), "20200615");
  EXPECT_EQ(news::day_bound("2020-06-15", true), "20200615");
}

TEST(RankingDayBound, InvalidDatesThrowBadQuery) {
  for (const char* text : {"", "June", "20", "2020-13", "2020-00", "2019-02-29", "2020-04-31",
                           "2020-06-00", "2020/06/15", "2020-06-15T00:00", " 2020"}) {
    try {
      news::day_bound(text, false);
      ADD_FAILURE() << "no error for '" << text << "'";
    } catch (const news::Error& e) {
      EXPECT_EQ(e.kind(), news::Error::Kind::kBadQuery) << text;
    }
  }
}

// --- sorting --------------------------------------------------------------

TEST_F(RankingSort, ByDateNewestFirstUndatedLast) {
  auto r = filtered();
  r.sort_by = "published";
  SearchResponse response = run(r);
  ASSERT_EQ(response.hits.size(), kCorpusSize);
  bool seen_undated = false;
  for (std::size_t i = 0; i < response.hits.size(); ++i) {
    const auto& h = response.hits[i];
    if (h.published.empty()) {
      seen_undated = true;
      continue;
    }
    EXPECT_FALSE(seen_undated) << h.id << " after an undated document";
    if (i > 0) {
      EXPECT_GE(response.hits[i - 1].published, h.published) << h.id;
    }
  }
  EXPECT_EQ(response.hits.front().id, "more/misc/filler-garden.md");  // 2022-02-28
  EXPECT_EQ(response.hits.back().id, "more/misc/filler-museum.md");   // undated
}

TEST_F(RankingSort, ByQualityUnknownLast) {
  auto r = filtered();
  r.sort_by = "quality";
  SearchResponse response = run(r);
  ASSERT_EQ(response.hits.size(), kCorpusSize);
  for (std::size_t i = 1; i < response.hits.size(); ++i) {
    const auto& prev = response.hits[i - 1];
    const auto& h = response.hits[i];
    if (h.quality) {
      ASSERT_TRUE(prev.quality.has_value()) << h.id << " after unknown quality";
      EXPECT_GE(*prev.quality, *h.quality) << h.id;
    }
  }
  EXPECT_EQ(response.hits.front().quality, 95);
  EXPECT_FALSE(response.hits.back().quality.has_value());
}

TEST_F(RankingSort, ByHeatUnknownLast) {
  auto r = filtered("glacier drone");
  r.sort_by = "heat";
  Ids order = ids(run(r));
  EXPECT_EQ(order, (Ids{"glacier-hot.md", "glacier-heat-70.md", "glacier-quality.md",
                        "glacier-low.md", "glacier-unknown-heat.md"}));
}

TEST_F(RankingSort, SortedWithAQueryKeepsOnlyMatches) {
  auto r = filtered("glacier drone");
  r.sort_by = "published";
  EXPECT_EQ(ids(run(r)), (Ids{"glacier-heat-70.md", "glacier-unknown-heat.md", "glacier-hot.md",
                              "glacier-quality.md", "glacier-low.md"}));
}

// --- paging ---------------------------------------------------------------

TEST_F(RankingPaging, PagesAreConsecutiveSlices) {
  for (const std::string query : {"", "glacier drone"}) {
    auto all_request = filtered(query);
    all_request.limit = 100;
    Ids all = ids(run(all_request));
    ASSERT_GE(all.size(), 5u);
    for (Xapian::doccount size : {1u, 2u, 3u, 5u}) {
      Ids paged;
      for (Xapian::doccount offset = 0; offset < all.size() + size; offset += size) {
        auto r = filtered(query);
        r.offset = offset;
        r.limit = size;
        SearchResponse page = searcher_->search(r);
        EXPECT_LE(page.hits.size(), size);
        for (const auto& h : page.hits) paged.push_back(h.id);
      }
      EXPECT_EQ(paged, all) << "query '" << query << "', page size " << size;
    }
  }
}

TEST_F(RankingPaging, PastTheEndIsEmpty) {
  auto r = filtered();
  r.offset = kCorpusSize;
  EXPECT_TRUE(searcher_->search(r).hits.empty());
}

TEST_F(RankingPaging, LimitIsRespected) {
  auto r = filtered();
  r.limit = 4;
  SearchResponse response = searcher_->search(r);
  EXPECT_EQ(response.hits.size(), 4u);
  EXPECT_GE(response.total_upper, kCorpusSize);
}

TEST_F(RankingPaging, FirstPageRanksStartAtOne) {
  auto r = filtered();
  r.limit = 3;
  SearchResponse page = searcher_->search(r);
  ASSERT_EQ(page.hits.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(page.hits[i].rank, i + 1);
}

// SearchHit::rank is "1-based, across pages". (Until commit 49be957 the
// offset was counted twice: offset 3 gave the page's first hit rank 7.)
TEST_F(RankingPaging, RanksContinueAcrossPages) {
  for (Xapian::doccount offset : {1u, 3u, 6u}) {
    auto r = filtered();
    r.offset = offset;
    r.limit = 3;
    SearchResponse page = searcher_->search(r);
    ASSERT_FALSE(page.hits.empty());
    for (std::size_t i = 0; i < page.hits.size(); ++i) {
      EXPECT_EQ(page.hits[i].rank, offset + i + 1) << "offset " << offset;
    }
  }
}

// --- errors ---------------------------------------------------------------

TEST_F(RankingErrors, BadQueryThrowsBadQuery) {
  // A range with no range processor for it is a QueryParserError.
  for (const char* query : {"alpha..omega", "nosuchfield:1..5"}) {
    try {
      run(query);
      ADD_FAILURE() << "no error for '" << query << "'";
    } catch (const news::Error& e) {
      EXPECT_EQ(e.kind(), news::Error::Kind::kBadQuery) << query << ": " << e.what();
    }
  }
}

TEST_F(RankingErrors, ParseQueryThrowsBadQuery) {
  try {
    searcher_->parse_query("alpha..omega", false);
    ADD_FAILURE() << "no error";
  } catch (const news::Error& e) {
    EXPECT_EQ(e.kind(), news::Error::Kind::kBadQuery);
  }
}

TEST_F(RankingErrors, BadDateFilterThrowsBadQuery) {
  auto r = filtered();
  r.filters = {news::range("date", "last week", "")};
  try {
    run(r);
    ADD_FAILURE() << "no error";
  } catch (const news::Error& e) {
    EXPECT_EQ(e.kind(), news::Error::Kind::kBadQuery);
  }
}

TEST(RankingMissing, MissingDatabaseThrowsNoDatabase) {
  news::testing::TempDir dir;
  try {
    news::Searcher searcher((dir / "no-such-db").string());
    ADD_FAILURE() << "no error";
  } catch (const news::Error& e) {
    EXPECT_EQ(e.kind(), news::Error::Kind::kNoDatabase);
  }
}

TEST(RankingMissing, FolderThatIsNotADatabaseThrowsDatabase) {
  news::testing::TempDir dir;
  news::testing::write_file(dir / "not-a-db" / "readme.txt", "hello");
  try {
    news::Searcher searcher((dir / "not-a-db").string());
    ADD_FAILURE() << "no error";
  } catch (const news::Error& e) {
    EXPECT_EQ(e.kind(), news::Error::Kind::kDatabase);
  }
}

}  // namespace
