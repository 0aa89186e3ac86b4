// DocumentBuilder (core/document_builder.h): terms, values and stored record.
#include "document/document_builder.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "document/document.h"
#include "schema/schema.h"

namespace {

namespace schema = news::schema;

// 2021-03-03T07:14:00Z.
constexpr std::int64_t kPublished = 1614755640;

news::NewsDocument sample() {
  news::NewsDocument d;
  d.title = "Border Control Systems gearing up";
  d.excerpt = "While national security benefits, risks remain.";
  d.url = "https://thenextweb.com/neural/2021/03/03/border";
  d.category = "News";
  d.type = "Article";
  d.provider_name = "The Next Web";
  d.provider_domain = "TheNextWeb.com";
  d.topics = {"Computer  Vision", "AI"};
  d.related_titles = {"Facial analysis questioned"};
  d.published = kPublished;
  d.quality = 65;
  d.heat = std::nullopt;  // unknown
  return d;
}

std::set<std::string> terms_of(const Xapian::Document& doc) {
  std::set<std::string> out;
  for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) out.insert(*it);
  return out;
}

class Builder : public ::testing::Test {
 protected:
  void SetUp() override {
    doc_ = builder_.build(sample(), "ai-news/border.md", "XR/data/root", hash_);
    terms_ = terms_of(doc_);
  }
  bool has(const std::string& term) const { return terms_.count(term) > 0; }

  news::DocumentBuilder builder_;
  const std::string hash_ = std::string("0123456789abcdef", 16);
  Xapian::Document doc_;
  std::set<std::string> terms_;
};

TEST(BuilderPremise, SampleDateIsWhatTheTestsAssume) {
  EXPECT_EQ(news::format_iso_datetime(kPublished), "2021-03-03T07:14:00Z");
}

TEST_F(Builder, IdAndRootTerms) {
  EXPECT_TRUE(has("Qai-news/border.md"));
  EXPECT_TRUE(has(schema::id_term("ai-news/border.md")));
  EXPECT_TRUE(has("XR/data/root"));
  std::size_t ids = 0;
  for (const auto& t : terms_) ids += t.starts_with("Q");
  EXPECT_EQ(ids, 1u);  // exactly one identity
}

TEST_F(Builder, TitleTermsAreSPrefixed) {
  for (const char* word : {"border", "control", "systems", "gearing", "up"}) {
    EXPECT_TRUE(has(std::string("S") + word)) << word;
  }
  EXPECT_TRUE(has("ZSsystem"));    // stemmed form, for `title:` queries
  EXPECT_FALSE(has("Snational"));  // an excerpt word is not a title word
}

TEST_F(Builder, FreeTextTermsFromEveryTextField) {
  for (const char* word :
       {"border", "national", "security", "facial", "questioned", "vision", "ai", "next", "web"}) {
    EXPECT_TRUE(has(word)) << word;
  }
  EXPECT_TRUE(has("Zsecur"));  // stemmed
}

TEST_F(Builder, TitleWordsWeighMoreThanExcerptWords) {
  auto wdf = [&](const std::string& term) {
    auto it = doc_.termlist_begin();
    it.skip_to(term);
    EXPECT_TRUE(it != doc_.termlist_end() && *it == term) << term;
    return it.get_wdf();
  };
  EXPECT_GT(wdf("border"), wdf("national"));
  EXPECT_GT(wdf("national"), wdf("questioned"));
}

// BM25's length normalisation is in the wdfs (schema.h): every occurrence of
// a title word adds scaled_wdf(3, norm) for the document's norm, and the same
// title in a longer document gives its words less.
Xapian::termcount wdf_of(const Xapian::Document& doc, const std::string& term) {
  auto it = doc.termlist_begin();
  it.skip_to(term);
  EXPECT_TRUE(it != doc.termlist_end() && *it == term) << term;
  return it != doc.termlist_end() && *it == term ? it.get_wdf() : 0;
}

