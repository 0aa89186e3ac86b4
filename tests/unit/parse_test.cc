// parse_news_file (core/document.h): one fixture per quirk under
// tests/fixtures/parse/, plus every real seed file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "document/document.h"
#include "document/document_builder.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

using news::ParseResult;
using news::ParseStatus;

fs::path fixture(const std::string& name) { return fs::path(NEWS_FIXTURES_DIR) / "parse" / name; }

// The bytes of a parse fixture; fails the test when the file is missing.
std::string fixture_bytes(const std::string& name) {
  fs::path path = fixture(name);
  EXPECT_TRUE(fs::is_regular_file(path)) << path;
  return news::testing::read_file(path);
}

ParseResult parse_fixture(const std::string& name) {
  return news::parse_news_file(fixture_bytes(name));
}

// Every text the parsed document carries, for "this never leaks" checks.
std::vector<std::string> all_text(const news::NewsDocument& d) {
  std::vector<std::string> out = {d.title,         d.excerpt,        d.url, d.category, d.type,
                                  d.provider_name, d.provider_domain};
  out.insert(out.end(), d.topics.begin(), d.topics.end());
  out.insert(out.end(), d.related_titles.begin(), d.related_titles.end());
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(Parse, FullDocumentFields) {
  ParseResult r = parse_fixture("full.md");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  const auto& d = r.document;
  EXPECT_EQ(d.title, "Harbour cranes get a software upgrade");
  EXPECT_EQ(d.excerpt, "The port authority rolled out new scheduling software for its cranes.");
  EXPECT_EQ(d.category, "news");
  EXPECT_EQ(d.type, "article");
  EXPECT_EQ(d.provider_name, "Harbour Gazette");
  EXPECT_EQ(d.provider_domain, "harbour.example");
  EXPECT_EQ(d.topics, (std::vector<std::string>{"Logistics", "Port Automation"}));
  EXPECT_EQ(d.quality, 77);
  EXPECT_EQ(d.heat, 88);
  ASSERT_TRUE(d.published.has_value());
  EXPECT_EQ(news::format_iso_datetime(*d.published), "2021-05-06T07:08:09Z");
  EXPECT_EQ(r.repaired_fields, 0);
}

TEST(Parse, OriginalUrlWinsOverWebUrl) {
  ParseResult r = parse_fixture("full.md");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.url, "https://harbour.example/news/cranes");
}

TEST(Parse, UrlFallsBackToWebUrl) {
  ParseResult r = parse_fixture("url-fallback.md");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.url, "https://mirror.example/only-web-url");
}

TEST(Parse, EmptyOriginalUrlFallsBackToWebUrl) {
  ParseResult r =
      news::parse_news_file("---\ntitle: T\noriginalUrl: \"\"\nwebUrl: https://w.example/x\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.url, "https://w.example/x");
}

TEST(Parse, RelatedTitlesAreExtracted) {
  ParseResult r = parse_fixture("full.md");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.related_titles,
            (std::vector<std::string>{"Crane operators train on the new system",
                                      "Port traffic hits a record"}));
}

TEST(Parse, SecuredNeverAppearsInTheDocument) {
  std::string bytes = fixture_bytes("full.md");
  const std::string secret = "SECRET-TOKEN-4f9a2c7e-do-not-index";
  ASSERT_TRUE(contains(bytes, "secured: \"" + secret + "\""));  // the fixture has one
  ParseResult r = news::parse_news_file(bytes);
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  for (const auto& text : all_text(r.document)) {
    EXPECT_FALSE(contains(text, secret)) << text;
    EXPECT_FALSE(contains(text, "SECRET-TOKEN")) << text;
  }
}

// A line that looks like a key the parser leaves out (document.cc,
// load_yaml), inside a multi-line scalar: it stays the scalar's text.
TEST(Parse, AKeyLeftOutInsideAMultiLineScalarStaysText) {
  const std::pair<const char*, const char*> cases[] = {
      {"---\ntitle: Quoted lines\nexcerpt: 'first\nsecured: \"QUJD\"\nlast'\n---\n",
       "first secured: \"QUJD\" last"},
      {"---\ntitle: Quoted lines\nexcerpt: 'first\nimages:\n  - x\nlast'\n---\n",
       "first images: - x last"},
  };
  for (const auto& [bytes, excerpt] : cases) {
    ParseResult r = news::parse_news_file(bytes);
    ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
    EXPECT_EQ(r.document.excerpt, excerpt);
  }
}

// A YAML error after a part the parser leaves out names the line it is on.
TEST(Parse, AYamlErrorAfterAPartLeftOutNamesItsLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"---\ntitle: Fine\nsecured: \"QUJDRA==\"\nexcerpt: [unclosed\n---\n", "line 5"},
      {"---\ntitle: Fine\nimages:\n  - url: a\n  - url: b\nexcerpt: [unclosed\n---\n", "line 7"},
  };
  for (const auto& [bytes, line] : cases) {
    ParseResult r = news::parse_news_file(bytes);
    ASSERT_EQ(r.status, ParseStatus::kRejected);
    EXPECT_TRUE(contains(r.reason, line)) << r.reason;
  }
}

