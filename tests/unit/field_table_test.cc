// The field table (core/schema/fields.h) as a value: a field added as one
// row (plus its extraction) is indexed, found by `name:value`, filtered by
// and counted in facets, with the standard table left as it was.
#include <gtest/gtest.h>
#include <xapian.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "document/document.h"
#include "document/document_builder.h"
#include "render/format.h"
#include "schema/fields.h"
#include "schema/schema.h"
#include "search/search.h"
#include "test_support.h"

namespace {

namespace schema = news::schema;
using news::NewsDocument;

constexpr std::int64_t k2020 = 1584000000;  // 2020-03-12
constexpr std::int64_t k2021 = 1614755640;  // 2021-03-03

// The one row: the publication year, exact terms under a new prefix, a new
// value slot, counted in facets and kept in the stored record.
schema::Field year_field() {
  schema::Field year;
  year.name = "year";
  year.prefix = "XY";
  year.terms = schema::Terms::kExact;
  year.slot = 20;
  year.encoding = schema::Encoding::kText;
  year.supports = schema::kFacet;
  year.stored_key = "year";
  year.stored = schema::Stored::kText;
  year.extract = [](const NewsDocument& d) {
    schema::FieldValues values;
    if (d.published) values.texts = {news::format_iso_datetime(*d.published).substr(0, 4)};
    return values;
  };
  return year;
}

NewsDocument story(const std::string& title, std::optional<std::int64_t> published) {
  NewsDocument d;
  d.title = title;
  d.excerpt = "About " + title + ".";
  d.provider_name = "Example News";
  d.published = published;
  d.quality = 50;
  return d;
}

class FieldTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Xapian::WritableDatabase db(path(), Xapian::DB_CREATE);
    news::DocumentBuilder builder(table_);
    auto add = [&](const std::string& id, const NewsDocument& doc) {
      db.add_document(builder.build(doc, id, "XRroot", std::string(16, 'h')));
    };
    add("a.md", story("Glacier drones", k2020));
    add("b.md", story("Harbour cranes", k2020));
    add("c.md", story("City robots", k2021));
    add("d.md", story("Undated notes", std::nullopt));
    db.set_metadata(std::string(schema::kMetaSchemaVersion), std::string(schema::kSchemaVersion));
    db.commit();
  }
  std::string path() const { return dir_.str() + "/db"; }
  std::set<std::string> ids(const news::SearchResponse& response) {
    std::set<std::string> out;
    for (const auto& hit : response.hits) out.insert(hit.id);
    return out;
  }

  news::testing::TempDir dir_;
  schema::FieldTable table_ = schema::FieldTable::standard().with(year_field());
};

TEST_F(FieldTableTest, TheAddedFieldIsIndexedAsItsRowSays) {
  Xapian::Database db(path());
  EXPECT_EQ(db.get_termfreq("XY2020"), 2u);
  EXPECT_EQ(db.get_termfreq("XY2021"), 1u);
  Xapian::Document doc = db.get_document(*db.postlist_begin(schema::id_term("c.md")));
  EXPECT_EQ(doc.get_value(20), "2021");
  EXPECT_EQ(nlohmann::json::parse(doc.get_data()).value("year", ""), "2021");
  // The standard fields are written as before, beside it.
  EXPECT_EQ(doc.get_value(schema::kDay), "20210303");
}

TEST_F(FieldTableTest, FoundByNameAndValue) {
  news::Searcher searcher(std::vector<std::string>{path()}, table_);
  news::SearchRequest request;
  request.query = "year:2020";
  EXPECT_EQ(ids(searcher.search(request)), (std::set<std::string>{"a.md", "b.md"}));
  request.query = "robots year:2020";
  EXPECT_TRUE(searcher.search(request).hits.empty());
}

TEST_F(FieldTableTest, FilteredBy) {
  news::Searcher searcher(std::vector<std::string>{path()}, table_);
  news::SearchRequest request;
  request.filters = {news::any_of("year", {"2021"})};
  EXPECT_EQ(ids(searcher.search(request)), std::set<std::string>{"c.md"});
  request.filters = {news::any_of("year", {"2020", "2021"}),
                     news::any_of("provider", {"example news"})};
  EXPECT_EQ(ids(searcher.search(request)), (std::set<std::string>{"a.md", "b.md", "c.md"}));
}

TEST_F(FieldTableTest, CountedInFacets) {
  news::Searcher searcher(std::vector<std::string>{path()}, table_);
  news::SearchRequest request;
  request.facets = true;
  news::SearchResponse response = searcher.search(request);
  const news::Facet* year = nullptr;
  for (const auto& facet : response.facets) {
    if (facet.name == "year") year = &facet;
  }
  ASSERT_NE(year, nullptr);
  ASSERT_EQ(year->values.size(), 2u);
  EXPECT_EQ(year->values[0].value, "2020");
  EXPECT_EQ(year->values[0].count, 2u);
  EXPECT_EQ(year->values[1].value, "2021");
  EXPECT_EQ(year->values[1].count, 1u);
  EXPECT_EQ(response.facets.back().name, "year");  // after the standard ones
}