TEST_F(Builder, WdfsCarryTheLengthNormalisation) {
  news::NewsDocument d = sample();
  // Title 5 words x 3, excerpt 6 x 2, related 3, topics 3, provider 3.
  EXPECT_EQ(schema::text_length(d), 15 + 12 + 3 + 3 + 3);
  double norm = schema::length_norm(schema::text_length(d));
  EXPECT_NEAR(norm, 0.5 + 0.5 * 0.5, 1e-12);  // 36 / 108 is below the floor of 0.5
  EXPECT_EQ(wdf_of(doc_, "border"), schema::scaled_wdf(3, norm));
  EXPECT_EQ(wdf_of(doc_, "Sborder"), schema::scaled_wdf(3, norm));
  EXPECT_EQ(wdf_of(doc_, "national"), schema::scaled_wdf(2, norm));
  EXPECT_EQ(wdf_of(doc_, "questioned"), schema::scaled_wdf(1, norm));

  news::NewsDocument longer = d;
  for (int i = 0; i < 20; ++i) longer.related_titles.push_back("Another related headline here");
  double longer_norm = schema::length_norm(schema::text_length(longer));
  EXPECT_NEAR(longer_norm, 0.5 + 0.5 * (36.0 + 80) / schema::kReferenceLength, 1e-12);
  Xapian::Document long_doc = builder_.build(longer, "ai-news/long.md", "XR/data/root", hash_);
  EXPECT_EQ(wdf_of(long_doc, "border"), schema::scaled_wdf(3, longer_norm));
  EXPECT_LT(wdf_of(long_doc, "border"), wdf_of(doc_, "border"));
}

TEST_F(Builder, TopicBooleanTermsAreNormalised) {
  EXPECT_TRUE(has("Kcomputer vision"));
  EXPECT_TRUE(has("Kai"));
  EXPECT_FALSE(has("KComputer  Vision"));
  EXPECT_EQ(doc_.get_value(schema::kTopics), std::string("computer vision\x1f"
                                                         "ai"));
}

TEST_F(Builder, ProviderTermsForNameAndDomain) {
  EXPECT_TRUE(has("XPthe next web"));
  EXPECT_TRUE(has("XPthenextweb.com"));
  EXPECT_EQ(doc_.get_value(schema::kProvider), "The Next Web");
}

TEST_F(Builder, TypeAndCategoryTerms) {
  EXPECT_TRUE(has("XTarticle"));
  EXPECT_TRUE(has("XCnews"));
  EXPECT_EQ(doc_.get_value(schema::kType), "article");
}

TEST_F(Builder, NoPhraseAcrossFields) {
  // The title's last word and the excerpt's first word must not be adjacent.
  auto positions = [&](const std::string& term) {
    std::vector<Xapian::termpos> out;
    for (auto p = doc_.termlist_begin(); p != doc_.termlist_end(); ++p) {
      if (*p != term) continue;
      for (auto q = p.positionlist_begin(); q != p.positionlist_end(); ++q) out.push_back(*q);
    }
    return out;
  };
  auto up = positions("up");
  auto whilst = positions("while");
  ASSERT_FALSE(up.empty());
  ASSERT_FALSE(whilst.empty());
  for (auto a : up) {
    for (auto b : whilst) EXPECT_GT(b > a ? b - a : a - b, 1u);
  }
}

TEST_F(Builder, QualityValues) {
  EXPECT_EQ(doc_.get_value(schema::kQuality), Xapian::sortable_serialise(65));
  EXPECT_EQ(doc_.get_value(schema::kQualityRank), Xapian::sortable_serialise(schema::saturate(65)));
  EXPECT_DOUBLE_EQ(Xapian::sortable_unserialise(doc_.get_value(schema::kQualityRank)),
                   65.0 / (65.0 + schema::kRankHalfPoint));
}

TEST_F(Builder, UnknownHeatHasNoValueAndTheMedianRank) {
  EXPECT_TRUE(doc_.get_value(schema::kHeat).empty());
  EXPECT_EQ(doc_.get_value(schema::kHeatRank), Xapian::sortable_serialise(0.5));
}