// The parser leaves the values of `secured` and of `images` lists out before
// yaml-cpp reads a file (document.cc, load_yaml); parse_news_file_whole reads
// every byte. What the parse gives must be the same either way.
TEST(Parse, EverySeedParsesAsWhenReadWhole) {
  int with_secured = 0, with_images = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(NEWS_SEEDS_DIR)) {
    if (!entry.is_regular_file()) continue;
    SCOPED_TRACE(entry.path().string());
    std::string bytes = news::testing::read_file(entry.path());
    if (contains(bytes, "\nsecured: \"")) ++with_secured;
    if (contains(bytes, "images:")) ++with_images;
    ParseResult a = news::parse_news_file(bytes), b = news::parse_news_file_whole(bytes);
    ASSERT_EQ(a.status, b.status);
    EXPECT_EQ(a.reason, b.reason);
    EXPECT_EQ(a.warnings, b.warnings);
    EXPECT_EQ(a.repaired_fields, b.repaired_fields);
    EXPECT_EQ(a.document, b.document);
  }
  EXPECT_GT(with_secured, 100);
  EXPECT_GT(with_images, 100);
}

// Lists of images whose lines are each whole (no quote or bracket left
// open) but whose shapes yaml-cpp would not read are not read at all.
TEST(Parse, AMalformedListOfImagesDoesNotRejectTheFile) {
  const std::string bytes =
      "---\ntitle: Pictures\nimages:\n  - url: a\n   width: 5\ntopics:\n  - AI\n"
      "provider:\n  name: Wire\n  images:\n  - url: x: y\n  domain: wire.example\n"
      "related:\n  - title: Also\n    images:\n      - width 50\n        height: 50\n"
      "  - title: Again\n---\n";
  ASSERT_EQ(news::parse_news_file_whole(bytes).status, ParseStatus::kRejected);
  ParseResult r = news::parse_news_file(bytes);
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.title, "Pictures");
  EXPECT_EQ(r.document.topics, std::vector<std::string>{"AI"});
  EXPECT_EQ(r.document.provider_name, "Wire");
  EXPECT_EQ(r.document.provider_domain, "wire.example");
  EXPECT_EQ(r.document.related_titles, (std::vector<std::string>{"Also", "Again"}));
}

// A list of images with a quote left open is parsed as it is: what follows
// it belongs to the quoted text.
TEST(Parse, AListOfImagesWithAnOpenQuoteIsReadWhole) {
  const std::string bytes =
      "---\ntitle: Open\nimages:\n  - url: \"https://a.example/x\n"
      "excerpt: inside the quote\"\n---\n";
  ParseResult r = news::parse_news_file(bytes);
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.excerpt, "");
  EXPECT_EQ(r.document, news::parse_news_file_whole(bytes).document);
}

