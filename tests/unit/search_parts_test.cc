// The search parts alone (core/search/: query_builder, relevance, totals,
// hits, story_copies, facets, spelling), each over a small in-memory
// database built with DocumentBuilder; Searcher's composition of them is
// covered by ranking_test and search_features_test.
#include <gtest/gtest.h>
#include <xapian.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "document/document.h"
#include "document/document_builder.h"
#include "schema/schema.h"
#include "search/facets.h"
#include "search/hits.h"
#include "search/query_builder.h"
#include "search/relevance.h"
#include "search/spelling.h"
#include "search/story_copies.h"
#include "search/totals.h"
#include "test_support.h"

namespace {

using news::NewsDocument;

NewsDocument story(const std::string& title, std::vector<std::string> topics,
                   std::int64_t quality) {
  NewsDocument d;
  d.title = title;
  d.excerpt = "A report on " + title + " from the field.";
  d.url = "https://example.com/" + std::to_string(quality);
  d.type = "article";
  d.provider_name = "Example News";
  d.provider_domain = "example.com";
  d.topics = std::move(topics);
  d.published = 1614755640;  // 2021-03-03
  d.quality = quality;
  return d;
}

class SearchParts : public ::testing::Test {
 protected:
  void SetUp() override {
    add("glacier.md", story("Glacier drone survey", {"Climate", "Robotics"}, 80));
    add("glacier-copy.md", story("Glacier drone survey", {"Climate"}, 40));
    add("city.md", story("City traffic robots", {"Robotics"}, 60));
    add("harbour.md", story("Harbour cranes automated", {"Logistics"}, 20));
    db_.add_spelling("glacier", 5);
    db_.commit();
  }
  void add(const std::string& id, const NewsDocument& doc) {
    db_.add_document(builder_.build(doc, id, "XRroot", std::string(16, 'h')));
  }
  // The ids `query` finds, best first.
  std::vector<std::string> ids(const news::ScoredQuery& query) {
    Xapian::MSet mset = news::relevance_enquire(db_, query).get_mset(0, 100);
    std::vector<std::string> out;
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      out.push_back(it.get_document().get_value(news::schema::kId));
    }
    return out;
  }

  news::DocumentBuilder builder_;
  news::testing::TempDir dir_;  // spelling data needs a disk database
  Xapian::WritableDatabase db_{dir_.str() + "/db", Xapian::DB_CREATE};
};

TEST_F(SearchParts, BlankQueryMatchesEveryDocumentWithWeightZero) {
  news::QueryBuilder builder(db_);
  news::SearchRequest request;
  request.query = "  \t";
  Xapian::MSet mset =
      news::relevance_enquire(db_, news::ScoredQuery(builder.typed(request))).get_mset(0, 10);
  EXPECT_EQ(mset.size(), 4u);
  for (auto it = mset.begin(); it != mset.end(); ++it) EXPECT_EQ(it.get_weight(), 0.0);
}

TEST_F(SearchParts, FieldQueriesFollowTheSchema) {
  news::QueryBuilder builder(db_);
  auto found = [&](const std::string& text) {
    auto got = ids(news::ScoredQuery(builder.parse(text, false)));
    return std::set<std::string>(got.begin(), got.end());
  };
  EXPECT_EQ(found("title:cranes"), std::set<std::string>{"harbour.md"});
  EXPECT_EQ(found("topic:LOGISTICS"), std::set<std::string>{"harbour.md"});
  EXPECT_EQ(found("quality:50..70"), std::set<std::string>{"city.md"});
  EXPECT_THROW(builder.parse("quality:x..y", false), news::Error);
}

TEST_F(SearchParts, FiltersAreAndedAndAbsentWhenNoneIsAsked) {
  news::QueryBuilder builder(db_);
  news::SearchRequest request;
  EXPECT_TRUE(builder.filters(request).empty());
  request.filters = {news::any_of("topic", {"robotics"}), news::range("quality", "70", "")};
  news::ScoredQuery all(Xapian::Query::MatchAll);
  EXPECT_EQ(ids(all.filtered(builder.filters(request))), std::vector<std::string>{"glacier.md"});
}

TEST_F(SearchParts, LikeNeedsADocumentThatExists) {
  news::QueryBuilder builder(db_);
  news::SearchRequest request;
  request.like_id = "nowhere.md";
  EXPECT_THROW(builder.text(request, builder.typed(request)), news::Error);
  request.like_id = "glacier.md";
  auto similar = ids(news::ScoredQuery(builder.text(request, builder.typed(request))));
  ASSERT_FALSE(similar.empty());
  EXPECT_EQ(similar.front(), "glacier-copy.md");  // the same words; never the document itself
  EXPECT_EQ(std::count(similar.begin(), similar.end(), "glacier.md"), 0);
}