TEST_F(Builder, DateValues) {
  EXPECT_EQ(doc_.get_value(schema::kPublished), Xapian::sortable_serialise(double(kPublished)));
  EXPECT_EQ(doc_.get_value(schema::kDay), "20210303");
  EXPECT_EQ(doc_.get_value(schema::kMonth), "202103");
}

TEST_F(Builder, ContentHashIsStored) { EXPECT_EQ(doc_.get_value(schema::kContentHash), hash_); }

TEST_F(Builder, StoredRecordHasDisplayFields) {
  auto record = nlohmann::json::parse(doc_.get_data());
  EXPECT_EQ(record["id"], "ai-news/border.md");
  EXPECT_EQ(record["title"], "Border Control Systems gearing up");
  EXPECT_EQ(record["excerpt"], "While national security benefits, risks remain.");
  EXPECT_EQ(record["url"], "https://thenextweb.com/neural/2021/03/03/border");
  EXPECT_EQ(record["provider"], "The Next Web");
  EXPECT_EQ(record["domain"], "TheNextWeb.com");
  EXPECT_EQ(record["topics"], (nlohmann::json{"Computer  Vision", "AI"}));
  EXPECT_EQ(record["published"], "2021-03-03T07:14:00Z");
  EXPECT_EQ(record["type"], "Article");
  EXPECT_EQ(record["category"], "News");
  EXPECT_EQ(record["quality"], 65);
  ASSERT_TRUE(record.contains("heat"));
  EXPECT_TRUE(record["heat"].is_null());
}

TEST_F(Builder, StoredRecordHasNoSecured) {
  auto record = nlohmann::json::parse(doc_.get_data());
  EXPECT_FALSE(record.contains("secured"));
  EXPECT_EQ(doc_.get_data().find("secured"), std::string::npos);
}

TEST(BuilderParsed, SecuredFromAFileReachesNoTermValueOrRecord) {
  const std::string secret = "SECRETTOKEN4f9a2c7e";
  auto parsed = news::parse_news_file("---\ntitle: Harbour cranes\nquality: 5\nsecured: \"" +
                                      secret + "\"\n---\n");
  ASSERT_EQ(parsed.status, news::ParseStatus::kOk) << parsed.reason;
  news::DocumentBuilder builder;
  Xapian::Document doc = builder.build(parsed.document, "x.md", "XRroot", "h");
  for (const auto& term : terms_of(doc)) {
    EXPECT_EQ(term.find("secret"), std::string::npos) << term;
    EXPECT_EQ(term.find("secured"), std::string::npos) << term;
  }
  for (auto v = doc.values_begin(); v != doc.values_end(); ++v) {
    EXPECT_EQ((*v).find(secret), std::string::npos) << v.get_valueno();
  }
  EXPECT_EQ(doc.get_data().find(secret), std::string::npos);
  EXPECT_EQ(doc.get_data().find("secured"), std::string::npos);
}

TEST(BuilderValues, KnownHeatAndUnknownQuality) {
  news::NewsDocument d;
  d.title = "Heat only";
  d.heat = 140;
  news::DocumentBuilder builder;
  Xapian::Document doc = builder.build(d, "h.md", "XRroot", "h");
  EXPECT_EQ(doc.get_value(schema::kHeat), Xapian::sortable_serialise(140));
  EXPECT_DOUBLE_EQ(Xapian::sortable_unserialise(doc.get_value(schema::kHeatRank)),
                   140.0 / (140.0 + schema::kRankHalfPoint));
  EXPECT_TRUE(doc.get_value(schema::kQuality).empty());
  EXPECT_EQ(doc.get_value(schema::kQualityRank), Xapian::sortable_serialise(0.5));
  auto record = nlohmann::json::parse(doc.get_data());
  EXPECT_EQ(record["heat"], 140);
  EXPECT_TRUE(record["quality"].is_null());
}