TEST(Parse, AnAliasOfAnImageStillResolves) {
  ParseResult r =
      news::parse_news_file("---\nimages:\n  - &pic Harbour at dawn\ntitle: *pic\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.title, "Harbour at dawn");
}

// An alias names a text again without writing it out: the fields of a file
// may repeat a long text only up to what a file could hold written out.
TEST(Parse, AliasesThatRepeatALongTextBeyondAnyFileAreRejected) {
  const std::string title = "---\ntitle: &t " + std::string(200 << 10, 'x') + "\n";
  std::string related = title + "related:\n";
  std::string topics = title + "topics:\n";
  for (int i = 0; i < 20; ++i) {
    related += "  - title: *t\n";
    topics += "  - *t\n";
  }
  for (const auto& [bytes, field] : {std::pair{related, "related: title"}, {topics, "topics"}}) {
    ParseResult r = news::parse_news_file(bytes + "---\n");
    ASSERT_EQ(r.status, ParseStatus::kRejected) << field;
    EXPECT_EQ(r.reason, std::string(field) + ": YAML aliases repeat more than 3 MiB of text, " +
                            "more than any file can hold");
  }
  // Under the limit, the same aliases are read.
  ParseResult r = news::parse_news_file(title + "related:\n  - title: *t\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.related_titles, std::vector<std::string>{r.document.title});
}

// A related item named again by an alias is one item: it is read once, so
// that naming a large item many times costs nothing.
TEST(Parse, ARelatedItemNamedAgainByAnAliasIsReadOnce) {
  ParseResult r = news::parse_news_file(
      "---\ntitle: t\nrelated:\n  - &r\n    title: Also\n  - *r\n  - title: Again\n  - *r\n"
      "---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.related_titles, (std::vector<std::string>{"Also", "Again"}));
}

TEST(Parse, BodyAfterFrontMatterIsIgnored) {
  ParseResult r = parse_fixture("full.md");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  for (const auto& text : all_text(r.document)) EXPECT_FALSE(contains(text, "Body text")) << text;
}

TEST(Parse, CrlfLineEnds) {
  std::string bytes = fixture_bytes("crlf.md");
  ASSERT_TRUE(contains(bytes, "\r\n"));  // the fixture really has CR LF
  ParseResult r = news::parse_news_file(bytes);
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  const auto& d = r.document;
  EXPECT_EQ(d.title, "Line endings from Windows");
  EXPECT_EQ(d.excerpt, "Every line of this file ends in CR LF.");
  EXPECT_EQ(d.url, "https://example.com/crlf");
  EXPECT_EQ(d.type, "article");  // a plain scalar, where a stray '\r' would stick
  EXPECT_EQ(d.provider_name, "Carriage Return Daily");
  EXPECT_EQ(d.provider_domain, "crlf.example");
  EXPECT_EQ(d.topics, std::vector<std::string>{"Line Endings"});
  EXPECT_EQ(d.quality, 41);
  EXPECT_EQ(d.heat, 42);
  for (const auto& text : all_text(d)) EXPECT_FALSE(contains(text, "\r")) << text;
}

TEST(Parse, ByteOrderMark) {
  std::string bytes = fixture_bytes("bom.md");
  ASSERT_EQ(bytes.substr(0, 3), "\xEF\xBB\xBF");  // the fixture really has a BOM
  ParseResult r = news::parse_news_file(bytes);
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.title, "A file that starts with a byte-order mark");
  EXPECT_EQ(r.document.quality, 33);
}

TEST(Parse, MissingClosingDelimiterStillParses) {
  std::string bytes = fixture_bytes("unclosed.md");
  ASSERT_FALSE(contains(bytes, "\n---\n"));  // really no closing line
  ParseResult r = news::parse_news_file(bytes);
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.title, "Front matter without a closing line");
  EXPECT_EQ(r.document.url, "https://example.com/unclosed");
  EXPECT_EQ(r.document.quality, 57);
  EXPECT_EQ(r.document.heat, 58);
  EXPECT_EQ(r.document.topics, std::vector<std::string>{"Truncation"});
}

TEST(Parse, MissingOptionalFields) {
  ParseResult r = parse_fixture("minimal.md");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  const auto& d = r.document;
  EXPECT_EQ(d.title, "Only a title and nothing else");
  EXPECT_FALSE(d.quality.has_value());
  EXPECT_FALSE(d.heat.has_value());
  EXPECT_FALSE(d.published.has_value());
  EXPECT_TRUE(d.related_titles.empty());
  EXPECT_TRUE(d.topics.empty());
  EXPECT_TRUE(d.provider_name.empty());
  EXPECT_TRUE(d.provider_domain.empty());
  EXPECT_TRUE(d.excerpt.empty());
  EXPECT_TRUE(d.url.empty());
}

TEST(Parse, HeatMinusOneIsUnknown) {
  ParseResult r = parse_fixture("heat-unknown.md");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_FALSE(r.document.heat.has_value());
  EXPECT_EQ(r.document.quality, 64);  // only heat is affected
}

TEST(Parse, HeatZeroIsKnown) {
  // 0 is a real heat, not "unknown": only -1 means unknown.
  ParseResult r = news::parse_news_file("---\ntitle: T\nheat: 0\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.heat, 0);
}

TEST(Parse, NumbersWrittenAsStrings) {
  ParseResult r = parse_fixture("numbers-as-strings.md");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.quality, 26);
  EXPECT_EQ(r.document.heat, 81);
}

TEST(Parse, WholeNumberWrittenAsDecimalIsAccepted) {
  ParseResult r = parse_fixture("quality-decimal.md");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.quality, 26);
}

TEST(Parse, FractionalQualityIsRejected) {
  ParseResult r = news::parse_news_file("---\ntitle: T\nquality: 26.5\n---\n");
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "quality")) << r.reason;
}

TEST(Parse, NonNumberQualityIsRejectedNamingTheField) {
  ParseResult r = parse_fixture("quality-not-a-number.md");
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "quality")) << r.reason;
  EXPECT_TRUE(contains(r.reason, "excellent")) << r.reason;  // says what it got
}

TEST(Parse, OutOfRangeQualityIsRejected) {
  ParseResult r = parse_fixture("quality-out-of-range.md");
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "quality")) << r.reason;
  EXPECT_TRUE(contains(r.reason, "range")) << r.reason;
}

TEST(Parse, OverflowingQualityIsRejected) {
  ParseResult r =
      news::parse_news_file("---\ntitle: T\nquality: 123456789012345678901234567890\n---\n");
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "quality")) << r.reason;
}

TEST(Parse, HeatBelowMinusOneIsRejected) {
  ParseResult r = news::parse_news_file("---\ntitle: T\nheat: -2\n---\n");
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "heat")) << r.reason;
}

TEST(Parse, QualityOfWrongTypeIsRejected) {
  ParseResult r = news::parse_news_file("---\ntitle: T\nquality:\n  - 1\n  - 2\n---\n");
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "quality")) << r.reason;
}

TEST(Parse, TitleOfWrongTypeIsRejectedNamingTitle) {
  ParseResult r = parse_fixture("title-list.md");
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "title")) << r.reason;
}

TEST(Parse, MissingTitleIsRejected) {
  ParseResult r = news::parse_news_file("---\nexcerpt: no title here\n---\n");
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "title")) << r.reason;
}

TEST(Parse, BlankTitleIsRejected) {
  ParseResult r = news::parse_news_file("---\ntitle: \"   \"\n---\n");
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "title")) << r.reason;
}

TEST(Parse, TopicsOfWrongTypeAreRejected) {
  ParseResult r = parse_fixture("topics-mapping.md");
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "topics")) << r.reason;
}

