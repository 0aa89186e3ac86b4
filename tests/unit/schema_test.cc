// The Xapian schema tables and helpers (core/schema.h).
#include "schema/schema.h"

#include <gtest/gtest.h>
#include <xapian.h>

#include <set>
#include <string>
#include <vector>

#include "search/relevance.h"

namespace {

namespace schema = news::schema;

constexpr std::size_t kMaxXapianTerm = 245;

TEST(Schema, NormaliseFoldsCaseAndWhitespace) {
  EXPECT_EQ(schema::normalise_value("Computer Vision"), "computer vision");
  EXPECT_EQ(schema::normalise_value("  Computer \t\n  Vision  "), "computer vision");
  EXPECT_EQ(schema::normalise_value("AI"), "ai");
  EXPECT_EQ(schema::normalise_value("TheNextWeb.COM"), "thenextweb.com");
  EXPECT_EQ(schema::normalise_value(""), "");
  EXPECT_EQ(schema::normalise_value("   "), "");
}

TEST(Schema, NormaliseFoldsNonAsciiCase) {
  // ÉCOLE ÜBER ΣΟΦΙΑ -> école über σοφια (Greek capitals fold too).
  EXPECT_EQ(schema::normalise_value("\xC3\x89"
                                    "COLE \xC3\x9C"
                                    "BER"),
            "\xC3\xA9"
            "cole \xC3\xBC"
            "ber");
  EXPECT_EQ(schema::normalise_value("\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x99\xCE\x91"),
            "\xCF\x83\xCE\xBF\xCF\x86\xCE\xB9\xCE\xB1");
}

TEST(Schema, NormaliseIsIdempotent) {
  for (const char* value : {"Computer   Vision",
                            "\xC3\x89"
                            "COLE",
                            "a b"}) {
    std::string once = schema::normalise_value(value);
    EXPECT_EQ(schema::normalise_value(once), once);
  }
}

TEST(Schema, BooleanTermIsPrefixPlusNormalisedValue) {
  EXPECT_EQ(schema::boolean_term("K", " Computer  Vision "), "Kcomputer vision");
  EXPECT_EQ(schema::boolean_term("XP", "TheNextWeb.com"), "XPthenextweb.com");
  EXPECT_EQ(schema::boolean_term("K", "AI"), schema::boolean_term("K", "ai"));
}

TEST(Schema, LongBooleanTermsAreHashedBelowTheXapianLimit) {
  std::string a(1000, 'a');
  std::string b = a;
  b.back() = 'b';  // differs only at the very end, far past any kept head
  std::string ta = schema::boolean_term("XP", a);
  std::string tb = schema::boolean_term("XP", b);
  EXPECT_LT(ta.size(), kMaxXapianTerm);
  EXPECT_LT(tb.size(), kMaxXapianTerm);
  EXPECT_TRUE(ta.starts_with("XP"));
  EXPECT_NE(ta, tb);
  EXPECT_EQ(ta, schema::boolean_term("XP", a));  // deterministic
}

TEST(Schema, LongBooleanTermsHashTheNormalisedValue) {
  // Case and spacing differences must not change the filter term.
  std::string words;
  for (int i = 0; i < 60; ++i) words += "Word" + std::to_string(i) + " ";
  std::string messy = "  " + words;
  for (auto& c : messy) {
    if (c == ' ') c = '\t';
  }
  ASSERT_GT(words.size(), 245u);
  EXPECT_EQ(schema::boolean_term("K", words), schema::boolean_term("K", messy));
  EXPECT_LT(schema::boolean_term("K", words).size(), kMaxXapianTerm);
}

TEST(Schema, LongNonAsciiValuesStayBelowTheLimit) {
  std::string value;
  for (int i = 0; i < 200; ++i) value += "\xC3\xA9";  // 400 bytes
  EXPECT_LT(schema::boolean_term("XT", value).size(), kMaxXapianTerm);
  EXPECT_LT(schema::id_term(value).size(), kMaxXapianTerm);
}

TEST(Schema, IdTerm) {
  EXPECT_EQ(schema::id_term("ai-news/2020-04-06-x.md"), "Qai-news/2020-04-06-x.md");
  // Ids are identities, not filter values: not case-folded.
  EXPECT_NE(schema::id_term("A.md"), schema::id_term("a.md"));
}

TEST(Schema, LongIdTermsAreHashedDeterministicallyAndDistinctly) {
  std::string dir(300, 'd');
  std::set<std::string> terms;
  for (int i = 0; i < 100; ++i) {
    std::string id = dir + "/file-" + std::to_string(i) + ".md";
    std::string term = schema::id_term(id);
    EXPECT_LT(term.size(), kMaxXapianTerm) << id;
    EXPECT_TRUE(term.starts_with(schema::kIdPrefix));
    EXPECT_EQ(term, schema::id_term(id));
    terms.insert(term);
  }
  EXPECT_EQ(terms.size(), 100u);
}

TEST(Schema, TermLengthsAroundTheHashThreshold) {
  // Every length from short to long stays valid and distinct.
  std::set<std::string> terms;
  for (std::size_t n = 150; n <= 300; ++n) {
    std::string term = schema::id_term(std::string(n, 'x'));
    EXPECT_LT(term.size(), kMaxXapianTerm) << n;
    terms.insert(term);
  }
  EXPECT_EQ(terms.size(), 151u);
}

TEST(Schema, RootTerm) {
  std::string short_root = "/data/news";
  EXPECT_EQ(schema::root_term(short_root), std::string(schema::kRootPrefix) + short_root);
  std::string long_root = "/" + std::string(400, 'r');
  std::string other_root = long_root + "2";
  EXPECT_LT(schema::root_term(long_root).size(), kMaxXapianTerm);
  EXPECT_NE(schema::root_term(long_root), schema::root_term(other_root));
  EXPECT_TRUE(schema::root_term(long_root).starts_with(schema::kRootPrefix));
}

// The relevance scheme is Xapian's own BM25 (k1 1, b 0.5) where the
// archive's mean length is the reference length: documents with a word
// `occurrences` times in `length` words, stored once with plain wdfs and
// searched with BM25Weight's defaults, and once with the normalisation in
// the wdfs (schema.h), score alike up to the rounding of the wdfs.
TEST(Schema, RelevanceSchemeIsBm25WithTheLengthsInTheWdfs) {
  struct Doc {
    Xapian::termcount occurrences, length;
  };
  // Lengths averaging kReferenceLength (108), short ones below the floor of
  // half of it, long ones above it.
  std::vector<Doc> docs = {{1, 40}, {1, 176}, {2, 60}, {3, 156}};
  for (int i = 0; i < 6; ++i) docs.push_back({0, 108});
  Xapian::WritableDatabase plain(std::string(), Xapian::DB_BACKEND_INMEMORY);
  Xapian::WritableDatabase ours(std::string(), Xapian::DB_BACKEND_INMEMORY);
  double total = 0;
  for (const Doc& d : docs) {
    total += d.length;
    Xapian::Document p, o;
    if (d.occurrences > 0) {
      p.add_term("word", d.occurrences);
      o.add_term("word", d.occurrences * schema::scaled_wdf(1, schema::length_norm(d.length)));
    }
    p.add_term("filler", d.length - d.occurrences);
    o.add_term("filler", 1);
    plain.add_document(p);
    ours.add_document(o);
  }
  ASSERT_EQ(total / double(docs.size()), schema::kReferenceLength);

  auto weights = [](Xapian::Enquire enquire) {
    Xapian::MSet mset = enquire.get_mset(0, 100);
    std::vector<std::pair<Xapian::docid, double>> out;
    for (auto it = mset.begin(); it != mset.end(); ++it) out.emplace_back(*it, it.get_weight());
    return out;
  };
  Xapian::Enquire bm25(plain);
  bm25.set_query(Xapian::Query("word"));
  bm25.set_weighting_scheme(Xapian::BM25Weight());
  auto expected = weights(bm25);
  auto got = weights(news::relevance_enquire(ours, news::ScoredQuery(Xapian::Query("word"))));
  ASSERT_EQ(got.size(), 4u);
  ASSERT_EQ(expected.size(), got.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, expected[i].first) << "rank " << i;
    // One occurrence of weight 1 is 12 to 21 wdf units here: within 2%.
    EXPECT_NEAR(got[i].second, expected[i].second, 0.02 * expected[i].second) << "rank " << i;
  }
}