TEST_F(SearchParts, ScoredQueryAddsNothingForEmptyBoostsOrFilters) {
  news::ScoredQuery text(Xapian::Query("glacier"));
  EXPECT_EQ(text.boosted(Xapian::Query()).query().get_description(),
            text.query().get_description());
  EXPECT_EQ(text.filtered(Xapian::Query()).query().get_description(),
            text.query().get_description());
  EXPECT_NE(text.filtered(Xapian::Query("Krobotics")).query().get_description(),
            text.query().get_description());
}

TEST_F(SearchParts, TotalsOfAPageThatHoldsTheLastMatchAreExact) {
  news::SearchRequest request;
  request.limit = 10;
  Xapian::Enquire enquire =
      news::relevance_enquire(db_, news::ScoredQuery(Xapian::Query("Zdrone")));
  Xapian::MSet mset = enquire.get_mset(0, request.limit);
  news::SearchResponse response;
  news::fill_totals(response, mset, request, enquire, db_);
  EXPECT_EQ(response.total_lower, 2u);
  EXPECT_EQ(response.total_upper, 2u);
  EXPECT_EQ(response.total_estimate, 2u);
}

TEST_F(SearchParts, HitsShowTheStoredRecordAndMarkTheMatches) {
  Xapian::Enquire enquire =
      news::relevance_enquire(db_, news::ScoredQuery(Xapian::Query("Zcrane")));
  Xapian::MSet mset = enquire.get_mset(0, 10);
  news::HitReader reader(mset, 240, {});
  std::vector<std::string> keys;
  std::vector<news::SearchHit> hits = reader.read(keys);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].rank, 1u);
  EXPECT_EQ(hits[0].id, "harbour.md");
  EXPECT_EQ(hits[0].title, "Harbour cranes automated");
  EXPECT_EQ(hits[0].topics, std::vector<std::string>{"Logistics"});
  EXPECT_EQ(hits[0].quality, 20);
  EXPECT_EQ(hits[0].published, "2021-03-03T07:14:00Z");
  EXPECT_NE(hits[0].snippet_html.find("<mark>cranes</mark>"), std::string::npos)
      << hits[0].snippet_html;
  EXPECT_EQ(news::unescape_html("&lt;a&gt; &amp;amp; &quot;&#39;"), "<a> &amp; \"'");
}

TEST_F(SearchParts, StoryCopiesCountTheOtherCopiesOfEachHit) {
  news::ScoredQuery ranked(Xapian::Query("Zdrone"));
  Xapian::Enquire enquire = news::relevance_enquire(db_, ranked);
  enquire.set_collapse_key(news::schema::kDedupKey);
  Xapian::MSet mset = enquire.get_mset(0, 10);
  news::HitReader reader(mset, 240, {});
  std::vector<std::string> keys;
  std::vector<news::SearchHit> hits = reader.read(keys);
  ASSERT_EQ(hits.size(), 1u);
  auto copies = news::story_copies(db_, ranked, true, keys, hits);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].others, 1u);
}

TEST_F(SearchParts, FacetsCountEachTopicOfAMatch) {
  Xapian::Enquire enquire =
      news::relevance_enquire(db_, news::ScoredQuery(Xapian::Query::MatchAll));
  news::FacetCounter counter(enquire, news::schema::FieldTable::standard());
  enquire.get_mset(0, 10, 100);
  EXPECT_EQ(counter.counted(), 4u);
  std::vector<news::Facet> facets = counter.facets(2);
  ASSERT_FALSE(facets.empty());
  EXPECT_EQ(facets[0].name, "topic");
  ASSERT_EQ(facets[0].values.size(), 2u);           // limited to the two most frequent
  EXPECT_EQ(facets[0].values[0].value, "climate");  // 2, ties in value order
  EXPECT_EQ(facets[0].values[0].count, 2u);
  EXPECT_EQ(facets[0].values[1].value, "robotics");
  EXPECT_EQ(facets[0].values[1].count, 2u);
}

TEST_F(SearchParts, SpellingCorrectsRareWordsOnly) {
  news::QueryBuilder builder(db_);
  Xapian::Query parsed = builder.parse("glacer drone", false);
  EXPECT_EQ(news::spelling_correction(db_, builder, "glacer drone", parsed, false),
            "glacier drone");
  Xapian::Query right = builder.parse("glacier", false);
  EXPECT_EQ(news::spelling_correction(db_, builder, "glacier", right, false), std::nullopt);
}

}  // namespace