TEST(Parse, SingleTopicStringIsAListOfOne) {
  ParseResult r = news::parse_news_file("---\ntitle: T\ntopics: Robotics\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.topics, std::vector<std::string>{"Robotics"});
}

TEST(Parse, UnparseableDateIsRejected) {
  ParseResult r = parse_fixture("bad-date.md");
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "publishedDateTime")) << r.reason;
}

TEST(Parse, NoFrontMatterIsNotADocument) {
  ParseResult r = parse_fixture("no-front-matter.md");
  EXPECT_EQ(r.status, ParseStatus::kNotADocument);
  EXPECT_FALSE(r.reason.empty());
}

TEST(Parse, EmptyFileIsRejectedAsEmpty) {
  std::string bytes = fixture_bytes("empty.md");
  ASSERT_TRUE(bytes.empty());
  ParseResult r = news::parse_news_file(bytes);
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "empty")) << r.reason;
}

TEST(Parse, WhitespaceOnlyFileIsRejectedAsEmpty) {
  ParseResult r = news::parse_news_file(" \r\n\t\n");
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "empty")) << r.reason;
}

TEST(Parse, BadYamlIsRejectedWithItsLineNumber) {
  std::string bytes = fixture_bytes("bad-yaml.md");
  // The stray list item is on this line of the file (1-based).
  std::size_t at = bytes.find("- stray list item");
  ASSERT_NE(at, std::string::npos);
  int line = 1 + static_cast<int>(std::count(bytes.begin(), bytes.begin() + at, '\n'));
  ParseResult r = news::parse_news_file(bytes);
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "YAML")) << r.reason;
  EXPECT_TRUE(contains(r.reason, "line " + std::to_string(line))) << r.reason;
}

TEST(Parse, FrontMatterThatIsNotAMappingIsRejected) {
  ParseResult r = news::parse_news_file("---\n- just\n- a list\n---\n");
  EXPECT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_FALSE(r.reason.empty());
}