TEST(Schema, Saturate) {
  EXPECT_DOUBLE_EQ(schema::saturate(0), 0.0);
  EXPECT_DOUBLE_EQ(schema::saturate(-5), 0.0);
  EXPECT_DOUBLE_EQ(schema::saturate(schema::kRankHalfPoint), 0.5);
  EXPECT_DOUBLE_EQ(schema::saturate(schema::kRankHalfPoint), schema::kUnknownRank);
  EXPECT_DOUBLE_EQ(schema::saturate(3 * schema::kRankHalfPoint), 0.75);
  double previous = 0;
  for (double x = 1; x <= 1e6; x *= 1.5) {
    double s = schema::saturate(x);
    EXPECT_GT(s, previous) << x;  // strictly increasing
    EXPECT_LT(s, 1.0) << x;       // never reaches 1
    previous = s;
  }
}

// The rows of the standard field table that write terms.
std::vector<const schema::Field*> term_fields() {
  std::vector<const schema::Field*> out;
  for (const auto& field : schema::FieldTable::standard().fields()) {
    if (field.terms != schema::Terms::kNone) out.push_back(&field);
  }
  return out;
}

// Its rows that support ranges.
std::vector<const schema::Field*> range_fields() {
  std::vector<const schema::Field*> out;
  for (const auto& field : schema::FieldTable::standard().fields()) {
    if (field.supports_all(schema::kRange)) out.push_back(&field);
  }
  return out;
}