TEST_F(FieldTableTest, TheStandardTableIsUnchanged) {
  EXPECT_EQ(schema::FieldTable::standard().find("year"), nullptr);
  ASSERT_NE(table_.find("year"), nullptr);
  EXPECT_EQ(table_.fields().size(), schema::FieldTable::standard().fields().size() + 1);
  news::Searcher searcher(path());  // the standard table: no year filter
  news::SearchRequest request;
  request.filters = {news::any_of("year", {"2021"})};
  EXPECT_THROW(searcher.search(request), news::Error);
}

TEST_F(FieldTableTest, FiltersAndSortsNeedAFieldThatSupportsThem) {
  news::Searcher searcher(std::vector<std::string>{path()}, table_);
  auto kind_of = [&](const news::SearchRequest& request) {
    try {
      searcher.search(request);
    } catch (const news::Error& e) {
      return e.kind();
    }
    ADD_FAILURE() << "no error";
    return news::Error::Kind::kDatabase;
  };
  news::SearchRequest by_range;
  by_range.filters = {news::range("year", "2020", "")};  // no kRange
  EXPECT_EQ(kind_of(by_range), news::Error::Kind::kBadQuery);
  news::SearchRequest by_value;
  by_value.filters = {news::any_of("quality", {"50"})};  // no exact terms
  EXPECT_EQ(kind_of(by_value), news::Error::Kind::kBadQuery);
  news::SearchRequest sorted;
  sorted.sort_by = "year";  // no kSort
  EXPECT_EQ(kind_of(sorted), news::Error::Kind::kBadQuery);
  news::SearchRequest bad_number;
  bad_number.filters = {news::range("quality", "fifty", "")};
  EXPECT_EQ(kind_of(bad_number), news::Error::Kind::kBadQuery);
}

TEST(FieldValues, EncodingsAndStoredForms) {
  schema::Field field;
  field.slot = 30;
  schema::FieldValues list{{"Computer  Vision", "AI"}, std::nullopt};
  field.encoding = schema::Encoding::kNormalisedList;
  EXPECT_EQ(schema::encode_value(field, list), std::string("computer vision\x1f"
                                                           "ai"));
  field.encoding = schema::Encoding::kText;
  EXPECT_EQ(schema::encode_value(field, list), "Computer  Vision");
  EXPECT_EQ(schema::encode_value(field, {{""}, std::nullopt}), std::nullopt);
  schema::FieldValues when{{}, k2021};
  field.encoding = schema::Encoding::kDay;
  EXPECT_EQ(schema::encode_value(field, when), "20210303");
  field.encoding = schema::Encoding::kMonth;
  EXPECT_EQ(schema::encode_value(field, when), "202103");
  field.encoding = schema::Encoding::kNumber;
  EXPECT_EQ(schema::encode_value(field, when), Xapian::sortable_serialise(double(k2021)));
  EXPECT_EQ(schema::encode_value(field, {}), std::nullopt);
  field.stored = schema::Stored::kTime;
  EXPECT_EQ(schema::stored_value(field, when), "2021-03-03T07:14:00Z");
  EXPECT_TRUE(schema::stored_value(field, {}).is_null());
  field.stored = schema::Stored::kList;
  EXPECT_EQ(schema::stored_value(field, list), nlohmann::json({"Computer  Vision", "AI"}));
}

}  // namespace

TEST_F(FieldTableTest, ShownInEachHitAndItsJson) {
  news::Searcher searcher(std::vector<std::string>{path()}, table_);
  news::SearchRequest request;
  request.query = "year:2021";
  news::SearchResponse response = searcher.search(request);
  ASSERT_EQ(response.hits.size(), 1u);
  EXPECT_EQ(response.hits[0].other_fields, (nlohmann::json{{"year", "2021"}}));
  EXPECT_EQ(news::to_json(response.hits[0], false).value("year", ""), "2021");
  // A document built with the standard table has no other fields, so its
  // output is as before.
  const std::string standard_path = dir_.str() + "/standard";
  {
    Xapian::WritableDatabase db(standard_path, Xapian::DB_CREATE);
    db.add_document(news::DocumentBuilder().build(story("Glacier drones", k2020), "a.md", "XRroot",
                                                  std::string(16, 'h')));
    db.set_metadata(std::string(schema::kMetaSchemaVersion), std::string(schema::kSchemaVersion));
    db.commit();
  }
  news::Searcher standard(standard_path);
  request.query = "";
  news::SearchResponse listed = standard.search(request);
  ASSERT_EQ(listed.hits.size(), 1u);
  EXPECT_TRUE(listed.hits[0].other_fields.empty());
  EXPECT_FALSE(news::to_json(listed.hits[0], false).contains("year"));
}