TEST(Parse, NonUtf8BytesAreReadAsWindows1252WithAWarning) {
  // Line 3 has Latin-1/Windows-1252 bytes: é (E9), è (E8) and ’ (92).
  ParseResult r =
      news::parse_news_file("---\ntitle: Fine\nexcerpt: \"caf\xE9 cr\xE8me, it\x92s good\"\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.excerpt, "caf\xC3\xA9 cr\xC3\xA8me, it\xE2\x80\x99s good");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_TRUE(contains(r.warnings[0], "line 3")) << r.warnings[0];
  EXPECT_TRUE(contains(r.warnings[0], "UTF-8")) << r.warnings[0];
}

TEST(Parse, LatinOneEscapesBecomeUtf8InTextAndUrl) {
  // yaml-cpp writes "\N" (next line) and "\_" (no-break space) as single
  // bytes that are not UTF-8; every field read must be UTF-8, the url too.
  ParseResult r = news::parse_news_file(
      "---\ntitle: \"One\\Ntwo\\_three\"\nwebUrl: \"https://example.com/a\\Nb\\_c\"\n"
      "topics: [\"Four\\_five\"]\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.title, "One two\u00A0three");
  EXPECT_EQ(r.document.url, "https://example.com/a b\u00A0c");
  EXPECT_EQ(r.document.topics, std::vector<std::string>{"Four\u00A0five"});
}

TEST(Parse, ValidFilesHaveNoWarnings) {
  for (const char* name : {"full.md", "crlf.md", "bom.md", "unclosed.md", "minimal.md"}) {
    ParseResult r = parse_fixture(name);
    ASSERT_EQ(r.status, ParseStatus::kOk) << name << ": " << r.reason;
    EXPECT_TRUE(r.warnings.empty()) << name << ": " << r.warnings.front();
  }
}

TEST(Parse, ReasonIsOneLine) {
  for (const char* name : {"bad-yaml.md", "bad-date.md", "title-list.md", "topics-mapping.md",
                           "quality-not-a-number.md", "quality-out-of-range.md", "empty.md"}) {
    ParseResult r = parse_fixture(name);
    EXPECT_EQ(r.status, ParseStatus::kRejected) << name;
    EXPECT_FALSE(r.reason.empty()) << name;
    EXPECT_FALSE(contains(r.reason, "\n")) << name << ": " << r.reason;
  }
}

TEST(Parse, WhitespaceInTextFieldsIsCollapsed) {
  ParseResult r = news::parse_news_file(
      "---\ntitle: \"  Spaced   out\\ttitle \"\nexcerpt: |\n  two\n  lines\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.title, "Spaced out title");
  EXPECT_EQ(r.document.excerpt, "two lines");
}

TEST(Parse, MojibakeInSeedIsRepaired) {
  std::string bytes =
      news::testing::read_file(fs::path(NEWS_SEEDS_DIR) / "004_3bf3c426f419a754.txt");
  ASSERT_TRUE(contains(bytes, "\xC3\xA2\xE2\x82\xAC\xE2\x80\x9D"));  // "â€”" as published
  ParseResult r = news::parse_news_file(bytes);
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_TRUE(contains(r.document.title, "\xE2\x80\x94")) << r.document.title;           // "—"
  EXPECT_FALSE(contains(r.document.title, "\xC3\xA2\xE2\x82\xAC")) << r.document.title;  // "â€"
  EXPECT_EQ(r.document.title,
            "Border control systems are gearing up to use facial analysis tech \xE2\x80\x94 what "
            "could go wrong?");
  EXPECT_GT(r.repaired_fields, 0);
}

TEST(Parse, RepairedFieldsCountsEachRepairedField) {
  // Two fields mangled, one clean: exactly two repairs.
  ParseResult r = news::parse_news_file(
      "---\ntitle: \"It\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2s here\"\n"
      "excerpt: \"Caf\xC3\x83\xC2\xA9 society\"\ncategory: news\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.title, "It\xE2\x80\x99s here");
  EXPECT_EQ(r.document.excerpt, "Caf\xC3\xA9 society");
  EXPECT_EQ(r.repaired_fields, 2);
}

TEST(Parse, HtmlEntitiesAreDecodedAndCounted) {
  ParseResult r = news::parse_news_file(
      "---\ntitle: \"Q&amp;A: AT&amp;T&#8217;s plan\"\nexcerpt: plain\n"
      "topics:\n  - \"R&amp;D\"\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.title, "Q&A: AT&T\xE2\x80\x99s plan");
  EXPECT_EQ(r.document.topics, std::vector<std::string>{"R&D"});
  EXPECT_EQ(r.repaired_fields, 2);  // the title and the topic
}

// YAML that a conforming parser rejects is rejected, with the line, though
// yaml-cpp alone reads it (document.cc, conformance_problem). Each case: the
// file, and what the reason must name.
struct Rejection {
  std::string bytes;
  std::vector<std::string> named;
};

void expect_rejected(const std::vector<Rejection>& cases) {
  for (const auto& [bytes, named] : cases) {
    SCOPED_TRACE(bytes);
    ParseResult r = news::parse_news_file(bytes);
    ASSERT_EQ(r.status, ParseStatus::kRejected) << "title read as: " << r.document.title;
    for (const auto& part : named) EXPECT_TRUE(contains(r.reason, part)) << r.reason;
    EXPECT_FALSE(contains(r.reason, "\n")) << r.reason;
    EXPECT_EQ(news::parse_news_file_whole(bytes).reason, r.reason);
  }
}

TEST(ParseConformance, AnUnclosedQuoteDoesNotSwallowTheFieldsAfterIt) {
  expect_rejected({
      {"---\ntitle: 'Single quoted typo\npublishedDateTime: 2021-01-02\nquality: 50\nheat: 60\n"
       "topics:\n  - AI\n---\n",
       {"line 2", "quoted scalar", "YAML does not parse"}},
      {"---\ntitle: Fine\ntopics:\n  - 'Open\n  - Closed\nquality: 5\n---\n", {"line 4"}},
      {"---\ntitle: Fine\nexcerpt: 'last field never closed\n", {"line 3"}},
      {"---\ntitle: Fine\nrelated:\n  - title: 'Half\n    url: x\n---\nbody\n", {"line 4"}},
  });
}

TEST(ParseConformance, ADuplicateKeyIsRejectedNamingItAndBothLines) {
  expect_rejected({
      {"---\ntitle: First\nquality: 5\ntitle: Second\n---\n",
       {"duplicate key 'title'", "lines 2 and 4"}},
      {"---\ntitle: T\nprovider:\n  name: A\n  domain: a.example\n  name: B\n---\n",
       {"duplicate key 'name'", "lines 4 and 6"}},
      {"---\ntitle: T\nrelated:\n  - title: A\n    title: B\n---\n",
       {"duplicate key 'title'", "lines 4 and 5"}},
      {"---\ntitle: T\n\"title\": U\n---\n", {"duplicate key 'title'", "lines 2 and 3"}},
      {"---\nx: &k title\ntitle: T\n*k : U\n---\n", {"duplicate key 'title'", "lines 3 and 4"}},
      {"---\ntitle: T\nprovider: {name: a, domain: b, name: c}\n---\n",
       {"duplicate key 'name' twice at line 3"}},
  });
  // The same key in different mappings is no duplicate.
  ParseResult r = news::parse_news_file(
      "---\ntitle: T\nprovider:\n  title: P\nrelated:\n  - title: A\n  - title: B\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.related_titles, (std::vector<std::string>{"A", "B"}));
}

TEST(ParseConformance, ADocumentMarkerInsideTheFrontMatterIsRejected) {
  expect_rejected({
      {"---\ntitle: T\n--- # more fields\nquality: 5\n---\n", {"second YAML document", "line 3"}},
      {"---\ntitle: T\n---  not a closing line\nquality: 5\n---\n", {"line 3"}},
      {"---\ntitle: T\n... # end\nquality: 5\n---\n", {"YAML does not parse at line 4"}},
      {"---\ntitle: T\n...\t# end\nheat: 5\n", {"line 4"}},
  });
}

TEST(ParseConformance, ALastLineWithoutAColonIsRejected) {
  expect_rejected({
      {"---\ntitle: T\nquality: 5\nstray words\n---\n", {"line 4", "':'"}},
      {"---\ntitle: T\ntopics:\n  - AI\nlast\n", {"line 6"}},
      {"---\ntitle: T\nprovider:\n  name: N\n  stray\n---\nbody\n", {"line 5"}},
  });
}

TEST(ParseConformance, DirectivesAndNonStandardTagsAreRejected) {
  expect_rejected({
      {"---\n%YAML 1.1\n--- # document\ntitle: T\n---\n", {"directive", "line 2"}},
      {"---\n%TAG !e! tag:example.com,2000:\n--- # document\ntitle: !e!x T\n---\n", {"directive"}},
      {"---\ntitle: T\nexcerpt: !!python/object:os.system echo\n---\n",
       {"tag '!!python/object:os.system'", "line 3"}},
      {"---\ntitle: !custom T\n---\n", {"tag '!custom'", "line 2"}},
      {"---\ntitle: T\nprovider: !<tag:example.com,2000:p> {name: N}\n---\n",
       {"tag 'tag:example.com,2000:p'", "line 3"}},
      {"---\ntitle: T\ntopics: !!set [a, b]\n---\n", {"tag '!!set'"}},
  });
  // The core schema's tags, and the non-specific one, are read as before.
  ParseResult r = news::parse_news_file(
      "---\ntitle: !!str 2021\nquality: !!int 7\ntopics: !!seq [! a, !!str b]\n"
      "provider: !!map {name: N}\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.title, "2021");
  EXPECT_EQ(r.document.quality, 7);
  EXPECT_EQ(r.document.topics, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.document.provider_name, "N");
}

TEST(ParseConformance, MergeKeysAreRejectedNotIgnored) {
  expect_rejected({
      {"---\nbase: &b {quality: 5, heat: 6}\ntitle: T\n<<: *b\n---\n", {"merge key", "line 4"}},
      {"---\ntitle: T\nprovider:\n  <<: {name: N}\n---\n", {"merge key", "line 4"}},
      {"---\ntitle: T\nrelated:\n  - <<: [{title: A}]\n---\n", {"merge key", "line 4"}},
  });
  // A quoted "<<" is a key like any other (and not read).
  ParseResult r = news::parse_news_file("---\ntitle: T\n\"<<\": x\n---\n");
  EXPECT_EQ(r.status, ParseStatus::kOk) << r.reason;
}

TEST(ParseConformance, RawControlCharactersAreRejectedNamingTheLine) {
  expect_rejected({
      {"---\ntitle: T\nexcerpt: a\x01z\n---\n", {"line 3", "U+0001"}},
      {"---\ntitle: \"bell \x07\"\n---\n", {"line 2", "U+0007"}},
      {"---\ntitle: T\n\ncategory: x\x7f\n---\n", {"line 4", "U+007F"}},
  });
  // Written as escapes in double quotes they are YAML, and read.
  ParseResult r = news::parse_news_file("---\ntitle: \"a\\x01z\"\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.title, "a\x01z");
}

// NEL, LS and PS break lines in YAML 1.1 (libyaml's) but are text in YAML 1.2
// and to yaml-cpp; pages copied from the web have them. They are read as text.
TEST(ParseConformance, NextLineAndUnicodeLineSeparatorsAreText) {
  for (const char* separator : {"\xC2\x85", "\xE2\x80\xA8", "\xE2\x80\xA9"}) {
    std::string s(separator);
    ParseResult r = news::parse_news_file("---\ntitle: one" + s + "two\nexcerpt: \"three" + s +
                                          "four\"\ntopics: [a" + s + "b]\nquality: 3\n---\n");
    ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
    EXPECT_EQ(r.document.title, "one" + s + "two");
    EXPECT_EQ(r.document.topics, std::vector<std::string>{"a" + s + "b"});
    EXPECT_EQ(r.document.quality, 3);
    // Lines are counted as before: the error is on line 3.
    r = news::parse_news_file("---\ntitle: a" + s + "b\ntitle: c\n---\n");
    ASSERT_EQ(r.status, ParseStatus::kRejected);
    EXPECT_TRUE(contains(r.reason, "lines 2 and 3")) << r.reason;
  }
}

// Every seed file is valid YAML: the check rejects none of them (the one
// corrupt seed is rejected by yaml-cpp already, with the same reason).
TEST(ParseConformance, SeedsAreUnchanged) {
  for (const auto& entry : fs::recursive_directory_iterator(NEWS_SEEDS_DIR)) {
    if (!entry.is_regular_file()) continue;
    ParseResult r = news::parse_news_file(news::testing::read_file(entry.path()));
    if (r.status == ParseStatus::kRejected) {
      EXPECT_TRUE(contains(r.reason, "illegal map value")) << entry.path() << ": " << r.reason;
    }
  }
}

TEST(Parse, CarriageReturnOnlyLineEndsAreRead) {
  for (const std::string bytes :
       {"---\rtitle: Old Mac line ends\rexcerpt: one\rtopics:\r  - A\r  - B\rquality: 4\r---\r",
        "---\rtitle: Old Mac line ends\rexcerpt: one\rtopics: [A, B]\rquality: 4\r"}) {
    SCOPED_TRACE(bytes);
    ParseResult r = news::parse_news_file(bytes);
    ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
    EXPECT_EQ(r.document.title, "Old Mac line ends");
    EXPECT_EQ(r.document.excerpt, "one");
    EXPECT_EQ(r.document.topics, (std::vector<std::string>{"A", "B"}));
    EXPECT_EQ(r.document.quality, 4);
  }
  // Lines keep their numbers.
  ParseResult r = news::parse_news_file("---\rtitle: T\rquality: lots\r---\r");
  ASSERT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "quality")) << r.reason;
  r = news::parse_news_file("---\rtitle: T\rtopics: [open\r---\r");
  ASSERT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "line 4")) << r.reason;
  // Without front matter it is still no news document.
  EXPECT_EQ(news::parse_news_file("plain\rtext\r").status, ParseStatus::kNotADocument);
}

// `text` (ASCII or UTF-8 of characters below U+10000 plus one pair) as
// UTF-16 or UTF-32 with a byte-order mark.
std::string encode_wide(const std::u32string& text, int width, bool big_endian) {
  std::vector<char32_t> units = {0xFEFF};
  for (char32_t c : text) {
    if (width == 2 && c > 0xFFFF) {
      units.push_back(0xD800 + ((c - 0x10000) >> 10));
      units.push_back(0xDC00 + ((c - 0x10000) & 0x3FF));
    } else {
      units.push_back(c);
    }
  }
  std::string out;
  for (char32_t unit : units) {
    for (int i = 0; i < width; ++i) {
      int shift = 8 * (big_endian ? width - 1 - i : i);
      out.push_back(static_cast<char>((unit >> shift) & 0xFF));
    }
  }
  return out;
}

TEST(Parse, Utf16AndUtf32WithAByteOrderMarkAreRead) {
  const std::u32string text =
      U"---\r\ntitle: Caf\u00e9 \U0001F600 news\r\ntopics:\r\n  - \u65e5\u672c\r\nquality: 9\r\n"
      U"---\r\nbody\r\n";
  for (int width : {2, 4}) {
    for (bool big_endian : {false, true}) {
      SCOPED_TRACE(std::to_string(width) + (big_endian ? " BE" : " LE"));
      ParseResult r = news::parse_news_file(encode_wide(text, width, big_endian));
      ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
      EXPECT_EQ(r.document.title, "Caf\u00e9 \U0001F600 news");
      EXPECT_EQ(r.document.topics, std::vector<std::string>{"\u65e5\u672c"});
      EXPECT_EQ(r.document.quality, 9);
      EXPECT_TRUE(r.warnings.empty());
    }
  }
}

TEST(Parse, BrokenUtf16IsRejectedNamingTheEncoding) {
  std::string lone_surrogate = encode_wide(U"---\ntitle: a", 2, false) +
                               std::string("\x3D\xD8", 2) +
                               encode_wide(U"b\n---\n", 2, false).substr(2);
  ParseResult r = news::parse_news_file(lone_surrogate);
  ASSERT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "not valid UTF-16LE")) << r.reason;
  EXPECT_TRUE(contains(r.reason, "line 2")) << r.reason;

  r = news::parse_news_file(encode_wide(U"---\ntitle: odd\n---\n", 2, true) + "x");
  ASSERT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "UTF-16BE")) << r.reason;

  r = news::parse_news_file(encode_wide(U"---\ntitle: far\n", 4, false) +
                            std::string("\x00\x00\x11\x00", 4));  // U+110000
  ASSERT_EQ(r.status, ParseStatus::kRejected);
  EXPECT_TRUE(contains(r.reason, "not valid UTF-32LE")) << r.reason;
}