TEST(Schema, FieldNamesAreDistinct) {
  std::set<std::string_view> names;
  std::size_t named = 0;
  for (const auto& field : schema::FieldTable::standard().fields()) {
    if (field.name.empty()) continue;
    ++named;
    EXPECT_TRUE(names.insert(field.name).second) << "duplicate field name " << field.name;
  }
  EXPECT_GT(named, 0u);
}

TEST(Schema, TermFieldPrefixesAreDistinctForNamedFields) {
  std::set<std::string_view> prefixes;
  for (const auto* field : term_fields()) {
    if (field->name.empty()) continue;
    EXPECT_FALSE(field->prefix.empty()) << field->name;
    EXPECT_TRUE(prefixes.insert(field->prefix).second) << "prefix reused: " << field->prefix;
    EXPECT_NE(field->prefix, schema::kIdPrefix) << field->name;
    EXPECT_NE(field->prefix, schema::kRootPrefix) << field->name;
  }
}

// Spelling, "did you mean" and "more like this" tell plain words from
// prefixed terms by is_prefixed: every prefix must start with a capital.
TEST(Schema, EveryPrefixIsSeenAsOneAndPlainWordsAreNot) {
  for (const auto* field : term_fields()) {
    if (field->prefix.empty()) continue;
    EXPECT_TRUE(schema::is_prefixed(field->prefix + "word")) << field->prefix;
  }
  for (std::string_view prefix :
       {schema::kIdPrefix, schema::kRootPrefix, schema::kUrlPrefix, schema::kStoryPrefix}) {
    EXPECT_TRUE(schema::is_prefixed(std::string(prefix) + "x")) << prefix;
  }
  EXPECT_TRUE(schema::is_prefixed("Zrobot"));  // stemmed
  for (std::string_view plain : {"robot", "2021", "\xC3\xA9t\xC3\xA9", ""}) {
    EXPECT_FALSE(schema::is_prefixed(plain)) << plain;
  }
}

TEST(Schema, BooleanFieldsHaveDistinctPrefixesAndNoWdf) {
  std::set<std::string_view> prefixes;
  for (const auto& field : schema::FieldTable::standard().fields()) {
    EXPECT_TRUE(field.extract != nullptr);
    if (field.terms != schema::Terms::kExact) continue;
    EXPECT_FALSE(field.prefix.empty()) << field.name;
    EXPECT_TRUE(prefixes.insert(field.prefix).second) << "prefix reused: " << field.prefix;
    EXPECT_EQ(field.wdf, 0u) << field.name;
  }
}

TEST(Schema, NormaliseUrl) {
  const std::string plain = schema::normalise_url("example.com/story");
  EXPECT_EQ(plain, "example.com/story");
  for (const char* url : {"https://www.Example.com/story/", "http://example.com/story",
                          "HTTPS://EXAMPLE.COM/STORY//", "  https://example.com/story  "}) {
    EXPECT_EQ(schema::normalise_url(url), plain) << url;
  }
  EXPECT_NE(schema::normalise_url("https://example.com/other"), plain);
}

TEST(Schema, FiltersUsedBySearchExist) {
  std::set<std::string_view> boolean_names;
  for (const auto* field : term_fields()) {
    if (field->terms == schema::Terms::kExact) boolean_names.insert(field->name);
  }
  for (std::string_view name : {"topic", "provider", "type"}) {
    EXPECT_TRUE(boolean_names.contains(name)) << name;
  }
}

TEST(Schema, RangeFieldsAreDistinct) {
  std::set<Xapian::valueno> slots;
  std::set<std::string_view> names;
  for (const auto* range : range_fields()) {
    EXPECT_TRUE(slots.insert(range->slot).second) << "slot reused by " << range->name;
    EXPECT_TRUE(names.insert(range->name).second) << "name reused: " << range->name;
  }
  EXPECT_FALSE(slots.empty());
}

TEST(Schema, RangeFieldNamesDoNotClashWithTermFields) {
  for (const auto* range : range_fields()) {
    for (const auto* field : term_fields()) {
      EXPECT_NE(range->name, field->name);
    }
  }
}

TEST(Schema, DateRangeUsesTheDaySlot) {
  bool found = false;
  for (const auto* range : range_fields()) {
    if (range->encoding == schema::Encoding::kDay) {
      EXPECT_EQ(range->slot, schema::kDay) << range->name;  // "YYYYMMDD" string order
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