TEST(BuilderValues, NoDateMeansNoDateValues) {
  news::NewsDocument d;
  d.title = "Undated";
  news::DocumentBuilder builder;
  Xapian::Document doc = builder.build(d, "u.md", "XRroot", "h");
  EXPECT_TRUE(doc.get_value(schema::kPublished).empty());
  EXPECT_TRUE(doc.get_value(schema::kDay).empty());
  EXPECT_TRUE(doc.get_value(schema::kMonth).empty());
  EXPECT_TRUE(nlohmann::json::parse(doc.get_data())["published"].is_null());
}

TEST(BuilderValues, DayIsTheUtcDay) {
  news::NewsDocument d;
  d.title = "Late";
  d.published = 1609459199;  // 2020-12-31T23:59:59Z, one second before 2021
  news::DocumentBuilder builder;
  Xapian::Document doc = builder.build(d, "l.md", "XRroot", "h");
  EXPECT_EQ(doc.get_value(schema::kDay), "20201231");
  EXPECT_EQ(doc.get_value(schema::kMonth), "202012");
  d.published = 1609459200;  // 2021-01-01T00:00:00Z
  doc = builder.build(d, "l.md", "XRroot", "h");
  EXPECT_EQ(doc.get_value(schema::kDay), "20210101");
}

TEST(BuilderValues, DedupKeyIgnoresCasePunctuationAndSpacing) {
  news::DocumentBuilder builder;
  auto key = [&](const std::string& title) {
    news::NewsDocument d;
    d.title = title;
    return builder.build(d, "x.md", "XR", "h").get_value(schema::kDedupKey);
  };
  std::string zoox = key("Zoox settles with Tesla");
  EXPECT_FALSE(zoox.empty());
  EXPECT_EQ(zoox, key("ZOOX settles with Tesla!"));
  EXPECT_EQ(zoox, key("  Zoox settles -- with   tesla. "));
  EXPECT_NE(zoox, key("Zoox settles with Uber"));
  EXPECT_NE(zoox, key("Zoox settles without Tesla"));
}

// The builder remembers the stems it gave (a cache in front of Snowball's
// English stemmer): a builder that has seen the words before gives the same
// stemmed terms as a new one, and both are Snowball's stems.
TEST(BuilderStems, RememberedStemsAreSnowballsEnglishOnes) {
  news::NewsDocument first;
  first.title = "Runners running";
  first.excerpt = "Connected connections, generously";
  news::NewsDocument second;
  second.title = "Running connections";
  second.excerpt = "Generously generous runners";
  auto stemmed = [](const Xapian::Document& doc) {
    std::set<std::string> out;
    for (const auto& term : terms_of(doc)) {
      if (term.starts_with('Z')) out.insert(term);
    }
    return out;
  };
  news::DocumentBuilder warm;
  warm.build(first, "a.md", "XRroot", "h");
  const auto remembered = stemmed(warm.build(second, "b.md", "XRroot", "h"));
  Xapian::Stem english("english");
  for (const char* word : {"running", "connections", "generously", "generous", "runners"}) {
    EXPECT_TRUE(remembered.count("Z" + english(word))) << word;
  }
  EXPECT_TRUE(remembered.count("ZS" + english("connections")));
  news::DocumentBuilder fresh;
  EXPECT_EQ(remembered, stemmed(fresh.build(second, "b.md", "XRroot", "h")));
}

TEST(BuilderValues, EmptyFieldsAddNoTerms) {
  news::NewsDocument d;
  d.title = "Bare";
  news::DocumentBuilder builder;
  auto terms = terms_of(builder.build(d, "b.md", "XRroot", "h"));
  for (const auto& t : terms) {
    EXPECT_FALSE(t == "K" || t == "XP" || t == "XT" || t == "XC") << "empty boolean term " << t;
  }
  EXPECT_TRUE(terms.count("Sbare"));
}

}  // namespace