TEST(Parse, JsonStyleSurrogatePairEscapesAreOneCharacter) {
  ParseResult r = news::parse_news_file(
      "---\ntitle: \"Smile \\uD83D\\uDE00 and \\ud83d\\ude4f\"\n"
      "topics: [\"\\uD835\\uDD38 maths\"]\nexcerpt: \"\\\\uD83D\\\\uDE00 stays\"\n"
      "category: plain \\uD83D\\uDE00 text\nprovider:\n  name: 'single \\uD83D\\uDE00'\n"
      "# a comment \\uD83D\\uDE00\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.title, "Smile \U0001F600 and \U0001F64F");
  EXPECT_EQ(r.document.topics, std::vector<std::string>{"\U0001D538 maths"});
  // An escaped backslash, plain and single-quoted text: no escapes there.
  EXPECT_EQ(r.document.excerpt, "\\uD83D\\uDE00 stays");
  EXPECT_EQ(r.document.category, "plain \\uD83D\\uDE00 text");
  EXPECT_EQ(r.document.provider_name, "single \\uD83D\\uDE00");
  EXPECT_EQ(r.document,
            news::parse_news_file_whole(
                "---\ntitle: \"Smile \\uD83D\\uDE00 and \\ud83d\\ude4f\"\n"
                "topics: [\"\\uD835\\uDD38 maths\"]\nexcerpt: \"\\\\uD83D\\\\uDE00 stays\"\n"
                "category: plain \\uD83D\\uDE00 text\nprovider:\n  name: 'single "
                "\\uD83D\\uDE00'\n# a comment \\uD83D\\uDE00\n---\n")
                .document);
}

TEST(Parse, AHalfSurrogatePairIsStillRejected) {
  for (const char* bytes :
       {"---\ntitle: \"\\uD83D alone\"\n---\n", "---\ntitle: \"\\uDE00\\uD83D reversed\"\n---\n"}) {
    ParseResult r = news::parse_news_file(bytes);
    EXPECT_EQ(r.status, ParseStatus::kRejected) << bytes;
  }
}

TEST(Parse, ATitleWithNothingVisibleIsRejectedAsMissing) {
  for (const char* bytes : {
           "---\ntitle: \"\\x01\\x02\\x1b\"\n---\n",
           "---\ntitle: \"\\u200B\\u200C\\u200D\\u2060\"\n---\n",
           "---\ntitle: \"\\uFEFF\\u200E\\u200F\\u202E\"\n---\n",
           "---\ntitle: \"\\_\\u3000\\u2003\\u2028\"\n---\n",
           "---\ntitle: \"\\u2800\\u3164\\uFE0F\\u00AD\"\n---\n",
           "---\ntitle: \"\\0\"\n---\n",
       }) {
    ParseResult r = news::parse_news_file(bytes);
    ASSERT_EQ(r.status, ParseStatus::kRejected) << bytes;
    EXPECT_TRUE(contains(r.reason, "title: missing or empty")) << r.reason;
  }
  // One visible character among them is a title.
  ParseResult r = news::parse_news_file("---\ntitle: \"\\u200Bx\\u200B\"\n---\n");
  ASSERT_EQ(r.status, ParseStatus::kOk) << r.reason;
  EXPECT_EQ(r.document.title, "\u200Bx\u200B");
  r = news::parse_news_file("---\ntitle: \"\\U0001F600\"\n---\n");
  EXPECT_EQ(r.status, ParseStatus::kOk) << r.reason;
}

TEST(Parse, ANulByteAnywhereInTheFrontMatterIsNeverStored) {
  const std::string padding = "excerpt: " + std::string(9000, 'x') + "\n";
  for (const std::string& bytes :
       {"---\n" + padding + "title: a" + std::string(1, '\0') + "b\n---\n",
        "---\n" + padding + "title: \"a" + std::string(1, '\0') + "b\"\n---\n",
        "---\ntitle: T\n" + padding + "topics:\n  - " + std::string(1, '\0') + "\n"}) {
    ParseResult r = news::parse_news_file(bytes);
    ASSERT_EQ(r.status, ParseStatus::kRejected) << r.document.title;
    EXPECT_TRUE(contains(r.reason, "NUL")) << r.reason;
    EXPECT_TRUE(contains(r.reason, "line 3") || contains(r.reason, "line 5")) << r.reason;
  }
  // In the body, which is never read, it changes nothing.
  ParseResult r = news::parse_news_file("---\ntitle: T\n---\n" + padding + std::string(1, '\0'));
  EXPECT_EQ(r.status, ParseStatus::kOk) << r.reason;
}

TEST(ParseSeeds, EverySeedParsesExceptTheCorruptOne) {
  fs::path seeds(NEWS_SEEDS_DIR);
  ASSERT_TRUE(fs::is_directory(seeds)) << seeds;
  std::size_t files = 0, ok = 0;
  std::vector<std::string> rejected;
  for (const auto& entry : fs::recursive_directory_iterator(seeds)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    std::string name = entry.path().lexically_relative(seeds).generic_string();
    ParseResult r = news::parse_news_file(news::testing::read_file(entry.path()));
    if (r.status == ParseStatus::kOk) {
      ++ok;
      EXPECT_FALSE(r.document.title.empty()) << name;
    } else {
      rejected.push_back(name + " (" + std::to_string(static_cast<int>(r.status)) +
                         "): " + r.reason);
      if (name.starts_with("ai-news/2020-12-01-project-innereye-")) {
        EXPECT_EQ(r.status, ParseStatus::kRejected) << name;
      } else {
        ADD_FAILURE() << "seed not parsed: " << rejected.back();
      }
    }
  }
  EXPECT_GT(files, 200u);  // two .txt seeds + ai-news + power-apps
  EXPECT_EQ(ok + 1, files);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_TRUE(rejected[0].starts_with("ai-news/2020-12-01-project-innereye-")) << rejected[0];
}

}  // namespace

// An image or other binary file beside the news is skipped, not rejected: it
// is not a news file, and it must not make every run exit 1.
TEST(Parse, ABinaryFileThatDoesNotOpenAsNewsIsNotADocument) {
  for (const std::string& bytes : {std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16),
                                   std::string("\xff\xd8\xff\xe0\0\x10JFIF\0", 11),
                                   std::string("\x7f"
                                               "ELF\0\0\0\x01---\n",
                                               12)}) {
    news::ParseResult r = news::parse_news_file(bytes);
    EXPECT_EQ(r.status, news::ParseStatus::kNotADocument) << r.reason;
  }
  news::ParseResult r = news::parse_news_file(std::string("---\ntitle: x\0\0\n---\n", 19));
  EXPECT_EQ(r.status, news::ParseStatus::kRejected) << r.reason;
}
